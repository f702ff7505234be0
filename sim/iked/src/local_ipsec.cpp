// IKED's local ipsec commands on its own system (iked_daemon.hpp): `ipsec -f default|reload|
// display`, `-k|-y display`, SA activate/deactivate/refresh and the traffic test `-t`, on the
// TCP/IP stack models attached with set_managed_stack(name, StackManagement*). Facts §3 (the
// EZB.IPSECCMD.<sys>.<stack>.DISPLAY|CONTROL split), §5 (-f default keeps SAs but they cannot be
// used, -f reload restores them; the marker file is DESIGN.md §6). Output shapes:
// docs/tcpip-stack.md; the traffic test follows IBM's `ipsec -t` example (facts §5 area,
// "Verifying filter action"), with nsslab's Usable field. docs/nss-client.md §10.
#include <sstream>

#include "nsslab/base/text.hpp"
#include "nsslab/iked/iked_daemon.hpp"
#include "nsslab/zos/ipsec_display.hpp"

namespace nsslab::iked {
namespace {

// "Name:" padded to column 32, then the value (the display layout of docs/tcpip-stack.md).
std::string field(std::string_view name, std::string_view value) {
    std::string out(name);
    out += ':';
    if (out.size() < 32)
        out.append(32 - out.size(), ' ');
    out += value;
    return out;
}

std::optional<std::uint8_t> protocol_from(std::string_view text) {
    std::string p = ascii_lower(text);
    if (p == "tcp")
        return zos::ip_protocol_tcp;
    if (p == "udp")
        return zos::ip_protocol_udp;
    if (p == "icmp")
        return zos::ip_protocol_icmp;
    if (p.empty() || p.find_first_not_of("0123456789") != std::string::npos || p.size() > 3)
        return std::nullopt;
    int n = std::stoi(p);
    if (n > 255)
        return std::nullopt;
    return static_cast<std::uint8_t>(n);
}

std::optional<std::uint16_t> port_from(std::string_view text) {
    if (text.empty() || text.size() > 5 ||
        text.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    int n = std::stoi(std::string(text));
    if (n > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(n);
}

}  // namespace

OperatorReply IkedDaemon::local_ipsec(std::string_view requester, LocalIpsecCommand const& command,
                                      TimePoint now) {
    OperatorReply reply;
    std::vector<std::string> const& w = command.words;
    std::string stack_name = command.stack;
    std::string const option = w.size() > 1 ? w[1] : "";
    std::string const function = option == "-t" || w.size() < 3 ? "" : ascii_lower(w[2]);
    std::string const shown = "ipsec " + option + (function.empty() ? "" : " " + function);
    auto answer = [&](bool ok, std::vector<std::string> lines, std::string const& stack,
                      zos::TcpipStack const* model) {
        Event ev("iked.local_ipsec");
        ev.with("stack", stack)
            .with("user", ascii_upper(requester))
            .with("command", shown)
            .with("ok", ok);
        if (model != nullptr)
            ev.with("source", zos::to_string(model->active_source()))
                .with("marker", model->marker_path())
                .with("marker_present", model->marker_present());
        if (!ok && !lines.empty())
            ev.with("reason", lines.front());
        rt_.emit(std::move(ev));
        reply.ok = ok;
        reply.lines = std::move(lines);
        return reply;
    };

    // The stack: -p, or the only stack model IKED has (emulation: no TCPIPJOBNAME default).
    if (stack_name.empty()) {
        std::vector<std::string> const modelled = local_model_names();
        if (modelled.size() != 1)
            return answer(false,
                          {"ipsec: specify the stack with -p stackname (" +
                           std::to_string(modelled.size()) + " stacks with a policy model)"},
                          "", nullptr);
        stack_name = modelled.front();
    }
    zos::TcpipStack* model = local_model(stack_name);
    if (model == nullptr)
        return answer(false, {"ipsec: stack " + stack_name + " has no IP filter policy model"},
                      stack_name, nullptr);
    zos::TcpipStack& stack = *model;

    auto profile = zos::ipseccmd_profile(options_.system_name, stack_name, option, function);
    if (!profile)
        return answer(false, {"ipsec: unsupported option: " + profile.error().message}, stack_name,
                      &stack);
    if (options_.racf == nullptr)
        return answer(false, {"no local RACF: " + *profile + " cannot be checked"}, stack_name,
                      &stack);
    auto decision = options_.racf->check(requester, "SERVAUTH", *profile, zos::RacfAccess::read);
    if (!decision.allowed)
        return answer(
            false,
            {"NSL0001I Not authorized: " + ascii_upper(requester) + " lacks READ to " + *profile},
            stack_name, &stack);

    auto result = [&](zos::ManagementResult r) {
        if (!r.ok)
            return answer(false, {r.reason}, stack_name, &stack);
        return answer(true, std::move(r.lines), stack_name, &stack);
    };
    std::string const target = w.size() > 3 ? w[3] : "";
    if (option == "-f" && function == "display")
        return answer(true, stack.display_filters(now), stack_name, &stack);
    if (option == "-f" && function == "default")
        return result(stack.policy_default(now));
    if (option == "-f" && function == "reload")
        return result(stack.policy_reload(now));
    if (option == "-k" && function == "display")
        return answer(true, stack.display_ike_sas(now), stack_name, &stack);
    if (option == "-y" && function == "display")
        return answer(true, stack.display_ipsec_sas(now), stack_name, &stack);
    if ((option == "-y" || option == "-k") && !target.empty()) {
        IkeStack* ike = ike_stack(stack_name);
        if (ike != nullptr && option == "-y" && function == "activate" &&
            !stack.find_sa(target, now)) {
            // Command-line activation of a dynamic tunnel: IKEv2 negotiates it.
            auto sa = ike->activate(target, now);
            if (!sa)
                return answer(false, {sa.error().message}, stack_name, &stack);
            return answer(true, {"Activation of " + target + " started"}, stack_name, &stack);
        }
        if (ike != nullptr && (function == "deactivate" || function == "refresh")) {
            auto const what = function == "deactivate" ? IkeStack::TunnelCommand::deactivate
                                                       : IkeStack::TunnelCommand::refresh;
            auto negotiated = ike->tunnel_command(what, target, now);
            if (!negotiated)
                return answer(false, {negotiated.error().message}, stack_name, &stack);
            if (*negotiated)
                return answer(
                    true,
                    {(function == "deactivate" ? "Deactivation of tunnel " : "Refresh of tunnel ") +
                     target + " started"},
                    stack_name, &stack);
        }
        if (function == "activate")
            return result(stack.activate_sa(target, now));
        if (function == "deactivate")
            return result(stack.deactivate_sa(target, now));
        if (function == "refresh")
            return result(stack.refresh_sa(target, now));
    }
    if (option == "-t" && (w.size() == 7 || w.size() == 8)) {
        auto src = IpAddress::parse(w[2]);
        auto dst = IpAddress::parse(w[3]);
        auto proto = protocol_from(w[4]);
        auto sport = port_from(w[5]);
        auto dport = port_from(w[6]);
        std::string dir = w.size() == 8 ? ascii_lower(w[7]) : "out";
        if (src && dst && proto && sport && dport && (dir == "in" || dir == "out")) {
            zos::PacketTuple packet;
            packet.source = *src;
            packet.destination = *dst;
            packet.protocol = *proto;
            packet.source_port = *sport;
            packet.destination_port = *dport;
            packet.direction =
                dir == "in" ? zos::PacketDirection::inbound : zos::PacketDirection::outbound;
            zos::StackDecision d = stack.decide(packet, now);
            bool const ipsec = d.action == zos::FilterAction::ipsec;
            std::vector<std::string> lines;
            lines.push_back("CS " + stack.config().release + " ipsec Stack Name: " + stack_name +
                            "  " + zos::format_ipsec_header_date(now));
            lines.push_back("Primary: IP Traffic Test  Function: Display  Format: Detail");
            lines.push_back("Source: " + std::string(zos::to_string(d.source)) +
                            "  Scope: n/a  TotAvail: 1");
            lines.push_back("TestData: " + w[2] + " " + w[3] + " " + ascii_lower(w[4]) + " " +
                            w[5] + " " + w[6] + " " + dir);
            lines.push_back("");
            lines.push_back(field("FilterName", d.rule_name));
            lines.push_back(field("VpnActionName", ipsec ? d.action_name : "n/a"));
            lines.push_back(field("TunnelID", ipsec && d.sa_usable ? d.sa_id : "n/a"));
            lines.push_back(field("Action", zos::to_string(d.action)));
            lines.push_back(field("Usable", ipsec ? (d.sa_usable ? "Yes" : "No") : "n/a"));
            lines.push_back(field("Logging", d.log ? "All" : "None"));
            return answer(true, std::move(lines), stack_name, &stack);
        }
    }
    return answer(false, {"ipsec: unsupported command: " + shown}, stack_name, &stack);
}

OperatorReply IkedDaemon::add_sa(std::vector<std::string> const& w, TimePoint now) {
    OperatorReply reply;
    auto usage = [&](std::string why) {
        reply.ok = false;
        reply.lines = {why,
                       "usage: sa add <stack> ike <local> <peer> | sa add <stack> ipsec "
                       "<local> <peer> <rule> [<ike id>]"};
        return reply;
    };
    if (w.size() < 6)
        return usage("sa add: missing arguments");
    zos::TcpipStack* model = local_model(ascii_upper(w[2]));
    if (model == nullptr)
        return usage("sa add: stack " + ascii_upper(w[2]) + " has no IP filter policy model");
    std::string const kind = ascii_lower(w[3]);
    auto local = IpAddress::parse(w[4]);
    auto peer = IpAddress::parse(w[5]);
    if (!local || !peer)
        return usage("sa add: bad address");
    zos::SaSpec spec;
    spec.local = *local;
    spec.peer = *peer;
    Result<std::string> id = fail(Errc::invalid_argument, "sa add: kind must be ike or ipsec");
    if (kind == "ike" && w.size() == 6) {
        id = model->add_ike_sa(spec, now);
    } else if (kind == "ipsec" && (w.size() == 7 || w.size() == 8)) {
        spec.rule_name = w[6];
        spec.parent_id = w.size() == 8 ? w[7] : "";
        id = model->add_ipsec_sa(spec, now);
    }
    if (!id)
        return usage(id.error().message);
    rt_.emit(Event("iked.sa_added")
                 .with("stack", ascii_upper(w[2]))
                 .with("id", *id)
                 .with("kind", kind)
                 .with("rule", spec.rule_name));
    reply.ok = true;
    reply.lines = {"SA " + *id + " added"};
    return reply;
}

}  // namespace nsslab::iked
