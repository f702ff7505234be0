// Contract: datagrams both ways with the right `local` and `from`, ephemeral ports, closed
// sockets.
#include "contract.hpp"

namespace nsslab::test {
namespace {

TEST_P(RuntimeContract, DatagramsBothWaysCarryTheSender) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    auto sa = a.call([&](auto& rt) {
        return rt.open_datagram(Endpoint{driver().host_address(0), 0});
    });
    auto sb = b.call([&](auto& rt) {
        return rt.open_datagram(Endpoint{driver().host_address(1), 0});
    });
    ASSERT_TRUE(sa) << sa.error().what();
    ASSERT_TRUE(sb) << sb.error().what();
    auto ea = a.call([&](auto& rt) { return rt.local_endpoint(*sa); });
    auto eb = b.call([&](auto& rt) { return rt.local_endpoint(*sb); });
    ASSERT_TRUE(ea);
    ASSERT_TRUE(eb);
    EXPECT_EQ(ea->address, driver().host_address(0));
    EXPECT_EQ(eb->address, driver().host_address(1));

    // B answers every datagram to its sender.
    b.on_datagram_hook = [&](SocketId s, Endpoint const& from, ByteView payload) {
        auto reply = "re:" + std::string(as_chars(payload));
        EXPECT_TRUE(b.call([&](auto& rt) { return rt.send_datagram(s, from, as_bytes(reply)); }));
    };
    ASSERT_TRUE(a.call([&](auto& rt) { return rt.send_datagram(*sa, *eb, as_bytes("ping")); }));
    ASSERT_TRUE(run_until([&] { return !a.datagrams.empty(); }));

    ASSERT_EQ(b.datagrams.size(), 1u);
    EXPECT_EQ(b.datagrams[0].socket, *sb);
    EXPECT_EQ(b.datagrams[0].local, *eb);
    EXPECT_EQ(b.datagrams[0].from, *ea);
    EXPECT_EQ(b.datagrams[0].payload, "ping");
    ASSERT_EQ(a.datagrams.size(), 1u);
    EXPECT_EQ(a.datagrams[0].socket, *sa);
    EXPECT_EQ(a.datagrams[0].local, *ea);
    EXPECT_EQ(a.datagrams[0].from, *eb);
    EXPECT_EQ(a.datagrams[0].payload, "re:ping");
    EXPECT_EQ(a.reentered + b.reentered, 0);
}

TEST_P(RuntimeContract, PortZeroPicksDistinctEphemeralPorts) {
    Probe a;
    attach(0, "A", a);
    auto s1 = a.call([&](auto& rt) {
        return rt.open_datagram(Endpoint{driver().host_address(0), 0});
    });
    auto s2 = a.call([&](auto& rt) {
        return rt.open_datagram(Endpoint{driver().host_address(0), 0});
    });
    ASSERT_TRUE(s1);
    ASSERT_TRUE(s2);
    EXPECT_NE(*s1, *s2);
    auto e1 = a.call([&](auto& rt) { return rt.local_endpoint(*s1); });
    auto e2 = a.call([&](auto& rt) { return rt.local_endpoint(*s2); });
    ASSERT_TRUE(e1);
    ASSERT_TRUE(e2);
    EXPECT_NE(e1->port, 0);
    EXPECT_NE(e2->port, 0);
    EXPECT_NE(e1->port, e2->port);

    // A fixed port that is in use cannot be bound twice.
    auto again = a.call([&](auto& rt) { return rt.open_datagram(*e1); });
    EXPECT_FALSE(again);
}

TEST_P(RuntimeContract, ClosedDatagramSocketGetsNothing) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    auto sa = a.call([&](auto& rt) {
        return rt.open_datagram(Endpoint{driver().host_address(0), 0});
    });
    auto sb = b.call([&](auto& rt) {
        return rt.open_datagram(Endpoint{driver().host_address(1), 0});
    });
    ASSERT_TRUE(sa);
    ASSERT_TRUE(sb);
    auto eb = b.call([&](auto& rt) { return rt.local_endpoint(*sb); });
    ASSERT_TRUE(eb);
    ASSERT_TRUE(a.call([&](auto& rt) { return rt.send_datagram(*sa, *eb, as_bytes("late")); }));
    b.call([&](auto& rt) { rt.close(*sb); });
    driver().advance(100ms);
    EXPECT_TRUE(b.datagrams.empty());
    EXPECT_FALSE(b.call([&](auto& rt) { return rt.send_datagram(*sb, *eb, as_bytes("x")); }));
    EXPECT_FALSE(b.call([&](auto& rt) { return rt.local_endpoint(*sb); }));
}

}  // namespace
}  // namespace nsslab::test
