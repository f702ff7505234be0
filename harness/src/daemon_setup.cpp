// Building NSSD and IKED from IBM-syntax files (harness/include/nsslab/harness/daemon_setup.hpp).
#include "nsslab/harness/daemon_setup.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "nsslab/base/text.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/zos/ike_policy.hpp"
#include "nsslab/zos/iked_conf.hpp"
#include "nsslab/zos/nssd_conf.hpp"

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

// "racf PERMIT ..." typed at the system's console: the RACF command (RACF script syntax,
// docs/racf.md) runs on the system's RACF database and key rings, as a security administrator
// would at run time. Returns nullopt when `text` is not a RACF command.
std::optional<OperatorResult> racf_command(zos::ZosSystem& system, std::string const& text,
                                           TimePoint now) {
    if (text.rfind("racf ", 0) != 0)
        return std::nullopt;
    std::string script = text.substr(5);
    std::vector<std::string> messages;
    auto ok = system.run_script(script, "operator", now, &messages);
    OperatorResult out{static_cast<bool>(ok), std::move(messages)};
    if (!ok)
        out.lines.push_back(ok.error().message);
    return out;
}

// A z/OS system built from RACF scripts in the folder.
Result<std::shared_ptr<zos::ZosSystem>> make_system(
    DaemonInputs const& in, std::vector<std::filesystem::path> const& scripts) {
    std::shared_ptr<zos::ZosSystem> system;
    if (in.lib != nullptr) {
        system = std::make_shared<zos::ZosSystem>(in.system_name, *in.lib);
    } else {
        auto lib = crypto::LibContext::system();
        if (!lib)
            return lib.error();
        system = std::make_shared<zos::ZosSystem>(in.system_name, std::move(*lib));
    }
    std::filesystem::path folder = in.folder;
    system->set_file_reader(
        [folder](std::string_view path) { return read_text(folder / std::string(path)); });
    for (auto const& script : scripts) {
        auto text = read_text(script);
        if (!text)
            return text.error();
        std::vector<std::string> messages;
        if (auto ok = system->run_script(*text, script.filename().string(), in.now, &messages); !ok)
            return Error{ok.error().code, ok.error().message};
    }
    return system;
}

}  // namespace

Result<std::vector<std::filesystem::path>> daemon_folder_files(
    std::filesystem::path const& folder, std::string_view primary_conf,
    std::vector<std::string> const& extensions) {
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        return fail(Errc::not_found, "config folder " + folder.string() + " does not exist");
    std::vector<std::filesystem::path> files;
    for (auto const& entry : std::filesystem::directory_iterator(folder, ec)) {
        if (!entry.is_regular_file())
            continue;
        auto ext = entry.path().extension().string();
        if (std::find(extensions.begin(), extensions.end(), ext) != extensions.end())
            files.push_back(entry.path());
    }
    if (ec)
        return fail(Errc::io_error, "config folder " + folder.string() + ": " + ec.message());
    std::sort(files.begin(), files.end(), [&](auto const& a, auto const& b) {
        bool pa = a.filename() == primary_conf;
        bool pb = b.filename() == primary_conf;
        if (pa != pb)
            return pa;
        return a.filename() < b.filename();
    });
    if (files.empty() || files.front().filename() != primary_conf)
        return fail(Errc::not_found,
                    "config folder " + folder.string() + ": no " + std::string(primary_conf));
    return files;
}

// ---- NSSD ----------------------------------------------------------------------------------

Result<NssdSetup> load_nssd_setup(DaemonInputs const& in) {
    std::optional<zos::NssdConfig> config;
    std::vector<std::filesystem::path> scripts;
    for (auto const& f : in.files) {
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
            return fail(Errc::invalid_argument, in.what + ": unexpected file " + f.string() +
                                                    " (expected nssd.conf and *.racf)");
        }
    }
    if (!config)
        return fail(Errc::invalid_argument, in.what + ": no nssd.conf in files");
    auto system = make_system(in, scripts);
    if (!system)
        return system.error();
    NssdSetup setup;
    setup.system = *system;
    setup.options.system_name = in.system_name;
    setup.options.config = *config;
    return setup;
}

NssdApplication::NssdApplication(runtime::Runtime& rt, nss::NssServerOptions options,
                                 std::shared_ptr<zos::ZosSystem> system, std::string user)
    : ForwardingApplication(daemon_),
      system_(std::move(system)),
      daemon_(rt, std::move(options), system_->racf(), system_->key_rings(), system_->lib()),
      user_(std::move(user)) {}

OperatorResult NssdApplication::operator_command(std::string_view command, TimePoint now) {
    auto [user, text] = split_user(command, user_);
    if (auto racf = racf_command(*system_, text, now))
        return *racf;
    auto reply = daemon_.operator_command(user, text, now);
    OperatorResult out{reply.ok, reply.lines};
    if (reply.pending)
        out.lines.push_back("(output follows when the NSS client replies)");
    return out;
}

// ---- IKED ----------------------------------------------------------------------------------

Result<IkedSetup> load_iked_setup(DaemonInputs const& in, runtime::FileSystem& files) {
    auto world = std::make_shared<IkedWorld>();
    std::optional<zos::FilterPolicy> default_policy;
    std::optional<zos::FilterPolicy> ipsec_policy;
    std::map<std::string, zos::IkePolicy> ike_policies;
    std::vector<std::filesystem::path> scripts;
    std::string trust;
    bool have_conf = false;
    for (auto const& f : in.files) {
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
                opts.system_name = in.system_name;
                if (auto parsed = zos::parse_iked_conf(*text, opts); !parsed)
                    return parsed.error();
                (void)files.write("/etc/security/iked.conf", *text);
                have_conf = true;
            }
            (void)files.write("/etc/security/" + f.filename().string(), *text);
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
            default_policy = *policy;
        } else if (ext == ".policy") {
            zos::FilterPolicyParseOptions opts;
            opts.file_name = f.filename().string();
            auto policy = zos::parse_filter_policy(*text, opts);
            if (!policy)
                return policy.error();
            ipsec_policy = *policy;
            // Its IKE statements, if any, are the IKE policy of the stack the file is named
            // after (stack1.policy: STACK1), as the Policy Agent keeps one file per TcpImage.
            if (zos::has_key_exchange_policy(*text)) {
                zos::IkePolicyParseOptions ike_opts;
                ike_opts.file_name = f.filename().string();
                auto ike = zos::parse_ike_policy(*text, ike_opts);
                if (!ike)
                    return ike.error();
                ike_policies[ascii_upper(f.stem().string())] = std::move(*ike);
            }
        } else {
            return fail(Errc::invalid_argument,
                        in.what + ": unexpected file " + f.string() +
                            " (expected iked.conf, *.racf, *.pem, *.tcpip, *.policy)");
        }
    }
    if (!have_conf)
        return fail(Errc::invalid_argument, in.what + ": no iked.conf in files");
    auto system = make_system(in, scripts);
    if (!system)
        return system.error();
    world->system = *system;
    IkedSetup setup;
    setup.options.system_name = in.system_name;
    setup.options.tls.trust_anchors_pem = trust;
    setup.options.racf = &world->system->racf();
    setup.options.models = std::make_shared<iked::StackModels>(
        in.system_name, std::move(default_policy), std::move(ipsec_policy));
    setup.options.ike_policies = std::move(ike_policies);
    setup.world = std::move(world);
    return setup;
}

IkedApplication::IkedApplication(runtime::Runtime& rt, iked::IkedOptions options,
                                 std::shared_ptr<IkedWorld> world, std::string user)
    : ForwardingApplication(daemon_),
      world_(std::move(world)),
      daemon_(rt, std::move(options), world_->system->lib()),
      user_(std::move(user)) {}

OperatorResult IkedApplication::operator_command(std::string_view command, TimePoint now) {
    auto [user, text] = split_user(command, user_);
    if (auto racf = racf_command(*world_->system, text, now))
        return *racf;
    auto reply = daemon_.operator_command(user, text, now);
    return OperatorResult{reply.ok, reply.lines};
}

}  // namespace nsslab::harness
