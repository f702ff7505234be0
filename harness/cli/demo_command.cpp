// `nsslab demo --seed N --out DIR`: the built-in demo on the simulator (see
// demo/include/nsslab/demo/demo.hpp).
#include <iostream>

#include "command.hpp"
#include "nsslab/demo/demo.hpp"

namespace {

void add_demo(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("demo",
                           "Two simulated systems, a TLS connection and UDP over a lossy link; "
                           "writes a trace, a pcapng capture and a TLS key log");
    auto options = std::make_shared<nsslab::demo::DemoOptions>();
    std::string out = options->out_dir.string();
    auto out_ptr = std::make_shared<std::string>(out);
    cmd->add_option("--seed", options->seed, "Seed of the run (same seed, same bytes)")
        ->capture_default_str();
    cmd->add_option("--out", *out_ptr, "Folder for trace.jsonl, capture.pcapng and tls-keys.log")
        ->capture_default_str();
    cmd->add_option("--loss", options->loss, "Packet loss probability on the link, each direction")
        ->check(CLI::Range(0.0, 0.5))
        ->capture_default_str();
    cmd->callback([options, out_ptr] {
        options->out_dir = *out_ptr;
        auto result = nsslab::demo::run_demo(*options);
        if (!result) {
            std::cerr << "nsslab demo: " << result.error().what() << "\n";
            throw CLI::RuntimeError(2);
        }
        std::cout << nsslab::demo::describe(*result);
        if (!result->ok)
            throw CLI::RuntimeError(1);
    });
}

}  // namespace

NSSLAB_COMMAND(10, "demo", add_demo);
