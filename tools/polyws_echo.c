/*
 * polyws-echo: a small WebSocket echo server on libwebsockets, for the
 * demo, the tests and the benchmarks. Every message comes back with its
 * type; large messages are streamed back in 64 KiB fragments.
 *
 *   polyws-echo [--host ADDR] [--port N] [--protocol NAME ...]
 *               [--cert PEM --key PEM]
 *
 * It listens on 127.0.0.1 unless --host names another numeric IPv4 or IPv6
 * address (0.0.0.0 or :: for every interface): a test peer should not be
 * reachable from the network by default. Port 0 picks a free port. Once
 * listening it prints "PORT <n>" on stdout. With --protocol, the first
 * offered subprotocol it knows is selected. SIGINT and SIGTERM close every
 * client with 1001 (going away) before the server exits.
 */
#include <libwebsockets.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#endif

#define MAX_PROTOCOLS 16
#define CHUNK (64 * 1024)
#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_PORT 9001
/* How long a stopping server waits for its clients to answer the 1001. */
#define SHUTDOWN_USECS (3 * LWS_US_PER_SEC)
#define GOING_AWAY_REASON "server shutting down"

struct message {
    struct message *next;
    int binary;
    size_t size, sent;
    unsigned char *data; /* LWS_PRE bytes of headroom, then the payload */
};

struct session {
    unsigned char *rx;        /* message being received */
    size_t rx_size, rx_cap;
    int rx_binary;
    struct message *head, *tail;
};

static volatile sig_atomic_t stopping;
static struct lws_context *running_context;
static int open_connections;

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
    /* Wakes lws_service() even if the signal came just before it started
     * waiting (it only writes to the service's pipe). */
    if (running_context) lws_cancel_service(running_context);
}

static void free_queue(struct session *s) {
    while (s->head) {
        struct message *m = s->head;
        s->head = m->next;
        free(m->data);
        free(m);
    }
    s->tail = NULL;
    free(s->rx);
    s->rx = NULL;
    s->rx_size = s->rx_cap = 0;
}

static int append_rx(struct session *s, const void *in, size_t len) {
    if (s->rx_size + len > s->rx_cap) {
        size_t cap = s->rx_cap ? s->rx_cap : 4096;
        while (cap < s->rx_size + len) cap *= 2;
        unsigned char *p = realloc(s->rx, LWS_PRE + cap);
        if (!p) return -1;
        s->rx = p;
        s->rx_cap = cap;
    }
    if (!s->rx) {
        s->rx = malloc(LWS_PRE + 1);
        if (!s->rx) return -1;
    }
    memcpy(s->rx + LWS_PRE + s->rx_size, in, len);
    s->rx_size += len;
    return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len) {
    struct session *s = user;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        memset(s, 0, sizeof *s);
        open_connections++;
        if (stopping) lws_callback_on_writable(wsi);
        break;
    case LWS_CALLBACK_RECEIVE: {
        if (lws_is_first_fragment(wsi)) s->rx_binary = lws_frame_is_binary(wsi);
        if (append_rx(s, in, len)) return -1;
        if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi)) break;
        struct message *m = calloc(1, sizeof *m);
        if (!m) return -1;
        m->binary = s->rx_binary;
        m->size = s->rx_size;
        m->data = s->rx ? s->rx : malloc(LWS_PRE + 1);
        s->rx = NULL;
        s->rx_size = s->rx_cap = 0;
        if (s->tail) s->tail->next = m;
        else s->head = m;
        s->tail = m;
        lws_callback_on_writable(wsi);
        break;
    }
    case LWS_CALLBACK_SERVER_WRITEABLE: {
        if (stopping) {
            lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)GOING_AWAY_REASON,
                             strlen(GOING_AWAY_REASON));
            return -1;
        }
        struct message *m = s->head;
        if (!m) break;
        size_t n = m->size - m->sent;
        if (n > CHUNK) n = CHUNK;
        int first = m->sent == 0, last = m->sent + n == m->size;
        int flags = lws_write_ws_flags(m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT, first, last);
        /* lws writes its frame header into the LWS_PRE bytes before the
         * payload: copy this fragment down so the headroom is there. */
        unsigned char *p = m->data + LWS_PRE + m->sent;
        unsigned char saved[LWS_PRE];
        memcpy(saved, p - LWS_PRE, LWS_PRE);
        int w = lws_write(wsi, p, n, (enum lws_write_protocol)flags);
        memcpy(p - LWS_PRE, saved, LWS_PRE);
        if (w < (int)n) return -1;
        m->sent += n;
        if (last) {
            s->head = m->next;
            if (!s->head) s->tail = NULL;
            free(m->data);
            free(m);
        }
        if (s->head) lws_callback_on_writable(wsi);
        break;
    }
    case LWS_CALLBACK_CLOSED:
        free_queue(s);
        open_connections--;
        break;
    default:
        break;
    }
    return 0;
}

static void usage(FILE *to) {
    fprintf(to,
            "usage: polyws-echo [--host ADDR] [--port N] [--protocol NAME ...] "
            "[--cert PEM --key PEM]\n"
            "  --host ADDR      numeric IPv4 or IPv6 address to listen on (default " DEFAULT_HOST
            ";\n"
            "                   0.0.0.0 or :: for every interface)\n"
            "  --port N         port to listen on (default %d; 0 picks a free one)\n"
            "  --protocol NAME  subprotocol to select when a client offers it (repeatable;\n"
            "                   without it, clients that ask for none are served)\n"
            "  --cert PEM --key PEM  serve wss:// with this certificate and key\n"
            "Prints \"PORT <n>\" once listening. SIGINT/SIGTERM close clients with 1001.\n",
            DEFAULT_PORT);
}

static int bad_argument(const char *what, const char *value) {
    fprintf(stderr, "polyws-echo: %s: '%s'\n", what, value);
    usage(stderr);
    return 2;
}

static void add_protocol(struct lws_protocols *p, const char *name) {
    p->name = name;
    p->callback = callback;
    p->per_session_data_size = sizeof(struct session);
    p->rx_buffer_size = 65536;
}

/* Closes every client with 1001, then waits (bounded) for them to go. */
static void close_clients(struct lws_context *context, const struct lws_protocols *protocols) {
    for (const struct lws_protocols *p = protocols; p->name; ++p)
        lws_callback_on_writable_all_protocol(context, p);
    lws_usec_t deadline = lws_now_usecs() + SHUTDOWN_USECS;
    while (open_connections > 0 && lws_now_usecs() < deadline)
        if (lws_service(context, 0) < 0) break;
}

int main(int argc, char **argv) {
    int port = DEFAULT_PORT;
    const char *host = DEFAULT_HOST;
    const char *cert = NULL, *key = NULL;
    static struct lws_protocols protocols[MAX_PROTOCOLS + 2];
    int count = 0;
    for (int i = 1; i < argc; ++i) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage(stdout);
            return 0;
        }
        if (i + 1 >= argc) return bad_argument("missing value or unknown option", arg);
        const char *value = argv[++i];
        if (!strcmp(arg, "--port")) {
            char *end = NULL;
            long n = strtol(value, &end, 10);
            if (!*value || *end || n < 0 || n > 65535)
                return bad_argument("--port wants a number from 0 to 65535", value);
            port = (int)n;
        } else if (!strcmp(arg, "--host")) {
            unsigned char addr[16];
            if (inet_pton(AF_INET, value, addr) != 1 && inet_pton(AF_INET6, value, addr) != 1)
                return bad_argument("--host wants a numeric IPv4 or IPv6 address", value);
            host = value;
        } else if (!strcmp(arg, "--cert")) {
            cert = value;
        } else if (!strcmp(arg, "--key")) {
            key = value;
        } else if (!strcmp(arg, "--protocol")) {
            if (count == MAX_PROTOCOLS) return bad_argument("too many --protocol", value);
            add_protocol(&protocols[count++], value);
        } else {
            return bad_argument("unknown option", arg);
        }
    }
    if (!cert != !key) return bad_argument("--cert and --key go together", cert ? cert : key);
    /* No subprotocol: lws serves clients that ask for none with the first
     * protocol in the list. */
    if (count == 0) add_protocol(&protocols[0], "echo");
    lws_set_log_level(LLL_ERR, NULL);

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = port;
    info.iface = host;
    /* An IPv4 address is bound on an IPv4 socket: lws would otherwise open
     * an IPv6 one and cannot bind it to an IPv4 address. */
    unsigned char v4[4];
    if (inet_pton(AF_INET, host, v4) == 1) info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    info.protocols = protocols;
    info.gid = -1;
    info.uid = -1;
    info.pt_serv_buf_size = 256 * 1024;
    if (cert && key) {
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = cert;
        info.ssl_private_key_filepath = key;
    }
    struct lws_context *context = lws_create_context(&info);
    if (!context) {
        fprintf(stderr, "polyws-echo: could not listen on %s port %d (in use, or not an address "
                        "of this machine?)\n", host, port);
        return 1;
    }
    /* Before the PORT line: a signal sent as soon as it is read is caught. */
    running_context = context;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    struct lws_vhost *vhost = lws_get_vhost_by_name(context, "default");
    printf("PORT %d\n", vhost ? lws_get_vhost_listen_port(vhost) : port);
    fflush(stdout);
    while (!stopping && lws_service(context, 0) >= 0) {
    }
    if (stopping) close_clients(context, protocols);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    running_context = NULL;
    lws_context_destroy(context);
    return 0;
}
