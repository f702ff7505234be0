// JUnit XML for CI (DESIGN.md: "CI conformance runs ... JUnit XML out"): one <testsuite> per
// run, one <testcase> per scenario; a failed scenario's <failure> names each failing
// expectation with its virtual time and reason, or the run-level failure.
#pragma once

#include <filesystem>
#include <string>

#include "nsslab/base/result.hpp"
#include "nsslab/reports/run_report.hpp"

namespace nsslab::reports {

std::string junit_xml(RunReport const& report);
Result<void> write_junit(RunReport const& report, std::filesystem::path const& file);

// Escapes &, <, >, " and ' for XML text and attributes; drops characters XML 1.0 forbids.
std::string xml_escape(std::string_view text);

}  // namespace nsslab::reports
