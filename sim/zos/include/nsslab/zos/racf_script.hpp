// RACF command scripts: the TSO command syntax of RACF commands (ADDUSER, RDEFINE, PERMIT,
// SETROPTS, ... and, from its own file, RACDCERT), tokenized into a public representation and
// applied to a RacfDatabase through a dispatch table of command handlers.
//
// Implements the command-line conventions of z/OS TSO/E Command Reference ("Entering commands":
// positional operands before keywords, keyword(operands), quoted strings with doubled quotes,
// `-` / `+` continuation, `/* */` comments) and the command syntax of z/OS Security Server RACF
// Command Language Reference. docs/racf.md gives the accepted grammar, the abbreviation table and
// every emulation choice (e.g. `#` / `*` comment lines, stop at the first failing command).
//
// Layering: parse_racf_script only tokenizes (it knows no command); apply_racf_script looks every
// command up in a RacfCommandTable. A handler for another command (RACDCERT, key rings) is added
// with RacfCommandTable::add from its own translation unit, capturing whatever state it needs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"

namespace nsslab::zos {

class RacfDatabase;

// 1-based line and column of a token in its script file.
struct RacfSourcePos {
    std::uint32_t line{0};
    std::uint32_t column{0};
};

// One operand of a command as TSO parses it. Examples, for `PERMIT 'A.B' ID(U1,U2) ACCESS(READ)`:
// `'A.B'` is quoted "A.B"; `ID(U1,U2)` is keyword "ID" with args [word U1, word U2].
struct RacfOperand {
    enum class Kind {
        word,     // NSSD, REVOKE, 1.2.3.4: text as written (case kept; handlers upper-case names)
        quoted,   // 'NO REPLAY PROTECTION': text without the quotes, '' turned into '
        keyword,  // NAME(...): text is the name upper-cased, args the operands inside
        list,     // (A B C) with no keyword in front: text empty, args the items
    };
    Kind kind{Kind::word};
    std::string text;
    std::vector<RacfOperand> args;
    RacfSourcePos pos;

    bool is_value() const { return kind == Kind::word || kind == Kind::quoted; }
};

// One command: continuation lines joined, comments removed.
struct RacfCommand {
    std::string name;   // upper-cased as written, e.g. "RDEF" (aliases resolved by the table)
    std::string file;   // script file name given to parse_racf_script
    RacfSourcePos pos;  // of the command name
    std::vector<RacfOperand> operands;
    std::string text;  // the logical command line (for logs and messages)

    // "file:line:col" of `at`.
    std::string where(RacfSourcePos at) const;
};

struct RacfScript {
    std::string file_name;
    std::vector<RacfCommand> commands;
};

// Bounds that keep hostile input cheap (fuzzing): nesting depth of parentheses and the
// length of one logical command.
inline constexpr std::size_t racf_nesting_max = 16;
inline constexpr std::size_t racf_command_chars_max = 32768;

// Tokenizes a script. Errors: Errc::parse_error "file:line:col: what was expected", e.g. an
// unterminated quoted string or comment, unbalanced parentheses, a command that does not start
// with a name. Commands are not looked up here.
Result<RacfScript> parse_racf_script(std::string_view text, std::string_view file_name);

// ---- Helpers for command handlers (public so that other handlers reuse them) ----

// Upper-cases ASCII letters (RACF folds names and keywords).
std::string racf_upper(std::string_view text);

// Errc::parse_error "file:line:col: COMMAND: what".
Error racf_error(RacfCommand const& command, RacfSourcePos at, std::string const& what);

// How a keyword takes operands.
enum class RacfArgs {
    none,      // REVOKE, WARNING: no parentheses allowed
    required,  // UACC(READ): parentheses with at least one operand
    optional,  // REFRESH or GENERIC(SERVAUTH) or DFLTGRP(): either form (empty parentheses allowed)
};

struct RacfKeywordSpec {
    std::string_view name;  // full keyword name, e.g. "DFLTGRP"
    RacfArgs args{RacfArgs::none};
    std::string_view alias{};  // an IBM-documented short form that is not a prefix, if any
};

// Resolves a written keyword (any case): exact name or alias first, then a unique leading
// abbreviation among `specs` (TSO's rule). nullptr when unknown or ambiguous.
RacfKeywordSpec const* find_racf_keyword(std::string_view written,
                                         std::span<const RacfKeywordSpec> specs);

// A command's operands split the TSO way: the first `positional` operands are positional
// (words, quoted strings or lists), the rest are keywords checked against `specs` (name,
// abbreviation, argument form). A repeated keyword: the last one wins, as in TSO.
struct RacfOperands {
    std::vector<RacfOperand const*> positional;
    std::map<std::string_view, RacfOperand const*> keywords;  // full name -> operand

    bool has(std::string_view name) const { return keywords.count(name) != 0; }
    RacfOperand const* get(std::string_view name) const;
};

// Errors name the unknown/ambiguous keyword, a missing positional operand, or a wrong form
// (e.g. "UACC needs a value in parentheses").
Result<RacfOperands> split_racf_operands(RacfCommand const& command,
                                         std::span<const RacfOperand> operands,
                                         std::size_t positional_min, std::size_t positional_max,
                                         std::span<const RacfKeywordSpec> specs);

// The single value of `keyword(value)`; error when there are zero, several or nested operands.
Result<std::string> racf_single_value(RacfCommand const& command, RacfOperand const& keyword);

// Every value of `keyword(v1 v2 ...)` or of a positional list `(v1 v2)` / single value.
Result<std::vector<std::string>> racf_values(RacfCommand const& command,
                                             RacfOperand const& operand);

// ---- Dispatch ----

struct RacfCommandContext {
    RacfDatabase& racf;
    std::vector<std::string>& messages;  // informational output (e.g. ICH10006I), one per line
};

// Contract: a handler either fully applies its command and returns success, or returns an
// error having changed NOTHING (validate every operand and target first, then mutate).
using RacfCommandHandler =
    std::function<Result<void>(RacfCommand const& command, RacfCommandContext& context)>;

class RacfCommandTable {
  public:
    // Adds (or replaces) a command under its full name and its IBM abbreviations.
    void add(std::string_view name, std::vector<std::string_view> const& aliases,
             RacfCommandHandler handler);
    // Looks a written command name up (any case). nullptr when unknown.
    RacfCommandHandler const* find(std::string_view name) const;
    // Full command names, sorted.
    std::vector<std::string> names() const;

    // The commands of racf_script_commands.cpp: ADDUSER, ALTUSER, DELUSER, ADDGROUP, DELGROUP,
    // CONNECT, REMOVE, RDEFINE, RALTER, RDELETE, PERMIT, SETROPTS.
    static RacfCommandTable standard();

  private:
    std::map<std::string, RacfCommandHandler, std::less<>> handlers_;
    std::map<std::string, std::string, std::less<>> aliases_;  // alias -> full name
};

// Applies one command: unknown command -> Errc::parse_error naming it ("file:line:col: unknown
// RACF command 'FOO'"); otherwise the handler's result.
Result<void> apply_racf_command(RacfCommand const& command, RacfDatabase& racf,
                                RacfCommandTable const& table, std::vector<std::string>& messages);

// Applies the commands in order and STOPS at the first failing command: the commands before it
// stay applied, the failing one applied nothing, the rest are not run. Returns its error.
Result<void> apply_racf_script(RacfScript const& script, RacfDatabase& racf,
                               RacfCommandTable const& table, std::vector<std::string>& messages);

// parse_racf_script + apply_racf_script in one call (the usual way to load a scenario's script).
Result<void> run_racf_script(std::string_view text, std::string_view file_name, RacfDatabase& racf,
                             RacfCommandTable const& table, std::vector<std::string>& messages);

}  // namespace nsslab::zos
