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

}  // namespace

Result<BenchFailoverResult> run_bench_failover(BenchFailoverOptions const& options) {
    auto const wall0 = std::chrono::steady_clock::now();
    if (options.stacks == 0 || options.stacks > 1'000'000)
        return fail(Errc::invalid_argument, "bench failover: --stacks must be 1..1000000");
    if (options.stacks_per_system == 0 || options.stacks_per_system > 8)
        return fail(Errc::invalid_argument,
                    "bench failover: stacks per system must be 1..8 (Common INET)");

    BenchFailoverResult result;
    result.stacks = options.stacks;
    std::vector<std::uint32_t> per_system;
    for (std::uint32_t left = options.stacks; left > 0;) {
        std::uint32_t n = std::min(left, options.stacks_per_system);
        per_system.push_back(n);
        left -= n;
    }
    result.systems = static_cast<std::uint32_t>(per_system.size());

    // Declared before the simulation so that they outlive it: its hosts' daemons use them.
    struct Server {
        std::unique_ptr<zos::ZosSystem> sys;
        engine::Host* host;
    };
    std::vector<Server> servers;
    std::unique_ptr<crypto::LibContext> iked_lib;
    std::vector<std::unique_ptr<zos::ZosSystem>> iked_systems;
    RegistrationCounter counter;
    engine::Simulation sim(options.seed);
    sim.set_trace(&counter);
    auto& net = sim.network();
    engine::LinkParams link;
    link.delay = engine::DelayDistribution::normal(2ms, 500us);
    net.set_default_link(link);
    // Every stack connects at once: the servers' listen backlog must hold them (z/OS: the
    // SOMAXCONN of the server's TCP/IP profile).
    net.tcp_params().accept_backlog =
        std::max<std::size_t>(net.tcp_params().accept_backlog, options.stacks + 16);

    // The servers: their own systems, a CA shared by both.
    auto make_zos = [&](std::string const& name) -> Result<std::unique_ptr<zos::ZosSystem>> {
        auto lib = crypto::LibContext::deterministic(options.seed, name);
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
    spec.not_before = sim.start_time() - std::chrono::hours(24);
    spec.not_after = sim.start_time() + std::chrono::hours(24 * 3650);
    spec.is_ca = true;
    auto ca = crypto::Certificate::create_self_signed(spec, *ca_key);
    if (!ca)
        return ca.error();
    std::string const ca_pem = ca->to_pem();

    nss::NssServerOptions server_options;
    auto conf = zos::parse_nssd_conf(
        "NssConfig\n{\n  Port 4159\n  KeyRing NSSD/NSSRING\n  SyslogLevel 10\n}\n");
    if (!conf)
        return conf.error();
    server_options.config = *conf;
    // Every stack holds a connection to the server it uses (the core's default bound is 1,024).
    server_options.limits.connections_max =
        std::max<std::size_t>(server_options.limits.connections_max, options.stacks + 64);
    server_options.limits.handshake_time = options.server_handshake_time;
    server_options.limits.register_time = options.server_register_time;
    result.server_handshake_time = options.server_handshake_time;
    result.server_register_time = options.server_register_time;
    std::pair<std::unique_ptr<zos::ZosSystem>*, char const*> const server_specs[] = {
        {&*pri, primary_ip}, {&*bkp, backup_ip}};
    for (auto [owned, ip] : server_specs) {
        zos::ZosSystem& sys = **owned;
        if (auto ok =
                sys.key_rings().add_certificate(zos::CertOwner::certauth(), "NSS CA", *ca, *ca_key);
            !ok)
            return ok.error();
        if (auto ok = apply(sys, server_racf(sys.name(), ip, per_system), sim.now()); !ok)
            return ok.error();
        engine::Host& host = net.add_host(sys.name(), {*IpAddress::parse(ip)});
        servers.push_back(Server{std::move(*owned), &host});
    }

    // The IKED systems: one IKED each, serving that system's stacks. They share one seeded
    // OpenSSL library context: OpenSSL 3.0 takes pthread keys per library context (1,024 per
    // process on Linux), which bounds a process to about 500 contexts. Draws stay reproducible:
    // the simulation is single-threaded and its order of events is fixed by the seed.
    auto shared_lib = crypto::LibContext::deterministic(options.seed, "IKED-SYSTEMS");
    if (!shared_lib)
        return shared_lib.error();
    iked_lib = std::move(*shared_lib);
    iked_systems.reserve(per_system.size());
    std::vector<engine::Host*> iked_hosts;
    std::string const iked_racf =
        std::string("SETROPTS CLASSACT(PTKTDATA)\nRDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(") +
        ptkt_key + ")) UACC(NONE)\n";
    for (std::uint32_t i = 0; i < per_system.size(); ++i) {
        std::string name = system_name(i + 1);
        auto sys = std::make_unique<zos::ZosSystem>(name, *iked_lib);
        if (auto ok = apply(*sys, iked_racf, sim.now()); !ok)
            return ok.error();
        engine::Host& host = net.add_host(name, {system_address(i + 1)});
        if (auto ok =
                host.files().write("/etc/security/iked.conf", iked_conf(i + 1, per_system[i]));
            !ok)
            return ok.error();
        iked_systems.push_back(std::move(sys));
        iked_hosts.push_back(&host);
    }
    result.setup_wall_seconds = seconds_since(wall0);

    for (auto& s : servers) {
        zos::ZosSystem* sys = s.sys.get();
        nss::NssServerOptions o = server_options;
        o.system_name = sys->name();
        s.host->spawn("NSSD", [sys, o](runtime::Runtime& rt) {
            return std::make_unique<nssd::NssdDaemon>(rt, o, sys->racf(), sys->key_rings(),
                                                      sys->lib());
        });
    }
    for (std::uint32_t i = 0; i < iked_hosts.size(); ++i) {
        zos::ZosSystem* sys = iked_systems[i].get();
        iked::IkedOptions o;
        o.system_name = sys->name();
        o.tls.trust_anchors_pem = ca_pem;
        o.racf = &sys->racf();
        iked_hosts[i]->spawn("IKED", [sys, o](runtime::Runtime& rt) {
            return std::make_unique<iked::IkedDaemon>(rt, o, sys->lib());
        });
    }

    // Phase 1: every stack registers with the primary.
    TimePoint const t0 = sim.now();
    std::size_t const want = options.stacks;
    sim.run_until([&] { return counter.registered() >= want; }, t0 + options.register_limit);
    result.connected_to_primary = static_cast<std::uint32_t>(counter.on_primary());
    result.on_backup_before_crash =
        static_cast<std::uint32_t>(counter.registered() - counter.on_primary());
    if (counter.registered() > 0)
        result.time_to_primary = counter.last_registration() - t0;

    // Phase 2: the primary's system crashes (its peers see resets); everyone fails over.
    TimePoint const crash_at = sim.now();
    counter.crashed();
    servers[0].host->crash(true);
    sim.run_until([&] { return counter.on_backup() >= want; }, crash_at + options.failover_limit);
    result.failed_over = static_cast<std::uint32_t>(counter.on_backup());
    if (counter.on_backup() > 0)
        result.time_to_backup = std::max(counter.last_backup(), crash_at) - crash_at;

    result.events = sim.events_executed();
    result.packets = net.packets_sent();
    result.wall_seconds = seconds_since(wall0);
    result.peak_rss_bytes = peak_rss_bytes();
    result.cpu_seconds = cpu_seconds();
    return result;
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
