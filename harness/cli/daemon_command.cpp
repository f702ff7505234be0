// run_daemon(): the real-process driver of NSSD and IKED (harness/cli/daemon_command.hpp).
#include "daemon_command.hpp"

#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "nsslab/asio/loop.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/base/trace.hpp"
#include "nsslab/harness/process_registry.hpp"
#include "nsslab/reports/key_log.hpp"

namespace nsslab::cli {
namespace {

constexpr int exit_ok = 0;
constexpr int exit_start_failed = 1;
constexpr int exit_config = 2;

TimePoint wall_now() {
    return TimePoint{
        std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch())};
}

// "SYSTEMA": the host name's first label, upper case, at most 8 characters (z/OS &SYSNAME).
std::string default_system_name() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
        return "SYSTEMA";
    std::string name(host);
    name = name.substr(0, name.find('.'));
    if (name.size() > 8)
        name.resize(8);
    for (auto& c : name)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

// The trace (JSON Lines, flushed per record so it can be followed), the z/OS-style log on
// stderr and operator output on stdout.
class DaemonLog final : public TraceSink {
  public:
    DaemonLog(std::ostream* trace, TimePoint origin, std::string process)
        : trace_(trace), writer_(trace, origin), process_(std::move(process)) {}

    void record(TraceRecord const& r) override {
        if (trace_ != nullptr) {
            writer_.record(r);
            trace_->flush();
        }
        auto const& e = r.event;
        if (e.name == "operator.output") {
            std::cout << e.text("line") << '\n' << std::flush;
        } else if (e.name == "nss.console" || e.name == "iked.console") {
            log(r, e.text("text"));
        } else if (e.name == "nssd.log") {
            log(r, e.text("line"));
        } else if (e.name == "nssd.started" || e.name == "nssd.stopped" ||
                   e.name == "nssd.listen_failed" || e.name == "iked.started" ||
                   e.name == "iked.stopped" || e.name == "iked.config_error" ||
                   e.name == "iked.connect_failed" || e.name == "iked.nss_completion" ||
                   e.name == "iked.ike_listening" || e.name == "iked.ike_bind_failed" ||
                   e.name == "iked.ike_rule_skipped" || e.name == "ike.sa_established" ||
                   e.name == "ike.sa_deleted") {
            std::string text = e.name;
            for (auto const& f : e.fields)
                text += " " + f.key + "=" + e.text(f.key);
            log(r, text);
        }
    }

    void log(TraceRecord const& r, std::string const& text) const {
        log_line(r.time, r.node, text);
    }
    void log_line(TimePoint t, std::string const& node, std::string const& text) const {
        // "2026/11/27 01:55:33 SYSTEMB  NSSD     EZD1136I ..."
        std::string n = node;
        std::string p = process_;
        n.resize(std::max<std::size_t>(n.size(), 8), ' ');
        p.resize(std::max<std::size_t>(p.size(), 8), ' ');
        std::cerr << format_zos(t) << ' ' << n << ' ' << p << ' ' << text << '\n' << std::flush;
    }

  private:
    std::ostream* trace_;
    JsonlTraceWriter writer_;
    std::string process_;
};

std::string trim(std::string const& s) {
    auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos)
        return "";
    auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

}  // namespace

void add_daemon_options(CLI::App& sub, DaemonCommandOptions& options) {
    sub.add_option("--config", options.config, "configuration folder (IBM-syntax files)")
        ->required();
    sub.add_option("--trace", options.trace, "write the trace to FILE (JSON Lines)");
    sub.add_option("--operator", options.operator_user,
                   "SAF user of console commands (default OPER1)");
    sub.add_option("--system", options.system,
                   "z/OS system name (default: the host name, upper case)");
    sub.add_option("--root", options.root,
                   "folder holding the daemon's z/OS UNIX files (default: a temporary folder)");
    sub.add_option("--tls-keylog", options.tls_keylog,
                   "append the TLS secrets of every AT-TLS connection to FILE (SSLKEYLOGFILE "
                   "format, for Wireshark; default: $SSLKEYLOGFILE when set)");
    sub.add_option("--worker-threads", options.worker_threads,
                   "threads that do the daemon's CPU work off its network thread (nssd: the "
                   "signatures); 0: all on the network thread (default 1)")
        ->check(CLI::Range(0, 64));
}

int run_daemon(DaemonKind const& kind, DaemonCommandOptions const& options) {
    std::string const me = "nsslab " + kind.command;
    std::filesystem::path folder = options.config;
    auto files = harness::daemon_folder_files(folder, kind.primary_conf, kind.extensions);
    if (!files) {
        std::cerr << me << ": " << files.error().message << '\n';
        return exit_config;
    }
    std::string system = options.system.empty() ? default_system_name() : options.system;

    // The daemon's z/OS UNIX files.
    bool own_root = options.root.empty();
    std::filesystem::path root =
        own_root ? std::filesystem::temp_directory_path() /
                       ("nsslab-" + kind.command + "-" + std::to_string(::getpid()))
                 : std::filesystem::path(options.root);
    struct RootCleanup {
        bool own;
        std::filesystem::path path;
        ~RootCleanup() {
            std::error_code ignored;
            if (own)
                std::filesystem::remove_all(path, ignored);
        }
    } cleanup{own_root, root};
    std::error_code ec;
    std::filesystem::create_directories(root, ec);
    if (ec) {
        std::cerr << me << ": cannot create " << root.string() << ": " << ec.message() << '\n';
        return exit_config;
    }
    runtime::DirectoryFileSystem fs(root);

    harness::DaemonInputs in;
    in.folder = folder;
    in.system_name = system;
    in.what = me + " --config " + folder.string();
    in.files = *files;
    in.now = wall_now();
    auto factory = kind.load(in, fs);
    if (!factory) {
        std::cerr << me << ": " << factory.error().message << '\n';
        return exit_config;
    }

    std::ofstream trace_file;
    if (!options.trace.empty()) {
        trace_file.open(options.trace, std::ios::binary | std::ios::trunc);
        if (!trace_file) {
            std::cerr << me << ": cannot write " << options.trace << '\n';
            return exit_config;
        }
    }
    DaemonLog log(options.trace.empty() ? nullptr : &trace_file, in.now, kind.process);

    // The TLS key log, as OpenSSL-based tools write it: --tls-keylog, else $SSLKEYLOGFILE.
    std::string keylog_path = options.tls_keylog;
    if (char const* env = std::getenv("SSLKEYLOGFILE"); keylog_path.empty() && env != nullptr)
        keylog_path = env;
    std::optional<reports::KeyLogWriter> keylog;
    asio_rt::NodeOptions node;
    node.worker_threads = options.worker_threads;
    if (!keylog_path.empty()) {
        auto opened = reports::KeyLogWriter::open(keylog_path);
        if (!opened) {
            std::cerr << me << ": " << opened.error().message << '\n';
            return exit_config;
        }
        keylog.emplace(std::move(*opened));
        node.secrets = [&keylog, &log, system](core::Secret const& secret) {
            if (secret.kind != core::Secret::Kind::tls_key_log)
                return;
            if (auto ok = keylog->append(secret.line); !ok)
                log.log_line(wall_now(), system, "TLS key log: " + ok.error().message);
        };
    }

    std::signal(SIGPIPE, SIG_IGN);
    asio_rt::Loop loop;
    runtime::Runtime& rt = loop.add(system, *factory, root, &log, node);
    runtime::Application& app = *loop.application(system);
    auto* operable = dynamic_cast<harness::Operable*>(&app);

    log.log_line(wall_now(), system,
                 kind.process + " starting from " + folder.string() + " (" +
                     std::to_string(files->size()) + " files)");
    loop.run_until([&] { return loop.started(system); }, std::chrono::seconds{10});
    if (auto why = kind.start_error ? kind.start_error(app) : std::nullopt) {
        std::cerr << me << ": " << *why << '\n';
        loop.stop(std::chrono::seconds{1});
        return exit_start_failed;
    }

    if (operable != nullptr) {
        loop.add_console(STDIN_FILENO, [&](std::string line, TimePoint now) {
            std::string command = trim(line);
            if (command.empty())
                return;
            rt.emit(
                Event("operator.command").with("process", kind.process).with("command", command));
            auto out = operable->operator_command(command, now);
            std::uint64_t index = 0;
            for (auto const& l : out.lines)
                rt.emit(Event("operator.output")
                            .with("process", kind.process)
                            .with("command", command)
                            .with("index", index++)
                            .with("line", l));
            rt.emit(Event("operator.result")
                        .with("process", kind.process)
                        .with("command", command)
                        .with("ok", out.ok)
                        .with("lines", out.lines.size()));
            if (!out.ok && out.lines.empty())
                std::cout << command << ": not accepted\n" << std::flush;
        });
    }

    int sig = loop.run_until_signal(std::chrono::seconds{5});
    log.log_line(wall_now(), system,
                 kind.process + " stopped (" + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ")");
    return exit_ok;
}

}  // namespace nsslab::cli
