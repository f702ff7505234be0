#include "nsslab/crypto/certificate.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <ctime>
#include <memory>

#include "key_impl.hpp"
#include "libctx_access.hpp"
#include "nsslab/crypto/openssl_error.hpp"
#include "x509_impl.hpp"

namespace nsslab::crypto {

namespace {

using BioPtr = std::unique_ptr<BIO, BioFree>;
struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
struct GeneralNamesFree {
    void operator()(GENERAL_NAMES* g) const { GENERAL_NAMES_free(g); }
};

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// Canonical OpenSSL short name for the attribute types people write in DN strings.
std::string canonical_type(std::string_view type) {
    struct Alias {
        std::string_view alias;
        std::string_view canonical;
    };
    static constexpr Alias aliases[] = {
        {"CN", "CN"},
        {"OU", "OU"},
        {"O", "O"},
        {"L", "L"},
        {"ST", "ST"},
        {"SP", "ST"},
        {"S", "ST"},
        {"C", "C"},
        {"DC", "DC"},
        {"E", "emailAddress"},
        {"EMAIL", "emailAddress"},
        {"EMAILADDRESS", "emailAddress"},
        {"SERIALNUMBER", "serialNumber"},
        {"T", "title"},
        {"TITLE", "title"},
        {"STREET", "street"},
        {"UID", "UID"},
        {"POSTALCODE", "postalCode"},
    };
    for (auto const& a : aliases)
        if (iequals(a.alias, type))
            return std::string(a.canonical);
    return std::string(type);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ' && !(s.size() >= 2 && s[s.size() - 2] == '\\'))
        s.remove_suffix(1);
    return s;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

Result<std::string> unescape_value(std::string_view v, std::string_view whole) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] != '\\') {
            out += v[i];
            continue;
        }
        if (i + 1 >= v.size())
            return fail(Errc::parse_error,
                        "DistinguishedName: dangling '\\' in \"" + std::string(whole) + "\"");
        int const h1 = hex_value(v[i + 1]);
        int const h2 = i + 2 < v.size() ? hex_value(v[i + 2]) : -1;
        if (h1 >= 0 && h2 >= 0) {
            out += static_cast<char>(h1 * 16 + h2);
            i += 2;
        } else {
            out += v[i + 1];
            ++i;
        }
    }
    return out;
}

std::string escape_value(std::string_view v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        char const c = v[i];
        bool const special = c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' ||
                             c == '>' || c == ';' || c == '=' ||
                             (i == 0 && (c == '#' || c == ' ')) || (i + 1 == v.size() && c == ' ');
        if (special)
            out += '\\';
        out += c;
    }
    return out;
}

Result<void> fill_x509_name(X509_NAME* name, DistinguishedName const& dn) {
    // RFC 4514 strings list the most specific RDN first; X.509 encodes it last.
    for (auto it = dn.attributes.rbegin(); it != dn.attributes.rend(); ++it) {
        std::string const type = canonical_type(it->type);
        if (X509_NAME_add_entry_by_txt(name, type.c_str(), MBSTRING_UTF8,
                                       reinterpret_cast<unsigned char const*>(it->value.data()),
                                       static_cast<int>(it->value.size()), -1, 0) != 1)
            return openssl_failure("DistinguishedName: bad attribute " + it->type + "=" +
                                   it->value);
    }
    return {};
}

EVP_MD const* digest_for(CertDigest d, EVP_PKEY* signer) {
    if (EVP_PKEY_is_a(signer, "ED25519") || EVP_PKEY_is_a(signer, "ED448"))
        return nullptr;
    switch (d) {
        case CertDigest::sha256:
            return EVP_sha256();
        case CertDigest::sha384:
            return EVP_sha384();
        case CertDigest::sha512:
            return EVP_sha512();
    }
    return EVP_sha256();
}

Result<void> add_conf_ext(X509* x, X509V3_CTX* v3, int nid, std::string const& value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, v3, nid, value.c_str());
    if (ext == nullptr)
        return openssl_failure(std::string("Certificate: extension ") + OBJ_nid2sn(nid) + " " +
                               value);
    int const ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    if (ok != 1)
        return openssl_failure("Certificate: X509_add_ext");
    return {};
}

Result<void> add_san(X509* x, SubjectAltNames const& san) {
    std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(GENERAL_NAMES_new());
    auto push = [&](int type, ASN1_STRING* value) {
        GENERAL_NAME* gn = GENERAL_NAME_new();
        GENERAL_NAME_set0_value(gn, type, value);
        sk_GENERAL_NAME_push(names.get(), gn);
    };
    for (auto const& ip : san.ip_addresses) {
        ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
        ASN1_OCTET_STRING_set(os, ip.raw().data(), static_cast<int>(ip.size()));
        push(GEN_IPADD, os);
    }
    for (auto const& dns : san.dns_names) {
        ASN1_IA5STRING* s = ASN1_IA5STRING_new();
        ASN1_STRING_set(s, dns.data(), static_cast<int>(dns.size()));
        push(GEN_DNS, s);
    }
    for (auto const& mail : san.rfc822_names) {
        ASN1_IA5STRING* s = ASN1_IA5STRING_new();
        ASN1_STRING_set(s, mail.data(), static_cast<int>(mail.size()));
        push(GEN_EMAIL, s);
    }
    if (X509_add1_ext_i2d(x, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1)
        return openssl_failure("Certificate: subjectAltName");
    return {};
}

std::string key_usage_conf(KeyUsage const& ku) {
    std::string s = "critical";
    if (ku.digital_signature)
        s += ",digitalSignature";
    if (ku.non_repudiation)
        s += ",nonRepudiation";
    if (ku.key_encipherment)
        s += ",keyEncipherment";
    if (ku.data_encipherment)
        s += ",dataEncipherment";
    if (ku.key_agreement)
        s += ",keyAgreement";
    if (ku.key_cert_sign)
        s += ",keyCertSign";
    if (ku.crl_sign)
        s += ",cRLSign";
    return s;
}

// Builds and signs a certificate. `issuer` null means self-signed.
Result<Certificate> build(CertificateSpec const& spec, EVP_PKEY* subject_pkey, X509* issuer,
                          PrivateKey const& signer) {
    if (spec.serial == 0)
        return fail(Errc::invalid_argument, "Certificate: serial must be > 0");
    if (spec.subject.attributes.empty())
        return fail(Errc::invalid_argument, "Certificate: empty subject DN");
    if (spec.not_after < spec.not_before)
        return fail(Errc::invalid_argument, "Certificate: NOTAFTER before NOTBEFORE");
    EVP_PKEY* const signer_pkey = native_pkey(signer);
    if (signer_pkey == nullptr || subject_pkey == nullptr)
        return fail(Errc::invalid_argument, "Certificate: empty key");
    LibContext* const ctx = signer.context();
    X509Ptr x(X509_new_ex(native_context(ctx), nullptr));
    if (!x)
        return openssl_failure("Certificate: X509_new_ex");
    X509_set_version(x.get(), X509_VERSION_3);
    if (ASN1_INTEGER_set_uint64(X509_get_serialNumber(x.get()), spec.serial) != 1)
        return openssl_failure("Certificate: serial");
    if (auto r = fill_x509_name(X509_get_subject_name(x.get()), spec.subject); !r)
        return r.error();
    if (issuer != nullptr) {
        if (X509_set_issuer_name(x.get(), X509_get_subject_name(issuer)) != 1)
            return openssl_failure("Certificate: issuer name");
    } else if (X509_set_issuer_name(x.get(), X509_get_subject_name(x.get())) != 1) {
        return openssl_failure("Certificate: issuer name");
    }
    if (!set_asn1_time(X509_getm_notBefore(x.get()), spec.not_before) ||
        !set_asn1_time(X509_getm_notAfter(x.get()), spec.not_after))
        return openssl_failure("Certificate: validity");
    if (X509_set_pubkey(x.get(), subject_pkey) != 1)
        return openssl_failure("Certificate: pubkey");

    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer != nullptr ? issuer : x.get(), x.get(), nullptr, nullptr, 0);
    std::string bc = spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE";
    if (spec.is_ca && spec.path_length)
        bc += ",pathlen:" + std::to_string(*spec.path_length);
    if (auto r = add_conf_ext(x.get(), &v3, NID_basic_constraints, bc); !r)
        return r.error();
    if (spec.key_usage && spec.key_usage->any())
        if (auto r = add_conf_ext(x.get(), &v3, NID_key_usage, key_usage_conf(*spec.key_usage)); !r)
            return r.error();
    if (auto r = add_conf_ext(x.get(), &v3, NID_subject_key_identifier, "hash"); !r)
        return r.error();
    if (issuer != nullptr && X509_get_ext_by_NID(issuer, NID_subject_key_identifier, -1) >= 0)
        if (auto r = add_conf_ext(x.get(), &v3, NID_authority_key_identifier, "keyid:always"); !r)
            return r.error();
    if (!spec.subject_alt_names.empty())
        if (auto r = add_san(x.get(), spec.subject_alt_names); !r)
            return r.error();

    if (X509_sign(x.get(), signer_pkey, digest_for(spec.digest, signer_pkey)) <= 0)
        return openssl_failure("Certificate: X509_sign");
    return make_certificate(x.release(), ctx);
}

}  // namespace

// ---- shared helpers ---------------------------------------------------------------------

std::string bio_to_string(BIO* bio) {
    char* data = nullptr;
    long const len = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(len));
}

TimePoint time_from_asn1(ASN1_TIME const* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1)
        return TimePoint{};
    return time_from_unix_seconds(static_cast<std::int64_t>(timegm(&tm)));
}

bool set_asn1_time(ASN1_TIME* t, TimePoint tp) {
    return ASN1_TIME_set(t, static_cast<time_t>(unix_seconds(tp))) != nullptr;
}

DistinguishedName dn_from_x509_name(X509_NAME const* name) {
    DistinguishedName dn;
    if (name == nullptr)
        return dn;
    for (int i = X509_NAME_entry_count(name) - 1; i >= 0; --i) {
        X509_NAME_ENTRY const* e = X509_NAME_get_entry(name, i);
        ASN1_OBJECT const* obj = X509_NAME_ENTRY_get_object(e);
        int const nid = OBJ_obj2nid(obj);
        std::string type;
        if (nid != NID_undef) {
            type = OBJ_nid2sn(nid);
        } else {
            char buf[128];
            OBJ_obj2txt(buf, sizeof buf, obj, 1);
            type = buf;
        }
        unsigned char* utf8 = nullptr;
        int const len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
        std::string value;
        if (len >= 0)
            value.assign(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
        OPENSSL_free(utf8);
        dn.attributes.push_back({std::move(type), std::move(value)});
    }
    return dn;
}

static Bytes name_der(X509_NAME const* name) {
    unsigned char* der = nullptr;
    int const len = i2d_X509_NAME(name, &der);
    NSSLAB_ASSERT(len > 0, "i2d_X509_NAME");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

Certificate make_certificate(X509* x509, LibContext* ctx) {
    NSSLAB_ASSERT(x509 != nullptr, "make_certificate: null X509");
    return Certificate(std::make_shared<Certificate::Impl const>(x509, ctx));
}

// ---- DistinguishedName ------------------------------------------------------------------

Result<DistinguishedName> DistinguishedName::parse(std::string_view text) {
    DistinguishedName dn;
    std::size_t start = 0;
    auto take = [&](std::string_view rdn) -> Result<void> {
        rdn = trim(rdn);
        if (rdn.empty())
            return fail(Errc::parse_error,
                        "DistinguishedName: empty RDN in \"" + std::string(text) + "\"");
        auto const eq = rdn.find('=');
        if (eq == std::string_view::npos || eq == 0)
            return fail(Errc::parse_error,
                        "DistinguishedName: expected type=value, got \"" + std::string(rdn) + "\"");
        auto const type = trim(rdn.substr(0, eq));
        for (std::size_t i = 0; i + 1 < rdn.size(); ++i)
            if (rdn[i] == '\\') {
                ++i;
            } else if (rdn[i] == '+') {
                return fail(Errc::unsupported,
                            "DistinguishedName: multi-valued RDN not supported: \"" +
                                std::string(rdn) + "\"");
            }
        auto value = unescape_value(trim(rdn.substr(eq + 1)), text);
        if (!value)
            return value.error();
        dn.attributes.push_back({canonical_type(type), std::move(*value)});
        return {};
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\') {
            ++i;
            continue;
        }
        if (text[i] == ',' || text[i] == ';') {
            if (auto r = take(text.substr(start, i - start)); !r)
                return r.error();
            start = i + 1;
        }
    }
    if (auto r = take(text.substr(start)); !r)
        return r.error();
    return dn;
}

std::string DistinguishedName::to_string() const {
    std::string out;
    for (auto const& a : attributes) {
        if (!out.empty())
            out += ',';
        out += a.type;
        out += '=';
        out += escape_value(a.value);
    }
    return out;
}

Result<Bytes> DistinguishedName::to_der() const {
    std::unique_ptr<X509_NAME, decltype(&X509_NAME_free)> name(X509_NAME_new(), X509_NAME_free);
    NSSLAB_ASSERT(name != nullptr, "X509_NAME_new");
    if (auto r = fill_x509_name(name.get(), *this); !r)
        return r.error();
    return name_der(name.get());
}

Result<DistinguishedName> DistinguishedName::from_der(ByteView der) {
    unsigned char const* p = der.data();
    std::unique_ptr<X509_NAME, decltype(&X509_NAME_free)> name(
        d2i_X509_NAME(nullptr, &p, static_cast<long>(der.size())), X509_NAME_free);
    if (name == nullptr || p != der.data() + der.size()) {
        ERR_clear_error();
        return fail(Errc::decode_error, "DistinguishedName: not exactly one DER Name");
    }
    return dn_from_x509_name(name.get());
}

std::optional<std::string> DistinguishedName::get(std::string_view type) const {
    std::string const canon = canonical_type(type);
    for (auto const& a : attributes)
        if (a.type == canon)
            return a.value;
    return std::nullopt;
}

// ---- Certificate ------------------------------------------------------------------------

Certificate::Certificate() = default;
Certificate::~Certificate() = default;
Certificate::Certificate(Certificate const&) = default;
Certificate& Certificate::operator=(Certificate const&) = default;
Certificate::Certificate(Certificate&&) noexcept = default;
Certificate& Certificate::operator=(Certificate&&) noexcept = default;
Certificate::Certificate(std::shared_ptr<Impl const> impl) : impl_(std::move(impl)) {}

Result<Certificate> Certificate::create_self_signed(CertificateSpec const& spec,
                                                    PrivateKey const& key) {
    return build(spec, native_pkey(key), nullptr, key);
}

Result<Certificate> Certificate::create_signed(CertificateSpec const& spec,
                                               PublicKey const& subject_key,
                                               Certificate const& issuer,
                                               PrivateKey const& issuer_key) {
    X509* const issuer_x509 = native_x509(issuer);
    if (issuer_x509 == nullptr)
        return fail(Errc::invalid_argument, "Certificate::create_signed: empty issuer");
    if (!issuer.matches_private_key(issuer_key))
        return fail(Errc::invalid_argument,
                    "Certificate::create_signed: issuer key does not match issuer certificate " +
                        issuer.subject_string());
    return build(spec, native_pkey(subject_key), issuer_x509, issuer_key);
}

Result<Certificate> Certificate::load_pem(LibContext* ctx, std::string_view pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (x == nullptr)
        return openssl_failure("Certificate::load_pem: no CERTIFICATE");
    return make_certificate(x, ctx);
}

Result<Certificate> Certificate::load_der(LibContext* ctx, ByteView der) {
    unsigned char const* p = der.data();
    X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    if (x == nullptr)
        return openssl_failure("Certificate::load_der");
    if (p != der.data() + der.size()) {
        X509_free(x);
        return fail(Errc::decode_error, "Certificate::load_der: trailing octets");
    }
    return make_certificate(x, ctx);
}

Result<std::vector<Certificate>> Certificate::load_pem_bundle(LibContext* ctx,
                                                              std::string_view pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    std::vector<Certificate> out;
    while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
        out.push_back(make_certificate(x, ctx));
    unsigned long const err = ERR_peek_last_error();
    if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE &&
        !out.empty()) {
        ERR_clear_error();
        return out;
    }
    if (out.empty())
        return openssl_failure("Certificate::load_pem_bundle: no CERTIFICATE");
    return openssl_failure("Certificate::load_pem_bundle: bad block after certificate " +
                           std::to_string(out.size()));
}

std::string Certificate::to_pem() const {
    if (!impl_)
        return {};
    BioPtr bio(BIO_new(BIO_s_mem()));
    NSSLAB_ASSERT(PEM_write_bio_X509(bio.get(), impl_->x509) == 1, "PEM_write_bio_X509");
    return bio_to_string(bio.get());
}

Bytes Certificate::to_der() const {
    if (!impl_)
        return {};
    unsigned char* der = nullptr;
    int const len = i2d_X509(impl_->x509, &der);
    NSSLAB_ASSERT(len > 0, "i2d_X509");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

DistinguishedName Certificate::subject() const {
    return impl_ ? dn_from_x509_name(X509_get_subject_name(impl_->x509)) : DistinguishedName{};
}
DistinguishedName Certificate::issuer() const {
    return impl_ ? dn_from_x509_name(X509_get_issuer_name(impl_->x509)) : DistinguishedName{};
}

Bytes Certificate::subject_der() const {
    return impl_ ? name_der(X509_get_subject_name(impl_->x509)) : Bytes{};
}

Bytes Certificate::serial() const {
    if (!impl_)
        return {};
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(impl_->x509), nullptr);
    Bytes out(static_cast<std::size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, out.data());
    BN_free(bn);
    if (out.empty())
        out.push_back(0);
    return out;
}

std::string Certificate::serial_hex() const {
    return to_hex(serial(), true);
}

TimePoint Certificate::not_before() const {
    return impl_ ? time_from_asn1(X509_get0_notBefore(impl_->x509)) : TimePoint{};
}
TimePoint Certificate::not_after() const {
    return impl_ ? time_from_asn1(X509_get0_notAfter(impl_->x509)) : TimePoint{};
}

SubjectAltNames Certificate::subject_alt_names() const {
    SubjectAltNames out;
    if (!impl_)
        return out;
    std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(impl_->x509, NID_subject_alt_name, nullptr, nullptr)));
    if (!names)
        return out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        GENERAL_NAME const* gn = sk_GENERAL_NAME_value(names.get(), i);
        int type = 0;
        auto* value = static_cast<ASN1_STRING*>(GENERAL_NAME_get0_value(gn, &type));
        auto const* data = ASN1_STRING_get0_data(value);
        auto const len = static_cast<std::size_t>(ASN1_STRING_length(value));
        if (type == GEN_IPADD) {
            if (len == 4) {
                out.ip_addresses.push_back(
                    IpAddress::v4((std::uint32_t{data[0]} << 24) | (std::uint32_t{data[1]} << 16) |
                                  (std::uint32_t{data[2]} << 8) | std::uint32_t{data[3]}));
            } else if (len == 16) {
                std::array<std::uint8_t, 16> raw{};
                std::copy(data, data + 16, raw.begin());
                out.ip_addresses.push_back(IpAddress::v6(raw));
            }
        } else if (type == GEN_DNS) {
            out.dns_names.emplace_back(reinterpret_cast<char const*>(data), len);
        } else if (type == GEN_EMAIL) {
            out.rfc822_names.emplace_back(reinterpret_cast<char const*>(data), len);
        }
    }
    return out;
}

bool Certificate::is_ca() const {
    return impl_ && (X509_get_extension_flags(impl_->x509) & EXFLAG_CA) != 0;
}

std::optional<KeyUsage> Certificate::key_usage() const {
    if (!impl_ || (X509_get_extension_flags(impl_->x509) & EXFLAG_KUSAGE) == 0)
        return std::nullopt;
    std::uint32_t const ku = X509_get_key_usage(impl_->x509);
    KeyUsage out;
    out.digital_signature = (ku & KU_DIGITAL_SIGNATURE) != 0;
    out.non_repudiation = (ku & KU_NON_REPUDIATION) != 0;
    out.key_encipherment = (ku & KU_KEY_ENCIPHERMENT) != 0;
    out.data_encipherment = (ku & KU_DATA_ENCIPHERMENT) != 0;
    out.key_agreement = (ku & KU_KEY_AGREEMENT) != 0;
    out.key_cert_sign = (ku & KU_KEY_CERT_SIGN) != 0;
    out.crl_sign = (ku & KU_CRL_SIGN) != 0;
    return out;
}

PublicKey Certificate::public_key() const {
    if (!impl_)
        return PublicKey{};
    EVP_PKEY* pkey = X509_get_pubkey(impl_->x509);  // new reference
    if (pkey == nullptr) {
        ERR_clear_error();
        return PublicKey{};
    }
    return make_public_key(pkey, impl_->ctx);
}

Bytes Certificate::fingerprint_sha256() const {
    if (!impl_)
        return {};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    NSSLAB_ASSERT(X509_digest(impl_->x509, EVP_sha256(), md, &len) == 1, "X509_digest");
    return Bytes(md, md + len);
}

bool Certificate::is_self_signed() const {
    if (!impl_)
        return false;
    bool const self = X509_self_signed(impl_->x509, 1) == 1;
    ERR_clear_error();
    return self;
}

bool Certificate::matches_private_key(PrivateKey const& key) const {
    if (!impl_ || native_pkey(key) == nullptr)
        return false;
    bool const ok = X509_check_private_key(impl_->x509, native_pkey(key)) == 1;
    ERR_clear_error();
    return ok;
}

bool Certificate::operator==(Certificate const& other) const {
    if (!impl_ || !other.impl_)
        return impl_ == other.impl_;
    return X509_cmp(impl_->x509, other.impl_->x509) == 0;
}

}  // namespace nsslab::crypto
