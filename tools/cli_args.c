/*
 * The command-line grammar of polyws (see cli_args.h). Every option is one
 * row of `options`: its names, how many values it takes, the group --help
 * lists it in, and the setter that stores it. A new option is a new row
 * (plus a field in struct cli_config and, in polyws_cli.c, the call that
 * hands it to the library); packaging/man/polyws.1 and docs/cli.md list it
 * too, which tests/integration/test_cli_docs.py checks.
 */
#include "cli_args.h"

#include "polyws.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cli_usage_line[] = "usage: polyws [options] URL";

enum group { CONNECTING, TLS, COMPRESSION, SENDING, CLOSING, OUTPUT, LIMITS, HELP, GROUP_COUNT };

static const char *const group_titles[GROUP_COUNT] = {
    "Connecting", "TLS (wss://)", "Compression", "What to send", "Closing", "Output",
    "Limits and keepalive", "Help",
};

struct option;
/* Stores the option's values. @return 0, -1 after a usage error (printed),
 * or 1 when polyws should exit 0 now (--help, --version). */
typedef int (*setter)(const struct option *o, struct cli_config *c, char **values);

struct option {
    const char *name;      /* the long name, without "--" */
    char short_name;       /* 0: none */
    int arity;             /* how many values follow: 0, 1 or 2 */
    const char *values;    /* what --help shows for them */
    enum group group;
    setter set;
    size_t field;          /* offsetof() the field the generic setters store to */
    const char *help;
};

static int set_flag(const struct option *o, struct cli_config *c, char **v);
static int set_text(const struct option *o, struct cli_config *c, char **v);
static int add_to_list(const struct option *o, struct cli_config *c, char **v);
static int set_uint32(const struct option *o, struct cli_config *c, char **v);
static int set_bytes(const struct option *o, struct cli_config *c, char **v);
static int set_url(const struct option *o, struct cli_config *c, char **v);
static int set_close(const struct option *o, struct cli_config *c, char **v);
static int set_close_reason(const struct option *o, struct cli_config *c, char **v);
static int set_window_bits(const struct option *o, struct cli_config *c, char **v);
static int set_binary_output(const struct option *o, struct cli_config *c, char **v);
static int print_help(const struct option *o, struct cli_config *c, char **v);
static int print_version(const struct option *o, struct cli_config *c, char **v);

#define FIELD(f) offsetof(struct cli_config, f)

static const struct option options[] = {
    {"connect", 'c', 1, "URL", CONNECTING, set_url, FIELD(url),
     "the URL, as an option (wscat's spelling)"},
    {"protocol", 'p', 1, "NAME", CONNECTING, add_to_list, FIELD(protocols),
     "request a subprotocol (repeatable)"},
    {"header", 'H', 1, "'NAME: VALUE'", CONNECTING, add_to_list, FIELD(headers),
     "add a handshake request header (repeatable)"},
    {"user-agent", 0, 1, "UA", CONNECTING, set_text, FIELD(user_agent),
     "the User-Agent of the handshake request"},
    {"connect-timeout", 0, 1, "MS", CONNECTING, set_uint32, FIELD(connect_timeout_ms),
     "time allowed to open (0: no limit)"},
    {"proxy", 0, 1, "URL", CONNECTING, set_text, FIELD(proxy),
     "via HTTP proxy http://[user:pass@]host:port"},
    {"proxy-from-env", 0, 0, NULL, CONNECTING, set_flag, FIELD(proxy_from_env),
     "use http_proxy, https_proxy and no_proxy"},
    {"reconnect", 0, 1, "MS", CONNECTING, set_uint32, FIELD(reconnect_ms),
     "reconnect after a drop, first after about MS"},
    {"reconnect-max", 0, 1, "MS", CONNECTING, set_uint32, FIELD(reconnect_max_ms),
     "longest delay between attempts (default 30000)"},
    {"reconnect-attempts", 0, 1, "N", CONNECTING, set_uint32, FIELD(reconnect_attempts),
     "stop after N failures in a row (default never)"},

    {"cacert", 0, 1, "FILE", TLS, set_text, FIELD(cacert),
     "trust the CAs in FILE (PEM), not the system's"},
    {"cert", 0, 1, "FILE", TLS, set_text, FIELD(cert),
     "client certificate (PEM) for mutual TLS"},
    {"key", 0, 1, "FILE", TLS, set_text, FIELD(key),
     "the client certificate's private key (PEM)"},
    {"tls-server-name", 0, 1, "NAME", TLS, set_text, FIELD(tls_server_name),
     "SNI and certificate name, not the URL's host"},
    {"insecure-no-verify", 0, 0, NULL, TLS, set_flag, FIELD(insecure),
     "INSECURE: accept any server certificate"},

    {"deflate", 0, 0, NULL, COMPRESSION, set_flag, FIELD(deflate),
     "offer permessage-deflate compression"},
    {"deflate-window-bits", 0, 2, "CLIENT SERVER", COMPRESSION, set_window_bits, 0,
     "offer window bits (client 9-15, server 8-15)"},
    {"deflate-no-context-takeover", 0, 0, NULL, COMPRESSION, set_flag, FIELD(deflate_no_takeover),
     "offer no context takeover, both ways"},

    {"send", 0, 1, "TEXT", SENDING, add_to_list, FIELD(sends),
     "send TEXT once open (repeatable, in order)"},
    {"binary", 'b', 0, NULL, SENDING, set_flag, FIELD(binary),
     "send stdin lines and --send as binary"},
    {"whole-stdin", 0, 0, NULL, SENDING, set_flag, FIELD(whole_stdin),
     "send all of stdin, at its end, as one message"},
    {"slash", 0, 0, NULL, SENDING, set_flag, FIELD(slash),
     "a line '/ping [TEXT]' sends a ping instead"},
    {"echo", 0, 0, NULL, SENDING, set_flag, FIELD(echo),
     "send back every message, with its type"},
    {"no-stdin", 'n', 0, NULL, SENDING, set_flag, FIELD(no_stdin),
     "do not read stdin"},

    {"close", 0, 1, "CODE[:REASON]", CLOSING, set_close, 0,
     "close when as many messages arrived as sent"},
    {"close-reason", 0, 1, "TEXT", CLOSING, set_close_reason, 0,
     "the reason of --close, instead of :REASON"},
    {"no-close", 0, 0, NULL, CLOSING, set_flag, FIELD(no_close),
     "at end of stdin, wait for the server to close"},
    {"exit-on-eof", 'E', 0, NULL, CLOSING, set_flag, FIELD(exit_on_eof),
     "at end of stdin, close at once"},

    {"jsonl", 0, 0, NULL, OUTPUT, set_flag, FIELD(jsonl),
     "print every event as one JSON object per line"},
    {"hex", 0, 0, NULL, OUTPUT, set_binary_output, CLI_BINARY_HEX,
     "print binary messages in hex (default: size)"},
    {"base64", 0, 0, NULL, OUTPUT, set_binary_output, CLI_BINARY_BASE64,
     "print binary messages in base64"},
    {"verbose", 'v', 0, NULL, OUTPUT, set_flag, FIELD(verbose),
     "print the handshake headers to stderr"},

    {"max-message-size", 0, 1, "BYTES", LIMITS, set_bytes, FIELD(max_message_size),
     "largest incoming message (default 64 MiB)"},
    {"receive-limit", 0, 1, "BYTES", LIMITS, set_bytes, FIELD(receive_limit),
     "stop reading at BYTES not yet printed (8 MiB)"},
    {"ping-interval", 0, 1, "MS", LIMITS, set_uint32, FIELD(ping_interval_ms),
     "keepalive: ping every MS once open"},
    {"pong-timeout", 0, 1, "MS", LIMITS, set_uint32, FIELD(pong_timeout_ms),
     "fail when a keepalive ping gets no pong in MS"},

    {"help", 'h', 0, NULL, HELP, print_help, 0, "this text"},
    {"version", 0, 0, NULL, HELP, print_version, 0, "the version of polyws and its library"},
};

#define OPTION_COUNT (sizeof options / sizeof options[0])

static const char help_notes[] =
    "Options and the URL come in any order; a long option's value may follow\n"
    "'=' (--close=1000:bye); '--' ends the options.\n"
    "\n"
    "Standard input: unless --send, --close, --echo or --no-stdin is given, each\n"
    "line is sent as a text message (binary with --binary; all of it as one\n"
    "message with --whole-stdin). At its end polyws closes (1000) once as many\n"
    "messages arrived as were sent, or waits for the server if it sent nothing;\n"
    "--exit-on-eof closes at once, --no-close leaves the closing to the server.\n"
    "With stdin and stdout on a terminal polyws is interactive, as wscat: a '> '\n"
    "prompt, '< ' before what arrives, colour unless NO_COLOR is set, Ctrl-D\n"
    "closes. Otherwise it prints each message on a line of its own.\n"
    "\n"
    "Examples:\n"
    "  polyws ws://127.0.0.1:9001/            a session at the terminal\n"
    "  echo hello | polyws ws://127.0.0.1:9001/\n"
    "  polyws --jsonl --send hi --close 1000:bye wss://example.org/chat\n"
    "  head -c 64 /dev/urandom | polyws -b --whole-stdin --hex ws://127.0.0.1:9001/\n"
    "  polyws -v -H 'Cookie: id=42' --no-close wss://example.org/ </dev/null\n"
    "\n"
    "Exit status:\n"
    "  0  the connection closed cleanly\n"
    "  1  the connection failed, or closed without a clean closing handshake\n"
    "  2  bad usage: an unknown or malformed option, a bad URL or close code\n";

void cli_usage_error(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fputs("polyws: ", stderr);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, "\n%s\nTry 'polyws --help' for more.\n", cli_usage_line);
}

/* "--protocol": how a usage error names the option. */
static const char *option_name(const struct option *o) {
    static char name[64];
    snprintf(name, sizeof name, "--%s", o->name);
    return name;
}

static void *field_of(const struct option *o, struct cli_config *c) {
    return (char *)c + o->field;
}

static int set_flag(const struct option *o, struct cli_config *c, char **v) {
    (void)v;
    *(int *)field_of(o, c) = 1;
    return 0;
}

static int set_text(const struct option *o, struct cli_config *c, char **v) {
    *(const char **)field_of(o, c) = v[0];
    return 0;
}

static int add_to_list(const struct option *o, struct cli_config *c, char **v) {
    struct cli_list *list = field_of(o, c);
    const char **grown = realloc(list->items, (list->count + 1) * sizeof *grown);
    if (!grown) {
        fprintf(stderr, "polyws: out of memory\n");
        return -1;
    }
    grown[list->count++] = v[0];
    list->items = grown;
    return 0;
}

/* A whole decimal number in [0, max], nothing else (no sign, no spaces). */
static int parse_number(const char *text, uint64_t max, int64_t *out) {
    if (*text < '0' || *text > '9') return -1;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(text, &end, 10);
    if (*end || errno == ERANGE || n > max) return -1;
    *out = (int64_t)n;
    return 0;
}

static int set_uint32(const struct option *o, struct cli_config *c, char **v) {
    if (parse_number(v[0], UINT32_MAX, field_of(o, c)) == 0) return 0;
    cli_usage_error("%s: '%s' is not a whole number from 0 to 4294967295", option_name(o), v[0]);
    return -1;
}

static int set_bytes(const struct option *o, struct cli_config *c, char **v) {
    if (parse_number(v[0], INT64_MAX, field_of(o, c)) == 0) return 0;
    cli_usage_error("%s: '%s' is not a number of bytes", option_name(o), v[0]);
    return -1;
}

static int set_url(const struct option *o, struct cli_config *c, char **v) {
    if (c->url) {
        cli_usage_error("%s: the URL is given twice ('%s' and '%s')", option_name(o), c->url, v[0]);
        return -1;
    }
    c->url = v[0];
    return 0;
}

static int set_close(const struct option *o, struct cli_config *c, char **v) {
    const char *colon = strchr(v[0], ':');
    char code[16];
    size_t n = colon ? (size_t)(colon - v[0]) : strlen(v[0]);
    if (n >= sizeof code) n = sizeof code - 1;
    memcpy(code, v[0], n);
    code[n] = 0;
    if (parse_number(code, 65535, &c->close_code) != 0) {
        cli_usage_error("%s: '%s' is not CODE or CODE:REASON (CODE: 1000 or 3000-4999)",
                        option_name(o), v[0]);
        return -1;
    }
    if (c->has_close) {
        cli_usage_error("%s: given twice", option_name(o));
        return -1;
    }
    c->has_close = 1;
    if (colon) {
        if (c->close_reason) {
            cli_usage_error("%s: the reason is given twice (:REASON and --close-reason)",
                            option_name(o));
            return -1;
        }
        c->close_reason = colon + 1;
    }
    return 0;
}

static int set_close_reason(const struct option *o, struct cli_config *c, char **v) {
    if (c->close_reason) {
        cli_usage_error("%s: the reason is given twice (--close CODE:REASON and --close-reason)",
                        option_name(o));
        return -1;
    }
    c->close_reason = v[0];
    return 0;
}

static int set_window_bits(const struct option *o, struct cli_config *c, char **v) {
    if (parse_number(v[0], 15, &c->deflate_client_bits) == 0 &&
        parse_number(v[1], 15, &c->deflate_server_bits) == 0)
        return 0;
    cli_usage_error("%s: '%s %s' are not two window sizes (client 9-15, server 8-15)",
                    option_name(o), v[0], v[1]);
    return -1;
}

static int set_binary_output(const struct option *o, struct cli_config *c, char **v) {
    (void)v;
    enum cli_binary_output chosen = (enum cli_binary_output)o->field;
    if (c->binary_output != CLI_BINARY_SIZE && c->binary_output != chosen) {
        cli_usage_error("--hex and --base64: choose one");
        return -1;
    }
    c->binary_output = chosen;
    return 0;
}

static int print_help(const struct option *o, struct cli_config *c, char **v) {
    (void)o, (void)c, (void)v;
    printf("%s\n"
           "A WebSocket client with the browser's semantics: sends what it reads, prints\n"
           "what arrives.\n", cli_usage_line);
    for (int g = 0; g < GROUP_COUNT; ++g) {
        printf("\n%s:\n", group_titles[g]);
        for (size_t i = 0; i < OPTION_COUNT; ++i) {
            const struct option *opt = &options[i];
            if ((int)opt->group != g) continue;
            char left[64];
            int n = snprintf(left, sizeof left, "%c%c%s--%s%s%s", opt->short_name ? '-' : ' ',
                             opt->short_name ? opt->short_name : ' ',
                             opt->short_name ? ", " : "  ", opt->name, opt->values ? " " : "",
                             opt->values ? opt->values : "");
            if (n <= 30) printf("  %-30s %s\n", left, opt->help);
            else printf("  %s\n  %-30s %s\n", left, "", opt->help);
        }
    }
    printf("\n%s", help_notes);
    return 1;
}

static int print_version(const struct option *o, struct cli_config *c, char **v) {
    (void)o, (void)c, (void)v;
    /* The CLI's own version (its header) and the library's actually loaded. */
    printf("polyws %d.%d.%d (libpolyws %s)\n", POLYWS_VERSION_MAJOR, POLYWS_VERSION_MINOR,
           POLYWS_VERSION_PATCH, ws_version());
    return 1;
}

static const struct option *find_long(const char *name, size_t length) {
    for (size_t i = 0; i < OPTION_COUNT; ++i)
        if (strlen(options[i].name) == length && !strncmp(options[i].name, name, length))
            return &options[i];
    return NULL;
}

static const struct option *find_short(char name) {
    for (size_t i = 0; i < OPTION_COUNT; ++i)
        if (options[i].short_name == name) return &options[i];
    return NULL;
}

/* One option at argv[*i]: finds it, takes its values, stores them. */
static int take_option(int argc, char **argv, int *i, struct cli_config *c) {
    const char *arg = argv[*i];
    const struct option *o;
    const char *inline_value = NULL;
    if (arg[1] == '-') {
        const char *eq = strchr(arg + 2, '=');
        o = find_long(arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
        if (eq) inline_value = eq + 1;
    } else {
        o = arg[2] ? NULL : find_short(arg[1]);
    }
    if (!o) {
        cli_usage_error("unknown option '%s'", arg);
        return -1;
    }
    char *values[2] = {NULL, NULL};
    if (inline_value) {
        if (o->arity != 1) {
            if (o->arity == 0) cli_usage_error("%s takes no value (got '%s')", option_name(o), arg);
            else cli_usage_error("%s takes %d values: %s %s", option_name(o), o->arity,
                                 option_name(o), o->values);
            return -1;
        }
        values[0] = (char *)inline_value;
    } else {
        if (*i + o->arity >= argc) {
            cli_usage_error("%s needs %s: %s %s", option_name(o),
                            o->arity == 1 ? "a value" : "two values", option_name(o), o->values);
            return -1;
        }
        for (int k = 0; k < o->arity; ++k) values[k] = argv[++*i];
    }
    return o->set(o, c, values);
}

/* Rules between options, once all are read. */
static int check_combinations(struct cli_config *c) {
    if (!c->url) {
        cli_usage_error("no URL given");
        return -1;
    }
    /* close()'s own rules, checked before connecting: ws_close would only
     * refuse them once the socket is open. */
    if (c->has_close && c->close_code != 0 && c->close_code != 1000 &&
        (c->close_code < 3000 || c->close_code > 4999)) {
        cli_usage_error("--close: code %lld is neither 1000 nor in 3000-4999 (InvalidAccessError)",
                        (long long)c->close_code);
        return -1;
    }
    if (c->close_reason && !c->has_close) {
        cli_usage_error("--close-reason: needs --close CODE");
        return -1;
    }
    if (c->close_reason && strlen(c->close_reason) > 123) {
        cli_usage_error("--close: the reason is %zu bytes; at most 123 are allowed (SyntaxError)",
                        strlen(c->close_reason));
        return -1;
    }
    if (c->no_close && c->exit_on_eof) {
        cli_usage_error("--no-close and --exit-on-eof: choose one");
        return -1;
    }
    c->read_stdin = !(c->echo || c->sends.count || c->has_close || c->no_stdin);
    if (!c->read_stdin && (c->whole_stdin || c->no_close || c->exit_on_eof)) {
        const char *what = c->whole_stdin ? "--whole-stdin" : c->no_close ? "--no-close" : "--exit-on-eof";
        const char *why = c->no_stdin ? "--no-stdin" : c->echo ? "--echo"
                        : c->sends.count ? "--send" : "--close";
        cli_usage_error("%s: standard input is not read with %s", what, why);
        return -1;
    }
    c->on_eof = c->no_close ? CLI_EOF_KEEP_OPEN
              : c->exit_on_eof ? CLI_EOF_CLOSE_NOW : CLI_EOF_CLOSE_AFTER_REPLIES;
    if (c->deflate_no_takeover || c->deflate_client_bits >= 0) c->deflate = 1;
    return 0;
}

int cli_parse_args(int argc, char **argv, struct cli_config *c) {
    c->deflate_client_bits = c->deflate_server_bits = -1;
    c->reconnect_ms = c->reconnect_max_ms = c->reconnect_attempts = -1;
    c->connect_timeout_ms = c->ping_interval_ms = c->pong_timeout_ms = -1;
    c->max_message_size = c->receive_limit = -1;
    int options_ended = 0;
    int close_value_at = -1;   /* where the value of the last --close was */
    for (int i = 1; i < argc; ++i) {
        const char *arg = argv[i];
        if (!options_ended && !strcmp(arg, "--")) {
            options_ended = 1;
        } else if (!options_ended && arg[0] == '-' && arg[1]) {
            int was_close = !strcmp(arg, "--close");
            int r = take_option(argc, argv, &i, c);
            if (r != 0) return r;
            if (was_close) close_value_at = i;
        } else if (!c->url) {
            c->url = arg;
        } else {
            /* The old grammar's "--close CODE REASON": say how it is written now. */
            int reason_at = close_value_at >= 0 ? close_value_at + 1 : -1;
            if (reason_at == i)
                cli_usage_error("unexpected argument '%s': a close reason goes as --close %s:%s "
                                "or --close-reason '%s'", arg, argv[close_value_at], arg, arg);
            else if (reason_at >= 0 && argv[reason_at] == c->url)
                cli_usage_error("unexpected argument '%s' ('%s' after --close %s was taken for "
                                "the URL): a close reason goes as --close %s:%s or --close-reason '%s'",
                                arg, c->url, argv[close_value_at], argv[close_value_at], c->url, c->url);
            else
                cli_usage_error("unexpected argument '%s' (the URL is '%s')", arg, c->url);
            return -1;
        }
    }
    return check_combinations(c);
}
