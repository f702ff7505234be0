// ipsec displays and the EZB.IPSECCMD option split (ipsec_display.hpp).
#include "nsslab/zos/ipsec_display.hpp"

#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>

#include "nsslab/base/text.hpp"

namespace nsslab::zos {

std::string_view to_string(IpsecCmdAccess access) {
    return access == IpsecCmdAccess::display ? "DISPLAY" : "CONTROL";
}

Result<IpsecCmdAccess> ipseccmd_access(std::string_view option, std::string_view function) {
    std::string const f = ascii_lower(function);
    auto const bad = [&]() -> Result<IpsecCmdAccess> {
        return fail(Errc::invalid_argument,
                    "ipsec: option " + std::string(option) +
                        (function.empty() ? std::string(" without a function")
                                          : " " + std::string(function)) +
                        " is not one governed by EZB.IPSECCMD");
    };
    if (option == "-t" || option == "-i" || option == "-o")
        return f.empty() ? Result<IpsecCmdAccess>(IpsecCmdAccess::display) : bad();
    if (f == "display" &&
        (option == "-f" || option == "-F" || option == "-m" || option == "-k" || option == "-y"))
        return IpsecCmdAccess::display;
    bool control = false;
    if (option == "-f")
        control = f == "default" || f == "reload";
    else if (option == "-F")
        control = f == "add" || f == "delete" || f == "update";
    else if (option == "-m")
        control = f == "activate" || f == "deactivate";
    else if (option == "-k")
        control = f == "deactivate" || f == "refresh";
    else if (option == "-y")
        control = f == "activate" || f == "deactivate" || f == "refresh";
    if (control)
        return IpsecCmdAccess::control;
    return bad();
}

Result<std::string> ipseccmd_profile(std::string_view system_name, std::string_view stack_name,
                                     std::string_view option, std::string_view function) {
    if (system_name.empty() || stack_name.empty())
        return fail(Errc::invalid_argument, "ipsec: system and stack names are required");
    auto access = ipseccmd_access(option, function);
    if (!access)
        return access.error();
    return "EZB.IPSECCMD." + ascii_upper(system_name) + "." + ascii_upper(stack_name) + "." +
           std::string(to_string(*access));
}

IpsecCmdAccess management_access(ManagementCommand command) {
    switch (command) {
        case ManagementCommand::display_filters:
        case ManagementCommand::display_ike_sas:
        case ManagementCommand::display_ipsec_sas:
            return IpsecCmdAccess::display;
        default:
            return IpsecCmdAccess::control;
    }
}

std::string format_ipsec_header_date(TimePoint t) {
    using namespace std::chrono;
    auto const secs = floor<seconds>(t.time_since_epoch());
    sys_days const day{floor<days>(secs)};
    year_month_day const ymd{day};
    weekday const wd{day};
    hh_mm_ss const tod{secs - floor<days>(secs)};
    static constexpr std::array<char const*, 7> wdays{"Sun", "Mon", "Tue", "Wed",
                                                      "Thu", "Fri", "Sat"};
    static constexpr std::array<char const*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s %s %2u %02lld:%02lld:%02lld %04d", wdays[wd.c_encoding()],
                  months[static_cast<unsigned>(ymd.month()) - 1], static_cast<unsigned>(ymd.day()),
                  static_cast<long long>(tod.hours().count()),
                  static_cast<long long>(tod.minutes().count()),
                  static_cast<long long>(tod.seconds().count()), static_cast<int>(ymd.year()));
    return buf;
}

namespace {

constexpr std::size_t field_width = 32;  // value column, as in the ipsec -w emulation
constexpr std::string_view separator =
    "****************************************************************************";

void field(std::vector<std::string>& out, std::string_view name, std::string_view value) {
    std::string l(name);
    l += ':';
    l.append(l.size() < field_width ? field_width - l.size() : 1, ' ');
    l += value;
    out.push_back(std::move(l));
}

void header_lines(std::vector<std::string>& out, IpsecDisplayHeader const& h,
                  std::string_view primary, std::string_view source, std::size_t total) {
    out.push_back("CS " + h.release + " ipsec " + h.name_label + ": " + h.name + "  " +
                  format_ipsec_header_date(h.now));
    out.push_back("Primary: " + std::string(primary) + "  Function: Display  Format: Detail");
    out.push_back("Source: " + std::string(source) +
                  "  Scope: Current  TotAvail: " + std::to_string(total));
}

void entry_start(std::vector<std::string>& out, std::size_t index) {
    if (index > 0)
        out.emplace_back(separator);
    out.emplace_back();
}

std::string address_text(AddressMatch const& a) {
    switch (a.kind) {
        case AddressMatch::Kind::all:
            if (!a.family)
                return "All";
            return *a.family == IpAddress::Family::v4 ? "0.0.0.0/0" : "::/0";
        case AddressMatch::Kind::single:
            return a.first.to_string();
        case AddressMatch::Kind::prefix:
            return a.first.to_string() + "/" + std::to_string(a.prefix_length);
        case AddressMatch::Kind::range:
            return a.first.to_string() + "-" + a.last.to_string();
    }
    return "?";
}

std::string protocol_text(std::optional<std::uint8_t> protocol) {
    if (!protocol)
        return "All";
    char const* name = nullptr;
    switch (*protocol) {
        case ip_protocol_icmp:
            name = "ICMP";
            break;
        case ip_protocol_igmp:
            name = "IGMP";
            break;
        case ip_protocol_tcp:
            name = "TCP";
            break;
        case ip_protocol_udp:
            name = "UDP";
            break;
        case ip_protocol_icmpv6:
            name = "ICMPv6";
            break;
        case ip_protocol_ospf:
            name = "OSPF";
            break;
        default:
            break;
    }
    std::string const number = std::to_string(static_cast<unsigned>(*protocol));
    return name ? std::string(name) + "(" + number + ")" : number;
}

std::string port_text(std::optional<std::uint8_t> protocol, PortRange const& range) {
    bool const has_ports =
        protocol && (*protocol == ip_protocol_tcp || *protocol == ip_protocol_udp);
    if (!has_ports || range.any())
        return "All";
    if (range.low == range.high)
        return std::to_string(range.low);
    return std::to_string(range.low) + "-" + std::to_string(range.high);
}

std::string_view scope_text(FilterRouting routing) {
    switch (routing) {
        case FilterRouting::local:
            return "Local";
        case FilterRouting::routed:
            return "Routed";
        case FilterRouting::either:
            return "Either";
    }
    return "?";
}

void filter_entry(std::vector<std::string>& out, FilterRule const& r, unsigned extension) {
    field(out, "FilterName", r.name);
    field(out, "FilterNameExtension", std::to_string(extension));
    field(out, "VpnActionName",
          r.action == FilterAction::ipsec && !r.action_name.empty() ? r.action_name : "n/a");
    field(out, "Type", "Generic");
    field(out, "State", "Active");
    field(out, "Action", to_string(r.action));
    field(out, "Scope", scope_text(r.routing));
    field(out, "Direction", to_string(r.direction));
    field(out, "SecurityClass", std::to_string(static_cast<unsigned>(r.security_class)));
    field(out, "Logging", r.log ? "All" : "None");
    field(out, "Protocol", protocol_text(r.protocol));
    field(out, "SourceAddress", address_text(r.source));
    field(out, "SourcePort", port_text(r.protocol, r.source_ports));
    field(out, "DestAddress", address_text(r.destination));
    field(out, "DestPort", port_text(r.protocol, r.destination_ports));
}

}  // namespace

std::vector<std::string> format_filter_display(IpsecDisplayHeader const& header,
                                               FilterPolicySource source,
                                               FilterPolicy const& policy) {
    std::vector<std::string> out;
    header_lines(out, header, "Filter", to_string(source), policy.rules.size() + 1);
    std::map<std::string, unsigned, std::less<>> extensions;
    std::size_t index = 0;
    for (auto const& r : policy.rules) {
        entry_start(out, index++);
        filter_entry(out, r, ++extensions[r.name]);
    }
    FilterRule deny;
    deny.name = policy.implicit_deny_rule_name;
    deny.routing = FilterRouting::either;
    deny.direction = FilterDirection::bidirectional;
    deny.action = FilterAction::deny;
    deny.log = policy.log_implicit_deny;
    entry_start(out, index);
    filter_entry(out, deny, 1);
    return out;
}

std::vector<std::string> format_sa_display(IpsecDisplayHeader const& header, SaKind kind,
                                           std::vector<StackSa> const& sas) {
    std::vector<std::string> out;
    bool const ike = kind == SaKind::ike;
    header_lines(out, header, ike ? "IKE tunnel" : "Dynamic tunnel", ike ? "IKED" : "Stack",
                 sas.size());
    std::size_t index = 0;
    for (auto const& sa : sas) {
        entry_start(out, index++);
        field(out, "TunnelID", sa.id);
        if (!ike)
            field(out, "ParentIKETunnelID", sa.parent_id.empty() ? "n/a" : sa.parent_id);
        field(out, "FilterName", sa.rule_name.empty() ? "n/a" : sa.rule_name);
        if (!ike)
            field(out, "VpnActionName", sa.vpn_action.empty() ? "n/a" : sa.vpn_action);
        field(out, "State", to_string(sa.state));
        field(out, "Usable", sa.usable ? "Yes" : "No");
        field(out, "LocalEndPoint", sa.local.to_string());
        field(out, "RemoteEndPoint", sa.peer.to_string());
        field(out, "ActivationTime", format_zos(sa.activated));
        field(out, "LifetimeExpires", format_zos(sa.expires));
        field(out, "RefreshCount", std::to_string(sa.refreshes));
    }
    return out;
}

}  // namespace nsslab::zos
