// `nsslab config check FILE [--kind iked|nssd|policy|profile] [--system NAME]`: checks an IBM
// configuration file with the sim/zos parsers (docs/config-files.md, docs/cli.md).
//
// Valid: prints "FILE: valid" and a one-line summary on stdout, exit 0. Invalid: prints every
// error as "FILE:line:column: error: message (expected ...)" on stderr, exit 1. Usage errors
// (no FILE, unknown --kind, a kind that cannot be guessed from the file name, an unreadable file,
// a bad --system) exit 2.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "command.hpp"
#include "nsslab/zos/filter_policy.hpp"
#include "nsslab/zos/iked_conf.hpp"
#include "nsslab/zos/nssd_conf.hpp"

namespace nsslab::cli {
namespace {

constexpr int exit_invalid = 1;
constexpr int exit_usage = 2;

struct CheckOptions {
    std::string file;
    std::string kind;
    std::string system{"SYSTEMA"};
};

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// iked.conf, nssd.conf, *.policy / pagent*, PROFILE.TCPIP / *profile* / *tcpip*.
std::string guess_kind(std::string const& path) {
    auto name = lower(std::filesystem::path(path).filename().string());
    if (name.find("iked") != std::string::npos)
        return "iked";
    if (name.find("nssd") != std::string::npos)
        return "nssd";
    if (name.find("profile") != std::string::npos || name.find("tcpip") != std::string::npos)
        return "profile";
    if (name.find("policy") != std::string::npos || name.find("pagent") != std::string::npos)
        return "policy";
    return {};
}

[[noreturn]] void usage_error(std::string const& message) {
    std::cerr << "nsslab config check: " << message << "\n";
    throw CLI::RuntimeError(exit_usage);
}

std::string join(std::vector<std::string> const& parts, std::string const& sep) {
    std::string out;
    for (auto const& p : parts)
        out += (out.empty() ? "" : sep) + p;
    return out;
}

std::string server_text(std::optional<zos::NssServerConfig> const& s) {
    if (!s)
        return "none";
    std::string out = s->host + " port " + std::to_string(s->port);
    if (s->identity)
        out += " identity " + std::string(zos::to_string(s->identity->type)) + " " +
               s->identity->auth_id;
    return out;
}

std::string summary(zos::IkedConfig const& c) {
    std::vector<std::string> stacks;
    for (auto const& [key, s] : c.nss_stacks) {
        std::vector<std::string> services;
        for (auto t : s.service_types)
            services.emplace_back(zos::to_string(t));
        stacks.push_back(s.stack_name + " (ClientName " + s.client_name + ", UserId " + s.user_id +
                         ", AuthBy " + std::string(zos::to_string(s.auth_by)) + ", ServiceType " +
                         (services.empty() ? "none" : join(services, "+")) + ")");
    }
    return std::to_string(c.nss_stacks.size()) + " NssStackConfig" +
           (stacks.empty() ? "" : ": " + join(stacks, ", ")) + "; NetworkSecurityServer " +
           server_text(c.ike.network_security_server) + "; NetworkSecurityServerBackup " +
           server_text(c.ike.network_security_server_backup);
}

std::string summary(zos::NssdConfig const& c) {
    return "NssConfig Port " + std::to_string(c.nss.port) + ", KeyRing " +
           (c.nss.key_ring ? c.nss.key_ring->to_string() : "none") + ", Discipline IPSec " +
           (c.nss.ipsec_enabled ? "Enable" : "Disable") + ", XMLAppliance " +
           (c.nss.xml_appliance_enabled ? "Enable" : "Disable") +
           "; IPSecDisciplineConfig FIPS140 " + (c.ipsec.fips140 ? "Yes" : "No") +
           ", URLCacheInterval " + std::to_string(c.ipsec.url_cache_interval.count()) + ", " +
           std::to_string(c.ipsec.certificate_urls.size()) + " CertificateURL, " +
           std::to_string(c.ipsec.certificate_bundle_urls.size()) + " CertificateBundleURL";
}

std::string summary(zos::FilterPolicy const& p) {
    std::vector<std::string> rules;
    for (auto const& r : p.rules)
        rules.push_back(r.name + " " + std::string(zos::to_string(r.action)));
    return std::to_string(p.rules.size()) + " filter rule" + (p.rules.size() == 1 ? "" : "s") +
           " (" + std::string(zos::to_string(p.source)) + ")" +
           (rules.empty() ? "" : ": " + join(rules, ", ")) + "; then " + p.implicit_deny_rule_name +
           " Deny";
}

template <class T>
int report(std::string const& file, Result<T> const& result,
           std::vector<zos::Diagnostic> const& diagnostics) {
    if (result) {
        std::cout << file << ": valid\n" << file << ": " << summary(*result) << "\n";
        return 0;
    }
    if (diagnostics.empty()) {
        std::cerr << file << ": error: " << result.error().message << "\n";
    } else {
        for (auto const& d : diagnostics)
            std::cerr << d.format(file) << "\n";
    }
    return exit_invalid;
}

void run_check(CheckOptions const& o) {
    if (o.file.empty())
        usage_error("missing FILE");
    std::string kind = o.kind.empty() ? guess_kind(o.file) : lower(o.kind);
    if (kind.empty())
        usage_error("cannot tell the kind of '" + o.file +
                    "' from its name; give --kind iked|nssd|policy|profile");
    if (kind != "iked" && kind != "nssd" && kind != "policy" && kind != "profile")
        usage_error("unknown --kind '" + o.kind + "' (expected iked, nssd, policy or profile)");
    if (o.system.empty() || o.system.size() > 8 || o.system.find(' ') != std::string::npos)
        usage_error("--system '" + o.system + "' is not a 1-8 character system name");

    zos::ConfigLimits limits;
    std::error_code ec;
    auto size = std::filesystem::file_size(o.file, ec);
    if (!ec && size > limits.max_file_bytes) {
        // Same form as the parser's diagnostic, with the real size; the file is not read.
        std::cerr << o.file << ":1:1: error: input is " << size << " bytes, more than the limit of "
                  << limits.max_file_bytes << " (expected at most " << limits.max_file_bytes
                  << " bytes)\n";
        throw CLI::RuntimeError(exit_invalid);
    }
    std::ifstream in(o.file, std::ios::binary);
    if (!in)
        usage_error("cannot read '" + o.file + "'");
    // Read at most one byte past the bound, so the parser reports an oversized file.
    std::string text(limits.max_file_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (in.bad())
        usage_error("cannot read '" + o.file + "'");

    std::vector<zos::Diagnostic> diagnostics;
    int rc = 0;
    if (kind == "iked") {
        zos::IkedConfParseOptions p;
        p.file_name = o.file;
        p.system_name = o.system;
        rc = report(o.file, zos::parse_iked_conf(text, p, &diagnostics), diagnostics);
    } else if (kind == "nssd") {
        zos::NssdConfParseOptions p;
        p.file_name = o.file;
        rc = report(o.file, zos::parse_nssd_conf(text, p, &diagnostics), diagnostics);
    } else {
        zos::FilterPolicyParseOptions p;
        p.file_name = o.file;
        rc = kind == "policy"
                 ? report(o.file, zos::parse_filter_policy(text, p, &diagnostics), diagnostics)
                 : report(o.file, zos::parse_default_filter_policy(text, p, &diagnostics),
                          diagnostics);
    }
    if (rc != 0)
        throw CLI::RuntimeError(rc);
}

void add_config_command(CLI::App& app) {
    auto* config = app.add_subcommand("config", "Check IBM configuration files");
    config->require_subcommand(1);
    auto options = std::make_shared<CheckOptions>();
    auto* check = config->add_subcommand(
        "check",
        "Parse FILE (iked.conf, nssd.conf, Policy Agent IP filter policy or PROFILE.TCPIP IPSEC "
        "block) and report 'FILE: valid' or each error as file:line:column");
    check->add_option("FILE", options->file, "the configuration file");
    check->add_option("--kind", options->kind,
                      "iked, nssd, policy or profile (default: guessed from the file name)");
    check
        ->add_option("--system", options->system,
                     "z/OS system name for the ClientName default systemname_stackname")
        ->capture_default_str();
    check->callback([options] { run_check(*options); });
}

}  // namespace

NSSLAB_COMMAND(40, "config", add_config_command);

}  // namespace nsslab::cli
