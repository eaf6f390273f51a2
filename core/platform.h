// What differs between operating systems, apart from the loop's wake-up
// (wakeup.h) and the system trust store (trust_store.h). Implemented in
// platform_posix.cpp and platform_win.cpp; the rest of the core uses only
// these declarations.
#pragma once

#include <cstdint>
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

// True when the process is ending and every other thread of it is already
// gone; always false on POSIX systems.
//
// Why exit-time code must ask: on POSIX systems exit() runs the atexit
// handlers while the library's threads still run, so they can be stopped
// and joined. In polyws.dll the DLL's atexit handlers and static
// destructors run at DLL_PROCESS_DETACH instead, and when the process ends
// that comes after ExitProcess has terminated every other thread wherever
// it was: an I/O thread may have died holding one of the library's mutexes
// (winpthreads mutexes, which are never released for a dead owner), so
// locking or waiting then can hang the exit forever. Exit-time code that
// sees true leaves everything as it is: the system reclaims memory,
// sockets and handles with the process. The library's DllMain
// (platform_win.cpp) records the moment; mingw-w64's DLL entry point calls
// DllMain before it runs the DLL's atexit table (crt/crtdll.c,
// __DllMainCRTStartup), so the flag is set before any of that code runs.
bool process_is_terminating();

// Keeps the library's code loaded until the process ends, for what lives
// as long as the process (the default loop's I/O thread). On Windows a
// host's FreeLibrary would otherwise unmap polyws.dll under that running
// thread, and the DLL's detach code could not stop it either: joining a
// thread under the loader lock deadlocks (the ending thread needs that lock
// for its own detach notifications). So polyws.dll pins itself, as OpenSSL's
// DLLs do. Does nothing elsewhere (a shared object's destructors run at
// dlclose with its threads alive).
void keep_library_loaded();

// True when the peer has already ended the TCP stream on `socket` (the
// transport's own socket, non-blocking), with nothing left to read: an
// orderly shutdown (FIN) or a reset. Asked on Windows right after received
// bytes were handled, because there the end can otherwise go unseen:
// Winsock signals FD_CLOSE only once, and when it comes in the same
// WSAEnumNetworkEvents() result as FD_READ, libwebsockets 4.1.6 reads the
// data and drops the close (core-net/service.c closes on POLLHUP only
// without POLLIN; lib/plat/windows/windows-service.c never reports it
// again), so the connection would wait forever instead of ending with
// 1006. Peeks one byte (MSG_PEEK): data still waiting means no (Winsock
// signals FD_READ again after the next read). Always false on POSIX
// systems, where poll() keeps reporting the end until it is read.
bool peer_ended_stream(std::uintptr_t socket);

// Initialises OpenSSL before the library's first use of it (a loop's
// transport: lws_create_context starts OpenSSL; then TLS, SHA-1 and the
// random masks). On Windows OpenSSL is linked into polyws.dll and would
// register its clean-up (OPENSSL_cleanup) with atexit, which in a DLL runs
// at DLL_PROCESS_DETACH: when the process ends, after Windows has killed
// the other threads, perhaps an I/O thread holding one of OpenSSL's locks
// (see process_is_terminating), so the clean-up could hang the exit. It is
// started with OPENSSL_INIT_NO_ATEXIT instead (only the first
// initialisation decides), and the system reclaims OpenSSL's memory with
// the process. Does nothing elsewhere: there OpenSSL is the system's
// shared library, which the host may use too, and exit-time code runs
// with every thread alive.
void prepare_openssl();

// Reads a whole file named by a UTF-8 path (a wide-character path on
// Windows, where the narrow C library functions use the ANSI code page).
// False with `error` set (the system's reason) when it cannot be read.
bool read_file_utf8(const std::string &path, std::string &contents, std::string &error);

} // namespace polyws
