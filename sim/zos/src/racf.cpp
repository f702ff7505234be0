// SAF / RACF emulation: database, generic matching, authorization and logon (see racf.hpp).
#include "nsslab/zos/racf.hpp"

#include <algorithm>
#include <array>
#include <atomic>

#include "nsslab/zos/racf_script.hpp"

namespace nsslab::zos {
namespace {

constexpr std::string_view ptktdata_class = "PTKTDATA";

bool is_national(char c) {
    return c == '@' || c == '#' || c == '$';
}
bool is_upper_alpha(char c) {
    return c >= 'A' && c <= 'Z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

Error invalid(std::string what) {
    return fail(Errc::invalid_argument, std::move(what));
}

// ---- generic matching ----

std::vector<std::string_view> split_qualifiers(std::string_view name) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        auto dot = name.find('.', start);
        if (dot == std::string_view::npos) {
            out.push_back(name.substr(start));
            break;
        }
        out.push_back(name.substr(start, dot - start));
        start = dot + 1;
    }
    return out;
}

// Within one qualifier: % one character, * zero or more characters.
bool qualifier_match(std::string_view pattern, std::string_view text) {
    std::size_t p = 0, t = 0;
    std::size_t star = std::string_view::npos, star_t = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '%' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_t = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++star_t;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

class QualifierMatcher {
  public:
    QualifierMatcher(std::vector<std::string_view> p, std::vector<std::string_view> r)
        : p_(std::move(p)), r_(std::move(r)), memo_((p_.size() + 1) * (r_.size() + 1), 0) {}

    bool match(std::size_t i, std::size_t j) {
        auto& slot = memo_[i * (r_.size() + 1) + j];
        if (slot != 0)
            return slot == 1;
        bool result = compute(i, j);
        slot = result ? 1 : 2;
        return result;
    }

  private:
    bool compute(std::size_t i, std::size_t j) {
        std::size_t n = p_.size(), m = r_.size();
        if (i == n)
            return j == m;
        auto q = p_[i];
        if (q == "**")
            return match(i + 1, j) || (j < m && match(i, j + 1));
        bool last = i + 1 == n;
        if (last && q == "*")
            return j < m;  // one or more qualifiers
        if (j >= m)
            return false;
        if (last && q.size() > 1 && q.back() == '*') {
            // zero or more characters up to the end of the name, qualifiers included
            return qualifier_match(q, r_[j]);
        }
        return qualifier_match(q, r_[j]) && match(i + 1, j + 1);
    }

    std::vector<std::string_view> p_, r_;
    std::vector<std::uint8_t> memo_;  // 0 unknown, 1 true, 2 false
};

struct SpecToken {
    int rank;  // 3 literal, 2 %, 1 *, 0 **, -1 end of name
    char c;
};

SpecToken spec_token(std::string_view name, std::size_t& i) {
    if (i >= name.size())
        return {-1, 0};
    char c = name[i];
    if (c == '*' && i + 1 < name.size() && name[i + 1] == '*') {
        i += 2;
        return {0, '*'};
    }
    ++i;
    if (c == '*')
        return {1, '*'};
    if (c == '%')
        return {2, '%'};
    return {3, c};
}

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

Result<void> check_key(RacfPassTicketKey const& key, std::string_view profile) {
    if (key.type == PassTicketType::legacy) {
        if (key.key.size() != 8) {
            return invalid("PTKTDATA " + std::string(profile) +
                           ": a legacy PassTicket key is 8 bytes (16 hex digits)");
        }
    } else if (key.key.size() < 32 || key.key.size() > 256) {
        return invalid("PTKTDATA " + std::string(profile) +
                       ": an enhanced PassTicket key is 32 to 256 bytes");
    }
    return {};
}

std::string trim(std::string_view text) {
    auto first = text.find_first_not_of(' ');
    if (first == std::string_view::npos)
        return {};
    auto last = text.find_last_not_of(' ');
    return std::string(text.substr(first, last - first + 1));
}

}  // namespace

// ---- free functions ----

std::string_view to_string(RacfAccess access) {
    switch (access) {
        case RacfAccess::none:
            return "NONE";
        case RacfAccess::read:
            return "READ";
        case RacfAccess::update:
            return "UPDATE";
        case RacfAccess::control:
            return "CONTROL";
        case RacfAccess::alter:
            return "ALTER";
    }
    return "NONE";
}

std::optional<RacfAccess> parse_racf_access(std::string_view text) {
    static constexpr std::array<RacfAccess, 5> all = {RacfAccess::none, RacfAccess::read,
                                                      RacfAccess::update, RacfAccess::control,
                                                      RacfAccess::alter};
    std::string upper = racf_upper(text);
    if (upper.empty())
        return std::nullopt;
    for (auto a : all) {
        auto name = to_string(a);
        if (name.substr(0, std::min(upper.size(), name.size())) == upper &&
            upper.size() <= name.size()) {
            return a;  // the five names have distinct first letters
        }
    }
    return std::nullopt;
}

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

bool is_valid_racf_user_name(std::string_view name) {
    if (name.empty() || name.size() > 8)
        return false;
    if (!is_upper_alpha(name[0]) && !is_national(name[0]))
        return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return is_upper_alpha(c) || is_digit(c) || is_national(c); });
}

bool is_valid_racf_class_name(std::string_view name) {
    if (name.empty() || name.size() > 8 || is_digit(name[0]))
        return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return is_upper_alpha(c) || is_digit(c) || is_national(c); });
}

bool is_valid_racf_profile_name(std::string_view name) {
    if (name.empty() || name.size() > 246)
        return false;
    return std::none_of(name.begin(), name.end(), [](char c) {
        return c == ' ' || c == '(' || c == ')' || c == ',' || c == '\'' ||
               static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e;
    });
}

bool is_generic_racf_profile_name(std::string_view name) {
    return name.find_first_of("*%") != std::string_view::npos;
}

bool racf_generic_match(std::string_view profile, std::string_view resource) {
    if (profile.empty() || resource.empty())
        return false;
    QualifierMatcher matcher(split_qualifiers(profile), split_qualifiers(resource));
    return matcher.match(0, 0);
}

int compare_racf_generic_specificity(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    while (true) {
        auto ta = spec_token(a, i);
        auto tb = spec_token(b, j);
        if (ta.rank == -1 && tb.rank == -1)
            break;
        if (ta.rank != tb.rank)
            return ta.rank > tb.rank ? -1 : 1;
        if (ta.c != tb.c)
            break;  // two different literals: tie-break below
    }
    if (a == b)
        return 0;
    return a < b ? -1 : 1;
}

std::string format_servauth_check_log(RacfAccessDecision const& decision) {
    return "DBG0032I NSS_VERBOSE ServauthCheck(" + decision.user + " ," + decision.resource +
           ") rc " + std::to_string(decision.saf_rc) + (decision.allowed ? " (ALLOW)" : " (DENY)") +
           " racfRC " + std::to_string(decision.racf_rc) + " racfRsn " +
           std::to_string(decision.racf_reason);
}

// ---- RacfDatabase ----

RacfDatabase::RacfDatabase() {
    groups_.emplace("SYS1", RacfGroup{"SYS1"});
    new_generation();
}

void RacfDatabase::new_generation() {
    // Process-wide, so two databases (or one and a copy of another) share a generation only
    // when one is a copy of the other's current state. Compared for equality, never printed.
    static std::atomic<std::uint64_t> last{0};
    generation_ = last.fetch_add(1, std::memory_order_relaxed) + 1;
}

std::string RacfDatabase::fold_password(std::string_view secret) const {
    return mixed_case_passwords_ ? std::string(secret) : racf_upper(secret);
}

namespace {

// PASSWORD / PHRASE text and REVOKE with RESUME, the same for ADDUSER and ALTUSER.
Result<void> check_logon_options(RacfUserChange const& change) {
    if (change.password && *change.password && !valid_password_text(**change.password)) {
        return invalid("a password is 1 to 8 characters without blanks");
    }
    if (change.phrase && *change.phrase && !valid_phrase_text(**change.phrase)) {
        return invalid("a password phrase is 9 to 100 characters");
    }
    if (change.revoke && change.resume)
        return invalid("REVOKE and RESUME exclude each other");
    return {};
}

}  // namespace

Result<void> RacfDatabase::check_add_user(std::string_view name_in,
                                          RacfUserChange const& options) const {
    std::string name = racf_upper(name_in);
    if (!is_valid_racf_user_name(name)) {
        return invalid("'" + name +
                       "' is not a valid user ID (1-8 of A-Z 0-9 @ # $, not "
                       "starting with a digit)");
    }
    if (users_.count(name) != 0)
        return fail(Errc::already_exists, "user " + name + " already exists");
    if (groups_.count(name) != 0) {
        return fail(Errc::already_exists, name + " is already defined as a group");
    }
    std::string dfltgrp = options.default_group ? racf_upper(*options.default_group) : "SYS1";
    if (groups_.count(dfltgrp) == 0) {
        return fail(Errc::not_found, "default group " + dfltgrp + " is not defined");
    }
    return check_logon_options(options);
}

Result<void> RacfDatabase::add_user(std::string_view name_in, RacfUserChange const& options) {
    new_generation();
    auto ok = check_add_user(name_in, options);
    if (!ok)
        return ok;
    RacfUser user;
    user.name = racf_upper(name_in);
    user.default_group = options.default_group ? racf_upper(*options.default_group) : "SYS1";
    user.groups.insert(user.default_group);
    if (options.password && *options.password)
        user.password = fold_password(**options.password);
    if (options.phrase && *options.phrase)
        user.phrase = **options.phrase;
    user.revoked = options.revoke;
    users_.emplace(user.name, std::move(user));
    return {};
}

Result<void> RacfDatabase::check_alter_user(std::string_view name_in,
                                            RacfUserChange const& change) const {
    std::string name = racf_upper(name_in);
    auto it = users_.find(name);
    if (it == users_.end())
        return fail(Errc::not_found, "user " + name + " is not defined");
    if (change.default_group) {
        std::string g = racf_upper(*change.default_group);
        if (groups_.count(g) == 0)
            return fail(Errc::not_found, "group " + g + " is not defined");
        if (it->second.groups.count(g) == 0) {
            return fail(Errc::state_error,
                        "user " + name + " is not connected to group " + g + " (CONNECT it first)");
        }
    }
    return check_logon_options(change);
}

Result<void> RacfDatabase::alter_user(std::string_view name_in, RacfUserChange const& change) {
    new_generation();
    auto ok = check_alter_user(name_in, change);
    if (!ok)
        return ok;
    auto& user = users_.find(racf_upper(name_in))->second;
    if (change.default_group)
        user.default_group = racf_upper(*change.default_group);
    if (change.password) {
        user.password =
            *change.password ? std::optional(fold_password(**change.password)) : std::nullopt;
    }
    if (change.phrase)
        user.phrase = *change.phrase;
    if (change.revoke)
        user.revoked = true;
    if (change.resume) {
        user.revoked = false;
        user.failed_attempts = 0;
    }
    return {};
}

Result<void> RacfDatabase::check_delete_user(std::string_view name_in) const {
    std::string name = racf_upper(name_in);
    if (users_.count(name) == 0)
        return fail(Errc::not_found, "user " + name + " is not defined");
    return {};
}

Result<void> RacfDatabase::delete_user(std::string_view name_in) {
    new_generation();
    auto ok = check_delete_user(name_in);
    if (!ok)
        return ok;
    users_.erase(racf_upper(name_in));
    return {};
}

Result<void> RacfDatabase::check_add_group(std::string_view name_in) const {
    std::string name = racf_upper(name_in);
    if (!is_valid_racf_user_name(name)) {
        return invalid("'" + name +
                       "' is not a valid group name (1-8 of A-Z 0-9 @ # $, not "
                       "starting with a digit)");
    }
    if (groups_.count(name) != 0)
        return fail(Errc::already_exists, "group " + name + " already exists");
    if (users_.count(name) != 0)
        return fail(Errc::already_exists, name + " is already defined as a user");
    return {};
}

Result<void> RacfDatabase::add_group(std::string_view name_in) {
    new_generation();
    auto ok = check_add_group(name_in);
    if (!ok)
        return ok;
    std::string name = racf_upper(name_in);
    groups_.emplace(name, RacfGroup{name});
    return {};
}

Result<void> RacfDatabase::check_delete_group(std::string_view name_in) const {
    std::string name = racf_upper(name_in);
    if (groups_.count(name) == 0)
        return fail(Errc::not_found, "group " + name + " is not defined");
    if (name == "SYS1")
        return fail(Errc::state_error, "group SYS1 cannot be deleted");
    for (auto const& [uname, user] : users_) {
        if (user.groups.count(name) != 0) {
            return fail(Errc::state_error, std::string("group ")
                                               .append(name)
                                               .append(" still has user ")
                                               .append(uname)
                                               .append(" connected (REMOVE first)"));
        }
    }
    return {};
}

Result<void> RacfDatabase::delete_group(std::string_view name_in) {
    new_generation();
    auto ok = check_delete_group(name_in);
    if (!ok)
        return ok;
    groups_.erase(racf_upper(name_in));
    return {};
}

Result<void> RacfDatabase::check_connect(std::string_view user_in,
                                         std::string_view group_in) const {
    std::string u = racf_upper(user_in), g = racf_upper(group_in);
    if (users_.count(u) == 0)
        return fail(Errc::not_found, "user " + u + " is not defined");
    if (groups_.count(g) == 0)
        return fail(Errc::not_found, "group " + g + " is not defined");
    return {};
}

Result<void> RacfDatabase::connect(std::string_view user_in, std::string_view group_in) {
    new_generation();
    auto ok = check_connect(user_in, group_in);
    if (!ok)
        return ok;
    users_.find(racf_upper(user_in))->second.groups.insert(racf_upper(group_in));
    return {};
}

Result<void> RacfDatabase::check_remove(std::string_view user_in, std::string_view group_in) const {
    auto ok = check_connect(user_in, group_in);
    if (!ok)
        return ok;
    std::string u = racf_upper(user_in), g = racf_upper(group_in);
    auto const& user = users_.find(u)->second;
    if (user.groups.count(g) == 0) {
        return fail(Errc::not_found, "user " + u + " is not connected to group " + g);
    }
    if (user.default_group == g) {
        return fail(Errc::state_error,
                    "group " + g + " is the default group of " + u + " (change DFLTGRP first)");
    }
    return {};
}

Result<void> RacfDatabase::remove(std::string_view user_in, std::string_view group_in) {
    new_generation();
    auto ok = check_remove(user_in, group_in);
    if (!ok)
        return ok;
    users_.find(racf_upper(user_in))->second.groups.erase(racf_upper(group_in));
    return {};
}

// ---- profiles ----

namespace {

Result<void> check_class_and_name(std::string const& class_name, std::string const& name) {
    if (!is_valid_racf_class_name(class_name)) {
        return invalid("'" + class_name + "' is not a valid class name (1-8 of A-Z 0-9 @ # $)");
    }
    if (!is_valid_racf_profile_name(name)) {
        return invalid("'" + name +
                       "' is not a valid profile name (1-246 characters, no blanks, "
                       "parentheses, commas or quotes)");
    }
    return {};
}

Result<void> check_profile_change(RacfProfileChange const& change, std::string const& name) {
    if (change.ssignon && *change.ssignon) {
        auto ok = check_key(**change.ssignon, name);
        if (!ok)
            return ok;
    }
    if (change.eptktdata && *change.eptktdata) {
        auto ok = check_key(**change.eptktdata, name);
        if (!ok)
            return ok;
    }
    return {};
}

void apply_profile_change(RacfProfile& profile, RacfProfileChange const& change) {
    if (change.uacc)
        profile.uacc = *change.uacc;
    if (change.warning)
        profile.warning = *change.warning;
    if (change.appldata)
        profile.appldata = *change.appldata;
    if (change.ssignon)
        profile.ssignon = *change.ssignon;
    if (change.eptktdata)
        profile.eptktdata = *change.eptktdata;
}

}  // namespace

void RacfDatabase::mark_changed(std::string const& class_name) {
    auto it = classes_.find(class_name);
    if (it != classes_.end() && it->second.raclisted)
        refresh_pending_.insert(class_name);
}

Result<void> RacfDatabase::check_define_profile(std::string_view class_in, std::string_view name_in,
                                                RacfProfileChange const& options) const {
    std::string cls = racf_upper(class_in), name = racf_upper(name_in);
    auto ok = check_class_and_name(cls, name);
    if (!ok)
        return ok;
    if (profile(cls, name) != nullptr) {
        return fail(Errc::already_exists,
                    "profile " + name + " in class " + cls + " already exists");
    }
    if (auto first = name.find("**");
        first != std::string::npos && name.find("**", first + 2) != std::string::npos) {
        return invalid("'" + name + "': ** may appear only once in a profile name");
    }
    auto class_opts = class_options(cls);
    if (is_generic_racf_profile_name(name) && !class_opts.generic && !class_opts.gencmd) {
        return fail(Errc::state_error, "generic profile " + name + " needs SETROPTS GENERIC(" +
                                           cls + ") or GENCMD(" + cls + ") first");
    }
    return check_profile_change(options, name);
}

Result<void> RacfDatabase::define_profile(std::string_view class_in, std::string_view name_in,
                                          RacfProfileChange const& options) {
    new_generation();
    auto ok = check_define_profile(class_in, name_in, options);
    if (!ok)
        return ok;
    RacfProfile p;
    p.class_name = racf_upper(class_in);
    p.name = racf_upper(name_in);
    p.generic = is_generic_racf_profile_name(p.name);
    apply_profile_change(p, options);
    auto& cls = profiles_[p.class_name];
    auto& map = p.generic ? cls.generic : cls.discrete;
    std::string class_name = p.class_name;
    map.emplace(p.name, std::move(p));
    mark_changed(class_name);
    return {};
}

Result<void> RacfDatabase::check_alter_profile(std::string_view class_in, std::string_view name_in,
                                               RacfProfileChange const& change) const {
    std::string cls = racf_upper(class_in), name = racf_upper(name_in);
    auto ok = check_class_and_name(cls, name);
    if (!ok)
        return ok;
    if (profile(cls, name) == nullptr) {
        return fail(Errc::not_found, "profile " + name + " in class " + cls + " is not defined");
    }
    return check_profile_change(change, name);
}

Result<void> RacfDatabase::alter_profile(std::string_view class_in, std::string_view name_in,
                                         RacfProfileChange const& change) {
    new_generation();
    auto ok = check_alter_profile(class_in, name_in, change);
    if (!ok)
        return ok;
    std::string cls = racf_upper(class_in);
    apply_profile_change(const_cast<RacfProfile&>(*profile(cls, name_in)), change);
    mark_changed(cls);
    return {};
}

Result<void> RacfDatabase::check_delete_profile(std::string_view class_in,
                                                std::string_view name_in) const {
    std::string cls = racf_upper(class_in), name = racf_upper(name_in);
    auto ok = check_class_and_name(cls, name);
    if (!ok)
        return ok;
    if (profile(cls, name) == nullptr) {
        return fail(Errc::not_found, "profile " + name + " in class " + cls + " is not defined");
    }
    return {};
}

Result<void> RacfDatabase::delete_profile(std::string_view class_in, std::string_view name_in) {
    new_generation();
    auto ok = check_delete_profile(class_in, name_in);
    if (!ok)
        return ok;
    std::string cls = racf_upper(class_in), name = racf_upper(name_in);
    auto& profiles = profiles_[cls];
    if (profiles.discrete.erase(name) == 0)
        profiles.generic.erase(name);
    mark_changed(cls);
    return {};
}

Result<void> RacfDatabase::check_permit(std::string_view class_in, std::string_view name_in,
                                        std::vector<std::string> const& ids,
                                        std::optional<RacfAccess>) const {
    std::string cls = racf_upper(class_in), name = racf_upper(name_in);
    auto ok = check_class_and_name(cls, name);
    if (!ok)
        return ok;
    if (profile(cls, name) == nullptr) {
        return fail(Errc::not_found, "profile " + name + " in class " + cls + " is not defined");
    }
    if (ids.empty())
        return invalid("PERMIT needs at least one ID");
    for (auto const& id_in : ids) {
        std::string id = racf_upper(id_in);
        if (id == "*")
            continue;
        if (users_.count(id) == 0 && groups_.count(id) == 0) {
            return fail(Errc::not_found, "ID " + id + " is neither a user nor a group");
        }
    }
    return {};
}

Result<void> RacfDatabase::permit(std::string_view class_in, std::string_view name_in,
                                  std::vector<std::string> const& ids,
                                  std::optional<RacfAccess> access) {
    new_generation();
    auto ok = check_permit(class_in, name_in, ids, access);
    if (!ok)
        return ok;
    std::string cls = racf_upper(class_in);
    auto& p = const_cast<RacfProfile&>(*profile(cls, name_in));
    for (auto const& id_in : ids) {
        std::string id = racf_upper(id_in);
        auto it = std::find_if(p.access_list.begin(), p.access_list.end(),
                               [&](RacfAccessEntry const& e) { return e.id == id; });
        if (!access) {
            if (it != p.access_list.end())
                p.access_list.erase(it);
        } else if (it != p.access_list.end()) {
            it->access = *access;
        } else {
            p.access_list.push_back(RacfAccessEntry{id, *access});
        }
    }
    std::sort(p.access_list.begin(), p.access_list.end(),
              [](RacfAccessEntry const& a, RacfAccessEntry const& b) { return a.id < b.id; });
    mark_changed(cls);
    return {};
}

// ---- SETROPTS ----

Result<void> RacfDatabase::set_class_active(std::string_view class_in, bool active) {
    new_generation();
    std::string cls = racf_upper(class_in);
    if (!is_valid_racf_class_name(cls))
        return invalid("'" + cls + "' is not a valid class name");
    classes_[cls].active = active;
    return {};
}

Result<void> RacfDatabase::set_class_raclisted(std::string_view class_in, bool raclisted) {
    new_generation();
    std::string cls = racf_upper(class_in);
    if (!is_valid_racf_class_name(cls))
        return invalid("'" + cls + "' is not a valid class name");
    classes_[cls].raclisted = raclisted;
    if (raclisted) {
        auto it = profiles_.find(cls);
        raclisted_[cls] = it == profiles_.end() ? ClassProfiles{} : it->second;
    } else {
        raclisted_.erase(cls);
    }
    refresh_pending_.erase(cls);
    return {};
}

Result<void> RacfDatabase::refresh_raclist(std::string_view class_in) {
    new_generation();
    std::string cls = racf_upper(class_in);
    if (!is_valid_racf_class_name(cls))
        return invalid("'" + cls + "' is not a valid class name");
    if (!class_options(cls).raclisted) {
        return fail(Errc::state_error, "class " + cls + " is not RACLISTed; nothing to refresh");
    }
    return set_class_raclisted(cls, true);
}

Result<void> RacfDatabase::set_class_gencmd(std::string_view class_in, bool gencmd) {
    new_generation();
    std::string cls = racf_upper(class_in);
    if (!is_valid_racf_class_name(cls))
        return invalid("'" + cls + "' is not a valid class name");
    classes_[cls].gencmd = gencmd;
    return {};
}

Result<void> RacfDatabase::set_class_generic(std::string_view class_in, bool generic) {
    new_generation();
    std::string cls = racf_upper(class_in);
    if (!is_valid_racf_class_name(cls))
        return invalid("'" + cls + "' is not a valid class name");
    classes_[cls].generic = generic;
    return {};
}

Result<void> RacfDatabase::set_password_revoke(std::optional<std::uint32_t> attempts) {
    new_generation();
    if (attempts && (*attempts < 1 || *attempts > 255)) {
        return invalid("PASSWORD(REVOKE(n)) needs n from 1 to 255");
    }
    revoke_attempts_ = attempts;
    return {};
}

// ---- queries ----

RacfUser const* RacfDatabase::user(std::string_view name) const {
    auto it = users_.find(racf_upper(name));
    return it == users_.end() ? nullptr : &it->second;
}

RacfGroup const* RacfDatabase::group(std::string_view name) const {
    auto it = groups_.find(racf_upper(name));
    return it == groups_.end() ? nullptr : &it->second;
}

RacfProfile const* RacfDatabase::profile(std::string_view class_name, std::string_view name) const {
    auto cls = profiles_.find(racf_upper(class_name));
    if (cls == profiles_.end())
        return nullptr;
    std::string upper = racf_upper(name);
    auto d = cls->second.discrete.find(upper);
    if (d != cls->second.discrete.end())
        return &d->second;
    auto g = cls->second.generic.find(upper);
    return g == cls->second.generic.end() ? nullptr : &g->second;
}

RacfClassOptions RacfDatabase::class_options(std::string_view class_name) const {
    auto it = classes_.find(racf_upper(class_name));
    return it == classes_.end() ? RacfClassOptions{} : it->second;
}

std::map<std::string, RacfClassOptions> RacfDatabase::classes() const {
    return {classes_.begin(), classes_.end()};
}

std::vector<RacfUser const*> RacfDatabase::users() const {
    std::vector<RacfUser const*> out;
    for (auto const& [name, u] : users_)
        out.push_back(&u);
    return out;
}

std::vector<RacfGroup const*> RacfDatabase::groups() const {
    std::vector<RacfGroup const*> out;
    for (auto const& [name, g] : groups_)
        out.push_back(&g);
    return out;
}

std::vector<RacfProfile const*> RacfDatabase::profiles() const {
    std::vector<RacfProfile const*> out;
    for (auto const& [cls, profiles] : profiles_) {
        std::vector<RacfProfile const*> in_class;
        for (auto const& [name, p] : profiles.discrete)
            in_class.push_back(&p);
        for (auto const& [name, p] : profiles.generic)
            in_class.push_back(&p);
        std::sort(in_class.begin(), in_class.end(),
                  [](RacfProfile const* a, RacfProfile const* b) { return a->name < b->name; });
        out.insert(out.end(), in_class.begin(), in_class.end());
    }
    return out;
}

bool RacfDatabase::raclist_refresh_pending(std::string_view class_name) const {
    return refresh_pending_.count(racf_upper(class_name)) != 0;
}

// ---- authorization ----

RacfDatabase::ClassProfiles const& RacfDatabase::effective_profiles(
    std::string const& class_name) const {
    static const ClassProfiles empty;
    auto const& source = class_options(class_name).raclisted ? raclisted_ : profiles_;
    auto it = source.find(class_name);
    return it == source.end() ? empty : it->second;
}

RacfProfile const* RacfDatabase::find_covering_profile(ClassProfiles const& profiles,
                                                       std::string const& resource,
                                                       bool generic) const {
    auto d = profiles.discrete.find(resource);
    if (d != profiles.discrete.end())
        return &d->second;
    if (!generic)
        return nullptr;
    RacfProfile const* best = nullptr;
    for (auto const& [name, p] : profiles.generic) {
        if (!racf_generic_match(name, resource))
            continue;
        if (best == nullptr || compare_racf_generic_specificity(name, best->name) < 0)
            best = &p;
    }
    return best;
}

RacfAccessDecision RacfDatabase::check(std::string_view user_in, std::string_view class_in,
                                       std::string_view resource_in, RacfAccess requested) const {
    RacfAccessDecision d;
    d.user = racf_upper(user_in);
    d.class_name = racf_upper(class_in);
    d.resource = racf_upper(resource_in);
    d.requested = requested;
    auto not_protected = [&](std::string why) {
        d.allowed = false;
        d.protected_resource = false;
        d.saf_rc = 4;
        d.racf_rc = 4;
        d.racf_reason = 0;
        d.reason = std::move(why);
        return d;
    };
    auto options = class_options(d.class_name);
    if (!options.active) {
        return not_protected("class " + d.class_name + " is not active (SETROPTS CLASSACT): " +
                             d.resource + " is not protected");
    }
    auto const* p =
        find_covering_profile(effective_profiles(d.class_name), d.resource, options.generic);
    if (p == nullptr) {
        return not_protected("no profile in class " + d.class_name + " covers " + d.resource);
    }
    d.protected_resource = true;
    d.profile = p->name;
    auto deny = [&](std::string why) {
        d.allowed = false;
        d.saf_rc = 8;
        d.racf_rc = 8;
        d.racf_reason = 0;
        d.reason = std::move(why);
        return d;
    };
    auto uit = users_.find(d.user);
    if (uit == users_.end())
        return deny("user " + d.user + " is not defined to RACF");
    auto const& u = uit->second;

    std::string source;
    RacfAccess granted = p->uacc;
    auto entry_of = [&](std::string const& id) -> RacfAccessEntry const* {
        for (auto const& e : p->access_list) {
            if (e.id == id)
                return &e;
        }
        return nullptr;
    };
    if (auto const* e = entry_of(d.user)) {
        granted = e->access;
        source = "access list entry for " + d.user;
    } else {
        RacfAccessEntry const* best_group = nullptr;
        for (auto const& g : u.groups) {
            auto const* ge = entry_of(g);
            if (ge != nullptr && (best_group == nullptr || ge->access > best_group->access)) {
                best_group = ge;
            }
        }
        if (best_group != nullptr) {
            granted = best_group->access;
            source = "access list entry for group " + best_group->id;
        } else if (auto const* star = entry_of("*")) {
            granted = star->access;
            source = "access list entry ID(*)";
        } else {
            source = "UACC";
        }
    }
    d.granted = granted;
    std::string what = d.user + " has " + std::string(to_string(granted)) + " to " + p->name +
                       " (" + source + "), " + std::string(to_string(requested)) + " requested";
    if (granted >= requested) {
        d.allowed = true;
        d.saf_rc = 0;
        d.racf_rc = 0;
        d.reason = what;
        return d;
    }
    if (p->warning) {
        d.allowed = true;
        d.warning = true;
        d.saf_rc = 0;
        d.racf_rc = 0;
        d.reason = "WARNING mode: " + what + "; access allowed";
        return d;
    }
    return deny(what);
}

// ---- logon ----

void RacfDatabase::record_failure(RacfUser& user, RacfLogonResult& result) {
    ++user.failed_attempts;
    if (revoke_attempts_ && user.failed_attempts >= *revoke_attempts_) {
        user.revoked = true;
        result.revoked_now = true;
        result.reason += "; user " + user.name + " revoked after " +
                         std::to_string(user.failed_attempts) + " consecutive failed attempts";
    }
}

RacfLogonResult RacfDatabase::authenticate(std::string_view user_in, std::string_view appl_in,
                                           std::string_view secret, std::int64_t now_unix) {
    RacfLogonResult r;
    std::string name = racf_upper(user_in);
    std::string appl = racf_upper(appl_in);
    auto uit = users_.find(name);
    if (uit == users_.end()) {
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
    if (u.password && valid_password_text(secret) && fold_password(secret) == *u.password) {
        return succeed(RacfLogonMethod::password, "password verified");
    }
    if (u.phrase && secret == *u.phrase) {
        return succeed(RacfLogonMethod::phrase, "password phrase verified");
    }
    r.racf_rc = 8;
    if (!class_options(ptktdata_class).active) {
        r.reason =
            "password not valid (PassTickets are not evaluated: class PTKTDATA is not "
            "active)";
        record_failure(u, r);
        return r;
    }
    auto const& ptkt = effective_profiles(std::string(ptktdata_class));
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
        record_failure(u, r);
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
    auto match = validator_.validate(name, appl, secret, candidates, now_unix);
    if (match) {
        return succeed(RacfLogonMethod::passticket,
                       "PassTicket verified by PTKTDATA profile " + match->profile);
    }
    r.passticket_error = match.error().code;
    r.reason = "password not valid and PassTicket rejected by PTKTDATA profile " + chosen->name +
               ": " + match.error().message;
    record_failure(u, r);
    return r;
}

}  // namespace nsslab::zos
