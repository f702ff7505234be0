// Report writers: JUnit XML, JSON summary and the HTML report with its SVG sequence diagram.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nsslab/base/std_regex.hpp"
#include "nsslab/reports/html_report.hpp"
#include "nsslab/reports/json_summary.hpp"
#include "nsslab/reports/junit.hpp"

namespace nsslab::reports {
namespace {

RunReport sample(std::size_t arrows = 3) {
    RunReport run;
    run.title = "suite <1>";
    ScenarioReport ok;
    ok.name = "good";
    ok.seed = 1;
    ok.passed = true;
    ok.trace_hash = "0123456789abcdef";
    ok.systems = {"SYSTEMA", "SYSTEMB"};
    ok.expectations.push_back({"echo flows", "a.toml:3:1", true, "first at 2s", 2'000'000'000});
    ok.duration_ns = 10'000'000'000;
    for (std::size_t i = 0; i < arrows; ++i)
        ok.arrows.push_back({static_cast<std::int64_t>(i) * 1000, i % 2 ? "SYSTEMB" : "SYSTEMA",
                             i % 2 ? "SYSTEMA" : "SYSTEMB", "TCP :1→:7 5B", i == 1});
    ok.arrows_total = arrows;
    ok.marks.push_back({5'000'000'000, "SYSTEMB", "crash SYSTEMB", "fault"});
    ScenarioReport bad;
    bad.name = "bad & ugly";
    bad.seed = 9;
    bad.passed = false;
    bad.systems = {"SYSTEMA"};
    bad.expectations.push_back({"no echo \"ever\"", "b.toml:7:1", false,
                                "happened at 1.5s (found 4 matches)", 1'500'000'000});
    bad.reproduce = "nsslab replay b --seed 9";
    run.scenarios = {ok, bad};
    return run;
}

TEST(JUnit, OneTestcasePerScenarioAndFailuresNameExpectationAndTime) {
    std::string x = junit_xml(sample());
    EXPECT_EQ(x.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u);
    EXPECT_NE(x.find("<testsuites name=\"suite &lt;1&gt;\" tests=\"2\" failures=\"1\""),
              std::string::npos)
        << x;
    std::regex testcase("<testcase ");
    EXPECT_EQ(
        std::distance(std::sregex_iterator(x.begin(), x.end(), testcase), std::sregex_iterator()),
        2);
    EXPECT_NE(x.find("<testcase classname=\"nsslab.scenario\" name=\"bad &amp; ugly\""),
              std::string::npos);
    EXPECT_NE(
        x.find("<failure message=\"expectation &apos;no echo &quot;ever&quot;&apos; failed at "
               "t=1.500000000s: happened at 1.5s (found 4 matches)\""),
        std::string::npos)
        << x;
    EXPECT_NE(x.find("reproduce: nsslab replay b --seed 9"), std::string::npos);
    EXPECT_EQ(x.find("<failure", x.find("name=\"good\"")), x.find("<failure"));  // only one
    // Well formed, when xmllint is there to say so.
    if (std::system("xmllint --version > /dev/null 2>&1") == 0) {
        auto file = std::filesystem::temp_directory_path() /
                    ("nsslab-junit-" + std::to_string(::getpid()) + ".xml");
        ASSERT_TRUE(write_junit(sample(), file));
        EXPECT_EQ(std::system(("xmllint --noout " + file.string()).c_str()), 0);
        std::filesystem::remove(file);
    }
}

TEST(JsonSummary, ParsesAndCarriesEveryVerdict) {
    auto j = nlohmann::json::parse(json_summary(sample()));
    EXPECT_EQ(j["scenarios_total"], 2);
    EXPECT_EQ(j["scenarios_failed"], 1);
    EXPECT_EQ(j["passed"], false);
    auto const& bad = j["scenarios"][1];
    EXPECT_EQ(bad["name"], "bad & ugly");
    EXPECT_EQ(bad["seed"], 9);
    EXPECT_EQ(bad["expectations"][0]["passed"], false);
    EXPECT_EQ(bad["expectations"][0]["time"], "1.500000000s");
    EXPECT_EQ(bad["expectations"][0]["time_ns"], 1'500'000'000);
    EXPECT_EQ(j["scenarios"][0]["trace_hash"], "0123456789abcdef");
}

std::size_t count(std::string const& text, std::string const& what) {
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1))
        ++n;
    return n;
}

TEST(HtmlReport, SelfContainedWithSequenceDiagramAndTimeline) {
    std::string h = html_report(sample());
    EXPECT_EQ(h.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_EQ(h.find("<script"), std::string::npos);
    EXPECT_EQ(h.find("src=\"http"), std::string::npos);
    EXPECT_GE(count(h, "<svg class=\"seq\""), 2u);
    EXPECT_EQ(count(h, "class=\"arrow\""), 3u);
    EXPECT_EQ(count(h, "class=\"lifeline\""), 3u);                     // two systems + one
    EXPECT_NE(h.find("stroke-dasharray=\"3 2\""), std::string::npos);  // the dropped one
    EXPECT_NE(h.find("crash SYSTEMB"), std::string::npos);
    EXPECT_NE(h.find("<svg class=\"timeline\""), std::string::npos);
    EXPECT_NE(h.find("no echo &quot;ever&quot;"), std::string::npos);
    EXPECT_NE(h.find("happened at 1.5s"), std::string::npos);
    EXPECT_EQ(h.find("more messages not drawn"), std::string::npos);
}

TEST(HtmlReport, ArrowsAreBoundedWithANote) {
    RunReport r = sample(40);
    r.scenarios[0].arrows_total = 1000;
    std::string h = html_report(r, HtmlOptions{25});
    EXPECT_EQ(count(h, "class=\"arrow\""), 25u);
    EXPECT_NE(h.find("975 more messages not drawn (first 25 of 1000 shown)"), std::string::npos);
}

}  // namespace
}  // namespace nsslab::reports
