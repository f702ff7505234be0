// The in-memory pair driver (core::StreamPair) as a server's tests and fuzzers use it, with
// nss::RawClient and NssServer: a chosen server ConnId, one connection broken, bytes injected
// past the client, every server transmit observed (also those it drops), the earliest
// deadline, the largest event burst; and RawClient::close_notify.
#include <gtest/gtest.h>

#include "nss_server_test_support.hpp"

namespace nsslab::nss {
namespace {

using namespace test;
using Kind = core::StreamTransmit::Kind;

struct Observed {
    std::size_t server;
    Kind kind;
    ConnId conn;
    bool open;
};

bool closed_because(Pair const& p, std::string_view reason) {
    for (auto const& e : p.events)
        if (e.name == "nssd.conn.closed" && e.text("reason") == reason)
            return true;
    return false;
}

TEST(StreamPair, ObserverSeesEveryServerTransmitAlsoOnesItDrops) {
    auto options = default_options();
    options.limits.connections_max = 1;
    Pair p(options);
    std::vector<Observed> seen;
    p.link->on_server_transmit = [&](std::size_t server, core::StreamTransmit const& t, bool open) {
        seen.push_back({server, t.kind, t.conn, open});
    };
    ConnId id = p.connect();
    ASSERT_TRUE(p.established(id));
    ASSERT_FALSE(seen.empty());
    for (auto const& o : seen) {  // the handshake, on the open connection
        EXPECT_EQ(o.server, 0u);
        EXPECT_EQ(o.kind, Kind::data);
        EXPECT_EQ(o.conn, *p.link->server_conn_of(id));
        EXPECT_TRUE(o.open);
    }
    // A connection the pair never made (a driver's stray accept) beyond connections_max: the
    // server aborts it; the pair drops the abort, and says so.
    seen.clear();
    p.server->handle_accepted(77, {IpAddress::v4(0x0A010102), 40000}, Pair::server_endpoint(),
                              p.now);
    p.drain();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, Kind::abort);
    EXPECT_EQ(seen[0].conn, 77u);
    EXPECT_FALSE(seen[0].open);
    EXPECT_EQ(p.link->open_connections(), 1u);
}

TEST(StreamPair, NextServerConnReusesAConnIdTheServerForgot) {
    Pair p;
    ConnId first = p.connect();
    ASSERT_EQ(p.link->server_conn_of(first), ConnId{1});
    ASSERT_TRUE(p.link->break_connection(first, StreamEnd::reset, p.now));
    p.drain();
    EXPECT_EQ(p.server->connection_count(), 0u);
    p.link->next_server_conn = 1;
    ConnId second = p.connect();
    EXPECT_NE(second, first);
    EXPECT_EQ(p.link->server_conn_of(second), ConnId{1});
    EXPECT_TRUE(p.established(second));
    EXPECT_FALSE(p.link->next_server_conn.has_value());  // once
    ConnId third = p.connect();
    EXPECT_EQ(p.link->server_conn_of(third), ConnId{2});  // the count goes on
}

TEST(StreamPair, BreakConnectionEndsThatConnectionOnBothSides) {
    Pair p;
    ConnId a = p.connect_registered();
    ConnId b = p.connect(true, 50001);
    ASSERT_EQ(p.server->connection_count(), 2u);
    EXPECT_TRUE(p.link->break_connection(a, StreamEnd::timed_out, p.now));
    p.drain();
    EXPECT_TRUE(p.clients.at(a).closed);
    EXPECT_EQ(p.clients.at(a).end, StreamEnd::timed_out);
    EXPECT_TRUE(closed_because(p, "connection closed by the client"));
    EXPECT_FALSE(p.server->connection_of("SYSTEMA_STACK1").has_value());
    EXPECT_EQ(p.server->connection_count(), 1u);
    EXPECT_FALSE(p.clients.at(b).closed);
    EXPECT_EQ(p.link->open_connections(), 1u);
    EXPECT_FALSE(p.link->break_connection(a, StreamEnd::reset, p.now));  // not open any more
}

TEST(StreamPair, InjectedBytesReachTheServerPastTheClient) {
    Pair p;
    ConnId id = p.connect();
    ASSERT_TRUE(p.established(id));
    // An application-data record the client's TLS never made: the server's TLS fails.
    Bytes forged{0x17, 0x03, 0x03, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o'};
    EXPECT_TRUE(p.link->inject(id, forged, p.now));
    p.drain();
    EXPECT_EQ(p.count_events("nssd.tls.failed"), 1u);
    EXPECT_EQ(p.server->connection_count(), 0u);
    EXPECT_TRUE(p.clients.at(id).closed);
    EXPECT_FALSE(p.link->inject(id, forged, p.now));  // not open any more
}

TEST(StreamPair, NextTimeoutIsTheEarliestDeadlineOfTheCores) {
    Pair p;
    EXPECT_FALSE(p.link->next_timeout().has_value());  // nothing open, RawClient keeps none
    p.connect();
    ASSERT_TRUE(p.server->next_timeout().has_value());
    EXPECT_EQ(p.link->next_timeout(), p.server->next_timeout());
    EXPECT_EQ(*p.link->next_timeout(), t0() + default_options().limits.frame_timeout);
}

TEST(StreamPair, EventsBurstMaxIsTheLargestUndrainedQueue) {
    auto options = default_options();
    options.limits.events_max = 3;
    Pair p(options);
    ConnId id = p.connect();
    EXPECT_GE(p.link->server_outputs.events_burst_max, 1u);
    // One RegisterRequest gives more events than 3 (log lines, SERVAUTH checks, the
    // registration): the server keeps 3 and counts the rest dropped.
    p.send(id, p.register_request());
    EXPECT_EQ(p.link->server_outputs.events_burst_max, 3u);
    EXPECT_GT(p.server->events_dropped(), 0u);
}

TEST(RawClient, CloseNotifyLeavesTheTcpConnectionForTheServerToClose) {
    Pair p;
    ConnId id = p.connect_registered();
    p.raw->close_notify(id, p.now);
    p.drain();
    EXPECT_TRUE(closed_because(p, "client sent close_notify"));
    EXPECT_EQ(p.server->connection_count(), 0u);
    auto const& c = p.clients.at(id);
    EXPECT_TRUE(c.closed);
    EXPECT_EQ(c.end, StreamEnd::eof);  // the server's FIN: the client sent none
    EXPECT_EQ(c.tls->state(), tls::Channel::State::closed);

    ConnId plain = p.connect(false, 50001);  // plain TCP: nothing to do
    p.raw->close_notify(plain, p.now);
    p.drain();
    EXPECT_FALSE(p.clients.at(plain).closed);
    EXPECT_EQ(p.link->open_connections(), 1u);
}

}  // namespace
}  // namespace nsslab::nss
