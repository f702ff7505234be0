// The real daemons end to end (issue 4 §6, docs/daemons.md): a primary and a backup
// `nsslab nssd` and an `nsslab iked` run as processes on 127.0.0.1 with AT-TLS. The stack
// connects to the primary and signs; the primary is SIGKILLed; the stack signs again through
// the backup (EZD1136I names it); SIGTERM stops IKED and the backup cleanly (exit status 0).
// Configs are the failover-to-backup scenario's files with loopback addresses and free ports.
// Every wait is bounded; children are killed when a check fails.
#include <set>
#include <tuple>

#include "daemons.hpp"

namespace nsslab::e2e {
namespace {

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
}  // namespace nsslab::e2e
