#include "nsslab/reports/junit.hpp"

#include <cstdio>
#include <fstream>

namespace nsslab::reports {

std::string format_virtual_time(std::int64_t ns) {
    char buf[48];
    bool neg = ns < 0;
    std::uint64_t a =
        neg ? static_cast<std::uint64_t>(-(ns + 1)) + 1 : static_cast<std::uint64_t>(ns);
    std::snprintf(buf, sizeof buf, "%s%llu.%09llus", neg ? "-" : "",
                  static_cast<unsigned long long>(a / 1'000'000'000),
                  static_cast<unsigned long long>(a % 1'000'000'000));
    return buf;
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                if (u < 0x20 && c != '\n' && c != '\t' && c != '\r')
                    out += '?';
                else
                    out += c;
        }
    }
    return out;
}

std::string junit_xml(RunReport const& report) {
    double total_seconds = 0;
    for (auto const& s : report.scenarios)
        total_seconds += s.wall_seconds;
    std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", total_seconds);
    x += "<testsuites name=\"" + xml_escape(report.title) + "\" tests=\"" +
         std::to_string(report.scenarios.size()) + "\" failures=\"" +
         std::to_string(report.failed()) + "\" time=\"" + buf + "\">\n";
    x += "  <testsuite name=\"scenarios\" tests=\"" + std::to_string(report.scenarios.size()) +
         "\" failures=\"" + std::to_string(report.failed()) + "\" errors=\"0\" time=\"" + buf +
         "\">\n";
    for (auto const& s : report.scenarios) {
        std::snprintf(buf, sizeof buf, "%.3f", s.wall_seconds);
        x += "    <testcase classname=\"nsslab.scenario\" name=\"" + xml_escape(s.name) +
             "\" file=\"" + xml_escape(s.path) + "\" time=\"" + buf + "\">\n";
        if (!s.passed) {
            std::string message;
            std::string body;
            if (!s.failure.empty()) {
                message = s.failure;
                body += s.failure + "\n";
            }
            for (auto const& e : s.expectations) {
                if (e.passed)
                    continue;
                std::string line = "expectation '" + e.name +
                                   "' failed at t=" + format_virtual_time(e.time_ns) + ": " +
                                   e.reason;
                if (message.empty())
                    message = line;
                body += line + " (" + e.where + ")\n";
            }
            body += "reproduce: " + s.reproduce + "\n";
            x += "      <failure message=\"" + xml_escape(message) + "\" type=\"expectation\">" +
                 xml_escape(body) + "</failure>\n";
        }
        std::string out = "seed " + std::to_string(s.seed) + ", trace hash " + s.trace_hash + ", " +
                          std::to_string(s.events) + " events\n";
        for (auto const& e : s.expectations)
            out += std::string(e.passed ? "PASS " : "FAIL ") + e.name +
                   " at t=" + format_virtual_time(e.time_ns) + ": " + e.reason + "\n";
        for (auto const& [label, path] : s.files)
            out += label + ": " + path + "\n";
        x += "      <system-out>" + xml_escape(out) + "</system-out>\n";
        x += "    </testcase>\n";
    }
    x += "  </testsuite>\n</testsuites>\n";
    return x;
}

Result<void> write_text_file(std::filesystem::path const& file, std::string const& text) {
    std::error_code ec;
    if (file.has_parent_path())
        std::filesystem::create_directories(file.parent_path(), ec);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out)
        return fail(Errc::io_error, "cannot write " + file.string());
    out << text;
    out.flush();
    if (!out)
        return fail(Errc::io_error, "error writing " + file.string());
    return {};
}

Result<void> write_junit(RunReport const& report, std::filesystem::path const& file) {
    return write_text_file(file, junit_xml(report));
}

}  // namespace nsslab::reports
