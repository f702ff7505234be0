// Test support for the NSS server core: a test PKI, a z/OS system model (RACF + key ring) for
// SYSTEMB, and a "pair" driver that connects in-test NSS clients (tls::Channel client +
// wire_nss codec) to an NssServer and delivers bytes by hand (DESIGN.md §2 "pair").
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nsslab/core/pair.hpp"
#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/key.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/nss/nss_server.hpp"
#include "nsslab/nss/raw_client.hpp"
#include "nsslab/tls/channel.hpp"
#include "nsslab/wire_nss/codec.hpp"
#include "nsslab/zos/keyring.hpp"
#include "nsslab/zos/passticket.hpp"
#include "nsslab/zos/racdcert.hpp"
#include "nsslab/zos/racf.hpp"
#include "nsslab/zos/racf_script.hpp"

namespace nsslab::nss::test {

namespace wn = wire_nss;

inline TimePoint t0() {
    return time_from_unix_seconds(1'800'000'000);
}  // 2027-01-15

inline Result<void> must(Result<void> r) {
    return r;
}

template <class T>
T take(Result<T> r, char const* what) {
    if (!r) {
        ADD_FAILURE() << what << ": " << r.error().what();
        std::abort();
    }
    return std::move(*r);
}

inline void ok(Result<void> r, char const* what) {
    if (!r)
        ADD_FAILURE() << what << ": " << r.error().what();
}

// Certificates and keys shared by every test (built once: RSA key generation is slow).
struct Pki {
    std::unique_ptr<crypto::LibContext> ctx;
    crypto::PrivateKey ca_key, other_ca_key, server_key;
    crypto::Certificate ca, other_ca, server;
    // Client certificates for the NSS key ring.
    crypto::PrivateKey ec_key, rsa_key, ed_key, nokey_key;
    crypto::Certificate ec_cert, rsa_cert, ed_cert, nokey_cert;
    // Peer certificates for VerifyRequest.
    crypto::PrivateKey peer_key;
    crypto::Certificate peer_cert, untrusted_cert, expired_cert;

    static Pki const& get() {
        static Pki const pki = make();
        return pki;
    }

    static crypto::Certificate issue(std::string const& cn, crypto::PrivateKey const& key,
                                     crypto::Certificate const& issuer,
                                     crypto::PrivateKey const& issuer_key, std::uint64_t serial,
                                     std::int64_t from = 1'735'689'600,
                                     std::int64_t to = 2'051'222'400) {
        crypto::CertificateSpec spec;
        spec.subject = take(crypto::DistinguishedName::parse("CN=" + cn + ",O=nsslab"), "dn");
        spec.serial = serial;
        spec.not_before = time_from_unix_seconds(from);
        spec.not_after = time_from_unix_seconds(to);
        if (cn == "nssd.systemb")
            spec.subject_alt_names.ip_addresses.push_back(take(IpAddress::parse("10.0.0.5"), "ip"));
        return take(crypto::Certificate::create_signed(spec, key.public_key(), issuer, issuer_key),
                    "create_signed");
    }

    static crypto::Certificate self_signed_ca(std::string const& cn,
                                              crypto::PrivateKey const& key) {
        crypto::CertificateSpec spec;
        spec.subject = take(crypto::DistinguishedName::parse("CN=" + cn + ",O=nsslab"), "dn");
        spec.serial = 1;
        spec.not_before = time_from_unix_seconds(1'735'689'600);
        spec.not_after = time_from_unix_seconds(2'051'222'400);
        spec.is_ca = true;
        crypto::KeyUsage ku;
        ku.key_cert_sign = true;
        ku.crl_sign = true;
        ku.digital_signature = true;
        spec.key_usage = ku;
        return take(crypto::Certificate::create_self_signed(spec, key), "self_signed");
    }

    static Pki make() {
        Pki p;
        p.ctx = take(crypto::LibContext::deterministic(42, "PKI"), "ctx");
        auto* c = p.ctx.get();
        auto gen = [&](crypto::KeyType t) {
            return take(crypto::PrivateKey::generate(c, t), "key");
        };
        p.ca_key = gen(crypto::KeyType::ec_p256);
        p.other_ca_key = gen(crypto::KeyType::ec_p256);
        p.server_key = gen(crypto::KeyType::ec_p256);
        p.ca = self_signed_ca("NSS Test CA", p.ca_key);
        p.other_ca = self_signed_ca("Other CA", p.other_ca_key);
        p.server = issue("nssd.systemb", p.server_key, p.ca, p.ca_key, 2);
        p.ec_key = gen(crypto::KeyType::ec_p256);
        p.rsa_key = gen(crypto::KeyType::rsa_2048);
        p.ed_key = gen(crypto::KeyType::ed25519);
        p.nokey_key = gen(crypto::KeyType::ec_p256);
        p.ec_cert = issue("SYSTEMA_STACK1", p.ec_key, p.ca, p.ca_key, 3);
        p.rsa_cert = issue("SYSTEMA_RSA", p.rsa_key, p.ca, p.ca_key, 4);
        p.ed_cert = issue("SYSTEMA_ED", p.ed_key, p.ca, p.ca_key, 5);
        p.nokey_cert = issue("SYSTEMA_NOKEY", p.nokey_key, p.ca, p.ca_key, 6);
        p.peer_key = gen(crypto::KeyType::ec_p256);
        p.peer_cert = issue("peer.example", p.peer_key, p.ca, p.ca_key, 7);
        p.untrusted_cert = issue("peer.example", p.peer_key, p.other_ca, p.other_ca_key, 8);
        p.expired_cert = issue("peer.example", p.peer_key, p.ca, p.ca_key, 9, 1'577'836'800,
                               1'609'459'200);  // 2020 only
        return p;
    }
};

inline Bytes passticket_key() {
    return {0xE0, 0x01, 0x19, 0x35, 0x19, 0x56, 0x19, 0x77};
}

// SYSTEMB: RACF with users A1S1 (client), OPER1 (display+control), OPER2 (display only),
// SERVAUTH profiles granting A1S1 everything for SYSTEMA_STACK1, and the NSSD/NSSRING ring.
struct SystemB {
    zos::RacfDatabase racf;
    zos::KeyRingStore rings;
    zos::RingId ring{"NSSD", "NSSRING"};

    void permit(std::string const& profile, std::string const& user) {
        if (racf.profile("SERVAUTH", profile) == nullptr)
            ok(racf.define_profile("SERVAUTH", profile, {}), "define_profile");
        ok(racf.permit("SERVAUTH", profile, {user}, zos::RacfAccess::read), "permit");
    }
    void define(std::string const& profile) {
        if (racf.profile("SERVAUTH", profile) == nullptr)
            ok(racf.define_profile("SERVAUTH", profile, {}), "define_profile");
    }

    explicit SystemB(bool grant_all = true) {
        auto const& pki = Pki::get();
        for (char const* u : {"A1S1", "A2S1", "OPER1", "OPER2"}) {
            zos::RacfUserChange ch;
            ch.password = std::optional<std::string>{std::string(u) + "PW"};
            ok(racf.add_user(u, ch), "add_user");
        }
        ok(racf.set_class_active("SERVAUTH", true), "classact");
        ok(racf.set_class_generic("SERVAUTH", true), "generic");
        ok(racf.set_class_active("PTKTDATA", true), "ptktdata");
        zos::RacfProfileChange pt;
        pt.ssignon = std::optional<zos::RacfPassTicketKey>{
            zos::RacfPassTicketKey{passticket_key(), zos::PassTicketType::legacy}};
        ok(racf.define_profile("PTKTDATA", "NSSD", pt), "ptktdata profile");

        // Key ring.
        auto nssd = zos::CertOwner::user("NSSD");
        ok(rings.add_certificate(zos::CertOwner::certauth(), "CA", pki.ca, std::nullopt), "ca");
        ok(rings.add_certificate(zos::CertOwner::certauth(), "Other CA", pki.other_ca,
                                 std::nullopt),
           "other ca");
        ok(rings.add_certificate(nssd, "NSSD server", pki.server, pki.server_key), "server");
        ok(rings.add_certificate(nssd, "a1s1 cert", pki.ec_cert, pki.ec_key), "ec");
        ok(rings.add_certificate(nssd, "RSA cert", pki.rsa_cert, pki.rsa_key), "rsa");
        ok(rings.add_certificate(nssd, "ED cert", pki.ed_cert, pki.ed_key), "ed");
        ok(rings.add_certificate(nssd, "NOKEY cert", pki.nokey_cert, std::nullopt), "nokey");
        ok(rings.add_ring(ring), "ring");
        ok(rings.connect(ring, nssd, "NSSD server", std::nullopt, true), "connect server");
        for (char const* l : {"a1s1 cert", "RSA cert", "ED cert", "NOKEY cert"})
            ok(rings.connect(ring, nssd, l, std::nullopt, false), "connect");
        ok(rings.connect(ring, zos::CertOwner::certauth(), "CA", zos::CertUsage::certauth, false),
           "connect ca");
        ok(rings.connect(ring, zos::CertOwner::certauth(), "Other CA", zos::CertUsage::certauth,
                         false),
           "connect other ca");
        define("EZB.NSSCERT.SYSTEMB.OTHER_CA.CERTAUTH");  // nobody may use Other CA

        if (!grant_all)
            return;
        permit("EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.CERT", "A1S1");
        permit("EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.NETMGMT", "A1S1");
        permit("EZB.NSSCERT.SYSTEMB.A1S1_CERT.HOST", "A1S1");
        permit("EZB.NSSCERT.SYSTEMB.RSA_CERT.HOST", "A1S1");
        permit("EZB.NSSCERT.SYSTEMB.ED_CERT.HOST", "A1S1");
        permit("EZB.NSSCERT.SYSTEMB.NOKEY_CERT.HOST", "A1S1");
        permit("EZB.NSSCERT.SYSTEMB.CA.CERTAUTH", "A1S1");
        permit("EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK1.IPSEC.DISPLAY", "OPER1");
        permit("EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK1.IPSEC.DISPLAY", "OPER2");
        permit("EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK1.IPSEC.CONTROL", "OPER1");
        define("EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK1.IPSEC.CONTROL");
        permit("EZB.NETMGMT.SYSTEMB.SYSTEMB.NSS.DISPLAY", "OPER1");
    }
};

// Personal certificates for IKE identities (cert_request by identity), made as an administrator
// would with RACDCERT GENCERT ... ALTNAME and connected to NSSRING after the fixture's own, in
// this key-ring order:
//   STACK1 OLD  CN=SYSTEMA_STACK1,O=IBM,C=US  IP 10.1.1.1, stack1.systema.example,
//                                             ike@systema.example     no HOST permit
//   STACK1 ID   CN=SYSTEMA_STACK1,O=IBM,C=US  the same names          A1S1
//   STACK1 V6   CN=SYSTEMA_STACK1,OU=Backup,O=IBM,C=US
//                                             IP 2001:db8::1, backup.systema.example  A1S1
//   STACK2 ID   CN=SYSTEMA_STACK2,O=IBM,C=US  IP 10.1.1.2, stack2.systema.example  A2S1 only
//   STACK1 NEW  CN=SYSTEMA_STACK1,O=IBM,C=US  IP 10.1.1.1, stack1.systema.example  A1S1
// A2S1 may also register as client SYSTEMA_STACK2.
constexpr std::string_view identity_certificates_script = R"(
RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('SYSTEMA_STACK1') O('IBM') C('US')) -
  ALTNAME(IP(10.1.1.1) DOMAIN('stack1.systema.example') EMAIL('ike@systema.example')) -
  NISTECC SIZE(256) WITHLABEL('STACK1 OLD')
RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('SYSTEMA_STACK1') O('IBM') C('US')) -
  ALTNAME(IP(10.1.1.1) DOMAIN('stack1.systema.example') EMAIL('ike@systema.example')) -
  NISTECC SIZE(256) WITHLABEL('STACK1 ID')
RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('SYSTEMA_STACK1') OU('Backup') O('IBM') C('US')) -
  ALTNAME(IP(2001:db8::1) DOMAIN('backup.systema.example')) NISTECC SIZE(256) -
  WITHLABEL('STACK1 V6')
RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('SYSTEMA_STACK2') O('IBM') C('US')) -
  ALTNAME(IP(10.1.1.2) DOMAIN('stack2.systema.example')) NISTECC SIZE(256) -
  WITHLABEL('STACK2 ID')
RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('SYSTEMA_STACK1') O('IBM') C('US')) -
  ALTNAME(IP(10.1.1.1) DOMAIN('stack1.systema.example')) NISTECC SIZE(256) -
  WITHLABEL('STACK1 NEW')
RACDCERT CONNECT(ID(NSSD) LABEL('STACK1 OLD') RING(NSSRING)) ID(NSSD)
RACDCERT CONNECT(ID(NSSD) LABEL('STACK1 ID') RING(NSSRING)) ID(NSSD)
RACDCERT CONNECT(ID(NSSD) LABEL('STACK1 V6') RING(NSSRING)) ID(NSSD)
RACDCERT CONNECT(ID(NSSD) LABEL('STACK2 ID') RING(NSSRING)) ID(NSSD)
RACDCERT CONNECT(ID(NSSD) LABEL('STACK1 NEW') RING(NSSRING)) ID(NSSD)
)";

inline void add_identity_certificates(SystemB& system, crypto::LibContext& lib, TimePoint now) {
    zos::RacdcertEnvironment env;
    env.now = now - std::chrono::hours{24};
    env.lib = &lib;
    env.require_defined_users = false;
    auto table = zos::RacfCommandTable::standard();
    zos::add_racdcert_command(table, system.rings, env);
    std::vector<std::string> messages;
    ok(zos::run_racf_script(identity_certificates_script, "identity.racf", system.racf, table,
                            messages),
       "identity certificates");
    system.define("EZB.NSSCERT.SYSTEMB.STACK1_OLD.HOST");
    system.permit("EZB.NSSCERT.SYSTEMB.STACK1_ID.HOST", "A1S1");
    system.permit("EZB.NSSCERT.SYSTEMB.STACK1_V6.HOST", "A1S1");
    system.permit("EZB.NSSCERT.SYSTEMB.STACK1_NEW.HOST", "A1S1");
    system.permit("EZB.NSSCERT.SYSTEMB.STACK2_ID.HOST", "A2S1");
    system.permit("EZB.NSS.SYSTEMB.SYSTEMA_STACK2.IPSEC.CERT", "A2S1");
}

inline NssServerOptions default_options() {
    NssServerOptions o;
    o.system_name = "SYSTEMB";
    o.config.nss.key_ring = zos::KeyRingName{"NSSD", "NSSRING"};
    o.config.nss.syslog_level = syslog_verbose | syslog_client_lifecycle;
    return o;
}

// One in-test NSS client connection (a RawClient connection: what it sent and received).
using Client = RawClient::Connection;

// NssServer and scripted clients (RawClient) joined by the in-memory pair driver
// (core::StreamPair) on virtual time. Client connection ids equal the server's (both count
// from 1, every connect is accepted).
class Pair {
  public:
    SystemB system;
    std::unique_ptr<crypto::LibContext> server_ctx;
    std::unique_ptr<crypto::LibContext> client_ctx;
    std::unique_ptr<NssServer> server;
    std::unique_ptr<RawClient> raw;
    std::unique_ptr<core::StreamPair<RawClient, NssServer>> link;
    std::map<ConnId, Client>& clients;
    std::vector<Event> events;
    std::vector<MgmtResult> mgmt_results;
    std::vector<std::string> log_lines;
    TimePoint now{t0()};

    static Endpoint server_endpoint() { return {take(IpAddress::parse("10.0.0.5"), "ip"), 4159}; }

    explicit Pair(NssServerOptions options = default_options(), bool grant_all = true)
        : system(grant_all),
          server_ctx(take(crypto::LibContext::deterministic(1, "SYSTEMB"), "ctx")),
          client_ctx(take(crypto::LibContext::deterministic(1, "SYSTEMA"), "ctx")),
          server(std::make_unique<NssServer>(std::move(options), system.racf, system.rings,
                                             *server_ctx)),
          raw(std::make_unique<RawClient>(*client_ctx)),
          link(std::make_unique<core::StreamPair<RawClient, NssServer>>(
              *raw, *server,
              core::StreamPair<RawClient, NssServer>::Options{
                  server_endpoint(), take(IpAddress::parse("10.1.1.1"), "ip"), 50000, true})),
          clients(raw->connections()) {}

    // Moves everything both ways; the server's events, log lines and management results are
    // collected here.
    void drain() {
        link->pump(now);
        for (auto& e : link->server_outputs.events) {
            if (e.name == "nssd.log")
                log_lines.push_back(e.text("line"));
            events.push_back(std::move(e));
        }
        link->server_outputs.events.clear();
        for (auto& r : link->server_outputs.completions)
            mgmt_results.push_back(std::move(r));
        link->server_outputs.completions.clear();
    }

    tls::ClientConfig client_tls_config() const {
        tls::ClientConfig cfg;
        cfg.trust_anchors_pem = Pki::get().ca.to_pem();
        cfg.verification_time = now;
        cfg.server_address = take(IpAddress::parse("10.0.0.5"), "ip");
        return cfg;
    }

    // Connects a client from port `port` (TLS unless use_tls is false) and drains: the
    // handshake completes.
    ConnId connect(bool use_tls = true, std::uint16_t port = 50000) {
        std::optional<tls::ClientConfig> tls;
        if (use_tls)
            tls = client_tls_config();
        return connect_with(std::move(tls), port);
    }
    ConnId connect_with(std::optional<tls::ClientConfig> tls, std::uint16_t port = 50000) {
        link->next_port = port;
        ConnId id = take(raw->connect(server_endpoint(), std::move(tls), now), "connect");
        drain();
        return id;
    }

    bool established(ConnId id) { return clients.at(id).established(); }

    // Sends a message (framed, through TLS) and drains; returns its request id.
    std::uint32_t send(ConnId id, wn::Body body, std::optional<std::uint32_t> rid = std::nullopt) {
        auto sent = raw->send(id, std::move(body), rid, now);
        EXPECT_TRUE(sent.has_value()) << (sent ? "" : sent.error().what());
        drain();
        return sent ? *sent : 0;
    }

    // Writes plaintext bytes into the client's TLS (or raw TCP without TLS) and drains.
    void send_raw(ConnId id, ByteView bytes) {
        ok(raw->send_raw(id, bytes, now), "client send");
        drain();
    }

    wn::RegisterRequest register_request(std::string client = "SYSTEMA_STACK1",
                                         std::string user = "A1S1",
                                         std::string password = "A1S1PW") {
        wn::RegisterRequest r;
        r.client_name = std::move(client);
        r.system_name = "SYSTEMA";
        r.stack_name = "STACK1";
        r.user_id = std::move(user);
        r.auth_method = wn::AuthMethod::password;
        r.credential = std::move(password);
        r.services = {true, true};
        return r;
    }

    // Connects and registers; returns the connection.
    ConnId connect_registered(std::string client = "SYSTEMA_STACK1", std::string user = "A1S1",
                              std::string password = "A1S1PW", std::uint16_t port = 50000) {
        ConnId id = connect(true, port);
        auto rid =
            send(id, register_request(std::move(client), std::move(user), std::move(password)));
        auto reply = clients.at(id).reply<wn::RegisterReply>(rid);
        EXPECT_TRUE(reply.has_value());
        return id;
    }

    void advance(Duration d) {
        now += d;
        server->handle_timeout(now);
        drain();
    }

    std::size_t count_events(std::string_view name) const {
        std::size_t n = 0;
        for (auto const& e : events)
            n += e.name == name ? 1 : 0;
        return n;
    }
    bool logged(std::string_view part) const {
        for (auto const& l : log_lines)
            if (l.find(part) != std::string::npos)
                return true;
        return false;
    }
};

}  // namespace nsslab::nss::test
