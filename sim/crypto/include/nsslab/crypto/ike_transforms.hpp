// The IKEv2/ESP encryption and integrity transforms nsslab implements, with the key, IV, block
// and ICV sizes that key derivation (ike_keys.hpp) and SK protection (sk_cipher.hpp) need.
//
//   ENCR_AES_CBC (12) with Key Length 128 or 256 (RFC 3602; RFC 7296 section 3.14),
//   ENCR_AES_GCM_16 (20) with Key Length 128 or 256 (RFC 5282 for IKEv2, RFC 4106 for ESP):
//     keying material = key | 4-octet salt, 8-octet explicit IV, 16-octet ICV, no integrity
//     transform;
//   AUTH_HMAC_SHA2_256_128 (12), AUTH_HMAC_SHA2_384_192 (13), AUTH_HMAC_SHA2_512_256 (14)
//     (RFC 4868 section 2.1: key = hash length, ICV = half of it).
// The PRF transforms are in prf.hpp, the key exchange methods in dh.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "nsslab/base/result.hpp"

namespace nsslab::crypto {

enum class EncryptionAlgorithm {
    aes_cbc_128,
    aes_cbc_256,
    aes_gcm_16_128,
    aes_gcm_16_256,
};
// strongSwan's names: "AES_CBC_128", "AES_CBC_256", "AES_GCM_16_128", "AES_GCM_16_256".
std::string_view to_string(EncryptionAlgorithm algorithm);
// IANA Transform Type 1 number (12 or 20) and the Key Length attribute in bits (128 or 256).
std::uint16_t transform_number(EncryptionAlgorithm algorithm);
std::uint16_t key_length_bits(EncryptionAlgorithm algorithm);
// The algorithm for a Transform Type 1 number and Key Length attribute; nullopt if nsslab does
// not implement it (an ENCR_AES_CBC without Key Length attribute is not valid: RFC 7296 3.3.5).
std::optional<EncryptionAlgorithm> encryption_from_transform(std::uint16_t number,
                                                             std::uint16_t key_bits);
bool is_aead(EncryptionAlgorithm algorithm);
// Octets of keying material SK_e (or an ESP encryption key) takes: the AES key, plus the
// 4-octet salt for AES-GCM: 16, 32, 20, 36.
std::size_t encryption_keymat_size(EncryptionAlgorithm algorithm);
// Octets of the explicit IV in the SK payload: 16 (CBC), 8 (GCM).
std::size_t iv_size(EncryptionAlgorithm algorithm);
// The block size padding aligns to: 16 (CBC), 1 (GCM, RFC 5282 has no alignment).
std::size_t block_size(EncryptionAlgorithm algorithm);

// The value is the IANA Transform Type 3 number; none (0) goes with an AEAD cipher.
enum class IntegrityAlgorithm : std::uint16_t {
    none = 0,
    hmac_sha2_256_128 = 12,
    hmac_sha2_384_192 = 13,
    hmac_sha2_512_256 = 14,
};
// "NONE", "HMAC_SHA2_256_128", "HMAC_SHA2_384_192", "HMAC_SHA2_512_256".
std::string_view to_string(IntegrityAlgorithm algorithm);
std::optional<IntegrityAlgorithm> integrity_from_number(std::uint16_t number);
// SK_a length: 0, 32, 48, 64.
std::size_t integrity_key_size(IntegrityAlgorithm algorithm);
// ICV length: 0, 16, 24, 32 (AES-GCM's own 16-octet ICV is counted by the cipher).
std::size_t integrity_icv_size(IntegrityAlgorithm algorithm);

// Ok when the pair is usable: an AEAD cipher with none, a CBC cipher with an HMAC.
// Errors: Errc::invalid_argument naming the pair.
Result<void> check_transform_pair(EncryptionAlgorithm encryption, IntegrityAlgorithm integrity);

}  // namespace nsslab::crypto
