// Byte buffers, hex, and bounds-checked big-endian readers/writers for codecs.
// A ByteReader never reads past its end: every read reports truncation with the offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"

namespace nsslab {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteView b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes to_bytes(std::string_view s) {
    return Bytes(s.begin(), s.end());
}

std::string to_hex(ByteView data, bool upper = false);
// Accepts upper or lower case; spaces are ignored. Error names the offending offset.
Result<Bytes> from_hex(std::string_view hex);

// Appends big-endian integers and byte strings to a Bytes buffer.
class ByteWriter {
  public:
    explicit ByteWriter(Bytes& out) : out_(out) {}
    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v);
    void u32(std::uint32_t v);
    void u64(std::uint64_t v);
    void bytes(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }
    // Writes a big-endian u16 at an earlier position (length back-patching).
    void patch_u16(std::size_t at, std::uint16_t v);
    void patch_u32(std::size_t at, std::uint32_t v);
    std::size_t size() const { return out_.size(); }

  private:
    Bytes& out_;
};

// Reads big-endian integers from a view; each read fails with Errc::truncated, naming the
// offset, instead of reading past the end.
class ByteReader {
  public:
    explicit ByteReader(ByteView in) : in_(in) {}
    Result<std::uint8_t> u8();
    Result<std::uint16_t> u16();
    Result<std::uint32_t> u32();
    Result<std::uint64_t> u64();
    Result<ByteView> bytes(std::size_t n);
    ByteView rest() const { return in_.subspan(pos_); }
    std::size_t remaining() const { return in_.size() - pos_; }
    std::size_t offset() const { return pos_; }
    bool empty() const { return pos_ == in_.size(); }

  private:
    Result<ByteView> take(std::size_t n);
    ByteView in_;
    std::size_t pos_{0};
};

}  // namespace nsslab
