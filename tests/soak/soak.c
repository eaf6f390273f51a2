/*
 * soak -- long runs through the C API, with the process's resident memory
 * and descriptors watched throughout. Driven by tests/soak/soak.sh, which
 * starts the peers and checks the server's own counts afterwards.
 *
 *   soak cycles N ECHO_URL [CONCURRENCY]
 *       N connect / open / close(1000) / close event / ws_free cycles
 *       against polyws-echo, CONCURRENCY sockets in flight at a time.
 *   soak messages N COUNT_URL
 *       N messages on one socket to tests/soak/counting_server.py (which
 *       checks their sequence numbers), then close(1000). bufferedAmount is
 *       kept under 1 MiB by dispatching, as a well-behaved producer does.
 *
 * Prints one `FIGURES ...` line (duration, RSS start/after warm-up/end/peak
 * in KiB, fds and threads start/end) and exits 0 when every cycle closed
 * cleanly (or every message was accepted and the close was clean), the
 * descriptors and threads are back where they started and RSS did not grow
 * by more than 16 MiB after the warm-up (1% of the run; not judged under
 * sanitizers, whose allocators keep freed memory). Exits 1 otherwise.
 */
#include "polyws.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RSS_GROWTH_LIMIT_KIB (16 * 1024)

/* Sanitizer runtimes keep freed memory in quarantine, so RSS says nothing
 * there (their own leak checks take over): figures are printed, not judged. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define JUDGE_RSS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define JUDGE_RSS 0
#endif
#endif
#ifndef JUDGE_RSS
#define JUDGE_RSS 1
#endif

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int count_entries(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(dir)) != NULL;)
        if (e->d_name[0] != '.') ++n;
    closedir(dir);
    return n;
}

struct figures {
    double start;
    long rss_start, rss_warm, rss_peak;
    long rss_quarter[3];   /* at 25, 50 and 75% of the run */
    int fds_start, threads_start;
};

static void quarter(struct figures *f, unsigned long done, unsigned long n) {
    for (int q = 0; q < 3; ++q)
        if (done == n / 4 * (unsigned long)(q + 1)) f->rss_quarter[q] = rss_kib();
}

static void sample(struct figures *f) {
    long r = rss_kib();
    if (r > f->rss_peak) f->rss_peak = r;
}

static void begin(struct figures *f) {
    f->start = now_s();
    f->rss_start = f->rss_warm = f->rss_peak = rss_kib();
    f->fds_start = count_entries("/proc/self/fd");
    f->threads_start = count_entries("/proc/self/task");
}

/* Waits (bounded) for the loops' threads and descriptors to go, then prints
 * the figures and judges them. */
static int finish(struct figures *f, const char *what, unsigned long count, int ok) {
    double deadline = now_s() + 10;
    int fds, threads;
    do {
        fds = count_entries("/proc/self/fd");
        threads = count_entries("/proc/self/task");
        if (fds <= f->fds_start && threads <= f->threads_start) break;
        usleep(20000);
    } while (now_s() < deadline);
    long rss_end = rss_kib();
    sample(f);
    double secs = now_s() - f->start;
    printf("FIGURES %s=%lu seconds=%.1f rate=%.0f/s rss_start_kib=%ld rss_warm_kib=%ld "
           "rss_25_50_75_kib=%ld,%ld,%ld rss_end_kib=%ld rss_peak_kib=%ld fds_start=%d fds_end=%d "
           "threads_start=%d threads_end=%d\n",
           what, count, secs, count / (secs > 0 ? secs : 1), f->rss_start, f->rss_warm,
           f->rss_quarter[0], f->rss_quarter[1], f->rss_quarter[2], rss_end, f->rss_peak,
           f->fds_start, fds, f->threads_start, threads);
    if (fds > f->fds_start || threads > f->threads_start) {
        fprintf(stderr, "soak: descriptors or threads left behind\n");
        ok = 0;
    }
    if (JUDGE_RSS && rss_end - f->rss_warm > RSS_GROWTH_LIMIT_KIB) {
        fprintf(stderr, "soak: RSS grew by %ld KiB after the warm-up\n", rss_end - f->rss_warm);
        ok = 0;
    }
    return ok ? 0 : 1;
}

/* ---- cycles ------------------------------------------------------------------ */

struct cycles {
    unsigned long started, clean, unclean, errors;
};

static void cycle_listener(ws_socket *ws, const ws_event *ev, void *ud) {
    struct cycles *c = ud;
    switch (ws_event_type(ev)) {
    case WS_EVENT_OPEN: ws_close(ws, 1000, NULL); break;
    case WS_EVENT_ERROR: c->errors++; break;
    case WS_EVENT_CLOSE:
        if (ws_event_code(ev) == 1000 && ws_event_was_clean(ev)) c->clean++;
        else c->unclean++;
        break;
    default: break;
    }
}

static int run_cycles(unsigned long n, const char *url, int concurrency) {
    struct figures f;
    memset(&f, 0, sizeof f);
    begin(&f);
    ws_loop *loop = NULL;
    if (ws_loop_new(WS_DELIVERY_DISPATCH, &loop) != WS_OK) return 1;
    ws_socket **live = calloc((size_t)concurrency, sizeof *live);
    struct cycles c = {0, 0, 0, 0};
    unsigned long done = 0, warm = n / 100 ? n / 100 : 1;
    double last_progress = now_s();
    int ok = 1;
    while (done < n) {
        /* keep `concurrency` sockets in flight; free those that closed */
        for (int i = 0; i < concurrency; ++i) {
            if (live[i] && ws_ready_state(live[i]) == WS_CLOSED) {
                ws_free(live[i]);
                live[i] = NULL;
                ++done;
                if (done == warm) f.rss_warm = rss_kib();
                quarter(&f, done, n);
                if (done % 1000 == 0) sample(&f);
                last_progress = now_s();
            }
            if (!live[i] && c.started < n) {
                if (ws_new_ex(loop, url, NULL, 0, NULL, &live[i]) != WS_OK) {
                    fprintf(stderr, "soak: ws_new_ex: %s\n", ws_last_error(NULL));
                    ok = 0;
                    break;
                }
                for (int t = WS_EVENT_OPEN; t <= WS_EVENT_CLOSE; ++t)
                    ws_add_event_listener(live[i], (ws_event_type_t)t, cycle_listener, &c);
                c.started++;
            }
        }
        if (!ok) break;
        ws_loop_dispatch(loop, 50, NULL);
        if (now_s() - last_progress > 30) {
            fprintf(stderr, "soak: no cycle finished for 30 s\n");
            ok = 0;
            break;
        }
    }
    for (int i = 0; i < concurrency; ++i) ws_free(live[i]);
    free(live);
    ws_loop_free(loop);
    if (c.clean != n || c.unclean || c.errors) {
        fprintf(stderr, "soak: %lu clean closes of %lu, %lu unclean, %lu errors\n", c.clean, n,
                c.unclean, c.errors);
        ok = 0;
    }
    return finish(&f, "cycles", done, ok);
}

/* ---- messages ------------------------------------------------------------------ */

struct conversation {
    int opened, closed, clean, errors;
    uint16_t code;
    uint64_t unsent;
};

static void message_listener(ws_socket *ws, const ws_event *ev, void *ud) {
    struct conversation *c = ud;
    (void)ws;
    switch (ws_event_type(ev)) {
    case WS_EVENT_OPEN: c->opened = 1; break;
    case WS_EVENT_ERROR: c->errors++; break;
    case WS_EVENT_CLOSE:
        c->closed = 1;
        c->code = ws_event_code(ev);
        c->clean = ws_event_was_clean(ev);
        c->unsent = ws_event_unsent_messages(ev);
        break;
    default: break;
    }
}

static int run_messages(unsigned long n, const char *url) {
    struct figures f;
    memset(&f, 0, sizeof f);
    begin(&f);
    ws_loop *loop = NULL;
    if (ws_loop_new(WS_DELIVERY_DISPATCH, &loop) != WS_OK) return 1;
    ws_socket *ws = NULL;
    ws_options *o = NULL;
    if (ws_options_new(&o) != WS_OK) return 1;
    /* The close frame queues behind up to several MiB of small frames in
     * the kernel buffers, which a Python peer takes seconds to read: the
     * closing handshake is given a minute, not the default 5 s. */
    ws_options_set_close_timeout_ms(o, 60000);
    ws_result r0 = ws_new_ex(loop, url, NULL, 0, o, &ws);
    ws_options_free(o);
    if (r0 != WS_OK) return 1;
    struct conversation c = {0, 0, 0, 0, 0, 0};
    for (int t = WS_EVENT_OPEN; t <= WS_EVENT_CLOSE; ++t)
        ws_add_event_listener(ws, (ws_event_type_t)t, message_listener, &c);
    double deadline = now_s() + 20;
    while (!c.opened && !c.closed && now_s() < deadline) ws_loop_dispatch(loop, 50, NULL);
    int ok = c.opened;
    unsigned long sent = 0, warm = n / 100 ? n / 100 : 1;
    char m[64];
    double last_progress = now_s();
    while (ok && sent < n) {
        if (ws_buffered_amount(ws) > 1u << 20) {
            uint64_t before = ws_buffered_amount(ws);
            ws_loop_dispatch(loop, 5, NULL);
            if (ws_buffered_amount(ws) < before) last_progress = now_s();
            if (c.closed || now_s() - last_progress > 30) {
                fprintf(stderr, "soak: the connection stalled or closed after %lu messages\n", sent);
                ok = 0;
            }
            continue;
        }
        int len = snprintf(m, sizeof m, "%lu:soak message", sent);
        ws_result r = (sent & 1) ? ws_send_binary(ws, m, (size_t)len) : ws_send_text(ws, m, (size_t)len);
        if (r != WS_OK) {
            fprintf(stderr, "soak: send %lu: %s\n", sent, ws_result_str(r));
            ok = 0;
            break;
        }
        ++sent;
        if (sent == warm) f.rss_warm = rss_kib();
        quarter(&f, sent, n);
        if (sent % 10000 == 0) {
            sample(&f);
            ws_loop_dispatch(loop, 0, NULL);
        }
    }
    ws_close(ws, 1000, "soak done");
    deadline = now_s() + 120;   /* the server may still be reading */
    while (!c.closed && now_s() < deadline) ws_loop_dispatch(loop, 50, NULL);
    if (!c.closed || c.code != 1000 || !c.clean || c.errors || c.unsent) {
        fprintf(stderr, "soak: close %d code %u clean %d errors %d unsent %llu\n", c.closed, c.code,
                c.clean, c.errors, (unsigned long long)c.unsent);
        ok = 0;
    }
    ws_free(ws);
    ws_loop_free(loop);
    return finish(&f, "messages", sent, ok);
}

static void *nothing(void *arg) { return arg; }

int main(int argc, char **argv) {
    /* Some runtimes (TSan) start a helper thread at the first
     * pthread_create(): let that happen before the baseline is taken. */
    pthread_t t;
    if (pthread_create(&t, NULL, nothing, NULL) == 0) pthread_join(t, NULL);
    if (argc >= 4 && !strcmp(argv[1], "cycles"))
        return run_cycles(strtoul(argv[2], NULL, 10), argv[3], argc > 4 ? atoi(argv[4]) : 8);
    if (argc >= 4 && !strcmp(argv[1], "messages"))
        return run_messages(strtoul(argv[2], NULL, 10), argv[3]);
    fprintf(stderr, "usage: soak cycles N ECHO_URL [CONCURRENCY] | soak messages N COUNT_URL\n");
    return 2;
}
