/*
 * Receive flow control (ws_options_set_receive_limit, ws_pause/ws_resume)
 * against a real flooding peer: Node `ws` (tests/peers/node_server.js,
 * /flood and /flood-status). The flood socket's host stops taking events;
 * a control socket on a loop of its own asks the server how far it got,
 * until the server reports its writes blocked (a "stall": its socket waits
 * for the client's TCP window). Then the host takes everything: every
 * sequence number arrives once, in order, and the server's closing ping
 * was answered.
 *
 * Each case runs over every kind of loop where it applies: the default
 * loop (dispatch and the pull path), the host-driven loop, and, with
 * ws_pause, the I/O-thread loop.
 */
#include "test_support.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024u * 1024u)
#define FLOOD_SIZE 65536u
/* 48 MiB: far more than the kernel's buffers hold (a few MiB on loopback),
 * so the server stalls long before it is done unless the client reads. */
#define FLOOD_COUNT 768u
/* What a socket may hold beyond its limit: the message that crossed it and
 * one read of the transport. */
#define LIMIT_MARGIN (FLOOD_SIZE + 256u * 1024u)
/* Resident memory allowed to grow, beyond the socket's own holding, while
 * the host does not dispatch: allocator slack and the control loop. */
#define RSS_SLACK (8u * MIB)

/* Sanitizers keep shadow memory and allocators of their own: resident
 * memory says nothing about the library under them (the held bytes are
 * still checked through ws_undelivered_amount()). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define RSS_MEANINGFUL 0
#endif
#endif
#if !defined(RSS_MEANINGFUL) && (defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__))
#define RSS_MEANINGFUL 0
#endif
#ifndef RSS_MEANINGFUL
#define RSS_MEANINGFUL 1
#endif

static echo_server node;

static int node_setup(void **state) {
    (void)state;
    const char *argv[] = {"node", POLYWS_NODE_SERVER, "--port", "0", NULL};
    return peer_start(&node, argv, "ws");
}

static int node_teardown(void **state) {
    (void)state;
    echo_stop(&node);
    return 0;
}

/* ---- What a flood consumer checks ------------------------------------------ */

/* Written by whichever thread runs the listeners (an I/O thread, for
 * WS_DELIVERY_IO_THREAD); read once `closed` is seen. */
typedef struct flood_reader {
    uint32_t size;      /* of each flood message */
    uint32_t next;      /* the sequence number expected next */
    size_t misordered;  /* messages with another number or size */
    char final[256];    /* the closing JSON text */
    bool clean;
    uint16_t code;
    atomic_bool closed;
} flood_reader;

#define FLOOD_READER(message_size) {.size = (message_size)}

static void flood_record(flood_reader *f, const ws_event *event) {
    switch (ws_event_type(event)) {
    case WS_EVENT_MESSAGE: {
        size_t n;
        const uint8_t *p = ws_event_data(event, &n);
        if (!ws_event_is_binary(event)) {
            snprintf(f->final, sizeof f->final, "%.*s", (int)n, (const char *)p);
            break;
        }
        uint32_t seq = n >= 4 ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                              : UINT32_MAX;
        if (seq != f->next || n != f->size) ++f->misordered;
        f->next = seq + 1;
        break;
    }
    case WS_EVENT_CLOSE:
        f->clean = ws_event_was_clean(event);
        f->code = ws_event_code(event);
        atomic_store(&f->closed, true);
        break;
    default:
        break;
    }
}

static void flood_listener(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)ws;
    flood_record(user_data, event);
}

static void attach_flood_reader(ws_socket *ws, void *context) {
    ws_add_event_listener(ws, WS_EVENT_MESSAGE, flood_listener, context);
    ws_add_event_listener(ws, WS_EVENT_CLOSE, flood_listener, context);
}

static bool flood_closed(void *context) { return atomic_load(&((flood_reader *)context)->closed); }

/* Everything arrived, in order, and the server saw its ping answered. */
static void assert_flood_complete(const flood_reader *f, uint32_t count) {
    assert_true(atomic_load(&f->closed));
    assert_int_equal(f->misordered, 0);
    assert_int_equal(f->next, count);
    assert_non_null(strstr(f->final, "\"pong\":\"flood-ping\""));
    assert_true(f->clean);
    assert_int_equal(f->code, 1000);
}

/* ---- The control socket: asks the server how the flood goes ------------------ */

typedef struct flood_status {
    ws_loop *loop;
    ws_socket *ws;
    recorder r;
    unsigned long sent;
    bool stalled, done;
} flood_status;

static void status_open(flood_status *s) {
    s->loop = new_dispatch_loop();
    recorder_init(&s->r);
    char url[96];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/flood-status", node.port);
    s->ws = open_socket(s->loop, url, NULL, &s->r);
}

/* One question, one answer. */
static void status_ask(flood_status *s) {
    size_t before = recorder_count(&s->r, WS_EVENT_MESSAGE);
    assert_int_equal(ws_send_text(s->ws, "status?", 7), WS_OK);
    assert_true(wait_events(s->loop, &s->r, WS_EVENT_MESSAGE, before + 1));
    const rec_event *e = recorder_get(&s->r, WS_EVENT_MESSAGE, before);
    const char *json = (const char *)e->data;
    const char *sent = strstr(json, "\"sent\":");
    assert_non_null(sent);
    s->sent = strtoul(sent + 7, NULL, 10);
    s->stalled = strstr(json, "\"stalled\":true") != NULL;
    s->done = strstr(json, "\"done\":true") != NULL;
}

/* Asks until the server's writes are blocked (bounded). `busy_loop`, when
 * not NULL, is dispatched between the questions (a host-driven loop, whose
 * sockets move only then). */
static void status_wait_stall(flood_status *s, ws_loop *busy_loop) {
    double deadline = now_seconds() + WAIT_SECONDS;
    do {
        if (busy_loop) assert_int_equal(ws_loop_dispatch(busy_loop, 10, NULL), WS_OK);
        status_ask(s);
        if (s->stalled) return;
    } while (now_seconds() < deadline);
    fail_msg("the server never stalled: sent %lu messages", s->sent);
}

static void status_close(flood_status *s) {
    ws_free(s->ws);
    ws_loop_free(s->loop);
    recorder_free(&s->r);
}

static size_t rss_bytes(void) {
    FILE *f = fopen("/proc/self/status", "r");
    assert_non_null(f);
    char line[256];
    size_t kib = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %zu kB", &kib) == 1) break;
    fclose(f);
    return kib * 1024;
}

static ws_options *limit_options(uint64_t limit) {
    ws_options *options;
    assert_int_equal(ws_options_new(&options), WS_OK);
    assert_int_equal(ws_options_set_receive_limit(options, limit), WS_OK);
    return options;
}

static void flood_url(char *out, size_t n, uint32_t count, uint32_t size) {
    snprintf(out, n, "ws://127.0.0.1:%d/flood?count=%u&size=%u", node.port, count, size);
}

/* A socket made with deferred connect in `options`, connected once its
 * listeners (if `reader`) are in place: on every kind of loop. */
static ws_socket *connect_socket(ws_loop *loop, const char *url, const ws_options *options,
                                 flood_reader *reader) {
    ws_socket *ws;
    assert_int_equal(ws_new_ex(loop, url, NULL, 0, options, &ws), WS_OK);
    if (reader) attach_flood_reader(ws, reader);
    assert_int_equal(ws_connect(ws), WS_OK);
    return ws;
}

/* Takes the flood socket's events through the pull path until it closes. */
static void pull_until_closed(ws_loop *loop, flood_reader *f) {
    double deadline = now_seconds() + WAIT_SECONDS;
    while (!atomic_load(&f->closed) && now_seconds() < deadline) {
        const ws_event *event;
        assert_int_equal(ws_loop_next_event(loop, 50, &event), WS_OK);
        if (event) flood_record(f, event);
    }
}

static bool holds_the_limit(void *context) { return ws_undelivered_amount(context) >= 1 * MIB; }

/* ---- A host that stops taking events stays bounded and loses nothing --------- */

/* `keepalive`: pings every 200 ms, whose pongs cannot be read while reading
 * is stopped, with a pong timeout far shorter than the stall: the connection
 * must not fail for it. */
static void stalls_and_delivers_everything(ws_delivery_t delivery, bool pull, bool keepalive) {
    ws_loop *loop;
    assert_int_equal(ws_loop_new(delivery, &loop), WS_OK);
    flood_status status;
    status_open(&status);
    flood_reader reader = FLOOD_READER(FLOOD_SIZE);

    ws_options *options = limit_options(1 * MIB);
    assert_int_equal(ws_options_set_deferred_connect(options, true), WS_OK);
    if (keepalive) {
        assert_int_equal(ws_options_set_ping_interval_ms(options, 200), WS_OK);
        assert_int_equal(ws_options_set_pong_timeout_ms(options, 1000), WS_OK);
    }
    char url[128];
    flood_url(url, sizeof url, FLOOD_COUNT, FLOOD_SIZE);
    size_t rss_before = rss_bytes();
    ws_socket *ws = connect_socket(loop, url, options, pull ? NULL : &reader);
    ws_options_free(options);
    assert_non_null(ws);

    /* The host gets as far as the open event, then takes nothing more. */
    if (pull) {
        const ws_event *event = NULL;
        double deadline = now_seconds() + WAIT_SECONDS;
        while (!event && now_seconds() < deadline)
            assert_int_equal(ws_loop_next_event(loop, 50, &event), WS_OK);
        assert_non_null(event);
        assert_int_equal(ws_event_type(event), WS_EVENT_OPEN);
    } else {
        assert_true(wait_state(loop, ws, WS_OPEN));
    }

    /* The default loop's own thread reads up to the limit while the host is
     * away (a host-driven loop reads nothing while nobody dispatches). */
    if (delivery == WS_DELIVERY_DISPATCH)
        assert_true(poll_until(holds_the_limit, ws, WAIT_SECONDS));
    status_wait_stall(&status, NULL);
    if (keepalive) {
        /* Stalled for longer than the pong timeout (a duration the case
         * needs, not a wait for something to happen). */
        double stalled_at = now_seconds();
        while (now_seconds() - stalled_at < 1.5) status_ask(&status);
    }
    assert_true(status.stalled);
    assert_true(status.sent < FLOOD_COUNT);
    assert_true(ws_undelivered_amount(ws) <= 1 * MIB + LIMIT_MARGIN);
    size_t rss_growth = rss_bytes() > rss_before ? rss_bytes() - rss_before : 0;
    if (RSS_MEANINGFUL) assert_true(rss_growth <= 1 * MIB + LIMIT_MARGIN + RSS_SLACK);

    if (pull) pull_until_closed(loop, &reader);
    else assert_true(wait_for(loop, flood_closed, &reader, WAIT_SECONDS));
    assert_flood_complete(&reader, FLOOD_COUNT);
    assert_int_equal(ws_undelivered_amount(ws), 0);

    ws_free(ws);
    ws_loop_free(loop);
    status_close(&status);
}

static void test_default_loop_dispatch(void **state) {
    (void)state;
    stalls_and_delivers_everything(WS_DELIVERY_DISPATCH, false, true);
}

static void test_default_loop_pull(void **state) {
    (void)state;
    stalls_and_delivers_everything(WS_DELIVERY_DISPATCH, true, false);
}

static void test_host_driven_loop(void **state) {
    (void)state;
    stalls_and_delivers_everything(WS_DELIVERY_HOST_DRIVEN, false, false);
}

/* ---- ws_pause: one socket waits, the others go on -------------------------- */

static void paused_socket_waits_alone(ws_delivery_t delivery) {
    ws_loop *loop;
    assert_int_equal(ws_loop_new(delivery, &loop), WS_OK);
    bool io_thread = delivery == WS_DELIVERY_IO_THREAD;
    flood_status status;
    status_open(&status);

    /* An echo socket on the same loop, to show the loop still works. */
    char echo_url[96];
    snprintf(echo_url, sizeof echo_url, "ws://127.0.0.1:%d/echo", node.port);
    recorder echo;
    recorder_init(&echo);
    ws_options *deferred;
    assert_int_equal(ws_options_new(&deferred), WS_OK);
    assert_int_equal(ws_options_set_deferred_connect(deferred, true), WS_OK);
    ws_socket *other;
    assert_int_equal(ws_new_ex(loop, echo_url, NULL, 0, deferred, &other), WS_OK);
    ws_options_free(deferred);
    recorder_attach(&echo, other);
    assert_int_equal(ws_connect(other), WS_OK);
    if (io_thread) assert_true(poll_events(&echo, WS_EVENT_OPEN, 1));
    else assert_true(wait_events(loop, &echo, WS_EVENT_OPEN, 1));

    /* The flood socket, paused before its first event: even its open waits. */
    flood_reader reader = FLOOD_READER(FLOOD_SIZE);
    ws_options *options = limit_options(1 * MIB);
    assert_int_equal(ws_options_set_deferred_connect(options, true), WS_OK);
    char url[128];
    flood_url(url, sizeof url, FLOOD_COUNT, FLOOD_SIZE);
    ws_socket *ws;
    assert_int_equal(ws_new_ex(loop, url, NULL, 0, options, &ws), WS_OK);
    ws_options_free(options);
    attach_flood_reader(ws, &reader);
    assert_false(ws_is_paused(ws));
    assert_int_equal(ws_pause(ws), WS_OK);
    assert_int_equal(ws_pause(ws), WS_OK);   /* twice: no change */
    assert_true(ws_is_paused(ws));
    assert_int_equal(ws_connect(ws), WS_OK);

    /* Dispatching the loop meanwhile runs none of the paused socket's events. */
    status_wait_stall(&status, io_thread ? NULL : loop);
    assert_true(status.sent < FLOOD_COUNT);
    assert_true(ws_undelivered_amount(ws) <= 1 * MIB + LIMIT_MARGIN);
    assert_int_equal(ws_ready_state(ws), WS_CONNECTING);   /* its open is held too */
    assert_int_equal(reader.next, 0);

    /* The other socket of the loop is served all along. */
    for (int i = 0; i < 3; ++i) {
        assert_int_equal(ws_send_text(other, "ping", 4), WS_OK);
        if (io_thread) assert_true(poll_events(&echo, WS_EVENT_MESSAGE, (size_t)i + 1));
        else assert_true(wait_events(loop, &echo, WS_EVENT_MESSAGE, (size_t)i + 1));
    }
    assert_int_equal(reader.next, 0);   /* dispatching the loop ran none of its events */

    assert_int_equal(ws_resume(ws), WS_OK);
    assert_false(ws_is_paused(ws));
    if (io_thread) assert_true(poll_until(flood_closed, &reader, WAIT_SECONDS));
    else assert_true(wait_for(loop, flood_closed, &reader, WAIT_SECONDS));
    assert_flood_complete(&reader, FLOOD_COUNT);

    ws_free(ws);
    ws_free(other);
    ws_loop_free(loop);
    recorder_free(&echo);
    status_close(&status);
}

static void test_pause_default_loop(void **state) {
    (void)state;
    paused_socket_waits_alone(WS_DELIVERY_DISPATCH);
}

static void test_pause_io_thread_loop(void **state) {
    (void)state;
    paused_socket_waits_alone(WS_DELIVERY_IO_THREAD);
}

static void test_pause_host_driven_loop(void **state) {
    (void)state;
    paused_socket_waits_alone(WS_DELIVERY_HOST_DRIVEN);
}

/* ---- ws_pause/ws_resume from another thread keep the order ------------------ */

typedef struct toggler {
    ws_socket *ws;
    atomic_bool stop;
    unsigned long rounds;
} toggler;

static void *toggle_pause(void *arg) {
    toggler *t = arg;
    while (!atomic_load(&t->stop)) {
        ws_pause(t->ws);
        sleep_ms(0);
        ws_resume(t->ws);
        ++t->rounds;
    }
    return NULL;
}

static void test_pause_and_resume_from_another_thread_keep_order(void **state) {
    (void)state;
    ws_loop *loop = new_dispatch_loop();
    const uint32_t count = 50000, size = 8;
    ws_options *options = limit_options(WS_DEFAULT_RECEIVE_LIMIT);
    assert_int_equal(ws_options_set_deferred_connect(options, true), WS_OK);
    char url[128];
    flood_url(url, sizeof url, count, size);
    flood_reader reader = FLOOD_READER(size);
    ws_socket *ws = connect_socket(loop, url, options, NULL);
    ws_options_free(options);
    toggler t = {.ws = ws};
    pthread_t thread;
    bool started = false;
    double deadline = now_seconds() + WAIT_SECONDS * 3;
    while (!atomic_load(&reader.closed) && now_seconds() < deadline) {
        const ws_event *event;
        assert_int_equal(ws_loop_next_event(loop, 50, &event), WS_OK);
        if (!event) continue;
        if (ws_event_type(event) == WS_EVENT_OPEN && !started) {
            assert_int_equal(pthread_create(&thread, NULL, toggle_pause, &t), 0);
            started = true;
        }
        flood_record(&reader, event);
    }
    atomic_store(&t.stop, true);
    if (started) pthread_join(thread, NULL);
    ws_resume(ws);
    assert_true(t.rounds > 0);
    assert_flood_complete(&reader, count);
    ws_free(ws);
    ws_loop_free(loop);
}

/* ---- Tiny messages: each counts its bookkeeping, not only its bytes ---------- */

static bool holds_half_a_mib(void *context) { return ws_undelivered_amount(context) >= MIB / 2; }

/* 4-byte messages: 300,000 are 1.2 MB of payload, more than the limit, but
 * counted by payload alone 131,072 of them would fit in 512 KiB, each an
 * event of a few hundred bytes: tens of MiB held. Each message's fixed cost
 * keeps the socket near the limit in memory too. */
static void test_tiny_messages_count_their_bookkeeping(void **state) {
    (void)state;
    ws_loop *loop = new_dispatch_loop();
    const uint32_t count = 300000, size = 4;
    ws_options *options = limit_options(MIB / 2);
    assert_int_equal(ws_options_set_deferred_connect(options, true), WS_OK);
    char url[128];
    flood_url(url, sizeof url, count, size);
    flood_reader reader = FLOOD_READER(size);
    size_t rss_before = rss_bytes();
    ws_socket *ws = connect_socket(loop, url, options, &reader);
    ws_options_free(options);
    assert_true(wait_state(loop, ws, WS_OPEN));

    /* The loop's own thread reads up to the limit while the host is away. */
    assert_true(poll_until(holds_half_a_mib, ws, WAIT_SECONDS));
    assert_true(ws_undelivered_amount(ws) <= MIB / 2 + LIMIT_MARGIN);
    size_t rss_growth = rss_bytes() > rss_before ? rss_bytes() - rss_before : 0;
    if (RSS_MEANINGFUL) assert_true(rss_growth <= MIB / 2 + LIMIT_MARGIN + RSS_SLACK);

    assert_true(wait_for(loop, flood_closed, &reader, WAIT_SECONDS * 3));
    assert_flood_complete(&reader, count);
    assert_int_equal(ws_undelivered_amount(ws), 0);
    ws_free(ws);
    ws_loop_free(loop);
}

/* ---- The limit pauses between messages, never inside one -------------------- */

static void test_message_larger_than_the_limit_arrives_whole(void **state) {
    (void)state;
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    ws_options *options = limit_options(64 * 1024);
    char url[128];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/send?count=3&size=1048576&type=binary", node.port);
    ws_socket *ws = open_socket(loop, url, options, &r);
    ws_options_free(options);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    assert_int_equal(recorder_count(&r, WS_EVENT_MESSAGE), 3);
    for (size_t i = 0; i < 3; ++i) {
        const rec_event *e = recorder_get(&r, WS_EVENT_MESSAGE, i);
        assert_int_equal(e->size, 1048576);
        for (size_t k = 0; k < e->size; k += 4099) assert_int_equal(e->data[k], k % 256);
    }
    const rec_event *close = recorder_get(&r, WS_EVENT_CLOSE, 0);
    assert_true(close->was_clean);
    assert_int_equal(close->code, 1000);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

/* ---- Counted after inflating: permessage-deflate cannot amplify past it ----- */

static bool held_at_least_limit(void *context) {
    return ws_undelivered_amount(context) >= 2 * MIB;
}

static void test_limit_counts_inflated_bytes(void **state) {
    (void)state;
    echo_server deflating;
    const char *argv[] = {"node", POLYWS_NODE_SERVER, "--deflate", "--port", "0", NULL};
    assert_int_equal(peer_start(&deflating, argv, "ws"), 0);
    ws_loop *loop = new_dispatch_loop();

    /* 1 MiB messages of a repeating pattern: a few KiB each on the wire,
     * 256 MiB in all once inflated; the kernel's buffers hold every byte the
     * server sends, so only the receive limit keeps the client small. */
    const uint32_t count = 128, size = 1 * MIB;
    ws_options *options = limit_options(2 * MIB);
    assert_int_equal(ws_options_set_deferred_connect(options, true), WS_OK);
    assert_int_equal(ws_options_set_permessage_deflate(options, true), WS_OK);
    char url[128];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/flood?count=%u&size=%u", deflating.port, count, size);
    flood_reader reader = FLOOD_READER(size);
    size_t rss_before = rss_bytes();
    ws_socket *ws = connect_socket(loop, url, options, &reader);
    ws_options_free(options);
    assert_true(wait_state(loop, ws, WS_OPEN));
    assert_string_equal(ws_extensions(ws), "permessage-deflate");

    /* The loop's own thread reads up to the limit while the host is away. */
    assert_true(poll_until(held_at_least_limit, ws, WAIT_SECONDS));
    uint64_t held = ws_undelivered_amount(ws);
    assert_true(held <= 2 * MIB + size + 256 * 1024);
    size_t rss_growth = rss_bytes() > rss_before ? rss_bytes() - rss_before : 0;
    if (RSS_MEANINGFUL) assert_true(rss_growth <= 2 * MIB + 2 * size + RSS_SLACK);

    assert_true(wait_for(loop, flood_closed, &reader, WAIT_SECONDS * 3));
    assert_flood_complete(&reader, count);

    ws_free(ws);
    ws_loop_free(loop);
    echo_stop(&deflating);
}

/* ---- The setter's contract --------------------------------------------------- */

static void test_receive_limit_arguments(void **state) {
    (void)state;
    ws_options *options;
    assert_int_equal(ws_options_new(&options), WS_OK);
    assert_int_equal(ws_options_set_receive_limit(options, 0), WS_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(ws_last_error(NULL), "receive limit"));
    assert_int_equal(ws_options_set_receive_limit(NULL, 1), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_options_set_receive_limit(options, 1), WS_OK);
    ws_options_free(options);
    assert_int_equal(ws_pause(NULL), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_resume(NULL), WS_ERR_INVALID_ARGUMENT);
    assert_false(ws_is_paused(NULL));
    assert_int_equal(ws_undelivered_amount(NULL), 0);
    assert_int_equal(WS_DEFAULT_RECEIVE_LIMIT, 8 * MIB);
}

int main(void) {
    test_support_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receive_limit_arguments),
        cmocka_unit_test(test_default_loop_dispatch),
        cmocka_unit_test(test_default_loop_pull),
        cmocka_unit_test(test_host_driven_loop),
        cmocka_unit_test(test_pause_default_loop),
        cmocka_unit_test(test_pause_io_thread_loop),
        cmocka_unit_test(test_pause_host_driven_loop),
        cmocka_unit_test(test_pause_and_resume_from_another_thread_keep_order),
        cmocka_unit_test(test_tiny_messages_count_their_bookkeeping),
        cmocka_unit_test(test_message_larger_than_the_limit_arrives_whole),
        cmocka_unit_test(test_limit_counts_inflated_bytes),
    };
    return cmocka_run_group_tests(tests, node_setup, node_teardown);
}
