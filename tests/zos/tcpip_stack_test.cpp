// TCP/IP stack model (sim/zos/include/nsslab/zos/tcpip_stack.hpp): the marker file shared by the
// local ipsec commands and NSS remote management, the policy in force and its decisions, the SA
// table across -f default / -f reload (facts §5), and the SA commands.
#include "nsslab/zos/tcpip_stack.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "nsslab/base/rng.hpp"

namespace nsslab::zos {
namespace {

using namespace std::chrono_literals;

constexpr char const* profile_text = R"(
IPSEC LOGENABLE
IPSECRULE * * LOG TCP SRCPORT 4159 DESTPORT *
ENDIPSEC
)";

// Policy Agent file; `tob_dest` lets a test change the IPSec rule "tob".
std::string policy_text(char const* tob_dest = "9.3.3.1", bool with_tob = true,
                        char const* other_dest = "9.4.4.1") {
    std::string s = R"(
IpGenericFilterAction permit
{
   IpFilterAction Permit
}
IpGenericFilterAction ipsec
{
   IpFilterAction IPSec
}
IpDynVpnAction to-b
{
   Initiation Either
}
IpFilterPolicy
{
   IpFilterRule web
   {
      IpSourceAddr 9.1.1.1
      IpDestAddr   9.2.2.0/24
      IpService
      {
         Protocol TCP
         DestinationPortRange 80
      }
      IpGenericFilterActionRef permit
   }
)";
    if (with_tob) {
        s += "   IpFilterRule tob\n   {\n      IpSourceAddr 9.1.1.1\n      IpDestAddr ";
        s += tob_dest;
        s += "\n      IpGenericFilterActionRef ipsec\n      IpDynVpnActionRef to-b\n   }\n";
    }
    s += "   IpFilterRule other\n   {\n      IpSourceAddr 9.1.1.1\n      IpDestAddr ";
    s += other_dest;
    s += "\n      IpGenericFilterActionRef ipsec\n      IpDynVpnActionRef to-b\n   }\n}\n";
    return s;
}

FilterPolicy parse_policy(std::string const& text) {
    auto p = parse_filter_policy(text);
    EXPECT_TRUE(p) << (p ? "" : p.error().what());
    return p.value();
}

IpAddress ip(char const* text) {
    return IpAddress::parse(text).value();
}

PacketTuple tcp_out(char const* src, std::uint16_t sport, char const* dst, std::uint16_t dport) {
    PacketTuple p;
    p.source = ip(src);
    p.destination = ip(dst);
    p.protocol = ip_protocol_tcp;
    p.source_port = sport;
    p.destination_port = dport;
    p.direction = PacketDirection::outbound;
    return p;
}

PacketTuple to_b() {
    PacketTuple p;
    p.source = ip("9.1.1.1");
    p.destination = ip("9.3.3.1");
    p.protocol = ip_protocol_udp;
    p.source_port = 1000;
    p.destination_port = 2000;
    return p;
}

TimePoint const t0 = time_from_unix_seconds(1798761600);  // 2027-01-01T00:00:00Z
char const* const marker = "/var/iked/STACK1.defaultpolicy";

struct TcpipStackTest : ::testing::Test {
    runtime::MemoryFileSystem fs;
    std::unique_ptr<TcpipStack> stack;

    void SetUp() override {
        stack = std::make_unique<TcpipStack>(TcpipStackConfig{},
                                             parse_default_filter_policy(profile_text).value(), fs);
        stack->set_ipsec_policy(parse_policy(policy_text()), t0);
    }

    std::string add_tunnel(std::string rule = "tob", std::string parent = {}) {
        SaSpec spec;
        spec.local = ip("9.1.1.1");
        spec.peer = ip("9.3.3.1");
        spec.rule_name = std::move(rule);
        spec.parent_id = std::move(parent);
        spec.lifetime = 1h;
        auto id = stack->add_ipsec_sa(spec, t0);
        EXPECT_TRUE(id) << (id ? "" : id.error().what());
        return id.value();
    }
    std::string add_ike() {
        SaSpec spec;
        spec.local = ip("9.1.1.1");
        spec.peer = ip("9.3.3.1");
        spec.lifetime = 8h;
        return stack->add_ike_sa(spec, t0).value();
    }
};

// ---- marker file and policy in force ----

TEST_F(TcpipStackTest, NamesAndDefaults) {
    EXPECT_EQ(stack->name(), "STACK1");
    EXPECT_EQ(stack->system_name(), "SYSTEMA");
    EXPECT_EQ(stack->nss_client_name(), "SYSTEMA_STACK1");
    EXPECT_EQ(stack->marker_path(), marker);
    EXPECT_EQ(default_marker_path("TCPCS2"), "/var/iked/TCPCS2.defaultpolicy");
    EXPECT_FALSE(stack->marker_present());
    EXPECT_EQ(stack->active_source(), FilterPolicySource::stack_policy);
}

TEST_F(TcpipStackTest, LocalAndRemoteSwitchTheSameMarkerFile) {
    auto r = stack->policy_default(t0);
    ASSERT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(r.lines, (std::vector<std::string>{"Default IP filter policy now in effect",
                                                 "Source: Stack Profile"}));
    EXPECT_TRUE(fs.exists(marker));
    EXPECT_EQ(fs.list("/var/iked/"), std::vector<std::string>{marker});
    EXPECT_NE(fs.read(marker).value().find("(ipsec -f default)"), std::string::npos);
    EXPECT_EQ(stack->active_source(), FilterPolicySource::stack_profile);

    // Idempotent.
    r = stack->policy_default(t0);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.lines[0], "Default IP filter policy already in effect");
    EXPECT_TRUE(fs.exists(marker));

    // The remote reload deletes the file the local command created.
    r = stack->execute(ManagementCommand::policy_reload, "", t0 + 1s);
    ASSERT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(r.lines, (std::vector<std::string>{"IP security filter policy reloaded",
                                                 "Source: Stack Policy"}));
    EXPECT_FALSE(fs.exists(marker));
    EXPECT_EQ(stack->active_source(), FilterPolicySource::stack_policy);
    r = stack->execute(ManagementCommand::policy_reload, "", t0 + 1s);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.lines[0], "IP security filter policy already in effect");

    // The remote default creates the same file; the local reload deletes it.
    r = stack->execute(ManagementCommand::policy_default, "", t0 + 2s);
    ASSERT_TRUE(r.ok) << r.reason;
    EXPECT_TRUE(fs.exists(marker));
    EXPECT_EQ(fs.list("/"), std::vector<std::string>{marker});
    EXPECT_NE(fs.read(marker).value().find("(NSS remote management)"), std::string::npos);
    r = stack->policy_reload(t0 + 3s);
    ASSERT_TRUE(r.ok) << r.reason;
    EXPECT_FALSE(fs.exists(marker));
    EXPECT_TRUE(fs.list("/").empty());
}

TEST_F(TcpipStackTest, SourceLineSwitches) {
    EXPECT_EQ(stack->display_filters(t0).at(2),
              "Source: Stack Policy  Scope: Current  TotAvail: 4");
    ASSERT_TRUE(stack->policy_default(t0).ok);
    EXPECT_EQ(stack->display_filters(t0).at(2),
              "Source: Stack Profile  Scope: Current  TotAvail: 2");
    auto remote = stack->execute(ManagementCommand::display_filters, "", t0);
    ASSERT_TRUE(remote.ok);
    EXPECT_EQ(remote.lines.at(2), "Source: Stack Profile  Scope: Current  TotAvail: 2");
    ASSERT_TRUE(stack->policy_reload(t0).ok);
    EXPECT_EQ(stack->display_filters(t0).at(2),
              "Source: Stack Policy  Scope: Current  TotAvail: 4");
}

TEST_F(TcpipStackTest, DecisionsFollowThePolicyInForce) {
    auto const web = tcp_out("9.1.1.1", 40000, "9.2.2.5", 80);
    auto const nss = tcp_out("9.1.1.1", 4159, "9.9.9.9", 50000);

    auto d = stack->decide(web, t0);
    EXPECT_EQ(d.action, FilterAction::permit);
    EXPECT_EQ(d.rule_name, "web");
    EXPECT_EQ(d.source, FilterPolicySource::stack_policy);
    d = stack->decide(nss, t0);
    EXPECT_EQ(d.action, FilterAction::deny);
    EXPECT_TRUE(d.implicit_deny);
    EXPECT_EQ(d.rule_name, "~IMPLICIT_DENY");

    ASSERT_TRUE(stack->policy_default(t0).ok);
    d = stack->decide(web, t0);
    EXPECT_EQ(d.action, FilterAction::deny);
    EXPECT_EQ(d.rule_name, "SYSDEFAULTDENYRULE");
    EXPECT_EQ(d.source, FilterPolicySource::stack_profile);
    d = stack->decide(nss, t0);
    EXPECT_EQ(d.action, FilterAction::permit);
    EXPECT_EQ(d.rule_name, "SYSDEFAULTRULE.1");
    d = stack->decide(to_b(), t0);
    EXPECT_EQ(d.action, FilterAction::deny);
    EXPECT_EQ(d.rule_name, "SYSDEFAULTDENYRULE");

    ASSERT_TRUE(stack->policy_reload(t0).ok);
    EXPECT_EQ(stack->decide(web, t0).rule_name, "web");
    d = stack->decide(to_b(), t0);
    EXPECT_EQ(d.action, FilterAction::ipsec);
    EXPECT_EQ(d.rule_name, "tob");
    EXPECT_EQ(d.action_name, "to-b");
    EXPECT_FALSE(d.sa_usable);  // no SA yet
}

TEST_F(TcpipStackTest, ExternalMarkerChangesAreHonoured) {
    ASSERT_TRUE(stack->policy_default(t0).ok);
    ASSERT_TRUE(fs.remove(marker));  // deleted behind the stack's back
    EXPECT_EQ(stack->active_source(), FilterPolicySource::stack_policy);
    EXPECT_EQ(stack->decide(tcp_out("9.1.1.1", 40000, "9.2.2.5", 80), t0).rule_name, "web");

    ASSERT_TRUE(fs.write(marker, "x"));  // created by someone else
    EXPECT_TRUE(stack->marker_present());
    EXPECT_EQ(stack->decide(tcp_out("9.1.1.1", 40000, "9.2.2.5", 80), t0).rule_name,
              "SYSDEFAULTDENYRULE");
    auto r = stack->policy_default(t0);
    EXPECT_EQ(r.lines.at(0), "Default IP filter policy already in effect");
}

TEST_F(TcpipStackTest, NoIpsecPolicyMeansDefault) {
    runtime::MemoryFileSystem other;
    TcpipStack bare(TcpipStackConfig{}, parse_default_filter_policy(profile_text).value(), other);
    EXPECT_EQ(bare.active_source(), FilterPolicySource::stack_profile);
    EXPECT_FALSE(bare.marker_present());
    auto r = bare.policy_reload(t0);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.code, Errc::state_error);
    EXPECT_EQ(bare.decide(tcp_out("9.1.1.1", 4159, "9.9.9.9", 50000), t0).rule_name,
              "SYSDEFAULTRULE.1");
    bare.set_ipsec_policy(parse_policy(policy_text()), t0);
    EXPECT_EQ(bare.active_source(), FilterPolicySource::stack_policy);
    bare.clear_ipsec_policy(t0);
    EXPECT_EQ(bare.active_source(), FilterPolicySource::stack_profile);
}

TEST(TcpipStack, MarkerWriteFailureIsReported) {
    runtime::MemoryFileSystem tiny(4);  // too small for the marker's content
    TcpipStack stack(TcpipStackConfig{}, parse_default_filter_policy(profile_text).value(), tiny);
    stack.set_ipsec_policy(parse_policy(policy_text()), t0);
    auto r = stack.policy_default(t0);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.code, Errc::io_error);
    EXPECT_EQ(stack.active_source(), FilterPolicySource::stack_policy);
}

TEST(TcpipStack, ConfiguredMarkerPathAndClientName) {
    runtime::MemoryFileSystem fs;
    TcpipStackConfig config;
    config.system_name = "MVS1";
    config.stack_name = "TCPCS";
    config.nss_client_name = "Client4";
    config.marker_path = "/etc/ipsec/tcpcs.default";
    TcpipStack stack(config, parse_default_filter_policy(profile_text).value(), fs);
    stack.set_ipsec_policy(parse_policy(policy_text()), t0);
    ASSERT_TRUE(stack.execute(ManagementCommand::policy_default, "", t0).ok);
    EXPECT_TRUE(fs.exists("/etc/ipsec/tcpcs.default"));
    auto r = stack.execute(ManagementCommand::display_ike_sas, "", t0);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.lines.at(0), "CS V2R4 ipsec NSS Client Name: Client4  Fri Jan  1 00:00:00 2027");
    EXPECT_EQ(stack.display_ike_sas(t0).at(0),
              "CS V2R4 ipsec Stack Name: TCPCS  Fri Jan  1 00:00:00 2027");
}

// ---- SAs across -f default / -f reload ----

TEST_F(TcpipStackTest, SasSurviveDefaultButAreUnusable) {
    auto const k = add_ike();
    auto const y = add_tunnel("tob", k);
    EXPECT_EQ(k, "K1");
    EXPECT_EQ(y, "Y1");
    auto d = stack->decide(to_b(), t0);
    EXPECT_TRUE(d.sa_usable);
    EXPECT_EQ(d.sa_id, "Y1");
    EXPECT_TRUE(stack->find_sa(y, t0)->usable);

    auto r = stack->execute(ManagementCommand::policy_default, "", t0 + 1s);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.lines.at(2), "2 SAs kept, not usable until ipsec -f reload");
    auto sa = stack->find_sa(y, t0 + 1s);
    ASSERT_TRUE(sa);
    EXPECT_EQ(sa->state, SaState::active);
    EXPECT_FALSE(sa->usable);
    EXPECT_FALSE(stack->find_sa(k, t0 + 1s)->usable);
    EXPECT_EQ(stack->sas(SaKind::ipsec, t0 + 1s).size(), 1u);

    r = stack->policy_reload(t0 + 2s);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.lines.size(), 2u);  // nothing deleted
    EXPECT_TRUE(stack->find_sa(y, t0 + 2s)->usable);
    EXPECT_TRUE(stack->find_sa(k, t0 + 2s)->usable);
    d = stack->decide(to_b(), t0 + 2s);
    EXPECT_EQ(d.action, FilterAction::ipsec);
    EXPECT_TRUE(d.sa_usable);
}

TEST_F(TcpipStackTest, SaDeletedOnReloadWhenItsRuleChangedMeanwhile) {
    auto const changed = add_tunnel("tob");
    auto const kept = add_tunnel("other");
    ASSERT_TRUE(stack->policy_default(t0).ok);
    // Policy Agent refreshes with "tob" changed while the default policy is in effect.
    stack->set_ipsec_policy(parse_policy(policy_text("9.3.3.2")), t0 + 1s);
    ASSERT_TRUE(stack->find_sa(changed, t0 + 1s));  // kept until reload
    auto r = stack->policy_reload(t0 + 2s);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.lines.back(), "SAs deleted (filter rule removed or changed): Y1");
    EXPECT_FALSE(stack->find_sa(changed, t0 + 2s));
    ASSERT_TRUE(stack->find_sa(kept, t0 + 2s));
    EXPECT_TRUE(stack->find_sa(kept, t0 + 2s)->usable);
}

TEST_F(TcpipStackTest, SaDeletedOnReloadWhenItsRuleWasRemoved) {
    auto const k = add_ike();
    auto const y = add_tunnel("tob", k);
    auto const other = add_tunnel("other", k);
    ASSERT_TRUE(stack->policy_default(t0).ok);
    stack->set_ipsec_policy(parse_policy(policy_text("9.3.3.1", false)), t0);
    auto r = stack->execute(ManagementCommand::policy_reload, "", t0);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.lines.back(), "SAs deleted (filter rule removed or changed): " + y);
    EXPECT_FALSE(stack->find_sa(y, t0));
    EXPECT_TRUE(stack->find_sa(other, t0));
    EXPECT_TRUE(stack->find_sa(k, t0));
}

TEST_F(TcpipStackTest, SaDeletedWhenMarkerRemovedExternallyAfterRuleChange) {
    auto const y = add_tunnel("tob");
    ASSERT_TRUE(stack->policy_default(t0).ok);
    stack->set_ipsec_policy(parse_policy(policy_text("9.3.3.0/24")), t0);
    ASSERT_TRUE(fs.remove(marker));
    EXPECT_FALSE(stack->find_sa(y, t0));  // the next call applies the reload's effects
}

TEST_F(TcpipStackTest, RuleChangeUnderIpsecPolicyDeletesAtOnce) {
    auto const y = add_tunnel("tob");
    auto const o = add_tunnel("other");
    stack->set_ipsec_policy(parse_policy(policy_text("9.3.3.1", true, "9.4.4.2")), t0);
    EXPECT_TRUE(stack->find_sa(y, t0));  // tob is unchanged
    EXPECT_FALSE(stack->find_sa(o, t0));
    // Re-installing an identical policy (a refresh) keeps the SA.
    stack->set_ipsec_policy(parse_policy(policy_text()), t0);
    EXPECT_TRUE(stack->find_sa(y, t0));
}

// ---- SA commands ----

TEST_F(TcpipStackTest, ActivateDeactivateRefresh) {
    auto const y = add_tunnel();
    auto r = stack->deactivate_sa(y, t0 + 10s);
    ASSERT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(r.lines, std::vector<std::string>{"Tunnel Y1 deactivated"});
    EXPECT_EQ(stack->find_sa(y, t0 + 10s)->state, SaState::inactive);
    EXPECT_FALSE(stack->decide(to_b(), t0 + 10s).sa_usable);

    r = stack->deactivate_sa(y, t0 + 10s);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.code, Errc::state_error);

    r = stack->execute(ManagementCommand::activate_sa, y, t0 + 20s);
    ASSERT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(r.lines, std::vector<std::string>{"Tunnel Y1 activated"});
    auto sa = stack->find_sa(y, t0 + 20s);
    EXPECT_EQ(sa->state, SaState::active);
    EXPECT_EQ(sa->activated, t0 + 20s);
    EXPECT_EQ(sa->expires, t0 + 20s + 1h);
    EXPECT_TRUE(stack->decide(to_b(), t0 + 20s).sa_usable);

    r = stack->activate_sa(y, t0 + 20s);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.code, Errc::state_error);

    r = stack->execute(ManagementCommand::refresh_sa, y, t0 + 30s);
    ASSERT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(r.lines, std::vector<std::string>{"Tunnel Y1 refreshed"});
    sa = stack->find_sa(y, t0 + 30s);
    EXPECT_EQ(sa->refreshes, 1u);
    EXPECT_EQ(sa->expires, t0 + 30s + 1h);
}

TEST_F(TcpipStackTest, ExpiryMakesSaUnusableAndActivateRestoresIt) {
    auto const y = add_tunnel();
    EXPECT_EQ(stack->find_sa(y, t0 + 1h - 1ns)->state, SaState::active);
    auto sa = stack->find_sa(y, t0 + 1h);
    EXPECT_EQ(sa->state, SaState::expired);
    EXPECT_FALSE(sa->usable);
    EXPECT_FALSE(stack->decide(to_b(), t0 + 1h).sa_usable);
    EXPECT_EQ(stack->refresh_sa(y, t0 + 1h).code, Errc::state_error);
    ASSERT_TRUE(stack->activate_sa(y, t0 + 2h).ok);
    EXPECT_TRUE(stack->find_sa(y, t0 + 2h)->usable);
}

TEST_F(TcpipStackTest, IkeDeactivateTakesItsIpsecSas) {
    auto const k = add_ike();
    auto const y1 = add_tunnel("tob", k);
    auto const y2 = add_tunnel("other", k);
    auto const lone = add_tunnel("other");
    auto r = stack->execute(ManagementCommand::deactivate_sa, k, t0);
    ASSERT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(r.lines, (std::vector<std::string>{"Tunnel K1 deactivated", "Tunnel Y1 deactivated",
                                                 "Tunnel Y2 deactivated"}));
    EXPECT_EQ(stack->find_sa(y1, t0)->state, SaState::inactive);
    EXPECT_EQ(stack->find_sa(y2, t0)->state, SaState::inactive);
    EXPECT_EQ(stack->find_sa(lone, t0)->state, SaState::active);
    // The child cannot be activated while its IKE SA is inactive; IKE SAs have no activate.
    EXPECT_EQ(stack->activate_sa(y1, t0).code, Errc::state_error);
    EXPECT_EQ(stack->activate_sa(k, t0).code, Errc::unsupported);
    // remove_sa of the IKE SA removes its children.
    ASSERT_TRUE(stack->remove_sa(k, t0));
    EXPECT_FALSE(stack->find_sa(y1, t0));
    EXPECT_TRUE(stack->find_sa(lone, t0));
    EXPECT_EQ(stack->remove_sa(k, t0).error().code, Errc::not_found);
}

TEST_F(TcpipStackTest, ControlUnderDefaultPolicy) {
    auto const y = add_tunnel();
    ASSERT_TRUE(stack->policy_default(t0).ok);
    EXPECT_EQ(stack->refresh_sa(y, t0).code, Errc::state_error);
    ASSERT_TRUE(stack->deactivate_sa(y, t0).ok);  // allowed
    EXPECT_EQ(stack->activate_sa(y, t0).code, Errc::state_error);
    SaSpec spec;
    spec.rule_name = "tob";
    EXPECT_EQ(stack->add_ipsec_sa(spec, t0).error().code, Errc::state_error);
}

TEST_F(TcpipStackTest, UnknownSaAndBadCommands) {
    for (auto cmd : {ManagementCommand::activate_sa, ManagementCommand::deactivate_sa,
                     ManagementCommand::refresh_sa}) {
        auto r = stack->execute(cmd, "Y9", t0);
        EXPECT_FALSE(r.ok);
        EXPECT_EQ(r.code, Errc::not_found);
        EXPECT_NE(r.reason.find("tunnel Y9 not found"), std::string::npos) << r.reason;
        r = stack->execute(cmd, "", t0);
        EXPECT_FALSE(r.ok);
        EXPECT_EQ(r.code, Errc::invalid_argument);
    }
    auto r = stack->execute(ManagementCommand::display_filters, "Y1", t0);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.code, Errc::invalid_argument);
    r = stack->execute(ManagementCommand::policy_default, "x", t0);
    EXPECT_FALSE(r.ok);
    EXPECT_FALSE(stack->marker_present());
    r = stack->execute(static_cast<ManagementCommand>(99), "", t0);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.code, Errc::invalid_argument);
    EXPECT_EQ(r.reason, "unknown management command 99");
}

TEST_F(TcpipStackTest, AddSaErrors) {
    SaSpec spec;
    spec.rule_name = "nope";
    EXPECT_EQ(stack->add_ipsec_sa(spec, t0).error().code, Errc::not_found);
    spec.rule_name = "web";  // a Permit rule
    EXPECT_EQ(stack->add_ipsec_sa(spec, t0).error().code, Errc::invalid_argument);
    spec.rule_name = "";
    EXPECT_EQ(stack->add_ipsec_sa(spec, t0).error().code, Errc::invalid_argument);
    spec.rule_name = "tob";
    spec.parent_id = "K7";
    EXPECT_EQ(stack->add_ipsec_sa(spec, t0).error().code, Errc::not_found);
    spec.parent_id = "";
    spec.lifetime = 0s;
    EXPECT_EQ(stack->add_ipsec_sa(spec, t0).error().code, Errc::invalid_argument);

    runtime::MemoryFileSystem fs2;
    TcpipStackConfig small;
    small.max_sas = 1;
    TcpipStack s(small, parse_default_filter_policy(profile_text).value(), fs2);
    s.set_ipsec_policy(parse_policy(policy_text()), t0);
    spec.lifetime = 1h;
    ASSERT_TRUE(s.add_ipsec_sa(spec, t0));
    EXPECT_EQ(s.add_ipsec_sa(spec, t0).error().code, Errc::limit_exceeded);
}

// ---- sample files and displays through the stack ----

std::string read_data(std::string const& name) {
    std::ifstream in(std::string(NSSLAB_SOURCE_DIR) + "/tests/zos/data/config/" + name,
                     std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(TcpipStack, SampleProfileAndPolicyFiles) {
    runtime::MemoryFileSystem fs;
    TcpipStack stack(TcpipStackConfig{},
                     parse_default_filter_policy(read_data("profile.tcpip")).value(), fs);
    stack.set_ipsec_policy(parse_filter_policy(read_data("policy.conf")).value(), t0);
    PacketTuple p;
    p.source = ip("9.2.2.7");
    p.destination = ip("9.3.3.4");
    p.protocol = ip_protocol_udp;
    auto d = stack.decide(p, t0);
    EXPECT_EQ(d.action, FilterAction::ipsec);
    EXPECT_EQ(d.rule_name, "systemb");
    EXPECT_FALSE(d.sa_usable);
    SaSpec spec;
    spec.local = p.source;
    spec.peer = p.destination;
    spec.rule_name = "systemb";
    auto y = stack.add_ipsec_sa(spec, t0);
    ASSERT_TRUE(y);
    EXPECT_EQ(stack.find_sa(*y, t0)->vpn_action, "to-systemb");
    d = stack.decide(p, t0);
    EXPECT_TRUE(d.sa_usable);
    EXPECT_EQ(d.sa_id, *y);

    // The NSS server's stack under its default policy: NSS (TCP source port 4159) permitted.
    ASSERT_TRUE(stack.policy_default(t0).ok);
    auto nss = stack.decide(tcp_out("9.1.1.1", 4159, "9.2.2.7", 50008), t0);
    EXPECT_EQ(nss.action, FilterAction::permit);
    EXPECT_EQ(nss.rule_name, "SYSDEFAULTRULE.1");
    d = stack.decide(p, t0);
    EXPECT_EQ(d.action, FilterAction::deny);
    EXPECT_FALSE(d.sa_usable);
}

TEST_F(TcpipStackTest, SaDisplaysShowUsability) {
    auto const k = add_ike();
    add_tunnel("tob", k);
    auto has = [](std::vector<std::string> const& lines, std::string const& l) {
        return std::find(lines.begin(), lines.end(), l) != lines.end();
    };
    auto lines = stack->display_ipsec_sas(t0);
    EXPECT_EQ(lines.at(2), "Source: Stack  Scope: Current  TotAvail: 1");
    EXPECT_TRUE(has(lines, "Usable:                         Yes"));
    ASSERT_TRUE(stack->policy_default(t0).ok);
    auto r = stack->execute(ManagementCommand::display_ipsec_sas, "", t0);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.lines.at(0),
              "CS V2R4 ipsec NSS Client Name: SYSTEMA_STACK1  Fri Jan  1 00:00:00 2027");
    EXPECT_TRUE(has(r.lines, "TunnelID:                       Y1"));
    EXPECT_TRUE(has(r.lines, "State:                          Active"));
    EXPECT_TRUE(has(r.lines, "Usable:                         No"));
    r = stack->execute(ManagementCommand::display_ike_sas, "", t0);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.lines.at(1), "Primary: IKE tunnel  Function: Display  Format: Detail");
    EXPECT_TRUE(has(r.lines, "TunnelID:                       K1"));
    EXPECT_TRUE(has(r.lines, "Usable:                         No"));
}

TEST(TcpipStack, MarkerInARealDirectory) {
    auto const root = std::filesystem::path(NSSLAB_BINARY_DIR) / "tcpip_stack_test_fs";
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root);
    runtime::DirectoryFileSystem fs(root);
    TcpipStack stack(TcpipStackConfig{}, parse_default_filter_policy(profile_text).value(), fs);
    stack.set_ipsec_policy(parse_policy(policy_text()), t0);
    ASSERT_TRUE(stack.policy_default(t0).ok) << stack.policy_default(t0).reason;
    EXPECT_TRUE(std::filesystem::exists(root / "var/iked/STACK1.defaultpolicy"));
    std::filesystem::remove(root / "var/iked/STACK1.defaultpolicy");
    EXPECT_EQ(stack.active_source(), FilterPolicySource::stack_policy);
    ASSERT_TRUE(stack.policy_default(t0).ok);
    ASSERT_TRUE(stack.policy_reload(t0).ok);
    EXPECT_FALSE(std::filesystem::exists(root / "var/iked/STACK1.defaultpolicy"));
    std::filesystem::remove_all(root);
}

// ---- invariants under random operation sequences ----

TEST(TcpipStack, RandomOperationsKeepInvariants) {
    FilterPolicy const variants[] = {parse_policy(policy_text()),
                                     parse_policy(policy_text("9.3.3.2")),
                                     parse_policy(policy_text("9.3.3.1", false))};
    int usable_seen = 0;
    int kept_unusable_seen = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        Rng rng(seed);
        runtime::MemoryFileSystem fs;
        TcpipStack stack(TcpipStackConfig{}, parse_default_filter_policy(profile_text).value(), fs);
        std::size_t current = 0;
        stack.set_ipsec_policy(variants[current], t0);
        TimePoint now = t0;
        for (int step = 0; step < 300; ++step) {
            SCOPED_TRACE("seed " + std::to_string(seed) + " step " + std::to_string(step));
            now += std::chrono::seconds(rng.below(600));
            std::string const id = (rng.chance(0.3) ? "K" : "Y") + std::to_string(1 + rng.below(6));
            switch (rng.below(11)) {
                case 0:
                    (void)stack.policy_default(now);
                    break;
                case 1:
                    (void)stack.execute(ManagementCommand::policy_default, "", now);
                    break;
                case 2:
                    (void)stack.policy_reload(now);
                    break;
                case 3:
                    (void)stack.execute(ManagementCommand::policy_reload, "", now);
                    break;
                case 4:
                    (void)fs.remove(marker);
                    break;
                case 5:
                    current = rng.below(3);
                    stack.set_ipsec_policy(variants[current], now);
                    break;
                case 6: {
                    SaSpec spec;
                    spec.rule_name = rng.chance(0.5) ? "tob" : "other";
                    spec.lifetime = std::chrono::seconds(1 + rng.below(3600));
                    if (rng.chance(0.3))
                        (void)stack.add_ike_sa(SaSpec{}, now);
                    else
                        (void)stack.add_ipsec_sa(spec, now);
                    break;
                }
                case 7:
                    (void)stack.execute(ManagementCommand::activate_sa, id, now);
                    break;
                case 8:
                    (void)stack.execute(ManagementCommand::deactivate_sa, id, now);
                    break;
                case 9:
                    (void)stack.execute(ManagementCommand::refresh_sa, id, now);
                    break;
                default:
                    (void)stack.remove_sa(id, now);
                    break;
            }
            bool const is_default = stack.active_source() == FilterPolicySource::stack_profile;
            ASSERT_EQ(is_default, stack.marker_present());
            auto const d = stack.decide(to_b(), now);
            if (is_default) {
                ASSERT_NE(d.action, FilterAction::ipsec);
            }
            usable_seen += d.sa_usable ? 1 : 0;
            for (auto kind : {SaKind::ike, SaKind::ipsec}) {
                for (auto const& sa : stack.sas(kind, now)) {
                    ASSERT_EQ(sa.usable,
                              !is_default && sa.state == SaState::active && now < sa.expires);
                    if (sa.kind == SaKind::ipsec && !is_default) {
                        // Under the IPsec policy no SA outlives a change of its rule.
                        auto const& rules = stack.ipsec_policy()->rules;
                        ASSERT_TRUE(
                            std::any_of(rules.begin(), rules.end(), [&](FilterRule const& r) {
                                return r.name == sa.rule_name &&
                                       r.destination.first ==
                                           sa.rule_snapshot.front().destination.first;
                            }));
                    }
                    if (d.sa_usable && sa.id == d.sa_id) {
                        ASSERT_TRUE(sa.usable);
                    }
                    kept_unusable_seen += (is_default && sa.state == SaState::active) ? 1 : 0;
                }
            }
        }
    }
    // The sequences did exercise both sides.
    EXPECT_GT(usable_seen, 0);
    EXPECT_GT(kept_unusable_seen, 0);
}

}  // namespace
}  // namespace nsslab::zos
