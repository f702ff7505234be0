// `nsslab bench sign`: signature throughput of the NSS certificate service (issue 4 §7,
// docs/benchmarks.md "bench sign") for RSA-2048, RSA-3072, ECDSA P-256 and Ed25519, three ways
// in one run so the ratios compare like with like:
//   (a) raw    OpenSSL signing in this process (crypto::sign_repeatedly: EVP_DigestSign on the
//              same octets with the same key) — the baseline;
//   (b) core   the NssServer core in process, sans-I/O: a registered in-process AT-TLS client
//              (tls::Channel + wire_nss codec) feeds it pipelined SignRequest frames and the
//              replies are drained, decrypted and decoded; one thread, no sockets;
//   (c) full   the NSSD daemon (nssd::NssdDaemon) on an asio_rt::Loop in a server thread, and N
//              real NssClient cores (registering with a password over AT-TLS on real loopback
//              TCP) on a second Loop in the calling thread, each keeping a window of pipelined
//              sign requests outstanding; signatures/s counted at the client as completions.
// The set-up (SignBenchWorld) is the SYSTEMB model of the daemon tests: RACF user BENCH with
// READ to EZB.NSS.SYSTEMB.<client>.IPSEC.CERT for every bench client and to
// EZB.NSSCERT.SYSTEMB.<label>.HOST for the four signing certificates on key ring NSSD/NSSRING,
// so every sign request goes through the server's SERVAUTH checks as in production.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/key.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/nss/nss_server.hpp"
#include "nsslab/wire_nss/messages.hpp"
#include "nsslab/zos/keyring.hpp"
#include "nsslab/zos/racf.hpp"

namespace nsslab::bench {

enum class SignAlgorithm { rsa2048, rsa3072, p256, ed25519 };
// "rsa2048", "rsa3072", "p256", "ed25519" (the --alg values).
std::string_view to_string(SignAlgorithm algorithm);
std::optional<SignAlgorithm> sign_algorithm_from_string(std::string_view name);
std::vector<SignAlgorithm> all_sign_algorithms();
// RSA: PKCS#1 v1.5 SHA-256; P-256: ECDSA SHA-256; Ed25519: pure Ed25519.
wire_nss::SignatureScheme wire_scheme(SignAlgorithm algorithm);
crypto::SignatureScheme crypto_scheme(SignAlgorithm algorithm);

// The system clock as a TimePoint (the benchmarks run on the real runtime; certificate validity
// and TLS verification use it).
TimePoint bench_wall_now();

// The octets every bench request signs: `size` bytes shaped like IKEv2 AUTH octets.
Bytes bench_sign_octets(std::size_t size = 512);

// The server's system model: RACF, key ring with a CA, the AT-TLS server certificate (SAN
// iPAddress 127.0.0.1) and one signing certificate per algorithm, SERVAUTH profiles for
// `clients` NSS clients named BENCH0001, BENCH0002, ... (user BENCH, password BENCHPW).
class SignBenchWorld {
  public:
    // `now`: certificate validity is [now - 1 day, now + 10 years].
    static Result<std::unique_ptr<SignBenchWorld>> create(std::size_t clients, TimePoint now);

    static std::string client_name(std::size_t index);  // "BENCH0001" for index 0
    static constexpr char const* user_id = "BENCH";
    static constexpr char const* password = "BENCHPW";
    static constexpr char const* system_name = "SYSTEMB";
    std::string const& label(SignAlgorithm algorithm) const;
    crypto::PrivateKey const& key(SignAlgorithm algorithm) const;
    std::string const& ca_pem() const { return ca_pem_; }
    std::size_t clients() const { return clients_; }

    zos::RacfDatabase& racf() { return racf_; }
    zos::KeyRingStore& key_rings() { return rings_; }
    // Keys and certificates were made in this context (OS randomness).
    crypto::LibContext& key_context() { return *keys_ctx_; }
    // NssServerOptions for SYSTEMB with this ring, SyslogLevel 0, Port `port`.
    nss::NssServerOptions server_options(std::uint16_t port) const;
    // A personal certificate for `key` (subject CN=`cn`,O=nsslab bench, dNSName `cn`) issued by
    // the world's CA, added to NSSD/NSSRING as `label` with READ to its EZB.NSSCERT...HOST
    // profile for user BENCH (bench ike --nssd: the endpoints sign by these labels).
    Result<crypto::Certificate> add_certificate(std::string const& label, std::string const& cn,
                                                crypto::PrivateKey const& key, TimePoint now);

  private:
    SignBenchWorld() = default;
    std::size_t clients_{0};
    std::unique_ptr<crypto::LibContext> keys_ctx_;
    zos::RacfDatabase racf_;
    zos::KeyRingStore rings_;
    std::string ca_pem_;
    crypto::Certificate ca_;
    crypto::PrivateKey ca_key_;
    std::uint64_t next_serial_{100};
    std::vector<std::string> labels_;       // by SignAlgorithm
    std::vector<crypto::PrivateKey> keys_;  // by SignAlgorithm
};

// (b): one NssServer core and one registered in-process AT-TLS client (nss::RawClient), joined
// by the in-memory pair driver (core::StreamPair).
class CoreSignPair {
  public:
    // Accepts, completes the TLS handshake and registers client 0 of `world`. `server_ctx` and
    // `client_ctx` give the two sides' TLS randomness; all must outlive the pair.
    static Result<std::unique_ptr<CoreSignPair>> create(SignBenchWorld& world,
                                                        crypto::LibContext& server_ctx,
                                                        crypto::LibContext& client_ctx,
                                                        TimePoint now);
    ~CoreSignPair();
    CoreSignPair(CoreSignPair const&) = delete;
    CoreSignPair& operator=(CoreSignPair const&) = delete;

    // Sends `count` SignRequests (at most 64, the server's per-connection queue) in one TLS
    // write, delivers them to the server, drains its outputs and decodes the replies. Returns
    // the number of SignReply ok; an error when a reply is missing or not ok.
    Result<std::size_t> sign_batch(SignAlgorithm algorithm, ByteView octets, std::size_t count,
                                   TimePoint now);
    // The signature of the last ok reply (tests verify it).
    Bytes const& last_signature() const { return last_signature_; }
    nss::NssServer& server();

    struct Impl;

  private:
    explicit CoreSignPair(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
    Bytes last_signature_;
    Bytes frames_;  // the frames of one batch (kept to reuse its capacity)
};

struct BenchSignOptions {
    std::vector<SignAlgorithm> algorithms{all_sign_algorithms()};
    std::size_t connections{8};  // (c): NssClient connections
    std::size_t window{16};      // (c): outstanding sign requests per connection (<= 64)
    std::size_t batch{16};       // (b): requests per TLS write (<= 64)
    std::chrono::milliseconds duration{std::chrono::seconds{3}};  // per measurement
    std::chrono::milliseconds warmup{std::chrono::milliseconds{300}};
    std::size_t octets_size{512};
    // (c): NSSD worker threads that make the signatures (NodeOptions::worker_threads, as
    // `nsslab nssd --worker-threads`); 0: the server's network thread signs.
    std::size_t server_workers{1};
};

struct SignRate {
    std::uint64_t signatures{0};
    double seconds{0};
    // (c) only: CPU time the server (its network thread plus its signing workers) and the
    // client thread used during the measurement; below `seconds` means that thread waited (for
    // the other, or for a CPU the machine did not give).
    double server_cpu_seconds{0};
    double server_worker_cpu_seconds{0};  // of server_cpu_seconds, the signing workers'
    double client_cpu_seconds{0};
    // (c) only: time each thread was runnable but waited for a CPU (Linux schedstat); large
    // values mean the machine was busy with other work and the figures are not meaningful.
    double server_runqueue_seconds{0};
    double client_runqueue_seconds{0};
    // CPU time of the thread that signed: the calling thread for (a) and (b); for (c) the
    // server's signing workers, or its network thread when it has none.
    double cpu_seconds{0};
    // (c): signatures per CPU-second of the whole server (network thread and workers).
    double per_server_cpu_second() const {
        return server_cpu_seconds > 0 ? static_cast<double>(signatures) / server_cpu_seconds : 0;
    }
    // Signatures per CPU-second of the signing thread: the machine's other load mostly cancels.
    double per_cpu_second() const {
        return cpu_seconds > 0 ? static_cast<double>(signatures) / cpu_seconds : 0;
    }
    double per_second() const {
        return seconds > 0 ? static_cast<double>(signatures) / seconds : 0;
    }
};

struct BenchSignResult {
    SignAlgorithm algorithm{SignAlgorithm::p256};
    SignRate raw;               // (a)
    SignRate core;              // (b)
    SignRate full;              // (c)
    double core_ratio() const;  // (b)/(a)
    double full_ratio() const;  // (c)/(a)
    // The same ratios per CPU-second of the signing thread (diagnostic on a loaded machine).
    double core_cpu_ratio() const;
    double full_cpu_ratio() const;
};

// (a) for `duration`: sign_repeatedly in batches until the time is up.
Result<SignRate> measure_raw(crypto::PrivateKey const& key, SignAlgorithm algorithm,
                             ByteView octets, std::chrono::milliseconds duration);
// (b) for `duration` (after `warmup`).
Result<SignRate> measure_core(SignBenchWorld& world, SignAlgorithm algorithm, ByteView octets,
                              BenchSignOptions const& options);
// (c) for `duration` (after every client registered and `warmup`): a server thread and the
// calling thread. `world.clients()` must be >= options.connections.
Result<SignRate> measure_full(SignBenchWorld& world, SignAlgorithm algorithm, ByteView octets,
                              BenchSignOptions const& options);

// Everything for every algorithm in options.algorithms; a progress line per measurement goes
// to `progress` when given.
Result<std::vector<BenchSignResult>> run_bench_sign(BenchSignOptions const& options,
                                                    std::ostream* progress);

// The table and the ratio lines that `nsslab bench sign` prints (docs/benchmarks.md):
//   p256      (a) raw 41234/s  (b) core 35012/s  (c) full 32001/s
//   p256      ratio (b)/(a) 0.85  (c)/(a) 0.78
//   p256      per CPU-second of the signing thread  (a) 61000 ... (c)/(a) 0.86  target 0.85 met
std::string format_bench_sign(std::vector<BenchSignResult> const& results,
                              BenchSignOptions const& options);
// The full-path target of issue 10 §6, per CPU-second of the signing thread (the machines are
// shared: wall-clock ratios swing with other load): 0.95 for RSA, 0.85 for P-256 and Ed25519.
std::optional<double> full_path_target(SignAlgorithm algorithm);

}  // namespace nsslab::bench
