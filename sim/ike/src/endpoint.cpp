// IkeEndpoint (endpoint.hpp): the name tables, the outputs and helpers every exchange uses, the
// datagram path (strip the marker, decode, find the SA by our SPI, apply the window, open the SK
// payload, hand the request or response to its exchange) and the observation calls. The
// exchanges are in ike_init.cpp, ike_auth.cpp and informational.cpp; time in timers.cpp.
#include "nsslab/ike/endpoint.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/wire_ike/codec.hpp"
#include "sa.hpp"

namespace nsslab::ike {

std::string_view to_string(SaState state) {
    switch (state) {
        case SaState::init_sent:
            return "init_sent";
        case SaState::auth_sign_pending:
            return "auth_sign_pending";
        case SaState::auth_sent:
            return "auth_sent";
        case SaState::auth_verify_pending:
            return "auth_verify_pending";
        case SaState::init_responded:
            return "init_responded";
        case SaState::established:
            return "established";
        case SaState::deleting:
            return "deleting";
        case SaState::rekeyed:
            return "rekeyed";
    }
    return "unknown";
}

std::string_view to_string(Role role) {
    return role == Role::initiator ? "initiator" : "responder";
}

std::string_view to_string(DropReason reason) {
    switch (reason) {
        case DropReason::not_ike:
            return "not_ike";
        case DropReason::malformed:
            return "malformed";
        case DropReason::unknown_spi:
            return "unknown_spi";
        case DropReason::unexpected_exchange:
            return "unexpected_exchange";
        case DropReason::unexpected_message_id:
            return "unexpected_message_id";
        case DropReason::request_in_progress:
            return "request_in_progress";
        case DropReason::icv_failed:
            return "icv_failed";
        case DropReason::invalid_payloads:
            return "invalid_payloads";
        case DropReason::no_connection:
            return "no_connection";
        case DropReason::half_open_limit:
            return "half_open_limit";
        case DropReason::sa_limit:
            return "sa_limit";
        case DropReason::spi_collision:
            return "spi_collision";
    }
    return "unknown";
}

namespace {

std::string_view wireshark_encryption_name(crypto::EncryptionAlgorithm encryption) {
    switch (encryption) {
        case crypto::EncryptionAlgorithm::aes_cbc_128:
            return "AES-CBC-128 [RFC3602]";
        case crypto::EncryptionAlgorithm::aes_cbc_256:
            return "AES-CBC-256 [RFC3602]";
        case crypto::EncryptionAlgorithm::aes_gcm_16_128:
            return "AES-GCM-128 with 16 octet ICV [RFC5282]";
        case crypto::EncryptionAlgorithm::aes_gcm_16_256:
            return "AES-GCM-256 with 16 octet ICV [RFC5282]";
    }
    return "NULL [RFC2410]";
}

std::string_view wireshark_integrity_name(crypto::IntegrityAlgorithm integrity) {
    switch (integrity) {
        case crypto::IntegrityAlgorithm::none:
            return "NONE [RFC4306]";
        case crypto::IntegrityAlgorithm::hmac_sha2_256_128:
            return "HMAC_SHA2_256_128 [RFC4868]";
        case crypto::IntegrityAlgorithm::hmac_sha2_384_192:
            return "HMAC_SHA2_384_192 [RFC4868]";
        case crypto::IntegrityAlgorithm::hmac_sha2_512_256:
            return "HMAC_SHA2_512_256 [RFC4868]";
    }
    return "NONE [RFC4306]";
}

}  // namespace

std::string spi_hex(std::uint64_t spi) {
    Bytes b;
    ByteWriter(b).u64(spi);
    return to_hex(b);
}

// IDx' of RFC 7296 §2.15: ID Type | RESERVED (3) | Identification Data.

w::Notify signature_hash_notify() {
    w::Notify n;
    n.type = w::NotifyType::signature_hash_algorithms;
    ByteWriter out(n.data);
    for (auto h : announced_hashes)
        out.u16(static_cast<std::uint16_t>(h));
    return n;
}

// The hash algorithms of a received N(SIGNATURE_HASH_ALGORITHMS), unknown numbers skipped.
std::vector<crypto::SignatureHash> peer_signature_hashes(std::span<w::Payload const> payloads) {
    std::vector<crypto::SignatureHash> out;
    if (auto const* n = w::find_notify(payloads, w::NotifyType::signature_hash_algorithms)) {
        ByteReader r(n->data);
        while (r.remaining() >= 2)
            if (auto v = crypto::signature_hash_from_number(*r.u16()))
                out.push_back(*v);
    }
    return out;
}

// A 4-octet ESP SPI (checked by the caller).
w::Notify error_notify(w::NotifyType type, Bytes data) {
    w::Notify n;
    n.type = type;
    n.data = std::move(data);
    return n;
}

bool uses_signatures(Connection const& c) {
    // N(SIGNATURE_HASH_ALGORITHMS) is for method 14 (RFC 7427 §4).
    return c.local_auth.method == AuthMethod::digital_signature ||
           c.peer_auth.method == AuthMethod::digital_signature;
}

std::string decryption_table_line(std::uint64_t spi_i, std::uint64_t spi_r,
                                  crypto::EncryptionAlgorithm encryption,
                                  crypto::IntegrityAlgorithm integrity, ByteView sk_ei,
                                  ByteView sk_er, ByteView sk_ai, ByteView sk_ar) {
    std::string line = spi_hex(spi_i) + "," + spi_hex(spi_r) + "," + to_hex(sk_ei) + "," +
                       to_hex(sk_er) + ",\"" + std::string(wireshark_encryption_name(encryption)) +
                       "\"," + to_hex(sk_ai) + "," + to_hex(sk_ar) + ",\"" +
                       std::string(wireshark_integrity_name(integrity)) + "\"";
    return line;
}

// ---- the endpoint's helpers -------------------------------------------------------------------

Event IkeEndpoint::Impl::sa_event(std::string name, Sa const& sa) {
    Event e(std::move(name));
    e.with("sa", sa.id)
        .with("connection", config.connections[sa.connection].name)
        .with("role", to_string(sa.role));
    return e;
}

void IkeEndpoint::Impl::drop(DropReason reason, Endpoint const& from, std::string detail) {
    auto& n = drops[static_cast<std::size_t>(reason)];
    ++n;
    Event e("ike.datagram_dropped");
    e.with("reason", to_string(reason)).with("count", n).with("from", from.to_string());
    if (!detail.empty())
        e.with("detail", detail);
    emit(std::move(e));
}

Bytes IkeEndpoint::Impl::datagram_of(Endpoint const& local, Endpoint const& remote, Bytes message) {
    if (local.port != 500 || remote.port != 500)
        return w::add_non_esp_marker(message);
    return message;
}

void IkeEndpoint::Impl::send_datagram(Endpoint const& local, Endpoint const& remote,
                                      Bytes message) {
    push(transmits, Transmit{local, remote, datagram_of(local, remote, std::move(message))},
         transmit_queue_max);
}

Result<std::uint64_t> IkeEndpoint::Impl::random_u64() {
    std::array<std::uint8_t, 8> b{};
    if (auto r = lib.random_bytes(b); !r)
        return r.error();
    std::uint64_t v = 0;
    for (auto x : b)
        v = (v << 8) | x;
    return v;
}

Result<Bytes> IkeEndpoint::Impl::random_bytes(std::size_t n) {
    Bytes b(n);
    if (auto r = lib.random_bytes(b); !r)
        return r.error();
    return b;
}

Result<std::uint64_t> IkeEndpoint::Impl::fresh_spi() {
    for (;;) {
        auto v = random_u64();
        if (!v)
            return v.error();
        if (*v != 0 && !by_spi.contains(*v))
            return *v;
    }
}

Result<std::uint32_t> IkeEndpoint::Impl::fresh_child_spi() {
    for (;;) {
        auto v = random_u64();
        if (!v)
            return v.error();
        auto spi = static_cast<std::uint32_t>(*v);
        if (spi >= 256)  // 1..255 are reserved (RFC 4303 §2.1)
            return spi;
    }
}

void IkeEndpoint::Impl::remove(Sa& sa) {
    SaId id = sa.id;
    by_spi.erase(local_spi(sa));
    if (sa.role == Role::responder) {
        auto it = responder_by_spi_i.find(sa.spi_i);
        if (it != responder_by_spi_i.end() && it->second == id)
            responder_by_spi_i.erase(it);
        if (sa.half_open())
            --half_open;
    }
    if (sa.request != 0)
        requests.erase(sa.request);
    while (!sa.children.empty())
        remove_child(sa, sa.children.front().id, "ike_sa_removed");
    sas.erase(id);
}

void IkeEndpoint::Impl::fail(Sa& sa, std::string event, std::string reason) {
    Event e = sa_event(std::move(event), sa);
    e.with("state", to_string(sa.state)).with("reason", std::move(reason));
    emit(std::move(e));
    remove(sa);
}

w::Header IkeEndpoint::Impl::header(Sa const& sa, w::ExchangeType exchange, bool response,
                                    std::uint32_t message_id) const {
    w::Header h;
    h.spi_i = sa.spi_i;
    h.spi_r = sa.spi_r;
    h.exchange_type = exchange;
    h.initiator = sa.role == Role::initiator;
    h.response = response;
    h.message_id = message_id;
    return h;
}

Result<Bytes> IkeEndpoint::Impl::seal(Sa& sa, w::Header const& h,
                                      std::vector<w::Payload> const& inner) {
    NSSLAB_ASSERT(sa.out.has_value(), "seal before the keys exist");
    Bytes plain = w::encode_payload_chain(inner);
    auto first = inner.empty() ? w::PayloadType::none : w::payload_type(inner.front());
    Bytes message = w::encode_sk_prefix(h, first, sa.out->body_size(plain.size()));
    auto body = sa.out->protect(lib, message, plain);
    if (!body)
        return body.error();
    message.insert(message.end(), body->begin(), body->end());
    return message;
}

void IkeEndpoint::Impl::send_response(Sa& sa, std::uint32_t id, Bytes message) {
    Bytes datagram = datagram_of(sa.local, sa.remote, std::move(message));
    sa.cached_id = id;
    sa.cached_response = datagram;
    sa.peer_next_id = id + 1;
    sa.processing_id.reset();
    push(transmits, Transmit{sa.local, sa.remote, std::move(datagram)}, transmit_queue_max);
}

void IkeEndpoint::Impl::ask(Sa& sa, std::variant<SignRequest, VerifyRequest> op, TimePoint now) {
    std::uint64_t id = next_request++;
    sa.request = id;
    sa.request_deadline = now + auth_wait_limit();
    requests[id] = sa.id;
    push(service_requests, ServiceRequest{id, sa.id, std::move(op)}, request_queue_max);
}

// ---- inputs ------------------------------------------------------------------------------------

void IkeEndpoint::Impl::on_datagram(Endpoint const& local, Endpoint const& from, ByteView bytes,
                                    TimePoint now) {
    if (w::is_nat_keepalive(bytes))
        return drop(DropReason::not_ike, from, "NAT keepalive");
    if (auto stripped = w::strip_non_esp_marker(bytes))
        bytes = *stripped;
    auto decoded = w::decode(bytes);
    if (!decoded)
        return drop(DropReason::malformed, from, decoded.error().message);
    w::Message const& m = *decoded;
    w::Header const& h = m.header;

    if (h.exchange_type == w::ExchangeType::ike_sa_init && !h.response && h.initiator &&
        h.spi_r == 0)
        return on_init_request(local, from, bytes, m, now);

    // Our SPI is the responder's when the original initiator sent it, the initiator's otherwise.
    std::uint64_t spi = h.initiator ? h.spi_r : h.spi_i;
    auto it = by_spi.find(spi);
    if (it == by_spi.end())
        return drop(DropReason::unknown_spi, from);
    Sa& sa = *sas.at(it->second);
    bool we_respond = sa.role == Role::responder;
    if (h.initiator != we_respond)
        return drop(DropReason::unknown_spi, from, "I flag does not match the SA's role");
    if (we_respond ? h.spi_i != sa.spi_i : (sa.state != SaState::init_sent && h.spi_r != sa.spi_r))
        return drop(DropReason::unknown_spi, from, "the other SPI does not match");

    if (h.response) {
        if (!sa.outstanding.active || h.message_id != sa.outstanding.message_id ||
            h.exchange_type != sa.outstanding.exchange)
            return drop(DropReason::unexpected_message_id, from);
        if (h.exchange_type == w::ExchangeType::ike_sa_init)
            return on_init_response(sa, from, bytes, m, now);
        auto inner = open(sa, from, bytes, m);
        if (!inner)
            return;
        sa.outstanding.active = false;
        if (h.exchange_type == w::ExchangeType::ike_auth && sa.state == SaState::auth_sent)
            return on_auth_response(sa, from, *inner, now);
        if (h.exchange_type == w::ExchangeType::informational && sa.state == SaState::deleting) {
            Event e = sa_event("ike.sa_deleted", sa);
            e.with("reason", sa.delete_reason);
            emit(std::move(e));
            return remove(sa);
        }
        SaId id = sa.id;
        if (sa.exchange) {
            if (h.exchange_type == w::ExchangeType::informational)
                on_informational_response(sa, *inner);
            else if (sa.exchange->task.kind == TaskKind::rekey_ike)
                on_ike_rekey_response(sa, *inner, now);
            else
                on_create_child_response(sa, *inner, now);
        }
        return run_tasks(id, now);
    }

    // A request from the peer.
    if (!sa.in)
        return drop(DropReason::unexpected_exchange, from, "encrypted request before the keys");
    if (h.message_id + 1 == sa.peer_next_id && sa.cached_id == h.message_id) {
        if (!open(sa, from, bytes, m))
            return;
        Event e = sa_event("ike.retransmit_answered", sa);
        e.with("exchange", w::to_string(h.exchange_type)).with("message_id", h.message_id);
        emit(std::move(e));
        push(transmits, Transmit{sa.local, sa.remote, sa.cached_response}, transmit_queue_max);
        return;
    }
    if (sa.processing_id == h.message_id) {
        if (!open(sa, from, bytes, m))
            return;
        return drop(DropReason::request_in_progress, from);
    }
    if (h.message_id != sa.peer_next_id)
        return drop(DropReason::unexpected_message_id, from);
    auto inner = open(sa, from, bytes, m);
    if (!inner)
        return;
    if (h.exchange_type == w::ExchangeType::ike_auth && sa.state == SaState::init_responded &&
        h.message_id == 1)
        return on_auth_request(sa, from, *inner, now);
    bool past_auth = sa.state == SaState::established || sa.state == SaState::deleting ||
                     sa.state == SaState::rekeyed;
    if (h.exchange_type == w::ExchangeType::informational && past_auth)
        return on_informational_request(sa, h.message_id, *inner);
    if (h.exchange_type == w::ExchangeType::create_child_sa && past_auth)
        return on_create_child_request(sa, h.message_id, *inner, now);
    return drop(DropReason::unexpected_exchange, from, std::string(w::to_string(h.exchange_type)));
}

std::optional<std::vector<w::Payload>> IkeEndpoint::Impl::open(Sa& sa, Endpoint const& from,
                                                               ByteView bytes,
                                                               w::Message const& m) {
    auto parts = w::protected_parts(bytes, m);
    auto const* sk = m.payloads.empty() ? nullptr : std::get_if<w::Encrypted>(&m.payloads.back());
    if (!parts || sk == nullptr || !sa.in) {
        drop(DropReason::invalid_payloads, from, "no SK payload");
        return std::nullopt;
    }
    auto plain = sa.in->unprotect(parts->prefix, parts->body);
    if (!plain) {
        drop(plain.error().code == Errc::auth_failed ? DropReason::icv_failed
                                                     : DropReason::malformed,
             from, plain.error().message);
        return std::nullopt;
    }
    auto inner =
        w::decode_payload_chain(sk->first_inner, *plain, parts->prefix.size() + sa.in->iv_size());
    if (!inner) {
        drop(DropReason::malformed, from, inner.error().message);
        return std::nullopt;
    }
    sa.remote = from;  // authenticated: the peer may have moved (RFC 7296 §2.23)
    return std::move(*inner);
}

// ---- IkeEndpoint -------------------------------------------------------------------------------

IkeEndpoint::IkeEndpoint(IkeConfig config, crypto::LibContext& lib, IkeOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), lib, std::move(options))) {
    for (auto const& c : impl_->config.connections) {
        NSSLAB_ASSERT(!c.ike_proposals.empty(), "a connection needs an IKE proposal");
        NSSLAB_ASSERT(!c.child_proposals.empty(), "a connection needs a Child SA proposal");
    }
    NSSLAB_ASSERT(impl_->options.nonce_size >= w::min_nonce_size &&
                      impl_->options.nonce_size <= w::max_nonce_size,
                  "nonce_size outside 16..256");
    NSSLAB_ASSERT(impl_->options.retries < 30, "IkeRetries too large");
    impl_->prepare_certreqs();
}

IkeEndpoint::~IkeEndpoint() = default;

void IkeEndpoint::handle_datagram(Endpoint local, Endpoint from, ByteView bytes, TimePoint now) {
    impl_->on_datagram(local, from, bytes, now);
}

void IkeEndpoint::complete_request(std::uint64_t id, ServiceResult result, TimePoint now) {
    Impl& m = *impl_;
    auto it = m.requests.find(id);
    if (it == m.requests.end()) {
        Event e("ike.request_stale");
        e.with("request", id);
        m.emit(std::move(e));
        return;
    }
    SaId sa_id = it->second;
    m.requests.erase(it);
    Sa* sa = m.find(sa_id);
    NSSLAB_ASSERT(sa != nullptr && sa->request == id, "a live request without its SA");
    m.on_completion(*sa, std::move(result), now);
}

std::optional<IkeEndpoint::Transmit> IkeEndpoint::poll_transmit() {
    return core::take_front(impl_->transmits);
}
std::optional<Event> IkeEndpoint::poll_event() {
    return core::take_front(impl_->events);
}
std::optional<core::Secret> IkeEndpoint::poll_secret() {
    return core::take_front(impl_->secrets);
}
std::optional<IkeEndpoint::ServiceRequest> IkeEndpoint::poll_request() {
    return core::take_front(impl_->service_requests);
}

std::optional<SaState> IkeEndpoint::state(SaId id) const {
    auto it = impl_->sas.find(id);
    if (it == impl_->sas.end())
        return std::nullopt;
    return it->second->state;
}

std::size_t IkeEndpoint::sa_count() const {
    return impl_->sas.size();
}
std::size_t IkeEndpoint::half_open_count() const {
    return impl_->half_open;
}
std::uint64_t IkeEndpoint::dropped(DropReason reason) const {
    return impl_->drops[static_cast<std::size_t>(reason)];
}
std::uint64_t IkeEndpoint::dropped_total() const {
    std::uint64_t n = 0;
    for (auto v : impl_->drops)
        n += v;
    return n;
}
std::uint64_t IkeEndpoint::outputs_discarded() const {
    return impl_->discarded;
}

std::vector<ChildSaInfo> IkeEndpoint::children(SaId id) const {
    std::vector<ChildSaInfo> out;
    auto it = impl_->sas.find(id);
    if (it == impl_->sas.end())
        return out;
    for (auto const& c : it->second->children)
        out.push_back(
            ChildSaInfo{c.id, id, c.state, c.suite, c.spi_in, c.spi_out, c.ts_local, c.ts_remote});
    return out;
}

std::optional<ChildSaKeys> IkeEndpoint::child_keys(SaId id, std::uint32_t spi_in) const {
    auto it = impl_->sas.find(id);
    if (it == impl_->sas.end())
        return std::nullopt;
    if (ChildSa const* c = it->second->child_by_spi_in(spi_in))
        return c->keys;
    return std::nullopt;
}

std::uint64_t IkeEndpoint::children_refused() const {
    return impl_->refused_children;
}

std::uint64_t IkeEndpoint::cookies_sent() const {
    return impl_->sent_cookies;
}

}  // namespace nsslab::ike
