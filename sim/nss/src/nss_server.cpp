// NssServer: connection lifecycle, AT-TLS, framing, the request queue, timers and outputs.
// Requests themselves are in server_register.cpp, server_certificates.cpp and server_mgmt.cpp.
#include "nsslab/nss/nss_server.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace nsslab::nss {

namespace wn = wire_nss;

std::string default_mapped_label(std::string_view label) {
    std::string out;
    out.reserve(label.size());
    for (char ch : label) {
        auto u = static_cast<unsigned char>(ch);
        char up = static_cast<char>(std::toupper(u));
        bool keep = (up >= 'A' && up <= 'Z') || (up >= '0' && up <= '9') || up == '@' ||
                    up == '#' || up == '$' || up == '-' || up == '_';
        out.push_back(keep ? up : '_');
    }
    if (out.empty())
        out = "_";
    return out;
}

std::string_view to_string(DuplicateClientPolicy policy) {
    switch (policy) {
        case DuplicateClientPolicy::replace_existing:
            return "replace_existing";
        case DuplicateClientPolicy::refuse_new:
            return "refuse_new";
    }
    return "?";
}

static_assert(core::StreamServerCore<NssServer>);
static_assert(core::ServiceCore<NssServer>);
static_assert(core::ServiceUser<NssServer>);

NssServer::NssServer(NssServerOptions options, zos::RacfDatabase& racf,
                     zos::KeyRingStore& key_rings, crypto::LibContext& lib)
    : options_(std::move(options)), racf_(racf), key_rings_(key_rings), lib_(lib) {
    NSSLAB_ASSERT(!options_.system_name.empty(), "NssServer: system name must be set");
    if (!options_.label_mapper)
        options_.label_mapper = default_mapped_label;
}

NssServer::~NssServer() = default;

NssServer::Connection* NssServer::find(ConnId conn) {
    auto it = connections_.find(conn);
    return it == connections_.end() ? nullptr : &it->second;
}

NssServer::Connection const* NssServer::find(ConnId conn) const {
    auto it = connections_.find(conn);
    return it == connections_.end() ? nullptr : &it->second;
}

std::optional<zos::RingId> NssServer::nss_ring() const {
    auto const& kr = options_.config.nss.key_ring;
    if (!kr)
        return std::nullopt;
    auto id =
        zos::RingId::make(kr->user_id.empty() ? options_.nssd_user : kr->user_id, kr->ring_name);
    if (!id)
        return std::nullopt;
    return *id;
}

namespace {

// The CA certificates on `ring` (any usage) that issued `leaf`, its issuer first, up to and
// excluding the self-signed root: AT-TLS sends the server certificate with its intermediates,
// so a client that trusts only the root can build the path (RFC 8446 §4.4.2, RFC 5246
// §7.4.2; docs/nss-server.md §3). Matching is by issuer name = subject name.
std::vector<crypto::Certificate> ring_issuers(zos::KeyRingStore const& rings,
                                              zos::RingId const& ring,
                                              crypto::Certificate const& leaf) {
    constexpr std::size_t chain_depth_max = 8;
    std::vector<crypto::Certificate> out;
    auto all = rings.ring_certificates(ring);
    if (!all)
        return out;
    crypto::Certificate current = leaf;
    while (out.size() < chain_depth_max) {
        auto issuer_name = current.issuer();
        if (issuer_name == current.subject())
            break;  // self-signed: the root is the client's trust anchor, not sent
        crypto::Certificate const* found = nullptr;
        for (auto const& rc : *all) {
            auto const& cert = rc.certificate();
            if (cert.is_ca() && cert.subject() == issuer_name && !(cert == current)) {
                found = &cert;
                break;
            }
        }
        if (found == nullptr || found->issuer() == found->subject())
            break;
        out.push_back(*found);
        current = *found;
    }
    return out;
}

}  // namespace

Result<tls::ServerConfig> NssServer::server_tls_config(std::string& label_used) const {
    auto ring = options_.tls.key_ring ? options_.tls.key_ring : nss_ring();
    if (!ring)
        return fail(Errc::not_found, "AT-TLS: no key ring configured for the NSS server");
    auto const& label = options_.tls.certificate_label;
    auto rc =
        label.empty() ? key_rings_.ring_default(*ring) : key_rings_.ring_certificate(*ring, label);
    if (!rc) {
        return fail(Errc::not_found,
                    "AT-TLS: no server certificate on key ring " + ring->to_string() +
                        (label.empty() ? " (no CertificateLabel and no default certificate)"
                                       : " (CertificateLabel " + label + ")") +
                        ": " + rc.error().message);
    }
    auto const* key = rc->private_key();
    if (key == nullptr) {
        return fail(Errc::not_found, "AT-TLS: server certificate " + rc->label() + " on key ring " +
                                         ring->to_string() + " has no private key");
    }
    auto pem = key->export_private_pem_unsafe();
    if (!pem)
        return fail(Errc::crypto_error, "AT-TLS: cannot use the server key");
    label_used = rc->label();
    tls::ServerConfig cfg;
    cfg.certificate_chain_pem = rc->certificate().to_pem();
    for (auto const& issuer : ring_issuers(key_rings_, *ring, rc->certificate()))
        cfg.certificate_chain_pem += issuer.to_pem();
    cfg.private_key_pem = std::move(*pem);
    cfg.min_version = options_.tls.min_version;
    cfg.max_version = options_.tls.max_version;
    return cfg;
}

// ---- outputs ----

void NssServer::emit(Event event) {
    if (events_.size() >= options_.limits.events_max) {
        ++events_dropped_;
        return;
    }
    events_.push_back(std::move(event));
}

void NssServer::log(std::uint32_t level_bit, std::string line) {
    if ((options_.config.nss.syslog_level & level_bit) == 0)
        return;
    emit(Event("nssd.log").with("level", level_bit).with("line", std::move(line)));
}

void NssServer::log_servauth_check(zos::RacfAccessDecision const& decision) {
    if ((options_.config.nss.syslog_level & syslog_verbose) != 0)  // format only when logged
        log(syslog_verbose, zos::format_servauth_check_log(decision));
}

zos::RacfAccessDecision NssServer::check_servauth(std::string_view user,
                                                  std::string const& resource) {
    auto d = racf_.check(user, "SERVAUTH", resource, zos::RacfAccess::read);
    log_servauth_check(d);
    emit(Event("nssd.servauth")
             .with("user", d.user)
             .with("resource", d.resource)
             .with("allowed", d.allowed)
             .with("profile", d.profile)
             .with("reason", d.reason));
    return d;
}

std::optional<NssServer::Transmit> NssServer::poll_transmit() {
    for (auto const& [conn, number] : std::exchange(unflushed_, {}))
        if (auto* c = find(conn); c != nullptr && c->info.conn_number == number)
            flush(*c);
    return core::take_front(transmits_);
}

std::optional<Event> NssServer::poll_event() {
    return core::take_front(events_);
}

std::optional<core::Secret> NssServer::poll_secret() {
    return core::take_front(secrets_);
}

std::optional<MgmtResult> NssServer::poll_completion() {
    return core::take_front(mgmt_results_);
}

bool NssServer::needs_frame_timer(Connection const& c) {
    return !c.channel || c.channel->state() != tls::Channel::State::established ||
           !c.info.registered || c.reader.buffered() > 0;
}

void NssServer::index_connection(Connection& c, bool present) {
    // Every open connection has exactly one received_index_ entry, from handle_accepted() to
    // forget(), at indexed_at; the frame index holds a subset of those entries.
    std::size_t const was_indexed = received_index_.erase({c.indexed_at, c.id});
    NSSLAB_ASSERT(was_indexed == (c.indexed ? 1u : 0u),
                  "NssServer: an open connection has one entry in the timer index");
    bool const had_frame_timer = frame_index_.erase({c.indexed_at, c.id}) == 1;
    NSSLAB_ASSERT(was_indexed == 1 || !had_frame_timer,
                  "NssServer: the frame timer index is a subset of the received index");
    c.indexed = present;
    if (!present)
        return;
    c.indexed_at = c.last_received_at;
    received_index_.insert({c.indexed_at, c.id});
    if (needs_frame_timer(c))
        frame_index_.insert({c.indexed_at, c.id});
}

std::optional<TimePoint> NssServer::next_timeout() const {
    std::optional<TimePoint> best;
    auto consider = [&](TimePoint t) {
        if (!best || t < *best)
            best = t;
    };
    auto const& lim = options_.limits;
    if (!frame_index_.empty())
        consider(frame_index_.begin()->first + lim.frame_timeout);
    if (lim.idle_timeout > Duration::zero() && !received_index_.empty())
        consider(received_index_.begin()->first + lim.idle_timeout);
    for (auto const& [t, p] : mgmt_pending_)
        consider(p.deadline);
    if (!held_index_.empty())
        consider(held_index_.begin()->first);
    if (!queue_.empty() && !waits_for_sign_job(queue_.front())) {
        auto const& w = queue_.front();
        Duration const cost = cost_of(w);
        if (cost > Duration::zero())
            consider(std::max(cpu_free_at_, w.ready_at) + cost);
        else
            consider(w.ready_at);
    }
    return best;
}

bool NssServer::waits_for_sign_job(Work const& work) const {
    std::size_t const max = options_.limits.sign_jobs_max;
    return max > 0 && signing_.size() >= max &&
           std::holds_alternative<wn::SignRequest>(work.message.body);
}

Duration NssServer::cost_of(Work const& work) const {
    auto const& body = work.message.body;
    auto const& lim = options_.limits;
    if (std::holds_alternative<wn::SignRequest>(body) ||
        std::holds_alternative<wn::VerifyRequest>(body))
        return lim.service_time;
    if (std::holds_alternative<wn::RegisterRequest>(body))
        return lim.register_time;
    return Duration::zero();
}

// ---- transport ----

void NssServer::handle_accepted(ConnId conn, Endpoint const& remote, Endpoint const& local,
                                TimePoint now) {
    NSSLAB_ASSERT(find(conn) == nullptr, "NssServer::handle_accepted: ConnId already open");
    std::uint64_t number = next_conn_number_++;
    Event ev("nssd.conn.accepted");
    ev.with("conn", number).with("remote", remote.to_string()).with("local", local.to_string());
    if (connections_.size() >= options_.limits.connections_max) {
        emit(Event("nssd.conn.refused")
                 .with("conn", number)
                 .with("remote", remote.to_string())
                 .with("reason", "connection limit reached"));
        transmit(conn, Transmit::Kind::abort, {}, "connection limit reached");
        return;
    }
    std::string label;
    auto cfg = server_tls_config(label);
    Result<tls::Channel> channel = cfg ? tls::Channel::server(lib_, std::move(*cfg), &tls_contexts_)
                                       : Result<tls::Channel>(cfg.error());
    if (!channel) {
        emit(Event("nssd.tls.failed")
                 .with("conn", number)
                 .with("remote", remote.to_string())
                 .with("reason", channel.error().message));
        transmit(conn, Transmit::Kind::abort, {}, channel.error().message);
        return;
    }
    Connection c;
    c.id = conn;
    c.info.conn_number = number;
    c.info.remote = remote;
    c.info.local = local;
    c.info.connected_at = now;
    c.last_received_at = now;
    c.reader = wn::FrameReader(options_.limits.frame_body_max);
    c.channel.emplace(std::move(*channel));
    auto [it, inserted] = connections_.emplace(conn, std::move(c));
    NSSLAB_ASSERT(inserted && connections_.size() <= options_.limits.connections_max,
                  "NssServer::handle_accepted: at most connections_max connections");
    index_connection(it->second, true);
    emit(std::move(ev.with("certificate", label)));
}

void NssServer::transmit(ConnId conn, Transmit::Kind kind, Bytes bytes, std::string reason) {
    // Data goes only to an open connection; close and abort end one (forget() follows) or
    // refuse one handle_accepted() did not keep.
    NSSLAB_ASSERT(kind != Transmit::Kind::connect, "NssServer: a server never connects");
    NSSLAB_ASSERT(kind != Transmit::Kind::data || find(conn) != nullptr,
                  "NssServer: data only for an open connection");
    Transmit t;
    t.kind = kind;
    t.conn = conn;
    t.bytes = std::move(bytes);
    t.reason = std::move(reason);
    transmits_.push_back(std::move(t));
}

void NssServer::flush(Connection& c) {
    if (!c.channel)
        return;
    Bytes out;
    while (auto b = c.channel->poll_transmit()) {
        if (out.empty())
            out = std::move(*b);
        else
            out.insert(out.end(), b->begin(), b->end());
    }
    if (!out.empty())
        transmit(c.id, Transmit::Kind::data, std::move(out), {});
    while (auto secret = c.channel->poll_secret()) {
        if (secrets_.size() >= options_.limits.secrets_max)
            secrets_.pop_front();
        secrets_.push_back(std::move(*secret));
    }
    // The server traces its own nssd.tls.* events (with the connection number) from the
    // channel's state.
    while (c.channel->poll_event()) {
    }
}

void NssServer::send(Connection& c, wn::Message const& message) {
    if (!c.channel || !c.doom_reason.empty())
        return;
    Bytes frame = wn::encode(message);
    auto r = c.channel->send(frame);
    if (!r)
        c.doom_reason =
            "cannot send " + std::string(wn::message_name(message.body)) + ": " + r.error().message;
}

void NssServer::forget(ConnId conn, std::string const& reason, TimePoint now) {
    auto* c = find(conn);
    if (c == nullptr)
        return;
    auto it = clients_.find(c->info.client_name);
    bool const holds_name = it != clients_.end() && it->second == conn;
    NSSLAB_ASSERT(holds_name || !c->info.registered,
                  "NssServer: a registered connection holds its ClientName until forgotten");
    if (holds_name)
        clients_.erase(it);
    std::vector<PendingMgmt> orphans;
    for (auto pit = mgmt_pending_.begin(); pit != mgmt_pending_.end();) {
        if (pit->second.conn == conn && pit->second.conn_number == c->info.conn_number) {
            orphans.push_back(pit->second);
            pit = mgmt_pending_.erase(pit);
        } else {
            ++pit;
        }
    }
    emit(Event("nssd.conn.closed")
             .with("conn", c->info.conn_number)
             .with("client", c->info.client_name)
             .with("remote", c->info.remote.to_string())
             .with("reason", reason));
    std::string client = c->info.client_name;
    index_connection(*c, false);
    if (c->held_until) {
        bool const held = held_index_.erase({*c->held_until, conn}) == 1;
        NSSLAB_ASSERT(held, "NssServer: a connection waiting for the CPU is in held_index_");
    }
    connections_.erase(conn);
    for (auto const& p : orphans) {
        MgmtResult r;
        r.ticket = p.ticket;
        r.result = wn::ResultCode::client_not_connected;
        r.reason = "ENXIO: NSS client " + client + " disconnected before replying (";
        r.reason += reason;
        r.reason += ')';
        finish_mgmt(p, std::move(r), now);
    }
}

void NssServer::close_connection(ConnId conn, std::string const& reason, bool graceful,
                                 TimePoint now) {
    auto* c = find(conn);
    if (c == nullptr)
        return;
    if (graceful && c->channel) {
        c->channel->close();
        flush(*c);
    }
    transmit(conn, graceful ? Transmit::Kind::close : Transmit::Kind::abort, {}, reason);
    forget(conn, reason, now);
    NSSLAB_ASSERT(find(conn) == nullptr, "NssServer: a connection ends with its close or abort");
}

void NssServer::fatal_error(Connection& c, wn::ResultCode code, std::string const& reason,
                            TimePoint now) {
    emit(Event("nssd.frame.error")
             .with("conn", c.info.conn_number)
             .with("client", c.info.client_name)
             .with("result", wn::to_string(code))
             .with("reason", reason));
    send(c, wn::Message{0, wn::ErrorReply{code, reason, true}});
    close_connection(c.id, reason, true, now);
}

void NssServer::handle_received(ConnId conn, ByteView bytes, TimePoint now) {
    auto* c = find(conn);
    if (c == nullptr || !c->channel)
        return;  // already closed by the server
    c->last_received_at = now;
    auto const& lim = options_.limits;
    if (c->held_until) {  // the CPU has not done this connection's handshake yet
        if (bytes.size() > held_max - c->held.size()) {
            close_connection(conn,
                             "more than " + std::to_string(held_max) +
                                 " bytes before the TLS handshake was answered",
                             false, now);
            return;
        }
        c->held.insert(c->held.end(), bytes.begin(), bytes.end());
        index_connection(*c, true);
        return;
    }
    // A TLS handshake record (type 22) opening the connection: charge the handshake.
    if (lim.handshake_time > Duration::zero() && !c->handshake_charged && !bytes.empty() &&
        bytes[0] == 0x16 && c->channel->state() == tls::Channel::State::handshaking) {
        c->handshake_charged = true;
        cpu_free_at_ = std::max(cpu_free_at_, now) + lim.handshake_time;
        c->held_until = cpu_free_at_;
        c->held.assign(bytes.begin(), bytes.end());
        held_index_.insert({cpu_free_at_, conn});
        index_connection(*c, true);
        return;
    }
    read_ciphertext(conn, bytes, now);
}

void NssServer::read_ciphertext(ConnId conn, ByteView bytes, TimePoint now) {
    auto* c = find(conn);
    if (c == nullptr || !c->channel)
        return;
    NSSLAB_ASSERT(!c->held_until,
                  "NssServer: bytes are read once the handshake's CPU time is over");
    c->channel->handle_received(bytes, now);
    auto state = c->channel->state();
    if (state == tls::Channel::State::failed) {
        std::string reason = c->channel->failure_reason();
        if (reason.rfind("not a TLS connection", 0) == 0) {
            log(syslog_client_lifecycle, "DBG0104I NSS_LIFECYCLE NSS connID " +
                                             std::to_string(c->info.conn_number) +
                                             " - the connection is not secure - the "
                                             "connection will be closed");
        }
        emit(Event("nssd.tls.failed")
                 .with("conn", c->info.conn_number)
                 .with("remote", c->info.remote.to_string())
                 .with("reason", reason));
        flush(*c);  // an alert, if any
        transmit(conn, Transmit::Kind::close, {}, "TLS: " + reason);
        forget(conn, "TLS: " + reason, now);
        return;
    }
    if (state == tls::Channel::State::established && !c->tls_reported) {
        c->tls_reported = true;
        emit(Event("nssd.tls.established")
                 .with("conn", c->info.conn_number)
                 .with("version", c->channel->version_name())
                 .with("cipher", c->channel->cipher_name()));
    }
    process_plaintext(conn, now);
    if ((c = find(conn)) != nullptr) {
        if (!c->doom_reason.empty()) {
            std::string why = c->doom_reason;
            close_connection(conn, why, false, now);
        } else if (c->channel->state() == tls::Channel::State::closed) {
            close_connection(conn, "client sent close_notify", true, now);
        } else {
            flush(*c);
        }
    }
    run_queue(now);
    if ((c = find(conn)) != nullptr)
        index_connection(*c, true);
}

void NssServer::process_plaintext(ConnId conn, TimePoint now) {
    // FrameReader contract (docs/nss-protocol.md §12): feed at most 64 KiB at a time and drain
    // next() after every feed, so its bounded buffer never refuses bytes.
    constexpr std::size_t feed_chunk = std::size_t{64} * 1024;
    auto* c = find(conn);
    if (c == nullptr)
        return;
    Bytes plain = c->channel->poll_received().value_or(Bytes{});
    std::size_t offset = 0;
    do {
        std::size_t n = std::min(feed_chunk, plain.size() - offset);
        if (n > 0) {
            auto fed = c->reader.feed(ByteView(plain).subspan(offset, n));
            if (!fed) {
                fatal_error(*c, wn::ResultCode::bad_request,
                            "frame rejected: " + fed.error().what(), now);
                return;
            }
            offset += n;
        }
        for (;;) {
            c = find(conn);
            if (c == nullptr || !c->doom_reason.empty())
                return;
            auto next = c->reader.next();
            if (!next)
                break;
            if (!*next) {
                if (next->error().code == Errc::unknown_type) {
                    // Forward compatibility (docs/nss-protocol.md §9): framing intact, go on.
                    emit(Event("nssd.frame.unknown_type")
                             .with("conn", c->info.conn_number)
                             .with("reason", next->error().message));
                    send(*c, wn::Message{0, wn::ErrorReply{wn::ResultCode::bad_request,
                                                           next->error().what(), false}});
                    continue;
                }
                fatal_error(*c, wn::ResultCode::bad_request,
                            "malformed frame: " + next->error().what(), now);
                return;
            }
            handle_message(conn, **next, now);
        }
    } while (offset < plain.size());
}

void NssServer::handle_closed(ConnId conn, StreamEnd /*why*/, TimePoint now) {
    auto* c = find(conn);
    if (c == nullptr)
        return;
    if (c->channel)
        c->channel->handle_closed(now);
    forget(conn, "connection closed by the client", now);
}

void NssServer::handle_timeout(TimePoint now) {
    auto const& lim = options_.limits;
    // Handshakes whose CPU time is over: read what the client sent meanwhile.
    while (!held_index_.empty() && held_index_.begin()->first <= now) {
        auto const [until, id] = *held_index_.begin();
        held_index_.erase(held_index_.begin());
        auto* c = find(id);
        NSSLAB_ASSERT(
            c != nullptr && c->held_until == until,
            "NssServer: held_index_ names connections waiting for the CPU, at held_until");
        c->held_until.reset();
        Bytes bytes = std::exchange(c->held, Bytes{});
        read_ciphertext(id, bytes, now);
    }
    // Only the connections whose timers the indexes say are due (an index entry may be older
    // than the connection's last input: such a one is checked and indexed again).
    std::vector<ConnId> due;
    for (auto const& [at, id] : frame_index_) {
        if (at + lim.frame_timeout > now)
            break;
        due.push_back(id);
    }
    if (lim.idle_timeout > Duration::zero()) {
        for (auto const& [at, id] : received_index_) {
            if (at + lim.idle_timeout > now)
                break;
            due.push_back(id);
        }
    }
    std::sort(due.begin(), due.end());  // ConnId order, as a scan of every connection gave
    due.erase(std::unique(due.begin(), due.end()), due.end());
    for (ConnId id : due) {
        auto* c = find(id);
        NSSLAB_ASSERT(c != nullptr, "NssServer: the timer indexes name only open connections");
        if (needs_frame_timer(*c) && now >= c->last_received_at + lim.frame_timeout) {
            std::string why = c->reader.buffered() > 0 ? "stalled in the middle of a frame"
                              : !c->info.registered    ? "no registration completed"
                                                       : "stalled";
            if (c->channel && c->channel->state() == tls::Channel::State::established)
                fatal_error(*c, wn::ResultCode::bad_request, "timeout: " + why, now);
            else
                close_connection(id, "timeout: TLS handshake not completed", false, now);
            continue;
        }
        if (lim.idle_timeout > Duration::zero() && now >= c->last_received_at + lim.idle_timeout) {
            send(*c, wn::Message{0, wn::Close{"idle timeout"}});
            close_connection(id, "idle timeout", true, now);
            continue;
        }
        index_connection(*c, true);
    }
    std::vector<PendingMgmt> expired;
    for (auto it = mgmt_pending_.begin(); it != mgmt_pending_.end();) {
        if (now >= it->second.deadline) {
            expired.push_back(it->second);
            it = mgmt_pending_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto const& p : expired) {
        MgmtResult r;
        r.ticket = p.ticket;
        r.result = wn::ResultCode::internal_error;
        r.timed_out = true;
        r.reason =
            "ETIMEDOUT: no reply from NSS client " + p.client_name + " within the wait limit";
        finish_mgmt(p, std::move(r), now);
    }
    run_queue(now);
    // No busy loop: every deadline due at `now` was acted on (a driver that fires the timer at
    // next_timeout() makes progress).
    auto const next = next_timeout();
    NSSLAB_ASSERT(!next || *next > now, "NssServer: after handle_timeout, no deadline is due");
}

// ---- messages and the request queue ----

namespace {

bool is_queued_request(wn::Body const& body) {
    return std::holds_alternative<wn::RegisterRequest>(body) ||
           std::holds_alternative<wn::SignRequest>(body) ||
           std::holds_alternative<wn::VerifyRequest>(body) ||
           std::holds_alternative<wn::CertificateRequest>(body);
}

}  // namespace

wn::Body NssServer::refusal_for(wn::Body const& request, wn::ResultCode code, std::string reason) {
    if (std::holds_alternative<wn::RegisterRequest>(request)) {
        wn::RegisterReply r;
        r.result = code;
        r.reason = std::move(reason);
        r.server_system_name = options_.system_name;
        return r;
    }
    if (std::holds_alternative<wn::SignRequest>(request))
        return wn::SignReply{code, std::move(reason), {}};
    if (std::holds_alternative<wn::VerifyRequest>(request))
        return wn::VerifyReply{code, std::move(reason), {}};
    if (std::holds_alternative<wn::CertificateRequest>(request))
        return wn::CertificateReply{code, std::move(reason), {}};
    return wn::ErrorReply{code, std::move(reason), false};
}

void NssServer::handle_message(ConnId conn, wn::Message const& message, TimePoint now) {
    auto* c = find(conn);
    if (c == nullptr)
        return;
    c->info.last_message_at = now;
    auto const& body = message.body;
    if (is_queued_request(body)) {
        // Out of state (docs/nss-protocol.md §9): a service request before registration, or a
        // second register_request. A connection whose registration failed on the API version
        // may register again; its service requests are answered version_mismatch.
        bool is_register = std::holds_alternative<wn::RegisterRequest>(body);
        if (is_register && c->info.registered) {
            fatal_error(
                *c, wn::ResultCode::bad_request,
                "out of state: connection already registered as NSS client " + c->info.client_name,
                now);
            return;
        }
        if (!is_register && !c->info.registered && !c->version_mismatch && !c->register_queued) {
            fatal_error(*c, wn::ResultCode::not_registered,
                        "out of state: " + std::string(wn::message_name(body)) +
                            " before a successful registration",
                        now);
            return;
        }
        if (is_register)
            c->register_queued = true;
        if (c->outstanding >= options_.limits.outstanding_per_connection_max) {
            emit(Event("nssd.busy")
                     .with("conn", c->info.conn_number)
                     .with("client", c->info.client_name)
                     .with("request", wn::message_name(body))
                     .with("request_id", message.request_id));
            send(*c, wn::Message{message.request_id,
                                 refusal_for(body, wn::ResultCode::busy,
                                             "too many outstanding requests on this connection")});
            return;
        }
        ++c->outstanding;
        NSSLAB_ASSERT(c->outstanding <= options_.limits.outstanding_per_connection_max,
                      "NssServer: at most outstanding_per_connection_max queued per connection");
        queue_.push_back(Work{conn, c->info.conn_number, message, now});
        return;
    }
    if (auto const* reply = std::get_if<wn::MgmtReply>(&body)) {
        on_mgmt_reply(*c, message.request_id, *reply, now);
    } else if (std::holds_alternative<wn::Keepalive>(body)) {
        send(*c, wn::Message{message.request_id, wn::KeepaliveAck{}});
    } else if (std::holds_alternative<wn::KeepaliveAck>(body)) {
        // nothing: the server sends no keepalives of its own
    } else if (auto const* close = std::get_if<wn::Close>(&body)) {
        close_connection(conn, "client Close: " + close->reason, true, now);
    } else if (auto const* err = std::get_if<wn::ErrorReply>(&body)) {
        emit(Event("nssd.client.error")
                 .with("conn", c->info.conn_number)
                 .with("result", wn::to_string(err->result))
                 .with("reason", err->reason)
                 .with("fatal", err->fatal));
        if (err->fatal)
            close_connection(conn, "client error: " + err->reason, true, now);
    } else {
        fatal_error(*c, wn::ResultCode::bad_request,
                    "unexpected " + std::string(wn::message_name(body)) + " from an NSS client",
                    now);
    }
}

void NssServer::run_queue(TimePoint now) {
    // Replies are flushed once per connection after the pass, so a burst of pipelined requests
    // gives one data Transmit (one send for the driver) rather than one per reply.
    std::vector<std::pair<ConnId, std::uint64_t>> served;
    while (!queue_.empty()) {
        auto& head = queue_.front();
        if (waits_for_sign_job(head))
            break;  // complete_request() runs the queue again
        if (Duration const cost = cost_of(head); cost > Duration::zero()) {
            TimePoint done = std::max(cpu_free_at_, head.ready_at) + cost;
            if (done > now)
                break;
            cpu_free_at_ = done;
        }
        Work item = std::move(head);
        queue_.pop_front();
        auto* c = find(item.conn);
        if (c == nullptr || c->info.conn_number != item.conn_number)
            continue;
        NSSLAB_ASSERT(c->outstanding > 0, "NssServer: a queued request counts as outstanding");
        --c->outstanding;
        process_request(*c, item.message, now);
        if ((c = find(item.conn)) != nullptr && c->info.conn_number == item.conn_number) {
            if (!c->doom_reason.empty()) {
                std::string why = c->doom_reason;
                flush(*c);  // the replies before the failed send, as when flushed one by one
                close_connection(item.conn, why, false, now);
            } else if (served.empty() || served.back().first != item.conn) {
                served.emplace_back(item.conn, item.conn_number);
            }
        }
    }
    for (auto const& [conn, number] : served)
        if (auto* c = find(conn); c != nullptr && c->info.conn_number == number)
            flush(*c);
}

void NssServer::process_request(Connection& c, wn::Message const& message, TimePoint now) {
    std::visit(
        [&](auto const& req) {
            using T = std::decay_t<decltype(req)>;
            if constexpr (std::is_same_v<T, wn::RegisterRequest>)
                on_register(c, message.request_id, req, now);
            else if constexpr (std::is_same_v<T, wn::SignRequest>)
                on_sign(c, message.request_id, req, now);
            else if constexpr (std::is_same_v<T, wn::VerifyRequest>)
                on_verify(c, message.request_id, req, now);
            else if constexpr (std::is_same_v<T, wn::CertificateRequest>)
                on_certificates(c, message.request_id, req, now);
        },
        message.body);
}

// ---- queries ----

std::vector<ClientInfo> NssServer::clients() const {
    std::vector<ClientInfo> out;
    out.reserve(connections_.size());
    for (auto const& [id, c] : connections_)
        out.push_back(c.info);
    std::sort(out.begin(), out.end(),
              [](auto const& a, auto const& b) { return a.conn_number < b.conn_number; });
    return out;
}

std::optional<ConnId> NssServer::connection_of(std::string_view client_name) const {
    auto it = clients_.find(client_name);
    if (it == clients_.end())
        return std::nullopt;
    return it->second;
}

}  // namespace nsslab::nss
