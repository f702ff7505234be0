// A simulated host (a z/OS system image or a peer): its addresses, its clock (offset and
// drift relative to virtual time), its file system, the processes (Applications) it runs and
// its TCP/UDP endpoints. Faults (DESIGN.md §4): crash (all process state lost, peers see
// resets), restart (processes started afresh from their factories), pause and resume
// (nothing runs; arriving packets and timers wait, bounded), clock offset, drift and jumps.
//
// The file system survives crashes, as a z/OS UNIX file system survives an IPL.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/packet.hpp"
#include "nsslab/base/rng.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/runtime/file_system.hpp"
#include "nsslab/runtime/runtime.hpp"

namespace nsslab::engine {

class Network;
class Simulation;
class SimProcess;
struct TcpConnection;

// The runtime's factory type (runtime::AppFactory), also named here for the engine's users.
using runtime::AppFactory;

class Host {
  public:
    enum class State : std::uint8_t { up, down, paused };

    Host(Network& network, std::uint32_t id, std::string name, std::vector<IpAddress> addresses);
    ~Host();
    Host(Host const&) = delete;
    Host& operator=(Host const&) = delete;

    std::uint32_t id() const { return id_; }
    std::string const& name() const { return name_; }
    std::vector<IpAddress> const& addresses() const { return addresses_; }
    bool owns(IpAddress const& address) const;
    // First address of the given family (for binding wildcard sockets).
    IpAddress primary_address(IpAddress::Family family) const;
    State state() const { return state_; }
    bool is_up() const { return state_ == State::up; }

    // Starts a process now: the factory builds the Application with this host's runtime.
    // The factory is kept so that restart() can start it afresh.
    runtime::Runtime& spawn(std::string process_name, AppFactory factory);
    // Orderly stop: on_stop(), then the process's sockets are closed gracefully and it is
    // removed (it is not restarted by restart()).
    void stop_process(std::string_view process_name);
    runtime::Application* application(std::string_view process_name);
    runtime::Runtime* process_runtime(std::string_view process_name);
    std::vector<std::string> process_names() const;

    // Faults.
    void crash(bool peers_see_reset = true);
    void restart();
    void pause();
    void resume();
    // This host's clock reads virtual time + offset + drift_ppm * (time since now) / 1e6.
    void set_clock(Duration offset, double drift_ppm);
    void jump_clock(Duration delta) { set_clock(offset_now() + delta, drift_ppm_); }
    Duration offset_now() const;
    TimePoint local_now() const;
    // The earliest virtual time at which local_now() >= local.
    TimePoint virtual_time_for(TimePoint local) const;

    runtime::MemoryFileSystem& files() { return files_; }
    Network& network() { return network_; }
    Simulation& simulation();

    // Called by the network when a packet arrives.
    void receive(PacketRecord packet);
    // Runs `fn` after `delay` as work of this host: dropped if the host crashes first, held
    // while the host is paused (and run on resume, in order).
    void schedule_guarded(Duration delay, std::function<void()> fn);

  private:
    friend class SimProcess;
    friend struct TcpConnection;
    struct Spec {
        std::string name;
        AppFactory factory;
    };
    using ConnKey = std::pair<Endpoint, Endpoint>;  // (local, remote)

    void start_process(Spec const& spec);
    void deliver(PacketRecord packet);
    void receive_udp(PacketRecord& packet);
    void receive_tcp(PacketRecord& packet);
    void send_reset_for(PacketRecord const& segment);
    void transmit(PacketRecord packet);
    std::uint16_t ephemeral_port(Transport transport, IpAddress const& local);
    bool port_in_use(Transport transport, Endpoint const& local) const;
    TcpConnection* find_connection(ConnKey const& key);
    // The connection of that key only if it is still the one numbered `serial` (a callback
    // may have closed it and a new one taken the key).
    TcpConnection* find_connection(ConnKey const& key, std::uint64_t serial);
    void remove_connection(TcpConnection& conn);
    void trace(Event event);

    Network& network_;
    std::uint32_t id_;
    std::string name_;
    std::vector<IpAddress> addresses_;
    State state_{State::up};
    std::uint64_t epoch_{0};  // bumped by crash: stale timers of the old incarnation are ignored

    // Clock: local = t + offset_ + (t - anchor_) * drift_ppm_ / 1e6.
    Duration offset_{0};
    double drift_ppm_{0};
    TimePoint anchor_;

    runtime::MemoryFileSystem files_;
    Rng rng_;
    std::vector<Spec> specs_;
    std::vector<std::unique_ptr<SimProcess>> processes_;
    std::vector<std::unique_ptr<SimProcess>> retired_;  // stopped processes (see stop_process)
    std::map<ConnKey, std::unique_ptr<TcpConnection>> connections_;
    std::uint64_t next_conn_serial_{1};
    std::vector<std::function<void()>> paused_work_;
    std::size_t paused_work_limit_{100000};
};

}  // namespace nsslab::engine
