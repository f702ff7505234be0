// `nsslab run [paths...] [--out DIR] [--seed N]`: runs scenarios and writes the reports
// (docs/scenarios.md). Exit status 0 when every expectation holds, 1 when any fails, 2 when
// nothing could be run.
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "command.hpp"
#include "nsslab/harness/runner.hpp"

namespace {

struct RunArgs {
    std::vector<std::string> paths;
    std::string out{"out/run"};
    std::uint64_t seed{0};
};

void add_run(CLI::App& app) {
    auto args = std::make_shared<RunArgs>();
    auto* cmd = app.add_subcommand(
        "run",
        "Run scenarios (folders, scenario.toml files or trees of them; default scenarios/) "
        "and write report.html, junit.xml and summary.json");
    cmd->add_option("paths", args->paths, "Scenario folders or files (default: scenarios)");
    cmd->add_option("--out", args->out, "Folder for the reports and each run's files")
        ->capture_default_str();
    auto* seed = cmd->add_option("--seed", args->seed,
                                 "Seed for every scenario (default: each "
                                 "scenario's own seed)");
    cmd->callback([args, seed] {
        nsslab::harness::SuiteOptions o;
        for (auto const& p : args->paths)
            o.paths.emplace_back(p);
        if (o.paths.empty())
            o.paths.emplace_back("scenarios");
        o.out_dir = args->out;
        if (*seed)
            o.seed = args->seed;
        nsslab::harness::ProgressLine progress(std::cout, ::isatty(STDOUT_FILENO) != 0);
        std::vector<std::string> failures;
        o.on_done = [&](std::size_t i, std::size_t n, nsslab::harness::ScenarioResult const& r) {
            progress.update(i + 1, n, r.name, r.passed);
            if (!r.passed)
                failures.push_back(r.describe());
        };
        auto suite = nsslab::harness::run_suite(o);
        progress.finish();
        if (!suite) {
            std::cerr << "nsslab run: " << suite.error().what() << "\n";
            throw CLI::RuntimeError(2);
        }
        for (auto const& f : failures)
            std::cout << f;
        for (auto const& e : suite->load_errors)
            if (std::find_if(failures.begin(), failures.end(), [&](std::string const& f) {
                    return f.find(e) != std::string::npos;
                }) == failures.end())
                std::cerr << e << "\n";
        auto const& rep = suite->report;
        std::cout << rep.scenarios.size() - rep.failed() << " of " << rep.scenarios.size()
                  << " scenarios passed\n"
                  << "report: " << suite->html_path.string() << "\n"
                  << "junit:  " << suite->junit_path.string() << "\n";
        if (rep.scenarios.empty()) {
            std::cerr << "nsslab run: no scenario found (a scenario is a folder with a "
                         "scenario.toml)\n";
            throw CLI::RuntimeError(2);
        }
        if (!suite->passed())
            throw CLI::RuntimeError(1);
    });
}

}  // namespace

NSSLAB_COMMAND(20, "run", add_run);
