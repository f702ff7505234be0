// IP filter policy of a z/OS TCP/IP stack: the rules, the packet decision, and two parsers.
//
// - parse_filter_policy: a documented subset of Policy Agent's IP security policy file
//   (IpFilterPolicy, IpFilterRule with IpService blocks, IpGenericFilterAction, IpDynVpnAction).
//   Its FilterPolicy has source stack_policy ("Source: Stack Policy" in `ipsec -f display`).
// - parse_default_filter_policy: the PROFILE.TCPIP `IPSEC ... ENDIPSEC` block (IPSECRULE /
//   IPSEC6RULE) that makes the stack's default IP filter policy, in effect when no IP security
//   policy is loaded or after `ipsec -f default` ("Source: Stack Profile"); its rules are named
//   SYSDEFAULTRULE.n and everything else is denied by SYSDEFAULTDENYRULE.
//
// Facts: zos-nss-facts.md §5 (default policy, rule names, the NSS rule
// `IPSECRule * * LOG TCP SRCPort 4159 DESTport *`). Grammar subset, defaults and matching rules:
// docs/config-files.md "IP filter policy". Rules are tried in order; the first match decides; a
// packet that matches none is denied by the implicit last rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/zos/config_lexer.hpp"

namespace nsslab::zos {

enum class FilterAction : std::uint8_t { permit, deny, ipsec };
std::string_view to_string(FilterAction action);  // "Permit", "Deny", "IPSec"

// Direction of an IpService (a rule); Bidirectional rules are written from the outbound point of
// view (source = local) and match inbound packets with source and destination swapped.
enum class FilterDirection : std::uint8_t { inbound, outbound, bidirectional };
std::string_view to_string(FilterDirection direction);  // "Inbound", "Outbound", "Bidirectional"

enum class PacketDirection : std::uint8_t { inbound, outbound };

// Routing Local|Routed|Either: whether the rule covers traffic of this host or forwarded traffic.
enum class FilterRouting : std::uint8_t { local, routed, either };

inline constexpr std::uint8_t ip_protocol_icmp = 1;
inline constexpr std::uint8_t ip_protocol_igmp = 2;
inline constexpr std::uint8_t ip_protocol_tcp = 6;
inline constexpr std::uint8_t ip_protocol_udp = 17;
inline constexpr std::uint8_t ip_protocol_icmpv6 = 58;
inline constexpr std::uint8_t ip_protocol_ospf = 89;

// An address specification: All (any family, or one family for PROFILE.TCPIP `*`), a single
// address, prefix/len, or an inclusive range first-last. Single and prefix are stored as ranges.
struct AddressMatch {
    enum class Kind : std::uint8_t { all, single, prefix, range };
    Kind kind{Kind::all};
    std::optional<IpAddress::Family> family;  // kind all: restrict to one family when set
    IpAddress first;
    IpAddress last;
    unsigned prefix_length{0};  // kind prefix
    std::string text;           // as coded

    static AddressMatch all(std::optional<IpAddress::Family> family = std::nullopt);
    // "All", "9.1.1.1", "9.1.1.0/24", "fd00::/64", "9.1.1.1-9.1.1.9". Host bits of a prefix are
    // ignored (9.1.1.7/24 means 9.1.1.0/24).
    static Result<AddressMatch> parse(std::string_view text);
    bool matches(IpAddress const& address) const;
    std::optional<IpAddress::Family> address_family() const;
};

struct PortRange {
    std::uint16_t low{0};
    std::uint16_t high{65535};

    bool any() const { return low == 0 && high == 65535; }
    bool contains(std::uint16_t port) const { return port >= low && port <= high; }
    bool operator==(PortRange const&) const = default;
};

struct FilterRule {
    std::string name;  // IpFilterRule name, or SYSDEFAULTRULE.n
    AddressMatch source;
    AddressMatch destination;
    std::optional<std::uint8_t> protocol;  // std::nullopt: All
    PortRange source_ports;                // only for TCP and UDP
    PortRange destination_ports;
    FilterDirection direction{FilterDirection::bidirectional};
    FilterRouting routing{FilterRouting::local};
    std::uint8_t security_class{0};  // 0: any (stored, not matched)
    FilterAction action{FilterAction::deny};
    std::string action_name;  // IpGenericFilterAction or IpDynVpnAction name (policy files)
    bool log{false};
    SourceLocation where;
};

// What the stack asks about one packet.
struct PacketTuple {
    IpAddress source;
    IpAddress destination;
    std::uint8_t protocol{ip_protocol_udp};
    std::uint16_t source_port{0};  // ignored unless TCP or UDP
    std::uint16_t destination_port{0};
    PacketDirection direction{PacketDirection::outbound};
    bool routed{false};  // forwarded traffic rather than this host's own
};

struct FilterDecision {
    FilterAction action{FilterAction::deny};
    std::string rule_name;    // the first matching rule, or the implicit deny rule's name
    std::string action_name;  // the rule's action name (IpDynVpnAction for ipsec), may be empty
    bool log{false};
    bool implicit_deny{false};  // no rule matched

    bool operator==(FilterDecision const&) const = default;
};

// Where the policy came from, as `ipsec -f display` prints it ("Source:").
enum class FilterPolicySource : std::uint8_t { stack_profile, stack_policy };
std::string_view to_string(FilterPolicySource source);  // "Stack Profile", "Stack Policy"

inline constexpr std::string_view default_policy_deny_rule_name = "SYSDEFAULTDENYRULE";
// Emulation choice (docs/config-files.md): name of the implicit deny-all rule ending a policy file.
inline constexpr std::string_view policy_implicit_deny_rule_name = "~IMPLICIT_DENY";

struct FilterPolicy {
    FilterPolicySource source{FilterPolicySource::stack_profile};
    std::vector<FilterRule> rules;  // in order; the first match wins
    std::string implicit_deny_rule_name{default_policy_deny_rule_name};
    bool log_implicit_deny{true};

    // The decision for one packet: the first rule that matches it, else the implicit deny.
    FilterDecision decide(PacketTuple const& packet) const;
    // Whether `rule` alone matches `packet` (direction, routing, addresses, protocol, ports).
    static bool rule_matches(FilterRule const& rule, PacketTuple const& packet);
};

struct FilterPolicyParseOptions {
    std::string file_name{"policy.conf"};
    ConfigLimits limits;
};

// Policy Agent IP security policy file (subset); errors as for parse_iked_conf.
Result<FilterPolicy> parse_filter_policy(std::string_view text,
                                         FilterPolicyParseOptions const& options = {},
                                         std::vector<Diagnostic>* diagnostics = nullptr);

// PROFILE.TCPIP: reads the IPSEC ... ENDIPSEC block and ignores every other statement. A profile
// without an IPSEC block gives a policy that denies everything (SYSDEFAULTDENYRULE).
Result<FilterPolicy> parse_default_filter_policy(std::string_view text,
                                                 FilterPolicyParseOptions const& options = {},
                                                 std::vector<Diagnostic>* diagnostics = nullptr);

}  // namespace nsslab::zos
