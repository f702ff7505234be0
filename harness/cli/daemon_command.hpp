// What `nsslab nssd` and `nsslab iked` share (docs/daemons.md): the common options, and
// run_daemon(), which builds a daemon from a configuration folder (harness daemon_setup.hpp),
// runs it on an asio_rt::Loop over real TCP with AT-TLS, takes operator commands from stdin
// (one per line, as on the z/OS console; output on stdout), logs z/OS-style messages on
// stderr, writes the trace as JSON Lines, and stops cleanly on SIGTERM or SIGINT.
// Exit codes: 0 stopped by a signal; 1 could not start (e.g. the port is in use);
// 2 bad command line or configuration (nothing started).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/harness/daemon_setup.hpp"
#include "nsslab/runtime/runtime.hpp"

namespace nsslab::cli {

struct DaemonCommandOptions {
    std::string config;                  // --config DIR
    std::string trace;                   // --trace FILE (JSON Lines)
    std::string operator_user{"OPER1"};  // --operator USER
    std::string system;                  // --system NAME (default: the host name, upper case)
    std::string root;                    // --root DIR (z/OS UNIX files; default: a temp dir)
    std::string tls_label;               // --tls-label L (nssd only)
    std::uint16_t ike_port{500};         // --ike-port N (iked only)
    std::string tls_keylog;              // --tls-keylog FILE (default: $SSLKEYLOGFILE)
    std::size_t worker_threads{1};       // --worker-threads N (0-64)
};

// Adds --config, --trace, --operator, --system, --root, --tls-keylog and --worker-threads to
// `sub`.
void add_daemon_options(CLI::App& sub, DaemonCommandOptions& options);

// Builds the application from the loaded inputs once the loop hands out its Runtime.
using DaemonAppFactory = runtime::AppFactory;

struct DaemonKind {
    std::string command;                  // "nssd"
    std::string process;                  // "NSSD": how the log names it
    std::string primary_conf;             // "nssd.conf"
    std::vector<std::string> extensions;  // files of the folder the daemon reads
    // Parses the files; `files` is the daemon's z/OS UNIX file system.
    std::function<Result<DaemonAppFactory>(harness::DaemonInputs const&, runtime::FileSystem&)>
        load;
    // After on_start: why the daemon could not start, if it could not.
    std::function<std::optional<std::string>(runtime::Application&)> start_error;
};

// Runs the daemon until SIGTERM/SIGINT; returns the exit code.
int run_daemon(DaemonKind const& kind, DaemonCommandOptions const& options);

}  // namespace nsslab::cli
