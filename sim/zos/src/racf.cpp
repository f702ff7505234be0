// RACF vocabulary and the database's data: access authority names, the name rules for users,
// groups, classes and profiles (RACF Command Language Reference), RacfDatabase's construction,
// generation() and queries. The three jobs are in racf_admin.cpp (commands), racf_check.cpp
// (RACROUTE REQUEST=AUTH) and racf_logon.cpp (RACROUTE REQUEST=VERIFY); see racf.hpp.
#include "nsslab/zos/racf.hpp"

#include <algorithm>
#include <array>
#include <atomic>

#include "nsslab/zos/racf_script.hpp"
#include "racf_detail.hpp"

namespace nsslab::zos {
namespace {

bool is_national(char c) {
    return c == '@' || c == '#' || c == '$';
}
bool is_upper_alpha(char c) {
    return c >= 'A' && c <= 'Z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

// ---- access authorities and names ----

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

// ---- RacfDatabase ----

RacfDatabase::RacfDatabase() {
    data_.groups.emplace("SYS1", RacfGroup{"SYS1"});
    new_generation();
}

void RacfDatabase::new_generation() {
    // Process-wide, so two databases (or one and a copy of another) share a generation only
    // when one is a copy of the other's current state. Compared for equality, never printed.
    static std::atomic<std::uint64_t> last{0};
    generation_ = last.fetch_add(1, std::memory_order_relaxed) + 1;
}

// ---- queries ----

RacfUser const* RacfDatabase::user(std::string_view name) const {
    auto it = data_.users.find(racf_upper(name));
    return it == data_.users.end() ? nullptr : &it->second;
}

RacfGroup const* RacfDatabase::group(std::string_view name) const {
    auto it = data_.groups.find(racf_upper(name));
    return it == data_.groups.end() ? nullptr : &it->second;
}

RacfProfile const* RacfDatabase::profile(std::string_view class_name, std::string_view name) const {
    auto cls = data_.profiles.find(racf_upper(class_name));
    if (cls == data_.profiles.end())
        return nullptr;
    std::string upper = racf_upper(name);
    auto d = cls->second.discrete.find(upper);
    if (d != cls->second.discrete.end())
        return &d->second;
    auto g = cls->second.generic.find(upper);
    return g == cls->second.generic.end() ? nullptr : &g->second;
}

RacfClassOptions RacfDatabase::class_options(std::string_view class_name) const {
    return detail::class_options(data_, class_name);
}

std::map<std::string, RacfClassOptions> RacfDatabase::classes() const {
    return {data_.classes.begin(), data_.classes.end()};
}

std::vector<RacfUser const*> RacfDatabase::users() const {
    std::vector<RacfUser const*> out;
    for (auto const& [name, u] : data_.users)
        out.push_back(&u);
    return out;
}

std::vector<RacfGroup const*> RacfDatabase::groups() const {
    std::vector<RacfGroup const*> out;
    for (auto const& [name, g] : data_.groups)
        out.push_back(&g);
    return out;
}

std::vector<RacfProfile const*> RacfDatabase::profiles() const {
    std::vector<RacfProfile const*> out;
    for (auto const& [cls, profiles] : data_.profiles) {
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
    return data_.refresh_pending.count(racf_upper(class_name)) != 0;
}

namespace detail {

RacfClassOptions class_options(RacfData const& data, std::string_view class_name) {
    auto it = data.classes.find(racf_upper(class_name));
    return it == data.classes.end() ? RacfClassOptions{} : it->second;
}

}  // namespace detail

}  // namespace nsslab::zos
