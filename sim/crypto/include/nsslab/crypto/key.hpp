// Asymmetric keys: generation (RSA 2048/3072/4096, ECDSA P-256/P-384/P-521, Ed25519), PEM
// load/save (PKCS#8 private keys, SubjectPublicKeyInfo public keys) and public-key export.
//
// OpenSSL 3 EVP keys behind an opaque handle (no OpenSSL type in this header). Key generation
// draws randomness from the LibContext given (DESIGN.md §4: one seeded OSSL_LIB_CTX per
// simulated host); nullptr means OpenSSL's default context. A key remembers the context it was
// created or loaded in and later operations on it (signing) use that same context.
//
// A PrivateKey is never printable: there is no operator<< and no to_string for it. The only way
// to get the private part out is export_private_pem_unsafe(), meant for writing key files.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"

namespace nsslab::crypto {

class LibContext;  // nsslab/crypto/openssl_context.hpp

// The key shapes nsslab generates.
enum class KeyType {
    rsa_2048,
    rsa_3072,
    rsa_4096,
    ec_p256,
    ec_p384,
    ec_p521,
    ed25519,
};
// "RSA-2048", "ECDSA-P256", ... "Ed25519".
std::string_view to_string(KeyType type);
std::optional<KeyType> key_type_from_string(std::string_view name);

// Family of a key, whatever its size.
enum class KeyAlgorithm { rsa, ec, ed25519, other };
// "RSA", "EC", "ED25519", "other".
std::string_view to_string(KeyAlgorithm algorithm);

class PublicKey {
  public:
    PublicKey();  // empty: valid() is false
    ~PublicKey();
    PublicKey(PublicKey const&);
    PublicKey& operator=(PublicKey const&);
    PublicKey(PublicKey&&) noexcept;
    PublicKey& operator=(PublicKey&&) noexcept;

    // "-----BEGIN PUBLIC KEY-----" (SubjectPublicKeyInfo).
    static Result<PublicKey> load_pem(LibContext* ctx, std::string_view pem);
    // DER SubjectPublicKeyInfo.
    static Result<PublicKey> load_der(LibContext* ctx, ByteView der);

    bool valid() const { return impl_ != nullptr; }
    KeyAlgorithm algorithm() const;
    // Modulus bits for RSA, field bits for EC (256/384/521), 256 for Ed25519 (OpenSSL 3.0).
    int bits() const;
    // The KeyType this key matches, if it is one nsslab generates (RSA-1024 gives nullopt).
    std::optional<KeyType> key_type() const;
    // Human-readable, never secret: "RSA-2048", "ECDSA-P256", "Ed25519".
    std::string description() const;

    Result<std::string> to_pem() const;
    Result<Bytes> to_der() const;  // SubjectPublicKeyInfo

    // Same key material (EVP_PKEY_eq).
    bool equals(PublicKey const& other) const;

    struct Impl;
    Impl const* impl() const { return impl_.get(); }
    explicit PublicKey(std::shared_ptr<Impl const> impl);

  private:
    std::shared_ptr<Impl const> impl_;
};

class PrivateKey {
  public:
    PrivateKey();  // empty: valid() is false
    ~PrivateKey();
    PrivateKey(PrivateKey const&);  // shares the same immutable key
    PrivateKey& operator=(PrivateKey const&);
    PrivateKey(PrivateKey&&) noexcept;
    PrivateKey& operator=(PrivateKey&&) noexcept;

    // Generates a fresh key with randomness from `ctx`.
    static Result<PrivateKey> generate(LibContext* ctx, KeyType type);
    // Unencrypted PEM: PKCS#8 "PRIVATE KEY" (also traditional "RSA/EC PRIVATE KEY").
    static Result<PrivateKey> load_pem(LibContext* ctx, std::string_view pem);
    // An Ed25519 key from its 32-octet seed (RFC 8032 section 5.1.5 "private key").
    static Result<PrivateKey> from_ed25519_seed(LibContext* ctx, ByteView seed);

    bool valid() const { return impl_ != nullptr; }
    KeyAlgorithm algorithm() const;
    int bits() const;
    std::optional<KeyType> key_type() const;
    // Describes the key type only, e.g. "RSA-2048"; never any key material.
    std::string algorithm_name() const;
    PublicKey public_key() const;
    // The library context the key was generated/loaded in (nullptr = default context).
    LibContext* context() const;

    // PKCS#8 unencrypted PEM ("-----BEGIN PRIVATE KEY-----"). Only for writing key files:
    // never log, trace or display the result.
    Result<std::string> export_private_pem_unsafe() const;

    struct Impl;
    Impl const* impl() const { return impl_.get(); }
    explicit PrivateKey(std::shared_ptr<Impl const> impl);

  private:
    std::shared_ptr<Impl const> impl_;
};

}  // namespace nsslab::crypto
