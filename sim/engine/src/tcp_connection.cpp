#include "tcp_connection.hpp"

#include <algorithm>

#include "nsslab/engine/host.hpp"
#include "nsslab/engine/network.hpp"
#include "nsslab/engine/simulation.hpp"
#include "sim_process.hpp"

namespace nsslab::engine {
namespace {

std::uint16_t mss_for(Host& host, Endpoint const& local, Endpoint const& remote) {
    Host* peer = host.network().host_by_address(remote.address);
    std::uint32_t mtu = peer != nullptr ? host.network().link(host, *peer).mtu : 1500;
    std::uint32_t headers = local.address.is_v4() ? 40 : 60;
    return static_cast<std::uint16_t>(
        std::clamp<std::uint32_t>(mtu > headers ? mtu - headers : 536, 536, 65495));
}

// Tells the application something, unless it has closed the stream in the meantime.
void notify(SimProcess* owner, runtime::SocketId id,
            std::function<void(runtime::Application&)> const& fn) {
    if (owner == nullptr || !owner->alive())
        return;
    if (owner->socket(id) == nullptr)
        return;
    fn(*owner->app());
}

}  // namespace

TcpConnection::TcpConnection(Host& h, Endpoint l, Endpoint r, std::uint64_t s,
                             std::uint32_t initial_seq)
    : host(h),
      local(l),
      remote(r),
      serial(s),
      iss(initial_seq),
      snd_una(initial_seq),
      snd_nxt(initial_seq),
      buf_seq(initial_seq + 1),
      rto(h.network().tcp_params().initial_rto) {
    mss = mss_for(host, local, remote);
}

std::size_t TcpConnection::in_flight() const {
    return snd_nxt - snd_una;
}

void TcpConnection::send_segment(std::uint8_t flags, std::uint32_t seq, ByteView payload) {
    PacketRecord p;
    p.transport = Transport::tcp;
    p.src = local;
    p.dst = remote;
    p.seq = seq;
    p.flags = flags;
    if ((flags & tcp_flags::ack) != 0)
        p.ack = rcv_nxt;
    p.window = static_cast<std::uint16_t>(
        std::min<std::uint32_t>(host.network().tcp_params().window, 65535));
    if ((flags & tcp_flags::syn) != 0)
        p.mss = mss;
    p.payload.assign(payload.begin(), payload.end());
    host.transmit(std::move(p));
}

void TcpConnection::open_active() {
    state = State::syn_sent;
    send_segment(tcp_flags::syn, iss, {});
    snd_nxt = iss + 1;
    arm_timer();
}

void TcpConnection::open_passive(PacketRecord const& syn) {
    state = State::syn_received;
    irs = syn.seq;
    rcv_nxt = syn.seq + 1;
    if (syn.mss != 0)
        mss = std::min(mss, syn.mss);
    send_segment(tcp_flags::syn | tcp_flags::ack, iss, {});
    snd_nxt = iss + 1;
    arm_timer();
}

void TcpConnection::app_send(ByteView data) {
    // Compact the buffer once the acknowledged prefix dominates it.
    if (send_head > 0 && send_head * 2 >= send_buf.size()) {
        send_buf.erase(send_buf.begin(), send_buf.begin() + static_cast<std::ptrdiff_t>(send_head));
        send_head = 0;
    }
    send_buf.insert(send_buf.end(), data.begin(), data.end());
    try_send();
}

void TcpConnection::try_send() {
    if (state != State::established)
        return;
    std::size_t buffered = send_buf.size() - send_head;
    std::size_t sent_offset = std::min<std::size_t>(snd_nxt - buf_seq, buffered);
    std::uint32_t window = std::min(peer_window, host.network().tcp_params().window);
    bool sent_something = false;
    while (sent_offset < buffered && in_flight() < window) {
        std::size_t room = window - in_flight();
        std::size_t len = std::min({static_cast<std::size_t>(mss), buffered - sent_offset, room});
        ByteView chunk(send_buf.data() + send_head + sent_offset, len);
        bool last = sent_offset + len == buffered;
        auto flags = static_cast<std::uint8_t>(tcp_flags::ack | (last ? tcp_flags::psh : 0));
        if (!rtt_probe)
            rtt_probe =
                std::make_pair(snd_nxt + static_cast<std::uint32_t>(len), host.simulation().now());
        send_segment(flags, snd_nxt, chunk);
        snd_nxt += static_cast<std::uint32_t>(len);
        sent_offset += len;
        sent_something = true;
    }
    if (fin_queued && !fin_sent && sent_offset == buffered) {
        if (!fin_received)
            active_close = true;
        send_segment(tcp_flags::fin | tcp_flags::ack, snd_nxt, {});
        snd_nxt += 1;
        fin_sent = true;
        sent_something = true;
    }
    if (sent_something && !timer_armed)
        arm_timer();
}

void TcpConnection::arm_timer() {
    timer_armed = true;
    std::uint64_t gen = ++timer_gen;
    Host* h = &host;
    Host::ConnKey key{local, remote};
    std::uint64_t s = serial;
    host.schedule_guarded(rto, [h, key, s, gen] {
        if (TcpConnection* conn = h->find_connection(key, s))
            conn->on_timer(gen);
    });
}

void TcpConnection::on_timer(std::uint64_t gen) {
    if (gen != timer_gen || !timer_armed)
        return;
    timer_armed = false;
    if (state == State::time_wait) {
        host.remove_connection(*this);
        return;
    }
    if (in_flight() == 0)
        return;
    TcpParams const& params = host.network().tcp_params();
    int limit = state == State::syn_sent || state == State::syn_received ? params.syn_retries
                                                                         : params.data_retries;
    if (retries >= limit) {
        host.trace(Event("tcp.timeout")
                       .with("local", local.to_string())
                       .with("remote", remote.to_string())
                       .with("retries", retries));
        if (state == State::syn_received) {  // never accepted: nobody to tell
            if (listener_owner != nullptr)
                if (auto* sock = listener_owner->socket(listener_id))
                    sock->pending_accepts--;
            host.remove_connection(*this);
            return;
        }
        fail(runtime::StreamEnd::timed_out);
        return;
    }
    ++retries;
    rto = std::min(rto * 2, params.max_rto);
    rtt_probe.reset();  // Karn: no samples from retransmitted data
    retransmit();
}

void TcpConnection::retransmit() {
    if (state == State::syn_sent) {
        send_segment(tcp_flags::syn, iss, {});
        arm_timer();
        return;
    }
    if (state == State::syn_received) {
        send_segment(tcp_flags::syn | tcp_flags::ack, iss, {});
        arm_timer();
        return;
    }
    // Go back to the first unacknowledged byte.
    snd_nxt = snd_una;
    if (fin_sent && !fin_acked)
        fin_sent = false;
    timer_armed = false;
    try_send();
    if (!timer_armed && in_flight() > 0)
        arm_timer();
}

void TcpConnection::fail(runtime::StreamEnd why) {
    SimProcess* o = owner;
    runtime::SocketId i = id;
    host.trace(Event("tcp.closed")
                   .with("local", local.to_string())
                   .with("remote", remote.to_string())
                   .with("why", nsslab::to_string(why)));
    host.remove_connection(*this);  // destroys *this
    TimePoint now = o != nullptr ? o->now() : TimePoint{};
    if (o != nullptr && o->alive()) {
        // The socket entry is gone; call the app directly (we are in a network event).
        o->app()->on_stream_closed(i, why, now);
    }
}

void TcpConnection::app_shutdown() {
    fin_queued = true;
    try_send();
}

void TcpConnection::app_close() {
    if (owner != nullptr)
        owner->forget(id);
    owner = nullptr;
    if (state == State::syn_sent) {
        host.remove_connection(*this);
        return;
    }
    fin_queued = true;
    try_send();
    maybe_finish();
}

void TcpConnection::app_abort() {
    if (owner != nullptr)
        owner->forget(id);
    owner = nullptr;
    if (state != State::syn_sent)
        send_segment(tcp_flags::rst | tcp_flags::ack, snd_nxt, {});
    host.remove_connection(*this);
}

void TcpConnection::host_reset() {
    owner = nullptr;
    if (state != State::syn_sent)
        send_segment(tcp_flags::rst | tcp_flags::ack, snd_nxt, {});
    host.remove_connection(*this);
}

void TcpConnection::handle_ack(PacketRecord const& seg) {
    if ((seg.flags & tcp_flags::ack) == 0)
        return;
    std::uint32_t ack = seg.ack;
    peer_window = seg.window;
    if (seq_lt(snd_una, ack) && seq_le(ack, snd_nxt)) {
        // New data (and possibly our FIN) acknowledged.
        std::uint32_t data_end = buf_seq + static_cast<std::uint32_t>(send_buf.size() - send_head);
        std::uint32_t data_acked_to = seq_lt(ack, data_end) ? ack : data_end;
        if (seq_lt(buf_seq, data_acked_to)) {
            std::uint32_t n = data_acked_to - buf_seq;
            send_head += n;
            buf_seq += n;
        }
        if (fin_sent && ack == snd_nxt)
            fin_acked = true;
        snd_una = ack;
        dupacks = 0;
        retries = 0;
        if (rtt_probe && seq_le(rtt_probe->first, ack)) {
            Duration sample = host.simulation().now() - rtt_probe->second;
            TcpParams const& params = host.network().tcp_params();
            if (!have_rtt) {
                srtt = sample;
                rttvar = sample / 2;
                have_rtt = true;
            } else {
                Duration diff = srtt > sample ? srtt - sample : sample - srtt;
                rttvar = (rttvar * 3 + diff) / 4;
                srtt = (srtt * 7 + sample) / 8;
            }
            rto = std::clamp(srtt + std::max(Duration{std::chrono::milliseconds(1)}, rttvar * 4),
                             params.min_rto, params.max_rto);
            rtt_probe.reset();
        }
        timer_armed = false;
        ++timer_gen;
        if (in_flight() > 0)
            arm_timer();
    } else if (ack == snd_una && seg.payload.empty() &&
               (seg.flags & (tcp_flags::syn | tcp_flags::fin)) == 0 && in_flight() > 0) {
        if (++dupacks == 3) {
            // Fast retransmit of the first unacknowledged segment.
            std::size_t buffered = send_buf.size() - send_head;
            std::size_t len = std::min<std::size_t>(mss, buffered);
            if (len > 0 && snd_una == buf_seq) {
                send_segment(tcp_flags::ack, snd_una, ByteView(send_buf.data() + send_head, len));
            } else if (fin_sent && !fin_acked && len == 0) {
                send_segment(tcp_flags::fin | tcp_flags::ack, snd_una, {});
            }
            rtt_probe.reset();
        }
    }
}

void TcpConnection::on_segment(PacketRecord& seg) {
    if ((seg.flags & tcp_flags::rst) != 0) {
        if (state == State::syn_sent) {
            if ((seg.flags & tcp_flags::ack) != 0 && seg.ack == iss + 1)
                fail(runtime::StreamEnd::refused);
            return;
        }
        if (state == State::syn_received) {
            if (listener_owner != nullptr)
                if (auto* sock = listener_owner->socket(listener_id))
                    sock->pending_accepts--;
            host.remove_connection(*this);
            return;
        }
        if (state == State::time_wait) {
            host.remove_connection(*this);
            return;
        }
        fail(runtime::StreamEnd::reset);
        return;
    }

    if (state == State::syn_sent) {
        bool syn_ack = (seg.flags & tcp_flags::syn) != 0 && (seg.flags & tcp_flags::ack) != 0;
        if (!syn_ack || seg.ack != iss + 1)
            return;
        irs = seg.seq;
        rcv_nxt = seg.seq + 1;
        snd_una = seg.ack;
        if (seg.mss != 0)
            mss = std::min(mss, seg.mss);
        peer_window = seg.window;
        state = State::established;
        retries = 0;
        rto = host.network().tcp_params().initial_rto;
        timer_armed = false;
        ++timer_gen;
        send_ack();
        host.trace(Event("tcp.established")
                       .with("local", local.to_string())
                       .with("remote", remote.to_string()));
        SimProcess* o = owner;
        runtime::SocketId i = id;
        try_send();
        notify(o, i, [&](runtime::Application& app) { app.on_connected(i, o->now()); });
        return;
    }

    if (state == State::syn_received) {
        if ((seg.flags & tcp_flags::syn) != 0 && (seg.flags & tcp_flags::ack) == 0) {
            send_segment(tcp_flags::syn | tcp_flags::ack, iss, {});  // our SYN-ACK was lost
            return;
        }
        if ((seg.flags & tcp_flags::ack) == 0 || seg.ack != iss + 1)
            return;
        snd_una = seg.ack;
        peer_window = seg.window;
        state = State::established;
        retries = 0;
        rto = host.network().tcp_params().initial_rto;
        timer_armed = false;
        ++timer_gen;
        SimProcess* lo = listener_owner;
        auto* listener = lo != nullptr ? lo->socket(listener_id) : nullptr;
        if (listener == nullptr || listener->kind != SimProcess::Socket::Kind::listener) {
            app_abort();  // the listener went away
            return;
        }
        listener->pending_accepts--;
        owner = lo;
        id = lo->adopt_stream(*this);
        host.trace(Event("tcp.accepted")
                       .with("local", local.to_string())
                       .with("remote", remote.to_string()));
        runtime::SocketId lid = listener_id;
        runtime::SocketId sid = id;
        Host::ConnKey key{local, remote};
        std::uint64_t s = serial;
        Host* h = &host;
        if (lo->alive())
            lo->app()->on_accepted(lid, sid, lo->now());
        // The accept callback may have closed the stream; continue only if it still exists.
        TcpConnection* self = h->find_connection(key, s);
        if (self == nullptr)
            return;
        if (!seg.payload.empty() || (seg.flags & tcp_flags::fin) != 0)
            self->on_segment(seg);
        return;
    }

    if ((seg.flags & tcp_flags::syn) != 0) {
        // A retransmitted SYN-ACK: our ACK was lost.
        send_ack();
        return;
    }

    handle_ack(seg);
    handle_data(seg);
}

void TcpConnection::handle_data(PacketRecord& seg) {
    bool has_fin = (seg.flags & tcp_flags::fin) != 0;
    auto len = static_cast<std::uint32_t>(seg.payload.size());
    Bytes delivered;
    bool got_eof = false;
    if (len > 0) {
        std::uint32_t s = seg.seq;
        if (seq_le(s, rcv_nxt) && seq_lt(rcv_nxt, s + len)) {
            std::uint32_t skip = rcv_nxt - s;
            delivered.insert(delivered.end(), seg.payload.begin() + skip, seg.payload.end());
            rcv_nxt = s + len;
            // Pull in whatever out-of-order data is now contiguous.
            while (!out_of_order.empty()) {
                auto it = out_of_order.begin();
                // Find the entry that covers rcv_nxt, dropping those entirely below it.
                std::uint32_t os = it->first;
                auto olen = static_cast<std::uint32_t>(it->second.size());
                if (seq_le(os + olen, rcv_nxt)) {
                    out_of_order_bytes -= olen;
                    out_of_order.erase(it);
                    continue;
                }
                if (seq_lt(rcv_nxt, os))
                    break;
                std::uint32_t oskip = rcv_nxt - os;
                delivered.insert(delivered.end(), it->second.begin() + oskip, it->second.end());
                rcv_nxt = os + olen;
                out_of_order_bytes -= olen;
                out_of_order.erase(it);
            }
        } else if (seq_lt(rcv_nxt, s)) {
            if (out_of_order.count(s) == 0 &&
                out_of_order_bytes + len <= host.network().tcp_params().out_of_order_limit) {
                out_of_order_bytes += len;
                out_of_order.emplace(s, std::move(seg.payload));
            }
        }
    }
    if (has_fin)
        peer_fin_seq = seg.seq + len;
    if (peer_fin_seq && !fin_received && *peer_fin_seq == rcv_nxt) {
        rcv_nxt += 1;
        fin_received = true;
        got_eof = true;
    }
    if (len > 0 || has_fin)
        send_ack();

    SimProcess* o = owner;
    runtime::SocketId i = id;
    Host::ConnKey key{local, remote};
    std::uint64_t s = serial;
    Host* h = &host;
    maybe_finish();  // may destroy *this
    if (!delivered.empty())
        notify(o, i, [&](runtime::Application& app) { app.on_received(i, delivered, o->now()); });
    // The acknowledgement may have made room for a sender that was refused; before eof, after
    // which on_send_space() is not called.
    if (TcpConnection* self = h->find_connection(key, s))
        self->offer_send_space();
    if (got_eof) {
        notify(o, i, [&](runtime::Application& app) {
            app.on_stream_closed(i, runtime::StreamEnd::eof, o->now());
        });
        // After EOF the application may still send; the socket stays until close().
    }
    TcpConnection* self = h->find_connection(key, s);
    if (self != nullptr && self->state == State::established)
        self->try_send();
}

void TcpConnection::want_send_space() {
    if (send_space_wanted || fin_received)
        return;  // already armed, or eof reported (or about to be): no call after it
    send_space_wanted = true;
    // The room may be there already (a send larger than half the limit on an emptier
    // stream): check from a separate event, never from inside send().
    Host* h = &host;
    Host::ConnKey key{local, remote};
    std::uint64_t s = serial;
    host.schedule_guarded(Duration{0}, [h, key, s] {
        if (TcpConnection* conn = h->find_connection(key, s))
            conn->offer_send_space();
    });
}

void TcpConnection::offer_send_space() {
    if (!send_space_wanted || owner == nullptr || fin_received)
        return;
    if (queued() > host.network().tcp_params().send_buffer_limit / 2)
        return;
    send_space_wanted = false;
    SimProcess* o = owner;
    runtime::SocketId i = id;
    notify(o, i, [&](runtime::Application& app) { app.on_send_space(i, o->now()); });
}

void TcpConnection::maybe_finish() {
    if (state != State::established)
        return;
    if (!(fin_sent && fin_acked && fin_received))
        return;
    if (active_close) {
        state = State::time_wait;
        timer_armed = false;
        rto = host.network().tcp_params().time_wait;
        arm_timer();  // on_timer removes the connection in time_wait
        return;
    }
    if (owner != nullptr)
        owner->forget(id);
    owner = nullptr;
    host.remove_connection(*this);
}

}  // namespace nsslab::engine
