// The individual steps of the RACF PassTicket algorithms (reference/zos-nss-facts.md §8.1,
// §8.3), exposed so that tests can check each against published component vectors (IBM's
// translation example 07247F79 -> QHOAH1TV, the time-coder padding examples) and so that
// the time-coder inversion used by PassTicketValidator can be property-tested.
// Applications call generate_passticket / PassTicketValidator (passticket.hpp) instead.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"

namespace nsslab::zos::passticket_steps {

// A user ID or application name (1-8 of A-Z 0-9 @ # $, lower case folded) as EBCDIC
// IBM-1047, blank (X'40') padded to 8 bytes.
Result<std::array<std::uint8_t, 8>> ebcdic_name(std::string_view name);

// Legacy time-coder padding: the user ID's EBCDIC bytes, unpadded, left-justified in 12
// bytes filled with X'55' (PAD1 = bytes 0..5, PAD2 = bytes 6..11).
Result<std::array<std::uint8_t, 12>> legacy_time_coder_pad(std::string_view user);

// Legacy permutation of round 1..6: output bit j = input bit table[j] (bit 1 = MSB).
std::uint16_t legacy_permute(std::uint16_t value, int round);
std::uint16_t legacy_unpermute(std::uint16_t value, int round);

// Legacy step 6: 32-bit Result-5 to 8 characters of A-Z0-9.
std::string legacy_translate(std::uint32_t result5);
// Every Result-5 that translates to `ticket` (empty if it is not 8 characters of A-Z0-9).
std::vector<std::uint32_t> legacy_untranslate(std::string_view ticket);

// Legacy step 5 (Result-4 -> Result-5) and its inverse, keyed by an 8-byte DES key.
Result<std::uint32_t> legacy_time_coder(ByteView key, std::string_view user, std::uint32_t result4);
Result<std::uint32_t> legacy_time_decoder(ByteView key, std::string_view user,
                                          std::uint32_t result5);

// Enhanced step 6: 48-bit value to 8 characters (UPPER: base 36 over 0-9A-Z; MIXED: base 64
// over 0-9A-Za-z-_), and back (nullopt if not a possible ticket of that type).
std::string enhanced_translate(std::uint64_t value, bool upper);
std::optional<std::uint64_t> enhanced_untranslate(std::string_view ticket, bool upper);

// Enhanced step 5 on the 48-bit value and its inverse (for UPPER, the inverse assumes the
// generation time is below 2^41 s; see passticket.cpp).
Result<std::uint64_t> enhanced_time_coder(ByteView key, std::string_view user,
                                          std::string_view appl, bool upper, std::uint64_t value);
Result<std::uint64_t> enhanced_time_decoder(ByteView key, std::string_view user,
                                            std::string_view appl, bool upper, std::uint64_t value);

}  // namespace nsslab::zos::passticket_steps
