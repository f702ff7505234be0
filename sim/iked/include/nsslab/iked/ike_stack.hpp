// One TCP/IP stack's IKEv2 endpoint inside IKED (docs/iked-ike.md): the sans-I/O core
// (sim/ike IkeEndpoint) with its datagram driver on the stack's IKE port, the connections built
// from the stack's IKE policy (ike_connections.hpp), and the glue to the rest of IKED:
//   - a signature or a verification the endpoint asks for goes to the stack's NSS certificate
//     service (IkedStack) when the stack has ServiceType Cert, and is refused with IBM's
//     restriction otherwise (pre-shared keys need no service);
//   - every IKE SA and Child SA the endpoint establishes enters the stack's SA tables
//     (zos::TcpipStack: ipsec -k / -y display), and leaves them when the endpoint removes it;
//   - EZD1751I when an exchange's retransmissions run out.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/ike/endpoint.hpp"
#include "nsslab/iked/ike_connections.hpp"
#include "nsslab/iked/iked_stack.hpp"
#include "nsslab/iked/stack_management.hpp"
#include "nsslab/runtime/driver.hpp"
#include "nsslab/runtime/runtime.hpp"

namespace nsslab::iked {

static_assert(core::DatagramCore<ike::IkeEndpoint>);

struct IkeStackOptions {
    std::string stack_name;   // upper case
    std::uint16_t port{500};  // the IKE port (nsslab: another one for loopback runs)
    ike::IkeOptions ike;      // IkeInitWait / IkeRetries from iked.conf
};

class IkeStack {
  public:
    // The stack's NSS client (null: the stack is not an NSS client now) and its stack model
    // (null: none), looked up at each use since MODIFY IKED,REFRESH may change them.
    using NssLookup = std::function<IkedStack*()>;
    using ModelLookup = std::function<StackManagement*()>;

    IkeStack(runtime::Runtime& rt, runtime::DriverSet& drivers, IkeStackOptions options,
             zos::IkePolicy const& policy, zos::FilterPolicy const* filter_policy,
             crypto::LibContext& lib, NssLookup nss, ModelLookup model);
    ~IkeStack();
    IkeStack(IkeStack const&) = delete;
    IkeStack& operator=(IkeStack const&) = delete;

    // Binds the IKE port on each local address of the connections; traces the rules that could
    // not become connections ("iked.ike_rule_skipped") and the binds that failed.
    void start(TimePoint now);
    // Closes the sockets and removes this stack's SAs from the stack tables.
    void stop(TimePoint now);

    // Command-line activation (ipsec -y activate <name>): starts IKE_SA_INIT for the
    // connection of KeyExchangeRule `name`, or of the KeyExchangeRule whose endpoints are the
    // source and destination addresses of IPSec filter rule `name`.
    Result<ike::SaId> activate(std::string_view name, TimePoint now);
    // ipsec -k|-y deactivate|refresh <tunnel ID> of a negotiated tunnel: deactivate sends the
    // INFORMATIONAL Delete of the IKE SA (K<n>) or of the Child SA (Y<n>); refresh rekeys it
    // (CREATE_CHILD_SA). False when the ID is no tunnel this stack negotiated.
    enum class TunnelCommand : std::uint8_t { deactivate, refresh };
    Result<bool> tunnel_command(TunnelCommand command, std::string_view tunnel_id, TimePoint now);

    std::string const& name() const { return options_.stack_name; }
    ike::IkeEndpoint const& endpoint() const { return *endpoint_; }
    std::vector<Endpoint> bound() const { return driver_.bound(); }
    // The tunnel IDs of an established SA: K<n> and its first Y<n> ("" when not in the table).
    std::pair<std::string, std::string> tunnel_ids(ike::SaId sa) const;
    void drain(TimePoint now) { driver_.drain(now); }

    // The certificate of a local identity on the NSS server's key ring (its label signs).
    struct LocalCertificate {
        std::string label;
        std::vector<Bytes> chain;  // DER, the personal certificate first
    };

  private:
    void request(ike::IkeEndpoint::ServiceRequest request, TimePoint now);
    void sign(std::uint64_t id, IkedStack& nss, LocalCertificate const& local,
              ike::IkeEndpoint::SignRequest const& sign, TimePoint now);
    Result<wire_nss::CertificateIdentity> identity_for(std::string const& key_label) const;
    void observe(Event const& event, TimePoint now);
    struct Tunnels {
        std::string ike;                               // K<n>
        std::size_t connection{0};                     // index in connections_
        std::map<ike::ChildId, std::string> children;  // Y<n> of each Child SA
    };
    void established(Event const& event, ike::SaId sa, TimePoint now);
    void add_child(ike::SaId sa, ike::ChildId child, TimePoint now);
    void remove_child(ike::SaId sa, ike::ChildId child, TimePoint now);
    bool move_child(ike::SaId sa, ike::ChildId from, ike::ChildId to);
    void forget(ike::SaId sa, TimePoint now);
    void table_error(ike::SaId sa, Error const& error);
    StackManagement* model() const;
    static std::string tunnels_ids_text(Tunnels const& tunnels);
    std::optional<std::pair<ike::SaId, ike::ChildId>> find_tunnel(std::string_view id) const;
    std::optional<std::uint32_t> spi_in(ike::SaId sa, ike::ChildId child) const;
    void console(std::string msgid, std::string text);
    std::optional<std::size_t> connection_index(std::string_view name) const;

    runtime::Runtime& rt_;
    IkeStackOptions options_;
    IkeConnections connections_;
    NssLookup nss_;
    ModelLookup model_;
    std::unique_ptr<ike::IkeEndpoint> endpoint_;
    runtime::DatagramDriver<ike::IkeEndpoint> driver_;
    std::map<ike::SaId, Tunnels> tunnels_;
    // The certificates found on the NSS server's key ring, by local identity ("fqdn:..."): at
    // most one per connection.
    std::map<std::string, LocalCertificate> labels_;
};

}  // namespace nsslab::iked
