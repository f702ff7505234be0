// Private to sim/crypto: the OpenSSL objects behind Certificate and Crl.
#pragma once

#include <openssl/x509.h>

#include <string>

#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/x509_crl.hpp"

namespace nsslab::crypto {

struct Certificate::Impl {
    X509* x509{nullptr};
    LibContext* ctx{nullptr};
    Impl(X509* x, LibContext* c) : x509(x), ctx(c) {}
    ~Impl() { X509_free(x509); }
    Impl(Impl const&) = delete;
    Impl& operator=(Impl const&) = delete;
};

struct Crl::Impl {
    X509_CRL* crl{nullptr};
    explicit Impl(X509_CRL* c) : crl(c) {}
    ~Impl() { X509_CRL_free(crl); }
    Impl(Impl const&) = delete;
    Impl& operator=(Impl const&) = delete;
};

// Takes ownership.
Certificate make_certificate(X509* x509, LibContext* ctx);
inline X509* native_x509(Certificate const& c) {
    return c.impl() ? c.impl()->x509 : nullptr;
}
inline X509_CRL* native_crl(Crl const& c) {
    return c.impl() ? c.impl()->crl : nullptr;
}

// Helpers shared by certificate.cpp and crl.cpp.
DistinguishedName dn_from_x509_name(X509_NAME const* name);
TimePoint time_from_asn1(ASN1_TIME const* t);
bool set_asn1_time(ASN1_TIME* t, TimePoint tp);
std::string bio_to_string(BIO* bio);

}  // namespace nsslab::crypto
