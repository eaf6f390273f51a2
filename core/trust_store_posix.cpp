// trust_store.h on POSIX systems: OpenSSL's own default locations.
#include "trust_store.h"

#include <openssl/ssl.h>

namespace polyws {

void trust_system_roots(SSL_CTX *ctx) { SSL_CTX_set_default_verify_paths(ctx); }

} // namespace polyws
