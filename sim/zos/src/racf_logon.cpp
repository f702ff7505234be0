// RACF logon (RACROUTE REQUEST=VERIFY): passwords (SETROPTS PASSWORD(MIXEDCASE) folding),
// password phrases, PassTicket evaluation through the most specific discrete PTKTDATA profile
// (APPL.GROUP.USERID, APPL.USERID, APPL.GROUP, APPL; Security Administrator's Guide) and the
// validator of passticket.hpp, and revocation after SETROPTS PASSWORD(REVOKE(n)) consecutive
// failures; return codes per the RACROUTE Macro Reference (reference/zos-nss-facts.md §8.2,
// docs/racf.md §4). Changes only users' failure counts and revocation, never generation().
#include <algorithm>
#include <array>

#include "nsslab/zos/racf.hpp"
#include "nsslab/zos/racf_script.hpp"
#include "racf_detail.hpp"

namespace nsslab::zos {
namespace {

constexpr std::string_view ptktdata_class = "PTKTDATA";

std::string trim(std::string_view text) {
    auto first = text.find_first_not_of(' ');
    if (first == std::string_view::npos)
        return {};
    auto last = text.find_last_not_of(' ');
    return std::string(text.substr(first, last - first + 1));
}

// A failed logon: counts toward SETROPTS PASSWORD(REVOKE(n)) and revokes at the n-th.
void record_failure(RacfData const& data, RacfUser& user, RacfLogonResult& result) {
    ++user.failed_attempts;
    if (data.revoke_attempts && user.failed_attempts >= *data.revoke_attempts) {
        user.revoked = true;
        result.revoked_now = true;
        result.reason += "; user " + user.name + " revoked after " +
                         std::to_string(user.failed_attempts) + " consecutive failed attempts";
    }
}

}  // namespace

std::string_view to_string(RacfLogonMethod method) {
    switch (method) {
        case RacfLogonMethod::none:
            return "none";
        case RacfLogonMethod::password:
            return "password";
        case RacfLogonMethod::phrase:
            return "phrase";
        case RacfLogonMethod::passticket:
            return "passticket";
    }
    return "none";
}

namespace detail {

bool valid_password_text(std::string_view text) {
    return !text.empty() && text.size() <= 8 && std::none_of(text.begin(), text.end(), [](char c) {
        return c == ' ' || static_cast<unsigned char>(c) < 0x21 ||
               static_cast<unsigned char>(c) > 0x7e;
    });
}

bool valid_phrase_text(std::string_view text) {
    return text.size() >= 9 && text.size() <= 100 &&
           std::none_of(text.begin(), text.end(), [](char c) {
               return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e;
           });
}

std::string fold_password(RacfData const& data, std::string_view secret) {
    return data.mixed_case_passwords ? std::string(secret) : racf_upper(secret);
}

RacfLogonResult verify_logon(RacfData& data, PassTicketValidator& validator,
                             std::string_view user_in, std::string_view appl_in,
                             std::string_view secret, std::int64_t now_unix) {
    RacfLogonResult r;
    std::string name = racf_upper(user_in);
    std::string appl = racf_upper(appl_in);
    auto uit = data.users.find(name);
    if (uit == data.users.end()) {
        r.racf_rc = 4;
        r.reason = "user " + name + " is not defined to RACF";
        return r;
    }
    auto& u = uit->second;
    if (u.revoked) {
        r.racf_rc = 28;
        r.reason = "user " + name + " is revoked";
        return r;
    }
    auto succeed = [&](RacfLogonMethod method, std::string why) {
        r.ok = true;
        r.method = method;
        r.saf_rc = 0;
        r.racf_rc = 0;
        r.reason = std::move(why);
        u.failed_attempts = 0;
        return r;
    };
    if (u.password && valid_password_text(secret) && fold_password(data, secret) == *u.password) {
        return succeed(RacfLogonMethod::password, "password verified");
    }
    if (u.phrase && secret == *u.phrase) {
        return succeed(RacfLogonMethod::phrase, "password phrase verified");
    }
    r.racf_rc = 8;
    if (!class_options(data, ptktdata_class).active) {
        r.reason =
            "password not valid (PassTickets are not evaluated: class PTKTDATA is not "
            "active)";
        record_failure(data, u, r);
        return r;
    }
    auto const& ptkt = effective_profiles(data, std::string(ptktdata_class));
    std::array<std::string, 4> names = {appl + "." + u.default_group + "." + name,
                                        appl + "." + name, appl + "." + u.default_group, appl};
    RacfProfile const* chosen = nullptr;
    for (auto const& n : names) {
        auto it = ptkt.discrete.find(n);
        if (it != ptkt.discrete.end() && (it->second.ssignon || it->second.eptktdata)) {
            chosen = &it->second;
            break;
        }
    }
    if (chosen == nullptr) {
        r.reason = "password not valid and no PTKTDATA profile with a key for application " + appl;
        record_failure(data, u, r);
        return r;
    }
    r.profile = chosen->name;
    bool replay = racf_upper(trim(chosen->appldata)) != "NO REPLAY PROTECTION";
    std::vector<PtktdataKey> candidates;
    if (chosen->eptktdata) {
        candidates.push_back(
            PtktdataKey{chosen->name, chosen->eptktdata->key, chosen->eptktdata->type, replay});
    }
    if (chosen->ssignon) {
        candidates.push_back(
            PtktdataKey{chosen->name, chosen->ssignon->key, chosen->ssignon->type, replay});
    }
    auto match = validator.validate(name, appl, secret, candidates, now_unix);
    if (match) {
        return succeed(RacfLogonMethod::passticket,
                       "PassTicket verified by PTKTDATA profile " + match->profile);
    }
    r.passticket_error = match.error().code;
    r.reason = "password not valid and PassTicket rejected by PTKTDATA profile " + chosen->name +
               ": " + match.error().message;
    record_failure(data, u, r);
    return r;
}

}  // namespace detail

RacfLogonResult RacfDatabase::authenticate(std::string_view user, std::string_view application,
                                           std::string_view secret, std::int64_t now_unix) {
    return detail::verify_logon(data_, validator_, user, application, secret, now_unix);
}

}  // namespace nsslab::zos
