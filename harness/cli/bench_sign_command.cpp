// `nsslab bench sign [--alg rsa2048|rsa3072|p256|ed25519|all] [--connections N] [--seconds S]`:
// signature throughput of the NSS certificate service, (a) raw OpenSSL, (b) the server core in
// process, (c) the full path over loopback AT-TLS, and the ratios (b)/(a), (c)/(a) measured in
// the same run (nsslab/bench/sign.hpp, docs/benchmarks.md "bench sign").
#include <iostream>

#include "command.hpp"
#include "nsslab/bench/sign.hpp"

namespace {

struct SignArgs {
    std::string alg{"all"};
    std::size_t connections{8};
    std::size_t window{16};
    std::size_t batch{16};
    std::size_t workers{1};
    double seconds{3.0};
    std::size_t octets{512};
};

void add_bench_sign(CLI::App& app) {
    auto* bench = app.get_subcommand("bench");
    auto* cmd = bench->add_subcommand(
        "sign",
        "Signature throughput: (a) raw OpenSSL, (b) NSS server core in process, (c) full "
        "path over loopback TLS; prints signatures/s and the ratios (b)/(a), (c)/(a)");
    auto args = std::make_shared<SignArgs>();
    cmd->add_option("--alg", args->alg, "rsa2048, rsa3072, p256, ed25519 or all")
        ->check(CLI::IsMember({"rsa2048", "rsa3072", "p256", "ed25519", "all"}))
        ->capture_default_str();
    cmd->add_option("--connections", args->connections, "(c): NSS client connections")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    cmd->add_option("--window", args->window, "(c): sign requests outstanding per connection")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--batch", args->batch, "(b): sign requests per TLS write")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--workers", args->workers,
                    "(c): NSSD worker threads that sign (0: its network thread signs)")
        ->check(CLI::Range(0, 64))
        ->capture_default_str();
    cmd->add_option("--seconds", args->seconds, "Duration of each measurement")
        ->check(CLI::Range(0.1, 600.0))
        ->capture_default_str();
    cmd->add_option("--octets", args->octets, "Size of the signed message (IKEv2 AUTH octets)")
        ->check(CLI::Range(1, 65536))
        ->capture_default_str();
    cmd->callback([args] {
        namespace h = nsslab::bench;
        h::BenchSignOptions options;
        if (args->alg != "all")
            options.algorithms = {*h::sign_algorithm_from_string(args->alg)};
        options.connections = args->connections;
        options.window = args->window;
        options.batch = args->batch;
        options.server_workers = args->workers;
        options.octets_size = args->octets;
        options.duration = std::chrono::milliseconds{static_cast<long>(args->seconds * 1000)};
        options.warmup = std::min(options.duration / 4, std::chrono::milliseconds{500});
        auto results = h::run_bench_sign(options, &std::cerr);
        if (!results) {
            std::cerr << "nsslab bench sign: " << results.error().what() << "\n";
            throw CLI::RuntimeError(2);
        }
        std::cout << h::format_bench_sign(*results, options);
    });
}

}  // namespace

NSSLAB_COMMAND(71, "bench sign", add_bench_sign);
