// Test helper: builds protocol-correct TCP connections as PacketRecords (3-way handshake,
// data both ways with correct seq/ack, FIN both ways, final ACK), for the capture tests.
#pragma once

#include <string_view>
#include <vector>

#include "nsslab/base/packet.hpp"

namespace nsslab::test {

class TcpFlow {
  public:
    TcpFlow(Endpoint client, Endpoint server, std::uint32_t client_isn, std::uint32_t server_isn,
            TimePoint start, Duration step = std::chrono::microseconds(250))
        : client_(client),
          server_(server),
          client_next_(client_isn),
          server_next_(server_isn),
          now_(start),
          step_(step) {}

    // SYN (MSS option), SYN-ACK (MSS option), ACK.
    void handshake(std::uint16_t mss = 1460) {
        push(true, tcp_flags::syn, {}, mss, false);
        client_next_ += 1;
        push(false, tcp_flags::syn | tcp_flags::ack, {}, mss, true);
        server_next_ += 1;
        push(true, tcp_flags::ack, {}, 0, true);
    }

    // Sends `data` in segments of at most `segment_max` bytes (PSH on the last one); the
    // peer acknowledges after every segment.
    void send(bool from_client, std::string_view data, std::size_t segment_max = 1460) {
        while (!data.empty()) {
            std::string_view part = data.substr(0, segment_max);
            data.remove_prefix(part.size());
            std::uint8_t flags = tcp_flags::ack | (data.empty() ? tcp_flags::psh : 0);
            push(from_client, flags, to_bytes(part), 0, true);
            next(from_client) += static_cast<std::uint32_t>(part.size());
            push(!from_client, tcp_flags::ack, {}, 0, true);
        }
    }

    // FIN from the client, FIN+ACK from the server, final ACK from the client.
    void close() {
        push(true, tcp_flags::fin | tcp_flags::ack, {}, 0, true);
        client_next_ += 1;
        push(false, tcp_flags::fin | tcp_flags::ack, {}, 0, true);
        server_next_ += 1;
        push(true, tcp_flags::ack, {}, 0, true);
    }

    std::vector<PacketRecord>& packets() { return packets_; }
    TimePoint now() const { return now_; }

  private:
    std::uint32_t& next(bool client) { return client ? client_next_ : server_next_; }

    void push(bool from_client, std::uint8_t flags, Bytes payload, std::uint16_t mss, bool ack) {
        PacketRecord p;
        p.time = now_;
        now_ += step_;
        p.transport = Transport::tcp;
        p.src = from_client ? client_ : server_;
        p.dst = from_client ? server_ : client_;
        p.seq = next(from_client);
        p.ack = ack ? next(!from_client) : 0;
        p.flags = flags;
        p.window = 64240;
        p.mss = mss;
        p.payload = std::move(payload);
        packets_.push_back(std::move(p));
    }

    Endpoint client_;
    Endpoint server_;
    std::uint32_t client_next_;
    std::uint32_t server_next_;
    TimePoint now_;
    Duration step_;
    std::vector<PacketRecord> packets_;
};

}  // namespace nsslab::test
