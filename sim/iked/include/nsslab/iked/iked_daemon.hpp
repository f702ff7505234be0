// The IKE daemon (IKED) as an Application, NSS side: one sans-I/O NssClient per stack defined
// as an NSS client (NssStackConfig), all driven by one runtime. It reads iked.conf from the
// node's file system at start and on `MODIFY IKED,REFRESH` (facts §1.3: an added
// NssStackConfig opens a connection, a removed one closes it, a changed one reconnects),
// maps each client's connections to runtime streams, drains the cores after every input and
// keeps one deadline for all of them.
//
// Operator and test entry points (their output is returned to the caller):
//   MODIFY IKED,REFRESH
//   ipsec -w display                           (EZB.NETMGMT.sys.sys.IKED.DISPLAY, facts §9)
//   nss sign <stack> <label> <scheme> <hex>    ask the NSS certificate service for a signature
// Local ipsec commands on IKED's own system (local_ipsec.cpp, docs/nss-client.md §10), on the
// TCP/IP stack models attached with set_managed_stack(name, StackManagement*); each checks
// EZB.IPSECCMD.<sys>.<stack>.DISPLAY|CONTROL (facts §3) and is traced as "iked.local_ipsec":
//   ipsec [-p <stack>] -f display|default|reload     (default/reload: the stack's marker file)
//   ipsec [-p <stack>] -k display | -y display
//   ipsec [-p <stack>] -y activate|deactivate|refresh <id> | -k deactivate|refresh <id>
//   ipsec [-p <stack>] -t <src> <dst> <proto> <srcport> <dstport> [in|out]   traffic test
//   sa add <stack> ike <local> <peer>                 record an SA as an IKE negotiation would
//   sa add <stack> ipsec <local> <peer> <rule> [<ike id>]   (stand-in until the IKE engine)
// Certificate-service outcomes are traced as "iked.nss_completion" (stack, handle, result,
// reason, attempts): exactly one per request.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/iked/stack_management.hpp"
#include "nsslab/nss/nss_client.hpp"
#include "nsslab/runtime/driver.hpp"
#include "nsslab/runtime/runtime.hpp"
#include "nsslab/zos/iked_conf.hpp"
#include "nsslab/zos/racf.hpp"

namespace nsslab::iked {

struct IkedOptions {
    std::string system_name{"SYSTEMA"};
    std::string config_path{"/etc/security/iked.conf"};  // in the node's file system
    nss::ClientTlsPolicy tls;                            // IKED's key ring CA certificates
    nss::NssClientOptions client;                        // per stack (conn ids are assigned here)
    // IKED's local RACF (PTKTDATA key for AuthBy PassTicket; EZB.NETMGMT...IKED.DISPLAY).
    zos::RacfDatabase* racf{nullptr};
};

struct OperatorReply {
    bool ok{false};
    std::vector<std::string> lines;
};

class IkedDaemon final : public runtime::DrivenApplication {
  public:
    IkedDaemon(runtime::Runtime& rt, IkedOptions options, crypto::LibContext& lib);
    ~IkedDaemon() override;

    void on_start(TimePoint now) override;
    void on_stop(TimePoint now) override;

    OperatorReply operator_command(std::string_view requester, std::string_view command,
                                   TimePoint now);

    // The NSS client of a stack (upper-case stack name), or null.
    nss::NssClient* client(std::string_view stack_name);
    std::vector<std::string> stack_names() const;
    // Requests a signature from the stack's NSS certificate service; outcome traced.
    std::optional<nss::RequestHandle> sign(std::string_view stack_name, std::string label,
                                           wire_nss::SignatureScheme scheme, Bytes data,
                                           TimePoint now);
    void set_managed_stack(std::string_view stack_name, nss::ManagedStack* stack);
    // The same for a stack model: remote management (ipsec -z through NSS) and the local ipsec
    // commands both act on it. The stack must outlive the daemon or be replaced first.
    void set_managed_stack(std::string_view stack_name, StackManagement* stack);

  private:
    struct Stack {
        std::unique_ptr<nss::NssClient> client;
        std::unique_ptr<runtime::StreamDriver<nss::NssClient>> driver;
        std::uint64_t index{0};
    };
    Result<zos::IkedConfig> load_config();
    Result<void> apply_config(zos::IkedConfig config, TimePoint now);
    Result<std::unique_ptr<nss::NssClient>> make_client(zos::IkeConfig const& ike,
                                                        zos::NssStackConfig const& stack,
                                                        std::uint64_t index);
    void attach_driver(std::string const& name, Stack& stack);
    void drain(TimePoint now);
    OperatorReply local_ipsec(std::string_view requester, std::vector<std::string> words,
                              TimePoint now);
    OperatorReply add_sa(std::vector<std::string> const& words, TimePoint now);

    runtime::Runtime& rt_;
    IkedOptions options_;
    crypto::LibContext& lib_;
    tls::ContextCache tls_contexts_;  // one SSL_CTX for all stacks (before stacks_: outlives them)
    std::optional<zos::IkedConfig> config_;
    std::map<std::string, Stack> stacks_;
    std::uint64_t next_index_{1};
    std::map<std::string, nss::ManagedStack*> managed_;
    std::map<std::string, zos::TcpipStack*> local_stacks_;  // for the local ipsec commands
};

}  // namespace nsslab::iked
