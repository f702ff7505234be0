// The parts of bench ike shared by its source files (private to bench/tools): the endpoints'
// connections, and the measuring loop: one SA per call of `one_sa` until `duration` is over,
// wall and thread CPU time around the whole loop.
#pragma once

#include "bench_clock.hpp"
#include "nsslab/bench/ike.hpp"
#include "nsslab/wire_nss/messages.hpp"

namespace nsslab::bench {

// One side's connection to the other (initiator 10.0.0.1, responder 10.0.0.2): the suite's
// proposal; with `psk` a pre-shared key, otherwise signatures by the side's key label and the
// peer's certificate as its chain.
ike::Connection ike_bench_connection(IkeBenchKeys const& keys, bool psk, bool initiator);
// The suite's signature scheme as the NSS protocol names it.
wire_nss::SignatureScheme ike_wire_scheme(IkeSuite suite);

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
