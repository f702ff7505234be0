// `nsslab bench sign` (c): the full path over real loopback TCP and AT-TLS. The NSSD daemon runs
// on its own asio_rt::Loop in a server thread, signing on its worker thread(s)
// (BenchSignOptions::server_workers); N NssClient cores run on a second Loop in the calling
// thread, each keeping `window` sign requests outstanding (a completion immediately issues the
// next request). See nsslab/bench/sign.hpp and docs/benchmarks.md.
#include <pthread.h>

#include <algorithm>

#include "nssd_bench.hpp"
#include "nsslab/asio/loop.hpp"
#include "nsslab/bench/sign.hpp"
#include "nsslab/nss/nss_client.hpp"
#include "nsslab/runtime/driver.hpp"

namespace nsslab::bench {

namespace {

using SteadyClock = std::chrono::steady_clock;

// N NssClient cores (one per bench stack), each pumped into one runtime by its driver adapter,
// keeping `window` sign requests outstanding per client while `issuing`.
class BenchClients final : public runtime::DrivenApplication {
  public:
    BenchClients(runtime::Runtime& rt, std::vector<std::unique_ptr<nss::NssClient>> clients,
                 std::string label, wire_nss::SignatureScheme scheme, Bytes octets,
                 std::size_t window)
        : DrivenApplication(rt),
          clients_(std::move(clients)),
          label_(std::move(label)),
          scheme_(scheme),
          octets_(std::move(octets)),
          window_(window) {
        for (auto& c : clients_) {
            auto& d =
                drivers_of_.emplace_back(std::make_unique<runtime::StreamDriver<nss::NssClient>>(
                    rt, *c, &drivers_, runtime::StreamDriverOptions{"bench", {}, {}}));
            nss::NssClient* client = c.get();
            d->on_completion([this, client](nss::Completion done, TimePoint now) {
                completed(*client, done, now);
            });
        }
    }

    void on_start(TimePoint now) override {
        for (auto& c : clients_) {
            c->start(now);
            for (std::size_t i = 0; i < window_; ++i)
                c->request_sign(label_, scheme_, octets_, now);
        }
        drain(now);
    }
    void on_stop(TimePoint now) override {
        issuing_ = false;
        for (auto& c : clients_)
            c->stop(now);
        drain(now);
    }
    bool all_registered() const {
        for (auto const& c : clients_)
            if (c->phase() != nss::Phase::registered)
                return false;
        return true;
    }
    std::uint64_t completed_ok() const { return completed_ok_; }
    std::uint64_t failures() const { return failures_; }
    std::string const& first_failure() const { return first_failure_; }
    void stop_issuing() { issuing_ = false; }

  private:
    void drain(TimePoint now) {
        for (auto& d : drivers_of_)
            d->drain(now);
        drivers_.arm();
    }

    void completed(nss::NssClient& c, nss::Completion const& done, TimePoint now) {
        if (done.result == wire_nss::ResultCode::ok) {
            ++completed_ok_;
        } else if (failures_++ == 0) {
            first_failure_ = std::string(wire_nss::to_string(done.result)) + ": " + done.reason;
        }
        if (issuing_)
            c.request_sign(label_, scheme_, octets_, now);
    }

    std::vector<std::unique_ptr<nss::NssClient>> clients_;
    std::vector<std::unique_ptr<runtime::StreamDriver<nss::NssClient>>> drivers_of_;
    std::string label_;
    wire_nss::SignatureScheme scheme_;
    Bytes octets_;
    std::size_t window_;
    bool issuing_{true};
    std::uint64_t completed_ok_{0};
    std::uint64_t failures_{0};
    std::string first_failure_;
};

}  // namespace

Result<SignRate> measure_full(SignBenchWorld& world, SignAlgorithm algorithm, ByteView octets,
                              BenchSignOptions const& options) {
    std::size_t const connections = std::max<std::size_t>(options.connections, 1);
    std::size_t const window = std::clamp<std::size_t>(options.window, 1, 64);
    auto client_ctx = crypto::LibContext::system();
    if (!client_ctx)
        return client_ctx.error();

    // Server: NSSD on its own Loop and thread. Clients: N NssClient cores on the calling
    // thread's Loop.
    auto server = NssdBenchServer::start(world, options.server_workers, "sign");
    if (!server)
        return fail(server.error().code, "bench (c): " + server.error().what());
    auto clients =
        make_bench_clients(world, 0, connections, (*server)->port(), **client_ctx, window + 16);
    if (!clients)
        return fail(clients.error().code, "bench (c): " + clients.error().what());
    asio_rt::Loop client_loop;
    client_loop.add(
        "SYSTEMA",
        [&](runtime::Runtime& rt) {
            return std::make_unique<BenchClients>(rt, std::move(*clients), world.label(algorithm),
                                                  wire_scheme(algorithm),
                                                  Bytes(octets.begin(), octets.end()), window);
        },
        (*server)->root() / "iked", nullptr);
    auto& app = static_cast<BenchClients&>(*client_loop.application("SYSTEMA"));

    auto finish = [&](Result<SignRate> r) -> Result<SignRate> {
        app.stop_issuing();
        client_loop.stop(std::chrono::milliseconds{1000});
        server->reset();
        return r;
    };

    if (!client_loop.run_until([&] { return app.all_registered() || app.failures() > 0; },
                               std::chrono::milliseconds{10000}) ||
        app.failures() > 0)
        return finish(
            fail(Errc::timed_out,
                 "bench (c): the clients did not all register within 10 s " + app.first_failure()));
    auto const warm_end = SteadyClock::now() + options.warmup;
    client_loop.run_until([&] { return SteadyClock::now() >= warm_end; }, options.warmup);
    std::uint64_t const before = app.completed_ok();
    auto const server0 = (*server)->clocks();
    double const client_cpu0 = thread_cpu_seconds(pthread_self());
    double const client_wait0 = runqueue_seconds(this_tid());
    auto const start = SteadyClock::now();
    auto const end = start + options.duration;
    client_loop.run_until([&] { return SteadyClock::now() >= end; },
                          options.duration + std::chrono::milliseconds{100});
    SignRate rate;
    rate.signatures = app.completed_ok() - before;
    rate.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    auto const server1 = (*server)->clocks();
    double const network_cpu = server1.network_cpu - server0.network_cpu;
    rate.server_worker_cpu_seconds = server1.worker_cpu - server0.worker_cpu;
    rate.server_cpu_seconds = network_cpu + rate.server_worker_cpu_seconds;
    rate.cpu_seconds = options.server_workers > 0 ? rate.server_worker_cpu_seconds : network_cpu;
    rate.client_cpu_seconds = thread_cpu_seconds(pthread_self()) - client_cpu0;
    rate.server_runqueue_seconds = server1.network_runqueue - server0.network_runqueue;
    rate.client_runqueue_seconds = runqueue_seconds(this_tid()) - client_wait0;
    if (app.failures() > 0)
        return finish(
            fail(Errc::state_error, "bench (c): " + std::to_string(app.failures()) +
                                        " sign requests failed, first: " + app.first_failure()));
    if (rate.signatures == 0)
        return finish(fail(Errc::timed_out, "bench (c): no signature completed"));
    return finish(rate);
}

}  // namespace nsslab::bench
