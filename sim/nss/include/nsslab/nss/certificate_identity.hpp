// Certificates by IKE identity (docs/nss-protocol.md §5 cert_request, docs/nss-server.md
// "Certificates by identity"): how the identity of a CertificateRequest is checked and matched
// with a key-ring certificate, and how IKED's policy identity becomes one.
//
// z/OS IKED names no certificate label: a KeyExchangeRule's LocalSecurityEndpoint gives the
// local identity (`Identity IpAddr|Fqdn|UserFqdn|X500dn value`) and the certificate must be on
// the NSS server's key ring (IBM, "IPSec dynamic key management: identity information"). The
// match is nsslab's emulation choice:
//   ipv4_addr / ipv6_addr  a subjectAltName iPAddress equal to the address
//   fqdn                   a subjectAltName dNSName equal to it (ASCII case-insensitive)
//   user_fqdn              a subjectAltName rfc822Name equal to it (ASCII case-insensitive)
//   x500dn                 the subject DN equal to it, attribute by attribute in RFC 4514 order
//                          (most specific first, as verify_reply's subject and RACDCERT print
//                          it): types by their OpenSSL short name (SP = ST, E = emailAddress),
//                          values ASCII case-insensitive with blanks around them ignored and
//                          inner runs of blanks taken as one (X.520 caseIgnoreMatch, ASCII only)
// Blanks around the whole value are ignored. The subject CN is never matched with an fqdn.
#pragma once

#include <optional>
#include <string>

#include "nsslab/base/address.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/crypto/certificate.hpp"
#include "nsslab/wire_nss/messages.hpp"
#include "nsslab/zos/ike_policy.hpp"

namespace nsslab::nss {

class CertificateIdentityMatcher {
  public:
    // Checks identity.value for its type. Errc::invalid_argument, naming the identity, for an
    // empty value, an ipv4_addr that is not an IPv4 address, an ipv6_addr that is not an IPv6
    // address, or an x500dn that is not an RFC 4514 DN (one attribute per RDN).
    static Result<CertificateIdentityMatcher> make(wire_nss::CertificateIdentity const& identity);

    bool matches(crypto::Certificate const& certificate) const;
    // "x500dn 'CN=SYSTEMA_STACK1,O=IBM,C=US'", for reasons; a value longer than 128 octets is
    // cut ("... (n octets)") so that every reason stays far below wire_nss::max_text_size.
    std::string describe() const;

  private:
    explicit CertificateIdentityMatcher(wire_nss::CertificateIdentity identity)
        : identity_(std::move(identity)) {}

    wire_nss::CertificateIdentity identity_;
    std::string text_;                  // the value without surrounding blanks
    std::optional<IpAddress> address_;  // ipv4_addr / ipv6_addr
    crypto::DistinguishedName dn_;      // x500dn
};

// IKED's KeyExchangeRule identity as a CertificateRequest identity: IpAddr becomes ipv4_addr or
// ipv6_addr after the address, Fqdn fqdn, UserFqdn user_fqdn, X500dn x500dn; the value is kept
// as coded. Errors: invalid_argument for an IpAddr that is not an address, unsupported for
// KeyId (no certificate field holds it).
Result<wire_nss::CertificateIdentity> certificate_identity(zos::IkeIdentity const& identity);

}  // namespace nsslab::nss
