// nssd.conf parser (sim/zos/include/nsslab/zos/nssd_conf.hpp): NssConfig merging,
// IPSecDisciplineConfig last-statement rule, defaults and errors with their locations.
#include "nsslab/zos/nssd_conf.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace nsslab::zos {
namespace {

std::string read_data(std::string const& name) {
    std::ifstream in(std::string(NSSLAB_SOURCE_DIR) + "/tests/zos/data/config/" + name,
                     std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

NssdConfig parse_ok(std::string_view text) {
    auto r = parse_nssd_conf(text);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : NssdConfig{};
}

std::string error_of(std::string_view text) {
    std::vector<Diagnostic> d;
    auto r = parse_nssd_conf(text, {}, &d);
    EXPECT_FALSE(r.has_value());
    if (d.size() != 1) {
        ADD_FAILURE() << d.size() << " diagnostics";
        return {};
    }
    return d[0].format("nssd.conf");
}

TEST(NssdConf, Defaults) {
    for (auto const& c : {parse_ok(""), parse_ok("NssConfig {}\nIPSecDisciplineConfig {}")}) {
        EXPECT_EQ(c.nss.port, 4159);
        EXPECT_EQ(c.nss.syslog_level, 0u);
        EXPECT_FALSE(c.nss.key_ring);
        EXPECT_TRUE(c.nss.ipsec_enabled);
        EXPECT_TRUE(c.nss.xml_appliance_enabled);
        EXPECT_FALSE(c.ipsec.fips140);
        EXPECT_EQ(c.ipsec.url_cache_interval, std::chrono::minutes{10080});
        EXPECT_TRUE(c.ipsec.certificate_urls.empty());
        EXPECT_TRUE(c.ipsec.certificate_bundle_urls.empty());
    }
    EXPECT_FALSE(parse_ok("").nss.coded);
    EXPECT_TRUE(parse_ok("NssConfig {}").nss.coded);
}

TEST(NssdConf, SampleFile) {
    auto c = parse_ok(read_data("nssd.conf"));
    EXPECT_EQ(c.nss.port, 4159);
    EXPECT_EQ(c.nss.syslog_level, 8u);
    EXPECT_EQ(c.nss.key_ring, (KeyRingName{"NSSD", "NSSRING"}));
    EXPECT_TRUE(c.nss.ipsec_enabled);
    EXPECT_FALSE(c.nss.xml_appliance_enabled);
    EXPECT_FALSE(c.ipsec.fips140);
    EXPECT_EQ(c.ipsec.url_cache_interval, std::chrono::minutes{1440});
    EXPECT_EQ(c.ipsec.certificate_urls.at("SYSTEMA_CERT"), "http://certs.example.com/systema.der");
    EXPECT_EQ(c.ipsec.certificate_bundle_urls.at("ROOTS"), "http://certs.example.com/bundle.der");
}

TEST(NssdConf, NssConfigStatementsMerge) {
    auto c = parse_ok(
        "NssConfig { Port 5000\n KeyRing RING1 }\n"
        "NssConfig { SyslogLevel 2\n Port 5001\n Port 5002 }\n"
        "NssConfig { Discipline XMLApplicance Disable }\n");
    EXPECT_EQ(c.nss.port, 5002);                            // last value wins
    EXPECT_EQ(c.nss.key_ring, (KeyRingName{"", "RING1"}));  // kept from statement 1
    EXPECT_EQ(c.nss.syslog_level, 2u);
    EXPECT_FALSE(c.nss.xml_appliance_enabled);  // IBM's misspelling accepted
    EXPECT_TRUE(c.nss.ipsec_enabled);
}

TEST(NssdConf, DisciplineRepeatableLastValueWins) {
    auto c = parse_ok(
        "nssconfig {\n discipline ipsec disable\n DISCIPLINE XMLAPPLIANCE DISABLE\n"
        " Discipline IPSec Enable\n}");
    EXPECT_TRUE(c.nss.ipsec_enabled);
    EXPECT_FALSE(c.nss.xml_appliance_enabled);
}

TEST(NssdConf, LastIpsecDisciplineConfigWinsOutright) {
    auto c = parse_ok(
        "IPSecDisciplineConfig { FIPS140 Yes\n CertificateURL A http://a/1 }\n"
        "IPSecDisciplineConfig { URLCacheInterval 0\n CertificateURL B http://b/1\n"
        " CertificateURL B http://b/2\n CertificateURL C http://c/1 }\n");
    EXPECT_FALSE(c.ipsec.fips140);
    EXPECT_EQ(c.ipsec.url_cache_interval, std::chrono::minutes{0});
    EXPECT_EQ(c.ipsec.certificate_urls.size(), 2u);
    EXPECT_EQ(c.ipsec.certificate_urls.count("A"), 0u);
    EXPECT_EQ(c.ipsec.certificate_urls.at("B"), "http://b/2");
}

TEST(NssdConf, QuotedLabelWithBlanks) {
    auto c = parse_ok("IPSecDisciplineConfig {\n CertificateURL \"Host Cert\" http://x/y\n}");
    EXPECT_EQ(c.ipsec.certificate_urls.at("Host Cert"), "http://x/y");
}

struct ErrorCase {
    std::string text;
    std::string expected;
};
class NssdConfErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(NssdConfErrors, ExactLocationAndMessage) {
    EXPECT_EQ(error_of(GetParam().text), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    All, NssdConfErrors,
    ::testing::Values(
        ErrorCase{
            "NssConfig {\n Port 0\n}",
            "nssd.conf:2:7: error: Port value 0 is out of range (expected an integer 1-65535)"},
        ErrorCase{"NssConfig {\n Port 65536\n}",
                  "nssd.conf:2:7: error: Port value 65536 is out of range (expected an integer "
                  "1-65535)"},
        ErrorCase{"NssConfig {\n SyslogLevel x\n}",
                  "nssd.conf:2:14: error: SyslogLevel value 'x' is not a number (expected an "
                  "integer 0-255)"},
        ErrorCase{"NssConfig {\n KeyRing a/b/c\n}",
                  "nssd.conf:2:10: error: KeyRing ring name 'b/c' is not valid (expected "
                  "userid/ringname or ringname (ring name 1-237 characters, no blanks or "
                  "'/'))"},
        ErrorCase{"NssConfig {\n KeyRing NoKeyRing extra\n}",
                  "nssd.conf:2:20: error: unexpected extra value 'extra' for 'KeyRing' (expected "
                  "'KeyRing userid/ringname|ringname')"},
        ErrorCase{"NssConfig {\n Discipline IPSec\n}",
                  "nssd.conf:2:2: error: 'Discipline' is missing its value (expected 'Discipline "
                  "IPSec|XMLAppliance Enable|Disable')"},
        ErrorCase{"NssConfig {\n Discipline SNMP Enable\n}",
                  "nssd.conf:2:13: error: 'SNMP' is not a valid Discipline value (expected "
                  "IPSec|XMLAppliance|XMLApplicance)"},
        ErrorCase{"NssConfig {\n Discipline IPSec On\n}",
                  "nssd.conf:2:19: error: 'On' is not a valid Discipline value (expected "
                  "Enable|Disable)"},
        ErrorCase{"NssConfig {\n ClientName x\n}",
                  "nssd.conf:2:2: error: unknown NssConfig parameter 'ClientName' (expected Port, "
                  "SyslogLevel, KeyRing or Discipline)"},
        ErrorCase{"IPSecDisciplineConfig {\n URLCacheInterval 525601\n}",
                  "nssd.conf:2:19: error: URLCacheInterval value 525601 is out of range (expected "
                  "an integer 0-525600)"},
        ErrorCase{"IPSecDisciplineConfig {\n FIPS140 1\n}",
                  "nssd.conf:2:10: error: '1' is not a valid FIPS140 value (expected Yes|No)"},
        ErrorCase{"IPSecDisciplineConfig {\n CertificateURL L ftp://x/y\n}",
                  "nssd.conf:2:19: error: CertificateURL URL 'ftp://x/y' is not an http:// URL "
                  "(expected http://host/path (IKEv2 hash and URL))"},
        ErrorCase{"IPSecDisciplineConfig {\n CertificateBundleURL http://x/y\n}",
                  "nssd.conf:2:2: error: 'CertificateBundleURL' is missing its value (expected "
                  "'CertificateBundleURL label url')"},
        ErrorCase{"IPSecDisciplineConfig {\n Port 1\n}",
                  "nssd.conf:2:2: error: unknown IPSecDisciplineConfig parameter 'Port' (expected "
                  "FIPS140, URLCacheInterval, CertificateURL or CertificateBundleURL)"},
        ErrorCase{"NssConfig main {\n}",
                  "nssd.conf:1:11: error: NssConfig takes no name, found 'main' (expected '{')"},
        ErrorCase{"IkeConfig {\n}",
                  "nssd.conf:1:1: error: unknown statement 'IkeConfig' (expected NssConfig or "
                  "IPSecDisciplineConfig)"},
        ErrorCase{"NssConfig {\n Port 1\n",
                  "nssd.conf:1:11: error: '{' of 'NssConfig' is never closed (expected '}' before "
                  "the end of the input)"}));

TEST(NssdConf, OversizedInput) {
    NssdConfParseOptions o;
    o.limits.max_file_bytes = 4;
    auto r = parse_nssd_conf("NssConfig {}", o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::oversized);
    EXPECT_EQ(r.error().message.rfind("nssd.conf:1:1: input is 12 bytes", 0), 0u);
}

}  // namespace
}  // namespace nsslab::zos
