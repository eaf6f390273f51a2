// Per-socket settings, copied into each socket at construction.
#pragma once

#include "handshake.h"
#include "proxy_tunnel.h"
#include "tls_context.h"

#include <cstdint>

namespace polyws {

constexpr uint64_t kDefaultReceiveLimit = 8ull << 20;   // 8 MiB: see docs/performance.md

struct Options {
    uint64_t max_message_size = 64ull << 20;     // 64 MiB
    uint64_t send_buffer_limit = 256ull << 20;   // 256 MiB
    uint64_t receive_limit = kDefaultReceiveLimit;
    uint32_t connect_timeout_ms = 30000;
    uint32_t close_timeout_ms = 5000;
    bool deferred_connect = false;               // wait for ws_connect()
    uint32_t ping_interval_ms = 0;               // 0: no keepalive pings
    uint32_t pong_timeout_ms = 10000;
    RequestOptions request;                      // extra headers, user agent
    TlsOptions tls;
    ProxyOptions proxy;                          // explicit HTTP proxy
    bool proxy_from_environment = false;         // http_proxy, https_proxy, no_proxy
    uint32_t reconnect_initial_ms = 0;           // 0: never reconnect (as a browser)
    uint32_t reconnect_max_ms = 30000;
    uint32_t reconnect_max_attempts = 0;         // 0: no limit
};

} // namespace polyws
