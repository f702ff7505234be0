#include "rand_provider.hpp"

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include <cstring>
#include <mutex>
#include <optional>

#include "nsslab/crypto/openssl_error.hpp"

namespace nsslab::crypto {

namespace {

std::uint32_t rotl(std::uint32_t v, int n) {
    return (v << n) | (v >> (32 - n));
}

void quarter_round(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c, std::uint32_t& d) {
    a += b;
    d ^= a;
    d = rotl(d, 16);
    c += d;
    b ^= c;
    b = rotl(b, 12);
    a += b;
    d ^= a;
    d = rotl(d, 8);
    c += d;
    b ^= c;
    b = rotl(b, 7);
}

std::uint32_t load_le32(std::uint8_t const* p) {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
           std::uint32_t{p[3]} << 24;
}

constexpr std::size_t max_request = 1 << 16;
constexpr unsigned strength_bits = 256;

// Provider-wide state: the root key and the count of root instances made so far.
struct ProviderCtx {
    std::array<std::uint32_t, 8> key{};
    std::uint32_t roots{0};
    std::mutex mutex;  // guards roots
};

// One EVP_RAND instance: ChaCha20 with fast key erasure.
struct Drbg {
    ProviderCtx* provider{nullptr};
    void* parent{nullptr};
    OSSL_FUNC_rand_generate_fn* parent_generate{nullptr};
    OSSL_FUNC_rand_lock_fn* parent_lock{nullptr};
    OSSL_FUNC_rand_unlock_fn* parent_unlock{nullptr};
    std::array<std::uint32_t, 8> key{};
    int state{EVP_RAND_STATE_UNINITIALISED};
    std::mutex* lock{nullptr};  // set by enable_locking
};

// Writes `n` bytes (n <= 64 * 2^32 - 64) and replaces the key with fresh output.
void drbg_output(Drbg& d, std::uint8_t* out, std::size_t n) {
    std::array<std::uint32_t, 3> const nonce{};
    std::uint8_t block[64];
    std::uint32_t counter = 1;
    while (n > 0) {
        chacha20_block(d.key, counter++, nonce, block);
        std::size_t const take = n < 64 ? n : 64;
        std::memcpy(out, block, take);
        out += take;
        n -= take;
    }
    chacha20_block(d.key, 0, nonce, block);
    for (std::size_t i = 0; i < 8; ++i)
        d.key[i] = load_le32(block + 4 * i);
    OPENSSL_cleanse(block, sizeof block);
}

// Folds caller-supplied bytes (personalization, additional input, entropy) into the key.
void drbg_absorb(Drbg& d, unsigned char const* data, std::size_t len) {
    while (len > 0) {
        std::uint8_t chunk[32] = {};
        std::size_t const take = len < 32 ? len : 32;
        std::memcpy(chunk, data, take);
        for (std::size_t i = 0; i < 8; ++i)
            d.key[i] ^= load_le32(chunk + 4 * i);
        data += take;
        len -= take;
        std::uint8_t scratch[1];
        drbg_output(d, scratch, 0);  // rekey so that absorption order matters
    }
}

// The key for the provider being loaded on this thread (OSSL_PROVIDER_load runs the init
// function synchronously, so a thread-local hand-over is enough).
thread_local std::optional<std::array<std::uint8_t, 32>> pending_key;

// Provider-side plumbing: OpenSSL calls these through the dispatch tables below.
extern "C" {

void* drbg_newctx(void* provctx, void* parent, OSSL_DISPATCH const* parent_calls) {
    auto* d = new (std::nothrow) Drbg;
    if (d == nullptr)
        return nullptr;
    d->provider = static_cast<ProviderCtx*>(provctx);
    d->parent = parent;
    if (parent != nullptr) {
        for (auto const* f = parent_calls; f != nullptr && f->function_id != 0; ++f) {
            switch (f->function_id) {
                case OSSL_FUNC_RAND_GENERATE:
                    d->parent_generate = OSSL_FUNC_rand_generate(f);
                    break;
                case OSSL_FUNC_RAND_LOCK:
                    d->parent_lock = OSSL_FUNC_rand_lock(f);
                    break;
                case OSSL_FUNC_RAND_UNLOCK:
                    d->parent_unlock = OSSL_FUNC_rand_unlock(f);
                    break;
                default:
                    break;
            }
        }
        if (d->parent_generate == nullptr) {
            delete d;
            return nullptr;
        }
    }
    return d;
}

void drbg_freectx(void* vctx) {
    auto* d = static_cast<Drbg*>(vctx);
    if (d == nullptr)
        return;
    OPENSSL_cleanse(d->key.data(), sizeof d->key);
    delete d->lock;
    delete d;
}

int drbg_instantiate(void* vctx, unsigned /*strength*/, int /*prediction_resistance*/,
                     unsigned char const* pstr, size_t pstr_len, OSSL_PARAM const* /*params*/) {
    auto* d = static_cast<Drbg*>(vctx);
    if (d->parent != nullptr) {
        std::uint8_t seed[32];
        if (d->parent_lock != nullptr && !d->parent_lock(d->parent))
            return 0;
        int const ok =
            d->parent_generate(d->parent, seed, sizeof seed, strength_bits, 0, nullptr, 0);
        if (d->parent_unlock != nullptr)
            d->parent_unlock(d->parent);
        if (!ok)
            return 0;
        for (std::size_t i = 0; i < 8; ++i)
            d->key[i] = load_le32(seed + 4 * i);
        OPENSSL_cleanse(seed, sizeof seed);
    } else {
        // A root: key = ChaCha20(provider key, nonce = instance number), first 32 bytes.
        std::uint32_t instance;
        {
            std::lock_guard<std::mutex> guard(d->provider->mutex);
            instance = d->provider->roots++;
        }
        std::uint8_t block[64];
        chacha20_block(d->provider->key, 0, {instance, 0x6e73736c /* "nssl" */, 0}, block);
        for (std::size_t i = 0; i < 8; ++i)
            d->key[i] = load_le32(block + 4 * i);
        OPENSSL_cleanse(block, sizeof block);
    }
    if (pstr != nullptr && pstr_len > 0)
        drbg_absorb(*d, pstr, pstr_len);
    d->state = EVP_RAND_STATE_READY;
    return 1;
}

int drbg_uninstantiate(void* vctx) {
    auto* d = static_cast<Drbg*>(vctx);
    OPENSSL_cleanse(d->key.data(), sizeof d->key);
    d->state = EVP_RAND_STATE_UNINITIALISED;
    return 1;
}

int drbg_generate(void* vctx, unsigned char* out, size_t outlen, unsigned strength, int /*pr*/,
                  unsigned char const* addin, size_t addin_len) {
    auto* d = static_cast<Drbg*>(vctx);
    if (d->state != EVP_RAND_STATE_READY || strength > strength_bits || outlen > max_request)
        return 0;
    if (addin != nullptr && addin_len > 0)
        drbg_absorb(*d, addin, addin_len);
    drbg_output(*d, out, outlen);
    return 1;
}

int drbg_reseed(void* vctx, int /*pr*/, unsigned char const* ent, size_t ent_len,
                unsigned char const* addin, size_t addin_len) {
    auto* d = static_cast<Drbg*>(vctx);
    if (d->state != EVP_RAND_STATE_READY)
        return 0;
    // Deterministic by construction: only caller-supplied bytes are mixed in, never the OS.
    if (ent != nullptr && ent_len > 0)
        drbg_absorb(*d, ent, ent_len);
    if (addin != nullptr && addin_len > 0)
        drbg_absorb(*d, addin, addin_len);
    return 1;
}

size_t drbg_get_seed(void* vctx, unsigned char** pout, int /*entropy*/, size_t min_len,
                     size_t max_len, int /*pr*/, unsigned char const* adin, size_t adin_len) {
    auto* d = static_cast<Drbg*>(vctx);
    std::size_t len = min_len < 32 ? 32 : min_len;
    if (len > max_len || len > max_request)
        return 0;
    auto* buf = static_cast<unsigned char*>(OPENSSL_malloc(len));
    if (buf == nullptr)
        return 0;
    if (d->lock != nullptr)
        d->lock->lock();
    int const ok = drbg_generate(vctx, buf, len, 0, 0, adin, adin_len);
    if (d->lock != nullptr)
        d->lock->unlock();
    if (!ok) {
        OPENSSL_free(buf);
        return 0;
    }
    *pout = buf;
    return len;
}

void drbg_clear_seed(void* /*vctx*/, unsigned char* out, size_t outlen) {
    OPENSSL_clear_free(out, outlen);
}

int drbg_enable_locking(void* vctx) {
    auto* d = static_cast<Drbg*>(vctx);
    if (d->lock == nullptr)
        d->lock = new (std::nothrow) std::mutex;
    return d->lock != nullptr;
}

int drbg_lock(void* vctx) {
    auto* d = static_cast<Drbg*>(vctx);
    if (d->lock != nullptr)
        d->lock->lock();
    return 1;
}

void drbg_unlock(void* vctx) {
    auto* d = static_cast<Drbg*>(vctx);
    if (d->lock != nullptr)
        d->lock->unlock();
}

OSSL_PARAM const* drbg_gettable_ctx_params(void* /*vctx*/, void* /*provctx*/) {
    static OSSL_PARAM const params[] = {
        OSSL_PARAM_int(OSSL_RAND_PARAM_STATE, nullptr),
        OSSL_PARAM_uint(OSSL_RAND_PARAM_STRENGTH, nullptr),
        OSSL_PARAM_size_t(OSSL_RAND_PARAM_MAX_REQUEST, nullptr),
        OSSL_PARAM_END,
    };
    return params;
}

int drbg_get_ctx_params(void* vctx, OSSL_PARAM params[]) {
    auto* d = static_cast<Drbg*>(vctx);
    OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STATE);
    if (p != nullptr && !OSSL_PARAM_set_int(p, d->state))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STRENGTH);
    if (p != nullptr && !OSSL_PARAM_set_uint(p, strength_bits))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_MAX_REQUEST);
    if (p != nullptr && !OSSL_PARAM_set_size_t(p, max_request))
        return 0;
    return 1;
}

OSSL_PARAM const* drbg_settable_ctx_params(void* /*vctx*/, void* /*provctx*/) {
    static OSSL_PARAM const params[] = {OSSL_PARAM_END};
    return params;
}

int drbg_set_ctx_params(void* /*vctx*/, OSSL_PARAM const* /*params*/) {
    return 1;
}

int drbg_verify_zeroization(void* vctx) {
    auto* d = static_cast<Drbg*>(vctx);
    for (auto w : d->key)
        if (w != 0)
            return 0;
    return 1;
}

#define NSSLAB_FN(id, fn) \
    { id, reinterpret_cast<void (*)(void)>(fn) }

OSSL_DISPATCH const drbg_functions[] = {
    NSSLAB_FN(OSSL_FUNC_RAND_NEWCTX, drbg_newctx),
    NSSLAB_FN(OSSL_FUNC_RAND_FREECTX, drbg_freectx),
    NSSLAB_FN(OSSL_FUNC_RAND_INSTANTIATE, drbg_instantiate),
    NSSLAB_FN(OSSL_FUNC_RAND_UNINSTANTIATE, drbg_uninstantiate),
    NSSLAB_FN(OSSL_FUNC_RAND_GENERATE, drbg_generate),
    NSSLAB_FN(OSSL_FUNC_RAND_RESEED, drbg_reseed),
    NSSLAB_FN(OSSL_FUNC_RAND_GET_SEED, drbg_get_seed),
    NSSLAB_FN(OSSL_FUNC_RAND_CLEAR_SEED, drbg_clear_seed),
    NSSLAB_FN(OSSL_FUNC_RAND_ENABLE_LOCKING, drbg_enable_locking),
    NSSLAB_FN(OSSL_FUNC_RAND_LOCK, drbg_lock),
    NSSLAB_FN(OSSL_FUNC_RAND_UNLOCK, drbg_unlock),
    NSSLAB_FN(OSSL_FUNC_RAND_GETTABLE_CTX_PARAMS, drbg_gettable_ctx_params),
    NSSLAB_FN(OSSL_FUNC_RAND_GET_CTX_PARAMS, drbg_get_ctx_params),
    NSSLAB_FN(OSSL_FUNC_RAND_SETTABLE_CTX_PARAMS, drbg_settable_ctx_params),
    NSSLAB_FN(OSSL_FUNC_RAND_SET_CTX_PARAMS, drbg_set_ctx_params),
    NSSLAB_FN(OSSL_FUNC_RAND_VERIFY_ZEROIZATION, drbg_verify_zeroization),
    {0, nullptr},
};

OSSL_ALGORITHM const rand_algorithms[] = {
    {seeded_rand_name, seeded_rand_properties, drbg_functions,
     "nsslab deterministic ChaCha20 stream"},
    {nullptr, nullptr, nullptr, nullptr},
};

OSSL_ALGORITHM const* provider_query(void* /*provctx*/, int operation_id, int* no_cache) {
    *no_cache = 0;
    return operation_id == OSSL_OP_RAND ? rand_algorithms : nullptr;
}

void provider_teardown(void* provctx) {
    auto* p = static_cast<ProviderCtx*>(provctx);
    OPENSSL_cleanse(p->key.data(), sizeof p->key);
    delete p;
}

OSSL_DISPATCH const provider_functions[] = {
    NSSLAB_FN(OSSL_FUNC_PROVIDER_TEARDOWN, provider_teardown),
    NSSLAB_FN(OSSL_FUNC_PROVIDER_QUERY_OPERATION, provider_query),
    {0, nullptr},
};

#undef NSSLAB_FN

int provider_init(OSSL_CORE_HANDLE const* /*handle*/, OSSL_DISPATCH const* /*in*/,
                  OSSL_DISPATCH const** out, void** provctx) {
    if (!pending_key)
        return 0;  // only loadable through install_seeded_rand
    auto* p = new (std::nothrow) ProviderCtx;
    if (p == nullptr)
        return 0;
    for (std::size_t i = 0; i < 8; ++i)
        p->key[i] = load_le32(pending_key->data() + 4 * i);
    *provctx = p;
    *out = provider_functions;
    return 1;
}

}  // extern "C"

}  // namespace

void chacha20_block(std::array<std::uint32_t, 8> const& key, std::uint32_t counter,
                    std::array<std::uint32_t, 3> const& nonce, std::uint8_t out[64]) {
    std::uint32_t const init[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, key[0], key[1],
                                    key[2],     key[3],     key[4],     key[5],     key[6], key[7],
                                    counter,    nonce[0],   nonce[1],   nonce[2]};
    std::uint32_t x[16];
    std::memcpy(x, init, sizeof x);
    for (int i = 0; i < 10; ++i) {
        quarter_round(x[0], x[4], x[8], x[12]);
        quarter_round(x[1], x[5], x[9], x[13]);
        quarter_round(x[2], x[6], x[10], x[14]);
        quarter_round(x[3], x[7], x[11], x[15]);
        quarter_round(x[0], x[5], x[10], x[15]);
        quarter_round(x[1], x[6], x[11], x[12]);
        quarter_round(x[2], x[7], x[8], x[13]);
        quarter_round(x[3], x[4], x[9], x[14]);
    }
    for (std::size_t i = 0; i < 16; ++i) {
        std::uint32_t const v = x[i] + init[i];
        out[4 * i] = static_cast<std::uint8_t>(v);
        out[4 * i + 1] = static_cast<std::uint8_t>(v >> 8);
        out[4 * i + 2] = static_cast<std::uint8_t>(v >> 16);
        out[4 * i + 3] = static_cast<std::uint8_t>(v >> 24);
    }
}

Result<OSSL_PROVIDER*> install_seeded_rand(OSSL_LIB_CTX* libctx,
                                           std::array<std::uint8_t, 32> const& key) {
    NSSLAB_ASSERT(libctx != nullptr, "the default library context is never made deterministic");
    if (!OSSL_PROVIDER_add_builtin(libctx, seeded_provider_name, provider_init))
        return openssl_failure("install_seeded_rand: OSSL_PROVIDER_add_builtin");
    // Types first: DRBGs are created lazily, on the first draw, and read these settings then.
    if (!RAND_set_seed_source_type(libctx, seeded_rand_name, seeded_rand_properties))
        return openssl_failure("install_seeded_rand: RAND_set_seed_source_type");
    if (!RAND_set_DRBG_type(libctx, seeded_rand_name, seeded_rand_properties, nullptr, nullptr))
        return openssl_failure("install_seeded_rand: RAND_set_DRBG_type");
    pending_key = key;
    OSSL_PROVIDER* prov = OSSL_PROVIDER_load(libctx, seeded_provider_name);
    pending_key.reset();
    if (prov == nullptr)
        return openssl_failure("install_seeded_rand: OSSL_PROVIDER_load nsslab-seeded");
    return prov;
}

}  // namespace nsslab::crypto
