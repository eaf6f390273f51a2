/*
 * What happens when the peer stops reading or goes away: bufferedAmount
 * under a reader that stopped (SIGSTOP) and after it resumes, unsent
 * messages reported on the close event when the peer dies, and the
 * reconnect option (close() stops it; bufferedAmount starts over).
 */
#include "test_support.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define CHUNK (256 * 1024)
#define CHUNKS 64   /* 16 MiB: more than loopback socket buffers hold */

static uint8_t payload[CHUNK];

/* The peer dies at once (the kernel resets its connections). */
static void kill_peer(echo_server *peer) {
    assert_int_equal(kill(peer->pid, SIGKILL), 0);
    int status;
    waitpid(peer->pid, &status, 0);
    peer->pid = -1;
}

/* An open socket to a fresh echo server, reconnecting after 20-100 ms. */
static ws_socket *open_reconnecting(struct fixture *f, echo_server *peer) {
    assert_int_equal(echo_start(peer, NULL, 0), 0);
    ws_options *o = NULL;
    assert_int_equal(ws_options_new(&o), WS_OK);
    assert_int_equal(ws_options_set_reconnect(o, 20, 100, 0), WS_OK);
    ws_socket *ws = open_socket(f->loop, peer->url, o, &f->r);
    ws_options_free(o);
    return ws;
}

struct amount {
    ws_socket *ws;
    uint64_t at_most;
};

static bool buffered_at_most(void *context) {
    struct amount *a = context;
    return ws_buffered_amount(a->ws) <= a->at_most;
}

static void test_rule10_buffered_amount_under_a_stopped_reader(void **state) {
    struct fixture *f = *state;
    echo_server peer;
    assert_int_equal(echo_start(&peer, NULL, 0), 0);
    ws_socket *ws = open_socket(f->loop, peer.url, NULL, &f->r);
    assert_int_equal(kill(peer.pid, SIGSTOP), 0);   /* it reads nothing from now on */
    for (int i = 0; i < CHUNKS; ++i) assert_int_equal(ws_send_binary(ws, payload, CHUNK), WS_OK);
    uint64_t total = (uint64_t)CHUNK * CHUNKS;
    /* Only what the kernel took may have left: most of it is still counted. */
    uint64_t stalled = ws_buffered_amount(ws);
    assert_true(stalled <= total);
    assert_true(stalled >= total / 2);
    assert_int_equal(kill(peer.pid, SIGCONT), 0);
    /* It resumes: every byte leaves and the count comes back to exactly 0,
     * and every message is echoed. */
    struct amount zero = {ws, 0};
    assert_true(wait_for(f->loop, buffered_at_most, &zero, WAIT_SECONDS));
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, CHUNKS));
    assert_int_equal(ws_buffered_amount(ws), 0);
    ws_free(ws);
    echo_stop(&peer);
}

static void test_unsent_messages_reported_when_the_peer_dies(void **state) {
    struct fixture *f = *state;
    echo_server peer;
    assert_int_equal(echo_start(&peer, NULL, 0), 0);
    ws_socket *ws = open_socket(f->loop, peer.url, NULL, &f->r);
    assert_int_equal(kill(peer.pid, SIGSTOP), 0);
    for (int i = 0; i < CHUNKS; ++i) assert_int_equal(ws_send_binary(ws, payload, CHUNK), WS_OK);
    /* The kernel holds a few MiB at most: the rest is still queued here. */
    kill_peer(&peer);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    const rec_event *close = recorder_get(&f->r, WS_EVENT_CLOSE, 0);
    assert_int_equal(close->code, 1006);
    assert_false(close->was_clean);
    /* What never left is reported, and matches bufferedAmount. */
    assert_true(close->unsent_messages > 0);
    assert_true(close->unsent_messages <= CHUNKS);
    assert_true(close->unsent_bytes > 0);
    assert_int_equal(close->unsent_bytes, ws_buffered_amount(ws));
    assert_false(close->will_reconnect);
    ws_free(ws);
    echo_stop(&peer);
}

static void test_reconnect_stopped_by_close_and_buffered_amount_restarts(void **state) {
    struct fixture *f = *state;
    echo_server peer;
    ws_socket *ws = open_reconnecting(f, &peer);
    /* The peer dies: close says a reconnect follows; the socket is CLOSED. */
    kill_peer(&peer);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    assert_true(recorder_get(&f->r, WS_EVENT_CLOSE, 0)->will_reconnect);
    assert_int_equal(ws_ready_state(ws), WS_CLOSED);
    /* Sends while CLOSED count, as in a browser... */
    assert_int_equal(ws_send_text(ws, "lost", 4), WS_OK);
    assert_int_equal(ws_buffered_amount(ws), 4);
    /* ...and the reconnect starts over from 0, CONNECTING. */
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_RECONNECT, 1));
    assert_int_equal(recorder_get(&f->r, WS_EVENT_RECONNECT, 0)->attempt, 1);
    assert_int_equal(recorder_get(&f->r, WS_EVENT_RECONNECT, 0)->state, WS_CONNECTING);
    assert_int_equal(ws_buffered_amount(ws), 0);
    /* The attempt fails (nobody listens); close() then stops reconnecting. */
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 2));
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    size_t reconnects = recorder_count(&f->r, WS_EVENT_RECONNECT);
    /* Drain for a while past the longest delay: nothing more may come. A
     * reconnect already queued before close() is dropped at dispatch. */
    for (int i = 0; i < 10; ++i) ws_loop_dispatch(f->loop, 50, NULL);
    assert_int_equal(recorder_count(&f->r, WS_EVENT_RECONNECT), reconnects);
    assert_int_equal(ws_ready_state(ws), WS_CLOSED);
    ws_free(ws);
}

/* The drop is seen on the I/O thread; the host calls close() before it
 * dispatches the close event: that event must not promise a reconnect. */
static void test_close_before_dispatch_cancels_will_reconnect(void **state) {
    struct fixture *f = *state;
    echo_server peer;
    ws_socket *ws = open_reconnecting(f, &peer);
    kill_peer(&peer);
    assert_true(wait_fd_readable(f->loop, WAIT_SECONDS));   /* the close event is queued */
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    assert_false(recorder_get(&f->r, WS_EVENT_CLOSE, 0)->will_reconnect);
    for (int i = 0; i < 6; ++i) ws_loop_dispatch(f->loop, 50, NULL);   /* past the delay */
    assert_int_equal(recorder_count(&f->r, WS_EVENT_RECONNECT), 0);
    ws_free(ws);
}

static void test_reconnect_options_are_checked(void **state) {
    (void)state;
    ws_options *o = NULL;
    assert_int_equal(ws_options_new(&o), WS_OK);
    assert_int_equal(ws_options_set_reconnect(NULL, 10, 100, 0), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_options_set_reconnect(o, 100, 10, 0), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_options_set_reconnect(o, 0, 0, 0), WS_OK);   /* off */
    assert_int_equal(ws_options_set_reconnect(o, 100, 100, 5), WS_OK);
    ws_options_free(o);
}

int main(void) {
    test_support_init();
    for (size_t i = 0; i < sizeof payload; ++i) payload[i] = (uint8_t)(i * 7);
    const struct CMUnitTest tests[] = {
        T(test_rule10_buffered_amount_under_a_stopped_reader),
        T(test_unsent_messages_reported_when_the_peer_dies),
        T(test_reconnect_stopped_by_close_and_buffered_amount_restarts),
        T(test_close_before_dispatch_cancels_will_reconnect),
        cmocka_unit_test(test_reconnect_options_are_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
