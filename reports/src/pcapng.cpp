#include "nsslab/reports/pcapng.hpp"

#include <limits>

namespace nsslab::reports {
namespace {

constexpr std::uint32_t block_shb = 0x0A0D0D0A;
constexpr std::uint32_t block_idb = 0x00000001;
constexpr std::uint32_t block_epb = 0x00000006;
constexpr std::uint32_t block_dsb = 0x0000000A;
constexpr std::uint32_t byte_order_magic = 0x1A2B3C4D;
constexpr std::uint32_t secrets_tls_key_log = 0x544C534B;  // "TLSK"
constexpr std::uint16_t linktype_ethernet = 1;
constexpr std::uint16_t opt_endofopt = 0;
constexpr std::uint16_t opt_comment = 1;
constexpr std::uint16_t shb_userappl = 4;
constexpr std::uint16_t if_name = 2;
constexpr std::uint16_t if_tsresol = 9;

constexpr std::uint16_t ethertype_ipv4 = 0x0800;
constexpr std::uint16_t ethertype_ipv6 = 0x86DD;
constexpr std::size_t ethernet_header = 14;
constexpr std::size_t ipv4_header = 20;
constexpr std::size_t ipv6_header = 40;
constexpr std::size_t udp_header = 8;
constexpr std::size_t tcp_header = 20;
constexpr std::size_t tcp_mss_option = 4;
constexpr std::uint8_t default_ttl = 64;

// pcapng fields are written little-endian whatever the host (deterministic bytes).
struct LeWriter {
    Bytes& out;
    void u16(std::uint16_t v) {
        out.push_back(static_cast<std::uint8_t>(v));
        out.push_back(static_cast<std::uint8_t>(v >> 8));
    }
    void u32(std::uint32_t v) {
        u16(static_cast<std::uint16_t>(v));
        u16(static_cast<std::uint16_t>(v >> 16));
    }
    void bytes(ByteView v) { out.insert(out.end(), v.begin(), v.end()); }
    void pad4() {
        while (out.size() % 4 != 0)
            out.push_back(0);
    }
    void option(std::uint16_t code, ByteView value) {
        u16(code);
        u16(static_cast<std::uint16_t>(value.size()));
        bytes(value);
        pad4();
    }
    void patch_u32(std::size_t at, std::uint32_t v) {
        for (int i = 0; i < 4; ++i)
            out[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
    }
};

// Starts a block: type and a placeholder length. finish_block() writes both lengths.
std::size_t begin_block(LeWriter& w, std::uint32_t type) {
    std::size_t start = w.out.size();
    w.u32(type);
    w.u32(0);
    return start;
}
void finish_block(LeWriter& w, std::size_t start) {
    w.pad4();
    auto total = static_cast<std::uint32_t>(w.out.size() - start + 4);
    w.u32(total);
    w.patch_u32(start + 4, total);
}

// One's-complement sum of 16-bit big-endian words, not yet folded or complemented.
std::uint32_t sum16(ByteView data, std::uint32_t acc = 0) {
    std::size_t i = 0;
    for (; i + 1 < data.size(); i += 2)
        acc += static_cast<std::uint32_t>(data[i]) << 8 | data[i + 1];
    if (i < data.size())
        acc += static_cast<std::uint32_t>(data[i]) << 8;
    return acc;
}
std::uint16_t fold(std::uint32_t acc) {
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return static_cast<std::uint16_t>(~acc & 0xFFFF);
}

// Checksum of a transport segment with its IPv4 (RFC 793 §3.1) or IPv6 (RFC 8200 §8.1)
// pseudo-header.
std::uint16_t transport_checksum(PacketRecord const& p, ByteView segment) {
    Bytes pseudo;
    ByteWriter w(pseudo);
    auto const& s = p.src.address;
    auto const& d = p.dst.address;
    w.bytes(ByteView(s.raw().data(), s.size()));
    w.bytes(ByteView(d.raw().data(), d.size()));
    if (s.is_v4()) {
        w.u8(0);
        w.u8(static_cast<std::uint8_t>(p.transport));
        w.u16(static_cast<std::uint16_t>(segment.size()));
    } else {
        w.u32(static_cast<std::uint32_t>(segment.size()));
        w.u8(0);
        w.u8(0);
        w.u8(0);
        w.u8(static_cast<std::uint8_t>(p.transport));
    }
    return fold(sum16(segment, sum16(pseudo)));
}

}  // namespace

std::uint16_t internet_checksum(ByteView data) {
    return fold(sum16(data));
}

std::array<std::uint8_t, 6> mac_for(IpAddress const& address) {
    std::array<std::uint8_t, 6> mac{0x02, 0x00, 0, 0, 0, 0};
    if (address.is_v4()) {
        for (std::size_t i = 0; i < 4; ++i)
            mac[2 + i] = address.raw()[i];
    } else {
        std::uint32_t h = 2166136261u;  // FNV-1a 32
        for (std::size_t i = 0; i < 16; ++i) {
            h ^= address.raw()[i];
            h *= 16777619u;
        }
        for (std::size_t i = 0; i < 4; ++i)
            mac[2 + i] = static_cast<std::uint8_t>(h >> (24 - 8 * i));
    }
    return mac;
}

Result<Bytes> synthesize_frame(PacketRecord const& p, std::uint16_t ip_identification) {
    if (p.src.address.family() != p.dst.address.family())
        return fail(Errc::invalid_argument, "pcapng: packet " + p.src.to_string() + " -> " +
                                                p.dst.to_string() + " mixes address families");
    bool const v4 = p.src.address.is_v4();
    bool const tcp = p.transport == Transport::tcp;
    bool const mss = tcp && (p.flags & tcp_flags::syn) != 0 && p.mss != 0;
    std::size_t const l4_header = tcp ? tcp_header + (mss ? tcp_mss_option : 0) : udp_header;
    // IPv4 total length counts its own header; IPv6 payload length does not.
    std::size_t const limit = 65535 - l4_header - (v4 ? ipv4_header : 0);
    if (p.payload.size() > limit)
        return fail(Errc::oversized,
                    "pcapng: payload of " + std::to_string(p.payload.size()) + " bytes from " +
                        p.src.to_string() + " to " + p.dst.to_string() + " exceeds the " +
                        std::to_string(limit) + "-byte maximum of one IP datagram");

    // Transport segment first (its length goes into the IP header).
    Bytes segment;
    ByteWriter s(segment);
    std::size_t checksum_at = 0;
    if (tcp) {
        s.u16(p.src.port);
        s.u16(p.dst.port);
        s.u32(p.seq);
        s.u32(p.ack);
        s.u8(static_cast<std::uint8_t>((l4_header / 4) << 4));  // data offset, reserved 0
        s.u8(p.flags);
        s.u16(p.window);
        checksum_at = s.size();
        s.u16(0);  // checksum
        s.u16(0);  // urgent pointer
        if (mss) {
            s.u8(2);  // kind: maximum segment size
            s.u8(4);
            s.u16(p.mss);
        }
    } else {
        s.u16(p.src.port);
        s.u16(p.dst.port);
        s.u16(static_cast<std::uint16_t>(udp_header + p.payload.size()));
        checksum_at = s.size();
        s.u16(0);
    }
    s.bytes(p.payload);
    std::uint16_t sum = transport_checksum(p, segment);
    if (!tcp && sum == 0)
        sum = 0xFFFF;  // RFC 768: a computed zero is transmitted as all ones
    s.patch_u16(checksum_at, sum);

    Bytes frame;
    frame.reserve(ethernet_header + ipv6_header + segment.size());
    ByteWriter f(frame);
    auto const dst_mac = mac_for(p.dst.address);
    auto const src_mac = mac_for(p.src.address);
    f.bytes(dst_mac);
    f.bytes(src_mac);
    f.u16(v4 ? ethertype_ipv4 : ethertype_ipv6);
    auto const protocol = static_cast<std::uint8_t>(p.transport);
    if (v4) {
        std::size_t const ip_start = f.size();
        f.u8(0x45);  // version 4, IHL 5
        f.u8(0);     // DSCP/ECN
        f.u16(static_cast<std::uint16_t>(ipv4_header + segment.size()));
        f.u16(ip_identification);
        f.u16(0x4000);  // DF, fragment offset 0
        f.u8(default_ttl);
        f.u8(protocol);
        f.u16(0);  // header checksum, patched below
        f.bytes(ByteView(p.src.address.raw().data(), 4));
        f.bytes(ByteView(p.dst.address.raw().data(), 4));
        f.patch_u16(ip_start + 10,
                    internet_checksum(ByteView(frame).subspan(ip_start, ipv4_header)));
    } else {
        f.u32(0x60000000);  // version 6, traffic class 0, flow label 0
        f.u16(static_cast<std::uint16_t>(segment.size()));
        f.u8(protocol);
        f.u8(default_ttl);  // hop limit
        f.bytes(ByteView(p.src.address.raw().data(), 16));
        f.bytes(ByteView(p.dst.address.raw().data(), 16));
    }
    f.bytes(segment);
    return frame;
}

PcapngWriter::PcapngWriter(PcapngOptions options) : options_(std::move(options)) {}

PcapngWriter::PcapngWriter(std::ostream& out, PcapngOptions options)
    : options_(std::move(options)), out_(&out) {}

Result<std::unique_ptr<PcapngWriter>> PcapngWriter::open_file(std::filesystem::path const& path,
                                                              PcapngOptions options) {
    auto file = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
    if (!*file)
        return fail(Errc::io_error, "pcapng: cannot create '" + path.string() + "'");
    auto writer = std::make_unique<PcapngWriter>(*file, std::move(options));
    writer->owned_ = std::move(file);
    return writer;
}

Result<void> PcapngWriter::emit(Bytes const& block) {
    if (out_ == nullptr) {
        memory_.insert(memory_.end(), block.begin(), block.end());
        return {};
    }
    out_->write(reinterpret_cast<char const*>(block.data()),
                static_cast<std::streamsize>(block.size()));
    if (!*out_)
        return fail(Errc::io_error, "pcapng: writing to the output stream failed");
    return {};
}

Result<void> PcapngWriter::ensure_header() {
    if (header_written_)
        return {};
    Bytes blocks;
    LeWriter w{blocks};

    std::size_t shb = begin_block(w, block_shb);
    w.u32(byte_order_magic);
    w.u16(1);           // major version
    w.u16(0);           // minor version
    w.u32(0xFFFFFFFF);  // section length: not specified (64 bits of -1)
    w.u32(0xFFFFFFFF);
    if (!options_.application.empty())
        w.option(shb_userappl, as_bytes(options_.application));
    w.option(opt_endofopt, {});
    finish_block(w, shb);

    std::size_t idb = begin_block(w, block_idb);
    w.u16(linktype_ethernet);
    w.u16(0);  // reserved
    w.u32(options_.snaplen);
    if (!options_.interface_name.empty())
        w.option(if_name, as_bytes(options_.interface_name));
    std::uint8_t const resolution = 9;  // 10^-9 s
    w.option(if_tsresol, ByteView(&resolution, 1));
    w.option(opt_endofopt, {});
    finish_block(w, idb);

    if (auto ok = emit(blocks); !ok)
        return ok;
    header_written_ = true;
    return {};
}

Result<void> PcapngWriter::write(PacketRecord const& packet) {
    auto const ns = nanos(packet.time);
    if (ns < 0)
        return fail(Errc::invalid_argument,
                    "pcapng: packet time " + std::to_string(ns) + " ns is before 1970");
    auto const key = std::make_tuple(packet.src.address, packet.dst.address,
                                     static_cast<std::uint8_t>(packet.transport));
    auto it = ip_ids_.find(key);
    std::uint16_t const id = it == ip_ids_.end() ? 1 : it->second;
    auto frame = synthesize_frame(packet, id);
    if (!frame)
        return frame.error();
    if (frame->size() > options_.snaplen)
        return fail(Errc::oversized, "pcapng: frame of " + std::to_string(frame->size()) +
                                         " bytes exceeds the snaplen " +
                                         std::to_string(options_.snaplen));
    if (packet.comment.size() > 0xFFFF)
        return fail(Errc::oversized, "pcapng: packet comment longer than 65535 bytes");
    if (auto ok = ensure_header(); !ok)
        return ok;

    Bytes block;
    LeWriter w{block};
    std::size_t epb = begin_block(w, block_epb);
    w.u32(0);  // interface id
    auto const ts = static_cast<std::uint64_t>(ns);
    w.u32(static_cast<std::uint32_t>(ts >> 32));
    w.u32(static_cast<std::uint32_t>(ts));
    w.u32(static_cast<std::uint32_t>(frame->size()));  // captured length
    w.u32(static_cast<std::uint32_t>(frame->size()));  // original length
    w.bytes(*frame);
    w.pad4();
    if (!packet.comment.empty()) {
        w.option(opt_comment, as_bytes(packet.comment));
        w.option(opt_endofopt, {});
    }
    finish_block(w, epb);
    if (options_.secrets_first) {
        held_.insert(held_.end(), block.begin(), block.end());
    } else if (auto ok = emit(block); !ok) {
        return ok;
    }
    ip_ids_[key] = static_cast<std::uint16_t>(id + 1);
    ++packets_;
    return {};
}

Result<void> PcapngWriter::add_tls_key_log(std::vector<std::string> const& lines) {
    if (lines.empty())
        return fail(Errc::invalid_argument, "pcapng: empty TLS key log");
    std::string text;
    for (auto const& line : lines) {
        if (line.find_first_of("\r\n") != std::string::npos)
            return fail(Errc::invalid_argument, "pcapng: TLS key log line contains a line break");
        text += line;
        text += '\n';
    }
    if (auto ok = ensure_header(); !ok)
        return ok;
    Bytes block;
    LeWriter w{block};
    std::size_t dsb = begin_block(w, block_dsb);
    w.u32(secrets_tls_key_log);
    w.u32(static_cast<std::uint32_t>(text.size()));
    w.bytes(as_bytes(text));
    finish_block(w, dsb);
    return emit(block);
}

Result<void> PcapngWriter::flush() {
    if (auto ok = ensure_header(); !ok)
        return ok;
    if (!held_.empty()) {
        if (auto ok = emit(held_); !ok)
            return ok;
        held_.clear();
    }
    if (out_ != nullptr) {
        out_->flush();
        if (!*out_)
            return fail(Errc::io_error, "pcapng: flushing the output stream failed");
    }
    return {};
}

}  // namespace nsslab::reports
