// IKE_AUTH with certificates: CERT payloads (set_local_certificates(), also while the sign
// request is pending), the peer's chain from its CERT payloads or the configuration, CERTREQ with
// the SHA-1 of each CA key, the ID confirmed by the end-entity certificate; AUTH methods 9, 10,
// 11 (raw r|s), Ed25519 through method 14, method 1 refused.
#include <gtest/gtest.h>

#include "nsslab/crypto/digest.hpp"
#include "nsslab/crypto/ecdsa_sig.hpp"
#include "nsslab/crypto/sig_alg_id.hpp"
#include "nsslab/ike/endpoint.hpp"
#include "pair.hpp"

namespace nsslab::ike {
namespace {

using namespace test;
namespace w = wire_ike;

// IDi, then a CA-issued chain: a's end-entity certificate and the CA.
struct CaPki {
    crypto::PrivateKey ca_key;
    crypto::Certificate ca;
    Pki pki;
};

CaPki make_ca_pki() {
    auto ca_key = crypto::PrivateKey::generate(nullptr, crypto::KeyType::ec_p256).value();
    auto ca = certificate(ca_key, "CN=Test CA,O=nsslab", {}, nullptr, nullptr, true);
    auto a = crypto::PrivateKey::generate(nullptr, crypto::KeyType::ec_p256).value();
    auto b = crypto::PrivateKey::generate(nullptr, crypto::KeyType::ec_p256).value();
    auto ca_ = certificate(a, "CN=a.example,O=nsslab", dns_san("a.example"), &ca, &ca_key);
    auto cb = certificate(b, "CN=b.example,O=nsslab", dns_san("b.example"), &ca, &ca_key);
    return CaPki{ca_key, ca, Pki{a, b, ca_, cb}};
}

template <class T>
std::vector<T> all_of(std::vector<w::Payload> const& payloads) {
    std::vector<T> out;
    for (auto const& p : payloads)
        if (auto const* x = std::get_if<T>(&p))
            out.push_back(*x);
    return out;
}

// ---- CERT ------------------------------------------------------------------------------------

TEST(IkeAuth, CertPayloadsCarryTheChainSetWhileTheSignRequestIsPending) {
    CaPki ca = make_ca_pki();
    auto [a, b] = signature_connections(ca.pki, crypto::SignatureScheme::ecdsa_sha256);
    a.peer_auth.certificate_chain.clear();  // only what the peer sends
    b.peer_auth.certificate_chain.clear();
    Pair p = pki_pair(ca.pki, a, b);
    p.answer_at_once = false;
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    ASSERT_EQ(p.a.endpoint->state(*sa), SaState::auth_sign_pending);
    // IKED sets the chain after its sign request went out.
    std::vector<Bytes> chain_a{ca.pki.cert_a.to_der(), ca.ca.to_der()};
    ASSERT_TRUE(p.a.endpoint->set_local_certificates("to-b", chain_a));
    ASSERT_TRUE(p.b.endpoint->set_local_certificates("to-a", {ca.pki.cert_b.to_der()}));
    p.answer_held(p.a);
    // HDR, SK {IDi, CERT, CERT, AUTH, SAi2, TSi, TSr} -->
    auto request = decrypt(p, p.wire.at(2));
    ASSERT_GE(request.size(), 4u);
    EXPECT_TRUE(std::holds_alternative<w::IdI>(request[0]));
    auto certs = all_of<w::Certificate>(request);
    ASSERT_EQ(certs.size(), 2u);
    EXPECT_EQ(certs[0], (w::Certificate{w::CertEncoding::x509_signature, chain_a[0]}));
    EXPECT_EQ(certs[1], (w::Certificate{w::CertEncoding::x509_signature, chain_a[1]}));
    EXPECT_TRUE(std::holds_alternative<w::Certificate>(request[1]));
    EXPECT_TRUE(std::holds_alternative<w::Certificate>(request[2]));
    EXPECT_TRUE(std::holds_alternative<w::Authentication>(request[3]));
    // b verifies with the chain a sent.
    ASSERT_EQ(p.b.held.size(), 1u);
    auto const& verify = std::get<IkeEndpoint::VerifyRequest>(p.b.held.front().operation);
    EXPECT_EQ(verify.certificate_chain, chain_a);
    p.answer_held(p.b);
    p.answer_held(p.b);
    // <-- HDR, SK {IDr, CERT, AUTH, SAr2, TSi, TSr}
    auto response = decrypt(p, p.wire.at(3));
    EXPECT_TRUE(std::holds_alternative<w::IdR>(response.at(0)));
    EXPECT_EQ(std::get<w::Certificate>(response.at(1)).data, ca.pki.cert_b.to_der());
    ASSERT_EQ(p.a.held.size(), 1u);
    EXPECT_EQ(std::get<IkeEndpoint::VerifyRequest>(p.a.held.front().operation).certificate_chain,
              std::vector<Bytes>{ca.pki.cert_b.to_der()});
    p.answer_held(p.a);
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::established);
    EXPECT_EQ(p.b.count("ike.sa_established"), 1u);
    EXPECT_EQ(p.b.endpoint->certificates_ignored(), 0u);
}

TEST(IkeAuth, PskConnectionsSendNoCertificates) {
    Pki pki = make_pki(crypto::KeyType::ec_p256);
    Pair p = psk_pair(gcm256_19);
    ASSERT_TRUE(p.a.endpoint->set_local_certificates("to-b", {pki.cert_a.to_der()}));
    ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
    p.pump();
    EXPECT_TRUE(all_of<w::Certificate>(decrypt(p, p.wire.at(2))).empty());
    EXPECT_EQ(p.b.count("ike.sa_established"), 1u);
}

TEST(IkeAuth, SetLocalCertificatesIsBounded) {
    Pair p = psk_pair(gcm256_19);
    auto& e = *p.a.endpoint;
    EXPECT_EQ(e.set_local_certificates("nope", {}).error().code, Errc::not_found);
    EXPECT_EQ(e.set_local_certificates("to-b", std::vector<Bytes>(9, Bytes(10, 1))).error().code,
              Errc::limit_exceeded);
    EXPECT_EQ(e.set_local_certificates("to-b", {Bytes(16 * 1024 + 1, 1)}).error().code,
              Errc::limit_exceeded);
    EXPECT_EQ(e.set_local_certificates("to-b", {Bytes{}}).error().code, Errc::invalid_argument);
    EXPECT_TRUE(e.set_local_certificates("to-b", std::vector<Bytes>(8, Bytes(16 * 1024, 1))));
    EXPECT_TRUE(e.set_local_certificates("to-b", {}));
}

TEST(IkeAuth, NoCertificateSentOrConfiguredFailsAuth) {
    Pki pki = make_pki(crypto::KeyType::ec_p256);
    auto [a, b] = signature_connections(pki, crypto::SignatureScheme::ecdsa_sha256);
    b.peer_auth.certificate_chain.clear();
    Pair p = pki_pair(pki, a, b);
    ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
    p.pump();
    ASSERT_EQ(p.b.count("ike.auth_failed"), 1u);
    EXPECT_EQ(p.b.last("ike.auth_failed")->text("side"), "peer");
    EXPECT_EQ(p.b.last("ike.auth_failed")->text("reason"),
              "no certificate for fqdn:a.example: the peer sent no CERT payload and the "
              "connection configures no certificate_chain");
    EXPECT_EQ(p.a.last("ike.auth_failed")->text("reason"), "the peer sent AUTHENTICATION_FAILED");
}

// An IKE_AUTH request rewritten in flight (by whoever holds the keys) with CERT payloads this
// endpoint does not use: Hash and URL, an empty one, one past certificate_chain_max.
TEST(IkeAuth, UnusableCertPayloadsAreIgnoredAndCounted) {
    Pki pki = make_pki(crypto::KeyType::ec_p256);
    Pair p = signature_pair(pki, crypto::SignatureScheme::ecdsa_sha256);
    auto lib = crypto::LibContext::deterministic(3, "MITM").value();
    int a_sent = 0;
    p.lose = [&](bool from_a, Bytes const& datagram) {
        if (!from_a || ++a_sent != 2)
            return false;
        auto m = w::decode(datagram).value();
        auto inner = decrypt(p, datagram);
        std::vector<w::Payload> rewritten{inner.at(0)};
        rewritten.push_back(
            w::Certificate{w::CertEncoding::hash_and_url_x509, to_bytes("http://x")});
        rewritten.push_back(w::Certificate{w::CertEncoding::x509_signature, {}});
        for (std::size_t i = 0; i <= certificate_chain_max; ++i)
            rewritten.push_back(
                w::Certificate{w::CertEncoding::x509_signature, pki.cert_a.to_der()});
        rewritten.insert(rewritten.end(), inner.begin() + 1, inner.end());
        auto f = split(p.a.secrets.at(0));
        auto cipher = crypto::SkCipher::create(gcm256_19.encryption, gcm256_19.integrity,
                                               from_hex(f[2]).value(), {})
                          .value();
        Bytes plain = w::encode_payload_chain(rewritten);
        Bytes out =
            w::encode_sk_prefix(m.header, w::PayloadType::idi, cipher.body_size(plain.size()));
        auto body = cipher.protect(*lib, out, plain).value();
        out.insert(out.end(), body.begin(), body.end());
        p.b.endpoint->handle_datagram(ep("10.0.0.2:500"), ep("10.0.0.1:500"), out, p.now);
        return true;
    };
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    EXPECT_EQ(p.b.endpoint->certificates_ignored(), 3u);
    EXPECT_EQ(p.b.count("ike.sa_established"), 1u);
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::established);
}

// ---- CERTREQ ---------------------------------------------------------------------------------

TEST(IkeAuth, CertreqNamesTheSha1OfEachCaKeyAndIsRecorded) {
    CaPki ca = make_ca_pki();
    auto [a, b] = signature_connections(ca.pki, crypto::SignatureScheme::ecdsa_sha256);
    a.peer_auth.ca_certificates = {ca.ca.to_der()};
    b.peer_auth.ca_certificates = {ca.ca.to_der(), ca.pki.cert_a.to_der()};
    Pair p = pki_pair(ca.pki, a, b);
    ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
    p.pump();
    Bytes ca_hash = crypto::sha1(ca.ca.public_key().to_der().value()).value();
    Bytes a_hash = crypto::sha1(ca.pki.cert_a.public_key().to_der().value()).value();
    // <-- HDR, SAr1, KEr, Nr, CERTREQ, N(SHA)
    auto init_response = w::decode(p.wire.at(1)).value();
    auto const* req = w::find_payload<w::CertificateRequest>(init_response.payloads);
    ASSERT_NE(req, nullptr);
    EXPECT_EQ(req->encoding, w::CertEncoding::x509_signature);
    Bytes both = ca_hash;
    both.insert(both.end(), a_hash.begin(), a_hash.end());
    EXPECT_EQ(req->authorities, both);
    // The initiator's IKE_SA_INIT carries none (RFC 7296 §1.2): its CERTREQ is in IKE_AUTH.
    EXPECT_EQ(w::find_payload<w::CertificateRequest>(w::decode(p.wire.at(0)).value().payloads),
              nullptr);
    auto auth_request = decrypt(p, p.wire.at(2));
    auto reqs = all_of<w::CertificateRequest>(auth_request);
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].authorities, ca_hash);
    ASSERT_EQ(p.a.count("ike.sa_established"), 1u);
    EXPECT_EQ(p.a.last("ike.sa_established")->text("peer_certreq"),
              to_hex(ca_hash) + "," + to_hex(a_hash));
    EXPECT_EQ(p.b.last("ike.sa_established")->text("peer_certreq"), to_hex(ca_hash));
}

TEST(IkeAuth, AnUnusableCaIsReportedOnce) {
    auto [a, b] = psk_connections(gcm256_19);
    a.peer_auth.ca_certificates = {Bytes{0x30, 0x00}};
    auto lib = crypto::LibContext::deterministic(1, "C").value();
    IkeEndpoint e(one(a), *lib);
    auto ev = e.poll_event();
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->name, "ike.config_error");
    EXPECT_EQ(ev->text("connection"), "to-b");
    EXPECT_FALSE(e.poll_event());
}

// ---- the ID confirmed by the certificate -----------------------------------------------------

struct IdCase {
    char const* name;
    Identity id;
    std::string subject;
    crypto::SubjectAltNames san;
    char const* failure;  // nullptr: established
};

crypto::SubjectAltNames ip_san(char const* ip) {
    crypto::SubjectAltNames san;
    san.ip_addresses.push_back(IpAddress::parse(ip).value());
    return san;
}

crypto::SubjectAltNames email_san(char const* address) {
    crypto::SubjectAltNames san;
    san.rfc822_names.push_back(address);
    return san;
}

std::vector<IdCase> id_cases() {
    return {
        {"fqdn", Identity::fqdn("a.example"), "CN=x", dns_san("a.example"), nullptr},
        {"fqdn_case", Identity::fqdn("A.Example"), "CN=x", dns_san("a.EXAMPLE"), nullptr},
        {"fqdn_cn_only",
         Identity::fqdn("a.example"),
         "CN=a.example",
         {},
         "ID fqdn:a.example is not confirmed by the end-entity certificate (subject "
         "CN=a.example, subjectAltName none)"},
        {"fqdn_other", Identity::fqdn("a.example"), "CN=x", dns_san("b.example"),
         "ID fqdn:a.example is not confirmed by the end-entity certificate (subject CN=x, "
         "subjectAltName dNSName b.example)"},
        {"ipv4", Identity::ip(IpAddress::parse("10.0.0.1").value()), "CN=x", ip_san("10.0.0.1"),
         nullptr},
        {"ipv4_other", Identity::ip(IpAddress::parse("10.0.0.1").value()), "CN=x",
         ip_san("10.0.0.9"),
         "ID ipv4:10.0.0.1 is not confirmed by the end-entity certificate (subject CN=x, "
         "subjectAltName iPAddress 10.0.0.9)"},
        {"ipv6", Identity::ip(IpAddress::parse("2001:db8::1").value()), "CN=x",
         ip_san("2001:db8::1"), nullptr},
        {"rfc822", Identity::rfc822("ike@a.example"), "CN=x", email_san("ike@a.example"), nullptr},
        {"rfc822_other", Identity::rfc822("ike@a.example"), "CN=x", dns_san("a.example"),
         "ID rfc822:ike@a.example is not confirmed by the end-entity certificate (subject CN=x, "
         "subjectAltName dNSName a.example)"},
        {"dn",
         Identity::dn("CN=a.example,O=IBM,C=US").value(),
         "CN=a.example,O=IBM,C=US",
         {},
         nullptr},
        {"dn_other",
         Identity::dn("CN=a.example,O=IBM,C=US").value(),
         "CN=b.example,O=IBM,C=US",
         {},
         "ID dn:CN=a.example,O=IBM,C=US is not confirmed by the end-entity certificate (subject "
         "CN=b.example,O=IBM,C=US, subjectAltName none)"},
    };
}

class IdInCertificate : public ::testing::TestWithParam<IdCase> {};

TEST_P(IdInCertificate, ConfirmsOrFailsAuth) {
    IdCase const& c = GetParam();
    Pki pki = make_pki(crypto::KeyType::ec_p256);
    pki.cert_a = certificate(pki.key_a, c.subject, c.san);
    auto [a, b] = signature_connections(pki, crypto::SignatureScheme::ecdsa_sha256);
    a.local_id = c.id;
    b.remote_id = c.id;
    Pair p = pki_pair(pki, a, b);
    ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
    p.pump();
    if (c.failure == nullptr) {
        EXPECT_EQ(p.b.count("ike.sa_established"), 1u);
        EXPECT_EQ(p.a.count("ike.sa_established"), 1u);
        return;
    }
    ASSERT_EQ(p.b.count("ike.auth_failed"), 1u);
    EXPECT_EQ(p.b.last("ike.auth_failed")->text("side"), "peer");
    EXPECT_EQ(p.b.last("ike.auth_failed")->text("state"), "init_responded");
    EXPECT_EQ(p.b.last("ike.auth_failed")->text("reason"), c.failure);
    EXPECT_EQ(p.a.count("ike.sa_established"), 0u);
}

INSTANTIATE_TEST_SUITE_P(Ike, IdInCertificate, ::testing::ValuesIn(id_cases()),
                         [](auto const& i) { return std::string(i.param.name); });

TEST(IkeAuth, DnIdentityPrintsAsRfc4514) {
    auto id = Identity::dn("CN=ike.example,OU=Sec,O=IBM,C=US").value();
    EXPECT_EQ(id.type, w::IdType::der_asn1_dn);
    EXPECT_EQ(id.to_string(), "dn:CN=ike.example,OU=Sec,O=IBM,C=US");
    EXPECT_EQ(Identity::der_dn(id.data), id);
    EXPECT_FALSE(Identity::dn("no equals sign"));
    EXPECT_EQ(Identity::der_dn(Bytes{1, 2}).to_string(), "ID_DER_ASN1_DN:0102");
}

// ---- AUTH methods 9, 10, 11, Ed25519, 1 --------------------------------------------------------

struct EcdsaCase {
    AuthMethod method;
    crypto::KeyType key;
    crypto::SignatureScheme scheme;
    w::AuthMethod wire;
    std::size_t raw_size;
};

class EcdsaMethods : public ::testing::TestWithParam<EcdsaCase> {};

TEST_P(EcdsaMethods, SignRawRsAndVerifyDer) {
    EcdsaCase const& c = GetParam();
    Pki pki = make_pki(c.key);
    // LocalAuth::scheme is not used by methods 9-11.
    Pair p = signature_pair(pki, crypto::SignatureScheme::rsa_pss_sha256, c.method);
    p.answer_at_once = false;
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    ASSERT_EQ(p.a.held.size(), 1u);
    EXPECT_EQ(std::get<IkeEndpoint::SignRequest>(p.a.held.front().operation).scheme, c.scheme);
    p.answer_held(p.a);
    auto request = decrypt(p, p.wire.at(2));
    auto const* auth = w::find_payload<w::Authentication>(request);
    ASSERT_NE(auth, nullptr);
    EXPECT_EQ(auth->method, c.wire);
    EXPECT_EQ(auth->data.size(), c.raw_size);
    // No N(SIGNATURE_HASH_ALGORITHMS) without method 14.
    EXPECT_EQ(w::find_notify(w::decode(p.wire.at(0)).value().payloads,
                             w::NotifyType::signature_hash_algorithms),
              nullptr);
    ASSERT_EQ(p.b.held.size(), 1u);
    auto const& verify = std::get<IkeEndpoint::VerifyRequest>(p.b.held.front().operation);
    EXPECT_EQ(verify.scheme, c.scheme);
    EXPECT_EQ(verify.signature[0], 0x30);  // DER again
    p.answer_held(p.b);
    p.answer_held(p.b);
    p.answer_held(p.a);
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::established);
    ASSERT_EQ(p.b.count("ike.sa_established"), 1u);
    EXPECT_EQ(p.b.last("ike.sa_established")->text("peer_auth"), to_string(c.method));
}

INSTANTIATE_TEST_SUITE_P(
    Ike, EcdsaMethods,
    ::testing::Values(
        EcdsaCase{AuthMethod::ecdsa_256, crypto::KeyType::ec_p256,
                  crypto::SignatureScheme::ecdsa_sha256, w::AuthMethod::ecdsa_sha256_p256, 64},
        EcdsaCase{AuthMethod::ecdsa_384, crypto::KeyType::ec_p384,
                  crypto::SignatureScheme::ecdsa_sha384, w::AuthMethod::ecdsa_sha384_p384, 96},
        EcdsaCase{AuthMethod::ecdsa_521, crypto::KeyType::ec_p521,
                  crypto::SignatureScheme::ecdsa_sha512, w::AuthMethod::ecdsa_sha512_p521, 132}));

TEST(IkeAuth, EcdsaMethodNeedsTheKeyOfItsCurve) {
    Pki pki = make_pki(crypto::KeyType::ec_p256);
    Pair p = signature_pair(pki, crypto::SignatureScheme::ecdsa_sha256, AuthMethod::ecdsa_384);
    ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
    p.pump();
    ASSERT_EQ(p.b.count("ike.auth_failed"), 1u);
    EXPECT_EQ(p.b.last("ike.auth_failed")->text("reason"),
              "AUTH method ECDSA_SHA384_P384 needs a ECDSA-P384 key, the certificate holds "
              "ECDSA-P256");
}

TEST(IkeAuth, MismatchedMethodFailsAuth) {
    Pki pki = make_pki(crypto::KeyType::ec_p256);
    auto [a, b] = signature_connections(pki, crypto::SignatureScheme::ecdsa_sha256);
    b.peer_auth.method = AuthMethod::ecdsa_256;
    Pair p = pki_pair(pki, a, b);
    ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
    p.pump();
    EXPECT_EQ(p.b.last("ike.auth_failed")->text("reason"),
              "AUTH method DIGITAL_SIGNATURE, expected ECDSA_SHA256_P256");
}

TEST(IkeAuth, Ed25519ThroughMethod14WithTheIdentityHash) {
    Pki pki = make_pki(crypto::KeyType::ed25519);
    Pair p = signature_pair(pki, crypto::SignatureScheme::ed25519);
    ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
    p.pump();
    ASSERT_EQ(p.a.count("ike.sa_established"), 1u);  // see also SignatureSchemes
    // N(SIGNATURE_HASH_ALGORITHMS) = SHA2_256, SHA2_384, SHA2_512, IDENTITY.
    auto init = w::decode(p.wire.at(0)).value();
    auto const* sha = w::find_notify(init.payloads, w::NotifyType::signature_hash_algorithms);
    ASSERT_NE(sha, nullptr);
    EXPECT_EQ(sha->data, (Bytes{0, 2, 0, 3, 0, 4, 0, 5}));
    auto request = decrypt(p, p.wire.at(2));
    auto const* auth = w::find_payload<w::Authentication>(request);
    ASSERT_NE(auth, nullptr);
    EXPECT_EQ(auth->method, w::AuthMethod::digital_signature);
    auto parsed = crypto::parse_signature_auth_data(auth->data).value();
    EXPECT_EQ(parsed.scheme, crypto::SignatureScheme::ed25519);
    EXPECT_EQ(parsed.signature.size(), 64u);
}

constexpr char const* method_1_reason =
    "AUTH method 1 (RSA with SHA-1) is not supported: the NSS certificate service has no SHA-1 "
    "signature scheme";

TEST(IkeAuth, Method1IsRefusedAsInitiator) {
    Pki pki = make_pki(crypto::KeyType::rsa_2048);
    auto [a, b] = signature_connections(pki, crypto::SignatureScheme::rsa_pkcs1_sha256);
    a.local_auth.method = AuthMethod::rsa_signature;
    Pair p = pki_pair(pki, a, b);
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    ASSERT_EQ(p.a.count("ike.auth_failed"), 1u);
    EXPECT_EQ(p.a.last("ike.auth_failed")->text("side"), "local");
    EXPECT_EQ(p.a.last("ike.auth_failed")->text("reason"), method_1_reason);
    EXPECT_EQ(p.wire.size(), 2u);  // no IKE_AUTH, no sign request
    EXPECT_TRUE(p.a.held.empty());
}

TEST(IkeAuth, Method1IsRefusedAsResponderBothWays) {
    Pki pki = make_pki(crypto::KeyType::rsa_2048);
    // b expects method 1 from a (side peer), or would authenticate itself with it (side local).
    for (bool peer : {true, false}) {
        auto [a, b] = signature_connections(pki, crypto::SignatureScheme::rsa_pkcs1_sha256);
        (peer ? b.peer_auth.method : b.local_auth.method) = AuthMethod::rsa_signature;
        Pair p = pki_pair(pki, a, b);
        ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
        p.pump();
        ASSERT_EQ(p.b.count("ike.auth_failed"), 1u);
        EXPECT_EQ(p.b.last("ike.auth_failed")->text("side"), peer ? "peer" : "local");
        EXPECT_EQ(p.b.last("ike.auth_failed")->text("reason"), method_1_reason);
        EXPECT_EQ(p.a.last("ike.auth_failed")->text("reason"),
                  "the peer sent AUTHENTICATION_FAILED");
        EXPECT_EQ(p.b.endpoint->sa_count(), 0u);
    }
}

TEST(IkeAuth, Sha1AndDnHelpers) {
    // FIPS 180-4 "abc".
    EXPECT_EQ(to_hex(crypto::sha1(as_bytes("abc")).value()),
              "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(to_hex(crypto::sha256(as_bytes("abc")).value()),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Pki pki = make_pki(crypto::KeyType::ec_p256);
    auto dn = crypto::DistinguishedName::parse("CN=a.example").value();
    EXPECT_EQ(dn.to_der().value(), pki.cert_a.subject_der());
    EXPECT_EQ(crypto::DistinguishedName::from_der(pki.cert_a.subject_der()).value(), dn);
    Bytes trailing = pki.cert_a.subject_der();
    trailing.push_back(0);
    EXPECT_FALSE(crypto::DistinguishedName::from_der(trailing));
}

}  // namespace
}  // namespace nsslab::ike
