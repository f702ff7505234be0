// The tcp-probe process type: connects, sends its bytes, traces what comes back and how the
// connection ends; argument errors name the argument.
#include <gtest/gtest.h>

#include "nsslab/harness/process_registry.hpp"
#include "nsslab/harness/runner.hpp"
#include "nsslab/harness/scenario.hpp"

namespace nsslab::harness {
namespace {

std::string scenario(std::string const& probe_args, std::string const& rest) {
    return R"T(
[scenario]
name = "probe"
duration = "20s"

[[system]]
name = "SYSTEMA"
addresses = ["10.9.0.1"]

  [[system.process]]
  type = "tcp-probe"
  name = "PROBE"
  args = )T" +
           probe_args +
           R"T(

[[system]]
name = "SYSTEMB"
addresses = ["10.9.0.2"]

  [[system.process]]
  type = "selftest-echo-server"
  name = "ECHO"
)T" + rest;
}

Result<ScenarioResult> run(std::string const& text) {
    auto s = parse_scenario(text, "probe.toml", ".", &ProcessRegistry::builtin());
    if (!s)
        return s.error();
    return run_scenario(*s, RunOptions{});
}

TEST(TcpProbe, SendsItsBytesAndTracesTheEcho) {
    auto r = run(scenario(R"({ server = "10.9.0.2:7", send = "hello\n", timeout = "5s" })", R"T(
[[expect]]
name = "connected once"
event = "probe.connected"
details = { server = "10.9.0.2:7", attempt = "1" }
count = 1

[[expect]]
name = "sent 6 bytes"
event = "probe.sent"
details = { bytes = "6" }
count = 1

[[expect]]
name = "the echo comes back"
event = "probe.received"
details = { bytes = "6", hex = "68656c6c6f0a" }
count = 1

[[expect]]
name = "the probe gives up after its timeout"
event = "probe.disconnected"
details = { why = "timeout", by = "probe", received = "6" }
after = "5s"
before = "5s"
count = 1

[[step]]
at = "10s"
action = "operator"
system = "SYSTEMA"
process = "PROBE"
command = "DISPLAY"

[[expect]]
name = "display"
output_contains = "CONNECTS 1 SENT 6 RECEIVED 6 LAST END timeout"
)T"));
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_TRUE(r->passed) << r->describe();
}

TEST(TcpProbe, SendHexAndDelayAndOperatorConnect) {
    auto r = run(scenario(
        R"({ server = "10.9.0.2:7", send_hex = "16030100", delay = "2s", timeout = "1s" })",
        R"T(
[[step]]
at = "8s"
action = "operator"
system = "SYSTEMA"
process = "PROBE"
command = "CONNECT"

[[expect]]
name = "first connect after the delay"
event = "probe.connecting"
before = "2s"
after = "2s"
count = 1

[[expect]]
name = "bytes given in hex"
event = "probe.received"
details = { hex = "16030100" }
count = 2

[[expect]]
name = "CONNECT starts a second probe"
event = "probe.connected"
details = { attempt = "2" }
after = "8s"
count = 1
)T"));
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_TRUE(r->passed) << r->describe();
}

TEST(TcpProbe, RefusedWhenNothingListens) {
    auto r = run(scenario(R"({ server = "10.9.0.2:4159", send = "x" })", R"T(
[[expect]]
name = "refused by the peer"
event = "probe.disconnected"
details = { why = "refused", by = "peer", received = "0" }
count = 1

[[expect]]
name = "nothing sent"
event = "probe.sent"
never = true
)T"));
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_TRUE(r->passed) << r->describe();
}

TEST(TcpProbe, ArgumentErrorsNameTheArgument) {
    auto bad = [](std::string const& args) {
        auto r = run(scenario(args, ""));
        if (!r)
            return r.error().what();
        return r->failure;
    };
    EXPECT_NE(bad(R"({ send = "x" })").find("needs args.server"), std::string::npos);
    EXPECT_NE(bad(R"({ server = "10.9.0.2:7", sned = "x" })").find("did you mean 'send'?"),
              std::string::npos);
    EXPECT_NE(bad(R"({ server = "10.9.0.2:7", send = "x", send_hex = "00" })").find("not both"),
              std::string::npos);
    EXPECT_NE(bad(R"({ server = "10.9.0.2:7", send_hex = "0g" })").find("bad send_hex"),
              std::string::npos);
    EXPECT_NE(bad(R"({ server = "10.9.0.2:7", timeout = "0s" })").find("bad timeout"),
              std::string::npos);
    EXPECT_NE(bad(R"({ server = "nowhere" })").find("bad server"), std::string::npos);
}

}  // namespace
}  // namespace nsslab::harness
