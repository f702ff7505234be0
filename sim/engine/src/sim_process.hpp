// Internal: the simulator's implementation of runtime::Runtime for one process on a Host.
#pragma once

#include <map>
#include <optional>

#include "nsslab/engine/host.hpp"
#include "nsslab/runtime/runtime.hpp"

namespace nsslab::engine {

class SimProcess final : public runtime::Runtime {
  public:
    SimProcess(Host& host, std::string name);
    ~SimProcess() override;

    // Builds the application and schedules on_start at the current time.
    void start(AppFactory const& factory);
    // Orderly stop: on_stop, then graceful close of every socket.
    void stop();
    // Crash: forget everything without callbacks (connections are handled by the host).
    void kill();

    std::string const& name() const { return name_; }
    runtime::Application* app() { return alive_ ? app_.get() : nullptr; }
    bool alive() const { return alive_; }

    // Runtime
    TimePoint now() const override;
    void set_deadline(std::optional<TimePoint> when) override;
    void fill_random(std::span<std::uint8_t> out) override { rng_.fill(out); }
    std::string_view node_name() const override;
    void emit(Event event) override;
    runtime::FileSystem& files() override;
    void log_secret(core::Secret const& secret) override;
    Result<runtime::SocketId> open_datagram(Endpoint const& local) override;
    Result<Endpoint> local_endpoint(runtime::SocketId socket) const override;
    Result<void> send_datagram(runtime::SocketId socket, Endpoint const& to,
                               ByteView payload) override;
    Result<runtime::SocketId> listen(Endpoint const& local) override;
    Result<runtime::SocketId> connect(Endpoint const& remote,
                                      std::optional<IpAddress> local_address) override;
    Result<void> send(runtime::SocketId stream, ByteView data) override;
    std::optional<runtime::StreamInfo> stream_info(runtime::SocketId stream) const override;
    std::size_t send_buffer_limit() const override;
    std::size_t send_queued(runtime::SocketId stream) const override;
    void shutdown_send(runtime::SocketId stream) override;
    void close(runtime::SocketId socket) override;
    void abort(runtime::SocketId stream) override;

    // Used by the host and its TCP connections.
    struct Socket {
        enum class Kind : std::uint8_t { datagram, listener, stream } kind;
        Endpoint local;
        TcpConnection* conn{nullptr};
        std::size_t pending_accepts{0};
    };
    Socket* socket(runtime::SocketId id);
    std::map<runtime::SocketId, Socket> const& sockets() const { return sockets_; }
    runtime::SocketId adopt_stream(TcpConnection& conn);
    void forget(runtime::SocketId id) { sockets_.erase(id); }
    // Runs `fn` on the application as a separate event at the current time, if the process is
    // still alive then (for outcomes that must not re-enter the caller).
    void post(std::function<void(runtime::Application&)> fn);
    void on_clock_changed() { schedule_deadline(); }
    void on_resume();

  private:
    void schedule_deadline();
    Result<Endpoint> bind_endpoint(Transport transport, Endpoint const& local);

    Host& host_;
    std::string name_;
    std::unique_ptr<runtime::Application> app_;
    bool alive_{false};
    std::uint64_t incarnation_;          // the host epoch this process belongs to
    std::optional<TimePoint> deadline_;  // in this node's clock
    std::uint64_t deadline_gen_{0};
    Rng rng_;
    runtime::SocketId next_id_{1};
    std::map<runtime::SocketId, Socket> sockets_;
};

}  // namespace nsslab::engine
