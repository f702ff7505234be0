// RACF authorization checks (RACROUTE REQUEST=AUTH for general resources): the SAF decision
// with its return and reason codes (RACROUTE Macro Reference) and the deciding profile; which
// profile decides (discrete, else the most specific generic one under SETROPTS GENERIC, with
// RACF's "enhanced generic naming" rules); access list evaluation (user, groups, ID(*), UACC,
// WARNING mode); and RACLIST: checks read the in-storage copy of a RACLISTed class, which
// changes only at SETROPTS RACLIST(class) REFRESH (Security Administrator's Guide; docs/racf.md
// §3). Reads the database's data, never changes it.
#include <algorithm>

#include "nsslab/zos/racf.hpp"
#include "nsslab/zos/racf_script.hpp"
#include "racf_detail.hpp"

namespace nsslab::zos {
namespace {

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

// The profile that decides for `resource`: the discrete one, else (when the class's generic
// profiles are in use) the most specific generic one that matches. Null: not protected.
RacfProfile const* find_covering_profile(RacfClassProfiles const& profiles,
                                         std::string const& resource, bool generic) {
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

}  // namespace

// ---- generic profiles ----

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

// ---- RACLIST ----

namespace detail {

RacfClassProfiles const& effective_profiles(RacfData const& data, std::string const& class_name) {
    static const RacfClassProfiles empty;
    auto const& source = class_options(data, class_name).raclisted ? data.raclisted : data.profiles;
    auto it = source.find(class_name);
    return it == source.end() ? empty : it->second;
}

void load_raclist(RacfData& data, std::string const& class_name) {
    auto it = data.profiles.find(class_name);
    data.raclisted[class_name] = it == data.profiles.end() ? RacfClassProfiles{} : it->second;
    data.refresh_pending.erase(class_name);
}

void drop_raclist(RacfData& data, std::string const& class_name) {
    data.raclisted.erase(class_name);
    data.refresh_pending.erase(class_name);
}

void note_profile_change(RacfData& data, std::string const& class_name) {
    auto it = data.classes.find(class_name);
    if (it != data.classes.end() && it->second.raclisted)
        data.refresh_pending.insert(class_name);
}

// ---- the decision ----

RacfAccessDecision check_access(RacfData const& data, std::string_view user_in,
                                std::string_view class_in, std::string_view resource_in,
                                RacfAccess requested) {
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
    auto options = class_options(data, d.class_name);
    if (!options.active) {
        return not_protected("class " + d.class_name + " is not active (SETROPTS CLASSACT): " +
                             d.resource + " is not protected");
    }
    auto const* p =
        find_covering_profile(effective_profiles(data, d.class_name), d.resource, options.generic);
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
    auto uit = data.users.find(d.user);
    if (uit == data.users.end())
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

}  // namespace detail

RacfAccessDecision RacfDatabase::check(std::string_view user, std::string_view class_name,
                                       std::string_view resource, RacfAccess requested) const {
    return detail::check_access(data_, user, class_name, resource, requested);
}

std::string format_servauth_check_log(RacfAccessDecision const& decision) {
    return "DBG0032I NSS_VERBOSE ServauthCheck(" + decision.user + " ," + decision.resource +
           ") rc " + std::to_string(decision.saf_rc) + (decision.allowed ? " (ALLOW)" : " (DENY)") +
           " racfRC " + std::to_string(decision.racf_rc) + " racfRsn " +
           std::to_string(decision.racf_reason);
}

}  // namespace nsslab::zos
