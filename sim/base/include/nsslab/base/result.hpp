// Result and error types shared by every layer of nsslab.
//
// STYLE.md, "Errors, three classes": fallible operations at a boundary (decoding, parsing,
// OpenSSL calls, file loading, socket calls) return Result<T>, whose error carries a code
// and human-readable context such as "iked.conf:12:5" or "byte offset 40". Broken
// invariants use NSSLAB_ASSERT, which stays on in release builds.
#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <string_view>

namespace nsslab {

// What went wrong, coarse enough for callers to branch on.
enum class Errc {
    invalid_argument,    // a caller passed a value outside the documented domain
    parse_error,         // a text input (config, script, scenario) is not in the grammar
    decode_error,        // a binary input (frame, packet) is malformed
    truncated,           // a binary input ended before a complete unit
    oversized,           // an input exceeds a documented bound
    unknown_type,        // a type code this version does not know
    not_found,           // a named thing does not exist
    already_exists,      // a named thing exists and may not be created again
    permission_denied,   // an access check said no
    auth_failed,         // credentials were rejected
    connection_refused,  // nothing listens at the remote endpoint
    connection_reset,    // the peer reset the connection
    timed_out,           // a bounded wait expired
    unreachable,         // no route, host down or partitioned
    closed,              // the object was closed
    limit_exceeded,      // a bounded queue or buffer is full
    state_error,         // the request is not valid in the current state
    crypto_error,        // OpenSSL reported an error
    io_error,            // the operating system reported an error
    unsupported,         // valid, but not implemented by this emulation
};

// Name of an error code, for messages and traces.
std::string_view to_string(Errc code);

struct Error {
    Errc code{Errc::invalid_argument};
    std::string message;  // complete sentence-like context: where and what

    std::string what() const;  // "<code>: <message>"
};

// Thrown only by Result::value() on an error; library code checks results instead.
[[noreturn]] void throw_exception_from_error(Error const& error, boost::source_location const& loc);

template <class T>
using Result = boost::system::result<T, Error>;

// Shorthand for returning an error: `return fail(Errc::parse_error, "x.conf:3:1: ...");`
inline Error fail(Errc code, std::string message) {
    return Error{code, std::move(message)};
}

[[noreturn]] void assertion_failed(char const* expr, char const* file, int line, char const* msg);

}  // namespace nsslab

// Invariant check that stays on in release builds (TigerBeetle style).
#define NSSLAB_ASSERT(expr, msg)                                        \
    do {                                                                \
        if (!(expr))                                                    \
            ::nsslab::assertion_failed(#expr, __FILE__, __LINE__, msg); \
    } while (false)
