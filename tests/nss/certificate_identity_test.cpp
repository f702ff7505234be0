// The identity lookup of the certificate service (nsslab/nss/certificate_identity.hpp): parsing
// a cert_request identity, matching it with a certificate's subject and subjectAltName, and
// IKED's policy identity as a cert_request identity.
#include "nsslab/nss/certificate_identity.hpp"

#include <gtest/gtest.h>

#include "nss_server_test_support.hpp"

namespace nsslab::nss {
namespace {

namespace wn = wire_nss;
using test::Pki;
using test::take;

crypto::Certificate make_certificate(std::string const& dn, crypto::SubjectAltNames san) {
    auto const& pki = Pki::get();
    crypto::CertificateSpec spec;
    spec.subject = take(crypto::DistinguishedName::parse(dn), "dn");
    spec.serial = 77;
    spec.not_before = time_from_unix_seconds(1'735'689'600);
    spec.not_after = time_from_unix_seconds(2'051'222'400);
    spec.subject_alt_names = std::move(san);
    return take(
        crypto::Certificate::create_signed(spec, pki.ec_key.public_key(), pki.ca, pki.ca_key),
        "create_signed");
}

bool matches(wn::IdentityType type, std::string value, crypto::Certificate const& cert) {
    auto m = CertificateIdentityMatcher::make({type, std::move(value)});
    EXPECT_TRUE(m) << m.error().what();
    return m && m->matches(cert);
}

TEST(CertificateIdentity, MatchesSubjectAndSubjectAltNames) {
    crypto::SubjectAltNames san;
    san.ip_addresses = {take(IpAddress::parse("10.1.1.1"), "ip"),
                        take(IpAddress::parse("2001:db8::1"), "ip")};
    san.dns_names = {"Stack1.SystemA.example"};
    san.rfc822_names = {"ike@systema.example"};
    auto const cert = make_certificate("CN=SYSTEMA_STACK1,OU=IKE  Team,O=IBM,ST=NY,C=US", san);
    using T = wn::IdentityType;
    struct Case {
        T type;
        char const* value;
        bool match;
    };
    Case const cases[] = {
        {T::ipv4_addr, "10.1.1.1", true},
        {T::ipv4_addr, " 10.1.1.1 ", true},
        {T::ipv4_addr, "10.1.1.2", false},
        {T::ipv6_addr, "2001:0db8:0:0::1", true},
        {T::ipv6_addr, "::ffff:10.1.1.1", false},
        {T::fqdn, "stack1.systema.EXAMPLE", true},
        {T::fqdn, "systema.example", false},
        {T::fqdn, "SYSTEMA_STACK1", false},  // the CN is no dNSName
        {T::user_fqdn, "IKE@SystemA.example", true},
        {T::user_fqdn, "ike2@systema.example", false},
        {T::fqdn, "ike@systema.example", false},  // an rfc822Name is no dNSName
        // X500dn: RFC 4514 order, types by any alias, values case and blank insensitive.
        {T::x500dn, "CN=SYSTEMA_STACK1,OU=IKE  Team,O=IBM,ST=NY,C=US", true},
        {T::x500dn, "cn=systema_stack1; ou = ike team ,o=ibm,SP=ny,c=us", true},
        {T::x500dn, "CN=SYSTEMA_STACK1,OU=IKETeam,O=IBM,ST=NY,C=US", false},
        {T::x500dn, "C=US,ST=NY,O=IBM,OU=IKE Team,CN=SYSTEMA_STACK1", false},
        {T::x500dn, "CN=SYSTEMA_STACK1,OU=IKE Team,O=IBM,C=US", false},
        {T::x500dn, "CN=SYSTEMA_STACK1", false},
    };
    for (auto const& c : cases)
        EXPECT_EQ(matches(c.type, c.value, cert), c.match)
            << wn::to_string(c.type) << " '" << c.value << "'";
}

TEST(CertificateIdentity, EscapedAndUtf8DnValues) {
    auto const cert = make_certificate("CN=Stack\\, One,O=Zürich AG,C=CH", {});
    EXPECT_EQ(cert.subject_string(), "CN=Stack\\, One,O=Zürich AG,C=CH");
    EXPECT_TRUE(matches(wn::IdentityType::x500dn, "CN=Stack\\, One,O=Zürich AG,C=CH", cert));
    EXPECT_TRUE(matches(wn::IdentityType::x500dn, "CN=Stack\\2C One,O=Zürich AG,C=CH", cert));
    // Only ASCII letters fold: Ü is not ü.
    EXPECT_FALSE(matches(wn::IdentityType::x500dn, "CN=Stack\\, One,O=ZÜRICH AG,C=CH", cert));
}

TEST(CertificateIdentity, MalformedValuesNameTheIdentity) {
    auto error_of = [](wn::IdentityType type, std::string value) {
        auto m = CertificateIdentityMatcher::make({type, std::move(value)});
        EXPECT_FALSE(m);
        return m ? std::string() : m.error().message;
    };
    EXPECT_EQ(error_of(wn::IdentityType::ipv4_addr, "::1"),
              "identity ipv4_addr '::1' is not an IPv4 address");
    EXPECT_EQ(error_of(wn::IdentityType::ipv6_addr, "10.0.0.1"),
              "identity ipv6_addr '10.0.0.1' is not an IPv6 address");
    EXPECT_EQ(error_of(wn::IdentityType::fqdn, ""), "identity fqdn '' is empty");
    EXPECT_EQ(error_of(wn::IdentityType::user_fqdn, " \t"), "identity user_fqdn ' \t' is empty");
    EXPECT_NE(error_of(wn::IdentityType::x500dn, "CN=a,,O=b").find("is not a distinguished name"),
              std::string::npos);
    EXPECT_NE(error_of(wn::IdentityType::x500dn, "=x").find("is not a distinguished name"),
              std::string::npos);
    EXPECT_NE(error_of(static_cast<wn::IdentityType>(4), "x").find("unknown identity type"),
              std::string::npos);
    // Long values are quoted in part, never inside a UTF-8 sequence.
    std::string const long_dn = std::string(127, 'a') + "é" + std::string(3000, 'b');
    auto const message = error_of(wn::IdentityType::x500dn, long_dn);
    EXPECT_EQ(message.find("identity x500dn '" + std::string(127, 'a') + "... (3129 octets)'"), 0u)
        << message;
    EXPECT_LT(message.size(), 1024u);
}

TEST(CertificateIdentity, FromTheKeyExchangeRuleIdentity) {
    using zos::IkeIdentityType;
    auto v4 = certificate_identity({IkeIdentityType::ip_addr, "10.1.1.1"});
    ASSERT_TRUE(v4);
    EXPECT_EQ(*v4, (wn::CertificateIdentity{wn::IdentityType::ipv4_addr, "10.1.1.1"}));
    auto v6 = certificate_identity({IkeIdentityType::ip_addr, "2001:db8::1"});
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->type, wn::IdentityType::ipv6_addr);
    EXPECT_EQ(certificate_identity({IkeIdentityType::fqdn, "a.example"})->type,
              wn::IdentityType::fqdn);
    EXPECT_EQ(certificate_identity({IkeIdentityType::user_fqdn, "u@a.example"})->type,
              wn::IdentityType::user_fqdn);
    auto dn = certificate_identity({IkeIdentityType::x500dn, "CN=SYSTEMA_STACK1,O=IBM,C=US"});
    ASSERT_TRUE(dn);
    EXPECT_EQ(*dn,
              (wn::CertificateIdentity{wn::IdentityType::x500dn, "CN=SYSTEMA_STACK1,O=IBM,C=US"}));
    auto bad = certificate_identity({IkeIdentityType::ip_addr, "stack1"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::invalid_argument);
    auto key_id = certificate_identity({IkeIdentityType::key_id, "0A0B"});
    ASSERT_FALSE(key_id);
    EXPECT_EQ(key_id.error().code, Errc::unsupported);
}

}  // namespace
}  // namespace nsslab::nss
