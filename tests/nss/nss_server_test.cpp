// NssServer driven over TLS + the wire_nss codec by in-test clients: registration, SERVAUTH
// checks and their DBG0032I lines, the certificate service, remote management, listings and
// hardening (docs/nss-server.md).
#include "nsslab/nss/nss_server.hpp"

#include <gtest/gtest.h>

#include "nss_server_test_support.hpp"
#include "nsslab/crypto/signature.hpp"

namespace nsslab::nss {
namespace {

using namespace test;
using RC = wn::ResultCode;

bool contains(std::string const& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

TEST(NssServerLabel, DefaultMappedLabel) {
    EXPECT_EQ(default_mapped_label("a1s1 cert"), "A1S1_CERT");
    EXPECT_EQ(default_mapped_label("CA"), "CA");
    EXPECT_EQ(default_mapped_label("my.cert*%&x"), "MY_CERT___X");
    EXPECT_EQ(default_mapped_label("A@#$-_9"), "A@#$-_9");
    EXPECT_EQ(default_mapped_label(""), "_");
}

// ---- registration ----

TEST(NssServerRegister, PasswordGrantsBothServicesAndLogsServauthChecks) {
    Pair p;
    ConnId id = p.connect();
    ASSERT_TRUE(p.established(id));
    auto rid = p.send(id, p.register_request());
    auto reply = p.clients.at(id).reply<wn::RegisterReply>(rid);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result, RC::ok) << reply->reason;
    EXPECT_TRUE(reply->granted.cert);
    EXPECT_TRUE(reply->granted.remote_mgmt);
    EXPECT_EQ(reply->server_system_name, "SYSTEMB");
    EXPECT_EQ(reply->server_api_version, wn::api_version);
    EXPECT_EQ(reply->connection_id, 1u);
    EXPECT_TRUE(
        p.logged("DBG0032I NSS_VERBOSE ServauthCheck(A1S1 ,"
                 "EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.CERT) rc 0 (ALLOW)"));
    EXPECT_TRUE(p.logged("EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.NETMGMT) rc 0 (ALLOW)"));
    EXPECT_EQ(p.server->connection_of("SYSTEMA_STACK1"), id);
    auto infos = p.server->clients();
    ASSERT_EQ(infos.size(), 1u);
    EXPECT_EQ(infos[0].user_id, "A1S1");
    EXPECT_TRUE(infos[0].registered);
    // The password is in no event.
    for (auto const& e : p.events)
        for (auto const& f : e.fields)
            EXPECT_FALSE(contains(e.text(f.key), "A1S1PW")) << e.name;
}

TEST(NssServerRegister, PassTicketAcceptedOnceThenReplayRejected) {
    Pair p;
    auto ticket = take(zos::generate_passticket("A1S1", "NSSD", passticket_key(),
                                                zos::PassTicketType::legacy, unix_seconds(p.now)),
                       "passticket");
    auto req = p.register_request();
    req.auth_method = wn::AuthMethod::passticket;
    req.credential = ticket;
    ConnId a = p.connect();
    auto rid = p.send(a, req);
    auto reply = p.clients.at(a).reply<wn::RegisterReply>(rid);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result, RC::ok) << reply->reason;
    // Same ticket again on a second connection (another client name): replay.
    req.client_name = "SYSTEMA_STACK2";
    ConnId b = p.connect(true, 50001);
    rid = p.send(b, req);
    reply = p.clients.at(b).reply<wn::RegisterReply>(rid);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result, RC::auth_failed);
    EXPECT_FALSE(contains(reply->reason, ticket));
}

TEST(NssServerRegister, WrongPasswordIsAuthFailedWithoutTheCredentialThenClosed) {
    Pair p;
    ConnId id = p.connect();
    auto rid = p.send(id, p.register_request("SYSTEMA_STACK1", "A1S1", "WRONGPW"));
    auto reply = p.clients.at(id).reply<wn::RegisterReply>(rid);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result, RC::auth_failed);
    EXPECT_FALSE(contains(reply->reason, "WRONGPW"));
    EXPECT_FALSE(contains(reply->reason, "wrongpw"));
    EXPECT_TRUE(p.clients.at(id).closed);
    EXPECT_EQ(p.clients.at(id).end, StreamEnd::eof);
    EXPECT_EQ(p.server->connection_count(), 0u);
    EXPECT_FALSE(p.server->connection_of("SYSTEMA_STACK1").has_value());
}

TEST(NssServerRegister, RevokedUserIsRejected) {
    Pair p;
    zos::RacfUserChange revoke;
    revoke.revoke = true;
    ok(p.system.racf.alter_user("A1S1", revoke), "revoke");
    ConnId id = p.connect();
    auto rid = p.send(id, p.register_request());
    auto reply = p.clients.at(id).reply<wn::RegisterReply>(rid);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result, RC::auth_failed);
    EXPECT_TRUE(contains(reply->reason, "revoked")) << reply->reason;
}

TEST(NssServerRegister, ApiVersionMismatchKeepsConnectionWithoutServices) {
    Pair p;
    ConnId id = p.connect();
    auto req = p.register_request();
    req.client_api_version = 3;
    auto rid = p.send(id, req);
    auto reply = p.clients.at(id).reply<wn::RegisterReply>(rid);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result, RC::version_mismatch);
    EXPECT_TRUE(contains(reply->reason,
                         "EZD1904E IKED NSS client API version 3 does not match "
                         "NSS server API version 4 for stack STACK1"))
        << reply->reason;
    EXPECT_EQ(reply->server_api_version, 4u);
    EXPECT_FALSE(reply->granted.cert);
    EXPECT_FALSE(p.clients.at(id).closed);
    auto srid = p.send(id, wn::SignRequest{"a1s1 cert", wn::SignatureScheme::ecdsa_sha256, {1}});
    auto sreply = p.clients.at(id).reply<wn::SignReply>(srid);
    ASSERT_TRUE(sreply.has_value());
    EXPECT_EQ(sreply->result, RC::version_mismatch);
    // A matching registration afterwards works.
    rid = p.send(id, p.register_request());
    reply = p.clients.at(id).reply<wn::RegisterReply>(rid);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result, RC::ok) << reply->reason;
}

TEST(NssServerRegister, CertDeniedLogsDenyAndRefusesSigning) {
    Pair p;
    ok(p.system.racf.permit("SERVAUTH", "EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.CERT", {"A1S1"},
                            std::nullopt),
       "unpermit");
    ConnId id = p.connect();
    auto rid = p.send(id, p.register_request());
    auto reply = p.clients.at(id).reply<wn::RegisterReply>(rid);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result, RC::ok);
    EXPECT_FALSE(reply->granted.cert);
    EXPECT_TRUE(reply->granted.remote_mgmt);
    EXPECT_TRUE(contains(reply->cert_denial, "EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.CERT"));
    EXPECT_TRUE(
        p.logged("DBG0032I NSS_VERBOSE ServauthCheck(A1S1 ,"
                 "EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.CERT) rc 8 (DENY) racfRC 8"));
    auto srid = p.send(id, wn::SignRequest{"a1s1 cert", wn::SignatureScheme::ecdsa_sha256, {1}});
    auto sreply = p.clients.at(id).reply<wn::SignReply>(srid);
    ASSERT_TRUE(sreply.has_value());
    EXPECT_EQ(sreply->result, RC::service_not_granted);
}

TEST(NssServerRegister, NetmgmtDeniedLogsDenyAndRefusesRemoteManagement) {
    Pair p;
    ok(p.system.racf.permit("SERVAUTH", "EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.NETMGMT", {"A1S1"},
                            std::nullopt),
       "unpermit");
    ConnId id = p.connect_registered();
    auto reply = p.clients.at(id).last<wn::RegisterReply>();
    ASSERT_TRUE(reply.has_value());
    EXPECT_TRUE(reply->granted.cert);
    EXPECT_FALSE(reply->granted.remote_mgmt);
    EXPECT_FALSE(reply->remote_mgmt_denial.empty());
    EXPECT_TRUE(p.logged("EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.NETMGMT) rc 8 (DENY)"));
    auto t = p.server->request_management("OPER1", "SYSTEMA_STACK1",
                                          wn::MgmtCommand::display_filters, "", p.now);
    p.drain();
    ASSERT_EQ(p.mgmt_results.size(), 1u);
    EXPECT_EQ(p.mgmt_results[0].ticket, t);
    EXPECT_EQ(p.mgmt_results[0].result, RC::service_not_granted);
}

TEST(NssServerRegister, EveryServiceDeniedIsNotAuthorized) {
    Pair p(default_options(), /*grant_all=*/false);
    ConnId id = p.connect();
    auto rid = p.send(id, p.register_request());
    auto reply = p.clients.at(id).reply<wn::RegisterReply>(rid);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result, RC::not_authorized);
    EXPECT_FALSE(reply->granted.cert);
    EXPECT_FALSE(reply->granted.remote_mgmt);
    EXPECT_FALSE(p.server->connection_of("SYSTEMA_STACK1").has_value());
    EXPECT_FALSE(p.clients.at(id).closed);
    // "not protected" (no profile) is fail closed: SAF rc 4.
    EXPECT_TRUE(p.logged("EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.CERT) rc 4 (DENY) racfRC 4"));
}

TEST(NssServerRegister, DuplicateClientReplacesTheOldConnection) {
    Pair p;
    ConnId a = p.connect_registered("SYSTEMA_STACK1", "A1S1", "A1S1PW", 50000);
    ConnId b = p.connect_registered("SYSTEMA_STACK1", "A1S1", "A1S1PW", 50001);
    EXPECT_EQ(p.clients.at(b).last<wn::RegisterReply>()->result, RC::ok);
    EXPECT_TRUE(p.clients.at(a).closed);
    auto close = p.clients.at(a).last<wn::Close>();
    ASSERT_TRUE(close.has_value());
    EXPECT_TRUE(contains(close->reason, "replaced")) << close->reason;
    EXPECT_EQ(p.server->connection_of("SYSTEMA_STACK1"), b);
    EXPECT_EQ(p.server->connection_count(), 1u);
}

TEST(NssServerRegister, DuplicateClientRefusedWhenConfigured) {
    auto o = default_options();
    o.duplicate_client = DuplicateClientPolicy::refuse_new;
    Pair p(o);
    ConnId a = p.connect_registered("SYSTEMA_STACK1", "A1S1", "A1S1PW", 50000);
    ConnId b = p.connect_registered("SYSTEMA_STACK1", "A1S1", "A1S1PW", 50001);
    auto reply = p.clients.at(b).last<wn::RegisterReply>();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result, RC::bad_request);
    EXPECT_TRUE(contains(reply->reason, "already connected")) << reply->reason;
    EXPECT_FALSE(p.clients.at(a).closed);
    EXPECT_EQ(p.server->connection_of("SYSTEMA_STACK1"), a);
}

TEST(NssServerRegister, ServiceRequestBeforeRegistrationIsNotRegistered) {
    Pair p;
    ConnId id = p.connect();
    p.send(id, wn::CertificateRequest{"a1s1 cert", true, std::nullopt});
    auto err = p.clients.at(id).last<wn::ErrorReply>();
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->result, RC::not_registered);
    EXPECT_TRUE(err->fatal);
    EXPECT_TRUE(p.clients.at(id).closed);
}

TEST(NssServerRegister, SecondRegistrationIsOutOfStateAndFatal) {
    Pair p;
    ConnId id = p.connect_registered();
    p.send(id, p.register_request());
    auto err = p.clients.at(id).last<wn::ErrorReply>();
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->result, RC::bad_request);
    EXPECT_TRUE(err->fatal);
    EXPECT_TRUE(p.clients.at(id).closed);
}

TEST(NssServerRegister, DisciplineIpsecDisabledRefusesRegistration) {
    auto o = default_options();
    o.config.nss.ipsec_enabled = false;
    Pair p(o);
    ConnId id = p.connect();
    auto rid = p.send(id, p.register_request());
    auto reply = p.clients.at(id).reply<wn::RegisterReply>(rid);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result, RC::not_authorized);
}

// ---- certificate service: sign ----

struct SignCase {
    char const* label;
    wn::SignatureScheme scheme;
    crypto::SignatureScheme crypto_scheme;
};

class NssServerSign : public ::testing::TestWithParam<SignCase> {};

TEST_P(NssServerSign, SignsWithTheRingKeyAndTheSignatureVerifies) {
    auto const& sc = GetParam();
    Pair p;
    ConnId id = p.connect_registered();
    Bytes data = to_bytes("IKEv2 AUTH octets: IKE_SA_INIT message | Nr | prf(SK_pi, IDi')");
    auto rid = p.send(id, wn::SignRequest{sc.label, sc.scheme, data});
    auto reply = p.clients.at(id).reply<wn::SignReply>(rid);
    ASSERT_TRUE(reply.has_value());
    ASSERT_EQ(reply->result, RC::ok) << reply->reason;
    auto const& pki = Pki::get();
    crypto::Certificate const& cert = std::string(sc.label) == "a1s1 cert"  ? pki.ec_cert
                                      : std::string(sc.label) == "RSA cert" ? pki.rsa_cert
                                                                            : pki.ed_cert;
    EXPECT_TRUE(crypto::verify(cert, sc.crypto_scheme, data, reply->signature).has_value());
    data[0] ^= 1;
    EXPECT_FALSE(crypto::verify(cert, sc.crypto_scheme, data, reply->signature).has_value());
    EXPECT_TRUE(
        p.logged("EZB.NSSCERT.SYSTEMB." + default_mapped_label(sc.label) + ".HOST) rc 0 (ALLOW)"));
}

INSTANTIATE_TEST_SUITE_P(Schemes, NssServerSign,
                         ::testing::Values(SignCase{"a1s1 cert", wn::SignatureScheme::ecdsa_sha256,
                                                    crypto::SignatureScheme::ecdsa_sha256},
                                           SignCase{"RSA cert",
                                                    wn::SignatureScheme::rsa_pkcs1_sha256,
                                                    crypto::SignatureScheme::rsa_pkcs1_sha256},
                                           SignCase{"RSA cert", wn::SignatureScheme::rsa_pss_sha256,
                                                    crypto::SignatureScheme::rsa_pss_sha256},
                                           SignCase{"ED cert", wn::SignatureScheme::ed25519,
                                                    crypto::SignatureScheme::ed25519}));

TEST(NssServerSignErrors, HostDeniedUnknownLabelNoKeyAndSchemeMismatch) {
    Pair p;
    ok(p.system.racf.permit("SERVAUTH", "EZB.NSSCERT.SYSTEMB.RSA_CERT.HOST", {"A1S1"},
                            std::nullopt),
       "unpermit");
    ConnId id = p.connect_registered();
    auto sign = [&](char const* label, wn::SignatureScheme s) {
        auto rid = p.send(id, wn::SignRequest{label, s, to_bytes("x")});
        auto r = p.clients.at(id).reply<wn::SignReply>(rid);
        EXPECT_TRUE(r.has_value());
        return r.value_or(wn::SignReply{RC::internal_error, "no reply", {}});
    };
    auto denied = sign("RSA cert", wn::SignatureScheme::rsa_pkcs1_sha256);
    EXPECT_EQ(denied.result, RC::not_authorized);
    EXPECT_TRUE(denied.signature.empty());
    EXPECT_TRUE(p.logged("ServauthCheck(A1S1 ,EZB.NSSCERT.SYSTEMB.RSA_CERT.HOST) rc 8 (DENY)"));
    EXPECT_EQ(sign("no such cert", wn::SignatureScheme::ecdsa_sha256).result, RC::unknown_label);
    EXPECT_EQ(sign("NOKEY cert", wn::SignatureScheme::ecdsa_sha256).result, RC::unknown_label);
    EXPECT_EQ(sign("CA", wn::SignatureScheme::ecdsa_sha256).result, RC::unknown_label);
    EXPECT_EQ(sign("a1s1 cert", wn::SignatureScheme::rsa_pss_sha256).result, RC::bad_request);
    EXPECT_EQ(sign("ED cert", wn::SignatureScheme::ecdsa_sha256).result, RC::bad_request);
    EXPECT_FALSE(p.clients.at(id).closed);
}

TEST(NssServerSignErrors, CertProfileIsCheckedAgainBeforeEveryRequest) {
    Pair p;
    ConnId id = p.connect_registered();
    ok(p.system.racf.permit("SERVAUTH", "EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.CERT", {"A1S1"},
                            std::nullopt),
       "unpermit");
    auto rid = p.send(id, wn::SignRequest{"a1s1 cert", wn::SignatureScheme::ecdsa_sha256, {1}});
    auto r = p.clients.at(id).reply<wn::SignReply>(rid);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result, RC::not_authorized);
    EXPECT_TRUE(r->signature.empty());
}

// The connection remembers its SERVAUTH decisions while RACF is unchanged: a repeated request
// is logged again (DBG0032I) but traced once; any RACF change makes the next request ask again.
TEST(NssServerSignErrors, ServauthDecisionsAreReusedUntilRacfChanges) {
    Pair p;
    ConnId id = p.connect_registered();
    auto sign = [&] {
        auto rid = p.send(id, wn::SignRequest{"a1s1 cert", wn::SignatureScheme::ecdsa_sha256, {7}});
        auto r = p.clients.at(id).reply<wn::SignReply>(rid);
        EXPECT_TRUE(r.has_value());
        return r.value_or(wn::SignReply{RC::internal_error, "no reply", {}}).result;
    };
    std::string const host = "EZB.NSSCERT.SYSTEMB.A1S1_CERT.HOST";
    auto traced = [&](std::string const& resource) {
        std::size_t n = 0;
        for (auto const& e : p.events)
            n += e.name == "nssd.servauth" && e.text("resource") == resource ? 1 : 0;
        return n;
    };
    auto log_lines = [&](std::string const& resource) {
        std::size_t n = 0;
        for (auto const& e : p.events)
            n += e.name == "nssd.log" && contains(e.text("line"), resource) ? 1 : 0;
        return n;
    };
    EXPECT_EQ(sign(), RC::ok);
    EXPECT_EQ(sign(), RC::ok);
    EXPECT_EQ(traced(host), 1u);
    EXPECT_EQ(log_lines(host), 2u);
    // PERMIT ... DELETE in a class that is not RACLISTed takes effect at the next request.
    ok(p.system.racf.permit("SERVAUTH", host, {"A1S1"}, std::nullopt), "unpermit");
    EXPECT_EQ(sign(), RC::not_authorized);
    EXPECT_EQ(traced(host), 2u);
    ok(p.system.racf.permit("SERVAUTH", host, {"A1S1"}, zos::RacfAccess::read), "permit");
    EXPECT_EQ(sign(), RC::ok);
    EXPECT_EQ(traced(host), 3u);
}

TEST(NssServerSignErrors, CustomLabelMapperIsUsed) {
    auto o = default_options();
    o.label_mapper = [](std::string_view label) {
        return label == "a1s1 cert" ? std::string("STACK1") : default_mapped_label(label);
    };
    Pair p(o);
    p.system.permit("EZB.NSSCERT.SYSTEMB.STACK1.HOST", "A1S1");
    ConnId id = p.connect_registered();
    auto rid = p.send(id, wn::SignRequest{"a1s1 cert", wn::SignatureScheme::ecdsa_sha256, {1, 2}});
    auto r = p.clients.at(id).reply<wn::SignReply>(rid);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result, RC::ok) << r->reason;
    EXPECT_TRUE(p.logged("EZB.NSSCERT.SYSTEMB.STACK1.HOST) rc 0 (ALLOW)"));
}

// ---- certificate service: verify and retrieve ----

class NssServerVerify : public ::testing::Test {
  protected:
    Pair p;
    ConnId id{0};
    Bytes data = to_bytes("peer AUTH octets");

    void SetUp() override { id = p.connect_registered(); }

    wn::VerifyReply verify(crypto::Certificate const& leaf, Bytes signature) {
        wn::VerifyRequest req;
        req.scheme = wn::SignatureScheme::ecdsa_sha256;
        req.data = data;
        req.signature = std::move(signature);
        req.chain = {leaf.to_der()};
        auto rid = p.send(id, req);
        auto r = p.clients.at(id).reply<wn::VerifyReply>(rid);
        EXPECT_TRUE(r.has_value());
        return r.value_or(wn::VerifyReply{RC::internal_error, "no reply", {}});
    }
    Bytes peer_signature() {
        return take(crypto::sign(Pki::get().peer_key, crypto::SignatureScheme::ecdsa_sha256, data),
                    "sign");
    }
};

TEST_F(NssServerVerify, ValidSignatureAndChain) {
    auto r = verify(Pki::get().peer_cert, peer_signature());
    EXPECT_EQ(r.result, RC::ok) << r.reason;
    EXPECT_EQ(r.subject, "CN=peer.example,O=nsslab");
    EXPECT_TRUE(p.logged("EZB.NSSCERT.SYSTEMB.CA.CERTAUTH) rc 0 (ALLOW)"));
    EXPECT_TRUE(p.logged("EZB.NSSCERT.SYSTEMB.OTHER_CA.CERTAUTH) rc 8 (DENY)"));
}

TEST_F(NssServerVerify, BadSignature) {
    Bytes sig = peer_signature();
    data.push_back('!');
    auto r = verify(Pki::get().peer_cert, sig);
    EXPECT_EQ(r.result, RC::verify_failed);
    EXPECT_TRUE(contains(r.reason, "signature does not verify")) << r.reason;
}

TEST_F(NssServerVerify, ChainToACaTheUserMayNotUseIsUntrusted) {
    auto r = verify(Pki::get().untrusted_cert, peer_signature());
    EXPECT_EQ(r.result, RC::verify_failed);
    EXPECT_TRUE(contains(r.reason, "untrusted")) << r.reason;
    // Once the user may use Other CA, the same chain verifies.
    p.system.permit("EZB.NSSCERT.SYSTEMB.OTHER_CA.CERTAUTH", "A1S1");
    r = verify(Pki::get().untrusted_cert, peer_signature());
    EXPECT_EQ(r.result, RC::ok) << r.reason;
}

TEST_F(NssServerVerify, ExpiredAtNow) {
    auto r = verify(Pki::get().expired_cert, peer_signature());
    EXPECT_EQ(r.result, RC::verify_failed);
    EXPECT_TRUE(contains(r.reason, "expired")) << r.reason;
}

TEST(NssServerVerifyCrl, RevokedLeafFailsWhenACrlOfItsIssuerIsConfigured) {
    auto const& pki = Pki::get();
    crypto::CrlSpec spec;
    spec.revoked.push_back({pki.peer_cert.serial(), time_from_unix_seconds(1'790'000'000)});
    spec.this_update = time_from_unix_seconds(1'790'000'000);
    spec.next_update = time_from_unix_seconds(1'900'000'000);
    auto o = default_options();
    o.crls.push_back(take(crypto::Crl::create(spec, pki.ca, pki.ca_key), "crl"));
    Pair p(o);
    ConnId id = p.connect_registered();
    Bytes data = to_bytes("peer AUTH octets");
    wn::VerifyRequest req;
    req.data = data;
    req.signature =
        take(crypto::sign(pki.peer_key, crypto::SignatureScheme::ecdsa_sha256, data), "sign");
    req.chain = {pki.peer_cert.to_der()};
    auto rid = p.send(id, req);
    auto r = p.clients.at(id).reply<wn::VerifyReply>(rid);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result, RC::verify_failed);
    EXPECT_TRUE(contains(r->reason, "revoked")) << r->reason;
}

TEST_F(NssServerVerify, GarbageChainIsBadRequest) {
    wn::VerifyRequest req;
    req.data = data;
    req.signature = peer_signature();
    req.chain = {to_bytes("not a certificate")};
    auto rid = p.send(id, req);
    auto r = p.clients.at(id).reply<wn::VerifyReply>(rid);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result, RC::bad_request);
}

TEST_F(NssServerVerify, CertificateRequestReturnsLabelAndAllowedCas) {
    auto rid = p.send(id, wn::CertificateRequest{"a1s1 cert", true, std::nullopt});
    auto r = p.clients.at(id).reply<wn::CertificateReply>(rid);
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->result, RC::ok) << r->reason;
    ASSERT_EQ(r->certificates.size(), 2u);  // Other CA is not allowed
    EXPECT_EQ(r->certificates[0].label, "a1s1 cert");
    EXPECT_FALSE(r->certificates[0].is_ca);
    EXPECT_EQ(r->certificates[0].der, Pki::get().ec_cert.to_der());
    EXPECT_EQ(r->certificates[1].label, "CA");
    EXPECT_TRUE(r->certificates[1].is_ca);
    EXPECT_EQ(r->certificates[1].der, Pki::get().ca.to_der());

    rid = p.send(id, wn::CertificateRequest{"nope", false, std::nullopt});
    r = p.clients.at(id).reply<wn::CertificateReply>(rid);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result, RC::unknown_label);
}

// ---- certificate service: certificates by identity ----

class NssServerIdentity : public ::testing::Test {
  protected:
    Pair p;
    ConnId id{0};

    void SetUp() override {
        add_identity_certificates(p.system, *p.server_ctx, p.now);
        id = p.connect_registered();
    }

    wn::CertificateReply lookup(wn::IdentityType type, std::string value, bool include_ca = false,
                                ConnId on = 0, std::string label = {}) {
        ConnId const conn = on == 0 ? id : on;
        auto rid =
            p.send(conn, wn::CertificateRequest{std::move(label), include_ca,
                                                wn::CertificateIdentity{type, std::move(value)}});
        auto r = p.clients.at(conn).reply<wn::CertificateReply>(rid);
        EXPECT_TRUE(r.has_value());
        return r.value_or(wn::CertificateReply{RC::internal_error, "no reply", {}});
    }
    static std::vector<std::string> labels(wn::CertificateReply const& r) {
        std::vector<std::string> out;
        for (auto const& c : r.certificates)
            out.push_back(c.label + (c.is_ca ? " (CA)" : ""));
        return out;
    }
    using L = std::vector<std::string>;
};

TEST_F(NssServerIdentity, X500dnMatchesTheSubjectInKeyRingOrderWithoutDeniedCertificates) {
    auto r = lookup(wn::IdentityType::x500dn, "CN=SYSTEMA_STACK1,O=IBM,C=US");
    ASSERT_EQ(r.result, RC::ok) << r.reason;
    // STACK1 OLD matches but A1S1 has no HOST permit; STACK1 V6 has another subject (OU).
    EXPECT_EQ(labels(r), (L{"STACK1 ID", "STACK1 NEW"}));
    EXPECT_TRUE(r.reason.empty()) << r.reason;
    auto const* stack1 = p.system.rings.find_certificate(zos::CertOwner::user("NSSD"), "STACK1 ID");
    ASSERT_NE(stack1, nullptr);
    EXPECT_EQ(r.certificates[0].der, stack1->certificate.to_der());
    EXPECT_FALSE(r.certificates[0].is_ca);
    EXPECT_TRUE(p.logged("ServauthCheck(A1S1 ,EZB.NSSCERT.SYSTEMB.STACK1_OLD.HOST) rc 8 (DENY)"));
    EXPECT_TRUE(p.logged("EZB.NSSCERT.SYSTEMB.STACK1_ID.HOST) rc 0 (ALLOW)"));
    // Only the certificates that match are checked.
    EXPECT_FALSE(p.logged("EZB.NSSCERT.SYSTEMB.STACK2_ID.HOST"));

    // The DN is compared attribute by attribute: case, blanks and the separator do not matter,
    // the order and every attribute do.
    EXPECT_EQ(labels(lookup(wn::IdentityType::x500dn, " cn = systema_stack1 , o=ibm;c=us ")),
              (L{"STACK1 ID", "STACK1 NEW"}));
    EXPECT_EQ(labels(lookup(wn::IdentityType::x500dn, "CN=SYSTEMA_STACK1,OU=Backup,O=IBM,C=US")),
              (L{"STACK1 V6"}));
    EXPECT_EQ(lookup(wn::IdentityType::x500dn, "C=US,O=IBM,CN=SYSTEMA_STACK1").result,
              RC::unknown_label);
    EXPECT_EQ(lookup(wn::IdentityType::x500dn, "CN=SYSTEMA_STACK1,O=IBM").result,
              RC::unknown_label);
}

TEST_F(NssServerIdentity, AddressesNamesAndMailboxesMatchTheSubjectAltName) {
    EXPECT_EQ(labels(lookup(wn::IdentityType::ipv4_addr, "10.1.1.1")),
              (L{"STACK1 ID", "STACK1 NEW"}));
    EXPECT_EQ(labels(lookup(wn::IdentityType::ipv6_addr, "2001:DB8:0::1")), (L{"STACK1 V6"}));
    EXPECT_EQ(labels(lookup(wn::IdentityType::fqdn, "Stack1.SystemA.Example")),
              (L{"STACK1 ID", "STACK1 NEW"}));
    EXPECT_EQ(labels(lookup(wn::IdentityType::fqdn, "backup.systema.example")), (L{"STACK1 V6"}));
    // Only STACK1 OLD (denied) and STACK1 ID carry the mailbox.
    EXPECT_EQ(labels(lookup(wn::IdentityType::user_fqdn, "IKE@systema.example")), (L{"STACK1 ID"}));
    // The subject CN is not a dNSName.
    EXPECT_EQ(lookup(wn::IdentityType::fqdn, "SYSTEMA_STACK1").result, RC::unknown_label);
    // Every lookup signs with the returned label.
    auto r = lookup(wn::IdentityType::ipv4_addr, "10.1.1.1");
    ASSERT_FALSE(r.certificates.empty());
    auto rid = p.send(id, wn::SignRequest{r.certificates[0].label,
                                          wn::SignatureScheme::ecdsa_sha256, to_bytes("AUTH")});
    auto signed_reply = p.clients.at(id).reply<wn::SignReply>(rid);
    ASSERT_TRUE(signed_reply.has_value());
    EXPECT_EQ(signed_reply->result, RC::ok) << signed_reply->reason;
}

TEST_F(NssServerIdentity, EveryMatchDeniedIsNotAuthorizedNoMatchIsUnknownLabel) {
    auto denied = lookup(wn::IdentityType::ipv4_addr, "10.1.1.2");  // STACK2 ID: A2S1's
    EXPECT_EQ(denied.result, RC::not_authorized);
    EXPECT_TRUE(denied.certificates.empty());
    EXPECT_TRUE(contains(denied.reason, "A1S1 is not authorized")) << denied.reason;
    EXPECT_TRUE(contains(denied.reason, "ipv4_addr '10.1.1.2'")) << denied.reason;
    EXPECT_TRUE(contains(denied.reason, "EZB.NSSCERT.SYSTEMB.STACK2_ID.HOST")) << denied.reason;

    auto none = lookup(wn::IdentityType::fqdn, "nothere.example", true);
    EXPECT_EQ(none.result, RC::unknown_label);
    EXPECT_TRUE(none.certificates.empty());  // no CA certificates either
    EXPECT_EQ(none.reason,
              "no personal certificate on key ring NSSD/NSSRING matches identity fqdn "
              "'nothere.example'");
    // A matching certificate without a private key cannot sign: it is not returned.
    auto nokey = lookup(wn::IdentityType::x500dn, "CN=SYSTEMA_NOKEY,O=nsslab");
    EXPECT_EQ(nokey.result, RC::unknown_label);
    EXPECT_TRUE(contains(nokey.reason, "(1 matching without a private key)")) << nokey.reason;
    // A long identity is quoted in part: the reason still fits a reply.
    auto long_value = lookup(wn::IdentityType::fqdn, std::string(wn::max_text_size, 'x'));
    EXPECT_EQ(long_value.result, RC::unknown_label);
    EXPECT_LT(long_value.reason.size(), 512u);
    EXPECT_TRUE(contains(long_value.reason, "... (4096 octets)'")) << long_value.reason;
    auto long_dn = lookup(wn::IdentityType::x500dn, "CN=" + std::string(4000, 'x') + ",,O=a");
    EXPECT_EQ(long_dn.result, RC::bad_request);
    EXPECT_LT(long_dn.reason.size(), 1024u);
    // CERTAUTH certificates are never personal ones.
    EXPECT_EQ(lookup(wn::IdentityType::x500dn, "CN=NSS Test CA,O=nsslab").result,
              RC::unknown_label);
    EXPECT_FALSE(p.clients.at(id).closed);
}

TEST_F(NssServerIdentity, AnotherUserGetsItsOwnCertificates) {
    ConnId other = p.connect_registered("SYSTEMA_STACK2", "A2S1", "A2S1PW", 50001);
    EXPECT_EQ(labels(lookup(wn::IdentityType::ipv4_addr, "10.1.1.2", false, other)),
              (L{"STACK2 ID"}));
    EXPECT_EQ(lookup(wn::IdentityType::ipv4_addr, "10.1.1.1", false, other).result,
              RC::not_authorized);
}

TEST_F(NssServerIdentity, IncludeCaAddsTheCaCertificatesTheUserMayAdvertise) {
    auto r = lookup(wn::IdentityType::user_fqdn, "ike@systema.example", true);
    ASSERT_EQ(r.result, RC::ok) << r.reason;
    EXPECT_EQ(labels(r), (L{"STACK1 ID", "CA (CA)"}));  // Other CA is not allowed
    EXPECT_EQ(r.certificates[1].der, Pki::get().ca.to_der());
}

TEST_F(NssServerIdentity, MalformedIdentitiesAreBadRequests) {
    struct Case {
        wn::IdentityType type;
        std::string value;
        std::string label;
        std::string reason_part;
    };
    std::vector<Case> const cases = {
        {wn::IdentityType::ipv4_addr, "10.1.1.1", "STACK1 ID", "a label or an identity, not both"},
        {wn::IdentityType::ipv4_addr, "10.1.1", "", "ipv4_addr '10.1.1' is not an IPv4 address"},
        {wn::IdentityType::ipv4_addr, "2001:db8::1", "", "is not an IPv4 address"},
        {wn::IdentityType::ipv6_addr, "10.1.1.1", "", "is not an IPv6 address"},
        {wn::IdentityType::x500dn, "SYSTEMA_STACK1", "", "is not a distinguished name"},
        {wn::IdentityType::x500dn, "CN=A+OU=B", "", "is not a distinguished name"},
        {wn::IdentityType::fqdn, "  ", "", "fqdn '  ' is empty"},
    };
    for (auto const& c : cases) {
        auto r = lookup(c.type, c.value, true, 0, c.label);
        EXPECT_EQ(r.result, RC::bad_request) << c.value;
        EXPECT_TRUE(r.certificates.empty());
        EXPECT_TRUE(contains(r.reason, c.reason_part)) << r.reason;
    }
    EXPECT_FALSE(p.clients.at(id).closed);
}

TEST_F(NssServerIdentity, TraceEventNamesTheIdentity) {
    auto last_certificates_event = [&]() -> Event const* {
        for (auto e = p.events.rbegin(); e != p.events.rend(); ++e)
            if (e->name == "nssd.certificates")
                return &*e;
        return nullptr;
    };
    lookup(wn::IdentityType::ipv4_addr, "10.1.1.1", true);
    Event const* ev = last_certificates_event();
    ASSERT_NE(ev, nullptr);
    EXPECT_EQ(ev->text("client"), "SYSTEMA_STACK1");
    EXPECT_EQ(ev->text("user"), "A1S1");
    EXPECT_EQ(ev->text("label"), "");
    EXPECT_EQ(ev->text("identity_type"), "ipv4_addr");
    EXPECT_EQ(ev->text("identity"), "10.1.1.1");
    EXPECT_EQ(ev->text("result"), "ok");
    EXPECT_EQ(ev->text("count"), "3");
    // A request by label keeps its event shape (no identity fields).
    auto rid = p.send(id, wn::CertificateRequest{"STACK1 ID", false, std::nullopt});
    ASSERT_TRUE(p.clients.at(id).reply<wn::CertificateReply>(rid).has_value());
    Event const* by_label = last_certificates_event();
    ASSERT_NE(by_label, nullptr);
    EXPECT_EQ(by_label->text("label"), "STACK1 ID");
    EXPECT_EQ(by_label->find("identity"), nullptr);
    EXPECT_EQ(by_label->find("identity_type"), nullptr);
}

// ---- remote management ----

TEST(NssServerMgmt, DisplayRoutedToTheClientAndAnswered) {
    Pair p;
    ConnId id = p.connect_registered();
    auto t = p.server->request_management("OPER1", "SYSTEMA_STACK1",
                                          wn::MgmtCommand::display_filters, "", p.now);
    p.drain();
    EXPECT_TRUE(p.mgmt_results.empty());
    auto& c = p.clients.at(id);
    std::optional<wn::Message> req;
    for (auto const& m : c.received)
        if (std::holds_alternative<wn::MgmtRequest>(m.body))
            req = m;
    ASSERT_TRUE(req.has_value());
    EXPECT_GE(req->request_id, mgmt_request_id_first);
    auto const& mr = std::get<wn::MgmtRequest>(req->body);
    EXPECT_EQ(mr.command, wn::MgmtCommand::display_filters);
    EXPECT_EQ(mr.requester, "OPER1");
    EXPECT_TRUE(
        p.logged("ServauthCheck(OPER1 ,EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK1.IPSEC.DISPLAY) "
                 "rc 0 (ALLOW)"));
    p.send(id, wn::MgmtReply{RC::ok, {}, {"FilterName: SYSDEFAULTRULE.1", "Source: Stack Policy"}},
           req->request_id);
    ASSERT_EQ(p.mgmt_results.size(), 1u);
    EXPECT_EQ(p.mgmt_results[0].ticket, t);
    EXPECT_EQ(p.mgmt_results[0].result, RC::ok);
    EXPECT_EQ(p.mgmt_results[0].lines.size(), 2u);
    EXPECT_FALSE(p.mgmt_results[0].timed_out);
}

TEST(NssServerMgmt, ClientNotConnectedIsEnxio) {
    Pair p;
    p.server->request_management("OPER1", "SYSTEMA_STACK1", wn::MgmtCommand::display_ike_sas, "",
                                 p.now);
    p.drain();
    ASSERT_EQ(p.mgmt_results.size(), 1u);
    EXPECT_EQ(p.mgmt_results[0].result, RC::client_not_connected);
    EXPECT_TRUE(contains(p.mgmt_results[0].reason, "ENXIO")) << p.mgmt_results[0].reason;
}

TEST(NssServerMgmt, DisplayAndControlProfilesAreChecked) {
    Pair p;
    ConnId id = p.connect_registered();
    // OPER2 may display but not control.
    p.server->request_management("OPER2", "SYSTEMA_STACK1", wn::MgmtCommand::policy_default, "",
                                 p.now);
    // A2S1 may do neither.
    p.server->request_management("A2S1", "SYSTEMA_STACK1", wn::MgmtCommand::display_ipsec_sas, "",
                                 p.now);
    p.drain();
    ASSERT_EQ(p.mgmt_results.size(), 2u);
    EXPECT_EQ(p.mgmt_results[0].result, RC::not_authorized);
    EXPECT_TRUE(contains(p.mgmt_results[0].reason, "IPSEC.CONTROL"));
    EXPECT_EQ(p.mgmt_results[1].result, RC::not_authorized);
    EXPECT_TRUE(
        p.logged("ServauthCheck(OPER2 ,EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK1.IPSEC.CONTROL) "
                 "rc 8 (DENY)"));
    EXPECT_TRUE(
        p.logged("ServauthCheck(A2S1 ,EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK1.IPSEC.DISPLAY) "
                 "rc 8 (DENY)"));
    for (auto const& m : p.clients.at(id).received)
        EXPECT_FALSE(std::holds_alternative<wn::MgmtRequest>(m.body));
    // OPER1 may control.
    p.server->request_management("OPER1", "SYSTEMA_STACK1", wn::MgmtCommand::policy_default, "",
                                 p.now);
    p.drain();
    EXPECT_TRUE(p.clients.at(id).last<wn::MgmtRequest>().has_value());
}

TEST(NssServerMgmt, NoReplyTimesOutAndDisconnectCompletesWithEnxio) {
    Pair p;
    ConnId id = p.connect_registered();
    auto t1 = p.server->request_management("OPER1", "SYSTEMA_STACK1",
                                           wn::MgmtCommand::display_filters, "", p.now);
    p.drain();
    ASSERT_TRUE(p.server->next_timeout().has_value());
    p.advance(std::chrono::seconds{29});
    EXPECT_TRUE(p.mgmt_results.empty());
    p.send(id, wn::Keepalive{});  // keeps the connection alive
    p.advance(std::chrono::seconds{2});
    ASSERT_EQ(p.mgmt_results.size(), 1u);
    EXPECT_EQ(p.mgmt_results[0].ticket, t1);
    EXPECT_TRUE(p.mgmt_results[0].timed_out);

    auto t2 = p.server->request_management("OPER1", "SYSTEMA_STACK1", wn::MgmtCommand::refresh_sa,
                                           "5", p.now);
    p.drain();
    p.server->handle_closed(id, StreamEnd::eof, p.now);
    p.drain();
    ASSERT_EQ(p.mgmt_results.size(), 2u);
    EXPECT_EQ(p.mgmt_results[1].ticket, t2);
    EXPECT_EQ(p.mgmt_results[1].result, RC::client_not_connected);
}

TEST(NssServerMgmt, NssctlAndIpsecXListingsCheckNssDisplay) {
    Pair p;
    p.connect_registered();
    auto lines = p.server->nssctl_display("OPER1", "", p.now);
    ASSERT_TRUE(lines.has_value()) << lines.error().what();
    std::string all;
    for (auto const& l : *lines)
        all += l + "\n";
    EXPECT_TRUE(contains(all, "ClientName: SYSTEMA_STACK1")) << all;
    EXPECT_TRUE(contains(all, "UserID: A1S1")) << all;
    EXPECT_TRUE(contains(all, "ClientIPAddress: 10.1.1.1  ClientPort: 50000")) << all;
    EXPECT_TRUE(contains(all, "CertificateService: Yes")) << all;
    EXPECT_TRUE(contains(all, "TimeConnected: 2027/01/15")) << all;
    auto x = p.server->ipsec_client_display("OPER1", p.now);
    ASSERT_TRUE(x.has_value());
    EXPECT_EQ((*x)[2], "Source: NSSD  Scope: n/a  TotAvail: 1");
    auto denied = p.server->nssctl_display("OPER2", "", p.now);
    ASSERT_FALSE(denied.has_value());
    EXPECT_EQ(denied.error().code, Errc::permission_denied);
    EXPECT_FALSE(p.server->ipsec_client_display("OPER2", p.now).has_value());
    auto one = p.server->nssctl_display("OPER1", "NOSUCH", p.now);
    ASSERT_FALSE(one.has_value());
    EXPECT_EQ(one.error().code, Errc::not_found);
}

// ---- hardening ----

TEST(NssServerHardening, PlainTcpClientIsClosedWithDbg0104i) {
    Pair p;
    ConnId id = p.connect(/*use_tls=*/false);
    p.send_raw(id, as_bytes("REGISTER A1S1 A1S1PW\r\n"));
    EXPECT_TRUE(p.clients.at(id).closed);
    EXPECT_TRUE(
        p.logged("DBG0104I NSS_LIFECYCLE NSS connID 1 - the connection is not secure - "
                 "the connection will be closed"));
    EXPECT_EQ(p.server->connection_count(), 0u);
}

TEST(NssServerHardening, TlsHandshakeFailureClosesOnlyThatConnection) {
    Pair p;
    ConnId good = p.connect_registered("SYSTEMA_STACK1", "A1S1", "A1S1PW", 50000);
    // A client that does not trust the server's CA aborts the handshake with an alert.
    auto cfg = p.client_tls_config();
    cfg.trust_anchors_pem = Pki::get().other_ca.to_pem();
    ConnId id = p.connect_with(cfg, 50001);
    EXPECT_EQ(p.clients.at(id).tls->state(), tls::Channel::State::failed);
    EXPECT_TRUE(p.clients.at(id).closed);
    EXPECT_EQ(p.count_events("nssd.tls.failed"), 1u);
    EXPECT_FALSE(p.clients.at(good).closed);
    auto rid = p.send(good, wn::SignRequest{"a1s1 cert", wn::SignatureScheme::ecdsa_sha256, {1}});
    EXPECT_EQ(p.clients.at(good).reply<wn::SignReply>(rid)->result, RC::ok);
}

TEST(NssServerHardening, Dbg0104iNeedsSyslogLevel8) {
    auto o = default_options();
    o.config.nss.syslog_level = syslog_verbose;
    Pair p(o);
    ConnId id = p.connect(false);
    p.send_raw(id, as_bytes("hello"));
    EXPECT_TRUE(p.clients.at(id).closed);
    EXPECT_FALSE(p.logged("DBG0104I"));
    EXPECT_EQ(p.count_events("nssd.tls.failed"), 1u);
}

TEST(NssServerHardening, GarbageFrameClosesOnlyThatConnection) {
    Pair p;
    ConnId good = p.connect_registered("SYSTEMA_STACK1", "A1S1", "A1S1PW", 50000);
    ConnId bad = p.connect(true, 50001);
    p.send_raw(bad, as_bytes("GET / HTTP/1.1\r\nHost: nssd\r\n\r\n"));
    auto err = p.clients.at(bad).last<wn::ErrorReply>();
    ASSERT_TRUE(err.has_value());
    EXPECT_TRUE(err->fatal);
    EXPECT_EQ(err->result, RC::bad_request);
    EXPECT_TRUE(p.clients.at(bad).closed);
    EXPECT_FALSE(p.clients.at(good).closed);
    auto rid = p.send(good, wn::SignRequest{"a1s1 cert", wn::SignatureScheme::ecdsa_sha256, {7}});
    auto r = p.clients.at(good).reply<wn::SignReply>(rid);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result, RC::ok);
}

TEST(NssServerHardening, UnknownMessageTypeIsAnsweredButNotFatal) {
    Pair p;
    ConnId id = p.connect_registered();
    Bytes frame = {0x4E, 0x53, wn::protocol_version, 0x77, 0, 0, 0, 42, 0, 0, 0, 0};
    p.send_raw(id, frame);
    auto err = p.clients.at(id).last<wn::ErrorReply>();
    ASSERT_TRUE(err.has_value());
    EXPECT_FALSE(err->fatal);
    EXPECT_FALSE(p.clients.at(id).closed);
    auto rid = p.send(id, wn::SignRequest{"a1s1 cert", wn::SignatureScheme::ecdsa_sha256, {1}});
    EXPECT_EQ(p.clients.at(id).reply<wn::SignReply>(rid)->result, RC::ok);
}

TEST(NssServerHardening, MgmtReplyToNothingIsFatal) {
    Pair p;
    ConnId id = p.connect_registered();
    p.send(id, wn::MgmtReply{RC::ok, {}, {}}, 7);
    auto err = p.clients.at(id).last<wn::ErrorReply>();
    ASSERT_TRUE(err.has_value());
    EXPECT_TRUE(err->fatal);
    EXPECT_TRUE(p.clients.at(id).closed);
}

TEST(NssServerHardening, OversizedFrameIsRejectedBeforeTheBody) {
    auto o = default_options();
    o.limits.frame_body_max = 1024;
    Pair p(o);
    ConnId id = p.connect_registered();
    Bytes frame = wn::encode(wn::Message{
        9, wn::SignRequest{"a1s1 cert", wn::SignatureScheme::ecdsa_sha256, Bytes(4096, 0x55)}});
    p.send_raw(id, ByteView(frame).first(wn::header_size));
    auto err = p.clients.at(id).last<wn::ErrorReply>();
    ASSERT_TRUE(err.has_value());
    EXPECT_TRUE(err->fatal);
    EXPECT_TRUE(p.clients.at(id).closed);
}

TEST(NssServerHardening, UnexpectedMessageTypeIsFatal) {
    Pair p;
    ConnId id = p.connect_registered();
    p.send(id, wn::SignReply{RC::ok, {}, {1, 2, 3}});
    auto err = p.clients.at(id).last<wn::ErrorReply>();
    ASSERT_TRUE(err.has_value());
    EXPECT_TRUE(err->fatal);
    EXPECT_TRUE(contains(err->reason, "sign_reply")) << err->reason;
    EXPECT_TRUE(p.clients.at(id).closed);
}

TEST(NssServerHardening, FloodBeyondTheOutstandingBoundGetsBusy) {
    auto o = default_options();
    o.limits.outstanding_per_connection_max = 8;
    Pair p(o);
    ConnId id = p.connect_registered();
    Bytes burst;
    for (std::uint32_t i = 0; i < 40; ++i) {
        Bytes f =
            wn::encode(wn::Message{1000 + i, wn::SignRequest{"a1s1 cert",
                                                             wn::SignatureScheme::ecdsa_sha256,
                                                             {static_cast<std::uint8_t>(i)}}});
        burst.insert(burst.end(), f.begin(), f.end());
    }
    p.send_raw(id, burst);
    std::size_t ok_count = 0, busy = 0;
    for (auto const& m : p.clients.at(id).received) {
        if (auto const* r = std::get_if<wn::SignReply>(&m.body)) {
            ok_count += r->result == RC::ok ? 1 : 0;
            busy += r->result == RC::busy ? 1 : 0;
        }
    }
    EXPECT_EQ(ok_count + busy, 40u);
    EXPECT_GE(ok_count, 8u);
    EXPECT_GT(busy, 0u);
    EXPECT_FALSE(p.clients.at(id).closed);
    EXPECT_EQ(p.count_events("nssd.busy"), busy);
    // The connection still works afterwards.
    auto rid = p.send(id, wn::SignRequest{"a1s1 cert", wn::SignatureScheme::ecdsa_sha256, {1}});
    EXPECT_EQ(p.clients.at(id).reply<wn::SignReply>(rid)->result, RC::ok);
}

TEST(NssServerHardening, ServiceTimeQueuesSignaturesUntilTheirDeadline) {
    auto o = default_options();
    o.limits.service_time = std::chrono::milliseconds{5};
    Pair p(o);
    ConnId id = p.connect_registered();
    auto rid = p.send(id, wn::SignRequest{"a1s1 cert", wn::SignatureScheme::ecdsa_sha256, {1}});
    EXPECT_FALSE(p.clients.at(id).reply<wn::SignReply>(rid).has_value());
    auto deadline = p.server->next_timeout();
    ASSERT_TRUE(deadline.has_value());
    EXPECT_EQ(*deadline, p.now + std::chrono::milliseconds{5});
    p.advance(std::chrono::milliseconds{5});
    ASSERT_TRUE(p.clients.at(id).reply<wn::SignReply>(rid).has_value());
}

// sign_jobs_max: the signatures leave the core as SignJobs (for the daemon's worker threads);
// each reply goes out when its job completes, in the order of completion, and the queue waits
// while the bound of jobs is out.
TEST(NssServerSignJobs, SignaturesAreHandedOutAndAnsweredOnCompletion) {
    auto o = default_options();
    o.limits.sign_jobs_max = 2;
    Pair p(o);
    ConnId id = p.connect_registered();
    auto& jobs = p.link->server_outputs.requests;
    std::vector<std::uint32_t> rids;
    for (std::uint8_t i = 0; i < 3; ++i)
        rids.push_back(p.send(
            id, wn::SignRequest{"a1s1 cert", wn::SignatureScheme::ecdsa_sha256, Bytes{i, i, i}}));
    ASSERT_EQ(jobs.size(), 2u);  // the third waits in the queue
    EXPECT_EQ(jobs[0].data, (Bytes{0, 0, 0}));
    EXPECT_EQ(jobs[1].data, (Bytes{1, 1, 1}));
    for (auto rid : rids)
        EXPECT_FALSE(p.clients.at(id).reply<wn::SignReply>(rid).has_value());

    SignJob second = jobs[1];
    p.server->complete_request(second.id, second.run(), p.now);
    p.drain();
    auto reply = p.clients.at(id).reply<wn::SignReply>(rids[1]);
    ASSERT_TRUE(reply.has_value());
    ASSERT_EQ(reply->result, RC::ok) << reply->reason;
    EXPECT_TRUE(crypto::verify(Pki::get().ec_cert, crypto::SignatureScheme::ecdsa_sha256,
                               Bytes{1, 1, 1}, reply->signature)
                    .has_value());
    EXPECT_FALSE(p.clients.at(id).reply<wn::SignReply>(rids[0]).has_value());
    ASSERT_EQ(jobs.size(), 3u);  // a job was free: the third request went out
    EXPECT_EQ(jobs[2].data, (Bytes{2, 2, 2}));

    // A failed job is answered crypto_error.
    p.server->complete_request(jobs[0].id, fail(Errc::crypto_error, "worker"), p.now);
    p.server->complete_request(jobs[2].id, jobs[2].run(), p.now);
    p.drain();
    reply = p.clients.at(id).reply<wn::SignReply>(rids[0]);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result, RC::crypto_error);
    reply = p.clients.at(id).reply<wn::SignReply>(rids[2]);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result, RC::ok) << reply->reason;
    EXPECT_EQ(p.count_events("nssd.sign"), 3u);
}

// A job whose connection closed meanwhile is still completed; its signature is dropped.
TEST(NssServerSignJobs, AJobOutlivingItsConnectionIsDropped) {
    auto o = default_options();
    o.limits.sign_jobs_max = 4;
    Pair p(o);
    ConnId id = p.connect_registered();
    p.send(id, wn::SignRequest{"a1s1 cert", wn::SignatureScheme::ecdsa_sha256, {7}});
    auto& jobs = p.link->server_outputs.requests;
    ASSERT_EQ(jobs.size(), 1u);
    p.raw->abort(id, p.now);
    p.drain();
    EXPECT_EQ(p.server->connection_count(), 0u);
    p.server->complete_request(jobs[0].id, jobs[0].run(), p.now);
    p.drain();
    ASSERT_EQ(p.count_events("nssd.sign"), 1u);
    for (auto const& e : p.events) {
        if (e.name == "nssd.sign") {
            EXPECT_EQ(e.text("result"), "dropped");
        }
    }
}

// handshake_time and register_time: one simulated CPU, first come first served. Two clients
// connecting at once finish their handshakes 20 ms and 40 ms later; a registration then costs
// 5 ms, and a plain-TCP client is not charged a handshake.
TEST(NssServerHardening, HandshakeAndRegisterTimeAreChargedOnOneCpu) {
    auto o = default_options();
    o.limits.handshake_time = std::chrono::milliseconds{20};
    o.limits.register_time = std::chrono::milliseconds{5};
    Pair p(o);
    TimePoint const t0 = p.now;
    ConnId a = p.connect();
    ConnId b = p.connect(true, 50001);
    EXPECT_FALSE(p.established(a));
    EXPECT_FALSE(p.established(b));
    ASSERT_EQ(p.server->next_timeout(), t0 + std::chrono::milliseconds{20});
    p.advance(std::chrono::milliseconds{20});
    EXPECT_TRUE(p.established(a));
    EXPECT_FALSE(p.established(b));
    p.advance(std::chrono::milliseconds{20});
    EXPECT_TRUE(p.established(b));
    auto rid = p.send(a, p.register_request());
    EXPECT_FALSE(p.clients.at(a).reply<wn::RegisterReply>(rid).has_value());
    ASSERT_EQ(p.server->next_timeout(), t0 + std::chrono::milliseconds{45});
    p.advance(std::chrono::milliseconds{5});
    auto reply = p.clients.at(a).reply<wn::RegisterReply>(rid);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result, RC::ok) << reply->reason;
    // Not TLS: rejected at once, no CPU charged (nothing waits in the server).
    ConnId plain = p.connect(false, 50002);
    p.send_raw(plain, to_bytes("GET / HTTP/1.0\r\n\r\n"));
    EXPECT_TRUE(p.clients.at(plain).closed);
}

// A client that keeps sending while its handshake waits for the CPU is bounded.
TEST(NssServerHardening, BytesHeldDuringAChargedHandshakeAreBounded) {
    auto o = default_options();
    o.limits.handshake_time = std::chrono::milliseconds{20};
    Pair p(o);
    ConnId a = p.connect();
    ConnId b = p.connect(true, 50001);  // waits behind a
    ASSERT_FALSE(p.established(b));
    p.server->handle_received(b, Bytes(70 * 1024, 0x17), p.now);  // on the wire, not TLS
    p.drain();
    EXPECT_TRUE(p.clients.at(b).closed);
    EXPECT_FALSE(p.clients.at(a).closed);
    p.advance(std::chrono::milliseconds{20});
    EXPECT_TRUE(p.established(a));
}

TEST(NssServerHardening, ClientStalledMidFrameIsClosedByTheFrameTimeout) {
    Pair p;
    ConnId stalled = p.connect_registered("SYSTEMA_STACK1", "A1S1", "A1S1PW", 50000);
    Bytes frame = wn::encode(wn::Message{5, wn::Keepalive{}});
    p.send_raw(stalled, ByteView(frame).first(5));
    p.advance(std::chrono::seconds{29});
    EXPECT_FALSE(p.clients.at(stalled).closed);
    p.advance(std::chrono::seconds{1});
    EXPECT_TRUE(p.clients.at(stalled).closed);
    auto err = p.clients.at(stalled).last<wn::ErrorReply>();
    ASSERT_TRUE(err.has_value());
    EXPECT_TRUE(contains(err->reason, "middle of a frame")) << err->reason;
}

TEST(NssServerHardening, KeepaliveIsAckedAndIdleConnectionsClose) {
    auto o = default_options();
    o.limits.idle_timeout = std::chrono::seconds{100};
    Pair p(o);
    ConnId id = p.connect_registered();
    auto rid = p.send(id, wn::Keepalive{});
    bool acked = false;
    for (auto const& m : p.clients.at(id).received)
        acked |= m.request_id == rid && std::holds_alternative<wn::KeepaliveAck>(m.body);
    EXPECT_TRUE(acked);
    p.advance(std::chrono::seconds{100});
    EXPECT_TRUE(p.clients.at(id).closed);
    EXPECT_TRUE(p.clients.at(id).last<wn::Close>().has_value());
}

TEST(NssServerHardening, NoServerCertificateFailsEveryHandshake) {
    auto o = default_options();
    o.tls.certificate_label = "missing label";
    Pair p(o);
    ConnId id = p.connect();
    EXPECT_TRUE(p.clients.at(id).closed);
    EXPECT_EQ(p.clients.at(id).end, StreamEnd::reset);
    ASSERT_EQ(p.count_events("nssd.tls.failed"), 1u);
    EXPECT_EQ(p.server->connection_count(), 0u);
}

TEST(NssServerHardening, ConnectionLimit) {
    auto o = default_options();
    o.limits.connections_max = 2;
    Pair p(o);
    p.connect(true, 50000);
    p.connect(true, 50001);
    ConnId third = p.connect(true, 50002);
    EXPECT_TRUE(p.clients.at(third).closed);
    EXPECT_EQ(p.server->connection_count(), 2u);
    EXPECT_EQ(p.count_events("nssd.conn.refused"), 1u);
}

TEST(NssServerHardening, ClientCloseIsOrderly) {
    Pair p;
    ConnId id = p.connect_registered();
    p.send(id, wn::Close{"IKED shutting down"});
    EXPECT_TRUE(p.clients.at(id).closed);
    EXPECT_EQ(p.clients.at(id).end, StreamEnd::eof);
    EXPECT_FALSE(p.server->connection_of("SYSTEMA_STACK1").has_value());
}

}  // namespace
}  // namespace nsslab::nss

namespace nsslab::nss {
namespace {

using namespace test;

// DESIGN.md §4: the same inputs and seeds give the same bytes on the wire. (The test keys live
// in one shared LibContext whose stream advances between runs, so the session uses the
// deterministic schemes Ed25519 and RSA PKCS#1 v1.5; TLS draws from the per-run contexts.)
Bytes run_scripted_session() {
    Pair p;
    ConnId id = p.connect_registered();
    p.send(id, wn::SignRequest{"ED cert", wn::SignatureScheme::ed25519, {1, 2, 3}});
    p.send(id, wn::SignRequest{"RSA cert", wn::SignatureScheme::rsa_pkcs1_sha256, {4, 5, 6}});
    p.server->request_management("OPER1", "SYSTEMA_STACK1", wn::MgmtCommand::display_filters, "",
                                 p.now);
    p.drain();
    p.send(id, wn::Close{"done"});
    return p.clients.at(id).raw_received;
}

TEST(NssServerDeterminism, SameSeedsGiveTheSameCiphertext) {
    Bytes a = run_scripted_session();
    Bytes b = run_scripted_session();
    EXPECT_GT(a.size(), 1000u);
    EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace nsslab::nss
