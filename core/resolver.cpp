#include "resolver.h"

#include "net_api.h"
#include "platform.h"

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
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

// Every lookup thread, joined once it has delivered its result.
//
// Why not detached: no thread of the library should still run when the
// host, done with its last loop, ends its process. On Windows ExitProcess
// terminates the other threads wherever they are and then runs the DLLs'
// detach code (C library and OpenSSL clean-up, static destructors), which
// waits forever for any lock a terminated thread held. A lookup thread that
// has just handed its addresses over is such a thread: it still frees its
// strings and its callback (whose captures may hold the last reference to a
// socket), returns its Winsock reference and runs winpthreads' thread exit,
// while the host, already told "open" and "close", may return from main.
//
// So a loop that shuts down joins the lookups that have delivered (what is
// left of them is short and bounded); a lookup still waiting on the system
// resolver is never waited for, so a slow name server cannot hold up
// ws_loop_free.
struct LookupThread {
    std::thread thread;
    std::atomic<bool> delivered{false};   // `done` is being or was called
    std::atomic<bool> finished{false};    // nothing of ours left to run
};

std::mutex lookups_mutex;
// Never destroyed: a static list of joinable threads destroyed at exit
// would call std::terminate.
std::list<std::unique_ptr<LookupThread>> &lookups() {
    static auto *list = new std::list<std::unique_ptr<LookupThread>>();
    return *list;
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
    join_lookups(Stage::Finished);
    auto record = std::make_unique<LookupThread>();
    LookupThread *self = record.get();
    std::lock_guard<std::mutex> lock(lookups_mutex);
    self->thread = std::thread([self, name = host, done = std::move(done)]() mutable {
        {
            NetworkUse network;   // the lookup may outlive every loop
            std::vector<std::string> addresses;
            std::string error;
            lookup(name, false, addresses, error);
            // From here on the thread only winds down: joining it is quick.
            self->delivered.store(true);
            ResolveDone deliver = std::move(done);
            std::string().swap(name);
            deliver(std::move(addresses), std::move(error));
        }
        self->finished.store(true);
    });
    lookups().push_back(std::move(record));
}

void join_lookups(Stage stage) {
    std::list<std::unique_ptr<LookupThread>> finishing;
    {
        std::lock_guard<std::mutex> lock(lookups_mutex);
        auto &all = lookups();
        for (auto it = all.begin(); it != all.end();) {
            auto next = std::next(it);
            // Never itself: the last reference to a loop may be dropped on
            // a lookup thread.
            bool past = stage == Stage::Finished ? (*it)->finished.load() : (*it)->delivered.load();
            if (past && (*it)->thread.get_id() != std::this_thread::get_id())
                finishing.splice(finishing.end(), all, it);
            it = next;
        }
    }
    for (auto &record : finishing) record->thread.join();
}

} // namespace polyws
