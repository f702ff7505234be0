#include "nsslab/harness/expectations.hpp"

#include "nsslab/base/std_regex.hpp"
#include "nsslab/harness/scenario.hpp"

namespace nsslab::harness {
namespace {

bool matches(FieldMatcher const& m, Event const& event, std::regex const* re) {
    if (!event.find(m.key))
        return false;
    std::string text = event.text(m.key);
    switch (m.kind) {
        case MatchKind::equals:
            return text == m.value;
        case MatchKind::contains:
            return text.find(m.value) != std::string::npos;
        case MatchKind::regex:
            return re && std::regex_search(text, *re);
    }
    return false;
}

std::string plural(std::uint64_t n) {
    return std::to_string(n) + (n == 1 ? " match" : " matches");
}

}  // namespace

std::string_view to_string(MatchKind kind) {
    switch (kind) {
        case MatchKind::equals:
            return "==";
        case MatchKind::contains:
            return "contains";
        case MatchKind::regex:
            return "matches";
    }
    return "?";
}

Result<void> check_matcher(FieldMatcher const& m) {
    if (m.kind != MatchKind::regex)
        return {};
    try {
        std::regex re(m.value, std::regex::ECMAScript);
        (void)re;
    } catch (std::regex_error const& e) {
        return fail(Errc::parse_error, "bad regex '" + m.value + "': " + e.what());
    }
    return {};
}

std::string ExpectSpec::describe() const {
    std::string s = event;
    if (!node.empty())
        s += " on " + node;
    for (std::size_t i = 0; i < matchers.size(); ++i) {
        auto const& m = matchers[i];
        s += (i == 0 ? " with " : " and ") + m.key + " " + std::string(to_string(m.kind)) + " '" +
             m.value + "'";
    }
    if (never)
        s += " never";
    else if (count)
        s += " exactly " + std::to_string(*count) + " times";
    else if (min && max)
        s += " " + std::to_string(*min) + " to " + std::to_string(*max) + " times";
    else if (min)
        s += " at least " + std::to_string(*min) + " times";
    else if (max)
        s += " at most " + std::to_string(*max) + " times";
    else
        s += " at least once";
    if (liveness_window)
        s += " in the liveness phase";
    if (after)
        s += " after " + format_duration(*after);
    if (before)
        s += " before " + format_duration(*before);
    return s;
}

ExpectationResult evaluate(ExpectSpec const& spec, std::span<TraceRecord const> records,
                           EvaluationWindow const& window) {
    ExpectationResult r;
    r.name = spec.name;
    r.where = spec.where;
    std::vector<std::optional<std::regex>> regexes;
    for (auto const& m : spec.matchers) {
        if (m.kind == MatchKind::regex) {
            try {
                regexes.emplace_back(std::regex(m.value, std::regex::ECMAScript));
            } catch (std::regex_error const&) {
                regexes.emplace_back(std::nullopt);
            }
        } else {
            regexes.emplace_back(std::nullopt);
        }
    }
    Duration lo = spec.after.value_or(Duration::min());
    Duration hi = spec.before.value_or(Duration::max());
    if (spec.liveness_window && window.liveness_start)
        lo = std::max(lo, *window.liveness_start);

    std::optional<Duration> first;
    std::optional<Duration> last;
    std::optional<Duration> at_limit;  // time of the match that broke a max/never
    std::uint64_t limit = spec.never ? 0 : spec.count ? *spec.count : spec.max.value_or(UINT64_MAX);
    for (auto const& rec : records) {
        if (rec.event.name != spec.event)
            continue;
        if (!spec.node.empty() && rec.node != spec.node)
            continue;
        Duration t = rec.time - window.origin;
        if (t < lo || t > hi)
            continue;
        bool ok = true;
        for (std::size_t i = 0; i < spec.matchers.size() && ok; ++i)
            ok = matches(spec.matchers[i], rec.event, regexes[i] ? &*regexes[i] : nullptr);
        if (!ok)
            continue;
        ++r.matched;
        if (!first)
            first = t;
        last = t;
        if (r.matched == limit + 1)
            at_limit = t;
    }
    Duration window_end = std::min(hi, window.end);
    std::string found = "found " + plural(r.matched);
    if (spec.never) {
        r.passed = r.matched == 0;
        r.time = r.passed ? window_end : *first;
        r.reason =
            r.passed ? "no match" : "happened at " + format_duration(*first) + " (" + found + ")";
    } else if (spec.count) {
        r.passed = r.matched == *spec.count;
        r.time = at_limit ? *at_limit : r.passed ? last.value_or(window_end) : window_end;
        r.reason = "expected exactly " + std::to_string(*spec.count) + ", " + found;
    } else if (spec.min || spec.max) {
        std::uint64_t mn = spec.min.value_or(0);
        std::uint64_t mx = spec.max.value_or(UINT64_MAX);
        r.passed = r.matched >= mn && r.matched <= mx;
        r.time = at_limit ? *at_limit : r.passed ? last.value_or(window_end) : window_end;
        r.reason = "expected " +
                   (spec.max ? std::to_string(mn) + " to " + std::to_string(mx)
                             : "at least " + std::to_string(mn)) +
                   ", " + found;
    } else {
        r.passed = r.matched > 0;
        r.time = first.value_or(window_end);
        r.reason = r.passed ? "first at " + format_duration(*first) + " (" + found + ")"
                            : "never happened (" + found + ")";
    }
    if (!r.passed && !spec.never && r.matched == 0) {
        // Say whether the event happened at all, outside the filters: a common mistake.
        std::uint64_t any = 0;
        for (auto const& rec : records)
            any += rec.event.name == spec.event ? 1u : 0u;
        if (any > 0 && (spec.after || spec.before || !spec.node.empty() || !spec.matchers.empty() ||
                        spec.liveness_window))
            r.reason += "; '" + spec.event + "' occurred " + std::to_string(any) +
                        " times without the node/time/detail filters";
    }
    if (spec.after || spec.before || spec.liveness_window)
        r.reason += " in [" + (lo == Duration::min() ? std::string("0s") : format_duration(lo)) +
                    ", " + format_duration(window_end) + "]";
    return r;
}

}  // namespace nsslab::harness
