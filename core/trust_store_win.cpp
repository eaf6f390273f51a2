// trust_store.h on Windows. OpenSSL's default paths point into a folder
// that no Windows system fills, so the roots come from where Windows keeps
// them: the ROOT system store (local machine and current user, as
// CertOpenSystemStore merges them), each certificate DER-decoded into the
// context's X509_STORE. Certificates Windows marks as not trusted for
// anything are left out only by their absence from ROOT: the Disallowed
// store is not consulted (OpenSSL has no use for a deny list).
#include "trust_store.h"

#include <windows.h>
#include <wincrypt.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdlib>

namespace polyws {

void trust_system_roots(SSL_CTX *ctx) {
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    HCERTSTORE system = CertOpenSystemStoreW(0, L"ROOT");
    if (system) {
        PCCERT_CONTEXT cert = nullptr;
        while ((cert = CertEnumCertificatesInStore(system, cert)) != nullptr) {
            if (!(cert->dwCertEncodingType & X509_ASN_ENCODING)) continue;
            const unsigned char *der = cert->pbCertEncoded;
            X509 *x = d2i_X509(nullptr, &der, long(cert->cbCertEncoded));
            if (!x) continue;   // a certificate OpenSSL cannot parse is skipped
            X509_STORE_add_cert(store, x);   // duplicates are refused harmlessly
            X509_free(x);
        }
        CertCloseStore(system, 0);
    }
    // The OpenSSL variables still work, as on the other systems.
    if (std::getenv("SSL_CERT_FILE") || std::getenv("SSL_CERT_DIR"))
        SSL_CTX_set_default_verify_paths(ctx);
    ERR_clear_error();
}

} // namespace polyws
