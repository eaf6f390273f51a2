// A short spin before a waiting thread sleeps, kept up only while it pays.
#pragma once

#include <chrono>
#include <cstdlib>

namespace polyws {

// Why spin: in a request/response exchange the answer often comes back
// within tens of microseconds. A thread that sleeps in poll() for it pays a
// context switch to sleep and a wake-up to run again, which on a virtual
// machine is most of a round trip (docs/performance.md: two thirds of every
// client's time is in the kernel). So a thread about to wait in
// ws_loop_dispatch() or ws_loop_next_event() first polls without waiting for
// up to the budget, and sleeps only if nothing came.
//
// Why adaptive: the spin pays only while the other side runs on another core
// and answers quickly. When it does not (both ends on one core, a server that
// speaks once a second), every spin that finds nothing makes the next ones
// rarer: after n misses in a row the next 2^n - 1 waits sleep at once (at
// most 255), so a quiet connection costs one budget per 256 waits. A spin
// that finds something starts over.
class SpinPolicy {
public:
    static constexpr long kDefaultMicroseconds = 50;   // as Linux's busy_poll advice for a few sockets
    static constexpr long kMostMicroseconds = 1000;    // never longer than the shortest timeout, 1 ms
    static constexpr int kMostMissesCounted = 8;       // 255 waits skipped at most

    explicit SpinPolicy(std::chrono::microseconds budget) : budget_(budget) {}

    std::chrono::microseconds budget() const { return budget_; }

    // Whether this wait spins first; a wait that does not counts towards the
    // next try.
    bool should_spin() {
        if (budget_.count() <= 0) return false;
        if (skip_ > 0) {
            --skip_;
            return false;
        }
        return true;
    }
    // The spin ended with something to do.
    void found() { misses_ = 0; }
    // The budget ran out with nothing to do.
    void missed() {
        if (misses_ < kMostMissesCounted) ++misses_;
        skip_ = (1 << misses_) - 1;
    }

    // The budget POLYWS_SPIN_US asks for (`value`, the variable's text or
    // null): a whole number of microseconds, 0 to turn spinning off, capped
    // at kMostMicroseconds; unset, empty or not a number gives the default.
    // Read where a loop is created, like libuv's UV_THREADPOOL_SIZE: a knob
    // for whoever runs the program, no API for it in every binding.
    static std::chrono::microseconds budget_from(const char *value) {
        if (!value || !*value) return std::chrono::microseconds(kDefaultMicroseconds);
        char *end = nullptr;
        long us = std::strtol(value, &end, 10);
        if (*end != '\0' || us < 0) return std::chrono::microseconds(kDefaultMicroseconds);
        return std::chrono::microseconds(us < kMostMicroseconds ? us : kMostMicroseconds);
    }

private:
    std::chrono::microseconds budget_;
    int skip_ = 0;     // waits left that sleep at once
    int misses_ = 0;   // spins in a row that found nothing
};

} // namespace polyws
