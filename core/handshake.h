// The opening handshake of RFC 6455 section 4, client side: the request we
// send and the checks on the server's response (WHATWG "establish a
// WebSocket connection": any fault fails the connection).
#pragma once

#include "deflate.h"

#include <string>
#include <utility>
#include <vector>

namespace polyws {

struct WebSocketUrl;

// A header field: name, value.
using Header = std::pair<std::string, std::string>;

// Request headers the client adds: validated by check_request_header().
struct RequestOptions {
    std::vector<Header> headers;   // names as given
    std::string user_agent;
    DeflateOptions deflate;        // permessage-deflate offer
};

// Whether a header may be set by the application: a valid field name and
// value, and not one the WebSocket protocol owns (Host, Upgrade,
// Connection, Sec-WebSocket-*, Content-Length, Transfer-Encoding).
bool check_request_header(const std::string &name, const std::string &value, std::string &error);

struct HandshakeRequest {
    std::string bytes;     // the full HTTP request
    std::string key;       // Sec-WebSocket-Key, base64 of 16 random bytes
};

HandshakeRequest build_handshake_request(const WebSocketUrl &url,
                                         const std::vector<std::string> &protocols,
                                         const RequestOptions &extra = RequestOptions());

// What a complete, acceptable response gave us.
struct HandshakeResult {
    std::string protocol;
    std::string extensions;
    bool deflate = false;          // permessage-deflate agreed, with:
    DeflateAgreement deflate_agreement;
    // The response's fields, names lowercased and sorted; repeated fields
    // joined with ", ".
    std::vector<Header> headers;
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

    void expect(std::string key, std::vector<std::string> protocols, DeflateOptions deflate) {
        key_ = std::move(key);
        protocols_ = std::move(protocols);
        deflate_ = deflate;
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
    DeflateOptions deflate_;
    HandshakeResult result_;
    std::string error_;
};

// Base64 of SHA-1(key + RFC 6455 GUID): the expected Sec-WebSocket-Accept.
std::string expected_accept(const std::string &key);
std::string base64_encode(const void *data, size_t size);

} // namespace polyws
