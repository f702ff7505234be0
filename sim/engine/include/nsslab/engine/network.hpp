// The simulated network (DESIGN.md §4): hosts with IPv4/IPv6 addresses joined by directed
// links, each with a delay distribution, loss, duplication, reordering, MTU and rate; plus
// the faults a scenario injects: partitions (symmetric or one-way), clogging for a time and
// named drop filters. Every packet a host transmits is offered to the capture tap (pcapng)
// at transmission time, with a comment when the network then lost it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/packet.hpp"
#include "nsslab/base/rng.hpp"
#include "nsslab/base/time.hpp"

namespace nsslab::engine {

class Simulation;
class Host;

struct DelayDistribution {
    enum class Kind : std::uint8_t {
        fixed,        // a
        uniform,      // uniform in [a, b]
        normal,       // mean a, standard deviation b, never below zero
        exponential,  // a plus an exponential draw with mean b
    };
    Kind kind{Kind::fixed};
    Duration a{std::chrono::microseconds(500)};
    Duration b{0};

    static DelayDistribution fixed(Duration d) { return {Kind::fixed, d, Duration{0}}; }
    static DelayDistribution uniform(Duration lo, Duration hi) { return {Kind::uniform, lo, hi}; }
    static DelayDistribution normal(Duration mean, Duration sd) { return {Kind::normal, mean, sd}; }
    static DelayDistribution exponential(Duration min, Duration mean) {
        return {Kind::exponential, min, mean};
    }
    Duration sample(Rng& rng) const;
};

struct LinkParams {
    DelayDistribution delay{};
    double loss{0};       // probability a packet is lost
    double duplicate{0};  // probability a packet is delivered twice
    double reorder{0};    // probability a packet is held back by reorder_delay
    Duration reorder_delay{std::chrono::milliseconds(5)};
    std::uint32_t mtu{1500};    // bytes of IP packet; larger UDP datagrams are dropped
    std::uint64_t rate_bps{0};  // serialization rate, 0 = unlimited
};

// TCP behaviour of every simulated host (RFC 6298 timers, simplified).
struct TcpParams {
    Duration initial_rto{std::chrono::seconds(1)};
    Duration min_rto{std::chrono::milliseconds(200)};
    Duration max_rto{std::chrono::seconds(60)};
    int syn_retries{3};  // connect gives up after 1+2+4+8 = 15 s by default
    int data_retries{8};
    std::uint32_t window{65535};
    std::size_t send_buffer_limit{8u << 20};
    std::size_t out_of_order_limit{1u << 20};
    // Half-open (SYN received, handshake not complete) connections per listener; a SYN beyond
    // it is dropped (tcp.backlog_full) and the client retransmits. Like Linux's SYN queue
    // (tcp_max_syn_backlog) rather than the accept queue, which is always empty here: the
    // application is given each connection when its handshake completes. 4096 lets a
    // thousand stacks fail over to one NSS server at once (docs/simulation.md "TCP").
    std::size_t accept_backlog{4096};
    Duration time_wait{std::chrono::seconds(60)};
};

class Network {
  public:
    explicit Network(Simulation& sim);
    ~Network();
    Network(Network const&) = delete;
    Network& operator=(Network const&) = delete;

    Simulation& simulation() { return sim_; }

    // Adds a host; its name must be unique and its addresses unused (asserted).
    Host& add_host(std::string name, std::vector<IpAddress> addresses);
    Host* find_host(std::string_view name);
    Host* host_by_address(IpAddress const& address);
    std::vector<Host*> hosts();  // in creation order

    void set_default_link(LinkParams params) { default_link_ = params; }
    void set_loopback_link(LinkParams params) { loopback_link_ = params; }
    // Properties of the directed link from -> to (replaces the default for that pair).
    void set_link(Host const& from, Host const& to, LinkParams params);
    LinkParams const& link(Host const& from, Host const& to);

    TcpParams& tcp_params() { return tcp_; }

    // Partition: packets a -> b (and b -> a unless one_way) are dropped until healed.
    void partition(Host const& a, Host const& b, bool one_way = false);
    void heal(Host const& a, Host const& b);
    void heal_all();
    // Clog: packets from -> to are held (not lost) until now + duration.
    void clog(Host const& from, Host const& to, Duration duration);
    // Drops every packet for which `filter` returns true, until removed.
    void add_drop_filter(std::string name, std::function<bool(PacketRecord const&)> filter);
    void remove_drop_filter(std::string_view name);

    // Capture tap: sees every transmitted packet once, at transmission time.
    void set_capture(std::function<void(PacketRecord const&)> tap) { capture_ = std::move(tap); }

    // Used by hosts: carries a packet to its destination host through the link's faults.
    void transmit(Host& from, PacketRecord packet);

    std::uint64_t packets_sent() const { return packets_sent_; }
    std::uint64_t packets_dropped() const { return packets_dropped_; }

  private:
    struct LinkState;
    LinkState& link_state(Host const& from, Host const& to);
    void drop(Host& from, PacketRecord& packet, std::string_view reason);

    Simulation& sim_;
    std::vector<std::unique_ptr<Host>> hosts_;
    std::map<IpAddress, Host*> by_address_;
    LinkParams default_link_{};
    LinkParams loopback_link_{DelayDistribution::fixed(std::chrono::microseconds(10)),
                              0,
                              0,
                              0,
                              std::chrono::milliseconds(5),
                              65535,
                              0};
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::unique_ptr<LinkState>> links_;
    std::vector<std::pair<std::string, std::function<bool(PacketRecord const&)>>> drop_filters_;
    std::function<void(PacketRecord const&)> capture_;
    TcpParams tcp_{};
    std::uint64_t packets_sent_{0};
    std::uint64_t packets_dropped_{0};
};

}  // namespace nsslab::engine
