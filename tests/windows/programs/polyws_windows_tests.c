/*
 * polyws_windows_tests: the C API on Windows, one case per invocation:
 *
 *   polyws_windows_tests CASE [ARGS...]
 *
 * exits 0 when the case passed, 1 with a reason on stderr when it failed.
 * tests/windows/test_capi_wine.py starts the peers (on Linux, reached over
 * loopback) and runs each case under Wine. The host side waits the way a
 * Windows host would: select() on the socket ws_loop_fd() returns.
 *
 * Cases:
 *   echo URL                    text and binary (up to 16 MiB) echoed, close 1000 with reason
 *   winsock URL                 the library's Winsock reference: taken while a loop lives,
 *                               given back after, independent of the host's own calls
 *   tls-utf8-paths URL CA CERT KEY  CA file and client certificate under a non-ASCII path
 *   tls-untrusted URL           default verification refuses a certificate of an unknown CA
 *   tls-system URL ok|fail      verification against the system ROOT store
 *   trust-add PEM               add a CA to the system ROOT store (in a test prefix only:
 *                               Wine keeps it; a deletion through the merged ROOT view
 *                               does not persist there, so each run uses a new CA)
 *   count-roots                 prints how many certificates the system ROOT store holds
 *                               (under Wine: those Wine imported from the host)
 *   exit-unfreed default|own URL [CA]
 *                               opens a socket on ws_default_loop() or on a ws_loop_new()
 *                               loop (a CA file for wss://), keeps echoes in flight and
 *                               returns from main freeing nothing: the process must then
 *                               exit with status 0, not hang (the library's exit code runs
 *                               at DLL detach, after Windows has killed its I/O thread)
 */
#include <winsock2.h>
#include <windows.h>
#include <wincrypt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "polyws.h"

#define WAIT_MS 20000

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                \
            return 1;                                                                      \
        }                                                                                  \
    } while (0)

/* The next event of `loop`, waiting with select() on ws_loop_fd() as a
 * Windows host would. NULL after WAIT_MS. */
static const ws_event *next_event(ws_loop *loop) {
    DWORD start = GetTickCount();
    for (;;) {
        const ws_event *ev = NULL;
        if (ws_loop_next_event(loop, 0, &ev) != WS_OK) return NULL;
        if (ev) return ev;
        DWORD spent = GetTickCount() - start;
        if (spent >= WAIT_MS) return NULL;
        DWORD left = WAIT_MS - spent;
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET((SOCKET)ws_loop_fd(loop), &readable);
        struct timeval tv = {(long)(left / 1000), (long)(left % 1000) * 1000};
        if (select(0, &readable, NULL, NULL, &tv) == SOCKET_ERROR) {
            fprintf(stderr, "select failed: WSA error %d\n", WSAGetLastError());
            return NULL;
        }
    }
}

/* The next event, which must be of `type`. */
static const ws_event *expect(ws_loop *loop, ws_event_type_t type) {
    const ws_event *ev = next_event(loop);
    if (!ev) {
        fprintf(stderr, "no event (wanted type %d) within %d ms\n", (int)type, WAIT_MS);
        return NULL;
    }
    if (ws_event_type(ev) != type) {
        fprintf(stderr, "event type %d, wanted %d (error: '%s', close %u '%s')\n",
                (int)ws_event_type(ev), (int)type, ws_event_error_message(ev),
                ws_event_code(ev), ws_event_reason(ev));
        return NULL;
    }
    return ev;
}

static int echo_one(ws_loop *loop, ws_socket *ws, const void *data, size_t size, bool binary) {
    ws_result r = binary ? ws_send_binary(ws, data, size) : ws_send_text(ws, data, size);
    CHECK(r == WS_OK);
    const ws_event *ev = expect(loop, WS_EVENT_MESSAGE);
    CHECK(ev);
    size_t got = 0;
    const uint8_t *p = ws_event_data(ev, &got);
    CHECK(ws_event_is_binary(ev) == binary);
    CHECK(got == size);
    CHECK(memcmp(p, data, size) == 0);
    return 0;
}

static int close_cleanly(ws_loop *loop, ws_socket *ws) {
    CHECK(ws_close(ws, 1000, "bye") == WS_OK);
    const ws_event *ev = expect(loop, WS_EVENT_CLOSE);
    CHECK(ev);
    CHECK(ws_event_code(ev) == 1000);
    CHECK(strcmp(ws_event_reason(ev), "bye") == 0);
    CHECK(ws_event_was_clean(ev));
    return 0;
}

static int open_socket(ws_loop *loop, const char *url, const ws_options *options, ws_socket **ws) {
    ws_result r = ws_new_ex(loop, url, NULL, 0, options, ws);
    if (r != WS_OK) fprintf(stderr, "ws_new_ex: %s\n", ws_last_error(NULL));
    CHECK(r == WS_OK);
    CHECK(expect(loop, WS_EVENT_OPEN));
    CHECK(ws_ready_state(*ws) == WS_OPEN);
    return 0;
}

static int case_echo(const char *url) {
    WSADATA wsa;
    CHECK(WSAStartup(MAKEWORD(2, 2), &wsa) == 0);
    ws_loop *loop = NULL;
    CHECK(ws_loop_new(WS_DELIVERY_DISPATCH, &loop) == WS_OK);
    CHECK(ws_loop_fd(loop) != -1);
    ws_socket *ws = NULL;
    if (open_socket(loop, url, NULL, &ws)) return 1;
    const char *text = "h\xc3\xa9llo, w\xc3\xb6rld";
    if (echo_one(loop, ws, text, strlen(text), false)) return 1;
    size_t sizes[] = {0, 125, 126, 65535, 65536, 1 << 20, 16u << 20};
    unsigned char *big = malloc(16u << 20);
    CHECK(big);
    for (size_t i = 0; i < (16u << 20); ++i) big[i] = (unsigned char)(i * 7 + (i >> 13));
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; ++i)
        if (echo_one(loop, ws, big, sizes[i], true)) return 1;
    free(big);
    if (close_cleanly(loop, ws)) return 1;
    ws_free(ws);
    ws_loop_free(loop);
    WSACleanup();
    return 0;
}

/* Winsock as the process sees it: can a socket be made right now? */
static int winsock_started(void) {
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET) return WSAGetLastError() == WSANOTINITIALISED ? 0 : -1;
    closesocket(s);
    return 1;
}

static int case_winsock(const char *url) {
    /* A host that never called WSAStartup: the library starts Winsock for
     * its loop and gives it back when the loop is gone. */
    CHECK(winsock_started() == 0);
    ws_loop *loop = NULL;
    CHECK(ws_loop_new(WS_DELIVERY_DISPATCH, &loop) == WS_OK);
    CHECK(winsock_started() == 1);
    ws_socket *ws = NULL;
    if (open_socket(loop, url, NULL, &ws)) return 1;
    if (echo_one(loop, ws, "one", 3, false)) return 1;
    /* The host starts and cleans up Winsock around its own use, balanced:
     * the library's reference keeps the loop working. */
    WSADATA wsa;
    CHECK(WSAStartup(MAKEWORD(2, 2), &wsa) == 0);
    CHECK(WSACleanup() == 0);
    if (echo_one(loop, ws, "two", 3, false)) return 1;
    if (close_cleanly(loop, ws)) return 1;
    ws_free(ws);
    ws_loop_free(loop);
    CHECK(winsock_started() == 0);

    /* A host holding Winsock itself: freeing the library's last loop leaves
     * the host's reference alone. */
    CHECK(WSAStartup(MAKEWORD(2, 2), &wsa) == 0);
    CHECK(ws_loop_new(WS_DELIVERY_DISPATCH, &loop) == WS_OK);
    if (open_socket(loop, url, NULL, &ws)) return 1;
    if (close_cleanly(loop, ws)) return 1;
    ws_free(ws);
    ws_loop_free(loop);
    CHECK(winsock_started() == 1);
    CHECK(WSACleanup() == 0);
    CHECK(winsock_started() == 0);
    return 0;
}

static char *utf8_of(const wchar_t *w) {
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *out = malloc((size_t)n);
    WideCharToMultiByte(CP_UTF8, 0, w, -1, out, n, NULL, NULL);
    return out;
}

static wchar_t *wide_of(const char *utf8) {
    int n = MultiByteToWideChar(CP_UTF8, 0, utf8, -1, NULL, 0);
    wchar_t *out = malloc((size_t)n * sizeof *out);
    MultiByteToWideChar(CP_UTF8, 0, utf8, -1, out, n);
    return out;
}

static int case_tls_utf8_paths(const char *url, const char *ca, const char *cert, const char *key) {
    /* A folder whose name no ANSI code page holds whole (Greek, CJK, emoji). */
    wchar_t dir[MAX_PATH], ca_w[MAX_PATH], cert_w[MAX_PATH], key_w[MAX_PATH];
    wchar_t temp[MAX_PATH];
    CHECK(GetTempPathW(MAX_PATH, temp) > 0);
    swprintf(dir, MAX_PATH, L"%lspolyws-\u03b1\u03b2\u03b3-\u6f22\u5b57-\U0001F512-%lu", temp,
             (unsigned long)GetCurrentProcessId());
    CHECK(CreateDirectoryW(dir, NULL));
    swprintf(ca_w, MAX_PATH, L"%ls\\ca \u00e9\u00e8.pem", dir);
    swprintf(cert_w, MAX_PATH, L"%ls\\cl\u00ee\u00eant.pem", dir);
    swprintf(key_w, MAX_PATH, L"%ls\\k\u00eb\u00ff.pem", dir);
    wchar_t *ca_src = wide_of(ca), *cert_src = wide_of(cert), *key_src = wide_of(key);
    CHECK(CopyFileW(ca_src, ca_w, FALSE));
    CHECK(CopyFileW(cert_src, cert_w, FALSE));
    CHECK(CopyFileW(key_src, key_w, FALSE));

    WSADATA wsa;
    CHECK(WSAStartup(MAKEWORD(2, 2), &wsa) == 0);
    ws_loop *loop = NULL;
    CHECK(ws_loop_new(WS_DELIVERY_DISPATCH, &loop) == WS_OK);
    ws_options *options = NULL;
    CHECK(ws_options_new(&options) == WS_OK);
    char *ca_utf8 = utf8_of(ca_w), *cert_utf8 = utf8_of(cert_w), *key_utf8 = utf8_of(key_w);
    CHECK(ws_options_set_ca_file(options, ca_utf8) == WS_OK);
    /* The server asks for no client certificate; loading it at ws_new_ex
     * (where a bad file is refused) is what is tested. */
    CHECK(ws_options_set_client_cert(options, cert_utf8, key_utf8) == WS_OK);
    ws_socket *ws = NULL;
    if (open_socket(loop, url, options, &ws)) return 1;
    if (echo_one(loop, ws, "over tls", 8, false)) return 1;
    if (close_cleanly(loop, ws)) return 1;
    ws_free(ws);

    /* A UTF-8 path that does not exist is refused with the reason. */
    wchar_t missing_w[MAX_PATH];
    swprintf(missing_w, MAX_PATH, L"%ls\\n\u00f6ne.pem", dir);
    char *missing = utf8_of(missing_w);
    CHECK(ws_options_set_ca_file(options, missing) == WS_OK);
    CHECK(ws_new_ex(loop, url, NULL, 0, options, &ws) == WS_ERR_INVALID_ARGUMENT);
    CHECK(strstr(ws_last_error(NULL), "could not load the CA file") != NULL);
    CHECK(strstr(ws_last_error(NULL), missing) != NULL);   /* the path comes back intact */
    ws_options_free(options);
    ws_loop_free(loop);
    WSACleanup();
    DeleteFileW(ca_w);
    DeleteFileW(cert_w);
    DeleteFileW(key_w);
    RemoveDirectoryW(dir);
    return 0;
}

/* Connects with default TLS options: `want_open` says whether verification
 * must succeed (then a message is echoed) or fail with a readable reason. */
static int connect_default_tls(const char *url, bool want_open) {
    WSADATA wsa;
    CHECK(WSAStartup(MAKEWORD(2, 2), &wsa) == 0);
    ws_loop *loop = NULL;
    CHECK(ws_loop_new(WS_DELIVERY_DISPATCH, &loop) == WS_OK);
    ws_socket *ws = NULL;
    if (want_open) {
        if (open_socket(loop, url, NULL, &ws)) return 1;
        if (echo_one(loop, ws, "verified", 8, false)) return 1;
        if (close_cleanly(loop, ws)) return 1;
    } else {
        CHECK(ws_new_ex(loop, url, NULL, 0, NULL, &ws) == WS_OK);
        const ws_event *ev = expect(loop, WS_EVENT_ERROR);
        CHECK(ev);
        fprintf(stderr, "refused as expected: %s\n", ws_event_error_message(ev));
        CHECK(strstr(ws_event_error_message(ev), "certificate verify failed") != NULL);
        ev = expect(loop, WS_EVENT_CLOSE);
        CHECK(ev);
        CHECK(ws_event_code(ev) == 1006);
        CHECK(!ws_event_was_clean(ev));
    }
    ws_free(ws);
    ws_loop_free(loop);
    WSACleanup();
    return 0;
}

static int read_der(const char *pem_path, BYTE **der, DWORD *der_size) {
    FILE *f = fopen(pem_path, "rb");
    CHECK(f);
    static char pem[65536];
    size_t n = fread(pem, 1, sizeof pem - 1, f);
    fclose(f);
    pem[n] = 0;
    DWORD size = 0;
    CHECK(CryptStringToBinaryA(pem, 0, CRYPT_STRING_BASE64HEADER, NULL, &size, NULL, NULL));
    *der = malloc(size);
    CHECK(CryptStringToBinaryA(pem, 0, CRYPT_STRING_BASE64HEADER, *der, &size, NULL, NULL));
    *der_size = size;
    return 0;
}

static int case_trust_add(const char *pem_path) {
    BYTE *der;
    DWORD der_size;
    if (read_der(pem_path, &der, &der_size)) return 1;
    /* The store the library reads (trust_store_win.cpp). On Windows adding
     * to it asks the user; under Wine it does not. */
    HCERTSTORE root = CertOpenSystemStoreW(0, L"ROOT");
    CHECK(root);
    CHECK(CertAddEncodedCertificateToStore(root, X509_ASN_ENCODING, der, der_size,
                                           CERT_STORE_ADD_REPLACE_EXISTING, NULL));
    CertCloseStore(root, 0);
    free(der);
    return 0;
}

static int case_count_roots(void) {
    HCERTSTORE root = CertOpenSystemStoreW(0, L"ROOT");
    CHECK(root);
    int count = 0;
    PCCERT_CONTEXT cert = NULL;
    while ((cert = CertEnumCertificatesInStore(root, cert)) != NULL) ++count;
    CertCloseStore(root, 0);
    printf("ROOT %d\n", count);
    return 0;
}

/* A host that ends without freeing anything, while its loop's I/O thread
 * is busy (echoes of 64 KiB messages still coming back): Windows kills that
 * thread wherever it is, maybe holding one of the library's locks, and then
 * runs polyws.dll's exit code. That code must not wait for the thread or
 * take its locks; a hang here is the failure (the test's timeout). */
static int case_exit_unfreed(const char *which, const char *url, const char *ca) {
    ws_loop *loop = NULL;
    if (!strcmp(which, "default")) {
        loop = ws_default_loop();
        CHECK(loop);
    } else {
        CHECK(!strcmp(which, "own"));
        CHECK(ws_loop_new(WS_DELIVERY_DISPATCH, &loop) == WS_OK);
    }
    ws_options *options = NULL;
    if (ca) {
        CHECK(ws_options_new(&options) == WS_OK);
        CHECK(ws_options_set_ca_file(options, ca) == WS_OK);
    }
    ws_socket *ws = NULL;
    if (open_socket(loop, url, options, &ws)) return 1;
    printf("OPEN\n");
    static unsigned char chunk[64 * 1024];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 64; ++i) CHECK(ws_send_binary(ws, chunk, sizeof chunk) == WS_OK);
    CHECK(expect(loop, WS_EVENT_MESSAGE));   /* the echoes have begun */
    printf("RETURNING with echoes in flight, nothing freed\n");
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stderr, NULL, _IONBF, 0);
    const char *name = argc > 1 ? argv[1] : "";
    if (!strcmp(name, "echo") && argc == 3) return case_echo(argv[2]);
    if (!strcmp(name, "winsock") && argc == 3) return case_winsock(argv[2]);
    if (!strcmp(name, "tls-utf8-paths") && argc == 6)
        return case_tls_utf8_paths(argv[2], argv[3], argv[4], argv[5]);
    if (!strcmp(name, "tls-untrusted") && argc == 3) return connect_default_tls(argv[2], false);
    if (!strcmp(name, "tls-system") && argc == 4)
        return connect_default_tls(argv[2], !strcmp(argv[3], "ok"));
    if (!strcmp(name, "count-roots") && argc == 2) return case_count_roots();
    if (!strcmp(name, "trust-add") && argc == 3) return case_trust_add(argv[2]);
    if (!strcmp(name, "exit-unfreed") && (argc == 4 || argc == 5))
        return case_exit_unfreed(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
    fprintf(stderr, "usage: polyws_windows_tests CASE [ARGS...] (see the source)\n");
    return 2;
}
