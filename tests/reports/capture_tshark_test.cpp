// Captures written by PcapngWriter, decoded by tshark: no malformed packets, no TCP expert
// warnings on a clean connection, checksums verified, nanosecond timestamps and packet
// comments round-trip, and a deliberately lost segment is reported (so the checks can fail).
// tshark is required: without it these tests fail with a message, they do not skip.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "nsslab/reports/pcapng.hpp"
#include "support/tshark.hpp"
#include "tcp_flow.hpp"

namespace nsslab::test {
namespace {

namespace fs = std::filesystem;
using reports::PcapngWriter;

IpAddress ip(std::string_view text) {
    return IpAddress::parse(text).value();
}

TimePoint t0() {
    return time_from_unix_seconds(1767225600) + std::chrono::nanoseconds(1);
}

class CaptureTshark : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(tshark_available());
        auto const* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::path(NSSLAB_BINARY_DIR) / "tests" / "reports" / "captures";
        fs::create_directories(dir_);
        std::string name = std::string(info->test_suite_name()) + "." + info->name();
        for (auto& c : name)
            if (c == '/')
                c = '_';
        path_ = dir_ / (name + ".pcapng");
    }

    // Writes the packets (in memory, then to the file) and returns the file.
    fs::path write(std::vector<PacketRecord> const& packets) {
        PcapngWriter w;
        for (auto const& p : packets) {
            auto ok = w.write(p);
            EXPECT_TRUE(ok) << ok.error().what();
        }
        EXPECT_TRUE(w.flush());
        save(w.bytes());
        return path_;
    }
    void save(ByteView bytes) {
        std::ofstream out(path_, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<char const*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
        ASSERT_TRUE(out.good());
    }

    fs::path dir_;
    fs::path path_;
};

std::vector<PacketRecord> clean_tcp(std::string_view client, std::string_view server) {
    TcpFlow flow({ip(client), 40001}, {ip(server), 4159}, 0x12345678, 0xfedcba98, t0());
    flow.handshake(1460);
    flow.send(true, std::string(4000, 'q'));  // three segments
    flow.send(false, "reply from the server");
    flow.send(true, "bye");
    flow.close();
    return flow.packets();
}

std::vector<PacketRecord> udp_exchange(std::string_view a, std::string_view b) {
    std::vector<PacketRecord> out;
    for (int i = 0; i < 2; ++i) {
        PacketRecord p;
        p.time = t0() + std::chrono::milliseconds(10 + i);
        p.transport = Transport::udp;
        p.src = {ip(i == 0 ? a : b), static_cast<std::uint16_t>(i == 0 ? 40500 : 7)};
        p.dst = {ip(i == 0 ? b : a), static_cast<std::uint16_t>(i == 0 ? 7 : 40500)};
        p.payload = to_bytes(i == 0 ? "ping" : "pong!");
        out.push_back(std::move(p));
    }
    return out;
}

void expect_clean(fs::path const& capture, std::size_t packets) {
    auto const opts = checksum_options();
    EXPECT_EQ(count_matching(capture, "", opts), packets);
    EXPECT_EQ(count_matching(capture, "_ws.malformed", opts), 0u);
    EXPECT_EQ(count_matching(capture, "_ws.expert.severity >= warning", opts), 0u);
    EXPECT_EQ(count_matching(capture, "tcp.analysis.flags", opts), 0u);
    EXPECT_EQ(count_matching(capture, "ip.checksum.status == \"Bad\"", opts), 0u);
    EXPECT_EQ(count_matching(capture, "tcp.checksum.status == \"Bad\"", opts), 0u);
    EXPECT_EQ(count_matching(capture, "udp.checksum.status == \"Bad\"", opts), 0u);
    // Every checksum was verified (not "Unverified"), so the zero counts above mean "good".
    std::size_t const good = count_matching(
        capture, "tcp.checksum.status == \"Good\" || udp.checksum.status == \"Good\"", opts);
    EXPECT_EQ(good, packets);
}

class CaptureFamilies : public CaptureTshark,
                        public ::testing::WithParamInterface<std::pair<char const*, char const*>> {
};

TEST_P(CaptureFamilies, CleanTcpConnectionAndUdpExchangeDecodeWithoutWarnings) {
    auto [a, b] = GetParam();
    auto packets = clean_tcp(a, b);
    auto udp = udp_exchange(a, b);
    packets.insert(packets.end(), udp.begin(), udp.end());
    auto capture = write(packets);
    expect_clean(capture, packets.size());

    bool const v4 = IpAddress::parse(a).value().is_v4();
    if (v4) {
        EXPECT_EQ(count_matching(capture, "ip.checksum.status == \"Good\"", checksum_options()),
                  packets.size());
    }
    // The connection is complete in tshark's eyes: SYN, SYN-ACK, ACK, data, FIN, RST-free.
    auto rows =
        field_rows(capture, {"tcp.completeness"}, "tcp.flags.fin == 1 && tcp.flags.ack == 1");
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows.back()[0], "31");  // SYN(1) + SYN-ACK(2) + ACK(4) + DATA(8) + FIN(16)

    // Relative sequence numbers and the MSS option as tshark reads them.
    auto syn = field_rows(capture, {"tcp.seq_raw", "tcp.options.mss_val", "tcp.len"},
                          "tcp.flags.syn == 1 && tcp.flags.ack == 0");
    ASSERT_EQ(syn.size(), 1u);
    EXPECT_EQ(syn[0][0], std::to_string(0x12345678u));
    EXPECT_EQ(syn[0][1], "1460");
    auto data = field_rows(capture, {"tcp.len"}, "tcp.srcport == 40001 && tcp.len > 0");
    std::size_t client_bytes = 0;
    for (auto const& r : data)
        client_bytes += std::stoul(r[0]);
    EXPECT_EQ(client_bytes, 4003u);

    // UDP payloads and IPv4 TTL / IPv6 hop limit.
    auto u = field_rows(capture, {"udp.length", v4 ? "ip.ttl" : "ipv6.hlim", "udp.payload"}, "udp");
    ASSERT_EQ(u.size(), 2u);
    EXPECT_EQ(u[0][0], "12");
    EXPECT_EQ(u[0][1], "64");
    EXPECT_EQ(u[0][2], "70696e67");  // "ping"
    if (v4) {
        auto flags = field_rows(capture, {"ip.flags.df", "ip.id"}, "udp");
        ASSERT_EQ(flags.size(), 2u);
        EXPECT_EQ(flags[0][0], "1");
        EXPECT_EQ(flags[0][1], "0x0001");
    }
}

INSTANTIATE_TEST_SUITE_P(Families, CaptureFamilies,
                         ::testing::Values(std::pair{"10.0.0.1", "10.0.0.2"},
                                           std::pair{"fd00::1", "fd00:0:0:1::2"}),
                         [](auto const& param_info) {
                             return IpAddress::parse(param_info.param.first).value().is_v4()
                                        ? "ipv4"
                                        : "ipv6";
                         });

TEST_F(CaptureTshark, OmittedDataSegmentIsReportedAsLost) {
    auto packets = clean_tcp("10.0.0.1", "10.0.0.2");
    // Packets: SYN, SYN-ACK, ACK, then (segment, ACK) pairs; drop the second data segment.
    ASSERT_GT(packets[5].payload.size(), 0u);
    packets.erase(packets.begin() + 5);
    auto capture = write(packets);
    EXPECT_EQ(count_matching(capture, "_ws.malformed"), 0u);
    EXPECT_EQ(count_matching(capture, "tcp.analysis.lost_segment"), 1u);
    EXPECT_GE(count_matching(capture, "tcp.analysis.ack_lost_segment"), 1u);
    EXPECT_GT(count_matching(capture, "tcp.analysis.flags"), 0u);
}

TEST_F(CaptureTshark, CorruptedChecksumIsDetected) {
    PcapngWriter w;
    auto packets = udp_exchange("10.0.0.1", "10.0.0.2");
    for (auto const& p : packets)
        ASSERT_TRUE(w.write(p));
    Bytes file(w.bytes().begin(), w.bytes().end());
    // Flip the last payload byte of the last packet ("pong!" -> "pong "): the UDP checksum
    // no longer matches.
    auto const at =
        std::search(file.begin(), file.end(), std::begin("pong!"), std::end("pong!") - 1);
    ASSERT_NE(at, file.end());
    at[4] = ' ';
    save(file);
    EXPECT_EQ(count_matching(path_, "udp.checksum.status == \"Bad\"", checksum_options()), 1u);
}

TEST_F(CaptureTshark, NanosecondTimestampsAndCommentsRoundTrip) {
    std::vector<PacketRecord> packets = udp_exchange("10.0.0.1", "10.0.0.2");
    packets[0].time = time_from_unix_seconds(1767225600) + std::chrono::nanoseconds(123456789);
    packets[1].time = time_from_unix_seconds(1767225601) + std::chrono::nanoseconds(1);
    packets[1].comment = "dropped by partition A|B (swarm seed 42)";
    auto capture = write(packets);
    auto rows = field_rows(capture, {"frame.time_epoch", "frame.comment"});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][0], "1767225600.123456789");
    EXPECT_EQ(rows[0][1], "");
    EXPECT_EQ(rows[1][0], "1767225601.000000001");
    EXPECT_EQ(rows[1][1], packets[1].comment);
    EXPECT_EQ(count_matching(capture, "frame.comment contains \"swarm seed 42\""), 1u);
    auto iface = field_rows(capture, {"frame.interface_name"});
    ASSERT_FALSE(iface.empty());
    EXPECT_EQ(iface[0][0], "nsslab-sim");
}

TEST_F(CaptureTshark, FileModeWritesALargeSegmentedCapture) {
    // open_file + write + flush: a longer connection with many segments and jumbo payloads.
    TcpFlow flow({ip("192.0.2.1"), 50000}, {ip("192.0.2.200"), 4159}, 1, 0xFFFFFF00, t0());
    flow.handshake(8960);
    flow.send(true, std::string(100000, 'x'), 8960);
    flow.send(false, std::string(20000, 'y'), 8960);  // server sequence numbers wrap past 2^32
    flow.close();
    {
        auto w = PcapngWriter::open_file(path_);
        ASSERT_TRUE(w) << w.error().what();
        for (auto const& p : flow.packets())
            ASSERT_TRUE((*w)->write(p));
        ASSERT_TRUE((*w)->flush());
    }
    expect_clean(path_, flow.packets().size());
}

TEST(CaptureFiles, OpenFileFailsForAMissingDirectory) {
    auto w = PcapngWriter::open_file("/nonexistent-nsslab-dir/x.pcapng");
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().code, Errc::io_error);
}

}  // namespace
}  // namespace nsslab::test
