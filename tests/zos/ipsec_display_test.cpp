// ipsec displays and local authorization (sim/zos/include/nsslab/zos/ipsec_display.hpp): the
// EZB.IPSECCMD DISPLAY/CONTROL split per option (facts §3) and the exact display text for small
// fixtures.
#include "nsslab/zos/ipsec_display.hpp"

#include <gtest/gtest.h>

namespace nsslab::zos {
namespace {

using namespace std::chrono_literals;

TimePoint const t0 = time_from_unix_seconds(1798761600);  // Fri 2027-01-01 00:00:00Z

TEST(IpsecCmdProfile, DisplayOptions) {
    for (auto opt : {"-f", "-F", "-m", "-k", "-y"}) {
        EXPECT_EQ(ipseccmd_access(opt, "display").value(), IpsecCmdAccess::display) << opt;
        EXPECT_EQ(ipseccmd_access(opt, "DISPLAY").value(), IpsecCmdAccess::display) << opt;
    }
    for (auto opt : {"-t", "-i", "-o"})
        EXPECT_EQ(ipseccmd_access(opt, "").value(), IpsecCmdAccess::display) << opt;
    EXPECT_EQ(ipseccmd_profile("systema", "stack1", "-f", "display").value(),
              "EZB.IPSECCMD.SYSTEMA.STACK1.DISPLAY");
    EXPECT_EQ(ipseccmd_profile("SYSTEMA", "STACK1", "-t", "").value(),
              "EZB.IPSECCMD.SYSTEMA.STACK1.DISPLAY");
}

TEST(IpsecCmdProfile, ControlOptions) {
    std::pair<char const*, char const*> const control[] = {
        {"-f", "default"}, {"-f", "reload"},   {"-F", "add"},        {"-F", "delete"},
        {"-F", "update"},  {"-m", "activate"}, {"-m", "deactivate"}, {"-k", "deactivate"},
        {"-k", "refresh"}, {"-y", "activate"}, {"-y", "deactivate"}, {"-y", "refresh"},
    };
    for (auto [opt, fn] : control) {
        auto a = ipseccmd_access(opt, fn);
        ASSERT_TRUE(a) << opt << " " << fn;
        EXPECT_EQ(*a, IpsecCmdAccess::control) << opt << " " << fn;
    }
    EXPECT_EQ(ipseccmd_profile("SYSTEMA", "STACK1", "-f", "default").value(),
              "EZB.IPSECCMD.SYSTEMA.STACK1.CONTROL");
    EXPECT_EQ(ipseccmd_profile("SYSTEMA", "STACK1", "-y", "refresh").value(),
              "EZB.IPSECCMD.SYSTEMA.STACK1.CONTROL");
}

TEST(IpsecCmdProfile, Errors) {
    std::pair<char const*, char const*> const bad[] = {
        {"-k", "activate"}, {"-f", "add"},     {"-F", "reload"},  {"-m", "refresh"},
        {"-t", "display"},  {"-x", ""},        {"-w", "display"}, {"-f", ""},
        {"f", "display"},   {"-Y", "display"},
    };
    for (auto [opt, fn] : bad) {
        auto a = ipseccmd_access(opt, fn);
        ASSERT_FALSE(a) << opt << " " << fn;
        EXPECT_EQ(a.error().code, Errc::invalid_argument);
    }
    EXPECT_FALSE(ipseccmd_profile("", "STACK1", "-f", "display"));
    EXPECT_FALSE(ipseccmd_profile("SYSTEMA", "STACK1", "-k", "activate"));
}

TEST(IpsecCmdProfile, ManagementCommands) {
    EXPECT_EQ(management_access(ManagementCommand::display_filters), IpsecCmdAccess::display);
    EXPECT_EQ(management_access(ManagementCommand::display_ike_sas), IpsecCmdAccess::display);
    EXPECT_EQ(management_access(ManagementCommand::display_ipsec_sas), IpsecCmdAccess::display);
    for (auto c : {ManagementCommand::activate_sa, ManagementCommand::deactivate_sa,
                   ManagementCommand::refresh_sa, ManagementCommand::policy_default,
                   ManagementCommand::policy_reload})
        EXPECT_EQ(management_access(c), IpsecCmdAccess::control) << to_string(c);
    EXPECT_EQ(to_string(IpsecCmdAccess::display), "DISPLAY");
    EXPECT_EQ(to_string(IpsecCmdAccess::control), "CONTROL");
}

TEST(IpsecDisplay, HeaderDate) {
    EXPECT_EQ(format_ipsec_header_date(t0), "Fri Jan  1 00:00:00 2027");
    EXPECT_EQ(format_ipsec_header_date(time_from_unix_seconds(1458747606)),
              "Wed Mar 23 15:40:06 2016");
}

TEST(IpsecDisplay, DefaultFilterDisplayExact) {
    auto policy = parse_default_filter_policy(
                      "IPSEC LOGENABLE\nIPSECRULE * * LOG TCP SRCPORT 4159 DESTPORT *\nENDIPSEC\n")
                      .value();
    IpsecDisplayHeader h;
    h.name = "STACK1";
    h.now = t0;
    auto const lines = format_filter_display(h, FilterPolicySource::stack_profile, policy);
    std::vector<std::string> const expected{
        "CS V2R4 ipsec Stack Name: STACK1  Fri Jan  1 00:00:00 2027",
        "Primary: Filter  Function: Display  Format: Detail",
        "Source: Stack Profile  Scope: Current  TotAvail: 2",
        "",
        "FilterName:                     SYSDEFAULTRULE.1",
        "FilterNameExtension:            1",
        "VpnActionName:                  n/a",
        "Type:                           Generic",
        "State:                          Active",
        "Action:                         Permit",
        "Scope:                          Local",
        "Direction:                      Bidirectional",
        "SecurityClass:                  0",
        "Logging:                        All",
        "Protocol:                       TCP(6)",
        "SourceAddress:                  0.0.0.0/0",
        "SourcePort:                     4159",
        "DestAddress:                    0.0.0.0/0",
        "DestPort:                       All",
        "****************************************************************************",
        "",
        "FilterName:                     SYSDEFAULTDENYRULE",
        "FilterNameExtension:            1",
        "VpnActionName:                  n/a",
        "Type:                           Generic",
        "State:                          Active",
        "Action:                         Deny",
        "Scope:                          Either",
        "Direction:                      Bidirectional",
        "SecurityClass:                  0",
        "Logging:                        All",
        "Protocol:                       All",
        "SourceAddress:                  All",
        "SourcePort:                     All",
        "DestAddress:                    All",
        "DestPort:                       All",
    };
    EXPECT_EQ(lines, expected);
}

TEST(IpsecDisplay, PolicyFilterExtensionsAndIpsecRule) {
    auto policy = parse_filter_policy(R"(
IpGenericFilterAction permit
{
   IpFilterAction Permit
   IpFilterLogging No
}
IpDynVpnAction to-b
{
   Initiation Either
}
IpFilterPolicy
{
   IpFilterRule ike
   {
      IpService
      {
         Protocol UDP
         SourcePortRange 500
         DestinationPortRange 500
      }
      IpService
      {
         Protocol UDP
         SourcePortRange 4500
         DestinationPortRange 4000 4600
         Direction Outbound
      }
      IpGenericFilterActionRef permit
   }
   IpFilterRule tob
   {
      IpSourceAddr 9.1.1.1
      IpDestAddr 9.3.3.1-9.3.3.9
      IpDynVpnActionRef to-b
   }
}
)")
                      .value();
    IpsecDisplayHeader h;
    h.name_label = "NSS Client Name";
    h.name = "SYSTEMA_STACK1";
    h.now = t0;
    auto const lines = format_filter_display(h, FilterPolicySource::stack_policy, policy);
    EXPECT_EQ(lines.at(0),
              "CS V2R4 ipsec NSS Client Name: SYSTEMA_STACK1  Fri Jan  1 00:00:00 2027");
    EXPECT_EQ(lines.at(2), "Source: Stack Policy  Scope: Current  TotAvail: 4");
    auto count = [&](std::string const& line) {
        return std::count(lines.begin(), lines.end(), line);
    };
    EXPECT_EQ(count("FilterName:                     ike"), 2);
    EXPECT_EQ(count("FilterNameExtension:            2"), 1);
    EXPECT_EQ(count("DestPort:                       4000-4600"), 1);
    EXPECT_EQ(count("Direction:                      Outbound"), 1);
    EXPECT_EQ(count("Logging:                        None"), 2);
    EXPECT_EQ(count("Action:                         IPSec"), 1);
    EXPECT_EQ(count("VpnActionName:                  to-b"), 1);
    EXPECT_EQ(count("DestAddress:                    9.3.3.1-9.3.3.9"), 1);
    EXPECT_EQ(count("SourceAddress:                  9.1.1.1"), 1);
    EXPECT_EQ(count("FilterName:                     ~IMPLICIT_DENY"), 1);
}

TEST(IpsecDisplay, SaDisplaysExact) {
    StackSa ike;
    ike.kind = SaKind::ike;
    ike.id = "K1";
    ike.local = IpAddress::parse("9.1.1.1").value();
    ike.peer = IpAddress::parse("9.3.3.1").value();
    ike.activated = t0;
    ike.expires = t0 + 8h;
    ike.usable = true;
    StackSa y = ike;
    y.kind = SaKind::ipsec;
    y.id = "Y1";
    y.parent_id = "K1";
    y.rule_name = "tob";
    y.vpn_action = "to-b";
    y.expires = t0 + 1h;
    y.refreshes = 2;
    y.usable = false;

    IpsecDisplayHeader h;
    h.name = "STACK1";
    h.now = t0;
    std::vector<std::string> const ipsec_expected{
        "CS V2R4 ipsec Stack Name: STACK1  Fri Jan  1 00:00:00 2027",
        "Primary: Dynamic tunnel  Function: Display  Format: Detail",
        "Source: Stack  Scope: Current  TotAvail: 1",
        "",
        "TunnelID:                       Y1",
        "ParentIKETunnelID:              K1",
        "FilterName:                     tob",
        "VpnActionName:                  to-b",
        "State:                          Active",
        "Usable:                         No",
        "LocalEndPoint:                  9.1.1.1",
        "RemoteEndPoint:                 9.3.3.1",
        "ActivationTime:                 2027/01/01 00:00:00",
        "LifetimeExpires:                2027/01/01 01:00:00",
        "RefreshCount:                   2",
    };
    EXPECT_EQ(format_sa_display(h, SaKind::ipsec, {y}), ipsec_expected);

    std::vector<std::string> const ike_expected{
        "CS V2R4 ipsec Stack Name: STACK1  Fri Jan  1 00:00:00 2027",
        "Primary: IKE tunnel  Function: Display  Format: Detail",
        "Source: IKED  Scope: Current  TotAvail: 2",
        "",
        "TunnelID:                       K1",
        "FilterName:                     n/a",
        "State:                          Active",
        "Usable:                         Yes",
        "LocalEndPoint:                  9.1.1.1",
        "RemoteEndPoint:                 9.3.3.1",
        "ActivationTime:                 2027/01/01 00:00:00",
        "LifetimeExpires:                2027/01/01 08:00:00",
        "RefreshCount:                   0",
        "****************************************************************************",
        "",
        "TunnelID:                       K2",
        "FilterName:                     n/a",
        "State:                          Inactive",
        "Usable:                         No",
        "LocalEndPoint:                  9.1.1.1",
        "RemoteEndPoint:                 9.3.3.1",
        "ActivationTime:                 2027/01/01 00:00:00",
        "LifetimeExpires:                2027/01/01 08:00:00",
        "RefreshCount:                   0",
    };
    StackSa k2 = ike;
    k2.id = "K2";
    k2.state = SaState::inactive;
    k2.usable = false;
    EXPECT_EQ(format_sa_display(h, SaKind::ike, {ike, k2}), ike_expected);

    auto const empty = format_sa_display(h, SaKind::ipsec, {});
    ASSERT_EQ(empty.size(), 3u);
    EXPECT_EQ(empty[2], "Source: Stack  Scope: Current  TotAvail: 0");
}

}  // namespace
}  // namespace nsslab::zos
