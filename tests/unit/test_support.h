/*
 * Shared machinery for the CMocka tests of the C API:
 *   - an echo server (build/tools/polyws-echo) started on a free loopback
 *     port and stopped again;
 *   - a raw one-connection server in a thread, that records the frames the
 *     client puts on the wire and can misbehave on request;
 *   - a recorder that captures every event of a socket, thread-safely, with
 *     what the socket looked like when the event was dispatched;
 *   - bounded waits that run a loop until a condition holds;
 *   - new_socket()/open_socket(), which attach listeners before the first
 *     event can run, also on WS_DELIVERY_IO_THREAD loops.
 *
 * Every wait is bounded (WAIT_SECONDS by default) and polls in 50 ms steps;
 * tests wait for events, never for time to pass, and never assert on timing.
 */
#ifndef POLYWS_TEST_SUPPORT_H
#define POLYWS_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

#include "polyws.h"

/* The upper bound of every wait in the tests, in seconds. */
#define WAIT_SECONDS 20.0

/* Call first in main(): ignores SIGPIPE and applies the TEST_FILTER
 * environment variable (a cmocka test name pattern) when set. */
void test_support_init(void);

/* ---- Echo server ---------------------------------------------------------- */

typedef struct echo_server {
    pid_t pid;
    int port;
    int stdout_fd;
    char url[64]; /* "ws://127.0.0.1:<port>/" */
} echo_server;

/* Starts polyws-echo on a free port with the given subprotocols (may be
 * NULL/0) and waits for its "PORT <n>" line. Returns 0 on success. */
int echo_start(echo_server *server, const char *const *protocols, size_t count);
/* As echo_start, serving wss:// with this certificate and key (PEM files);
 * its url then reads "wss://127.0.0.1:<port>/". */
int echo_start_tls(echo_server *server, const char *const *protocols, size_t count,
                   const char *cert_file, const char *key_file);
/* Starts any peer that takes "--port 0" and prints "PORT <n>" first (argv
 * includes those; argv[0] is looked up on PATH), such as
 * tests/peers/node_server.js; its url then reads "<scheme>://127.0.0.1:<port>/". */
int peer_start(echo_server *server, const char *const *argv, const char *scheme);
/* Stops it (SIGTERM, then SIGKILL if it lingers) and reaps it. */
void echo_stop(echo_server *server);

/* ---- Raw server ------------------------------------------------------------
 * A one-connection WebSocket server in a thread of the test, for what the
 * echo server cannot report: the frames the client actually put on the wire.
 * It accepts one client, answers the handshake, then records every frame
 * (unmasked). When a close frame arrives it answers with the same payload
 * and closes TCP, as RFC 6455 7.1.1 has servers do. If it sent the first
 * close frame itself (send_after_handshake), it closes TCP once the client
 * answers, unless hold_after_close says to wait for `release` first.
 */

typedef struct raw_frame {
    int opcode;
    bool fin, masked;
    uint8_t *payload;
    size_t size;
} raw_frame;

#define RAW_MAX_FRAMES 256

typedef struct raw_server {
    int listen_fd;
    int port;
    char url[64];
    pthread_t thread;
    bool running;
    /* Behaviour, set before raw_server_start(). */
    const uint8_t *send_after_handshake; /* bytes sent once open (e.g. a close frame) */
    size_t send_after_handshake_size;
    bool drop_after_handshake;           /* then close TCP without a close frame */
    bool no_close_reply;                 /* do not answer the client's close frame */
    bool hold_after_close;               /* after the closing handshake, keep TCP
                                            open until `release` is set (or EOF) */
    atomic_bool release;
    /* Results: read after raw_server_wait(). */
    raw_frame frames[RAW_MAX_FRAMES];
    size_t nframes;
    bool handshake_done;
    bool closing_handshake_done;         /* both close frames exchanged */
    bool got_eof;                        /* the client closed TCP first */
} raw_server;

/* Listens on a free loopback port and starts serving one client. 0 on success. */
int raw_server_start(raw_server *server);
/* Waits (bounded) for the connection to end; true if it did. */
bool raw_server_wait(raw_server *server);
/* Ends the thread if still running and frees what it recorded. */
void raw_server_stop(raw_server *server);
/* The first close frame the client sent, or NULL. */
const raw_frame *raw_server_close_frame(raw_server *server);
/* Waits for the raw server's conversation to end and checks that it got a
 * 1001 (going away) close frame (ws_free of an open socket); returns it. */
const raw_frame *expect_going_away_frame(raw_server *server);
/* Number of data frames (text, binary or continuation) before `frame`. */
size_t raw_server_data_frames_before(raw_server *server, const raw_frame *frame);

/* A loopback listener that completes TCP connects (from the kernel's
 * backlog) and never reads or answers: for connect timeouts. Sets *port;
 * returns the descriptor (close it after). */
int silent_listener(int *port);

/* ---- Recorder ------------------------------------------------------------- */

typedef struct rec_event {
    ws_event_type_t type;
    ws_socket *socket;             /* ws_event_socket() */
    void *event_user_data;         /* ws_event_user_data() */
    void *listener_user_data;      /* the registration's pointer */
    ws_ready_state_t state;        /* ws_ready_state() inside the listener */
    uint64_t buffered;             /* ws_buffered_amount() inside the listener */
    pthread_t thread;              /* who ran the listener */
    bool binary;
    ws_binary_type_t binary_type;
    uint8_t *data;                 /* a copy of the payload, NUL-terminated */
    size_t size;
    bool data_was_null;            /* ws_event_data() returned NULL */
    bool nul_after_data;           /* the byte after the payload was 0 */
    uint16_t code;
    bool was_clean;
    bool will_reconnect;           /* ws_event_will_reconnect() */
    uint32_t attempt;              /* ws_event_reconnect_attempt() */
    uint64_t unsent_messages;      /* ws_event_unsent_messages() */
    uint64_t unsent_bytes;         /* ws_event_unsent_bytes() */
    char *reason;
    char *error;
    char *protocol;                /* ws_event_protocol() */
    char *socket_protocol;         /* ws_protocol() inside the listener */
    char *extensions;
} rec_event;

typedef struct recorder {
    pthread_mutex_t mutex;
    rec_event **events;            /* each allocated on its own: stable */
    size_t count, capacity;
} recorder;

void recorder_init(recorder *r);
void recorder_free(recorder *r);
/* Adds one listener per event type that appends to `r`. */
void recorder_attach(recorder *r, ws_socket *ws);
/* The listener recorder_attach() uses (user_data: the recorder), for tests
 * that register it themselves. */
void recorder_listener(ws_socket *ws, const ws_event *event, void *user_data);
/* Appends one event (used by recorder_listener and by the pull-path tests). */
void recorder_add(recorder *r, ws_socket *ws, const ws_event *event, void *listener_user_data);

/* Number of events of `type` recorded (0: all types). */
size_t recorder_count(recorder *r, ws_event_type_t type);
/* The nth (0-based) event of `type` (0: any type), or NULL. The pointer stays
 * valid until recorder_free(). */
const rec_event *recorder_get(recorder *r, ws_event_type_t type, size_t nth);
/* Index in the whole sequence of the nth event of `type`, or -1. */
int recorder_index(recorder *r, ws_event_type_t type, size_t nth);

/* ---- Bounded waits -------------------------------------------------------- */

typedef bool (*wait_predicate)(void *context);

/* Runs `loop` (NULL: the default loop) in 50 ms dispatch steps until
 * `predicate(context)` holds or `seconds` pass (on a host-driven loop those
 * calls do its I/O). For WS_DELIVERY_IO_THREAD loops it only polls. Returns
 * the predicate's last value. */
bool wait_for(ws_loop *loop, wait_predicate predicate, void *context, double seconds);

/* Polls (dispatching nothing) until `predicate(context)` holds or `seconds`
 * pass: for WS_DELIVERY_IO_THREAD loops, or loops whose handle is freed. */
bool poll_until(wait_predicate predicate, void *context, double seconds);

/* Waits until `r` holds at least `n` events of `type` (0: any). */
bool wait_events(ws_loop *loop, recorder *r, ws_event_type_t type, size_t n);
/* As wait_events, polling only (events delivered on an I/O thread). */
bool poll_events(recorder *r, ws_event_type_t type, size_t n);
/* Waits until `ws` reads `state`. */
bool wait_state(ws_loop *loop, ws_socket *ws, ws_ready_state_t state);
/* Waits (without dispatching) until the loop's fd is readable. */
bool wait_fd_readable(ws_loop *loop, double seconds);
/* True if the loop's fd is readable right now. */
bool fd_readable(ws_loop *loop);

/* Seconds on a monotonic clock. */
double now_seconds(void);
/* Entries of a directory, "." ones left out (-1 if it cannot be read): with
 * /proc/self/fd and /proc/self/task, the descriptors and threads in use (the
 * fd count includes the one opendir() holds). */
int count_dir_entries(const char *path);
/* Sleeps for `ms` milliseconds (only for polling, never to wait out time). */
void sleep_ms(int ms);

/* ---- Resources: what freeing must give back ------------------------------- */

/* Descriptors and threads in use (the fd count includes the one opendir()
 * holds), and the glibc heap in use when measured (0 otherwise). */
typedef struct resources {
    int fds, threads;
    size_t heap;
} resources;

/* What the process holds now; the heap too when `with_heap` (and no
 * sanitizer replaces malloc). Fails the test if /proc cannot be read. */
resources resources_now(bool with_heap);

/* Waits (bounded) until descriptors and threads are back to at most
 * `baseline`'s, and the heap, if measured, within `heap_slack` bytes of it.
 * Prints what is left when they are not; returns whether they came back. */
bool resources_back_to(const resources *baseline, size_t heap_slack);

/* ---- Helpers -------------------------------------------------------------- */

/* Registers a socket's listeners; called before the socket can see any event. */
typedef void (*attach_fn)(ws_socket *ws, void *context);

/* An attach_fn that attaches the recorder `context` (may be NULL). */
void attach_recorder(ws_socket *ws, void *context);

/* ws_new_ex() plus `attach`, with the guarantee that the listeners are in
 * place before the first event. On a dispatch loop that holds anyway (no
 * event runs before a dispatch); on an I/O-thread loop the socket is made
 * with deferred connect and connected after `attach` (options given for
 * such a loop must set deferred connect themselves). */
ws_socket *new_socket(ws_loop *loop, const char *url, const char *const *protocols,
                      size_t count, const ws_options *options, attach_fn attach, void *context);

/* Creates a socket to `url` on `loop` (with `options`, may be NULL) and waits
 * for its open event, with `r` attached (r may be NULL). Fails the test if
 * it does not open. */
ws_socket *open_socket(ws_loop *loop, const char *url, const ws_options *options, recorder *r);

/* A loop with WS_DELIVERY_DISPATCH; fails the test if it cannot be made. */
ws_loop *new_dispatch_loop(void);

/* ---- Fixtures shared by the test programs ----------------------------------- */

/* One polyws-echo per test program: echo_group_setup starts it in `server`
 * (pass both to cmocka_run_group_tests). */
extern echo_server server;
int echo_group_setup(void **state);
int echo_group_teardown(void **state);

/* A fixture per test: a loop and a recorder, freed afterwards. A test that
 * frees the loop itself sets `loop` to NULL. */
struct fixture {
    ws_loop *loop;
    ws_delivery_t delivery; /* the loop's */
    recorder r;
};
/* With a WS_DELIVERY_DISPATCH loop. */
int fixture_setup(void **state);
/* With a loop of the mode `*state` points to on entry (a ws_delivery_t, the
 * CMUnitTest's initial state). */
int delivery_fixture_setup(void **state);
int fixture_teardown(void **state);
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

/* The modes in which the host's thread runs the listeners: index 0
 * WS_DELIVERY_DISPATCH, 1 WS_DELIVERY_HOST_DRIVEN. */
extern const ws_delivery_t host_dispatched_modes[2];
/* Two entries of a CMUnitTest table: `name` with the fixture on a dispatch
 * loop and on a host-driven loop, each run named after its mode. */
#define EACH_HOST_DISPATCHED_MODE(name)                                                  \
    {#name " [dispatch]", name, delivery_fixture_setup, fixture_teardown,                \
     (void *)&host_dispatched_modes[0]},                                                 \
    {#name " [host-driven]", name, delivery_fixture_setup, fixture_teardown,             \
     (void *)&host_dispatched_modes[1]}

#endif
