// The simulation engine as a driver of the runtime contract suite: each host index is a
// simulated host (10.0.0.<index+1> and 10.0.1.<index+1>) named after the first node attached
// to it; virtual time advances only while the suite runs the driver.
#include <map>

#include "nsslab/engine/host.hpp"
#include "nsslab/engine/network.hpp"
#include "nsslab/engine/simulation.hpp"
#include "support/runtime_driver.hpp"

namespace nsslab::test {
namespace {

class SimDriver final : public RuntimeDriver {
  public:
    SimDriver() : sim_(20260101) { sim_.set_trace(&trace_); }

    std::vector<IpAddress> host_addresses(int host_index) override {
        auto index = static_cast<std::uint32_t>(host_index);
        return {IpAddress::v4(0x0a000001u + index), IpAddress::v4(0x0a000101u + index)};
    }

    IpAddress foreign_address() override { return IpAddress::v4(0xc0000201u); }  // 192.0.2.1

    runtime::Runtime& attach(int host_index, std::string node_name,
                             runtime::AppFactory factory) override {
        auto it = hosts_.find(host_index);
        if (it == hosts_.end())
            it = hosts_
                     .emplace(host_index,
                              &sim_.network().add_host(node_name, host_addresses(host_index)))
                     .first;
        return it->second->spawn(std::move(node_name), std::move(factory));
    }

    bool run_until(std::function<bool()> done, Duration limit) override {
        sim_.run_until(done, sim_.now() + limit);
        return done();
    }

    void advance(Duration d) override { sim_.run_for(d); }

    MemoryTrace const& trace() const override { return trace_; }

  private:
    MemoryTrace trace_;
    engine::Simulation sim_;
    std::map<int, engine::Host*> hosts_;
};

}  // namespace

NSSLAB_REGISTER_RUNTIME_DRIVER(sim, [] {
    return std::make_unique<SimDriver>();
});  // NOLINT(cert-err58-cpp)

}  // namespace nsslab::test
