/*
 * capi_echo -- the conformance echo client written directly against the C
 * API, so tests/conformance/run.py can grade the library itself and not only
 * the CLI (tools/polyws_cli.c).
 *
 *   capi_echo [--io-thread | --host-driven] [-p PROTOCOL]... [--max-message-size N]
 *             [--deflate] [--deflate-no-context-takeover] [--echo] [--jsonl] URL
 *
 * It prints the same JSON lines as `polyws --echo --jsonl` (open, message,
 * error, close) and exits 0 after a clean close, 1 after an unclean one, 2
 * on a usage or setup error, 3 when the contract is broken in a way the
 * runner cannot see from the events (an event after close, a second close).
 *
 * Three deliveries:
 *   default        WS_DELIVERY_DISPATCH: listeners run on this thread from
 *                  ws_loop_dispatch(), woken by poll() on ws_loop_fd();
 *   --io-thread    WS_DELIVERY_IO_THREAD: listeners run on the loop's I/O
 *                  thread (deferred connect, listeners added, then
 *                  ws_connect()); the main thread only waits for the close;
 *   --host-driven  WS_DELIVERY_HOST_DRIVEN: no I/O thread; this thread's
 *                  ws_loop_dispatch() calls (1 s timeout) do the I/O.
 * Every message is echoed back from inside the message listener.
 */
#include "polyws.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PROTOCOLS 16
#define RUN_LIMIT_MS 120000 /* the runner's own timeout is shorter */

struct client {
    pthread_mutex_t lock;
    pthread_cond_t closed_cond;
    int opened, closed, errored, exit_code, contract_broken;
};

static void json_string(const char *s, size_t n) {
    putchar('"');
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c == '\n') fputs("\\n", stdout);
        else if (c == '\r') fputs("\\r", stdout);
        else if (c == '\t') fputs("\\t", stdout);
        else if (c < 0x20 || c == 0x7f) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

static void base64(const uint8_t *p, size_t n) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    putchar('"');
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        putchar(t[v >> 18]); putchar(t[(v >> 12) & 63]); putchar(t[(v >> 6) & 63]); putchar(t[v & 63]);
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        putchar(t[v >> 18]); putchar(t[(v >> 12) & 63]);
        putchar(i + 1 < n ? t[(v >> 6) & 63] : '='); putchar('=');
    }
    putchar('"');
}

/* One listener for every type: the order of events is what is graded. */
static void on_event(ws_socket *ws, const ws_event *ev, void *ud) {
    struct client *c = ud;
    pthread_mutex_lock(&c->lock);
    if (c->closed) c->contract_broken = 1;   /* nothing may follow close */
    switch (ws_event_type(ev)) {
    case WS_EVENT_OPEN:
        if (c->opened || ws_ready_state(ws) != WS_OPEN) c->contract_broken = 1;
        c->opened = 1;
        printf("{\"event\":\"open\",\"protocol\":");
        json_string(ws_event_protocol(ev), strlen(ws_event_protocol(ev)));
        printf(",\"extensions\":");
        json_string(ws_event_extensions(ev), strlen(ws_event_extensions(ev)));
        printf("}\n");
        break;
    case WS_EVENT_MESSAGE: {
        size_t n = 0;
        const uint8_t *data = ws_event_data(ev, &n);
        bool binary = ws_event_is_binary(ev);
        if (!c->opened || ws_ready_state(ws) != WS_OPEN) c->contract_broken = 1;
        printf("{\"event\":\"message\",\"type\":\"%s\",\"size\":%zu,\"data\":",
               binary ? "binary" : "text", n);
        if (binary) base64(data, n);
        else json_string((const char *)data, n);
        printf("}\n");
        ws_result r = binary ? ws_send_binary(ws, data, n) : ws_send_text(ws, (const char *)data, n);
        if (r != WS_OK) fprintf(stderr, "capi_echo: echo: %s\n", ws_last_error(ws));
        break;
    }
    case WS_EVENT_ERROR:
        /* error comes only with a failure, readyState already CLOSED */
        if (c->errored || ws_ready_state(ws) != WS_CLOSED) c->contract_broken = 1;
        c->errored = 1;
        printf("{\"event\":\"error\",\"message\":");
        json_string(ws_event_error_message(ev), strlen(ws_event_error_message(ev)));
        printf("}\n");
        fprintf(stderr, "capi_echo: error: %s\n", ws_event_error_message(ev));
        break;
    case WS_EVENT_CLOSE: {
        const char *reason = ws_event_reason(ev);
        if (ws_ready_state(ws) != WS_CLOSED) c->contract_broken = 1;
        if (c->errored && (ws_event_code(ev) != 1006 || ws_event_was_clean(ev))) c->contract_broken = 1;
        printf("{\"event\":\"close\",\"code\":%u,\"reason\":", ws_event_code(ev));
        json_string(reason, strlen(reason));
        printf(",\"wasClean\":%s}\n", ws_event_was_clean(ev) ? "true" : "false");
        c->exit_code = ws_event_was_clean(ev) ? 0 : 1;
        c->closed = 1;
        pthread_cond_broadcast(&c->closed_cond);
        break;
    }
    default:
        c->contract_broken = 1;
    }
    fflush(stdout);
    pthread_mutex_unlock(&c->lock);
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
    const char *url = NULL, *protocols[MAX_PROTOCOLS];
    size_t protocol_count = 0;
    int io_thread = 0, host_driven = 0, deflate = 0, no_takeover = 0;
    long max_message_size = 0;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--io-thread")) io_thread = 1;
        else if (!strcmp(a, "--host-driven")) host_driven = 1;
        else if (!strcmp(a, "-p") && more && protocol_count < MAX_PROTOCOLS) protocols[protocol_count++] = argv[++i];
        else if (!strcmp(a, "--max-message-size") && more) max_message_size = atol(argv[++i]);
        else if (!strcmp(a, "--deflate")) deflate = 1;
        else if (!strcmp(a, "--deflate-no-context-takeover")) deflate = no_takeover = 1;
        else if (!strcmp(a, "--echo") || !strcmp(a, "--jsonl")) continue;   /* always */
        else if (a[0] != '-' && !url) url = a;
        else {
            fprintf(stderr, "capi_echo: unknown argument '%s'\n", a);
            return 2;
        }
    }
    if (!url) {
        fprintf(stderr, "usage: capi_echo [--io-thread | --host-driven] [-p P]... [--max-message-size N] [--deflate] URL\n");
        return 2;
    }

    ws_options *opts = NULL;
    if (ws_options_new(&opts) != WS_OK) return 2;
    if (max_message_size > 0) ws_options_set_max_message_size(opts, (uint64_t)max_message_size);
    if (deflate) ws_options_set_permessage_deflate(opts, true);
    if (no_takeover) ws_options_set_deflate_no_context_takeover(opts, true, true);
    ws_options_set_deferred_connect(opts, true);   /* listeners first, in both modes */

    ws_loop *loop = NULL;
    ws_delivery_t delivery = io_thread     ? WS_DELIVERY_IO_THREAD
                             : host_driven ? WS_DELIVERY_HOST_DRIVEN
                                           : WS_DELIVERY_DISPATCH;
    if (ws_loop_new(delivery, &loop) != WS_OK) {
        fprintf(stderr, "capi_echo: %s\n", ws_last_error(NULL));
        ws_options_free(opts);
        return 2;
    }
    ws_socket *ws = NULL;
    ws_result r = ws_new_ex(loop, url, protocols, protocol_count, opts, &ws);
    ws_options_free(opts);
    if (r != WS_OK) {
        fprintf(stderr, "capi_echo: %s: %s\n", ws_result_str(r), ws_last_error(NULL));
        ws_loop_free(loop);
        return 2;
    }
    static struct client c = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 2, 0};
    for (int t = WS_EVENT_OPEN; t <= WS_EVENT_CLOSE; ++t)
        ws_add_event_listener(ws, (ws_event_type_t)t, on_event, &c);
    if (ws_connect(ws) != WS_OK) {
        fprintf(stderr, "capi_echo: connect: %s\n", ws_last_error(ws));
        return 2;
    }

    int64_t deadline = now_ms() + RUN_LIMIT_MS;
    if (io_thread) {
        pthread_mutex_lock(&c.lock);
        while (!c.closed && now_ms() < deadline) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += 1;
            pthread_cond_timedwait(&c.closed_cond, &c.lock, &until);
        }
        pthread_mutex_unlock(&c.lock);
    } else if (host_driven) {
        while (!c.closed && now_ms() < deadline) ws_loop_dispatch(loop, 1000, NULL);
    } else {
        while (!c.closed && now_ms() < deadline) {
            struct pollfd p = {ws_loop_fd(loop), POLLIN, 0};
            if (poll(&p, 1, 1000) < 0 && errno != EINTR) break;
            if (p.revents & POLLIN) ws_loop_dispatch(loop, 0, NULL);
        }
    }
    ws_free(ws);   /* no listener runs after this returns */
    ws_loop_free(loop);
    pthread_mutex_lock(&c.lock);
    int code = c.contract_broken ? 3 : c.closed ? c.exit_code : 1;
    pthread_mutex_unlock(&c.lock);
    if (c.contract_broken) fprintf(stderr, "capi_echo: event sequence broke the contract\n");
    return code;
}
