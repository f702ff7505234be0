// The raw-OpenSSL signing baseline of `nsslab bench sign`: its signatures verify with
// crypto::verify for every key family, RSA PKCS#1 v1.5 gives the same bytes as crypto::sign
// (deterministic scheme), and misuse is refused.
#include "nsslab/crypto/sign_baseline.hpp"

#include <gtest/gtest.h>

#include "nsslab/crypto/openssl_context.hpp"

namespace nsslab::crypto {
namespace {

Bytes message() {
    Bytes m(300);
    for (std::size_t i = 0; i < m.size(); ++i)
        m[i] = static_cast<std::uint8_t>(i * 7);
    return m;
}

TEST(SignBaseline, SignaturesVerifyForEveryKeyFamily) {
    auto ctx = *LibContext::deterministic(7, "BASELINE");
    struct Case {
        KeyType type;
        SignatureScheme scheme;
    };
    for (auto c : {Case{KeyType::rsa_2048, SignatureScheme::rsa_pkcs1_sha256},
                   Case{KeyType::rsa_2048, SignatureScheme::rsa_pss_sha256},
                   Case{KeyType::ec_p256, SignatureScheme::ecdsa_sha256},
                   Case{KeyType::ed25519, SignatureScheme::ed25519}}) {
        auto key = *PrivateKey::generate(ctx.get(), c.type);
        auto sig = sign_repeatedly(key, c.scheme, message(), 3);
        ASSERT_TRUE(sig.has_value()) << sig.error().what();
        EXPECT_TRUE(verify(key.public_key(), c.scheme, message(), *sig).has_value())
            << to_string(c.scheme);
        Bytes other = message();
        other[0] ^= 1;
        EXPECT_FALSE(verify(key.public_key(), c.scheme, other, *sig).has_value());
    }
}

TEST(SignBaseline, RsaPkcs1MatchesCryptoSign) {
    auto ctx = *LibContext::deterministic(8, "BASELINE");
    auto key = *PrivateKey::generate(ctx.get(), KeyType::rsa_2048);
    auto raw = sign_repeatedly(key, SignatureScheme::rsa_pkcs1_sha256, message(), 2);
    auto via = sign(key, SignatureScheme::rsa_pkcs1_sha256, message());
    ASSERT_TRUE(raw.has_value());
    ASSERT_TRUE(via.has_value());
    EXPECT_EQ(*raw, *via);
}

TEST(SignBaseline, RefusesMisuse) {
    auto ctx = *LibContext::deterministic(9, "BASELINE");
    auto key = *PrivateKey::generate(ctx.get(), KeyType::ec_p256);
    auto wrong = sign_repeatedly(key, SignatureScheme::ed25519, message(), 1);
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error().code, Errc::invalid_argument);
    auto none = sign_repeatedly(key, SignatureScheme::ecdsa_sha256, message(), 0);
    ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error().code, Errc::invalid_argument);
    EXPECT_FALSE(sign_repeatedly(PrivateKey{}, SignatureScheme::ecdsa_sha256, message(), 1));
}

}  // namespace
}  // namespace nsslab::crypto
