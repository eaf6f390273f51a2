/* What polyws prints (see cli_output.h). */
#include "cli_output.h"

#include "cli_io.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define GREEN "\033[32m"
#define CYAN "\033[36m"
#define RED "\033[31m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

static struct {
    const struct cli_config *config;
    enum cli_style style;
    int colour;
    int prompt_wanted;   /* interactive and open: the prompt belongs on screen */
    int prompt_shown;    /* it is on screen, with nothing typed after it */
} out;

void out_begin(const struct cli_config *config, enum cli_style style, int colour) {
    out.config = config;
    out.style = style;
    out.colour = colour;
}

static const char *paint(const char *colour) {
    return out.colour ? colour : "";
}

/* Interactive: a line is about to be written, so the bare prompt goes. */
static void take_line(void) {
    if (!out.prompt_shown) return;
    fputs("\r\033[K", stdout);
    fflush(stdout);
    out.prompt_shown = 0;
}

void out_prompt(void) {
    if (out.style != CLI_STYLE_INTERACTIVE || !out.prompt_wanted || out.prompt_shown) return;
    printf("%s>%s ", paint(BOLD), paint(RESET));
    fflush(stdout);
    out.prompt_shown = 1;
}

void out_prompt_used(void) {
    out.prompt_shown = 0;
}

void out_note(const char *format, ...) {
    take_line();
    va_list args;
    va_start(args, format);
    fputs("polyws: ", stderr);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    fflush(stderr);
    out_prompt();
}

static void json_string(FILE *f, const char *s, size_t n) {
    fputc('"', f);
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\r') fputs("\\r", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c < 0x20 || c == 0x7f) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void json_text(FILE *f, const char *s) {
    json_string(f, s, strlen(s));
}

static void base64_out(FILE *f, const uint8_t *p, size_t n) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        fputc(t[v >> 18], f); fputc(t[(v >> 12) & 63], f);
        fputc(t[(v >> 6) & 63], f); fputc(t[v & 63], f);
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        fputc(t[v >> 18], f); fputc(t[(v >> 12) & 63], f);
        fputc(i + 1 < n ? t[(v >> 6) & 63] : '=', f); fputc('=', f);
    }
}

static void hex_out(FILE *f, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; ++i) fprintf(f, "%02x", p[i]);
}

/* The request as core/handshake.cpp writes it, from what polyws asked for:
 * the library does not hand its bytes out, and the key is random. */
void out_request(const ws_socket *ws) {
    const struct cli_config *c = out.config;
    const char *url = ws_url(ws);
    const char *authority = strstr(url, "://");
    authority = authority ? authority + 3 : url;
    const char *resource = strchr(authority, '/');
    if (!resource) resource = authority + strlen(authority);
    const char *host = authority;
    for (const char *p = authority; p < resource; ++p)
        if (*p == '@') host = p + 1;   /* user:password@ is not part of Host */
    take_line();
    fprintf(stderr, "> GET %s HTTP/1.1\n> Host: %.*s\n> Upgrade: websocket\n"
                    "> Connection: Upgrade\n> Sec-WebSocket-Key: (16 random bytes in base64)\n"
                    "> Sec-WebSocket-Version: 13\n",
            *resource ? resource : "/", (int)(resource - host), host);
    if (c->protocols.count) {
        fputs("> Sec-WebSocket-Protocol: ", stderr);
        for (size_t i = 0; i < c->protocols.count; ++i)
            fprintf(stderr, "%s%s", i ? ", " : "", c->protocols.items[i]);
        fputc('\n', stderr);
    }
    if (c->deflate) {
        fputs("> Sec-WebSocket-Extensions: permessage-deflate", stderr);
        if (c->deflate_no_takeover)
            fputs("; client_no_context_takeover; server_no_context_takeover", stderr);
        if (c->deflate_client_bits >= 0 && c->deflate_client_bits < 15)
            fprintf(stderr, "; client_max_window_bits=%lld", (long long)c->deflate_client_bits);
        if (c->deflate_server_bits >= 0 && c->deflate_server_bits < 15)
            fprintf(stderr, "; server_max_window_bits=%lld", (long long)c->deflate_server_bits);
        fputc('\n', stderr);
    }
    for (size_t i = 0; i < c->headers.count; ++i) {
        const char *h = c->headers.items[i], *colon = strchr(h, ':');
        const char *value = colon + 1;
        while (*value == ' ' || *value == '\t') value++;
        fprintf(stderr, "> %.*s: %s\n", (int)(colon - h), h, value);
    }
    if (c->user_agent) fprintf(stderr, "> User-Agent: %s\n", c->user_agent);
    else fprintf(stderr, "> User-Agent: polyws/%s\n", ws_version());
    fputs(">\n", stderr);
    fflush(stderr);
}

static void print_response(const ws_socket *ws) {
    /* The status line itself is not kept by the library; open means 101. */
    fputs("< HTTP/1.1 101 Switching Protocols\n", stderr);
    size_t count = ws_response_header_count(ws);
    for (size_t i = 0; i < count; ++i) {
        const char *name, *value;
        if (ws_response_header_at(ws, i, &name, &value)) fprintf(stderr, "< %s: %s\n", name, value);
    }
    fputs("<\n", stderr);
    fflush(stderr);
}

void out_open(ws_socket *ws, const ws_event *ev) {
    take_line();
    if (out.config->verbose) print_response(ws);
    const char *protocol = ws_event_protocol(ev);
    if (out.style == CLI_STYLE_JSONL) {
        printf("{\"event\":\"open\",\"protocol\":");
        json_text(stdout, protocol);
        printf(",\"extensions\":");
        json_text(stdout, ws_event_extensions(ev));
        printf("}\n");
    } else if (out.style == CLI_STYLE_INTERACTIVE) {
        printf("%sConnected to %s%s%s (%s closes, Ctrl-C quits)%s\n", paint(GREEN), ws_url(ws),
               *protocol ? ", protocol " : "", protocol, cli_end_of_input_keys, paint(RESET));
        out.prompt_wanted = 1;
    } else {
        fprintf(stderr, "polyws: connected to %s%s%s\n", ws_url(ws),
                *protocol ? ", protocol " : "", protocol);
    }
    fflush(stdout);
    out_prompt();
}

static void print_binary(const uint8_t *data, size_t n) {
    if (out.config->binary_output == CLI_BINARY_HEX) hex_out(stdout, data, n);
    else if (out.config->binary_output == CLI_BINARY_BASE64) base64_out(stdout, data, n);
    else printf("[binary message, %zu bytes]", n);
}

void out_message(const ws_event *ev) {
    size_t n;
    const uint8_t *data = ws_event_data(ev, &n);
    int binary = ws_event_is_binary(ev);
    take_line();
    if (out.style == CLI_STYLE_JSONL) {
        printf("{\"event\":\"message\",\"type\":\"%s\",\"size\":%zu,\"data\":",
               binary ? "binary" : "text", n);
        if (binary) {
            fputc('"', stdout);
            base64_out(stdout, data, n);
            fputc('"', stdout);
        } else {
            json_string(stdout, (const char *)data, n);
        }
        printf("}\n");
    } else {
        if (out.style == CLI_STYLE_INTERACTIVE) printf("%s< ", paint(CYAN));
        if (binary) print_binary(data, n);
        else fwrite(data, 1, n, stdout);
        printf("%s\n", out.style == CLI_STYLE_INTERACTIVE ? paint(RESET) : "");
    }
    fflush(stdout);
    out_prompt();
}

void out_error(const ws_event *ev) {
    const char *message = ws_event_error_message(ev);
    take_line();
    if (out.style == CLI_STYLE_JSONL) {
        printf("{\"event\":\"error\",\"message\":");
        json_text(stdout, message);
        printf("}\n");
        fflush(stdout);
    }
    fprintf(stderr, "%spolyws: error: %s%s\n", paint(RED), message, paint(RESET));
    fflush(stderr);
    out_prompt();
}

void out_close(const ws_event *ev, int final) {
    const char *reason = ws_event_reason(ev);
    int clean = ws_event_was_clean(ev);
    take_line();
    out.prompt_wanted = 0;
    if (out.style == CLI_STYLE_JSONL) {
        printf("{\"event\":\"close\",\"code\":%u,\"reason\":", ws_event_code(ev));
        json_text(stdout, reason);
        printf(",\"wasClean\":%s%s}\n", clean ? "true" : "false",
               final ? "" : ",\"willReconnect\":true");
        fflush(stdout);
    }
    if (!final) return;   /* a reconnect event follows */
    if (out.style == CLI_STYLE_INTERACTIVE) {
        printf("%sDisconnected: code %u%s%s, %s%s\n", paint(clean ? GREEN : RED), ws_event_code(ev),
               *reason ? ", reason " : "", reason, clean ? "clean" : "not clean", paint(RESET));
        fflush(stdout);
    } else if (!clean || out.style == CLI_STYLE_PLAIN) {
        fprintf(stderr, "polyws: closed: code %u%s%s, %s\n", ws_event_code(ev),
                *reason ? ", reason " : "", reason, clean ? "clean" : "not clean");
    }
}

void out_reconnect(const ws_event *ev) {
    if (out.style == CLI_STYLE_JSONL) {
        printf("{\"event\":\"reconnect\",\"attempt\":%u}\n", ws_event_reconnect_attempt(ev));
        fflush(stdout);
    } else {
        out_note("reconnecting (attempt %u)", ws_event_reconnect_attempt(ev));
    }
}
