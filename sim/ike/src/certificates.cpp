// Certificates in IKE_SA_INIT and IKE_AUTH (RFC 7296 §3.6, §3.7; DESIGN.md §2 "Certificates"):
// our CERT payloads (the chain of set_local_certificates(), X509_SIGNATURE), our CERTREQ (the
// SHA-1 of each trusted CA's SubjectPublicKeyInfo), the peer's CERT and CERTREQ payloads kept
// bounded, and the check that the peer's end-entity certificate confirms its ID.
//
//   initiator                                   responder
//   HDR, SAi1, KEi, Ni                  -->
//                                       <--    HDR, SAr1, KEr, Nr, [CERTREQ]
//   HDR, SK {IDi, [CERT+], [CERTREQ], AUTH, SAi2, TSi, TSr}  -->
//                                       <--    HDR, SK {IDr, [CERT+], AUTH, SAr2, TSi, TSr}
#include <algorithm>
#include <cctype>

#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/digest.hpp"
#include "sa.hpp"

namespace nsslab::ike {

namespace {

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// "subject CN=a, subjectAltName dNSName a.example, iPAddress 10.0.0.1".
std::string certificate_holds(crypto::Certificate const& cert) {
    std::string out = "subject " + cert.subject_string();
    auto san = cert.subject_alt_names();
    std::string list;
    auto add = [&](std::string_view kind, std::string const& value) {
        list += (list.empty() ? "" : ", ") + std::string(kind) + " " + value;
    };
    for (auto const& n : san.dns_names)
        add("dNSName", n);
    for (auto const& a : san.ip_addresses)
        add("iPAddress", a.to_string());
    for (auto const& n : san.rfc822_names)
        add("rfc822Name", n);
    return out + ", subjectAltName " + (list.empty() ? "none" : list);
}

}  // namespace

std::string identity_not_in_certificate(Identity const& id, ByteView der) {
    auto cert = crypto::Certificate::load_der(nullptr, der);
    if (!cert)
        return "the end-entity certificate does not load: " + cert.error().message;
    auto san = cert->subject_alt_names();
    bool confirmed = false;
    switch (id.type) {
        case w::IdType::ipv4_addr:
        case w::IdType::ipv6_addr:
            confirmed = std::any_of(san.ip_addresses.begin(), san.ip_addresses.end(),
                                    [&](IpAddress const& a) {
                                        auto const& raw = a.raw();
                                        return std::equal(id.data.begin(), id.data.end(),
                                                          raw.begin(), raw.begin() + a.size());
                                    });
            break;
        case w::IdType::fqdn:
            confirmed =
                std::any_of(san.dns_names.begin(), san.dns_names.end(),
                            [&](std::string const& n) { return iequal(n, as_chars(id.data)); });
            break;
        case w::IdType::rfc822_addr:
            confirmed =
                std::any_of(san.rfc822_names.begin(), san.rfc822_names.end(),
                            [&](std::string const& n) { return iequal(n, as_chars(id.data)); });
            break;
        case w::IdType::der_asn1_dn:
            if (cert->subject_der() == id.data) {
                confirmed = true;
            } else if (auto dn = crypto::DistinguishedName::from_der(id.data)) {
                confirmed = *dn == cert->subject();  // the same RDNs in other string types
            }
            break;
        default:
            return "ID " + id.to_string() + " cannot be confirmed by a certificate (" +
                   certificate_holds(*cert) + ")";
    }
    if (confirmed)
        return {};
    return "ID " + id.to_string() + " is not confirmed by the end-entity certificate (" +
           certificate_holds(*cert) + ")";
}

void IkeEndpoint::Impl::prepare_certreqs() {
    certreq_authorities.assign(config.connections.size(), Bytes{});
    local_chains.assign(config.connections.size(), {});
    for (std::size_t i = 0; i < config.connections.size(); ++i) {
        Connection const& c = config.connections[i];
        for (auto const& der : c.peer_auth.ca_certificates) {
            auto cert = crypto::Certificate::load_der(nullptr, der);
            Result<Bytes> spki = cert ? cert->public_key().to_der() : Result<Bytes>(cert.error());
            Result<Bytes> hash = spki ? crypto::sha1(*spki) : spki;
            if (!hash) {
                Event e("ike.config_error");
                e.with("connection", c.name)
                    .with("reason", "a CA certificate of PeerAuth::ca_certificates is not used: " +
                                        hash.error().message);
                emit(std::move(e));
                continue;
            }
            certreq_authorities[i].insert(certreq_authorities[i].end(), hash->begin(), hash->end());
        }
    }
}

void IkeEndpoint::Impl::add_certificates(Sa const& sa, std::vector<w::Payload>& out) const {
    if (!is_signature(config.connections[sa.connection].local_auth.method))
        return;
    for (auto const& der : local_chains[sa.connection])
        out.push_back(w::Certificate{w::CertEncoding::x509_signature, der});
}

void IkeEndpoint::Impl::add_certreq(Sa const& sa, std::vector<w::Payload>& out) const {
    if (!certreq_authorities[sa.connection].empty())
        out.push_back(w::CertificateRequest{w::CertEncoding::x509_signature,
                                            certreq_authorities[sa.connection]});
}

void IkeEndpoint::Impl::take_certificates(Sa& sa, std::span<w::Payload const> payloads) {
    sa.peer_certificates.clear();
    for (auto const& p : payloads) {
        auto const* cert = std::get_if<w::Certificate>(&p);
        if (cert == nullptr)
            continue;
        // Only X509_SIGNATURE is used; Hash and URL (12, 13) would need an HTTP fetch (§3.6).
        if (cert->encoding != w::CertEncoding::x509_signature || cert->data.empty() ||
            cert->data.size() > certificate_size_max ||
            sa.peer_certificates.size() >= certificate_chain_max) {
            ++ignored_certificates;
            continue;
        }
        sa.peer_certificates.push_back(cert->data);
    }
}

void IkeEndpoint::Impl::take_certreqs(Sa& sa, std::span<w::Payload const> payloads) {
    for (auto const& p : payloads) {
        auto const* req = std::get_if<w::CertificateRequest>(&p);
        // The Certification Authority field is defined for X.509 encodings only (§3.7).
        if (req == nullptr || req->encoding != w::CertEncoding::x509_signature ||
            req->authorities.size() % crypto::sha1_size != 0)
            continue;
        for (std::size_t at = 0; at < req->authorities.size(); at += crypto::sha1_size) {
            if (sa.peer_certreq.size() >= certreq_authorities_max)
                return;
            auto first = req->authorities.begin() + static_cast<std::ptrdiff_t>(at);
            sa.peer_certreq.emplace_back(first, first + crypto::sha1_size);
        }
    }
}

Result<void> IkeEndpoint::set_local_certificates(std::string_view connection,
                                                 std::vector<Bytes> chain) {
    Impl& m = *impl_;
    auto it = std::find_if(m.config.connections.begin(), m.config.connections.end(),
                           [&](Connection const& c) { return c.name == connection; });
    if (it == m.config.connections.end())
        return fail(Errc::not_found, "ike: no connection named " + std::string(connection));
    if (chain.size() > certificate_chain_max)
        return fail(Errc::limit_exceeded, "ike: " + std::to_string(chain.size()) +
                                              " certificates, at most " +
                                              std::to_string(certificate_chain_max));
    for (auto const& der : chain) {
        if (der.empty())
            return fail(Errc::invalid_argument, "ike: an empty certificate");
        if (der.size() > certificate_size_max)
            return fail(Errc::limit_exceeded, "ike: a certificate of " +
                                                  std::to_string(der.size()) + " octets, at most " +
                                                  std::to_string(certificate_size_max));
    }
    m.local_chains[static_cast<std::size_t>(it - m.config.connections.begin())] = std::move(chain);
    return {};
}

std::uint64_t IkeEndpoint::certificates_ignored() const {
    return impl_->ignored_certificates;
}

}  // namespace nsslab::ike
