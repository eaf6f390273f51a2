// The WebSocket constructor's URL rules: WHATWG URL parsing restricted to
// what `new WebSocket(url)` accepts, with its serialization.
#pragma once

#include <cstdint>
#include <string>

namespace polyws {

struct WebSocketUrl {
    bool secure = false;        // wss
    std::string host;           // serialized: "example.com", "127.0.0.1", "[::1]"
    std::string connect_host;   // what to resolve: brackets removed for IPv6
    uint16_t port = 0;          // effective port (default filled in)
    std::string resource;       // path plus "?query": the request target
    std::string host_header;    // host, plus ":port" when not the default
    std::string serialized;     // what ws_url() returns
};

// Parses `input` as the WebSocket constructor does. On failure returns false
// and sets `error` to a readable reason (the caller reports SyntaxError).
bool parse_websocket_url(const std::string &input, WebSocketUrl &out,
                         std::string &error);

} // namespace polyws
