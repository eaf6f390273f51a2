#include "handshake.h"

#include "random.h"
#include "url.h"
#include "version.h"

#include <openssl/sha.h>

#include <cstring>
#include <map>

namespace polyws {
namespace {

constexpr size_t kMaxResponseHead = 64 * 1024;

std::string lower(std::string s) {
    for (char &c : s)
        if (c >= 'A' && c <= 'Z') c = char(c + 32);
    return s;
}

std::string trim(const std::string &s) {
    size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Splits a comma-separated header value into trimmed, non-empty items.
std::vector<std::string> split_list(const std::string &value) {
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= value.size()) {
        size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        std::string item = trim(value.substr(start, comma - start));
        if (!item.empty()) items.push_back(item);
        start = comma + 1;
    }
    return items;
}

} // namespace

std::string base64_encode(const void *data, size_t size) {
    static const char table[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const auto *p = static_cast<const unsigned char *>(data);
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < size; i += 3) {
        uint32_t v = uint32_t(p[i]) << 16 | uint32_t(p[i + 1]) << 8 | p[i + 2];
        out += table[v >> 18];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += table[v & 63];
    }
    if (i < size) {
        uint32_t v = uint32_t(p[i]) << 16 | (i + 1 < size ? uint32_t(p[i + 1]) << 8 : 0);
        out += table[v >> 18];
        out += table[(v >> 12) & 63];
        out += i + 1 < size ? table[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string expected_accept(const std::string &key) {
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::string input = key + guid;
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char *>(input.data()), input.size(), digest);
    return base64_encode(digest, sizeof digest);
}

bool check_request_header(const std::string &name, const std::string &value, std::string &error) {
    static const std::string separators = "()<>@,;:\\\"/[]?={} \t";
    if (name.empty()) {
        error = "a header name must not be empty";
        return false;
    }
    for (unsigned char c : name)
        if (c <= 0x20 || c >= 0x7F || separators.find(char(c)) != std::string::npos) {
            error = "invalid character in header name '" + name + "'";
            return false;
        }
    for (unsigned char c : value)
        if (c == '\r' || c == '\n' || c == 0) {
            error = "the value of header '" + name + "' contains CR, LF or NUL";
            return false;
        }
    std::string l = lower(name);
    if (l == "host" || l == "upgrade" || l == "connection" || l == "content-length" ||
        l == "transfer-encoding" || l.compare(0, 14, "sec-websocket-") == 0) {
        error = "header '" + name + "' belongs to the WebSocket handshake and cannot be set" +
                (l == "sec-websocket-protocol" ? " (pass subprotocols to ws_new)" : "");
        return false;
    }
    return true;
}

HandshakeRequest build_handshake_request(const WebSocketUrl &url,
                                         const std::vector<std::string> &protocols,
                                         const RequestOptions &extra) {
    uint8_t nonce[16];
    fill_random(nonce, sizeof nonce);
    HandshakeRequest req;
    req.key = base64_encode(nonce, sizeof nonce);
    std::string &r = req.bytes;
    r = "GET " + url.resource + " HTTP/1.1\r\n";
    r += "Host: " + url.host_header + "\r\n";
    r += "Upgrade: websocket\r\n";
    r += "Connection: Upgrade\r\n";
    r += "Sec-WebSocket-Key: " + req.key + "\r\n";
    r += "Sec-WebSocket-Version: 13\r\n";
    if (!protocols.empty()) {
        r += "Sec-WebSocket-Protocol: ";
        for (size_t i = 0; i < protocols.size(); ++i) r += (i ? ", " : "") + protocols[i];
        r += "\r\n";
    }
    if (extra.deflate.enabled) r += "Sec-WebSocket-Extensions: " + deflate_offer(extra.deflate) + "\r\n";
    for (const auto &h : extra.headers) r += h.first + ": " + h.second + "\r\n";
    r += "User-Agent: " + (extra.user_agent.empty() ? "polyws/" + std::string(kVersion)
                                                   : extra.user_agent) + "\r\n\r\n";
    return req;
}

HandshakeResponse::Status HandshakeResponse::feed(const char *data, size_t size,
                                                  size_t &consumed) {
    size_t before = buffer_.size();
    buffer_.append(data, size);
    // The head ends at the first empty line (CRLF CRLF, or bare LF LF).
    size_t search_from = before >= 3 ? before - 3 : 0;
    size_t end = std::string::npos, end_len = 0;
    for (size_t i = search_from; i < buffer_.size(); ++i) {
        if (buffer_.compare(i, 4, "\r\n\r\n") == 0) { end = i; end_len = 4; break; }
        if (buffer_.compare(i, 2, "\n\n") == 0) { end = i; end_len = 2; break; }
    }
    if (end == std::string::npos) {
        consumed = size;
        if (buffer_.size() > kMaxResponseHead)
            return reject("the handshake response header is larger than 64 KiB");
        return Status::NeedMore;
    }
    consumed = end + end_len - before;
    return validate(buffer_.substr(0, end));
}

HandshakeResponse::Status HandshakeResponse::validate(const std::string &head) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start <= head.size()) {
        size_t nl = head.find('\n', start);
        if (nl == std::string::npos) nl = head.size();
        std::string line = head.substr(start, nl - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(line);
        start = nl + 1;
    }
    const std::string &status_line = lines[0];
    if (status_line.compare(0, 5, "HTTP/") != 0 || status_line.size() < 12)
        return reject("the server did not answer with HTTP: '" + status_line.substr(0, 80) + "'");
    std::string code = status_line.substr(9, 3);
    if (code != "101") {
        std::string text = status_line.size() > 13 ? status_line.substr(13) : "";
        std::string why = "the server answered HTTP " + code + (text.empty() ? "" : " " + text) +
                          " instead of 101 Switching Protocols";
        if (code[0] == '3') why += " (redirects are not followed)";
        return reject(why);
    }

    // Header names are case-insensitive; repeated headers are combined.
    std::map<std::string, std::string> headers;
    for (size_t i = 1; i < lines.size(); ++i) {
        size_t colon = lines[i].find(':');
        if (colon == std::string::npos || colon == 0)
            return reject("malformed header line in the handshake response: '" +
                          lines[i].substr(0, 80) + "'");
        std::string name = lower(lines[i].substr(0, colon));
        std::string value = trim(lines[i].substr(colon + 1));
        auto it = headers.find(name);
        if (it == headers.end()) headers.emplace(name, value);
        else it->second += ", " + value;
    }
    auto get = [&](const char *name) -> const std::string * {
        auto it = headers.find(name);
        return it == headers.end() ? nullptr : &it->second;
    };

    const std::string *upgrade = get("upgrade");
    if (!upgrade || lower(*upgrade) != "websocket")
        return reject("the handshake response lacks 'Upgrade: websocket'");
    const std::string *connection = get("connection");
    bool has_upgrade_token = false;
    if (connection)
        for (const auto &token : split_list(*connection))
            has_upgrade_token = has_upgrade_token || lower(token) == "upgrade";
    if (!has_upgrade_token)
        return reject("the handshake response lacks 'Connection: Upgrade'");
    const std::string *accept = get("sec-websocket-accept");
    if (!accept || *accept != expected_accept(key_))
        return reject("the handshake response has a wrong or missing Sec-WebSocket-Accept");

    if (const std::string *ext = get("sec-websocket-extensions")) {
        std::string error;
        if (!accept_deflate_response(*ext, deflate_, result_.deflate_agreement, result_.deflate, error))
            return reject(error);
        if (result_.deflate) result_.extensions = trim(*ext);
    }

    const std::string *protocol = get("sec-websocket-protocol");
    std::vector<std::string> selected = protocol ? split_list(*protocol) : std::vector<std::string>{};
    if (selected.size() > 1)
        return reject("the server selected more than one subprotocol: '" + *protocol + "'");
    if (!selected.empty()) {
        bool offered = false;
        for (const auto &p : protocols_) offered = offered || p == selected[0];
        if (!offered)
            return reject("the server selected subprotocol '" + selected[0] +
                          "', which the client did not request");
        result_.protocol = selected[0];
    } else if (!protocols_.empty()) {
        return reject("the server selected none of the requested subprotocols");
    }
    result_.headers.assign(headers.begin(), headers.end());
    return Status::Accepted;
}

} // namespace polyws
