#include "sim_process.hpp"

#include "nsslab/engine/network.hpp"
#include "nsslab/engine/simulation.hpp"
#include "tcp_connection.hpp"

namespace nsslab::engine {

using runtime::SocketId;

SimProcess::SimProcess(Host& host, std::string name)
    : host_(host),
      name_(std::move(name)),
      incarnation_(host.epoch_),
      rng_(host.simulation().rng("host/" + host.name() + "/process/" + name_ + "/" +
                                 std::to_string(host.epoch_))) {}

SimProcess::~SimProcess() = default;

void SimProcess::start(AppFactory const& factory) {
    app_ = factory(*this);
    NSSLAB_ASSERT(app_ != nullptr, "application factory returned null");
    alive_ = true;
    host_.schedule_guarded(Duration{0}, [this, epoch = incarnation_] {
        (void)epoch;
        if (alive_)
            app_->on_start(now());
    });
}

void SimProcess::stop() {
    if (!alive_)
        return;
    app_->on_stop(now());
    // Whatever the application left open is closed gracefully.
    while (!sockets_.empty())
        close(sockets_.begin()->first);
    alive_ = false;
    ++deadline_gen_;
}

void SimProcess::kill() {
    alive_ = false;
    ++deadline_gen_;
    sockets_.clear();
}

TimePoint SimProcess::now() const {
    return host_.local_now();
}

std::string_view SimProcess::node_name() const {
    return host_.name();
}

void SimProcess::emit(Event event) {
    host_.simulation().trace(host_.name(), std::move(event));
}

runtime::FileSystem& SimProcess::files() {
    return host_.files();
}

void SimProcess::log_secret(core::Secret const& secret) {
    host_.simulation().log_secret(secret);
}

void SimProcess::set_deadline(std::optional<TimePoint> when) {
    deadline_ = when;
    schedule_deadline();
}

void SimProcess::schedule_deadline() {
    std::uint64_t gen = ++deadline_gen_;
    if (!deadline_ || !alive_)
        return;
    TimePoint at = host_.virtual_time_for(*deadline_);
    Duration delay = at - host_.simulation().now();
    host_.schedule_guarded(delay, [this, gen] {
        if (!alive_ || gen != deadline_gen_ || !deadline_)
            return;
        deadline_.reset();
        app_->on_deadline(now());
    });
}

void SimProcess::on_resume() {
    // Deadlines that fell due while paused were queued by schedule_guarded and run on resume.
}

SimProcess::Socket* SimProcess::socket(SocketId id) {
    auto it = sockets_.find(id);
    return it == sockets_.end() ? nullptr : &it->second;
}

void SimProcess::post(std::function<void(runtime::Application&)> fn) {
    host_.schedule_guarded(Duration{0}, [this, fn = std::move(fn)] {
        if (alive_)
            fn(*app_);
    });
}

Result<Endpoint> SimProcess::bind_endpoint(Transport transport, Endpoint const& local) {
    Endpoint ep = local;
    if (!ep.address.is_unspecified() && !host_.owns(ep.address))
        return fail(Errc::invalid_argument,
                    "cannot bind " + ep.to_string() + ": address not on host " + host_.name());
    if (ep.port == 0) {
        IpAddress addr =
            ep.address.is_unspecified() ? host_.primary_address(ep.address.family()) : ep.address;
        ep.port = host_.ephemeral_port(transport, addr);
        if (ep.port == 0)
            return fail(Errc::limit_exceeded, "no ephemeral port left on " + host_.name());
    } else if (host_.port_in_use(transport, ep)) {
        return fail(Errc::already_exists,
                    "cannot bind " + ep.to_string() + " on " + host_.name() + ": address in use");
    }
    return ep;
}

Result<SocketId> SimProcess::open_datagram(Endpoint const& local) {
    if (!alive_)
        return fail(Errc::state_error, "process not running");
    auto ep = bind_endpoint(Transport::udp, local);
    if (!ep)
        return ep.error();
    SocketId id = next_id_++;
    sockets_.emplace(id, Socket{Socket::Kind::datagram, *ep});
    return id;
}

Result<Endpoint> SimProcess::local_endpoint(SocketId id) const {
    auto it = sockets_.find(id);
    if (it == sockets_.end())
        return fail(Errc::not_found, "no socket " + std::to_string(id));
    if (it->second.conn != nullptr)
        return it->second.conn->local;
    return it->second.local;
}

Result<void> SimProcess::send_datagram(SocketId id, Endpoint const& to, ByteView payload) {
    Socket* s = socket(id);
    if (s == nullptr || s->kind != Socket::Kind::datagram)
        return fail(Errc::not_found, "no datagram socket " + std::to_string(id));
    if (payload.size() > 65507)
        return fail(Errc::oversized, "datagram of " + std::to_string(payload.size()) + " bytes");
    PacketRecord p;
    p.transport = Transport::udp;
    p.src = s->local;
    if (p.src.address.is_unspecified()) {
        p.src.address =
            host_.owns(to.address) ? to.address : host_.primary_address(to.address.family());
    }
    p.dst = to;
    p.payload.assign(payload.begin(), payload.end());
    host_.transmit(std::move(p));
    return {};
}

Result<SocketId> SimProcess::listen(Endpoint const& local) {
    if (!alive_)
        return fail(Errc::state_error, "process not running");
    auto ep = bind_endpoint(Transport::tcp, local);
    if (!ep)
        return ep.error();
    SocketId id = next_id_++;
    sockets_.emplace(id, Socket{Socket::Kind::listener, *ep});
    emit(Event("tcp.listen").with("local", ep->to_string()));
    return id;
}

Result<SocketId> SimProcess::connect(Endpoint const& remote,
                                     std::optional<IpAddress> local_address) {
    if (!alive_)
        return fail(Errc::state_error, "process not running");
    if (remote.address.is_unspecified() || remote.port == 0)
        return fail(Errc::invalid_argument, "cannot connect to " + remote.to_string());
    if (local_address && local_address->is_unspecified())
        local_address.reset();  // the wildcard: the host picks, as without one
    if (local_address && !host_.owns(*local_address))
        return fail(Errc::invalid_argument, "cannot connect to " + remote.to_string() + " from " +
                                                local_address->to_string() +
                                                ": address not on host " + host_.name());
    if (local_address && local_address->family() != remote.address.family())
        return fail(Errc::invalid_argument, "cannot connect to " + remote.to_string() + " from " +
                                                local_address->to_string() +
                                                ": not of the remote's address family");
    IpAddress local_addr = host_.owns(remote.address)
                               ? remote.address
                               : host_.primary_address(remote.address.family());
    if (local_address)
        local_addr = *local_address;
    if (local_addr.family() != remote.address.family())
        return fail(Errc::unreachable,
                    host_.name() + " has no address of the family of " + remote.to_string());
    std::uint16_t port = host_.ephemeral_port(Transport::tcp, local_addr);
    if (port == 0)
        return fail(Errc::limit_exceeded, "no ephemeral port left on " + host_.name());
    Endpoint local{local_addr, port};
    auto iss = static_cast<std::uint32_t>(host_.rng_.next_u64());
    auto conn =
        std::make_unique<TcpConnection>(host_, local, remote, host_.next_conn_serial_++, iss);
    TcpConnection& ref = *conn;
    host_.connections_.emplace(Host::ConnKey{local, remote}, std::move(conn));
    SocketId id = adopt_stream(ref);
    emit(Event("tcp.connect").with("local", local.to_string()).with("remote", remote.to_string()));
    ref.open_active();
    return id;
}

SocketId SimProcess::adopt_stream(TcpConnection& conn) {
    SocketId id = next_id_++;
    sockets_.emplace(id, Socket{Socket::Kind::stream, conn.local, &conn});
    conn.owner = this;
    conn.id = id;
    return id;
}

Result<void> SimProcess::send(SocketId id, ByteView data) {
    Socket* s = socket(id);
    if (s == nullptr || s->kind != Socket::Kind::stream || s->conn == nullptr)
        return fail(Errc::not_found, "no stream " + std::to_string(id));
    TcpConnection& conn = *s->conn;
    if (conn.fin_queued)
        return fail(Errc::closed, "stream " + std::to_string(id) + " was shut down for sending");
    if (conn.queued() + data.size() > send_buffer_limit()) {
        conn.want_send_space();
        return fail(Errc::limit_exceeded, "send buffer of stream " + std::to_string(id) +
                                              " full (" + std::to_string(conn.queued()) +
                                              " bytes queued)");
    }
    conn.app_send(data);
    return {};
}

std::optional<runtime::StreamInfo> SimProcess::stream_info(SocketId id) const {
    auto it = sockets_.find(id);
    if (it == sockets_.end() || it->second.conn == nullptr)
        return std::nullopt;
    return runtime::StreamInfo{it->second.conn->local, it->second.conn->remote};
}

std::size_t SimProcess::send_buffer_limit() const {
    return host_.network().tcp_params().send_buffer_limit;
}

std::size_t SimProcess::send_queued(SocketId id) const {
    auto it = sockets_.find(id);
    if (it == sockets_.end() || it->second.conn == nullptr)
        return 0;
    return it->second.conn->queued();
}

void SimProcess::shutdown_send(SocketId id) {
    Socket* s = socket(id);
    if (s == nullptr || s->conn == nullptr)
        return;
    s->conn->app_shutdown();
}

void SimProcess::close(SocketId id) {
    Socket* s = socket(id);
    if (s == nullptr)
        return;
    if (s->kind == Socket::Kind::stream && s->conn != nullptr) {
        s->conn->app_close();  // forgets the socket
        return;
    }
    sockets_.erase(id);
}

void SimProcess::abort(SocketId id) {
    Socket* s = socket(id);
    if (s == nullptr)
        return;
    if (s->kind == Socket::Kind::stream && s->conn != nullptr) {
        s->conn->app_abort();
        return;
    }
    sockets_.erase(id);
}

}  // namespace nsslab::engine
