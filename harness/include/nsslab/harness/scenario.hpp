// The scenario model and its TOML loader (DESIGN.md §4, §7; docs/scenarios.md). A scenario is
// a folder: README.md (what it shows), scenario.toml (systems, processes, links, a timeline of
// steps, expectations) and the hosts' IBM-syntax configuration files. Scenarios are data, not
// code (STYLE.md): behaviour is named by process type and checked by declarative expectations.
//
// Loading reports every mistake with file:line:column and, for misspelt keys and names, a
// "did you mean" hint.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/engine/network.hpp"
#include "nsslab/harness/expectations.hpp"

namespace nsslab::harness {

class ProcessRegistry;

struct ProcessSpec {
    SourceLocation where;
    std::string type;  // registered process type
    std::string name;  // unique on the system; default: the type in upper case
    std::vector<std::filesystem::path> config_files;  // resolved against the scenario folder
    std::map<std::string, std::string> args;
    bool start{true};  // started at time 0; otherwise by a `start` step
};

struct SystemSpec {
    SourceLocation where;
    std::string name;
    std::vector<IpAddress> addresses;
    Duration clock_offset{0};
    double drift_ppm{0};
    bool essential{false};  // swarm never crashes an essential system
    std::vector<ProcessSpec> processes;
};

struct LinkSpec {
    SourceLocation where;
    std::string from;
    std::string to;
    bool both_ways{true};
    engine::LinkParams params;
};

enum class Action : std::uint8_t {
    start,             // system [process]: start processes that are not running
    stop,              // system [process]: orderly stop
    crash,             // system [silent]
    restart,           // system
    pause,             // system
    resume,            // system
    partition,         // from to [one_way]
    heal,              // from to
    heal_all,          //
    clog,              // from to duration
    link,              // from to [both_ways] + link properties
    clock_jump,        // system by
    clock,             // system offset [drift_ppm]
    operator_command,  // system process command ("operator" in TOML)
};
std::string_view to_string(Action action);
std::vector<std::string> action_names();

struct Step {
    SourceLocation where;
    Duration at{0};
    Action action{Action::heal_all};
    std::string system;
    std::string process;
    std::string from;
    std::string to;
    bool one_way{false};
    bool both_ways{true};
    bool silent{false};
    Duration duration{0};  // clog
    Duration by{0};        // clock_jump
    Duration offset{0};    // clock
    double drift_ppm{0};   // clock
    std::string command;   // operator
    // action = "link": only the properties given replace the link's current ones.
    std::optional<engine::DelayDistribution> delay;
    std::optional<double> loss;
    std::optional<double> duplicate;
    std::optional<double> reorder;
    std::optional<std::uint32_t> mtu;
    std::optional<std::uint64_t> rate_bps;

    std::string describe() const;  // "partition SYSTEMA <-> SYSTEMB"
};

struct SwarmSpec {
    Duration safety{std::chrono::seconds(30)};    // faults on
    Duration liveness{std::chrono::seconds(30)};  // faults healed; must converge
    int faults{4};                                // random faults drawn per seed
    std::vector<std::string> expect;              // names of expectations checked; empty = all
};

struct Scenario {
    std::filesystem::path folder;
    std::filesystem::path file;  // scenario.toml
    std::string name;
    std::string description;
    std::uint64_t seed{1};
    Duration duration{std::chrono::seconds(60)};  // virtual time the run lasts
    std::uint64_t max_events{20'000'000};
    std::optional<TimePoint> start_time;  // default: engine::default_start_time
    std::vector<SystemSpec> systems;
    std::vector<LinkSpec> links;
    std::vector<Step> steps;  // sorted by time (stable)
    std::vector<ExpectSpec> expectations;
    SwarmSpec swarm;

    SystemSpec const* find_system(std::string_view name) const;
};

// "500ms", "12s", "2m", "1h", "250us", "100ns", "1.5s", "-5m". Errors say what is accepted.
Result<Duration> parse_duration(std::string_view text);
std::string format_duration(Duration d);  // "1.5s", "500ms", "0s"
// "5ms" (fixed), "uniform(1ms, 5ms)", "normal(5ms, 1ms)", "exponential(1ms, 4ms)".
Result<engine::DelayDistribution> parse_delay(std::string_view text);

// Loads a scenario from a folder (its scenario.toml) or a .toml file. Errors list every problem
// found, one per line, each "file:line:column: what (hint)". When `registry` is given,
// process types are checked against it.
Result<Scenario> load_scenario(std::filesystem::path const& path,
                               ProcessRegistry const* registry = nullptr);
// Same from text (tests); `file` names it in messages, `folder` resolves config files.
Result<Scenario> parse_scenario(std::string_view text, std::filesystem::path const& file,
                                std::filesystem::path const& folder,
                                ProcessRegistry const* registry = nullptr);

// Copies the link properties a [[link]] table or a `link` step sets (delay, loss, duplicate,
// reorder, mtu, rate_bps) onto `params`, leaving the others as they are.
void apply_link_properties(Step const& props, engine::LinkParams& params);

// Every scenario under `root` (folders holding a scenario.toml), sorted by path. A path that
// is itself a scenario folder or a .toml file is returned as is.
std::vector<std::filesystem::path> find_scenarios(std::filesystem::path const& root);

}  // namespace nsslab::harness
