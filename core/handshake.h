// The opening handshake of RFC 6455 section 4, client side: the request we
// send and the checks on the server's response (WHATWG "establish a
// WebSocket connection": any fault fails the connection).
#pragma once

#include <string>
#include <vector>

namespace polyws {

struct WebSocketUrl;

struct HandshakeRequest {
    std::string bytes;     // the full HTTP request
    std::string key;       // Sec-WebSocket-Key, base64 of 16 random bytes
};

HandshakeRequest build_handshake_request(const WebSocketUrl &url,
                                         const std::vector<std::string> &protocols);

// What a complete, acceptable response gave us.
struct HandshakeResult {
    std::string protocol;
    std::string extensions;
};

// Accumulates response bytes until the header ends, then validates it.
class HandshakeResponse {
public:
    enum class Status { NeedMore, Accepted, Rejected };

    // Feeds bytes; on Accepted, `consumed` says how many of them belonged to
    // the response (the rest are the first WebSocket frames).
    Status feed(const char *data, size_t size, size_t &consumed);

    const HandshakeResult &result() const { return result_; }
    const std::string &error() const { return error_; }

    void expect(std::string key, std::vector<std::string> protocols) {
        key_ = std::move(key);
        protocols_ = std::move(protocols);
    }

private:
    Status validate(const std::string &head);
    Status reject(std::string why) {
        error_ = std::move(why);
        return Status::Rejected;
    }

    std::string buffer_;
    std::string key_;
    std::vector<std::string> protocols_;
    HandshakeResult result_;
    std::string error_;
};

// Base64 of SHA-1(key + RFC 6455 GUID): the expected Sec-WebSocket-Accept.
std::string expected_accept(const std::string &key);
std::string base64_encode(const void *data, size_t size);

} // namespace polyws
