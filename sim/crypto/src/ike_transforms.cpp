#include "nsslab/crypto/ike_transforms.hpp"

#include <string>

namespace nsslab::crypto {

std::string_view to_string(EncryptionAlgorithm algorithm) {
    switch (algorithm) {
        case EncryptionAlgorithm::aes_cbc_128:
            return "AES_CBC_128";
        case EncryptionAlgorithm::aes_cbc_256:
            return "AES_CBC_256";
        case EncryptionAlgorithm::aes_gcm_16_128:
            return "AES_GCM_16_128";
        case EncryptionAlgorithm::aes_gcm_16_256:
            return "AES_GCM_16_256";
    }
    return "unknown";
}

std::uint16_t transform_number(EncryptionAlgorithm algorithm) {
    return is_aead(algorithm) ? 20 : 12;
}

std::uint16_t key_length_bits(EncryptionAlgorithm algorithm) {
    switch (algorithm) {
        case EncryptionAlgorithm::aes_cbc_128:
        case EncryptionAlgorithm::aes_gcm_16_128:
            return 128;
        case EncryptionAlgorithm::aes_cbc_256:
        case EncryptionAlgorithm::aes_gcm_16_256:
            return 256;
    }
    NSSLAB_ASSERT(false, "unknown EncryptionAlgorithm");
    return 0;
}

std::optional<EncryptionAlgorithm> encryption_from_transform(std::uint16_t number,
                                                             std::uint16_t key_bits) {
    if (number == 12 && key_bits == 128)
        return EncryptionAlgorithm::aes_cbc_128;
    if (number == 12 && key_bits == 256)
        return EncryptionAlgorithm::aes_cbc_256;
    if (number == 20 && key_bits == 128)
        return EncryptionAlgorithm::aes_gcm_16_128;
    if (number == 20 && key_bits == 256)
        return EncryptionAlgorithm::aes_gcm_16_256;
    return std::nullopt;
}

bool is_aead(EncryptionAlgorithm algorithm) {
    return algorithm == EncryptionAlgorithm::aes_gcm_16_128 ||
           algorithm == EncryptionAlgorithm::aes_gcm_16_256;
}

std::size_t encryption_keymat_size(EncryptionAlgorithm algorithm) {
    std::size_t const key = key_length_bits(algorithm) / 8u;
    return is_aead(algorithm) ? key + 4 : key;
}

std::size_t iv_size(EncryptionAlgorithm algorithm) {
    return is_aead(algorithm) ? 8 : 16;
}

std::size_t block_size(EncryptionAlgorithm algorithm) {
    return is_aead(algorithm) ? 1 : 16;
}

std::string_view to_string(IntegrityAlgorithm algorithm) {
    switch (algorithm) {
        case IntegrityAlgorithm::none:
            return "NONE";
        case IntegrityAlgorithm::hmac_sha2_256_128:
            return "HMAC_SHA2_256_128";
        case IntegrityAlgorithm::hmac_sha2_384_192:
            return "HMAC_SHA2_384_192";
        case IntegrityAlgorithm::hmac_sha2_512_256:
            return "HMAC_SHA2_512_256";
    }
    return "unknown";
}

std::optional<IntegrityAlgorithm> integrity_from_number(std::uint16_t number) {
    if (number == 0 || (number >= 12 && number <= 14))
        return static_cast<IntegrityAlgorithm>(number);
    return std::nullopt;
}

std::size_t integrity_key_size(IntegrityAlgorithm algorithm) {
    switch (algorithm) {
        case IntegrityAlgorithm::none:
            return 0;
        case IntegrityAlgorithm::hmac_sha2_256_128:
            return 32;
        case IntegrityAlgorithm::hmac_sha2_384_192:
            return 48;
        case IntegrityAlgorithm::hmac_sha2_512_256:
            return 64;
    }
    NSSLAB_ASSERT(false, "unknown IntegrityAlgorithm");
    return 0;
}

std::size_t integrity_icv_size(IntegrityAlgorithm algorithm) {
    return integrity_key_size(algorithm) / 2;
}

Result<void> check_transform_pair(EncryptionAlgorithm encryption, IntegrityAlgorithm integrity) {
    bool const aead = is_aead(encryption);
    if (aead == (integrity == IntegrityAlgorithm::none))
        return {};
    return fail(Errc::invalid_argument,
                std::string(to_string(encryption)) + " with integrity " +
                    std::string(to_string(integrity)) + ": " +
                    (aead ? "an AEAD cipher takes no integrity transform (RFC 5282 section 8)"
                          : "a CBC cipher needs an integrity transform (RFC 7296 section 3.3)"));
}

}  // namespace nsslab::crypto
