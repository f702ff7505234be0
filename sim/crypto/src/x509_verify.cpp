#include "nsslab/crypto/x509_verify.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>

#include "libctx_access.hpp"
#include "x509_impl.hpp"

namespace nsslab::crypto {

namespace {

struct StoreFree {
    void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
    void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct StackFree {
    void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};

VerifyStatus classify(int err) {
    switch (err) {
        case X509_V_OK:
            return VerifyStatus::ok;
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return VerifyStatus::expired;
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return VerifyStatus::not_yet_valid;
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_CERT_UNTRUSTED:
            return VerifyStatus::untrusted;
        case X509_V_ERR_CERT_REVOKED:
            return VerifyStatus::revoked;
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
            return VerifyStatus::bad_signature;
        case X509_V_ERR_UNABLE_TO_GET_CRL:
        case X509_V_ERR_CRL_HAS_EXPIRED:
        case X509_V_ERR_CRL_NOT_YET_VALID:
        case X509_V_ERR_CRL_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
        case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
        case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
        case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
            return VerifyStatus::crl_problem;
        default:
            return VerifyStatus::invalid;
    }
}

}  // namespace

std::string_view to_string(VerifyStatus status) {
    switch (status) {
        case VerifyStatus::ok:
            return "ok";
        case VerifyStatus::expired:
            return "expired";
        case VerifyStatus::not_yet_valid:
            return "not_yet_valid";
        case VerifyStatus::untrusted:
            return "untrusted";
        case VerifyStatus::revoked:
            return "revoked";
        case VerifyStatus::bad_signature:
            return "bad_signature";
        case VerifyStatus::crl_problem:
            return "crl_problem";
        case VerifyStatus::invalid:
            return "invalid";
    }
    return "?";
}

VerifyOutcome verify_chain_detailed(LibContext* ctx, VerifyRequest const& request) {
    VerifyOutcome out;
    X509* const leaf = native_x509(request.leaf);
    if (leaf == nullptr) {
        out.reason = "no leaf certificate";
        return out;
    }
    std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
    for (auto const& anchor : request.trust_anchors)
        if (X509* x = native_x509(anchor))
            X509_STORE_add_cert(store.get(), x);
    for (auto const& crl : request.crls)
        if (X509_CRL* c = native_crl(crl))
            X509_STORE_add_crl(store.get(), c);
    ERR_clear_error();  // duplicates in the store are not an error for us

    std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
    for (auto const& c : request.intermediates)
        if (X509* x = native_x509(c))
            sk_X509_push(untrusted.get(), x);

    std::unique_ptr<X509_STORE_CTX, StoreCtxFree> sctx(
        X509_STORE_CTX_new_ex(native_context(ctx), nullptr));
    if (!sctx || X509_STORE_CTX_init(sctx.get(), store.get(), leaf, untrusted.get()) != 1) {
        out.reason = "X509_STORE_CTX_init failed";
        ERR_clear_error();
        return out;
    }
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(sctx.get());
    X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(unix_seconds(request.at_time)));
    if (!request.crls.empty()) {
        unsigned long flags = X509_V_FLAG_CRL_CHECK;
        if (request.crl_check_all)
            flags |= X509_V_FLAG_CRL_CHECK_ALL;
        X509_VERIFY_PARAM_set_flags(param, flags);
    }
    int const rc = X509_verify_cert(sctx.get());
    int const err = X509_STORE_CTX_get_error(sctx.get());
    out.error_depth = X509_STORE_CTX_get_error_depth(sctx.get());
    if (rc == 1 && err == X509_V_OK) {
        out.status = VerifyStatus::ok;
        out.reason = "ok";
        STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(sctx.get());
        for (int i = 0; i < sk_X509_num(chain); ++i) {
            X509* x = sk_X509_value(chain, i);
            X509_up_ref(x);
            out.chain.push_back(make_certificate(x, ctx));
        }
    } else {
        out.status = err == X509_V_OK ? VerifyStatus::invalid : classify(err);
        out.reason = X509_verify_cert_error_string(err);
    }
    ERR_clear_error();
    return out;
}

Result<std::vector<Certificate>> verify_chain(LibContext* ctx, VerifyRequest const& request) {
    auto outcome = verify_chain_detailed(ctx, request);
    if (outcome.ok())
        return std::move(outcome.chain);
    return fail(Errc::auth_failed, "verify_chain: " + std::string(to_string(outcome.status)) +
                                       ": depth " + std::to_string(outcome.error_depth) + ": " +
                                       outcome.reason);
}

}  // namespace nsslab::crypto
