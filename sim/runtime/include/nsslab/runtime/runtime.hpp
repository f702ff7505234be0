// The runtime interface: the small set of services a daemon or test client needs from its
// driver (DESIGN.md §2). Implemented by the simulation engine (sim/engine: virtual time,
// simulated network) and by the real runtime (sim/asio: Boost.Asio sockets and timers).
// The contract tests in tests/runtime_contract/ run against both.
//
// Contract:
// - An Application is driven single-threaded. Callbacks are never invoked from inside a
//   Runtime call; they come from the driver's loop, one at a time.
// - There is one deadline per application: set_deadline() replaces the previous one;
//   on_deadline() fires once at or after it (in this node's clock).
// - A stream id is reported closed exactly once through on_stream_closed(), unless the
//   application closed or aborted it first (then no further callbacks for that id).
// - Every buffer is bounded: send() fails with Errc::limit_exceeded when the stream's
//   unsent/unacknowledged bytes would exceed send_buffer_limit().
// - Back-pressure: after a send() on a stream was refused with Errc::limit_exceeded,
//   on_send_space(stream) is called once, from the loop, when send_queued(stream) has fallen
//   to at most send_buffer_limit() / 2 (if it already has, the call still comes from the loop,
//   never from inside send()). Refusals before that call share it; a refusal after it arms the
//   next one. It is never called for a stream whose sends were never refused, nor after
//   close()/abort() of the stream or after its on_stream_closed() (eof included: a sender that
//   goes on sending after eof polls send_queued()).
// - Addresses: a socket is bound to one local address or to the wildcard of a family. A port
//   can be bound on each address of a host separately; a wildcard bind conflicts with any bind
//   of the same port and family on a specific address, in either order (Errc::already_exists,
//   as Linux without SO_REUSEADDR). Binding, or connecting from, an address the host does not
//   own fails with Errc::invalid_argument naming the endpoint.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "nsslab/base/address.hpp"
#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/base/trace.hpp"
#include "nsslab/core/contract.hpp"
#include "nsslab/runtime/file_system.hpp"

namespace nsslab::runtime {

// Datagram sockets, listeners and streams share one id space per application.
using SocketId = std::uint64_t;

// Why a stream ended, as its application sees it (nsslab/core/contract.hpp).
using StreamEnd = ::nsslab::StreamEnd;

struct StreamInfo {
    Endpoint local;
    Endpoint remote;
};

// What a runtime drives. All methods default to doing nothing.
class Application {
  public:
    virtual ~Application() = default;
    virtual void on_start(TimePoint /*now*/) {}
    // Orderly stop (SIGTERM, scenario `stop`): close connections; the driver tears down after.
    virtual void on_stop(TimePoint /*now*/) {}
    virtual void on_deadline(TimePoint /*now*/) {}
    // `local` is the endpoint the datagram arrived on: the socket's own endpoint, or for a
    // socket bound to a wildcard address the datagram's destination address with its port
    // (a reply meant to come from the address the peer reached goes out from `local`).
    virtual void on_datagram(SocketId /*socket*/, Endpoint const& /*local*/,
                             Endpoint const& /*from*/, ByteView /*payload*/, TimePoint /*now*/) {}
    virtual void on_accepted(SocketId /*listener*/, SocketId /*stream*/, TimePoint /*now*/) {}
    virtual void on_connected(SocketId /*stream*/, TimePoint /*now*/) {}
    virtual void on_received(SocketId /*stream*/, ByteView /*data*/, TimePoint /*now*/) {}
    virtual void on_stream_closed(SocketId /*stream*/, StreamEnd /*why*/, TimePoint /*now*/) {}
    // A send() on `stream` was refused (Errc::limit_exceeded) and its queued bytes have since
    // fallen to at most send_buffer_limit() / 2: at least that much can be sent now. Called
    // once per refusal episode; the application sends what it held back (and may be refused
    // again, which arms the next call).
    virtual void on_send_space(SocketId /*stream*/, TimePoint /*now*/) {}
    // After a batch of Runtime::offload() completions (their `done` calls): the application
    // moves what they produced (a DrivenApplication drains its drivers once for the batch).
    virtual void on_work_done(TimePoint /*now*/) {}
};

class Runtime;

// Builds an application on the Runtime a driver gives it (engine::Host::spawn, and
// asio_rt::Loop::add). Called at every (re)start; must not return null. The application may
// keep the Runtime; callbacks begin only after the factory has returned.
using AppFactory = std::function<std::unique_ptr<Application>(Runtime&)>;

// An Application that hands every callback to another one: for a wrapper that adds something
// of its own (operator commands, a world that outlives the process) around an application.
// The target must outlive the wrapper's use of it.
class ForwardingApplication : public Application {
  public:
    explicit ForwardingApplication(Application& target) : target_(target) {}
    void on_start(TimePoint now) override { target_.on_start(now); }
    void on_stop(TimePoint now) override { target_.on_stop(now); }
    void on_deadline(TimePoint now) override { target_.on_deadline(now); }
    void on_datagram(SocketId socket, Endpoint const& local, Endpoint const& from, ByteView payload,
                     TimePoint now) override {
        target_.on_datagram(socket, local, from, payload, now);
    }
    void on_accepted(SocketId listener, SocketId stream, TimePoint now) override {
        target_.on_accepted(listener, stream, now);
    }
    void on_connected(SocketId stream, TimePoint now) override {
        target_.on_connected(stream, now);
    }
    void on_received(SocketId stream, ByteView data, TimePoint now) override {
        target_.on_received(stream, data, now);
    }
    void on_stream_closed(SocketId stream, StreamEnd why, TimePoint now) override {
        target_.on_stream_closed(stream, why, now);
    }
    void on_send_space(SocketId stream, TimePoint now) override {
        target_.on_send_space(stream, now);
    }
    void on_work_done(TimePoint now) override { target_.on_work_done(now); }

  private:
    Application& target_;
};

class Runtime {
  public:
    virtual ~Runtime() = default;

    // This node's clock (virtual time plus the node's offset and drift in the simulator).
    virtual TimePoint now() const = 0;
    // Replaces the single deadline; std::nullopt cancels it.
    virtual void set_deadline(std::optional<TimePoint> when) = 0;
    // Randomness from the run's seed (sim) or the OS (real).
    virtual void fill_random(std::span<std::uint8_t> out) = 0;
    // The node's name, as traces show it ("SYSTEMA").
    virtual std::string_view node_name() const = 0;
    // Records an observable event in the run's trace, stamped with time and node.
    virtual void emit(Event event) = 0;
    // The node's file system (z/OS UNIX files such as a stack's marker file).
    virtual FileSystem& files() = 0;
    // Key material for the run's capture files (a TLS key log line in SSLKEYLOGFILE format,
    // "CLIENT_HANDSHAKE_TRAFFIC_SECRET <cr> <secret>", or IKE SA keys), as a core's
    // poll_secret() gives it. Never goes to the trace. Default: dropped.
    virtual void log_secret(core::Secret const& /*secret*/) {}

    // CPU work off the application's thread. A runtime with worker threads (the Boost.Asio
    // runtime with NodeOptions::worker_threads) runs `work` on one of them, then `done(now)` on
    // the application's thread (jobs complete in any order; the completions ready together run
    // in one batch, followed by Application::on_work_done), and returns true. It returns false and
    // runs nothing when it has no worker threads (the simulator: virtual time has none) or its
    // bounded queue is full; the caller then does the work itself. `work` must touch nothing the
    // application owns.
    virtual bool offload(std::function<void()> /*work*/, std::function<void(TimePoint)> /*done*/) {
        return false;
    }
    // How many worker threads offload() has (0: none).
    virtual std::size_t worker_threads() const { return 0; }

    // Datagrams. `local` is one of the node's addresses or a wildcard (0.0.0.0, ::); a port of
    // 0 picks an ephemeral port. Errors: already_exists (the port is bound on that address or,
    // for a wildcard, on any address of the family; see the contract above), invalid_argument
    // (not an address of this node, named in the message).
    virtual Result<SocketId> open_datagram(Endpoint const& local) = 0;
    virtual Result<Endpoint> local_endpoint(SocketId socket) const = 0;
    virtual Result<void> send_datagram(SocketId socket, Endpoint const& to, ByteView payload) = 0;

    // Streams. connect() completes later with on_connected() or on_stream_closed(). It goes out
    // from `local_address` when given (an address of this node, of the remote's family:
    // otherwise invalid_argument naming it), else from an address the node picks;
    // stream_info() on both ends shows the address used.
    virtual Result<SocketId> listen(Endpoint const& local) = 0;
    virtual Result<SocketId> connect(Endpoint const& remote,
                                     std::optional<IpAddress> local_address = std::nullopt) = 0;
    // Queues `data`. Refused with Errc::limit_exceeded (nothing queued) when send_queued() plus
    // its size would exceed send_buffer_limit(); on_send_space() then follows once there is
    // room for half the limit.
    virtual Result<void> send(SocketId stream, ByteView data) = 0;
    virtual std::optional<StreamInfo> stream_info(SocketId stream) const = 0;
    virtual std::size_t send_buffer_limit() const = 0;
    // Bytes accepted by send() and not yet acknowledged by the peer.
    virtual std::size_t send_queued(SocketId stream) const = 0;
    // Sends FIN after queued data; receiving continues.
    virtual void shutdown_send(SocketId stream) = 0;
    // Graceful close (FIN after queued data) of a stream, or close of a listener or
    // datagram socket. No callbacks follow for this id.
    virtual void close(SocketId socket) = 0;
    // Abortive close: RST to the peer, queued data discarded. No callbacks follow.
    virtual void abort(SocketId stream) = 0;
};

}  // namespace nsslab::runtime
