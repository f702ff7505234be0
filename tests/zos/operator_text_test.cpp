// zos::split_words: operator command text split into blank-delimited words.
#include "nsslab/zos/operator_text.hpp"

#include <gtest/gtest.h>

namespace nsslab::zos {
namespace {

using Words = std::vector<std::string>;

TEST(OperatorText, SplitsOnRunsOfBlanks) {
    EXPECT_EQ(split_words("  ipsec -z  SYSTEMA_STACK1\t-f display \n"),
              (Words{"ipsec", "-z", "SYSTEMA_STACK1", "-f", "display"}));
}

TEST(OperatorText, EmptyAndBlankTextHaveNoWords) {
    EXPECT_TRUE(split_words("").empty());
    EXPECT_TRUE(split_words(" \t\r\n").empty());
}

TEST(OperatorText, OneWordAndPunctuationKept) {
    EXPECT_EQ(split_words("nssctl"), (Words{"nssctl"}));
    EXPECT_EQ(split_words("MODIFY IKED,REFRESH"), (Words{"MODIFY", "IKED,REFRESH"}));
}

}  // namespace
}  // namespace nsslab::zos
