// IKEv2 key derivation (RFC 7296 sections 2.13, 2.14, 2.17, 2.18):
//
//   SKEYSEED = prf(Ni | Nr, g^ir)
//   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
//   Child SA:  KEYMAT = prf+(SK_d, Ni | Nr)               (no PFS)
//              KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr)  (PFS: KE payloads in CREATE_CHILD_SA)
//   IKE rekey: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the old SA's PRF; the
//              new SA's SK_* then follow from it with the new SA's PRF, nonces and SPIs.
//
// Key lengths: SK_d, SK_pi, SK_pr = the PRF's output; SK_a = the integrity key (none with an
// AEAD cipher, RFC 5282 section 7.1); SK_e = the cipher key, plus a 4-octet salt for AES-GCM.
// With HMAC PRFs the whole of Ni and Nr is the key of SKEYSEED (the "half of each nonce" rule
// of 2.14 only applies to fixed-key-size PRFs, which nsslab does not implement).
// Ni and Nr are the Nonce payload data, SPIi and SPIr the IKE header SPIs (8 octets each,
// written big-endian as on the wire).
#pragma once

#include <cstdint>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/crypto/ike_transforms.hpp"
#include "nsslab/crypto/prf.hpp"

namespace nsslab::crypto {

// The negotiated transforms that shape an IKE SA's keys (the DH group does not).
struct IkeSaSuite {
    EncryptionAlgorithm encryption{EncryptionAlgorithm::aes_gcm_16_256};
    IntegrityAlgorithm integrity{IntegrityAlgorithm::none};
    PrfAlgorithm prf{PrfAlgorithm::hmac_sha2_256};
    bool operator==(IkeSaSuite const&) const = default;
};

// The seven IKE SA keys. Secrets: never trace or log them except into the Wireshark
// decryption table the capture writer produces on purpose.
struct IkeSaKeys {
    Bytes sk_d;
    Bytes sk_ai;  // empty with an AEAD cipher
    Bytes sk_ar;
    Bytes sk_ei;  // key | salt for AES-GCM
    Bytes sk_er;
    Bytes sk_pi;
    Bytes sk_pr;
};

// SKEYSEED = prf(Ni | Nr, g^ir). Errors: Errc::crypto_error.
Result<Bytes> derive_skeyseed(PrfAlgorithm prf, ByteView ni, ByteView nr, ByteView g_ir);

// SKEYSEED for a rekeyed IKE SA = prf(SK_d (old), g^ir (new) | Ni | Nr), where `old_prf` is the
// PRF of the SA being rekeyed and Ni/Nr are the CREATE_CHILD_SA nonces.
// Errors: Errc::crypto_error.
Result<Bytes> derive_rekey_skeyseed(PrfAlgorithm old_prf, ByteView sk_d_old, ByteView g_ir_new,
                                    ByteView ni, ByteView nr);

// The SK_* split of prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) for `suite`.
// Errors: Errc::invalid_argument for an invalid cipher/integrity pair; Errc::crypto_error.
Result<IkeSaKeys> derive_ike_sa_keys(IkeSaSuite const& suite, ByteView skeyseed, ByteView ni,
                                     ByteView nr, std::uint64_t spi_i, std::uint64_t spi_r);

// Child SA KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), `length` octets; pass an empty
// `g_ir_new` without PFS. Errors: Errc::invalid_argument if length exceeds prf+'s limit;
// Errc::crypto_error.
Result<Bytes> derive_child_keymat(PrfAlgorithm prf, ByteView sk_d, ByteView g_ir_new, ByteView ni,
                                  ByteView nr, std::size_t length);

// The four keys of an ESP (or AH) Child SA pair, taken from KEYMAT in RFC 7296 2.17 order:
// initiator-to-responder encryption then integrity, then responder-to-initiator.
struct ChildSaKeys {
    Bytes encryption_i;  // key | salt for AES-GCM (RFC 4106 section 8.1)
    Bytes integrity_i;   // empty with an AEAD cipher
    Bytes encryption_r;
    Bytes integrity_r;
};

// KEYMAT for the Child SA's transforms, split. Errors: as derive_child_keymat, and
// Errc::invalid_argument for an invalid cipher/integrity pair.
Result<ChildSaKeys> derive_child_sa_keys(PrfAlgorithm prf, ByteView sk_d, ByteView g_ir_new,
                                         ByteView ni, ByteView nr, EncryptionAlgorithm encryption,
                                         IntegrityAlgorithm integrity);

}  // namespace nsslab::crypto
