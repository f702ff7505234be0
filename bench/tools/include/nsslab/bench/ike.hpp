// `nsslab bench ike`: IKE SA establishments per second between two IkeEndpoints in one process
// (docs/benchmarks.md "bench ike"), and the crypto floor measured in the same run:
//   endpoints  an initiator (10.0.0.1) and a responder (10.0.0.2) IkeEndpoint (sim/ike) joined in
//              memory by IkeBenchPair, one IKE SA at a time: initiate, IKE_SA_INIT and IKE_AUTH
//              (with the first Child SA), the sign and verify requests answered inline by
//              crypto::sign / crypto::verify, then an INFORMATIONAL delete that removes the SA on
//              both sides (so memory stays flat and every SA counted went through its whole
//              life);
//   floor      the public-key operations one such SA needs, done by raw OpenSSL EVP calls in
//              this process (ike_floor.cpp): per side one DH key generation, its public value
//              encoded, the peer's decoded and the shared secret derived; one signature and one
//              verification per side (none with a pre-shared key). Symmetric crypto (prf+,
//              SK protection, AUTH MACs) is not in the floor: it is part of the engine's cost.
//   nssd       (--nssd) the same two endpoints with their sign and verify requests delegated to
//              an NSSD over real loopback TCP and AT-TLS, as IKED does (ike_nssd.cpp): NSSD
//              (nssd::NssdDaemon) on its own loop and thread, signing on its worker thread(s),
//              its key ring holding both endpoints' certificates (issued by its CA; their labels
//              are the endpoints' key labels); N NssClient cores per side on the calling
//              thread's loop; `sas_in_flight` SAs established concurrently, each deleted and
//              replaced once the initiator has it. NSSD verifies each signature with the peer's
//              certificate (PeerAuth::certificate_chain) and checks it against the ring's CA.
// The ratio endpoints/floor is the fraction of the crypto floor the engine keeps; issue target:
// at least 0.5 in process, at least 0.35 with the signatures delegated to NSSD (per CPU-second
// of the whole process: client, server and workers).
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/key.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/ike/config.hpp"

namespace nsslab::bench {

// The suites of the issue: ECDSA P-256 with group 19 and AES-GCM, RSA-2048 with group 14 and
// AES-CBC (docs/benchmarks.md gives the exact proposals).
enum class IkeSuite { p256, rsa2048 };
// "p256", "rsa2048" (the --suite values).
std::string_view to_string(IkeSuite suite);
std::optional<IkeSuite> ike_suite_from_string(std::string_view name);
std::vector<IkeSuite> all_ike_suites();
// The IKE proposal of a suite: AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256 and
// AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048.
ike::IkeProposal ike_proposal(IkeSuite suite);
// ECDSA P-256 with ecdsa_sha256; RSA-2048 with PKCS#1 v1.5 SHA-256 (as bench sign, and as the NSS
// certificate service signs for IKED).
crypto::KeyType ike_key_type(IkeSuite suite);
crypto::SignatureScheme ike_signature_scheme(IkeSuite suite);

// The signing keys of both sides and their self-signed certificates (made once per run, with
// OpenSSL's normal randomness); the floor signs with the same keys.
struct IkeBenchKeys {
    IkeSuite suite{IkeSuite::p256};
    crypto::PrivateKey initiator_key;
    crypto::PrivateKey responder_key;
    crypto::Certificate initiator_certificate;
    crypto::Certificate responder_certificate;
    // The endpoints' key labels (LocalAuth::key_label): with --nssd, the labels of their
    // certificates on NSSD's key ring.
    std::string initiator_label{"INITIATOR"};
    std::string responder_label{"RESPONDER"};

    static Result<IkeBenchKeys> create(IkeSuite suite);
};

// Two endpoints in memory. With `psk`, both sides authenticate with a pre-shared key (AUTH
// method 2) and no request is made; otherwise with signatures (method 14) answered inline.
class IkeBenchPair {
  public:
    static Result<std::unique_ptr<IkeBenchPair>> create(IkeBenchKeys const& keys, bool psk);
    ~IkeBenchPair();
    IkeBenchPair(IkeBenchPair const&) = delete;
    IkeBenchPair& operator=(IkeBenchPair const&) = delete;

    // One IKE SA: initiate, move every datagram and answer every request until both sides have
    // emitted ike.sa_established, then delete it from the initiator and move the INFORMATIONAL
    // exchange until neither side holds an SA. An error when any of that does not happen (an
    // auth_failed event, a drop, an SA left over): the message says which.
    Result<void> establish_and_delete(TimePoint now);

    std::uint64_t established() const;      // SAs established by both sides so far
    std::uint64_t datagrams() const;        // datagrams moved so far
    std::uint64_t sign_requests() const;    // sign requests answered so far (both sides)
    std::uint64_t verify_requests() const;  // verify requests answered so far (both sides)

    struct Impl;

  private:
    explicit IkeBenchPair(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

struct IkeRate {
    std::uint64_t sas{0};
    double seconds{0};
    // In process and floor: of the calling thread (CLOCK_THREAD_CPUTIME_ID); nssd: of the whole
    // process (CLOCK_PROCESS_CPUTIME_ID: the endpoints' and clients' thread, NSSD's network
    // thread and its workers).
    double cpu_seconds{0};
    // nssd only: the parts of cpu_seconds, and the time the client and server network threads
    // were runnable but waited for a CPU (Linux schedstat; large on a busy machine).
    double client_cpu_seconds{0};
    double server_network_cpu_seconds{0};
    double server_worker_cpu_seconds{0};
    double runqueue_seconds{0};
    // nssd only: IKE requests retransmitted while their answer waited for NSSD (absorbed by the
    // peer, RFC 7296 §2.1); more than 0 means answers took over IkeInitWait (2 s).
    std::uint64_t retransmissions{0};
    double per_second() const { return seconds > 0 ? static_cast<double>(sas) / seconds : 0; }
    double per_cpu_second() const {
        return cpu_seconds > 0 ? static_cast<double>(sas) / cpu_seconds : 0;
    }
};

// The endpoints for `duration`, SAs one after the other (after `warmup`).
Result<IkeRate> measure_ike_endpoints(IkeBenchKeys const& keys, bool psk,
                                      std::chrono::milliseconds warmup,
                                      std::chrono::milliseconds duration);
// The floor for `duration`: raw OpenSSL, the operations of one SA per iteration (ike_floor.cpp).
Result<IkeRate> measure_ike_floor(IkeBenchKeys const& keys, bool psk,
                                  std::chrono::milliseconds duration);

// The delegated mode (--nssd).
struct IkeNssdOptions {
    std::size_t connections{2};     // NssClient cores (NSS connections) per endpoint side
    std::size_t sas_in_flight{64};  // IKE SAs being established at once (1-1024)
    std::size_t workers{1};         // NSSD worker threads that sign (0: its network thread)
};

class SignBenchWorld;

// The delegated mode for `duration` (after every client registered, the first SA and
// `warmup`). `keys` must hold certificates `world` issued (add_certificate) under the key
// labels, and `world` SERVAUTH profiles for 2 * connections clients.
Result<IkeRate> measure_ike_nssd(IkeBenchKeys const& keys, SignBenchWorld& world,
                                 IkeNssdOptions const& options, std::chrono::milliseconds warmup,
                                 std::chrono::milliseconds duration);

struct BenchIkeOptions {
    std::vector<IkeSuite> suites{all_ike_suites()};
    bool psk{false};  // also measure each suite with pre-shared keys (floor: the DH alone)
    // Also measure each suite (with signatures) delegated to an NSSD over loopback TLS.
    std::optional<IkeNssdOptions> nssd;
    std::chrono::milliseconds duration{std::chrono::seconds{3}};
    std::chrono::milliseconds warmup{std::chrono::milliseconds{500}};
};

struct BenchIkeResult {
    IkeSuite suite{IkeSuite::p256};
    bool psk{false};
    IkeRate endpoints;
    IkeRate floor;
    std::optional<IkeRate> nssd;    // with BenchIkeOptions::nssd, signatures only
    double ratio() const;           // endpoints/floor, wall
    double cpu_ratio() const;       // endpoints/floor, per CPU-second of the thread
    double nssd_ratio() const;      // nssd/floor, wall
    double nssd_cpu_ratio() const;  // nssd per CPU-second of the process / floor per CPU-second
};

// The target of the issue: the endpoints keep at least half the crypto floor, judged per
// CPU-second (the machine is shared: wall-clock figures move with its load).
inline constexpr double ike_floor_target = 0.5;
// With the signatures delegated to NSSD over loopback TLS: at least 0.35, per CPU-second of the
// whole process against the floor's per CPU-second (the same work measured in CPU cost).
inline constexpr double ike_nssd_floor_target = 0.35;

// Every measurement of `options`; a progress line per measurement goes to `progress` when given.
Result<std::vector<BenchIkeResult>> run_bench_ike(BenchIkeOptions const& options,
                                                  std::ostream* progress);

// The lines `nsslab bench ike` prints (docs/benchmarks.md "bench ike"):
//   p256      IKE_SA/s  endpoints    1406  floor    2391  ratio 0.59
//   p256      per CPU-second  endpoints 1411  floor 2398  ratio 0.59  target 0.50 met
std::string format_bench_ike(std::vector<BenchIkeResult> const& results,
                             BenchIkeOptions const& options);

}  // namespace nsslab::bench
