#include "nsslab/base/text.hpp"

#include <gtest/gtest.h>

namespace nsslab {
namespace {

TEST(Text, AsciiCaseMappingChangesOnlyLetters) {
    EXPECT_EQ(ascii_upper("systema_stack1.Ipsec-Cert@#$"), "SYSTEMA_STACK1.IPSEC-CERT@#$");
    EXPECT_EQ(ascii_lower("NSS.Example.COM:4159"), "nss.example.com:4159");
    EXPECT_EQ(ascii_upper(""), "");
    // Bytes outside ASCII (e.g. Latin-1 or UTF-8) pass through unchanged.
    EXPECT_EQ(ascii_upper("\xe9t\xc3\xa9"), "\xe9T\xc3\xa9");
    EXPECT_EQ(ascii_lower("\xc9T"), "\xc9t");
}

}  // namespace
}  // namespace nsslab
