#include "proxy_tunnel.h"

#include "handshake.h"

#include <cctype>
#include <cstdlib>
#include <cstring>

namespace polyws {
namespace {

std::string lower(std::string s) {
    for (char &c : s)
        if (c >= 'A' && c <= 'Z') c = char(c + 32);
    return s;
}

std::string percent_decode(const std::string &in) {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%' && i + 2 < in.size() && std::isxdigit((unsigned char)in[i + 1]) &&
            std::isxdigit((unsigned char)in[i + 2])) {
            out += char(std::strtol(in.substr(i + 1, 2).c_str(), nullptr, 16));
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

const char *env(const char *lower_name, const char *upper_name) {
    const char *v = std::getenv(lower_name);
    if ((!v || !*v) && upper_name) v = std::getenv(upper_name);
    return v && *v ? v : nullptr;
}

// no_proxy: comma-separated names (a leading dot optional, ports ignored),
// each matching the host itself and its subdomains; "*" matches everything.
bool bypassed(const std::string &host) {
    const char *list = env("no_proxy", "NO_PROXY");
    if (!list) return false;
    std::string h = lower(host);
    std::string all = list;
    size_t start = 0;
    while (start <= all.size()) {
        size_t comma = all.find(',', start);
        if (comma == std::string::npos) comma = all.size();
        std::string entry = lower(all.substr(start, comma - start));
        start = comma + 1;
        entry.erase(0, entry.find_first_not_of(" \t"));
        entry.erase(entry.find_last_not_of(" \t") + 1);
        if (entry == "*") return true;
        if (!entry.empty() && entry[0] != '[') {
            size_t colon = entry.rfind(':');
            if (colon != std::string::npos && entry.find(':') == colon) entry.erase(colon);
        }
        if (!entry.empty() && entry[0] == '.') entry.erase(0, 1);
        if (entry.empty()) continue;
        if (h == entry) return true;
        if (h.size() > entry.size() && h.compare(h.size() - entry.size(), entry.size(), entry) == 0 &&
            h[h.size() - entry.size() - 1] == '.')
            return true;
    }
    return false;
}

} // namespace

bool parse_proxy_url(const std::string &url, ProxyOptions &out, std::string &error) {
    std::string rest = url;
    size_t scheme_end = rest.find("://");
    if (scheme_end != std::string::npos) {
        std::string scheme = lower(rest.substr(0, scheme_end));
        if (scheme != "http") {
            error = "proxy scheme '" + scheme + "' is not supported (only http:// proxies are)";
            return false;
        }
        rest = rest.substr(scheme_end + 3);
    }
    size_t slash = rest.find('/');
    if (slash != std::string::npos) rest.erase(slash);
    size_t at = rest.rfind('@');
    out.credentials.clear();
    if (at != std::string::npos) {
        out.credentials = percent_decode(rest.substr(0, at));
        rest = rest.substr(at + 1);
    }
    std::string port_text;
    if (!rest.empty() && rest[0] == '[') {
        size_t close = rest.find(']');
        if (close == std::string::npos) {
            error = "invalid proxy address '" + url + "'";
            return false;
        }
        out.host = rest.substr(1, close - 1);
        if (close + 1 < rest.size() && rest[close + 1] == ':') port_text = rest.substr(close + 2);
    } else {
        size_t colon = rest.rfind(':');
        out.host = rest.substr(0, colon);
        if (colon != std::string::npos) port_text = rest.substr(colon + 1);
    }
    if (out.host.empty()) {
        error = "the proxy address '" + url + "' has no host";
        return false;
    }
    out.port = 1080;
    if (!port_text.empty()) {
        char *end = nullptr;
        long port = std::strtol(port_text.c_str(), &end, 10);
        if (*end || port < 1 || port > 65535) {
            error = "invalid proxy port in '" + url + "'";
            return false;
        }
        out.port = uint16_t(port);
    }
    return true;
}

bool proxy_from_environment(bool secure, const std::string &target_host, ProxyOptions &out,
                            std::string &error) {
    // Like curl, upper-case HTTP_PROXY is ignored (CGI servers set it from a
    // request header); the others are honoured in both cases.
    const char *value = secure ? env("https_proxy", "HTTPS_PROXY") : env("http_proxy", nullptr);
    if (!value || bypassed(target_host)) return false;
    return parse_proxy_url(value, out, error);
}

ProxyTunnel::ProxyTunnel(LinkHandler &upper, const ProxyOptions &proxy, std::string target)
    : upper_(upper), proxy_name_(proxy.host + ":" + std::to_string(proxy.port)) {
    request_ = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
    if (!proxy.credentials.empty())
        request_ += "Proxy-Authorization: Basic " +
                    base64_encode(proxy.credentials.data(), proxy.credentials.size()) + "\r\n";
    request_ += "\r\n";
}

void ProxyTunnel::on_connected(Link &link) {
    lower_ = &link;
    lower_->request_write();
}

void ProxyTunnel::on_writable() {
    if (!open_) {
        if (!request_sent_ && lower_) {
            request_sent_ = true;
            lower_->write(reinterpret_cast<const uint8_t *>(request_.data()), request_.size());
        }
        return;
    }
    upper_.on_writable();
}

void ProxyTunnel::on_bytes(const uint8_t *data, size_t size) {
    if (open_) {
        upper_.on_bytes(data, size);
        return;
    }
    if (!failure_.empty()) return;
    response_.append(reinterpret_cast<const char *>(data), size);
    size_t end = response_.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (response_.size() > 16384) fail("the proxy's answer to CONNECT is too long");
        return;
    }
    std::string status = response_.substr(0, response_.find("\r\n"));
    // "HTTP/1.1 200": the code is at offset 9. A shorter line is no answer
    // at all (and compare() at 9 would throw on it, ending the I/O thread).
    std::string code = status.size() >= 12 ? status.substr(9, 3) : std::string();
    if (code.empty() || status.compare(0, 5, "HTTP/") != 0 || code != "200") {
        std::string why = "the proxy " + proxy_name_ + " refused the tunnel: " + status.substr(0, 200);
        if (code == "407" || code == "401")
            why += " (proxy authentication missing or wrong)";
        fail(why);
        return;
    }
    open_ = true;
    std::string leftover = response_.substr(end + 4);
    response_.clear();
    upper_.on_connected(*this);
    if (!leftover.empty())
        upper_.on_bytes(reinterpret_cast<const uint8_t *>(leftover.data()), leftover.size());
}

void ProxyTunnel::fail(const std::string &why) {
    failure_ = why;
    if (lower_) lower_->close();   // reported from on_closed
}

void ProxyTunnel::abort() {
    if (!open_ && lower_ && failure_.empty()) fail("the proxy tunnel was abandoned");
}

void ProxyTunnel::on_connect_failed(const std::string &why) {
    upper_.on_connect_failed("could not reach the proxy " + proxy_name_ + ": " + why);
}

void ProxyTunnel::on_closed() {
    lower_ = nullptr;
    if (open_) {
        upper_.on_closed();
        return;
    }
    // A copy: the layer above may delete this tunnel from inside the call.
    std::string why = failure_.empty() ? "the proxy " + proxy_name_ +
                                             " closed the connection before the tunnel opened"
                                       : failure_;
    upper_.on_connect_failed(why);
}

} // namespace polyws
