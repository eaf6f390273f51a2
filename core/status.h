// What a core call that can fail returns: a result and, when it is not Ok,
// why. The C API maps each result to its ws_result (capi/enums.h).
#pragma once

#include <string>

namespace polyws {

enum class Result {
    Ok,
    Syntax,            // a URL, protocol list or close reason is malformed
    InvalidState,      // not possible in the socket's current state
    InvalidAccess,     // a close code the host may not send
    InvalidArgument,
    InvalidUtf8,
    BufferFull,        // the send buffer limit was exceeded
    Reentrant,         // dispatch called from a listener of the same loop
    Loop,              // the event loop could not be started
};

struct Status {
    Result code = Result::Ok;
    std::string message;
    static Status ok() { return {}; }
    bool is_ok() const { return code == Result::Ok; }
};

} // namespace polyws
