// KeyRingStore: certificate profiles (owner + label rules), rings ("userid/ringname"),
// CONNECT usage/default rules, lookups (label, default, CA certificates), PEM import, and that
// no listing or error ever carries private key material.
#include "nsslab/zos/keyring.hpp"

#include <gtest/gtest.h>

namespace nsslab::zos {
namespace {

using crypto::Certificate;
using crypto::CertificateSpec;
using crypto::KeyType;
using crypto::PrivateKey;

TimePoint const t0 = time_from_unix_seconds(1767225600);  // 2026-01-01

struct Issued {
    PrivateKey key;
    Certificate cert;
};

Issued self_signed(std::string_view dn, bool ca, KeyType type = KeyType::ec_p256) {
    Issued out;
    out.key = *PrivateKey::generate(nullptr, type);
    CertificateSpec s;
    s.subject = *crypto::DistinguishedName::parse(dn);
    s.not_before = t0;
    s.not_after = t0 + std::chrono::hours(24 * 365);
    s.is_ca = ca;
    out.cert = *Certificate::create_self_signed(s, out.key);
    return out;
}

RingId ring(std::string_view text) {
    return *RingId::parse(text);
}

TEST(RingId, ParsesUserAndRing) {
    auto r = RingId::parse("nssd/NSSDring");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->owner, "NSSD");     // user IDs fold to upper case
    EXPECT_EQ(r->name, "NSSDring");  // ring names are case-sensitive
    EXPECT_EQ(r->to_string(), "NSSD/NSSDring");
    EXPECT_FALSE(RingId::parse("noslash"));
    EXPECT_FALSE(RingId::parse("/ring"));
    EXPECT_FALSE(RingId::parse("NSSD/"));
    EXPECT_FALSE(RingId::parse("TOOLONGID/ring"));
    EXPECT_FALSE(RingId::parse("A/b/c"));
    EXPECT_FALSE(RingId::parse("A/b c"));
    EXPECT_NE(*RingId::parse("A/ring"), *RingId::parse("A/RING"));
}

TEST(KeyRingStore, LabelRules) {
    KeyRingStore store;
    auto a = self_signed("CN=A", false);
    EXPECT_TRUE(
        store.add_certificate(CertOwner::user("nssd"), std::string(32, 'x'), a.cert, a.key));
    auto too_long =
        store.add_certificate(CertOwner::user("NSSD"), std::string(33, 'x'), a.cert, a.key);
    ASSERT_FALSE(too_long);
    EXPECT_EQ(too_long.error().code, Errc::invalid_argument);
    EXPECT_FALSE(store.add_certificate(CertOwner::user("NSSD"), "", a.cert, a.key));
    // Labels are case-sensitive and unique per owner.
    EXPECT_TRUE(store.add_certificate(CertOwner::user("NSSD"), "Server", a.cert, a.key));
    EXPECT_TRUE(store.add_certificate(CertOwner::user("NSSD"), "SERVER", a.cert, a.key));
    auto dup = store.add_certificate(CertOwner::user("NSSD"), "Server", a.cert, a.key);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, Errc::already_exists);
    EXPECT_TRUE(store.add_certificate(CertOwner::certauth(), "Server", a.cert, std::nullopt));
    EXPECT_TRUE(store.add_certificate(CertOwner::site(), "Server", a.cert, std::nullopt));
    EXPECT_EQ(store.certificate_count(), 5u);
    EXPECT_NE(store.find_certificate(CertOwner::user("nssd"), "Server"), nullptr);
    EXPECT_EQ(store.find_certificate(CertOwner::user("NSSD"), "server"), nullptr);
    EXPECT_EQ(store.certificates_of(CertOwner::user("NSSD")).size(), 3u);
}

TEST(KeyRingStore, RejectsKeyThatDoesNotMatch) {
    KeyRingStore store;
    auto a = self_signed("CN=A", false);
    auto b = self_signed("CN=B", false);
    auto r = store.add_certificate(CertOwner::user("U"), "A", a.cert, b.key);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(KeyRingStore, GeneratedLabelsAreUnique) {
    KeyRingStore store;
    auto a = self_signed("CN=A", false);
    auto const l1 = store.generate_label(CertOwner::user("U"));
    EXPECT_EQ(l1, "LABEL00000001");
    ASSERT_TRUE(store.add_certificate(CertOwner::user("U"), l1, a.cert, std::nullopt));
    EXPECT_EQ(store.generate_label(CertOwner::user("U")), "LABEL00000002");
    EXPECT_EQ(store.generate_label(CertOwner::certauth()), "LABEL00000001");
}

struct RingFixture : ::testing::Test {
    KeyRingStore store;
    Issued ca = self_signed("CN=NSS CA,O=IBM,C=US", true);
    Issued server = self_signed("CN=NSSD,O=IBM,C=US", false);
    Issued client = self_signed("CN=SYSTEMA_STACK1,O=IBM,C=US", false);
    RingId nss_ring = ring("NSSD/NSSDring");

    void SetUp() override {
        ASSERT_TRUE(store.add_certificate(CertOwner::certauth(), "NSS CA", ca.cert, std::nullopt));
        ASSERT_TRUE(
            store.add_certificate(CertOwner::user("NSSD"), "NSSD Server", server.cert, server.key));
        ASSERT_TRUE(store.add_certificate(CertOwner::user("NSSD"), "SYSTEMA_STACK1", client.cert,
                                          client.key));
        ASSERT_TRUE(store.add_ring(nss_ring));
    }
};

TEST_F(RingFixture, ConnectUsesNaturalUsageAndOneDefault) {
    ASSERT_TRUE(store.connect(nss_ring, CertOwner::certauth(), "NSS CA", std::nullopt, false));
    ASSERT_TRUE(
        store.connect(nss_ring, CertOwner::user("NSSD"), "NSSD Server", std::nullopt, true));
    ASSERT_TRUE(store.connect(nss_ring, CertOwner::user("NSSD"), "SYSTEMA_STACK1",
                              CertUsage::personal, false));
    auto all = store.ring_certificates(nss_ring);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[0].usage, CertUsage::certauth);
    EXPECT_EQ((*all)[1].usage, CertUsage::personal);

    auto def = store.ring_default(nss_ring);
    ASSERT_TRUE(def);
    EXPECT_EQ(def->label(), "NSSD Server");
    ASSERT_NE(def->private_key(), nullptr);

    // A new DEFAULT replaces the old one: exactly one default per ring.
    ASSERT_TRUE(
        store.connect(nss_ring, CertOwner::user("NSSD"), "SYSTEMA_STACK1", std::nullopt, true));
    EXPECT_EQ(store.ring_default(nss_ring)->label(), "SYSTEMA_STACK1");
    int defaults = 0;
    for (auto const& rc : *store.ring_certificates(nss_ring))
        defaults += rc.is_default ? 1 : 0;
    EXPECT_EQ(defaults, 1);
    EXPECT_EQ(store.ring_certificates(nss_ring)->size(), 3u);  // re-connect did not duplicate
}

TEST_F(RingFixture, LookupsByLabelDefaultAndCa) {
    EXPECT_EQ(store.ring_default(nss_ring).error().code, Errc::not_found);
    ASSERT_TRUE(store.connect(nss_ring, CertOwner::certauth(), "NSS CA", std::nullopt, false));
    ASSERT_TRUE(
        store.connect(nss_ring, CertOwner::user("NSSD"), "NSSD Server", std::nullopt, false));
    auto rc = store.ring_certificate(nss_ring, "NSSD Server");
    ASSERT_TRUE(rc);
    EXPECT_EQ(rc->certificate(), server.cert);
    EXPECT_EQ(store.ring_certificate(nss_ring, "nssd server").error().code, Errc::not_found);
    auto cas = store.ring_ca_certificates(nss_ring);
    ASSERT_TRUE(cas);
    ASSERT_EQ(cas->size(), 1u);
    EXPECT_EQ((*cas)[0], ca.cert);
    EXPECT_EQ(store.ring_certificate(nss_ring, "NSS CA")->private_key(), nullptr);
    // NOTRUST certificates are not trust anchors.
    ASSERT_TRUE(store.set_trust(CertOwner::certauth(), "NSS CA", CertTrust::notrust));
    EXPECT_TRUE(store.ring_ca_certificates(nss_ring)->empty());
    EXPECT_EQ(store.ring_certificate(ring("NSSD/other"), "x").error().code, Errc::not_found);
}

TEST_F(RingFixture, ConnectAndRemoveErrors) {
    EXPECT_EQ(store.connect(ring("NSSD/none"), CertOwner::certauth(), "NSS CA", std::nullopt, false)
                  .error()
                  .code,
              Errc::not_found);
    EXPECT_EQ(
        store.connect(nss_ring, CertOwner::certauth(), "missing", std::nullopt, false).error().code,
        Errc::not_found);
    EXPECT_EQ(store.add_ring(nss_ring).error().code, Errc::already_exists);
    EXPECT_EQ(store.remove(nss_ring, CertOwner::certauth(), "NSS CA").error().code,
              Errc::not_found);
    ASSERT_TRUE(store.connect(nss_ring, CertOwner::certauth(), "NSS CA", std::nullopt, false));
    EXPECT_TRUE(store.remove(nss_ring, CertOwner::certauth(), "NSS CA"));
    EXPECT_TRUE(store.ring_certificates(nss_ring)->empty());
}

TEST_F(RingFixture, DeletingACertificateDisconnectsItEverywhere) {
    auto second = ring("IKED/keyring");
    ASSERT_TRUE(store.add_ring(second));
    ASSERT_TRUE(store.connect(nss_ring, CertOwner::certauth(), "NSS CA", std::nullopt, false));
    ASSERT_TRUE(store.connect(second, CertOwner::certauth(), "NSS CA", std::nullopt, false));
    EXPECT_EQ(store.rings_with(CertOwner::certauth(), "NSS CA").size(), 2u);
    ASSERT_TRUE(store.delete_certificate(CertOwner::certauth(), "NSS CA"));
    EXPECT_TRUE(store.ring_certificates(nss_ring)->empty());
    EXPECT_TRUE(store.ring_certificates(second)->empty());
    EXPECT_EQ(store.delete_certificate(CertOwner::certauth(), "NSS CA").error().code,
              Errc::not_found);
    EXPECT_EQ(store.rings_of("iked").size(), 1u);
    EXPECT_TRUE(store.delete_ring(second));
    EXPECT_EQ(store.delete_ring(second).error().code, Errc::not_found);
}

TEST_F(RingFixture, ListingsNeverContainKeyMaterial) {
    ASSERT_TRUE(store.connect(nss_ring, CertOwner::certauth(), "NSS CA", std::nullopt, false));
    ASSERT_TRUE(
        store.connect(nss_ring, CertOwner::user("NSSD"), "NSSD Server", std::nullopt, true));
    auto list = store.list_certificate(CertOwner::user("NSSD"), "NSSD Server");
    ASSERT_TRUE(list);
    auto ring_list = store.list_ring(nss_ring);
    ASSERT_TRUE(ring_list);

    std::string const pem = *server.key.export_private_pem_unsafe();
    // The base64 body of the PKCS#8 key, and 16-character slices of it.
    std::string body;
    for (std::size_t pos = pem.find('\n') + 1; pos < pem.size(); ++pos)
        if (pem[pos] != '\n')
            body += pem[pos];
    body = body.substr(0, body.find("-----"));
    for (auto const* text : {&*list, &*ring_list}) {
        EXPECT_EQ(text->find("PRIVATE KEY"), std::string::npos);
        EXPECT_EQ(text->find("-----BEGIN"), std::string::npos);
        for (std::size_t i = 0; i + 16 <= body.size(); i += 16)
            EXPECT_EQ(text->find(body.substr(i, 16)), std::string::npos);
    }
    EXPECT_NE(list->find("Label: NSSD Server"), std::string::npos);
    EXPECT_NE(list->find("Private Key: YES"), std::string::npos);
    EXPECT_NE(list->find(">CN=NSSD.O=IBM.C=US<"), std::string::npos);
    EXPECT_NE(list->find("Start Date: 2026/01/01 00:00:00"), std::string::npos);
    EXPECT_NE(list->find(">NSSDring<"), std::string::npos);
    EXPECT_NE(ring_list->find("NSSD Server"), std::string::npos);
    EXPECT_NE(ring_list->find("ID(NSSD)"), std::string::npos);
    EXPECT_NE(ring_list->find("PERSONAL"), std::string::npos);
    EXPECT_NE(ring_list->find("YES"), std::string::npos);
    EXPECT_NE(ring_list->find("CERTAUTH"), std::string::npos);
    EXPECT_EQ(store.list_certificate(CertOwner::certauth(), "x").error().code, Errc::not_found);
}

TEST(KeyRingStore, ImportsPemWithAndWithoutKey) {
    KeyRingStore store;
    auto a = self_signed("CN=Imported,O=IBM,C=US", false, KeyType::rsa_2048);
    std::string const key_pem = *a.key.export_private_pem_unsafe();
    ASSERT_TRUE(
        store.import_pem(nullptr, CertOwner::user("NSSD"), "Imported", a.cert.to_pem() + key_pem));
    auto const* s = store.find_certificate(CertOwner::user("NSSD"), "Imported");
    ASSERT_NE(s, nullptr);
    EXPECT_TRUE(s->has_private_key());
    EXPECT_EQ(s->certificate, a.cert);

    ASSERT_TRUE(store.import_pem(nullptr, CertOwner::certauth(), "CA only", a.cert.to_pem(),
                                 CertTrust::notrust));
    EXPECT_FALSE(store.find_certificate(CertOwner::certauth(), "CA only")->has_private_key());
    EXPECT_EQ(store.find_certificate(CertOwner::certauth(), "CA only")->trust, CertTrust::notrust);

    // A corrupt key block fails without echoing it.
    std::string bad = a.cert.to_pem() +
                      "-----BEGIN PRIVATE KEY-----\nU0VDUkVUU0VDUkVU\n-----END PRIVATE KEY-----\n";
    auto r = store.import_pem(nullptr, CertOwner::user("NSSD"), "Bad", bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message.find("U0VDUkVU"), std::string::npos);
    EXPECT_FALSE(store.import_pem(nullptr, CertOwner::user("NSSD"), "None", "garbage"));
    // Key of another certificate.
    auto b = self_signed("CN=B", false);
    EXPECT_FALSE(store.import_pem(nullptr, CertOwner::user("NSSD"), "Mismatch",
                                  a.cert.to_pem() + *b.key.export_private_pem_unsafe()));
}

TEST(KeyRingStore, TakeSerialAdvances) {
    KeyRingStore store;
    auto a = self_signed("CN=A", true);
    ASSERT_TRUE(store.add_certificate(CertOwner::certauth(), "CA", a.cert, a.key));
    EXPECT_EQ(*store.take_serial(CertOwner::certauth(), "CA"), 1u);
    EXPECT_EQ(*store.take_serial(CertOwner::certauth(), "CA"), 2u);
    EXPECT_FALSE(store.take_serial(CertOwner::certauth(), "none"));
}

}  // namespace
}  // namespace nsslab::zos

namespace nsslab::zos {
namespace {

TEST(KeyRingStore, RingConnectionsAreBounded) {
    KeyRingStore store;
    auto a = self_signed("CN=A", false);
    RingId const r = *RingId::parse("U/r");
    ASSERT_TRUE(store.add_ring(r));
    for (std::size_t i = 0; i <= keyring_connections_max; ++i) {
        std::string const label = "C" + std::to_string(i);
        ASSERT_TRUE(store.add_certificate(CertOwner::user("U"), label, a.cert, std::nullopt));
        auto c = store.connect(r, CertOwner::user("U"), label, std::nullopt, false);
        if (i < keyring_connections_max) {
            ASSERT_TRUE(c) << i;
        } else {
            ASSERT_FALSE(c);
            EXPECT_EQ(c.error().code, Errc::limit_exceeded);
        }
    }
    // Re-connecting an existing entry is still allowed at the limit.
    EXPECT_TRUE(store.connect(r, CertOwner::user("U"), "C0", std::nullopt, true));
}

}  // namespace
}  // namespace nsslab::zos
