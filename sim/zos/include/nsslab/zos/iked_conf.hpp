// iked.conf parser: the IkeConfig and NssStackConfig statements of z/OS IKED.
//
// Facts: zos-nss-facts.md §1.1 (file conventions, repeat rules), §1.2 (IkeConfig parameters and
// defaults), §1.3 (NssStackConfig); DESIGN.md §6 for emulation choices. Grammar, defaults, ranges
// and every choice made where IBM's text is silent: docs/config-files.md "iked.conf".
//
// Repeat rules (IBM): the last IkeConfig statement wins outright (earlier ones are discarded, but
// still checked); inside one statement a repeated parameter's last value wins, except SMF119 and
// SupportedCertAuth, which accumulate. The last NssStackConfig for a stack wins. An
// NssStackConfig while IkeConfig has neither NetworkSecurityServer nor
// NetworkSecurityServerBackup is an error located at that NssStackConfig.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/zos/config_lexer.hpp"

namespace nsslab::zos {

inline constexpr std::uint16_t nss_default_port = 4159;

// `userid/ringname` or `ringname` (user_id empty: the daemon's own user ID).
struct KeyRingName {
    std::string user_id;
    std::string ring_name;

    std::string to_string() const {
        return user_id.empty() ? ring_name : user_id + "/" + ring_name;
    }
    bool operator==(KeyRingName const&) const = default;
};

// `Identity IpAddr|Fqdn|UserAtFqdn|X500dn authid` on NetworkSecurityServer[Backup]; how IKED
// checks the NSS server's certificate (DESIGN.md §6 "Server identity check").
enum class NssIdentityType : std::uint8_t { ip_addr, fqdn, user_at_fqdn, x500dn };
std::string_view to_string(NssIdentityType type);  // "IpAddr", "Fqdn", "UserAtFqdn", "X500dn"

struct NssServerIdentity {
    NssIdentityType type{NssIdentityType::ip_addr};
    std::string auth_id;               // as coded
    std::optional<IpAddress> address;  // type ip_addr: the parsed auth_id

    bool operator==(NssServerIdentity const&) const = default;
};

// NetworkSecurityServer / NetworkSecurityServerBackup `host [Port n] [Identity type authid]`.
struct NssServerConfig {
    std::string host;                  // as coded: IPv4/IPv6 literal or host name
    std::optional<IpAddress> address;  // set when host is an IP literal
    std::uint16_t port{nss_default_port};
    std::optional<NssServerIdentity> identity;
    SourceLocation where;  // the parameter keyword

    // Parameters only (ignores `where`).
    bool same_as(NssServerConfig const& other) const {
        return host == other.host && address == other.address && port == other.port &&
               identity == other.identity;
    }
};

// IkeConfig. Defaults are IBM's (facts §1.2).
struct IkeConfig {
    std::uint32_t ike_syslog_level{1};      // IkeSyslogLevel, 0-255
    std::uint32_t pagent_syslog_level{0};   // PagentSyslogLevel, 0-255
    bool smf119_ike_tunnel{false};          // SMF119 IKETunnel (IKEALL sets both)
    bool smf119_dyn_tunnel{false};          // SMF119 DynTunnel
    std::uint32_t ike_retries{6};           // IkeRetries, 1-10
    std::chrono::seconds ike_init_wait{2};  // IkeInitWait, 1-30
    bool fips140{false};                    // FIPS140 Yes|No
    // KeyRing; std::nullopt means NoKeyRing.
    std::optional<KeyRingName> key_ring{KeyRingName{"iked", "keyring"}};
    bool echo{false};  // Echo Yes|No
    std::optional<NssServerConfig> network_security_server;
    std::optional<NssServerConfig> network_security_server_backup;
    std::chrono::seconds nss_wait_limit{60};       // NssWaitLimit, 1-3600
    std::uint32_t nss_wait_retries{3};             // NssWaitRetries, 0-10
    std::chrono::seconds pagent_wait{0};           // PagentWait, 0-3600
    std::vector<std::string> supported_cert_auth;  // SupportedCertAuth labels, accumulated, unique
    bool coded{false};                             // an IkeConfig statement was present
    SourceLocation where;                          // the IkeConfig statement in effect

    bool has_nss_server() const {
        return network_security_server.has_value() || network_security_server_backup.has_value();
    }
};

enum class NssAuthBy : std::uint8_t { password, passticket };
std::string_view to_string(NssAuthBy auth_by);  // "Password", "PassTicket"

enum class NssServiceType : std::uint8_t { cert, remote_mgmt };
std::string_view to_string(NssServiceType type);  // "Cert", "RemoteMgmt"

// NssStackConfig stackname { ... }.
struct NssStackConfig {
    std::string stack_name;   // as coded
    std::string client_name;  // ClientName, or systemname_stackname when not coded
    bool client_name_defaulted{false};
    std::string user_id;                       // UserId (required)
    NssAuthBy auth_by{NssAuthBy::passticket};  // AuthBy; default PassTicket (our choice)
    std::string password;                      // Password (required with AuthBy Password)
    std::set<NssServiceType> service_types;    // ServiceType, repeatable
    SourceLocation where;                      // the NssStackConfig keyword

    bool has_service(NssServiceType t) const { return service_types.count(t) != 0; }
    // Parameters only (ignores `where`): a difference means disconnect and reconnect on
    // MODIFY IKED,REFRESH (facts §1.3).
    bool same_as(NssStackConfig const& other) const {
        return stack_name == other.stack_name && client_name == other.client_name &&
               user_id == other.user_id && auth_by == other.auth_by && password == other.password &&
               service_types == other.service_types;
    }
};

struct IkedConfig {
    IkeConfig ike;
    // Keyed by the stack name in upper case (stack names compare case-insensitively).
    std::map<std::string, NssStackConfig> nss_stacks;

    NssStackConfig const* find_stack(std::string_view stack_name) const;
};

struct IkedConfParseOptions {
    std::string file_name{"iked.conf"};  // used in diagnostics
    // The z/OS system name (1-8 characters), for the ClientName default systemname_stackname.
    // When empty, an NssStackConfig without ClientName is an error.
    std::string system_name;
    ConfigLimits limits;
};

// Parses iked.conf text. On error the Error message is the first diagnostic
// ("file:line:column: message (expected ...)"); every diagnostic goes to `diagnostics` when given.
Result<IkedConfig> parse_iked_conf(std::string_view text, IkedConfParseOptions const& options = {},
                                   std::vector<Diagnostic>* diagnostics = nullptr);

}  // namespace nsslab::zos
