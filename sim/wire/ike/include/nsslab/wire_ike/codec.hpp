// Binary codec of IKEv2 messages (RFC 7296 §3, RFC 7383 §2.5; docs/ike-wire.md), and the UDP
// encapsulation helpers of RFC 3948 that both drivers need on port 4500.
//
// Every payload starts with the generic payload header (RFC 7296 §3.2):
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Next Payload  |C|  RESERVED   |         Payload Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Payload Length counts these 4 octets. The IKE header (message.hpp) names the first payload;
// each payload names the next; SK and SKF name the first payload *inside* their encrypted body
// and end the chain of the message.
//
// Errors (Result's Error) name the byte offset from the start of the IKE message (without any
// non-ESP marker) and the payload: "ike: offset 68: Nonce payload: length 19 below minimum 20".
// Codes: truncated (the input ends inside a unit), oversized (a documented bound is exceeded),
// decode_error (malformed), unknown_type (a TS type other than 7 and 8), unsupported (major
// version not 2; an unknown critical payload). docs/ike-wire.md §4 lists every case.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/wire_ike/message.hpp"

namespace nsslab::wire_ike {

inline constexpr std::uint8_t major_version = 2;
inline constexpr std::size_t header_size = 28;
inline constexpr std::size_t generic_header_size = 4;

// Bounds the decoder enforces (docs/ike-wire.md, "Bounds"). encode() does not check them (it
// only asserts that lengths fit their fields): a sender keeps within them or the peer rejects.
inline constexpr std::size_t max_message_size = 65535;  // one IKE message (a UDP payload)
inline constexpr std::size_t max_payloads = 64;         // per chain: the message, or an inner chain
inline constexpr std::size_t max_proposals = 64;        // per SA payload
inline constexpr std::size_t max_transforms = 128;      // per proposal (Num Transforms is 8 bits)
inline constexpr std::size_t max_transform_attributes = 8;  // per transform
inline constexpr std::size_t max_spi_size = 8;              // IKE SPIs are 8 octets, AH/ESP 4
inline constexpr std::size_t min_nonce_size = 16;           // RFC 7296 §2.10
inline constexpr std::size_t max_nonce_size = 256;          // RFC 7296 §2.10
inline constexpr std::size_t max_ke_data_size = 2048;       // MODP 8192 is 1024 octets
inline constexpr std::size_t max_delete_spis = 1024;        // per Delete payload
inline constexpr std::size_t max_traffic_selectors = 32;    // per TSi / TSr
inline constexpr std::size_t max_cfg_attributes = 64;       // per CP payload
inline constexpr std::size_t max_fragments = 128;  // Total Fragments: 64 KiB in 512-octet pieces

// --- decoding ----------------------------------------------------------------------------------

// Decodes one IKE message (the UDP payload after any non-ESP marker). Checks, in order: at least
// the 28-octet header; size at most max_message_size; major version 2; Length == the input size;
// then the payload chain (decode_payload_chain's checks, with SK/SKF allowed as the last payload;
// their bodies stay opaque). Trailing octets after the chain's last payload are an error.
Result<Message> decode(ByteView message);

// Decodes a chain of payloads starting with `first`, e.g. the decrypted inner payloads of an SK
// (first = Encrypted::first_inner, plaintext without IV, padding, Pad Length and ICV) or of
// reassembled SKF fragments. base_offset is the plaintext's offset in the message, added to every
// offset in error messages. SK and SKF may not appear inside. An empty chain (first = none)
// requires an empty plaintext.
Result<std::vector<Payload>> decode_payload_chain(PayloadType first, ByteView plaintext,
                                                  std::size_t base_offset = 0);

// What a responder answers when decode() or decode_payload_chain() refused a message, read from
// the octets themselves (the generic payload headers only), never from the error text:
// - the first payload type of the chain starting with `first` that the codec does not know and
//   whose critical bit is set, for N(UNSUPPORTED_CRITICAL_PAYLOAD) whose Notification Data is
//   this one octet (RFC 7296 §3.10.1); the walk stops at SK/SKF (their inner chain is walked
//   after decryption) and at a malformed header. The second form walks a whole message's chain.
std::optional<std::uint8_t> unsupported_critical_payload(PayloadType first, ByteView chain);
std::optional<std::uint8_t> unsupported_critical_payload(ByteView message);
// - whether the header's major version is other than 2: N(INVALID_MAJOR_VERSION) (§2.5).
bool invalid_major_version(ByteView message);

// --- encoding ----------------------------------------------------------------------------------

// Encodes a message: the header's Next Payload and Length, every payload's Next Payload and
// Length, and every count are computed. An SK or SKF payload must be the last one (asserted).
Bytes encode(Message const& message);

// Encodes a chain of payloads without a header: the plaintext of an SK payload before padding.
// Its first payload type is payload_type(payloads.front()) (none for an empty chain). SK and SKF
// may not appear in it (asserted).
Bytes encode_payload_chain(std::span<Payload const> payloads);

// The octets of an SK message before its body: the IKE header (Next Payload SK, Length header +
// 4 + body_size) and the SK generic header (Next Payload first_inner, Length 4 + body_size).
// The sender appends IV | ciphertext | ICV (body_size octets in all). These octets are the AEAD
// associated data (RFC 5282 §5.1) and the start of the octets the ICV covers (RFC 7296 §3.14).
Bytes encode_sk_prefix(Header const& header, PayloadType first_inner, std::size_t body_size);

// The same for one SKF fragment (RFC 7383 §2.5): the IKE header, the SKF generic header and
// Fragment Number / Total Fragments, which the AAD of a fragment includes (RFC 7383 §2.5.3).
Bytes encode_skf_prefix(Header const& header, PayloadType first_inner, std::uint16_t number,
                        std::uint16_t total, std::size_t body_size);

// For a message that decode() accepted and whose last payload is SK or SKF: the octets before
// the body (header, any unencrypted payloads, the SK/SKF header: associated data) and the body.
// Views into `message`. nullopt when the last payload is neither.
struct ProtectedParts {
    ByteView prefix;
    ByteView body;
};
std::optional<ProtectedParts> protected_parts(ByteView message, Message const& decoded);

// --- UDP encapsulation (RFC 3948 §2.2, §2.3; RFC 7296 §2.23) ---------------------------------

inline constexpr std::size_t non_esp_marker_size = 4;

// On the NAT-T port an IKE message follows four zero octets (the non-ESP marker); ESP starts
// with a non-zero SPI instead. Returns the IKE message after the marker, or nullopt when the
// datagram does not start with the marker (ESP, a keepalive, or too short).
std::optional<ByteView> strip_non_esp_marker(ByteView datagram);

// The marker followed by `message`, for sending on the NAT-T port.
Bytes add_non_esp_marker(ByteView message);

// A NAT-keepalive: a single octet 0xFF (RFC 3948 §2.3). Receivers ignore it.
bool is_nat_keepalive(ByteView datagram);

}  // namespace nsslab::wire_ike
