// Internal helpers shared by the iked.conf, nssd.conf and IP filter policy parsers: reading
// parameter values with range checks, emitting diagnostics with the value's location.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "nsslab/base/address.hpp"
#include "nsslab/zos/config_lexer.hpp"
#include "nsslab/zos/iked_conf.hpp"

namespace nsslab::zos::detail {

// Decimal digits only, no sign, no overflow beyond uint64.
std::optional<std::uint64_t> parse_decimal(std::string_view text);

// Checks that `p` has between min and max values and no nested block; emits a diagnostic naming
// `usage` (e.g. "IkeRetries n") otherwise.
bool check_values(ConfigParam const& p, std::size_t min, std::size_t max, std::string_view usage,
                  DiagnosticSink& sink);

// An integer in [lo, hi]; the diagnostic names the parameter.
std::optional<std::uint32_t> read_uint(Token const& t, std::string_view param, std::uint32_t lo,
                                       std::uint32_t hi, DiagnosticSink& sink);

// Index of the case-insensitive match among `choices`.
std::optional<std::size_t> read_choice(Token const& t, std::string_view param,
                                       std::initializer_list<std::string_view> choices,
                                       DiagnosticSink& sink);

// Yes|No.
std::optional<bool> read_yes_no(Token const& t, std::string_view param, DiagnosticSink& sink);

// 1..max_len characters (bytes) with no blanks.
std::optional<std::string> read_name(Token const& t, std::string_view param, std::size_t max_len,
                                     DiagnosticSink& sink);

// A Policy Agent statement name (IpFilterRule, KeyExchangeAction, ...) or the name in a *Ref
// parameter: 1-32 characters, not starting with '-', no ','.
std::optional<std::string> read_policy_name(Token const& t, std::string_view param,
                                            DiagnosticSink& sink);
// The one name after a Policy Agent statement's keyword ("IpDataOffer name {"), read as
// read_policy_name(`param`).
std::optional<std::string> policy_statement_name(ConfigStatement const& st, std::string_view param,
                                                 DiagnosticSink& sink);

// A certificate label: 1..32 characters, blanks allowed (RACF labels).
std::optional<std::string> read_label(Token const& t, std::string_view param, DiagnosticSink& sink);

// A key ring, "userid/ringname" or "ringname" (KeyRing in iked.conf and nssd.conf): user ID
// 1-8 characters, ring name 1-237 characters without blanks or '/'. With allow_no_key_ring,
// "NoKeyRing" (any case) sets no_key_ring and returns nullopt.
std::optional<KeyRingName> read_key_ring(Token const& t, std::string_view param,
                                         bool allow_no_key_ring, bool& no_key_ring,
                                         DiagnosticSink& sink);

std::string join_choices(std::initializer_list<std::string_view> choices);

// The entry of `known` closest to `word` (case-insensitive edit distance at most 2, or a third of
// the word's length when longer, and less than the word's length), for "did you mean" hints;
// empty when none is close.
std::string_view closest_match(std::string_view word, std::span<std::string_view const> known);

}  // namespace nsslab::zos::detail
