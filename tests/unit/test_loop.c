/*
 * Loops and threads: ws_loop_fd, ws_loop_dispatch, ws_loop_next_event,
 * WS_DELIVERY_IO_THREAD, reentrancy, ws_free from listeners and other
 * threads (rule 27), ws_loop_free before its sockets, many sockets and
 * concurrent senders. The tests registered with EACH_HOST_DISPATCHED_MODE
 * run on a dispatch loop and on a host-driven one (what only a host-driven
 * loop does is test_host_driven.c).
 */
#include "test_support.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>




/* A round trip on a second socket of the same loop: proves the loop still
 * runs, and gives events of other sockets a chance to be dispatched. */
static void sentinel_round_trip(ws_loop *loop) {
    recorder r;
    recorder_init(&r);
    ws_socket *ws = open_socket(loop, server.url, NULL, &r);
    assert_int_equal(ws_send_text(ws, "sentinel", 8), WS_OK);
    assert_true(wait_events(loop, &r, WS_EVENT_MESSAGE, 1));
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    ws_free(ws);
    recorder_free(&r);
}

/* ---- A conversation: order, contents, the thread listeners run on ---- */

static void test_loop_echo_conversation_on_dispatching_thread(void **state) {
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

/* ---- ws_loop_fd ---- */

static void test_loop_fd_readable_while_events_wait(void **state) {
    struct fixture *f = *state;
    int fd = ws_loop_fd(f->loop);
    assert_true(fd >= 0);
    assert_int_equal(ws_loop_fd(f->loop), fd); /* stable */
    assert_false(fd_readable(f->loop));

    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&f->r, ws);
    assert_true(wait_fd_readable(f->loop, WAIT_SECONDS)); /* the open event */
    assert_true(fd_readable(f->loop));                     /* a level, not an edge */
    size_t n = 0;
    assert_int_equal(ws_loop_dispatch(f->loop, 0, &n), WS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(recorder_count(&f->r, WS_EVENT_OPEN), 1);
    assert_false(fd_readable(f->loop)); /* queue empty again */

    assert_int_equal(ws_send_text(ws, "a", 1), WS_OK);
    assert_true(wait_fd_readable(f->loop, WAIT_SECONDS));
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 1));
    assert_false(fd_readable(f->loop));
    ws_free(ws);
}

static void test_loop_fd_minus_one_for_io_thread_and_null(void **state) {
    (void)state;
    ws_loop *io = NULL;
    assert_int_equal(ws_loop_new(WS_DELIVERY_IO_THREAD, &io), WS_OK);
    assert_int_equal(ws_loop_fd(io), -1);
    ws_loop_free(io);
    assert_int_equal(ws_loop_fd(NULL), -1);
    ws_loop *def = ws_default_loop();
    assert_non_null(def);
    assert_ptr_equal(ws_default_loop(), def);
    assert_true(ws_loop_fd(def) >= 0);
}

/* ---- ws_loop_dispatch ---- */

static void test_loop_dispatch_counts_events(void **state) {
    struct fixture *f = *state;
    size_t n = 99;
    /* Nothing waits: returns at once (0) or after the timeout, WS_OK. */
    assert_int_equal(ws_loop_dispatch(f->loop, 0, &n), WS_OK);
    assert_int_equal(n, 0);
    n = 99;
    assert_int_equal(ws_loop_dispatch(f->loop, 20, &n), WS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ws_loop_dispatch(f->loop, 0, NULL), WS_OK);

    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&f->r, ws);
    /* A negative timeout waits for the first event. */
    n = 0;
    assert_int_equal(ws_loop_dispatch(f->loop, -1, &n), WS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ws_ready_state(ws), WS_OPEN);

    size_t total = 1;
    for (int i = 0; i < 10; ++i) assert_int_equal(ws_send_text(ws, "x", 1), WS_OK);
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    double deadline = now_seconds() + WAIT_SECONDS;
    while (recorder_count(&f->r, WS_EVENT_CLOSE) == 0 && now_seconds() < deadline) {
        n = 0;
        assert_int_equal(ws_loop_dispatch(f->loop, 50, &n), WS_OK);
        total += n;
    }
    /* Every dispatched event ran the recorder exactly once (messages that
     * arrive after close() are skipped and not counted). */
    assert_int_equal(recorder_count(&f->r, WS_EVENT_CLOSE), 1);
    assert_int_equal(total, recorder_count(&f->r, 0));
    ws_free(ws);
}

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

static void test_loop_two_threads_dispatching_deliver_each_event_once_in_order(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, NULL);
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

/* ---- ws_loop_next_event ---- */

static const ws_event *pull(ws_loop *loop) {
    const ws_event *event = NULL;
    double deadline = now_seconds() + WAIT_SECONDS;
    while (!event && now_seconds() < deadline)
        assert_int_equal(ws_loop_next_event(loop, 50, &event), WS_OK);
    assert_non_null(event);
    return event;
}

static void test_loop_next_event_pull_path(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&f->r, ws); /* must never be called on this path */
    int data = 7;
    assert_int_equal(ws_set_user_data(ws, &data), WS_OK);

    const ws_event *none = (const ws_event *)(uintptr_t)1;
    assert_int_equal(ws_loop_next_event(f->loop, 0, &none), WS_OK);
    assert_true(none == NULL || ws_event_type(none) == WS_EVENT_OPEN);

    const ws_event *open = none ? none : pull(f->loop);
    assert_int_equal(ws_event_type(open), WS_EVENT_OPEN);
    assert_ptr_equal(ws_event_socket(open), ws);
    assert_ptr_equal(ws_event_user_data(open), &data);
    /* The socket was updated exactly as by dispatch. */
    assert_int_equal(ws_ready_state(ws), WS_OPEN);

    assert_int_equal(ws_send_binary(ws, "\x00\x01\x02", 3), WS_OK);
    const ws_event *message = pull(f->loop);
    assert_int_equal(ws_event_type(message), WS_EVENT_MESSAGE);
    size_t size = 0;
    const uint8_t *p = ws_event_data(message, &size);
    assert_int_equal(size, 3);
    assert_memory_equal(p, "\x00\x01\x02", 3);
    assert_true(ws_event_is_binary(message));

    assert_int_equal(ws_send_text(ws, "pulled", 6), WS_OK);
    const ws_event *text = pull(f->loop);
    assert_int_equal(ws_event_type(text), WS_EVENT_MESSAGE);
    p = ws_event_data(text, &size);
    assert_int_equal(size, 6);
    assert_memory_equal(p, "pulled", 6);
    assert_false(ws_event_is_binary(text));

    /* Messages that arrive once close() was called are skipped (a
     * dispatch loop has them queued by now; a host-driven one reads them
     * in the pulls below). */
    for (int i = 0; i < 5; ++i) assert_int_equal(ws_send_text(ws, "late", 4), WS_OK);
    if (f->delivery == WS_DELIVERY_DISPATCH) assert_true(wait_fd_readable(f->loop, WAIT_SECONDS));
    assert_int_equal(ws_close(ws, 3000, "pulled"), WS_OK);
    const ws_event *close = pull(f->loop);
    assert_int_equal(ws_event_type(close), WS_EVENT_CLOSE);
    assert_int_equal(ws_event_code(close), 3000);
    assert_string_equal(ws_event_reason(close), "pulled");
    assert_true(ws_event_was_clean(close));
    assert_int_equal(ws_ready_state(ws), WS_CLOSED);

    /* No listener ran, and nothing is left (on a dispatch loop: the fd is
     * no longer readable). */
    assert_int_equal(recorder_count(&f->r, 0), 0);
    if (f->delivery == WS_DELIVERY_DISPATCH) assert_false(fd_readable(f->loop));
    const ws_event *after = (const ws_event *)(uintptr_t)1;
    assert_int_equal(ws_loop_next_event(f->loop, 0, &after), WS_OK);
    assert_null(after);
    ws_free(ws);
}

static void test_loop_next_event_outlives_ws_free_until_next_call(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, NULL);
    static uint8_t payload[100000];
    for (size_t i = 0; i < sizeof payload; ++i) payload[i] = (uint8_t)(i * 13);
    assert_int_equal(ws_send_binary(ws, payload, sizeof payload), WS_OK);
    const ws_event *message = pull(f->loop);
    assert_int_equal(ws_event_type(message), WS_EVENT_MESSAGE);
    /* "The event and its data stay valid until the next call on this loop",
     * even when the socket is freed meanwhile. */
    ws_free(ws);
    size_t size = 0;
    const uint8_t *data = ws_event_data(message, &size);
    assert_int_equal(size, sizeof payload);
    assert_memory_equal(data, payload, sizeof payload);
    assert_ptr_equal(ws_event_socket(message), ws);
    const ws_event *next = (const ws_event *)(uintptr_t)1;
    assert_int_equal(ws_loop_next_event(f->loop, 0, &next), WS_OK);
    assert_null(next); /* the freed socket's later events are skipped */
}

static void test_loop_next_event_skips_freed_socket(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    assert_true(wait_fd_readable(f->loop, WAIT_SECONDS)); /* open is queued */
    ws_free(ws);
    const ws_event *event = (const ws_event *)(uintptr_t)1;
    assert_int_equal(ws_loop_next_event(f->loop, 0, &event), WS_OK);
    assert_null(event);
}

/* ---- WS_DELIVERY_IO_THREAD ---- */

static void test_loop_io_thread_delivers_without_dispatch(void **state) {
    (void)state;
    ws_loop *loop = NULL;
    assert_int_equal(ws_loop_new(WS_DELIVERY_IO_THREAD, &loop), WS_OK);
    recorder r;
    recorder_init(&r);
    ws_socket *ws = new_socket(loop, server.url, NULL, 0, NULL, attach_recorder, &r);
    /* No dispatch call anywhere: wait_for only polls for IO_THREAD loops. */
    assert_true(wait_events(loop, &r, WS_EVENT_OPEN, 1));
    assert_int_equal(ws_send_text(ws, "io", 2), WS_OK);
    assert_true(wait_events(loop, &r, WS_EVENT_MESSAGE, 1));
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    pthread_t me = pthread_self();
    pthread_t io = recorder_get(&r, 0, 0)->thread;
    for (size_t i = 0; i < recorder_count(&r, 0); ++i) {
        const rec_event *e = recorder_get(&r, 0, i);
        assert_false(pthread_equal(e->thread, me));
        assert_true(pthread_equal(e->thread, io));
    }
    /* There is nothing to dispatch on such a loop. */
    size_t n = 99;
    ws_loop_dispatch(loop, 0, &n);
    assert_int_equal(n, 0);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

/* ---- The host's signal handling is left alone ---- */

static void custom_sigpipe(int sig) { (void)sig; }

static void test_loop_leaves_sigpipe_disposition_alone(void **state) {
    (void)state;
    struct sigaction mine, before, after;
    memset(&mine, 0, sizeof mine);
    mine.sa_handler = custom_sigpipe;
    sigaction(SIGPIPE, &mine, &before);
    ws_loop *loop = NULL;
    assert_int_equal(ws_loop_new(WS_DELIVERY_DISPATCH, &loop), WS_OK);
    sigaction(SIGPIPE, NULL, &after);
    assert_ptr_equal(after.sa_handler, custom_sigpipe);
    ws_loop_free(loop);
    sigaction(SIGPIPE, &before, NULL);
}

/* ---- Deferred connect ---- */

static void test_loop_deferred_connect_waits_for_ws_connect(void **state) {
    struct fixture *f = *state;
    ws_options *options = NULL;
    assert_int_equal(ws_options_new(&options), WS_OK);
    assert_int_equal(ws_options_set_deferred_connect(options, true), WS_OK);
    recorder deferred_events;
    recorder_init(&deferred_events);
    ws_socket *deferred = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, options, &deferred), WS_OK);
    ws_options_free(options);
    attach_recorder(deferred, &deferred_events);
    /* A socket made after it, started at once, opens; the deferred one,
     * made first, has not moved. */
    ws_socket *other = open_socket(f->loop, server.url, NULL, &f->r);
    assert_int_equal(ws_ready_state(deferred), WS_CONNECTING);
    assert_int_equal(recorder_count(&deferred_events, 0), 0);
    assert_int_equal(ws_connect(deferred), WS_OK);
    assert_true(wait_events(f->loop, &deferred_events, WS_EVENT_OPEN, 1));
    /* Once only; and a socket that was never deferred is already started. */
    assert_int_equal(ws_connect(deferred), WS_ERR_INVALID_STATE);
    assert_true(strlen(ws_last_error(deferred)) > 0);
    assert_int_equal(ws_connect(other), WS_ERR_INVALID_STATE);
    assert_int_equal(ws_connect(NULL), WS_ERR_INVALID_ARGUMENT);
    ws_free(other);
    ws_free(deferred);
    recorder_free(&deferred_events);
}

static void test_loop_deferred_socket_freed_unconnected(void **state) {
    struct fixture *f = *state;
    ws_options *options = NULL;
    assert_int_equal(ws_options_new(&options), WS_OK);
    assert_int_equal(ws_options_set_deferred_connect(options, true), WS_OK);
    assert_int_equal(ws_options_set_deferred_connect(NULL, true), WS_ERR_INVALID_ARGUMENT);
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, options, &ws), WS_OK);
    ws_options_free(options);
    attach_recorder(ws, &f->r);
    ws_free(ws);   /* never connected: nothing to close, no event */
    size_t n = 1;
    assert_int_equal(ws_loop_dispatch(f->loop, 0, &n), WS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(recorder_count(&f->r, 0), 0);
}

/* ---- Reentrancy ---- */

struct reentry {
    ws_loop *loop, *other;
    int calls;
    ws_result dispatch, next_event, other_dispatch;
    const ws_event *pulled;
};

static void reenter(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)ws;
    (void)event;
    struct reentry *r = user_data;
    r->calls++;
    size_t n = 99;
    r->dispatch = ws_loop_dispatch(r->loop, 0, &n);
    r->pulled = (const ws_event *)(uintptr_t)1;
    r->next_event = ws_loop_next_event(r->loop, 0, &r->pulled);
    r->other_dispatch = ws_loop_dispatch(r->other, 0, NULL);
}

static void test_loop_dispatch_from_listener_is_reentrant(void **state) {
    struct fixture *f = *state;
    struct reentry r = {f->loop, NULL, 0, WS_OK, WS_OK, WS_ERR_INTERNAL, NULL};
    assert_int_equal(ws_loop_new(f->delivery, &r.other), WS_OK);
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    assert_int_equal(ws_set_onopen(ws, reenter, &r), WS_OK);
    assert_true(wait_state(f->loop, ws, WS_OPEN));
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.dispatch, WS_ERR_REENTRANT);
    assert_int_equal(r.next_event, WS_ERR_REENTRANT);
    assert_null(r.pulled);
    /* Another loop (of the same mode) may be dispatched from a listener. */
    assert_int_equal(r.other_dispatch, WS_OK);
    /* And the loop still works afterwards. */
    recorder_attach(&f->r, ws);
    assert_int_equal(ws_send_text(ws, "after", 5), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 1));
    assert_memory_equal(recorder_get(&f->r, WS_EVENT_MESSAGE, 0)->data, "after", 5);
    ws_free(ws);
    ws_loop_free(r.other);
}

/* ---- ws_free inside a listener ---- */

struct free_in_listener {
    atomic_int calls_after_free;
    atomic_bool freed;
    int frees;
};

static void free_me(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)event;
    struct free_in_listener *s = user_data;
    if (atomic_load(&s->freed)) {
        atomic_fetch_add(&s->calls_after_free, 1);
        return;
    }
    s->frees++;
    ws_free(ws);
    atomic_store(&s->freed, true);
}

static void count_after_free(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)ws;
    (void)event;
    struct free_in_listener *s = user_data;
    if (atomic_load(&s->freed)) atomic_fetch_add(&s->calls_after_free, 1);
}

static bool is_freed(void *context) {
    return atomic_load(&((struct free_in_listener *)context)->freed);
}

static void free_in_listener_of(ws_loop *loop, ws_event_type_t type, const char *url) {
    struct free_in_listener s;
    atomic_init(&s.calls_after_free, 0);
    atomic_init(&s.freed, false);
    s.frees = 0;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(loop, url, NULL, 0, NULL, &ws), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, type, free_me, &s), WS_OK);
    /* Registered after free_me, for the same event: must not run. */
    for (int t = WS_EVENT_OPEN; t <= WS_EVENT_CLOSE; ++t)
        assert_int_equal(ws_add_event_listener(ws, (ws_event_type_t)t, count_after_free, &s),
                         WS_OK);
    if (type == WS_EVENT_CLOSE && strstr(url, ":1/") == NULL) {
        assert_true(wait_state(loop, ws, WS_OPEN));
        assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    }
    assert_true(wait_for(loop, is_freed, &s, WAIT_SECONDS));
    sentinel_round_trip(loop);
    assert_int_equal(s.frees, 1);
    assert_int_equal(atomic_load(&s.calls_after_free), 0);
}

static void send_five_on_open(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)event;
    (void)user_data;
    for (int i = 0; i < 5; ++i) ws_send_text(ws, "m", 1);
}

static void test_rule27_free_inside_own_listener(void **state) {
    struct fixture *f = *state;
    free_in_listener_of(f->loop, WS_EVENT_OPEN, server.url);
    free_in_listener_of(f->loop, WS_EVENT_CLOSE, server.url);
    free_in_listener_of(f->loop, WS_EVENT_ERROR, "ws://127.0.0.1:1/");

    /* In a message listener, with more messages queued behind it. */
    struct free_in_listener s;
    atomic_init(&s.calls_after_free, 0);
    atomic_init(&s.freed, false);
    s.frees = 0;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    assert_int_equal(ws_set_onopen(ws, send_five_on_open, NULL), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, free_me, &s), WS_OK);
    for (int t = WS_EVENT_OPEN; t <= WS_EVENT_CLOSE; ++t)
        assert_int_equal(ws_add_event_listener(ws, (ws_event_type_t)t, count_after_free, &s),
                         WS_OK);
    assert_true(wait_for(f->loop, is_freed, &s, WAIT_SECONDS));
    sentinel_round_trip(f->loop);
    assert_int_equal(s.frees, 1);
    assert_int_equal(atomic_load(&s.calls_after_free), 0);
}

/* ---- ws_free from another thread ---- */

struct racer {
    atomic_bool freed;       /* set right after ws_free() returned */
    atomic_int violations;   /* listener calls that began after that */
    atomic_int messages;
};

static void ping_pong(ws_socket *ws, const ws_event *event, void *user_data) {
    struct racer *r = user_data;
    if (atomic_load(&r->freed)) {
        atomic_fetch_add(&r->violations, 1);
        return;
    }
    atomic_fetch_add(&r->messages, 1);
    /* Keep traffic flowing, and linger so that ws_free() often has to wait. */
    size_t size = 0;
    const uint8_t *data = ws_event_data(event, &size);
    ws_send_binary(ws, data, size);
    sleep_ms(1);
}

static void race_free(ws_loop *loop, bool dispatch_on_thread) {
    struct dispatcher d = {.loop = loop};
    atomic_init(&d.stop, false);
    atomic_init(&d.calls, 0);
    atomic_init(&d.failures, 0);
    pthread_t thread;
    if (dispatch_on_thread) assert_int_equal(pthread_create(&thread, NULL, dispatch_thread, &d), 0);

    for (int round = 0; round < 10; ++round) {
        struct racer r;
        atomic_init(&r.freed, false);
        atomic_init(&r.violations, 0);
        atomic_init(&r.messages, 0);
        ws_socket *ws = NULL;
        assert_int_equal(ws_new_ex(loop, server.url, NULL, 0, NULL, &ws), WS_OK);
        assert_int_equal(ws_set_onmessage(ws, ping_pong, &r), WS_OK);
        assert_int_equal(ws_add_event_listener(ws, WS_EVENT_CLOSE, ping_pong, &r), WS_OK);
        assert_int_equal(ws_add_event_listener(ws, WS_EVENT_ERROR, ping_pong, &r), WS_OK);
        /* Wait (polling, not dispatching) until open, then start traffic. */
        double deadline = now_seconds() + WAIT_SECONDS;
        while (ws_ready_state(ws) != WS_OPEN && now_seconds() < deadline) sleep_ms(2);
        assert_int_equal(ws_ready_state(ws), WS_OPEN);
        for (int i = 0; i < 4; ++i) assert_int_equal(ws_send_binary(ws, "ping", 4), WS_OK);
        while (atomic_load(&r.messages) < 10 + round * 3 && now_seconds() < deadline) sleep_ms(1);
        assert_true(atomic_load(&r.messages) >= 10 + round * 3);

        ws_free(ws);
        atomic_store(&r.freed, true);

        /* Let the delivering thread run on for a while: 10 more dispatch
         * rounds (or, for IO_THREAD, a sentinel round trip). */
        if (dispatch_on_thread) {
            int start = atomic_load(&d.calls);
            deadline = now_seconds() + WAIT_SECONDS;
            while (atomic_load(&d.calls) < start + 10 && now_seconds() < deadline)
                sleep_ms(2);
        } else {
            sentinel_round_trip(loop);
        }
        assert_int_equal(atomic_load(&r.violations), 0);
    }
    if (dispatch_on_thread) {
        atomic_store(&d.stop, true);
        pthread_join(thread, NULL);
    }
}

static void test_rule27_free_from_other_thread_while_dispatching(void **state) {
    struct fixture *f = *state;
    race_free(f->loop, true);
}

static void test_rule27_free_while_io_thread_delivers(void **state) {
    (void)state;
    ws_loop *loop = NULL;
    assert_int_equal(ws_loop_new(WS_DELIVERY_IO_THREAD, &loop), WS_OK);
    race_free(loop, false);
    ws_loop_free(loop);
}

/* ---- ws_free in every state ---- */

static void expect_silent_after_free(ws_loop *loop, recorder *r, size_t count_at_free) {
    sentinel_round_trip(loop);
    assert_int_equal(recorder_count(r, 0), count_at_free);
}

static void test_rule27_free_in_every_state(void **state) {
    struct fixture *f = *state;
    ws_socket *ws;

    /* CONNECTING, just created. */
    recorder a;
    recorder_init(&a);
    ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&a, ws);
    ws_free(ws);
    expect_silent_after_free(f->loop, &a, 0);
    recorder_free(&a);

    /* CONNECTING, with the open event already queued. */
    recorder b;
    recorder_init(&b);
    ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&b, ws);
    assert_true(wait_fd_readable(f->loop, WAIT_SECONDS));
    ws_free(ws);
    expect_silent_after_free(f->loop, &b, 0);
    recorder_free(&b);

    /* OPEN, with messages in flight. */
    recorder c;
    recorder_init(&c);
    ws = open_socket(f->loop, server.url, NULL, &c);
    for (int i = 0; i < 5; ++i) assert_int_equal(ws_send_text(ws, "x", 1), WS_OK);
    ws_free(ws);
    expect_silent_after_free(f->loop, &c, 1);
    recorder_free(&c);

    /* CLOSING. */
    recorder d;
    recorder_init(&d);
    ws = open_socket(f->loop, server.url, NULL, &d);
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    ws_free(ws);
    expect_silent_after_free(f->loop, &d, 1);
    recorder_free(&d);

    /* CLOSED. */
    recorder e;
    recorder_init(&e);
    ws = open_socket(f->loop, server.url, NULL, &e);
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(wait_events(f->loop, &e, WS_EVENT_CLOSE, 1));
    ws_free(ws);
    expect_silent_after_free(f->loop, &e, 2);
    recorder_free(&e);

    /* CLOSED by a failure. */
    recorder g;
    recorder_init(&g);
    ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, "ws://127.0.0.1:1/", NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&g, ws);
    assert_true(wait_events(f->loop, &g, WS_EVENT_CLOSE, 1));
    ws_free(ws);
    expect_silent_after_free(f->loop, &g, 2);
    recorder_free(&g);
}

/* ---- ws_loop_free before the sockets ---- */

static atomic_bool freed_in_close;

static void free_on_close(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)event;
    (void)user_data;
    ws_free(ws);
    atomic_store(&freed_in_close, true);
}

static bool freed_in_close_set(void *context) {
    (void)context;
    return atomic_load(&freed_in_close);
}

static void attach_free_on_close(ws_socket *ws, void *context) {
    ws_set_onclose(ws, free_on_close, NULL);
    attach_recorder(ws, context);
}

static void test_loop_free_before_sockets_keeps_them_working(void **state) {
    (void)state;
    ws_loop *loop = NULL;
    assert_int_equal(ws_loop_new(WS_DELIVERY_IO_THREAD, &loop), WS_OK);
    recorder r;
    recorder_init(&r);
    ws_socket *ws = new_socket(loop, server.url, NULL, 0, NULL, attach_recorder, &r);
    ws_loop_free(loop); /* the socket keeps the loop running */
    assert_true(poll_events(&r, WS_EVENT_OPEN, 1));
    assert_int_equal(ws_send_text(ws, "after loop free", 15), WS_OK);
    assert_true(poll_events(&r, WS_EVENT_MESSAGE, 1));
    assert_memory_equal(recorder_get(&r, WS_EVENT_MESSAGE, 0)->data, "after loop free", 15);
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(poll_events(&r, WS_EVENT_CLOSE, 1));
    assert_true(recorder_get(&r, WS_EVENT_CLOSE, 0)->was_clean);
    /* The last handle: the I/O thread stops on its own. */
    ws_free(ws);
    recorder_free(&r);
}

static void test_loop_free_before_sockets_dispatch_loop(void **state) {
    (void)state;
    /* A dispatch loop freed first: its events are dropped, but the socket
     * handle stays valid and every call on it is safe. */
    ws_loop *loop = new_dispatch_loop();
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    ws_loop_free(loop);
    assert_int_equal(ws_ready_state(ws), WS_CONNECTING);
    assert_int_equal(ws_send_text(ws, "x", 1), WS_ERR_INVALID_STATE);
    assert_string_equal(ws_url(ws), server.url);
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_int_equal(ws_ready_state(ws), WS_CLOSING);
    ws_free(ws);
}

/* ---- ws_free of an OPEN socket sends 1001, on the wire ---- */

/* Which handles a test frees, in which order (SOCKET_ONLY: the loop stays
 * until the checks are done). */
enum free_order { SOCKET_THEN_LOOP, LOOP_THEN_SOCKET, SOCKET_ONLY };

/* Frees an OPEN socket, on a new loop of `delivery`, right after a send,
 * and the loop in `order`; nobody dispatches after that. The server must
 * get the message, then 1001 (the frees get it out themselves on a
 * host-driven loop). */
static void expect_going_away(ws_delivery_t delivery, enum free_order order) {
    raw_server raw;
    memset(&raw, 0, sizeof raw);
    assert_int_equal(raw_server_start(&raw), 0);
    ws_loop *loop = NULL;
    assert_int_equal(ws_loop_new(delivery, &loop), WS_OK);
    recorder r;
    recorder_init(&r);
    ws_socket *ws = open_socket(loop, raw.url, NULL, &r);
    assert_int_equal(ws_ready_state(ws), WS_OPEN);
    assert_int_equal(ws_send_text(ws, "before free", 11), WS_OK);
    if (order == LOOP_THEN_SOCKET) ws_loop_free(loop);
    ws_free(ws);
    if (order == SOCKET_THEN_LOOP) ws_loop_free(loop);
    const raw_frame *close = expect_going_away_frame(&raw);
    /* What was sent before ws_free went out first, once. */
    assert_int_equal(raw_server_data_frames_before(&raw, close), 1);
    assert_string_equal((const char *)raw.frames[0].payload, "before free");
    /* An I/O thread completes the closing handshake in the background. */
    if (delivery != WS_DELIVERY_HOST_DRIVEN) assert_true(raw.closing_handshake_done);
    assert_int_equal(recorder_count(&r, 0), 1); /* only open */
    if (order == SOCKET_ONLY) ws_loop_free(loop);
    raw_server_stop(&raw);
    recorder_free(&r);
}

static void test_rule27_free_open_socket_sends_going_away(void **state) {
    (void)state;
    expect_going_away(WS_DELIVERY_DISPATCH, SOCKET_ONLY);
}

static void test_rule27_free_open_socket_then_loop_still_sends_going_away(void **state) {
    (void)state;
    expect_going_away(WS_DELIVERY_DISPATCH, SOCKET_THEN_LOOP);
}

static void test_rule27_free_open_socket_on_io_thread_loop_sends_going_away(void **state) {
    (void)state;
    expect_going_away(WS_DELIVERY_IO_THREAD, SOCKET_ONLY);
}

static void test_rule27_free_open_socket_then_host_driven_loop_sends_going_away(void **state) {
    (void)state;
    expect_going_away(WS_DELIVERY_HOST_DRIVEN, SOCKET_THEN_LOOP);
}

static void test_rule27_free_host_driven_loop_then_open_socket_sends_going_away(void **state) {
    (void)state;
    expect_going_away(WS_DELIVERY_HOST_DRIVEN, LOOP_THEN_SOCKET);
}

/* ---- Resources come back once every handle is freed ---- */

static resources baseline;

/* Waits for fds and threads to return to the baseline; says what is left
 * when they do not. */
static bool wait_back_to_baseline(void) { return resources_back_to(&baseline, 0); }


/* Frees an OPEN socket (its closing handshake still to run) and its loop, in
 * `order`; then the loop's I/O thread and its descriptors (eventfd, lws)
 * must go away: "the I/O thread stops once the handle and every socket are
 * freed"; "events not yet dispatched are dropped". */
static void expect_resources_released(ws_delivery_t delivery, enum free_order order,
                                      bool exchange_first) {
    baseline = resources_now(false);
    ws_loop *loop = NULL;
    assert_int_equal(ws_loop_new(delivery, &loop), WS_OK);
    recorder r;
    recorder_init(&r);
    ws_socket *ws = open_socket(loop, server.url, NULL, &r);
    if (exchange_first) {
        assert_int_equal(ws_send_text(ws, "x", 1), WS_OK);
        assert_true(wait_events(loop, &r, WS_EVENT_MESSAGE, 1));
    }
    if (order == SOCKET_THEN_LOOP) {
        ws_free(ws);
        ws_loop_free(loop);
    } else {
        ws_loop_free(loop);
        ws_free(ws);
    }
    bool released = wait_back_to_baseline();
    recorder_free(&r);
    assert_true(released);
}

static void test_rule27_free_socket_then_loop_releases_thread_and_fds(void **state) {
    (void)state;
    expect_resources_released(WS_DELIVERY_DISPATCH, SOCKET_THEN_LOOP, true);
}

static void test_rule27_free_loop_then_socket_releases_thread_and_fds(void **state) {
    (void)state;
    expect_resources_released(WS_DELIVERY_DISPATCH, LOOP_THEN_SOCKET, false);
}

static void test_rule27_free_io_thread_loop_releases_thread_and_fds(void **state) {
    (void)state;
    expect_resources_released(WS_DELIVERY_IO_THREAD, SOCKET_THEN_LOOP, true);
}

static void test_rule27_last_free_on_io_thread_releases_thread_and_fds(void **state) {
    (void)state;
    /* The last handle is freed inside a listener, on the I/O thread itself:
     * that thread cannot join itself, but must still end. */
    ws_loop *loop = NULL;
    recorder r;
    baseline = resources_now(false);
    atomic_store(&freed_in_close, false);
    assert_int_equal(ws_loop_new(WS_DELIVERY_IO_THREAD, &loop), WS_OK);
    recorder_init(&r);
    ws_socket *ws = new_socket(loop, server.url, NULL, 0, NULL, attach_free_on_close, &r);
    ws_loop_free(loop);
    assert_true(poll_events(&r, WS_EVENT_OPEN, 1));
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(poll_until(freed_in_close_set, NULL, WAIT_SECONDS));
    bool released = wait_back_to_baseline();
    recorder_free(&r);
    assert_true(released);
}

static void test_loop_free_closed_socket_releases_thread_and_fds(void **state) {
    (void)state;
    /* The simple case: everything dispatched, nothing pending. */
    baseline = resources_now(false);
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    ws_socket *ws = open_socket(loop, server.url, NULL, &r);
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    ws_free(ws);
    ws_loop_free(loop);
    assert_true(wait_back_to_baseline());
    recorder_free(&r);
}

/* ---- Many sockets ---- */

#define NSOCKETS 200
#define NPER 10

struct many {
    recorder r[NSOCKETS];
};

static bool all_messages(void *context) {
    struct many *m = context;
    for (int i = 0; i < NSOCKETS; ++i)
        if (recorder_count(&m->r[i], WS_EVENT_MESSAGE) < NPER) return false;
    return true;
}

static bool all_open(void *context) {
    struct many *m = context;
    for (int i = 0; i < NSOCKETS; ++i)
        if (recorder_count(&m->r[i], WS_EVENT_OPEN) < 1) return false;
    return true;
}

static bool all_closed(void *context) {
    struct many *m = context;
    for (int i = 0; i < NSOCKETS; ++i)
        if (recorder_count(&m->r[i], WS_EVENT_CLOSE) < 1) return false;
    return true;
}

static void test_loop_many_sockets_exchange_concurrently(void **state) {
    struct fixture *f = *state;
    struct many *m = calloc(1, sizeof *m);
    assert_non_null(m);
    ws_socket **ws = calloc(NSOCKETS, sizeof *ws);
    assert_non_null(ws);
    for (int i = 0; i < NSOCKETS; ++i) {
        recorder_init(&m->r[i]);
        ws[i] = NULL;
        assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws[i]), WS_OK);
        recorder_attach(&m->r[i], ws[i]);
    }
    assert_true(wait_for(f->loop, all_open, m, WAIT_SECONDS * 2));
    for (int k = 0; k < NPER; ++k)
        for (int i = 0; i < NSOCKETS; ++i) {
            char text[32];
            int n = snprintf(text, sizeof text, "s%d-m%d", i, k);
            assert_int_equal(ws_send_text(ws[i], text, (size_t)n), WS_OK);
        }
    assert_true(wait_for(f->loop, all_messages, m, WAIT_SECONDS * 2));
    for (int i = 0; i < NSOCKETS; ++i) {
        assert_int_equal(recorder_count(&m->r[i], WS_EVENT_MESSAGE), NPER);
        for (int k = 0; k < NPER; ++k) {
            char text[32];
            snprintf(text, sizeof text, "s%d-m%d", i, k);
            const rec_event *e = recorder_get(&m->r[i], WS_EVENT_MESSAGE, (size_t)k);
            assert_string_equal((const char *)e->data, text);
            assert_ptr_equal(e->socket, ws[i]);
        }
        assert_int_equal(ws_close(ws[i], 1000, NULL), WS_OK);
    }
    assert_true(wait_for(f->loop, all_closed, m, WAIT_SECONDS * 2));
    for (int i = 0; i < NSOCKETS; ++i) {
        const rec_event *close = recorder_get(&m->r[i], WS_EVENT_CLOSE, 0);
        assert_true(close->was_clean);
        assert_int_equal(close->code, 1000);
        assert_int_equal(recorder_count(&m->r[i], WS_EVENT_ERROR), 0);
        assert_int_equal(recorder_count(&m->r[i], 0), NPER + 2); /* open, messages, close */
        ws_free(ws[i]);
        recorder_free(&m->r[i]);
    }
    free(ws);
    free(m);
}

/* ---- Concurrent senders on one socket ---- */

#define NTHREADS 4
#define NEACH 250

struct sender {
    ws_socket *ws;
    int id;
    int failures;
};

static void *send_many(void *arg) {
    struct sender *s = arg;
    for (int i = 0; i < NEACH; ++i) {
        char text[32];
        int n = snprintf(text, sizeof text, "%d:%d", s->id, i);
        /* Alternate text and binary. */
        ws_result rc = (i % 2) ? ws_send_binary(s->ws, text, (size_t)n)
                               : ws_send_text(s->ws, text, (size_t)n);
        if (rc != WS_OK) s->failures++;
    }
    return NULL;
}

static void test_loop_sends_from_four_threads(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, &f->r);
    pthread_t threads[NTHREADS];
    struct sender senders[NTHREADS];
    for (int t = 0; t < NTHREADS; ++t) {
        senders[t] = (struct sender){ws, t, 0};
        assert_int_equal(pthread_create(&threads[t], NULL, send_many, &senders[t]), 0);
    }
    /* Dispatch while they send. */
    bool done = wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, NTHREADS * NEACH);
    for (int t = 0; t < NTHREADS; ++t) pthread_join(threads[t], NULL);
    for (int t = 0; t < NTHREADS; ++t) assert_int_equal(senders[t].failures, 0);
    if (!done)
        print_error("%zu of %d echoes arrived\n", recorder_count(&f->r, WS_EVENT_MESSAGE),
                    NTHREADS * NEACH);
    assert_true(done);
    assert_int_equal(recorder_count(&f->r, WS_EVENT_MESSAGE), NTHREADS * NEACH);

    int next[NTHREADS] = {0};
    pthread_t me = pthread_self();
    for (size_t i = 0; i < NTHREADS * NEACH; ++i) {
        const rec_event *e = recorder_get(&f->r, WS_EVENT_MESSAGE, i);
        int id = -1, seq = -1;
        assert_int_equal(sscanf((const char *)e->data, "%d:%d", &id, &seq), 2);
        assert_true(id >= 0 && id < NTHREADS);
        /* Per-thread order preserved, nothing lost or duplicated. */
        assert_int_equal(seq, next[id]);
        assert_int_equal(e->binary, (seq % 2) != 0);
        next[id]++;
        /* Listeners run on the thread that dispatches: this one. */
        assert_true(pthread_equal(e->thread, me));
    }
    for (int t = 0; t < NTHREADS; ++t) assert_int_equal(next[t], NEACH);
    assert_int_equal(ws_buffered_amount(ws), 0);
    ws_free(ws);
}

int main(void) {
    test_support_init();
    const struct CMUnitTest tests[] = {
        EACH_HOST_DISPATCHED_MODE(test_loop_echo_conversation_on_dispatching_thread),
        T(test_loop_fd_readable_while_events_wait),
        cmocka_unit_test(test_loop_fd_minus_one_for_io_thread_and_null),
        T(test_loop_dispatch_counts_events),
        cmocka_unit_test(test_loop_leaves_sigpipe_disposition_alone),
        T(test_loop_deferred_connect_waits_for_ws_connect),
        T(test_loop_deferred_socket_freed_unconnected),
        EACH_HOST_DISPATCHED_MODE(test_loop_two_threads_dispatching_deliver_each_event_once_in_order),
        EACH_HOST_DISPATCHED_MODE(test_loop_next_event_pull_path),
        T(test_loop_next_event_skips_freed_socket),
        T(test_loop_next_event_outlives_ws_free_until_next_call),
        cmocka_unit_test(test_loop_io_thread_delivers_without_dispatch),
        EACH_HOST_DISPATCHED_MODE(test_loop_dispatch_from_listener_is_reentrant),
        T(test_rule27_free_inside_own_listener),
        T(test_rule27_free_from_other_thread_while_dispatching),
        cmocka_unit_test(test_rule27_free_while_io_thread_delivers),
        T(test_rule27_free_in_every_state),
        cmocka_unit_test(test_rule27_free_open_socket_sends_going_away),
        cmocka_unit_test(test_rule27_free_open_socket_then_loop_still_sends_going_away),
        cmocka_unit_test(test_rule27_free_open_socket_on_io_thread_loop_sends_going_away),
        cmocka_unit_test(test_rule27_free_open_socket_then_host_driven_loop_sends_going_away),
        cmocka_unit_test(test_rule27_free_host_driven_loop_then_open_socket_sends_going_away),
        cmocka_unit_test(test_loop_free_before_sockets_keeps_them_working),
        cmocka_unit_test(test_loop_free_before_sockets_dispatch_loop),
        cmocka_unit_test(test_loop_free_closed_socket_releases_thread_and_fds),
        cmocka_unit_test(test_rule27_free_socket_then_loop_releases_thread_and_fds),
        cmocka_unit_test(test_rule27_free_loop_then_socket_releases_thread_and_fds),
        cmocka_unit_test(test_rule27_free_io_thread_loop_releases_thread_and_fds),
        cmocka_unit_test(test_rule27_last_free_on_io_thread_releases_thread_and_fds),
        EACH_HOST_DISPATCHED_MODE(test_loop_many_sockets_exchange_concurrently),
        EACH_HOST_DISPATCHED_MODE(test_loop_sends_from_four_threads),
    };
    return cmocka_run_group_tests(tests, echo_group_setup, echo_group_teardown);
}
