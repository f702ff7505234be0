#include "nsslab/crypto/openssl_context.hpp"

#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "libctx_access.hpp"
#include "nsslab/crypto/openssl_error.hpp"
#include "rand_provider.hpp"

namespace nsslab::crypto {

struct LibContext::Native {
    OSSL_LIB_CTX* libctx{nullptr};
    OSSL_PROVIDER* seeded{nullptr};
    OSSL_PROVIDER* base_default{nullptr};

    ~Native() {
        if (base_default != nullptr)
            OSSL_PROVIDER_unload(base_default);
        if (seeded != nullptr)
            OSSL_PROVIDER_unload(seeded);
        if (libctx != nullptr)
            OSSL_LIB_CTX_free(libctx);
    }
};

LibContext::Native* native_of(LibContext* ctx) {
    return ctx->native_.get();
}

OSSL_LIB_CTX* native_context(LibContext* ctx) {
    return ctx == nullptr ? nullptr : native_of(ctx)->libctx;
}

LibContext::LibContext(std::unique_ptr<Native> native, bool deterministic, std::string name)
    : native_(std::move(native)), deterministic_(deterministic), name_(std::move(name)) {}

LibContext::~LibContext() = default;

namespace {

// Provider key = SHA-256("nsslab LibContext v1" || seed (8 bytes, big-endian) || name).
Result<std::array<std::uint8_t, 32>> derive_key(std::uint64_t seed, std::string_view name) {
    std::array<std::uint8_t, 32> key{};
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    if (md == nullptr)
        return openssl_failure("LibContext::deterministic: EVP_MD_CTX_new");
    static constexpr char label[] = "nsslab LibContext v1";
    std::uint8_t seed_be[8];
    for (int i = 0; i < 8; ++i)
        seed_be[i] = static_cast<std::uint8_t>(seed >> (56 - 8 * i));
    unsigned len = 0;
    bool const ok = EVP_DigestInit_ex(md, EVP_sha256(), nullptr) == 1 &&
                    EVP_DigestUpdate(md, label, sizeof label - 1) == 1 &&
                    EVP_DigestUpdate(md, seed_be, sizeof seed_be) == 1 &&
                    EVP_DigestUpdate(md, name.data(), name.size()) == 1 &&
                    EVP_DigestFinal_ex(md, key.data(), &len) == 1 && len == key.size();
    EVP_MD_CTX_free(md);
    if (!ok)
        return openssl_failure("LibContext::deterministic: SHA-256");
    return key;
}

}  // namespace

Result<std::unique_ptr<LibContext>> LibContext::deterministic(std::uint64_t seed,
                                                              std::string_view name) {
    auto key = derive_key(seed, name);
    if (!key)
        return key.error();
    auto native = std::make_unique<Native>();
    native->libctx = OSSL_LIB_CTX_new();
    if (native->libctx == nullptr)
        return openssl_failure("LibContext::deterministic: OSSL_LIB_CTX_new");
    auto seeded = install_seeded_rand(native->libctx, *key);
    if (!seeded)
        return seeded.error();
    native->seeded = *seeded;
    native->base_default = OSSL_PROVIDER_load(native->libctx, "default");
    if (native->base_default == nullptr)
        return openssl_failure("LibContext::deterministic: load default provider");
    return std::unique_ptr<LibContext>(new LibContext(std::move(native), true, std::string(name)));
}

Result<std::unique_ptr<LibContext>> LibContext::system() {
    auto native = std::make_unique<Native>();
    native->libctx = OSSL_LIB_CTX_new();
    if (native->libctx == nullptr)
        return openssl_failure("LibContext::system: OSSL_LIB_CTX_new");
    native->base_default = OSSL_PROVIDER_load(native->libctx, "default");
    if (native->base_default == nullptr)
        return openssl_failure("LibContext::system: load default provider");
    return std::unique_ptr<LibContext>(new LibContext(std::move(native), false, "system"));
}

Result<void> LibContext::random_bytes(std::span<std::uint8_t> out) {
    if (out.empty())
        return {};
    if (RAND_bytes_ex(native_->libctx, out.data(), out.size(), 0) != 1)
        return openssl_failure("LibContext::random_bytes: RAND_bytes_ex");
    return {};
}

}  // namespace nsslab::crypto
