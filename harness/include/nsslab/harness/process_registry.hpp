// The process-type registry (docs/scenarios.md, "Process types"): a scenario's system declares
// processes by type ("nssd", "iked", "selftest-echo-server", ...) with their IBM-syntax
// configuration files; the registry maps each type name to a factory that reads those files
// and returns the engine's AppFactory for the process. The daemon layers register "nssd" and
// "iked" in register_builtin_process_types(); the harness self-test types are registered there
// too. An unknown type is a load error that lists the registered types.
//
// Operator commands ("ipsec -f default", "MODIFY IKED,REFRESH", RACF commands at run time)
// reach a process through the Operable interface, which its Application may implement.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/engine/host.hpp"

namespace nsslab::crypto {
class LibContext;
}

namespace nsslab::harness {

// What a process factory gets to build its application.
struct ProcessContext {
    std::filesystem::path scenario_folder;  // the scenario's folder (config paths are inside)
    std::string system_name;                // "SYSTEMA": also the host name in traces
    std::string process_name;               // "IKED", "NSSD": unique on the system
    std::string type;                       // the registered type name
    std::vector<std::filesystem::path> config_files;  // absolute or relative to the cwd; exist
    std::map<std::string, std::string> args;          // `args = { ... }`, values as text
    engine::Host* host{nullptr};                      // lives as long as the run
    std::uint64_t seed{0};                            // the run's seed
    crypto::LibContext* lib{nullptr};                 // the host's deterministic OpenSSL context
};

// Builds the application factory of one process, or fails with a reason (bad config file,
// missing argument). The returned AppFactory is called at every (re)start of the process and
// must own what it captures: it outlives the ProcessContext.
using ProcessFactory = std::function<Result<engine::AppFactory>(ProcessContext const&)>;

class ProcessRegistry {
  public:
    // Errc::already_exists if the type is registered.
    Result<void> add(std::string type, std::string description, ProcessFactory factory);
    ProcessFactory const* find(std::string_view type) const;
    bool contains(std::string_view type) const { return find(type) != nullptr; }
    // Registered types with their one-line descriptions, sorted by name.
    std::vector<std::pair<std::string, std::string>> types() const;
    // "unknown process type 'nsd' (did you mean 'nssd'?); registered types: a, b"
    std::string unknown_type_message(std::string_view type) const;

    // The registry the CLI uses: every built-in type registered.
    static ProcessRegistry const& builtin();

  private:
    struct Entry {
        std::string description;
        ProcessFactory factory;
    };
    std::map<std::string, Entry, std::less<>> entries_;
};

// Registers every process type this build knows: the harness self-test types
// (selftest-echo-server, selftest-echo-client) and, when their layers exist, the daemons.
void register_builtin_process_types(ProcessRegistry& registry);
// The z/OS daemons: "nssd" and "iked" (harness/src/daemon_process_types.cpp).
void register_daemon_process_types(ProcessRegistry& registry);
// The harness self-test types only (docs/scenarios.md, "Self-test process types").
void register_selftest_process_types(ProcessRegistry& registry);
// "tcp-probe": a plain TCP client sending given bytes (harness/src/process_registry_probe.cpp).
void register_probe_process_types(ProcessRegistry& registry);

// The result of one operator command: whether the process accepted it and the lines it
// printed (console messages such as "EZD1136I ..." or display output).
struct OperatorResult {
    bool ok{true};
    std::vector<std::string> lines;
};

// Implemented by an Application that accepts operator commands. The runner calls it from the
// simulation loop (never from inside a Runtime call), with the host's local clock; the
// application may send, set deadlines and emit events as in any callback. The runner traces
// "operator.command", one "operator.output" per line and "operator.result".
class Operable {
  public:
    virtual ~Operable() = default;
    virtual OperatorResult operator_command(std::string_view command, TimePoint now) = 0;
};

// Edit distance, for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within a small distance, or "".
std::string closest(std::string_view word, std::vector<std::string> const& candidates);

}  // namespace nsslab::harness
