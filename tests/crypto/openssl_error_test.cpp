#include "nsslab/crypto/openssl_error.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>

namespace nsslab::crypto {
namespace {

TEST(OpensslError, DrainsQueueIntoMessage) {
    EXPECT_EQ(EVP_get_digestbyname("no-such-digest"), nullptr);
    ERR_raise(ERR_LIB_EVP, EVP_R_UNSUPPORTED_ALGORITHM);
    Error e = openssl_failure("digest lookup");
    EXPECT_EQ(e.code, Errc::crypto_error);
    EXPECT_NE(e.message.find("digest lookup: "), std::string::npos);
    EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace nsslab::crypto
