// NssClient (IKED side) driven against fake NSS servers: real TLS (tests/tls/data PKI) and the
// wire_nss codec, delivered by hand on virtual time (DESIGN.md §2 "pair" driver).
#include "nsslab/nss/nss_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>

#include "../tls/tls_test_support.hpp"
#include "nsslab/core/pair.hpp"
#include "nsslab/wire_nss/codec.hpp"
#include "nsslab/zos/passticket.hpp"

namespace nsslab::nss {
namespace {

namespace wn = wire_nss;
using namespace std::chrono_literals;

Endpoint ep(char const* ip, std::uint16_t port = 4159) {
    return Endpoint{IpAddress::parse(ip).value(), port};
}

// One fake NSSD: a TLS server per connection, answering by policy. A StreamServerCore, so the
// in-memory pair driver carries its bytes.
struct FakeServer {
    using Transmit = core::StreamTransmit;
    Endpoint endpoint;
    std::string cert{"server"};
    bool up{true};
    crypto::LibContext* ctx{nullptr};
    wn::RegisterReply register_reply{
        wn::ResultCode::ok, "", wn::api_version, "NSSSYS", wn::Services{true, true}, "", "", 1};
    bool answer_requests{true};
    bool answer_keepalive{true};
    bool silent{false};  // accepts TCP, never answers (hung server)

    struct Conn {
        std::optional<tls::Channel> channel;
        wn::FrameReader reader;
        std::vector<wn::Message> received;
    };
    std::map<ConnId, Conn> conns;
    std::vector<wn::Message> all_received;

    void handle_accepted(ConnId id, Endpoint, Endpoint, TimePoint) {
        auto ch = tls::Channel::server(*ctx, tls::test::server_config(cert));
        ASSERT_TRUE(ch) << ch.error().what();
        conns[id].channel.emplace(std::move(ch.value()));
    }
    void handle_closed(ConnId id, StreamEnd, TimePoint) { conns.erase(id); }
    void handle_timeout(TimePoint) {}
    std::optional<TimePoint> next_timeout() const { return std::nullopt; }
    std::optional<Event> poll_event() { return std::nullopt; }
    std::optional<core::Secret> poll_secret() { return std::nullopt; }
    std::optional<Transmit> poll_transmit() {
        for (auto& [id, c] : conns) {
            if (auto out = c.channel->poll_transmit()) {
                Transmit t;
                t.conn = id;
                t.bytes = std::move(*out);
                return t;
            }
        }
        return std::nullopt;
    }
    void send(ConnId id, wn::Message const& m) {
        auto& c = conns.at(id);
        if (c.channel->state() == tls::Channel::State::closed)
            return;  // the client's close_notify came in the same read: no answer on it
        ASSERT_TRUE(c.channel->send(wn::encode(m)));
    }
    // Ciphertext in; replies queue in the channel.
    void handle_received(ConnId id, ByteView bytes, TimePoint now) {
        auto it = conns.find(id);
        if (it == conns.end() || silent)
            return;
        Conn& c = it->second;
        c.channel->handle_received(bytes, now);
        auto plain = c.channel->poll_received();
        if (!plain)
            return;
        ASSERT_TRUE(c.reader.feed(*plain));
        while (auto next = c.reader.next()) {
            ASSERT_TRUE(*next) << next->error().what();
            wn::Message m = next->value();
            c.received.push_back(m);
            all_received.push_back(m);
            respond(id, m);
        }
    }
    void respond(ConnId id, wn::Message const& m) {
        if (std::holds_alternative<wn::RegisterRequest>(m.body)) {
            send(id, {m.request_id, register_reply});
        } else if (auto const* s = std::get_if<wn::SignRequest>(&m.body)) {
            if (!answer_requests)
                return;
            wn::SignReply r;
            r.signature = to_bytes("SIG:" + s->label);
            send(id, {m.request_id, r});
        } else if (std::holds_alternative<wn::CertificateRequest>(m.body)) {
            if (!answer_requests)
                return;
            wn::CertificateReply r;
            r.certificates.push_back({"IKED", false, to_bytes("DER")});
            send(id, {m.request_id, r});
        } else if (std::holds_alternative<wn::Keepalive>(m.body)) {
            if (answer_keepalive)
                send(id, {m.request_id, wn::KeepaliveAck{}});
        }
    }
    std::size_t count_registers() const {
        return static_cast<std::size_t>(std::count_if(
            all_received.begin(), all_received.end(),
            [](auto const& m) { return std::holds_alternative<wn::RegisterRequest>(m.body); }));
    }
    template <class T>
    std::vector<wn::Message> of_type() const {
        std::vector<wn::Message> out;
        for (auto const& m : all_received)
            if (std::holds_alternative<T>(m.body))
                out.push_back(m);
        return out;
    }
};

struct FakeStack final : ManagedStack {
    std::vector<wn::MgmtRequest> seen;
    wn::MgmtReply execute(wn::MgmtRequest const& request, TimePoint) override {
        seen.push_back(request);
        wn::MgmtReply r;
        r.lines = {"FilterName: F1", "FilterName: F2"};
        return r;
    }
};

zos::IkeConfig ike_config(bool backup = true) {
    zos::IkeConfig ike;
    zos::NssServerConfig primary;
    primary.host = "9.1.1.1";
    primary.address = IpAddress::parse("9.1.1.1").value();
    ike.network_security_server = primary;
    if (backup) {
        // server.pem has no SAN IP 9.1.1.2: the backup is checked by its DNS name.
        zos::NssServerConfig b;
        b.host = "9.1.1.2";
        b.address = IpAddress::parse("9.1.1.2").value();
        b.identity = zos::NssServerIdentity{zos::NssIdentityType::fqdn, "nssd.example.com", {}};
        ike.network_security_server_backup = b;
    }
    return ike;
}

zos::NssStackConfig stack_config() {
    zos::NssStackConfig s;
    s.stack_name = "STACK1";
    s.client_name = "SYSTEMA_STACK1";
    s.user_id = "A1S1";
    s.auth_by = zos::NssAuthBy::password;
    s.password = "SECRET";
    s.service_types = {zos::NssServiceType::cert, zos::NssServiceType::remote_mgmt};
    return s;
}

static_assert(core::StreamServerCore<FakeServer>);

using Link = core::StreamPair<NssClient, FakeServer>;

struct World {
    std::unique_ptr<crypto::LibContext> client_ctx;
    std::unique_ptr<crypto::LibContext> server_ctx;
    FakeServer primary;
    FakeServer backup;
    std::unique_ptr<NssClient> client;
    std::unique_ptr<Link> link;
    TimePoint now{tls::test::default_time()};
    std::vector<Event>& events;
    std::vector<Completion>& completions;
    std::vector<Link::Seen>& actions;  // every client transmit seen

    explicit World(zos::IkeConfig ike = ike_config(), zos::NssStackConfig stack = stack_config(),
                   NssClientOptions options = {})
        : client_ctx(crypto::LibContext::deterministic(1, "SYSTEMA").value()),
          server_ctx(crypto::LibContext::deterministic(1, "NSSSYS").value()),
          client(make_client(ike, stack, std::move(options))),
          link(std::make_unique<Link>(
              *client, primary,
              Link::Options{ep("9.1.1.1"), IpAddress::parse("10.81.4.4").value(), 50008, true})),
          events(link->client_outputs.events),
          completions(link->client_outputs.completions),
          actions(link->client_transmits) {
        primary.endpoint = ep("9.1.1.1");
        backup.endpoint = ep("9.1.1.2");
        primary.ctx = server_ctx.get();
        backup.ctx = server_ctx.get();
        link->add_server(backup.endpoint, backup);
    }

    std::unique_ptr<NssClient> make_client(zos::IkeConfig const& ike,
                                           zos::NssStackConfig const& stack,
                                           NssClientOptions options) {
        ClientTlsPolicy policy;
        policy.trust_anchors_pem = tls::test::data_file("ca.pem");
        return NssClient::create(ike, stack, "SYSTEMA", policy, *client_ctx, std::move(options))
            .value();
    }

    // Delivers everything until nothing moves (a server that is not up refuses connects).
    void pump() {
        link->set_down(primary.endpoint, !primary.up);
        link->set_down(backup.endpoint, !backup.up);
        link->pump(now);
    }

    // Runs timers up to `until`.
    void advance(Duration d) {
        TimePoint const until = now + d;
        for (int i = 0; i < 100000; ++i) {
            auto t = client->next_timeout();
            if (!t || *t > until)
                break;
            now = std::max(now, *t);
            client->handle_timeout(now);
            pump();
        }
        now = until;
    }

    // The server side resets every connection (crash).
    void crash(FakeServer& s) {
        s.up = false;
        link->break_connections(StreamEnd::reset, now, s.endpoint);
        pump();
    }

    ConnId conn_to(FakeServer const& s) const {
        return link->connection_to(s.endpoint).value_or(0);
    }

    std::vector<Event> named(std::string_view name) const {
        std::vector<Event> out;
        for (auto const& e : events)
            if (e.name == name)
                out.push_back(e);
        return out;
    }
    std::vector<std::string> console(std::string_view msgid) const {
        std::vector<std::string> out;
        for (auto const& e : events)
            if (e.name == "nss.console" && e.text("msgid") == msgid)
                out.push_back(e.text("text"));
        return out;
    }
};

std::size_t count_handle(std::vector<Completion> const& cs, RequestHandle h) {
    return static_cast<std::size_t>(
        std::count_if(cs.begin(), cs.end(), [h](Completion const& c) { return c.handle == h; }));
}

TEST(NssClient, ConnectsToPrimaryRegistersAndSigns) {
    World w;
    w.client->start(w.now);
    w.pump();
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);
    ASSERT_EQ(w.primary.count_registers(), 1u);
    auto reg = std::get<wn::RegisterRequest>(w.primary.all_received.at(0).body);
    EXPECT_EQ(reg.client_name, "SYSTEMA_STACK1");
    EXPECT_EQ(reg.user_id, "A1S1");
    EXPECT_EQ(reg.stack_name, "STACK1");
    EXPECT_EQ(reg.system_name, "SYSTEMA");
    EXPECT_EQ(reg.auth_method, wn::AuthMethod::password);
    EXPECT_EQ(reg.credential, "SECRET");
    EXPECT_TRUE(reg.services.cert);
    EXPECT_TRUE(reg.services.remote_mgmt);
    ASSERT_EQ(w.console("EZD1136I").size(), 1u);
    EXPECT_EQ(w.console("EZD1136I")[0],
              "EZD1136I IKE DAEMON NSS CLIENT FOR STACK STACK1 CONNECTED TO NSS SERVER 9.1.1.1 "
              "PORT 4159");

    RequestHandle h = w.client->request_sign("IKED", wn::SignatureScheme::ecdsa_sha256,
                                             to_bytes("auth octets"), w.now);
    w.pump();
    ASSERT_EQ(w.completions.size(), 1u);
    EXPECT_EQ(w.completions[0].handle, h);
    EXPECT_EQ(w.completions[0].result, wn::ResultCode::ok);
    auto const& sig = std::get<wn::SignReply>(w.completions[0].payload);
    EXPECT_EQ(sig.signature, to_bytes("SIG:IKED"));
    EXPECT_EQ(w.completions[0].attempts, 1u);

    RequestHandle c = w.client->request_certificates("IKED", true, w.now);
    w.pump();
    ASSERT_EQ(w.completions.size(), 2u);
    EXPECT_EQ(w.completions[1].handle, c);
    EXPECT_EQ(std::get<wn::CertificateReply>(w.completions[1].payload).certificates.size(), 1u);
    EXPECT_EQ(w.client->pending_requests(), 0u);
}

TEST(NssClient, PrimaryRefusedFailsOverToBackup) {
    World w;
    w.primary.up = false;
    w.client->start(w.now);
    w.pump();
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);
    EXPECT_EQ(w.backup.count_registers(), 1u);
    EXPECT_EQ(w.named("nss.failover").size(), 1u);
    ASSERT_EQ(w.console("EZD1136I").size(), 1u);
    EXPECT_EQ(w.console("EZD1136I")[0],
              "EZD1136I IKE DAEMON NSS CLIENT FOR STACK STACK1 CONNECTED TO NSS SERVER 9.1.1.2 "
              "PORT 4159");
    EXPECT_EQ(w.client->current_server(), ep("9.1.1.2"));
}

TEST(NssClient, PrimaryDropsMidRequestReissuedOnBackupExactlyOnce) {
    World w;
    w.primary.answer_requests = false;
    w.client->start(w.now);
    w.pump();
    ConnId const old_conn = w.conn_to(w.primary);
    RequestHandle h =
        w.client->request_sign("IKED", wn::SignatureScheme::ecdsa_sha256, to_bytes("x"), w.now);
    w.pump();
    ASSERT_EQ(w.primary.of_type<wn::SignRequest>().size(), 1u);
    std::uint32_t const old_id = w.primary.of_type<wn::SignRequest>()[0].request_id;
    EXPECT_TRUE(w.completions.empty());
    w.advance(5s);
    w.crash(w.primary);
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);
    EXPECT_EQ(w.backup.of_type<wn::SignRequest>().size(), 1u);
    ASSERT_EQ(w.completions.size(), 1u);
    EXPECT_EQ(w.completions[0].handle, h);
    EXPECT_EQ(w.completions[0].result, wn::ResultCode::ok);
    EXPECT_EQ(w.completions[0].attempts, 2u);
    // A late reply from the dead primary connection is ignored.
    w.client->handle_message(old_conn, {old_id, wn::SignReply{}}, w.now);
    // And a duplicate reply on the backup connection with the answered id is stale.
    std::uint32_t const new_id = w.backup.of_type<wn::SignRequest>()[0].request_id;
    w.client->handle_message(w.conn_to(w.backup), {new_id, wn::SignReply{}}, w.now);
    w.pump();
    EXPECT_EQ(count_handle(w.completions, h), 1u);
    EXPECT_GE(w.named("nss.stale_reply").size(), 1u);
}

TEST(NssClient, TimeoutReissuesOnSameConnectionLateReplyIgnored) {
    World w;
    w.primary.answer_requests = false;
    w.client->start(w.now);
    w.pump();
    RequestHandle h =
        w.client->request_sign("IKED", wn::SignatureScheme::ecdsa_sha256, to_bytes("x"), w.now);
    w.pump();
    w.advance(61s);  // NssWaitLimit 60 s: re-issued with a new request id
    auto sent = w.primary.of_type<wn::SignRequest>();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_NE(sent[0].request_id, sent[1].request_id);
    ConnId const conn = w.conn_to(w.primary);
    // The late reply to the first issue arrives: it completes nothing.
    w.primary.send(conn,
                   {sent[0].request_id, wn::SignReply{wn::ResultCode::ok, "", to_bytes("late")}});
    w.pump();
    EXPECT_EQ(count_handle(w.completions, h), 0u);
    EXPECT_EQ(w.named("nss.stale_reply").size(), 1u);
    w.primary.send(conn,
                   {sent[1].request_id, wn::SignReply{wn::ResultCode::ok, "", to_bytes("sig")}});
    w.pump();
    ASSERT_EQ(count_handle(w.completions, h), 1u);
    EXPECT_EQ(std::get<wn::SignReply>(w.completions.back().payload).signature, to_bytes("sig"));
}

TEST(NssClient, BothDownBackoffBoundedAndRequestFailsWithinLimit) {
    World w;
    w.primary.up = false;
    w.backup.up = false;
    TimePoint const t0 = w.now;
    w.client->start(w.now);
    w.pump();
    EXPECT_EQ(w.client->connection_state(), ConnectionState::disconnected);
    RequestHandle h =
        w.client->request_sign("IKED", wn::SignatureScheme::ecdsa_sha256, to_bytes("x"), w.now);
    w.pump();
    EXPECT_TRUE(w.completions.empty());  // waits for a server
    TimePoint failed_at{};
    for (int i = 0; i < 1000 && w.completions.empty(); ++i) {
        w.advance(1s);
        if (!w.completions.empty())
            failed_at = w.now;
    }
    ASSERT_EQ(w.completions.size(), 1u);
    EXPECT_EQ(w.completions[0].handle, h);
    EXPECT_NE(w.completions[0].result, wn::ResultCode::ok);
    EXPECT_NE(w.completions[0].reason.find("NssWaitRetries 3"), std::string::npos)
        << w.completions[0].reason;
    EXPECT_LE(failed_at - t0, 60s * (3 + 1) + 1s);
    // Backoff: doubling from 1 s, never above 60 s, servers alternate.
    w.advance(600s);
    auto backoffs = w.named("nss.backoff");
    ASSERT_GE(backoffs.size(), 8u);
    EXPECT_EQ(backoffs[0].text("delay"), "1.000000000");
    EXPECT_EQ(backoffs[1].text("delay"), "2.000000000");
    EXPECT_EQ(backoffs[2].text("delay"), "4.000000000");
    EXPECT_EQ(backoffs.back().text("delay"), "60.000000000");
    EXPECT_NE(backoffs[0].text("next_server"), backoffs[1].text("next_server"));
    EXPECT_TRUE(w.named("nss.register_sent").empty()) << "registered with nobody up";
    // A server returns: the client reconnects within the maximum backoff.
    w.backup.up = true;
    w.advance(121s);
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);
    EXPECT_EQ(w.client->current_server(), ep("9.1.1.2"));
}

TEST(NssClient, IdentityMismatchSendsNoCredentials) {
    World w(ike_config(false));
    w.primary.cert = "noip";  // no SAN iPAddress 9.1.1.1
    w.client->start(w.now);
    w.pump();
    EXPECT_EQ(w.primary.count_registers(), 0u);
    EXPECT_TRUE(w.named("nss.register_sent").empty());
    ASSERT_EQ(w.named("nss.tls_failed").size(), 1u);
    EXPECT_NE(w.named("nss.tls_failed")[0].text("reason").find("identity"), std::string::npos)
        << w.named("nss.tls_failed")[0].text("reason");
    EXPECT_EQ(w.client->connection_state(), ConnectionState::disconnected);
    EXPECT_EQ(w.named("nss.backoff").size(), 1u);
}

TEST(NssClient, UntrustedServerCertificateCountsAsFailure) {
    World w;
    w.primary.cert = "untrusted";
    w.client->start(w.now);
    w.pump();
    EXPECT_EQ(w.primary.count_registers(), 0u);
    EXPECT_EQ(w.backup.count_registers(), 1u);
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);
}

TEST(NssClient, ApiMismatchEmitsEzd1904eAndCertRequestsFail) {
    World w;
    w.primary.register_reply.server_api_version = 5;
    w.client->start(w.now);
    w.pump();
    ASSERT_EQ(w.console("EZD1904E").size(), 1u);
    EXPECT_EQ(w.console("EZD1904E")[0],
              "EZD1904E IKED NSS client API version 4 does not match NSS server API version 5 "
              "for stack STACK1");
    RequestHandle h =
        w.client->request_sign("IKED", wn::SignatureScheme::ecdsa_sha256, to_bytes("x"), w.now);
    w.pump();
    ASSERT_EQ(w.completions.size(), 1u);
    EXPECT_EQ(w.completions[0].handle, h);
    EXPECT_EQ(w.completions[0].result, wn::ResultCode::version_mismatch);
    EXPECT_TRUE(w.primary.of_type<wn::SignRequest>().empty());
    StackDisplay d = w.client->snapshot();
    EXPECT_EQ(d.server_api_version, 5u);
    EXPECT_EQ(d.certificate_services_enabled, false);
}

TEST(NssClient, AuthFailureStaysDisconnectedAndRetriesAfterBackoff) {
    zos::IkeConfig ike = ike_config(false);
    World w(ike);
    w.primary.register_reply.result = wn::ResultCode::auth_failed;
    w.primary.register_reply.reason = "password not valid";
    w.client->start(w.now);
    w.pump();
    ASSERT_EQ(w.named("nss.register_failed").size(), 1u);
    EXPECT_EQ(w.named("nss.register_failed")[0].text("result"), "auth_failed");
    EXPECT_EQ(w.client->connection_state(), ConnectionState::disconnected);
    EXPECT_TRUE(w.console("EZD1136I").empty());
    w.primary.register_reply.result = wn::ResultCode::ok;
    w.advance(2s);
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);
    EXPECT_EQ(w.primary.count_registers(), 2u);
}

TEST(NssClient, PassTicketCredentialGeneratedPerRegistration) {
    zos::NssStackConfig stack = stack_config();
    stack.auth_by = zos::NssAuthBy::passticket;
    stack.password.clear();
    NssClientOptions options;
    options.passticket =
        PassTicketSource{from_hex("E001193519561977").value(), zos::PassTicketType::legacy, "NSSD"};
    World w(ike_config(), stack, options);
    w.client->start(w.now);
    w.pump();
    ASSERT_EQ(w.primary.count_registers(), 1u);
    auto reg = std::get<wn::RegisterRequest>(w.primary.all_received.at(0).body);
    EXPECT_EQ(reg.auth_method, wn::AuthMethod::passticket);
    auto expected = zos::generate_passticket("A1S1", "NSSD", from_hex("E001193519561977").value(),
                                             zos::PassTicketType::legacy, unix_seconds(w.now));
    ASSERT_TRUE(expected);
    EXPECT_EQ(reg.credential, expected.value());
}

TEST(NssClient, PassTicketWithoutKeyDoesNotRegister) {
    zos::NssStackConfig stack = stack_config();
    stack.auth_by = zos::NssAuthBy::passticket;
    World w(ike_config(false), stack);
    w.client->start(w.now);
    w.pump();
    EXPECT_EQ(w.primary.count_registers(), 0u);
    EXPECT_EQ(w.named("nss.passticket_failed").size(), 1u);
    EXPECT_EQ(w.client->connection_state(), ConnectionState::disconnected);
}

TEST(NssClient, RemoteManagementAnsweredThroughManagedStack) {
    World w;
    FakeStack stack;
    w.client->set_managed_stack(&stack);
    w.client->start(w.now);
    w.pump();
    ConnId const conn = w.conn_to(w.primary);
    w.primary.send(conn, {77, wn::MgmtRequest{wn::MgmtCommand::display_filters, "", "ADMIN"}});
    w.pump();
    ASSERT_EQ(stack.seen.size(), 1u);
    EXPECT_EQ(stack.seen[0].requester, "ADMIN");
    auto replies = w.primary.of_type<wn::MgmtReply>();
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].request_id, 77u);
    auto const& r = std::get<wn::MgmtReply>(replies[0].body);
    EXPECT_EQ(r.result, wn::ResultCode::ok);
    EXPECT_EQ(r.lines.size(), 2u);
}

TEST(NssClient, RemoteManagementNotGrantedAnswersNotAuthorized) {
    World w;
    FakeStack stack;
    w.client->set_managed_stack(&stack);
    w.primary.register_reply.granted.remote_mgmt = false;
    w.client->start(w.now);
    w.pump();
    w.primary.send(w.conn_to(w.primary),
                   {9, wn::MgmtRequest{wn::MgmtCommand::policy_default, "", "ADMIN"}});
    w.pump();
    EXPECT_TRUE(stack.seen.empty());
    auto replies = w.primary.of_type<wn::MgmtReply>();
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].request_id, 9u);
    EXPECT_EQ(std::get<wn::MgmtReply>(replies[0].body).result, wn::ResultCode::not_authorized);
}

TEST(NssClient, ServiceNotConfiguredOrNotGrantedFailsAtOnce) {
    zos::NssStackConfig stack = stack_config();
    stack.service_types = {zos::NssServiceType::remote_mgmt};
    World w(ike_config(), stack);
    w.client->start(w.now);
    RequestHandle h = w.client->request_sign("IKED", wn::SignatureScheme::ecdsa_sha256, {}, w.now);
    w.pump();
    ASSERT_EQ(w.completions.size(), 1u);
    EXPECT_EQ(w.completions[0].handle, h);
    EXPECT_EQ(w.completions[0].result, wn::ResultCode::service_not_granted);

    World g;
    g.primary.register_reply.granted.cert = false;
    g.client->start(g.now);
    RequestHandle q = g.client->request_sign("IKED", wn::SignatureScheme::ecdsa_sha256, {}, g.now);
    g.pump();  // queued before registration, refused once the grant is known
    ASSERT_EQ(g.completions.size(), 1u);
    EXPECT_EQ(g.completions[0].handle, q);
    EXPECT_EQ(g.completions[0].result, wn::ResultCode::service_not_granted);
    EXPECT_TRUE(g.primary.of_type<wn::SignRequest>().empty());
}

TEST(NssClient, BoundedQueueWhileDisconnected) {
    NssClientOptions options;
    options.max_pending_requests = 2;
    World w(ike_config(), stack_config(), options);
    w.primary.up = false;
    w.backup.up = false;
    w.client->start(w.now);
    w.pump();
    w.client->request_sign("A", wn::SignatureScheme::ecdsa_sha256, {}, w.now);
    w.client->request_sign("B", wn::SignatureScheme::ecdsa_sha256, {}, w.now);
    RequestHandle third = w.client->request_sign("C", wn::SignatureScheme::ecdsa_sha256, {}, w.now);
    w.pump();
    ASSERT_EQ(w.completions.size(), 1u);
    EXPECT_EQ(w.completions[0].handle, third);
    EXPECT_EQ(w.completions[0].result, wn::ResultCode::busy);
    // The queued ones are sent once a server is back.
    w.primary.up = true;
    w.advance(3s);
    EXPECT_EQ(w.completions.size(), 3u);
}

TEST(NssClient, KeepaliveSentWhenIdleAndMissingAckIsConnectionLoss) {
    World w;
    w.client->start(w.now);
    w.pump();
    w.advance(31s);
    EXPECT_EQ(w.primary.of_type<wn::Keepalive>().size(), 1u);
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);
    w.primary.answer_keepalive = false;
    w.advance(30s + 61s);
    EXPECT_EQ(w.named("nss.keepalive_timeout").size(), 1u);
    // Failed over to the backup.
    EXPECT_EQ(w.client->current_server(), ep("9.1.1.2"));
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);
}

TEST(NssClient, RefreshUnchangedDoesNothingChangedReconnects) {
    World w;
    w.client->start(w.now);
    w.pump();
    std::size_t const actions_before = w.actions.size();
    auto same = w.client->refresh(ike_config(), stack_config(), w.now);
    ASSERT_TRUE(same);
    EXPECT_FALSE(same.value());
    w.pump();
    EXPECT_EQ(w.actions.size(), actions_before);

    zos::NssStackConfig changed = stack_config();
    changed.user_id = "A1S2";
    auto res = w.client->refresh(ike_config(), changed, w.now);
    ASSERT_TRUE(res);
    EXPECT_TRUE(res.value());
    w.pump();
    EXPECT_EQ(w.primary.count_registers(), 2u);
    EXPECT_EQ(
        std::get<wn::RegisterRequest>(w.primary.of_type<wn::RegisterRequest>()[1].body).user_id,
        "A1S2");
    EXPECT_EQ(w.primary.of_type<wn::Close>().size(), 1u);
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);
}

TEST(NssClient, FailbackToPrimaryWhenEnabled) {
    NssClientOptions options;
    options.failback_to_primary = true;
    options.failback_interval = 120s;
    World w(ike_config(), stack_config(), options);
    w.primary.up = false;
    w.client->start(w.now);
    w.pump();
    EXPECT_EQ(w.client->current_server(), ep("9.1.1.2"));
    w.primary.up = true;
    w.advance(121s);
    EXPECT_EQ(w.client->current_server(), ep("9.1.1.1"));
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);

    World d;  // default: stays on the backup
    d.primary.up = false;
    d.client->start(d.now);
    d.pump();
    d.primary.up = true;
    d.advance(400s);
    EXPECT_EQ(d.client->current_server(), ep("9.1.1.2"));
}

TEST(NssClient, StopCompletesPendingRequests) {
    World w;
    w.primary.answer_requests = false;
    w.client->start(w.now);
    w.pump();
    RequestHandle h = w.client->request_sign("IKED", wn::SignatureScheme::ecdsa_sha256, {}, w.now);
    w.pump();
    w.client->stop(w.now);
    w.pump();
    ASSERT_EQ(count_handle(w.completions, h), 1u);
    EXPECT_EQ(w.client->connection_state(), ConnectionState::disconnected);
    EXPECT_FALSE(w.client->next_timeout().has_value());
}

TEST(NssClient, SnapshotOfConnectedStack) {
    World w;
    w.client->start(w.now);
    w.pump();
    StackDisplay d = w.client->snapshot();
    EXPECT_EQ(d.client_name, "SYSTEMA_STACK1");
    EXPECT_EQ(d.client_api_version, 4u);
    EXPECT_EQ(d.server_api_version, 4u);
    EXPECT_TRUE(d.nss_services_supported);
    EXPECT_EQ(d.remote_management_enabled, true);
    EXPECT_EQ(d.certificate_services_enabled, true);
    EXPECT_EQ(d.client_endpoint, ep("10.81.4.4", 50008));
    EXPECT_EQ(d.server_endpoint, ep("9.1.1.1"));
    EXPECT_EQ(d.server_system_name, "NSSSYS");
    EXPECT_EQ(d.user_id, "A1S1");
    EXPECT_EQ(d.connection_state, ConnectionState::connected);
    EXPECT_EQ(d.time_connected, w.now);
}

TEST(NssClient, HungServerTimesOutAfterNssWaitLimitAndFailsOver) {
    World w;
    w.primary.silent = true;
    w.client->start(w.now);
    w.pump();
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connecting);
    w.advance(59s);
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connecting);
    w.advance(2s);
    EXPECT_EQ(w.named("nss.connect_timeout").size(), 1u);
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);
    EXPECT_EQ(w.client->current_server(), ep("9.1.1.2"));
    bool aborted = false;
    for (auto const& a : w.actions)
        aborted = aborted || a.kind == core::StreamTransmit::Kind::abort;
    EXPECT_TRUE(aborted);
}

TEST(NssClient, HostNameServerNeedsAnAddress) {
    zos::IkeConfig ike = ike_config(false);
    ike.network_security_server->host = "nssd.example.com";
    ike.network_security_server->address.reset();
    ike.network_security_server->identity =
        zos::NssServerIdentity{zos::NssIdentityType::fqdn, "nssd.example.com", {}};
    {
        World w(ike);
        w.client->start(w.now);
        w.pump();
        EXPECT_EQ(w.named("nss.connect_failed").size(), 1u);
        EXPECT_EQ(w.client->connection_state(), ConnectionState::disconnected);
    }
    NssClientOptions options;
    options.host_addresses["nssd.example.com"] = IpAddress::parse("9.1.1.1").value();
    World w(ike, stack_config(), options);
    w.client->start(w.now);
    w.pump();
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);
    EXPECT_EQ(w.client->current_server(), ep("9.1.1.1"));
}

TEST(NssClient, ServerKeepaliveAnsweredWithSameId) {
    World w;
    w.client->start(w.now);
    w.pump();
    w.primary.send(w.conn_to(w.primary), {4242, wn::Keepalive{}});
    w.pump();
    auto acks = w.primary.of_type<wn::KeepaliveAck>();
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].request_id, 4242u);
}

TEST(NssClient, ServerCloseFailsOverToBackup) {
    World w;
    w.client->start(w.now);
    w.pump();
    w.primary.up = false;
    w.primary.send(w.conn_to(w.primary), {0, wn::Close{"NSSD stopping"}});
    w.pump();
    EXPECT_EQ(w.named("nss.server_close").size(), 1u);
    EXPECT_EQ(w.client->current_server(), ep("9.1.1.2"));
    EXPECT_EQ(w.client->connection_state(), ConnectionState::connected);
    EXPECT_EQ(w.console("EZD1136I").size(), 2u);
}

TEST(IpsecW, FormatsConnectedAndNonNssStacks) {
    StackDisplay c;
    c.stack_name = "TCPCS4";
    c.client_name = "Client4";
    c.client_api_version = 4;
    c.server_api_version = 4;
    c.nss_services_supported = true;
    c.remote_management_selected = true;
    c.remote_management_enabled = true;
    c.certificate_services_selected = true;
    c.certificate_services_enabled = true;
    c.client_endpoint = ep("10.81.4.4", 50008);
    c.server_endpoint = ep("10.81.5.5", 4159);
    c.server_system_name = "MVS175";
    c.user_id = "USER1";
    c.connection_state = ConnectionState::connected;
    c.time_connected = tls::test::at("2009-06-06T19:20:01Z");
    c.time_last_message = tls::test::at("2009-06-06T19:23:10Z");
    IpsecWHeader h;
    h.system_name = "MVS175";
    h.now = tls::test::at("2009-06-06T19:23:16Z");
    std::string const text = format_ipsec_w(h, {c, StackDisplay::not_nss("TCPCS")});
    std::string const expected =
        "CS V1R12 ipsec NSS Client Name: n/a  Sat Jun  6 19:23:16 2009\n"
        "Primary: Stack NSS  Function: Display  Format: Detail\n"
        "Source: IKED  Scope: n/a  TotAvail: 2\n"
        "SystemName: MVS175\n"
        "\n"
        "StackName:                      TCPCS4\n"
        "ClientName:                     Client4\n"
        "ClientAPIVersion:               4\n"
        "ServerAPIVersion:               4\n"
        "NSServicesSupported:            Yes\n"
        "RemoteManagementSelected:       Yes\n"
        "RemoteManagementEnabled:        Yes\n"
        "CertificateServicesSelected:    Yes\n"
        "CertificateServicesEnabled:     Yes\n"
        "NSClientIPAddress:              10.81.4.4\n"
        "NSClientPort:                   50008\n"
        "NSServerIPAddress:              10.81.5.5\n"
        "NSServerPort:                   4159\n"
        "NSServerSystemName:             MVS175\n"
        "UserID:                         USER1\n"
        "ConnectionState:                connected\n"
        "TimeConnectedToNSServer:        2009/06/06 19:20:01\n"
        "TimeOfLastMessageToNSServer:    2009/06/06 19:23:10\n"
        "****************************************************************************\n"
        "\n"
        "StackName:                      TCPCS\n"
        "ClientName:                     n/a\n"
        "ClientAPIVersion:               n/a\n"
        "ServerAPIVersion:               n/a\n"
        "NSServicesSupported:            No\n"
        "RemoteManagementSelected:       No\n"
        "RemoteManagementEnabled:        n/a\n"
        "CertificateServicesSelected:    No\n"
        "CertificateServicesEnabled:     n/a\n"
        "NSClientIPAddress:              n/a\n"
        "NSClientPort:                   n/a\n"
        "NSServerIPAddress:              n/a\n"
        "NSServerPort:                   n/a\n"
        "NSServerSystemName:             n/a\n"
        "UserID:                         n/a\n"
        "ConnectionState:                n/a\n"
        "TimeConnectedToNSServer:        n/a\n"
        "TimeOfLastMessageToNSServer:    n/a\n";
    EXPECT_EQ(text, expected);
}

}  // namespace
}  // namespace nsslab::nss
