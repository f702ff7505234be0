// Internal to the RACF emulation: the functions over RacfData (racf.hpp) that one unit of
// RacfDatabase provides and another calls. Each group names the unit that defines it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nsslab/base/result.hpp"
#include "nsslab/zos/passticket.hpp"
#include "nsslab/zos/racf.hpp"

namespace nsslab::zos::detail {

// ---- racf.cpp: the data ----

// The SETROPTS options of a class, named in any case (all off for a class never named).
RacfClassOptions class_options(RacfData const& data, std::string_view class_name);

// ---- racf_check.cpp: RACLIST ----

// The profiles checks (and PassTicket evaluation) use for a class: the in-storage copy when
// the class is RACLISTed, otherwise the stored ones.
RacfClassProfiles const& effective_profiles(RacfData const& data, std::string const& class_name);
// SETROPTS RACLIST(class) and RACLIST(class) REFRESH: copies the stored profiles into storage.
void load_raclist(RacfData& data, std::string const& class_name);
// SETROPTS NORACLIST(class): drops the in-storage copy.
void drop_raclist(RacfData& data, std::string const& class_name);
// After RDEFINE, RALTER, RDELETE or PERMIT: a RACLISTed class now waits for a REFRESH.
void note_profile_change(RacfData& data, std::string const& class_name);

// RACROUTE REQUEST=AUTH (RacfDatabase::check).
RacfAccessDecision check_access(RacfData const& data, std::string_view user,
                                std::string_view class_name, std::string_view resource,
                                RacfAccess requested);

// ---- racf_logon.cpp: passwords ----

// A password: 1-8 printable characters without blanks.
bool valid_password_text(std::string_view text);
// A password phrase: 9-100 printable characters.
bool valid_phrase_text(std::string_view text);
// A password as stored and compared: upper case unless SETROPTS PASSWORD(MIXEDCASE).
std::string fold_password(RacfData const& data, std::string_view secret);

// RACROUTE REQUEST=VERIFY (RacfDatabase::authenticate). Changes only the user's failure count
// and revocation, and the validator's replay state.
RacfLogonResult verify_logon(RacfData& data, PassTicketValidator& validator, std::string_view user,
                             std::string_view application, std::string_view secret,
                             std::int64_t now_unix);

}  // namespace nsslab::zos::detail
