// The transport on libwebsockets 4.1.6: the only file that includes it.
//
// lws is used for what it does well here: the poll loop, TCP connects and
// timers. Connections are opened in lws's RAW mode; TLS runs above them in
// the core (tls_stream.cpp: in 4.1.6 a RAW client with TLS fails inside
// lws_client_connect_via_info, which starts TLS before the TCP connect when
// async DNS is off), and so does the WebSocket protocol (handshake.cpp,
// frame.cpp, connection.cpp): lws 4.1.6's own ws client
// cannot be shielded from several of its faults (it accepts masked server
// frames, rewrites invalid close codes before the application can see them,
// hides the server's close reply, loops forever on deflate + pong with
// payload), so it is not used at all.
//
// Threading: one thread at a time runs lws_service() and makes every other
// lws call: the transport's own thread (Driver::OwnThread), whichever host
// thread holds the transport (Driver::Host), or either (Driver::Shared; see
// standby()). Other threads only append to the command queue and call
// lws_cancel_service(), the one lws call that is safe from another thread;
// the I/O thread drains the whole queue on LWS_CALLBACK_EVENT_WAIT_CANCELLED
// (wake-ups merge).
#include "transport.h"

#include "platform.h"
#include "spin_policy.h"

#include <libwebsockets.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

namespace polyws {
namespace {

struct State;

// A connection's lws side. Owned by the wsi (opaque user data) from
// connect until the wsi closes or fails to connect.
class LwsLink final : public Link {
public:
    LwsLink(State *state, LinkHandler *handler);
    ~LwsLink() override;

    void request_write() override {
        if (wsi_ && !closing_) lws_callback_on_writable(wsi_);
    }
    // lws_partial_buffered: what the kernel refused last time still waits
    // in lws; then only the writable callback may write, after it.
    bool can_write_now() const override { return wsi_ && !closing_ && !lws_partial_buffered(wsi_); }
    bool write(const uint8_t *data, size_t size) override {
        if (!wsi_ || closing_) return false;
        // LWS_WRITE_RAW needs no LWS_PRE headroom; lws copies whatever the
        // socket does not take at once and writes it before the next
        // writable callback.
        int n = lws_write(wsi_, const_cast<uint8_t *>(data), size, LWS_WRITE_RAW);
        return n >= 0;
    }
    void set_reading(bool reading) override {
        // Takes POLLIN off (or back on) the socket's poll entry.
        if (wsi_ && !closing_) lws_rx_flow_control(wsi_, reading ? 1 : 0);
    }
    void close() override {
        if (!wsi_ || closing_) return;
        closing_ = true;
        lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }

    State *state_;
    LinkHandler *handler_;
    struct lws *wsi_ = nullptr;
    bool closing_ = false;
    bool connected_ = false;
    bool in_connect_call_ = false;
    bool failure_reported_ = false;
    std::string peer_;
};

struct State {
    std::unordered_set<LwsLink *> links;   // I/O thread only
    std::function<void()> before_stop;
    std::mutex mutex;
    std::vector<std::function<void()>> commands;
    struct lws_context *context = nullptr;   // null once stopped
    std::atomic<bool> stop{false};

    // The I/O thread: the own thread for its whole life, or (Driver::Host,
    // Driver::Shared) whichever thread holds `owner_mutex`. Every lws call
    // is made by it.
    Driver driver = Driver::OwnThread;
    std::atomic<std::thread::id> owner{};
    std::mutex owner_mutex;
    int owner_depth = 0;           // owner only
    bool in_lws_service = false;   // owner only
    bool finished = false;         // owner only
    SpinPolicy spin{SpinPolicy::budget_from(std::getenv("POLYWS_SPIN_US"))};   // owner only

    // Driver::Shared: the own thread's standby (see standby()).
    std::atomic<int> takeover_requests{0};     // host threads waiting in enter(true)
    std::atomic<int64_t> host_left_at_ns{0};   // steady clock, the last leave()
    std::atomic<bool> standby_waits_for_leave{false};
    std::mutex standby_mutex;
    std::condition_variable standby_cv;

    bool owned_here() const { return owner.load() == std::this_thread::get_id(); }
    bool held() const { return owner.load() != std::thread::id(); }

    // Makes the thread in lws_service() return (it runs the commands first).
    void wake_service() {
        std::lock_guard<std::mutex> lock(mutex);
        if (context) lws_cancel_service(context);
    }
    void wake_standby() {
        std::lock_guard<std::mutex> lock(standby_mutex);
        standby_cv.notify_all();
    }

    void post(std::function<void()> command) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!context) return;   // stopped: the command is dropped
        commands.push_back(std::move(command));
        lws_cancel_service(context);
    }

    void run_commands() {
        std::vector<std::function<void()>> batch;
        {
            std::lock_guard<std::mutex> lock(mutex);
            batch.swap(commands);
        }
        for (auto &command : batch) command();
    }

    void request_stop() {
        stop.store(true);
        wake_service();
        if (driver == Driver::Shared) wake_standby();
    }
};

void report_connect_failure(LwsLink *link, const char *lws_reason);

// The end of a transport, on its I/O thread: the last queued commands, the
// owner's own ending, then every stream still open is dropped (its handler
// hears so) and the context destroyed. Runs once; `state` is held by the
// caller, since the Transport object itself may be destroyed meanwhile (a
// handler dropping the last reference to the loop that owns it).
void finish(const std::shared_ptr<State> &state) {
    if (state->finished) return;
    state->finished = true;
    state->run_commands();
    if (state->before_stop) state->before_stop();
    std::vector<LwsLink *> open(state->links.begin(), state->links.end());
    for (LwsLink *link : open) {
        if (link->wsi_) lws_set_opaque_user_data(link->wsi_, nullptr);
        if (link->connected_) link->handler_->on_closed();
        else report_connect_failure(link, "the loop was shut down");
        delete link;
    }
    struct lws_context *ctx;
    {
        std::lock_guard<std::mutex> lock(state->mutex);
        ctx = state->context;
        state->context = nullptr;
        state->commands.clear();
    }
    lws_context_destroy(ctx);
}

LwsLink::LwsLink(State *state, LinkHandler *handler) : state_(state), handler_(handler) {
    state_->links.insert(this);
}

LwsLink::~LwsLink() { state_->links.erase(this); }

void report_connect_failure(LwsLink *link, const char *lws_reason) {
    if (link->failure_reported_) return;
    link->failure_reported_ = true;
    std::string why = "could not connect to " + link->peer_ + ": " +
              (lws_reason && std::strcmp(lws_reason, "Unable to connect") != 0 && *lws_reason
                   ? lws_reason
                   : "the TCP connection failed (refused, unreachable or timed out)");
    link->handler_->on_connect_failed(why);
}

int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    (void)user;
    auto *link = wsi ? static_cast<LwsLink *>(lws_get_opaque_user_data(wsi)) : nullptr;
    switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED: {
        auto *state = static_cast<State *>(lws_context_user(lws_get_context(wsi)));
        if (state) state->run_commands();
        return 0;
    }
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (!link) return 0;
        lws_set_opaque_user_data(wsi, nullptr);
        report_connect_failure(link, static_cast<const char *>(in));
        if (!link->in_connect_call_) delete link;
        return 0;
    case LWS_CALLBACK_RAW_CONNECTED:
        if (!link) return 0;
        link->connected_ = true;
        link->handler_->on_connected(*link);
        return 0;
    case LWS_CALLBACK_RAW_RX:
        if (!link || link->closing_) return 0;
        link->handler_->on_bytes(static_cast<const uint8_t *>(in), len);
        // On Windows a close or reset that arrived with these bytes is
        // dropped by lws 4.1.6 and never reported again (platform.h,
        // peer_ended_stream): ask the socket, and end the link as lws does
        // when it reads the end itself (RAW_CLOSE, then on_closed). Always
        // false elsewhere.
        if (!link->closing_ &&
            peer_ended_stream(static_cast<std::uintptr_t>(lws_get_socket_fd(wsi))))
            link->close();
        return 0;
    case LWS_CALLBACK_RAW_WRITEABLE:
        if (link && !link->closing_) link->handler_->on_writable();
        return 0;
    case LWS_CALLBACK_RAW_CLOSE:
        if (!link) return 0;
        lws_set_opaque_user_data(wsi, nullptr);
        if (link->connected_) link->handler_->on_closed();
        else report_connect_failure(link, "the connection closed before it was established");
        if (!link->in_connect_call_) delete link;
        return 0;
    default:
        return 0;
    }
}

const struct lws_protocols kProtocols[] = {
    {"polyws-raw", callback, 0, 65536, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

void log_sink(int level, const char *line) {
    // lws's log is noisy and its errors are reported to the host through
    // events; POLYWS_LWS_LOG=1 shows it for debugging.
    //
    // On Windows, "WSAEnumNetworkEvents() failed with error 10038" can
    // appear when a connection ends: lws 4.1.6's Windows service loop
    // (lib/plat/windows/windows-service.c) waits, then services POLLOUT for
    // every socket, which may close one, and only then asks for the events
    // of the slot the wait reported. A closed socket's slot is set to -1
    // (core-net/pollfd.c), so the call gets WSAENOTSOCK and lws_service
    // returns early; the next iteration goes on. Each socket is closed once,
    // by lws; the core never closes lws's sockets itself. Harmless.
    static const bool show = std::getenv("POLYWS_LWS_LOG") != nullptr;
    if (show) fprintf(stderr, "lws[%d]: %s", level, line);
}

class LwsTimer final : public Timer {
public:
    LwsTimer(struct lws_context *context, std::function<void()> fire)
        : context_(context), fire_(std::move(fire)) {
        std::memset(&slot_.sul, 0, sizeof slot_.sul);
        slot_.owner = this;
    }
    ~LwsTimer() override { cancel(); }
    void arm(uint32_t ms) override {
        lws_sul_schedule(context_, 0, &slot_.sul, &LwsTimer::on_fire, lws_usec_t(ms) * LWS_US_PER_MS);
    }
    void cancel() override { lws_sul_cancel(&slot_.sul); }

private:
    // lws hands back the list node; a standard-layout struct whose first
    // member is that node leads back to the timer.
    struct Slot {
        lws_sorted_usec_list_t sul;
        LwsTimer *owner;
    };
    static void on_fire(lws_sorted_usec_list_t *sul) {
        LwsTimer *timer = reinterpret_cast<Slot *>(sul)->owner;
        struct lws_context *context = timer->context_;
        timer->fire_();   // may delete the timer's owner, and the timer
        // lws runs due timers just before its poll(), which then waits for
        // the next timer (often many seconds away). On a host-driven loop
        // the caller of service() must see what this timer did (an event
        // queued, its deadline passed) now: make that poll return at once.
        auto *state = static_cast<State *>(lws_context_user(context));
        if (state && state->driver != Driver::OwnThread) lws_cancel_service(context);
    }
    Slot slot_;
    struct lws_context *context_;
    std::function<void()> fire_;
};

class LwsTransport final : public Transport {
public:
    LwsTransport(std::function<void()> before_stop, Driver driver) : state_(std::make_shared<State>()) {
        state_->before_stop = std::move(before_stop);
        state_->driver = driver;
    }

    bool start(std::string &error) {
        static std::once_flag log_once;
        std::call_once(log_once, [] { lws_set_log_level(LLL_ERR | LLL_WARN, log_sink); });
        struct lws_context_creation_info info;
        std::memset(&info, 0, sizeof info);
        info.port = CONTEXT_PORT_NO_LISTEN;
        info.protocols = kProtocols;
        info.user = state_.get();
        info.pt_serv_buf_size = 256 * 1024;
        // Otherwise lws reads http_proxy from the environment by itself and
        // misroutes every RAW connection; proxies are the core's business
        // (proxy_tunnel.cpp), and only when asked for.
        info.http_proxy_address = "";
        info.gid = -1;
        info.uid = -1;
        // lws sets SIGPIPE to SIG_IGN for the whole process when it starts a
        // context; a library must not change its host's signal handling
        // (and need not: every send here uses MSG_NOSIGNAL). Put it back.
        struct lws_context *context;
        {
            HostSignalsKept kept;
            context = lws_create_context(&info);
        }
        if (!context) {
            error = "lws_create_context failed";
            return false;
        }
        {
            std::lock_guard<std::mutex> lock(state_->mutex);
            state_->context = context;
        }
        std::shared_ptr<State> state = state_;
        if (state_->driver == Driver::Host) return true;
        if (state_->driver == Driver::Shared) {
            thread_ = std::thread([state] { standby(state); });
            return true;
        }
        std::promise<void> owner_set;
        std::future<void> started = owner_set.get_future();
        thread_ = std::thread([state, &owner_set] {
            state->owner.store(std::this_thread::get_id());
            owner_set.set_value();
            while (!state->stop.load()) lws_service(state->context, 0);
            finish(state);
        });
        started.wait();
        return true;
    }

    ~LwsTransport() override {
        if (state_->driver != Driver::Host && state_->owned_here()) {
            state_->request_stop();
            thread_.detach();   // the thread ends on its own, owning `state`
        } else {
            shutdown();
        }
    }

    // Driver::Shared: the own thread. It does the I/O whenever no host
    // thread has for kStandbyDelayMs, and lets go as soon as a host thread
    // asks (enter(true) counts a takeover request and wakes lws_service).
    // Within the delay after a host thread's last leave it only sleeps out
    // the rest of the delay, whether or not the host holds the I/O again:
    // a host that waits again within it (the next round trip) never meets
    // it. Only a host that has held the I/O for longer than the delay is
    // asked to wake it when it leaves. At most one wake-up per delay while
    // a host is busy, none while it waits idle. (Checking "held" first made
    // the standby wait for the next leave, wake, find the host back, and
    // wait again: a few futex round trips with the host per delay.)
    static void standby(const std::shared_ptr<State> &state) {
        State &s = *state;
        using Clock = std::chrono::steady_clock;
        const auto delay = std::chrono::milliseconds(kStandbyDelayMs);
        std::unique_lock<std::mutex> standby_lock(s.standby_mutex);
        // Sleeps until a host thread that holds the I/O (or is taking it
        // over) leaves. leave() reads the flag after it clears `owner`: one
        // of the two sees the other, so no leave goes unnoticed.
        auto wait_for_leave = [&s, &standby_lock] {
            s.standby_waits_for_leave.store(true);
            if (!s.stop.load() && (s.takeover_requests.load() > 0 || s.held()))
                s.standby_cv.wait(standby_lock);
            s.standby_waits_for_leave.store(false);
        };
        while (!s.stop.load()) {
            if (s.takeover_requests.load() > 0) {
                wait_for_leave();
                continue;
            }
            auto idle = Clock::now().time_since_epoch() -
                        std::chrono::nanoseconds(s.host_left_at_ns.load());
            if (idle < delay) {
                s.standby_cv.wait_for(standby_lock, delay - idle);
                continue;
            }
            if (s.held()) {
                wait_for_leave();
                continue;
            }
            if (!s.owner_mutex.try_lock()) {   // a host thread is just entering
                std::this_thread::yield();
                continue;
            }
            if (s.takeover_requests.load() > 0) {
                s.owner_mutex.unlock();
                continue;
            }
            standby_lock.unlock();
            s.owner.store(std::this_thread::get_id());
            s.owner_depth = 1;
            s.in_lws_service = true;
            while (!s.stop.load() && s.takeover_requests.load() == 0) lws_service(s.context, 0);
            s.in_lws_service = false;
            s.owner_depth = 0;
            s.owner.store(std::thread::id());
            s.owner_mutex.unlock();
            standby_lock.lock();
        }
        standby_lock.unlock();
        // The end, holding the I/O: a host thread in service() sees `stop`
        // and lets go.
        s.owner_mutex.lock();
        s.owner.store(std::this_thread::get_id());
        s.owner_depth = 1;
        finish(state);
        s.owner_depth = 0;
        s.owner.store(std::thread::id());
        s.owner_mutex.unlock();
    }

    void shutdown() override {
        state_->request_stop();
        if (state_->driver == Driver::Host) {
            // From inside service() (a command or handler dropping the last
            // reference) the stop flag ends it; the service caller is a
            // loop that holds itself alive and shuts down afterwards.
            if (state_->owned_here() && state_->in_lws_service) return;
            std::shared_ptr<State> state = state_;
            enter(true);
            finish(state);
            leave();
            return;
        }
        std::lock_guard<std::mutex> lock(join_mutex_);
        if (thread_.joinable() && !state_->owned_here()) thread_.join();
    }

    void post(std::function<void()> command) override { state_->post(std::move(command)); }

    CommandPoster poster() override {
        std::shared_ptr<State> state = state_;
        return [state](std::function<void()> command) { state->post(std::move(command)); };
    }

    bool on_io_thread() const override { return state_->owned_here(); }

    bool enter(bool wait) override {
        State &s = *state_;
        if (s.driver == Driver::OwnThread) return false;
        if (s.owned_here()) {
            ++s.owner_depth;
            return true;
        }
        if (!s.owner_mutex.try_lock()) {
            if (!wait) return false;
            if (s.driver == Driver::Shared) {
                // Ask the own thread to let go (it leaves lws_service()).
                ++s.takeover_requests;
                s.wake_service();
                s.owner_mutex.lock();
                s.owner.store(std::this_thread::get_id());   // before the count drops: see standby()
                --s.takeover_requests;
            } else {
                s.owner_mutex.lock();
            }
        }
        s.owner.store(std::this_thread::get_id());
        s.owner_depth = 1;
        return true;
    }

    void leave() override {
        State &s = *state_;
        if (--s.owner_depth > 0) return;
        s.owner.store(std::thread::id());
        bool wake = false;
        if (s.driver == Driver::Shared) {
            s.host_left_at_ns.store(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
            wake = s.standby_waits_for_leave.load();
        }
        s.owner_mutex.unlock();
        if (wake) s.wake_standby();
    }

    void service(int timeout_ms, const std::function<bool()> &done) override {
        State &s = *state_;
        if (s.finished || s.stop.load() || s.in_lws_service) return;
        s.in_lws_service = true;
        if (timeout_ms == 0) {
            lws_service(s.context, -1);   // lws: negative = poll without waiting
        } else if (!spin_before_sleeping(s, done)) {
            // lws_service(context, 0) waits until an fd is ready or the next
            // lws timer is due, so a timer of our own bounds the wait.
            bool expired = false;
            LwsTimer deadline(s.context, [&expired] { expired = true; });
            if (timeout_ms > 0) deadline.arm(uint32_t(timeout_ms));
            while (!done() && !expired && !s.stop.load()) lws_service(s.context, 0);
        }
        s.in_lws_service = false;
    }

    // Before a wait sleeps: polls without waiting for up to the spin
    // budget, while the policy finds that it pays (see spin_policy.h). True
    // when the wait is over (done() or stopping).
    static bool spin_before_sleeping(State &s, const std::function<bool()> &done) {
        if (!s.spin.should_spin()) return false;
        const auto until = std::chrono::steady_clock::now() + s.spin.budget();
        lws_service(s.context, -1);
        // Already there: the spin neither paid nor failed.
        if (done() || s.stop.load()) return true;
        do {
            lws_service(s.context, -1);
            if (done()) {
                s.spin.found();
                return true;
            }
        } while (!s.stop.load() && std::chrono::steady_clock::now() < until);
        s.spin.missed();
        return s.stop.load();
    }

    void connect(const ConnectRequest &request, LinkHandler *handler) override {
        auto *link = new LwsLink(state_.get(), handler);
        bool v6 = request.address.find(':') != std::string::npos;
        link->peer_ = (v6 ? "[" + request.address + "]" : request.address) + ":" +
                      std::to_string(request.port);
        struct lws_client_connect_info info;
        std::memset(&info, 0, sizeof info);
        info.context = state_->context;
        info.address = request.address.c_str();
        info.port = request.port;
        info.host = request.address.c_str();
        info.origin = request.address.c_str();
        info.path = "/";
        info.method = "RAW";
        info.protocol = kProtocols[0].name;
        info.local_protocol_name = kProtocols[0].name;
        info.opaque_user_data = link;
        info.pwsi = &link->wsi_;
        link->in_connect_call_ = true;
        struct lws *wsi = lws_client_connect_via_info(&info);
        link->in_connect_call_ = false;
        if (!wsi) {
            // Failed at once; the error callback may or may not have run.
            link->wsi_ = nullptr;
            bool reported = link->failure_reported_;
            if (!reported) {
                link->failure_reported_ = true;
                std::string why = "could not connect to " + link->peer_;
                delete link;
                // Report from the queue, not from inside connect().
                state_->post([handler, why] { handler->on_connect_failed(why); });
                return;
            }
            delete link;
            return;
        }
        if (link->failure_reported_) delete link;   // reported during the call
    }

    std::unique_ptr<Timer> make_timer(std::function<void()> fire) override {
        return std::make_unique<LwsTimer>(state_->context, std::move(fire));
    }

private:
    std::shared_ptr<State> state_;
    std::mutex join_mutex_;
    std::thread thread_;
};

} // namespace

std::unique_ptr<Transport> Transport::start(std::string &error, std::function<void()> before_stop,
                                             Driver driver) {
    auto transport = std::make_unique<LwsTransport>(std::move(before_stop), driver);
    if (!transport->start(error)) return nullptr;
    return transport;
}

} // namespace polyws
