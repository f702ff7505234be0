// SAF / RACF emulation: users, groups, general resource profiles, SETROPTS options,
// authorization checks (RACROUTE REQUEST=AUTH) and logon verification with passwords and
// PassTickets (RACROUTE REQUEST=VERIFY).
//
// Implements, as summarised in reference/zos-nss-facts.md §3 and §8.2 and DESIGN.md §1:
// - z/OS Security Server RACF Security Administrator's Guide: access lists and UACC, WARNING
//   mode, generic profile rules for general resources ("enhanced generic naming"), choosing the
//   most specific generic profile, SETROPTS CLASSACT / RACLIST / GENERIC / PASSWORD(REVOKE(n)),
//   PassTicket evaluation through PTKTDATA profiles (APPL.GROUP.USERID, APPL.USERID, APPL.GROUP,
//   APPL; discrete only).
// - z/OS Security Server RACROUTE Macro Reference: REQUEST=AUTH and REQUEST=VERIFY return codes.
// docs/racf.md documents every emulation choice (codes used, ordering tie-breaks, RACLIST).
//
// One RacfDatabase holds the data (RacfData); its three jobs are separate units:
//   racf_admin.cpp  administration: the RACF commands' effects on the data
//   racf_check.cpp  authorization: check(), RACLIST copies, generic profile matching
//   racf_logon.cpp  logon: authenticate() with passwords, phrases and PassTickets
// racf.cpp holds the vocabulary (access names, name rules) and the queries.
//
// Time is always an argument. Single-threaded.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/zos/passticket.hpp"

namespace nsslab::zos {

// RACF access authorities, in increasing order.
enum class RacfAccess : std::uint8_t { none, read, update, control, alter };

// "NONE", "READ", "UPDATE", "CONTROL", "ALTER".
std::string_view to_string(RacfAccess access);
// Accepts the names above in any case plus RACF's abbreviations (any unique leading
// abbreviation: R, U, C, A, N, ...). nullopt otherwise.
std::optional<RacfAccess> parse_racf_access(std::string_view text);

// ---- Names ----

// RACF user IDs and group names: 1-8 characters, first A-Z @ # $, then also 0-9.
bool is_valid_racf_user_name(std::string_view name);
// Class names: 1-8 characters A-Z 0-9 @ # $, first not a digit.
bool is_valid_racf_class_name(std::string_view name);
// General resource profile names: 1-246 characters, no blanks, no parentheses, commas or quotes.
bool is_valid_racf_profile_name(std::string_view name);
// True when the name contains a generic character (*, ** or %).
bool is_generic_racf_profile_name(std::string_view name);

// Generic matching for general resources (enhanced generic naming; docs/racf.md):
//   %            exactly one character (not '.')
//   *  in a qualifier (A.B*C, A.*.C)  zero or more characters within that qualifier
//   *  ending the last qualifier (A.BC*)  zero or more characters up to the end of the name,
//                                          qualifiers included
//   .* as the last qualifier (A.B.*)   one or more qualifiers
//   ** as a qualifier (A.**, A.**.C, **.C, **)  zero or more qualifiers
bool racf_generic_match(std::string_view profile, std::string_view resource);

// Negative when profile `a` is MORE specific than `b` (RACF's order: compared token by token
// from the left, at the first difference a non-generic character beats %, % beats *, * beats
// **, and any token beats the end of the name; equal ranks: ASCII order of the names).
int compare_racf_generic_specificity(std::string_view a, std::string_view b);

// ---- Database contents ----

struct RacfUser {
    std::string name;
    std::optional<std::string> password;  // nullopt: NOPASSWORD (a protected user)
    std::optional<std::string> phrase;    // password phrase (PHRASE('...'), 9-100 characters)
    std::string default_group;
    std::set<std::string> groups;  // connect groups, including the default group
    bool revoked{false};
    std::uint32_t failed_attempts{0};  // consecutive failed logons since the last success
};

struct RacfGroup {
    std::string name;
};

struct RacfAccessEntry {
    std::string id;  // user ID, group name, or "*" (any RACF-defined user)
    RacfAccess access{RacfAccess::none};
};

// A PTKTDATA key (SSIGNON(KEYMASKED(...)) or the EPTKTDATA emulation syntax).
struct RacfPassTicketKey {
    Bytes key;
    PassTicketType type{PassTicketType::legacy};
};

struct RacfProfile {
    std::string class_name;
    std::string name;
    bool generic{false};
    RacfAccess uacc{RacfAccess::none};
    bool warning{false};
    std::string appldata;
    std::vector<RacfAccessEntry> access_list;    // sorted by id
    std::optional<RacfPassTicketKey> ssignon;    // legacy (SSIGNON)
    std::optional<RacfPassTicketKey> eptktdata;  // enhanced (EPTKTDATA emulation)
};

struct RacfClassOptions {
    bool active{false};     // SETROPTS CLASSACT
    bool raclisted{false};  // SETROPTS RACLIST
    bool generic{false};    // SETROPTS GENERIC: generic profiles are defined AND used in checks
    bool gencmd{false};     // SETROPTS GENCMD: generic profiles may be defined, not used
};

// Changes of RALTER / RDEFINE options; unset fields keep their value.
struct RacfProfileChange {
    std::optional<RacfAccess> uacc;
    std::optional<bool> warning;
    std::optional<std::string> appldata;
    std::optional<std::optional<RacfPassTicketKey>> ssignon;    // set, or remove (NOSSIGNON)
    std::optional<std::optional<RacfPassTicketKey>> eptktdata;  // set, or remove (NOEPTKTDATA)
};

// Changes of ALTUSER / ADDUSER options.
struct RacfUserChange {
    std::optional<std::optional<std::string>> password;  // PASSWORD(x) or NOPASSWORD
    std::optional<std::optional<std::string>> phrase;    // PHRASE('x') or NOPHRASE
    std::optional<std::string> default_group;            // DFLTGRP(g)
    bool revoke{false};
    bool resume{false};
};

// ---- The database's data ----

// A class's profiles, by exact (upper-case) name.
struct RacfClassProfiles {
    std::map<std::string, RacfProfile, std::less<>> discrete;
    std::map<std::string, RacfProfile, std::less<>> generic;
};

// What a RacfDatabase holds besides PassTicket replay state. Only RacfDatabase writes it:
// administration changes everything, logon only users' failure counts and revocation;
// authorization only reads it.
struct RacfData {
    std::map<std::string, RacfUser, std::less<>> users;
    std::map<std::string, RacfGroup, std::less<>> groups;
    std::map<std::string, RacfClassProfiles, std::less<>> profiles;   // stored (DASD) copy
    std::map<std::string, RacfClassProfiles, std::less<>> raclisted;  // in-storage copy
    // RACLISTed classes whose stored profiles changed since the in-storage copy was taken.
    std::set<std::string, std::less<>> refresh_pending;
    std::map<std::string, RacfClassOptions, std::less<>> classes;
    std::optional<std::uint32_t> revoke_attempts;  // SETROPTS PASSWORD(REVOKE(n))
    bool mixed_case_passwords{false};              // SETROPTS PASSWORD(MIXEDCASE)
};

// ---- Decisions ----

// Result of RACROUTE REQUEST=AUTH (codes per RACROUTE Macro Reference; docs/racf.md):
//   allowed:                     SAF 0, RACF 0, reason 0
//   allowed by WARNING mode:     SAF 0, RACF 0, reason 0, warning = true
//   not protected (class not active, or no profile covers the resource):
//                                SAF 4, RACF 4, reason 0, allowed = false (fail closed)
//   denied:                      SAF 8, RACF 8, reason 0
//   user not defined:            SAF 8, RACF 8, reason 0 (emulation: no ACEE can exist)
struct RacfAccessDecision {
    bool allowed{false};
    bool warning{false};             // access granted only because the profile is in WARNING mode
    bool protected_resource{false};  // a profile in an active class covers the resource
    int saf_rc{4};
    int racf_rc{4};
    int racf_reason{0};
    std::string user;
    std::string class_name;
    std::string resource;
    RacfAccess requested{RacfAccess::read};
    RacfAccess granted{RacfAccess::none};
    std::string profile;  // deciding profile name; empty when not protected
    std::string reason;   // one sentence, e.g. "USER2 has NONE to EZB.NSS.** (UACC)"
};

// The NSS server's verbose log line for a SERVAUTH check (facts §3), e.g.
// "DBG0032I NSS_VERBOSE ServauthCheck(USER2 ,EZB.NSS.MVS093.CLIENT2.IPSEC.CERT) rc 4 (DENY)
//  racfRC 4 racfRsn 0" (one line). "(ALLOW)" when allowed (emulation choice).
std::string format_servauth_check_log(RacfAccessDecision const& decision);

enum class RacfLogonMethod { none, password, phrase, passticket };
std::string_view to_string(RacfLogonMethod method);

// Result of RACROUTE REQUEST=VERIFY (RACF return codes, SAF rc 8 on any failure):
//   0  verified;  4 user not defined;  8 password / PassTicket not valid;  28 user revoked.
struct RacfLogonResult {
    bool ok{false};
    RacfLogonMethod method{RacfLogonMethod::none};
    int saf_rc{8};
    int racf_rc{8};
    int racf_reason{0};
    std::string reason;       // one sentence, e.g. "PassTicket replayed (NSSD)"
    std::string profile;      // PTKTDATA profile that evaluated the PassTicket, if any
    bool revoked_now{false};  // this failure revoked the user (SETROPTS PASSWORD(REVOKE(n)))
    Errc passticket_error{Errc::auth_failed};  // the validator's code when a PassTicket failed
};

// ---- The database ----

class RacfDatabase {
  public:
    // Starts with group SYS1 defined and every class inactive (RACF's initial state).
    RacfDatabase();

    // ---- Administration (racf_admin.cpp) ----

    // Users and groups. Every mutator validates everything first and changes nothing on error.
    // Errors: invalid_argument (bad name/value), already_exists, not_found, state_error.
    Result<void> add_user(std::string_view name, RacfUserChange const& options);
    Result<void> alter_user(std::string_view name, RacfUserChange const& change);
    Result<void> delete_user(std::string_view name);
    Result<void> add_group(std::string_view name);
    Result<void> delete_group(std::string_view name);
    Result<void> connect(std::string_view user, std::string_view group);
    Result<void> remove(std::string_view user, std::string_view group);
    // Checks without changing anything (for commands with several targets).
    Result<void> check_add_user(std::string_view name, RacfUserChange const& options) const;
    Result<void> check_alter_user(std::string_view name, RacfUserChange const& change) const;
    Result<void> check_delete_user(std::string_view name) const;
    Result<void> check_add_group(std::string_view name) const;
    Result<void> check_delete_group(std::string_view name) const;
    Result<void> check_connect(std::string_view user, std::string_view group) const;
    Result<void> check_remove(std::string_view user, std::string_view group) const;

    // General resource profiles. A generic name needs SETROPTS GENERIC(class) or GENCMD(class)
    // first, and may contain ** only once (RACF).
    // Changes to a RACLISTed class take effect at the next refresh_raclist(class).
    Result<void> define_profile(std::string_view class_name, std::string_view name,
                                RacfProfileChange const& options);
    Result<void> alter_profile(std::string_view class_name, std::string_view name,
                               RacfProfileChange const& change);
    Result<void> delete_profile(std::string_view class_name, std::string_view name);
    // PERMIT: sets (or with access == nullopt deletes) the entries of `ids`.
    Result<void> permit(std::string_view class_name, std::string_view name,
                        std::vector<std::string> const& ids, std::optional<RacfAccess> access);
    Result<void> check_define_profile(std::string_view class_name, std::string_view name,
                                      RacfProfileChange const& options) const;
    Result<void> check_alter_profile(std::string_view class_name, std::string_view name,
                                     RacfProfileChange const& change) const;
    Result<void> check_delete_profile(std::string_view class_name, std::string_view name) const;
    Result<void> check_permit(std::string_view class_name, std::string_view name,
                              std::vector<std::string> const& ids,
                              std::optional<RacfAccess> access) const;

    // SETROPTS.
    Result<void> set_class_active(std::string_view class_name, bool active);
    Result<void> set_class_raclisted(std::string_view class_name, bool raclisted);
    Result<void> refresh_raclist(std::string_view class_name);  // RACLIST(c) REFRESH
    Result<void> set_class_generic(std::string_view class_name, bool generic);
    Result<void> set_class_gencmd(std::string_view class_name, bool gencmd);
    // PASSWORD(REVOKE(n)) with n in 1..255; nullopt: NOREVOKE.
    Result<void> set_password_revoke(std::optional<std::uint32_t> attempts);
    void set_password_mixed_case(bool mixed) { data_.mixed_case_passwords = mixed; }

    // ---- Authorization (racf_check.cpp) ----

    // RACROUTE REQUEST=AUTH for a general resource. Never fails: see RacfAccessDecision.
    RacfAccessDecision check(std::string_view user, std::string_view class_name,
                             std::string_view resource, RacfAccess requested) const;

    // ---- Logon (racf_logon.cpp) ----

    // RACROUTE REQUEST=VERIFY: user, application (PTKTDATA profile name, e.g. NSSD), password,
    // password phrase or PassTicket, and the evaluating system's clock (GMT seconds).
    // Revoked users fail; the real password (or phrase) is accepted first; otherwise the secret
    // is evaluated as a PassTicket through the most specific discrete PTKTDATA profile
    // (APPL.GROUP.USERID, APPL.USERID, APPL.GROUP with the default group, APPL) that has a key;
    // PTKTDATA must be active. Failures count toward SETROPTS PASSWORD(REVOKE(n)).
    RacfLogonResult authenticate(std::string_view user, std::string_view application,
                                 std::string_view secret, std::int64_t now_unix);

    // ---- Queries (racf.cpp) ----

    RacfUser const* user(std::string_view name) const;
    RacfGroup const* group(std::string_view name) const;
    // The stored (DASD) profile, discrete or generic by exact name; not the RACLIST copy.
    RacfProfile const* profile(std::string_view class_name, std::string_view name) const;
    RacfClassOptions class_options(std::string_view class_name) const;
    // Every class named by a SETROPTS so far, with its options.
    std::map<std::string, RacfClassOptions> classes() const;
    std::optional<std::uint32_t> password_revoke() const { return data_.revoke_attempts; }
    bool password_mixed_case() const { return data_.mixed_case_passwords; }
    std::vector<RacfUser const*> users() const;
    std::vector<RacfGroup const*> groups() const;
    std::vector<RacfProfile const*> profiles() const;  // by class, then name
    // Pending: the class is RACLISTed and its stored profiles differ from the in-storage copy.
    bool raclist_refresh_pending(std::string_view class_name) const;

    PassTicketValidator& passticket_validator() { return validator_; }

    // Changes with every call of a mutator above (successful or not) to a value no database in
    // the process had before: while it stays the same, check() gives the same decision for the
    // same arguments, so a caller may keep decisions keyed on it. authenticate() does not change
    // it (check() reads no logon state).
    std::uint64_t generation() const { return generation_; }

  private:
    void new_generation();

    RacfData data_;
    PassTicketValidator validator_;
    std::uint64_t generation_{0};
};

}  // namespace nsslab::zos
