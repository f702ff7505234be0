// SHA-1 and SHA-256 via OpenSSL 3 EVP_Q_digest (default library context).
#include "nsslab/crypto/digest.hpp"

#include <openssl/evp.h>

#include <string>

#include "nsslab/crypto/openssl_error.hpp"

namespace nsslab::crypto {
namespace {

Result<Bytes> digest(char const* name, std::size_t size, ByteView data) {
    Bytes out(EVP_MAX_MD_SIZE);
    std::size_t len = 0;
    static constexpr unsigned char no_data[1] = {0};
    if (EVP_Q_digest(nullptr, name, nullptr, data.empty() ? no_data : data.data(), data.size(),
                     out.data(), &len) != 1)
        return openssl_failure(std::string(name) + ": EVP_Q_digest failed");
    NSSLAB_ASSERT(len == size, "digest length differs from the algorithm's");
    out.resize(len);
    return out;
}

}  // namespace

Result<Bytes> sha1(ByteView data) {
    return digest("SHA1", sha1_size, data);
}

Result<Bytes> sha256(ByteView data) {
    return digest("SHA256", sha256_size, data);
}

}  // namespace nsslab::crypto
