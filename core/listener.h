// A listener as the core runs it. The core does not know who registered it
// (the C API adapts a ws_listener_fn to one): `run` is how to call
// `function`, and the three words together are the listener's identity, so
// that adding the same listener twice does nothing and removing finds it,
// as with addEventListener. Plain words, no std::function: dispatch copies
// nothing and allocates nothing per event.
#pragma once

namespace polyws {

class Socket;
struct Event;

struct Listener {
    // Any function pointer survives the round trip through this type;
    // `run` casts it back to what the registrant stored.
    using Function = void (*)();
    using Run = void (*)(const Listener &self, Socket &socket, const Event &event);

    Run run = nullptr;
    Function function = nullptr;   // none: no listener (a handler set to none is removed)
    void *user_data = nullptr;

    explicit operator bool() const { return function != nullptr; }
    bool operator==(const Listener &other) const {
        return run == other.run && function == other.function && user_data == other.user_data;
    }
};

} // namespace polyws
