// `nsslab bench failover` (issue 4 §7 "Scale", DESIGN.md §7 "1,000+ stacks reconnecting after
// failover"): many simulated TCP/IP stacks, each an NSS client (nss::NssClient) driven by the
// IKED daemon (sim/iked) of its z/OS system, connect over AT-TLS to a primary NSSD and register
// (password or PassTicket); the primary's system crashes and every stack fails over to the backup
// NSSD and registers there. Runs on the simulation engine (sim/engine), the one scenarios use.
//
// Topology (docs/benchmarks.md "bench failover"): one IKED per z/OS system serves that system's
// stacks, as on z/OS (IKED is one daemon per system; Common INET runs at most 8 TCP/IP stacks per
// system), so N stacks are spread over ceil(N / stacks_per_system) IKED systems SYS00001, ...,
// each with its own address, local RACF (PTKTDATA NSSD) and iked.conf with one NssStackConfig
// per stack; they share one seeded OpenSSL library context (OpenSSL 3.0 takes pthread keys per
// context, which bounds a process to about 500 contexts). The servers are NSSPRI (9.1.1.1, primary)
// and NSSBKP (9.1.1.2, backup), each with its own RACF database (one user per stack, generic
// SERVAUTH profiles EZB.NSS.<sys>.*.IPSEC.CERT/NETMGMT permitted to the clients' group) and a key
// ring whose server certificate a shared CA signed. Odd-numbered stacks register with a password,
// even ones with a PassTicket.
//
// Everything derives from the seed; the figures that depend on the machine are wall time and
// peak memory only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"

namespace nsslab::bench {

struct BenchFailoverOptions {
    std::uint64_t seed{1};
    std::uint32_t stacks{10000};
    std::uint32_t stacks_per_system{8};  // Common INET: at most 8 TCP/IP stacks per z/OS system
    // Bounds on virtual time for registering with the primary, and for failing over after the
    // crash; beyond them the run stops and the stacks not yet registered count as failed.
    Duration register_limit{std::chrono::seconds(120)};
    Duration failover_limit{std::chrono::seconds(600)};
    // Simulated CPU time each NSS server spends per TLS handshake and per registration
    // (NssServerLimits::handshake_time / register_time, one CPU per server); zero: none, so the
    // virtual figures are link delays only.
    Duration server_handshake_time{0};
    Duration server_register_time{0};
};

struct BenchFailoverResult {
    std::uint32_t stacks{0};
    std::uint32_t systems{0};                 // IKED systems
    std::uint32_t connected_to_primary{0};    // stacks registered with the primary before the crash
    std::uint32_t on_backup_before_crash{0};  // stacks the primary did not serve in time
    std::uint32_t failed_over{0};             // stacks registered with the backup after the crash
    Duration time_to_primary{0};  // virtual: start until the last registration (either server)
    Duration time_to_backup{0};   // virtual: crash until the last backup registration
    Duration server_handshake_time{0};  // the options' simulated server CPU times
    Duration server_register_time{0};
    std::uint64_t events{0};          // simulation events executed
    std::uint64_t packets{0};         // packets the simulated network carried
    double wall_seconds{0};           // the whole run, set-up included
    double setup_wall_seconds{0};     // building systems, RACF and configuration
    double cpu_seconds{0};            // user + system CPU time of the process (getrusage)
    std::uint64_t peak_rss_bytes{0};  // getrusage(RUSAGE_SELF).ru_maxrss
    bool ok() const { return stacks > 0 && failed_over == stacks; }
};

// Errors: invalid_argument (no stacks, stacks_per_system not in 1..8, more than 1,000,000
// stacks), and any set-up failure (RACF script, key ring, OpenSSL).
Result<BenchFailoverResult> run_bench_failover(BenchFailoverOptions const& options);

// The figures, one per line ("stacks: 10000", "failed over: 10000 of 10000 (all)", ...).
std::string describe(BenchFailoverResult const& result);

}  // namespace nsslab::bench
