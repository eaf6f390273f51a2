// Helpers shared by the fuzz targets: a cursor over the fuzzer's bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace fuzz {

// Takes bytes off the front of the input; past the end it yields zeros.
class Input {
public:
    Input(const uint8_t *data, size_t size) : p_(data), n_(size) {}
    uint8_t byte() {
        if (!n_) return 0;
        --n_;
        return *p_++;
    }
    // Up to `max` bytes, as many as remain.
    std::string bytes(size_t max) {
        size_t k = max < n_ ? max : n_;
        std::string s(reinterpret_cast<const char *>(p_), k);
        p_ += k;
        n_ -= k;
        return s;
    }
    std::string rest() { return bytes(n_); }
    // Bytes up to (not including) the next `sep`, which is consumed.
    std::string until(char sep) {
        size_t k = 0;
        while (k < n_ && p_[k] != uint8_t(sep)) ++k;
        std::string s(reinterpret_cast<const char *>(p_), k);
        p_ += k;
        n_ -= k;
        if (n_) { ++p_; --n_; }
        return s;
    }
    size_t left() const { return n_; }
    const uint8_t *data() const { return p_; }

private:
    const uint8_t *p_;
    size_t n_;
};

} // namespace fuzz

// A check that holds for every input; a failure is a crash libFuzzer keeps.
#define FUZZ_ASSERT(cond)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            std::fprintf(stderr, "FUZZ_ASSERT failed: %s (%s:%d)\n", #cond,    \
                         __FILE__, __LINE__);                                  \
            __builtin_trap();                                                  \
        }                                                                      \
    } while (0)
