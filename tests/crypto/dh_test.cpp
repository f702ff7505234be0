// IKEv2 Diffie-Hellman: RFC 5903 (groups 19-21), RFC 7748/8031 (group 31) and RFC 3526 (group 14)
// known answers, agreement between generated key pairs of every group, determinism of the seeded
// context, and refusal of bad peer values (wrong length, 0, 1, p-1, >= p, off-curve, low order).
#include "nsslab/crypto/dh.hpp"

#include <gtest/gtest.h>

#include "nsslab/crypto/openssl_context.hpp"
#include "vector_file.hpp"

namespace nsslab::crypto {
namespace {

using test::find_section;
using test::read_vector_sections;

Bytes cat(Bytes a, Bytes const& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

constexpr DhGroup all_groups[] = {DhGroup::modp_2048, DhGroup::ecp_256, DhGroup::ecp_384,
                                  DhGroup::ecp_521, DhGroup::curve_25519};

TEST(DhGroupTable, NumbersNamesAndSizes) {
    EXPECT_EQ(dh_group_from_number(14), DhGroup::modp_2048);
    EXPECT_EQ(dh_group_from_number(31), DhGroup::curve_25519);
    EXPECT_FALSE(dh_group_from_number(2));
    EXPECT_FALSE(dh_group_from_number(32));
    EXPECT_EQ(to_string(DhGroup::ecp_384), "ECP_384");
    EXPECT_EQ(dh_public_value_size(DhGroup::ecp_521), 132u);
    EXPECT_EQ(dh_shared_secret_size(DhGroup::ecp_521), 66u);
    EXPECT_EQ(dh_public_value_size(DhGroup::modp_2048), 256u);
}

// RFC 5903 section 8: i*G, r*G and the x coordinate of i*r*G.
TEST(DhRfc5903, EcpKnownAnswers) {
    auto const sections = read_vector_sections("third_party/rfc5903/ecp_ecdh.txt");
    ASSERT_EQ(sections.size(), 3u);
    for (auto const& v : sections) {
        SCOPED_TRACE(v.name);
        auto group = dh_group_from_number(static_cast<std::uint16_t>(std::stoi(v.text("group"))));
        ASSERT_TRUE(group);
        auto i = DhKey::from_private_value(nullptr, *group, v.hex("i"));
        auto r = DhKey::from_private_value(nullptr, *group, v.hex("r"));
        ASSERT_TRUE(i) << i.error().what();
        ASSERT_TRUE(r) << r.error().what();
        Bytes const gi = cat(v.hex("gix"), v.hex("giy"));
        Bytes const gr = cat(v.hex("grx"), v.hex("gry"));
        EXPECT_EQ(Bytes(i->public_value().begin(), i->public_value().end()), gi);
        EXPECT_EQ(Bytes(r->public_value().begin(), r->public_value().end()), gr);
        // The KE payload data is the RFC's kei/ker after the 8-octet payload and group header.
        Bytes const kei = v.hex("kei");
        EXPECT_EQ(Bytes(kei.begin() + 8, kei.end()), gi);
        auto s_i = i->shared_secret(gr);
        auto s_r = r->shared_secret(gi);
        ASSERT_TRUE(s_i) << s_i.error().what();
        ASSERT_TRUE(s_r) << s_r.error().what();
        EXPECT_EQ(*s_i, v.hex("girx"));
        EXPECT_EQ(*s_r, v.hex("girx"));
    }
}

// RFC 7748 section 6.1 and RFC 8031 Appendix A.
TEST(DhRfc8031, Curve25519KnownAnswers) {
    auto const sections = read_vector_sections("third_party/rfc8031/curve25519_448.txt");
    for (char const* name : {"curve25519_1", "curve25519_2"}) {
        SCOPED_TRACE(name);
        auto const v = find_section(sections, name);
        auto i = DhKey::from_private_value(nullptr, DhGroup::curve_25519, v.hex("priv_i"));
        auto r = DhKey::from_private_value(nullptr, DhGroup::curve_25519, v.hex("priv_r"));
        ASSERT_TRUE(i) << i.error().what();
        ASSERT_TRUE(r) << r.error().what();
        EXPECT_EQ(to_hex(i->public_value()), v.text("pub_i"));
        EXPECT_EQ(to_hex(r->public_value()), v.text("pub_r"));
        auto s_i = i->shared_secret(v.hex("pub_r"));
        auto s_r = r->shared_secret(v.hex("pub_i"));
        ASSERT_TRUE(s_i && s_r);
        EXPECT_EQ(to_hex(*s_i), v.text("shared"));
        EXPECT_EQ(to_hex(*s_r), v.text("shared"));
    }
}

// RFC 7748 section 5.2: X25519(k, u), including a u with the top bit set (masked, not refused).
TEST(DhRfc8031, X25519FunctionVectors) {
    auto const sections = read_vector_sections("third_party/rfc8031/curve25519_448.txt");
    for (char const* name : {"rfc7748_5.2_X25519_1", "rfc7748_5.2_X25519_2"}) {
        SCOPED_TRACE(name);
        auto const v = find_section(sections, name);
        auto k = DhKey::from_private_value(nullptr, DhGroup::curve_25519, v.hex("k"));
        ASSERT_TRUE(k);
        auto out = k->shared_secret(v.hex("u"));
        ASSERT_TRUE(out) << out.error().what();
        EXPECT_EQ(to_hex(*out), v.text("output"));
    }
}

// RFC 3526 section 3: nsslab's group 14 is exactly this p, and g^x, g^xy match python's pow().
TEST(DhRfc3526, Modp2048KnownAnswer) {
    auto const sections = read_vector_sections("third_party/rfc3526/modp_2048.txt");
    auto const x = find_section(sections, "exchange");
    auto i = DhKey::from_private_value(nullptr, DhGroup::modp_2048, x.hex("xi"));
    auto r = DhKey::from_private_value(nullptr, DhGroup::modp_2048, x.hex("xr"));
    ASSERT_TRUE(i) << i.error().what();
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(to_hex(i->public_value()), x.text("gi"));
    EXPECT_EQ(to_hex(r->public_value()), x.text("gr"));
    auto s_i = i->shared_secret(x.hex("gr"));
    auto s_r = r->shared_secret(x.hex("gi"));
    ASSERT_TRUE(s_i) << s_i.error().what();
    ASSERT_TRUE(s_r) << s_r.error().what();
    EXPECT_EQ(to_hex(*s_i), x.text("gir"));
    EXPECT_EQ(to_hex(*s_r), x.text("gir"));
}

Bytes minus(Bytes v, std::uint8_t k) {
    // v - k for a big-endian value whose last octet is >= k (true for p = ...FFFF).
    v.back() = static_cast<std::uint8_t>(v.back() - k);
    return v;
}

TEST(DhRfc3526, PeerValuesOutOfRangeAreRefused) {
    auto const sections = read_vector_sections("third_party/rfc3526/modp_2048.txt");
    Bytes const p = find_section(sections, "group 14").hex("p");
    ASSERT_EQ(p.size(), 256u);
    auto ctx = LibContext::deterministic(7, "HOSTA");
    ASSERT_TRUE(ctx);
    auto key = DhKey::generate(**ctx, DhGroup::modp_2048);
    ASSERT_TRUE(key) << key.error().what();

    auto expect_refused = [&](Bytes const& y, std::string const& says) {
        auto s = key->shared_secret(y);
        ASSERT_FALSE(s);
        EXPECT_EQ(s.error().code, Errc::invalid_argument);
        EXPECT_NE(s.error().message.find(says), std::string::npos) << s.error().message;
    };
    Bytes zero(256, 0);
    Bytes one(256, 0);
    one.back() = 1;
    expect_refused(zero, "is 0");
    expect_refused(one, "is 1");
    expect_refused(minus(p, 1), "is p-1");
    expect_refused(p, ">= p");
    expect_refused(Bytes(256, 0xff), ">= p");
    expect_refused(Bytes(255, 0x02), "255 octets, expected 256");
    // p-2 is inside the range RFC 6989 2.1 asks for, so it is accepted.
    EXPECT_TRUE(key->shared_secret(minus(p, 2)));
}

TEST(DhEcp, PeerPointsOffTheCurveAreRefused) {
    auto const v = read_vector_sections("third_party/rfc5903/ecp_ecdh.txt").at(0);
    auto i = DhKey::from_private_value(nullptr, DhGroup::ecp_256, v.hex("i"));
    ASSERT_TRUE(i);
    Bytes gr = cat(v.hex("grx"), v.hex("gry"));
    Bytes off = gr;
    off.back() ^= 0x01;  // y changed: not on the curve
    auto s = i->shared_secret(off);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, Errc::invalid_argument);
    EXPECT_NE(s.error().message.find("not a point on the curve"), std::string::npos)
        << s.error().message;
    // x = p (not reduced) with any y.
    Bytes big(64, 0xff);
    EXPECT_EQ(i->shared_secret(big).error().code, Errc::invalid_argument);
    // RFC 4753's old 0x04-prefixed form and a compressed-length value are the wrong length.
    Bytes prefixed = gr;
    prefixed.insert(prefixed.begin(), 0x04);
    auto bad_len = i->shared_secret(prefixed);
    ASSERT_FALSE(bad_len);
    EXPECT_NE(bad_len.error().message.find("65 octets, expected 64"), std::string::npos);
    EXPECT_FALSE(i->shared_secret(Bytes(gr.begin(), gr.begin() + 32)));
}

TEST(DhCurve25519, LowOrderPeerValueIsRefused) {
    auto ctx = LibContext::deterministic(7, "HOSTA");
    ASSERT_TRUE(ctx);
    auto key = DhKey::generate(**ctx, DhGroup::curve_25519);
    ASSERT_TRUE(key);
    // u = 0 and u = 1 are of small order: X25519 yields all zeros (RFC 8031 section 2).
    for (std::uint8_t u : {0, 1}) {
        Bytes peer(32, 0);
        peer[0] = u;
        auto s = key->shared_secret(peer);
        ASSERT_FALSE(s);
        EXPECT_EQ(s.error().code, Errc::invalid_argument);
        EXPECT_NE(s.error().message.find("all-zero"), std::string::npos) << s.error().message;
    }
    EXPECT_EQ(key->shared_secret(Bytes(31, 9)).error().code, Errc::invalid_argument);
}

TEST(DhKey, PrivateValuesOutOfRangeAreRefused) {
    EXPECT_EQ(DhKey::from_private_value(nullptr, DhGroup::ecp_256, Bytes(32, 0)).error().code,
              Errc::invalid_argument);
    EXPECT_EQ(DhKey::from_private_value(nullptr, DhGroup::ecp_256, Bytes(32, 0xff)).error().code,
              Errc::invalid_argument);  // >= n
    EXPECT_EQ(DhKey::from_private_value(nullptr, DhGroup::ecp_256, Bytes(33, 1)).error().code,
              Errc::invalid_argument);
    EXPECT_EQ(DhKey::from_private_value(nullptr, DhGroup::modp_2048, Bytes{1}).error().code,
              Errc::invalid_argument);
    EXPECT_EQ(DhKey::from_private_value(nullptr, DhGroup::curve_25519, Bytes(31, 1)).error().code,
              Errc::invalid_argument);
}

class DhEveryGroup : public ::testing::TestWithParam<DhGroup> {};

TEST_P(DhEveryGroup, GeneratedKeysAgree) {
    DhGroup const group = GetParam();
    auto ctx_i = LibContext::deterministic(42, "SYSTEMA");
    auto ctx_r = LibContext::deterministic(42, "SYSTEMB");
    ASSERT_TRUE(ctx_i && ctx_r);
    auto i = DhKey::generate(**ctx_i, group);
    auto r = DhKey::generate(**ctx_r, group);
    ASSERT_TRUE(i) << i.error().what();
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(i->group(), group);
    EXPECT_EQ(i->public_value().size(), dh_public_value_size(group));
    EXPECT_NE(to_hex(i->public_value()), to_hex(r->public_value()));
    auto s_i = i->shared_secret(r->public_value());
    auto s_r = r->shared_secret(i->public_value());
    ASSERT_TRUE(s_i) << s_i.error().what();
    ASSERT_TRUE(s_r) << s_r.error().what();
    EXPECT_EQ(s_i->size(), dh_shared_secret_size(group));
    EXPECT_EQ(*s_i, *s_r);
}

// DESIGN.md §4: the same (seed, host) gives the same key pairs, another seed other ones.
TEST_P(DhEveryGroup, SameSeedSameKeys) {
    DhGroup const group = GetParam();
    auto a = LibContext::deterministic(1234, "SYSTEMA");
    auto b = LibContext::deterministic(1234, "SYSTEMA");
    auto c = LibContext::deterministic(1235, "SYSTEMA");
    ASSERT_TRUE(a && b && c);
    for (int n = 0; n < 2; ++n) {
        auto ka = DhKey::generate(**a, group);
        auto kb = DhKey::generate(**b, group);
        auto kc = DhKey::generate(**c, group);
        ASSERT_TRUE(ka && kb && kc);
        EXPECT_EQ(to_hex(ka->public_value()), to_hex(kb->public_value()));
        EXPECT_NE(to_hex(ka->public_value()), to_hex(kc->public_value()));
    }
}

INSTANTIATE_TEST_SUITE_P(Groups, DhEveryGroup, ::testing::ValuesIn(all_groups),
                         [](auto const& param_info) {
                             return std::string(to_string(param_info.param));
                         });

}  // namespace
}  // namespace nsslab::crypto
