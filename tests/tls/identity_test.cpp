// check_server_identity and describe_certificate_pem without a handshake (DESIGN.md §6).
#include "nsslab/tls/identity.hpp"

#include <gtest/gtest.h>

#include "tls_test_support.hpp"

namespace nsslab::tls {
namespace {

IpAddress ip(std::string_view text) {
    return IpAddress::parse(text).value();
}

CertificateInfo server_cert() {
    return describe_certificate_pem(test::data_file("server.pem")).value();
}

TEST(DescribeCertificate, ReadsNamesSansAndValidity) {
    CertificateInfo const c = server_cert();
    EXPECT_EQ(c.subject, "CN=nssd.example.com,O=nsslab,C=US");
    EXPECT_EQ(c.issuer, "CN=nsslab Test CA,O=nsslab");
    ASSERT_EQ(c.san_ip.size(), 2u);
    EXPECT_EQ(c.san_ip[0], ip("127.0.0.1"));
    EXPECT_EQ(c.san_ip[1], ip("9.1.1.1"));
    EXPECT_EQ(c.san_dns, std::vector<std::string>{"nssd.example.com"});
    EXPECT_EQ(c.san_email, std::vector<std::string>{"nssd@example.com"});
    EXPECT_EQ(format_iso8601(c.not_before), "2025-01-01T00:00:00.000000000Z");
    EXPECT_EQ(format_iso8601(c.not_after), "2030-01-01T00:00:00.000000000Z");
    EXPECT_GT(c.der.size(), 200u);
    EXPECT_EQ(c.der[0], 0x30);  // DER SEQUENCE
}

TEST(DescribeCertificate, RejectsNonPem) {
    auto r = describe_certificate_pem("hello");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::decode_error);
}

TEST(IdentityType, IbmKeywords) {
    EXPECT_EQ(to_string(IdentityType::ip_addr), "IpAddr");
    EXPECT_EQ(to_string(IdentityType::fqdn), "Fqdn");
    EXPECT_EQ(to_string(IdentityType::user_at_fqdn), "UserAtFqdn");
    EXPECT_EQ(to_string(IdentityType::x500dn), "X500dn");
    EXPECT_EQ(parse_identity_type("useratfqdn").value(), IdentityType::user_at_fqdn);
    EXPECT_EQ(parse_identity_type("X500DN").value(), IdentityType::x500dn);
    auto bad = parse_identity_type("KeyId");
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, Errc::parse_error);
}

TEST(CheckServerIdentity, IpAddr) {
    auto const c = server_cert();
    EXPECT_TRUE(
        check_server_identity(c, ServerIdentity{IdentityType::ip_addr, "9.1.1.1"}, ip("1.2.3.4"))
            .has_value());
    auto r =
        check_server_identity(c, ServerIdentity{IdentityType::ip_addr, "9.1.1.9"}, ip("9.1.1.1"));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::auth_failed);
    EXPECT_EQ(r.error().message,
              "server identity mismatch: expected IpAddr 9.1.1.9, the certificate has "
              "SubjectAltName iPAddress "
              "[127.0.0.1, 9.1.1.1]");
    auto garbage =
        check_server_identity(c, ServerIdentity{IdentityType::ip_addr, "nssd"}, ip("9.1.1.1"));
    ASSERT_FALSE(garbage.has_value());
    EXPECT_EQ(garbage.error().code, Errc::invalid_argument);
}

TEST(CheckServerIdentity, IpV6AgainstIpV4SanDoesNotMatch) {
    CertificateInfo c;
    c.san_ip = {ip("fd00::5")};
    EXPECT_TRUE(
        check_server_identity(c, ServerIdentity{IdentityType::ip_addr, "fd00::5"}, ip("9.9.9.9"))
            .has_value());
    EXPECT_TRUE(check_server_identity(c, std::nullopt, ip("fd00::5")).has_value());
    EXPECT_FALSE(check_server_identity(c, std::nullopt, ip("9.9.9.9")).has_value());
}

TEST(CheckServerIdentity, FqdnIsCaseInsensitiveWithoutWildcards) {
    CertificateInfo c;
    c.san_dns = {"*.example.com", "NSSD.example.com"};
    EXPECT_TRUE(check_server_identity(c, ServerIdentity{IdentityType::fqdn, "nssd.EXAMPLE.com"}, {})
                    .has_value());
    auto r = check_server_identity(c, ServerIdentity{IdentityType::fqdn, "x.example.com"}, {});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("dNSName [*.example.com, NSSD.example.com]"),
              std::string::npos);
}

TEST(CheckServerIdentity, UserAtFqdn) {
    auto const c = server_cert();
    EXPECT_TRUE(
        check_server_identity(c, ServerIdentity{IdentityType::user_at_fqdn, "NSSD@example.com"}, {})
            .has_value());
    EXPECT_FALSE(
        check_server_identity(c, ServerIdentity{IdentityType::user_at_fqdn, "nssd.example.com"}, {})
            .has_value());
}

TEST(CheckServerIdentity, X500dn) {
    auto const c = server_cert();
    auto check = [&](std::string dn) {
        return check_server_identity(c, ServerIdentity{IdentityType::x500dn, std::move(dn)}, {})
            .has_value();
    };
    EXPECT_TRUE(check("CN=nssd.example.com,O=nsslab,C=US"));
    EXPECT_TRUE(check("cn = NSSD.example.com ; o = NSSLAB ; c = us"));
    EXPECT_TRUE(check("C=US,O=nsslab,CN=nssd.example.com"));
    EXPECT_FALSE(check("CN=nssd.example.com,O=nsslab"));       // missing attribute
    EXPECT_FALSE(check("O=nsslab,CN=nssd.example.com,C=US"));  // order scrambled
    EXPECT_FALSE(check(""));
}

TEST(CheckServerIdentity, OmittedUsesServerAddressAndNeverTheCn) {
    auto const c = server_cert();
    EXPECT_TRUE(check_server_identity(c, std::nullopt, ip("127.0.0.1")).has_value());
    auto r = check_server_identity(c, std::nullopt, ip("9.1.1.2"));
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("no Identity configured"), std::string::npos);

    CertificateInfo cn_only;
    cn_only.subject = "CN=9.1.1.1";
    EXPECT_FALSE(check_server_identity(cn_only, std::nullopt, ip("9.1.1.1")).has_value());
}

}  // namespace
}  // namespace nsslab::tls
