// IBM-1047 for the characters nsslab translates (nsslab/zos/ebcdic.hpp).
#include "nsslab/zos/ebcdic.hpp"

namespace nsslab::zos {

std::optional<std::uint8_t> to_cp1047(char c) {
    if (c >= 'A' && c <= 'I')
        return static_cast<std::uint8_t>(0xC1 + (c - 'A'));
    if (c >= 'J' && c <= 'R')
        return static_cast<std::uint8_t>(0xD1 + (c - 'J'));
    if (c >= 'S' && c <= 'Z')
        return static_cast<std::uint8_t>(0xE2 + (c - 'S'));
    if (c >= 'a' && c <= 'i')
        return static_cast<std::uint8_t>(0x81 + (c - 'a'));
    if (c >= 'j' && c <= 'r')
        return static_cast<std::uint8_t>(0x91 + (c - 'j'));
    if (c >= 's' && c <= 'z')
        return static_cast<std::uint8_t>(0xA2 + (c - 's'));
    if (c >= '0' && c <= '9')
        return static_cast<std::uint8_t>(0xF0 + (c - '0'));
    switch (c) {
        case ' ':
            return std::uint8_t{0x40};
        case '$':
            return std::uint8_t{0x5B};
        case '#':
            return std::uint8_t{0x7B};
        case '@':
            return std::uint8_t{0x7C};
        default:
            return std::nullopt;
    }
}

}  // namespace nsslab::zos
