// The HTTP CONNECT proxy: the proxy URL option and the proxy's answer to
// CONNECT, read by the tunnel the way the connection uses it.
// Input: the proxy URL line, one byte for the split, then the answer.
// Properties: the tunnel opens only on a "HTTP/x.y 200" status line and then
// hands the bytes after the head, unchanged, to the layer above; otherwise it
// closes the link and reports a reason; no exception escapes (they would
// end the I/O thread).
#include "fuzz_support.h"
#include "proxy_tunnel.h"

using namespace polyws;

namespace {
struct Lower : Link {
    bool closed = false;
    std::string written;
    void request_write() override {}
    bool write(const uint8_t *d, size_t n) override {
        written.append(reinterpret_cast<const char *>(d), n);
        return true;
    }
    void close() override { closed = true; }
    void set_reading(bool) override {}
};
struct Upper : LinkHandler {
    int connected = 0, failed = 0;
    std::string bytes, why;
    void on_connected(Link &) override { ++connected; }
    void on_connect_failed(const std::string &w) override { ++failed; why = w; }
    void on_bytes(const uint8_t *d, size_t n) override {
        bytes.append(reinterpret_cast<const char *>(d), n);
    }
    void on_writable() override {}
    void on_closed() override {}
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz::Input in(data, size);
    std::string url = in.until('\n');
    ProxyOptions proxy;
    std::string error;
    if (parse_proxy_url(url, proxy, error)) {
        FUZZ_ASSERT(!proxy.host.empty() && proxy.port != 0);
    } else {
        FUZZ_ASSERT(!error.empty());
        proxy = ProxyOptions();
        proxy.host = "proxy.test";
        proxy.port = 3128;
    }
    uint8_t split = in.byte();
    std::string answer = in.rest();

    Upper upper;
    Lower lower;
    ProxyTunnel tunnel(upper, proxy, "example.com:443");
    tunnel.on_connected(lower);
    tunnel.on_writable();
    FUZZ_ASSERT(lower.written.compare(0, 8, "CONNECT ") == 0);
    size_t at = 0;
    uint32_t x = split | 1;
    while (at < answer.size()) {
        x = x * 1103515245u + 12345u;
        size_t piece = split ? 1 + (x >> 16) % 97 : answer.size();
        if (piece > answer.size() - at) piece = answer.size() - at;
        tunnel.on_bytes(reinterpret_cast<const uint8_t *>(answer.data()) + at, piece);
        at += piece;
    }
    size_t end = answer.find("\r\n\r\n");
    if (upper.connected) {
        FUZZ_ASSERT(upper.connected == 1 && !lower.closed);
        FUZZ_ASSERT(end != std::string::npos && answer.compare(0, 5, "HTTP/") == 0 &&
                    answer.compare(9, 3, "200") == 0);
        FUZZ_ASSERT(upper.bytes == answer.substr(end + 4));
    } else if (end != std::string::npos || answer.size() > 16384) {
        FUZZ_ASSERT(lower.closed);
        tunnel.on_closed();
        FUZZ_ASSERT(upper.failed == 1 && !upper.why.empty());
    }
    return 0;
}
