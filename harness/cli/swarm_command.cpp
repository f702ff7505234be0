// `nsslab swarm <scenario> --seeds N [--shard i/n]`: random fault schedules drawn from each
// seed (docs/scenarios.md, "Swarm"); prints each failing seed with the command line that
// reproduces it. Exit status 1 when any seed fails.
#include <unistd.h>

#include <charconv>
#include <iostream>

#include "command.hpp"
#include "nsslab/harness/process_registry.hpp"
#include "nsslab/harness/runner.hpp"
#include "nsslab/harness/swarm.hpp"

namespace {

struct SwarmArgs {
    std::string path;
    std::uint64_t seeds{100};
    std::uint64_t first_seed{1};
    std::uint64_t seed{0};
    std::string shard{"0/1"};
    std::string out{"out/swarm"};
};

bool parse_shard(std::string const& text, unsigned& index, unsigned& count) {
    auto slash = text.find('/');
    if (slash == std::string::npos)
        return false;
    auto a = std::from_chars(text.data(), text.data() + slash, index);
    auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), count);
    return a.ec == std::errc{} && a.ptr == text.data() + slash && b.ec == std::errc{} &&
           b.ptr == text.data() + text.size() && count > 0 && index < count;
}

void add_swarm(CLI::App& app) {
    auto args = std::make_shared<SwarmArgs>();
    auto* cmd = app.add_subcommand(
        "swarm",
        "Run a scenario under random faults drawn from each seed (safety phase), then "
        "heal everything and check it converges (liveness phase)");
    cmd->add_option("scenario", args->path, "Scenario folder or scenario.toml")->required();
    cmd->add_option("--seeds", args->seeds, "How many seeds to run")->capture_default_str();
    cmd->add_option("--first-seed", args->first_seed, "The first seed")->capture_default_str();
    auto* one = cmd->add_option("--seed", args->seed, "Run only this seed (reproduces a failure)");
    cmd->add_option("--shard", args->shard,
                    "i/n: run only the seeds whose index modulo n is i (parallel CI jobs)")
        ->capture_default_str();
    cmd->add_option("--out", args->out, "Folder for the failing seeds' files and the report")
        ->capture_default_str();
    cmd->callback([args, one] {
        namespace h = nsslab::harness;
        auto scenario = h::load_scenario(args->path, &h::ProcessRegistry::builtin());
        if (!scenario) {
            std::cerr << scenario.error().message << "\n";
            throw CLI::RuntimeError(2);
        }
        h::SwarmOptions o;
        if (!parse_shard(args->shard, o.shard_index, o.shard_count)) {
            std::cerr << "nsslab swarm: --shard must be i/n with 0 <= i < n, e.g. 0/4\n";
            throw CLI::RuntimeError(2);
        }
        o.seeds = args->seeds;
        o.first_seed = args->first_seed;
        if (*one) {
            o.seeds = 1;
            o.first_seed = args->seed;
            o.shard_index = 0;
            o.shard_count = 1;
            o.keep_passing_files = true;  // a reproduction keeps its trace, capture and report
        }
        o.out_dir = args->out;
        o.command_path = args->path;
        h::ProgressLine progress(std::cout, ::isatty(STDOUT_FILENO) != 0);
        o.progress = [&](std::uint64_t done, std::uint64_t total, h::ScenarioResult const& r) {
            progress.update(done, total, "seed " + std::to_string(r.seed), r.passed);
        };
        auto results = h::run_swarm(*scenario, o);
        progress.finish();
        if (!results) {
            std::cerr << "nsslab swarm: " << results.error().what() << "\n";
            throw CLI::RuntimeError(2);
        }
        nsslab::reports::RunReport report;
        std::size_t failed = 0;
        for (auto const& r : *results) {
            if (*one)
                report.scenarios.push_back(r.result.report);
            if (*one && r.result.passed)
                std::cout << r.result.describe() << "  files: "
                          << (std::filesystem::path(args->out) / ("seed-" + std::to_string(r.seed)))
                                 .string()
                          << "\n";
            if (r.result.passed)
                continue;
            ++failed;
            std::cout << r.result.describe() << "  reproduce: " << r.reproduce << "\n";
            if (!*one)
                report.scenarios.push_back(r.result.report);
        }
        report.title = "nsslab swarm " + scenario->name + ": " + std::to_string(results->size()) +
                       " seeds, " + std::to_string(failed) + " failed";
        if (auto ok = h::write_reports(report, args->out); !ok) {
            std::cerr << "nsslab swarm: " << ok.error().what() << "\n";
            throw CLI::RuntimeError(2);
        }
        std::cout << results->size() - failed << " of " << results->size() << " seeds passed\n";
        if (failed || *one)
            std::cout << "report: " << (std::filesystem::path(args->out) / "report.html").string()
                      << "\n";
        if (failed)
            throw CLI::RuntimeError(1);
    });
}

}  // namespace

NSSLAB_COMMAND(22, "swarm", add_swarm);
