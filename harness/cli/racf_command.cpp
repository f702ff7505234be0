// `nsslab racf apply SCRIPT... [--list]` and `nsslab racf check SCRIPT... --user U --class C
// --resource R [--access READ]`: run RACF command scripts through the emulation (docs/racf.md).
// Exit codes: apply 0 applied, 2 error (file:line:col on stderr); check 0 allowed, 1 denied
// (including "not protected", which NSS treats as a denial), 2 error. `nsslab racf logon SCRIPT...
// --user U [--appl NSSD] --secret S --at TIME` verifies a password or PassTicket: 0 ok, 1
// rejected, 2 error.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "command.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/zos/racf.hpp"
#include "nsslab/zos/racf_script.hpp"

namespace {

using nsslab::zos::RacfDatabase;

// Reads and applies every script in order; prints the error and throws exit code 2 on failure.
void load_scripts(std::vector<std::string> const& files, RacfDatabase& db, char const* who) {
    auto table = nsslab::zos::RacfCommandTable::standard();
    std::vector<std::string> messages;
    for (auto const& file : files) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            std::cerr << "nsslab racf " << who << ": cannot read " << file << "\n";
            throw CLI::RuntimeError(2);
        }
        std::stringstream buffer;
        buffer << in.rdbuf();
        auto script = nsslab::zos::parse_racf_script(buffer.str(), file);
        if (!script) {
            std::cerr << script.error().message << "\n";
            throw CLI::RuntimeError(2);
        }
        auto applied = nsslab::zos::apply_racf_script(*script, db, table, messages);
        for (auto const& m : messages)
            std::cout << m << "\n";
        messages.clear();
        if (!applied) {
            std::cerr << applied.error().message << "\n";
            throw CLI::RuntimeError(2);
        }
    }
}

std::string yes_no(bool v) {
    return v ? "YES" : "NO";
}

void print_listing(RacfDatabase const& db) {
    auto revoke = db.password_revoke();
    std::cout << "SETROPTS PASSWORD("
              << (revoke ? "REVOKE(" + std::to_string(*revoke) + ")" : "NOREVOKE")
              << (db.password_mixed_case() ? " MIXEDCASE" : " NOMIXEDCASE") << ")\n";
    for (auto const& [name, options] : db.classes()) {
        std::cout << "CLASS " << name << " ACTIVE=" << yes_no(options.active)
                  << " RACLIST=" << yes_no(options.raclisted)
                  << " GENERIC=" << yes_no(options.generic) << " GENCMD=" << yes_no(options.gencmd)
                  << (db.raclist_refresh_pending(name) ? " REFRESH-PENDING" : "") << "\n";
    }
    for (auto const* g : db.groups())
        std::cout << "GROUP " << g->name << "\n";
    for (auto const* u : db.users()) {
        std::cout << "USER " << u->name << " DFLTGRP=" << u->default_group << " GROUPS=";
        bool first = true;
        for (auto const& g : u->groups) {
            std::cout << (first ? "" : ",") << g;
            first = false;
        }
        std::cout << " PASSWORD=" << yes_no(u->password.has_value())
                  << " PHRASE=" << yes_no(u->phrase.has_value())
                  << " REVOKED=" << yes_no(u->revoked) << " FAILED=" << u->failed_attempts << "\n";
    }
    for (auto const* p : db.profiles()) {
        std::cout << "PROFILE " << p->class_name << " " << p->name << (p->generic ? " (G)" : "")
                  << " UACC=" << nsslab::zos::to_string(p->uacc)
                  << " WARNING=" << yes_no(p->warning);
        if (!p->appldata.empty())
            std::cout << " APPLDATA='" << p->appldata << "'";
        if (p->ssignon)
            std::cout << " SSIGNON=KEYMASKED";  // key material is never printed
        if (p->eptktdata)
            std::cout << " EPTKTDATA=" << nsslab::zos::to_string(p->eptktdata->type);
        std::cout << "\n";
        for (auto const& e : p->access_list) {
            std::cout << "  ID " << e.id << " ACCESS=" << nsslab::zos::to_string(e.access) << "\n";
        }
    }
}

void add_racf(CLI::App& app) {
    auto* racf = app.add_subcommand("racf", "RACF command scripts on the SAF/RACF emulation");
    racf->require_subcommand(1);

    struct ApplyOptions {
        std::vector<std::string> scripts;
        bool list = false;
    };
    auto apply_opts = std::make_shared<ApplyOptions>();
    auto* apply = racf->add_subcommand(
        "apply", "Apply RACF command scripts in order; stop at the first error");
    apply->add_option("scripts", apply_opts->scripts, "RACF command script files")->required();
    apply->add_flag("--list", apply_opts->list,
                    "Print users, groups, classes, profiles and access lists");
    apply->callback([apply_opts] {
        RacfDatabase db;
        load_scripts(apply_opts->scripts, db, "apply");
        if (apply_opts->list)
            print_listing(db);
    });

    struct CheckOptions {
        std::vector<std::string> scripts;
        std::string user, class_name, resource, access = "READ";
    };
    auto check_opts = std::make_shared<CheckOptions>();
    auto* check = racf->add_subcommand(
        "check",
        "Apply scripts, then run an authorization check (exit 0 allowed, 1 denied, 2 error)");
    check->add_option("scripts", check_opts->scripts, "RACF command script files")->required();
    check->add_option("--user", check_opts->user, "User ID")->required();
    check->add_option("--class", check_opts->class_name, "Resource class, e.g. SERVAUTH")
        ->required();
    check->add_option("--resource", check_opts->resource, "Resource name")->required();
    check->add_option("--access", check_opts->access, "NONE, READ, UPDATE, CONTROL or ALTER")
        ->capture_default_str();
    check->callback([check_opts] {
        auto access = nsslab::zos::parse_racf_access(check_opts->access);
        if (!access) {
            std::cerr
                << "nsslab racf check: --access is one of NONE, READ, UPDATE, CONTROL, ALTER\n";
            throw CLI::RuntimeError(2);
        }
        RacfDatabase db;
        load_scripts(check_opts->scripts, db, "check");
        auto d = db.check(check_opts->user, check_opts->class_name, check_opts->resource, *access);
        std::cout << "decision: "
                  << (d.allowed ? (d.warning ? "ALLOWED (WARNING mode)" : "ALLOWED")
                                : (d.protected_resource ? "DENIED" : "DENIED (not protected)"))
                  << "\n"
                  << "profile: " << (d.profile.empty() ? "(none)" : d.profile) << "\n"
                  << "saf_rc: " << d.saf_rc << " racf_rc: " << d.racf_rc
                  << " racf_reason: " << d.racf_reason << "\n"
                  << "reason: " << d.reason << "\n"
                  << nsslab::zos::format_servauth_check_log(d) << "\n";
        if (!d.allowed)
            throw CLI::RuntimeError(1);
    });

    struct LogonOptions {
        std::vector<std::string> scripts;
        std::string user, appl = "NSSD", secret, at;
    };
    auto logon_opts = std::make_shared<LogonOptions>();
    auto* logon = racf->add_subcommand(
        "logon",
        "Apply scripts, then verify a password or PassTicket (exit 0 ok, 1 rejected, 2 error)");
    logon->add_option("scripts", logon_opts->scripts, "RACF command script files")->required();
    logon->add_option("--user", logon_opts->user, "User ID")->required();
    logon->add_option("--appl", logon_opts->appl, "PTKTDATA application name")
        ->capture_default_str();
    logon->add_option("--secret", logon_opts->secret, "Password, phrase or PassTicket")->required();
    logon->add_option("--at", logon_opts->at, "Evaluation time, e.g. 2026-01-01T00:00:00Z (GMT)")
        ->required();
    logon->callback([logon_opts] {
        nsslab::TimePoint at;
        if (!nsslab::parse_iso8601(logon_opts->at, at)) {
            std::cerr << "nsslab racf logon: --at needs a time like 2026-01-01T00:00:00Z\n";
            throw CLI::RuntimeError(2);
        }
        RacfDatabase db;
        load_scripts(logon_opts->scripts, db, "logon");
        auto r = db.authenticate(logon_opts->user, logon_opts->appl, logon_opts->secret,
                                 nsslab::unix_seconds(at));
        std::cout << "result: " << (r.ok ? "VERIFIED" : "REJECTED") << "\n"
                  << "method: " << nsslab::zos::to_string(r.method) << "\n"
                  << "profile: " << (r.profile.empty() ? "(none)" : r.profile) << "\n"
                  << "saf_rc: " << r.saf_rc << " racf_rc: " << r.racf_rc
                  << " racf_reason: " << r.racf_reason << "\n"
                  << "reason: " << r.reason << "\n";
        if (!r.ok)
            throw CLI::RuntimeError(1);
    });
}

}  // namespace

NSSLAB_COMMAND(40, "racf", add_racf);
