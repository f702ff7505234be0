// One-shot message digests: SHA-1 (FIPS 180-4) for the IKEv2 CERTREQ Certification Authority
// field (RFC 7296 §3.7: SHA-1 of a CA's SubjectPublicKeyInfo) and NAT detection (§2.23), and
// SHA-256 for IKEv2 cookies (§2.6). OpenSSL 3 EVP_Q_digest underneath (default library
// context: a digest draws no randomness); no OpenSSL type in this header.
#pragma once

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"

namespace nsslab::crypto {

inline constexpr std::size_t sha1_size = 20;
inline constexpr std::size_t sha256_size = 32;

// Errors: Errc::crypto_error if OpenSSL fails.
Result<Bytes> sha1(ByteView data);
Result<Bytes> sha256(ByteView data);

}  // namespace nsslab::crypto
