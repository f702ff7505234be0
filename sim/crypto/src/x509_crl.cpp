#include "nsslab/crypto/x509_crl.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "key_impl.hpp"
#include "libctx_access.hpp"
#include "nsslab/crypto/openssl_error.hpp"
#include "x509_impl.hpp"

namespace nsslab::crypto {

namespace {

using BioPtr = std::unique_ptr<BIO, BioFree>;
struct CrlFree {
    void operator()(X509_CRL* c) const { X509_CRL_free(c); }
};
struct Asn1TimeFree {
    void operator()(ASN1_TIME* t) const { ASN1_TIME_free(t); }
};

Crl make_crl(X509_CRL* crl) {
    return Crl(std::make_shared<Crl::Impl const>(crl));
}

Bytes serial_bytes(ASN1_INTEGER const* serial) {
    BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr);
    Bytes out(static_cast<std::size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, out.data());
    BN_free(bn);
    if (out.empty())
        out.push_back(0);
    return out;
}

}  // namespace

Crl::Crl() = default;
Crl::~Crl() = default;
Crl::Crl(Crl const&) = default;
Crl& Crl::operator=(Crl const&) = default;
Crl::Crl(Crl&&) noexcept = default;
Crl& Crl::operator=(Crl&&) noexcept = default;
Crl::Crl(std::shared_ptr<Impl const> impl) : impl_(std::move(impl)) {}

Result<Crl> Crl::create(CrlSpec const& spec, Certificate const& issuer,
                        PrivateKey const& issuer_key) {
    X509* const issuer_x509 = native_x509(issuer);
    EVP_PKEY* const pkey = native_pkey(issuer_key);
    if (issuer_x509 == nullptr || pkey == nullptr)
        return fail(Errc::invalid_argument, "Crl::create: empty issuer or key");
    if (!issuer.matches_private_key(issuer_key))
        return fail(Errc::invalid_argument, "Crl::create: issuer key does not match issuer");
    std::unique_ptr<X509_CRL, CrlFree> crl(
        X509_CRL_new_ex(native_context(issuer_key.context()), nullptr));
    if (!crl)
        return openssl_failure("Crl::create");
    X509_CRL_set_version(crl.get(), 1);  // v2
    X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer_x509));
    std::unique_ptr<ASN1_TIME, Asn1TimeFree> t(ASN1_TIME_new());
    set_asn1_time(t.get(), spec.this_update);
    X509_CRL_set1_lastUpdate(crl.get(), t.get());
    set_asn1_time(t.get(), spec.next_update);
    X509_CRL_set1_nextUpdate(crl.get(), t.get());
    for (auto const& r : spec.revoked) {
        X509_REVOKED* rev = X509_REVOKED_new();
        BIGNUM* bn = BN_bin2bn(r.serial.data(), static_cast<int>(r.serial.size()), nullptr);
        ASN1_INTEGER* serial = BN_to_ASN1_INTEGER(bn, nullptr);
        BN_free(bn);
        X509_REVOKED_set_serialNumber(rev, serial);
        ASN1_INTEGER_free(serial);
        set_asn1_time(t.get(), r.revocation_date);
        X509_REVOKED_set_revocationDate(rev, t.get());
        X509_CRL_add0_revoked(crl.get(), rev);
    }
    ASN1_INTEGER* number = ASN1_INTEGER_new();
    ASN1_INTEGER_set_uint64(number, spec.crl_number);
    X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number, 0, 0);
    ASN1_INTEGER_free(number);
    X509_CRL_sort(crl.get());
    EVP_MD const* md = nullptr;
    if (!EVP_PKEY_is_a(pkey, "ED25519")) {
        md = spec.digest == CertDigest::sha384   ? EVP_sha384()
             : spec.digest == CertDigest::sha512 ? EVP_sha512()
                                                 : EVP_sha256();
    }
    if (X509_CRL_sign(crl.get(), pkey, md) <= 0)
        return openssl_failure("Crl::create: sign");
    return make_crl(crl.release());
}

Result<Crl> Crl::load_pem(std::string_view pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr);
    if (crl == nullptr)
        return openssl_failure("Crl::load_pem: no X509 CRL");
    return make_crl(crl);
}

Result<Crl> Crl::load_der(ByteView der) {
    unsigned char const* p = der.data();
    X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size()));
    if (crl == nullptr)
        return openssl_failure("Crl::load_der");
    return make_crl(crl);
}

std::string Crl::to_pem() const {
    if (!impl_)
        return {};
    BioPtr bio(BIO_new(BIO_s_mem()));
    NSSLAB_ASSERT(PEM_write_bio_X509_CRL(bio.get(), impl_->crl) == 1, "PEM_write_bio_X509_CRL");
    return bio_to_string(bio.get());
}

Bytes Crl::to_der() const {
    if (!impl_)
        return {};
    unsigned char* der = nullptr;
    int const len = i2d_X509_CRL(impl_->crl, &der);
    NSSLAB_ASSERT(len > 0, "i2d_X509_CRL");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

DistinguishedName Crl::issuer() const {
    return impl_ ? dn_from_x509_name(X509_CRL_get_issuer(impl_->crl)) : DistinguishedName{};
}
TimePoint Crl::this_update() const {
    return impl_ ? time_from_asn1(X509_CRL_get0_lastUpdate(impl_->crl)) : TimePoint{};
}
TimePoint Crl::next_update() const {
    return impl_ ? time_from_asn1(X509_CRL_get0_nextUpdate(impl_->crl)) : TimePoint{};
}

std::vector<Bytes> Crl::revoked_serials() const {
    std::vector<Bytes> out;
    if (!impl_)
        return out;
    STACK_OF(X509_REVOKED)* revs = X509_CRL_get_REVOKED(impl_->crl);
    for (int i = 0; i < sk_X509_REVOKED_num(revs); ++i)
        out.push_back(serial_bytes(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revs, i))));
    return out;
}

bool Crl::is_revoked(Bytes const& serial) const {
    for (auto const& s : revoked_serials())
        if (s == serial)
            return true;
    return false;
}

}  // namespace nsslab::crypto
