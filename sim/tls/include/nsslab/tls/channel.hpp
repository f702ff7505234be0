// Sans-I/O TLS channel: the emulation of z/OS AT-TLS between IKED (client) and NSSD (server).
//
// DESIGN.md §2: TLS is a sans-I/O layer, OpenSSL over memory BIOs, ciphertext in and out, so the
// simulation engine, the real Boost.Asio runtime and the unit-test pair run the same code. A
// Channel opens no socket, reads no clock (certificate checks use ClientConfig::verification_time,
// the node's virtual clock) and draws randomness only from the crypto::LibContext it is given
// (deterministic per simulated host, DESIGN.md §4). Session tickets and the session cache are off
// (they would leak wall time into the bytes), renegotiation is refused.
//
// A ByteCore of the core contract (nsslab/core/contract.hpp, docs/architecture.md):
//   - after creating a client, and after every handle_received(), send() or close(), drain
//     poll_transmit() until it returns nullopt and deliver those bytes to the peer in order;
//   - after every handle_received(), drain poll_received() (application data received);
//   - poll_event() reports each state change once: "tls.established" {version, cipher},
//     "tls.failed" {reason}, "tls.closed" {by: local|peer}; state() tells the same at any time.
//     established → application data flows; failed → tear the transport down (after sending
//     what poll_transmit() still returns, e.g. an alert) and log failure_reason(); closed →
//     close_notify was sent or received, close the transport once poll_transmit() is empty;
//   - poll_secret() gives the SSLKEYLOGFILE lines of the handshake (for the run's key log and
//     the capture's Decryption Secrets Block, docs/capture.md).
// TLS over TCP keeps no timers: next_timeout() is always nullopt, and `now` is not read.
// A server channel whose first bytes are not a TLS record fails at once with
// "not a TLS connection" (NSSD logs DBG0104I, zos-nss-facts.md §7). A client channel fails the
// handshake, before any application data is sent, when the server's certificate chain does not
// verify against the trust anchors at verification_time or the server identity check
// (identity.hpp) fails.
//
// The LibContext passed at creation must outlive the Channel. Single-threaded; no callbacks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/base/trace.hpp"
#include "nsslab/core/contract.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/tls/identity.hpp"

namespace nsslab::tls {

enum class Version { tls1_2, tls1_3 };
// "TLSv1.2", "TLSv1.3" (OpenSSL's names, also used by AT-TLS displays).
std::string_view to_string(Version version);

inline constexpr std::size_t default_max_unsent_plaintext = std::size_t{1} << 20;  // 1 MiB

struct ServerConfig {
    std::string certificate_chain_pem;  // server certificate first, then any intermediates
    std::string private_key_pem;        // the server certificate's key (PKCS#8 or traditional)
    Version min_version{Version::tls1_2};
    Version max_version{Version::tls1_3};
    std::string cipher_list;   // TLS 1.2 suites, OpenSSL syntax; empty: OpenSSL's default
    std::string ciphersuites;  // TLS 1.3 suites, OpenSSL syntax; empty: OpenSSL's default
    std::size_t max_unsent_plaintext{default_max_unsent_plaintext};
};

struct ClientConfig {
    std::string trust_anchors_pem;  // one or more CA certificates (the IKED key ring's CERTAUTH)
    TimePoint verification_time{};  // certificate validity is checked at this (virtual) time
    std::optional<ServerIdentity> expected_identity;  // NetworkSecurityServer ... Identity
    IpAddress server_address;  // the configured server address (identity default rule)
    std::string server_name;   // SNI host name to send; empty: none
    Version min_version{Version::tls1_2};
    Version max_version{Version::tls1_3};
    std::string cipher_list;
    std::string ciphersuites;
    std::size_t max_unsent_plaintext{default_max_unsent_plaintext};
};

// Shares OpenSSL contexts (SSL_CTX: parsed certificate chain and private key, or trust anchors,
// versions and ciphers) among the channels an endpoint creates with the same configuration and
// LibContext, so that a server accepting thousands of connections parses its key once, not per
// connection (docs/tls.md "Context cache"). Channels keep their own reference: the cache may be
// destroyed or evict an entry while channels made from it are alive. The cache must not outlive
// the LibContexts it was used with. Bounded: beyond max_entries the oldest entry is dropped.
// Per-connection settings (verification time, expected identity, SNI) are never cached.
class ContextCache {
  public:
    explicit ContextCache(std::size_t max_entries = 8);
    ~ContextCache();
    ContextCache(ContextCache const&) = delete;
    ContextCache& operator=(ContextCache const&) = delete;

    std::size_t size() const;
    std::uint64_t hits() const;    // channels made from a cached context
    std::uint64_t misses() const;  // contexts built

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
    friend class Channel;
};

class Channel {
  public:
    enum class State { handshaking, established, closed, failed };
    using Transmit = Bytes;  // ciphertext for the peer

    // A client channel; the ClientHello is ready in poll_transmit() on return.
    // Errors: invalid_argument (no/unparseable trust anchors, bad version range, bad cipher list),
    // crypto_error (OpenSSL).
    // With a cache, the SSL_CTX is taken from it (or built and added).
    static Result<Channel> client(crypto::LibContext& ctx, ClientConfig config,
                                  ContextCache* cache = nullptr);
    // A server channel waiting for a ClientHello.
    // Errors: invalid_argument (unparseable chain or key, key not matching the certificate,
    // bad version range or cipher list), crypto_error.
    static Result<Channel> server(crypto::LibContext& ctx, ServerConfig config,
                                  ContextCache* cache = nullptr);

    Channel(Channel&&) noexcept;
    Channel& operator=(Channel&&) noexcept;
    ~Channel();

    // Bytes received from the transport, any fragmentation. Ignored once failed.
    void handle_received(ByteView bytes, TimePoint now);
    // The transport delivered end-of-stream (TCP FIN or reset). Without a prior close_notify this
    // fails the channel ("connection closed by peer without close_notify" / "... during
    // handshake").
    void handle_closed(TimePoint now);
    void handle_timeout(TimePoint /*now*/) {}
    std::optional<TimePoint> next_timeout() const { return std::nullopt; }
    // Queues application data; it is encrypted at the next poll_transmit() once the handshake
    // is complete, so the sends between two drains share TLS records (a burst of pipelined
    // replies costs one record's overhead, not one per reply). A send that would take the queue
    // past max_unsent_plaintext on an established channel encrypts the queue first.
    // Errors: closed (closed or failed channel), limit_exceeded (more than max_unsent_plaintext
    // waiting for the handshake), crypto_error (encrypting failed; the channel failed).
    Result<void> send(ByteView plaintext);
    // Sends close_notify (if established); state becomes closed. Received data is still
    // delivered until the peer's close_notify. Idempotent.
    void close();

    // Bytes to send to the peer (queued application data encrypted first); drain until nullopt.
    // An encryption failure fails the channel (state() failed, an alert may follow).
    std::optional<Bytes> poll_transmit();
    std::optional<Bytes> poll_received();  // application data received, all of it
    std::optional<Event> poll_event();     // state changes (see above)
    // SSLKEYLOGFILE lines ("CLIENT_RANDOM ..." / "CLIENT_HANDSHAKE_TRAFFIC_SECRET ..." etc.).
    std::optional<core::Secret> poll_secret();

    State state() const;
    // Why the channel failed: OpenSSL's reason plus the certificate verification error, or the
    // identity mismatch, or "not a TLS connection ...". Empty unless state() == failed.
    std::string const& failure_reason() const;
    bool is_client() const;
    bool close_notify_received() const;

    // After the handshake: the peer's certificate (the server's, on a client channel).
    std::optional<CertificateInfo> peer_certificate() const;
    std::string version_name() const;  // "TLSv1.3"; empty before the handshake completes
    std::string cipher_name() const;   // "TLS_AES_256_GCM_SHA384"; empty before
    std::size_t unsent_plaintext_size() const;

    struct Impl;

  private:
    explicit Channel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

std::string_view to_string(Channel::State state);

}  // namespace nsslab::tls
