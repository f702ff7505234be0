// The "nssd" and "iked" process types of scenarios (docs/scenarios.md, "Process types"): the
// z/OS daemons of sim/nssd and sim/iked, built from the IBM-syntax files a scenario lists.
//
//   nssd  files: nssd.conf (any *.conf), RACF command scripts (*.racf, applied in order at the
//         start of the run; RACDCERT ADD('x') reads x from the scenario folder)
//         args:  operator (SAF user of operator commands, default OPER1), tls_label (AT-TLS
//                CertificateLabel; default: the ring's default certificate), service_time,
//                handshake_time, register_time (simulated CPU time per sign/verify, per TLS
//                handshake, per registration, "2s"; default 0: none)
//   iked  files: iked.conf (*.conf, copied to /etc/security/iked.conf; other *.conf files are
//         copied beside it for MODIFY IKED,REFRESH,FILE=name), RACF scripts (*.racf: IKED's
//         local RACF: PTKTDATA NSSD key, EZB.NETMGMT...IKED.DISPLAY), trust anchors (*.pem: the
//         CA certificates of IKED's key ring), a stack's default policy (*.tcpip: PROFILE.TCPIP
//         IPSEC block) and IPsec filter policy (*.policy): when both are given every NSS stack
//         gets a TCP/IP stack model that remote management (ipsec -z) acts on.
//         args:  operator (default OPER1), api_version (the NSS API version the client
//                offers; default wire_nss::api_version; another value gives EZD1904E)
// Operator commands may start with "as USER " to run as another SAF user. The files are read
// by harness/src/daemon_setup.cpp, which the real daemons (`nsslab nssd`, `nsslab iked`) share.
#include <algorithm>

#include "nsslab/harness/daemon_setup.hpp"
#include "nsslab/harness/process_registry.hpp"
#include "nsslab/harness/scenario.hpp"

namespace nsslab::harness {
namespace {

std::string arg(ProcessContext const& ctx, std::string const& name, std::string fallback) {
    auto it = ctx.args.find(name);
    return it == ctx.args.end() ? fallback : it->second;
}

Result<void> check_args(ProcessContext const& ctx, std::vector<std::string> const& allowed) {
    for (auto const& [k, v] : ctx.args)
        if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
            return fail(Errc::invalid_argument, ctx.type + " process " + ctx.process_name +
                                                    ": unknown argument '" + k + "'");
    return {};
}

// The files of a scenario process, as daemon_setup reads them (harness/src/daemon_setup.cpp).
DaemonInputs inputs(ProcessContext const& ctx) {
    DaemonInputs in;
    in.folder = ctx.scenario_folder;
    in.system_name = ctx.system_name;
    in.what = ctx.type + " process " + ctx.process_name;
    in.files = ctx.config_files;
    in.lib = ctx.lib;
    in.now = ctx.host->local_now();
    return in;
}

Result<engine::AppFactory> nssd_factory(ProcessContext const& ctx) {
    if (auto ok = check_args(
            ctx, {"operator", "tls_label", "service_time", "handshake_time", "register_time"});
        !ok)
        return ok.error();
    auto setup = load_nssd_setup(inputs(ctx));
    if (!setup)
        return setup.error();
    nss::NssServerOptions options = setup->options;
    options.tls.certificate_label = arg(ctx, "tls_label", "");
    auto cpu_time = [&](char const* name, Duration& out) -> Result<void> {
        auto it = ctx.args.find(name);
        if (it == ctx.args.end())
            return {};
        auto d = parse_duration(it->second);
        if (!d || *d < Duration::zero())
            return fail(Errc::invalid_argument, "nssd process " + ctx.process_name + ": " + name +
                                                    " '" + it->second +
                                                    "' is not a duration (\"2s\", \"500us\")");
        out = *d;
        return {};
    };
    for (auto [name, out] : {std::pair{"service_time", &options.limits.service_time},
                             std::pair{"handshake_time", &options.limits.handshake_time},
                             std::pair{"register_time", &options.limits.register_time}})
        if (auto ok = cpu_time(name, *out); !ok)
            return ok.error();
    std::string user = arg(ctx, "operator", "OPER1");
    std::shared_ptr<zos::ZosSystem> sys = setup->system;
    return engine::AppFactory{
        [options, sys, user](runtime::Runtime& rt) -> std::unique_ptr<runtime::Application> {
            return std::make_unique<NssdApplication>(rt, options, sys, user);
        }};
}

Result<engine::AppFactory> iked_factory(ProcessContext const& ctx) {
    if (auto ok = check_args(ctx, {"operator", "api_version"}); !ok)
        return ok.error();
    auto setup = load_iked_setup(inputs(ctx), ctx.host->files());
    if (!setup)
        return setup.error();
    iked::IkedOptions options = setup->options;
    if (auto it = ctx.args.find("api_version"); it != ctx.args.end()) {
        std::string const& v = it->second;  // the NSS API version the client offers
        if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos)
            return fail(Errc::invalid_argument, "iked process " + ctx.process_name +
                                                    ": api_version '" + v + "' is not a number");
        options.client.client_api_version = static_cast<std::uint32_t>(std::stoul(v));
    }
    std::shared_ptr<IkedWorld> world = setup->world;
    std::string user = arg(ctx, "operator", "OPER1");
    return engine::AppFactory{
        [options, world, user](runtime::Runtime& rt) -> std::unique_ptr<runtime::Application> {
            return std::make_unique<IkedApplication>(rt, options, world, user);
        }};
}

}  // namespace

void register_daemon_process_types(ProcessRegistry& registry) {
    (void)registry.add("nssd", "z/OS NSS server (nssd.conf, RACF scripts with RACDCERT key rings)",
                       nssd_factory);
    (void)registry.add("iked",
                       "z/OS IKE daemon, NSS client stacks (iked.conf, local RACF, CA "
                       "certificates, stack policies)",
                       iked_factory);
}

}  // namespace nsslab::harness
