// The real daemons as child processes (tests/e2e): spawning `nsslab nssd` / `nsslab iked` with
// stdin on a pipe and stdout, stderr and the trace in files, free loopback ports, bounded waits
// on the trace, and the fixture that kills what is left when a check fails (and prints the
// children's logs). Shared by the e2e tests (daemons_failover_test.cpp, iked_loopback_test.cpp).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace nsslab::e2e {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline constexpr auto wait_limit = 20s;

inline std::string read_file(fs::path const& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline void write_file(fs::path const& path, std::string const& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

// `text` with every `from` replaced by `to`; the template must contain it.
inline std::string replace_all(std::string text, std::string const& from, std::string const& to) {
    EXPECT_NE(text.find(from), std::string::npos) << "template lacks '" << from << "'";
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

// A TCP port free on 127.0.0.1 now (the kernel's choice; released before use).
inline std::uint16_t free_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    EXPECT_EQ(::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), 0);
    ::close(s);
    return ntohs(a.sin_port);
}

// A UDP socket bound on `address`:`port` (IPv4 text; port 0: the kernel picks), or -1.
inline int bind_udp(std::string const& address, std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (::inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1)
        return -1;
    int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s >= 0 && ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(s);
        return -1;
    }
    return s;
}

// A UDP port free now on every one of `addresses` (IPv4, e.g. 127.0.0.1 and 127.0.0.2): the
// kernel's choice on the first, checked on the others; released before use. 0 when none was
// found in 50 tries.
inline std::uint16_t free_udp_port(std::vector<std::string> const& addresses) {
    for (int attempt = 0; attempt < 50; ++attempt) {
        int first = bind_udp(addresses.at(0), 0);
        if (first < 0)
            return 0;
        sockaddr_in a{};
        socklen_t len = sizeof a;
        std::uint16_t port = 0;
        if (::getsockname(first, reinterpret_cast<sockaddr*>(&a), &len) == 0)
            port = ntohs(a.sin_port);
        std::vector<int> held{first};
        bool all = port != 0;
        for (std::size_t i = 1; all && i < addresses.size(); ++i) {
            int s = bind_udp(addresses[i], port);
            all = s >= 0;
            if (all)
                held.push_back(s);
        }
        for (int s : held)
            ::close(s);
        if (all)
            return port;
    }
    return 0;
}

// One `nsslab` child: stdin is a pipe we hold; stdout and stderr go to files.
struct Child {
    std::string name;
    pid_t pid{-1};
    int stdin_fd{-1};
    fs::path out;
    fs::path err;
    fs::path trace;
    int status{0};
    bool reaped{false};

    // True once it has exited (status then holds its wait status).
    bool exited() {
        if (reaped)
            return true;
        if (pid > 0 && ::waitpid(pid, &status, WNOHANG) == pid)
            reaped = true;
        return reaped;
    }
    void say(std::string const& line) const {
        std::string text = line + "\n";
        ASSERT_EQ(::write(stdin_fd, text.data(), text.size()), static_cast<ssize_t>(text.size()))
            << name;
    }
    std::string logs() const {
        return "--- " + name + " stderr:\n" + read_file(err) + "--- " + name + " stdout:\n" +
               read_file(out);
    }
};

class Daemons : public ::testing::Test {
  protected:
    fs::path dir;
    std::vector<Child> children;

    void SetUp() override {
        auto const* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir = fs::temp_directory_path() /
              ("nsslab-e2e-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        children.reserve(4);
        ::signal(SIGPIPE, SIG_IGN);
    }

    void TearDown() override {
        for (auto& c : children) {
            if (!c.exited()) {
                ::kill(c.pid, SIGKILL);
                ::waitpid(c.pid, &c.status, 0);
                c.reaped = true;
            }
            if (c.stdin_fd >= 0)
                ::close(c.stdin_fd);
        }
        if (!HasFailure())
            fs::remove_all(dir);
        else
            for (auto const& c : children)
                std::cerr << c.logs();
    }

    Child& start(std::string const& name, std::vector<std::string> args) {
        Child c;
        c.name = name;
        c.out = dir / (name + ".out");
        c.err = dir / (name + ".err");
        c.trace = dir / (name + ".jsonl");
        args.insert(args.begin(), NSSLAB_TOOL);
        args.insert(args.end(),
                    {"--trace", c.trace.string(), "--root", (dir / (name + "-root")).string()});
        int fds[2];
        EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
        posix_spawn_file_actions_addopen(&actions, 1, c.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
        posix_spawn_file_actions_addopen(&actions, 2, c.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        int rc = ::posix_spawn(&c.pid, NSSLAB_TOOL, &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[0]);
        c.stdin_fd = fds[1];
        EXPECT_EQ(rc, 0) << "posix_spawn " << NSSLAB_TOOL << ": " << std::strerror(rc);
        children.push_back(c);
        return children.back();
    }

    // Waits until `ready()` holds; fails (naming `what`) after wait_limit or when a child
    // that must stay up has exited.
    ::testing::AssertionResult wait_for(std::string const& what, std::function<bool()> const& ready,
                                        std::vector<Child*> const& alive) {
        auto until = std::chrono::steady_clock::now() + wait_limit;
        while (std::chrono::steady_clock::now() < until) {
            if (ready())
                return ::testing::AssertionSuccess();
            for (auto* c : alive)
                if (c->exited())
                    return ::testing::AssertionFailure() << c->name << " exited (status "
                                                         << c->status << ") waiting for " << what;
            std::this_thread::sleep_for(50ms);
        }
        return ::testing::AssertionFailure() << "timed out waiting for " << what;
    }

    // Trace lines of `event` that contain every one of `parts`.
    static int count(Child const& c, std::string const& event,
                     std::vector<std::string> const& parts = {}) {
        std::istringstream in(read_file(c.trace));
        int n = 0;
        for (std::string line; std::getline(in, line);) {
            if (line.find("\"event\":\"" + event + "\"") == std::string::npos)
                continue;
            bool all = true;
            for (auto const& p : parts)
                all = all && line.find(p) != std::string::npos;
            n += all ? 1 : 0;
        }
        return n;
    }

    // Waits for the child's exit; returns its wait status or -1 after wait_limit.
    int wait_exit(Child& c) {
        auto until = std::chrono::steady_clock::now() + wait_limit;
        while (std::chrono::steady_clock::now() < until) {
            if (c.exited())
                return c.status;
            std::this_thread::sleep_for(20ms);
        }
        return -1;
    }
};

}  // namespace nsslab::e2e
