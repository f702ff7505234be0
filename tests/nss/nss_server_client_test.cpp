// End to end: the IKED-side NssClient core against the NssServer core, both sans-I/O, bytes
// carried by a hand driver (TLS, framing, registration, certificate service, remote management).
#include <gtest/gtest.h>

#include "nss_server_test_support.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/nss/nss_client.hpp"
#include "nsslab/nss/nss_server.hpp"

namespace nsslab::nss {
namespace {

using namespace test;
using RC = wn::ResultCode;

struct FakeStack : ManagedStack {
    std::vector<wn::MgmtRequest> seen;
    wn::MgmtReply execute(wn::MgmtRequest const& request, TimePoint) override {
        seen.push_back(request);
        wn::MgmtReply r;
        r.lines = {"FilterName: SYSDEFAULTRULE.1", "Source: Stack Policy"};
        return r;
    }
};

struct EndToEnd {
    Pair p;  // the server side (SYSTEMB) and its drained outputs
    std::unique_ptr<NssClient> client;
    FakeStack stack;
    std::vector<Completion> completions;
    std::vector<Event> client_events;
    std::map<ConnId, bool> open;

    explicit EndToEnd(zos::NssAuthBy auth_by = zos::NssAuthBy::password,
                      std::uint32_t api_version = wn::api_version) {
        zos::IkeConfig ike;
        zos::NssServerConfig primary;
        primary.host = "10.0.0.5";
        primary.address = take(IpAddress::parse("10.0.0.5"), "ip");
        ike.network_security_server = primary;
        zos::NssStackConfig s;
        s.stack_name = "STACK1";
        s.client_name = "SYSTEMA_STACK1";
        s.user_id = "A1S1";
        s.auth_by = auth_by;
        s.password = "A1S1PW";
        s.service_types = {zos::NssServiceType::cert, zos::NssServiceType::remote_mgmt};
        ClientTlsPolicy tls;
        tls.trust_anchors_pem = Pki::get().ca.to_pem();
        NssClientOptions o;
        o.client_api_version = api_version;
        o.passticket = PassTicketSource{passticket_key(), zos::PassTicketType::legacy, "NSSD"};
        client = take(NssClient::create(ike, s, "SYSTEMA", tls, *p.client_ctx, o), "client");
        client->set_managed_stack(&stack);
    }

    void run() {
        for (bool progress = true; progress;) {
            progress = false;
            while (auto a = client->poll_action()) {
                progress = true;
                switch (a->kind) {
                    case ClientAction::Kind::connect:
                        open[a->conn] = true;
                        p.server->handle_accepted(
                            a->conn,
                            Endpoint{take(IpAddress::parse("10.1.1.1"), "ip"),
                                     static_cast<std::uint16_t>(50000 + a->conn)},
                            a->server, p.now);
                        client->handle_connected(
                            a->conn, p.now,
                            Endpoint{take(IpAddress::parse("10.1.1.1"), "ip"),
                                     static_cast<std::uint16_t>(50000 + a->conn)});
                        break;
                    case ClientAction::Kind::transmit:
                        p.server->handle_received(a->conn, a->bytes, p.now);
                        break;
                    case ClientAction::Kind::close:
                    case ClientAction::Kind::abort:
                        open[a->conn] = false;
                        p.server->handle_closed(a->conn, p.now);
                        break;
                }
            }
            while (auto t = p.server->poll_transmit()) {
                progress = true;
                if (!open[t->conn])
                    continue;
                if (t->kind == Transmit::Kind::data) {
                    client->handle_received(t->conn, t->bytes, p.now);
                } else {
                    open[t->conn] = false;
                    client->handle_closed(
                        t->conn,
                        t->kind == Transmit::Kind::close ? CloseReason::eof : CloseReason::reset,
                        p.now);
                }
            }
            while (auto e = client->poll_event()) {
                progress = true;
                client_events.push_back(std::move(*e));
            }
            while (auto c = client->poll_completion()) {
                progress = true;
                completions.push_back(std::move(*c));
            }
            while (auto e = p.server->poll_event()) {
                progress = true;
                if (e->name == "nssd.log")
                    p.log_lines.push_back(e->text("line"));
                p.events.push_back(std::move(*e));
            }
            while (auto r = p.server->poll_management_result()) {
                progress = true;
                p.mgmt_results.push_back(std::move(*r));
            }
        }
    }

    std::optional<Completion> completion(RequestHandle h) const {
        for (auto const& c : completions)
            if (c.handle == h)
                return c;
        return std::nullopt;
    }
};

TEST(NssServerEndToEnd, IkedClientRegistersSignsAndIsManagedRemotely) {
    EndToEnd w;
    w.client->start(w.p.now);
    w.run();
    ASSERT_EQ(w.client->phase(), Phase::registered);
    EXPECT_TRUE(w.client->granted().cert);
    EXPECT_TRUE(w.client->granted().remote_mgmt);
    ASSERT_TRUE(w.p.server->connection_of("SYSTEMA_STACK1").has_value());

    Bytes data = to_bytes("IKE_SA_INIT | Nr | prf(SK_pi, IDi')");
    auto h = w.client->request_sign("a1s1 cert", wn::SignatureScheme::ecdsa_sha256, data, w.p.now);
    w.run();
    auto c = w.completion(h);
    ASSERT_TRUE(c.has_value());
    ASSERT_EQ(c->result, RC::ok) << c->reason;
    auto const& reply = std::get<wn::SignReply>(c->payload);
    EXPECT_TRUE(crypto::verify(Pki::get().ec_cert, crypto::SignatureScheme::ecdsa_sha256, data,
                               reply.signature)
                    .has_value());

    auto v = w.client->request_verify(wn::SignatureScheme::ecdsa_sha256, data, reply.signature,
                                      {Pki::get().ec_cert.to_der()}, w.p.now);
    w.run();
    auto vc = w.completion(v);
    ASSERT_TRUE(vc.has_value());
    EXPECT_EQ(vc->result, RC::ok) << vc->reason;

    auto t = w.p.server->request_management("OPER1", "SYSTEMA_STACK1",
                                            wn::MgmtCommand::display_filters, "", w.p.now);
    w.run();
    ASSERT_EQ(w.p.mgmt_results.size(), 1u);
    EXPECT_EQ(w.p.mgmt_results[0].ticket, t);
    EXPECT_EQ(w.p.mgmt_results[0].result, RC::ok) << w.p.mgmt_results[0].reason;
    EXPECT_EQ(w.p.mgmt_results[0].lines.size(), 2u);
    ASSERT_EQ(w.stack.seen.size(), 1u);
    EXPECT_EQ(w.stack.seen[0].requester, "OPER1");
}

TEST(NssServerEndToEnd, PassTicketRegistration) {
    EndToEnd w(zos::NssAuthBy::passticket);
    w.client->start(w.p.now);
    w.run();
    EXPECT_EQ(w.client->phase(), Phase::registered);
    bool passticket_logon = false;
    for (auto const& e : w.p.events)
        if (e.name == "nssd.register" && e.text("logon") == "passticket")
            passticket_logon = true;
    EXPECT_TRUE(passticket_logon);
}

TEST(NssServerEndToEnd, HostDeniedReachesTheClientAsNotAuthorized) {
    EndToEnd w;
    ok(w.p.system.racf.permit("SERVAUTH", "EZB.NSSCERT.SYSTEMB.A1S1_CERT.HOST", {"A1S1"},
                              std::nullopt),
       "unpermit");
    w.client->start(w.p.now);
    w.run();
    auto h =
        w.client->request_sign("a1s1 cert", wn::SignatureScheme::ecdsa_sha256, {1, 2, 3}, w.p.now);
    w.run();
    auto c = w.completion(h);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->result, RC::not_authorized) << c->reason;
    EXPECT_TRUE(w.p.logged("ServauthCheck(A1S1 ,EZB.NSSCERT.SYSTEMB.A1S1_CERT.HOST) rc 8 (DENY)"));
}

}  // namespace
}  // namespace nsslab::nss
