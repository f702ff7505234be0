// tshark checker for tests: runs tshark (argv-based posix_spawnp, no shell) and answers the
// questions capture tests ask: how many packets match a display filter, which field values
// they carry, what application data a TLS stream carried once decrypted.
//
// The binary is `tshark` from PATH, or $NSSLAB_TSHARK when set. When it cannot be started,
// run_tshark() returns exit_code 127 and a message in `err`; tests should call
// `ASSERT_TRUE(tshark_available())` so that a missing tshark FAILS with a clear
// message instead of skipping.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace nsslab::test {

struct TsharkResult {
    // Process exit status; 127 if tshark could not be started; 128+N if killed by signal N.
    int exit_code{-1};
    std::string out;
    std::string err;
};

// Runs `tshark <args...>` (stdin /dev/null) and collects stdout, stderr and the exit code.
// A tshark still running after `timeout` is killed (exit_code 137, a note in `err`).
TsharkResult run_tshark(std::vector<std::string> const& args,
                        std::chrono::seconds timeout = std::chrono::seconds(120));

// Success when `tshark -v` runs; otherwise a failure naming the reason, for
// `ASSERT_TRUE(tshark_available())` (tests must fail, not skip, without tshark).
::testing::AssertionResult tshark_available();

// Options that make tshark verify IPv4, TCP and UDP checksums.
std::vector<std::string> checksum_options();

// Number of packets in `capture` matching `display_filter` (`tshark -r capture -Y filter`).
// extra_opts go before -r (e.g. {"-o", "tls.keylog_file:/x"}).
// Adds a gtest failure (with tshark's stderr) and returns SIZE_MAX when tshark fails.
std::size_t count_matching(std::filesystem::path const& capture, std::string const& display_filter,
                           std::vector<std::string> const& extra_opts = {});

// One row per matching packet, one column per field (`-T fields -E separator=/t
// -E occurrence=a -E aggregator=,`). An empty filter matches every packet. Adds a gtest
// failure and returns no rows when tshark fails.
std::vector<std::vector<std::string>> field_rows(std::filesystem::path const& capture,
                                                 std::vector<std::string> const& fields,
                                                 std::string const& display_filter = "",
                                                 std::vector<std::string> const& extra_opts = {});

// --- TLS decryption -------------------------------------------------------------------------

struct TlsDecodeOptions {
    // SSLKEYLOGFILE to decrypt with; empty = rely on a Decryption Secrets Block in the capture.
    std::filesystem::path keylog_file;
    // TCP ports decoded as TLS (`-d tcp.port==P,tls`); 4159 is the NSS port (DESIGN.md §5).
    std::vector<std::uint16_t> tls_ports{4159};
    std::size_t tcp_stream{0};  // tshark's tcp.stream index of the connection
};

// One contiguous run of decrypted application data in one direction, as
// `-z follow,tls,raw,N` prints it.
struct FollowChunk {
    bool node1{false};  // the line was tab-indented (sent by "Node 1")
    std::string data;   // raw bytes
};

// Wireshark 4.0 quirk (observed with 4.0.17): for `follow,tls` it prints "Node 0" as the
// endpoint that sent the first decrypted record, which in TLS 1.3 is the *server*, and
// "Node 1" as ":0"; node-0 lines are not indented, node-1 lines are. follow_tls() therefore
// decides which node is the server from the TLS port (`server_is_node0`).
struct FollowStream {
    std::string node0;  // "10.0.0.1:40000" (tshark's notation)
    std::string node1;
    std::vector<FollowChunk> chunks;
    bool server_is_node0{false};
    std::string client_data() const;  // concatenated client -> server bytes
    std::string server_data() const;  // concatenated server -> client bytes
};

// Parses the text of `tshark -q -z follow,<proto>,raw,N` (hex lines; node 1 lines start with
// a tab). False with `error` set when the text is not in that format or a hex line is bad.
// Leaves server_is_node0 false.
bool parse_follow_raw(std::string const& text, FollowStream& out, std::string& error);

// The common tshark options for decrypting TLS: -o tls.keylog_file:PATH (when set) and
// -d tcp.port==P,tls for each port.
std::vector<std::string> tls_decode_options(TlsDecodeOptions const& options);

// Runs `tshark -r capture -q <tls options> -z follow,tls,raw,<stream>` and parses it; node 0
// is taken to be the server when its port is one of options.tls_ports. False with `error`
// (including tshark's stderr) when tshark fails or the output is not parseable. An
// undecryptable stream parses as zero chunks.
bool follow_tls(std::filesystem::path const& capture, TlsDecodeOptions const& options,
                FollowStream& out, std::string& error);

// Decrypted application data per TLS record (reassembled PDU), in capture order, from
// `-T fields -e frame.number -e ip.src -e ipv6.src -e tcp.srcport -e tcp.stream -e data.data`
// (decrypted records with no sub-dissector show up as `data`; `tls.app_data` is the
// ciphertext). Unlike follow_tls() the direction comes from each packet's addresses.
// options.tcp_stream is ignored: every stream is returned.
struct TlsRecord {
    std::size_t frame{0};
    std::size_t tcp_stream{0};
    std::string source;  // "9.1.1.1:40123" or "[fd00::1]:40123"
    std::uint16_t source_port{0};
    std::string data;  // decrypted bytes
};
bool decrypted_tls_records(std::filesystem::path const& capture, TlsDecodeOptions const& options,
                           std::vector<TlsRecord>& out, std::string& error);

}  // namespace nsslab::test
