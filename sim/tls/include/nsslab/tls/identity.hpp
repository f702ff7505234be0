// Server identity check of the NSS client (IKED side) against the NSS server's certificate.
//
// IBM's IkeConfig gives NetworkSecurityServer[Backup] an optional `Identity IpAddr | Fqdn |
// UserAtFqdn | X500dn authid` (zos-nss-facts.md §7) but does not say how it is compared with the
// certificate. nsslab's emulation choice (DESIGN.md §6 "Server identity check", docs/tls.md):
//   IpAddr     → a SubjectAltName iPAddress equal to the address (IPv4 or IPv6)
//   Fqdn       → a SubjectAltName dNSName equal to the name (ASCII case-insensitive, no wildcards)
//   UserAtFqdn → a SubjectAltName rfc822Name equal to the address (ASCII case-insensitive)
//   X500dn     → the subject DN equal to the name (RFC 4514 string, attribute by attribute,
//                values case-insensitive, most-specific-first or the reverse order)
//   omitted    → the configured server address must equal a SubjectAltName iPAddress.
// The subject CN is never used as a fallback.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"

namespace nsslab::tls {

// IBM vocabulary of the Identity sub-parameter.
enum class IdentityType { ip_addr, fqdn, user_at_fqdn, x500dn };

// "IpAddr", "Fqdn", "UserAtFqdn", "X500dn".
std::string_view to_string(IdentityType type);
// Accepts the IBM keywords case-insensitively. Error: Errc::parse_error naming the text.
Result<IdentityType> parse_identity_type(std::string_view text);

struct ServerIdentity {
    IdentityType type{IdentityType::ip_addr};
    std::string value;  // the authid: "9.1.1.1", "nssd.example.com", "nssd@example.com", "CN=..."
};

// What nsslab reads from an X.509 certificate (peer or configured).
struct CertificateInfo {
    std::string subject;  // RFC 4514 (RFC 2253) string, most specific first: "CN=a,O=b,C=US"
    std::string issuer;   // same form
    std::vector<std::string> san_dns;
    std::vector<IpAddress> san_ip;
    std::vector<std::string> san_email;
    TimePoint not_before{};
    TimePoint not_after{};
    Bytes der;
};

// Parses the first certificate of a PEM string. Errc::decode_error if there is none.
Result<CertificateInfo> describe_certificate_pem(std::string_view pem);

// Ok if `cert` satisfies `expected` (or, when it is omitted, has `server_address` as a SAN
// iPAddress). Errc::auth_failed with "server identity mismatch: ..." otherwise, naming what was
// expected and what the certificate holds; Errc::invalid_argument for an unparseable IpAddr.
Result<void> check_server_identity(CertificateInfo const& cert,
                                   std::optional<ServerIdentity> const& expected,
                                   IpAddress const& server_address);

}  // namespace nsslab::tls
