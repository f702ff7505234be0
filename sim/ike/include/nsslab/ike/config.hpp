// The configuration of an IKE endpoint (docs/ike-core.md "Configuration"): plain structs, one
// Connection per peer. The IBM policy (KeyExchangeRule, KeyExchangeAction, ...) is parsed
// elsewhere and turned into these.
//
// Authentication (RFC 7296 §2.15, RFC 4754, RFC 7427): a connection authenticates itself with a
// pre-shared key (AUTH method 2) or a signature — method 14 (Digital Signature, any scheme) or
// methods 9/10/11 (ECDSA P-256/SHA-256, P-384/SHA-384, P-521/SHA-512) — made by whoever holds
// the key labelled `key_label`: the endpoint never holds a private key, it asks for the
// signature with poll_request(). Method 1 (RSA with SHA-1) is refused: the NSS certificate
// service has no SHA-1 signature scheme (docs/ike-core.md §3). The peer is authenticated the
// same way: its PSK AUTH is computed here, its signature is verified by whoever answers the
// verify request, with the certificates of its CERT payloads (or, when it sent none, the chain
// configured here); its ID must be confirmed by its end-entity certificate.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/crypto/dh.hpp"
#include "nsslab/crypto/ike_transforms.hpp"
#include "nsslab/crypto/prf.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/wire_ike/iana.hpp"

namespace nsslab::ike {

// An IDi/IDr payload's content (RFC 7296 §3.5).
struct Identity {
    wire_ike::IdType type{wire_ike::IdType::fqdn};
    Bytes data;

    static Identity fqdn(std::string_view name);
    static Identity rfc822(std::string_view address);
    static Identity ip(IpAddress const& address);  // ID_IPV4_ADDR or ID_IPV6_ADDR
    // ID_DER_ASN1_DN: a DER Name (RFC 5280 §4.1.2.4), compared with the certificate's subject.
    static Identity der_dn(Bytes der);
    // ID_DER_ASN1_DN from an RFC 4514 string ("CN=ike.example,O=IBM,C=US"), encoded as a
    // certificate made from the same string carries it (crypto::DistinguishedName::to_der()).
    // Errors: parse_error, crypto_error.
    static Result<Identity> dn(std::string_view rfc4514);
    // "fqdn:a.example", "ipv4:9.1.1.1", "rfc822:u@a.example", "dn:CN=a,O=IBM", ...
    std::string to_string() const;
    bool operator==(Identity const&) const = default;
};

// The AUTH methods of RFC 7296 §3.8 this endpoint knows. The signature methods are made or
// checked through poll_request(); each names IBM's KeyExchangeAction HowToAuthMe value.
enum class AuthMethod : std::uint8_t {
    pre_shared_key,     // 2 (Shared Key Message Integrity Code); HowToAuthMe PresharedKey
    digital_signature,  // 14 (RFC 7427), LocalAuth::scheme; DigitalSignature
    ecdsa_256,          // 9 (RFC 4754): ECDSA P-256 with SHA-256, raw r|s; ECDSA-256
    ecdsa_384,          // 10: ECDSA P-384 with SHA-384; ECDSA-384
    ecdsa_521,          // 11: ECDSA P-521 with SHA-512; ECDSA-521
    // 1: RSASSA-PKCS1-v1_5 with SHA-1; RsaSignature. Refused in both roles (AUTH fails): the
    // NSS certificate service has no SHA-1 signature scheme (DESIGN.md §4 "Schemes").
    rsa_signature,
};
std::string_view to_string(AuthMethod method);
// Every method but the pre-shared key.
bool is_signature(AuthMethod method);

// How this side proves its identity.
struct LocalAuth {
    AuthMethod method{AuthMethod::pre_shared_key};
    Bytes psk;              // pre_shared_key
    std::string key_label;  // a signature method: the label of the signing key (its holder signs)
    // digital_signature only; ecdsa_256/384/521 sign with ecdsa_sha256/384/512.
    crypto::SignatureScheme scheme{crypto::SignatureScheme::ecdsa_sha256};
};

// How the peer must prove its identity.
struct PeerAuth {
    AuthMethod method{AuthMethod::pre_shared_key};
    Bytes psk;  // pre_shared_key
    // A signature method: the peer's certificate chain, end entity first (DER), handed to the
    // verifier when the peer sends no CERT payload.
    std::vector<Bytes> certificate_chain;
    // The CAs this side trusts for the peer (DER certificates). When not empty, CERTREQ
    // (encoding X509_SIGNATURE) with the SHA-1 of each CA's SubjectPublicKeyInfo is sent: by the
    // responder in IKE_SA_INIT, by the initiator in IKE_AUTH (RFC 7296 §1.2, §3.7).
    std::vector<Bytes> ca_certificates;
};

// One IKE SA proposal (RFC 7296 §3.3): an AES-GCM cipher goes with IntegrityAlgorithm::none.
struct IkeProposal {
    crypto::EncryptionAlgorithm encryption{crypto::EncryptionAlgorithm::aes_gcm_16_256};
    crypto::IntegrityAlgorithm integrity{crypto::IntegrityAlgorithm::none};
    crypto::PrfAlgorithm prf{crypto::PrfAlgorithm::hmac_sha2_256};
    crypto::DhGroup dh{crypto::DhGroup::ecp_256};
    bool operator==(IkeProposal const&) const = default;
};
// strongSwan's notation: "AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256".
std::string to_string(IkeProposal const& proposal);

// An ESP proposal for the Child SAs (no ESN). `dh` names the PFS group of CREATE_CHILD_SA
// (RFC 7296 §1.3.1, §2.17: a KE payload and KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr)); the first
// Child SA, made by IKE_AUTH, never has one (§1.2: no KE in IKE_AUTH, the transform is omitted).
struct ChildProposal {
    crypto::EncryptionAlgorithm encryption{crypto::EncryptionAlgorithm::aes_gcm_16_256};
    crypto::IntegrityAlgorithm integrity{crypto::IntegrityAlgorithm::none};
    std::optional<crypto::DhGroup> dh;  // PFS in CREATE_CHILD_SA; nullopt: none
    bool operator==(ChildProposal const&) const = default;
};
// "AES_GCM_16_256", "AES_CBC_128/HMAC_SHA2_256_128", "AES_GCM_16_256/ECP_256" (with PFS).
std::string to_string(ChildProposal const& proposal);

struct Connection {
    std::string name;
    Endpoint local;   // this side's address and IKE port
    Endpoint remote;  // the peer's
    Identity local_id;
    Identity remote_id;  // the peer's IDi/IDr must equal it
    LocalAuth local_auth;
    PeerAuth peer_auth;
    std::vector<IkeProposal> ike_proposals;  // in preference order; at least one
    // In preference order; at least one. TSi/TSr are the single addresses of local and remote.
    std::vector<ChildProposal> child_proposals;
};

struct IkeConfig {
    std::vector<Connection> connections;
};

// Timers and bounds (docs/ike-core.md "Bounds").
struct IkeOptions {
    // IBM IkeConfig IkeInitWait (default 2 s): the first retransmission waits this long, each
    // following one twice as long (the growth is not documented by IBM: emulated, DESIGN.md §2
    // "Retransmission").
    Duration init_wait{std::chrono::seconds(2)};
    // IBM IkeConfig IkeRetries (default 6): retransmissions before the exchange gives up.
    unsigned retries{6};
    // How long an SA waits for one poll_request() answer; unset: the retransmission budget
    // (init_wait * (2^(retries+1) - 1), 254 s with the defaults; DESIGN.md §4 "Bounds").
    std::optional<Duration> auth_wait_limit;
    // A responder's SA that has answered IKE_SA_INIT and waits for IKE_AUTH is removed after
    // this long (strongSwan half_open_timeout).
    Duration half_open_timeout{std::chrono::seconds(30)};
    std::size_t half_open_max{1024};  // responder SAs before IKE_AUTH; more IKE_SA_INITs dropped
    std::size_t sas_max{65536};       // IKE SAs of any state
    std::size_t nonce_size{32};       // octets of Ni / Nr (RFC 7296 §2.10: 16..256)
    // RFC 7296 §2.6: with this many half-open responder SAs or more, an IKE_SA_INIT request
    // without a valid N(COOKIE) is answered with N(COOKIE) and no state is kept (strongSwan's
    // default threshold, DESIGN.md §1 "Cookies").
    std::size_t cookie_threshold{30};
    // Each period this long has its own cookie secret (random, from the LibContext); a cookie
    // of the current or the previous period is accepted, so for less than twice this long.
    Duration cookie_secret_lifetime{std::chrono::seconds(60)};
    // NAT detection notifies in IKE_SA_INIT (RFC 7296 §2.23): sent (the responder only when the
    // initiator sent them) and checked, the result in ike.nat_detection.
    bool nat_detection{true};
    // Child SAs in use (installed or being rekeyed) per IKE SA; past it create_child() fails
    // and a peer's CREATE_CHILD_SA is answered N(NO_ADDITIONAL_SAS) (counted,
    // IkeEndpoint::children_refused()). A rekey needs room for the old and the new Child SA
    // until the old one is deleted: all Child SAs of an IKE SA, old ones included, are at most
    // twice this.
    std::size_t children_max{16};
    // Exchanges an owner may queue on one IKE SA (create_child, rekey_child, delete_child,
    // rekey_ike, liveness, delete_sa) while another is outstanding (window 1).
    std::size_t tasks_max{8};
};

}  // namespace nsslab::ike
