// `nsslab bench sign` building blocks: the SYSTEMB bench world, the (b) core pair (every
// algorithm's SignReply verifies with the certificate's key, the SERVAUTH checks run), the (a)
// baseline and a short (c) run over real loopback TLS with two threads, and the printed table.
// Behaviour only: no figure is compared with a timing expectation.
#include <gtest/gtest.h>

#include "nsslab/bench/sign.hpp"
#include "nsslab/crypto/signature.hpp"

namespace nsslab::bench {
namespace {

SignBenchWorld& world() {
    static std::unique_ptr<SignBenchWorld> w = [] {
        auto r = SignBenchWorld::create(3, bench_wall_now());
        NSSLAB_ASSERT(r.has_value(), "SignBenchWorld");
        return std::move(*r);
    }();
    return *w;
}

TEST(BenchSign, AlgorithmNames) {
    for (auto a : all_sign_algorithms())
        EXPECT_EQ(sign_algorithm_from_string(to_string(a)), a);
    EXPECT_FALSE(sign_algorithm_from_string("rsa1024"));
    EXPECT_EQ(SignBenchWorld::client_name(0), "BENCH0001");
    EXPECT_EQ(full_path_target(SignAlgorithm::rsa2048), 0.95);
    EXPECT_EQ(full_path_target(SignAlgorithm::rsa3072), 0.95);
    EXPECT_EQ(full_path_target(SignAlgorithm::p256), 0.85);
    EXPECT_EQ(full_path_target(SignAlgorithm::ed25519), 0.85);
}

TEST(BenchSign, CorePairSignaturesVerifyForEveryAlgorithm) {
    auto server_ctx = *crypto::LibContext::system();
    auto client_ctx = *crypto::LibContext::system();
    auto pair = CoreSignPair::create(world(), *server_ctx, *client_ctx, bench_wall_now());
    ASSERT_TRUE(pair.has_value()) << pair.error().what();
    Bytes const octets = bench_sign_octets(512);
    for (auto a : all_sign_algorithms()) {
        auto n = (*pair)->sign_batch(a, octets, 5, bench_wall_now());
        ASSERT_TRUE(n.has_value()) << to_string(a) << ": " << n.error().what();
        EXPECT_EQ(*n, 5u);
        EXPECT_TRUE(crypto::verify(world().key(a).public_key(), crypto_scheme(a), octets,
                                   (*pair)->last_signature())
                        .has_value())
            << to_string(a);
    }
    // The server really checked SERVAUTH for each request.
    auto clients = (*pair)->server().clients();
    ASSERT_EQ(clients.size(), 1u);
    EXPECT_TRUE(clients[0].registered);
    EXPECT_EQ(clients[0].client_name, "BENCH0001");
}

TEST(BenchSign, CorePairRefusesOverlongBatchWithoutCrashing) {
    auto server_ctx = *crypto::LibContext::system();
    auto client_ctx = *crypto::LibContext::system();
    auto pair = CoreSignPair::create(world(), *server_ctx, *client_ctx, bench_wall_now());
    ASSERT_TRUE(pair.has_value());
    // Beyond the server's per-connection queue (64) some requests are answered busy: an error.
    auto n =
        (*pair)->sign_batch(SignAlgorithm::ed25519, bench_sign_octets(64), 80, bench_wall_now());
    EXPECT_FALSE(n.has_value());
}

TEST(BenchSign, RawBaselineCounts) {
    auto rate = measure_raw(world().key(SignAlgorithm::ed25519), SignAlgorithm::ed25519,
                            bench_sign_octets(512), std::chrono::milliseconds{50});
    ASSERT_TRUE(rate.has_value()) << rate.error().what();
    EXPECT_GT(rate->signatures, 0u);
    EXPECT_GT(rate->seconds, 0.0);
}

TEST(BenchSign, FullPathOverLoopbackCompletesSignatures) {
    BenchSignOptions options;
    options.connections = 2;
    options.window = 4;
    options.duration = std::chrono::milliseconds{300};
    options.warmup = std::chrono::milliseconds{50};
    auto rate = measure_full(world(), SignAlgorithm::p256, bench_sign_octets(512), options);
    ASSERT_TRUE(rate.has_value()) << rate.error().what();
    EXPECT_GT(rate->signatures, 0u);
    // More connections than the world has SERVAUTH profiles for: refused up front.
    options.connections = 4;
    auto refused = measure_full(world(), SignAlgorithm::p256, bench_sign_octets(512), options);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Errc::invalid_argument);
}

TEST(BenchSign, FormatPrintsFiguresAndRatios) {
    BenchSignResult r;
    r.algorithm = SignAlgorithm::rsa2048;
    r.raw.signatures = 1000;
    r.raw.seconds = 1.0;
    r.raw.cpu_seconds = 0.5;
    r.core.signatures = 950;
    r.core.seconds = 1.0;
    r.core.cpu_seconds = 0.5;
    r.full.signatures = 920;
    r.full.seconds = 1.0;
    r.full.cpu_seconds = 0.46;
    BenchSignOptions options;
    auto text = format_bench_sign({r}, options);
    EXPECT_NE(text.find("rsa2048  signatures/s  (a) raw       1000  (b) core        950  (c) full "
                        "       920"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("rsa2048  ratio  (b)/(a) 0.95  (c)/(a) 0.92\n"), std::string::npos) << text;
    // The target is judged per CPU-second of the signing thread.
    EXPECT_NE(text.find("rsa2048  per CPU-second of the signing thread  (a) 2000  (b) 1900  (c) "
                        "2000  (b)/(a) 0.95  (c)/(a) 1.00  target 0.95 met"),
              std::string::npos)
        << text;
    r.full.signatures = 850;  // 1848/s per CPU-second: 0.92
    EXPECT_NE(format_bench_sign({r}, options).find("target 0.95 MISSED"), std::string::npos);
}

}  // namespace
}  // namespace nsslab::bench
