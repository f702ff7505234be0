// ipsec -w display formatting (zos-nss-facts.md §9; docs/nss-client.md "ipsec -w").
#include "nsslab/nss/client_display.hpp"

#include <array>
#include <chrono>
#include <cstdio>

#include "nsslab/zos/ipsec_display.hpp"

namespace nsslab::nss {

std::string_view to_string(ConnectionState state) {
    switch (state) {
        case ConnectionState::connected:
            return "connected";
        case ConnectionState::connecting:
            return "connecting";
        case ConnectionState::disconnected:
            return "disconnected";
    }
    return "?";
}

StackDisplay StackDisplay::not_nss(std::string stack_name) {
    StackDisplay d;
    d.stack_name = std::move(stack_name);
    return d;
}

std::string format_ipsec_date(TimePoint t) {
    return zos::format_ipsec_header_date(t);
}

namespace {

constexpr std::size_t field_width = 32;  // value column (emulation choice)
constexpr std::string_view separator =
    "****************************************************************************";

void line(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += ':';
    std::size_t const used = name.size() + 1;
    out.append(used < field_width ? field_width - used : 1, ' ');
    out += value;
    out += '\n';
}

std::string yes_no(bool v) {
    return v ? "Yes" : "No";
}

template <class T, class F>
std::string or_na(std::optional<T> const& v, F f) {
    return v ? f(*v) : std::string("n/a");
}

}  // namespace

std::string format_ipsec_w(IpsecWHeader const& header, std::vector<StackDisplay> const& stacks) {
    std::string out;
    out += "CS " + header.release + " ipsec NSS Client Name: n/a  " +
           format_ipsec_date(header.now) + "\n";
    out += "Primary: Stack NSS  Function: Display  Format: Detail\n";
    out += "Source: IKED  Scope: n/a  TotAvail: " + std::to_string(stacks.size()) + "\n";
    out += "SystemName: " + header.system_name + "\n";
    auto num = [](std::uint32_t v) { return std::to_string(v); };
    auto str = [](std::string const& s) { return s; };
    auto yn = [](bool v) { return yes_no(v); };
    for (std::size_t i = 0; i < stacks.size(); ++i) {
        StackDisplay const& s = stacks[i];
        if (i > 0)
            out += std::string(separator) + "\n";
        out += "\n";
        line(out, "StackName", s.stack_name);
        line(out, "ClientName", or_na(s.client_name, str));
        line(out, "ClientAPIVersion", or_na(s.client_api_version, num));
        line(out, "ServerAPIVersion", or_na(s.server_api_version, num));
        line(out, "NSServicesSupported", yes_no(s.nss_services_supported));
        line(out, "RemoteManagementSelected", yes_no(s.remote_management_selected));
        line(out, "RemoteManagementEnabled", or_na(s.remote_management_enabled, yn));
        line(out, "CertificateServicesSelected", yes_no(s.certificate_services_selected));
        line(out, "CertificateServicesEnabled", or_na(s.certificate_services_enabled, yn));
        line(out, "NSClientIPAddress",
             or_na(s.client_endpoint, [](Endpoint const& e) { return e.address.to_string(); }));
        line(out, "NSClientPort",
             or_na(s.client_endpoint, [](Endpoint const& e) { return std::to_string(e.port); }));
        line(out, "NSServerIPAddress",
             or_na(s.server_endpoint, [](Endpoint const& e) { return e.address.to_string(); }));
        line(out, "NSServerPort",
             or_na(s.server_endpoint, [](Endpoint const& e) { return std::to_string(e.port); }));
        line(out, "NSServerSystemName", or_na(s.server_system_name, str));
        line(out, "UserID", or_na(s.user_id, str));
        line(out, "ConnectionState", or_na(s.connection_state, [](ConnectionState c) {
                 return std::string(to_string(c));
             }));
        line(out, "TimeConnectedToNSServer",
             or_na(s.time_connected, [](TimePoint t) { return format_zos(t); }));
        line(out, "TimeOfLastMessageToNSServer",
             or_na(s.time_last_message, [](TimePoint t) { return format_zos(t); }));
    }
    return out;
}

}  // namespace nsslab::nss
