// The inside of IkeEndpoint, shared by the files of src/: one IKE SA (`IkeEndpoint::Sa`, its
// keys, window and first Child SA) and the endpoint's state (`IkeEndpoint::Impl`: the SAs by id
// and by SPI, the output queues, the drop counters). Each exchange lives in its own file, in
// strongSwan's task spirit (DESIGN.md §1): ike_init.cpp (IKE_SA_INIT), ike_auth.cpp (IKE_AUTH
// and the AUTH octets of RFC 7296 §2.15), informational.cpp (INFORMATIONAL), timers.cpp
// (requests, retransmission and the other deadlines); endpoint.cpp routes datagrams by SPI and
// holds the outputs. proposals.hpp builds and matches SA and TS payloads.
#pragma once

#include <array>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "nsslab/crypto/dh.hpp"
#include "nsslab/crypto/ike_keys.hpp"
#include "nsslab/crypto/sig_alg_id.hpp"
#include "nsslab/crypto/sk_cipher.hpp"
#include "nsslab/ike/endpoint.hpp"
#include "nsslab/wire_ike/message.hpp"

namespace nsslab::ike {

namespace w = wire_ike;

// ---- helpers shared by the exchanges ------------------------------------------------------------

// An SPI as 16 lower-case hex digits (as on the wire, big-endian).
std::string spi_hex(std::uint64_t spi);

// A Notify payload without SPI (an error type, or a status type with data).
w::Notify error_notify(w::NotifyType type, Bytes data = {});

// The hashes this endpoint announces in N(SIGNATURE_HASH_ALGORITHMS) (RFC 7427 §4) and accepts:
// identity (RFC 8420) for Ed25519, as charon does (DESIGN.md §2 "AUTH").
inline constexpr std::array<crypto::SignatureHash, 4> announced_hashes{
    crypto::SignatureHash::sha2_256, crypto::SignatureHash::sha2_384,
    crypto::SignatureHash::sha2_512, crypto::SignatureHash::identity};
w::Notify signature_hash_notify();
// The hash algorithms of a received N(SIGNATURE_HASH_ALGORITHMS), unknown numbers skipped.
std::vector<crypto::SignatureHash> peer_signature_hashes(std::span<w::Payload const> payloads);

// Does the IKE_SA_INIT message carry both NAT detection notifies (RFC 7296 §2.23)?
bool has_nat_detection(std::span<w::Payload const> payloads);

// Does the connection use AUTH method 14 (and so N(SIGNATURE_HASH_ALGORITHMS))?
bool uses_signatures(Connection const& c);

// Why `id` is not confirmed by the end-entity certificate `der` (empty: it is): an IP address
// ID by a subjectAltName iPAddress, an FQDN by a dNSName (case-insensitive), an RFC 822 address
// by an rfc822Name, a DN by the subject (strongSwan's rule).
std::string identity_not_in_certificate(Identity const& id, ByteView der);

// The lower of two nonces, and whether `a` is lower than `b`: "lowest" is an octet-by-octet
// comparison where a prefix is lower (RFC 7296 §2.8.1).
Bytes lowest_nonce(ByteView a, ByteView b);
bool nonce_lower(ByteView a, ByteView b);

// ---- the SA -------------------------------------------------------------------------------------

// One Child SA (ESP both ways) of an IKE SA.
struct ChildSa {
    ChildId id{0};
    ChildState state{ChildState::installed};
    ChildProposal suite;
    std::uint32_t spi_in{0};
    std::uint32_t spi_out{0};
    w::TrafficSelector ts_local;
    w::TrafficSelector ts_remote;
    ChildSaKeys keys;
    // A simultaneous rekey (RFC 7296 §2.8.1): while our rekey of this Child SA is outstanding,
    // the peer's rekey of it made `peer_rekey` in an exchange whose lowest nonce was
    // `peer_rekey_nonce`.
    ChildId peer_rekey{0};
    Bytes peer_rekey_nonce;
};

// What an owner (or the endpoint itself) asked an IKE SA to do: run one at a time, in order
// (strongSwan's queued tasks, DESIGN.md §1).
enum class TaskKind : std::uint8_t {
    create_child,
    rekey_child,
    delete_child,
    rekey_ike,
    delete_ike,
    liveness,
};
std::string_view to_string(TaskKind kind);

struct Task {
    TaskKind kind{TaskKind::liveness};
    ChildId child{0};    // create_child: the id the new Child SA gets; rekey/delete: the Child SA
    std::string reason;  // delete_child / delete_ike: the reason its event gives
};

// Our outstanding CREATE_CHILD_SA or INFORMATIONAL request beyond the IKE SA delete.
struct Exchange {
    Task task;
    ChildId new_child{0};      // create_child / rekey_child: the id of the new Child SA
    std::uint32_t spi_in{0};   // create_child / rekey_child: our SPI of the new Child SA
    std::uint64_t ike_spi{0};  // rekey_ike: our SPI of the new IKE SA
    Bytes nonce;               // Ni
    std::optional<crypto::DhKey> dh;
};

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
    // The peer's CERT payloads (X509_SIGNATURE, bounded) of IKE_AUTH and the CA hashes of its
    // CERTREQ payloads.
    std::vector<Bytes> peer_certificates;
    std::vector<Bytes> peer_certreq;
    // NAT detection (RFC 7296 §2.23) of IKE_SA_INIT.
    bool local_behind_nat{false};
    bool peer_behind_nat{false};
    // Initiator: the responder's cookie (RFC 7296 §2.6) and the IKE_SA_INIT retries so far.
    Bytes cookie;
    unsigned cookie_retries{0};
    unsigned invalid_ke_retries{0};

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

    // The Child SAs (at most 2 * children_max) and the exchanges waiting for the window.
    std::vector<ChildSa> children;
    std::deque<Task> tasks;
    std::optional<Exchange> exchange;    // what our outstanding request is for, beyond IKE_AUTH
    std::string delete_reason{"local"};  // of our D(IKE), for ike.sa_deleted
    // A simultaneous IKE rekey (RFC 7296 §2.8.2): while our rekey is outstanding, the peer's
    // made IKE SA `peer_rekey` in an exchange whose lowest nonce was `peer_rekey_nonce`.
    SaId peer_rekey{0};
    Bytes peer_rekey_nonce;

    ChildSa* child_by_spi_in(std::uint32_t spi) {
        for (auto& c : children)
            if (c.spi_in == spi)
                return &c;
        return nullptr;
    }
    ChildSa const* child_by_spi_in(std::uint32_t spi) const {
        for (auto const& c : children)
            if (c.spi_in == spi)
                return &c;
        return nullptr;
    }
    ChildSa* child_by_spi_out(std::uint32_t spi) {
        for (auto& c : children)
            if (c.spi_out == spi)
                return &c;
        return nullptr;
    }
    ChildSa* child_by_id(ChildId wanted) {
        for (auto& c : children)
            if (c.id == wanted)
                return &c;
        return nullptr;
    }
    // Child SAs that count against children_max: installed or being rekeyed.
    std::size_t live_children() const {
        std::size_t n = 0;
        for (auto const& c : children)
            n += c.state == ChildState::installed || c.state == ChildState::rekeying ? 1 : 0;
        return n;
    }
    // May this SA send a request (other than the first ones)?
    bool can_request() const { return state == SaState::established || state == SaState::rekeyed; }

    bool half_open() const {
        return role == Role::responder &&
               (state == SaState::init_responded || state == SaState::auth_verify_pending ||
                state == SaState::auth_sign_pending);
    }
};

// ---- the endpoint -------------------------------------------------------------------------------

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
    ChildId next_child{1};
    std::uint64_t refused_children{0};
    std::uint64_t ignored_certificates{0};
    std::uint64_t sent_cookies{0};

    // Per connection (by index): our certificates (set_local_certificates()) and the Certification
    // Authority field of our CERTREQ (SHA-1s of PeerAuth::ca_certificates' keys; empty: none).
    std::vector<std::vector<Bytes>> local_chains;
    std::vector<Bytes> certreq_authorities;

    // Responder cookies (RFC 7296 §2.6): the secret of period `cookie_version` (of
    // cookie_secret_lifetime), the previous period's (empty unless it was used), and when the
    // current one was made (unset before the first cookie).
    Bytes cookie_secret;
    Bytes previous_cookie_secret;
    std::uint32_t cookie_version{0};
    std::optional<TimePoint> cookie_secret_since;

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

    // ---- outputs (endpoint.cpp) ----
    template <class T>
    void push(std::deque<T>& q, T item, std::size_t max) {
        if (q.size() >= max) {
            ++discarded;
            return;
        }
        q.push_back(std::move(item));
    }
    void emit(Event e) { push(events, std::move(e), event_queue_max); }
    Event sa_event(std::string name, Sa const& sa);
    void drop(DropReason reason, Endpoint const& from, std::string detail = {});
    // The UDP payload for an IKE message: after a non-ESP marker when either port is not 500
    // (charon's rule, DESIGN.md §2).
    static Bytes datagram_of(Endpoint const& local, Endpoint const& remote, Bytes message);
    void send_datagram(Endpoint const& local, Endpoint const& remote, Bytes message);

    // ---- randomness, all from the LibContext (endpoint.cpp) ----
    Result<std::uint64_t> random_u64();
    Result<Bytes> random_bytes(std::size_t n);
    Result<std::uint64_t> fresh_spi();  // an IKE SPI no SA of ours uses
    Result<std::uint32_t> fresh_child_spi();

    // ---- SAs (endpoint.cpp) ----
    std::uint64_t local_spi(Sa const& sa) const {
        return sa.role == Role::initiator ? sa.spi_i : sa.spi_r;
    }
    Sa* find(SaId id) {
        auto it = sas.find(id);
        return it == sas.end() ? nullptr : it->second.get();
    }
    void remove(Sa& sa);
    // Emits `event` with the SA's state and `reason`, then removes the SA.
    void fail(Sa& sa, std::string event, std::string reason);

    // ---- messages (endpoint.cpp, timers.cpp) ----
    w::Header header(Sa const& sa, w::ExchangeType exchange, bool response,
                     std::uint32_t message_id) const;
    // HDR, SK {inner}.
    Result<Bytes> seal(Sa& sa, w::Header const& h, std::vector<w::Payload> const& inner);
    // Sends a request and arms its retransmission (timers.cpp).
    void send_request(Sa& sa, w::ExchangeType exchange, Bytes message, TimePoint now);
    // Sends a response and caches it for the peer's retransmissions.
    void send_response(Sa& sa, std::uint32_t id, Bytes message);
    // Queues a ServiceRequest; the SA waits for it at most auth_wait_limit.
    void ask(Sa& sa, std::variant<SignRequest, VerifyRequest> op, TimePoint now);

    // ---- the datagram path (endpoint.cpp) ----
    void on_datagram(Endpoint const& local, Endpoint const& from, ByteView bytes, TimePoint now);
    // The decrypted inner payloads of an SK message, or nullopt after a counted drop.
    std::optional<std::vector<w::Payload>> open(Sa& sa, Endpoint const& from, ByteView bytes,
                                                w::Message const& m);

    // ---- IKE_SA_INIT (ike_init.cpp) ----
    void on_init_request(Endpoint const& local, Endpoint const& from, ByteView bytes,
                         w::Message const& m, TimePoint now);
    void on_init_response(Sa& sa, Endpoint const& from, ByteView bytes, w::Message const& m,
                          TimePoint now);
    // g^ir, SKEYSEED, SK_*, the SK ciphers and the decryption table line.
    Result<void> derive_keys(Sa& sa, ByteView peer_ke);
    // SK_* from SKEYSEED, the SK ciphers and the decryption table line.
    Result<void> install_keys(Sa& sa, ByteView skeyseed);

    // ---- certificates (certificates.cpp) ----
    // The CERTREQ of each connection, or an ike.config_error event for a CA it cannot use.
    void prepare_certreqs();
    // CERT payloads of our chain, when the connection signs.
    void add_certificates(Sa const& sa, std::vector<w::Payload>& out) const;
    // CERTREQ with our CAs, when the connection has any.
    void add_certreq(Sa const& sa, std::vector<w::Payload>& out) const;
    // Keeps the peer's CERT (IKE_AUTH) and CERTREQ payloads in the SA, bounded and counted.
    void take_certificates(Sa& sa, std::span<w::Payload const> payloads);
    void take_certreqs(Sa& sa, std::span<w::Payload const> payloads);

    // ---- cookies (ike_init.cpp) ----
    // t | SHA-256(Ni | IPi | SPIi | secret_t) under the current secret (rotated first if due).
    Result<Bytes> make_cookie(ByteView ni, Endpoint const& from, std::uint64_t spi_i,
                              TimePoint now);
    bool cookie_valid(ByteView cookie, ByteView ni, Endpoint const& from, std::uint64_t spi_i,
                      TimePoint now);
    Result<void> rotate_cookie_secret(TimePoint now);
    // The initiator's IKE_SA_INIT request: [N(COOKIE),] SA, KE, Ni, [N(NATD_S), N(NATD_D)],
    // [N(SHA)].
    Result<Bytes> init_request(Sa const& sa) const;

    // ---- NAT detection (nat_detection.cpp) ----
    // N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP) for a message with these SPIs
    // from `source` to `destination` (none when IkeOptions::nat_detection is off).
    Result<void> add_nat_detection(std::uint64_t spi_i, std::uint64_t spi_r, Endpoint const& source,
                                   Endpoint const& destination, std::vector<w::Payload>& out) const;
    // Compares the peer's NAT detection notifies (of a message with SPIs sa.spi_i / spi_r)
    // with the datagram's addresses; ike.nat_detection.
    void detect_nat(Sa& sa, std::span<w::Payload const> payloads, std::uint64_t spi_r,
                    Endpoint const& local, Endpoint const& from);
    // N(INVALID_KE_PAYLOAD) / N(COOKIE) in an IKE_SA_INIT response: true when handled (retried
    // or failed).
    bool retry_init(Sa& sa, w::Message const& m, TimePoint now);

    // ---- IKE_AUTH (ike_auth.cpp) ----
    void start_auth(Sa& sa, TimePoint now);
    void send_auth_request(Sa& sa, ByteView auth_data, TimePoint now);
    void on_auth_request(Sa& sa, Endpoint const& from, std::vector<w::Payload> const& inner,
                         TimePoint now);
    void on_auth_response(Sa& sa, Endpoint const& from, std::vector<w::Payload> const& inner,
                          TimePoint now);
    void check_peer_auth(Sa& sa, w::Authentication const& auth, Identity const& peer_id,
                         TimePoint now);
    void peer_authenticated(Sa& sa, TimePoint now);
    void send_auth_response(Sa& sa, ByteView auth_data);
    void auth_failed(Sa& sa, std::string side, std::string reason);
    void established(Sa& sa);
    void on_completion(Sa& sa, ServiceResult result, TimePoint now);
    Bytes own_idx(Sa const& sa) const;

    // ---- INFORMATIONAL (informational.cpp) ----
    void on_informational_request(Sa& sa, std::uint32_t id, std::vector<w::Payload> const& inner);
    void start_delete_ike(Sa& sa, std::string reason, TimePoint now);
    void start_delete_child(Sa& sa, Task const& task, TimePoint now);
    void start_liveness(Sa& sa, TimePoint now);
    // The response to our INFORMATIONAL (child delete or liveness).
    void on_informational_response(Sa& sa, std::vector<w::Payload> const& inner);
    // Removes a Child SA with ike.child_deleted.
    void remove_child(Sa& sa, ChildId id, std::string const& reason);

    // ---- the task queue (tasks.cpp) ----
    // Queues `task` (at the front when `first`) and starts what the window allows.
    void queue(Sa& sa, Task task, TimePoint now, bool first = false);
    // Starts queued tasks while the SA may send and has no request outstanding.
    void run_tasks(SaId id, TimePoint now);
    Result<Sa*> established_sa(SaId id);

    // ---- CREATE_CHILD_SA for Child SAs (child_sa.cpp) ----
    void start_create_child(Sa& sa, Task const& task, TimePoint now);
    void on_create_child_request(Sa& sa, std::uint32_t id, std::vector<w::Payload> const& inner,
                                 TimePoint now);
    void on_create_child_response(Sa& sa, std::vector<w::Payload> const& inner, TimePoint now);
    // Answers the peer's request `id` with SK {N(type)} and emits ike.child_refused.
    void refuse_request(Sa& sa, std::uint32_t id, w::NotifyType type, std::string reason,
                        Bytes data = {}, w::ProtocolId protocol = w::ProtocolId::none,
                        Bytes spi = {});
    // The first Child SA, from IKE_AUTH: KEYMAT from the IKE_SA_INIT nonces.
    void install_first_child(Sa& sa);
    // KEYMAT split by direction; `we_initiated` the exchange that made it.
    Result<ChildSaKeys> derive_child_keys(Sa const& sa, ChildProposal const& suite, ByteView g_ir,
                                          ByteView ni, ByteView nr, bool we_initiated);
    ChildSa& add_child(Sa& sa, ChildId id, ChildProposal const& suite, std::uint32_t spi_in,
                       std::uint32_t spi_out, ChildSaKeys keys, bool we_initiated,
                       ChildId rekey_of);
    void child_rekeyed(Sa& sa, ChildSa& old, ChildId new_child);
    // ike.child_failed for our exchange `ex`.
    void child_failed(Sa& sa, Exchange const& ex, std::string reason);

    // ---- CREATE_CHILD_SA for the IKE SA (ike_rekey.cpp) ----
    void start_rekey_ike(Sa& sa, TimePoint now);
    void on_ike_rekey_request(Sa& sa, std::uint32_t id, std::vector<w::Payload> const& inner,
                              TimePoint now);
    void on_ike_rekey_response(Sa& sa, std::vector<w::Payload> const& inner, TimePoint now);
    // The new IKE SA of a rekey, registered under its SPI, with its keys and decryption table
    // line; nullptr after an event if its keys could not be made.
    Sa* make_rekeyed_sa(Sa& old, Role role, std::uint64_t spi_i, std::uint64_t spi_r,
                        IkeProposal const& suite, ByteView g_ir, Bytes ni, Bytes nr);
    // Moves the Child SAs and queued tasks of `old` to `to`; `old` becomes rekeyed. Emits
    // ike.ike_rekeyed.
    void ike_rekeyed(Sa& old, Sa& to, TimePoint now);
};

}  // namespace nsslab::ike
