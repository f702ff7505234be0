#include "nsslab/crypto/openssl_error.hpp"

#include <openssl/err.h>

namespace nsslab::crypto {

std::string drain_openssl_errors(std::string_view what) {
    std::string out(what);
    bool first = true;
    unsigned long code;
    while ((code = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        out += first ? ": " : "; ";
        out += buf;
        first = false;
    }
    return out;
}

Error openssl_failure(std::string_view what) {
    return fail(Errc::crypto_error, drain_openssl_errors(what));
}

}  // namespace nsslab::crypto
