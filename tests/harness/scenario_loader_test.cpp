// Scenario loader: the format's values, and errors with file:line:column and hints.
#include <gtest/gtest.h>

#include "nsslab/harness/process_registry.hpp"
#include "nsslab/harness/scenario.hpp"

namespace nsslab::harness {
namespace {

using namespace std::chrono_literals;

std::string const base = R"T(
[scenario]
name = "t"
seed = 42
duration = "2m"

[[system]]
name = "SYSTEMA"
addresses = ["10.1.1.1"]
clock_offset = "-5m"
drift_ppm = 20.5

  [[system.process]]
  type = "selftest-echo-client"
  name = "CLIENT"
  args = { server = "10.1.1.2:7", interval = 2 }

[[system]]
name = "SYSTEMB"
addresses = ["10.1.1.2", "fd00::2"]

  [[system.process]]
  type = "selftest-echo-server"
)T";

Result<Scenario> parse(std::string const& extra, ProcessRegistry const* registry = nullptr) {
    return parse_scenario(base + extra, "x/scenario.toml", "x", registry);
}

TEST(ScenarioLoader, ReadsSystemsProcessesLinksStepsAndExpectations) {
    auto s = parse(R"T(
[[link]]
from = "SYSTEMA"
to = "SYSTEMB"
delay = "uniform(1ms, 3ms)"
loss = 0.25
mtu = 1400
both_ways = false

[[step]]
at = "12s"
action = "partition"
from = "SYSTEMA"
to = "SYSTEMB"
one_way = true

[[step]]
at = "500ms"
action = "operator"
system = "SYSTEMA"
process = "CLIENT"
command = "DISPLAY"

[[expect]]
event = "tcp.established"
node = "SYSTEMB"
details = { why = "eof" }
contains = { remote = "10.1" }
regex = { local = "^10\\." }
after = "1s"
before = "1m"
min = 2
max = 4
)T");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->name, "t");
    EXPECT_EQ(s->seed, 42u);
    EXPECT_EQ(s->duration, 120s);
    ASSERT_EQ(s->systems.size(), 2u);
    EXPECT_EQ(s->systems[0].clock_offset, -5min);
    EXPECT_DOUBLE_EQ(s->systems[0].drift_ppm, 20.5);
    EXPECT_EQ(s->systems[0].processes[0].args.at("interval"), "2");
    EXPECT_EQ(s->systems[1].processes[0].name, "SELFTEST-ECHO-SERVER");
    EXPECT_EQ(s->systems[1].addresses.size(), 2u);
    ASSERT_EQ(s->links.size(), 1u);
    EXPECT_EQ(s->links[0].params.delay.kind, engine::DelayDistribution::Kind::uniform);
    EXPECT_DOUBLE_EQ(s->links[0].params.loss, 0.25);
    EXPECT_EQ(s->links[0].params.mtu, 1400u);
    EXPECT_FALSE(s->links[0].both_ways);
    ASSERT_EQ(s->steps.size(), 2u);
    EXPECT_EQ(s->steps[0].action, Action::operator_command);  // sorted by time
    EXPECT_EQ(s->steps[0].at, 500ms);
    EXPECT_EQ(s->steps[1].action, Action::partition);
    EXPECT_TRUE(s->steps[1].one_way);
    ASSERT_EQ(s->expectations.size(), 1u);
    auto const& e = s->expectations[0];
    EXPECT_EQ(e.matchers.size(), 3u);
    EXPECT_EQ(*e.min, 2u);
    EXPECT_EQ(*e.max, 4u);
    EXPECT_EQ(*e.after, 1s);
    EXPECT_EQ(e.where.line, 47);
    EXPECT_NE(e.name.find("tcp.established on SYSTEMB"), std::string::npos);
}

TEST(ScenarioLoader, UnknownKeyNamesFileLineAndSuggestsTheKey) {
    auto s = parse(R"T(
[[link]]
from = "SYSTEMA"
to = "SYSTEMB"
dealy = "5ms"
)T");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("x/scenario.toml:28:1: unknown key 'dealy' in [[link]]; did "
                                     "you mean 'delay'?"),
              std::string::npos)
        << s.error().message;
}

TEST(ScenarioLoader, BadDurationsAreExplained) {
    auto s = parse(R"T(
[[step]]
at = "12 parsecs"
action = "heal_all"

[[step]]
at = 12
action = "heal_all"
)T");
    ASSERT_FALSE(s);
    auto const& m = s.error().message;
    EXPECT_NE(m.find("x/scenario.toml:26:6: 'at': bad duration '12 parsecs'"), std::string::npos)
        << m;
    EXPECT_NE(m.find("x/scenario.toml:30:6: 'at' must be a duration string"), std::string::npos)
        << m;
}

TEST(ScenarioLoader, UnknownActionSuggestsOne) {
    auto s = parse(R"T(
[[step]]
at = "1s"
action = "partiton"
from = "SYSTEMA"
to = "SYSTEMB"
)T");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("x/scenario.toml:27:10: unknown action 'partiton'; did you "
                                     "mean 'partition'?"),
              std::string::npos)
        << s.error().message;
}

TEST(ScenarioLoader, UnknownProcessTypeListsTheRegisteredOnes) {
    ProcessRegistry registry;
    register_selftest_process_types(registry);
    auto s = parse(R"T(
  [[system.process]]
  type = "nssd"
)T",
                   &registry);
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("unknown process type 'nssd'; registered types: "
                                     "selftest-echo-client, selftest-echo-server"),
              std::string::npos)
        << s.error().message;
}

TEST(ScenarioLoader, NamesAreChecked) {
    auto s = parse(R"T(
[[step]]
at = "1s"
action = "crash"
system = "SYSTEMC"

[[step]]
at = "2s"
action = "stop"
system = "SYSTEMA"
process = "CLIENTT"

[[step]]
at = "3s"
action = "heal_all"
system = "SYSTEMA"
)T");
    ASSERT_FALSE(s);
    auto const& m = s.error().message;
    EXPECT_NE(m.find("unknown system 'SYSTEMC'; did you mean 'SYSTEMA'?"), std::string::npos) << m;
    EXPECT_NE(m.find("has no process 'CLIENTT'; did you mean 'CLIENT'?"), std::string::npos) << m;
    EXPECT_NE(m.find("key 'system' does not apply to action 'heal_all'"), std::string::npos) << m;
}

TEST(ScenarioLoader, ExpectationConsistency) {
    auto s = parse(R"T(
[[expect]]
event = "x"
never = true
count = 2

[[expect]]
event = "y"
regex = { a = "(" }
)T");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("'never' cannot be combined"), std::string::npos);
    EXPECT_NE(s.error().message.find("bad regex '('"), std::string::npos);
}

TEST(ScenarioLoader, TomlSyntaxErrorHasALocation) {
    auto s = parse_scenario("[scenario\nname = 1\n", "y.toml", ".");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message.rfind("y.toml:1:", 0), 0u) << s.error().message;
}

TEST(ScenarioLoader, FileOnDiskReportsItsLine) {
    auto s = load_scenario(std::filesystem::path(NSSLAB_SOURCE_DIR) / "tests/harness/data/bad-key");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("bad-key/scenario.toml:12:1: unknown key 'dealy'"),
              std::string::npos)
        << s.error().message;
}

TEST(ScenarioLoader, EveryShippedScenarioIsValid) {
    auto root = std::filesystem::path(NSSLAB_SOURCE_DIR) / "scenarios";
    auto found = find_scenarios(root);
    EXPECT_GE(found.size(), 4u);
    for (auto const& p : found) {
        auto s = load_scenario(p, &ProcessRegistry::builtin());
        EXPECT_TRUE(s) << p << ": " << (s ? "" : s.error().message);
    }
}

TEST(Durations, ParseAndFormat) {
    EXPECT_EQ(*parse_duration("500ms"), 500ms);
    EXPECT_EQ(*parse_duration("12s"), 12s);
    EXPECT_EQ(*parse_duration("2m"), 2min);
    EXPECT_EQ(*parse_duration("1h"), 1h);
    EXPECT_EQ(*parse_duration("250us"), 250us);
    EXPECT_EQ(*parse_duration("1.5s"), 1500ms);
    EXPECT_EQ(*parse_duration("-5m"), -5min);
    EXPECT_FALSE(parse_duration("12"));
    EXPECT_FALSE(parse_duration("s"));
    EXPECT_FALSE(parse_duration("5 s"));
    EXPECT_FALSE(parse_duration("5d"));
    EXPECT_EQ(format_duration(1500ms), "1.5s");
    EXPECT_EQ(format_duration(2min), "2m");
    EXPECT_EQ(format_duration(Duration{0}), "0s");
    auto d = parse_delay("normal(5ms, 1ms)");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->kind, engine::DelayDistribution::Kind::normal);
    EXPECT_EQ(d->a, 5ms);
    EXPECT_EQ(d->b, 1ms);
    EXPECT_EQ(parse_delay("7ms")->kind, engine::DelayDistribution::Kind::fixed);
    EXPECT_FALSE(parse_delay("gauss(1ms, 2ms)"));
    EXPECT_FALSE(parse_delay("uniform(5ms, 1ms)"));
}

TEST(ProcessRegistryTest, RejectsDuplicatesAndHintsNames) {
    ProcessRegistry r;
    ASSERT_TRUE(r.add("nssd", "x", [](ProcessContext const&) -> Result<engine::AppFactory> {
        return engine::AppFactory{};
    }));
    EXPECT_FALSE(r.add("nssd", "y", nullptr));
    EXPECT_NE(r.unknown_type_message("nsd").find("did you mean 'nssd'?"), std::string::npos);
    EXPECT_EQ(closest("delya", {"delay", "loss"}), "delay");
    EXPECT_EQ(closest("zzzzzz", {"delay", "loss"}), "");
}

}  // namespace
}  // namespace nsslab::harness
