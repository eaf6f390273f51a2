// TLS (OpenSSL) between a connection and its TCP stream, driven through
// memory BIOs: the transport moves ciphertext, the connection sees
// plaintext. Verification follows the context (tls_context.h): by default
// the system trust store, the server's name or IP checked against the
// certificate, TLS 1.2 at least.
#pragma once

#include "transport.h"

#include <memory>
#include <string>

typedef struct ssl_st SSL;
typedef struct bio_st BIO;

namespace polyws {

class TlsContext;

// A Link for the connection above it and a LinkHandler for the TCP link
// below it. I/O thread only, like both of them.
class TlsStream final : public Link, public LinkHandler {
public:
    TlsStream(LinkHandler &upper, std::shared_ptr<TlsContext> context, std::string server_name);
    ~TlsStream() override;

    // Drops the TCP link while the handshake is still running.
    void abort() {
        if (lower_ && !established_) fail_handshake("the TLS handshake was abandoned");
    }

    // Link, for the connection.
    void request_write() override;
    bool write(const uint8_t *data, size_t size) override;
    void close() override;
    void set_reading(bool reading) override {
        if (lower_) lower_->set_reading(reading);
    }

    // LinkHandler, for the TCP link.
    void on_connected(Link &link) override;
    void on_connect_failed(const std::string &why) override;
    void on_bytes(const uint8_t *data, size_t size) override;
    void on_writable() override;
    void on_closed() override;

private:
    bool advance_handshake();
    void fail_handshake(const std::string &why);
    bool flush_ciphertext();
    std::string failure_reason(int ssl_result);

    LinkHandler &upper_;
    std::shared_ptr<TlsContext> context_;
    std::string server_name_;
    Link *lower_ = nullptr;
    SSL *ssl_ = nullptr;
    BIO *network_in_ = nullptr;    // ciphertext from the server, for OpenSSL
    BIO *network_out_ = nullptr;   // ciphertext from OpenSSL, for the server
    bool established_ = false;
    bool failed_ = false;
    std::string failure_;
};

} // namespace polyws
