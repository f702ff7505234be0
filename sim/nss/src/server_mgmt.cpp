// NssServer: the remote management service (zos-nss-facts.md §5): `ipsec -z client <cmd>`
// routed to the client as MgmtRequest after EZB.NETMGMT.sysname.clientname.IPSEC.DISPLAY /
// .CONTROL, ENXIO for a client that is not connected, bounded waiting for MgmtReply; and the
// `nssctl -d` / `ipsec -x` listings (EZB.NETMGMT.sysname.sysname.NSS.DISPLAY).
// docs/nss-server.md "Remote management".
#include <string>

#include "nsslab/base/text.hpp"
#include "nsslab/nss/nss_server.hpp"

namespace nsslab::nss {

namespace wn = wire_nss;

namespace {

bool is_display(wn::MgmtCommand command) {
    return command == wn::MgmtCommand::display_filters ||
           command == wn::MgmtCommand::display_ike_sas ||
           command == wn::MgmtCommand::display_ipsec_sas;
}

std::string service_state(bool requested, bool granted) {
    if (!requested)
        return "No";
    return granted ? "Yes" : "Denied";
}

}  // namespace

MgmtTicket NssServer::request_management(std::string_view requester, std::string_view client_name,
                                         wn::MgmtCommand command, std::string_view target,
                                         TimePoint now) {
    MgmtTicket ticket = next_ticket_++;
    std::string user = ascii_upper(requester);
    std::string client(client_name);
    emit(Event("nssd.mgmt.request")
             .with("ticket", ticket)
             .with("requester", user)
             .with("client", client)
             .with("command", wn::to_string(command))
             .with("target", target));
    PendingMgmt pending;
    pending.ticket = ticket;
    pending.client_name = client;
    pending.command = command;
    auto immediate = [&](wn::ResultCode code, std::string reason) {
        MgmtResult r;
        r.ticket = ticket;
        r.result = code;
        r.reason = std::move(reason);
        finish_mgmt(pending, std::move(r), now);
        return ticket;
    };
    if (client.empty() || client.find('.') != std::string::npos) {
        return immediate(wn::ResultCode::client_not_connected,
                         "ENXIO: no NSS client named '" + client + "'");
    }
    std::string resource = "EZB.NETMGMT." + ascii_upper(options_.system_name) + "." +
                           ascii_upper(client) + ".IPSEC." +
                           (is_display(command) ? "DISPLAY" : "CONTROL");
    auto d = check_servauth(user, resource);
    if (!d.allowed) {
        return immediate(
            wn::ResultCode::not_authorized,
            "EACCES: " + user + " is not authorized to " + d.resource + ": " + d.reason);
    }
    auto it = clients_.find(client);
    Connection* c = it == clients_.end() ? nullptr : find(it->second);
    NSSLAB_ASSERT(it == clients_.end() || (c != nullptr && c->info.registered),
                  "NssServer: a ClientName names a registered, open connection");
    if (c == nullptr) {
        return immediate(wn::ResultCode::client_not_connected,
                         "ENXIO: NSS client " + client + " is not connected");
    }
    if (!c->info.granted.remote_mgmt) {
        return immediate(
            wn::ResultCode::service_not_granted,
            "the remote management service is not " +
                std::string(c->info.requested.remote_mgmt ? "granted to " : "requested by ") +
                client);
    }
    auto netmgmt =
        check_servauth(c->info.user_id, "EZB.NSS." + ascii_upper(options_.system_name) + "." +
                                            ascii_upper(client) + ".IPSEC.NETMGMT");
    if (!netmgmt.allowed) {
        return immediate(wn::ResultCode::service_not_granted,
                         "NSS client " + client + " (" + c->info.user_id +
                             ") is no longer authorized to " + netmgmt.resource);
    }
    if (mgmt_pending_.size() >= options_.limits.mgmt_pending_max) {
        return immediate(wn::ResultCode::busy, "too many management requests in progress");
    }
    std::uint32_t request_id = next_request_id_++;
    if (next_request_id_ == 0)
        next_request_id_ = 1;
    pending.conn = c->id;
    pending.conn_number = c->info.conn_number;
    pending.request_id = request_id;
    pending.deadline = now + options_.limits.mgmt_timeout;
    bool const fresh = mgmt_pending_.emplace(ticket, pending).second;
    NSSLAB_ASSERT(fresh && mgmt_pending_.size() <= options_.limits.mgmt_pending_max,
                  "NssServer: at most mgmt_pending_max management requests wait, one per ticket");
    send(*c, wn::Message{request_id, wn::MgmtRequest{command, std::string(target), user}});
    if (!c->doom_reason.empty()) {
        std::string why = c->doom_reason;
        close_connection(c->id, why, false, now);  // completes the ticket (ENXIO)
    } else {
        flush(*c);
    }
    return ticket;
}

void NssServer::on_mgmt_reply(Connection& c, std::uint32_t id, wn::MgmtReply const& reply,
                              TimePoint now) {
    for (auto it = mgmt_pending_.begin(); it != mgmt_pending_.end(); ++it) {
        auto const& p = it->second;
        if (p.conn == c.id && p.conn_number == c.info.conn_number && p.request_id == id) {
            PendingMgmt done = p;
            mgmt_pending_.erase(it);
            MgmtResult r;
            r.ticket = done.ticket;
            r.result = reply.result;
            r.reason = reply.reason;
            r.lines = reply.lines;
            finish_mgmt(done, std::move(r), now);
            return;
        }
    }
    emit(Event("nssd.mgmt.unexpected_reply")
             .with("conn", c.info.conn_number)
             .with("client", c.info.client_name)
             .with("request_id", id));
    // A late reply to a request this server issued (it timed out) is tolerated; a reply to
    // nothing is out of state (docs/nss-protocol.md §9).
    if (id < mgmt_request_id_first || id >= next_request_id_) {
        fatal_error(c, wn::ResultCode::bad_request,
                    "out of state: mgmt_reply " + std::to_string(id) + " answers no mgmt_request",
                    now);
    }
}

void NssServer::finish_mgmt(PendingMgmt const& pending, MgmtResult result, TimePoint /*now*/) {
    // Answered once: a ticket leaves mgmt_pending_ (or never entered it) before its result.
    NSSLAB_ASSERT(result.ticket == pending.ticket && result.ticket != 0 &&
                      result.ticket < next_ticket_ && mgmt_pending_.count(result.ticket) == 0,
                  "NssServer: a management ticket is answered once, after it stops waiting");
    emit(Event("nssd.mgmt.result")
             .with("ticket", result.ticket)
             .with("client", pending.client_name)
             .with("command", wn::to_string(pending.command))
             .with("result", wn::to_string(result.result))
             .with("reason", result.reason)
             .with("lines", result.lines.size())
             .with("timed_out", result.timed_out));
    mgmt_results_.push_back(std::move(result));
}

Result<std::vector<std::string>> NssServer::nssctl_display(std::string_view requester,
                                                           std::string_view client_name,
                                                           TimePoint now) {
    std::string sys = ascii_upper(options_.system_name);
    auto d = check_servauth(requester, "EZB.NETMGMT." + sys + "." + sys + ".NSS.DISPLAY");
    if (!d.allowed) {
        return fail(Errc::permission_denied,
                    "nssctl: " + d.user + " is not authorized to " + d.resource + ": " + d.reason);
    }
    std::vector<ClientInfo> shown;
    for (auto const& info : clients()) {
        if (!info.registered)
            continue;
        if (!client_name.empty() && info.client_name != client_name)
            continue;
        shown.push_back(info);
    }
    if (!client_name.empty() && shown.empty())
        return fail(Errc::not_found,
                    "nssctl: NSS client " + std::string(client_name) + " is not connected");
    std::vector<std::string> lines;
    lines.push_back("NSS Client Display  " + format_zos(now));
    lines.push_back("NSS Server: " + options_.system_name +
                    "  Discipline: IPSec  Clients: " + std::to_string(shown.size()));
    for (auto const& info : shown) {
        lines.push_back("ClientName: " + info.client_name);
        lines.push_back("  ConnID: " + std::to_string(info.conn_number));
        lines.push_back("  UserID: " + info.user_id);
        lines.push_back("  SystemName: " + info.system_name + "  StackName: " + info.stack_name);
        lines.push_back("  ClientIPAddress: " + info.remote.address.to_string() +
                        "  ClientPort: " + std::to_string(info.remote.port));
        lines.push_back("  ServerIPAddress: " + info.local.address.to_string() +
                        "  ServerPort: " + std::to_string(info.local.port));
        lines.push_back("  ClientAPIVersion: " + std::to_string(info.client_api_version) +
                        "  ServerAPIVersion: " + std::to_string(wn::api_version));
        lines.push_back("  CertificateService: " +
                        service_state(info.requested.cert, info.granted.cert));
        lines.push_back("  RemoteManagementService: " +
                        service_state(info.requested.remote_mgmt, info.granted.remote_mgmt));
        lines.push_back("  TimeConnected: " + format_zos(info.registered_at));
        lines.push_back("  TimeOfLastMessage: " + format_zos(info.last_message_at));
    }
    return lines;
}

Result<std::vector<std::string>> NssServer::ipsec_client_display(std::string_view requester,
                                                                 TimePoint now) {
    std::string sys = ascii_upper(options_.system_name);
    auto d = check_servauth(requester, "EZB.NETMGMT." + sys + "." + sys + ".NSS.DISPLAY");
    if (!d.allowed) {
        return fail(Errc::permission_denied,
                    "ipsec: " + d.user + " is not authorized to " + d.resource + ": " + d.reason);
    }
    std::vector<ClientInfo> shown;
    for (auto const& info : clients())
        if (info.registered)
            shown.push_back(info);
    std::vector<std::string> lines;
    lines.push_back("CS V2R4 ipsec NSS Client Name: n/a  " + format_zos(now));
    lines.push_back("Primary: NSS Client  Function: Display  Format: Detail");
    lines.push_back("Source: NSSD  Scope: n/a  TotAvail: " + std::to_string(shown.size()));
    lines.push_back("SystemName: " + options_.system_name);
    for (auto const& info : shown) {
        lines.push_back("ClientName: " + info.client_name);
        lines.push_back("UserID: " + info.user_id);
        lines.push_back("NSClientIPAddress: " + info.remote.address.to_string());
        lines.push_back("NSClientPort: " + std::to_string(info.remote.port));
        lines.push_back("CertificateServicesEnabled: " +
                        std::string(info.granted.cert ? "Yes" : "No"));
        lines.push_back("RemoteManagementEnabled: " +
                        std::string(info.granted.remote_mgmt ? "Yes" : "No"));
        lines.push_back("TimeConnectedToNSServer: " + format_zos(info.registered_at));
        lines.push_back("****************************************");
    }
    return lines;
}

}  // namespace nsslab::nss
