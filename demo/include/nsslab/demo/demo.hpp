// The built-in demo (issue 2, the first main job): two simulated z/OS systems on a lossy
// link. SYSTEMA opens a TLS connection to SYSTEMB's port 4159 (AT-TLS style, server
// certificate issued by a CA the client trusts), asks it to sign messages with ECDSA P-256
// and verifies the signatures; meanwhile it exchanges UDP datagrams with SYSTEMB's echo
// port. The run writes a JSON Lines trace, a pcapng capture and a TLS key log.
//
// Everything derives from the seed: the same seed gives byte-identical files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "nsslab/base/result.hpp"

namespace nsslab::demo {

struct DemoOptions {
    std::uint64_t seed{1};
    std::filesystem::path out_dir{"out/demo"};
    double loss{0.02};  // per-direction packet loss on the A<->B link
    int sign_requests{5};
    int datagrams{20};
};

struct DemoResult {
    std::filesystem::path trace_path;
    std::filesystem::path capture_path;
    std::filesystem::path keylog_path;
    std::uint64_t events{0};
    std::uint64_t trace_lines{0};
    std::uint64_t trace_hash{0};
    std::uint64_t packets{0};
    std::uint64_t packets_dropped{0};
    std::string tls_version;
    std::string tls_cipher;
    int signatures_verified{0};
    int datagrams_echoed{0};
    double virtual_seconds{0};
    bool ok{false};       // every signature verified and the TLS session closed cleanly
    std::string failure;  // why not ok
};

Result<DemoResult> run_demo(DemoOptions const& options);

// A short human summary: what happened and where the files are.
std::string describe(DemoResult const& result);

}  // namespace nsslab::demo
