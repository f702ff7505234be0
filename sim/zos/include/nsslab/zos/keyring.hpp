// RACF key rings and digital-certificate profiles (z/OS Security Server RACF: "RACF and digital
// certificates", RACDCERT in the RACF Command Language Reference), as used by NSSD's KeyRing
// (nssd.conf), IKED's KeyRing (iked.conf) and AT-TLS policies (facts: "Where client certificates
// must live", "Server certificate choice").
//
// Model (docs/keyrings.md):
//  - A certificate belongs to an owner: a user ID (personal certificates), CERTAUTH (certificate
//    authority certificates) or SITE. Its label is up to 32 characters, case-sensitive, unique
//    per owner. It may hold a private key, and has a trust status (TRUST, NOTRUST, HIGHTRUST).
//  - A key ring belongs to a user ID and has a case-sensitive name; it is written
//    "userid/ringname". Certificates are connected to rings with a usage (PERSONAL, CERTAUTH,
//    SITE) and at most one connection of a ring is the DEFAULT.
//  - Deleting a certificate removes it from every ring it is connected to.
//
// Private key material never appears in any listing, message or error produced here: listings
// say "Private Key: YES|NO" and the key type only.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/key.hpp"

namespace nsslab::zos {

// RACF limits.
inline constexpr std::size_t racf_label_chars_max = 32;
inline constexpr std::size_t racf_ring_name_chars_max = 237;
inline constexpr std::size_t racf_userid_chars_max = 8;
// nsslab bounds (STYLE.md: everything bounded); exceeding one is Errc::limit_exceeded.
inline constexpr std::size_t keyring_store_certificates_max = 65536;
inline constexpr std::size_t keyring_store_rings_max = 65536;
inline constexpr std::size_t keyring_connections_max = 4096;  // per ring

// Who owns a certificate.
struct CertOwner {
    enum class Kind { user, certauth, site };
    Kind kind{Kind::user};
    std::string user_id;  // upper-cased RACF user ID when kind == user, else empty

    static CertOwner user(std::string_view id);  // upper-cases
    static CertOwner certauth() { return CertOwner{Kind::certauth, {}}; }
    static CertOwner site() { return CertOwner{Kind::site, {}}; }
    // "ID(NSSD)", "CERTAUTH", "SITE" (RACDCERT operand form).
    std::string to_string() const;
    auto operator<=>(CertOwner const&) const = default;  // NOLINT(modernize-use-nullptr)
};

enum class CertUsage { personal, certauth, site };
// "PERSONAL", "CERTAUTH", "SITE".
std::string_view to_string(CertUsage usage);
std::optional<CertUsage> cert_usage_from_string(std::string_view name);  // any case
// A certificate's own usage: user -> PERSONAL, CERTAUTH -> CERTAUTH, SITE -> SITE.
CertUsage natural_usage(CertOwner const& owner);

enum class CertTrust { trust, notrust, hightrust };
// "TRUST", "NOTRUST", "HIGHTRUST".
std::string_view to_string(CertTrust trust);

// A RACF digital-certificate profile.
struct StoredCertificate {
    CertOwner owner;
    std::string label;
    crypto::Certificate certificate;
    std::optional<crypto::PrivateKey> private_key;  // never listed
    CertTrust trust{CertTrust::trust};
    std::uint64_t next_serial{1};  // serial number the next certificate it signs gets

    bool has_private_key() const { return private_key.has_value() && private_key->valid(); }
};

// "userid/ringname" split; the user ID is upper-cased, the ring name kept as written.
struct RingId {
    std::string owner;
    std::string name;

    // Accepts "userid/ringname". Errc::invalid_argument when either side is empty or too long.
    static Result<RingId> parse(std::string_view text);
    static Result<RingId> make(std::string_view owner, std::string_view name);
    std::string to_string() const { return owner + "/" + name; }
    auto operator<=>(RingId const&) const = default;  // NOLINT(modernize-use-nullptr)
};

struct RingConnection {
    CertOwner cert_owner;
    std::string label;
    CertUsage usage{CertUsage::personal};
    bool is_default{false};
};

struct KeyRing {
    RingId id;
    std::vector<RingConnection> connections;  // in connection order
};

// One certificate as seen through a ring (what R_datalib / gsk_* give an application).
struct RingCertificate {
    StoredCertificate const* stored{nullptr};
    CertUsage usage{CertUsage::personal};
    bool is_default{false};

    crypto::Certificate const& certificate() const { return stored->certificate; }
    std::string const& label() const { return stored->label; }
    // nullptr when the certificate has no private key.
    crypto::PrivateKey const* private_key() const {
        return stored->has_private_key() ? &*stored->private_key : nullptr;
    }
};

// Errc::invalid_argument unless 1..32 characters with no control characters.
Result<void> check_racf_label(std::string_view label);

class KeyRingStore {
  public:
    // ---- certificates ----
    // Errc::already_exists when the owner already has the label; invalid_argument for a bad
    // label or when the private key does not match the certificate.
    Result<void> add_certificate(CertOwner const& owner, std::string_view label,
                                 crypto::Certificate certificate,
                                 std::optional<crypto::PrivateKey> private_key,
                                 CertTrust trust = CertTrust::trust);
    // Emulation of RACDCERT ADD from a PEM data set: the first CERTIFICATE block, and the
    // "PRIVATE KEY" block if present (its content is never echoed in errors).
    Result<void> import_pem(crypto::LibContext* ctx, CertOwner const& owner, std::string_view label,
                            std::string_view pem, CertTrust trust = CertTrust::trust);
    // Also disconnects it from every ring. Errc::not_found when absent.
    Result<void> delete_certificate(CertOwner const& owner, std::string_view label);
    Result<void> set_trust(CertOwner const& owner, std::string_view label, CertTrust trust);
    // Returns the serial for the next certificate signed by (owner, label) and advances it.
    Result<std::uint64_t> take_serial(CertOwner const& owner, std::string_view label);

    StoredCertificate const* find_certificate(CertOwner const& owner, std::string_view label) const;
    // Every certificate of an owner, by label.
    std::vector<StoredCertificate const*> certificates_of(CertOwner const& owner) const;
    // A label not used by `owner` yet: "LABEL00000001", "LABEL00000002", ... (RACF's
    // generated-label form, used when GENCERT/ADD has no WITHLABEL).
    std::string generate_label(CertOwner const& owner) const;

    // ---- rings ----
    Result<void> add_ring(RingId const& ring);     // already_exists when present
    Result<void> delete_ring(RingId const& ring);  // not_found when absent
    // Connects (or re-connects, updating usage/default) a certificate. `usage` nullopt means the
    // certificate's natural usage. `make_default` makes it the ring's only default.
    Result<void> connect(RingId const& ring, CertOwner const& cert_owner, std::string_view label,
                         std::optional<CertUsage> usage, bool make_default);
    Result<void> remove(RingId const& ring, CertOwner const& cert_owner, std::string_view label);

    KeyRing const* find_ring(RingId const& ring) const;
    std::vector<KeyRing const*> rings_of(std::string_view owner) const;
    // Rings a certificate is connected to.
    std::vector<RingId> rings_with(CertOwner const& owner, std::string_view label) const;

    // ---- lookups through a ring (NSSD certificate service, AT-TLS) ----
    // First connection (in connection order) with that label, whatever its owner.
    Result<RingCertificate> ring_certificate(RingId const& ring, std::string_view label) const;
    // The DEFAULT connection. Errc::not_found when the ring has none.
    Result<RingCertificate> ring_default(RingId const& ring) const;
    // Certificates connected with usage CERTAUTH whose trust is not NOTRUST: the ring's
    // trust anchors for chain verification.
    Result<std::vector<crypto::Certificate>> ring_ca_certificates(RingId const& ring) const;
    // Every connection resolved, in connection order.
    Result<std::vector<RingCertificate>> ring_certificates(RingId const& ring) const;

    // ---- listings (RACDCERT LIST / LISTRING shaped; never any key material) ----
    Result<std::string> list_certificate(CertOwner const& owner, std::string_view label) const;
    Result<std::string> list_ring(RingId const& ring) const;

    std::size_t certificate_count() const { return certificates_.size(); }
    std::size_t ring_count() const { return rings_.size(); }

  private:
    struct CertKey {
        CertOwner owner;
        std::string label;
        auto operator<=>(CertKey const&) const = default;  // NOLINT(modernize-use-nullptr)
    };
    StoredCertificate* find_mutable(CertOwner const& owner, std::string_view label);
    KeyRing* find_ring_mutable(RingId const& ring);

    std::map<CertKey, StoredCertificate> certificates_;  // node-based: pointers stay valid
    std::map<RingId, KeyRing> rings_;
};

}  // namespace nsslab::zos
