// A server close frame whose payload is the input (at most 125 bytes, the
// control frame limit), decoded as the client does.
// Properties: an empty payload gives 1005; a 1-byte payload, an invalid
// code or a non-UTF-8 reason is a violation with close frame 1002 / 1007; a
// valid one reaches the sink with the same code and reason; nothing after
// the close frame is looked at.
#include "frame.h"
#include "fuzz_support.h"

using namespace polyws;

namespace {
struct Sink : FrameSink {
    int closes = 0, others = 0;
    bool has_code = false;
    uint16_t code = 0;
    std::string reason;
    void on_message(bool, std::string &&) override { ++others; }
    void on_ping(const uint8_t *, size_t) override { ++others; }
    void on_pong() override { ++others; }
    void on_close_frame(bool c, uint16_t k, std::string &&r) override {
        ++closes;
        has_code = c;
        code = k;
        reason = std::move(r);
    }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 125) size = 125;
    std::string frame;
    frame += char(0x88);
    frame += char(size);
    frame.append(reinterpret_cast<const char *>(data), size);
    // Bytes after a close frame (a reserved opcode) must be ignored.
    frame += "\x83\x01x";
    FrameDecoder decoder(1 << 20);
    Sink sink;
    bool ok = decoder.feed(reinterpret_cast<const uint8_t *>(frame.data()), frame.size(), sink);
    FUZZ_ASSERT(sink.others == 0);
    if (size == 0) {
        FUZZ_ASSERT(ok && sink.closes == 1 && !sink.has_code && sink.code == 1005);
        return 0;
    }
    if (size == 1) {
        FUZZ_ASSERT(!ok && decoder.violation_code() == 1002 && sink.closes == 0);
        return 0;
    }
    uint16_t code = uint16_t(data[0] << 8 | data[1]);
    bool code_ok = (code >= 3000 && code <= 4999) || (code >= 1000 && code <= 1003) ||
                   (code >= 1007 && code <= 1014);
    bool reason_ok = is_valid_utf8(data + 2, size - 2);
    if (!code_ok) {
        FUZZ_ASSERT(!ok && decoder.violation_code() == 1002 && sink.closes == 0);
    } else if (!reason_ok) {
        FUZZ_ASSERT(!ok && decoder.violation_code() == 1007 && sink.closes == 0);
    } else {
        FUZZ_ASSERT(ok && sink.closes == 1 && sink.has_code && sink.code == code);
        FUZZ_ASSERT(sink.reason == std::string(reinterpret_cast<const char *>(data + 2), size - 2));
        FUZZ_ASSERT(decoder.saw_close());
    }
    return 0;
}
