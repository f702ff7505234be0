// TLS key log writer: appends lines in the NSS key log format (SSLKEYLOGFILE), which
// Wireshark reads through the `tls.keylog_file` preference to decrypt the TLS channel between
// IKED and NSSD in a capture (DESIGN.md §4 "Capture"; docs/capture.md).
//
// Format (one secret per line, https://www.ietf.org/archive/id/draft-ietf-tls-keylogfile-02):
//   <label> SP <hex client_random (32 bytes)> SP <hex secret>
// e.g. "CLIENT_HANDSHAKE_TRAFFIC_SECRET 1a2b... 3c4d..." (TLS 1.3) or
// "CLIENT_RANDOM <client_random> <master secret>" (TLS 1.2). OpenSSL's
// SSL_CTX_set_keylog_callback hands out complete lines, which are appended as they are.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"

namespace nsslab::reports {

// "<label> <hex client_random> <hex secret>" in lower-case hex.
std::string format_key_log_line(std::string_view label, ByteView client_random, ByteView secret);

class KeyLogWriter {
  public:
    // Opens `path` for appending (creating it), or truncates it first when `truncate`.
    static Result<KeyLogWriter> open(std::filesystem::path const& path, bool truncate = false);

    // Appends one line plus '\n' and flushes, so a reader started mid-run sees it.
    // Errors: invalid_argument (empty, or contains CR/LF), io_error.
    Result<void> append(std::string_view line);
    Result<void> append(std::vector<std::string> const& lines);

    std::filesystem::path const& path() const { return path_; }
    std::size_t lines_written() const { return lines_; }

  private:
    KeyLogWriter(std::filesystem::path path, std::unique_ptr<std::ofstream> out)
        : path_(std::move(path)), out_(std::move(out)) {}

    std::filesystem::path path_;
    std::unique_ptr<std::ofstream> out_;
    std::size_t lines_{0};
};

}  // namespace nsslab::reports
