// The demo end to end: determinism of every byte it writes (issue 2 §4: TLS 1.3 handshake and
// ECDSA P-256 signatures over a simulated TCP stream, run twice per seed, compared by hash) and
// the capture as tshark reads it (issue 2 §5).
#include "nsslab/demo/demo.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "support/tshark.hpp"

namespace nsslab::demo {
namespace {

std::string slurp(std::filesystem::path const& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Output folders of this process's demo runs, removed when the test program ends.
struct ScratchDirs : ::testing::Environment {
    std::vector<std::filesystem::path> dirs;
    void TearDown() override {
        for (auto const& d : dirs)
            std::filesystem::remove_all(d);
    }
};
ScratchDirs* scratch_dirs =
    static_cast<ScratchDirs*>(::testing::AddGlobalTestEnvironment(new ScratchDirs));

std::filesystem::path scratch(std::string const& name) {
    auto dir = std::filesystem::temp_directory_path() /
               ("nsslab-demo-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(dir);
    scratch_dirs->dirs.push_back(dir);
    return dir;
}

DemoResult run(std::uint64_t seed, std::string const& name, double loss = 0.02) {
    DemoOptions options;
    options.seed = seed;
    options.out_dir = scratch(name);
    options.loss = loss;
    auto result = run_demo(options);
    EXPECT_TRUE(result) << (result ? "" : result.error().what());
    return result ? *result : DemoResult{};
}

TEST(Demo, CompletesAndWritesItsFiles) {
    DemoResult r = run(1, "complete");
    EXPECT_TRUE(r.ok) << r.failure;
    EXPECT_EQ(r.tls_version, "TLSv1.3");
    EXPECT_EQ(r.signatures_verified, 5);
    EXPECT_GT(r.datagrams_echoed, 0);
    EXPECT_GT(std::filesystem::file_size(r.trace_path), 0u);
    EXPECT_GT(std::filesystem::file_size(r.capture_path), 0u);
    std::string keys = slurp(r.keylog_path);
    EXPECT_NE(keys.find("CLIENT_HANDSHAKE_TRAFFIC_SECRET "), std::string::npos);
    std::string trace = slurp(r.trace_path);
    EXPECT_NE(trace.find("\"event\":\"demo.tls_established\""), std::string::npos);
    // No TLS secret and no private key ever reaches the trace.
    EXPECT_EQ(trace.find("TRAFFIC_SECRET"), std::string::npos);
    EXPECT_EQ(trace.find("PRIVATE KEY"), std::string::npos);
    std::string summary = describe(r);
    EXPECT_NE(summary.find(r.capture_path.string()), std::string::npos);
}

TEST(Demo, SameSeedGivesIdenticalBytesAndOtherSeedDiffers) {
    DemoResult a = run(42, "det-a");
    DemoResult b = run(42, "det-b");
    DemoResult c = run(43, "det-c");
    ASSERT_TRUE(a.ok && b.ok && c.ok);
    EXPECT_EQ(slurp(a.trace_path), slurp(b.trace_path));
    EXPECT_EQ(slurp(a.capture_path), slurp(b.capture_path));
    EXPECT_EQ(slurp(a.keylog_path), slurp(b.keylog_path));
    EXPECT_EQ(a.trace_hash, b.trace_hash);
    EXPECT_NE(slurp(a.capture_path), slurp(c.capture_path));
    EXPECT_NE(slurp(a.keylog_path), slurp(c.keylog_path));
    EXPECT_NE(a.trace_hash, c.trace_hash);
}

TEST(DemoCapture, CleanLinkDecodesWithoutWarningsAndDecrypts) {
    ASSERT_TRUE(test::tshark_available());
    DemoResult r = run(7, "tshark-clean", 0.0);
    ASSERT_TRUE(r.ok) << r.failure;
    ASSERT_EQ(r.packets_dropped, 0u);
    test::TlsDecodeOptions tls;
    tls.keylog_file = r.keylog_path;
    auto opts = test::tls_decode_options(tls);
    auto with_checksums = opts;
    for (auto const& o : test::checksum_options())
        with_checksums.push_back(o);
    EXPECT_EQ(test::count_matching(r.capture_path, "_ws.malformed", opts), 0u);
    EXPECT_EQ(test::count_matching(r.capture_path, "tcp.analysis.flags", opts), 0u);
    EXPECT_EQ(
        test::count_matching(r.capture_path, "_ws.expert.severity >= warning", with_checksums), 0u);
    EXPECT_GT(test::count_matching(r.capture_path, "tls.handshake.type == 1", opts), 0u);
    test::FollowStream stream;
    std::string error;
    ASSERT_TRUE(test::follow_tls(r.capture_path, tls, stream, error)) << error;
    EXPECT_NE(stream.client_data().find("SIGN "), std::string::npos);
    EXPECT_NE(stream.server_data().find("SIG 30"), std::string::npos);  // DER ECDSA signature
}

TEST(DemoCapture, LossyLinkStaysWellFormedAndDecryptsFromEmbeddedSecrets) {
    ASSERT_TRUE(test::tshark_available());
    DemoResult r = run(3, "tshark-lossy", 0.15);
    ASSERT_TRUE(r.ok) << r.failure;
    EXPECT_GT(r.packets_dropped, 0u);
    test::TlsDecodeOptions tls;  // no key log file: the capture's Decryption Secrets Block
    auto opts = test::tls_decode_options(tls);
    EXPECT_EQ(test::count_matching(r.capture_path, "_ws.malformed", opts), 0u);
    // Lost segments were really lost: tshark may flag retransmissions, never checksums.
    auto checks = opts;
    for (auto const& o : test::checksum_options())
        checks.push_back(o);
    EXPECT_EQ(test::count_matching(r.capture_path,
                                   "ip.checksum.status == 0 || tcp.checksum.status == 0 || "
                                   "udp.checksum.status == 0",
                                   checks),
              0u);
    test::FollowStream stream;
    std::string error;
    ASSERT_TRUE(test::follow_tls(r.capture_path, tls, stream, error)) << error;
    EXPECT_NE(stream.client_data().find("SIGN "), std::string::npos);
}

}  // namespace
}  // namespace nsslab::demo
