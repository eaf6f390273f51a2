// Stream level: a real client, through the C API, against a loopback TCP
// peer in this process that answers the opening handshake and then sends
// the fuzzer's bytes as everything the server ever says.
// Input: one flags byte, then the server's bytes.
//   bit 0  offer permessage-deflate and accept it in the response
//   bit 1  maximum message size 1024 (else the default)
//   bit 2  echo every message back (exercises the send path)
//   bit 3  send a text and a binary message when open
//   bit 4  the bytes are the whole response, handshake included (else a
//          valid 101 with the right Sec-WebSocket-Accept comes first)
//   bit 5  close(1000) from the host on the first message
// After the bytes the peer half-closes (FIN) and reads until the client
// closes. Properties: the browser's event sequence (open at most once and
// first; messages only while open; error only right before close, and
// then close 1006 unclean; exactly one close; nothing after it); text
// messages are UTF-8; the socket ends CLOSED within a bounded time (30 s);
// ASan/UBSan/LSan see nothing.
#include "fuzz_support.h"
#include "handshake.h"
#include "polyws.h"
#include "utf8.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace {
int listener = -1;
uint16_t port = 0;
ws_loop *loop = nullptr;

struct Seen {
    std::string events;   // o m e c
    bool closed = false, error = false, echo = false, close_on_message = false;
    uint16_t code = 0;
    bool clean = false;
};

int64_t now_ms() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void setup() {
    listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (listener < 0 || bind(listener, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 ||
        listen(listener, 16) != 0)
        __builtin_trap();
    socklen_t len = sizeof a;
    getsockname(listener, reinterpret_cast<sockaddr *>(&a), &len);
    port = ntohs(a.sin_port);
    if (ws_loop_new(WS_DELIVERY_DISPATCH, &loop) != WS_OK) __builtin_trap();
}

void on_event(ws_socket *ws, const ws_event *ev, void *ud) {
    Seen *s = static_cast<Seen *>(ud);
    FUZZ_ASSERT(!s->closed);   // nothing after close
    switch (ws_event_type(ev)) {
    case WS_EVENT_OPEN:
        FUZZ_ASSERT(s->events.empty());
        FUZZ_ASSERT(ws_ready_state(ws) == WS_OPEN);
        s->events += 'o';
        break;
    case WS_EVENT_MESSAGE: {
        FUZZ_ASSERT(!s->events.empty() && s->events[0] == 'o' && !s->error);
        FUZZ_ASSERT(ws_ready_state(ws) == WS_OPEN);
        s->events += 'm';
        size_t n = 0;
        const uint8_t *p = ws_event_data(ev, &n);
        FUZZ_ASSERT(p != nullptr);
        if (!ws_event_is_binary(ev)) FUZZ_ASSERT(polyws::is_valid_utf8(p, n) && p[n] == 0);
        if (s->echo) {
            ws_result r = ws_event_is_binary(ev) ? ws_send_binary(ws, p, n)
                                                 : ws_send_text(ws, reinterpret_cast<const char *>(p), n);
            FUZZ_ASSERT(r == WS_OK);
        }
        if (s->close_on_message) ws_close(ws, 1000, "enough");
        break;
    }
    case WS_EVENT_ERROR:
        FUZZ_ASSERT(!s->error);
        FUZZ_ASSERT(ws_ready_state(ws) == WS_CLOSED);
        FUZZ_ASSERT(*ws_event_error_message(ev));
        s->error = true;
        s->events += 'e';
        break;
    case WS_EVENT_CLOSE:
        s->closed = true;
        s->events += 'c';
        s->code = ws_event_code(ev);
        s->clean = ws_event_was_clean(ev);
        FUZZ_ASSERT(ws_ready_state(ws) == WS_CLOSED);
        FUZZ_ASSERT(polyws::is_valid_utf8(ws_event_reason(ev), strlen(ws_event_reason(ev))));
        if (s->error) FUZZ_ASSERT(s->code == 1006 && !s->clean);
        if (s->clean) FUZZ_ASSERT(s->code != 1006);
        break;
    default:
        FUZZ_ASSERT(false);
    }
}

// Reads until the request head ends; returns it ("" on timeout).
std::string read_request(int fd, int64_t deadline) {
    std::string req;
    char buf[4096];
    while (req.find("\r\n\r\n") == std::string::npos) {
        int left = int(deadline - now_ms());
        if (left <= 0) return "";
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, left) <= 0) continue;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return "";
        req.append(buf, size_t(n));
    }
    return req;
}

std::string header(const std::string &req, const char *name) {
    std::string lower;
    for (char c : req) lower += char(c >= 'A' && c <= 'Z' ? c + 32 : c);
    size_t at = lower.find(name);
    if (at == std::string::npos) return "";
    at += strlen(name);
    size_t end = req.find("\r\n", at);
    std::string v = req.substr(at, end - at);
    while (!v.empty() && v[0] == ' ') v.erase(0, 1);
    return v;
}

bool send_all(int fd, const std::string &bytes, int64_t deadline) {
    size_t at = 0;
    while (at < bytes.size()) {
        if (now_ms() > deadline) return false;
        // Keep the client's replies flowing so neither side blocks.
        char sink[65536];
        while (recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
        }
        ssize_t n = send(fd, bytes.data() + at, bytes.size() - at, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) at += size_t(n);
        else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
        else {
            pollfd p{fd, POLLOUT | POLLIN, 0};
            poll(&p, 1, 10);
        }
    }
    return true;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!loop) setup();
    if (size < 1) return 0;
    uint8_t flags = data[0];
    std::string bytes(reinterpret_cast<const char *>(data + 1), size - 1);

    ws_options *o = nullptr;
    ws_options_new(&o);
    ws_options_set_connect_timeout_ms(o, 3000);
    ws_options_set_close_timeout_ms(o, 1000);
    if (flags & 1) ws_options_set_permessage_deflate(o, true);
    if (flags & 2) ws_options_set_max_message_size(o, 1024);
    ws_options_set_deferred_connect(o, true);
    std::string url = "ws://127.0.0.1:" + std::to_string(port) + "/fuzz";
    ws_socket *ws = nullptr;
    FUZZ_ASSERT(ws_new_ex(loop, url.c_str(), nullptr, 0, o, &ws) == WS_OK);
    ws_options_free(o);
    Seen seen;
    seen.echo = flags & 4;
    seen.close_on_message = flags & 32;
    for (ws_event_type_t t : {WS_EVENT_OPEN, WS_EVENT_MESSAGE, WS_EVENT_ERROR, WS_EVENT_CLOSE})
        ws_add_event_listener(ws, t, on_event, &seen);
    FUZZ_ASSERT(ws_connect(ws) == WS_OK);

    // Generous bounds: a loaded 2-core CI machine (sanitizers, valgrind
    // next door) can stall a loopback connect for seconds.
    int64_t deadline = now_ms() + 30000;
    // Waits and accepts again when a signal interrupts them: libFuzzer's
    // -timeout watchdog is a SIGALRM every few seconds (EINTR here once
    // failed the run, with the client connecting as it should).
    pollfd lp{listener, POLLIN, 0};
    int ready;
    do ready = poll(&lp, 1, 20000);
    while (ready < 0 && errno == EINTR && now_ms() < deadline);
    FUZZ_ASSERT(ready == 1);
    int fd;
    do fd = accept(listener, nullptr, nullptr);
    while (fd < 0 && errno == EINTR && now_ms() < deadline);
    FUZZ_ASSERT(fd >= 0);
    std::string req = read_request(fd, deadline);
    FUZZ_ASSERT(!req.empty());
    std::string response;
    if (!(flags & 16)) {
        response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                   polyws::expected_accept(header(req, "sec-websocket-key:")) + "\r\n";
        if (flags & 1) response += "Sec-WebSocket-Extensions: permessage-deflate\r\n";
        response += "\r\n";
    }
    response += bytes;
    bool sent_open_messages = false;
    send_all(fd, response, deadline);
    shutdown(fd, SHUT_WR);

    // Drive the client until it reports close, draining what it writes.
    while (!seen.closed) {
        FUZZ_ASSERT(now_ms() < deadline);   // a hang is a bug
        pollfd p[2] = {{fd, POLLIN, 0}, {ws_loop_fd(loop), POLLIN, 0}};
        poll(p, 2, 50);
        if (p[0].revents) {
            char sink[65536];
            if (recv(fd, sink, sizeof sink, MSG_DONTWAIT) == 0) {
                close(fd);
                fd = -1;
            }
        }
        ws_loop_dispatch(loop, 0, nullptr);
        if ((flags & 8) && !sent_open_messages && ws_ready_state(ws) == WS_OPEN) {
            sent_open_messages = true;
            FUZZ_ASSERT(ws_send_text(ws, "hello", 5) == WS_OK);
            FUZZ_ASSERT(ws_send_binary(ws, "\0\1\2", 3) == WS_OK);
        }
        if (fd < 0) {
            // Peer side gone; only the client's report remains.
            ws_loop_dispatch(loop, 20, nullptr);
        }
    }
    FUZZ_ASSERT(ws_ready_state(ws) == WS_CLOSED);
    if (fd >= 0) close(fd);
    ws_free(ws);
    return 0;
}
