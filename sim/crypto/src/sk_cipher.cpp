// SK payload protection over OpenSSL 3 EVP_CIPHER (AES-CBC without padding, AES-GCM) and
// EVP_MAC (HMAC), both fetched once per SkCipher from the default library context (they draw
// no randomness; the IV comes from the caller's LibContext).
#include "nsslab/crypto/sk_cipher.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <string>

#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/crypto/openssl_error.hpp"

namespace nsslab::crypto {

namespace {

constexpr std::size_t gcm_salt_size = 4;
constexpr std::size_t gcm_icv_size = 16;

struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct MacCtxFree {
    void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

char const* cipher_name(EncryptionAlgorithm algorithm) {
    switch (algorithm) {
        case EncryptionAlgorithm::aes_cbc_128:
            return "AES-128-CBC";
        case EncryptionAlgorithm::aes_cbc_256:
            return "AES-256-CBC";
        case EncryptionAlgorithm::aes_gcm_16_128:
            return "AES-128-GCM";
        case EncryptionAlgorithm::aes_gcm_16_256:
            return "AES-256-GCM";
    }
    NSSLAB_ASSERT(false, "unknown EncryptionAlgorithm");
    return "";
}

char const* digest_name(IntegrityAlgorithm algorithm) {
    switch (algorithm) {
        case IntegrityAlgorithm::hmac_sha2_256_128:
            return "SHA256";
        case IntegrityAlgorithm::hmac_sha2_384_192:
            return "SHA384";
        case IntegrityAlgorithm::hmac_sha2_512_256:
            return "SHA512";
        case IntegrityAlgorithm::none:
            break;
    }
    NSSLAB_ASSERT(false, "no digest for integrity NONE");
    return "";
}

int as_int(std::size_t n) {
    NSSLAB_ASSERT(n <= 0x7fffffff, "length exceeds int");
    return static_cast<int>(n);
}

}  // namespace

struct SkCipher::Impl {
    EVP_CIPHER* cipher{nullptr};
    EVP_MAC* mac{nullptr};  // CBC only
    Bytes key;              // AES key (without the GCM salt)
    std::array<std::uint8_t, gcm_salt_size> salt{};
    Bytes integrity_key;
    std::string label;  // "AES_CBC_256/HMAC_SHA2_256_128", for messages

    ~Impl() {
        OPENSSL_cleanse(key.data(), key.size());
        OPENSSL_cleanse(integrity_key.data(), integrity_key.size());
        OPENSSL_cleanse(salt.data(), salt.size());
        EVP_MAC_free(mac);
        EVP_CIPHER_free(cipher);
    }

    // RFC 5282 section 4: salt | explicit IV.
    std::array<std::uint8_t, gcm_salt_size + 8> gcm_nonce(ByteView iv) const {
        NSSLAB_ASSERT(iv.size() == 8, "AES-GCM explicit IV is 8 octets");
        std::array<std::uint8_t, gcm_salt_size + 8> nonce{};
        std::copy(salt.begin(), salt.end(), nonce.begin());
        std::copy(iv.begin(), iv.end(), nonce.begin() + gcm_salt_size);
        return nonce;
    }

    // ICV = HMAC(SK_a, aad | iv_and_ciphertext), truncated to icv.size().
    Result<void> hmac_icv(IntegrityAlgorithm integrity, ByteView aad, ByteView covered,
                          std::span<std::uint8_t> icv) const {
        MacCtxPtr ctx(EVP_MAC_CTX_new(mac));
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                             const_cast<char*>(digest_name(integrity)), 0),
            OSSL_PARAM_construct_end(),
        };
        std::array<std::uint8_t, 64> full{};
        std::size_t len = 0;
        if (!ctx ||
            EVP_MAC_init(ctx.get(), integrity_key.data(), integrity_key.size(), params) != 1 ||
            EVP_MAC_update(ctx.get(), aad.data(), aad.size()) != 1 ||
            EVP_MAC_update(ctx.get(), covered.data(), covered.size()) != 1 ||
            EVP_MAC_final(ctx.get(), full.data(), &len, full.size()) != 1 || len < icv.size())
            return openssl_failure(label + ": HMAC");
        std::copy_n(full.begin(), icv.size(), icv.begin());
        return {};
    }
};

SkCipher::SkCipher(EncryptionAlgorithm encryption, IntegrityAlgorithm integrity,
                   std::unique_ptr<Impl> impl)
    : encryption_(encryption), integrity_(integrity), impl_(std::move(impl)) {}
SkCipher::~SkCipher() = default;
SkCipher::SkCipher(SkCipher&&) noexcept = default;
SkCipher& SkCipher::operator=(SkCipher&&) noexcept = default;

Result<SkCipher> SkCipher::create(EncryptionAlgorithm encryption, IntegrityAlgorithm integrity,
                                  ByteView encryption_key, ByteView integrity_key) {
    if (auto pair = check_transform_pair(encryption, integrity); !pair)
        return pair.error();
    std::string const label = std::string(to_string(encryption)) +
                              (is_aead(encryption) ? "" : "/" + std::string(to_string(integrity)));
    if (encryption_key.size() != encryption_keymat_size(encryption))
        return fail(Errc::invalid_argument,
                    label + ": SK_e is " + std::to_string(encryption_key.size()) +
                        " octets, expected " + std::to_string(encryption_keymat_size(encryption)));
    if (integrity_key.size() != integrity_key_size(integrity))
        return fail(Errc::invalid_argument,
                    label + ": SK_a is " + std::to_string(integrity_key.size()) +
                        " octets, expected " + std::to_string(integrity_key_size(integrity)));
    auto impl = std::make_unique<Impl>();
    impl->label = label;
    impl->cipher = EVP_CIPHER_fetch(nullptr, cipher_name(encryption), nullptr);
    if (impl->cipher == nullptr)
        return openssl_failure(label + ": EVP_CIPHER_fetch");
    std::size_t const key_size = key_length_bits(encryption) / 8;
    ByteView const key = encryption_key.first(key_size);
    impl->key.assign(key.begin(), key.end());
    if (is_aead(encryption)) {
        ByteView const salt = encryption_key.subspan(key_size);
        std::copy(salt.begin(), salt.end(), impl->salt.begin());
    } else {
        impl->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        if (impl->mac == nullptr)
            return openssl_failure(label + ": EVP_MAC_fetch");
        impl->integrity_key.assign(integrity_key.begin(), integrity_key.end());
    }
    return SkCipher(encryption, integrity, std::move(impl));
}

std::size_t SkCipher::iv_size() const {
    return crypto::iv_size(encryption_);
}

std::size_t SkCipher::icv_size() const {
    return is_aead(encryption_) ? gcm_icv_size : integrity_icv_size(integrity_);
}

std::size_t SkCipher::body_size(std::size_t inner_size) const {
    std::size_t const block = block_size(encryption_);
    std::size_t const padded = (inner_size + 1 + block - 1) / block * block;  // + Pad Length
    return iv_size() + padded + icv_size();
}

Result<Bytes> SkCipher::protect(LibContext& ctx, ByteView aad, ByteView inner) const {
    Bytes iv(iv_size());
    if (auto r = ctx.random_bytes(iv); !r)
        return r.error();
    return protect_with_iv(iv, aad, inner);
}

Result<Bytes> SkCipher::protect_with_iv(ByteView iv, ByteView aad, ByteView inner) const {
    NSSLAB_ASSERT(impl_ != nullptr, "SkCipher used after move");
    Impl const& im = *impl_;
    if (iv.size() != iv_size())
        return fail(Errc::invalid_argument, im.label + ": IV is " + std::to_string(iv.size()) +
                                                " octets, expected " + std::to_string(iv_size()));
    std::size_t const body = body_size(inner.size());
    std::size_t const plain_size = body - iv_size() - icv_size();
    std::size_t const pad = plain_size - inner.size() - 1;
    NSSLAB_ASSERT(pad <= 255, "padding exceeds the Pad Length field");
    Bytes plain(inner.begin(), inner.end());
    plain.resize(plain_size, 0);  // Padding: zero octets (RFC 7296 3.14: any value)
    plain.back() = static_cast<std::uint8_t>(pad);

    Bytes out(body);
    std::copy(iv.begin(), iv.end(), out.begin());
    std::uint8_t* ct = out.data() + iv_size();
    CipherCtxPtr c(EVP_CIPHER_CTX_new());
    int len = 0;
    int tail = 0;
    if (is_aead(encryption_)) {
        auto const nonce = im.gcm_nonce(iv);
        if (!c ||
            EVP_EncryptInit_ex2(c.get(), im.cipher, im.key.data(), nonce.data(), nullptr) != 1 ||
            (!aad.empty() &&
             EVP_EncryptUpdate(c.get(), nullptr, &len, aad.data(), as_int(aad.size())) != 1) ||
            EVP_EncryptUpdate(c.get(), ct, &len, plain.data(), as_int(plain.size())) != 1 ||
            EVP_EncryptFinal_ex(c.get(), ct + len, &tail) != 1 ||
            static_cast<std::size_t>(len + tail) != plain.size() ||
            EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_GET_TAG, gcm_icv_size, ct + plain.size()) !=
                1)
            return openssl_failure(im.label + ": encrypt");
    } else {
        if (!c || EVP_EncryptInit_ex2(c.get(), im.cipher, im.key.data(), iv.data(), nullptr) != 1 ||
            EVP_CIPHER_CTX_set_padding(c.get(), 0) != 1 ||
            EVP_EncryptUpdate(c.get(), ct, &len, plain.data(), as_int(plain.size())) != 1 ||
            EVP_EncryptFinal_ex(c.get(), ct + len, &tail) != 1 ||
            static_cast<std::size_t>(len + tail) != plain.size())
            return openssl_failure(im.label + ": encrypt");
        auto icv = std::span<std::uint8_t>(out).subspan(body - icv_size());
        auto covered = ByteView(out).first(body - icv_size());
        if (auto r = im.hmac_icv(integrity_, aad, covered, icv); !r)
            return r.error();
    }
    OPENSSL_cleanse(plain.data(), plain.size());
    return out;
}

Result<Bytes> SkCipher::unprotect(ByteView aad, ByteView body) const {
    NSSLAB_ASSERT(impl_ != nullptr, "SkCipher used after move");
    Impl const& im = *impl_;
    std::size_t const block = block_size(encryption_);
    std::size_t const minimum = iv_size() + block + icv_size();
    if (body.size() < minimum)
        return fail(Errc::truncated, im.label + ": SK payload body is " +
                                         std::to_string(body.size()) + " octets, at least " +
                                         std::to_string(minimum) + " needed");
    std::size_t const ct_size = body.size() - iv_size() - icv_size();
    if (ct_size % block != 0)
        return fail(Errc::decode_error, im.label + ": ciphertext of " + std::to_string(ct_size) +
                                            " octets is not a multiple of the " +
                                            std::to_string(block) + "-octet block");
    ByteView const iv = body.first(iv_size());
    ByteView const ct = body.subspan(iv_size(), ct_size);
    ByteView const icv = body.last(icv_size());

    Bytes plain(ct_size);
    CipherCtxPtr c(EVP_CIPHER_CTX_new());
    int len = 0;
    int tail = 0;
    if (is_aead(encryption_)) {
        auto const nonce = im.gcm_nonce(iv);
        std::array<std::uint8_t, gcm_icv_size> tag{};
        std::copy(icv.begin(), icv.end(), tag.begin());
        if (!c ||
            EVP_DecryptInit_ex2(c.get(), im.cipher, im.key.data(), nonce.data(), nullptr) != 1 ||
            (!aad.empty() &&
             EVP_DecryptUpdate(c.get(), nullptr, &len, aad.data(), as_int(aad.size())) != 1) ||
            EVP_DecryptUpdate(c.get(), plain.data(), &len, ct.data(), as_int(ct.size())) != 1 ||
            EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_TAG, gcm_icv_size, tag.data()) != 1)
            return openssl_failure(im.label + ": decrypt");
        if (EVP_DecryptFinal_ex(c.get(), plain.data() + len, &tail) != 1) {
            drain_openssl_errors("");
            OPENSSL_cleanse(plain.data(), plain.size());
            return fail(Errc::auth_failed, im.label + ": ICV mismatch");
        }
    } else {
        std::array<std::uint8_t, 32> expected{};
        auto want = std::span<std::uint8_t>(expected).first(icv_size());
        if (auto r = im.hmac_icv(integrity_, aad, body.first(body.size() - icv_size()), want); !r)
            return r.error();
        if (CRYPTO_memcmp(want.data(), icv.data(), icv_size()) != 0)
            return fail(Errc::auth_failed, im.label + ": ICV mismatch");
        if (!c || EVP_DecryptInit_ex2(c.get(), im.cipher, im.key.data(), iv.data(), nullptr) != 1 ||
            EVP_CIPHER_CTX_set_padding(c.get(), 0) != 1 ||
            EVP_DecryptUpdate(c.get(), plain.data(), &len, ct.data(), as_int(ct.size())) != 1 ||
            EVP_DecryptFinal_ex(c.get(), plain.data() + len, &tail) != 1)
            return openssl_failure(im.label + ": decrypt");
    }
    NSSLAB_ASSERT(static_cast<std::size_t>(len + tail) == ct_size, "decrypted length differs");
    std::size_t const pad = plain.back();
    if (pad + 1 > plain.size()) {
        OPENSSL_cleanse(plain.data(), plain.size());
        return fail(Errc::decode_error, im.label + ": Pad Length " + std::to_string(pad) +
                                            " exceeds the " + std::to_string(plain.size()) +
                                            " decrypted octets");
    }
    plain.resize(plain.size() - pad - 1);
    return plain;
}

}  // namespace nsslab::crypto
