// An event on its way from the I/O thread to the host.
#pragma once

#include "handshake.h"
#include "polyws.h"

#include <memory>
#include <string>
#include <vector>

namespace polyws {

class Socket;

// The public event types plus one that only moves readyState.
enum class EventKind {
    Open = WS_EVENT_OPEN,
    Message = WS_EVENT_MESSAGE,
    Error = WS_EVENT_ERROR,
    Close = WS_EVENT_CLOSE,
    Reconnect = WS_EVENT_RECONNECT,
    PeerClosing = 100,   // the server started the closing handshake: CLOSING
};

struct Event {
    EventKind kind = EventKind::Open;
    std::shared_ptr<Socket> socket;
    void *user_data = nullptr;                     // filled in at dispatch
    ws_binary_type_t binary_type = WS_BINARY_BLOB; // filled in at dispatch
    bool binary = false;
    std::string data;                              // message payload
    uint16_t code = 0;
    bool was_clean = false;
    std::string reason;
    std::string error;
    std::string protocol;
    std::string extensions;
    std::vector<Header> headers;                   // open: the response's
    bool will_reconnect = false;                   // close: a reconnect follows
    uint32_t attempt = 0;                          // reconnect: 1, 2, ...
    uint64_t unsent_bytes = 0;                     // close: accepted, never sent
    uint64_t unsent_messages = 0;
};

} // namespace polyws
