// Subcommand registration for the `nsslab` tool (CLI11).
//
// Each subcommand lives in its own file under harness/cli/ and registers itself with
// NSSLAB_COMMAND(order, function): `function(CLI::App& app)` adds the subcommand and its
// callback. The files are compiled into the executable itself, so the registrations run.
// A callback reports failure by throwing CLI::RuntimeError(exit_code) after printing why.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace nsslab::cli {

using CommandAdder = std::function<void(CLI::App&)>;

struct CommandRegistration {
    CommandRegistration(int order, char const* name, CommandAdder adder);
};

// Adds every registered subcommand to `app`, in `order` then name order.
void add_registered_commands(CLI::App& app);

}  // namespace nsslab::cli

#define NSSLAB_CONCAT_INNER(a, b) a##b
#define NSSLAB_CONCAT(a, b) NSSLAB_CONCAT_INNER(a, b)
#define NSSLAB_COMMAND(order, name, adder)                                                \
    static ::nsslab::cli::CommandRegistration NSSLAB_CONCAT(nsslab_command_registration_, \
                                                            __LINE__)(order, name, adder)
