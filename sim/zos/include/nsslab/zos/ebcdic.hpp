// EBCDIC code page IBM-1047 for the characters nsslab translates: A-Z, a-z, 0-9, the blank and
// the national characters $ # @ (RACF names, PassTicket inputs, SharedKey Ebcdic keys).
#pragma once

#include <cstdint>
#include <optional>

namespace nsslab::zos {

// A-I C1-C9, J-R D1-D9, S-Z E2-E9, a-i 81-89, j-r 91-99, s-z A2-A9, 0-9 F0-F9, blank 40,
// $ 5B, # 7B, @ 7C (the same bytes in IBM-037 and IBM-500); nullopt for any other character.
std::optional<std::uint8_t> to_cp1047(char c);

}  // namespace nsslab::zos
