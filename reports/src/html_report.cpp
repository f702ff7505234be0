#include "nsslab/reports/html_report.hpp"

#include <algorithm>
#include <map>

#include "nsslab/reports/junit.hpp"

namespace nsslab::reports {

Result<void> write_text_file(std::filesystem::path const& file, std::string const& text);

namespace {

std::string esc(std::string_view s) {
    return xml_escape(s);
}

constexpr int lane_width = 170;
constexpr int left_margin = 120;
constexpr int row_height = 16;
constexpr int header_height = 40;

// The sequence diagram: lifelines left to right, one row per arrow or mark, in time order.
std::string sequence_svg(ScenarioReport const& s, std::size_t max_arrows) {
    std::map<std::string, int> lane;
    for (std::size_t i = 0; i < s.systems.size(); ++i)
        lane[s.systems[i]] = static_cast<int>(i);
    struct Row {
        std::int64_t t;
        int order;  // marks before arrows at the same instant
        MessageArrow const* arrow;
        TimelineMark const* mark;
    };
    std::vector<Row> rows;
    std::size_t kept = 0;
    for (auto const& a : s.arrows) {
        if (kept >= max_arrows)
            break;
        if (!lane.contains(a.from) || !lane.contains(a.to))
            continue;
        rows.push_back({a.time_ns, 1, &a, nullptr});
        ++kept;
    }
    std::int64_t last_t = rows.empty() ? s.duration_ns : rows.back().t;
    bool truncated = s.arrows_total > kept;
    for (auto const& m : s.marks)
        if (!truncated || m.time_ns <= last_t)
            rows.push_back({m.time_ns, 0, nullptr, &m});
    std::stable_sort(rows.begin(), rows.end(), [](Row const& a, Row const& b) {
        return a.t != b.t ? a.t < b.t : a.order < b.order;
    });
    int width =
        left_margin + lane_width * static_cast<int>(std::max<std::size_t>(1, s.systems.size()));
    int height = header_height + row_height * static_cast<int>(rows.size() + 1) + 10;
    std::string o;
    o += "<svg class=\"seq\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
         std::to_string(width) + "\" height=\"" + std::to_string(height) +
         "\" font-family=\"monospace\" font-size=\"10\">\n";
    o += "<defs><marker id=\"ah\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" "
         "markerHeight=\"6\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" "
         "fill=\"#333\"/></marker></defs>\n";
    auto x_of = [&](std::string const& sys) {
        return left_margin + lane_width * lane[sys] + lane_width / 2;
    };
    for (auto const& sys : s.systems) {
        int x = x_of(sys);
        o += "<text x=\"" + std::to_string(x) +
             "\" y=\"20\" text-anchor=\"middle\" "
             "font-weight=\"bold\" font-size=\"12\">" +
             esc(sys) + "</text>\n";
        o += "<line class=\"lifeline\" x1=\"" + std::to_string(x) + "\" y1=\"28\" x2=\"" +
             std::to_string(x) + "\" y2=\"" + std::to_string(height - 5) +
             "\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n";
    }
    int y = header_height;
    for (auto const& r : rows) {
        y += row_height;
        o += "<text x=\"4\" y=\"" + std::to_string(y + 3) + "\" fill=\"#666\">" +
             esc(format_virtual_time(r.t)) + "</text>\n";
        if (r.arrow) {
            auto const& a = *r.arrow;
            int x1 = x_of(a.from);
            int x2 = x_of(a.to);
            if (x1 == x2) {
                o += "<path class=\"arrow\" d=\"M " + std::to_string(x1) + " " +
                     std::to_string(y - 4) +
                     " h 20 v 8 h -20\" fill=\"none\" stroke=\"#333\" marker-end=\"url(#ah)\"/>\n";
            } else {
                o += "<line class=\"arrow\" x1=\"" + std::to_string(x1) + "\" y1=\"" +
                     std::to_string(y) + "\" x2=\"" + std::to_string(x2) + "\" y2=\"" +
                     std::to_string(y) + "\" stroke=\"" + (a.dropped ? "#c00" : "#333") + "\"" +
                     (a.dropped ? " stroke-dasharray=\"3 2\"" : "") +
                     " marker-end=\"url(#ah)\"><title>" + esc(a.label) +
                     (a.dropped ? " (dropped)" : "") + "</title></line>\n";
            }
            int lx = std::min(x1, x2) + 6;
            o += "<text x=\"" + std::to_string(lx) + "\" y=\"" + std::to_string(y - 2) + "\">" +
                 esc(a.label.substr(0, 40)) + (a.dropped ? " ✗" : "") + "</text>\n";
        } else {
            auto const& m = *r.mark;
            std::string color = m.kind == "fault" ? "#c60" : m.kind == "step" ? "#06c" : "#080";
            int x = lane.contains(m.system) ? x_of(m.system) - 60 : left_margin;
            int w = lane.contains(m.system) ? 120 : width - left_margin - 4;
            o += "<rect class=\"mark\" x=\"" + std::to_string(x) + "\" y=\"" +
                 std::to_string(y - 10) + "\" width=\"" + std::to_string(w) +
                 "\" height=\"13\" fill=\"" + color + "\" fill-opacity=\"0.15\" stroke=\"" + color +
                 "\"/>\n<text x=\"" + std::to_string(x + 3) + "\" y=\"" + std::to_string(y) +
                 "\" fill=\"" + color + "\">" + esc(m.label) + "</text>\n";
        }
    }
    if (truncated) {
        y += row_height;
        o += "<text class=\"truncated\" x=\"4\" y=\"" + std::to_string(y) + "\" fill=\"#c00\">" +
             "… " + std::to_string(s.arrows_total - kept) + " more messages not drawn (first " +
             std::to_string(kept) + " of " + std::to_string(s.arrows_total) + " shown)</text>\n";
    }
    o += "</svg>\n";
    return o;
}

// Faults and steps on a horizontal time axis from 0 to the run's end.
std::string timeline_svg(ScenarioReport const& s) {
    int width = 900;
    int height = 50;
    double span = static_cast<double>(std::max<std::int64_t>(1, s.duration_ns));
    std::string o = "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    std::to_string(width) + "\" height=\"" + std::to_string(height) +
                    "\" font-family=\"monospace\" font-size=\"10\">\n";
    o += "<line x1=\"10\" y1=\"30\" x2=\"890\" y2=\"30\" stroke=\"#333\"/>\n";
    o += "<text x=\"10\" y=\"45\">0s</text><text x=\"890\" y=\"45\" text-anchor=\"end\">" +
         esc(format_virtual_time(s.duration_ns)) + "</text>\n";
    for (auto const& m : s.marks) {
        if (m.kind == "event")
            continue;
        int x = 10 + static_cast<int>(880.0 * static_cast<double>(m.time_ns) / span);
        std::string color = m.kind == "fault" ? "#c60" : "#06c";
        o += "<line x1=\"" + std::to_string(x) + "\" y1=\"22\" x2=\"" + std::to_string(x) +
             "\" y2=\"38\" stroke=\"" + color + "\" stroke-width=\"2\"><title>" +
             esc(format_virtual_time(m.time_ns) + " " + m.label) + "</title></line>\n";
    }
    o += "</svg>\n";
    return o;
}

}  // namespace

std::string html_report(RunReport const& report, HtmlOptions const& options) {
    std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" +
                    esc(report.title) +
                    "</title>\n<style>\n"
                    "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
                    "table{border-collapse:collapse;margin:.5em 0}\n"
                    "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;font-size:13px}\n"
                    ".pass{color:#080;font-weight:bold}.fail{color:#c00;font-weight:bold}\n"
                    "section{border-top:2px solid #ccc;margin-top:1.5em}\n"
                    ".diagram{overflow:auto;max-height:700px;border:1px solid #eee}\n"
                    "code{background:#f4f4f4}\n</style></head><body>\n";
    h += "<h1>" + esc(report.title) + "</h1>\n<p>" + std::to_string(report.scenarios.size()) +
         " scenarios, <span class=\"" + (report.failed() ? "fail\">" : "pass\">") +
         std::to_string(report.failed()) +
         " failed</span></p>\n<table><tr><th>scenario</th>"
         "<th>outcome</th><th>seed</th><th>virtual time</th><th>trace hash</th></tr>\n";
    for (std::size_t i = 0; i < report.scenarios.size(); ++i) {
        auto const& s = report.scenarios[i];
        h += "<tr><td><a href=\"#s" + std::to_string(i) + "\">" + esc(s.name) +
             "</a></td><td class=\"" + (s.passed ? "pass\">PASS" : "fail\">FAIL") + "</td><td>" +
             std::to_string(s.seed) + "</td><td>" + esc(format_virtual_time(s.duration_ns)) +
             "</td><td><code>" + esc(s.trace_hash) + "</code></td></tr>\n";
    }
    h += "</table>\n";
    for (std::size_t i = 0; i < report.scenarios.size(); ++i) {
        auto const& s = report.scenarios[i];
        h += "<section id=\"s" + std::to_string(i) + "\"><h2>" + esc(s.name) + " <span class=\"" +
             (s.passed ? "pass\">PASS" : "fail\">FAIL") + "</span></h2>\n";
        if (!s.description.empty())
            h += "<p>" + esc(s.description) + "</p>\n";
        if (!s.failure.empty())
            h += "<p class=\"fail\">" + esc(s.failure) + "</p>\n";
        h += "<p>seed " + std::to_string(s.seed) + ", " + std::to_string(s.events) + " events, " +
             std::to_string(s.packets) + " packets (" + std::to_string(s.packets_dropped) +
             " dropped), trace hash <code>" + esc(s.trace_hash) + "</code><br>reproduce: <code>" +
             esc(s.reproduce) + "</code></p>\n";
        h += "<h3>Expectations</h3>\n<table><tr><th>expectation</th><th>outcome</th><th>virtual "
             "time</th><th>reason</th><th>where</th></tr>\n";
        for (auto const& e : s.expectations)
            h += "<tr><td>" + esc(e.name) + "</td><td class=\"" +
                 (e.passed ? "pass\">PASS" : "fail\">FAIL") + "</td><td>" +
                 esc(format_virtual_time(e.time_ns)) + "</td><td>" + esc(e.reason) + "</td><td>" +
                 esc(e.where) + "</td></tr>\n";
        h += "</table>\n<h3>Faults and steps</h3>\n" + timeline_svg(s);
        if (!s.marks.empty()) {
            h += "<table><tr><th>virtual time</th><th>system</th><th>what</th></tr>\n";
            for (auto const& m : s.marks)
                if (m.kind != "event")
                    h += "<tr><td>" + esc(format_virtual_time(m.time_ns)) + "</td><td>" +
                         esc(m.system) + "</td><td>" + esc(m.label) + "</td></tr>\n";
            h += "</table>\n";
        }
        h += "<h3>Sequence diagram</h3>\n<div class=\"diagram\">\n" +
             sequence_svg(s, options.max_arrows) + "</div>\n";
        if (!s.files.empty()) {
            h += "<h3>Files</h3><ul>\n";
            for (auto const& [label, path] : s.files)
                h += "<li>" + esc(label) + ": <code>" + esc(path) + "</code></li>\n";
            h += "</ul>\n";
        }
        h += "</section>\n";
    }
    h += "</body></html>\n";
    return h;
}

Result<void> write_html_report(RunReport const& report, std::filesystem::path const& file,
                               HtmlOptions const& options) {
    return write_text_file(file, html_report(report, options));
}

}  // namespace nsslab::reports
