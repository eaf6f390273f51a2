// Incremental UTF-8 validation (RFC 3629), for text that arrives in pieces.
#pragma once

#include <cstddef>
#include <cstdint>

namespace polyws {

// Validates a byte stream fed in any number of pieces. Rejects overlong
// forms, surrogates (U+D800..U+DFFF) and code points above U+10FFFF at the
// first byte that makes them impossible, so a peer's bad text is refused as
// soon as it arrives (RFC 6455 fail-fast), not when the message ends.
class Utf8Validator {
public:
    // Feeds more bytes. Returns false at the first invalid byte; the
    // validator then stays failed until reset().
    bool feed(const uint8_t *data, size_t size);
    // True when the bytes fed so far end on a code point boundary.
    bool complete() const { return state_ == kAccept; }
    bool failed() const { return state_ == kReject; }
    void reset() { state_ = kAccept; }

private:
    enum : uint8_t { kAccept = 0, kReject = 1 };
    // Other values: how many continuation bytes remain, with the allowed
    // range of the next one (see utf8.cpp).
    uint8_t state_ = kAccept;
};

// True when the whole buffer is valid, complete UTF-8.
bool is_valid_utf8(const void *data, size_t size);

} // namespace polyws
