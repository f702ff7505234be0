#include <gtest/gtest.h>

#include <set>

#include "nsslab/base/address.hpp"
#include "nsslab/base/rng.hpp"
#include "nsslab/base/time.hpp"

namespace nsslab {
namespace {

TEST(Time, Iso8601RoundTrip) {
    TimePoint t;
    ASSERT_TRUE(parse_iso8601("2026-01-01T00:00:00Z", t));
    EXPECT_EQ(unix_seconds(t), 1767225600);
    EXPECT_EQ(format_iso8601(t), "2026-01-01T00:00:00.000000000Z");
    EXPECT_EQ(format_zos(t + std::chrono::seconds(3723)), "2026/01/01 01:02:03");
    ASSERT_TRUE(parse_iso8601("2000-02-29T12:00:00.5+01:00", t));
    EXPECT_EQ(format_iso8601(t), "2000-02-29T11:00:00.500000000Z");
    EXPECT_FALSE(parse_iso8601("2026-13-01T00:00:00Z", t));
    EXPECT_FALSE(parse_iso8601("2026-01-01T00:00:00", t));
    EXPECT_FALSE(parse_iso8601("2026-01-01T00:00:00Zjunk", t));
}

TEST(Time, FormatSeconds) {
    EXPECT_EQ(format_seconds(std::chrono::milliseconds(1500)), "1.500000000");
    EXPECT_EQ(format_seconds(std::chrono::nanoseconds(-5)), "-0.000000005");
}

TEST(Rng, SameSeedSameStreamDifferentNamesDiffer) {
    Rng a = Rng::stream(42, "SYSTEMA/tcp");
    Rng b = Rng::stream(42, "SYSTEMA/tcp");
    Rng c = Rng::stream(42, "SYSTEMB/tcp");
    Rng d = Rng::stream(43, "SYSTEMA/tcp");
    std::uint64_t va = a.next_u64();
    EXPECT_EQ(va, b.next_u64());
    EXPECT_NE(va, c.next_u64());
    EXPECT_NE(va, d.next_u64());
}

TEST(Rng, BelowStaysInRangeAndCoversIt) {
    Rng r(7);
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 1000; ++i) {
        auto v = r.below(6);
        ASSERT_LT(v, 6u);
        seen.insert(v);
    }
    EXPECT_EQ(seen.size(), 6u);
    for (int i = 0; i < 1000; ++i) {
        double u = r.unit();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
    }
}

TEST(Rng, DeriveDoesNotAdvanceParent) {
    Rng a(9), b(9);
    Rng child = a.derive("x");
    (void)child.next_u64();
    EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(Address, ParseAndPrint) {
    auto v4 = IpAddress::parse("9.1.1.1");
    ASSERT_TRUE(v4);
    EXPECT_TRUE(v4->is_v4());
    EXPECT_EQ(v4->v4_host_order(), 0x09010101u);
    EXPECT_EQ(v4->to_string(), "9.1.1.1");
    auto v6 = IpAddress::parse("fd00::5");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->is_v6());
    EXPECT_EQ(v6->to_string(), "fd00::5");
    EXPECT_FALSE(IpAddress::parse("9.1.1"));
    EXPECT_FALSE(IpAddress::parse("hello"));
}

TEST(Endpoint, ParseAndPrint) {
    auto e = Endpoint::parse("9.1.1.1:4159");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->port, 4159);
    EXPECT_EQ(e->to_string(), "9.1.1.1:4159");
    auto e6 = Endpoint::parse("[::1]:500");
    ASSERT_TRUE(e6);
    EXPECT_EQ(e6->to_string(), "[::1]:500");
    EXPECT_FALSE(Endpoint::parse("9.1.1.1"));
    EXPECT_FALSE(Endpoint::parse("9.1.1.1:70000"));
    EXPECT_FALSE(Endpoint::parse("[::1]500"));
}

}  // namespace
}  // namespace nsslab
