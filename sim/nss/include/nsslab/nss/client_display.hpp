// NSS client state as IKED shows it with `ipsec -w display` (zos-nss-facts.md §9,
// NMsec_GET_IKENSINFO), and the ConnectionState vocabulary (DESIGN.md §6).
//
// IBM's example shows the header lines, the field order and `n/a` / `No` for stacks that are not
// NSS clients; the column alignment, the date shape of the header and the separator width are
// nsslab's emulation choices (docs/nss-client.md "ipsec -w").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/time.hpp"

namespace nsslab::nss {

// DESIGN.md §6. `n/a` (not an NSS client) is an absent optional in StackDisplay.
enum class ConnectionState : std::uint8_t { connected, connecting, disconnected };
std::string_view to_string(ConnectionState state);  // "connected", "connecting", "disconnected"

// Every per-stack field of `ipsec -w display`, in IBM's order. Absent optionals print `n/a`.
struct StackDisplay {
    std::string stack_name;                            // StackName
    std::optional<std::string> client_name;            // ClientName
    std::optional<std::uint32_t> client_api_version;   // ClientAPIVersion
    std::optional<std::uint32_t> server_api_version;   // ServerAPIVersion
    bool nss_services_supported{false};                // NSServicesSupported Yes|No
    bool remote_management_selected{false};            // RemoteManagementSelected Yes|No
    std::optional<bool> remote_management_enabled;     // RemoteManagementEnabled
    bool certificate_services_selected{false};         // CertificateServicesSelected Yes|No
    std::optional<bool> certificate_services_enabled;  // CertificateServicesEnabled
    std::optional<Endpoint> client_endpoint;           // NSClientIPAddress, NSClientPort
    std::optional<Endpoint> server_endpoint;           // NSServerIPAddress, NSServerPort
    std::optional<std::string> server_system_name;     // NSServerSystemName
    std::optional<std::string> user_id;                // UserID
    std::optional<ConnectionState> connection_state;   // ConnectionState
    std::optional<TimePoint> time_connected;           // TimeConnectedToNSServer
    std::optional<TimePoint> time_last_message;        // TimeOfLastMessageToNSServer

    // A stack with no NssStackConfig: `n/a` everywhere, `No` for the Yes/No fields.
    static StackDisplay not_nss(std::string stack_name);
};

struct IpsecWHeader {
    std::string release{"V1R12"};  // "CS <release> ipsec ..."
    std::string system_name;       // SystemName:
    TimePoint now{};               // the header date
};

// The complete `ipsec -w display` output: header, then each stack, stacks separated by a line
// of `*`; every line ends with '\n'. TotAvail is stacks.size().
std::string format_ipsec_w(IpsecWHeader const& header, std::vector<StackDisplay> const& stacks);

// The header date: "Www Mmm dd hh:mm:ss yyyy" (UTC), as z/OS ipsec headers print it.
std::string format_ipsec_date(TimePoint t);

}  // namespace nsslab::nss
