#include "nsslab/base/address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "nsslab/base/rng.hpp"

namespace nsslab {

IpAddress IpAddress::v4(std::uint32_t host_order) {
    IpAddress a;
    a.family_ = Family::v4;
    a.bytes_[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes_[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes_[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes_[3] = static_cast<std::uint8_t>(host_order);
    return a;
}

IpAddress IpAddress::v6(std::array<std::uint8_t, 16> bytes) {
    IpAddress a;
    a.family_ = Family::v6;
    a.bytes_ = bytes;
    return a;
}

Result<IpAddress> IpAddress::parse(std::string_view text) {
    std::string s(text);
    IpAddress a;
    if (s.find(':') == std::string::npos) {
        std::uint8_t buf[4];
        if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
            a.family_ = Family::v4;
            std::memcpy(a.bytes_.data(), buf, 4);
            return a;
        }
    } else {
        std::uint8_t buf[16];
        if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
            a.family_ = Family::v6;
            std::memcpy(a.bytes_.data(), buf, 16);
            return a;
        }
    }
    return fail(Errc::parse_error, "'" + s + "' is not an IPv4 or IPv6 address");
}

bool IpAddress::is_unspecified() const {
    for (std::size_t i = 0; i < size(); ++i)
        if (bytes_[i] != 0)
            return false;
    return true;
}

std::uint32_t IpAddress::v4_host_order() const {
    return static_cast<std::uint32_t>(bytes_[0]) << 24 |
           static_cast<std::uint32_t>(bytes_[1]) << 16 |
           static_cast<std::uint32_t>(bytes_[2]) << 8 | bytes_[3];
}

std::string IpAddress::to_string() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
    return buf;
}

std::string Endpoint::to_string() const {
    if (address.is_v6())
        return "[" + address.to_string() + "]:" + std::to_string(port);
    return address.to_string() + ":" + std::to_string(port);
}

Result<Endpoint> Endpoint::parse(std::string_view text) {
    std::string_view host, port_text;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return fail(Errc::parse_error, "'" + std::string(text) + "' is not [address]:port");
        host = text.substr(1, close - 1);
        port_text = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos)
            return fail(Errc::parse_error, "'" + std::string(text) + "' is not address:port");
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    auto address = IpAddress::parse(host);
    if (!address)
        return address.error();
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port > 65535)
        return fail(Errc::parse_error,
                    "'" + std::string(port_text) + "' is not a port number (0-65535)");
    return Endpoint{*address, static_cast<std::uint16_t>(port)};
}

std::size_t IpAddressHash::operator()(IpAddress const& a) const noexcept {
    std::string_view view(reinterpret_cast<const char*>(a.raw().data()), a.size());
    return static_cast<std::size_t>(
        fnv1a64(view, 0xcbf29ce484222325ULL ^ static_cast<std::uint64_t>(a.family())));
}

std::size_t EndpointHash::operator()(Endpoint const& e) const noexcept {
    return IpAddressHash{}(e.address) * 31 + e.port;
}

}  // namespace nsslab
