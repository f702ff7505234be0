// Two real IKE daemons negotiate IKEv2 over loopback UDP (docs/daemons.md "Two IKEDs over
// loopback"): `nsslab iked` for SYSTEMA's STACK1 owns 127.0.0.1, another for SYSTEMD's STACK2
// owns 127.0.0.2, both with the same free high port (--ike-port). The config folders are the
// scenario ike/psk-tunnel's files with the loopback addresses: no NSS, a pre-shared key.
// `ipsec -p STACK1 -y activate peer` on SYSTEMA's console establishes the IKE SA and its Child
// SA on both sides, `ipsec -k display` shows the tunnel, `ipsec -k deactivate K1` deletes it on
// both; SIGTERM stops both (status 0). Only loopback traffic; every wait is bounded.
#include "daemons.hpp"
#include "nss_folders.hpp"

namespace nsslab::e2e {
namespace {

constexpr char const* address_a = "127.0.0.1";
constexpr char const* address_d = "127.0.0.2";

// One IKED's config folder from the psk-tunnel scenario's files: iked.conf (no NSS), the RACF
// script giving OPER1 EZB.IPSECCMD...DISPLAY/CONTROL, <stack>.tcpip and <stack>.policy with
// SYSTEMA's 10.1.1.1 as 127.0.0.1, SYSTEMD's 10.2.2.2 as 127.0.0.2 and IKE on `port`.
void write_psk_folder(fs::path const& folder, std::string const& conf, std::string const& racf,
                      std::string const& stack, std::uint16_t port) {
    fs::path const templates = fs::path(NSSLAB_SOURCE_DIR) / "scenarios/ike/psk-tunnel";
    std::string const p = std::to_string(port);
    fs::create_directories(folder);
    write_file(folder / "iked.conf", read_file(templates / conf));
    fs::copy_file(templates / racf, folder / racf);
    write_file(folder / (stack + ".tcpip"),
               replace_all(read_file(templates / (stack + ".tcpip")), "SRCPort 500 DESTport 500",
                           "SRCPort " + p + " DESTport " + p));
    std::string policy = read_file(templates / (stack + ".policy"));
    policy = replace_all(policy, "10.1.1.1", address_a);
    policy = replace_all(policy, "10.2.2.2", address_d);
    policy = replace_all(policy, "SourcePortRange      500", "SourcePortRange      " + p);
    policy = replace_all(policy, "DestinationPortRange 500", "DestinationPortRange " + p);
    write_file(folder / (stack + ".policy"), policy);
}

class IkedLoopback : public Daemons {
  protected:
    bool stdout_has(Child const& c, std::string const& text) const {
        return read_file(c.out).find(text) != std::string::npos;
    }

    // NSSD (SYSTEMB on 127.0.0.1) and the two IKEDs, both stacks its NSS clients, started and
    // registered. `signatures`: the KeyExchangeRules say HowToAuthMe DigitalSignature instead of
    // PresharedKey. Null members when a step failed (the failure is recorded).
    struct NssRun {
        Child* nssd{nullptr};
        Child* a{nullptr};
        Child* d{nullptr};
    };
    NssRun start_nss_run(bool signatures) {
        std::uint16_t const port = free_udp_port({address_a, address_d});
        EXPECT_NE(port, 0);
        std::uint16_t const nss_port = free_port();
        std::string const p = std::to_string(port);
        NssClientCert const stack1{"STACK1", "SYSTEMA_STACK1", "A1S1", "A1S1_CERT", address_a};
        NssClientCert const stack2{"STACK2", "SYSTEMD_STACK2", "D2S2", "D2S2_CERT", address_d};
        write_nssd_folder(dir / "nssd", "SYSTEMB", nss_port, address_a, {stack1, stack2});
        write_psk_folder(dir / "a", "iked-a.conf", "iked-SYSTEMA.racf", "stack1", port);
        write_psk_folder(dir / "d", "iked-d.conf", "iked-SYSTEMD.racf", "stack2", port);
        for (auto const& [folder, stack] : {std::pair{"a", "stack1"}, std::pair{"d", "stack2"}}) {
            if (!signatures)
                break;
            fs::path const policy = dir / folder / (std::string(stack) + ".policy");
            std::string text = replace_all(read_file(policy), "HowToAuthMe         PresharedKey",
                                           "HowToAuthMe         DigitalSignature");
            text = replace_all(text, "   SharedKey Ascii TheEagleHasLanded\n", "");
            write_file(policy, text);
        }
        add_nss_client(dir / "a", stack1, address_a, nss_port);
        add_nss_client(dir / "d", stack2, address_a, nss_port);

        NssRun run;
        Child& nssd =
            start("nssd", {"nssd", "--config", (dir / "nssd").string(), "--system", "SYSTEMB"});
        if (!wait_for("NSSD listening",
                      [&] { return count(nssd, "nssd.started", {"\"listening\":true"}) == 1; },
                      {&nssd}))
            return run;
        Child& a = start("a", {"iked", "--config", (dir / "a").string(), "--system", "SYSTEMA",
                               "--ike-port", p});
        Child& d = start("d", {"iked", "--config", (dir / "d").string(), "--system", "SYSTEMD",
                               "--ike-port", p});
        if (!wait_for(
                "both stacks connected to NSSD",
                [&] { return count(a, "nss.registered") >= 1 && count(d, "nss.registered") >= 1; },
                {&nssd, &a, &d}))
            return run;
        return NssRun{&nssd, &a, &d};
    }
};

TEST_F(IkedLoopback, TwoDaemonsEstablishAPskTunnelOverLoopbackUdpAndDeleteIt) {
    ASSERT_TRUE(fs::exists(fs::path(NSSLAB_TOOL))) << NSSLAB_TOOL;
    std::uint16_t const port = free_udp_port({address_a, address_d});
    ASSERT_NE(port, 0) << "no UDP port free on both loopback addresses";
    std::string const p = std::to_string(port);
    write_psk_folder(dir / "a", "iked-a.conf", "iked-SYSTEMA.racf", "stack1", port);
    write_psk_folder(dir / "d", "iked-d.conf", "iked-SYSTEMD.racf", "stack2", port);

    Child& a = start(
        "a", {"iked", "--config", (dir / "a").string(), "--system", "SYSTEMA", "--ike-port", p});
    Child& d = start(
        "d", {"iked", "--config", (dir / "d").string(), "--system", "SYSTEMD", "--ike-port", p});
    ASSERT_TRUE(wait_for(
        "both stacks listening for IKE",
        [&] {
            return count(a, "iked.ike_listening", {"\"local\":\"127.0.0.1:" + p + "\""}) == 1 &&
                   count(d, "iked.ike_listening", {"\"local\":\"127.0.0.2:" + p + "\""}) == 1;
        },
        {&a, &d}));
    EXPECT_NE(read_file(a.err).find("iked.ike_listening stack=STACK1 local=127.0.0.1:" + p),
              std::string::npos);

    // Command-line activation of the dynamic tunnel of filter rule `peer`.
    a.say("ipsec -p STACK1 -y activate peer");
    std::vector<std::string> const psk = {"\"local_auth\":\"pre_shared_key\"",
                                          "\"peer_auth\":\"pre_shared_key\""};
    ASSERT_TRUE(wait_for("the IKE SA on both sides",
                         [&] {
                             return count(a, "ike.sa_established", psk) == 1 &&
                                    count(d, "ike.sa_established", psk) == 1;
                         },
                         {&a, &d}));
    EXPECT_EQ(count(a, "ike.sa_established",
                    {"\"local\":\"127.0.0.1:" + p + "\"", "\"remote\":\"127.0.0.2:" + p + "\"",
                     "\"child\":\"AES_GCM_16_256\""}),
              1);
    EXPECT_EQ(count(d, "ike.sa_established",
                    {"\"local\":\"127.0.0.2:" + p + "\"", "\"remote\":\"127.0.0.1:" + p + "\""}),
              1);
    ASSERT_TRUE(wait_for(
        "both stacks' SA tables",
        [&] {
            return count(a, "iked.ike_sa_added",
                         {"\"stack\":\"STACK1\"", "\"id\":\"K1\"", "\"child\":\"Y1\""}) == 1 &&
                   count(d, "iked.ike_sa_added",
                         {"\"stack\":\"STACK2\"", "\"id\":\"K1\"", "\"child\":\"Y1\""}) == 1;
        },
        {&a, &d}));

    // The consoles show the tunnel: the IKE SA on SYSTEMA, the Child SA on SYSTEMD.
    a.say("ipsec -p STACK1 -k display");
    d.say("ipsec -p STACK2 -y display");
    ASSERT_TRUE(wait_for("ipsec -k and -y display output",
                         [&] {
                             return count(a, "operator.result",
                                          {"\"command\":\"ipsec -p STACK1 -k display\""}) == 1 &&
                                    count(d, "operator.result",
                                          {"\"command\":\"ipsec -p STACK2 -y display\""}) == 1;
                         },
                         {&a, &d}));
    EXPECT_EQ(count(a, "operator.output",
                    {"\"command\":\"ipsec -p STACK1 -k display\"", "TunnelID:", "K1\""}),
              1)
        << read_file(a.out);
    EXPECT_TRUE(stdout_has(a, "127.0.0.2")) << read_file(a.out);
    EXPECT_EQ(count(d, "operator.output",
                    {"\"command\":\"ipsec -p STACK2 -y display\"", "TunnelID:", "Y1\""}),
              1)
        << read_file(d.out);

    // The delete: an INFORMATIONAL exchange removes the SA on both sides and from both tables.
    a.say("ipsec -p STACK1 -k deactivate K1");
    ASSERT_TRUE(wait_for("the IKE SA deleted on both sides",
                         [&] {
                             return count(a, "ike.sa_deleted") == 1 &&
                                    count(d, "ike.sa_deleted") == 1 &&
                                    count(a, "iked.ike_sa_removed") == 1 &&
                                    count(d, "iked.ike_sa_removed") == 1;
                         },
                         {&a, &d}));
    EXPECT_EQ(count(d, "ike.sa_deleted", {"\"reason\":\"peer\""}), 1);
    EXPECT_EQ(count(a, "ike.datagram_dropped") + count(d, "ike.datagram_dropped"), 0);
    EXPECT_EQ(count(a, "datagram.send_failed") + count(d, "datagram.send_failed"), 0);
    EXPECT_EQ(count(a, "ike.sa_established") + count(d, "ike.sa_established"), 2);

    // SIGTERM: both stop cleanly.
    for (Child* c : {&a, &d}) {
        ASSERT_EQ(::kill(c->pid, SIGTERM), 0);
        int status = wait_exit(*c);
        ASSERT_TRUE(WIFEXITED(status)) << c->name << " " << status;
        EXPECT_EQ(WEXITSTATUS(status), 0) << c->name;
        EXPECT_EQ(count(*c, "iked.stopped"), 1) << c->name;
    }
}

TEST_F(IkedLoopback, ADaemonWhoseIkePortIsTakenExitsWithOne) {
    std::uint16_t const port = free_udp_port({address_a});
    ASSERT_NE(port, 0);
    write_psk_folder(dir / "a", "iked-a.conf", "iked-SYSTEMA.racf", "stack1", port);
    int holder = bind_udp(address_a, port);
    ASSERT_GE(holder, 0);
    Child& a = start("a", {"iked", "--config", (dir / "a").string(), "--system", "SYSTEMA",
                           "--ike-port", std::to_string(port)});
    int status = wait_exit(a);
    ::close(holder);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 1);
    std::string const err = read_file(a.err);
    EXPECT_NE(
        err.find("cannot bind the IKE port (UDP) of STACK1 127.0.0.1:" + std::to_string(port)),
        std::string::npos)
        << err;
    EXPECT_EQ(count(a, "iked.ike_bind_failed", {"Address already in use"}), 1) << err;

    // A port outside 1-65535 is a command-line error: exit 2, nothing started.
    Child& bad = start("bad", {"iked", "--config", (dir / "a").string(), "--system", "SYSTEMA",
                               "--ike-port", "70000"});
    status = wait_exit(bad);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_NE(WEXITSTATUS(status), 0);
    EXPECT_FALSE(fs::exists(bad.trace));
}

// Both stacks NSS clients of one `nsslab nssd` on 127.0.0.1 (TCP, AT-TLS), each signing with
// its own certificate from NSSD's key ring; IKE still negotiates with the pre-shared key.
TEST_F(IkedLoopback, BothStacksAreNssClientsOfOneNssdAndSignWithTheirOwnCertificates) {
    NssRun run = start_nss_run(false);
    ASSERT_NE(run.d, nullptr);
    Child& nssd = *run.nssd;
    Child& a = *run.a;
    Child& d = *run.d;
    a.say("nss sign STACK1 A1S1_CERT ecdsa_sha256 494b455f415554482023310a");
    d.say("nss sign STACK2 D2S2_CERT ecdsa_sha256 494b455f415554482023320a");
    ASSERT_TRUE(wait_for("both signatures",
                         [&] {
                             return count(a, "iked.nss_completion") == 1 &&
                                    count(d, "iked.nss_completion") == 1;
                         },
                         {&nssd, &a, &d}));
    EXPECT_EQ(count(a, "iked.nss_completion", {"\"result\":\"ok\""}), 1) << a.logs();
    EXPECT_EQ(count(d, "iked.nss_completion", {"\"result\":\"ok\""}), 1) << d.logs();
    EXPECT_EQ(count(nssd, "nssd.sign"), 2);

    // The stacks still negotiate (pre-shared key) beside their NSS connections.
    a.say("ipsec -p STACK1 -y activate peer");
    ASSERT_TRUE(wait_for(
        "the IKE SA on both sides",
        [&] { return count(a, "ike.sa_established") == 1 && count(d, "ike.sa_established") == 1; },
        {&nssd, &a, &d}));
    // A stack with the NSS certificate service may not sign for someone else's label.
    a.say("nss sign STACK1 D2S2_CERT ecdsa_sha256 00");
    ASSERT_TRUE(wait_for("the refused signature",
                         [&] { return count(a, "iked.nss_completion") == 2; }, {&nssd, &a, &d}));
    EXPECT_EQ(count(a, "iked.nss_completion", {"\"result\":\"ok\""}), 1);
}

// The "Done when" over real processes: both stacks' IKEv2 AUTH payloads are signed and
// verified by one `nsslab nssd` over loopback TLS. Each <stack>.policy says HowToAuthMe
// DigitalSignature (the SharedKey line removed); each IKED finds its stack's certificate on
// NSSD's key ring by its Identity IpAddr (the certificates carry ALTNAME(IP(127.0.0.x))), sends
// it as a CERT payload, has NSSD sign its AUTH and verify the peer's.
TEST_F(IkedLoopback, TwoDaemonsEstablishAnSaWithAuthSignedAndVerifiedByOneNssd) {
    NssRun run = start_nss_run(true);
    ASSERT_NE(run.d, nullptr);
    Child& nssd = *run.nssd;
    Child& a = *run.a;
    Child& d = *run.d;
    a.say("ipsec -p STACK1 -y activate peer");
    ASSERT_TRUE(wait_for(
        "the IKE SA on both sides",
        [&] { return count(a, "ike.sa_established") == 1 && count(d, "ike.sa_established") == 1; },
        {&nssd, &a, &d}));
    for (Child const* c : {&a, &d})
        EXPECT_EQ(
            count(*c, "ike.sa_established",
                  {"\"local_auth\":\"digital_signature\"", "\"peer_auth\":\"digital_signature\""}),
            1)
            << c->logs();
    EXPECT_EQ(count(a, "iked.ike_certificate", {"\"label\":\"A1S1_CERT\""}), 1) << a.logs();
    EXPECT_EQ(count(d, "iked.ike_certificate", {"\"label\":\"D2S2_CERT\""}), 1) << d.logs();
    EXPECT_EQ(count(nssd, "nssd.sign", {"\"result\":\"ok\""}), 2) << nssd.logs();
    EXPECT_EQ(count(nssd, "nssd.verify", {"\"result\":\"ok\""}), 2) << nssd.logs();
    EXPECT_EQ(count(a, "ike.auth_failed"), 0) << a.logs();

    a.say("ipsec -p STACK1 -k deactivate K1");
    ASSERT_TRUE(
        wait_for("the delete on both sides",
                 [&] { return count(a, "ike.sa_deleted") == 1 && count(d, "ike.sa_deleted") == 1; },
                 {&nssd, &a, &d}));
}

}  // namespace
}  // namespace nsslab::e2e
