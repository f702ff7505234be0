#include "nsslab/reports/json_summary.hpp"

#include <nlohmann/json.hpp>

namespace nsslab::reports {

Result<void> write_text_file(std::filesystem::path const& file, std::string const& text);

std::string json_summary(RunReport const& report) {
    nlohmann::ordered_json root;
    root["title"] = report.title;
    root["scenarios_total"] = report.scenarios.size();
    root["scenarios_failed"] = report.failed();
    root["passed"] = report.failed() == 0;
    auto& list = root["scenarios"] = nlohmann::ordered_json::array();
    for (auto const& s : report.scenarios) {
        nlohmann::ordered_json j;
        j["name"] = s.name;
        j["path"] = s.path;
        j["seed"] = s.seed;
        j["passed"] = s.passed;
        j["failure"] = s.failure;
        j["virtual_time"] = format_virtual_time(s.duration_ns);
        j["virtual_time_ns"] = s.duration_ns;
        j["events"] = s.events;
        j["trace_lines"] = s.trace_lines;
        j["trace_hash"] = s.trace_hash;
        j["packets"] = s.packets;
        j["packets_dropped"] = s.packets_dropped;
        j["reproduce"] = s.reproduce;
        auto& ex = j["expectations"] = nlohmann::ordered_json::array();
        for (auto const& e : s.expectations)
            ex.push_back({{"name", e.name},
                          {"where", e.where},
                          {"passed", e.passed},
                          {"reason", e.reason},
                          {"time", format_virtual_time(e.time_ns)},
                          {"time_ns", e.time_ns}});
        auto& files = j["files"] = nlohmann::ordered_json::object();
        for (auto const& [label, path] : s.files)
            files[label] = path;
        list.push_back(std::move(j));
    }
    // Invalid UTF-8 in a name or reason is replaced, never thrown about.
    return root.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

Result<void> write_json_summary(RunReport const& report, std::filesystem::path const& file) {
    return write_text_file(file, json_summary(report));
}

}  // namespace nsslab::reports
