// The real runtime beyond the shared contract (tests/runtime_contract/): orderly stop on
// SIGTERM, error messages naming endpoints, IPv6 (destination addresses of a wildcard socket
// included), the Loop owning what its factories build.
#include "nsslab/asio/loop.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

namespace nsslab::asio_rt {
namespace {

using namespace std::chrono_literals;
using runtime::SocketId;
using runtime::StreamEnd;

std::filesystem::path scratch(std::string const& name) {
    auto dir = std::filesystem::temp_directory_path() /
               ("nsslab-asio-test-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(dir);
    return dir;
}

Endpoint loopback(std::uint16_t port) {
    return Endpoint{IpAddress::v4(0x7f000001), port};
}

// Adds a node running a fresh `App` (owned by the loop, its `rt` set) and returns the App.
template <class App>
App& add(Loop& loop, std::string const& name, std::filesystem::path dir, NodeOptions options = {}) {
    loop.add(
        name,
        [](runtime::Runtime& rt) {
            auto app = std::make_unique<App>();
            app->rt = &rt;
            return app;
        },
        std::move(dir), nullptr, options);
    return static_cast<App&>(*loop.application(name));
}

// Server: listens; closes every stream in on_stop. Client: connects; raises a signal from its
// deadline once connected; closes its stream in on_stop.
struct Server : runtime::Application {
    runtime::Runtime* rt{nullptr};
    SocketId listener{0};
    std::vector<SocketId> streams;
    std::vector<StreamEnd> ends;
    int stops{0};
    void on_accepted(SocketId, SocketId s, TimePoint) override { streams.push_back(s); }
    void on_stream_closed(SocketId, StreamEnd why, TimePoint) override { ends.push_back(why); }
    void on_stop(TimePoint) override {
        ++stops;
        for (auto s : streams)
            rt->close(s);
        rt->close(listener);
    }
};

struct Client : runtime::Application {
    runtime::Runtime* rt{nullptr};
    Endpoint server;
    int signal{SIGTERM};
    SocketId stream{0};
    int stops{0};
    bool connected{false};
    void on_start(TimePoint) override { stream = *rt->connect(server); }
    void on_connected(SocketId, TimePoint now) override {
        connected = true;
        rt->set_deadline(now + std::chrono::milliseconds{10});
    }
    void on_deadline(TimePoint) override { std::raise(signal); }
    void on_stop(TimePoint) override {
        ++stops;
        (void)rt->send(stream, as_bytes("bye"));
        rt->close(stream);
    }
};

void run_signal_test(int signal) {
    auto dir = scratch("signal" + std::to_string(signal));
    int result = 0;
    {
        Loop loop;
        auto& server = add<Server>(loop, "NSSD", dir / "nssd");
        server.listener = *server.rt->listen(loopback(0));
        auto& client = add<Client>(loop, "SYSTEMA", dir / "systema");
        client.signal = signal;
        client.server = *server.rt->local_endpoint(server.listener);
        result = loop.run_until_signal(10s);
        EXPECT_EQ(server.stops, 1);
        EXPECT_EQ(client.stops, 1);
        EXPECT_TRUE(client.connected);
        EXPECT_EQ(server.streams.size(), 1u);
    }
    EXPECT_EQ(result, signal);
    std::filesystem::remove_all(dir);
}

TEST(AsioLoop, RunUntilSignalStopsOnSigterm) {
    run_signal_test(SIGTERM);
}
TEST(AsioLoop, RunUntilSignalStopsOnSigint) {
    run_signal_test(SIGINT);
}

TEST(AsioLoop, StopCallsOnStopAndWaitsForStreamsToClose) {
    auto dir = scratch("stop");
    Loop loop;
    auto& server = add<Server>(loop, "NSSD", dir / "nssd");
    server.listener = *server.rt->listen(loopback(0));
    auto& client = add<Client>(loop, "SYSTEMA", dir / "systema");
    client.server = *server.rt->local_endpoint(server.listener);
    client.signal = 0;  // raise(0) is not sent; the deadline does nothing harmful
    ASSERT_TRUE(
        loop.run_until([&] { return client.connected && server.streams.size() == 1; }, 10s));
    EXPECT_TRUE(loop.stop(10s));
    EXPECT_EQ(server.stops, 1);
    EXPECT_EQ(client.stops, 1);
    EXPECT_EQ(loop.node_count(), 2u);
    std::filesystem::remove_all(dir);
}

struct Idle : runtime::Application {
    runtime::Runtime* rt{nullptr};
};

TEST(AsioLoop, BindErrorsNameTheEndpointAndTheOsReason) {
    auto dir = scratch("bind");
    Loop loop;
    auto& rt = *add<Idle>(loop, "A", dir).rt;

    auto first = rt.listen(loopback(0));
    ASSERT_TRUE(first);
    auto where = *rt.local_endpoint(*first);
    auto second = rt.listen(where);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, Errc::already_exists);
    EXPECT_NE(second.error().message.find("listen " + where.to_string()), std::string::npos)
        << second.error().message;
    EXPECT_NE(second.error().message.find("in use"), std::string::npos) << second.error().message;

    auto udp = rt.open_datagram(loopback(0));
    ASSERT_TRUE(udp);
    auto udp_where = *rt.local_endpoint(*udp);
    auto udp_again = rt.open_datagram(udp_where);
    ASSERT_FALSE(udp_again);
    EXPECT_NE(udp_again.error().message.find(udp_where.to_string()), std::string::npos)
        << udp_again.error().message;

    // 192.0.2.1 (TEST-NET-1) is not a local address: EADDRNOTAVAIL, named.
    auto foreign = rt.listen(Endpoint{*IpAddress::parse("192.0.2.1"), 0});
    ASSERT_FALSE(foreign);
    EXPECT_NE(foreign.error().message.find("192.0.2.1:0"), std::string::npos)
        << foreign.error().message;

    auto no_port = rt.connect(loopback(0));
    ASSERT_FALSE(no_port);
    EXPECT_EQ(no_port.error().code, Errc::invalid_argument);
    std::filesystem::remove_all(dir);
}

// A listener that never accepts, with a backlog of 0: once its accept queue is full the kernel
// drops further SYNs, so later connects get no answer at all.
TEST(AsioLoop, ConnectTimeoutEndsAConnectThatGetsNoAnswer) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
    ASSERT_EQ(::listen(fd, 0), 0);
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    Endpoint silent = loopback(ntohs(addr.sin_port));

    auto dir = scratch("connect-timeout");
    struct App : runtime::Application {
        runtime::Runtime* rt{nullptr};
        std::map<SocketId, int> connected;
        std::map<SocketId, std::vector<StreamEnd>> ends;
        void on_connected(SocketId s, TimePoint) override { ++connected[s]; }
        void on_stream_closed(SocketId s, StreamEnd why, TimePoint) override {
            ends[s].push_back(why);
        }
    };
    NodeOptions options;
    options.connect_timeout = 200ms;
    {
        Loop loop;
        auto& app = add<App>(loop, "A", dir, options);
        auto& rt = *app.rt;
        std::vector<SocketId> streams;
        for (int i = 0; i < 4; ++i)
            streams.push_back(*rt.connect(silent));
        auto settled = [&] {
            for (auto s : streams)
                if (app.connected[s] + static_cast<int>(app.ends[s].size()) == 0)
                    return false;
            return true;
        };
        ASSERT_TRUE(loop.run_until(settled, 10s));
        loop.run_until([] { return false; }, 300ms);
        int timed_out = 0;
        for (auto s : streams) {
            EXPECT_EQ(app.connected[s] + static_cast<int>(app.ends[s].size()), 1) << "stream " << s;
            if (!app.ends[s].empty()) {
                EXPECT_EQ(app.ends[s][0], StreamEnd::timed_out)
                    << nsslab::to_string(app.ends[s][0]);
                ++timed_out;
            }
        }
        EXPECT_GE(timed_out, 1);
    }
    ::close(fd);
    std::filesystem::remove_all(dir);
}

TEST(AsioLoop, RunUntilReturnsFalseWhenTheWallLimitPasses) {
    Loop loop;
    EXPECT_FALSE(loop.run_until([] { return false; }, 20ms));
    EXPECT_TRUE(loop.run_until([] { return true; }, 20ms));
}

TEST(AsioLoop, TimeIsTheSystemClockAndFilesLiveUnderTheRoot) {
    auto dir = scratch("files");
    Loop loop;
    auto& rt = *add<Idle>(loop, "A", dir).rt;
    auto system =
        std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch());
    EXPECT_LE(std::chrono::abs(rt.now().time_since_epoch() - system), std::chrono::seconds{5});
    ASSERT_TRUE(rt.files().write("/var/iked/STACK1.defaultpolicy", "x"));
    EXPECT_TRUE(std::filesystem::exists(dir / "var/iked/STACK1.defaultpolicy"));
    std::filesystem::remove_all(dir);
}

struct Receiver : runtime::Application {
    runtime::Runtime* rt{nullptr};
    std::vector<Endpoint> local;
    std::vector<Endpoint> from;
    void on_datagram(SocketId, Endpoint const& l, Endpoint const& f, ByteView, TimePoint) override {
        local.push_back(l);
        from.push_back(f);
    }
};

// IPv6 loopback datagrams; an IPv6 wildcard socket names the address each datagram was sent
// to (IPV6_RECVPKTINFO).
TEST(AsioLoop, IPv6LoopbackDatagramsWhenAvailable) {
    auto dir = scratch("v6");
    Loop loop;
    auto& app = add<Receiver>(loop, "A", dir);
    auto& rt = *app.rt;
    auto v6 = *IpAddress::parse("::1");
    auto s = rt.open_datagram(Endpoint{v6, 0});
    if (!s)
        GTEST_SKIP() << "no IPv6 loopback: " << s.error().what();
    auto ep = *rt.local_endpoint(*s);
    EXPECT_EQ(ep.address, v6);
    ASSERT_TRUE(rt.send_datagram(*s, ep, as_bytes("six")));
    auto v4_to = rt.send_datagram(*s, loopback(9), as_bytes("x"));
    EXPECT_FALSE(v4_to);
    ASSERT_TRUE(loop.run_until([&] { return !app.from.empty(); }, 10s));
    EXPECT_EQ(app.from[0], ep);
    EXPECT_EQ(app.local[0], ep);

    auto wild = rt.open_datagram(Endpoint{*IpAddress::parse("::"), 0});
    ASSERT_TRUE(wild) << wild.error().what();
    Endpoint to{v6, rt.local_endpoint(*wild)->port};
    ASSERT_TRUE(rt.send_datagram(*s, to, as_bytes("to wildcard")));
    ASSERT_TRUE(loop.run_until([&] { return app.local.size() == 2; }, 10s));
    EXPECT_EQ(app.local[1], to);
    EXPECT_EQ(app.from[1], ep);
    std::filesystem::remove_all(dir);
}

// The Loop owns what add() built: application() reaches it, started() tells when its on_start
// has run, and the Loop destroys it (before its Runtime).
TEST(AsioLoop, AddBuildsTheApplicationFromItsFactoryAndOwnsIt) {
    auto dir = scratch("factory");
    struct Owned : runtime::Application {
        runtime::Runtime* rt{nullptr};
        bool* destroyed{nullptr};
        int starts{0};
        ~Owned() override {
            *destroyed = true;
            (void)rt->send_queued(1);  // the Runtime still exists
        }
        void on_start(TimePoint) override { ++starts; }
    };
    bool destroyed = false;
    runtime::Runtime* seen = nullptr;
    {
        Loop loop;
        auto& rt = loop.add(
            "A",
            [&](runtime::Runtime& r) {
                seen = &r;
                auto app = std::make_unique<Owned>();
                app->rt = &r;
                app->destroyed = &destroyed;
                return app;
            },
            dir, nullptr);
        EXPECT_EQ(seen, &rt);
        auto* app = dynamic_cast<Owned*>(loop.application("A"));
        ASSERT_NE(app, nullptr);
        EXPECT_EQ(loop.application("B"), nullptr);
        EXPECT_FALSE(loop.started("A"));
        EXPECT_EQ(app->starts, 0);
        ASSERT_TRUE(loop.run_until([&] { return loop.started("A"); }, 10s));
        EXPECT_EQ(app->starts, 1);
        EXPECT_FALSE(loop.started("B"));
        EXPECT_FALSE(destroyed);
    }
    EXPECT_TRUE(destroyed);
    std::filesystem::remove_all(dir);
}

// One socket per address family, as in the simulator: NSSD listens on both wildcards with the
// same port, so the IPv6 one must not also claim the IPv4 port.
TEST(AsioLoop, IPv4AndIPv6WildcardListenersShareAPort) {
    auto dir = scratch("dual");
    Loop loop;
    auto& rt = *add<Idle>(loop, "A", dir).rt;
    auto v4 = rt.listen(Endpoint{*IpAddress::parse("0.0.0.0"), 0});
    ASSERT_TRUE(v4) << v4.error().what();
    auto port = rt.local_endpoint(*v4)->port;
    auto v6 = rt.listen(Endpoint{*IpAddress::parse("::"), port});
    if (!v6 && v6.error().code != Errc::already_exists)
        GTEST_SKIP() << "no IPv6: " << v6.error().what();
    ASSERT_TRUE(v6) << v6.error().what();
    auto udp4 = rt.open_datagram(Endpoint{*IpAddress::parse("0.0.0.0"), 0});
    ASSERT_TRUE(udp4);
    auto udp6 = rt.open_datagram(Endpoint{*IpAddress::parse("::"), rt.local_endpoint(*udp4)->port});
    ASSERT_TRUE(udp6) << udp6.error().what();
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nsslab::asio_rt

namespace nsslab::asio_rt {
namespace {

// Runtime::offload: jobs run on the node's worker threads, their `done` on the loop's thread,
// each batch followed by on_work_done; without workers offload() is refused.
struct Offloader : runtime::Application {
    runtime::Runtime* rt{nullptr};
    std::thread::id loop_thread;
    std::vector<std::thread::id> work_threads;  // written by workers: read after the loop ran
    std::vector<int> done;
    int work_done_calls{0};
    bool done_on_loop_thread{true};
    void on_start(TimePoint) override { loop_thread = std::this_thread::get_id(); }
    void on_work_done(TimePoint) override { ++work_done_calls; }
};

TEST(AsioLoop, OffloadRunsWorkOnWorkersAndCompletesOnTheLoopThread) {
    Loop loop;
    NodeOptions options;
    options.worker_threads = 2;
    auto& app = add<Offloader>(loop, "SYSTEMA", scratch("offload"), options);
    ASSERT_TRUE(loop.run_until([&] { return loop.started("SYSTEMA"); }, 1000ms));
    EXPECT_EQ(app.rt->worker_threads(), 2u);
    std::mutex m;
    constexpr int jobs = 50;
    for (int i = 0; i < jobs; ++i)
        ASSERT_TRUE(app.rt->offload(
            [&app, &m] {
                std::lock_guard lock(m);
                app.work_threads.push_back(std::this_thread::get_id());
            },
            [&app, i](TimePoint) {
                app.done_on_loop_thread =
                    app.done_on_loop_thread && std::this_thread::get_id() == app.loop_thread;
                app.done.push_back(i);
            }));
    ASSERT_TRUE(
        loop.run_until([&] { return app.done.size() == static_cast<std::size_t>(jobs); }, 5000ms));
    EXPECT_TRUE(app.done_on_loop_thread);
    EXPECT_GE(app.work_done_calls, 1);
    EXPECT_LE(app.work_done_calls, jobs);
    std::lock_guard lock(m);
    for (auto id : app.work_threads)
        EXPECT_NE(id, app.loop_thread);
    EXPECT_GE(loop.worker_cpu_seconds("SYSTEMA"), 0.0);
}

TEST(AsioLoop, OffloadIsRefusedWithoutWorkers) {
    Loop loop;
    auto& app = add<Offloader>(loop, "SYSTEMA", scratch("no-offload"));
    ASSERT_TRUE(loop.run_until([&] { return loop.started("SYSTEMA"); }, 1000ms));
    EXPECT_EQ(app.rt->worker_threads(), 0u);
    bool ran = false;
    EXPECT_FALSE(app.rt->offload([&ran] { ran = true; }, [](TimePoint) {}));
    loop.run_until([] { return false; }, 20ms);
    EXPECT_FALSE(ran);
    EXPECT_EQ(loop.worker_cpu_seconds("SYSTEMA"), 0.0);
}

}  // namespace
}  // namespace nsslab::asio_rt
