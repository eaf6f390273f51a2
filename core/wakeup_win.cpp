// wakeup.h on Windows: two connected loopback TCP sockets. raise() sends one
// byte to the read end, lower() drains it; the host select()s (or WSAPoll()s,
// or WSAEventSelect()s) the read end for readability.
//
// A TCP pair rather than an event HANDLE keeps ws_loop_fd() an int that the
// socket APIs of every host accept, the same way as on Linux. Only loopback
// is used, so no firewall prompt appears.
#include "wakeup.h"

#include <winsock2.h>
#include <ws2tcpip.h>

namespace polyws {
namespace {

std::string socket_error(const char *what) {
    return std::string(what) + " failed (WSA error " + std::to_string(WSAGetLastError()) + ")";
}

} // namespace

Wakeup::~Wakeup() {
    if (read_end_ != -1) closesocket(SOCKET(read_end_));
    if (write_end_ != -1) closesocket(SOCKET(write_end_));
}

bool Wakeup::open(std::string &error) {
    if (!network_.ok()) {
        error = network_.error();
        return false;
    }
    SOCKET listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (listener == INVALID_SOCKET) {
        error = socket_error("socket");
        return false;
    }
    // Only this process's connect may be accepted: the listener lives for
    // the few calls below, on 127.0.0.1 and an ephemeral port, and the
    // accepted peer's address is checked against our own connecting socket.
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    int length = sizeof address;
    SOCKET writer = INVALID_SOCKET, reader = INVALID_SOCKET;
    bool ok = bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0 &&
              listen(listener, 1) == 0 &&
              getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) == 0;
    if (!ok) error = socket_error("the wake-up listener");
    if (ok) {
        writer = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        ok = writer != INVALID_SOCKET &&
             connect(writer, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
        if (!ok) error = socket_error("the wake-up connect");
    }
    if (ok) {
        sockaddr_in mine{}, theirs{};
        int mine_length = sizeof mine, theirs_length = sizeof theirs;
        reader = accept(listener, reinterpret_cast<sockaddr *>(&theirs), &theirs_length);
        ok = reader != INVALID_SOCKET &&
             getsockname(writer, reinterpret_cast<sockaddr *>(&mine), &mine_length) == 0 &&
             mine.sin_port == theirs.sin_port && mine.sin_addr.s_addr == theirs.sin_addr.s_addr;
        if (!ok) error = socket_error("the wake-up accept");
    }
    closesocket(listener);
    if (ok) {
        // Non-blocking both ways: raise() never waits, lower() stops when
        // drained. One byte at most is in flight (raise and lower alternate
        // under the queue's lock), and TCP_NODELAY sends it at once.
        u_long on = 1;
        BOOL nodelay = TRUE;
        ok = ioctlsocket(reader, FIONBIO, &on) == 0 && ioctlsocket(writer, FIONBIO, &on) == 0 &&
             setsockopt(writer, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char *>(&nodelay),
                        sizeof nodelay) == 0;
        if (!ok) error = socket_error("the wake-up socket options");
    }
    if (!ok) {
        if (reader != INVALID_SOCKET) closesocket(reader);
        if (writer != INVALID_SOCKET) closesocket(writer);
        return false;
    }
    // Not inherited by child processes the host starts.
    SetHandleInformation(reinterpret_cast<HANDLE>(reader), HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(reinterpret_cast<HANDLE>(writer), HANDLE_FLAG_INHERIT, 0);
    read_end_ = intptr_t(reader);
    write_end_ = intptr_t(writer);
    return true;
}

void Wakeup::raise() {
    const char one = 1;
    send(SOCKET(write_end_), &one, 1, 0);
}

void Wakeup::lower() {
    char buf[64];
    while (recv(SOCKET(read_end_), buf, sizeof buf, 0) > 0) {
    }
}

} // namespace polyws
