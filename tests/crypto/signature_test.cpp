// Signatures over message octets: every scheme signs and verifies, tampering with the message
// or the signature is detected, mismatched key/scheme pairs are refused, and known-answer
// vectors from RFC 8032 (Ed25519 TEST 1) and RFC 6979 A.2.5 (ECDSA P-256, SHA-256) hold.
#include "nsslab/crypto/signature.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "nsslab/crypto/openssl_context.hpp"

namespace nsslab::crypto {
namespace {

std::map<std::string, std::string> read_vector(std::string const& rel) {
    std::ifstream in(std::string(NSSLAB_SOURCE_DIR) + "/" + rel);
    NSSLAB_ASSERT(in.good(), "test vector file missing");
    std::map<std::string, std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        auto const eq = line.find('=');
        if (eq == std::string::npos)
            continue;
        auto trim = [](std::string s) {
            while (!s.empty() && s.front() == ' ')
                s.erase(s.begin());
            while (!s.empty() && s.back() == ' ')
                s.pop_back();
            return s;
        };
        out[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
    }
    return out;
}

Bytes hex(std::string const& h) {
    return *from_hex(h);
}

struct SchemeCase {
    SignatureScheme scheme;
    KeyType key;
};

class SignVerify : public ::testing::TestWithParam<SchemeCase> {};

TEST_P(SignVerify, RoundTripAndTamperDetection) {
    auto const& c = GetParam();
    auto key = PrivateKey::generate(nullptr, c.key);
    ASSERT_TRUE(key);
    Bytes const msg = to_bytes("IKE_AUTH octets to be signed by the NSS certificate service");
    auto sig = sign(*key, c.scheme, msg);
    ASSERT_TRUE(sig) << sig.error().what();
    auto pub = key->public_key();
    EXPECT_TRUE(verify(pub, c.scheme, msg, *sig));

    Bytes bad_msg = msg;
    bad_msg[3] ^= 0x01;
    auto r1 = verify(pub, c.scheme, bad_msg, *sig);
    ASSERT_FALSE(r1);
    EXPECT_EQ(r1.error().code, Errc::auth_failed);

    Bytes bad_sig = *sig;
    bad_sig[bad_sig.size() / 2] ^= 0x40;
    auto r2 = verify(pub, c.scheme, msg, bad_sig);
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code, Errc::auth_failed);

    EXPECT_FALSE(verify(pub, c.scheme, msg, ByteView{}));

    auto other = PrivateKey::generate(nullptr, c.key);
    EXPECT_FALSE(verify(other->public_key(), c.scheme, msg, *sig));

    EXPECT_EQ(signature_scheme_from_string(to_string(c.scheme)), c.scheme);
    EXPECT_EQ(key_algorithm_for(c.scheme), key->algorithm());
}

INSTANTIATE_TEST_SUITE_P(
    AllSchemes, SignVerify,
    ::testing::Values(SchemeCase{SignatureScheme::rsa_pkcs1_sha256, KeyType::rsa_2048},
                      SchemeCase{SignatureScheme::rsa_pkcs1_sha384, KeyType::rsa_2048},
                      SchemeCase{SignatureScheme::rsa_pkcs1_sha512, KeyType::rsa_3072},
                      SchemeCase{SignatureScheme::rsa_pss_sha256, KeyType::rsa_2048},
                      SchemeCase{SignatureScheme::rsa_pss_sha384, KeyType::rsa_2048},
                      SchemeCase{SignatureScheme::rsa_pss_sha512, KeyType::rsa_2048},
                      SchemeCase{SignatureScheme::ecdsa_sha256, KeyType::ec_p256},
                      SchemeCase{SignatureScheme::ecdsa_sha384, KeyType::ec_p384},
                      SchemeCase{SignatureScheme::ecdsa_sha512, KeyType::ec_p521},
                      SchemeCase{SignatureScheme::ed25519, KeyType::ed25519}),
    [](auto const& param_info) { return std::string(to_string(param_info.param.scheme)); });

TEST(Signature, RsaPkcs1IsDeterministicAndPssIsNot) {
    auto key = *PrivateKey::generate(nullptr, KeyType::rsa_2048);
    Bytes const msg = to_bytes("m");
    EXPECT_EQ(*sign(key, SignatureScheme::rsa_pkcs1_sha256, msg),
              *sign(key, SignatureScheme::rsa_pkcs1_sha256, msg));
    EXPECT_NE(*sign(key, SignatureScheme::rsa_pss_sha256, msg),
              *sign(key, SignatureScheme::rsa_pss_sha256, msg));
    EXPECT_EQ(sign(key, SignatureScheme::rsa_pss_sha256, msg)->size(), 256u);
    // PKCS#1 v1.5 and PSS signatures are not interchangeable.
    auto pss = *sign(key, SignatureScheme::rsa_pss_sha256, msg);
    EXPECT_FALSE(verify(key.public_key(), SignatureScheme::rsa_pkcs1_sha256, msg, pss));
    EXPECT_FALSE(verify(key.public_key(), SignatureScheme::rsa_pss_sha384, msg, pss));
}

TEST(Signature, SeededContextReproducesEcdsaSignatures) {
    auto run = [] {
        auto ctx = LibContext::deterministic(99, "NSS");
        auto key = PrivateKey::generate(ctx->get(), KeyType::ec_p256);
        return *sign(*key, SignatureScheme::ecdsa_sha256, to_bytes("abc"));
    };
    EXPECT_EQ(run(), run());
}

TEST(Signature, RefusesSchemeThatDoesNotFitKey) {
    auto ec = *PrivateKey::generate(nullptr, KeyType::ec_p256);
    auto r = sign(ec, SignatureScheme::rsa_pss_sha256, to_bytes("x"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    auto sig = *sign(ec, SignatureScheme::ecdsa_sha256, to_bytes("x"));
    auto v = verify(ec.public_key(), SignatureScheme::ed25519, to_bytes("x"), sig);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().code, Errc::invalid_argument);
    EXPECT_FALSE(sign(PrivateKey{}, SignatureScheme::ed25519, to_bytes("x")));
}

TEST(Signature, DefaultSchemes) {
    EXPECT_EQ(default_scheme_for(PrivateKey::generate(nullptr, KeyType::ec_p384)->public_key()),
              SignatureScheme::ecdsa_sha384);
    EXPECT_EQ(default_scheme_for(PrivateKey::generate(nullptr, KeyType::ed25519)->public_key()),
              SignatureScheme::ed25519);
    EXPECT_EQ(default_scheme_for(PublicKey{}), std::nullopt);
}

TEST(Signature, VerifiesWithCertificate) {
    auto key = *PrivateKey::generate(nullptr, KeyType::ec_p256);
    CertificateSpec spec;
    spec.subject = *DistinguishedName::parse("CN=SYSTEMA_STACK1");
    spec.not_before = time_from_unix_seconds(0);
    spec.not_after = time_from_unix_seconds(86400);
    auto cert = *Certificate::create_self_signed(spec, key);
    auto sig = *sign(key, SignatureScheme::ecdsa_sha256, to_bytes("data"));
    EXPECT_TRUE(verify(cert, SignatureScheme::ecdsa_sha256, to_bytes("data"), sig));
    EXPECT_FALSE(verify(cert, SignatureScheme::ecdsa_sha256, to_bytes("Data"), sig));
    EXPECT_FALSE(verify(Certificate{}, SignatureScheme::ecdsa_sha256, to_bytes("data"), sig));
}

// RFC 8032 section 7.1 TEST 1: the signature is deterministic, so it must match byte for byte.
TEST(SignatureKat, Ed25519Rfc8032Test1) {
    auto v = read_vector("third_party/rfc8032/ed25519_test1.txt");
    auto key = PrivateKey::from_ed25519_seed(nullptr, hex(v.at("SECRET KEY")));
    ASSERT_TRUE(key);
    // The public key is the SPKI's last 32 octets (RFC 8410 prefix 302a300506032b6570032100).
    Bytes const spki = *key->public_key().to_der();
    ASSERT_EQ(spki.size(), 44u);
    EXPECT_EQ(to_hex(ByteView(spki).subspan(12)), v.at("PUBLIC KEY"));
    auto sig = sign(*key, SignatureScheme::ed25519, Bytes{});
    ASSERT_TRUE(sig);
    EXPECT_EQ(to_hex(*sig), v.at("SIGNATURE"));

    Bytes der = *from_hex("302a300506032b6570032100");
    Bytes pub = hex(v.at("PUBLIC KEY"));
    der.insert(der.end(), pub.begin(), pub.end());
    auto pk = PublicKey::load_der(nullptr, der);
    ASSERT_TRUE(pk);
    EXPECT_TRUE(verify(*pk, SignatureScheme::ed25519, Bytes{}, hex(v.at("SIGNATURE"))));
    EXPECT_FALSE(verify(*pk, SignatureScheme::ed25519, Bytes{0x00}, hex(v.at("SIGNATURE"))));
}

Bytes der_integer(Bytes v) {
    while (v.size() > 1 && v[0] == 0 && (v[1] & 0x80) == 0)
        v.erase(v.begin());
    if (v[0] & 0x80)
        v.insert(v.begin(), 0);
    Bytes out{0x02, static_cast<std::uint8_t>(v.size())};
    out.insert(out.end(), v.begin(), v.end());
    return out;
}

// RFC 6979 A.2.5: P-256, SHA-256, message "sample". OpenSSL's k is random, so only verify.
TEST(SignatureKat, EcdsaP256Rfc6979Sample) {
    auto v = read_vector("third_party/rfc6979/ecdsa_p256_sha256_sample.txt");
    Bytes spki = *from_hex("3059301306072a8648ce3d020106082a8648ce3d03010703420004");
    for (auto const* k : {"Ux", "Uy"}) {
        Bytes c = hex(v.at(k));
        spki.insert(spki.end(), c.begin(), c.end());
    }
    auto pk = PublicKey::load_der(nullptr, spki);
    ASSERT_TRUE(pk) << pk.error().what();
    EXPECT_EQ(pk->key_type(), KeyType::ec_p256);
    Bytes body = der_integer(hex(v.at("r")));
    Bytes s = der_integer(hex(v.at("s")));
    body.insert(body.end(), s.begin(), s.end());
    Bytes sig{0x30, static_cast<std::uint8_t>(body.size())};
    sig.insert(sig.end(), body.begin(), body.end());
    Bytes const msg = to_bytes(v.at("message"));
    EXPECT_TRUE(verify(*pk, SignatureScheme::ecdsa_sha256, msg, sig));
    EXPECT_FALSE(verify(*pk, SignatureScheme::ecdsa_sha384, msg, sig));
    EXPECT_FALSE(verify(*pk, SignatureScheme::ecdsa_sha256, to_bytes("samplE"), sig));
}

}  // namespace
}  // namespace nsslab::crypto
