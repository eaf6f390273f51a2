// The frame decoder's client duties (contract "Protocol duties") and the
// encoder's masking, on bytes built here.
#include "frame.h"
#include "cmocka_cpp.h"
#include <cstring>

#include <algorithm>
#include <string>
#include <vector>

using namespace polyws;

namespace {

struct Recorder : FrameSink {
    std::vector<std::string> log;
    void on_message(bool binary, std::string &&payload) override {
        log.push_back(std::string(binary ? "binary:" : "text:") + payload);
    }
    void on_ping(const uint8_t *p, size_t n) override {
        log.push_back("ping:" + std::string(reinterpret_cast<const char *>(p), n));
    }
    void on_close_frame(bool has_code, uint16_t code, std::string &&reason) override {
        log.push_back("close:" + (has_code ? std::to_string(code) : std::string("none")) + ":" + reason);
    }
};

std::string frame(uint8_t first, const std::string &payload, bool masked = false) {
    std::string f;
    f += char(first);
    size_t n = payload.size();
    uint8_t m = masked ? 0x80 : 0;
    if (n < 126) f += char(m | n);
    else if (n <= 0xFFFF) { f += char(m | 126); f += char(n >> 8); f += char(n & 255); }
    else { f += char(m | 127); for (int i = 7; i >= 0; --i) f += char((uint64_t(n) >> (8 * i)) & 255); }
    if (masked) f += std::string("\0\0\0\0", 4);
    return f + payload;
}

// Feeds the stream whole and byte by byte: results must not depend on how
// the bytes arrive.
void expect(const std::string &stream, const std::vector<std::string> &log, uint16_t violation,
            uint64_t max = 1 << 20) {
    for (int split = 0; split < 2; ++split) {
        FrameDecoder d(max);
        Recorder r;
        bool ok = true;
        if (split == 0) ok = d.feed(reinterpret_cast<const uint8_t *>(stream.data()), stream.size(), r);
        else
            for (size_t i = 0; i < stream.size() && ok; ++i)
                ok = d.feed(reinterpret_cast<const uint8_t *>(stream.data()) + i, 1, r);
        assert_int_equal(ok, violation == 0);
        assert_int_equal(d.violation_code(), violation);
        assert_int_equal(r.log.size(), log.size());
        for (size_t i = 0; i < log.size(); ++i) assert_string_equal(r.log[i].c_str(), log[i].c_str());
    }
}

std::string close_payload(uint16_t code, const std::string &reason = "") {
    return encode_close_payload(code, reason);
}

} // namespace

static void test_messages_and_fragments(void **) {
    expect(frame(0x81, "hello"), {"text:hello"}, 0);
    expect(frame(0x82, std::string("\0\1\2", 3)), {std::string("binary:\0\1\2", 10)}, 0);
    expect(frame(0x81, ""), {"text:"}, 0);
    expect(frame(0x01, "Hel") + frame(0x89, "p") + frame(0x80, "lo"), {"ping:p", "text:Hello"}, 0);
    std::string big(70000, 'x');
    expect(frame(0x82, big), {"binary:" + big}, 0);
    std::string b126(126, 'y');
    expect(frame(0x81, b126), {"text:" + b126}, 0);
}

static void test_protocol_errors_1002(void **) {
    expect(frame(0xC1, "x"), {}, kCloseProtocolError);                 // RSV1
    expect(frame(0xA1, "x"), {}, kCloseProtocolError);                 // RSV2
    expect(frame(0x83, "x"), {}, kCloseProtocolError);                 // opcode 3
    expect(frame(0x8B, "x"), {}, kCloseProtocolError);                 // opcode 0xB
    expect(frame(0x81, "x", true), {}, kCloseProtocolError);           // masked
    expect(frame(0x80, "x"), {}, kCloseProtocolError);                 // orphan continuation
    expect(frame(0x01, "a") + frame(0x81, "b"), {}, kCloseProtocolError);   // new message mid-fragment
    expect(frame(0x09, "p"), {}, kCloseProtocolError);                 // fragmented ping
    expect(frame(0x89, std::string(126, 'p')), {}, kCloseProtocolError);  // oversized ping
    std::string huge_len("\x82\x7f\x80\0\0\0\0\0\0\0", 10);
    expect(huge_len, {}, kCloseProtocolError);                         // 64-bit length MSB set
}

static void test_utf8_1007_fail_fast(void **) {
    expect(frame(0x81, "\xc0\xaf"), {}, kCloseInvalidPayload);
    expect(frame(0x01, "ok\xe2\x82") + frame(0x80, "\xac"), {"text:ok\xe2\x82\xac"}, 0);  // split OK
    // The invalid byte is refused in the first fragment; the rest never comes.
    expect(frame(0x01, "\xf4\x90\x80\x80"), {}, kCloseInvalidPayload);
    expect(frame(0x81, "\xe2\x82"), {}, kCloseInvalidPayload);   // ends mid-sequence
    expect(frame(0x82, "\xff"), {"binary:\xff"}, 0);              // binary is not text
}

static void test_close_frames(void **) {
    expect(frame(0x88, ""), {"close:none:"}, 0);
    expect(frame(0x88, close_payload(1000, "bye")), {"close:1000:bye"}, 0);
    for (uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999})
        expect(frame(0x88, close_payload(code)), {"close:" + std::to_string(code) + ":"}, 0);
    for (uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535})
        expect(frame(0x88, close_payload(code)), {}, kCloseProtocolError);
    expect(frame(0x88, "\x03"), {}, kCloseProtocolError);                   // 1-byte payload
    expect(frame(0x88, close_payload(1000, "\xff")), {}, kCloseInvalidPayload);
    // Nothing after a close frame is interpreted.
    expect(frame(0x88, close_payload(1000)) + frame(0x81, "late"), {"close:1000:"}, 0);
}

static void test_max_message_size_1009(void **) {
    expect(frame(0x82, std::string(100, 'x')), {}, kCloseTooBig, 99);
    expect(frame(0x82, std::string(100, 'x')), {"binary:" + std::string(100, 'x')}, 0, 100);
    // Across fragments: the total counts.
    expect(frame(0x02, std::string(60, 'a')) + frame(0x80, std::string(60, 'b')), {}, kCloseTooBig, 100);
}

// A message assembled from many fragments reserves no more than the
// maximum message size (std::string's doubling alone would reach twice it).
static void test_assembly_stays_within_the_maximum(void **) {
    const uint64_t max = 1 << 20;
    struct Capacity : FrameSink {
        size_t size = 0, capacity = 0;
        void on_message(bool, std::string &&payload) override {
            size = payload.size();
            capacity = payload.capacity();
        }
        void on_ping(const uint8_t *, size_t) override {}
        void on_close_frame(bool, uint16_t, std::string &&) override {}
    } sink;
    FrameDecoder d(max);
    const size_t fragment = 1000;
    const size_t count = size_t(max) / fragment;   // 1,048,000 bytes: just under the maximum
    std::string piece(fragment, 'z');
    for (size_t i = 0; i < count; ++i) {
        uint8_t first = uint8_t((i == 0 ? 0x02 : 0x00) | (i + 1 == count ? 0x80 : 0));
        std::string f = frame(first, piece);
        assert_true(d.feed(reinterpret_cast<const uint8_t *>(f.data()), f.size(), sink));
    }
    assert_int_equal(sink.size, count * fragment);
    assert_true(sink.capacity <= max);
}

// hold() from on_message stops feed() right after that message; the rest
// is decoded once fed again after release().
static void test_hold_stops_between_messages(void **) {
    struct Holding : FrameSink {
        FrameDecoder *decoder = nullptr;
        std::vector<std::string> got;
        void on_message(bool, std::string &&payload) override {
            got.push_back(payload);
            decoder->hold();
        }
        void on_ping(const uint8_t *, size_t) override {}
        void on_close_frame(bool, uint16_t, std::string &&) override {}
    } sink;
    FrameDecoder d(1 << 20);
    sink.decoder = &d;
    std::string stream = frame(0x81, "one") + frame(0x81, "two") + frame(0x81, "three");
    size_t used = 0;
    assert_true(d.feed(reinterpret_cast<const uint8_t *>(stream.data()), stream.size(), sink, &used));
    assert_int_equal(sink.got.size(), 1);
    assert_int_equal(used, frame(0x81, "one").size());
    assert_true(d.held());
    d.release();
    size_t rest = stream.size() - used;
    assert_true(d.feed(reinterpret_cast<const uint8_t *>(stream.data()) + used, rest, sink, &used));
    assert_int_equal(sink.got.size(), 2);
    assert_string_equal(sink.got[1].c_str(), "two");
    d.release();
    size_t at = stream.size() - rest + used;
    assert_true(d.feed(reinterpret_cast<const uint8_t *>(stream.data()) + at, stream.size() - at, sink, &used));
    assert_int_equal(used, stream.size() - at);
    assert_string_equal(sink.got[2].c_str(), "three");
}

static void test_encoder_masks_every_frame(void **) {
    const uint8_t mask[4] = {0x12, 0x34, 0x56, 0x78};
    uint8_t header[14];
    assert_int_equal(encode_frame_header(header, Opcode::Text, true, 5, mask), 6);
    assert_int_equal(header[0], 0x81);
    assert_int_equal(header[1], 0x80 | 5);
    assert_int_equal(encode_frame_header(header, Opcode::Binary, true, 300, mask), 8);
    assert_int_equal(header[1], 0x80 | 126);
    assert_int_equal(encode_frame_header(header, Opcode::Binary, true, 70000, mask), 14);
    assert_int_equal(header[1], 0x80 | 127);
    // Masking a payload in slices equals masking it whole, and unmasks back.
    std::string payload(1000, '\0');
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = char(i * 7);
    std::string whole(payload.size(), '\0'), sliced(payload.size(), '\0');
    auto *src = reinterpret_cast<const uint8_t *>(payload.data());
    apply_mask(reinterpret_cast<uint8_t *>(&whole[0]), src, payload.size(), mask, 0);
    // Slices of 37 bytes start at every offset modulo 4 and take the
    // 16-byte path as well as the 8-byte and single-byte tails.
    for (size_t slice : {size_t(13), size_t(37)}) {
        std::fill(sliced.begin(), sliced.end(), '\0');
        for (size_t at = 0; at < payload.size(); at += slice) {
            size_t n = std::min<size_t>(slice, payload.size() - at);
            apply_mask(reinterpret_cast<uint8_t *>(&sliced[at]), src + at, n, mask, at);
        }
        assert_memory_equal(whole.data(), sliced.data(), whole.size());
    }
    for (size_t i = 0; i < payload.size(); ++i)
        assert_int_equal(uint8_t(whole[i]), uint8_t(payload[i]) ^ mask[i % 4]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messages_and_fragments),
        cmocka_unit_test(test_protocol_errors_1002),
        cmocka_unit_test(test_utf8_1007_fail_fast),
        cmocka_unit_test(test_close_frames),
        cmocka_unit_test(test_max_message_size_1009),
        cmocka_unit_test(test_encoder_masks_every_frame),
        cmocka_unit_test(test_assembly_stays_within_the_maximum),
        cmocka_unit_test(test_hold_stops_between_messages),
    };
    return cmocka_run_group_tests_name("frame", tests, nullptr, nullptr);
}
