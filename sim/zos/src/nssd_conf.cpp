// nssd.conf parser; see nssd_conf.hpp and docs/config-files.md.
#include "nsslab/zos/nssd_conf.hpp"

#include "config_lexer_detail.hpp"

namespace nsslab::zos {

using detail::check_values;
using detail::read_choice;
using detail::read_key_ring;
using detail::read_name;
using detail::read_uint;
using detail::read_yes_no;

namespace {

bool read_url(Token const& t, std::string_view param, DiagnosticSink& sink) {
    if (t.text.size() < 8 || !iequals(t.text.substr(0, 7), "http://")) {
        sink.error(t.where, std::string(param) + " URL '" + t.text + "' is not an http:// URL",
                   "http://host/path (IKEv2 hash and URL)");
        return false;
    }
    return true;
}

void nss_config(ConfigStatement const& st, NssConfig& c, DiagnosticSink& sink) {
    c.coded = true;
    for (auto const& p : st.params) {
        auto const& k = p.keyword.text;
        auto one = [&](std::string_view usage) { return check_values(p, 1, 1, usage, sink); };
        if (iequals(k, "Port")) {
            if (one("Port n"))
                if (auto v = read_uint(p.values[0], "Port", 1, 65535, sink))
                    c.port = static_cast<std::uint16_t>(*v);
        } else if (iequals(k, "SyslogLevel")) {
            if (one("SyslogLevel n"))
                if (auto v = read_uint(p.values[0], "SyslogLevel", 0, 255, sink))
                    c.syslog_level = *v;
        } else if (iequals(k, "KeyRing")) {
            if (one("KeyRing userid/ringname|ringname"))
                if (bool none = false;
                    auto v = read_key_ring(p.values[0], "KeyRing", false, none, sink))
                    c.key_ring = std::move(*v);
        } else if (iequals(k, "Discipline")) {
            if (check_values(p, 2, 2, "Discipline IPSec|XMLAppliance Enable|Disable", sink)) {
                // IBM's diagram misspells XMLAppliance as "XMLApplicance": accept both.
                auto d = read_choice(p.values[0], "Discipline",
                                     {"IPSec", "XMLAppliance", "XMLApplicance"}, sink);
                auto e = read_choice(p.values[1], "Discipline", {"Enable", "Disable"}, sink);
                if (d && e)
                    (*d == 0 ? c.ipsec_enabled : c.xml_appliance_enabled) = *e == 0;
            }
        } else {
            sink.error(p.keyword.where, "unknown NssConfig parameter '" + k + "'",
                       "Port, SyslogLevel, KeyRing or Discipline");
        }
    }
}

IpsecDisciplineConfig ipsec_discipline_config(ConfigStatement const& st, DiagnosticSink& sink) {
    IpsecDisciplineConfig c;
    c.coded = true;
    for (auto const& p : st.params) {
        auto const& k = p.keyword.text;
        if (iequals(k, "FIPS140")) {
            if (check_values(p, 1, 1, "FIPS140 Yes|No", sink))
                if (auto v = read_yes_no(p.values[0], "FIPS140", sink))
                    c.fips140 = *v;
        } else if (iequals(k, "URLCacheInterval")) {
            if (check_values(p, 1, 1, "URLCacheInterval minutes", sink))
                if (auto v = read_uint(p.values[0], "URLCacheInterval", 0, 525600, sink))
                    c.url_cache_interval = std::chrono::minutes{*v};
        } else if (iequals(k, "CertificateURL") || iequals(k, "CertificateBundleURL")) {
            bool bundle = iequals(k, "CertificateBundleURL");
            std::string name = bundle ? "CertificateBundleURL" : "CertificateURL";
            if (!check_values(p, 2, 2, name + " label url", sink))
                continue;
            auto label = detail::read_label(p.values[0], name, sink);
            if (!label || !read_url(p.values[1], name, sink))
                continue;
            (bundle ? c.certificate_bundle_urls : c.certificate_urls)[*label] = p.values[1].text;
        } else {
            sink.error(p.keyword.where, "unknown IPSecDisciplineConfig parameter '" + k + "'",
                       "FIPS140, URLCacheInterval, CertificateURL or CertificateBundleURL");
        }
    }
    return c;
}

}  // namespace

Result<NssdConfig> parse_nssd_conf(std::string_view text, NssdConfParseOptions const& options,
                                   std::vector<Diagnostic>* diagnostics) {
    DiagnosticSink sink(options.limits.max_diagnostics);
    auto finish = [&](Result<NssdConfig> r) {
        if (diagnostics)
            *diagnostics = sink.list();
        return r;
    };
    auto tokens = tokenize(text, LexerOptions{}, options.limits, sink);
    if (!sink.empty())
        return finish(sink.to_error(options.file_name));
    auto statements = parse_statements(tokens, options.limits, sink);
    if (!sink.empty())
        return finish(sink.to_error(options.file_name));
    NssdConfig config;
    for (auto const& st : statements) {
        if (!st.args.empty()) {
            sink.error(st.args[0].where,
                       st.keyword.text + " takes no name, found '" + st.args[0].text + "'", "'{'");
        }
        if (iequals(st.keyword.text, "NssConfig")) {
            nss_config(st, config.nss, sink);  // merged across statements
        } else if (iequals(st.keyword.text, "IPSecDisciplineConfig")) {
            config.ipsec = ipsec_discipline_config(st, sink);  // last statement wins
        } else {
            sink.error(st.keyword.where, "unknown statement '" + st.keyword.text + "'",
                       "NssConfig or IPSecDisciplineConfig");
        }
    }
    if (!sink.empty())
        return finish(sink.to_error(options.file_name));
    return finish(std::move(config));
}

}  // namespace nsslab::zos
