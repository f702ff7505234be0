// Declarative expectations over a run's trace (DESIGN.md §7: "each asserts outcomes, not just
// ran"; STYLE.md: "Scenarios are data, not code"). An expectation selects trace records by
// event name, node, time window and field matchers, then checks how many matched: at least
// once (default), never, exactly `count`, or between `min` and `max`. Operator command output
// is matched the same way: it is in the trace as "operator.output" records (docs/scenarios.md).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/base/trace.hpp"

namespace nsslab::harness {

// Where something was written: "scenarios/x/scenario.toml:12:3".
struct SourceLocation {
    std::string file;
    int line{0};
    int column{0};
    std::string to_string() const;
};

enum class MatchKind : std::uint8_t { equals, contains, regex };
std::string_view to_string(MatchKind kind);

// One condition on an event detail: `details.key == value`, contains it, or matches a regex
// (ECMAScript, searched anywhere in the text). The detail is compared as text: strings as is,
// numbers in decimal, booleans as true/false.
struct FieldMatcher {
    std::string key;
    MatchKind kind{MatchKind::equals};
    std::string value;
};

struct ExpectSpec {
    std::string name;  // shown in reports; defaults to a description of the predicate
    SourceLocation where;
    std::string event;  // trace event name, e.g. "tcp.established", "operator.output"
    std::string node;   // system name; empty = any
    std::vector<FieldMatcher> matchers;
    std::optional<Duration> after;   // only records at or after this time since the start
    std::optional<Duration> before;  // only records at or before this time
    bool liveness_window{false};     // `window = "liveness"`: only the swarm's liveness phase
    // Counting: never, or count, or min/max; none of them = at least once.
    bool never{false};
    std::optional<std::uint64_t> count;
    std::optional<std::uint64_t> min;
    std::optional<std::uint64_t> max;

    // "tcp.established on SYSTEMA with peer contains '10.1' at least once between 1s and 5s"
    std::string describe() const;
};

struct ExpectationResult {
    std::string name;
    SourceLocation where;
    bool passed{false};
    std::string reason;  // why it passed or failed, with the count found
    Duration time{0};    // virtual time (since the start) that decided it
    std::uint64_t matched{0};
};

struct EvaluationWindow {
    TimePoint origin;                        // virtual time 0 of the run
    std::optional<Duration> liveness_start;  // set by swarm runs
    Duration end{0};                         // how long the run lasted
};

// Judges one expectation against a complete trace (records in time order).
ExpectationResult evaluate(ExpectSpec const& spec, std::span<TraceRecord const> records,
                           EvaluationWindow const& window);

// Validates a regex matcher (for the loader): an error names the problem.
Result<void> check_matcher(FieldMatcher const& matcher);

}  // namespace nsslab::harness
