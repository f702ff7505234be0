// The scenario catalogue (scenarios/) as test parameters: every scenario file, and a GoogleTest
// name for each ("nss_failover_to_backup").
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "nsslab/harness/scenario.hpp"

namespace nsslab::harness {

inline std::vector<std::filesystem::path> catalogue() {
    return find_scenarios(std::filesystem::path(NSSLAB_SOURCE_DIR) / "scenarios");
}

inline std::string scenario_test_name(std::filesystem::path const& scenario) {
    std::filesystem::path folder =
        scenario.extension() == ".toml" ? scenario.parent_path() : scenario;
    std::string name = folder.parent_path().filename().string() + "_" + folder.filename().string();
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)))
            c = '_';
    return name;
}

inline std::string test_name(::testing::TestParamInfo<std::filesystem::path> const& info) {
    return scenario_test_name(info.param);
}

}  // namespace nsslab::harness
