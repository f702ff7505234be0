// The IKE daemon (IKED) as an Application, built from parts (docs/architecture.md "IKED"):
//   IkedStack      per TCP/IP stack defined as an NSS client (NssStackConfig): its NssClient
//                  core with its driver adapter, the route of its certificate-service answers
//                  back to whoever asked, and its TCP/IP stack model (iked_stack.hpp)
//   StackModels    the system's TCP/IP stack models, given in IkedOptions (stack_models.hpp)
//   console        the operator commands, parsed (console.hpp); executed here
//   local_ipsec    the local ipsec commands on the stack models (local_ipsec.cpp)
// It reads iked.conf from the node's file system at start and on MODIFY IKED,REFRESH (facts
// §1.3: an added NssStackConfig opens a connection, a removed one closes it, a changed one
// reconnects). Its sockets and its one deadline belong to the stacks' drivers
// (runtime::DrivenApplication).
//
// Operator commands (their immediate output is returned to the caller):
//   MODIFY IKED,REFRESH[,FILE=name]            (FILE=: /etc/security/name becomes iked.conf)
//   ipsec -w display                           (EZB.NETMGMT.sys.sys.IKED.DISPLAY, facts §9)
//   nss sign <stack> <label> <scheme> <hex>    a signature from the stack's NSS certificate
//                                              service; the answer follows as operator output
// Local ipsec commands on IKED's own system (local_ipsec.cpp, docs/nss-client.md §10), on the
// stack models; each checks EZB.IPSECCMD.<sys>.<stack>.DISPLAY|CONTROL (facts §3) and is traced
// as "iked.local_ipsec":
//   ipsec [-p <stack>] -f display|default|reload     (default/reload: the stack's marker file)
//   ipsec [-p <stack>] -k display | -y display
//   ipsec [-p <stack>] -y activate|deactivate|refresh <id> | -k deactivate|refresh <id>
//   ipsec [-p <stack>] -t <src> <dst> <proto> <srcport> <dstport> [in|out]   traffic test
//   sa add <stack> ike <local> <peer>                 record an SA as an IKE negotiation would
//   sa add <stack> ipsec <local> <peer> <rule> [<ike id>]   (stand-in until the IKE engine)
// IKEv2 (ike_stack.hpp): each stack with an IKE policy (IkedOptions::ike_policies) has an IKE
// endpoint on UDP ike_port of its rules' local addresses; `ipsec -y activate <name>` with the
// name of a KeyExchangeRule or of a dynamic-VPN filter rule (no tunnel of that ID) starts a
// negotiation, `ipsec -k deactivate <K id>` of a negotiated IKE SA deletes it (INFORMATIONAL).
// Certificate-service outcomes are traced as "iked.nss_completion" (stack, handle, result,
// reason, attempts): exactly one per request, then given to the requester. An operator's
// `nss sign` gets its answer as "operator.output" lines and "operator.result" (the shape of
// NSSD's remote commands).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/iked/console.hpp"
#include "nsslab/iked/ike_stack.hpp"
#include "nsslab/iked/iked_stack.hpp"
#include "nsslab/iked/stack_management.hpp"
#include "nsslab/iked/stack_models.hpp"
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
    // The system's TCP/IP stack models (outlive IKED restarts); null: none.
    std::shared_ptr<StackModels> models;
    // The IKE policy of each stack that negotiates IKEv2 (the KeyExchangePolicy of the stack's
    // Policy Agent file), by stack name in upper case: one IKE endpoint each (ike_stack.hpp).
    std::map<std::string, zos::IkePolicy> ike_policies;
    // The UDP port IKE uses on every stack address (IBM: 500; a real daemon on loopback may
    // use another, the same on both sides).
    std::uint16_t ike_port{500};
};

struct OperatorReply {
    bool ok{false};
    std::vector<std::string> lines;
    bool pending{false};  // more output follows (nss sign: the answer)
};

class IkedDaemon final : public runtime::DrivenApplication {
  public:
    IkedDaemon(runtime::Runtime& rt, IkedOptions options, crypto::LibContext& lib);
    ~IkedDaemon() override;

    void on_start(TimePoint now) override;
    void on_stop(TimePoint now) override;

    OperatorReply operator_command(std::string_view requester, std::string_view command,
                                   TimePoint now);

    // The NSS client of a stack (any case), or null.
    nss::NssClient const* client(std::string_view stack_name) const;
    std::vector<std::string> stack_names() const;
    // Requests a signature from the stack's NSS certificate service; the outcome is traced and
    // given to `requester`. nullopt when the stack is not an NSS client.
    std::optional<nss::RequestHandle> sign(std::string_view stack_name, std::string label,
                                           wire_nss::SignatureScheme scheme, Bytes data,
                                           TimePoint now, IkedStack::Requester requester = nullptr);
    // The stack model of a stack (remote management and the local ipsec commands act on it),
    // instead of the one from IkedOptions::models. Must outlive the daemon or be replaced first.
    void set_managed_stack(std::string_view stack_name, StackManagement* stack);
    // The IKE endpoint of a stack (any case), or null.
    IkeStack* ike_stack(std::string_view stack_name);

  private:
    Result<zos::IkedConfig> load_config();
    Result<void> apply_config(zos::IkedConfig config, TimePoint now);
    nss::NssClientOptions client_options(zos::NssStackConfig const& stack, std::uint64_t index);
    StackManagement* model_for(std::string const& stack_name, TimePoint now);
    IkedStack* stack(std::string_view stack_name);
    void drain(TimePoint now);
    void start_ike(TimePoint now);
    OperatorReply refresh(RefreshCommand const& command, TimePoint now);
    OperatorReply nss_display(std::string_view requester, TimePoint now);
    OperatorReply nss_sign(std::string_view command_text, NssSignCommand command, TimePoint now);
    OperatorReply local_ipsec(std::string_view requester, LocalIpsecCommand const& command,
                              TimePoint now);
    OperatorReply add_sa(std::vector<std::string> const& words, TimePoint now);
    // The TCP/IP stack models the local ipsec commands act on: those given with
    // set_managed_stack and the system's (IkedOptions::models), NSS client or not.
    zos::TcpipStack* local_model(std::string const& stack_name) const;
    std::vector<std::string> local_model_names() const;

    runtime::Runtime& rt_;
    IkedOptions options_;
    crypto::LibContext& lib_;
    tls::ContextCache tls_contexts_;  // one SSL_CTX for all stacks (before stacks_: outlives them)
    std::optional<zos::IkedConfig> config_;
    std::map<std::string, std::unique_ptr<IkedStack>> stacks_;
    std::uint64_t next_index_{1};
    std::map<std::string, StackManagement*> attached_;             // set_managed_stack
    std::map<std::string, std::unique_ptr<IkeStack>> ike_stacks_;  // after stacks_: goes first
};

}  // namespace nsslab::iked
