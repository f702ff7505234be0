// RawClient (nsslab/nss/raw_client.hpp).
#include "nsslab/nss/raw_client.hpp"

#include <algorithm>

namespace nsslab::nss {

namespace wn = wire_nss;

static_assert(core::StreamClientCore<RawClient>);

RawClient::RawClient(crypto::LibContext& ctx, RawClientOptions options)
    : ctx_(ctx), options_(options) {}

RawClient::Connection* RawClient::connection(core::ConnId conn) {
    auto it = connections_.find(conn);
    return it == connections_.end() ? nullptr : &it->second;
}

RawClient::Connection const* RawClient::connection(core::ConnId conn) const {
    auto it = connections_.find(conn);
    return it == connections_.end() ? nullptr : &it->second;
}

void RawClient::transmit(core::ConnId conn, Transmit::Kind kind, Bytes bytes) {
    Transmit t;
    t.kind = kind;
    t.conn = conn;
    t.bytes = std::move(bytes);
    transmits_.push_back(std::move(t));
}

void RawClient::keep(Bytes& transcript, ByteView bytes) const {
    if (!options_.keep_transcripts)
        return;
    std::size_t const room =
        transcript.size() < options_.bytes_max ? options_.bytes_max - transcript.size() : 0;
    std::size_t const n = std::min(room, bytes.size());
    transcript.insert(transcript.end(), bytes.begin(), bytes.begin() + static_cast<long>(n));
}

Result<core::ConnId> RawClient::connect(Endpoint server, std::optional<tls::ClientConfig> tls,
                                        TimePoint) {
    Connection c;
    c.id = next_conn_++;
    c.server = server;
    c.reader = wn::FrameReader(options_.frame_body_max);
    if (tls) {
        auto channel = tls::Channel::client(ctx_, std::move(*tls));
        if (!channel)
            return channel.error();
        c.tls.emplace(std::move(*channel));
    }
    core::ConnId const id = c.id;
    bool const fresh = connections_.emplace(id, std::move(c)).second;
    NSSLAB_ASSERT(fresh, "raw client: a connection id is used once");
    Transmit t;
    t.kind = Transmit::Kind::connect;
    t.conn = id;
    t.remote = server;
    transmits_.push_back(std::move(t));
    return id;
}

Result<std::uint32_t> RawClient::send(core::ConnId conn, wn::Body body,
                                      std::optional<std::uint32_t> rid, TimePoint now) {
    Connection* c = connection(conn);
    if (c == nullptr)
        return fail(Errc::not_found, "raw client: no connection " + std::to_string(conn));
    std::uint32_t const id = rid ? *rid : c->next_id++;
    if (auto sent = send_raw(conn, wn::encode(wn::Message{id, std::move(body)}), now); !sent)
        return sent.error();
    return id;
}

Result<void> RawClient::send_raw(core::ConnId conn, ByteView bytes, TimePoint) {
    Connection* c = connection(conn);
    if (c == nullptr || c->closed)
        return fail(Errc::closed, "raw client: connection " + std::to_string(conn) + " is closed");
    keep(c->plaintext_sent, bytes);
    if (c->tls) {
        if (auto sent = c->tls->send(bytes); !sent)
            return sent.error();
        if (c->connected)
            flush(*c);
        return {};
    }
    if (!c->connected)
        return fail(Errc::state_error, "raw client: plain TCP connection " + std::to_string(conn) +
                                           " is not connected yet");
    transmit(conn, Transmit::Kind::data, Bytes(bytes.begin(), bytes.end()));
    return {};
}

void RawClient::close(core::ConnId conn, TimePoint) {
    Connection* c = connection(conn);
    if (c == nullptr || c->closed)
        return;
    if (c->tls && c->connected) {
        c->tls->close();
        flush(*c);
    }
    c->closed = true;
    transmit(conn, Transmit::Kind::close, {});
}

void RawClient::close_notify(core::ConnId conn, TimePoint) {
    Connection* c = connection(conn);
    if (c == nullptr || c->closed || !c->tls || !c->connected)
        return;
    c->tls->close();
    flush(*c);
}

void RawClient::abort(core::ConnId conn, TimePoint) {
    Connection* c = connection(conn);
    if (c == nullptr || c->closed)
        return;
    c->closed = true;
    transmit(conn, Transmit::Kind::abort, {});
}

void RawClient::flush(Connection& c) {
    if (!c.tls)
        return;
    Bytes out;
    while (auto b = c.tls->poll_transmit())
        out.insert(out.end(), b->begin(), b->end());
    if (!out.empty())
        transmit(c.id, Transmit::Kind::data, std::move(out));
    while (auto s = c.tls->poll_secret()) {
        if (secrets_.size() >= outputs_max)
            secrets_.pop_front();
        secrets_.push_back(std::move(*s));
    }
    while (auto e = c.tls->poll_event()) {
        if (e->name != "tls.failed")
            continue;
        if (events_.size() >= outputs_max)
            events_.pop_front();
        events_.push_back(
            Event("raw.tls_failed").with("conn", c.id).with("reason", e->text("reason")));
    }
}

void RawClient::handle_connected(core::ConnId conn, Endpoint, TimePoint) {
    Connection* c = connection(conn);
    if (c == nullptr || c->closed)
        return;
    NSSLAB_ASSERT(!c->connected, "raw client: a connection is reported connected once");
    c->connected = true;
    flush(*c);  // the ClientHello and anything sent before the connection was up
}

void RawClient::handle_received(core::ConnId conn, ByteView bytes, TimePoint now) {
    Connection* c = connection(conn);
    if (c == nullptr || c->closed)
        return;
    NSSLAB_ASSERT(c->connected, "raw client: bytes arrive only on a connected connection");
    keep(c->raw_received, bytes);
    if (!c->tls)
        return;
    c->tls->handle_received(bytes, now);
    flush(*c);
    auto plain = c->tls->poll_received();
    if (!plain)
        return;
    keep(c->plaintext_received, *plain);
    // FrameReader contract: at most 64 KiB per feed, drained after each.
    constexpr std::size_t chunk = std::size_t{64} * 1024;
    for (std::size_t at = 0; at < plain->size(); at += chunk) {
        auto part = ByteView(*plain).subspan(at, std::min(chunk, plain->size() - at));
        if (auto fed = c->reader.feed(part); !fed) {
            if (c->decode_errors.size() < 16)
                c->decode_errors.push_back(fed.error().what());
            return;
        }
        while (auto m = c->reader.next()) {
            if (!*m) {
                if (c->decode_errors.size() < 16)
                    c->decode_errors.push_back(m->error().what());
                continue;
            }
            ++c->received_total;
            if (c->received.size() >= options_.received_max) {
                c->received.pop_front();
                ++c->received_dropped;
            }
            c->received.push_back(std::move(**m));
        }
    }
}

void RawClient::handle_closed(core::ConnId conn, StreamEnd why, TimePoint now) {
    Connection* c = connection(conn);
    if (c == nullptr || c->closed)
        return;
    c->closed = true;
    c->end = why;
    if (c->tls) {
        c->tls->handle_closed(now);
        flush(*c);
    }
    // Nothing more goes out on a connection that is gone.
    transmits_.erase(std::remove_if(transmits_.begin(), transmits_.end(),
                                    [conn](Transmit const& t) { return t.conn == conn; }),
                     transmits_.end());
}

std::optional<RawClient::Transmit> RawClient::poll_transmit() {
    return core::take_front(transmits_);
}

std::optional<Event> RawClient::poll_event() {
    return core::take_front(events_);
}

std::optional<core::Secret> RawClient::poll_secret() {
    return core::take_front(secrets_);
}

}  // namespace nsslab::nss
