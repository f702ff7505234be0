// ECDSA signature encodings: DER Ecdsa-Sig-Value (RFC 3279 section 2.2.3; what OpenSSL, the NSS
// certificate service and IKEv2 AUTH method 14 carry) and the fixed-width raw r | s of IKEv2
// AUTH methods 9/10/11 (RFC 4754 section 7: r and s each as wide as the curve's order,
// 32/48/66 octets).
#pragma once

#include <cstddef>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"

namespace nsslab::crypto {

enum class EcdsaCurve { p256, p384, p521 };
// Octets of r (and of s) in the raw form: 32, 48, 66.
std::size_t ecdsa_scalar_size(EcdsaCurve curve);

// DER SEQUENCE { INTEGER r, INTEGER s } -> r | s, each left-padded to the curve's width.
// Errors: Errc::decode_error if `der` is not exactly one strict DER Ecdsa-Sig-Value, if r or s is
// zero or negative, or wider than the curve allows.
Result<Bytes> ecdsa_der_to_raw(ByteView der, EcdsaCurve curve);

// r | s (2 * ecdsa_scalar_size(curve) octets) -> minimal DER Ecdsa-Sig-Value.
// Errors: Errc::invalid_argument for a wrong length or a zero r or s.
Result<Bytes> ecdsa_raw_to_der(ByteView raw, EcdsaCurve curve);

}  // namespace nsslab::crypto
