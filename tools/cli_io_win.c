/*
 * cli_io.h on Windows. A console or pipe handle cannot be waited on with
 * select(), and the loop's descriptor is a socket (see ws_loop_fd()), so a
 * reader thread copies stdin into a buffer and sends one datagram to a
 * loopback UDP socket each time it adds something (or reaches the end);
 * the main thread select()s on that socket and the loop's socket.
 *
 * The CLI calls WSAStartup itself, as any host would: the library's own
 * Winsock reference does not depend on it.
 */
#include "cli_io.h"

#include <winsock2.h>
#include <windows.h>

#include <fcntl.h>
#include <io.h>
#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUFFER_SIZE 65536

static struct {
    int started;
    SOCKET poke_rx, poke_tx;        /* rx bound to 127.0.0.1, tx connected to it */
    HANDLE thread;
    CRITICAL_SECTION lock;
    CONDITION_VARIABLE space;       /* signalled when the main thread takes bytes */
    char data[BUFFER_SIZE];
    size_t have;
    int ended;
} in;

const char cli_end_of_input_keys[] = "Ctrl-Z, Enter";

char **cli_io_begin(int argc, char **argv) {
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
    int count = 0;
    wchar_t **wide = CommandLineToArgvW(GetCommandLineW(), &count);
    if (!wide || count != argc) return argv;
    char **utf8 = calloc((size_t)count + 1, sizeof *utf8);
    for (int i = 0; utf8 && i < count; ++i) {
        int n = WideCharToMultiByte(CP_UTF8, 0, wide[i], -1, NULL, 0, NULL, NULL);
        utf8[i] = n > 0 ? malloc((size_t)n) : NULL;
        if (!utf8[i]) return argv;
        WideCharToMultiByte(CP_UTF8, 0, wide[i], -1, utf8[i], n, NULL, NULL);
    }
    LocalFree(wide);
    return utf8 ? utf8 : argv;   /* kept for the life of the process */
}

static DWORD WINAPI reader(void *unused) {
    (void)unused;
    char chunk[4096];
    for (;;) {
        /* ReadFile, not the C library's _read: the thread may still be
         * blocked here when main returns, and _read holds the C library's
         * lock on descriptor 0 meanwhile, which its exit code may want. */
        DWORD got = 0;
        int n = ReadFile(GetStdHandle(STD_INPUT_HANDLE), chunk, sizeof chunk, &got, NULL)
                    ? (int)got : -1;
        EnterCriticalSection(&in.lock);
        if (n <= 0) {
            in.ended = 1;
        } else {
            size_t done = 0;
            while (done < (size_t)n) {
                while (in.have == BUFFER_SIZE) SleepConditionVariableCS(&in.space, &in.lock, INFINITE);
                size_t room = BUFFER_SIZE - in.have, left = (size_t)n - done;
                size_t take = left < room ? left : room;
                memcpy(in.data + in.have, chunk + done, take);
                in.have += take;
                done += take;
            }
        }
        int ended = in.ended;
        LeaveCriticalSection(&in.lock);
        send(in.poke_tx, "", 1, 0);
        if (ended) return 0;
    }
}

static int start(void) {
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int len = sizeof addr;
    in.poke_rx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    in.poke_tx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    u_long on = 1;
    if (in.poke_rx == INVALID_SOCKET || in.poke_tx == INVALID_SOCKET ||
        bind(in.poke_rx, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(in.poke_rx, (struct sockaddr *)&addr, &len) != 0 ||
        connect(in.poke_tx, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        ioctlsocket(in.poke_rx, FIONBIO, &on) != 0)
        return -1;
    InitializeCriticalSection(&in.lock);
    InitializeConditionVariable(&in.space);
    in.thread = CreateThread(NULL, 0, reader, NULL, 0, NULL);
    if (!in.thread) return -1;
    in.started = 1;
    return 0;
}

int cli_wait(ws_loop *loop, int want_stdin, int *loop_ready, int *stdin_ready) {
    *loop_ready = *stdin_ready = 0;
    if (want_stdin && !in.started && start() != 0) return -1;
    if (want_stdin) {
        /* Something may already be buffered from before. */
        EnterCriticalSection(&in.lock);
        int pending = in.have > 0 || in.ended;
        LeaveCriticalSection(&in.lock);
        if (pending) {
            *stdin_ready = 1;
            return 0;
        }
    }
    SOCKET loop_socket = (SOCKET)ws_loop_fd(loop);
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(loop_socket, &readable);
    if (want_stdin) FD_SET(in.poke_rx, &readable);
    if (select(0, &readable, NULL, NULL, NULL) == SOCKET_ERROR) return -1;
    *loop_ready = FD_ISSET(loop_socket, &readable) != 0;
    *stdin_ready = want_stdin && FD_ISSET(in.poke_rx, &readable);
    return 0;
}

long cli_read_stdin(char *buf, size_t cap) {
    char drain[64];
    while (recv(in.poke_rx, drain, sizeof drain, 0) > 0) {
    }
    EnterCriticalSection(&in.lock);
    long n;
    if (in.have > 0) {
        size_t take = in.have < cap ? in.have : cap;
        memcpy(buf, in.data, take);
        memmove(in.data, in.data + take, in.have - take);
        in.have -= take;
        WakeConditionVariable(&in.space);
        n = (long)take;
    } else {
        n = in.ended ? 0 : -1;
    }
    LeaveCriticalSection(&in.lock);
    return n;
}

int cli_is_interactive(void) {
    return _isatty(_fileno(stdin)) && _isatty(_fileno(stdout));
}

int cli_stdout_shows_colour(void) {
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    DWORD mode;
    if (!_isatty(_fileno(stdout)) || !GetConsoleMode(out, &mode)) return 0;
    /* Consoles before Windows 10 refuse escape sequences: no colour there. */
    return SetConsoleMode(out, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0;
}

void cli_io_end(void) {
    /* The reader thread may sit in a blocking read of stdin; the process
     * ends it when main returns. Only the sockets are ours to close. */
    if (!in.started) return;
    closesocket(in.poke_rx);
    closesocket(in.poke_tx);
    WSACleanup();
}
