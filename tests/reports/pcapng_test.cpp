// PcapngWriter and frame synthesis, checked byte by byte (no tshark needed here; the
// tshark-based checks are in capture_tshark_test.cpp).
#include "nsslab/reports/pcapng.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace nsslab::reports {
namespace {

IpAddress ip(std::string_view text) {
    return IpAddress::parse(text).value();
}

PacketRecord udp_packet(std::string_view src, std::string_view dst, std::string_view payload) {
    PacketRecord p;
    p.time = time_from_unix_seconds(1767225600) + std::chrono::nanoseconds(123456789);
    p.transport = Transport::udp;
    p.src = {ip(src), 500};
    p.dst = {ip(dst), 4500};
    p.payload = to_bytes(payload);
    return p;
}

std::uint32_t le32(ByteView b, std::size_t at) {
    return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
           static_cast<std::uint32_t>(b[at + 2]) << 16 |
           static_cast<std::uint32_t>(b[at + 3]) << 24;
}
std::uint16_t be16(ByteView b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

struct Block {
    std::uint32_t type;
    Bytes body;  // between the leading length and the trailing length
};

// Walks the blocks of a little-endian pcapng file, checking both length fields.
std::vector<Block> blocks_of(ByteView file) {
    std::vector<Block> blocks;
    std::size_t at = 0;
    while (at < file.size()) {
        EXPECT_LE(at + 12, file.size());
        if (at + 12 > file.size())
            break;
        std::uint32_t type = le32(file, at);
        std::uint32_t len = le32(file, at + 4);
        EXPECT_EQ(len % 4, 0u);
        EXPECT_LE(at + len, file.size());
        if (len < 12 || at + len > file.size())
            break;
        EXPECT_EQ(le32(file, at + len - 4), len) << "trailing block length";
        blocks.push_back({type, Bytes(file.begin() + static_cast<std::ptrdiff_t>(at + 8),
                                      file.begin() + static_cast<std::ptrdiff_t>(at + len - 4))});
        at += len;
    }
    return blocks;
}

TEST(InternetChecksum, Rfc1071Example) {
    // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (folded); checksum is ~ddf2.
    Bytes data{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(internet_checksum(data), 0x220d);
    // A buffer that includes its own correct checksum sums to zero.
    data.push_back(0x22);
    data.push_back(0x0d);
    EXPECT_EQ(internet_checksum(data), 0);
}

TEST(MacFor, DerivedDeterministicallyFromTheAddress) {
    auto v4 = mac_for(ip("9.1.1.1"));
    EXPECT_EQ(v4, (std::array<std::uint8_t, 6>{0x02, 0x00, 9, 1, 1, 1}));
    auto a = mac_for(ip("fd00::1"));
    auto b = mac_for(ip("fd00::2"));
    EXPECT_EQ(a[0], 0x02);  // locally administered, unicast
    EXPECT_EQ(a[1], 0x00);
    EXPECT_NE(a, b);
    EXPECT_EQ(a, mac_for(ip("fd00::1")));
}

TEST(SynthesizeFrame, Ipv4UdpHeadersAndChecksums) {
    auto p = udp_packet("10.0.0.1", "10.0.0.2", "hello");
    auto frame = synthesize_frame(p, 0x1234);
    ASSERT_TRUE(frame) << frame.error().what();
    ByteView f = *frame;
    ASSERT_EQ(f.size(), 14u + 20 + 8 + 5);
    EXPECT_EQ(be16(f, 12), 0x0800);
    EXPECT_EQ(f[0], 0x02);
    EXPECT_EQ(f[5], 2);   // destination MAC ends with .2
    EXPECT_EQ(f[11], 1);  // source MAC ends with .1
    ByteView ip4 = f.subspan(14, 20);
    EXPECT_EQ(ip4[0], 0x45);
    EXPECT_EQ(be16(ip4, 2), 33);      // total length
    EXPECT_EQ(be16(ip4, 4), 0x1234);  // identification
    EXPECT_EQ(be16(ip4, 6), 0x4000);  // DF
    EXPECT_EQ(ip4[8], 64);
    EXPECT_EQ(ip4[9], 17);
    EXPECT_EQ(internet_checksum(ip4), 0) << "IPv4 header checksum";
    ByteView udp = f.subspan(34);
    EXPECT_EQ(be16(udp, 0), 500);
    EXPECT_EQ(be16(udp, 2), 4500);
    EXPECT_EQ(be16(udp, 4), 13);
    EXPECT_NE(be16(udp, 6), 0);
    // Verify the UDP checksum with the pseudo-header.
    Bytes pseudo{10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0, 13};
    pseudo.insert(pseudo.end(), udp.begin(), udp.end());
    EXPECT_EQ(internet_checksum(pseudo), 0);
}

TEST(SynthesizeFrame, TcpSynCarriesMssOptionAndDataOffset6) {
    PacketRecord p;
    p.transport = Transport::tcp;
    p.src = {ip("fd00::1"), 40000};
    p.dst = {ip("fd00::2"), 4159};
    p.seq = 0x01020304;
    p.flags = tcp_flags::syn;
    p.window = 1000;
    p.mss = 1440;
    auto frame = synthesize_frame(p, 7);
    ASSERT_TRUE(frame);
    ByteView f = *frame;
    ASSERT_EQ(f.size(), 14u + 40 + 24);
    EXPECT_EQ(be16(f, 12), 0x86DD);
    ByteView ip6 = f.subspan(14, 40);
    EXPECT_EQ(ip6[0], 0x60);
    EXPECT_EQ(be16(ip6, 4), 24);  // payload length
    EXPECT_EQ(ip6[6], 6);
    EXPECT_EQ(ip6[7], 64);
    ByteView tcp = f.subspan(54);
    EXPECT_EQ(tcp[12] >> 4, 6);
    EXPECT_EQ(tcp[13], tcp_flags::syn);
    EXPECT_EQ(be16(tcp, 14), 1000);
    EXPECT_EQ(tcp[20], 2);
    EXPECT_EQ(tcp[21], 4);
    EXPECT_EQ(be16(tcp, 22), 1440);
    // IPv6 pseudo-header: src, dst, 32-bit length, 3 zero bytes, next header.
    Bytes pseudo(ip6.begin() + 8, ip6.begin() + 40);
    pseudo.insert(pseudo.end(), {0, 0, 0, 24, 0, 0, 0, 6});
    pseudo.insert(pseudo.end(), tcp.begin(), tcp.end());
    EXPECT_EQ(internet_checksum(pseudo), 0);

    // No MSS option without SYN or with mss == 0.
    p.flags = tcp_flags::ack;
    EXPECT_EQ(synthesize_frame(p, 7)->size(), 14u + 40 + 20);
    p.flags = tcp_flags::syn;
    p.mss = 0;
    EXPECT_EQ(synthesize_frame(p, 7)->size(), 14u + 40 + 20);
}

TEST(SynthesizeFrame, RejectsOversizedPayloadsAtTheExactLimit) {
    auto p = udp_packet("10.0.0.1", "10.0.0.2", "");
    p.payload.assign(65535 - 20 - 8, 0xAB);
    EXPECT_TRUE(synthesize_frame(p, 1));
    p.payload.push_back(0);
    auto r = synthesize_frame(p, 1);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::oversized);

    // IPv6: the payload length excludes the 40-byte IPv6 header.
    auto q = udp_packet("fd00::1", "fd00::2", "");
    q.payload.assign(65535 - 8, 0xAB);
    EXPECT_TRUE(synthesize_frame(q, 1));
    q.payload.push_back(0);
    EXPECT_FALSE(synthesize_frame(q, 1));

    PacketRecord t;
    t.transport = Transport::tcp;
    t.src = {ip("10.0.0.1"), 1};
    t.dst = {ip("10.0.0.2"), 2};
    t.flags = tcp_flags::syn;
    t.mss = 1460;
    t.payload.assign(65535 - 20 - 24, 0);
    EXPECT_TRUE(synthesize_frame(t, 1));
    t.payload.push_back(0);
    EXPECT_FALSE(synthesize_frame(t, 1));
}

TEST(SynthesizeFrame, RejectsMixedFamilies) {
    auto p = udp_packet("10.0.0.1", "fd00::2", "x");
    auto r = synthesize_frame(p, 1);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(PcapngWriter, SectionInterfaceAndEnhancedPacketBlocks) {
    PcapngWriter w;
    auto p = udp_packet("10.0.0.1", "10.0.0.2", "hello");
    p.comment = "lost on link A->B";
    ASSERT_TRUE(w.write(p));
    ASSERT_TRUE(w.flush());
    EXPECT_EQ(w.packet_count(), 1u);
    auto blocks = blocks_of(w.bytes());
    ASSERT_EQ(blocks.size(), 3u);

    EXPECT_EQ(blocks[0].type, 0x0A0D0D0Au);
    EXPECT_EQ(le32(blocks[0].body, 0), 0x1A2B3C4Du);
    EXPECT_EQ(blocks[0].body[4], 1);  // major version 1 (little-endian u16)

    EXPECT_EQ(blocks[1].type, 1u);
    ByteView idb = blocks[1].body;
    EXPECT_EQ(idb[0], 1);  // LINKTYPE_ETHERNET
    EXPECT_EQ(le32(idb, 4), 262144u);
    // Options: if_name (2) "nsslab-sim", if_tsresol (9) = 9, end.
    EXPECT_EQ(idb[8], 2);
    EXPECT_EQ(idb[10], 10);
    EXPECT_EQ(std::string(idb.begin() + 12, idb.begin() + 22), "nsslab-sim");
    EXPECT_EQ(idb[24], 9);
    EXPECT_EQ(idb[26], 1);
    EXPECT_EQ(idb[28], 9);

    EXPECT_EQ(blocks[2].type, 6u);
    ByteView epb = blocks[2].body;
    std::uint64_t ts = static_cast<std::uint64_t>(le32(epb, 4)) << 32 | le32(epb, 8);
    EXPECT_EQ(ts, static_cast<std::uint64_t>(nanos(p.time)));
    EXPECT_EQ(le32(epb, 12), 47u);
    EXPECT_EQ(le32(epb, 16), 47u);
    std::size_t opt = 20 + 48;  // 47 padded to 48
    EXPECT_EQ(epb[opt], 1);     // opt_comment
    EXPECT_EQ(epb[opt + 2], p.comment.size());
    EXPECT_EQ(std::string(epb.begin() + static_cast<std::ptrdiff_t>(opt) + 4,
                          epb.begin() + static_cast<std::ptrdiff_t>(opt + 4 + p.comment.size())),
              p.comment);
}

TEST(PcapngWriter, EmptyCaptureIsAValidFile) {
    PcapngWriter w;
    ASSERT_TRUE(w.flush());
    auto blocks = blocks_of(w.bytes());
    ASSERT_EQ(blocks.size(), 2u);
    EXPECT_EQ(blocks[1].type, 1u);
}

TEST(PcapngWriter, StreamModeWritesTheSameBytesAsMemoryMode) {
    std::ostringstream os;
    PcapngWriter streamed(os);
    PcapngWriter memory;
    for (auto* w : {&streamed, &memory}) {
        ASSERT_TRUE(w->write(udp_packet("10.0.0.1", "10.0.0.2", "a")));
        ASSERT_TRUE(w->add_tls_key_log({"CLIENT_RANDOM 00 11"}));
        ASSERT_TRUE(w->write(udp_packet("10.0.0.2", "10.0.0.1", "bb")));
        ASSERT_TRUE(w->flush());
    }
    EXPECT_TRUE(streamed.bytes().empty());
    std::string const s = os.str();
    ASSERT_EQ(s.size(), memory.bytes().size());
    EXPECT_TRUE(
        std::equal(s.begin(), s.end(), reinterpret_cast<char const*>(memory.bytes().data())));
}

TEST(PcapngWriter, DecryptionSecretsBlockHoldsTheKeyLog) {
    PcapngWriter w;
    ASSERT_TRUE(w.add_tls_key_log({"CLIENT_RANDOM aa bb", "SERVER_TRAFFIC_SECRET_0 cc dd"}));
    auto blocks = blocks_of(w.bytes());
    ASSERT_EQ(blocks.size(), 3u);
    EXPECT_EQ(blocks[2].type, 0x0Au);
    ByteView dsb = blocks[2].body;
    EXPECT_EQ(le32(dsb, 0), 0x544c534bu);
    std::string const text = "CLIENT_RANDOM aa bb\nSERVER_TRAFFIC_SECRET_0 cc dd\n";
    EXPECT_EQ(le32(dsb, 4), text.size());
    EXPECT_EQ(
        std::string(dsb.begin() + 8, dsb.begin() + 8 + static_cast<std::ptrdiff_t>(text.size())),
        text);
    EXPECT_FALSE(w.add_tls_key_log({}));
    EXPECT_FALSE(w.add_tls_key_log({"two\nlines"}));
}

TEST(PcapngWriter, SecretsFirstHoldsPacketsUntilFlush) {
    PcapngOptions options;
    options.secrets_first = true;
    PcapngWriter w(options);
    ASSERT_TRUE(w.write(udp_packet("10.0.0.1", "10.0.0.2", "a")));
    ASSERT_TRUE(w.add_tls_key_log({"CLIENT_RANDOM 00 11"}));
    ASSERT_TRUE(w.write(udp_packet("10.0.0.2", "10.0.0.1", "b")));
    ASSERT_TRUE(w.add_tls_key_log({"CLIENT_RANDOM 22 33"}));
    EXPECT_EQ(blocks_of(w.bytes()).size(), 4u);  // SHB, IDB, DSB, DSB
    ASSERT_TRUE(w.flush());
    ASSERT_TRUE(w.write(udp_packet("10.0.0.1", "10.0.0.2", "c")));
    ASSERT_TRUE(w.flush());
    std::vector<std::uint32_t> types;
    for (auto const& b : blocks_of(w.bytes()))
        types.push_back(b.type);
    EXPECT_EQ(types, (std::vector<std::uint32_t>{0x0A0D0D0A, 1, 0x0A, 0x0A, 6, 6, 6}));
    EXPECT_EQ(w.packet_count(), 3u);
}

TEST(PcapngWriter, Ipv4IdentificationCountsPerFlow) {
    PcapngWriter w;
    ASSERT_TRUE(w.write(udp_packet("10.0.0.1", "10.0.0.2", "a")));
    ASSERT_TRUE(w.write(udp_packet("10.0.0.1", "10.0.0.2", "b")));
    ASSERT_TRUE(w.write(udp_packet("10.0.0.2", "10.0.0.1", "c")));
    ASSERT_TRUE(w.write(udp_packet("10.0.0.1", "10.0.0.2", "d")));
    auto blocks = blocks_of(w.bytes());
    ASSERT_EQ(blocks.size(), 6u);
    std::vector<std::uint16_t> ids;
    for (std::size_t i = 2; i < blocks.size(); ++i)
        ids.push_back(be16(blocks[i].body, 20 + 14 + 4));
    EXPECT_EQ(ids, (std::vector<std::uint16_t>{1, 2, 1, 3}));
}

TEST(PcapngWriter, ErrorsWriteNothing) {
    PcapngWriter w;
    ASSERT_TRUE(w.write(udp_packet("10.0.0.1", "10.0.0.2", "a")));
    std::size_t const size = w.bytes().size();
    auto big = udp_packet("10.0.0.1", "10.0.0.2", "");
    big.payload.assign(70000, 0);
    EXPECT_EQ(w.write(big).error().code, Errc::oversized);
    auto early = udp_packet("10.0.0.1", "10.0.0.2", "a");
    early.time = TimePoint{std::chrono::nanoseconds(-1)};
    EXPECT_EQ(w.write(early).error().code, Errc::invalid_argument);
    EXPECT_EQ(w.bytes().size(), size);
    EXPECT_EQ(w.packet_count(), 1u);
}

TEST(PcapngWriter, FailedStreamIsAnIoError) {
    std::ostringstream os;
    os.setstate(std::ios::badbit);
    PcapngWriter w(os);
    auto r = w.write(udp_packet("10.0.0.1", "10.0.0.2", "a"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::io_error);
}

}  // namespace
}  // namespace nsslab::reports
