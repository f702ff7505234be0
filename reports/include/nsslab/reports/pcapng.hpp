// pcapng capture writer: turns PacketRecords (nsslab/base/packet.hpp) into a pcapng file that
// Wireshark/tshark decodes with no malformed packets (DESIGN.md §4 "Capture").
//
// File format: draft-ietf-opsawg-pcapng (Section Header Block, Interface Description Block,
// Enhanced Packet Block, Decryption Secrets Block). One section, one interface:
// LINKTYPE_ETHERNET (1), if_name "nsslab-sim", if_tsresol 9 (timestamps in nanoseconds since
// the Unix epoch, i.e. the virtual TimePoint unchanged). All blocks are written little-endian,
// so the same packets give the same bytes on every host.
//
// Synthesized headers (docs/capture.md):
//   Ethernet II  MAC 02:00:<4 bytes> (locally administered, unicast); for IPv4 the 4 bytes are
//                the address itself, for IPv6 the FNV-1a 32-bit hash of the 16 address bytes.
//   IPv4         RFC 791: IHL 5, DSCP 0, DF set, TTL 64, Identification from a counter per
//                (source, destination, protocol) starting at 1 (RFC 6864), header checksum.
//   IPv6         RFC 8200: traffic class 0, flow label 0, hop limit 64, no extension headers.
//   UDP          RFC 768 checksum over the pseudo-header (RFC 8200 §8.1 for IPv6, mandatory);
//                a computed 0 is sent as 0xFFFF.
//   TCP          RFC 9293 §3.1: seq/ack/flags/window from the record, urgent pointer 0, the
//                MSS option (kind 2) on SYN segments when PacketRecord::mss != 0, checksum
//                over the pseudo-header.
// A record whose IP datagram would exceed 65535 bytes (IPv4 total length, IPv6 payload
// length) or whose endpoints mix address families is rejected with a Result error and nothing
// is written, so the file is never corrupt.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/packet.hpp"
#include "nsslab/base/result.hpp"

namespace nsslab::reports {

struct PcapngOptions {
    std::string interface_name{"nsslab-sim"};  // IDB if_name
    std::string application{"nsslab"};         // SHB shb_userappl
    std::uint32_t snaplen{262144};             // IDB SnapLen; frames are never truncated
    // Wireshark (4.0) uses the secrets of a Decryption Secrets Block only for packets that
    // follow it, even with two-pass analysis (-2). With secrets_first, Enhanced Packet Blocks
    // are held in memory until flush() and every DSB added before that flush is written ahead
    // of them, so keys learned late in a run still decrypt the whole capture.
    bool secrets_first{false};
};

// Builds the Ethernet frame for one packet (no pcapng framing). `ip_identification` is put in
// the IPv4 header (ignored for IPv6). Exposed for tests and for tools that want raw frames.
Result<Bytes> synthesize_frame(PacketRecord const& packet, std::uint16_t ip_identification);

// The synthesized MAC address of a host.
std::array<std::uint8_t, 6> mac_for(IpAddress const& address);

// RFC 1071 Internet checksum of `data` (already complemented, in host order).
std::uint16_t internet_checksum(ByteView data);

class PcapngWriter {
  public:
    // In-memory mode: the file accumulates in bytes().
    explicit PcapngWriter(PcapngOptions options = {});
    // Streaming mode: blocks are appended to `out`, which must outlive the writer.
    explicit PcapngWriter(std::ostream& out, PcapngOptions options = {});
    // File mode: creates (truncates) `path`; the writer owns the stream.
    static Result<std::unique_ptr<PcapngWriter>> open_file(std::filesystem::path const& path,
                                                           PcapngOptions options = {});

    PcapngWriter(PcapngWriter const&) = delete;
    PcapngWriter& operator=(PcapngWriter const&) = delete;

    // Appends one Enhanced Packet Block (timestamp = packet.time, opt_comment = packet.comment
    // when non-empty). The SHB and IDB are written before the first block. Errors:
    // invalid_argument (mixed families, time before 1970), oversized (datagram > 65535
    // bytes), io_error (stream failed). On error nothing is written.
    Result<void> write(PacketRecord const& packet);

    // Appends a Decryption Secrets Block of type TLS key log (0x544c534b) holding the given
    // SSLKEYLOGFILE lines (each without its newline). Wireshark applies secrets from a DSB
    // only to packets that come after it in the file, so call this as soon as the keys are
    // known (OpenSSL's keylog callback fires before the records it protects are sent), or
    // set PcapngOptions::secrets_first.
    // Errors: invalid_argument (a line contains CR or LF, or no lines), io_error.
    Result<void> add_tls_key_log(std::vector<std::string> const& lines);

    // Writes the SHB and IDB if nothing was written yet (so an empty capture is still a valid
    // file), writes the packets held back by secrets_first, and flushes the stream. Call it
    // once at the end of a run (a file mode writer is not flushed by its destructor).
    Result<void> flush();

    // In-memory mode: the whole file so far (SHB/IDB included once anything was written or
    // flushed). Empty in streaming and file mode.
    ByteView bytes() const { return memory_; }
    std::size_t packet_count() const { return packets_; }

  private:
    Result<void> emit(Bytes const& block);
    Result<void> ensure_header();

    PcapngOptions options_;
    std::unique_ptr<std::ofstream> owned_;
    std::ostream* out_{nullptr};
    Bytes memory_;
    Bytes held_;  // secrets_first: Enhanced Packet Blocks not yet written
    bool header_written_{false};
    std::size_t packets_{0};
    // RFC 6864: IPv4 Identification unique per (source, destination, protocol).
    std::map<std::tuple<IpAddress, IpAddress, std::uint8_t>, std::uint16_t> ip_ids_;
};

}  // namespace nsslab::reports
