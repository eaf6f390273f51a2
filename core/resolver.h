// Name lookup away from the I/O thread: libwebsockets 4.1.6 (built without
// async DNS) would run a blocking getaddrinfo on the thread that serves
// every socket of the loop, and report nothing at all when it fails.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace polyws {

using ResolveDone = std::function<void(std::vector<std::string> addresses, std::string error)>;

// Resolves `host` to numeric addresses (IPv6 and IPv4, in the order
// getaddrinfo prefers). Numeric hosts answer at once on the calling thread;
// names are looked up on a short-lived thread of their own, which calls
// `done` when finished. `error` is readable and empty on success.
void resolve_async(const std::string &host, ResolveDone done);

// Joins lookup threads, so none of them still runs when the host ends its
// process (a hang on Windows: see resolver.cpp). Delivered: those that have
// called their `done` (a loop that shuts down, on the host's thread, waits
// for them); Finished: those with nothing of ours left to run (reaped when a
// new lookup starts, on the I/O thread, which must never wait for a `done`
// whose captures may end the loop). Lookups still waiting on the system
// resolver are left alone.
enum class Stage { Delivered, Finished };
void join_lookups(Stage stage);

} // namespace polyws
