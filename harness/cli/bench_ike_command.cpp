// `nsslab bench ike [--suite p256|rsa2048|all] [--seconds S] [--psk]
//                   [--nssd [--connections N] [--sas K] [--workers N]]`: IKE SAs established per
// second between two IkeEndpoints in one process, and the crypto floor (the DH, signing and
// verification operations of one SA by raw OpenSSL) measured in the same run, with their ratio;
// with --nssd also with the signatures and verifications delegated to an NSSD over loopback TLS
// (nsslab/bench/ike.hpp, docs/benchmarks.md "bench ike").
#include <iostream>

#include "command.hpp"
#include "nsslab/bench/ike.hpp"

namespace {

struct IkeArgs {
    std::string suite{"all"};
    double seconds{3.0};
    bool psk{false};
    bool nssd{false};
    std::size_t connections{2};
    std::size_t sas{64};
    std::size_t workers{1};
};

void add_bench_ike(CLI::App& app) {
    auto* bench = app.get_subcommand("bench");
    auto* cmd = bench->add_subcommand(
        "ike",
        "IKE SAs per second between two IKEv2 endpoints in process, against the crypto floor "
        "(DH, signatures and verifications by raw OpenSSL) measured in the same run");
    auto args = std::make_shared<IkeArgs>();
    cmd->add_option("--suite", args->suite,
                    "p256 (ECDSA P-256, ECP_256, AES-GCM), rsa2048 (RSA-2048, MODP_2048, "
                    "AES-CBC) or all")
        ->check(CLI::IsMember({"p256", "rsa2048", "all"}))
        ->capture_default_str();
    cmd->add_option("--seconds", args->seconds, "Duration of each measurement")
        ->check(CLI::Range(0.1, 600.0))
        ->capture_default_str();
    cmd->add_flag("--psk", args->psk,
                  "Also measure each suite with pre-shared keys (floor: the DH operations alone)");
    cmd->add_flag("--nssd", args->nssd,
                  "Also measure each suite with the sign and verify requests delegated to an "
                  "NSSD in this process over loopback TCP and AT-TLS (NssClient cores, as IKED)");
    cmd->add_option("--connections", args->connections,
                    "--nssd: NSS client connections (NssClient cores) per endpoint side")
        ->check(CLI::Range(1, 32))
        ->capture_default_str();
    cmd->add_option("--sas", args->sas, "--nssd: IKE SAs being established at once")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    cmd->add_option("--workers", args->workers,
                    "--nssd: NSSD worker threads that sign (0: its network thread signs)")
        ->check(CLI::Range(0, 8))
        ->capture_default_str();
    cmd->callback([args] {
        namespace h = nsslab::bench;
        h::BenchIkeOptions options;
        if (args->suite != "all")
            options.suites = {*h::ike_suite_from_string(args->suite)};
        options.psk = args->psk;
        if (args->nssd)
            options.nssd = h::IkeNssdOptions{args->connections, args->sas, args->workers};
        options.duration = std::chrono::milliseconds{static_cast<long>(args->seconds * 1000)};
        options.warmup = std::min(options.duration / 4, std::chrono::milliseconds{500});
        auto results = h::run_bench_ike(options, &std::cerr);
        if (!results) {
            std::cerr << "nsslab bench ike: " << results.error().what() << "\n";
            throw CLI::RuntimeError(2);
        }
        std::cout << h::format_bench_ike(*results, options);
    });
}

}  // namespace

NSSLAB_COMMAND(73, "bench ike", add_bench_ike);
