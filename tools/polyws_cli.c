/*
 * polyws: a WebSocket command-line client (like wscat or websocat) built on
 * the public C API alone. The command line is read by cli_args.c, what is
 * printed is written by cli_output.c; this file connects, sends what stdin
 * and the options say, and closes.
 *
 *   polyws URL                          a session (interactive at a terminal)
 *   polyws --send hi --close 1000:bye URL
 *   polyws --echo --jsonl URL           echo every message back (conformance mode)
 *
 * Exit status: 0 after a clean close, 1 otherwise, 2 for bad usage.
 */
#include "polyws.h"

#include "cli_args.h"
#include "cli_io.h"
#include "cli_output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One conversation: a reconnect starts a new one. */
struct session {
    const struct cli_config *config;
    enum cli_on_eof on_eof;
    size_t sent, received;
    int send_failed;            /* a message could not be sent (reported) */
    int close_code;             /* -1: polyws does not close by itself (yet) */
    int close_requested;
    int stdin_open;
    int done, exit_code;
};

/* Standard input not yet sent: a partial line, or all of it (--whole-stdin). */
struct input {
    char *data;
    size_t have, cap;
};

/* Why a call on `ws` returned `r`: the library's message, else the code. */
static const char *why(const ws_socket *ws, ws_result r) {
    const char *message = ws_last_error(ws);
    return *message ? message : ws_result_str(r);
}

static void close_now(ws_socket *ws, struct session *s) {
    if (s->close_requested) return;
    s->close_requested = 1;
    ws_result r = ws_close(ws, (uint16_t)s->close_code, s->config->close_reason);
    if (r != WS_OK) out_note("close: %s", why(ws, r));
}

/* Closes once as many messages arrived as were sent (the replies). */
static void maybe_close(ws_socket *ws, struct session *s) {
    if (s->close_code >= 0 && s->received >= s->sent) close_now(ws, s);
}

static void send_message(ws_socket *ws, struct session *s, const char *data, size_t n) {
    ws_result r = s->config->binary ? ws_send_binary(ws, data, n) : ws_send_text(ws, data, n);
    if (r != WS_OK) {
        out_note("send: %s", why(ws, r));
        s->send_failed = 1;
        return;
    }
    s->sent++;
}

static void on_open(ws_socket *ws, const ws_event *ev, void *ud) {
    struct session *s = ud;
    out_open(ws, ev);
    const struct cli_list *sends = &s->config->sends;
    for (size_t i = 0; i < sends->count; ++i)
        send_message(ws, s, sends->items[i], strlen(sends->items[i]));
    maybe_close(ws, s);
}

static void on_message(ws_socket *ws, const ws_event *ev, void *ud) {
    struct session *s = ud;
    s->received++;
    out_message(ev);
    if (s->config->echo) {
        size_t n;
        const uint8_t *data = ws_event_data(ev, &n);
        ws_result r = ws_event_is_binary(ev) ? ws_send_binary(ws, data, n)
                                             : ws_send_text(ws, (const char *)data, n);
        if (r != WS_OK) out_note("echo: %s", why(ws, r));
    }
    maybe_close(ws, s);
}

static void on_error(ws_socket *ws, const ws_event *ev, void *ud) {
    (void)ws, (void)ud;
    out_error(ev);
}

static void on_close(ws_socket *ws, const ws_event *ev, void *ud) {
    struct session *s = ud;
    (void)ws;
    int final = !ws_event_will_reconnect(ev);
    out_close(ev, final);
    if (!final) return;   /* a reconnect event follows */
    s->exit_code = ws_event_was_clean(ev) ? 0 : 1;
    s->done = 1;
}

static void on_reconnect(ws_socket *ws, const ws_event *ev, void *ud) {
    struct session *s = ud;
    (void)ws;
    out_reconnect(ev);
    /* A new conversation: --send and --close start over once it opens. */
    s->sent = s->received = 0;
    s->send_failed = s->close_requested = 0;
}

static void end_of_input(ws_socket *ws, struct session *s, struct input *in) {
    s->stdin_open = 0;
    if (s->config->whole_stdin || in->have) send_message(ws, s, in->data, in->have);
    in->have = 0;
    if (s->on_eof == CLI_EOF_KEEP_OPEN) return;
    if (s->on_eof == CLI_EOF_CLOSE_NOW) {
        s->close_code = 1000;
        close_now(ws, s);
    } else if (s->sent > 0 || s->send_failed) {
        /* Once the replies have arrived; with no input at all, wait for
         * the server instead (but not after input that could not be sent:
         * no reply is coming for it). */
        s->close_code = 1000;
        maybe_close(ws, s);
    }
}

/* --slash: "/ping" or "/ping TEXT" sends a ping (wscat's slash command);
 * any other line is a message. */
static void send_line(ws_socket *ws, struct session *s, const char *line, size_t len) {
    if (s->config->slash && len >= 5 && !memcmp(line, "/ping", 5) && (len == 5 || line[5] == ' ')) {
        const char *text = len > 6 ? line + 6 : "";
        size_t n = len > 6 ? len - 6 : 0;
        ws_result r = ws_ping(ws, text, n);
        if (r != WS_OK) out_note("ping: %s", why(ws, r));
        else out_note("ping sent (%zu bytes)", n);
        return;
    }
    send_message(ws, s, line, len);
}

/* Sends each complete line of what `in` holds, keeps the rest. */
static void send_lines(ws_socket *ws, struct session *s, struct input *in) {
    size_t start = 0;
    for (size_t i = 0; i < in->have; ++i) {
        if (in->data[i] != '\n') continue;
        size_t len = i - start;
        if (len && in->data[start + len - 1] == '\r') len--;
        if (ws_ready_state(ws) == WS_OPEN) send_line(ws, s, in->data + start, len);
        start = i + 1;
    }
    memmove(in->data, in->data + start, in->have - start);
    in->have -= start;
}

/* Reads what stdin has: lines go out as they end, all of it at its end
 * with --whole-stdin. */
static void pump_stdin(ws_socket *ws, struct session *s, struct input *in) {
    if (in->cap - in->have < 4096) {
        size_t cap = in->cap ? in->cap * 2 : 65536;
        char *grown = realloc(in->data, cap);
        if (!grown) {
            out_note("stdin: out of memory after %zu bytes; sending what was read", in->have);
            end_of_input(ws, s, in);
            return;
        }
        in->data = grown;
        in->cap = cap;
    }
    long n = cli_read_stdin(in->data + in->have, in->cap - in->have);
    if (n < 0) return;   /* nothing yet */
    if (n == 0) {
        end_of_input(ws, s, in);
        return;
    }
    out_prompt_used();   /* at a terminal, the user ended a line */
    in->have += (size_t)n;
    if (!s->config->whole_stdin) send_lines(ws, s, in);
    out_prompt();
}

/* The library refuses a value with a message: a usage error for `option`. */
static int refused(ws_result r, const char *option) {
    if (r == WS_OK) return 0;
    cli_usage_error("%s: %s", option, ws_last_error(NULL));
    return -1;
}

/* -H "Name: value" (curl's form), checked by the library. */
static int add_headers(ws_options *opts, const struct cli_config *c) {
    for (size_t i = 0; i < c->headers.count; ++i) {
        const char *header = c->headers.items[i], *colon = strchr(header, ':');
        if (!colon) {
            cli_usage_error("--header: '%s' is not 'Name: value'", header);
            return -1;
        }
        char name[256];
        size_t n = (size_t)(colon - header);
        if (n >= sizeof name) n = sizeof name - 1;
        memcpy(name, header, n);
        name[n] = 0;
        const char *value = colon + 1;
        while (*value == ' ' || *value == '\t') value++;
        if (refused(ws_options_add_header(opts, name, value), "--header")) return -1;
    }
    return 0;
}

/* The command line as library options. @return 0, or -1 after a usage error. */
static int make_options(const struct cli_config *c, ws_options *o) {
    if (c->connect_timeout_ms >= 0 &&
        refused(ws_options_set_connect_timeout_ms(o, (uint32_t)c->connect_timeout_ms),
                "--connect-timeout"))
        return -1;
    if (c->max_message_size >= 0 &&
        refused(ws_options_set_max_message_size(o, (uint64_t)c->max_message_size),
                "--max-message-size"))
        return -1;
    if (c->receive_limit >= 0 &&
        refused(ws_options_set_receive_limit(o, (uint64_t)c->receive_limit), "--receive-limit"))
        return -1;
    if (c->ping_interval_ms >= 0 &&
        refused(ws_options_set_ping_interval_ms(o, (uint32_t)c->ping_interval_ms), "--ping-interval"))
        return -1;
    if (c->pong_timeout_ms >= 0 &&
        refused(ws_options_set_pong_timeout_ms(o, (uint32_t)c->pong_timeout_ms), "--pong-timeout"))
        return -1;
    if (c->cacert && refused(ws_options_set_ca_file(o, c->cacert), "--cacert")) return -1;
    if ((c->cert || c->key) &&
        refused(ws_options_set_client_cert(o, c->cert, c->key), c->cert ? "--cert" : "--key"))
        return -1;
    if (c->tls_server_name &&
        refused(ws_options_set_tls_server_name(o, c->tls_server_name), "--tls-server-name"))
        return -1;
    if (c->insecure) {
        out_note("WARNING: TLS certificates are not verified (--insecure-no-verify)");
        ws_options_set_insecure_no_tls_verify(o, true);
    }
    if (c->proxy && refused(ws_options_set_proxy(o, c->proxy), "--proxy")) return -1;
    if (c->proxy_from_env) ws_options_set_proxy_from_environment(o, true);
    if (c->deflate) ws_options_set_permessage_deflate(o, true);
    if (c->deflate_no_takeover) ws_options_set_deflate_no_context_takeover(o, true, true);
    if (c->deflate_client_bits >= 0 &&
        refused(ws_options_set_deflate_window_bits(o, (uint8_t)c->deflate_client_bits,
                                                   (uint8_t)c->deflate_server_bits),
                "--deflate-window-bits"))
        return -1;
    if (c->reconnect_ms > 0 &&
        refused(ws_options_set_reconnect(o, (uint32_t)c->reconnect_ms,
                                         (uint32_t)(c->reconnect_max_ms >= 0 ? c->reconnect_max_ms : 30000),
                                         (uint32_t)(c->reconnect_attempts >= 0 ? c->reconnect_attempts : 0)),
                "--reconnect"))
        return -1;
    if (c->user_agent && refused(ws_options_set_user_agent(o, c->user_agent), "--user-agent"))
        return -1;
    return add_headers(o, c);
}

/* The socket, not connecting yet. What `new WebSocket()` would refuse (the
 * URL or a subprotocol) is a usage error that says which it was. */
static int create_socket(ws_loop *loop, const struct cli_config *c, ws_options *o, ws_socket **ws) {
    ws_options_set_deferred_connect(o, true);
    ws_result r = ws_new_ex(loop, c->url, c->protocols.items, c->protocols.count, o, ws);
    if (r == WS_OK) return 0;
    char message[512];
    snprintf(message, sizeof message, "%s", ws_last_error(NULL));
    if (r != WS_ERR_SYNTAX) {
        cli_usage_error("%s (%s)", message, ws_result_str(r));
        return -1;
    }
    ws_socket *url_alone = NULL;
    int url_fine = ws_new_ex(loop, c->url, NULL, 0, o, &url_alone) == WS_OK;
    ws_free(url_alone);
    if (url_fine) cli_usage_error("--protocol: %s (SyntaxError)", message);
    else cli_usage_error("URL '%s': %s (SyntaxError)", c->url, message);
    return -1;
}

static enum cli_style choose_style(const struct cli_config *c, int *colour) {
    *colour = 0;
    if (c->jsonl) return CLI_STYLE_JSONL;
    if (!c->read_stdin || !cli_is_interactive()) return CLI_STYLE_PLAIN;
    /* Asked last: on Windows it turns the console's escape sequences on. */
    const char *no_color = getenv("NO_COLOR");
    *colour = !(no_color && *no_color) && cli_stdout_shows_colour();
    return CLI_STYLE_INTERACTIVE;
}

int main(int argc, char **argv) {
    static struct cli_config config;
    argv = cli_io_begin(argc, argv);
    int parsed = cli_parse_args(argc, argv, &config);
    if (parsed != 0) return parsed > 0 ? 0 : 2;

    int colour;
    enum cli_style style = choose_style(&config, &colour);
    out_begin(&config, style, colour);
    static struct session s;
    s.config = &config;
    /* At a terminal Ctrl-D means "done": close at once, as wscat does. */
    s.on_eof = style == CLI_STYLE_INTERACTIVE && config.on_eof == CLI_EOF_CLOSE_AFTER_REPLIES
                   ? CLI_EOF_CLOSE_NOW : config.on_eof;
    s.close_code = config.has_close ? (int)config.close_code : -1;

    ws_options *opts = NULL;
    if (ws_options_new(&opts) != WS_OK) {
        out_note("out of memory");
        return 1;
    }
    if (make_options(&config, opts) != 0) {
        ws_options_free(opts);
        return 2;
    }
    ws_loop *loop = NULL;
    if (ws_loop_new(WS_DELIVERY_DISPATCH, &loop) != WS_OK) {
        out_note("%s", ws_last_error(NULL));
        ws_options_free(opts);
        return 1;
    }
    ws_socket *ws = NULL;
    int created = create_socket(loop, &config, opts, &ws);
    ws_options_free(opts);
    if (created != 0) {
        ws_loop_free(loop);
        return 2;
    }
    if (config.verbose) out_request(ws);
    ws_set_onopen(ws, on_open, &s);
    ws_set_onmessage(ws, on_message, &s);
    ws_set_onerror(ws, on_error, &s);
    ws_set_onclose(ws, on_close, &s);
    ws_add_event_listener(ws, WS_EVENT_RECONNECT, on_reconnect, &s);
    ws_result r = ws_connect(ws);
    if (r != WS_OK) {
        out_note("connect: %s", why(ws, r));
        s.done = s.exit_code = 1;
    }

    s.stdin_open = config.read_stdin;
    struct input in = {NULL, 0, 0};
    while (!s.done) {
        /* stdin is only read once open, so lines are never sent too early */
        int want_stdin = s.stdin_open && ws_ready_state(ws) == WS_OPEN;
        int loop_ready, stdin_ready;
        if (cli_wait(loop, want_stdin, &loop_ready, &stdin_ready) != 0) break;
        if (stdin_ready) pump_stdin(ws, &s, &in);
        if (loop_ready) ws_loop_dispatch(loop, 0, NULL);
    }
    free(in.data);
    ws_free(ws);
    ws_loop_free(loop);
    cli_io_end();
    return s.exit_code;
}
