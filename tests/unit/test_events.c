/*
 * Events and listeners: contract rules 21 and 22, listener order, the
 * on<type> handler attributes, changes to the listener list during
 * dispatch, and the ws_event_* accessors.
 */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>



/* ---- A log of listener calls: each listener appends its label ---- */

struct log {
    char text[256];
};

struct tag {
    struct log *log;
    char label;
    /* Optional actions, run after logging. */
    struct tag *remove;        /* ws_remove_event_listener(message, log_listener, remove) */
    struct tag *add;           /* ws_add_event_listener(message, log_listener, add), once */
    bool clear_handler;        /* ws_set_onmessage(ws, NULL, NULL) */
};

#define TAG(log_, label_) {.log = (log_), .label = (label_)}

static void log_append(struct log *log, char c) {
    size_t n = strlen(log->text);
    if (n + 1 < sizeof log->text) {
        log->text[n] = c;
        log->text[n + 1] = 0;
    }
}

static void log_listener(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)event;
    struct tag *t = user_data;
    log_append(t->log, t->label);
    if (t->remove) ws_remove_event_listener(ws, WS_EVENT_MESSAGE, log_listener, t->remove);
    if (t->add) {
        ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, t->add);
        t->add = NULL;
    }
    if (t->clear_handler) ws_set_onmessage(ws, NULL, NULL);
}

/* A second function, to tell registrations apart by function. */
static void log_listener2(ws_socket *ws, const ws_event *event, void *user_data) {
    log_listener(ws, event, user_data);
}

static size_t log_count(struct log *log, char c) {
    size_t n = 0;
    for (const char *p = log->text; *p; ++p) n += *p == c;
    return n;
}

struct log_wait {
    struct log *log;
    size_t n;
};

static bool log_has_ends(void *context) {
    struct log_wait *w = context;
    return log_count(w->log, '|') >= w->n;
}

/* Waits until the '|' listener (registered last) ran `n` times. Listeners
 * of one event all run inside one dispatch on this thread, so when it
 * returns the whole event has been handled. */
static bool wait_log(ws_loop *loop, struct log *log, size_t n) {
    struct log_wait w = {log, n};
    return wait_for(loop, log_has_ends, &w, WAIT_SECONDS);
}

/* One round trip: send "m", wait until the end marker ran `n` times. */
static void round_trip(struct fixture *f, ws_socket *ws, struct log *log, size_t n) {
    assert_int_equal(ws_send_text(ws, "m", 1), WS_OK);
    assert_true(wait_log(f->loop, log, n));
}

/* ---- Rule 21 ---- */

struct open_check {
    int calls;
    ws_ready_state_t state;
    char protocol[32], event_protocol[32], extensions[32], event_extensions[32];
};

static void check_open(ws_socket *ws, const ws_event *event, void *user_data) {
    struct open_check *c = user_data;
    c->calls++;
    c->state = ws_ready_state(ws);
    snprintf(c->protocol, sizeof c->protocol, "%s", ws_protocol(ws));
    snprintf(c->event_protocol, sizeof c->event_protocol, "%s", ws_event_protocol(event));
    snprintf(c->extensions, sizeof c->extensions, "%s", ws_extensions(ws));
    snprintf(c->event_extensions, sizeof c->event_extensions, "%s", ws_event_extensions(event));
}

static void test_rule21_open_listener_sees_open_state_and_protocol(void **state) {
    struct fixture *f = *state;
    echo_server chat;
    const char *server_protocols[] = {"chat"};
    assert_int_equal(echo_start(&chat, server_protocols, 1), 0);

    const char *requested[] = {"x", "chat"};
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, chat.url, requested, 2, NULL, &ws), WS_OK);
    struct open_check c;
    memset(&c, 0, sizeof c);
    assert_int_equal(ws_set_onopen(ws, check_open, &c), WS_OK);
    recorder_attach(&f->r, ws);

    /* The handshake is done, the open event waits: nothing changed yet. */
    assert_true(wait_fd_readable(f->loop, WAIT_SECONDS));
    assert_int_equal(ws_ready_state(ws), WS_CONNECTING);
    assert_string_equal(ws_protocol(ws), "");
    assert_string_equal(ws_extensions(ws), "");

    assert_true(wait_events(f->loop, &f->r, WS_EVENT_OPEN, 1));
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.state, WS_OPEN);
    assert_string_equal(c.protocol, "chat");
    assert_string_equal(c.event_protocol, "chat");
    assert_string_equal(c.extensions, "");
    assert_string_equal(c.event_extensions, "");
    assert_string_equal(ws_protocol(ws), "chat");
    assert_int_equal(ws_ready_state(ws), WS_OPEN);

    /* And it stays set after the close. */
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    assert_string_equal(ws_protocol(ws), "chat");
    ws_free(ws);
    echo_stop(&chat);
}

/* The handshake response's headers, readable from open on (polyws-echo is
 * libwebsockets: it answers with Upgrade, Connection, Sec-WebSocket-Accept). */
static void test_rule21_response_headers_readable_after_open(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    assert_null(ws_response_header(ws, "upgrade"));   /* not before open */
    assert_int_equal(ws_response_header_count(ws), 0);
    attach_recorder(ws, &f->r);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_OPEN, 1));
    /* Values come as the server wrote them (lws writes "WebSocket"). */
    assert_int_equal(strcasecmp(ws_response_header(ws, "Upgrade"), "websocket"), 0);
    assert_ptr_equal(ws_response_header(ws, "UPGRADE"), ws_response_header(ws, "upgrade"));
    assert_non_null(ws_response_header(ws, "sec-websocket-accept"));
    assert_null(ws_response_header(ws, "x-not-sent"));
    assert_null(ws_response_header(ws, NULL));
    size_t n = ws_response_header_count(ws);
    assert_true(n >= 3);
    const char *name = NULL, *value = NULL, *previous = "";
    for (size_t i = 0; i < n; ++i) {
        assert_true(ws_response_header_at(ws, i, &name, &value));
        assert_true(strcmp(previous, name) < 0);            /* sorted, distinct */
        for (const char *p = name; *p; ++p) assert_false(*p >= 'A' && *p <= 'Z');
        assert_string_equal(ws_response_header(ws, name), value);
        previous = name;
    }
    assert_false(ws_response_header_at(ws, n, &name, &value));
    assert_null(name);
    assert_false(ws_response_header_at(NULL, 0, &name, &value));
    ws_free(ws);
}

static void test_request_header_options_are_checked(void **state) {
    (void)state;
    ws_options *o = NULL;
    assert_int_equal(ws_options_new(&o), WS_OK);
    assert_int_equal(ws_options_add_header(o, "Authorization", "Bearer x"), WS_OK);
    assert_int_equal(ws_options_add_header(o, "X-Empty", ""), WS_OK);
    const char *owned[] = {"Host", "upgrade", "CONNECTION", "Sec-WebSocket-Key",
                           "Sec-WebSocket-Version", "Sec-WebSocket-Protocol",
                           "Sec-WebSocket-Extensions", "Content-Length", "Transfer-Encoding"};
    for (size_t i = 0; i < sizeof owned / sizeof *owned; ++i) {
        assert_int_equal(ws_options_add_header(o, owned[i], "x"), WS_ERR_INVALID_ARGUMENT);
        assert_non_null(strstr(ws_last_error(NULL), "cannot be set"));
    }
    assert_int_equal(ws_options_add_header(o, "Bad Name", "x"), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_options_add_header(o, "", "x"), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_options_add_header(o, "X-Split", "a\r\nInjected: 1"), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_options_add_header(o, NULL, "x"), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_options_add_header(NULL, "X", "x"), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_options_set_user_agent(o, "game/1.0"), WS_OK);
    assert_int_equal(ws_options_set_user_agent(o, "bad\nagent"), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_options_set_user_agent(o, NULL), WS_ERR_INVALID_ARGUMENT);
    ws_options_free(o);
}

static void test_rule21_no_protocol_selected_reads_empty(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, &f->r);
    const rec_event *open = recorder_get(&f->r, WS_EVENT_OPEN, 0);
    assert_non_null(open);
    assert_int_equal(open->state, WS_OPEN);
    assert_string_equal(open->protocol, "");
    assert_string_equal(open->socket_protocol, "");
    assert_string_equal(ws_protocol(ws), "");
    ws_free(ws);
}

/* ---- Rule 22 ---- */

static void test_rule22_message_not_delivered_after_close(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, &f->r);
    for (int i = 0; i < 5; ++i) assert_int_equal(ws_send_text(ws, "echo me", 7), WS_OK);
    /* At least one echo is queued, undispatched... */
    assert_true(wait_fd_readable(f->loop, WAIT_SECONDS));
    /* ...when close() is called: none may be delivered now. */
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    assert_int_equal(recorder_count(&f->r, WS_EVENT_MESSAGE), 0);
    assert_int_equal(recorder_get(&f->r, WS_EVENT_CLOSE, 0)->code, 1000);
    ws_free(ws);
}

static void close_on_message(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)event;
    (void)user_data;
    ws_close(ws, 1000, NULL);
}

static void test_rule22_message_not_delivered_after_close_in_listener(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, &f->r);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, close_on_message, NULL), WS_OK);
    for (int i = 0; i < 20; ++i) assert_int_equal(ws_send_text(ws, "echo me", 7), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    /* The first message closed the socket: the other 19 are dropped. */
    assert_int_equal(recorder_count(&f->r, WS_EVENT_MESSAGE), 1);
    assert_int_equal(recorder_get(&f->r, WS_EVENT_MESSAGE, 0)->state, WS_OPEN);
    ws_free(ws);
}

static void set_blob(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)event;
    (void)user_data;
    ws_set_binary_type(ws, WS_BINARY_BLOB);
}

static void test_rule22_binary_type_read_at_dispatch(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, &f->r);
    assert_int_equal(ws_binary_type(ws), WS_BINARY_BLOB);

    /* Arrives while BLOB, dispatched after the switch: ARRAYBUFFER. */
    assert_int_equal(ws_send_binary(ws, "\x01\x02", 2), WS_OK);
    assert_true(wait_fd_readable(f->loop, WAIT_SECONDS));
    assert_int_equal(ws_set_binary_type(ws, WS_BINARY_ARRAYBUFFER), WS_OK);
    assert_int_equal(ws_binary_type(ws), WS_BINARY_ARRAYBUFFER);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 1));
    const rec_event *m = recorder_get(&f->r, WS_EVENT_MESSAGE, 0);
    assert_true(m->binary);
    assert_int_equal(m->binary_type, WS_BINARY_ARRAYBUFFER);
    assert_memory_equal(m->data, "\x01\x02", 2);

    /* A listener switches back to BLOB: the next message sees BLOB. */
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, set_blob, NULL), WS_OK);
    assert_int_equal(ws_send_binary(ws, "a", 1), WS_OK);
    assert_int_equal(ws_send_binary(ws, "b", 1), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 3));
    assert_int_equal(recorder_get(&f->r, WS_EVENT_MESSAGE, 1)->binary_type,
                     WS_BINARY_ARRAYBUFFER);
    assert_int_equal(recorder_get(&f->r, WS_EVENT_MESSAGE, 2)->binary_type, WS_BINARY_BLOB);

    /* Text stays text whatever binaryType says. */
    assert_int_equal(ws_set_binary_type(ws, WS_BINARY_ARRAYBUFFER), WS_OK);
    assert_int_equal(ws_send_text(ws, "t", 1), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 4));
    assert_false(recorder_get(&f->r, WS_EVENT_MESSAGE, 3)->binary);

    /* Only the two values exist. */
    assert_int_equal(ws_set_binary_type(ws, (ws_binary_type_t)2), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_set_binary_type(ws, (ws_binary_type_t)-1), WS_ERR_INVALID_ARGUMENT);
    ws_free(ws);
}

/* ---- Rules 23, 24, 26: what the server does, with the raw server ---- */

static ws_socket *connect_raw(struct fixture *f, raw_server *raw, const uint8_t *bytes,
                              size_t size) {
    raw->send_after_handshake = bytes;
    raw->send_after_handshake_size = size;
    assert_int_equal(raw_server_start(raw), 0);
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, raw->url, NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&f->r, ws);
    return ws;
}

static void test_rule23_server_close_makes_state_closing(void **state) {
    struct fixture *f = *state;
    static const uint8_t close_frame[] = {0x88, 0x05, 0x03, 0xe8, 's', 'r', 'v'};
    raw_server raw;
    memset(&raw, 0, sizeof raw);
    raw.hold_after_close = true; /* keep TCP open until we have looked */
    ws_socket *ws = connect_raw(f, &raw, close_frame, sizeof close_frame);

    assert_true(wait_state(f->loop, ws, WS_CLOSING));
    assert_int_equal(recorder_count(&f->r, WS_EVENT_OPEN), 1);
    assert_int_equal(recorder_get(&f->r, WS_EVENT_OPEN, 0)->state, WS_OPEN);
    assert_int_equal(recorder_count(&f->r, WS_EVENT_CLOSE), 0);
    /* CLOSING: send is discarded but counted (rule 11), close does nothing. */
    assert_int_equal(ws_send_text(ws, "late", 4), WS_OK);
    assert_int_equal(ws_buffered_amount(ws), 4);
    assert_int_equal(ws_close(ws, 4000, "ignored"), WS_OK);

    atomic_store(&raw.release, true);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    const rec_event *close = recorder_get(&f->r, WS_EVENT_CLOSE, 0);
    assert_int_equal(close->code, 1000);
    assert_string_equal(close->reason, "srv");
    assert_true(close->was_clean);
    assert_int_equal(close->state, WS_CLOSED);
    assert_int_equal(recorder_count(&f->r, WS_EVENT_ERROR), 0);

    /* The client answered with one close frame echoing the code, and sent
     * nothing else. */
    assert_true(raw_server_wait(&raw));
    assert_int_equal(raw.nframes, 1);
    assert_int_equal(raw.frames[0].opcode, 0x8);
    assert_true(raw.frames[0].size >= 2);
    assert_memory_equal(raw.frames[0].payload, "\x03\xe8", 2);
    ws_free(ws);
    raw_server_stop(&raw);
}

static void test_rule24_server_close_without_code_gives_1005(void **state) {
    struct fixture *f = *state;
    static const uint8_t close_frame[] = {0x88, 0x00};
    raw_server raw;
    memset(&raw, 0, sizeof raw);
    ws_socket *ws = connect_raw(f, &raw, close_frame, sizeof close_frame);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    const rec_event *close = recorder_get(&f->r, WS_EVENT_CLOSE, 0);
    assert_int_equal(close->code, 1005);
    assert_string_equal(close->reason, "");
    assert_true(close->was_clean);
    assert_int_equal(recorder_count(&f->r, WS_EVENT_ERROR), 0);
    assert_true(raw_server_wait(&raw));
    ws_free(ws);
    raw_server_stop(&raw);
}

static void test_rule24_server_drops_tcp_gives_1006_without_error(void **state) {
    struct fixture *f = *state;
    raw_server raw;
    memset(&raw, 0, sizeof raw);
    raw.drop_after_handshake = true;
    ws_socket *ws = connect_raw(f, &raw, NULL, 0);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    /* open, then close 1006 wasClean false, and no error event. */
    assert_int_equal(recorder_count(&f->r, 0), 2);
    assert_int_equal(recorder_get(&f->r, 0, 0)->type, WS_EVENT_OPEN);
    const rec_event *close = recorder_get(&f->r, 0, 1);
    assert_int_equal(close->type, WS_EVENT_CLOSE);
    assert_int_equal(close->code, 1006);
    assert_false(close->was_clean);
    assert_int_equal(close->state, WS_CLOSED);
    assert_true(raw_server_wait(&raw));
    ws_free(ws);
    raw_server_stop(&raw);
}

static void test_rule26_ping_answered_and_not_exposed(void **state) {
    struct fixture *f = *state;
    /* A ping "hi", then a text message "after". */
    static const uint8_t bytes[] = {0x89, 0x02, 'h', 'i', 0x81, 0x05, 'a', 'f', 't', 'e', 'r'};
    raw_server raw;
    memset(&raw, 0, sizeof raw);
    ws_socket *ws = connect_raw(f, &raw, bytes, sizeof bytes);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 1));
    assert_string_equal((const char *)recorder_get(&f->r, WS_EVENT_MESSAGE, 0)->data, "after");
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    /* open, message, close: the ping raised no event. */
    assert_int_equal(recorder_count(&f->r, 0), 3);
    assert_true(raw_server_wait(&raw));
    /* The pong, with the ping's payload, came before the close frame. */
    assert_true(raw.nframes >= 2);
    assert_int_equal(raw.frames[0].opcode, 0xA);
    assert_int_equal(raw.frames[0].size, 2);
    assert_memory_equal(raw.frames[0].payload, "hi", 2);
    assert_true(raw.frames[0].masked);
    assert_non_null(raw_server_close_frame(&raw));
    ws_free(ws);
    raw_server_stop(&raw);
}

/* ---- Listener order ---- */

static void test_listeners_run_in_registration_order(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, NULL);
    struct log log = {{0}};
    struct tag a = TAG(&log, 'A'), b = TAG(&log, 'B'), c = TAG(&log, 'C'), end = TAG(&log, '|');
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &c), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &a), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener2, &b), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &end), WS_OK);
    /* Listeners of other types are not called for messages. */
    struct tag other = TAG(&log, 'X');
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_CLOSE, log_listener, &other), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_ERROR, log_listener, &other), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_OPEN, log_listener, &other), WS_OK);
    round_trip(f, ws, &log, 1);
    round_trip(f, ws, &log, 2);
    assert_string_equal(log.text, "CAB|CAB|");
    ws_free(ws);
}

static void test_handler_runs_at_position_first_set(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, NULL);
    struct log log = {{0}};
    struct tag a = TAG(&log, 'A'), h = TAG(&log, 'H'), i = TAG(&log, 'I'), b = TAG(&log, 'B'),
               j = TAG(&log, 'J'), end = TAG(&log, '|');
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &a), WS_OK);
    assert_int_equal(ws_set_onmessage(ws, log_listener, &h), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &b), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &end), WS_OK);
    round_trip(f, ws, &log, 1);
    assert_string_equal(log.text, "AHB|");

    /* Replacing the handler keeps its place. */
    assert_int_equal(ws_set_onmessage(ws, log_listener2, &i), WS_OK);
    round_trip(f, ws, &log, 2);
    assert_string_equal(log.text, "AHB|AIB|");

    /* NULL removes it. */
    assert_int_equal(ws_set_onmessage(ws, NULL, NULL), WS_OK);
    round_trip(f, ws, &log, 3);
    assert_string_equal(log.text, "AHB|AIB|AB|");

    /* Set again after removal: it goes to the end, after '|'. */
    assert_int_equal(ws_set_onmessage(ws, log_listener, &j), WS_OK);
    round_trip(f, ws, &log, 4);
    assert_string_equal(log.text, "AHB|AIB|AB|AB|J");

    /* Removing a listener with the handler's (fn, user_data) leaves the
     * handler alone: they are separate registrations. */
    assert_int_equal(ws_remove_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &j), WS_OK);
    round_trip(f, ws, &log, 5);
    assert_string_equal(log.text, "AHB|AIB|AB|AB|JAB|J");
    ws_free(ws);
}

static void test_each_handler_attribute_is_its_own(void **state) {
    struct fixture *f = *state;
    struct log log = {{0}};
    struct tag o = TAG(&log, 'O'), m = TAG(&log, 'M'), e = TAG(&log, 'E'), c = TAG(&log, 'C');
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    assert_int_equal(ws_set_onopen(ws, log_listener, &o), WS_OK);
    assert_int_equal(ws_set_onmessage(ws, log_listener, &m), WS_OK);
    assert_int_equal(ws_set_onerror(ws, log_listener, &e), WS_OK);
    assert_int_equal(ws_set_onclose(ws, log_listener, &c), WS_OK);
    recorder_attach(&f->r, ws);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_OPEN, 1));
    assert_int_equal(ws_send_text(ws, "x", 1), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 1));
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    assert_string_equal(log.text, "OMC");

    /* onerror: a connection that fails. */
    struct log log2 = {{0}};
    struct tag e2 = TAG(&log2, 'E'), c2 = TAG(&log2, 'C');
    recorder r2;
    recorder_init(&r2);
    ws_socket *bad = NULL;
    assert_int_equal(ws_new_ex(f->loop, "ws://127.0.0.1:1/", NULL, 0, NULL, &bad), WS_OK);
    assert_int_equal(ws_set_onerror(bad, log_listener, &e2), WS_OK);
    assert_int_equal(ws_set_onclose(bad, log_listener, &c2), WS_OK);
    recorder_attach(&r2, bad);
    assert_true(wait_events(f->loop, &r2, WS_EVENT_CLOSE, 1));
    assert_string_equal(log2.text, "EC");
    ws_free(bad);
    recorder_free(&r2);
    ws_free(ws);
}

static void test_duplicate_listener_ignored(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, NULL);
    struct log log = {{0}};
    struct tag a = TAG(&log, 'A'), a2 = TAG(&log, 'a'), end = TAG(&log, '|');
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &a), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &a), WS_OK);
    /* Same function, other user_data: a different registration. */
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &a2), WS_OK);
    /* Same user_data, other function: also different. */
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener2, &a), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &a), WS_OK);
    /* A handler with the same (fn, user_data) is its own registration too. */
    assert_int_equal(ws_set_onmessage(ws, log_listener, &a), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &end), WS_OK);
    round_trip(f, ws, &log, 1);
    assert_string_equal(log.text, "AaAA|");

    /* One removal removes the one registration; removing again is a no-op. */
    assert_int_equal(ws_remove_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &a), WS_OK);
    assert_int_equal(ws_remove_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &a), WS_OK);
    /* Removing with another type does nothing. */
    assert_int_equal(ws_remove_event_listener(ws, WS_EVENT_CLOSE, log_listener, &a2), WS_OK);
    round_trip(f, ws, &log, 2);
    assert_string_equal(log.text, "AaAA|aAA|");
    ws_free(ws);
}

/* ---- Changes during dispatch ---- */

static void test_listener_removed_during_dispatch_not_called(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, NULL);
    struct log log = {{0}};
    struct tag a = TAG(&log, 'A'), b = TAG(&log, 'B'), c = TAG(&log, 'C'), end = TAG(&log, '|');
    a.remove = &b; /* A removes B, which comes later */
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &a), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &b), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &c), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &end), WS_OK);
    round_trip(f, ws, &log, 1);
    round_trip(f, ws, &log, 2);
    assert_string_equal(log.text, "AC|AC|");
    ws_free(ws);
}

static void test_handler_cleared_during_dispatch_not_called(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, NULL);
    struct log log = {{0}};
    struct tag a = TAG(&log, 'A'), h = TAG(&log, 'H'), end = TAG(&log, '|');
    a.clear_handler = true;
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &a), WS_OK);
    assert_int_equal(ws_set_onmessage(ws, log_listener, &h), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &end), WS_OK);
    round_trip(f, ws, &log, 1);
    assert_string_equal(log.text, "A|");
    ws_free(ws);
}

static void test_listener_added_during_dispatch_not_called_for_current_event(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, NULL);
    struct log log = {{0}};
    struct tag a = TAG(&log, 'A'), c = TAG(&log, 'C'), end = TAG(&log, '|');
    a.add = &c; /* A adds C (at the end) during the first message */
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &a), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &end), WS_OK);
    round_trip(f, ws, &log, 1);
    assert_string_equal(log.text, "A|");
    round_trip(f, ws, &log, 2);
    assert_string_equal(log.text, "A|A|C");
    ws_free(ws);
}

static void test_listener_removing_itself_during_dispatch(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, NULL);
    struct log log = {{0}};
    struct tag a = TAG(&log, 'A'), b = TAG(&log, 'B'), end = TAG(&log, '|');
    a.remove = &a;
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &a), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &b), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, log_listener, &end), WS_OK);
    round_trip(f, ws, &log, 1);
    round_trip(f, ws, &log, 2);
    assert_string_equal(log.text, "AB|B|");
    ws_free(ws);
}

/* ---- Accessors ---- */

static void test_event_accessors_null_safe(void **state) {
    (void)state;
    size_t size = 123;
    assert_int_equal(ws_event_type(NULL), 0);
    assert_null(ws_event_socket(NULL));
    assert_null(ws_event_user_data(NULL));
    assert_null(ws_event_data(NULL, &size));
    assert_int_equal(size, 0);
    assert_null(ws_event_data(NULL, NULL));
    assert_false(ws_event_is_binary(NULL));
    assert_int_equal(ws_event_binary_type(NULL), WS_BINARY_BLOB);
    assert_int_equal(ws_event_code(NULL), 0);
    assert_string_equal(ws_event_reason(NULL), "");
    assert_false(ws_event_was_clean(NULL));
    assert_string_equal(ws_event_error_message(NULL), "");
    assert_string_equal(ws_event_protocol(NULL), "");
    assert_string_equal(ws_event_extensions(NULL), "");
}

struct accessor_check {
    int message_calls;
    bool data_without_size_ok; /* ws_event_data(ev, NULL) works */
};

static void check_data_null_size(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)ws;
    struct accessor_check *c = user_data;
    c->message_calls++;
    const uint8_t *p = ws_event_data(event, NULL);
    c->data_without_size_ok = p != NULL && memcmp(p, "payload", 7) == 0;
}

static void test_event_accessors_by_type(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = open_socket(f->loop, server.url, NULL, &f->r);
    struct accessor_check c = {0};
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, check_data_null_size, &c),
                     WS_OK);
    assert_int_equal(ws_send_text(ws, "payload", 7), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 1));
    assert_int_equal(ws_close(ws, 3000, "reason"), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    assert_int_equal(c.message_calls, 1);
    assert_true(c.data_without_size_ok);

    const rec_event *open = recorder_get(&f->r, 0, 0);
    assert_int_equal(open->type, WS_EVENT_OPEN);
    assert_ptr_equal(open->socket, ws);
    assert_true(open->data_was_null);
    assert_int_equal(open->size, 0);
    assert_false(open->binary);
    assert_int_equal(open->code, 0);
    assert_false(open->was_clean);
    assert_string_equal(open->reason, "");
    assert_string_equal(open->error, "");

    const rec_event *msg = recorder_get(&f->r, 0, 1);
    assert_int_equal(msg->type, WS_EVENT_MESSAGE);
    assert_ptr_equal(msg->socket, ws);
    assert_false(msg->data_was_null);
    assert_int_equal(msg->size, 7);
    assert_memory_equal(msg->data, "payload", 7);
    assert_true(msg->nul_after_data);
    assert_int_equal(msg->code, 0);
    assert_false(msg->was_clean);
    assert_string_equal(msg->reason, "");
    assert_string_equal(msg->error, "");

    const rec_event *close = recorder_get(&f->r, 0, 2);
    assert_int_equal(close->type, WS_EVENT_CLOSE);
    assert_ptr_equal(close->socket, ws);
    assert_true(close->data_was_null);
    assert_int_equal(close->size, 0);
    assert_false(close->binary);
    assert_int_equal(close->code, 3000);
    assert_string_equal(close->reason, "reason");
    assert_true(close->was_clean);
    assert_string_equal(close->error, "");
    assert_int_equal(recorder_count(&f->r, 0), 3);
    ws_free(ws);
}

static void test_event_user_data(void **state) {
    struct fixture *f = *state;
    int socket_data = 1, other_data = 2;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, server.url, NULL, 0, NULL, &ws), WS_OK);
    assert_null(ws_user_data(ws));
    assert_int_equal(ws_set_user_data(ws, &socket_data), WS_OK);
    assert_ptr_equal(ws_user_data(ws), &socket_data);
    recorder_attach(&f->r, ws);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_OPEN, 1));
    const rec_event *open = recorder_get(&f->r, WS_EVENT_OPEN, 0);
    assert_ptr_equal(open->event_user_data, &socket_data);
    /* The listener gets its own registration's pointer. */
    assert_ptr_equal(open->listener_user_data, &f->r);

    /* Changed between events: the event carries the value at dispatch. */
    assert_int_equal(ws_set_user_data(ws, &other_data), WS_OK);
    assert_int_equal(ws_send_text(ws, "x", 1), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 1));
    assert_ptr_equal(recorder_get(&f->r, WS_EVENT_MESSAGE, 0)->event_user_data, &other_data);

    assert_int_equal(ws_set_user_data(ws, NULL), WS_OK);
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    assert_null(recorder_get(&f->r, WS_EVENT_CLOSE, 0)->event_user_data);
    ws_free(ws);
}

static void test_listener_argument_errors(void **state) {
    struct fixture *f = *state;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(f->loop, "ws://127.0.0.1:1/", NULL, 0, NULL, &ws), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, NULL, NULL),
                     WS_ERR_INVALID_ARGUMENT);
    assert_true(strlen(ws_last_error(ws)) > 0);
    assert_int_equal(ws_add_event_listener(ws, (ws_event_type_t)0, log_listener, NULL),
                     WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_add_event_listener(ws, (ws_event_type_t)6, log_listener, NULL),
                     WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_add_event_listener(ws, (ws_event_type_t)100, log_listener, NULL),
                     WS_ERR_INVALID_ARGUMENT);
    /* Removing what was never added is fine. */
    assert_int_equal(ws_remove_event_listener(ws, WS_EVENT_OPEN, log_listener, NULL), WS_OK);
    /* Clearing a handler that was never set is fine. */
    assert_int_equal(ws_set_onopen(ws, NULL, NULL), WS_OK);
    assert_int_equal(ws_set_onmessage(ws, NULL, NULL), WS_OK);
    assert_int_equal(ws_set_onerror(ws, NULL, NULL), WS_OK);
    assert_int_equal(ws_set_onclose(ws, NULL, NULL), WS_OK);
    ws_free(ws);
}


int main(void) {
    test_support_init();
    const struct CMUnitTest tests[] = {
        T(test_rule21_open_listener_sees_open_state_and_protocol),
        T(test_rule21_no_protocol_selected_reads_empty),
        T(test_rule21_response_headers_readable_after_open),
        cmocka_unit_test(test_request_header_options_are_checked),
        T(test_rule22_message_not_delivered_after_close),
        T(test_rule22_message_not_delivered_after_close_in_listener),
        T(test_rule22_binary_type_read_at_dispatch),
        T(test_rule23_server_close_makes_state_closing),
        T(test_rule24_server_close_without_code_gives_1005),
        T(test_rule24_server_drops_tcp_gives_1006_without_error),
        T(test_rule26_ping_answered_and_not_exposed),
        T(test_listeners_run_in_registration_order),
        T(test_handler_runs_at_position_first_set),
        T(test_each_handler_attribute_is_its_own),
        T(test_duplicate_listener_ignored),
        T(test_listener_removed_during_dispatch_not_called),
        T(test_handler_cleared_during_dispatch_not_called),
        T(test_listener_added_during_dispatch_not_called_for_current_event),
        T(test_listener_removing_itself_during_dispatch),
        cmocka_unit_test(test_event_accessors_null_safe),
        T(test_event_accessors_by_type),
        T(test_event_user_data),
        T(test_listener_argument_errors),
    };
    return cmocka_run_group_tests(tests, echo_group_setup, echo_group_teardown);
}
