// What differs between operating systems, apart from the loop's wake-up
// (wakeup.h) and the system trust store (trust_store.h). Implemented in
// platform_posix.cpp and platform_win.cpp; the rest of the core uses only
// these declarations.
#pragma once

#include <string>

namespace polyws {

// Holds the socket layer up while it lives. On Windows that is Winsock:
// the library takes one WSAStartup reference of its own for as long as any
// NetworkUse exists (loops, name lookups) and gives it back with WSACleanup
// when the last one goes, so a host that calls WSAStartup/WSACleanup itself
// is unaffected (Winsock counts each pair). Elsewhere it does nothing.
class NetworkUse {
public:
    NetworkUse();
    ~NetworkUse();
    NetworkUse(const NetworkUse &) = delete;
    NetworkUse &operator=(const NetworkUse &) = delete;
    // False when the socket layer could not be started; `error` says why.
    bool ok() const { return ok_; }
    const std::string &error() const { return error_; }

private:
    bool ok_ = true;
    std::string error_;
};

// Keeps the host's signal handling as it was across a call that changes it
// behind our back (lws_create_context sets SIGPIPE to SIG_IGN for the whole
// process on POSIX systems). Windows has no SIGPIPE: nothing to keep.
class HostSignalsKept {
public:
    HostSignalsKept();
    ~HostSignalsKept();
    HostSignalsKept(const HostSignalsKept &) = delete;
    HostSignalsKept &operator=(const HostSignalsKept &) = delete;

private:
    alignas(16) unsigned char saved_[256];
};

// Reads a whole file named by a UTF-8 path (a wide-character path on
// Windows, where the narrow C library functions use the ANSI code page).
// False with `error` set (the system's reason) when it cannot be read.
bool read_file_utf8(const std::string &path, std::string &contents, std::string &error);

} // namespace polyws
