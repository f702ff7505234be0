// The NSS client core of IKED: one per TCP/IP stack configured with NssStackConfig (sans-I/O).
//
// Implements the IKED side of the NSS protocol (DESIGN.md §5, docs/nss-protocol.md) and the
// emulation choices of DESIGN.md §6 (server selection and failover, NssWaitLimit /
// NssWaitRetries, server identity check, ConnectionState), as documented in docs/nss-client.md.
// IBM sources: the seed document ("Using network security services"), zos-nss-facts.md §1
// (iked.conf), §6 (failover, EZD1136I, EZD1904E), §7 (AT-TLS), §9 (ipsec -w).
//
// A StreamClientCore and ServiceCore of the core contract (nsslab/core/contract.hpp,
// docs/architecture.md): inputs are handle_* calls carrying `now` and the request_* commands of
// the certificate service; outputs are drained with poll_transmit(), poll_event(),
// poll_secret() (the TLS key log lines of its connections) and poll_completion() until they
// return nothing, then the driver arms one timer at next_timeout() and calls handle_timeout()
// when it expires. The core opens no socket, reads no clock, starts no thread and uses no
// global RNG: TLS randomness comes from the crypto::LibContext given at construction (IKED's
// host), PassTickets from `now`.
//
// Driver duties for transmits (core::StreamTransmit):
//   connect(conn, remote)  open a TCP connection; report handle_connected / handle_closed
//   data(conn, bytes)      send the bytes (TLS ciphertext) in order on that connection
//   close(conn)            send what is queued, then FIN; no more input is expected for conn
//   abort(conn)            reset the connection (RST); no more input is expected for conn
// Inputs for a connection the core has closed or aborted are ignored.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/bytes.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/base/trace.hpp"
#include "nsslab/core/contract.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/nss/client_display.hpp"
#include "nsslab/tls/channel.hpp"
#include "nsslab/wire_nss/codec.hpp"
#include "nsslab/wire_nss/messages.hpp"
#include "nsslab/zos/iked_conf.hpp"
#include "nsslab/zos/passticket.hpp"

namespace nsslab::nss {

// A TCP connection as the core names it; allocated by the core, unique per NssClient
// (NssClientOptions::first_conn_id separates several clients sharing one driver).
using ConnId = core::ConnId;

// IKED's AT-TLS client policy for the NSS connection (facts §7): the CA certificates of IKED's
// key ring that may have signed the NSS server's certificate. The server identity to check
// comes from IkeConfig NetworkSecurityServer[Backup] ... Identity (DESIGN.md §6).
struct ClientTlsPolicy {
    std::string trust_anchors_pem;
    tls::Version min_version{tls::Version::tls1_2};
    tls::Version max_version{tls::Version::tls1_3};
    std::string cipher_list;
    std::string ciphersuites;
};

// AuthBy PassTicket: the secured-signon key IKED's local RACF holds in the PTKTDATA profile of
// application NSSD (seed document). The core is given the key rather than a RACF database, so
// the daemon reads it from its RACF model and passes it in.
struct PassTicketSource {
    Bytes key;  // legacy: 8 bytes; enhanced: 32..256 bytes
    zos::PassTicketType type{zos::PassTicketType::legacy};
    std::string application{"NSSD"};  // DESIGN.md §6 "PassTicket application name"
};

struct NssClientOptions {
    // Bounded exponential backoff between connection rounds once every configured server has
    // failed: initial, doubling, capped at max (docs/nss-client.md "Timers").
    Duration reconnect_initial{std::chrono::seconds{1}};
    Duration reconnect_max{std::chrono::seconds{60}};
    // DESIGN.md §6: stay on the backup until it fails (default). When true, while connected to
    // the backup the client goes back to the primary every failback_interval, when no request
    // is outstanding.
    bool failback_to_primary{false};
    Duration failback_interval{std::chrono::seconds{300}};
    // Send Keepalive after this long without sending anything; no KeepaliveAck within
    // NssWaitLimit is a connection loss.
    Duration keepalive_interval{std::chrono::seconds{30}};
    // Requests not yet completed (queued while disconnected or outstanding); beyond: busy.
    std::size_t max_pending_requests{256};
    // Events kept until polled; beyond, the oldest are dropped and counted.
    std::size_t max_events{4096};
    // TLS key log lines kept until polled; beyond, the oldest are dropped.
    std::size_t max_secrets{64};
    // The API level IKED reports (ClientAPIVersion); tests change it to provoke EZD1904E.
    std::uint32_t client_api_version{wire_nss::api_version};
    // AuthBy PassTicket needs this; without it registration is not attempted (event
    // nss.passticket_failed, the server counts as failed).
    std::optional<PassTicketSource> passticket;
    // Addresses for NetworkSecurityServer[Backup] hosts coded as names (the core does no DNS).
    std::map<std::string, IpAddress> host_addresses;
    // First ConnId this client allocates.
    ConnId first_conn_id{1};
    // Shared TLS contexts (IKED passes one cache for all its stacks, docs/tls.md "Context
    // cache"); must outlive the client. Null: each connection builds its own.
    tls::ContextCache* tls_contexts{nullptr};
};

// A remote-management target: the TCP/IP stack model (filters, SAs, marker file). IKED does no
// SERVAUTH check of its own for these requests (seed document); the server has checked.
class ManagedStack {
  public:
    virtual ~ManagedStack() = default;
    virtual wire_nss::MgmtReply execute(wire_nss::MgmtRequest const& request, TimePoint now) = 0;
};

using RequestHandle = std::uint64_t;

using CompletionPayload = std::variant<std::monostate, wire_nss::SignReply, wire_nss::VerifyReply,
                                       wire_nss::CertificateReply>;

// A certificate-service request's single outcome. result ok: payload holds the server's reply.
// Otherwise reason says why (server's reason, or "no reply within NssWaitLimit after n
// attempts", "service Cert not granted", ...).
struct Completion {
    RequestHandle handle{0};
    wire_nss::ResultCode result{wire_nss::ResultCode::ok};
    std::string reason;
    CompletionPayload payload;
    std::uint32_t attempts{0};  // times the request was sent to a server
};

// Internal view of connection progress (ConnectionState is the IBM-facing summary).
enum class Phase : std::uint8_t {
    idle,         // not started, or stopped
    backoff,      // waiting for the next connection attempt
    tcp_connect,  // connect action issued
    tls,          // TLS handshake in progress
    registering,  // RegisterRequest sent
    registered,   // RegisterReply ok: services usable as granted
};
std::string_view to_string(Phase phase);

class NssClient {
  public:
    using Transmit = core::StreamTransmit;
    using Completion = ::nsslab::nss::Completion;

    // Errors: invalid_argument if the IkeConfig has no NSS server.
    static Result<std::unique_ptr<NssClient>> create(zos::IkeConfig const& ike,
                                                     zos::NssStackConfig const& stack,
                                                     std::string system_name, ClientTlsPolicy tls,
                                                     crypto::LibContext& ctx,
                                                     NssClientOptions options = {});

    NssClient(NssClient const&) = delete;
    NssClient& operator=(NssClient const&) = delete;
    ~NssClient();

    // Begins connecting to the primary (or the backup if only it is configured).
    // Emits: connect action, nss.connecting.
    void start(TimePoint now);
    // Orderly stop: Close message and close action, every pending request completes with
    // internal_error "NSS client stopped"; no reconnection afterwards. start() may follow.
    void stop(TimePoint now);

    // --- transport inputs ---
    // TCP connected; `local` is the client's endpoint (NSClientIPAddress/Port in ipsec -w).
    // Starts the TLS handshake (a data transmit with the ClientHello).
    void handle_connected(ConnId conn, Endpoint local, TimePoint now);
    // TLS ciphertext from the server. May emit transmits, events, completions, closes.
    void handle_received(ConnId conn, ByteView ciphertext, TimePoint now);
    // The connection ended (refused, reset, timed out, eof). The server counts as failed;
    // outstanding requests are re-issued or fail (NssWaitRetries).
    void handle_closed(ConnId conn, StreamEnd reason, TimePoint now);
    // Call when now >= next_timeout().
    void handle_timeout(TimePoint now);
    // Test and driver seam: one decoded message on an established, TLS-protected connection.
    // handle_received() calls it for every frame.
    void handle_message(ConnId conn, wire_nss::Message const& message, TimePoint now);

    // --- certificate service requests (RFC 7427 signatures for IKEv2 AUTH) ---
    // The handle identifies the single Completion. May complete at once (service_not_granted,
    // version_mismatch, busy); otherwise the request is sent now, or queued until registered.
    RequestHandle request_sign(std::string label, wire_nss::SignatureScheme scheme, Bytes data,
                               TimePoint now);
    RequestHandle request_verify(wire_nss::SignatureScheme scheme, Bytes data, Bytes signature,
                                 std::vector<Bytes> chain, TimePoint now);
    RequestHandle request_certificates(std::string label, bool include_ca, TimePoint now);
    // The personal certificates of the server's key ring that match `identity` (IKED's local
    // identity; certificate_identity() converts a KeyExchangeRule's) and this client may use,
    // in key-ring order, each with the label to sign with; with include_ca also the CA
    // certificates it may advertise. Completes at once with bad_request when the identity is
    // malformed (CertificateIdentityMatcher::make); the server answers unknown_label when no
    // certificate matches and not_authorized when every match is denied (docs/nss-client.md).
    RequestHandle request_certificates_for(wire_nss::CertificateIdentity identity, bool include_ca,
                                           TimePoint now);

    // --- MODIFY IKED,REFRESH ---
    // Applies new configuration. Returns false (nothing happens) when the NssStackConfig and
    // both server definitions are unchanged (NssWaitLimit / NssWaitRetries changes are taken
    // without reconnecting). Otherwise closes the connection and reconnects, starting with the
    // primary (facts §1.3), and returns true. Errors: invalid_argument (no NSS server).
    Result<bool> refresh(zos::IkeConfig const& ike, zos::NssStackConfig const& stack,
                         TimePoint now);

    // Remote management target; may be null (requests are then answered internal_error).
    void set_managed_stack(ManagedStack* stack) { managed_ = stack; }

    // --- outputs ---
    std::optional<Transmit> poll_transmit();
    std::optional<Event> poll_event();
    std::optional<core::Secret> poll_secret();
    std::optional<Completion> poll_completion();
    std::optional<TimePoint> next_timeout() const;

    // --- state ---
    ConnectionState connection_state() const;
    Phase phase() const { return phase_; }
    StackDisplay snapshot() const;  // one stack of `ipsec -w display`
    std::string const& stack_name() const { return stack_.stack_name; }
    std::optional<Endpoint> current_server() const;
    wire_nss::Services granted() const { return granted_; }
    std::size_t pending_requests() const { return requests_.size(); }
    std::uint64_t events_dropped() const { return events_dropped_; }

  private:
    struct Candidate {
        std::string role;  // "primary" / "backup"
        zos::NssServerConfig config;
    };
    struct Request {
        RequestHandle handle{0};
        wire_nss::Body body;
        std::uint32_t attempts_started{0};  // attempts begun (sent or queued)
        std::uint32_t sends{0};
        TimePoint attempt_deadline{};
        std::uint32_t wire_id{0};  // 0: not in flight on the current connection
    };

    NssClient(zos::IkeConfig const& ike, zos::NssStackConfig const& stack, std::string system_name,
              ClientTlsPolicy tls, crypto::LibContext& ctx, NssClientOptions options);

    void set_candidates(zos::IkeConfig const& ike);
    // Every change of phase_: asserts the transition (docs/nss-client.md) and what holds in `to`.
    void enter(Phase to);
    void attempt(TimePoint now);
    // How the current connection ends: close (orderly), abort (RST), gone (the driver reported
    // it closed: no action).
    enum class Teardown : std::uint8_t { close, abort, gone };
    void attempt_failed(std::string const& reason, Teardown how, TimePoint now);
    void connection_lost(std::string const& reason, Teardown how, TimePoint now);
    void end_connection(std::string const& reason, Teardown how, TimePoint now);
    void drop_connection(Teardown how, TimePoint now);
    void after_tls_input(TimePoint now);
    void send_register(TimePoint now);
    void on_register_reply(wire_nss::RegisterReply const& reply, TimePoint now);
    void on_reply(std::uint32_t wire_id, wire_nss::Body const& body, TimePoint now);
    void on_mgmt_request(std::uint32_t wire_id, wire_nss::MgmtRequest const& req, TimePoint now);
    bool send_message(wire_nss::Message const& message, TimePoint now);
    void flush_tls();
    RequestHandle submit(wire_nss::Body body, TimePoint now);
    void issue(Request& request, TimePoint now);
    void begin_attempt(Request& request, TimePoint now);
    void send_queued(TimePoint now);
    void complete(RequestHandle handle, wire_nss::ResultCode result, std::string reason,
                  CompletionPayload payload = {});
    std::optional<wire_nss::ResultCode> refuse_reason(wire_nss::Body const& body,
                                                      std::string& why) const;
    void emit(Event event);
    void console(std::string msgid, std::string text);
    Event base_event(std::string name) const;
    Duration backoff_delay() const;
    Duration wait_limit() const { return std::chrono::duration_cast<Duration>(wait_limit_); }
    Candidate const& candidate() const { return candidates_[index_]; }
    std::optional<Endpoint> endpoint_of(Candidate const& c) const;

    zos::NssStackConfig stack_;
    zos::IkeConfig ike_;
    std::string system_name_;
    ClientTlsPolicy tls_policy_;
    crypto::LibContext* ctx_;
    NssClientOptions options_;
    ManagedStack* managed_{nullptr};
    std::vector<Candidate> candidates_;
    std::chrono::seconds wait_limit_{60};
    std::uint32_t wait_retries_{3};

    // Connection state.
    Phase phase_{Phase::idle};
    std::size_t index_{0};              // candidate in use / being tried
    std::uint32_t failures_in_row_{0};  // failed attempts since the last registration
    std::uint32_t backoff_steps_{0};    // rounds waited since the last registration
    ConnId next_conn_;
    ConnId conn_{0};  // 0: none
    std::optional<tls::Channel> channel_;
    std::optional<wire_nss::FrameReader> reader_;
    bool register_sent_{false};
    std::uint32_t next_wire_id_{1};
    std::uint32_t register_wire_id_{0};
    TimePoint reconnect_at_{};
    TimePoint attempt_deadline_{};  // tcp_connect / tls / registering
    TimePoint last_sent_{};
    std::uint32_t keepalive_wire_id_{0};
    TimePoint keepalive_deadline_{};
    TimePoint failback_at_{};
    std::optional<std::size_t> last_registered_index_;

    // Registration results (ipsec -w).
    wire_nss::Services granted_{};
    bool api_mismatch_{false};
    bool without_services_{false};  // registered, but the server answered version_mismatch
    std::optional<std::uint32_t> server_api_version_;
    std::string server_system_name_;
    std::optional<Endpoint> local_endpoint_;
    std::optional<TimePoint> time_connected_;
    std::optional<TimePoint> time_last_message_;

    // Requests.
    RequestHandle next_handle_{1};
    std::map<RequestHandle, Request> requests_;
    std::map<std::uint32_t, RequestHandle> in_flight_;  // wire id -> handle (current conn)

    std::deque<Transmit> transmits_;
    // Messages were sent since the last flush_tls(): poll_transmit() encrypts them first, so the
    // requests a driver issues between two polls share TLS records.
    bool tls_pending_{false};
    std::deque<Event> events_;
    std::deque<Completion> completions_;
    std::deque<core::Secret> secrets_;
    std::uint64_t events_dropped_{0};
};

}  // namespace nsslab::nss
