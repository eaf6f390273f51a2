// The constructor's input: a URL (WHATWG parsing restricted to ws/wss/http/
// https, IDNA, IPv4/IPv6 hosts, percent-encoding) and the protocol list.
// Input: URL, then '\n'-separated subprotocol names.
// Properties: a URL that parses serializes to a URL that parses again to
// the same result (serialization is a fixed point); protocol checks never
// crash and accept only RFC 6455 tokens.
#include "fuzz_support.h"
#include "socket.h"
#include "url.h"

#include <cstring>

using namespace polyws;

static bool is_token_char(unsigned char c) {
    return c > 0x20 && c < 0x7F && !std::strchr("()<>@,;:\\\"/[]?={}", c);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz::Input in(data, size);
    std::string input = in.until('\n');
    WebSocketUrl url;
    std::string error;
    if (parse_websocket_url(input, url, error)) {
        // Port 0 parses (WHATWG URL allows it; the fetch "bad port" rule
        // makes it a network failure later, not a SyntaxError).
        FUZZ_ASSERT(!url.host.empty());
        FUZZ_ASSERT(!url.resource.empty() && url.resource[0] == '/');
        FUZZ_ASSERT(url.serialized.compare(0, url.secure ? 6 : 5, url.secure ? "wss://" : "ws://") == 0);
        // Request line and Host header must not be splittable.
        for (char c : url.resource) FUZZ_ASSERT(c != '\r' && c != '\n' && c != ' ' && c != '\0');
        for (char c : url.host_header) FUZZ_ASSERT(c != '\r' && c != '\n' && c != ' ' && c != '\0');
        WebSocketUrl again;
        std::string error2;
        FUZZ_ASSERT(parse_websocket_url(url.serialized, again, error2));
        FUZZ_ASSERT(again.serialized == url.serialized);
        FUZZ_ASSERT(again.host == url.host && again.port == url.port &&
                    again.resource == url.resource && again.secure == url.secure);
    } else {
        FUZZ_ASSERT(!error.empty());
    }
    while (in.left()) {
        std::string protocol = in.until('\n');
        std::string why;
        bool ok = is_valid_subprotocol(protocol, why);
        bool expect = !protocol.empty();
        for (unsigned char c : protocol) expect = expect && is_token_char(c);
        FUZZ_ASSERT(ok == expect);
    }
    return 0;
}
