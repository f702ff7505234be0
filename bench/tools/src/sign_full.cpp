// `nsslab bench sign` (c): the full path over real loopback TCP and AT-TLS. The NSSD daemon runs
// on its own asio_rt::Loop in a server thread, signing on its worker thread(s)
// (BenchSignOptions::server_workers); N NssClient cores run on a second Loop in the calling
// thread, each keeping `window` sign requests outstanding (a completion immediately issues the
// next request). See nsslab/bench/sign.hpp and docs/benchmarks.md.
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "nsslab/asio/loop.hpp"
#include "nsslab/bench/sign.hpp"
#include "nsslab/nss/nss_client.hpp"
#include "nsslab/nssd/nssd_daemon.hpp"
#include "nsslab/runtime/driver.hpp"
#include "nsslab/zos/iked_conf.hpp"

namespace nsslab::bench {

namespace {

using SteadyClock = std::chrono::steady_clock;

// A port nothing listens on now (bound to port 0 and released); the daemon then listens on it.
Result<std::uint16_t> free_tcp_port() {
    int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return fail(Errc::io_error, "bench: socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    bool const ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    ::close(fd);
    if (!ok)
        return fail(Errc::io_error, "bench: could not find a free loopback port");
    return ntohs(addr.sin_port);
}

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

double thread_cpu_seconds(pthread_t thread) {
    clockid_t id{};
    timespec ts{};
    if (pthread_getcpuclockid(thread, &id) != 0 || clock_gettime(id, &ts) != 0)
        return 0;
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Seconds thread `tid` of this process spent runnable but waiting for a CPU (schedstat field 2).
double runqueue_seconds(long tid) {
    std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/schedstat");
    std::uint64_t on_cpu = 0;
    std::uint64_t waiting = 0;
    if (!(in >> on_cpu >> waiting))
        return 0;
    return static_cast<double>(waiting) * 1e-9;
}

long this_tid() {
    return static_cast<long>(::syscall(SYS_gettid));
}

std::string iked_conf_text(std::size_t connections, std::uint16_t port) {
    std::string text = "IkeConfig {\n  NetworkSecurityServer 127.0.0.1 Port " +
                       std::to_string(port) + "\n  NssWaitLimit 60\n  NssWaitRetries 0\n}\n";
    for (std::size_t i = 0; i < connections; ++i)
        text += "NssStackConfig STACK" + std::to_string(i + 1) + " {\n  ClientName " +
                SignBenchWorld::client_name(i) + "\n  UserId " + SignBenchWorld::user_id +
                "\n  AuthBy Password\n  Password " + SignBenchWorld::password +
                "\n  ServiceType Cert\n}\n";
    return text;
}

}  // namespace

Result<SignRate> measure_full(SignBenchWorld& world, SignAlgorithm algorithm, ByteView octets,
                              BenchSignOptions const& options) {
    std::size_t const connections = std::max<std::size_t>(options.connections, 1);
    if (connections > world.clients())
        return fail(Errc::invalid_argument, "bench (c): the world has SERVAUTH profiles for " +
                                                std::to_string(world.clients()) + " clients");
    std::size_t const window = std::clamp<std::size_t>(options.window, 1, 64);
    auto server_ctx = crypto::LibContext::system();
    auto client_ctx = crypto::LibContext::system();
    if (!server_ctx)
        return server_ctx.error();
    if (!client_ctx)
        return client_ctx.error();

    auto const root = std::filesystem::temp_directory_path() /
                      ("nsslab-bench-sign-" + std::to_string(::getpid()));

    // Server: NSSD on its own Loop, listening before the server thread starts.
    asio_rt::Loop server_loop;
    asio_rt::NodeOptions server_node;
    server_node.worker_threads = options.server_workers;
    nssd::NssdDaemon* daemon = nullptr;  // owned by server_loop
    std::uint16_t port = 0;
    {
        auto p = free_tcp_port();
        if (!p)
            return p.error();
        port = *p;
        server_loop.add(
            "SYSTEMB",
            [&](runtime::Runtime& rt) {
                auto d = std::make_unique<nssd::NssdDaemon>(
                    rt, world.server_options(port), world.racf(), world.key_rings(), **server_ctx);
                daemon = d.get();
                return d;
            },
            root / "nssd", nullptr, server_node);
        server_loop.run_until([&] { return daemon->listening(); }, std::chrono::milliseconds{1000});
        if (!daemon->listening())
            return fail(Errc::io_error,
                        "bench (c): NSSD could not listen on port " + std::to_string(port));
    }
    std::atomic<bool> server_done{false};
    std::atomic<long> server_tid{0};
    std::thread server_thread([&] {
        server_tid = this_tid();
        while (!server_done.load(std::memory_order_relaxed))
            server_loop.run_until([&] { return server_done.load(std::memory_order_relaxed); },
                                  std::chrono::milliseconds{50});
        server_loop.stop(std::chrono::milliseconds{1000});
    });
    struct Joiner {
        std::atomic<bool>& done;
        std::thread& thread;
        ~Joiner() {
            done = true;
            if (thread.joinable())
                thread.join();
        }
    } joiner{server_done, server_thread};

    // Clients: N NssClient cores on the calling thread's Loop.
    zos::IkedConfParseOptions parse;
    parse.system_name = "SYSTEMA";
    auto conf = zos::parse_iked_conf(iked_conf_text(connections, port), parse);
    if (!conf)
        return fail(conf.error().code, "bench (c): iked.conf: " + conf.error().what());
    nss::ClientTlsPolicy tls;
    tls.trust_anchors_pem = world.ca_pem();
    std::vector<std::unique_ptr<nss::NssClient>> clients;
    std::size_t index = 0;
    for (auto const& [name, stack] : conf->nss_stacks) {
        nss::NssClientOptions copts;
        copts.first_conn_id = (static_cast<nss::ConnId>(index++) + 1) << 32;
        copts.max_pending_requests = window + 16;
        copts.keepalive_interval = std::chrono::hours(1);
        auto c = nss::NssClient::create(conf->ike, stack, "SYSTEMA", tls, **client_ctx, copts);
        if (!c)
            return fail(c.error().code, "bench (c): NssClient: " + c.error().what());
        clients.push_back(std::move(*c));
    }
    asio_rt::Loop client_loop;
    client_loop.add(
        "SYSTEMA",
        [&](runtime::Runtime& rt) {
            return std::make_unique<BenchClients>(rt, std::move(clients), world.label(algorithm),
                                                  wire_scheme(algorithm),
                                                  Bytes(octets.begin(), octets.end()), window);
        },
        root / "iked", nullptr);
    auto& app = static_cast<BenchClients&>(*client_loop.application("SYSTEMA"));

    auto finish = [&](Result<SignRate> r) -> Result<SignRate> {
        app.stop_issuing();
        client_loop.stop(std::chrono::milliseconds{1000});
        server_done = true;
        if (server_thread.joinable())
            server_thread.join();
        std::error_code ignored;
        std::filesystem::remove_all(root, ignored);
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
    double const server_cpu0 = thread_cpu_seconds(server_thread.native_handle());
    double const worker_cpu0 = server_loop.worker_cpu_seconds("SYSTEMB");
    double const client_cpu0 = thread_cpu_seconds(pthread_self());
    double const server_wait0 = runqueue_seconds(server_tid.load());
    double const client_wait0 = runqueue_seconds(this_tid());
    auto const start = SteadyClock::now();
    auto const end = start + options.duration;
    client_loop.run_until([&] { return SteadyClock::now() >= end; },
                          options.duration + std::chrono::milliseconds{100});
    SignRate rate;
    rate.signatures = app.completed_ok() - before;
    rate.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    double const network_cpu = thread_cpu_seconds(server_thread.native_handle()) - server_cpu0;
    rate.server_worker_cpu_seconds = server_loop.worker_cpu_seconds("SYSTEMB") - worker_cpu0;
    rate.server_cpu_seconds = network_cpu + rate.server_worker_cpu_seconds;
    rate.cpu_seconds = options.server_workers > 0 ? rate.server_worker_cpu_seconds : network_cpu;
    rate.client_cpu_seconds = thread_cpu_seconds(pthread_self()) - client_cpu0;
    rate.server_runqueue_seconds = runqueue_seconds(server_tid.load()) - server_wait0;
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
