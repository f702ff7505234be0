// Private to sim/crypto: the OpenSSL objects behind PublicKey/PrivateKey/Certificate/Crl.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "nsslab/crypto/key.hpp"

namespace nsslab::crypto {

// The key family of `pkey` (EVP_PKEY_is_a by name; key.cpp).
KeyAlgorithm algorithm_of_native(EVP_PKEY const* pkey);

struct PkeyHolder {
    EVP_PKEY* pkey{nullptr};
    LibContext* ctx{nullptr};
    // Computed once: EVP_PKEY_is_a compares names, and signing asks for it on every request.
    KeyAlgorithm algorithm{KeyAlgorithm::other};
    PkeyHolder(EVP_PKEY* p, LibContext* c) : pkey(p), ctx(c), algorithm(algorithm_of_native(p)) {}
    ~PkeyHolder() { EVP_PKEY_free(pkey); }
    PkeyHolder(PkeyHolder const&) = delete;
    PkeyHolder& operator=(PkeyHolder const&) = delete;
};

struct PublicKey::Impl : PkeyHolder {
    using PkeyHolder::PkeyHolder;
};
struct PrivateKey::Impl : PkeyHolder {
    using PkeyHolder::PkeyHolder;
};

// Takes ownership of `pkey` (must be non-null).
PublicKey make_public_key(EVP_PKEY* pkey, LibContext* ctx);
PrivateKey make_private_key(EVP_PKEY* pkey, LibContext* ctx);
inline EVP_PKEY* native_pkey(PublicKey const& k) {
    return k.impl() ? k.impl()->pkey : nullptr;
}
inline EVP_PKEY* native_pkey(PrivateKey const& k) {
    return k.impl() ? k.impl()->pkey : nullptr;
}

// Unique-pointer helpers for OpenSSL objects.
struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace nsslab::crypto
