// IPv4/IPv6 addresses and transport endpoints, independent of any socket library.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "nsslab/base/result.hpp"

namespace nsslab {

class IpAddress {
  public:
    enum class Family : std::uint8_t { v4 = 4, v6 = 6 };

    IpAddress() = default;  // 0.0.0.0
    static IpAddress v4(std::uint32_t host_order);
    static IpAddress v6(std::array<std::uint8_t, 16> bytes);
    // "9.1.1.1", "::1", "fd00::5". Error names the text.
    static Result<IpAddress> parse(std::string_view text);

    Family family() const { return family_; }
    bool is_v4() const { return family_ == Family::v4; }
    bool is_v6() const { return family_ == Family::v6; }
    bool is_unspecified() const;
    // Network-order bytes: 4 for IPv4, 16 for IPv6.
    std::array<std::uint8_t, 16> const& raw() const { return bytes_; }
    std::size_t size() const { return is_v4() ? 4 : 16; }
    std::uint32_t v4_host_order() const;
    std::string to_string() const;

    auto operator<=>(IpAddress const&) const = default;

  private:
    Family family_{Family::v4};
    std::array<std::uint8_t, 16> bytes_{};  // v4 uses the first 4 bytes
};

struct Endpoint {
    IpAddress address;
    std::uint16_t port{0};

    // "9.1.1.1:4159", "[fd00::1]:500"
    std::string to_string() const;
    // Accepts "a.b.c.d:port" and "[v6]:port".
    static Result<Endpoint> parse(std::string_view text);

    auto operator<=>(Endpoint const&) const = default;
};

struct IpAddressHash {
    std::size_t operator()(IpAddress const& a) const noexcept;
};
struct EndpointHash {
    std::size_t operator()(Endpoint const& e) const noexcept;
};

}  // namespace nsslab
