// The tshark checker itself: argv passing without a shell, exit codes, the follow-output
// parser, and KeyLogWriter.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <fstream>

#include "nsslab/reports/key_log.hpp"
#include "support/tshark.hpp"

namespace nsslab::test {
namespace {

namespace fs = std::filesystem;

TEST(RunTshark, VersionRunsAndUnknownOptionFails) {
    ASSERT_TRUE(tshark_available());
    auto bad = run_tshark({"--no-such-option-nsslab"});
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_FALSE(bad.err.empty());
}

TEST(RunTshark, ArgumentsAreNotInterpretedByAShell) {
    ASSERT_TRUE(tshark_available());
    fs::path const marker = fs::path(NSSLAB_BINARY_DIR) / "tests" / "reports" / "injected";
    fs::remove(marker);
    auto r = run_tshark({"-r", "/nonexistent; touch " + marker.string()});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_FALSE(fs::exists(marker));
    EXPECT_NE(r.err.find("nonexistent; touch"), std::string::npos) << r.err;
}

TEST(RunTshark, HangingTsharkIsKilledAfterTheTimeout) {
    ASSERT_TRUE(tshark_available());
    // Opening a FIFO nobody writes to blocks forever.
    fs::path const fifo = fs::path(NSSLAB_BINARY_DIR) / "tests" / "reports" / "never.fifo";
    fs::create_directories(fifo.parent_path());
    fs::remove(fifo);
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    auto r = run_tshark({"-r", fifo.string()}, std::chrono::seconds(1));
    EXPECT_EQ(r.exit_code, 128 + SIGKILL);
    EXPECT_NE(r.err.find("killed after 1 s"), std::string::npos) << r.err;
    fs::remove(fifo);
}

TEST(ParseFollowRaw, ReadsBothDirectionsAndMergesAdjacentLines) {
    std::string const text =
        "\n===================================================================\n"
        "Follow: tls,raw\n"
        "Filter: tcp.stream eq 0\n"
        "Node 0: 9.1.1.1:40123\n"
        "Node 1: 9.1.1.2:4159\n"
        "48656c6c6f\n"
        "00ff\n"
        "\t776f726c64\n"
        "21\n"
        "===================================================================\n";
    FollowStream s;
    std::string error;
    ASSERT_TRUE(parse_follow_raw(text, s, error)) << error;
    EXPECT_EQ(s.node0, "9.1.1.1:40123");
    EXPECT_EQ(s.node1, "9.1.1.2:4159");
    ASSERT_EQ(s.chunks.size(), 3u);
    EXPECT_EQ(s.chunks[0].data, std::string("Hello\x00\xff", 7));
    EXPECT_FALSE(s.chunks[0].node1);
    EXPECT_TRUE(s.chunks[1].node1);
    EXPECT_FALSE(s.server_is_node0);
    EXPECT_EQ(s.server_data(), "world");
    EXPECT_EQ(s.client_data(), std::string("Hello\x00\xff!", 8));
    s.server_is_node0 = true;
    EXPECT_EQ(s.client_data(), "world");
    EXPECT_EQ(s.server_data(), std::string("Hello\x00\xff!", 8));
}

TEST(ParseFollowRaw, EmptyStreamAndErrors) {
    std::string const rule =
        "===================================================================\n";
    FollowStream s;
    std::string error;
    EXPECT_TRUE(parse_follow_raw(rule +
                                     "Follow: tls,raw\nFilter: tcp.stream eq 3\nNode 0: :0\n"
                                     "Node 1: :0\n" +
                                     rule,
                                 s, error))
        << error;
    EXPECT_TRUE(s.chunks.empty());
    EXPECT_FALSE(parse_follow_raw(rule + "Follow: tls,raw\n4x\n" + rule, s, error));
    EXPECT_NE(error.find("not hex"), std::string::npos);
    EXPECT_FALSE(parse_follow_raw(rule + "Follow: tls,raw\nabc\n" + rule, s, error));
    EXPECT_FALSE(parse_follow_raw(rule + "Follow: tls,ascii\n" + rule, s, error));
    EXPECT_FALSE(parse_follow_raw("", s, error));
    EXPECT_FALSE(parse_follow_raw(rule + "Follow: tls,raw\n", s, error));  // unterminated
}

TEST(TlsDecodeOptions, KeyLogAndPorts) {
    TlsDecodeOptions o;
    o.keylog_file = "/tmp/k.log";
    o.tls_ports = {4159, 5000};
    EXPECT_EQ(tls_decode_options(o),
              (std::vector<std::string>{"-o", "tls.keylog_file:/tmp/k.log", "-d",
                                        "tcp.port==4159,tls", "-d", "tcp.port==5000,tls"}));
}

std::string slurp(fs::path const& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(KeyLogWriter, AppendsLinesAndTruncatesOnRequest) {
    fs::path const path = fs::path(NSSLAB_BINARY_DIR) / "tests" / "reports" / "keylog_test.log";
    fs::create_directories(path.parent_path());
    {
        auto w = reports::KeyLogWriter::open(path, true);
        ASSERT_TRUE(w) << w.error().what();
        ASSERT_TRUE(w->append("CLIENT_RANDOM 00 11"));
        EXPECT_EQ(slurp(path), "CLIENT_RANDOM 00 11\n");  // flushed immediately
        EXPECT_EQ(w->append("bad\nline").error().code, Errc::invalid_argument);
        EXPECT_FALSE(w->append(""));
        EXPECT_EQ(w->lines_written(), 1u);
    }
    {
        auto w = reports::KeyLogWriter::open(path);
        ASSERT_TRUE(w);
        ASSERT_TRUE(w->append(std::vector<std::string>{"A 1 2", "B 3 4"}));
    }
    EXPECT_EQ(slurp(path), "CLIENT_RANDOM 00 11\nA 1 2\nB 3 4\n");
    {
        auto w = reports::KeyLogWriter::open(path, true);
        ASSERT_TRUE(w);
    }
    EXPECT_EQ(slurp(path), "");
    EXPECT_FALSE(reports::KeyLogWriter::open("/nonexistent-nsslab-dir/k.log"));
}

TEST(KeyLogWriter, FormatsALine) {
    Bytes random(32, 0xab);
    Bytes secret{0x01, 0x02};
    std::string hex;
    for (int i = 0; i < 32; ++i)
        hex += "ab";
    EXPECT_EQ(reports::format_key_log_line("CLIENT_RANDOM", random, secret),
              "CLIENT_RANDOM " + hex + " 0102");
}

}  // namespace
}  // namespace nsslab::test
