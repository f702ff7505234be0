// IKEv2 Diffie-Hellman over OpenSSL 3 EVP_PKEY: "DH" with the named group modp_2048, "EC" with
// P-256/P-384/P-521, "X25519". Peer values are validated here, with messages that name the
// group and the defect, and handed to EVP_PKEY_derive without OpenSSL's own (full, costly)
// public-key check.
#include "nsslab/crypto/dh.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <array>

#include "libctx_access.hpp"
#include "nsslab/crypto/openssl_error.hpp"

namespace nsslab::crypto {

namespace {

// unique_ptr deleter calling OpenSSL's free function for the type.
template <auto free_fn>
struct Free {
    template <class T>
    void operator()(T* p) const {
        free_fn(p);
    }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Free<EVP_PKEY_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Free<BN_clear_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, Free<BN_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Free<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Free<OSSL_PARAM_free>>;
using EcGroupPtr = std::unique_ptr<EC_GROUP, Free<EC_GROUP_free>>;
using EcPointPtr = std::unique_ptr<EC_POINT, Free<EC_POINT_free>>;

enum class Family { modp, ecp, x25519 };

// Everything nsslab knows about a group, in one row.
struct GroupInfo {
    DhGroup group;
    std::string_view name;  // strongSwan's proposal name
    char const* ossl_name;  // OSSL_PKEY_PARAM_GROUP_NAME
    int curve_nid;          // ECP only
    Family family;
    std::size_t public_size;  // KE data octets
    std::size_t secret_size;  // g^ir octets
};

constexpr std::array<GroupInfo, 5> group_table{{
    {DhGroup::modp_2048, "MODP_2048", "modp_2048", 0, Family::modp, 256, 256},
    {DhGroup::ecp_256, "ECP_256", "P-256", NID_X9_62_prime256v1, Family::ecp, 64, 32},
    {DhGroup::ecp_384, "ECP_384", "P-384", NID_secp384r1, Family::ecp, 96, 48},
    {DhGroup::ecp_521, "ECP_521", "P-521", NID_secp521r1, Family::ecp, 132, 66},
    {DhGroup::curve_25519, "CURVE_25519", "X25519", 0, Family::x25519, 32, 32},
}};

GroupInfo const* find_group(DhGroup group) {
    for (auto const& g : group_table)
        if (g.group == group)
            return &g;
    return nullptr;
}

GroupInfo const& info(DhGroup group) {
    GroupInfo const* g = find_group(group);
    NSSLAB_ASSERT(g != nullptr, "unknown DhGroup");
    return *g;
}

Family family_of(DhGroup group) {
    return info(group).family;
}

char const* ossl_group_name(DhGroup group) {
    return info(group).ossl_name;
}

int curve_nid(DhGroup group) {
    NSSLAB_ASSERT(info(group).family == Family::ecp, "not an ECP group");
    return info(group).curve_nid;
}

std::string group_label(DhGroup group) {
    return "DH group " + std::to_string(static_cast<unsigned>(group)) + " (" +
           std::string(to_string(group)) + ")";
}

// The RFC 3526 2048-bit prime (OpenSSL's copy, which the RFC 3526 test checks).
Result<BnPtr> modp_prime() {
    BnPtr p(BN_get_rfc3526_prime_2048(nullptr));
    if (!p)
        return openssl_failure("MODP_2048: BN_get_rfc3526_prime_2048");
    return p;
}

// A public-only or key-pair EVP_PKEY from OSSL_PARAMs ("DH" or "EC").
Result<PkeyPtr> pkey_fromdata(OSSL_LIB_CTX* lib, char const* type, OSSL_PARAM_BLD* bld,
                              int selection, std::string const& what) {
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(lib, type, nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1)
        return openssl_failure(what);
    return PkeyPtr(raw);
}

Result<Bytes> public_value_of(EVP_PKEY* pkey, DhGroup group) {
    std::size_t const size = dh_public_value_size(group);
    Bytes out(size);
    switch (family_of(group)) {
        case Family::modp: {
            BIGNUM* y = nullptr;
            if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, &y) != 1)
                return openssl_failure(group_label(group) + ": public value");
            BnPtr owned(y);
            if (BN_bn2binpad(y, out.data(), static_cast<int>(size)) != static_cast<int>(size))
                return openssl_failure(group_label(group) + ": public value encoding");
            return out;
        }
        case Family::ecp: {
            // Uncompressed SEC 1 point 04 | x | y; IKEv2 carries x | y (RFC 5903 section 7).
            Bytes point(size + 1);
            std::size_t len = 0;
            if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                                point.size(), &len) != 1 ||
                len != point.size() || point[0] != 0x04)
                return openssl_failure(group_label(group) + ": public point");
            std::copy(point.begin() + 1, point.end(), out.begin());
            return out;
        }
        case Family::x25519: {
            std::size_t len = size;
            if (EVP_PKEY_get_raw_public_key(pkey, out.data(), &len) != 1 || len != size)
                return openssl_failure(group_label(group) + ": public value");
            return out;
        }
    }
    NSSLAB_ASSERT(false, "unknown DH family");
    return out;
}

Result<PkeyPtr> generate_native(OSSL_LIB_CTX* lib, DhGroup group) {
    EVP_PKEY* raw = nullptr;
    switch (family_of(group)) {
        case Family::modp: {
            PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(lib, "DH", nullptr));
            OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                                 const_cast<char*>(ossl_group_name(group)), 0),
                OSSL_PARAM_construct_end(),
            };
            if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
                EVP_PKEY_CTX_set_params(ctx.get(), params) != 1 ||
                EVP_PKEY_generate(ctx.get(), &raw) != 1)
                return openssl_failure(group_label(group) + ": key generation");
            break;
        }
        case Family::ecp:
            raw = EVP_PKEY_Q_keygen(lib, nullptr, "EC", ossl_group_name(group));
            break;
        case Family::x25519:
            raw = EVP_PKEY_Q_keygen(lib, nullptr, "X25519");
            break;
    }
    if (raw == nullptr)
        return openssl_failure(group_label(group) + ": key generation");
    return PkeyPtr(raw);
}

Result<PkeyPtr> modp_from_private(OSSL_LIB_CTX* lib, DhGroup group, ByteView value) {
    if (value.size() > dh_public_value_size(group))
        return fail(Errc::invalid_argument,
                    group_label(group) + ": private value longer than the modulus");
    auto p = modp_prime();
    if (!p)
        return p.error();
    BnPtr x(BN_bin2bn(value.data(), static_cast<int>(value.size()), nullptr));
    BnPtr p_minus_1(BN_dup(p->get()));
    BnPtr y(BN_new());
    BnPtr g(BN_new());
    BnCtxPtr bnctx(BN_CTX_new_ex(lib));
    if (!x || !p_minus_1 || !y || !g || !bnctx || BN_sub_word(p_minus_1.get(), 1) != 1 ||
        BN_set_word(g.get(), 2) != 1)
        return openssl_failure(group_label(group) + ": bignum");
    if (BN_cmp(x.get(), BN_value_one()) <= 0 || BN_cmp(x.get(), p_minus_1.get()) >= 0)
        return fail(Errc::invalid_argument,
                    group_label(group) + ": private value must satisfy 1 < x < p-1");
    if (BN_mod_exp(y.get(), g.get(), x.get(), p->get(), bnctx.get()) != 1)
        return openssl_failure(group_label(group) + ": g^x mod p");
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                        ossl_group_name(group), 0) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, x.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, y.get()) != 1)
        return openssl_failure(group_label(group) + ": key parameters");
    return pkey_fromdata(lib, "DH", bld.get(), EVP_PKEY_KEYPAIR,
                         group_label(group) + ": key from private value");
}

Result<PkeyPtr> ecp_from_private(OSSL_LIB_CTX* lib, DhGroup group, ByteView value) {
    std::size_t const coord = dh_shared_secret_size(group);
    if (value.size() > coord)
        return fail(Errc::invalid_argument,
                    group_label(group) + ": private value longer than the group order");
    EcGroupPtr ec(EC_GROUP_new_by_curve_name_ex(lib, nullptr, curve_nid(group)));
    BnPtr d(BN_bin2bn(value.data(), static_cast<int>(value.size()), nullptr));
    BnCtxPtr bnctx(BN_CTX_new_ex(lib));
    if (!ec || !d || !bnctx)
        return openssl_failure(group_label(group) + ": curve");
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(ec.get())) >= 0)
        return fail(Errc::invalid_argument,
                    group_label(group) + ": private value must satisfy 0 < d < n");
    EcPointPtr q(EC_POINT_new(ec.get()));
    Bytes point(2 * coord + 1);
    if (!q || EC_POINT_mul(ec.get(), q.get(), d.get(), nullptr, nullptr, bnctx.get()) != 1 ||
        EC_POINT_point2oct(ec.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, point.data(),
                           point.size(), bnctx.get()) != point.size())
        return openssl_failure(group_label(group) + ": d*G");
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                        ossl_group_name(group), 0) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1)
        return openssl_failure(group_label(group) + ": key parameters");
    return pkey_fromdata(lib, "EC", bld.get(), EVP_PKEY_KEYPAIR,
                         group_label(group) + ": key from private value");
}

// The peer's public key, after the checks RFC 6989 asks for.
Result<PkeyPtr> peer_key(OSSL_LIB_CTX* lib, DhGroup group, ByteView value) {
    std::string const label = group_label(group);
    if (value.size() != dh_public_value_size(group))
        return fail(Errc::invalid_argument,
                    label + ": peer public value is " + std::to_string(value.size()) +
                        " octets, expected " + std::to_string(dh_public_value_size(group)));
    switch (family_of(group)) {
        case Family::modp: {
            auto p = modp_prime();
            if (!p)
                return p.error();
            BnPtr y(BN_bin2bn(value.data(), static_cast<int>(value.size()), nullptr));
            BnPtr p_minus_1(BN_dup(p->get()));
            if (!y || !p_minus_1 || BN_sub_word(p_minus_1.get(), 1) != 1)
                return openssl_failure(label + ": bignum");
            if (BN_is_zero(y.get()))
                return fail(Errc::invalid_argument, label + ": peer public value is 0");
            if (BN_is_one(y.get()))
                return fail(Errc::invalid_argument, label + ": peer public value is 1");
            if (BN_cmp(y.get(), p_minus_1.get()) == 0)
                return fail(Errc::invalid_argument, label + ": peer public value is p-1");
            if (BN_cmp(y.get(), p_minus_1.get()) > 0)
                return fail(Errc::invalid_argument, label + ": peer public value is >= p");
            ParamBldPtr bld(OSSL_PARAM_BLD_new());
            if (!bld ||
                OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                                ossl_group_name(group), 0) != 1 ||
                OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, y.get()) != 1)
                return openssl_failure(label + ": peer key parameters");
            return pkey_fromdata(lib, "DH", bld.get(), EVP_PKEY_PUBLIC_KEY,
                                 label + ": peer public key");
        }
        case Family::ecp: {
            Bytes point(value.size() + 1);
            point[0] = 0x04;
            std::copy(value.begin(), value.end(), point.begin() + 1);
            ParamBldPtr bld(OSSL_PARAM_BLD_new());
            if (!bld ||
                OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                                ossl_group_name(group), 0) != 1 ||
                OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                                 point.size()) != 1)
                return openssl_failure(label + ": peer key parameters");
            // OpenSSL refuses a coordinate >= p or a point off the curve when decoding it.
            auto key = pkey_fromdata(lib, "EC", bld.get(), EVP_PKEY_PUBLIC_KEY,
                                     label + ": peer public value is not a point on the curve");
            if (!key)
                return fail(Errc::invalid_argument, key.error().message);
            PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(lib, key->get(), nullptr));
            if (!check || EVP_PKEY_public_check_quick(check.get()) != 1)
                return fail(Errc::invalid_argument,
                            drain_openssl_errors(label + ": peer public value is not a valid "
                                                         "point on the curve"));
            return key;
        }
        case Family::x25519: {
            EVP_PKEY* raw =
                EVP_PKEY_new_raw_public_key_ex(lib, "X25519", nullptr, value.data(), value.size());
            if (raw == nullptr)
                return openssl_failure(label + ": peer public key");
            return PkeyPtr(raw);
        }
    }
    NSSLAB_ASSERT(false, "unknown DH family");
    return fail(Errc::invalid_argument, label);
}

}  // namespace

struct DhKey::Impl {
    PkeyPtr pkey;
    LibContext* ctx{nullptr};
};

std::string_view to_string(DhGroup group) {
    GroupInfo const* g = find_group(group);
    return g != nullptr ? g->name : "unknown";
}

std::optional<DhGroup> dh_group_from_number(std::uint16_t number) {
    GroupInfo const* g = find_group(static_cast<DhGroup>(number));
    return g != nullptr ? std::optional(g->group) : std::nullopt;
}

std::size_t dh_public_value_size(DhGroup group) {
    return info(group).public_size;
}

std::size_t dh_shared_secret_size(DhGroup group) {
    return info(group).secret_size;
}

DhKey::DhKey(DhGroup group, std::unique_ptr<Impl> impl, Bytes public_value)
    : group_(group), impl_(std::move(impl)), public_value_(std::move(public_value)) {}
DhKey::~DhKey() = default;
DhKey::DhKey(DhKey&&) noexcept = default;
DhKey& DhKey::operator=(DhKey&&) noexcept = default;

Result<DhKey> DhKey::generate(LibContext& ctx, DhGroup group) {
    auto pkey = generate_native(native_context(ctx), group);
    if (!pkey)
        return pkey.error();
    auto pub = public_value_of(pkey->get(), group);
    if (!pub)
        return pub.error();
    auto impl = std::make_unique<Impl>();
    impl->pkey = std::move(*pkey);
    impl->ctx = &ctx;
    return DhKey(group, std::move(impl), std::move(*pub));
}

Result<DhKey> DhKey::from_private_value(LibContext* ctx, DhGroup group, ByteView private_value) {
    OSSL_LIB_CTX* lib = native_context(ctx);
    Result<PkeyPtr> pkey = fail(Errc::invalid_argument, "");
    switch (family_of(group)) {
        case Family::modp:
            pkey = modp_from_private(lib, group, private_value);
            break;
        case Family::ecp:
            pkey = ecp_from_private(lib, group, private_value);
            break;
        case Family::x25519: {
            if (private_value.size() != 32)
                return fail(Errc::invalid_argument,
                            group_label(group) + ": private value must be 32 octets");
            EVP_PKEY* raw =
                EVP_PKEY_new_raw_private_key_ex(lib, "X25519", nullptr, private_value.data(), 32);
            if (raw == nullptr)
                return openssl_failure(group_label(group) + ": key from private value");
            pkey = PkeyPtr(raw);
            break;
        }
    }
    if (!pkey)
        return pkey.error();
    auto pub = public_value_of(pkey->get(), group);
    if (!pub)
        return pub.error();
    auto impl = std::make_unique<Impl>();
    impl->pkey = std::move(*pkey);
    impl->ctx = ctx;
    return DhKey(group, std::move(impl), std::move(*pub));
}

Result<Bytes> DhKey::shared_secret(ByteView peer_public_value) const {
    NSSLAB_ASSERT(impl_ != nullptr, "DhKey used after move");
    OSSL_LIB_CTX* lib = native_context(impl_->ctx);
    std::string const label = group_label(group_);
    auto peer = peer_key(lib, group_, peer_public_value);
    if (!peer)
        return peer.error();
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(lib, impl_->pkey.get(), nullptr));
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1)
        return openssl_failure(label + ": derive init");
    // g^ir is exactly the modulus length, zero-padded (RFC 7296 section 2.14).
    if (family_of(group_) == Family::modp && EVP_PKEY_CTX_set_dh_pad(ctx.get(), 1) != 1)
        return openssl_failure(label + ": derive padding");
    // Validation is done above (peer_key); OpenSSL's full check would cost another exponent.
    if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer->get(), 0) != 1)
        return openssl_failure(label + ": derive peer");
    std::size_t const size = dh_shared_secret_size(group_);
    Bytes out(size);
    std::size_t len = out.size();
    if (EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1) {
        if (family_of(group_) == Family::x25519)
            return fail(Errc::invalid_argument,
                        drain_openssl_errors(label + ": X25519 with the peer public value "
                                                     "failed (an all-zero shared secret is "
                                                     "refused, RFC 8031 section 2)"));
        return openssl_failure(label + ": derive");
    }
    NSSLAB_ASSERT(len == size, "shared secret length differs from the group's");
    bool const all_zero = std::all_of(out.begin(), out.end(), [](auto b) { return b == 0; });
    if (all_zero)
        return fail(Errc::invalid_argument,
                    label + ": shared secret is all zero (RFC 8031 section 2)");
    return out;
}

}  // namespace nsslab::crypto
