#include "frame.h"

#include "buffer_growth.h"

#include <cstring>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#endif

namespace polyws {

bool is_valid_received_close_code(uint16_t code) {
    if (code >= 3000 && code <= 4999) return true;
    switch (code) {
    case 1000: case 1001: case 1002: case 1003: case 1007: case 1008:
    case 1009: case 1010: case 1011: case 1012: case 1013: case 1014:
        return true;
    default:
        return false;  // 0-999, 1004-1006, 1015, unregistered 1016-2999, 5000+
    }
}

bool FrameDecoder::fail(uint16_t code, std::string message) {
    violation_code_ = code;
    violation_ = std::move(message);
    return false;
}

bool FrameDecoder::feed(const uint8_t *data, size_t size, FrameSink &sink, size_t *consumed) {
    if (consumed) *consumed = 0;
    if (violation_code_) return false;
    const size_t offered = size;
    while (size > 0 && !saw_close_ && !held_) {
        if (state_ == State::Header) {
            header_[header_have_++] = *data++;
            --size;
            // How long is this header? Known after byte 2 (and the mask bit).
            if (header_have_ < 2) continue;
            uint8_t len7 = header_[1] & 0x7F;
            size_t need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((header_[1] & 0x80) ? 4 : 0);
            if (header_have_ == 2 && !start_frame(sink)) return false;
            if (header_have_ < need) continue;
            if (len7 == 126) remaining_ = uint64_t(header_[2]) << 8 | header_[3];
            else if (len7 == 127) {
                remaining_ = 0;
                for (int i = 0; i < 8; ++i) remaining_ = remaining_ << 8 | header_[2 + i];
                if (remaining_ >> 63)
                    return fail(kCloseProtocolError, "frame length has its most significant bit set");
            } else remaining_ = len7;
            header_have_ = 0;
            bool is_control = uint8_t(opcode_) & 0x8;
            // Compressed messages are bounded as they are inflated.
            if (!is_control && !message_compressed_) {
                if (uint64_t(message_.size()) + remaining_ > max_message_size_)
                    return fail(kCloseTooBig, "incoming message exceeds the maximum size of " +
                                                  std::to_string(max_message_size_) + " bytes");
                grow_within_limit(message_, message_.size() + size_t(remaining_), max_message_size_);
            }
            state_ = State::Payload;
            if (remaining_ == 0 && !finish_frame(sink)) return false;
            continue;
        }
        size_t n = remaining_ < size ? size_t(remaining_) : size;
        if (!take_payload(data, n)) return false;
        data += n;
        size -= n;
        remaining_ -= n;
        if (remaining_ == 0 && !finish_frame(sink)) return false;
    }
    if (consumed) *consumed = offered - size;
    return true;
}

// Checks the two first header bytes, before any length or payload arrives.
bool FrameDecoder::start_frame(FrameSink &) {
    uint8_t b0 = header_[0], b1 = header_[1];
    fin_ = b0 & 0x80;
    uint8_t op = b0 & 0x0F;
    // RSV1 is permessage-deflate's, on the first frame of a data message;
    // any other reserved bit, or RSV1 anywhere else, is a violation.
    bool rsv1 = b0 & 0x40;
    if ((b0 & 0x30) || (rsv1 && !(inflater_ && (op == 0x1 || op == 0x2))))
        return fail(kCloseProtocolError, "reserved bits set without a negotiated extension");
    if (b1 & 0x80) return fail(kCloseProtocolError, "the server sent a masked frame");
    switch (op) {
    case 0x0:
        if (!in_message_)
            return fail(kCloseProtocolError, "continuation frame with no message started");
        break;
    case 0x1: case 0x2:
        if (in_message_)
            return fail(kCloseProtocolError, "new data frame while a fragmented message is unfinished");
        in_message_ = true;
        message_binary_ = op == 0x2;
        message_compressed_ = rsv1;
        message_.clear();
        utf8_.reset();
        break;
    case 0x8: case 0x9: case 0xA:
        if (!fin_) return fail(kCloseProtocolError, "fragmented control frame");
        if ((b1 & 0x7F) > 125)
            return fail(kCloseProtocolError, "control frame payload longer than 125 bytes");
        control_.clear();
        break;
    default:
        return fail(kCloseProtocolError, "reserved opcode " + std::to_string(op));
    }
    opcode_ = Opcode(op);
    return true;
}

bool FrameDecoder::take_payload(const uint8_t *data, size_t size) {
    if (uint8_t(opcode_) & 0x8) {
        control_.append(reinterpret_cast<const char *>(data), size);
        return true;
    }
    size_t before = message_.size();
    if (message_compressed_) {
        std::string error;
        bool too_big = false;
        if (!inflater_->inflate(data, size, false, message_, max_message_size_, error, too_big))
            return fail(too_big ? kCloseTooBig : kCloseProtocolError, error);
    } else {
        message_.append(reinterpret_cast<const char *>(data), size);
    }
    return check_text(before);
}

// UTF-8 of text is checked on what arrived (after inflating), as it arrives.
bool FrameDecoder::check_text(size_t from) {
    if (!message_binary_ &&
        !utf8_.feed(reinterpret_cast<const uint8_t *>(message_.data()) + from, message_.size() - from))
        return fail(kCloseInvalidPayload, "invalid UTF-8 in a text message");
    return true;
}

bool FrameDecoder::finish_frame(FrameSink &sink) {
    state_ = State::Header;
    switch (opcode_) {
    case Opcode::Ping:
        sink.on_ping(reinterpret_cast<const uint8_t *>(control_.data()), control_.size());
        return true;
    case Opcode::Pong:
        sink.on_pong();
        return true;
    case Opcode::Close: {
        if (control_.empty()) {
            saw_close_ = true;
            sink.on_close_frame(false, kCloseNoStatus, std::string());
            return true;
        }
        if (control_.size() == 1)
            return fail(kCloseProtocolError, "close frame with a 1-byte payload");
        uint16_t code = uint16_t(uint8_t(control_[0]) << 8 | uint8_t(control_[1]));
        if (!is_valid_received_close_code(code))
            return fail(kCloseProtocolError, "close frame with invalid code " + std::to_string(code));
        std::string reason = control_.substr(2);
        if (!is_valid_utf8(reason.data(), reason.size()))
            return fail(kCloseInvalidPayload, "close frame reason is not valid UTF-8");
        saw_close_ = true;
        sink.on_close_frame(true, code, std::move(reason));
        return true;
    }
    default:
        break;
    }
    if (!fin_) return true;  // more fragments to come
    if (message_compressed_) {
        size_t before = message_.size();
        std::string error;
        bool too_big = false;
        if (!inflater_->inflate(nullptr, 0, true, message_, max_message_size_, error, too_big))
            return fail(too_big ? kCloseTooBig : kCloseProtocolError, error);
        if (!check_text(before)) return false;
    }
    if (!message_binary_ && !utf8_.complete())
        return fail(kCloseInvalidPayload, "text message ends inside a UTF-8 sequence");
    in_message_ = false;
    sink.on_message(message_binary_, std::move(message_));
    message_ = std::string();
    return true;
}

size_t encode_frame_header(uint8_t *out, Opcode opcode, bool fin, uint64_t payload_size,
                           const uint8_t mask[4], bool rsv1) {
    size_t n = 0;
    out[n++] = uint8_t((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | uint8_t(opcode));
    if (payload_size < 126) {
        out[n++] = uint8_t(0x80 | payload_size);
    } else if (payload_size <= 0xFFFF) {
        out[n++] = 0x80 | 126;
        out[n++] = uint8_t(payload_size >> 8);
        out[n++] = uint8_t(payload_size);
    } else {
        out[n++] = 0x80 | 127;
        for (int i = 7; i >= 0; --i) out[n++] = uint8_t(payload_size >> (8 * i));
    }
    std::memcpy(out + n, mask, 4);
    return n + 4;
}

void apply_mask(uint8_t *dst, const uint8_t *src, size_t size, const uint8_t mask[4],
                uint64_t offset) {
    // Rotate the key so that index 0 of this slice lines up with the mask.
    uint8_t key[8];
    for (int i = 0; i < 8; ++i) key[i] = mask[(offset + i) & 3];
    uint64_t key64;
    std::memcpy(&key64, key, 8);
    size_t i = 0;
#if defined(__SSE2__) || defined(_M_X64)
    // 16 bytes at a time (SSE2 is part of every x86-64): twice the 64-bit
    // loop's speed on large messages, where masking is the client's main
    // cost after the copies.
    const __m128i key128 = _mm_set_epi64x(int64_t(key64), int64_t(key64));
    for (; i + 16 <= size; i += 16) {
        __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i *>(src + i));
        _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i), _mm_xor_si128(block, key128));
    }
#endif
    for (; i + 8 <= size; i += 8) {
        uint64_t word;
        std::memcpy(&word, src + i, 8);
        word ^= key64;
        std::memcpy(dst + i, &word, 8);
    }
    for (; i < size; ++i) dst[i] = src[i] ^ key[i & 7];
}

std::string encode_close_payload(uint16_t code, const std::string &reason) {
    std::string payload;
    payload += char(code >> 8);
    payload += char(code & 0xFF);
    payload += reason;
    return payload;
}

} // namespace polyws
