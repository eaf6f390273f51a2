/*
 * Result codes, version, NULL handling of every function, and the
 * last-error messages.
 */
#include "test_support.h"

#include <stdio.h>
#include <string.h>

static const ws_result kAll[] = {
    WS_OK,           WS_ERR_SYNTAX,     WS_ERR_INVALID_STATE,  WS_ERR_INVALID_ACCESS,
    WS_ERR_INVALID_ARGUMENT, WS_ERR_INVALID_UTF8, WS_ERR_NO_MEMORY, WS_ERR_BUFFER_FULL,
    WS_ERR_REENTRANT, WS_ERR_LOOP,      WS_ERR_INTERNAL,
};
#define NALL (sizeof kAll / sizeof kAll[0])

static void test_result_values_are_fixed(void **state) {
    (void)state;
    /* Published values never change. */
    assert_int_equal(WS_OK, 0);
    assert_int_equal(WS_ERR_SYNTAX, 1);
    assert_int_equal(WS_ERR_INVALID_STATE, 2);
    assert_int_equal(WS_ERR_INVALID_ACCESS, 3);
    assert_int_equal(WS_ERR_INVALID_ARGUMENT, 4);
    assert_int_equal(WS_ERR_INVALID_UTF8, 5);
    assert_int_equal(WS_ERR_NO_MEMORY, 6);
    assert_int_equal(WS_ERR_BUFFER_FULL, 7);
    assert_int_equal(WS_ERR_REENTRANT, 8);
    assert_int_equal(WS_ERR_LOOP, 9);
    assert_int_equal(WS_ERR_INTERNAL, 10);
    /* And the enumerations the browser defines. */
    assert_int_equal(WS_CONNECTING, 0);
    assert_int_equal(WS_OPEN, 1);
    assert_int_equal(WS_CLOSING, 2);
    assert_int_equal(WS_CLOSED, 3);
    assert_int_equal(WS_BINARY_BLOB, 0);
    assert_int_equal(WS_BINARY_ARRAYBUFFER, 1);
    assert_int_equal(WS_EVENT_OPEN, 1);
    assert_int_equal(WS_EVENT_MESSAGE, 2);
    assert_int_equal(WS_EVENT_ERROR, 3);
    assert_int_equal(WS_EVENT_CLOSE, 4);
    assert_int_equal(WS_DELIVERY_DISPATCH, 0);
    assert_int_equal(WS_DELIVERY_IO_THREAD, 1);
}

static void test_result_str_every_value_non_empty_and_distinct(void **state) {
    (void)state;
    for (size_t i = 0; i < NALL; ++i) {
        const char *s = ws_result_str(kAll[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        assert_string_not_equal(s, "unknown result");
        /* The same static string every time. */
        assert_ptr_equal(ws_result_str(kAll[i]), s);
        for (size_t j = 0; j < i; ++j) assert_string_not_equal(s, ws_result_str(kAll[j]));
    }
    /* Each name starts with its enumerator, e.g. "WS_ERR_SYNTAX: ...". */
    assert_true(strncmp(ws_result_str(WS_OK), "WS_OK", 5) == 0);
    assert_true(strncmp(ws_result_str(WS_ERR_SYNTAX), "WS_ERR_SYNTAX", 13) == 0);
    assert_true(strncmp(ws_result_str(WS_ERR_BUFFER_FULL), "WS_ERR_BUFFER_FULL", 18) == 0);
}

static void test_result_str_unknown_value(void **state) {
    (void)state;
    assert_string_equal(ws_result_str((ws_result)11), "unknown result");
    assert_string_equal(ws_result_str((ws_result)-1), "unknown result");
    assert_string_equal(ws_result_str((ws_result)1000), "unknown result");
}

static void test_version_matches_header(void **state) {
    (void)state;
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", POLYWS_VERSION_MAJOR, POLYWS_VERSION_MINOR,
             POLYWS_VERSION_PATCH);
    assert_non_null(ws_version());
    assert_string_equal(ws_version(), expected);
    assert_int_equal(ws_version_number(), POLYWS_VERSION_NUMBER);
    assert_int_equal(ws_version_number(), POLYWS_VERSION_MAJOR * 10000 +
                                              POLYWS_VERSION_MINOR * 100 + POLYWS_VERSION_PATCH);
}

/* ---- NULL handling ---- */

static void dummy_listener(ws_socket *ws, const ws_event *event, void *user_data) {
    (void)ws;
    (void)event;
    (void)user_data;
}

static void test_null_socket_getters_return_defaults(void **state) {
    (void)state;
    assert_int_equal(ws_ready_state(NULL), WS_CLOSED);
    assert_string_equal(ws_url(NULL), "");
    assert_string_equal(ws_protocol(NULL), "");
    assert_string_equal(ws_extensions(NULL), "");
    assert_int_equal(ws_binary_type(NULL), WS_BINARY_BLOB);
    assert_int_equal(ws_buffered_amount(NULL), 0);
    assert_null(ws_user_data(NULL));
    assert_int_equal(ws_loop_fd(NULL), -1);
    assert_non_null(ws_last_error(NULL));
}

static void expect_invalid_argument(ws_result rc) {
    assert_int_equal(rc, WS_ERR_INVALID_ARGUMENT);
    /* Explained on this thread. */
    assert_true(strlen(ws_last_error(NULL)) > 0);
}

static void test_null_socket_setters_return_invalid_argument(void **state) {
    (void)state;
    expect_invalid_argument(ws_set_binary_type(NULL, WS_BINARY_ARRAYBUFFER));
    expect_invalid_argument(ws_set_user_data(NULL, &state));
    expect_invalid_argument(ws_send_text(NULL, "x", 1));
    expect_invalid_argument(ws_send_binary(NULL, "x", 1));
    expect_invalid_argument(ws_close(NULL, 1000, NULL));
    expect_invalid_argument(ws_add_event_listener(NULL, WS_EVENT_OPEN, dummy_listener, NULL));
    expect_invalid_argument(ws_remove_event_listener(NULL, WS_EVENT_OPEN, dummy_listener, NULL));
    expect_invalid_argument(ws_set_onopen(NULL, dummy_listener, NULL));
    expect_invalid_argument(ws_set_onmessage(NULL, dummy_listener, NULL));
    expect_invalid_argument(ws_set_onerror(NULL, dummy_listener, NULL));
    expect_invalid_argument(ws_set_onclose(NULL, dummy_listener, NULL));
    expect_invalid_argument(ws_set_onclose(NULL, NULL, NULL));
}

static void test_null_loop_and_options_arguments(void **state) {
    (void)state;
    size_t n = 99;
    expect_invalid_argument(ws_loop_dispatch(NULL, 0, &n));
    assert_int_equal(n, 0);
    const ws_event *event = (const ws_event *)(uintptr_t)1;
    expect_invalid_argument(ws_loop_next_event(NULL, 0, &event));
    assert_null(event);
    ws_loop *loop = new_dispatch_loop();
    expect_invalid_argument(ws_loop_next_event(loop, 0, NULL));
    ws_loop_free(loop);
    expect_invalid_argument(ws_loop_new(WS_DELIVERY_DISPATCH, NULL));
    loop = (ws_loop *)(uintptr_t)1;
    expect_invalid_argument(ws_loop_new((ws_delivery_t)7, &loop));
    assert_null(loop);

    expect_invalid_argument(ws_options_new(NULL));
    expect_invalid_argument(ws_options_set_max_message_size(NULL, 10));
    expect_invalid_argument(ws_options_set_send_buffer_limit(NULL, 10));
    expect_invalid_argument(ws_options_set_connect_timeout_ms(NULL, 10));
    expect_invalid_argument(ws_options_set_close_timeout_ms(NULL, 10));
    expect_invalid_argument(ws_options_set_ping_interval_ms(NULL, 10));
    expect_invalid_argument(ws_options_set_pong_timeout_ms(NULL, 10));
    expect_invalid_argument(ws_options_set_proxy(NULL, "http://h:1"));
    expect_invalid_argument(ws_options_set_proxy_from_environment(NULL, true));

    ws_options *options = NULL;
    assert_int_equal(ws_options_new(&options), WS_OK);
    assert_non_null(options);
    /* Documented out-of-range values. */
    expect_invalid_argument(ws_options_set_max_message_size(options, 0));
    expect_invalid_argument(ws_options_set_close_timeout_ms(options, 0));
    expect_invalid_argument(ws_options_set_pong_timeout_ms(options, 0));
    assert_int_equal(ws_options_set_ping_interval_ms(options, 0), WS_OK); /* no pings */
    assert_int_equal(ws_options_set_ping_interval_ms(options, 1000), WS_OK);
    assert_int_equal(ws_options_set_proxy(options, "http://u:p%40ss@proxy.example:3128/"), WS_OK);
    assert_int_equal(ws_options_set_proxy(options, "[::1]:8080"), WS_OK);
    assert_int_equal(ws_options_set_proxy(options, NULL), WS_OK);   /* cleared */
    expect_invalid_argument(ws_options_set_proxy(options, "socks5://h:1080"));
    expect_invalid_argument(ws_options_set_proxy(options, "http://h:0"));
    expect_invalid_argument(ws_options_set_proxy(options, "http://:8080"));
    assert_int_equal(ws_options_set_connect_timeout_ms(options, 0), WS_OK); /* no limit */
    assert_int_equal(ws_options_set_max_message_size(options, 1), WS_OK);
    assert_int_equal(ws_options_set_send_buffer_limit(options, 1), WS_OK);
    assert_int_equal(ws_options_set_close_timeout_ms(options, 1), WS_OK);
    ws_options_free(options);

    ws_socket *ws = (ws_socket *)(uintptr_t)1;
    expect_invalid_argument(ws_new_ex(NULL, NULL, NULL, 0, NULL, &ws));
    assert_null(ws);
    expect_invalid_argument(ws_new_ex(NULL, "ws://127.0.0.1:1/", NULL, 0, NULL, NULL));
}

static void test_null_pointer_payloads(void **state) {
    (void)state;
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    echo_server echo;
    assert_int_equal(echo_start(&echo, NULL, 0), 0);
    ws_socket *ws = open_socket(loop, echo.url, NULL, &r);
    /* NULL with a size is an error; NULL with 0 bytes is an empty message. */
    assert_int_equal(ws_send_text(ws, NULL, 3), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_send_binary(ws, NULL, 3), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_buffered_amount(ws), 0);
    assert_int_equal(ws_send_binary(ws, NULL, 0), WS_OK);
    assert_int_equal(ws_send_text(ws, NULL, 0), WS_OK);
    assert_true(wait_events(loop, &r, WS_EVENT_MESSAGE, 2));
    assert_int_equal(recorder_get(&r, WS_EVENT_MESSAGE, 0)->size, 0);
    assert_true(recorder_get(&r, WS_EVENT_MESSAGE, 0)->binary);
    assert_false(recorder_get(&r, WS_EVENT_MESSAGE, 1)->binary);
    /* Removing a NULL listener: invalid. */
    assert_int_equal(ws_remove_event_listener(ws, WS_EVENT_OPEN, NULL, NULL),
                     WS_ERR_INVALID_ARGUMENT);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
    echo_stop(&echo);
}

static void test_free_null_is_noop(void **state) {
    (void)state;
    ws_free(NULL);
    ws_loop_free(NULL);
    ws_options_free(NULL);
}

/* ---- Last error ---- */

static void test_last_error_after_failed_new_explains(void **state) {
    (void)state;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new("ftp://h.invalid/", NULL, 0, &ws), WS_ERR_SYNTAX);
    const char *why = ws_last_error(NULL);
    assert_true(strlen(why) > 0);
    assert_non_null(strstr(why, "ftp")); /* says what is wrong */
    /* Stays until the next failure on this thread, whatever succeeds. */
    assert_int_equal(ws_new("ws://127.0.0.1:1/", NULL, 0, &ws), WS_OK);
    ws_free(ws);
    assert_true(strlen(ws_last_error(NULL)) > 0);

    const char *dup[] = {"chat", "chat"};
    assert_int_equal(ws_new("ws://127.0.0.1:1/", dup, 2, &ws), WS_ERR_SYNTAX);
    assert_non_null(strstr(ws_last_error(NULL), "chat"));
    assert_int_equal(ws_new("ws://h.invalid/#x", NULL, 0, &ws), WS_ERR_SYNTAX);
    assert_true(strlen(ws_last_error(NULL)) > 0);
}

struct thread_error {
    char seen[256];
};

static void *read_last_error(void *arg) {
    struct thread_error *t = arg;
    snprintf(t->seen, sizeof t->seen, "%s", ws_last_error(NULL));
    return NULL;
}

static void test_last_error_null_is_per_thread(void **state) {
    (void)state;
    ws_socket *ws = NULL;
    assert_int_equal(ws_new("javascript:alert(1)", NULL, 0, &ws), WS_ERR_SYNTAX);
    assert_true(strlen(ws_last_error(NULL)) > 0);
    struct thread_error t = {{'?'}};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, read_last_error, &t), 0);
    pthread_join(thread, NULL);
    assert_string_equal(t.seen, ""); /* a fresh thread has had no failure */
}

static void test_last_error_per_socket_after_failed_send(void **state) {
    (void)state;
    ws_loop *loop = new_dispatch_loop();
    ws_socket *a = NULL, *b = NULL;
    assert_int_equal(ws_new_ex(loop, "ws://127.0.0.1:1/", NULL, 0, NULL, &a), WS_OK);
    assert_int_equal(ws_new_ex(loop, "ws://127.0.0.1:1/", NULL, 0, NULL, &b), WS_OK);
    assert_string_equal(ws_last_error(a), "");
    assert_int_equal(ws_send_text(a, "x", 1), WS_ERR_INVALID_STATE);
    char first[256];
    snprintf(first, sizeof first, "%s", ws_last_error(a));
    assert_true(strlen(first) > 0);
    /* Only that socket records it. */
    assert_string_equal(ws_last_error(b), "");
    /* And the thread's last error says the same. */
    assert_string_equal(ws_last_error(NULL), first);
    /* A later failure on `a` replaces it. */
    assert_int_equal(ws_close(a, 999, NULL), WS_ERR_INVALID_ACCESS);
    assert_string_not_equal(ws_last_error(a), first);
    assert_true(strlen(ws_last_error(a)) > 0);
    assert_string_equal(ws_last_error(b), "");
    /* The string is a copy: it stays valid after the socket is freed. */
    const char *copy = ws_last_error(a);
    char kept[256];
    snprintf(kept, sizeof kept, "%s", copy);
    ws_free(a);
    assert_string_equal(copy, kept);
    ws_free(b);
    ws_loop_free(loop);
}

static void test_last_error_per_socket_after_connection_failure(void **state) {
    (void)state;
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(loop, "ws://127.0.0.1:1/", NULL, 0, NULL, &ws), WS_OK);
    recorder_attach(&r, ws);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));
    const rec_event *error = recorder_get(&r, WS_EVENT_ERROR, 0);
    assert_non_null(error);
    assert_true(strlen(error->error) > 0);
    /* The socket's last error is the reason the error event gave. */
    assert_string_equal(ws_last_error(ws), error->error);
    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

int main(void) {
    test_support_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_result_values_are_fixed),
        cmocka_unit_test(test_result_str_every_value_non_empty_and_distinct),
        cmocka_unit_test(test_result_str_unknown_value),
        cmocka_unit_test(test_version_matches_header),
        cmocka_unit_test(test_null_socket_getters_return_defaults),
        cmocka_unit_test(test_null_socket_setters_return_invalid_argument),
        cmocka_unit_test(test_null_loop_and_options_arguments),
        cmocka_unit_test(test_null_pointer_payloads),
        cmocka_unit_test(test_free_null_is_noop),
        cmocka_unit_test(test_last_error_after_failed_new_explains),
        cmocka_unit_test(test_last_error_null_is_per_thread),
        cmocka_unit_test(test_last_error_per_socket_after_failed_send),
        cmocka_unit_test(test_last_error_per_socket_after_connection_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
