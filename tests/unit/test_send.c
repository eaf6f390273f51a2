/*
 * ws_send_text / ws_send_binary and bufferedAmount: contract rules 9-14,
 * message order and binary payloads, against polyws-echo.
 *
 * Exact bufferedAmount values are read inside a listener of a
 * WS_DELIVERY_IO_THREAD loop: while the listener runs, the I/O thread that
 * would send the bytes is busy running it, so nothing can drain meanwhile.
 */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>


/* Text payloads must be ASCII here; binary ones use every byte value. */
static void fill_pattern(uint8_t *p, size_t n, unsigned seed, bool text) {
    for (size_t i = 0; i < n; ++i) {
        unsigned v = (unsigned)(i * 31u + seed * 7u + (i >> 8));
        p[i] = text ? (uint8_t)('a' + v % 26) : (uint8_t)v;
    }
}

/* ---- Rule 9 ---- */

static void test_rule9_send_while_connecting_is_invalid_state(void **state) {
    (void)state;
    ws_loop *loop = new_dispatch_loop();
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(loop, server.url, NULL, 0, NULL, &ws), WS_OK);

    /* Nothing dispatched: the socket reads CONNECTING. */
    assert_int_equal(ws_ready_state(ws), WS_CONNECTING);
    assert_int_equal(ws_send_text(ws, "hi", 2), WS_ERR_INVALID_STATE);
    assert_true(strlen(ws_last_error(ws)) > 0);
    assert_int_equal(ws_send_binary(ws, "hi", 2), WS_ERR_INVALID_STATE);
    assert_int_equal(ws_send_text(ws, "", 0), WS_ERR_INVALID_STATE);
    assert_int_equal(ws_buffered_amount(ws), 0);

    /* Still CONNECTING while the open event waits undispatched. */
    assert_true(wait_fd_readable(loop, WAIT_SECONDS));
    assert_int_equal(ws_ready_state(ws), WS_CONNECTING);
    assert_int_equal(ws_send_text(ws, "hi", 2), WS_ERR_INVALID_STATE);
    assert_int_equal(ws_buffered_amount(ws), 0);

    /* Once open is dispatched, send works. */
    assert_true(wait_state(loop, ws, WS_OPEN));
    assert_int_equal(ws_send_text(ws, "hi", 2), WS_OK);
    ws_free(ws);
    ws_loop_free(loop);
}

/* ---- Rules 10 and 12: exact bufferedAmount in OPEN ---- */

struct amounts {
    ws_result results[8];
    uint64_t after[8];
    size_t count;
};

static const size_t kSizes[] = {100, 1000, 0, 1, 125, 126, 65535, 65536};
#define NSIZES (sizeof kSizes / sizeof kSizes[0])

/* Listeners for the I/O-thread tests: an onopen handler, then a recorder. */
struct io_setup {
    ws_listener_fn on_open;
    void *open_data;
    recorder *r;
};

static void attach_io(ws_socket *ws, void *context) {
    struct io_setup *s = context;
    ws_set_onopen(ws, s->on_open, s->open_data);
    attach_recorder(ws, s->r);
}

/* onopen on the I/O thread: send every size, reading bufferedAmount after each. */
static void send_sizes_on_open(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)event;
    struct amounts *a = user_data;
    static uint8_t buffer[65536];
    fill_pattern(buffer, sizeof buffer, 1, true);
    for (size_t i = 0; i < NSIZES; ++i) {
        a->results[i] = (i % 2) ? ws_send_binary(ws, buffer, kSizes[i])
                                : ws_send_text(ws, (const char *)buffer, kSizes[i]);
        a->after[i] = ws_buffered_amount(ws);
    }
    a->count = NSIZES;
}

static void test_rule10_buffered_amount_grows_by_payload_and_drains(void **state) {
    (void)state;
    ws_loop *loop = NULL;
    assert_int_equal(ws_loop_new(WS_DELIVERY_IO_THREAD, &loop), WS_OK);
    struct amounts a = {0};
    recorder r;
    recorder_init(&r);
    struct io_setup setup = {send_sizes_on_open, &a, &r};
    ws_socket *ws = new_socket(loop, server.url, NULL, 0, NULL, attach_io, &setup);

    assert_true(wait_events(loop, &r, WS_EVENT_MESSAGE, NSIZES));
    /* Rules 10 and 12: it grew by exactly the payload bytes, framing aside. */
    uint64_t expected = 0;
    assert_int_equal(a.count, NSIZES);
    for (size_t i = 0; i < NSIZES; ++i) {
        assert_int_equal(a.results[i], WS_OK);
        expected += kSizes[i];
        assert_int_equal(a.after[i], expected);
    }
    /* Every echo is back, so every byte reached the network. */
    assert_int_equal(ws_buffered_amount(ws), 0);
    const rec_event *last = recorder_get(&r, WS_EVENT_MESSAGE, NSIZES - 1);
    assert_int_equal(last->buffered, 0);
    for (size_t i = 0; i < NSIZES; ++i) {
        const rec_event *m = recorder_get(&r, WS_EVENT_MESSAGE, i);
        assert_int_equal(m->size, kSizes[i]);
        assert_int_equal(m->binary, (i % 2) != 0);
    }
    assert_int_equal(recorder_count(&r, WS_EVENT_ERROR), 0);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

static void test_rule12_buffered_amount_never_counts_framing(void **state) {
    (void)state;
    /* Sizes on each side of the 7-bit, 16-bit and 64-bit length encodings:
     * if framing were counted, the sums in rule 10's listener would differ. */
    ws_loop *loop = NULL;
    assert_int_equal(ws_loop_new(WS_DELIVERY_IO_THREAD, &loop), WS_OK);
    struct amounts a = {0};
    recorder r;
    recorder_init(&r);
    struct io_setup setup = {send_sizes_on_open, &a, &r};
    ws_socket *ws = new_socket(loop, server.url, NULL, 0, NULL, attach_io, &setup);
    assert_true(wait_events(loop, &r, WS_EVENT_MESSAGE, NSIZES));
    assert_int_equal(a.after[2] - a.after[1], 0);          /* empty message */
    assert_int_equal(a.after[3] - a.after[2], 1);
    assert_int_equal(a.after[4] - a.after[3], 125);
    assert_int_equal(a.after[5] - a.after[4], 126);
    assert_int_equal(a.after[6] - a.after[5], 65535);
    assert_int_equal(a.after[7] - a.after[6], 65536);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

/* ---- Rule 11 ---- */

static void test_rule11_send_after_close_counts_but_discards(void **state) {
    (void)state;
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    ws_socket *ws = open_socket(loop, server.url, NULL, &r);
    assert_int_equal(ws_buffered_amount(ws), 0);

    assert_int_equal(ws_close(ws, 1000, "done"), WS_OK);
    assert_int_equal(ws_ready_state(ws), WS_CLOSING);
    assert_int_equal(ws_send_text(ws, "0123456789", 10), WS_OK);
    assert_int_equal(ws_buffered_amount(ws), 10);
    assert_int_equal(ws_send_binary(ws, "abcde", 5), WS_OK);
    assert_int_equal(ws_buffered_amount(ws), 15);
    assert_int_equal(ws_send_binary(ws, NULL, 0), WS_OK);
    assert_int_equal(ws_buffered_amount(ws), 15);

    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    assert_int_equal(ws_ready_state(ws), WS_CLOSED);
    /* Never reset: not by the close, not by the transport going away. */
    assert_int_equal(ws_buffered_amount(ws), 15);
    assert_int_equal(recorder_get(&r, WS_EVENT_CLOSE, 0)->buffered, 15);
    assert_int_equal(ws_send_text(ws, "1234567", 7), WS_OK);
    assert_int_equal(ws_buffered_amount(ws), 22);
    assert_int_equal(ws_send_binary(ws, "xyz", 3), WS_OK);
    assert_int_equal(ws_buffered_amount(ws), 25);
    /* Nothing came back: the data was discarded (and CLOSING drops messages). */
    assert_int_equal(recorder_count(&r, WS_EVENT_MESSAGE), 0);
    assert_int_equal(recorder_count(&r, WS_EVENT_ERROR), 0);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

static void test_rule11_send_after_failure_counts(void **state) {
    (void)state;
    /* CLOSED by a failed connection: sends are still WS_OK and counted. */
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(loop, "ws://127.0.0.1:1/", NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&r, ws);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    assert_int_equal(ws_ready_state(ws), WS_CLOSED);
    assert_int_equal(ws_send_text(ws, "abc", 3), WS_OK);
    assert_int_equal(ws_send_binary(ws, "de", 2), WS_OK);
    assert_int_equal(ws_buffered_amount(ws), 5);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

/* ---- Rule 13 ---- */

static void test_rule13_invalid_utf8_is_rejected_and_never_sent(void **state) {
    (void)state;
    static const struct {
        const char *bytes;
        size_t size;
    } invalid[] = {
        {"\xff", 1},
        {"\xfe", 1},
        {"\x80", 1},                 /* lone continuation byte */
        {"\xc0\x80", 2},             /* overlong NUL */
        {"\xc1\xbf", 2},             /* overlong */
        {"\xe0\x80\xaf", 3},         /* overlong '/' */
        {"\xf0\x80\x80\xaf", 4},     /* overlong, 4 bytes */
        {"\xed\xa0\x80", 3},         /* UTF-16 surrogate U+D800 */
        {"\xed\xbf\xbf", 3},         /* surrogate U+DFFF */
        {"\xf4\x90\x80\x80", 4},     /* above U+10FFFF */
        {"\xf5\x80\x80\x80", 4},
        {"ok\xe2\x82", 4},           /* truncated at the end */
        {"a\xe2\x28\xa1", 4},        /* bad continuation */
        {"\xc3\xa9", 1},             /* size cuts 'é' in half */
    };
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    ws_socket *ws = open_socket(loop, server.url, NULL, &r);
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; ++i) {
        ws_result rc = ws_send_text(ws, invalid[i].bytes, invalid[i].size);
        if (rc != WS_ERR_INVALID_UTF8) print_error("invalid case %zu accepted\n", i);
        assert_int_equal(rc, WS_ERR_INVALID_UTF8);
        assert_true(strlen(ws_last_error(ws)) > 0);
        assert_int_equal(ws_buffered_amount(ws), 0);
    }
    /* Binary sends take any bytes. */
    assert_int_equal(ws_send_binary(ws, "\xff\xfe", 2), WS_OK);
    /* Valid edge cases are sent. */
    static const struct {
        const char *bytes;
        size_t size;
    } valid[] = {
        {"a\0b", 3},                 /* an embedded NUL is valid UTF-8 */
        {"\xed\x9f\xbf", 3},         /* U+D7FF */
        {"\xee\x80\x80", 3},         /* U+E000 */
        {"\xef\xbf\xbf", 3},         /* U+FFFF */
        {"\xf4\x8f\xbf\xbf", 4},     /* U+10FFFF */
        {"\xf0\x9f\x98\x80", 4},     /* U+1F600 */
        {"marker", 6},
    };
    size_t nvalid = sizeof valid / sizeof valid[0];
    for (size_t i = 0; i < nvalid; ++i)
        assert_int_equal(ws_send_text(ws, valid[i].bytes, valid[i].size), WS_OK);

    /* Echoes come back in order: had a rejected text been sent, it would
     * arrive before these. */
    assert_true(wait_events(loop, &r, WS_EVENT_MESSAGE, 1 + nvalid));
    const rec_event *bin = recorder_get(&r, WS_EVENT_MESSAGE, 0);
    assert_true(bin->binary);
    assert_int_equal(bin->size, 2);
    assert_memory_equal(bin->data, "\xff\xfe", 2);
    for (size_t i = 0; i < nvalid; ++i) {
        const rec_event *m = recorder_get(&r, WS_EVENT_MESSAGE, 1 + i);
        assert_false(m->binary);
        assert_int_equal(m->size, valid[i].size);
        assert_memory_equal(m->data, valid[i].bytes, valid[i].size);
    }
    /* And nothing more: close, and count again once the close is back. */
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    assert_int_equal(recorder_count(&r, WS_EVENT_MESSAGE), 1 + nvalid);
    assert_int_equal(recorder_count(&r, WS_EVENT_ERROR), 0);
    assert_true(recorder_get(&r, WS_EVENT_CLOSE, 0)->was_clean);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

/* ---- Rule 14 ---- */

static void expect_failed_with_1006(recorder *r) {
    /* open, error, close 1006, and no message. */
    assert_int_equal(recorder_count(r, WS_EVENT_ERROR), 1);
    assert_int_equal(recorder_count(r, WS_EVENT_CLOSE), 1);
    int error_at = recorder_index(r, WS_EVENT_ERROR, 0);
    int close_at = recorder_index(r, WS_EVENT_CLOSE, 0);
    assert_true(error_at >= 0 && error_at < close_at);
    const rec_event *error = recorder_get(r, WS_EVENT_ERROR, 0);
    assert_true(strlen(error->error) > 0);
    assert_int_equal(error->state, WS_CLOSED);
    const rec_event *close = recorder_get(r, WS_EVENT_CLOSE, 0);
    assert_int_equal(close->code, 1006);
    assert_false(close->was_clean);
    assert_int_equal(close->state, WS_CLOSED);
}

static void test_rule14_send_over_buffer_limit_fails_connection(void **state) {
    (void)state;
    ws_options *options = NULL;
    assert_int_equal(ws_options_new(&options), WS_OK);
    assert_int_equal(ws_options_set_send_buffer_limit(options, 1024), WS_OK);
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    ws_socket *ws = open_socket(loop, server.url, options, &r);
    ws_options_free(options); /* copied by ws_new_ex */

    /* Under the limit: fine. */
    static uint8_t big[2048];
    fill_pattern(big, sizeof big, 3, false);
    assert_int_equal(ws_send_binary(ws, big, 1000), WS_OK);
    assert_true(wait_events(loop, &r, WS_EVENT_MESSAGE, 1));

    /* Over it: WS_ERR_BUFFER_FULL, then error, then close 1006. */
    assert_int_equal(ws_send_binary(ws, big, 2048), WS_ERR_BUFFER_FULL);
    assert_true(strlen(ws_last_error(ws)) > 0);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    expect_failed_with_1006(&r);
    assert_int_equal(recorder_count(&r, WS_EVENT_MESSAGE), 1);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

struct limit_sends {
    ws_result first, second;
};

static void send_two_on_open(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)event;
    struct limit_sends *s = user_data;
    static uint8_t chunk[600];
    s->first = ws_send_binary(ws, chunk, sizeof chunk);
    s->second = ws_send_binary(ws, chunk, sizeof chunk); /* 1200 > 1024 */
}

static void test_rule14_buffered_sends_add_up_to_the_limit(void **state) {
    (void)state;
    ws_options *options = NULL;
    assert_int_equal(ws_options_new(&options), WS_OK);
    assert_int_equal(ws_options_set_send_buffer_limit(options, 1024), WS_OK);
    assert_int_equal(ws_options_set_deferred_connect(options, true), WS_OK);
    ws_loop *loop = NULL;
    assert_int_equal(ws_loop_new(WS_DELIVERY_IO_THREAD, &loop), WS_OK);
    struct limit_sends s = {WS_ERR_INTERNAL, WS_ERR_INTERNAL};
    recorder r;
    recorder_init(&r);
    struct io_setup setup = {send_two_on_open, &s, &r};
    ws_socket *ws = new_socket(loop, server.url, NULL, 0, options, attach_io, &setup);
    ws_options_free(options);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    assert_int_equal(s.first, WS_OK);
    assert_int_equal(s.second, WS_ERR_BUFFER_FULL);
    expect_failed_with_1006(&r);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

static void test_rule25_incoming_message_over_max_size_fails_connection(void **state) {
    (void)state;
    ws_options *options = NULL;
    assert_int_equal(ws_options_new(&options), WS_OK);
    assert_int_equal(ws_options_set_max_message_size(options, 100), WS_OK);
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    ws_socket *ws = open_socket(loop, server.url, options, &r);
    ws_options_free(options);
    static uint8_t payload[101];
    /* Exactly the maximum comes back fine... */
    assert_int_equal(ws_send_binary(ws, payload, 100), WS_OK);
    assert_true(wait_events(loop, &r, WS_EVENT_MESSAGE, 1));
    /* ...one byte more fails the connection (the limit is on what arrives;
     * sending it is fine). */
    assert_int_equal(ws_send_binary(ws, payload, 101), WS_OK);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    expect_failed_with_1006(&r);
    assert_int_equal(recorder_count(&r, WS_EVENT_MESSAGE), 1);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

/* ---- Order and payloads ---- */

#define NMESSAGES 100

static size_t message_size(unsigned i) {
    /* 0, small, around the 125/126 and 64 KiB boundaries, up to ~200 KiB. */
    static const size_t special[] = {0, 1, 125, 126, 127, 65535, 65536, 65537, 200000};
    if (i < sizeof special / sizeof special[0]) return special[i];
    return (size_t)((i * 7919u) % 9000u);
}

static void test_rule10_messages_echoed_in_order(void **state) {
    (void)state;
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    ws_socket *ws = open_socket(loop, server.url, NULL, &r);
    uint8_t *buffer = malloc(200000);
    assert_non_null(buffer);
    for (unsigned i = 0; i < NMESSAGES; ++i) {
        bool text = i % 3 != 2;
        size_t n = message_size(i);
        fill_pattern(buffer, n, i, text);
        assert_int_equal(text ? ws_send_text(ws, (const char *)buffer, n)
                              : ws_send_binary(ws, buffer, n),
                         WS_OK);
    }
    assert_true(wait_events(loop, &r, WS_EVENT_MESSAGE, NMESSAGES));
    for (unsigned i = 0; i < NMESSAGES; ++i) {
        bool text = i % 3 != 2;
        size_t n = message_size(i);
        fill_pattern(buffer, n, i, text);
        const rec_event *m = recorder_get(&r, WS_EVENT_MESSAGE, i);
        assert_int_equal(m->binary, !text);
        assert_int_equal(m->size, n);
        if (n) assert_memory_equal(m->data, buffer, n);
    }
    assert_int_equal(ws_buffered_amount(ws), 0);
    free(buffer);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

static void test_rule22_binary_empty_and_one_mebibyte(void **state) {
    (void)state;
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    ws_socket *ws = open_socket(loop, server.url, NULL, &r);
    const size_t mib = 1u << 20;
    uint8_t *big = malloc(mib);
    assert_non_null(big);
    fill_pattern(big, mib, 42, false);

    assert_int_equal(ws_send_binary(ws, NULL, 0), WS_OK);
    assert_int_equal(ws_send_binary(ws, big, mib), WS_OK);
    assert_int_equal(ws_send_text(ws, "", 0), WS_OK);
    assert_int_equal(ws_send_binary(ws, "", 0), WS_OK);

    assert_true(wait_events(loop, &r, WS_EVENT_MESSAGE, 4));
    const rec_event *empty = recorder_get(&r, WS_EVENT_MESSAGE, 0);
    assert_true(empty->binary);
    assert_int_equal(empty->size, 0);
    assert_false(empty->data_was_null); /* never NULL for a message */
    const rec_event *m = recorder_get(&r, WS_EVENT_MESSAGE, 1);
    assert_true(m->binary);
    assert_int_equal(m->size, mib);
    assert_memory_equal(m->data, big, mib);
    const rec_event *empty_text = recorder_get(&r, WS_EVENT_MESSAGE, 2);
    assert_false(empty_text->binary);
    assert_int_equal(empty_text->size, 0);
    assert_false(empty_text->data_was_null);
    assert_true(empty_text->nul_after_data);
    const rec_event *empty_bin = recorder_get(&r, WS_EVENT_MESSAGE, 3);
    assert_true(empty_bin->binary);
    assert_int_equal(empty_bin->size, 0);
    assert_int_equal(ws_buffered_amount(ws), 0);
    free(big);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

static void test_rule22_text_arrives_as_text_nul_terminated(void **state) {
    (void)state;
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    ws_socket *ws = open_socket(loop, server.url, NULL, &r);
    /* Not NUL-terminated on the way in: only `size` bytes are sent. */
    assert_int_equal(ws_send_text(ws, "hello, world", 5), WS_OK);
    assert_true(wait_events(loop, &r, WS_EVENT_MESSAGE, 1));
    const rec_event *m = recorder_get(&r, WS_EVENT_MESSAGE, 0);
    assert_false(m->binary);
    assert_int_equal(m->size, 5);
    assert_memory_equal(m->data, "hello", 5);
    assert_true(m->nul_after_data);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

/* ws_ping (a native addition: a page cannot ping): the frame on the wire,
 * in order with the messages, masked; refused unless OPEN or too long. */
static void test_ping_on_demand_goes_out_in_order(void **state) {
    (void)state;
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    raw_server raw;
    memset(&raw, 0, sizeof raw);
    assert_int_equal(raw_server_start(&raw), 0);
    ws_socket *ws;
    assert_int_equal(ws_new_ex(loop, raw.url, NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&r, ws);
    assert_int_equal(ws_ping(ws, "x", 1), WS_ERR_INVALID_STATE);   /* CONNECTING */
    assert_true(wait_state(loop, ws, WS_OPEN));
    char big[126];
    memset(big, 'p', sizeof big);
    assert_int_equal(ws_ping(ws, big, sizeof big), WS_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(ws_last_error(ws), "125"));
    assert_int_equal(ws_ping(NULL, "x", 1), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_send_text(ws, "before", 6), WS_OK);
    assert_int_equal(ws_ping(ws, "probe", 5), WS_OK);
    assert_int_equal(ws_ping(ws, big, 125), WS_OK);
    assert_int_equal(ws_ping(ws, NULL, 0), WS_OK);
    assert_int_equal(ws_send_text(ws, "after", 5), WS_OK);
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_int_equal(ws_ping(ws, "late", 4), WS_ERR_INVALID_STATE);   /* CLOSING */
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    assert_true(raw_server_wait(&raw));
    assert_int_equal(raw.nframes, 6);
    const int opcodes[] = {1, 9, 9, 9, 1, 8};
    const size_t sizes[] = {6, 5, 125, 0, 5, 2};
    for (size_t i = 0; i < 6; ++i) {
        assert_int_equal(raw.frames[i].opcode, opcodes[i]);
        assert_int_equal(raw.frames[i].size, sizes[i]);
        assert_true(raw.frames[i].masked);
    }
    assert_memory_equal(raw.frames[1].payload, "probe", 5);
    assert_memory_equal(raw.frames[2].payload, big, 125);
    ws_free(ws);
    raw_server_stop(&raw);
    ws_loop_free(loop);
    recorder_free(&r);
}

int main(void) {
    test_support_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule9_send_while_connecting_is_invalid_state),
        cmocka_unit_test(test_rule10_buffered_amount_grows_by_payload_and_drains),
        cmocka_unit_test(test_rule12_buffered_amount_never_counts_framing),
        cmocka_unit_test(test_rule11_send_after_close_counts_but_discards),
        cmocka_unit_test(test_rule11_send_after_failure_counts),
        cmocka_unit_test(test_rule13_invalid_utf8_is_rejected_and_never_sent),
        cmocka_unit_test(test_rule14_send_over_buffer_limit_fails_connection),
        cmocka_unit_test(test_rule14_buffered_sends_add_up_to_the_limit),
        cmocka_unit_test(test_rule25_incoming_message_over_max_size_fails_connection),
        cmocka_unit_test(test_rule10_messages_echoed_in_order),
        cmocka_unit_test(test_rule22_binary_empty_and_one_mebibyte),
        cmocka_unit_test(test_rule22_text_arrives_as_text_nul_terminated),
        cmocka_unit_test(test_ping_on_demand_goes_out_in_order),
    };
    return cmocka_run_group_tests(tests, echo_group_setup, echo_group_teardown);
}
