// UDP encapsulation helpers (RFC 3948 §2.2, §2.3): the non-ESP marker and NAT-keepalives.
#include <algorithm>

#include "nsslab/wire_ike/codec.hpp"

namespace nsslab::wire_ike {

std::optional<ByteView> strip_non_esp_marker(ByteView datagram) {
    if (datagram.size() < non_esp_marker_size)
        return std::nullopt;
    ByteView const marker = datagram.first(non_esp_marker_size);
    if (!std::all_of(marker.begin(), marker.end(), [](std::uint8_t b) { return b == 0; }))
        return std::nullopt;
    return datagram.subspan(non_esp_marker_size);
}

Bytes add_non_esp_marker(ByteView message) {
    Bytes out(non_esp_marker_size + message.size(), 0);
    std::copy(message.begin(), message.end(), out.begin() + non_esp_marker_size);
    return out;
}

bool is_nat_keepalive(ByteView datagram) {
    return datagram.size() == 1 && datagram[0] == 0xFF;
}

}  // namespace nsslab::wire_ike
