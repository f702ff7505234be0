// IKED built from parts (sim/iked: IkedStack per NSS stack, the service route, the console) on
// the simulator: MODIFY IKED,REFRESH[,FILE=] adds, removes and changes stacks (facts §1.3), a
// removed stack's pending requests are answered, and an operator's `nss sign` gets its answer
// on the console.
#include <gtest/gtest.h>

#include "nss_world.hpp"

namespace nsslab::daemons_test {
namespace {

using namespace std::chrono_literals;

std::string stack_block(std::string const& name, std::string const& user = "A1S1") {
    return "NssStackConfig " + name + " {\n  ClientName SYSTEMA_" + name + "\n  UserId " + user +
           "\n  AuthBy PassTicket\n  ServiceType Cert\n}\n";
}

std::string conf_with(std::vector<std::string> const& blocks) {
    std::string text =
        "IkeConfig {\n  NetworkSecurityServer 9.1.1.1 Port 4159\n  NssWaitLimit 10\n"
        "  NssWaitRetries 1\n}\n";
    for (auto const& b : blocks)
        text += b;
    return text;
}

bool registered(iked::IkedDaemon& iked, std::string const& stack) {
    nss::NssClient const* c = iked.client(stack);
    return c != nullptr && c->phase() == nss::Phase::registered;
}

TEST(IkedParts, RefreshAddsRemovesAndChangesStacks) {
    NssWorld w(31);
    w.start_nssd(*w.b, *w.sys_b);
    ASSERT_TRUE(w.a->files()
                    .write("/etc/security/iked.conf",
                           conf_with({stack_block("STACK1"), stack_block("STACK2")}))
                    .has_value());
    ASSERT_TRUE(w.a->files()
                    .write("/etc/security/next.conf",
                           conf_with({stack_block("STACK1", "A1S2"), stack_block("STACK3")}))
                    .has_value());
    iked::IkedDaemon& iked = w.start_iked();
    w.sim.run_until([&] { return registered(iked, "STACK1") && registered(iked, "STACK2"); },
                    w.sim.now() + 30s);
    ASSERT_EQ(iked.stack_names(), (std::vector<std::string>{"STACK1", "STACK2"}));

    auto reply =
        iked.operator_command("OPER1", "MODIFY IKED,REFRESH,FILE=next.conf", w.a->local_now());
    ASSERT_TRUE(reply.ok) << (reply.lines.empty() ? "" : reply.lines[0]);
    EXPECT_EQ(iked.stack_names(), (std::vector<std::string>{"STACK1", "STACK3"}));
    ASSERT_EQ(w.events("iked.nss_stack_removed").size(), 1u);
    EXPECT_EQ(w.events("iked.nss_stack_removed")[0]->event.text("stack"), "STACK2");
    ASSERT_EQ(w.events("iked.nss_stack_changed").size(), 1u);
    EXPECT_EQ(w.events("iked.nss_stack_changed")[0]->event.text("stack"), "STACK1");
    EXPECT_EQ(w.events("iked.nss_stack_added").size(), 3u);  // STACK1, STACK2, then STACK3
    // iked.conf itself now holds next.conf: a plain REFRESH changes nothing more.
    EXPECT_TRUE(iked.operator_command("OPER1", "MODIFY IKED,REFRESH", w.a->local_now()).ok);
    EXPECT_EQ(w.events("iked.nss_stack_changed").size(), 1u);
    EXPECT_FALSE(
        iked.operator_command("OPER1", "MODIFY IKED,REFRESH,FILE=none.conf", w.a->local_now()).ok);
}

TEST(IkedParts, ARemovedStackAnswersItsPendingRequests) {
    NssWorld w(32);
    // No NSS server runs: requests wait for a connection.
    ASSERT_TRUE(w.a->files()
                    .write("/etc/security/iked.conf",
                           conf_with({stack_block("STACK1"), stack_block("STACK2")}))
                    .has_value());
    ASSERT_TRUE(w.a->files()
                    .write("/etc/security/one.conf", conf_with({stack_block("STACK1")}))
                    .has_value());
    iked::IkedDaemon& iked = w.start_iked();
    w.sim.run_for(1s);
    std::vector<std::string> answers;
    auto handle = iked.sign(
        "STACK2", "A1S1_CERT", wire_nss::SignatureScheme::ecdsa_sha256, to_bytes("octets"),
        w.a->local_now(), [&](nss::Completion const& done, TimePoint) {
            answers.push_back(std::string(wire_nss::to_string(done.result)) + ": " + done.reason);
        });
    ASSERT_TRUE(handle.has_value());
    EXPECT_TRUE(answers.empty());
    ASSERT_TRUE(
        iked.operator_command("OPER1", "MODIFY IKED,REFRESH,FILE=one.conf", w.a->local_now()).ok);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0], "internal_error: NSS client stopped");
    EXPECT_EQ(w.events("iked.nss_completion").size(), 1u);
    EXPECT_FALSE(
        iked.sign("STACK2", "L", wire_nss::SignatureScheme::ecdsa_sha256, {}, w.a->local_now())
            .has_value());
}

TEST(IkedParts, TheOperatorGetsTheAnswerToNssSign) {
    NssWorld w(33);
    w.start_nssd(*w.b, *w.sys_b);
    iked::IkedDaemon& iked = w.start_iked();
    w.sim.run_until([&] { return registered(iked, "STACK1"); }, w.sim.now() + 30s);
    std::string const command = "nss sign STACK1 A1S1_CERT ecdsa_sha256 494b45";
    auto reply = iked.operator_command("OPER1", command, w.a->local_now());
    ASSERT_TRUE(reply.ok);
    EXPECT_TRUE(reply.pending);
    EXPECT_EQ(reply.lines, (std::vector<std::string>{"request 1 submitted"}));
    w.sim.run_until([&] { return !w.events("operator.result").empty(); }, w.sim.now() + 30s);
    auto outputs = w.events("operator.output");
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(outputs[0]->event.text("command"), command);
    EXPECT_EQ(outputs[0]->event.text("line").rfind("request 1 ok: signature of ", 0), 0u)
        << outputs[0]->event.text("line");
    EXPECT_EQ(w.events("operator.result")[0]->event.text("ok"), "true");

    auto denied = iked.operator_command("OPER1", "nss sign STACK1 NO_SUCH_LABEL ecdsa_sha256 00",
                                        w.a->local_now());
    ASSERT_TRUE(denied.ok);
    w.sim.run_until([&] { return w.events("operator.result").size() == 2; }, w.sim.now() + 30s);
    ASSERT_EQ(w.events("operator.result").size(), 2u);
    EXPECT_EQ(w.events("operator.result")[1]->event.text("ok"), "false");
    EXPECT_EQ(
        iked.operator_command("OPER1", "nss sign STACK9 L ecdsa_sha256 00", w.a->local_now()).lines,
        (std::vector<std::string>{"stack STACK9 is not an NSS client"}));
}

}  // namespace
}  // namespace nsslab::daemons_test
