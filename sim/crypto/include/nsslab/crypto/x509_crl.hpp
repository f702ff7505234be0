// X.509 v2 certificate revocation lists (RFC 5280 section 5): creation for an issuer with a
// list of revoked serial numbers, PEM/DER load/save. Used by chain verification
// (x509_verify.hpp) and by scenarios that revoke the NSS server's or a client's certificate.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/key.hpp"

namespace nsslab::crypto {

struct RevokedCertificate {
    Bytes serial;  // big-endian, as Certificate::serial()
    TimePoint revocation_date{};
};

struct CrlSpec {
    std::vector<RevokedCertificate> revoked;
    TimePoint this_update{};
    TimePoint next_update{};
    std::uint64_t crl_number{1};  // cRLNumber extension
    CertDigest digest{CertDigest::sha256};
};

class Crl {
  public:
    Crl();
    ~Crl();
    Crl(Crl const&);
    Crl& operator=(Crl const&);
    Crl(Crl&&) noexcept;
    Crl& operator=(Crl&&) noexcept;

    // Signed by `issuer_key`, which must match `issuer`.
    static Result<Crl> create(CrlSpec const& spec, Certificate const& issuer,
                              PrivateKey const& issuer_key);
    static Result<Crl> load_pem(std::string_view pem);
    static Result<Crl> load_der(ByteView der);

    bool valid() const { return impl_ != nullptr; }
    std::string to_pem() const;
    Bytes to_der() const;
    DistinguishedName issuer() const;
    TimePoint this_update() const;
    TimePoint next_update() const;
    std::vector<Bytes> revoked_serials() const;
    bool is_revoked(Bytes const& serial) const;

    struct Impl;
    Impl const* impl() const { return impl_.get(); }
    explicit Crl(std::shared_ptr<Impl const> impl);

  private:
    std::shared_ptr<Impl const> impl_;
};

}  // namespace nsslab::crypto
