/*
 * Name lookups never hold up a loop: a socket whose host name is still being
 * resolved leaves every other socket of its loop working, can be freed while
 * the lookup hangs, and a name that does not exist fails with a readable
 * reason.
 *
 * The lookups are real ones, by the C library's stub resolver, against a DNS
 * server that the test itself plays on 127.0.0.1:53 so that it decides when
 * (and whether) each query gets its answer. That needs a network and mount
 * namespace of its own, where /etc/resolv.conf names that server:
 * tests/unit/in_dns_namespace.sh sets it up and runs this program inside.
 */
#define _GNU_SOURCE
#include "test_support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- The DNS server the test plays ---------------------------------------- */

typedef struct dns_query {
    uint8_t packet[512];
    size_t size;
    size_t question_end;     /* offset just past the question section */
    char name[256];          /* dotted, lower case as sent */
    uint16_t type;           /* 1 = A, 28 = AAAA */
    struct sockaddr_in from;
} dns_query;

static int dns_fd = -1;

static int dns_open(void) {
    dns_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (dns_fd < 0) return -1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(53)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return bind(dns_fd, (struct sockaddr *)&addr, sizeof addr);
}

/* Waits up to `seconds` for one query; true if one was read and parsed. */
static bool dns_receive(dns_query *q, double seconds) {
    struct pollfd p = {.fd = dns_fd, .events = POLLIN};
    if (poll(&p, 1, (int)(seconds * 1000)) != 1) return false;
    socklen_t len = sizeof q->from;
    ssize_t n = recvfrom(dns_fd, q->packet, sizeof q->packet, 0, (struct sockaddr *)&q->from, &len);
    if (n < 12) return false;
    q->size = (size_t)n;
    size_t at = 12, out = 0;
    while (at < q->size && q->packet[at] != 0) {
        size_t label = q->packet[at++];
        if (label > 63 || at + label > q->size || out + label + 2 > sizeof q->name) return false;
        if (out) q->name[out++] = '.';
        memcpy(q->name + out, q->packet + at, label);
        out += label;
        at += label;
    }
    q->name[out] = '\0';
    if (at + 5 > q->size) return false;
    q->type = (uint16_t)(q->packet[at + 1] << 8 | q->packet[at + 2]);
    q->question_end = at + 5;
    return true;
}

/* Answers `q`: A queries with 127.0.0.1, others with no record; with
 * `nxdomain`, the name does not exist. */
static void dns_answer(const dns_query *q, bool nxdomain) {
    uint8_t reply[600];
    memcpy(reply, q->packet, q->question_end);
    reply[2] = 0x81;                       /* response, recursion desired */
    reply[3] = nxdomain ? 0x83 : 0x80;     /* recursion available, rcode */
    bool with_address = !nxdomain && q->type == 1;
    reply[6] = 0, reply[7] = with_address ? 1 : 0;   /* answers */
    reply[8] = reply[9] = reply[10] = reply[11] = 0; /* no authority, no additional */
    size_t n = q->question_end;
    if (with_address) {
        static const uint8_t record[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1};
        memcpy(reply + n, record, sizeof record);
        n += sizeof record;
    }
    sendto(dns_fd, reply, n, 0, (const struct sockaddr *)&q->from, sizeof q->from);
}

/* Answers every query waiting right now; returns how many there were. */
static int dns_answer_pending(bool nxdomain) {
    int answered = 0;
    dns_query q;
    while (answered < 16 && dns_receive(&q, 0)) {
        dns_answer(&q, nxdomain);
        answered++;
    }
    return answered;
}

/* ---- Tests ----------------------------------------------------------------- */

/* A name only the test's DNS server knows, on the echo server's port. */
static const char *slow_url(void) {
    static char url[128];
    snprintf(url, sizeof url, "ws://slow.polyws.test:%d/", server.port);
    return url;
}

struct answering_until_state {
    ws_socket *ws;
    ws_ready_state_t state;
    bool nxdomain;
};

/* A wait predicate that plays the DNS server while it waits. */
static bool answered_until_state(void *context) {
    struct answering_until_state *c = context;
    dns_answer_pending(c->nxdomain);
    return ws_ready_state(c->ws) == c->state;
}

static void test_lookup_does_not_hold_up_other_sockets(void **state) {
    struct fixture *f = *state;
    recorder slow_events;
    recorder_init(&slow_events);
    ws_socket *slow = new_socket(f->loop, slow_url(), NULL, 0, NULL, attach_recorder, &slow_events);
    assert_non_null(slow);

    /* The lookup has reached the DNS server, which does not answer yet. */
    dns_query q;
    assert_true(dns_receive(&q, WAIT_SECONDS));
    assert_string_equal(q.name, "slow.polyws.test");

    /* Meanwhile a second socket of the same loop opens and talks. */
    ws_socket *fast = open_socket(f->loop, server.url, NULL, &f->r);
    assert_int_equal(ws_send_text(fast, "while resolving", 15), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 1));
    assert_string_equal((const char *)recorder_get(&f->r, WS_EVENT_MESSAGE, 0)->data, "while resolving");
    assert_int_equal(ws_ready_state(slow), WS_CONNECTING);
    assert_int_equal(recorder_count(&slow_events, 0), 0);

    /* Once answered, the first socket opens too. */
    dns_answer(&q, false);
    struct answering_until_state until = {slow, WS_OPEN, false};
    assert_true(wait_for(f->loop, answered_until_state, &until, WAIT_SECONDS));
    assert_int_equal(recorder_count(&slow_events, WS_EVENT_OPEN), 1);
    assert_int_equal(recorder_count(&slow_events, WS_EVENT_ERROR), 0);

    ws_free(slow);
    ws_free(fast);
    recorder_free(&slow_events);
}

static atomic_bool loop_freed;   /* set by the freeing thread, read by the test */

static void *free_loop_thread(void *loop) {
    ws_loop_free(loop);
    loop_freed = true;
    return NULL;
}

static void test_free_while_the_lookup_hangs(void **state) {
    (void)state;
    ws_loop *loop = new_dispatch_loop();
    recorder r;
    recorder_init(&r);
    ws_socket *ws = new_socket(loop, slow_url(), NULL, 0, NULL, attach_recorder, &r);
    assert_non_null(ws);
    dns_query q;
    assert_true(dns_receive(&q, WAIT_SECONDS));

    /* The lookup still hangs: freeing the socket and then its loop (which
     * joins the loop's I/O thread) returns without waiting for it. The loop
     * is freed on a thread of its own so that a hang fails the test instead
     * of stopping it. */
    ws_free(ws);
    pthread_t t;
    loop_freed = false;
    assert_int_equal(pthread_create(&t, NULL, free_loop_thread, loop), 0);
    struct pollfd none = {.fd = -1};
    for (int i = 0; i < (int)(WAIT_SECONDS * 20) && !loop_freed; i++) poll(&none, 0, 50);
    assert_true(loop_freed);
    pthread_join(t, NULL);
    assert_int_equal(recorder_count(&r, 0), 0);

    /* The answer arriving afterwards finds nobody waiting, harmlessly. */
    dns_answer(&q, false);
    dns_answer_pending(false);
    recorder_free(&r);
}

static void test_unknown_name_fails_with_its_reason(void **state) {
    struct fixture *f = *state;
    char url[128];
    snprintf(url, sizeof url, "ws://nowhere.polyws.test:%d/", server.port);
    ws_socket *ws = new_socket(f->loop, url, NULL, 0, NULL, attach_recorder, &f->r);
    assert_non_null(ws);
    struct answering_until_state until = {ws, WS_CLOSED, true};
    assert_true(wait_for(f->loop, answered_until_state, &until, WAIT_SECONDS));
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    /* The browser's sequence for a failed connection: error, then close 1006. */
    assert_int_equal(recorder_index(&f->r, WS_EVENT_ERROR, 0), 0);
    assert_int_equal(recorder_index(&f->r, WS_EVENT_CLOSE, 0), 1);
    const rec_event *close = recorder_get(&f->r, WS_EVENT_CLOSE, 0);
    assert_int_equal(close->code, 1006);
    assert_false(close->was_clean);
    const char *error = recorder_get(&f->r, WS_EVENT_ERROR, 0)->error;
    assert_non_null(error);
    assert_non_null(strstr(error, "nowhere.polyws.test"));
    ws_free(ws);
}

int main(void) {
    test_support_init();
    if (!getenv("POLYWS_IN_DNS_NAMESPACE")) {
        fprintf(stderr, "test_dns: run me through tests/unit/in_dns_namespace.sh\n");
        return 1;
    }
    if (dns_open() != 0) {
        fprintf(stderr, "test_dns: cannot bind 127.0.0.1:53: %s\n", strerror(errno));
        return 1;
    }
    const struct CMUnitTest tests[] = {
        T(test_lookup_does_not_hold_up_other_sockets),
        cmocka_unit_test(test_free_while_the_lookup_hangs),
        T(test_unknown_name_fails_with_its_reason),
    };
    int failed = cmocka_run_group_tests(tests, echo_group_setup, echo_group_teardown);
    close(dns_fd);
    return failed;
}
