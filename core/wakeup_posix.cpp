// wakeup.h on Linux: an eventfd counter, readable while non-zero.
#include "wakeup.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace polyws {

Wakeup::~Wakeup() {
    if (read_end_ >= 0) ::close(int(read_end_));
}

bool Wakeup::open(std::string &error) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) {
        error = std::string("eventfd failed: ") + std::strerror(errno);
        return false;
    }
    read_end_ = fd;
    return true;
}

void Wakeup::raise() {
    uint64_t one = 1;
    ssize_t written = ::write(int(read_end_), &one, sizeof one);
    (void)written;
}

void Wakeup::lower() {
    uint64_t value;
    ssize_t n = ::read(int(read_end_), &value, sizeof value);
    (void)n;
}

} // namespace polyws
