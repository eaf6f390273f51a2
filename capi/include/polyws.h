/*
 * polyws.h -- the browser's WebSocket API for native code.
 *
 * OVERVIEW
 *
 * polyws gives C (and, through it, C#, Java and Lua) the semantics of the
 * WHATWG `WebSocket` interface: the same constructor rules, the same
 * readyState machine, the same open/message/error/close event sequence, the
 * same close codes. Where the browser throws, polyws returns a result code
 * (ws_result) and keeps a readable message (ws_last_error()).
 *
 * Three kinds of objects, each an opaque handle:
 *   - ws_loop    an event loop: one I/O thread that runs the connections of
 *                every socket created on it (or, for a host-driven loop,
 *                the host's own dispatching thread), and a queue of events
 *                waiting for the host.
 *   - ws_socket  one WebSocket connection (the browser's `WebSocket`).
 *   - ws_options construction options (timeouts, size limits); copied by
 *                ws_new_ex(), so it may be freed right after.
 *
 * EVENT DELIVERY
 *
 * By default events are *queued* and run on the host's own thread, inside
 * ws_loop_dispatch() (like a browser's event loop, SDL_PollEvent or a game's
 * per-frame update). ws_loop_fd() is readable while events wait, so epoll,
 * libuv, GLib or a game loop can sleep until there is work. A loop created
 * with WS_DELIVERY_IO_THREAD instead runs listeners on its I/O thread as
 * soon as events happen; no dispatch call is needed then. A loop created
 * with WS_DELIVERY_HOST_DRIVEN has no I/O thread at all: ws_loop_dispatch()
 * does the I/O on the host's thread, the fastest choice for a host that
 * sends and receives on one thread.
 *
 * readyState, protocol and extensions change when the event that announces
 * the change is dispatched, never behind the host's back: a socket reads
 * CONNECTING until its open event is dispatched, exactly as a page sees it.
 * Hosts that never dispatch see no progress.
 *
 * A MINIMAL CLIENT
 *
 *     static void on_message(ws_socket *ws, const ws_event *ev, void *ud) {
 *         size_t n; const uint8_t *p = ws_event_data(ev, &n);
 *         printf("%.*s\n", (int)n, (const char *)p);
 *         ws_close(ws, 1000, "bye");
 *     }
 *     ...
 *     ws_socket *ws;
 *     if (ws_new("ws://127.0.0.1:9001/", NULL, 0, &ws) != WS_OK) {
 *         fprintf(stderr, "%s\n", ws_last_error(NULL));
 *         return 1;
 *     }
 *     ws_set_onopen(ws, on_open, NULL);       // sends "hello"
 *     ws_set_onmessage(ws, on_message, NULL);
 *     while (ws_ready_state(ws) != WS_CLOSED)
 *         ws_loop_dispatch(ws_default_loop(), 100, NULL);
 *     ws_free(ws);
 *
 * CONVENTIONS
 *   - Every fallible function returns ws_result; WS_OK is 0. Values are fixed
 *     once published; new ones are only appended.
 *   - Every function is thread-safe unless its comment says otherwise.
 *   - Strings are NUL-terminated UTF-8. Returned `const char *` are owned by
 *     polyws; each comment says how long they stay valid.
 *   - ws_*_free(NULL) is a no-op. Handles may be freed in any order.
 *   - No callback runs after the ws_free() of its socket has returned.
 */
#ifndef POLYWS_H
#define POLYWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Version (the one source: CMake reads these three lines) ---------- */

#define POLYWS_VERSION_MAJOR 0
#define POLYWS_VERSION_MINOR 1
#define POLYWS_VERSION_PATCH 0

/** The version as one number: major * 10000 + minor * 100 + patch. */
#define POLYWS_VERSION_NUMBER                                                  \
    (POLYWS_VERSION_MAJOR * 10000 + POLYWS_VERSION_MINOR * 100 +               \
     POLYWS_VERSION_PATCH)

/* ---- Export macro ------------------------------------------------------ */

#if defined(_WIN32)
#if defined(POLYWS_BUILDING_LIBRARY)
#define WS_API __declspec(dllexport)
#elif defined(POLYWS_STATIC)
#define WS_API
#else
#define WS_API __declspec(dllimport)
#endif
#elif defined(POLYWS_BUILDING_LIBRARY)
#define WS_API __attribute__((visibility("default")))
#else
#define WS_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Handles ----------------------------------------------------------- */

/** One WebSocket connection. Created by ws_new(), released by ws_free(). */
typedef struct ws_socket ws_socket;
/** An event loop: an I/O thread plus a queue of events for the host. */
typedef struct ws_loop ws_loop;
/** Options for ws_new_ex(). Created by ws_options_new(). */
typedef struct ws_options ws_options;
/** One event, valid only during the listener call that receives it (or
 *  until the next ws_loop_next_event() call on the same loop). */
typedef struct ws_event ws_event;

/* ---- Result codes ------------------------------------------------------ */

/**
 * Result of every fallible call. Values never change; new ones are appended.
 * The browser's exception names are given where a code stands for one.
 */
typedef enum ws_result {
    WS_OK = 0,
    /** SyntaxError: bad URL, bad subprotocol, close reason too long. */
    WS_ERR_SYNTAX = 1,
    /** InvalidStateError: send() while CONNECTING. */
    WS_ERR_INVALID_STATE = 2,
    /** InvalidAccessError: close() code not 1000 or 3000-4999. */
    WS_ERR_INVALID_ACCESS = 3,
    /** A required pointer was NULL, or a value is out of range. */
    WS_ERR_INVALID_ARGUMENT = 4,
    /** Text passed to ws_send_text() (or a close reason) is not UTF-8. */
    WS_ERR_INVALID_UTF8 = 5,
    /** Memory could not be allocated. */
    WS_ERR_NO_MEMORY = 6,
    /** The send would take bufferedAmount past the send buffer limit; the
     *  connection is failed (error, then close 1006), as a browser does. */
    WS_ERR_BUFFER_FULL = 7,
    /** ws_loop_dispatch() or ws_loop_next_event() called from inside a
     *  listener of the same loop (dispatch does not nest). */
    WS_ERR_REENTRANT = 8,
    /** The loop or its I/O thread could not be started. */
    WS_ERR_LOOP = 9,
    /** An unexpected internal failure; the message says which. */
    WS_ERR_INTERNAL = 10
} ws_result;

/**
 * The fixed English name of a result code, e.g. "WS_ERR_SYNTAX: syntax
 * error". Never NULL; unknown values give "unknown result". The string is
 * static.
 */
WS_API const char *ws_result_str(ws_result result);

/**
 * The message of the most recent failure.
 *
 * With a socket: the last error recorded on that socket, by a failed call on
 * it or by the connection failing (for example the TLS verification reason,
 * or "connection refused"). With NULL: the last failure of a call made on
 * the calling thread (this is how ws_new() failures are explained).
 *
 * @return "" when there was none. The string is a copy that stays valid on
 * the calling thread until its next ws_last_error() call.
 */
WS_API const char *ws_last_error(const ws_socket *ws);

/* ---- Version ------------------------------------------------------------ */

/** @return the library's version as "MAJOR.MINOR.PATCH" (static). */
WS_API const char *ws_version(void);
/** @return POLYWS_VERSION_NUMBER of the library actually loaded. */
WS_API uint32_t ws_version_number(void);

/* ---- Enumerations ------------------------------------------------------ */

/** readyState; the values are the browser's. */
typedef enum ws_ready_state_t {
    WS_CONNECTING = 0,
    WS_OPEN = 1,
    WS_CLOSING = 2,
    WS_CLOSED = 3
} ws_ready_state_t;

/** binaryType. The C API hands bytes either way; bindings map BLOB and
 *  ARRAYBUFFER to their natural types. The default is WS_BINARY_BLOB. */
typedef enum ws_binary_type_t {
    WS_BINARY_BLOB = 0,
    WS_BINARY_ARRAYBUFFER = 1
} ws_binary_type_t;

/** Event types, for listeners and for ws_event_type(). */
typedef enum ws_event_type_t {
    WS_EVENT_OPEN = 1,
    WS_EVENT_MESSAGE = 2,
    WS_EVENT_ERROR = 3,
    WS_EVENT_CLOSE = 4,
    /** Only with ws_options_set_reconnect(): a new connection is starting;
     *  readyState is CONNECTING again. Not a browser event. */
    WS_EVENT_RECONNECT = 5
} ws_event_type_t;

/** Where a loop runs listeners. */
typedef enum ws_delivery_t {
    /** Queued; run by ws_loop_dispatch() on the thread that calls it. The
     *  loop's own thread does the I/O whenever no host thread waits; a thread
     *  waiting in ws_loop_dispatch() or ws_loop_next_event() does it itself
     *  meanwhile (no hand-off per message). A call with timeout 0 only takes
     *  what is queued. */
    WS_DELIVERY_DISPATCH = 0,
    /** Run on the loop's I/O thread as soon as they happen. Listeners must
     *  then be thread-safe and quick: they hold up every socket of the loop.
     *  Events can run before ws_new_ex() returns: create sockets with
     *  ws_options_set_deferred_connect(), add listeners, then ws_connect(). */
    WS_DELIVERY_IO_THREAD = 1,
    /** No I/O thread: ws_loop_dispatch() and ws_loop_next_event() do the
     *  loop's I/O themselves, on the calling thread, then hand out what
     *  arrived (libuv's model; a game calling once a frame with timeout 0).
     *  No thread hand-off per message: sends made on a thread while it
     *  dispatches (from listeners), or while no thread dispatches, go to the
     *  kernel within the send call. The fastest loop for a host that sends
     *  and receives on one thread. Connections make progress (connects,
     *  timers, pings, the closing handshake, sends from other threads) only
     *  while some thread dispatches. ws_loop_fd() is -1: dispatch with a
     *  timeout waits on the sockets itself. */
    WS_DELIVERY_HOST_DRIVEN = 2
} ws_delivery_t;

/* ---- Loops -------------------------------------------------------------- */

/**
 * Create a loop with its own I/O thread (none for WS_DELIVERY_HOST_DRIVEN).
 *
 * @param delivery where listeners run (see ws_delivery_t).
 * @param out receives the loop; set to NULL on failure.
 * @return WS_OK, WS_ERR_INVALID_ARGUMENT, WS_ERR_NO_MEMORY or WS_ERR_LOOP.
 */
WS_API ws_result ws_loop_new(ws_delivery_t delivery, ws_loop **out);

/**
 * Release the loop handle. Sockets still alive on it keep it running; once
 * the handle and every socket are freed, the I/O thread is stopped and
 * joined before the last free call returns, so no library thread outlives
 * it. Events not yet dispatched are dropped. Connections still open get one
 * last write of what was queued (up to the 1001 close frame of ws_free())
 * and are then dropped without waiting for the server's reply. NULL is
 * fine; never free twice.
 */
WS_API void ws_loop_free(ws_loop *loop);

/**
 * The process-wide loop used by ws_new(), created on first use with
 * WS_DELIVERY_DISPATCH. Never freed. @return NULL only if it could not be
 * started (ws_last_error(NULL) says why).
 */
WS_API ws_loop *ws_default_loop(void);

/**
 * Run the events waiting on `loop`, on the calling thread.
 *
 * Waits up to `timeout_ms` for the first event (0: do not wait; negative:
 * wait until one arrives), then runs every event queued at that moment, in
 * order. Only one thread dispatches a loop at a time; others wait their turn.
 * On a WS_DELIVERY_HOST_DRIVEN loop the wait is spent doing the loop's I/O
 * on the calling thread.
 *
 * A wait (timeout_ms not 0, nothing queued) first polls the sockets without
 * sleeping for up to 50 microseconds: an answer that comes back that fast is
 * taken without the cost of going to sleep and being woken (on a virtual
 * machine, more than the round trip itself). The spin adapts: each one that
 * finds nothing makes the next ones rarer (down to one wait in 256), so a
 * quiet connection or a server on the same core costs next to nothing. The
 * environment variable POLYWS_SPIN_US, read when a loop is created, sets the
 * budget in microseconds (0 turns spinning off, at most 1000; a value that is
 * not a whole number is ignored). ws_loop_next_event() waits the same way.
 *
 * @param dispatched if not NULL, receives how many events were run.
 * @return WS_OK (also when the wait timed out), WS_ERR_INVALID_ARGUMENT, or
 *         WS_ERR_REENTRANT when called from a listener of the same loop.
 */
WS_API ws_result ws_loop_dispatch(ws_loop *loop, int timeout_ms,
                                  size_t *dispatched);

/**
 * Take the next event for the host to dispatch itself (the path bindings
 * use: nothing native calls into the host). The socket's readyState,
 * protocol and extensions are updated exactly as ws_loop_dispatch() would;
 * events that the browser would not deliver (a message after close(), any
 * event of a freed socket) are skipped. Listeners are NOT called.
 *
 * @param timeout_ms as for ws_loop_dispatch().
 * @param out receives the event, or NULL if none arrived in time. The event
 *        and its data stay valid until the next call on this loop.
 * @return WS_OK, WS_ERR_INVALID_ARGUMENT or WS_ERR_REENTRANT.
 */
WS_API ws_result ws_loop_next_event(ws_loop *loop, int timeout_ms,
                                    const ws_event **out);

/**
 * A descriptor that is readable while events wait to be dispatched. Wait on
 * it for readability, then call ws_loop_dispatch(); do not read from, write
 * to or close it. It may read as readable when nothing waits
 * (dispatch then runs nothing); it is never unreadable while events wait.
 *
 * Linux: an eventfd; wait with poll(), epoll or select() for POLLIN.
 *
 * Windows: a SOCKET (the receiving end of a loopback TCP connection owned
 * by the loop), cast to int: Windows socket handles fit in 32 bits, so
 * `(SOCKET)ws_loop_fd(loop)` gives it back. Wait with select(), WSAPoll()
 * (POLLRDNORM) or WSAEventSelect() (FD_READ; that call makes the socket
 * non-blocking, which it already is). Winsock is started by the library
 * for as long as a loop exists, independently of the host's own
 * WSAStartup()/WSACleanup() calls.
 *
 * @return -1 for WS_DELIVERY_IO_THREAD and WS_DELIVERY_HOST_DRIVEN loops,
 *         or NULL.
 */
WS_API int ws_loop_fd(const ws_loop *loop);

/* ---- Options ------------------------------------------------------------ */

/** Create options with every default. @return WS_OK or WS_ERR_NO_MEMORY. */
WS_API ws_result ws_options_new(ws_options **out);
/** Release options. NULL is fine. */
WS_API void ws_options_free(ws_options *options);

/**
 * Largest incoming message, in bytes, before the connection is failed with
 * close frame 1009 (the host sees error, then close 1006). Default 64 MiB.
 * 0 is rejected with WS_ERR_INVALID_ARGUMENT.
 */
WS_API ws_result ws_options_set_max_message_size(ws_options *options,
                                                 uint64_t bytes);

/**
 * Largest bufferedAmount. A send that would pass it fails the connection
 * (error, then close 1006) and returns WS_ERR_BUFFER_FULL. Default 256 MiB.
 */
WS_API ws_result ws_options_set_send_buffer_limit(ws_options *options,
                                                  uint64_t bytes);

/**
 * Receive flow control: the most message bytes (payload after any
 * permessage-deflate inflation) one socket may have received and not yet
 * handed to the host. Default 8 MiB (WS_DEFAULT_RECEIVE_LIMIT). Each
 * message also counts a fixed cost for its bookkeeping (about 320 bytes on
 * 64-bit systems), so a server sending empty or tiny messages is held back
 * too.
 *
 * A message counts from the moment it is complete until its event is
 * dispatched, taken by ws_loop_next_event(), or dropped (a socket that is
 * closed or freed). Once a socket holds the limit or more, the loop stops
 * reading that socket: the bytes wait in the kernel, TCP's window closes
 * and the server's writes block. It reads again once the host has taken
 * the socket down to half the limit. Nothing is lost or reordered; other
 * sockets of the loop are not affected.
 *
 * The limit is checked between messages, so one message larger than it
 * still arrives whole (ws_options_set_max_message_size() bounds a single
 * message): the most a socket holds is the limit plus one message plus
 * one read of the transport (256 KiB). While a socket is not read, pings
 * from the server are answered when reading resumes, and the keepalive's
 * pong deadline (ws_options_set_pong_timeout_ms) does not run.
 *
 * 0 is rejected with WS_ERR_INVALID_ARGUMENT.
 */
WS_API ws_result ws_options_set_receive_limit(ws_options *options,
                                              uint64_t bytes);
/** The default receive limit, in bytes: 8 MiB. */
#define WS_DEFAULT_RECEIVE_LIMIT 8388608

/**
 * Time allowed from ws_new() to the end of the opening handshake (name
 * lookup, TCP connect, TLS, HTTP upgrade). When it passes the connection is
 * failed (error, then close 1006). Default 30000 ms; 0 means no limit.
 */
WS_API ws_result ws_options_set_connect_timeout_ms(ws_options *options,
                                                   uint32_t ms);

/**
 * Time allowed for the closing handshake once a close frame was sent. When
 * it passes the TCP connection is dropped and close reports 1006 with
 * wasClean false. Default 5000 ms; 0 is rejected.
 */
WS_API ws_result ws_options_set_close_timeout_ms(ws_options *options,
                                                 uint32_t ms);

/* ---- TLS (wss://) options ----
 * Verification is on by default: the system trust store (on Linux OpenSSL's
 * default paths, which SSL_CERT_FILE / SSL_CERT_DIR override; on Windows the
 * system ROOT certificate store, plus those variables when set), the host name or IP
 * checked against the certificate, TLS 1.2 or later. Files and PEM are
 * loaded when the socket is created: ws_new_ex() returns
 * WS_ERR_INVALID_ARGUMENT, with the reason, if they cannot be used. Paths
 * are UTF-8. NULL clears a string option.
 */

/** Trust the CAs in this PEM file instead of the system store. */
WS_API ws_result ws_options_set_ca_file(ws_options *options, const char *path);

/** Trust the CAs in this PEM text (`size` bytes) instead of the system
 *  store; combines with ws_options_set_ca_file(). Copied. */
WS_API ws_result ws_options_set_ca_pem(ws_options *options, const char *pem, size_t size);

/** Present this client certificate chain and key (PEM files, the key not
 *  encrypted) when the server asks for one (mutual TLS). Both or neither. */
WS_API ws_result ws_options_set_client_cert(ws_options *options, const char *cert_file,
                                            const char *key_file);

/** The name sent as SNI and checked against the certificate, instead of the
 *  URL's host (for example when connecting to an address by IP). */
WS_API ws_result ws_options_set_tls_server_name(ws_options *options, const char *name);

/**
 * INSECURE: accept any server certificate, unchecked. Anyone on the path can
 * then read and change the traffic. For tests against throwaway servers
 * only; never enabled by anything but this call.
 */
WS_API ws_result ws_options_set_insecure_no_tls_verify(ws_options *options, bool insecure);

/**
 * Automatic reconnect, off by default (as in a browser). When a connection
 * ends without this side asking (a failure, a drop, a server close other
 * than a clean 1000), its close event says ws_event_will_reconnect(), and
 * after a delay a WS_EVENT_RECONNECT event starts a new connection: the
 * socket is CONNECTING again, then open (or error and close) follow as
 * before. Delays double from `initial_delay_ms` up to `max_delay_ms`, each
 * picked at random in its upper half; the count restarts after an open.
 * `max_attempts` 0 means no limit. close() or ws_free() stop it: a close
 * event dispatched after close() never says will_reconnect, and close()
 * during the delay ends it with no further event. Messages
 * not sent when a connection ends are never resent: the close event reports
 * them (ws_event_unsent_messages()), and bufferedAmount starts from 0 on the
 * new connection. `initial_delay_ms` 0 turns reconnecting off.
 */
WS_API ws_result ws_options_set_reconnect(ws_options *options, uint32_t initial_delay_ms,
                                          uint32_t max_delay_ms, uint32_t max_attempts);

/**
 * Offer permessage-deflate (RFC 7692). Default false. When the server
 * accepts, messages are compressed both ways, ws_extensions() reads the
 * server's answer, and bufferedAmount still counts uncompressed bytes.
 * The maximum message size applies to the decompressed size.
 */
WS_API ws_result ws_options_set_permessage_deflate(ws_options *options, bool enabled);

/**
 * The LZ77 windows to offer: client_max_window_bits (9-15) and
 * server_max_window_bits (8-15); 15 (the default) leaves a parameter out.
 */
WS_API ws_result ws_options_set_deflate_window_bits(ws_options *options, uint8_t client_bits,
                                                    uint8_t server_bits);

/** Offer client_no_context_takeover and/or server_no_context_takeover
 *  (less memory per connection, worse compression). Default false, false. */
WS_API ws_result ws_options_set_deflate_no_context_takeover(ws_options *options, bool client,
                                                            bool server);

/**
 * Connect through an HTTP proxy with CONNECT (ws:// and wss://; TLS then
 * runs end to end through the tunnel): "http://[user:password@]host[:port]"
 * (port 1080 when none; the credentials, percent-encoded, go as Basic
 * authentication). NULL or "" clears it. A malformed URL gives
 * WS_ERR_INVALID_ARGUMENT. A proxy that refuses the tunnel fails the
 * connection (error, then close 1006) with its status line as the reason.
 */
WS_API ws_result ws_options_set_proxy(ws_options *options, const char *proxy_url);

/**
 * Opt in to the usual environment variables when no proxy is set:
 * https_proxy / HTTPS_PROXY for wss://, http_proxy for ws:// (upper-case
 * HTTP_PROXY is ignored, as curl does), and no_proxy / NO_PROXY (names,
 * each also matching its subdomains; "*" for all). Default false.
 */
WS_API ws_result ws_options_set_proxy_from_environment(ws_options *options, bool enabled);

/**
 * Add a header to the opening handshake request (Authorization, Cookie,
 * Origin, ...). Headers the protocol owns (Host, Upgrade, Connection,
 * Sec-WebSocket-*, Content-Length, Transfer-Encoding), names that are not
 * HTTP tokens and values with CR, LF or NUL are refused with
 * WS_ERR_INVALID_ARGUMENT and a message saying why. Added in order; a name
 * may repeat.
 */
WS_API ws_result ws_options_add_header(ws_options *options, const char *name, const char *value);

/** The User-Agent of the handshake request (default "polyws/VERSION"). */
WS_API ws_result ws_options_set_user_agent(ws_options *options, const char *user_agent);

/**
 * Keepalive: send a ping every `ms` once open (0, the default, sends none,
 * as a browser). If no pong arrives within the pong timeout the peer is
 * taken for dead: the connection fails (error, then close 1006).
 */
WS_API ws_result ws_options_set_ping_interval_ms(ws_options *options, uint32_t ms);

/** How long a keepalive ping may wait for its pong. Default 10000 ms; 0 is
 *  rejected. */
WS_API ws_result ws_options_set_pong_timeout_ms(ws_options *options, uint32_t ms);

/**
 * Create sockets that wait for ws_connect() before connecting (default
 * false: ws_new_ex() starts at once). On a WS_DELIVERY_IO_THREAD loop an
 * event may run before ws_new_ex() has returned, so register listeners on a
 * deferred socket, then call ws_connect().
 */
WS_API ws_result ws_options_set_deferred_connect(ws_options *options, bool deferred);

/* ---- Sockets ------------------------------------------------------------ */

/**
 * new WebSocket(url, protocols) on the default loop.
 *
 * The URL must be absolute with scheme ws, wss, http or https (http becomes
 * ws, https wss) and no fragment; each protocol must be a non-empty RFC 6455
 * token, all distinct. Network failures never fail this call: they arrive
 * later as an error event, then close 1006.
 *
 * @param protocols array of `protocol_count` strings; NULL when 0.
 * @param out receives the socket in CONNECTING; NULL on failure.
 * @return WS_OK, WS_ERR_SYNTAX (ws_last_error(NULL) says what is wrong),
 *         WS_ERR_INVALID_ARGUMENT, WS_ERR_NO_MEMORY or WS_ERR_LOOP.
 */
WS_API ws_result ws_new(const char *url, const char *const *protocols,
                        size_t protocol_count, ws_socket **out);

/**
 * As ws_new(), on `loop` (NULL: the default loop) with `options` (NULL: the
 * defaults; copied, so they may be freed at once).
 */
WS_API ws_result ws_new_ex(ws_loop *loop, const char *url,
                           const char *const *protocols,
                           size_t protocol_count, const ws_options *options,
                           ws_socket **out);

/**
 * Start connecting a socket made with deferred connect (see
 * ws_options_set_deferred_connect()). The socket is CONNECTING throughout.
 * @return WS_OK, WS_ERR_INVALID_ARGUMENT, or WS_ERR_INVALID_STATE when it
 *         is already connecting (every socket not deferred is).
 */
WS_API ws_result ws_connect(ws_socket *ws);

/**
 * Release the socket. Connecting: the connection is abandoned. Open: the
 * closing handshake starts with 1001 (going away) and completes in the
 * background. No listener of this socket runs after ws_free() returns; if
 * another thread is inside one, ws_free() waits for it to return. Safe in
 * every state, from any thread and from inside the socket's own listeners.
 * NULL is fine; never free twice.
 */
WS_API void ws_free(ws_socket *ws);

/** readyState. NULL gives WS_CLOSED. */
WS_API ws_ready_state_t ws_ready_state(const ws_socket *ws);

/**
 * The serialized URL (`new WebSocket("https://h/").url` is "wss://h/").
 * Valid until ws_free(). NULL gives "".
 */
WS_API const char *ws_url(const ws_socket *ws);

/**
 * The subprotocol the server selected; "" until open is dispatched or when
 * none. Valid until ws_free().
 */
WS_API const char *ws_protocol(const ws_socket *ws);

/** The extensions the server accepted; "" until open is dispatched. Valid
 *  until ws_free(). */
WS_API const char *ws_extensions(const ws_socket *ws);

/**
 * A header of the server's handshake response, by name (any case); repeated
 * fields are joined with ", ". NULL when absent or before open is
 * dispatched. Valid until ws_free().
 */
WS_API const char *ws_response_header(const ws_socket *ws, const char *name);

/** How many response headers there are (0 before open is dispatched). */
WS_API size_t ws_response_header_count(const ws_socket *ws);

/**
 * The response header at `index` (names lowercased, sorted). @return false
 * when `index` is out of range. Strings valid until ws_free().
 */
WS_API bool ws_response_header_at(const ws_socket *ws, size_t index, const char **name,
                                  const char **value);

/** binaryType (default WS_BINARY_BLOB). NULL gives WS_BINARY_BLOB. */
WS_API ws_binary_type_t ws_binary_type(const ws_socket *ws);
/** Set binaryType. @return WS_OK or WS_ERR_INVALID_ARGUMENT. */
WS_API ws_result ws_set_binary_type(ws_socket *ws, ws_binary_type_t type);

/**
 * bufferedAmount: payload bytes accepted by send but not yet handed to the
 * network. Framing is never counted. Bytes passed to send while CLOSING or
 * CLOSED are discarded but still counted, and the count then never falls,
 * as in a browser: after close, it is what was never sent.
 */
WS_API uint64_t ws_buffered_amount(const ws_socket *ws);

/**
 * The receive side's bufferedAmount: what the messages this socket has
 * received and not yet handed to the host count against its receive limit
 * (their payload bytes plus each one's fixed cost: see
 * ws_options_set_receive_limit()). 0 when none wait, and for NULL.
 */
WS_API uint64_t ws_undelivered_amount(const ws_socket *ws);

/**
 * Hold this socket's events in its loop: from the next event on,
 * ws_loop_dispatch() and ws_loop_next_event() skip them (other sockets'
 * events flow as before) until ws_resume(). Held messages count against
 * the receive limit, so a paused socket soon stops being read and its
 * server's writes block: this is how a host that consumes messages at its
 * own pace (an async receive call, a demand counter) pushes back. Events
 * keep their order; open, error and close are held too, behind the
 * messages they follow. Pausing a paused socket does nothing.
 *
 * Works on every kind of loop (on a WS_DELIVERY_IO_THREAD loop the held
 * events run on the I/O thread after ws_resume()).
 *
 * @return WS_OK, or WS_ERR_INVALID_ARGUMENT for NULL.
 */
WS_API ws_result ws_pause(ws_socket *ws);
/** Deliver the held events again, in order, then new ones as they come.
 *  Resuming a socket that is not paused does nothing.
 *  @return WS_OK, or WS_ERR_INVALID_ARGUMENT for NULL. */
WS_API ws_result ws_resume(ws_socket *ws);
/** Whether ws_pause() holds this socket's events. false for NULL. */
WS_API bool ws_is_paused(const ws_socket *ws);

/** Attach a pointer for the host's own use (ws_event_user_data gives it
 *  back). @return WS_OK or WS_ERR_INVALID_ARGUMENT. */
WS_API ws_result ws_set_user_data(ws_socket *ws, void *user_data);
/** The pointer given to ws_set_user_data(), NULL by default. */
WS_API void *ws_user_data(const ws_socket *ws);

/**
 * send(text). `text` is `size` bytes of UTF-8 (it need not be
 * NUL-terminated).
 *
 * CONNECTING: WS_ERR_INVALID_STATE. OPEN: queued; bufferedAmount grows by
 * `size` and falls as bytes reach the network; messages go out in the order
 * of the calls. CLOSING or CLOSED: discarded, bufferedAmount still grows,
 * WS_OK.
 *
 * @return WS_OK, WS_ERR_INVALID_STATE, WS_ERR_INVALID_UTF8 (nothing is sent),
 *         WS_ERR_INVALID_ARGUMENT, WS_ERR_BUFFER_FULL or WS_ERR_NO_MEMORY.
 */
WS_API ws_result ws_send_text(ws_socket *ws, const char *text, size_t size);

/** send(binary): as ws_send_text() for `size` bytes of any value. `data`
 *  may be NULL when `size` is 0. The bytes are copied. */
WS_API ws_result ws_send_binary(ws_socket *ws, const void *data, size_t size);

/**
 * Sends a ping frame carrying `size` bytes of `data` (at most 125; `data`
 * may be NULL when `size` is 0), behind what is already being written. Not
 * part of the browser's API (a page cannot ping): for tools and hosts that
 * want to probe a connection on demand. The server's pong is not reported;
 * for a liveness check that fails a silent connection, use the keepalive
 * (ws_options_set_ping_interval_ms). Pongs to the server's pings are always
 * automatic.
 *
 * @return WS_OK; WS_ERR_INVALID_STATE unless OPEN (and close() not called);
 *         WS_ERR_INVALID_ARGUMENT for NULL or more than 125 bytes.
 */
WS_API ws_result ws_ping(ws_socket *ws, const void *data, size_t size);

/**
 * close(code, reason).
 *
 * @param code 0 for "no code", else 1000 or 3000-4999.
 * @param reason NULL or UTF-8 of at most 123 bytes (NULL and "" are alike).
 *        A non-empty reason with code 0 is sent with code 1000, as WHATWG
 *        close(undefined, reason) does: a close frame has no room for a
 *        reason without a code.
 *
 * A bad code gives WS_ERR_INVALID_ACCESS (checked before the reason); a
 * reason over 123 bytes WS_ERR_SYNTAX; a reason that is not UTF-8
 * WS_ERR_INVALID_UTF8. CONNECTING: the connection is failed (state CLOSING;
 * error, then close 1006 follow). OPEN: messages already accepted are sent,
 * then the close frame (empty with neither code nor reason), state CLOSING
 * at once.
 * CLOSING or CLOSED: nothing happens.
 */
WS_API ws_result ws_close(ws_socket *ws, uint16_t code, const char *reason);

/* ---- Events and listeners ------------------------------------------------ */

/**
 * A listener: the socket, the event (valid only during this call) and the
 * pointer given at registration. Runs on the thread that dispatches (or the
 * I/O thread). It may call any polyws function, ws_free(ws) included.
 */
typedef void (*ws_listener_fn)(ws_socket *ws, const ws_event *event,
                               void *user_data);

/**
 * addEventListener(type, listener). Listeners of one type run in order of
 * registration. Adding the same (type, fn, user_data) twice has no effect,
 * as in a browser. A listener added while an event is being dispatched does
 * not see that event; one removed before its turn is not called.
 * @return WS_OK, WS_ERR_INVALID_ARGUMENT or WS_ERR_NO_MEMORY.
 */
WS_API ws_result ws_add_event_listener(ws_socket *ws, ws_event_type_t type,
                                       ws_listener_fn fn, void *user_data);

/** removeEventListener(type, listener): removes the (type, fn, user_data)
 *  registration; no effect if there is none. */
WS_API ws_result ws_remove_event_listener(ws_socket *ws, ws_event_type_t type,
                                          ws_listener_fn fn, void *user_data);

/**
 * The on<type> handler attributes. A handler is one listener among the
 * others, run at the position where it was first set (as `ws.onmessage = f`
 * in a browser); setting another function keeps that position; setting NULL
 * removes it.
 */
WS_API ws_result ws_set_onopen(ws_socket *ws, ws_listener_fn fn,
                               void *user_data);
WS_API ws_result ws_set_onmessage(ws_socket *ws, ws_listener_fn fn,
                                  void *user_data);
WS_API ws_result ws_set_onerror(ws_socket *ws, ws_listener_fn fn,
                                void *user_data);
WS_API ws_result ws_set_onclose(ws_socket *ws, ws_listener_fn fn,
                                void *user_data);

/* ---- Reading an event ----------------------------------------------------
 * Every accessor accepts NULL and then gives 0, false, NULL or "". Data and
 * strings live as long as the event.
 */

/** The event's type. */
WS_API ws_event_type_t ws_event_type(const ws_event *event);
/** The socket the event belongs to. */
WS_API ws_socket *ws_event_socket(const ws_event *event);
/** ws_user_data() of that socket when the event was taken. */
WS_API void *ws_event_user_data(const ws_event *event);
/**
 * message: the payload and its size in bytes. Text is UTF-8 and followed by
 * a NUL that `size` does not count. Never NULL for a message (an empty
 * message gives a valid pointer and size 0).
 */
WS_API const uint8_t *ws_event_data(const ws_event *event, size_t *size);
/** message: true for a binary message, false for text. */
WS_API bool ws_event_is_binary(const ws_event *event);
/** message: binaryType at the moment the event was dispatched. */
WS_API ws_binary_type_t ws_event_binary_type(const ws_event *event);
/** close: the code (1005 when the close frame had none, 1006 when there
 *  was no closing handshake). */
WS_API uint16_t ws_event_code(const ws_event *event);
/** close: the reason, UTF-8 ("" when none). */
WS_API const char *ws_event_reason(const ws_event *event);
/** close: wasClean. */
WS_API bool ws_event_was_clean(const ws_event *event);
/** close: a reconnect will follow (see ws_options_set_reconnect()). */
WS_API bool ws_event_will_reconnect(const ws_event *event);
/** reconnect: which attempt this is, from 1. */
WS_API uint32_t ws_event_reconnect_attempt(const ws_event *event);
/**
 * close: how many messages accepted by send() on this connection were never
 * (fully) sent, and their bytes not sent (the bufferedAmount of the
 * connection when its close event is dispatched). Sends made while the
 * connection was already ending (close() called, the peer gone, the close
 * event not yet dispatched) were discarded and are counted here too.
 * Nothing accepted is dropped unreported.
 */
WS_API uint64_t ws_event_unsent_messages(const ws_event *event);
WS_API uint64_t ws_event_unsent_bytes(const ws_event *event);
/** error: why the connection failed, readable (e.g. "TLS: certificate
 *  verify failed: self-signed certificate"). "" for other events. */
WS_API const char *ws_event_error_message(const ws_event *event);
/** open: the selected subprotocol and extensions, as the socket reports
 *  them from now on. */
WS_API const char *ws_event_protocol(const ws_event *event);
WS_API const char *ws_event_extensions(const ws_event *event);

#ifdef __cplusplus
}
#endif

#endif /* POLYWS_H */
