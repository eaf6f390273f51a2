#include "deflate.h"

#include "buffer_growth.h"

#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace polyws {
namespace {

std::string trim(const std::string &s) {
    size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

bool parse_bits(const std::string &text, int low, uint8_t &out) {
    std::string v = text;
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.empty() || v.size() > 2) return false;
    for (char c : v)
        if (c < '0' || c > '9') return false;
    int n = std::atoi(v.c_str());
    if (n < low || n > 15) return false;
    out = uint8_t(n);
    return true;
}

} // namespace

std::string deflate_offer(const DeflateOptions &o) {
    std::string offer = "permessage-deflate";
    if (o.client_no_context_takeover) offer += "; client_no_context_takeover";
    if (o.server_no_context_takeover) offer += "; server_no_context_takeover";
    // Without client_max_window_bits in the offer the server may not limit
    // our window (RFC 7692 7.1.2.2); with it, never below 9 (zlib's floor).
    if (o.client_max_window_bits < 15)
        offer += "; client_max_window_bits=" + std::to_string(o.client_max_window_bits);
    if (o.server_max_window_bits < 15)
        offer += "; server_max_window_bits=" + std::to_string(o.server_max_window_bits);
    return offer;
}

bool accept_deflate_response(const std::string &value, const DeflateOptions &offer,
                             DeflateAgreement &out, bool &accepted, std::string &error) {
    accepted = false;
    if (trim(value).empty()) return true;
    if (!offer.enabled) {
        error = "the server accepted an extension the client did not offer: '" + value + "'";
        return false;
    }
    if (value.find(',') != std::string::npos) {
        error = "the server accepted more than one extension: '" + value + "'";
        return false;
    }
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= value.size()) {
        size_t semi = value.find(';', start);
        if (semi == std::string::npos) semi = value.size();
        parts.push_back(trim(value.substr(start, semi - start)));
        start = semi + 1;
    }
    if (parts[0] != "permessage-deflate") {
        error = "the server accepted an extension the client did not offer: '" + parts[0] + "'";
        return false;
    }
    DeflateAgreement agreement;
    agreement.client_window_bits = offer.client_max_window_bits;
    agreement.client_no_context_takeover = offer.client_no_context_takeover;
    bool seen[4] = {false, false, false, false};
    for (size_t i = 1; i < parts.size(); ++i) {
        std::string name = parts[i], arg;
        size_t eq = name.find('=');
        if (eq != std::string::npos) {
            arg = trim(name.substr(eq + 1));
            name = trim(name.substr(0, eq));
        }
        int which = name == "server_no_context_takeover" ? 0
                    : name == "client_no_context_takeover" ? 1
                    : name == "server_max_window_bits"     ? 2
                    : name == "client_max_window_bits"     ? 3
                                                            : -1;
        if (which < 0) {
            error = "permessage-deflate: unknown parameter '" + name + "' in the server's answer";
            return false;
        }
        if (seen[which]) {
            error = "permessage-deflate: parameter '" + name + "' repeated in the server's answer";
            return false;
        }
        seen[which] = true;
        uint8_t bits = 15;
        switch (which) {
        case 0:
        case 1:
            if (!arg.empty()) {
                error = "permessage-deflate: '" + name + "' takes no value";
                return false;
            }
            if (which == 1) agreement.client_no_context_takeover = true;
            break;
        case 2:
            if (!parse_bits(arg, 8, bits) || bits > offer.server_max_window_bits) {
                error = "permessage-deflate: invalid server_max_window_bits '" + arg + "'";
                return false;
            }
            break;   // we inflate with the largest window, which serves any
        case 3:
            // Only allowed if offered, and then 9..offered.
            if (offer.client_max_window_bits == 15 || !parse_bits(arg, 9, bits) ||
                bits > offer.client_max_window_bits) {
                error = "permessage-deflate: client_max_window_bits '" + arg +
                        "' was not offered or is out of range";
                return false;
            }
            agreement.client_window_bits = bits;
            break;
        }
    }
    out = agreement;
    accepted = true;
    return true;
}

MessageCompressor::MessageCompressor(const DeflateAgreement &a)
    : z_(new z_stream()), reset_each_message_(a.client_no_context_takeover) {
    if (deflateInit2(z_.get(), Z_DEFAULT_COMPRESSION, Z_DEFLATED, -int(a.client_window_bits), 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::bad_alloc();
}

MessageCompressor::~MessageCompressor() { deflateEnd(z_.get()); }

void MessageCompressor::compress(const std::string &message, std::string &out) {
    out.clear();
    z_->next_in = reinterpret_cast<Bytef *>(const_cast<char *>(message.data()));
    z_->avail_in = uInt(message.size());
    unsigned char buf[16384];
    do {
        z_->next_out = buf;
        z_->avail_out = sizeof buf;
        deflate(z_.get(), Z_SYNC_FLUSH);
        out.append(reinterpret_cast<char *>(buf), sizeof buf - z_->avail_out);
    } while (z_->avail_out == 0 || z_->avail_in > 0);
    // The sync flush ends with an empty stored block: 00 00 FF FF.
    if (out.size() >= 4 && out.compare(out.size() - 4, 4, std::string("\0\0\xff\xff", 4)) == 0)
        out.resize(out.size() - 4);
    if (out.empty()) out.push_back('\0');   // an empty message: one empty block
    if (reset_each_message_) deflateReset(z_.get());
}

MessageDecompressor::MessageDecompressor() : z_(new z_stream()) {
    // The largest window inflates whatever window the server compressed with.
    if (inflateInit2(z_.get(), -15) != Z_OK) throw std::bad_alloc();
}

MessageDecompressor::~MessageDecompressor() { inflateEnd(z_.get()); }

bool MessageDecompressor::run(const uint8_t *data, size_t size, std::string &out, uint64_t limit,
                              std::string &error, bool &too_big) {
    z_->next_in = const_cast<Bytef *>(data);
    z_->avail_in = uInt(size);
    unsigned char buf[16384];
    do {
        z_->next_out = buf;
        z_->avail_out = sizeof buf;
        int rc = ::inflate(z_.get(), Z_SYNC_FLUSH);
        if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) {
            error = std::string("permessage-deflate: corrupt compressed data (") +
                    (z_->msg ? z_->msg : "inflate failed") + ")";
            return false;
        }
        size_t produced = sizeof buf - z_->avail_out;
        if (out.size() + produced > limit) {
            too_big = true;
            error = "incoming message exceeds the maximum size of " + std::to_string(limit) +
                    " bytes (after decompression)";
            return false;
        }
        grow_within_limit(out, out.size() + produced, limit);
        out.append(reinterpret_cast<char *>(buf), produced);
        // A final block ends the stream: the server may start a new one.
        if (rc == Z_STREAM_END) inflateReset(z_.get());
        else if (rc == Z_BUF_ERROR && produced == 0) break;   // needs more input
        // A full buffer may leave output inside zlib: go round again.
    } while (z_->avail_in > 0 || z_->avail_out == 0);
    return true;
}

bool MessageDecompressor::inflate(const uint8_t *data, size_t size, bool last, std::string &out,
                                  uint64_t limit, std::string &error, bool &too_big) {
    too_big = false;
    if (size && !run(data, size, out, limit, error, too_big)) return false;
    if (last) {
        static const uint8_t tail[4] = {0x00, 0x00, 0xff, 0xff};
        if (!run(tail, sizeof tail, out, limit, error, too_big)) return false;
    }
    return true;
}

} // namespace polyws
