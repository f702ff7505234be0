#include "nsslab/base/bytes.hpp"

namespace nsslab {

std::string to_hex(ByteView data, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (std::uint8_t b : data) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0f]);
    }
    return out;
}

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
}  // namespace

Result<Bytes> from_hex(std::string_view hex) {
    Bytes out;
    int high = -1;
    for (std::size_t i = 0; i < hex.size(); ++i) {
        char c = hex[i];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
            continue;
        int v = hex_value(c);
        if (v < 0)
            return fail(Errc::parse_error, "offset " + std::to_string(i) + ": '" +
                                               std::string(1, c) + "' is not a hex digit");
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(high << 4 | v));
            high = -1;
        }
    }
    if (high >= 0)
        return fail(Errc::parse_error, "odd number of hex digits");
    return out;
}

void ByteWriter::u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
}
void ByteWriter::u32(std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out_.push_back(static_cast<std::uint8_t>(v >> shift));
}
void ByteWriter::u64(std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8)
        out_.push_back(static_cast<std::uint8_t>(v >> shift));
}
void ByteWriter::patch_u16(std::size_t at, std::uint16_t v) {
    NSSLAB_ASSERT(at + 2 <= out_.size(), "patch_u16 out of range");
    out_[at] = static_cast<std::uint8_t>(v >> 8);
    out_[at + 1] = static_cast<std::uint8_t>(v);
}
void ByteWriter::patch_u32(std::size_t at, std::uint32_t v) {
    NSSLAB_ASSERT(at + 4 <= out_.size(), "patch_u32 out of range");
    for (int i = 0; i < 4; ++i)
        out_[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

Result<ByteView> ByteReader::take(std::size_t n) {
    if (n > remaining())
        return fail(Errc::truncated, "need " + std::to_string(n) + " bytes at offset " +
                                         std::to_string(pos_) + ", " + std::to_string(remaining()) +
                                         " left");
    ByteView v = in_.subspan(pos_, n);
    pos_ += n;
    return v;
}

Result<std::uint8_t> ByteReader::u8() {
    auto v = take(1);
    if (!v)
        return v.error();
    return (*v)[0];
}
Result<std::uint16_t> ByteReader::u16() {
    auto v = take(2);
    if (!v)
        return v.error();
    return static_cast<std::uint16_t>((*v)[0] << 8 | (*v)[1]);
}
Result<std::uint32_t> ByteReader::u32() {
    auto v = take(4);
    if (!v)
        return v.error();
    std::uint32_t out = 0;
    for (std::uint8_t b : *v)
        out = out << 8 | b;
    return out;
}
Result<std::uint64_t> ByteReader::u64() {
    auto v = take(8);
    if (!v)
        return v.error();
    std::uint64_t out = 0;
    for (std::uint8_t b : *v)
        out = out << 8 | b;
    return out;
}
Result<ByteView> ByteReader::bytes(std::size_t n) {
    return take(n);
}

}  // namespace nsslab
