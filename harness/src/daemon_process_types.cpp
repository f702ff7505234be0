// The "nssd" and "iked" process types of scenarios (docs/scenarios.md, "Process types"): the
// z/OS daemons of sim/nssd and sim/iked, built from the IBM-syntax files a scenario lists.
//
//   nssd  files: nssd.conf (any *.conf), RACF command scripts (*.racf, applied in order at the
//         start of the run; RACDCERT ADD('x') reads x from the scenario folder)
//         args:  operator (SAF user of operator commands, default OPER1), tls_label (AT-TLS
//                CertificateLabel; default: the ring's default certificate)
//   iked  files: iked.conf (*.conf, copied to /etc/security/iked.conf; other *.conf files are
//         copied beside it for MODIFY IKED,REFRESH,FILE=name), RACF scripts (*.racf: IKED's
//         local RACF: PTKTDATA NSSD key, EZB.NETMGMT...IKED.DISPLAY), trust anchors (*.pem: the
//         CA certificates of IKED's key ring), a stack's default policy (*.tcpip: PROFILE.TCPIP
//         IPSEC block) and IPsec filter policy (*.policy): when both are given every NSS stack
//         gets a TCP/IP stack model that remote management (ipsec -z) acts on.
//         args:  operator (default OPER1)
// Operator commands may start with "as USER " to run as another SAF user.
#include <fstream>
#include <sstream>

#include "nsslab/harness/process_registry.hpp"
#include "nsslab/iked/iked_daemon.hpp"
#include "nsslab/iked/stack_management.hpp"
#include "nsslab/nssd/nssd_daemon.hpp"
#include "nsslab/zos/filter_policy.hpp"
#include "nsslab/zos/nssd_conf.hpp"
#include "nsslab/zos/tcpip_stack.hpp"
#include "nsslab/zos/zos_system.hpp"

namespace nsslab::harness {
namespace {

Result<std::string> read_text(std::filesystem::path const& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fail(Errc::not_found, "cannot read " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

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

// "as OPER2 nssctl -d" -> ("OPER2", "nssctl -d").
std::pair<std::string, std::string> split_user(std::string_view command,
                                               std::string const& fallback) {
    if (command.rfind("as ", 0) == 0) {
        auto rest = command.substr(3);
        auto space = rest.find(' ');
        if (space != std::string_view::npos)
            return {std::string(rest.substr(0, space)), std::string(rest.substr(space + 1))};
    }
    return {fallback, std::string(command)};
}

// A z/OS system built from RACF scripts in the scenario folder.
Result<std::shared_ptr<zos::ZosSystem>> make_system(
    ProcessContext const& ctx, std::vector<std::filesystem::path> const& scripts) {
    auto system = std::make_shared<zos::ZosSystem>(ctx.system_name, *ctx.lib);
    std::filesystem::path folder = ctx.scenario_folder;
    system->set_file_reader(
        [folder](std::string_view path) { return read_text(folder / std::string(path)); });
    for (auto const& script : scripts) {
        auto text = read_text(script);
        if (!text)
            return text.error();
        std::vector<std::string> messages;
        TimePoint now = ctx.host->local_now();
        if (auto ok = system->run_script(*text, script.filename().string(), now, &messages); !ok)
            return Error{ok.error().code, ok.error().message};
    }
    return system;
}

class NssdProcess final : public runtime::Application, public Operable {
  public:
    NssdProcess(runtime::Runtime& rt, nss::NssServerOptions options,
                std::shared_ptr<zos::ZosSystem> system, std::string user)
        : system_(std::move(system)),
          daemon_(rt, std::move(options), system_->racf(), system_->key_rings(), system_->lib()),
          user_(std::move(user)) {}
    void on_start(TimePoint now) override { daemon_.on_start(now); }
    void on_stop(TimePoint now) override { daemon_.on_stop(now); }
    void on_deadline(TimePoint now) override { daemon_.on_deadline(now); }
    void on_accepted(runtime::SocketId l, runtime::SocketId s, TimePoint now) override {
        daemon_.on_accepted(l, s, now);
    }
    void on_received(runtime::SocketId s, ByteView d, TimePoint now) override {
        daemon_.on_received(s, d, now);
    }
    void on_stream_closed(runtime::SocketId s, runtime::StreamEnd why, TimePoint now) override {
        daemon_.on_stream_closed(s, why, now);
    }
    OperatorResult operator_command(std::string_view command, TimePoint now) override {
        auto [user, text] = split_user(command, user_);
        auto reply = daemon_.operator_command(user, text, now);
        OperatorResult out{reply.ok, reply.lines};
        if (reply.pending)
            out.lines.push_back("(output follows when the NSS client replies)");
        return out;
    }

  private:
    std::shared_ptr<zos::ZosSystem> system_;
    nssd::NssdDaemon daemon_;
    std::string user_;
};

Result<engine::AppFactory> nssd_factory(ProcessContext const& ctx) {
    if (auto ok = check_args(ctx, {"operator", "tls_label"}); !ok)
        return ok.error();
    std::optional<zos::NssdConfig> config;
    std::vector<std::filesystem::path> scripts;
    for (auto const& f : ctx.config_files) {
        if (f.extension() == ".conf") {
            auto text = read_text(f);
            if (!text)
                return text.error();
            zos::NssdConfParseOptions opts;
            opts.file_name = f.filename().string();
            auto parsed = zos::parse_nssd_conf(*text, opts);
            if (!parsed)
                return parsed.error();
            config = *parsed;
        } else if (f.extension() == ".racf") {
            scripts.push_back(f);
        } else {
            return fail(Errc::invalid_argument, "nssd process " + ctx.process_name +
                                                    ": unexpected file " + f.string() +
                                                    " (expected nssd.conf and *.racf)");
        }
    }
    if (!config)
        return fail(Errc::invalid_argument,
                    "nssd process " + ctx.process_name + ": no nssd.conf in files");
    auto system = make_system(ctx, scripts);
    if (!system)
        return system.error();
    nss::NssServerOptions options;
    options.system_name = ctx.system_name;
    options.config = *config;
    options.tls.certificate_label = arg(ctx, "tls_label", "");
    std::string user = arg(ctx, "operator", "OPER1");
    std::shared_ptr<zos::ZosSystem> sys = *system;
    return engine::AppFactory{
        [options, sys, user](runtime::Runtime& rt) -> std::unique_ptr<runtime::Application> {
            return std::make_unique<NssdProcess>(rt, options, sys, user);
        }};
}

// The TCP/IP stacks of an IKED system, which outlive IKED restarts.
struct IkedWorld {
    std::shared_ptr<zos::ZosSystem> system;
    std::optional<zos::FilterPolicy> default_policy;
    std::optional<zos::FilterPolicy> ipsec_policy;
    std::map<std::string, std::unique_ptr<zos::TcpipStack>> stacks;
    std::map<std::string, std::unique_ptr<iked::StackManagement>> management;
};

class IkedProcess final : public runtime::Application, public Operable {
  public:
    IkedProcess(runtime::Runtime& rt, iked::IkedOptions options, std::shared_ptr<IkedWorld> world,
                std::string user)
        : rt_(rt),
          world_(std::move(world)),
          daemon_(rt, std::move(options), world_->system->lib()),
          user_(std::move(user)) {}
    void on_start(TimePoint now) override {
        daemon_.on_start(now);
        attach_stacks(now);
    }
    void on_stop(TimePoint now) override { daemon_.on_stop(now); }
    void on_deadline(TimePoint now) override { daemon_.on_deadline(now); }
    void on_connected(runtime::SocketId s, TimePoint now) override { daemon_.on_connected(s, now); }
    void on_received(runtime::SocketId s, ByteView d, TimePoint now) override {
        daemon_.on_received(s, d, now);
    }
    void on_stream_closed(runtime::SocketId s, runtime::StreamEnd why, TimePoint now) override {
        daemon_.on_stream_closed(s, why, now);
    }
    OperatorResult operator_command(std::string_view command, TimePoint now) override {
        auto [user, text] = split_user(command, user_);
        // MODIFY IKED,REFRESH,FILE=name: install another iked.conf from the scenario, then refresh.
        auto file_at = text.find(",FILE=");
        if (file_at != std::string::npos) {
            std::string name = text.substr(file_at + 6);
            auto content = rt_.files().read("/etc/security/" + name);
            if (!content)
                return OperatorResult{false, {content.error().message}};
            (void)rt_.files().write("/etc/security/iked.conf", *content);
            text = text.substr(0, file_at);
        }
        auto reply = daemon_.operator_command(user, text, now);
        attach_stacks(now);
        return OperatorResult{reply.ok, reply.lines};
    }

  private:
    void attach_stacks(TimePoint now) {
        if (!world_->default_policy || !world_->ipsec_policy)
            return;
        for (auto const& name : daemon_.stack_names()) {
            auto& stack = world_->stacks[name];
            if (!stack) {
                zos::TcpipStackConfig config;
                config.system_name = world_->system->name();
                config.stack_name = name;
                stack =
                    std::make_unique<zos::TcpipStack>(config, *world_->default_policy, rt_.files());
                stack->set_ipsec_policy(*world_->ipsec_policy, now);
                world_->management[name] = std::make_unique<iked::StackManagement>(*stack);
            }
            daemon_.set_managed_stack(name, world_->management[name].get());
        }
    }

    runtime::Runtime& rt_;
    std::shared_ptr<IkedWorld> world_;
    iked::IkedDaemon daemon_;
    std::string user_;
};

Result<engine::AppFactory> iked_factory(ProcessContext const& ctx) {
    if (auto ok = check_args(ctx, {"operator"}); !ok)
        return ok.error();
    auto world = std::make_shared<IkedWorld>();
    std::vector<std::filesystem::path> scripts;
    std::string trust;
    bool have_conf = false;
    for (auto const& f : ctx.config_files) {
        auto text = read_text(f);
        if (!text)
            return text.error();
        std::string ext = f.extension().string();
        if (ext == ".conf") {
            // The first .conf is IKED_FILE; every .conf is also available by name for
            // REFRESH,FILE=.
            if (!have_conf) {
                zos::IkedConfParseOptions opts;
                opts.file_name = f.filename().string();
                opts.system_name = ctx.system_name;
                if (auto parsed = zos::parse_iked_conf(*text, opts); !parsed)
                    return parsed.error();
                (void)ctx.host->files().write("/etc/security/iked.conf", *text);
                have_conf = true;
            }
            (void)ctx.host->files().write("/etc/security/" + f.filename().string(), *text);
        } else if (ext == ".racf") {
            scripts.push_back(f);
        } else if (ext == ".pem") {
            trust += *text;
        } else if (ext == ".tcpip") {
            zos::FilterPolicyParseOptions opts;
            opts.file_name = f.filename().string();
            auto policy = zos::parse_default_filter_policy(*text, opts);
            if (!policy)
                return policy.error();
            world->default_policy = *policy;
        } else if (ext == ".policy") {
            zos::FilterPolicyParseOptions opts;
            opts.file_name = f.filename().string();
            auto policy = zos::parse_filter_policy(*text, opts);
            if (!policy)
                return policy.error();
            world->ipsec_policy = *policy;
        } else {
            return fail(Errc::invalid_argument,
                        "iked process " + ctx.process_name + ": unexpected file " + f.string() +
                            " (expected iked.conf, *.racf, *.pem, *.tcpip, *.policy)");
        }
    }
    if (!have_conf)
        return fail(Errc::invalid_argument,
                    "iked process " + ctx.process_name + ": no iked.conf in files");
    auto system = make_system(ctx, scripts);
    if (!system)
        return system.error();
    world->system = *system;
    iked::IkedOptions options;
    options.system_name = ctx.system_name;
    options.tls.trust_anchors_pem = trust;
    options.racf = &world->system->racf();
    std::string user = arg(ctx, "operator", "OPER1");
    return engine::AppFactory{
        [options, world, user](runtime::Runtime& rt) -> std::unique_ptr<runtime::Application> {
            return std::make_unique<IkedProcess>(rt, options, world, user);
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
