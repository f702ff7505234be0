// RFC 7427 "Signature Authentication in IKEv2": the ASN.1 AlgorithmIdentifier that AUTH method
// 14 (Digital Signature) carries before the signature, and the hash algorithm numbers of the
// SIGNATURE_HASH_ALGORITHMS notify (RFC 7427 section 4; RFC 8420 for Identity).
//
// Authentication Data (RFC 7427 section 3) = ASN.1 Length (1 octet) | AlgorithmIdentifier DER |
// Signature Value. nsslab sends the DER forms of RFC 7427 Appendix A (A.1.2-A.1.4 PKCS#1 v1.5,
// A.3.2-A.3.4 ECDSA, A.4.3 as corrected by the errata for RSASSA-PSS: MGF1 with the same hash,
// salt length = hash length, trailerField omitted; Ed25519 per RFC 8420) and accepts on receipt
// also the explicitly encoded DEFAULT fields RFC 7427 A.4.3 prints (trailerField 1, NULL hash
// parameters present or absent).
//
// The schemes are crypto::SignatureScheme (signature.hpp), whose names are those of the NSS
// protocol's SignatureScheme (sim/wire/nss messages.hpp, docs/nss-protocol.md 5.1); layers
// that hold both (nss, iked) map them by name. RSA with SHA-1 (AUTH method 1), ECDSA with SHA-1,
// DSA and Ed448 have no scheme: parsing them reports Errc::unsupported.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/crypto/signature.hpp"

namespace nsslab::crypto {

// The DER AlgorithmIdentifier nsslab sends for `scheme` (a static table; never empty).
ByteView signature_algorithm_identifier(SignatureScheme scheme);

// The scheme of a received AlgorithmIdentifier (exactly one DER/BER TLV, no trailing octets).
// Errors, each naming the offset or the algorithm:
//   Errc::decode_error  not a well-formed AlgorithmIdentifier (lengths, tags, trailing data,
//                       RSASSA-PSS parameters with an unexpected structure);
//   Errc::truncated     ends inside a length or value;
//   Errc::unsupported   a known algorithm nsslab does not implement: sha1WithRSAEncryption,
//                       ecdsa-with-SHA1, DSA, Ed448, RSASSA-PSS with SHA-1 (the defaults), with
//                       an MGF1 hash different from the hash, or a salt length other than the
//                       hash length;
//   Errc::unknown_type  an OID this table does not know (the message shows it in hex).
Result<SignatureScheme> parse_signature_algorithm_identifier(ByteView der);

// An AUTH method 14 Authentication Data split into scheme and signature value (a view into
// `auth_data`). Errors: as parse_signature_algorithm_identifier, and Errc::truncated /
// Errc::decode_error when the ASN.1 Length octet does not fit `auth_data` or the signature
// value is empty.
struct SignatureAuthData {
    SignatureScheme scheme;
    ByteView signature;
};
Result<SignatureAuthData> parse_signature_auth_data(ByteView auth_data);

// ASN.1 Length | AlgorithmIdentifier | signature: the Authentication Data to send.
Bytes signature_auth_data(SignatureScheme scheme, ByteView signature);

// Hash algorithm numbers of the SIGNATURE_HASH_ALGORITHMS notify (IANA "IKEv2 Hash Algorithms").
enum class SignatureHash : std::uint16_t {
    sha1 = 1,
    sha2_256 = 2,
    sha2_384 = 3,
    sha2_512 = 4,
    identity = 5,
};
// "sha1", "sha256", "sha384", "sha512", "identity" (as charon logs them).
std::string_view to_string(SignatureHash hash);
std::optional<SignatureHash> signature_hash_from_number(std::uint16_t number);
// The hash a scheme signs with; Ed25519 -> identity (RFC 8420 section 2).
SignatureHash signature_hash_of(SignatureScheme scheme);

}  // namespace nsslab::crypto
