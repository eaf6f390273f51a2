/*
 * The polyws command line: what it asks for (struct cli_config) and the one
 * grammar that reads it (cli_parse_args). Options and the URL come in any
 * order; an option's value is always the next argument (or follows '=' in
 * a long option), never optional, so no value can swallow the URL; "--"
 * ends the options. The option table in cli_args.c also writes --help.
 */
#ifndef POLYWS_CLI_ARGS_H
#define POLYWS_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>

/* What the end of standard input does. */
enum cli_on_eof {
    CLI_EOF_CLOSE_AFTER_REPLIES,   /* close 1000 once as many messages arrived as were sent */
    CLI_EOF_CLOSE_NOW,             /* --exit-on-eof (and Ctrl-D at a terminal) */
    CLI_EOF_KEEP_OPEN              /* --no-close: wait for the server to close */
};

/* How a binary message is printed outside --jsonl (which always has base64). */
enum cli_binary_output { CLI_BINARY_SIZE, CLI_BINARY_HEX, CLI_BINARY_BASE64 };

/* Repeatable options, in order. */
struct cli_list {
    const char **items;
    size_t count;
};

struct cli_config {
    const char *url;
    struct cli_list protocols, headers, sends;
    const char *user_agent;
    const char *cacert, *cert, *key, *tls_server_name;
    int insecure, proxy_from_env;
    const char *proxy;
    int deflate, deflate_no_takeover;
    /* Numbers are -1 when not given (the library's default then holds). */
    int64_t deflate_client_bits, deflate_server_bits;
    int64_t reconnect_ms, reconnect_max_ms, reconnect_attempts;
    int64_t connect_timeout_ms, ping_interval_ms, pong_timeout_ms;
    int64_t max_message_size, receive_limit;
    int has_close;                 /* --close given */
    int64_t close_code;            /* 0: a close frame without a code */
    const char *close_reason;      /* NULL: none */
    int echo, jsonl, verbose;
    int binary, whole_stdin, no_stdin, no_close, exit_on_eof, slash;
    enum cli_binary_output binary_output;

    /* Derived by cli_parse_args: */
    int read_stdin;
    enum cli_on_eof on_eof;
};

/* The one-line synopsis, also printed after every usage error. */
extern const char cli_usage_line[];

/*
 * Reads argv into `cfg` (zeroed by the caller). --help and --version print
 * to stdout; a usage error prints "polyws: OPTION: what is wrong", the usage
 * line and a pointer to --help to stderr.
 * @return 0 to go on, 1 after --help or --version (exit 0), -1 after a
 *         usage error (exit 2).
 */
int cli_parse_args(int argc, char **argv, struct cli_config *cfg);

/* Prints "polyws: <what>" (printf-style), the usage line and the --help
 * pointer to stderr: every usage error, here and in main, looks alike. */
void cli_usage_error(const char *format, ...)
#if defined(__GNUC__) && !defined(_WIN32)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
