// The nsslab commands end to end: exit codes and the files they write. Runs the built binary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

std::filesystem::path const binary = std::filesystem::path(NSSLAB_BINARY_DIR) / "harness/nsslab";
std::string const src = NSSLAB_SOURCE_DIR;

std::filesystem::path temp(std::string const& name) {
    auto d = std::filesystem::temp_directory_path() /
             ("nsslab-cli-test-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(d);
    return d;
}

// Runs `nsslab <args>` in the source tree; returns the exit status, output in `out`.
int nsslab(std::string const& args, std::string* out = nullptr) {
    auto log = temp("log");
    std::string cmd =
        "cd '" + src + "' && '" + binary.string() + "' " + args + " > '" + log.string() + "' 2>&1";
    int status = std::system(cmd.c_str());
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    if (out)
        *out = text.str();
    std::filesystem::remove(log);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(std::filesystem::path const& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class Cli : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!std::filesystem::exists(binary))
            GTEST_SKIP() << "build the nsslab target first: " << binary;
    }
};

TEST_F(Cli, RunFailsOnABrokenExpectationAndTheReportsSayWhy) {
    auto out = temp("broken");
    std::string text;
    EXPECT_EQ(nsslab("run tests/harness/data/broken-expectation --out " + out.string(), &text), 1)
        << text;
    EXPECT_NE(text.find("expectation 'deliberately wrong: no echo ever' failed at t="),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("report: " + (out / "report.html").string()), std::string::npos) << text;
    std::string junit = slurp(out / "junit.xml");
    EXPECT_NE(junit.find("failures=\"1\""), std::string::npos);
    EXPECT_NE(junit.find("deliberately wrong: no echo ever"), std::string::npos);
    std::string html = slurp(out / "report.html");
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find("deliberately wrong"), std::string::npos);
    EXPECT_TRUE(std::filesystem::exists(out / "broken-expectation" / "trace.jsonl"));
    EXPECT_TRUE(std::filesystem::exists(out / "broken-expectation" / "capture.pcapng"));
    EXPECT_TRUE(std::filesystem::exists(out / "summary.json"));
    std::filesystem::remove_all(out);
}

TEST_F(Cli, RunPassesOnAGoodScenario) {
    auto out = temp("good");
    std::string text;
    EXPECT_EQ(nsslab("run scenarios/selftest/echo-basic --out " + out.string(), &text), 0) << text;
    EXPECT_NE(text.find("1 of 1 scenarios passed"), std::string::npos) << text;
    std::filesystem::remove_all(out);
}

TEST_F(Cli, RunWithNothingToRunIsAnError) {
    auto empty = temp("empty");
    std::filesystem::create_directories(empty);
    EXPECT_EQ(nsslab("run " + empty.string() + " --out " + (empty / "out").string()), 2);
    std::filesystem::remove_all(empty);
}

TEST_F(Cli, ReplayIsReproducible) {
    auto out = temp("replay");
    std::string a;
    std::string b;
    EXPECT_EQ(nsslab("replay scenarios/selftest/crash-restart --seed 4 --out " + out.string(), &a),
              0)
        << a;
    EXPECT_EQ(nsslab("replay scenarios/selftest/crash-restart --seed 4 --out " + out.string(), &b),
              0)
        << b;
    auto hash = [](std::string const& t) { return t.substr(t.find("trace hash"), 28); };
    EXPECT_EQ(hash(a), hash(b));
    EXPECT_TRUE(std::filesystem::exists(out / "report.html"));
    std::filesystem::remove_all(out);
}

TEST_F(Cli, SwarmSeedsPass) {
    auto out = temp("swarm");
    std::string text;
    EXPECT_EQ(
        nsslab("swarm scenarios/selftest/partition-heal --seeds 2 --out " + out.string(), &text), 0)
        << text;
    EXPECT_NE(text.find("2 of 2 seeds passed"), std::string::npos) << text;
    EXPECT_EQ(nsslab("swarm scenarios/selftest/partition-heal --shard 3/2"), 2);
    std::filesystem::remove_all(out);
}

TEST_F(Cli, ValidateAndList) {
    std::string text;
    EXPECT_EQ(nsslab("validate", &text), 0) << text;
    EXPECT_EQ(nsslab("validate tests/harness/data/bad-key", &text), 1);
    EXPECT_NE(
        text.find("scenario.toml:12:1: unknown key 'dealy' in [[link]]; did you mean 'delay'?"),
        std::string::npos)
        << text;
    EXPECT_EQ(nsslab("list", &text), 0);
    EXPECT_NE(text.find("selftest-partition-heal"), std::string::npos) << text;
    EXPECT_NE(text.find("selftest-echo-client"), std::string::npos) << text;
    for (char const* cmd : {"run", "replay", "swarm", "list", "validate"})
        EXPECT_EQ(nsslab(std::string(cmd) + " --help"), 0) << cmd;
}

}  // namespace
