// One OpenSSL library context (OSSL_LIB_CTX) per simulated host, with deterministic randomness.
//
// DESIGN.md §4 "Determinism": the same scenario and seed must give the same bytes, so every
// simulated host draws OpenSSL randomness from its own seeded stream. A deterministic
// LibContext installs a small built-in provider ("nsslab-seeded", see rand_provider.hpp) whose
// EVP_RAND yields an unlimited stream derived from (seed, name), and makes it the type of the
// context's seed source and of its primary, public and private DRBGs before any DRBG exists.
// The default provider is loaded too, for every other algorithm.
//
// A system LibContext is an ordinary library context with OpenSSL's normal randomness; the real
// runtime (Boost.Asio daemons, interop, benchmarks) uses it.
//
// Everything in crypto/ and tls/ that creates keys, signs, or speaks TLS takes a LibContext so
// it uses that host's randomness. The public header exposes no OpenSSL type; crypto and tls
// sources reach the OSSL_LIB_CTX through the private header sim/crypto/src/libctx_access.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "nsslab/base/result.hpp"

namespace nsslab::crypto {

class LibContext {
  public:
    // A context whose randomness is the seeded stream for (seed, name); two contexts built from
    // the same (seed, name) produce the same random bytes, keys, signatures and TLS transcripts
    // when driven with the same calls in the same order. `name` distinguishes hosts
    // (e.g. "SYSTEMA"), so hosts of one run differ. Randomness is not secret: simulation only.
    static Result<std::unique_ptr<LibContext>> deterministic(std::uint64_t seed,
                                                             std::string_view name);

    // A context with OpenSSL's normal (operating system seeded) randomness.
    static Result<std::unique_ptr<LibContext>> system();

    ~LibContext();
    LibContext(LibContext const&) = delete;
    LibContext& operator=(LibContext const&) = delete;

    bool is_deterministic() const { return deterministic_; }
    // The host name given to deterministic(), "system" otherwise.
    std::string const& name() const { return name_; }

    // RAND_bytes_ex on this context (public DRBG).
    Result<void> random_bytes(std::span<std::uint8_t> out);

    struct Native;  // owns the OSSL_LIB_CTX; defined in openssl_context.cpp

  private:
    LibContext(std::unique_ptr<Native> native, bool deterministic, std::string name);

    std::unique_ptr<Native> native_;
    bool deterministic_{false};
    std::string name_;

    friend Native* native_of(LibContext* ctx);
};

}  // namespace nsslab::crypto
