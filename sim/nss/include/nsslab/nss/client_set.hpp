// The set of IKED's NSS clients, one NssClient per NssStackConfig (zos-nss-facts.md §1.3).
//
// MODIFY IKED,REFRESH at this level: a stack whose NssStackConfig was removed is stopped and
// dropped (its connection closed, pending requests complete with internal_error); an added
// stack gets a new client that starts connecting; a changed one reconnects (NssClient::refresh).
// Connection ids are partitioned per client (ClientSet gives each client its own range), so a
// driver routes every input with route(conn). Same core contract as NssClient (DESIGN.md §3).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nsslab/nss/nss_client.hpp"

namespace nsslab::nss {

class NssClientSet {
  public:
    // `options` is the template for every client (first_conn_id is assigned per client).
    NssClientSet(std::string system_name, ClientTlsPolicy tls, crypto::LibContext& ctx,
                 NssClientOptions options = {});

    // Creates, refreshes or removes clients so that they match `config.nss_stacks`; clients
    // that are new are started when the set is started. Returns the stack names whose client
    // was added, changed or removed. Errors: invalid_argument (NssStackConfig without server).
    Result<std::vector<std::string>> apply(zos::IkedConfig const& config, TimePoint now);
    void start(TimePoint now);
    void stop(TimePoint now);

    // The client of a stack (case-insensitive), or null.
    NssClient* client(std::string_view stack_name);
    // The client owning a connection id, or null (e.g. a removed stack's connection).
    NssClient* route(ConnId conn);

    // Outputs of all clients, in stack-name order.
    std::optional<ClientAction> poll_action();
    std::optional<Event> poll_event();  // events carry the "stack" field
    std::optional<std::pair<std::string, Completion>> poll_completion();
    std::optional<TimePoint> next_timeout() const;
    void handle_timeout(TimePoint now);

    // One StackDisplay per NSS stack, in stack-name order (ipsec -w; add StackDisplay::not_nss
    // for the system's other stacks).
    std::vector<StackDisplay> snapshots() const;
    std::size_t size() const { return clients_.size(); }

    // Connection ids per client.
    static constexpr ConnId conn_range = ConnId{1} << 32;

  private:
    struct Entry {
        std::unique_ptr<NssClient> client;
        ConnId first_conn{0};
    };
    std::string system_name_;
    ClientTlsPolicy tls_;
    crypto::LibContext* ctx_;
    NssClientOptions options_;
    bool started_{false};
    ConnId next_range_{1};
    std::map<std::string, Entry> clients_;             // key: upper-case stack name
    std::vector<std::unique_ptr<NssClient>> retired_;  // removed; drained until quiet
};

}  // namespace nsslab::nss
