// permessage-deflate: the server's Sec-WebSocket-Extensions answer, the
// compressor and the bounded decompressor.
// Input: one flags byte (offer and agreement), a line that is the
// extension answer, then bytes used twice: as up to four messages that
// must survive compress -> inflate unchanged (in pieces, context kept or
// not), and as raw data for the inflater, whose output must stay within
// its limit.
#include "deflate.h"
#include "fuzz_support.h"

using namespace polyws;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz::Input in(data, size);
    uint8_t flags = in.byte();
    DeflateOptions offer;
    offer.enabled = true;
    offer.client_max_window_bits = uint8_t(9 + (flags & 7) % 7);     // 9..15
    offer.server_max_window_bits = uint8_t(8 + ((flags >> 3) & 7));  // 8..15
    offer.client_no_context_takeover = flags & 64;
    offer.server_no_context_takeover = flags & 128;

    std::string answer = in.until('\n');
    DeflateAgreement agreement;
    bool accepted = false;
    std::string error;
    if (accept_deflate_response(answer, offer, agreement, accepted, error)) {
        if (accepted) {
            FUZZ_ASSERT(agreement.client_window_bits >= 9 &&
                        agreement.client_window_bits <= offer.client_max_window_bits);
            FUZZ_ASSERT(!offer.client_no_context_takeover || agreement.client_no_context_takeover);
        }
    } else {
        FUZZ_ASSERT(!error.empty() && !accepted);
        agreement = DeflateAgreement();
        agreement.client_window_bits = offer.client_max_window_bits;
    }
    FUZZ_ASSERT(deflate_offer(offer).compare(0, 18, "permessage-deflate") == 0);

    std::string rest = in.rest();
    const uint8_t *raw = reinterpret_cast<const uint8_t *>(rest.data());
    // Round trip: compressor (the agreement) -> decompressor, message by message.
    {
        MessageCompressor compressor(agreement);
        MessageDecompressor inflater;
        size_t at = 0;
        for (int m = 0; m < 4 && at <= rest.size(); ++m) {
            size_t len = rest.empty() ? 0 : (raw[at % rest.size()] * 37u) % (rest.size() - at + 1);
            std::string message = rest.substr(at, len);
            at += len + 1;
            std::string packed, out;
            compressor.compress(message, packed);
            FUZZ_ASSERT(!packed.empty());
            bool too_big = false;
            // In two pieces, as frames would bring them.
            size_t half = packed.size() / 2;
            FUZZ_ASSERT(inflater.inflate(reinterpret_cast<const uint8_t *>(packed.data()), half,
                                         false, out, 1 << 24, error, too_big));
            FUZZ_ASSERT(inflater.inflate(reinterpret_cast<const uint8_t *>(packed.data()) + half,
                                         packed.size() - half, true, out, 1 << 24, error, too_big));
            FUZZ_ASSERT(out == message);
        }
    }
    // Arbitrary compressed data: bounded output, never a crash.
    {
        MessageDecompressor inflater;
        const uint64_t limit = 1 + (flags * 997u) % 100000;
        std::string out;
        bool too_big = false;
        std::string why;
        bool ok = inflater.inflate(raw, rest.size(), true, out, limit, why, too_big);
        FUZZ_ASSERT(out.size() <= limit);
        if (!ok) FUZZ_ASSERT(!why.empty());
        if (too_big) FUZZ_ASSERT(!ok);
    }
    return 0;
}
