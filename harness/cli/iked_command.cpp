// `nsslab iked --config DIR [--trace FILE] [--operator USER] [--system NAME] [--root DIR]
// [--ike-port N]`: the IKE daemon as a real process (docs/daemons.md). DIR holds iked.conf
// (other *.conf files are installed beside it for MODIFY IKED,REFRESH,FILE=name), IKED's local
// RACF scripts (*.racf), the CA certificates of its key ring (*.pem) and optionally a stack's
// default (*.tcpip) and IPsec (*.policy) filter policies, as for the scenario process type
// "iked". Each NssStackConfig connects to its NetworkSecurityServer over AT-TLS; a stack whose
// <stack>.policy has a KeyExchangePolicy negotiates IKEv2 over UDP port N (default 500) of its
// KeyExchangeRules' LocalSecurityEndpoint Locations; console commands (nss sign ...,
// ipsec -w display, ipsec -y activate, MODIFY IKED,REFRESH) come from stdin.
#include <set>

#include "command.hpp"
#include "daemon_command.hpp"
#include "nsslab/iked/ike_connections.hpp"

namespace nsslab::cli {
namespace {

// Why IKED cannot serve IKE: the local endpoints of a stack's connections that it could not
// bind (the port is in use, or the address is not one of this machine's).
std::optional<std::string> ike_bind_error(harness::IkedApplication& app,
                                          iked::IkedOptions const& options) {
    std::string missing;
    for (auto const& [name, policy] : options.ike_policies) {
        iked::IkeMapping mapping;
        mapping.port = options.ike_port;
        auto wanted = iked::connections_from_policy(policy, mapping);
        auto* stack = app.daemon().ike_stack(name);
        if (stack == nullptr) {
            missing += (missing.empty() ? "" : ", ") + name + " (its IKE endpoint did not start)";
            continue;
        }
        std::set<std::string> bound;
        for (auto const& e : stack->bound())
            bound.insert(e.to_string());
        std::set<std::string> reported;
        for (auto const& c : wanted.config.connections) {
            std::string const local = c.local.to_string();
            if (bound.count(local) == 0 && reported.insert(local).second)
                missing += (missing.empty() ? "" : ", ") + name + " " + local;
        }
    }
    if (missing.empty())
        return std::nullopt;
    return "cannot bind the IKE port (UDP) of " + missing;
}

void add_iked_command(CLI::App& app) {
    auto options = std::make_shared<DaemonCommandOptions>();
    auto* sub =
        app.add_subcommand("iked", "run the IKE daemon (NSS client stacks) from a config folder");
    add_daemon_options(*sub, *options);
    sub->add_option("--ike-port", options->ike_port,
                    "UDP port of IKE on every stack address (default 500; both peers use the "
                    "same, e.g. a free high port for daemons on loopback)")
        ->check(CLI::Range(1, 65535));
    auto loaded = std::make_shared<iked::IkedOptions>();
    sub->callback([options, loaded] {
        DaemonKind kind;
        kind.command = "iked";
        kind.process = "IKED";
        kind.primary_conf = "iked.conf";
        kind.extensions = {".conf", ".racf", ".pem", ".tcpip", ".policy"};
        kind.load = [options, loaded](harness::DaemonInputs const& in,
                                      runtime::FileSystem& files) -> Result<DaemonAppFactory> {
            auto setup = harness::load_iked_setup(in, files);
            if (!setup)
                return setup.error();
            iked::IkedOptions iked = setup->options;
            iked.ike_port = options->ike_port;
            *loaded = iked;
            auto world = setup->world;
            std::string user = options->operator_user;
            return DaemonAppFactory{[iked, world, user](runtime::Runtime& rt) {
                return std::make_unique<harness::IkedApplication>(rt, iked, world, user);
            }};
        };
        kind.start_error = [loaded](runtime::Application& application) {
            return ike_bind_error(static_cast<harness::IkedApplication&>(application), *loaded);
        };
        if (int rc = run_daemon(kind, *options); rc != 0)
            throw CLI::RuntimeError(rc);
    });
}

}  // namespace

NSSLAB_COMMAND(61, "iked", add_iked_command);

}  // namespace nsslab::cli
