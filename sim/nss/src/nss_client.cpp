// NSS client core (IKED side). Behaviour and the reasoning behind every choice:
// docs/nss-client.md; DESIGN.md §5, §6; zos-nss-facts.md §1, §6, §7, §9.
#include "nsslab/nss/nss_client.hpp"

#include <algorithm>

#include "nsslab/base/result.hpp"
#include "nsslab/nss/certificate_identity.hpp"

namespace nsslab::nss {

namespace wn = wire_nss;

static_assert(core::StreamClientCore<NssClient>);
static_assert(core::ServiceCore<NssClient>);

std::string_view to_string(Phase phase) {
    switch (phase) {
        case Phase::idle:
            return "idle";
        case Phase::backoff:
            return "backoff";
        case Phase::tcp_connect:
            return "tcp_connect";
        case Phase::tls:
            return "tls";
        case Phase::registering:
            return "registering";
        case Phase::registered:
            return "registered";
    }
    return "?";
}

namespace {

tls::IdentityType to_tls(zos::NssIdentityType t) {
    switch (t) {
        case zos::NssIdentityType::ip_addr:
            return tls::IdentityType::ip_addr;
        case zos::NssIdentityType::fqdn:
            return tls::IdentityType::fqdn;
        case zos::NssIdentityType::user_at_fqdn:
            return tls::IdentityType::user_at_fqdn;
        case zos::NssIdentityType::x500dn:
            return tls::IdentityType::x500dn;
    }
    return tls::IdentityType::ip_addr;
}

bool same_server(std::optional<zos::NssServerConfig> const& a,
                 std::optional<zos::NssServerConfig> const& b) {
    if (a.has_value() != b.has_value())
        return false;
    return !a || a->same_as(*b);
}

std::string_view request_name(wn::Body const& body) {
    return wn::message_name(body);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Construction and configuration

Result<std::unique_ptr<NssClient>> NssClient::create(zos::IkeConfig const& ike,
                                                     zos::NssStackConfig const& stack,
                                                     std::string system_name, ClientTlsPolicy tls,
                                                     crypto::LibContext& ctx,
                                                     NssClientOptions options) {
    if (!ike.has_nss_server())
        return fail(Errc::invalid_argument,
                    "nss client: NssStackConfig " + stack.stack_name +
                        " needs NetworkSecurityServer or NetworkSecurityServerBackup");
    if (options.reconnect_initial <= Duration::zero() ||
        options.reconnect_max < options.reconnect_initial)
        return fail(Errc::invalid_argument, "nss client: bad reconnect backoff bounds");
    return std::unique_ptr<NssClient>(
        new NssClient(ike, stack, std::move(system_name), std::move(tls), ctx, std::move(options)));
}

NssClient::NssClient(zos::IkeConfig const& ike, zos::NssStackConfig const& stack,
                     std::string system_name, ClientTlsPolicy tls, crypto::LibContext& ctx,
                     NssClientOptions options)
    : stack_(stack),
      ike_(ike),
      system_name_(std::move(system_name)),
      tls_policy_(std::move(tls)),
      ctx_(&ctx),
      options_(std::move(options)),
      next_conn_(options_.first_conn_id == 0 ? 1 : options_.first_conn_id) {
    set_candidates(ike);
}

NssClient::~NssClient() = default;

void NssClient::set_candidates(zos::IkeConfig const& ike) {
    ike_ = ike;
    candidates_.clear();
    if (ike.network_security_server)
        candidates_.push_back({"primary", *ike.network_security_server});
    if (ike.network_security_server_backup)
        candidates_.push_back({"backup", *ike.network_security_server_backup});
    NSSLAB_ASSERT(!candidates_.empty(), "nss client: no server configured");
    wait_limit_ = ike.nss_wait_limit;
    wait_retries_ = ike.nss_wait_retries;
    index_ = 0;
}

std::optional<Endpoint> NssClient::endpoint_of(Candidate const& c) const {
    if (c.config.address)
        return Endpoint{*c.config.address, c.config.port};
    auto it = options_.host_addresses.find(c.config.host);
    if (it != options_.host_addresses.end())
        return Endpoint{it->second, c.config.port};
    return std::nullopt;
}

std::optional<Endpoint> NssClient::current_server() const {
    if (phase_ == Phase::idle || phase_ == Phase::backoff)
        return std::nullopt;
    return endpoint_of(candidate());
}

// ---------------------------------------------------------------------------------------------
// Outputs

Event NssClient::base_event(std::string name) const {
    Event e(std::move(name));
    e.with("stack", stack_.stack_name);
    return e;
}

void NssClient::emit(Event event) {
    if (events_.size() >= options_.max_events) {
        events_.pop_front();
        ++events_dropped_;
    }
    events_.push_back(std::move(event));
}

void NssClient::console(std::string msgid, std::string text) {
    emit(base_event("nss.console").with("msgid", std::move(msgid)).with("text", std::move(text)));
}

std::optional<core::StreamTransmit> NssClient::poll_transmit() {
    if (tls_pending_)
        flush_tls();  // the messages sent since the last poll, in as few TLS records as fit
    return core::take_front(transmits_);
}

std::optional<core::Secret> NssClient::poll_secret() {
    return core::take_front(secrets_);
}

std::optional<Event> NssClient::poll_event() {
    return core::take_front(events_);
}

std::optional<Completion> NssClient::poll_completion() {
    return core::take_front(completions_);
}

std::optional<TimePoint> NssClient::next_timeout() const {
    std::optional<TimePoint> t;
    auto consider = [&t](TimePoint x) {
        if (!t || x < *t)
            t = x;
    };
    switch (phase_) {
        case Phase::idle:
            break;
        case Phase::backoff:
            consider(reconnect_at_);
            break;
        case Phase::tcp_connect:
        case Phase::tls:
        case Phase::registering:
            consider(attempt_deadline_);
            break;
        case Phase::registered:
            if (keepalive_wire_id_ != 0)
                consider(keepalive_deadline_);
            else
                consider(last_sent_ + options_.keepalive_interval);
            if (options_.failback_to_primary && index_ != 0)
                consider(failback_at_);
            break;
    }
    for (auto const& [handle, r] : requests_)
        consider(r.attempt_deadline);
    return t;
}

// ---------------------------------------------------------------------------------------------
// Connection management

ConnectionState NssClient::connection_state() const {
    switch (phase_) {
        case Phase::registered:
            return ConnectionState::connected;
        case Phase::tcp_connect:
        case Phase::tls:
        case Phase::registering:
            return ConnectionState::connecting;
        case Phase::idle:
        case Phase::backoff:
            return ConnectionState::disconnected;
    }
    return ConnectionState::disconnected;
}

void NssClient::enter(Phase to) {
    switch (to) {
        case Phase::idle:     // stop(), refresh(): from any phase
        case Phase::backoff:  // drop_connection(), attempt_failed(), refresh()
            NSSLAB_ASSERT(conn_ == 0 && !channel_ && !reader_,
                          "nss client: idle and backoff hold no connection");
            NSSLAB_ASSERT(in_flight_.empty() && keepalive_wire_id_ == 0,
                          "nss client: idle and backoff have nothing on the wire");
            break;
        case Phase::tcp_connect:  // attempt()
            NSSLAB_ASSERT(phase_ == Phase::idle || phase_ == Phase::backoff,
                          "nss client: a connect starts from idle or backoff");
            NSSLAB_ASSERT(conn_ != 0 && !channel_ && !register_sent_,
                          "nss client: tcp_connect holds a new connection without TLS");
            break;
        case Phase::tls:  // handle_connected()
            NSSLAB_ASSERT(phase_ == Phase::tcp_connect, "nss client: TLS starts once TCP is up");
            NSSLAB_ASSERT(conn_ != 0 && channel_ && reader_,
                          "nss client: the TLS phase has a channel and a frame reader");
            break;
        case Phase::registering:  // send_register()
            NSSLAB_ASSERT(phase_ == Phase::tls, "nss client: registration follows the handshake");
            NSSLAB_ASSERT(channel_ && channel_->state() == tls::Channel::State::established,
                          "nss client: credentials go out only over an established TLS session");
            NSSLAB_ASSERT(register_sent_ && register_wire_id_ != 0,
                          "nss client: registering has a RegisterRequest on the wire");
            break;
        case Phase::registered:  // on_register_reply()
            NSSLAB_ASSERT(phase_ == Phase::registering,
                          "nss client: registered follows a RegisterReply to our request");
            NSSLAB_ASSERT(conn_ != 0 && channel_ && keepalive_wire_id_ == 0,
                          "nss client: a registration starts on a connection with no keepalive");
            break;
    }
    phase_ = to;
}

void NssClient::start(TimePoint now) {
    if (phase_ != Phase::idle)
        return;
    failures_in_row_ = 0;
    backoff_steps_ = 0;
    index_ = 0;
    attempt(now);
}

void NssClient::stop(TimePoint now) {
    if (conn_ != 0)
        drop_connection(Teardown::close, now);
    enter(Phase::idle);
    std::vector<RequestHandle> handles;
    for (auto const& [h, r] : requests_)
        handles.push_back(h);
    for (RequestHandle h : handles)
        complete(h, wn::ResultCode::internal_error, "NSS client stopped");
    NSSLAB_ASSERT(requests_.empty(), "nss client: a stopped client keeps no request");
    emit(base_event("nss.stopped"));
}

// A new connection to candidate(): from idle or backoff, with no connection and nothing on the
// wire (drop_connection() re-queued every request in flight).
void NssClient::attempt(TimePoint now) {
    NSSLAB_ASSERT(conn_ == 0 && !channel_, "nss client: an attempt starts without a connection");
    NSSLAB_ASSERT(in_flight_.empty(), "nss client: no request is on the wire between connections");
    Candidate const& c = candidate();
    std::optional<Endpoint> ep = endpoint_of(c);
    if (!ep) {
        emit(base_event("nss.connect_failed")
                 .with("server", c.config.host)
                 .with("role", c.role)
                 .with("reason", "host name has no address (the core does no DNS)"));
        attempt_failed("unresolved host", Teardown::gone, now);
        return;
    }
    conn_ = next_conn_++;
    register_sent_ = false;
    register_wire_id_ = 0;
    next_wire_id_ = 1;
    keepalive_wire_id_ = 0;
    channel_.reset();
    reader_.reset();
    local_endpoint_.reset();
    in_flight_.clear();
    enter(Phase::tcp_connect);
    attempt_deadline_ = now + wait_limit();
    emit(base_event("nss.connecting")
             .with("server", ep->address.to_string())
             .with("port", ep->port)
             .with("role", c.role)
             .with("conn", conn_));
    core::StreamTransmit connect;
    connect.kind = core::StreamTransmit::Kind::connect;
    connect.conn = conn_;
    connect.remote = *ep;
    transmits_.push_back(std::move(connect));
}

Duration NssClient::backoff_delay() const {
    Duration d = options_.reconnect_initial;
    for (std::uint32_t i = 0; i < backoff_steps_ && d < options_.reconnect_max; ++i)
        d *= 2;
    return std::min(d, options_.reconnect_max);
}

// The attempt on candidate() failed before registration completed (or the server was found
// unusable). Try the other server at once while this round has untried servers, else back off.
void NssClient::attempt_failed(std::string const& reason, Teardown how, TimePoint now) {
    Candidate const& failed = candidate();
    if (conn_ != 0)
        drop_connection(how, now);
    ++failures_in_row_;
    std::size_t const from = index_;
    index_ = (index_ + 1) % candidates_.size();
    emit(base_event("nss.server_failed")
             .with("server", failed.config.host)
             .with("role", failed.role)
             .with("reason", reason));
    if (failures_in_row_ < candidates_.size()) {
        if (from != index_)
            emit(base_event("nss.failover")
                     .with("from", failed.config.host)
                     .with("to", candidate().config.host)
                     .with("reason", reason));
        attempt(now);
        return;
    }
    Duration const delay = backoff_delay();
    ++backoff_steps_;
    enter(Phase::backoff);
    reconnect_at_ = now + delay;
    emit(base_event("nss.backoff")
             .with("delay", format_seconds(delay))
             .with("next_server", candidate().config.host));
    // Requests that wait in the queue keep their own NssWaitLimit deadlines.
}

// A registered connection was lost: the other server is tried at once (failover).
void NssClient::connection_lost(std::string const& reason, Teardown how, TimePoint now) {
    Candidate const& lost = candidate();
    emit(base_event("nss.disconnected").with("server", lost.config.host).with("reason", reason));
    failures_in_row_ = 0;
    if (!without_services_)
        backoff_steps_ = 0;  // a connection without services does not reset the backoff
    attempt_failed(reason, how, now);
}

// The current connection ends for `reason`: a registered one is a connection loss (failover),
// an unfinished one a failed attempt.
void NssClient::end_connection(std::string const& reason, Teardown how, TimePoint now) {
    if (phase_ == Phase::registered)
        connection_lost(reason, how, now);
    else
        attempt_failed(reason, how, now);
}

// Ends the current connection: orderly (Close message, TLS close_notify, close action) or
// abortive. Requests in flight on it begin a new attempt (re-issued on the next connection).
void NssClient::drop_connection(Teardown how, TimePoint now) {
    NSSLAB_ASSERT(conn_ != 0 && phase_ != Phase::idle && phase_ != Phase::backoff,
                  "nss client: only a connection in progress or registered is dropped");
    ConnId const conn = conn_;
    if (how == Teardown::close && channel_ &&
        channel_->state() == tls::Channel::State::established) {
        if (register_sent_)
            send_message({0, wn::Close{"client closing"}}, now);
        channel_->close();
        flush_tls();
    } else if (how != Teardown::gone && channel_) {
        flush_tls();  // e.g. the alert of a failed handshake
    }
    if (how == Teardown::gone) {
        transmits_.erase(
            std::remove_if(transmits_.begin(), transmits_.end(),
                           [conn](core::StreamTransmit const& t) { return t.conn == conn; }),
            transmits_.end());
    } else {
        core::StreamTransmit end;
        end.kind = how == Teardown::close ? core::StreamTransmit::Kind::close
                                          : core::StreamTransmit::Kind::abort;
        end.conn = conn;
        transmits_.push_back(std::move(end));
    }
    conn_ = 0;
    channel_.reset();
    reader_.reset();
    local_endpoint_.reset();
    time_connected_.reset();
    granted_ = {};
    keepalive_wire_id_ = 0;
    in_flight_.clear();
    enter(Phase::backoff);  // the caller decides what comes next (attempt, backoff, idle)
    // Every request that was on the wire starts a new attempt (it will be re-issued).
    std::vector<RequestHandle> lost;
    for (auto& [h, r] : requests_)
        if (r.wire_id != 0) {
            r.wire_id = 0;
            lost.push_back(h);
        }
    for (RequestHandle h : lost) {
        auto it = requests_.find(h);
        if (it != requests_.end())
            begin_attempt(it->second, now);
    }
}

void NssClient::handle_connected(ConnId conn, Endpoint local, TimePoint now) {
    if (conn != conn_ || phase_ != Phase::tcp_connect)
        return;
    Candidate const& c = candidate();
    std::optional<Endpoint> ep = endpoint_of(c);
    NSSLAB_ASSERT(ep.has_value(), "nss client: connected to an unresolved server");
    local_endpoint_ = local;
    tls::ClientConfig config;
    config.trust_anchors_pem = tls_policy_.trust_anchors_pem;
    config.verification_time = now;
    if (c.config.identity)
        config.expected_identity =
            tls::ServerIdentity{to_tls(c.config.identity->type), c.config.identity->auth_id};
    config.server_address = ep->address;
    if (!c.config.address)
        config.server_name = c.config.host;
    config.min_version = tls_policy_.min_version;
    config.max_version = tls_policy_.max_version;
    config.cipher_list = tls_policy_.cipher_list;
    config.ciphersuites = tls_policy_.ciphersuites;
    auto channel = tls::Channel::client(*ctx_, std::move(config), options_.tls_contexts);
    emit(base_event("nss.tcp_connected").with("server", ep->to_string()).with("conn", conn));
    if (!channel) {
        emit(base_event("nss.tls_failed").with("reason", channel.error().what()));
        attempt_failed("TLS setup: " + channel.error().message, Teardown::abort, now);
        return;
    }
    channel_.emplace(std::move(channel.value()));
    reader_.emplace();
    enter(Phase::tls);
    flush_tls();
}

void NssClient::flush_tls() {
    tls_pending_ = false;
    if (!channel_)
        return;
    NSSLAB_ASSERT(conn_ != 0, "nss client: a TLS channel belongs to the current connection");
    while (auto out = channel_->poll_transmit()) {
        core::StreamTransmit t;
        t.conn = conn_;
        t.bytes = std::move(*out);
        transmits_.push_back(std::move(t));
    }
    while (auto secret = channel_->poll_secret()) {
        if (secrets_.size() >= options_.max_secrets)
            secrets_.pop_front();
        secrets_.push_back(std::move(*secret));
    }
    // The client traces its own nss.tls_* events (with the stack name) from the channel's state.
    while (channel_->poll_event()) {
    }
}

void NssClient::handle_received(ConnId conn, ByteView ciphertext, TimePoint now) {
    if (conn != conn_ || !channel_)
        return;
    channel_->handle_received(ciphertext, now);
    after_tls_input(now);
}

void NssClient::after_tls_input(TimePoint now) {
    flush_tls();
    if (channel_->state() == tls::Channel::State::failed) {
        std::string const reason = channel_->failure_reason();
        emit(base_event("nss.tls_failed").with("reason", reason));
        end_connection("TLS failure: " + reason, Teardown::abort, now);
        return;
    }
    if (phase_ == Phase::tls && channel_->state() == tls::Channel::State::established) {
        // The handshake verified the chain and the identity: only now do credentials go out.
        emit(base_event("nss.tls_established")
                 .with("version", channel_->version_name())
                 .with("cipher", channel_->cipher_name()));
        send_register(now);
        if (conn_ == 0 || !channel_)
            return;
    }
    if (auto plain = channel_->poll_received()) {
        if (auto fed = reader_->feed(*plain); !fed) {
            emit(base_event("nss.protocol_error").with("reason", fed.error().what()));
            end_connection("protocol error", Teardown::abort, now);
            return;
        }
        ConnId const conn = conn_;
        while (conn_ == conn && reader_) {
            auto next = reader_->next();
            if (!next)
                break;
            if (!*next) {
                emit(base_event("nss.protocol_error").with("reason", next->error().what()));
                continue;
            }
            handle_message(conn, next->value(), now);
        }
    }
    if (conn_ != 0 && channel_ && channel_->state() == tls::Channel::State::closed) {
        // close_notify from the server.
        end_connection("server closed the TLS session", Teardown::close, now);
    }
}

void NssClient::handle_closed(ConnId conn, StreamEnd reason, TimePoint now) {
    if (conn != conn_ || conn_ == 0)
        return;
    if (phase_ == Phase::tcp_connect)
        emit(base_event("nss.connect_failed")
                 .with("server", candidate().config.host)
                 .with("reason", to_string(reason)));
    end_connection("connection " + std::string(to_string(reason)), Teardown::gone, now);
}

void NssClient::handle_timeout(TimePoint now) {
    // Connection-level deadlines.
    switch (phase_) {
        case Phase::backoff:
            if (now >= reconnect_at_)
                attempt(now);
            break;
        case Phase::tcp_connect:
        case Phase::tls:
        case Phase::registering:
            if (now >= attempt_deadline_) {
                emit(base_event("nss.connect_timeout").with("phase", to_string(phase_)));
                attempt_failed("no registration within NssWaitLimit", Teardown::abort, now);
            }
            break;
        case Phase::registered:
            if (keepalive_wire_id_ != 0 && now >= keepalive_deadline_) {
                emit(base_event("nss.keepalive_timeout"));
                connection_lost("no KeepaliveAck within NssWaitLimit", Teardown::abort, now);
            } else if (keepalive_wire_id_ == 0 && now >= last_sent_ + options_.keepalive_interval) {
                std::uint32_t const id = next_wire_id_++;
                NSSLAB_ASSERT(in_flight_.count(id) == 0, "nss client: a wire id names one message");
                if (send_message({id, wn::Keepalive{}}, now)) {
                    keepalive_wire_id_ = id;
                    keepalive_deadline_ = now + wait_limit();
                }
            }
            if (phase_ == Phase::registered && options_.failback_to_primary && index_ != 0 &&
                now >= failback_at_) {
                if (in_flight_.empty()) {
                    emit(base_event("nss.failback").with("to", candidates_[0].config.host));
                    drop_connection(Teardown::close, now);
                    index_ = 0;
                    failures_in_row_ = 0;
                    backoff_steps_ = 0;
                    attempt(now);
                } else {
                    failback_at_ = now + options_.failback_interval;
                }
            }
            break;
        case Phase::idle:
            break;
    }
    // Request deadlines: an attempt without a reply within NssWaitLimit ends; a new one begins
    // (or the request fails after NssWaitRetries retries).
    std::vector<RequestHandle> expired;
    for (auto const& [h, r] : requests_)
        if (now >= r.attempt_deadline)
            expired.push_back(h);
    for (RequestHandle h : expired) {
        auto it = requests_.find(h);
        if (it == requests_.end())
            continue;
        Request& r = it->second;
        if (r.wire_id != 0) {
            NSSLAB_ASSERT(in_flight_.count(r.wire_id) == 1 && in_flight_.at(r.wire_id) == h,
                          "nss client: a request on the wire is in_flight_ under its wire id");
            in_flight_.erase(r.wire_id);  // a late reply to this id is stale
            r.wire_id = 0;
        }
        emit(base_event("nss.request_timeout")
                 .with("handle", h)
                 .with("request", request_name(r.body))
                 .with("attempt", r.attempts_started));
        begin_attempt(r, now);
    }
}

// ---------------------------------------------------------------------------------------------
// Messages

bool NssClient::send_message(wn::Message const& message, TimePoint now) {
    if (!channel_)
        return false;
    Bytes frame = wn::encode(message);
    if (auto sent = channel_->send(frame); !sent) {
        emit(base_event("nss.send_failed").with("reason", sent.error().what()));
        return false;
    }
    last_sent_ = now;
    time_last_message_ = now;
    tls_pending_ = true;  // encrypted and queued at the next poll_transmit()
    return true;
}

void NssClient::send_register(TimePoint now) {
    wn::RegisterRequest reg;
    reg.client_api_version = options_.client_api_version;
    reg.client_name = stack_.client_name;
    reg.system_name = system_name_;
    reg.stack_name = stack_.stack_name;
    reg.user_id = stack_.user_id;
    reg.services.cert = stack_.has_service(zos::NssServiceType::cert);
    reg.services.remote_mgmt = stack_.has_service(zos::NssServiceType::remote_mgmt);
    if (stack_.auth_by == zos::NssAuthBy::password) {
        reg.auth_method = wn::AuthMethod::password;
        reg.credential = stack_.password;
    } else {
        reg.auth_method = wn::AuthMethod::passticket;
        if (!options_.passticket) {
            emit(base_event("nss.passticket_failed")
                     .with("reason", "no PTKTDATA key for application NSSD configured"));
            attempt_failed("no PassTicket key", Teardown::close, now);
            return;
        }
        auto ticket = zos::generate_passticket(stack_.user_id, options_.passticket->application,
                                               options_.passticket->key, options_.passticket->type,
                                               unix_seconds(now));
        if (!ticket) {
            emit(base_event("nss.passticket_failed").with("reason", ticket.error().what()));
            attempt_failed("PassTicket generation failed", Teardown::close, now);
            return;
        }
        reg.credential = std::move(ticket.value());
    }
    register_wire_id_ = next_wire_id_++;
    register_sent_ = true;
    enter(Phase::registering);
    emit(base_event("nss.register_sent")
             .with("client_name", reg.client_name)
             .with("user_id", reg.user_id)
             .with("auth_by", to_string(reg.auth_method))
             .with("cert", reg.services.cert)
             .with("remote_mgmt", reg.services.remote_mgmt));
    send_message({register_wire_id_, std::move(reg)}, now);
}

void NssClient::handle_message(ConnId conn, wn::Message const& message, TimePoint now) {
    if (conn != conn_ || conn_ == 0)
        return;
    std::uint32_t const id = message.request_id;
    std::visit(
        [&](auto const& body) {
            using T = std::decay_t<decltype(body)>;
            if constexpr (std::is_same_v<T, wn::RegisterReply>) {
                if (phase_ == Phase::registering && id == register_wire_id_)
                    on_register_reply(body, now);
                else
                    emit(base_event("nss.stale_reply")
                             .with("request_id", id)
                             .with("type", "register_reply"));
            } else if constexpr (std::is_same_v<T, wn::SignReply> ||
                                 std::is_same_v<T, wn::VerifyReply> ||
                                 std::is_same_v<T, wn::CertificateReply>) {
                on_reply(id, body, now);
            } else if constexpr (std::is_same_v<T, wn::MgmtRequest>) {
                on_mgmt_request(id, body, now);
            } else if constexpr (std::is_same_v<T, wn::Keepalive>) {
                send_message({id, wn::KeepaliveAck{}}, now);
            } else if constexpr (std::is_same_v<T, wn::KeepaliveAck>) {
                if (id == keepalive_wire_id_)
                    keepalive_wire_id_ = 0;
            } else if constexpr (std::is_same_v<T, wn::Close>) {
                emit(base_event("nss.server_close").with("reason", body.reason));
                end_connection("server sent Close: " + body.reason, Teardown::close, now);
            } else if constexpr (std::is_same_v<T, wn::ErrorReply>) {
                emit(base_event("nss.error_reply")
                         .with("request_id", id)
                         .with("result", wn::to_string(body.result))
                         .with("reason", body.reason)
                         .with("fatal", body.fatal));
                if (phase_ == Phase::registering && id == register_wire_id_) {
                    wn::RegisterReply r;
                    r.result = body.result;
                    r.reason = body.reason;
                    r.server_api_version = options_.client_api_version;
                    on_register_reply(r, now);
                    return;
                }
                if (id != 0 && id == keepalive_wire_id_)
                    keepalive_wire_id_ = 0;  // any answer shows the server is alive
                else if (id != 0)
                    on_reply(id, body, now);
                if (body.fatal && conn_ == conn) {
                    end_connection("fatal ErrorReply: " + body.reason, Teardown::abort, now);
                }
            } else {
                // A request type only a client sends, or a reply we never asked for.
                emit(base_event("nss.unexpected_message")
                         .with("type", wn::message_name(message.body)));
                send_message({id, wn::ErrorReply{wn::ResultCode::bad_request,
                                                 "unexpected message from server", false}},
                             now);
            }
        },
        message.body);
}

void NssClient::on_register_reply(wn::RegisterReply const& reply, TimePoint now) {
    Candidate const& c = candidate();
    server_api_version_ = reply.server_api_version;
    bool const mismatch = reply.result == wn::ResultCode::version_mismatch ||
                          reply.server_api_version != options_.client_api_version;
    if (mismatch) {
        api_mismatch_ = true;
        emit(base_event("nss.api_mismatch")
                 .with("client_api_version", options_.client_api_version)
                 .with("server_api_version", reply.server_api_version));
        console("EZD1904E", "EZD1904E IKED NSS client API version " +
                                std::to_string(options_.client_api_version) +
                                " does not match NSS server API version " +
                                std::to_string(reply.server_api_version) + " for stack " +
                                stack_.stack_name);
    } else {
        api_mismatch_ = false;
    }
    // EZD1904E: a server that answers version_mismatch keeps the connection without services
    // (IKED keeps running, facts §6); the client stays connected so ipsec -w shows both API
    // versions, and certificate requests fail with version_mismatch (docs/nss-client.md §3).
    bool const registered_without_services = reply.result == wn::ResultCode::version_mismatch;
    if (reply.result != wn::ResultCode::ok && !registered_without_services) {
        emit(base_event("nss.register_failed")
                 .with("server", c.config.host)
                 .with("result", wn::to_string(reply.result))
                 .with("reason", reply.reason));
        attempt_failed("registration " + std::string(wn::to_string(reply.result)) +
                           (reply.reason.empty() ? "" : ": " + reply.reason),
                       Teardown::close, now);
        return;
    }
    enter(Phase::registered);
    granted_ = registered_without_services ? wn::Services{} : reply.granted;
    if (mismatch)
        granted_.cert = false;  // EZD1904E: the certificate service is unusable
    server_system_name_ = reply.server_system_name;
    time_connected_ = now;
    failures_in_row_ = 0;
    without_services_ = registered_without_services;
    if (!without_services_)
        backoff_steps_ = 0;
    failback_at_ = now + options_.failback_interval;
    std::optional<Endpoint> ep = endpoint_of(c);
    bool const changed_server = last_registered_index_ && *last_registered_index_ != index_;
    last_registered_index_ = index_;
    emit(base_event("nss.registered")
             .with("server", ep ? ep->to_string() : c.config.host)
             .with("role", c.role)
             .with("server_system_name", reply.server_system_name)
             .with("cert", granted_.cert)
             .with("remote_mgmt", granted_.remote_mgmt)
             .with("cert_denial", reply.cert_denial)
             .with("remote_mgmt_denial", reply.remote_mgmt_denial)
             .with("server_api_version", reply.server_api_version)
             .with("changed_server", changed_server));
    emit(base_event("nss.connected")
             .with("server", ep ? ep->address.to_string() : c.config.host)
             .with("port", c.config.port)
             .with("role", c.role));
    console("EZD1136I", "EZD1136I IKE DAEMON NSS CLIENT FOR STACK " + stack_.stack_name +
                            " CONNECTED TO NSS SERVER " +
                            (ep ? ep->address.to_string() : c.config.host) + " PORT " +
                            std::to_string(c.config.port));
    send_queued(now);
}

void NssClient::on_reply(std::uint32_t wire_id, wn::Body const& body, TimePoint now) {
    (void)now;
    auto it = in_flight_.find(wire_id);
    if (it == in_flight_.end()) {
        emit(base_event("nss.stale_reply")
                 .with("request_id", wire_id)
                 .with("type", wn::message_name(body)));
        return;
    }
    RequestHandle const handle = it->second;
    auto const request = requests_.find(handle);
    NSSLAB_ASSERT(request != requests_.end() && request->second.wire_id == wire_id,
                  "nss client: in_flight_ names a pending request by its wire id");
    in_flight_.erase(it);
    std::visit(
        [&](auto const& b) {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, wn::SignReply> || std::is_same_v<T, wn::VerifyReply> ||
                          std::is_same_v<T, wn::CertificateReply>) {
                complete(handle, b.result, b.reason, b);
            } else if constexpr (std::is_same_v<T, wn::ErrorReply>) {
                complete(handle, b.result, b.reason);
            }
        },
        body);
}

void NssClient::on_mgmt_request(std::uint32_t wire_id, wn::MgmtRequest const& req, TimePoint now) {
    emit(base_event("nss.mgmt_request")
             .with("command", wn::to_string(req.command))
             .with("target", req.target)
             .with("requester", req.requester));
    wn::MgmtReply reply;
    if (phase_ != Phase::registered || !granted_.remote_mgmt) {
        reply.result = wn::ResultCode::not_authorized;
        reply.reason = "remote management service not granted for stack " + stack_.stack_name;
    } else if (managed_ == nullptr) {
        reply.result = wn::ResultCode::internal_error;
        reply.reason = "no TCP/IP stack attached to the NSS client";
    } else {
        reply = managed_->execute(req, now);
    }
    emit(base_event("nss.mgmt_reply")
             .with("command", wn::to_string(req.command))
             .with("result", wn::to_string(reply.result)));
    send_message({wire_id, std::move(reply)}, now);
}

// ---------------------------------------------------------------------------------------------
// Requests

std::optional<wn::ResultCode> NssClient::refuse_reason(wn::Body const& body,
                                                       std::string& why) const {
    // A malformed identity is the caller's error: the server would answer bad_request.
    if (auto const* req = std::get_if<wn::CertificateRequest>(&body); req && req->identity) {
        if (auto m = CertificateIdentityMatcher::make(*req->identity); !m) {
            why = m.error().message;
            return wn::ResultCode::bad_request;
        }
    }
    // Every certificate-service request needs ServiceType Cert.
    if (!stack_.has_service(zos::NssServiceType::cert)) {
        why = "ServiceType Cert is not configured for stack " + stack_.stack_name;
        return wn::ResultCode::service_not_granted;
    }
    if (phase_ == Phase::registered && api_mismatch_) {
        why = "NSS client and server API versions differ (EZD1904E)";
        return wn::ResultCode::version_mismatch;
    }
    if (phase_ == Phase::registered && !granted_.cert) {
        why = "the NSS server did not grant the certificate service";
        return wn::ResultCode::service_not_granted;
    }
    return std::nullopt;
}

RequestHandle NssClient::submit(wn::Body body, TimePoint now) {
    RequestHandle const handle = next_handle_++;
    std::string why;
    if (auto refused = refuse_reason(body, why)) {
        emit(base_event("nss.request_failed")
                 .with("handle", handle)
                 .with("request", request_name(body))
                 .with("result", wn::to_string(*refused))
                 .with("reason", why));
        completions_.push_back({handle, *refused, why, {}, 0});
        return handle;
    }
    if (requests_.size() >= options_.max_pending_requests) {
        why = "too many pending NSS requests (" + std::to_string(requests_.size()) + ")";
        emit(base_event("nss.request_failed")
                 .with("handle", handle)
                 .with("request", request_name(body))
                 .with("result", "busy")
                 .with("reason", why));
        completions_.push_back({handle, wn::ResultCode::busy, why, {}, 0});
        return handle;
    }
    if (phase_ == Phase::idle) {
        why = "NSS client not started";
        completions_.push_back({handle, wn::ResultCode::client_not_connected, why, {}, 0});
        return handle;
    }
    Request r;
    r.handle = handle;
    r.body = std::move(body);
    auto [it, inserted] = requests_.emplace(handle, std::move(r));
    NSSLAB_ASSERT(inserted, "nss client: duplicate request handle");
    begin_attempt(it->second, now);
    return handle;
}

// Starts attempt number attempts_started+1, or fails the request when NssWaitRetries retries
// have been used. The attempt lasts at most NssWaitLimit, whether the request is on the wire or
// waits for a connection.
void NssClient::begin_attempt(Request& r, TimePoint now) {
    NSSLAB_ASSERT(r.wire_id == 0, "nss client: an attempt begins with the request off the wire");
    if (r.attempts_started > wait_retries_) {
        RequestHandle const h = r.handle;
        std::uint32_t const attempts = r.attempts_started;
        complete(h, wn::ResultCode::internal_error,
                 "no NSS reply within NssWaitLimit (" + std::to_string(wait_limit_.count()) +
                     " s) after " + std::to_string(attempts) + " attempts (NssWaitRetries " +
                     std::to_string(wait_retries_) + ")");
        return;
    }
    ++r.attempts_started;
    r.attempt_deadline = now + wait_limit();
    if (r.attempts_started > 1)
        emit(base_event("nss.request_retry")
                 .with("handle", r.handle)
                 .with("request", request_name(r.body))
                 .with("attempt", r.attempts_started));
    if (phase_ == Phase::registered)
        issue(r, now);
}

void NssClient::issue(Request& r, TimePoint now) {
    NSSLAB_ASSERT(phase_ == Phase::registered && r.wire_id == 0,
                  "nss client: a request goes on the wire once per attempt, when registered");
    std::string why;
    if (auto refused = refuse_reason(r.body, why)) {
        complete(r.handle, *refused, why);
        return;
    }
    std::uint32_t const id = next_wire_id_++;
    if (!send_message({id, r.body}, now)) {
        return;  // stays queued; the attempt deadline bounds the wait
    }
    r.wire_id = id;
    ++r.sends;
    bool const fresh = in_flight_.emplace(id, r.handle).second;
    NSSLAB_ASSERT(fresh, "nss client: a wire id names one request");
    emit(base_event("nss.request_sent")
             .with("handle", r.handle)
             .with("request", request_name(r.body))
             .with("request_id", id)
             .with("attempt", r.attempts_started));
}

void NssClient::send_queued(TimePoint now) {
    std::vector<RequestHandle> queued;
    for (auto const& [h, r] : requests_)
        if (r.wire_id == 0)
            queued.push_back(h);
    for (RequestHandle h : queued) {
        if (phase_ != Phase::registered)
            return;
        auto it = requests_.find(h);
        if (it != requests_.end() && it->second.wire_id == 0)
            issue(it->second, now);
    }
}

void NssClient::complete(RequestHandle handle, wn::ResultCode result, std::string reason,
                         CompletionPayload payload) {
    auto it = requests_.find(handle);
    NSSLAB_ASSERT(it != requests_.end(), "nss client: request completed twice");
    Request& r = it->second;
    if (r.wire_id != 0) {
        auto flight = in_flight_.find(r.wire_id);
        NSSLAB_ASSERT(flight == in_flight_.end() || flight->second == handle,
                      "nss client: in_flight_ names a request by its wire id");
        if (flight != in_flight_.end())
            in_flight_.erase(flight);
    }
    Event e =
        base_event(result == wn::ResultCode::ok ? "nss.request_completed" : "nss.request_failed");
    e.with("handle", handle)
        .with("request", request_name(r.body))
        .with("result", wn::to_string(result))
        .with("attempts", r.sends);
    if (!reason.empty())
        e.with("reason", reason);
    emit(std::move(e));
    completions_.push_back({handle, result, std::move(reason), std::move(payload), r.sends});
    requests_.erase(it);
}

RequestHandle NssClient::request_sign(std::string label, wn::SignatureScheme scheme, Bytes data,
                                      TimePoint now) {
    return submit(wn::SignRequest{std::move(label), scheme, std::move(data)}, now);
}

RequestHandle NssClient::request_verify(wn::SignatureScheme scheme, Bytes data, Bytes signature,
                                        std::vector<Bytes> chain, TimePoint now) {
    return submit(
        wn::VerifyRequest{scheme, std::move(data), std::move(signature), std::move(chain)}, now);
}

RequestHandle NssClient::request_certificates(std::string label, bool include_ca, TimePoint now) {
    return submit(wn::CertificateRequest{std::move(label), include_ca, std::nullopt}, now);
}

RequestHandle NssClient::request_certificates_for(wn::CertificateIdentity identity, bool include_ca,
                                                  TimePoint now) {
    return submit(wn::CertificateRequest{{}, include_ca, std::move(identity)}, now);
}

// ---------------------------------------------------------------------------------------------
// Refresh and display

Result<bool> NssClient::refresh(zos::IkeConfig const& ike, zos::NssStackConfig const& stack,
                                TimePoint now) {
    if (!ike.has_nss_server())
        return fail(Errc::invalid_argument,
                    "nss client refresh: no NetworkSecurityServer for " + stack.stack_name);
    bool const servers_same =
        same_server(ike.network_security_server, ike_.network_security_server) &&
        same_server(ike.network_security_server_backup, ike_.network_security_server_backup);
    bool const stack_same = stack.same_as(stack_);
    wait_limit_ = ike.nss_wait_limit;
    wait_retries_ = ike.nss_wait_retries;
    if (servers_same && stack_same) {
        ike_ = ike;
        emit(base_event("nss.refresh").with("changed", false));
        return false;
    }
    emit(base_event("nss.refresh")
             .with("changed", true)
             .with("servers_changed", !servers_same)
             .with("stack_changed", !stack_same));
    bool const running = phase_ != Phase::idle;
    if (conn_ != 0)
        drop_connection(Teardown::close, now);
    enter(running ? Phase::backoff : Phase::idle);
    stack_ = stack;
    set_candidates(ike);
    api_mismatch_ = false;
    without_services_ = false;
    server_api_version_.reset();
    if (running) {
        failures_in_row_ = 0;
        backoff_steps_ = 0;
        attempt(now);
    }
    return true;
}

StackDisplay NssClient::snapshot() const {
    StackDisplay d;
    d.stack_name = stack_.stack_name;
    d.client_name = stack_.client_name;
    d.client_api_version = options_.client_api_version;
    d.nss_services_supported = true;
    d.remote_management_selected = stack_.has_service(zos::NssServiceType::remote_mgmt);
    d.certificate_services_selected = stack_.has_service(zos::NssServiceType::cert);
    bool const registered = phase_ == Phase::registered;
    d.remote_management_enabled = registered && granted_.remote_mgmt;
    d.certificate_services_enabled = registered && granted_.cert;
    if (registered) {
        d.server_api_version = server_api_version_;
        if (local_endpoint_)
            d.client_endpoint = local_endpoint_;
        d.server_system_name = server_system_name_;
        d.time_connected = time_connected_;
    }
    if (phase_ != Phase::idle && phase_ != Phase::backoff)
        d.server_endpoint = endpoint_of(candidate());
    d.user_id = stack_.user_id;
    d.connection_state = connection_state();
    d.time_last_message = time_last_message_;
    return d;
}

}  // namespace nsslab::nss
