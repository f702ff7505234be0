// libFuzzer target for the NSS server core (sim/nss NssServer, docs/nss-server.md §8, issue 4
// §8 "fuzz the server core with arbitrary frame sequences").
//
// A fixed SYSTEMB set-up is built once (RACF users and SERVAUTH profiles, key ring NSSD/NSSRING
// with signing certificates and a TLS server certificate issued by an intermediate CA, the
// clients trusting only the root); every input gets a fresh NssServer on a fresh copy of RACF
// and the key ring, joined to a scripted client (nss::RawClient) by the in-memory pair driver
// (core::StreamPair, the one the tests and bench sign use). The input is read as a sequence of
// operations over four connection slots, each a RawClient connection: connect (TLS or plain
// TCP, with a new or the slot's previous server ConnId), valid frames built with the wire_nss
// codec from input bytes, frames split across reads, plaintext garbage inside TLS, raw bytes
// written into the stream past the client (StreamPair::inject), client close_notify (the TCP
// connection left open), disconnects (StreamPair::break_connection), timer advances (firing
// next_timeout() like a driver), `ipsec -z` management requests, `nssctl -d` / `ipsec -x`
// displays and RACF changes. Bytes and a close for a slot's ConnId after its connection ended
// go to the server core directly (stale ConnIds a late driver may deliver): the pair holds only
// open connections.
//
// Invariants checked after every step (a violation traps):
//   - every byte the server sends to a TLS client decrypts to frames the codec decodes, of a
//     type a server may send; nothing is sent to a connection after its close/abort or after
//     handle_closed (stale ConnIds are fed too), nor to a connection never accepted (the pair's
//     on_server_transmit sees every server transmit, including those it would drop);
//   - the core forgets a connection exactly when it emits close/abort: connection_count()
//     equals the pair's count of open connections, and never exceeds connections_max;
//   - no SignReply ok unless the connection registered successfully with the Cert service and
//     its user has READ to EZB.NSS.SYSTEMB.<client>.IPSEC.CERT and to
//     EZB.NSSCERT.SYSTEMB.<mappedlabel>.HOST for the label signed, as RACF stands when the
//     reply is made (operations change RACF between requests: PERMIT, PERMIT DELETE, RACLIST);
//   - bounded queues: with inline service every request the server decoded is answered within
//     the step, with service_time or register_time at most outstanding_per_connection_max stay
//     unanswered; undrained events ≤ events_max (Outputs::events_burst_max); management
//     tickets are answered exactly once and at most mgmt_pending_max are pending;
//   - after Close or a fatal ErrorReply the server closes the connection in the same step;
//   - timers fire only when next_timeout() is reached, and after handle_timeout(now),
//     next_timeout() is later than now (no busy loop);
//   - an untouched TLS connection the server kept open completes its handshake;
//   - at the end, two hours of virtual time later, every connection is closed and every
//     management ticket answered.
//
// Input: byte 0 = options (bit 0: service_time 5 ms; bit 1: duplicate ClientName refuse_new;
// bit 2: SyslogLevel 0; bit 3: handshake_time 3 ms and register_time 1 ms), then operations
// (see Run::step); reading past the end yields zeros.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
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
#include "nsslab/zos/racf.hpp"

namespace {

using namespace nsslab;
namespace wn = wire_nss;
using nss::ConnId;
using Transmit = core::StreamTransmit;

[[noreturn]] void violated(char const* what, std::string const& detail = {}) {
    std::fprintf(stderr, "fuzz_nss_server: invariant violated: %s %s\n", what, detail.c_str());
    std::fflush(stderr);
    __builtin_trap();
}

template <class T>
T must(Result<T> r, char const* what) {
    if (!r)
        violated(what, r.error().what());
    return std::move(*r);
}
void must(Result<void> r, char const* what) {
    if (!r)
        violated(what, r.error().what());
}

TimePoint start_time() {
    return time_from_unix_seconds(1'800'000'000);  // 2027-01-15
}

Bytes passticket_key() {
    return {0xE0, 0x01, 0x19, 0x35, 0x19, 0x56, 0x19, 0x77};
}

// ---- the fixed set-up, built once ----

struct World {
    std::unique_ptr<crypto::LibContext> ctx;
    crypto::Certificate root, intermediate, server;
    std::vector<Bytes> verify_chains;  // DER certificates offered to VerifyRequest
    std::string trust_anchor_pem;      // what the clients trust: the root only
    zos::RacfDatabase racf;
    zos::KeyRingStore rings;

    static World const& get() {
        static World const world = make();
        return world;
    }

    static crypto::Certificate issue(std::string const& cn, crypto::PrivateKey const& key,
                                     crypto::Certificate const* issuer,
                                     crypto::PrivateKey const& issuer_key, std::uint64_t serial,
                                     bool ca, bool with_ip = false) {
        crypto::CertificateSpec spec;
        spec.subject = must(crypto::DistinguishedName::parse("CN=" + cn + ",O=nsslab"), "dn");
        spec.serial = serial;
        spec.not_before = time_from_unix_seconds(1'735'689'600);  // 2025-01-01
        spec.not_after = time_from_unix_seconds(2'051'222'400);   // 2035-01-01
        spec.is_ca = ca;
        if (ca) {
            crypto::KeyUsage ku;
            ku.key_cert_sign = true;
            ku.crl_sign = true;
            ku.digital_signature = true;
            spec.key_usage = ku;
        }
        if (with_ip)
            spec.subject_alt_names.ip_addresses.push_back(IpAddress::v4(0x0A000005));  // 10.0.0.5
        if (issuer == nullptr)
            return must(crypto::Certificate::create_self_signed(spec, key), "self-signed");
        return must(crypto::Certificate::create_signed(spec, key.public_key(), *issuer, issuer_key),
                    "create_signed");
    }

    static World make() {
        World w;
        w.ctx = must(crypto::LibContext::deterministic(7, "FUZZPKI"), "ctx");
        auto gen = [&](crypto::KeyType t) {
            return must(crypto::PrivateKey::generate(w.ctx.get(), t), "key");
        };
        auto root_key = gen(crypto::KeyType::ec_p256);
        auto inter_key = gen(crypto::KeyType::ec_p256);
        auto server_key = gen(crypto::KeyType::ec_p256);
        auto ec_key = gen(crypto::KeyType::ec_p256);
        auto rsa_key = gen(crypto::KeyType::rsa_2048);
        auto ed_key = gen(crypto::KeyType::ed25519);
        auto peer_key = gen(crypto::KeyType::ec_p256);
        auto other_key = gen(crypto::KeyType::ec_p256);
        w.root = issue("Fuzz Root CA", root_key, nullptr, root_key, 1, true);
        w.intermediate = issue("Fuzz Intermediate CA", inter_key, &w.root, root_key, 2, true);
        w.server = issue("nssd.systemb", server_key, &w.intermediate, inter_key, 3, false, true);
        auto ec_cert = issue("SYSTEMA_STACK1", ec_key, &w.root, root_key, 4, false);
        auto rsa_cert = issue("SYSTEMA_RSA", rsa_key, &w.root, root_key, 5, false);
        auto ed_cert = issue("SYSTEMA_ED", ed_key, &w.intermediate, inter_key, 6, false);
        auto nokey_cert =
            issue("SYSTEMA_NOKEY", gen(crypto::KeyType::ec_p256), &w.root, root_key, 7, false);
        auto peer_cert = issue("peer.example", peer_key, &w.root, root_key, 8, false);
        auto other_ca = issue("Other CA", other_key, nullptr, other_key, 1, true);
        auto untrusted = issue("peer.example", peer_key, &other_ca, other_key, 2, false);
        w.verify_chains = {peer_cert.to_der(), untrusted.to_der(), ed_cert.to_der(),
                           w.intermediate.to_der(), Bytes{0x30, 0x03, 0x02, 0x01, 0x01}};
        w.trust_anchor_pem = w.root.to_pem();

        auto& racf = w.racf;
        for (char const* u : {"A1S1", "A2S1", "OPER1", "OPER2"}) {
            zos::RacfUserChange ch;
            ch.password = std::optional<std::string>{std::string(u) + "PW"};
            must(racf.add_user(u, ch), "add_user");
        }
        must(racf.set_class_active("SERVAUTH", true), "classact");
        must(racf.set_class_generic("SERVAUTH", true), "generic");
        must(racf.set_class_active("PTKTDATA", true), "ptktdata");
        must(racf.set_password_revoke(3), "revoke");
        zos::RacfProfileChange pt;
        pt.ssignon = std::optional<zos::RacfPassTicketKey>{
            zos::RacfPassTicketKey{passticket_key(), zos::PassTicketType::legacy}};
        must(racf.define_profile("PTKTDATA", "NSSD", pt), "ptktdata profile");
        auto permit = [&](std::string const& profile, char const* user) {
            if (racf.profile("SERVAUTH", profile) == nullptr)
                must(racf.define_profile("SERVAUTH", profile, {}), "define_profile");
            if (user != nullptr)
                must(racf.permit("SERVAUTH", profile, {user}, zos::RacfAccess::read), "permit");
        };
        // A1S1: everything for SYSTEMA_STACK1; A2S1: CERT for SYSTEMA_STACK2 but HOST only for
        // ED cert; generic ** profile giving OPER1 CERT for any client (but no HOST).
        permit("EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.CERT", "A1S1");
        permit("EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.NETMGMT", "A1S1");
        permit("EZB.NSS.SYSTEMB.SYSTEMA_STACK2.IPSEC.CERT", "A2S1");
        permit("EZB.NSS.SYSTEMB.SYSTEMA_STACK2.IPSEC.NETMGMT", "A2S1");
        permit("EZB.NSS.SYSTEMB.*.IPSEC.CERT", "OPER1");
        permit("EZB.NSSCERT.SYSTEMB.A1S1_CERT.HOST", "A1S1");
        permit("EZB.NSSCERT.SYSTEMB.RSA_CERT.HOST", "A1S1");
        permit("EZB.NSSCERT.SYSTEMB.NOKEY_CERT.HOST", "A1S1");
        permit("EZB.NSSCERT.SYSTEMB.ED_CERT.HOST", "A2S1");
        permit("EZB.NSSCERT.SYSTEMB.ROOT.CERTAUTH", "A1S1");
        permit("EZB.NSSCERT.SYSTEMB.INTER.CERTAUTH", "A2S1");
        permit("EZB.NSSCERT.SYSTEMB.OTHER_CA.CERTAUTH", nullptr);
        permit("EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK1.IPSEC.DISPLAY", "OPER1");
        permit("EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK1.IPSEC.DISPLAY", "OPER2");
        permit("EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK1.IPSEC.CONTROL", "OPER1");
        permit("EZB.NETMGMT.SYSTEMB.SYSTEMA_STACK2.IPSEC.**", "OPER1");
        permit("EZB.NETMGMT.SYSTEMB.SYSTEMB.NSS.DISPLAY", "OPER1");

        auto& rings = w.rings;
        auto nssd = zos::CertOwner::user("NSSD");
        auto ca = zos::CertOwner::certauth();
        zos::RingId ring{"NSSD", "NSSRING"};
        must(rings.add_certificate(ca, "Root", w.root, std::nullopt), "root");
        must(rings.add_certificate(ca, "Inter", w.intermediate, std::nullopt), "inter");
        must(rings.add_certificate(ca, "Other CA", other_ca, std::nullopt), "other");
        must(rings.add_certificate(nssd, "NSSD server", w.server, server_key), "server");
        must(rings.add_certificate(nssd, "a1s1 cert", ec_cert, ec_key), "ec");
        must(rings.add_certificate(nssd, "RSA cert", rsa_cert, rsa_key), "rsa");
        must(rings.add_certificate(nssd, "ED cert", ed_cert, ed_key), "ed");
        must(rings.add_certificate(nssd, "NOKEY cert", nokey_cert, std::nullopt), "nokey");
        must(rings.add_ring(ring), "ring");
        must(rings.connect(ring, nssd, "NSSD server", std::nullopt, true), "connect server");
        for (char const* l : {"a1s1 cert", "RSA cert", "ED cert", "NOKEY cert"})
            must(rings.connect(ring, nssd, l, std::nullopt, false), "connect");
        for (char const* l : {"Root", "Inter", "Other CA"})
            must(rings.connect(ring, ca, l, zos::CertUsage::certauth, false), "connect ca");
        return w;
    }
};

std::string upper(std::string text) {
    for (auto& ch : text)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return text;
}

// NSSLAB_FUZZ_VERBOSE=1: print every message the server sends (reproducing a finding).
bool verbose() {
    static bool const on = std::getenv("NSSLAB_FUZZ_VERBOSE") != nullptr;
    return on;
}

// ---- input reader ----

class Input {
  public:
    Input(std::uint8_t const* data, std::size_t size) : data_(data), size_(size) {}
    bool empty() const { return pos_ >= size_; }
    std::uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
    std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
    Bytes bytes(std::size_t n) {
        n = std::min(n, size_ - std::min(pos_, size_));
        Bytes out(data_ + pos_, data_ + pos_ + n);
        pos_ += n;
        return out;
    }
    template <class T, std::size_t N>
    T const& pick(std::array<T, N> const& table) {
        return table[u8() % N];
    }

  private:
    std::uint8_t const* data_;
    std::size_t size_;
    std::size_t pos_{0};
};

constexpr std::array<char const*, 5> client_names{"SYSTEMA_STACK1", "SYSTEMA_STACK2",
                                                  "SYSTEMC_STACK1", "bad name!", ""};
constexpr std::array<char const*, 5> users{"A1S1", "A2S1", "OPER1", "OPER2", "NOUSER"};
constexpr std::array<char const*, 8> labels{"a1s1 cert", "RSA cert",    "ED cert", "NOKEY cert",
                                            "Root",      "NSSD server", "missing", ""};
constexpr std::array<char const*, 4> requesters{"OPER1", "OPER2", "A1S1", "NOUSER"};
constexpr std::array<std::int64_t, 10> advance_ms{1,      100,    1'000,   5'000,   29'000,
                                                  31'000, 61'000, 300'000, 601'000, 3'600'000};

Endpoint server_endpoint() {
    return {IpAddress::v4(0x0A000005), 4159};  // 10.0.0.5, the address in the server's SAN
}

// ---- one connection slot: a RawClient connection and what the fuzzer knows of it ----

struct Slot {
    core::ConnId client{0};  // the RawClient connection (0: none yet)
    ConnId conn{0};          // the server's ConnId of it; kept once it ended (a stale ConnId)
    bool use_tls{true};
    bool tampered{false};                          // raw bytes were injected into its TLS stream
    wn::FrameReader mirror{wn::default_max_body};  // the client plaintext as the server reads it
    bool mirror_dead{false};
    Bytes pending_tail;  // second half of a split frame
    std::uint32_t next_id{1};
    std::optional<std::uint32_t> last_mgmt_request;
    // Requests the server has seen (from the mirror) and not yet answered, by request id.
    std::multimap<std::uint32_t, wn::Body> unanswered;
    bool close_announced{false};  // the server sent Close or a fatal ErrorReply
    // Registration as confirmed by RegisterReply ok.
    bool registered{false};
    bool cert_granted{false};
    std::string client_name;
    std::string user;
};

using Pair = core::StreamPair<nss::RawClient, nss::NssServer>;

// Library contexts are built once (creating two per input halved the execution rate). Their
// random streams run on across inputs; no invariant depends on random bytes.
crypto::LibContext& server_context() {
    static auto ctx = must(crypto::LibContext::deterministic(1, "SYSTEMB"), "server ctx");
    return *ctx;
}
crypto::LibContext& client_context() {
    static auto ctx = must(crypto::LibContext::deterministic(1, "SYSTEMA"), "client ctx");
    return *ctx;
}

nss::NssServerOptions server_options(std::uint8_t flags) {
    nss::NssServerOptions o;
    o.system_name = "SYSTEMB";
    o.config.nss.key_ring = zos::KeyRingName{"NSSD", "NSSRING"};
    o.config.nss.syslog_level =
        (flags & 4) != 0 ? 0 : nss::syslog_verbose | nss::syslog_client_lifecycle;
    o.limits.connections_max = 3;
    o.limits.outstanding_per_connection_max = 4;
    o.limits.frame_body_max = 4096;
    o.limits.mgmt_pending_max = 2;
    o.limits.events_max = 512;
    o.limits.service_time = (flags & 1) != 0 ? std::chrono::milliseconds{5} : Duration{0};
    if ((flags & 8) != 0) {  // the CPU model: handshakes and registrations take time too
        o.limits.handshake_time = std::chrono::milliseconds{3};
        o.limits.register_time = std::chrono::milliseconds{1};
    }
    o.duplicate_client = (flags & 2) != 0 ? nss::DuplicateClientPolicy::refuse_new
                                          : nss::DuplicateClientPolicy::replace_existing;
    return o;
}

class Run {
  public:
    explicit Run(std::uint8_t flags)
        : world_(World::get()),
          racf_(world_.racf),
          rings_(world_.rings),
          server_(server_options(flags), racf_, rings_, server_context()),
          limits_(server_.options().limits),
          raw_(client_context(), nss::RawClientOptions{4096, 0, false}),
          pair_(raw_, server_, Pair::Options{server_endpoint(), IpAddress::v4(0x0A010101)}) {
        pair_.on_server_transmit = [this](std::size_t, Transmit const& t, bool open) {
            on_server_transmit(t, open);
        };
    }
    Run(Run const&) = delete;
    Run& operator=(Run const&) = delete;

    // One operation: op byte = kind << 2 | slot (fuzz/nss_server/make_corpus.py).
    void step(Input& in) {
        std::uint8_t op = in.u8();
        Slot& s = slots_[op & 3];
        switch ((op >> 2) % 13) {
            case 0: {
                std::uint8_t b = in.u8();
                connect(s, (b & 7) != 0, (b & 8) != 0);
                break;
            }
            case 1:
            case 2:
                send_message(s, in, false);
                break;
            case 3:
                send_message(s, in, true);
                break;
            case 4:
                if (!s.pending_tail.empty())
                    send_plain(s, std::exchange(s.pending_tail, {}));
                break;
            case 5:
                send_plain(s, in.bytes(in.u8() % 48));
                break;
            case 6:
                if (s.conn != 0) {
                    Bytes raw = in.bytes(in.u8() % 48);
                    if (open(s)) {
                        s.tampered = true;
                        pair_.inject(s.client, raw, now_);
                    } else {  // a stale ConnId, to be ignored
                        server_.handle_received(s.conn, raw, now_);
                    }
                }
                break;
            case 7:
                advance(Duration{std::chrono::milliseconds{in.pick(advance_ms)}});
                break;
            case 8:
                if (s.conn != 0) {
                    closed_.insert(s.conn);
                    if (open(s))
                        pair_.break_connection(s.client, StreamEnd::reset, now_);
                    else  // a stale ConnId, to be ignored
                        server_.handle_closed(s.conn, StreamEnd::reset, now_);
                }
                break;
            case 9:
                if (open(s))
                    raw_.close_notify(s.client, now_);
                break;
            case 10: {
                auto cmd = static_cast<wn::MgmtCommand>(1 + in.u8() % 8);
                char const* requester = in.pick(requesters);
                char const* client = in.pick(client_names);
                auto ticket = server_.request_management(requester, client, cmd, "SA1", now_);
                if (!tickets_.insert(ticket).second)
                    violated("management ticket reused");
                break;
            }
            case 11: {
                char const* requester = in.pick(requesters);
                if ((in.u8() & 1) != 0)
                    (void)server_.ipsec_client_display(requester, now_);
                else
                    (void)server_.nssctl_display(requester, in.pick(client_names), now_);
                break;
            }
            case 12:
                change_racf(in);
                break;
        }
        drain();
        check();
    }

    void finish() {
        advance(std::chrono::hours{2});
        if (server_.connection_count() != 0)
            violated("connections left open after two idle hours",
                     std::to_string(server_.connection_count()));
        if (!tickets_.empty())
            violated("management tickets never answered", std::to_string(tickets_.size()));
    }

  private:
    // A security administrator's change between requests: PERMIT or PERMIT ... DELETE of a
    // user on a CERT or HOST profile, SETROPTS RACLIST / NORACLIST / RACLIST REFRESH of
    // SERVAUTH. The server keeps SERVAUTH decisions per connection (docs/nss-server.md §4);
    // the signature invariant checks each reply against RACF as it is when the reply is made.
    void change_racf(Input& in) {
        static constexpr std::array<char const*, 6> profiles{
            "EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.CERT",
            "EZB.NSS.SYSTEMB.SYSTEMA_STACK2.IPSEC.CERT",
            "EZB.NSSCERT.SYSTEMB.A1S1_CERT.HOST",
            "EZB.NSSCERT.SYSTEMB.RSA_CERT.HOST",
            "EZB.NSSCERT.SYSTEMB.ED_CERT.HOST",
            "EZB.NSS.SYSTEMB.*.IPSEC.CERT"};
        std::uint8_t const b = in.u8();
        char const* profile = in.pick(profiles);
        char const* user = in.pick(users);
        switch (b % 5) {
            case 0:
                (void)racf_.permit("SERVAUTH", profile, {user}, zos::RacfAccess::read);
                break;
            case 1:
                (void)racf_.permit("SERVAUTH", profile, {user}, std::nullopt);
                break;
            case 2:
                (void)racf_.set_class_raclisted("SERVAUTH", true);
                break;
            case 3:
                (void)racf_.set_class_raclisted("SERVAUTH", false);
                break;
            case 4:
                (void)racf_.refresh_raclist("SERVAUTH");
                break;
        }
    }

    bool open(Slot const& s) const {
        return s.client != 0 && pair_.server_conn_of(s.client).has_value();
    }
    nss::RawClient::Connection* client_of(Slot const& s) { return raw_.connection(s.client); }

    // reuse_id: the new connection gets the slot's previous server ConnId (a driver may reuse
    // a handle once the core has forgotten it).
    void connect(Slot& s, bool use_tls, bool reuse_id) {
        if (open(s)) {
            closed_.insert(s.conn);
            pair_.break_connection(s.client, StreamEnd::reset, now_);
            drain();
        }
        if (s.client != 0)
            raw_.forget(s.client);
        ConnId previous = s.conn;
        s = Slot{};
        s.conn = reuse_id && previous != 0 ? previous : next_conn_++;
        closed_.erase(s.conn);
        s.use_tls = use_tls;
        s.mirror = wn::FrameReader(limits_.frame_body_max);
        accepted_.insert(s.conn);
        std::optional<tls::ClientConfig> cfg;
        if (use_tls) {
            cfg.emplace();
            cfg->trust_anchors_pem = world_.trust_anchor_pem;
            cfg->verification_time = now_;
            cfg->server_address = server_endpoint().address;
        }
        bool room = server_.connection_count() < limits_.connections_max;
        pair_.next_server_conn = s.conn;
        pair_.next_port = static_cast<std::uint16_t>(50000 + s.conn % 1000);
        s.client = must(raw_.connect(server_endpoint(), std::move(cfg), now_), "client");
        drain();
        if (limits_.handshake_time > Duration::zero() && room && use_tls) {
            // The handshake waits for the server's CPU (behind other handshakes and requests):
            // let the driver's clock run until it is answered, at most a second.
            TimePoint const give_up = now_ + std::chrono::seconds{1};
            while (open(s) && client_of(s)->tls->state() == tls::Channel::State::handshaking) {
                auto next = pair_.next_timeout();
                if (!next || *next > give_up)
                    break;
                advance(std::max(*next - now_, Duration::zero()));
            }
        }
        if (room && use_tls && (!open(s) || !client_of(s)->established()))
            violated("clean TLS handshake did not complete", client_of(s)->tls->failure_reason());
    }

    wn::Body make_body(Slot& s, Input& in, std::uint32_t& request_id) {
        std::uint8_t kind = in.u8();
        request_id = (kind & 0x80) != 0 ? in.u8() % 4 : s.next_id++;
        switch (kind % 16) {
            case 0:
            case 1:
            case 2: {
                wn::RegisterRequest r;
                r.client_api_version = (in.u8() % 8) == 0 ? 3 : wn::api_version;
                r.client_name = in.pick(client_names);
                r.system_name = "SYSTEMA";
                r.stack_name = "STACK1";
                r.user_id = in.pick(users);
                std::uint8_t cred = in.u8();
                if (cred % 4 == 0) {
                    r.auth_method = wn::AuthMethod::passticket;
                    auto ticket = zos::generate_passticket(
                        r.user_id == "NOUSER" ? "A1S1" : r.user_id, "NSSD", passticket_key(),
                        zos::PassTicketType::legacy, unix_seconds(now_));
                    r.credential = ticket ? *ticket : "";
                } else {
                    r.credential = cred % 4 == 1 ? "WRONGPW" : r.user_id + "PW";
                }
                std::uint8_t services = in.u8();
                r.services = {(services & 1) == 0, (services & 2) == 0};
                return r;
            }
            case 3:
            case 4:
            case 5: {
                wn::SignRequest r;
                r.label = in.pick(labels);
                r.scheme = static_cast<wn::SignatureScheme>(1 + in.u8() % 10);
                r.data = in.bytes(in.u8() % 64);
                return r;
            }
            case 6: {
                wn::VerifyRequest r;
                r.scheme = static_cast<wn::SignatureScheme>(1 + in.u8() % 10);
                r.data = in.bytes(in.u8() % 32);
                r.signature = in.bytes(in.u8() % 80);
                std::size_t n = in.u8() % 4;
                for (std::size_t i = 0; i < n; ++i)
                    r.chain.push_back(world_.verify_chains[in.u8() % world_.verify_chains.size()]);
                return r;
            }
            case 7: {
                wn::CertificateRequest r;
                r.label = in.pick(labels);
                r.include_ca = (in.u8() & 1) != 0;
                return r;
            }
            case 8: {
                wn::MgmtReply r;
                if (s.last_mgmt_request && (kind & 0x40) == 0)
                    request_id = *s.last_mgmt_request;
                r.result = static_cast<wn::ResultCode>(in.u8() % 13);
                r.reason = "r";
                std::size_t n = in.u8() % 4;
                for (std::size_t i = 0; i < n; ++i)
                    r.lines.push_back("line " + std::to_string(i));
                return r;
            }
            case 9:
            case 10:
                return wn::Keepalive{};
            case 11:
                return wn::KeepaliveAck{};
            case 12:
                return wn::Close{"bye"};
            case 13:
                return wn::ErrorReply{wn::ResultCode::bad_request, "client error",
                                      (in.u8() & 1) != 0};
            case 14:
                return wn::MgmtRequest{wn::MgmtCommand::display_filters, "", "OPER1"};
            default:
                return wn::SignReply{wn::ResultCode::ok, "", Bytes{1, 2, 3}};
        }
    }

    void send_message(Slot& s, Input& in, bool split) {
        std::uint32_t request_id = 0;
        wn::Body body = make_body(s, in, request_id);
        Bytes frame = wn::encode(wn::Message{request_id, std::move(body)});
        if (!split) {
            send_plain(s, frame);
            return;
        }
        std::size_t cut = frame.empty() ? 0 : in.u8() % frame.size();
        Bytes head(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(cut));
        s.pending_tail.assign(frame.begin() + static_cast<std::ptrdiff_t>(cut), frame.end());
        send_plain(s, head);
    }

    // Plaintext from the client: through its TLS channel (before or after the handshake), or
    // raw on a plain-TCP connection. What TLS refuses (closed, failed) is not sent.
    void send_plain(Slot& s, Bytes const& bytes) {
        if (!open(s) || bytes.empty())
            return;
        if (!raw_.send_raw(s.client, bytes, now_))
            return;
        if (s.use_tls)
            mirror(s, bytes);
    }

    // What the server will decode from this plaintext (the same FrameReader, same limit).
    void mirror(Slot& s, ByteView bytes) {
        if (s.mirror_dead || s.tampered)
            return;
        if (!s.mirror.feed(bytes)) {
            s.mirror_dead = true;
            return;
        }
        while (auto m = s.mirror.next()) {
            if (!*m) {
                if (m->error().code != Errc::unknown_type)
                    s.mirror_dead = true;
                if (s.mirror_dead)
                    return;
                continue;
            }
            auto const& body = (**m).body;
            if (std::holds_alternative<wn::RegisterRequest>(body) ||
                std::holds_alternative<wn::SignRequest>(body) ||
                std::holds_alternative<wn::VerifyRequest>(body) ||
                std::holds_alternative<wn::CertificateRequest>(body)) {
                s.unanswered.emplace((**m).request_id, body);
            }
        }
    }

    // Every server transmit, before the pair delivers (or drops) it.
    void on_server_transmit(Transmit const& t, bool open) {
        if (accepted_.count(t.conn) == 0)
            violated("transmit for a connection never accepted");
        if (closed_.count(t.conn) != 0)
            violated("transmit after close", std::string(core::to_string(t.kind)));
        if (!open)
            violated("transmit for a connection the driver does not have",
                     std::string(core::to_string(t.kind)));
        if (t.kind != Transmit::Kind::data)
            closed_.insert(t.conn);
    }

    // Moves everything both ways, then checks and consumes what came out.
    void drain() {
        pair_.pump(now_);
        auto& out = pair_.server_outputs;
        if (out.events_burst_max > limits_.events_max)
            violated("more undrained events than events_max", std::to_string(out.events_burst_max));
        if (verbose()) {
            for (auto const& e : out.events) {
                std::string line = "  event " + e.name;
                for (auto const& f : e.fields)
                    line += " " + f.key + "=" + e.text(f.key);
                std::fprintf(stderr, "%s\n", line.c_str());
            }
        }
        for (auto const& r : out.completions)
            if (tickets_.erase(r.ticket) == 0)
                violated("management result for an unknown or answered ticket");
        out.events.clear();
        out.secrets.clear();
        out.completions.clear();
        pair_.client_outputs.events.clear();
        pair_.client_outputs.secrets.clear();
        pair_.client_transmits.clear();
        for (auto& s : slots_)
            read_replies(s);
    }

    // The messages the slot's client decoded since the last call. A plain-TCP client gets no
    // frames (an alert, if anything); replies on a tampered connection are not matched.
    void read_replies(Slot& s) {
        auto* c = client_of(s);
        if (c == nullptr || !s.use_tls)
            return;
        if (s.tampered) {
            c->received.clear();
            return;
        }
        if (!c->decode_errors.empty())
            violated("server sent a frame the codec rejects", c->decode_errors.front());
        while (!c->received.empty()) {
            wn::Message m = std::move(c->received.front());
            c->received.pop_front();
            on_server_message(s, m);
        }
    }

    // Takes the unanswered request of `id` whose body is a T (nullopt if none).
    template <class T>
    std::optional<T> answered(Slot& s, std::uint32_t id) {
        auto [lo, hi] = s.unanswered.equal_range(id);
        for (auto it = lo; it != hi; ++it) {
            if (auto const* t = std::get_if<T>(&it->second)) {
                T out = *t;
                s.unanswered.erase(it);
                return out;
            }
        }
        return std::nullopt;
    }

    bool allowed(std::string const& user, std::string const& resource) const {
        return racf_.check(user, "SERVAUTH", resource, zos::RacfAccess::read).allowed;
    }

    void on_server_message(Slot& s, wn::Message const& m) {
        auto const& body = m.body;
        if (verbose()) {
            std::string result;
            std::visit(
                [&](auto const& b) {
                    if constexpr (requires { b.result; })
                        result = std::string(wn::to_string(b.result)) + " " + b.reason;
                },
                body);
            std::fprintf(stderr, "  conn %llu <- %s id %u %s\n",
                         static_cast<unsigned long long>(s.conn),
                         std::string(wn::message_name(body)).c_str(), m.request_id, result.c_str());
        }
        if (std::holds_alternative<wn::RegisterRequest>(body) ||
            std::holds_alternative<wn::SignRequest>(body) ||
            std::holds_alternative<wn::VerifyRequest>(body) ||
            std::holds_alternative<wn::CertificateRequest>(body) ||
            std::holds_alternative<wn::MgmtReply>(body) ||
            std::holds_alternative<wn::Keepalive>(body))
            violated("server sent a client-only message", std::string(wn::message_name(body)));
        if (auto const* err = std::get_if<wn::ErrorReply>(&body); err != nullptr && err->fatal)
            s.close_announced = true;
        if (std::holds_alternative<wn::Close>(body))
            s.close_announced = true;
        if (std::holds_alternative<wn::MgmtRequest>(body)) {
            s.last_mgmt_request = m.request_id;
            return;
        }
        if (auto const* reg = std::get_if<wn::RegisterReply>(&body)) {
            auto req = answered<wn::RegisterRequest>(s, m.request_id);
            if (!req && !s.mirror_dead && !s.tampered)
                violated("RegisterReply to no RegisterRequest");
            if (req && reg->result == wn::ResultCode::ok) {
                s.registered = true;
                s.cert_granted = reg->granted.cert;
                s.client_name = req->client_name;
                s.user = req->user_id;
                if (reg->granted.cert && !req->services.cert)
                    violated("Cert granted without being requested");
            }
            return;
        }
        if (auto const* sign = std::get_if<wn::SignReply>(&body)) {
            auto req = answered<wn::SignRequest>(s, m.request_id);
            if (sign->result != wn::ResultCode::ok)
                return;
            if (!req)
                violated("SignReply ok to no SignRequest");
            if (!s.registered || !s.cert_granted)
                violated("signature for a connection not registered with the Cert service");
            std::string user = upper(s.user);
            if (!allowed(user, "EZB.NSS.SYSTEMB." + upper(s.client_name) + ".IPSEC.CERT"))
                violated("signature without CERT access", s.client_name + " " + user);
            if (!allowed(user,
                         "EZB.NSSCERT.SYSTEMB." + nss::default_mapped_label(req->label) + ".HOST"))
                violated("signature without HOST access", req->label + " " + user);
            if (sign->signature.empty())
                violated("SignReply ok without a signature");
            return;
        }
        if (std::holds_alternative<wn::VerifyReply>(body)) {
            (void)answered<wn::VerifyRequest>(s, m.request_id);
            return;
        }
        if (std::holds_alternative<wn::CertificateReply>(body)) {
            (void)answered<wn::CertificateRequest>(s, m.request_id);
            return;
        }
    }

    void check() {
        std::size_t open_slots = 0;
        for (auto const& s : slots_) {
            bool const is_open = open(s);
            open_slots += is_open ? 1 : 0;
            if (is_open && s.close_announced)
                violated("Close / fatal ErrorReply sent but the connection stays open");
            if (!is_open || s.mirror_dead || s.tampered || !s.use_tls)
                continue;
            // Inline service answers every request within the step; with service_time or
            // register_time the queue holds at most outstanding_per_connection_max (the rest
            // are answered busy).
            bool const inline_service =
                limits_.service_time == Duration{0} && limits_.register_time == Duration{0};
            std::size_t bound = inline_service ? 0 : limits_.outstanding_per_connection_max;
            if (s.unanswered.size() > bound)
                violated("unanswered requests beyond the bound",
                         std::to_string(s.unanswered.size()) + " > " + std::to_string(bound));
        }
        if (server_.connection_count() != open_slots)
            violated(
                "connection count differs from the driver's view",
                std::to_string(server_.connection_count()) + " vs " + std::to_string(open_slots));
        if (server_.connection_count() > limits_.connections_max)
            violated("connections beyond connections_max");
        if (tickets_.size() > limits_.mgmt_pending_max)
            violated("more pending management requests than mgmt_pending_max");
    }

    // Fires timers the way a driver does (one timer armed at next_timeout()), up to now + d.
    void advance(Duration d) {
        TimePoint target = now_ + d;
        for (int i = 0; i < 100000; ++i) {
            auto next = pair_.next_timeout();
            if (!next || *next > target)
                break;
            now_ = std::max(now_, *next);
            pair_.advance_to(now_);
            drain();
            check();
            auto after = server_.next_timeout();
            if (after && *after <= now_)
                violated("next_timeout() not later than now after handle_timeout");
        }
        // Like a driver, handle_timeout() is called only when next_timeout() is reached, so a
        // deadline the core forgets to report is never fired (finish() then finds the
        // connection still open).
        now_ = target;
    }

    World const& world_;
    zos::RacfDatabase racf_;
    zos::KeyRingStore rings_;
    nss::NssServer server_;
    nss::NssServerLimits limits_;
    nss::RawClient raw_;
    Pair pair_;
    std::array<Slot, 4> slots_;
    std::set<ConnId> accepted_;  // server ConnIds, as the fuzzer chose them
    std::set<ConnId> closed_;    // ... and ended (by either side) since
    std::set<nss::MgmtTicket> tickets_;
    ConnId next_conn_{1};
    TimePoint now_{start_time()};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0 || size > 4096)
        return 0;
    Input in(data, size);
    Run run(in.u8());
    for (int steps = 0; !in.empty() && steps < 64; ++steps)
        run.step(in);
    run.finish();
    return 0;
}
