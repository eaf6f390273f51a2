// platform.h on POSIX systems.
#include "platform.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <new>

namespace polyws {

NetworkUse::NetworkUse() = default;
NetworkUse::~NetworkUse() = default;

static_assert(sizeof(struct sigaction) <= 256, "HostSignalsKept::saved_ is too small");

HostSignalsKept::HostSignalsKept() {
    auto *previous = new (saved_) struct sigaction;
    sigaction(SIGPIPE, nullptr, previous);
}

HostSignalsKept::~HostSignalsKept() {
    auto *previous = reinterpret_cast<struct sigaction *>(saved_);
    sigaction(SIGPIPE, previous, nullptr);
}

bool process_is_terminating() { return false; }

void keep_library_loaded() {}

bool peer_ended_stream(std::uintptr_t) { return false; }

void prepare_openssl() {}

bool read_file_utf8(const std::string &path, std::string &contents, std::string &error) {
    FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) {
        error = std::strerror(errno);
        return false;
    }
    contents.clear();
    char buf[16384];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) contents.append(buf, n);
    bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) {
        error = "read error";
        return false;
    }
    return true;
}

} // namespace polyws
