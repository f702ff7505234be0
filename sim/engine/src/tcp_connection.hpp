// Internal: a simplified TCP connection (RFC 9293 state machine reduced to what the
// simulator needs): three-way handshake, segmentation by MSS, cumulative ACKs sent
// immediately, out-of-order reassembly (bounded), retransmission with an RFC 6298 timer and
// exponential backoff (go-back-N), fast retransmit on three duplicate ACKs, FIN in both
// directions, RST, TIME-WAIT. No congestion control: the link rate models capacity.
// Sequence and acknowledgement numbers are real, so captures analyse cleanly in tshark.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/packet.hpp"
#include "nsslab/runtime/runtime.hpp"

namespace nsslab::engine {

class Host;
class SimProcess;

inline bool seq_lt(std::uint32_t a, std::uint32_t b) {
    return static_cast<std::int32_t>(a - b) < 0;
}
inline bool seq_le(std::uint32_t a, std::uint32_t b) {
    return static_cast<std::int32_t>(a - b) <= 0;
}

struct TcpConnection {
    enum class State : std::uint8_t { syn_sent, syn_received, established, time_wait };

    TcpConnection(Host& host, Endpoint local, Endpoint remote, std::uint64_t serial,
                  std::uint32_t iss);

    // Entry points.
    void open_active();                          // send SYN
    void open_passive(PacketRecord const& syn);  // send SYN-ACK
    void on_segment(PacketRecord& segment);      // may destroy *this via the host
    void app_send(ByteView data);
    void app_shutdown();  // FIN after queued data
    void app_close();     // detach from the app, then FIN
    void app_abort();     // RST; destroys *this
    void host_reset();    // RST on crash (no callbacks); destroys *this
    std::size_t queued() const { return send_buf.size() - send_head; }
    // Back-pressure (runtime.hpp): a send() was refused. Arms one on_send_space(), checked
    // from a separate event now and after every acknowledgement.
    void want_send_space();
    // Calls on_send_space() if it is armed, the owner still holds the stream, no eof was
    // reported and queued() is at most half the send buffer limit. May destroy *this (the
    // callback may abort the stream).
    void offer_send_space();

    Host& host;
    Endpoint local;
    Endpoint remote;
    std::uint64_t serial;
    State state{State::syn_sent};

    // The application side: null once the app closed or aborted it.
    SimProcess* owner{nullptr};
    runtime::SocketId id{0};
    // For a passive open: the listener to report the accepted stream to.
    SimProcess* listener_owner{nullptr};
    runtime::SocketId listener_id{0};

    std::uint32_t iss;
    std::uint32_t snd_una;
    std::uint32_t snd_nxt;
    std::uint32_t irs{0};
    std::uint32_t rcv_nxt{0};
    std::uint16_t mss{1460};
    std::uint32_t peer_window{65535};

    Bytes send_buf;  // unacknowledged and unsent data from send_head on
    std::size_t send_head{0};
    std::uint32_t buf_seq;  // sequence number of send_buf[send_head]
    bool fin_queued{false};
    bool fin_sent{false};
    bool fin_acked{false};
    bool fin_received{false};
    bool send_space_wanted{false};  // a send() was refused; on_send_space() not yet called
    bool active_close{false};       // we sent FIN before receiving one
    std::optional<std::uint32_t> peer_fin_seq;
    std::map<std::uint32_t, Bytes> out_of_order;
    std::size_t out_of_order_bytes{0};

    Duration rto;
    int retries{0};
    std::uint64_t timer_gen{0};
    bool timer_armed{false};
    bool have_rtt{false};
    Duration srtt{0};
    Duration rttvar{0};
    std::optional<std::pair<std::uint32_t, TimePoint>> rtt_probe;  // (end seq, sent at)
    int dupacks{0};

  private:
    void try_send();
    void send_segment(std::uint8_t flags, std::uint32_t seq, ByteView payload);
    void send_ack() { send_segment(tcp_flags::ack, snd_nxt, {}); }
    void arm_timer();
    void on_timer(std::uint64_t gen);
    void retransmit();
    void handle_ack(PacketRecord const& seg);
    void handle_data(PacketRecord& seg);
    void maybe_finish();
    void fail(runtime::StreamEnd why);  // tell the app, destroy *this
    std::size_t in_flight() const;
};

}  // namespace nsslab::engine
