// The z/OS TCP/IP stack model: which IP filter policy is in force, the marker file that says so,
// the SA table (IKE and IPsec SAs), packet decisions, and the operator/remote-management commands
// (`ipsec -f default|reload|display`, `-k display`, `-y display|activate|deactivate|refresh`).
//
// Facts: zos-nss-facts.md §5 (`ipsec -f default` / `-f reload`, "Source: Stack Profile" vs
// "Source: Stack Policy", SAs survive `-f default` but cannot be used, deleted only if their rules
// were removed or changed while the default policy was in effect; SYSDEFAULTRULE.n /
// SYSDEFAULTDENYRULE). Emulation choices: DESIGN.md §6 "Marker file" and docs/tcpip-stack.md:
// - the marker file is one per stack in the node's runtime::FileSystem (default path
//   /var/iked/<stack>.defaultpolicy); present = the default IP filter policy is in effect. The
//   local commands and the NSS remote-management entry point (execute) create/delete the same file;
// - the stack reads the marker on every call, so a creation or deletion made by someone else is
//   honoured at the next call (and leaving the default policy that way prunes SAs like a reload);
// - without a loaded IPsec filter policy (no Policy Agent policy) the default policy is in effect
//   whatever the marker says.
//
// Single-threaded, no clock: every call that depends on time takes `now`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/runtime/file_system.hpp"
#include "nsslab/zos/filter_policy.hpp"

namespace nsslab::zos {

// The default marker path for a stack: "/var/iked/<stack>.defaultpolicy" (choice; IBM's is unknown,
// facts §5 "Marker file: NOT FOUND").
std::string default_marker_path(std::string_view stack_name);

enum class SaKind : std::uint8_t { ike, ipsec };
std::string_view to_string(SaKind kind);  // "IKE", "IPsec"

// Stored state of an SA. `expired` is set when `now` reaches the SA's expiry.
enum class SaState : std::uint8_t { active, inactive, expired };
std::string_view to_string(SaState state);  // "Active", "Inactive", "Expired"

// One row of the SA table. Ids are IBM-style tunnel ids: "K<n>" for IKE SAs, "Y<n>" for IPsec SAs
// (dynamic tunnels), numbered from 1 per kind, never reused by one stack.
struct StackSa {
    SaKind kind{SaKind::ipsec};
    std::string id;
    std::string parent_id;  // IPsec SA: the IKE SA that negotiated it ("" when none)
    IpAddress local;
    IpAddress peer;
    std::string rule_name;   // the filter rule it serves ("" for an IKE SA not tied to a rule)
    std::string vpn_action;  // IpDynVpnAction name (IPsec SAs; may be empty)
    SaState state{SaState::active};
    TimePoint activated;  // last activation or refresh
    TimePoint expires;    // activated + lifetime
    Duration lifetime{};
    std::uint32_t refreshes{0};
    // Computed by the stack when read: active, not expired and the IPsec filter policy in effect.
    bool usable{false};
    // The filters of rule_name when the SA was created (its rule "as negotiated"). The SA is
    // deleted when the IPsec filter policy in effect no longer has exactly these filters.
    std::vector<FilterRule> rule_snapshot;
};

// What IKED (or a test) asks the stack to record after a negotiation.
struct SaSpec {
    IpAddress local;
    IpAddress peer;
    std::string rule_name;   // IPsec SA: required, must be an IPSec rule of the IPsec policy
    std::string parent_id;   // IPsec SA: optional IKE SA id ("K<n>"), must exist
    std::string vpn_action;  // IPsec SA: defaults to the rule's action name
    Duration lifetime{std::chrono::hours{1}};
};

// The stack's answer for one packet.
struct StackDecision {
    FilterAction action{FilterAction::deny};
    std::string rule_name;  // SYSDEFAULTRULE.n / SYSDEFAULTDENYRULE under the default policy
    std::string action_name;
    bool log{false};
    bool implicit_deny{false};
    FilterPolicySource source{FilterPolicySource::stack_profile};
    // action ipsec only: an SA serving the rule exists and is usable (then sa_id names it; the
    // first usable one in id order). With no usable SA the packet cannot be sent protected.
    bool sa_usable{false};
    std::string sa_id;
};

// Remote-management commands (the daemon maps nsslab::wire_nss::MgmtCommand onto these one to
// one; zos does not depend on wire_nss, DESIGN.md §2).
enum class ManagementCommand : std::uint8_t {
    display_filters,    // ipsec -f display
    display_ike_sas,    // ipsec -k display
    display_ipsec_sas,  // ipsec -y display
    activate_sa,        // ipsec -y activate <id>
    deactivate_sa,      // ipsec -y deactivate <id> / ipsec -k deactivate <id>
    refresh_sa,         // ipsec -y refresh <id> / ipsec -k refresh <id>
    policy_default,     // ipsec -f default  (creates the marker file)
    policy_reload,      // ipsec -f reload   (deletes the marker file)
};
std::string_view to_string(ManagementCommand command);  // "display_filters", ...

// The outcome of one command: ok with the lines ipsec would print, or not ok with a reason
// (code tells the caller what kind of failure it was, for mapping to a wire result code).
struct ManagementResult {
    bool ok{true};
    Errc code{Errc::invalid_argument};  // meaningful only when !ok
    std::string reason;
    std::vector<std::string> lines;
};

struct TcpipStackConfig {
    std::string system_name{"SYSTEMA"};
    std::string stack_name{"STACK1"};
    // ipsec -z headers print "NSS Client Name: <this>"; default systemname_stackname.
    std::string nss_client_name;
    std::string marker_path;      // default: default_marker_path(stack_name)
    std::string release{"V2R4"};  // "CS V2R4 ipsec ..." in display headers
    std::size_t max_sas{4096};    // IKE + IPsec SAs together
};

class TcpipStack {
  public:
    // `file_system` is the node's z/OS UNIX file system; it must outlive the stack. The stack does
    // not touch the marker on construction (a marker left by an earlier run stays in force).
    TcpipStack(TcpipStackConfig config, FilterPolicy default_policy,
               runtime::FileSystem& file_system);

    std::string const& name() const { return config_.stack_name; }
    std::string const& system_name() const { return config_.system_name; }
    std::string const& nss_client_name() const { return config_.nss_client_name; }
    std::string const& marker_path() const { return config_.marker_path; }
    TcpipStackConfig const& config() const { return config_; }

    // Policy Agent installs (or refreshes) the IPsec filter policy. While the IPsec policy is in
    // effect, SAs whose rule was removed or changed are deleted at once; while the default policy
    // is in effect they are kept until policy_reload() (facts §5).
    void set_ipsec_policy(FilterPolicy policy, TimePoint now);
    void clear_ipsec_policy(TimePoint now);  // Policy Agent stopped: the default policy applies
    bool has_ipsec_policy() const { return ipsec_policy_.has_value(); }
    FilterPolicy const& default_policy() const { return default_policy_; }
    std::optional<FilterPolicy> const& ipsec_policy() const { return ipsec_policy_; }

    bool marker_present() const;
    // stack_profile when the marker exists or no IPsec policy is loaded; else stack_policy.
    FilterPolicySource active_source() const;
    FilterPolicy const& active_policy() const;

    // ipsec -f default: creates the marker (idempotent). SAs are kept but become unusable.
    // Fails only when the file system refuses the write.
    ManagementResult policy_default(TimePoint now);
    // ipsec -f reload: deletes the marker (idempotent), deletes SAs whose rule changed or was
    // removed, the others become usable again. Fails (marker untouched) without an IPsec policy.
    ManagementResult policy_reload(TimePoint now);

    // The active policy's decision; for an IPSec rule, whether a usable SA serves it.
    StackDecision decide(PacketTuple const& packet, TimePoint now);

    // --- SA table ---------------------------------------------------------------------------
    // Records a negotiated SA (state active, expires now + lifetime) and returns its id.
    // Errors: state_error under the default policy (IPsec SAs), not_found for an unknown rule or
    // parent, invalid_argument for a rule that is not IPSec or a non-positive lifetime,
    // limit_exceeded beyond max_sas.
    Result<std::string> add_ike_sa(SaSpec const& spec, TimePoint now);
    Result<std::string> add_ipsec_sa(SaSpec const& spec, TimePoint now);
    // Deletes an SA (IKE delete, or IKED forgets it); an IKE SA takes its IPsec SAs with it.
    Result<void> remove_sa(std::string_view id, TimePoint now);
    // A copy with state and usable brought up to `now`; nullopt for an unknown id.
    std::optional<StackSa> find_sa(std::string_view id, TimePoint now);
    std::vector<StackSa> sas(SaKind kind, TimePoint now);  // in id order

    // ipsec -y activate: inactive or expired -> active with a fresh lifetime. IPsec SAs only.
    ManagementResult activate_sa(std::string_view id, TimePoint now);
    // ipsec -y|-k deactivate: active -> inactive (kept in the table). An IKE SA's IPsec SAs are
    // deactivated with it (IKEv2: child SAs do not outlive their IKE SA).
    ManagementResult deactivate_sa(std::string_view id, TimePoint now);
    // ipsec -y|-k refresh: an active SA gets a fresh lifetime (the rekey itself is IKED's job).
    ManagementResult refresh_sa(std::string_view id, TimePoint now);

    // --- displays (z/OS shape, docs/tcpip-stack.md) ----------------------------------------
    std::vector<std::string> display_filters(TimePoint now);    // ipsec -f display
    std::vector<std::string> display_ike_sas(TimePoint now);    // ipsec -k display
    std::vector<std::string> display_ipsec_sas(TimePoint now);  // ipsec -y display

    // NSS remote management (ipsec -z <client> ...): runs one command. `target` is the SA id for
    // activate/deactivate/refresh and must be empty for the others. Displays carry the header
    // "NSS Client Name: <client>" instead of "Stack Name: <stack>".
    ManagementResult execute(ManagementCommand command, std::string_view target, TimePoint now);

  private:
    enum class Origin : std::uint8_t { local, remote };
    // Reads the marker, prunes SAs when the stack has left the default policy since the last call
    // (returns the deleted ids) and marks SAs past their expiry.
    std::vector<std::string> sync(TimePoint now);
    std::vector<std::string> prune_changed_sas();
    bool rule_unchanged(StackSa const& sa) const;
    StackSa* lookup(std::string_view id);
    void mark_usable(StackSa& sa) const;
    Result<std::string> add_sa(SaKind kind, SaSpec const& spec, TimePoint now);
    ManagementResult switch_to_default(TimePoint now, Origin origin);
    ManagementResult switch_to_policy(TimePoint now);
    std::vector<std::string> display(ManagementCommand command, TimePoint now, Origin origin);

    TcpipStackConfig config_;
    FilterPolicy default_policy_;
    std::optional<FilterPolicy> ipsec_policy_;
    runtime::FileSystem* fs_;
    bool last_default_{false};  // the source seen by the last sync()
    std::vector<StackSa> sas_;  // ordered by (kind, number)
    std::uint32_t next_ike_{1};
    std::uint32_t next_ipsec_{1};
};

}  // namespace nsslab::zos
