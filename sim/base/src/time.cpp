#include "nsslab/base/time.hpp"

#include <cstdio>

namespace nsslab {
namespace {

struct Civil {
    std::int64_t year;
    unsigned month, day, hour, minute, second;
    std::int64_t nanos;
};

// Howard Hinnant's days-from-civil algorithms (public domain).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Civil civil_from_time(TimePoint t) {
    std::int64_t ns = nanos(t);
    std::int64_t secs = ns / 1'000'000'000;
    std::int64_t frac = ns % 1'000'000'000;
    if (frac < 0) {
        frac += 1'000'000'000;
        secs -= 1;
    }
    std::int64_t days = secs / 86400;
    std::int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return Civil{y + (m <= 2),
                 m,
                 d,
                 static_cast<unsigned>(rem / 3600),
                 static_cast<unsigned>((rem % 3600) / 60),
                 static_cast<unsigned>(rem % 60),
                 frac};
}

}  // namespace

std::string format_iso8601(TimePoint t) {
    Civil c = civil_from_time(t);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02u.%09lldZ",
                  static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second,
                  static_cast<long long>(c.nanos));
    return buf;
}

std::string format_zos(TimePoint t) {
    Civil c = civil_from_time(t);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04lld/%02u/%02u %02u:%02u:%02u",
                  static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second);
    return buf;
}

std::string format_seconds(Duration d) {
    std::int64_t ns = d.count();
    const char* sign = ns < 0 ? "-" : "";
    std::uint64_t abs =
        ns < 0 ? static_cast<std::uint64_t>(-(ns + 1)) + 1 : static_cast<std::uint64_t>(ns);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s%llu.%09llu", sign,
                  static_cast<unsigned long long>(abs / 1'000'000'000ULL),
                  static_cast<unsigned long long>(abs % 1'000'000'000ULL));
    return buf;
}

bool parse_iso8601(std::string const& text, TimePoint& out) {
    int y, mo, d, h, mi, s;
    int consumed = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s,
                    &consumed) != 6)
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return false;
    std::size_t pos = static_cast<std::size_t>(consumed);
    std::int64_t frac_ns = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        std::int64_t scale = 100'000'000;
        std::size_t digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (scale > 0) {
                frac_ns += (text[pos] - '0') * scale;
                scale /= 10;
            }
            ++pos;
            ++digits;
        }
        if (digits == 0)
            return false;
    }
    std::int64_t offset_s = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int oh, om;
        if (pos + 6 > text.size() || std::sscanf(text.c_str() + pos + 1, "%2d:%2d", &oh, &om) != 2)
            return false;
        offset_s = (oh * 3600 + om * 60) * (text[pos] == '+' ? 1 : -1);
        pos += 6;
    } else {
        return false;
    }
    if (pos != text.size())
        return false;
    std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - offset_s;
    out = TimePoint{std::chrono::seconds{secs} + std::chrono::nanoseconds{frac_ns}};
    return true;
}

}  // namespace nsslab
