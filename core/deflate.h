// permessage-deflate (RFC 7692): the offer, the checks on the server's
// answer, and the per-message compressor and decompressor (zlib).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

typedef struct z_stream_s z_stream;

namespace polyws {

// What the client offers. Off by default (browsers offer it, but Debian's
// lws 4.1.6 cannot be trusted with it; here it is the core's own code).
struct DeflateOptions {
    bool enabled = false;
    uint8_t client_max_window_bits = 15;   // 9..15; offered when below 15
    uint8_t server_max_window_bits = 15;   // 8..15; offered when below 15
    bool client_no_context_takeover = false;
    bool server_no_context_takeover = false;
};

// What the server accepted.
struct DeflateAgreement {
    uint8_t client_window_bits = 15;
    bool client_no_context_takeover = false;
};

// The Sec-WebSocket-Extensions value of the offer.
std::string deflate_offer(const DeflateOptions &options);

// Checks a Sec-WebSocket-Extensions response value against the offer
// (RFC 7692 7.1: known parameters only, each once, values in range, and
// within what was offered). Empty `value`: not accepted, also fine.
bool accept_deflate_response(const std::string &value, const DeflateOptions &offer,
                             DeflateAgreement &out, bool &accepted, std::string &error);

// Compresses one message at a time (RFC 7692 7.2.1: raw deflate, sync
// flush, the final 00 00 FF FF removed).
class MessageCompressor {
public:
    explicit MessageCompressor(const DeflateAgreement &agreement);
    ~MessageCompressor();
    void compress(const std::string &message, std::string &out);

private:
    std::unique_ptr<z_stream> z_;
    bool reset_each_message_;
};

// Decompresses a message as its frames arrive, bounding the output.
class MessageDecompressor {
public:
    MessageDecompressor();
    ~MessageDecompressor();
    // Appends the inflated form of `size` bytes to `out`; `last` after the
    // message's final fragment. False (with `error`, and `too_big` when the
    // limit was hit) on corrupt data or when `out` would pass `limit`.
    bool inflate(const uint8_t *data, size_t size, bool last, std::string &out, uint64_t limit,
                 std::string &error, bool &too_big);

private:
    bool run(const uint8_t *data, size_t size, std::string &out, uint64_t limit, std::string &error,
             bool &too_big);
    std::unique_ptr<z_stream> z_;
};

} // namespace polyws
