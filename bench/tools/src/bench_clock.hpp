// The clocks the benchmarks read (private to bench/tools): wall time from steady_clock and the
// CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), both in seconds.
#pragma once

#include <time.h>

#include <chrono>

namespace nsslab::bench {

using SteadyClock = std::chrono::steady_clock;

inline double thread_cpu_now() {
    timespec ts{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

inline double seconds_since(SteadyClock::time_point start) {
    return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

}  // namespace nsslab::bench
