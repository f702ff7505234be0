// End-to-end check of the TLS decryption path: a real TLS session (OpenSSL over memory BIOs,
// used here only as a traffic generator) is carried in a synthesized TCP connection on the NSS
// port 4159; tshark must recover the application data with the key log given as a file
// (KeyLogWriter + tls.keylog_file) and with the key log embedded in the capture (Decryption
// Secrets Block), and must not recover it without keys.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>

#include "nsslab/reports/key_log.hpp"
#include "nsslab/reports/pcapng.hpp"
#include "support/tshark.hpp"
#include "tcp_flow.hpp"

namespace nsslab::test {
namespace {

namespace fs = std::filesystem;

struct SslCtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
    void operator()(SSL* s) const { SSL_free(s); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};

void collect_key_log(SSL const* ssl, char const* line) {
    auto* lines =
        static_cast<std::vector<std::string>*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
    lines->emplace_back(line);
}

std::string drain(BIO* bio) {
    std::string out;
    char buf[16384];
    int n = 0;
    while ((n = BIO_read(bio, buf, sizeof buf)) > 0)
        out.append(buf, static_cast<std::size_t>(n));
    return out;
}

// A TLS client and server joined by memory BIOs; every flight becomes TCP segments of `flow`.
struct TlsSession {
    std::unique_ptr<EVP_PKEY, PkeyFree> key;
    std::unique_ptr<X509, X509Free> cert;
    std::unique_ptr<SSL_CTX, SslCtxFree> client_ctx;
    std::unique_ptr<SSL_CTX, SslCtxFree> server_ctx;
    std::unique_ptr<SSL, SslFree> client;
    std::unique_ptr<SSL, SslFree> server;
    BIO* client_in{nullptr};  // owned by the SSL objects
    BIO* client_out{nullptr};
    BIO* server_in{nullptr};
    BIO* server_out{nullptr};
    std::vector<std::string> key_log;
    // (from_client, bytes) in the order they were sent.
    std::vector<std::pair<bool, std::string>> flights;

    explicit TlsSession(int max_version) {
        key.reset(EVP_EC_gen("P-256"));
        cert.reset(X509_new());
        X509_set_version(cert.get(), 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
        X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
        X509_set_pubkey(cert.get(), key.get());
        X509_NAME* name = X509_get_subject_name(cert.get());
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<unsigned char const*>("nssd"), -1, -1, 0);
        X509_set_issuer_name(cert.get(), name);
        X509_sign(cert.get(), key.get(), EVP_sha256());

        server_ctx.reset(SSL_CTX_new(TLS_server_method()));
        SSL_CTX_use_certificate(server_ctx.get(), cert.get());
        SSL_CTX_use_PrivateKey(server_ctx.get(), key.get());
        SSL_CTX_set_num_tickets(server_ctx.get(), 0);
        client_ctx.reset(SSL_CTX_new(TLS_client_method()));
        SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_NONE, nullptr);
        SSL_CTX_set_max_proto_version(client_ctx.get(), max_version);
        SSL_CTX_set_app_data(client_ctx.get(), &key_log);
        SSL_CTX_set_keylog_callback(client_ctx.get(), collect_key_log);

        client.reset(SSL_new(client_ctx.get()));
        server.reset(SSL_new(server_ctx.get()));
        client_in = BIO_new(BIO_s_mem());
        client_out = BIO_new(BIO_s_mem());
        server_in = BIO_new(BIO_s_mem());
        server_out = BIO_new(BIO_s_mem());
        SSL_set_bio(client.get(), client_in, client_out);
        SSL_set_bio(server.get(), server_in, server_out);
        SSL_set_connect_state(client.get());
        SSL_set_accept_state(server.get());
    }

    void pump() {
        for (;;) {
            std::string c = drain(client_out);
            std::string s = drain(server_out);
            if (c.empty() && s.empty())
                return;
            if (!c.empty()) {
                flights.emplace_back(true, c);
                BIO_write(server_in, c.data(), static_cast<int>(c.size()));
            }
            if (!s.empty()) {
                flights.emplace_back(false, s);
                BIO_write(client_in, s.data(), static_cast<int>(s.size()));
            }
            // Let each side consume what it received.
            if (!SSL_is_init_finished(client.get()))
                SSL_do_handshake(client.get());
            if (!SSL_is_init_finished(server.get()))
                SSL_do_handshake(server.get());
        }
    }

    bool handshake() {
        SSL_do_handshake(client.get());
        for (int i = 0;
             i < 10 && !(SSL_is_init_finished(client.get()) && SSL_is_init_finished(server.get()));
             ++i) {
            pump();
            SSL_do_handshake(client.get());
            SSL_do_handshake(server.get());
        }
        pump();
        return SSL_is_init_finished(client.get()) && SSL_is_init_finished(server.get());
    }

    std::string exchange(SSL* from, SSL* to, std::string const& data) {
        SSL_write(from, data.data(), static_cast<int>(data.size()));
        pump();
        std::string got;
        char buf[4096];
        int n = 0;
        while ((n = SSL_read(to, buf, sizeof buf)) > 0)
            got.append(buf, static_cast<std::size_t>(n));
        pump();
        return got;
    }
};

class TlsDecrypt : public ::testing::TestWithParam<int> {
  protected:
    void SetUp() override {
        ASSERT_TRUE(tshark_available());
        dir_ = fs::path(NSSLAB_BINARY_DIR) / "tests" / "reports" / "captures";
        fs::create_directories(dir_);
        stem_ = GetParam() == TLS1_3_VERSION ? "tls13" : "tls12";
    }
    fs::path dir_;
    std::string stem_;
};

// Binary bytes included: follow,raw must carry them unchanged.
std::string request_bytes() {
    return std::string("NSS\x00\x01 sign request from IKED", 28);
}
std::string reply_bytes() {
    using namespace std::string_literals;
    return std::string(3000, 'R') + "\xff\x00 end of reply"s;
}

TEST_P(TlsDecrypt, TsharkRecoversApplicationDataWithKeyLogFileOrEmbeddedSecrets) {
    std::string const request = request_bytes();
    std::string const reply = reply_bytes();
    ASSERT_EQ(reply.size(), 3000u + 15u);
    TlsSession tls(GetParam());
    ASSERT_TRUE(tls.handshake());
    ASSERT_EQ(tls.exchange(tls.client.get(), tls.server.get(), request), request);
    ASSERT_EQ(tls.exchange(tls.server.get(), tls.client.get(), reply), reply);
    SSL_shutdown(tls.client.get());
    tls.pump();
    ASSERT_FALSE(tls.key_log.empty());

    TcpFlow flow({IpAddress::parse("9.1.1.1").value(), 40123},
                 {IpAddress::parse("9.1.1.2").value(), 4159}, 0x01000000, 0x7f000000,
                 time_from_unix_seconds(1767225600));
    flow.handshake();
    for (auto const& [from_client, bytes] : tls.flights)
        flow.send(from_client, bytes);
    flow.close();

    // Capture without secrets + key log file.
    fs::path const plain = dir_ / (stem_ + "_plain.pcapng");
    fs::path const keylog = dir_ / (stem_ + "_keys.log");
    fs::path const embedded = dir_ / (stem_ + "_dsb.pcapng");
    {
        auto w = reports::PcapngWriter::open_file(plain);
        ASSERT_TRUE(w);
        for (auto const& p : flow.packets())
            ASSERT_TRUE((*w)->write(p));
        ASSERT_TRUE((*w)->flush());
        auto k = reports::KeyLogWriter::open(keylog, true);
        ASSERT_TRUE(k);
        ASSERT_TRUE(k->append(tls.key_log));
    }
    {
        auto w = reports::PcapngWriter::open_file(embedded);
        ASSERT_TRUE(w);
        ASSERT_TRUE((*w)->add_tls_key_log(tls.key_log));  // before the packets it unlocks
        for (auto const& p : flow.packets())
            ASSERT_TRUE((*w)->write(p));
        ASSERT_TRUE((*w)->flush());
    }

    // Keys learned only after the packets: a DSB at the end of the file is not used by
    // Wireshark 4.0, but secrets_first moves it ahead of the held-back packets.
    fs::path const late = dir_ / (stem_ + "_dsb_late.pcapng");
    fs::path const first = dir_ / (stem_ + "_dsb_first.pcapng");
    for (bool secrets_first : {false, true}) {
        reports::PcapngOptions options;
        options.secrets_first = secrets_first;
        auto w = reports::PcapngWriter::open_file(secrets_first ? first : late, options);
        ASSERT_TRUE(w);
        for (auto const& p : flow.packets())
            ASSERT_TRUE((*w)->write(p));
        ASSERT_TRUE((*w)->add_tls_key_log(tls.key_log));
        ASSERT_TRUE((*w)->flush());
    }

    TlsDecodeOptions with_file;
    with_file.keylog_file = keylog;
    auto const decode = tls_decode_options(with_file);
    EXPECT_EQ(count_matching(plain, "_ws.malformed", decode), 0u);
    EXPECT_EQ(count_matching(plain, "tcp.analysis.flags", decode), 0u);
    EXPECT_EQ(count_matching(plain, "_ws.expert.severity >= warning", decode), 0u);

    FollowStream stream;
    std::string error;
    ASSERT_TRUE(follow_tls(plain, with_file, stream, error)) << error;
    EXPECT_EQ(stream.client_data(), request);
    EXPECT_EQ(stream.server_data(), reply);
    // Node 0 is whoever sent the first decrypted record (server in TLS 1.3, client in 1.2).
    EXPECT_TRUE(stream.node0 == "9.1.1.2:4159" || stream.node0 == "9.1.1.1:40123") << stream.node0;

    // Per-record extraction: direction from the packet addresses.
    std::vector<TlsRecord> records;
    ASSERT_TRUE(decrypted_tls_records(plain, with_file, records, error)) << error;
    std::string client_bytes;
    std::string server_bytes;
    for (auto const& rec : records) {
        EXPECT_EQ(rec.tcp_stream, 0u);
        if (rec.source == "9.1.1.1:40123")
            client_bytes += rec.data;
        else if (rec.source == "9.1.1.2:4159")
            server_bytes += rec.data;
        else
            ADD_FAILURE() << "record from " << rec.source;
    }
    EXPECT_EQ(client_bytes, request);
    EXPECT_EQ(server_bytes, reply);

    // The Decryption Secrets Block alone is enough (Wireshark >= 3.0 reads it).
    FollowStream from_dsb;
    ASSERT_TRUE(follow_tls(embedded, TlsDecodeOptions{}, from_dsb, error)) << error;
    EXPECT_EQ(from_dsb.client_data(), request);
    EXPECT_EQ(from_dsb.server_data(), reply);
    EXPECT_EQ(count_matching(embedded, "_ws.malformed", tls_decode_options({})), 0u);

    FollowStream from_late;
    ASSERT_TRUE(follow_tls(late, TlsDecodeOptions{}, from_late, error)) << error;
    EXPECT_TRUE(from_late.chunks.empty()) << "Wireshark now uses a trailing DSB: update docs";
    FollowStream from_first;
    ASSERT_TRUE(follow_tls(first, TlsDecodeOptions{}, from_first, error)) << error;
    EXPECT_EQ(from_first.client_data(), request);
    EXPECT_EQ(from_first.server_data(), reply);

    // Without keys nothing is decrypted: the check can fail.
    FollowStream none;
    ASSERT_TRUE(follow_tls(plain, TlsDecodeOptions{}, none, error)) << error;
    EXPECT_TRUE(none.chunks.empty());
    ASSERT_TRUE(decrypted_tls_records(plain, TlsDecodeOptions{}, records, error)) << error;
    EXPECT_TRUE(records.empty());
}

INSTANTIATE_TEST_SUITE_P(Versions, TlsDecrypt, ::testing::Values(TLS1_3_VERSION, TLS1_2_VERSION),
                         [](auto const& param_info) {
                             return param_info.param == TLS1_3_VERSION ? "tls13" : "tls12";
                         });

}  // namespace
}  // namespace nsslab::test
