/*
 * bench/raw_tcp.c -- the limit of loopback TCP on this machine, measured
 * the same way as the WebSocket clients (bench/README.md): no framing, no
 * library, one blocking socket.
 *
 *   raw_tcp server                        echoes every byte; prints "PORT n"
 *   raw_tcp client HOST:PORT rtt SECONDS  32 bytes there and back, one in flight
 *   raw_tcp client HOST:PORT mib SECONDS  1 MiB there and back, one in flight
 *
 * The client prints the convention's JSON line. The server serves each
 * connection on a thread of its own, reading and writing what it read.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "bench_clock.h"
#include <unistd.h>


static void *serve(void *arg) {
    int fd = (int)(intptr_t)arg;
    static __thread char buf[256 * 1024];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w <= 0) goto out;
            off += w;
        }
    }
out:
    close(fd);
    return NULL;
}

static int server(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 128) ||
        getsockname(s, (struct sockaddr *)&a, &len)) {
        perror("raw_tcp server");
        return 1;
    }
    printf("PORT %d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0) continue;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_t t;
        pthread_create(&t, NULL, serve, (void *)(intptr_t)c);
        pthread_detach(t);
    }
}

/* One exchange: `size` bytes out while the echo comes back (poll, so a
 * 1 MiB message never deadlocks on full socket buffers). */
static void exchange(int fd, const char *out, char *in, size_t size) {
    size_t sent = 0, got = 0;
    while (got < size) {
        struct pollfd p = {.fd = fd, .events = POLLIN | (sent < size ? POLLOUT : 0)};
        if (sent < size) {
            ssize_t w = send(fd, out + sent, size - sent, MSG_DONTWAIT);
            if (w > 0) sent += (size_t)w;
        }
        ssize_t r = recv(fd, in + got, size - got, MSG_DONTWAIT);
        if (r > 0) { got += (size_t)r; continue; }
        if (r == 0) { fprintf(stderr, "raw_tcp: server closed\n"); exit(1); }
        poll(&p, 1, 1000);
    }
}

static int client(const char *where, const char *mode, double seconds) {
    char host[64];
    snprintf(host, sizeof host, "%s", where);
    char *colon = strrchr(host, ':');
    if (!colon) return 2;
    *colon = 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    inet_pton(AF_INET, host, &a.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) { perror("raw_tcp connect"); return 1; }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    size_t size = strcmp(mode, "mib") == 0 ? 1048576 : 32;
    char *out = malloc(size), *in = malloc(size);
    for (size_t i = 0; i < size; ++i) out[i] = (char)('a' + i % 26);
    const char *warm = getenv("BENCH_WARMUP");
    double end = now() + (warm ? atof(warm) : 1.0);
    while (now() < end) exchange(fd, out, in, size);
    long ops = 0;
    double start = now(), cpu = cpu_now();
    end = start + seconds;
    do {
        exchange(fd, out, in, size);
        if (size == 32 && memcmp(in, out, size)) { fprintf(stderr, "raw_tcp: bad echo\n"); return 1; }
        ++ops;
    } while (now() < end);
    printf("{\"ops\": %ld, \"seconds\": %.6f, \"cpu_seconds\": %.6f}\n", ops, now() - start,
           cpu_now() - cpu);
    close(fd);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "server")) return server();
    if (argc == 5 && !strcmp(argv[1], "client")) return client(argv[2], argv[3], atof(argv[4]));
    fprintf(stderr, "usage: raw_tcp server | raw_tcp client HOST:PORT rtt|mib SECONDS\n");
    return 2;
}
