// ASCII case mapping for identifiers that z/OS folds to upper case (user IDs, profile names,
// stack and label names) and for names compared case-insensitively (host names, keywords).
// Only 'a'-'z' and 'A'-'Z' change: no locale, so the result never depends on the environment.
#pragma once

#include <string>
#include <string_view>

namespace nsslab {

std::string ascii_upper(std::string_view text);
std::string ascii_lower(std::string_view text);

}  // namespace nsslab
