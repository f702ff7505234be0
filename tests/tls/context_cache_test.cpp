// tls::ContextCache: channels made from a shared SSL_CTX handshake like uncached ones; the
// cache builds one context per distinct configuration, stays bounded, may go away before its
// channels, and never shares per-connection settings (verification time, identity).
#include "tls_test_support.hpp"

namespace nsslab::tls::test {
namespace {

class ContextCacheTest : public ::testing::Test {
  protected:
    void SetUp() override {
        client_lib_ = std::move(crypto::LibContext::deterministic(1, "SYSTEMA").value());
        server_lib_ = std::move(crypto::LibContext::deterministic(1, "NSSD").value());
    }
    // One client/server handshake; returns the client's state afterwards.
    Channel::State handshake(ContextCache* client_cache, ContextCache* server_cache,
                             ClientConfig cc = client_config(), ServerConfig sc = server_config()) {
        auto client = Channel::client(*client_lib_, std::move(cc), client_cache);
        auto server = Channel::server(*server_lib_, std::move(sc), server_cache);
        EXPECT_TRUE(client && server);
        if (!client || !server)
            return Channel::State::failed;
        pump(*client, *server);
        return client->state();
    }
    std::unique_ptr<crypto::LibContext> client_lib_;
    std::unique_ptr<crypto::LibContext> server_lib_;
};

TEST_F(ContextCacheTest, ManyChannelsShareOneContextPerConfiguration) {
    ContextCache clients;
    ContextCache servers;
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(handshake(&clients, &servers), Channel::State::established) << i;
    EXPECT_EQ(clients.size(), 1u);
    EXPECT_EQ(servers.size(), 1u);
    EXPECT_EQ(clients.misses(), 1u);
    EXPECT_EQ(clients.hits(), 4u);
    EXPECT_EQ(servers.hits(), 4u);
    // Another server certificate is another context.
    ClientConfig cc = client_config();
    cc.expected_identity = ServerIdentity{IdentityType::fqdn, "other.example.com"};
    EXPECT_EQ(handshake(&clients, &servers, cc, server_config("noip")),
              Channel::State::established);
    EXPECT_EQ(servers.size(), 2u);
    EXPECT_EQ(clients.size(), 1u);  // per-connection settings are not part of the context
}

TEST_F(ContextCacheTest, VerificationTimeStaysPerConnection) {
    ContextCache clients;
    EXPECT_EQ(handshake(&clients, nullptr), Channel::State::established);
    // Same cached context, but a clock past the server certificate's validity.
    ClientConfig late = client_config();
    late.verification_time = at("2035-01-01T00:00:00Z");
    EXPECT_EQ(handshake(&clients, nullptr, late), Channel::State::failed);
    EXPECT_EQ(clients.hits(), 1u);
    // And the next connection with a good clock still succeeds.
    EXPECT_EQ(handshake(&clients, nullptr), Channel::State::established);
}

TEST_F(ContextCacheTest, IdentityMismatchStillFailsWithACachedContext) {
    ContextCache clients;
    EXPECT_EQ(handshake(&clients, nullptr), Channel::State::established);
    ClientConfig other = client_config();
    other.server_address = IpAddress::parse("9.9.9.9").value();  // not in the SAN
    EXPECT_EQ(handshake(&clients, nullptr, other), Channel::State::failed);
    EXPECT_EQ(clients.size(), 1u);
}

TEST_F(ContextCacheTest, BoundedAndMayBeDestroyedBeforeItsChannels) {
    auto cache = std::make_unique<ContextCache>(1);
    auto server = Channel::server(*server_lib_, server_config(), cache.get());
    ASSERT_TRUE(server);
    (void)Channel::server(*server_lib_, server_config("noip"), cache.get());
    EXPECT_EQ(cache->size(), 1u);  // the first entry was evicted
    cache.reset();
    // The first channel still owns its context: it completes a handshake.
    auto client = Channel::client(*client_lib_, client_config());
    ASSERT_TRUE(client);
    pump(*client, *server);
    EXPECT_EQ(client->state(), Channel::State::established);
    EXPECT_EQ(server->state(), Channel::State::established);
}

TEST_F(ContextCacheTest, ABadConfigurationIsNotCached) {
    ContextCache clients;
    ClientConfig bad = client_config();
    bad.trust_anchors_pem = "no certificate here";
    EXPECT_FALSE(Channel::client(*client_lib_, bad, &clients));
    EXPECT_EQ(clients.size(), 0u);
    EXPECT_EQ(clients.misses(), 0u);
}

}  // namespace
}  // namespace nsslab::tls::test
