// The frame decoder on arbitrary server bytes.
// Input: one flags byte (bit 0: permessage-deflate agreed; bits 1-2: the
// maximum message size, 16 B to 64 MiB; bits 3-7: how the rest is split),
// then the server's bytes.
// Properties: the decoder never crashes, leaks or reads out of bounds;
// feeding the bytes all at once or in small pieces gives the same events
// and the same verdict (without deflate, the same close code); every text
// message delivered is valid UTF-8; no message exceeds the maximum size;
// a violation is always one of the codes the client may send.
#include "frame.h"
#include "fuzz_support.h"

using namespace polyws;

namespace {
struct Log : FrameSink {
    std::string events;
    uint64_t max = 0;
    void on_message(bool binary, std::string &&p) override {
        FUZZ_ASSERT(p.size() <= max);
        if (!binary) FUZZ_ASSERT(is_valid_utf8(p.data(), p.size()));
        events += binary ? "B" : "T";
        events += std::to_string(p.size()) + ":" + p + ";";
    }
    void on_ping(const uint8_t *d, size_t n) override {
        FUZZ_ASSERT(n <= 125);
        events += "P" + std::string(reinterpret_cast<const char *>(d), n) + ";";
    }
    void on_pong() override { events += "O;"; }
    void on_close_frame(bool has, uint16_t code, std::string &&r) override {
        FUZZ_ASSERT(r.size() <= 123);
        FUZZ_ASSERT(!has || is_valid_received_close_code(code));
        events += "C" + std::to_string(code) + r + ";";
    }
};

uint16_t run(const uint8_t *d, size_t n, bool deflate, uint64_t max, uint32_t split, Log &log,
             bool &saw_close) {
    FrameDecoder decoder(max);
    if (deflate) decoder.enable_deflate();
    log.max = max;
    size_t at = 0;
    uint32_t x = split | 1;
    bool ok = true;
    while (ok && at < n) {
        size_t piece = n - at;
        if (split) {
            x = x * 1103515245u + 12345u;
            size_t p = 1 + (x >> 16) % 37;
            if (p < piece) piece = p;
        }
        ok = decoder.feed(d + at, piece, log);
        at += piece;
    }
    saw_close = decoder.saw_close();
    if (!ok) {
        uint16_t c = decoder.violation_code();
        FUZZ_ASSERT(c == 1002 || c == 1007 || c == 1009);
        FUZZ_ASSERT(!decoder.violation().empty());
        return c;
    }
    return 0;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t flags = data[0];
    bool deflate = flags & 1;
    static const uint64_t sizes[4] = {16, 1024, 65536, 64ull << 20};
    uint64_t max = sizes[(flags >> 1) & 3];
    uint32_t split = flags >> 3;
    Log whole, pieces;
    bool close1 = false, close2 = false;
    uint16_t c1 = run(data + 1, size - 1, deflate, max, 0, whole, close1);
    uint16_t c2 = run(data + 1, size - 1, deflate, max, split + 1, pieces, close2);
    FUZZ_ASSERT(whole.events == pieces.events);
    FUZZ_ASSERT((c1 == 0) == (c2 == 0));
    if (!deflate) FUZZ_ASSERT(c1 == c2);
    FUZZ_ASSERT(close1 == close2);
    return 0;
}
