// Single DES (FIPS 46-3) and HMAC (RFC 2104) wrappers against published vectors.
#include <gtest/gtest.h>

#include "nsslab/crypto/des.hpp"
#include "nsslab/crypto/hmac.hpp"

namespace nsslab::crypto {
namespace {

Bytes hex(std::string_view h) {
    return from_hex(h).value();
}

std::string des_hex(std::string_view key, std::string_view block) {
    auto k = hex(key);
    auto b = hex(block);
    auto r = des_encrypt_block(k, b);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().what());
    return r ? to_hex(*r, true) : "";
}

// FIPS PUB 81, Appendix B, Table B1 (ECB mode): key 0123456789ABCDEF,
// "Now is the time for all " in three blocks.
TEST(DesTest, Fips81EcbExample) {
    EXPECT_EQ(des_hex("0123456789ABCDEF", "4E6F772069732074"), "3FA40E8A984D4815");
    EXPECT_EQ(des_hex("0123456789ABCDEF", "68652074696D6520"), "6A271787AB8883F9");
    EXPECT_EQ(des_hex("0123456789ABCDEF", "666F7220616C6C20"), "893D51EC4B563B53");
}

// NIST SP 800-17, Table A.1 (variable plaintext known answer test), first entries.
TEST(DesTest, Sp80017VariablePlaintext) {
    EXPECT_EQ(des_hex("0101010101010101", "8000000000000000"), "95F8A5E5DD31D900");
    EXPECT_EQ(des_hex("0101010101010101", "4000000000000000"), "DD7F121CA5015619");
    EXPECT_EQ(des_hex("0101010101010101", "2000000000000000"), "2E8653104F3834EA");
}

// The textbook worked example (J. Orlin Grabbe, "The DES Algorithm Illustrated").
TEST(DesTest, WorkedExample) {
    EXPECT_EQ(des_hex("133457799BBCDFF1", "0123456789ABCDEF"), "85E813540F0AB405");
}

// chrrel/racf-passticket-generator DESEncrypterTest: key 098d61a85585d2ab, "TestByte" (ASCII).
TEST(DesTest, PassTicketGeneratorVector) {
    EXPECT_EQ(des_hex("098D61A85585D2AB", to_hex(as_bytes("TestByte"))), "1EC3753D7A79E3CE");
}

TEST(DesTest, ParityBitsIgnored) {
    // DES ignores the low bit of every key byte: 0x01.. and 0x00.. are the same key.
    EXPECT_EQ(des_hex("0000000000000000", "0000000000000000"),
              des_hex("0101010101010101", "0000000000000000"));
    EXPECT_EQ(des_hex("0000000000000000", "0000000000000000"), "8CA64DE9C1B123A7");
}

TEST(DesTest, EncryptorReusableAcrossBlocks) {
    auto enc = DesEncryptor::create(hex("0123456789ABCDEF"));
    ASSERT_TRUE(enc.has_value());
    DesBlock b1{0x4E, 0x6F, 0x77, 0x20, 0x69, 0x73, 0x20, 0x74};
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(to_hex(enc->encrypt(b1), true), "3FA40E8A984D4815");
    DesEncryptor moved = std::move(*enc);
    EXPECT_EQ(to_hex(moved.encrypt(b1), true), "3FA40E8A984D4815");
}

TEST(DesTest, BadLengthsRejectedWithoutKeyBytes) {
    auto k = hex("00112233445566");
    auto r = DesEncryptor::create(k);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    EXPECT_EQ(r.error().message.find("0011"), std::string::npos);
    auto b = des_encrypt_block(hex("0123456789ABCDEF"), hex("00"));
    ASSERT_FALSE(b.has_value());
    EXPECT_EQ(b.error().code, Errc::invalid_argument);
}

std::string hmac512_hex(Bytes const& key, Bytes const& data) {
    auto r = hmac_sha512(key, data);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().what());
    return r ? to_hex(*r) : "";
}

// RFC 4231 section 4, HMAC-SHA-512 results of test cases 1-4, 6, 7 (case 5 is truncated
// output and is covered by the same code path).
TEST(HmacTest, Rfc4231Sha512) {
    EXPECT_EQ(hmac512_hex(Bytes(20, 0x0b), to_bytes("Hi There")),
              "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
              "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
    EXPECT_EQ(hmac512_hex(to_bytes("Jefe"), to_bytes("what do ya want for nothing?")),
              "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
              "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
    EXPECT_EQ(hmac512_hex(Bytes(20, 0xaa), Bytes(50, 0xdd)),
              "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
              "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb");
    EXPECT_EQ(
        hmac512_hex(hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), Bytes(50, 0xcd)),
        "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
        "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd");
    EXPECT_EQ(hmac512_hex(Bytes(131, 0xaa),
                          to_bytes("Test Using Larger Than Block-Size Key - Hash Key First")),
              "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
              "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598");
    EXPECT_EQ(hmac512_hex(
                  Bytes(131, 0xaa),
                  to_bytes("This is a test using a larger than block-size key and a larger than "
                           "block-size data. "
                           "The key needs to be hashed before being used by the HMAC algorithm.")),
              "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
              "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58");
}

// RFC 4231 test case 2 for the other SHA-2 sizes.
TEST(HmacTest, Rfc4231Case2OtherHashes) {
    auto key = to_bytes("Jefe");
    auto data = to_bytes("what do ya want for nothing?");
    EXPECT_EQ(to_hex(hmac(HmacHash::sha256, key, data).value()),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_EQ(to_hex(hmac(HmacHash::sha384, key, data).value()),
              "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
              "8e2240ca5e69e2c78b3239ecfab21649");
    // RFC 2202 test case 2 (HMAC-SHA-1).
    EXPECT_EQ(to_hex(hmac(HmacHash::sha1, key, data).value()),
              "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    EXPECT_EQ(hmac(HmacHash::sha512, key, data).value().size(), hmac_size(HmacHash::sha512));
}

TEST(HmacTest, EmptyKeyEqualsSingleZeroByteKey) {
    // RFC 2104 pads the key with zeros to the block size, so these keys are the same.
    auto data = to_bytes("x");
    EXPECT_EQ(hmac512_hex(Bytes{}, data), hmac512_hex(Bytes{0}, data));
    EXPECT_EQ(hmac512_hex(Bytes{}, Bytes{}).size(), 128u);
}

}  // namespace
}  // namespace nsslab::crypto
