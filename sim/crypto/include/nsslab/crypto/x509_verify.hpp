// Certificate chain verification (RFC 5280 section 6, as implemented by OpenSSL's
// X509_verify_cert) at a given time, with optional CRL checking.
//
// The verification time is always an argument (X509_VERIFY_PARAM_set_time), so simulated
// clock offsets and expired/not-yet-valid scenarios behave the same in sim and real runs.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/x509_crl.hpp"

namespace nsslab::crypto {

enum class VerifyStatus {
    ok,
    expired,        // a certificate's notAfter is before the verification time
    not_yet_valid,  // a certificate's notBefore is after the verification time
    untrusted,      // no path to a trust anchor (unknown issuer, self-signed not trusted)
    revoked,        // a CRL lists a certificate of the chain
    bad_signature,  // a signature in the chain does not verify
    crl_problem,    // CRL missing, expired, not yet valid or badly signed
    invalid,        // anything else (bad CA flags, path length, purpose, ...)
};
std::string_view to_string(VerifyStatus status);

struct VerifyRequest {
    Certificate leaf;
    std::vector<Certificate> intermediates;  // untrusted helpers for path building
    std::vector<Certificate> trust_anchors;  // e.g. a key ring's CERTAUTH certificates
    std::vector<Crl> crls;                   // when non-empty, the leaf is CRL-checked
    bool crl_check_all{false};               // also CRL-check every CA of the chain
    TimePoint at_time{};
};

struct VerifyOutcome {
    VerifyStatus status{VerifyStatus::invalid};
    int error_depth{0};              // 0 = leaf
    std::string reason;              // OpenSSL's X509_verify_cert_error_string text
    std::vector<Certificate> chain;  // leaf first, trust anchor last (when ok)
    bool ok() const { return status == VerifyStatus::ok; }
};

// Full outcome, success or failure. `ctx` selects the library context (nullptr = default).
VerifyOutcome verify_chain_detailed(LibContext* ctx, VerifyRequest const& request);

// The verified chain, or Errc::auth_failed with
// "verify_chain: <status>: depth <n>: <OpenSSL verify error text>".
Result<std::vector<Certificate>> verify_chain(LibContext* ctx, VerifyRequest const& request);

}  // namespace nsslab::crypto
