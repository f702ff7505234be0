#include "nsslab/engine/simulation.hpp"

#include "nsslab/engine/network.hpp"

namespace nsslab::engine {

std::string_view to_string(RunEnd end) {
    switch (end) {
        case RunEnd::idle:
            return "idle";
        case RunEnd::reached:
            return "reached";
        case RunEnd::deadline:
            return "deadline";
        case RunEnd::event_limit:
            return "event_limit";
        case RunEnd::time_limit:
            return "time_limit";
    }
    return "unknown";
}

std::string RunResult::describe(TimePoint start) const {
    std::string at =
        " at t=" + format_seconds(time - start) + "s after " + std::to_string(events) + " events";
    switch (end) {
        case RunEnd::idle:
            return "no events left" + at;
        case RunEnd::reached:
            return "reached" + at;
        case RunEnd::deadline:
            return "deadline passed before the condition held" + at;
        case RunEnd::event_limit:
            return "event limit reached" + at + " (the run did not settle)";
        case RunEnd::time_limit:
            return "virtual time limit reached" + at + " (the run did not settle)";
    }
    return "unknown";
}

Simulation::Simulation(std::uint64_t seed, TimePoint start, RunLimits limits)
    : seed_(seed),
      start_(start),
      now_(start),
      limits_(limits),
      network_(std::make_unique<Network>(*this)) {}

Simulation::~Simulation() = default;

void Simulation::schedule_at(TimePoint at, Task task) {
    NSSLAB_ASSERT(at >= now_, "scheduling in the past");
    queue_.push(at, std::move(task));
}

void Simulation::trace(std::string_view node, Event event) {
    if (trace_ != nullptr)
        trace_->record(TraceRecord{now_, std::string(node), std::move(event)});
}

RunResult Simulation::run_until(TimePoint until) {
    return step_until(nullptr, until);
}

RunResult Simulation::run_until(std::function<bool()> const& done, TimePoint deadline) {
    return step_until(&done, deadline);
}

RunResult Simulation::step_until(std::function<bool()> const* done, TimePoint until) {
    TimePoint const time_bound = start_ + limits_.max_virtual_time;
    if (done != nullptr && (*done)())
        return RunResult{RunEnd::reached, events_, now_};
    while (!queue_.empty()) {
        TimePoint next = queue_.next_time();
        if (next > until)
            break;
        if (next > time_bound) {
            now_ = time_bound;
            return RunResult{RunEnd::time_limit, events_, now_};
        }
        if (events_ >= limits_.max_events)
            return RunResult{RunEnd::event_limit, events_, now_};
        TimePoint at;
        Task task = queue_.pop(at);
        now_ = at;
        ++events_;
        task();
        if (done != nullptr && (*done)())
            return RunResult{RunEnd::reached, events_, now_};
    }
    if (done != nullptr) {
        if (queue_.empty())
            return RunResult{RunEnd::idle, events_, now_};
        now_ = until;
        return RunResult{RunEnd::deadline, events_, now_};
    }
    if (until > time_bound) {
        now_ = time_bound;
        return RunResult{RunEnd::time_limit, events_, now_};
    }
    if (until > now_)
        now_ = until;
    return RunResult{RunEnd::reached, events_, now_};
}

}  // namespace nsslab::engine
