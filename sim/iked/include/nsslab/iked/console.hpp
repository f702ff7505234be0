// IKED's console commands, parsed (docs/nss-client.md §10, docs/daemons.md "Console commands"):
// the text an operator types, turned into one command value that IkedDaemon executes. Parsing
// only: no RACF check, no state (the daemon checks EZB.NETMGMT / EZB.IPSECCMD profiles).
//
//   MODIFY IKED,REFRESH[,FILE=name]     F IKED,REFRESH[,FILE=name] too (z/OS MODIFY syntax)
//   ipsec -w display                    the NSS display (facts §9)
//   nss sign <stack> <label> <scheme> <hex>
//   ipsec [-p <stack>] <option> <function> [...]   the local ipsec commands (local_ipsec.cpp)
//   sa add <stack> ike|ipsec ...        record an SA by hand (until the IKE engine negotiates)
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/wire_nss/messages.hpp"

namespace nsslab::iked {

// MODIFY IKED,REFRESH: read iked.conf again; with FILE=name, /etc/security/<name> replaces it
// first (the file name as given, one path component).
struct RefreshCommand {
    std::optional<std::string> file;
};
struct NssDisplayCommand {};  // ipsec -w display
struct NssSignCommand {
    std::string stack;  // upper case
    std::string label;
    wire_nss::SignatureScheme scheme{};
    Bytes data;
};
// ipsec [-p stack] ...: `words` is the command with "-p <stack>" taken out.
struct LocalIpsecCommand {
    std::string stack;  // upper case; empty: not given
    std::vector<std::string> words;
};
struct SaAddCommand {
    std::vector<std::string> words;  // "sa" "add" <stack> ...
};

using ConsoleCommand = std::variant<RefreshCommand, NssDisplayCommand, NssSignCommand,
                                    LocalIpsecCommand, SaAddCommand>;

// Errors (Errc::invalid_argument) carry the line to show the operator: the usage of a known
// command given bad arguments, or "unknown or unsupported command: <text>".
Result<ConsoleCommand> parse_console_command(std::string_view text);

// The scheme named as wire_nss::to_string prints it ("ecdsa_sha256"), or nullopt.
std::optional<wire_nss::SignatureScheme> signature_scheme_from(std::string_view name);

}  // namespace nsslab::iked
