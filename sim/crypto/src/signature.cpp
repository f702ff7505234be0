#include "nsslab/crypto/signature.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <array>
#include <memory>

#include "key_impl.hpp"
#include "libctx_access.hpp"
#include "nsslab/crypto/openssl_error.hpp"

namespace nsslab::crypto {

namespace {

struct SchemeInfo {
    SignatureScheme scheme;
    std::string_view name;
    KeyAlgorithm algorithm;
    char const* digest;  // nullptr for Ed25519
    bool pss;
};

constexpr std::array<SchemeInfo, 10> schemes{{
    {SignatureScheme::rsa_pkcs1_sha256, "rsa_pkcs1_sha256", KeyAlgorithm::rsa, "SHA256", false},
    {SignatureScheme::rsa_pkcs1_sha384, "rsa_pkcs1_sha384", KeyAlgorithm::rsa, "SHA384", false},
    {SignatureScheme::rsa_pkcs1_sha512, "rsa_pkcs1_sha512", KeyAlgorithm::rsa, "SHA512", false},
    {SignatureScheme::rsa_pss_sha256, "rsa_pss_sha256", KeyAlgorithm::rsa, "SHA256", true},
    {SignatureScheme::rsa_pss_sha384, "rsa_pss_sha384", KeyAlgorithm::rsa, "SHA384", true},
    {SignatureScheme::rsa_pss_sha512, "rsa_pss_sha512", KeyAlgorithm::rsa, "SHA512", true},
    {SignatureScheme::ecdsa_sha256, "ecdsa_sha256", KeyAlgorithm::ec, "SHA256", false},
    {SignatureScheme::ecdsa_sha384, "ecdsa_sha384", KeyAlgorithm::ec, "SHA384", false},
    {SignatureScheme::ecdsa_sha512, "ecdsa_sha512", KeyAlgorithm::ec, "SHA512", false},
    {SignatureScheme::ed25519, "ed25519", KeyAlgorithm::ed25519, nullptr, false},
}};

SchemeInfo const& info(SignatureScheme s) {
    for (auto const& e : schemes)
        if (e.scheme == s)
            return e;
    NSSLAB_ASSERT(false, "unknown SignatureScheme");
    return schemes[0];
}

using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

Result<void> check_fit(SchemeInfo const& si, KeyAlgorithm have, char const* where) {
    if (have != si.algorithm)
        return fail(Errc::invalid_argument, std::string(where) + ": scheme " +
                                                std::string(si.name) + " needs a " +
                                                std::string(to_string(si.algorithm)) +
                                                " key, got " + std::string(to_string(have)));
    return {};
}

Result<void> set_pss(EVP_PKEY_CTX* pctx, char const* where) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0)
        return openssl_failure(where);
    return {};
}

}  // namespace

std::string_view to_string(SignatureScheme scheme) {
    return info(scheme).name;
}

std::optional<SignatureScheme> signature_scheme_from_string(std::string_view name) {
    for (auto const& e : schemes)
        if (e.name == name)
            return e.scheme;
    return std::nullopt;
}

KeyAlgorithm key_algorithm_for(SignatureScheme scheme) {
    return info(scheme).algorithm;
}

std::optional<SignatureScheme> default_scheme_for(PublicKey const& key) {
    auto const t = key.key_type();
    switch (key.algorithm()) {
        case KeyAlgorithm::rsa:
            return SignatureScheme::rsa_pkcs1_sha256;
        case KeyAlgorithm::ec:
            if (t == KeyType::ec_p384)
                return SignatureScheme::ecdsa_sha384;
            if (t == KeyType::ec_p521)
                return SignatureScheme::ecdsa_sha512;
            return SignatureScheme::ecdsa_sha256;
        case KeyAlgorithm::ed25519:
            return SignatureScheme::ed25519;
        case KeyAlgorithm::other:
            break;
    }
    return std::nullopt;
}

Result<Bytes> sign(PrivateKey const& key, SignatureScheme scheme, ByteView message) {
    auto const& si = info(scheme);
    EVP_PKEY* const pkey = native_pkey(key);
    if (pkey == nullptr)
        return fail(Errc::invalid_argument, "sign: empty key");
    if (auto r = check_fit(si, key.algorithm(), "sign"); !r)
        return r.error();
    MdCtxPtr md(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by md
    if (!md || EVP_DigestSignInit_ex(md.get(), &pctx, si.digest, native_context(key.context()),
                                     nullptr, pkey, nullptr) != 1)
        return openssl_failure("sign: init " + std::string(si.name));
    if (si.pss)
        if (auto r = set_pss(pctx, "sign: PSS parameters"); !r)
            return r.error();
    int const max_size = EVP_PKEY_get_size(pkey);  // an upper bound for every scheme here
    if (max_size <= 0)
        return openssl_failure("sign: size");
    Bytes sig(static_cast<std::size_t>(max_size));
    std::size_t len = sig.size();
    if (EVP_DigestSign(md.get(), sig.data(), &len, message.data(), message.size()) != 1)
        return openssl_failure("sign: " + std::string(si.name));
    sig.resize(len);
    return sig;
}

Result<void> verify(PublicKey const& key, SignatureScheme scheme, ByteView message,
                    ByteView signature) {
    auto const& si = info(scheme);
    EVP_PKEY* const pkey = native_pkey(key);
    if (pkey == nullptr)
        return fail(Errc::invalid_argument, "verify: empty key");
    if (auto r = check_fit(si, key.algorithm(), "verify"); !r)
        return r.error();
    MdCtxPtr md(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    LibContext* const ctx = key.impl()->ctx;
    if (!md || EVP_DigestVerifyInit_ex(md.get(), &pctx, si.digest, native_context(ctx), nullptr,
                                       pkey, nullptr) != 1)
        return openssl_failure("verify: init " + std::string(si.name));
    if (si.pss)
        if (auto r = set_pss(pctx, "verify: PSS parameters"); !r)
            return r.error();
    int const rc = EVP_DigestVerify(md.get(), signature.data(), signature.size(), message.data(),
                                    message.size());
    if (rc == 1)
        return {};
    ERR_clear_error();
    return fail(Errc::auth_failed, "verify: " + std::string(si.name) +
                                       " signature does not verify with " + key.description() +
                                       " key");
}

Result<void> verify(Certificate const& certificate, SignatureScheme scheme, ByteView message,
                    ByteView signature) {
    if (!certificate.valid())
        return fail(Errc::invalid_argument, "verify: empty certificate");
    return verify(certificate.public_key(), scheme, message, signature);
}

}  // namespace nsslab::crypto
