// IKED and NSSD daemons end to end on the simulator (issue 4 §4, §6 sim driver): a stack
// connects over AT-TLS, registers with a PassTicket, gets signatures, fails over to the
// backup when the primary crashes (every request answered exactly once), and shows its
// state with ipsec -w.
#include <gtest/gtest.h>

#include "nss_world.hpp"

namespace nsslab::daemons_test {
namespace {

using namespace std::chrono_literals;

std::size_t completions_ok(NssWorld const& w) {
    std::size_t n = 0;
    for (auto const* r : w.events("iked.nss_completion"))
        if (r->event.text("result") == "ok")
            ++n;
    return n;
}

bool registered_with(iked::IkedDaemon& iked, std::string const& server) {
    nss::NssClient const* c = iked.client("STACK1");
    if (c == nullptr || c->phase() != nss::Phase::registered)
        return false;
    auto s = c->current_server();
    return s && s->address.to_string() == server;
}

TEST(NssDaemons, RegisterSignAndFailOverToTheBackup) {
    NssWorld w(2026);
    w.start_nssd(*w.b, *w.sys_b);
    w.start_nssd(*w.c, *w.sys_c);
    iked::IkedDaemon& iked = w.start_iked();
    w.sim.run_until([&] { return registered_with(iked, "9.1.1.1"); }, w.sim.now() + 60s);
    ASSERT_TRUE(registered_with(iked, "9.1.1.1"));

    Bytes octets = to_bytes("IKE_AUTH octets of SA #1");
    ASSERT_TRUE(iked.sign("STACK1", "A1S1_CERT", wire_nss::SignatureScheme::ecdsa_sha256, octets,
                          w.a->local_now()));
    w.sim.run_until([&] { return completions_ok(w) == 1; }, w.sim.now() + 30s);
    ASSERT_EQ(completions_ok(w), 1u);

    // The primary crashes; the next request is answered by the backup, exactly once.
    w.b->crash();
    ASSERT_TRUE(iked.sign("STACK1", "A1S1_CERT", wire_nss::SignatureScheme::ecdsa_sha256, octets,
                          w.a->local_now()));
    w.sim.run_until([&] { return completions_ok(w) == 2; }, w.sim.now() + 120s);
    EXPECT_EQ(completions_ok(w), 2u);
    EXPECT_EQ(w.events("iked.nss_completion").size(), 2u);
    EXPECT_TRUE(registered_with(iked, "9.1.1.2"));
    bool ezd1136_backup = false;
    for (auto const& r : w.trace.records())
        for (auto const& f : r.event.fields)
            if (auto const* s = std::get_if<std::string>(&f.value))
                if (s->find("EZD1136I") != std::string::npos &&
                    s->find("9.1.1.2") != std::string::npos)
                    ezd1136_backup = true;
    EXPECT_TRUE(ezd1136_backup) << "no EZD1136I naming the backup server";

    // ipsec -w shows the stack connected to the backup; the operator needs IKED.DISPLAY.
    auto shown = iked.operator_command("OPER1", "ipsec -w display", w.a->local_now());
    ASSERT_TRUE(shown.ok) << (shown.lines.empty() ? "" : shown.lines[0]);
    std::string text;
    for (auto const& l : shown.lines)
        text += l + "\n";
    EXPECT_NE(text.find("ConnectionState:                connected"), std::string::npos) << text;
    EXPECT_NE(text.find("NSServerIPAddress:              9.1.1.2"), std::string::npos) << text;
    EXPECT_NE(text.find("NSServerSystemName:             SYSTEMC"), std::string::npos) << text;
    EXPECT_FALSE(iked.operator_command("NOBODY", "ipsec -w display", w.a->local_now()).ok);
}

TEST(NssDaemons, NssctlListsTheConnectedClient) {
    NssWorld w(7);
    nssd::NssdDaemon& nssd = w.start_nssd(*w.b, *w.sys_b);
    w.start_nssd(*w.c, *w.sys_c);
    iked::IkedDaemon& iked = w.start_iked();
    w.sim.run_until([&] { return registered_with(iked, "9.1.1.1"); }, w.sim.now() + 60s);
    ASSERT_TRUE(registered_with(iked, "9.1.1.1"));
    auto listing = nssd.operator_command("OPER1", "nssctl -d", w.b->local_now());
    ASSERT_TRUE(listing.ok) << (listing.lines.empty() ? "" : listing.lines[0]);
    std::string text;
    for (auto const& l : listing.lines)
        text += l + "\n";
    EXPECT_NE(text.find("SYSTEMA_STACK1"), std::string::npos) << text;
    EXPECT_FALSE(nssd.operator_command("A1S1", "nssctl -d", w.b->local_now()).ok);
}

TEST(NssDaemons, SameSeedSameTrace) {
    auto run = [](std::uint64_t seed) {
        NssWorld w(seed);
        std::ostringstream out;
        JsonlTraceWriter writer(&out, w.sim.start_time());
        TeeTrace tee;
        tee.add(&w.trace);
        tee.add(&writer);
        w.sim.set_trace(&tee);
        w.start_nssd(*w.b, *w.sys_b);
        w.start_nssd(*w.c, *w.sys_c);
        iked::IkedDaemon& iked = w.start_iked();
        w.sim.run_for(5s);
        (void)iked.sign("STACK1", "A1S1_CERT", wire_nss::SignatureScheme::ecdsa_sha256,
                        to_bytes("x"), w.a->local_now());
        w.sim.run_for(5s);
        return writer.hash();
    };
    EXPECT_EQ(run(11), run(11));
    EXPECT_NE(run(11), run(12));
}

}  // namespace
}  // namespace nsslab::daemons_test
