// RFC 6455 section 5 framing, client side: decoding what a server sends
// (with every check the client owns) and encoding masked client frames.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-------+-+-------------+-------------------------------+
//  |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//  |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//  |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//  | |1|2|3|       |K|             |                               |
//  +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//  |     Extended payload length continued, if payload len == 127  |
//  + - - - - - - - - - - - - - - - +-------------------------------+
//  |                               |Masking-key, if MASK set to 1  |
//  +-------------------------------+-------------------------------+
//  | Masking-key (continued)       |          Payload Data         |
//  +-------------------------------- - - - - - - - - - - - - - - - +
#pragma once

#include "deflate.h"
#include "utf8.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace polyws {

enum class Opcode : uint8_t {
    Continuation = 0x0, Text = 0x1, Binary = 0x2,
    Close = 0x8, Ping = 0x9, Pong = 0xA
};

// Close codes the client sends when it fails the connection.
constexpr uint16_t kCloseNormal = 1000;
constexpr uint16_t kCloseGoingAway = 1001;
constexpr uint16_t kCloseProtocolError = 1002;
constexpr uint16_t kCloseInvalidPayload = 1007;
constexpr uint16_t kClosePolicy = 1008;
constexpr uint16_t kCloseTooBig = 1009;
constexpr uint16_t kCloseNoStatus = 1005;   // only ever reported, never sent
constexpr uint16_t kCloseAbnormal = 1006;   // only ever reported, never sent

// A close code a peer may put in a close frame (RFC 6455 7.4, IANA registry).
bool is_valid_received_close_code(uint16_t code);

// What a server's byte stream means, one callback per complete unit.
class FrameSink {
public:
    virtual ~FrameSink() = default;
    virtual void on_message(bool binary, std::string &&payload) = 0;
    virtual void on_ping(const uint8_t *payload, size_t size) = 0;
    // A pong, answered or unsolicited (RFC 6455 5.5.3: no reply is due).
    virtual void on_pong() {}
    // A valid close frame. `has_code` false means an empty payload (1005).
    virtual void on_close_frame(bool has_code, uint16_t code, std::string &&reason) = 0;
};

// Decodes server frames incrementally, reassembles fragmented messages and
// enforces the client's duties: unmasked frames only, no reserved bits or
// opcodes, well-formed control frames and continuations, UTF-8 text checked
// as it arrives (fail fast, across fragments), valid close frames, and a
// maximum message size.
class FrameDecoder {
public:
    explicit FrameDecoder(uint64_t max_message_size) : max_message_size_(max_message_size) {}

    // permessage-deflate was agreed: RSV1 marks compressed messages.
    void enable_deflate() { inflater_ = std::make_unique<MessageDecompressor>(); }

    // Feeds bytes. Returns false on a violation (see violation_code() and
    // violation()); after a close frame the remaining bytes are ignored.
    // `consumed` (optional) tells how many bytes were decoded: fewer than
    // `size` only when hold() stopped it.
    bool feed(const uint8_t *data, size_t size, FrameSink &sink, size_t *consumed = nullptr);

    // Receive flow control: called from FrameSink::on_message, stops feed()
    // right after that message; the caller keeps the rest of the bytes and
    // feeds them again after release().
    void hold() { held_ = true; }
    void release() { held_ = false; }
    bool held() const { return held_; }

    uint16_t violation_code() const { return violation_code_; }
    const std::string &violation() const { return violation_; }
    bool saw_close() const { return saw_close_; }

private:
    bool fail(uint16_t code, std::string message);
    bool start_frame(FrameSink &sink);
    bool finish_frame(FrameSink &sink);
    bool take_payload(const uint8_t *data, size_t size);
    bool check_text(size_t from);

    enum class State { Header, Payload } state_ = State::Header;
    uint8_t header_[14];
    size_t header_have_ = 0;
    bool fin_ = false;
    Opcode opcode_ = Opcode::Continuation;
    uint64_t remaining_ = 0;      // payload bytes of the current frame still to come

    // The data message being reassembled.
    bool in_message_ = false;
    bool message_binary_ = false;
    bool message_compressed_ = false;
    std::unique_ptr<MessageDecompressor> inflater_;
    std::string message_;
    Utf8Validator utf8_;

    std::string control_;         // the current control frame's payload

    uint64_t max_message_size_;
    bool saw_close_ = false;
    bool held_ = false;
    uint16_t violation_code_ = 0;
    std::string violation_;
};

// Writes the header of a masked client frame; returns its length (2-14).
// `rsv1` marks a compressed message (permessage-deflate, first frame only).
size_t encode_frame_header(uint8_t *out, Opcode opcode, bool fin, uint64_t payload_size,
                           const uint8_t mask[4], bool rsv1 = false);

// dst[i] = src[i] ^ mask[(offset + i) % 4]: masks a slice of a payload that
// starts `offset` bytes into it. dst may equal src.
void apply_mask(uint8_t *dst, const uint8_t *src, size_t size, const uint8_t mask[4],
                uint64_t offset);

// A close frame payload: the code in network order, then the reason.
std::string encode_close_payload(uint16_t code, const std::string &reason);

} // namespace polyws
