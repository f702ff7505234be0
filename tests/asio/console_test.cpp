// Loop::add_console: lines from a pipe or a regular file, CR LF, overlong lines, end of file,
// the caller's descriptor left open with its flags, no callback after stop().
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nsslab/asio/loop.hpp"

namespace nsslab::asio_rt {
namespace {

using namespace std::chrono_literals;

struct Pipe {
    int fds[2]{-1, -1};
    Pipe() { EXPECT_EQ(::pipe(fds), 0); }
    ~Pipe() {
        close_write();
        if (fds[0] >= 0)
            ::close(fds[0]);
    }
    void write(std::string const& text) const {
        ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
    }
    void close_write() {
        if (fds[1] >= 0)
            ::close(fds[1]);
        fds[1] = -1;
    }
};

struct Seen {
    std::vector<std::string> lines;
    int eofs{0};
};

bool add(Loop& loop, int fd, Seen& seen, std::size_t max_line = 4096) {
    ConsoleOptions options;
    options.max_line = max_line;
    return loop.add_console(
        fd, [&seen](std::string line, TimePoint) { seen.lines.push_back(std::move(line)); },
        [&seen](TimePoint) { ++seen.eofs; }, options);
}

TEST(AsioConsole, DeliversLinesFromAPipeAndEndsAtEof) {
    Loop loop;
    Pipe pipe;
    Seen seen;
    ASSERT_TRUE(add(loop, pipe.fds[0], seen));
    pipe.write("nssctl -d\r\nipsec -w ");
    ASSERT_TRUE(loop.run_until([&] { return seen.lines.size() == 1; }, 5s));
    EXPECT_EQ(seen.lines[0], "nssctl -d");
    pipe.write("display\n\nMODIFY IKED,REFRESH");
    pipe.close_write();
    ASSERT_TRUE(loop.run_until([&] { return seen.eofs == 1; }, 5s));
    EXPECT_EQ(seen.lines, (std::vector<std::string>{"nssctl -d", "ipsec -w display", "",
                                                    "MODIFY IKED,REFRESH"}));
    EXPECT_EQ(seen.eofs, 1);
}

TEST(AsioConsole, DiscardsAnOverlongLineWhole) {
    Loop loop;
    Pipe pipe;
    Seen seen;
    ASSERT_TRUE(add(loop, pipe.fds[0], seen, 8));
    pipe.write("short\n" + std::string(100, 'x') + "\n12345678\n123456789\nend\n");
    pipe.close_write();
    ASSERT_TRUE(loop.run_until([&] { return seen.eofs == 1; }, 5s));
    EXPECT_EQ(seen.lines, (std::vector<std::string>{"short", "12345678", "end"}));
    EXPECT_EQ(loop.console_lines_discarded(), 2u);
}

TEST(AsioConsole, ReadsARegularFileAndDevNull) {
    auto path = std::filesystem::temp_directory_path() /
                ("nsslab-console-test-" + std::to_string(::getpid()) + ".txt");
    {
        std::ofstream out(path);
        out << "one\ntwo\n";
    }
    int file = ::open(path.c_str(), O_RDONLY);
    int null = ::open("/dev/null", O_RDONLY);
    ASSERT_GE(file, 0);
    ASSERT_GE(null, 0);
    Loop loop;
    Seen from_file;
    Seen from_null;
    ASSERT_TRUE(add(loop, file, from_file));
    ASSERT_TRUE(add(loop, null, from_null));
    ASSERT_TRUE(loop.run_until([&] { return from_file.eofs == 1 && from_null.eofs == 1; }, 5s));
    EXPECT_EQ(from_file.lines, (std::vector<std::string>{"one", "two"}));
    EXPECT_TRUE(from_null.lines.empty());
    ::close(file);
    ::close(null);
    std::filesystem::remove(path);
}

TEST(AsioConsole, LeavesTheCallersDescriptorOpenWithItsFlags) {
    Pipe pipe;
    int flags = ::fcntl(pipe.fds[0], F_GETFL);
    {
        Loop loop;
        Seen seen;
        ASSERT_TRUE(add(loop, pipe.fds[0], seen));
        pipe.write("a\n");
        ASSERT_TRUE(loop.run_until([&] { return seen.lines.size() == 1; }, 5s));
    }
    EXPECT_EQ(::fcntl(pipe.fds[0], F_GETFL), flags);
    pipe.write("b\n");
    char buffer[4] = {};
    EXPECT_EQ(::read(pipe.fds[0], buffer, sizeof buffer), 2);
    EXPECT_EQ(std::string(buffer, 2), "b\n");
}

TEST(AsioConsole, NoCallbackAfterStop) {
    Loop loop;
    Pipe pipe;
    Seen seen;
    ASSERT_TRUE(add(loop, pipe.fds[0], seen));
    pipe.write("first\n");
    ASSERT_TRUE(loop.run_until([&] { return seen.lines.size() == 1; }, 5s));
    loop.stop(100ms);
    pipe.write("second\n");
    pipe.close_write();
    EXPECT_FALSE(loop.run_until([&] { return seen.lines.size() > 1 || seen.eofs > 0; }, 200ms));
    EXPECT_EQ(seen.lines.size(), 1u);
    EXPECT_EQ(seen.eofs, 0);
}

TEST(AsioConsole, RefusesABadDescriptor) {
    Loop loop;
    Seen seen;
    EXPECT_FALSE(add(loop, -1, seen));
    EXPECT_FALSE(add(loop, 1000000, seen));
}

}  // namespace
}  // namespace nsslab::asio_rt
