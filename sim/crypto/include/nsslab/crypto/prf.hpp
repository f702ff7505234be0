// IKEv2 pseudorandom functions and prf+ (RFC 7296 section 2.13): PRF_HMAC_SHA2_256/384/512
// (RFC 4868 section 2.2: HMAC with the full hash output, any key length).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"

namespace nsslab::crypto {

// The value is the IANA Transform Type 2 (PRF) number.
enum class PrfAlgorithm : std::uint16_t {
    hmac_sha2_256 = 5,
    hmac_sha2_384 = 6,
    hmac_sha2_512 = 7,
};
// strongSwan's names: "PRF_HMAC_SHA2_256", "PRF_HMAC_SHA2_384", "PRF_HMAC_SHA2_512".
std::string_view to_string(PrfAlgorithm prf);
std::optional<PrfAlgorithm> prf_from_number(std::uint16_t number);
// Output (and preferred key) length in octets: 32, 48, 64.
std::size_t prf_output_size(PrfAlgorithm prf);

// prf(key, data). Errors: Errc::crypto_error if OpenSSL fails.
Result<Bytes> prf(PrfAlgorithm prf, ByteView key, ByteView data);

// prf+(key, seed) truncated to `length` octets: T1 | T2 | ... with
// Tn = prf(key, Tn-1 | seed | n), T0 empty, n one octet from 0x01 (RFC 7296 section 2.13).
// Errors: Errc::invalid_argument if length > 255 * prf_output_size(prf) (n would wrap);
// Errc::crypto_error if OpenSSL fails.
Result<Bytes> prf_plus(PrfAlgorithm prf, ByteView key, ByteView seed, std::size_t length);

}  // namespace nsslab::crypto
