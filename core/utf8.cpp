#include "utf8.h"

namespace polyws {

// States beyond accept/reject encode what the next byte may be:
//   2: one continuation byte left, 80..BF
//   3: two left, 80..BF        4: two left, first A0..BF (after E0: no overlong)
//   5: two left, first 80..9F (after ED: no surrogates)
//   6: three left, 80..BF      7: three left, first 90..BF (after F0)
//   8: three left, first 80..8F (after F4: not above U+10FFFF)
namespace {
enum : uint8_t {
    kAccept = 0, kReject = 1, kCont1 = 2, kCont2 = 3, kCont2E0 = 4,
    kCont2ED = 5, kCont3 = 6, kCont3F0 = 7, kCont3F4 = 8
};

uint8_t lead_state(uint8_t b) {
    if (b < 0x80) return kAccept;
    if (b < 0xC2) return kReject;           // continuation or overlong C0/C1
    if (b < 0xE0) return kCont1;
    if (b == 0xE0) return kCont2E0;
    if (b == 0xED) return kCont2ED;
    if (b < 0xF0) return kCont2;
    if (b == 0xF0) return kCont3F0;
    if (b < 0xF4) return kCont3;
    if (b == 0xF4) return kCont3F4;
    return kReject;                          // F5..FF never appear
}

uint8_t next_state(uint8_t state, uint8_t b) {
    auto in = [b](uint8_t lo, uint8_t hi) { return b >= lo && b <= hi; };
    switch (state) {
    case kAccept: return lead_state(b);
    case kCont1: return in(0x80, 0xBF) ? kAccept : kReject;
    case kCont2: return in(0x80, 0xBF) ? kCont1 : kReject;
    case kCont2E0: return in(0xA0, 0xBF) ? kCont1 : kReject;
    case kCont2ED: return in(0x80, 0x9F) ? kCont1 : kReject;
    case kCont3: return in(0x80, 0xBF) ? kCont2 : kReject;
    case kCont3F0: return in(0x90, 0xBF) ? kCont2 : kReject;
    case kCont3F4: return in(0x80, 0x8F) ? kCont2 : kReject;
    default: return kReject;
    }
}
} // namespace

bool Utf8Validator::feed(const uint8_t *data, size_t size) {
    uint8_t state = state_;
    size_t i = 0;
    while (i < size && state != kReject) {
        // ASCII runs are the common case: skip them 8 bytes at a time.
        if (state == kAccept) {
            while (i + 8 <= size) {
                uint64_t word;
                __builtin_memcpy(&word, data + i, 8);
                if (word & 0x8080808080808080ull) break;
                i += 8;
            }
            if (i == size) break;
        }
        state = next_state(state, data[i++]);
    }
    state_ = state;
    return state != kReject;
}

bool is_valid_utf8(const void *data, size_t size) {
    Utf8Validator v;
    return v.feed(static_cast<const uint8_t *>(data), size) && v.complete();
}

} // namespace polyws
