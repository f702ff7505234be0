// IkeEndpoint: the IKEv2 protocol core of one stack (RFC 7296; DESIGN.md §3, §4 of the IKE
// brief; docs/ike-core.md). Sans-I/O like every core (core/contract.hpp): time is an argument,
// randomness (SPIs, nonces, IVs, DH keys) comes from the LibContext given, it never holds a
// socket or a private key.
//
// Exchanges: IKE_SA_INIT, IKE_AUTH with the first Child SA, CREATE_CHILD_SA (new Child SAs,
// Child SA and IKE SA rekeys, simultaneous rekeys resolved by the nonces of §2.8.1/§2.8.2),
// INFORMATIONAL (delete of the IKE SA or of ESP SAs, liveness). Window 1: one request
// outstanding per SA and one cached response, resent for a retransmitted request (§2.2, §2.3);
// the owner's further requests on an SA wait in a bounded queue (IkeOptions::tasks_max).
// SAs are found by their local SPI, never by address or port. IKE_SA_INIT: the initiator
// retries after N(INVALID_KE_PAYLOAD) and N(COOKIE) (§1.2, §2.6, bounded); the responder answers
// N(COOKIE) without keeping state from IkeOptions::cookie_threshold half-open SAs on. Both
// report NAT detection (§2.23, ike.nat_detection) but do not float to port 4500.
//
// Child SAs: each IKE SA keeps its Child SAs (children()) with the ESP suite, both SPIs, the
// traffic selectors and the keys of §2.17 (child_keys(), never in an event). Rekeys carry no
// AUTH, so they never ask for a signature.
//
// Signatures (AUTH methods 14 and 9/10/11) are asked for with poll_request(): a sign request
// (key label, scheme, the octets of §2.15) or a verify request (scheme, octets, signature, the
// peer's certificate chain from its CERT payloads, or from the configuration when it sent
// none). The peer's ID must be confirmed by its end-entity certificate (subjectAltName or
// subject, as strongSwan does). Our own certificates (set_local_certificates()) go out as CERT
// payloads; CERTREQ names the CAs of PeerAuth::ca_certificates (§3.6, §3.7). The SA waits in
// auth_sign_pending / auth_verify_pending, sends nothing, absorbs retransmissions of the peer's
// request, and fails after auth_wait_limit. A completion for an SA that is gone is stale and
// ignored.
//
// After every input the driver drains poll_transmit(), poll_event(), poll_secret() and
// poll_request() until each returns nullopt, then arms a timer for next_timeout().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/base/trace.hpp"
#include "nsslab/core/contract.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/ike/config.hpp"
#include "nsslab/wire_ike/message.hpp"

namespace nsslab::crypto {
class LibContext;
}

namespace nsslab::ike {

// An IKE SA as the endpoint's owner names it; never reused by one endpoint. 0 is no SA.
using SaId = std::uint64_t;

// A Child SA as the endpoint's owner names it; never reused by one endpoint. 0 is none.
using ChildId = std::uint64_t;

// Where an IKE SA is in its life (docs/ike-core.md "States").
enum class SaState : std::uint8_t {
    init_sent,            // initiator: IKE_SA_INIT request sent, waiting for the response
    auth_sign_pending,    // either: our AUTH signature requested, nothing sent meanwhile
    auth_sent,            // initiator: IKE_AUTH request sent, waiting for the response
    auth_verify_pending,  // either: the peer's AUTH signature is being verified
    init_responded,       // responder: IKE_SA_INIT answered, waiting for IKE_AUTH
    established,          // IKE SA (and its first Child SA) up
    deleting,             // initiator of an INFORMATIONAL delete: waiting for its response
    rekeyed,  // replaced by a new IKE SA (its Child SAs moved there); deleted by the peer
};
std::string_view to_string(SaState state);

// Where a Child SA is in its life.
enum class ChildState : std::uint8_t {
    installed,  // in use both ways
    rekeying,   // our CREATE_CHILD_SA with N(REKEY_SA) for it is outstanding
    rekeyed,    // replaced by a newer Child SA; its rekey initiator deletes it
    deleting,   // our INFORMATIONAL Delete for it is outstanding
};
std::string_view to_string(ChildState state);

// A Child SA (one ESP SA each way) as an owner installs it.
struct ChildSaInfo {
    ChildId id{0};
    SaId sa{0};  // the IKE SA it belongs to (a new one after an IKE rekey)
    ChildState state{ChildState::installed};
    ChildProposal suite;       // dh: the PFS group of the exchange that made it, if any
    std::uint32_t spi_in{0};   // chosen by this side: ESP packets from the peer carry it
    std::uint32_t spi_out{0};  // chosen by the peer: ESP packets to the peer carry it
    wire_ike::TrafficSelector ts_local;
    wire_ike::TrafficSelector ts_remote;
};

// The keys of a Child SA (RFC 7296 §2.17) by direction; secrets, never traced.
struct ChildSaKeys {
    Bytes encryption_in;  // key | 4-octet salt for AES-GCM (RFC 4106 §8.1)
    Bytes integrity_in;   // empty with AES-GCM
    Bytes encryption_out;
    Bytes integrity_out;
};

enum class Role : std::uint8_t { initiator, responder };
std::string_view to_string(Role role);

// Why a datagram was dropped (counted per reason; each drop also emits ike.datagram_dropped).
enum class DropReason : std::uint8_t {
    not_ike,                // a NAT keepalive, ESP, or shorter than the marker
    malformed,              // the codec refused the message (or its decrypted inner chain)
    unknown_spi,            // no SA has this local SPI
    unexpected_exchange,    // the exchange, role or flags do not fit the SA's state
    unexpected_message_id,  // outside the window (neither expected nor the last answered)
    request_in_progress,    // a retransmitted request whose response does not exist yet
    icv_failed,             // the SK payload did not authenticate (RFC 7296 §2.21.2: no answer)
    invalid_payloads,       // payloads missing or not acceptable for the exchange
    no_connection,          // IKE_SA_INIT from an address no connection names
    half_open_limit,        // IKE_SA_INIT while half_open_max responder SAs wait for IKE_AUTH
    sa_limit,               // IKE_SA_INIT while sas_max SAs exist
    spi_collision,          // an IKE_SA_INIT reusing a half-open SA's SPIi with other octets
};
std::string_view to_string(DropReason reason);
inline constexpr std::size_t drop_reason_count = 12;

// Bounds of the output queues: past them an output is discarded and counted
// (IkeEndpoint::outputs_discarded()); a driver that drains after every input never reaches them.
inline constexpr std::size_t transmit_queue_max = 4096;
inline constexpr std::size_t event_queue_max = 4096;
inline constexpr std::size_t secret_queue_max = 1024;
inline constexpr std::size_t request_queue_max = 4096;

// Certificates: at most this many per chain, each at most this many octets, ours
// (set_local_certificates()) and the peer's (CERT payloads past them are ignored and counted,
// IkeEndpoint::certificates_ignored()).
inline constexpr std::size_t certificate_chain_max = 8;
inline constexpr std::size_t certificate_size_max = 16 * 1024;
// CA hashes of the peer's CERTREQ payloads kept per SA (the rest is ignored).
inline constexpr std::size_t certreq_authorities_max = 16;
// IKE_SA_INIT requests the initiator resends after N(INVALID_KE_PAYLOAD) and after N(COOKIE)
// (RFC 7296 §1.2, §2.6) before the SA fails.
inline constexpr unsigned invalid_ke_retries_max = 3;
inline constexpr unsigned cookie_retries_max = 3;

class IkeEndpoint {
  public:
    // A datagram to send from `local` to `remote` (the UDP payload: the IKE message, after a
    // non-ESP marker when either port is not 500).
    struct Transmit {
        Endpoint local;
        Endpoint remote;
        Bytes bytes;
    };

    struct SignRequest {
        std::string key_label;
        crypto::SignatureScheme scheme{};
        Bytes octets;  // the signed octets of RFC 7296 §2.15
    };
    struct VerifyRequest {
        crypto::SignatureScheme scheme{};
        Bytes octets;
        Bytes signature;
        // DER, end entity first: the peer's CERT payloads (X509_SIGNATURE), or the configured
        // PeerAuth::certificate_chain when it sent none.
        std::vector<Bytes> certificate_chain;
    };
    struct ServiceRequest {
        std::uint64_t id{0};
        SaId sa{0};
        std::variant<SignRequest, VerifyRequest> operation;
    };
    // sign: the signature (DER for ECDSA); verify: empty on success, an error otherwise (the
    // error's message becomes the event's reason).
    using ServiceResult = Result<Bytes>;

    // `lib` must outlive the endpoint; every random byte comes from it.
    IkeEndpoint(IkeConfig config, crypto::LibContext& lib, IkeOptions options = {});
    ~IkeEndpoint();
    IkeEndpoint(IkeEndpoint const&) = delete;
    IkeEndpoint& operator=(IkeEndpoint const&) = delete;

    // ---- inputs ----
    // A UDP payload received on `local` from `from`. A non-ESP marker is stripped. May emit
    // transmits, events, secrets and requests.
    void handle_datagram(Endpoint local, Endpoint from, ByteView bytes, TimePoint now);
    // Retransmissions, give-ups (ike.retransmit_timeout), auth wait and half-open limits.
    void handle_timeout(TimePoint now);
    // Starts IKE_SA_INIT for the named connection. Errors: not_found (no such connection),
    // limit_exceeded (sas_max), crypto_error.
    Result<SaId> initiate(std::string_view connection, TimePoint now);
    // Deletes an established IKE SA (INFORMATIONAL with D(IKE)); an SA in any other state is
    // removed at once. Errors: not_found.
    Result<void> delete_sa(SaId sa, TimePoint now);
    // The certificates (DER, end entity first) the named connection sends as CERT payloads
    // (X509_SIGNATURE) after its ID in IKE_AUTH when it authenticates with a signature; an empty
    // chain sends none. An IKE_AUTH message built after this call carries them, also for an SA
    // whose sign request is pending. Errors: not_found (no such connection), limit_exceeded
    // (more than certificate_chain_max certificates or one above certificate_size_max octets),
    // invalid_argument (an empty certificate); the previous chain stays.
    Result<void> set_local_certificates(std::string_view connection, std::vector<Bytes> chain);
    // The answer to a ServiceRequest; a stale id (its SA gone) is ignored with an event.
    void complete_request(std::uint64_t id, ServiceResult result, TimePoint now);

    // The exchanges below need an established IKE SA. Each is sent at once when the SA has no
    // request outstanding, otherwise queued (at most IkeOptions::tasks_max). Errors: not_found
    // (no such SA or Child SA), state_error (the SA is not established, or the Child SA is not
    // installed), limit_exceeded (the queue, or children_max for create_child).
    //
    // CREATE_CHILD_SA {SA, Ni, [KEi], TSi, TSr} for one more Child SA of the connection's
    // selectors; KEi when the connection's first Child SA proposal names a DH group. Emits
    // ike.child_established with the returned id, or ike.child_failed.
    Result<ChildId> create_child(SaId sa, TimePoint now);
    // CREATE_CHILD_SA {N(REKEY_SA), SA, Ni, [KEi], TSi, TSr} for the Child SA whose inbound SPI
    // is `spi_in`; once the new one is up, the old one is deleted (INFORMATIONAL D(ESP)). Emits
    // ike.child_established, ike.child_rekeyed, ike.child_deleted (or ike.child_failed), and
    // ike.rekey_collision when the peer rekeyed the same Child SA at the same time.
    Result<void> rekey_child(SaId sa, std::uint32_t spi_in, TimePoint now);
    // INFORMATIONAL {D(ESP, spi_in)}; the Child SA is removed with the response
    // (ike.child_deleted).
    Result<void> delete_child(SaId sa, std::uint32_t spi_in, TimePoint now);
    // CREATE_CHILD_SA {SA(IKE, new SPI), Ni, KEi}: a new IKE SA (a new SaId, message IDs from 0,
    // a new poll_secret() line) takes over the Child SAs; the old one is deleted. Emits
    // ike.ike_rekeyed {sa, new_sa, ...} (or ike.ike_rekey_failed), ike.rekey_collision.
    Result<void> rekey_ike(SaId sa, TimePoint now);
    // An empty INFORMATIONAL request (RFC 7296 §1.4): ike.liveness_ok with its response; when
    // its retransmissions are exhausted, ike.retransmit_timeout and ike.dead_peer, and the IKE
    // SA is removed with its Child SAs (ike.child_deleted each).
    Result<void> liveness(SaId sa, TimePoint now);

    // ---- outputs ----
    std::optional<Transmit> poll_transmit();
    std::optional<Event> poll_event();
    std::optional<core::Secret> poll_secret();  // ike_sa: an ikev2_decryption_table line
    std::optional<ServiceRequest> poll_request();
    std::optional<TimePoint> next_timeout() const;

    // ---- observation ----
    std::optional<SaState> state(SaId sa) const;  // nullopt: no such SA (failed or deleted)
    std::size_t sa_count() const;
    std::size_t half_open_count() const;
    std::uint64_t dropped(DropReason reason) const;
    std::uint64_t dropped_total() const;
    std::uint64_t outputs_discarded() const;
    // The Child SAs of an IKE SA (empty if there is no such SA), oldest first.
    std::vector<ChildSaInfo> children(SaId sa) const;
    // The keys of the Child SA whose inbound SPI is `spi_in`; nullopt if there is none.
    std::optional<ChildSaKeys> child_keys(SaId sa, std::uint32_t spi_in) const;
    // Peer CREATE_CHILD_SA requests answered N(NO_ADDITIONAL_SAS) because of children_max.
    std::uint64_t children_refused() const;
    // Received CERT payloads not used: another encoding than X509_SIGNATURE, empty, above
    // certificate_size_max or past certificate_chain_max.
    std::uint64_t certificates_ignored() const;
    // IKE_SA_INIT requests answered N(COOKIE) (IkeOptions::cookie_threshold).
    std::uint64_t cookies_sent() const;

    struct Sa;  // one IKE SA (src/endpoint.cpp)

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

static_assert(core::Core<IkeEndpoint>);
static_assert(core::ServiceUser<IkeEndpoint>);

// One line of Wireshark's ikev2_decryption_table (UAT "IKEv2 Decryption Table"):
// SPIi,SPIr,SK_ei,SK_er,"<encryption>",SK_ai,SK_ar,"<integrity>" in lower-case hex, with
// Wireshark's algorithm names ("AES-CBC-256 [RFC3602]", "AES-GCM-128 with 16 octet ICV
// [RFC5282]", "HMAC_SHA2_256_128 [RFC4868]", "NONE [RFC4306]").
std::string decryption_table_line(std::uint64_t spi_i, std::uint64_t spi_r,
                                  crypto::EncryptionAlgorithm encryption,
                                  crypto::IntegrityAlgorithm integrity, ByteView sk_ei,
                                  ByteView sk_er, ByteView sk_ai, ByteView sk_ar);

}  // namespace nsslab::ike
