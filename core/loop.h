// A loop: the transport's I/O thread plus the queue of events waiting for
// the host, with the descriptor (wakeup.h) that tells a host's poller when
// to dispatch.
//
// Who does the I/O depends on the delivery mode:
//   - WS_DELIVERY_IO_THREAD: the loop's own thread, always (Driver::OwnThread).
//   - WS_DELIVERY_HOST_DRIVEN: whichever host thread dispatches (Driver::Host).
//   - WS_DELIVERY_DISPATCH, the default: both (Driver::Shared). A host thread
//     that waits in dispatch or next_event does the I/O itself while it
//     waits, so a reply is read, and the host's next send written, with no
//     hand-off between threads; the loop's own thread takes the I/O back a
//     few milliseconds after the host stops waiting (or at once, when the
//     host asks to wait while it holds it), so connects, pings, timers and
//     closing handshakes go on while the host does something else.
#pragma once

#include "event.h"
#include "polyws.h"
#include "socket.h"
#include "transport.h"
#include "wakeup.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace polyws {

class Connection;

class Loop : public std::enable_shared_from_this<Loop> {
public:
    static Status create(ws_delivery_t delivery, std::shared_ptr<Loop> &out);
    explicit Loop(ws_delivery_t delivery);
    ~Loop();

    ws_delivery_t delivery() const { return delivery_; }
    Transport &transport() { return *transport_; }
    // The wake-up descriptor is only kept up to date once a host has asked for it:
    // until then nobody can be polling it, and each message would cost two
    // system calls (a write on the I/O thread, a read on the host's) for
    // nothing.
    int fd() const {
        if (delivery_ != WS_DELIVERY_DISPATCH) return -1;   // host-driven: dispatch waits itself
        if (!fd_exposed_.load()) expose_fd();
        return wakeup_.descriptor();
    }

    // I/O thread: hands an event to the host (queued, or run at once for
    // WS_DELIVERY_IO_THREAD loops).
    void post_event(Event &&event);

    // Host thread.
    Status dispatch(int timeout_ms, size_t *dispatched);
    Status next_event(int timeout_ms, const Event **out);

    // The handle's reference: ws_loop_new sets it, ws_loop_free drops it.
    void hold_host_reference() { host_reference_ = shared_from_this(); }
    void release();

    // Socket handles alive on this loop. Once the loop handle and every
    // socket handle are released, the I/O thread is stopped and joined, so
    // no thread of the library outlives the host's last free call.
    void socket_created() { ++live_sockets_; }
    void socket_released();
    // Stops the I/O thread now (also used at process exit for the default
    // loop). Not from the I/O thread, where it does nothing.
    void shutdown_io();

    // The connections running on the I/O thread (I/O thread only), so a
    // stopping loop can end each of them.
    void add_connection(Connection *c) { connections_.insert(c); }
    void remove_connection(Connection *c);
    // `c` wrote bytes from a listener run by dispatch on this thread;
    // bufferedAmount drops by them when that dispatch call ends (a browser
    // drains it in a later task). False when no dispatch call of this loop
    // runs on the calling thread (I/O-thread loops: never). I/O thread.
    bool settle_after_dispatch(Connection *c);
    // True on the thread running dispatch or next_event of this loop.
    bool dispatching_here() const { return dispatch_thread_.load() == std::this_thread::get_id(); }

    // ws_pause / ws_resume: events of a paused socket wait aside, in order,
    // until it resumes; ws_free drops them.
    void resume_held_events(Socket &socket);
    void drop_held_events(Socket &socket);
    void abandon_connections();
    // Starts a new connection for `socket` in `delay_ms` (the reconnect
    // option), announcing it with a reconnect event. I/O thread only.
    void schedule_reconnect(std::shared_ptr<Socket> socket, uint32_t delay_ms, uint32_t attempt);

    static Loop *from_handle(ws_loop *loop) { return reinterpret_cast<Loop *>(loop); }
    static const Loop *from_handle(const ws_loop *loop) { return reinterpret_cast<const Loop *>(loop); }
    ws_loop *handle() { return reinterpret_cast<ws_loop *>(this); }

private:
    // Host-driven loops, for one dispatch call: the calling thread becomes
    // the I/O thread, runs the I/O until an event waits or `timeout_ms` is
    // over (then set to 0), and stays the I/O thread until destruction.
    // Does nothing for the other deliveries.
    class HostDrive {
    public:
        HostDrive(Loop &loop, int &timeout_ms);
        ~HostDrive();

    private:
        Loop &loop_;
        bool entered_ = false;
    };

    // Waits for, takes and applies the next deliverable event. False when
    // none came in time. `budget` bounds how many queued events it looks at.
    bool take(int timeout_ms, Event &out, size_t *budget);
    // Counts the event as handed to the host; false when the browser would
    // not deliver it.
    static bool deliverable(Event &event);
    // WS_DELIVERY_IO_THREAD: runs the event's listeners now. I/O thread.
    static void run_now(Event &event);
    void run_held_events(Socket &socket);   // WS_DELIVERY_IO_THREAD, I/O thread
    // Applies what listeners wrote to bufferedAmount (settle_after_dispatch).
    void settle_listener_writes();
    bool begin_dispatch(Status &status);
    void expose_fd() const;
    void end_dispatch();

    const ws_delivery_t delivery_;
    mutable Wakeup wakeup_;            // declared first: destroyed after the I/O thread
    std::unique_ptr<Transport> transport_;

    mutable std::mutex queue_mutex_;
    mutable std::atomic<bool> fd_exposed_{false};   // written under queue_mutex_
    std::condition_variable queue_cv_;
    std::deque<Event> queue_;
    std::unordered_map<Socket *, std::deque<Event>> held_;   // paused sockets' events
    std::atomic<bool> any_held_{false};   // held_ is not empty; written under queue_mutex_

    std::mutex dispatch_mutex_;
    std::atomic<std::thread::id> dispatch_thread_{};
    Event current_;                    // what next_event() handed out

    std::shared_ptr<Loop> host_reference_;
    std::atomic<bool> host_released_{false};
    std::atomic<int> live_sockets_{0};
    std::unordered_set<Connection *> connections_;
    std::unordered_set<Connection *> to_settle_;   // I/O thread only
    std::atomic<bool> unsettled_{false};           // to_settle_ is not empty
    struct PendingReconnect {
        std::shared_ptr<Socket> socket;
        std::unique_ptr<Timer> timer;
    };
    std::unordered_map<Socket *, PendingReconnect> reconnects_;   // I/O thread only
};

} // namespace polyws
