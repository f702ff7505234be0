#include "nsslab/tls/identity.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "certificate_info.hpp"
#include "nsslab/base/text.hpp"
#include "nsslab/crypto/openssl_error.hpp"

namespace nsslab::tls {

namespace {

bool iequal(std::string_view a, std::string_view b) {
    return ascii_lower(a) == ascii_lower(b);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

std::string name_string(X509_NAME const* name) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (bio == nullptr)
        return {};
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long const len = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(len));
    BIO_free(bio);
    return out;
}

TimePoint asn1_time_point(ASN1_TIME const* t) {
    int days = 0, seconds = 0;
    ASN1_TIME* epoch = ASN1_TIME_set(nullptr, 0);
    if (epoch == nullptr || ASN1_TIME_diff(&days, &seconds, epoch, t) != 1) {
        ASN1_TIME_free(epoch);
        return TimePoint{};
    }
    ASN1_TIME_free(epoch);
    return time_from_unix_seconds(std::int64_t{days} * 86400 + seconds);
}

// Splits an RFC 4514 string into normalized "TYPE=value" attributes (type upper case, value
// lower case, spaces around separators removed). Honours backslash escapes; ';' also separates.
std::vector<std::string> dn_attributes(std::string_view dn) {
    std::vector<std::string> out;
    std::string current;
    bool escaped = false;
    auto flush = [&] {
        std::string_view const item = trim(current);
        auto const eq = item.find('=');
        if (eq == std::string_view::npos) {
            if (!item.empty())
                out.push_back(ascii_lower(item));
        } else {
            std::string type(trim(item.substr(0, eq)));
            for (char& c : type)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            out.push_back(type + "=" + ascii_lower(trim(item.substr(eq + 1))));
        }
        current.clear();
    };
    for (char c : dn) {
        if (escaped) {
            current += '\\';
            current += c;
            escaped = false;
        } else if (c == '\\') {
            escaped = true;
        } else if (c == ',' || c == ';') {
            flush();
        } else {
            current += c;
        }
    }
    flush();
    return out;
}

std::string join(std::vector<std::string> const& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i)
        out += (i ? ", " : "") + items[i];
    return out + "]";
}

std::string join(std::vector<IpAddress> const& items) {
    std::vector<std::string> text;
    text.reserve(items.size());
    for (auto const& a : items)
        text.push_back(a.to_string());
    return join(text);
}

Error mismatch(std::string what) {
    return fail(Errc::auth_failed, "server identity mismatch: " + std::move(what));
}

}  // namespace

std::string_view to_string(IdentityType type) {
    switch (type) {
        case IdentityType::ip_addr:
            return "IpAddr";
        case IdentityType::fqdn:
            return "Fqdn";
        case IdentityType::user_at_fqdn:
            return "UserAtFqdn";
        case IdentityType::x500dn:
            return "X500dn";
    }
    return "?";
}

Result<IdentityType> parse_identity_type(std::string_view text) {
    for (auto t : {IdentityType::ip_addr, IdentityType::fqdn, IdentityType::user_at_fqdn,
                   IdentityType::x500dn})
        if (iequal(text, to_string(t)))
            return t;
    return fail(Errc::parse_error, "Identity type '" + std::string(text) +
                                       "' is not one of IpAddr, Fqdn, UserAtFqdn, X500dn");
}

CertificateInfo certificate_info(X509* cert) {
    CertificateInfo info;
    info.subject = name_string(X509_get_subject_name(cert));
    info.issuer = name_string(X509_get_issuer_name(cert));
    info.not_before = asn1_time_point(X509_get0_notBefore(cert));
    info.not_after = asn1_time_point(X509_get0_notAfter(cert));
    unsigned char* der = nullptr;
    int const der_len = i2d_X509(cert, &der);
    if (der_len > 0)
        info.der.assign(der, der + der_len);
    OPENSSL_free(der);

    auto* names =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (names != nullptr) {
        for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
            GENERAL_NAME const* gn = sk_GENERAL_NAME_value(names, i);
            switch (gn->type) {
                case GEN_DNS:
                case GEN_EMAIL: {
                    ASN1_IA5STRING const* s = gn->d.ia5;
                    std::string value(reinterpret_cast<char const*>(ASN1_STRING_get0_data(s)),
                                      static_cast<std::size_t>(ASN1_STRING_length(s)));
                    (gn->type == GEN_DNS ? info.san_dns : info.san_email)
                        .push_back(std::move(value));
                    break;
                }
                case GEN_IPADD: {
                    ASN1_OCTET_STRING const* s = gn->d.iPAddress;
                    unsigned char const* p = ASN1_STRING_get0_data(s);
                    int const len = ASN1_STRING_length(s);
                    if (len == 4) {
                        info.san_ip.push_back(
                            IpAddress::v4(std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 |
                                          std::uint32_t{p[2]} << 8 | std::uint32_t{p[3]}));
                    } else if (len == 16) {
                        std::array<std::uint8_t, 16> raw{};
                        std::copy(p, p + 16, raw.begin());
                        info.san_ip.push_back(IpAddress::v6(raw));
                    }
                    break;
                }
                default:
                    break;
            }
        }
        GENERAL_NAMES_free(names);
    }
    return info;
}

Result<CertificateInfo> describe_certificate_pem(std::string_view pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    if (bio == nullptr)
        return crypto::openssl_failure("describe_certificate_pem: BIO_new_mem_buf");
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (cert == nullptr) {
        Error e = crypto::openssl_failure("describe_certificate_pem: no PEM certificate");
        e.code = Errc::decode_error;
        return e;
    }
    CertificateInfo info = certificate_info(cert);
    X509_free(cert);
    return info;
}

Result<void> check_server_identity(CertificateInfo const& cert,
                                   std::optional<ServerIdentity> const& expected,
                                   IpAddress const& server_address) {
    if (!expected) {
        if (std::find(cert.san_ip.begin(), cert.san_ip.end(), server_address) != cert.san_ip.end())
            return {};
        return mismatch("no Identity configured, so the server address " +
                        server_address.to_string() +
                        " must be a SubjectAltName iPAddress; the certificate has iPAddress " +
                        join(cert.san_ip));
    }
    std::string const& want = expected->value;
    switch (expected->type) {
        case IdentityType::ip_addr: {
            auto ip = IpAddress::parse(trim(want));
            if (!ip)
                return fail(Errc::invalid_argument,
                            "Identity IpAddr '" + want + "' is not an IP address");
            if (std::find(cert.san_ip.begin(), cert.san_ip.end(), *ip) != cert.san_ip.end())
                return {};
            return mismatch("expected IpAddr " + ip->to_string() +
                            ", the certificate has SubjectAltName iPAddress " + join(cert.san_ip));
        }
        case IdentityType::fqdn:
            for (auto const& d : cert.san_dns)
                if (iequal(d, trim(want)))
                    return {};
            return mismatch("expected Fqdn " + want +
                            ", the certificate has SubjectAltName dNSName " + join(cert.san_dns));
        case IdentityType::user_at_fqdn:
            for (auto const& e : cert.san_email)
                if (iequal(e, trim(want)))
                    return {};
            return mismatch("expected UserAtFqdn " + want +
                            ", the certificate has SubjectAltName rfc822Name " +
                            join(cert.san_email));
        case IdentityType::x500dn: {
            auto const have = dn_attributes(cert.subject);
            auto want_attrs = dn_attributes(want);
            if (!want_attrs.empty() && want_attrs == have)
                return {};
            std::reverse(want_attrs.begin(), want_attrs.end());
            if (!want_attrs.empty() && want_attrs == have)
                return {};
            return mismatch("expected X500dn " + want + ", the certificate subject is " +
                            cert.subject);
        }
    }
    return mismatch("unknown identity type");
}

}  // namespace nsslab::tls
