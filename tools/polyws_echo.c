/*
 * polyws-echo: a small WebSocket echo server on libwebsockets, for the
 * demo, the tests and the benchmarks. Every message comes back with its
 * type; large messages are streamed back in 64 KiB fragments.
 *
 *   polyws-echo [--port N] [--protocol NAME ...] [--cert PEM --key PEM]
 *
 * Port 0 picks a free port. Once listening it prints "PORT <n>" on stdout.
 * With --protocol, the first offered subprotocol it knows is selected.
 */
#include <libwebsockets.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROTOCOLS 16
#define CHUNK (64 * 1024)

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

static void on_signal(int sig) { (void)sig; stopping = 1; }

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
        break;
    default:
        break;
    }
    return 0;
}

int main(int argc, char **argv) {
    int port = 9001;
    const char *cert = NULL, *key = NULL;
    static struct lws_protocols protocols[MAX_PROTOCOLS + 2];
    int count = 0;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc) port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--cert") && i + 1 < argc) cert = argv[++i];
        else if (!strcmp(argv[i], "--key") && i + 1 < argc) key = argv[++i];
        else if (!strcmp(argv[i], "--protocol") && i + 1 < argc && count < MAX_PROTOCOLS) {
            protocols[count].name = argv[++i];
            protocols[count].callback = callback;
            protocols[count].per_session_data_size = sizeof(struct session);
            protocols[count].rx_buffer_size = 65536;
            count++;
        } else {
            fprintf(stderr, "usage: polyws-echo [--port N] [--protocol NAME ...] "
                            "[--cert PEM --key PEM]\n");
            return 2;
        }
    }
    if (count == 0) {
        /* No subprotocol: lws serves clients that ask for none with the
         * first protocol in the list. */
        protocols[0].name = "echo";
        protocols[0].callback = callback;
        protocols[0].per_session_data_size = sizeof(struct session);
        protocols[0].rx_buffer_size = 65536;
    }
    lws_set_log_level(LLL_ERR, NULL);

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = port == 0 ? CONTEXT_PORT_NO_LISTEN_SERVER : port;
    info.protocols = protocols;
    info.gid = -1;
    info.uid = -1;
    info.pt_serv_buf_size = 256 * 1024;
    if (port == 0) info.port = 0;
    if (cert && key) {
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = cert;
        info.ssl_private_key_filepath = key;
    }
    struct lws_context *context = lws_create_context(&info);
    if (!context) {
        fprintf(stderr, "polyws-echo: could not start (port %d in use?)\n", port);
        return 1;
    }
    struct lws_vhost *vhost = lws_get_vhost_by_name(context, "default");
    printf("PORT %d\n", vhost ? lws_get_vhost_listen_port(vhost) : port);
    fflush(stdout);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    while (!stopping && lws_service(context, 0) >= 0) {
    }
    lws_context_destroy(context);
    return 0;
}
