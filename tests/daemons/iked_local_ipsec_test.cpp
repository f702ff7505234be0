// IKED's local ipsec commands (issue 4 §4, facts §3 and §5): `ipsec -f default` on IKED's own
// system creates the stack's marker file, SAs stay in the table but cannot be used, `-f reload`
// deletes the marker and they are usable again; each command needs READ to
// EZB.IPSECCMD.<sys>.<stack>.DISPLAY|CONTROL and is traced as iked.local_ipsec.
#include <gtest/gtest.h>

#include "nss_world.hpp"
#include "nsslab/iked/stack_management.hpp"
#include "nsslab/zos/filter_policy.hpp"

namespace nsslab::daemons_test {
namespace {

constexpr char const* default_policy =
    "IPSEC LOGENABLE\n"
    "IPSECRule * * LOG TCP SRCPort 4159 DESTport *\n"
    "ENDIPSEC\n";

constexpr char const* ipsec_policy =
    "IpGenericFilterAction ipsec\n{\n   IpFilterAction IPSec\n}\n"
    "IpDynVpnAction to-b\n{\n   Initiation Either\n}\n"
    "IpFilterRule tob\n{\n   IpSourceAddr 10.1.1.1\n   IpDestAddr   10.2.2.2\n"
    "   IpGenericFilterActionRef ipsec\n   IpDynVpnActionRef to-b\n}\n"
    "IpFilterPolicy\n{\n   IpFilterRuleRef tob\n}\n";

std::string joined(std::vector<std::string> const& lines) {
    std::string out;
    for (auto const& l : lines)
        out += l + "\n";
    return out;
}

struct LocalWorld {
    NssWorld w{7};
    std::unique_ptr<zos::TcpipStack> stack;
    std::unique_ptr<iked::StackManagement> management;
    iked::IkedDaemon* iked{nullptr};

    LocalWorld() {
        zos::TcpipStackConfig config;
        config.system_name = "SYSTEMA";
        config.stack_name = "STACK1";
        stack = std::make_unique<zos::TcpipStack>(
            config, zos::parse_default_filter_policy(default_policy).value(), w.a->files());
        stack->set_ipsec_policy(zos::parse_filter_policy(ipsec_policy).value(), w.a->local_now());
        management = std::make_unique<iked::StackManagement>(*stack);
        iked = &w.start_iked();
        iked->set_managed_stack("STACK1", management.get());
    }
    iked::OperatorReply run(std::string_view user, std::string_view command) {
        return iked->operator_command(user, command, w.a->local_now());
    }
    void permit(std::string const& access) {
        std::string profile = "EZB.IPSECCMD.SYSTEMA.STACK1." + access;
        w.apply(*w.sys_a, "RDEFINE SERVAUTH " + profile + " UACC(NONE)\nPERMIT " + profile +
                              " CLASS(SERVAUTH) ID(OPER1) ACCESS(READ)\n");
    }
    std::vector<TraceRecord const*> local_events() const { return w.events("iked.local_ipsec"); }
};

TEST(IkedLocalIpsec, DefaultKeepsSasUnusableAndReloadRestoresThem) {
    LocalWorld l;
    l.permit("DISPLAY");
    l.permit("CONTROL");
    auto ike = l.run("OPER1", "sa add STACK1 ike 10.1.1.1 10.2.2.2");
    ASSERT_TRUE(ike.ok) << joined(ike.lines);
    auto sa = l.run("OPER1", "sa add STACK1 ipsec 10.1.1.1 10.2.2.2 tob K1");
    ASSERT_TRUE(sa.ok) << joined(sa.lines);
    EXPECT_EQ(sa.lines, std::vector<std::string>{"SA Y1 added"});
    EXPECT_EQ(l.w.events("iked.sa_added").size(), 2u);

    auto test = l.run("OPER1", "ipsec -t 10.1.1.1 10.2.2.2 tcp 40000 80 out");
    ASSERT_TRUE(test.ok) << joined(test.lines);
    std::string text = joined(test.lines);
    EXPECT_NE(text.find("Source: Stack Policy"), std::string::npos) << text;
    EXPECT_NE(text.find("FilterName:                     tob\n"), std::string::npos) << text;
    EXPECT_NE(text.find("TunnelID:                       Y1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("Usable:                         Yes\n"), std::string::npos) << text;

    auto def = l.run("OPER1", "ipsec -f default");
    ASSERT_TRUE(def.ok) << joined(def.lines);
    EXPECT_TRUE(l.w.a->files().exists(l.stack->marker_path()));
    auto events = l.local_events();
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back()->event.text("command"), "ipsec -f default");
    EXPECT_EQ(events.back()->event.text("marker_present"), "true");
    EXPECT_EQ(events.back()->event.text("source"), "Stack Profile");
    EXPECT_EQ(events.back()->event.text("marker"), "/var/iked/STACK1.defaultpolicy");

    // The SA is kept but not usable; the packet now meets the default policy's deny rule.
    text = joined(l.run("OPER1", "ipsec -y display").lines);
    EXPECT_NE(text.find("Y1"), std::string::npos) << text;
    EXPECT_NE(text.find("Usable:                         No"), std::string::npos) << text;
    text = joined(l.run("OPER1", "ipsec -t 10.1.1.1 10.2.2.2 tcp 40000 80").lines);
    EXPECT_NE(text.find("FilterName:                     SYSDEFAULTDENYRULE"), std::string::npos)
        << text;
    EXPECT_NE(text.find("Action:                         Deny"), std::string::npos) << text;

    auto reload = l.run("OPER1", "ipsec -p stack1 -f reload");
    ASSERT_TRUE(reload.ok) << joined(reload.lines);
    EXPECT_FALSE(l.w.a->files().exists(l.stack->marker_path()));
    EXPECT_EQ(l.local_events().back()->event.text("marker_present"), "false");
    text = joined(l.run("OPER1", "ipsec -y display").lines);
    EXPECT_NE(text.find("Usable:                         Yes"), std::string::npos) << text;
    text = joined(l.run("OPER1", "ipsec -f display").lines);
    EXPECT_NE(text.find("Source: Stack Policy"), std::string::npos) << text;
}

TEST(IkedLocalIpsec, NeedsIpseccmdProfiles) {
    LocalWorld l;
    l.permit("DISPLAY");
    auto def = l.run("OPER1", "ipsec -f default");
    EXPECT_FALSE(def.ok);
    ASSERT_EQ(def.lines.size(), 1u);
    EXPECT_EQ(def.lines[0],
              "NSL0001I Not authorized: OPER1 lacks READ to EZB.IPSECCMD.SYSTEMA.STACK1.CONTROL");
    EXPECT_FALSE(l.w.a->files().exists(l.stack->marker_path()));
    EXPECT_EQ(l.local_events().back()->event.text("ok"), "false");
    EXPECT_TRUE(l.run("OPER1", "ipsec -f display").ok);
    EXPECT_FALSE(l.run("OTHER", "ipsec -f display").ok);
    // Unknown stack, unsupported option, bad SA arguments.
    EXPECT_FALSE(l.run("OPER1", "ipsec -p NOSUCH -f display").ok);
    EXPECT_FALSE(l.run("OPER1", "ipsec -q display").ok);
    EXPECT_FALSE(l.run("OPER1", "sa add STACK1 ipsec 10.1.1.1 10.2.2.2 nosuchrule").ok);
}

}  // namespace
}  // namespace nsslab::daemons_test
