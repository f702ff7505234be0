// `nsslab bench <what>`: user-facing benchmarks that print their figures (docs/benchmarks.md).
// This file only adds the parent command; each benchmark is a subcommand in its own file that
// registers with a higher order and attaches itself with app.get_subcommand("bench").
#include "command.hpp"

namespace {

void add_bench(CLI::App& app) {
    auto* cmd = app.add_subcommand("bench",
                                   "Benchmarks that print figures and ratios against a "
                                   "baseline measured in the same run");
    cmd->require_subcommand(1);
}

}  // namespace

NSSLAB_COMMAND(70, "bench", add_bench);
