// The runner: determinism, files, the self-test scenarios, operator commands, errors, swarm.
#include "nsslab/harness/runner.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "nsslab/harness/process_registry.hpp"
#include "nsslab/harness/swarm.hpp"

namespace nsslab::harness {
namespace {

using namespace std::chrono_literals;

std::filesystem::path source(std::string const& rel) {
    return std::filesystem::path(NSSLAB_SOURCE_DIR) / rel;
}

std::filesystem::path temp_dir(std::string const& name) {
    auto d = std::filesystem::temp_directory_path() /
             ("nsslab-runner-test-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(d);
    return d;
}

Scenario load(std::string const& rel) {
    auto s = load_scenario(source(rel), &ProcessRegistry::builtin());
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? *s : Scenario{};
}

std::string const two_systems = R"T(
[scenario]
name = "inline"
duration = "10s"

[[system]]
name = "SYSTEMA"
addresses = ["10.9.0.1"]

  [[system.process]]
  type = "selftest-echo-client"
  name = "CLIENT"
  args = { server = "10.9.0.2:7" }

[[system]]
name = "SYSTEMB"
addresses = ["10.9.0.2"]

  [[system.process]]
  type = "selftest-echo-server"
  name = "ECHO"
)T";

TEST(Runner, SameScenarioAndSeedGiveTheSameTraceHash) {
    Scenario s = load("scenarios/selftest/lossy-link");
    RunOptions o;
    auto a = run_scenario(s, o);
    auto b = run_scenario(s, o);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->trace_hash, b->trace_hash);
    EXPECT_EQ(a->events, b->events);
    EXPECT_GT(a->trace_lines, 50u);
    o.seed = s.seed + 1;
    auto c = run_scenario(s, o);
    ASSERT_TRUE(c);
    EXPECT_NE(a->trace_hash, c->trace_hash);  // the lossy link draws differently
}

TEST(Runner, WritesTraceCaptureAndKeyLogWithTheSameHash) {
    Scenario s = load("scenarios/selftest/echo-basic");
    RunOptions o;
    auto memory_only = run_scenario(s, o);
    o.out_dir = temp_dir("files");
    auto r = run_scenario(s, o);
    ASSERT_TRUE(r && memory_only);
    EXPECT_EQ(r->trace_hash, memory_only->trace_hash);
    ASSERT_TRUE(std::filesystem::exists(r->trace_path));
    EXPECT_GT(std::filesystem::file_size(r->capture_path), 100u);
    EXPECT_TRUE(std::filesystem::exists(r->keylog_path));
    std::ifstream in(r->trace_path);
    std::uint64_t lines = 0;
    for (std::string line; std::getline(in, line);)
        ++lines;
    EXPECT_EQ(lines, r->trace_lines);
    EXPECT_TRUE(std::filesystem::exists(r->ike_keys_path));  // empty: no IKE in this scenario
    EXPECT_EQ(r->report.files.size(), 4u);
    std::filesystem::remove_all(o.out_dir);
}

TEST(Runner, SelfTestScenariosPass) {
    for (auto const& p : find_scenarios(source("scenarios/selftest"))) {
        auto s = load_scenario(p, &ProcessRegistry::builtin());
        ASSERT_TRUE(s) << s.error().message;
        auto r = run_scenario(*s, RunOptions{});
        ASSERT_TRUE(r);
        EXPECT_TRUE(r->passed) << r->describe();
        EXPECT_FALSE(r->expectations.empty());
        EXPECT_GT(r->report.arrows_total, 0u);
        EXPECT_LE(r->report.arrows.size(), 500u);
    }
}

TEST(Runner, BrokenExpectationFailsWithReasonAndTime) {
    Scenario s = load("tests/harness/data/broken-expectation");
    auto r = run_scenario(s, RunOptions{});
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->passed);
    ASSERT_EQ(r->expectations.size(), 2u);
    EXPECT_TRUE(r->expectations[0].passed);
    EXPECT_FALSE(r->expectations[1].passed);
    EXPECT_GT(r->expectations[1].time, 0s);
    EXPECT_NE(r->describe().find("expectation 'deliberately wrong: no echo ever' failed at t="),
              std::string::npos)
        << r->describe();
}

TEST(Runner, OperatorCommandsAreTracedAndMatched) {
    auto s = parse_scenario(two_systems + R"T(
[[step]]
at = "2s"
action = "operator"
system = "SYSTEMB"
process = "ECHO"
command = "DISPLAY"

[[step]]
at = "3s"
action = "operator"
system = "SYSTEMB"
process = "ECHO"
command = "FLY"

[[step]]
at = "4s"
action = "stop"
system = "SYSTEMA"
process = "CLIENT"

[[step]]
at = "5s"
action = "operator"
system = "SYSTEMA"
process = "CLIENT"
command = "DISPLAY"

[[expect]]
name = "display"
output_contains = "ECHO SERVER PORT 7"
command = "DISPLAY"

[[expect]]
name = "unknown command refused"
event = "operator.result"
details = { command = "FLY", ok = false }

[[expect]]
name = "stopped process"
event = "operator.result"
node = "SYSTEMA"
details = { reason = "process not running" }
after = "5s"
)T",
                            "inline.toml", ".", &ProcessRegistry::builtin());
    ASSERT_TRUE(s) << s.error().message;
    auto r = run_scenario(*s, RunOptions{});
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->passed) << r->describe();
    EXPECT_EQ(r->expectations[0].time, 2s);
}

// `racf COMMAND` at a daemon's console: a good command changes RACF and returns RACF's messages;
// a command RACF rejects fails with the reason, changes nothing, and the daemon keeps serving.
// A scenario with one NSS server, SYSTEMB's NSSD, from the nsscert-host-denied files; `args`
// is a TOML inline table or empty.
std::string nssd_scenario(char const* name, char const* duration, std::string const& args = {}) {
    return std::string("[scenario]\nname = \"") + name + "\"\nduration = \"" + duration +
           "\"\n\n[[system]]\nname = \"SYSTEMB\"\naddresses = [\"9.1.1.1\"]\n\n"
           "  [[system.process]]\n  type = \"nssd\"\n  name = \"NSSD\"\n"
           "  config = [\"nssd.conf\", \"nssd-SYSTEMB.racf\"]\n" +
           (args.empty() ? std::string() : "  args = " + args + "\n");
}

TEST(Runner, RacfConsoleCommandAppliesOrRejectsWithTheReason) {
    auto s = parse_scenario(nssd_scenario("racf-console", "10s") + R"T(
[[step]]
at = "1s"
action = "operator"
system = "SYSTEMB"
process = "NSSD"
command = "racf PERMIT EZB.NSSCERT.SYSTEMB.OTHER_CERT.HOST CLASS(SERVAUTH) ID(A1S1) ACCESS(READ)"

[[step]]
at = "2s"
action = "operator"
system = "SYSTEMB"
process = "NSSD"
command = "racf FROBNICATE A1S1"

[[step]]
at = "3s"
action = "operator"
system = "SYSTEMB"
process = "NSSD"
command = "nssctl -d"

[[expect]]
name = "PERMIT on a RACLISTed class answers ICH10006I"
output_contains = "ICH10006I"
command = "racf PERMIT EZB.NSSCERT.SYSTEMB.OTHER_CERT.HOST CLASS(SERVAUTH) ID(A1S1) ACCESS(READ)"

[[expect]]
name = "the PERMIT succeeded"
event = "operator.result"
details = { command = "racf PERMIT EZB.NSSCERT.SYSTEMB.OTHER_CERT.HOST CLASS(SERVAUTH) ID(A1S1) ACCESS(READ)", ok = true }
count = 1

[[expect]]
name = "an unknown RACF command fails"
event = "operator.result"
details = { command = "racf FROBNICATE A1S1", ok = false }
count = 1

[[expect]]
name = "the failure names the command"
event = "operator.output"
details = { command = "racf FROBNICATE A1S1" }
contains = { line = "FROBNICATE" }
min = 1

[[expect]]
name = "the daemon keeps serving"
event = "operator.result"
details = { command = "nssctl -d", ok = true }
count = 1
)T",
                            "inline.toml", source("scenarios/nss/nsscert-host-denied"),
                            &ProcessRegistry::builtin());
    ASSERT_TRUE(s) << s.error().message;
    auto r = run_scenario(*s, RunOptions{});
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->passed) << r->describe();
}

// The nssd CPU-time args: a value that is not a duration fails the run naming the process,
// the argument and the value.
TEST(Runner, NssdCpuTimeArgumentsAreDurations) {
    auto run = [&](char const* args) {
        auto s = parse_scenario(nssd_scenario("nssd-cpu", "1s", args), "inline.toml",
                                source("scenarios/nss/nsscert-host-denied"),
                                &ProcessRegistry::builtin());
        EXPECT_TRUE(s) << s.error().message;
        auto r = run_scenario(*s, RunOptions{});
        EXPECT_TRUE(r);
        return *r;
    };
    EXPECT_TRUE(run(R"({ handshake_time = "800us", register_time = "200us" })").passed);
    auto bad = run(R"({ handshake_time = "fast" })");
    EXPECT_FALSE(bad.passed);
    EXPECT_NE(bad.failure.find("nssd process NSSD: handshake_time 'fast' is not a duration"),
              std::string::npos)
        << bad.failure;
}

TEST(Runner, UnknownProcessTypeFailsTheRunClearly) {
    auto s = parse_scenario(two_systems, "inline.toml", ".");  // not checked at load
    ASSERT_TRUE(s);
    ProcessRegistry empty;
    RunOptions o;
    o.registry = &empty;
    auto r = run_scenario(*s, o);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->passed);
    EXPECT_NE(r->failure.find("inline.toml:10:3: SYSTEMA/CLIENT: unknown process type "
                              "'selftest-echo-client'"),
              std::string::npos)
        << r->failure;
}

TEST(Runner, FactoryErrorsNameTheProcess) {
    auto s = parse_scenario(two_systems + R"T(
  [[system.process]]
  type = "selftest-echo-client"
  name = "BAD"
  args = { sever = "1.2.3.4:5" }
)T",
                            "inline.toml", ".");
    ASSERT_TRUE(s) << s.error().message;
    auto r = run_scenario(*s, RunOptions{});
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->passed);
    EXPECT_NE(r->failure.find("unknown argument 'sever'; did you mean 'server'?"),
              std::string::npos)
        << r->failure;
}

TEST(Swarm, FaultScheduleIsDrawnFromTheSeed) {
    Scenario s = load("scenarios/selftest/partition-heal");
    Scenario a = swarm_scenario(s, 5);
    Scenario b = swarm_scenario(s, 5);
    Scenario c = swarm_scenario(s, 6);
    ASSERT_EQ(a.steps.size(), b.steps.size());
    for (std::size_t i = 0; i < a.steps.size(); ++i)
        EXPECT_EQ(a.steps[i].describe(), b.steps[i].describe());
    std::string da;
    std::string dc;
    for (auto const& st : a.steps)
        da += st.describe() + ";";
    for (auto const& st : c.steps)
        dc += st.describe() + ";";
    EXPECT_NE(da, dc);
    EXPECT_EQ(a.duration, s.swarm.safety + s.swarm.liveness);
    bool heal_all_at_safety = false;
    for (auto const& st : a.steps) {
        EXPECT_NE(st.action == Action::crash ? st.system : "", "SYSTEMA");  // essential
        heal_all_at_safety |= st.action == Action::heal_all && st.at == s.swarm.safety;
    }
    EXPECT_TRUE(heal_all_at_safety);
}

TEST(Swarm, SeedsRunWithShardsAndReproduceLines) {
    Scenario s = load("scenarios/selftest/partition-heal");
    SwarmOptions o;
    o.first_seed = 1;
    o.seeds = 4;
    o.shard_index = 1;
    o.shard_count = 2;
    o.command_path = "scenarios/selftest/partition-heal";
    auto r = run_swarm(s, o);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].seed, 2u);
    EXPECT_EQ((*r)[1].seed, 4u);
    EXPECT_EQ((*r)[0].reproduce, "nsslab swarm scenarios/selftest/partition-heal --seed 2");
    for (auto const& x : *r) {
        EXPECT_TRUE(x.result.passed) << x.result.describe();
        ASSERT_EQ(x.result.expectations.size(), 1u);  // [swarm] expect = ["converged"]
    }
    o.shard_index = 2;
    EXPECT_FALSE(run_swarm(s, o));
}

}  // namespace
}  // namespace nsslab::harness

namespace nsslab::harness {
namespace {

TEST(Runner, ReportCarriesStepsAndKeyEventsForTheDiagram) {
    auto s =
        load_scenario(std::filesystem::path(NSSLAB_SOURCE_DIR) / "scenarios/selftest/crash-restart",
                      &ProcessRegistry::builtin());
    ASSERT_TRUE(s);
    auto r = run_scenario(*s, RunOptions{});
    ASSERT_TRUE(r);
    bool fault = false;
    bool crash_event = false;
    bool reconnect_event = false;
    for (auto const& m : r->report.marks) {
        fault |= m.kind == "fault" && m.label == "crash SYSTEMB" && m.time_ns == 5'000'000'000;
        crash_event |=
            m.kind == "event" && m.system == "SYSTEMB" && m.label.starts_with("host.crash");
        reconnect_event |= m.kind == "event" && m.label.starts_with("selftest.connected") &&
                           m.time_ns > 10'000'000'000;
    }
    EXPECT_TRUE(fault);
    EXPECT_TRUE(crash_event);
    EXPECT_TRUE(reconnect_event);
    EXPECT_EQ(r->report.systems, (std::vector<std::string>{"SYSTEMA", "SYSTEMB"}));
    EXPECT_FALSE(r->report.arrows.empty());
    EXPECT_EQ(r->report.arrows.front().from, "SYSTEMA");
}

}  // namespace
}  // namespace nsslab::harness
