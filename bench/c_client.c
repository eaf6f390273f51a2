/*
 * bench/c_client.c -- polyws from C, following bench/README.md:
 *
 *   c_client [--io-thread | --host-driven] [--pull] URL rtt|mib|pipeline|connect SECONDS
 *   c_client [--io-thread | --host-driven] URL hold N
 *
 * Delivery: by default listeners run in ws_loop_dispatch() on the host
 * thread (the C API as README shows it); --pull takes events one at a time
 * with ws_loop_next_event() as the bindings do; --io-thread runs listeners
 * on the loop's I/O thread (WS_DELIVERY_IO_THREAD, deferred connect);
 * --host-driven has no I/O thread (WS_DELIVERY_HOST_DRIVEN: dispatch or
 * next_event do the I/O on this thread).
 *
 * `hold N` opens N connections on one loop, waits until all are open and
 * prints {"connections": N, "base_rss_kib": ..., "peak_rss_kib": ...}: the
 * process's peak RSS before the first and after the last connection.
 *
 * BENCH_WARMUP (seconds, default 1) runs first, uncounted. BENCH_OPS, when
 * set, replaces SECONDS: exactly that many operations, no warm-up (used by
 * the callgrind regression test, which counts instructions, not time).
 */
#define _POSIX_C_SOURCE 200809L
#include <polyws.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_clock.h"

enum mode { RTT, MIB, PIPELINE, CONNECT };
enum { WINDOW = 64 };


/* VmHWM, the peak RSS of this program (getrusage's ru_maxrss would include
 * the parent's from before exec). */
static long peak_rss_kib(void) {
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld", &kib) == 1) break;
    if (f) fclose(f);
    return kib;
}

static void die(const char *what, const ws_socket *ws) {
    fprintf(stderr, "c_client: %s: %s\n", what, ws_last_error(ws));
    exit(1);
}

/* ---- the measurement: warm-up, then SECONDS (or BENCH_OPS operations) --- */

static enum mode mode;
static const char *url;
static ws_loop *loop;
static ws_delivery_t delivery = WS_DELIVERY_DISPATCH;
static char *payload;
static size_t payload_size;
static double warm_end, start, deadline, cpu_start, seconds;
static long switches_start;
static long fixed_ops;           /* BENCH_OPS */
static int measuring;
static long ops;
static int in_flight;
static int finished;             /* the result is printed */
static int done;                 /* the last socket is closed */
static pthread_mutex_t done_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;

static void mark_done(void) {
    pthread_mutex_lock(&done_mutex);
    done = 1;
    pthread_cond_signal(&done_cond);
    pthread_mutex_unlock(&done_mutex);
}

static void begin_measure(void) {
    measuring = 1;
    ops = 0;
    start = now();
    cpu_start = cpu_now();
    switches_start = switches_now();
    deadline = start + seconds;
}

/* Counts one operation; true when the run is over (the result printed). */
static int count_op(void) {
    if (finished) return 1;
    if (!measuring) {
        if (fixed_ops || now() >= warm_end) begin_measure();
        return 0;
    }
    ++ops;
    if (fixed_ops ? ops < fixed_ops : now() < deadline) return 0;
    printf("{\"ops\": %ld, \"seconds\": %.6f, \"cpu_seconds\": %.6f, \"switches\": %ld}\n", ops,
           now() - start, cpu_now() - cpu_start, switches_now() - switches_start);
    fflush(stdout);
    finished = 1;
    return 1;
}

static void send_one(ws_socket *ws) {
    ws_result rc = mode == RTT ? ws_send_text(ws, payload, payload_size)
                               : ws_send_binary(ws, payload, payload_size);
    if (rc != WS_OK) die("send", ws);
    ++in_flight;
}

static void on_open(ws_socket *ws, const ws_event *ev, void *ud) {
    (void)ev; (void)ud;
    if (mode == CONNECT) {
        ws_close(ws, 1000, NULL);
        return;
    }
    int n = mode == PIPELINE ? WINDOW : 1;
    for (int i = 0; i < n; ++i) send_one(ws);
}

static void on_message(ws_socket *ws, const ws_event *ev, void *ud) {
    size_t n;
    const uint8_t *p = ws_event_data(ev, &n);
    (void)ud;
    if (n != payload_size || (mode == RTT && memcmp(p, payload, n) != 0)) {
        fprintf(stderr, "c_client: echo of %zu bytes, expected %zu\n", n, payload_size);
        exit(1);
    }
    --in_flight;
    if (finished) return;
    if (count_op()) {
        ws_close(ws, 1000, NULL);
        return;
    }
    send_one(ws);
}

static void start_connect(void);

static void on_close(ws_socket *ws, const ws_event *ev, void *ud) {
    (void)ud;
    if (!ws_event_was_clean(ev) && !finished) {
        fprintf(stderr, "c_client: closed with %u: %s\n", ws_event_code(ev), ws_last_error(ws));
        exit(1);
    }
    ws_free(ws);
    if (mode == CONNECT && !count_op()) {
        start_connect();
        return;
    }
    mark_done();
}

static void on_error(ws_socket *ws, const ws_event *ev, void *ud) {
    (void)ws; (void)ud;
    if (finished) return;
    fprintf(stderr, "c_client: error: %s\n", ws_event_error_message(ev));
    exit(1);
}

static ws_socket *open_socket(int with_listeners) {
    ws_options *options;
    ws_socket *ws;
    if (ws_options_new(&options) != WS_OK) die("options", NULL);
    ws_options_set_deferred_connect(options, true);
    if (ws_new_ex(loop, url, NULL, 0, options, &ws) != WS_OK) die("ws_new_ex", NULL);
    ws_options_free(options);
    if (with_listeners) {
        ws_set_onopen(ws, on_open, NULL);
        ws_set_onmessage(ws, on_message, NULL);
        ws_set_onerror(ws, on_error, NULL);
        ws_set_onclose(ws, on_close, NULL);
    }
    if (ws_connect(ws) != WS_OK) die("ws_connect", ws);
    return ws;
}

static void start_connect(void) { open_socket(1); }

/* The bindings' path: events pulled one by one, the "listeners" run here.
 * As each binding's dispatch does: wait for one event, then take what else
 * is queued without waiting (timeout 0) until nothing is. */
static void run_pull(void) {
    open_socket(0);
    while (!done) {
        const ws_event *ev;
        if (ws_loop_next_event(loop, 1000, &ev) != WS_OK) die("next_event", NULL);
        while (ev && !done) {
            ws_socket *ws = ws_event_socket(ev);
            switch (ws_event_type(ev)) {
            case WS_EVENT_OPEN: on_open(ws, ev, NULL); break;
            case WS_EVENT_MESSAGE: on_message(ws, ev, NULL); break;
            case WS_EVENT_ERROR: on_error(ws, ev, NULL); break;
            case WS_EVENT_CLOSE: on_close(ws, ev, NULL); break;
            default: break;
            }
            if (ws_loop_next_event(loop, 0, &ev) != WS_OK) die("next_event", NULL);
        }
    }
}

/* ---- hold N: memory per open connection ---------------------------------- */

static long opened;

static void on_hold_open(ws_socket *ws, const ws_event *ev, void *ud) {
    (void)ws; (void)ev; (void)ud;
    pthread_mutex_lock(&done_mutex);
    ++opened;
    pthread_cond_signal(&done_cond);
    pthread_mutex_unlock(&done_mutex);
}

static void on_hold_close(ws_socket *ws, const ws_event *ev, void *ud) {
    (void)ud;
    fprintf(stderr, "c_client: hold: a connection closed (%u): %s\n", ws_event_code(ev),
            ws_last_error(ws));
    exit(1);
}

static int run_hold(long n) {
    ws_socket **sockets = calloc((size_t)n, sizeof *sockets);
    long base = peak_rss_kib();
    /* Open in batches, so the server's accept backlog never overflows. */
    for (long i = 0; i < n; ++i) {
        ws_options *options;
        if (ws_options_new(&options) != WS_OK) die("options", NULL);
        ws_options_set_deferred_connect(options, true);
        ws_options_set_connect_timeout_ms(options, 120000);
        if (ws_new_ex(loop, url, NULL, 0, options, &sockets[i]) != WS_OK) die("ws_new_ex", NULL);
        ws_options_free(options);
        ws_set_onopen(sockets[i], on_hold_open, NULL);
        ws_set_onclose(sockets[i], on_hold_close, NULL);
        ws_connect(sockets[i]);
        if ((i + 1) % 100 == 0 || i + 1 == n) {
            for (;;) {
                if (delivery != WS_DELIVERY_IO_THREAD) ws_loop_dispatch(loop, 100, NULL);
                pthread_mutex_lock(&done_mutex);
                if (delivery == WS_DELIVERY_IO_THREAD && opened < i + 1) {
                    struct timespec ts;
                    clock_gettime(CLOCK_REALTIME, &ts);
                    ts.tv_sec += 1;
                    pthread_cond_timedwait(&done_cond, &done_mutex, &ts);
                }
                int all = opened == i + 1;
                pthread_mutex_unlock(&done_mutex);
                if (all) break;
            }
        }
    }
    printf("{\"connections\": %ld, \"base_rss_kib\": %ld, \"peak_rss_kib\": %ld}\n", n, base,
           peak_rss_kib());
    fflush(stdout);
    for (long i = 0; i < n; ++i) {
        ws_set_onclose(sockets[i], NULL, NULL);
        ws_free(sockets[i]);
    }
    free(sockets);
    return 0;
}

int main(int argc, char **argv) {
    int pull = 0, a = 1;
    for (; a < argc && argv[a][0] == '-'; ++a) {
        if (!strcmp(argv[a], "--io-thread")) delivery = WS_DELIVERY_IO_THREAD;
        else if (!strcmp(argv[a], "--host-driven")) delivery = WS_DELIVERY_HOST_DRIVEN;
        else if (!strcmp(argv[a], "--pull")) pull = 1;
        else break;
    }
    if (argc - a != 3 || (pull && delivery == WS_DELIVERY_IO_THREAD)) {
        fprintf(stderr, "usage: c_client [--io-thread|--host-driven] [--pull] URL rtt|mib|pipeline|connect SECONDS\n"
                        "       c_client [--io-thread|--host-driven] URL hold N\n");
        return 2;
    }
    url = argv[a];
    const char *m = argv[a + 1];
    if (ws_loop_new(delivery, &loop) != WS_OK) die("ws_loop_new", NULL);
    if (!strcmp(m, "hold")) {
        int rc = run_hold(atol(argv[a + 2]));
        ws_loop_free(loop);
        return rc;
    }
    if (!strcmp(m, "rtt")) mode = RTT;
    else if (!strcmp(m, "mib")) mode = MIB;
    else if (!strcmp(m, "pipeline")) mode = PIPELINE;
    else if (!strcmp(m, "connect")) mode = CONNECT;
    else { fprintf(stderr, "c_client: unknown mode %s\n", m); return 2; }
    seconds = atof(argv[a + 2]);
    const char *fixed = getenv("BENCH_OPS");
    fixed_ops = fixed ? atol(fixed) : 0;
    const char *warm = getenv("BENCH_WARMUP");
    warm_end = now() + (warm ? atof(warm) : 1.0);
    payload_size = mode == RTT ? 32 : mode == MIB ? 1048576 : 64;
    payload = malloc(payload_size);
    for (size_t i = 0; i < payload_size; i++) payload[i] = (char)('a' + i % 26);

    if (pull) {
        run_pull();
    } else if (delivery != WS_DELIVERY_IO_THREAD) {
        start_connect();
        while (!done) ws_loop_dispatch(loop, 1000, NULL);
    } else {
        start_connect();
        pthread_mutex_lock(&done_mutex);
        while (!done) pthread_cond_wait(&done_cond, &done_mutex);
        pthread_mutex_unlock(&done_mutex);
    }
    ws_loop_free(loop);
    free(payload);
    return 0;
}
