#include "nsslab/engine/host.hpp"

#include <cmath>

#include "nsslab/engine/network.hpp"
#include "nsslab/engine/simulation.hpp"
#include "sim_process.hpp"
#include "tcp_connection.hpp"

namespace nsslab::engine {

Host::Host(Network& network, std::uint32_t id, std::string name, std::vector<IpAddress> addresses)
    : network_(network),
      id_(id),
      name_(std::move(name)),
      addresses_(std::move(addresses)),
      anchor_(network.simulation().now()),
      rng_(network.simulation().rng("host/" + name_)) {}

Host::~Host() {
    connections_.clear();
    processes_.clear();
    retired_.clear();
}

Simulation& Host::simulation() {
    return network_.simulation();
}

bool Host::owns(IpAddress const& address) const {
    for (auto const& a : addresses_)
        if (a == address)
            return true;
    return false;
}

IpAddress Host::primary_address(IpAddress::Family family) const {
    for (auto const& a : addresses_)
        if (a.family() == family)
            return a;
    return addresses_.empty() ? IpAddress{} : addresses_.front();
}

void Host::trace(Event event) {
    simulation().trace(name_, std::move(event));
}

// --- processes -------------------------------------------------------------------------

runtime::Runtime& Host::spawn(std::string process_name, AppFactory factory) {
    NSSLAB_ASSERT(process_runtime(process_name) == nullptr, "duplicate process name on host");
    specs_.push_back(Spec{std::move(process_name), std::move(factory)});
    start_process(specs_.back());
    return *processes_.back();
}

void Host::start_process(Spec const& spec) {
    processes_.push_back(std::make_unique<SimProcess>(*this, spec.name));
    trace(Event("process.start").with("process", spec.name));
    if (state_ != State::down)
        processes_.back()->start(spec.factory);
}

void Host::stop_process(std::string_view process_name) {
    std::erase_if(specs_, [&](Spec const& s) { return s.name == process_name; });
    for (auto it = processes_.begin(); it != processes_.end(); ++it) {
        if ((*it)->name() != process_name)
            continue;
        trace(Event("process.stop").with("process", std::string(process_name)));
        SimProcess* stopped = it->get();
        stopped->stop();
        // Handshakes still in progress towards its listeners are reset.
        std::vector<TcpConnection*> orphans;
        for (auto& [key, conn] : connections_)
            if (conn->listener_owner == stopped && conn->owner == nullptr)
                orphans.push_back(conn.get());
        for (TcpConnection* conn : orphans)
            conn->app_abort();
        // Events already scheduled may still name the process: it is kept, inert, until the
        // host goes away (a crash drops those events through the epoch instead).
        retired_.push_back(std::move(*it));
        processes_.erase(it);
        return;
    }
}

runtime::Application* Host::application(std::string_view process_name) {
    for (auto& p : processes_)
        if (p->name() == process_name)
            return p->app();
    return nullptr;
}

runtime::Runtime* Host::process_runtime(std::string_view process_name) {
    for (auto& p : processes_)
        if (p->name() == process_name)
            return p.get();
    return nullptr;
}

std::vector<std::string> Host::process_names() const {
    std::vector<std::string> out;
    for (auto const& p : processes_)
        out.push_back(p->name());
    return out;
}

// --- faults ------------------------------------------------------------------------------

void Host::crash(bool peers_see_reset) {
    if (state_ == State::down)
        return;
    trace(Event("host.crash").with("peers_see_reset", peers_see_reset));
    // Resets go out in connection order, before the host disappears.
    while (!connections_.empty()) {
        TcpConnection& conn = *connections_.begin()->second;
        if (peers_see_reset && conn.state != TcpConnection::State::time_wait)
            conn.host_reset();
        else
            remove_connection(conn);
    }
    for (auto& p : processes_)
        p->kill();
    processes_.clear();
    paused_work_.clear();
    state_ = State::down;
    ++epoch_;
}

void Host::restart() {
    if (state_ != State::down)
        return;
    state_ = State::up;
    trace(Event("host.restart"));
    std::vector<Spec> specs = specs_;
    for (auto const& spec : specs)
        start_process(spec);
}

void Host::pause() {
    if (state_ != State::up)
        return;
    state_ = State::paused;
    trace(Event("host.pause"));
}

void Host::resume() {
    if (state_ != State::paused)
        return;
    state_ = State::up;
    trace(Event("host.resume").with("queued", paused_work_.size()));
    auto work = std::move(paused_work_);
    paused_work_.clear();
    std::uint64_t epoch = epoch_;
    for (auto& fn : work)
        simulation().schedule_at(simulation().now(), [this, epoch, fn = std::move(fn)] {
            if (epoch == epoch_ && state_ == State::up)
                fn();
        });
    for (auto& p : processes_)
        p->on_resume();
}

void Host::schedule_guarded(Duration delay, std::function<void()> fn) {
    std::uint64_t epoch = epoch_;
    simulation().schedule_in(delay, [this, epoch, fn = std::move(fn)]() mutable {
        if (epoch != epoch_ || state_ == State::down)
            return;
        if (state_ == State::paused) {
            if (paused_work_.size() < paused_work_limit_)
                paused_work_.push_back(std::move(fn));
            else
                trace(Event("host.paused_queue_full"));
            return;
        }
        fn();
    });
}

// --- clock -------------------------------------------------------------------------------

namespace {
Duration drift_of(Duration since_anchor, double drift_ppm) {
    return Duration{static_cast<std::int64_t>(
        std::llround(static_cast<double>(since_anchor.count()) * drift_ppm / 1e6))};
}
}  // namespace

TimePoint Host::local_now() const {
    TimePoint t = network_.simulation().now();
    return t + offset_ + drift_of(t - anchor_, drift_ppm_);
}

Duration Host::offset_now() const {
    return local_now() - network_.simulation().now();
}

void Host::set_clock(Duration offset, double drift_ppm) {
    offset_ = offset;
    drift_ppm_ = drift_ppm;
    anchor_ = simulation().now();
    trace(Event("host.clock").with("offset", format_seconds(offset)).with("drift_ppm", drift_ppm));
    for (auto& p : processes_)
        p->on_clock_changed();
}

TimePoint Host::virtual_time_for(TimePoint local) const {
    TimePoint now = network_.simulation().now();
    if (local <= local_now())
        return now;
    double factor = 1.0 + drift_ppm_ / 1e6;
    double since_anchor = static_cast<double>((local - offset_ - anchor_).count()) / factor;
    TimePoint t = anchor_ + Duration{static_cast<std::int64_t>(std::ceil(since_anchor))};
    if (t < now)
        t = now;
    // Rounding: step forward until this host's clock has reached `local`.
    for (int i = 0; i < 4 && t + offset_ + drift_of(t - anchor_, drift_ppm_) < local; ++i)
        t += Duration{1};
    return t;
}

// --- packets -------------------------------------------------------------------------------

void Host::transmit(PacketRecord packet) {
    network_.transmit(*this, std::move(packet));
}

void Host::receive(PacketRecord packet) {
    if (state_ == State::down) {
        trace(Event("net.drop")
                  .with("reason", "host down")
                  .with("src", packet.src.to_string())
                  .with("dst", packet.dst.to_string()));
        return;
    }
    if (state_ == State::paused) {
        if (paused_work_.size() >= paused_work_limit_) {
            trace(Event("net.drop")
                      .with("reason", "paused host queue full")
                      .with("src", packet.src.to_string()));
            return;
        }
        paused_work_.push_back([this, p = std::move(packet)]() mutable { deliver(std::move(p)); });
        return;
    }
    deliver(std::move(packet));
}

void Host::deliver(PacketRecord packet) {
    if (packet.transport == Transport::udp)
        receive_udp(packet);
    else
        receive_tcp(packet);
}

void Host::receive_udp(PacketRecord& packet) {
    SimProcess* wildcard_owner = nullptr;
    runtime::SocketId wildcard_id = 0;
    for (auto& p : processes_) {
        if (!p->alive())
            continue;
        for (auto const& [id, sock] : p->sockets()) {
            if (sock.kind != SimProcess::Socket::Kind::datagram ||
                sock.local.port != packet.dst.port)
                continue;
            if (sock.local.address == packet.dst.address) {
                p->app()->on_datagram(id, packet.dst, packet.src, packet.payload, local_now());
                return;
            }
            if (sock.local.address.is_unspecified() &&
                sock.local.address.family() == packet.dst.address.family() &&
                wildcard_owner == nullptr) {
                wildcard_owner = p.get();
                wildcard_id = id;
            }
        }
    }
    if (wildcard_owner != nullptr) {
        wildcard_owner->app()->on_datagram(wildcard_id, packet.dst, packet.src, packet.payload,
                                           local_now());
        return;
    }
    trace(Event("net.drop")
              .with("reason", "no socket")
              .with("proto", "udp")
              .with("dst", packet.dst.to_string()));
}

TcpConnection* Host::find_connection(ConnKey const& key) {
    auto it = connections_.find(key);
    return it == connections_.end() ? nullptr : it->second.get();
}

TcpConnection* Host::find_connection(ConnKey const& key, std::uint64_t serial) {
    TcpConnection* conn = find_connection(key);
    return conn != nullptr && conn->serial == serial ? conn : nullptr;
}

void Host::remove_connection(TcpConnection& conn) {
    if (conn.owner != nullptr)
        conn.owner->forget(conn.id);
    connections_.erase(ConnKey{conn.local, conn.remote});
}

void Host::receive_tcp(PacketRecord& packet) {
    ConnKey key{packet.dst, packet.src};
    if (TcpConnection* conn = find_connection(key)) {
        conn->on_segment(packet);
        return;
    }
    bool syn_only = (packet.flags & tcp_flags::syn) != 0 && (packet.flags & tcp_flags::ack) == 0;
    if (syn_only) {
        for (auto& p : processes_) {
            if (!p->alive())
                continue;
            for (auto& [id, sock] : p->sockets()) {
                if (sock.kind != SimProcess::Socket::Kind::listener ||
                    sock.local.port != packet.dst.port)
                    continue;
                bool match = sock.local.address == packet.dst.address ||
                             (sock.local.address.is_unspecified() &&
                              sock.local.address.family() == packet.dst.address.family());
                if (!match)
                    continue;
                if (sock.pending_accepts >= network_.tcp_params().accept_backlog) {
                    trace(Event("tcp.backlog_full").with("listener", sock.local.to_string()));
                    return;  // SYN dropped; the client retransmits
                }
                auto iss = static_cast<std::uint32_t>(rng_.next_u64());
                auto conn = std::make_unique<TcpConnection>(*this, packet.dst, packet.src,
                                                            next_conn_serial_++, iss);
                conn->listener_owner = p.get();
                conn->listener_id = id;
                p->socket(id)->pending_accepts++;
                TcpConnection& ref = *conn;
                connections_.emplace(key, std::move(conn));
                ref.open_passive(packet);
                return;
            }
        }
    }
    if ((packet.flags & tcp_flags::rst) == 0)
        send_reset_for(packet);
}

void Host::send_reset_for(PacketRecord const& segment) {
    PacketRecord rst;
    rst.transport = Transport::tcp;
    rst.src = segment.dst;
    rst.dst = segment.src;
    rst.window = 0;
    if ((segment.flags & tcp_flags::ack) != 0) {
        rst.seq = segment.ack;
        rst.flags = tcp_flags::rst;
    } else {
        std::uint32_t len = static_cast<std::uint32_t>(segment.payload.size());
        if ((segment.flags & tcp_flags::syn) != 0)
            ++len;
        if ((segment.flags & tcp_flags::fin) != 0)
            ++len;
        rst.seq = 0;
        rst.ack = segment.seq + len;
        rst.flags = tcp_flags::rst | tcp_flags::ack;
    }
    transmit(std::move(rst));
}

bool Host::port_in_use(Transport transport, Endpoint const& local) const {
    for (auto const& p : processes_) {
        for (auto const& [id, sock] : p->sockets()) {
            bool tcp_kind = sock.kind != SimProcess::Socket::Kind::datagram;
            if (tcp_kind != (transport == Transport::tcp) || sock.local.port != local.port)
                continue;
            if (sock.local.address.family() != local.address.family())
                continue;
            if (sock.local.address == local.address || sock.local.address.is_unspecified() ||
                local.address.is_unspecified())
                return true;
        }
    }
    if (transport == Transport::tcp)
        for (auto const& [key, conn] : connections_)
            if (key.first.port == local.port &&
                (key.first.address == local.address || local.address.is_unspecified()))
                return true;
    return false;
}

std::uint16_t Host::ephemeral_port(Transport transport, IpAddress const& local) {
    // Linux's default ephemeral range; the start is drawn from the host's stream.
    constexpr std::uint32_t low = 32768, count = 28232;
    auto start = static_cast<std::uint32_t>(rng_.below(count));
    for (std::uint32_t i = 0; i < count; ++i) {
        auto port = static_cast<std::uint16_t>(low + (start + i) % count);
        if (!port_in_use(transport, Endpoint{local, port}))
            return port;
    }
    return 0;
}

}  // namespace nsslab::engine
