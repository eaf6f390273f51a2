/*
 * WS_DELIVERY_HOST_DRIVEN loops: no I/O thread; ws_loop_dispatch() and
 * ws_loop_next_event() do the loop's I/O on the calling thread, then run
 * the events. Covers: no fd and no thread of the library's own; the event
 * sequence and the thread listeners run on; sends from other threads; how
 * bufferedAmount settles; freeing from a listener and without dispatching;
 * reentrancy; two dispatching threads; timers; many sockets; the pull path.
 *
 * test_support's wait_for() only polls loops whose ws_loop_fd() is -1 (it
 * was written for I/O-thread loops), and a host-driven loop makes no
 * progress unless dispatched, so this file has waits of its own that
 * dispatch: wait_for() and wait_events().
 */
#include "test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- Waits that drive the loop ------------------------------------------ */

static ws_loop *new_host_driven_loop(void) {
    ws_loop *loop = NULL;
    assert_int_equal(ws_loop_new(WS_DELIVERY_HOST_DRIVEN, &loop), WS_OK);
    assert_non_null(loop);
    return loop;
}

/* test_support's open_socket (which dispatches host-driven loops), plus
 * the check that the socket reads OPEN once the open event ran. */
static ws_socket *open_on(ws_loop *loop, const char *url, const ws_options *options, recorder *r) {
    ws_socket *ws = open_socket(loop, url, options, r);   /* test_support: dispatches */
    assert_int_equal(ws_ready_state(ws), WS_OPEN);
    return ws;
}

/* A host-driven loop and a recorder per test. A test that frees the loop
 * itself sets f->loop to NULL. */
static int hd_setup(void **state) {
    struct fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    if (ws_loop_new(WS_DELIVERY_HOST_DRIVEN, &f->loop) != WS_OK) {
        free(f);
        return -1;
    }
    recorder_init(&f->r);
    *state = f;
    return 0;
}

static int hd_teardown(void **state) {
    struct fixture *f = *state;
    ws_loop_free(f->loop);
    recorder_free(&f->r);
    free(f);
    return 0;
}

#define HD(name) cmocka_unit_test_setup_teardown(name, hd_setup, hd_teardown)

static int threads_now(void) { return count_dir_entries("/proc/self/task"); }

static void *do_nothing(void *arg) { return arg; }

/* Run once before the tests: a sanitizer runtime (TSan) starts a helper
 * thread of its own at the process's first pthread_create(), which would
 * otherwise count against whichever test makes the first thread. */
static void start_runtime_threads(void) {
    pthread_t thread;
    if (pthread_create(&thread, NULL, do_nothing, NULL) == 0) pthread_join(thread, NULL);
}

/* ---- 1. No descriptor; dispatch with nothing to do -------------------------- */

static void test_host_driven_no_fd_and_empty_dispatch(void **state) {
    struct fixture *f = *state;
    assert_int_equal(ws_loop_fd(f->loop), -1);
    size_t n = 99;
    assert_int_equal(ws_loop_dispatch(f->loop, 0, &n), WS_OK);
    assert_int_equal(n, 0);
    n = 99;
    assert_int_equal(ws_loop_dispatch(f->loop, 50, &n), WS_OK); /* waits, returns */
    assert_int_equal(n, 0);
    assert_int_equal(ws_loop_dispatch(f->loop, 0, NULL), WS_OK);
    const ws_event *event = (const ws_event *)(uintptr_t)1;
    assert_int_equal(ws_loop_next_event(f->loop, 0, &event), WS_OK);
    assert_null(event);
    event = (const ws_event *)(uintptr_t)1;
    assert_int_equal(ws_loop_next_event(f->loop, 50, &event), WS_OK);
    assert_null(event);
    assert_int_equal(ws_loop_fd(f->loop), -1); /* still */
}

/* "Waits up to timeout_ms": with nothing happening on any socket, a call
 * with a short timeout must come back. The one time bound in these tests,
 * and a loose one (STALL_SECONDS, hundreds of times the timeout): what it
 * catches is a wait that runs on to libwebsockets' next timer of its own,
 * about 30 s away, when the deadline timer fires inside lws_service() just
 * before its poll(). */
#define STALL_SECONDS 10.0

static void expect_short_waits(ws_loop *loop, const char *what) {
    for (int i = 0; i < 10; ++i) {
        double start = now_seconds();
        size_t n = 99;
        assert_int_equal(ws_loop_dispatch(loop, 20, &n), WS_OK);
        double took = now_seconds() - start;
        if (took > STALL_SECONDS)
            print_error("%s: ws_loop_dispatch(loop, 20 ms) call %d took %.1f s\n", what, i, took);
        assert_true(took <= STALL_SECONDS);
        assert_int_equal(n, 0);
        start = now_seconds();
        const ws_event *event = (const ws_event *)(uintptr_t)1;
        assert_int_equal(ws_loop_next_event(loop, 20, &event), WS_OK);
        took = now_seconds() - start;
        if (took > STALL_SECONDS)
            print_error("%s: ws_loop_next_event(loop, 20 ms) call %d took %.1f s\n", what, i,
                        took);
        assert_true(took <= STALL_SECONDS);
        assert_null(event);
    }
}

static void test_host_driven_dispatch_timeout_bounds_the_wait(void **state) {
    struct fixture *f = *state;
    expect_short_waits(f->loop, "no socket");
    ws_socket *ws = open_on(f->loop, server.url, NULL, &f->r);
    expect_short_waits(f->loop, "one idle open socket");
    ws_free(ws);
}

/* ---- 2. No thread of the library's own -------------------------------------- */

static void test_host_driven_starts_no_thread(void **state) {
    (void)state;
    resources baseline = resources_now(false);

    ws_loop *loop = new_host_driven_loop();
    assert_int_equal(threads_now(), baseline.threads);

    /* 127.0.0.1 is numeric: no name-lookup thread either. */
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    assert_int_equal(threads_now(), baseline.threads);

    recorder r;
    recorder_init(&r);
    recorder_attach(&r, ws);
    assert_true(wait_events(loop, &r, WS_EVENT_OPEN, 1));
    assert_int_equal(threads_now(), baseline.threads);
    assert_int_equal(ws_send_text(ws, "no thread", 9), WS_OK);
    assert_true(wait_events(loop, &r, WS_EVENT_MESSAGE, 1));
    assert_int_equal(threads_now(), baseline.threads);
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    assert_int_equal(threads_now(), baseline.threads);

    ws_free(ws);
    ws_loop_free(loop);
    /* Nothing to join: the count never moved. Descriptors come back too. */
    assert_int_equal(threads_now(), baseline.threads);
    bool released = resources_back_to(&baseline, 0);
    recorder_free(&r);
    assert_true(released);
}

/* ---- 3. A conversation: order, contents, the thread listeners run on -------- */

static void test_host_driven_echo_conversation_on_own_thread(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&f->r, ws);
    assert_int_equal(ws_ready_state(ws), WS_CONNECTING);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_OPEN, 1));

    static const uint8_t binary[] = {0x00, 0x01, 0x80, 0xff, 0x7f};
    assert_int_equal(ws_send_text(ws, "hello, host", 11), WS_OK);
    assert_int_equal(ws_send_binary(ws, binary, sizeof binary), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 2));
    assert_int_equal(ws_close(ws, 1000, "bye"), WS_OK);
    assert_int_equal(ws_ready_state(ws), WS_CLOSING);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    assert_int_equal(ws_ready_state(ws), WS_CLOSED);

    /* open, text, binary, close; nothing else. */
    assert_int_equal(recorder_count(&f->r, 0), 4);
    const rec_event *open = recorder_get(&f->r, 0, 0);
    const rec_event *text = recorder_get(&f->r, 0, 1);
    const rec_event *bin = recorder_get(&f->r, 0, 2);
    const rec_event *close = recorder_get(&f->r, 0, 3);
    assert_int_equal(open->type, WS_EVENT_OPEN);
    assert_int_equal(open->state, WS_OPEN);
    assert_int_equal(text->type, WS_EVENT_MESSAGE);
    assert_false(text->binary);
    assert_int_equal(text->size, 11);
    assert_memory_equal(text->data, "hello, host", 11);
    assert_true(text->nul_after_data);
    assert_int_equal(bin->type, WS_EVENT_MESSAGE);
    assert_true(bin->binary);
    assert_int_equal(bin->size, sizeof binary);
    assert_memory_equal(bin->data, binary, sizeof binary);
    assert_int_equal(close->type, WS_EVENT_CLOSE);
    assert_true(close->was_clean);
    assert_int_equal(close->code, 1000);
    assert_string_equal(close->reason, "bye");
    assert_int_equal(close->state, WS_CLOSED);

    /* Every listener ran on the thread that dispatched: this one. */
    pthread_t me = pthread_self();
    for (size_t i = 0; i < recorder_count(&f->r, 0); ++i)
        assert_true(pthread_equal(recorder_get(&f->r, 0, i)->thread, me));
    ws_free(ws);
}

/* ---- 4. Sends from other threads while this one dispatches ------------------- */

#define SENDERS 2
#define PER_SENDER 500

struct sender {
    ws_socket *ws;
    int id;
    int failures;
};

static void *send_numbered(void *arg) {
    struct sender *s = arg;
    for (int i = 0; i < PER_SENDER; ++i) {
        char text[32];
        int n = snprintf(text, sizeof text, "%d:%d", s->id, i);
        if (ws_send_text(s->ws, text, (size_t)n) != WS_OK) s->failures++;
    }
    return NULL;
}

static void test_host_driven_sends_from_other_threads(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_on(f->loop, server.url, NULL, &f->r);
    pthread_t threads[SENDERS];
    struct sender senders[SENDERS];
    for (int t = 0; t < SENDERS; ++t) {
        senders[t] = (struct sender){ws, t, 0};
        assert_int_equal(pthread_create(&threads[t], NULL, send_numbered, &senders[t]), 0);
    }
    /* This thread does the I/O meanwhile; sends that find it dispatching are
     * handed to it, the others write themselves. */
    bool done = wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, SENDERS * PER_SENDER);
    for (int t = 0; t < SENDERS; ++t) pthread_join(threads[t], NULL);
    for (int t = 0; t < SENDERS; ++t) assert_int_equal(senders[t].failures, 0);
    if (!done)
        print_error("%zu of %d echoes arrived\n", recorder_count(&f->r, WS_EVENT_MESSAGE),
                    SENDERS * PER_SENDER);
    assert_true(done);
    assert_int_equal(recorder_count(&f->r, WS_EVENT_MESSAGE), SENDERS * PER_SENDER);

    int next[SENDERS] = {0};
    pthread_t me = pthread_self();
    for (size_t i = 0; i < SENDERS * PER_SENDER; ++i) {
        const rec_event *e = recorder_get(&f->r, WS_EVENT_MESSAGE, i);
        int id = -1, seq = -1;
        assert_int_equal(sscanf((const char *)e->data, "%d:%d", &id, &seq), 2);
        assert_true(id >= 0 && id < SENDERS);
        /* Per sender in order; nothing lost or duplicated. */
        assert_int_equal(seq, next[id]);
        next[id]++;
        assert_true(pthread_equal(e->thread, me));
    }
    for (int t = 0; t < SENDERS; ++t) assert_int_equal(next[t], PER_SENDER);
    /* Everything was echoed, so everything went out. */
    assert_int_equal(ws_buffered_amount(ws), 0);
    ws_free(ws);
}

/* ---- 5. bufferedAmount --------------------------------------------------------- */

static void test_host_driven_send_without_dispatcher_writes_at_once(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_on(f->loop, server.url, NULL, &f->r);
    assert_int_equal(ws_buffered_amount(ws), 0);
    /* No thread dispatches: this thread writes to the kernel within the call. */
    assert_int_equal(ws_send_text(ws, "straight out", 12), WS_OK);
    assert_int_equal(ws_buffered_amount(ws), 0);
    assert_int_equal(ws_send_binary(ws, "\x01\x02\x03", 3), WS_OK);
    assert_int_equal(ws_buffered_amount(ws), 0);
    /* And they really went: both come back. */
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 2));
    assert_memory_equal(recorder_get(&f->r, WS_EVENT_MESSAGE, 0)->data, "straight out", 12);
    assert_memory_equal(recorder_get(&f->r, WS_EVENT_MESSAGE, 1)->data, "\x01\x02\x03", 3);
    ws_free(ws);
}

#define PROBE_TEXT 1000
#define PROBE_BINARY 3000

struct buffered_probe {
    int calls;
    uint64_t before, after_text, after_binary;
    ws_result text_rc, binary_rc;
};

static void probe_buffered(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)event;
    struct buffered_probe *p = user_data;
    if (p->calls++ > 0) return; /* only the first message: the echoes follow */
    static char text[PROBE_TEXT];
    static uint8_t binary[PROBE_BINARY];
    memset(text, 'b', sizeof text);
    for (size_t i = 0; i < sizeof binary; ++i) binary[i] = (uint8_t)(i * 7);
    p->before = ws_buffered_amount(ws);
    p->text_rc = ws_send_text(ws, text, sizeof text);
    p->after_text = ws_buffered_amount(ws);
    p->binary_rc = ws_send_binary(ws, binary, sizeof binary);
    /* The bytes are already in the kernel, but a page's bufferedAmount
     * does not fall while its script runs. */
    p->after_binary = ws_buffered_amount(ws);
}

static bool probe_ran(void *context) { return ((struct buffered_probe *)context)->calls > 0; }

static void test_host_driven_buffered_amount_settles_after_dispatch(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_on(f->loop, server.url, NULL, &f->r);
    struct buffered_probe p;
    memset(&p, 0, sizeof p);
    assert_int_equal(ws_set_onmessage(ws, probe_buffered, &p), WS_OK);
    assert_int_equal(ws_send_text(ws, "go", 2), WS_OK);
    assert_int_equal(ws_buffered_amount(ws), 0);

    /* Dispatch until the call that runs the listener has returned. */
    double deadline = now_seconds() + WAIT_SECONDS;
    while (!probe_ran(&p) && now_seconds() < deadline)
        assert_int_equal(ws_loop_dispatch(f->loop, 50, NULL), WS_OK);
    assert_int_equal(p.calls, 1);
    uint64_t after_dispatch = ws_buffered_amount(ws);

    assert_int_equal(p.text_rc, WS_OK);
    assert_int_equal(p.binary_rc, WS_OK);
    assert_int_equal(p.before, 0);
    assert_int_equal(p.after_text, p.before + PROBE_TEXT);
    assert_int_equal(p.after_binary, p.before + PROBE_TEXT + PROBE_BINARY);
    /* Once the dispatch call that ran the listener has returned, the bytes
     * it sent count as handed to the network. */
    if (after_dispatch != 0)
        print_error("bufferedAmount after the dispatch that ran the listener: %llu\n",
                    (unsigned long long)after_dispatch);
    assert_int_equal(after_dispatch, 0);

    /* Both echoes arrive: the bytes did go out. */
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 3));
    assert_int_equal(recorder_get(&f->r, WS_EVENT_MESSAGE, 1)->size, PROBE_TEXT);
    assert_int_equal(recorder_get(&f->r, WS_EVENT_MESSAGE, 2)->size, PROBE_BINARY);
    assert_int_equal(ws_buffered_amount(ws), 0);
    ws_free(ws);
}

/* ---- 6. The last handles freed from a listener ---------------------------------- */

struct free_all {
    ws_loop *loop;
    int calls;
    bool freed;
};

static void free_socket_and_loop(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)event;
    struct free_all *s = user_data;
    if (s->calls++ > 0) return; /* a second call would be after ws_free: a bug */
    ws_free(ws);
    ws_loop_free(s->loop);
    s->freed = true;
}

/* Dispatches until the listener freed everything; the loop handle must not
 * be touched once it has. */
static void dispatch_until_freed(ws_loop *loop, struct free_all *s) {
    double deadline = now_seconds() + WAIT_SECONDS;
    while (!s->freed && now_seconds() < deadline) {
        size_t n = 0;
        assert_int_equal(ws_loop_dispatch(loop, 50, &n), WS_OK);
    }
    assert_true(s->freed);
    assert_int_equal(s->calls, 1);
}

static void expect_back_to(const resources *baseline) {
    assert_true(resources_back_to(baseline, 0));
}

/* Waits for the raw server's conversation to end and checks that it got a
 * 1001 (going away) close frame; returns that frame. */
static const raw_frame *expect_going_away_frame(raw_server *raw) {
    assert_true(raw_server_wait(raw));
    const raw_frame *close = raw_server_close_frame(raw);
    if (!close)
        print_error("no close frame reached the server (%zu frames, handshake %d, eof %d)\n",
                    raw->nframes, raw->handshake_done, raw->got_eof);
    assert_non_null(close);
    assert_int_equal(close->size, 2);
    assert_memory_equal(close->payload, "\x03\xe9", 2);
    return close;
}

static void test_host_driven_free_everything_in_close_listener(void **state) {
    (void)state;
    resources baseline = resources_now(false);
    struct free_all s = {new_host_driven_loop(), 0, false};
    ws_socket *ws = open_on(s.loop, server.url, NULL, NULL);
    assert_int_equal(ws_set_onclose(ws, free_socket_and_loop, &s), WS_OK);
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    dispatch_until_freed(s.loop, &s);
    expect_back_to(&baseline);
}

static void test_host_driven_free_everything_in_message_listener(void **state) {
    (void)state;
    /* The raw server sends a message once open; the client frees socket and
     * loop in its listener, with the connection open: the server still gets
     * the 1001 close frame. */
    static const uint8_t hello[] = {0x81, 0x02, 'h', 'i'};
    resources baseline = resources_now(false);
    raw_server raw;
    memset(&raw, 0, sizeof raw);
    raw.send_after_handshake = hello;
    raw.send_after_handshake_size = sizeof hello;
    assert_int_equal(raw_server_start(&raw), 0);

    struct free_all s = {new_host_driven_loop(), 0, false};
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(s.loop, raw.url, NULL, 0, NULL, &ws), WS_OK);
    assert_int_equal(ws_set_onmessage(ws, free_socket_and_loop, &s), WS_OK);
    dispatch_until_freed(s.loop, &s);

    expect_going_away_frame(&raw);
    raw_server_stop(&raw);
    expect_back_to(&baseline);
}

/* ---- 7. Freed while open, with no thread dispatching ----------------------------- */

enum free_order { SOCKET_THEN_LOOP, LOOP_THEN_SOCKET };

static void expect_going_away_without_dispatch(enum free_order order) {
    raw_server raw;
    memset(&raw, 0, sizeof raw);
    assert_int_equal(raw_server_start(&raw), 0);
    ws_loop *loop = new_host_driven_loop();
    recorder r;
    recorder_init(&r);
    ws_socket *ws = open_on(loop, raw.url, NULL, &r);
    assert_int_equal(ws_send_text(ws, "before free", 11), WS_OK);
    /* From here on nobody dispatches: the frees themselves must get the
     * close frame out, and return. */
    if (order == SOCKET_THEN_LOOP) {
        ws_free(ws);
        ws_loop_free(loop);
    } else {
        ws_loop_free(loop);
        ws_free(ws);
    }
    const raw_frame *close = expect_going_away_frame(&raw);
    /* What was sent before went out first, once. */
    assert_int_equal(raw_server_data_frames_before(&raw, close), 1);
    assert_string_equal((const char *)raw.frames[0].payload, "before free");
    assert_int_equal(recorder_count(&r, 0), 1); /* only open */
    raw_server_stop(&raw);
    recorder_free(&r);
}

static void test_host_driven_free_socket_then_loop_sends_going_away(void **state) {
    (void)state;
    expect_going_away_without_dispatch(SOCKET_THEN_LOOP);
}

static void test_host_driven_free_loop_then_socket_sends_going_away(void **state) {
    (void)state;
    expect_going_away_without_dispatch(LOOP_THEN_SOCKET);
}

/* ---- 8. Reentrancy ----------------------------------------------------------------- */

struct reentry {
    ws_loop *loop, *other;
    int calls;
    ws_result dispatch, next_event, other_dispatch;
    size_t dispatched;
    const ws_event *pulled;
};

static void reenter(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)ws;
    (void)event;
    struct reentry *r = user_data;
    r->calls++;
    r->dispatched = 99;
    r->dispatch = ws_loop_dispatch(r->loop, 0, &r->dispatched);
    r->pulled = (const ws_event *)(uintptr_t)1;
    r->next_event = ws_loop_next_event(r->loop, 0, &r->pulled);
    /* Another host-driven loop may be driven from here. */
    r->other_dispatch = ws_loop_dispatch(r->other, 0, NULL);
}

static void test_host_driven_dispatch_from_listener_is_reentrant(void **state) {
    struct fixture *f = *state;
    struct reentry r;
    memset(&r, 0, sizeof r);
    r.loop = f->loop;
    r.other = new_host_driven_loop();
    r.other_dispatch = WS_ERR_INTERNAL;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    assert_int_equal(ws_set_onopen(ws, reenter, &r), WS_OK);
    double deadline = now_seconds() + WAIT_SECONDS;
    while (r.calls == 0 && now_seconds() < deadline)
        assert_int_equal(ws_loop_dispatch(f->loop, 50, NULL), WS_OK);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.dispatch, WS_ERR_REENTRANT);
    assert_int_equal(r.next_event, WS_ERR_REENTRANT);
    assert_null(r.pulled);
    assert_int_equal(r.other_dispatch, WS_OK);
    /* The loop still works afterwards. */
    recorder_attach(&f->r, ws);
    assert_int_equal(ws_send_text(ws, "after", 5), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 1));
    assert_memory_equal(recorder_get(&f->r, WS_EVENT_MESSAGE, 0)->data, "after", 5);
    ws_free(ws);
    ws_loop_free(r.other);
}

/* ---- 9. Two threads dispatching at once -------------------------------------------- */

#define COUNTED 400

struct counted_log {
    pthread_mutex_t mutex;
    int values[COUNTED + 16];
    int count;
    bool end_seen;
    int by_other_thread;
    pthread_t main_thread;
};

static void log_number(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)ws;
    struct counted_log *log = user_data;
    size_t size = 0;
    const uint8_t *data = ws_event_data(event, &size);
    char text[16] = {0};
    memcpy(text, data, size < 15 ? size : 15);
    pthread_mutex_lock(&log->mutex);
    if (!pthread_equal(pthread_self(), log->main_thread)) log->by_other_thread++;
    if (strcmp(text, "end") == 0) log->end_seen = true;
    else if (log->count < COUNTED + 16) log->values[log->count++] = atoi(text);
    pthread_mutex_unlock(&log->mutex);
}

static bool log_complete(void *context) {
    struct counted_log *log = context;
    pthread_mutex_lock(&log->mutex);
    bool done = log->end_seen;
    pthread_mutex_unlock(&log->mutex);
    return done;
}

struct dispatcher {
    ws_loop *loop;
    atomic_bool stop;
    atomic_int calls, failures;
};

static void *dispatch_thread(void *arg) {
    struct dispatcher *d = arg;
    double deadline = now_seconds() + WAIT_SECONDS + 5;
    while (!atomic_load(&d->stop) && now_seconds() < deadline) {
        if (ws_loop_dispatch(d->loop, 20, NULL) != WS_OK) atomic_fetch_add(&d->failures, 1);
        atomic_fetch_add(&d->calls, 1);
    }
    return NULL;
}

static void test_host_driven_two_dispatching_threads_deliver_each_event_once(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_on(f->loop, server.url, NULL, NULL);
    struct counted_log log;
    memset(&log, 0, sizeof log);
    pthread_mutex_init(&log.mutex, NULL);
    log.main_thread = pthread_self();
    assert_int_equal(ws_set_onmessage(ws, log_number, &log), WS_OK);

    struct dispatcher d = {.loop = f->loop};
    atomic_init(&d.stop, false);
    atomic_init(&d.calls, 0);
    atomic_init(&d.failures, 0);
    pthread_t other;
    assert_int_equal(pthread_create(&other, NULL, dispatch_thread, &d), 0);
    /* The other thread is dispatching before the messages go out, so both
     * threads compete for them (bounded: its calls take 20 ms each). */
    double started_by = now_seconds() + WAIT_SECONDS;
    while (atomic_load(&d.calls) == 0 && now_seconds() < started_by) sleep_ms(1);
    assert_true(atomic_load(&d.calls) > 0);
    for (int i = 0; i < COUNTED; ++i) {
        char text[16];
        int n = snprintf(text, sizeof text, "%d", i);
        assert_int_equal(ws_send_text(ws, text, (size_t)n), WS_OK);
    }
    /* A last message: once its echo is in, a duplicate of an earlier one
     * would have shown up already (the echo keeps the order). */
    assert_int_equal(ws_send_text(ws, "end", 3), WS_OK);
    /* This thread dispatches too, competing with `other`. */
    bool done = wait_for(f->loop, log_complete, &log, WAIT_SECONDS);
    atomic_store(&d.stop, true);
    pthread_join(other, NULL);
    if (!done) print_error("%d of %d messages, end %d\n", log.count, COUNTED, log.end_seen);
    assert_true(done);
    assert_int_equal(atomic_load(&d.failures), 0);

    /* And nothing more comes after a few more dispatch calls. */
    for (int i = 0; i < 5; ++i) assert_int_equal(ws_loop_dispatch(f->loop, 10, NULL), WS_OK);
    assert_int_equal(log.count, COUNTED);
    int seen[COUNTED] = {0};
    for (int i = 0; i < COUNTED; ++i) {
        assert_true(log.values[i] >= 0 && log.values[i] < COUNTED);
        seen[log.values[i]]++;
    }
    for (int i = 0; i < COUNTED; ++i) assert_int_equal(seen[i], 1); /* exactly once */
    /* Only one thread dispatches at a time, so the order holds too. */
    for (int i = 0; i < COUNTED; ++i) assert_int_equal(log.values[i], i);
    ws_free(ws);
    pthread_mutex_destroy(&log.mutex);
}

/* ---- 10. Timers run while dispatching ---------------------------------------------- */

/* A server that completes TCP connects (the kernel does, from the backlog)
 * and never reads or answers. */
static int silent_listener(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    *port = ntohs(addr.sin_port);
    return fd;
}

static void test_host_driven_connect_timeout_fires_while_dispatching(void **state) {
    struct fixture *f = *state;
    int port = 0;
    int listen_fd = silent_listener(&port);
    char url[64];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", port);
    ws_options *options = NULL;
    assert_int_equal(ws_options_new(&options), WS_OK);
    assert_int_equal(ws_options_set_connect_timeout_ms(options, 300), WS_OK);
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, url, NULL, 0, options, &ws), WS_OK);
    ws_options_free(options);
    recorder_attach(&f->r, ws);

    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    /* The TCP connection was made (it waits in the backlog): the failure
     * came from the timer, not from a refused connect. */
    struct pollfd p = {listen_fd, POLLIN, 0};
    assert_int_equal(poll(&p, 1, 0), 1);
    assert_int_equal(recorder_count(&f->r, 0), 2);
    const rec_event *error = recorder_get(&f->r, 0, 0);
    const rec_event *closed = recorder_get(&f->r, 0, 1);
    assert_int_equal(error->type, WS_EVENT_ERROR);
    assert_true(strlen(error->error) > 0);
    assert_int_equal(closed->type, WS_EVENT_CLOSE);
    assert_int_equal(closed->code, 1006);
    assert_false(closed->was_clean);
    assert_int_equal(ws_ready_state(ws), WS_CLOSED);
    ws_free(ws);
    close(listen_fd);
}

/* ---- 11. Many sockets on one loop ---------------------------------------------------- */

#define MANY 200

struct many {
    recorder r[MANY];
    ws_event_type_t type;
};

static bool all_have(void *context) {
    struct many *m = context;
    for (int i = 0; i < MANY; ++i)
        if (recorder_count(&m->r[i], m->type) < 1) return false;
    return true;
}

static bool dispatch_all(ws_loop *loop, struct many *m, ws_event_type_t type) {
    m->type = type;
    return wait_for(loop, all_have, m, WAIT_SECONDS * 2);
}

static void test_host_driven_two_hundred_sockets(void **state) {
    struct fixture *f = *state;
    struct many *m = calloc(1, sizeof *m);
    ws_socket **ws = calloc(MANY, sizeof *ws);
    assert_non_null(m);
    assert_non_null(ws);
    for (int i = 0; i < MANY; ++i) {
        recorder_init(&m->r[i]);
        assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws[i]), WS_OK);
        recorder_attach(&m->r[i], ws[i]);
    }
    assert_true(dispatch_all(f->loop, m, WS_EVENT_OPEN));
    for (int i = 0; i < MANY; ++i) {
        char text[32];
        int n = snprintf(text, sizeof text, "socket %d", i);
        assert_int_equal(ws_send_text(ws[i], text, (size_t)n), WS_OK);
    }
    assert_true(dispatch_all(f->loop, m, WS_EVENT_MESSAGE));
    for (int i = 0; i < MANY; ++i) {
        char text[32];
        snprintf(text, sizeof text, "socket %d", i);
        assert_int_equal(recorder_count(&m->r[i], WS_EVENT_MESSAGE), 1);
        const rec_event *e = recorder_get(&m->r[i], WS_EVENT_MESSAGE, 0);
        assert_string_equal((const char *)e->data, text);
        assert_ptr_equal(e->socket, ws[i]);
        assert_int_equal(ws_close(ws[i], 1000, NULL), WS_OK);
    }
    assert_true(dispatch_all(f->loop, m, WS_EVENT_CLOSE));
    for (int i = 0; i < MANY; ++i) {
        const rec_event *close = recorder_get(&m->r[i], WS_EVENT_CLOSE, 0);
        assert_true(close->was_clean);
        assert_int_equal(close->code, 1000);
        assert_int_equal(recorder_count(&m->r[i], WS_EVENT_ERROR), 0);
        assert_int_equal(recorder_count(&m->r[i], 0), 3);
        ws_free(ws[i]);
        recorder_free(&m->r[i]);
    }
    free(ws);
    free(m);
}

/* ---- 12. The pull path ----------------------------------------------------------------- */

static const ws_event *pull(ws_loop *loop) {
    const ws_event *event = NULL;
    double deadline = now_seconds() + WAIT_SECONDS;
    while (!event && now_seconds() < deadline)
        assert_int_equal(ws_loop_next_event(loop, 50, &event), WS_OK);
    assert_non_null(event);
    return event;
}

static void test_host_driven_next_event_pull_path(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&f->r, ws); /* must never be called on this path */

    const ws_event *open = pull(f->loop);
    assert_int_equal(ws_event_type(open), WS_EVENT_OPEN);
    assert_ptr_equal(ws_event_socket(open), ws);
    assert_int_equal(ws_ready_state(ws), WS_OPEN);

    assert_int_equal(ws_send_text(ws, "pulled", 6), WS_OK);
    const ws_event *message = pull(f->loop);
    assert_int_equal(ws_event_type(message), WS_EVENT_MESSAGE);
    size_t size = 0;
    const uint8_t *data = ws_event_data(message, &size);
    assert_int_equal(size, 6);
    assert_memory_equal(data, "pulled", 6);
    assert_false(ws_event_is_binary(message));

    assert_int_equal(ws_close(ws, 1000, "done"), WS_OK);
    const ws_event *close = pull(f->loop);
    assert_int_equal(ws_event_type(close), WS_EVENT_CLOSE);
    assert_int_equal(ws_event_code(close), 1000);
    assert_string_equal(ws_event_reason(close), "done");
    assert_true(ws_event_was_clean(close));
    assert_int_equal(ws_ready_state(ws), WS_CLOSED);

    assert_int_equal(recorder_count(&f->r, 0), 0);
    const ws_event *after = (const ws_event *)(uintptr_t)1;
    assert_int_equal(ws_loop_next_event(f->loop, 0, &after), WS_OK);
    assert_null(after);
    ws_free(ws);
}

int main(void) {
    test_support_init();
    start_runtime_threads();
    const struct CMUnitTest tests[] = {
        HD(test_host_driven_no_fd_and_empty_dispatch),
        HD(test_host_driven_dispatch_timeout_bounds_the_wait),
        cmocka_unit_test(test_host_driven_starts_no_thread),
        HD(test_host_driven_echo_conversation_on_own_thread),
        HD(test_host_driven_sends_from_other_threads),
        HD(test_host_driven_send_without_dispatcher_writes_at_once),
        HD(test_host_driven_buffered_amount_settles_after_dispatch),
        cmocka_unit_test(test_host_driven_free_everything_in_close_listener),
        cmocka_unit_test(test_host_driven_free_everything_in_message_listener),
        cmocka_unit_test(test_host_driven_free_socket_then_loop_sends_going_away),
        cmocka_unit_test(test_host_driven_free_loop_then_socket_sends_going_away),
        HD(test_host_driven_dispatch_from_listener_is_reentrant),
        HD(test_host_driven_two_dispatching_threads_deliver_each_event_once),
        HD(test_host_driven_connect_timeout_fires_while_dispatching),
        HD(test_host_driven_two_hundred_sockets),
        HD(test_host_driven_next_event_pull_path),
    };
    return cmocka_run_group_tests(tests, echo_group_setup, echo_group_teardown);
}
