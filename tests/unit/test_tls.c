/*
 * TLS options through the C API (the CLI cannot reach all of them): a CA
 * given in memory, a CA file, the server-name override, the insecure switch,
 * and bad files refused by ws_new_ex with a reason. The certificates are
 * made here with the openssl command; polyws-echo serves wss://.
 */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/polyws-tls-XXXXXX";
static echo_server tls_server;

static char *path(const char *name) {
    static char buf[4][256];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

static char *read_file(const char *name, size_t *size) {
    FILE *f = fopen(path(name), "rb");
    if (!f) return NULL;
    static char data[16384];
    *size = fread(data, 1, sizeof data, f);
    fclose(f);
    return data;
}

static int group_setup(void **state) {
    (void)state;
    if (!mkdtemp(dir)) return -1;
    char command[2048];
    snprintf(command, sizeof command,
             "(cd %s && "
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
             "-subj /CN=polyws-unit-ca && "
             "openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=localhost "
             "-addext subjectAltName=DNS:localhost && "
             "printf 'subjectAltName=DNS:localhost\\n' > san.ext && "
             "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
             "-out srv.pem -extfile san.ext && "
             "printf 'not a certificate\\n' > junk.pem) > /dev/null 2>&1",
             dir);
    if (system(command) != 0) return -1;
    return echo_start_tls(&tls_server, NULL, 0, path("srv.pem"), path("srv.key"));
}

static int group_teardown(void **state) {
    (void)state;
    echo_stop(&tls_server);
    char command[512];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    return system(command) == 0 ? 0 : -1;
}

/* Opens with `options`, exchanges one message, closes; or expects failure. */
static void converse(struct fixture *f, const ws_options *options, bool expect_open,
                     const char *reason) {
    ws_socket *ws = NULL;
    /* By address: the certificate names only "localhost". */
    assert_int_equal(ws_new_ex(f->loop, tls_server.url, NULL, 0, options, &ws), WS_OK);
    attach_recorder(ws, &f->r);
    if (!expect_open) {
        assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
        const rec_event *e = recorder_get(&f->r, 0, 0);
        assert_int_equal(e->type, WS_EVENT_ERROR);
        if (!strstr(e->error, reason)) fail_msg("error '%s' lacks '%s'", e->error, reason);
        ws_free(ws);
        return;
    }
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_OPEN, 1));
    assert_int_equal(ws_send_text(ws, "tls", 3), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_MESSAGE, 1));
    assert_int_equal(ws_close(ws, 1000, NULL), WS_OK);
    assert_true(wait_events(f->loop, &f->r, WS_EVENT_CLOSE, 1));
    ws_free(ws);
}

static ws_options *options_with_name(void) {
    ws_options *o = NULL;
    assert_int_equal(ws_options_new(&o), WS_OK);
    assert_int_equal(ws_options_set_tls_server_name(o, "localhost"), WS_OK);
    return o;
}

static void test_ca_in_memory(void **state) {
    size_t size = 0;
    const char *pem = read_file("ca.pem", &size);
    assert_non_null(pem);
    ws_options *o = options_with_name();
    assert_int_equal(ws_options_set_ca_pem(o, pem, size), WS_OK);
    converse(*state, o, true, NULL);
    ws_options_free(o);
}

static void test_ca_file(void **state) {
    ws_options *o = options_with_name();
    assert_int_equal(ws_options_set_ca_file(o, path("ca.pem")), WS_OK);
    converse(*state, o, true, NULL);
    ws_options_free(o);
}

static void test_rule25_without_the_name_override_the_ip_does_not_match(void **state) {
    ws_options *o = NULL;
    assert_int_equal(ws_options_new(&o), WS_OK);
    assert_int_equal(ws_options_set_ca_file(o, path("ca.pem")), WS_OK);
    converse(*state, o, false, "IP address mismatch");
    ws_options_free(o);
}

static void test_rule25_default_trust_store_rejects_the_test_ca(void **state) {
    converse(*state, NULL, false, "certificate verify failed");
}

static void test_insecure_switch_skips_verification(void **state) {
    ws_options *o = NULL;
    assert_int_equal(ws_options_new(&o), WS_OK);
    assert_int_equal(ws_options_set_insecure_no_tls_verify(o, true), WS_OK);
    converse(*state, o, true, NULL);
    /* And it can be switched back off. */
    assert_int_equal(ws_options_set_insecure_no_tls_verify(o, false), WS_OK);
    recorder_free(&((struct fixture *)*state)->r);
    recorder_init(&((struct fixture *)*state)->r);
    converse(*state, o, false, "certificate verify failed");
    ws_options_free(o);
}

static void test_bad_tls_material_is_refused_by_ws_new_ex(void **state) {
    (void)state;
    ws_options *o = NULL;
    ws_socket *ws = NULL;

    assert_int_equal(ws_options_new(&o), WS_OK);
    assert_int_equal(ws_options_set_ca_file(o, path("missing.pem")), WS_OK);
    assert_int_equal(ws_new_ex(NULL, "wss://localhost:1/", NULL, 0, o, &ws), WS_ERR_INVALID_ARGUMENT);
    assert_null(ws);
    assert_non_null(strstr(ws_last_error(NULL), "could not load the CA file"));
    /* The same options on ws:// need no TLS material: fine. */
    assert_int_equal(ws_new_ex(NULL, "ws://localhost:1/", NULL, 0, o, &ws), WS_OK);
    ws_free(ws);
    ws_options_free(o);

    assert_int_equal(ws_options_new(&o), WS_OK);
    size_t size = 0;
    const char *junk = read_file("junk.pem", &size);
    assert_int_equal(ws_options_set_ca_pem(o, junk, size), WS_OK);
    assert_int_equal(ws_new_ex(NULL, "wss://localhost:1/", NULL, 0, o, &ws), WS_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(ws_last_error(NULL), "no certificate"));
    ws_options_free(o);

    assert_int_equal(ws_options_new(&o), WS_OK);
    assert_int_equal(ws_options_set_client_cert(o, path("srv.pem"), path("ca.key")), WS_OK);
    assert_int_equal(ws_new_ex(NULL, "wss://localhost:1/", NULL, 0, o, &ws), WS_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(ws_last_error(NULL), "client key"));   /* not that certificate's key */
    assert_int_equal(ws_options_set_client_cert(o, path("srv.pem"), NULL), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_options_set_client_cert(o, NULL, NULL), WS_OK);   /* cleared */
    assert_int_equal(ws_options_set_ca_pem(o, NULL, 3), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_options_set_ca_file(NULL, "x"), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_options_set_tls_server_name(NULL, "x"), WS_ERR_INVALID_ARGUMENT);
    assert_int_equal(ws_options_set_insecure_no_tls_verify(NULL, true), WS_ERR_INVALID_ARGUMENT);
    ws_options_free(o);
}

int main(void) {
    test_support_init();
    const struct CMUnitTest tests[] = {
        T(test_ca_in_memory),
        T(test_ca_file),
        T(test_rule25_without_the_name_override_the_ip_does_not_match),
        T(test_rule25_default_trust_store_rejects_the_test_ca),
        T(test_insecure_switch_skips_verification),
        T(test_bad_tls_material_is_refused_by_ws_new_ex),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
