// DESIGN.md §4 "Determinism", issue 2 §4: with a deterministic LibContext per side, a TLS
// handshake, application data and an ECDSA P-256 signature made with the client's context give
// byte-identical transcripts for the same seed, and different bytes for another seed.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "../../sim/crypto/src/libctx_access.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/tls/channel.hpp"
#include "tls_test_support.hpp"

namespace nsslab::tls {
namespace {

Bytes sha256(ByteView data) {
    Bytes out(32);
    unsigned len = 0;
    EXPECT_EQ(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr), 1);
    return out;
}

// An ECDSA P-256 key generated in `ctx` and its signature over `message`.
Bytes ecdsa_p256_signature(crypto::LibContext& ctx, std::string_view message) {
    OSSL_LIB_CTX* lib = crypto::native_context(ctx);
    EVP_PKEY* pkey = EVP_PKEY_Q_keygen(lib, nullptr, "EC", "P-256");
    EXPECT_NE(pkey, nullptr);
    if (pkey == nullptr)
        return {};
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    std::size_t len = 0;
    auto const msg = as_bytes(message);
    EXPECT_EQ(EVP_DigestSignInit_ex(md, nullptr, "SHA256", lib, nullptr, pkey, nullptr), 1);
    EXPECT_EQ(EVP_DigestSign(md, nullptr, &len, msg.data(), msg.size()), 1);
    Bytes sig(len);
    EXPECT_EQ(EVP_DigestSign(md, sig.data(), &len, msg.data(), msg.size()), 1);
    sig.resize(len);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pkey);
    return sig;
}

struct Exchange {
    Bytes digest;  // SHA-256 over both ciphertext directions and the signature
    std::vector<std::string> keylog;
    Bytes client_to_server;
};

// One complete exchange; `deterministic` false uses system contexts (real randomness).
Exchange run_once(std::uint64_t seed, Version version, bool deterministic = true) {
    auto client_ctx = deterministic ? crypto::LibContext::deterministic(seed, "SYSTEMA")
                                    : crypto::LibContext::system();
    auto server_ctx = deterministic ? crypto::LibContext::deterministic(seed, "NSSD")
                                    : crypto::LibContext::system();
    EXPECT_TRUE(client_ctx.has_value() && server_ctx.has_value());
    ClientConfig cc = test::client_config();
    cc.min_version = cc.max_version = version;
    auto client = Channel::client(**client_ctx, cc);
    auto server = Channel::server(**server_ctx, test::server_config());
    EXPECT_TRUE(client.has_value() && server.has_value());

    test::Transcript t;
    EXPECT_TRUE(client->send(as_bytes("NSS connect SYSTEMA_TCPIP")).has_value());
    test::pump(*client, *server, 0, &t);
    EXPECT_EQ(server->state(), Channel::State::established) << server->failure_reason();
    EXPECT_TRUE(server->send(as_bytes("NSS connect reply: granted")).has_value());
    test::pump(*client, *server, 0, &t);
    client->close();
    test::pump(*client, *server, 0, &t);
    EXPECT_EQ(server->state(), Channel::State::closed);

    Bytes const sig = ecdsa_p256_signature(**client_ctx, "IKE_AUTH octets");
    Bytes all;
    all.insert(all.end(), t.client_to_server.begin(), t.client_to_server.end());
    all.insert(all.end(), t.server_to_client.begin(), t.server_to_client.end());
    all.insert(all.end(), sig.begin(), sig.end());
    return Exchange{sha256(all), test::keylog_lines(*client), t.client_to_server};
}

TEST(TlsDeterminism, SameSeedGivesIdenticalTranscriptsTls13) {
    Exchange const a = run_once(20261126, Version::tls1_3);
    Exchange const b = run_once(20261126, Version::tls1_3);
    EXPECT_EQ(to_hex(a.digest), to_hex(b.digest));
    EXPECT_EQ(a.client_to_server, b.client_to_server);
    EXPECT_EQ(a.keylog, b.keylog);
    EXPECT_EQ(a.keylog.size(), 5u);
    // For cross-process comparison (run the binary twice, compare the XML/JSON output).
    RecordProperty("digest", to_hex(a.digest));

    Exchange const other = run_once(20261127, Version::tls1_3);
    EXPECT_NE(to_hex(a.digest), to_hex(other.digest));
    EXPECT_NE(a.keylog, other.keylog);
}

TEST(TlsDeterminism, SameSeedGivesIdenticalTranscriptsTls12) {
    Exchange const a = run_once(7, Version::tls1_2);
    Exchange const b = run_once(7, Version::tls1_2);
    EXPECT_EQ(to_hex(a.digest), to_hex(b.digest));
    EXPECT_NE(to_hex(a.digest), to_hex(run_once(8, Version::tls1_2).digest));
}

TEST(TlsDeterminism, SystemContextsDiffer) {
    // The check above can fail: with OpenSSL's normal randomness two runs differ.
    Exchange const a = run_once(1, Version::tls1_3, false);
    Exchange const b = run_once(1, Version::tls1_3, false);
    EXPECT_NE(to_hex(a.digest), to_hex(b.digest));
}

}  // namespace
}  // namespace nsslab::tls
