// Private to sim/tls: builds a CertificateInfo from an OpenSSL X509.
#pragma once

#include <openssl/x509.h>

#include "nsslab/tls/identity.hpp"

namespace nsslab::tls {

CertificateInfo certificate_info(X509* cert);

}  // namespace nsslab::tls
