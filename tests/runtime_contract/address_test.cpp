// Contract: local addresses. A host with several addresses binds one port on each separately
// and every datagram names the endpoint it arrived on (IKE answers from the address it was
// reached at); a wildcard bind conflicts with a specific one of the same port; a stream
// connects from a chosen address; an address the host does not own cannot be used.
#include "contract.hpp"

namespace nsslab::test {
namespace {

IpAddress wildcard_v4() {
    return IpAddress::v4(0);
}

TEST_P(RuntimeContract, OnePortOnTwoAddressesOfAHostKeepsItsDatagramsApart) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    auto addresses = driver().host_addresses(0);
    ASSERT_GE(addresses.size(), 2u);
    auto s0 = a.call([&](auto& rt) { return rt.open_datagram(Endpoint{addresses[0], 0}); });
    ASSERT_TRUE(s0) << s0.error().what();
    auto e0 = a.call([&](auto& rt) { return rt.local_endpoint(*s0); });
    ASSERT_TRUE(e0);
    Endpoint e1{addresses[1], e0->port};
    auto s1 = a.call([&](auto& rt) { return rt.open_datagram(e1); });
    ASSERT_TRUE(s1) << s1.error().what();
    EXPECT_EQ(*a.call([&](auto& rt) { return rt.local_endpoint(*s1); }), e1);

    // A answers each datagram from the socket (and so the address) it arrived on.
    a.on_datagram_hook = [&](SocketId s, Endpoint const& from, ByteView payload) {
        auto reply = "re:" + std::string(as_chars(payload));
        EXPECT_TRUE(a.call([&](auto& rt) { return rt.send_datagram(s, from, as_bytes(reply)); }));
    };
    auto sb = b.call([&](auto& rt) {
        return rt.open_datagram(Endpoint{driver().host_address(1), 0});
    });
    ASSERT_TRUE(sb);
    ASSERT_TRUE(b.call([&](auto& rt) { return rt.send_datagram(*sb, *e0, as_bytes("to-0")); }));
    ASSERT_TRUE(b.call([&](auto& rt) { return rt.send_datagram(*sb, e1, as_bytes("to-1")); }));
    ASSERT_TRUE(run_until([&] { return b.datagrams.size() == 2; }));
    driver().advance(50ms);

    ASSERT_EQ(a.datagrams.size(), 2u);
    for (auto const& d : a.datagrams) {
        if (d.payload == "to-0") {
            EXPECT_EQ(d.socket, *s0);
            EXPECT_EQ(d.local, *e0);
        } else {
            EXPECT_EQ(d.payload, "to-1");
            EXPECT_EQ(d.socket, *s1);
            EXPECT_EQ(d.local, e1);
        }
    }
    ASSERT_EQ(b.datagrams.size(), 2u);
    for (auto const& d : b.datagrams)
        EXPECT_EQ(d.from, d.payload == "re:to-0" ? *e0 : e1) << d.payload;
    EXPECT_EQ(a.reentered + b.reentered, 0);
}

TEST_P(RuntimeContract, AWildcardSocketNamesTheAddressEachDatagramWasSentTo) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    auto addresses = driver().host_addresses(0);
    auto s = a.call([&](auto& rt) { return rt.open_datagram(Endpoint{wildcard_v4(), 0}); });
    ASSERT_TRUE(s) << s.error().what();
    auto bound = a.call([&](auto& rt) { return rt.local_endpoint(*s); });
    ASSERT_TRUE(bound);
    EXPECT_TRUE(bound->address.is_unspecified());
    auto sb = b.call([&](auto& rt) {
        return rt.open_datagram(Endpoint{driver().host_address(1), 0});
    });
    ASSERT_TRUE(sb);
    for (std::size_t i = 0; i < 2; ++i) {
        Endpoint to{addresses[i], bound->port};
        ASSERT_TRUE(b.call([&](auto& rt) {
            return rt.send_datagram(*sb, to, as_bytes("to-" + std::to_string(i)));
        }));
        ASSERT_TRUE(run_until([&] { return a.datagrams.size() == i + 1; }));
        EXPECT_EQ(a.datagrams[i].socket, *s);
        EXPECT_EQ(a.datagrams[i].local, to);
        EXPECT_EQ(a.datagrams[i].payload, "to-" + std::to_string(i));
    }
}

// The rule both drivers keep (Linux without SO_REUSEADDR): a wildcard bind and a bind of the
// same port and family on a specific address conflict, whichever comes first.
TEST_P(RuntimeContract, AWildcardBindConflictsWithASpecificBindOfItsPort) {
    Probe a;
    attach(0, "A", a);
    auto addresses = driver().host_addresses(0);

    auto wild = a.call([&](auto& rt) { return rt.open_datagram(Endpoint{wildcard_v4(), 0}); });
    ASSERT_TRUE(wild);
    auto port = a.call([&](auto& rt) { return rt.local_endpoint(*wild); })->port;
    auto specific = a.call([&](auto& rt) {
        return rt.open_datagram(Endpoint{addresses[1], port});
    });
    ASSERT_FALSE(specific);
    EXPECT_EQ(specific.error().code, Errc::already_exists) << specific.error().what();

    auto first = a.call([&](auto& rt) { return rt.open_datagram(Endpoint{addresses[1], 0}); });
    ASSERT_TRUE(first);
    port = a.call([&](auto& rt) { return rt.local_endpoint(*first); })->port;
    auto late_wild = a.call([&](auto& rt) {
        return rt.open_datagram(Endpoint{wildcard_v4(), port});
    });
    ASSERT_FALSE(late_wild);
    EXPECT_EQ(late_wild.error().code, Errc::already_exists) << late_wild.error().what();
    // The other address of the host still has the port free.
    EXPECT_TRUE(a.call([&](auto& rt) { return rt.open_datagram(Endpoint{addresses[0], port}); }));

    // Listeners keep the same rule.
    auto listener = a.call([&](auto& rt) { return rt.listen(Endpoint{wildcard_v4(), 0}); });
    ASSERT_TRUE(listener);
    port = a.call([&](auto& rt) { return rt.local_endpoint(*listener); })->port;
    auto specific_listener = a.call([&](auto& rt) {
        return rt.listen(Endpoint{addresses[0], port});
    });
    ASSERT_FALSE(specific_listener);
    EXPECT_EQ(specific_listener.error().code, Errc::already_exists);
}

TEST_P(RuntimeContract, AnAddressTheHostDoesNotOwnCannotBeUsed) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    Endpoint foreign{driver().foreign_address(), 0};
    auto checks = [&](Result<SocketId> const& r, std::string const& what) {
        ASSERT_FALSE(r) << what;
        EXPECT_EQ(r.error().code, Errc::invalid_argument) << what << ": " << r.error().what();
        EXPECT_NE(r.error().message.find(foreign.address.to_string()), std::string::npos)
            << what << ": " << r.error().message;
    };
    checks(a.call([&](auto& rt) { return rt.open_datagram(foreign); }), "open_datagram");
    checks(a.call([&](auto& rt) { return rt.listen(foreign); }), "listen");
    auto listening = listen_on_host_1(b);
    ASSERT_NE(listening.listener, 0u);
    checks(a.call([&](auto& rt) { return rt.connect(listening.where, foreign.address); }),
           "connect");
    driver().advance(50ms);
    EXPECT_TRUE(b.accepted.empty());
    EXPECT_TRUE(a.closed.empty());
}

TEST_P(RuntimeContract, AStreamConnectsFromTheChosenLocalAddress) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    auto listening = listen_on_host_1(b);
    ASSERT_NE(listening.listener, 0u);
    auto addresses = driver().host_addresses(0);
    for (std::size_t i = 0; i < 2; ++i) {
        IpAddress from = addresses[1 - i];  // the second address first
        auto s = a.call([&](auto& rt) { return rt.connect(listening.where, from); });
        ASSERT_TRUE(s) << s.error().what();
        ASSERT_TRUE(
            run_until([&] { return a.connected.size() == i + 1 && b.accepted.size() == i + 1; }));
        auto mine = a.call([&](auto& rt) { return rt.stream_info(*s); });
        auto theirs = b.call([&](auto& rt) { return rt.stream_info(b.accepted[i].second); });
        ASSERT_TRUE(mine);
        ASSERT_TRUE(theirs);
        EXPECT_EQ(mine->local.address, from);
        EXPECT_EQ(theirs->remote, mine->local);
        EXPECT_EQ(*a.call([&](auto& rt) { return rt.local_endpoint(*s); }), mine->local);
    }
    EXPECT_EQ(a.reentered + b.reentered, 0);
}

}  // namespace
}  // namespace nsslab::test
