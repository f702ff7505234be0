// NSS certificate-service microbenchmarks (issue 4 §7; docs/benchmarks.md): encode and decode of
// SignRequest / SignReply frames, the NssServer core serving pipelined sign requests from a
// registered in-process AT-TLS client (bench::CoreSignPair, the (b) of `nsslab bench sign`),
// and raw OpenSSL signing (crypto::sign_repeatedly, the (a) baseline), per algorithm.
// items_per_second is frames or signatures per second.
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>

#include "nsslab/bench/sign.hpp"
#include "nsslab/crypto/sign_baseline.hpp"
#include "nsslab/wire_nss/codec.hpp"

namespace nsslab::bench {
namespace {

// Built once: RSA-3072 key generation is slow.
SignBenchWorld& world() {
    static std::unique_ptr<SignBenchWorld> w = [] {
        auto r = SignBenchWorld::create(1, bench_wall_now());
        NSSLAB_ASSERT(r.has_value(), "SignBenchWorld");
        return std::move(*r);
    }();
    return *w;
}

wire_nss::Message sign_request(std::size_t octets) {
    wire_nss::SignRequest req;
    req.label = "BENCH P256";
    req.scheme = wire_nss::SignatureScheme::ecdsa_sha256;
    req.data = bench_sign_octets(octets);
    return wire_nss::Message{7, req};
}

wire_nss::Message sign_reply() {
    wire_nss::SignReply reply;
    reply.signature = Bytes(72, 0x5a);  // a DER ECDSA P-256 signature's size
    return wire_nss::Message{7, reply};
}

void BM_EncodeSignRequest(benchmark::State& state) {
    auto const m = sign_request(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state)
        benchmark::DoNotOptimize(wire_nss::encode(m));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeSignRequest)->Arg(64)->Arg(512)->Arg(4096);

void BM_DecodeSignRequest(benchmark::State& state) {
    Bytes const frame = wire_nss::encode(sign_request(static_cast<std::size_t>(state.range(0))));
    for (auto _ : state) {
        auto m = wire_nss::decode(frame);
        benchmark::DoNotOptimize(m);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeSignRequest)->Arg(64)->Arg(512)->Arg(4096);

void BM_EncodeSignReply(benchmark::State& state) {
    auto const m = sign_reply();
    for (auto _ : state)
        benchmark::DoNotOptimize(wire_nss::encode(m));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeSignReply);

void BM_DecodeSignReply(benchmark::State& state) {
    Bytes const frame = wire_nss::encode(sign_reply());
    for (auto _ : state) {
        auto m = wire_nss::decode(frame);
        benchmark::DoNotOptimize(m);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeSignReply);

// A stream of 16 pipelined SignRequest frames through the FrameReader (the server's path).
void BM_FrameReaderSignRequests(benchmark::State& state) {
    Bytes stream;
    for (int i = 0; i < 16; ++i) {
        Bytes f = wire_nss::encode(sign_request(512));
        stream.insert(stream.end(), f.begin(), f.end());
    }
    for (auto _ : state) {
        wire_nss::FrameReader reader;
        (void)reader.feed(stream);
        while (auto m = reader.next())
            benchmark::DoNotOptimize(m);
    }
    state.SetItemsProcessed(state.iterations() * 16);
}
BENCHMARK(BM_FrameReaderSignRequests);

// (a): raw OpenSSL signing of 512 octets.
void BM_RawSign(benchmark::State& state) {
    auto const alg = static_cast<SignAlgorithm>(state.range(0));
    state.SetLabel(std::string(to_string(alg)));
    auto const& key = world().key(alg);
    Bytes const octets = bench_sign_octets(512);
    for (auto _ : state) {
        auto sig = crypto::sign_repeatedly(key, crypto_scheme(alg), octets, 1);
        if (!sig)
            state.SkipWithError(sig.error().what().c_str());
        benchmark::DoNotOptimize(sig);
    }
    state.SetItemsProcessed(state.iterations());
}

// (b): the server core, batches of 16 pipelined requests per TLS write.
void BM_CoreSign(benchmark::State& state) {
    auto const alg = static_cast<SignAlgorithm>(state.range(0));
    state.SetLabel(std::string(to_string(alg)));
    auto server_ctx = crypto::LibContext::system();
    auto client_ctx = crypto::LibContext::system();
    NSSLAB_ASSERT(server_ctx && client_ctx, "contexts");
    auto pair = CoreSignPair::create(world(), **server_ctx, **client_ctx, bench_wall_now());
    if (!pair) {
        state.SkipWithError(pair.error().what().c_str());
        return;
    }
    Bytes const octets = bench_sign_octets(512);
    TimePoint const now = bench_wall_now();
    for (auto _ : state) {
        auto n = (*pair)->sign_batch(alg, octets, 16, now);
        if (!n) {
            state.SkipWithError(n.error().what().c_str());
            break;
        }
    }
    state.SetItemsProcessed(state.iterations() * 16);
}

void algorithms(benchmark::internal::Benchmark* b) {
    for (auto a : all_sign_algorithms())
        b->Arg(static_cast<int>(a));
}
BENCHMARK(BM_RawSign)->Apply(algorithms)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CoreSign)->Apply(algorithms)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace nsslab::bench

BENCHMARK_MAIN();
