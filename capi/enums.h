// Each C API enumeration value and the core value it stands for. The core
// has its own enums, numbered as it likes; the C values are fixed by
// polyws.h. From the core a switch covers every value (-Wswitch names one
// that is missing); from the host, unknown values are refused.
#pragma once

#include "polyws.h"

#include "../core/event.h"
#include "../core/loop.h"
#include "../core/socket.h"
#include "../core/status.h"

namespace polyws::capi {

inline ws_result c_result(Result result) {
    switch (result) {
    case Result::Ok: return WS_OK;
    case Result::Syntax: return WS_ERR_SYNTAX;
    case Result::InvalidState: return WS_ERR_INVALID_STATE;
    case Result::InvalidAccess: return WS_ERR_INVALID_ACCESS;
    case Result::InvalidArgument: return WS_ERR_INVALID_ARGUMENT;
    case Result::InvalidUtf8: return WS_ERR_INVALID_UTF8;
    case Result::BufferFull: return WS_ERR_BUFFER_FULL;
    case Result::Reentrant: return WS_ERR_REENTRANT;
    case Result::Loop: return WS_ERR_LOOP;
    }
    return WS_ERR_INTERNAL;
}

inline ws_ready_state_t c_ready_state(ReadyState state) {
    switch (state) {
    case ReadyState::Connecting: return WS_CONNECTING;
    case ReadyState::Open: return WS_OPEN;
    case ReadyState::Closing: return WS_CLOSING;
    case ReadyState::Closed: return WS_CLOSED;
    }
    return WS_CLOSED;
}

inline ws_binary_type_t c_binary_type(BinaryType type) {
    switch (type) {
    case BinaryType::Blob: return WS_BINARY_BLOB;
    case BinaryType::ArrayBuffer: return WS_BINARY_ARRAYBUFFER;
    }
    return WS_BINARY_BLOB;
}

inline bool binary_type_of(ws_binary_type_t type, BinaryType &out) {
    switch (type) {
    case WS_BINARY_BLOB: out = BinaryType::Blob; return true;
    case WS_BINARY_ARRAYBUFFER: out = BinaryType::ArrayBuffer; return true;
    }
    return false;
}

// 0 for the core's own PeerClosing, which no listener hears.
inline ws_event_type_t c_event_type(EventKind kind) {
    switch (kind) {
    case EventKind::Open: return WS_EVENT_OPEN;
    case EventKind::Message: return WS_EVENT_MESSAGE;
    case EventKind::Error: return WS_EVENT_ERROR;
    case EventKind::Close: return WS_EVENT_CLOSE;
    case EventKind::Reconnect: return WS_EVENT_RECONNECT;
    case EventKind::PeerClosing: return ws_event_type_t(0);
    }
    return ws_event_type_t(0);
}

inline bool event_kind_of(ws_event_type_t type, EventKind &out) {
    switch (type) {
    case WS_EVENT_OPEN: out = EventKind::Open; return true;
    case WS_EVENT_MESSAGE: out = EventKind::Message; return true;
    case WS_EVENT_ERROR: out = EventKind::Error; return true;
    case WS_EVENT_CLOSE: out = EventKind::Close; return true;
    case WS_EVENT_RECONNECT: out = EventKind::Reconnect; return true;
    }
    return false;
}

inline bool delivery_of(ws_delivery_t delivery, Delivery &out) {
    switch (delivery) {
    case WS_DELIVERY_DISPATCH: out = Delivery::Dispatch; return true;
    case WS_DELIVERY_IO_THREAD: out = Delivery::IoThread; return true;
    case WS_DELIVERY_HOST_DRIVEN: out = Delivery::HostDriven; return true;
    }
    return false;
}

} // namespace polyws::capi
