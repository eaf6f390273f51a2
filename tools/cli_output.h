/*
 * What polyws prints, in its three styles: --jsonl (one JSON object per
 * event on stdout), plain (each message on a line of stdout, the rest on
 * stderr), and interactive at a terminal (wscat's '> ' prompt and '< '
 * before what arrives, colour unless NO_COLOR). -v adds the handshake on
 * stderr in any style.
 */
#ifndef POLYWS_CLI_OUTPUT_H
#define POLYWS_CLI_OUTPUT_H

#include <stddef.h>

#include "cli_args.h"
#include "polyws.h"

enum cli_style { CLI_STYLE_JSONL, CLI_STYLE_PLAIN, CLI_STYLE_INTERACTIVE };

/* Chooses the style once the command line is read; `colour` only counts
 * in the interactive style. */
void out_begin(const struct cli_config *config, enum cli_style style, int colour);

/* -v: the opening handshake request as the library builds it (written
 * before connecting; see out_begin's socket for the URL). */
void out_request(const ws_socket *ws);

void out_open(ws_socket *ws, const ws_event *ev);
void out_message(const ws_event *ev);
void out_error(const ws_event *ev);
/* `final`: no reconnect follows. */
void out_close(const ws_event *ev, int final);
void out_reconnect(const ws_event *ev);

/* Interactive style: shows the prompt (again) when it is not shown. */
void out_prompt(void);
/* Interactive style: the user ended a line, so the prompt is gone. */
void out_prompt_used(void);

/* "polyws: <text>" on stderr, as every complaint after the command line. */
void out_note(const char *format, ...)
#if defined(__GNUC__) && !defined(_WIN32)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
