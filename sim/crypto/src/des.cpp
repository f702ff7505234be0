// Single-DES block encryption over OpenSSL's legacy provider in a private library context.
#include "nsslab/crypto/des.hpp"

#include <openssl/evp.h>
#include <openssl/provider.h>

#include <string>

#include "nsslab/crypto/openssl_error.hpp"

namespace nsslab::crypto {
namespace {

// The private library context holding the legacy provider, and the fetched DES-ECB cipher.
// Created once (thread-safe static initialisation), freed at process exit.
class LegacyContext {
  public:
    LegacyContext() {
        ctx_ = OSSL_LIB_CTX_new();
        if (ctx_ == nullptr) {
            error_ = drain_openssl_errors("DES: OSSL_LIB_CTX_new failed");
            return;
        }
        legacy_ = OSSL_PROVIDER_load(ctx_, "legacy");
        if (legacy_ == nullptr) {
            error_ = drain_openssl_errors(
                "DES: cannot load OpenSSL's legacy provider (single DES lives there)");
            return;
        }
        cipher_ = EVP_CIPHER_fetch(ctx_, "DES-ECB", nullptr);
        if (cipher_ == nullptr)
            error_ = drain_openssl_errors("DES: EVP_CIPHER_fetch(DES-ECB) failed");
    }
    ~LegacyContext() {
        EVP_CIPHER_free(cipher_);
        if (legacy_ != nullptr)
            OSSL_PROVIDER_unload(legacy_);
        OSSL_LIB_CTX_free(ctx_);
    }
    LegacyContext(LegacyContext const&) = delete;
    LegacyContext& operator=(LegacyContext const&) = delete;

    EVP_CIPHER const* cipher() const { return cipher_; }
    std::string const& error() const { return error_; }

  private:
    OSSL_LIB_CTX* ctx_{nullptr};
    OSSL_PROVIDER* legacy_{nullptr};
    EVP_CIPHER* cipher_{nullptr};
    std::string error_;
};

LegacyContext const& legacy_context() {
    static LegacyContext const context;
    return context;
}

}  // namespace

struct DesEncryptor::Impl {
    EVP_CIPHER_CTX* ctx{nullptr};
    ~Impl() { EVP_CIPHER_CTX_free(ctx); }
};

DesEncryptor::DesEncryptor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DesEncryptor::DesEncryptor(DesEncryptor&&) noexcept = default;
DesEncryptor& DesEncryptor::operator=(DesEncryptor&&) noexcept = default;
DesEncryptor::~DesEncryptor() = default;

Result<DesEncryptor> DesEncryptor::create(ByteView key) {
    if (key.size() != des_key_size)
        return fail(Errc::invalid_argument,
                    "DES: key must be 8 bytes, got " + std::to_string(key.size()) + " bytes");
    auto const& legacy = legacy_context();
    if (legacy.cipher() == nullptr)
        return fail(Errc::crypto_error, legacy.error());
    auto impl = std::make_unique<Impl>();
    impl->ctx = EVP_CIPHER_CTX_new();
    if (impl->ctx == nullptr)
        return openssl_failure("DES: EVP_CIPHER_CTX_new failed");
    if (EVP_EncryptInit_ex2(impl->ctx, legacy.cipher(), key.data(), nullptr, nullptr) != 1)
        return openssl_failure("DES: EVP_EncryptInit_ex2 failed");
    if (EVP_CIPHER_CTX_set_padding(impl->ctx, 0) != 1)
        return openssl_failure("DES: EVP_CIPHER_CTX_set_padding failed");
    return DesEncryptor(std::move(impl));
}

DesBlock DesEncryptor::encrypt(DesBlock const& block) {
    NSSLAB_ASSERT(impl_ != nullptr, "DesEncryptor used after move");
    DesBlock out{};
    int out_len = 0;
    // ECB without padding: every full input block is output by the update call itself, and
    // the context carries no chaining state between blocks.
    int const ok = EVP_EncryptUpdate(impl_->ctx, out.data(), &out_len, block.data(),
                                     static_cast<int>(block.size()));
    NSSLAB_ASSERT(ok == 1 && out_len == static_cast<int>(des_block_size),
                  "DES-ECB update of one block failed");
    return out;
}

Result<DesBlock> des_encrypt_block(ByteView key, ByteView block) {
    if (block.size() != des_block_size)
        return fail(Errc::invalid_argument,
                    "DES: block must be 8 bytes, got " + std::to_string(block.size()) + " bytes");
    auto encryptor = DesEncryptor::create(key);
    if (!encryptor)
        return encryptor.error();
    DesBlock in{};
    std::copy(block.begin(), block.end(), in.begin());
    return encryptor->encrypt(in);
}

}  // namespace nsslab::crypto
