// DER <-> r|s with OpenSSL's ECDSA_SIG; strictness is enforced by re-encoding and comparing.
#include "nsslab/crypto/ecdsa_sig.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <memory>
#include <string>

#include "nsslab/crypto/openssl_error.hpp"

namespace nsslab::crypto {

namespace {

struct SigFree {
    void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};
using SigPtr = std::unique_ptr<ECDSA_SIG, SigFree>;

std::string curve_label(EcdsaCurve curve) {
    switch (curve) {
        case EcdsaCurve::p256:
            return "ECDSA P-256";
        case EcdsaCurve::p384:
            return "ECDSA P-384";
        case EcdsaCurve::p521:
            return "ECDSA P-521";
    }
    return "ECDSA";
}

// i2d of `sig`, or an empty vector if OpenSSL fails.
Bytes encode(ECDSA_SIG const* sig) {
    int const len = i2d_ECDSA_SIG(sig, nullptr);
    if (len <= 0)
        return {};
    Bytes out(static_cast<std::size_t>(len));
    std::uint8_t* p = out.data();
    if (i2d_ECDSA_SIG(sig, &p) != len)
        return {};
    return out;
}

}  // namespace

std::size_t ecdsa_scalar_size(EcdsaCurve curve) {
    switch (curve) {
        case EcdsaCurve::p256:
            return 32;
        case EcdsaCurve::p384:
            return 48;
        case EcdsaCurve::p521:
            return 66;
    }
    NSSLAB_ASSERT(false, "unknown EcdsaCurve");
    return 0;
}

Result<Bytes> ecdsa_der_to_raw(ByteView der, EcdsaCurve curve) {
    std::string const label = curve_label(curve) + " signature";
    std::uint8_t const* p = der.data();
    SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig) {
        drain_openssl_errors("");
        return fail(Errc::decode_error, label + ": not a DER Ecdsa-Sig-Value");
    }
    if (static_cast<std::size_t>(p - der.data()) != der.size())
        return fail(Errc::decode_error,
                    label + ": " +
                        std::to_string(der.size() - static_cast<std::size_t>(p - der.data())) +
                        " octets after the Ecdsa-Sig-Value");
    if (encode(sig.get()) != Bytes(der.begin(), der.end()))
        return fail(Errc::decode_error, label + ": not in strict (minimal) DER");
    BIGNUM const* r = nullptr;
    BIGNUM const* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    std::size_t const width = ecdsa_scalar_size(curve);
    for (BIGNUM const* v : {r, s}) {
        if (BN_is_zero(v) || BN_is_negative(v))
            return fail(Errc::decode_error, label + ": r or s is zero or negative");
        if (static_cast<std::size_t>(BN_num_bytes(v)) > width)
            return fail(Errc::decode_error,
                        label + ": r or s wider than " + std::to_string(width) + " octets");
    }
    Bytes raw(2 * width);
    if (BN_bn2binpad(r, raw.data(), static_cast<int>(width)) != static_cast<int>(width) ||
        BN_bn2binpad(s, raw.data() + width, static_cast<int>(width)) != static_cast<int>(width))
        return openssl_failure(label + ": BN_bn2binpad");
    return raw;
}

Result<Bytes> ecdsa_raw_to_der(ByteView raw, EcdsaCurve curve) {
    std::string const label = curve_label(curve) + " signature";
    std::size_t const width = ecdsa_scalar_size(curve);
    if (raw.size() != 2 * width)
        return fail(Errc::invalid_argument, label + ": raw r|s is " + std::to_string(raw.size()) +
                                                " octets, expected " + std::to_string(2 * width));
    BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(width), nullptr);
    BIGNUM* s = BN_bin2bn(raw.data() + width, static_cast<int>(width), nullptr);
    SigPtr sig(ECDSA_SIG_new());
    if (r == nullptr || s == nullptr || !sig) {
        BN_free(r);
        BN_free(s);
        return openssl_failure(label + ": allocation");
    }
    bool const zero = BN_is_zero(r) || BN_is_zero(s);
    if (ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return openssl_failure(label + ": ECDSA_SIG_set0");
    }
    if (zero)
        return fail(Errc::invalid_argument, label + ": r or s is zero");
    Bytes der = encode(sig.get());
    if (der.empty())
        return openssl_failure(label + ": i2d_ECDSA_SIG");
    return der;
}

}  // namespace nsslab::crypto
