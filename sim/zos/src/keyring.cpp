#include "nsslab/zos/keyring.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "nsslab/base/text.hpp"

namespace nsslab::zos {

namespace {

std::string quoted_label(CertOwner const& owner, std::string_view label) {
    return "LABEL('" + std::string(label) + "') " + owner.to_string();
}

// RACF displays DNs with '.' between RDNs: ">CN=NSSD.O=IBM.C=US<".
std::string racf_dn(crypto::DistinguishedName const& dn) {
    std::string out;
    for (auto const& a : dn.attributes) {
        if (!out.empty())
            out += '.';
        out += (a.type == "ST" ? std::string("SP") : a.type) + "=" + a.value;
    }
    return out;
}

Result<void> check_userid(std::string_view id, char const* what) {
    if (id.empty() || id.size() > racf_userid_chars_max)
        return fail(Errc::invalid_argument, std::string(what) + ": user ID '" + std::string(id) +
                                                "' must be 1-8 characters");
    return {};
}

}  // namespace

CertOwner CertOwner::user(std::string_view id) {
    return CertOwner{Kind::user, ascii_upper(id)};
}

std::string CertOwner::to_string() const {
    switch (kind) {
        case Kind::user:
            return "ID(" + user_id + ")";
        case Kind::certauth:
            return "CERTAUTH";
        case Kind::site:
            return "SITE";
    }
    return "?";
}

std::string_view to_string(CertUsage usage) {
    switch (usage) {
        case CertUsage::personal:
            return "PERSONAL";
        case CertUsage::certauth:
            return "CERTAUTH";
        case CertUsage::site:
            return "SITE";
    }
    return "?";
}

std::optional<CertUsage> cert_usage_from_string(std::string_view name) {
    auto const u = ascii_upper(name);
    if (u == "PERSONAL")
        return CertUsage::personal;
    if (u == "CERTAUTH")
        return CertUsage::certauth;
    if (u == "SITE")
        return CertUsage::site;
    return std::nullopt;
}

CertUsage natural_usage(CertOwner const& owner) {
    switch (owner.kind) {
        case CertOwner::Kind::user:
            return CertUsage::personal;
        case CertOwner::Kind::certauth:
            return CertUsage::certauth;
        case CertOwner::Kind::site:
            return CertUsage::site;
    }
    return CertUsage::personal;
}

std::string_view to_string(CertTrust trust) {
    switch (trust) {
        case CertTrust::trust:
            return "TRUST";
        case CertTrust::notrust:
            return "NOTRUST";
        case CertTrust::hightrust:
            return "HIGHTRUST";
    }
    return "?";
}

Result<RingId> RingId::make(std::string_view owner, std::string_view name) {
    if (auto r = check_userid(owner, "key ring owner"); !r)
        return r.error();
    if (name.empty() || name.size() > racf_ring_name_chars_max)
        return fail(Errc::invalid_argument,
                    "key ring name '" + std::string(name) + "' must be 1-237 characters");
    for (char c : name)
        if (std::iscntrl(static_cast<unsigned char>(c)) || c == ' ' || c == '/')
            return fail(Errc::invalid_argument, "key ring name '" + std::string(name) +
                                                    "' contains a blank, '/' or control character");
    return RingId{ascii_upper(owner), std::string(name)};
}

Result<RingId> RingId::parse(std::string_view text) {
    auto const slash = text.find('/');
    if (slash == std::string_view::npos)
        return fail(Errc::invalid_argument,
                    "key ring '" + std::string(text) + "' is not of the form userid/ringname");
    return make(text.substr(0, slash), text.substr(slash + 1));
}

Result<void> check_racf_label(std::string_view label) {
    if (label.empty() || label.size() > racf_label_chars_max)
        return fail(Errc::invalid_argument,
                    "certificate label '" + std::string(label) + "' must be 1-32 characters");
    for (char c : label)
        if (std::iscntrl(static_cast<unsigned char>(c)))
            return fail(Errc::invalid_argument, "certificate label contains a control character");
    return {};
}

// ---- certificates -----------------------------------------------------------------------

StoredCertificate* KeyRingStore::find_mutable(CertOwner const& owner, std::string_view label) {
    auto it = certificates_.find(CertKey{owner, std::string(label)});
    return it == certificates_.end() ? nullptr : &it->second;
}

StoredCertificate const* KeyRingStore::find_certificate(CertOwner const& owner,
                                                        std::string_view label) const {
    auto it = certificates_.find(CertKey{owner, std::string(label)});
    return it == certificates_.end() ? nullptr : &it->second;
}

Result<void> KeyRingStore::add_certificate(CertOwner const& owner, std::string_view label,
                                           crypto::Certificate certificate,
                                           std::optional<crypto::PrivateKey> private_key,
                                           CertTrust trust) {
    if (owner.kind == CertOwner::Kind::user)
        if (auto r = check_userid(owner.user_id, "certificate owner"); !r)
            return r.error();
    if (auto r = check_racf_label(label); !r)
        return r.error();
    if (!certificate.valid())
        return fail(Errc::invalid_argument,
                    "add_certificate: no certificate for " + quoted_label(owner, label));
    if (private_key && !certificate.matches_private_key(*private_key))
        return fail(Errc::invalid_argument,
                    "add_certificate: the private key does not match the certificate for " +
                        quoted_label(owner, label));
    CertKey key{owner, std::string(label)};
    if (certificates_.count(key) != 0)
        return fail(Errc::already_exists,
                    "certificate " + quoted_label(owner, label) + " already exists");
    if (certificates_.size() >= keyring_store_certificates_max)
        return fail(Errc::limit_exceeded, "add_certificate: the store already holds " +
                                              std::to_string(keyring_store_certificates_max) +
                                              " certificates");
    StoredCertificate stored;
    stored.owner = owner;
    stored.label = std::string(label);
    stored.certificate = std::move(certificate);
    stored.private_key = std::move(private_key);
    stored.trust = trust;
    certificates_.emplace(std::move(key), std::move(stored));
    return {};
}

Result<void> KeyRingStore::import_pem(crypto::LibContext* ctx, CertOwner const& owner,
                                      std::string_view label, std::string_view pem,
                                      CertTrust trust) {
    auto cert = crypto::Certificate::load_pem(ctx, pem);
    if (!cert)
        return fail(Errc::parse_error, "import for " + quoted_label(owner, label) +
                                           ": no CERTIFICATE block could be read");
    std::optional<crypto::PrivateKey> key;
    if (pem.find("PRIVATE KEY-----") != std::string_view::npos) {
        auto k = crypto::PrivateKey::load_pem(ctx, pem);
        if (!k)
            return fail(Errc::parse_error, "import for " + quoted_label(owner, label) +
                                               ": the private key block could not be read "
                                               "(encrypted keys are not supported)");
        key = std::move(*k);
    }
    return add_certificate(owner, label, std::move(*cert), std::move(key), trust);
}

Result<void> KeyRingStore::delete_certificate(CertOwner const& owner, std::string_view label) {
    auto it = certificates_.find(CertKey{owner, std::string(label)});
    if (it == certificates_.end())
        return fail(Errc::not_found, "certificate " + quoted_label(owner, label) + " not found");
    for (auto& [id, ring] : rings_)
        std::erase_if(ring.connections, [&](RingConnection const& c) {
            return c.cert_owner == owner && c.label == label;
        });
    certificates_.erase(it);
    return {};
}

Result<void> KeyRingStore::set_trust(CertOwner const& owner, std::string_view label,
                                     CertTrust trust) {
    auto* c = find_mutable(owner, label);
    if (c == nullptr)
        return fail(Errc::not_found, "certificate " + quoted_label(owner, label) + " not found");
    c->trust = trust;
    return {};
}

Result<std::uint64_t> KeyRingStore::take_serial(CertOwner const& owner, std::string_view label) {
    auto* c = find_mutable(owner, label);
    if (c == nullptr)
        return fail(Errc::not_found, "certificate " + quoted_label(owner, label) + " not found");
    return c->next_serial++;
}

std::vector<StoredCertificate const*> KeyRingStore::certificates_of(CertOwner const& owner) const {
    std::vector<StoredCertificate const*> out;
    for (auto const& [key, cert] : certificates_)
        if (key.owner == owner)
            out.push_back(&cert);
    return out;
}

std::string KeyRingStore::generate_label(CertOwner const& owner) const {
    for (unsigned n = 1;; ++n) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "LABEL%08u", n);
        if (find_certificate(owner, buf) == nullptr)
            return buf;
    }
}

// ---- rings ------------------------------------------------------------------------------

KeyRing* KeyRingStore::find_ring_mutable(RingId const& ring) {
    auto it = rings_.find(ring);
    return it == rings_.end() ? nullptr : &it->second;
}

KeyRing const* KeyRingStore::find_ring(RingId const& ring) const {
    auto it = rings_.find(ring);
    return it == rings_.end() ? nullptr : &it->second;
}

Result<void> KeyRingStore::add_ring(RingId const& ring) {
    if (rings_.count(ring) != 0)
        return fail(Errc::already_exists, "key ring " + ring.to_string() + " already exists");
    if (rings_.size() >= keyring_store_rings_max)
        return fail(Errc::limit_exceeded, "add_ring: the store already holds " +
                                              std::to_string(keyring_store_rings_max) + " rings");
    rings_.emplace(ring, KeyRing{ring, {}});
    return {};
}

Result<void> KeyRingStore::delete_ring(RingId const& ring) {
    if (rings_.erase(ring) == 0)
        return fail(Errc::not_found, "key ring " + ring.to_string() + " not found");
    return {};
}

Result<void> KeyRingStore::connect(RingId const& ring, CertOwner const& cert_owner,
                                   std::string_view label, std::optional<CertUsage> usage,
                                   bool make_default) {
    KeyRing* r = find_ring_mutable(ring);
    if (r == nullptr)
        return fail(Errc::not_found, "key ring " + ring.to_string() + " not found");
    if (find_certificate(cert_owner, label) == nullptr)
        return fail(Errc::not_found,
                    "certificate " + quoted_label(cert_owner, label) + " not found");
    auto it = std::find_if(r->connections.begin(), r->connections.end(), [&](auto const& c) {
        return c.cert_owner == cert_owner && c.label == label;
    });
    if (it == r->connections.end() && r->connections.size() >= keyring_connections_max)
        return fail(Errc::limit_exceeded, "key ring " + ring.to_string() + " already has " +
                                              std::to_string(keyring_connections_max) +
                                              " certificates connected");
    if (make_default)
        for (auto& c : r->connections)
            c.is_default = false;
    if (it == r->connections.end()) {
        r->connections.push_back(RingConnection{cert_owner, std::string(label),
                                                usage.value_or(natural_usage(cert_owner)),
                                                make_default});
    } else {
        // Re-connecting updates the usage when given and sets DEFAULT when asked; it never
        // clears an existing DEFAULT (as RACF).
        if (usage)
            it->usage = *usage;
        if (make_default)
            it->is_default = true;
    }
    return {};
}

Result<void> KeyRingStore::remove(RingId const& ring, CertOwner const& cert_owner,
                                  std::string_view label) {
    KeyRing* r = find_ring_mutable(ring);
    if (r == nullptr)
        return fail(Errc::not_found, "key ring " + ring.to_string() + " not found");
    auto const before = r->connections.size();
    std::erase_if(r->connections, [&](RingConnection const& c) {
        return c.cert_owner == cert_owner && c.label == label;
    });
    if (r->connections.size() == before)
        return fail(Errc::not_found, "certificate " + quoted_label(cert_owner, label) +
                                         " is not connected to " + ring.to_string());
    return {};
}

std::vector<KeyRing const*> KeyRingStore::rings_of(std::string_view owner) const {
    std::vector<KeyRing const*> out;
    std::string const u = ascii_upper(owner);
    for (auto const& [id, ring] : rings_)
        if (id.owner == u)
            out.push_back(&ring);
    return out;
}

std::vector<RingId> KeyRingStore::rings_with(CertOwner const& owner, std::string_view label) const {
    std::vector<RingId> out;
    for (auto const& [id, ring] : rings_)
        for (auto const& c : ring.connections)
            if (c.cert_owner == owner && c.label == label) {
                out.push_back(id);
                break;
            }
    return out;
}

Result<std::vector<RingCertificate>> KeyRingStore::ring_certificates(RingId const& ring) const {
    KeyRing const* r = find_ring(ring);
    if (r == nullptr)
        return fail(Errc::not_found, "key ring " + ring.to_string() + " not found");
    std::vector<RingCertificate> out;
    for (auto const& c : r->connections) {
        StoredCertificate const* s = find_certificate(c.cert_owner, c.label);
        NSSLAB_ASSERT(s != nullptr, "ring connection to a deleted certificate");
        out.push_back(RingCertificate{s, c.usage, c.is_default});
    }
    return out;
}

Result<RingCertificate> KeyRingStore::ring_certificate(RingId const& ring,
                                                       std::string_view label) const {
    KeyRing const* r = find_ring(ring);
    if (r == nullptr)
        return fail(Errc::not_found, "key ring " + ring.to_string() + " not found");
    for (auto const& c : r->connections) {
        if (c.label != label)
            continue;
        StoredCertificate const* s = find_certificate(c.cert_owner, c.label);
        NSSLAB_ASSERT(s != nullptr, "ring connection to a deleted certificate");
        return RingCertificate{s, c.usage, c.is_default};
    }
    return fail(Errc::not_found, "no certificate labelled '" + std::string(label) +
                                     "' on key ring " + ring.to_string());
}

Result<RingCertificate> KeyRingStore::ring_default(RingId const& ring) const {
    auto all = ring_certificates(ring);
    if (!all)
        return all.error();
    for (auto const& rc : *all)
        if (rc.is_default)
            return rc;
    return fail(Errc::not_found, "key ring " + ring.to_string() + " has no default certificate");
}

Result<std::vector<crypto::Certificate>> KeyRingStore::ring_ca_certificates(
    RingId const& ring) const {
    auto all = ring_certificates(ring);
    if (!all)
        return all.error();
    std::vector<crypto::Certificate> out;
    for (auto const& rc : *all)
        if (rc.usage == CertUsage::certauth && rc.stored->trust != CertTrust::notrust)
            out.push_back(rc.certificate());
    return out;
}

// ---- listings ---------------------------------------------------------------------------

Result<std::string> KeyRingStore::list_certificate(CertOwner const& owner,
                                                   std::string_view label) const {
    StoredCertificate const* s = find_certificate(owner, label);
    if (s == nullptr)
        return fail(Errc::not_found, "certificate " + quoted_label(owner, label) + " not found");
    auto const& c = s->certificate;
    std::string out;
    out += owner.kind == CertOwner::Kind::user
               ? "Digital certificate information for user " + owner.user_id + ":\n\n"
           : owner.kind == CertOwner::Kind::certauth
               ? std::string("Digital certificate information for CERTAUTH:\n\n")
               : std::string("Digital certificate information for SITE:\n\n");
    out += "  Label: " + s->label + "\n";
    out += "  Status: " + std::string(to_string(s->trust)) + "\n";
    out += "  Start Date: " + format_zos(c.not_before()) + "\n";
    out += "  End Date:   " + format_zos(c.not_after()) + "\n";
    out += "  Serial Number:\n       >" + c.serial_hex() + "<\n";
    out += "  Issuer's Name:\n       >" + racf_dn(c.issuer()) + "<\n";
    out += "  Subject's Name:\n       >" + racf_dn(c.subject()) + "<\n";
    auto const san = c.subject_alt_names();
    if (!san.empty()) {
        out += "  Subject's AltNames:\n";
        for (auto const& ip : san.ip_addresses)
            out += "    IP: " + ip.to_string() + "\n";
        for (auto const& d : san.dns_names)
            out += "    Domain: " + d + "\n";
        for (auto const& e : san.rfc822_names)
            out += "    EMail: " + e + "\n";
    }
    if (auto ku = c.key_usage()) {
        std::string k;
        auto add = [&](bool on, char const* name) {
            if (!on)
                return;
            if (!k.empty())
                k += ", ";
            k += name;
        };
        add(ku->digital_signature || ku->key_encipherment, "HANDSHAKE");
        add(ku->data_encipherment, "DATAENCRYPT");
        add(ku->non_repudiation, "DOCSIGN");
        add(ku->key_cert_sign, "CERTSIGN");
        out += "  Key Usage: " + k + "\n";
    }
    auto const pub = c.public_key();
    out += "  Key Type: " + std::string(crypto::to_string(pub.algorithm())) + "\n";
    out += "  Key Size: " + std::to_string(pub.bits()) + "\n";
    out += std::string("  Private Key: ") + (s->has_private_key() ? "YES" : "NO") + "\n";
    out += "  Fingerprint (SHA-256): " + to_hex(c.fingerprint_sha256(), true) + "\n";
    auto const rings = rings_with(owner, label);
    out += "  Ring Associations:\n";
    if (rings.empty())
        out += "    *** No rings associated ***\n";
    for (auto const& r : rings) {
        out += "    Ring Owner: " + r.owner + "\n";
        out += "    Ring:\n       >" + r.name + "<\n";
    }
    return out;
}

Result<std::string> KeyRingStore::list_ring(RingId const& ring) const {
    auto all = ring_certificates(ring);
    if (!all)
        return all.error();
    std::string out = "Digital ring information for user " + ring.owner + ":\n\n";
    out += "  Ring:\n       >" + ring.name + "<\n";
    if (all->empty()) {
        out += "  *** No certificates connected ***\n";
        return out;
    }
    char line[160];
    std::snprintf(line, sizeof line, "  %-32s   %-12s   %-8s   %s\n", "Certificate Label Name",
                  "Cert Owner", "USAGE", "DEFAULT");
    out += line;
    std::snprintf(line, sizeof line, "  %-32s   %-12s   %-8s   %s\n",
                  "--------------------------------", "------------", "--------", "-------");
    out += line;
    for (auto const& rc : *all) {
        std::snprintf(line, sizeof line, "  %-32s   %-12s   %-8s   %s\n", rc.label().c_str(),
                      rc.stored->owner.to_string().c_str(),
                      std::string(to_string(rc.usage)).c_str(), rc.is_default ? "YES" : "NO");
        out += line;
    }
    return out;
}

}  // namespace nsslab::zos
