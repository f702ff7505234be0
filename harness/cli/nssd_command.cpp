// `nsslab nssd --config DIR [--trace FILE] [--operator USER] [--tls-label L] [--system NAME]
// [--root DIR]`: the NSS server daemon as a real process (docs/daemons.md). DIR holds
// nssd.conf and the RACF command scripts (*.racf) that build the system's RACF database and
// NSSD's key ring, as for the scenario process type "nssd". It listens on the nssd.conf Port
// with AT-TLS; console commands (nssctl -d, ipsec -x display, ipsec -z ...) come from stdin.
#include "command.hpp"
#include "daemon_command.hpp"

namespace nsslab::cli {
namespace {

void add_nssd_command(CLI::App& app) {
    auto options = std::make_shared<DaemonCommandOptions>();
    auto* sub = app.add_subcommand("nssd", "run the NSS server daemon from a config folder");
    add_daemon_options(*sub, *options);
    sub->add_option("--tls-label", options->tls_label,
                    "AT-TLS CertificateLabel (default: the key ring's default certificate)");
    sub->callback([options] {
        DaemonKind kind;
        kind.command = "nssd";
        kind.process = "NSSD";
        kind.primary_conf = "nssd.conf";
        kind.extensions = {".conf", ".racf"};
        kind.load = [options](harness::DaemonInputs const& in,
                              runtime::FileSystem&) -> Result<DaemonAppFactory> {
            auto setup = harness::load_nssd_setup(in);
            if (!setup)
                return setup.error();
            nss::NssServerOptions server = setup->options;
            server.tls.certificate_label = options->tls_label;
            auto system = setup->system;
            std::string user = options->operator_user;
            return DaemonAppFactory{[server, system, user](runtime::Runtime& rt) {
                return std::make_unique<harness::NssdApplication>(rt, server, system, user);
            }};
        };
        kind.start_error = [](runtime::Application& application) -> std::optional<std::string> {
            auto& nssd = static_cast<harness::NssdApplication&>(application);
            if (!nssd.daemon().listening())
                return "cannot listen on port " +
                       std::to_string(nssd.daemon().server().options().config.nss.port);
            return std::nullopt;
        };
        if (int rc = run_daemon(kind, *options); rc != 0)
            throw CLI::RuntimeError(rc);
    });
}

}  // namespace

NSSLAB_COMMAND(60, "nssd", add_nssd_command);

}  // namespace nsslab::cli
