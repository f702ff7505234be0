// The crypto floor of `nsslab bench ike` (nsslab/bench/ike.hpp, docs/benchmarks.md "bench ike"):
// the public-key operations one IKE SA needs, made with raw OpenSSL 3 EVP calls and nothing
// else, so that endpoints/floor is the fraction the IKE engine keeps. Per iteration, for each of
// the two sides:
//   - a DH key pair for the suite's group (EVP_PKEY_Q_keygen "EC" P-256, or "DH" with the named
//     group modp_2048 as sim/crypto's DhKey does), its public value read out as the KE payload
//     carries it (x | y for ECP, g^x padded to 256 octets for MODP);
//   - the peer's public value turned back into an EVP_PKEY (EVP_PKEY_fromdata: for ECP this
//     decodes the point and checks it is on the curve) and the shared secret derived
//     (EVP_PKEY_derive, no further peer validation);
//   - unless pre-shared keys are used: one signature over 512 octets (the size of IKEv2 AUTH
//     octets) with the side's key, and one verification of the peer's with the peer's public key
//     (EVP_DigestSign / EVP_DigestVerify, one reused EVP_MD_CTX).
// Keys are the run's keys (IkeBenchKeys), moved into this file's own library context through
// PEM; the verifying keys are the certificates' public keys, decoded once.
//
// This is the one file of bench/tools that includes OpenSSL headers (OpenSSL otherwise stays in
// sim/crypto and sim/tls): a baseline must not go through the code it is the baseline of.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <memory>

#include "ike_rate.hpp"
#include "nsslab/bench/sign.hpp"

namespace nsslab::bench {

namespace {

template <auto F>
struct Free {
    template <class T>
    void operator()(T* p) const {
        F(p);
    }
};
using LibCtxPtr = std::unique_ptr<OSSL_LIB_CTX, Free<OSSL_LIB_CTX_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Free<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Free<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Free<BIO_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Free<BN_free>>;

Error openssl_failure(char const* what) {
    std::array<char, 256> text{};
    ERR_error_string_n(ERR_get_error(), text.data(), text.size());
    ERR_clear_error();
    return fail(Errc::crypto_error, std::string(what) + ": " + text.data());
}

class Floor {
  public:
    Floor(IkeSuite suite, bool psk) : suite_(suite), psk_(psk) {}

    Result<void> init(IkeBenchKeys const& keys) {
        lib_.reset(OSSL_LIB_CTX_new());
        md_.reset(EVP_MD_CTX_new());
        if (!lib_ || !md_)
            return openssl_failure("OSSL_LIB_CTX_new");
        for (std::size_t side = 0; side < 2; ++side) {
            auto const& key = side == 0 ? keys.initiator_key : keys.responder_key;
            auto pem = key.export_private_pem_unsafe();
            if (!pem)
                return pem.error();
            BioPtr bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
            sign_keys_[side].reset(PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, nullptr, nullptr,
                                                              lib_.get(), nullptr));
            if (!sign_keys_[side])
                return openssl_failure("PEM_read_bio_PrivateKey_ex");
            auto const& cert = side == 0 ? keys.initiator_certificate : keys.responder_certificate;
            auto der = cert.public_key().to_der();
            if (!der)
                return der.error();
            unsigned char const* p = der->data();
            verify_keys_[side].reset(
                d2i_PUBKEY_ex(nullptr, &p, static_cast<long>(der->size()), lib_.get(), nullptr));
            if (!verify_keys_[side])
                return openssl_failure("d2i_PUBKEY_ex");
        }
        message_ = bench_sign_octets(512);
        return {};
    }

    // The public-key work of one IKE SA on both sides.
    Result<void> one_sa() {
        std::array<PkeyPtr, 2> dh;
        std::array<Bytes, 2> ke;  // the KE payloads' Key Exchange Data
        for (std::size_t side = 0; side < 2; ++side) {
            auto key = generate();
            if (!key)
                return key.error();
            dh[side] = std::move(*key);
            auto value = public_value(dh[side].get());
            if (!value)
                return value.error();
            ke[side] = std::move(*value);
        }
        for (std::size_t side = 0; side < 2; ++side) {
            auto secret = derive(dh[side].get(), ke[1 - side]);
            if (!secret)
                return secret.error();
        }
        if (psk_)
            return {};
        std::array<Bytes, 2> signatures;
        for (std::size_t side = 0; side < 2; ++side) {
            auto s = sign(sign_keys_[side].get());
            if (!s)
                return s.error();
            signatures[side] = std::move(*s);
        }
        for (std::size_t side = 0; side < 2; ++side)
            if (auto ok = verify(verify_keys_[1 - side].get(), signatures[1 - side]); !ok)
                return ok;
        return {};
    }

  private:
    bool modp() const { return suite_ == IkeSuite::rsa2048; }

    Result<PkeyPtr> generate() {
        EVP_PKEY* raw = nullptr;
        if (modp()) {
            PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(lib_.get(), "DH", nullptr));
            std::array<char, 16> group{"modp_2048"};
            OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
                OSSL_PARAM_construct_end()};
            if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
                EVP_PKEY_CTX_set_params(ctx.get(), params) != 1 ||
                EVP_PKEY_generate(ctx.get(), &raw) != 1)
                return openssl_failure("DH keygen");
        } else {
            raw = EVP_PKEY_Q_keygen(lib_.get(), nullptr, "EC", "P-256");
            if (raw == nullptr)
                return openssl_failure("EC keygen");
        }
        return PkeyPtr(raw);
    }

    Result<Bytes> public_value(EVP_PKEY* key) {
        if (modp()) {
            BIGNUM* y = nullptr;
            if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PUB_KEY, &y) != 1)
                return openssl_failure("DH public value");
            BnPtr owned(y);
            Bytes out(256);
            if (BN_bn2binpad(y, out.data(), 256) != 256)
                return openssl_failure("BN_bn2binpad");
            return out;
        }
        std::array<unsigned char, 65> point{};
        std::size_t len = 0;
        if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                            point.size(), &len) != 1 ||
            len != 65)
            return openssl_failure("EC public value");
        return Bytes(point.begin() + 1, point.end());  // x | y, without the 0x04 prefix
    }

    // The peer's KE data as an EVP_PKEY, then g^ir.
    Result<Bytes> derive(EVP_PKEY* own, ByteView peer_value) {
        PkeyCtxPtr from(EVP_PKEY_CTX_new_from_name(lib_.get(), modp() ? "DH" : "EC", nullptr));
        std::array<char, 16> group{};
        std::array<unsigned char, 65> point{};
        BnPtr y;
        std::array<unsigned char, 256> y_native{};
        OSSL_PARAM params[3];
        if (modp()) {
            std::copy_n("modp_2048", 10, group.data());
            y.reset(BN_bin2bn(peer_value.data(), static_cast<int>(peer_value.size()), nullptr));
            if (!y || BN_bn2nativepad(y.get(), y_native.data(), 256) != 256)
                return openssl_failure("BN_bin2bn");
            params[1] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PUB_KEY, y_native.data(), 256);
        } else {
            std::copy_n("P-256", 6, group.data());
            point[0] = 0x04;
            std::copy(peer_value.begin(), peer_value.end(), point.begin() + 1);
            params[1] =
                OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), 65);
        }
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0);
        params[2] = OSSL_PARAM_construct_end();
        EVP_PKEY* raw = nullptr;
        if (!from || EVP_PKEY_fromdata_init(from.get()) != 1 ||
            EVP_PKEY_fromdata(from.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1)
            return openssl_failure("peer public value");
        PkeyPtr peer(raw);
        PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(lib_.get(), own, nullptr));
        std::size_t len = 0;
        if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
            (modp() && EVP_PKEY_CTX_set_dh_pad(ctx.get(), 1) != 1) ||
            EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), 0) != 1 ||
            EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1)
            return openssl_failure("derive");
        Bytes secret(len);
        if (EVP_PKEY_derive(ctx.get(), secret.data(), &len) != 1)
            return openssl_failure("derive");
        secret.resize(len);
        return secret;
    }

    Result<Bytes> sign(EVP_PKEY* key) {
        Bytes signature(static_cast<std::size_t>(EVP_PKEY_get_size(key)));
        std::size_t len = signature.size();
        if (EVP_DigestSignInit_ex(md_.get(), nullptr, "SHA256", lib_.get(), nullptr, key,
                                  nullptr) != 1 ||
            EVP_DigestSign(md_.get(), signature.data(), &len, message_.data(), message_.size()) !=
                1)
            return openssl_failure("EVP_DigestSign");
        signature.resize(len);
        return signature;
    }

    Result<void> verify(EVP_PKEY* key, ByteView signature) {
        if (EVP_DigestVerifyInit_ex(md_.get(), nullptr, "SHA256", lib_.get(), nullptr, key,
                                    nullptr) != 1 ||
            EVP_DigestVerify(md_.get(), signature.data(), signature.size(), message_.data(),
                             message_.size()) != 1)
            return openssl_failure("EVP_DigestVerify");
        return {};
    }

    IkeSuite suite_;
    bool psk_;
    LibCtxPtr lib_;
    MdCtxPtr md_;
    std::array<PkeyPtr, 2> sign_keys_;
    std::array<PkeyPtr, 2> verify_keys_;
    Bytes message_;
};

}  // namespace

Result<IkeRate> measure_ike_floor(IkeBenchKeys const& keys, bool psk,
                                  std::chrono::milliseconds duration) {
    Floor floor(keys.suite, psk);
    if (auto ok = floor.init(keys); !ok)
        return ok.error();
    return measure_sas(duration, [&] { return floor.one_sa(); });
}

}  // namespace nsslab::bench
