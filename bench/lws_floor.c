/*
 * bench/lws_floor.c -- what libwebsockets 4.1.6 itself allows: the least a
 * WebSocket client can do per message on top of lws's service loop, with
 * none of polyws (no queue, no events, no UTF-8 or protocol checks).
 *
 *   lws_floor URL rtt SECONDS
 *
 * Same calling convention as every client (bench/README.md). One lws
 * context, one RAW connection (the way polyws uses lws), serviced on this
 * thread by lws_service(): the opening handshake is a fixed request whose
 * reply is only read up to its blank line, each message is a 32-byte
 * masked text frame written as soon as lws_service() returns with the
 * previous echo (as polyws's host-driven loop does; writing from inside the
 * receive callback measured the same), each echo a 34-byte frame counted
 * when complete. A row in the table beside raw TCP: the
 * ceiling of any client built on lws 4.1.6's service loop on this machine.
 */
#define _POSIX_C_SOURCE 200809L
#include <libwebsockets.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"

enum { PAYLOAD = 32, FRAME_OUT = 2 + 4 + PAYLOAD, FRAME_IN = 2 + PAYLOAD };

static struct {
    int upgraded, failed, done;
    char head[1024];
    size_t head_len, have;
    long ops;
    double warm_end, end, start, cpu;
    unsigned char frame[FRAME_OUT];
} run;

static void send_frame(struct lws *wsi) {
    /* The mask key changes per frame, as RFC 6455 asks (a counter is
     * enough here: what is measured is the per-message path, not entropy). */
    static unsigned counter;
    unsigned char *key = run.frame + 2;
    memcpy(key, &counter, 4);
    ++counter;
    for (int i = 0; i < PAYLOAD; ++i) run.frame[6 + i] = (unsigned char)(('a' + i % 26) ^ key[i % 4]);
    if (lws_write(wsi, run.frame, FRAME_OUT, LWS_WRITE_RAW) < 0) run.failed = 1;
}

static struct lws *pending_send;   /* the next frame goes out after lws_service() returns */

static void on_echo(struct lws *wsi) {
    double t = now();
    if (run.start == 0 && t >= run.warm_end) {
        run.start = t;
        run.cpu = cpu_now();
        run.end = t + (run.end - run.warm_end);
    } else if (run.start != 0) {
        ++run.ops;
        if (t >= run.end) {
            run.done = 1;
            return;
        }
    }
    pending_send = wsi;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len) {
    (void)user;
    const unsigned char *p = in;
    switch (reason) {
    case LWS_CALLBACK_RAW_CONNECTED: {
        const char *host = lws_get_opaque_user_data(wsi);
        int n = snprintf(run.head, sizeof run.head,
                         "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         "Sec-WebSocket-Version: 13\r\n\r\n",
                         host);
        if (lws_write(wsi, (unsigned char *)run.head, (size_t)n, LWS_WRITE_RAW) < 0) run.failed = 1;
        return 0;
    }
    case LWS_CALLBACK_RAW_RX:
        while (len > 0 && !run.done) {
            if (!run.upgraded) {
                /* Up to the blank line that ends the 101 response. */
                run.head[run.head_len++ % sizeof run.head] = (char)*p++;
                --len;
                if (run.head_len >= 4 && !memcmp(run.head + (run.head_len - 4) % sizeof run.head, "\r\n\r\n", 4)) {
                    if (strncmp(run.head, "HTTP/1.1 101", 12)) {
                        fprintf(stderr, "lws_floor: no 101\n");
                        run.failed = 1;
                        return -1;
                    }
                    run.upgraded = 1;
                    send_frame(wsi);
                }
                continue;
            }
            size_t take = FRAME_IN - run.have < len ? FRAME_IN - run.have : len;
            if (run.have == 0 && (p[0] != 0x81 || (take > 1 && p[1] != PAYLOAD))) {
                fprintf(stderr, "lws_floor: unexpected frame\n");
                run.failed = 1;
                return -1;
            }
            run.have += take;
            p += take;
            len -= take;
            if (run.have == FRAME_IN) {
                run.have = 0;
                on_echo(wsi);
            }
        }
        return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    case LWS_CALLBACK_RAW_CLOSE:
        if (!run.done) run.failed = 1;
        return 0;
    default:
        return 0;
    }
}

static const struct lws_protocols protocols[] = {
    {"floor", callback, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

int main(int argc, char **argv) {
    char host[64];
    int port;
    if (argc != 4 || strcmp(argv[2], "rtt") || sscanf(argv[1], "ws://%63[^:]:%d", host, &port) != 2) {
        fprintf(stderr, "usage: lws_floor ws://HOST:PORT/ rtt SECONDS\n");
        return 2;
    }
    lws_set_log_level(0, NULL);   /* quiet: errors are reported below */
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.pt_serv_buf_size = 256 * 1024;   /* as polyws sets it */
    info.http_proxy_address = "";
    info.gid = -1;
    info.uid = -1;
    struct lws_context *context = lws_create_context(&info);
    if (!context) return 1;
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = context;
    ci.address = host;
    ci.port = port;
    ci.host = host;
    ci.origin = host;
    ci.path = "/";
    ci.method = "RAW";
    ci.protocol = protocols[0].name;
    ci.local_protocol_name = protocols[0].name;
    ci.opaque_user_data = host;
    run.frame[0] = 0x81;                 /* FIN, text */
    run.frame[1] = 0x80 | PAYLOAD;       /* masked, 32 bytes */
    const char *warm = getenv("BENCH_WARMUP");
    run.warm_end = now() + (warm ? atof(warm) : 1.0);
    run.end = run.warm_end + atof(argv[3]);
    if (!lws_client_connect_via_info(&ci)) return 1;
    double limit = run.end + 30;         /* a stalled run ends too */
    while (!run.done && !run.failed && now() < limit) {
        lws_service(context, 0);
        if (pending_send) {
            send_frame(pending_send);
            pending_send = NULL;
        }
    }
    lws_context_destroy(context);
    if (!run.done) {
        fprintf(stderr, "lws_floor: %s\n", run.failed ? "connection failed" : "stalled");
        return 1;
    }
    printf("{\"ops\": %ld, \"seconds\": %.6f, \"cpu_seconds\": %.6f}\n", run.ops, now() - run.start,
           cpu_now() - run.cpu);
    return 0;
}
