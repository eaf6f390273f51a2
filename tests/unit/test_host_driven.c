/*
 * What only WS_DELIVERY_HOST_DRIVEN loops do: no I/O thread;
 * ws_loop_dispatch() and ws_loop_next_event() do the loop's I/O on the
 * calling thread, then run the events. Covers: no fd and no thread of the
 * library's own; how bufferedAmount settles; freeing everything from a
 * listener; timers that run only while dispatching.
 *
 * What every loop the host dispatches does (the conversation and the thread
 * listeners run on, sends from other threads, reentrancy, two dispatching
 * threads, many sockets, the pull path, the 1001 of ws_free without
 * dispatching) is in test_loop.c, run on a dispatch loop and on a
 * host-driven one.
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

/* test_support's fixture, on a host-driven loop. A test that frees the loop
 * itself sets f->loop to NULL. */
#define HD(name)                                                                        \
    cmocka_unit_test_prestate_setup_teardown(name, delivery_fixture_setup, fixture_teardown, \
                                             (void *)&host_dispatched_modes[1])

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

/* ---- 3. bufferedAmount --------------------------------------------------------- */

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

/* ---- 4. The last handles freed from a listener ---------------------------------- */

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

/* ---- 5. Timers run while dispatching ---------------------------------------------- */

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

int main(void) {
    test_support_init();
    start_runtime_threads();
    const struct CMUnitTest tests[] = {
        HD(test_host_driven_no_fd_and_empty_dispatch),
        HD(test_host_driven_dispatch_timeout_bounds_the_wait),
        cmocka_unit_test(test_host_driven_starts_no_thread),
        HD(test_host_driven_send_without_dispatcher_writes_at_once),
        HD(test_host_driven_buffered_amount_settles_after_dispatch),
        cmocka_unit_test(test_host_driven_free_everything_in_close_listener),
        cmocka_unit_test(test_host_driven_free_everything_in_message_listener),
        HD(test_host_driven_connect_timeout_fires_while_dispatching),
    };
    return cmocka_run_group_tests(tests, echo_group_setup, echo_group_teardown);
}
