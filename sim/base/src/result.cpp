#include "nsslab/base/result.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace nsslab {

std::string_view to_string(Errc code) {
    switch (code) {
        case Errc::invalid_argument:
            return "invalid_argument";
        case Errc::parse_error:
            return "parse_error";
        case Errc::decode_error:
            return "decode_error";
        case Errc::truncated:
            return "truncated";
        case Errc::oversized:
            return "oversized";
        case Errc::unknown_type:
            return "unknown_type";
        case Errc::not_found:
            return "not_found";
        case Errc::already_exists:
            return "already_exists";
        case Errc::permission_denied:
            return "permission_denied";
        case Errc::auth_failed:
            return "auth_failed";
        case Errc::connection_refused:
            return "connection_refused";
        case Errc::connection_reset:
            return "connection_reset";
        case Errc::timed_out:
            return "timed_out";
        case Errc::unreachable:
            return "unreachable";
        case Errc::closed:
            return "closed";
        case Errc::limit_exceeded:
            return "limit_exceeded";
        case Errc::state_error:
            return "state_error";
        case Errc::crypto_error:
            return "crypto_error";
        case Errc::io_error:
            return "io_error";
        case Errc::unsupported:
            return "unsupported";
    }
    return "unknown";
}

std::string Error::what() const {
    std::string out{to_string(code)};
    if (!message.empty()) {
        out += ": ";
        out += message;
    }
    return out;
}

void throw_exception_from_error(Error const& error, boost::source_location const&) {
    throw std::runtime_error(error.what());
}

void assertion_failed(char const* expr, char const* file, int line, char const* msg) {
    std::fprintf(stderr, "nsslab: assertion failed: %s (%s) at %s:%d\n", expr, msg, file, line);
    std::abort();
}

}  // namespace nsslab
