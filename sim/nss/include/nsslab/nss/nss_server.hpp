// The NSS server core (NSSD side), sans-I/O: AT-TLS termination, NSS client registration,
// the IPSec certificate service (sign / verify / retrieve certificates) and the remote
// management service (ipsec -z routing, nssctl -d / ipsec -x listings).
//
// Implements (docs/nss-server.md for every emulation choice):
//   - seed document "Using network security services" and zos-nss-facts.md §2 (nssd.conf,
//     syslog levels, one connection per client), §3 (SERVAUTH profiles checked per request,
//     DBG0032I log line), §4 (certificate service), §5 (remote management, ENXIO), §7 (AT-TLS
//     is required; DBG0104I for a non-TLS client);
//   - DESIGN.md §3 (the core contract), §5 (the NSS protocol: nsslab/wire_nss), §6 (PassTicket
//     application NSSD).
//
// A StreamServerCore and ServiceCore of the core contract (nsslab/core/contract.hpp,
// docs/architecture.md): the driver owns the sockets and the clock.
//   inputs   handle_accepted / handle_received / handle_closed / handle_timeout (all take `now`),
//            request_management (operator command `ipsec -z`);
//   outputs  drain poll_transmit() (core::StreamTransmit: bytes to send, then close/abort, per
//            connection in order), poll_event() (trace events, including "nssd.log" syslog
//            lines), poll_secret() (TLS key log lines) and poll_completion() (the MgmtResult of
//            each request_management) until each returns nullopt after every input; then arm a
//            timer for next_timeout() and call handle_timeout() when it expires.
// The core never reads a clock, opens a socket, starts a thread or draws from a global RNG:
// TLS and signatures draw from the crypto::LibContext given (one per simulated host).
//
// Secrets: the registration credential (password / PassTicket) and private keys never appear
// in an event, a log line or a reply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/base/trace.hpp"
#include "nsslab/core/contract.hpp"
#include "nsslab/crypto/key.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/crypto/x509_crl.hpp"
#include "nsslab/nss/certificate_identity.hpp"
#include "nsslab/tls/channel.hpp"
#include "nsslab/wire_nss/codec.hpp"
#include "nsslab/wire_nss/messages.hpp"
#include "nsslab/zos/keyring.hpp"
#include "nsslab/zos/nssd_conf.hpp"
#include "nsslab/zos/racf.hpp"

namespace nsslab::nss {

// The driver's handle for one accepted TCP connection (any value, unique while open).
using ConnId = core::ConnId;
// request_management() tickets, unique per server.
using MgmtTicket = std::uint64_t;

// Request ids of server-initiated requests (MgmtRequest): 0x80000001... (docs/nss-protocol.md §7).
inline constexpr std::uint32_t mgmt_request_id_first = 0x80000001;

// SyslogLevel bits (zos-nss-facts.md §2; emulation: the level is a bit mask).
inline constexpr std::uint32_t syslog_verbose = 2;           // NSS_SYSLOG_LEVEL_VERBOSE
inline constexpr std::uint32_t syslog_client_lifecycle = 8;  // NSS_SYSLOG_LEVEL_CLIENTLIFECYCLE

// Default label -> mappedlabel rule for EZB.NSSCERT.sysname.mappedlabel.HOST|CERTAUTH (IBM's
// rule is not published, facts §3): upper-case; every character other than A-Z 0-9 @ # $ - _
// (blank, '.', '*', '%', '&', ...) becomes '_'. "a1s1 cert" -> "A1S1_CERT".
std::string default_mapped_label(std::string_view label);

// The NSS server's AT-TLS policy (TTLSRule / TTLSConnectionAdvancedParms, facts §7).
struct ServerTlsPolicy {
    std::optional<zos::RingId> key_ring;  // the AT-TLS key ring; nullopt: the nssd.conf KeyRing
    std::string certificate_label;        // CertificateLabel; empty: the ring's default
    tls::Version min_version{tls::Version::tls1_2};
    tls::Version max_version{tls::Version::tls1_3};
};

// Every bound of the core (DESIGN.md §3 "Everything is bounded").
struct NssServerLimits {
    std::size_t connections_max{1024};
    // Requests (register / sign / verify / certificates) of one connection queued and not yet
    // answered; a request beyond it is answered `busy` at once.
    std::size_t outstanding_per_connection_max{64};
    std::size_t frame_body_max{wire_nss::default_max_body};
    // A connection that has not completed TLS + registration, or holds part of a frame, and
    // received nothing for this long is closed (stalled client).
    Duration frame_timeout{std::chrono::seconds{30}};
    // A registered connection that received nothing at all for this long is closed (clients
    // send Keepalive). Zero: never.
    Duration idle_timeout{std::chrono::seconds{600}};
    // How long request_management() waits for the client's MgmtReply.
    Duration mgmt_timeout{std::chrono::seconds{30}};
    std::size_t mgmt_pending_max{256};
    std::size_t events_max{65536};  // undrained events beyond this are dropped (counted)
    std::size_t secrets_max{4096};  // undrained TLS key log lines beyond this: oldest dropped
    // Simulated CPU time charged per sign/verify (DESIGN.md §3); zero: answered inline.
    Duration service_time{0};
    // Signatures handed out through poll_request() (to be made on other threads, see
    // SignJob) and not yet completed; zero (the default): the core signs inline. When the
    // bound is reached the request queue waits for a completion.
    std::size_t sign_jobs_max{0};
    // Simulated CPU time charged per TLS handshake (when the ClientHello arrives: the server's
    // key exchange and signature) and per RegisterRequest (RACROUTE VERIFY), on the same one
    // CPU, first come first served, as service_time; zero: none.
    Duration handshake_time{0};
    Duration register_time{0};
};

// What to do when a ClientName registers while another connection holds it (IBM: one
// connection per client; the rule for a second one is not published).
enum class DuplicateClientPolicy {
    replace_existing,  // default: the old connection gets Close and is closed, the new one wins
    refuse_new,        // the new registration is answered bad_request; the old one stays
};
std::string_view to_string(DuplicateClientPolicy policy);

struct NssServerOptions {
    std::string system_name{"SYSTEMB"};  // sysname in every profile name; NSServerSystemName
    zos::NssdConfig config;              // Port, KeyRing, Discipline, SyslogLevel
    std::string nssd_user{"NSSD"};       // owner of a KeyRing coded without "userid/"
    ServerTlsPolicy tls;
    NssServerLimits limits;
    DuplicateClientPolicy duplicate_client{DuplicateClientPolicy::replace_existing};
    std::string passticket_application{"NSSD"};  // DESIGN.md §6
    std::function<std::string(std::string_view)> label_mapper{default_mapped_label};
    std::vector<crypto::Crl> crls;  // CRLs used by VerifyRequest (the ring model holds none)
};

struct MgmtResult {
    MgmtTicket ticket{0};
    wire_nss::ResultCode result{wire_nss::ResultCode::ok};
    std::string reason;  // e.g. "ENXIO: NSS client X is not connected"
    std::vector<std::string> lines;
    bool timed_out{false};  // no MgmtReply within limits.mgmt_timeout
};

// One connected client as nssctl -d / ipsec -x show it.
struct ClientInfo {
    std::uint64_t conn_number{0};  // the server's connID
    std::string client_name;       // empty until registered
    std::string user_id;
    std::string system_name;
    std::string stack_name;
    Endpoint remote;
    Endpoint local;
    wire_nss::Services requested;
    wire_nss::Services granted;
    std::uint32_t client_api_version{0};
    bool registered{false};
    TimePoint connected_at{};
    TimePoint registered_at{};
    TimePoint last_message_at{};
};

// A signature the server has decided to make (every check passed) and hands out when
// NssServerLimits::sign_jobs_max is not zero, so that the daemon can make it on a worker thread:
// run() touches nothing of the server (the key is shared, immutable, thread-safe in OpenSSL 3).
struct SignJob {
    std::uint64_t id{0};
    crypto::PrivateKey key;
    crypto::SignatureScheme scheme{};
    Bytes data;
    Result<Bytes> run() const { return crypto::sign(key, scheme, data); }
};

class NssServer {
  public:
    // data (TLS ciphertext), close (FIN after every byte before it) or abort (RST); never connect.
    using Transmit = core::StreamTransmit;
    using Completion = MgmtResult;  // of request_management()
    using ServiceRequest = SignJob;
    using ServiceResult = Result<Bytes>;  // SignJob::run()

    // racf, key_rings and lib must outlive the server (the z/OS system model owns them).
    NssServer(NssServerOptions options, zos::RacfDatabase& racf, zos::KeyRingStore& key_rings,
              crypto::LibContext& lib);
    ~NssServer();
    NssServer(NssServer const&) = delete;
    NssServer& operator=(NssServer const&) = delete;

    // ---- transport inputs ----
    // A TCP connection was accepted. May emit: Transmit abort (connections_max reached, or no
    // server certificate: the AT-TLS handshake cannot succeed), events.
    void handle_accepted(ConnId conn, Endpoint const& remote, Endpoint const& local, TimePoint now);
    // TLS ciphertext from the connection. May emit transmits (handshake, replies, ErrorReply then
    // close), events and log lines (DBG0104I for a non-TLS client, DBG0032I per SERVAUTH check).
    void handle_received(ConnId conn, ByteView bytes, TimePoint now);
    // The transport closed (FIN/RST) or the driver dropped the connection. Forgets it; pending
    // management requests routed to it complete with client_not_connected.
    void handle_closed(ConnId conn, StreamEnd why, TimePoint now);
    // Call when next_timeout() is reached (earlier or later calls are harmless).
    void handle_timeout(TimePoint now);

    // ---- outputs ----
    std::optional<Transmit> poll_transmit();
    std::optional<TimePoint> next_timeout() const;
    std::optional<Event> poll_event();
    std::optional<core::Secret> poll_secret();
    std::optional<MgmtResult> poll_completion();
    // Signatures to make (only with limits.sign_jobs_max > 0); each is answered once with
    // complete_request(job.id, job.run(), now), in any order. A job whose connection has
    // closed meanwhile is still completed; its signature is then dropped.
    std::optional<SignJob> poll_request();
    void complete_request(std::uint64_t id, Result<Bytes> signature, TimePoint now);

    // ---- operator commands on the server's system ----
    // `ipsec -z client_name <command>` issued by SAF user `requester`. Checks
    // EZB.NETMGMT.sysname.client_name.IPSEC.DISPLAY (display commands) or .CONTROL (others);
    // the result (possibly immediate: not_authorized, client_not_connected "ENXIO",
    // service_not_granted, busy) comes out of poll_completion() with the ticket.
    MgmtTicket request_management(std::string_view requester, std::string_view client_name,
                                  wire_nss::MgmtCommand command, std::string_view target,
                                  TimePoint now);
    // `nssctl -d` (optionally `-c client`): z/OS-shaped lines of the connected IPSec clients.
    // Errc::permission_denied unless `requester` has READ to
    // EZB.NETMGMT.sysname.sysname.NSS.DISPLAY.
    Result<std::vector<std::string>> nssctl_display(std::string_view requester,
                                                    std::string_view client_name, TimePoint now);
    // `ipsec -x display`: the NSS clients available for `ipsec -z`; same SERVAUTH check.
    Result<std::vector<std::string>> ipsec_client_display(std::string_view requester,
                                                          TimePoint now);

    // ---- queries (tests, dashboards) ----
    std::vector<ClientInfo> clients() const;  // every open connection, by connID
    std::optional<ConnId> connection_of(std::string_view client_name) const;
    std::size_t connection_count() const { return connections_.size(); }
    std::uint64_t events_dropped() const { return events_dropped_; }
    NssServerOptions const& options() const { return options_; }
    // MODIFY NSSD,REFRESH: a new nssd.conf (existing connections stay open).
    void refresh_config(zos::NssdConfig config) { options_.config = std::move(config); }

    // Message-level seam (tests, and the transport path itself): handles one decoded message
    // from an established connection as if it had arrived in a frame.
    void handle_message(ConnId conn, wire_nss::Message const& message, TimePoint now);

  private:
    // One remembered SERVAUTH decision: `kind` is CERT (the client's
    // EZB.NSS.sysname.clientname.IPSEC.CERT), HOST or CERTAUTH (EZB.NSSCERT.sysname.label.kind).
    struct ServauthMemo {
        std::string kind;
        std::string label;
        zos::RacfAccessDecision decision;
    };
    static constexpr std::size_t servauth_memo_max = 8;  // per connection; oldest replaced
    struct Connection {
        ConnId id{0};
        ClientInfo info;
        std::optional<tls::Channel> channel;
        wire_nss::FrameReader reader;
        TimePoint last_received_at{};
        TimePoint indexed_at{};        // last_received_at as the timer indexes hold it
        bool indexed{false};           // in the timer indexes (index_connection)
        bool tls_reported{false};      // the handshake outcome was traced
        bool version_mismatch{false};  // registered with a different API version
        std::size_t outstanding{0};    // queued requests not yet answered
        std::string doom_reason;       // set when a send failed: the connection is aborted
        bool register_queued{false};   // a RegisterRequest waits in the queue
        // The certificate service's SERVAUTH decisions for this connection's user, valid while
        // the RACF database's generation() is servauth_generation (connection_servauth()).
        std::vector<ServauthMemo> servauth_memo;
        std::uint64_t servauth_generation{0};
        // handshake_time: bytes received while the CPU is still to work on the handshake,
        // read when it is done (held_until).
        bool handshake_charged{false};
        std::optional<TimePoint> held_until;
        Bytes held;
    };
    // Bytes a client may send before the server has answered its ClientHello (held above).
    static constexpr std::size_t held_max = std::size_t{64} * 1024;
    struct Work {
        ConnId conn{0};
        std::uint64_t conn_number{0};
        wire_nss::Message message;
        TimePoint ready_at{};
    };
    // A SignJob handed out: where its SignReply goes.
    struct PendingSign {
        ConnId conn{0};
        std::uint64_t conn_number{0};
        std::uint32_t request_id{0};
        Event event;  // nssd.sign, completed with result and reason
    };
    struct PendingMgmt {
        MgmtTicket ticket{0};
        ConnId conn{0};
        std::uint64_t conn_number{0};
        std::uint32_t request_id{0};
        std::string client_name;
        wire_nss::MgmtCommand command{};
        TimePoint deadline{};
    };

    // transport (nss_server.cpp)
    Connection* find(ConnId conn);
    Connection const* find(ConnId conn) const;
    Result<tls::ServerConfig> server_tls_config(std::string& label_used) const;
    void flush(Connection& c);
    void transmit(ConnId conn, Transmit::Kind kind, Bytes bytes, std::string reason);
    void send(Connection& c, wire_nss::Message const& message);
    void close_connection(ConnId conn, std::string const& reason, bool graceful, TimePoint now);
    // Drops the connection's state (client name, pending management) without any transmit.
    void forget(ConnId conn, std::string const& reason, TimePoint now);
    static bool needs_frame_timer(Connection const& c);
    // Keeps the timer indexes of `c` up to date (present = false: removes it).
    void index_connection(Connection& c, bool present);
    wire_nss::Body refusal_for(wire_nss::Body const& request, wire_nss::ResultCode code,
                               std::string reason);
    void fatal_error(Connection& c, wire_nss::ResultCode code, std::string const& reason,
                     TimePoint now);
    void process_plaintext(ConnId conn, TimePoint now);
    // handle_received() once the bytes may be read (after a charged handshake's CPU time).
    void read_ciphertext(ConnId conn, ByteView bytes, TimePoint now);
    // The simulated CPU time of a queued request (service_time, register_time or none).
    Duration cost_of(Work const& work) const;
    // A SignRequest at the head of the queue while sign_jobs_max jobs are in flight.
    bool waits_for_sign_job(Work const& work) const;
    void run_queue(TimePoint now);
    void emit(Event event);
    void log(std::uint32_t level_bit, std::string line);
    // RACROUTE REQUEST=AUTH for SERVAUTH READ, logged (DBG0032I at SyslogLevel 2) and traced.
    zos::RacfAccessDecision check_servauth(std::string_view user, std::string const& resource);
    // The decision check_servauth() would give the connection's user for a certificate-service
    // profile (see ServauthMemo), remembered while the RACF database is unchanged: a repeated
    // request is logged (DBG0032I) again but not asked of RACF or traced again. The reference
    // is valid until the next call.
    zos::RacfAccessDecision const& connection_servauth(Connection& c, std::string_view kind,
                                                       std::string_view label);
    void log_servauth_check(zos::RacfAccessDecision const& decision);
    std::optional<zos::RingId> nss_ring() const;

    // requests (server_register.cpp / server_certificates.cpp / server_mgmt.cpp)
    void process_request(Connection& c, wire_nss::Message const& message, TimePoint now);
    void on_register(Connection& c, std::uint32_t id, wire_nss::RegisterRequest const& req,
                     TimePoint now);
    void on_sign(Connection& c, std::uint32_t id, wire_nss::SignRequest const& req, TimePoint now);
    // The SignReply (and the nssd.sign event) for a signature made inline or by a SignJob.
    void answer_sign(Connection& c, std::uint32_t id, Event event, Result<Bytes> signature);
    void on_verify(Connection& c, std::uint32_t id, wire_nss::VerifyRequest const& req,
                   TimePoint now);
    void on_certificates(Connection& c, std::uint32_t id, wire_nss::CertificateRequest const& req,
                         TimePoint now);
    void on_mgmt_reply(Connection& c, std::uint32_t id, wire_nss::MgmtReply const& reply,
                       TimePoint now);
    // not_registered / version_mismatch / service_not_granted, not_authorized (the CERT
    // profile is checked again), or nullopt when the certificate service may be used.
    std::optional<std::pair<wire_nss::ResultCode, std::string>> cert_service_refusal(Connection& c);
    struct AllowedCa {
        std::string label;
        crypto::Certificate certificate;
    };
    // The personal certificates of `ring` (key-ring order, with a private key) that match an
    // identity of a cert_request and that the client's user may READ through
    // EZB.NSSCERT.sysname.mappedlabel.HOST (checked only for those that match). result ok with
    // at least one certificate (reason: entries left out beyond max_certificate_entries), or
    // not_authorized (every match denied, reason naming the profiles) or unknown_label (no match).
    struct IdentityLookup {
        wire_nss::ResultCode result{wire_nss::ResultCode::ok};
        std::string reason;
        std::vector<wire_nss::CertificateEntry> certificates;
    };
    IdentityLookup personal_certificates_for(Connection& c, zos::RingId const& ring,
                                             CertificateIdentityMatcher const& matcher);
    // The ring's CERTAUTH certificates (not NOTRUST) the client's user may READ through
    // EZB.NSSCERT.sysname.mappedlabel.CERTAUTH (each check logged).
    std::vector<AllowedCa> allowed_cas(Connection& c);
    // "EZB.NSSCERT.<SYSNAME>.<mappedlabel>.<kind>".
    std::string nsscert_profile(std::string_view label, std::string_view kind) const;
    void finish_mgmt(PendingMgmt const& pending, MgmtResult result, TimePoint now);

    NssServerOptions options_;
    zos::RacfDatabase& racf_;
    zos::KeyRingStore& key_rings_;
    crypto::LibContext& lib_;
    // One SSL_CTX per server certificate, not per accepted connection (docs/tls.md "Context
    // cache"); declared before connections_ so that it outlives their channels' use of it.
    tls::ContextCache tls_contexts_;

    std::map<ConnId, Connection> connections_;
    // Timer indexes, (last_received_at, conn), so that next_timeout() and handle_timeout() are
    // not scans of every connection: all connections (idle_timeout), and those needing the
    // frame timer. An entry may be older than the connection's last input or stand for a
    // connection that no longer needs the frame timer (an early, harmless wake-up: handle_timeout
    // checks it and indexes it again); a connection that needs a timer is never missing (every
    // input ends with index_connection()).
    std::set<std::pair<TimePoint, ConnId>> received_index_;
    std::set<std::pair<TimePoint, ConnId>> frame_index_;
    std::set<std::pair<TimePoint, ConnId>> held_index_;   // (held_until, conn)
    std::map<std::string, ConnId, std::less<>> clients_;  // registered ClientName -> conn
    std::uint64_t next_conn_number_{1};
    std::deque<Work> queue_;
    TimePoint cpu_free_at_{};
    std::deque<Transmit> transmits_;
    std::deque<Event> events_;
    std::deque<core::Secret> secrets_;
    std::uint64_t events_dropped_{0};
    std::map<MgmtTicket, PendingMgmt> mgmt_pending_;
    std::deque<MgmtResult> mgmt_results_;
    MgmtTicket next_ticket_{1};
    std::uint32_t next_request_id_{mgmt_request_id_first};
    std::deque<SignJob> sign_jobs_;                 // handed out by poll_request()
    std::map<std::uint64_t, PendingSign> signing_;  // handed out, not yet completed
    std::uint64_t next_sign_job_{1};
    // Connections with completed signatures not yet flushed (poll_transmit() flushes them).
    std::vector<std::pair<ConnId, std::uint64_t>> unflushed_;
};

}  // namespace nsslab::nss
