// Shared lexer and statement-tree parser for IBM configuration files; see config_lexer.hpp.
#include "nsslab/zos/config_lexer.hpp"

#include <cstdio>

namespace nsslab::zos {

std::string Diagnostic::format(std::string_view file_name) const {
    std::string out(file_name);
    out += ':' + std::to_string(where.line) + ':' + std::to_string(where.column) + ": error: ";
    out += message;
    if (!expected.empty())
        out += " (expected " + expected + ")";
    return out;
}

void DiagnosticSink::error(SourceLocation where, std::string message, std::string expected) {
    ++count_;
    if (list_.size() >= max_)
        return;
    list_.push_back(Diagnostic{where, std::move(message), std::move(expected)});
}

Error DiagnosticSink::to_error(std::string_view file_name) const {
    NSSLAB_ASSERT(count_ != 0, "to_error on an empty diagnostic sink");
    if (list_.empty())
        return fail(code_, std::string(file_name) + ": " + std::to_string(count_) +
                               " errors (none kept: diagnostics limit is 0)");
    auto const& d = list_.front();
    std::string msg(file_name);
    msg += ':' + std::to_string(d.where.line) + ':' + std::to_string(d.where.column) + ": ";
    msg += d.message;
    if (!d.expected.empty())
        msg += " (expected " + d.expected + ")";
    if (count_ > 1) {
        msg += " [and " + std::to_string(count_ - 1) + " more error";
        msg += count_ > 2 ? "s]" : "]";
    }
    return fail(code_, std::move(msg));
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) {
            return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        };
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

bool is_control(char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && !is_space(c)) || u == 0x7f;
}

std::string hex_byte(char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(c)));
    return buf;
}

}  // namespace

std::vector<Token> tokenize(std::string_view text, LexerOptions const& options,
                            ConfigLimits const& limits, DiagnosticSink& sink) {
    std::vector<Token> tokens;
    if (text.size() > limits.max_file_bytes) {
        sink.set_code(Errc::oversized);
        sink.error({1, 1},
                   "input is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                       std::to_string(limits.max_file_bytes),
                   "at most " + std::to_string(limits.max_file_bytes) + " bytes");
        return tokens;
    }
    std::uint32_t line = 1;
    std::uint32_t column = 1;
    bool line_has_token = false;
    std::size_t i = 0;
    auto advance = [&] {
        if (text[i] == '\n') {
            ++line;
            column = 1;
            line_has_token = false;
        } else {
            ++column;
        }
        ++i;
    };
    auto push = [&](Token t) -> bool {
        if (tokens.size() >= limits.max_tokens) {
            sink.set_code(Errc::oversized);
            sink.error(t.where, "more than " + std::to_string(limits.max_tokens) + " tokens",
                       "a smaller file");
            return false;
        }
        t.first_on_line = !line_has_token;
        line_has_token = true;
        tokens.push_back(std::move(t));
        return true;
    };
    auto too_long = [&](SourceLocation where) {
        sink.set_code(Errc::oversized);
        sink.error(where, "token longer than " + std::to_string(limits.max_token_bytes) + " bytes",
                   "a shorter value");
    };

    while (i < text.size()) {
        char c = text[i];
        if (is_space(c)) {
            advance();
            continue;
        }
        SourceLocation where{line, column};
        if (is_control(c)) {
            sink.error(where, "unexpected control character " + hex_byte(c), "printable text");
            return tokens;
        }
        if (c == options.comment_char) {
            while (i < text.size() && text[i] != '\n')
                advance();
            continue;
        }
        if (options.braces && (c == '{' || c == '}')) {
            advance();
            if (!push(Token{c == '{' ? TokenKind::open_brace : TokenKind::close_brace,
                            std::string(1, c), where, false}))
                return tokens;
            continue;
        }
        if (options.quotes && c == '"') {
            advance();
            std::size_t start = i;
            while (i < text.size() && text[i] != '"' && text[i] != '\n') {
                if (is_control(text[i])) {
                    sink.error({line, column}, "unexpected control character " + hex_byte(text[i]),
                               "printable text");
                    return tokens;
                }
                advance();
            }
            if (i >= text.size() || text[i] != '"') {
                sink.error(where, "unterminated quoted string", "a closing '\"' on the same line");
                return tokens;
            }
            std::size_t len = i - start;
            advance();  // closing quote
            if (len > limits.max_token_bytes) {
                too_long(where);
                return tokens;
            }
            if (!push(Token{TokenKind::quoted, std::string(text.substr(start, len)), where, false}))
                return tokens;
            continue;
        }
        std::size_t start = i;
        while (i < text.size()) {
            char d = text[i];
            if (is_space(d) || (options.braces && (d == '{' || d == '}')))
                break;
            if (is_control(d)) {
                sink.error({line, column}, "unexpected control character " + hex_byte(d),
                           "printable text");
                return tokens;
            }
            advance();
        }
        std::size_t len = i - start;
        if (len > limits.max_token_bytes) {
            too_long(where);
            return tokens;
        }
        if (!push(Token{TokenKind::word, std::string(text.substr(start, len)), where, false}))
            return tokens;
    }
    return tokens;
}

namespace {

class TreeParser {
  public:
    TreeParser(std::span<Token const> tokens, ConfigLimits const& limits, DiagnosticSink& sink)
        : tokens_(tokens), limits_(limits), sink_(sink) {}

    std::vector<ConfigStatement> run() {
        std::vector<ConfigStatement> out;
        while (i_ < tokens_.size()) {
            Token const& t = tokens_[i_];
            if (t.kind == TokenKind::open_brace) {
                sink_.error(t.where, "unexpected '{'", "a statement name");
                return out;
            }
            if (t.kind == TokenKind::close_brace) {
                sink_.error(t.where, "unexpected '}' outside any block", "a statement name");
                return out;
            }
            if (t.kind == TokenKind::quoted) {
                sink_.error(t.where, "a statement name may not be quoted", "a statement name");
                return out;
            }
            if (out.size() >= limits_.max_statements) {
                sink_.set_code(Errc::oversized);
                sink_.error(t.where,
                            "more than " + std::to_string(limits_.max_statements) + " statements",
                            "fewer statements");
                return out;
            }
            ConfigStatement st;
            st.keyword = t;
            ++i_;
            while (i_ < tokens_.size() && tokens_[i_].is_value() && !tokens_[i_].first_on_line) {
                st.args.push_back(tokens_[i_]);
                ++i_;
            }
            std::string header = st.keyword.text;
            for (auto const& a : st.args)
                header += " " + a.text;
            if (i_ >= tokens_.size()) {
                sink_.error(st.keyword.where, "statement '" + header + "' has no block",
                            "'{' after '" + header + "'");
                return out;
            }
            if (tokens_[i_].kind != TokenKind::open_brace) {
                sink_.error(
                    tokens_[i_].where,
                    "'" + tokens_[i_].text + "' where the block of '" + header + "' should begin",
                    "'{' after '" + header + "'");
                return out;
            }
            st.block_begin = tokens_[i_].where;
            ++i_;
            if (!block(st.params, st.block_end, st.block_begin, header, 1))
                return out;
            out.push_back(std::move(st));
        }
        return out;
    }

  private:
    bool block(std::vector<ConfigParam>& params, SourceLocation& end, SourceLocation open,
               std::string const& owner, std::size_t depth) {
        for (;;) {
            if (i_ >= tokens_.size()) {
                sink_.error(open, "'{' of '" + owner + "' is never closed",
                            "'}' before the end of the input");
                return false;
            }
            Token const& t = tokens_[i_];
            if (t.kind == TokenKind::close_brace) {
                end = t.where;
                ++i_;
                return true;
            }
            if (t.kind == TokenKind::open_brace) {
                sink_.error(t.where, "unexpected '{'", "a parameter name or '}'");
                return false;
            }
            if (t.kind == TokenKind::quoted) {
                sink_.error(t.where, "a parameter name may not be quoted", "a parameter name");
                return false;
            }
            if (params.size() >= limits_.max_params_per_block) {
                sink_.set_code(Errc::oversized);
                sink_.error(t.where,
                            "more than " + std::to_string(limits_.max_params_per_block) +
                                " parameters in '" + owner + "'",
                            "fewer parameters");
                return false;
            }
            ConfigParam p;
            p.keyword = t;
            ++i_;
            while (i_ < tokens_.size() && tokens_[i_].is_value() && !tokens_[i_].first_on_line) {
                if (p.values.size() >= limits_.max_values_per_param) {
                    sink_.set_code(Errc::oversized);
                    sink_.error(tokens_[i_].where,
                                "more than " + std::to_string(limits_.max_values_per_param) +
                                    " values for '" + p.keyword.text + "'",
                                "fewer values");
                    return false;
                }
                p.values.push_back(tokens_[i_]);
                ++i_;
            }
            if (i_ < tokens_.size() && tokens_[i_].kind == TokenKind::open_brace) {
                if (depth >= limits_.max_nesting) {
                    sink_.set_code(Errc::oversized);
                    sink_.error(tokens_[i_].where,
                                "blocks nested deeper than " + std::to_string(limits_.max_nesting),
                                "fewer nested blocks");
                    return false;
                }
                SourceLocation inner_open = tokens_[i_].where;
                ++i_;
                p.has_block = true;
                if (!block(p.block, p.block_end, inner_open, p.keyword.text, depth + 1))
                    return false;
            }
            params.push_back(std::move(p));
        }
    }

    std::span<Token const> tokens_;
    ConfigLimits const& limits_;
    DiagnosticSink& sink_;
    std::size_t i_{0};
};

}  // namespace

std::vector<ConfigStatement> parse_statements(std::span<Token const> tokens,
                                              ConfigLimits const& limits, DiagnosticSink& sink) {
    return TreeParser(tokens, limits, sink).run();
}

}  // namespace nsslab::zos
