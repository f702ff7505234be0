// `nsslab replay <scenario> --seed N [--out DIR]`: one scenario, one seed, the same result
// every time; prints the outcome and where the trace, capture, key log and report are.
#include <iostream>

#include "command.hpp"
#include "nsslab/harness/process_registry.hpp"
#include "nsslab/harness/runner.hpp"
#include "nsslab/reports/run_report.hpp"

namespace {

struct ReplayArgs {
    std::string path;
    std::uint64_t seed{1};
    std::string out;
};

void add_replay(CLI::App& app) {
    auto args = std::make_shared<ReplayArgs>();
    auto* cmd = app.add_subcommand("replay",
                                   "Run one scenario with one seed and keep every file "
                                   "(trace, capture, TLS key log, report)");
    cmd->add_option("scenario", args->path, "Scenario folder or scenario.toml")->required();
    cmd->add_option("--seed", args->seed, "Seed of the run")->required();
    cmd->add_option("--out", args->out, "Output folder (default out/replay/<name>-seed-<N>)");
    cmd->callback([args] {
        namespace h = nsslab::harness;
        auto scenario = h::load_scenario(args->path, &h::ProcessRegistry::builtin());
        if (!scenario) {
            std::cerr << scenario.error().message << "\n";
            throw CLI::RuntimeError(2);
        }
        std::filesystem::path out =
            args->out.empty()
                ? std::filesystem::path("out/replay") /
                      (h::safe_file_name(scenario->name) + "-seed-" + std::to_string(args->seed))
                : std::filesystem::path(args->out);
        h::RunOptions o;
        o.out_dir = out;
        o.seed = args->seed;
        o.reproduce = "nsslab replay " + args->path + " --seed " + std::to_string(args->seed);
        auto result = h::run_scenario(*scenario, o);
        if (!result) {
            std::cerr << "nsslab replay: " << result.error().what() << "\n";
            throw CLI::RuntimeError(2);
        }
        nsslab::reports::RunReport report;
        report.title = "nsslab replay " + scenario->name + " --seed " + std::to_string(args->seed);
        report.scenarios.push_back(result->report);
        if (auto ok = h::write_reports(report, out); !ok) {
            std::cerr << "nsslab replay: " << ok.error().what() << "\n";
            throw CLI::RuntimeError(2);
        }
        std::cout << result->describe();
        for (auto const& e : result->expectations)
            if (e.passed)
                std::cout << "  ok: " << e.name << " (" << e.reason << ")\n";
        std::cout << "  trace:   " << result->trace_path.string() << "\n"
                  << "  capture: " << result->capture_path.string() << "\n"
                  << "  key log: " << result->keylog_path.string() << "\n"
                  << "  report:  " << (out / "report.html").string() << "\n";
        if (!result->passed)
            throw CLI::RuntimeError(1);
    });
}

}  // namespace

NSSLAB_COMMAND(21, "replay", add_replay);
