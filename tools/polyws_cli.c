/*
 * polyws: a WebSocket command-line client (like wscat or websocat) built on
 * the public C API alone.
 *
 *   polyws URL                      send stdin lines as text, print what arrives
 *   polyws URL --send hi --close 1000 bye
 *   polyws URL --echo --jsonl       echo every message back (conformance mode)
 *
 * Exit status: 0 after a clean close, 1 otherwise, 2 for bad usage.
 */
#include "polyws.h"

#include "cli_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 256

static const char *usage_text =
    "usage: polyws URL [options]\n"
    "  -p, --protocol NAME      request a subprotocol (repeatable)\n"
    "  -H, --header 'N: V'      add a header to the handshake request (repeatable)\n"
    "      --user-agent UA      the User-Agent of the handshake request\n"
    "      --cacert FILE        trust the CAs in FILE (PEM) instead of the system store\n"
    "      --cert FILE --key FILE  client certificate and key (PEM) for mutual TLS\n"
    "      --tls-server-name N  SNI and certificate name, instead of the URL's host\n"
    "      --insecure-no-verify INSECURE: accept any server certificate\n"
    "      --proxy URL          through an HTTP proxy (http://[user:pass@]host:port)\n"
    "      --proxy-from-env     use http_proxy / https_proxy / no_proxy\n"
    "      --deflate            offer permessage-deflate compression\n"
    "      --deflate-window-bits C S  offer client (9-15) / server (8-15) window bits\n"
    "      --deflate-no-context-takeover  offer no context takeover, both ways\n"
    "      --reconnect MS       reconnect after drops, first after about MS\n"
    "      --reconnect-max MS   longest delay between attempts (default 30000)\n"
    "      --reconnect-attempts N  give up after N attempts in a row (default: never)\n"
    "      --send TEXT          send TEXT once open (repeatable, in order)\n"
    "      --close CODE [REASON] close once as many messages arrived as were sent\n"
    "      --echo               send back every message received, with its type\n"
    "      --jsonl              print every event as one JSON object per line\n"
    "      --connect-timeout MS time allowed for the opening handshake\n"
    "      --max-message-size B largest incoming message\n"
    "      --ping-interval MS   keepalive: ping every MS once open\n"
    "      --pong-timeout MS    fail when a keepalive ping gets no pong in MS\n"
    "  -n, --no-stdin           do not read stdin\n"
    "  -h, --help               this text;  --version  the library version\n"
    "Without --send, --close or --echo, each stdin line is sent as text; at end of\n"
    "input the connection closes once the replies have arrived. Otherwise polyws\n"
    "waits for the server to close.\n";

struct cli {
    const char *url;
    const char *protocols[MAX_ITEMS];
    size_t protocol_count;
    const char *headers[MAX_ITEMS];
    size_t header_count;
    const char *user_agent;
    const char *cacert, *cert, *key, *tls_server_name;
    int insecure, proxy_from_env, deflate, deflate_no_takeover;
    long deflate_client_bits, deflate_server_bits;
    long reconnect_ms, reconnect_max_ms, reconnect_attempts;
    const char *proxy;
    const char *sends[MAX_ITEMS];
    size_t send_count;
    int close_code;            /* -1: no --close */
    const char *close_reason;
    int echo, jsonl, read_stdin;
    long connect_timeout_ms, max_message_size, ping_interval_ms, pong_timeout_ms;

    size_t sent, received;
    int stdin_open, close_requested;
    int done, exit_code;
};

static void json_string(FILE *out, const char *s, size_t n) {
    fputc('"', out);
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c == '\n') fputs("\\n", out);
        else if (c == '\r') fputs("\\r", out);
        else if (c == '\t') fputs("\\t", out);
        else if (c < 0x20 || c == 0x7f) fprintf(out, "\\u%04x", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

static void base64_out(FILE *out, const uint8_t *p, size_t n) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    fputc('"', out);
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        fputc(t[v >> 18], out); fputc(t[(v >> 12) & 63], out);
        fputc(t[(v >> 6) & 63], out); fputc(t[v & 63], out);
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        fputc(t[v >> 18], out); fputc(t[(v >> 12) & 63], out);
        fputc(i + 1 < n ? t[(v >> 6) & 63] : '=', out); fputc('=', out);
    }
    fputc('"', out);
}

static void maybe_close(ws_socket *ws, struct cli *c) {
    if (c->close_requested || c->close_code < 0 || c->received < c->sent) return;
    c->close_requested = 1;
    ws_result r = ws_close(ws, (uint16_t)c->close_code, c->close_reason);
    if (r != WS_OK) fprintf(stderr, "polyws: close: %s\n", ws_last_error(ws));
}

static void send_text(ws_socket *ws, struct cli *c, const char *text, size_t n) {
    ws_result r = ws_send_text(ws, text, n);
    if (r != WS_OK) {
        fprintf(stderr, "polyws: send: %s: %s\n", ws_result_str(r), ws_last_error(ws));
        return;
    }
    c->sent++;
}

static void on_open(ws_socket *ws, const ws_event *ev, void *ud) {
    struct cli *c = ud;
    if (c->jsonl) {
        printf("{\"event\":\"open\",\"protocol\":");
        json_string(stdout, ws_event_protocol(ev), strlen(ws_event_protocol(ev)));
        printf(",\"extensions\":");
        json_string(stdout, ws_event_extensions(ev), strlen(ws_event_extensions(ev)));
        printf("}\n");
    } else {
        fprintf(stderr, "polyws: connected to %s%s%s\n", ws_url(ws),
                *ws_protocol(ws) ? ", protocol " : "", ws_protocol(ws));
    }
    fflush(stdout);
    for (size_t i = 0; i < c->send_count; ++i) send_text(ws, c, c->sends[i], strlen(c->sends[i]));
    maybe_close(ws, c);
}

static void on_message(ws_socket *ws, const ws_event *ev, void *ud) {
    struct cli *c = ud;
    size_t n;
    const uint8_t *data = ws_event_data(ev, &n);
    int binary = ws_event_is_binary(ev);
    c->received++;
    if (c->jsonl) {
        printf("{\"event\":\"message\",\"type\":\"%s\",\"size\":%zu,\"data\":",
               binary ? "binary" : "text", n);
        if (binary) base64_out(stdout, data, n);
        else json_string(stdout, (const char *)data, n);
        printf("}\n");
    } else if (binary) {
        printf("[binary message, %zu bytes]\n", n);
    } else {
        fwrite(data, 1, n, stdout);
        fputc('\n', stdout);
    }
    fflush(stdout);
    if (c->echo) {
        ws_result r = binary ? ws_send_binary(ws, data, n) : ws_send_text(ws, (const char *)data, n);
        if (r != WS_OK) fprintf(stderr, "polyws: echo: %s\n", ws_last_error(ws));
    }
    maybe_close(ws, c);
}

static void on_error(ws_socket *ws, const ws_event *ev, void *ud) {
    struct cli *c = ud;
    (void)ws;
    if (c->jsonl) {
        printf("{\"event\":\"error\",\"message\":");
        json_string(stdout, ws_event_error_message(ev), strlen(ws_event_error_message(ev)));
        printf("}\n");
        fflush(stdout);
    }
    fprintf(stderr, "polyws: error: %s\n", ws_event_error_message(ev));
}

static void on_close(ws_socket *ws, const ws_event *ev, void *ud) {
    struct cli *c = ud;
    (void)ws;
    const char *reason = ws_event_reason(ev);
    int again = ws_event_will_reconnect(ev);
    if (c->jsonl) {
        printf("{\"event\":\"close\",\"code\":%u,\"reason\":", ws_event_code(ev));
        json_string(stdout, reason, strlen(reason));
        printf(",\"wasClean\":%s%s}\n", ws_event_was_clean(ev) ? "true" : "false",
               again ? ",\"willReconnect\":true" : "");
        fflush(stdout);
    }
    if (again) return;   /* a reconnect event follows */
    if (!ws_event_was_clean(ev) || !c->jsonl)
        fprintf(stderr, "polyws: closed: code %u%s%s, %s\n", ws_event_code(ev),
                *reason ? ", reason " : "", reason, ws_event_was_clean(ev) ? "clean" : "not clean");
    c->exit_code = ws_event_was_clean(ev) ? 0 : 1;
    c->done = 1;
}

static void on_reconnect(ws_socket *ws, const ws_event *ev, void *ud) {
    struct cli *c = ud;
    (void)ws;
    if (c->jsonl) {
        printf("{\"event\":\"reconnect\",\"attempt\":%u}\n", ws_event_reconnect_attempt(ev));
        fflush(stdout);
    } else {
        fprintf(stderr, "polyws: reconnecting (attempt %u)\n", ws_event_reconnect_attempt(ev));
    }
    /* A new conversation: --send and --close start over once it opens. */
    c->sent = c->received = 0;
    c->close_requested = 0;
}

/* Reads what stdin has and sends each complete line as a text message. */
static void pump_stdin(ws_socket *ws, struct cli *c, char *buf, size_t *have, size_t cap) {
    long n = cli_read_stdin(buf + *have, cap - *have);
    if (n <= 0) {
        if (n < 0) return;   /* nothing yet */
        c->stdin_open = 0;
        if (*have) send_text(ws, c, buf, *have);
        *have = 0;
        /* End of input: close once the replies have arrived; with no input
         * at all, wait for the server instead. */
        if (c->sent > 0 && c->close_code < 0) c->close_code = 1000;
        maybe_close(ws, c);
        return;
    }
    *have += (size_t)n;
    size_t start = 0;
    for (size_t i = 0; i < *have; ++i) {
        if (buf[i] == '\n') {
            size_t len = i - start;
            if (len && buf[start + len - 1] == '\r') len--;
            if (ws_ready_state(ws) == WS_OPEN) send_text(ws, c, buf + start, len);
            start = i + 1;
        }
    }
    memmove(buf, buf + start, *have - start);
    *have -= start;
    if (*have == cap) { /* a line longer than the buffer goes as it is */
        send_text(ws, c, buf, *have);
        *have = 0;
    }
}

static int parse_args(int argc, char **argv, struct cli *c) {
    c->close_code = -1;
    c->read_stdin = 1;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(usage_text, stdout); exit(0); }
        else if (!strcmp(a, "--version")) { printf("polyws %s\n", ws_version()); exit(0); }
        else if ((!strcmp(a, "-p") || !strcmp(a, "--protocol")) && more && c->protocol_count < MAX_ITEMS)
            c->protocols[c->protocol_count++] = argv[++i];
        else if ((!strcmp(a, "-H") || !strcmp(a, "--header")) && more && c->header_count < MAX_ITEMS)
            c->headers[c->header_count++] = argv[++i];
        else if (!strcmp(a, "--user-agent") && more) c->user_agent = argv[++i];
        else if (!strcmp(a, "--cacert") && more) c->cacert = argv[++i];
        else if (!strcmp(a, "--cert") && more) c->cert = argv[++i];
        else if (!strcmp(a, "--key") && more) c->key = argv[++i];
        else if (!strcmp(a, "--tls-server-name") && more) c->tls_server_name = argv[++i];
        else if (!strcmp(a, "--insecure-no-verify")) c->insecure = 1;
        else if (!strcmp(a, "--proxy") && more) c->proxy = argv[++i];
        else if (!strcmp(a, "--proxy-from-env")) c->proxy_from_env = 1;
        else if (!strcmp(a, "--deflate")) c->deflate = 1;
        else if (!strcmp(a, "--deflate-no-context-takeover")) c->deflate = c->deflate_no_takeover = 1;
        else if (!strcmp(a, "--deflate-window-bits") && i + 2 < argc) {
            c->deflate = 1;
            c->deflate_client_bits = atol(argv[++i]);
            c->deflate_server_bits = atol(argv[++i]);
        }
        else if (!strcmp(a, "--reconnect") && more) c->reconnect_ms = atol(argv[++i]);
        else if (!strcmp(a, "--reconnect-max") && more) c->reconnect_max_ms = atol(argv[++i]);
        else if (!strcmp(a, "--reconnect-attempts") && more) c->reconnect_attempts = atol(argv[++i]);
        else if (!strcmp(a, "--send") && more && c->send_count < MAX_ITEMS)
            c->sends[c->send_count++] = argv[++i];
        else if (!strcmp(a, "--close") && more) {
            char *end;
            long code = strtol(argv[++i], &end, 10);
            if (*end || code < 0 || code > 65535) {
                fprintf(stderr, "polyws: bad close code '%s'\n", argv[i]);
                return -1;
            }
            c->close_code = (int)code;
            if (i + 1 < argc && strncmp(argv[i + 1], "-", 1) != 0 && c->url) c->close_reason = argv[++i];
        } else if (!strcmp(a, "--echo")) c->echo = 1;
        else if (!strcmp(a, "--jsonl")) c->jsonl = 1;
        else if (!strcmp(a, "-n") || !strcmp(a, "--no-stdin")) c->read_stdin = 0;
        else if (!strcmp(a, "--connect-timeout") && more) c->connect_timeout_ms = atol(argv[++i]);
        else if (!strcmp(a, "--max-message-size") && more) c->max_message_size = atol(argv[++i]);
        else if (!strcmp(a, "--ping-interval") && more) c->ping_interval_ms = atol(argv[++i]);
        else if (!strcmp(a, "--pong-timeout") && more) c->pong_timeout_ms = atol(argv[++i]);
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "polyws: unknown or incomplete option '%s'\n%s", a, usage_text);
            return -1;
        } else if (!c->url) c->url = a;
        else {
            fprintf(stderr, "polyws: unexpected argument '%s'\n", a);
            return -1;
        }
    }
    if (!c->url) {
        fputs(usage_text, stderr);
        return -1;
    }
    /* close()'s own rules, checked before connecting (ws_close would only
     * refuse them once the socket is open). */
    if (c->close_code > 0 && c->close_code != 1000 && (c->close_code < 3000 || c->close_code > 4999)) {
        fprintf(stderr, "polyws: InvalidAccessError: close code %d is neither 1000 nor in 3000-4999\n",
                c->close_code);
        return -1;
    }
    if (c->close_reason && strlen(c->close_reason) > 123) {
        fprintf(stderr, "polyws: SyntaxError: the close reason is %zu bytes; at most 123 are allowed\n",
                strlen(c->close_reason));
        return -1;
    }
    if (c->echo || c->send_count || c->close_code >= 0) c->read_stdin = 0;
    return 0;
}

/* -H "Name: value" (curl's form) and --user-agent, checked by the library. */
static int add_headers(ws_options *opts, const struct cli *c) {
    for (size_t i = 0; i < c->header_count; ++i) {
        const char *colon = strchr(c->headers[i], ':');
        if (!colon) {
            fprintf(stderr, "polyws: header '%s' is not 'Name: value'\n", c->headers[i]);
            return -1;
        }
        char name[256];
        size_t n = (size_t)(colon - c->headers[i]);
        if (n >= sizeof name) n = sizeof name - 1;
        memcpy(name, c->headers[i], n);
        name[n] = 0;
        const char *value = colon + 1;
        while (*value == ' ' || *value == '\t') value++;
        if (ws_options_add_header(opts, name, value) != WS_OK) {
            fprintf(stderr, "polyws: %s\n", ws_last_error(NULL));
            return -1;
        }
    }
    if (c->user_agent && ws_options_set_user_agent(opts, c->user_agent) != WS_OK) {
        fprintf(stderr, "polyws: %s\n", ws_last_error(NULL));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    static struct cli c;
    argv = cli_io_begin(argc, argv);
    if (parse_args(argc, argv, &c) != 0) return 2;

    ws_options *opts = NULL;
    if (ws_options_new(&opts) != WS_OK) return 2;
    if (c.connect_timeout_ms > 0) ws_options_set_connect_timeout_ms(opts, (uint32_t)c.connect_timeout_ms);
    if (c.max_message_size > 0) ws_options_set_max_message_size(opts, (uint64_t)c.max_message_size);
    if (c.ping_interval_ms > 0) ws_options_set_ping_interval_ms(opts, (uint32_t)c.ping_interval_ms);
    if (c.pong_timeout_ms > 0) ws_options_set_pong_timeout_ms(opts, (uint32_t)c.pong_timeout_ms);
    if (c.cacert) ws_options_set_ca_file(opts, c.cacert);
    if (c.proxy_from_env) ws_options_set_proxy_from_environment(opts, true);
    if (c.deflate) ws_options_set_permessage_deflate(opts, true);
    if (c.deflate_no_takeover) ws_options_set_deflate_no_context_takeover(opts, true, true);
    if (c.deflate_client_bits &&
        ws_options_set_deflate_window_bits(opts, (uint8_t)c.deflate_client_bits,
                                           (uint8_t)c.deflate_server_bits) != WS_OK) {
        fprintf(stderr, "polyws: %s\n", ws_last_error(NULL));
        ws_options_free(opts);
        return 2;
    }
    if (c.reconnect_ms > 0 &&
        ws_options_set_reconnect(opts, (uint32_t)c.reconnect_ms,
                                 (uint32_t)(c.reconnect_max_ms > 0 ? c.reconnect_max_ms : 30000),
                                 (uint32_t)(c.reconnect_attempts > 0 ? c.reconnect_attempts : 0)) != WS_OK) {
        fprintf(stderr, "polyws: %s\n", ws_last_error(NULL));
        ws_options_free(opts);
        return 2;
    }
    if (c.proxy && ws_options_set_proxy(opts, c.proxy) != WS_OK) {
        fprintf(stderr, "polyws: %s\n", ws_last_error(NULL));
        ws_options_free(opts);
        return 2;
    }
    if (c.tls_server_name) ws_options_set_tls_server_name(opts, c.tls_server_name);
    if ((c.cert || c.key) && ws_options_set_client_cert(opts, c.cert, c.key) != WS_OK) {
        fprintf(stderr, "polyws: %s\n", ws_last_error(NULL));
        ws_options_free(opts);
        return 2;
    }
    if (c.insecure) {
        fprintf(stderr, "polyws: WARNING: TLS certificates are not verified (--insecure-no-verify)\n");
        ws_options_set_insecure_no_tls_verify(opts, true);
    }
    if (add_headers(opts, &c) != 0) {
        ws_options_free(opts);
        return 2;
    }

    ws_loop *loop = NULL;
    if (ws_loop_new(WS_DELIVERY_DISPATCH, &loop) != WS_OK) {
        fprintf(stderr, "polyws: %s\n", ws_last_error(NULL));
        return 2;
    }
    ws_socket *ws = NULL;
    ws_result r = ws_new_ex(loop, c.url, c.protocols, c.protocol_count, opts, &ws);
    ws_options_free(opts);
    if (r != WS_OK) {
        fprintf(stderr, "polyws: %s: %s\n", ws_result_str(r), ws_last_error(NULL));
        ws_loop_free(loop);
        return 2;
    }
    ws_set_onopen(ws, on_open, &c);
    ws_set_onmessage(ws, on_message, &c);
    ws_set_onerror(ws, on_error, &c);
    ws_set_onclose(ws, on_close, &c);
    ws_add_event_listener(ws, WS_EVENT_RECONNECT, on_reconnect, &c);

    c.stdin_open = c.read_stdin;
    static char line[1 << 16];
    size_t have = 0;
    while (!c.done) {
        /* stdin is only read once open, so lines are never sent too early */
        int want_stdin = c.stdin_open && ws_ready_state(ws) == WS_OPEN;
        int loop_ready, stdin_ready;
        if (cli_wait(loop, want_stdin, &loop_ready, &stdin_ready) != 0) break;
        if (stdin_ready) pump_stdin(ws, &c, line, &have, sizeof line);
        if (loop_ready) ws_loop_dispatch(loop, 0, NULL);
    }
    ws_free(ws);
    ws_loop_free(loop);
    cli_io_end();
    return c.exit_code;
}
