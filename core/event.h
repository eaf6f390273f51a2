// An event on its way from the I/O thread to the host.
#pragma once

#include "handshake.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace polyws {

class Socket;

// The events listeners hear, plus one that only moves readyState.
enum class EventKind {
    Open,
    Message,
    Error,
    Close,
    Reconnect,
    PeerClosing,   // the server started the closing handshake: CLOSING
};

// How the host wants binary messages presented (binaryType); the core only
// carries the choice to each message event.
enum class BinaryType { Blob, ArrayBuffer };

struct Event {
    EventKind kind = EventKind::Open;
    std::shared_ptr<Socket> socket;
    void *user_data = nullptr;                     // filled in at dispatch
    BinaryType binary_type = BinaryType::Blob;     // filled in at dispatch
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
