// libFuzzer target: RACF PassTicket generation and evaluation (sim/zos passticket.hpp).
//
// Input: seven newline-separated fields
//   type     L (legacy), U (enhanced UPPER) or M (enhanced MIXED); anything else: legacy
//   user     user ID as given (may be invalid)
//   appl     application name as given (may be invalid)
//   ticket   the ticket to evaluate (may be anything)
//   key      the key in hex (if it is not hex, its raw bytes are the key)
//   time     generation time, decimal (clamped garbage is fine)
//   now      evaluation time, decimal
// Checks: nothing crashes or leaks; when generation succeeds, evaluating the generated ticket
// at the generation time succeeds and recovers a time that generates the same ticket; the
// arbitrary ticket's evaluation never fails with an unexpected error code.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/bytes.hpp"
#include "nsslab/zos/passticket.hpp"

namespace {

std::int64_t parse_i64(std::string_view s) {
    std::int64_t v = 0;
    bool neg = false;
    std::size_t i = 0;
    if (!s.empty() && s[0] == '-') {
        neg = true;
        i = 1;
    }
    for (; i < s.size() && i < 18; ++i) {
        if (s[i] < '0' || s[i] > '9')
            break;
        v = v * 10 + (s[i] - '0');
    }
    return neg ? -v : v;
}

void check(bool ok) {
    if (!ok)
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view in(reinterpret_cast<char const*>(data), size);
    std::vector<std::string_view> f;
    while (f.size() < 6) {
        auto nl = in.find('\n');
        if (nl == std::string_view::npos)
            break;
        f.push_back(in.substr(0, nl));
        in.remove_prefix(nl + 1);
    }
    f.push_back(in);
    while (f.size() < 7)
        f.emplace_back();

    using nsslab::zos::PassTicketType;
    PassTicketType type = PassTicketType::legacy;
    if (f[0] == "U")
        type = PassTicketType::enhanced_upper;
    if (f[0] == "M")
        type = PassTicketType::enhanced_mixed;
    auto key_hex = nsslab::from_hex(f[4]);
    nsslab::Bytes key = key_hex ? *key_hex : nsslab::to_bytes(f[4]);
    std::int64_t const t = parse_i64(f[5]);
    std::int64_t const now = parse_i64(f[6]);

    nsslab::zos::PassTicketValidator validator(600, 4);
    nsslab::zos::PtktdataKey const candidates[2] = {
        {"APPL.QUAL", key, type, true},
        {"APPL", key, type, false},
    };

    // Arbitrary ticket, arbitrary evaluation time.
    auto any = validator.validate(f[1], f[2], f[3], candidates, now);
    if (!any) {
        auto c = any.error().code;
        check(c == nsslab::Errc::invalid_argument || c == nsslab::Errc::auth_failed ||
              c == nsslab::Errc::timed_out || c == nsslab::Errc::already_exists ||
              c == nsslab::Errc::limit_exceeded);
    }

    // Round trip: generate, then evaluate at the generation time.
    auto ticket = nsslab::zos::generate_passticket(f[1], f[2], key, type, t);
    if (!ticket) {
        check(ticket.error().code == nsslab::Errc::invalid_argument);
        return 0;
    }
    check(ticket->size() == 8);
    bool const recoverable = type != PassTicketType::enhanced_upper || t < (std::int64_t{1} << 41);
    nsslab::zos::PassTicketValidator fresh;
    auto m = fresh.validate(f[1], f[2], *ticket, candidates, t);
    if (recoverable) {
        check(m.has_value());
        auto again = nsslab::zos::generate_passticket(f[1], f[2], key, type, m->generated_unix);
        check(again.has_value() && *again == *ticket);
        // Replay protection is on for the first candidate: a second use is refused.
        auto replay = fresh.validate(f[1], f[2], *ticket, candidates, t);
        check(!replay.has_value() && replay.error().code == nsslab::Errc::already_exists);
    }
    return 0;
}
