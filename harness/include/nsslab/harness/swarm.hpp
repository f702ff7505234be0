// Swarm testing (DESIGN.md §4, FoundationDB/TigerBeetle style; docs/scenarios.md "Swarm"):
// each seed draws a random fault schedule (partitions, lossy links, clogs, crashes and pauses
// of non-essential systems) for the scenario's safety phase; at its end every fault is healed
// and the liveness phase checks that the system converges. A failing seed is reported with
// the one command line that reproduces it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/harness/runner.hpp"
#include "nsslab/harness/scenario.hpp"

namespace nsslab::harness {

struct SwarmOptions {
    std::uint64_t first_seed{1};
    std::uint64_t seeds{100};  // seeds first_seed .. first_seed + seeds - 1
    unsigned shard_index{0};   // this process runs the seeds whose index % shard_count == index
    unsigned shard_count{1};
    std::filesystem::path out_dir;  // per seed: out_dir/seed-<n>/ (failing seeds keep files)
    ProcessRegistry const* registry{nullptr};
    bool keep_passing_files{false};  // also keep the files of seeds that passed
    std::string command_path;        // the scenario path as the user typed it, for reproduce lines
    std::function<void(std::uint64_t done, std::uint64_t total, ScenarioResult const&)> progress;
};

struct SwarmSeedResult {
    std::uint64_t seed{0};
    ScenarioResult result;
    std::string reproduce;  // "nsslab swarm scenarios/x --seed 17"
};

// The scenario as a swarm run with `seed` sees it: its own steps, the drawn faults in the
// safety phase, heal-all and restored links at the end of safety, duration = safety + liveness.
Scenario swarm_scenario(Scenario const& base, std::uint64_t seed);

// Runs this shard's seeds; results in seed order.
Result<std::vector<SwarmSeedResult>> run_swarm(Scenario const& scenario,
                                               SwarmOptions const& options);

}  // namespace nsslab::harness
