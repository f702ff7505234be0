#include "nsslab/crypto/sign_baseline.hpp"

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

#include "key_impl.hpp"
#include "libctx_access.hpp"
#include "nsslab/crypto/openssl_error.hpp"

namespace nsslab::crypto {

namespace {

char const* digest_name(SignatureScheme scheme) {
    switch (scheme) {
        case SignatureScheme::rsa_pkcs1_sha256:
        case SignatureScheme::rsa_pss_sha256:
        case SignatureScheme::ecdsa_sha256:
            return "SHA256";
        case SignatureScheme::rsa_pkcs1_sha384:
        case SignatureScheme::rsa_pss_sha384:
        case SignatureScheme::ecdsa_sha384:
            return "SHA384";
        case SignatureScheme::rsa_pkcs1_sha512:
        case SignatureScheme::rsa_pss_sha512:
        case SignatureScheme::ecdsa_sha512:
            return "SHA512";
        case SignatureScheme::ed25519:
            return nullptr;
    }
    return nullptr;
}

bool is_pss(SignatureScheme scheme) {
    return scheme == SignatureScheme::rsa_pss_sha256 || scheme == SignatureScheme::rsa_pss_sha384 ||
           scheme == SignatureScheme::rsa_pss_sha512;
}

}  // namespace

Result<Bytes> sign_repeatedly(PrivateKey const& key, SignatureScheme scheme, ByteView message,
                              std::size_t count) {
    EVP_PKEY* const pkey = native_pkey(key);
    if (pkey == nullptr || count == 0)
        return fail(Errc::invalid_argument, "sign_repeatedly: empty key or count 0");
    if (key.algorithm() != key_algorithm_for(scheme))
        return fail(Errc::invalid_argument, "sign_repeatedly: scheme " +
                                                std::string(to_string(scheme)) + " needs a " +
                                                std::string(to_string(key_algorithm_for(scheme))) +
                                                " key, got " + key.algorithm_name());
    OSSL_LIB_CTX* const libctx = native_context(key.context());
    char const* const digest = digest_name(scheme);
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx)
        return openssl_failure("sign_repeatedly: EVP_MD_CTX_new");
    Bytes sig(static_cast<std::size_t>(EVP_PKEY_get_size(pkey)));
    std::size_t len = 0;
    for (std::size_t i = 0; i < count; ++i) {
        EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
        if (EVP_DigestSignInit_ex(ctx.get(), &pctx, digest, libctx, nullptr, pkey, nullptr) != 1)
            return openssl_failure("sign_repeatedly: init");
        if (is_pss(scheme) && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
                               EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0))
            return openssl_failure("sign_repeatedly: PSS parameters");
        len = sig.size();
        if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1)
            return openssl_failure("sign_repeatedly: sign");
    }
    sig.resize(len);
    return sig;
}

}  // namespace nsslab::crypto
