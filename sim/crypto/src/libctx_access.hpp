// PRIVATE to sim/crypto and sim/tls: maps an nsslab LibContext (openssl_context.hpp) to the
// OSSL_LIB_CTX it owns. nullptr (no context) maps to nullptr, which OpenSSL reads as its
// default library context.
//
// Not on any public include path: nsslab_crypto's own sources include it directly and
// nsslab_tls adds sim/crypto/src as a PRIVATE include directory (sim/tls/CMakeLists.txt).
// Other layers must not include it; they call crypto/tls APIs that take a LibContext&.
#pragma once

#include <openssl/types.h>

namespace nsslab::crypto {

class LibContext;

// Defined in openssl_context.cpp.
OSSL_LIB_CTX* native_context(LibContext* ctx);

inline OSSL_LIB_CTX* native_context(LibContext& ctx) {
    return native_context(&ctx);
}

}  // namespace nsslab::crypto
