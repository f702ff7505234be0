// Remote management through NSS (issue 4 §4): an operator on the NSS server's system switches
// a client stack between its IPsec filter policy and the default IP filter policy with
// `ipsec -z <client> -f default|reload`; IKED creates or deletes the stack's marker file,
// the same file a local `ipsec -f default|reload` uses, and `-f display` shows the source.
#include <gtest/gtest.h>

#include "nss_world.hpp"
#include "nsslab/iked/stack_management.hpp"
#include "nsslab/zos/filter_policy.hpp"

namespace nsslab::daemons_test {
namespace {

using namespace std::chrono_literals;

constexpr char const* default_policy =
    "IPSEC LOGENABLE\n"
    "IPSECRule * * LOG TCP SRCPort 4159 DESTport *\n"
    "ENDIPSEC\n";

constexpr char const* ipsec_policy =
    "IpGenericFilterAction permit-log\n{\n   IpFilterAction  Permit\n   IpFilterLogging Yes\n}\n"
    "IpFilterRule web\n{\n   IpSourceAddr All\n   IpDestAddr   All\n   IpService\n   {\n"
    "      Protocol TCP\n      DestinationPortRange 80\n      Direction Outbound\n   }\n"
    "   IpGenericFilterActionRef permit-log\n}\n"
    "IpFilterPolicy\n{\n   IpFilterRuleRef web\n}\n";

// The output lines of the last remote command starting with `command_prefix`, one per line.
std::string last_output(NssWorld const& w, std::string const& command_prefix) {
    std::string text;
    for (auto const& r : w.trace.records()) {
        if (r.event.text("command").rfind(command_prefix, 0) != 0)
            continue;
        if (r.event.name == "operator.output") {
            if (r.event.text("index") == "0")
                text.clear();
            text += r.event.text("line") + "\n";
        }
    }
    return text;
}

TEST(NssRemoteManagement, PolicySwitchThroughTheMarkerFile) {
    NssWorld w(99);
    zos::TcpipStackConfig config;
    config.system_name = "SYSTEMA";
    config.stack_name = "STACK1";
    auto defaults = zos::parse_default_filter_policy(default_policy);
    ASSERT_TRUE(defaults) << defaults.error().what();
    auto policy = zos::parse_filter_policy(ipsec_policy);
    ASSERT_TRUE(policy) << policy.error().what();
    zos::TcpipStack stack(config, *defaults, w.a->files());
    stack.set_ipsec_policy(*policy, w.a->local_now());
    iked::StackManagement management(stack);

    // The operator may display and control the client remotely.
    w.apply(*w.sys_b,
            "RDEFINE SERVAUTH EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK1.IPSEC.DISPLAY UACC(NONE)\n"
            "PERMIT EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK1.IPSEC.DISPLAY CLASS(SERVAUTH) ID(OPER1) "
            "ACCESS(READ)\n"
            "RDEFINE SERVAUTH EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK1.IPSEC.CONTROL UACC(NONE)\n"
            "PERMIT EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK1.IPSEC.CONTROL CLASS(SERVAUTH) ID(OPER1) "
            "ACCESS(READ)\n"
            "RDEFINE SERVAUTH EZB.NETMGMT.SYSTEMB.NOSUCH_CLIENT.IPSEC.DISPLAY UACC(NONE)\n"
            "PERMIT EZB.NETMGMT.SYSTEMB.NOSUCH_CLIENT.IPSEC.DISPLAY CLASS(SERVAUTH) ID(OPER1) "
            "ACCESS(READ)\n");
    nssd::NssdDaemon& nssd = w.start_nssd(*w.b, *w.sys_b);
    w.start_nssd(*w.c, *w.sys_c);
    iked::IkedDaemon& iked = w.start_iked();
    iked.set_managed_stack("STACK1", &management);
    auto registered = [&] {
        nss::NssClient const* c = iked.client("STACK1");
        return c != nullptr && c->phase() == nss::Phase::registered;
    };
    w.sim.run_until(registered, w.sim.now() + 60s);
    ASSERT_TRUE(registered());

    zos::PacketTuple web{*IpAddress::parse("10.1.1.1"), *IpAddress::parse("10.9.9.9"), 6, 40000, 80,
                         zos::PacketDirection::outbound};
    EXPECT_EQ(stack.decide(web, w.a->local_now()).rule_name, "web");

    ASSERT_TRUE(
        nssd.operator_command("OPER1", "ipsec -z SYSTEMA_STACK1 -f default", w.b->local_now())
            .pending);
    w.sim.run_until([&] { return !last_output(w, "ipsec -z SYSTEMA_STACK1 -f default").empty(); },
                    w.sim.now() + 30s);
    EXPECT_TRUE(w.a->files().exists(stack.marker_path()));
    EXPECT_NE(stack.decide(web, w.a->local_now()).rule_name, "web");

    ASSERT_TRUE(
        nssd.operator_command("OPER1", "ipsec -z SYSTEMA_STACK1 -f display", w.b->local_now())
            .pending);
    w.sim.run_until([&] { return !last_output(w, "ipsec -z SYSTEMA_STACK1 -f display").empty(); },
                    w.sim.now() + 30s);
    EXPECT_NE(last_output(w, "ipsec -z SYSTEMA_STACK1 -f display").find("Stack Profile"),
              std::string::npos)
        << last_output(w, "ipsec -z SYSTEMA_STACK1 -f display");

    ASSERT_TRUE(
        nssd.operator_command("OPER1", "ipsec -z SYSTEMA_STACK1 -f reload", w.b->local_now())
            .pending);
    w.sim.run_until([&] { return !w.a->files().exists(stack.marker_path()); }, w.sim.now() + 30s);
    EXPECT_FALSE(w.a->files().exists(stack.marker_path()));
    EXPECT_EQ(stack.decide(web, w.a->local_now()).rule_name, "web");

    // An operator without CONTROL access cannot switch it; the client never sees the request.
    nssd.operator_command("A1S1", "ipsec -z SYSTEMA_STACK1 -f default", w.b->local_now());
    w.sim.run_for(5s);
    EXPECT_FALSE(w.a->files().exists(stack.marker_path()));
    // A client the operator may manage but that is not connected: ENXIO.
    nssd.operator_command("OPER1", "ipsec -z NOSUCH_CLIENT -f display", w.b->local_now());
    w.sim.run_for(1s);
    EXPECT_NE(last_output(w, "ipsec -z NOSUCH_CLIENT").find("ENXIO"), std::string::npos)
        << last_output(w, "ipsec -z NOSUCH_CLIENT");
}

}  // namespace
}  // namespace nsslab::daemons_test
