// <regex> without GCC 12's false -Wmaybe-uninitialized inside libstdc++'s regex compiler
// (GCC bug 105562, reported at -O2 with the sanitizers). The warning belongs to the header,
// so it is silenced for the header only; include this instead of <regex>.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
#else
#include <regex>
#endif
