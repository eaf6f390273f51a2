// The C ABI: argument checks, result codes, error messages, and the fence
// that keeps every C++ exception on this side of extern "C".
#include "polyws.h"

#include "c_listener.h"
#include "enums.h"
#include "handles.h"

#include "../core/event.h"
#include "../core/loop.h"
#include "../core/options.h"
#include "../core/platform.h"
#include "../core/random.h"
#include "../core/socket.h"
#include "../core/version.h"

#include <cstdlib>
#include <strings.h>
#include <mutex>
#include <new>
#include <string>

using polyws::Delivery;
using polyws::Event;
using polyws::EventKind;
using polyws::Loop;
using polyws::Options;
using polyws::Socket;
using polyws::Status;
using namespace polyws::capi;

struct ws_options {
    Options values;
};

namespace {

thread_local std::string t_last_error;        // failures of calls on this thread
thread_local std::string t_returned_error;    // what ws_last_error() handed out

// A failure of this call: `code`, with `message` as the last error of the
// calling thread (and of `socket`, when there is one).
ws_result fail(ws_result code, const std::string &message, Socket *socket = nullptr) {
    t_last_error = message;
    if (socket) socket->set_last_error(message);
    return code;
}

ws_result record(const Status &status, Socket *socket = nullptr) {
    return status.is_ok() ? WS_OK : fail(c_result(status.code), status.message, socket);
}

ws_result invalid(const char *what) { return fail(WS_ERR_INVALID_ARGUMENT, what); }

ws_result unknown_event_type(Socket *socket) {
    return fail(WS_ERR_INVALID_ARGUMENT, "unknown event type", socket);
}

// Runs `body`, turning any exception into a result code.
template <typename F> ws_result guarded(F &&body) {
    try {
        return body();
    } catch (const std::bad_alloc &) {
        return fail(WS_ERR_NO_MEMORY, "out of memory");
    } catch (const std::exception &e) {
        return fail(WS_ERR_INTERNAL, std::string("internal error: ") + e.what());
    } catch (...) {
        return fail(WS_ERR_INTERNAL, "internal error");
    }
}

} // namespace

extern "C" {

const char *ws_result_str(ws_result result) {
    switch (result) {
    case WS_OK: return "WS_OK: success";
    case WS_ERR_SYNTAX: return "WS_ERR_SYNTAX: syntax error (SyntaxError)";
    case WS_ERR_INVALID_STATE: return "WS_ERR_INVALID_STATE: invalid state (InvalidStateError)";
    case WS_ERR_INVALID_ACCESS: return "WS_ERR_INVALID_ACCESS: invalid access (InvalidAccessError)";
    case WS_ERR_INVALID_ARGUMENT: return "WS_ERR_INVALID_ARGUMENT: invalid argument";
    case WS_ERR_INVALID_UTF8: return "WS_ERR_INVALID_UTF8: text is not valid UTF-8";
    case WS_ERR_NO_MEMORY: return "WS_ERR_NO_MEMORY: out of memory";
    case WS_ERR_BUFFER_FULL: return "WS_ERR_BUFFER_FULL: send buffer limit exceeded";
    case WS_ERR_REENTRANT: return "WS_ERR_REENTRANT: dispatch called from a listener";
    case WS_ERR_LOOP: return "WS_ERR_LOOP: the event loop could not be started";
    case WS_ERR_INTERNAL: return "WS_ERR_INTERNAL: internal error";
    }
    return "unknown result";
}

const char *ws_last_error(const ws_socket *ws) {
    try {
        t_returned_error = ws ? socket_of(ws)->last_error() : t_last_error;
    } catch (...) {
        t_returned_error.clear();
    }
    return t_returned_error.c_str();
}

#define POLYWS_STRINGIFY2(x) #x
#define POLYWS_STRINGIFY(x) POLYWS_STRINGIFY2(x)
#define POLYWS_VERSION_STRING                                                  \
    POLYWS_STRINGIFY(POLYWS_VERSION_MAJOR)                                     \
    "." POLYWS_STRINGIFY(POLYWS_VERSION_MINOR) "." POLYWS_STRINGIFY(POLYWS_VERSION_PATCH)

namespace {
constexpr bool same_text(const char *a, const char *b) {
    return *a == *b && (*a == '\0' || same_text(a + 1, b + 1));
}
} // namespace
static_assert(same_text(POLYWS_VERSION_STRING, polyws::kVersion),
              "the core's version (from CMake) is not the one polyws.h declares");

const char *ws_version(void) { return POLYWS_VERSION_STRING; }
uint32_t ws_version_number(void) { return POLYWS_VERSION_NUMBER; }

/* ---- Loops ---- */

ws_result ws_loop_new(ws_delivery_t delivery, ws_loop **out) {
    if (!out) return invalid("out is NULL");
    *out = nullptr;
    return guarded([&] {
        Delivery mode;
        if (!delivery_of(delivery, mode)) return invalid("unknown delivery mode");
        std::shared_ptr<Loop> loop;
        Status status = Loop::create(mode, loop);
        if (!status.is_ok()) return record(status);
        loop->hold_host_reference();
        *out = handle_of(*loop);
        return WS_OK;
    });
}

void ws_loop_free(ws_loop *loop) {
    if (!loop) return;
    try {
        loop_of(loop)->release();
    } catch (...) {
    }
}

ws_loop *ws_default_loop(void) {
    static std::once_flag once;
    static Loop *loop = nullptr;
    try {
        std::call_once(once, [] {
            // Before std::atexit below: OpenSSL's exit handler must run after
            // ours, once the I/O thread is gone (random.h).
            if (!polyws::init_crypto_library()) {
                fail(WS_ERR_LOOP, "OpenSSL could not be initialised");
                return;
            }
            std::shared_ptr<Loop> created;
            Status status = Loop::create(Delivery::Dispatch, created);
            if (!status.is_ok()) {
                record(status);
                return;
            }
            // Never released: the default loop lives as long as the process
            // (and the library stays loaded as long: keep_library_loaded).
            created->hold_host_reference();
            loop = created.get();
            polyws::keep_library_loaded();
            // Its I/O thread is stopped at exit, before the atexit handlers
            // OpenSSL registered at its start run, except when the thread is
            // already gone: in polyws.dll this runs at DLL detach, after
            // Windows has terminated the process's other threads, maybe
            // holding a lock the shutdown would take (platform.h). Then the
            // loop is abandoned as it is and the system reclaims it.
            std::atexit([] {
                if (!polyws::process_is_terminating()) loop->shutdown_io();
            });
        });
    } catch (...) {
        fail(WS_ERR_LOOP, "the default loop could not be created");
    }
    if (!loop) fail(WS_ERR_LOOP, "the default loop could not be created");
    return loop ? handle_of(*loop) : nullptr;
}

ws_result ws_loop_dispatch(ws_loop *loop, int timeout_ms, size_t *dispatched) {
    if (dispatched) *dispatched = 0;
    if (!loop) return invalid("loop is NULL");
    return guarded([&] { return record(loop_of(loop)->dispatch(timeout_ms, dispatched)); });
}

ws_result ws_loop_next_event(ws_loop *loop, int timeout_ms, const ws_event **out) {
    if (!out) return invalid("out is NULL");
    *out = nullptr;
    if (!loop) return invalid("loop is NULL");
    return guarded([&] {
        const Event *event = nullptr;
        Status status = loop_of(loop)->next_event(timeout_ms, &event);
        *out = event ? view_of(*event) : nullptr;
        return record(status);
    });
}

int ws_loop_fd(const ws_loop *loop) { return loop ? loop_of(loop)->fd() : -1; }

/* ---- Options ---- */

ws_result ws_options_new(ws_options **out) {
    if (!out) return invalid("out is NULL");
    *out = nullptr;
    return guarded([&] {
        *out = new ws_options();
        return WS_OK;
    });
}

void ws_options_free(ws_options *options) { delete options; }

ws_result ws_options_set_max_message_size(ws_options *options, uint64_t bytes) {
    if (!options) return invalid("options is NULL");
    if (bytes == 0) return invalid("the maximum message size must be at least 1 byte");
    options->values.max_message_size = bytes;
    return WS_OK;
}

ws_result ws_options_set_send_buffer_limit(ws_options *options, uint64_t bytes) {
    if (!options) return invalid("options is NULL");
    if (bytes == 0) return invalid("the send buffer limit must be at least 1 byte");
    options->values.send_buffer_limit = bytes;
    return WS_OK;
}

static_assert(polyws::kDefaultReceiveLimit == WS_DEFAULT_RECEIVE_LIMIT, "polyws.h documents the default");

ws_result ws_options_set_receive_limit(ws_options *options, uint64_t bytes) {
    if (!options) return invalid("options is NULL");
    if (bytes == 0) return invalid("the receive limit must be at least 1 byte");
    options->values.receive_limit = bytes;
    return WS_OK;
}

ws_result ws_options_set_connect_timeout_ms(ws_options *options, uint32_t ms) {
    if (!options) return invalid("options is NULL");
    options->values.connect_timeout_ms = ms;
    return WS_OK;
}

ws_result ws_options_set_close_timeout_ms(ws_options *options, uint32_t ms) {
    if (!options) return invalid("options is NULL");
    if (ms == 0) return invalid("the close timeout must be at least 1 ms");
    options->values.close_timeout_ms = ms;
    return WS_OK;
}

ws_result ws_options_set_ping_interval_ms(ws_options *options, uint32_t ms) {
    if (!options) return invalid("options is NULL");
    options->values.ping_interval_ms = ms;
    return WS_OK;
}

ws_result ws_options_set_pong_timeout_ms(ws_options *options, uint32_t ms) {
    if (!options) return invalid("options is NULL");
    if (ms == 0) return invalid("the pong timeout must be at least 1 ms");
    options->values.pong_timeout_ms = ms;
    return WS_OK;
}

ws_result ws_options_add_header(ws_options *options, const char *name, const char *value) {
    if (!options) return invalid("options is NULL");
    if (!name || !value) return invalid("name or value is NULL");
    return guarded([&] {
        std::string error;
        if (!polyws::check_request_header(name, value, error))
            return fail(WS_ERR_INVALID_ARGUMENT, error);
        options->values.request.headers.emplace_back(name, value);
        return WS_OK;
    });
}

ws_result ws_options_set_user_agent(ws_options *options, const char *user_agent) {
    if (!options) return invalid("options is NULL");
    if (!user_agent) return invalid("user_agent is NULL");
    return guarded([&] {
        std::string error;
        if (!polyws::check_request_header("User-Agent", user_agent, error))
            return fail(WS_ERR_INVALID_ARGUMENT, error);
        options->values.request.user_agent = user_agent;
        return WS_OK;
    });
}

// Copies a C string option; NULL clears it.
static ws_result set_string(ws_options *options, std::string polyws::TlsOptions::*field,
                            const char *value) {
    if (!options) return invalid("options is NULL");
    return guarded([&] {
        options->values.tls.*field = value ? value : "";
        return WS_OK;
    });
}

ws_result ws_options_set_ca_file(ws_options *options, const char *path) {
    return set_string(options, &polyws::TlsOptions::ca_file, path);
}

ws_result ws_options_set_ca_pem(ws_options *options, const char *pem, size_t size) {
    if (!options) return invalid("options is NULL");
    if (!pem && size) return invalid("pem is NULL but size is not 0");
    return guarded([&] {
        options->values.tls.ca_pem.assign(pem ? pem : "", size);
        return WS_OK;
    });
}

ws_result ws_options_set_client_cert(ws_options *options, const char *cert_file,
                                     const char *key_file) {
    if (!options) return invalid("options is NULL");
    if (!cert_file != !key_file) return invalid("give both the certificate and the key file, or neither");
    return guarded([&] {
        options->values.tls.cert_file = cert_file ? cert_file : "";
        options->values.tls.key_file = key_file ? key_file : "";
        return WS_OK;
    });
}

ws_result ws_options_set_tls_server_name(ws_options *options, const char *name) {
    return set_string(options, &polyws::TlsOptions::server_name, name);
}

ws_result ws_options_set_insecure_no_tls_verify(ws_options *options, bool insecure) {
    if (!options) return invalid("options is NULL");
    options->values.tls.insecure_no_verify = insecure;
    return WS_OK;
}

ws_result ws_options_set_proxy(ws_options *options, const char *proxy_url) {
    if (!options) return invalid("options is NULL");
    return guarded([&] {
        polyws::ProxyOptions proxy;
        std::string error;
        if (proxy_url && *proxy_url && !polyws::parse_proxy_url(proxy_url, proxy, error))
            return fail(WS_ERR_INVALID_ARGUMENT, error);
        options->values.proxy = proxy;
        return WS_OK;
    });
}

ws_result ws_options_set_proxy_from_environment(ws_options *options, bool enabled) {
    if (!options) return invalid("options is NULL");
    options->values.proxy_from_environment = enabled;
    return WS_OK;
}

ws_result ws_options_set_reconnect(ws_options *options, uint32_t initial_delay_ms,
                                   uint32_t max_delay_ms, uint32_t max_attempts) {
    if (!options) return invalid("options is NULL");
    if (initial_delay_ms && max_delay_ms < initial_delay_ms)
        return invalid("the maximum reconnect delay is below the initial one");
    options->values.reconnect_initial_ms = initial_delay_ms;
    options->values.reconnect_max_ms = max_delay_ms;
    options->values.reconnect_max_attempts = max_attempts;
    return WS_OK;
}

ws_result ws_options_set_permessage_deflate(ws_options *options, bool enabled) {
    if (!options) return invalid("options is NULL");
    options->values.request.deflate.enabled = enabled;
    return WS_OK;
}

ws_result ws_options_set_deflate_window_bits(ws_options *options, uint8_t client_bits,
                                             uint8_t server_bits) {
    if (!options) return invalid("options is NULL");
    if (client_bits < 9 || client_bits > 15)
        return invalid("client window bits must be 9 to 15 (zlib cannot compress with 8)");
    if (server_bits < 8 || server_bits > 15) return invalid("server window bits must be 8 to 15");
    options->values.request.deflate.client_max_window_bits = client_bits;
    options->values.request.deflate.server_max_window_bits = server_bits;
    return WS_OK;
}

ws_result ws_options_set_deflate_no_context_takeover(ws_options *options, bool client,
                                                     bool server) {
    if (!options) return invalid("options is NULL");
    options->values.request.deflate.client_no_context_takeover = client;
    options->values.request.deflate.server_no_context_takeover = server;
    return WS_OK;
}

ws_result ws_options_set_deferred_connect(ws_options *options, bool deferred) {
    if (!options) return invalid("options is NULL");
    options->values.deferred_connect = deferred;
    return WS_OK;
}

/* ---- Sockets ---- */

ws_result ws_new_ex(ws_loop *loop, const char *url, const char *const *protocols,
                    size_t protocol_count, const ws_options *options, ws_socket **out) {
    if (!out) return invalid("out is NULL");
    *out = nullptr;
    if (!url) return invalid("url is NULL");
    if (protocol_count && !protocols) return invalid("protocols is NULL but protocol_count is not 0");
    return guarded([&] {
        std::vector<std::string> list;
        for (size_t i = 0; i < protocol_count; ++i) {
            if (!protocols[i]) return invalid("a protocol in the list is NULL");
            list.emplace_back(protocols[i]);
        }
        ws_loop *target = loop ? loop : ws_default_loop();
        if (!target) return WS_ERR_LOOP;
        Options values = options ? options->values : Options();
        std::shared_ptr<Socket> socket;
        Status status = Socket::create(loop_of(target)->shared_from_this(), url,
                                       std::move(list), values, socket);
        if (!status.is_ok()) return record(status);
        *out = handle_of(*socket);
        return WS_OK;
    });
}

ws_result ws_new(const char *url, const char *const *protocols, size_t protocol_count,
                 ws_socket **out) {
    return ws_new_ex(nullptr, url, protocols, protocol_count, nullptr, out);
}

ws_result ws_connect(ws_socket *ws) {
    if (!ws) return invalid("ws is NULL");
    Socket *s = socket_of(ws);
    return guarded([&] { return record(s->connect(), s); });
}

void ws_free(ws_socket *ws) {
    if (!ws) return;
    try {
        socket_of(ws)->release();
    } catch (...) {
    }
}

ws_ready_state_t ws_ready_state(const ws_socket *ws) {
    return ws ? c_ready_state(socket_of(ws)->ready_state()) : WS_CLOSED;
}

const char *ws_url(const ws_socket *ws) { return ws ? socket_of(ws)->url() : ""; }
const char *ws_protocol(const ws_socket *ws) { return ws ? socket_of(ws)->protocol() : ""; }
const char *ws_extensions(const ws_socket *ws) {
    return ws ? socket_of(ws)->extensions() : "";
}

size_t ws_response_header_count(const ws_socket *ws) {
    return ws ? socket_of(ws)->response_headers().size() : 0;
}

bool ws_response_header_at(const ws_socket *ws, size_t index, const char **name,
                           const char **value) {
    if (name) *name = nullptr;
    if (value) *value = nullptr;
    if (!ws) return false;
    const auto &headers = socket_of(ws)->response_headers();
    if (index >= headers.size()) return false;
    if (name) *name = headers[index].first.c_str();
    if (value) *value = headers[index].second.c_str();
    return true;
}

const char *ws_response_header(const ws_socket *ws, const char *name) {
    if (!ws || !name) return nullptr;
    for (const auto &h : socket_of(ws)->response_headers())
        if (strcasecmp(h.first.c_str(), name) == 0) return h.second.c_str();
    return nullptr;
}

ws_binary_type_t ws_binary_type(const ws_socket *ws) {
    return ws ? c_binary_type(socket_of(ws)->binary_type()) : WS_BINARY_BLOB;
}

ws_result ws_set_binary_type(ws_socket *ws, ws_binary_type_t type) {
    if (!ws) return invalid("ws is NULL");
    polyws::BinaryType value;
    if (!binary_type_of(type, value))
        return fail(WS_ERR_INVALID_ARGUMENT, "binaryType must be BLOB or ARRAYBUFFER", socket_of(ws));
    socket_of(ws)->set_binary_type(value);
    return WS_OK;
}

uint64_t ws_buffered_amount(const ws_socket *ws) {
    return ws ? socket_of(ws)->buffered_amount() : 0;
}

uint64_t ws_undelivered_amount(const ws_socket *ws) {
    return ws ? socket_of(ws)->undelivered_amount() : 0;
}

ws_result ws_pause(ws_socket *ws) {
    if (!ws) return invalid("ws is NULL");
    socket_of(ws)->pause_events();
    return WS_OK;
}

ws_result ws_resume(ws_socket *ws) {
    if (!ws) return invalid("ws is NULL");
    socket_of(ws)->resume_events();
    return WS_OK;
}

bool ws_is_paused(const ws_socket *ws) { return ws && socket_of(ws)->events_paused(); }

ws_result ws_set_user_data(ws_socket *ws, void *user_data) {
    if (!ws) return invalid("ws is NULL");
    socket_of(ws)->set_user_data(user_data);
    return WS_OK;
}

void *ws_user_data(const ws_socket *ws) { return ws ? socket_of(ws)->user_data() : nullptr; }

ws_result ws_send_text(ws_socket *ws, const char *text, size_t size) {
    if (!ws) return invalid("ws is NULL");
    if (!text && size) return invalid("text is NULL but size is not 0");
    Socket *s = socket_of(ws);
    return guarded([&] { return record(s->send(polyws::Opcode::Text, text, size), s); });
}

ws_result ws_send_binary(ws_socket *ws, const void *data, size_t size) {
    if (!ws) return invalid("ws is NULL");
    if (!data && size) return invalid("data is NULL but size is not 0");
    Socket *s = socket_of(ws);
    return guarded([&] { return record(s->send(polyws::Opcode::Binary, data, size), s); });
}

ws_result ws_ping(ws_socket *ws, const void *data, size_t size) {
    if (!ws) return invalid("ws is NULL");
    if (!data && size) return invalid("data is NULL but size is not 0");
    Socket *s = socket_of(ws);
    return guarded([&] {
        return record(s->ping(std::string(static_cast<const char *>(data), data ? size : 0)), s);
    });
}

ws_result ws_close(ws_socket *ws, uint16_t code, const char *reason) {
    if (!ws) return invalid("ws is NULL");
    Socket *s = socket_of(ws);
    return guarded([&] { return record(s->close(code, reason), s); });
}

ws_result ws_add_event_listener(ws_socket *ws, ws_event_type_t type, ws_listener_fn fn,
                                void *user_data) {
    if (!ws) return invalid("ws is NULL");
    Socket *s = socket_of(ws);
    return guarded([&] {
        EventKind kind = EventKind::Open;
        // A NULL function is reported first (by the core), then the type.
        if (fn && !event_kind_of(type, kind)) return unknown_event_type(s);
        return record(s->add_listener(kind, c_listener(fn, user_data)), s);
    });
}

ws_result ws_remove_event_listener(ws_socket *ws, ws_event_type_t type, ws_listener_fn fn,
                                   void *user_data) {
    if (!ws) return invalid("ws is NULL");
    if (!fn) return invalid("fn is NULL");
    return guarded([&] {
        EventKind kind;
        // No listener was ever added for an unknown type: nothing to remove.
        if (event_kind_of(type, kind)) socket_of(ws)->remove_listener(kind, c_listener(fn, user_data));
        return WS_OK;
    });
}

static ws_result set_handler(ws_socket *ws, EventKind kind, ws_listener_fn fn, void *user_data) {
    if (!ws) return invalid("ws is NULL");
    Socket *s = socket_of(ws);
    return guarded([&] { return record(s->set_handler(kind, c_listener(fn, user_data)), s); });
}

ws_result ws_set_onopen(ws_socket *ws, ws_listener_fn fn, void *user_data) {
    return set_handler(ws, EventKind::Open, fn, user_data);
}
ws_result ws_set_onmessage(ws_socket *ws, ws_listener_fn fn, void *user_data) {
    return set_handler(ws, EventKind::Message, fn, user_data);
}
ws_result ws_set_onerror(ws_socket *ws, ws_listener_fn fn, void *user_data) {
    return set_handler(ws, EventKind::Error, fn, user_data);
}
ws_result ws_set_onclose(ws_socket *ws, ws_listener_fn fn, void *user_data) {
    return set_handler(ws, EventKind::Close, fn, user_data);
}

/* ---- Events ---- */

ws_event_type_t ws_event_type(const ws_event *event) {
    const Event *e = event_of(event);
    return e ? c_event_type(e->kind) : ws_event_type_t(0);
}
ws_socket *ws_event_socket(const ws_event *event) {
    const Event *e = event_of(event);
    return e && e->socket ? handle_of(*e->socket) : nullptr;
}
void *ws_event_user_data(const ws_event *event) {
    const Event *e = event_of(event);
    return e ? e->user_data : nullptr;
}
const uint8_t *ws_event_data(const ws_event *event, size_t *size) {
    const Event *e = event_of(event);
    if (!e || e->kind != EventKind::Message) {
        if (size) *size = 0;
        return nullptr;
    }
    if (size) *size = e->data.size();
    return reinterpret_cast<const uint8_t *>(e->data.c_str());
}
bool ws_event_is_binary(const ws_event *event) {
    const Event *e = event_of(event);
    return e && e->kind == EventKind::Message && e->binary;
}
ws_binary_type_t ws_event_binary_type(const ws_event *event) {
    const Event *e = event_of(event);
    return e ? c_binary_type(e->binary_type) : WS_BINARY_BLOB;
}
uint16_t ws_event_code(const ws_event *event) {
    const Event *e = event_of(event);
    return e && e->kind == EventKind::Close ? e->code : 0;
}
const char *ws_event_reason(const ws_event *event) {
    const Event *e = event_of(event);
    return e ? e->reason.c_str() : "";
}
bool ws_event_was_clean(const ws_event *event) {
    const Event *e = event_of(event);
    return e && e->kind == EventKind::Close && e->was_clean;
}
bool ws_event_will_reconnect(const ws_event *event) {
    const Event *e = event_of(event);
    return e && e->kind == EventKind::Close && e->will_reconnect;
}
uint32_t ws_event_reconnect_attempt(const ws_event *event) {
    const Event *e = event_of(event);
    return e && e->kind == EventKind::Reconnect ? e->attempt : 0;
}
uint64_t ws_event_unsent_messages(const ws_event *event) {
    const Event *e = event_of(event);
    return e && e->kind == EventKind::Close ? e->unsent_messages : 0;
}
uint64_t ws_event_unsent_bytes(const ws_event *event) {
    const Event *e = event_of(event);
    return e && e->kind == EventKind::Close ? e->unsent_bytes : 0;
}
const char *ws_event_error_message(const ws_event *event) {
    const Event *e = event_of(event);
    return e ? e->error.c_str() : "";
}
const char *ws_event_protocol(const ws_event *event) {
    const Event *e = event_of(event);
    return e ? e->protocol.c_str() : "";
}
const char *ws_event_extensions(const ws_event *event) {
    const Event *e = event_of(event);
    return e ? e->extensions.c_str() : "";
}

} // extern "C"
