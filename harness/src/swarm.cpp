#include "nsslab/harness/swarm.hpp"

#include <algorithm>
#include <map>

#include "nsslab/base/rng.hpp"

namespace nsslab::harness {
namespace {

using namespace std::chrono_literals;

Duration uniform(Rng& rng, Duration lo, Duration hi) {
    if (hi <= lo)
        return lo;
    return lo + Duration{static_cast<std::int64_t>(
                    rng.below(static_cast<std::uint64_t>((hi - lo).count())))};
}

Step make(Action action, Duration at) {
    Step s;
    s.action = action;
    s.at = at;
    s.where = SourceLocation{"swarm", 0, 0};
    return s;
}

}  // namespace

Scenario swarm_scenario(Scenario const& base, std::uint64_t seed) {
    Scenario sc = base;
    Duration const safety = base.swarm.safety;
    sc.duration = base.swarm.safety + base.swarm.liveness;
    Rng rng = Rng::stream(seed, "swarm");
    std::vector<std::string> all;
    std::vector<std::string> crashable;
    for (auto const& s : base.systems) {
        all.push_back(s.name);
        if (!s.essential)
            crashable.push_back(s.name);
    }
    // The links as the scenario sets them, to restore after lossy phases.
    auto original = [&](std::string const& from, std::string const& to) {
        for (auto const& l : base.links)
            if ((l.from == from && l.to == to) || (l.both_ways && l.from == to && l.to == from))
                return l.params;
        return engine::LinkParams{};
    };
    std::map<std::pair<std::string, std::string>, bool> degraded;
    Duration const latest = safety * 8 / 10;
    for (int i = 0; i < base.swarm.faults; ++i) {
        Duration at = uniform(rng, Duration{0}, latest);
        Duration len = uniform(rng, 1s, std::max<Duration>(2s, safety / 3));
        Duration end = std::min(at + len, safety);
        std::uint64_t kind = rng.below(5);
        bool network = all.size() >= 2;
        if ((kind <= 2 && !network) || (kind >= 3 && crashable.empty()))
            kind = network ? rng.below(3) : (crashable.empty() ? 99 : 3 + rng.below(2));
        if (kind == 99)
            break;
        std::string a;
        std::string b;
        if (kind <= 2) {
            a = all[rng.below(all.size())];
            do
                b = all[rng.below(all.size())];
            while (b == a);
        }
        switch (kind) {
            case 0: {  // partition, sometimes one way
                Step p = make(Action::partition, at);
                p.from = a;
                p.to = b;
                p.one_way = rng.chance(0.25);
                sc.steps.push_back(p);
                Step h = make(Action::heal, end);
                h.from = a;
                h.to = b;
                sc.steps.push_back(h);
                break;
            }
            case 1: {  // lossy link, both ways
                Step l = make(Action::link, at);
                l.from = a;
                l.to = b;
                l.loss = 0.05 + 0.25 * rng.unit();
                l.duplicate = rng.chance(0.3) ? 0.05 : 0.0;
                sc.steps.push_back(l);
                degraded[{a, b}] = true;
                degraded[{b, a}] = true;
                break;
            }
            case 2: {  // clog
                Step c = make(Action::clog, at);
                c.from = a;
                c.to = b;
                c.duration = end - at;
                sc.steps.push_back(c);
                break;
            }
            case 3: {  // crash, then restart
                std::string s = crashable[rng.below(crashable.size())];
                Step c = make(Action::crash, at);
                c.system = s;
                c.silent = rng.chance(0.3);
                sc.steps.push_back(c);
                Step r = make(Action::restart, end);
                r.system = s;
                sc.steps.push_back(r);
                break;
            }
            default: {  // pause, then resume
                std::string s = crashable[rng.below(crashable.size())];
                Step p = make(Action::pause, at);
                p.system = s;
                sc.steps.push_back(p);
                Step r = make(Action::resume, end);
                r.system = s;
                sc.steps.push_back(r);
                break;
            }
        }
    }
    // Liveness phase: every fault healed.
    sc.steps.push_back(make(Action::heal_all, safety));
    for (auto const& [pair, yes] : degraded) {
        engine::LinkParams p = original(pair.first, pair.second);
        Step l = make(Action::link, safety);
        l.from = pair.first;
        l.to = pair.second;
        l.both_ways = false;
        l.loss = p.loss;
        l.duplicate = p.duplicate;
        sc.steps.push_back(l);
    }
    std::stable_sort(sc.steps.begin(), sc.steps.end(),
                     [](Step const& x, Step const& y) { return x.at < y.at; });
    return sc;
}

Result<std::vector<SwarmSeedResult>> run_swarm(Scenario const& scenario,
                                               SwarmOptions const& options) {
    if (options.shard_count == 0 || options.shard_index >= options.shard_count)
        return fail(Errc::invalid_argument, "swarm: shard must be i/n with 0 <= i < n");
    std::vector<SwarmSeedResult> out;
    std::uint64_t total = 0;
    for (std::uint64_t i = 0; i < options.seeds; ++i)
        total += i % options.shard_count == options.shard_index ? 1u : 0u;
    std::uint64_t done = 0;
    std::string path =
        options.command_path.empty() ? scenario.folder.string() : options.command_path;
    for (std::uint64_t i = 0; i < options.seeds; ++i) {
        if (i % options.shard_count != options.shard_index)
            continue;
        std::uint64_t seed = options.first_seed + i;
        Scenario sc = swarm_scenario(scenario, seed);
        RunOptions ro;
        ro.seed = seed;
        ro.registry = options.registry;
        ro.liveness_start = scenario.swarm.safety;
        ro.only_expectations = scenario.swarm.expect;
        if (!options.out_dir.empty())
            ro.out_dir = options.out_dir / ("seed-" + std::to_string(seed));
        ro.reproduce = "nsslab swarm " + path + " --seed " + std::to_string(seed);
        auto r = run_scenario(sc, ro);
        if (!r)
            return r.error();
        if (r->passed && !ro.out_dir.empty() && !options.keep_passing_files) {
            std::error_code ec;
            std::filesystem::remove_all(ro.out_dir, ec);  // keep only failing seeds' files
        }
        ++done;
        if (options.progress)
            options.progress(done, total, *r);
        out.push_back(SwarmSeedResult{seed, std::move(*r), ro.reproduce});
    }
    return out;
}

}  // namespace nsslab::harness
