// The z/OS `ipsec` command's displays and local authorization, for the TCP/IP stack model
// (tcpip_stack.hpp).
//
// - Local authorization: which SERVAUTH profile EZB.IPSECCMD.<sysname>.<stackname>.DISPLAY|CONTROL
//   an `ipsec` option needs (zos-nss-facts.md §3, "Local ipsec option split"); the caller checks it
//   against RACF. The remote EZB.NETMGMT.<sys>.<client>.IPSEC.DISPLAY|CONTROL split is inferred to
//   be the same (facts §3) and given for ManagementCommand.
// - Displays: `ipsec -f display` (header "Source: Stack Profile" / "Source: Stack Policy", facts
// §5),
//   `ipsec -k display` (IKE SAs) and `ipsec -y display` (IPsec SAs). IBM's exact columns for these
//   displays are not in the facts file: the shape follows the known `ipsec -w` display (facts §9:
//   "CS VxRy ipsec ..." header, "Name: value" lines, `*` separator lines) and the field set is an
//   emulation, documented in docs/tcpip-stack.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/zos/filter_policy.hpp"
#include "nsslab/zos/tcpip_stack.hpp"

namespace nsslab::zos {

enum class IpsecCmdAccess : std::uint8_t { display, control };
std::string_view to_string(IpsecCmdAccess access);  // "DISPLAY", "CONTROL"

// Which access an `ipsec` option needs. `option` is the flag as typed, case-sensitive ("-f" and
// "-F" differ); `function` its first argument (display, default, reload, add, delete, update,
// activate, deactivate, refresh; case-insensitive), empty for -t, -i and -o.
// DISPLAY: -f|-F|-m|-k|-y display, -t, -i, -o. CONTROL: -f default|reload, -F add|delete|update,
// -m activate|deactivate, -k deactivate|refresh, -y activate|deactivate|refresh.
// Errc::invalid_argument for any other combination.
Result<IpsecCmdAccess> ipseccmd_access(std::string_view option, std::string_view function);

// "EZB.IPSECCMD.<SYSNAME>.<STACKNAME>.DISPLAY|CONTROL" (names upper-cased) for that option.
Result<std::string> ipseccmd_profile(std::string_view system_name, std::string_view stack_name,
                                     std::string_view option, std::string_view function);

// The access a remote-management command needs (displays: DISPLAY, the others: CONTROL).
IpsecCmdAccess management_access(ManagementCommand command);

// "Thu Nov 26 23:40:00 2026": the date in the display headers (as in the ipsec -w emulation).
std::string format_ipsec_header_date(TimePoint t);

struct IpsecDisplayHeader {
    std::string release{"V2R4"};
    std::string name_label{"Stack Name"};  // "NSS Client Name" for ipsec -z displays
    std::string name;
    TimePoint now{};
};

// ipsec -f display: every filter of `policy` in order, then the implicit deny rule.
// `source` is printed as "Source: Stack Profile|Stack Policy".
std::vector<std::string> format_filter_display(IpsecDisplayHeader const& header,
                                               FilterPolicySource source,
                                               FilterPolicy const& policy);

// ipsec -k display (kind ike) / ipsec -y display (kind ipsec): the SAs given, in order.
std::vector<std::string> format_sa_display(IpsecDisplayHeader const& header, SaKind kind,
                                           std::vector<StackSa> const& sas);

}  // namespace nsslab::zos
