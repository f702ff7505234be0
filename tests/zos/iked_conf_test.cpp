// iked.conf parser (sim/zos/include/nsslab/zos/iked_conf.hpp): every IkeConfig and
// NssStackConfig parameter, IBM's defaults and repeat rules, and each error with its location.
#include "nsslab/zos/iked_conf.hpp"

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

IkedConfParseOptions opts(std::string system = "SYSTEMA") {
    IkedConfParseOptions o;
    o.file_name = "iked.conf";
    o.system_name = std::move(system);
    return o;
}

IkedConfig parse_ok(std::string_view text, IkedConfParseOptions const& o = opts()) {
    std::vector<Diagnostic> d;
    auto r = parse_iked_conf(text, o, &d);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    EXPECT_TRUE(d.empty());
    return r ? *r : IkedConfig{};
}

// The single error of `text`, formatted as the CLI prints it.
std::string error_of(std::string_view text, IkedConfParseOptions const& o = opts()) {
    std::vector<Diagnostic> d;
    auto r = parse_iked_conf(text, o, &d);
    EXPECT_FALSE(r.has_value());
    if (d.size() != 1) {
        ADD_FAILURE() << d.size() << " diagnostics";
        for (auto const& x : d)
            ADD_FAILURE() << x.format(o.file_name);
        return {};
    }
    return d[0].format(o.file_name);
}

constexpr std::string_view server = "IkeConfig { NetworkSecurityServer 9.1.1.1 }\n";

TEST(IkedConf, SeedSystemAExample) {
    auto c = parse_ok(read_data("systema_iked.conf"));
    ASSERT_TRUE(c.ike.network_security_server);
    EXPECT_EQ(c.ike.network_security_server->host, "9.1.1.1");
    EXPECT_EQ(c.ike.network_security_server->address, IpAddress::parse("9.1.1.1").value());
    EXPECT_EQ(c.ike.network_security_server->port, 4159);
    EXPECT_FALSE(c.ike.network_security_server->identity);
    EXPECT_FALSE(c.ike.network_security_server_backup);
    ASSERT_EQ(c.nss_stacks.size(), 1u);
    auto const* s = c.find_stack("STACK1");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->stack_name, "STACK1");
    EXPECT_EQ(s->client_name, "SYSTEMA_STACK1");
    EXPECT_FALSE(s->client_name_defaulted);
    EXPECT_EQ(s->user_id, "A1S1");
    EXPECT_EQ(s->auth_by, NssAuthBy::passticket);
    EXPECT_TRUE(s->has_service(NssServiceType::cert));
    EXPECT_TRUE(s->has_service(NssServiceType::remote_mgmt));
    EXPECT_EQ(s->where, (SourceLocation{9, 1}));
}

TEST(IkedConf, IkeConfigDefaults) {
    auto c = parse_ok("");
    EXPECT_FALSE(c.ike.coded);
    for (auto const& ike : {c.ike, parse_ok("IkeConfig\n{\n}\n").ike}) {
        EXPECT_EQ(ike.ike_syslog_level, 1u);
        EXPECT_EQ(ike.pagent_syslog_level, 0u);
        EXPECT_FALSE(ike.smf119_ike_tunnel);
        EXPECT_FALSE(ike.smf119_dyn_tunnel);
        EXPECT_EQ(ike.ike_retries, 6u);
        EXPECT_EQ(ike.ike_init_wait, std::chrono::seconds{2});
        EXPECT_FALSE(ike.fips140);
        ASSERT_TRUE(ike.key_ring);
        EXPECT_EQ(ike.key_ring->to_string(), "iked/keyring");
        EXPECT_FALSE(ike.echo);
        EXPECT_FALSE(ike.network_security_server);
        EXPECT_FALSE(ike.network_security_server_backup);
        EXPECT_EQ(ike.nss_wait_limit, std::chrono::seconds{60});
        EXPECT_EQ(ike.nss_wait_retries, 3u);
        EXPECT_EQ(ike.pagent_wait, std::chrono::seconds{0});
        EXPECT_TRUE(ike.supported_cert_auth.empty());
        EXPECT_FALSE(ike.has_nss_server());
    }
    EXPECT_TRUE(parse_ok("IkeConfig {}").ike.coded);
}

TEST(IkedConf, EveryParameter) {
    auto c = parse_ok(read_data("full_iked.conf"));
    auto const& ike = c.ike;
    EXPECT_EQ(ike.ike_syslog_level, 3u);
    EXPECT_EQ(ike.pagent_syslog_level, 1u);
    EXPECT_TRUE(ike.smf119_ike_tunnel);
    EXPECT_TRUE(ike.smf119_dyn_tunnel);
    EXPECT_EQ(ike.ike_retries, 4u);
    EXPECT_EQ(ike.ike_init_wait, std::chrono::seconds{5});
    EXPECT_TRUE(ike.fips140);
    EXPECT_EQ(ike.key_ring, (KeyRingName{"IKED", "IKEDRING"}));
    EXPECT_TRUE(ike.echo);
    ASSERT_TRUE(ike.network_security_server);
    EXPECT_EQ(ike.network_security_server->port, 4160);
    ASSERT_TRUE(ike.network_security_server->identity);
    EXPECT_EQ(ike.network_security_server->identity->type, NssIdentityType::ip_addr);
    EXPECT_EQ(ike.network_security_server->identity->address, IpAddress::parse("9.1.1.1").value());
    ASSERT_TRUE(ike.network_security_server_backup);
    EXPECT_EQ(ike.network_security_server_backup->host, "nss2.example.com");
    EXPECT_FALSE(ike.network_security_server_backup->address);
    EXPECT_EQ(ike.network_security_server_backup->port, 4159);
    EXPECT_EQ(ike.network_security_server_backup->identity->type, NssIdentityType::x500dn);
    EXPECT_EQ(ike.network_security_server_backup->identity->auth_id, "CN=NSS2,O=Example");
    EXPECT_EQ(ike.nss_wait_limit, std::chrono::seconds{30});
    EXPECT_EQ(ike.nss_wait_retries, 2u);
    EXPECT_EQ(ike.pagent_wait, std::chrono::seconds{10});
    EXPECT_EQ(ike.supported_cert_auth,
              (std::vector<std::string>{"Example Root CA", "IntermediateCA"}));

    ASSERT_EQ(c.nss_stacks.size(), 2u);
    auto const* s1 = c.find_stack("tcpip1");
    ASSERT_NE(s1, nullptr);
    EXPECT_EQ(s1->client_name, "SYSTEMA_TCPIP1");
    EXPECT_TRUE(s1->client_name_defaulted);
    EXPECT_EQ(s1->user_id, "NSSU1");
    EXPECT_EQ(s1->auth_by, NssAuthBy::password);
    EXPECT_EQ(s1->password, "SECRET1");
    EXPECT_EQ(s1->service_types, std::set<NssServiceType>{NssServiceType::cert});
    // Lower-case keywords; values keep their case.
    auto const* s2 = c.find_stack("TCPIP2");
    ASSERT_NE(s2, nullptr);
    EXPECT_EQ(s2->stack_name, "tcpip2");
    EXPECT_EQ(s2->client_name, "Prod_Stack_2");
    EXPECT_EQ(s2->user_id, "nssu2");
    EXPECT_EQ(s2->auth_by, NssAuthBy::passticket);
    EXPECT_EQ(s2->service_types, std::set<NssServiceType>{NssServiceType::remote_mgmt});
}

TEST(IkedConf, NetworkSecurityServerForms) {
    auto one = [](std::string const& value) {
        return *parse_ok("IkeConfig {\n NetworkSecurityServer " + value + "\n}")
                    .ike.network_security_server;
    };
    auto v6 = one("fd00::1 Port 5000");
    EXPECT_EQ(v6.address, IpAddress::parse("fd00::1").value());
    EXPECT_EQ(v6.port, 5000);
    auto id_first = one("nss.example.com Identity Fqdn nss.example.com Port 1");
    EXPECT_EQ(id_first.port, 1);
    EXPECT_EQ(id_first.identity->type, NssIdentityType::fqdn);
    auto user = one("9.1.1.1 identity useratfqdn nss@example.com");
    EXPECT_EQ(user.identity->type, NssIdentityType::user_at_fqdn);
    EXPECT_EQ(user.identity->auth_id, "nss@example.com");
    EXPECT_EQ(one("9.1.1.1 Port 65535").port, 65535);
    EXPECT_EQ(one("9.1.1.1 Identity IpAddr fd00::9").identity->address,
              IpAddress::parse("fd00::9").value());
}

TEST(IkedConf, LastIkeConfigStatementWinsOutright) {
    auto c = parse_ok(
        "IkeConfig { IkeRetries 9\n NetworkSecurityServer 9.9.9.9\n SMF119 IKETunnel }\n"
        "IkeConfig { NssWaitLimit 5 }\n"
        "IkeConfig { NetworkSecurityServerBackup 9.1.1.2 }\n");
    EXPECT_EQ(c.ike.ike_retries, 6u);                           // discarded with statement 1
    EXPECT_EQ(c.ike.nss_wait_limit, std::chrono::seconds{60});  // discarded with statement 2
    EXPECT_FALSE(c.ike.network_security_server);
    EXPECT_FALSE(c.ike.smf119_ike_tunnel);
    ASSERT_TRUE(c.ike.network_security_server_backup);
    EXPECT_EQ(c.ike.where, (SourceLocation{5, 1}));
}

TEST(IkedConf, RepeatedParameterLastValueWins) {
    auto c = parse_ok(
        "IkeConfig {\n IkeRetries 3\n IkeRetries 5\n KeyRing NoKeyRing\n KeyRing RING1\n"
        " NetworkSecurityServer 9.1.1.1 Port 1000\n NetworkSecurityServer 9.1.1.3\n}");
    EXPECT_EQ(c.ike.ike_retries, 5u);
    EXPECT_EQ(c.ike.key_ring, (KeyRingName{"", "RING1"}));
    EXPECT_EQ(c.ike.network_security_server->host, "9.1.1.3");
    EXPECT_EQ(c.ike.network_security_server->port, 4159);  // the whole value is replaced
    EXPECT_FALSE(parse_ok("IkeConfig { KeyRing RING1 \n KeyRing nokeyring }").ike.key_ring);
}

TEST(IkedConf, Smf119AndSupportedCertAuthAccumulate) {
    auto c = parse_ok(
        "IkeConfig {\n SMF119 IKETunnel\n SMF119 None\n SupportedCertAuth CA1\n"
        " SupportedCertAuth CA2\n SupportedCertAuth CA1\n}");
    EXPECT_TRUE(c.ike.smf119_ike_tunnel);
    EXPECT_FALSE(c.ike.smf119_dyn_tunnel);
    EXPECT_EQ(c.ike.supported_cert_auth, (std::vector<std::string>{"CA1", "CA2"}));
    auto all = parse_ok("IkeConfig { SMF119 IKEALL }");
    EXPECT_TRUE(all.ike.smf119_ike_tunnel);
    EXPECT_TRUE(all.ike.smf119_dyn_tunnel);
    auto two = parse_ok("IkeConfig { SMF119 DynTunnel IKETunnel }");
    EXPECT_TRUE(two.ike.smf119_ike_tunnel && two.ike.smf119_dyn_tunnel);
}

TEST(IkedConf, LastNssStackConfigForAStackWins) {
    auto c = parse_ok(std::string(server) +
                      "NssStackConfig STACK1 { UserId U1\n ServiceType Cert }\n"
                      "NssStackConfig stack1 { UserId U2\n UserId U3 }\n");
    ASSERT_EQ(c.nss_stacks.size(), 1u);
    auto const* s = c.find_stack("Stack1");
    EXPECT_EQ(s->user_id, "U3");
    EXPECT_TRUE(s->service_types.empty());
    EXPECT_EQ(s->where, (SourceLocation{4, 1}));
}

TEST(IkedConf, ServiceTypeIsASet) {
    auto c = parse_ok(std::string(server) +
                      "NssStackConfig S { UserId U\n ServiceType Cert\n ServiceType CERT\n"
                      " ServiceType RemoteMgmt Cert }\n");
    EXPECT_EQ(c.find_stack("S")->service_types.size(), 2u);
}

TEST(IkedConf, ClientNameDefaultUsesSystemName) {
    auto c = parse_ok(std::string(server) + "NssStackConfig TCPCS { UserId U }", opts("SYS2"));
    EXPECT_EQ(c.find_stack("TCPCS")->client_name, "SYS2_TCPCS");
    EXPECT_EQ(error_of(std::string(server) + "NssStackConfig TCPCS { UserId U }", opts("")),
              "iked.conf:2:1: error: NssStackConfig TCPCS has no ClientName and no system name is "
              "known (expected ClientName clientname, or a system name for systemname_stackname)");
    // ClientName coded: no system name needed.
    parse_ok(std::string(server) + "NssStackConfig TCPCS { UserId U\n ClientName C }", opts(""));
    // A bad system name is the caller's mistake.
    auto r = parse_iked_conf("", opts("TOOLONGNAME"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(IkedConf, SameAsComparesParametersOnly) {
    auto a = parse_ok(std::string(server) + "NssStackConfig S { UserId U }");
    auto b = parse_ok(std::string(server) + "\n\nNssStackConfig S { UserId U }");
    auto c = parse_ok(std::string(server) + "NssStackConfig S { UserId U\n ServiceType Cert }");
    EXPECT_TRUE(a.find_stack("S")->same_as(*b.find_stack("S")));
    EXPECT_FALSE(a.find_stack("S")->same_as(*c.find_stack("S")));
    EXPECT_TRUE(a.ike.network_security_server->same_as(*b.ike.network_security_server));
}

struct ErrorCase {
    std::string text;
    std::string expected;
};

class IkedConfErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(IkedConfErrors, ExactLocationAndMessage) {
    EXPECT_EQ(error_of(GetParam().text), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    All, IkedConfErrors,
    ::testing::Values(
        ErrorCase{
            "IkeConfig {}\nNssStackConfig STACK1\n{\n UserId A1S1\n}\n",
            "iked.conf:2:1: error: NssStackConfig STACK1 requires NetworkSecurityServer or "
            "NetworkSecurityServerBackup in IkeConfig (expected NetworkSecurityServer host in "
            "IkeConfig)"},
        ErrorCase{
            "NssStackConfig STACK1 { UserId A1S1 }\n",
            "iked.conf:1:1: error: NssStackConfig STACK1 requires NetworkSecurityServer or "
            "NetworkSecurityServerBackup in IkeConfig (expected NetworkSecurityServer host in "
            "IkeConfig)"},
        ErrorCase{"IkeConfig {\n  IkeRetries 11\n}",
                  "iked.conf:2:14: error: IkeRetries value 11 is out of range (expected an integer "
                  "1-10)"},
        ErrorCase{"IkeConfig {\n  IkeRetries 0\n}",
                  "iked.conf:2:14: error: IkeRetries value 0 is out of range (expected an integer "
                  "1-10)"},
        ErrorCase{"IkeConfig {\n  IkeSyslogLevel 256\n}",
                  "iked.conf:2:18: error: IkeSyslogLevel value 256 is out of range (expected an "
                  "integer 0-255)"},
        ErrorCase{
            "IkeConfig {\n  PagentSyslogLevel -1\n}",
            "iked.conf:2:21: error: PagentSyslogLevel value '-1' is not a number (expected an "
            "integer 0-255)"},
        ErrorCase{
            "IkeConfig {\n  IkeInitWait 31\n}",
            "iked.conf:2:15: error: IkeInitWait value 31 is out of range (expected an integer "
            "1-30)"},
        ErrorCase{
            "IkeConfig {\n  NssWaitLimit 0\n}",
            "iked.conf:2:16: error: NssWaitLimit value 0 is out of range (expected an integer "
            "1-3600)"},
        ErrorCase{"IkeConfig {\n  NssWaitRetries 11\n}",
                  "iked.conf:2:18: error: NssWaitRetries value 11 is out of range (expected an "
                  "integer 0-10)"},
        ErrorCase{
            "IkeConfig {\n  PagentWait 3601\n}",
            "iked.conf:2:14: error: PagentWait value 3601 is out of range (expected an integer "
            "0-3600)"},
        ErrorCase{"IkeConfig {\n  FIPS140 maybe\n}",
                  "iked.conf:2:11: error: 'maybe' is not a valid FIPS140 value (expected Yes|No)"},
        ErrorCase{"IkeConfig {\n  Echo\n}",
                  "iked.conf:2:3: error: 'Echo' is missing its value (expected 'Echo Yes|No')"},
        ErrorCase{"IkeConfig {\n  Echo Yes No\n}",
                  "iked.conf:2:12: error: unexpected extra value 'No' for 'Echo' (expected 'Echo "
                  "Yes|No')"},
        ErrorCase{"IkeConfig {\n  SMF119 All\n}",
                  "iked.conf:2:10: error: 'All' is not a valid SMF119 value (expected "
                  "None|IKEALL|IKETunnel|DynTunnel)"},
        ErrorCase{"IkeConfig {\n  KeyRing TOOLONGID/ring\n}",
                  "iked.conf:2:11: error: KeyRing user ID 'TOOLONGID' must have 1-8 characters "
                  "(expected userid/ringname, ringname or NoKeyRing)"},
        ErrorCase{
            "IkeConfig {\n  KeyRing user/\n}",
            "iked.conf:2:11: error: KeyRing ring name '' is not valid (expected "
            "userid/ringname, ringname or NoKeyRing (ring name 1-237 characters, no blanks or "
            "'/'))"},
        ErrorCase{"IkeConfig {\n  NetworkSecurityServer 9.1.1\n}",
                  "iked.conf:2:25: error: NetworkSecurityServer '9.1.1' is not a valid IP address "
                  "(expected an IPv4 address, an IPv6 address or a host name)"},
        ErrorCase{
            "IkeConfig {\n  NetworkSecurityServer bad!host\n}",
            "iked.conf:2:25: error: NetworkSecurityServer 'bad!host' is not a valid host name "
            "(expected an IPv4 address, an IPv6 address or a host name)"},
        ErrorCase{"IkeConfig {\n  NetworkSecurityServer 9.1.1.1 Port 0\n}",
                  "iked.conf:2:38: error: Port value 0 is out of range (expected an integer "
                  "1-65535)"},
        ErrorCase{"IkeConfig {\n  NetworkSecurityServerBackup 9.1.1.1 Port\n}",
                  "iked.conf:2:39: error: Port is missing its value (expected an integer 1-65535)"},
        ErrorCase{"IkeConfig {\n  NetworkSecurityServer 9.1.1.1 Port 1 Port 2\n}",
                  "iked.conf:2:40: error: unexpected 'Port' after NetworkSecurityServer 9.1.1.1 "
                  "(expected at most one Port and one Identity)"},
        ErrorCase{"IkeConfig {\n  NetworkSecurityServer 9.1.1.1 Identity IpAddr\n}",
                  "iked.conf:2:33: error: Identity needs a type and an authid (expected Identity "
                  "IpAddr|Fqdn|UserAtFqdn|X500dn authid)"},
        ErrorCase{"IkeConfig {\n  NetworkSecurityServer 9.1.1.1 Identity Dns x\n}",
                  "iked.conf:2:42: error: 'Dns' is not a valid Identity value (expected "
                  "IpAddr|Fqdn|UserAtFqdn|X500dn)"},
        ErrorCase{"IkeConfig {\n  NetworkSecurityServer 9.1.1.1 Identity IpAddr nss.host\n}",
                  "iked.conf:2:49: error: Identity IpAddr authid 'nss.host' is not an IP address "
                  "(expected an IPv4 or IPv6 address)"},
        ErrorCase{"IkeConfig {\n  NetworkSecurityServer h Identity UserAtFqdn nss\n}",
                  "iked.conf:2:47: error: Identity UserAtFqdn authid 'nss' has no user@domain form "
                  "(expected user@fqdn)"},
        ErrorCase{"IkeConfig {\n  NetworkSecurityServer h Identity X500dn nss\n}",
                  "iked.conf:2:43: error: Identity X500dn authid 'nss' is not a distinguished name "
                  "(expected a quoted DN such as \"CN=nss,O=IBM\")"},
        ErrorCase{
            "IkeConfig {\n  NetworkSecurityServer h Identity Fqdn a/b\n}",
            "iked.conf:2:41: error: Identity Fqdn authid 'a/b' is not a host name (expected a "
            "fully qualified domain name)"},
        ErrorCase{"IkeConfig {\n  SupportedCertAuth \"a label longer than thirty-two chars\"\n}",
                  "iked.conf:2:21: error: SupportedCertAuth label 'a label longer than thirty-two "
                  "chars' has 36 characters (expected 1-32 characters)"},
        ErrorCase{
            "IkeConfig {\n  Bogus 1\n}",
            "iked.conf:2:3: error: unknown IkeConfig parameter 'Bogus' (expected an IkeConfig "
            "parameter such as NetworkSecurityServer)"},
        ErrorCase{"IkeConfig {\n  IkeRetries { }\n}",
                  "iked.conf:2:3: error: 'IkeRetries' does not take a '{' block (expected "
                  "'IkeRetries n')"},
        ErrorCase{"IkeConfig X {\n}",
                  "iked.conf:1:11: error: IkeConfig takes no name, found 'X' (expected '{')"},
        ErrorCase{"IpFilterRule r { }",
                  "iked.conf:1:1: error: unknown statement 'IpFilterRule' (expected IkeConfig or "
                  "NssStackConfig)"},
        ErrorCase{std::string(server) + "NssStackConfig\n{ UserId U }",
                  "iked.conf:3:1: error: NssStackConfig needs a stack name (expected "
                  "NssStackConfig stackname {)"},
        ErrorCase{std::string(server) + "NssStackConfig A B { UserId U }",
                  "iked.conf:2:18: error: unexpected 'B' after the stack name (expected '{')"},
        ErrorCase{std::string(server) + "NssStackConfig STACKNAME9 { UserId U }",
                  "iked.conf:2:16: error: NssStackConfig stack name value 'STACKNAME9' has 10 "
                  "characters (expected 1-8 characters without blanks)"},
        ErrorCase{std::string(server) + "NssStackConfig S {\n ServiceType Cert\n}",
                  "iked.conf:2:1: error: NssStackConfig S has no UserId (expected UserId userid)"},
        ErrorCase{std::string(server) + "NssStackConfig S {\n UserId U\n AuthBy Password\n}",
                  "iked.conf:2:1: error: NssStackConfig S has AuthBy Password but no Password "
                  "(expected Password password, or AuthBy PassTicket)"},
        ErrorCase{std::string(server) + "NssStackConfig S {\n UserId U\n AuthBy Kerberos\n}",
                  "iked.conf:4:9: error: 'Kerberos' is not a valid AuthBy value (expected "
                  "Password|PassTicket)"},
        ErrorCase{std::string(server) + "NssStackConfig S {\n UserId USERID123\n}",
                  "iked.conf:3:9: error: UserId value 'USERID123' has 9 characters (expected 1-8 "
                  "characters without blanks)"},
        ErrorCase{std::string(server) + "NssStackConfig S {\n UserId U\n ServiceType Sign\n}",
                  "iked.conf:4:14: error: 'Sign' is not a valid ServiceType value (expected "
                  "Cert|RemoteMgmt)"},
        ErrorCase{std::string(server) + "NssStackConfig S {\n UserId U\n ClientName \"a b\"\n}",
                  "iked.conf:4:13: error: ClientName value 'a b' contains a blank (expected 1-48 "
                  "characters without blanks)"},
        ErrorCase{std::string(server) + "NssStackConfig S {\n UserId U\n Port 1\n}",
                  "iked.conf:4:2: error: unknown NssStackConfig parameter 'Port' (expected "
                  "ClientName, UserId, AuthBy, Password or ServiceType)"}));

TEST(IkedConf, AllSemanticErrorsAreReported) {
    std::vector<Diagnostic> d;
    auto r = parse_iked_conf("IkeConfig {\n IkeRetries 99\n Echo x\n}\nNssStackConfig S { }\n",
                             opts(), &d);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::parse_error);
    ASSERT_EQ(d.size(), 4u);
    EXPECT_EQ(d[0].where, (SourceLocation{2, 13}));
    EXPECT_EQ(d[1].where, (SourceLocation{3, 7}));
    EXPECT_EQ(d[2].where, (SourceLocation{5, 1}));  // no UserId
    EXPECT_EQ(d[3].where, (SourceLocation{5, 1}));  // no NetworkSecurityServer
    EXPECT_EQ(r.error().message,
              "iked.conf:2:13: IkeRetries value 99 is out of range (expected an integer 1-10) [and "
              "3 more errors]");
}

TEST(IkedConf, OversizedInputIsAnError) {
    IkedConfParseOptions o = opts();
    o.limits.max_file_bytes = 16;
    auto r = parse_iked_conf("IkeConfig { Echo Yes }", o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::oversized);
}

}  // namespace
}  // namespace nsslab::zos
