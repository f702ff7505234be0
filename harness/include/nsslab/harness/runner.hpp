// The scenario runner (DESIGN.md §4, §7; docs/scenarios.md): builds a simulation from a
// Scenario (systems → hosts with clocks, processes through the ProcessRegistry, links),
// schedules the timeline's steps, runs within the scenario's bounds, then judges the
// expectations against the trace. Each run writes trace.jsonl, capture.pcapng and
// tls-keys.log into its folder. Same scenario and seed → same trace hash and same bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/harness/expectations.hpp"
#include "nsslab/harness/scenario.hpp"
#include "nsslab/reports/run_report.hpp"

namespace nsslab::harness {

class ProcessRegistry;

struct RunOptions {
    std::filesystem::path out_dir;             // this run's folder; empty = write no files
    std::optional<std::uint64_t> seed;         // overrides the scenario's seed
    ProcessRegistry const* registry{nullptr};  // nullptr = ProcessRegistry::builtin()
    std::size_t max_arrows{500};               // sequence-diagram arrows kept for the report
    std::size_t max_trace_records{1'000'000};  // kept in memory for the expectations
    // Swarm runs: the liveness phase starts here (expectations with window = "liveness"),
    // and only these expectations are judged (empty = all).
    std::optional<Duration> liveness_start;
    std::vector<std::string> only_expectations;
    std::string reproduce;  // command line shown in reports; default "nsslab replay ..."
};

struct ScenarioResult {
    std::string name;
    std::uint64_t seed{0};
    bool passed{false};
    std::string failure;  // run-level: a bound was hit, a process type failed, ... ("" if none)
    std::vector<ExpectationResult> expectations;
    std::uint64_t trace_hash{0};
    std::uint64_t trace_lines{0};
    std::uint64_t events{0};
    std::uint64_t packets{0};
    std::uint64_t packets_dropped{0};
    Duration elapsed{0};  // virtual time run
    std::filesystem::path trace_path;
    std::filesystem::path capture_path;
    std::filesystem::path keylog_path;
    // Wireshark's ikev2_decryption_table (one line per IKE SA; written when an IKE SA exists).
    std::filesystem::path ike_keys_path;
    reports::ScenarioReport report;  // the same, as the report writers want it

    std::string trace_hash_hex() const;
    // Multi-line human summary: outcome, failing expectations with their times, files.
    std::string describe() const;
};

// Runs one scenario. An error means the run could not be set up at all (unwritable output
// folder); everything that goes wrong inside the scenario is a failed ScenarioResult.
Result<ScenarioResult> run_scenario(Scenario const& scenario, RunOptions const& options);

// A set of scenarios run one after the other, with the run's reports: out_dir/<scenario>/
// holds each run's files; out_dir/report.html, junit.xml and summary.json cover them all.
struct SuiteOptions {
    std::vector<std::filesystem::path> paths;  // scenario folders, .toml files or trees of them
    std::filesystem::path out_dir{"out/run"};
    std::optional<std::uint64_t> seed;  // overrides every scenario's seed
    ProcessRegistry const* registry{nullptr};
    std::string title{"nsslab run"};
    // Called before and after each scenario (index from 0).
    std::function<void(std::size_t index, std::size_t total, std::string const& name)> on_start;
    std::function<void(std::size_t index, std::size_t total, ScenarioResult const&)> on_done;
};

struct SuiteResult {
    reports::RunReport report;  // one entry per scenario, load failures included
    std::vector<std::string> load_errors;
    std::filesystem::path html_path;
    std::filesystem::path junit_path;
    std::filesystem::path json_path;
    bool passed() const { return report.failed() == 0 && !report.scenarios.empty(); }
};

// Runs every scenario found under `paths`; a scenario that does not load is a failed entry.
// An error means no report could be written.
Result<SuiteResult> run_suite(SuiteOptions const& options);

// Writes report.html, junit.xml and summary.json for `report` into `out_dir`.
Result<void> write_reports(reports::RunReport const& report, std::filesystem::path const& out_dir,
                           std::size_t max_arrows = 500);

// A progress display for the CLI: one line redrawn in place when `terminal` (stdout is a tty),
// otherwise one plain line per finished item.
class ProgressLine {
  public:
    ProgressLine(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}
    void update(std::size_t done, std::size_t total, std::string const& label, bool ok);
    void finish();  // ends the redrawn line

  private:
    std::ostream& out_;
    bool terminal_;
    bool drawn_{false};
    std::size_t failed_{0};
};

// A folder name for a scenario's run files: letters, digits, '-', '_' and '.' kept.
std::string safe_file_name(std::string_view name);

}  // namespace nsslab::harness
