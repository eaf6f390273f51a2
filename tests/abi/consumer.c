/* A C program built against the *installed* header and library, the way a
 * user builds one: it holds a short conversation with polyws-echo. */
#include <polyws.h>

#include <stdio.h>
#include <string.h>

static int got_reply, closed, clean;

static void on_open(ws_socket *ws, const ws_event *ev, void *ud) {
    (void)ev; (void)ud;
    ws_send_text(ws, "ping from C", strlen("ping from C"));
}
static void on_message(ws_socket *ws, const ws_event *ev, void *ud) {
    size_t n;
    const uint8_t *p = ws_event_data(ev, &n);
    (void)ud;
    got_reply = n == strlen("ping from C") && memcmp(p, "ping from C", n) == 0;
    ws_close(ws, 1000, "done");
}
static void on_close(ws_socket *ws, const ws_event *ev, void *ud) {
    (void)ws; (void)ud;
    closed = 1;
    clean = ws_event_was_clean(ev) && ws_event_code(ev) == 1000;
}

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    ws_socket *ws;
    if (ws_new(argv[1], NULL, 0, &ws) != WS_OK) {
        fprintf(stderr, "ws_new: %s\n", ws_last_error(NULL));
        return 1;
    }
    ws_set_onopen(ws, on_open, NULL);
    ws_set_onmessage(ws, on_message, NULL);
    ws_set_onclose(ws, on_close, NULL);
    for (int i = 0; i < 200 && !closed; ++i) ws_loop_dispatch(ws_default_loop(), 50, NULL);
    ws_free(ws);
    ws_free(NULL);
    printf("polyws %s: reply %s, close %s\n", ws_version(), got_reply ? "ok" : "MISSING",
           clean ? "clean" : "NOT CLEAN");
    return got_reply && clean ? 0 : 1;
}
