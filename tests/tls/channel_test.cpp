// tls::Channel driven by the hand "pair": handshakes, data, failures (AT-TLS emulation).
#include "nsslab/tls/channel.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "nsslab/crypto/openssl_context.hpp"
#include "tls_test_support.hpp"

namespace nsslab::tls {
namespace {

using test::client_config;
using test::pump;
using test::server_config;
using State = Channel::State;

class ChannelTest : public ::testing::Test {
  protected:
    void SetUp() override {
        client_ctx_ = std::move(crypto::LibContext::deterministic(1, "SYSTEMA").value());
        server_ctx_ = std::move(crypto::LibContext::deterministic(1, "NSSD").value());
    }

    Channel make_client(ClientConfig config = client_config()) {
        auto c = Channel::client(*client_ctx_, std::move(config));
        EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().what());
        return std::move(*c);
    }
    Channel make_server(ServerConfig config = server_config()) {
        auto s = Channel::server(*server_ctx_, std::move(config));
        EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().what());
        return std::move(*s);
    }

    std::unique_ptr<crypto::LibContext> client_ctx_;
    std::unique_ptr<crypto::LibContext> server_ctx_;
};

bool contains(std::string const& text, std::string const& part) {
    return text.find(part) != std::string::npos;
}

std::string text(Bytes const& b) {
    return std::string(b.begin(), b.end());
}

TEST_F(ChannelTest, Tls13HandshakeAndDataBothWays) {
    Channel client = make_client();
    Channel server = make_server();
    EXPECT_TRUE(client.is_client());
    EXPECT_FALSE(server.is_client());
    EXPECT_EQ(client.state(), State::handshaking);
    ASSERT_TRUE(client.send(as_bytes("queued before the handshake")).has_value());
    EXPECT_EQ(client.unsent_plaintext_size(), 27u);
    pump(client, server);
    ASSERT_EQ(client.state(), State::established) << client.failure_reason();
    ASSERT_EQ(server.state(), State::established) << server.failure_reason();
    EXPECT_EQ(client.version_name(), "TLSv1.3");
    EXPECT_EQ(server.version_name(), "TLSv1.3");
    EXPECT_EQ(client.cipher_name(), server.cipher_name());
    EXPECT_TRUE(contains(client.cipher_name(), "TLS_")) << client.cipher_name();
    EXPECT_EQ(text(server.poll_received().value_or(Bytes{})), "queued before the handshake");
    EXPECT_EQ(client.unsent_plaintext_size(), 0u);

    ASSERT_TRUE(server.send(as_bytes("reply from NSSD")).has_value());
    ASSERT_TRUE(client.send(as_bytes("second")).has_value());
    pump(client, server);
    EXPECT_EQ(text(client.poll_received().value_or(Bytes{})), "reply from NSSD");
    EXPECT_EQ(text(server.poll_received().value_or(Bytes{})), "second");
    EXPECT_TRUE(client.poll_received().value_or(Bytes{}).empty());

    auto peer = client.peer_certificate();
    ASSERT_TRUE(peer.has_value());
    EXPECT_EQ(peer->subject, "CN=nssd.example.com,O=nsslab,C=US");
    EXPECT_EQ(peer->issuer, "CN=nsslab Test CA,O=nsslab");
    EXPECT_EQ(peer->san_dns, std::vector<std::string>{"nssd.example.com"});
    EXPECT_EQ(peer->san_email, std::vector<std::string>{"nssd@example.com"});
    ASSERT_EQ(peer->san_ip.size(), 2u);
    EXPECT_EQ(peer->san_ip[1].to_string(), "9.1.1.1");
    EXPECT_EQ(peer->not_before, test::at("2025-01-01T00:00:00Z"));
    EXPECT_EQ(peer->not_after, test::at("2030-01-01T00:00:00Z"));
    EXPECT_FALSE(server.peer_certificate().has_value());  // no client certificate

    // SSLKEYLOGFILE lines: TLS 1.3 has four traffic secrets and the exporter secret per side.
    auto lines = test::keylog_lines(client);
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](auto const& l) {
        return l.rfind("CLIENT_HANDSHAKE_TRAFFIC_SECRET ", 0) == 0;
    }));
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](auto const& l) {
        return l.rfind("SERVER_TRAFFIC_SECRET_0 ", 0) == 0;
    }));
    EXPECT_TRUE(test::keylog_lines(client).empty());
    auto server_lines = test::keylog_lines(server);
    std::sort(lines.begin(), lines.end());
    std::sort(server_lines.begin(), server_lines.end());
    EXPECT_EQ(lines, server_lines);  // both ends log the same secrets
}

TEST_F(ChannelTest, Tls12HandshakeAndData) {
    ClientConfig cc = client_config();
    cc.max_version = Version::tls1_2;
    ServerConfig sc = server_config();
    sc.cipher_list = "ECDHE-ECDSA-AES128-GCM-SHA256";
    Channel client = make_client(cc);
    Channel server = make_server(sc);
    pump(client, server);
    ASSERT_EQ(client.state(), State::established) << client.failure_reason();
    ASSERT_EQ(server.state(), State::established) << server.failure_reason();
    EXPECT_EQ(client.version_name(), "TLSv1.2");
    EXPECT_EQ(client.cipher_name(), "ECDHE-ECDSA-AES128-GCM-SHA256");
    ASSERT_TRUE(client.send(as_bytes("ping")).has_value());
    ASSERT_TRUE(server.send(as_bytes("pong")).has_value());
    pump(client, server);
    EXPECT_EQ(text(server.poll_received().value_or(Bytes{})), "ping");
    EXPECT_EQ(text(client.poll_received().value_or(Bytes{})), "pong");
    auto lines = test::keylog_lines(client);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].rfind("CLIENT_RANDOM ", 0), 0u);
}

TEST_F(ChannelTest, VersionRangeWithoutOverlapFails) {
    ClientConfig cc = client_config();
    cc.max_version = Version::tls1_2;
    ServerConfig sc = server_config();
    sc.min_version = Version::tls1_3;
    Channel client = make_client(cc);
    Channel server = make_server(sc);
    pump(client, server);
    EXPECT_EQ(server.state(), State::failed);
    EXPECT_TRUE(contains(server.failure_reason(), "unsupported protocol"))
        << server.failure_reason();
    EXPECT_EQ(client.state(), State::failed);
}

TEST_F(ChannelTest, UntrustedCaFailsBothSides) {
    Channel client = make_client();
    Channel server = make_server(server_config("untrusted"));
    ASSERT_TRUE(client.send(as_bytes("credentials")).has_value());
    pump(client, server);
    ASSERT_EQ(client.state(), State::failed);
    EXPECT_TRUE(contains(client.failure_reason(),
                         "certificate verification failed: unable to get local issuer certificate"))
        << client.failure_reason();
    EXPECT_EQ(server.state(), State::failed);
    EXPECT_TRUE(contains(server.failure_reason(), "alert")) << server.failure_reason();
    EXPECT_TRUE(server.poll_received().value_or(Bytes{}).empty());
    EXPECT_FALSE(client.send(as_bytes("x")).has_value());
}

TEST_F(ChannelTest, ExpiredCertificateFailsAtTheVerificationTime) {
    {
        Channel client = make_client();  // 2026-06-01
        Channel server = make_server(server_config("expired"));
        pump(client, server);
        ASSERT_EQ(client.state(), State::failed);
        EXPECT_TRUE(contains(client.failure_reason(), "certificate has expired"))
            << client.failure_reason();
    }
    {
        ClientConfig cc = client_config();
        cc.verification_time = test::at("2020-06-01T00:00:00Z");  // inside its validity
        Channel client = make_client(cc);
        Channel server = make_server(server_config("expired"));
        pump(client, server);
        EXPECT_EQ(client.state(), State::established) << client.failure_reason();
    }
    {
        ClientConfig cc = client_config();
        cc.verification_time = test::at("2024-12-31T23:59:59Z");  // before server.pem's notBefore
        Channel client = make_client(cc);
        Channel server = make_server();
        pump(client, server);
        ASSERT_EQ(client.state(), State::failed);
        EXPECT_TRUE(contains(client.failure_reason(), "certificate is not yet valid"))
            << client.failure_reason();
    }
}

struct IdentityCase {
    std::optional<ServerIdentity> identity;
    std::string server_address;
    std::string certificate;
    bool match;
};

TEST_F(ChannelTest, ServerIdentityMatchAndMismatchForEachType) {
    using T = IdentityType;
    std::vector<IdentityCase> const cases = {
        {ServerIdentity{T::ip_addr, "9.1.1.1"}, "9.1.1.1", "server", true},
        {ServerIdentity{T::ip_addr, "127.0.0.1"}, "9.1.1.1", "server", true},
        {ServerIdentity{T::ip_addr, "9.1.1.2"}, "9.1.1.1", "server", false},
        {ServerIdentity{T::fqdn, "nssd.example.com"}, "9.1.1.1", "server", true},
        {ServerIdentity{T::fqdn, "NSSD.Example.COM"}, "9.1.1.1", "server", true},
        {ServerIdentity{T::fqdn, "other.example.com"}, "9.1.1.1", "server", false},
        {ServerIdentity{T::user_at_fqdn, "nssd@example.com"}, "9.1.1.1", "server", true},
        {ServerIdentity{T::user_at_fqdn, "root@example.com"}, "9.1.1.1", "server", false},
        {ServerIdentity{T::x500dn, "CN=nssd.example.com,O=nsslab,C=US"}, "9.1.1.1", "server", true},
        {ServerIdentity{T::x500dn, "C=US, O=nsslab, CN=nssd.example.com"}, "9.1.1.1", "server",
         true},
        {ServerIdentity{T::x500dn, "CN=nssd.example.com,O=other,C=US"}, "9.1.1.1", "server", false},
        {std::nullopt, "9.1.1.1", "server", true},
        {std::nullopt, "127.0.0.1", "server", true},
        {std::nullopt, "10.0.0.1", "server", false},
        {std::nullopt, "9.1.1.1", "noip", false},  // no SAN iPAddress at all; CN is not used
        {ServerIdentity{T::fqdn, "other.example.com"}, "9.1.1.1", "noip", true},
    };
    for (auto const& c : cases) {
        SCOPED_TRACE((c.identity
                          ? std::string(to_string(c.identity->type)) + " " + c.identity->value
                          : "omitted") +
                     " / " + c.server_address + " / " + c.certificate);
        ClientConfig cc = client_config();
        cc.expected_identity = c.identity;
        cc.server_address = IpAddress::parse(c.server_address).value();
        Channel client = make_client(cc);
        Channel server = make_server(server_config(c.certificate));
        ASSERT_TRUE(client.send(as_bytes("USER/PASSWORD")).has_value());
        pump(client, server);
        if (c.match) {
            EXPECT_EQ(client.state(), State::established) << client.failure_reason();
            EXPECT_EQ(text(server.poll_received().value_or(Bytes{})), "USER/PASSWORD");
        } else {
            EXPECT_EQ(client.state(), State::failed);
            EXPECT_EQ(client.failure_reason().rfind("server identity mismatch: ", 0), 0u)
                << client.failure_reason();
            // Nothing the client queued ever reached the server.
            EXPECT_TRUE(server.poll_received().value_or(Bytes{}).empty());
            EXPECT_EQ(server.state(), State::failed);
        }
    }
}

TEST_F(ChannelTest, PlainTextPeerIsRejectedAtOnce) {
    Channel server = make_server();
    server.handle_received(as_bytes("NSS/1 CONNECT SYSTEMA_TCPIP\r\n"), TimePoint{});
    ASSERT_EQ(server.state(), State::failed);
    EXPECT_EQ(server.failure_reason().rfind("not a TLS connection", 0), 0u)
        << server.failure_reason();
    EXPECT_TRUE(server.poll_transmit().value_or(Bytes{}).empty());
    EXPECT_TRUE(server.poll_received().value_or(Bytes{}).empty());

    // Detected on the second byte too, when bytes arrive one at a time.
    Channel second = make_server();
    second.handle_received(as_bytes("\x16"), TimePoint{});
    EXPECT_EQ(second.state(), State::handshaking);
    second.handle_received(as_bytes("G"), TimePoint{});
    EXPECT_EQ(second.state(), State::failed);
    EXPECT_TRUE(contains(second.failure_reason(), "byte 1 of the stream is 0x47"))
        << second.failure_reason();
}

TEST_F(ChannelTest, CloseNotifyClosesBothSides) {
    Channel client = make_client();
    Channel server = make_server();
    pump(client, server);
    ASSERT_EQ(client.state(), State::established);
    ASSERT_TRUE(client.send(as_bytes("last words")).has_value());
    client.close();
    EXPECT_EQ(client.state(), State::closed);
    EXPECT_FALSE(client.close_notify_received());
    auto after = client.send(as_bytes("too late"));
    ASSERT_FALSE(after.has_value());
    EXPECT_EQ(after.error().code, Errc::closed);
    pump(client, server);
    EXPECT_EQ(text(server.poll_received().value_or(Bytes{})), "last words");
    EXPECT_EQ(server.state(), State::closed);
    EXPECT_TRUE(server.close_notify_received());
    EXPECT_TRUE(client.close_notify_received());  // the server answered with its close_notify
    EXPECT_EQ(client.state(), State::closed);
    EXPECT_TRUE(client.failure_reason().empty());
    client.close();  // idempotent
    EXPECT_EQ(client.state(), State::closed);
}

TEST_F(ChannelTest, TransportClosedWithoutCloseNotifyFails) {
    Channel client = make_client();
    Channel server = make_server();
    server.handle_received(client.poll_transmit().value_or(Bytes{}), TimePoint{});
    server.handle_closed(TimePoint{});
    EXPECT_EQ(server.state(), State::failed);
    EXPECT_TRUE(contains(server.failure_reason(), "during the TLS handshake"));

    Channel c2 = make_client();
    Channel s2 = make_server();
    pump(c2, s2);
    s2.handle_closed(TimePoint{});
    EXPECT_EQ(s2.state(), State::failed);
    EXPECT_TRUE(contains(s2.failure_reason(), "without close_notify"));
}

TEST_F(ChannelTest, OneByteAtATimeDelivery) {
    Channel client = make_client();
    Channel server = make_server();
    ASSERT_TRUE(client.send(as_bytes("fragmented")).has_value());
    pump(client, server, 1);
    ASSERT_EQ(client.state(), State::established) << client.failure_reason();
    ASSERT_EQ(server.state(), State::established) << server.failure_reason();
    ASSERT_TRUE(server.send(as_bytes("reply")).has_value());
    pump(client, server, 1);
    EXPECT_EQ(text(server.poll_received().value_or(Bytes{})), "fragmented");
    EXPECT_EQ(text(client.poll_received().value_or(Bytes{})), "reply");
}

TEST_F(ChannelTest, UnsentPlaintextIsBounded) {
    ClientConfig cc = client_config();
    Channel client = make_client(cc);
    Bytes const block(default_max_unsent_plaintext, 0x5a);
    ASSERT_TRUE(client.send(block).has_value());
    auto over = client.send(as_bytes("x"));
    ASSERT_FALSE(over.has_value());
    EXPECT_EQ(over.error().code, Errc::limit_exceeded);
    Channel server = make_server();
    pump(client, server);
    ASSERT_EQ(server.state(), State::established);
    Bytes got = server.poll_received().value_or(Bytes{});
    EXPECT_EQ(got, block);                                // 1 MiB, several records
    EXPECT_TRUE(client.send(as_bytes("x")).has_value());  // room again
}

// Sends between two drains share TLS records: three small sends come out as one record (TLS
// 1.3: 5-octet header, the data, the content-type octet and a 16-octet tag), in order.
TEST_F(ChannelTest, SendsBetweenDrainsShareARecord) {
    Channel client = make_client();
    Channel server = make_server();
    pump(client, server);
    ASSERT_EQ(server.state(), State::established) << server.failure_reason();
    ASSERT_TRUE(server.send(as_bytes("one,")).has_value());
    ASSERT_TRUE(server.send(as_bytes("two,")).has_value());
    ASSERT_TRUE(server.send(as_bytes("three")).has_value());
    Bytes wire;
    for (Bytes b; !(b = server.poll_transmit().value_or(Bytes{})).empty();)
        wire.insert(wire.end(), b.begin(), b.end());
    EXPECT_EQ(wire.size(), 5u + 13u + 1u + 16u);
    client.handle_received(wire, TimePoint{});
    EXPECT_EQ(text(client.poll_received().value_or(Bytes{})), "one,two,three");
    // Past the bound on an established channel, what is queued is encrypted first: no error.
    Bytes const block(default_max_unsent_plaintext - 2, 0x33);
    ASSERT_TRUE(server.send(block).has_value());
    ASSERT_TRUE(server.send(as_bytes("tail")).has_value());
    pump(client, server);
    Bytes got = client.poll_received().value_or(Bytes{});
    ASSERT_EQ(got.size(), block.size() + 4);
    EXPECT_EQ(text(Bytes(got.end() - 4, got.end())), "tail");
}

TEST_F(ChannelTest, LargeTransferBothWays) {
    Channel client = make_client();
    Channel server = make_server();
    pump(client, server);
    Bytes big(300000);
    for (std::size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<std::uint8_t>(i * 7);
    ASSERT_TRUE(server.send(big).has_value());
    pump(client, server, 1000);
    EXPECT_EQ(client.poll_received().value_or(Bytes{}), big);
}

TEST_F(ChannelTest, ConfigurationErrors) {
    ServerConfig bad_key = server_config();
    bad_key.private_key_pem = "not a key";
    auto s = Channel::server(*server_ctx_, bad_key);
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, Errc::invalid_argument);

    ServerConfig wrong_key = server_config();
    wrong_key.private_key_pem = test::data_file("expired.key");
    auto w = Channel::server(*server_ctx_, wrong_key);
    ASSERT_FALSE(w.has_value());
    EXPECT_TRUE(contains(w.error().message, "does not match")) << w.error().message;

    ServerConfig no_cert = server_config();
    no_cert.certificate_chain_pem.clear();
    EXPECT_FALSE(Channel::server(*server_ctx_, no_cert).has_value());

    ClientConfig no_anchor = client_config();
    no_anchor.trust_anchors_pem = "";
    auto c = Channel::client(*client_ctx_, no_anchor);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().code, Errc::invalid_argument);

    ClientConfig bad_range = client_config();
    bad_range.min_version = Version::tls1_3;
    bad_range.max_version = Version::tls1_2;
    EXPECT_FALSE(Channel::client(*client_ctx_, bad_range).has_value());

    ClientConfig bad_ciphers = client_config();
    bad_ciphers.cipher_list = "NO-SUCH-CIPHER";
    EXPECT_FALSE(Channel::client(*client_ctx_, bad_ciphers).has_value());
}

TEST_F(ChannelTest, ChannelsAreMovable) {
    Channel client = make_client();
    Channel server = make_server();
    Channel moved = std::move(client);
    pump(moved, server);
    EXPECT_EQ(moved.state(), State::established);
    EXPECT_EQ(test::keylog_lines(moved).size(), 5u);  // callbacks follow the moved channel
}

}  // namespace
}  // namespace nsslab::tls
