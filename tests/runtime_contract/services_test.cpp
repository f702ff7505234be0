// Contract: start order, no re-entrancy, trace records, file system, randomness.
#include <algorithm>
#include <array>

#include "contract.hpp"

namespace nsslab::test {
namespace {

TEST_P(RuntimeContract, OnStartRunsFromTheLoopNotFromAttach) {
    Probe a;
    auto& rt = driver().attach(0, "A", forward_to(a));
    a.rt = &rt;
    EXPECT_FALSE(a.started);
    ASSERT_TRUE(run_until([&] { return a.started; }));
    EXPECT_EQ(rt.node_name(), "A");
}

// Every Runtime call that could complete at once (a refused connect, a deadline in the past,
// a datagram to oneself, closes and aborts) is made from inside callbacks and from the test;
// no callback may start while such a call is still in progress.
TEST_P(RuntimeContract, CallbacksNeverStartInsideRuntimeCalls) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    // A live listener first, so that the dead port cannot be reused for it.
    auto listener = b.call([&](auto& rt) {
        return rt.listen(Endpoint{driver().host_address(1), 0});
    });
    ASSERT_TRUE(listener);
    auto live = *b.call([&](auto& rt) { return rt.local_endpoint(*listener); });
    std::uint16_t dead_port = closed_port(b);
    auto self = a.call([&](auto& rt) {
        return rt.open_datagram(Endpoint{driver().host_address(0), 0});
    });
    ASSERT_TRUE(self);
    auto self_ep = *a.call([&](auto& rt) { return rt.local_endpoint(*self); });

    auto poke = [&](Probe& p, int host) {
        p.call([&](auto& rt) { rt.set_deadline(rt.now() - std::chrono::seconds{1}); });
        (void)p.call([&](auto& rt) {
            return rt.connect(Endpoint{driver().host_address(host), dead_port});
        });
    };
    int rounds = 0;
    a.on_deadline_hook = [&](TimePoint) {
        if (++rounds > 3)
            return;
        poke(a, 1);
        (void)a.call([&](auto& rt) { return rt.send_datagram(*self, self_ep, as_bytes("me")); });
    };
    a.on_datagram_hook = [&](SocketId, Endpoint const&, ByteView) { poke(a, 1); };
    a.on_closed_hook = [&](SocketId, StreamEnd) {
        a.call([&](auto& rt) { rt.set_deadline(rt.now()); });
    };
    b.on_accepted_hook = [&](SocketId, SocketId s) {
        b.call([&](auto& rt) { rt.abort(s); });
        b.call([&](auto& rt) { rt.set_deadline(rt.now()); });
    };
    a.on_connected_hook = [&](SocketId s) {
        (void)a.call([&](auto& rt) { return rt.send(s, as_bytes("x")); });
        a.call([&](auto& rt) { rt.close(s); });
    };
    poke(a, 1);
    (void)a.call([&](auto& rt) { return rt.send_datagram(*self, self_ep, as_bytes("me")); });
    // B aborts what it accepts: A's connect ends in on_connected or on_stream_closed.
    auto to_live = a.call([&](auto& rt) { return rt.connect(live); });
    ASSERT_TRUE(to_live);
    EXPECT_TRUE(run_until([&] {
        return rounds > 3 && a.datagrams.size() >= 4 && b.accepted.size() == 1 &&
               !b.deadline_times.empty() &&
               (a.connected.size() == 1 || a.closed_count(*to_live) == 1);
    }));
    driver().advance(50ms);
    EXPECT_GE(a.closed.size(), 4u);  // refused connects were reported
    EXPECT_EQ(a.reentered, 0);
    EXPECT_EQ(b.reentered, 0);
}

TEST_P(RuntimeContract, EmitReachesTheTraceWithNodeNameAndTime) {
    Probe a, b;
    auto& ra = attach(0, "SYSTEMA", a);
    attach(1, "NSSD1", b);
    TimePoint before = ra.now();
    a.call([&](auto& rt) { rt.emit(Event("test.hello").with("n", 7).with("who", "a")); });
    TimePoint after = ra.now();
    b.call([&](auto& rt) { rt.emit(Event("test.other")); });
    auto const& records = driver().trace().records();
    auto hello = std::find_if(records.begin(), records.end(),
                              [](auto const& r) { return r.event.name == "test.hello"; });
    ASSERT_NE(hello, records.end());
    EXPECT_EQ(hello->node, "SYSTEMA");
    EXPECT_EQ(hello->event.text("n"), "7");
    EXPECT_EQ(hello->event.text("who"), "a");
    EXPECT_GE(hello->time, before);
    EXPECT_LE(hello->time, after);
    auto other = std::find_if(records.begin(), records.end(),
                              [](auto const& r) { return r.event.name == "test.other"; });
    ASSERT_NE(other, records.end());
    EXPECT_EQ(other->node, "NSSD1");
    EXPECT_GT(other - records.begin(), hello - records.begin());
}

TEST_P(RuntimeContract, FileSystemRoundTrip) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    auto& fa = a.rt->files();
    auto& fb = b.rt->files();
    EXPECT_FALSE(fa.exists("/var/iked/STACK1.defaultpolicy"));
    ASSERT_TRUE(fa.write("/var/iked/STACK1.defaultpolicy", "default\n"));
    EXPECT_TRUE(fa.exists("/var/iked/STACK1.defaultpolicy"));
    auto content = fa.read("/var/iked/STACK1.defaultpolicy");
    ASSERT_TRUE(content);
    EXPECT_EQ(*content, "default\n");
    ASSERT_TRUE(fa.write("/var/iked/STACK2.defaultpolicy", ""));
    EXPECT_EQ(fa.list("/var/iked/"), (std::vector<std::string>{"/var/iked/STACK1.defaultpolicy",
                                                               "/var/iked/STACK2.defaultpolicy"}));
    EXPECT_FALSE(fb.exists("/var/iked/STACK1.defaultpolicy")) << "nodes share a file system";
    ASSERT_TRUE(fa.remove("/var/iked/STACK1.defaultpolicy"));
    EXPECT_FALSE(fa.exists("/var/iked/STACK1.defaultpolicy"));
    auto gone = fa.remove("/var/iked/STACK1.defaultpolicy");
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, Errc::not_found);
    EXPECT_FALSE(fa.write("/var/../etc/passwd", "x"));
}

TEST_P(RuntimeContract, FillRandomGivesFreshBytes) {
    Probe a;
    auto& rt = attach(0, "A", a);
    std::array<std::uint8_t, 32> x{}, y{};
    rt.fill_random(x);
    rt.fill_random(y);
    EXPECT_NE(x, y);
    EXPECT_NE(x, (std::array<std::uint8_t, 32>{}));
}

}  // namespace
}  // namespace nsslab::test
