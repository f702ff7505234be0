// The machine-readable summary of a run (summary.json): per scenario the outcome, seed, trace
// hash, counts, files and each expectation with its verdict, reason and virtual time. The
// sequence diagram data is left out (it is in the HTML report).
#pragma once

#include <filesystem>
#include <string>

#include "nsslab/base/result.hpp"
#include "nsslab/reports/run_report.hpp"

namespace nsslab::reports {

std::string json_summary(RunReport const& report);
Result<void> write_json_summary(RunReport const& report, std::filesystem::path const& file);

}  // namespace nsslab::reports
