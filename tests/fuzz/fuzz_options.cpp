// Option strings a host passes through the C API: extra request headers
// (name and value), the User-Agent, the proxy URL, the CA PEM text, and
// subprotocol lists at ws_new_ex() time (with a deferred connect, so no
// network is touched).
// Input: '\n'-separated fields: header name, header value, user agent,
// proxy URL, URL, then protocols.
// Properties: ws_options_add_header() accepts exactly what the core's
// header check accepts, and never a name or value that could split the
// request; a refusal leaves a reason in ws_last_error(NULL); no call
// crashes or leaks.
#include "fuzz_support.h"
#include "handshake.h"
#include "polyws.h"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz::Input in(data, size);
    // C strings stop at NUL: cut each field there, as a C caller would.
    auto field = [&in]() {
        std::string s = in.until('\n');
        return s.substr(0, s.find('\0'));
    };
    std::string name = field(), value = field(), agent = field(), proxy = field(), url = field();
    std::vector<std::string> protocols;
    while (in.left() && protocols.size() < 8) protocols.push_back(field());

    ws_options *o = nullptr;
    FUZZ_ASSERT(ws_options_new(&o) == WS_OK);
    std::string why;
    bool core_ok = polyws::check_request_header(name, value, why);
    ws_result r = ws_options_add_header(o, name.c_str(), value.c_str());
    FUZZ_ASSERT((r == WS_OK) == core_ok);
    if (r == WS_OK) {
        for (char c : name) FUZZ_ASSERT(c != '\r' && c != '\n' && c != ':' && c != ' ');
        for (char c : value) FUZZ_ASSERT(c != '\r' && c != '\n');
    } else {
        FUZZ_ASSERT(r == WS_ERR_INVALID_ARGUMENT && *ws_last_error(nullptr));
    }
    r = ws_options_set_user_agent(o, agent.c_str());
    FUZZ_ASSERT(r == WS_OK || r == WS_ERR_INVALID_ARGUMENT);
    if (r == WS_OK)
        for (char c : agent) FUZZ_ASSERT(c != '\r' && c != '\n');
    r = ws_options_set_proxy(o, proxy.c_str());
    FUZZ_ASSERT(r == WS_OK || r == WS_ERR_INVALID_ARGUMENT);
    ws_options_set_deferred_connect(o, true);

    static ws_loop *loop = [] {
        ws_loop *l = nullptr;
        ws_loop_new(WS_DELIVERY_DISPATCH, &l);
        return l;
    }();
    std::vector<const char *> list;
    for (auto &p : protocols) list.push_back(p.c_str());
    ws_socket *ws = nullptr;
    r = ws_new_ex(loop, url.c_str(), list.data(), list.size(), o, &ws);
    FUZZ_ASSERT(r == WS_OK || r == WS_ERR_SYNTAX || r == WS_ERR_INVALID_ARGUMENT);
    if (r == WS_OK) {
        FUZZ_ASSERT(ws && ws_ready_state(ws) == WS_CONNECTING);
        ws_free(ws);
    } else {
        FUZZ_ASSERT(!ws && *ws_last_error(nullptr));
    }
    ws_options_free(o);
    return 0;
}
