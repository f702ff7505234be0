// RFC 7427 AlgorithmIdentifiers: nsslab sends exactly the Appendix A DER blobs, parses every
// blob of the RFC (DER and as-printed forms) to the right scheme or to a clear refusal, refuses
// malformed and truncated input, and AUTH method 14 data round-trips through a real signature.
#include "nsslab/crypto/sig_alg_id.hpp"

#include <gtest/gtest.h>

#include "vector_file.hpp"

namespace nsslab::crypto {
namespace {

using test::find_section;
using test::read_vector_sections;

std::vector<test::VectorSection> vectors() {
    return read_vector_sections("third_party/rfc7427/algorithm_identifiers.txt");
}

struct Sent {
    SignatureScheme scheme;
    char const* section;
};
constexpr Sent sent[] = {
    {SignatureScheme::rsa_pkcs1_sha256, "sha256WithRSAEncryption"},
    {SignatureScheme::rsa_pkcs1_sha384, "sha384WithRSAEncryption"},
    {SignatureScheme::rsa_pkcs1_sha512, "sha512WithRSAEncryption"},
    {SignatureScheme::rsa_pss_sha256, "rsassa-pss-sha256-errata-der"},
    {SignatureScheme::rsa_pss_sha384, "rsassa-pss-sha384-der"},
    {SignatureScheme::rsa_pss_sha512, "rsassa-pss-sha512-der"},
    {SignatureScheme::ecdsa_sha256, "ecdsa-with-sha256"},
    {SignatureScheme::ecdsa_sha384, "ecdsa-with-sha384"},
    {SignatureScheme::ecdsa_sha512, "ecdsa-with-sha512"},
    {SignatureScheme::ed25519, "ed25519"},
};

TEST(SigAlgId, SentBytesAreRfc7427AppendixA) {
    auto const all = vectors();
    for (auto const& s : sent) {
        SCOPED_TRACE(s.section);
        auto const v = find_section(all, s.section);
        EXPECT_EQ(to_hex(signature_algorithm_identifier(s.scheme)), v.text("blob"));
        auto parsed = parse_signature_algorithm_identifier(v.hex("blob"));
        ASSERT_TRUE(parsed) << parsed.error().what();
        EXPECT_EQ(*parsed, s.scheme);
        // The AUTH data prefix: ASN.1 Length octet then the blob.
        Bytes const data = signature_auth_data(s.scheme, Bytes{0xde, 0xad});
        EXPECT_EQ(to_hex(ByteView(data).first(data.size() - 2)), v.text("auth_data_prefix"));
    }
}

// RFC 7427 A.4.3 as printed: explicit trailerField 1, which DER forbids but peers may send.
TEST(SigAlgId, AcceptsThePssFormAsPrinted) {
    auto const v = find_section(vectors(), "rsassa-pss-sha256-rfc-as-printed");
    auto parsed = parse_signature_algorithm_identifier(v.hex("blob"));
    ASSERT_TRUE(parsed) << parsed.error().what();
    EXPECT_EQ(*parsed, SignatureScheme::rsa_pss_sha256);
}

TEST(SigAlgId, KnownAlgorithmsWithoutASchemeAreUnsupported) {
    auto const all = vectors();
    for (char const* name :
         {"sha1WithRSAEncryption", "dsa-with-sha1", "dsa-with-sha256", "ecdsa-with-sha1",
          "rsassa-pss-empty-params", "rsassa-pss-default-params-explicit", "ed448"}) {
        SCOPED_TRACE(name);
        auto parsed = parse_signature_algorithm_identifier(find_section(all, name).hex("blob"));
        ASSERT_FALSE(parsed);
        EXPECT_EQ(parsed.error().code, Errc::unsupported) << parsed.error().message;
    }
    auto sha1 = parse_signature_algorithm_identifier(
        find_section(all, "sha1WithRSAEncryption").hex("blob"));
    EXPECT_NE(sha1.error().message.find("sha1WithRSAEncryption"), std::string::npos);
}

TEST(SigAlgId, PssWithOtherSaltOrMgfHashIsUnsupported) {
    // SHA-256 with salt 64 (offset 66 holds the salt).
    Bytes salt64(signature_algorithm_identifier(SignatureScheme::rsa_pss_sha256).begin(),
                 signature_algorithm_identifier(SignatureScheme::rsa_pss_sha256).end());
    salt64[66] = 64;
    auto r = parse_signature_algorithm_identifier(salt64);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::unsupported);
    EXPECT_NE(r.error().message.find("salt length 64"), std::string::npos) << r.error().message;
    // MGF1 with SHA-512 while the hash is SHA-256 (offset 59: the MGF1 hash OID's last octet).
    Bytes mixed = salt64;
    mixed[66] = 32;
    mixed[59] = 0x03;
    EXPECT_EQ(parse_signature_algorithm_identifier(mixed).error().code, Errc::unsupported);
    // SHA-512 with salt 64 is nsslab's own rsa_pss_sha512 (the form charon may sign with).
    auto sha512 = parse_signature_algorithm_identifier(
        signature_algorithm_identifier(SignatureScheme::rsa_pss_sha512));
    EXPECT_EQ(*sha512, SignatureScheme::rsa_pss_sha512);
}

TEST(SigAlgId, MalformedAndTruncatedInputIsRefused) {
    Bytes const good(signature_algorithm_identifier(SignatureScheme::rsa_pss_sha384).begin(),
                     signature_algorithm_identifier(SignatureScheme::rsa_pss_sha384).end());
    // Every strict prefix fails (truncated or malformed), never crashes or succeeds.
    for (std::size_t n = 0; n < good.size(); ++n) {
        auto r = parse_signature_algorithm_identifier(ByteView(good).first(n));
        ASSERT_FALSE(r) << n;
        EXPECT_TRUE(r.error().code == Errc::truncated || r.error().code == Errc::decode_error)
            << n << ": " << r.error().what();
    }
    Bytes trailing = good;
    trailing.push_back(0);
    EXPECT_EQ(parse_signature_algorithm_identifier(trailing).error().code, Errc::decode_error);
    Bytes not_a_sequence = good;
    not_a_sequence[0] = 0x31;
    EXPECT_EQ(parse_signature_algorithm_identifier(not_a_sequence).error().code,
              Errc::decode_error);
    // ECDSA with parameters present.
    Bytes ecdsa_params{0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48,
                       0xce, 0x3d, 0x04, 0x03, 0x02, 0x05, 0x00};
    EXPECT_EQ(parse_signature_algorithm_identifier(ecdsa_params).error().code, Errc::decode_error);
    // Indefinite length.
    EXPECT_EQ(parse_signature_algorithm_identifier(Bytes{0x30, 0x80, 0x00, 0x00}).error().code,
              Errc::decode_error);
    // An unknown OID (1.2.3.4) is named in hex.
    auto unknown =
        parse_signature_algorithm_identifier(Bytes{0x30, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Errc::unknown_type);
    EXPECT_NE(unknown.error().message.find("2a0304"), std::string::npos);
}

TEST(SigAlgId, LongFormLengthsAreRead) {
    // sha256WithRSAEncryption with its SEQUENCE length in long form (0x81 0x0d): BER, accepted.
    Bytes const ber{0x30, 0x81, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
                    0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
    auto r = parse_signature_algorithm_identifier(ber);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(*r, SignatureScheme::rsa_pkcs1_sha256);
}

TEST(SigAlgId, AuthDataRoundTripsWithARealSignature) {
    auto key = PrivateKey::generate(nullptr, KeyType::ec_p256);
    ASSERT_TRUE(key);
    Bytes const octets = to_bytes("RealMessage1 | NonceRData | prf(SK_pi, IDi')");
    auto sig = sign(*key, SignatureScheme::ecdsa_sha512, octets);
    ASSERT_TRUE(sig);
    Bytes const data = signature_auth_data(SignatureScheme::ecdsa_sha512, *sig);
    auto parsed = parse_signature_auth_data(data);
    ASSERT_TRUE(parsed) << parsed.error().what();
    EXPECT_EQ(parsed->scheme, SignatureScheme::ecdsa_sha512);
    EXPECT_TRUE(verify(key->public_key(), parsed->scheme, octets, parsed->signature));

    EXPECT_EQ(parse_signature_auth_data({}).error().code, Errc::truncated);
    EXPECT_EQ(parse_signature_auth_data(ByteView(data).first(5)).error().code, Errc::truncated);
    EXPECT_EQ(parse_signature_auth_data(ByteView(data).first(data[0] + 1u)).error().code,
              Errc::decode_error);  // no signature value
}

TEST(SigAlgId, SignatureHashNumbers) {
    EXPECT_EQ(signature_hash_of(SignatureScheme::rsa_pss_sha384), SignatureHash::sha2_384);
    EXPECT_EQ(signature_hash_of(SignatureScheme::ecdsa_sha512), SignatureHash::sha2_512);
    EXPECT_EQ(signature_hash_of(SignatureScheme::ed25519), SignatureHash::identity);
    EXPECT_EQ(signature_hash_from_number(2), SignatureHash::sha2_256);
    EXPECT_FALSE(signature_hash_from_number(0));
    EXPECT_FALSE(signature_hash_from_number(6));
    EXPECT_EQ(to_string(SignatureHash::identity), "identity");
}

}  // namespace
}  // namespace nsslab::crypto
