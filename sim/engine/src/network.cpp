#include "nsslab/engine/network.hpp"

#include <cmath>

#include "nsslab/engine/host.hpp"
#include "nsslab/engine/simulation.hpp"

namespace nsslab::engine {

struct Network::LinkState {
    explicit LinkState(Rng r) : rng(r) {}
    std::optional<LinkParams> params;  // unset: the network default (or loopback)
    TimePoint busy_until{};
    TimePoint clogged_until{};
    bool blocked{false};
    Rng rng;
};

Duration DelayDistribution::sample(Rng& rng) const {
    switch (kind) {
        case Kind::fixed:
            return a;
        case Kind::uniform: {
            if (b <= a)
                return a;
            auto span = static_cast<std::uint64_t>((b - a).count()) + 1;
            return a + Duration{static_cast<std::int64_t>(rng.below(span))};
        }
        case Kind::normal: {
            // Box-Muller; deterministic because the stream is.
            double u1 = rng.unit();
            double u2 = rng.unit();
            if (u1 < 1e-300)
                u1 = 1e-300;
            double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
            double ns = static_cast<double>(a.count()) + z * static_cast<double>(b.count());
            return Duration{ns < 0 ? 0 : static_cast<std::int64_t>(ns)};
        }
        case Kind::exponential: {
            double u = rng.unit();
            double ns = -std::log(1.0 - u) * static_cast<double>(b.count());
            return a + Duration{static_cast<std::int64_t>(ns)};
        }
    }
    return a;
}

Network::Network(Simulation& sim) : sim_(sim) {}
Network::~Network() = default;

Host& Network::add_host(std::string name, std::vector<IpAddress> addresses) {
    NSSLAB_ASSERT(find_host(name) == nullptr, "duplicate host name");
    for (auto const& a : addresses)
        NSSLAB_ASSERT(by_address_.count(a) == 0, "address already in use");
    auto id = static_cast<std::uint32_t>(hosts_.size());
    hosts_.push_back(std::make_unique<Host>(*this, id, std::move(name), addresses));
    Host& host = *hosts_.back();
    for (auto const& a : addresses)
        by_address_[a] = &host;
    return host;
}

Host* Network::find_host(std::string_view name) {
    for (auto& h : hosts_)
        if (h->name() == name)
            return h.get();
    return nullptr;
}

Host* Network::host_by_address(IpAddress const& address) {
    auto it = by_address_.find(address);
    return it == by_address_.end() ? nullptr : it->second;
}

std::vector<Host*> Network::hosts() {
    std::vector<Host*> out;
    for (auto& h : hosts_)
        out.push_back(h.get());
    return out;
}

Network::LinkState& Network::link_state(Host const& from, Host const& to) {
    auto key = std::make_pair(from.id(), to.id());
    auto it = links_.find(key);
    if (it == links_.end()) {
        auto state =
            std::make_unique<LinkState>(sim_.rng("link/" + from.name() + "->" + to.name()));
        it = links_.emplace(key, std::move(state)).first;
    }
    return *it->second;
}

void Network::set_link(Host const& from, Host const& to, LinkParams params) {
    link_state(from, to).params = params;
}

LinkParams const& Network::link(Host const& from, Host const& to) {
    auto& state = link_state(from, to);
    if (state.params)
        return *state.params;
    return from.id() == to.id() ? loopback_link_ : default_link_;
}

void Network::partition(Host const& a, Host const& b, bool one_way) {
    link_state(a, b).blocked = true;
    if (!one_way)
        link_state(b, a).blocked = true;
    sim_.trace(
        "network",
        Event("net.partition").with("a", a.name()).with("b", b.name()).with("one_way", one_way));
}

void Network::heal(Host const& a, Host const& b) {
    link_state(a, b).blocked = false;
    link_state(b, a).blocked = false;
    sim_.trace("network", Event("net.heal").with("a", a.name()).with("b", b.name()));
}

void Network::heal_all() {
    for (auto& [key, state] : links_) {
        state->blocked = false;
        state->clogged_until = TimePoint{};
    }
    drop_filters_.clear();
    sim_.trace("network", Event("net.heal_all"));
}

void Network::clog(Host const& from, Host const& to, Duration duration) {
    link_state(from, to).clogged_until = sim_.now() + duration;
    sim_.trace("network", Event("net.clog")
                              .with("from", from.name())
                              .with("to", to.name())
                              .with("for", format_seconds(duration)));
}

void Network::add_drop_filter(std::string name, std::function<bool(PacketRecord const&)> filter) {
    remove_drop_filter(name);
    drop_filters_.emplace_back(std::move(name), std::move(filter));
}

void Network::remove_drop_filter(std::string_view name) {
    std::erase_if(drop_filters_, [&](auto const& f) { return f.first == name; });
}

namespace {
std::size_t ip_length(PacketRecord const& p) {
    std::size_t header = p.dst.address.is_v4() ? 20 : 40;
    std::size_t transport = p.transport == Transport::udp ? 8 : (p.mss != 0 ? 24 : 20);
    return header + transport + p.payload.size();
}
char const* proto_name(Transport t) {
    return t == Transport::tcp ? "tcp" : "udp";
}
}  // namespace

void Network::drop(Host& from, PacketRecord& packet, std::string_view reason) {
    ++packets_dropped_;
    packet.comment = "dropped: " + std::string(reason);
    if (capture_)
        capture_(packet);
    sim_.trace(from.name(), Event("net.drop")
                                .with("reason", reason)
                                .with("proto", proto_name(packet.transport))
                                .with("src", packet.src.to_string())
                                .with("dst", packet.dst.to_string())
                                .with("bytes", packet.payload.size()));
}

void Network::transmit(Host& from, PacketRecord packet) {
    ++packets_sent_;
    packet.time = sim_.now();
    Host* to = host_by_address(packet.dst.address);
    if (to == nullptr)
        return drop(from, packet, "no route");
    LinkState& state = link_state(from, *to);
    LinkParams const& params = link(from, *to);
    if (packet.transport == Transport::udp && ip_length(packet) > params.mtu)
        return drop(from, packet, "exceeds MTU");
    if (state.blocked)
        return drop(from, packet, "partition");
    for (auto const& [name, filter] : drop_filters_)
        if (filter(packet))
            return drop(from, packet, "filter " + name);
    if (state.rng.chance(params.loss))
        return drop(from, packet, "loss");

    if (capture_)
        capture_(packet);
    TimePoint at = sim_.now();
    if (params.rate_bps > 0) {
        TimePoint start = std::max(at, state.busy_until);
        auto bits = static_cast<std::uint64_t>(ip_length(packet) + 14) * 8;
        state.busy_until =
            start + Duration{static_cast<std::int64_t>(bits * 1'000'000'000ULL / params.rate_bps)};
        at = state.busy_until;
    }
    at += params.delay.sample(state.rng);
    if (state.rng.chance(params.reorder))
        at += params.reorder_delay;
    if (at < state.clogged_until)
        at = state.clogged_until;
    bool duplicate = state.rng.chance(params.duplicate);
    if (duplicate) {
        PacketRecord copy = packet;
        sim_.schedule_at(at + std::chrono::microseconds(1),
                         [to, p = std::move(copy)]() mutable { to->receive(std::move(p)); });
    }
    sim_.schedule_at(at, [to, p = std::move(packet)]() mutable { to->receive(std::move(p)); });
}

}  // namespace nsslab::engine
