// IP filter policy (sim/zos/include/nsslab/zos/filter_policy.hpp): address matching, the Policy
// Agent subset, the PROFILE.TCPIP default policy, and first-match packet decisions.
#include "nsslab/zos/filter_policy.hpp"

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

IpAddress ip(char const* text) {
    return IpAddress::parse(text).value();
}

PacketTuple pkt(char const* src, char const* dst, std::uint8_t proto, std::uint16_t sport,
                std::uint16_t dport, PacketDirection dir = PacketDirection::outbound) {
    PacketTuple p;
    p.source = ip(src);
    p.destination = ip(dst);
    p.protocol = proto;
    p.source_port = sport;
    p.destination_port = dport;
    p.direction = dir;
    return p;
}

constexpr auto in = PacketDirection::inbound;
constexpr auto tcp = ip_protocol_tcp;
constexpr auto udp = ip_protocol_udp;

// ---- AddressMatch ----

TEST(AddressMatch, Forms) {
    auto single = AddressMatch::parse("9.1.1.1").value();
    EXPECT_EQ(single.kind, AddressMatch::Kind::single);
    EXPECT_TRUE(single.matches(ip("9.1.1.1")));
    EXPECT_FALSE(single.matches(ip("9.1.1.2")));

    auto prefix = AddressMatch::parse("9.1.1.77/24").value();  // host bits ignored
    EXPECT_EQ(prefix.kind, AddressMatch::Kind::prefix);
    EXPECT_EQ(prefix.prefix_length, 24u);
    EXPECT_EQ(prefix.first, ip("9.1.1.0"));
    EXPECT_EQ(prefix.last, ip("9.1.1.255"));
    EXPECT_TRUE(prefix.matches(ip("9.1.1.0")));
    EXPECT_TRUE(prefix.matches(ip("9.1.1.255")));
    EXPECT_FALSE(prefix.matches(ip("9.1.2.0")));
    EXPECT_FALSE(prefix.matches(ip("::9.1.1.1")));

    auto odd = AddressMatch::parse("10.0.0.0/13").value();
    EXPECT_EQ(odd.last, ip("10.7.255.255"));
    EXPECT_TRUE(odd.matches(ip("10.7.1.1")));
    EXPECT_FALSE(odd.matches(ip("10.8.0.0")));

    auto zero = AddressMatch::parse("0.0.0.0/0").value();
    EXPECT_TRUE(zero.matches(ip("255.255.255.255")));
    EXPECT_FALSE(zero.matches(ip("::1")));
    EXPECT_TRUE(AddressMatch::parse("9.1.1.1/32").value().matches(ip("9.1.1.1")));
    EXPECT_FALSE(AddressMatch::parse("9.1.1.1/32").value().matches(ip("9.1.1.0")));

    auto v6 = AddressMatch::parse("fd00:0:0:1::/64").value();
    EXPECT_TRUE(v6.matches(ip("fd00:0:0:1:ffff::1")));
    EXPECT_FALSE(v6.matches(ip("fd00:0:0:2::1")));
    auto v6odd = AddressMatch::parse("2001:db8::/33").value();
    EXPECT_TRUE(v6odd.matches(ip("2001:db8:7fff::1")));
    EXPECT_FALSE(v6odd.matches(ip("2001:db8:8000::1")));

    auto range = AddressMatch::parse("9.3.3.1-9.3.3.9").value();
    EXPECT_EQ(range.kind, AddressMatch::Kind::range);
    EXPECT_TRUE(range.matches(ip("9.3.3.1")));
    EXPECT_TRUE(range.matches(ip("9.3.3.9")));
    EXPECT_FALSE(range.matches(ip("9.3.3.10")));
    EXPECT_FALSE(range.matches(ip("9.3.3.0")));

    auto all = AddressMatch::parse("all").value();
    EXPECT_TRUE(all.matches(ip("1.2.3.4")));
    EXPECT_TRUE(all.matches(ip("::1")));
    EXPECT_FALSE(AddressMatch::all(IpAddress::Family::v6).matches(ip("1.2.3.4")));
}

TEST(AddressMatch, Errors) {
    for (auto bad : {"9.1.1.1/33", "fd00::/129", "9.1.1.1/x", "9.1.1.1-fd00::1", "9.1.1.9-9.1.1.1",
                     "host.example", "", "9.1.1.1/"})
        EXPECT_FALSE(AddressMatch::parse(bad)) << bad;
}

// ---- Policy Agent file ----

FilterPolicy sample_policy() {
    FilterPolicyParseOptions o;
    o.file_name = "policy.conf";
    auto r = parse_filter_policy(read_data("policy.conf"), o);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : FilterPolicy{};
}

TEST(FilterPolicy, SampleRulesInOrder) {
    auto p = sample_policy();
    EXPECT_EQ(p.source, FilterPolicySource::stack_policy);
    EXPECT_EQ(to_string(p.source), "Stack Policy");
    ASSERT_EQ(p.rules.size(), 6u);
    std::vector<std::string> names;
    for (auto const& r : p.rules)
        names.push_back(r.name);
    EXPECT_EQ(names, (std::vector<std::string>{"nss-client", "ike", "ike", "systemb", "v6-web",
                                               "block-10"}));
    EXPECT_EQ(p.rules[0].direction, FilterDirection::outbound);
    EXPECT_EQ(p.rules[0].protocol, tcp);
    EXPECT_EQ(p.rules[0].destination_ports, (PortRange{4159, 4159}));
    EXPECT_TRUE(p.rules[0].source_ports.any());
    EXPECT_EQ(p.rules[1].source_ports, (PortRange{500, 500}));
    EXPECT_EQ(p.rules[2].source_ports, (PortRange{4500, 4500}));
    EXPECT_EQ(p.rules[3].action, FilterAction::ipsec);
    EXPECT_EQ(p.rules[3].action_name, "to-systemb");
    EXPECT_FALSE(p.rules[3].protocol);
    EXPECT_EQ(p.rules[3].direction, FilterDirection::bidirectional);
    EXPECT_EQ(p.rules[5].action, FilterAction::deny);
    EXPECT_FALSE(p.rules[5].log);
    EXPECT_EQ(p.rules[4].where, (SourceLocation{69, 4}));
}

TEST(FilterPolicy, DecisionsFirstMatchWins) {
    auto p = sample_policy();
    auto d = p.decide(pkt("9.2.2.5", "9.1.1.1", tcp, 40000, 4159));
    EXPECT_EQ(d, (FilterDecision{FilterAction::permit, "nss-client", "permit-log", true, false}));
    // nss-client is Outbound only: the server's reply falls through to the implicit deny.
    d = p.decide(pkt("9.1.1.1", "9.2.2.5", tcp, 4159, 40000, in));
    EXPECT_EQ(d, (FilterDecision{FilterAction::deny, "~IMPLICIT_DENY", "", true, true}));
    // Wrong port.
    EXPECT_TRUE(p.decide(pkt("9.2.2.5", "9.1.1.1", tcp, 40000, 4160)).implicit_deny);
    // IKE: one rule, two IpService filters, both directions.
    EXPECT_EQ(p.decide(pkt("9.2.2.5", "9.9.9.9", udp, 500, 500)).rule_name, "ike");
    EXPECT_EQ(p.decide(pkt("9.9.9.9", "9.2.2.5", udp, 4500, 4500, in)).rule_name, "ike");
    EXPECT_TRUE(p.decide(pkt("9.2.2.5", "9.9.9.9", udp, 500, 4500)).implicit_deny);
    // First match: IKE to 10/8 is permitted by "ike" before "block-10" denies it.
    EXPECT_EQ(p.decide(pkt("9.2.2.5", "10.1.2.3", udp, 500, 500)).rule_name, "ike");
    d = p.decide(pkt("9.2.2.5", "10.1.2.3", udp, 53, 53));
    EXPECT_EQ(d, (FilterDecision{FilterAction::deny, "block-10", "deny-nolog", false, false}));
    // IPsec to SYSTEMB: prefix source, range destination, both directions.
    d = p.decide(pkt("9.2.2.7", "9.3.3.5", tcp, 1, 2));
    EXPECT_EQ(d.action, FilterAction::ipsec);
    EXPECT_EQ(d.rule_name, "systemb");
    EXPECT_EQ(d.action_name, "to-systemb");
    EXPECT_EQ(p.decide(pkt("9.3.3.9", "9.2.2.255", ip_protocol_icmp, 0, 0, in)).rule_name,
              "systemb");
    EXPECT_TRUE(p.decide(pkt("9.2.2.7", "9.3.3.10", tcp, 1, 2)).implicit_deny);
    EXPECT_TRUE(p.decide(pkt("9.2.3.7", "9.3.3.5", tcp, 1, 2)).implicit_deny);
    // IPv6 rule with a source port range.
    EXPECT_EQ(p.decide(pkt("fd00::5", "2001:db8::1", tcp, 1024, 443)).rule_name, "v6-web");
    EXPECT_EQ(p.decide(pkt("fd00::5", "2001:db8::1", tcp, 65535, 443)).rule_name, "v6-web");
    EXPECT_TRUE(p.decide(pkt("fd00::5", "2001:db8::1", tcp, 1023, 443)).implicit_deny);
    EXPECT_TRUE(p.decide(pkt("fd00::5", "2001:db8::1", udp, 2000, 443)).implicit_deny);
    EXPECT_EQ(p.decide(pkt("2001:db8::1", "fd00::5", tcp, 443, 2000, in)).rule_name, "v6-web");
    EXPECT_TRUE(p.decide(pkt("fd01::5", "2001:db8::1", tcp, 2000, 443)).implicit_deny);
    // Routed traffic: every rule here is Routing Local (the default).
    auto routed = pkt("9.2.2.5", "9.9.9.9", udp, 500, 500);
    routed.routed = true;
    EXPECT_TRUE(p.decide(routed).implicit_deny);
}

FilterPolicy policy(std::string const& rules_and_policy) {
    std::string text =
        "IpGenericFilterAction permit { IpFilterAction Permit }\n"
        "IpGenericFilterAction deny { IpFilterAction Deny }\n" +
        rules_and_policy;
    auto r = parse_filter_policy(text);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : FilterPolicy{};
}

TEST(FilterPolicy, InboundRuleMatchesPacketAsWritten) {
    auto p = policy(
        "IpFilterPolicy {\n IpFilterRule in1 {\n  IpSourceAddr 9.9.9.9\n  IpDestAddr 9.1.1.1\n"
        "  IpService {\n   Protocol UDP\n   SourcePortRange 1000 2000\n   Direction Inbound\n  }\n"
        "  IpGenericFilterActionRef permit\n }\n}\n");
    EXPECT_EQ(p.decide(pkt("9.9.9.9", "9.1.1.1", udp, 1500, 7, in)).rule_name, "in1");
    EXPECT_TRUE(p.decide(pkt("9.9.9.9", "9.1.1.1", udp, 1500, 7)).implicit_deny);  // outbound
    EXPECT_TRUE(p.decide(pkt("9.1.1.1", "9.9.9.9", udp, 7, 1500, in)).implicit_deny);
    EXPECT_TRUE(p.decide(pkt("9.9.9.9", "9.1.1.1", udp, 2001, 7, in)).implicit_deny);
}

TEST(FilterPolicy, ServiceOptionsAndProtocolNumbers) {
    auto p = policy(
        "IpFilterRule esp { IpService {\n Protocol 50\n Routing Either\n SecurityClass 3\n"
        " Direction Bidirectional InboundConnect\n }\n IpGenericFilterActionRef permit }\n"
        "IpFilterRule all-ports { IpService {\n Protocol TCP\n SourcePortRange 0\n }\n"
        " IpGenericFilterActionRef deny }\n"
        "IpFilterPolicy { IpFilterRuleRef esp\n IpFilterRuleRef all-ports\n IpFilterLogging No "
        "}\n");
    ASSERT_EQ(p.rules.size(), 2u);
    EXPECT_EQ(p.rules[0].protocol, 50);
    EXPECT_EQ(p.rules[0].routing, FilterRouting::either);
    EXPECT_EQ(p.rules[0].security_class, 3);
    EXPECT_TRUE(p.rules[1].source_ports.any());
    auto routed = pkt("1.1.1.1", "2.2.2.2", 50, 0, 0);
    routed.routed = true;
    EXPECT_EQ(p.decide(routed).rule_name, "esp");
    EXPECT_EQ(p.decide(pkt("1.1.1.1", "2.2.2.2", tcp, 9, 9)).rule_name, "all-ports");
    auto d = p.decide(pkt("1.1.1.1", "2.2.2.2", udp, 9, 9));
    EXPECT_TRUE(d.implicit_deny);
    EXPECT_FALSE(d.log);  // IpFilterLogging No
}

TEST(FilterPolicy, RuleWithoutServiceMatchesEverything) {
    auto p = policy("IpFilterPolicy { IpFilterRule any { IpGenericFilterActionRef permit } }");
    ASSERT_EQ(p.rules.size(), 1u);
    EXPECT_EQ(p.decide(pkt("::1", "::2", 58, 0, 0, in)).rule_name, "any");
    EXPECT_EQ(p.decide(pkt("1.1.1.1", "2.2.2.2", tcp, 1, 2)).rule_name, "any");
}

struct ErrorCase {
    std::string text;
    std::string expected;
};
class FilterPolicyErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(FilterPolicyErrors, ExactLocationAndMessage) {
    std::vector<Diagnostic> d;
    std::string text = "IpGenericFilterAction permit { IpFilterAction Permit }\n" + GetParam().text;
    auto r = parse_filter_policy(text, {}, &d);
    ASSERT_FALSE(r);
    ASSERT_EQ(d.size(), 1u) << d[0].format("p") << " / " << d[1].format("p");
    EXPECT_EQ(d[0].format("policy.conf"), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    All, FilterPolicyErrors,
    ::testing::Values(
        ErrorCase{"IpFilterRule r { IpGenericFilterActionRef permit }",
                  "policy.conf:1:1: error: no IpFilterPolicy statement (expected an IpFilterPolicy "
                  "{ IpFilterRuleRef ... } block)"},
        ErrorCase{"IpFilterPolicy {\n}",
                  "policy.conf:2:1: error: IpFilterPolicy has no rules (expected at least one "
                  "IpFilterRuleRef or IpFilterRule)"},
        ErrorCase{"IpFilterPolicy {\n IpFilterRuleRef nope\n}",
                  "policy.conf:3:18: error: IpFilterRuleRef names an undefined IpFilterRule 'nope' "
                  "(expected the name of an IpFilterRule statement)"},
        ErrorCase{"IpFilterPolicy {\n IpFilterRule r {\n  IpGenericFilterActionRef nope\n }\n}",
                  "policy.conf:4:28: error: IpGenericFilterActionRef names an undefined "
                  "IpGenericFilterAction 'nope' (expected the name of an IpGenericFilterAction "
                  "statement)"},
        ErrorCase{"IpFilterPolicy {\n IpFilterRule r {\n  IpSourceAddr All\n }\n}",
                  "policy.conf:3:2: error: IpFilterRule r has no action (expected "
                  "IpGenericFilterActionRef name or IpDynVpnActionRef name)"},
        ErrorCase{"IpGenericFilterAction ips { IpFilterAction IPSec }\n"
                  "IpFilterPolicy {\n IpFilterRule r {\n  IpGenericFilterActionRef ips\n }\n}",
                  "policy.conf:5:28: error: IPSec action without IpDynVpnActionRef (expected "
                  "IpDynVpnActionRef name)"},
        ErrorCase{
            "IpDynVpnAction v { }\nIpFilterPolicy {\n IpFilterRule r {\n"
            "  IpGenericFilterActionRef permit\n  IpDynVpnActionRef v\n }\n}",
            "policy.conf:6:21: error: IpDynVpnActionRef with an IpGenericFilterAction that is "
            "not IPSec (expected IpFilterAction IPSec in permit)"},
        ErrorCase{"IpFilterPolicy {\n IpFilterRule r {\n  IpDynVpnActionRef v\n }\n}",
                  "policy.conf:4:21: error: IpDynVpnActionRef names an undefined IpDynVpnAction "
                  "'v' (expected the name of an IpDynVpnAction statement)"},
        ErrorCase{"IpFilterPolicy {\n IpFilterRule r {\n  IpService {\n   DestinationPortRange 22\n"
                  "  }\n  IpGenericFilterActionRef permit\n }\n}",
                  "policy.conf:5:4: error: port ranges need Protocol TCP or UDP (expected Protocol "
                  "TCP or Protocol UDP in the same IpService)"},
        ErrorCase{"IpFilterPolicy {\n IpFilterRule r {\n  IpService {\n   Protocol ICMP\n"
                  "   SourcePortRange 5 6\n  }\n  IpGenericFilterActionRef permit\n }\n}",
                  "policy.conf:6:4: error: port ranges need Protocol TCP or UDP (expected Protocol "
                  "TCP or Protocol UDP in the same IpService)"},
        ErrorCase{"IpFilterPolicy {\n IpFilterRule r {\n  IpService {\n   Protocol TCP\n"
                  "   SourcePortRange 6 5\n  }\n  IpGenericFilterActionRef permit\n }\n}",
                  "policy.conf:6:22: error: SourcePortRange ends before it begins (expected "
                  "endport >= port)"},
        ErrorCase{
            "IpFilterPolicy {\n IpFilterRule r {\n  IpService {\n   Protocol SCTP\n  }\n"
            "  IpGenericFilterActionRef permit\n }\n}",
            "policy.conf:5:13: error: 'SCTP' is not a protocol (expected All, TCP, UDP, ICMP, "
            "ICMPv6, IGMP, OSPF or a number 0-255)"},
        ErrorCase{"IpFilterPolicy {\n IpFilterRule r {\n  IpService {\n   Direction Sideways\n  }\n"
                  "  IpGenericFilterActionRef permit\n }\n}",
                  "policy.conf:5:14: error: 'Sideways' is not a valid Direction value (expected "
                  "Inbound|Outbound|Bidirectional)"},
        ErrorCase{"IpFilterPolicy {\n IpFilterRule r {\n  IpService {\n   Color red\n  }\n"
                  "  IpGenericFilterActionRef permit\n }\n}",
                  "policy.conf:5:4: error: unknown IpService parameter 'Color' (expected "
                  "SourcePortRange, DestinationPortRange, Protocol, Direction, Routing or "
                  "SecurityClass)"},
        ErrorCase{"IpFilterPolicy {\n IpFilterRule r {\n  IpSourceAddr 9.1.1.1\n"
                  "  IpDestAddr fd00::1\n  IpGenericFilterActionRef permit\n }\n}",
                  "policy.conf:3:2: error: IpFilterRule r mixes IPv4 and IPv6 addresses (expected "
                  "source and destination of the same family)"},
        ErrorCase{"IpFilterPolicy {\n IpFilterRule r {\n  IpSourceAddr 9.1.1.1/40\n"
                  "  IpGenericFilterActionRef permit\n }\n}",
                  "policy.conf:4:16: error: IpSourceAddr: prefix length '40' is not 0-32 (expected "
                  "All, an address, address/prefix or address-address)"},
        ErrorCase{"IpFilterRule r { IpGenericFilterActionRef permit }\n"
                  "IpFilterRule r { IpGenericFilterActionRef permit }\n"
                  "IpFilterPolicy { IpFilterRuleRef r }",
                  "policy.conf:3:14: error: IpFilterRule r defined twice (expected a unique name)"},
        ErrorCase{"IpFilterRule -r { IpGenericFilterActionRef permit }\n"
                  "IpFilterPolicy { IpFilterRule r { IpGenericFilterActionRef permit } }",
                  "policy.conf:2:14: error: name '-r' starts with '-' or contains ',' (expected "
                  "1-32 characters, not starting with '-', no ',')"},
        ErrorCase{"IpFilterPolicy {\n IpFilterRule r {\n  IpSrcAddr All\n"
                  "  IpGenericFilterActionRef permit\n }\n}",
                  "policy.conf:4:3: error: unknown IpFilterRule parameter 'IpSrcAddr' (expected "
                  "IpSourceAddr, IpDestAddr, IpService, IpGenericFilterActionRef or "
                  "IpDynVpnActionRef)"},
        ErrorCase{
            "IpFilterPolicy {\n IpFilterRule r {\n  IpService TCP\n"
            "  IpGenericFilterActionRef permit\n }\n}",
            "policy.conf:4:3: error: IpService needs a '{' block (expected IpService { ... })"},
        ErrorCase{
            "IpFilterPolicy {\n PolicyScope Both\n IpFilterRule r { IpGenericFilterActionRef "
            "permit }\n}",
            "policy.conf:3:2: error: unknown IpFilterPolicy parameter 'PolicyScope' (expected "
            "IpFilterRuleRef, IpFilterRule or IpFilterLogging)"},
        ErrorCase{"IpGenericFilterAction g { IpFilterLogging Yes }\n"
                  "IpFilterPolicy { IpFilterRule r { IpGenericFilterActionRef permit } }",
                  "policy.conf:2:1: error: IpGenericFilterAction g has no IpFilterAction (expected "
                  "IpFilterAction Permit|Deny|IPSec)"},
        ErrorCase{"IpManVpnAction m { }\nIpFilterPolicy { IpFilterRule r { "
                  "IpGenericFilterActionRef permit } }",
                  "policy.conf:2:1: error: unknown statement 'IpManVpnAction' (expected "
                  "IpFilterPolicy, IpFilterRule, IpGenericFilterAction or IpDynVpnAction)"},
        ErrorCase{"IpFilterPolicy { IpFilterRule r { IpGenericFilterActionRef permit } }\n"
                  "IpFilterPolicy { IpFilterRule s { IpGenericFilterActionRef permit } }",
                  "policy.conf:3:1: error: IpFilterPolicy coded more than once (expected one "
                  "IpFilterPolicy statement)"}));

// ---- PROFILE.TCPIP default policy ----

FilterPolicy sample_profile() {
    auto r = parse_default_filter_policy(read_data("profile.tcpip"));
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : FilterPolicy{};
}

TEST(DefaultFilterPolicy, SampleProfileRules) {
    auto p = sample_profile();
    EXPECT_EQ(p.source, FilterPolicySource::stack_profile);
    EXPECT_EQ(p.implicit_deny_rule_name, "SYSDEFAULTDENYRULE");
    ASSERT_EQ(p.rules.size(), 5u);
    for (std::size_t i = 0; i < p.rules.size(); ++i) {
        EXPECT_EQ(p.rules[i].name, "SYSDEFAULTRULE." + std::to_string(i + 1));
        EXPECT_EQ(p.rules[i].action, FilterAction::permit);
        EXPECT_EQ(p.rules[i].direction, FilterDirection::bidirectional);
    }
    EXPECT_EQ(p.rules[0].protocol, tcp);
    EXPECT_EQ(p.rules[0].source_ports, (PortRange{4159, 4159}));
    EXPECT_TRUE(p.rules[0].destination_ports.any());
    EXPECT_TRUE(p.rules[0].log);
    EXPECT_FALSE(p.rules[1].log);
    EXPECT_EQ(p.rules[2].protocol, ip_protocol_ospf);
    EXPECT_EQ(p.rules[4].protocol, ip_protocol_icmpv6);
    EXPECT_EQ(p.rules[0].where, (SourceLocation{9, 1}));
}

TEST(DefaultFilterPolicy, NssTrafficPermittedEverythingElseDenied) {
    auto p = sample_profile();
    // The NSS server answers from port 4159; clients connect from ephemeral ports.
    auto d = p.decide(pkt("9.1.1.1", "9.2.2.5", tcp, 4159, 40000));
    EXPECT_EQ(d, (FilterDecision{FilterAction::permit, "SYSDEFAULTRULE.1", "", true, false}));
    EXPECT_EQ(p.decide(pkt("9.2.2.5", "9.1.1.1", tcp, 40000, 4159, in)).rule_name,
              "SYSDEFAULTRULE.1");
    // Not port 4159 on the local side.
    d = p.decide(pkt("9.2.2.5", "9.1.1.1", tcp, 4159, 40000, in));
    EXPECT_EQ(d, (FilterDecision{FilterAction::deny, "SYSDEFAULTDENYRULE", "", true, true}));
    EXPECT_EQ(p.decide(pkt("9.1.1.1", "9.9.9.9", udp, 500, 500)).rule_name, "SYSDEFAULTRULE.2");
    EXPECT_TRUE(p.decide(pkt("9.1.1.1", "9.9.9.9", udp, 4500, 4500)).implicit_deny);
    EXPECT_EQ(p.decide(pkt("9.1.1.7", "224.0.0.5", ip_protocol_ospf, 0, 0)).rule_name,
              "SYSDEFAULTRULE.3");
    EXPECT_TRUE(p.decide(pkt("9.1.2.7", "224.0.0.5", ip_protocol_ospf, 0, 0)).implicit_deny);
    // IPv6: IPSECRULE's * is IPv4 only, so the IPSEC6RULE (rule 4) decides.
    EXPECT_EQ(p.decide(pkt("fd00::1", "fd00::2", tcp, 4159, 1025)).rule_name, "SYSDEFAULTRULE.4");
    EXPECT_EQ(p.decide(pkt("fd00::1", "ff02::1", ip_protocol_icmpv6, 0, 0)).rule_name,
              "SYSDEFAULTRULE.5");
    EXPECT_EQ(p.decide(pkt("ff02::1", "fd00::1", ip_protocol_icmpv6, 0, 0, in)).rule_name,
              "SYSDEFAULTRULE.5");
    EXPECT_TRUE(p.decide(pkt("fd01::1", "ff02::1", ip_protocol_icmpv6, 0, 0)).implicit_deny);
}

TEST(DefaultFilterPolicy, NoIpsecBlockDeniesEverything) {
    auto r = parse_default_filter_policy("TCPCONFIG RESTRICTLOWPORTS\n; IPSEC\n");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->rules.empty());
    EXPECT_FALSE(r->log_implicit_deny);
    auto d = r->decide(pkt("9.1.1.1", "9.2.2.5", tcp, 4159, 40000));
    EXPECT_EQ(d.rule_name, "SYSDEFAULTDENYRULE");
    EXPECT_EQ(d.action, FilterAction::deny);
}

TEST(DefaultFilterPolicy, IpsecBlockStartsALine) {
    auto r = parse_default_filter_policy("IPCONFIG IPSEC\nTCPCONFIG X\n");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->rules.empty());
}

TEST(DefaultFilterPolicy, LastIpsecBlockReplacesEarlierAndAbbreviations) {
    auto r = parse_default_filter_policy(
        "IPSEC\nIPSECRULE * * PROTO TCP\nENDIPSEC\n"
        "ipsec logdisable\nipsecrule 9.0.0.0/8 * log protoc udp srcp * dest 53 routing either "
        "secclass 4\nendipsec\n");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->rules.size(), 1u);
    auto const& rule = r->rules[0];
    EXPECT_EQ(rule.name, "SYSDEFAULTRULE.1");
    EXPECT_EQ(rule.protocol, udp);
    EXPECT_TRUE(rule.source_ports.any());
    EXPECT_EQ(rule.destination_ports, (PortRange{53, 53}));
    EXPECT_EQ(rule.routing, FilterRouting::either);
    EXPECT_EQ(rule.security_class, 4);
    EXPECT_FALSE(rule.log);  // LOGDISABLE turns logging off
    EXPECT_FALSE(r->rules[0].destination.address_family() == IpAddress::Family::v6);
}

struct ProfileError {
    std::string text;
    std::string expected;
};
class DefaultFilterPolicyErrors : public ::testing::TestWithParam<ProfileError> {};

TEST_P(DefaultFilterPolicyErrors, ExactLocationAndMessage) {
    std::vector<Diagnostic> d;
    auto r = parse_default_filter_policy(GetParam().text, {}, &d);
    ASSERT_FALSE(r);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].format("PROFILE"), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    All, DefaultFilterPolicyErrors,
    ::testing::Values(
        ProfileError{"TCPCONFIG X\n  IPSEC\nIPSECRULE * *\n",
                     "PROFILE:2:3: error: IPSEC block is never ended (expected ENDIPSEC)"},
        ProfileError{"IPSEC\nIPSECRULE fd00::1 *\nENDIPSEC",
                     "PROFILE:2:11: error: 'fd00::1' is not a valid address here (expected *, an "
                     "IPv4 address or address/prefix)"},
        ProfileError{"IPSEC\nIPSEC6RULE * 9.1.1.1\nENDIPSEC",
                     "PROFILE:2:14: error: '9.1.1.1' is not a valid address here (expected *, an "
                     "IPv6 address or address/prefix)"},
        ProfileError{"IPSEC\nIPSECRULE * 9.1.1.1-9.1.1.2\nENDIPSEC",
                     "PROFILE:2:13: error: '9.1.1.1-9.1.1.2' is not a valid address here (expected "
                     "*, an IPv4 address or address/prefix)"},
        ProfileError{"IPSEC\nIPSECRULE *\nENDIPSEC",
                     "PROFILE:2:1: error: IPSECRULE needs a source and a destination address "
                     "(expected IPSECRULE srcaddr destaddr [LOG|NOLOG] [PROTOcol ...])"},
        ProfileError{"IPSEC\nIPSECRULE * * SRCPORT 4159\nENDIPSEC",
                     "PROFILE:2:15: error: SRCPort and DESTport need protocol TCP or UDP (expected "
                     "PROTOcol TCP or PROTOcol UDP before the ports)"},
        ProfileError{"IPSEC\nIPSECRULE * * PROTO ICMP TYPE 8\nENDIPSEC",
                     "PROFILE:2:31: error: ICMP type and code filtering is not supported (expected "
                     "*)"},
        ProfileError{"IPSEC\nIPSECRULE * * PROT TCP\nENDIPSEC",
                     "PROFILE:2:15: error: unexpected 'PROT' in IPSECRULE (expected LOG, NOLOG, "
                     "PROTOcol, SRCPort, DESTport, ROUTING or SECCLASS)"},
        ProfileError{"IPSEC\nIPSECRULE * * PROTOCOL\nENDIPSEC",
                     "PROFILE:2:15: error: PROTOCOL is missing its value (expected All, TCP, UDP, "
                     "ICMP, ICMPv6, IGMP, OSPF or a number 0-255)"},
        ProfileError{"IPSEC\nIPSECRULE * * PROTOCOL SCTP\nENDIPSEC",
                     "PROFILE:2:24: error: 'SCTP' is not a protocol (expected *, TCP, UDP, ICMP, "
                     "ICMPv6, IGMP, OSPF or a number 0-255)"},
        ProfileError{"IPSEC\nIPSECRULE * * TCP DESTPORT 0\nENDIPSEC",
                     "PROFILE:2:28: error: port value 0 is out of range (expected an integer "
                     "1-65535)"},
        ProfileError{"IPSEC\nIPSECRULE * * ROUTING FAST\nENDIPSEC",
                     "PROFILE:2:23: error: 'FAST' is not a valid ROUTING value (expected "
                     "LOCAL|ROUTED|EITHER)"},
        ProfileError{"IPSEC\nIPSECRULE * * SECCLASS 256\nENDIPSEC",
                     "PROFILE:2:24: error: SECCLASS value 256 is out of range (expected an integer "
                     "0-255)"},
        ProfileError{"IPSEC LOGALL\nENDIPSEC",
                     "PROFILE:1:7: error: unknown IPSEC option 'LOGALL' (expected LOGENABLE, "
                     "LOGDISABLE, DVIPSEC, IPSECRULE or IPSEC6RULE)"}));

}  // namespace
}  // namespace nsslab::zos
