// PrivateKey/PublicKey: generation for every KeyType, PEM round trips, public-key export,
// deterministic generation from a seeded LibContext, and that private keys are never printable.
#include "nsslab/crypto/key.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <type_traits>

#include "nsslab/crypto/openssl_context.hpp"

namespace nsslab::crypto {
namespace {

template <class T>
concept Streamable = requires(std::ostream& os, T const& t) {
    os << t;
};
static_assert(!Streamable<PrivateKey>, "a PrivateKey must not be printable");

struct TypeCase {
    KeyType type;
    KeyAlgorithm algorithm;
    int bits;
    char const* name;
};

class KeyGenerate : public ::testing::TestWithParam<TypeCase> {};

TEST_P(KeyGenerate, GeneratesDescribesAndRoundTripsPem) {
    auto const& c = GetParam();
    auto key = PrivateKey::generate(nullptr, c.type);
    ASSERT_TRUE(key) << key.error().what();
    EXPECT_EQ(key->algorithm(), c.algorithm);
    EXPECT_EQ(key->bits(), c.bits);
    EXPECT_EQ(key->key_type(), c.type);
    EXPECT_EQ(key->algorithm_name(), c.name);
    EXPECT_EQ(to_string(c.type), c.name);
    EXPECT_EQ(key_type_from_string(c.name), c.type);

    auto pem = key->export_private_pem_unsafe();
    ASSERT_TRUE(pem);
    EXPECT_NE(pem->find("-----BEGIN PRIVATE KEY-----"), std::string::npos);  // PKCS#8
    auto again = PrivateKey::load_pem(nullptr, *pem);
    ASSERT_TRUE(again) << again.error().what();
    EXPECT_TRUE(again->public_key().equals(key->public_key()));

    auto pub = key->public_key();
    auto pub_pem = pub.to_pem();
    ASSERT_TRUE(pub_pem);
    EXPECT_NE(pub_pem->find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
    EXPECT_EQ(pub_pem->find("PRIVATE"), std::string::npos);
    auto pub2 = PublicKey::load_pem(nullptr, *pub_pem);
    ASSERT_TRUE(pub2);
    EXPECT_TRUE(pub2->equals(pub));
    auto der = pub.to_der();
    ASSERT_TRUE(der);
    auto pub3 = PublicKey::load_der(nullptr, *der);
    ASSERT_TRUE(pub3);
    EXPECT_TRUE(pub3->equals(pub));
    EXPECT_EQ(pub3->description(), c.name);
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, KeyGenerate,
    ::testing::Values(TypeCase{KeyType::rsa_2048, KeyAlgorithm::rsa, 2048, "RSA-2048"},
                      TypeCase{KeyType::rsa_3072, KeyAlgorithm::rsa, 3072, "RSA-3072"},
                      TypeCase{KeyType::rsa_4096, KeyAlgorithm::rsa, 4096, "RSA-4096"},
                      TypeCase{KeyType::ec_p256, KeyAlgorithm::ec, 256, "ECDSA-P256"},
                      TypeCase{KeyType::ec_p384, KeyAlgorithm::ec, 384, "ECDSA-P384"},
                      TypeCase{KeyType::ec_p521, KeyAlgorithm::ec, 521, "ECDSA-P521"},
                      TypeCase{KeyType::ed25519, KeyAlgorithm::ed25519, 256, "Ed25519"}),
    [](auto const& param_info) {
        std::string n = param_info.param.name;
        for (auto& ch : n)
            if (ch == '-')
                ch = '_';
        return n;
    });

TEST(Key, TwoGeneratedKeysDiffer) {
    auto a = PrivateKey::generate(nullptr, KeyType::ec_p256);
    auto b = PrivateKey::generate(nullptr, KeyType::ec_p256);
    ASSERT_TRUE(a && b);
    EXPECT_FALSE(a->public_key().equals(b->public_key()));
}

TEST(Key, SeededContextsGiveTheSameKey) {
    auto c1 = LibContext::deterministic(42, "SYSTEMA");
    auto c2 = LibContext::deterministic(42, "SYSTEMA");
    auto c3 = LibContext::deterministic(43, "SYSTEMA");
    ASSERT_TRUE(c1 && c2 && c3);
    for (auto type : {KeyType::ec_p256, KeyType::ed25519, KeyType::rsa_2048}) {
        auto k1 = PrivateKey::generate(c1->get(), type);
        auto k2 = PrivateKey::generate(c2->get(), type);
        auto k3 = PrivateKey::generate(c3->get(), type);
        ASSERT_TRUE(k1 && k2 && k3) << to_string(type);
        EXPECT_EQ(k1->context(), c1->get());
        EXPECT_TRUE(k1->public_key().equals(k2->public_key())) << to_string(type);
        EXPECT_FALSE(k1->public_key().equals(k3->public_key())) << to_string(type);
    }
}

TEST(Key, Ed25519FromSeedNeeds32Octets) {
    Bytes seed(31, 1);
    auto bad = PrivateKey::from_ed25519_seed(nullptr, seed);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::invalid_argument);
    seed.push_back(1);
    auto good = PrivateKey::from_ed25519_seed(nullptr, seed);
    ASSERT_TRUE(good);
    EXPECT_EQ(good->key_type(), KeyType::ed25519);
}

TEST(Key, LoadRejectsGarbageWithoutEchoingIt) {
    std::string const junk = "-----BEGIN PRIVATE KEY-----\nQUJDRA==\n-----END PRIVATE KEY-----\n";
    auto r = PrivateKey::load_pem(nullptr, junk);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message.find("QUJDRA"), std::string::npos);
    EXPECT_FALSE(PublicKey::load_pem(nullptr, "nothing"));
    EXPECT_FALSE(PublicKey::load_der(nullptr, Bytes{0x30, 0x00}));
}

TEST(Key, EmptyKeysAreInvalid) {
    PrivateKey k;
    EXPECT_FALSE(k.valid());
    EXPECT_FALSE(k.export_private_pem_unsafe());
    EXPECT_FALSE(k.public_key().valid());
    EXPECT_EQ(k.algorithm_name(), "(no key)");
}

}  // namespace
}  // namespace nsslab::crypto
