#include "nsslab/bench/failover.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/key.hpp"
#include "nsslab/engine/host.hpp"
#include "nsslab/engine/network.hpp"
#include "nsslab/engine/simulation.hpp"
#include "nsslab/iked/iked_daemon.hpp"
#include "nsslab/nssd/nssd_daemon.hpp"
#include "nsslab/zos/nssd_conf.hpp"
#include "nsslab/zos/zos_system.hpp"

namespace nsslab::bench {
namespace {

using namespace std::chrono_literals;

constexpr char const* primary_name = "NSSPRI";
constexpr char const* backup_name = "NSSBKP";
constexpr char const* primary_ip = "9.1.1.1";
constexpr char const* backup_ip = "9.1.1.2";
// The secured-signon key of PTKTDATA profile NSSD, on every IKED system and on both servers.
constexpr char const* ptkt_key = "E001193519561977";

std::string system_name(std::uint32_t index) {  // 1-based: SYS00001 (8 characters, z/OS)
    char buf[32];
    std::snprintf(buf, sizeof buf, "SYS%05u", index);
    return buf;
}
// User ID of stack s (1..8) of system i: U + 5 digits + stack digit (7 characters).
std::string user_id(std::uint32_t system, std::uint32_t stack) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "U%05u%u", system, stack);
    return buf;
}
std::string password_of(std::uint32_t system, std::uint32_t stack) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "P%05u%u", system, stack);
    return buf;
}
bool uses_passticket(std::uint32_t stack) {
    return stack % 2 == 0;
}

// 10.0.0.0/8 host addresses for IKED systems: system i gets 10.0.0.0 + i.
IpAddress system_address(std::uint32_t index) {
    return IpAddress::v4((std::uint32_t{10} << 24) + index);
}

std::string iked_conf(std::uint32_t system, std::uint32_t stacks) {
    std::string out =
        "IkeConfig\n{\n"
        "  NetworkSecurityServer       9.1.1.1 Port 4159\n"
        "  NetworkSecurityServerBackup 9.1.1.2 Port 4159\n"
        "  NssWaitLimit                10\n"
        "  NssWaitRetries              3\n"
        "}\n";
    std::string sys = system_name(system);
    for (std::uint32_t s = 1; s <= stacks; ++s) {
        out += "NssStackConfig STACK" + std::to_string(s) + "\n{\n";
        out += "  ClientName  " + sys + "_STACK" + std::to_string(s) + "\n";
        out += "  UserId      " + user_id(system, s) + "\n";
        if (uses_passticket(s))
            out += "  AuthBy      PassTicket\n";
        else
            out += "  AuthBy      Password\n  Password    " + password_of(system, s) + "\n";
        out += "  ServiceType Cert\n  ServiceType RemoteMgmt\n}\n";
    }
    return out;
}

// The server's RACF: a user per stack in group NSSCLNT, generic SERVAUTH profiles for every
// client permitted to the group, PTKTDATA NSSD, and the key ring with the server certificate.
std::string server_racf(std::string const& sys, std::string const& ip,
                        std::vector<std::uint32_t> const& stacks_per_system) {
    std::string out =
        "SETROPTS CLASSACT(SERVAUTH PTKTDATA) GENERIC(SERVAUTH)\n"
        "ADDUSER NSSD\n"
        "ADDGROUP NSSCLNT\n";
    out.reserve(stacks_per_system.size() * 8 * 60 + 2048);
    for (std::uint32_t i = 0; i < stacks_per_system.size(); ++i)
        for (std::uint32_t s = 1; s <= stacks_per_system[i]; ++s) {
            out += "ADDUSER " + user_id(i + 1, s) + " DFLTGRP(NSSCLNT)";
            if (!uses_passticket(s))
                out += " PASSWORD(" + password_of(i + 1, s) + ")";
            out += "\n";
        }
    for (char const* service : {"CERT", "NETMGMT"}) {
        std::string profile = "EZB.NSS." + sys + ".*.IPSEC." + service;
        out += "RDEFINE SERVAUTH " + profile + " UACC(NONE)\n";
        out += "PERMIT " + profile + " CLASS(SERVAUTH) ID(NSSCLNT) ACCESS(READ)\n";
    }
    out += std::string("RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(") + ptkt_key + ")) UACC(NONE)\n";
    out += "RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('NSSD " + sys +
           "') O('IBM') C('US')) -\n"
           "  ALTNAME(IP(" +
           ip +
           ")) NISTECC SIZE(256) SIGNWITH(CERTAUTH LABEL('NSS CA')) -\n"
           "  WITHLABEL('NSSD Server')\n"
           "RACDCERT ADDRING(NSSRING) ID(NSSD)\n"
           "RACDCERT CONNECT(ID(NSSD) LABEL('NSSD Server') RING(NSSRING) USAGE(PERSONAL) "
           "DEFAULT) ID(NSSD)\n"
           "RACDCERT CONNECT(CERTAUTH LABEL('NSS CA') RING(NSSRING) USAGE(CERTAUTH)) ID(NSSD)\n";
    return out;
}

Result<void> apply(zos::ZosSystem& sys, std::string const& script, TimePoint now) {
    if (auto ok = sys.run_script(script, sys.name() + ".racf", now); !ok)
        return Error{ok.error().code, sys.name() + ".racf: " + ok.error().message};
    return {};
}

// Follows each stack's registrations ("nss.registered" from each IKED). Before the crash a
// stack's latest registration tells which server it uses: a stack whose primary did not answer
// within IKED's limits registers with the backup early (the primary was slow, not down). After
// the crash, a stack counts as failed over once it registers with the backup, or at once when
// it was already on the backup.
class RegistrationCounter final : public TraceSink {
  public:
    void record(TraceRecord const& r) override {
        if (r.event.name != "nss.registered")
            return;
        std::string key = r.node + "/" + r.event.text("stack");
        bool const backup = r.event.text("role") == "backup";
        if (!crashed_) {
            latest_[key] = backup;
            (backup ? last_early_backup_ : last_primary_) = r.time;
        } else if (backup) {
            if (backup_.insert(std::move(key)).second)
                last_backup_ = r.time;
        }
    }
    // Called at the crash: the stacks on the backup then have failed over already.
    void crashed() {
        crashed_ = true;
        for (auto const& [key, backup] : latest_)
            if (backup)
                backup_.insert(key);
    }
    std::size_t registered() const { return latest_.size(); }  // before the crash, anywhere
    std::size_t on_primary() const {
        return static_cast<std::size_t>(
            std::count_if(latest_.begin(), latest_.end(), [](auto const& e) { return !e.second; }));
    }
    std::size_t on_backup() const { return backup_.size(); }
    TimePoint last_registration() const { return std::max(last_primary_, last_early_backup_); }
    TimePoint last_backup() const { return last_backup_; }

  private:
    bool crashed_{false};
    std::unordered_map<std::string, bool> latest_;  // stack -> on the backup (before the crash)
    std::unordered_set<std::string> backup_;
    TimePoint last_primary_{};
    TimePoint last_early_backup_{};
    TimePoint last_backup_{};
};

std::uint64_t peak_rss_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux: kilobytes
}

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto secs = [](timeval const& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return secs(usage.ru_utime) + secs(usage.ru_stime);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// One run of the benchmark: its world and the figures it measures, built and run in the steps
// of run_bench_failover() below, in that order (the seed's draws depend on it).
class FailoverBench {
  public:
    FailoverBench(BenchFailoverOptions const& options, std::vector<std::uint32_t> per_system,
                  std::chrono::steady_clock::time_point wall0)
        : options_(options), per_system_(std::move(per_system)), wall0_(wall0), sim_(options.seed) {
        result_.stacks = options.stacks;
        result_.systems = static_cast<std::uint32_t>(per_system_.size());
    }

    void set_up_world();
    Result<void> set_up_servers();
    Result<void> set_up_stacks();
    void start_daemons();
    void run_to_registration();
    void crash_primary();
    void run_to_failover();
    BenchFailoverResult figures();

  private:
    struct Server {
        std::unique_ptr<zos::ZosSystem> sys;
        engine::Host* host;
    };

    BenchFailoverOptions const options_;
    std::vector<std::uint32_t> const per_system_;  // stacks of each IKED system
    std::chrono::steady_clock::time_point const wall0_;
    BenchFailoverResult result_;
    // Declared before the simulation so that they outlive it: its hosts' daemons use them.
    std::vector<Server> servers_;
    std::unique_ptr<crypto::LibContext> iked_lib_;
    std::vector<std::unique_ptr<zos::ZosSystem>> iked_systems_;
    RegistrationCounter counter_;
    engine::Simulation sim_;
    std::vector<engine::Host*> iked_hosts_;
    nss::NssServerOptions server_options_;
    std::string ca_pem_;
    TimePoint crash_at_{};
};

// The network: link delays, and a listen backlog that holds every stack.
void FailoverBench::set_up_world() {
    sim_.set_trace(&counter_);
    auto& net = sim_.network();
    engine::LinkParams link;
    link.delay = engine::DelayDistribution::normal(2ms, 500us);
    net.set_default_link(link);
    // Every stack connects at once: the servers' listen backlog must hold them (z/OS: the
    // SOMAXCONN of the server's TCP/IP profile).
    net.tcp_params().accept_backlog =
        std::max<std::size_t>(net.tcp_params().accept_backlog, options_.stacks + 16);
}

// The servers: their own systems, a CA shared by both, their RACF and key rings, their hosts.
Result<void> FailoverBench::set_up_servers() {
    auto make_zos = [&](std::string const& name) -> Result<std::unique_ptr<zos::ZosSystem>> {
        auto lib = crypto::LibContext::deterministic(options_.seed, name);
        if (!lib)
            return lib.error();
        return std::make_unique<zos::ZosSystem>(name, std::move(*lib));
    };
    auto pri = make_zos(primary_name);
    if (!pri)
        return pri.error();
    auto bkp = make_zos(backup_name);
    if (!bkp)
        return bkp.error();
    auto ca_key = crypto::PrivateKey::generate(&(*pri)->lib(), crypto::KeyType::ec_p256);
    if (!ca_key)
        return ca_key.error();
    crypto::CertificateSpec spec;
    auto dn = crypto::DistinguishedName::parse("CN=NSS CA,O=IBM,C=US");
    if (!dn)
        return dn.error();
    spec.subject = *dn;
    spec.not_before = sim_.start_time() - std::chrono::hours(24);
    spec.not_after = sim_.start_time() + std::chrono::hours(24 * 3650);
    spec.is_ca = true;
    auto ca = crypto::Certificate::create_self_signed(spec, *ca_key);
    if (!ca)
        return ca.error();
    ca_pem_ = ca->to_pem();

    auto conf = zos::parse_nssd_conf(
        "NssConfig\n{\n  Port 4159\n  KeyRing NSSD/NSSRING\n  SyslogLevel 10\n}\n");
    if (!conf)
        return conf.error();
    server_options_.config = *conf;
    // Every stack holds a connection to the server it uses (the core's default bound is 1,024).
    server_options_.limits.connections_max =
        std::max<std::size_t>(server_options_.limits.connections_max, options_.stacks + 64);
    server_options_.limits.handshake_time = options_.server_handshake_time;
    server_options_.limits.register_time = options_.server_register_time;
    result_.server_handshake_time = options_.server_handshake_time;
    result_.server_register_time = options_.server_register_time;
    std::pair<std::unique_ptr<zos::ZosSystem>*, char const*> const server_specs[] = {
        {&*pri, primary_ip}, {&*bkp, backup_ip}};
    for (auto [owned, ip] : server_specs) {
        zos::ZosSystem& sys = **owned;
        if (auto ok =
                sys.key_rings().add_certificate(zos::CertOwner::certauth(), "NSS CA", *ca, *ca_key);
            !ok)
            return ok.error();
        if (auto ok = apply(sys, server_racf(sys.name(), ip, per_system_), sim_.now()); !ok)
            return ok.error();
        engine::Host& host = sim_.network().add_host(sys.name(), {*IpAddress::parse(ip)});
        servers_.push_back(Server{std::move(*owned), &host});
    }
    return {};
}

// The IKED systems: one IKED each, serving that system's stacks. They share one seeded
// OpenSSL library context: OpenSSL 3.0 takes pthread keys per library context (1,024 per
// process on Linux), which bounds a process to about 500 contexts. Draws stay reproducible:
// the simulation is single-threaded and its order of events is fixed by the seed.
Result<void> FailoverBench::set_up_stacks() {
    auto shared_lib = crypto::LibContext::deterministic(options_.seed, "IKED-SYSTEMS");
    if (!shared_lib)
        return shared_lib.error();
    iked_lib_ = std::move(*shared_lib);
    iked_systems_.reserve(per_system_.size());
    std::string const iked_racf =
        std::string("SETROPTS CLASSACT(PTKTDATA)\nRDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(") +
        ptkt_key + ")) UACC(NONE)\n";
    for (std::uint32_t i = 0; i < per_system_.size(); ++i) {
        std::string name = system_name(i + 1);
        auto sys = std::make_unique<zos::ZosSystem>(name, *iked_lib_);
        if (auto ok = apply(*sys, iked_racf, sim_.now()); !ok)
            return ok.error();
        engine::Host& host = sim_.network().add_host(name, {system_address(i + 1)});
        if (auto ok =
                host.files().write("/etc/security/iked.conf", iked_conf(i + 1, per_system_[i]));
            !ok)
            return ok.error();
        iked_systems_.push_back(std::move(sys));
        iked_hosts_.push_back(&host);
    }
    result_.setup_wall_seconds = seconds_since(wall0_);
    return {};
}

// NSSD on both servers, IKED on every IKED system.
void FailoverBench::start_daemons() {
    for (auto& s : servers_) {
        zos::ZosSystem* sys = s.sys.get();
        nss::NssServerOptions o = server_options_;
        o.system_name = sys->name();
        s.host->spawn("NSSD", [sys, o](runtime::Runtime& rt) {
            return std::make_unique<nssd::NssdDaemon>(rt, o, sys->racf(), sys->key_rings(),
                                                      sys->lib());
        });
    }
    for (std::uint32_t i = 0; i < iked_hosts_.size(); ++i) {
        zos::ZosSystem* sys = iked_systems_[i].get();
        iked::IkedOptions o;
        o.system_name = sys->name();
        o.tls.trust_anchors_pem = ca_pem_;
        o.racf = &sys->racf();
        iked_hosts_[i]->spawn("IKED", [sys, o](runtime::Runtime& rt) {
            return std::make_unique<iked::IkedDaemon>(rt, o, sys->lib());
        });
    }
}

// Phase 1: every stack registers with the primary.
void FailoverBench::run_to_registration() {
    TimePoint const t0 = sim_.now();
    std::size_t const want = options_.stacks;
    sim_.run_until([&] { return counter_.registered() >= want; }, t0 + options_.register_limit);
    result_.connected_to_primary = static_cast<std::uint32_t>(counter_.on_primary());
    result_.on_backup_before_crash =
        static_cast<std::uint32_t>(counter_.registered() - counter_.on_primary());
    if (counter_.registered() > 0)
        result_.time_to_primary = counter_.last_registration() - t0;
}

// The primary's system crashes (its peers see resets).
void FailoverBench::crash_primary() {
    crash_at_ = sim_.now();
    counter_.crashed();
    servers_[0].host->crash(true);
}

// Phase 2: everyone fails over to the backup.
void FailoverBench::run_to_failover() {
    std::size_t const want = options_.stacks;
    sim_.run_until([&] { return counter_.on_backup() >= want; },
                   crash_at_ + options_.failover_limit);
    result_.failed_over = static_cast<std::uint32_t>(counter_.on_backup());
    if (counter_.on_backup() > 0)
        result_.time_to_backup = std::max(counter_.last_backup(), crash_at_) - crash_at_;
}

// The simulation's counts and the process's wall time, CPU time and peak memory.
BenchFailoverResult FailoverBench::figures() {
    result_.events = sim_.events_executed();
    result_.packets = sim_.network().packets_sent();
    result_.wall_seconds = seconds_since(wall0_);
    result_.peak_rss_bytes = peak_rss_bytes();
    result_.cpu_seconds = cpu_seconds();
    return result_;
}

}  // namespace

Result<BenchFailoverResult> run_bench_failover(BenchFailoverOptions const& options) {
    auto const wall0 = std::chrono::steady_clock::now();
    if (options.stacks == 0 || options.stacks > 1'000'000)
        return fail(Errc::invalid_argument, "bench failover: --stacks must be 1..1000000");
    if (options.stacks_per_system == 0 || options.stacks_per_system > 8)
        return fail(Errc::invalid_argument,
                    "bench failover: stacks per system must be 1..8 (Common INET)");
    std::vector<std::uint32_t> per_system;
    for (std::uint32_t left = options.stacks; left > 0;) {
        std::uint32_t n = std::min(left, options.stacks_per_system);
        per_system.push_back(n);
        left -= n;
    }

    FailoverBench bench(options, std::move(per_system), wall0);
    bench.set_up_world();
    if (auto ok = bench.set_up_servers(); !ok)
        return ok.error();
    if (auto ok = bench.set_up_stacks(); !ok)
        return ok.error();
    bench.start_daemons();
    bench.run_to_registration();
    bench.crash_primary();
    bench.run_to_failover();
    return bench.figures();
}

std::string describe(BenchFailoverResult const& r) {
    auto secs = [](Duration d) { return std::chrono::duration<double>(d).count(); };
    char buf[128];
    std::ostringstream out;
    out << "stacks:                 " << r.stacks << " (" << r.systems
        << " IKED systems, one IKED per system)\n";
    out << "connected to primary:   " << r.connected_to_primary << " of " << r.stacks;
    if (r.on_backup_before_crash > 0)
        out << " (" << r.on_backup_before_crash
            << " registered with the backup before the crash: the primary did not answer in "
               "time)";
    out << "\n";
    out << "failed over:            " << r.failed_over << " of " << r.stacks
        << (r.ok() ? " (all)" : " (NOT ALL)") << "\n";
    std::snprintf(buf, sizeof buf,
                  "%.3f s virtual (start to the last stack's first registration)\n",
                  secs(r.time_to_primary));
    out << "all registered in:      " << buf;
    std::snprintf(buf, sizeof buf, "%.3f s virtual (crash to last registration on the backup)\n",
                  secs(r.time_to_backup));
    out << "backup registered in:   " << buf;
    std::snprintf(
        buf, sizeof buf, "%.0f us per TLS handshake, %.0f us per registration%s\n",
        secs(r.server_handshake_time) * 1e6, secs(r.server_register_time) * 1e6,
        r.server_handshake_time == Duration::zero() && r.server_register_time == Duration::zero()
            ? " (none: the virtual times are link delays only)"
            : " (simulated, one CPU per server)");
    out << "server CPU:             " << buf;
    std::snprintf(buf, sizeof buf, "%.2f s (set-up %.2f s)\n", r.wall_seconds,
                  r.setup_wall_seconds);
    out << "wall time:              " << buf;
    std::snprintf(buf, sizeof buf,
                  "%.2f s (user + system; below the wall time when the machine "
                  "is shared)\n",
                  r.cpu_seconds);
    out << "cpu time:               " << buf;
    std::snprintf(buf, sizeof buf, "%.1f MiB (ru_maxrss)\n",
                  static_cast<double>(r.peak_rss_bytes) / (1024.0 * 1024.0));
    out << "peak memory:            " << buf;
    out << "events processed:       " << r.events << "\n";
    out << "packets:                " << r.packets << "\n";
    return out.str();
}

}  // namespace nsslab::bench
