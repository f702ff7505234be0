// IKED's console commands parsed (sim/iked console.hpp): each command's value, and the line the
// operator sees for a bad one.
#include "nsslab/iked/console.hpp"

#include <gtest/gtest.h>

namespace nsslab::iked {
namespace {

TEST(IkedConsole, ModifyRefreshWithAndWithoutFile) {
    auto plain = parse_console_command("MODIFY IKED,REFRESH");
    ASSERT_TRUE(plain) << plain.error().what();
    ASSERT_TRUE(std::holds_alternative<RefreshCommand>(*plain));
    EXPECT_FALSE(std::get<RefreshCommand>(*plain).file.has_value());

    auto file = parse_console_command("F IKED,REFRESH,FILE=iked2.conf");
    ASSERT_TRUE(file) << file.error().what();
    EXPECT_EQ(std::get<RefreshCommand>(*file).file, "iked2.conf");

    auto lower = parse_console_command("modify iked,refresh,file=next.conf");
    ASSERT_TRUE(lower) << lower.error().what();
    EXPECT_EQ(std::get<RefreshCommand>(*lower).file, "next.conf");  // the name as typed
}

TEST(IkedConsole, ModifyRefreshRejectsBadParameters) {
    auto unknown = parse_console_command("MODIFY IKED,REFRESH,NOW");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(
        unknown.error().message,
        "MODIFY IKED,REFRESH: unknown parameter ,NOW (usage: MODIFY IKED,REFRESH[,FILE=name])");
    for (char const* bad : {"MODIFY IKED,REFRESH,FILE=", "MODIFY IKED,REFRESH,FILE=../etc/passwd",
                            "MODIFY IKED,REFRESH,FILE=.."}) {
        auto r = parse_console_command(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error().message.find("FILE= needs a file name in /etc/security"),
                  std::string::npos)
            << r.error().message;
    }
}

TEST(IkedConsole, NssSignAndDisplay) {
    auto sign = parse_console_command("nss sign stack1 A1S1_CERT ecdsa_sha256 0a0B");
    ASSERT_TRUE(sign) << sign.error().what();
    auto const& s = std::get<NssSignCommand>(*sign);
    EXPECT_EQ(s.stack, "STACK1");
    EXPECT_EQ(s.label, "A1S1_CERT");
    EXPECT_EQ(s.scheme, wire_nss::SignatureScheme::ecdsa_sha256);
    EXPECT_EQ(s.data, (Bytes{0x0a, 0x0b}));
    for (char const* bad : {"nss sign STACK1 L ecdsa_sha256", "nss sign STACK1 L nosuch 00",
                            "nss sign STACK1 L ecdsa_sha256 zz"}) {
        auto r = parse_console_command(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().message, "usage: nss sign <stack> <label> <scheme> <hex>");
    }
    EXPECT_TRUE(
        std::holds_alternative<NssDisplayCommand>(*parse_console_command("ipsec -w display")));
}

TEST(IkedConsole, LocalIpsecTakesTheStackOutOfTheWords) {
    auto r = parse_console_command("ipsec -f default -p stack2");
    ASSERT_TRUE(r) << r.error().what();
    auto const& local = std::get<LocalIpsecCommand>(*r);
    EXPECT_EQ(local.stack, "STACK2");
    EXPECT_EQ(local.words, (std::vector<std::string>{"ipsec", "-f", "default"}));
    auto none = parse_console_command("ipsec -k display");
    EXPECT_EQ(std::get<LocalIpsecCommand>(*none).stack, "");
    EXPECT_TRUE(std::holds_alternative<SaAddCommand>(*parse_console_command("sa add S ike a b")));
}

TEST(IkedConsole, UnknownCommandIsNamed) {
    auto r = parse_console_command("display iked");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "unknown or unsupported command: display iked");
}

}  // namespace
}  // namespace nsslab::iked
