// A focused implementation of the WHATWG URL parser for the four schemes a
// WebSocket accepts (ws, wss, http, https: all "special" schemes), without a
// base URL. It follows the standard's steps where they are observable
// through `WebSocket.url`: whitespace trimming, backslashes as slashes,
// ignored extra slashes, host normalisation (IPv4 in any radix, IPv6
// compression, lowercase, international names to punycode), default ports dropped, dot segments resolved and
// the percent-encode sets of path, query and userinfo.
#include "url.h"

#include <idn2.h>

#include <cstdio>
#include <vector>

namespace polyws {
namespace {

bool is_alpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
int hex_value(char c) { return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

enum class EncodeSet { Path, Query, Userinfo };

bool needs_encoding(unsigned char c, EncodeSet set) {
    if (c <= 0x20 || c >= 0x7F) return true;  // C0 controls, space, non-ASCII
    switch (c) {
    case '"': case '#': case '<': case '>': return true;
    case '?': case '`': case '{': case '}': return set != EncodeSet::Query;
    case '\'': return set == EncodeSet::Query;
    case '/': case ':': case ';': case '=': case '@': case '[': case '\\':
    case ']': case '^': case '|': return set == EncodeSet::Userinfo;
    default: return false;
    }
}

void append_encoded(std::string &out, const std::string &in, EncodeSet set) {
    static const char digits[] = "0123456789ABCDEF";
    for (unsigned char c : in) {
        if (needs_encoding(c, set)) {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 15];
        } else {
            out += char(c);
        }
    }
}

std::string percent_decode(const std::string &in) {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%' && i + 2 < in.size() && is_hex(in[i + 1]) && is_hex(in[i + 2])) {
            out += char(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

// WHATWG "IPv4 number parser": decimal, 0x hex or 0-prefixed octal.
bool parse_ipv4_number(const std::string &s, uint64_t &value) {
    if (s.empty()) return false;
    int radix = 10;
    size_t i = 0;
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        radix = 16;
        i = 2;
    } else if (s.size() >= 2 && s[0] == '0') {
        radix = 8;
        i = 1;
    }
    value = 0;
    for (; i < s.size(); ++i) {
        int d;
        if (radix == 16 && is_hex(s[i])) d = hex_value(s[i]);
        else if (is_digit(s[i]) && s[i] - '0' < radix) d = s[i] - '0';
        else return false;
        value = value * radix + d;
        if (value > 0xFFFFFFFFull * 256) value = 0xFFFFFFFFull * 256; // saturate
    }
    return true;
}

// The host's dot-separated labels, as the IPv4 rules see them.
std::vector<std::string> split_labels(const std::string &host) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t i = 0; i <= host.size(); ++i) {
        if (i == host.size() || host[i] == '.') {
            parts.push_back(host.substr(start, i - start));
            start = i + 1;
        }
    }
    return parts;
}

bool ends_in_number(const std::string &host) {
    std::vector<std::string> parts = split_labels(host);
    if (parts.back().empty()) {
        if (parts.size() == 1) return false;
        parts.pop_back();
    }
    const std::string &last = parts.back();
    bool all_digits = !last.empty();
    for (char c : last) all_digits = all_digits && is_digit(c);
    if (all_digits) return true;
    uint64_t ignored;
    return parse_ipv4_number(last, ignored);
}

bool parse_ipv4(const std::string &host, std::string &out, std::string &error) {
    std::vector<std::string> parts = split_labels(host);
    if (parts.back().empty() && parts.size() > 1) parts.pop_back();
    if (parts.size() > 4) { error = "invalid IPv4 address: too many parts"; return false; }
    std::vector<uint64_t> numbers;
    for (const auto &p : parts) {
        uint64_t n;
        if (!parse_ipv4_number(p, n)) { error = "invalid IPv4 address"; return false; }
        numbers.push_back(n);
    }
    for (size_t i = 0; i + 1 < numbers.size(); ++i)
        if (numbers[i] > 255) { error = "invalid IPv4 address: part above 255"; return false; }
    uint64_t limit = 1ull << (8 * (5 - numbers.size()));
    if (numbers.back() >= limit) { error = "invalid IPv4 address: out of range"; return false; }
    uint64_t ipv4 = numbers.back();
    for (size_t i = 0; i + 1 < numbers.size(); ++i) ipv4 += numbers[i] << (8 * (3 - i));
    char buf[16];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", unsigned(ipv4 >> 24) & 255,
                  unsigned(ipv4 >> 16) & 255, unsigned(ipv4 >> 8) & 255, unsigned(ipv4) & 255);
    out = buf;
    return true;
}

// WHATWG IPv6 parser and serializer (compresses the longest zero run).
bool parse_ipv6(const std::string &in, std::string &out, std::string &error) {
    uint16_t address[8] = {0};
    int piece = 0, compress = -1;
    size_t p = 0;
    error = "invalid IPv6 address";
    if (p < in.size() && in[p] == ':') {
        if (p + 1 >= in.size() || in[p + 1] != ':') return false;
        p += 2;
        compress = ++piece;
    }
    while (p < in.size()) {
        if (piece == 8) return false;
        if (in[p] == ':') {
            if (compress != -1) return false;
            ++p;
            compress = ++piece;
            continue;
        }
        unsigned value = 0, length = 0;
        while (length < 4 && p < in.size() && is_hex(in[p])) {
            value = value * 16 + hex_value(in[p]);
            ++p;
            ++length;
        }
        if (p < in.size() && in[p] == '.') {
            if (length == 0 || piece > 6) return false;
            p -= length;
            int numbers_seen = 0;
            while (p < in.size()) {
                int ipv4_piece = -1;
                if (numbers_seen > 0) {
                    if (in[p] == '.' && numbers_seen < 4) ++p;
                    else return false;
                }
                if (p >= in.size() || !is_digit(in[p])) return false;
                while (p < in.size() && is_digit(in[p])) {
                    int n = in[p] - '0';
                    if (ipv4_piece == -1) ipv4_piece = n;
                    else if (ipv4_piece == 0) return false;
                    else ipv4_piece = ipv4_piece * 10 + n;
                    if (ipv4_piece > 255) return false;
                    ++p;
                }
                address[piece] = uint16_t(address[piece] * 0x100 + ipv4_piece);
                ++numbers_seen;
                if (numbers_seen == 2 || numbers_seen == 4) ++piece;
            }
            if (numbers_seen != 4) return false;
            break;
        }
        if (p < in.size() && in[p] == ':') {
            ++p;
            if (p >= in.size()) return false;
        } else if (p < in.size()) {
            return false;
        }
        address[piece++] = uint16_t(value);
    }
    if (compress != -1) {
        int swaps = piece - compress;
        piece = 7;
        while (piece != 0 && swaps > 0) {
            uint16_t t = address[piece];
            address[piece] = address[compress + swaps - 1];
            address[compress + swaps - 1] = t;
            --piece;
            --swaps;
        }
    } else if (piece != 8) {
        return false;
    }
    // Serialize: find the first longest run of two or more zero pieces.
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && address[j] == 0) ++j;
        if (j - i > best_len) { best = i; best_len = j - i; }
        i = j == i ? i + 1 : j;
    }
    out = "[";
    bool ignore0 = false;
    for (int i = 0; i < 8; ++i) {
        if (ignore0 && address[i] == 0) continue;
        ignore0 = false;
        if (best == i) {
            out += i == 0 ? "::" : ":";
            ignore0 = true;
            continue;
        }
        char buf[8];
        std::snprintf(buf, sizeof buf, "%x", address[i]);
        out += buf;
        if (i != 7) out += ':';
    }
    out += ']';
    return true;
}

bool parse_host(const std::string &input, std::string &out, std::string &error) {
    if (input.empty()) { error = "the URL has no host"; return false; }
    if (input[0] == '[') {
        if (input.back() != ']') { error = "invalid IPv6 address: missing ']'"; return false; }
        return parse_ipv6(input.substr(1, input.size() - 2), out, error);
    }
    std::string domain = percent_decode(input);
    std::string ascii;
    bool non_ascii = false;
    for (unsigned char c : domain) non_ascii = non_ascii || c >= 0x80;
    if (non_ascii) {
        // WHATWG "domain to ASCII": UTS #46 non-transitional processing
        // (case mapping, NFC, punycode), as libidn2 implements it.
        char *converted = nullptr;
        int rc = idn2_to_ascii_8z(domain.c_str(), &converted,
                                  IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
        if (rc != IDN2_OK) {
            error = std::string("invalid internationalized domain name: ") + idn2_strerror(rc);
            return false;
        }
        ascii = converted;
        idn2_free(converted);
    }
    for (unsigned char c : non_ascii ? std::string() : domain) ascii += lower(char(c));
    static const char forbidden[] = " #%/:<>?@[\\]^|";
    for (unsigned char c : ascii) {
        if (c < 0x20 || c == 0x7F || (c && std::string(forbidden).find(char(c)) != std::string::npos)) {
            error = std::string("forbidden character in host: '") + char(c) + "'";
            return false;
        }
    }
    if (ascii.empty()) { error = "the URL has no host"; return false; }
    if (ends_in_number(ascii)) return parse_ipv4(ascii, out, error);
    out = ascii;
    return true;
}

// Resolves "." and ".." segments (also percent-encoded as %2e).
bool is_dot(const std::string &s) { return s == "." || s == "%2e" || s == "%2E"; }
bool is_double_dot(const std::string &s) {
    std::string l;
    for (char c : s) l += lower(c);
    return l == ".." || l == ".%2e" || l == "%2e." || l == "%2e%2e";
}

} // namespace

bool parse_websocket_url(const std::string &raw, WebSocketUrl &out, std::string &error) {
    // Strip leading and trailing C0 controls and spaces; drop tab and newlines.
    size_t b = 0, e = raw.size();
    while (b < e && static_cast<unsigned char>(raw[b]) <= 0x20) ++b;
    while (e > b && static_cast<unsigned char>(raw[e - 1]) <= 0x20) --e;
    std::string in;
    for (size_t i = b; i < e; ++i)
        if (raw[i] != '\t' && raw[i] != '\n' && raw[i] != '\r') in += raw[i];

    size_t p = 0;
    if (in.empty() || !is_alpha(in[0])) {
        error = "not an absolute URL (a scheme such as ws:// is required)";
        return false;
    }
    while (p < in.size() && (is_alpha(in[p]) || is_digit(in[p]) || in[p] == '+' ||
                             in[p] == '-' || in[p] == '.'))
        ++p;
    if (p == in.size() || in[p] != ':') {
        error = "not an absolute URL (a scheme such as ws:// is required)";
        return false;
    }
    std::string scheme;
    for (size_t i = 0; i < p; ++i) scheme += lower(in[i]);
    ++p;
    if (scheme == "ws" || scheme == "http") out.secure = false;
    else if (scheme == "wss" || scheme == "https") out.secure = true;
    else {
        error = "the URL's scheme must be ws, wss, http or https, not '" + scheme + "'";
        return false;
    }
    if (in.find('#') != std::string::npos) {
        error = "a WebSocket URL must not contain a fragment ('#')";
        return false;
    }
    // Special schemes ignore any run of slashes and backslashes here.
    while (p < in.size() && (in[p] == '/' || in[p] == '\\')) ++p;

    size_t authority_end = p;
    while (authority_end < in.size() && in[authority_end] != '/' &&
           in[authority_end] != '\\' && in[authority_end] != '?')
        ++authority_end;
    std::string authority = in.substr(p, authority_end - p);
    p = authority_end;

    std::string userinfo;
    size_t at = authority.rfind('@');
    if (at != std::string::npos) {
        std::string user = authority.substr(0, at), pass;
        size_t colon = user.find(':');
        if (colon != std::string::npos) {
            pass = user.substr(colon + 1);
            user = user.substr(0, colon);
        }
        append_encoded(userinfo, user, EncodeSet::Userinfo);
        if (!pass.empty()) {
            userinfo += ':';
            append_encoded(userinfo, pass, EncodeSet::Userinfo);
        }
        authority = authority.substr(at + 1);
        if (authority.empty()) { error = "the URL has credentials but no host"; return false; }
    }

    // Split host and port; a ':' inside [...] belongs to the IPv6 address.
    std::string host_part = authority, port_part;
    bool has_port = false;
    {
        bool in_brackets = false;
        for (size_t i = 0; i < authority.size(); ++i) {
            if (authority[i] == '[') in_brackets = true;
            else if (authority[i] == ']') in_brackets = false;
            else if (authority[i] == ':' && !in_brackets) {
                host_part = authority.substr(0, i);
                port_part = authority.substr(i + 1);
                has_port = true;
                break;
            }
        }
    }
    if (!parse_host(host_part, out.host, error)) return false;

    uint16_t default_port = out.secure ? 443 : 80;
    out.port = default_port;
    bool explicit_port = false;
    if (has_port && !port_part.empty()) {
        uint32_t port = 0;
        for (char c : port_part) {
            if (!is_digit(c)) { error = "invalid port: '" + port_part + "'"; return false; }
            port = port * 10 + uint32_t(c - '0');
            if (port > 65535) { error = "port out of range: " + port_part; return false; }
        }
        out.port = uint16_t(port);
        explicit_port = out.port != default_port;
    }

    // Path segments (both slash kinds separate them), then the query.
    std::string path_raw, query;
    bool has_query = false;
    size_t q = in.find('?', p);
    if (q != std::string::npos) {
        path_raw = in.substr(p, q - p);
        query = in.substr(q + 1);
        has_query = true;
    } else {
        path_raw = in.substr(p);
    }
    std::vector<std::string> segments;
    if (!path_raw.empty()) {
        size_t s = 1; // path_raw starts with a slash
        for (size_t i = 1; i <= path_raw.size(); ++i) {
            if (i == path_raw.size() || path_raw[i] == '/' || path_raw[i] == '\\') {
                std::string seg = path_raw.substr(s, i - s);
                bool last = i == path_raw.size();
                if (is_double_dot(seg)) {
                    if (!segments.empty()) segments.pop_back();
                    if (last) segments.emplace_back();
                } else if (is_dot(seg)) {
                    if (last) segments.emplace_back();
                } else {
                    std::string enc;
                    append_encoded(enc, seg, EncodeSet::Path);
                    segments.push_back(enc);
                }
                s = i + 1;
            }
        }
    }
    std::string path;
    for (const auto &seg : segments) path += "/" + seg;
    if (path.empty()) path = "/";

    out.resource = path;
    if (has_query) {
        out.resource += '?';
        append_encoded(out.resource, query, EncodeSet::Query);
    }
    out.host_header = out.host;
    if (explicit_port) out.host_header += ":" + std::to_string(out.port);
    out.connect_host = out.host;
    if (!out.connect_host.empty() && out.connect_host[0] == '[')
        out.connect_host = out.connect_host.substr(1, out.connect_host.size() - 2);

    out.serialized = std::string(out.secure ? "wss" : "ws") + "://";
    if (!userinfo.empty()) out.serialized += userinfo + "@";
    out.serialized += out.host_header + out.resource;
    return true;
}

} // namespace polyws
