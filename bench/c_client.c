/*
 * bench/c_client.c -- the C side of bench/lua_vs_c.sh: one connection to an
 * echo server, one message in flight, for SECONDS.
 *
 *   c_client URL rtt SECONDS [pull]   32-byte text messages: prints round trips
 *   c_client URL mib SECONDS [pull]   1 MiB binary messages: prints echoes
 *
 * Output: "<count> <elapsed seconds> <CPU seconds of the process, every
 * thread>". Plain C API use: listeners run by
 * ws_loop_dispatch() on the default loop, as README's example does. With
 * `pull`, the path the bindings take instead: events taken one by one with
 * ws_loop_next_event() on a loop of its own, no listeners.
 */
#define _POSIX_C_SOURCE 200809L
#include <polyws.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *payload;
static size_t payload_size;
static int binary;
static double start, deadline, seconds, cpu_start;
static long count;
static int done;

static void send_one(ws_socket *ws) {
    ws_result rc = binary ? ws_send_binary(ws, payload, payload_size)
                          : ws_send_text(ws, payload, payload_size);
    if (rc != WS_OK) {
        fprintf(stderr, "send: %s\n", ws_last_error(ws));
        exit(1);
    }
}

static void on_open(ws_socket *ws, const ws_event *ev, void *ud) {
    (void)ev; (void)ud;
    start = now();
    cpu_start = (double)clock() / CLOCKS_PER_SEC;
    deadline = start + seconds;
    send_one(ws);
}

static void on_message(ws_socket *ws, const ws_event *ev, void *ud) {
    size_t n;
    (void)ud;
    ws_event_data(ev, &n);
    if (n != payload_size) {
        fprintf(stderr, "echo of %zu bytes, expected %zu\n", n, payload_size);
        exit(1);
    }
    count++;
    if (now() >= deadline) {
        printf("%ld %.6f %.6f\n", count, now() - start,
               (double)clock() / CLOCKS_PER_SEC - cpu_start);
        ws_close(ws, 1000, NULL);
        return;
    }
    send_one(ws);
}

static void on_close(ws_socket *ws, const ws_event *ev, void *ud) {
    (void)ws; (void)ud;
    if (!ws_event_was_clean(ev)) fprintf(stderr, "close %u\n", ws_event_code(ev));
    done = 1;
}

static int run_pull(const char *url) {
    ws_loop *loop;
    ws_socket *ws;
    if (ws_loop_new(WS_DELIVERY_DISPATCH, &loop) != WS_OK ||
        ws_new_ex(loop, url, NULL, 0, NULL, &ws) != WS_OK) {
        fprintf(stderr, "%s\n", ws_last_error(NULL));
        return 1;
    }
    while (!done) {
        const ws_event *ev;
        if (ws_loop_next_event(loop, 1000, &ev) != WS_OK) return 1;
        if (!ev) continue;
        switch (ws_event_type(ev)) {
        case WS_EVENT_OPEN: on_open(ws, ev, NULL); break;
        case WS_EVENT_MESSAGE: on_message(ws, ev, NULL); break;
        case WS_EVENT_CLOSE: on_close(ws, ev, NULL); break;
        default: break;
        }
    }
    ws_free(ws);
    ws_loop_free(loop);
    return 0;
}

int main(int argc, char **argv) {
    ws_socket *ws;
    if (argc < 4 || argc > 5 || (strcmp(argv[2], "rtt") && strcmp(argv[2], "mib")) ||
        (argc == 5 && strcmp(argv[4], "pull"))) {
        fprintf(stderr, "usage: c_client URL rtt|mib SECONDS [pull]\n");
        return 2;
    }
    binary = strcmp(argv[2], "mib") == 0;
    payload_size = binary ? 1024 * 1024 : 32;
    seconds = atof(argv[3]);
    payload = malloc(payload_size);
    for (size_t i = 0; i < payload_size; i++) payload[i] = (char)('a' + i % 26);
    if (argc == 5) {
        int rc = run_pull(argv[1]);
        free(payload);
        return rc;
    }
    if (ws_new(argv[1], NULL, 0, &ws) != WS_OK) {
        fprintf(stderr, "%s\n", ws_last_error(NULL));
        return 1;
    }
    ws_set_onopen(ws, on_open, NULL);
    ws_set_onmessage(ws, on_message, NULL);
    ws_set_onclose(ws, on_close, NULL);
    while (!done) ws_loop_dispatch(ws_default_loop(), 1000, NULL);
    ws_free(ws);
    free(payload);
    return 0;
}
