// The report model of a scenario run (DESIGN.md §2 "reports → base"): plain structs the
// harness fills and the writers (junit.hpp, json_summary.hpp, html_report.hpp) read. Nothing
// here depends on the simulation engine. Times are virtual nanoseconds since the run's start.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nsslab::reports {

struct ExpectationReport {
    std::string name;
    std::string where;  // "scenarios/x/scenario.toml:30:1"
    bool passed{false};
    std::string reason;
    std::int64_t time_ns{0};  // virtual time that decided it
};

// One arrow of the sequence diagram: a payload-carrying packet or a key trace event.
struct MessageArrow {
    std::int64_t time_ns{0};
    std::string from;  // system name
    std::string to;
    std::string label;  // "TCP 10.1.1.1:40000 → 10.1.1.2:7, 7 bytes"
    bool dropped{false};
};

// A fault or step on the timeline (partition, crash, operator command, ...).
struct TimelineMark {
    std::int64_t time_ns{0};
    std::string system;  // empty: network-wide
    std::string label;
    std::string kind;  // "fault", "step", "event"
};

struct ScenarioReport {
    std::string name;
    std::string description;
    std::string path;  // the scenario's folder or file
    std::uint64_t seed{0};
    bool passed{false};
    std::string failure;  // run-level failure (bound hit, process failed to start), or ""
    std::int64_t duration_ns{0};
    std::uint64_t events{0};
    std::uint64_t trace_lines{0};
    std::string trace_hash;  // 16 hex digits
    std::uint64_t packets{0};
    std::uint64_t packets_dropped{0};
    std::vector<std::string> systems;  // lifelines, in declaration order
    std::vector<ExpectationReport> expectations;
    std::vector<MessageArrow> arrows;  // at most a bound; see arrows_total
    std::uint64_t arrows_total{0};     // arrows seen, including those not kept
    std::vector<TimelineMark> marks;
    std::vector<std::pair<std::string, std::string>> files;  // (label, path)
    std::string reproduce;   // the command line that reproduces this run
    double wall_seconds{0};  // never used for pass/fail
};

struct RunReport {
    std::string title{"nsslab run"};
    std::vector<ScenarioReport> scenarios;
    std::size_t failed() const {
        std::size_t n = 0;
        for (auto const& s : scenarios)
            n += s.passed ? 0 : 1;
        return n;
    }
};

// "12.500000000s" style seconds for reports.
std::string format_virtual_time(std::int64_t ns);

}  // namespace nsslab::reports
