// X.509 v3 certificates (RFC 5280): creation (self-signed or signed by an issuer certificate
// and key, the model of RACF RACDCERT GENCERT ... SIGNWITH), PEM/DER load/save and accessors.
//
// Distinguished names use RFC 4514 string order, most specific first ("CN=NSSD,O=IBM,C=US");
// RACF SUBJECTSDN(CN('..') OU('..') O('..') L('..') SP('..') C('..')) maps onto it (SP -> ST).
// Certificate validity is given as TimePoint (never read from a clock). Creating a certificate
// signs it with the issuer key, in the issuer key's library context.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/crypto/key.hpp"

namespace nsslab::crypto {

// One attribute of a DN, e.g. {"CN", "NSSD"}. Attribute types use OpenSSL short names:
// CN, OU, O, L, ST, C, DC, emailAddress, serialNumber, title, ... (SP is accepted for ST).
struct DnAttribute {
    std::string type;
    std::string value;
    bool operator==(DnAttribute const&) const = default;
};

// A distinguished name in RFC 4514 order (most specific first), one attribute per RDN.
struct DistinguishedName {
    std::vector<DnAttribute> attributes;

    // Parses "CN=NSSD,OU=Sec,O=IBM,C=US" (RFC 4514: "\," "\+" "\\" "\"" escapes, spaces
    // around '=' and ',' ignored; multi-valued RDNs with '+' are not supported).
    static Result<DistinguishedName> parse(std::string_view text);
    // RFC 4514 string, escaping ',', '+', '"', '\\', '<', '>', ';' and leading '#'/spaces.
    std::string to_string() const;
    // First value of an attribute type ("CN"), if present.
    std::optional<std::string> get(std::string_view type) const;
    // The DER Name (RFC 5280 §4.1.2.4) a certificate made from this DN carries as its subject:
    // RDNs in X.509 order (least specific first), values as OpenSSL encodes them from UTF-8
    // (PrintableString for C, UTF8String otherwise). The ID_DER_ASN1_DN of IKEv2 (RFC 7296
    // §3.5). Errors: Errc::crypto_error for an attribute type OpenSSL does not know.
    Result<Bytes> to_der() const;
    // A DER Name back to RFC 4514 order. Errors: Errc::decode_error unless `der` is exactly one
    // Name.
    static Result<DistinguishedName> from_der(ByteView der);
    bool operator==(DistinguishedName const&) const = default;
};

struct SubjectAltNames {
    std::vector<IpAddress> ip_addresses;    // iPAddress
    std::vector<std::string> dns_names;     // dNSName
    std::vector<std::string> rfc822_names;  // rfc822Name (e-mail)
    bool empty() const { return ip_addresses.empty() && dns_names.empty() && rfc822_names.empty(); }
    bool operator==(SubjectAltNames const&) const = default;
};

// RFC 5280 section 4.2.1.3 keyUsage bits.
struct KeyUsage {
    bool digital_signature{false};
    bool non_repudiation{false};
    bool key_encipherment{false};
    bool data_encipherment{false};
    bool key_agreement{false};
    bool key_cert_sign{false};
    bool crl_sign{false};
    bool any() const {
        return digital_signature || non_repudiation || key_encipherment || data_encipherment ||
               key_agreement || key_cert_sign || crl_sign;
    }
    bool operator==(KeyUsage const&) const = default;
};

// Digest used when the issuer key is RSA or ECDSA (Ed25519 signs "pure", no digest).
enum class CertDigest { sha256, sha384, sha512 };

class Certificate;

// What to put into a new certificate.
struct CertificateSpec {
    DistinguishedName subject;
    std::uint64_t serial{1};  // must be > 0
    TimePoint not_before{};
    TimePoint not_after{};
    SubjectAltNames subject_alt_names;
    bool is_ca{false};                  // basicConstraints cA (critical)
    std::optional<int> path_length;     // basicConstraints pathLenConstraint (CA only)
    std::optional<KeyUsage> key_usage;  // keyUsage (critical) when set
    CertDigest digest{CertDigest::sha256};
};

class Certificate {
  public:
    Certificate();  // empty: valid() is false
    ~Certificate();
    Certificate(Certificate const&);
    Certificate& operator=(Certificate const&);
    Certificate(Certificate&&) noexcept;
    Certificate& operator=(Certificate&&) noexcept;

    // Self-signed: issuer = subject, signed with `key`, whose public key is certified.
    static Result<Certificate> create_self_signed(CertificateSpec const& spec,
                                                  PrivateKey const& key);
    // Certifies `subject_key`, signed by `issuer` / `issuer_key` (which must match).
    static Result<Certificate> create_signed(CertificateSpec const& spec,
                                             PublicKey const& subject_key,
                                             Certificate const& issuer,
                                             PrivateKey const& issuer_key);

    static Result<Certificate> load_pem(LibContext* ctx, std::string_view pem);
    static Result<Certificate> load_der(LibContext* ctx, ByteView der);
    // Every "CERTIFICATE" block of a PEM bundle, in order (at least one).
    static Result<std::vector<Certificate>> load_pem_bundle(LibContext* ctx, std::string_view pem);

    bool valid() const { return impl_ != nullptr; }
    std::string to_pem() const;
    Bytes to_der() const;

    DistinguishedName subject() const;
    DistinguishedName issuer() const;
    Bytes subject_der() const;  // the subject Name as encoded in the certificate
    std::string subject_string() const { return subject().to_string(); }
    std::string issuer_string() const { return issuer().to_string(); }
    Bytes serial() const;            // minimal big-endian octets
    std::string serial_hex() const;  // upper-case hex, e.g. "01"
    TimePoint not_before() const;
    TimePoint not_after() const;
    SubjectAltNames subject_alt_names() const;
    bool is_ca() const;
    std::optional<KeyUsage> key_usage() const;
    PublicKey public_key() const;
    KeyAlgorithm public_key_algorithm() const { return public_key().algorithm(); }
    Bytes fingerprint_sha256() const;
    bool is_self_signed() const;  // subject == issuer and the signature verifies with own key
    // True when `key` is the private half of this certificate's public key.
    bool matches_private_key(PrivateKey const& key) const;
    bool operator==(Certificate const& other) const;  // same DER

    struct Impl;
    Impl const* impl() const { return impl_.get(); }
    explicit Certificate(std::shared_ptr<Impl const> impl);

  private:
    std::shared_ptr<Impl const> impl_;
};

}  // namespace nsslab::crypto
