#include "nsslab/runtime/file_system.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace nsslab::runtime {
namespace {

void exercise(FileSystem& fs) {
    EXPECT_FALSE(fs.exists("/var/iked/STACK1.default"));
    ASSERT_TRUE(fs.write("/var/iked/STACK1.default", "x"));
    EXPECT_TRUE(fs.exists("/var/iked/STACK1.default"));
    EXPECT_EQ(*fs.read("/var/iked/STACK1.default"), "x");
    ASSERT_TRUE(fs.write("/var/iked/STACK2.default", "yy"));
    EXPECT_EQ(fs.list("/var/iked/").size(), 2u);
    ASSERT_TRUE(fs.remove("/var/iked/STACK1.default"));
    auto again = fs.remove("/var/iked/STACK1.default");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::not_found);
    EXPECT_FALSE(fs.read("/nope"));
    EXPECT_FALSE(fs.write("relative", "x"));
    EXPECT_FALSE(fs.write("/a/../b", "x"));
}

TEST(FileSystem, Memory) {
    MemoryFileSystem fs;
    exercise(fs);
}

TEST(FileSystem, MemoryIsBounded) {
    MemoryFileSystem fs(4);
    ASSERT_TRUE(fs.write("/a", "1234"));
    auto r = fs.write("/b", "5");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::limit_exceeded);
    ASSERT_TRUE(fs.write("/a", "12"));  // replacing frees space
    EXPECT_TRUE(fs.write("/b", "34"));
}

TEST(FileSystem, Directory) {
    auto root =
        std::filesystem::temp_directory_path() / ("nsslab-fs-" + std::to_string(::getpid()));
    std::filesystem::remove_all(root);
    {
        DirectoryFileSystem fs(root);
        exercise(fs);
    }
    std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace nsslab::runtime
