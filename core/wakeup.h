// The pollable descriptor behind ws_loop_fd(): readable while events wait
// for the host. An eventfd on Linux (wakeup_posix.cpp); on Windows, where
// only sockets can be waited on with select()/WSAPoll(), the receiving end
// of a connected loopback TCP pair (wakeup_win.cpp).
#pragma once

#include "platform.h"

#include <cstdint>
#include <string>

namespace polyws {

class Wakeup {
public:
    Wakeup() = default;
    ~Wakeup();
    Wakeup(const Wakeup &) = delete;
    Wakeup &operator=(const Wakeup &) = delete;

    // Creates the descriptor. False with `error` set when it cannot be.
    bool open(std::string &error);
    // What ws_loop_fd() hands out: an fd, or a SOCKET on Windows (Windows
    // socket handles fit in 32 bits, so an int carries them unchanged).
    int descriptor() const { return int(read_end_); }
    // Readable from now on (called when the queue stops being empty).
    void raise();
    // Not readable any more (called when the queue becomes empty).
    void lower();

private:
    NetworkUse network_;          // Winsock stays up while the sockets exist
    intptr_t read_end_ = -1;
    intptr_t write_end_ = -1;     // unused with an eventfd
};

} // namespace polyws
