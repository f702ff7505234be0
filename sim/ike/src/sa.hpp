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

// The hashes this endpoint announces in N(SIGNATURE_HASH_ALGORITHMS) (RFC 7427 §4) and accepts.
inline constexpr std::array<crypto::SignatureHash, 3> announced_hashes{
    crypto::SignatureHash::sha2_256, crypto::SignatureHash::sha2_384,
    crypto::SignatureHash::sha2_512};
w::Notify signature_hash_notify();
// The hash algorithms of a received N(SIGNATURE_HASH_ALGORITHMS), unknown numbers skipped.
std::vector<crypto::SignatureHash> peer_signature_hashes(std::span<w::Payload const> payloads);

bool uses_signatures(Connection const& c);

// ---- the SA -------------------------------------------------------------------------------------

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

    // ---- IKE_AUTH (ike_auth.cpp) ----
    void start_auth(Sa& sa, TimePoint now);
    void send_auth_request(Sa& sa, ByteView auth_data, TimePoint now);
    void on_auth_request(Sa& sa, Endpoint const& from, std::vector<w::Payload> const& inner,
                         TimePoint now);
    void on_auth_response(Sa& sa, Endpoint const& from, std::vector<w::Payload> const& inner,
                          TimePoint now);
    void check_peer_auth(Sa& sa, w::Authentication const& auth, Bytes const& peer_idx,
                         TimePoint now);
    void peer_authenticated(Sa& sa, TimePoint now);
    void send_auth_response(Sa& sa, ByteView auth_data);
    void auth_failed(Sa& sa, std::string side, std::string reason);
    void established(Sa& sa);
    void on_completion(Sa& sa, ServiceResult result, TimePoint now);
    Bytes own_idx(Sa const& sa) const;

    // ---- INFORMATIONAL (informational.cpp) ----
    void on_informational_request(Sa& sa, std::uint32_t id, std::vector<w::Payload> const& inner);
};

}  // namespace nsslab::ike
