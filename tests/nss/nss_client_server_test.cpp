// NssClient (IKED) against the real NssServer core (NSSD) on SYSTEMB's RACF and key ring
// (tests/nss/nss_server_test_support.hpp), joined by the in-memory pair driver
// (core::StreamPair) on virtual time: TLS, registration, the certificate service and remote
// management end to end.
#include <gtest/gtest.h>

#include "nss_server_test_support.hpp"
#include "nsslab/core/pair.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/nss/certificate_identity.hpp"
#include "nsslab/nss/nss_client.hpp"
#include "nsslab/zos/racdcert.hpp"
#include "nsslab/zos/racf_script.hpp"

namespace nsslab::nss {
namespace {

namespace wn = wire_nss;
using namespace std::chrono_literals;
using test::Pki;
using test::SystemB;
using RC = wn::ResultCode;

Endpoint const server_ep{IpAddress::parse("10.0.0.5").value(), 4159};

struct Stub final : ManagedStack {
    std::vector<wn::MgmtRequest> seen;
    wn::MgmtReply execute(wn::MgmtRequest const& request, TimePoint) override {
        seen.push_back(request);
        wn::MgmtReply r;
        r.lines = {"command " + std::string(wn::to_string(request.command))};
        return r;
    }
};

using Link = core::StreamPair<NssClient, NssServer>;

struct EndToEnd {
    SystemB system;
    std::unique_ptr<crypto::LibContext> server_ctx =
        crypto::LibContext::deterministic(1, "SYSTEMB").value();
    std::unique_ptr<crypto::LibContext> client_ctx =
        crypto::LibContext::deterministic(1, "SYSTEMA").value();
    std::unique_ptr<NssServer> server;
    std::unique_ptr<NssClient> client;
    std::unique_ptr<Link> link;
    TimePoint now{test::t0()};

    explicit EndToEnd(zos::NssStackConfig stack, NssClientOptions options = {},
                      std::string trust_pem = Pki::get().ca.to_pem()) {
        server = std::make_unique<NssServer>(test::default_options(), system.racf, system.rings,
                                             *server_ctx);
        make_client(std::move(stack), std::move(options), std::move(trust_pem));
    }

    void make_client(zos::NssStackConfig stack, NssClientOptions options, std::string trust_pem) {
        zos::IkeConfig ike;
        zos::NssServerConfig primary;
        primary.host = "10.0.0.5";
        primary.address = server_ep.address;
        ike.network_security_server = primary;
        ClientTlsPolicy tls;
        tls.trust_anchors_pem = std::move(trust_pem);
        link.reset();
        client =
            NssClient::create(ike, stack, "SYSTEMA", tls, *client_ctx, std::move(options)).value();
        link = std::make_unique<Link>(
            *client, *server,
            Link::Options{server_ep, IpAddress::parse("10.1.1.1").value(), 50123, true});
    }

    void pump() { link->pump(now); }
    std::vector<Event> const& client_events() const { return link->client_outputs.events; }
    std::vector<Event> const& server_events() const { return link->server_outputs.events; }
    std::vector<Completion> const& completions() const { return link->client_outputs.completions; }
    std::vector<MgmtResult> const& mgmt() const { return link->server_outputs.completions; }
    std::optional<Completion> completion(RequestHandle h) const {
        for (auto const& c : completions())
            if (c.handle == h)
                return c;
        return std::nullopt;
    }
    bool logged(std::string_view part) const {
        for (auto const& e : server_events())
            if (e.name == "nssd.log" && e.text("line").find(part) != std::string::npos)
                return true;
        return false;
    }
};

zos::NssStackConfig stack(zos::NssAuthBy auth = zos::NssAuthBy::password,
                          std::string password = "A1S1PW") {
    zos::NssStackConfig s;
    s.stack_name = "STACK1";
    s.client_name = "SYSTEMA_STACK1";
    s.user_id = "A1S1";
    s.auth_by = auth;
    s.password = std::move(password);
    s.service_types = {zos::NssServiceType::cert, zos::NssServiceType::remote_mgmt};
    return s;
}

TEST(NssClientServer, RegistersSignsAndServesRemoteManagement) {
    EndToEnd w(stack());
    Stub managed;
    w.client->set_managed_stack(&managed);
    w.client->start(w.now);
    w.pump();
    ASSERT_EQ(w.client->connection_state(), ConnectionState::connected);
    StackDisplay d = w.client->snapshot();
    EXPECT_EQ(d.server_system_name, "SYSTEMB");
    EXPECT_EQ(d.certificate_services_enabled, true);
    EXPECT_EQ(d.remote_management_enabled, true);

    Bytes const data = to_bytes("IKEv2 AUTH octets");
    RequestHandle h =
        w.client->request_sign("a1s1 cert", wn::SignatureScheme::ecdsa_sha256, data, w.now);
    w.pump();
    ASSERT_EQ(w.completions().size(), 1u);
    EXPECT_EQ(w.completions()[0].handle, h);
    ASSERT_EQ(w.completions()[0].result, wn::ResultCode::ok) << w.completions()[0].reason;
    auto const& signature = std::get<wn::SignReply>(w.completions()[0].payload).signature;
    EXPECT_TRUE(
        crypto::verify(Pki::get().ec_cert, crypto::SignatureScheme::ecdsa_sha256, data, signature)
            .has_value());
    RequestHandle v = w.client->request_verify(wn::SignatureScheme::ecdsa_sha256, data, signature,
                                               {Pki::get().ec_cert.to_der()}, w.now);
    w.pump();
    auto verified = w.completion(v);
    ASSERT_TRUE(verified.has_value());
    EXPECT_EQ(verified->result, RC::ok) << verified->reason;

    RequestHandle denied =
        w.client->request_sign("no such label", wn::SignatureScheme::ecdsa_sha256, data, w.now);
    w.pump();
    auto refused = w.completion(denied);
    ASSERT_TRUE(refused.has_value());
    EXPECT_NE(refused->result, wn::ResultCode::ok);

    w.server->request_management("OPER1", "SYSTEMA_STACK1", wn::MgmtCommand::display_filters, "",
                                 w.now);
    w.pump();
    ASSERT_EQ(w.mgmt().size(), 1u);
    EXPECT_EQ(w.mgmt()[0].result, wn::ResultCode::ok) << w.mgmt()[0].reason;
    ASSERT_EQ(managed.seen.size(), 1u);
    EXPECT_EQ(managed.seen[0].requester, "OPER1");
    ASSERT_EQ(w.mgmt()[0].lines.size(), 1u);
    EXPECT_EQ(w.mgmt()[0].lines[0], "command display_filters");
}

TEST(NssClientServer, PassTicketRegistration) {
    NssClientOptions options;
    options.passticket =
        PassTicketSource{test::passticket_key(), zos::PassTicketType::legacy, "NSSD"};
    EndToEnd w(stack(zos::NssAuthBy::passticket, ""), options);
    w.client->start(w.now);
    w.pump();
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);
    bool passticket_logon = false;
    for (auto const& e : w.server_events())
        passticket_logon =
            passticket_logon || (e.name == "nssd.register" && e.text("logon") == "passticket");
    EXPECT_TRUE(passticket_logon);
}

TEST(NssClientServer, HostDeniedReachesTheClientAsNotAuthorized) {
    EndToEnd w(stack());
    ASSERT_TRUE(w.system.racf.permit("SERVAUTH", "EZB.NSSCERT.SYSTEMB.A1S1_CERT.HOST", {"A1S1"},
                                     std::nullopt));
    w.client->start(w.now);
    w.pump();
    auto h =
        w.client->request_sign("a1s1 cert", wn::SignatureScheme::ecdsa_sha256, {1, 2, 3}, w.now);
    w.pump();
    auto c = w.completion(h);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->result, RC::not_authorized) << c->reason;
    EXPECT_TRUE(w.logged("ServauthCheck(A1S1 ,EZB.NSSCERT.SYSTEMB.A1S1_CERT.HOST) rc 8 (DENY)"));
}

TEST(NssClientServer, WrongPasswordIsAuthFailure) {
    EndToEnd w(stack(zos::NssAuthBy::password, "WRONG"));
    w.client->start(w.now);
    w.pump();
    EXPECT_EQ(w.client->connection_state(), ConnectionState::disconnected);
    bool auth_failed = false;
    for (auto const& e : w.client_events())
        auth_failed =
            auth_failed || (e.name == "nss.register_failed" && e.text("result") == "auth_failed");
    EXPECT_TRUE(auth_failed);
}

TEST(NssClientServer, ApiMismatchStaysConnectedWithoutServices) {
    NssClientOptions options;
    options.client_api_version = 3;
    EndToEnd w(stack(), options);
    w.client->start(w.now);
    w.pump();
    std::vector<std::string> ezd1904e;
    for (auto const& e : w.client_events())
        if (e.name == "nss.console" && e.text("msgid") == "EZD1904E")
            ezd1904e.push_back(e.text("text"));
    ASSERT_EQ(ezd1904e.size(), 1u);
    EXPECT_EQ(ezd1904e[0],
              "EZD1904E IKED NSS client API version 3 does not match NSS server API "
              "version 4 for stack STACK1");
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);
    StackDisplay d = w.client->snapshot();
    EXPECT_EQ(d.client_api_version, 3u);
    EXPECT_EQ(d.server_api_version, 4u);
    EXPECT_EQ(d.certificate_services_enabled, false);
    EXPECT_EQ(d.remote_management_enabled, false);
    RequestHandle h =
        w.client->request_sign("a1s1 cert", wn::SignatureScheme::ecdsa_sha256, {}, w.now);
    w.pump();
    ASSERT_EQ(w.completions().size(), 1u);
    EXPECT_EQ(w.completions()[0].handle, h);
    EXPECT_EQ(w.completions()[0].result, wn::ResultCode::version_mismatch);
    // No reconnect storm. The NssServer closes a connection without a completed registration
    // after its frame_timeout (30 s); the client reconnects with a growing backoff (a connection
    // without services does not reset it): 10 minutes give at most 10 registrations, not 20.
    for (int i = 0; i < 600; ++i) {
        w.now += 1s;
        w.link->advance_to(w.now);
    }
    std::size_t registers = 0;
    for (auto const& e : w.client_events())
        registers += e.name == "nss.register_sent" ? 1 : 0;
    EXPECT_GE(registers, 1u);
    EXPECT_LE(registers, 10u);
}

// IKED finds its certificate by its KeyExchangeRule identity, then signs with the label the
// server returned (docs/nss-client.md "Certificates by identity").
TEST(NssClientServer, CertificatesByIdentityThenSignWithTheReturnedLabel) {
    EndToEnd w(stack());
    test::add_identity_certificates(w.system, *w.server_ctx, w.now);
    w.client->start(w.now);
    w.pump();
    ASSERT_EQ(w.client->connection_state(), ConnectionState::connected);

    auto identity = certificate_identity(
        zos::IkeIdentity{zos::IkeIdentityType::x500dn, "CN=SYSTEMA_STACK1,O=IBM,C=US"});
    ASSERT_TRUE(identity) << identity.error().what();
    RequestHandle h = w.client->request_certificates_for(*identity, true, w.now);
    w.pump();
    auto done = w.completion(h);
    ASSERT_TRUE(done.has_value());
    ASSERT_EQ(done->result, RC::ok) << done->reason;
    auto const* reply = std::get_if<wn::CertificateReply>(&done->payload);
    ASSERT_NE(reply, nullptr);
    std::vector<std::string> labels;
    for (auto const& c : reply->certificates)
        labels.push_back(c.label);
    EXPECT_EQ(labels, (std::vector<std::string>{"STACK1 ID", "STACK1 NEW", "CA"}));

    Bytes const data = to_bytes("IKEv2 AUTH octets");
    RequestHandle s = w.client->request_sign(reply->certificates[0].label,
                                             wn::SignatureScheme::ecdsa_sha256, data, w.now);
    w.pump();
    auto sig = w.completion(s);
    ASSERT_TRUE(sig.has_value());
    ASSERT_EQ(sig->result, RC::ok) << sig->reason;
    auto leaf = crypto::Certificate::load_der(nullptr, reply->certificates[0].der);
    ASSERT_TRUE(leaf);
    EXPECT_TRUE(crypto::verify(*leaf, crypto::SignatureScheme::ecdsa_sha256, data,
                               std::get<wn::SignReply>(sig->payload).signature));

    // No match: the server's unknown_label and reason reach the caller.
    RequestHandle none = w.client->request_certificates_for(
        wn::CertificateIdentity{wn::IdentityType::fqdn, "nothere.example"}, false, w.now);
    w.pump();
    auto missing = w.completion(none);
    ASSERT_TRUE(missing.has_value());
    EXPECT_EQ(missing->result, RC::unknown_label);
    EXPECT_NE(missing->reason.find("fqdn 'nothere.example'"), std::string::npos) << missing->reason;
}

TEST(NssClientServer, AMalformedIdentityFailsAtOnceWithoutAFrame) {
    EndToEnd w(stack());
    w.client->start(w.now);
    w.pump();
    ASSERT_EQ(w.client->connection_state(), ConnectionState::connected);
    std::size_t const requests_before = [&] {
        std::size_t n = 0;
        for (auto const& e : w.server_events())
            n += e.name == "nssd.certificates" ? 1 : 0;
        return n;
    }();
    RequestHandle h = w.client->request_certificates_for(
        wn::CertificateIdentity{wn::IdentityType::ipv4_addr, "stack1.systema.example"}, false,
        w.now);
    w.pump();
    auto done = w.completion(h);
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->result, RC::bad_request);
    EXPECT_EQ(done->attempts, 0u);
    EXPECT_EQ(done->reason, "identity ipv4_addr 'stack1.systema.example' is not an IPv4 address");
    std::size_t requests_after = 0;
    for (auto const& e : w.server_events())
        requests_after += e.name == "nssd.certificates" ? 1 : 0;
    EXPECT_EQ(requests_after, requests_before);
}

// AT-TLS sends the server certificate with its intermediates (docs/nss-server.md §3): a
// RACDCERT-built hierarchy root CA -> intermediate CA -> NSSD server certificate on the NSSD
// ring; IKED's ring trusts only the root.
constexpr std::string_view chained_server_script = R"(
RACDCERT CERTAUTH GENCERT SUBJECTSDN(CN('NSS Root CA') O('nsslab')) NISTECC SIZE(256) -
  WITHLABEL('Root CA') NOTAFTER(DATE(2030-12-31))
RACDCERT CERTAUTH GENCERT SUBJECTSDN(CN('NSS Intermediate CA') O('nsslab')) NISTECC -
  SIGNWITH(CERTAUTH LABEL('Root CA')) WITHLABEL('Intermediate CA') NOTAFTER(DATE(2030-12-31))
RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('nssd.systemb') O('nsslab')) ALTNAME(IP(10.0.0.5)) -
  NISTECC SIGNWITH(CERTAUTH LABEL('Intermediate CA')) WITHLABEL('NSSD chained')
RACDCERT CONNECT(ID(NSSD) LABEL('NSSD chained') RING(NSSRING) DEFAULT) ID(NSSD)
RACDCERT CONNECT(CERTAUTH LABEL('Root CA') RING(NSSRING) USAGE(CERTAUTH)) ID(NSSD)
)";

struct ChainedServer {
    EndToEnd w;
    std::string root_pem;

    static std::string build(EndToEnd& w, bool connect_intermediate) {
        zos::RacdcertEnvironment env;
        env.now = w.now - std::chrono::hours{24};
        env.lib = w.server_ctx.get();
        auto table = zos::RacfCommandTable::standard();
        zos::add_racdcert_command(table, w.system.rings, env);
        std::vector<std::string> messages;
        std::string script = "ADDUSER NSSD\n" + std::string(chained_server_script);
        if (connect_intermediate)
            script +=
                "RACDCERT CONNECT(CERTAUTH LABEL('Intermediate CA') RING(NSSRING) "
                "USAGE(CERTAUTH)) ID(NSSD)\n";
        auto applied = zos::run_racf_script(script, "chain.racf", w.system.racf, table, messages);
        EXPECT_TRUE(applied.has_value()) << (applied ? "" : applied.error().what());
        auto const* root = w.system.rings.find_certificate(zos::CertOwner::certauth(), "Root CA");
        EXPECT_NE(root, nullptr);
        return root == nullptr ? std::string{} : root->certificate.to_pem();
    }

    explicit ChainedServer(bool connect_intermediate)
        : w(stack()), root_pem(build(w, connect_intermediate)) {
        w.make_client(stack(), {}, root_pem);  // IKED's ring: the root only
    }
};

TEST(NssClientServer, ServerSendsIntermediateFromTheRingSoARootOnlyClientConnects) {
    ChainedServer c(true);
    c.w.client->start(c.w.now);
    c.w.pump();
    ASSERT_EQ(c.w.client->connection_state(), ConnectionState::connected);
    RequestHandle h = c.w.client->request_sign("a1s1 cert", wn::SignatureScheme::ecdsa_sha256,
                                               to_bytes("IKEv2 AUTH octets"), c.w.now);
    c.w.pump();
    ASSERT_EQ(c.w.completions().size(), 1u);
    EXPECT_EQ(c.w.completions()[0].handle, h);
    EXPECT_EQ(c.w.completions()[0].result, wn::ResultCode::ok) << c.w.completions()[0].reason;
}

TEST(NssClientServer, WithoutTheIntermediateOnTheRingARootOnlyClientRejectsTheServer) {
    ChainedServer c(false);
    c.w.client->start(c.w.now);
    c.w.pump();
    EXPECT_NE(c.w.client->connection_state(), ConnectionState::connected);
    bool untrusted = false;
    for (auto const& e : c.w.client_events())
        for (auto const& f : e.fields)
            untrusted =
                untrusted || e.text(f.key).find("unable to get local issuer") != std::string::npos;
    EXPECT_TRUE(untrusted);
}

}  // namespace
}  // namespace nsslab::nss
