// LibContext: per-host OpenSSL library contexts with a seeded randomness stream
// (DESIGN.md §4 "Determinism").
#include "nsslab/crypto/openssl_context.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include <memory>

#include "../../sim/crypto/src/libctx_access.hpp"
#include "../../sim/crypto/src/rand_provider.hpp"
#include "nsslab/base/bytes.hpp"

namespace nsslab::crypto {
namespace {

std::unique_ptr<LibContext> make(std::uint64_t seed, std::string_view name) {
    auto ctx = LibContext::deterministic(seed, name);
    EXPECT_TRUE(ctx.has_value()) << (ctx ? "" : ctx.error().what());
    return ctx ? std::move(*ctx) : nullptr;
}

Bytes public_bytes(LibContext& ctx, std::size_t n) {
    Bytes out(n);
    EXPECT_EQ(RAND_bytes_ex(native_context(ctx), out.data(), out.size(), 0), 1);
    return out;
}

Bytes private_bytes(LibContext& ctx, std::size_t n) {
    Bytes out(n);
    EXPECT_EQ(RAND_priv_bytes_ex(native_context(ctx), out.data(), out.size(), 0), 1);
    return out;
}

// An ECDSA P-256 key generated in `ctx`, then a signature over `message`: private key DER
// followed by the DER signature.
Bytes p256_key_and_signature(LibContext& ctx, std::string_view message) {
    OSSL_LIB_CTX* lib = native_context(ctx);
    EVP_PKEY* pkey = EVP_PKEY_Q_keygen(lib, nullptr, "EC", "P-256");
    EXPECT_NE(pkey, nullptr);
    if (pkey == nullptr)
        return {};
    Bytes out;
    unsigned char* der = nullptr;
    int const der_len = i2d_PrivateKey(pkey, &der);
    EXPECT_GT(der_len, 0);
    out.assign(der, der + der_len);
    OPENSSL_free(der);

    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EXPECT_EQ(EVP_DigestSignInit_ex(md, nullptr, "SHA256", lib, nullptr, pkey, nullptr), 1);
    std::size_t sig_len = 0;
    auto const msg = as_bytes(message);
    EXPECT_EQ(EVP_DigestSign(md, nullptr, &sig_len, msg.data(), msg.size()), 1);
    Bytes sig(sig_len);
    EXPECT_EQ(EVP_DigestSign(md, sig.data(), &sig_len, msg.data(), msg.size()), 1);
    sig.resize(sig_len);
    out.insert(out.end(), sig.begin(), sig.end());

    // The signature verifies (the stream is deterministic, not broken).
    EVP_MD_CTX* vmd = EVP_MD_CTX_new();
    EXPECT_EQ(EVP_DigestVerifyInit_ex(vmd, nullptr, "SHA256", lib, nullptr, pkey, nullptr), 1);
    EXPECT_EQ(EVP_DigestVerify(vmd, sig.data(), sig.size(), msg.data(), msg.size()), 1);
    EVP_MD_CTX_free(vmd);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pkey);
    return out;
}

TEST(ChaCha20, Rfc8439BlockFunctionVector) {
    // RFC 8439 §2.3.2.
    std::array<std::uint32_t, 8> key{};
    for (std::uint32_t i = 0; i < 8; ++i)
        key[i] = (4 * i) | (4 * i + 1) << 8 | (4 * i + 2) << 16 | (4 * i + 3) << 24;
    std::uint8_t out[64];
    chacha20_block(key, 1, {0x09000000, 0x4a000000, 0x00000000}, out);
    EXPECT_EQ(to_hex(ByteView(out, 64)),
              "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
              "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e");
}

TEST(LibContext, SameSeedSameRandomStreams) {
    auto a = make(42, "SYSTEMA");
    auto b = make(42, "SYSTEMA");
    ASSERT_TRUE(a && b);
    EXPECT_TRUE(a->is_deterministic());
    EXPECT_EQ(a->name(), "SYSTEMA");
    // More than one maximum request (64 KiB) to show the stream is unlimited.
    Bytes const pa = public_bytes(*a, 200000);
    Bytes const pb = public_bytes(*b, 200000);
    EXPECT_EQ(pa, pb);
    EXPECT_EQ(private_bytes(*a, 64), private_bytes(*b, 64));
    EXPECT_EQ(public_bytes(*a, 64), public_bytes(*b, 64));
    // Public and private DRBGs are distinct streams.
    EXPECT_NE(private_bytes(*a, 32), public_bytes(*a, 32));
}

TEST(LibContext, RandomBytesMethodUsesTheStream) {
    auto a = make(7, "X");
    auto b = make(7, "X");
    Bytes x(48), y(48);
    ASSERT_TRUE(a->random_bytes(x).has_value());
    ASSERT_TRUE(b->random_bytes(y).has_value());
    EXPECT_EQ(x, y);
    EXPECT_NE(x, Bytes(48, 0));
}

TEST(LibContext, DifferentSeedOrNameDiffers) {
    auto a = make(42, "SYSTEMA");
    auto b = make(43, "SYSTEMA");
    auto c = make(42, "SYSTEMB");
    Bytes const ra = public_bytes(*a, 64);
    EXPECT_NE(ra, public_bytes(*b, 64));
    EXPECT_NE(ra, public_bytes(*c, 64));
}

TEST(LibContext, SameSeedSameEcdsaP256KeysAndSignatures) {
    auto a = make(1234, "NSSD");
    auto b = make(1234, "NSSD");
    Bytes const first = p256_key_and_signature(*a, "hello");
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(first, p256_key_and_signature(*b, "hello"));
    // A second key from the same context differs from the first.
    EXPECT_NE(first, p256_key_and_signature(*a, "hello"));

    auto c = make(1235, "NSSD");
    EXPECT_NE(first, p256_key_and_signature(*c, "hello"));
}

TEST(LibContext, SystemContextIsNotDeterministic) {
    auto a = LibContext::system();
    auto b = LibContext::system();
    ASSERT_TRUE(a.has_value() && b.has_value());
    EXPECT_FALSE((*a)->is_deterministic());
    EXPECT_EQ((*a)->name(), "system");
    EXPECT_NE(public_bytes(**a, 32), public_bytes(**b, 32));
    EXPECT_FALSE(p256_key_and_signature(**a, "x").empty());
}

TEST(LibContext, AllDrbgsAreTheSeededProvider) {
    auto a = make(5, "H");
    OSSL_LIB_CTX* lib = native_context(*a);
    for (EVP_RAND_CTX* drbg :
         {RAND_get0_primary(lib), RAND_get0_public(lib), RAND_get0_private(lib)}) {
        ASSERT_NE(drbg, nullptr);
        EXPECT_STREQ(EVP_RAND_get0_name(EVP_RAND_CTX_get0_rand(drbg)), "NSSLAB-SEEDED");
        EXPECT_STREQ(OSSL_PROVIDER_get0_name(EVP_RAND_get0_provider(EVP_RAND_CTX_get0_rand(drbg))),
                     "nsslab-seeded");
        EXPECT_EQ(EVP_RAND_get_state(drbg), EVP_RAND_STATE_READY);
        EXPECT_EQ(EVP_RAND_get_strength(drbg), 256u);
    }
    // A system context keeps OpenSSL's own DRBG.
    auto sys = LibContext::system();
    ASSERT_TRUE(sys.has_value());
    EXPECT_STRNE(
        EVP_RAND_get0_name(EVP_RAND_CTX_get0_rand(RAND_get0_public(native_context(**sys)))),
        "NSSLAB-SEEDED");
}

TEST(LibContext, NullMapsToDefaultContext) {
    EXPECT_EQ(native_context(static_cast<LibContext*>(nullptr)), nullptr);
}

TEST(LibContext, ContextsAreIndependentOfInterleaving) {
    // Drawing from another host's context in between does not change this host's stream.
    auto a = make(9, "A");
    auto b = make(9, "A");
    auto other = make(9, "B");
    Bytes const x1 = public_bytes(*a, 16);
    (void)public_bytes(*other, 100);
    Bytes const x2 = public_bytes(*a, 16);
    Bytes const y1 = public_bytes(*b, 16);
    Bytes const y2 = public_bytes(*b, 16);
    EXPECT_EQ(x1, y1);
    EXPECT_EQ(x2, y2);
}

}  // namespace
}  // namespace nsslab::crypto
