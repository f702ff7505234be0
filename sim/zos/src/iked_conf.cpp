// iked.conf parser; see iked_conf.hpp and docs/config-files.md.
#include "nsslab/zos/iked_conf.hpp"

#include <algorithm>

#include "config_lexer_detail.hpp"
#include "nsslab/base/text.hpp"

namespace nsslab::zos {

using detail::check_values;
using detail::read_choice;
using detail::read_key_ring;
using detail::read_name;
using detail::read_uint;
using detail::read_yes_no;

std::string_view to_string(NssIdentityType type) {
    switch (type) {
        case NssIdentityType::ip_addr:
            return "IpAddr";
        case NssIdentityType::fqdn:
            return "Fqdn";
        case NssIdentityType::user_at_fqdn:
            return "UserAtFqdn";
        case NssIdentityType::x500dn:
            return "X500dn";
    }
    return "?";
}

std::string_view to_string(NssAuthBy auth_by) {
    return auth_by == NssAuthBy::password ? "Password" : "PassTicket";
}

std::string_view to_string(NssServiceType type) {
    return type == NssServiceType::cert ? "Cert" : "RemoteMgmt";
}

namespace {

bool is_host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

bool looks_numeric(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// A host: an IP literal (anything with ':' or only digits and dots must parse) or a host name.
bool read_host(Token const& t, std::string_view param, std::string& host,
               std::optional<IpAddress>& address, DiagnosticSink& sink) {
    std::string const expected = "an IPv4 address, an IPv6 address or a host name";
    if (t.text.find(':') != std::string::npos || looks_numeric(t.text)) {
        auto a = IpAddress::parse(t.text);
        if (!a) {
            sink.error(t.where, std::string(param) + " '" + t.text + "' is not a valid IP address",
                       expected);
            return false;
        }
        host = t.text;
        address = *a;
        return true;
    }
    if (t.text.size() > 255 || !std::all_of(t.text.begin(), t.text.end(), is_host_char)) {
        sink.error(t.where, std::string(param) + " '" + t.text + "' is not a valid host name",
                   expected);
        return false;
    }
    host = t.text;
    address.reset();
    return true;
}

class IkedParser {
  public:
    IkedParser(IkedConfParseOptions const& options, DiagnosticSink& sink)
        : options_(options), sink_(sink) {}

    IkedConfig run(std::vector<ConfigStatement> const& statements) {
        IkedConfig config;
        std::vector<NssStackConfig const*> order;
        std::vector<NssStackConfig> stacks;
        stacks.reserve(statements.size());
        for (auto const& st : statements) {
            if (iequals(st.keyword.text, "IkeConfig")) {
                if (!st.args.empty())
                    sink_.error(st.args[0].where,
                                "IkeConfig takes no name, found '" + st.args[0].text + "'", "'{'");
                // The last IkeConfig statement wins outright (facts §1.1).
                config.ike = ike_config(st);
            } else if (iequals(st.keyword.text, "NssStackConfig")) {
                if (auto s = nss_stack_config(st))
                    stacks.push_back(std::move(*s));
            } else {
                sink_.error(st.keyword.where, "unknown statement '" + st.keyword.text + "'",
                            "IkeConfig or NssStackConfig");
            }
        }
        for (auto& s : stacks) {
            if (!config.ike.has_nss_server())
                sink_.error(s.where,
                            "NssStackConfig " + s.stack_name +
                                " requires NetworkSecurityServer or NetworkSecurityServerBackup "
                                "in IkeConfig",
                            "NetworkSecurityServer host in IkeConfig");
            // The last NssStackConfig for a stack wins (facts §1.3).
            config.nss_stacks[ascii_upper(s.stack_name)] = std::move(s);
        }
        return config;
    }

  private:
    std::optional<NssServerConfig> nss_server(ConfigParam const& p, std::string_view name) {
        std::string const usage =
            std::string(name) + " host [Port n] [Identity IpAddr|Fqdn|UserAtFqdn|X500dn authid]";
        if (!check_values(p, 1, 6, usage, sink_))
            return std::nullopt;
        NssServerConfig s;
        s.where = p.keyword.where;
        if (!read_host(p.values[0], name, s.host, s.address, sink_))
            return std::nullopt;
        bool have_port = false;
        bool have_identity = false;
        std::size_t i = 1;
        while (i < p.values.size()) {
            Token const& k = p.values[i];
            if (iequals(k.text, "Port") && !have_port) {
                if (i + 1 >= p.values.size()) {
                    sink_.error(k.where, "Port is missing its value", "an integer 1-65535");
                    return std::nullopt;
                }
                auto port = read_uint(p.values[i + 1], "Port", 1, 65535, sink_);
                if (!port)
                    return std::nullopt;
                s.port = static_cast<std::uint16_t>(*port);
                have_port = true;
                i += 2;
            } else if (iequals(k.text, "Identity") && !have_identity) {
                if (i + 2 >= p.values.size()) {
                    sink_.error(k.where, "Identity needs a type and an authid",
                                "Identity IpAddr|Fqdn|UserAtFqdn|X500dn authid");
                    return std::nullopt;
                }
                auto type = read_choice(p.values[i + 1], "Identity",
                                        {"IpAddr", "Fqdn", "UserAtFqdn", "X500dn"}, sink_);
                if (!type)
                    return std::nullopt;
                NssServerIdentity id;
                id.type = static_cast<NssIdentityType>(*type);
                Token const& auth = p.values[i + 2];
                id.auth_id = auth.text;
                if (!identity_ok(id, auth))
                    return std::nullopt;
                s.identity = std::move(id);
                have_identity = true;
                i += 3;
            } else {
                sink_.error(k.where,
                            "unexpected '" + k.text + "' after " + std::string(name) + " " + s.host,
                            have_port || have_identity ? "at most one Port and one Identity"
                                                       : "Port n or Identity type authid");
                return std::nullopt;
            }
        }
        return s;
    }

    bool identity_ok(NssServerIdentity& id, Token const& auth) {
        switch (id.type) {
            case NssIdentityType::ip_addr: {
                auto a = IpAddress::parse(auth.text);
                if (!a) {
                    sink_.error(auth.where,
                                "Identity IpAddr authid '" + auth.text + "' is not an IP address",
                                "an IPv4 or IPv6 address");
                    return false;
                }
                id.address = *a;
                return true;
            }
            case NssIdentityType::fqdn:
                if (auth.text.empty() || auth.text.size() > 255 ||
                    !std::all_of(auth.text.begin(), auth.text.end(), is_host_char)) {
                    sink_.error(auth.where,
                                "Identity Fqdn authid '" + auth.text + "' is not a host name",
                                "a fully qualified domain name");
                    return false;
                }
                return true;
            case NssIdentityType::user_at_fqdn: {
                auto at = auth.text.find('@');
                if (at == std::string::npos || at == 0 || at + 1 == auth.text.size()) {
                    sink_.error(
                        auth.where,
                        "Identity UserAtFqdn authid '" + auth.text + "' has no user@domain form",
                        "user@fqdn");
                    return false;
                }
                return true;
            }
            case NssIdentityType::x500dn:
                if (auth.text.find('=') == std::string::npos) {
                    sink_.error(
                        auth.where,
                        "Identity X500dn authid '" + auth.text + "' is not a distinguished name",
                        "a quoted DN such as \"CN=nss,O=IBM\"");
                    return false;
                }
                return true;
        }
        return false;
    }

    IkeConfig ike_config(ConfigStatement const& st) {
        IkeConfig c;
        c.coded = true;
        c.where = st.keyword.where;
        for (auto const& p : st.params) {
            auto const& k = p.keyword.text;
            auto one = [&](std::string_view usage) { return check_values(p, 1, 1, usage, sink_); };
            if (iequals(k, "IkeSyslogLevel")) {
                if (one("IkeSyslogLevel n"))
                    if (auto v = read_uint(p.values[0], "IkeSyslogLevel", 0, 255, sink_))
                        c.ike_syslog_level = *v;
            } else if (iequals(k, "PagentSyslogLevel")) {
                if (one("PagentSyslogLevel n"))
                    if (auto v = read_uint(p.values[0], "PagentSyslogLevel", 0, 255, sink_))
                        c.pagent_syslog_level = *v;
            } else if (iequals(k, "SMF119")) {
                if (check_values(p, 1, 4, "SMF119 None|IKEALL|IKETunnel|DynTunnel ...", sink_)) {
                    for (auto const& v : p.values) {
                        auto i = read_choice(v, "SMF119",
                                             {"None", "IKEALL", "IKETunnel", "DynTunnel"}, sink_);
                        if (!i)
                            continue;
                        // Values accumulate (facts §1.1); None adds nothing.
                        if (*i == 1 || *i == 2)
                            c.smf119_ike_tunnel = true;
                        if (*i == 1 || *i == 3)
                            c.smf119_dyn_tunnel = true;
                    }
                }
            } else if (iequals(k, "IkeRetries")) {
                if (one("IkeRetries n"))
                    if (auto v = read_uint(p.values[0], "IkeRetries", 1, 10, sink_))
                        c.ike_retries = *v;
            } else if (iequals(k, "IkeInitWait")) {
                if (one("IkeInitWait seconds"))
                    if (auto v = read_uint(p.values[0], "IkeInitWait", 1, 30, sink_))
                        c.ike_init_wait = std::chrono::seconds{*v};
            } else if (iequals(k, "FIPS140")) {
                if (one("FIPS140 Yes|No"))
                    if (auto v = read_yes_no(p.values[0], "FIPS140", sink_))
                        c.fips140 = *v;
            } else if (iequals(k, "KeyRing")) {
                if (one("KeyRing userid/ringname|ringname|NoKeyRing")) {
                    bool none = false;
                    auto r = read_key_ring(p.values[0], "KeyRing", true, none, sink_);
                    if (none)
                        c.key_ring.reset();
                    else if (r)
                        c.key_ring = std::move(*r);
                }
            } else if (iequals(k, "Echo")) {
                if (one("Echo Yes|No"))
                    if (auto v = read_yes_no(p.values[0], "Echo", sink_))
                        c.echo = *v;
            } else if (iequals(k, "NetworkSecurityServer")) {
                if (auto s = nss_server(p, "NetworkSecurityServer"))
                    c.network_security_server = std::move(*s);
            } else if (iequals(k, "NetworkSecurityServerBackup")) {
                if (auto s = nss_server(p, "NetworkSecurityServerBackup"))
                    c.network_security_server_backup = std::move(*s);
            } else if (iequals(k, "NssWaitLimit")) {
                if (one("NssWaitLimit seconds"))
                    if (auto v = read_uint(p.values[0], "NssWaitLimit", 1, 3600, sink_))
                        c.nss_wait_limit = std::chrono::seconds{*v};
            } else if (iequals(k, "NssWaitRetries")) {
                if (one("NssWaitRetries n"))
                    if (auto v = read_uint(p.values[0], "NssWaitRetries", 0, 10, sink_))
                        c.nss_wait_retries = *v;
            } else if (iequals(k, "PagentWait")) {
                if (one("PagentWait seconds"))
                    if (auto v = read_uint(p.values[0], "PagentWait", 0, 3600, sink_))
                        c.pagent_wait = std::chrono::seconds{*v};
            } else if (iequals(k, "SupportedCertAuth")) {
                if (one("SupportedCertAuth label"))
                    if (auto v = detail::read_label(p.values[0], "SupportedCertAuth", sink_);
                        v && std::find(c.supported_cert_auth.begin(), c.supported_cert_auth.end(),
                                       *v) == c.supported_cert_auth.end())
                        c.supported_cert_auth.push_back(std::move(*v));
            } else {
                sink_.error(p.keyword.where, "unknown IkeConfig parameter '" + k + "'",
                            "an IkeConfig parameter such as NetworkSecurityServer");
            }
        }
        return c;
    }

    std::optional<NssStackConfig> nss_stack_config(ConfigStatement const& st) {
        if (st.args.size() != 1) {
            if (st.args.empty())
                sink_.error(st.block_begin, "NssStackConfig needs a stack name",
                            "NssStackConfig stackname {");
            else
                sink_.error(st.args[1].where,
                            "unexpected '" + st.args[1].text + "' after the stack name", "'{'");
            return std::nullopt;
        }
        NssStackConfig s;
        s.where = st.keyword.where;
        auto name = read_name(st.args[0], "NssStackConfig stack name", 8, sink_);
        if (!name)
            return std::nullopt;
        s.stack_name = *name;
        bool have_client = false;
        bool have_user = false;
        bool have_password = false;
        for (auto const& p : st.params) {
            auto const& k = p.keyword.text;
            auto one = [&](std::string_view usage) { return check_values(p, 1, 1, usage, sink_); };
            if (iequals(k, "ClientName")) {
                have_client = true;  // coded, even if invalid: no cascade of errors
                if (one("ClientName clientname"))
                    if (auto v = read_name(p.values[0], "ClientName", 48, sink_))
                        s.client_name = *v;
            } else if (iequals(k, "UserId")) {
                have_user = true;
                if (one("UserId userid"))
                    if (auto v = read_name(p.values[0], "UserId", 8, sink_))
                        s.user_id = *v;
            } else if (iequals(k, "AuthBy")) {
                if (one("AuthBy Password|PassTicket"))
                    if (auto v =
                            read_choice(p.values[0], "AuthBy", {"Password", "PassTicket"}, sink_))
                        s.auth_by = *v == 0 ? NssAuthBy::password : NssAuthBy::passticket;
            } else if (iequals(k, "Password")) {
                have_password = true;
                if (one("Password password"))
                    if (auto v = read_name(p.values[0], "Password", 100, sink_))
                        s.password = *v;
            } else if (iequals(k, "ServiceType")) {
                if (check_values(p, 1, 2, "ServiceType Cert|RemoteMgmt", sink_))
                    for (auto const& v : p.values)
                        if (auto t = read_choice(v, "ServiceType", {"Cert", "RemoteMgmt"}, sink_))
                            s.service_types.insert(*t == 0 ? NssServiceType::cert
                                                           : NssServiceType::remote_mgmt);
            } else {
                sink_.error(p.keyword.where, "unknown NssStackConfig parameter '" + k + "'",
                            "ClientName, UserId, AuthBy, Password or ServiceType");
            }
        }
        if (!have_user)
            sink_.error(st.keyword.where, "NssStackConfig " + s.stack_name + " has no UserId",
                        "UserId userid");
        if (s.auth_by == NssAuthBy::password && !have_password)
            sink_.error(st.keyword.where,
                        "NssStackConfig " + s.stack_name + " has AuthBy Password but no Password",
                        "Password password, or AuthBy PassTicket");
        if (!have_client) {
            if (options_.system_name.empty()) {
                sink_.error(st.keyword.where,
                            "NssStackConfig " + s.stack_name +
                                " has no ClientName and no system name is known",
                            "ClientName clientname, or a system name for systemname_stackname");
            } else {
                s.client_name = options_.system_name + "_" + s.stack_name;
                s.client_name_defaulted = true;
            }
        }
        return s;
    }

    IkedConfParseOptions const& options_;
    DiagnosticSink& sink_;
};

}  // namespace

NssStackConfig const* IkedConfig::find_stack(std::string_view stack_name) const {
    auto it = nss_stacks.find(ascii_upper(stack_name));
    return it == nss_stacks.end() ? nullptr : &it->second;
}

Result<IkedConfig> parse_iked_conf(std::string_view text, IkedConfParseOptions const& options,
                                   std::vector<Diagnostic>* diagnostics) {
    DiagnosticSink sink(options.limits.max_diagnostics);
    auto finish = [&](Result<IkedConfig> r) {
        if (diagnostics)
            *diagnostics = sink.list();
        return r;
    };
    if (!options.system_name.empty() &&
        (options.system_name.size() > 8 || options.system_name.find(' ') != std::string::npos))
        return fail(Errc::invalid_argument, "parse_iked_conf: system name '" + options.system_name +
                                                "' is not 1-8 characters");
    auto tokens = tokenize(text, LexerOptions{}, options.limits, sink);
    if (!sink.empty())
        return finish(sink.to_error(options.file_name));
    auto statements = parse_statements(tokens, options.limits, sink);
    if (!sink.empty())
        return finish(sink.to_error(options.file_name));
    IkedParser parser(options, sink);
    auto config = parser.run(statements);
    if (!sink.empty())
        return finish(sink.to_error(options.file_name));
    return finish(std::move(config));
}

}  // namespace nsslab::zos
