// An HTTP CONNECT tunnel (RFC 9110 9.3.6) between a TCP link to a proxy and
// the layer above (TLS for wss://, or the connection itself). Debian's
// libwebsockets 4.1.6 is built without proxy support, so the tunnel is
// opened here: CONNECT, optional Basic authentication, then plain bytes.
#pragma once

#include "transport.h"

#include <string>

namespace polyws {

struct ProxyOptions {
    std::string host;           // empty: no proxy
    uint16_t port = 0;
    std::string credentials;    // "user:password" (already percent-decoded), or empty
};

// Parses "[http://][user:password@]host[:port][/]"; as curl, the port is
// 1080 when none is given. On failure returns false with `error`.
bool parse_proxy_url(const std::string &url, ProxyOptions &out, std::string &error);

// The proxy from http_proxy / https_proxy (and their upper-case forms) for a
// target, honouring no_proxy. False when none applies.
bool proxy_from_environment(bool secure, const std::string &target_host, ProxyOptions &out,
                            std::string &error);

class ProxyTunnel final : public Link, public LinkHandler {
public:
    ProxyTunnel(LinkHandler &upper, const ProxyOptions &proxy, std::string target_authority);

    // Drops the TCP link while the tunnel is still being opened.
    void abort();

    // Link, for the layer above (valid once the tunnel is open).
    void request_write() override { if (lower_) lower_->request_write(); }
    bool write(const uint8_t *data, size_t size) override {
        return open_ && lower_ && lower_->write(data, size);
    }
    void close() override { if (lower_) lower_->close(); }
    void set_reading(bool reading) override { if (lower_) lower_->set_reading(reading); }

    // LinkHandler, for the TCP link to the proxy.
    void on_connected(Link &link) override;
    void on_connect_failed(const std::string &why) override;
    void on_bytes(const uint8_t *data, size_t size) override;
    void on_writable() override;
    void on_closed() override;

private:
    void fail(const std::string &why);

    LinkHandler &upper_;
    std::string request_;
    std::string proxy_name_;
    Link *lower_ = nullptr;
    bool request_sent_ = false;
    bool open_ = false;
    std::string response_;
    std::string failure_;
};

} // namespace polyws
