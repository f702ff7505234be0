// RACDCERT in RACF command scripts: GENCERT (self-signed and SIGNWITH, DN/ALTNAME/SIZE/key
// algorithm/validity mapping), ADDRING, CONNECT (usage, DEFAULT), LIST/LISTRING output without
// key material, DELETE, ALTER, ADD from a PEM file, all-or-nothing failures, determinism.
#include "nsslab/zos/racdcert.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>

#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/crypto/x509_verify.hpp"
#include "nsslab/zos/racf.hpp"

namespace nsslab::zos {
namespace {

TimePoint const now = time_from_unix_seconds(1767268800);  // 2026-01-01T12:00:00Z

struct Racdcert : ::testing::Test {
    RacfDatabase racf;
    KeyRingStore store;
    RacdcertEnvironment env;
    RacfCommandTable table = RacfCommandTable::standard();
    std::vector<std::string> messages;
    std::map<std::string, std::string> files;

    void SetUp() override {
        env.now = now;
        env.read_file = [this](std::string_view path) -> Result<std::string> {
            auto it = files.find(std::string(path));
            if (it == files.end())
                return fail(Errc::not_found, "no such file");
            return it->second;
        };
        add_racdcert_command(table, store, env);
        ASSERT_TRUE(run("ADDUSER NSSD\nADDUSER IKED\n"));
    }

    Result<void> run(std::string_view script) {
        auto parsed = parse_racf_script(script, "test.racf");
        if (!parsed)
            return parsed.error();
        return apply_racf_script(*parsed, racf, table, messages);
    }

    std::string joined() const {
        std::string out;
        for (auto const& m : messages)
            out += m + "\n";
        return out;
    }
};

constexpr std::string_view nss_setup = R"(
/* The NSS server's certificates, as in IBM's IPSec certificate management examples */
RACDCERT CERTAUTH GENCERT SUBJECTSDN(CN('NSS CA') O('IBM') C('US')) -
  WITHLABEL('NSS CA') NISTECC SIZE(256) -
  NOTBEFORE(DATE(2026-01-01) TIME(00:00:00)) NOTAFTER(DATE(2030-12-31))
RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('NSSD') OU('Security') O('IBM') L('Poughkeepsie') -
  SP('NY') C('US')) ALTNAME(IP(10.1.1.1) DOMAIN('nssd.example.com') EMAIL('nssd@example.com')) -
  SIZE(2048) SIGNWITH(CERTAUTH LABEL('NSS CA')) WITHLABEL('NSSD Server')
RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('SYSTEMA_STACK1')) NISTECC SIZE(384) -
  SIGNWITH(CERTAUTH LABEL('NSS CA')) WITHLABEL('SYSTEMA_STACK1') KEYUSAGE(HANDSHAKE)
RACDCERT ADDRING(NSSDring) ID(NSSD)
RACDCERT CONNECT(ID(NSSD) LABEL('NSSD Server') RING(NSSDring) USAGE(PERSONAL) DEFAULT) ID(NSSD)
RACDCERT CONNECT(LABEL('SYSTEMA_STACK1') RING(NSSDring)) ID(NSSD)
RACDCERT CONNECT(CERTAUTH LABEL('NSS CA') RING(NSSDring) USAGE(CERTAUTH)) ID(NSSD)
)";

TEST_F(Racdcert, NssServerSetupBuildsAVerifiableRing) {
    ASSERT_TRUE(run(nss_setup)) << run(nss_setup).error().what();
    RingId const ring = *RingId::parse("NSSD/NSSDring");

    auto ca = store.find_certificate(CertOwner::certauth(), "NSS CA");
    ASSERT_NE(ca, nullptr);
    EXPECT_TRUE(ca->certificate.is_ca());
    EXPECT_TRUE(ca->certificate.is_self_signed());
    EXPECT_EQ(ca->certificate.public_key().key_type(), crypto::KeyType::ec_p256);
    EXPECT_EQ(ca->certificate.serial_hex(), "01");
    EXPECT_EQ(format_iso8601(ca->certificate.not_before()), "2026-01-01T00:00:00.000000000Z");
    EXPECT_EQ(format_iso8601(ca->certificate.not_after()), "2030-12-31T23:59:59.000000000Z");
    EXPECT_TRUE(ca->certificate.key_usage()->key_cert_sign);

    auto def = store.ring_default(ring);
    ASSERT_TRUE(def);
    auto const& server = def->certificate();
    EXPECT_EQ(def->label(), "NSSD Server");
    EXPECT_EQ(def->usage, CertUsage::personal);
    EXPECT_EQ(server.subject_string(), "CN=NSSD,OU=Security,O=IBM,L=Poughkeepsie,ST=NY,C=US");
    EXPECT_EQ(server.issuer_string(), "CN=NSS CA,O=IBM,C=US");
    EXPECT_EQ(server.serial_hex(), "02");  // the CA's own certificate used serial 1
    EXPECT_EQ(server.public_key().key_type(), crypto::KeyType::rsa_2048);
    EXPECT_FALSE(server.is_ca());
    auto san = server.subject_alt_names();
    ASSERT_EQ(san.ip_addresses.size(), 1u);
    EXPECT_EQ(san.ip_addresses[0].to_string(), "10.1.1.1");
    EXPECT_EQ(san.dns_names, std::vector<std::string>{"nssd.example.com"});
    EXPECT_EQ(san.rfc822_names, std::vector<std::string>{"nssd@example.com"});
    // Defaults: NOTBEFORE = now, NOTAFTER = one year later.
    EXPECT_EQ(server.not_before(), now);
    EXPECT_EQ(server.not_after(), now + std::chrono::hours(24 * 365));

    auto client = store.ring_certificate(ring, "SYSTEMA_STACK1");
    ASSERT_TRUE(client);
    EXPECT_EQ(client->usage, CertUsage::personal);
    EXPECT_FALSE(client->is_default);
    EXPECT_EQ(client->certificate().serial_hex(), "03");
    EXPECT_EQ(client->certificate().public_key().key_type(), crypto::KeyType::ec_p384);
    EXPECT_TRUE(client->certificate().key_usage()->digital_signature);

    // The ring's CERTAUTH certificates validate both personal certificates.
    auto anchors = store.ring_ca_certificates(ring);
    ASSERT_TRUE(anchors);
    ASSERT_EQ(anchors->size(), 1u);
    crypto::VerifyRequest req;
    req.leaf = server;
    req.trust_anchors = *anchors;
    req.at_time = now + std::chrono::hours(1);
    EXPECT_TRUE(crypto::verify_chain(nullptr, req));
    // The stored key signs for the certificate (NSS certificate service).
    ASSERT_NE(client->private_key(), nullptr);
    auto sig = crypto::sign(*client->private_key(), crypto::SignatureScheme::ecdsa_sha384,
                            to_bytes("AUTH"));
    ASSERT_TRUE(sig);
    EXPECT_TRUE(crypto::verify(client->certificate(), crypto::SignatureScheme::ecdsa_sha384,
                               to_bytes("AUTH"), *sig));
}

TEST_F(Racdcert, ListAndListringShowNoKeyMaterial) {
    ASSERT_TRUE(run(nss_setup));
    messages.clear();
    ASSERT_TRUE(
        run("RACDCERT LIST(LABEL('NSSD Server')) ID(NSSD)\n"
            "RACDCERT LISTRING(NSSDring) ID(NSSD)\n"
            "RACDCERT LIST CERTAUTH\n"
            "RACDCERT ID(NSSD)\n"
            "RACDCERT LISTRING(*) ID(NSSD)\n"));
    std::string const out = joined();
    EXPECT_NE(out.find("Label: NSSD Server"), std::string::npos);
    EXPECT_NE(out.find("Private Key: YES"), std::string::npos);
    EXPECT_NE(out.find("Digital ring information for user NSSD:"), std::string::npos);
    EXPECT_NE(out.find("Label: NSS CA"), std::string::npos);
    EXPECT_NE(out.find("IP: 10.1.1.1"), std::string::npos);
    EXPECT_EQ(out.find("PRIVATE KEY"), std::string::npos);
    EXPECT_EQ(out.find("-----BEGIN"), std::string::npos);
    for (auto const* s : store.certificates_of(CertOwner::user("NSSD"))) {
        std::string const pem = *s->private_key->export_private_pem_unsafe();
        auto const body_start = pem.find('\n') + 1;
        for (std::size_t i = body_start; i + 20 < pem.size() && pem[i] != '-'; i += 20) {
            std::string const slice = pem.substr(i, 20);
            if (slice.find('\n') != std::string::npos)
                continue;
            EXPECT_EQ(out.find(slice), std::string::npos);
        }
    }
}

TEST_F(Racdcert, KeyAlgorithmsAndSizes) {
    ASSERT_TRUE(
        run("RACDCERT ID(IKED) GENCERT SUBJECTSDN(CN('E1')) WITHLABEL('ed') ED25519\n"
            "RACDCERT ID(IKED) GENCERT SUBJECTSDN(CN('E2')) WITHLABEL('p521') NISTECC SIZE(521)\n"
            "RACDCERT ID(IKED) GENCERT SUBJECTSDN(CN('E3')) WITHLABEL('ec') NISTECC\n"
            "RACDCERT ID(IKED) GENCERT SUBJECTSDN(CN('E4')) WITHLABEL('rsa')\n"));
    auto type_of = [&](char const* label) {
        return store.find_certificate(CertOwner::user("IKED"), label)
            ->certificate.public_key()
            .key_type();
    };
    EXPECT_EQ(type_of("ed"), crypto::KeyType::ed25519);
    EXPECT_EQ(type_of("p521"), crypto::KeyType::ec_p521);
    EXPECT_EQ(type_of("ec"), crypto::KeyType::ec_p256);
    EXPECT_EQ(type_of("rsa"), crypto::KeyType::rsa_2048);
    EXPECT_FALSE(run("RACDCERT ID(IKED) GENCERT SUBJECTSDN(CN('x')) NISTECC SIZE(192)\n"));
    EXPECT_FALSE(run("RACDCERT ID(IKED) GENCERT SUBJECTSDN(CN('x')) RSA SIZE(1024)\n"));
    EXPECT_FALSE(run("RACDCERT ID(IKED) GENCERT SUBJECTSDN(CN('x')) RSA NISTECC\n"));
    EXPECT_EQ(run("RACDCERT ID(IKED) GENCERT SUBJECTSDN(CN('x')) DSA\n").error().code,
              Errc::unsupported);
    EXPECT_EQ(store.certificate_count(), 4u);
}

TEST_F(Racdcert, SubjectDnOrderAndRepeatedOu) {
    ASSERT_TRUE(
        run("RACDCERT ID(IKED) GENCERT SUBJECTSDN(C('US') OU('a','b') CN('x') T('t') "
            "O('o') L('l') SP('s')) WITHLABEL('dn') NISTECC"));
    auto const* s = store.find_certificate(CertOwner::user("IKED"), "dn");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->certificate.subject_string(), "CN=x,title=t,OU=a,OU=b,O=o,L=l,ST=s,C=US");
}

TEST_F(Racdcert, GeneratedLabelWhenWithlabelOmitted) {
    ASSERT_TRUE(run("RACDCERT ID(IKED) GENCERT SUBJECTSDN(CN('A')) NISTECC\n"));
    EXPECT_NE(store.find_certificate(CertOwner::user("IKED"), "LABEL00000001"), nullptr);
}

TEST_F(Racdcert, FailuresChangeNothing) {
    ASSERT_TRUE(run(nss_setup));
    auto const certs = store.certificate_count();
    auto const conns = store.ring_certificates(*RingId::parse("NSSD/NSSDring"))->size();
    // Duplicate label, unknown signer, signer without key, undefined user, bad date, bad label.
    for (auto const* cmd : {
             "RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('x')) WITHLABEL('NSSD Server') NISTECC",
             "RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('x')) SIGNWITH(CERTAUTH LABEL('nope')) "
             "NISTECC",
             "RACDCERT ID(NOBODY) GENCERT SUBJECTSDN(CN('x')) NISTECC",
             "RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('x')) NOTBEFORE(DATE(2026-13-01)) NISTECC",
             "RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('x')) NOTBEFORE(DATE(2026-01-02)) "
             "NOTAFTER(DATE(2026-01-01)) NISTECC",
             "RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('x')) "
             "WITHLABEL('123456789012345678901234567890123') NISTECC",
             "RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('x')) ALTNAME(IP(999.1.1.1)) NISTECC",
             "RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('x') C('USA')) NISTECC",
             "RACDCERT CONNECT(LABEL('missing') RING(NSSDring)) ID(NSSD)",
             "RACDCERT CONNECT(LABEL('NSSD Server') RING(other)) ID(NSSD)",
             "RACDCERT CONNECT(LABEL('NSSD Server') RING(NSSDring) USAGE(BOGUS)) ID(NSSD)",
             "RACDCERT ADDRING(NSSDring) ID(NSSD)",
             "RACDCERT ADDRING(x) CERTAUTH",
             "RACDCERT DELETE(LABEL('missing')) ID(NSSD)",
             "RACDCERT ADDRING(a) LISTRING(a) ID(NSSD)",
             "RACDCERT ID(NSSD) FROB",
         }) {
        auto r = run(cmd);
        EXPECT_FALSE(r) << cmd;
        if (!r) {
            EXPECT_NE(r.error().message.find("test.racf:1:"), std::string::npos)
                << r.error().message;
            if (std::getenv("NSSLAB_SHOW_ERRORS"))
                std::printf("%s\n", r.error().message.c_str());
        }
    }
    EXPECT_EQ(store.certificate_count(), certs);
    EXPECT_EQ(store.ring_certificates(*RingId::parse("NSSD/NSSDring"))->size(), conns);
    EXPECT_EQ(store.ring_count(), 1u);

    // A certificate without a private key cannot sign.
    auto ca_pem = store.find_certificate(CertOwner::certauth(), "NSS CA")->certificate.to_pem();
    files["/tmp/ca.pem"] = ca_pem;
    ASSERT_TRUE(run("RACDCERT CERTAUTH ADD('/tmp/ca.pem') WITHLABEL('CA copy') TRUST"));
    auto r =
        run("RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('x')) SIGNWITH(CERTAUTH LABEL('CA copy')) "
            "NISTECC");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("private key"), std::string::npos);
}

TEST_F(Racdcert, DeleteAlterRemoveAndDelring) {
    ASSERT_TRUE(run(nss_setup));
    RingId const ring = *RingId::parse("NSSD/NSSDring");
    ASSERT_TRUE(run("RACDCERT ALTER(LABEL('NSS CA')) CERTAUTH NOTRUST"));
    EXPECT_TRUE(store.ring_ca_certificates(ring)->empty());
    ASSERT_TRUE(run("RACDCERT ALTER(LABEL('NSS CA')) CERTAUTH TRUST"));
    EXPECT_EQ(store.ring_ca_certificates(ring)->size(), 1u);
    ASSERT_TRUE(run("RACDCERT REMOVE(LABEL('SYSTEMA_STACK1') RING(NSSDring)) ID(NSSD)"));
    EXPECT_FALSE(store.ring_certificate(ring, "SYSTEMA_STACK1"));
    EXPECT_NE(store.find_certificate(CertOwner::user("NSSD"), "SYSTEMA_STACK1"), nullptr);
    ASSERT_TRUE(run("RACDCERT DELETE(LABEL('NSSD Server')) ID(NSSD)"));
    EXPECT_EQ(store.ring_default(ring).error().code, Errc::not_found);
    ASSERT_TRUE(run("RACDCERT DELRING(NSSDring) ID(NSSD)"));
    EXPECT_EQ(store.ring_count(), 0u);
}

TEST_F(Racdcert, AddImportsPemWithKey) {
    auto key = *crypto::PrivateKey::generate(nullptr, crypto::KeyType::ec_p256);
    crypto::CertificateSpec spec;
    spec.subject = *crypto::DistinguishedName::parse("CN=Imported");
    spec.not_before = now;
    spec.not_after = now + std::chrono::hours(24);
    auto cert = *crypto::Certificate::create_self_signed(spec, key);
    files["/u/nssd/server.pem"] = cert.to_pem() + *key.export_private_pem_unsafe();
    ASSERT_TRUE(
        run("RACDCERT ID(NSSD) ADD('/u/nssd/server.pem') WITHLABEL('Imported') TRUST\n"
            "RACDCERT ADDRING(r) ID(NSSD)\n"
            "RACDCERT CONNECT(LABEL('Imported') RING(r) DEFAULT) ID(NSSD)\n"));
    auto def = store.ring_default(*RingId::parse("NSSD/r"));
    ASSERT_TRUE(def);
    EXPECT_EQ(def->certificate(), cert);
    ASSERT_NE(def->private_key(), nullptr);
    auto missing = run("RACDCERT ID(NSSD) ADD('/nope') WITHLABEL('x')");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("/nope"), std::string::npos);
}

TEST(RacdcertDeterminism, SeededContextMakesGencertReproducible) {
    auto make = [](std::uint64_t seed) {
        auto lib = crypto::LibContext::deterministic(seed, "NSS");
        RacfDatabase racf;
        KeyRingStore store;
        RacdcertEnvironment env;
        env.now = now;
        env.lib = lib->get();
        auto table = RacfCommandTable::standard();
        add_racdcert_command(table, store, env);
        std::vector<std::string> messages;
        auto script = parse_racf_script("ADDUSER NSSD\n" + std::string(nss_setup), "s.racf");
        NSSLAB_ASSERT(apply_racf_script(*script, racf, table, messages).has_value(), "setup");
        return store.find_certificate(CertOwner::user("NSSD"), "NSSD Server")->certificate.to_der();
    };
    EXPECT_EQ(make(5), make(5));
    EXPECT_NE(make(5), make(6));
}

}  // namespace
}  // namespace nsslab::zos
