// The real daemons end to end (issue 4 §6, docs/daemons.md): a primary and a backup
// `nsslab nssd` and an `nsslab iked` run as processes on 127.0.0.1 with AT-TLS. The stack
// connects to the primary and signs; the primary is SIGKILLed; the stack signs again through
// the backup (EZD1136I names it); SIGTERM stops IKED and the backup cleanly (exit status 0).
// Configs are the failover-to-backup scenario's files with loopback addresses and free ports.
// Every wait is bounded; children are killed when a check fails.
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
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto wait_limit = 20s;

std::string read_file(fs::path const& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(fs::path const& path, std::string const& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

// `text` with every `from` replaced by `to`; the template must contain it.
std::string replace_all(std::string text, std::string const& from, std::string const& to) {
    EXPECT_NE(text.find(from), std::string::npos) << "template lacks '" << from << "'";
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

// A TCP port free on 127.0.0.1 now (the kernel's choice; released before use).
std::uint16_t free_port() {
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

TEST_F(Daemons, StackSignsThroughThePrimaryThenFailsOverToTheBackupWhenItIsKilled) {
    fs::path const templates = fs::path(NSSLAB_SOURCE_DIR) / "scenarios/nss/failover-to-backup";
    ASSERT_TRUE(fs::exists(fs::path(NSSLAB_TOOL))) << NSSLAB_TOOL;
    std::uint16_t const primary_port = free_port();
    std::uint16_t backup_port = free_port();
    while (backup_port == primary_port)
        backup_port = free_port();
    std::string const p1 = std::to_string(primary_port);
    std::string const p2 = std::to_string(backup_port);

    // Config folders: the scenario's files, servers at 127.0.0.1 on the free ports.
    auto const nssd_conf = read_file(templates / "nssd.conf");
    for (auto const& [folder, system, port, address] :
         {std::tuple{"primary", "SYSTEMB", p1, "9.1.1.1"},
          std::tuple{"backup", "SYSTEMC", p2, "9.1.1.2"}}) {
        fs::create_directories(dir / folder);
        write_file(dir / folder / "nssd.conf",
                   replace_all(nssd_conf, "Port        4159", "Port        " + port));
        std::string racf = "nssd-" + std::string(system) + ".racf";
        write_file(dir / folder / racf,
                   replace_all(read_file(templates / racf), "IP(" + std::string(address) + ")",
                               "IP(127.0.0.1)"));
        fs::copy_file(templates / "nss-ca.pem", dir / folder / "nss-ca.pem");
    }
    fs::create_directories(dir / "iked");
    std::string iked_conf = read_file(templates / "iked.conf");
    iked_conf = replace_all(iked_conf, "9.1.1.1 Port 4159", "127.0.0.1 Port " + p1);
    iked_conf = replace_all(iked_conf, "9.1.1.2 Port 4159", "127.0.0.1 Port " + p2);
    write_file(dir / "iked" / "iked.conf", iked_conf);
    fs::copy_file(templates / "iked-SYSTEMA.racf", dir / "iked" / "iked-SYSTEMA.racf");
    fs::copy_file(templates / "nss-ca-cert.pem", dir / "iked" / "nss-ca-cert.pem");

    // The servers, then IKED once both listen.
    Child& primary = start("primary", {"nssd", "--config", (dir / "primary").string(), "--system",
                                       "SYSTEMB", "--tls-keylog", (dir / "primary.keys").string()});
    Child& backup = start("backup", {"nssd", "--config", (dir / "backup").string(), "--system",
                                     "SYSTEMC", "--tls-keylog", (dir / "backup.keys").string()});
    ASSERT_TRUE(wait_for("both servers listening",
                         [&] {
                             return count(primary, "nssd.started", {"\"listening\":true"}) == 1 &&
                                    count(backup, "nssd.started", {"\"listening\":true"}) == 1;
                         },
                         {&primary, &backup}));
    Child& iked = start("iked", {"iked", "--config", (dir / "iked").string(), "--system", "SYSTEMA",
                                 "--tls-keylog", (dir / "iked.keys").string()});

    // Connected to the primary (EZD1136I names it), then a signature.
    ASSERT_TRUE(wait_for("EZD1136I naming the primary",
                         [&] {
                             return count(iked, "nss.console", {"EZD1136I", "PORT " + p1}) >= 1 &&
                                    count(iked, "nss.registered") >= 1;
                         },
                         {&primary, &backup, &iked}));
    iked.say("nss sign STACK1 A1S1_CERT ecdsa_sha256 494b455f415554482023310a");
    ASSERT_TRUE(wait_for("the first signature",
                         [&] { return count(iked, "iked.nss_completion") >= 1; },
                         {&primary, &backup, &iked}));
    EXPECT_EQ(count(iked, "iked.nss_completion", {"\"result\":\"ok\""}), 1);
    EXPECT_EQ(count(primary, "nssd.sign"), 1);
    ASSERT_TRUE(wait_for("the answer on IKED's console",
                         [&] {
                             return read_file(iked.out).find("request 1 ok: signature of ") !=
                                    std::string::npos;
                         },
                         {&primary, &backup, &iked}));

    // The primary dies; the next signature is answered through the backup.
    ASSERT_EQ(::kill(primary.pid, SIGKILL), 0);
    EXPECT_GE(wait_exit(primary), 0);
    iked.say("nss sign STACK1 A1S1_CERT ecdsa_sha256 494b455f415554482023320a");
    ASSERT_TRUE(wait_for("the second signature",
                         [&] { return count(iked, "iked.nss_completion") >= 2; },
                         {&backup, &iked}));
    EXPECT_EQ(count(iked, "iked.nss_completion", {"\"result\":\"ok\""}), 2);
    EXPECT_EQ(count(iked, "nss.console", {"EZD1136I", "PORT " + p2}), 1);
    EXPECT_EQ(count(backup, "nssd.sign"), 1);
    EXPECT_NE(read_file(iked.err).find("CONNECTED TO NSS SERVER 127.0.0.1 PORT " + p2),
              std::string::npos);

    // The console display shows the backup in use.
    iked.say("ipsec -w display");
    ASSERT_TRUE(wait_for("ipsec -w output",
                         [&] {
                             return read_file(iked.out).find("NSServerPort:                   " +
                                                             p2) != std::string::npos;
                         },
                         {&backup, &iked}));
    EXPECT_NE(read_file(iked.out).find("ConnectionState:                connected"),
              std::string::npos);

    // SIGTERM: both stop cleanly.
    ASSERT_EQ(::kill(iked.pid, SIGTERM), 0);
    int iked_status = wait_exit(iked);
    ASSERT_EQ(::kill(backup.pid, SIGTERM), 0);
    int backup_status = wait_exit(backup);
    ASSERT_TRUE(WIFEXITED(iked_status)) << iked_status;
    EXPECT_EQ(WEXITSTATUS(iked_status), 0);
    ASSERT_TRUE(WIFEXITED(backup_status)) << backup_status;
    EXPECT_EQ(WEXITSTATUS(backup_status), 0);
    EXPECT_EQ(count(iked, "iked.stopped"), 1);
    EXPECT_EQ(count(backup, "nssd.stopped"), 1);
    EXPECT_NE(read_file(iked.err).find("IKED stopped (SIGTERM)"), std::string::npos);
    EXPECT_NE(read_file(backup.err).find("NSSD stopped (SIGTERM)"), std::string::npos);

    // --tls-keylog: both ends of each AT-TLS session logged its secrets (SSLKEYLOGFILE format):
    // IKED's two sessions (primary, then backup) and the servers' one each, client randoms equal.
    auto randoms = [](fs::path const& file) {
        std::set<std::string> out;
        std::istringstream in(read_file(file));
        for (std::string line; std::getline(in, line);) {
            std::istringstream words(line);
            std::string label, client_random, secret;
            words >> label >> client_random >> secret;
            EXPECT_FALSE(secret.empty()) << file << ": " << line;
            if (label == "CLIENT_HANDSHAKE_TRAFFIC_SECRET")
                out.insert(client_random);
        }
        return out;
    };
    auto const iked_sessions = randoms(dir / "iked.keys");
    auto const primary_sessions = randoms(dir / "primary.keys");
    auto const backup_sessions = randoms(dir / "backup.keys");
    EXPECT_EQ(iked_sessions.size(), 2u);
    EXPECT_EQ(primary_sessions.size(), 1u);
    EXPECT_EQ(backup_sessions.size(), 1u);
    for (auto const& r : primary_sessions)
        EXPECT_EQ(iked_sessions.count(r), 1u) << "the primary's session is IKED's";
    for (auto const& r : backup_sessions)
        EXPECT_EQ(iked_sessions.count(r), 1u) << "the backup's session is IKED's";
}

TEST_F(Daemons, BadConfigNamesFileAndLineAndExitsWithTwo) {
    fs::create_directories(dir / "bad");
    write_file(dir / "bad" / "nssd.conf", "NssConfig\n{\n  Port        notaport\n}\n");
    Child& nssd = start("bad", {"nssd", "--config", (dir / "bad").string(), "--system", "SYSTEMB"});
    int status = wait_exit(nssd);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 2);
    EXPECT_NE(read_file(nssd.err).find("nssd.conf:3:"), std::string::npos) << nssd.logs();
    EXPECT_FALSE(fs::exists(nssd.trace));  // nothing started

    Child& iked =
        start("missing", {"iked", "--config", (dir / "bad").string(), "--system", "SYSTEMA"});
    status = wait_exit(iked);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 2);
    EXPECT_NE(read_file(iked.err).find("no iked.conf"), std::string::npos) << iked.logs();
}

}  // namespace
