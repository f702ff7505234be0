// PRF_HMAC_SHA2_256/384/512 against RFC 4868 2.7.1 and RFC 4231, and prf+ (RFC 7296 2.13)
// built block by block from prf.
#include "nsslab/crypto/prf.hpp"

#include <gtest/gtest.h>

#include "nsslab/crypto/hmac.hpp"
#include "vector_file.hpp"

namespace nsslab::crypto {
namespace {

using test::find_section;
using test::read_vector_sections;

std::optional<PrfAlgorithm> prf_named(std::string const& alg) {
    if (alg.rfind("PRF_HMAC_SHA2_256", 0) == 0)
        return PrfAlgorithm::hmac_sha2_256;
    if (alg.rfind("PRF_HMAC_SHA2_384", 0) == 0)
        return PrfAlgorithm::hmac_sha2_384;
    if (alg.rfind("PRF_HMAC_SHA2_512", 0) == 0)
        return PrfAlgorithm::hmac_sha2_512;
    return std::nullopt;
}

TEST(Prf, Rfc4868PrfVectors) {
    int checked = 0;
    for (auto const& v : read_vector_sections("third_party/rfc4868/hmac_sha2_prf_integ.txt")) {
        auto alg = prf_named(v.text("alg"));
        if (!alg)
            continue;
        SCOPED_TRACE(v.name);
        auto out = prf(*alg, v.hex("key"), v.hex("data"));
        ASSERT_TRUE(out);
        EXPECT_EQ(to_hex(*out), v.text("prf_out"));
        ++checked;
    }
    EXPECT_EQ(checked, 15);  // five cases for each of the three PRFs
}

TEST(Prf, Rfc4231Case2AndTruncatedCase5) {
    auto const sections = read_vector_sections("third_party/rfc4231/hmac_sha2.txt");
    auto const c2 = find_section(sections, "test case 2");
    EXPECT_EQ(to_hex(*prf(PrfAlgorithm::hmac_sha2_256, c2.hex("key"), c2.hex("data"))),
              c2.text("sha256"));
    EXPECT_EQ(to_hex(*prf(PrfAlgorithm::hmac_sha2_384, c2.hex("key"), c2.hex("data"))),
              c2.text("sha384"));
    EXPECT_EQ(to_hex(*prf(PrfAlgorithm::hmac_sha2_512, c2.hex("key"), c2.hex("data"))),
              c2.text("sha512"));
    auto const c5 = find_section(sections, "test case 5");
    for (auto [alg, key] : {std::pair{PrfAlgorithm::hmac_sha2_256, "sha256_128"},
                            std::pair{PrfAlgorithm::hmac_sha2_384, "sha384_128"},
                            std::pair{PrfAlgorithm::hmac_sha2_512, "sha512_128"}}) {
        auto out = prf(alg, c5.hex("key"), c5.hex("data"));
        ASSERT_TRUE(out);
        EXPECT_EQ(to_hex(ByteView(*out).first(16)), c5.text(key));
    }
}

TEST(Prf, TableAndSizes) {
    EXPECT_EQ(prf_from_number(5), PrfAlgorithm::hmac_sha2_256);
    EXPECT_EQ(prf_from_number(7), PrfAlgorithm::hmac_sha2_512);
    EXPECT_FALSE(prf_from_number(2));  // PRF_HMAC_SHA1: not implemented
    EXPECT_EQ(prf_output_size(PrfAlgorithm::hmac_sha2_384), 48u);
    EXPECT_EQ(to_string(PrfAlgorithm::hmac_sha2_512), "PRF_HMAC_SHA2_512");
}

// T1 = prf(K, S | 0x01), T2 = prf(K, T1 | S | 0x02), T3 = prf(K, T2 | S | 0x03).
TEST(PrfPlus, IsTheRfc7296Construction) {
    Bytes const key = to_bytes("SKEYSEED-like key");
    Bytes const seed = to_bytes("Ni | Nr | SPIi | SPIr");
    for (auto alg :
         {PrfAlgorithm::hmac_sha2_256, PrfAlgorithm::hmac_sha2_384, PrfAlgorithm::hmac_sha2_512}) {
        std::size_t const n = prf_output_size(alg);
        Bytes expected;
        Bytes t;
        for (std::uint8_t i = 1; i <= 3; ++i) {
            Bytes in = t;
            in.insert(in.end(), seed.begin(), seed.end());
            in.push_back(i);
            t = *prf(alg, key, in);
            expected.insert(expected.end(), t.begin(), t.end());
        }
        expected.resize(2 * n + 5);
        auto out = prf_plus(alg, key, seed, 2 * n + 5);
        ASSERT_TRUE(out);
        EXPECT_EQ(*out, expected);
        // A shorter request is a prefix of a longer one.
        EXPECT_EQ(*prf_plus(alg, key, seed, 7), Bytes(expected.begin(), expected.begin() + 7));
    }
}

TEST(PrfPlus, LengthIsBoundedBy255Blocks) {
    auto const alg = PrfAlgorithm::hmac_sha2_256;
    auto full = prf_plus(alg, Bytes{1}, Bytes{2}, 255 * 32);
    ASSERT_TRUE(full);
    EXPECT_EQ(full->size(), 255u * 32);
    auto over = prf_plus(alg, Bytes{1}, Bytes{2}, 255 * 32 + 1);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, Errc::invalid_argument);
    EXPECT_TRUE(prf_plus(alg, Bytes{1}, Bytes{2}, 0)->empty());
}

}  // namespace
}  // namespace nsslab::crypto
