// IKEv2 key derivation reproduces what strongSwan 5.9.8 derived for real SAs
// (third_party/strongswan-5.9.8-ikev2): SKEYSEED and SK_* for an AES-CBC and an AES-GCM suite,
// and the SKEYSEED and SK_* of an IKE rekey; Child SA KEYMAT with and without PFS.
#include "nsslab/crypto/ike_keys.hpp"

#include <gtest/gtest.h>

#include "vector_file.hpp"

namespace nsslab::crypto {
namespace {

using test::find_section;
using test::read_vector_sections;
using test::VectorSection;

std::vector<VectorSection> strongswan() {
    return read_vector_sections("third_party/strongswan-5.9.8-ikev2/strongswan_rfc7427_sas.txt");
}

std::uint64_t spi(VectorSection const& v, std::string const& key) {
    Bytes const b = v.hex(key);
    NSSLAB_ASSERT(b.size() == 8, "an IKE SPI is 8 octets");
    std::uint64_t out = 0;
    for (auto x : b)
        out = out << 8 | x;
    return out;
}

void expect_keys(IkeSaKeys const& keys, VectorSection const& v) {
    EXPECT_EQ(to_hex(keys.sk_d), v.text("sk_d"));
    EXPECT_EQ(to_hex(keys.sk_ai), v.has("sk_ai") ? v.text("sk_ai") : "");
    EXPECT_EQ(to_hex(keys.sk_ar), v.has("sk_ar") ? v.text("sk_ar") : "");
    EXPECT_EQ(to_hex(keys.sk_ei), v.text("sk_ei"));
    EXPECT_EQ(to_hex(keys.sk_er), v.text("sk_er"));
    EXPECT_EQ(to_hex(keys.sk_pi), v.text("sk_pi"));
    EXPECT_EQ(to_hex(keys.sk_pr), v.text("sk_pr"));
}

// SKEYSEED = prf(Ni | Nr, g^ir), then SK_* for `suite`, as charon logged them.
void expect_initial_sa(VectorSection const& v, IkeSaSuite const& suite) {
    auto skeyseed = derive_skeyseed(suite.prf, v.hex("ni"), v.hex("nr"), v.hex("g_ir"));
    ASSERT_TRUE(skeyseed);
    EXPECT_EQ(to_hex(*skeyseed), v.text("skeyseed"));
    auto keys = derive_ike_sa_keys(suite, *skeyseed, v.hex("ni"), v.hex("nr"), spi(v, "spi_i"),
                                   spi(v, "spi_r"));
    ASSERT_TRUE(keys) << keys.error().what();
    expect_keys(*keys, v);
}

TEST(IkeKeysStrongswan, AesCbc256HmacSha256Ecp256) {
    expect_initial_sa(find_section(strongswan(), "sa ecdsa|1"),
                      {EncryptionAlgorithm::aes_cbc_256, IntegrityAlgorithm::hmac_sha2_256_128,
                       PrfAlgorithm::hmac_sha2_256});
}

// RFC 5282: no SK_a; SK_e = 16-octet key | 4-octet salt (20 octets, as charon logs).
TEST(IkeKeysStrongswan, AesGcm16_128Ecp256) {
    auto const v = find_section(strongswan(), "sa ecdsa-gcm|3");
    EXPECT_EQ(v.hex("sk_ei").size(), 20u);
    EXPECT_FALSE(v.has("sk_ai"));
    expect_initial_sa(v, {EncryptionAlgorithm::aes_gcm_16_128, IntegrityAlgorithm::none,
                          PrfAlgorithm::hmac_sha2_256});
}

// RFC 7296 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), then the usual split with
// the new SPIs.
TEST(IkeKeysStrongswan, IkeRekey) {
    auto const v = find_section(strongswan(), "ike rekey");
    auto skeyseed = derive_rekey_skeyseed(PrfAlgorithm::hmac_sha2_256, v.hex("sk_d_old"),
                                          v.hex("g_ir_new"), v.hex("ni"), v.hex("nr"));
    ASSERT_TRUE(skeyseed);
    EXPECT_EQ(to_hex(*skeyseed), v.text("skeyseed"));
    IkeSaSuite const suite{EncryptionAlgorithm::aes_cbc_256, IntegrityAlgorithm::hmac_sha2_256_128,
                           PrfAlgorithm::hmac_sha2_256};
    auto keys = derive_ike_sa_keys(suite, *skeyseed, v.hex("ni"), v.hex("nr"), spi(v, "spi_i"),
                                   spi(v, "spi_r"));
    ASSERT_TRUE(keys);
    expect_keys(*keys, v);
}

TEST(IkeKeys, ChildKeymatWithAndWithoutPfs) {
    auto const v = find_section(strongswan(), "child keymat");
    auto const prf = PrfAlgorithm::hmac_sha2_256;
    auto keymat = derive_child_keymat(prf, v.hex("sk_d"), {}, v.hex("ni"), v.hex("nr"), 40);
    ASSERT_TRUE(keymat);
    EXPECT_EQ(to_hex(*keymat), v.text("keymat"));
    auto pfs =
        derive_child_keymat(prf, v.hex("sk_d"), v.hex("g_ir_new"), v.hex("ni"), v.hex("nr"), 40);
    ASSERT_TRUE(pfs);
    EXPECT_EQ(to_hex(*pfs), v.text("keymat_pfs"));

    // ESP AES_GCM_16_128: encryption_i = first 20 octets, encryption_r = next 20, no integrity.
    auto keys = derive_child_sa_keys(prf, v.hex("sk_d"), {}, v.hex("ni"), v.hex("nr"),
                                     EncryptionAlgorithm::aes_gcm_16_128, IntegrityAlgorithm::none);
    ASSERT_TRUE(keys);
    EXPECT_EQ(to_hex(keys->encryption_i), v.text("keymat").substr(0, 40));
    EXPECT_EQ(to_hex(keys->encryption_r), v.text("keymat").substr(40, 40));
    EXPECT_TRUE(keys->integrity_i.empty());
    EXPECT_TRUE(keys->integrity_r.empty());
}

// RFC 7296 2.17 order for a CBC child: encr_i, integ_i, encr_r, integ_r.
TEST(IkeKeys, ChildSaKeysCbcOrder) {
    Bytes const sk_d(32, 0x11);
    Bytes const ni(32, 0x22);
    Bytes const nr(32, 0x33);
    auto const prf = PrfAlgorithm::hmac_sha2_256;
    auto keymat = derive_child_keymat(prf, sk_d, {}, ni, nr, 2 * (16 + 32));
    auto keys = derive_child_sa_keys(prf, sk_d, {}, ni, nr, EncryptionAlgorithm::aes_cbc_128,
                                     IntegrityAlgorithm::hmac_sha2_256_128);
    ASSERT_TRUE(keymat && keys);
    ByteView const k(*keymat);
    EXPECT_EQ(keys->encryption_i, Bytes(k.begin(), k.begin() + 16));
    EXPECT_EQ(keys->integrity_i, Bytes(k.begin() + 16, k.begin() + 48));
    EXPECT_EQ(keys->encryption_r, Bytes(k.begin() + 48, k.begin() + 64));
    EXPECT_EQ(keys->integrity_r, Bytes(k.begin() + 64, k.end()));
}

TEST(IkeKeys, SplitLengthsFollowTheSuite) {
    Bytes const seed(48, 0x5a);
    Bytes const n(32, 1);
    IkeSaSuite const suite{EncryptionAlgorithm::aes_cbc_128, IntegrityAlgorithm::hmac_sha2_512_256,
                           PrfAlgorithm::hmac_sha2_384};
    auto keys = derive_ike_sa_keys(suite, seed, n, n, 1, 2);
    ASSERT_TRUE(keys);
    EXPECT_EQ(keys->sk_d.size(), 48u);
    EXPECT_EQ(keys->sk_ai.size(), 64u);
    EXPECT_EQ(keys->sk_ei.size(), 16u);
    EXPECT_EQ(keys->sk_pr.size(), 48u);
    // The same split read from prf+ directly.
    Bytes s = n;
    s.insert(s.end(), n.begin(), n.end());
    for (std::uint8_t b : {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2})
        s.push_back(b);
    auto km = prf_plus(PrfAlgorithm::hmac_sha2_384, seed, s, 3 * 48 + 2 * 64 + 2 * 16);
    ASSERT_TRUE(km);
    EXPECT_EQ(keys->sk_pr, Bytes(km->end() - 48, km->end()));
    EXPECT_EQ(keys->sk_er, Bytes(km->begin() + 48 + 128 + 16, km->begin() + 48 + 128 + 32));
}

TEST(IkeKeys, InvalidTransformPairsAreRefused) {
    Bytes const x(32, 1);
    IkeSaSuite gcm_with_hmac{EncryptionAlgorithm::aes_gcm_16_256,
                             IntegrityAlgorithm::hmac_sha2_256_128, PrfAlgorithm::hmac_sha2_256};
    EXPECT_EQ(derive_ike_sa_keys(gcm_with_hmac, x, x, x, 1, 2).error().code,
              Errc::invalid_argument);
    IkeSaSuite cbc_alone{EncryptionAlgorithm::aes_cbc_256, IntegrityAlgorithm::none,
                         PrfAlgorithm::hmac_sha2_256};
    EXPECT_EQ(derive_ike_sa_keys(cbc_alone, x, x, x, 1, 2).error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace nsslab::crypto
