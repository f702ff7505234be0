// Small applications for engine tests: an echo server and a client that records what it sees.
#pragma once

#include <string>
#include <vector>

#include "nsslab/runtime/runtime.hpp"

namespace nsslab::engine::testing {

using runtime::Application;
using runtime::Runtime;
using runtime::SocketId;
using runtime::StreamEnd;

class EchoServer final : public Application {
  public:
    EchoServer(Runtime& rt, std::uint16_t port) : rt_(rt), port_(port) {}
    void on_start(TimePoint) override {
        listener_ = *rt_.listen(Endpoint{IpAddress{}, port_});
        listener6_ = *rt_.listen(Endpoint{IpAddress::v6({}), port_});
        udp_ = *rt_.open_datagram(Endpoint{IpAddress{}, port_});
    }
    void on_accepted(SocketId, SocketId, TimePoint) override { ++accepted; }
    void on_received(SocketId s, ByteView data, TimePoint) override {
        received += data.size();
        (void)rt_.send(s, data);
    }
    void on_stream_closed(SocketId s, StreamEnd why, TimePoint) override {
        ends.push_back(why);
        if (why == StreamEnd::eof)
            rt_.close(s);
    }
    void on_datagram(SocketId s, Endpoint const& /*local*/, Endpoint const& from, ByteView payload,
                     TimePoint) override {
        (void)rt_.send_datagram(s, from, payload);
    }
    int accepted{0};
    std::size_t received{0};
    std::vector<StreamEnd> ends;

  private:
    Runtime& rt_;
    std::uint16_t port_;
    SocketId listener_{0};
    SocketId listener6_{0};
    SocketId udp_{0};
};

class Client final : public Application {
  public:
    explicit Client(Runtime& runtime) : rt(runtime) {}
    void on_connected(SocketId, TimePoint now) override {
        connected = true;
        connected_at = now;
    }
    void on_received(SocketId, ByteView data, TimePoint) override {
        data_in.insert(data_in.end(), data.begin(), data.end());
    }
    void on_stream_closed(SocketId, StreamEnd why, TimePoint now) override {
        ends.push_back(why);
        closed_at = now;
    }
    void on_datagram(SocketId, Endpoint const& /*local*/, Endpoint const& from, ByteView payload,
                     TimePoint) override {
        datagrams.emplace_back(payload.begin(), payload.end());
        last_from = from;
    }
    void on_deadline(TimePoint now) override { deadlines.push_back(now); }
    Runtime& rt;
    bool connected{false};
    TimePoint connected_at{};
    TimePoint closed_at{};
    Bytes data_in;
    std::vector<StreamEnd> ends;
    std::vector<Bytes> datagrams;
    Endpoint last_from;
    std::vector<TimePoint> deadlines;
};

}  // namespace nsslab::engine::testing
