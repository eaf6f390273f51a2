// Unpredictable bytes for handshake nonces and frame masks (RFC 6455 5.3
// requires masks a server cannot predict).
#pragma once

#include <cstddef>
#include <cstdint>

namespace polyws {

// Fills `out` from OpenSSL's CSPRNG, refilling a per-thread pool so the cost
// of RAND_bytes is paid once per 4 KiB, not once per frame.
void fill_random(uint8_t *out, size_t size);

} // namespace polyws
