// HMAC (RFC 2104) with the SHA-2 family and SHA-1, one-shot. Used by the RACF enhanced
// PassTicket algorithm (HMAC-SHA-512, reference/zos-nss-facts.md §8.3) and available to any
// layer above crypto. OpenSSL 3 EVP_MAC underneath; no OpenSSL type in this header.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"

namespace nsslab::crypto {

enum class HmacHash { sha1, sha256, sha384, sha512 };

std::string_view to_string(HmacHash hash);
// Output length in bytes: 20, 32, 48, 64.
std::size_t hmac_size(HmacHash hash);

// HMAC_hash(key, data). Any key length, including empty (RFC 2104 pads with zeros).
// Errors: Errc::crypto_error if OpenSSL fails (message never contains key bytes).
Result<Bytes> hmac(HmacHash hash, ByteView key, ByteView data);

using HmacSha512 = std::array<std::uint8_t, 64>;
Result<HmacSha512> hmac_sha512(ByteView key, ByteView data);

}  // namespace nsslab::crypto
