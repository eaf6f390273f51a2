/*
 * How the CLI waits for the loop and stdin together, per system:
 * cli_io_posix.c polls the loop's eventfd and stdin; cli_io_win.c, where
 * console and pipe handles cannot be select()ed, reads stdin on a thread
 * of its own and waits with select() on the loop's socket and a loopback
 * datagram socket that the reader thread pokes.
 */
#ifndef POLYWS_CLI_IO_H
#define POLYWS_CLI_IO_H

#include <stddef.h>

#include "polyws.h"

/* Call first in main(): sets stdin and stdout to bytes as they are (no
 * newline translation on Windows) and gives back the arguments as UTF-8
 * (on Windows, read from the wide command line: the narrow argv is in the
 * ANSI code page). */
char **cli_io_begin(int argc, char **argv);

/* Waits (without a time limit) until events wait on `loop` or, when
 * `want_stdin`, stdin has input or has ended. Sets the two flags.
 * @return 0, or -1 when waiting failed. */
int cli_wait(ws_loop *loop, int want_stdin, int *loop_ready, int *stdin_ready);

/* Reads what stdin has, at most `cap` bytes: > 0 bytes read, 0 at the end
 * of input, -1 when nothing is available now (or on an error). */
long cli_read_stdin(char *buf, size_t cap);

/* The keys that end input at a terminal ("Ctrl-D"; on Windows "Ctrl-Z,
 * Enter"), as the interactive mode tells the user. */
extern const char cli_end_of_input_keys[];

/* 1 when stdin and stdout are both a terminal (a console on Windows):
 * polyws is then interactive. */
int cli_is_interactive(void);

/* 1 when stdout is a terminal that shows ANSI colours (on Windows, a
 * console where they could be turned on). */
int cli_stdout_shows_colour(void);

/* Releases what cli_wait set up (nothing on POSIX). */
void cli_io_end(void);

#endif
