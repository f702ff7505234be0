// Single-DES block encryption (FIPS 46-3, ECB, one 8-byte block, no padding): the cipher of
// the RACF legacy PassTicket algorithm (reference/zos-nss-facts.md §8.1). Nothing else in
// nsslab may use single DES.
//
// OpenSSL 3 keeps DES in its *legacy* provider. This unit loads that provider into a private
// OSSL_LIB_CTX that it owns (created on first use, freed at exit), so no other library
// context, in particular the simulator's per-host contexts (DESIGN.md §4), sees the legacy
// algorithms. No OpenSSL type appears in this header.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"

namespace nsslab::crypto {

inline constexpr std::size_t des_block_size = 8;
inline constexpr std::size_t des_key_size = 8;
using DesBlock = std::array<std::uint8_t, des_block_size>;

// A DES key schedule that encrypts single blocks. Parity bits of the key are ignored, weak
// keys are accepted (RACF accepts any 64-bit PTKTDATA key). Move-only.
class DesEncryptor {
  public:
    // Errc::invalid_argument if key.size() != 8 (the message never contains key bytes);
    // Errc::crypto_error if the legacy provider cannot be loaded.
    static Result<DesEncryptor> create(ByteView key);

    DesEncryptor(DesEncryptor&&) noexcept;
    DesEncryptor& operator=(DesEncryptor&&) noexcept;
    ~DesEncryptor();

    DesBlock encrypt(DesBlock const& block);

  private:
    struct Impl;
    explicit DesEncryptor(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// One-shot: E_key(block). Errors as DesEncryptor::create, plus invalid_argument if
// block.size() != 8.
Result<DesBlock> des_encrypt_block(ByteView key, ByteView block);

}  // namespace nsslab::crypto
