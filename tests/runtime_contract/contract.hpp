// Shared pieces of the runtime contract suite (docs/runtime.md): the fixture, parameterised by
// a registered RuntimeDriver, and Probe, an Application that records every callback and checks
// that none starts while one of its own Runtime calls is in progress. The drivers own what
// they run: each Probe (owned by its test) is added through a runtime::ForwardingApplication.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nsslab/runtime/runtime.hpp"
#include "support/runtime_driver.hpp"

namespace nsslab::test {

using namespace std::chrono_literals;
using runtime::SocketId;
using runtime::StreamEnd;

struct Probe : runtime::Application {
    runtime::Runtime* rt{nullptr};

    // Runs a Runtime call with the re-entrancy flag set. Every Runtime call a Probe makes,
    // from a test or from a hook, goes through here.
    template <class F>
    decltype(auto) call(F&& f) {
        ++depth;
        struct Leave {
            int& d;
            ~Leave() { --d; }
        } leave{depth};
        return f(*rt);
    }

    // --- records ---
    struct Datagram {
        SocketId socket;
        Endpoint local;
        Endpoint from;
        std::string payload;
    };
    struct SendSpace {
        SocketId stream;
        std::size_t queued;  // send_queued() when it came
    };
    struct Closed {
        SocketId stream;
        StreamEnd why;
    };
    bool started{false};
    int stops{0};
    std::vector<TimePoint> deadline_times;
    std::vector<Datagram> datagrams;
    std::vector<std::pair<SocketId, SocketId>> accepted;  // (listener, stream)
    std::vector<SocketId> connected;
    std::map<SocketId, std::string> received;
    std::vector<Closed> closed;
    std::vector<SendSpace> send_space;
    std::vector<SocketId> callback_ids;  // the socket of every socket callback, in order
    int reentered{0};                    // callbacks that began inside a Runtime call

    // --- hooks, run after recording ---
    std::function<void(TimePoint)> on_deadline_hook;
    std::function<void(SocketId listener, SocketId stream)> on_accepted_hook;
    std::function<void(SocketId)> on_connected_hook;
    std::function<void(SocketId, ByteView)> on_received_hook;
    std::function<void(SocketId, StreamEnd)> on_closed_hook;
    std::function<void(SocketId, Endpoint const&, ByteView)> on_datagram_hook;
    std::function<void(SocketId)> on_send_space_hook;

    int closed_count(SocketId id) const {
        int n = 0;
        for (auto const& c : closed)
            n += c.stream == id ? 1 : 0;
        return n;
    }
    int callbacks_for(SocketId id) const {
        int n = 0;
        for (auto s : callback_ids)
            n += s == id ? 1 : 0;
        return n;
    }

    void on_start(TimePoint) override {
        enter();
        started = true;
    }
    void on_stop(TimePoint) override {
        enter();
        ++stops;
    }
    void on_deadline(TimePoint now) override {
        enter();
        deadline_times.push_back(now);
        if (on_deadline_hook)
            on_deadline_hook(now);
    }
    void on_datagram(SocketId socket, Endpoint const& local, Endpoint const& from, ByteView payload,
                     TimePoint) override {
        enter(socket);
        datagrams.push_back({socket, local, from, std::string(as_chars(payload))});
        if (on_datagram_hook)
            on_datagram_hook(socket, from, payload);
    }
    void on_accepted(SocketId listener, SocketId stream, TimePoint) override {
        enter(stream);
        accepted.emplace_back(listener, stream);
        if (on_accepted_hook)
            on_accepted_hook(listener, stream);
    }
    void on_connected(SocketId stream, TimePoint) override {
        enter(stream);
        connected.push_back(stream);
        if (on_connected_hook)
            on_connected_hook(stream);
    }
    void on_received(SocketId stream, ByteView data, TimePoint) override {
        enter(stream);
        received[stream].append(as_chars(data));
        if (on_received_hook)
            on_received_hook(stream, data);
    }
    void on_stream_closed(SocketId stream, StreamEnd why, TimePoint) override {
        enter(stream);
        closed.push_back({stream, why});
        if (on_closed_hook)
            on_closed_hook(stream, why);
    }
    void on_send_space(SocketId stream, TimePoint) override {
        enter(stream);
        send_space.push_back({stream, rt->send_queued(stream)});
        if (on_send_space_hook)
            on_send_space_hook(stream);
    }
    int send_space_count(SocketId id) const {
        int n = 0;
        for (auto const& s : send_space)
            n += s.stream == id ? 1 : 0;
        return n;
    }

  private:
    void enter(SocketId id = 0) {
        if (depth != 0)
            ++reentered;
        if (id != 0)
            callback_ids.push_back(id);
    }
    int depth{0};
};

// The factory a driver gets for `probe`; the probe must outlive the driver.
inline runtime::AppFactory forward_to(Probe& probe) {
    return [&probe](runtime::Runtime&) {
        return std::make_unique<runtime::ForwardingApplication>(probe);
    };
}

class RuntimeContract : public ::testing::TestWithParam<RuntimeDriverEntry> {
  protected:
    void SetUp() override { driver_ = GetParam().make(); }
    void TearDown() override { driver_.reset(); }

    RuntimeDriver& driver() { return *driver_; }

    // Attaches `probe` on a host and waits for its on_start.
    runtime::Runtime& attach(int host, std::string name, Probe& probe) {
        auto& rt = driver_->attach(host, std::move(name), forward_to(probe));
        probe.rt = &rt;
        EXPECT_TRUE(run_until([&] { return probe.started; })) << "on_start never ran";
        return rt;
    }

    bool run_until(std::function<bool()> done, Duration limit = std::chrono::seconds{20}) {
        return driver_->run_until(std::move(done), limit);
    }

    // A connected pair: `a` connects to a listener of `b` on host 1.
    struct Pair {
        SocketId listener{0};
        SocketId a_stream{0};  // a's end
        SocketId b_stream{0};  // b's accepted end
    };
    Pair connect_pair(Probe& a, Probe& b) {
        Pair p;
        Listening l = listen_on_host_1(b);
        if (l.listener == 0)
            return p;
        p.listener = l.listener;
        auto stream = a.call([&](auto& rt) { return rt.connect(l.where); });
        EXPECT_TRUE(stream) << (stream ? "" : stream.error().what());
        if (!stream)
            return p;
        p.a_stream = *stream;
        EXPECT_TRUE(run_until([&] { return !a.connected.empty() && !b.accepted.empty(); }));
        if (a.connected.empty() || b.accepted.empty())
            return p;
        EXPECT_EQ(a.connected.front(), p.a_stream);
        EXPECT_EQ(b.accepted.front().first, p.listener);
        p.b_stream = b.accepted.front().second;
        return p;
    }

    // Attaches `a` on host 0 and `b` on host 1, then connect_pair(a, b).
    Pair attach_and_connect(Probe& a, Probe& b) {
        attach(0, "A", a);
        attach(1, "B", b);
        return connect_pair(a, b);
    }

    // A listener of `b` on host 1 (an ephemeral port) and the endpoint it is reached at;
    // listener 0, with a failure recorded, when it cannot listen.
    struct Listening {
        SocketId listener{0};
        Endpoint where;
    };
    Listening listen_on_host_1(Probe& b) {
        auto listener = b.call([&](auto& rt) {
            return rt.listen(Endpoint{driver_->host_address(1), 0});
        });
        EXPECT_TRUE(listener) << (listener ? "" : listener.error().what());
        if (!listener)
            return {};
        auto where = b.call([&](auto& rt) { return rt.local_endpoint(*listener); });
        EXPECT_TRUE(where);
        if (!where)
            return {};
        EXPECT_NE(where->port, 0);
        return {*listener, *where};
    }

    // A port on host 1 where nothing listens: bound, then closed.
    std::uint16_t closed_port(Probe& b) {
        Listening l = listen_on_host_1(b);
        if (l.listener == 0)
            return 0;
        b.call([&](auto& rt) { rt.close(l.listener); });
        return l.where.port;
    }

  private:
    std::unique_ptr<RuntimeDriver> driver_;
};

// Deterministic test bytes.
inline std::string pattern(std::size_t n, unsigned seed) {
    std::string s(n, '\0');
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto& c : s) {
        x = x * 1664525u + 1013904223u;
        c = static_cast<char>(x >> 24);
    }
    return s;
}

}  // namespace nsslab::test
