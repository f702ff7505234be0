// The measuring loop of bench ike (private to bench/tools): one SA per call of `one_sa` until
// `duration` is over, wall and thread CPU time around the whole loop.
#pragma once

#include "bench_clock.hpp"
#include "nsslab/bench/ike.hpp"

namespace nsslab::bench {

template <class OneSa>
Result<IkeRate> measure_sas(std::chrono::milliseconds duration, OneSa&& one_sa) {
    IkeRate rate;
    double const cpu0 = thread_cpu_now();
    auto const start = SteadyClock::now();
    auto const end = start + duration;
    do {
        if (Result<void> ok = one_sa(); !ok)
            return ok.error();
        ++rate.sas;
    } while (SteadyClock::now() < end);
    rate.seconds = seconds_since(start);
    rate.cpu_seconds = thread_cpu_now() - cpu0;
    return rate;
}

}  // namespace nsslab::bench
