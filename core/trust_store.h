// The system's trusted root certificates, for verification by default.
#pragma once

#include <string>

typedef struct ssl_ctx_st SSL_CTX;

namespace polyws {

// Makes `ctx` trust what the system trusts. POSIX (trust_store_posix.cpp):
// OpenSSL's default paths, which SSL_CERT_FILE / SSL_CERT_DIR override.
// Windows (trust_store_win.cpp): the certificates of the system ROOT store,
// read through CryptoAPI, plus SSL_CERT_FILE / SSL_CERT_DIR when set.
// Never fails: a store that cannot be read leaves nothing trusted, and
// verification then fails with a readable reason.
void trust_system_roots(SSL_CTX *ctx);

} // namespace polyws
