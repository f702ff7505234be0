// IkeEndpoint (endpoint.hpp): IKE_SA_INIT, IKE_AUTH and INFORMATIONAL for both roles.
//
//   initiator                                   responder
//   HDR, SAi1, KEi, Ni, [N(SHA)]        -->
//                                       <--    HDR, SAr1, KEr, Nr, [N(SHA)]
//   (keys; sign request if method 14: auth_sign_pending)
//   HDR, SK {IDi, AUTH, SAi2, TSi, TSr} -->
//                                              (verify request: auth_verify_pending,
//                                               sign request: auth_sign_pending)
//                                       <--    HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
//   (verify request: auth_verify_pending)
//   HDR, SK {D(IKE)}                    -->
//                                       <--    HDR, SK {}
#include "nsslab/ike/endpoint.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <span>
#include <unordered_map>
#include <utility>

#include "nsslab/crypto/dh.hpp"
#include "nsslab/crypto/ike_keys.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/crypto/prf.hpp"
#include "nsslab/crypto/sig_alg_id.hpp"
#include "nsslab/crypto/sk_cipher.hpp"
#include "nsslab/wire_ike/codec.hpp"
#include "nsslab/wire_ike/message.hpp"

namespace nsslab::ike {

namespace w = wire_ike;

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

std::string spi_hex(std::uint64_t spi) {
    Bytes b;
    ByteWriter(b).u64(spi);
    return to_hex(b);
}

// IDx' of RFC 7296 §2.15: ID Type | RESERVED (3) | Identification Data.
Bytes id_prime(w::IdType type, ByteView data) {
    Bytes out{static_cast<std::uint8_t>(type), 0, 0, 0};
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

// RealMessage | Nonce(peer) | prf(SK_p, IDx') (RFC 7296 §2.15).
Result<Bytes> signed_octets(crypto::PrfAlgorithm prf, ByteView real_message, ByteView nonce,
                            ByteView sk_p, Bytes const& idx) {
    auto mac = crypto::prf(prf, sk_p, idx);
    if (!mac)
        return mac.error();
    Bytes out(real_message.begin(), real_message.end());
    out.insert(out.end(), nonce.begin(), nonce.end());
    out.insert(out.end(), mac->begin(), mac->end());
    return out;
}

// AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), octets) (RFC 7296 §2.15).
Result<Bytes> psk_auth(crypto::PrfAlgorithm prf, ByteView psk, ByteView octets) {
    auto pad = crypto::prf(prf, psk, as_bytes("Key Pad for IKEv2"));
    if (!pad)
        return pad.error();
    return crypto::prf(prf, *pad, octets);
}

bool equal_constant_time(ByteView a, ByteView b) {
    if (a.size() != b.size())
        return false;
    std::uint8_t diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff = static_cast<std::uint8_t>(diff | (a[i] ^ b[i]));
    return diff == 0;
}

w::Transform encr_transform(crypto::EncryptionAlgorithm encryption) {
    return w::Transform::encr(static_cast<w::EncrId>(crypto::transform_number(encryption)),
                              crypto::key_length_bits(encryption));
}

bool has_transform(w::Proposal const& p, w::TransformType type, std::uint16_t id,
                   std::optional<std::uint16_t> key_bits = {}) {
    return std::any_of(p.transforms.begin(), p.transforms.end(), [&](w::Transform const& t) {
        return t.type == type && t.id == id && (!key_bits || t.key_length() == key_bits);
    });
}

bool has_type(w::Proposal const& p, w::TransformType type) {
    return std::any_of(p.transforms.begin(), p.transforms.end(),
                       [&](w::Transform const& t) { return t.type == type; });
}

std::vector<w::Transform> ike_transforms(IkeProposal const& q) {
    std::vector<w::Transform> t{encr_transform(q.encryption),
                                w::Transform::prf(static_cast<w::PrfId>(q.prf))};
    if (q.integrity != crypto::IntegrityAlgorithm::none)
        t.push_back(w::Transform::integ(static_cast<w::IntegId>(q.integrity)));
    t.push_back(w::Transform::dh(static_cast<w::DhGroup>(q.dh)));
    return t;
}

std::vector<w::Transform> esp_transforms(ChildProposal const& q) {
    std::vector<w::Transform> t{encr_transform(q.encryption)};
    if (q.integrity != crypto::IntegrityAlgorithm::none)
        t.push_back(w::Transform::integ(static_cast<w::IntegId>(q.integrity)));
    t.push_back(w::Transform::esn(w::EsnId::no_esn));
    return t;
}

// Does the peer's proposal offer everything of ours?
bool offers(w::Proposal const& p, IkeProposal const& q) {
    return p.protocol == w::ProtocolId::ike && p.spi.empty() &&
           has_transform(p, w::TransformType::encr, crypto::transform_number(q.encryption),
                         crypto::key_length_bits(q.encryption)) &&
           has_transform(p, w::TransformType::prf, static_cast<std::uint16_t>(q.prf)) &&
           (q.integrity == crypto::IntegrityAlgorithm::none ||
            has_transform(p, w::TransformType::integ, static_cast<std::uint16_t>(q.integrity))) &&
           has_transform(p, w::TransformType::dh, static_cast<std::uint16_t>(q.dh));
}

bool offers(w::Proposal const& p, ChildProposal const& q) {
    return p.protocol == w::ProtocolId::esp && p.spi.size() == 4 &&
           has_transform(p, w::TransformType::encr, crypto::transform_number(q.encryption),
                         crypto::key_length_bits(q.encryption)) &&
           (q.integrity == crypto::IntegrityAlgorithm::none ||
            has_transform(p, w::TransformType::integ, static_cast<std::uint16_t>(q.integrity))) &&
           (!has_type(p, w::TransformType::esn) ||
            has_transform(p, w::TransformType::esn, static_cast<std::uint16_t>(w::EsnId::no_esn)));
}

// A responder's answer: exactly our transforms, so it must equal one configured proposal.
template <class Q>
std::optional<Q> answered(w::SecurityAssociation const& sa, std::vector<Q> const& ours) {
    if (sa.proposals.size() != 1)
        return std::nullopt;
    auto const& p = sa.proposals.front();
    for (auto const& q : ours) {
        std::vector<w::Transform> expected;
        if constexpr (std::is_same_v<Q, IkeProposal>)
            expected = ike_transforms(q);
        else
            expected = esp_transforms(q);
        if (p.transforms.size() == expected.size() &&
            std::all_of(expected.begin(), expected.end(), [&](w::Transform const& t) {
                return has_transform(p, t.type, t.id, t.key_length());
            }))
            return q;
    }
    return std::nullopt;
}

w::TrafficSelector single_address(IpAddress const& a) {
    w::TrafficSelector ts;
    ts.type = a.is_v4() ? w::TsType::ipv4_addr_range : w::TsType::ipv6_addr_range;
    ts.start_address = a;
    ts.end_address = a;
    return ts;
}

template <class Ts>
bool covers(Ts const& ts, IpAddress const& a) {
    return std::any_of(ts.selectors.begin(), ts.selectors.end(), [&](w::TrafficSelector const& s) {
        return s.start_address.family() == a.family() && s.start_address <= a && a <= s.end_address;
    });
}

constexpr std::array<crypto::SignatureHash, 3> announced_hashes{crypto::SignatureHash::sha2_256,
                                                                crypto::SignatureHash::sha2_384,
                                                                crypto::SignatureHash::sha2_512};

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
std::uint32_t esp_spi(Bytes const& spi) {
    return (std::uint32_t{spi[0]} << 24) | (std::uint32_t{spi[1]} << 16) |
           (std::uint32_t{spi[2]} << 8) | spi[3];
}

w::Notify error_notify(w::NotifyType type, Bytes data = {}) {
    w::Notify n;
    n.type = type;
    n.data = std::move(data);
    return n;
}

bool uses_signatures(Connection const& c) {
    return c.local_auth.method == AuthMethod::digital_signature ||
           c.peer_auth.method == AuthMethod::digital_signature;
}

w::AuthMethod wire_method(AuthMethod m) {
    return m == AuthMethod::pre_shared_key ? w::AuthMethod::shared_key_mic
                                           : w::AuthMethod::digital_signature;
}

}  // namespace

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

// ---- the SA ------------------------------------------------------------------------------------

// The request this side has outstanding (window 1) and its retransmission timer.
struct Outstanding {
    bool active{false};
    std::uint32_t message_id{0};
    w::ExchangeType exchange{w::ExchangeType::ike_sa_init};
    Bytes datagram;
    unsigned retransmits{0};
    TimePoint deadline{};
};

struct IkeEndpoint::Sa {
    SaId id{0};
    Role role{Role::initiator};
    SaState state{SaState::init_sent};
    std::size_t connection{0};  // index into IkeConfig::connections
    Endpoint local;
    Endpoint remote;
    std::uint64_t spi_i{0};
    std::uint64_t spi_r{0};
    IkeProposal suite;
    std::optional<crypto::DhKey> dh;
    Bytes ni, nr;
    Bytes init_request;   // RealMessage1, as sent / received (no marker)
    Bytes init_response;  // RealMessage2
    crypto::IkeSaKeys keys;
    std::optional<crypto::SkCipher> out;  // our direction
    std::optional<crypto::SkCipher> in;   // the peer's
    std::vector<crypto::SignatureHash> peer_hashes;

    // Window 1 (RFC 7296 §2.3).
    std::uint32_t next_request_id{0};  // of our next request
    Outstanding outstanding;
    std::uint32_t peer_next_id{0};  // of the peer's next request
    std::optional<std::uint32_t> cached_id;
    Bytes cached_response;                       // datagram
    std::optional<std::uint32_t> processing_id;  // peer request answered once a request completes

    // The one outstanding ServiceRequest.
    std::uint64_t request{0};
    TimePoint request_deadline{};
    TimePoint half_open_deadline{};

    // The first Child SA.
    std::uint32_t child_spi_local{0};
    std::uint32_t child_spi_peer{0};
    std::optional<ChildProposal> child;
    std::uint8_t child_number{1};              // responder: the accepted proposal's number
    std::optional<w::NotifyType> child_error;  // why the responder refused it

    bool half_open() const {
        return role == Role::responder &&
               (state == SaState::init_responded || state == SaState::auth_verify_pending ||
                state == SaState::auth_sign_pending);
    }
};

struct IkeEndpoint::Impl {
    IkeConfig config;
    crypto::LibContext& lib;
    IkeOptions options;

    std::map<SaId, std::unique_ptr<Sa>> sas;
    std::unordered_map<std::uint64_t, SaId> by_spi;  // our SPI -> SA
    // Responder SAs by the peer's SPIi, for IKE_SA_INIT retransmissions (RFC 7296 §2.1).
    std::unordered_map<std::uint64_t, SaId> responder_by_spi_i;
    std::size_t half_open{0};                // responder SAs not yet established (Sa::half_open())
    std::map<std::uint64_t, SaId> requests;  // ServiceRequest id -> SA
    SaId next_sa{1};
    std::uint64_t next_request{1};

    std::deque<Transmit> transmits;
    std::deque<Event> events;
    std::deque<core::Secret> secrets;
    std::deque<ServiceRequest> service_requests;
    std::array<std::uint64_t, drop_reason_count> drops{};
    std::uint64_t discarded{0};

    Impl(IkeConfig c, crypto::LibContext& l, IkeOptions o)
        : config(std::move(c)), lib(l), options(std::move(o)) {}

    Duration auth_wait_limit() const {
        if (options.auth_wait_limit)
            return *options.auth_wait_limit;
        return options.init_wait * ((std::int64_t{2} << options.retries) - 1);
    }

    // ---- outputs ----
    template <class T>
    void push(std::deque<T>& q, T item, std::size_t max) {
        if (q.size() >= max) {
            ++discarded;
            return;
        }
        q.push_back(std::move(item));
    }
    void emit(Event e) { push(events, std::move(e), event_queue_max); }

    Event sa_event(std::string name, Sa const& sa) {
        Event e(std::move(name));
        e.with("sa", sa.id)
            .with("connection", config.connections[sa.connection].name)
            .with("role", to_string(sa.role));
        return e;
    }

    void drop(DropReason reason, Endpoint const& from, std::string detail = {}) {
        auto& n = drops[static_cast<std::size_t>(reason)];
        ++n;
        Event e("ike.datagram_dropped");
        e.with("reason", to_string(reason)).with("count", n).with("from", from.to_string());
        if (!detail.empty())
            e.with("detail", detail);
        emit(std::move(e));
    }

    // The UDP payload for an IKE message: after a non-ESP marker when either port is not 500
    // (charon's rule, DESIGN.md §2).
    static Bytes datagram_of(Endpoint const& local, Endpoint const& remote, Bytes message) {
        if (local.port != 500 || remote.port != 500)
            return w::add_non_esp_marker(message);
        return message;
    }

    void send_datagram(Endpoint const& local, Endpoint const& remote, Bytes message) {
        push(transmits, Transmit{local, remote, datagram_of(local, remote, std::move(message))},
             transmit_queue_max);
    }

    Result<std::uint64_t> random_u64() {
        std::array<std::uint8_t, 8> b{};
        if (auto r = lib.random_bytes(b); !r)
            return r.error();
        std::uint64_t v = 0;
        for (auto x : b)
            v = (v << 8) | x;
        return v;
    }
    Result<Bytes> random_bytes(std::size_t n) {
        Bytes b(n);
        if (auto r = lib.random_bytes(b); !r)
            return r.error();
        return b;
    }
    Result<std::uint64_t> fresh_spi() {
        for (;;) {
            auto v = random_u64();
            if (!v)
                return v.error();
            if (*v != 0 && !by_spi.contains(*v))
                return *v;
        }
    }
    Result<std::uint32_t> fresh_child_spi() {
        for (;;) {
            auto v = random_u64();
            if (!v)
                return v.error();
            auto spi = static_cast<std::uint32_t>(*v);
            if (spi >= 256)  // 1..255 are reserved (RFC 4303 §2.1)
                return spi;
        }
    }

    std::uint64_t local_spi(Sa const& sa) const {
        return sa.role == Role::initiator ? sa.spi_i : sa.spi_r;
    }

    Sa* find(SaId id) {
        auto it = sas.find(id);
        return it == sas.end() ? nullptr : it->second.get();
    }

    void remove(Sa& sa) {
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
        sas.erase(id);
    }

    void fail(Sa& sa, std::string event, std::string reason) {
        Event e = sa_event(std::move(event), sa);
        e.with("state", to_string(sa.state)).with("reason", std::move(reason));
        emit(std::move(e));
        remove(sa);
    }

    w::Header header(Sa const& sa, w::ExchangeType exchange, bool response,
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

    // HDR, SK {inner}.
    Result<Bytes> seal(Sa& sa, w::Header const& h, std::vector<w::Payload> const& inner) {
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

    // Sends a request and arms its retransmission.
    void send_request(Sa& sa, w::ExchangeType exchange, Bytes message, TimePoint now) {
        std::uint32_t id = sa.next_request_id++;
        Bytes datagram = datagram_of(sa.local, sa.remote, std::move(message));
        sa.outstanding = Outstanding{true, id, exchange, datagram, 0, now + options.init_wait};
        push(transmits, Transmit{sa.local, sa.remote, std::move(datagram)}, transmit_queue_max);
    }

    void send_response(Sa& sa, std::uint32_t id, Bytes message) {
        Bytes datagram = datagram_of(sa.local, sa.remote, std::move(message));
        sa.cached_id = id;
        sa.cached_response = datagram;
        sa.peer_next_id = id + 1;
        sa.processing_id.reset();
        push(transmits, Transmit{sa.local, sa.remote, std::move(datagram)}, transmit_queue_max);
    }

    void ask(Sa& sa, std::variant<SignRequest, VerifyRequest> op, TimePoint now) {
        std::uint64_t id = next_request++;
        sa.request = id;
        sa.request_deadline = now + auth_wait_limit();
        requests[id] = sa.id;
        push(service_requests, ServiceRequest{id, sa.id, std::move(op)}, request_queue_max);
    }

    Result<void> derive_keys(Sa& sa, ByteView peer_ke) {
        auto g_ir = sa.dh->shared_secret(peer_ke);
        if (!g_ir)
            return g_ir.error();
        sa.dh.reset();  // the private value is not needed any more
        crypto::IkeSaSuite suite{sa.suite.encryption, sa.suite.integrity, sa.suite.prf};
        auto seed = crypto::derive_skeyseed(sa.suite.prf, sa.ni, sa.nr, *g_ir);
        if (!seed)
            return seed.error();
        auto keys = crypto::derive_ike_sa_keys(suite, *seed, sa.ni, sa.nr, sa.spi_i, sa.spi_r);
        if (!keys)
            return keys.error();
        sa.keys = std::move(*keys);
        bool init = sa.role == Role::initiator;
        auto out = crypto::SkCipher::create(sa.suite.encryption, sa.suite.integrity,
                                            init ? sa.keys.sk_ei : sa.keys.sk_er,
                                            init ? sa.keys.sk_ai : sa.keys.sk_ar);
        if (!out)
            return out.error();
        auto in = crypto::SkCipher::create(sa.suite.encryption, sa.suite.integrity,
                                           init ? sa.keys.sk_er : sa.keys.sk_ei,
                                           init ? sa.keys.sk_ar : sa.keys.sk_ai);
        if (!in)
            return in.error();
        sa.out = std::move(*out);
        sa.in = std::move(*in);
        push(secrets,
             core::Secret{
                 core::Secret::Kind::ike_sa,
                 decryption_table_line(sa.spi_i, sa.spi_r, sa.suite.encryption, sa.suite.integrity,
                                       sa.keys.sk_ei, sa.keys.sk_er, sa.keys.sk_ai, sa.keys.sk_ar)},
             secret_queue_max);
        return {};
    }

    // ---- the datagram path ----
    void on_datagram(Endpoint const& local, Endpoint const& from, ByteView bytes, TimePoint now);
    void on_init_request(Endpoint const& local, Endpoint const& from, ByteView bytes,
                         w::Message const& m, TimePoint now);
    void on_init_response(Sa& sa, Endpoint const& from, ByteView bytes, w::Message const& m,
                          TimePoint now);
    std::optional<std::vector<w::Payload>> open(Sa& sa, Endpoint const& from, ByteView bytes,
                                                w::Message const& m);
    void on_auth_request(Sa& sa, Endpoint const& from, std::vector<w::Payload> const& inner,
                         TimePoint now);
    void on_auth_response(Sa& sa, Endpoint const& from, std::vector<w::Payload> const& inner,
                          TimePoint now);
    void on_informational_request(Sa& sa, std::uint32_t id, std::vector<w::Payload> const& inner);

    // ---- the AUTH steps ----
    void start_auth(Sa& sa, TimePoint now);
    void send_auth_request(Sa& sa, ByteView auth_data, TimePoint now);
    void check_peer_auth(Sa& sa, w::Authentication const& auth, Bytes const& peer_idx,
                         TimePoint now);
    void peer_authenticated(Sa& sa, TimePoint now);
    void send_auth_response(Sa& sa, ByteView auth_data);
    void auth_failed(Sa& sa, std::string side, std::string reason);
    void established(Sa& sa);
    void on_completion(Sa& sa, ServiceResult result, TimePoint now);

    Bytes own_idx(Sa const& sa) const {
        auto const& id = config.connections[sa.connection].local_id;
        return id_prime(id.type, id.data);
    }
};

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
            e.with("reason", "local");
            emit(std::move(e));
            return remove(sa);
        }
        return;  // an answer to a liveness check: nothing more
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
    if (h.exchange_type == w::ExchangeType::informational &&
        (sa.state == SaState::established || sa.state == SaState::deleting))
        return on_informational_request(sa, h.message_id, *inner);
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

void IkeEndpoint::Impl::on_init_request(Endpoint const& local, Endpoint const& from, ByteView bytes,
                                        w::Message const& m, TimePoint now) {
    w::Header const& h = m.header;
    if (auto it = responder_by_spi_i.find(h.spi_i); it != responder_by_spi_i.end()) {
        Sa& sa = *sas.at(it->second);
        if (!std::equal(bytes.begin(), bytes.end(), sa.init_request.begin(), sa.init_request.end()))
            return drop(DropReason::spi_collision, from);
        if (!sa.cached_id || *sa.cached_id != 0)  // the SA is past IKE_SA_INIT
            return drop(DropReason::unexpected_message_id, from, "IKE_SA_INIT of an SA past it");
        Event e = sa_event("ike.retransmit_answered", sa);
        e.with("exchange", "IKE_SA_INIT").with("message_id", 0);
        emit(std::move(e));
        push(transmits, Transmit{sa.local, sa.remote, sa.cached_response}, transmit_queue_max);
        return;
    }
    if (h.message_id != 0)
        return drop(DropReason::unexpected_message_id, from);
    auto conn_it = std::find_if(
        config.connections.begin(), config.connections.end(), [&](Connection const& c) {
            return c.local.address == local.address && c.remote.address == from.address;
        });
    if (conn_it == config.connections.end())
        return drop(DropReason::no_connection, from);
    if (half_open >= options.half_open_max)
        return drop(DropReason::half_open_limit, from);
    if (sas.size() >= options.sas_max)
        return drop(DropReason::sa_limit, from);
    auto const* sa_payload = w::find_payload<w::SecurityAssociation>(m.payloads);
    auto const* ke = w::find_payload<w::KeyExchange>(m.payloads);
    auto const* nonce = w::find_payload<w::Nonce>(m.payloads);
    if (sa_payload == nullptr || ke == nullptr || nonce == nullptr)
        return drop(DropReason::invalid_payloads, from, "IKE_SA_INIT without SA, KE or Nonce");
    Connection const& conn = *conn_it;

    // An unauthenticated error answer keeps no state.
    auto refuse = [&](w::NotifyType type, Bytes data, std::string reason) {
        w::Message answer;
        answer.header = h;
        answer.header.spi_r = 0;
        answer.header.initiator = false;
        answer.header.response = true;
        answer.payloads.push_back(error_notify(type, std::move(data)));
        send_datagram(local, from, w::encode(answer));
        Event e("ike.negotiation_failed");
        e.with("connection", conn.name)
            .with("role", "responder")
            .with("notify", w::to_string(type))
            .with("reason", std::move(reason));
        emit(std::move(e));
    };

    std::optional<IkeProposal> chosen;
    std::uint8_t number = 0;
    for (auto const& p : sa_payload->proposals) {
        for (auto const& q : conn.ike_proposals) {
            if (offers(p, q)) {
                chosen = q;
                number = p.number;
                break;
            }
        }
        if (chosen)
            break;
    }
    if (!chosen)
        return refuse(w::NotifyType::no_proposal_chosen, {}, "no acceptable IKE proposal");
    if (static_cast<std::uint16_t>(ke->group) != static_cast<std::uint16_t>(chosen->dh)) {
        Bytes group;
        ByteWriter(group).u16(static_cast<std::uint16_t>(chosen->dh));
        return refuse(w::NotifyType::invalid_ke_payload, std::move(group),
                      "KE group " + std::string(w::to_string(ke->group)) + ", chosen " +
                          std::string(crypto::to_string(chosen->dh)));
    }

    auto sa_ptr = std::make_unique<Sa>();
    Sa& sa = *sa_ptr;
    sa.id = next_sa++;
    sa.role = Role::responder;
    sa.state = SaState::init_responded;
    sa.connection = static_cast<std::size_t>(conn_it - config.connections.begin());
    sa.local = local;
    sa.remote = from;
    sa.spi_i = h.spi_i;
    sa.suite = *chosen;
    sa.ni = nonce->data;
    sa.init_request.assign(bytes.begin(), bytes.end());
    sa.peer_hashes = peer_signature_hashes(m.payloads);
    auto spi = fresh_spi();
    auto nr = random_bytes(options.nonce_size);
    auto dh = crypto::DhKey::generate(lib, chosen->dh);
    if (!spi || !nr || !dh)
        return drop(DropReason::invalid_payloads, from, "local randomness or DH failed");
    sa.spi_r = *spi;
    sa.nr = std::move(*nr);
    sa.dh.emplace(std::move(*dh));
    Bytes ker(sa.dh->public_value().begin(), sa.dh->public_value().end());
    if (auto r = derive_keys(sa, ke->data); !r)
        return drop(DropReason::invalid_payloads, from, r.error().message);

    w::Message answer;
    answer.header = header(sa, w::ExchangeType::ike_sa_init, true, 0);
    w::Proposal p{number, w::ProtocolId::ike, {}, ike_transforms(*chosen)};
    answer.payloads.push_back(w::SecurityAssociation{{p}});
    answer.payloads.push_back(w::KeyExchange{ke->group, std::move(ker)});
    answer.payloads.push_back(w::Nonce{sa.nr});
    if (uses_signatures(conn) && !sa.peer_hashes.empty())
        answer.payloads.push_back(signature_hash_notify());
    sa.init_response = w::encode(answer);
    sa.peer_next_id = 0;
    sa.half_open_deadline = now + options.half_open_timeout;
    by_spi[sa.spi_r] = sa.id;
    responder_by_spi_i[sa.spi_i] = sa.id;
    ++half_open;
    send_response(sa, 0, sa.init_response);
    Event e = sa_event("ike.sa_init_answered", sa);
    e.with("proposal", to_string(*chosen)).with("from", from.to_string());
    emit(std::move(e));
    sas.emplace(sa.id, std::move(sa_ptr));
}

void IkeEndpoint::Impl::on_init_response(Sa& sa, Endpoint const& from, ByteView bytes,
                                         w::Message const& m, TimePoint now) {
    if (sa.state != SaState::init_sent)
        return drop(DropReason::unexpected_exchange, from);
    for (auto const& p : m.payloads) {
        auto const* n = std::get_if<w::Notify>(&p);
        if (n != nullptr && static_cast<std::uint16_t>(n->type) < 16384)
            return fail(sa, "ike.negotiation_failed",
                        "peer sent " + std::string(w::to_string(n->type)));
    }
    Connection const& conn = config.connections[sa.connection];
    auto const* sa_payload = w::find_payload<w::SecurityAssociation>(m.payloads);
    auto const* ke = w::find_payload<w::KeyExchange>(m.payloads);
    auto const* nonce = w::find_payload<w::Nonce>(m.payloads);
    if (sa_payload == nullptr || ke == nullptr || nonce == nullptr || m.header.spi_r == 0)
        return drop(DropReason::invalid_payloads, from, "IKE_SA_INIT response incomplete");
    auto chosen = answered(*sa_payload, conn.ike_proposals);
    if (!chosen || chosen->dh != sa.dh->group() ||
        static_cast<std::uint16_t>(ke->group) != static_cast<std::uint16_t>(chosen->dh))
        return drop(DropReason::invalid_payloads, from, "the chosen proposal was not offered");
    sa.suite = *chosen;
    sa.spi_r = m.header.spi_r;
    sa.nr = nonce->data;
    sa.init_response.assign(bytes.begin(), bytes.end());
    sa.peer_hashes = peer_signature_hashes(m.payloads);
    if (auto r = derive_keys(sa, ke->data); !r)
        return fail(sa, "ike.negotiation_failed", r.error().message);
    sa.outstanding.active = false;
    start_auth(sa, now);
}

void IkeEndpoint::Impl::start_auth(Sa& sa, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    bool init = sa.role == Role::initiator;
    auto octets =
        signed_octets(sa.suite.prf, init ? sa.init_request : sa.init_response, init ? sa.nr : sa.ni,
                      init ? sa.keys.sk_pi : sa.keys.sk_pr, own_idx(sa));
    if (!octets)
        return fail(sa, "ike.negotiation_failed", octets.error().message);
    if (conn.local_auth.method == AuthMethod::pre_shared_key) {
        auto auth = psk_auth(sa.suite.prf, conn.local_auth.psk, *octets);
        if (!auth)
            return fail(sa, "ike.negotiation_failed", auth.error().message);
        return init ? send_auth_request(sa, *auth, now) : send_auth_response(sa, *auth);
    }
    auto hash = crypto::signature_hash_of(conn.local_auth.scheme);
    if (std::find(sa.peer_hashes.begin(), sa.peer_hashes.end(), hash) == sa.peer_hashes.end())
        return auth_failed(
            sa, "local",
            "the peer's SIGNATURE_HASH_ALGORITHMS lack " + std::string(crypto::to_string(hash)));
    sa.state = SaState::auth_sign_pending;
    ask(sa, SignRequest{conn.local_auth.key_label, conn.local_auth.scheme, std::move(*octets)},
        now);
}

void IkeEndpoint::Impl::send_auth_request(Sa& sa, ByteView auth_data, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    auto spi = fresh_child_spi();
    if (!spi)
        return fail(sa, "ike.negotiation_failed", spi.error().message);
    sa.child_spi_local = *spi;
    std::vector<w::Payload> inner;
    inner.push_back(w::IdI{conn.local_id.type, conn.local_id.data});
    inner.push_back(w::Authentication{wire_method(conn.local_auth.method),
                                      Bytes(auth_data.begin(), auth_data.end())});
    w::SecurityAssociation child;
    Bytes spi_bytes;
    ByteWriter(spi_bytes).u32(sa.child_spi_local);
    std::uint8_t number = 1;
    for (auto const& q : conn.child_proposals)
        child.proposals.push_back(
            w::Proposal{number++, w::ProtocolId::esp, spi_bytes, esp_transforms(q)});
    inner.push_back(std::move(child));
    inner.push_back(w::TsI{{single_address(conn.local.address)}});
    inner.push_back(w::TsR{{single_address(conn.remote.address)}});
    auto message =
        seal(sa, header(sa, w::ExchangeType::ike_auth, false, sa.next_request_id), inner);
    if (!message)
        return fail(sa, "ike.negotiation_failed", message.error().message);
    sa.state = SaState::auth_sent;
    send_request(sa, w::ExchangeType::ike_auth, std::move(*message), now);
}

void IkeEndpoint::Impl::on_auth_request(Sa& sa, Endpoint const& from,
                                        std::vector<w::Payload> const& inner, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    auto const* idi = w::find_payload<w::IdI>(inner);
    auto const* auth = w::find_payload<w::Authentication>(inner);
    auto const* child = w::find_payload<w::SecurityAssociation>(inner);
    auto const* tsi = w::find_payload<w::TsI>(inner);
    auto const* tsr = w::find_payload<w::TsR>(inner);
    if (idi == nullptr || auth == nullptr)
        return drop(DropReason::invalid_payloads, from, "IKE_AUTH request without IDi or AUTH");
    sa.processing_id = 1;
    // The first Child SA: the first of the peer's proposals we accept.
    if (child == nullptr || tsi == nullptr || tsr == nullptr) {
        sa.child_error = w::NotifyType::invalid_syntax;
    } else if (!covers(*tsi, conn.remote.address) || !covers(*tsr, conn.local.address)) {
        sa.child_error = w::NotifyType::ts_unacceptable;
    } else {
        for (auto const& p : child->proposals) {
            for (auto const& q : conn.child_proposals) {
                if (offers(p, q)) {
                    sa.child = q;
                    sa.child_number = p.number;
                    sa.child_spi_peer = esp_spi(p.spi);
                    break;
                }
            }
            if (sa.child)
                break;
        }
        if (!sa.child)
            sa.child_error = w::NotifyType::no_proposal_chosen;
    }
    if (idi->id_type != conn.remote_id.type || idi->data != conn.remote_id.data)
        return auth_failed(sa, "peer",
                           "IDi " + Identity{idi->id_type, idi->data}.to_string() + " is not " +
                               conn.remote_id.to_string());
    check_peer_auth(sa, *auth, id_prime(idi->id_type, idi->data), now);
}

void IkeEndpoint::Impl::on_auth_response(Sa& sa, Endpoint const& from,
                                         std::vector<w::Payload> const& inner, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    if (w::find_notify(inner, w::NotifyType::authentication_failed) != nullptr)
        return auth_failed(sa, "local", "the peer sent AUTHENTICATION_FAILED");
    auto const* idr = w::find_payload<w::IdR>(inner);
    auto const* auth = w::find_payload<w::Authentication>(inner);
    if (idr == nullptr || auth == nullptr) {
        sa.outstanding.active = true;  // still waiting for a proper answer
        return drop(DropReason::invalid_payloads, from, "IKE_AUTH response without IDr or AUTH");
    }
    sa.next_request_id = 2;
    if (auto const* child = w::find_payload<w::SecurityAssociation>(inner)) {
        sa.child = answered(*child, conn.child_proposals);
        if (sa.child) {
            auto const& spi = child->proposals.front().spi;
            if (spi.size() == 4)
                sa.child_spi_peer = esp_spi(spi);
            else
                sa.child.reset();
        }
    }
    if (!sa.child) {
        for (auto const& p : inner)
            if (auto const* n = std::get_if<w::Notify>(&p);
                n != nullptr && static_cast<std::uint16_t>(n->type) < 16384)
                sa.child_error = n->type;
        if (!sa.child_error)
            sa.child_error = w::NotifyType::no_proposal_chosen;
    }
    if (idr->id_type != conn.remote_id.type || idr->data != conn.remote_id.data)
        return auth_failed(sa, "peer",
                           "IDr " + Identity{idr->id_type, idr->data}.to_string() + " is not " +
                               conn.remote_id.to_string());
    check_peer_auth(sa, *auth, id_prime(idr->id_type, idr->data), now);
}

void IkeEndpoint::Impl::check_peer_auth(Sa& sa, w::Authentication const& auth,
                                        Bytes const& peer_idx, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    bool init = sa.role == Role::initiator;
    // The peer signed its own RealMessage, our nonce and its ID under its SK_p.
    auto octets =
        signed_octets(sa.suite.prf, init ? sa.init_response : sa.init_request, init ? sa.ni : sa.nr,
                      init ? sa.keys.sk_pr : sa.keys.sk_pi, peer_idx);
    if (!octets)
        return fail(sa, "ike.negotiation_failed", octets.error().message);
    if (auth.method != wire_method(conn.peer_auth.method))
        return auth_failed(sa, "peer",
                           "AUTH method " + std::string(w::to_string(auth.method)) + ", expected " +
                               std::string(w::to_string(wire_method(conn.peer_auth.method))));
    if (conn.peer_auth.method == AuthMethod::pre_shared_key) {
        auto expected = psk_auth(sa.suite.prf, conn.peer_auth.psk, *octets);
        if (!expected)
            return fail(sa, "ike.negotiation_failed", expected.error().message);
        if (!equal_constant_time(*expected, auth.data))
            return auth_failed(sa, "peer", "pre-shared key AUTH does not match");
        return peer_authenticated(sa, now);
    }
    auto parsed = crypto::parse_signature_auth_data(auth.data);
    if (!parsed)
        return auth_failed(sa, "peer", "AUTH data: " + parsed.error().message);
    auto hash = crypto::signature_hash_of(parsed->scheme);
    if (std::find(announced_hashes.begin(), announced_hashes.end(), hash) == announced_hashes.end())
        return auth_failed(
            sa, "peer",
            "signature hash " + std::string(crypto::to_string(hash)) + " was not announced");
    sa.state = SaState::auth_verify_pending;
    ask(sa,
        VerifyRequest{parsed->scheme, std::move(*octets),
                      Bytes(parsed->signature.begin(), parsed->signature.end()),
                      conn.peer_auth.certificate_chain},
        now);
}

void IkeEndpoint::Impl::peer_authenticated(Sa& sa, TimePoint now) {
    if (sa.role == Role::initiator)
        return established(sa);
    start_auth(sa, now);  // the responder's own AUTH
}

void IkeEndpoint::Impl::send_auth_response(Sa& sa, ByteView auth_data) {
    Connection const& conn = config.connections[sa.connection];
    std::vector<w::Payload> inner;
    inner.push_back(w::IdR{conn.local_id.type, conn.local_id.data});
    inner.push_back(w::Authentication{wire_method(conn.local_auth.method),
                                      Bytes(auth_data.begin(), auth_data.end())});
    if (sa.child) {
        auto spi = fresh_child_spi();
        if (!spi)
            return fail(sa, "ike.negotiation_failed", spi.error().message);
        sa.child_spi_local = *spi;
        Bytes spi_bytes;
        ByteWriter(spi_bytes).u32(sa.child_spi_local);
        // The accepted proposal keeps the peer's number (RFC 7296 §3.3.1).
        inner.push_back(w::SecurityAssociation{{w::Proposal{
            sa.child_number, w::ProtocolId::esp, spi_bytes, esp_transforms(*sa.child)}}});
        inner.push_back(w::TsI{{single_address(conn.remote.address)}});
        inner.push_back(w::TsR{{single_address(conn.local.address)}});
    } else {
        inner.push_back(error_notify(sa.child_error.value_or(w::NotifyType::no_proposal_chosen)));
    }
    auto message = seal(sa, header(sa, w::ExchangeType::ike_auth, true, 1), inner);
    if (!message)
        return fail(sa, "ike.negotiation_failed", message.error().message);
    send_response(sa, 1, std::move(*message));
    established(sa);
}

void IkeEndpoint::Impl::auth_failed(Sa& sa, std::string side, std::string reason) {
    // The responder answers IKE_AUTH with AUTHENTICATION_FAILED (RFC 7296 §2.21.2).
    if (sa.role == Role::responder && sa.processing_id == 1 && sa.out) {
        auto message = seal(sa, header(sa, w::ExchangeType::ike_auth, true, 1),
                            {error_notify(w::NotifyType::authentication_failed)});
        if (message)
            send_response(sa, 1, std::move(*message));
    }
    Event e = sa_event("ike.auth_failed", sa);
    e.with("side", std::move(side)).with("state", to_string(sa.state)).with("reason", reason);
    emit(std::move(e));
    remove(sa);
}

void IkeEndpoint::Impl::established(Sa& sa) {
    Connection const& conn = config.connections[sa.connection];
    if (sa.half_open())
        --half_open;
    sa.state = SaState::established;
    sa.request = 0;
    Event e = sa_event("ike.sa_established", sa);
    e.with("spi_i", spi_hex(sa.spi_i))
        .with("spi_r", spi_hex(sa.spi_r))
        .with("proposal", to_string(sa.suite))
        .with("local_auth", to_string(conn.local_auth.method))
        .with("peer_auth", to_string(conn.peer_auth.method))
        .with("local", sa.local.to_string())
        .with("remote", sa.remote.to_string());
    if (sa.child) {
        bool init = sa.role == Role::initiator;
        e.with("child", to_string(*sa.child))
            .with("child_spi_i", init ? sa.child_spi_local : sa.child_spi_peer)
            .with("child_spi_r", init ? sa.child_spi_peer : sa.child_spi_local);
    } else {
        e.with("child", "none")
            .with("child_error",
                  w::to_string(sa.child_error.value_or(w::NotifyType::no_proposal_chosen)));
    }
    emit(std::move(e));
}

void IkeEndpoint::Impl::on_informational_request(Sa& sa, std::uint32_t id,
                                                 std::vector<w::Payload> const& inner) {
    bool delete_ike = false;
    for (auto const& p : inner)
        if (auto const* d = std::get_if<w::Delete>(&p);
            d != nullptr && d->protocol == w::ProtocolId::ike)
            delete_ike = true;
    auto message = seal(sa, header(sa, w::ExchangeType::informational, true, id), {});
    if (message)
        send_response(sa, id, std::move(*message));
    if (delete_ike) {
        Event e = sa_event("ike.sa_deleted", sa);
        e.with("reason", "peer");
        emit(std::move(e));
        remove(sa);
    }
}

void IkeEndpoint::Impl::on_completion(Sa& sa, ServiceResult result, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    sa.request = 0;
    if (sa.state == SaState::auth_sign_pending) {
        if (!result)
            return auth_failed(sa, "local", "signing failed: " + result.error().message);
        Bytes data = crypto::signature_auth_data(conn.local_auth.scheme, *result);
        if (sa.role == Role::initiator)
            return send_auth_request(sa, data, now);
        return send_auth_response(sa, data);
    }
    if (sa.state == SaState::auth_verify_pending) {
        if (!result)
            return auth_failed(sa, "peer",
                               "signature verification failed: " + result.error().message);
        return peer_authenticated(sa, now);
    }
    NSSLAB_ASSERT(false, "a request completed in a state that has none");
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
}

IkeEndpoint::~IkeEndpoint() = default;

void IkeEndpoint::handle_datagram(Endpoint local, Endpoint from, ByteView bytes, TimePoint now) {
    impl_->on_datagram(local, from, bytes, now);
}

Result<SaId> IkeEndpoint::initiate(std::string_view connection, TimePoint now) {
    Impl& m = *impl_;
    auto it = std::find_if(m.config.connections.begin(), m.config.connections.end(),
                           [&](Connection const& c) { return c.name == connection; });
    if (it == m.config.connections.end())
        return fail(Errc::not_found, "ike: no connection named " + std::string(connection));
    if (m.sas.size() >= m.options.sas_max)
        return fail(Errc::limit_exceeded, "ike: sas_max SAs exist");
    auto sa_ptr = std::make_unique<Sa>();
    Sa& sa = *sa_ptr;
    sa.id = m.next_sa++;
    sa.role = Role::initiator;
    sa.state = SaState::init_sent;
    sa.connection = static_cast<std::size_t>(it - m.config.connections.begin());
    sa.local = it->local;
    sa.remote = it->remote;
    sa.suite = it->ike_proposals.front();
    auto spi = m.fresh_spi();
    if (!spi)
        return spi.error();
    auto ni = m.random_bytes(m.options.nonce_size);
    if (!ni)
        return ni.error();
    auto dh = crypto::DhKey::generate(m.lib, sa.suite.dh);
    if (!dh)
        return dh.error();
    sa.spi_i = *spi;
    sa.ni = std::move(*ni);
    sa.dh.emplace(std::move(*dh));

    w::Message request;
    request.header = m.header(sa, w::ExchangeType::ike_sa_init, false, 0);
    w::SecurityAssociation offer;
    std::uint8_t number = 1;
    for (auto const& q : it->ike_proposals)
        offer.proposals.push_back(w::Proposal{number++, w::ProtocolId::ike, {}, ike_transforms(q)});
    request.payloads.push_back(std::move(offer));
    request.payloads.push_back(
        w::KeyExchange{static_cast<w::DhGroup>(sa.suite.dh),
                       Bytes(sa.dh->public_value().begin(), sa.dh->public_value().end())});
    request.payloads.push_back(w::Nonce{sa.ni});
    if (uses_signatures(*it))
        request.payloads.push_back(signature_hash_notify());
    sa.init_request = w::encode(request);
    m.by_spi[sa.spi_i] = sa.id;
    SaId id = sa.id;
    m.send_request(sa, w::ExchangeType::ike_sa_init, sa.init_request, now);
    Event e = m.sa_event("ike.sa_init_sent", sa);
    e.with("spi_i", spi_hex(sa.spi_i)).with("remote", sa.remote.to_string());
    m.emit(std::move(e));
    m.sas.emplace(id, std::move(sa_ptr));
    return id;
}

Result<void> IkeEndpoint::delete_sa(SaId id, TimePoint now) {
    Impl& m = *impl_;
    Sa* sa = m.find(id);
    if (sa == nullptr)
        return fail(Errc::not_found, "ike: no SA " + std::to_string(id));
    if (sa->state != SaState::established || sa->outstanding.active) {
        Event e = m.sa_event("ike.sa_deleted", *sa);
        e.with("reason", "local, not established");
        m.emit(std::move(e));
        m.remove(*sa);
        return {};
    }
    w::Delete d;
    d.protocol = w::ProtocolId::ike;
    auto message =
        m.seal(*sa, m.header(*sa, w::ExchangeType::informational, false, sa->next_request_id), {d});
    if (!message)
        return message.error();
    sa->state = SaState::deleting;
    m.send_request(*sa, w::ExchangeType::informational, std::move(*message), now);
    return {};
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

void IkeEndpoint::handle_timeout(TimePoint now) {
    Impl& m = *impl_;
    std::vector<SaId> ids;
    ids.reserve(m.sas.size());
    for (auto const& [id, sa] : m.sas)
        ids.push_back(id);
    for (SaId id : ids) {
        Sa* sa = m.find(id);
        if (sa == nullptr)
            continue;
        if (sa->request != 0 && sa->request_deadline <= now) {
            m.fail(*sa, "ike.auth_wait_timeout",
                   "no answer to request " + std::to_string(sa->request) + " within " +
                       format_seconds(m.auth_wait_limit()) + " s");
            continue;
        }
        if (sa->state == SaState::init_responded && sa->half_open_deadline <= now) {
            m.fail(*sa, "ike.half_open_timeout", "no IKE_AUTH request");
            continue;
        }
        Outstanding& o = sa->outstanding;
        if (!o.active || o.deadline > now)
            continue;
        if (o.retransmits >= m.options.retries) {
            Event e = m.sa_event("ike.retransmit_timeout", *sa);
            e.with("exchange", w::to_string(o.exchange))
                .with("message_id", o.message_id)
                .with("local", sa->local.to_string())
                .with("remote", sa->remote.to_string())
                .with("retransmits", o.retransmits);
            m.emit(std::move(e));
            m.remove(*sa);
            continue;
        }
        ++o.retransmits;
        o.deadline = now + m.options.init_wait * (std::int64_t{1} << o.retransmits);
        Event e = m.sa_event("ike.retransmit", *sa);
        e.with("exchange", w::to_string(o.exchange))
            .with("message_id", o.message_id)
            .with("attempt", o.retransmits);
        m.emit(std::move(e));
        m.push(m.transmits, Transmit{sa->local, sa->remote, o.datagram}, transmit_queue_max);
    }
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

std::optional<TimePoint> IkeEndpoint::next_timeout() const {
    std::optional<TimePoint> next;
    auto consider = [&](TimePoint t) {
        if (!next || t < *next)
            next = t;
    };
    for (auto const& [id, sa] : impl_->sas) {
        if (sa->outstanding.active)
            consider(sa->outstanding.deadline);
        if (sa->request != 0)
            consider(sa->request_deadline);
        if (sa->state == SaState::init_responded)
            consider(sa->half_open_deadline);
    }
    return next;
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

}  // namespace nsslab::ike
