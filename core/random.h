// Unpredictable bytes for handshake nonces and frame masks (RFC 6455 5.3
// requires masks a server cannot predict).
#pragma once

#include <cstddef>
#include <cstdint>

namespace polyws {

// Fills `out` from OpenSSL's CSPRNG, refilling a per-thread pool so the cost
// of RAND_bytes is paid once per 4 KiB, not once per frame.
void fill_random(uint8_t *out, size_t size);

// Initialises OpenSSL's process-wide state now, which registers its exit
// handler now. An owner that stops its threads from an exit handler of its
// own must call this before registering that handler: handlers run in
// reverse order, and OpenSSL's, run first, would leave a thread still
// running without its per-thread state ever being freed (a leak report).
// Returns false when OpenSSL cannot be initialised.
bool init_crypto_library();

} // namespace polyws
