// tls::Channel with a server certificate issued by an intermediate CA: the server sends
// ServerConfig::certificate_chain_pem (leaf, then intermediates), so a client that trusts only
// the root CA (IKED's key ring) builds the path (RFC 8446 §4.4.2, RFC 5246 §7.4.2).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/key.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/tls/channel.hpp"
#include "tls_test_support.hpp"

namespace nsslab::tls {
namespace {

using State = Channel::State;

// root CA -> intermediate CA -> server (SAN iPAddress 9.1.1.1), built in-process.
struct Hierarchy {
    std::unique_ptr<crypto::LibContext> ctx;
    crypto::PrivateKey root_key, inter_key, server_key;
    crypto::Certificate root, inter, server;

    static crypto::Certificate issue(std::string const& cn, crypto::PrivateKey const& key,
                                     crypto::Certificate const* issuer,
                                     crypto::PrivateKey const& issuer_key, std::uint64_t serial,
                                     bool ca) {
        crypto::CertificateSpec spec;
        spec.subject = crypto::DistinguishedName::parse("CN=" + cn + ",O=nsslab").value();
        spec.serial = serial;
        spec.not_before = test::at("2025-01-01T00:00:00Z");
        spec.not_after = test::at("2030-01-01T00:00:00Z");
        spec.is_ca = ca;
        if (ca) {
            crypto::KeyUsage ku;
            ku.key_cert_sign = true;
            ku.crl_sign = true;
            spec.key_usage = ku;
        } else {
            spec.subject_alt_names.ip_addresses.push_back(IpAddress::parse("9.1.1.1").value());
        }
        auto cert = issuer == nullptr ? crypto::Certificate::create_self_signed(spec, key)
                                      : crypto::Certificate::create_signed(spec, key.public_key(),
                                                                           *issuer, issuer_key);
        EXPECT_TRUE(cert.has_value()) << (cert ? "" : cert.error().what());
        return std::move(*cert);
    }

    static Hierarchy const& get() {
        static Hierarchy const h = [] {
            Hierarchy x;
            x.ctx = crypto::LibContext::deterministic(3, "PKI").value();
            auto gen = [&] {
                return crypto::PrivateKey::generate(x.ctx.get(), crypto::KeyType::ec_p256).value();
            };
            x.root_key = gen();
            x.inter_key = gen();
            x.server_key = gen();
            x.root = issue("Chain Root CA", x.root_key, nullptr, x.root_key, 1, true);
            x.inter = issue("Chain Intermediate CA", x.inter_key, &x.root, x.root_key, 2, true);
            x.server = issue("nssd.chain", x.server_key, &x.inter, x.inter_key, 3, false);
            return x;
        }();
        return h;
    }
};

class ChainTest : public ::testing::TestWithParam<Version> {
  protected:
    void SetUp() override {
        client_ctx_ = crypto::LibContext::deterministic(1, "SYSTEMA").value();
        server_ctx_ = crypto::LibContext::deterministic(1, "NSSD").value();
    }

    // Runs a handshake; the client trusts only the root.
    std::pair<Channel, Channel> handshake(std::string chain_pem) {
        auto const& h = Hierarchy::get();
        ServerConfig sc;
        sc.certificate_chain_pem = std::move(chain_pem);
        sc.private_key_pem = h.server_key.export_private_pem_unsafe().value();
        sc.min_version = sc.max_version = GetParam();
        ClientConfig cc = test::client_config();
        cc.trust_anchors_pem = h.root.to_pem();
        cc.min_version = cc.max_version = GetParam();
        auto client = Channel::client(*client_ctx_, cc);
        auto server = Channel::server(*server_ctx_, sc);
        EXPECT_TRUE(client.has_value() && server.has_value());
        test::pump(*client, *server);
        return {std::move(*client), std::move(*server)};
    }

    std::unique_ptr<crypto::LibContext> client_ctx_;
    std::unique_ptr<crypto::LibContext> server_ctx_;
};

TEST_P(ChainTest, RootOnlyClientAcceptsLeafSentWithIntermediate) {
    auto const& h = Hierarchy::get();
    auto [client, server] = handshake(h.server.to_pem() + h.inter.to_pem());
    ASSERT_EQ(client.state(), State::established) << client.failure_reason();
    ASSERT_EQ(server.state(), State::established) << server.failure_reason();
    ASSERT_TRUE(client.peer_certificate().has_value());
    EXPECT_NE(client.peer_certificate()->subject.find("nssd.chain"), std::string::npos);
    ASSERT_TRUE(client.send(as_bytes("register")).has_value());
    test::pump(client, server);
    Bytes got = server.poll_received().value_or(Bytes{});
    EXPECT_EQ(std::string(got.begin(), got.end()), "register");
}

TEST_P(ChainTest, RootOnlyClientRejectsLeafSentAlone) {
    auto const& h = Hierarchy::get();
    auto [client, server] = handshake(h.server.to_pem());
    EXPECT_EQ(client.state(), State::failed);
    EXPECT_NE(client.failure_reason().find("unable to get local issuer certificate"),
              std::string::npos)
        << client.failure_reason();
}

TEST_P(ChainTest, SendingTheRootToo) {
    // A chain that also carries the root (some key rings connect it) still verifies.
    auto const& h = Hierarchy::get();
    auto [client, server] = handshake(h.server.to_pem() + h.inter.to_pem() + h.root.to_pem());
    EXPECT_EQ(client.state(), State::established) << client.failure_reason();
}

INSTANTIATE_TEST_SUITE_P(Versions, ChainTest, ::testing::Values(Version::tls1_2, Version::tls1_3),
                         [](auto const& param_info) {
                             return param_info.param == Version::tls1_2 ? std::string("tls12")
                                                                        : std::string("tls13");
                         });

}  // namespace
}  // namespace nsslab::tls
