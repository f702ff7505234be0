// Simulation engine benchmarks (issue 2 §6): event scheduling and dispatch, simulated UDP
// datagram delivery, simulated TCP stream throughput. Figures are printed by Google
// Benchmark: items_per_second is events, datagrams or bytes per second of wall time.
#include <benchmark/benchmark.h>

#include "nsslab/engine/host.hpp"
#include "nsslab/engine/network.hpp"
#include "nsslab/engine/simulation.hpp"

namespace nsslab::engine {
namespace {

using namespace std::chrono_literals;

// Each event schedules its successor at a pseudo-random offset, with a standing population
// of 1024 pending events: the queue does real heap work on every push and pop.
void BM_EventScheduleDispatch(benchmark::State& state) {
    const auto population = static_cast<int>(state.range(0));
    for (auto _ : state) {
        state.PauseTiming();
        Simulation sim(1, default_start_time, RunLimits{~0ULL, std::chrono::hours(1'000'000)});
        Rng rng(5);
        std::uint64_t executed = 0;
        const std::uint64_t total = 1'000'000;
        std::function<void()> hop;
        hop = [&] {
            if (++executed + static_cast<std::uint64_t>(population) <= total)
                sim.schedule_in(Duration{static_cast<std::int64_t>(1 + rng.below(1000))}, hop);
        };
        for (int i = 0; i < population; ++i)
            sim.schedule_in(Duration{i}, hop);
        state.ResumeTiming();
        sim.run_until(sim.now() + std::chrono::hours(1'000));
        benchmark::DoNotOptimize(executed);
        state.SetItemsProcessed(state.items_processed() + static_cast<std::int64_t>(executed));
    }
}
BENCHMARK(BM_EventScheduleDispatch)->Arg(1)->Arg(1024)->Unit(benchmark::kMillisecond);

class Sink final : public runtime::Application {
  public:
    explicit Sink(runtime::Runtime& rt) : rt_(rt) {}
    void on_start(TimePoint) override {
        (void)rt_.open_datagram(Endpoint{IpAddress{}, 9});
        (void)rt_.listen(Endpoint{IpAddress{}, 9});
    }
    void on_datagram(runtime::SocketId, Endpoint const&, Endpoint const&, ByteView p,
                     TimePoint) override {
        bytes += p.size();
        ++count;
    }
    void on_received(runtime::SocketId, ByteView d, TimePoint) override { bytes += d.size(); }
    std::uint64_t bytes{0};
    std::uint64_t count{0};

  private:
    runtime::Runtime& rt_;
};

class Idle final : public runtime::Application {};

void BM_UdpDelivery(benchmark::State& state) {
    for (auto _ : state) {
        state.PauseTiming();
        Simulation sim(1);
        Host& a = sim.network().add_host("A", {*IpAddress::parse("10.0.0.1")});
        Host& b = sim.network().add_host("B", {*IpAddress::parse("10.0.0.2")});
        b.spawn("sink", [](runtime::Runtime& rt) { return std::make_unique<Sink>(rt); });
        runtime::Runtime& rt =
            a.spawn("src", [](runtime::Runtime&) { return std::make_unique<Idle>(); });
        sim.run_for(1ms);
        auto sock = *rt.open_datagram(Endpoint{IpAddress{}, 0});
        Bytes payload(200, 1);
        Endpoint dst{*IpAddress::parse("10.0.0.2"), 9};
        state.ResumeTiming();
        const int n = 100'000;
        for (int i = 0; i < n; ++i) {
            (void)rt.send_datagram(sock, dst, payload);
            if (i % 1000 == 999)
                sim.run_for(1ms);
        }
        sim.run_for(1s);
        auto& sink = *static_cast<Sink*>(b.application("sink"));
        if (sink.count != static_cast<std::uint64_t>(n))
            state.SkipWithError("datagrams lost");
        state.SetItemsProcessed(state.items_processed() + n);
    }
}
BENCHMARK(BM_UdpDelivery)->Unit(benchmark::kMillisecond);

void BM_TcpStreamThroughput(benchmark::State& state) {
    for (auto _ : state) {
        state.PauseTiming();
        Simulation sim(1);
        Host& a = sim.network().add_host("A", {*IpAddress::parse("10.0.0.1")});
        Host& b = sim.network().add_host("B", {*IpAddress::parse("10.0.0.2")});
        LinkParams fast;
        fast.delay = DelayDistribution::fixed(100us);
        sim.network().set_link(a, b, fast);
        sim.network().set_link(b, a, fast);
        b.spawn("sink", [](runtime::Runtime& rt) { return std::make_unique<Sink>(rt); });
        runtime::Runtime& rt =
            a.spawn("src", [](runtime::Runtime&) { return std::make_unique<Idle>(); });
        sim.run_for(1ms);
        auto id = *rt.connect(Endpoint{*IpAddress::parse("10.0.0.2"), 9});
        sim.run_for(10ms);
        const std::size_t total = 64u << 20;
        Bytes chunk(1u << 20, 7);
        auto& sink = *static_cast<Sink*>(b.application("sink"));
        state.ResumeTiming();
        std::size_t sent = 0;
        while (sink.bytes < total) {
            while (sent < total && rt.send_queued(id) < (4u << 20)) {
                (void)rt.send(id, chunk);
                sent += chunk.size();
            }
            sim.run_for(10ms);
        }
        state.SetBytesProcessed(state.bytes_processed() + static_cast<std::int64_t>(total));
    }
}
BENCHMARK(BM_TcpStreamThroughput)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace nsslab::engine

BENCHMARK_MAIN();
