// The "nsslab-seeded" OpenSSL provider: an EVP_RAND that yields an unlimited deterministic
// stream (DESIGN.md §4 "Determinism").
//
// OpenSSL 3.0's TEST-RAND only replays a finite buffer and its built-in DRBGs mix pid, thread
// id and wall time into their nonces, so a simulated host gets this provider instead. The
// generator is ChaCha20 (RFC 8439 block function) with fast key erasure: every instance holds a
// 256-bit key; a root instance (the context's seed source) derives its key from the provider
// key and an instance counter, a child instance (primary, public, private DRBG) draws its key
// from its parent. Not for protecting real secrets: it exists to make runs reproducible.
//
// Private to sim/crypto (uses OpenSSL types).
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstdint>

#include "nsslab/base/result.hpp"

namespace nsslab::crypto {

inline constexpr char const* seeded_provider_name = "nsslab-seeded";
inline constexpr char const* seeded_rand_name = "NSSLAB-SEEDED";
inline constexpr char const* seeded_rand_properties = "provider=nsslab-seeded";

// Registers the provider in `libctx`, loads it with `key` as its root key, and makes
// NSSLAB-SEEDED the type of the seed source and of the primary/public/private DRBGs. Must run
// before anything draws randomness from `libctx`. Returns the loaded provider (owned by the
// caller: OSSL_PROVIDER_unload before OSSL_LIB_CTX_free).
Result<OSSL_PROVIDER*> install_seeded_rand(OSSL_LIB_CTX* libctx,
                                           std::array<std::uint8_t, 32> const& key);

// ChaCha20 block function (RFC 8439 §2.3), exposed for the known-answer test.
void chacha20_block(std::array<std::uint32_t, 8> const& key, std::uint32_t counter,
                    std::array<std::uint32_t, 3> const& nonce, std::uint8_t out[64]);

}  // namespace nsslab::crypto
