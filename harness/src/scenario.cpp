#include "nsslab/harness/scenario.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "nsslab/harness/process_registry.hpp"

namespace nsslab::harness {
namespace {

using namespace std::chrono_literals;

// Collects every problem of one file, each with its location.
class Loader {
  public:
    Loader(std::string file, std::filesystem::path folder, ProcessRegistry const* registry)
        : file_(std::move(file)), folder_(std::move(folder)), registry_(registry) {}

    SourceLocation at(toml::node const& node) const {
        auto const& s = node.source();
        return SourceLocation{file_, static_cast<int>(s.begin.line),
                              static_cast<int>(s.begin.column)};
    }
    SourceLocation at(toml::key const& key) const {
        auto const& s = key.source();
        return SourceLocation{file_, static_cast<int>(s.begin.line),
                              static_cast<int>(s.begin.column)};
    }
    void error(SourceLocation const& where, std::string what) {
        errors_.push_back(where.to_string() + ": " + std::move(what));
    }

    // Rejects keys not in `allowed`, with a hint.
    void check_keys(toml::table const& table, std::vector<std::string> const& allowed,
                    std::string_view where) {
        for (auto&& [key, value] : table) {
            std::string k(key.str());
            if (std::find(allowed.begin(), allowed.end(), k) != allowed.end())
                continue;
            std::string msg = "unknown key '" + k + "' in " + std::string(where);
            if (auto hint = closest(k, allowed); !hint.empty())
                msg += "; did you mean '" + hint + "'?";
            else {
                msg += "; allowed keys: ";
                for (std::size_t i = 0; i < allowed.size(); ++i)
                    msg += (i ? ", " : "") + allowed[i];
            }
            error(at(key), msg);
        }
    }

    std::optional<std::string> str(toml::table const& t, std::string_view key, bool required,
                                   std::string_view where) {
        auto const* node = t.get(key);
        if (!node) {
            if (required)
                error(at(t), std::string(where) + " needs '" + std::string(key) + "'");
            return std::nullopt;
        }
        if (auto const* s = node->as_string())
            return s->get();
        error(at(*node), "'" + std::string(key) + "' must be a string");
        return std::nullopt;
    }
    std::optional<Duration> duration(toml::table const& t, std::string_view key, bool required,
                                     std::string_view where) {
        auto const* node = t.get(key);
        if (!node) {
            if (required)
                error(at(t), std::string(where) + " needs '" + std::string(key) + "'");
            return std::nullopt;
        }
        auto const* s = node->as_string();
        if (!s) {
            error(at(*node), "'" + std::string(key) +
                                 "' must be a duration string such as \"500ms\", \"12s\", \"2m\"");
            return std::nullopt;
        }
        auto d = parse_duration(s->get());
        if (!d) {
            error(at(*node), "'" + std::string(key) + "': " + d.error().message);
            return std::nullopt;
        }
        return *d;
    }
    std::optional<bool> boolean(toml::table const& t, std::string_view key) {
        auto const* node = t.get(key);
        if (!node)
            return std::nullopt;
        if (auto v = node->value<bool>(); v && node->is_boolean())
            return *v;
        error(at(*node), "'" + std::string(key) + "' must be true or false");
        return std::nullopt;
    }
    std::optional<double> number(toml::table const& t, std::string_view key, double lo, double hi) {
        auto const* node = t.get(key);
        if (!node)
            return std::nullopt;
        if (!node->is_number()) {
            error(at(*node), "'" + std::string(key) + "' must be a number");
            return std::nullopt;
        }
        double v = *node->value<double>();
        if (!(v >= lo && v <= hi)) {
            std::ostringstream m;
            m << "'" << key << "' = " << v << " is out of range [" << lo << ", " << hi << "]";
            error(at(*node), m.str());
            return std::nullopt;
        }
        return v;
    }
    std::optional<std::uint64_t> integer(toml::table const& t, std::string_view key,
                                         std::uint64_t lo, std::uint64_t hi) {
        auto const* node = t.get(key);
        if (!node)
            return std::nullopt;
        if (!node->is_integer()) {
            error(at(*node), "'" + std::string(key) + "' must be an integer");
            return std::nullopt;
        }
        std::int64_t v = *node->value<std::int64_t>();
        if (v < 0 || static_cast<std::uint64_t>(v) < lo || static_cast<std::uint64_t>(v) > hi) {
            error(at(*node), "'" + std::string(key) + "' = " + std::to_string(v) +
                                 " is out of range [" + std::to_string(lo) + ", " +
                                 std::to_string(hi) + "]");
            return std::nullopt;
        }
        return static_cast<std::uint64_t>(v);
    }
    // An array of tables ([[x]]), or an error when `key` is something else.
    toml::array const* tables(toml::table const& t, std::string_view key) {
        auto const* node = t.get(key);
        if (!node)
            return nullptr;
        auto const* arr = node->as_array();
        if (!arr || !arr->is_array_of_tables()) {
            error(at(*node), "'" + std::string(key) + "' must be written as [[" + std::string(key) +
                                 "]] tables");
            return nullptr;
        }
        return arr;
    }

    // The link properties (delay, loss, duplicate, reorder, mtu, rate_bps) of a [[link]] or a
    // `link` step.
    void load_link_props(toml::table const& t, Step& step);

    void load(toml::table const& root, Scenario& s);

    std::vector<std::string> errors_;

  private:
    void load_system(toml::table const& t, Scenario& s);
    void load_process(toml::table const& t, SystemSpec& sys);
    void load_link(toml::table const& t, Scenario& s);
    void load_step(toml::table const& t, Scenario& s);
    void load_expect(toml::table const& t, Scenario& s);
    void check_system_name(Scenario const& s, std::string const& name, SourceLocation const& where);

    std::string file_;
    std::filesystem::path folder_;
    ProcessRegistry const* registry_;
};

// Reads the keys of one [[step]] for the row of its action: the Loader's readers bound to the
// step's table, with "action 'name'" in the messages of missing keys.
struct StepReader {
    Loader& loader;
    toml::table const& t;
    std::string const& action;

    std::string need(std::string_view key) {
        return loader.str(t, key, true, "action '" + action + "'").value_or("");
    }
    std::string want(std::string_view key) { return loader.str(t, key, false, "").value_or(""); }
    bool flag(std::string_view key, bool absent) { return loader.boolean(t, key).value_or(absent); }
    Duration need_duration(std::string_view key) {
        return loader.duration(t, key, true, "action '" + action + "'").value_or(Duration{0});
    }
};

// How each action reads its keys into the Step (rows of step_actions() below).
void read_system(StepReader& r, Step& step) {
    step.system = r.need("system");
}
void read_system_and_process(StepReader& r, Step& step) {
    step.system = r.need("system");
    step.process = r.want("process");
}
void read_crash(StepReader& r, Step& step) {
    step.system = r.need("system");
    step.silent = r.flag("silent", false);
}
void read_from_to(StepReader& r, Step& step) {
    step.from = r.need("from");
    step.to = r.need("to");
}
void read_partition(StepReader& r, Step& step) {
    read_from_to(r, step);
    step.one_way = r.flag("one_way", false);
}
void read_nothing(StepReader&, Step&) {}
void read_clog(StepReader& r, Step& step) {
    read_from_to(r, step);
    step.duration = r.need_duration("duration");
}
void read_link(StepReader& r, Step& step) {
    read_from_to(r, step);
    step.both_ways = r.flag("both_ways", true);
    r.loader.load_link_props(r.t, step);
}
void read_clock_jump(StepReader& r, Step& step) {
    step.system = r.need("system");
    step.by = r.need_duration("by");
}
void read_clock(StepReader& r, Step& step) {
    step.system = r.need("system");
    step.offset = r.need_duration("offset");
    step.drift_ppm = r.loader.number(r.t, "drift_ppm", -1e6, 1e6).value_or(0);
}
void read_operator(StepReader& r, Step& step) {
    step.system = r.need("system");
    step.process = r.need("process");
    step.command = r.need("command");
}

// One row per step action: its name in scenario files, the keys it accepts besides "at" and
// "action", and how it reads them. action_names() lists the names in this order.
struct ActionRow {
    Action action;
    std::string_view name;
    std::vector<std::string> keys;
    void (*read)(StepReader& r, Step& step);
};

std::vector<ActionRow> const& step_actions() {
    static std::vector<ActionRow> const rows{
        {Action::start, "start", {"system", "process"}, read_system_and_process},
        {Action::stop, "stop", {"system", "process"}, read_system_and_process},
        {Action::crash, "crash", {"system", "silent"}, read_crash},
        {Action::restart, "restart", {"system"}, read_system},
        {Action::pause, "pause", {"system"}, read_system},
        {Action::resume, "resume", {"system"}, read_system},
        {Action::partition, "partition", {"from", "to", "one_way"}, read_partition},
        {Action::heal, "heal", {"from", "to"}, read_from_to},
        {Action::heal_all, "heal_all", {}, read_nothing},
        {Action::clog, "clog", {"from", "to", "duration"}, read_clog},
        {Action::link,
         "link",
         {"from", "to", "both_ways", "delay", "loss", "duplicate", "reorder", "mtu", "rate_bps"},
         read_link},
        {Action::clock_jump, "clock_jump", {"system", "by"}, read_clock_jump},
        {Action::clock, "clock", {"system", "offset", "drift_ppm"}, read_clock},
        {Action::operator_command, "operator", {"system", "process", "command"}, read_operator},
    };
    return rows;
}

ActionRow const* find_action(std::string_view name) {
    for (auto const& row : step_actions())
        if (row.name == name)
            return &row;
    return nullptr;
}

std::vector<std::string> const scenario_keys{"name",     "description", "seed",
                                             "duration", "max_events",  "start_time"};
std::vector<std::string> const system_keys{"name",      "addresses", "clock_offset",
                                           "drift_ppm", "essential", "process"};
std::vector<std::string> const process_keys{"type", "name", "config", "args", "start"};
std::vector<std::string> const link_prop_keys{"delay",         "loss", "duplicate", "reorder",
                                              "reorder_delay", "mtu",  "rate_bps"};
std::vector<std::string> const link_keys{"from", "to",        "both_ways", "delay",
                                         "loss", "duplicate", "reorder",   "reorder_delay",
                                         "mtu",  "rate_bps"};
// Every key a [[step]] may have, in the order "allowed keys" messages list them: these first,
// then any other key a row of step_actions() accepts.
std::vector<std::string> const step_keys = [] {
    std::vector<std::string> keys{"at",   "action",    "system",    "process", "from",
                                  "to",   "one_way",   "both_ways", "silent",  "duration",
                                  "by",   "offset",    "drift_ppm", "command", "delay",
                                  "loss", "duplicate", "reorder",   "mtu",     "rate_bps"};
    for (auto const& row : step_actions())
        for (auto const& key : row.keys)
            if (std::find(keys.begin(), keys.end(), key) == keys.end())
                keys.push_back(key);
    return keys;
}();
std::vector<std::string> const expect_keys{
    "name",   "event", "node",  "details", "contains", "regex",           "after",  "before",
    "window", "never", "count", "min",     "max",      "output_contains", "command"};
std::vector<std::string> const swarm_keys{"safety", "liveness", "faults", "expect"};

void Loader::load(toml::table const& root, Scenario& s) {
    check_keys(root, {"scenario", "system", "link", "step", "expect", "swarm"}, "the file");
    if (auto const* node = root.get("scenario"); node && node->is_table()) {
        auto const& t = *node->as_table();
        check_keys(t, scenario_keys, "[scenario]");
        s.name = str(t, "name", true, "[scenario]").value_or("");
        s.description = str(t, "description", false, "[scenario]").value_or("");
        if (auto v = integer(t, "seed", 0, INT64_MAX))
            s.seed = *v;
        if (auto d = duration(t, "duration", false, "[scenario]")) {
            if (*d <= Duration{0})
                error(at(*t.get("duration")), "'duration' must be positive");
            else
                s.duration = *d;
        }
        if (auto v = integer(t, "max_events", 1, 1'000'000'000))
            s.max_events = *v;
        if (auto st = str(t, "start_time", false, "[scenario]")) {
            TimePoint tp;
            if (parse_iso8601(*st, tp))
                s.start_time = tp;
            else
                error(at(*t.get("start_time")),
                      "'start_time' must be ISO 8601 such as \"2026-01-01T00:00:00Z\"");
        }
    } else {
        error(SourceLocation{file_, 1, 1}, "missing [scenario] table (name, description, seed)");
    }
    if (auto const* arr = tables(root, "system"))
        for (auto const& n : *arr)
            load_system(*n.as_table(), s);
    if (s.systems.empty())
        error(SourceLocation{file_, 1, 1}, "no [[system]]: a scenario needs at least one system");
    if (auto const* arr = tables(root, "link"))
        for (auto const& n : *arr)
            load_link(*n.as_table(), s);
    if (auto const* arr = tables(root, "step"))
        for (auto const& n : *arr)
            load_step(*n.as_table(), s);
    std::stable_sort(s.steps.begin(), s.steps.end(),
                     [](Step const& a, Step const& b) { return a.at < b.at; });
    if (auto const* arr = tables(root, "expect"))
        for (auto const& n : *arr)
            load_expect(*n.as_table(), s);
    if (auto const* node = root.get("swarm"); node) {
        if (!node->is_table()) {
            error(at(*node), "'swarm' must be a table");
        } else {
            auto const& t = *node->as_table();
            check_keys(t, swarm_keys, "[swarm]");
            if (auto d = duration(t, "safety", false, "[swarm]"))
                s.swarm.safety = *d;
            if (auto d = duration(t, "liveness", false, "[swarm]"))
                s.swarm.liveness = *d;
            if (auto v = integer(t, "faults", 0, 1000))
                s.swarm.faults = static_cast<int>(*v);
            if (auto const* e = t.get("expect")) {
                auto const* arr = e->as_array();
                if (!arr)
                    error(at(*e), "'expect' must be an array of expectation names");
                else
                    for (auto const& n : *arr) {
                        auto const* name = n.as_string();
                        if (!name) {
                            error(at(n), "'expect' entries must be strings");
                            continue;
                        }
                        bool found =
                            std::any_of(s.expectations.begin(), s.expectations.end(),
                                        [&](ExpectSpec const& x) { return x.name == name->get(); });
                        if (!found)
                            error(at(n), "no [[expect]] named '" + name->get() + "'");
                        s.swarm.expect.push_back(name->get());
                    }
            }
        }
    }
}

void Loader::load_system(toml::table const& t, Scenario& s) {
    check_keys(t, system_keys, "[[system]]");
    SystemSpec sys;
    sys.where = at(t);
    sys.name = str(t, "name", true, "[[system]]").value_or("");
    if (!sys.name.empty() && s.find_system(sys.name))
        error(at(*t.get("name")), "duplicate system name '" + sys.name + "'");
    if (auto const* node = t.get("addresses")) {
        auto const* arr = node->as_array();
        if (!arr) {
            error(at(*node), "'addresses' must be an array such as [\"10.1.1.1\"]");
        } else {
            for (auto const& a : *arr) {
                auto const* text = a.as_string();
                auto ip = text ? IpAddress::parse(text->get())
                               : Result<IpAddress>(fail(Errc::parse_error, "not a string"));
                if (!ip) {
                    error(at(a), "not an IPv4 or IPv6 address");
                    continue;
                }
                for (auto const& other : s.systems)
                    for (auto const& o : other.addresses)
                        if (o == *ip)
                            error(at(a), "address " + ip->to_string() + " is already used by " +
                                             other.name);
                sys.addresses.push_back(*ip);
            }
        }
    }
    if (sys.addresses.empty())
        error(at(t), "system '" + sys.name + "' needs 'addresses' (at least one)");
    if (auto d = duration(t, "clock_offset", false, "[[system]]"))
        sys.clock_offset = *d;
    if (auto v = number(t, "drift_ppm", -1e6, 1e6))
        sys.drift_ppm = *v;
    if (auto v = boolean(t, "essential"))
        sys.essential = *v;
    if (auto const* arr = tables(t, "process"))
        for (auto const& n : *arr)
            load_process(*n.as_table(), sys);
    s.systems.push_back(std::move(sys));
}

void Loader::load_process(toml::table const& t, SystemSpec& sys) {
    check_keys(t, process_keys, "[[system.process]]");
    ProcessSpec p;
    p.where = at(t);
    p.type = str(t, "type", true, "[[system.process]]").value_or("");
    if (!p.type.empty() && registry_ && !registry_->contains(p.type))
        error(at(*t.get("type")), registry_->unknown_type_message(p.type));
    p.name = str(t, "name", false, "[[system.process]]").value_or("");
    if (p.name.empty()) {
        p.name = p.type;
        std::transform(p.name.begin(), p.name.end(), p.name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    }
    for (auto const& other : sys.processes)
        if (other.name == p.name)
            error(p.where, "duplicate process name '" + p.name + "' on " + sys.name +
                               " (give each a distinct 'name')");
    if (auto const* node = t.get("config")) {
        std::vector<toml::node const*> items;
        if (node->is_string())
            items.push_back(node);
        else if (auto const* arr = node->as_array())
            for (auto const& n : *arr)
                items.push_back(&n);
        else
            error(at(*node), "'config' must be a file name or an array of file names");
        for (auto const* n : items) {
            auto const* name = n->as_string();
            if (!name) {
                error(at(*n), "'config' entries must be file names");
                continue;
            }
            std::filesystem::path file = folder_ / name->get();
            if (!std::filesystem::is_regular_file(file))
                error(at(*n), "config file '" + name->get() + "' not found in " + folder_.string());
            p.config_files.push_back(file);
        }
    }
    if (auto const* node = t.get("args")) {
        auto const* args = node->as_table();
        if (!args) {
            error(at(*node), "'args' must be a table such as { server = \"10.1.1.2:7\" }");
        } else {
            for (auto&& [k, v] : *args) {
                std::string text;
                if (auto const* sv = v.as_string())
                    text = sv->get();
                else if (v.is_integer())
                    text = std::to_string(*v.value<std::int64_t>());
                else if (v.is_floating_point()) {
                    std::ostringstream o;
                    o << *v.value<double>();
                    text = o.str();
                } else if (v.is_boolean())
                    text = *v.value<bool>() ? "true" : "false";
                else {
                    error(at(v), "'args' values must be strings, numbers or booleans");
                    continue;
                }
                p.args[std::string(k.str())] = text;
            }
        }
    }
    if (auto v = boolean(t, "start"))
        p.start = *v;
    sys.processes.push_back(std::move(p));
}

void Loader::check_system_name(Scenario const& s, std::string const& name,
                               SourceLocation const& where) {
    if (name.empty() || s.find_system(name))
        return;
    std::vector<std::string> names;
    for (auto const& sys : s.systems)
        names.push_back(sys.name);
    std::string msg = "unknown system '" + name + "'";
    if (auto hint = closest(name, names); !hint.empty())
        msg += "; did you mean '" + hint + "'?";
    error(where, msg);
}

void Loader::load_link_props(toml::table const& t, Step& step) {
    if (auto d = str(t, "delay", false, "")) {
        auto dist = parse_delay(*d);
        if (!dist)
            error(at(*t.get("delay")), "'delay': " + dist.error().message);
        else
            step.delay = *dist;
    }
    step.loss = number(t, "loss", 0, 1);
    step.duplicate = number(t, "duplicate", 0, 1);
    step.reorder = number(t, "reorder", 0, 1);
    if (auto v = integer(t, "mtu", 68, 65535))
        step.mtu = static_cast<std::uint32_t>(*v);
    step.rate_bps = integer(t, "rate_bps", 0, UINT64_MAX / 2);
}

void Loader::load_link(toml::table const& t, Scenario& s) {
    check_keys(t, link_keys, "[[link]]");
    LinkSpec link;
    link.where = at(t);
    link.from = str(t, "from", true, "[[link]]").value_or("");
    link.to = str(t, "to", true, "[[link]]").value_or("");
    check_system_name(s, link.from, link.where);
    check_system_name(s, link.to, link.where);
    if (auto v = boolean(t, "both_ways"))
        link.both_ways = *v;
    Step props;
    load_link_props(t, props);
    apply_link_properties(props, link.params);
    if (auto d = duration(t, "reorder_delay", false, "[[link]]"))
        link.params.reorder_delay = *d;
    s.links.push_back(std::move(link));
}

void Loader::load_step(toml::table const& t, Scenario& s) {
    check_keys(t, step_keys, "[[step]]");
    Step step;
    step.where = at(t);
    if (auto d = duration(t, "at", true, "[[step]]")) {
        if (*d < Duration{0})
            error(at(*t.get("at")), "'at' must not be negative");
        step.at = *d;
    }
    auto name = str(t, "action", true, "[[step]]");
    if (!name)
        return;
    auto const* row = find_action(*name);
    if (row == nullptr) {
        std::string msg = "unknown action '" + *name + "'";
        if (auto hint = closest(*name, action_names()); !hint.empty())
            msg += "; did you mean '" + hint + "'?";
        msg += " (actions: ";
        auto names = action_names();
        for (std::size_t i = 0; i < names.size(); ++i)
            msg += (i ? ", " : "") + names[i];
        error(at(*t.get("action")), msg + ")");
        return;
    }
    step.action = row->action;
    StepReader reader{*this, t, *name};
    row->read(reader, step);
    check_system_name(s, step.system, step.where);
    check_system_name(s, step.from, step.where);
    check_system_name(s, step.to, step.where);
    if (!step.process.empty()) {
        if (auto const* sys = s.find_system(step.system)) {
            bool found = std::any_of(sys->processes.begin(), sys->processes.end(),
                                     [&](ProcessSpec const& p) { return p.name == step.process; });
            if (!found) {
                std::vector<std::string> names;
                for (auto const& p : sys->processes)
                    names.push_back(p.name);
                std::string msg =
                    "system " + step.system + " has no process '" + step.process + "'";
                if (auto hint = closest(step.process, names); !hint.empty())
                    msg += "; did you mean '" + hint + "'?";
                error(step.where, msg);
            }
        }
    }
    // Keys that mean nothing for this action are mistakes too.
    for (auto&& [key, value] : t) {
        std::string k(key.str());
        bool applies = k == "at" || k == "action" ||
                       std::find(row->keys.begin(), row->keys.end(), k) != row->keys.end();
        if (std::find(step_keys.begin(), step_keys.end(), k) != step_keys.end() && !applies)
            error(at(key), "key '" + k + "' does not apply to action '" + *name + "'");
    }
    s.steps.push_back(std::move(step));
}

void Loader::load_expect(toml::table const& t, Scenario& s) {
    check_keys(t, expect_keys, "[[expect]]");
    ExpectSpec e;
    e.where = at(t);
    auto output = str(t, "output_contains", false, "");
    if (output) {
        if (t.get("event"))
            error(at(*t.get("event")),
                  "'output_contains' already means event = \"operator.output\"");
        e.event = "operator.output";
        e.matchers.push_back({"line", MatchKind::contains, *output});
        if (auto c = str(t, "command", false, ""))
            e.matchers.push_back({"command", MatchKind::equals, *c});
    } else {
        e.event = str(t, "event", true, "[[expect]] (or 'output_contains')").value_or("");
        if (t.get("command"))
            error(at(*t.get("command")), "'command' goes with 'output_contains'");
    }
    e.node = str(t, "node", false, "").value_or("");
    check_system_name(s, e.node, e.where);
    auto matchers = [&](std::string_view key, MatchKind kind) {
        auto const* node = t.get(key);
        if (!node)
            return;
        auto const* table = node->as_table();
        if (!table) {
            error(at(*node),
                  "'" + std::string(key) + "' must be a table such as { reason = \"x\" }");
            return;
        }
        for (auto&& [k, v] : *table) {
            FieldMatcher m{std::string(k.str()), kind, {}};
            if (auto const* sv = v.as_string())
                m.value = sv->get();
            else if (v.is_integer())
                m.value = std::to_string(*v.value<std::int64_t>());
            else if (v.is_boolean())
                m.value = *v.value<bool>() ? "true" : "false";
            else {
                error(at(v), "matcher values must be strings, integers or booleans");
                continue;
            }
            if (auto ok = check_matcher(m); !ok)
                error(at(v), ok.error().message);
            e.matchers.push_back(std::move(m));
        }
    };
    matchers("details", MatchKind::equals);
    matchers("contains", MatchKind::contains);
    matchers("regex", MatchKind::regex);
    e.after = duration(t, "after", false, "");
    e.before = duration(t, "before", false, "");
    if (e.after && e.before && *e.before < *e.after)
        error(e.where, "'before' is earlier than 'after'");
    if (auto w = str(t, "window", false, "")) {
        if (*w == "liveness")
            e.liveness_window = true;
        else if (*w != "run")
            error(at(*t.get("window")), "'window' must be \"run\" or \"liveness\"");
    }
    e.never = boolean(t, "never").value_or(false);
    e.count = integer(t, "count", 0, UINT32_MAX);
    e.min = integer(t, "min", 0, UINT32_MAX);
    e.max = integer(t, "max", 0, UINT32_MAX);
    if (e.never && (e.count || e.min || e.max))
        error(e.where, "'never' cannot be combined with count/min/max");
    if (e.count && (e.min || e.max))
        error(e.where, "'count' cannot be combined with min/max");
    if (e.min && e.max && *e.max < *e.min)
        error(e.where, "'max' is less than 'min'");
    e.name = str(t, "name", false, "").value_or("");
    if (e.name.empty())
        e.name = e.describe();
    for (auto const& other : s.expectations)
        if (other.name == e.name)
            error(e.where, "duplicate expectation name '" + e.name + "'");
    s.expectations.push_back(std::move(e));
}

std::optional<double> parse_number(std::string_view text) {
    double v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || ptr != text.data() + text.size())
        return std::nullopt;
    return v;
}

}  // namespace

void apply_link_properties(Step const& props, engine::LinkParams& p) {
    if (props.delay)
        p.delay = *props.delay;
    if (props.loss)
        p.loss = *props.loss;
    if (props.duplicate)
        p.duplicate = *props.duplicate;
    if (props.reorder)
        p.reorder = *props.reorder;
    if (props.mtu)
        p.mtu = *props.mtu;
    if (props.rate_bps)
        p.rate_bps = *props.rate_bps;
}

std::string SourceLocation::to_string() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string_view to_string(Action action) {
    for (auto const& row : step_actions())
        if (row.action == action)
            return row.name;
    return "?";
}

std::vector<std::string> action_names() {
    std::vector<std::string> names;
    names.reserve(step_actions().size());
    for (auto const& row : step_actions())
        names.emplace_back(row.name);
    return names;
}

std::string Step::describe() const {
    std::string s(to_string(action));
    switch (action) {
        case Action::start:
        case Action::stop:
            return s + " " + system + (process.empty() ? "" : " " + process);
        case Action::crash:
            return s + " " + system + (silent ? " (silent)" : "");
        case Action::restart:
        case Action::pause:
        case Action::resume:
            return s + " " + system;
        case Action::partition:
            return s + " " + from + (one_way ? " -> " : " <-> ") + to;
        case Action::heal:
            return s + " " + from + " <-> " + to;
        case Action::heal_all:
            return s;
        case Action::clog:
            return s + " " + from + " -> " + to + " for " + format_duration(duration);
        case Action::link:
            return s + " " + from + (both_ways ? " <-> " : " -> ") + to;
        case Action::clock_jump:
            return s + " " + system + " by " + format_duration(by);
        case Action::clock:
            return s + " " + system + " offset " + format_duration(offset);
        case Action::operator_command:
            return s + " " + system + " " + process + ": " + command;
    }
    return s;
}

SystemSpec const* Scenario::find_system(std::string_view n) const {
    for (auto const& s : systems)
        if (s.name == n)
            return &s;
    return nullptr;
}

Result<Duration> parse_duration(std::string_view text) {
    static constexpr std::pair<std::string_view, std::int64_t> units[] = {{"ns", 1},
                                                                          {"us", 1'000},
                                                                          {"ms", 1'000'000},
                                                                          {"s", 1'000'000'000},
                                                                          {"m", 60'000'000'000},
                                                                          {"h", 3'600'000'000'000}};
    auto bad = [&] {
        return fail(Errc::parse_error, "bad duration '" + std::string(text) +
                                           "': expected a number and a unit (ns, us, ms, s, m, "
                                           "h) such as \"500ms\", \"12s\", \"2m\"");
    };
    std::size_t split = text.size();
    while (split > 0 && std::isalpha(static_cast<unsigned char>(text[split - 1])))
        --split;
    std::string_view number = text.substr(0, split);
    std::string_view unit = text.substr(split);
    if (number.empty() || unit.empty())
        return bad();
    std::int64_t scale = 0;
    for (auto const& [u, k] : units)
        if (u == unit)
            scale = k;
    if (scale == 0)
        return bad();
    auto v = parse_number(number.front() == '+' ? number.substr(1) : number);
    if (!v || !std::isfinite(*v) || std::abs(*v) * static_cast<double>(scale) > 9.0e18)
        return bad();
    return Duration{static_cast<std::int64_t>(std::llround(*v * static_cast<double>(scale)))};
}

std::string format_duration(Duration d) {
    std::int64_t ns = d.count();
    if (ns == 0)
        return "0s";
    std::string sign = ns < 0 ? "-" : "";
    std::int64_t a = ns < 0 ? -ns : ns;
    auto fmt = [&](std::int64_t unit, char const* name) {
        std::ostringstream o;
        o << sign << static_cast<double>(a) / static_cast<double>(unit) << name;
        return o.str();
    };
    if (a % 60'000'000'000 == 0 && a >= 60'000'000'000)
        return fmt(60'000'000'000, "m");
    if (a >= 1'000'000'000)
        return fmt(1'000'000'000, "s");
    if (a >= 1'000'000)
        return fmt(1'000'000, "ms");
    if (a >= 1'000)
        return fmt(1'000, "us");
    return fmt(1, "ns");
}

Result<engine::DelayDistribution> parse_delay(std::string_view text) {
    auto open = text.find('(');
    if (open == std::string_view::npos) {
        auto d = parse_duration(text);
        if (!d)
            return d.error();
        if (*d < Duration{0})
            return fail(Errc::parse_error, "a delay cannot be negative");
        return engine::DelayDistribution::fixed(*d);
    }
    std::string_view kind = text.substr(0, open);
    auto close = text.rfind(')');
    auto comma = text.find(',', open);
    auto bad = fail(Errc::parse_error,
                    "bad delay '" + std::string(text) +
                        "': expected \"5ms\", \"uniform(1ms, 5ms)\", \"normal(5ms, 1ms)\" or "
                        "\"exponential(1ms, 4ms)\"");
    if (close != text.size() - 1 || comma == std::string_view::npos)
        return bad;
    auto trim = [](std::string_view s) {
        while (!s.empty() && s.front() == ' ')
            s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ')
            s.remove_suffix(1);
        return s;
    };
    auto a = parse_duration(trim(text.substr(open + 1, comma - open - 1)));
    auto b = parse_duration(trim(text.substr(comma + 1, close - comma - 1)));
    if (!a || !b || *a < Duration{0} || *b < Duration{0})
        return bad;
    if (kind == "uniform") {
        if (*b < *a)
            return fail(Errc::parse_error, "uniform(lo, hi): hi is below lo");
        return engine::DelayDistribution::uniform(*a, *b);
    }
    if (kind == "normal")
        return engine::DelayDistribution::normal(*a, *b);
    if (kind == "exponential")
        return engine::DelayDistribution::exponential(*a, *b);
    return bad;
}

Result<Scenario> parse_scenario(std::string_view text, std::filesystem::path const& file,
                                std::filesystem::path const& folder,
                                ProcessRegistry const* registry) {
    toml::table root;
    try {
        root = toml::parse(text, file.string());
    } catch (toml::parse_error const& e) {
        auto const& src = e.source();
        return fail(Errc::parse_error, file.string() + ":" + std::to_string(src.begin.line) + ":" +
                                           std::to_string(src.begin.column) + ": " +
                                           std::string(e.description()));
    }
    Scenario s;
    s.file = file;
    s.folder = folder;
    Loader loader(file.string(), folder, registry);
    loader.load(root, s);
    if (!loader.errors_.empty()) {
        std::string all;
        for (auto const& e : loader.errors_)
            all += (all.empty() ? "" : "\n") + e;
        return fail(Errc::parse_error, all);
    }
    return s;
}

Result<Scenario> load_scenario(std::filesystem::path const& path, ProcessRegistry const* registry) {
    std::filesystem::path file = path;
    if (std::filesystem::is_directory(path))
        file = path / "scenario.toml";
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail(Errc::not_found, "cannot read " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    return parse_scenario(text.str(), file, file.parent_path(), registry);
}

std::vector<std::filesystem::path> find_scenarios(std::filesystem::path const& root) {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    if (std::filesystem::is_regular_file(root, ec))
        return {root};
    if (std::filesystem::is_regular_file(root / "scenario.toml", ec))
        return {root};
    for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && it->path().filename() == "scenario.toml")
            out.push_back(it->path().parent_path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace nsslab::harness
