#include "loop.h"

#include "connection.h"
#include "platform.h"
#include "resolver.h"

#include <chrono>
#include <optional>
#include <vector>

namespace polyws {

Loop::Loop(Delivery delivery) : delivery_(delivery) {}

Loop::~Loop() {
    // Stop the I/O thread first: nothing may post events after this.
    transport_.reset();
}

Status Loop::create(Delivery delivery, std::shared_ptr<Loop> &out) {
    prepare_openssl();   // before the transport starts OpenSSL (platform.h)
    auto loop = std::make_shared<Loop>(delivery);
    std::string error;
    if (!loop->wakeup_.open(error)) return {Result::Loop, error};
    // At shutdown, end the connections still running; `weak` because the
    // loop may already be gone when its I/O thread finishes on its own.
    std::weak_ptr<Loop> weak = loop;
    loop->transport_ = Transport::start(
        error,
        [weak] {
            if (auto alive = weak.lock()) alive->abandon_connections();
        },
        delivery == Delivery::HostDriven ? Driver::Host
        : delivery == Delivery::IoThread ? Driver::OwnThread
                                         : Driver::Shared);
    if (!loop->transport_) return {Result::Loop, "could not start the I/O thread: " + error};
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
    if (!transport_ || (delivery_ != Delivery::HostDriven && transport_->on_io_thread())) return;
    transport_->shutdown();
    // No thread of the library may outlive the host's last call into it:
    // on Windows a thread still running at process exit can hang the exit
    // (see resolver.cpp).
    join_lookups(Stage::Delivered);
    // Events nobody will dispatch hold their sockets, which hold this loop:
    // drop them, or the loop would keep itself alive.
    std::deque<Event> dropped;
    std::unordered_map<Socket *, std::deque<Event>> dropped_held;
    {
        std::lock_guard<std::mutex> lock(queue_mutex_);
        dropped.swap(queue_);
        dropped_held.swap(held_);
        any_held_.store(false);
    }
    if (dispatch_thread_.load() != std::this_thread::get_id() && dispatch_mutex_.try_lock()) {
        current_ = Event();
        dispatch_mutex_.unlock();
    }
}

Loop::HostDrive::HostDrive(Loop &loop, int &timeout_ms) : loop_(loop) {
    auto has_events = [&loop] {
        std::lock_guard<std::mutex> lock(loop.queue_mutex_);
        return !loop.queue_.empty();
    };
    switch (loop.delivery_) {
    case Delivery::IoThread:
        return;
    case Delivery::HostDriven:
        entered_ = loop.transport_->enter(true);
        break;
    case Delivery::Dispatch:
        // The default loop: take the I/O over from the loop's thread only
        // to wait (and not when events already wait). A call that does not
        // wait only drains the queue: the bindings make one after each event
        // (to take what else is queued), which would otherwise often poll
        // the sockets a second time per message; the standby serves a host
        // that never waits.
        if (timeout_ms == 0 || has_events()) return;
        entered_ = loop.transport_->enter(true);
        break;
    }
    loop.transport_->service(timeout_ms, has_events);
    timeout_ms = 0;   // the waiting is done
}

Loop::HostDrive::~HostDrive() {
    if (!entered_) return;
    // The listeners have returned: what they sent is on its way.
    loop_.settle_listener_writes();
    loop_.transport_->leave();
}

bool Loop::settle_after_dispatch(Connection *c) {
    if (delivery_ == Delivery::IoThread || !dispatching_here()) return false;
    to_settle_.insert(c);
    unsettled_.store(true);
    return true;
}

void Loop::settle_listener_writes() {
    if (!unsettled_.load()) return;
    auto settle = [this] {
        unsettled_.store(false);
        std::unordered_set<Connection *> settle;
        settle.swap(to_settle_);
        for (Connection *c : settle) c->settle_sent_bytes();
    };
    if (transport_->on_io_thread()) {
        settle();
    } else if (transport_->enter(false)) {
        settle();
        transport_->leave();
    } else {
        // The loop's thread took the I/O back while a listener ran.
        std::shared_ptr<Loop> self = shared_from_this();
        transport_->post([self, settle] { settle(); });
    }
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

void Loop::run_now(Event &event) {
    if (deliverable(event)) event.socket->invoke_listeners(event);
}

bool Loop::deliverable(Event &event) {
    if (event.kind == EventKind::Message) event.socket->on_message_delivered(event);
    return event.socket->apply(event);
}

void Loop::post_event(Event &&event) {
    if (delivery_ == Delivery::IoThread) {
        if (!event.socket->events_paused() && !any_held_.load()) {
            run_now(event);
            return;
        }
        std::unique_lock<std::mutex> lock(queue_mutex_);
        auto held = held_.find(event.socket.get());
        if (event.socket->events_paused() || held != held_.end()) {
            held_[event.socket.get()].push_back(std::move(event));
            any_held_.store(true);
            return;
        }
        lock.unlock();
        run_now(event);
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

void Loop::resume_held_events(Socket &socket) {
    if (delivery_ == Delivery::IoThread) {
        std::shared_ptr<Loop> self = shared_from_this();
        std::shared_ptr<Socket> held = socket.shared_from_this();
        transport_->post([self, held] { self->run_held_events(*held); });
        return;
    }
    std::lock_guard<std::mutex> lock(queue_mutex_);
    auto held = held_.find(&socket);
    if (held == held_.end()) return;
    // They were taken from the front of the queue, before any later event
    // of the same socket: in front is where they belong.
    bool was_empty = queue_.empty();
    queue_.insert(queue_.begin(), std::make_move_iterator(held->second.begin()),
                  std::make_move_iterator(held->second.end()));
    held_.erase(held);
    any_held_.store(!held_.empty());
    if (was_empty && !queue_.empty()) {
        if (fd_exposed_.load()) wakeup_.raise();
        queue_cv_.notify_all();
    }
}

void Loop::run_held_events(Socket &socket) {
    for (;;) {
        Event event;
        {
            std::lock_guard<std::mutex> lock(queue_mutex_);
            auto held = held_.find(&socket);
            if (held == held_.end()) return;
            if (socket.events_paused()) return;   // paused again by a listener
            event = std::move(held->second.front());
            held->second.pop_front();
            if (held->second.empty()) {
                held_.erase(held);
                any_held_.store(!held_.empty());
            }
        }
        run_now(event);
    }
}

void Loop::drop_held_events(Socket &socket) {
    std::deque<Event> dropped;   // destroyed outside the lock
    std::lock_guard<std::mutex> lock(queue_mutex_);
    auto held = held_.find(&socket);
    if (held == held_.end()) return;
    dropped.swap(held->second);
    held_.erase(held);
    any_held_.store(!held_.empty());
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
        // Held while paused, and behind its held events while ws_resume()
        // is on its way to put them back (it clears the flag first).
        if (out.socket->events_paused() || (any_held_.load() && held_.count(out.socket.get()))) {
            held_[out.socket.get()].push_back(std::move(out));
            any_held_.store(true);
            out = Event();
            continue;
        }
        lock.unlock();
        if (deliverable(out)) return true;
        out = Event();
        lock.lock();
    }
}

bool Loop::begin_dispatch(Status &status) {
    if (delivery_ == Delivery::IoThread) {
        status = {Result::InvalidArgument, "this loop delivers events on its I/O thread"};
        return false;
    }
    if (dispatch_thread_.load() == std::this_thread::get_id()) {
        status = {Result::Reentrant, "dispatch called from inside a listener of the same loop"};
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
    // This thread does the I/O while it waits for the first event.
    // Host-driven, it stays the I/O thread while the listeners run, so their
    // sends go to the kernel at once. The default loop lets go before them:
    // its own thread takes the I/O back if one runs long, and their sends,
    // made while no thread holds the I/O, still go straight out.
    std::optional<HostDrive> drive;
    drive.emplace(*this, timeout_ms);
    if (delivery_ != Delivery::HostDriven) drive.reset();
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
    drive.reset();
    settle_listener_writes();
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
