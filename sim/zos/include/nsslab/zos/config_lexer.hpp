// Shared lexer and statement-tree parser for IBM's configuration file syntax.
//
// z/OS Communications Server configuration files (iked.conf, nssd.conf, Policy Agent files) use
// statements drawn as "Braces & Parms on Separate Lines" in IBM's syntax diagrams:
//
//     StatementName [name]
//     {
//        Parameter value ...
//        NestedParameter { Parameter value ... }
//     }
//
// Facts: /work/shared/reference/zos-nss-facts.md §1.1 (statement/block syntax; no comment or case
// rule found for iked.conf). Emulation choices (docs/config-files.md "Lexical rules"):
// `#` starts a comment to the end of the line when it begins a token (Policy Agent convention,
// applied to iked.conf and nssd.conf too); keywords compare case-insensitively; values keep their
// case; a double-quoted string is one value (no escapes, may not span lines); a parameter ends at
// the end of its line or at a brace. PROFILE.TCPIP uses `;` comments and no braces, selected with
// LexerOptions.
//
// Every input is bounded (ConfigLimits): too large a file, token, statement count or nesting depth
// is a diagnostic, never a crash. Locations are 1-based line and column (columns count bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"

namespace nsslab::zos {

struct SourceLocation {
    std::uint32_t line{1};
    std::uint32_t column{1};

    auto operator<=>(SourceLocation const&) const = default;
};

// Bounds applied to every configuration input.
struct ConfigLimits {
    std::size_t max_file_bytes{4 * 1024 * 1024};  // 4 MiB
    std::size_t max_token_bytes{1024};
    std::size_t max_tokens{1'000'000};
    std::size_t max_statements{10'000};
    std::size_t max_params_per_block{10'000};
    std::size_t max_values_per_param{64};
    std::size_t max_nesting{8};  // nested blocks inside a statement (IpFilterRule { IpService {} })
    std::size_t max_diagnostics{100};
};

// One problem in an input, with its position.
struct Diagnostic {
    SourceLocation where;
    std::string message;
    std::string expected;  // what the grammar wanted there; may be empty

    // "file:line:column: error: message (expected ...)"
    std::string format(std::string_view file_name) const;
};

// Collects diagnostics up to ConfigLimits::max_diagnostics.
class DiagnosticSink {
  public:
    explicit DiagnosticSink(std::size_t max_diagnostics = 100) : max_(max_diagnostics) {}

    void error(SourceLocation where, std::string message, std::string expected = {});
    // Errors seen, including those beyond max_diagnostics that were not kept.
    bool empty() const { return count_ == 0; }
    std::size_t size() const { return count_; }
    std::vector<Diagnostic> const& list() const { return list_; }
    std::vector<Diagnostic> take() { return std::move(list_); }
    // Errc of the first error that set one (bounds use Errc::oversized), else parse_error.
    void set_code(Errc code) {
        if (!code_set_)
            code_ = code, code_set_ = true;
    }
    // The first diagnostic as "file:line:column: message (expected ...)", plus a count of the rest.
    Error to_error(std::string_view file_name) const;

  private:
    std::size_t max_;
    std::vector<Diagnostic> list_;
    std::size_t count_{0};
    Errc code_{Errc::parse_error};
    bool code_set_{false};
};

enum class TokenKind : std::uint8_t { word, quoted, open_brace, close_brace };

struct Token {
    TokenKind kind{TokenKind::word};
    std::string text;  // for quoted: without the quotes
    SourceLocation where;
    bool first_on_line{false};

    bool is_value() const { return kind == TokenKind::word || kind == TokenKind::quoted; }
};

struct LexerOptions {
    char comment_char{'#'};  // PROFILE.TCPIP: ';'
    bool braces{true};       // '{' and '}' are tokens of their own
    bool quotes{true};       // "a b" is one value
};

// Splits `text` into tokens. Errors (control characters, unterminated quotes, oversized token or
// file) go to `sink`; returns the tokens read so far (complete only when the sink stays empty).
std::vector<Token> tokenize(std::string_view text, LexerOptions const& options,
                            ConfigLimits const& limits, DiagnosticSink& sink);

// A parameter line inside a block, possibly with a nested block of its own.
struct ConfigParam {
    Token keyword;
    std::vector<Token> values;
    bool has_block{false};
    std::vector<ConfigParam> block;  // only when has_block
    SourceLocation block_end;        // the closing brace of the nested block
};

// A top-level statement: keyword, optional name arguments on the same line, and its block.
struct ConfigStatement {
    Token keyword;
    std::vector<Token> args;
    std::vector<ConfigParam> params;
    SourceLocation block_begin;  // the '{'
    SourceLocation block_end;    // the '}'
};

// Parses brace syntax into statements. Syntax errors are fatal: the sink gets one diagnostic and
// the statements parsed before it are returned.
std::vector<ConfigStatement> parse_statements(std::span<Token const> tokens,
                                              ConfigLimits const& limits, DiagnosticSink& sink);

// Case-insensitive ASCII comparison for keywords.
bool iequals(std::string_view a, std::string_view b);

}  // namespace nsslab::zos
