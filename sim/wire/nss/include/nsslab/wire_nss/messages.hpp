// The NSS protocol message model (DESIGN.md §5; the byte layout is in codec.hpp and
// docs/nss-protocol.md). IBM's IKED<->NSSD wire format is not public; this is nsslab's own,
// carried in TLS (AT-TLS) on TCP port 4159.
//
// Every frame carries a request id chosen by the side that sends a request; the reply carries
// the same id, so many requests may be outstanding on one connection. Requests go both ways:
// IKED (the NSS client) asks for registration and certificate services; NSSD asks IKED to run
// remote-management commands (ipsec -z ...) and IKED replies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "nsslab/base/bytes.hpp"

namespace nsslab::wire_nss {

// The API level this implementation speaks. IBM's display shows ClientAPIVersion /
// ServerAPIVersion 4 for current releases (zos-nss-facts.md §9); a mismatch makes IKEv2
// signature services unavailable (EZD1904E).
inline constexpr std::uint32_t api_version = 4;

// Outcome of a request, as both sides report it (and traces print it).
enum class ResultCode : std::uint16_t {
    ok = 0,
    auth_failed = 1,     // user ID / password / PassTicket rejected, or user revoked
    not_authorized = 2,  // a SERVAUTH check denied (or the class/profile is missing: fail closed)
    not_registered = 3,  // a service request before a successful registration
    service_not_granted = 4,    // the service was not requested or not granted at registration
    unknown_label = 5,          // no such certificate on the NSS key ring
    bad_request = 6,            // malformed or out-of-state request
    version_mismatch = 7,       // API versions differ (EZD1904E)
    crypto_error = 8,           // signing or verification could not be performed
    verify_failed = 9,          // the signature or chain did not verify
    client_not_connected = 10,  // remote management target unknown or not connected (ENXIO)
    busy = 11,                  // the server's bounded queue for this client is full; retry later
    internal_error = 12,
};
std::string_view to_string(ResultCode code);

enum class AuthMethod : std::uint8_t { password = 1, passticket = 2 };
std::string_view to_string(AuthMethod method);

// Services a client asks for (NssStackConfig ServiceType) and the server grants.
struct Services {
    bool cert{false};         // ServiceType Cert: EZB.NSS.sys.client.IPSEC.CERT
    bool remote_mgmt{false};  // ServiceType RemoteMgmt: EZB.NSS.sys.client.IPSEC.NETMGMT
    bool operator==(Services const&) const = default;
};

// Signature schemes the certificate service offers (RFC 7427 / RFC 8017 / RFC 8032 names).
enum class SignatureScheme : std::uint8_t {
    rsa_pkcs1_sha256 = 1,
    rsa_pkcs1_sha384 = 2,
    rsa_pkcs1_sha512 = 3,
    rsa_pss_sha256 = 4,
    rsa_pss_sha384 = 5,
    rsa_pss_sha512 = 6,
    ecdsa_sha256 = 7,
    ecdsa_sha384 = 8,
    ecdsa_sha512 = 9,
    ed25519 = 10,
};
std::string_view to_string(SignatureScheme scheme);

// --- client -> server ---------------------------------------------------------------------

// First message on a connection: who the client is and what it wants.
struct RegisterRequest {
    std::uint32_t client_api_version{api_version};
    std::string client_name;  // NssStackConfig ClientName (default systemname_stackname)
    std::string system_name;  // IKED's system, e.g. "SYSTEMA"
    std::string stack_name;   // TCP/IP stack, e.g. "STACK1"
    std::string user_id;      // NssStackConfig UserId (SAF user on the server's system)
    AuthMethod auth_method{AuthMethod::password};
    std::string credential;  // password or PassTicket: never traced, never logged
    Services services;
    bool operator==(RegisterRequest const&) const = default;
};

// Sign `data` (the octets themselves, e.g. IKEv2 AUTH octets; RFC 7296 §2.15, RFC 7427) with
// the key of the key-ring certificate `label`.
struct SignRequest {
    std::string label;
    SignatureScheme scheme{SignatureScheme::ecdsa_sha256};
    Bytes data;
    bool operator==(SignRequest const&) const = default;
};

// Verify `signature` over `data` with the first certificate of `chain` (DER, leaf first), and
// the chain against the ring's CERTAUTH certificates the client may use.
struct VerifyRequest {
    SignatureScheme scheme{SignatureScheme::ecdsa_sha256};
    Bytes data;
    Bytes signature;
    std::vector<Bytes> chain;
    bool operator==(VerifyRequest const&) const = default;
};

// The kind of IKE identity a CertificateRequest names: the `Identity IpAddr|Fqdn|UserFqdn|X500dn`
// of a KeyExchangeRule's LocalSecurityEndpoint. The values are the IKEv2 Identification Types
// (RFC 7296 §3.5), so IKED can pass the type of its ID payload unchanged.
enum class IdentityType : std::uint8_t {
    ipv4_addr = 1,  // IpAddr (IPv4): a subjectAltName iPAddress equal to it
    fqdn = 2,       // Fqdn: a subjectAltName dNSName equal to it (ASCII case-insensitive)
    user_fqdn = 3,  // UserFqdn: a subjectAltName rfc822Name equal to it (ASCII case-insensitive)
    ipv6_addr = 5,  // IpAddr (IPv6)
    x500dn = 9,     // X500dn: the subject DN equal to it (RFC 4514 text, docs/nss-protocol.md)
};
std::string_view to_string(IdentityType type);  // "ipv4_addr", "fqdn", ...

// An identity as text: "10.1.1.1", "stack1.systema.example", "ike@systema.example",
// "CN=SYSTEMA_STACK1,O=IBM,C=US".
struct CertificateIdentity {
    IdentityType type{IdentityType::ipv4_addr};
    std::string value;
    bool operator==(CertificateIdentity const&) const = default;
};

// Retrieve certificates for IKE CERT / CERTREQ payloads: the certificate `label` (empty: none)
// or, when `identity` is set (label then empty), the personal certificates of the key ring
// that match it and the client may use; and, when include_ca, the CA certificates the client
// may advertise (EZB.NSSCERT...CERTAUTH). `identity` is a critical attribute (0x8038): a server
// that does not know it rejects the frame rather than answer as if it were absent.
struct CertificateRequest {
    std::string label;
    bool include_ca{false};
    std::optional<CertificateIdentity> identity;
    bool operator==(CertificateRequest const&) const = default;
};

// --- server -> client replies ---------------------------------------------------------------

struct RegisterReply {
    ResultCode result{ResultCode::ok};
    std::string reason;  // human text for denials
    std::uint32_t server_api_version{api_version};
    std::string server_system_name;  // NSServerSystemName in ipsec -w
    Services granted;
    std::string cert_denial;  // why cert was not granted (empty if granted/not asked)
    std::string remote_mgmt_denial;
    std::uint64_t connection_id{0};  // the server's connID (DBG0104I "NSS connID n")
    bool operator==(RegisterReply const&) const = default;
};

struct SignReply {
    ResultCode result{ResultCode::ok};
    std::string reason;
    Bytes signature;
    bool operator==(SignReply const&) const = default;
};

struct VerifyReply {
    ResultCode result{ResultCode::ok};
    std::string reason;
    std::string subject;  // subject DN of the verified leaf
    bool operator==(VerifyReply const&) const = default;
};

struct CertificateEntry {
    std::string label;
    bool is_ca{false};
    Bytes der;
    bool operator==(CertificateEntry const&) const = default;
};

struct CertificateReply {
    ResultCode result{ResultCode::ok};
    std::string reason;
    std::vector<CertificateEntry> certificates;
    bool operator==(CertificateReply const&) const = default;
};

// --- remote management: server -> client request, client -> server reply --------------------

enum class MgmtCommand : std::uint8_t {
    display_filters = 1,    // ipsec -z c -f display
    display_ike_sas = 2,    // ipsec -z c -k display
    display_ipsec_sas = 3,  // ipsec -z c -y display
    activate_sa = 4,        // ipsec -z c -y activate <id>
    deactivate_sa = 5,      // ipsec -z c -y deactivate <id> / -k deactivate
    refresh_sa = 6,         // ipsec -z c -y refresh <id> / -k refresh
    policy_default = 7,     // ipsec -z c -f default  (creates the marker file)
    policy_reload = 8,      // ipsec -z c -f reload   (deletes the marker file)
};
std::string_view to_string(MgmtCommand command);

struct MgmtRequest {
    MgmtCommand command{MgmtCommand::display_filters};
    std::string target;     // SA id or filter name; empty when not applicable
    std::string requester;  // SAF user who issued ipsec -z on the server's system
    bool operator==(MgmtRequest const&) const = default;
};

struct MgmtReply {
    ResultCode result{ResultCode::ok};
    std::string reason;
    std::vector<std::string> lines;  // display output, z/OS shape
    bool operator==(MgmtReply const&) const = default;
};

// --- connection-level ----------------------------------------------------------------------

struct Keepalive {
    bool operator==(Keepalive const&) const = default;
};
struct KeepaliveAck {
    bool operator==(KeepaliveAck const&) const = default;
};

// Orderly close, either direction; the sender closes the TLS session after it.
struct Close {
    std::string reason;
    bool operator==(Close const&) const = default;
};

// A frame-level error: sent when a frame cannot be handled (malformed, oversized, unknown
// type, out of state). fatal: the sender closes the connection right after.
struct ErrorReply {
    ResultCode result{ResultCode::bad_request};
    std::string reason;
    bool fatal{false};
    bool operator==(ErrorReply const&) const = default;
};

using Body = std::variant<RegisterRequest, RegisterReply, SignRequest, SignReply, VerifyRequest,
                          VerifyReply, CertificateRequest, CertificateReply, MgmtRequest, MgmtReply,
                          Keepalive, KeepaliveAck, Close, ErrorReply>;

struct Message {
    std::uint32_t request_id{0};  // 0 for connection-level messages that expect no reply
    Body body;
    bool operator==(Message const&) const = default;
};

// Name of the message type ("register_request", "sign_reply", ...), for traces.
std::string_view message_name(Body const& body);

}  // namespace nsslab::wire_nss
