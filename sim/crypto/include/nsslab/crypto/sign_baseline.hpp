// Bench support: raw OpenSSL signing, the baseline (a) of `nsslab bench sign`
// (docs/benchmarks.md). Not used by any protocol path.
//
// sign_repeatedly() makes exactly the OpenSSL calls a program signing one message needs and
// nothing else: per signature EVP_DigestSignInit_ex() (digest by name, the key's library
// context) and one EVP_DigestSign() into a buffer sized once with EVP_PKEY_get_size(); one
// EVP_MD_CTX is reused. No nsslab Result, string or vector is built per signature, so the
// figure is what OpenSSL alone delivers for the key and scheme. The message is the same
// octets the NSS certificate service signs (crypto::sign in signature.hpp).
//
// Randomness (ECDSA k, PSS salt) comes from the key's library context, as for crypto::sign.
// The caller measures time (no clock is read inside sim/).
#pragma once

#include <cstddef>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/crypto/key.hpp"
#include "nsslab/crypto/signature.hpp"

namespace nsslab::crypto {

// Signs `message` `count` (>= 1) times with `key`; returns the last signature (so the caller
// can verify the work was real). Errc::invalid_argument when the scheme does not fit the key
// or count is 0; Errc::crypto_error from OpenSSL.
Result<Bytes> sign_repeatedly(PrivateKey const& key, SignatureScheme scheme, ByteView message,
                              std::size_t count);

}  // namespace nsslab::crypto
