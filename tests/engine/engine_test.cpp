#include <gtest/gtest.h>

#include <sstream>

#include "apps.hpp"
#include "nsslab/engine/host.hpp"
#include "nsslab/engine/network.hpp"
#include "nsslab/engine/simulation.hpp"

namespace nsslab::engine {
namespace {

using namespace std::chrono_literals;
using testing::Client;
using testing::EchoServer;

IpAddress ip(char const* text) {
    return *IpAddress::parse(text);
}

TEST(EventQueue, OrdersByTimeThenInsertion) {
    EventQueue q;
    std::vector<int> order;
    TimePoint t0{};
    q.push(t0 + 2ns, [&] { order.push_back(3); });
    q.push(t0 + 1ns, [&] { order.push_back(1); });
    q.push(t0 + 1ns, [&] { order.push_back(2); });
    TimePoint at;
    while (!q.empty())
        q.pop(at)();
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(at, t0 + 2ns);
}

TEST(Simulation, EventLimitEndsRunWithFailure) {
    Simulation sim(1, default_start_time, RunLimits{100, std::chrono::hours(1)});
    std::function<void()> forever = [&] { sim.schedule_in(1ms, forever); };
    sim.schedule_in(0ns, forever);
    RunResult r = sim.run_until(sim.now() + std::chrono::hours(10));
    EXPECT_EQ(r.end, RunEnd::event_limit);
    EXPECT_TRUE(r.bound_hit());
    EXPECT_EQ(r.events, 100u);
    EXPECT_NE(r.describe(sim.start_time()).find("event limit"), std::string::npos);
}

TEST(Simulation, TimeLimitEndsRunWithFailure) {
    Simulation sim(1, default_start_time, RunLimits{1'000'000, 10s});
    std::function<void()> tick = [&] { sim.schedule_in(1s, tick); };
    sim.schedule_in(0ns, tick);
    RunResult r = sim.run_until(sim.now() + 1h);
    EXPECT_EQ(r.end, RunEnd::time_limit);
    EXPECT_EQ(sim.elapsed(), 10s);
}

TEST(Simulation, ConditionAndDeadline) {
    Simulation sim(1);
    int n = 0;
    std::function<void()> tick = [&] {
        ++n;
        sim.schedule_in(1s, tick);
    };
    sim.schedule_in(0ns, tick);
    RunResult r = sim.run_until([&] { return n == 5; }, sim.now() + 1h);
    EXPECT_EQ(r.end, RunEnd::reached);
    EXPECT_EQ(sim.elapsed(), 4s);
    r = sim.run_until([&] { return false; }, sim.now() + 3s);
    EXPECT_EQ(r.end, RunEnd::deadline);
}

struct TwoHosts : ::testing::Test {
    Simulation sim{7};
    Host& a = sim.network().add_host("A", {ip("10.0.0.1"), ip("fd00::1")});
    Host& b = sim.network().add_host("B", {ip("10.0.0.2"), ip("fd00::2")});
    MemoryTrace trace;
    TwoHosts() { sim.set_trace(&trace); }
    EchoServer& server(std::uint16_t port = 7) {
        b.spawn("echo",
                [port](runtime::Runtime& rt) { return std::make_unique<EchoServer>(rt, port); });
        return *static_cast<EchoServer*>(b.application("echo"));
    }
    Client& client() {
        a.spawn("client", [](runtime::Runtime& rt) { return std::make_unique<Client>(rt); });
        return *static_cast<Client*>(a.application("client"));
    }
};

TEST_F(TwoHosts, UdpEchoWithLinkDelay) {
    LinkParams slow;
    slow.delay = DelayDistribution::fixed(20ms);
    sim.network().set_link(a, b, slow);
    sim.network().set_link(b, a, slow);
    server();
    Client& c = client();
    sim.run_for(1ms);
    auto sock = c.rt.open_datagram(Endpoint{IpAddress{}, 0});
    ASSERT_TRUE(sock);
    TimePoint sent = sim.now();
    ASSERT_TRUE(c.rt.send_datagram(*sock, Endpoint{ip("10.0.0.2"), 7}, as_bytes("ping")));
    sim.run_until([&] { return !c.datagrams.empty(); }, sim.now() + 1s);
    ASSERT_EQ(c.datagrams.size(), 1u);
    EXPECT_EQ(as_chars(c.datagrams[0]), "ping");
    EXPECT_EQ(c.last_from.to_string(), "10.0.0.2:7");
    EXPECT_EQ(sim.now() - sent, 40ms);
}

TEST_F(TwoHosts, UdpOverMtuAndPartitionAreDroppedWithReason) {
    server();
    Client& c = client();
    sim.run_for(1ms);
    auto sock = *c.rt.open_datagram(Endpoint{IpAddress{}, 0});
    Bytes big(1500, 0x41);
    ASSERT_TRUE(c.rt.send_datagram(sock, Endpoint{ip("10.0.0.2"), 7}, big));
    sim.network().partition(a, b);
    ASSERT_TRUE(c.rt.send_datagram(sock, Endpoint{ip("10.0.0.2"), 7}, as_bytes("x")));
    sim.run_for(1s);
    EXPECT_TRUE(c.datagrams.empty());
    std::vector<std::string> reasons;
    for (auto const& r : trace.records())
        if (r.event.name == "net.drop")
            reasons.push_back(r.event.text("reason"));
    EXPECT_EQ(reasons, (std::vector<std::string>{"exceeds MTU", "partition"}));
    sim.network().heal(a, b);
    ASSERT_TRUE(c.rt.send_datagram(sock, Endpoint{ip("10.0.0.2"), 7}, as_bytes("y")));
    sim.run_for(1s);
    EXPECT_EQ(c.datagrams.size(), 1u);
}

TEST_F(TwoHosts, TcpEchoOverIpv4AndIpv6) {
    EchoServer& s = server();
    Client& c = client();
    sim.run_for(1ms);
    for (char const* addr : {"10.0.0.2", "fd00::2"}) {
        c.data_in.clear();
        c.connected = false;
        auto id = c.rt.connect(Endpoint{ip(addr), 7});
        ASSERT_TRUE(id);
        sim.run_until([&] { return c.connected; }, sim.now() + 5s);
        ASSERT_TRUE(c.connected) << addr;
        ASSERT_TRUE(c.rt.send(*id, as_bytes("hello world")));
        sim.run_until([&] { return c.data_in.size() == 11; }, sim.now() + 5s);
        EXPECT_EQ(as_chars(c.data_in), "hello world");
        auto info = c.rt.stream_info(*id);
        ASSERT_TRUE(info);
        EXPECT_EQ(info->remote.to_string(),
                  std::string(addr[0] == 'f' ? "[fd00::2]:7" : "10.0.0.2:7"));
        c.rt.close(*id);
    }
    sim.run_for(1s);
    EXPECT_EQ(s.accepted, 2);
    EXPECT_EQ(s.ends,
              (std::vector<runtime::StreamEnd>{runtime::StreamEnd::eof, runtime::StreamEnd::eof}));
}

TEST_F(TwoHosts, ConnectRefusedWhenNothingListens) {
    Client& c = client();
    sim.run_for(1ms);
    ASSERT_TRUE(c.rt.connect(Endpoint{ip("10.0.0.2"), 4159}));
    sim.run_for(1s);
    EXPECT_EQ(c.ends, (std::vector<runtime::StreamEnd>{runtime::StreamEnd::refused}));
}

TEST_F(TwoHosts, ConnectTimesOutWhenHostIsDown) {
    server();
    Client& c = client();
    b.crash();
    sim.run_for(1ms);
    TimePoint start = sim.now();
    ASSERT_TRUE(c.rt.connect(Endpoint{ip("10.0.0.2"), 7}));
    sim.run_for(60s);
    ASSERT_EQ(c.ends, (std::vector<runtime::StreamEnd>{runtime::StreamEnd::timed_out}));
    // SYN at 0, retransmissions after 1, 2, 4 s, give up 8 s after the last: 15 s.
    EXPECT_EQ(c.closed_at - start, 15s);
}

TEST_F(TwoHosts, LargeTransferSurvivesLossReorderAndDuplication) {
    LinkParams bad;
    bad.delay = DelayDistribution::uniform(1ms, 9ms);
    bad.loss = 0.05;
    bad.duplicate = 0.02;
    bad.reorder = 0.05;
    bad.rate_bps = 100'000'000;
    sim.network().set_link(a, b, bad);
    sim.network().set_link(b, a, bad);
    server();
    Client& c = client();
    sim.run_for(1ms);
    auto id = *c.rt.connect(Endpoint{ip("10.0.0.2"), 7});
    Bytes payload(300'000);
    Rng r(3);
    r.fill(payload);
    ASSERT_TRUE(c.rt.send(id, payload));
    sim.run_until([&] { return c.data_in.size() >= payload.size(); }, sim.now() + 600s);
    ASSERT_EQ(c.data_in.size(), payload.size());
    EXPECT_TRUE(c.data_in == payload);
    EXPECT_GT(sim.network().packets_dropped(), 0u);
}

TEST_F(TwoHosts, SendBufferIsBounded) {
    server();
    Client& c = client();
    sim.run_for(1ms);
    auto id = *c.rt.connect(Endpoint{ip("10.0.0.2"), 7});
    Bytes chunk(c.rt.send_buffer_limit(), 0);
    ASSERT_TRUE(c.rt.send(id, chunk));
    auto r = c.rt.send(id, as_bytes("x"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::limit_exceeded);
}

TEST_F(TwoHosts, CrashResetsPeersAndRestartStartsAfresh) {
    EchoServer* s = &server();
    Client& c = client();
    sim.run_for(1ms);
    auto id = *c.rt.connect(Endpoint{ip("10.0.0.2"), 7});
    sim.run_until([&] { return c.connected; }, sim.now() + 5s);
    b.crash();
    sim.run_for(1s);
    EXPECT_EQ(c.ends, (std::vector<runtime::StreamEnd>{runtime::StreamEnd::reset}));
    EXPECT_EQ(b.application("echo"), nullptr);
    EXPECT_FALSE(c.rt.send(id, as_bytes("x")));
    b.restart();
    sim.run_for(1ms);
    s = static_cast<EchoServer*>(b.application("echo"));
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->accepted, 0);
    c.connected = false;
    ASSERT_TRUE(c.rt.connect(Endpoint{ip("10.0.0.2"), 7}));
    sim.run_until([&] { return c.connected; }, sim.now() + 5s);
    EXPECT_TRUE(c.connected);
}

TEST_F(TwoHosts, SilentCrashLeavesPeerToTimeOut) {
    server();
    Client& c = client();
    sim.run_for(1ms);
    auto id = *c.rt.connect(Endpoint{ip("10.0.0.2"), 7});
    sim.run_until([&] { return c.connected; }, sim.now() + 5s);
    b.crash(false);
    ASSERT_TRUE(c.rt.send(id, as_bytes("anyone?")));
    sim.run_for(std::chrono::minutes(30));
    EXPECT_EQ(c.ends, (std::vector<runtime::StreamEnd>{runtime::StreamEnd::timed_out}));
}

TEST_F(TwoHosts, PauseHoldsPacketsUntilResume) {
    server();
    Client& c = client();
    sim.run_for(1ms);
    auto sock = *c.rt.open_datagram(Endpoint{IpAddress{}, 0});
    b.pause();
    ASSERT_TRUE(c.rt.send_datagram(sock, Endpoint{ip("10.0.0.2"), 7}, as_bytes("held")));
    sim.run_for(5s);
    EXPECT_TRUE(c.datagrams.empty());
    b.resume();
    sim.run_for(1s);
    EXPECT_EQ(c.datagrams.size(), 1u);
}

TEST_F(TwoHosts, ClockOffsetAndDriftShapeNowAndDeadlines) {
    Client& c = client();
    sim.run_for(1ms);
    a.set_clock(std::chrono::minutes(11), 0);
    EXPECT_EQ(c.rt.now() - sim.now(), std::chrono::minutes(11));
    TimePoint local_deadline = c.rt.now() + 10s;
    c.rt.set_deadline(local_deadline);
    sim.run_for(20s);
    ASSERT_EQ(c.deadlines.size(), 1u);
    EXPECT_EQ(c.deadlines[0], local_deadline);
    // 1000 ppm fast: after 100 s of virtual time the clock is 100 ms ahead.
    a.set_clock(Duration{0}, 1000);
    TimePoint before = sim.now();
    sim.run_for(100s);
    EXPECT_EQ(c.rt.now() - sim.now(), 100ms);
    (void)before;
    // A deadline 10 s ahead in local time fires after 10/1.001 s of virtual time.
    TimePoint d2 = c.rt.now() + 10s;
    c.rt.set_deadline(d2);
    sim.run_for(20s);
    ASSERT_EQ(c.deadlines.size(), 2u);
    EXPECT_GE(c.deadlines[1], d2);
    EXPECT_LT(c.deadlines[1] - d2, 2ns);
}

TEST_F(TwoHosts, DeadlineReplaceAndCancel) {
    Client& c = client();
    sim.run_for(1ms);
    c.rt.set_deadline(c.rt.now() + 5s);
    c.rt.set_deadline(c.rt.now() + 2s);
    sim.run_for(10s);
    ASSERT_EQ(c.deadlines.size(), 1u);
    c.rt.set_deadline(c.rt.now() + 1s);
    c.rt.set_deadline(std::nullopt);
    sim.run_for(10s);
    EXPECT_EQ(c.deadlines.size(), 1u);
}

std::uint64_t run_lossy_exchange(std::uint64_t seed, std::string* capture_summary) {
    Simulation sim(seed);
    std::ostringstream out;
    JsonlTraceWriter writer(&out, sim.start_time());
    sim.set_trace(&writer);
    Host& a = sim.network().add_host("A", {*IpAddress::parse("10.0.0.1")});
    Host& b = sim.network().add_host("B", {*IpAddress::parse("10.0.0.2")});
    LinkParams lossy;
    lossy.delay = DelayDistribution::normal(5ms, 2ms);
    lossy.loss = 0.1;
    sim.network().set_link(a, b, lossy);
    sim.network().set_link(b, a, lossy);
    std::uint64_t packet_hash = 0xcbf29ce484222325ULL;
    sim.network().set_capture([&](PacketRecord const& p) {
        std::string key = p.src.to_string() + ">" + p.dst.to_string() + ":" +
                          std::to_string(p.seq) + ":" + std::to_string(nanos(p.time)) + ":" +
                          p.comment;
        packet_hash = fnv1a64(key, packet_hash);
    });
    b.spawn("echo", [](runtime::Runtime& rt) { return std::make_unique<EchoServer>(rt, 7); });
    a.spawn("client", [](runtime::Runtime& rt) { return std::make_unique<Client>(rt); });
    auto& c = *static_cast<Client*>(a.application("client"));
    sim.run_for(1ms);
    auto id = *c.rt.connect(Endpoint{*IpAddress::parse("10.0.0.2"), 7});
    Bytes payload(50'000, 0x5a);
    (void)c.rt.send(id, payload);
    sim.run_until([&] { return c.data_in.size() >= payload.size(); }, sim.now() + 600s);
    if (capture_summary != nullptr)
        *capture_summary = std::to_string(c.data_in.size());
    return writer.hash() ^ packet_hash;
}

TEST(Determinism, SameSeedSameTraceAndPackets) {
    std::string s1, s2;
    std::uint64_t h1 = run_lossy_exchange(11, &s1);
    std::uint64_t h2 = run_lossy_exchange(11, &s2);
    std::uint64_t h3 = run_lossy_exchange(12, nullptr);
    EXPECT_EQ(s1, "50000");
    EXPECT_EQ(h1, h2);
    EXPECT_NE(h1, h3);
}

}  // namespace
}  // namespace nsslab::engine

namespace nsslab::engine {
namespace {

TEST(Host, StoppingAProcessWithPendingWorkIsSafe) {
    Simulation sim(5);
    Host& a = sim.network().add_host("A", {*IpAddress::parse("10.0.0.1")});
    Host& b = sim.network().add_host("B", {*IpAddress::parse("10.0.0.2")});
    MemoryTrace trace;
    sim.set_trace(&trace);
    b.spawn("echo",
            [](runtime::Runtime& rt) { return std::make_unique<testing::EchoServer>(rt, 7); });
    a.spawn("client", [](runtime::Runtime& rt) { return std::make_unique<testing::Client>(rt); });
    auto& c = *static_cast<testing::Client*>(a.application("client"));
    sim.run_for(std::chrono::milliseconds(1));
    c.rt.set_deadline(c.rt.now() + std::chrono::seconds(1));
    ASSERT_TRUE(c.rt.connect(Endpoint{*IpAddress::parse("10.0.0.2"), 7}));
    // Stop the server while the SYN is in flight and the client while its deadline is pending.
    sim.run_for(std::chrono::microseconds(600));
    b.stop_process("echo");
    a.stop_process("client");
    sim.run_for(std::chrono::seconds(30));
    EXPECT_EQ(b.application("echo"), nullptr);
    EXPECT_EQ(trace.count("process.stop"), 2u);
}

}  // namespace
}  // namespace nsslab::engine

namespace nsslab::engine {
namespace {

using namespace std::chrono_literals;
using testing::Client;
using testing::EchoServer;

std::size_t count_events(MemoryTrace const& trace, std::string_view name) {
    std::size_t n = 0;
    for (auto const& r : trace.records())
        if (r.event.name == name)
            ++n;
    return n;
}

// A listener holds at most accept_backlog half-open connections: a SYN beyond is dropped and
// admitted when the client retransmits it (1 s later).
TEST_F(TwoHosts, SynBeyondTheBacklogIsDroppedAndRetransmitted) {
    sim.network().tcp_params().accept_backlog = 2;
    EchoServer& s = server();
    Client& c = client();
    sim.run_for(1ms);
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(c.rt.connect(Endpoint{ip("10.0.0.2"), 7}));
    sim.run_for(100ms);
    EXPECT_EQ(s.accepted, 2);
    EXPECT_EQ(count_events(trace, "tcp.backlog_full"), 1u);
    sim.run_for(1s);
    EXPECT_EQ(s.accepted, 3);
}

// The default backlog admits a herd of a thousand connections arriving at once.
TEST_F(TwoHosts, DefaultBacklogAdmitsAThousandSimultaneousConnects) {
    EXPECT_EQ(sim.network().tcp_params().accept_backlog, 4096u);
    EchoServer& s = server();
    Client& c = client();
    sim.run_for(1ms);
    for (int i = 0; i < 1000; ++i)
        ASSERT_TRUE(c.rt.connect(Endpoint{ip("10.0.0.2"), 7}));
    sim.run_for(100ms);
    EXPECT_EQ(s.accepted, 1000);
    EXPECT_EQ(count_events(trace, "tcp.backlog_full"), 0u);
}

}  // namespace
}  // namespace nsslab::engine
