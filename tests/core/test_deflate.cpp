// permessage-deflate: negotiation checks (RFC 7692 section 7.1), the
// compressor and decompressor, and RSV1 handling in the frame decoder.
#include "deflate.h"
#include "frame.h"
#include "cmocka_cpp.h"
#include <cstring>

#include <string>
#include <vector>

using namespace polyws;

static DeflateOptions offered() {
    DeflateOptions o;
    o.enabled = true;
    return o;
}

static bool accepts(const std::string &value, const DeflateOptions &offer, DeflateAgreement *out = nullptr) {
    DeflateAgreement a;
    bool accepted = false;
    std::string error;
    bool ok = accept_deflate_response(value, offer, a, accepted, error);
    if (!ok) assert_false(error.empty());
    if (out) *out = a;
    return ok && accepted;
}

static void test_offer_text(void **) {
    DeflateOptions o = offered();
    assert_string_equal(deflate_offer(o).c_str(), "permessage-deflate");
    o.client_no_context_takeover = true;
    o.client_max_window_bits = 10;
    o.server_max_window_bits = 9;
    assert_string_equal(deflate_offer(o).c_str(),
                        "permessage-deflate; client_no_context_takeover; client_max_window_bits=10; "
                        "server_max_window_bits=9");
}

static void test_server_answers(void **) {
    DeflateOptions o = offered();
    assert_true(accepts("permessage-deflate", o));
    assert_true(accepts("permessage-deflate; server_no_context_takeover", o));
    assert_true(accepts("permessage-deflate; server_max_window_bits=12", o));
    assert_true(accepts("permessage-deflate;client_no_context_takeover", o));
    // Empty answer: not accepted, and not an error either.
    DeflateAgreement a;
    bool accepted = true;
    std::string error;
    assert_true(accept_deflate_response("", o, a, accepted, error));
    assert_false(accepted);

    assert_false(accepts("permessage-deflate; unknown_param", o));
    assert_false(accepts("permessage-deflate; server_no_context_takeover; server_no_context_takeover", o));
    assert_false(accepts("permessage-deflate; server_max_window_bits=7", o));
    assert_false(accepts("permessage-deflate; server_max_window_bits=16", o));
    assert_false(accepts("permessage-deflate; server_max_window_bits", o));
    assert_false(accepts("permessage-deflate; server_no_context_takeover=1", o));
    assert_false(accepts("permessage-deflate; client_max_window_bits=10", o));   // not offered
    assert_false(accepts("permessage-deflate, permessage-deflate", o));
    assert_false(accepts("x-webkit-deflate-frame", o));
    assert_false(accepts("permessage-deflate", DeflateOptions()));             // nothing offered

    DeflateOptions limited = offered();
    limited.client_max_window_bits = 12;
    limited.server_max_window_bits = 10;
    assert_true(accepts("permessage-deflate; client_max_window_bits=11", limited, &a));
    assert_int_equal(a.client_window_bits, 11);
    assert_false(accepts("permessage-deflate; client_max_window_bits=13", limited));
    assert_false(accepts("permessage-deflate; server_max_window_bits=11", limited));
}

static std::string inflate_all(const std::string &compressed, bool &ok) {
    MessageDecompressor d;
    std::string out, error;
    bool too_big = false;
    ok = d.inflate(reinterpret_cast<const uint8_t *>(compressed.data()), compressed.size(), true, out,
                   1 << 30, error, too_big);
    return out;
}

static void test_rfc_example_and_round_trips(void **) {
    // RFC 7692 7.2.3.1: "Hello" compressed.
    bool ok = false;
    assert_string_equal(inflate_all(std::string("\xf2\x48\xcd\xc9\xc9\x07\x00", 7), ok).c_str(), "Hello");
    assert_true(ok);
    DeflateAgreement a;
    for (bool reset : {false, true}) {
        a.client_no_context_takeover = reset;
        MessageCompressor c(a);
        MessageDecompressor d;
        for (const std::string &m : {std::string(), std::string("Hello"), std::string(100000, 'z'),
                                     std::string("Hello")}) {
            std::string z, out, error;
            c.compress(m, z);
            assert_false(z.empty());
            bool too_big = false;
            // Split the compressed bytes, as frames would.
            size_t half = z.size() / 2;
            assert_true(d.inflate(reinterpret_cast<const uint8_t *>(z.data()), half, false, out, 1 << 30,
                                  error, too_big));
            assert_true(d.inflate(reinterpret_cast<const uint8_t *>(z.data()) + half, z.size() - half,
                                  true, out, 1 << 30, error, too_big));
            assert_true(out == m);
        }
    }
}

static void test_limit_and_corruption(void **) {
    DeflateAgreement a;
    MessageCompressor c(a);
    std::string z, out, error;
    c.compress(std::string(1 << 20, 'a'), z);
    assert_true(z.size() < 10000);   // a bomb: tiny in, large out
    MessageDecompressor d;
    bool too_big = false;
    assert_false(d.inflate(reinterpret_cast<const uint8_t *>(z.data()), z.size(), true, out, 100000,
                           error, too_big));
    assert_true(too_big);
    assert_true(out.size() <= 100000);
    MessageDecompressor bad;
    const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff};
    out.clear();
    assert_false(bad.inflate(junk, sizeof junk, true, out, 1 << 20, error, too_big));
    assert_false(too_big);
    assert_non_null(strstr(error.c_str(), "corrupt"));
}

namespace {
struct Sink : FrameSink {
    std::vector<std::string> messages;
    void on_message(bool, std::string &&payload) override { messages.push_back(payload); }
    void on_ping(const uint8_t *, size_t) override {}
    void on_close_frame(bool, uint16_t, std::string &&) override {}
};
std::string frame(uint8_t first, const std::string &payload) {
    std::string f(1, char(first));
    f += char(payload.size());
    return f + payload;
}
bool feed(FrameDecoder &d, Sink &s, const std::string &bytes) {
    return d.feed(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), s);
}
} // namespace

static void test_rsv1_in_the_decoder(void **) {
    const std::string hello("\xf2\x48\xcd\xc9\xc9\x07\x00", 7);
    {   // Compressed, in one frame and split over two.
        FrameDecoder d(1 << 20);
        d.enable_deflate();
        Sink s;
        assert_true(feed(d, s, frame(0xC1, hello)));
        assert_true(feed(d, s, frame(0x41, hello.substr(0, 3)) + frame(0x80, hello.substr(3))));
        assert_true(feed(d, s, frame(0x81, "plain")));   // RSV1 clear: not compressed
        assert_int_equal(s.messages.size(), 3);
        assert_string_equal(s.messages[0].c_str(), "Hello");
        assert_string_equal(s.messages[1].c_str(), "Hello");
        assert_string_equal(s.messages[2].c_str(), "plain");
    }
    {   // RSV1 on a continuation or a control frame: 1002.
        FrameDecoder d(1 << 20);
        d.enable_deflate();
        Sink s;
        assert_false(feed(d, s, frame(0x41, hello.substr(0, 3)) + frame(0xC0, hello.substr(3))));
        assert_int_equal(d.violation_code(), kCloseProtocolError);
        FrameDecoder e(1 << 20);
        e.enable_deflate();
        assert_false(feed(e, s, frame(0xC9, "p")));
        assert_int_equal(e.violation_code(), kCloseProtocolError);
    }
    {   // Without the extension, RSV1 is a violation; RSV2 always is.
        FrameDecoder d(1 << 20);
        Sink s;
        assert_false(feed(d, s, frame(0xC1, hello)));
        FrameDecoder e(1 << 20);
        e.enable_deflate();
        assert_false(feed(e, s, frame(0xA1, "x")));
    }
    {   // Invalid UTF-8 hidden by compression is still caught: 1007.
        DeflateAgreement a;
        MessageCompressor c(a);
        std::string z;
        c.compress("\xc0\xaf", z);
        FrameDecoder d(1 << 20);
        d.enable_deflate();
        Sink s;
        assert_false(feed(d, s, frame(0xC1, z)));
        assert_int_equal(d.violation_code(), kCloseInvalidPayload);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offer_text),
        cmocka_unit_test(test_server_answers),
        cmocka_unit_test(test_rfc_example_and_round_trips),
        cmocka_unit_test(test_limit_and_corruption),
        cmocka_unit_test(test_rsv1_in_the_decoder),
    };
    return cmocka_run_group_tests_name("deflate", tests, nullptr, nullptr);
}
