// Opening handshake checks (contract rules 7-8) on responses built here.
#include "handshake.h"
#include "url.h"
#include "cmocka_cpp.h"
#include <cstring>

#include <string>

using namespace polyws;

namespace {

struct Case {
    HandshakeRequest request;
    HandshakeResponse response;
};

void setup(Case &c, std::vector<std::string> protocols = {}) {
    WebSocketUrl url;
    std::string error;
    assert_true(parse_websocket_url("ws://example.com:8080/chat?x=1", url, error));
    c.request = build_handshake_request(url, protocols);
    c.response.expect(c.request.key, protocols, DeflateOptions());
}

HandshakeResponse::Status feed(Case &c, const std::string &head, size_t *used = nullptr) {
    size_t consumed = 0;
    auto status = c.response.feed(head.data(), head.size(), consumed);
    if (used) *used = consumed;
    return status;
}

std::string ok_head(const Case &c, const std::string &extra = "") {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " + expected_accept(c.request.key) + "\r\n" + extra + "\r\n";
}

} // namespace

static void test_request_shape(void **) {
    Case c;
    setup(c, {"chat", "v2"});
    const std::string &r = c.request.bytes;
    assert_true(r.rfind("GET /chat?x=1 HTTP/1.1\r\n", 0) == 0);
    assert_non_null(strstr(r.c_str(), "\r\nHost: example.com:8080\r\n"));
    assert_non_null(strstr(r.c_str(), "\r\nUpgrade: websocket\r\n"));
    assert_non_null(strstr(r.c_str(), "\r\nSec-WebSocket-Version: 13\r\n"));
    assert_non_null(strstr(r.c_str(), "\r\nSec-WebSocket-Protocol: chat, v2\r\n"));
    assert_null(strstr(r.c_str(), "Sec-WebSocket-Extensions"));   // nothing offered
    assert_int_equal(c.request.key.size(), 24);                     // base64 of 16 bytes
    Case other;
    setup(other);
    assert_string_not_equal(c.request.key.c_str(), other.request.key.c_str());
}

static void test_rfc_accept_example(void **) {
    // RFC 6455 section 1.3.
    assert_string_equal(expected_accept("dGhlIHNhbXBsZSBub25jZQ==").c_str(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

static void test_accepts_and_splits_leftover_bytes(void **) {
    Case c;
    setup(c);
    std::string head = ok_head(c);
    size_t used = 0;
    assert_int_equal(feed(c, head + "\x81\x02hi", &used), HandshakeResponse::Status::Accepted);
    assert_int_equal(used, head.size());
    // Byte by byte gives the same.
    Case d;
    setup(d);
    std::string h2 = ok_head(d, "X-Extra: 1\r\n");
    for (size_t i = 0; i + 1 < h2.size(); ++i) {
        size_t n;
        assert_int_equal(d.response.feed(&h2[i], 1, n), HandshakeResponse::Status::NeedMore);
    }
    size_t n;
    assert_int_equal(d.response.feed(&h2.back(), 1, n), HandshakeResponse::Status::Accepted);
    assert_int_equal(n, 1);
}

static void rejected(const std::string &head_tail, const std::vector<std::string> &protocols = {},
                     bool replace_status = false, const char *status_line = nullptr) {
    Case c;
    setup(c, protocols);
    std::string head = ok_head(c, head_tail);
    if (replace_status) head = std::string(status_line) + head.substr(head.find("\r\n"));
    assert_int_equal(feed(c, head), HandshakeResponse::Status::Rejected);
    assert_false(c.response.error().empty());
}

static void test_rule7_non_101_and_redirects_fail(void **) {
    rejected("", {}, true, "HTTP/1.1 200 OK");
    rejected("", {}, true, "HTTP/1.1 302 Found");
    rejected("", {}, true, "HTTP/1.1 403 Forbidden");
    Case c;
    setup(c);
    assert_int_equal(feed(c, "HTTP/1.1 301 Moved\r\nLocation: ws://elsewhere/\r\n\r\n"),
                     HandshakeResponse::Status::Rejected);
    assert_non_null(strstr(c.response.error().c_str(), "301"));
}

static void test_rule25_bad_headers_fail(void **) {
    Case c;
    setup(c);
    assert_int_equal(feed(c, "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n"),
                     HandshakeResponse::Status::Rejected);
    Case d;
    setup(d);
    assert_int_equal(feed(d, "HTTP/1.1 101 OK\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
                                 expected_accept(d.request.key) + "\r\n\r\n"),
                     HandshakeResponse::Status::Rejected);
    Case e;
    setup(e);
    assert_int_equal(feed(e, "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: " +
                                 expected_accept(e.request.key) + "\r\n\r\n"),
                     HandshakeResponse::Status::Rejected);
    // Case-insensitive names and values, token lists, are fine.
    Case f;
    setup(f);
    assert_int_equal(feed(f, "HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nconnection: keep-alive, UPGRADE\r\n"
                             "sec-websocket-accept: " + expected_accept(f.request.key) + "\r\n\r\n"),
                     HandshakeResponse::Status::Accepted);
}

static void test_rule8_subprotocols_and_extensions(void **) {
    rejected("Sec-WebSocket-Protocol: other\r\n", {"chat"});   // not requested
    rejected("Sec-WebSocket-Protocol: chat\r\n");                // none requested
    rejected("", {"chat"});                                       // requested, none selected
    rejected("Sec-WebSocket-Protocol: chat, v2\r\n", {"chat", "v2"});
    rejected("Sec-WebSocket-Extensions: permessage-deflate\r\n");
    Case c;
    setup(c, {"v2", "chat"});
    assert_int_equal(feed(c, ok_head(c, "Sec-WebSocket-Protocol: chat\r\n")), HandshakeResponse::Status::Accepted);
    assert_string_equal(c.response.result().protocol.c_str(), "chat");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_shape),
        cmocka_unit_test(test_rfc_accept_example),
        cmocka_unit_test(test_accepts_and_splits_leftover_bytes),
        cmocka_unit_test(test_rule7_non_101_and_redirects_fail),
        cmocka_unit_test(test_rule25_bad_headers_fail),
        cmocka_unit_test(test_rule8_subprotocols_and_extensions),
    };
    return cmocka_run_group_tests_name("handshake", tests, nullptr, nullptr);
}
