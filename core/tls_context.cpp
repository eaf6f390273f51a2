#include "tls_context.h"

#include "platform.h"
#include "trust_store.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace polyws {
namespace {

SSL_CTX *new_client_ctx() {
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    if (!c) return nullptr;
    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_mode(c, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
    // A WebSocket handshake is HTTP/1.1: never let a server pick h2.
    static const unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    SSL_CTX_set_alpn_protos(c, alpn, sizeof alpn);
    return c;
}

// Adds every certificate of a PEM buffer to the context's trust store.
// `what` names the source in the error ("the CA PEM", "the CA file '...'").
bool add_ca_pem(SSL_CTX *ctx, const std::string &pem, const std::string &what,
                std::string &error) {
    BIO *bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    int added = 0;
    while (X509 *cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
        if (X509_STORE_add_cert(store, cert) == 1) ++added;
        X509_free(cert);
    }
    BIO_free(bio);
    ERR_clear_error();   // the end of the buffer reads as an error
    if (added == 0) {
        error = what + " holds no certificate";
        return false;
    }
    return true;
}

// Keys must not be encrypted (ws_options_set_client_cert): fail at once
// instead of letting OpenSSL's default callback prompt on the host's terminal.
int no_passphrase(char *, int, int, void *) { return -1; }

// Files are read here, with UTF-8 paths on every system (platform.h), and
// handed to OpenSSL from memory: OpenSSL's own file functions take the
// narrow, code-page path on Windows.
bool use_client_certificate(SSL_CTX *c, const TlsOptions &o, std::string &error) {
    std::string pem, why;
    if (!read_file_utf8(o.cert_file, pem, why)) {
        error = "could not load the client certificate '" + o.cert_file + "': " + why;
        return false;
    }
    BIO *bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
    X509 *leaf = PEM_read_bio_X509_AUX(bio, nullptr, no_passphrase, nullptr);
    bool ok = leaf && SSL_CTX_use_certificate(c, leaf) == 1;
    X509_free(leaf);
    if (ok) {
        // The rest of the file is the chain, sent after the leaf.
        SSL_CTX_clear_chain_certs(c);
        while (X509 *ca = PEM_read_bio_X509(bio, nullptr, no_passphrase, nullptr)) {
            if (SSL_CTX_add0_chain_cert(c, ca) != 1) {
                X509_free(ca);
                ok = false;
                break;
            }
        }
        if (ok) ERR_clear_error();   // the end of the file reads as an error
    }
    BIO_free(bio);
    if (!ok) {
        std::string detail = openssl_errors();
        error = "could not load the client certificate '" + o.cert_file + "'" +
                (detail.empty() ? std::string(": no certificate in it") : ": " + detail);
        return false;
    }
    if (!read_file_utf8(o.key_file, pem, why)) {
        error = "could not load the client key '" + o.key_file + "': " + why;
        return false;
    }
    bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, nullptr, no_passphrase, nullptr);
    BIO_free(bio);
    ok = key && SSL_CTX_use_PrivateKey(c, key) == 1;
    EVP_PKEY_free(key);
    if (!ok) {
        std::string detail = openssl_errors();
        error = "could not load the client key '" + o.key_file + "'" +
                (detail.empty() ? std::string(": no usable key in it") : ": " + detail);
        return false;
    }
    return true;
}

} // namespace

std::string openssl_errors() {
    std::string text;
    unsigned long e;
    while ((e = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!text.empty()) text += "; ";
        text += buf;
    }
    return text;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

std::shared_ptr<TlsContext> TlsContext::make(const TlsOptions &o, std::string &error) {
    if (o.is_default()) {
        // One context for the process: the system trust store (or
        // SSL_CERT_FILE / SSL_CERT_DIR) is read once.
        static std::shared_ptr<TlsContext> shared = [] {
            SSL_CTX *c = new_client_ctx();
            if (c) trust_system_roots(c);
            return c ? std::shared_ptr<TlsContext>(new TlsContext(c, true)) : nullptr;
        }();
        if (!shared) error = "TLS could not be set up: " + openssl_errors();
        return shared;
    }
    ERR_clear_error();
    SSL_CTX *c = new_client_ctx();
    if (!c) {
        error = "TLS could not be set up: " + openssl_errors();
        return nullptr;
    }
    std::shared_ptr<TlsContext> context(new TlsContext(c, !o.insecure_no_verify));
    if (o.insecure_no_verify) SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
    if (o.ca_file.empty() && o.ca_pem.empty()) {
        trust_system_roots(c);
    } else {
        if (!o.ca_file.empty()) {
            std::string pem, why;
            if (!read_file_utf8(o.ca_file, pem, why)) {
                error = "could not load the CA file '" + o.ca_file + "': " + why;
                return nullptr;
            }
            if (!add_ca_pem(c, pem, "could not load the CA file '" + o.ca_file + "': it", error))
                return nullptr;
        }
        if (!o.ca_pem.empty() && !add_ca_pem(c, o.ca_pem, "the CA PEM", error)) return nullptr;
    }
    if (!o.cert_file.empty() || !o.key_file.empty()) {
        if (o.cert_file.empty() || o.key_file.empty()) {
            error = "a client certificate needs both its certificate and its key file";
            return nullptr;
        }
        if (!use_client_certificate(c, o, error)) return nullptr;
        if (SSL_CTX_check_private_key(c) != 1) {
            error = "the client key does not match the client certificate";
            return nullptr;
        }
    }
    return context;
}

} // namespace polyws
