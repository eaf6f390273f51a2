#include "random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <cstring>

namespace polyws {

void fill_random(uint8_t *out, size_t size) {
    thread_local uint8_t pool[4096];
    thread_local size_t available = 0;
    while (size > 0) {
        if (available == 0) {
            // RAND_bytes only fails when the OS entropy source is broken;
            // continuing with predictable masks would be a security bug.
            if (RAND_bytes(pool, sizeof pool) != 1) std::abort();
            available = sizeof pool;
        }
        size_t n = size < available ? size : available;
        std::memcpy(out, pool + sizeof pool - available, n);
        std::memset(pool + sizeof pool - available, 0, n);
        available -= n;
        out += n;
        size -= n;
    }
}

bool init_crypto_library() { return OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, nullptr) == 1; }

} // namespace polyws
