// Contract: back-pressure. A refused send() arms one on_send_space(), which comes from the loop
// once send_queued() has fallen to half of send_buffer_limit(); never for a stream that was
// never refused, never after close(), abort() or on_stream_closed().
#include "contract.hpp"

namespace nsslab::test {
namespace {

// Sends 64 KiB chunks until send() refuses one (as it must before the limit is passed: within
// one call sequence nothing drains). Returns the bytes accepted.
std::string fill_until_refused(Probe& p, SocketId stream, unsigned seed) {
    std::size_t limit = p.call([](auto& rt) { return rt.send_buffer_limit(); });
    std::string accepted;
    for (unsigned i = 0; accepted.size() <= limit; ++i) {
        std::string chunk = pattern(64 << 10, seed + i);
        auto r = p.call([&](auto& rt) { return rt.send(stream, as_bytes(chunk)); });
        if (!r) {
            EXPECT_EQ(r.error().code, Errc::limit_exceeded) << r.error().what();
            return accepted;
        }
        accepted += chunk;
    }
    ADD_FAILURE() << "send() accepted more than send_buffer_limit() " << limit;
    return accepted;
}

TEST_P(RuntimeContract, ARefusedSenderHearsOnSendSpaceOnceHalfTheBufferHasDrained) {
    Probe a, b;
    auto p = attach_and_connect(a, b);
    ASSERT_NE(p.b_stream, 0u);
    std::size_t limit = a.call([](auto& rt) { return rt.send_buffer_limit(); });

    std::string sent = fill_until_refused(a, p.a_stream, 10);
    EXPECT_GT(sent.size(), limit / 2);
    EXPECT_TRUE(a.send_space.empty()) << "on_send_space came from inside send()";

    // What was held back goes out from on_send_space; at least half the limit fits.
    std::string more = pattern(limit / 2, 99);
    a.on_send_space_hook = [&](SocketId s) {
        auto r = a.call([&](auto& rt) { return rt.send(s, as_bytes(more)); });
        EXPECT_TRUE(r) << r.error().what();
        if (r)
            sent += more;
    };
    ASSERT_TRUE(run_until([&] { return a.send_space_count(p.a_stream) == 1; }));
    EXPECT_LE(a.send_space[0].queued, limit / 2);
    ASSERT_TRUE(run_until([&] { return b.received[p.b_stream].size() >= sent.size(); }));
    EXPECT_TRUE(b.received[p.b_stream] == sent) << "bytes differ";
    driver().advance(100ms);
    EXPECT_EQ(a.send_space_count(p.a_stream), 1);
    EXPECT_TRUE(b.send_space.empty()) << "B never had a send refused";
    EXPECT_TRUE(a.closed.empty());
    EXPECT_EQ(a.reentered + b.reentered, 0);
}

// Refused when nothing is queued (more than the whole buffer at once): the room is already
// there, and on_send_space still comes from the loop, once.
TEST_P(RuntimeContract, OnSendSpaceAfterAnOversizedSendComesFromTheLoop) {
    Probe a, b;
    auto p = attach_and_connect(a, b);
    ASSERT_NE(p.b_stream, 0u);
    std::size_t limit = a.call([](auto& rt) { return rt.send_buffer_limit(); });
    std::string too_big(limit + 1, 'x');
    ASSERT_FALSE(a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes(too_big)); }));
    ASSERT_FALSE(a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes(too_big)); }));
    EXPECT_TRUE(a.send_space.empty());
    ASSERT_TRUE(run_until([&] { return a.send_space_count(p.a_stream) == 1; }));
    EXPECT_EQ(a.send_space[0].queued, 0u);
    driver().advance(100ms);
    EXPECT_EQ(a.send_space_count(p.a_stream), 1) << "two refusals before the call share it";
    EXPECT_EQ(a.reentered, 0);

    // A refusal after the call arms the next one.
    ASSERT_FALSE(a.call([&](auto& rt) { return rt.send(p.a_stream, as_bytes(too_big)); }));
    ASSERT_TRUE(run_until([&] { return a.send_space_count(p.a_stream) == 2; }));
}

TEST_P(RuntimeContract, NoSendSpaceAfterCloseOrAbort) {
    Probe a, b;
    auto p = attach_and_connect(a, b);
    ASSERT_NE(p.b_stream, 0u);
    // A second stream to the same listener.
    auto where = b.call([&](auto& rt) { return rt.local_endpoint(p.listener); });
    ASSERT_TRUE(where);
    auto second = a.call([&](auto& rt) { return rt.connect(*where); });
    ASSERT_TRUE(second);
    ASSERT_TRUE(run_until([&] { return a.connected.size() == 2 && b.accepted.size() == 2; }));
    SocketId b_second = b.accepted[1].second;

    std::string closed_bytes = fill_until_refused(a, p.a_stream, 20);
    fill_until_refused(a, *second, 30);
    a.call([&](auto& rt) { rt.close(p.a_stream); });
    a.call([&](auto& rt) { rt.abort(*second); });

    ASSERT_TRUE(run_until(
        [&] { return b.closed_count(p.b_stream) == 1 && b.closed_count(b_second) == 1; }));
    EXPECT_TRUE(b.received[p.b_stream] == closed_bytes) << "close() lost queued bytes";
    for (auto const& c : b.closed)
        EXPECT_EQ(c.why, c.stream == b_second ? StreamEnd::reset : StreamEnd::eof);
    driver().advance(200ms);
    EXPECT_TRUE(a.send_space.empty());
    EXPECT_EQ(a.reentered + b.reentered, 0);
}

// After on_stream_closed(eof) the stream stays writable, but a refusal arms nothing.
TEST_P(RuntimeContract, NoSendSpaceAfterEof) {
    Probe a, b;
    auto p = attach_and_connect(a, b);
    ASSERT_NE(p.b_stream, 0u);
    b.call([&](auto& rt) { rt.shutdown_send(p.b_stream); });
    ASSERT_TRUE(run_until([&] { return a.closed_count(p.a_stream) == 1; }));
    EXPECT_EQ(a.closed[0].why, StreamEnd::eof);

    std::string sent = fill_until_refused(a, p.a_stream, 40);
    ASSERT_TRUE(run_until([&] {
        return b.received[p.b_stream].size() >= sent.size() &&
               a.call([&](auto& rt) { return rt.send_queued(p.a_stream); }) == 0;
    }));
    EXPECT_TRUE(b.received[p.b_stream] == sent) << "bytes differ";
    driver().advance(100ms);
    EXPECT_TRUE(a.send_space.empty());
    EXPECT_EQ(a.reentered + b.reentered, 0);
}

}  // namespace
}  // namespace nsslab::test
