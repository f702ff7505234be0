// HMAC via OpenSSL 3 EVP_Q_mac (default library context, default provider).
#include "nsslab/crypto/hmac.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include "nsslab/crypto/openssl_error.hpp"

namespace nsslab::crypto {
namespace {

char const* digest_name(HmacHash hash) {
    switch (hash) {
        case HmacHash::sha1:
            return "SHA1";
        case HmacHash::sha256:
            return "SHA256";
        case HmacHash::sha384:
            return "SHA384";
        case HmacHash::sha512:
            return "SHA512";
    }
    NSSLAB_ASSERT(false, "unknown HmacHash");
    return "";
}

Result<std::size_t> hmac_into(HmacHash hash, ByteView key, ByteView data,
                              std::span<std::uint8_t> out) {
    // An empty key is, after RFC 2104's zero padding to the block size, the same key as one
    // zero byte; OpenSSL's HMAC refuses a zero-length key, so pass that instead.
    static constexpr std::uint8_t zero_key[1] = {0};
    if (key.empty())
        key = ByteView(zero_key, 1);
    static constexpr std::uint8_t no_data[1] = {0};
    std::uint8_t const* data_ptr = data.empty() ? no_data : data.data();
    std::size_t out_len = 0;
    auto* result = EVP_Q_mac(nullptr, "HMAC", nullptr, digest_name(hash), nullptr, key.data(),
                             key.size(), data_ptr, data.size(), out.data(), out.size(), &out_len);
    if (result == nullptr)
        return openssl_failure(std::string("HMAC-") + digest_name(hash) + ": EVP_Q_mac failed");
    NSSLAB_ASSERT(out_len == hmac_size(hash), "HMAC output length differs from the digest size");
    return out_len;
}

}  // namespace

std::string_view to_string(HmacHash hash) {
    switch (hash) {
        case HmacHash::sha1:
            return "sha1";
        case HmacHash::sha256:
            return "sha256";
        case HmacHash::sha384:
            return "sha384";
        case HmacHash::sha512:
            return "sha512";
    }
    return "unknown";
}

std::size_t hmac_size(HmacHash hash) {
    switch (hash) {
        case HmacHash::sha1:
            return 20;
        case HmacHash::sha256:
            return 32;
        case HmacHash::sha384:
            return 48;
        case HmacHash::sha512:
            return 64;
    }
    NSSLAB_ASSERT(false, "unknown HmacHash");
    return 0;
}

Result<Bytes> hmac(HmacHash hash, ByteView key, ByteView data) {
    Bytes out(hmac_size(hash));
    auto len = hmac_into(hash, key, data, out);
    if (!len)
        return len.error();
    return out;
}

Result<HmacSha512> hmac_sha512(ByteView key, ByteView data) {
    HmacSha512 out{};
    auto len = hmac_into(HmacHash::sha512, key, data, out);
    if (!len)
        return len.error();
    return out;
}

}  // namespace nsslab::crypto
