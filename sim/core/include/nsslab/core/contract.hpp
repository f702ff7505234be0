// The sans-I/O core contract (DESIGN.md §2 "one core, two drivers", §3; docs/architecture.md
// "The core contract"): one shape for every protocol core — the TLS channel (sim/tls), the NSS
// client and server (sim/nss) and the IKE endpoint to come — so that one driver adapter per
// runtime pumps any of them (runtime::StreamDriver over the simulator and Boost.Asio,
// core::StreamPair in memory for tests, fuzzers and benchmarks).
//
// A core is single-threaded and synchronous. It never reads a clock, opens a socket, sleeps,
// spawns a thread or draws from a global RNG, and it never calls back into its driver.
//
// Inputs (each takes the current time of the node that runs the core):
//   handle_*(..., now)        the transport (connected, accepted, received, closed) and the timer
//   request_*(..., now)       a command from the core's owner (an operator, another core); the
//                             core answers each with exactly one Completion, later or at once
//   complete_request(id, result, now)   the answer to a request the core made with poll_request()
// Outputs, drained after every input until each returns std::nullopt:
//   poll_transmit()           what the transport must do (bytes to send; for stream cores also
//                             connect, close, abort)
//   poll_event()              observable events for the trace (Event)
//   poll_secret()             key material for the run's capture files (TLS key log lines, IKE SA
//                             keys); never for the trace
//   poll_completion()         the answers to request_* (service cores)
//   poll_request()            a service this core needs from another core (e.g. an IKE SA asking
//                             the NSS client for a signature); answered with complete_request()
//   next_timeout()            the single earliest deadline; the driver calls handle_timeout(now)
//                             when it is reached (an early or late call is harmless)
// Every output queue is bounded by the core.
#pragma once

#include <concepts>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "nsslab/base/address.hpp"
#include "nsslab/base/bytes.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/base/trace.hpp"

namespace nsslab {

// Why a stream (TCP connection) ended, as its owner sees it. The runtime reports it
// (runtime::Application::on_stream_closed) and stream cores take it (handle_closed).
enum class StreamEnd : std::uint8_t {
    eof,          // the peer sent FIN; sending may continue until close()
    reset,        // the peer reset the connection (RST)
    refused,      // connect: nothing listens there (RST to SYN)
    timed_out,    // connect or retransmission timed out (host down, partitioned)
    unreachable,  // no route to the address
};
std::string_view to_string(StreamEnd end);

}  // namespace nsslab

namespace nsslab::core {

// A stream connection as a core names it. A client core allocates its ids (in its connect
// transmits); a server core is given them by its driver (handle_accepted). Unique per core
// while the connection is open.
using ConnId = std::uint64_t;

// The output of a stream core for its transport.
struct StreamTransmit {
    enum class Kind : std::uint8_t {
        connect,  // client cores: open a connection to `remote` (from `local` when given);
                  // report handle_connected or handle_closed for `conn`
        data,     // send `bytes` in order on `conn`
        close,    // orderly close: FIN after every byte queued before; no more input for conn
        abort,    // reset (RST); queued bytes are discarded; no more input for conn
    };
    Kind kind{Kind::data};
    ConnId conn{0};
    Bytes bytes;                     // data
    Endpoint remote;                 // connect
    std::optional<IpAddress> local;  // connect: the local address to connect from
    std::string reason;              // close / abort: why (for the driver's trace)
};
std::string_view to_string(StreamTransmit::Kind kind);

// Key material that lets a capture be decrypted. Never written to the trace.
struct Secret {
    enum class Kind : std::uint8_t {
        tls_key_log,  // one SSLKEYLOGFILE line ("CLIENT_RANDOM <cr> <secret>", ...)
        ike_sa,       // one line of Wireshark's ikev2_decryption_table
    };
    Kind kind{Kind::tls_key_log};
    std::string line;
};

// The poll_*() of a core whose output waits in a queue: the oldest entry, or nullopt.
template <class T>
std::optional<T> take_front(std::deque<T>& queue) {
    if (queue.empty())
        return std::nullopt;
    std::optional<T> out(std::move(queue.front()));
    queue.pop_front();
    return out;
}

template <class T>
inline constexpr bool is_optional_v = false;
template <class T>
inline constexpr bool is_optional_v<std::optional<T>> = true;

// Every core: its transmits, events, secrets and one deadline.
template <class C>
concept Core = requires(C& core, C const& view, TimePoint now) {
    typename C::Transmit;
    { core.poll_transmit() } -> std::same_as<std::optional<typename C::Transmit>>;
    { core.poll_event() } -> std::same_as<std::optional<Event>>;
    { core.poll_secret() } -> std::same_as<std::optional<Secret>>;
    { view.next_timeout() } -> std::same_as<std::optional<TimePoint>>;
    { core.handle_timeout(now) } -> std::same_as<void>;
};

// A core that speaks over stream connections (NSS client and server).
template <class C>
concept StreamCore = Core<C> && std::same_as<typename C::Transmit, StreamTransmit> &&
    requires(C& core, ConnId conn, ByteView bytes, StreamEnd why, TimePoint now) {
    { core.handle_received(conn, bytes, now) } -> std::same_as<void>;
    { core.handle_closed(conn, why, now) } -> std::same_as<void>;
};

// Opens connections (connect transmits); told when one is established.
template <class C>
concept StreamClientCore = StreamCore<C> &&
    requires(C& core, ConnId conn, Endpoint local, TimePoint now) {
    { core.handle_connected(conn, local, now) } -> std::same_as<void>;
};

// Accepts connections its driver's listeners received.
template <class C>
concept StreamServerCore = StreamCore<C> &&
    requires(C& core, ConnId conn, Endpoint remote, Endpoint local, TimePoint now) {
    { core.handle_accepted(conn, remote, local, now) } -> std::same_as<void>;
};

// A core that speaks in datagrams (the IKE endpoint): a transmit names the local endpoint it
// goes out from, the remote one and the payload; a received datagram comes in with the local
// endpoint it arrived on.
template <class C>
concept DatagramCore = Core<C> && requires(C& core, Endpoint local, Endpoint from, ByteView bytes,
                                           TimePoint now, typename C::Transmit const& t) {
    { core.handle_datagram(local, from, bytes, now) } -> std::same_as<void>;
    { t.local } -> std::convertible_to<Endpoint>;
    { t.remote } -> std::convertible_to<Endpoint>;
    { t.bytes } -> std::convertible_to<Bytes>;
};

// A layer in a byte pipe (the TLS channel): bytes for the peer out of poll_transmit(), bytes
// from the peer into handle_received(); what it carries goes up through poll_received().
template <class C>
concept ByteCore = Core<C> && std::same_as<typename C::Transmit, Bytes> &&
    requires(C& core, ByteView bytes, TimePoint now) {
    { core.handle_received(bytes, now) } -> std::same_as<void>;
    { core.poll_received() } -> std::same_as<std::optional<Bytes>>;
};

// A core that serves requests: request_*(..., now) returns a handle, and exactly one
// Completion per handle comes out of poll_completion().
template <class C>
concept ServiceCore = Core<C> && requires(C& core) {
    typename C::Completion;
    { core.poll_completion() } -> std::same_as<std::optional<typename C::Completion>>;
};

// A core that needs another core's service: it asks with poll_request() and is answered, once
// per request, with complete_request(request id, result, now).
template <class C>
concept ServiceUser = Core<C> && requires(C& core, typename C::ServiceRequest const& request,
                                          typename C::ServiceResult result, TimePoint now) {
    { core.poll_request() } -> std::same_as<std::optional<typename C::ServiceRequest>>;
    { request.id } -> std::convertible_to<std::uint64_t>;
    { core.complete_request(request.id, std::move(result), now) } -> std::same_as<void>;
};

// The Completion type of a service core (std::monostate for other cores), for drivers.
template <class C>
struct CompletionOf {
    using type = std::monostate;
};
template <ServiceCore C>
struct CompletionOf<C> {
    using type = typename C::Completion;
};

// The ServiceRequest type of a service user (std::monostate for other cores), for drivers.
template <class C>
struct RequestOf {
    using type = std::monostate;
};
template <ServiceUser C>
struct RequestOf<C> {
    using type = typename C::ServiceRequest;
};

}  // namespace nsslab::core
