// The nsslab command-line tool: `nsslab <command> [options]`. See docs/cli.md.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "command.hpp"

namespace nsslab::cli {
namespace {

struct Entry {
    int order;
    std::string name;
    CommandAdder adder;
};

std::vector<Entry>& registry() {
    static std::vector<Entry> entries;
    return entries;
}

}  // namespace

CommandRegistration::CommandRegistration(int order, char const* name, CommandAdder adder) {
    registry().push_back(Entry{order, name, std::move(adder)});
}

void add_registered_commands(CLI::App& app) {
    auto& entries = registry();
    std::sort(entries.begin(), entries.end(), [](Entry const& a, Entry const& b) {
        return a.order != b.order ? a.order < b.order : a.name < b.name;
    });
    for (auto& e : entries)
        e.adder(app);
}

}  // namespace nsslab::cli

int main(int argc, char** argv) {
    CLI::App app{"nsslab: z/OS IKED / NSS protocol simulator and conformance harness"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "nsslab 0.1.0");
    nsslab::cli::add_registered_commands(app);
    try {
        app.parse(argc, argv);
    } catch (CLI::ParseError const& e) {
        return app.exit(e);
    }
    return 0;
}
