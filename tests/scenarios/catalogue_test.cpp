// Every scenario of the catalogue (scenarios/) passes with its own seed, and runs
// deterministically: the same scenario and seed give the same trace hash (issue 5 §4, §5).
#include "catalogue.hpp"

#include <gtest/gtest.h>

#include "nsslab/harness/runner.hpp"
#include "nsslab/harness/scenario.hpp"

namespace nsslab::harness {
namespace {

class Catalogue : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(Catalogue, PassesAndIsDeterministic) {
    auto scenario = load_scenario(GetParam());
    ASSERT_TRUE(scenario) << scenario.error().what();
    RunOptions options;  // no files: the run is judged in memory
    auto first = run_scenario(*scenario, options);
    ASSERT_TRUE(first) << first.error().what();
    EXPECT_TRUE(first->passed) << first->describe();
    auto second = run_scenario(*scenario, options);
    ASSERT_TRUE(second) << second.error().what();
    EXPECT_EQ(first->trace_hash, second->trace_hash) << "same scenario, same seed, different trace";
    EXPECT_EQ(first->trace_lines, second->trace_lines);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, Catalogue, ::testing::ValuesIn(catalogue()), test_name);

TEST(CatalogueContents, HasTheNssScenarios) {
    std::size_t nss = 0;
    for (auto const& p : catalogue())
        if (p.string().find("/scenarios/nss/") != std::string::npos)
            ++nss;
    EXPECT_GE(nss, 4u);
}

}  // namespace
}  // namespace nsslab::harness
