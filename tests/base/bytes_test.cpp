#include "nsslab/base/bytes.hpp"

#include <gtest/gtest.h>

namespace nsslab {
namespace {

TEST(Hex, RoundTrip) {
    Bytes b{0x00, 0x7f, 0xe0, 0x01};
    EXPECT_EQ(to_hex(b), "007fe001");
    EXPECT_EQ(to_hex(b, true), "007FE001");
    auto back = from_hex("00 7F e0 01");
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, b);
}

TEST(Hex, RejectsBadDigitWithOffset) {
    auto r = from_hex("0g");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::parse_error);
    EXPECT_NE(r.error().message.find("offset 1"), std::string::npos);
    EXPECT_FALSE(from_hex("abc"));
}

TEST(ByteWriterReader, BigEndianRoundTrip) {
    Bytes out;
    ByteWriter w(out);
    w.u8(1);
    w.u16(0x0203);
    w.u32(0x04050607);
    w.u64(0x08090a0b0c0d0e0fULL);
    w.bytes(as_bytes("xy"));
    EXPECT_EQ(to_hex(out), "0102030405060708090a0b0c0d0e0f7879");
    ByteReader r(out);
    EXPECT_EQ(*r.u8(), 1);
    EXPECT_EQ(*r.u16(), 0x0203);
    EXPECT_EQ(*r.u32(), 0x04050607u);
    EXPECT_EQ(*r.u64(), 0x08090a0b0c0d0e0fULL);
    EXPECT_EQ(as_chars(*r.bytes(2)), "xy");
    EXPECT_TRUE(r.empty());
}

TEST(ByteReader, TruncationNamesOffsetAndDoesNotAdvance) {
    Bytes in{1, 2, 3};
    ByteReader r(in);
    ASSERT_TRUE(r.u16());
    auto bad = r.u32();
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::truncated);
    EXPECT_NE(bad.error().message.find("offset 2"), std::string::npos);
    EXPECT_EQ(r.offset(), 2u);
    EXPECT_EQ(*r.u8(), 3);
}

TEST(ByteWriter, PatchLength) {
    Bytes out;
    ByteWriter w(out);
    w.u16(0);
    w.bytes(as_bytes("abc"));
    w.patch_u16(0, 3);
    EXPECT_EQ(to_hex(out), "0003616263");
}

}  // namespace
}  // namespace nsslab
