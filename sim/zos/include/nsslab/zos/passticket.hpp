// RACF PassTickets: generation and evaluation, legacy (DES) and enhanced (HMAC-SHA-512).
//
// Implements the algorithms of z/OS Security Server RACF Macros and Interfaces ("The
// PassTicket generation algorithm", "The time-coder algorithm"; enhanced PassTicket
// generation) as summarised in reference/zos-nss-facts.md §8.1 and §8.3, and the evaluation
// rules of RACF Security Administrator's Guide ("Validating a PassTicket", facts §8.2):
// generation time within ±10 minutes of evaluation time, replay protection unless the
// PTKTDATA profile says APPLDATA('NO REPLAY PROTECTION'). docs/passticket.md lists the
// emulation choices (case folding, candidate order, replay table bound).
//
// Evaluation inverts the time coder (both algorithms are Feistel networks keyed by the
// application key), so it costs a handful of DES/HMAC operations per candidate key instead of
// one generation per second of the window.
//
// Key material is never placed in an error message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"

namespace nsslab::zos {

enum class PassTicketType {
    legacy,          // DES, 8-byte key, alphabet A-Z0-9 (facts §8.1)
    enhanced_upper,  // HMAC-SHA-512, 32..256-byte key, alphabet 0-9A-Z (facts §8.3)
    enhanced_mixed,  // HMAC-SHA-512, 32..256-byte key, alphabet 0-9A-Za-z-_ (facts §8.3)
};

std::string_view to_string(PassTicketType type);

// RACF's ±10 minutes (facts §8.2).
inline constexpr std::int64_t passticket_window_seconds_default = 600;

// A ticket that inverts to a generation time outside the window but within this distance of
// the evaluation time is reported as "outside time window" (clock skew); farther away it is
// reported as "not a valid PassTicket" (wrong key): for a wrong key the recovered time is
// uniformly random over 2^32 (legacy) or 2^41 / 2^48 (enhanced) seconds.
inline constexpr std::int64_t passticket_skew_report_horizon_seconds = std::int64_t{7} * 24 * 3600;

// Generation as RACF's RCVTPTGN / R_GenSec would answer for `unix_seconds` (GMT).
// `user` and `appl`: 1-8 characters of A-Z 0-9 @ # $ (lower-case letters are folded to upper
// case, as RACF folds user IDs). Key: legacy 8 bytes; enhanced 32..256 bytes. Time: legacy
// 0..2^32-1; enhanced 0..2^48-1.
// Errors: Errc::invalid_argument naming the bad input (never the key bytes);
// Errc::crypto_error if OpenSSL fails.
Result<std::string> generate_passticket(std::string_view user, std::string_view appl, ByteView key,
                                        PassTicketType type, std::int64_t unix_seconds);

// One PTKTDATA profile that may evaluate a ticket (e.g. APPL.GROUP.USERID, then APPL).
struct PtktdataKey {
    std::string profile;  // profile name, reported back and in reasons
    Bytes key;            // legacy: 8 bytes; enhanced: 32..256 bytes
    PassTicketType type;
    bool replay_protection;  // false for APPLDATA('NO REPLAY PROTECTION')
};

struct PassTicketMatch {
    std::string profile;          // the candidate whose key produced the ticket
    std::int64_t generated_unix;  // generation time recovered from the ticket
};

// Evaluates PassTickets and remembers used ones (replay protection). One per evaluating
// system (RACF's "used previously on this computer system"). Single-threaded.
class PassTicketValidator {
  public:
    explicit PassTicketValidator(std::int64_t window_seconds = passticket_window_seconds_default,
                                 std::size_t replay_entries_max = 100000);

    // Tries each candidate in order. The first candidate whose key produces `ticket` for
    // user/appl at a time within ±window of `now_unix` decides: with replay protection, a
    // ticket already used for this user/appl/generation time is rejected, otherwise the use
    // is recorded and the match returned. Tickets are compared exactly (no case folding).
    // Errors (message says why; never contains key material):
    //   Errc::invalid_argument  bad user/appl, or a candidate's key has the wrong length
    //   Errc::not_found         no candidate profile (empty `candidates`)
    //   Errc::auth_failed       not a valid PassTicket for any candidate key (wrong key,
    //                           wrong user/appl, or not a PassTicket at all)
    //   Errc::timed_out         valid for a candidate key but generated outside the window;
    //                           the message gives the generation time and the distance
    //   Errc::already_exists    replayed (already used for this user/appl/generation time)
    //   Errc::limit_exceeded    replay table full of unexpired entries; the ticket is refused
    //                           (fail closed), nothing is evicted
    //   Errc::crypto_error      OpenSSL failed
    // Replay entries whose generation time is older than now_unix - window are expired on
    // every call, so memory stays bounded by replay_entries_max.
    Result<PassTicketMatch> validate(std::string_view user, std::string_view appl,
                                     std::string_view ticket,
                                     std::span<const PtktdataKey> candidates,
                                     std::int64_t now_unix);

    std::int64_t window_seconds() const { return window_seconds_; }
    std::size_t replay_entries() const { return used_.size(); }
    std::size_t replay_entries_max() const { return replay_entries_max_; }

  private:
    void expire(std::int64_t now_unix);

    std::int64_t window_seconds_;
    std::size_t replay_entries_max_;
    // (generation time, user, appl), ordered by time so expiry pops from the front.
    std::set<std::tuple<std::int64_t, std::string, std::string>> used_;
};

}  // namespace nsslab::zos
