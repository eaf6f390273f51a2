// The I/O layer under a loop: one thread that owns every socket of the
// loop, runs commands posted from other threads, and moves bytes for each
// connection. This interface is all the core knows of it; the only
// implementation (lws_transport.cpp) is the one place that knows
// libwebsockets exists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace polyws {

// One connected byte stream (TCP, or TLS over TCP). I/O thread only.
class Link {
public:
    virtual ~Link() = default;
    // Asks for one LinkHandler::on_writable() call when the stream can take
    // more bytes.
    virtual void request_write() = 0;
    // Writes bytes; only from inside on_writable(). Keep each call small
    // (tens of KiB): what the kernel does not take is buffered. False when
    // the stream is broken (on_closed follows).
    virtual bool write(const uint8_t *data, size_t size) = 0;
    // True when write() may be called right now, outside on_writable(): the
    // stream holds nothing it could not send before, so the bytes go to the
    // kernel at once and keep their order. Saves a trip through the poll
    // loop per message. Layers that cannot tell say false.
    virtual bool can_write_now() const { return false; }
    // Drops the stream. on_closed() follows, later, from the I/O loop.
    virtual void close() = 0;
    // Receive flow control: false stops reading the stream (the bytes wait
    // in the kernel and TCP pushes back on the peer), true reads again.
    // on_bytes() may still be called for bytes already read.
    virtual void set_reading(bool reading) = 0;
};

// What a connection hears from its stream. I/O thread only.
class LinkHandler {
public:
    virtual ~LinkHandler() = default;
    virtual void on_connected(Link &link) = 0;
    // The stream could not be opened; `why` is readable. No other call
    // follows.
    virtual void on_connect_failed(const std::string &why) = 0;
    virtual void on_bytes(const uint8_t *data, size_t size) = 0;
    virtual void on_writable() = 0;
    // The stream is gone; the handler may delete itself now.
    virtual void on_closed() = 0;
};

class Timer {
public:
    virtual ~Timer() = default;
    // (Re)arms the timer; it fires once, on the I/O thread.
    virtual void arm(uint32_t ms) = 0;
    virtual void cancel() = 0;
};

// A plain TCP connection; TLS, when wanted, runs above it (tls_stream.h).
struct ConnectRequest {
    std::string address;      // numeric IPv4 or IPv6 address
    uint16_t port = 0;
};

// Posts a command to the I/O thread. Safe from any thread at any time, even
// after the transport stopped (the command is then dropped).
using CommandPoster = std::function<void(std::function<void()>)>;

// Who runs the I/O.
enum class Driver {
    // A thread of the transport's own.
    OwnThread,
    // Whichever host thread calls service(): that thread is "the I/O
    // thread" while it holds the transport (enter() ... leave()). No thread
    // hand-off per message, which is what a single-threaded host that sends
    // and receives wants; nothing moves while no thread services.
    Host,
    // Both: host threads may enter() and service() as with Host, and a
    // thread of the transport's own does the I/O whenever none has for a
    // few milliseconds (kStandbyDelayMs). A host thread that enter(true)s
    // while that thread holds the I/O takes it over (the thread is woken
    // and lets go). What the default loop uses: the host's waits cost no
    // thread hand-off, and nothing stalls while the host is away.
    Shared,
};

// Driver::Shared: how long the transport's own thread leaves the I/O to the
// host threads after one let go before it takes it back. Long enough to
// cover a host's work between two waits (a listener, a send), short
// enough that a host gone elsewhere delays no ping or timer noticeably.
constexpr int kStandbyDelayMs = 5;

class Transport {
public:
    // Starts the transport (and its I/O thread, for Driver::OwnThread).
    // Returns nullptr and sets `error` on failure. `before_stop` runs on the
    // I/O thread when it stops, after the last queued commands: the owner
    // ends what it has open. Streams still open after it are dropped, their
    // handlers told (on_closed or on_connect_failed), so every handler hears
    // the end of its stream.
    static std::unique_ptr<Transport> start(std::string &error, std::function<void()> before_stop,
                                            Driver driver = Driver::OwnThread);
    // Stops as shutdown() does, unless called on the I/O thread itself (then
    // an own thread finishes on its own).
    virtual ~Transport() = default;

    // Stops the I/O now: open streams are dropped (their handlers hear
    // on_closed), queued commands are discarded, and the call returns once
    // the I/O has ended (the own thread joined; for Driver::Host, once the
    // thread servicing it has let go). Idempotent; not from an own I/O
    // thread, nor from inside service().
    virtual void shutdown() = 0;

    virtual void post(std::function<void()> command) = 0;
    virtual CommandPoster poster() = 0;
    // True on the thread that may make I/O-thread calls right now.
    virtual bool on_io_thread() const = 0;

    // Driver::Host and Driver::Shared (an own-thread transport always
    // refuses). Makes the calling thread the I/O thread until the matching
    // leave(); nests. `wait`: block while another thread holds it (Shared:
    // asking the own thread to let go), else give up at once.
    virtual bool enter(bool wait) = 0;
    virtual void leave() = 0;
    // Driver::Host or Shared, between enter() and leave(): moves bytes, runs timers
    // and posted commands on the calling thread until `done()` says so,
    // `timeout_ms` passed (0: one pass without waiting; negative: no limit)
    // or the transport was stopped.
    virtual void service(int timeout_ms, const std::function<bool()> &done) = 0;

    // I/O thread only. Exactly one of on_connected / on_connect_failed
    // follows for `handler`.
    virtual void connect(const ConnectRequest &request, LinkHandler *handler) = 0;
    virtual std::unique_ptr<Timer> make_timer(std::function<void()> fire) = 0;
};

} // namespace polyws
