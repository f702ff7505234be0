#include "nsslab/crypto/key.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <memory>

#include "key_impl.hpp"
#include "libctx_access.hpp"
#include "nsslab/crypto/openssl_error.hpp"

namespace nsslab::crypto {

namespace {

struct KeyTypeName {
    KeyType type;
    std::string_view name;
};
constexpr std::array<KeyTypeName, 7> key_type_names{{
    {KeyType::rsa_2048, "RSA-2048"},
    {KeyType::rsa_3072, "RSA-3072"},
    {KeyType::rsa_4096, "RSA-4096"},
    {KeyType::ec_p256, "ECDSA-P256"},
    {KeyType::ec_p384, "ECDSA-P384"},
    {KeyType::ec_p521, "ECDSA-P521"},
    {KeyType::ed25519, "Ed25519"},
}};

using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr mem_bio(std::string_view text) {
    return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string bio_string(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(len));
}

KeyAlgorithm algorithm_of(EVP_PKEY const* pkey) {
    if (pkey == nullptr)
        return KeyAlgorithm::other;
    if (EVP_PKEY_is_a(pkey, "RSA"))
        return KeyAlgorithm::rsa;
    if (EVP_PKEY_is_a(pkey, "EC"))
        return KeyAlgorithm::ec;
    if (EVP_PKEY_is_a(pkey, "ED25519"))
        return KeyAlgorithm::ed25519;
    return KeyAlgorithm::other;
}

std::optional<KeyType> key_type_of(EVP_PKEY const* pkey) {
    int const bits = pkey ? EVP_PKEY_get_bits(pkey) : 0;
    switch (algorithm_of(pkey)) {
        case KeyAlgorithm::rsa:
            if (bits == 2048)
                return KeyType::rsa_2048;
            if (bits == 3072)
                return KeyType::rsa_3072;
            if (bits == 4096)
                return KeyType::rsa_4096;
            return std::nullopt;
        case KeyAlgorithm::ec: {
            char group[64] = {};
            std::size_t len = 0;
            if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                               sizeof group, &len) != 1)
                return std::nullopt;
            std::string_view const g(group, len);
            if (g == "prime256v1" || g == "P-256")
                return KeyType::ec_p256;
            if (g == "secp384r1" || g == "P-384")
                return KeyType::ec_p384;
            if (g == "secp521r1" || g == "P-521")
                return KeyType::ec_p521;
            return std::nullopt;
        }
        case KeyAlgorithm::ed25519:
            return KeyType::ed25519;
        case KeyAlgorithm::other:
            break;
    }
    return std::nullopt;
}

std::string describe(EVP_PKEY const* pkey) {
    if (pkey == nullptr)
        return "(no key)";
    if (auto t = key_type_of(pkey))
        return std::string(to_string(*t));
    return std::string(to_string(algorithm_of(pkey))) + "-" +
           std::to_string(EVP_PKEY_get_bits(pkey));
}

}  // namespace

std::string_view to_string(KeyType type) {
    for (auto const& e : key_type_names)
        if (e.type == type)
            return e.name;
    return "?";
}

std::optional<KeyType> key_type_from_string(std::string_view name) {
    for (auto const& e : key_type_names)
        if (e.name == name)
            return e.type;
    return std::nullopt;
}

std::string_view to_string(KeyAlgorithm algorithm) {
    switch (algorithm) {
        case KeyAlgorithm::rsa:
            return "RSA";
        case KeyAlgorithm::ec:
            return "EC";
        case KeyAlgorithm::ed25519:
            return "ED25519";
        case KeyAlgorithm::other:
            break;
    }
    return "other";
}

KeyAlgorithm algorithm_of_native(EVP_PKEY const* pkey) {
    return algorithm_of(pkey);
}

PublicKey make_public_key(EVP_PKEY* pkey, LibContext* ctx) {
    NSSLAB_ASSERT(pkey != nullptr, "make_public_key: null key");
    return PublicKey(std::make_shared<PublicKey::Impl const>(pkey, ctx));
}
PrivateKey make_private_key(EVP_PKEY* pkey, LibContext* ctx) {
    NSSLAB_ASSERT(pkey != nullptr, "make_private_key: null key");
    return PrivateKey(std::make_shared<PrivateKey::Impl const>(pkey, ctx));
}

// ---- PublicKey ---------------------------------------------------------------------------

PublicKey::PublicKey() = default;
PublicKey::~PublicKey() = default;
PublicKey::PublicKey(PublicKey const&) = default;
PublicKey& PublicKey::operator=(PublicKey const&) = default;
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::PublicKey(std::shared_ptr<Impl const> impl) : impl_(std::move(impl)) {}

Result<PublicKey> PublicKey::load_pem(LibContext* ctx, std::string_view pem) {
    auto bio = mem_bio(pem);
    EVP_PKEY* pkey =
        PEM_read_bio_PUBKEY_ex(bio.get(), nullptr, nullptr, nullptr, native_context(ctx), nullptr);
    if (pkey == nullptr)
        return openssl_failure("PublicKey::load_pem: no PUBLIC KEY");
    return make_public_key(pkey, ctx);
}

Result<PublicKey> PublicKey::load_der(LibContext* ctx, ByteView der) {
    unsigned char const* p = der.data();
    EVP_PKEY* pkey =
        d2i_PUBKEY_ex(nullptr, &p, static_cast<long>(der.size()), native_context(ctx), nullptr);
    if (pkey == nullptr)
        return openssl_failure("PublicKey::load_der: bad SubjectPublicKeyInfo");
    if (p != der.data() + der.size()) {
        EVP_PKEY_free(pkey);
        return fail(Errc::decode_error, "PublicKey::load_der: trailing octets after SPKI");
    }
    return make_public_key(pkey, ctx);
}

KeyAlgorithm PublicKey::algorithm() const {
    return impl_ ? impl_->algorithm : KeyAlgorithm::other;
}
int PublicKey::bits() const {
    return impl_ ? EVP_PKEY_get_bits(impl_->pkey) : 0;
}
std::optional<KeyType> PublicKey::key_type() const {
    return key_type_of(native_pkey(*this));
}
std::string PublicKey::description() const {
    return describe(native_pkey(*this));
}

Result<std::string> PublicKey::to_pem() const {
    if (!impl_)
        return fail(Errc::invalid_argument, "PublicKey::to_pem: empty key");
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->pkey) != 1)
        return openssl_failure("PublicKey::to_pem");
    return bio_string(bio.get());
}

Result<Bytes> PublicKey::to_der() const {
    if (!impl_)
        return fail(Errc::invalid_argument, "PublicKey::to_der: empty key");
    unsigned char* der = nullptr;
    int const len = i2d_PUBKEY(impl_->pkey, &der);
    if (len <= 0)
        return openssl_failure("PublicKey::to_der");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

bool PublicKey::equals(PublicKey const& other) const {
    if (!impl_ || !other.impl_)
        return false;
    return EVP_PKEY_eq(impl_->pkey, other.impl_->pkey) == 1;
}

// ---- PrivateKey --------------------------------------------------------------------------

PrivateKey::PrivateKey() = default;
PrivateKey::~PrivateKey() = default;
PrivateKey::PrivateKey(PrivateKey const&) = default;
PrivateKey& PrivateKey::operator=(PrivateKey const&) = default;
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::PrivateKey(std::shared_ptr<Impl const> impl) : impl_(std::move(impl)) {}

Result<PrivateKey> PrivateKey::generate(LibContext* ctx, KeyType type) {
    OSSL_LIB_CTX* const lib = native_context(ctx);
    EVP_PKEY* pkey = nullptr;
    switch (type) {
        case KeyType::rsa_2048:
            pkey = EVP_PKEY_Q_keygen(lib, nullptr, "RSA", std::size_t{2048});
            break;
        case KeyType::rsa_3072:
            pkey = EVP_PKEY_Q_keygen(lib, nullptr, "RSA", std::size_t{3072});
            break;
        case KeyType::rsa_4096:
            pkey = EVP_PKEY_Q_keygen(lib, nullptr, "RSA", std::size_t{4096});
            break;
        case KeyType::ec_p256:
            pkey = EVP_PKEY_Q_keygen(lib, nullptr, "EC", "P-256");
            break;
        case KeyType::ec_p384:
            pkey = EVP_PKEY_Q_keygen(lib, nullptr, "EC", "P-384");
            break;
        case KeyType::ec_p521:
            pkey = EVP_PKEY_Q_keygen(lib, nullptr, "EC", "P-521");
            break;
        case KeyType::ed25519:
            pkey = EVP_PKEY_Q_keygen(lib, nullptr, "ED25519");
            break;
    }
    if (pkey == nullptr)
        return openssl_failure("PrivateKey::generate " + std::string(to_string(type)));
    return make_private_key(pkey, ctx);
}

Result<PrivateKey> PrivateKey::load_pem(LibContext* ctx, std::string_view pem) {
    auto bio = mem_bio(pem);
    // A null password callback with no user data would prompt on a terminal for encrypted keys;
    // pass an empty passphrase instead so an encrypted key simply fails to load.
    char empty[] = "";
    EVP_PKEY* pkey = PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, nullptr, empty,
                                                native_context(ctx), nullptr);
    // Never include OpenSSL's error detail verbatim here: it can not contain key bytes, but
    // keep the message short and fixed anyway.
    if (pkey == nullptr) {
        ERR_clear_error();
        return fail(Errc::crypto_error, "PrivateKey::load_pem: no unencrypted private key found");
    }
    return make_private_key(pkey, ctx);
}

Result<PrivateKey> PrivateKey::from_ed25519_seed(LibContext* ctx, ByteView seed) {
    if (seed.size() != 32)
        return fail(Errc::invalid_argument,
                    "PrivateKey::from_ed25519_seed: seed must be 32 octets");
    EVP_PKEY* pkey = EVP_PKEY_new_raw_private_key_ex(native_context(ctx), "ED25519", nullptr,
                                                     seed.data(), seed.size());
    if (pkey == nullptr)
        return openssl_failure("PrivateKey::from_ed25519_seed");
    return make_private_key(pkey, ctx);
}

KeyAlgorithm PrivateKey::algorithm() const {
    return impl_ ? impl_->algorithm : KeyAlgorithm::other;
}
int PrivateKey::bits() const {
    return impl_ ? EVP_PKEY_get_bits(impl_->pkey) : 0;
}
std::optional<KeyType> PrivateKey::key_type() const {
    return key_type_of(native_pkey(*this));
}
std::string PrivateKey::algorithm_name() const {
    return describe(native_pkey(*this));
}
LibContext* PrivateKey::context() const {
    return impl_ ? impl_->ctx : nullptr;
}

PublicKey PrivateKey::public_key() const {
    if (!impl_)
        return PublicKey{};
    // Round-trip through SubjectPublicKeyInfo so the public key holds no private material.
    unsigned char* der = nullptr;
    int const len = i2d_PUBKEY(impl_->pkey, &der);
    NSSLAB_ASSERT(len > 0, "PrivateKey::public_key: i2d_PUBKEY failed");
    unsigned char const* p = der;
    EVP_PKEY* pub = d2i_PUBKEY_ex(nullptr, &p, len, native_context(impl_->ctx), nullptr);
    OPENSSL_free(der);
    NSSLAB_ASSERT(pub != nullptr, "PrivateKey::public_key: d2i_PUBKEY failed");
    return make_public_key(pub, impl_->ctx);
}

Result<std::string> PrivateKey::export_private_pem_unsafe() const {
    if (!impl_)
        return fail(Errc::invalid_argument, "PrivateKey::export: empty key");
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), impl_->pkey, nullptr, nullptr, 0, nullptr,
                                              nullptr) != 1)
        return openssl_failure("PrivateKey::export_private_pem_unsafe");
    return bio_string(bio.get());
}

}  // namespace nsslab::crypto
