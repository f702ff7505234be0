// `nsslab iked --config DIR [--trace FILE] [--operator USER] [--system NAME] [--root DIR]`:
// the IKE daemon's NSS client stacks as a real process (docs/daemons.md). DIR holds iked.conf
// (other *.conf files are installed beside it for MODIFY IKED,REFRESH,FILE=name), IKED's local
// RACF scripts (*.racf), the CA certificates of its key ring (*.pem) and optionally a stack's
// default (*.tcpip) and IPsec (*.policy) filter policies, as for the scenario process type
// "iked". Each NssStackConfig connects to its NetworkSecurityServer over AT-TLS; console
// commands (nss sign ..., ipsec -w display, MODIFY IKED,REFRESH) come from stdin.
#include "command.hpp"
#include "daemon_command.hpp"

namespace nsslab::cli {
namespace {

void add_iked_command(CLI::App& app) {
    auto options = std::make_shared<DaemonCommandOptions>();
    auto* sub =
        app.add_subcommand("iked", "run the IKE daemon (NSS client stacks) from a config folder");
    add_daemon_options(*sub, *options);
    sub->callback([options] {
        DaemonKind kind;
        kind.command = "iked";
        kind.process = "IKED";
        kind.primary_conf = "iked.conf";
        kind.extensions = {".conf", ".racf", ".pem", ".tcpip", ".policy"};
        kind.load = [options](harness::DaemonInputs const& in,
                              runtime::FileSystem& files) -> Result<DaemonAppFactory> {
            auto setup = harness::load_iked_setup(in, files);
            if (!setup)
                return setup.error();
            iked::IkedOptions iked = setup->options;
            auto world = setup->world;
            std::string user = options->operator_user;
            return DaemonAppFactory{[iked, world, user](runtime::Runtime& rt) {
                return std::make_unique<harness::IkedApplication>(rt, iked, world, user);
            }};
        };
        if (int rc = run_daemon(kind, *options); rc != 0)
            throw CLI::RuntimeError(rc);
    });
}

}  // namespace

NSSLAB_COMMAND(61, "iked", add_iked_command);

}  // namespace nsslab::cli
