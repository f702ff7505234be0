#include "nsslab/harness/process_registry.hpp"

#include <algorithm>

namespace nsslab::harness {

Result<void> ProcessRegistry::add(std::string type, std::string description,
                                  ProcessFactory factory) {
    if (entries_.contains(type))
        return fail(Errc::already_exists, "process type '" + type + "' is already registered");
    entries_.emplace(std::move(type), Entry{std::move(description), std::move(factory)});
    return {};
}

ProcessFactory const* ProcessRegistry::find(std::string_view type) const {
    auto it = entries_.find(type);
    return it == entries_.end() ? nullptr : &it->second.factory;
}

std::vector<std::pair<std::string, std::string>> ProcessRegistry::types() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto const& [name, e] : entries_)
        out.emplace_back(name, e.description);
    return out;
}

std::string ProcessRegistry::unknown_type_message(std::string_view type) const {
    std::vector<std::string> names;
    for (auto const& [name, e] : entries_)
        names.push_back(name);
    std::string msg = "unknown process type '" + std::string(type) + "'";
    if (auto hint = closest(type, names); !hint.empty())
        msg += " (did you mean '" + hint + "'?)";
    msg += "; registered types: ";
    for (std::size_t i = 0; i < names.size(); ++i)
        msg += (i ? ", " : "") + names[i];
    if (names.empty())
        msg += "(none)";
    return msg;
}

ProcessRegistry const& ProcessRegistry::builtin() {
    static ProcessRegistry const registry = [] {
        ProcessRegistry r;
        register_builtin_process_types(r);
        return r;
    }();
    return registry;
}

void register_builtin_process_types(ProcessRegistry& registry) {
    register_selftest_process_types(registry);
    register_probe_process_types(registry);
    register_daemon_process_types(registry);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
            diag = up;
        }
    }
    return row[b.size()];
}

std::string closest(std::string_view word, std::vector<std::string> const& candidates) {
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (auto const& c : candidates) {
        std::size_t d = edit_distance(word, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    return best;
}

}  // namespace nsslab::harness
