// Expectation semantics: each predicate kind, passing and failing, with reasons and times.
#include <gtest/gtest.h>

#include "nsslab/harness/expectations.hpp"

namespace nsslab::harness {
namespace {

using namespace std::chrono_literals;

TimePoint const origin = time_from_unix_seconds(1767225600);

TraceRecord rec(Duration t, std::string node, Event e) {
    return TraceRecord{origin + t, std::move(node), std::move(e)};
}

std::vector<TraceRecord> trace() {
    return {
        rec(1s, "A", Event("tcp.established").with("remote", "10.1.1.2:7")),
        rec(2s, "A", Event("selftest.echo").with("line", "ping 0")),
        rec(3s, "B", Event("selftest.echo").with("line", "ping 1")),
        rec(4s, "A", Event("selftest.disconnected").with("why", "echo timeout").with("n", 3)),
        rec(9s, "A", Event("selftest.echo").with("line", "ping 2")),
    };
}

EvaluationWindow window() {
    return EvaluationWindow{origin, std::nullopt, 10s};
}

ExpectationResult eval(ExpectSpec spec, EvaluationWindow w = window()) {
    auto t = trace();
    if (spec.name.empty())
        spec.name = spec.describe();
    return evaluate(spec, t, w);
}

TEST(Expectations, HappenedAtLeastOnce) {
    ExpectSpec s;
    s.event = "selftest.echo";
    auto r = eval(s);
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.matched, 3u);
    EXPECT_EQ(r.time, 2s);  // the first match decided it
    s.event = "selftest.connected";
    r = eval(s);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.time, 10s);
    EXPECT_NE(r.reason.find("never happened"), std::string::npos) << r.reason;
}

TEST(Expectations, Never) {
    ExpectSpec s;
    s.event = "selftest.disconnected";
    s.never = true;
    auto r = eval(s);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.time, 4s);  // when it happened
    EXPECT_NE(r.reason.find("happened at 4s"), std::string::npos) << r.reason;
    s.event = "host.crash";
    EXPECT_TRUE(eval(s).passed);
}

TEST(Expectations, ExactCountAndRange) {
    ExpectSpec s;
    s.event = "selftest.echo";
    s.count = 3;
    EXPECT_TRUE(eval(s).passed);
    s.count = 2;
    auto r = eval(s);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.time, 9s);  // the third match broke "exactly 2"
    EXPECT_NE(r.reason.find("expected exactly 2, found 3 matches"), std::string::npos) << r.reason;
    s.count.reset();
    s.min = 4;
    EXPECT_FALSE(eval(s).passed);
    s.min = 1;
    s.max = 2;
    EXPECT_FALSE(eval(s).passed);
    s.max = 3;
    EXPECT_TRUE(eval(s).passed);
}

TEST(Expectations, TimeWindowAndNode) {
    ExpectSpec s;
    s.event = "selftest.echo";
    s.after = 2500ms;
    s.before = 8s;
    auto r = eval(s);
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.matched, 1u);
    s.node = "A";
    r = eval(s);
    EXPECT_FALSE(r.passed);
    EXPECT_NE(r.reason.find("occurred 3 times without the node/time/detail filters"),
              std::string::npos)
        << r.reason;
}

TEST(Expectations, FieldMatchers) {
    ExpectSpec s;
    s.event = "selftest.disconnected";
    s.matchers = {{"why", MatchKind::equals, "echo timeout"}};
    EXPECT_TRUE(eval(s).passed);
    s.matchers = {{"why", MatchKind::equals, "echo"}};
    EXPECT_FALSE(eval(s).passed);
    s.matchers = {{"why", MatchKind::contains, "timeout"}};
    EXPECT_TRUE(eval(s).passed);
    s.matchers = {{"why", MatchKind::regex, "^echo (timeout|reset)$"}};
    EXPECT_TRUE(eval(s).passed);
    s.matchers = {{"why", MatchKind::regex, "^reset"}};
    EXPECT_FALSE(eval(s).passed);
    s.matchers = {{"n", MatchKind::equals, "3"}};  // numbers compare as decimal text
    EXPECT_TRUE(eval(s).passed);
    s.matchers = {{"missing", MatchKind::contains, ""}};  // an absent field never matches
    EXPECT_FALSE(eval(s).passed);
}

TEST(Expectations, LivenessWindow) {
    ExpectSpec s;
    s.event = "selftest.echo";
    s.liveness_window = true;
    s.min = 2;
    EXPECT_TRUE(eval(s).passed);  // no liveness phase: the whole run
    auto w = window();
    w.liveness_start = 5s;
    EXPECT_FALSE(eval(s, w).passed);  // only ping 2 is in the liveness phase
    s.min = 1;
    EXPECT_TRUE(eval(s, w).passed);
}

TEST(Expectations, DescribeReadsAsASentence) {
    ExpectSpec s;
    s.event = "operator.output";
    s.node = "SYSTEMA";
    s.matchers = {{"line", MatchKind::contains, "EZD1136I"}};
    s.min = 1;
    s.max = 2;
    s.after = 1500ms;
    EXPECT_EQ(s.describe(),
              "operator.output on SYSTEMA with line contains 'EZD1136I' 1 to 2 times after 1.5s");
}

}  // namespace
}  // namespace nsslab::harness
