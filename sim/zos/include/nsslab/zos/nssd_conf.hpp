// nssd.conf parser: the NssConfig and IPSecDisciplineConfig statements of the z/OS NSS server.
//
// Facts: zos-nss-facts.md §2. Grammar, defaults, ranges and choices: docs/config-files.md
// "nssd.conf".
//
// Repeat rules (IBM): NssConfig statements are merged as if they were one statement, a repeated
// parameter's last value winning; for IPSecDisciplineConfig the last statement wins outright and
// inside it the last value of a parameter wins (CertificateURL / CertificateBundleURL accumulate,
// one entry per label, the last URL for a label winning).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/zos/config_lexer.hpp"
#include "nsslab/zos/iked_conf.hpp"  // KeyRingName, nss_default_port

namespace nsslab::zos {

struct NssConfig {
    std::uint16_t port{nss_default_port};  // Port, 1-65535
    std::uint32_t syslog_level{0};         // SyslogLevel, 0-255
    std::optional<KeyRingName> key_ring;   // KeyRing userid/ringname | ringname (no default)
    bool ipsec_enabled{true};              // Discipline IPSec Enable|Disable
    bool xml_appliance_enabled{true};      // Discipline XMLAppliance Enable|Disable
    bool coded{false};                     // at least one NssConfig statement was present
};

struct IpsecDisciplineConfig {
    bool fips140{false};                                  // FIPS140 Yes|No
    std::chrono::minutes url_cache_interval{10080};       // URLCacheInterval, 0-525600 minutes
    std::map<std::string, std::string> certificate_urls;  // CertificateURL label url
    std::map<std::string, std::string> certificate_bundle_urls;  // CertificateBundleURL label url
    bool coded{false};
};

struct NssdConfig {
    NssConfig nss;
    IpsecDisciplineConfig ipsec;
};

struct NssdConfParseOptions {
    std::string file_name{"nssd.conf"};
    ConfigLimits limits;
};

// Parses nssd.conf text; errors as for parse_iked_conf.
Result<NssdConfig> parse_nssd_conf(std::string_view text, NssdConfParseOptions const& options = {},
                                   std::vector<Diagnostic>* diagnostics = nullptr);

}  // namespace nsslab::zos
