// NssClientSet: one NssClient per NssStackConfig, MODIFY IKED,REFRESH adding, removing and
// changing stacks (zos-nss-facts.md §1.3).
#include <gtest/gtest.h>

#include "../tls/tls_test_support.hpp"
#include "nsslab/nss/client_set.hpp"

namespace nsslab::nss {
namespace {

zos::IkedConfig config_with(std::vector<std::string> const& stacks, std::string const& user = "U") {
    zos::IkedConfig c;
    zos::NssServerConfig primary;
    primary.host = "9.1.1.1";
    primary.address = IpAddress::parse("9.1.1.1").value();
    c.ike.network_security_server = primary;
    for (auto const& name : stacks) {
        zos::NssStackConfig s;
        s.stack_name = name;
        s.client_name = "SYSA_" + name;
        s.user_id = user;
        s.auth_by = zos::NssAuthBy::password;
        s.password = "PW";
        s.service_types = {zos::NssServiceType::cert};
        c.nss_stacks[name] = s;
    }
    return c;
}

std::vector<ClientAction> drain(NssClientSet& set) {
    std::vector<ClientAction> out;
    while (auto a = set.poll_action())
        out.push_back(*a);
    while (set.poll_event()) {
    }
    return out;
}

TEST(NssClientSet, AddRemoveChangeStacks) {
    auto ctx = crypto::LibContext::deterministic(7, "SYSA").value();
    ClientTlsPolicy tls;
    tls.trust_anchors_pem = tls::test::data_file("ca.pem");
    NssClientSet set("SYSA", tls, *ctx);
    TimePoint now = tls::test::default_time();
    auto added = set.apply(config_with({"STACK1", "STACK2"}), now);
    ASSERT_TRUE(added);
    EXPECT_EQ(added.value().size(), 2u);
    set.start(now);
    auto actions = drain(set);
    ASSERT_EQ(actions.size(), 2u);
    EXPECT_EQ(actions[0].kind, ClientAction::Kind::connect);
    EXPECT_NE(actions[0].conn, actions[1].conn);
    EXPECT_EQ(set.route(actions[0].conn), set.client("STACK1"));
    EXPECT_EQ(set.route(actions[1].conn), set.client("stack2"));

    // Unchanged: nothing happens.
    auto same = set.apply(config_with({"STACK1", "STACK2"}), now);
    ASSERT_TRUE(same);
    EXPECT_TRUE(same.value().empty());
    EXPECT_TRUE(drain(set).empty());

    // STACK2 removed, STACK3 added, STACK1 changed (user ID).
    zos::IkedConfig next = config_with({"STACK1", "STACK3"});
    next.nss_stacks["STACK1"].user_id = "V";
    auto changed = set.apply(next, now);
    ASSERT_TRUE(changed);
    EXPECT_EQ(changed.value().size(), 3u);
    EXPECT_EQ(set.client("STACK2"), nullptr);
    ASSERT_NE(set.client("STACK3"), nullptr);
    actions = drain(set);
    std::size_t connects = 0, closes = 0;
    for (auto const& a : actions) {
        connects += a.kind == ClientAction::Kind::connect;
        closes += a.kind == ClientAction::Kind::close || a.kind == ClientAction::Kind::abort;
    }
    EXPECT_EQ(connects, 2u);  // STACK1 reconnects, STACK3 connects
    EXPECT_EQ(closes, 2u);    // STACK1's and STACK2's connections
    EXPECT_EQ(set.snapshots().size(), 2u);
    while (set.poll_completion()) {
    }
}

}  // namespace
}  // namespace nsslab::nss
