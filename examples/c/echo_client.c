/* Sends one message to an echo server, prints the echo, closes.
 *   cc echo_client.c -o echo_client -lpolyws && ./echo_client [URL] */
#include <polyws.h>
#include <stdio.h>

static void on_open(ws_socket *ws, const ws_event *ev, void *user_data) {
    (void)ev, (void)user_data;
    ws_send_text(ws, "Hello from C", 12);
}

static void on_message(ws_socket *ws, const ws_event *ev, void *user_data) {
    (void)user_data;
    size_t size;
    const uint8_t *data = ws_event_data(ev, &size);
    printf("echo: %.*s\n", (int)size, (const char *)data);
    ws_close(ws, 1000, "done");
}

static void on_error(ws_socket *ws, const ws_event *ev, void *user_data) {
    (void)ws, (void)user_data;
    fprintf(stderr, "error: %s\n", ws_event_error_message(ev));
}

static void on_close(ws_socket *ws, const ws_event *ev, void *user_data) {
    (void)ws;
    *(int *)user_data = ws_event_was_clean(ev);
    printf("closed: %u clean=%s\n", ws_event_code(ev), ws_event_was_clean(ev) ? "true" : "false");
}

int main(int argc, char **argv) {
    const char *url = argc > 1 ? argv[1] : "ws://127.0.0.1:9001/";
    ws_socket *ws;
    if (ws_new(url, NULL, 0, &ws) != WS_OK) {
        fprintf(stderr, "%s\n", ws_last_error(NULL)); /* e.g. a SyntaxError */
        return 1;
    }
    int clean = 0;
    ws_set_onopen(ws, on_open, NULL);
    ws_set_onmessage(ws, on_message, NULL);
    ws_set_onerror(ws, on_error, NULL);
    ws_set_onclose(ws, on_close, &clean);
    while (ws_ready_state(ws) != WS_CLOSED)
        ws_loop_dispatch(ws_default_loop(), 100, NULL); /* listeners run here */
    ws_free(ws);
    return clean ? 0 : 1;
}
