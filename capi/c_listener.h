// A ws_listener_fn and its user_data as a core Listener. The core calls
// `run`, which calls the C function with the socket's handle and a view of
// the event: one indirect call more than calling the function directly, no
// copy, no allocation. Two registrations of the same function and
// user_data make equal Listeners, so the core's addEventListener rules
// (added twice runs once, removal finds it) hold for C callers.
#pragma once

#include "handles.h"

#include "../core/listener.h"

namespace polyws::capi {

inline void run_c_listener(const Listener &self, Socket &socket, const Event &event) {
    reinterpret_cast<ws_listener_fn>(self.function)(handle_of(socket), view_of(event),
                                                    self.user_data);
}

// NULL `fn` gives an empty Listener (none).
inline Listener c_listener(ws_listener_fn fn, void *user_data) {
    Listener listener;
    listener.run = run_c_listener;
    listener.function = reinterpret_cast<Listener::Function>(fn);
    listener.user_data = user_data;
    return listener;
}

} // namespace polyws::capi
