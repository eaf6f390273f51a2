#include "tls_stream.h"

#include "net_api.h"
#include "tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <vector>

namespace polyws {
namespace {

bool is_ip_literal(const std::string &host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

} // namespace

TlsStream::TlsStream(LinkHandler &upper, std::shared_ptr<TlsContext> context, std::string server_name)
    : upper_(upper), context_(std::move(context)), server_name_(std::move(server_name)) {}

TlsStream::~TlsStream() {
    if (ssl_) SSL_free(ssl_);   // frees both BIOs
}

void TlsStream::on_connected(Link &link) {
    lower_ = &link;
    ssl_ = SSL_new(context_->get());
    if (!ssl_) {
        fail_handshake("TLS could not be set up: " + openssl_errors());
        return;
    }
    network_in_ = BIO_new(BIO_s_mem());
    network_out_ = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_, network_in_, network_out_);
    SSL_set_connect_state(ssl_);
    X509_VERIFY_PARAM *param = SSL_get0_param(ssl_);
    bool ip = is_ip_literal(server_name_);
    // SNI only for names (RFC 6066 forbids IP literals there).
    if (!ip) SSL_set_tlsext_host_name(ssl_, server_name_.c_str());
    if (context_->verifies()) {
        if (ip) {
            X509_VERIFY_PARAM_set1_ip_asc(param, server_name_.c_str());
        } else {
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            X509_VERIFY_PARAM_set1_host(param, server_name_.c_str(), 0);
        }
    }
    advance_handshake();
}

void TlsStream::on_connect_failed(const std::string &why) { upper_.on_connect_failed(why); }

std::string TlsStream::failure_reason(int ssl_result) {
    long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK)
        return std::string("TLS handshake with ") + server_name_ + " failed: certificate verify failed: " +
               X509_verify_cert_error_string(verify);
    std::string detail = openssl_errors();
    if (detail.empty())
        detail = SSL_get_error(ssl_, ssl_result) == SSL_ERROR_SYSCALL
                     ? "the server closed the connection during the TLS handshake"
                     : "handshake failure";
    return "TLS handshake with " + server_name_ + " failed: " + detail;
}

// Runs the handshake as far as the bytes at hand allow. False on failure
// (already reported).
bool TlsStream::advance_handshake() {
    ERR_clear_error();
    int rc = SSL_do_handshake(ssl_);
    if (rc == 1) {
        established_ = true;
        flush_ciphertext();
        upper_.on_connected(*this);
        return true;
    }
    int err = SSL_get_error(ssl_, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return flush_ciphertext();
    std::string why = failure_reason(rc);
    flush_ciphertext();   // the alert, if any
    fail_handshake(why);
    return false;
}

// Reported once the TCP link is gone, so the connection hears exactly one
// terminal callback and may then delete this stream safely.
void TlsStream::fail_handshake(const std::string &why) {
    failed_ = true;
    failure_ = why;
    lower_->close();
}

bool TlsStream::flush_ciphertext() {
    char *data = nullptr;
    long pending = BIO_get_mem_data(network_out_, &data);
    if (pending <= 0) return true;
    bool ok = lower_->write(reinterpret_cast<const uint8_t *>(data), size_t(pending));
    (void)BIO_reset(network_out_);
    return ok;
}

void TlsStream::on_bytes(const uint8_t *data, size_t size) {
    if (failed_) return;
    BIO_write(network_in_, data, int(size));
    if (!established_) {
        if (!advance_handshake() || !established_) return;
    }
    uint8_t plain[16384];
    for (;;) {
        ERR_clear_error();
        int n = SSL_read(ssl_, plain, sizeof plain);
        if (n > 0) {
            upper_.on_bytes(plain, size_t(n));
            if (failed_ || !ssl_) return;
            continue;
        }
        int err = SSL_get_error(ssl_, n);
        if (err == SSL_ERROR_WANT_READ) break;
        if (err == SSL_ERROR_ZERO_RETURN) {   // close_notify: the stream ends
            lower_->close();
            break;
        }
        failed_ = true;   // a TLS error after the handshake: drop the stream
        lower_->close();
        break;
    }
    flush_ciphertext();   // key updates, alerts
}

void TlsStream::request_write() {
    if (lower_ && !failed_) lower_->request_write();
}

// Called from inside on_writable(), like any Link::write.
bool TlsStream::write(const uint8_t *data, size_t size) {
    if (!established_ || failed_) return false;
    while (size > 0) {
        ERR_clear_error();
        int n = SSL_write(ssl_, data, int(size));
        if (n <= 0) {
            failed_ = true;
            lower_->close();
            return false;
        }
        data += n;
        size -= size_t(n);
    }
    return flush_ciphertext();
}

void TlsStream::close() {
    if (!lower_) return;
    if (established_ && !failed_ && ssl_) {
        SSL_shutdown(ssl_);   // close_notify; the reply is not awaited
        flush_ciphertext();
    }
    lower_->close();
}

void TlsStream::on_writable() {
    if (established_ && !failed_) upper_.on_writable();
}

void TlsStream::on_closed() {
    lower_ = nullptr;
    if (established_) {
        upper_.on_closed();
        return;
    }
    // A copy: the connection may delete this stream from inside the call.
    std::string why = failure_.empty()
                          ? "TLS handshake with " + server_name_ + " failed: the server closed the connection"
                          : failure_;
    upper_.on_connect_failed(why);
}

} // namespace polyws
