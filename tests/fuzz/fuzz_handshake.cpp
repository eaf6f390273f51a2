// The server's handshake response, as the client reads it.
// Input: one flags byte (which subprotocols were requested, which
// permessage-deflate offer was made, how the bytes are split), then the
// response. The request key is fixed, so a seed with the matching
// Sec-WebSocket-Accept (s3pPLMBiTxaQ9kYGzzhZRbK+xOo=) reaches acceptance.
// Properties: the verdict does not depend on how the bytes are split; an
// accepted response selected a requested subprotocol (or none when none was
// requested) and a deflate agreement within the offer; `consumed` never
// passes what was fed; a rejection has a reason.
#include "fuzz_support.h"
#include "handshake.h"

using namespace polyws;

namespace {
const char kKey[] = "dGhlIHNhbXBsZSBub25jZQ==";

struct Outcome {
    HandshakeResponse::Status status = HandshakeResponse::Status::NeedMore;
    size_t end = 0;   // offset of the first byte after the head
    HandshakeResult result;
};

Outcome run(const std::string &bytes, uint32_t split, const std::vector<std::string> &protocols,
            const DeflateOptions &offer) {
    HandshakeResponse r;
    r.expect(kKey, protocols, offer);
    Outcome o;
    size_t at = 0;
    uint32_t x = split | 1;
    while (at < bytes.size()) {
        size_t piece = bytes.size() - at;
        if (split) {
            x = x * 1103515245u + 12345u;
            size_t p = 1 + (x >> 16) % 61;
            if (p < piece) piece = p;
        }
        size_t consumed = 0;
        o.status = r.feed(bytes.data() + at, piece, consumed);
        FUZZ_ASSERT(consumed <= piece);
        if (o.status == HandshakeResponse::Status::NeedMore) {
            FUZZ_ASSERT(consumed == piece);
            at += piece;
            continue;
        }
        if (o.status == HandshakeResponse::Status::Rejected) FUZZ_ASSERT(!r.error().empty());
        o.end = at + consumed;
        o.result = r.result();
        break;
    }
    return o;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t flags = data[0];
    std::string bytes(reinterpret_cast<const char *>(data + 1), size - 1);
    std::vector<std::string> protocols;
    if (flags & 1) protocols.push_back("chat");
    if (flags & 2) protocols.push_back("superchat");
    DeflateOptions offer;
    offer.enabled = flags & 4;
    if (flags & 8) offer.client_max_window_bits = 10;
    if (flags & 16) offer.server_max_window_bits = 9;
    offer.client_no_context_takeover = offer.server_no_context_takeover = flags & 32;
    Outcome whole = run(bytes, 0, protocols, offer);
    Outcome split = run(bytes, flags >> 6 | 2, protocols, offer);
    FUZZ_ASSERT(whole.status == split.status);
    if (whole.status == HandshakeResponse::Status::Accepted) {
        FUZZ_ASSERT(whole.end == split.end);
        const HandshakeResult &r = whole.result;
        if (protocols.empty()) FUZZ_ASSERT(r.protocol.empty());
        else FUZZ_ASSERT(r.protocol == "chat" ? (flags & 1) : r.protocol == "superchat" && (flags & 2));
        FUZZ_ASSERT(!r.deflate || offer.enabled);
        FUZZ_ASSERT(r.deflate == !r.extensions.empty());
        if (r.deflate)
            FUZZ_ASSERT(r.deflate_agreement.client_window_bits >= 9 &&
                        r.deflate_agreement.client_window_bits <= offer.client_max_window_bits);
        FUZZ_ASSERT(r.protocol == split.result.protocol && r.extensions == split.result.extensions);
    }
    return 0;
}
