// Protection of the Encrypted payload SK (RFC 7296 section 3.14) and of each Encrypted Fragment
// SKF (RFC 7383 section 2.5), for one direction of one IKE SA (SK_ei/SK_ai or SK_er/SK_ar).
//
// Works on byte ranges only, not on the IKE codec. For a message
//
//   IKE header | ... | SK generic header | IV | ciphertext | ICV
//   \_____________ aad ________________/   \______ body ______/
//
// `aad` is everything from the first octet of the IKE header up to and including the SK (or
// SKF) payload header, with the final Length fields already filled in (body_size() gives the
// body's size before encrypting). The ciphertext holds: inner payloads | Padding | Pad Length.
//
//   AES-CBC + HMAC (RFC 7296 3.14): IV random, 16 octets; padding to the 16-octet block (zero
//     octets); ICV = HMAC(SK_a, aad | IV | ciphertext) truncated (encrypt-then-MAC).
//   AES-GCM-16 (RFC 5282 sections 3-5): nonce = salt (last 4 octets of SK_e) | 8-octet IV
//     (random); AAD = aad; no padding (Pad Length 0); 16-octet ICV.
//
// IVs come from the LibContext given to protect(), so a deterministic context makes the
// ciphertext reproducible (DESIGN.md §4). GCM IVs are random too: RFC 5282 asks only that an IV
// never repeat under one key, and 64 random bits over the few messages of an IKE SA make a
// repeat negligible.
#pragma once

#include <memory>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/crypto/ike_transforms.hpp"

namespace nsslab::crypto {

class LibContext;  // nsslab/crypto/openssl_context.hpp

class SkCipher {
  public:
    ~SkCipher();
    SkCipher(SkCipher&&) noexcept;
    SkCipher& operator=(SkCipher&&) noexcept;
    SkCipher(SkCipher const&) = delete;
    SkCipher& operator=(SkCipher const&) = delete;

    // `encryption_key` = SK_e (encryption_keymat_size(encryption) octets, salt included for
    // GCM); `integrity_key` = SK_a (integrity_key_size(integrity) octets, empty for GCM).
    // Errors: Errc::invalid_argument for a bad pair or key length; Errc::crypto_error.
    static Result<SkCipher> create(EncryptionAlgorithm encryption, IntegrityAlgorithm integrity,
                                   ByteView encryption_key, ByteView integrity_key);

    EncryptionAlgorithm encryption() const { return encryption_; }
    IntegrityAlgorithm integrity() const { return integrity_; }
    std::size_t iv_size() const;
    // ICV octets at the end of the body: the HMAC truncation or 16 for GCM.
    std::size_t icv_size() const;
    // IV | ciphertext | ICV size for `inner_size` octets of inner payloads.
    std::size_t body_size(std::size_t inner_size) const;

    // The SK payload body (IV | ciphertext | ICV) protecting `inner` under `aad`; the IV is
    // drawn from `ctx`. Errors: Errc::crypto_error (OpenSSL or the RNG failed).
    Result<Bytes> protect(LibContext& ctx, ByteView aad, ByteView inner) const;
    // Same with a given IV (iv_size() octets): for known-answer tests only; an IKE SA must
    // never reuse an IV under one key. Errors: Errc::invalid_argument for a wrong IV size.
    Result<Bytes> protect_with_iv(ByteView iv, ByteView aad, ByteView inner) const;

    // The inner payloads of a received SK/SKF payload (padding and Pad Length removed), after
    // the ICV over `aad` and `body` verified. Errors, checked in this order:
    //   Errc::truncated     body shorter than IV + one block + ICV;
    //   Errc::decode_error  CBC ciphertext not a whole number of blocks;
    //   Errc::auth_failed   ICV mismatch: the message was altered or is not for this key;
    //   Errc::decode_error  Pad Length larger than the decrypted data (only possible after a
    //                       valid ICV, so the peer built it so);
    //   Errc::crypto_error  OpenSSL failed.
    // The IKE core drops the message in every case and counts the reason (RFC 7296 2.21.2);
    // it must not answer an ICV failure.
    Result<Bytes> unprotect(ByteView aad, ByteView body) const;

    struct Impl;

  private:
    SkCipher(EncryptionAlgorithm encryption, IntegrityAlgorithm integrity,
             std::unique_ptr<Impl> impl);

    EncryptionAlgorithm encryption_;
    IntegrityAlgorithm integrity_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace nsslab::crypto
