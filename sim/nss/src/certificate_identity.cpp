// Certificates by IKE identity: parsing and matching (certificate_identity.hpp).
#include "nsslab/nss/certificate_identity.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "nsslab/base/text.hpp"

namespace nsslab::nss {

namespace wn = wire_nss;

namespace {

std::string_view trim_blanks(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// caseIgnoreMatch, ASCII only: blanks around the value dropped, inner runs of blanks as one,
// 'A'-'Z' folded.
std::string fold_value(std::string_view value) {
    std::string out;
    bool blank = false;
    for (char ch : trim_blanks(value)) {
        if (ch == ' ' || ch == '\t') {
            blank = true;
            continue;
        }
        if (blank)
            out += ' ';
        blank = false;
        out += ch;
    }
    return ascii_lower(out);
}

// Reasons go into a reply's reason (at most wire_nss::max_text_size octets) and the identity
// value may itself be that long: quote at most `max` octets, cut before a UTF-8 sequence.
std::string clipped(std::string_view text, std::size_t max) {
    if (text.size() <= max)
        return std::string(text);
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    return std::string(text.substr(0, cut)) + "... (" + std::to_string(text.size()) + " octets)";
}

constexpr std::size_t quoted_value_max = 128;
constexpr std::size_t parse_error_max = 512;

bool same_dn(crypto::DistinguishedName const& want, crypto::DistinguishedName const& have) {
    if (want.attributes.size() != have.attributes.size())
        return false;
    for (std::size_t i = 0; i < want.attributes.size(); ++i) {
        auto const& w = want.attributes[i];
        auto const& h = have.attributes[i];
        if (ascii_lower(w.type) != ascii_lower(h.type) ||
            fold_value(w.value) != fold_value(h.value))
            return false;
    }
    return true;
}

bool contains_folded(std::vector<std::string> const& names, std::string_view want) {
    std::string const folded = ascii_lower(want);
    return std::any_of(names.begin(), names.end(),
                       [&](std::string const& n) { return ascii_lower(n) == folded; });
}

}  // namespace

Result<CertificateIdentityMatcher> CertificateIdentityMatcher::make(
    wn::CertificateIdentity const& identity) {
    CertificateIdentityMatcher m(identity);
    m.text_ = std::string(trim_blanks(identity.value));
    auto bad = [&](std::string const& why) {
        return fail(Errc::invalid_argument, "identity " + m.describe() + " " + why);
    };
    if (m.text_.empty())
        return bad("is empty");
    switch (identity.type) {
        case wn::IdentityType::ipv4_addr:
        case wn::IdentityType::ipv6_addr: {
            bool const v4 = identity.type == wn::IdentityType::ipv4_addr;
            auto ip = IpAddress::parse(m.text_);
            if (!ip || ip->is_v4() != v4)
                return bad(std::string("is not an ") + (v4 ? "IPv4" : "IPv6") + " address");
            m.address_ = *ip;
            break;
        }
        case wn::IdentityType::fqdn:
        case wn::IdentityType::user_fqdn:
            break;
        case wn::IdentityType::x500dn: {
            auto dn = crypto::DistinguishedName::parse(m.text_);
            if (!dn)
                return bad(
                    "is not a distinguished name (RFC 4514, e.g. CN=SYSTEMA_STACK1,O=IBM,"
                    "C=US): " +
                    clipped(dn.error().message, parse_error_max));
            m.dn_ = std::move(*dn);
            break;
        }
        default:
            return bad("has an unknown identity type");
    }
    return m;
}

bool CertificateIdentityMatcher::matches(crypto::Certificate const& certificate) const {
    switch (identity_.type) {
        case wn::IdentityType::ipv4_addr:
        case wn::IdentityType::ipv6_addr: {
            auto const ips = certificate.subject_alt_names().ip_addresses;
            return std::find(ips.begin(), ips.end(), *address_) != ips.end();
        }
        case wn::IdentityType::fqdn:
            return contains_folded(certificate.subject_alt_names().dns_names, text_);
        case wn::IdentityType::user_fqdn:
            return contains_folded(certificate.subject_alt_names().rfc822_names, text_);
        case wn::IdentityType::x500dn:
            return same_dn(dn_, certificate.subject());
    }
    return false;
}

std::string CertificateIdentityMatcher::describe() const {
    return std::string(wn::to_string(identity_.type)) + " '" +
           clipped(identity_.value, quoted_value_max) + "'";
}

Result<wn::CertificateIdentity> certificate_identity(zos::IkeIdentity const& identity) {
    switch (identity.type) {
        case zos::IkeIdentityType::ip_addr: {
            auto ip = IpAddress::parse(trim_blanks(identity.value));
            if (!ip)
                return fail(Errc::invalid_argument,
                            "Identity IpAddr '" + identity.value + "' is not an IP address");
            return wn::CertificateIdentity{
                ip->is_v4() ? wn::IdentityType::ipv4_addr : wn::IdentityType::ipv6_addr,
                identity.value};
        }
        case zos::IkeIdentityType::fqdn:
            return wn::CertificateIdentity{wn::IdentityType::fqdn, identity.value};
        case zos::IkeIdentityType::user_fqdn:
            return wn::CertificateIdentity{wn::IdentityType::user_fqdn, identity.value};
        case zos::IkeIdentityType::x500dn:
            return wn::CertificateIdentity{wn::IdentityType::x500dn, identity.value};
        case zos::IkeIdentityType::key_id:
            break;
    }
    return fail(Errc::unsupported, "Identity " + std::string(zos::to_string(identity.type)) + " '" +
                                       identity.value +
                                       "' names no certificate field: no NSS certificate lookup");
}

}  // namespace nsslab::nss
