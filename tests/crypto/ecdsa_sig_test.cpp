// ECDSA DER Ecdsa-Sig-Value <-> raw r|s (RFC 4754): the RFC 6979 A.2.5 (r, s), signatures of
// every curve converted both ways and still verifying, and non-DER or oversized input refused.
#include "nsslab/crypto/ecdsa_sig.hpp"

#include <gtest/gtest.h>

#include "nsslab/crypto/signature.hpp"
#include "vector_file.hpp"

namespace nsslab::crypto {
namespace {

// DER INTEGER of a big-endian unsigned value (minimal, with a 0x00 when the top bit is set).
Bytes der_integer(Bytes const& v) {
    std::size_t start = 0;
    while (start + 1 < v.size() && v[start] == 0 && !(v[start + 1] & 0x80))
        ++start;
    bool const pad = (v[start] & 0x80) != 0;
    Bytes out{0x02, static_cast<std::uint8_t>(v.size() - start + (pad ? 1 : 0))};
    if (pad)
        out.push_back(0);
    out.insert(out.end(), v.begin() + static_cast<std::ptrdiff_t>(start), v.end());
    return out;
}

Bytes der_sequence(Bytes const& a, Bytes const& b) {
    Bytes out{0x30, static_cast<std::uint8_t>(a.size() + b.size())};
    out.insert(out.end(), a.begin(), a.end());
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

TEST(EcdsaSig, Rfc6979Sample) {
    // That file has no section header; read it as key = value lines.
    std::ifstream in(std::string(NSSLAB_SOURCE_DIR) +
                     "/third_party/rfc6979/ecdsa_p256_sha256_sample.txt");
    std::map<std::string, std::string> kv;
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (line.empty() || line[0] == '#' || eq == std::string::npos)
            continue;
        kv[test::trim_spaces(line.substr(0, eq))] = test::trim_spaces(line.substr(eq + 1));
    }
    Bytes const r = *from_hex(kv.at("r"));
    Bytes const s = *from_hex(kv.at("s"));
    Bytes raw = r;
    raw.insert(raw.end(), s.begin(), s.end());
    Bytes const der = der_sequence(der_integer(r), der_integer(s));
    ASSERT_EQ(der.size(), 2u + 2 * 35);  // both have the top bit set: 0x00 | 32 octets
    auto to_raw = ecdsa_der_to_raw(der, EcdsaCurve::p256);
    ASSERT_TRUE(to_raw) << to_raw.error().what();
    EXPECT_EQ(*to_raw, raw);
    auto to_der = ecdsa_raw_to_der(raw, EcdsaCurve::p256);
    ASSERT_TRUE(to_der);
    EXPECT_EQ(*to_der, der);
}

TEST(EcdsaSig, ShortScalarsArePaddedToTheCurveWidth) {
    Bytes const r{0x01};
    Bytes const s{0x7f, 0xff};
    auto raw = ecdsa_der_to_raw(der_sequence(der_integer(r), der_integer(s)), EcdsaCurve::p521);
    ASSERT_TRUE(raw);
    ASSERT_EQ(raw->size(), 132u);
    EXPECT_EQ((*raw)[65], 0x01);
    EXPECT_EQ((*raw)[130], 0x7f);
    EXPECT_EQ((*raw)[131], 0xff);
    EXPECT_EQ(*ecdsa_raw_to_der(*raw, EcdsaCurve::p521),
              der_sequence(der_integer(r), der_integer(s)));
}

struct CurveCase {
    KeyType key;
    EcdsaCurve curve;
    SignatureScheme scheme;
};

class EcdsaSigCurve : public ::testing::TestWithParam<CurveCase> {};

TEST_P(EcdsaSigCurve, SignaturesConvertBothWaysAndStillVerify) {
    auto const c = GetParam();
    auto key = PrivateKey::generate(nullptr, c.key);
    ASSERT_TRUE(key);
    Bytes const msg = to_bytes("AUTH method 9/10/11 octets");
    for (int n = 0; n < 8; ++n) {
        auto der = sign(*key, c.scheme, msg);
        ASSERT_TRUE(der);
        auto raw = ecdsa_der_to_raw(*der, c.curve);
        ASSERT_TRUE(raw) << raw.error().what();
        EXPECT_EQ(raw->size(), 2 * ecdsa_scalar_size(c.curve));
        auto back = ecdsa_raw_to_der(*raw, c.curve);
        ASSERT_TRUE(back);
        EXPECT_EQ(*back, *der);
        EXPECT_TRUE(verify(key->public_key(), c.scheme, msg, *back));
    }
}

INSTANTIATE_TEST_SUITE_P(
    Curves, EcdsaSigCurve,
    ::testing::Values(CurveCase{KeyType::ec_p256, EcdsaCurve::p256, SignatureScheme::ecdsa_sha256},
                      CurveCase{KeyType::ec_p384, EcdsaCurve::p384, SignatureScheme::ecdsa_sha384},
                      CurveCase{KeyType::ec_p521, EcdsaCurve::p521,
                                SignatureScheme::ecdsa_sha512}));

TEST(EcdsaSig, BadInputIsRefused) {
    Bytes const r(32, 0x11);
    Bytes const s(32, 0x22);
    Bytes const der = der_sequence(der_integer(r), der_integer(s));
    Bytes trailing = der;
    trailing.push_back(0);
    EXPECT_EQ(ecdsa_der_to_raw(trailing, EcdsaCurve::p256).error().code, Errc::decode_error);
    // Non-minimal INTEGER: a superfluous leading zero.
    Bytes padded_r{0x02, 0x21, 0x00};
    padded_r.insert(padded_r.end(), r.begin(), r.end());
    EXPECT_EQ(
        ecdsa_der_to_raw(der_sequence(padded_r, der_integer(s)), EcdsaCurve::p256).error().code,
        Errc::decode_error);
    // A P-384-sized r read as P-256.
    Bytes const wide(48, 0x33);
    EXPECT_EQ(ecdsa_der_to_raw(der_sequence(der_integer(wide), der_integer(s)), EcdsaCurve::p256)
                  .error()
                  .code,
              Errc::decode_error);
    // r = 0.
    EXPECT_EQ(
        ecdsa_der_to_raw(der_sequence(Bytes{0x02, 0x01, 0x00}, der_integer(s)), EcdsaCurve::p256)
            .error()
            .code,
        Errc::decode_error);
    for (std::size_t n = 0; n < der.size(); ++n)
        EXPECT_FALSE(ecdsa_der_to_raw(ByteView(der).first(n), EcdsaCurve::p256)) << n;
    EXPECT_EQ(ecdsa_raw_to_der(Bytes(63, 1), EcdsaCurve::p256).error().code,
              Errc::invalid_argument);
    Bytes zero_s(64, 1);
    std::fill(zero_s.begin() + 32, zero_s.end(), 0);
    EXPECT_EQ(ecdsa_raw_to_der(zero_s, EcdsaCurve::p256).error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace nsslab::crypto
