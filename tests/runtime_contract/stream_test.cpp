// Contract: streams — connect/accept, data both ways, large ordered transfers, refused
// connects, FIN (eof), RST (reset), close() silencing a stream, the bounded send buffer.
#include "contract.hpp"

namespace nsslab::test {
namespace {

TEST_P(RuntimeContract, StreamConnectAcceptAndEchoBothWays) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    b.on_received_hook = [&](SocketId s, ByteView data) {
        EXPECT_TRUE(b.call([&](auto& rt) { return rt.send(s, data); }));
    };
    auto p = connect_pair(a, b);
    ASSERT_NE(p.b_stream, 0u);

    auto ia = a.call([&](auto& rt) { return rt.stream_info(p.a_stream); });
    auto ib = b.call([&](auto& rt) { return rt.stream_info(p.b_stream); });
    ASSERT_TRUE(ia);
    ASSERT_TRUE(ib);
    EXPECT_EQ(ia->local, ib->remote);
    EXPECT_EQ(ia->remote, ib->local);
    EXPECT_EQ(ia->remote, *b.call([&](auto& rt) { return rt.local_endpoint(p.listener); }));

    ASSERT_TRUE(a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes("hello ")); }));
    ASSERT_TRUE(a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes("world")); }));
    ASSERT_TRUE(run_until([&] { return a.received[p.a_stream].size() == 11; }));
    EXPECT_EQ(b.received[p.b_stream], "hello world");
    EXPECT_EQ(a.received[p.a_stream], "hello world");

    // The accepting side may start talking too.
    b.on_received_hook = nullptr;
    ASSERT_TRUE(b.call([&](auto& rt) { return rt.send(p.b_stream, as_bytes("from B")); }));
    ASSERT_TRUE(run_until([&] { return a.received[p.a_stream].size() == 17; }));
    EXPECT_EQ(a.received[p.a_stream], "hello worldfrom B");
    EXPECT_TRUE(a.closed.empty());
    EXPECT_TRUE(b.closed.empty());
    EXPECT_EQ(a.reentered + b.reentered, 0);
}

// Sends `data` on a stream without exceeding the send buffer, resuming from the deadline.
struct Pump {
    Probe& probe;
    SocketId stream;
    std::string data;
    std::size_t sent{0};

    void run() {
        while (sent < data.size()) {
            std::size_t n = std::min<std::size_t>(64 << 10, data.size() - sent);
            bool fits = probe.call(
                [&](auto& rt) { return rt.send_queued(stream) + n <= rt.send_buffer_limit(); });
            if (!fits)
                break;
            auto ok = probe.call([&](auto& rt) {
                return rt.send(stream, as_bytes(std::string_view(data).substr(sent, n)));
            });
            if (!ok)
                break;
            sent += n;
        }
        if (sent < data.size())
            probe.call([&](auto& rt) { rt.set_deadline(rt.now() + std::chrono::milliseconds{1}); });
    }
};

TEST_P(RuntimeContract, LargeTransfersArriveIntactAndInOrderBothWays) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    auto p = connect_pair(a, b);
    ASSERT_NE(p.b_stream, 0u);
    Pump up{a, p.a_stream, pattern(1 << 20, 1)};
    Pump down{b, p.b_stream, pattern(1 << 20, 2)};
    a.on_deadline_hook = [&](TimePoint) { up.run(); };
    b.on_deadline_hook = [&](TimePoint) { down.run(); };
    up.run();
    down.run();
    ASSERT_TRUE(run_until([&] {
        return b.received[p.b_stream].size() >= up.data.size() &&
               a.received[p.a_stream].size() >= down.data.size();
    }));
    EXPECT_TRUE(b.received[p.b_stream] == up.data) << "A->B bytes differ";
    EXPECT_TRUE(a.received[p.a_stream] == down.data) << "B->A bytes differ";
    // Everything sent is eventually acknowledged.
    EXPECT_TRUE(run_until([&] {
        return a.call([&](auto& rt) { return rt.send_queued(p.a_stream); }) == 0 &&
               b.call([&](auto& rt) { return rt.send_queued(p.b_stream); }) == 0;
    }));
    // No send was refused, so no on_send_space.
    EXPECT_TRUE(a.send_space.empty());
    EXPECT_TRUE(b.send_space.empty());
    EXPECT_EQ(a.reentered + b.reentered, 0);
}

TEST_P(RuntimeContract, ConnectRefusedIsReportedExactlyOnce) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    std::uint16_t port = closed_port(b);
    ASSERT_NE(port, 0);
    auto s = a.call([&](auto& rt) { return rt.connect(Endpoint{driver().host_address(1), port}); });
    ASSERT_TRUE(s) << s.error().what();
    ASSERT_TRUE(run_until([&] { return !a.closed.empty(); }));
    driver().advance(100ms);
    ASSERT_EQ(a.closed.size(), 1u);
    EXPECT_EQ(a.closed[0].stream, *s);
    EXPECT_EQ(a.closed[0].why, StreamEnd::refused);
    EXPECT_TRUE(a.connected.empty());
    EXPECT_EQ(a.callbacks_for(*s), 1);
    EXPECT_EQ(a.reentered, 0);
}

TEST_P(RuntimeContract, ShutdownSendGivesThePeerEofAndTheOtherDirectionStaysOpen) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    auto p = connect_pair(a, b);
    ASSERT_NE(p.b_stream, 0u);
    ASSERT_TRUE(a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes("last words")); }));
    a.call([&](auto& rt) { rt.shutdown_send(p.a_stream); });
    ASSERT_TRUE(run_until([&] { return b.closed_count(p.b_stream) == 1; }));
    EXPECT_EQ(b.received[p.b_stream], "last words");  // data first, then eof
    EXPECT_EQ(b.closed[0].why, StreamEnd::eof);
    EXPECT_TRUE(a.closed.empty());

    // After eof the peer may still send until it closes.
    ASSERT_TRUE(b.call([&](auto& rt) { return rt.send(p.b_stream, as_bytes("reply after eof")); }));
    b.call([&](auto& rt) { rt.close(p.b_stream); });
    ASSERT_TRUE(run_until([&] { return a.closed_count(p.a_stream) == 1; }));
    EXPECT_EQ(a.received[p.a_stream], "reply after eof");
    EXPECT_EQ(a.closed[0].why, StreamEnd::eof);
    driver().advance(100ms);
    EXPECT_EQ(a.closed_count(p.a_stream), 1);
    EXPECT_EQ(b.closed_count(p.b_stream), 1);
    EXPECT_EQ(a.reentered + b.reentered, 0);
}

TEST_P(RuntimeContract, AbortMakesThePeerSeeReset) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    auto p = connect_pair(a, b);
    ASSERT_NE(p.b_stream, 0u);
    ASSERT_TRUE(a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes("discarded maybe")); }));
    a.call([&](auto& rt) { rt.abort(p.a_stream); });
    ASSERT_TRUE(run_until([&] { return b.closed_count(p.b_stream) == 1; }));
    EXPECT_EQ(b.closed[0].why, StreamEnd::reset);
    // Sending on a reset stream fails; the aborting side hears nothing more.
    driver().advance(100ms);
    EXPECT_FALSE(b.call([&](auto& rt) { return rt.send(p.b_stream, as_bytes("x")); }));
    EXPECT_FALSE(a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes("x")); }));
    EXPECT_EQ(b.closed_count(p.b_stream), 1);
    EXPECT_EQ(a.callbacks_for(p.a_stream), 1);  // on_connected only
    EXPECT_EQ(a.reentered + b.reentered, 0);
}

TEST_P(RuntimeContract, CloseDeliversQueuedDataThenEofAndSilencesTheStream) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    auto p = connect_pair(a, b);
    ASSERT_NE(p.b_stream, 0u);
    int before = a.callbacks_for(p.a_stream);
    // B's bytes are in flight while A closes: A must not see them.
    ASSERT_TRUE(b.call([&](auto& rt) { return rt.send(p.b_stream, as_bytes("in flight")); }));
    std::string payload = pattern(200000, 3);
    ASSERT_TRUE(a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes(payload)); }));
    a.call([&](auto& rt) { rt.close(p.a_stream); });
    ASSERT_TRUE(run_until([&] { return b.closed_count(p.b_stream) == 1; }));
    EXPECT_EQ(b.closed[0].why, StreamEnd::eof);
    EXPECT_TRUE(b.received[p.b_stream] == payload) << "queued data lost on close()";
    (void)b.call([&](auto& rt) { return rt.send(p.b_stream, as_bytes("after close")); });
    driver().advance(100ms);
    EXPECT_EQ(a.callbacks_for(p.a_stream), before);
    EXPECT_TRUE(a.received[p.a_stream].empty());
    auto closed_send = a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes("x")); });
    ASSERT_FALSE(closed_send);
    EXPECT_FALSE(a.call([&](auto& rt) { return rt.stream_info(p.a_stream); }));
    EXPECT_EQ(a.reentered + b.reentered, 0);
}

TEST_P(RuntimeContract, ClosedListenerRefusesNewConnections) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    auto p = connect_pair(a, b);
    ASSERT_NE(p.b_stream, 0u);
    auto where = b.call([&](auto& rt) { return rt.local_endpoint(p.listener); });
    ASSERT_TRUE(where);
    b.call([&](auto& rt) { rt.close(p.listener); });
    auto s = a.call([&](auto& rt) { return rt.connect(*where); });
    ASSERT_TRUE(s);
    ASSERT_TRUE(run_until([&] { return a.closed_count(*s) == 1; }));
    EXPECT_EQ(a.closed.back().why, StreamEnd::refused);
    EXPECT_EQ(b.accepted.size(), 1u);
    // The stream accepted before the close still works.
    ASSERT_TRUE(a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes("still here")); }));
    ASSERT_TRUE(run_until([&] { return b.received[p.b_stream] == "still here"; }));
}

TEST_P(RuntimeContract, SendBeyondTheBufferLimitFails) {
    Probe a, b;
    attach(0, "A", a);
    attach(1, "B", b);
    auto p = connect_pair(a, b);
    ASSERT_NE(p.b_stream, 0u);
    std::size_t limit = a.call([](auto& rt) { return rt.send_buffer_limit(); });
    ASSERT_GT(limit, 1u);

    std::string too_big(limit + 1, 'x');
    auto r = a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes(too_big)); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::limit_exceeded);

    // Within one call sequence nothing drains: filling to the limit works, one more byte fails.
    std::string half(limit / 2, 'h');
    std::string rest(limit - half.size(), 'r');
    ASSERT_TRUE(a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes(half)); }));
    ASSERT_TRUE(a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes(rest)); }));
    EXPECT_EQ(a.call([&](auto& rt) { return rt.send_queued(p.a_stream); }), limit);
    auto over = a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes("!")); });
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, Errc::limit_exceeded);

    // The accepted bytes all arrive; the refused byte does not.
    ASSERT_TRUE(run_until([&] { return b.received[p.b_stream].size() >= limit; }));
    driver().advance(50ms);
    EXPECT_EQ(b.received[p.b_stream].size(), limit);
    EXPECT_TRUE(b.received[p.b_stream] == half + rest);
}

}  // namespace
}  // namespace nsslab::test
