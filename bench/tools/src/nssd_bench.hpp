// The NSSD side and the IKED-side NSS clients of the benchmarks that go over real loopback TCP
// and AT-TLS (private to bench/tools): bench sign (c) and bench ike --nssd.
//   NssdBenchServer     the NSSD daemon (nssd::NssdDaemon, the Application `nsslab nssd` runs)
//                       of a SignBenchWorld on its own asio_rt::Loop in a server thread,
//                       listening on a free loopback port, signing on its worker threads
//   make_bench_clients  NssClient cores (IKED's NSS client, one per stack) registering with it
//                       as BENCH0001, BENCH0002, ... (user BENCH, password, ServiceType Cert)
// and the per-thread clocks the progress lines report (CPU time, time waiting for a CPU).
#pragma once

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "nsslab/asio/loop.hpp"
#include "nsslab/bench/sign.hpp"
#include "nsslab/nss/nss_client.hpp"

namespace nsslab::nssd {
class NssdDaemon;
}

namespace nsslab::bench {

// CPU time of a thread of this process, in seconds (0 when it cannot be read).
double thread_cpu_seconds(pthread_t thread);
// CPU time of the whole process (every thread), in seconds.
double process_cpu_seconds();
// Seconds thread `tid` of this process spent runnable but waiting for a CPU (schedstat field 2).
double runqueue_seconds(long tid);
long this_tid();

class NssdBenchServer {
  public:
    // Starts NSSD with `workers` signing threads (NodeOptions::worker_threads) and runs its
    // loop in a new thread once it listens. `tag` names the run directory in the temporary
    // directory. `world` must outlive the server.
    static Result<std::unique_ptr<NssdBenchServer>> start(SignBenchWorld& world,
                                                          std::size_t workers,
                                                          std::string const& tag);
    // Stops the loop, joins the thread and removes the run directory.
    ~NssdBenchServer();
    NssdBenchServer(NssdBenchServer const&) = delete;
    NssdBenchServer& operator=(NssdBenchServer const&) = delete;

    std::uint16_t port() const { return port_; }
    std::filesystem::path const& root() const { return root_; }

    // The server's clocks since it started, in seconds.
    struct Clocks {
        double network_cpu{0};  // the loop's thread: TLS, codec, RACF checks, verifications
        double worker_cpu{0};   // the signing workers
        double network_runqueue{0};
    };
    Clocks clocks() const;

  private:
    NssdBenchServer() = default;

    std::filesystem::path root_;
    std::unique_ptr<crypto::LibContext> ctx_;
    std::unique_ptr<asio_rt::Loop> loop_;
    nssd::NssdDaemon* daemon_{nullptr};  // owned by loop_
    std::uint16_t port_{0};
    std::atomic<bool> done_{false};
    std::atomic<long> tid_{0};
    std::thread thread_;
};

// `count` NssClient cores for the stacks BENCH<first+1>, ... of `world` (which must have
// SERVAUTH profiles for them), each connecting to 127.0.0.1:`port` and trusting the world's CA;
// at most `pending_max` requests outstanding per client. `ctx` gives their TLS randomness and
// must outlive them.
Result<std::vector<std::unique_ptr<nss::NssClient>>> make_bench_clients(
    SignBenchWorld const& world, std::size_t first, std::size_t count, std::uint16_t port,
    crypto::LibContext& ctx, std::size_t pending_max);

}  // namespace nsslab::bench
