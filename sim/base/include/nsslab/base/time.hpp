// Time types. Cores never read a clock: every input carries `now` (DESIGN.md §3).
//
// A TimePoint is nanoseconds since 1970-01-01T00:00:00Z as seen by one node. In the
// simulator it is virtual time (plus that node's clock offset and drift); in the real
// runtime it is the system clock. PassTickets (RACF, GMT seconds) and certificate validity
// are computed from it, which is why it is anchored to the Unix epoch.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace nsslab {

struct Clock {
    using rep = std::int64_t;
    using period = std::nano;
    using duration = std::chrono::duration<rep, period>;
    using time_point = std::chrono::time_point<Clock>;
    static constexpr bool is_steady = false;
    // No now(): time is always an argument.
};

using Duration = Clock::duration;
using TimePoint = Clock::time_point;

inline constexpr TimePoint time_from_unix_seconds(std::int64_t seconds) {
    return TimePoint{std::chrono::seconds{seconds}};
}
inline constexpr std::int64_t unix_seconds(TimePoint t) {
    return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline constexpr std::int64_t nanos(Duration d) {
    return d.count();
}
inline constexpr std::int64_t nanos(TimePoint t) {
    return t.time_since_epoch().count();
}

// "2026-01-01T00:00:00.000000000Z"
std::string format_iso8601(TimePoint t);
// z/OS display shape "YYYY/MM/DD HH:MM:SS" (ipsec -w, facts §9).
std::string format_zos(TimePoint t);
// Seconds with nine decimals, e.g. "12.000500000": how traces print elapsed time.
std::string format_seconds(Duration d);

// Parses "2026-01-01T00:00:00Z" (fraction and offset "+hh:mm" accepted). False on error.
bool parse_iso8601(std::string const& text, TimePoint& out);

}  // namespace nsslab
