// Operator command text as typed at a z/OS console or in a UNIX shell (MODIFY IKED,..., ipsec,
// nssctl): the helpers the daemons' command handlers share (sim/iked, sim/nssd).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nsslab::zos {

// The blank-delimited words of `text` (space, tab, CR, LF, FF, VT), in order; no empty words.
// "  ipsec -z  SYSTEMA_STACK1 -f display " -> {"ipsec", "-z", "SYSTEMA_STACK1", "-f", "display"}.
std::vector<std::string> split_words(std::string_view text);

}  // namespace nsslab::zos
