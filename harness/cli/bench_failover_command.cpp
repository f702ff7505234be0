// `nsslab bench failover --stacks N [--seed S]`: N simulated stacks fail over from a crashed
// primary NSS server to the backup (bench/tools: nsslab/bench/failover.hpp, docs/benchmarks.md
// "bench failover"). Exit status 1 when not every stack registered with the backup.
#include <iostream>
#include <memory>
#include <string>
#include <tuple>

#include "command.hpp"
#include "nsslab/bench/failover.hpp"
#include "nsslab/harness/scenario.hpp"

namespace {

void add_bench_failover(CLI::App& app) {
    auto* bench = app.get_subcommand("bench");
    auto* cmd = bench->add_subcommand(
        "failover",
        "Simulated stacks (one IKED per z/OS system, up to 8 stacks each) register with a primary "
        "NSS server over AT-TLS, the primary crashes, all fail over to the backup; prints wall "
        "time, peak memory and events");
    auto options = std::make_shared<nsslab::bench::BenchFailoverOptions>();
    cmd->add_option("--stacks", options->stacks, "Number of simulated TCP/IP stacks (NSS clients)")
        ->check(CLI::Range(1u, 1'000'000u))
        ->capture_default_str();
    cmd->add_option("--seed", options->seed, "Seed of the run (same seed, same virtual figures)")
        ->capture_default_str();
    cmd->add_option("--stacks-per-system", options->stacks_per_system,
                    "TCP/IP stacks per z/OS system, each system running one IKED")
        ->check(CLI::Range(1u, 8u))
        ->capture_default_str();
    auto handshake = std::make_shared<std::string>("0s");
    auto registration = std::make_shared<std::string>("0s");
    cmd->add_option("--server-handshake-time", *handshake,
                    "Simulated CPU time an NSS server spends per TLS handshake (\"800us\")")
        ->capture_default_str();
    cmd->add_option("--server-register-time", *registration,
                    "Simulated CPU time an NSS server spends per registration (\"200us\")")
        ->capture_default_str();
    cmd->callback([options, handshake, registration] {
        for (auto [flag, text, out] : {std::tuple{"--server-handshake-time", handshake.get(),
                                                  &options->server_handshake_time},
                                       std::tuple{"--server-register-time", registration.get(),
                                                  &options->server_register_time}}) {
            auto d = nsslab::harness::parse_duration(*text);
            if (!d || *d < nsslab::Duration::zero()) {
                std::cerr << "nsslab bench failover: " << flag << " '" << *text
                          << "' is not a duration (\"800us\", \"1ms\")\n";
                throw CLI::RuntimeError(2);
            }
            *out = *d;
        }
        auto result = nsslab::bench::run_bench_failover(*options);
        if (!result) {
            std::cerr << "nsslab bench failover: " << result.error().what() << "\n";
            throw CLI::RuntimeError(2);
        }
        std::cout << nsslab::bench::describe(*result);
        if (!result->ok()) {
            std::cerr << "nsslab bench failover: " << (result->stacks - result->failed_over)
                      << " stacks did not fail over to the backup\n";
            throw CLI::RuntimeError(1);
        }
    });
}

}  // namespace

NSSLAB_COMMAND(72, "bench failover", add_bench_failover);
