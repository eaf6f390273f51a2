// The TLS settings of a socket, turned into an OpenSSL client context once,
// when the socket is created (so a bad CA or certificate file is reported
// by ws_new_ex, not later as a connection failure).
#pragma once

#include <memory>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;

namespace polyws {

struct TlsOptions {
    std::string ca_file;        // trust these CAs instead of the system store
    std::string ca_pem;         // likewise, from memory (both may be given)
    std::string cert_file;      // client certificate chain (PEM), for mutual TLS
    std::string key_file;       // its private key (PEM, unencrypted)
    std::string server_name;    // SNI and the name checked, instead of the URL's host
    bool insecure_no_verify = false;

    bool is_default() const {
        return ca_file.empty() && ca_pem.empty() && cert_file.empty() && key_file.empty() &&
               !insecure_no_verify;
    }
};

class TlsContext {
public:
    // The context for `options`: the shared default one when nothing is
    // customised. Null with `error` set when a file or PEM cannot be used.
    static std::shared_ptr<TlsContext> make(const TlsOptions &options, std::string &error);
    ~TlsContext();

    SSL_CTX *get() const { return ctx_; }
    bool verifies() const { return verify_; }

private:
    explicit TlsContext(SSL_CTX *ctx, bool verify) : ctx_(ctx), verify_(verify) {}
    SSL_CTX *ctx_;
    bool verify_;
};

// OpenSSL's queued errors as one readable line ("" when none).
std::string openssl_errors();

} // namespace polyws
