#include "nsslab/crypto/ike_keys.hpp"

#include <openssl/crypto.h>

namespace nsslab::crypto {

namespace {

Bytes concat(std::initializer_list<ByteView> parts) {
    std::size_t size = 0;
    for (auto p : parts)
        size += p.size();
    Bytes out;
    out.reserve(size);
    for (auto p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

// Consumes `n` octets of `keymat` from `offset`.
Bytes take(Bytes const& keymat, std::size_t& offset, std::size_t n) {
    NSSLAB_ASSERT(offset + n <= keymat.size(), "key split past the end of the keying material");
    Bytes out(keymat.begin() + static_cast<std::ptrdiff_t>(offset),
              keymat.begin() + static_cast<std::ptrdiff_t>(offset + n));
    offset += n;
    return out;
}

struct Wiped {
    Bytes bytes;
    ~Wiped() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

}  // namespace

Result<Bytes> derive_skeyseed(PrfAlgorithm prf, ByteView ni, ByteView nr, ByteView g_ir) {
    return crypto::prf(prf, concat({ni, nr}), g_ir);
}

Result<Bytes> derive_rekey_skeyseed(PrfAlgorithm old_prf, ByteView sk_d_old, ByteView g_ir_new,
                                    ByteView ni, ByteView nr) {
    Wiped data{concat({g_ir_new, ni, nr})};
    return crypto::prf(old_prf, sk_d_old, data.bytes);
}

Result<IkeSaKeys> derive_ike_sa_keys(IkeSaSuite const& suite, ByteView skeyseed, ByteView ni,
                                     ByteView nr, std::uint64_t spi_i, std::uint64_t spi_r) {
    if (auto pair = check_transform_pair(suite.encryption, suite.integrity); !pair)
        return pair.error();
    Bytes seed = concat({ni, nr});
    ByteWriter w(seed);
    w.u64(spi_i);
    w.u64(spi_r);
    std::size_t const prf_size = prf_output_size(suite.prf);
    std::size_t const a = integrity_key_size(suite.integrity);
    std::size_t const e = encryption_keymat_size(suite.encryption);
    auto keymat = prf_plus(suite.prf, skeyseed, seed, 3 * prf_size + 2 * a + 2 * e);
    if (!keymat)
        return keymat.error();
    Wiped km{std::move(*keymat)};
    std::size_t at = 0;
    IkeSaKeys keys;
    keys.sk_d = take(km.bytes, at, prf_size);
    keys.sk_ai = take(km.bytes, at, a);
    keys.sk_ar = take(km.bytes, at, a);
    keys.sk_ei = take(km.bytes, at, e);
    keys.sk_er = take(km.bytes, at, e);
    keys.sk_pi = take(km.bytes, at, prf_size);
    keys.sk_pr = take(km.bytes, at, prf_size);
    return keys;
}

Result<Bytes> derive_child_keymat(PrfAlgorithm prf, ByteView sk_d, ByteView g_ir_new, ByteView ni,
                                  ByteView nr, std::size_t length) {
    Wiped seed{concat({g_ir_new, ni, nr})};
    return prf_plus(prf, sk_d, seed.bytes, length);
}

Result<ChildSaKeys> derive_child_sa_keys(PrfAlgorithm prf, ByteView sk_d, ByteView g_ir_new,
                                         ByteView ni, ByteView nr, EncryptionAlgorithm encryption,
                                         IntegrityAlgorithm integrity) {
    if (auto pair = check_transform_pair(encryption, integrity); !pair)
        return pair.error();
    std::size_t const e = encryption_keymat_size(encryption);
    std::size_t const a = integrity_key_size(integrity);
    auto keymat = derive_child_keymat(prf, sk_d, g_ir_new, ni, nr, 2 * (e + a));
    if (!keymat)
        return keymat.error();
    Wiped km{std::move(*keymat)};
    std::size_t at = 0;
    ChildSaKeys keys;
    keys.encryption_i = take(km.bytes, at, e);
    keys.integrity_i = take(km.bytes, at, a);
    keys.encryption_r = take(km.bytes, at, e);
    keys.integrity_r = take(km.bytes, at, a);
    return keys;
}

}  // namespace nsslab::crypto
