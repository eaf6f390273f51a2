// The incremental UTF-8 validator, fed in pieces whose sizes come from the
// input, against a straightforward reference decoder (RFC 3629 table 3-7).
// Properties: same verdict as the reference however the bytes are split;
// the first failing piece is the one holding the first bad byte (fail-fast);
// is_valid_utf8() agrees.
#include "fuzz_support.h"
#include "utf8.h"

using namespace polyws;

// Length of the valid prefix, and whether the whole buffer is valid and
// complete. `prefix_ok` is the offset of the first byte that makes the text
// impossible (size when none, even if the text ends mid code point).
static void reference(const uint8_t *s, size_t n, size_t &first_bad, bool &complete) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t len;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c < 0x80) { ++i; continue; }
        else if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c == 0xE0) { len = 3; lo = 0xA0; }
        else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) len = 3;
        else if (c == 0xED) { len = 3; hi = 0x9F; }
        else if (c == 0xF0) { len = 4; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) len = 4;
        else if (c == 0xF4) { len = 4; hi = 0x8F; }
        else { first_bad = i; complete = false; return; }
        for (size_t k = 1; k < len; ++k) {
            if (i + k >= n) { first_bad = n; complete = false; return; }
            uint8_t b = s[i + k];
            uint8_t l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
            if (b < l || b > h) { first_bad = i + k; complete = false; return; }
        }
        i += len;
    }
    first_bad = n;
    complete = true;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    // First byte: a seed for the piece sizes.
    uint8_t seed = data[0];
    const uint8_t *text = data + 1;
    size_t n = size - 1;
    size_t first_bad;
    bool complete;
    reference(text, n, first_bad, complete);

    Utf8Validator v;
    size_t at = 0;
    bool failed = false;
    uint32_t x = seed | 1;
    while (at < n) {
        x = x * 1103515245u + 12345u;
        size_t piece = 1 + (x >> 16) % 7;
        if (piece > n - at) piece = n - at;
        bool ok = v.feed(text + at, piece);
        if (!ok) {
            // Fail-fast: the piece that failed holds the first bad byte.
            FUZZ_ASSERT(first_bad < n && first_bad >= at && first_bad < at + piece);
            failed = true;
            FUZZ_ASSERT(v.failed());
            FUZZ_ASSERT(!v.feed(text, 0) || true);
            break;
        }
        FUZZ_ASSERT(first_bad >= at + piece);
        at += piece;
    }
    if (!failed) FUZZ_ASSERT(v.complete() == complete);
    FUZZ_ASSERT(is_valid_utf8(text, n) == complete);
    return 0;
}
