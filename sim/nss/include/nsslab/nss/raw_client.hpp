// An NSS protocol client with no policy of its own (docs/nss-protocol.md): it opens the
// connections it is told to (AT-TLS as IKED's, or plain TCP), sends the messages or bytes it is
// given and keeps what comes back. No registration logic, retries or failover: that is
// NssClient's. It exists to drive an NSS server the way no well-behaved client would — tests of
// the NssServer core, the nss_server fuzz target, bench sign (b) — and to probe a server.
//
// A StreamClientCore of the core contract (nsslab/core/contract.hpp): its connect transmits
// come from connect(); core::StreamPair (in memory) or runtime::StreamDriver carries them.
// Every connection keeps at most `received_max` decoded messages (older ones are dropped and
// counted) and `bytes_max` bytes of each transcript.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/base/trace.hpp"
#include "nsslab/core/contract.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/tls/channel.hpp"
#include "nsslab/wire_nss/codec.hpp"
#include "nsslab/wire_nss/messages.hpp"

namespace nsslab::nss {

struct RawClientOptions {
    std::size_t received_max{4096};               // decoded messages kept per connection
    std::size_t bytes_max{std::size_t{1} << 20};  // per transcript (sent / received)
    bool keep_transcripts{true};  // false: no plaintext/ciphertext copies (benchmarks)
    std::size_t frame_body_max{wire_nss::default_max_body};
};

class RawClient {
  public:
    using Transmit = core::StreamTransmit;

    struct Connection {
        core::ConnId id{0};
        Endpoint server;
        std::optional<tls::Channel> tls;  // nullopt: plain TCP
        bool connected{false};
        bool closed{false};
        std::optional<StreamEnd> end;  // how the peer ended it (nullopt: we did, or still open)
        wire_nss::FrameReader reader;
        std::deque<wire_nss::Message> received;
        std::uint64_t received_total{0};
        std::uint64_t received_dropped{0};
        std::vector<std::string> decode_errors;  // at most 16
        Bytes plaintext_sent;                    // every byte given to send()/send_raw()
        Bytes plaintext_received;                // TLS application data received
        Bytes raw_received;  // ciphertext (or, without TLS, whatever the server sent)
        std::uint32_t next_id{1};

        template <class T>
        std::optional<T> reply(std::uint32_t request_id) const {
            for (auto const& m : received)
                if (m.request_id == request_id)
                    if (auto const* t = std::get_if<T>(&m.body))
                        return *t;
            return std::nullopt;
        }
        template <class T>
        std::optional<T> last() const {
            for (auto it = received.rbegin(); it != received.rend(); ++it)
                if (auto const* t = std::get_if<T>(&it->body))
                    return *t;
            return std::nullopt;
        }
        bool established() const { return tls && tls->state() == tls::Channel::State::established; }
    };

    // `ctx` (the client's host) must outlive the client.
    explicit RawClient(crypto::LibContext& ctx, RawClientOptions options = {});

    // --- commands ---
    // A new connection to `server`: AT-TLS with `tls` (the ClientHello goes out once the TCP
    // connection is up), or plain TCP when `tls` is nullopt. Errors: the TLS configuration.
    Result<core::ConnId> connect(Endpoint server, std::optional<tls::ClientConfig> tls,
                                 TimePoint now);
    // Frames and sends a message (request id `rid`, or the connection's next). Returns the id.
    // Errors: no such open connection, TLS refused the bytes.
    Result<std::uint32_t> send(core::ConnId conn, wire_nss::Body body,
                               std::optional<std::uint32_t> rid, TimePoint now);
    // Bytes as they are: into TLS (before or after the handshake), or onto plain TCP.
    Result<void> send_raw(core::ConnId conn, ByteView bytes, TimePoint now);
    // Orderly close (close_notify, then FIN) or reset.
    void close(core::ConnId conn, TimePoint now);
    void abort(core::ConnId conn, TimePoint now);
    // TLS close_notify alone: the TCP connection stays open, for the server to close (or not).
    // Nothing on a plain-TCP connection, or one not connected or closed.
    void close_notify(core::ConnId conn, TimePoint now);

    Connection* connection(core::ConnId conn);
    Connection const* connection(core::ConnId conn) const;
    std::map<core::ConnId, Connection>& connections() { return connections_; }
    // Drops a finished connection's record.
    void forget(core::ConnId conn) { connections_.erase(conn); }

    // --- core contract: StreamClientCore ---
    void handle_connected(core::ConnId conn, Endpoint local, TimePoint now);
    void handle_received(core::ConnId conn, ByteView bytes, TimePoint now);
    void handle_closed(core::ConnId conn, StreamEnd why, TimePoint now);
    void handle_timeout(TimePoint /*now*/) {}
    std::optional<TimePoint> next_timeout() const { return std::nullopt; }
    std::optional<Transmit> poll_transmit();
    std::optional<Event> poll_event();  // "raw.tls_failed" {conn, reason}
    std::optional<core::Secret> poll_secret();

  private:
    static constexpr std::size_t outputs_max = 4096;  // undrained events / secrets kept

    void flush(Connection& c);
    void keep(Bytes& transcript, ByteView bytes) const;
    void transmit(core::ConnId conn, Transmit::Kind kind, Bytes bytes);

    crypto::LibContext& ctx_;
    RawClientOptions options_;
    std::map<core::ConnId, Connection> connections_;
    core::ConnId next_conn_{1};
    std::deque<Transmit> transmits_;
    std::deque<Event> events_;
    std::deque<core::Secret> secrets_;
};

}  // namespace nsslab::nss
