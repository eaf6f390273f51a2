/*
 * ws_close: contract rules 15-20 (and the close event of rule 24), against
 * polyws-echo, which answers a close frame with the same code and reason.
 */
#include "test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>



static void repeat(char *out, const char *unit, size_t times) {
    out[0] = 0;
    for (size_t i = 0; i < times; ++i) strcat(out, unit);
}

static void expect_clean_close(recorder *r, uint16_t code, const char *reason) {
    assert_int_equal(recorder_count(r, WS_EVENT_CLOSE), 1);
    assert_int_equal(recorder_count(r, WS_EVENT_ERROR), 0);
    const rec_event *close = recorder_get(r, WS_EVENT_CLOSE, 0);
    assert_int_equal(close->code, code);
    assert_string_equal(close->reason, reason);
    assert_true(close->was_clean);
    assert_int_equal(close->state, WS_CLOSED); /* rule 24 */
}

/* ---- Rule 15 ---- */

static const uint16_t kInvalidCodes[] = {1,    999,  1001, 1002, 1003, 1004, 1005, 1006,
                                         1007, 1011, 1015, 2000, 2999, 5000, 65535};
#define NINVALID (sizeof kInvalidCodes / sizeof kInvalidCodes[0])

static void expect_invalid_codes(ws_socket *ws) {
    char long_reason[201];
    repeat(long_reason, "r", 200);
    ws_ready_state_t before = ws_ready_state(ws);
    for (size_t i = 0; i < NINVALID; ++i) {
        /* The code is checked first: a too long or non-UTF-8 reason does
         * not change the answer. */
        assert_int_equal(ws_close(ws, kInvalidCodes[i], NULL), WS_ERR_INVALID_ACCESS);
        assert_true(strlen(ws_last_error(ws)) > 0);
        assert_int_equal(ws_close(ws, kInvalidCodes[i], long_reason), WS_ERR_INVALID_ACCESS);
        assert_int_equal(ws_close(ws, kInvalidCodes[i], "\xff"), WS_ERR_INVALID_ACCESS);
        assert_int_equal(ws_ready_state(ws), before);
    }
}

static void test_rule15_close_code_invalid_access(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&f->r, ws);
    expect_invalid_codes(ws); /* CONNECTING */
    assert_true(wait_state(f->loop, ws, WS_OPEN));
    expect_invalid_codes(ws); /* OPEN: and the socket stays usable */
    assert_int_equal(ws_send_text(ws, "still open", 10), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 1));
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    expect_invalid_codes(ws); /* CLOSING */
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    expect_invalid_codes(ws); /* CLOSED */
    expect_clean_close(&f->r, 1000, "");
    ws_free(ws);
}

static void test_rule15_valid_codes_accepted(void **state) {
    struct fixture *f = *state;
    static const uint16_t codes[] = {0, 1000, 3000, 3999, 4000, 4999};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; ++i) {
        recorder r;
        recorder_init(&r);
        ws_socket *ws = open_socket(f->loop, server.url, NULL, &r);
        assert_int_equal(ws_close(ws, codes[i], NULL), WS_OK);
        assert_int_equal(ws_ready_state(ws), WS_CLOSING);
        assert_true(wait_events(f->loop, &r, WS_EVENT_CLOSE, 1));
        /* The echo server returns the code; no code comes back as 1005. */
        expect_clean_close(&r, codes[i] ? codes[i] : 1005, "");
        ws_free(ws);
        recorder_free(&r);
    }
}

/* ---- Rule 16 ---- */

static void test_rule16_close_reason_over_123_bytes_syntax_error(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, &f->r);
    char reason[256];

    repeat(reason, "x", 124);
    assert_int_equal(ws_close(ws, 1000, reason), WS_ERR_SYNTAX);
    assert_true(strlen(ws_last_error(ws)) > 0);
    assert_int_equal(ws_ready_state(ws), WS_OPEN);
    /* Bytes, not characters: 62 x U+00E9 is 124 bytes. */
    repeat(reason, "\xc3\xa9", 62);
    assert_int_equal(ws_close(ws, 4000, reason), WS_ERR_SYNTAX);
    repeat(reason, "\xe2\x82\xac", 42); /* 126 bytes */
    assert_int_equal(ws_close(ws, 3000, reason), WS_ERR_SYNTAX);
    assert_int_equal(ws_ready_state(ws), WS_OPEN);
    /* Not UTF-8: its own error. */
    assert_int_equal(ws_close(ws, 1000, "bad \xc0\x80"), WS_ERR_INVALID_UTF8);
    assert_int_equal(ws_ready_state(ws), WS_OPEN);

    /* 123 bytes is fine, and arrives whole (41 x U+20AC). */
    repeat(reason, "\xe2\x82\xac", 41);
    assert_int_equal(strlen(reason), 123);
    assert_int_equal(ws_close(ws, 4001, reason), WS_OK);
    assert_int_equal(ws_ready_state(ws), WS_CLOSING);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    expect_clean_close(&f->r, 4001, reason);
    ws_free(ws);
}

static void test_rule16_close_reason_of_123_ascii_bytes_accepted(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, &f->r);
    char reason[124];
    repeat(reason, "y", 123);
    assert_int_equal(ws_close(ws, 1000, reason), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    expect_clean_close(&f->r, 1000, reason);
    ws_free(ws);
}

/* ---- Rule 17 ---- */

static void test_rule17_close_in_closing_or_closed_does_nothing(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, &f->r);
    assert_int_equal(ws_close(ws, 3001, "first"), WS_OK);
    assert_int_equal(ws_ready_state(ws), WS_CLOSING);
    /* CLOSING: nothing happens, whatever the arguments. */
    assert_int_equal(ws_close(ws, 3002, "second"), WS_OK);
    assert_int_equal(ws_close(ws, 0, NULL), WS_OK);
    assert_int_equal(ws_close(ws, 1000, "third"), WS_OK);
    assert_int_equal(ws_ready_state(ws), WS_CLOSING);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    /* The first close decided the frame. */
    expect_clean_close(&f->r, 3001, "first");
    /* CLOSED: nothing happens either. */
    assert_int_equal(ws_close(ws, 4000, "late"), WS_OK);
    assert_int_equal(ws_close(ws, 0, NULL), WS_OK);
    assert_int_equal(ws_ready_state(ws), WS_CLOSED);
    /* Nothing new is queued for this socket: a dispatch with a zero wait
     * finds nothing, and no event was recorded. */
    size_t n = 99;
    assert_int_equal(ws_loop_dispatch(f->loop, 0, &n), WS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(recorder_count(&f->r, 0), 2); /* open, close */
    ws_free(ws);
}

/* ---- Rule 18 ---- */

static void expect_failed_before_open(recorder *r) {
    assert_int_equal(recorder_count(r, WS_EVENT_OPEN), 0);
    assert_int_equal(recorder_count(r, WS_EVENT_MESSAGE), 0);
    assert_int_equal(recorder_count(r, 0), 2);
    const rec_event *error = recorder_get(r, 0, 0);
    const rec_event *close = recorder_get(r, 0, 1);
    assert_int_equal(error->type, WS_EVENT_ERROR);
    assert_int_equal(error->state, WS_CLOSED);
    assert_int_equal(close->type, WS_EVENT_CLOSE);
    assert_int_equal(close->code, 1006);
    assert_false(close->was_clean);
    assert_string_equal(close->reason, "");
    assert_int_equal(close->state, WS_CLOSED);
}

static void test_rule18_close_while_connecting_fails_connection(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&f->r, ws);
    assert_int_equal(ws_close(ws, 1000, "never mind"), WS_OK);
    assert_int_equal(ws_ready_state(ws), WS_CLOSING);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    expect_failed_before_open(&f->r);
    assert_int_equal(ws_ready_state(ws), WS_CLOSED);
    ws_free(ws);
}

static void test_rule18_close_with_open_event_pending_fails_connection(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&f->r, ws);
    /* The handshake is done and the open event waits, undispatched: the page
     * still sees CONNECTING, so close() fails the connection. */
    assert_true(wait_fd_readable(f->loop, WAIT_SECONDS));
    assert_int_equal(ws_ready_state(ws), WS_CONNECTING);
    assert_int_equal(ws_close(ws, 0, NULL), WS_OK);
    assert_int_equal(ws_ready_state(ws), WS_CLOSING);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    expect_failed_before_open(&f->r);
    ws_free(ws);
}

/* ---- Rule 19 ---- */

static void test_rule19_close_in_open_sends_code_and_reason(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, &f->r);
    assert_int_equal(ws_close(ws, 4321, "caf\xc3\xa9 closed"), WS_OK);
    assert_int_equal(ws_ready_state(ws), WS_CLOSING);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    expect_clean_close(&f->r, 4321, "caf\xc3\xa9 closed");
    assert_int_equal(ws_ready_state(ws), WS_CLOSED);
    ws_free(ws);
}

static void test_rule19_close_without_code_sends_empty_frame(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, &f->r);
    /* An empty close frame comes back empty: close event 1005. */
    assert_int_equal(ws_close(ws, 0, NULL), WS_OK);
    assert_int_equal(ws_ready_state(ws), WS_CLOSING);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    expect_clean_close(&f->r, 1005, "");
    ws_free(ws);
}

static void test_rule19_close_1000_with_empty_reason(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, &f->r);
    assert_int_equal(ws_close(ws, 1000, ""), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    expect_clean_close(&f->r, 1000, "");
    ws_free(ws);
}

/* ---- Rule 20 ---- */

#define BIG (256u * 1024u)
#define NBIG 4

struct close_after_sends {
    ws_result sends[NBIG], close;
    uint64_t buffered_at_close;
    ws_ready_state_t state_after_close;
};

/* onopen, on the I/O thread: nothing can drain while this runs, so all
 * NBIG * BIG bytes are waiting when close() is called. */
static void send_then_close(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)event;
    struct close_after_sends *c = user_data;
    static uint8_t payload[BIG];
    for (size_t i = 0; i < sizeof payload; ++i) payload[i] = (uint8_t)i;
    for (int i = 0; i < NBIG; ++i) c->sends[i] = ws_send_binary(ws, payload, sizeof payload);
    c->buffered_at_close = ws_buffered_amount(ws);
    c->close = ws_close(ws, 1000, "after the data");
    c->state_after_close = ws_ready_state(ws);
}

struct send_then_close_setup {
    struct close_after_sends *c;
    recorder *r;
};

static void attach_send_then_close(ws_socket *ws, void *context) {
    struct send_then_close_setup *s = context;
    ws_set_onopen(ws, send_then_close, s->c);
    attach_recorder(ws, s->r);
}

static void test_rule20_messages_sent_before_close_frame(void **state) {
    (void)state;
    ws_loop *loop = NULL;
    assert_int_equal(ws_loop_new(WS_DELIVERY_IO_THREAD, &loop), WS_OK);
    struct close_after_sends c;
    memset(&c, 0, sizeof c);
    recorder r;
    recorder_init(&r);
    struct send_then_close_setup setup = {&c, &r};
    ws_socket *ws = new_socket(loop, server.url, NULL, 0, NULL, attach_send_then_close, &setup);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));

    for (int i = 0; i < NBIG; ++i) assert_int_equal(c.sends[i], WS_OK);
    assert_int_equal(c.close, WS_OK);
    assert_int_equal(c.state_after_close, WS_CLOSING);
    assert_int_equal(c.buffered_at_close, (uint64_t)NBIG * BIG);
    /* Every accepted byte went out before the close frame: bufferedAmount
     * (which never falls for discarded data) is back to 0, and the closing
     * handshake completed cleanly after them. */
    const rec_event *close = recorder_get(&r, WS_EVENT_CLOSE, 0);
    assert_int_equal(close->buffered, 0);
    assert_int_equal(ws_buffered_amount(ws), 0);
    expect_clean_close(&r, 1000, "after the data");
    /* Echoes arriving while CLOSING are not delivered (rule 22). */
    assert_int_equal(recorder_count(&r, WS_EVENT_MESSAGE), 0);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

static void test_rule20_close_right_after_sends_on_host_thread(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, &f->r);
    static uint8_t payload[BIG];
    for (int i = 0; i < NBIG; ++i) assert_int_equal(ws_send_binary(ws, payload, BIG), WS_OK);
    assert_int_equal(ws_close(ws, 3333, "bye"), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    assert_int_equal(recorder_get(&f->r, WS_EVENT_CLOSE, 0)->buffered, 0);
    expect_clean_close(&f->r, 3333, "bye");
    ws_free(ws);
}

/* ---- The same rules, checked on the wire with the raw server ---- */

/* Opens a socket to a fresh raw server on the fixture's loop. */
static ws_socket *open_raw(struct fixture *f, raw_server *raw) {
    memset(raw, 0, sizeof *raw);
    assert_int_equal(raw_server_start(raw), 0);
    return open_socket(f->loop, raw->url, NULL, &f->r);
}

static void expect_all_masked(raw_server *raw) {
    for (size_t i = 0; i < raw->nframes; ++i) assert_true(raw->frames[i].masked);
}

/* close(code, reason) on a fresh raw server; checks that the one close frame
 * it received carried exactly `payload` (`size` bytes: code, then reason),
 * that the closing handshake completed, and the close event. */
static void expect_close_frame(struct fixture *f, uint16_t code, const char *reason,
                               const char *payload, size_t size, uint16_t event_code,
                               const char *event_reason) {
    raw_server raw;
    ws_socket *ws = open_raw(f, &raw);
    assert_int_equal(ws_close(ws, code, reason), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    assert_true(raw_server_wait(&raw));
    const raw_frame *close = raw_server_close_frame(&raw);
    assert_non_null(close);
    assert_int_equal(close->size, size);
    if (size) assert_memory_equal(close->payload, payload, size);
    assert_true(close->fin);
    expect_all_masked(&raw);
    assert_true(raw.closing_handshake_done);
    expect_clean_close(&f->r, event_code, event_reason);
    ws_free(ws);
    raw_server_stop(&raw);
}

static void test_rule19_close_without_code_sends_empty_frame_on_wire(void **state) {
    /* Neither code nor reason ("" counts as no reason): an empty frame,
     * answered empty (1005). */
    expect_close_frame(*state, 0, "", NULL, 0, 1005, "");
}

static void test_rule19_reason_without_code_sends_1000_on_wire(void **state) {
    /* WHATWG close(undefined, "r"): the code becomes 1000. */
    expect_close_frame(*state, 0, "r", "\x03\xe8" "r", 3, 1000, "r");
}

static void test_rule19_close_code_and_reason_on_wire(void **state) {
    expect_close_frame(*state, 4000, "bye", "\x0f\xa0" "bye", 5, 4000, "bye"); /* 4000, then the reason */
}

static void test_rule20_messages_precede_close_frame_on_wire(void **state) {
    struct fixture *f = *state;
    raw_server raw;
    ws_socket *ws = open_raw(f, &raw);
    static uint8_t big[BIG];
    for (size_t i = 0; i < sizeof big; ++i) big[i] = (uint8_t)(i * 7);
    assert_int_equal(ws_send_text(ws, "one", 3), WS_OK);
    assert_int_equal(ws_send_binary(ws, big, sizeof big), WS_OK);
    assert_int_equal(ws_send_text(ws, "three", 5), WS_OK);
    assert_int_equal(ws_send_binary(ws, NULL, 0), WS_OK);
    assert_int_equal(ws_close(ws, 1000, "last"), WS_OK);
    /* Rule 11: after close(), data is counted but never sent. */
    assert_int_equal(ws_send_text(ws, "discarded", 9), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    assert_true(raw_server_wait(&raw));

    /* Four whole messages, in order, then the close frame, then nothing. */
    const raw_frame *close = raw_server_close_frame(&raw);
    assert_non_null(close);
    assert_ptr_equal(close, &raw.frames[raw.nframes - 1]);
    size_t before = raw_server_data_frames_before(&raw, close);
    assert_int_equal(before, raw.nframes - 1);
    /* Reassemble messages (a message may be fragmented). */
    size_t message = 0, offset = 0;
    static const size_t sizes[] = {3, BIG, 5, 0};
    static const int opcodes[] = {1, 2, 1, 2};
    for (size_t i = 0; i < before; ++i) {
        const raw_frame *fr = &raw.frames[i];
        assert_true(message < 4);
        if (offset == 0) assert_int_equal(fr->opcode, opcodes[message]);
        else assert_int_equal(fr->opcode, 0);
        const uint8_t *expected = message == 0   ? (const uint8_t *)"one"
                                  : message == 1 ? big
                                  : message == 2 ? (const uint8_t *)"three"
                                                 : NULL;
        if (fr->size) assert_memory_equal(fr->payload, expected + offset, fr->size);
        offset += fr->size;
        if (fr->fin) {
            assert_int_equal(offset, sizes[message]);
            message++;
            offset = 0;
        }
    }
    assert_int_equal(message, 4);
    assert_memory_equal(close->payload, "\x03\xe8" "last", 6);
    expect_all_masked(&raw);
    assert_int_equal(recorder_get(&f->r, WS_EVENT_CLOSE, 0)->buffered, 9);
    ws_free(ws);
    raw_server_stop(&raw);
}

static void test_rule17_second_close_sends_no_second_frame(void **state) {
    struct fixture *f = *state;
    raw_server raw;
    ws_socket *ws = open_raw(f, &raw);
    assert_int_equal(ws_close(ws, 3001, "first"), WS_OK);
    assert_int_equal(ws_close(ws, 3002, "second"), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    assert_int_equal(ws_close(ws, 3003, "third"), WS_OK);
    assert_true(raw_server_wait(&raw));
    size_t closes = 0;
    for (size_t i = 0; i < raw.nframes; ++i) closes += raw.frames[i].opcode == 0x8;
    assert_int_equal(closes, 1);
    assert_memory_equal(raw_server_close_frame(&raw)->payload, "\x0b\xb9" "first", 7);
    ws_free(ws);
    raw_server_stop(&raw);
}

/* ---- Timeouts (ws_options) ---- */

static void test_close_timeout_drops_connection_with_1006(void **state) {
    struct fixture *f = *state;
    raw_server raw;
    memset(&raw, 0, sizeof raw);
    raw.no_close_reply = true; /* the server never answers the close frame */
    assert_int_equal(raw_server_start(&raw), 0);
    ws_options *options = NULL;
    assert_int_equal(ws_options_new(&options), WS_OK);
    assert_int_equal(ws_options_set_close_timeout_ms(options, 200), WS_OK);
    ws_socket *ws = open_socket(f->loop, raw.url, options, &f->r);
    ws_options_free(options);
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    /* No closing handshake: 1006, not clean, and no error event. */
    const rec_event *close = recorder_get(&f->r, WS_EVENT_CLOSE, 0);
    assert_int_equal(close->code, 1006);
    assert_false(close->was_clean);
    assert_int_equal(recorder_count(&f->r, WS_EVENT_ERROR), 0);
    assert_true(raw_server_wait(&raw));
    assert_non_null(raw_server_close_frame(&raw));
    assert_true(raw.got_eof); /* the client dropped TCP */
    ws_free(ws);
    raw_server_stop(&raw);
}

static void test_rule25_connect_timeout_fails_connection(void **state) {
    struct fixture *f = *state;
    /* A listening socket that is never accepted from: TCP connects (the
     * kernel's backlog), the HTTP upgrade is never answered. */
    int port = 0;
    int fd = silent_listener(&port);
    char url[64];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", port);

    ws_options *options = NULL;
    assert_int_equal(ws_options_new(&options), WS_OK);
    assert_int_equal(ws_options_set_connect_timeout_ms(options, 200), WS_OK);
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, url, NULL, 0, options, &ws), WS_OK);
    ws_options_free(options);
    recorder_attach(&f->r, ws);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    expect_failed_before_open(&f->r);
    assert_true(strlen(recorder_get(&f->r, WS_EVENT_ERROR, 0)->error) > 0);
    ws_free(ws);
    close(fd);
}

int main(void) {
    test_support_init();
    const struct CMUnitTest tests[] = {
        T(test_rule15_close_code_invalid_access),
        T(test_rule15_valid_codes_accepted),
        T(test_rule16_close_reason_over_123_bytes_syntax_error),
        T(test_rule16_close_reason_of_123_ascii_bytes_accepted),
        T(test_rule17_close_in_closing_or_closed_does_nothing),
        T(test_rule18_close_while_connecting_fails_connection),
        T(test_rule18_close_with_open_event_pending_fails_connection),
        T(test_rule19_close_in_open_sends_code_and_reason),
        T(test_rule19_close_without_code_sends_empty_frame),
        T(test_rule19_close_1000_with_empty_reason),
        cmocka_unit_test(test_rule20_messages_sent_before_close_frame),
        T(test_rule20_close_right_after_sends_on_host_thread),
        T(test_rule19_close_without_code_sends_empty_frame_on_wire),
        T(test_rule19_reason_without_code_sends_1000_on_wire),
        T(test_rule19_close_code_and_reason_on_wire),
        T(test_rule20_messages_precede_close_frame_on_wire),
        T(test_rule17_second_close_sends_no_second_frame),
        T(test_close_timeout_drops_connection_with_1006),
        T(test_rule25_connect_timeout_fails_connection),
    };
    return cmocka_run_group_tests(tests, echo_group_setup, echo_group_teardown);
}
