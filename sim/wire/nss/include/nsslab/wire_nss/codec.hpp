// Binary codec of the NSS protocol (docs/nss-protocol.md; DESIGN.md §5).
//
// Frame (all integers big-endian):
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-------------------------------+---------------+---------------+
//   |        magic 0x4E53 "NS"      | proto version |  message type |
//   +-------------------------------+---------------+---------------+
//   |                      request id (32 bits)                     |
//   +---------------------------------------------------------------+
//   |                    body length in octets (32 bits)            |
//   +---------------------------------------------------------------+
//   |   body: attributes, each  tag (16) | length (32) | value      |
//   +---------------------------------------------------------------+
// The layout of each message type's attributes is in docs/nss-protocol.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/wire_nss/messages.hpp"

namespace nsslab::wire_nss {

inline constexpr std::uint16_t frame_magic = 0x4E53;
inline constexpr std::uint8_t protocol_version = 1;
inline constexpr std::size_t header_size = 12;
inline constexpr std::size_t default_max_body = 1u << 20;  // 1 MiB

// Bounds the decoder enforces (docs/nss-protocol.md, "Bounds"). encode() does not check them:
// a sender keeps its messages within them, or the peer rejects the frame.
inline constexpr std::size_t max_name_size = 256;   // names, labels, user IDs, credentials, SA ids
inline constexpr std::size_t max_text_size = 4096;  // reasons, subject DNs, one display line
inline constexpr std::size_t max_chain_certificates = 64;   // VerifyRequest::chain
inline constexpr std::size_t max_certificate_entries = 64;  // CertificateReply::certificates
inline constexpr std::size_t max_display_lines = 10000;     // MgmtReply::lines

// Encodes one message as a complete frame.
Bytes encode(Message const& message);

// Decodes one complete frame (header + body). Errors: truncated, oversized (body larger than
// max_body), decode_error (bad magic, version, attribute layout, missing mandatory attribute,
// bad enum value), unknown_type; each message names the byte offset.
Result<Message> decode(ByteView frame, std::size_t max_body = default_max_body);

// Incremental frame splitter for a byte stream (TLS plaintext). Bounded: a header announcing
// a body larger than max_body is an error at once, before the body arrives.
class FrameReader {
  public:
    explicit FrameReader(std::size_t max_body = default_max_body) : max_body_(max_body) {}
    // Appends received bytes. Errc::oversized / decode_error (bad magic) poison the reader:
    // the connection must be closed. Errc::limit_exceeded (not poisoning, the bytes are not
    // taken) when buffered() + bytes.size() would exceed buffer_limit(): a caller that drains
    // next() until it is empty after every feed and feeds at most 64 KiB at a time never sees it.
    Result<void> feed(ByteView bytes);
    // The next complete frame, decoded, if one is buffered. A decode error of one frame is
    // returned as an error; the reader then continues with the next frame (the frame's length
    // was valid), so the caller may answer with ErrorReply and go on, or close.
    std::optional<Result<Message>> next();
    std::size_t buffered() const { return buffer_.size() - head_; }
    bool poisoned() const { return poisoned_; }
    std::size_t buffer_limit() const { return 2 * (header_size + max_body_) + (64u << 10); }

  private:
    std::size_t max_body_;
    Bytes buffer_;
    std::size_t head_{0};
    std::size_t scan_{0};  // start of the first frame whose header is not yet complete
    bool poisoned_{false};
};

}  // namespace nsslab::wire_nss
