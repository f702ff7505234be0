// One packet as it crossed a simulated link: the vocabulary shared by the simulation engine
// (which produces them) and the capture writers in reports/ (which turn them into pcapng
// with synthesized Ethernet/IP/UDP/TCP headers and correct checksums).
#pragma once

#include <cstdint>
#include <string>

#include "nsslab/base/address.hpp"
#include "nsslab/base/bytes.hpp"
#include "nsslab/base/time.hpp"

namespace nsslab {

enum class Transport : std::uint8_t { tcp = 6, udp = 17 };

// TCP header flag bits (RFC 9293 §3.1).
namespace tcp_flags {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
}  // namespace tcp_flags

struct PacketRecord {
    TimePoint time;  // virtual time at which the sender transmitted it
    Transport transport{Transport::udp};
    Endpoint src;  // src.address and dst.address have the same family
    Endpoint dst;
    // TCP only:
    std::uint32_t seq{0};
    std::uint32_t ack{0};
    std::uint8_t flags{0};
    std::uint16_t window{65535};
    std::uint16_t mss{0};  // emitted as the MSS option on SYN segments when non-zero
    Bytes payload;
    std::string comment;  // optional pcapng packet comment (e.g. "lost on link A->B")
};

}  // namespace nsslab
