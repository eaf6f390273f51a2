/*
 * ws_new / ws_new_ex: contract rules 1-6 (the WebSocket constructor).
 */
#include "test_support.h"

#include <string.h>

/* ws_new must fail with SyntaxError, leave *out NULL and explain itself. */
static void expect_syntax_error(const char *url, const char *const *protocols, size_t count) {
    ws_socket *ws = (ws_socket *)(uintptr_t)1; /* must be overwritten */
    ws_result rc = ws_new(url, protocols, count, &ws);
    if (rc != WS_ERR_SYNTAX)
        print_error("url '%s' (%zu protocols): expected WS_ERR_SYNTAX, got %s\n", url, count,
                    ws_result_str(rc));
    assert_int_equal(rc, WS_ERR_SYNTAX);
    assert_null(ws);
    const char *why = ws_last_error(NULL);
    assert_non_null(why);
    assert_true(strlen(why) > 0);
}

/* ws_new must succeed and the url read back as `expected`. */
static void expect_url(const char *url, const char *expected) {
    ws_socket *ws = NULL;
    ws_result rc = ws_new(url, NULL, 0, &ws);
    if (rc != WS_OK)
        print_error("url '%s': expected WS_OK, got %s (%s)\n", url, ws_result_str(rc),
                    ws_last_error(NULL));
    assert_int_equal(rc, WS_OK);
    assert_non_null(ws);
    if (strcmp(ws_url(ws), expected) != 0)
        print_error("url '%s': read back '%s', expected '%s'\n", url, ws_url(ws), expected);
    assert_string_equal(ws_url(ws), expected);
    ws_free(ws);
}

/* ---- Rule 1: the URL must parse, and be absolute ---- */

static void test_rule1_relative_url_is_syntax_error(void **state) {
    (void)state;
    expect_syntax_error("", NULL, 0);
    expect_syntax_error("/chat", NULL, 0);
    expect_syntax_error("chat", NULL, 0);
    expect_syntax_error("//example.invalid/chat", NULL, 0);
    expect_syntax_error("?x=1", NULL, 0);
    expect_syntax_error("127.0.0.1:9001/", NULL, 0);
}

static void test_rule1_unparsable_url_is_syntax_error(void **state) {
    (void)state;
    expect_syntax_error("ws://", NULL, 0);
    expect_syntax_error("ws://user@/", NULL, 0);
    expect_syntax_error("ws://h.invalid:99999/", NULL, 0);
    expect_syntax_error("ws://h.invalid:65536/", NULL, 0);
    expect_syntax_error("ws://h.invalid:port/", NULL, 0);
    expect_syntax_error("ws://exa mple.invalid/", NULL, 0);
    expect_syntax_error("ws://a<b.invalid/", NULL, 0);
    expect_syntax_error("ws://[::1/", NULL, 0);
    expect_syntax_error("ws://[::1::2]/", NULL, 0);
    expect_syntax_error("ws://[1:2:3:4:5:6:7:8:9]/", NULL, 0);
    expect_syntax_error("ws://256.0.0.1/", NULL, 0);
    expect_syntax_error("ws://1.2.3.4.5/", NULL, 0);
    expect_syntax_error("ws://0x100000000/", NULL, 0);
    expect_syntax_error("ws://1.2.3.09/", NULL, 0);
}

static void test_rule1_null_url_is_invalid_argument(void **state) {
    (void)state;
    ws_socket *ws = (ws_socket *)(uintptr_t)1;
    assert_int_equal(ws_new(NULL, NULL, 0, &ws), WS_ERR_INVALID_ARGUMENT);
    assert_null(ws);
    assert_int_equal(ws_new("ws://127.0.0.1/", NULL, 0, NULL), WS_ERR_INVALID_ARGUMENT);
    ws = (ws_socket *)(uintptr_t)1;
    assert_int_equal(ws_new("ws://127.0.0.1/", NULL, 2, &ws), WS_ERR_INVALID_ARGUMENT);
    assert_null(ws);
    const char *list[] = {"a", NULL};
    ws = (ws_socket *)(uintptr_t)1;
    assert_int_equal(ws_new("ws://127.0.0.1/", list, 2, &ws), WS_ERR_INVALID_ARGUMENT);
    assert_null(ws);
}

/* ---- Rule 2: schemes ---- */

static void test_rule2_other_schemes_are_syntax_errors(void **state) {
    (void)state;
    expect_syntax_error("ftp://example.invalid/", NULL, 0);
    expect_syntax_error("file:///tmp/socket", NULL, 0);
    expect_syntax_error("javascript:alert(1)", NULL, 0);
    expect_syntax_error("mailto:someone@example.invalid", NULL, 0);
    expect_syntax_error("data:text/plain,hello", NULL, 0);
    expect_syntax_error("wss+unix://example.invalid/", NULL, 0);
    expect_syntax_error("about:blank", NULL, 0);
    expect_syntax_error("blob:ws://example.invalid/x", NULL, 0);
}

static void test_rule2_http_becomes_ws_and_https_becomes_wss(void **state) {
    (void)state;
    expect_url("http://h.invalid/", "ws://h.invalid/");
    expect_url("https://h.invalid/", "wss://h.invalid/");
    expect_url("HTTP://h.invalid/chat?room=1", "ws://h.invalid/chat?room=1");
    expect_url("HtTpS://h.invalid/", "wss://h.invalid/");
    expect_url("ws://h.invalid/", "ws://h.invalid/");
    expect_url("WSS://h.invalid/", "wss://h.invalid/");
    /* The default port follows the new scheme. */
    expect_url("http://h.invalid:80/", "ws://h.invalid/");
    expect_url("https://h.invalid:443/", "wss://h.invalid/");
    expect_url("http://h.invalid:443/", "ws://h.invalid:443/");
    expect_url("https://h.invalid:80/", "wss://h.invalid:80/");
}

/* ---- Rule 3: fragments ---- */

static void test_rule3_fragment_is_syntax_error(void **state) {
    (void)state;
    expect_syntax_error("ws://h.invalid/#", NULL, 0);
    expect_syntax_error("ws://h.invalid/#frag", NULL, 0);
    expect_syntax_error("ws://h.invalid#", NULL, 0);
    expect_syntax_error("ws://h.invalid/path?q=1#x", NULL, 0);
    expect_syntax_error("https://h.invalid/#", NULL, 0);
    /* An encoded '#' is no fragment. */
    expect_url("ws://h.invalid/%23", "ws://h.invalid/%23");
}

/* ---- Rule 4: subprotocols ---- */

static void test_rule4_invalid_subprotocols_are_syntax_errors(void **state) {
    (void)state;
    const char *const url = "ws://127.0.0.1:1/";
    static const char *const bad[] = {
        "",          "a b",      "a,b",      " chat",    "chat ",    "ch\tat",
        "caf\xc3\xa9", "\x7f",   "a\x01",    "(chat)",   "a<b",      "a>b",
        "a@b",       "a;b",      "a:b",      "a\\b",     "a\"b",     "a/b",
        "a[b",       "a]b",      "a?b",      "a=b",      "a{b",      "a}b",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        const char *one[] = {bad[i]};
        expect_syntax_error(url, one, 1);
        /* Also when it comes after a good one. */
        const char *two[] = {"chat", bad[i]};
        expect_syntax_error(url, two, 2);
    }
}

static void test_rule4_duplicate_subprotocols_are_syntax_errors(void **state) {
    (void)state;
    const char *dup[] = {"chat", "chat"};
    expect_syntax_error("ws://127.0.0.1:1/", dup, 2);
    const char *later_dup[] = {"a", "b", "c", "b"};
    expect_syntax_error("ws://127.0.0.1:1/", later_dup, 4);
}

static void test_rule4_valid_subprotocols_are_accepted(void **state) {
    (void)state;
    const char *list[] = {"chat", "superchat.v2", "x-custom_proto", "A!#$%&'*+-.^_`|~1",
                          "Chat"};
    ws_socket *ws = NULL;
    assert_int_equal(ws_new("ws://127.0.0.1:1/", list, 5, &ws), WS_OK);
    assert_non_null(ws);
    ws_free(ws);
    const char *one[] = {"v10.stomp"};
    ws = NULL;
    assert_int_equal(ws_new("ws://127.0.0.1:1/", one, 1, &ws), WS_OK);
    ws_free(ws);
    /* No protocols: NULL with a count of 0. */
    ws = NULL;
    assert_int_equal(ws_new("ws://127.0.0.1:1/", NULL, 0, &ws), WS_OK);
    ws_free(ws);
}

/* ---- Rule 5: the state after construction ---- */

static void test_rule5_state_after_construction(void **state) {
    (void)state;
    const char *list[] = {"chat"};
    ws_socket *ws = NULL;
    assert_int_equal(ws_new("ws://127.0.0.1:1/path", list, 1, &ws), WS_OK);
    assert_int_equal(ws_ready_state(ws), WS_CONNECTING);
    assert_string_equal(ws_protocol(ws), "");
    assert_string_equal(ws_extensions(ws), "");
    assert_int_equal(ws_binary_type(ws), WS_BINARY_BLOB);
    assert_string_equal(ws_url(ws), "ws://127.0.0.1:1/path");
    assert_int_equal(ws_buffered_amount(ws), 0);
    assert_null(ws_user_data(ws));
    assert_string_equal(ws_last_error(ws), "");
    ws_free(ws);
}

static void test_rule5_url_default_ports_dropped(void **state) {
    (void)state;
    expect_url("ws://h.invalid:80/", "ws://h.invalid/");
    expect_url("wss://h.invalid:443", "wss://h.invalid/");
    expect_url("ws://h.invalid:0080/", "ws://h.invalid/");
    expect_url("ws://h.invalid:/", "ws://h.invalid/");
    expect_url("ws://h.invalid:443/", "ws://h.invalid:443/");
    expect_url("wss://h.invalid:80/", "wss://h.invalid:80/");
    expect_url("ws://h.invalid:9001", "ws://h.invalid:9001/");
    expect_url("ws://h.invalid:65535/", "ws://h.invalid:65535/");
}

static void test_rule5_url_host_normalized(void **state) {
    (void)state;
    expect_url("ws://EXAMPLE.INVALID/", "ws://example.invalid/");
    expect_url("ws://Mixed.Case.Invalid/Path", "ws://mixed.case.invalid/Path");
    expect_url("ws://%41.invalid/", "ws://a.invalid/");
    expect_url("ws://h.invalid", "ws://h.invalid/");
    expect_url("ws:h.invalid/x", "ws://h.invalid/x");
    expect_url("ws:\\\\h.invalid\\a\\b", "ws://h.invalid/a/b");
    expect_url("ws:////h.invalid/", "ws://h.invalid/");
    expect_url("ws:///h.invalid", "ws://h.invalid/");
    expect_url("  ws://h.invalid/  ", "ws://h.invalid/");
    expect_url("ws://h.inv\talid/a\nb", "ws://h.invalid/ab");
}

static void test_rule5_url_ipv6(void **state) {
    (void)state;
    expect_url("ws://[::1]/", "ws://[::1]/");
    expect_url("ws://[::1]:9001/", "ws://[::1]:9001/");
    expect_url("ws://[0:0:0:0:0:0:0:1]/", "ws://[::1]/");
    expect_url("ws://[::FFFF:127.0.0.1]/", "ws://[::ffff:7f00:1]/");
    expect_url("ws://[1:0:0:2::3:0]/", "ws://[1::2:0:0:3:0]/");
    expect_url("ws://[2001:DB8::1]:80/", "ws://[2001:db8::1]/");
}

static void test_rule5_url_ipv4_forms(void **state) {
    (void)state;
    expect_url("ws://0x7f.1/", "ws://127.0.0.1/");
    expect_url("ws://2130706433/", "ws://127.0.0.1/");
    expect_url("ws://0177.0.0.1/", "ws://127.0.0.1/");
    expect_url("ws://127.1/", "ws://127.0.0.1/");
    expect_url("ws://0x7F000001:9001/", "ws://127.0.0.1:9001/");
    expect_url("ws://127.0.0.1./", "ws://127.0.0.1/");
}

static void test_rule5_url_path_and_query(void **state) {
    (void)state;
    expect_url("ws://h.invalid/a/./b/../c", "ws://h.invalid/a/c");
    expect_url("ws://h.invalid/a/b/..", "ws://h.invalid/a/");
    expect_url("ws://h.invalid/../..", "ws://h.invalid/");
    expect_url("ws://h.invalid/a/%2e/b/%2E%2e/c", "ws://h.invalid/a/c");
    expect_url("ws://h.invalid/a b", "ws://h.invalid/a%20b");
    expect_url("ws://h.invalid/\"<>`{}", "ws://h.invalid/%22%3C%3E%60%7B%7D");
    expect_url("ws://h.invalid/caf\xc3\xa9", "ws://h.invalid/caf%C3%A9");
    expect_url("ws://h.invalid?x=1", "ws://h.invalid/?x=1");
    expect_url("ws://h.invalid/?q=a b'c", "ws://h.invalid/?q=a%20b%27c");
    expect_url("ws://h.invalid/p?", "ws://h.invalid/p?");
    expect_url("ws://user:pass@h.invalid/", "ws://user:pass@h.invalid/");
    expect_url("ws://user:@h.invalid/", "ws://user@h.invalid/");
    expect_url("ws://@h.invalid/", "ws://h.invalid/");
}

/* ---- Rule 6: network failures never fail the constructor ---- */

static void expect_connection_failure(const char *url) {
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    ws_socket *ws = NULL;
    assert_int_equal(ws_new_ex(loop, url, NULL, 0, NULL, &ws), WS_OK);
    assert_non_null(ws);
    assert_int_equal(ws_ready_state(ws), WS_CONNECTING);
    recorder_attach(&r, ws);
    assert_true(wait_events(loop, &r, WS_EVENT_CLOSE, 1));

    /* error, then close 1006 wasClean false; nothing else. */
    assert_int_equal(recorder_count(&r, 0), 2);
    const rec_event *error = recorder_get(&r, 0, 0);
    const rec_event *close = recorder_get(&r, 0, 1);
    assert_int_equal(error->type, WS_EVENT_ERROR);
    assert_true(strlen(error->error) > 0);
    assert_int_equal(error->state, WS_CLOSED); /* rule 25 */
    assert_int_equal(close->type, WS_EVENT_CLOSE);
    assert_int_equal(close->code, 1006);
    assert_false(close->was_clean);
    assert_int_equal(close->state, WS_CLOSED);
    assert_int_equal(ws_ready_state(ws), WS_CLOSED);
    assert_true(strlen(ws_last_error(ws)) > 0);

    ws_free(ws);
    ws_loop_free(loop);
    recorder_free(&r);
}

static void test_rule6_unknown_host_fails_later_not_in_constructor(void **state) {
    (void)state;
    expect_connection_failure("ws://nonexistent.invalid/");
}

static void test_rule6_refused_connection_fails_later_not_in_constructor(void **state) {
    (void)state;
    /* Port 1 on loopback: nothing listens there. */
    expect_connection_failure("ws://127.0.0.1:1/");
}

int main(void) {
    test_support_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule1_relative_url_is_syntax_error),
        cmocka_unit_test(test_rule1_unparsable_url_is_syntax_error),
        cmocka_unit_test(test_rule1_null_url_is_invalid_argument),
        cmocka_unit_test(test_rule2_other_schemes_are_syntax_errors),
        cmocka_unit_test(test_rule2_http_becomes_ws_and_https_becomes_wss),
        cmocka_unit_test(test_rule3_fragment_is_syntax_error),
        cmocka_unit_test(test_rule4_invalid_subprotocols_are_syntax_errors),
        cmocka_unit_test(test_rule4_duplicate_subprotocols_are_syntax_errors),
        cmocka_unit_test(test_rule4_valid_subprotocols_are_accepted),
        cmocka_unit_test(test_rule5_state_after_construction),
        cmocka_unit_test(test_rule5_url_default_ports_dropped),
        cmocka_unit_test(test_rule5_url_host_normalized),
        cmocka_unit_test(test_rule5_url_ipv6),
        cmocka_unit_test(test_rule5_url_ipv4_forms),
        cmocka_unit_test(test_rule5_url_path_and_query),
        cmocka_unit_test(test_rule6_unknown_host_fails_later_not_in_constructor),
        cmocka_unit_test(test_rule6_refused_connection_fails_later_not_in_constructor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
