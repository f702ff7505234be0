// The driver adapter (runtime::StreamDriver, DriverSet, DrivenApplication; docs/architecture.md
// "The core contract") on both drivers: a client core and a server core, each pumped into its
// own node, exchange bytes through real (asio) or simulated streams. The cores are small test
// cores of the contract: what is checked is the adapter — connects, data in order both ways,
// completions to the owner, events to the trace, the deadline, a close seen by the peer, a
// refused connect, and bytes held while the send buffer is full (back-pressure), all sent.
// runtime::DatagramDriver likewise: a datagram core on each of two nodes, one port on two
// addresses (two IKEDs on loopback), transmits from the socket of their local endpoint.
#include "nsslab/runtime/driver.hpp"

#include <deque>
#include <map>

#include "contract.hpp"
#include "nsslab/core/contract.hpp"

namespace nsslab::test {
namespace {

using core::ConnId;
using Kind = core::StreamTransmit::Kind;

core::StreamTransmit transmit(Kind kind, ConnId conn, Bytes bytes = {}) {
    core::StreamTransmit t;
    t.kind = kind;
    t.conn = conn;
    t.bytes = std::move(bytes);
    return t;
}

// Server core: echoes every byte; closes a connection when it receives "bye"; a tick timer.
class EchoServer {
  public:
    using Transmit = core::StreamTransmit;

    void handle_accepted(ConnId conn, Endpoint remote, Endpoint, TimePoint) {
        events_.push_back(
            Event("echo.accepted").with("conn", conn).with("remote", remote.to_string()));
    }
    void handle_received(ConnId conn, ByteView bytes, TimePoint) {
        if (as_chars(bytes) == "bye") {
            out_.push_back(transmit(Kind::close, conn));
            return;
        }
        out_.push_back(transmit(Kind::data, conn, Bytes(bytes.begin(), bytes.end())));
    }
    void handle_closed(ConnId conn, StreamEnd why, TimePoint) {
        events_.push_back(Event("echo.closed").with("conn", conn).with("why", to_string(why)));
    }
    void handle_timeout(TimePoint now) {
        ++ticks;
        next_ = now + std::chrono::milliseconds{50};
    }
    std::optional<TimePoint> next_timeout() const { return next_; }
    std::optional<Transmit> poll_transmit() { return core::take_front(out_); }
    std::optional<Event> poll_event() { return core::take_front(events_); }
    std::optional<core::Secret> poll_secret() { return std::nullopt; }
    void start_ticking(TimePoint now) { next_ = now; }

    int ticks{0};

  private:
    std::deque<Transmit> out_;
    std::deque<Event> events_;
    std::optional<TimePoint> next_;
};
static_assert(core::StreamServerCore<EchoServer>);

// Client core, a service core: request_echo(text) sends it and completes when the echo is back;
// the key log line it "derives" goes out through poll_secret.
class EchoClient {
  public:
    using Transmit = core::StreamTransmit;
    struct Completion {
        std::uint64_t handle{0};
        std::string text;
        bool ok{false};
    };

    void connect(Endpoint server) {
        core::StreamTransmit t = transmit(Kind::connect, conn_);
        t.remote = server;
        out_.push_back(std::move(t));
    }
    std::uint64_t request_echo(std::string text) {
        std::uint64_t const handle = next_handle_++;
        waiting_.push_back({handle, text, false});
        out_.push_back(transmit(Kind::data, conn_, to_bytes(text)));
        return handle;
    }
    void say_bye() { out_.push_back(transmit(Kind::data, conn_, to_bytes("bye"))); }

    void handle_connected(ConnId, Endpoint local, TimePoint) {
        connected = true;
        events_.push_back(Event("client.connected").with("local", local.to_string()));
    }
    void handle_received(ConnId, ByteView bytes, TimePoint) {
        buffer_.append(as_chars(bytes));
        while (!waiting_.empty() && buffer_.size() >= waiting_.front().text.size()) {
            Completion c = waiting_.front();
            waiting_.pop_front();
            c.ok = buffer_.compare(0, c.text.size(), c.text) == 0;
            buffer_.erase(0, c.text.size());
            done_.push_back(std::move(c));
        }
    }
    void handle_closed(ConnId, StreamEnd why, TimePoint) { ended = why; }
    void handle_timeout(TimePoint) {}
    std::optional<TimePoint> next_timeout() const { return std::nullopt; }
    std::optional<Transmit> poll_transmit() { return core::take_front(out_); }
    std::optional<Event> poll_event() { return core::take_front(events_); }
    std::optional<core::Secret> poll_secret() { return std::nullopt; }
    std::optional<Completion> poll_completion() { return core::take_front(done_); }

    bool connected{false};
    std::optional<StreamEnd> ended;

  private:
    ConnId conn_{7};
    std::uint64_t next_handle_{1};
    std::deque<Transmit> out_;
    std::deque<Event> events_;
    std::deque<Completion> done_;
    std::deque<Completion> waiting_;
    std::string buffer_;
};
static_assert(core::StreamClientCore<EchoClient>);
static_assert(core::ServiceCore<EchoClient>);

struct ServerApp final : runtime::DrivenApplication {
    explicit ServerApp(runtime::Runtime& r)
        : DrivenApplication(r), rt(r), driver(r, core, &drivers_, {"echo", {}, {}}) {}
    void on_start(TimePoint now) override {
        auto l = rt.listen(Endpoint{address, 0});
        ASSERT_TRUE(l) << l.error().what();
        listener = *l;
        where = *rt.local_endpoint(*l);
        driver.accept_from(*l);
        core.start_ticking(now);
        drivers_.arm();
    }
    runtime::Runtime& rt;
    EchoServer core;
    runtime::StreamDriver<EchoServer> driver;
    IpAddress address;
    runtime::SocketId listener{0};
    Endpoint where;
};

// An application of one core and its driver (runtime::StreamDriver or DatagramDriver).
template <class Core, class CoreDriver>
struct CoreApp : runtime::DrivenApplication {
    template <class Options>
    CoreApp(runtime::Runtime& r, Options options)
        : DrivenApplication(r), rt(r), driver(r, core, &drivers_, std::move(options)) {}
    // A command from the test, as an operator's would be: core input, then drain and arm.
    template <class F>
    void command(F&& f) {
        f(core);
        driver.drain(rt.now());
        drivers_.arm();
    }
    runtime::Runtime& rt;
    Core core;
    CoreDriver driver;
};

struct ClientApp final : CoreApp<EchoClient, runtime::StreamDriver<EchoClient>> {
    explicit ClientApp(runtime::Runtime& r)
        : CoreApp(r, runtime::StreamDriverOptions{"client", {}, {}}) {
        driver.on_completion(
            [this](EchoClient::Completion c, TimePoint) { completions.push_back(std::move(c)); });
    }
    std::vector<EchoClient::Completion> completions;
};

class DriverAdapter : public RuntimeContract {
  protected:
    ServerApp& start_server() {
        IpAddress const address = driver().host_address(1);
        ServerApp* app = nullptr;
        driver().attach(1, "SERVER", [address, &app](runtime::Runtime& r) {
            auto made = std::make_unique<ServerApp>(r);
            made->address = address;
            app = made.get();
            return made;
        });
        EXPECT_TRUE(run_until([&] { return app != nullptr && app->listener != 0; }))
            << "the server did not start";
        return *app;
    }
    ClientApp& start_client() {
        ClientApp* app = nullptr;
        driver().attach(0, "CLIENT", [&app](runtime::Runtime& r) {
            auto made = std::make_unique<ClientApp>(r);
            app = made.get();
            return made;
        });
        EXPECT_TRUE(run_until([&] { return app != nullptr; }));
        return *app;
    }
    // A client connected to a started server.
    ClientApp& connected_client(ServerApp& server) {
        ClientApp& client = start_client();
        client.command([&](EchoClient& c) { c.connect(server.where); });
        EXPECT_TRUE(run_until([&] { return client.core.connected; }));
        return client;
    }
};

TEST_P(DriverAdapter, PumpsAClientAndAServerCoreOverStreams) {
    ServerApp& server = start_server();
    ClientApp& client = start_client();
    client.command([&](EchoClient& c) { c.connect(server.where); });
    ASSERT_TRUE(run_until([&] { return client.core.connected; }));

    std::vector<std::uint64_t> handles;
    client.command([&](EchoClient& c) {
        handles.push_back(c.request_echo("first "));
        handles.push_back(c.request_echo("second"));
    });
    ASSERT_TRUE(run_until([&] { return client.completions.size() == 2; }));
    EXPECT_EQ(client.completions[0].handle, handles[0]);
    EXPECT_TRUE(client.completions[0].ok);
    EXPECT_EQ(client.completions[1].text, "second");
    EXPECT_TRUE(client.completions[1].ok);

    // The server's timer runs through the adapter's deadline.
    int const ticks = server.core.ticks;
    driver().advance(std::chrono::milliseconds{200});
    EXPECT_GT(server.core.ticks, ticks);

    // The server core closes: the client core sees eof, and the server's stream is released.
    client.command([](EchoClient& c) { c.say_bye(); });
    ASSERT_TRUE(run_until([&] { return client.core.ended.has_value(); }));
    EXPECT_EQ(*client.core.ended, StreamEnd::eof);
    EXPECT_EQ(server.driver.connections(), 0u);
    ASSERT_TRUE(run_until([&] { return client.driver.connections() == 0; }));

    bool accepted = false, connected = false;
    for (auto const& r : driver().trace().records()) {
        accepted = accepted || r.event.name == "echo.accepted";
        connected = connected || r.event.name == "client.connected";
    }
    EXPECT_TRUE(accepted) << "the server core's events reach the trace";
    EXPECT_TRUE(connected);
}

TEST_P(DriverAdapter, ARefusedConnectReachesTheCore) {
    ClientApp& client = start_client();
    // A port nothing listens on: bound by a listener that is closed again.
    Probe holder;
    attach(1, "HOLDER", holder);
    auto l = holder.call([&](auto& rt) {
        return rt.listen(Endpoint{driver().host_address(1), 0});
    });
    ASSERT_TRUE(l);
    Endpoint const where = *holder.call([&](auto& rt) { return rt.local_endpoint(*l); });
    holder.call([&](auto& rt) {
        rt.close(*l);
        return 0;
    });
    client.command([&](EchoClient& c) { c.connect(where); });
    ASSERT_TRUE(run_until([&] { return client.core.ended.has_value(); }));
    EXPECT_EQ(*client.core.ended, StreamEnd::refused);
    EXPECT_EQ(client.driver.connections(), 0u);
}

TEST_P(DriverAdapter, BytesBeyondTheSendBufferWaitForSendSpaceInOrder) {
    ServerApp& server = start_server();
    ClientApp& client = connected_client(server);
    ASSERT_TRUE(client.core.connected);
    // The send buffer and 2 MiB more in one burst: the runtime takes what fits, the adapter
    // holds the rest (within StreamDriverOptions::held_max, 4 MiB) and sends it as space comes;
    // every echo comes back, in order.
    std::size_t const limit = client.rt.send_buffer_limit();
    std::size_t const piece = 256u << 10;
    std::size_t const pieces = (limit + (2u << 20)) / piece;
    client.command([&](EchoClient& c) {
        for (std::size_t i = 0; i < pieces; ++i)
            c.request_echo(pattern(piece, static_cast<unsigned>(i)));
    });
    EXPECT_GT(client.driver.held_bytes(), 0u) << "the burst did not fill the send buffer";
    ASSERT_TRUE(
        run_until([&] { return client.completions.size() == pieces; }, std::chrono::seconds{60}));
    for (auto const& c : client.completions)
        EXPECT_TRUE(c.ok) << "echo " << c.handle << " differs";
    EXPECT_EQ(client.driver.held_bytes(), 0u);
    EXPECT_FALSE(client.core.ended.has_value());
}

TEST_P(DriverAdapter, APeerThatCannotTakeMoreThanHeldMaxLosesOnlyItsStream) {
    ServerApp& server = start_server();
    ClientApp& client = connected_client(server);
    ASSERT_TRUE(client.core.connected);
    // More than the send buffer plus held_max before anything can drain: the adapter gives the
    // stream up (send_failed in the trace, reset for the core) instead of holding without bound.
    std::size_t const limit = client.rt.send_buffer_limit();
    std::size_t const piece = 256u << 10;
    std::size_t const pieces = (limit + (5u << 20)) / piece;
    client.command([&](EchoClient& c) {
        for (std::size_t i = 0; i < pieces; ++i)
            c.request_echo(pattern(piece, static_cast<unsigned>(i)));
    });
    ASSERT_TRUE(client.core.ended.has_value());
    EXPECT_EQ(*client.core.ended, StreamEnd::reset);
    EXPECT_EQ(client.driver.held_bytes(), 0u);
    EXPECT_EQ(client.driver.connections(), 0u);
    std::size_t failures = 0;
    for (auto const& r : driver().trace().records())
        failures += r.event.name == "client.send_failed" ? 1 : 0;
    EXPECT_EQ(failures, 1u);
    // The server sees the reset; it keeps serving (a new connection is echoed).
    ASSERT_TRUE(run_until([&] { return server.driver.connections() == 0; }));
}

// ---- DatagramDriver -------------------------------------------------------------------------

// Datagram core: send() queues a datagram from a chosen local endpoint; every datagram that
// arrives is recorded with the endpoint it arrived on and, unless it is an answer ("re:..."),
// answered from that endpoint (as IKE answers from the address it was reached at).
class Reflector {
  public:
    struct Transmit {
        Endpoint local;
        Endpoint remote;
        Bytes bytes;
    };
    struct Received {
        Endpoint local;
        Endpoint from;
        std::string text;
    };

    void send(Endpoint local, Endpoint remote, std::string const& text) {
        out_.push_back({local, remote, to_bytes(text)});
    }
    void handle_datagram(Endpoint local, Endpoint from, ByteView bytes, TimePoint) {
        std::string text(as_chars(bytes));
        received.push_back({local, from, text});
        events_.push_back(Event("reflector.datagram")
                              .with("local", local.to_string())
                              .with("from", from.to_string()));
        if (!text.starts_with("re:"))
            out_.push_back({local, from, to_bytes("re:" + text)});
    }
    void handle_timeout(TimePoint) {}
    std::optional<TimePoint> next_timeout() const { return std::nullopt; }
    std::optional<Transmit> poll_transmit() { return core::take_front(out_); }
    std::optional<Event> poll_event() { return core::take_front(events_); }
    std::optional<core::Secret> poll_secret() { return std::nullopt; }

    std::vector<Received> received;

  private:
    std::deque<Transmit> out_;
    std::deque<Event> events_;
};
static_assert(core::DatagramCore<Reflector>);

struct DatagramApp final : CoreApp<Reflector, runtime::DatagramDriver<Reflector>> {
    explicit DatagramApp(runtime::Runtime& r)
        : CoreApp(r, runtime::DatagramDriverOptions{"reflector", "node", "R"}) {}
    void on_start(TimePoint) override { started = true; }
    bool started{false};
};

class DatagramAdapter : public RuntimeContract {
  protected:
    DatagramApp& start(int host, std::string name) {
        DatagramApp* app = nullptr;
        driver().attach(host, std::move(name), [&app](runtime::Runtime& r) {
            auto made = std::make_unique<DatagramApp>(r);
            app = made.get();
            return made;
        });
        EXPECT_TRUE(run_until([&] { return app != nullptr && app->started; }));
        return *app;
    }
};

// Two daemons on one machine, as two IKEDs on loopback: each owns one address, both use the
// same port. Each transmit leaves from the socket of its local endpoint, each datagram reaches
// the core with the endpoint it arrived on, and the answer comes from that endpoint.
TEST_P(DatagramAdapter, TransmitsLeaveFromTheSocketOfTheirLocalEndpointOnOnePortOfTwoAddresses) {
    DatagramApp& a = start(0, "A");
    DatagramApp& b = start(1, "B");
    auto const a_addresses = driver().host_addresses(0);
    auto const b_addresses = driver().host_addresses(1);
    ASSERT_GE(b_addresses.size(), 2u);
    auto eb = b.driver.bind(Endpoint{b_addresses[1], 0});
    ASSERT_TRUE(eb) << eb.error().what();
    ASSERT_NE(eb->port, 0);
    Endpoint const ea{a_addresses[0], eb->port};  // the same port on A's address
    auto bound = a.driver.bind(ea);
    ASSERT_TRUE(bound) << bound.error().what();
    EXPECT_EQ(*bound, ea);
    EXPECT_EQ(a.driver.bound(), std::vector<Endpoint>{ea});

    a.command([&](Reflector& c) { c.send(ea, *eb, "hello"); });
    ASSERT_TRUE(run_until([&] { return !a.core.received.empty(); }));
    ASSERT_EQ(b.core.received.size(), 1u);
    EXPECT_EQ(b.core.received[0].local, *eb);
    EXPECT_EQ(b.core.received[0].from, ea);
    EXPECT_EQ(b.core.received[0].text, "hello");
    ASSERT_EQ(a.core.received.size(), 1u);
    EXPECT_EQ(a.core.received[0].local, ea);
    EXPECT_EQ(a.core.received[0].from, *eb);
    EXPECT_EQ(a.core.received[0].text, "re:hello");

    // A transmit from an endpoint the driver has no socket on is lost, and traced.
    Endpoint const unbound{a_addresses[0], static_cast<std::uint16_t>(eb->port ^ 1)};
    a.command([&](Reflector& c) { c.send(unbound, *eb, "lost"); });
    driver().advance(50ms);
    EXPECT_EQ(b.core.received.size(), 1u);
    int failed = 0;
    for (auto const& r : driver().trace().records())
        if (r.event.name == "reflector.send_failed") {
            ++failed;
            EXPECT_EQ(r.event.text("node"), "R");
            EXPECT_EQ(r.event.text("local"), unbound.to_string());
        }
    EXPECT_EQ(failed, 1);

    // close_all: nothing more arrives.
    b.driver.close_all();
    EXPECT_TRUE(b.driver.bound().empty());
    a.command([&](Reflector& c) { c.send(ea, *eb, "closed"); });
    driver().advance(50ms);
    EXPECT_EQ(b.core.received.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Driver, DatagramAdapter, ::testing::ValuesIn(runtime_drivers()),
                         [](auto const& entry) { return entry.param.name; });

INSTANTIATE_TEST_SUITE_P(Driver, DriverAdapter, ::testing::ValuesIn(runtime_drivers()),
                         [](auto const& entry) { return entry.param.name; });

}  // namespace
}  // namespace nsslab::test
