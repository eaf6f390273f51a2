#define _GNU_SOURCE
#include "test_support.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void test_support_init(void) {
    signal(SIGPIPE, SIG_IGN);
    const char *filter = getenv("TEST_FILTER");
    if (filter && *filter) cmocka_set_test_filter(filter);
}

/* ---- Time ------------------------------------------------------------------ */

double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int count_dir_entries(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(dir)) != NULL;)
        if (e->d_name[0] != '.') ++n;
    closedir(dir);
    return n;
}

void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* ---- Echo server ------------------------------------------------------------ */

int echo_start(echo_server *server, const char *const *protocols, size_t count) {
    return echo_start_tls(server, protocols, count, NULL, NULL);
}

int echo_start_tls(echo_server *server, const char *const *protocols, size_t count,
                   const char *cert_file, const char *key_file) {
    /* POLYWS_ECHO names another echo server than the one built beside the
     * tests: the aarch64 tests under QEMU start the build machine's own. */
    const char *echo = getenv("POLYWS_ECHO");
    if (!echo || !*echo) echo = POLYWS_ECHO_PATH;
    const char *argv[4 + 2 * 16 + 4 + 1];
    size_t argc = 0;
    argv[argc++] = echo;
    argv[argc++] = "--port";
    argv[argc++] = "0";
    for (size_t i = 0; i < count && i < 16; ++i) {
        argv[argc++] = "--protocol";
        argv[argc++] = protocols[i];
    }
    if (cert_file && key_file) {
        argv[argc++] = "--cert";
        argv[argc++] = cert_file;
        argv[argc++] = "--key";
        argv[argc++] = key_file;
    }
    argv[argc] = NULL;
    return peer_start(server, argv, cert_file ? "wss" : "ws");
}

int peer_start(echo_server *server, const char *const *argv, const char *scheme) {
    memset(server, 0, sizeof *server);
    server->pid = -1;
    server->stdout_fd = -1;
    signal(SIGPIPE, SIG_IGN);

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;

    /* fork + exec rather than posix_spawn, to have the server die with us
     * (PR_SET_PDEATHSIG) even if the test is killed before its teardown.
     * Only async-signal-safe calls between fork and exec. */
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(127);
        dup2(fds[1], STDOUT_FILENO);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    server->pid = pid;
    server->stdout_fd = fds[0];

    /* Read "PORT <n>\n", bounded. */
    char line[64];
    size_t used = 0;
    double deadline = now_seconds() + WAIT_SECONDS;
    while (now_seconds() < deadline && used < sizeof line - 1) {
        struct pollfd p = {fds[0], POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        ssize_t n = read(fds[0], line + used, sizeof line - 1 - used);
        if (n <= 0) break;
        used += (size_t)n;
        line[used] = '\0';
        if (strchr(line, '\n')) break;
    }
    line[used] = '\0';
    if (sscanf(line, "PORT %d", &server->port) != 1 || server->port <= 0) {
        echo_stop(server);
        return -1;
    }
    snprintf(server->url, sizeof server->url, "%s://127.0.0.1:%d/", scheme, server->port);
    return 0;
}

void echo_stop(echo_server *server) {
    if (server->pid > 0) {
        kill(server->pid, SIGTERM);
        int status;
        double deadline = now_seconds() + 5.0;
        while (waitpid(server->pid, &status, WNOHANG) == 0) {
            if (now_seconds() > deadline) {
                kill(server->pid, SIGKILL);
                waitpid(server->pid, &status, 0);
                break;
            }
            sleep_ms(10);
        }
        server->pid = -1;
    }
    if (server->stdout_fd >= 0) close(server->stdout_fd);
    server->stdout_fd = -1;
}

/* ---- Recorder ---------------------------------------------------------------- */

static char *dup_str(const char *s) { return strdup(s ? s : ""); }

void recorder_init(recorder *r) {
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mutex, NULL);
}

void recorder_free(recorder *r) {
    for (size_t i = 0; i < r->count; ++i) {
        rec_event *e = r->events[i];
        free(e->data);
        free(e->reason);
        free(e->error);
        free(e->protocol);
        free(e->socket_protocol);
        free(e->extensions);
        free(e);
    }
    free(r->events);
    pthread_mutex_destroy(&r->mutex);
    memset(r, 0, sizeof *r);
}

void recorder_add(recorder *r, ws_socket *ws, const ws_event *event, void *listener_user_data) {
    /* May run on an I/O thread: no cmocka assertions here. */
    rec_event *e = calloc(1, sizeof *e);
    if (!e) abort();
    e->type = ws_event_type(event);
    e->socket = ws_event_socket(event);
    e->event_user_data = ws_event_user_data(event);
    e->listener_user_data = listener_user_data;
    e->state = ws_ready_state(ws);
    e->buffered = ws_buffered_amount(ws);
    e->thread = pthread_self();
    e->binary = ws_event_is_binary(event);
    e->binary_type = ws_event_binary_type(event);
    size_t size = 0;
    const uint8_t *data = ws_event_data(event, &size);
    e->size = size;
    e->data_was_null = data == NULL;
    /* Only text promises a NUL after the payload. */
    e->nul_after_data = data != NULL && !e->binary && data[size] == 0;
    e->data = malloc(size + 1);
    if (!e->data) abort();
    if (size) memcpy(e->data, data, size);
    e->data[size] = 0;
    e->code = ws_event_code(event);
    e->was_clean = ws_event_was_clean(event);
    e->will_reconnect = ws_event_will_reconnect(event);
    e->attempt = ws_event_reconnect_attempt(event);
    e->unsent_messages = ws_event_unsent_messages(event);
    e->unsent_bytes = ws_event_unsent_bytes(event);
    e->reason = dup_str(ws_event_reason(event));
    e->error = dup_str(ws_event_error_message(event));
    e->protocol = dup_str(ws_event_protocol(event));
    e->socket_protocol = dup_str(ws_protocol(ws));
    e->extensions = dup_str(ws_event_extensions(event));

    pthread_mutex_lock(&r->mutex);
    if (r->count == r->capacity) {
        size_t capacity = r->capacity ? r->capacity * 2 : 64;
        rec_event **grown = realloc(r->events, capacity * sizeof *grown);
        if (!grown) abort();
        r->events = grown;
        r->capacity = capacity;
    }
    r->events[r->count++] = e;
    pthread_mutex_unlock(&r->mutex);
}

void recorder_listener(ws_socket *ws, const ws_event *event, void *user_data) {
    recorder_add((recorder *)user_data, ws, event, user_data);
}

void recorder_attach(recorder *r, ws_socket *ws) {
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_OPEN, recorder_listener, r), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_MESSAGE, recorder_listener, r), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_ERROR, recorder_listener, r), WS_OK);
    assert_int_equal(ws_add_event_listener(ws, WS_EVENT_CLOSE, recorder_listener, r), WS_OK);
}

size_t recorder_count(recorder *r, ws_event_type_t type) {
    size_t n = 0;
    pthread_mutex_lock(&r->mutex);
    for (size_t i = 0; i < r->count; ++i)
        if (type == 0 || r->events[i]->type == type) ++n;
    pthread_mutex_unlock(&r->mutex);
    return n;
}

const rec_event *recorder_get(recorder *r, ws_event_type_t type, size_t nth) {
    int i = recorder_index(r, type, nth);
    if (i < 0) return NULL;
    pthread_mutex_lock(&r->mutex);
    const rec_event *e = r->events[i];
    pthread_mutex_unlock(&r->mutex);
    return e;
}

int recorder_index(recorder *r, ws_event_type_t type, size_t nth) {
    int found = -1;
    pthread_mutex_lock(&r->mutex);
    for (size_t i = 0; i < r->count; ++i) {
        if (type != 0 && r->events[i]->type != type) continue;
        if (nth-- == 0) {
            found = (int)i;
            break;
        }
    }
    pthread_mutex_unlock(&r->mutex);
    return found;
}

/* ---- Bounded waits -------------------------------------------------------- */

bool poll_until(wait_predicate predicate, void *context, double seconds) {
    double deadline = now_seconds() + seconds;
    for (;;) {
        if (predicate(context)) return true;
        if (now_seconds() > deadline) return predicate(context);
        sleep_ms(5);
    }
}

bool wait_for(ws_loop *loop, wait_predicate predicate, void *context, double seconds) {
    if (!loop) loop = ws_default_loop();
    /* No descriptor: an I/O-thread loop (it refuses dispatch; its events
     * come by themselves) or a host-driven one (dispatch does its I/O). */
    if (ws_loop_fd(loop) < 0 && ws_loop_dispatch(loop, 0, NULL) == WS_ERR_INVALID_ARGUMENT)
        return poll_until(predicate, context, seconds);
    double deadline = now_seconds() + seconds;
    for (;;) {
        if (predicate(context)) return true;
        if (now_seconds() > deadline) return predicate(context);
        assert_int_equal(ws_loop_dispatch(loop, 50, NULL), WS_OK);
    }
}

struct count_wait {
    recorder *r;
    ws_event_type_t type;
    size_t n;
};

static bool has_events(void *context) {
    struct count_wait *w = context;
    return recorder_count(w->r, w->type) >= w->n;
}

bool wait_events(ws_loop *loop, recorder *r, ws_event_type_t type, size_t n) {
    struct count_wait w = {r, type, n};
    return wait_for(loop, has_events, &w, WAIT_SECONDS);
}

bool poll_events(recorder *r, ws_event_type_t type, size_t n) {
    struct count_wait w = {r, type, n};
    return poll_until(has_events, &w, WAIT_SECONDS);
}

struct state_wait {
    ws_socket *ws;
    ws_ready_state_t state;
};

static bool in_state(void *context) {
    struct state_wait *w = context;
    return ws_ready_state(w->ws) == w->state;
}

bool wait_state(ws_loop *loop, ws_socket *ws, ws_ready_state_t state) {
    struct state_wait w = {ws, state};
    return wait_for(loop, in_state, &w, WAIT_SECONDS);
}

bool fd_readable(ws_loop *loop) {
    struct pollfd p = {ws_loop_fd(loop), POLLIN, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

bool wait_fd_readable(ws_loop *loop, double seconds) {
    int fd = ws_loop_fd(loop);
    if (fd < 0) return false;
    double deadline = now_seconds() + seconds;
    while (now_seconds() < deadline) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 50) == 1 && (p.revents & POLLIN)) return true;
    }
    return false;
}

/* ---- Helpers -------------------------------------------------------------- */

ws_loop *new_dispatch_loop(void) {
    ws_loop *loop = NULL;
    assert_int_equal(ws_loop_new(WS_DELIVERY_DISPATCH, &loop), WS_OK);
    assert_non_null(loop);
    return loop;
}

ws_socket *new_socket(ws_loop *loop, const char *url, const char *const *protocols,
                      size_t count, const ws_options *options, attach_fn attach, void *context) {
    ws_socket *ws = NULL;
    if (ws_loop_fd(loop ? loop : ws_default_loop()) >= 0) {
        /* A dispatch loop runs no event before the next dispatch. */
        assert_int_equal(ws_new_ex(loop, url, protocols, count, options, &ws), WS_OK);
        if (attach) attach(ws, context);
        return ws;
    }
    /* An I/O-thread loop may run events at once: connect only once the
     * listeners are in place. */
    ws_options *deferred = NULL;
    if (!options) {
        assert_int_equal(ws_options_new(&deferred), WS_OK);
        assert_int_equal(ws_options_set_deferred_connect(deferred, true), WS_OK);
    }
    assert_int_equal(ws_new_ex(loop, url, protocols, count, options ? options : deferred, &ws), WS_OK);
    ws_options_free(deferred);
    if (attach) attach(ws, context);
    assert_int_equal(ws_connect(ws), WS_OK);
    return ws;
}

void attach_recorder(ws_socket *ws, void *context) {
    /* May run on an I/O thread: no cmocka assertions (a failure shows as
     * missing events instead). */
    recorder *r = context;
    if (!r) return;
    for (int type = WS_EVENT_OPEN; type <= WS_EVENT_RECONNECT; ++type)
        ws_add_event_listener(ws, (ws_event_type_t)type, recorder_listener, r);
}

ws_socket *open_socket(ws_loop *loop, const char *url, const ws_options *options, recorder *r) {
    ws_socket *ws = new_socket(loop, url, NULL, 0, options, attach_recorder, r);
    assert_non_null(ws);
    /* With a recorder, wait for the open *event*: on an I/O-thread loop the
     * state turns OPEN just before the listeners run. */
    if (r) assert_true(wait_events(loop, r, WS_EVENT_OPEN, 1));
    else assert_true(wait_state(loop, ws, WS_OPEN));
    return ws;
}

/* ---- Raw server ------------------------------------------------------------ */

/* The server thread never runs longer than WAIT_SECONDS past its start. */

static bool write_all(int fd, const void *data, size_t size) {
    const uint8_t *p = data;
    while (size) {
        ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        size -= (size_t)n;
    }
    return true;
}

/* Reads into buf (growing it) with a deadline; 0 on EOF, -1 on timeout/error. */
static ssize_t read_some(int fd, uint8_t **buf, size_t *used, size_t *cap, double deadline) {
    for (;;) {
        double left = deadline - now_seconds();
        if (left <= 0) return -1;
        struct pollfd p = {fd, POLLIN, 0};
        int rc = poll(&p, 1, left > 0.05 ? 50 : 1);
        if (rc < 0 && errno == EINTR) continue;
        if (rc <= 0) continue;
        if (*cap - *used < 2) { /* room for data and a NUL */
            size_t cap2 = *cap ? *cap * 2 : 65536;
            uint8_t *grown = realloc(*buf, cap2);
            if (!grown) return -1;
            *buf = grown;
            *cap = cap2;
        }
        ssize_t n = recv(fd, *buf + *used, *cap - *used - 1, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return 0; /* reset: as good as EOF here */
        *used += (size_t)n;
        (*buf)[*used] = 0;
        return n;
    }
}

static void websocket_accept(const char *key, char out[64]) {
    char input[128];
    snprintf(input, sizeof input, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1((const unsigned char *)input, strlen(input), digest);
    EVP_EncodeBlock((unsigned char *)out, digest, SHA_DIGEST_LENGTH);
}

/* Parses one frame at the start of buf; returns its length or 0 if incomplete. */
static size_t parse_frame(const uint8_t *buf, size_t used, raw_frame *frame) {
    if (used < 2) return 0;
    size_t at = 2;
    uint64_t len = buf[1] & 0x7f;
    if (len == 126) {
        if (used < 4) return 0;
        len = (uint64_t)buf[2] << 8 | buf[3];
        at = 4;
    } else if (len == 127) {
        if (used < 10) return 0;
        len = 0;
        for (int i = 0; i < 8; ++i) len = len << 8 | buf[2 + i];
        at = 10;
    }
    bool masked = (buf[1] & 0x80) != 0;
    const uint8_t *mask = buf + at;
    if (masked) at += 4;
    if (used < at + len) return 0;
    frame->opcode = buf[0] & 0x0f;
    frame->fin = (buf[0] & 0x80) != 0;
    frame->masked = masked;
    frame->size = (size_t)len;
    frame->payload = malloc(len + 1);
    if (!frame->payload) abort();
    for (size_t i = 0; i < len; ++i)
        frame->payload[i] = masked ? (uint8_t)(buf[at + i] ^ mask[i % 4]) : buf[at + i];
    frame->payload[len] = 0;
    return at + (size_t)len;
}

static void *raw_server_main(void *arg) {
    raw_server *s = arg;
    double deadline = now_seconds() + WAIT_SECONDS;
    int fd = -1;
    while (fd < 0 && now_seconds() < deadline) {
        struct pollfd p = {s->listen_fd, POLLIN, 0};
        if (poll(&p, 1, 50) == 1) fd = accept(s->listen_fd, NULL, NULL);
    }
    if (fd < 0) return NULL;

    uint8_t *buf = NULL;
    size_t used = 0, cap = 0;
    char *end = NULL;
    while (!end) {
        if (read_some(fd, &buf, &used, &cap, deadline) <= 0) goto out;
        end = strstr((char *)buf, "\r\n\r\n");
    }
    char key[64] = "";
    const char *k = strcasestr((char *)buf, "Sec-WebSocket-Key:");
    if (k) sscanf(k + 18, " %63s", key);
    char accept_value[64];
    websocket_accept(key, accept_value);
    char response[256];
    int n = snprintf(response, sizeof response,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                     accept_value);
    if (!write_all(fd, response, (size_t)n)) goto out;
    s->handshake_done = true;
    size_t head = (size_t)((uint8_t *)end + 4 - buf);
    memmove(buf, buf + head, used - head);
    used -= head;

    if (s->send_after_handshake_size &&
        !write_all(fd, s->send_after_handshake, s->send_after_handshake_size))
        goto out;
    if (s->drop_after_handshake) goto out;
    bool close_sent = s->send_after_handshake_size >= 1 &&
                      (s->send_after_handshake[0] & 0x0f) == 0x8;
    for (;;) {
        raw_frame frame;
        size_t consumed;
        while ((consumed = parse_frame(buf, used, &frame)) > 0) {
            memmove(buf, buf + consumed, used - consumed);
            used -= consumed;
            if (s->nframes < RAW_MAX_FRAMES) s->frames[s->nframes++] = frame;
            else free(frame.payload);
            if (frame.opcode != 0x8) continue;
            if (!close_sent && !s->no_close_reply) {
                /* Answer, then close TCP first, as RFC 6455 7.1.1 has servers do. */
                uint8_t header[2] = {0x88, (uint8_t)(frame.size & 0x7f)};
                write_all(fd, header, 2);
                write_all(fd, frame.payload, frame.size < 126 ? frame.size : 0);
                s->closing_handshake_done = true;
                goto out;
            } else if (close_sent) {
                s->closing_handshake_done = true;
                /* We started the closing handshake and the client answered. */
                if (s->hold_after_close) {
                    while (!atomic_load(&s->release) && now_seconds() < deadline) {
                        struct pollfd p = {fd, POLLIN, 0};
                        if (poll(&p, 1, 20) == 1) break; /* EOF or more bytes */
                    }
                }
                goto out;
            }
        }
        ssize_t got = read_some(fd, &buf, &used, &cap, deadline);
        if (got == 0) {
            s->got_eof = true;
            break;
        }
        if (got < 0) break;
    }
out:
    free(buf);
    close(fd);
    return NULL;
}

int raw_server_start(raw_server *s) {
    s->running = false;
    s->nframes = 0;
    s->handshake_done = s->closing_handshake_done = s->got_eof = false;
    atomic_store(&s->release, false);
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0) return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(s->listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(s->listen_fd, 4) != 0 ||
        getsockname(s->listen_fd, (struct sockaddr *)&addr, &len) != 0) {
        close(s->listen_fd);
        s->listen_fd = -1;
        return -1;
    }
    s->port = ntohs(addr.sin_port);
    snprintf(s->url, sizeof s->url, "ws://127.0.0.1:%d/", s->port);
    if (pthread_create(&s->thread, NULL, raw_server_main, s) != 0) {
        close(s->listen_fd);
        s->listen_fd = -1;
        return -1;
    }
    s->running = true;
    return 0;
}

bool raw_server_wait(raw_server *s) {
    if (!s->running) return true;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)WAIT_SECONDS + 5;
    if (pthread_timedjoin_np(s->thread, NULL, &ts) != 0) return false;
    s->running = false;
    return true;
}

void raw_server_stop(raw_server *s) {
    /* The thread ends by itself within WAIT_SECONDS. */
    if (s->running) {
        pthread_join(s->thread, NULL);
        s->running = false;
    }
    if (s->listen_fd >= 0) close(s->listen_fd);
    s->listen_fd = -1;
    for (size_t i = 0; i < s->nframes; ++i) free(s->frames[i].payload);
    s->nframes = 0;
}

const raw_frame *raw_server_close_frame(raw_server *s) {
    for (size_t i = 0; i < s->nframes; ++i)
        if (s->frames[i].opcode == 0x8) return &s->frames[i];
    return NULL;
}

size_t raw_server_data_frames_before(raw_server *s, const raw_frame *frame) {
    size_t n = 0;
    for (size_t i = 0; i < s->nframes && &s->frames[i] != frame; ++i)
        if (s->frames[i].opcode <= 0x2) ++n;
    return n;
}

/* ---- Fixtures ------------------------------------------------------------- */

echo_server server;

int echo_group_setup(void **state) {
    (void)state;
    return echo_start(&server, NULL, 0) == 0 ? 0 : -1;
}

int echo_group_teardown(void **state) {
    (void)state;
    echo_stop(&server);
    return 0;
}

const raw_frame *expect_going_away_frame(raw_server *raw) {
    assert_true(raw_server_wait(raw));
    const raw_frame *close = raw_server_close_frame(raw);
    if (!close)
        print_error("no close frame reached the server (%zu frames, handshake %d, eof %d)\n",
                    raw->nframes, raw->handshake_done, raw->got_eof);
    assert_non_null(close);
    assert_int_equal(close->size, 2);
    assert_memory_equal(close->payload, "\x03\xe9", 2);
    return close;
}

/* ---- Resources ---- */

/* mallinfo2() counts glibc's heap; a sanitizer's allocator is not in it. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HEAP_MEASURABLE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HEAP_MEASURABLE 0
#endif
#endif
#ifndef HEAP_MEASURABLE
#define HEAP_MEASURABLE 1
#endif

resources resources_now(bool with_heap) {
    resources r = {count_dir_entries("/proc/self/fd"), count_dir_entries("/proc/self/task"), 0};
    assert_true(r.fds > 0 && r.threads > 0);
#if HEAP_MEASURABLE
    if (with_heap) r.heap = mallinfo2().uordblks;
#else
    (void)with_heap;
#endif
    return r;
}

struct resources_wait {
    const resources *baseline;
    size_t heap_slack;
};

static bool resources_returned(void *context) {
    const struct resources_wait *w = context;
    resources now = resources_now(w->baseline->heap != 0);
    return now.fds <= w->baseline->fds && now.threads <= w->baseline->threads &&
           (w->baseline->heap == 0 || now.heap <= w->baseline->heap + w->heap_slack);
}

bool resources_back_to(const resources *baseline, size_t heap_slack) {
    struct resources_wait w = {baseline, heap_slack};
    bool back = poll_until(resources_returned, &w, WAIT_SECONDS);
    if (!back) {
        resources now = resources_now(baseline->heap != 0);
        print_error("after freeing: %d fds, %d threads, %zu heap bytes; before: %d, %d, %zu\n",
                    now.fds, now.threads, now.heap, baseline->fds, baseline->threads,
                    baseline->heap);
    }
    return back;
}

const ws_delivery_t host_dispatched_modes[2] = {WS_DELIVERY_DISPATCH, WS_DELIVERY_HOST_DRIVEN};

static int setup_with(void **state, ws_delivery_t delivery) {
    struct fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    if (ws_loop_new(delivery, &f->loop) != WS_OK) {
        free(f);
        return -1;
    }
    f->delivery = delivery;
    recorder_init(&f->r);
    *state = f;
    return 0;
}

int fixture_setup(void **state) { return setup_with(state, WS_DELIVERY_DISPATCH); }

int delivery_fixture_setup(void **state) {
    return setup_with(state, *(const ws_delivery_t *)*state);
}

int fixture_teardown(void **state) {
    struct fixture *f = *state;
    ws_loop_free(f->loop);
    recorder_free(&f->r);
    free(f);
    return 0;
}

/* A server that completes TCP connects (the kernel does, from the backlog)
 * and never reads or answers. */
int silent_listener(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    *port = ntohs(addr.sin_port);
    return fd;
}
