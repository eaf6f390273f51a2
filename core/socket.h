// The WebSocket object as the host sees it: readyState, listeners, and the
// outbox (send queue and bufferedAmount) shared with the I/O thread. Every method is
// thread-safe. The protocol work itself happens in Connection, on the I/O
// thread.
#pragma once

#include "event.h"
#include "frame.h"
#include "listener.h"
#include "options.h"
#include "outbox.h"
#include "status.h"
#include "url.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace polyws {

class Loop;
class Connection;

// readyState.
enum class ReadyState { Connecting, Open, Closing, Closed };

class Socket : public std::enable_shared_from_this<Socket> {
public:
    Socket(std::shared_ptr<Loop> loop, WebSocketUrl url, std::vector<std::string> protocols,
           Options options);
    ~Socket();

    // Validates the constructor arguments as `new WebSocket()` does, creates
    // the socket and starts connecting.
    static Status create(std::shared_ptr<Loop> loop, const std::string &url,
                         std::vector<std::string> protocols, const Options &options,
                         std::shared_ptr<Socket> &out);

    // ---- Host side (any thread) ----
    ReadyState ready_state() const;
    const char *url() const { return url_.serialized.c_str(); }
    const char *protocol() const { return protocol_.load(); }
    const char *extensions() const { return extensions_.load(); }
    // The handshake response's headers, once open is dispatched (else none).
    const std::vector<Header> &response_headers() const;
    BinaryType binary_type() const { return binary_type_.load(); }
    void set_binary_type(BinaryType type) { binary_type_.store(type); }
    uint64_t buffered_amount() const { return outbox_.buffered(); }
    // Receive flow control (ws_options_set_receive_limit): what the messages
    // received and not yet handed to the host count, each its payload plus
    // what its event costs until the host takes it (the event in its queue,
    // the payload's allocation). Without that cost a server sending empty
    // or tiny messages would be read without bound.
    uint64_t undelivered_amount() const { return undelivered_.load(); }
    static constexpr uint64_t kReceivedMessageOverhead = sizeof(Event) + 64;
    static uint64_t receive_cost(const Event &message) {
        return message.data.size() + kReceivedMessageOverhead;
    }
    // ws_pause / ws_resume: hold this socket's events in the loop.
    void pause_events() { events_paused_.store(true); }
    void resume_events();
    bool events_paused() const { return events_paused_.load(); }
    void *user_data() const { return user_data_.load(); }
    void set_user_data(void *p) { user_data_.store(p); }

    // Starts connecting; once only (create() calls it unless the options
    // defer it to ws_connect()).
    Status connect();
    Status send(Opcode opcode, const void *data, size_t size);
    Status close(uint16_t code, const char *reason);
    // ws_ping: a ping frame with `payload` (at most 125 bytes), OPEN only.
    Status ping(std::string payload);
    // ws_free: drop the host's reference; no listener runs once it returns.
    void release();

    // addEventListener / removeEventListener for one of the public kinds
    // (not PeerClosing); the same listener added twice runs once.
    Status add_listener(EventKind kind, const Listener &listener);
    void remove_listener(EventKind kind, const Listener &listener);
    // The on<kind> handler: replaced in place among the listeners; an empty
    // listener removes it.
    Status set_handler(EventKind kind, const Listener &listener);

    std::string last_error() const;
    void set_last_error(const std::string &message);

    // ---- Dispatch (the thread that delivers events) ----
    // Applies the event to readyState and friends; false when the browser
    // would not deliver it (a message after close(), a freed socket).
    bool apply(Event &event);
    // Runs the listeners registered for the event's type, in order.
    void invoke_listeners(const Event &event);

    // The host took (or the loop dropped) a message of `bytes`: reading
    // resumes once the socket is down to half its receive limit.
    void on_message_delivered(const Event &message);

    // ---- I/O thread (Connection) ----
    void post_event(Event &&event);
    // Receive flow control, I/O thread: the connection stopped reading
    // because undelivered_amount() reached the limit. Returns false when the
    // host already took enough meanwhile (then it must read on at once).
    bool note_reading_stopped();
    // What the connection writes from, and ends when it is over.
    Outbox &outbox() { return outbox_; }
    // Whether a connection that ended so should be followed by another
    // (the reconnect option), and if so after how long. I/O thread.
    bool plan_reconnect(bool was_clean, uint16_t code, uint32_t &delay_ms, uint32_t &attempt);
    // The connection opened: the reconnect backoff starts over. I/O thread.
    void on_connection_opened() { reconnect_attempts_ = 0; }
    bool released() const { return released_.load(); }
    bool close_called() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return close_called_;
    }
    const WebSocketUrl &parsed_url() const { return url_; }
    const std::vector<std::string> &requested_protocols() const { return protocols_; }
    const Options &options() const { return options_; }
    // wss only: the TLS context built from the options at creation.
    const std::shared_ptr<TlsContext> &tls_context() const { return tls_context_; }
    Loop &loop() { return *loop_; }
    Connection *connection = nullptr;   // owned by the I/O thread

private:
    // A listener as registered: a snapshot taken for one event still runs
    // it unless `removed` was set meanwhile.
    struct Registration {
        EventKind kind;
        Listener listener;
        bool is_handler;
        std::atomic<bool> removed{false};
    };

    static std::shared_ptr<Registration> make_registration(EventKind kind, const Listener &listener,
                                                           bool is_handler);
    void request_write();
    // Runs `work` on the I/O thread: here when this thread is it or may
    // become it for a moment, else as a command.
    void run_on_io_thread(std::function<void()> work);
    void fail_from_host(const std::string &why);

    std::shared_ptr<Loop> loop_;
    const WebSocketUrl url_;
    const std::vector<std::string> protocols_;
    const Options options_;
    std::shared_ptr<TlsContext> tls_context_;

    mutable std::mutex mutex_;
    std::condition_variable callbacks_done_;
    ReadyState state_ = ReadyState::Connecting;
    bool close_called_ = false;        // close() or a failure started the end
    Outbox outbox_;
    std::vector<std::shared_ptr<Registration>> listeners_;
    std::string last_error_;
    int callbacks_running_ = 0;
    std::thread::id callback_thread_;

    // Written at each open; earlier values stay (pointers handed out by
    // ws_protocol() and friends remain valid until ws_free).
    std::deque<std::string> protocol_storage_, extensions_storage_;
    std::vector<Header> response_headers_;
    std::atomic<const char *> protocol_{""}, extensions_{""};
    std::atomic<BinaryType> binary_type_{BinaryType::Blob};
    std::atomic<uint64_t> undelivered_{0};
    std::atomic<bool> events_paused_{false};
    // Set by the I/O thread when it stops reading; whoever clears it first
    // (the host taking messages, or the I/O thread's own re-check) has the
    // connection read again.
    std::atomic<bool> reading_stopped_{false};
    std::atomic<void *> user_data_{nullptr};
    std::atomic<bool> released_{false};
    std::atomic<bool> connect_started_{false};
    std::atomic<bool> write_requested_{false};
    std::shared_ptr<Socket> host_reference_;   // the handle's own reference
    uint32_t reconnect_attempts_ = 0;          // I/O thread
    friend class Connection;
};

// RFC 6455 token rules for one subprotocol name; false with a reason.
bool is_valid_subprotocol(const std::string &protocol, std::string &error);

} // namespace polyws
