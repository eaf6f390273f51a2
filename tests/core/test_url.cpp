// The constructor's URL rules (contract rules 1-3) on the parser itself.
#include "url.h"
#include "cmocka_cpp.h"
#include <cstring>

#include <string>

using polyws::parse_websocket_url;
using polyws::WebSocketUrl;

static std::string serialize(const char *input) {
    WebSocketUrl url;
    std::string error;
    if (!parse_websocket_url(input, url, error)) return "ERROR: " + error;
    return url.serialized;
}

static void rejects(const char *input) {
    WebSocketUrl url;
    std::string error;
    if (parse_websocket_url(input, url, error)) fail_msg("accepted '%s' as %s", input, url.serialized.c_str());
    assert_false(error.empty());
}

static void test_rule1_relative_and_unparsable_urls_are_syntax_errors(void **) {
    rejects("");
    rejects("/chat");
    rejects("//example.com/");
    rejects("example.com");
    rejects("ws://");
    rejects("ws://exa mple.com/");
    rejects("ws://[::1/");
    rejects("ws://[1:2:3]/");
    rejects("ws://h:99999/");
    rejects("ws://h:12ab/");
    rejects("ws://256.0.0.1/");
    rejects("ws://user@/");
}

static void test_rule2_schemes(void **) {
    assert_string_equal(serialize("ws://h/").c_str(), "ws://h/");
    assert_string_equal(serialize("wss://h/").c_str(), "wss://h/");
    assert_string_equal(serialize("http://h/").c_str(), "ws://h/");
    assert_string_equal(serialize("https://h/").c_str(), "wss://h/");
    assert_string_equal(serialize("HTTPS://H/").c_str(), "wss://h/");
    rejects("ftp://h/");
    rejects("file:///etc/passwd");
    rejects("javascript:alert(1)");
    rejects("mailto:a@b");
}

static void test_rule3_fragments_are_syntax_errors(void **) {
    rejects("ws://h/#");
    rejects("ws://h/#frag");
    rejects("ws://h/path?q=1#x");
}

static void test_rule5_url_serialization(void **) {
    assert_string_equal(serialize("ws://h").c_str(), "ws://h/");
    assert_string_equal(serialize("ws://h:80/").c_str(), "ws://h/");
    assert_string_equal(serialize("wss://h:443/").c_str(), "wss://h/");
    assert_string_equal(serialize("http://h:443/").c_str(), "ws://h:443/");
    assert_string_equal(serialize("ws://h:/x").c_str(), "ws://h/x");
    assert_string_equal(serialize("  ws://h/ \n").c_str(), "ws://h/");
    assert_string_equal(serialize("ws://Ex\tample.COM/").c_str(), "ws://example.com/");
    assert_string_equal(serialize("ws:h/x").c_str(), "ws://h/x");
    assert_string_equal(serialize("ws:///h/x").c_str(), "ws://h/x");   // slashes are skipped
    assert_string_equal(serialize("ws:\\\\h\\a\\b").c_str(), "ws://h/a/b");
    assert_string_equal(serialize("ws://h/a/./b/../c").c_str(), "ws://h/a/c");
    assert_string_equal(serialize("ws://h/a/%2e%2E/c").c_str(), "ws://h/c");
    assert_string_equal(serialize("ws://h/a b").c_str(), "ws://h/a%20b");
    assert_string_equal(serialize("ws://h/\xc3\xa9?\xc3\xa9=1").c_str(), "ws://h/%C3%A9?%C3%A9=1");
    assert_string_equal(serialize("ws://h/p?a='b'").c_str(), "ws://h/p?a=%27b%27");
    assert_string_equal(serialize("ws://0x7f.1/").c_str(), "ws://127.0.0.1/");
    assert_string_equal(serialize("ws://2130706433/").c_str(), "ws://127.0.0.1/");
    assert_string_equal(serialize("ws://0177.0.0.01/").c_str(), "ws://127.0.0.1/");
    assert_string_equal(serialize("ws://[::1]:9000/").c_str(), "ws://[::1]:9000/");
    assert_string_equal(serialize("ws://[0:0:0:0:0:0:0:1]/").c_str(), "ws://[::1]/");
    assert_string_equal(serialize("ws://[2001:DB8:0:0:1:0:0:1]/").c_str(), "ws://[2001:db8::1:0:0:1]/");
    assert_string_equal(serialize("ws://[::ffff:127.0.0.1]/").c_str(), "ws://[::ffff:7f00:1]/");
    assert_string_equal(serialize("ws://u:p@h/").c_str(), "ws://u:p@h/");
    assert_string_equal(serialize("ws://h%41/").c_str(), "ws://ha/");
    // International names become punycode (UTS #46, non-transitional).
    assert_string_equal(serialize("ws://\xc3\x89XAMPLE.com/").c_str(), "ws://xn--xample-9ua.com/");
    assert_string_equal(serialize("ws://b\xc3\xbc" "cher.de/").c_str(), "ws://xn--bcher-kva.de/");
    assert_string_equal(serialize("ws://fa\xc3\x9f.de/").c_str(), "ws://xn--fa-hia.de/");
}

static void test_request_target_and_host_header(void **) {
    WebSocketUrl url;
    std::string error;
    assert_true(parse_websocket_url("wss://Example.com:8443/chat/room?x=1", url, error));
    assert_true(url.secure);
    assert_int_equal(url.port, 8443);
    assert_string_equal(url.resource.c_str(), "/chat/room?x=1");
    assert_string_equal(url.host_header.c_str(), "example.com:8443");
    assert_true(parse_websocket_url("ws://[::1]/", url, error));
    assert_string_equal(url.connect_host.c_str(), "::1");
    assert_int_equal(url.port, 80);
    assert_string_equal(url.host_header.c_str(), "[::1]");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule1_relative_and_unparsable_urls_are_syntax_errors),
        cmocka_unit_test(test_rule2_schemes),
        cmocka_unit_test(test_rule3_fragments_are_syntax_errors),
        cmocka_unit_test(test_rule5_url_serialization),
        cmocka_unit_test(test_request_target_and_host_header),
    };
    return cmocka_run_group_tests_name("url", tests, nullptr, nullptr);
}
