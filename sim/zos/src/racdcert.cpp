#include "nsslab/zos/racdcert.hpp"

#include <array>
#include <charconv>
#include <optional>

#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/key.hpp"
#include "nsslab/zos/racf.hpp"

namespace nsslab::zos {

namespace {

using crypto::KeyType;

// ---- keyword tables ----------------------------------------------------------------------

constexpr std::array<RacfKeywordSpec, 30> top_specs{{
    {"ID", RacfArgs::required},
    {"CERTAUTH", RacfArgs::none},
    {"SITE", RacfArgs::none},
    {"GENCERT", RacfArgs::optional},
    {"SUBJECTSDN", RacfArgs::required},
    {"ALTNAME", RacfArgs::required},
    {"SIZE", RacfArgs::required},
    {"RSA", RacfArgs::none},
    {"NISTECC", RacfArgs::none},
    {"ED25519", RacfArgs::none},
    {"KEYUSAGE", RacfArgs::required},
    {"SIGNWITH", RacfArgs::required},
    {"NOTBEFORE", RacfArgs::required},
    {"NOTAFTER", RacfArgs::required},
    {"WITHLABEL", RacfArgs::required},
    {"ADD", RacfArgs::required},
    {"TRUST", RacfArgs::none},
    {"NOTRUST", RacfArgs::none},
    {"HIGHTRUST", RacfArgs::none},
    {"PASSWORD", RacfArgs::required},
    {"ADDRING", RacfArgs::required},
    {"DELRING", RacfArgs::required},
    {"CONNECT", RacfArgs::required},
    {"REMOVE", RacfArgs::required},
    {"LIST", RacfArgs::optional},
    {"LISTRING", RacfArgs::required},
    {"DELETE", RacfArgs::required},
    {"ALTER", RacfArgs::required},
    {"DSA", RacfArgs::none},
    {"BPECC", RacfArgs::none},
}};

constexpr std::array<std::string_view, 10> functions{"GENCERT", "ADD",    "ADDRING", "DELRING",
                                                     "CONNECT", "REMOVE", "LIST",    "LISTRING",
                                                     "DELETE",  "ALTER"};

constexpr std::array<RacfKeywordSpec, 7> dn_specs{{
    {"CN", RacfArgs::required},
    {"T", RacfArgs::required},
    {"OU", RacfArgs::required},
    {"O", RacfArgs::required},
    {"L", RacfArgs::required},
    {"SP", RacfArgs::required},
    {"C", RacfArgs::required},
}};

constexpr std::array<RacfKeywordSpec, 3> altname_specs{{
    {"IP", RacfArgs::required},
    {"DOMAIN", RacfArgs::required},
    {"EMAIL", RacfArgs::required},
}};

constexpr std::array<RacfKeywordSpec, 4> cert_ref_specs{{
    {"ID", RacfArgs::required},
    {"CERTAUTH", RacfArgs::none},
    {"SITE", RacfArgs::none},
    {"LABEL", RacfArgs::required},
}};

constexpr std::array<RacfKeywordSpec, 7> connect_specs{{
    {"ID", RacfArgs::required},
    {"CERTAUTH", RacfArgs::none},
    {"SITE", RacfArgs::none},
    {"LABEL", RacfArgs::required},
    {"RING", RacfArgs::required},
    {"USAGE", RacfArgs::required},
    {"DEFAULT", RacfArgs::none},
}};

constexpr std::array<RacfKeywordSpec, 2> date_specs{{
    {"DATE", RacfArgs::required},
    {"TIME", RacfArgs::required},
}};

// ---- helpers -------------------------------------------------------------------------------

struct Ctx {
    RacfCommand const& cmd;
    RacfDatabase const& racf;
    RacdcertEnvironment const& env;
};

Result<std::string> value_of(Ctx const& c, RacfOperands const& ops, std::string_view name) {
    return racf_single_value(c.cmd, *ops.get(name));
}

Result<std::string> checked_user(Ctx const& c, std::string_view id, RacfSourcePos pos) {
    std::string u = racf_upper(id);
    if (u.empty() || u.size() > racf_userid_chars_max)
        return racf_error(c.cmd, pos, "user ID '" + u + "' must be 1-8 characters");
    if (c.env.require_defined_users && c.racf.user(u) == nullptr)
        return racf_error(c.cmd, pos, "IRRD102I The user ID " + u + " is not defined to RACF.");
    return u;
}

// ID(u) | CERTAUTH | SITE among `ops`; the command issuer when none is given.
Result<CertOwner> owner_of(Ctx const& c, RacfOperands const& ops, bool allow_default = true) {
    int const given =
        (ops.has("ID") ? 1 : 0) + (ops.has("CERTAUTH") ? 1 : 0) + (ops.has("SITE") ? 1 : 0);
    if (given > 1)
        return racf_error(c.cmd, c.cmd.pos, "specify only one of ID, CERTAUTH and SITE");
    if (ops.has("CERTAUTH"))
        return CertOwner::certauth();
    if (ops.has("SITE"))
        return CertOwner::site();
    if (ops.has("ID")) {
        auto id = value_of(c, ops, "ID");
        if (!id)
            return id.error();
        auto u = checked_user(c, *id, ops.get("ID")->pos);
        if (!u)
            return u.error();
        return CertOwner::user(*u);
    }
    if (!allow_default)
        return racf_error(c.cmd, c.cmd.pos, "ID, CERTAUTH or SITE is required");
    auto u = checked_user(c, c.env.issuer, c.cmd.pos);
    if (!u)
        return u.error();
    return CertOwner::user(*u);
}

// The ring owner: ID(u) or the issuer (CERTAUTH/SITE cannot own rings).
Result<std::string> ring_owner_of(Ctx const& c, RacfOperands const& ops) {
    if (ops.has("CERTAUTH") || ops.has("SITE"))
        return racf_error(c.cmd, c.cmd.pos, "key rings are owned by user IDs, not CERTAUTH/SITE");
    if (ops.has("ID")) {
        auto id = value_of(c, ops, "ID");
        if (!id)
            return id.error();
        return checked_user(c, *id, ops.get("ID")->pos);
    }
    return checked_user(c, c.env.issuer, c.cmd.pos);
}

Result<RingId> ring_of(Ctx const& c, std::string_view owner, std::string const& name,
                       RacfSourcePos pos) {
    auto id = RingId::make(owner, name);
    if (!id)
        return racf_error(c.cmd, pos, id.error().message);
    return id;
}

Result<std::string> label_value(Ctx const& c, RacfOperands const& ops, std::string_view keyword) {
    auto label = value_of(c, ops, keyword);
    if (!label)
        return label.error();
    if (auto r = check_racf_label(*label); !r)
        return racf_error(c.cmd, ops.get(keyword)->pos, r.error().message);
    return label;
}

bool parse_int(std::string_view s, int& out) {
    auto const* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, out);
    return ec == std::errc{} && p == end;
}

std::int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    int const era = (y >= 0 ? y : y - 399) / 400;
    int const yoe = y - era * 400;
    int const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return std::int64_t{era} * 146097 + doe - 719468;
}

// NOTBEFORE(DATE(yyyy-mm-dd) TIME(hh:mm:ss)); `default_time` seconds-of-day when TIME omitted.
Result<TimePoint> date_time(Ctx const& c, RacfOperand const& kw, int default_time) {
    auto ops = split_racf_operands(c.cmd, kw.args, 0, 0, date_specs);
    if (!ops)
        return ops.error();
    if (!ops->has("DATE"))
        return racf_error(c.cmd, kw.pos, kw.text + " needs DATE(yyyy-mm-dd)");
    auto date = racf_single_value(c.cmd, *ops->get("DATE"));
    if (!date)
        return date.error();
    int y = 0, mo = 0, d = 0;
    if (date->size() != 10 || (*date)[4] != '-' || (*date)[7] != '-' ||
        !parse_int(std::string_view(*date).substr(0, 4), y) ||
        !parse_int(std::string_view(*date).substr(5, 2), mo) ||
        !parse_int(std::string_view(*date).substr(8, 2), d) || mo < 1 || mo > 12 || d < 1 ||
        d > 31 || y < 1950 || y > 9999)
        return racf_error(c.cmd, ops->get("DATE")->pos,
                          "DATE must be yyyy-mm-dd, got '" + *date + "'");
    int seconds = default_time;
    if (ops->has("TIME")) {
        auto t = racf_single_value(c.cmd, *ops->get("TIME"));
        if (!t)
            return t.error();
        int h = 0, mi = 0, s = 0;
        if (t->size() != 8 || (*t)[2] != ':' || (*t)[5] != ':' ||
            !parse_int(std::string_view(*t).substr(0, 2), h) ||
            !parse_int(std::string_view(*t).substr(3, 2), mi) ||
            !parse_int(std::string_view(*t).substr(6, 2), s) || h > 23 || mi > 59 || s > 59)
            return racf_error(c.cmd, ops->get("TIME")->pos,
                              "TIME must be hh:mm:ss, got '" + *t + "'");
        seconds = h * 3600 + mi * 60 + s;
    }
    return time_from_unix_seconds(days_from_civil(y, mo, d) * 86400 + seconds);
}

// ---- GENCERT -------------------------------------------------------------------------------

Result<crypto::DistinguishedName> subject_dn(Ctx const& c, RacfOperand const& kw) {
    auto ops = split_racf_operands(c.cmd, kw.args, 0, 0, dn_specs);
    if (!ops)
        return ops.error();
    crypto::DistinguishedName dn;
    // RACF builds the DN in this order, most specific first.
    for (auto const* name : {"CN", "T", "OU", "O", "L", "SP", "C"}) {
        if (!ops->has(name))
            continue;
        auto v = racf_values(c.cmd, *ops->get(name));
        if (!v)
            return v.error();
        // OU may repeat inside the parentheses: OU('a','b') gives two RDNs.
        for (auto const& value : *v) {
            if (value.empty() || value.size() > 64)
                return racf_error(c.cmd, ops->get(name)->pos,
                                  std::string(name) + " value must be 1-64 characters");
            if (std::string_view(name) == "C" && value.size() != 2)
                return racf_error(c.cmd, ops->get(name)->pos, "C must be a 2-letter country code");
            dn.attributes.push_back({name == std::string_view("SP")  ? "ST"
                                     : name == std::string_view("T") ? "title"
                                                                     : name,
                                     value});
        }
    }
    if (dn.attributes.empty())
        return racf_error(c.cmd, kw.pos, "SUBJECTSDN needs at least one name");
    return dn;
}

Result<crypto::SubjectAltNames> alt_names(Ctx const& c, RacfOperand const& kw) {
    auto ops = split_racf_operands(c.cmd, kw.args, 0, 0, altname_specs);
    if (!ops)
        return ops.error();
    crypto::SubjectAltNames san;
    if (ops->has("IP")) {
        auto v = racf_single_value(c.cmd, *ops->get("IP"));
        if (!v)
            return v.error();
        auto ip = IpAddress::parse(*v);
        if (!ip)
            return racf_error(c.cmd, ops->get("IP")->pos, "IP('" + *v + "') is not an IP address");
        san.ip_addresses.push_back(*ip);
    }
    if (ops->has("DOMAIN")) {
        auto v = racf_single_value(c.cmd, *ops->get("DOMAIN"));
        if (!v)
            return v.error();
        san.dns_names.push_back(*v);
    }
    if (ops->has("EMAIL")) {
        auto v = racf_single_value(c.cmd, *ops->get("EMAIL"));
        if (!v)
            return v.error();
        san.rfc822_names.push_back(*v);
    }
    if (san.empty())
        return racf_error(c.cmd, kw.pos, "ALTNAME needs IP, DOMAIN or EMAIL");
    return san;
}

Result<KeyType> key_type(Ctx const& c, RacfOperands const& ops) {
    if (ops.has("DSA") || ops.has("BPECC"))
        return fail(Errc::unsupported,
                    c.cmd.where(c.cmd.pos) + ": RACDCERT: DSA and BPECC keys are not emulated");
    int const algs =
        (ops.has("RSA") ? 1 : 0) + (ops.has("NISTECC") ? 1 : 0) + (ops.has("ED25519") ? 1 : 0);
    if (algs > 1)
        return racf_error(c.cmd, c.cmd.pos, "specify only one of RSA, NISTECC and ED25519");
    std::optional<int> size;
    if (ops.has("SIZE")) {
        auto v = value_of(c, ops, "SIZE");
        if (!v)
            return v.error();
        int n = 0;
        if (!parse_int(*v, n))
            return racf_error(c.cmd, ops.get("SIZE")->pos, "SIZE must be a number");
        size = n;
    }
    auto bad_size = [&](char const* allowed) {
        return racf_error(
            c.cmd, ops.get("SIZE")->pos,
            "SIZE(" + std::to_string(*size) + ") is not supported here; use " + allowed);
    };
    if (ops.has("NISTECC")) {
        int const n = size.value_or(256);
        if (n == 256)
            return KeyType::ec_p256;
        if (n == 384)
            return KeyType::ec_p384;
        if (n == 521)
            return KeyType::ec_p521;
        return bad_size("256, 384 or 521");
    }
    if (ops.has("ED25519")) {
        if (size && *size != 255 && *size != 256)
            return bad_size("255 (or omit SIZE)");
        return KeyType::ed25519;
    }
    int const n = size.value_or(2048);
    if (n == 2048)
        return KeyType::rsa_2048;
    if (n == 3072)
        return KeyType::rsa_3072;
    if (n == 4096)
        return KeyType::rsa_4096;
    return bad_size("2048, 3072 or 4096");
}

Result<crypto::KeyUsage> key_usage(Ctx const& c, RacfOperand const& kw, bool rsa) {
    auto values = racf_values(c.cmd, kw);
    if (!values)
        return values.error();
    crypto::KeyUsage ku;
    for (auto const& v : *values) {
        auto const u = racf_upper(v);
        if (u == "HANDSHAKE") {
            ku.digital_signature = true;
            ku.key_encipherment = ku.key_encipherment || rsa;
        } else if (u == "DATAENCRYPT") {
            ku.data_encipherment = true;
        } else if (u == "DOCSIGN") {
            ku.non_repudiation = true;
        } else if (u == "CERTSIGN") {
            ku.key_cert_sign = true;
            ku.crl_sign = true;
        } else {
            return racf_error(
                c.cmd, kw.pos,
                "KEYUSAGE value '" + v + "' is not HANDSHAKE, DATAENCRYPT, DOCSIGN or CERTSIGN");
        }
    }
    return ku;
}

Result<void> gencert(Ctx const& c, RacfOperands const& ops, KeyRingStore& store) {
    if (ops.get("GENCERT")->args.size() != 0)
        return fail(Errc::unsupported,
                    c.cmd.where(ops.get("GENCERT")->pos) +
                        ": RACDCERT: GENCERT from a request data set is not emulated");
    auto owner = owner_of(c, ops);
    if (!owner)
        return owner.error();
    if (!ops.has("SUBJECTSDN"))
        return racf_error(c.cmd, c.cmd.pos, "GENCERT needs SUBJECTSDN(...) in this emulation");
    auto dn = subject_dn(c, *ops.get("SUBJECTSDN"));
    if (!dn)
        return dn.error();
    auto type = key_type(c, ops);
    if (!type)
        return type.error();

    std::string label;
    if (ops.has("WITHLABEL")) {
        auto l = label_value(c, ops, "WITHLABEL");
        if (!l)
            return l.error();
        label = *l;
    } else {
        label = store.generate_label(*owner);
    }
    if (store.find_certificate(*owner, label) != nullptr)
        return racf_error(c.cmd, c.cmd.pos,
                          "IRRD109I The certificate cannot be added. Label '" + label +
                              "' is already in use for " + owner->to_string() + ".");

    crypto::CertificateSpec spec;
    spec.subject = std::move(*dn);
    spec.is_ca = owner->kind == CertOwner::Kind::certauth;
    if (ops.has("ALTNAME")) {
        auto san = alt_names(c, *ops.get("ALTNAME"));
        if (!san)
            return san.error();
        spec.subject_alt_names = std::move(*san);
    }
    bool const rsa =
        *type == KeyType::rsa_2048 || *type == KeyType::rsa_3072 || *type == KeyType::rsa_4096;
    if (ops.has("KEYUSAGE")) {
        auto ku = key_usage(c, *ops.get("KEYUSAGE"), rsa);
        if (!ku)
            return ku.error();
        spec.key_usage = *ku;
    }
    if (spec.is_ca) {
        // CERTAUTH certificates can always sign certificates and CRLs.
        crypto::KeyUsage ku = spec.key_usage.value_or(crypto::KeyUsage{});
        ku.key_cert_sign = true;
        ku.crl_sign = true;
        spec.key_usage = ku;
    }
    spec.not_before = c.env.now;
    if (ops.has("NOTBEFORE")) {
        auto t = date_time(c, *ops.get("NOTBEFORE"), 0);
        if (!t)
            return t.error();
        spec.not_before = *t;
    }
    // Default: one year after NOTBEFORE (RACF's documented default).
    spec.not_after = spec.not_before + std::chrono::seconds(365LL * 86400);
    if (ops.has("NOTAFTER")) {
        auto t = date_time(c, *ops.get("NOTAFTER"), 23 * 3600 + 59 * 60 + 59);
        if (!t)
            return t.error();
        spec.not_after = *t;
    }
    if (spec.not_after <= spec.not_before)
        return racf_error(c.cmd, c.cmd.pos, "NOTAFTER must be later than NOTBEFORE");

    StoredCertificate const* signer = nullptr;
    if (ops.has("SIGNWITH")) {
        auto const& sw = *ops.get("SIGNWITH");
        auto sops = split_racf_operands(c.cmd, sw.args, 0, 0, cert_ref_specs);
        if (!sops)
            return sops.error();
        auto sowner = owner_of(c, *sops, false);
        if (!sowner)
            return sowner.error();
        if (!sops->has("LABEL"))
            return racf_error(c.cmd, sw.pos, "SIGNWITH needs LABEL('..')");
        auto slabel = label_value(c, *sops, "LABEL");
        if (!slabel)
            return slabel.error();
        signer = store.find_certificate(*sowner, *slabel);
        if (signer == nullptr)
            return racf_error(c.cmd, sw.pos,
                              "IRRD103I SIGNWITH certificate LABEL('" + *slabel + "') " +
                                  sowner->to_string() + " was not found.");
        if (!signer->has_private_key())
            return racf_error(
                c.cmd, sw.pos,
                "IRRD104I The SIGNWITH certificate " + *slabel + " does not have a private key.");
        if (*sowner == *owner && *slabel == label)
            return racf_error(c.cmd, sw.pos, "SIGNWITH names the certificate being generated");
    }

    // Everything validated: generate, sign, then store (all-or-nothing for the store).
    auto key = crypto::PrivateKey::generate(c.env.lib, *type);
    if (!key)
        return key.error();
    Result<crypto::Certificate> cert = crypto::Certificate{};
    if (signer != nullptr) {
        spec.serial = signer->next_serial;
        cert = crypto::Certificate::create_signed(spec, key->public_key(), signer->certificate,
                                                  *signer->private_key);
    } else {
        spec.serial = 1;
        cert = crypto::Certificate::create_self_signed(spec, *key);
    }
    if (!cert)
        return cert.error();
    if (auto r = store.add_certificate(*owner, label, std::move(*cert), std::move(*key)); !r)
        return r.error();
    if (signer != nullptr) {
        auto taken = store.take_serial(signer->owner, signer->label);
        NSSLAB_ASSERT(taken.has_value(), "signer vanished");
    } else {
        auto s1 = store.take_serial(*owner, label);  // its own serial was 1: next is 2
        NSSLAB_ASSERT(s1.has_value(), "certificate just added");
    }
    return {};
}

// ---- other functions ------------------------------------------------------------------------

std::optional<CertTrust> trust_of(RacfOperands const& ops) {
    if (ops.has("NOTRUST"))
        return CertTrust::notrust;
    if (ops.has("HIGHTRUST"))
        return CertTrust::hightrust;
    if (ops.has("TRUST"))
        return CertTrust::trust;
    return std::nullopt;
}

Result<void> add_from_file(Ctx const& c, RacfOperands const& ops, KeyRingStore& store) {
    auto path = value_of(c, ops, "ADD");
    if (!path)
        return path.error();
    if (!c.env.read_file)
        return fail(Errc::unsupported,
                    c.cmd.where(c.cmd.pos) + ": RACDCERT: ADD has no file reader");
    auto owner = owner_of(c, ops);
    if (!owner)
        return owner.error();
    std::string label;
    if (ops.has("WITHLABEL")) {
        auto l = label_value(c, ops, "WITHLABEL");
        if (!l)
            return l.error();
        label = *l;
    } else {
        label = store.generate_label(*owner);
    }
    auto text = c.env.read_file(*path);
    if (!text)
        return racf_error(c.cmd, ops.get("ADD")->pos,
                          "cannot read '" + *path + "': " + text.error().message);
    auto r =
        store.import_pem(c.env.lib, *owner, label, *text, trust_of(ops).value_or(CertTrust::trust));
    if (!r)
        return racf_error(c.cmd, ops.get("ADD")->pos, r.error().message);
    return {};
}

Result<void> ring_function(Ctx const& c, RacfOperands const& ops, KeyRingStore& store,
                           std::string_view fn) {
    auto owner = ring_owner_of(c, ops);
    if (!owner)
        return owner.error();
    auto name = value_of(c, ops, fn);
    if (!name)
        return name.error();
    auto ring = ring_of(c, *owner, *name, ops.get(fn)->pos);
    if (!ring)
        return ring.error();
    auto r = fn == "ADDRING" ? store.add_ring(*ring) : store.delete_ring(*ring);
    if (!r)
        return racf_error(c.cmd, ops.get(fn)->pos, r.error().message);
    return {};
}

Result<void> connect_or_remove(Ctx const& c, RacfOperands const& ops, KeyRingStore& store,
                               bool connect) {
    std::string_view const fn = connect ? "CONNECT" : "REMOVE";
    auto ring_owner = ring_owner_of(c, ops);
    if (!ring_owner)
        return ring_owner.error();
    auto const& kw = *ops.get(fn);
    auto inner = split_racf_operands(c.cmd, kw.args, 0, 0, connect_specs);
    if (!inner)
        return inner.error();
    if (!connect && (inner->has("USAGE") || inner->has("DEFAULT")))
        return racf_error(c.cmd, kw.pos, "REMOVE takes no USAGE or DEFAULT");
    // The certificate's owner defaults to the ring owner (RACF).
    CertOwner cert_owner = CertOwner::user(*ring_owner);
    if (inner->has("ID") || inner->has("CERTAUTH") || inner->has("SITE")) {
        auto o = owner_of(c, *inner, false);
        if (!o)
            return o.error();
        cert_owner = *o;
    }
    if (!inner->has("LABEL"))
        return racf_error(c.cmd, kw.pos, std::string(fn) + " needs LABEL('..')");
    if (!inner->has("RING"))
        return racf_error(c.cmd, kw.pos, std::string(fn) + " needs RING(..)");
    auto label = label_value(c, *inner, "LABEL");
    if (!label)
        return label.error();
    auto ring_name = racf_single_value(c.cmd, *inner->get("RING"));
    if (!ring_name)
        return ring_name.error();
    auto ring = ring_of(c, *ring_owner, *ring_name, inner->get("RING")->pos);
    if (!ring)
        return ring.error();
    Result<void> r;
    if (connect) {
        std::optional<CertUsage> usage;
        if (inner->has("USAGE")) {
            auto u = racf_single_value(c.cmd, *inner->get("USAGE"));
            if (!u)
                return u.error();
            usage = cert_usage_from_string(*u);
            if (!usage)
                return racf_error(c.cmd, inner->get("USAGE")->pos,
                                  "USAGE must be PERSONAL, CERTAUTH or SITE, got '" + *u + "'");
        }
        r = store.connect(*ring, cert_owner, *label, usage, inner->has("DEFAULT"));
    } else {
        r = store.remove(*ring, cert_owner, *label);
    }
    if (!r)
        return racf_error(c.cmd, kw.pos, r.error().message);
    return {};
}

void push_lines(std::vector<std::string>& messages, std::string const& text) {
    std::size_t start = 0;
    while (start < text.size()) {
        auto const nl = text.find('\n', start);
        auto const end = nl == std::string::npos ? text.size() : nl;
        messages.push_back(text.substr(start, end - start));
        start = end + 1;
    }
}

Result<void> list(Ctx const& c, RacfOperands const& ops, KeyRingStore const& store,
                  std::vector<std::string>& messages) {
    auto owner = owner_of(c, ops);
    if (!owner)
        return owner.error();
    auto const& kw = *ops.get("LIST");
    std::vector<std::string> labels;
    if (!kw.args.empty()) {
        static constexpr std::array<RacfKeywordSpec, 1> label_spec{{{"LABEL", RacfArgs::required}}};
        auto inner = split_racf_operands(c.cmd, kw.args, 0, 0, label_spec);
        if (!inner)
            return inner.error();
        if (!inner->has("LABEL"))
            return racf_error(c.cmd, kw.pos, "LIST(...) needs LABEL('..')");
        auto l = label_value(c, *inner, "LABEL");
        if (!l)
            return l.error();
        labels.push_back(*l);
    } else {
        for (auto const* s : store.certificates_of(*owner))
            labels.push_back(s->label);
    }
    if (labels.empty()) {
        messages.push_back("No certificates found for " + owner->to_string() + ".");
        return {};
    }
    std::vector<std::string> out;
    for (auto const& l : labels) {
        auto text = store.list_certificate(*owner, l);
        if (!text)
            return racf_error(c.cmd, kw.pos, text.error().message);
        push_lines(out, *text);
    }
    messages.insert(messages.end(), out.begin(), out.end());
    return {};
}

Result<void> listring(Ctx const& c, RacfOperands const& ops, KeyRingStore const& store,
                      std::vector<std::string>& messages) {
    auto owner = ring_owner_of(c, ops);
    if (!owner)
        return owner.error();
    auto name = value_of(c, ops, "LISTRING");
    if (!name)
        return name.error();
    std::vector<std::string> out;
    if (*name == "*") {
        auto rings = store.rings_of(*owner);
        if (rings.empty())
            out.push_back("No rings found for user " + *owner + ".");
        for (auto const* r : rings)
            push_lines(out, *store.list_ring(r->id));
    } else {
        auto ring = ring_of(c, *owner, *name, ops.get("LISTRING")->pos);
        if (!ring)
            return ring.error();
        auto text = store.list_ring(*ring);
        if (!text)
            return racf_error(c.cmd, ops.get("LISTRING")->pos, text.error().message);
        push_lines(out, *text);
    }
    messages.insert(messages.end(), out.begin(), out.end());
    return {};
}

Result<void> delete_or_alter(Ctx const& c, RacfOperands const& ops, KeyRingStore& store,
                             std::string_view fn) {
    auto owner = owner_of(c, ops);
    if (!owner)
        return owner.error();
    auto const& kw = *ops.get(fn);
    static constexpr std::array<RacfKeywordSpec, 1> label_spec{{{"LABEL", RacfArgs::required}}};
    auto inner = split_racf_operands(c.cmd, kw.args, 0, 0, label_spec);
    if (!inner)
        return inner.error();
    if (!inner->has("LABEL"))
        return racf_error(c.cmd, kw.pos, std::string(fn) + " needs LABEL('..')");
    auto label = label_value(c, *inner, "LABEL");
    if (!label)
        return label.error();
    Result<void> r;
    if (fn == "DELETE") {
        r = store.delete_certificate(*owner, *label);
    } else {
        auto trust = trust_of(ops);
        if (!trust)
            return racf_error(c.cmd, kw.pos, "ALTER needs TRUST, NOTRUST or HIGHTRUST");
        r = store.set_trust(*owner, *label, *trust);
    }
    if (!r)
        return racf_error(c.cmd, kw.pos, r.error().message);
    return {};
}

}  // namespace

Result<void> apply_racdcert(RacfCommand const& command, RacfDatabase const& racf,
                            KeyRingStore& store, RacdcertEnvironment const& env,
                            std::vector<std::string>& messages) {
    auto ops = split_racf_operands(command, command.operands, 0, 0, top_specs);
    if (!ops)
        return ops.error();
    Ctx const c{command, racf, env};
    std::string_view fn;
    for (auto name : functions) {
        if (!ops->has(name))
            continue;
        if (!fn.empty())
            return racf_error(command, command.pos,
                              "specify only one function (" + std::string(fn) + " and " +
                                  std::string(name) + " given)");
        fn = name;
    }
    if (fn.empty()) {
        // RACF's default function is LIST.
        RacfOperand implicit{RacfOperand::Kind::keyword, "LIST", {}, command.pos};
        RacfOperands with_list = *ops;
        with_list.keywords.emplace("LIST", &implicit);
        return list(c, with_list, store, messages);
    }
    if (fn == "GENCERT")
        return gencert(c, *ops, store);
    if (fn == "ADD")
        return add_from_file(c, *ops, store);
    if (fn == "ADDRING" || fn == "DELRING")
        return ring_function(c, *ops, store, fn);
    if (fn == "CONNECT")
        return connect_or_remove(c, *ops, store, true);
    if (fn == "REMOVE")
        return connect_or_remove(c, *ops, store, false);
    if (fn == "LIST")
        return list(c, *ops, store, messages);
    if (fn == "LISTRING")
        return listring(c, *ops, store, messages);
    return delete_or_alter(c, *ops, store, fn);  // DELETE, ALTER
}

void add_racdcert_command(RacfCommandTable& table, KeyRingStore& store, RacdcertEnvironment& env) {
    table.add("RACDCERT", {}, [&store, &env](RacfCommand const& command, RacfCommandContext& ctx) {
        return apply_racdcert(command, ctx.racf, store, env, ctx.messages);
    });
}

}  // namespace nsslab::zos
