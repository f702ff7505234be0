// Digital signatures over message octets (not pre-computed digests): RSA PKCS#1 v1.5 and
// RSA-PSS (RFC 8017; PSS with MGF1 of the same hash and salt length = hash length, as RFC 7427
// and TLS 1.3 use), ECDSA (FIPS 186-4; DER-encoded Ecdsa-Sig-Value, RFC 3279) and pure
// Ed25519 (RFC 8032). Serves the NSS certificate service (sign/verify on behalf of IKED) and
// IKEv2 AUTH method 14 (RFC 7427).
//
// Signing draws randomness (PSS salt, ECDSA k) from the signing key's library context.
#pragma once

#include <optional>
#include <string_view>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/key.hpp"

namespace nsslab::crypto {

enum class SignatureScheme {
    rsa_pkcs1_sha256,
    rsa_pkcs1_sha384,
    rsa_pkcs1_sha512,
    rsa_pss_sha256,
    rsa_pss_sha384,
    rsa_pss_sha512,
    ecdsa_sha256,
    ecdsa_sha384,
    ecdsa_sha512,
    ed25519,
};
// Name table: "rsa_pkcs1_sha256", ..., "ecdsa_sha512", "ed25519".
std::string_view to_string(SignatureScheme scheme);
std::optional<SignatureScheme> signature_scheme_from_string(std::string_view name);
// Which key family a scheme needs.
KeyAlgorithm key_algorithm_for(SignatureScheme scheme);
// A sensible default scheme for a key: RSA -> PKCS#1 v1.5 SHA-256, P-256 -> ECDSA SHA-256,
// P-384 -> ECDSA SHA-384, P-521 -> ECDSA SHA-512, Ed25519 -> ed25519.
std::optional<SignatureScheme> default_scheme_for(PublicKey const& key);

// Signs `message`. Errc::invalid_argument when the scheme does not fit the key.
Result<Bytes> sign(PrivateKey const& key, SignatureScheme scheme, ByteView message);

// Ok when `signature` is valid for `message`; Errc::auth_failed when it is not;
// Errc::invalid_argument when the scheme does not fit the key.
Result<void> verify(PublicKey const& key, SignatureScheme scheme, ByteView message,
                    ByteView signature);
// Same with the certificate's public key (no chain or validity check: see x509_verify.hpp).
Result<void> verify(Certificate const& certificate, SignatureScheme scheme, ByteView message,
                    ByteView signature);

}  // namespace nsslab::crypto
