// Removed once the first zos component lands with its own tests.
#include <gtest/gtest.h>

TEST(Zos, LibraryLinks) { SUCCEED(); }
