// IBM's IKE policy turned into the IKE endpoint's connections (sim/iked ike_connections.hpp,
// docs/iked-ike.md §2).
#include "nsslab/iked/ike_connections.hpp"

#include <gtest/gtest.h>

namespace nsslab::iked {
namespace {

constexpr char const* policy_text = R"(
IpDataOffer gcm
{
   HowToEncrypt AES_GCM_16 KeyLength 128
   HowToAuth ESP Null
}
IpDataOffer cbc
{
   HowToEncrypt AES_CBC KeyLength 256
   HowToAuth ESP HMAC_SHA2_256_128
}
IpDynVpnAction to-b
{
   IpDataOfferRef gcm
   IpDataOfferRef cbc
}
IpDynVpnAction to-c
{
   IpDataOfferRef cbc
}
KeyExchangeOffer p384
{
   HowToEncrypt AES_CBC KeyLength 256
   HowToAuthMsgs SHA2_384
   DHGroup Group20
}
KeyExchangeOffer gcm19
{
   HowToEncrypt AES_GCM_16 KeyLength 128
   HowToAuthMsgs SHA2_256
   DHGroup Group19
}
KeyExchangeAction psk
{
   HowToInitiate IKEv2
   HowToAuthMe PresharedKey
   KeyExchangeOfferRef p384
   KeyExchangeOfferRef gcm19
}
KeyExchangeAction sig
{
   HowToInitiate IKEv2
   HowToAuthMe ECDSA-384
   KeyExchangeOfferRef gcm19
}
KeyExchangeRule to-b
{
   LocalSecurityEndpoint
   {
      Identity Fqdn a.example
      Location 10.1.1.1
   }
   RemoteSecurityEndpoint
   {
      Identity UserFqdn ike@b.example
      Location 10.2.2.2
   }
   KeyExchangeActionRef psk
   SharedKey Hex 00ff10
}
KeyExchangeRule to-c
{
   LocalSecurityEndpoint
   {
      Location 10.1.1.1
   }
   RemoteSecurityEndpoint
   {
      Location 10.3.3.3
   }
   KeyExchangeActionRef sig
}
KeyExchangeRule to-net
{
   LocalSecurityEndpoint
   {
      Location 10.1.1.1
   }
   RemoteSecurityEndpoint
   {
      Location 10.4.0.0/16
   }
   KeyExchangeActionRef sig
}
KeyExchangeRule to-dn
{
   LocalSecurityEndpoint
   {
      Location 10.1.1.1
   }
   RemoteSecurityEndpoint
   {
      Identity X500dn CN=peer,O=IBM,C=US
      Location 10.5.5.5
   }
   KeyExchangeActionRef sig
}
KeyExchangePolicy
{
   KeyExchangeRuleRef to-b
   KeyExchangeRuleRef to-c
   KeyExchangeRuleRef to-net
   KeyExchangeRuleRef to-dn
}
)";

constexpr char const* filter_text = R"(
IpGenericFilterAction ipsec
{
   IpFilterAction IPSec
}
IpDynVpnAction to-b
{
   Initiation Either
}
IpDynVpnAction to-c
{
   Initiation Either
}
IpFilterRule b-traffic
{
   IpSourceAddr 10.1.1.1
   IpDestAddr 10.2.2.2
   IpGenericFilterActionRef ipsec
   IpDynVpnActionRef to-b
}
IpFilterRule c-traffic
{
   IpSourceAddr All
   IpDestAddr 10.3.0.0/16
   IpGenericFilterActionRef ipsec
   IpDynVpnActionRef to-c
}
IpFilterPolicy
{
   IpFilterRuleRef b-traffic
   IpFilterRuleRef c-traffic
}
)";

class IkeConnectionsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto ike = zos::parse_ike_policy(policy_text);
        ASSERT_TRUE(ike) << ike.error().what();
        policy_ = *ike;
        auto filters = zos::parse_filter_policy(filter_text);
        ASSERT_TRUE(filters) << filters.error().what();
        filters_ = *filters;
    }
    zos::IkePolicy policy_;
    zos::FilterPolicy filters_;
};

TEST_F(IkeConnectionsTest, EachSingleAddressRuleIsAConnectionInPolicyOrder) {
    auto out = connections_from_policy(policy_, IkeMapping{4500, &filters_});
    ASSERT_EQ(out.config.connections.size(), 2u);
    auto const& b = out.config.connections[0];
    EXPECT_EQ(b.name, "to-b");
    EXPECT_EQ(b.local.to_string(), "10.1.1.1:4500");
    EXPECT_EQ(b.remote.to_string(), "10.2.2.2:4500");
    EXPECT_EQ(b.local_id, ike::Identity::fqdn("a.example"));
    EXPECT_EQ(b.remote_id, ike::Identity::rfc822("ike@b.example"));
    EXPECT_EQ(b.local_auth.method, ike::AuthMethod::pre_shared_key);
    EXPECT_EQ(b.local_auth.psk, (Bytes{0x00, 0xff, 0x10}));
    EXPECT_EQ(b.peer_auth.psk, b.local_auth.psk);
    ASSERT_EQ(b.ike_proposals.size(), 2u);
    EXPECT_EQ(ike::to_string(b.ike_proposals[0]),
              "AES_CBC_256/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/ECP_384");
    EXPECT_EQ(ike::to_string(b.ike_proposals[1]), "AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256");
    ASSERT_EQ(b.child_proposals.size(), 2u);
    EXPECT_EQ(ike::to_string(b.child_proposals[0]), "AES_GCM_16_128");
    EXPECT_EQ(out.vpn_actions[0], "to-b");
    EXPECT_EQ(out.filter_rules[0], "b-traffic");

    auto const& c = out.config.connections[1];
    EXPECT_EQ(c.name, "to-c");
    EXPECT_EQ(c.local_id, ike::Identity::ip(*IpAddress::parse("10.1.1.1")));  // no Identity
    EXPECT_EQ(c.local_auth.method, ike::AuthMethod::ecdsa_384);               // AUTH method 10
    EXPECT_EQ(c.local_auth.scheme, crypto::SignatureScheme::ecdsa_sha384);
    EXPECT_EQ(c.peer_auth.method, ike::AuthMethod::ecdsa_384);
    EXPECT_EQ(out.filter_rules[1], "c-traffic");  // 10.3.3.3 is in 10.3.0.0/16
    EXPECT_EQ(ike::to_string(c.child_proposals.at(0)), "AES_CBC_256/HMAC_SHA2_256_128");
}

TEST_F(IkeConnectionsTest, RulesThatCannotBeConnectionsAreNamedWithTheirReason) {
    auto out = connections_from_policy(policy_, IkeMapping{500, &filters_});
    ASSERT_EQ(out.skipped.size(), 2u);
    EXPECT_EQ(out.skipped[0].rule, "to-net");
    EXPECT_NE(out.skipped[0].reason.find("10.4.0.0/16 is not a single address"), std::string::npos)
        << out.skipped[0].reason;
    EXPECT_EQ(out.skipped[1].rule, "to-dn");
    EXPECT_NE(out.skipped[1].reason.find("X500dn"), std::string::npos) << out.skipped[1].reason;
    EXPECT_GT(out.skipped[0].where.line, 1u);
}

TEST_F(IkeConnectionsTest, WithoutAFilterRuleAndSeveralActionsThereIsNoChildProposal) {
    auto out = connections_from_policy(policy_, IkeMapping{500, nullptr});
    EXPECT_TRUE(out.config.connections.empty());
    ASSERT_EQ(out.skipped.size(), 4u);
    EXPECT_NE(out.skipped[0].reason.find("no IpDynVpnAction"), std::string::npos);
}

TEST(SharedKeyBytes, EncodingsAsIbmCodesThem) {
    EXPECT_EQ(*shared_key_bytes(zos::SharedKeyEncoding::ascii, "Ab 1"),
              (Bytes{'A', 'b', ' ', '1'}));
    EXPECT_EQ(*shared_key_bytes(zos::SharedKeyEncoding::ebcdic, "Ab 1$"),
              (Bytes{0xC1, 0x82, 0x40, 0xF1, 0x5B}));
    EXPECT_EQ(*shared_key_bytes(zos::SharedKeyEncoding::hex, "0A0b"), (Bytes{0x0A, 0x0B}));
    EXPECT_FALSE(shared_key_bytes(zos::SharedKeyEncoding::hex, "0g"));
    auto refused = shared_key_bytes(zos::SharedKeyEncoding::ebcdic, "a-b");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("'-'"), std::string::npos);
}

}  // namespace
}  // namespace nsslab::iked
