// Value readers shared by the configuration parsers; see config_lexer_detail.hpp.
#include "config_lexer_detail.hpp"

#include <algorithm>
#include <vector>

namespace nsslab::zos::detail {

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
    if (text.empty() || text.size() > 19)
        return std::nullopt;
    std::uint64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

bool check_values(ConfigParam const& p, std::size_t min, std::size_t max, std::string_view usage,
                  DiagnosticSink& sink) {
    std::string expected = "'" + std::string(usage) + "'";
    if (p.has_block) {
        sink.error(p.keyword.where, "'" + p.keyword.text + "' does not take a '{' block", expected);
        return false;
    }
    if (p.values.size() < min) {
        sink.error(p.keyword.where, "'" + p.keyword.text + "' is missing its value", expected);
        return false;
    }
    if (p.values.size() > max) {
        sink.error(
            p.values[max].where,
            "unexpected extra value '" + p.values[max].text + "' for '" + p.keyword.text + "'",
            expected);
        return false;
    }
    return true;
}

std::optional<std::uint32_t> read_uint(Token const& t, std::string_view param, std::uint32_t lo,
                                       std::uint32_t hi, DiagnosticSink& sink) {
    std::string expected = "an integer " + std::to_string(lo) + "-" + std::to_string(hi);
    auto v = parse_decimal(t.text);
    if (!v) {
        sink.error(t.where, std::string(param) + " value '" + t.text + "' is not a number",
                   expected);
        return std::nullopt;
    }
    if (*v < lo || *v > hi) {
        sink.error(t.where, std::string(param) + " value " + t.text + " is out of range", expected);
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(*v);
}

std::string join_choices(std::initializer_list<std::string_view> choices) {
    std::string out;
    for (auto c : choices) {
        if (!out.empty())
            out += '|';
        out += c;
    }
    return out;
}

std::optional<std::size_t> read_choice(Token const& t, std::string_view param,
                                       std::initializer_list<std::string_view> choices,
                                       DiagnosticSink& sink) {
    std::size_t i = 0;
    for (auto c : choices) {
        if (iequals(t.text, c))
            return i;
        ++i;
    }
    sink.error(t.where, "'" + t.text + "' is not a valid " + std::string(param) + " value",
               join_choices(choices));
    return std::nullopt;
}

std::optional<bool> read_yes_no(Token const& t, std::string_view param, DiagnosticSink& sink) {
    auto i = read_choice(t, param, {"Yes", "No"}, sink);
    if (!i)
        return std::nullopt;
    return *i == 0;
}

std::optional<std::string> read_name(Token const& t, std::string_view param, std::size_t max_len,
                                     DiagnosticSink& sink) {
    std::string expected = "1-" + std::to_string(max_len) + " characters without blanks";
    if (t.text.empty() || t.text.size() > max_len) {
        sink.error(t.where,
                   std::string(param) + " value '" + t.text + "' has " +
                       std::to_string(t.text.size()) + " characters",
                   expected);
        return std::nullopt;
    }
    if (t.text.find_first_of(" \t") != std::string::npos) {
        sink.error(t.where, std::string(param) + " value '" + t.text + "' contains a blank",
                   expected);
        return std::nullopt;
    }
    return t.text;
}

std::optional<std::string> read_policy_name(Token const& t, std::string_view param,
                                            DiagnosticSink& sink) {
    auto name = read_name(t, param, 32, sink);
    if (name && (name->front() == '-' || name->find(',') != std::string::npos)) {
        sink.error(t.where, "name '" + *name + "' starts with '-' or contains ','",
                   "1-32 characters, not starting with '-', no ','");
        return std::nullopt;
    }
    return name;
}

std::optional<std::string> policy_statement_name(ConfigStatement const& st, std::string_view param,
                                                 DiagnosticSink& sink) {
    if (st.args.size() != 1) {
        sink.error(st.args.empty() ? st.block_begin : st.args[1].where,
                   st.keyword.text + " needs exactly one name", st.keyword.text + " name {");
        return std::nullopt;
    }
    return read_policy_name(st.args[0], param, sink);
}

std::optional<std::string> read_label(Token const& t, std::string_view param,
                                      DiagnosticSink& sink) {
    if (t.text.empty() || t.text.size() > 32) {
        sink.error(t.where,
                   std::string(param) + " label '" + t.text + "' has " +
                       std::to_string(t.text.size()) + " characters",
                   "1-32 characters");
        return std::nullopt;
    }
    return t.text;
}

std::optional<KeyRingName> read_key_ring(Token const& t, std::string_view param,
                                         bool allow_no_key_ring, bool& no_key_ring,
                                         DiagnosticSink& sink) {
    no_key_ring = false;
    std::string const expected = allow_no_key_ring ? "userid/ringname, ringname or NoKeyRing"
                                                   : "userid/ringname or ringname";
    if (allow_no_key_ring && iequals(t.text, "NoKeyRing")) {
        no_key_ring = true;
        return std::nullopt;
    }
    KeyRingName k;
    auto slash = t.text.find('/');
    if (slash == std::string::npos) {
        k.ring_name = t.text;
    } else {
        k.user_id = t.text.substr(0, slash);
        k.ring_name = t.text.substr(slash + 1);
        if (k.user_id.empty() || k.user_id.size() > 8) {
            sink.error(t.where,
                       std::string(param) + " user ID '" + k.user_id + "' must have 1-8 characters",
                       expected);
            return std::nullopt;
        }
    }
    if (k.ring_name.empty() || k.ring_name.size() > 237 ||
        k.ring_name.find_first_of(" /") != std::string::npos) {
        sink.error(t.where, std::string(param) + " ring name '" + k.ring_name + "' is not valid",
                   expected + " (ring name 1-237 characters, no blanks or '/')");
        return std::nullopt;
    }
    return k;
}

std::string_view closest_match(std::string_view word, std::span<std::string_view const> known) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (word.size() > 64)
        return {};
    std::size_t const limit = std::max<std::size_t>(2, word.size() / 3);
    std::string_view best;
    std::size_t best_distance = limit + 1;
    std::vector<std::size_t> row(65);
    for (auto candidate : known) {
        if (candidate.size() > 64)
            continue;
        // Levenshtein distance, one row at a time.
        for (std::size_t j = 0; j <= candidate.size(); ++j)
            row[j] = j;
        for (std::size_t i = 1; i <= word.size(); ++i) {
            std::size_t diagonal = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= candidate.size(); ++j) {
                std::size_t up = row[j];
                std::size_t cost = lower(word[i - 1]) == lower(candidate[j - 1]) ? 0 : 1;
                row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
                diagonal = up;
            }
        }
        if (row[candidate.size()] < best_distance && row[candidate.size()] < word.size()) {
            best_distance = row[candidate.size()];
            best = candidate;
        }
    }
    return best;
}

}  // namespace nsslab::zos::detail
