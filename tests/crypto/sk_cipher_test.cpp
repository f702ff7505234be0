// SK payload protection: the ciphers against RFC 3602, NIST SP 800-38A and the GCM
// specification's vectors; the ICV construction against RFC 4868; real strongSwan IKE_AUTH
// messages (AES-CBC-256/HMAC-SHA2-256-128 and AES-GCM-16-128) decrypted with the logged keys;
// round trips for every suite; tampered, truncated and badly padded bodies refused; seeded IVs.
#include "nsslab/crypto/sk_cipher.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "nsslab/crypto/hmac.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "vector_file.hpp"

namespace nsslab::crypto {
namespace {

using test::find_section;
using test::read_vector_sections;

Bytes slice(ByteView v, std::size_t from, std::size_t n) {
    auto s = v.subspan(from, n);
    return Bytes(s.begin(), s.end());
}

SkCipher make(EncryptionAlgorithm e, IntegrityAlgorithm i, ByteView ek, ByteView ik) {
    auto c = SkCipher::create(e, i, ek, ik);
    NSSLAB_ASSERT(c.has_value(), "SkCipher::create failed");
    return std::move(*c);
}

// RFC 3602 section 4: the first blocks of the SK ciphertext are the RFC's ciphertext (the inner
// data is whole blocks, the padding block follows).
TEST(SkCipherVectors, Rfc3602AesCbc128) {
    Bytes const integrity_key(32, 0x5a);
    for (auto const& v : read_vector_sections("third_party/rfc3602/aes_cbc_128.txt")) {
        SCOPED_TRACE(v.name);
        auto c = make(EncryptionAlgorithm::aes_cbc_128, IntegrityAlgorithm::hmac_sha2_256_128,
                      v.hex("key"), integrity_key);
        Bytes const pt = v.hex("plaintext");
        auto body = c.protect_with_iv(v.hex("iv"), {}, pt);
        ASSERT_TRUE(body) << body.error().what();
        EXPECT_EQ(body->size(), 16 + pt.size() + 16 + 16);
        EXPECT_EQ(slice(*body, 0, 16), v.hex("iv"));
        EXPECT_EQ(to_hex(slice(*body, 16, pt.size())), v.text("ciphertext"));
        EXPECT_EQ(*c.unprotect({}, *body), pt);
    }
}

TEST(SkCipherVectors, NistSp80038aAesCbc256) {
    auto const v = read_vector_sections("third_party/nist-sp800-38a/aes_cbc_256.txt").at(0);
    auto c = make(EncryptionAlgorithm::aes_cbc_256, IntegrityAlgorithm::hmac_sha2_512_256,
                  v.hex("key"), Bytes(64, 1));
    Bytes const pt = v.hex("plaintext");
    auto body = c.protect_with_iv(v.hex("iv"), to_bytes("aad"), pt);
    ASSERT_TRUE(body);
    EXPECT_EQ(to_hex(slice(*body, 16, pt.size())), v.text("ciphertext"));
    EXPECT_EQ(*c.unprotect(to_bytes("aad"), *body), pt);
}

// GCM spec test cases 4 and 16: IV = salt (SK_e tail) | explicit IV. The vector's tag verifies
// over the vector's AAD; its plaintext then reads as inner data + padding with Pad Length 0x39.
TEST(SkCipherVectors, GcmSpecTestCases4And16) {
    for (auto const& v : read_vector_sections("third_party/gcm-spec/aes_gcm.txt")) {
        SCOPED_TRACE(v.name);
        Bytes const iv = v.hex("iv");
        Bytes sk_e = v.hex("key");
        sk_e.insert(sk_e.end(), iv.begin(), iv.begin() + 4);
        auto const alg = sk_e.size() == 20 ? EncryptionAlgorithm::aes_gcm_16_128
                                           : EncryptionAlgorithm::aes_gcm_16_256;
        auto c = make(alg, IntegrityAlgorithm::none, sk_e, {});
        Bytes body(iv.begin() + 4, iv.end());
        Bytes const ct = v.hex("ciphertext");
        Bytes const tag = v.hex("tag");
        body.insert(body.end(), ct.begin(), ct.end());
        body.insert(body.end(), tag.begin(), tag.end());
        Bytes const pt = v.hex("plaintext");
        ASSERT_EQ(pt.back(), 0x39);
        auto inner = c.unprotect(v.hex("aad"), body);
        ASSERT_TRUE(inner) << inner.error().what();
        EXPECT_EQ(*inner, slice(pt, 0, pt.size() - 1 - 0x39));
        // Encrypting is CTR mode: the same keystream gives the vector's first ciphertext octets.
        auto mine = c.protect_with_iv(slice(iv, 4, 8), v.hex("aad"), slice(pt, 0, 2));
        ASSERT_TRUE(mine);
        EXPECT_EQ(slice(*mine, 8, 2), slice(ct, 0, 2));
        // One flipped tag bit: integrity failure.
        body.back() ^= 0x80;
        EXPECT_EQ(c.unprotect(v.hex("aad"), body).error().code, Errc::auth_failed);
    }
}

// RFC 4868 2.7.2: the ICV is the HMAC truncated to half its length; SkCipher's ICV is that over
// aad | IV | ciphertext.
TEST(SkCipherVectors, Rfc4868IntegrityTruncation) {
    int checked = 0;
    for (auto const& v : read_vector_sections("third_party/rfc4868/hmac_sha2_prf_integ.txt")) {
        if (!v.has("icv"))
            continue;
        SCOPED_TRACE(v.name);
        auto const n = v.hex("key").size();
        auto const integrity = n == 32   ? IntegrityAlgorithm::hmac_sha2_256_128
                               : n == 48 ? IntegrityAlgorithm::hmac_sha2_384_192
                                         : IntegrityAlgorithm::hmac_sha2_512_256;
        auto const hash = n == 32   ? HmacHash::sha256
                          : n == 48 ? HmacHash::sha384
                                    : HmacHash::sha512;
        EXPECT_EQ(integrity_key_size(integrity), n);
        auto mac = hmac(hash, v.hex("key"), v.hex("data"));
        ASSERT_TRUE(mac);
        EXPECT_EQ(to_hex(slice(*mac, 0, integrity_icv_size(integrity))), v.text("icv"));

        auto c = make(EncryptionAlgorithm::aes_cbc_128, integrity, Bytes(16, 7), v.hex("key"));
        Bytes const aad = v.hex("data");
        auto body = c.protect_with_iv(Bytes(16, 9), aad, to_bytes("inner payloads"));
        ASSERT_TRUE(body);
        Bytes covered = aad;
        covered.insert(covered.end(), body->begin(), body->end() - c.icv_size());
        auto expected = hmac(hash, v.hex("key"), covered);
        EXPECT_EQ(slice(*body, body->size() - c.icv_size(), c.icv_size()),
                  slice(*expected, 0, c.icv_size()));
        ++checked;
    }
    EXPECT_EQ(checked, 9);
}

// IKE_AUTH requests a real charon sent, decrypted with the keys it logged.
TEST(SkCipherStrongswan, DecryptsRealIkeAuthRequests) {
    auto const sections =
        read_vector_sections("third_party/strongswan-5.9.8-ikev2/strongswan_rfc7427_sas.txt");
    for (char const* name : {"sa ecdsa|1", "sa ecdsa-gcm|3"}) {
        SCOPED_TRACE(name);
        auto const v = find_section(sections, name);
        bool const gcm = v.text("suite").rfind("AES_GCM", 0) == 0;
        Bytes const msg = v.hex("ike_auth_request");
        ASSERT_EQ(msg[16], 46);  // first payload: SK
        ByteView const aad = ByteView(msg).first(28 + 4);
        ByteView const body = ByteView(msg).subspan(32);
        auto c = gcm ? make(EncryptionAlgorithm::aes_gcm_16_128, IntegrityAlgorithm::none,
                            v.hex("sk_ei"), {})
                     : make(EncryptionAlgorithm::aes_cbc_256, IntegrityAlgorithm::hmac_sha2_256_128,
                            v.hex("sk_ei"), v.hex("sk_ai"));
        auto inner = c.unprotect(aad, body);
        ASSERT_TRUE(inner) << inner.error().what();
        EXPECT_EQ(to_hex(*inner), v.text("ike_auth_inner_plaintext"));
        if (gcm) {
            // No padding with GCM: protecting again with the same IV gives charon's bytes.
            auto again = c.protect_with_iv(body.first(8), aad, *inner);
            ASSERT_TRUE(again);
            EXPECT_EQ(*again, Bytes(body.begin(), body.end()));
        }
        // The responder's keys do not open the initiator's message.
        auto wrong =
            gcm ? make(EncryptionAlgorithm::aes_gcm_16_128, IntegrityAlgorithm::none,
                       v.hex("sk_er"), {})
                : make(EncryptionAlgorithm::aes_cbc_256, IntegrityAlgorithm::hmac_sha2_256_128,
                       v.hex("sk_er"), v.hex("sk_ar"));
        EXPECT_EQ(wrong.unprotect(aad, body).error().code, Errc::auth_failed);
    }
}

struct Suite {
    EncryptionAlgorithm encryption;
    IntegrityAlgorithm integrity;
};

std::string suite_name(Suite const& s) {
    return std::string(to_string(s.encryption)) + (s.integrity == IntegrityAlgorithm::none
                                                       ? ""
                                                       : "_" + std::string(to_string(s.integrity)));
}

class SkCipherSuite : public ::testing::TestWithParam<Suite> {
  protected:
    SkCipher cipher() const {
        auto const s = GetParam();
        return make(s.encryption, s.integrity, Bytes(encryption_keymat_size(s.encryption), 0x42),
                    Bytes(integrity_key_size(s.integrity), 0x24));
    }
    Bytes aad() const {
        Bytes a(32, 0);
        a[17] = 0x20;  // version 2.0, as an IKE header would have
        a[16] = 46;
        return a;
    }
};

TEST_P(SkCipherSuite, RoundTripsEverySize) {
    auto ctx = LibContext::deterministic(3, "SYSTEMA");
    ASSERT_TRUE(ctx);
    auto const c = cipher();
    for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 31u, 100u, 1200u}) {
        Bytes inner(n);
        for (std::size_t k = 0; k < n; ++k)
            inner[k] = static_cast<std::uint8_t>(k * 7 + 1);
        auto body = c.protect(**ctx, aad(), inner);
        ASSERT_TRUE(body) << body.error().what();
        EXPECT_EQ(body->size(), c.body_size(n));
        EXPECT_EQ((body->size() - c.iv_size() - c.icv_size()) % block_size(c.encryption()), 0u);
        auto back = c.unprotect(aad(), *body);
        ASSERT_TRUE(back) << back.error().what();
        EXPECT_EQ(*back, inner);
    }
}

TEST_P(SkCipherSuite, TamperingIsAnIntegrityFailure) {
    auto ctx = LibContext::deterministic(3, "SYSTEMA");
    ASSERT_TRUE(ctx);
    auto const c = cipher();
    auto const body = *c.protect(**ctx, aad(), to_bytes("IDi CERT AUTH SA TSi TSr"));
    for (std::size_t at :
         {std::size_t{0}, c.iv_size(), body.size() - c.icv_size() - 1, body.size() - 1}) {
        Bytes bad = body;
        bad[at] ^= 0x01;
        auto r = c.unprotect(aad(), bad);
        ASSERT_FALSE(r) << "flipped octet " << at;
        EXPECT_EQ(r.error().code, Errc::auth_failed);
    }
    Bytes bad_aad = aad();
    bad_aad[19] ^= 0x01;  // message ID
    EXPECT_EQ(c.unprotect(bad_aad, body).error().code, Errc::auth_failed);
}

TEST_P(SkCipherSuite, TruncatedBodiesAreRefused) {
    auto ctx = LibContext::deterministic(3, "SYSTEMA");
    ASSERT_TRUE(ctx);
    auto const c = cipher();
    auto const body = *c.protect(**ctx, aad(), Bytes{});
    ASSERT_EQ(body.size(), c.body_size(0));
    EXPECT_EQ(c.unprotect(aad(), ByteView(body).first(body.size() - 1)).error().code,
              Errc::truncated);
    EXPECT_EQ(c.unprotect(aad(), {}).error().code, Errc::truncated);
    EXPECT_EQ(c.unprotect(aad(), ByteView(body).first(c.iv_size() + c.icv_size())).error().code,
              Errc::truncated);
    if (!is_aead(c.encryption())) {
        // One block plus one octet of ciphertext: not a whole number of blocks.
        Bytes longer = *c.protect(**ctx, aad(), Bytes(20, 1));
        longer.erase(longer.begin() + static_cast<std::ptrdiff_t>(c.iv_size()));
        EXPECT_EQ(c.unprotect(aad(), longer).error().code, Errc::decode_error);
    }
}

// DESIGN.md §4: IVs come from the seeded context, so the same seed gives the same bytes.
TEST_P(SkCipherSuite, SameSeedSameCiphertext) {
    auto a = LibContext::deterministic(99, "SYSTEMA");
    auto b = LibContext::deterministic(99, "SYSTEMA");
    auto other = LibContext::deterministic(100, "SYSTEMA");
    ASSERT_TRUE(a && b && other);
    auto const c = cipher();
    Bytes const inner = to_bytes("N(REKEY_SA) SA Ni KEi TSi TSr");
    for (int n = 0; n < 3; ++n) {
        auto x = c.protect(**a, aad(), inner);
        auto y = c.protect(**b, aad(), inner);
        auto z = c.protect(**other, aad(), inner);
        ASSERT_TRUE(x && y && z);
        EXPECT_EQ(*x, *y);
        EXPECT_NE(*x, *z);
    }
    // Successive IVs differ.
    EXPECT_NE(*c.protect(**a, aad(), inner), *c.protect(**a, aad(), inner));
}

INSTANTIATE_TEST_SUITE_P(
    Suites, SkCipherSuite,
    ::testing::Values(
        Suite{EncryptionAlgorithm::aes_cbc_128, IntegrityAlgorithm::hmac_sha2_256_128},
        Suite{EncryptionAlgorithm::aes_cbc_128, IntegrityAlgorithm::hmac_sha2_384_192},
        Suite{EncryptionAlgorithm::aes_cbc_128, IntegrityAlgorithm::hmac_sha2_512_256},
        Suite{EncryptionAlgorithm::aes_cbc_256, IntegrityAlgorithm::hmac_sha2_256_128},
        Suite{EncryptionAlgorithm::aes_cbc_256, IntegrityAlgorithm::hmac_sha2_384_192},
        Suite{EncryptionAlgorithm::aes_cbc_256, IntegrityAlgorithm::hmac_sha2_512_256},
        Suite{EncryptionAlgorithm::aes_gcm_16_128, IntegrityAlgorithm::none},
        Suite{EncryptionAlgorithm::aes_gcm_16_256, IntegrityAlgorithm::none}),
    [](auto const& param_info) { return suite_name(param_info.param); });

// Raw AES without SkCipher, to build bodies whose Pad Length is wrong but whose ICV is valid.
Bytes raw_encrypt(char const* cipher_name, ByteView key, ByteView iv, ByteView plain, ByteView aad,
                  Bytes* tag) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, cipher_name, nullptr);
    Bytes out(plain.size() + 16);
    int len = 0;
    int tail = 0;
    NSSLAB_ASSERT(EVP_EncryptInit_ex2(ctx, cipher, key.data(), iv.data(), nullptr) == 1, "init");
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    if (tag != nullptr && !aad.empty())
        EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size()));
    EVP_EncryptUpdate(ctx, out.data(), &len, plain.data(), static_cast<int>(plain.size()));
    EVP_EncryptFinal_ex(ctx, out.data() + len, &tail);
    out.resize(static_cast<std::size_t>(len + tail));
    if (tag != nullptr) {
        tag->resize(16);
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag->data());
    }
    EVP_CIPHER_free(cipher);
    EVP_CIPHER_CTX_free(ctx);
    return out;
}

TEST(SkCipherPadding, PadLengthBeyondTheDataIsMalformed) {
    Bytes const aad(32, 3);
    {
        Bytes const key(16, 1);
        Bytes const integrity_key(32, 2);
        Bytes const iv(16, 4);
        Bytes plain(16, 0);
        plain.back() = 16;  // Pad Length 16 in a 16-octet plaintext
        Bytes body = iv;
        Bytes const ct = raw_encrypt("AES-128-CBC", key, iv, plain, {}, nullptr);
        body.insert(body.end(), ct.begin(), ct.end());
        Bytes covered = aad;
        covered.insert(covered.end(), body.begin(), body.end());
        auto mac = hmac(HmacHash::sha256, integrity_key, covered);
        body.insert(body.end(), mac->begin(), mac->begin() + 16);
        auto c = make(EncryptionAlgorithm::aes_cbc_128, IntegrityAlgorithm::hmac_sha2_256_128, key,
                      integrity_key);
        auto r = c.unprotect(aad, body);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, Errc::decode_error);
        EXPECT_NE(r.error().message.find("Pad Length 16"), std::string::npos) << r.error().message;
        // Pad Length 15 in the same block is fine: no inner data.
        plain.back() = 15;
        Bytes ok_body = iv;
        Bytes const ok_ct = raw_encrypt("AES-128-CBC", key, iv, plain, {}, nullptr);
        ok_body.insert(ok_body.end(), ok_ct.begin(), ok_ct.end());
        Bytes ok_cov = aad;
        ok_cov.insert(ok_cov.end(), ok_body.begin(), ok_body.end());
        auto ok_mac = hmac(HmacHash::sha256, integrity_key, ok_cov);
        ok_body.insert(ok_body.end(), ok_mac->begin(), ok_mac->begin() + 16);
        auto ok = c.unprotect(aad, ok_body);
        ASSERT_TRUE(ok) << ok.error().what();
        EXPECT_TRUE(ok->empty());
    }
    {
        Bytes sk_e(16, 1);
        Bytes const salt{9, 8, 7, 6};
        sk_e.insert(sk_e.end(), salt.begin(), salt.end());
        Bytes const explicit_iv(8, 5);
        Bytes nonce = salt;
        nonce.insert(nonce.end(), explicit_iv.begin(), explicit_iv.end());
        Bytes const plain{0xaa, 0x05};  // Pad Length 5 after one octet
        Bytes tag;
        Bytes const ct =
            raw_encrypt("AES-128-GCM", ByteView(sk_e).first(16), nonce, plain, aad, &tag);
        Bytes body = explicit_iv;
        body.insert(body.end(), ct.begin(), ct.end());
        body.insert(body.end(), tag.begin(), tag.end());
        auto c = make(EncryptionAlgorithm::aes_gcm_16_128, IntegrityAlgorithm::none, sk_e, {});
        auto r = c.unprotect(aad, body);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, Errc::decode_error);
    }
}

TEST(SkCipherCreate, KeyLengthsAndPairsAreChecked) {
    EXPECT_EQ(SkCipher::create(EncryptionAlgorithm::aes_cbc_256,
                               IntegrityAlgorithm::hmac_sha2_256_128, Bytes(16), Bytes(32))
                  .error()
                  .code,
              Errc::invalid_argument);
    EXPECT_EQ(SkCipher::create(EncryptionAlgorithm::aes_cbc_256,
                               IntegrityAlgorithm::hmac_sha2_256_128, Bytes(32), Bytes(16))
                  .error()
                  .code,
              Errc::invalid_argument);
    EXPECT_EQ(SkCipher::create(EncryptionAlgorithm::aes_gcm_16_256, IntegrityAlgorithm::none,
                               Bytes(32), {})
                  .error()
                  .code,
              Errc::invalid_argument);  // salt missing
    EXPECT_EQ(SkCipher::create(EncryptionAlgorithm::aes_gcm_16_256,
                               IntegrityAlgorithm::hmac_sha2_256_128, Bytes(36), Bytes(32))
                  .error()
                  .code,
              Errc::invalid_argument);
    auto c = make(EncryptionAlgorithm::aes_gcm_16_256, IntegrityAlgorithm::none, Bytes(36), {});
    EXPECT_EQ(c.iv_size(), 8u);
    EXPECT_EQ(c.icv_size(), 16u);
    EXPECT_EQ(c.body_size(10), 8u + 11u + 16u);
    EXPECT_EQ(c.protect_with_iv(Bytes(16), {}, {}).error().code, Errc::invalid_argument);
}

TEST(IkeTransforms, NumbersAndSizes) {
    EXPECT_EQ(encryption_from_transform(12, 256), EncryptionAlgorithm::aes_cbc_256);
    EXPECT_EQ(encryption_from_transform(20, 128), EncryptionAlgorithm::aes_gcm_16_128);
    EXPECT_FALSE(encryption_from_transform(12, 192));
    EXPECT_FALSE(encryption_from_transform(19, 128));  // AES-GCM-12
    EXPECT_EQ(transform_number(EncryptionAlgorithm::aes_gcm_16_256), 20);
    EXPECT_EQ(key_length_bits(EncryptionAlgorithm::aes_gcm_16_256), 256);
    EXPECT_EQ(encryption_keymat_size(EncryptionAlgorithm::aes_gcm_16_256), 36u);
    EXPECT_EQ(integrity_from_number(13), IntegrityAlgorithm::hmac_sha2_384_192);
    EXPECT_FALSE(integrity_from_number(2));  // AUTH_HMAC_SHA1_96
    EXPECT_EQ(integrity_icv_size(IntegrityAlgorithm::hmac_sha2_384_192), 24u);
    EXPECT_EQ(to_string(IntegrityAlgorithm::hmac_sha2_512_256), "HMAC_SHA2_512_256");
}

}  // namespace
}  // namespace nsslab::crypto
