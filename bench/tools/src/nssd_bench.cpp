// NSSD on its own loop and thread, and the NssClient cores of the loopback benchmarks
// (nssd_bench.hpp).
#include "nssd_bench.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <fstream>

#include "nsslab/nssd/nssd_daemon.hpp"
#include "nsslab/zos/iked_conf.hpp"

namespace nsslab::bench {

namespace {

double clock_seconds(clockid_t id) {
    timespec ts{};
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

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

std::string iked_conf_text(std::size_t first, std::size_t count, std::uint16_t port) {
    std::string text = "IkeConfig {\n  NetworkSecurityServer 127.0.0.1 Port " +
                       std::to_string(port) + "\n  NssWaitLimit 60\n  NssWaitRetries 0\n}\n";
    for (std::size_t i = first; i < first + count; ++i)
        text += "NssStackConfig STACK" + std::to_string(i + 1) + " {\n  ClientName " +
                SignBenchWorld::client_name(i) + "\n  UserId " + SignBenchWorld::user_id +
                "\n  AuthBy Password\n  Password " + SignBenchWorld::password +
                "\n  ServiceType Cert\n}\n";
    return text;
}

}  // namespace

double thread_cpu_seconds(pthread_t thread) {
    clockid_t id{};
    if (pthread_getcpuclockid(thread, &id) != 0)
        return 0;
    return clock_seconds(id);
}

double process_cpu_seconds() {
    return clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
}

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

Result<std::unique_ptr<NssdBenchServer>> NssdBenchServer::start(SignBenchWorld& world,
                                                                std::size_t workers,
                                                                std::string const& tag) {
    std::unique_ptr<NssdBenchServer> s(new NssdBenchServer());
    s->root_ = std::filesystem::temp_directory_path() /
               ("nsslab-bench-" + tag + "-" + std::to_string(::getpid()));
    auto ctx = crypto::LibContext::system();
    if (!ctx)
        return ctx.error();
    s->ctx_ = std::move(*ctx);
    auto port = free_tcp_port();
    if (!port)
        return port.error();
    s->port_ = *port;
    s->loop_ = std::make_unique<asio_rt::Loop>();
    asio_rt::NodeOptions node;
    node.worker_threads = workers;
    NssdBenchServer* const self = s.get();
    s->loop_->add(
        "SYSTEMB",
        [self, &world](runtime::Runtime& rt) {
            auto d =
                std::make_unique<nssd::NssdDaemon>(rt, world.server_options(self->port_),
                                                   world.racf(), world.key_rings(), *self->ctx_);
            self->daemon_ = d.get();
            return d;
        },
        s->root_ / "nssd", nullptr, node);
    s->loop_->run_until([self] { return self->daemon_->listening(); },
                        std::chrono::milliseconds{1000});
    if (!s->daemon_->listening())
        return fail(Errc::io_error,
                    "bench: NSSD could not listen on port " + std::to_string(*port));
    s->thread_ = std::thread([self] {
        self->tid_ = this_tid();
        while (!self->done_.load(std::memory_order_relaxed))
            self->loop_->run_until([self] { return self->done_.load(std::memory_order_relaxed); },
                                   std::chrono::milliseconds{50});
        self->loop_->stop(std::chrono::milliseconds{1000});
    });
    return s;
}

NssdBenchServer::~NssdBenchServer() {
    done_ = true;
    if (thread_.joinable())
        thread_.join();
    loop_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
}

NssdBenchServer::Clocks NssdBenchServer::clocks() const {
    Clocks c;
    c.network_cpu = thread_cpu_seconds(const_cast<std::thread&>(thread_).native_handle());
    c.worker_cpu = loop_->worker_cpu_seconds("SYSTEMB");
    c.network_runqueue = runqueue_seconds(tid_.load());
    return c;
}

Result<std::vector<std::unique_ptr<nss::NssClient>>> make_bench_clients(
    SignBenchWorld const& world, std::size_t first, std::size_t count, std::uint16_t port,
    crypto::LibContext& ctx, std::size_t pending_max) {
    if (first + count > world.clients())
        return fail(Errc::invalid_argument, "bench: the world has SERVAUTH profiles for " +
                                                std::to_string(world.clients()) + " clients");
    zos::IkedConfParseOptions parse;
    parse.system_name = "SYSTEMA";
    auto conf = zos::parse_iked_conf(iked_conf_text(first, count, port), parse);
    if (!conf)
        return fail(conf.error().code, "bench: iked.conf: " + conf.error().what());
    nss::ClientTlsPolicy tls;
    tls.trust_anchors_pem = world.ca_pem();
    std::vector<std::unique_ptr<nss::NssClient>> clients;
    for (std::size_t i = first; i < first + count; ++i) {
        auto const& stack = conf->nss_stacks.at("STACK" + std::to_string(i + 1));
        nss::NssClientOptions options;
        options.first_conn_id = (static_cast<nss::ConnId>(i) + 1) << 32;
        options.max_pending_requests = pending_max;
        options.keepalive_interval = std::chrono::hours(1);
        auto c = nss::NssClient::create(conf->ike, stack, "SYSTEMA", tls, ctx, options);
        if (!c)
            return fail(c.error().code, "bench: NssClient: " + c.error().what());
        clients.push_back(std::move(*c));
    }
    return clients;
}

}  // namespace nsslab::bench
