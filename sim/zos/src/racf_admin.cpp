// RACF administration: the effects of the RACF commands on the database's data. ADDUSER,
// ALTUSER, DELUSER, ADDGROUP, DELGROUP, CONNECT, REMOVE (users, groups, passwords, phrases,
// REVOKE / RESUME); RDEFINE, RALTER, RDELETE, PERMIT (general resource profiles, access lists,
// UACC, WARNING, APPLDATA, PTKTDATA keys: SSIGNON and the EPTKTDATA emulation); SETROPTS
// CLASSACT, RACLIST (and REFRESH), GENERIC, GENCMD, PASSWORD(REVOKE(n) / MIXEDCASE).
// Implements the rules of the RACF Command Language Reference and the Security Administrator's
// Guide as docs/racf.md §2 states them. Every mutator validates everything first, changes nothing
// on error, and moves generation() either way.
#include <algorithm>

#include "nsslab/zos/racf.hpp"
#include "nsslab/zos/racf_script.hpp"
#include "racf_detail.hpp"

namespace nsslab::zos {
namespace {

Error invalid(std::string what) {
    return fail(Errc::invalid_argument, std::move(what));
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

// PASSWORD / PHRASE text and REVOKE with RESUME, the same for ADDUSER and ALTUSER.
Result<void> check_logon_options(RacfUserChange const& change) {
    if (change.password && *change.password && !detail::valid_password_text(**change.password)) {
        return invalid("a password is 1 to 8 characters without blanks");
    }
    if (change.phrase && *change.phrase && !detail::valid_phrase_text(**change.phrase)) {
        return invalid("a password phrase is 9 to 100 characters");
    }
    if (change.revoke && change.resume)
        return invalid("REVOKE and RESUME exclude each other");
    return {};
}

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

// RALTER, RDELETE and PERMIT: a valid class and profile name, and the profile defined.
Result<void> check_defined_profile(RacfDatabase const& db, std::string const& class_name,
                                   std::string const& name) {
    auto ok = check_class_and_name(class_name, name);
    if (!ok)
        return ok;
    if (db.profile(class_name, name) == nullptr) {
        return fail(Errc::not_found,
                    "profile " + name + " in class " + class_name + " is not defined");
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

std::string not_a_class_name(std::string const& class_name) {
    return "'" + class_name + "' is not a valid class name";
}

// One SETROPTS option of a class (CLASSACT, RACLIST, GENERIC, GENCMD or a NO form), the class
// named in any case and recorded on first use.
Result<void> set_class_flag(RacfData& data, std::string_view class_in, bool RacfClassOptions::*flag,
                            bool value) {
    std::string cls = racf_upper(class_in);
    if (!is_valid_racf_class_name(cls))
        return invalid(not_a_class_name(cls));
    data.classes[cls].*flag = value;
    return {};
}

}  // namespace

// ---- users and groups ----

Result<void> RacfDatabase::check_add_user(std::string_view name_in,
                                          RacfUserChange const& options) const {
    std::string name = racf_upper(name_in);
    if (!is_valid_racf_user_name(name)) {
        return invalid("'" + name +
                       "' is not a valid user ID (1-8 of A-Z 0-9 @ # $, not "
                       "starting with a digit)");
    }
    if (data_.users.count(name) != 0)
        return fail(Errc::already_exists, "user " + name + " already exists");
    if (data_.groups.count(name) != 0) {
        return fail(Errc::already_exists, name + " is already defined as a group");
    }
    std::string dfltgrp = options.default_group ? racf_upper(*options.default_group) : "SYS1";
    if (data_.groups.count(dfltgrp) == 0) {
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
        user.password = detail::fold_password(data_, **options.password);
    if (options.phrase && *options.phrase)
        user.phrase = **options.phrase;
    user.revoked = options.revoke;
    data_.users.emplace(user.name, std::move(user));
    return {};
}

Result<void> RacfDatabase::check_alter_user(std::string_view name_in,
                                            RacfUserChange const& change) const {
    std::string name = racf_upper(name_in);
    auto it = data_.users.find(name);
    if (it == data_.users.end())
        return fail(Errc::not_found, "user " + name + " is not defined");
    if (change.default_group) {
        std::string g = racf_upper(*change.default_group);
        if (data_.groups.count(g) == 0)
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
    auto& user = data_.users.find(racf_upper(name_in))->second;
    if (change.default_group)
        user.default_group = racf_upper(*change.default_group);
    if (change.password) {
        user.password = *change.password
                            ? std::optional(detail::fold_password(data_, **change.password))
                            : std::nullopt;
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
    if (data_.users.count(name) == 0)
        return fail(Errc::not_found, "user " + name + " is not defined");
    return {};
}

Result<void> RacfDatabase::delete_user(std::string_view name_in) {
    new_generation();
    auto ok = check_delete_user(name_in);
    if (!ok)
        return ok;
    data_.users.erase(racf_upper(name_in));
    return {};
}

Result<void> RacfDatabase::check_add_group(std::string_view name_in) const {
    std::string name = racf_upper(name_in);
    if (!is_valid_racf_user_name(name)) {
        return invalid("'" + name +
                       "' is not a valid group name (1-8 of A-Z 0-9 @ # $, not "
                       "starting with a digit)");
    }
    if (data_.groups.count(name) != 0)
        return fail(Errc::already_exists, "group " + name + " already exists");
    if (data_.users.count(name) != 0)
        return fail(Errc::already_exists, name + " is already defined as a user");
    return {};
}

Result<void> RacfDatabase::add_group(std::string_view name_in) {
    new_generation();
    auto ok = check_add_group(name_in);
    if (!ok)
        return ok;
    std::string name = racf_upper(name_in);
    data_.groups.emplace(name, RacfGroup{name});
    return {};
}

Result<void> RacfDatabase::check_delete_group(std::string_view name_in) const {
    std::string name = racf_upper(name_in);
    if (data_.groups.count(name) == 0)
        return fail(Errc::not_found, "group " + name + " is not defined");
    if (name == "SYS1")
        return fail(Errc::state_error, "group SYS1 cannot be deleted");
    for (auto const& [uname, user] : data_.users) {
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
    data_.groups.erase(racf_upper(name_in));
    return {};
}

Result<void> RacfDatabase::check_connect(std::string_view user_in,
                                         std::string_view group_in) const {
    std::string u = racf_upper(user_in), g = racf_upper(group_in);
    if (data_.users.count(u) == 0)
        return fail(Errc::not_found, "user " + u + " is not defined");
    if (data_.groups.count(g) == 0)
        return fail(Errc::not_found, "group " + g + " is not defined");
    return {};
}

Result<void> RacfDatabase::connect(std::string_view user_in, std::string_view group_in) {
    new_generation();
    auto ok = check_connect(user_in, group_in);
    if (!ok)
        return ok;
    data_.users.find(racf_upper(user_in))->second.groups.insert(racf_upper(group_in));
    return {};
}

Result<void> RacfDatabase::check_remove(std::string_view user_in, std::string_view group_in) const {
    auto ok = check_connect(user_in, group_in);
    if (!ok)
        return ok;
    std::string u = racf_upper(user_in), g = racf_upper(group_in);
    auto const& user = data_.users.find(u)->second;
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
    data_.users.find(racf_upper(user_in))->second.groups.erase(racf_upper(group_in));
    return {};
}

// ---- profiles ----

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
    auto& cls = data_.profiles[p.class_name];
    auto& map = p.generic ? cls.generic : cls.discrete;
    std::string class_name = p.class_name;
    map.emplace(p.name, std::move(p));
    detail::note_profile_change(data_, class_name);
    return {};
}

Result<void> RacfDatabase::check_alter_profile(std::string_view class_in, std::string_view name_in,
                                               RacfProfileChange const& change) const {
    std::string cls = racf_upper(class_in), name = racf_upper(name_in);
    auto ok = check_defined_profile(*this, cls, name);
    if (!ok)
        return ok;
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
    detail::note_profile_change(data_, cls);
    return {};
}

Result<void> RacfDatabase::check_delete_profile(std::string_view class_in,
                                                std::string_view name_in) const {
    return check_defined_profile(*this, racf_upper(class_in), racf_upper(name_in));
}

Result<void> RacfDatabase::delete_profile(std::string_view class_in, std::string_view name_in) {
    new_generation();
    auto ok = check_delete_profile(class_in, name_in);
    if (!ok)
        return ok;
    std::string cls = racf_upper(class_in), name = racf_upper(name_in);
    auto& profiles = data_.profiles[cls];
    if (profiles.discrete.erase(name) == 0)
        profiles.generic.erase(name);
    detail::note_profile_change(data_, cls);
    return {};
}

Result<void> RacfDatabase::check_permit(std::string_view class_in, std::string_view name_in,
                                        std::vector<std::string> const& ids,
                                        std::optional<RacfAccess>) const {
    std::string cls = racf_upper(class_in), name = racf_upper(name_in);
    auto ok = check_defined_profile(*this, cls, name);
    if (!ok)
        return ok;
    if (ids.empty())
        return invalid("PERMIT needs at least one ID");
    for (auto const& id_in : ids) {
        std::string id = racf_upper(id_in);
        if (id == "*")
            continue;
        if (data_.users.count(id) == 0 && data_.groups.count(id) == 0) {
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
    detail::note_profile_change(data_, cls);
    return {};
}

// ---- SETROPTS ----

Result<void> RacfDatabase::set_class_active(std::string_view class_in, bool active) {
    new_generation();
    return set_class_flag(data_, class_in, &RacfClassOptions::active, active);
}

Result<void> RacfDatabase::set_class_raclisted(std::string_view class_in, bool raclisted) {
    new_generation();
    auto ok = set_class_flag(data_, class_in, &RacfClassOptions::raclisted, raclisted);
    if (!ok)
        return ok;
    std::string cls = racf_upper(class_in);
    if (raclisted)
        detail::load_raclist(data_, cls);
    else
        detail::drop_raclist(data_, cls);
    return {};
}

Result<void> RacfDatabase::refresh_raclist(std::string_view class_in) {
    new_generation();
    std::string cls = racf_upper(class_in);
    if (!is_valid_racf_class_name(cls))
        return invalid(not_a_class_name(cls));
    if (!class_options(cls).raclisted) {
        return fail(Errc::state_error, "class " + cls + " is not RACLISTed; nothing to refresh");
    }
    return set_class_raclisted(cls, true);
}

Result<void> RacfDatabase::set_class_gencmd(std::string_view class_in, bool gencmd) {
    new_generation();
    return set_class_flag(data_, class_in, &RacfClassOptions::gencmd, gencmd);
}

Result<void> RacfDatabase::set_class_generic(std::string_view class_in, bool generic) {
    new_generation();
    return set_class_flag(data_, class_in, &RacfClassOptions::generic, generic);
}

Result<void> RacfDatabase::set_password_revoke(std::optional<std::uint32_t> attempts) {
    new_generation();
    if (attempts && (*attempts < 1 || *attempts > 255)) {
        return invalid("PASSWORD(REVOKE(n)) needs n from 1 to 255");
    }
    data_.revoke_attempts = attempts;
    return {};
}

}  // namespace nsslab::zos
