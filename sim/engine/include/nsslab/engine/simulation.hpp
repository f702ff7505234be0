// The discrete-event simulator (DESIGN.md §4): one virtual clock in integer nanoseconds, one
// event queue ordered by (time, sequence), one seed from which every random draw of the run
// is derived by name, and a bound on events and on virtual time so that no run can hang.
//
// A Simulation owns the Network, which owns the Hosts; hosts run Applications through the
// runtime interface (sim/runtime), exactly as the real Boost.Asio runtime does.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "nsslab/base/rng.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/base/trace.hpp"
#include "nsslab/core/contract.hpp"
#include "nsslab/engine/event_queue.hpp"

namespace nsslab::engine {

class Network;

// 2026-01-01T00:00:00Z: where virtual time starts unless a scenario says otherwise.
inline constexpr TimePoint default_start_time = time_from_unix_seconds(1767225600);

struct RunLimits {
    std::uint64_t max_events{100'000'000};
    Duration max_virtual_time{std::chrono::hours(24 * 7)};  // measured from the start time
};

enum class RunEnd : std::uint8_t {
    idle,         // no events left
    reached,      // the requested time or condition was reached
    deadline,     // run_until(done, deadline): the deadline passed first
    event_limit,  // RunLimits::max_events hit: the run is a failure
    time_limit,   // RunLimits::max_virtual_time hit: the run is a failure
};
std::string_view to_string(RunEnd end);

struct RunResult {
    RunEnd end{RunEnd::idle};
    std::uint64_t events{0};  // events executed by the whole simulation so far
    TimePoint time;
    bool bound_hit() const { return end == RunEnd::event_limit || end == RunEnd::time_limit; }
    // "event limit of 100000000 events reached at t=12.5s" style text for reports.
    std::string describe(TimePoint start) const;
};

class Simulation {
  public:
    explicit Simulation(std::uint64_t seed, TimePoint start = default_start_time,
                        RunLimits limits = {});
    ~Simulation();
    Simulation(Simulation const&) = delete;
    Simulation& operator=(Simulation const&) = delete;

    std::uint64_t seed() const { return seed_; }
    TimePoint now() const { return now_; }
    TimePoint start_time() const { return start_; }
    Duration elapsed() const { return now_ - start_; }
    std::uint64_t events_executed() const { return events_; }

    // An independent random stream for a named component ("link/A->B", "SYSTEMA/isn").
    Rng rng(std::string_view stream_name) const { return Rng::stream(seed_, stream_name); }

    void schedule_at(TimePoint at, Task task);
    void schedule_in(Duration delay, Task task) { schedule_at(now_ + delay, std::move(task)); }

    // Runs events up to and including `until`; afterwards now() == until unless a bound hit.
    RunResult run_until(TimePoint until);
    RunResult run_for(Duration d) { return run_until(now_ + d); }
    // Runs until `done()` is true (checked after every event), no events remain, or
    // `deadline` passes.
    RunResult run_until(std::function<bool()> const& done, TimePoint deadline);

    // The run's trace; records are stamped with the true virtual time.
    void set_trace(TraceSink* sink) { trace_ = sink; }
    TraceSink* trace_sink() const { return trace_; }
    void trace(std::string_view node, Event event);

    // Where the secrets of simulated processes go (TLS key log lines, IKE SA keys,
    // Runtime::log_secret): the files beside the capture. Never the trace.
    void set_secret_sink(std::function<void(core::Secret const&)> sink) {
        secrets_ = std::move(sink);
    }
    void log_secret(core::Secret const& secret) {
        if (secrets_)
            secrets_(secret);
    }

    Network& network() { return *network_; }

  private:
    RunResult step_until(std::function<bool()> const* done, TimePoint until);

    std::uint64_t seed_;
    TimePoint start_;
    TimePoint now_;
    RunLimits limits_;
    std::uint64_t events_{0};
    EventQueue queue_;
    TraceSink* trace_{nullptr};
    std::function<void(core::Secret const&)> secrets_;
    std::unique_ptr<Network> network_;
};

}  // namespace nsslab::engine
