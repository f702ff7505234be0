// One self-contained HTML report per run (no scripts, no external files): per scenario the
// outcome, each expectation's verdict, an inline SVG sequence diagram of the messages between
// systems over virtual time (one lifeline per system, an arrow per payload-carrying packet or
// key event, at most HtmlOptions::max_arrows with a note when truncated) and the faults and
// steps on a timeline.
#pragma once

#include <filesystem>
#include <string>

#include "nsslab/base/result.hpp"
#include "nsslab/reports/run_report.hpp"

namespace nsslab::reports {

struct HtmlOptions {
    std::size_t max_arrows{500};
};

std::string html_report(RunReport const& report, HtmlOptions const& options = {});
Result<void> write_html_report(RunReport const& report, std::filesystem::path const& file,
                               HtmlOptions const& options = {});

}  // namespace nsslab::reports
