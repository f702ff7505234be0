// Turns OpenSSL's thread-local error queue into nsslab errors (Errc::crypto_error).
#pragma once

#include <string>
#include <string_view>

#include "nsslab/base/result.hpp"

namespace nsslab::crypto {

// Drains OpenSSL's error queue into one line: "<what>: <reason>; <reason>".
std::string drain_openssl_errors(std::string_view what);

// Error{crypto_error, drain_openssl_errors(what)}.
Error openssl_failure(std::string_view what);

}  // namespace nsslab::crypto
