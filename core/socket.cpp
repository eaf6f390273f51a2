#include "socket.h"

#include "connection.h"
#include "loop.h"
#include "random.h"
#include "utf8.h"

namespace polyws {

bool is_valid_subprotocol(const std::string &protocol, std::string &error) {
    // RFC 6455 4.1: a token of RFC 2616: visible ASCII except separators.
    static const std::string separators = "()<>@,;:\\\"/[]?={} \t";
    if (protocol.empty()) {
        error = "a subprotocol name must not be empty";
        return false;
    }
    for (unsigned char c : protocol) {
        if (c <= 0x20 || c >= 0x7F || separators.find(char(c)) != std::string::npos) {
            error = "invalid character in subprotocol '" + protocol +
                    "' (names are RFC 6455 tokens: no spaces, commas, separators or non-ASCII)";
            return false;
        }
    }
    return true;
}

Socket::Socket(std::shared_ptr<Loop> loop, WebSocketUrl url, std::vector<std::string> protocols,
               Options options)
    : loop_(std::move(loop)), url_(std::move(url)), protocols_(std::move(protocols)),
      options_(options), outbox_(options_.send_buffer_limit) {}

Socket::~Socket() = default;

Status Socket::create(std::shared_ptr<Loop> loop, const std::string &url_text,
                      std::vector<std::string> protocols, const Options &options,
                      std::shared_ptr<Socket> &out) {
    WebSocketUrl url;
    std::string error;
    if (!parse_websocket_url(url_text, url, error)) return {Result::Syntax, error};
    for (size_t i = 0; i < protocols.size(); ++i) {
        if (!is_valid_subprotocol(protocols[i], error)) return {Result::Syntax, error};
        for (size_t j = 0; j < i; ++j)
            if (protocols[j] == protocols[i])
                return {Result::Syntax, "subprotocol '" + protocols[i] + "' is listed twice"};
    }
    std::shared_ptr<TlsContext> tls;
    if (url.secure) {
        tls = TlsContext::make(options.tls, error);
        if (!tls) return {Result::InvalidArgument, error};
    }
    auto socket = std::make_shared<Socket>(loop, std::move(url), std::move(protocols), options);
    socket->tls_context_ = std::move(tls);
    socket->host_reference_ = socket;
    loop->socket_created();
    if (!options.deferred_connect) socket->connect();
    out = std::move(socket);
    return Status::ok();
}

Status Socket::connect() {
    if (released_.load()) return {Result::InvalidState, "the socket was freed"};
    if (connect_started_.exchange(true))
        return {Result::InvalidState, "the socket is already connecting or connected"};
    auto self = shared_from_this();
    loop_->transport().post([self] { Connection::start(self); });
    return Status::ok();
}

const std::vector<Header> &Socket::response_headers() const {
    static const std::vector<Header> none;
    // Written once under the mutex before OPEN becomes visible, never again.
    std::lock_guard<std::mutex> lock(mutex_);
    return state_ == ReadyState::Connecting ? none : response_headers_;
}

ReadyState Socket::ready_state() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return state_;
}

void Socket::request_write() {
    Transport &transport = loop_->transport();
    // Already on the I/O thread (a listener of an I/O-thread or host-driven
    // loop): no command, no wake-up; the connection writes at
    // once.
    if (transport.on_io_thread()) {
        if (connection) connection->on_outgoing(true);
        return;
    }
    // A loop whose I/O no thread is doing right now (host-driven, or a
    // default loop between the host's waits): this thread may do it for
    // the moment it takes to write. A listener run by ws_loop_dispatch()
    // counts as a listener: its bytes leave the count when dispatch ends.
    if (transport.enter(false)) {
        if (connection) connection->on_outgoing(loop_->dispatching_here());
        transport.leave();
        return;
    }
    // Coalesce: one wake-up of the I/O thread per burst of sends.
    if (write_requested_.exchange(true)) return;
    auto self = shared_from_this();
    transport.post([self] {
        self->write_requested_.store(false);
        if (self->connection) self->connection->on_outgoing(false);
    });
}

Status Socket::ping(std::string payload) {
    if (payload.size() > 125)
        return {Result::InvalidArgument, "a ping carries at most 125 bytes; this one has " +
                                             std::to_string(payload.size())};
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (state_ != ReadyState::Open || close_called_)
            return {Result::InvalidState, "ping() needs an OPEN socket"};
    }
    auto self = shared_from_this();
    run_on_io_thread([self, payload] {
        if (self->connection) self->connection->send_ping(payload);
    });
    return Status::ok();
}

Status Socket::send(Opcode opcode, const void *data, size_t size) {
    if (opcode == Opcode::Text && !is_valid_utf8(data, size))
        return {Result::InvalidUtf8, "the text is not valid UTF-8; nothing was sent"};
    std::unique_lock<std::mutex> lock(mutex_);
    if (state_ == ReadyState::Connecting)
        return {Result::InvalidState, "send() called while the socket is CONNECTING"};
    if (state_ != ReadyState::Open || close_called_) {
        // The browser discards the data but still counts it.
        outbox_.discard(size);
        return Status::ok();
    }
    Outbox::Accepted accepted = outbox_.push(opcode, data, size);
    lock.unlock();
    switch (accepted) {
    case Outbox::Accepted::Queued:
        request_write();
        break;
    case Outbox::Accepted::Discarded:   // the connection is over
        break;
    case Outbox::Accepted::OverLimit: {
        std::string why = "send buffer limit of " + std::to_string(outbox_.limit()) +
                          " bytes exceeded; the connection is closed";
        fail_from_host(why);
        return {Result::BufferFull, why};
    }
    }
    return Status::ok();
}

void Socket::fail_from_host(const std::string &why) {
    auto self = shared_from_this();
    loop_->transport().post([self, why] {
        if (self->connection) self->connection->fail(why, kClosePolicy);
    });
}

Status Socket::close(uint16_t code, const char *reason) {
    if (code != 0 && code != 1000 && (code < 3000 || code > 4999))
        return {Result::InvalidAccess,
                "close code " + std::to_string(code) + " is neither 1000 nor in 3000-4999"};
    std::string reason_text = reason ? reason : "";
    if (reason_text.size() > 123)
        return {Result::Syntax, "close reason is " + std::to_string(reason_text.size()) +
                                   " bytes of UTF-8; at most 123 are allowed"};
    if (!is_valid_utf8(reason_text.data(), reason_text.size()))
        return {Result::InvalidUtf8, "close reason is not valid UTF-8"};
    std::unique_lock<std::mutex> lock(mutex_);
    if (state_ == ReadyState::Closing || state_ == ReadyState::Closed) {
        close_called_ = true;   // no effect, but no reconnect after it either
        return Status::ok();
    }
    bool connecting = state_ == ReadyState::Connecting;
    state_ = ReadyState::Closing;
    close_called_ = true;
    if (connecting) {
        lock.unlock();
        fail_from_host("close() was called before the connection was established");
        return Status::ok();
    }
    // WHATWG close(): a reason given without a code is sent with 1000, since
    // a close frame cannot carry a reason without a code.
    if (code == 0 && !reason_text.empty()) code = kCloseNormal;
    outbox_.push_close(code != 0 ? encode_close_payload(code, reason_text) : std::string());
    lock.unlock();
    request_write();
    return Status::ok();
}

void Socket::release() {
    std::shared_ptr<Socket> self;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        self = std::move(host_reference_);
        released_.store(true);
        for (auto &l : listeners_) l->removed.store(true);
        listeners_.clear();
        // Keep the promise "no listener runs after ws_free returns".
        callbacks_done_.wait(lock, [&] {
            return callbacks_running_ == 0 || callback_thread_ == std::this_thread::get_id();
        });
        if (!close_called_ && state_ != ReadyState::Closed &&
            outbox_.push_close_unless_ended(encode_close_payload(kCloseGoingAway, "")))
            close_called_ = true;
    }
    loop_->drop_held_events(*this);
    loop_->transport().post([self] {
        if (self->connection) self->connection->on_released();
    });
    loop_->socket_released();
}

std::shared_ptr<Socket::Registration> Socket::make_registration(EventKind kind,
                                                               const Listener &listener,
                                                               bool is_handler) {
    auto r = std::make_shared<Registration>();
    r->kind = kind;
    r->listener = listener;
    r->is_handler = is_handler;
    return r;
}

Status Socket::add_listener(EventKind kind, const Listener &listener) {
    if (!listener) return {Result::InvalidArgument, "the listener function is NULL"};
    std::lock_guard<std::mutex> lock(mutex_);
    if (released_) return Status::ok();
    for (auto &r : listeners_)
        if (!r->is_handler && r->kind == kind && r->listener == listener) return Status::ok();
    listeners_.push_back(make_registration(kind, listener, false));
    return Status::ok();
}

void Socket::remove_listener(EventKind kind, const Listener &listener) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = listeners_.begin(); it != listeners_.end(); ++it) {
        auto &r = *it;
        if (!r->is_handler && r->kind == kind && r->listener == listener) {
            r->removed.store(true);
            listeners_.erase(it);
            return;
        }
    }
}

Status Socket::set_handler(EventKind kind, const Listener &listener) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = listeners_.begin(); it != listeners_.end(); ++it) {
        auto &r = *it;
        if (r->is_handler && r->kind == kind) {
            // A replaced handler keeps its place among the listeners, as an
            // event handler attribute does; an empty one removes it.
            r->removed.store(true);
            if (!listener) {
                listeners_.erase(it);
            } else {
                *it = make_registration(kind, listener, true);
            }
            return Status::ok();
        }
    }
    if (listener && !released_) listeners_.push_back(make_registration(kind, listener, true));
    return Status::ok();
}

std::string Socket::last_error() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_error_;
}

void Socket::set_last_error(const std::string &message) {
    std::lock_guard<std::mutex> lock(mutex_);
    last_error_ = message;
}

bool Socket::apply(Event &event) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (released_) return false;
    event.user_data = user_data_.load();
    event.binary_type = binary_type_.load();
    switch (event.kind) {
    case EventKind::Open:
        if (state_ != ReadyState::Connecting) return false;   // close() won the race
        state_ = ReadyState::Open;
        // Written once, before any reader can see OPEN; never changed again.
        protocol_storage_.push_back(event.protocol);
        extensions_storage_.push_back(event.extensions);
        response_headers_ = event.headers;
        protocol_.store(protocol_storage_.back().c_str());
        extensions_.store(extensions_storage_.back().c_str());
        return true;
    case EventKind::Message:
        return state_ == ReadyState::Open;
    case EventKind::PeerClosing:
        if (state_ == ReadyState::Open) state_ = ReadyState::Closing;
        return false;
    case EventKind::Error:
        state_ = ReadyState::Closed;
        last_error_ = event.error;
        return true;
    case EventKind::Close:
        state_ = ReadyState::Closed;
        // Decided on the I/O thread; a close() since then means no reconnect.
        if (close_called_) event.will_reconnect = false;
        // The I/O thread counted what was left when the connection ended;
        // sends the host made since (it still saw OPEN) were discarded:
        // they are unsent too, and bufferedAmount already counts them.
        outbox_.report_unsent(event.unsent_messages, event.unsent_bytes);
        return true;
    case EventKind::Reconnect:
        // A new connection: CONNECTING again, unless close() came first.
        if (state_ != ReadyState::Closed || close_called_) return false;
        state_ = ReadyState::Connecting;
        outbox_.restart();
        return true;
    }
    return false;
}

void Socket::invoke_listeners(const Event &event) {
    std::vector<std::shared_ptr<Registration>> snapshot;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (released_) return;
        for (auto &r : listeners_)
            if (r->kind == event.kind) snapshot.push_back(r);
        if (snapshot.empty()) return;
        ++callbacks_running_;
        callback_thread_ = std::this_thread::get_id();
    }
    for (auto &r : snapshot) {
        if (r->removed.load() || released_.load()) continue;
        try {
            r->listener.run(r->listener, *this, event);
        } catch (...) {
            // A listener threw: the dispatch goes on (and nothing unwinds
            // through the C ABI into the host's dispatch call).
            set_last_error("a listener threw an exception; it was ignored");
        }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    --callbacks_running_;
    callbacks_done_.notify_all();
}

void Socket::run_on_io_thread(std::function<void()> work) {
    Transport &transport = loop_->transport();
    if (transport.on_io_thread()) {
        work();
    } else if (transport.enter(false)) {
        work();
        transport.leave();
    } else {
        transport.post(std::move(work));
    }
}

void Socket::post_event(Event &&event) {
    if (event.kind == EventKind::Message) undelivered_.fetch_add(receive_cost(event));
    event.socket = shared_from_this();
    loop_->post_event(std::move(event));
}

void Socket::on_message_delivered(const Event &message) {
    uint64_t cost = receive_cost(message);
    uint64_t left = undelivered_.fetch_sub(cost) - cost;
    if (left > options_.receive_limit / 2 || !reading_stopped_.load()) return;
    // Whoever clears the flag first restarts the reading (see
    // note_reading_stopped for the other side).
    if (!reading_stopped_.exchange(false)) return;
    auto self = shared_from_this();
    run_on_io_thread([self] {
        if (self->connection) self->connection->resume_reading();
    });
}

bool Socket::note_reading_stopped() {
    reading_stopped_.store(true);
    if (undelivered_.load() > options_.receive_limit / 2) return true;
    // The host went below the mark between the connection's check and the
    // store above, and may not have seen the flag: if it is still set, the
    // host did not, so this side reads on.
    return !reading_stopped_.exchange(false);
}

void Socket::resume_events() {
    if (events_paused_.exchange(false)) loop_->resume_held_events(*this);
}

bool Socket::plan_reconnect(bool was_clean, uint16_t code, uint32_t &delay_ms, uint32_t &attempt) {
    const Options &o = options_;
    if (!o.reconnect_initial_ms || released_.load()) return false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (close_called_) return false;   // this side ended it
    }
    if (was_clean && code == kCloseNormal) return false;   // the server said goodbye
    if (o.reconnect_max_attempts && reconnect_attempts_ >= o.reconnect_max_attempts) return false;
    attempt = ++reconnect_attempts_;
    // Exponential backoff with jitter: a random point in the upper half of
    // min(max, initial * 2^(attempt-1)), so many clients do not return at once.
    uint64_t delay = o.reconnect_initial_ms;
    for (uint32_t i = 1; i < attempt && delay < o.reconnect_max_ms; ++i) delay *= 2;
    if (delay > o.reconnect_max_ms) delay = o.reconnect_max_ms;
    uint8_t r[2];
    fill_random(r, 2);
    uint64_t half = delay / 2;
    delay_ms = uint32_t(delay - half + (half ? (uint64_t(r[0] << 8 | r[1]) % (half + 1)) : 0));
    return true;
}

} // namespace polyws
