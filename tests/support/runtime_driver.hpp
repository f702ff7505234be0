// A test driver for the runtime contract suite (tests/runtime_contract/, docs/runtime.md):
// one abstract interface over the real runtime (asio) and the simulation engine (sim), so the
// same tests check that both keep the contract of nsslab/runtime/runtime.hpp.
//
// Drivers register themselves by name, at static-initialisation time, from a source file
// compiled into the test executable:
//
//     // tests/support/sim_driver.cpp or tests/runtime_contract/sim_driver.cpp
//     NSSLAB_REGISTER_RUNTIME_DRIVER(sim, [] { return std::make_unique<SimDriver>(); });
//
// The contract suite is instantiated once per registered driver (test names end in /<name>).
// Files named tests/support/*_driver.cpp are compiled into the contract test, not into the
// nsslab_test_support library, so the linker never drops their registration.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/base/trace.hpp"
#include "nsslab/runtime/runtime.hpp"

namespace nsslab::test {

class RuntimeDriver {
  public:
    virtual ~RuntimeDriver();

    // The addresses of host `host_index` (0, 1, ...), at least two, all IPv4: applications
    // attached to that host bind and are reached there. asio: 127.0.0.1 and 127.0.0.2 for
    // every host (any 127/8 address is loopback).
    virtual std::vector<IpAddress> host_addresses(int host_index) = 0;
    // The first of host_addresses(host_index).
    IpAddress host_address(int host_index) { return host_addresses(host_index).front(); }
    // An address no host owns: binding it, or connecting from it, fails.
    virtual IpAddress foreign_address() = 0;
    // Adds node `node_name` on host `host_index`, its application built by `factory` (and
    // owned by the driver), and returns its Runtime. on_start runs from the loop (possibly
    // only once run_until or advance is called), never from inside attach().
    virtual runtime::Runtime& attach(int host_index, std::string node_name,
                                     runtime::AppFactory factory) = 0;
    // Runs the driver until done() is true or `limit` (virtual time for sim, wall time for
    // asio) has passed. Returns done().
    virtual bool run_until(std::function<bool()> done, Duration limit) = 0;
    // Runs for `d` (virtual, or real time with the loop running).
    virtual void advance(Duration d) = 0;
    // Every record emitted by attached nodes, in order.
    virtual MemoryTrace const& trace() const = 0;
};

using RuntimeDriverFactory = std::function<std::unique_ptr<RuntimeDriver>()>;

struct RuntimeDriverEntry {
    std::string name;  // a C identifier: it becomes part of GoogleTest names
    RuntimeDriverFactory make;
};

// GoogleTest prints a test's parameter with this.
inline void PrintTo(RuntimeDriverEntry const& entry, std::ostream* os) {
    *os << entry.name;
}

// Adds a driver; returns true so that it can initialise a namespace-scope constant.
bool register_runtime_driver(std::string name, RuntimeDriverFactory make);
// All registered drivers, sorted by name.
std::vector<RuntimeDriverEntry> runtime_drivers();

}  // namespace nsslab::test

#define NSSLAB_RUNTIME_DRIVER_CAT2(a, b) a##b
#define NSSLAB_RUNTIME_DRIVER_CAT(a, b) NSSLAB_RUNTIME_DRIVER_CAT2(a, b)
// NSSLAB_REGISTER_RUNTIME_DRIVER(name, factory): `name` is an identifier, `factory` anything
// convertible to RuntimeDriverFactory.
#define NSSLAB_REGISTER_RUNTIME_DRIVER(name, ...)                                                \
    [[maybe_unused]] static bool const NSSLAB_RUNTIME_DRIVER_CAT(nsslab_runtime_driver_, name) = \
        ::nsslab::test::register_runtime_driver(#name, __VA_ARGS__)
