// How the C API's opaque types map to the core's objects. A handle is the
// core object's own address: a ws_socket * is a Socket *, a ws_loop * a
// Loop *, and a const ws_event * is a view of a core Event. The handle
// types are declared and never defined, so no object of theirs exists to
// alias; the mapping costs nothing on the event path, and a socket's handle
// is the same pointer wherever it appears (ws_new, a listener's first
// argument, ws_event_socket). Only the C API uses these.
#pragma once

#include "polyws.h"

#include "../core/event.h"
#include "../core/loop.h"
#include "../core/socket.h"

namespace polyws::capi {

inline Socket *socket_of(ws_socket *ws) { return reinterpret_cast<Socket *>(ws); }
inline const Socket *socket_of(const ws_socket *ws) { return reinterpret_cast<const Socket *>(ws); }
inline ws_socket *handle_of(Socket &socket) { return reinterpret_cast<ws_socket *>(&socket); }

inline Loop *loop_of(ws_loop *loop) { return reinterpret_cast<Loop *>(loop); }
inline const Loop *loop_of(const ws_loop *loop) { return reinterpret_cast<const Loop *>(loop); }
inline ws_loop *handle_of(Loop &loop) { return reinterpret_cast<ws_loop *>(&loop); }

inline const Event *event_of(const ws_event *event) { return reinterpret_cast<const Event *>(event); }
inline const ws_event *view_of(const Event &event) { return reinterpret_cast<const ws_event *>(&event); }

} // namespace polyws::capi
