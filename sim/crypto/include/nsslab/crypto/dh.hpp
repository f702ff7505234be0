// IKEv2 Diffie-Hellman: the groups nsslab negotiates, their KE payload encoding and the shared
// secret g^ir, with validation of the peer's public value.
//
// Groups (IANA "Transform Type 4 - Key Exchange Method"):
//   14 MODP-2048 (RFC 3526 section 3): public value g^x mod p, 256 octets big-endian, zero-padded;
//      g^ir likewise 256 octets (RFC 7296 section 2.14). Peer value checked 1 < y < p-1
//      (RFC 6989 section 2.1: enough for a safe-prime group).
//   19/20/21 ECP P-256/P-384/P-521 (RFC 5903 section 7): public value x | y, each coordinate
//      fixed width (32/48/66 octets), no 0x04 prefix; g^ir = the x coordinate only. Peer point
//      checked to be on the curve (RFC 6989 section 2.3).
//   31 Curve25519 (RFC 8031 section 2): public value and g^ir the 32-octet X25519 strings of
//      RFC 7748; an all-zero g^ir is refused (RFC 8031 section 2).
//
// Key pairs are drawn from the LibContext given, so a deterministic context gives the same keys
// in every run with the same seed (DESIGN.md §4). No OpenSSL type appears here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"

namespace nsslab::crypto {

class LibContext;  // nsslab/crypto/openssl_context.hpp

// The value is the IANA Key Exchange Method number carried in the KE payload.
enum class DhGroup : std::uint16_t {
    modp_2048 = 14,
    ecp_256 = 19,
    ecp_384 = 20,
    ecp_521 = 21,
    curve_25519 = 31,
};
// strongSwan's proposal names: "MODP_2048", "ECP_256", "ECP_384", "ECP_521", "CURVE_25519".
std::string_view to_string(DhGroup group);
// The group for an IANA number nsslab implements; nullopt for any other number.
std::optional<DhGroup> dh_group_from_number(std::uint16_t number);
// Octets of the KE payload's Key Exchange Data: 256, 64, 96, 132, 32.
std::size_t dh_public_value_size(DhGroup group);
// Octets of g^ir: 256, 32, 48, 66, 32.
std::size_t dh_shared_secret_size(DhGroup group);

// One side's ephemeral key pair. Move-only; the private value never leaves the object. The
// LibContext it was made in must outlive it (shared_secret() runs in that context).
class DhKey {
  public:
    ~DhKey();
    DhKey(DhKey&&) noexcept;
    DhKey& operator=(DhKey&&) noexcept;
    DhKey(DhKey const&) = delete;
    DhKey& operator=(DhKey const&) = delete;

    // A fresh key pair with randomness from `ctx`.
    // Errors: Errc::crypto_error if OpenSSL fails.
    static Result<DhKey> generate(LibContext& ctx, DhGroup group);

    // The key pair whose private value is `private_value` (known-answer tests): big-endian
    // exponent or scalar for MODP and ECP (at most the group's size, leading zeros allowed),
    // the 32-octet RFC 7748 scalar string for Curve25519. `ctx` may be nullptr (OpenSSL's
    // default context). Errors: Errc::invalid_argument for a zero, out-of-range or wrongly
    // sized value; Errc::crypto_error if OpenSSL fails.
    static Result<DhKey> from_private_value(LibContext* ctx, DhGroup group, ByteView private_value);

    DhGroup group() const { return group_; }
    // The KE payload's Key Exchange Data (dh_public_value_size(group()) octets).
    ByteView public_value() const { return public_value_; }

    // g^ir with the peer's Key Exchange Data. Errors:
    //   Errc::invalid_argument  the peer value has the wrong length, is 0, 1, p-1 or >= p
    //                           (MODP), is not a point on the curve (ECP), or yields an
    //                           all-zero secret (Curve25519); the message says which;
    //   Errc::crypto_error      OpenSSL failed otherwise.
    // The IKE core answers a bad KE with INVALID_SYNTAX or drops the message (RFC 7296 2.21).
    Result<Bytes> shared_secret(ByteView peer_public_value) const;

    struct Impl;

  private:
    DhKey(DhGroup group, std::unique_ptr<Impl> impl, Bytes public_value);

    DhGroup group_;
    std::unique_ptr<Impl> impl_;
    Bytes public_value_;
};

}  // namespace nsslab::crypto
