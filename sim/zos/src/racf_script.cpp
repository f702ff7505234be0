// RACF command scripts: tokenizer, operand helpers and dispatch (see racf_script.hpp).
#include "nsslab/zos/racf_script.hpp"

#include <algorithm>
#include <cctype>

#include "nsslab/zos/racf.hpp"

namespace nsslab::zos {
namespace {

struct Ch {
    char c{0};
    RacfSourcePos pos;
};

bool is_separator(char c) {
    return c == ' ' || c == '\t' || c == ',' || c == '\f' || c == '\v';
}
bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

std::string where(std::string_view file, RacfSourcePos pos) {
    return std::string(file) + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

Error syntax_error(std::string_view file, RacfSourcePos pos, std::string const& what) {
    return fail(Errc::parse_error, where(file, pos) + ": " + what);
}

// Recursive-descent tokenizer over one logical command line.
class CommandTokenizer {
  public:
    CommandTokenizer(std::vector<Ch> const& chars, std::string_view file)
        : chars_(chars), file_(file) {}

    Result<RacfCommand> run() {
        RacfCommand command;
        command.file = std::string(file_);
        for (auto const& ch : chars_)
            command.text.push_back(ch.c);
        // Trim the text for messages.
        auto first = command.text.find_first_not_of(" \t");
        auto last = command.text.find_last_not_of(" \t");
        command.text = first == std::string::npos ? std::string()
                                                  : command.text.substr(first, last - first + 1);

        skip_separators();
        NSSLAB_ASSERT(i_ < chars_.size(), "tokenizer run on a blank command");
        command.pos = chars_[i_].pos;
        if (!is_word_char(chars_[i_].c)) {
            return syntax_error(
                file_, chars_[i_].pos,
                std::string("expected a command name, found '") + chars_[i_].c + "'");
        }
        while (i_ < chars_.size() && is_word_char(chars_[i_].c)) {
            command.name.push_back(chars_[i_].c);
            ++i_;
        }
        command.name = racf_upper(command.name);
        if (i_ < chars_.size() && !is_separator(chars_[i_].c)) {
            return syntax_error(file_, chars_[i_].pos,
                                "expected a blank after the command name " + command.name);
        }
        while (true) {
            skip_separators();
            if (i_ >= chars_.size())
                break;
            auto operand = parse_operand(0);
            if (!operand)
                return operand.error();
            command.operands.push_back(std::move(*operand));
        }
        return command;
    }

  private:
    static bool is_word_char(char c) {
        return !is_separator(c) && c != '(' && c != ')' && c != '\'';
    }

    void skip_separators() {
        while (i_ < chars_.size() && is_separator(chars_[i_].c))
            ++i_;
    }

    Result<RacfOperand> parse_operand(std::size_t depth) {
        RacfOperand operand;
        operand.pos = chars_[i_].pos;
        char c = chars_[i_].c;
        if (c == ')')
            return syntax_error(file_, operand.pos, "unbalanced ')'");
        if (c == '\'') {
            operand.kind = RacfOperand::Kind::quoted;
            ++i_;
            while (true) {
                if (i_ >= chars_.size()) {
                    return syntax_error(file_, operand.pos, "unterminated quoted string");
                }
                if (chars_[i_].c == '\'') {
                    if (i_ + 1 < chars_.size() && chars_[i_ + 1].c == '\'') {
                        operand.text.push_back('\'');
                        i_ += 2;
                        continue;
                    }
                    ++i_;
                    break;
                }
                operand.text.push_back(chars_[i_].c);
                ++i_;
            }
            if (i_ < chars_.size() && !is_separator(chars_[i_].c) && chars_[i_].c != ')') {
                return syntax_error(file_, chars_[i_].pos,
                                    "expected a blank, ',' or ')' after a quoted string");
            }
            return operand;
        }
        if (c == '(') {
            operand.kind = RacfOperand::Kind::list;
            auto args = parse_args(depth);
            if (!args)
                return args.error();
            operand.args = std::move(*args);
            return operand;
        }
        while (i_ < chars_.size() && is_word_char(chars_[i_].c)) {
            operand.text.push_back(chars_[i_].c);
            ++i_;
        }
        if (i_ < chars_.size() && chars_[i_].c == '(') {
            operand.kind = RacfOperand::Kind::keyword;
            operand.text = racf_upper(operand.text);
            auto args = parse_args(depth);
            if (!args)
                return args.error();
            operand.args = std::move(*args);
        } else if (i_ < chars_.size() && chars_[i_].c == '\'') {
            return syntax_error(file_, chars_[i_].pos,
                                "unexpected quote inside the word '" + operand.text + "'");
        }
        return operand;
    }

    // At '(' : parses operands up to the matching ')'.
    Result<std::vector<RacfOperand>> parse_args(std::size_t depth) {
        RacfSourcePos open = chars_[i_].pos;
        if (depth + 1 > racf_nesting_max) {
            return syntax_error(
                file_, open, "parentheses nested deeper than " + std::to_string(racf_nesting_max));
        }
        ++i_;
        std::vector<RacfOperand> args;
        while (true) {
            skip_separators();
            if (i_ >= chars_.size()) {
                return syntax_error(file_, open, "expected ')' to close this '('");
            }
            if (chars_[i_].c == ')') {
                ++i_;
                break;
            }
            auto operand = parse_operand(depth + 1);
            if (!operand)
                return operand.error();
            args.push_back(std::move(*operand));
        }
        if (i_ < chars_.size() && !is_separator(chars_[i_].c) && chars_[i_].c != ')') {
            return syntax_error(file_, chars_[i_].pos, "expected a blank, ',' or ')' after ')'");
        }
        return args;
    }

    std::vector<Ch> const& chars_;
    std::string_view file_;
    std::size_t i_{0};
};

}  // namespace

std::string RacfCommand::where(RacfSourcePos at) const {
    return zos::where(file, at);
}

std::string racf_upper(std::string_view text) {
    std::string out(text);
    for (auto& c : out) {
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

Error racf_error(RacfCommand const& command, RacfSourcePos at, std::string const& what) {
    return fail(Errc::parse_error, command.where(at) + ": " + command.name + ": " + what);
}

Result<RacfScript> parse_racf_script(std::string_view text, std::string_view file_name) {
    RacfScript script;
    script.file_name = std::string(file_name);

    std::vector<Ch> logical;     // the command being assembled
    bool continuing = false;     // previous line ended with - or +
    bool strip_leading = false;  // ... with + (drop the next line's leading blanks)
    bool in_quote = false;       // a quoted string is open (may continue over lines)
    RacfSourcePos quote_pos;     // where it opened
    bool in_comment = false;     // a /* comment is open (may span lines)
    RacfSourcePos comment_pos;
    RacfSourcePos continuation_pos;  // of the last - or +

    auto finish_command = [&]() -> Result<void> {
        bool blank = std::all_of(logical.begin(), logical.end(),
                                 [](Ch const& ch) { return is_separator(ch.c); });
        if (!blank) {
            CommandTokenizer tokenizer(logical, file_name);
            auto command = tokenizer.run();
            if (!command)
                return command.error();
            script.commands.push_back(std::move(*command));
        }
        logical.clear();
        return {};
    };

    std::uint32_t line_no = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        ++line_no;
        bool last_line = end == text.size();

        if (last_line && continuing && line.find_first_not_of(" \t") == std::string_view::npos) {
            return syntax_error(file_name, continuation_pos,
                                "expected a continuation line after '-' or '+' at end of file");
        }
        std::size_t col = 0;
        if (!continuing && !in_comment) {
            auto first = line.find_first_not_of(" \t");
            if (first != std::string_view::npos &&
                (line[first] == '#' ||
                 (line[first] == '*' && !(first + 1 < line.size() && line[first + 1] == '/')))) {
                col = line.size();  // whole-line comment
            }
        }
        if (continuing && strip_leading && !in_comment) {
            while (col < line.size() && is_blank(line[col]))
                ++col;
        }
        std::size_t line_begin = logical.size();
        for (; col < line.size(); ++col) {
            char c = line[col];
            RacfSourcePos pos{line_no, static_cast<std::uint32_t>(col + 1)};
            if (in_comment) {
                if (c == '*' && col + 1 < line.size() && line[col + 1] == '/') {
                    in_comment = false;
                    ++col;
                    logical.push_back(Ch{' ', pos});
                }
                continue;
            }
            if (in_quote) {
                logical.push_back(Ch{c, pos});
                if (c == '\'') {
                    if (col + 1 < line.size() && line[col + 1] == '\'') {
                        logical.push_back(Ch{'\'', RacfSourcePos{line_no, pos.column + 1}});
                        ++col;
                    } else {
                        in_quote = false;
                    }
                }
                continue;
            }
            if (c == '/' && col + 1 < line.size() && line[col + 1] == '*') {
                in_comment = true;
                comment_pos = pos;
                ++col;
                continue;
            }
            if (c == '\'') {
                in_quote = true;
                quote_pos = pos;
            }
            logical.push_back(Ch{c, pos});
            if (logical.size() > racf_command_chars_max) {
                return syntax_error(file_name, pos,
                                    "command longer than " +
                                        std::to_string(racf_command_chars_max) + " characters");
            }
        }
        // Continuation: the last non-blank character this line contributed is - or +.
        std::size_t k = logical.size();
        while (k > line_begin && is_blank(logical[k - 1].c))
            --k;
        continuing = false;
        if (k > line_begin && (logical[k - 1].c == '-' || logical[k - 1].c == '+')) {
            continuing = true;
            continuation_pos = logical[k - 1].pos;
            strip_leading = logical[k - 1].c == '+';
            // Outside quotes the joint is a blank; inside a quoted string the pieces are joined.
            logical.resize(k - 1);
            if (!in_quote)
                logical.push_back(Ch{' ', RacfSourcePos{line_no, 0}});
        }
        if (!continuing) {
            if (in_quote) {
                return syntax_error(file_name, quote_pos,
                                    "unterminated quoted string (a string continues on the next "
                                    "line only after '-' or '+')");
            }
            auto done = finish_command();
            if (!done)
                return done.error();
        } else if (last_line) {
            return syntax_error(file_name, continuation_pos,
                                "expected a continuation line after '-' or '+' at end of file");
        }
        if (last_line)
            break;
        start = end + 1;
    }
    if (in_comment)
        return syntax_error(file_name, comment_pos, "unterminated comment: expected '*/'");
    return script;
}

// ---- Operand helpers ----

RacfKeywordSpec const* find_racf_keyword(std::string_view written,
                                         std::span<const RacfKeywordSpec> specs) {
    std::string name = racf_upper(written);
    if (name.empty())
        return nullptr;
    for (auto const& spec : specs) {
        if (spec.name == name || (!spec.alias.empty() && spec.alias == name))
            return &spec;
    }
    RacfKeywordSpec const* found = nullptr;
    for (auto const& spec : specs) {
        if (spec.name.size() > name.size() && spec.name.substr(0, name.size()) == name) {
            if (found != nullptr)
                return nullptr;  // ambiguous
            found = &spec;
        }
    }
    return found;
}

RacfOperand const* RacfOperands::get(std::string_view name) const {
    auto it = keywords.find(name);
    return it == keywords.end() ? nullptr : it->second;
}

namespace {

std::string keyword_names(std::span<const RacfKeywordSpec> specs) {
    std::string out;
    for (auto const& spec : specs) {
        if (!out.empty())
            out += ' ';
        out += spec.name;
    }
    return out;
}

std::string ambiguous_candidates(std::string_view written, std::span<const RacfKeywordSpec> specs) {
    std::string name = racf_upper(written);
    std::string out;
    for (auto const& spec : specs) {
        if (spec.name.substr(0, std::min(name.size(), spec.name.size())) == name &&
            spec.name.size() > name.size()) {
            if (!out.empty())
                out += ", ";
            out += spec.name;
        }
    }
    return out;
}

}  // namespace

Result<RacfOperands> split_racf_operands(RacfCommand const& command,
                                         std::span<const RacfOperand> operands,
                                         std::size_t positional_min, std::size_t positional_max,
                                         std::span<const RacfKeywordSpec> specs) {
    RacfOperands out;
    std::size_t i = 0;
    for (; i < operands.size() && out.positional.size() < positional_max; ++i) {
        auto const& op = operands[i];
        if (op.kind == RacfOperand::Kind::keyword)
            break;
        // A bare word that names a keyword ends the positionals once the minimum is met.
        if (out.positional.size() >= positional_min && op.kind == RacfOperand::Kind::word &&
            find_racf_keyword(op.text, specs) != nullptr) {
            break;
        }
        out.positional.push_back(&op);
    }
    if (out.positional.size() < positional_min) {
        RacfSourcePos at = i < operands.size() ? operands[i].pos : command.pos;
        return racf_error(command, at,
                          "expected " + std::to_string(positional_min) +
                              " positional operand(s) before the keywords, found " +
                              std::to_string(out.positional.size()));
    }
    for (; i < operands.size(); ++i) {
        auto const& op = operands[i];
        if (op.kind == RacfOperand::Kind::quoted || op.kind == RacfOperand::Kind::list) {
            return racf_error(
                command, op.pos,
                "unexpected operand; expected one of the keywords: " + keyword_names(specs));
        }
        auto const* spec = find_racf_keyword(op.text, specs);
        if (spec == nullptr) {
            auto candidates = ambiguous_candidates(op.text, specs);
            if (!candidates.empty()) {
                return racf_error(command, op.pos,
                                  "ambiguous keyword abbreviation '" + racf_upper(op.text) +
                                      "' (could be " + candidates + ")");
            }
            return racf_error(command, op.pos,
                              "unknown keyword '" + racf_upper(op.text) +
                                  "'; expected one of: " + keyword_names(specs));
        }
        bool has_parens = op.kind == RacfOperand::Kind::keyword;
        if (spec->args == RacfArgs::none && has_parens) {
            return racf_error(command, op.pos,
                              std::string(spec->name) + " takes no value in parentheses");
        }
        if (spec->args == RacfArgs::required && (!has_parens || op.args.empty())) {
            return racf_error(command, op.pos,
                              std::string(spec->name) + " needs a value in parentheses, e.g. " +
                                  std::string(spec->name) + "(...)");
        }
        out.keywords[spec->name] = &op;
    }
    return out;
}

Result<std::string> racf_single_value(RacfCommand const& command, RacfOperand const& keyword) {
    if (keyword.args.size() != 1 || !keyword.args[0].is_value()) {
        return racf_error(command, keyword.pos,
                          "expected exactly one value in " + keyword.text + "(...)");
    }
    return keyword.args[0].text;
}

Result<std::vector<std::string>> racf_values(RacfCommand const& command,
                                             RacfOperand const& operand) {
    std::vector<std::string> out;
    if (operand.is_value()) {
        out.push_back(operand.text);
        return out;
    }
    for (auto const& arg : operand.args) {
        if (!arg.is_value()) {
            return racf_error(command, arg.pos, "expected a name or value, found a nested list");
        }
        out.push_back(arg.text);
    }
    if (out.empty())
        return racf_error(command, operand.pos, "expected at least one value");
    return out;
}

// ---- Dispatch ----

void RacfCommandTable::add(std::string_view name, std::vector<std::string_view> const& aliases,
                           RacfCommandHandler handler) {
    std::string full = racf_upper(name);
    handlers_[full] = std::move(handler);
    for (auto alias : aliases)
        aliases_[racf_upper(alias)] = full;
}

RacfCommandHandler const* RacfCommandTable::find(std::string_view name) const {
    std::string upper = racf_upper(name);
    auto it = handlers_.find(upper);
    if (it != handlers_.end())
        return &it->second;
    auto alias = aliases_.find(upper);
    if (alias == aliases_.end())
        return nullptr;
    it = handlers_.find(alias->second);
    return it == handlers_.end() ? nullptr : &it->second;
}

std::vector<std::string> RacfCommandTable::names() const {
    std::vector<std::string> out;
    for (auto const& [name, handler] : handlers_)
        out.push_back(name);
    return out;
}

Result<void> apply_racf_command(RacfCommand const& command, RacfDatabase& racf,
                                RacfCommandTable const& table, std::vector<std::string>& messages) {
    auto const* handler = table.find(command.name);
    if (handler == nullptr) {
        return fail(Errc::parse_error,
                    command.where(command.pos) + ": unknown RACF command '" + command.name + "'");
    }
    RacfCommandContext context{racf, messages};
    return (*handler)(command, context);
}

Result<void> apply_racf_script(RacfScript const& script, RacfDatabase& racf,
                               RacfCommandTable const& table, std::vector<std::string>& messages) {
    for (auto const& command : script.commands) {
        auto result = apply_racf_command(command, racf, table, messages);
        if (!result)
            return result.error();
    }
    return {};
}

Result<void> run_racf_script(std::string_view text, std::string_view file_name, RacfDatabase& racf,
                             RacfCommandTable const& table, std::vector<std::string>& messages) {
    auto script = parse_racf_script(text, file_name);
    if (!script)
        return script.error();
    return apply_racf_script(*script, racf, table, messages);
}

}  // namespace nsslab::zos
