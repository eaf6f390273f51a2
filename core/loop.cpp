#include "loop.h"

#include "connection.h"
#include "platform.h"
#include "resolver.h"

#include <chrono>
#include <vector>

namespace polyws {

Loop::Loop(ws_delivery_t delivery) : delivery_(delivery) {}

Loop::~Loop() {
    // Stop the I/O thread first: nothing may post events after this.
    transport_.reset();
}

Status Loop::create(ws_delivery_t delivery, std::shared_ptr<Loop> &out) {
    if (delivery != WS_DELIVERY_DISPATCH && delivery != WS_DELIVERY_IO_THREAD &&
        delivery != WS_DELIVERY_HOST_DRIVEN)
        return {WS_ERR_INVALID_ARGUMENT, "unknown delivery mode"};
    prepare_openssl();   // before the transport starts OpenSSL (platform.h)
    auto loop = std::make_shared<Loop>(delivery);
    std::string error;
    if (!loop->wakeup_.open(error)) return {WS_ERR_LOOP, error};
    // At shutdown, end the connections still running; `weak` because the
    // loop may already be gone when its I/O thread finishes on its own.
    std::weak_ptr<Loop> weak = loop;
    loop->transport_ = Transport::start(
        error,
        [weak] {
            if (auto alive = weak.lock()) alive->abandon_connections();
        },
        delivery == WS_DELIVERY_HOST_DRIVEN ? Driver::Host : Driver::OwnThread);
    if (!loop->transport_) return {WS_ERR_LOOP, "could not start the I/O thread: " + error};
    out = std::move(loop);
    return Status::ok();
}

void Loop::release() {
    // `keep` holds the loop through the shutdown; dropping it then destroys
    // the loop unless events or closing sockets still refer to it.
    std::shared_ptr<Loop> keep = std::move(host_reference_);
    host_released_.store(true);
    if (live_sockets_.load() == 0) shutdown_io();
}

void Loop::socket_released() {
    if (--live_sockets_ == 0 && host_released_.load()) {
        std::shared_ptr<Loop> keep = shared_from_this();
        shutdown_io();
    }
}

void Loop::abandon_connections() {
    reconnects_.clear();   // their timers never fire now
    std::vector<Connection *> open(connections_.begin(), connections_.end());
    for (Connection *c : open) c->abandon();
}

void Loop::schedule_reconnect(std::shared_ptr<Socket> socket, uint32_t delay_ms, uint32_t attempt) {
    Socket *key = socket.get();
    PendingReconnect &pending = reconnects_[key];
    pending.socket = std::move(socket);
    pending.timer = transport_->make_timer([this, key, attempt] {
        auto it = reconnects_.find(key);
        if (it == reconnects_.end()) return;
        std::shared_ptr<Socket> s = std::move(it->second.socket);
        std::unique_ptr<Timer> fired = std::move(it->second.timer);   // freed on return
        reconnects_.erase(it);
        if (s->released() || s->close_called()) return;
        Event reconnect;
        reconnect.kind = EventKind::Reconnect;
        reconnect.attempt = attempt;
        s->post_event(std::move(reconnect));
        Connection::start(s);
    });
    pending.timer->arm(delay_ms);
}

void Loop::shutdown_io() {
    // An own I/O thread cannot stop itself here; a host-driven loop is
    // stopped by whichever thread frees it, even from a listener.
    if (!transport_ || (delivery_ != WS_DELIVERY_HOST_DRIVEN && transport_->on_io_thread())) return;
    transport_->shutdown();
    // No thread of the library may outlive the host's last call into it:
    // on Windows a thread still running at process exit can hang the exit
    // (see resolver.cpp).
    join_lookups(Stage::Delivered);
    // Events nobody will dispatch hold their sockets, which hold this loop:
    // drop them, or the loop would keep itself alive.
    std::deque<Event> dropped;
    {
        std::lock_guard<std::mutex> lock(queue_mutex_);
        dropped.swap(queue_);
    }
    if (dispatch_thread_.load() != std::this_thread::get_id() && dispatch_mutex_.try_lock()) {
        current_ = Event();
        dispatch_mutex_.unlock();
    }
}

Loop::HostDrive::HostDrive(Loop &loop, int &timeout_ms) : loop_(loop) {
    if (loop.delivery_ != WS_DELIVERY_HOST_DRIVEN) return;
    entered_ = loop.transport_->enter(true);
    loop.transport_->service(timeout_ms, [&loop] {
        std::lock_guard<std::mutex> lock(loop.queue_mutex_);
        return !loop.queue_.empty();
    });
    timeout_ms = 0;   // the waiting is done
}

Loop::HostDrive::~HostDrive() {
    if (!entered_) return;
    // The listeners have returned: what they sent is on its way.
    std::unordered_set<Connection *> settle;
    settle.swap(loop_.to_settle_);
    for (Connection *c : settle) c->settle_sent_bytes();
    loop_.transport_->leave();
}

bool Loop::settle_after_dispatch(Connection *c) {
    if (delivery_ != WS_DELIVERY_HOST_DRIVEN) return false;
    to_settle_.insert(c);
    return true;
}

void Loop::remove_connection(Connection *c) {
    connections_.erase(c);
    to_settle_.erase(c);
}

void Loop::expose_fd() const {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (fd_exposed_.load()) return;
    fd_exposed_.store(true);
    if (!queue_.empty()) wakeup_.raise();
}

void Loop::post_event(Event &&event) {
    if (delivery_ == WS_DELIVERY_IO_THREAD) {
        if (event.socket->apply(event)) event.socket->invoke_listeners(event);
        return;
    }
    std::lock_guard<std::mutex> lock(queue_mutex_);
    bool was_empty = queue_.empty();
    queue_.push_back(std::move(event));
    if (was_empty) {
        // The descriptor is a level: readable while the queue is non-empty.
        if (fd_exposed_.load()) wakeup_.raise();
        queue_cv_.notify_all();
    }
}

bool Loop::take(int timeout_ms, Event &out, size_t *budget) {
    std::unique_lock<std::mutex> lock(queue_mutex_);
    for (;;) {
        if (queue_.empty()) {
            if (timeout_ms == 0) return false;
            if (timeout_ms < 0) {
                queue_cv_.wait(lock, [&] { return !queue_.empty(); });
            } else if (!queue_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                                           [&] { return !queue_.empty(); })) {
                return false;
            }
            timeout_ms = 0;   // only the first event is waited for
        }
        if (budget) {
            if (*budget == 0) return false;
            --*budget;
        }
        out = std::move(queue_.front());
        queue_.pop_front();
        if (queue_.empty() && fd_exposed_.load()) wakeup_.lower();
        lock.unlock();
        if (out.socket->apply(out)) return true;
        out = Event();
        lock.lock();
    }
}

bool Loop::begin_dispatch(Status &status) {
    if (delivery_ == WS_DELIVERY_IO_THREAD) {
        status = {WS_ERR_INVALID_ARGUMENT, "this loop delivers events on its I/O thread"};
        return false;
    }
    if (dispatch_thread_.load() == std::this_thread::get_id()) {
        status = {WS_ERR_REENTRANT, "dispatch called from inside a listener of the same loop"};
        return false;
    }
    dispatch_mutex_.lock();
    dispatch_thread_.store(std::this_thread::get_id());
    return true;
}

void Loop::end_dispatch() {
    dispatch_thread_.store(std::thread::id());
    dispatch_mutex_.unlock();
}

Status Loop::dispatch(int timeout_ms, size_t *dispatched) {
    if (dispatched) *dispatched = 0;
    Status status;
    if (!begin_dispatch(status)) return status;
    // A listener may free the last socket and the loop handle: stay alive.
    std::shared_ptr<Loop> self = shared_from_this();
    // Host-driven: this thread is the I/O thread until the events are run,
    // so the listeners' sends go to the kernel at once.
    HostDrive drive(*this, timeout_ms);
    size_t budget;
    {
        std::lock_guard<std::mutex> lock(queue_mutex_);
        budget = queue_.size();
    }
    // Run what is queued now (or the first event to arrive), not what the
    // listeners' own actions add: a busy socket cannot starve the caller.
    size_t count = 0;
    Event event;
    if (budget == 0) {
        if (take(timeout_ms, event, nullptr)) {
            event.socket->invoke_listeners(event);
            ++count;
        }
        std::lock_guard<std::mutex> lock(queue_mutex_);
        budget = queue_.size();
    }
    while (take(0, event, &budget)) {
        event.socket->invoke_listeners(event);
        ++count;
    }
    event = Event();
    end_dispatch();
    if (dispatched) *dispatched = count;
    return Status::ok();
}

Status Loop::next_event(int timeout_ms, const Event **out) {
    *out = nullptr;
    Status status;
    if (!begin_dispatch(status)) return status;
    std::shared_ptr<Loop> self = shared_from_this();
    current_ = Event();
    {
        HostDrive drive(*this, timeout_ms);
        if (take(timeout_ms, current_, nullptr)) *out = &current_;
    }
    end_dispatch();
    return Status::ok();
}

} // namespace polyws
