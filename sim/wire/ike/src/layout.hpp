// Wire constants the decoder and the encoder share (RFC 7296 §3.1-§3.3, §3.13.1).
#pragma once

#include <cstddef>
#include <cstdint>

namespace nsslab::wire_ike::layout {

// IKE header: offsets of the fields after the SPIs, and the flag bits.
inline constexpr std::size_t next_payload_at = 16;
inline constexpr std::size_t version_at = 17;
inline constexpr std::size_t exchange_type_at = 18;
inline constexpr std::size_t flags_at = 19;
inline constexpr std::size_t message_id_at = 20;
inline constexpr std::size_t length_at = 24;
inline constexpr std::uint8_t flag_initiator = 0x08;
inline constexpr std::uint8_t flag_version = 0x10;
inline constexpr std::uint8_t flag_response = 0x20;

// Generic payload header: the critical bit of its second octet.
inline constexpr std::uint8_t critical_bit = 0x80;

// Last Substruc of a proposal / transform that has a successor (IKEv1's payload type numbers).
inline constexpr std::uint8_t more_proposals = 2;
inline constexpr std::uint8_t more_transforms = 3;
inline constexpr std::size_t proposal_fixed_size = 8;
inline constexpr std::size_t transform_fixed_size = 8;
// The AF bit of a transform attribute: Type/Value.
inline constexpr std::uint16_t attribute_format_tv = 0x8000;

// Selector Length of TS_IPV4_ADDR_RANGE and TS_IPV6_ADDR_RANGE.
inline constexpr std::size_t ts_ipv4_size = 16;
inline constexpr std::size_t ts_ipv6_size = 40;

}  // namespace nsslab::wire_ike::layout
