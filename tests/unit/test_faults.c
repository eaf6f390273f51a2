/*
 * Fault injection against real peers (tests/soak/counting_server.py, a
 * separate process that counts every message it receives and checks their
 * sequence numbers, and tools/polyws-echo):
 *
 *   - the server killed (SIGKILL) in the middle of a message;
 *   - a TCP reset (SO_LINGER 0) from the server;
 *   - a server that goes silent (SIGSTOP), with keepalive (pong timeout)
 *     and without (close() then the close timeout);
 *   - a slow reader that fills the send buffer;
 *   - a server that accepts TCP and never answers (connect timeout);
 *   - close() and ws_free() racing with incoming events and with sends
 *     from other threads, on both delivery modes;
 *   - thousands of sockets opened and closed in a loop.
 *
 * Each case checks the browser's event sequence (docs/contract.md rules 24-25:
 * error only when the connection *failed*, then close with its code and
 * wasClean), that no message accepted by send() is lost silently (the
 * server's count plus the close event's unsent count covers every message,
 * up to what TCP itself had in flight when the peer died, which no client
 * can know), and that descriptors, threads and heap return to their
 * baseline once everything is freed.
 */
#include "test_support.h"

#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024 * 1024)

/* ---- The counting server ----------------------------------------------------- */

#define MAX_LINES 8192

typedef struct counter {
    pid_t pid;
    int port, out_fd;
    pthread_t reader;
    pthread_mutex_t lock;
    char *lines[MAX_LINES];
    size_t nlines;
} counter;

static void *counter_read(void *arg) {
    counter *c = arg;
    char buf[4096], line[512];
    size_t have = 0;
    for (;;) {
        ssize_t n = read(c->out_fd, buf, sizeof buf);
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; ++i) {
            if (buf[i] != '\n') {
                if (have < sizeof line - 1) line[have++] = buf[i];
                continue;
            }
            line[have] = 0;
            have = 0;
            pthread_mutex_lock(&c->lock);
            if (c->nlines < MAX_LINES) c->lines[c->nlines++] = strdup(line);
            pthread_mutex_unlock(&c->lock);
        }
    }
    return NULL;
}

static bool counter_has_port(void *context) {
    counter *c = context;
    pthread_mutex_lock(&c->lock);
    bool ok = c->nlines > 0 && sscanf(c->lines[0], "PORT %d", &c->port) == 1;
    pthread_mutex_unlock(&c->lock);
    return ok;
}

static void counter_start(counter *c) {
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    int p[2];
    assert_int_equal(pipe(p), 0);
    c->pid = fork();
    assert_true(c->pid >= 0);
    if (c->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);   /* never outlive a test killed by a timeout */
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execl("/usr/bin/python3", "python3", POLYWS_COUNTING_SERVER, "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    c->out_fd = p[0];
    assert_int_equal(pthread_create(&c->reader, NULL, counter_read, c), 0);
    assert_true(poll_until(counter_has_port, c, WAIT_SECONDS));
}

/* Kills it if still alive (SIGCONT first, in case it was stopped). */
static void counter_stop(counter *c) {
    if (c->pid > 0) {
        kill(c->pid, SIGCONT);
        kill(c->pid, SIGKILL);
        waitpid(c->pid, NULL, 0);
        c->pid = -1;
    }
    pthread_join(c->reader, NULL);
    close(c->out_fd);
    for (size_t i = 0; i < c->nlines; ++i) free(c->lines[i]);
    pthread_mutex_destroy(&c->lock);
}

static void counter_kill(counter *c) {
    assert_int_equal(kill(c->pid, SIGKILL), 0);
    waitpid(c->pid, NULL, 0);
    c->pid = -1;
}

static void counter_url(const counter *c, char *out, size_t n, const char *path_and_query) {
    snprintf(out, n, "ws://127.0.0.1:%d%s", c->port, path_and_query);
}

/* MSG lines for `id`: how many, and whether their sequence was 0, 1, ... */
static size_t counter_msgs(counter *c, const char *id, bool *in_order) {
    char prefix[80];
    snprintf(prefix, sizeof prefix, "MSG id=%s seq=", id);
    size_t n = 0;
    bool ordered = true;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->nlines; ++i)
        if (!strncmp(c->lines[i], prefix, strlen(prefix))) {
            if (atol(c->lines[i] + strlen(prefix)) != (long)n) ordered = false;
            ++n;
        }
    pthread_mutex_unlock(&c->lock);
    if (in_order) *in_order = ordered;
    return n;
}

struct end_report {
    bool found;
    unsigned long messages, bytes;
    int in_order, code;
    char end[16];
};

static struct end_report counter_end(counter *c, const char *id) {
    struct end_report r = {0};
    char prefix[80];
    snprintf(prefix, sizeof prefix, "END id=%s ", id);
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->nlines && !r.found; ++i)
        if (!strncmp(c->lines[i], prefix, strlen(prefix)))
            r.found = sscanf(c->lines[i] + strlen(prefix),
                             "messages=%lu bytes=%lu in_order=%d end=%15s code=%d", &r.messages,
                             &r.bytes, &r.in_order, r.end, &r.code) == 5;
    pthread_mutex_unlock(&c->lock);
    return r;
}

struct end_wait {
    counter *c;
    const char *id;
};

static bool has_end(void *context) {
    struct end_wait *w = context;
    return counter_end(w->c, w->id).found;
}

struct msg_wait {
    counter *c;
    const char *id;
    size_t n;
};

static bool has_msgs(void *context) {
    struct msg_wait *w = context;
    return counter_msgs(w->c, w->id, NULL) >= w->n;
}

/* ---- Baseline: descriptors, threads, heap ---------------------------------------- */

/* Heap growth allowed after everything is freed: one-time allocations of
 * the process (the default loop, OpenSSL and lws tables, stdio buffers). */
#define HEAP_SLACK (512 * 1024)

static resources baseline;

static void take_baseline(void) { baseline = resources_now(true); }

static void expect_baseline(void) { assert_true(resources_back_to(&baseline, HEAP_SLACK)); }

/* ---- Helpers ------------------------------------------------------------------ */

/* Event types in order, as a string: o(pen) m(essage) e(rror) c(lose). */
static void sequence(recorder *r, char *out, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < recorder_count(r, 0) && k + 1 < n; ++i) {
        switch (recorder_get(r, 0, i)->type) {
        case WS_EVENT_OPEN: out[k++] = 'o'; break;
        case WS_EVENT_MESSAGE: out[k++] = 'm'; break;
        case WS_EVENT_ERROR: out[k++] = 'e'; break;
        case WS_EVENT_CLOSE: out[k++] = 'c'; break;
        default: out[k++] = '?';
        }
    }
    out[k] = 0;
}

static void expect_sequence(recorder *r, const char *want) {
    char got[256];
    sequence(r, got, sizeof got);
    if (strcmp(got, want) != 0) print_error("events '%s', want '%s'\n", got, want);
    assert_string_equal(got, want);
}

/* A message "<seq>:" padded with 'x' to `size` bytes. */
static char *seq_message(unsigned long seq, size_t size) {
    char *m = malloc(size + 1);
    assert_non_null(m);
    memset(m, 'x', size);
    int n = snprintf(m, size + 1, "%lu:", seq);
    if ((size_t)n < size) m[n] = 'x';
    return m;
}

static void send_seq(ws_socket *ws, unsigned long seq, size_t size) {
    char *m = seq_message(seq, size);
    assert_int_equal(ws_send_binary(ws, m, size), WS_OK);
    free(m);
}

static ws_options *options(void) {
    ws_options *o = NULL;
    assert_int_equal(ws_options_new(&o), WS_OK);
    return o;
}

/* ---- Cases ---------------------------------------------------------------------- */

/* The server dies (SIGKILL) while a message is on its way: it was stopped
 * first, so the kernel buffers hold part of a message, then killed (the
 * kernel resets the connection). Rule 24: close 1006, wasClean false, and
 * no error event. Every message is either counted by the server (in order),
 * reported unsent by the close event, or was in TCP's buffers when the peer
 * died (bounded by what those buffers hold). */
static void test_server_killed_mid_message(void **state) {
    (void)state;
    counter c;
    counter_start(&c);
    take_baseline();
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    char url[128];
    counter_url(&c, url, sizeof url, "/count?id=kill&each");
    ws_socket *ws = open_socket(loop, url, NULL, &r);
    const size_t size = MIB, before = 4, total = 24;
    for (unsigned long i = 0; i < before; ++i) send_seq(ws, i, size);
    struct msg_wait w = {&c, "kill", before};
    assert_true(poll_until(has_msgs, &w, WAIT_SECONDS));
    assert_int_equal(kill(c.pid, SIGSTOP), 0);
    for (unsigned long i = before; i < total; ++i) send_seq(ws, i, size);
    assert_true(ws_buffered_amount(ws) > 0);   /* the rest cannot leave */
    counter_kill(&c);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    expect_sequence(&r, "oc");
    const rec_event *close = recorder_get(&r, WS_EVENT_CLOSE, 0);
    assert_int_equal(close->code, 1006);
    assert_false(close->was_clean);
    bool in_order = false;
    size_t delivered = counter_msgs(&c, "kill", &in_order);
    assert_true(in_order);
    assert_true(delivered >= before);
    assert_true(close->unsent_messages > 0);
    assert_true(delivered + close->unsent_messages <= total);
    /* In flight when the peer died: at most what loopback buffers hold. */
    assert_true(total - delivered - close->unsent_messages <= 16);
    assert_int_equal(close->unsent_bytes, ws_buffered_amount(ws));
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
    expect_baseline();
    counter_stop(&c);
}

/* The server resets the connection (SO_LINGER 0) after 5 messages. */
static void test_tcp_reset_by_server(void **state) {
    (void)state;
    counter c;
    counter_start(&c);
    take_baseline();
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    char url[128];
    counter_url(&c, url, sizeof url, "/reset?after=5&id=rst&each");
    ws_socket *ws = open_socket(loop, url, NULL, &r);
    const unsigned long total = 200;
    for (unsigned long i = 0; i < total; ++i) send_seq(ws, i, 64 * 1024);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    expect_sequence(&r, "oc");   /* a reset is not a failure: no error (rule 24) */
    const rec_event *close = recorder_get(&r, WS_EVENT_CLOSE, 0);
    assert_int_equal(close->code, 1006);
    assert_false(close->was_clean);
    struct end_wait ew = {&c, "rst"};
    assert_true(poll_until(has_end, &ew, WAIT_SECONDS));
    struct end_report end = counter_end(&c, "rst");
    assert_string_equal(end.end, "reset");
    assert_int_equal(end.messages, 5);
    assert_int_equal(end.in_order, 1);
    assert_true(end.messages + close->unsent_messages <= total);
    assert_true(total - end.messages - close->unsent_messages <= 16 * MIB / (64 * 1024));
    assert_int_equal(close->unsent_bytes, ws_buffered_amount(ws));
    /* Sends after the end: discarded, counted, never an error (rule 11). */
    uint64_t b = ws_buffered_amount(ws);
    assert_int_equal(ws_send_text(ws, "late", 4), WS_OK);
    assert_int_equal(ws_buffered_amount(ws), b + 4);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
    expect_baseline();
    counter_stop(&c);
}

/* The server stops answering (SIGSTOP). With keepalive, the missing pong
 * fails the connection: error, then close 1006 (rule 25). Everything sent
 * before the stop was counted once the server resumes. */
static void test_silent_peer_with_keepalive(void **state) {
    (void)state;
    counter c;
    counter_start(&c);
    take_baseline();
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    char url[128];
    counter_url(&c, url, sizeof url, "/count?id=ka&each");
    ws_options *o = options();
    /* A pong timeout generous enough for a loaded CI machine. */
    assert_int_equal(ws_options_set_ping_interval_ms(o, 150), WS_OK);
    assert_int_equal(ws_options_set_pong_timeout_ms(o, 1000), WS_OK);
    ws_socket *ws = open_socket(loop, url, o, &r);
    ws_options_free(o);
    for (unsigned long i = 0; i < 10; ++i) send_seq(ws, i, 100);
    struct msg_wait w = {&c, "ka", 10};
    assert_true(poll_until(has_msgs, &w, WAIT_SECONDS));
    /* Pings are answered while the peer lives: still open after several
     * intervals (the pong timeout has passed at least once). */
    sleep_ms(1200);
    ws_loop_dispatch(loop, 0, NULL);
    assert_int_equal(ws_ready_state(ws), WS_OPEN);
    assert_int_equal(kill(c.pid, SIGSTOP), 0);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    expect_sequence(&r, "oec");
    const rec_event *err = recorder_get(&r, WS_EVENT_ERROR, 0);
    assert_int_equal(err->state, WS_CLOSED);
    if (!strstr(err->error, "ping")) print_error("error message: %s\n", err->error);
    assert_true(strstr(err->error, "ping") != NULL);
    const rec_event *close = recorder_get(&r, WS_EVENT_CLOSE, 0);
    assert_int_equal(close->code, 1006);
    assert_false(close->was_clean);
    assert_int_equal(close->unsent_messages, 0);
    assert_int_equal(kill(c.pid, SIGCONT), 0);
    assert_int_equal(counter_msgs(&c, "ka", NULL), 10);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
    expect_baseline();
    counter_stop(&c);
}

/* Without keepalive a silent peer is only noticed when closing: close()
 * sends the close frame, no answer comes, the close timeout drops TCP and
 * close reports 1006, wasClean false. That is the end of a closing
 * handshake, not a failure: no error event. */
static void test_silent_peer_without_keepalive_close_times_out(void **state) {
    (void)state;
    counter c;
    counter_start(&c);
    take_baseline();
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    char url[128];
    counter_url(&c, url, sizeof url, "/count?id=nk&each");
    ws_options *o = options();
    assert_int_equal(ws_options_set_close_timeout_ms(o, 500), WS_OK);
    ws_socket *ws = open_socket(loop, url, o, &r);
    ws_options_free(o);
    for (unsigned long i = 0; i < 10; ++i) send_seq(ws, i, 100);
    struct msg_wait w = {&c, "nk", 10};
    assert_true(poll_until(has_msgs, &w, WAIT_SECONDS));
    assert_int_equal(kill(c.pid, SIGSTOP), 0);
    sleep_ms(300);   /* silence: nothing may happen on its own */
    ws_loop_dispatch(loop, 0, NULL);
    assert_int_equal(ws_ready_state(ws), WS_OPEN);
    double t0 = now_seconds();
    assert_int_equal(ws_close(ws, 1000, "bye"), WS_OK);
    assert_int_equal(ws_ready_state(ws), WS_CLOSING);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    assert_true(now_seconds() - t0 >= 0.4);   /* it waited for the close timeout */
    expect_sequence(&r, "oc");
    const rec_event *close = recorder_get(&r, WS_EVENT_CLOSE, 0);
    assert_int_equal(close->code, 1006);
    assert_false(close->was_clean);
    assert_int_equal(close->unsent_messages, 0);
    assert_int_equal(kill(c.pid, SIGCONT), 0);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
    expect_baseline();
    counter_stop(&c);
}

struct amount {
    ws_socket *ws;
    uint64_t at_most;
};

static bool buffered_at_most(void *context) {
    struct amount *a = context;
    return ws_buffered_amount(a->ws) <= a->at_most;
}

/* A reader slower than the writer: bufferedAmount grows past what the
 * kernel takes, falls back to 0 as the reader catches up, and every message
 * arrives, in order; the close is clean with nothing unsent. */
static void test_slow_reader_fills_the_send_buffer(void **state) {
    (void)state;
    counter c;
    counter_start(&c);
    take_baseline();
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    char url[128];
    counter_url(&c, url, sizeof url, "/slow?id=slow");
    ws_socket *ws = open_socket(loop, url, NULL, &r);
    const unsigned long total = 40;
    const size_t size = 256 * 1024;
    for (unsigned long i = 0; i < total; ++i) send_seq(ws, i, size);
    uint64_t queued = ws_buffered_amount(ws);
    assert_true(queued > 2 * MIB);   /* far more than a slow reader took */
    struct amount zero = {ws, 0};
    assert_true(wait_for(loop, buffered_at_most, &zero, 60));
    assert_int_equal(ws_close(ws, 1000, "done"), WS_OK);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    expect_sequence(&r, "oc");
    const rec_event *close = recorder_get(&r, WS_EVENT_CLOSE, 0);
    assert_int_equal(close->code, 1000);
    assert_true(close->was_clean);
    assert_int_equal(close->unsent_messages, 0);
    assert_int_equal(close->unsent_bytes, 0);
    struct end_wait ew = {&c, "slow"};
    assert_true(poll_until(has_end, &ew, WAIT_SECONDS));
    struct end_report end = counter_end(&c, "slow");
    assert_int_equal(end.messages, total);
    assert_int_equal(end.bytes, total * size);
    assert_int_equal(end.in_order, 1);
    assert_string_equal(end.end, "close");
    assert_int_equal(end.code, 1000);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
    expect_baseline();
    counter_stop(&c);
}

/* A listener whose backlog completes the TCP handshake (the kernel accepts)
 * but whose owner never reads or answers: the connect timeout fails the
 * connection: error, then close 1006, never open (rule 25). */
static void test_server_accepts_tcp_and_never_answers(void **state) {
    (void)state;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 64), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    char url[64];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", ntohs(a.sin_port));
    take_baseline();
    for (int delivery = 0; delivery < 2; ++delivery) {
        ws_loop *loop = NULL;
        assert_int_equal(ws_loop_new(delivery ? WS_DELIVERY_IO_THREAD : WS_DELIVERY_DISPATCH, &loop),
                         WS_OK);
        recorder r;
        recorder_init(&r);
        ws_options *o = options();
        assert_int_equal(ws_options_set_connect_timeout_ms(o, 300), WS_OK);
        if (delivery) ws_options_set_deferred_connect(o, true);
        ws_socket *ws = new_socket(loop, url, NULL, 0, o, attach_recorder, &r);
        ws_options_free(o);
        assert_non_null(ws);
        double t0 = now_seconds();
        assert_true(delivery ? poll_events(&r, WS_EVENT_CLOSE, 1)
                             : wait_events(loop, &r, WS_EVENT_CLOSE, 1));
        assert_true(now_seconds() - t0 >= 0.25);
        expect_sequence(&r, "ec");
        const rec_event *err = recorder_get(&r, WS_EVENT_ERROR, 0);
        assert_int_equal(err->state, WS_CLOSED);
        if (!strstr(err->error, "within")) print_error("error message: %s\n", err->error);
        assert_true(strstr(err->error, "within") != NULL);
        const rec_event *close = recorder_get(&r, WS_EVENT_CLOSE, 0);
        assert_int_equal(close->code, 1006);
        assert_false(close->was_clean);
        ws_free(ws);
        ws_loop_free(loop);
        recorder_free(&r);
    }
    expect_baseline();
    close(fd);
}

/* ---- close() and ws_free() racing with events and sends ------------------------ */

struct race {
    ws_socket *ws;
    atomic_bool stop_senders, freed;
    atomic_int after_free;      /* listener calls after ws_free returned */
    atomic_int closes, errors, messages, opens, after_close;
    atomic_ulong sent_ok, send_errors;
};

static void race_listener(ws_socket *ws, const ws_event *ev, void *ud) {
    struct race *x = ud;
    (void)ws;
    if (atomic_load(&x->freed)) atomic_fetch_add(&x->after_free, 1);
    if (atomic_load(&x->closes)) atomic_fetch_add(&x->after_close, 1);
    switch (ws_event_type(ev)) {
    case WS_EVENT_OPEN: atomic_fetch_add(&x->opens, 1); break;
    case WS_EVENT_MESSAGE: atomic_fetch_add(&x->messages, 1); break;
    case WS_EVENT_ERROR: atomic_fetch_add(&x->errors, 1); break;
    case WS_EVENT_CLOSE: atomic_fetch_add(&x->closes, 1); break;
    default: break;
    }
}

static void *race_sender(void *arg) {
    struct race *x = arg;
    char m[64];
    for (int i = 0; i < 100000 && !atomic_load(&x->stop_senders); ++i) {
        int n = snprintf(m, sizeof m, "%d:from a sender thread", i);
        if (ws_send_text(x->ws, m, (size_t)n) == WS_OK) atomic_fetch_add(&x->sent_ok, 1);
        else atomic_fetch_add(&x->send_errors, 1);
    }
    return NULL;
}

struct dispatcher {
    ws_loop *loop;
    atomic_bool stop;
};

static void *dispatch_thread(void *arg) {
    struct dispatcher *d = arg;
    while (!atomic_load(&d->stop)) ws_loop_dispatch(d->loop, 5, NULL);
    return NULL;
}

static bool race_opened(void *context) { return atomic_load(&((struct race *)context)->opens) > 0; }
static bool race_busy(void *context) {
    struct race *x = context;
    return atomic_load(&x->messages) >= 50 && atomic_load(&x->sent_ok) >= 50;
}

static void attach_race(ws_socket *ws, void *context) {
    for (int t = WS_EVENT_OPEN; t <= WS_EVENT_CLOSE; ++t)
        ws_add_event_listener(ws, (ws_event_type_t)t, race_listener, context);
}

/* One round: the server floods the client with messages while three
 * threads send; the main thread calls close() (or not) and then ws_free()
 * while events keep coming (dispatched by another thread, or delivered on
 * the I/O thread). No listener may run once ws_free() has returned; the
 * event sequence stays the browser's; sends never fail (after close they
 * are discarded, rule 11). */
static void race_round(counter *c, ws_delivery_t delivery, bool close_first, int round) {
    ws_loop *loop = NULL;
    assert_int_equal(ws_loop_new(delivery, &loop), WS_OK);
    struct race *x = calloc(1, sizeof *x);
    assert_non_null(x);
    char url[128], path[64];
    snprintf(path, sizeof path, "/flood?n=20000&id=race%d", round);
    counter_url(c, url, sizeof url, path);
    ws_options *o = options();
    /* new_socket() connects deferred sockets of I/O-thread loops itself */
    if (delivery == WS_DELIVERY_IO_THREAD) ws_options_set_deferred_connect(o, true);
    x->ws = new_socket(loop, url, NULL, 0, o, attach_race, x);
    ws_options_free(o);
    assert_non_null(x->ws);
    struct dispatcher d = {loop, false};
    pthread_t disp;
    if (delivery == WS_DELIVERY_DISPATCH)
        assert_int_equal(pthread_create(&disp, NULL, dispatch_thread, &d), 0);
    assert_true(poll_until(race_opened, x, WAIT_SECONDS));
    pthread_t senders[3];
    for (int i = 0; i < 3; ++i) assert_int_equal(pthread_create(&senders[i], NULL, race_sender, x), 0);
    assert_true(poll_until(race_busy, x, WAIT_SECONDS));
    if (close_first) assert_int_equal(ws_close(x->ws, 1000, "race"), WS_OK);
    atomic_store(&x->stop_senders, true);
    for (int i = 0; i < 3; ++i) pthread_join(senders[i], NULL);
    ws_free(x->ws);   /* events still arriving */
    atomic_store(&x->freed, true);
    sleep_ms(50);     /* any late listener call would be counted now */
    atomic_store(&d.stop, true);
    if (delivery == WS_DELIVERY_DISPATCH) pthread_join(disp, NULL);
    ws_loop_free(loop);
    assert_int_equal(atomic_load(&x->after_free), 0);
    assert_int_equal(atomic_load(&x->send_errors), 0);
    assert_int_equal(atomic_load(&x->opens), 1);
    assert_int_equal(atomic_load(&x->errors), 0);
    assert_true(atomic_load(&x->closes) <= 1);
    assert_int_equal(atomic_load(&x->after_close), 0);
    free(x);
}

static void test_close_and_free_race_with_events_and_sends(void **state) {
    (void)state;
    counter c;
    counter_start(&c);
    take_baseline();
    int round = 0;
    for (int i = 0; i < 4; ++i)
        for (int delivery = 0; delivery < 2; ++delivery)
            race_round(&c, delivery ? WS_DELIVERY_IO_THREAD : WS_DELIVERY_DISPATCH, i % 2 == 0,
                       round++);
    expect_baseline();
    counter_stop(&c);
}

/* ---- Thousands of sockets ------------------------------------------------------ */

#define BATCH 100
#define ROUNDS 20   /* 2000 sockets */

struct many {
    atomic_int opened, closed_clean, closed_other, errors, messages;
};

static void many_listener(ws_socket *ws, const ws_event *ev, void *ud) {
    struct many *m = ud;
    switch (ws_event_type(ev)) {
    case WS_EVENT_OPEN:
        atomic_fetch_add(&m->opened, 1);
        ws_send_text(ws, "0:hello", 7);
        break;
    case WS_EVENT_MESSAGE:
        atomic_fetch_add(&m->messages, 1);
        ws_close(ws, 1000, NULL);   /* echoed: done */
        break;
    case WS_EVENT_ERROR: atomic_fetch_add(&m->errors, 1); break;
    case WS_EVENT_CLOSE:
        if (ws_event_code(ev) == 1000 && ws_event_was_clean(ev)) atomic_fetch_add(&m->closed_clean, 1);
        else atomic_fetch_add(&m->closed_other, 1);
        break;
    default: break;
    }
}

struct many_wait {
    struct many *m;
    int n;
};

static bool many_done(void *context) {
    struct many_wait *w = context;
    return atomic_load(&w->m->closed_clean) + atomic_load(&w->m->closed_other) >= w->n;
}

static void test_thousands_of_sockets_opened_and_closed(void **state) {
    (void)state;
    echo_server peer;
    assert_int_equal(echo_start(&peer, NULL, 0), 0);
    take_baseline();
    ws_loop *loop = new_dispatch_loop();
    struct many m;
    memset(&m, 0, sizeof m);
    ws_socket *batch[BATCH];
    for (int round = 0; round < ROUNDS; ++round) {
        for (int i = 0; i < BATCH; ++i) {
            assert_int_equal(ws_new_ex(loop, peer.url, NULL, 0, NULL, &batch[i]), WS_OK);
            for (int t = WS_EVENT_OPEN; t <= WS_EVENT_CLOSE; ++t)
                ws_add_event_listener(batch[i], (ws_event_type_t)t, many_listener, &m);
        }
        struct many_wait w = {&m, (round + 1) * BATCH};
        assert_true(wait_for(loop, many_done, &w, 60));
        for (int i = 0; i < BATCH; ++i) ws_free(batch[i]);
    }
    const int total = BATCH * ROUNDS;
    assert_int_equal(atomic_load(&m.opened), total);
    assert_int_equal(atomic_load(&m.messages), total);
    assert_int_equal(atomic_load(&m.closed_clean), total);
    assert_int_equal(atomic_load(&m.closed_other), 0);
    assert_int_equal(atomic_load(&m.errors), 0);
    ws_loop_free(loop);
    expect_baseline();
    echo_stop(&peer);
}

int main(void) {
    test_support_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_killed_mid_message),
        cmocka_unit_test(test_tcp_reset_by_server),
        cmocka_unit_test(test_silent_peer_with_keepalive),
        cmocka_unit_test(test_silent_peer_without_keepalive_close_times_out),
        cmocka_unit_test(test_slow_reader_fills_the_send_buffer),
        cmocka_unit_test(test_server_accepts_tcp_and_never_answers),
        cmocka_unit_test(test_close_and_free_race_with_events_and_sends),
        cmocka_unit_test(test_thousands_of_sockets_opened_and_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
