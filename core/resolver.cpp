#include "resolver.h"

#include "net_api.h"
#include "platform.h"

#include <thread>

namespace polyws {
namespace {

void lookup(const std::string &host, bool numeric_only, std::vector<std::string> &out,
            std::string &error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = numeric_only ? AI_NUMERICHOST : 0;
    addrinfo *result = nullptr;
    int rc = getaddrinfo(host.c_str(), nullptr, &hints, &result);
    if (rc != 0) {
        error = "could not resolve host '" + host + "': " + gai_strerror(rc);
        return;
    }
    for (addrinfo *ai = result; ai; ai = ai->ai_next) {
        char text[INET6_ADDRSTRLEN] = "";
        const void *addr = ai->ai_family == AF_INET6
                               ? static_cast<const void *>(&reinterpret_cast<sockaddr_in6 *>(ai->ai_addr)->sin6_addr)
                               : static_cast<const void *>(&reinterpret_cast<sockaddr_in *>(ai->ai_addr)->sin_addr);
        if (inet_ntop(ai->ai_family, addr, text, sizeof text)) {
            bool seen = false;
            for (const auto &a : out) seen = seen || a == text;
            if (!seen) out.push_back(text);
        }
    }
    freeaddrinfo(result);
    if (out.empty()) error = "could not resolve host '" + host + "': no usable address";
}

bool is_numeric(const std::string &host) {
    in6_addr a6;
    in_addr a4;
    return inet_pton(AF_INET, host.c_str(), &a4) == 1 || inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

} // namespace

void resolve_async(const std::string &host, ResolveDone done) {
    NetworkUse network;
    if (!network.ok()) {
        done({}, network.error());
        return;
    }
    if (is_numeric(host)) {
        std::vector<std::string> addresses;
        std::string error;
        lookup(host, true, addresses, error);
        done(std::move(addresses), std::move(error));
        return;
    }
    // A detached thread: a slow lookup must never hold up a loop that is
    // shutting down; `done` only posts to a mailbox that outlives the loop.
    std::thread([host, done = std::move(done)] {
        NetworkUse network;   // the lookup may outlive every loop
        std::vector<std::string> addresses;
        std::string error;
        lookup(host, false, addresses, error);
        done(std::move(addresses), std::move(error));
    }).detach();
}

} // namespace polyws
