// NssServer: NSS client registration (RegisterRequest): API version, Discipline IPSec,
// RACF logon with password or PassTicket (application NSSD, DESIGN.md §6), duplicate
// ClientName, and the SERVAUTH checks EZB.NSS.sysname.clientname.IPSEC.CERT / .NETMGMT
// (zos-nss-facts.md §3). docs/nss-server.md "Registration".
#include <string>

#include "nsslab/base/text.hpp"
#include "nsslab/nss/nss_server.hpp"

namespace nsslab::nss {

namespace wn = wire_nss;

namespace {

inline constexpr std::size_t client_name_chars_max = 64;

bool valid_client_name(std::string_view name) {
    if (name.empty() || name.size() > client_name_chars_max)
        return false;
    for (char ch : name) {
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= '0' && ch <= '9') || ch == '@' || ch == '#' || ch == '$' || ch == '_' ||
                  ch == '-';
        if (!ok)
            return false;
    }
    return true;
}

// A reason must never carry the secret, whatever RACF put into it.
std::string scrub(std::string text, std::string_view secret) {
    if (secret.empty())
        return text;
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos))
        text.replace(pos, secret.size(), "********");
    return text;
}

}  // namespace

void NssServer::on_register(Connection& c, std::uint32_t id, wn::RegisterRequest const& req,
                            TimePoint now) {
    wn::RegisterReply reply;
    reply.server_api_version = wn::api_version;
    reply.server_system_name = options_.system_name;
    reply.connection_id = c.info.conn_number;
    std::string user = ascii_upper(req.user_id);
    Event ev("nssd.register");
    ev.with("conn", c.info.conn_number)
        .with("client", req.client_name)
        .with("user", user)
        .with("auth", wn::to_string(req.auth_method))
        .with("client_api_version", req.client_api_version)
        .with("cert_requested", req.services.cert)
        .with("remote_mgmt_requested", req.services.remote_mgmt);
    auto answer = [&](wn::ResultCode code, std::string reason) {
        reply.result = code;
        reply.reason = std::move(reason);
        ev.with("result", wn::to_string(reply.result))
            .with("reason", reply.reason)
            .with("cert_granted", reply.granted.cert)
            .with("remote_mgmt_granted", reply.granted.remote_mgmt);
        emit(std::move(ev));
        send(c, wn::Message{id, reply});
    };

    c.register_queued = false;
    if (c.info.registered) {  // a second RegisterRequest queued behind the first
        answer(wn::ResultCode::bad_request,
               "connection already registered as NSS client " + c.info.client_name);
        return;
    }
    if (!options_.config.nss.ipsec_enabled) {
        answer(wn::ResultCode::not_authorized,
               "Discipline IPSec is disabled on NSS server " + options_.system_name);
        return;
    }
    if (!valid_client_name(req.client_name)) {
        answer(wn::ResultCode::bad_request,
               "ClientName must be 1-64 characters A-Z a-z 0-9 @ # $ _ -");
        return;
    }
    if (!zos::is_valid_racf_user_name(user)) {
        answer(wn::ResultCode::bad_request, "UserId is not a valid RACF user ID");
        return;
    }
    c.info.client_name = req.client_name;
    c.info.user_id = user;
    c.servauth_memo.clear();  // decisions are the user's and the client name's
    c.info.system_name = req.system_name;
    c.info.stack_name = req.stack_name;
    c.info.client_api_version = req.client_api_version;
    c.info.requested = req.services;
    if (req.client_api_version != wn::api_version) {
        // EZD1904E (facts §6): the connection stays up without any service, so the client can
        // show ServerAPIVersion; it may register again with a matching version.
        c.version_mismatch = true;
        answer(wn::ResultCode::version_mismatch,
               "EZD1904E IKED NSS client API version " + std::to_string(req.client_api_version) +
                   " does not match NSS server API version " + std::to_string(wn::api_version) +
                   " for stack " + (req.stack_name.empty() ? req.client_name : req.stack_name));
        return;
    }
    c.version_mismatch = false;

    auto logon = racf_.authenticate(user, options_.passticket_application, req.credential,
                                    unix_seconds(now));
    if (!logon.ok) {
        ev.with("racf_rc", logon.racf_rc).with("revoked_now", logon.revoked_now);
        answer(wn::ResultCode::auth_failed, "RACF logon of " + user + " failed (racfRC " +
                                                std::to_string(logon.racf_rc) +
                                                "): " + scrub(logon.reason, req.credential));
        // Emulation choice (docs/nss-server.md): a client that failed to authenticate is
        // disconnected after the reply.
        close_connection(c.id, "authentication failed", true, now);
        return;
    }
    ev.with("logon", zos::to_string(logon.method));

    std::string base = "EZB.NSS." + ascii_upper(options_.system_name) + "." +
                       ascii_upper(req.client_name) + ".IPSEC.";
    if (req.services.cert) {
        auto d = check_servauth(user, base + "CERT");
        reply.granted.cert = d.allowed;
        if (!d.allowed)
            reply.cert_denial = user + " is not authorized to " + d.resource + ": " + d.reason;
    }
    if (req.services.remote_mgmt) {
        auto d = check_servauth(user, base + "NETMGMT");
        reply.granted.remote_mgmt = d.allowed;
        if (!d.allowed)
            reply.remote_mgmt_denial =
                user + " is not authorized to " + d.resource + ": " + d.reason;
    }
    bool asked = req.services.cert || req.services.remote_mgmt;
    bool any = reply.granted.cert || reply.granted.remote_mgmt;
    if (asked && !any) {
        // Nothing to serve: not registered (docs/nss-protocol.md: ok means registered). The
        // connection stays open; the client may close it or register again.
        answer(wn::ResultCode::not_authorized, "no requested service was granted");
        return;
    }
    auto dup = clients_.find(req.client_name);
    if (dup != clients_.end() && dup->second != c.id) {
        auto const* old = find(dup->second);
        std::string where = old != nullptr ? " (connID " + std::to_string(old->info.conn_number) +
                                                 " from " + old->info.remote.to_string() + ")"
                                           : "";
        if (options_.duplicate_client == DuplicateClientPolicy::refuse_new) {
            answer(wn::ResultCode::bad_request,
                   "NSS client " + req.client_name + " is already connected" + where);
            return;
        }
        ConnId old_id = dup->second;
        auto* o = find(old_id);
        NSSLAB_ASSERT(o != nullptr, "NssServer: a ClientName names an open connection");
        send(*o, wn::Message{0, wn::Close{"replaced by a new registration of " + req.client_name +
                                          " (connID " + std::to_string(c.info.conn_number) + ")"}});
        close_connection(old_id, "replaced by connID " + std::to_string(c.info.conn_number), true,
                         now);
    }

    NSSLAB_ASSERT(!c.info.registered && !c.version_mismatch &&
                      clients_.find(req.client_name) == clients_.end(),
                  "NssServer: a registration takes a ClientName no connection holds");
    c.info.registered = true;
    c.info.registered_at = now;
    c.info.granted = reply.granted;
    clients_[req.client_name] = c.id;
    answer(wn::ResultCode::ok, {});
}

}  // namespace nsslab::nss
