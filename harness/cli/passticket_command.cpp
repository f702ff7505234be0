// `nsslab passticket generate|evaluate`: RACF PassTickets from the command line
// (docs/passticket.md, sim/zos passticket.hpp).
//
//   nsslab passticket generate --user U --appl A --key HEX [--time UNIXSECONDS]
//                              [--enhanced [--mixed]]
//       prints the PassTicket; exit 0. The default time is the system clock (GMT seconds).
//   nsslab passticket evaluate --user U --appl A --key HEX --ticket T [--time UNIXSECONDS]
//                              [--enhanced [--mixed]] [--window SECONDS]
//       prints "valid (generated at <ISO time>, <delta> s from evaluation time)", exit 0, or
//       "invalid: <reason>" on stderr, exit 1.
// Usage errors (missing or malformed options, bad user/appl/key length) exit 2. The key is
// never printed, not even in error messages.
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "command.hpp"
#include "nsslab/base/bytes.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/zos/passticket.hpp"

namespace nsslab::cli {
namespace {

constexpr int exit_invalid = 1;
constexpr int exit_usage = 2;

struct PassTicketOptions {
    std::string user;
    std::string appl;
    std::string key_hex;
    std::string ticket;
    std::string time;
    std::string window;
    bool enhanced{false};
    bool mixed{false};
};

[[noreturn]] void usage_error(std::string_view sub, std::string const& message) {
    std::cerr << "nsslab passticket " << sub << ": " << message << "\n";
    throw CLI::RuntimeError(exit_usage);
}

std::optional<std::int64_t> parse_int(std::string const& text) {
    if (text.empty())
        return std::nullopt;
    std::size_t used = 0;
    try {
        long long v = std::stoll(text, &used, 10);
        if (used != text.size())
            return std::nullopt;
        return static_cast<std::int64_t>(v);
    } catch (...) {
        return std::nullopt;
    }
}

zos::PassTicketType type_of(PassTicketOptions const& o) {
    if (!o.enhanced)
        return zos::PassTicketType::legacy;
    return o.mixed ? zos::PassTicketType::enhanced_mixed : zos::PassTicketType::enhanced_upper;
}

// Common checks; returns the key bytes. Never echoes the key.
Bytes check_common(std::string_view sub, CLI::App const& app, PassTicketOptions const& o) {
    if (!app.remaining().empty())
        usage_error(sub, "unexpected argument '" + app.remaining().front() + "'");
    if (o.user.empty())
        usage_error(sub, "--user is required");
    if (o.appl.empty())
        usage_error(sub, "--appl is required");
    if (o.key_hex.empty())
        usage_error(sub, "--key is required");
    if (o.mixed && !o.enhanced)
        usage_error(sub, "--mixed needs --enhanced");
    auto key = from_hex(o.key_hex);
    if (!key)
        usage_error(sub, "--key is not a hexadecimal string");
    return std::move(*key);
}

std::int64_t time_or_now(std::string_view sub, PassTicketOptions const& o) {
    if (o.time.empty()) {
        // The CLI is a driver: it may read the clock. RACF uses GMT seconds since 1970.
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
    auto t = parse_int(o.time);
    if (!t)
        usage_error(sub, "--time must be an integer number of seconds since 1970-01-01T00:00:00Z");
    return *t;
}

std::string iso_seconds(std::int64_t unix_s) {
    auto text = format_iso8601(time_from_unix_seconds(unix_s));
    auto const dot = text.find('.');
    if (dot != std::string::npos && text.back() == 'Z')
        text = text.substr(0, dot) + "Z";
    return text;
}

void run_generate(CLI::App const& app, PassTicketOptions const& o) {
    auto key = check_common("generate", app, o);
    auto const t = time_or_now("generate", o);
    auto ticket = zos::generate_passticket(o.user, o.appl, key, type_of(o), t);
    if (!ticket) {
        if (ticket.error().code == Errc::invalid_argument)
            usage_error("generate", ticket.error().message);
        std::cerr << "nsslab passticket generate: " << ticket.error().message << "\n";
        throw CLI::RuntimeError(exit_invalid);
    }
    std::cout << *ticket << "\n";
}

void run_evaluate(CLI::App const& app, PassTicketOptions const& o) {
    auto key = check_common("evaluate", app, o);
    if (o.ticket.empty())
        usage_error("evaluate", "--ticket is required");
    auto const now = time_or_now("evaluate", o);
    std::int64_t window = zos::passticket_window_seconds_default;
    if (!o.window.empty()) {
        auto w = parse_int(o.window);
        if (!w || *w < 0 || *w > (std::int64_t{1} << 40))
            usage_error("evaluate", "--window must be a non-negative number of seconds");
        window = *w;
    }
    zos::PassTicketValidator validator(window, 1);
    std::string profile = o.appl;
    for (auto& c : profile)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    zos::PtktdataKey const candidate{profile, std::move(key), type_of(o), true};
    auto match = validator.validate(o.user, o.appl, o.ticket, std::span(&candidate, 1), now);
    if (!match) {
        if (match.error().code == Errc::invalid_argument)
            usage_error("evaluate", match.error().message);
        std::cerr << "invalid: " << match.error().message << "\n";
        throw CLI::RuntimeError(exit_invalid);
    }
    std::cout << "valid (generated at " << iso_seconds(match->generated_unix) << ", "
              << (match->generated_unix - now) << " s from evaluation time)\n";
}

void add_common(CLI::App* sub, PassTicketOptions& o) {
    sub->add_option("--user", o.user, "RACF user ID (1-8 of A-Z 0-9 @ # $)");
    sub->add_option("--appl", o.appl, "application name (PTKTDATA profile), 1-8 characters");
    sub->add_option("--key", o.key_hex,
                    "PTKTDATA key in hex: 16 digits (legacy) or 64-512 digits (enhanced)");
    sub->add_option("--time", o.time, "GMT seconds since 1970 (default: the system clock)");
    sub->add_flag("--enhanced", o.enhanced, "enhanced (HMAC-SHA-512) PassTicket, UPPER alphabet");
    sub->add_flag("--mixed", o.mixed, "with --enhanced: MIXED alphabet (0-9A-Za-z-_)");
    sub->allow_extras();
}

void add_passticket_command(CLI::App& app) {
    auto* pt = app.add_subcommand("passticket", "Generate and evaluate RACF PassTickets");
    pt->require_subcommand(1);

    auto gen_options = std::make_shared<PassTicketOptions>();
    auto* gen =
        pt->add_subcommand("generate", "Print the PassTicket for a user, application and time");
    add_common(gen, *gen_options);
    gen->callback([gen, gen_options] { run_generate(*gen, *gen_options); });

    auto eval_options = std::make_shared<PassTicketOptions>();
    auto* eval = pt->add_subcommand("evaluate",
                                    "Check a PassTicket as RACF would (+/- window, default 600 s)");
    add_common(eval, *eval_options);
    eval->add_option("--ticket", eval_options->ticket, "the PassTicket to evaluate");
    eval->add_option("--window", eval_options->window,
                     "accepted distance in seconds (default 600)");
    eval->callback([eval, eval_options] { run_evaluate(*eval, *eval_options); });
}

}  // namespace

NSSLAB_COMMAND(60, "passticket", add_passticket_command);

}  // namespace nsslab::cli
