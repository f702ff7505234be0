// X.509: DN parsing/printing, certificate creation (self-signed and SIGNWITH-style issued),
// SAN/DN/serial/validity/key-usage round trips through PEM and DER, CRLs, and chain
// verification at a given time (ok, expired, not yet valid, untrusted CA, revoked).
#include "nsslab/crypto/certificate.hpp"

#include <gtest/gtest.h>

#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/crypto/x509_crl.hpp"
#include "nsslab/crypto/x509_verify.hpp"

namespace nsslab::crypto {
namespace {

constexpr std::int64_t day = 86400;
TimePoint const t0 = time_from_unix_seconds(1767225600);  // 2026-01-01T00:00:00Z

DistinguishedName dn(std::string_view text) {
    auto r = DistinguishedName::parse(text);
    NSSLAB_ASSERT(r.has_value(), "test DN");
    return *r;
}

CertificateSpec spec_for(std::string_view subject, std::uint64_t serial, bool ca) {
    CertificateSpec s;
    s.subject = dn(subject);
    s.serial = serial;
    s.not_before = t0;
    s.not_after = t0 + std::chrono::seconds(365 * day);
    s.is_ca = ca;
    if (ca)
        s.key_usage = KeyUsage{.key_cert_sign = true, .crl_sign = true};
    return s;
}

struct Pki {
    PrivateKey root_key, inter_key, leaf_key;
    Certificate root, inter, leaf;
};

Pki make_pki(KeyType type = KeyType::ec_p256) {
    Pki p;
    p.root_key = *PrivateKey::generate(nullptr, type);
    p.inter_key = *PrivateKey::generate(nullptr, type);
    p.leaf_key = *PrivateKey::generate(nullptr, type);
    p.root =
        *Certificate::create_self_signed(spec_for("CN=Root CA,O=IBM,C=US", 1, true), p.root_key);
    p.inter = *Certificate::create_signed(spec_for("CN=Inter CA,O=IBM,C=US", 2, true),
                                          p.inter_key.public_key(), p.root, p.root_key);
    auto leaf_spec = spec_for("CN=NSSD,OU=Security,O=IBM,C=US", 3, false);
    leaf_spec.subject_alt_names.ip_addresses.push_back(*IpAddress::parse("10.1.1.1"));
    p.leaf = *Certificate::create_signed(leaf_spec, p.leaf_key.public_key(), p.inter, p.inter_key);
    return p;
}

TEST(DistinguishedName, ParsesAndPrintsRfc4514) {
    auto d = DistinguishedName::parse("CN=NSSD, OU = Sec ,O=IBM,SP=NY,C=US");
    ASSERT_TRUE(d) << d.error().what();
    ASSERT_EQ(d->attributes.size(), 5u);
    EXPECT_EQ(d->attributes[0], (DnAttribute{"CN", "NSSD"}));
    EXPECT_EQ(d->attributes[1], (DnAttribute{"OU", "Sec"}));
    EXPECT_EQ(d->attributes[3], (DnAttribute{"ST", "NY"}));  // RACF SP maps to ST
    EXPECT_EQ(d->to_string(), "CN=NSSD,OU=Sec,O=IBM,ST=NY,C=US");
    EXPECT_EQ(d->get("cn"), "NSSD");
    EXPECT_EQ(d->get("L"), std::nullopt);
}

TEST(DistinguishedName, EscapesSpecialCharacters) {
    auto d = DistinguishedName::parse(R"(CN=Smith\, John,O=A\+B,C=US)");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->get("CN"), "Smith, John");
    EXPECT_EQ(d->get("O"), "A+B");
    EXPECT_EQ(d->to_string(), R"(CN=Smith\, John,O=A\+B,C=US)");
    auto again = DistinguishedName::parse(d->to_string());
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *d);
}

TEST(DistinguishedName, RejectsMalformed) {
    EXPECT_FALSE(DistinguishedName::parse(""));
    EXPECT_FALSE(DistinguishedName::parse("CN"));
    EXPECT_FALSE(DistinguishedName::parse("CN=a,,O=b"));
    EXPECT_FALSE(DistinguishedName::parse("=x"));
    EXPECT_FALSE(DistinguishedName::parse("CN=a+OU=b"));
}

TEST(Certificate, SelfSignedRoundTripsEveryField) {
    auto key = PrivateKey::generate(nullptr, KeyType::rsa_2048);
    ASSERT_TRUE(key);
    auto spec = spec_for("CN=NSSD Server,OU=NSS,O=IBM,L=Poughkeepsie,ST=NY,C=US", 0x1234, false);
    spec.subject_alt_names.ip_addresses = {*IpAddress::parse("9.1.1.1"),
                                           *IpAddress::parse("fd00::5")};
    spec.subject_alt_names.dns_names = {"nssd.example.com"};
    spec.subject_alt_names.rfc822_names = {"nssd@example.com"};
    spec.key_usage = KeyUsage{.digital_signature = true, .key_encipherment = true};
    auto cert = Certificate::create_self_signed(spec, *key);
    ASSERT_TRUE(cert) << cert.error().what();

    for (auto const& c : {*Certificate::load_pem(nullptr, cert->to_pem()),
                          *Certificate::load_der(nullptr, cert->to_der())}) {
        EXPECT_EQ(c, *cert);
        EXPECT_EQ(c.subject(), spec.subject);
        EXPECT_EQ(c.subject_string(), "CN=NSSD Server,OU=NSS,O=IBM,L=Poughkeepsie,ST=NY,C=US");
        EXPECT_EQ(c.issuer(), spec.subject);
        EXPECT_EQ(c.serial(), (Bytes{0x12, 0x34}));
        EXPECT_EQ(c.serial_hex(), "1234");
        EXPECT_EQ(c.not_before(), spec.not_before);
        EXPECT_EQ(c.not_after(), spec.not_after);
        EXPECT_EQ(c.subject_alt_names(), spec.subject_alt_names);
        EXPECT_FALSE(c.is_ca());
        EXPECT_EQ(c.key_usage(), spec.key_usage);
        EXPECT_EQ(c.public_key_algorithm(), KeyAlgorithm::rsa);
        EXPECT_TRUE(c.public_key().equals(key->public_key()));
        EXPECT_TRUE(c.is_self_signed());
        EXPECT_TRUE(c.matches_private_key(*key));
        EXPECT_EQ(c.fingerprint_sha256().size(), 32u);
        EXPECT_EQ(c.fingerprint_sha256(), cert->fingerprint_sha256());
    }
    EXPECT_NE(cert->to_pem().find("-----BEGIN CERTIFICATE-----"), std::string::npos);
}

TEST(Certificate, ValidityBeyond2049UsesGeneralizedTime) {
    auto key = PrivateKey::generate(nullptr, KeyType::ed25519);
    auto spec = spec_for("CN=Long", 7, true);
    spec.not_after = time_from_unix_seconds(4102444800);  // 2100-01-01
    auto cert = Certificate::create_self_signed(spec, *key);
    ASSERT_TRUE(cert) << cert.error().what();
    EXPECT_EQ(cert->not_after(), spec.not_after);
    EXPECT_TRUE(cert->is_ca());
    EXPECT_EQ(cert->public_key_algorithm(), KeyAlgorithm::ed25519);
}

TEST(Certificate, SignedByIssuerCarriesIssuerDn) {
    auto p = make_pki();
    EXPECT_EQ(p.inter.issuer_string(), "CN=Root CA,O=IBM,C=US");
    EXPECT_EQ(p.leaf.issuer_string(), "CN=Inter CA,O=IBM,C=US");
    EXPECT_TRUE(p.inter.is_ca());
    EXPECT_FALSE(p.leaf.is_self_signed());
    EXPECT_TRUE(p.root.is_self_signed());
    EXPECT_FALSE(p.leaf.matches_private_key(p.root_key));
    // The issuer key must belong to the issuer certificate.
    auto wrong = Certificate::create_signed(spec_for("CN=x", 9, false), p.leaf_key.public_key(),
                                            p.root, p.inter_key);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, Errc::invalid_argument);
}

TEST(Certificate, RejectsBadSpecs) {
    auto key = *PrivateKey::generate(nullptr, KeyType::ec_p256);
    auto s = spec_for("CN=x", 0, false);
    EXPECT_FALSE(Certificate::create_self_signed(s, key));  // serial 0
    s.serial = 1;
    s.not_after = s.not_before - std::chrono::seconds(1);
    EXPECT_FALSE(Certificate::create_self_signed(s, key));
    EXPECT_FALSE(Certificate::load_pem(nullptr, "not a cert"));
    EXPECT_FALSE(Certificate::load_der(nullptr, Bytes{1, 2, 3}));
}

TEST(Certificate, LoadsPemBundle) {
    auto p = make_pki();
    auto bundle = Certificate::load_pem_bundle(nullptr, p.leaf.to_pem() + p.inter.to_pem());
    ASSERT_TRUE(bundle) << bundle.error().what();
    ASSERT_EQ(bundle->size(), 2u);
    EXPECT_EQ((*bundle)[0], p.leaf);
    EXPECT_EQ((*bundle)[1], p.inter);
    EXPECT_FALSE(Certificate::load_pem_bundle(nullptr, "x"));
}

TEST(Certificate, CreatedInSeededContextIsReproducible) {
    auto make = [] {
        auto ctx = LibContext::deterministic(7, "NSS");
        auto key = PrivateKey::generate(ctx->get(), KeyType::ec_p256);
        auto cert = Certificate::create_self_signed(spec_for("CN=NSSD", 1, true), *key);
        return cert->to_der();
    };
    EXPECT_EQ(make(), make());
}

VerifyRequest request_for(Pki const& p, TimePoint at) {
    VerifyRequest r;
    r.leaf = p.leaf;
    r.intermediates = {p.inter};
    r.trust_anchors = {p.root};
    r.at_time = at;
    return r;
}

TEST(VerifyChain, AcceptsValidChain) {
    auto p = make_pki();
    auto chain = verify_chain(nullptr, request_for(p, t0 + std::chrono::seconds(day)));
    ASSERT_TRUE(chain) << chain.error().what();
    ASSERT_EQ(chain->size(), 3u);
    EXPECT_EQ((*chain)[0], p.leaf);
    EXPECT_EQ((*chain)[2], p.root);
}

TEST(VerifyChain, RejectsExpiredAndNotYetValid) {
    auto p = make_pki();
    auto late =
        verify_chain_detailed(nullptr, request_for(p, t0 + std::chrono::seconds(400 * day)));
    EXPECT_EQ(late.status, VerifyStatus::expired);
    EXPECT_EQ(late.reason, "certificate has expired");
    auto early = verify_chain(nullptr, request_for(p, t0 - std::chrono::seconds(day)));
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().code, Errc::auth_failed);
    EXPECT_NE(early.error().message.find("not_yet_valid"), std::string::npos);
    EXPECT_NE(early.error().message.find("certificate is not yet valid"), std::string::npos);
}

TEST(VerifyChain, RejectsUntrustedCa) {
    auto p = make_pki();
    auto other = make_pki();
    auto r = request_for(p, t0 + std::chrono::seconds(day));
    r.trust_anchors = {other.root};
    auto out = verify_chain_detailed(nullptr, r);
    EXPECT_EQ(out.status, VerifyStatus::untrusted);
    EXPECT_FALSE(out.reason.empty());
    r.trust_anchors.clear();
    EXPECT_EQ(verify_chain_detailed(nullptr, r).status, VerifyStatus::untrusted);
    // Without the intermediate no path exists either.
    r.trust_anchors = {p.root};
    r.intermediates.clear();
    EXPECT_EQ(verify_chain_detailed(nullptr, r).status, VerifyStatus::untrusted);
}

TEST(VerifyChain, RejectsRevokedLeaf) {
    auto p = make_pki();
    CrlSpec cs;
    cs.this_update = t0;
    cs.next_update = t0 + std::chrono::seconds(30 * day);
    cs.revoked.push_back({p.leaf.serial(), t0});
    auto crl = Crl::create(cs, p.inter, p.inter_key);
    ASSERT_TRUE(crl) << crl.error().what();
    auto r = request_for(p, t0 + std::chrono::seconds(day));
    r.crls = {*crl};
    auto out = verify_chain_detailed(nullptr, r);
    EXPECT_EQ(out.status, VerifyStatus::revoked);
    EXPECT_EQ(out.error_depth, 0);
    EXPECT_EQ(out.reason, "certificate revoked");

    // An empty CRL from the same issuer lets the chain through.
    CrlSpec empty = cs;
    empty.revoked.clear();
    r.crls = {*Crl::create(empty, p.inter, p.inter_key)};
    EXPECT_TRUE(verify_chain(nullptr, r)) << verify_chain_detailed(nullptr, r).reason;
    // A CRL past its nextUpdate is a CRL problem.
    r.at_time = t0 + std::chrono::seconds(60 * day);
    EXPECT_EQ(verify_chain_detailed(nullptr, r).status, VerifyStatus::crl_problem);
}

TEST(Crl, SignedInTheIssuerKeysContextIsReproducible) {
    auto make = [] {
        auto ctx = LibContext::deterministic(11, "CA");
        auto key = *PrivateKey::generate(ctx->get(), KeyType::ec_p256);
        auto ca = *Certificate::create_self_signed(spec_for("CN=CA", 1, true), key);
        CrlSpec cs;
        cs.this_update = t0;
        cs.next_update = t0 + std::chrono::seconds(day);
        cs.revoked = {{Bytes{0x02}, t0}};
        return Crl::create(cs, ca, key)->to_der();
    };
    EXPECT_EQ(make(), make());
}

TEST(Crl, RoundTripsPemAndDer) {
    auto p = make_pki(KeyType::ed25519);
    CrlSpec cs;
    cs.this_update = t0;
    cs.next_update = t0 + std::chrono::seconds(day);
    cs.revoked = {{Bytes{0x05}, t0}, {Bytes{0x01, 0x00}, t0}};
    auto crl = Crl::create(cs, p.root, p.root_key);
    ASSERT_TRUE(crl) << crl.error().what();
    for (auto const& c : {*Crl::load_pem(crl->to_pem()), *Crl::load_der(crl->to_der())}) {
        EXPECT_EQ(c.issuer().to_string(), "CN=Root CA,O=IBM,C=US");
        EXPECT_EQ(c.this_update(), cs.this_update);
        EXPECT_EQ(c.next_update(), cs.next_update);
        EXPECT_TRUE(c.is_revoked(Bytes{0x05}));
        EXPECT_TRUE(c.is_revoked(Bytes{0x01, 0x00}));
        EXPECT_FALSE(c.is_revoked(Bytes{0x06}));
        EXPECT_EQ(c.revoked_serials().size(), 2u);
    }
}

}  // namespace
}  // namespace nsslab::crypto
