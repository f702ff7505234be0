// `nsslab validate [paths...]`: loads every scenario without running it and prints each
// problem with file:line:column and a hint. Exit status 1 when any scenario is invalid.
#include <iostream>

#include "command.hpp"
#include "nsslab/harness/process_registry.hpp"
#include "nsslab/harness/scenario.hpp"

namespace {

void add_validate(CLI::App& app) {
    auto paths = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand("validate",
                                   "Check scenarios (syntax, keys, names, durations, "
                                   "process types, config files) without running");
    cmd->add_option("paths", *paths, "Scenario folders, files or trees (default: scenarios)");
    cmd->callback([paths] {
        namespace h = nsslab::harness;
        std::vector<std::string> roots = *paths;
        if (roots.empty())
            roots.emplace_back("scenarios");
        std::size_t total = 0;
        std::size_t bad = 0;
        for (auto const& root : roots) {
            if (!std::filesystem::exists(root)) {
                std::cerr << root << ": no such file or folder\n";
                ++bad;
                continue;
            }
            for (auto const& p : h::find_scenarios(root)) {
                ++total;
                auto s = h::load_scenario(p, &h::ProcessRegistry::builtin());
                if (s) {
                    std::cout << "ok   " << p.string() << " (" << s->name << ")\n";
                } else {
                    ++bad;
                    std::cout << "FAIL " << p.string() << "\n";
                    std::cerr << s.error().message << "\n";
                }
            }
        }
        std::cout << total - std::min(total, bad) << " of " << total << " scenarios valid\n";
        if (bad || total == 0)
            throw CLI::RuntimeError(1);
    });
}

}  // namespace

NSSLAB_COMMAND(24, "validate", add_validate);
