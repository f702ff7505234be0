// `nsslab list [paths...]`: the scenarios found (name, path, description) and the registered
// process types.
#include <iostream>

#include "command.hpp"
#include "nsslab/harness/process_registry.hpp"
#include "nsslab/harness/scenario.hpp"

namespace {

void add_list(CLI::App& app) {
    auto paths = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand("list",
                                   "List scenarios (default under scenarios/) and the "
                                   "registered process types");
    cmd->add_option("paths", *paths, "Folders to search (default: scenarios)");
    cmd->callback([paths] {
        namespace h = nsslab::harness;
        std::vector<std::string> roots = *paths;
        if (roots.empty())
            roots.emplace_back("scenarios");
        std::cout << "scenarios:\n";
        for (auto const& root : roots)
            for (auto const& p : h::find_scenarios(root)) {
                auto s = h::load_scenario(p);
                if (!s) {
                    std::cout << "  " << p.string() << "  (does not load; see nsslab validate)\n";
                    continue;
                }
                std::string first = s->description.substr(0, s->description.find('\n'));
                std::cout << "  " << s->name << "  " << p.string() << "\n";
                if (!first.empty())
                    std::cout << "      " << first << "\n";
            }
        std::cout << "process types:\n";
        for (auto const& [type, description] : h::ProcessRegistry::builtin().types())
            std::cout << "  " << type << "  " << description << "\n";
    });
}

}  // namespace

NSSLAB_COMMAND(23, "list", add_list);
