// IKE policy (sim/zos/include/nsslab/zos/ike_policy.hpp): the Policy Agent's KeyExchangePolicy,
// KeyExchangeRule, KeyExchangeAction, KeyExchangeOffer, security endpoints, IpDynVpnAction and
// IpDataOffer; references, defaults and errors with file:line:column.
#include "nsslab/zos/ike_policy.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace nsslab::zos {
namespace {

std::string read_data(std::string const& name) {
    std::ifstream in(std::string(NSSLAB_SOURCE_DIR) + "/tests/zos/data/config/" + name,
                     std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The smallest valid policy, to which error cases add or change one thing.
std::string const offer =
    "KeyExchangeOffer o\n{\n HowToAuthMsgs SHA2_256\n DHGroup Group19\n}\n";  // lines 1-5
std::string const action =
    "KeyExchangeAction a\n{\n HowToInitiate IKEv2\n KeyExchangeOfferRef o\n}\n";  // lines 6-10
std::string const rule =
    "KeyExchangeRule r\n{\n LocalSecurityEndpoint { Location 9.1.1.1 }\n"
    " RemoteSecurityEndpoint { Location 9.2.2.2 }\n KeyExchangeActionRef a\n}\n";  // lines 11-16
std::string const policy = "KeyExchangePolicy\n{\n KeyExchangeRuleRef r\n}\n";     // lines 17-20

std::string error_of(std::string const& text) {
    auto r = parse_ike_policy(text);
    return r ? std::string("(parsed)") : r.error().message;
}

TEST(IkePolicy, FullPolicyAsInIbmSamples) {
    auto text = read_data("ike_policy.conf");
    ASSERT_FALSE(text.empty());
    std::vector<Diagnostic> diagnostics;
    auto r = parse_ike_policy(text, {}, &diagnostics);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(diagnostics.empty());
    auto const& p = *r;
    EXPECT_TRUE(p.allow_on_demand);

    // Rules in KeyExchangePolicy order, not file order.
    ASSERT_EQ(p.rules.size(), 2u);
    auto const& admin = p.rules[0];
    EXPECT_EQ(admin.name, "Admin_KeyExRule1");
    EXPECT_EQ(admin.local.name, "Internal_IKED");
    ASSERT_TRUE(admin.local.identity);
    EXPECT_EQ(admin.local.identity->type, IkeIdentityType::ip_addr);
    EXPECT_EQ(admin.local.identity->value, "9.2.2.2");
    EXPECT_EQ(admin.remote.name, "Admin_IKED");
    EXPECT_EQ(admin.remote.identity->type, IkeIdentityType::fqdn);
    EXPECT_EQ(admin.remote.identity->value, "admin.endicott.ibm.com");
    ASSERT_TRUE(admin.remote.location);
    EXPECT_TRUE(admin.remote.location->matches(IpAddress::parse("9.4.4.4").value()));
    EXPECT_EQ(admin.action_name, "Bronze-PSK");
    EXPECT_EQ(admin.shared_key_encoding, SharedKeyEncoding::ascii);
    EXPECT_EQ(admin.shared_key, "TheEagleHasLanded");

    auto const& zone = p.rules[1];
    EXPECT_EQ(zone.name, "ZoneB_KeyExRule1");
    EXPECT_TRUE(zone.local.name.empty());  // inline
    ASSERT_TRUE(zone.remote.identity);
    EXPECT_EQ(zone.remote.identity->type, IkeIdentityType::x500dn);
    // Blanks inside an unquoted X500dn are kept as coded.
    EXPECT_EQ(zone.remote.identity->value, "CN=ZoneB Cert,T=IKE ServerB,OU=endicott,O=ibm,C=US");
    EXPECT_TRUE(zone.remote.location->matches(IpAddress::parse("9.4.200.1").value()));
    EXPECT_FALSE(zone.remote.location->matches(IpAddress::parse("9.5.0.1").value()));
    ASSERT_EQ(zone.remote.ca_labels.size(), 1u);
    EXPECT_EQ(zone.remote.ca_labels[0], "CA4endicott");
    EXPECT_FALSE(zone.shared_key_encoding);

    auto const* gold = p.find_action(zone.action_name);
    ASSERT_NE(gold, nullptr);
    EXPECT_EQ(gold->how_to_initiate, HowToInitiate::ikev2);
    EXPECT_EQ(gold->how_to_auth_me, IkeAuthMethod::ecdsa_256);
    EXPECT_EQ(gold->allow_nat, true);
    ASSERT_EQ(gold->offers.size(), 2u);  // the reference, then the inline offer, in order
    auto const& o1 = gold->offers[0];
    EXPECT_EQ(o1.name, "Gold-Offer");
    EXPECT_EQ(o1.how_to_encrypt, (IkeEncryption{IkeCipher::aes_gcm_16, 256}));
    EXPECT_EQ(o1.how_to_auth_msgs, IkeHash::sha2_384);
    EXPECT_EQ(o1.pseudo_random_function, IkePrf::hmac_sha2_384);
    EXPECT_EQ(o1.dh_group, IkeDhGroup::group20);
    EXPECT_EQ(o1.refresh.lifetime_proposed, 480u);
    EXPECT_EQ(o1.refresh.lifetime_accepted_min, 240u);
    EXPECT_EQ(o1.refresh.lifetime_accepted_max, 1440u);
    auto const& o2 = gold->offers[1];
    EXPECT_TRUE(o2.name.empty());
    EXPECT_EQ(o2.how_to_encrypt, (IkeEncryption{IkeCipher::aes_cbc, 128}));
    EXPECT_EQ(o2.dh_group, IkeDhGroup::group19);
    EXPECT_EQ(p.find_action("Bronze-PSK")->how_to_auth_me, IkeAuthMethod::preshared_key);

    ASSERT_EQ(p.vpn_actions.size(), 1u);
    auto const* vpn = p.find_vpn_action("to-systemb");
    ASSERT_NE(vpn, nullptr);
    EXPECT_EQ(vpn->initiate_with_pfs, IkeDhGroup::group19);
    EXPECT_EQ(vpn->acceptable_pfs,
              (std::vector<IkeDhGroup>{IkeDhGroup::group19, IkeDhGroup::group14}));
    EXPECT_EQ(vpn->how_to_encap_ikev2, HowToEncapIKEv2::tunnel);
    ASSERT_EQ(vpn->offers.size(), 2u);
    EXPECT_EQ(vpn->offers[0].name, "Gcm-Tunnel");
    EXPECT_EQ(vpn->offers[0].how_to_encrypt, (IkeEncryption{IkeCipher::aes_gcm_16, 128}));
    EXPECT_EQ(vpn->offers[0].how_to_auth, EspIntegrity::null);
    EXPECT_EQ(vpn->offers[0].refresh.lifetime_proposed, 240u);
    EXPECT_EQ(vpn->offers[1].how_to_encap, HowToEncap::transport);
    EXPECT_EQ(vpn->offers[1].how_to_encrypt, (IkeEncryption{IkeCipher::aes_cbc, 256}));
    EXPECT_EQ(vpn->offers[1].how_to_auth, EspIntegrity::hmac_sha2_256_128);
}

TEST(IkePolicy, Defaults) {
    auto r = parse_ike_policy(offer + action + rule + policy +
                              "IpDynVpnAction v\n{\n IpDataOffer\n {\n"
                              "  HowToAuth ESP HMAC_SHA2_512_256\n }\n}\n");
    ASSERT_TRUE(r) << r.error().message;
    auto const& a = r->actions.at(0);
    EXPECT_EQ(a.how_to_auth_me, IkeAuthMethod::digital_signature);  // IBM default
    EXPECT_EQ(a.how_to_respond_ikev1, HowToRespondIKEv1::either);   // IBM default
    EXPECT_FALSE(a.allow_nat);
    EXPECT_EQ(a.reauth_interval, 0u);  // IBM default
    auto const& o = a.offers.at(0);
    EXPECT_EQ(o.how_to_encrypt, (IkeEncryption{IkeCipher::aes_cbc, 128}));  // IBM default
    EXPECT_EQ(o.pseudo_random_function, IkePrf::hmac_sha2_256);             // follows HowToAuthMsgs
    EXPECT_FALSE(o.pseudo_random_function_coded);
    EXPECT_FALSE(o.how_to_auth_peers);
    EXPECT_FALSE(o.refresh.lifetime_proposed);  // not coded: IKED's default
    EXPECT_FALSE(o.refresh.lifesize_proposed_coded);
    EXPECT_TRUE(r->allow_on_demand);
    auto const& v = r->vpn_actions.at(0);
    EXPECT_EQ(v.initiation, VpnInitiation::either);
    EXPECT_EQ(v.vpn_life, 1440u);
    EXPECT_EQ(v.initiate_with_pfs, IkeDhGroup::none);
    EXPECT_TRUE(v.acceptable_pfs.empty());
    EXPECT_EQ(v.how_to_encap_ikev2, HowToEncapIKEv2::either);
    EXPECT_TRUE(v.passthrough_df);
    EXPECT_TRUE(v.passthrough_dscp);
    auto const& d = v.offers.at(0);
    EXPECT_EQ(d.how_to_encap, HowToEncap::tunnel);
    EXPECT_EQ(d.how_to_encrypt, (IkeEncryption{IkeCipher::aes_cbc, 128}));
    EXPECT_EQ(d.how_to_auth, EspIntegrity::hmac_sha2_512_256);

    // The PRF follows HowToAuthMsgs when not coded; AES_GCM_16 data offers default to ESP Null.
    auto r2 = parse_ike_policy(
        "KeyExchangeOffer o\n{\n HowToAuthMsgs SHA2_512\n DHGroup Group21\n}\n" + action + rule +
        policy + "IpDynVpnAction v { IpDataOffer { HowToEncrypt AES_GCM_16 KeyLength 256 } }");
    ASSERT_TRUE(r2) << r2.error().message;
    EXPECT_EQ(r2->actions[0].offers[0].pseudo_random_function, IkePrf::hmac_sha2_512);
    EXPECT_EQ(r2->vpn_actions[0].offers[0].how_to_auth, EspIntegrity::null);
}

TEST(IkePolicy, KeywordsCaseInsensitiveValuesKeepCase) {
    auto r = parse_ike_policy(
        "keyexchangeoffer o { howtoauthmsgs sha2_256\n dhgroup group14 }\n"
        "KEYEXCHANGEACTION a { HOWTOINITIATE ikev2\n KeyExchangeOfferRef o }\n" +
        rule + "KeyExchangePolicy { KeyExchangeRuleRef r }");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->rules[0].action_name, "a");
}

// Found by fuzz/ike_policy: a global security endpoint whose keyword is written in another case
// than IBM's ("LocalSecurityEndpOint") is still found by its Ref (it threw std::out_of_range).
TEST(IkePolicy, EndpointStatementsInAnyCaseAreFoundByTheirRef) {
    auto r = parse_ike_policy(offer + action +
                              "localSECURITYendpoint Here { Location 9.1.1.1 }\n"
                              "REMOTEsecurityENDPOINT There { Location 9.2.2.2 }\n"
                              "KeyExchangeRule r\n{\n LocalSecurityEndpointRef Here\n"
                              " RemoteSecurityEndpointRef There\n KeyExchangeActionRef a\n}\n" +
                              policy);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->rules.size(), 1u);
    EXPECT_EQ(r->rules[0].local.name, "Here");
    EXPECT_EQ(r->rules[0].remote.name, "There");
}

TEST(IkePolicy, SharedWithFilterPolicyFile) {
    // One IP security policy file: each parser reads its statements and leaves the other's.
    std::string text =
        offer + action + rule + policy +
        "IpDynVpnAction v { IpDataOffer { HowToEncrypt AES_GCM_16 KeyLength 128 } }\n"
        "IpFilterPolicy { IpFilterRule f { IpDynVpnActionRef v } }\n";
    auto ike = parse_ike_policy(text);
    ASSERT_TRUE(ike) << ike.error().message;
    auto filter = parse_filter_policy(text);
    ASSERT_TRUE(filter) << filter.error().message;
    EXPECT_EQ(filter->rules.at(0).action_name, "v");
}

struct ErrorCase {
    std::string text;
    std::string message;  // the whole first error
};

class IkePolicyErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(IkePolicyErrors, NamesFileLineColumn) {
    EXPECT_EQ(error_of(GetParam().text), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, IkePolicyErrors,
    ::testing::Values(
        // Unknown parameter, with a did-you-mean hint.
        ErrorCase{"KeyExchangeOffer o\n{\n HowToEncrpyt AES_CBC\n HowToAuthMsgs SHA2_256\n"
                  " DHGroup Group19\n}\n" +
                      action + rule + policy,
                  "policy.conf:3:2: unknown KeyExchangeOffer parameter 'HowToEncrpyt'; did you "
                  "mean 'HowToEncrypt'? (expected HowToEncrypt, HowToAuthMsgs, HowToAuthPeers, "
                  "PseudoRandomFunction, DHGroup, RefreshLifetimeProposed, "
                  "RefreshLifetimeAccepted, RefreshLifesizeProposed, RefreshLifesizeAccepted)"},
        // Unknown statement, with a hint.
        ErrorCase{offer + action + rule + policy + "KeyExchangeRules x { }\n",
                  "policy.conf:21:1: unknown statement 'KeyExchangeRules'; did you mean "
                  "'KeyExchangeRule'? (expected KeyExchangePolicy, KeyExchangeRule, "
                  "KeyExchangeAction, KeyExchangeOffer, LocalSecurityEndpoint, "
                  "RemoteSecurityEndpoint, IpDynVpnAction, IpDataOffer, IpFilterPolicy, "
                  "IpFilterRule, IpGenericFilterAction)"},
        // Bad value, with a hint.
        ErrorCase{"KeyExchangeOffer o\n{\n HowToAuthMsgs SHA2_265\n DHGroup Group19\n}\n" + action +
                      rule + policy,
                  "policy.conf:3:16: 'SHA2_265' is not a valid HowToAuthMsgs value; did you mean "
                  "'SHA2_256'? (expected SHA2_256|SHA2_384|SHA2_512)"},
        ErrorCase{"KeyExchangeOffer o\n{\n HowToEncrypt AES_CBC KeyLength 192\n"
                  " HowToAuthMsgs SHA2_256\n DHGroup Group19\n}\n" +
                      action + rule + policy,
                  "policy.conf:3:33: '192' is not a valid KeyLength value (expected 128|256)"},
        ErrorCase{offer + action + rule + policy +
                      "IpDynVpnAction v { VpnLife forever\n IpDataOffer { HowToEncrypt "
                      "AES_GCM_16 } }",
                  "policy.conf:21:28: VpnLife value 'forever' is not a number (expected an "
                  "integer 1-4294967295)"},
        ErrorCase{"LocalSecurityEndpoint l { Identity IpAddr host.example }\n" + offer + action +
                      rule + policy,
                  "policy.conf:1:43: Identity IpAddr 'host.example' is not an IP address "
                  "(expected an IPv4 or IPv6 address, address/prefix or range)"},
        // Unsupported values IBM documents.
        ErrorCase{"KeyExchangeOffer o\n{\n HowToEncrypt 3DES\n HowToAuthMsgs SHA2_256\n"
                  " DHGroup Group19\n}\n" +
                      action + rule + policy,
                  "policy.conf:3:15: HowToEncrypt 3DES is not supported by nsslab (expected "
                  "AES_CBC|AES_GCM_16|AES)"},
        ErrorCase{"KeyExchangeOffer o\n{\n HowToAuthMsgs SHA1\n DHGroup Group19\n}\n" + action +
                      rule + policy,
                  "policy.conf:3:16: HowToAuthMsgs SHA1 is not supported by nsslab (expected "
                  "SHA2_256|SHA2_384|SHA2_512)"},
        ErrorCase{"KeyExchangeOffer o\n{\n HowToAuthMsgs SHA2_256\n DHGroup Group2\n}\n" + action +
                      rule + policy,
                  "policy.conf:4:10: DHGroup Group2 is not supported by nsslab (expected "
                  "Group14|Group19|Group20|Group21|Group31)"},
        ErrorCase{offer +
                      "KeyExchangeAction a\n{\n HowToInitiate Main\n KeyExchangeOfferRef o\n}\n" +
                      rule + policy,
                  "policy.conf:8:16: HowToInitiate Main is not supported by nsslab (expected "
                  "IKEv2|DoNot)"},
        ErrorCase{offer + action + rule + policy +
                      "IpDynVpnAction v { IpDataOffer { HowToAuth AH HMAC_SHA2_256_128 } }",
                  "policy.conf:21:44: HowToAuth protocol AH is not supported by nsslab (expected "
                  "ESP)"},
        ErrorCase{offer + action + rule + policy +
                      "IpDynVpnAction v { IpDataOffer { HowToAuth ESP HMAC_SHA1 } }",
                  "policy.conf:21:48: HowToAuth ESP HMAC_SHA1 is not supported by nsslab "
                  "(expected Null|HMAC_SHA2_256_128|HMAC_SHA2_384_192|HMAC_SHA2_512_256)"},
        ErrorCase{offer + action + rule + policy +
                      "IpDynVpnAction v { InitiateWithPfs Group5\n"
                      " IpDataOffer { HowToEncrypt AES_GCM_16 } }",
                  "policy.conf:21:36: InitiateWithPfs Group5 is not supported by nsslab "
                  "(expected Group14|Group19|Group20|Group21|Group31|None)"},
        // IBM's default that nsslab refuses must be replaced explicitly.
        ErrorCase{offer + action + rule + policy + "IpDynVpnAction v { IpDataOffer { } }",
                  "policy.conf:21:20: IpDataOffer without HowToAuth (expected HowToAuth ESP "
                  "HMAC_SHA2_256_128|HMAC_SHA2_384_192|HMAC_SHA2_512_256 (IBM's default ESP "
                  "HMAC_SHA1 is not supported by nsslab))"},
        ErrorCase{"KeyExchangeOffer o\n{\n HowToAuthMsgs SHA2_256\n}\n" + action + rule + policy,
                  "policy.conf:1:1: KeyExchangeOffer without DHGroup (expected DHGroup "
                  "Group14|Group19|Group20|Group21 (nsslab requires it))"},
        ErrorCase{offer + action + rule + policy +
                      "IpDynVpnAction v { IpDataOffer { HowToEncrypt AES_GCM_16\n"
                      " HowToAuth ESP HMAC_SHA2_256_128 } }",
                  "policy.conf:22:16: AES_GCM_16 carries its own integrity check (expected "
                  "HowToAuth ESP Null)"},
        // Missing references.
        ErrorCase{offer +
                      "KeyExchangeAction a\n{\n HowToInitiate IKEv2\n KeyExchangeOfferRef p\n}\n" +
                      rule + policy,
                  "policy.conf:9:22: KeyExchangeOfferRef names an undefined KeyExchangeOffer 'p' "
                  "(expected the name of a KeyExchangeOffer statement)"},
        ErrorCase{
            offer + action +
                "KeyExchangeRule r\n{\n LocalSecurityEndpoint { Location 9.1.1.1 }\n"
                " RemoteSecurityEndpoint { Location 9.2.2.2 }\n KeyExchangeActionRef Gold\n}\n" +
                policy,
            "policy.conf:15:23: KeyExchangeActionRef names an undefined KeyExchangeAction "
            "'Gold' (expected the name of a KeyExchangeAction statement)"},
        ErrorCase{offer + action + rule + "KeyExchangePolicy\n{\n KeyExchangeRuleRef s\n}\n",
                  "policy.conf:19:21: KeyExchangeRuleRef names an undefined KeyExchangeRule 's' "
                  "(expected the name of a KeyExchangeRule statement)"},
        ErrorCase{offer + action +
                      "KeyExchangeRule r\n{\n LocalSecurityEndpointRef here\n"
                      " RemoteSecurityEndpoint { Location 9.2.2.2 }\n KeyExchangeActionRef a\n}\n" +
                      policy,
                  "policy.conf:13:27: LocalSecurityEndpointRef names an undefined "
                  "LocalSecurityEndpoint 'here' (expected the name of a LocalSecurityEndpoint "
                  "statement)"},
        // Duplicate names.
        ErrorCase{offer + offer + action + rule + policy,
                  "policy.conf:6:18: KeyExchangeOffer o defined twice (expected a unique name)"},
        ErrorCase{offer + action + rule +
                      "KeyExchangePolicy\n{\n KeyExchangeRuleRef r\n"
                      " KeyExchangeRule r { KeyExchangeActionRef a }\n}\n",
                  "policy.conf:20:18: KeyExchangeRule r defined twice (expected a unique name)"},
        ErrorCase{offer + action + rule + policy + policy,
                  "policy.conf:21:1: KeyExchangePolicy coded more than once (expected one "
                  "KeyExchangePolicy statement)"},
        // Structure.
        ErrorCase{offer + action + rule,
                  "policy.conf:1:1: no KeyExchangePolicy statement (expected a KeyExchangePolicy "
                  "{ KeyExchangeRuleRef ... } block)"},
        ErrorCase{offer + action + rule + "KeyExchangePolicy { AllowOnDemand No }",
                  "policy.conf:17:1: KeyExchangePolicy has no rules (expected at least one "
                  "KeyExchangeRuleRef or KeyExchangeRule)"},
        ErrorCase{offer +
                      "KeyExchangeAction a\n{\n HowToAuthMe PresharedKey\n HowToInitiate "
                      "IKEv2\n KeyExchangeOfferRef o\n}\n" +
                      "KeyExchangeRule r\n{\n LocalSecurityEndpoint { Location 9.1.1.1 }\n"
                      " RemoteSecurityEndpoint { Location 9.2.2.2 }\n KeyExchangeActionRef a\n}\n" +
                      "KeyExchangePolicy\n{\n KeyExchangeRuleRef r\n}\n",
                  "policy.conf:12:1: KeyExchangeRule r uses HowToAuthMe PresharedKey (a) but has "
                  "no SharedKey (expected SharedKey Ascii|Ebcdic|Hex key)"},
        ErrorCase{offer + "KeyExchangeAction a\n{\n KeyExchangeOfferRef o\n}\n" + rule + policy,
                  "policy.conf:6:1: KeyExchangeAction a has no HowToInitiate (expected "
                  "HowToInitiate IKEv2|DoNot (nsslab requires it))"},
        ErrorCase{offer + action + "KeyExchangeRule r { KeyExchangeActionRef a }\n" + policy,
                  "policy.conf:11:1: KeyExchangeRule r has no LocalSecurityEndpoint (expected "
                  "LocalSecurityEndpoint[Ref] and RemoteSecurityEndpoint[Ref])"},
        // An unreferenced global statement is still checked.
        ErrorCase{offer + action + rule + policy +
                      "KeyExchangeOffer spare { HowToAuthMsgs SHA2_256\n DHGroup Group1 }",
                  "policy.conf:22:10: DHGroup Group1 is not supported by nsslab (expected "
                  "Group14|Group19|Group20|Group21|Group31)"}));

TEST(IkePolicy, AllErrorsReported) {
    std::vector<Diagnostic> diagnostics;
    auto r = parse_ike_policy(
        "KeyExchangeOffer o { HowToAuthMsgs MD5\n DHGroup Group1 }\n" + action + rule + policy, {},
        &diagnostics);
    ASSERT_FALSE(r);
    ASSERT_GE(diagnostics.size(), 2u);
    EXPECT_EQ(diagnostics[0].where, (SourceLocation{1, 36}));
    EXPECT_EQ(diagnostics[1].where, (SourceLocation{2, 10}));
    EXPECT_NE(r.error().message.find("more error"), std::string::npos);
}

TEST(IkePolicy, SharedKeyForms) {
    auto with_key = [&](std::string const& key) {
        return offer + action +
               "KeyExchangeRule r\n{\n LocalSecurityEndpoint { Location 9.1.1.1 }\n"
               " RemoteSecurityEndpoint { Location 9.2.2.2 }\n KeyExchangeActionRef a\n"
               " SharedKey " +
               key + "\n}\n" + policy;
    };
    auto hex = parse_ike_policy(with_key("Hex 0a1B2c"));
    ASSERT_TRUE(hex) << hex.error().message;
    EXPECT_EQ(hex->rules[0].shared_key_encoding, SharedKeyEncoding::hex);
    EXPECT_EQ(hex->rules[0].shared_key, "0a1B2c");
    auto ascii = parse_ike_policy(with_key("Ascii \"two  words\""));
    ASSERT_TRUE(ascii) << ascii.error().message;
    EXPECT_EQ(ascii->rules[0].shared_key, "two  words");
    EXPECT_EQ(error_of(with_key("Hex 0xZZ")),
              "policy.conf:16:16: SharedKey Hex value is not hexadecimal (expected an even "
              "number of hexadecimal digits)");
}

TEST(IkePolicy, Bounds) {
    IkePolicyParseOptions options;
    options.limits.max_file_bytes = 16;
    auto r = parse_ike_policy(offer + action + rule + policy, options);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::oversized);
}

}  // namespace
}  // namespace nsslab::zos
