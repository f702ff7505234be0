// RACF PassTicket generation and evaluation (see passticket.hpp and docs/passticket.md).
//
// Legacy algorithm: reference/zos-nss-facts.md §8.1 (IBM "The PassTicket generation
// algorithm" / "The time-coder algorithm"); enhanced: §8.3 (IBM sample
// EnhancedPassTicketGenerator). Evaluation inverts both Feistel time coders.
#include "nsslab/zos/passticket.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "nsslab/base/time.hpp"
#include "nsslab/crypto/des.hpp"
#include "nsslab/crypto/hmac.hpp"
#include "nsslab/zos/ebcdic.hpp"
#include "nsslab/zos/passticket_steps.hpp"

namespace nsslab::zos {
namespace {

using Field8 = std::array<std::uint8_t, 8>;

constexpr std::int64_t legacy_time_max = 0xFFFFFFFFLL;
constexpr std::int64_t enhanced_time_max = (std::int64_t{1} << 48) - 1;
// Evaluation times beyond this are refused so that time arithmetic cannot overflow.
constexpr std::int64_t evaluation_time_limit = std::int64_t{1} << 60;

// A user ID or application name: upper-cased text and its EBCDIC bytes.
struct RacfName {
    std::string text;  // 1..8 characters, upper case
    Field8 padded{};   // EBCDIC, blank padded to 8
};

Result<RacfName> racf_name(std::string_view what, std::string_view value) {
    if (value.empty() || value.size() > 8)
        return fail(Errc::invalid_argument, std::string(what) + " must be 1 to 8 characters, got " +
                                                std::to_string(value.size()));
    RacfName name;
    name.padded.fill(0x40);
    for (std::size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
        // Lower case was folded above: RACF names are A-Z 0-9 @ # $ (no blank inside).
        auto e = c == ' ' ? std::nullopt : to_cp1047(c);
        if (!e) {
            auto const u = static_cast<unsigned char>(value[i]);
            std::string shown = u >= 0x21 && u < 0x7F ? std::string("'") + value[i] + "'"
                                                      : "byte " + std::to_string(u);
            return fail(Errc::invalid_argument,
                        std::string(what) + " has a character RACF does not allow (" + shown +
                            " at position " + std::to_string(i + 1) + "); allowed: A-Z 0-9 @ # $");
        }
        name.text.push_back(c);
        name.padded[i] = *e;
    }
    return name;
}

Result<void> check_key(PassTicketType type, std::size_t size) {
    if (type == PassTicketType::legacy) {
        if (size != 8)
            return fail(Errc::invalid_argument,
                        "legacy PassTicket key must be 8 bytes (16 hex digits), got " +
                            std::to_string(size) + " bytes");
    } else if (size < 32 || size > 256) {
        return fail(Errc::invalid_argument,
                    "enhanced PassTicket key must be 32 to 256 bytes, got " + std::to_string(size) +
                        " bytes");
    }
    return {};
}

// ---------------------------------------------------------------------------------------
// Legacy algorithm (facts §8.1).

constexpr std::array<std::array<std::uint8_t, 16>, 6> permutation_tables{{
    {10, 2, 12, 4, 14, 6, 16, 8, 9, 1, 11, 3, 13, 5, 15, 7},
    {1, 10, 3, 12, 13, 16, 7, 15, 9, 2, 11, 4, 5, 14, 8, 6},
    {3, 10, 1, 12, 13, 16, 9, 15, 7, 2, 14, 4, 5, 11, 8, 6},
    {10, 4, 12, 2, 14, 8, 16, 6, 9, 1, 13, 3, 11, 5, 15, 7},
    {4, 10, 12, 1, 8, 16, 14, 5, 9, 2, 13, 3, 11, 7, 15, 6},
    {1, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2},
}};

// Bit n (1-based, 1 = most significant) of a 16-bit value.
constexpr unsigned bit16(std::uint16_t v, unsigned n) {
    return (static_cast<unsigned>(v) >> (16 - n)) & 1u;
}

// Output bit j = input bit table[j].
constexpr std::uint16_t permute(std::uint16_t v, int round) {
    auto const& t = permutation_tables[static_cast<std::size_t>(round - 1)];
    unsigned out = 0;
    for (unsigned j = 1; j <= 16; ++j)
        out |= bit16(v, t[j - 1]) << (16 - j);
    return static_cast<std::uint16_t>(out);
}

// Input bit table[j] = output bit j.
constexpr std::uint16_t unpermute(std::uint16_t v, int round) {
    auto const& t = permutation_tables[static_cast<std::size_t>(round - 1)];
    unsigned in = 0;
    for (unsigned j = 1; j <= 16; ++j)
        in |= bit16(v, j) << (16u - t[j - 1]);
    return static_cast<std::uint16_t>(in);
}

struct LegacyState {
    crypto::DesEncryptor des;
    std::array<std::uint8_t, 12> pad{};  // user ID (unpadded EBCDIC) then X'55'
    std::uint32_t r3{0};                 // left 4 bytes of DES(DES(user) XOR appl)
};

Result<LegacyState> legacy_state(RacfName const& user, RacfName const& appl, ByteView key) {
    auto des = crypto::DesEncryptor::create(key);
    if (!des)
        return des.error();
    LegacyState s{std::move(*des), {}, 0};
    crypto::DesBlock r1 = s.des.encrypt(user.padded);
    crypto::DesBlock r2a{};
    for (std::size_t i = 0; i < 8; ++i)
        r2a[i] = static_cast<std::uint8_t>(r1[i] ^ appl.padded[i]);
    crypto::DesBlock r2 = s.des.encrypt(r2a);
    s.r3 = (std::uint32_t{r2[0]} << 24) | (std::uint32_t{r2[1]} << 16) |
           (std::uint32_t{r2[2]} << 8) | r2[3];
    s.pad.fill(0x55);
    for (std::size_t i = 0; i < user.text.size(); ++i)
        s.pad[i] = user.padded[i];
    return s;
}

// Round function: left 2 bytes of DES(R2B || PAD1 or PAD2).
std::uint16_t legacy_round_f(LegacyState& s, std::uint16_t r2b, int round) {
    crypto::DesBlock b{};
    b[0] = static_cast<std::uint8_t>(r2b >> 8);
    b[1] = static_cast<std::uint8_t>(r2b);
    std::size_t const pad_at = (round % 2 == 1) ? 0 : 6;
    for (std::size_t i = 0; i < 6; ++i)
        b[2 + i] = s.pad[pad_at + i];
    crypto::DesBlock c = s.des.encrypt(b);
    return static_cast<std::uint16_t>((c[0] << 8) | c[1]);
}

std::uint32_t legacy_time_coder(LegacyState& s, std::uint32_t r4) {
    auto l2b = static_cast<std::uint16_t>(r4 >> 16);
    auto r2b = static_cast<std::uint16_t>(r4);
    for (int round = 1; round <= 6; ++round) {
        auto const e = static_cast<std::uint16_t>(legacy_round_f(s, r2b, round) ^ l2b);
        l2b = r2b;
        r2b = permute(e, round);
    }
    return (std::uint32_t{l2b} << 16) | r2b;
}

std::uint32_t legacy_time_decoder(LegacyState& s, std::uint32_t r5) {
    auto l2b = static_cast<std::uint16_t>(r5 >> 16);
    auto r2b = static_cast<std::uint16_t>(r5);
    for (int round = 6; round >= 1; --round) {
        // Forward: l' = r, r' = permute(F(r) ^ l).
        std::uint16_t const prev_r = l2b;
        auto const prev_l =
            static_cast<std::uint16_t>(unpermute(r2b, round) ^ legacy_round_f(s, prev_r, round));
        l2b = prev_l;
        r2b = prev_r;
    }
    return (std::uint32_t{l2b} << 16) | r2b;
}

constexpr std::string_view legacy_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

// Bit n (1-based, 1 = most significant, wrapping mod 32) of a 32-bit value.
constexpr unsigned bit32(std::uint32_t v, unsigned n) {
    return (v >> (32 - ((n - 1) % 32 + 1))) & 1u;
}
// First bit of character k (0-based): 31, 3, 7, ..., 27.
constexpr unsigned legacy_char_start(unsigned k) {
    return k == 0 ? 31 : 4 * k - 1;
}

std::string legacy_translate(std::uint32_t r5) {
    std::string out;
    for (unsigned k = 0; k < 8; ++k) {
        unsigned v = 0;
        for (unsigned b = 0; b < 6; ++b)
            v = (v << 1) | bit32(r5, legacy_char_start(k) + b);
        out.push_back(legacy_alphabet[v % 36]);
    }
    return out;
}

// Every R5 that translates to `ticket`. Each character is a 6-bit value mod 36, so it stands
// for v or v + 36 (when v + 36 < 64); neighbouring characters share two bits, which prunes
// the at most 2^8 combinations.
std::vector<std::uint32_t> legacy_untranslate(std::string_view ticket) {
    std::vector<std::uint32_t> out;
    if (ticket.size() != 8)
        return out;
    std::array<unsigned, 8> digit{};
    for (std::size_t k = 0; k < 8; ++k) {
        auto const pos = legacy_alphabet.find(ticket[k]);
        if (pos == std::string_view::npos)
            return out;
        digit[k] = static_cast<unsigned>(pos);
    }
    for (unsigned combo = 0; combo < 256; ++combo) {
        std::uint32_t value = 0;
        std::uint32_t known = 0;
        bool ok = true;
        for (unsigned k = 0; k < 8 && ok; ++k) {
            unsigned v = digit[k];
            if ((combo >> k) & 1u) {
                v += 36;
                if (v > 63)
                    ok = false;
            }
            for (unsigned b = 0; b < 6 && ok; ++b) {
                unsigned const n = (legacy_char_start(k) + b - 1) % 32 + 1;
                std::uint32_t const mask = std::uint32_t{1} << (32 - n);
                bool const bit = ((v >> (5 - b)) & 1u) != 0;
                if ((known & mask) != 0) {
                    if (((value & mask) != 0) != bit)
                        ok = false;
                } else {
                    known |= mask;
                    if (bit)
                        value |= mask;
                }
            }
        }
        if (ok)
            out.push_back(value);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// ---------------------------------------------------------------------------------------
// Enhanced algorithm (facts §8.3).

struct EnhancedState {
    ByteView key;
    std::array<std::uint8_t, 16> user_appl{};  // EBCDIC user ID then application, blank padded
    std::array<std::uint8_t, 6> h{};           // left 6 bytes of HMAC(key, user_appl)
    bool upper{true};
};

Result<EnhancedState> enhanced_state(RacfName const& user, RacfName const& appl, ByteView key,
                                     bool upper) {
    EnhancedState s;
    s.key = key;
    s.upper = upper;
    std::copy(user.padded.begin(), user.padded.end(), s.user_appl.begin());
    std::copy(appl.padded.begin(), appl.padded.end(), s.user_appl.begin() + 8);
    auto h = crypto::hmac_sha512(key, s.user_appl);
    if (!h)
        return h.error();
    std::copy(h->begin(), h->begin() + 6, s.h.begin());
    return s;
}

// Round function: left 3 bytes of HMAC(key, R3B || round || user_appl).
Result<std::uint32_t> enhanced_round_f(EnhancedState const& s, std::uint32_t r3b, int round) {
    std::array<std::uint8_t, 20> buffer{};
    buffer[0] = static_cast<std::uint8_t>(r3b >> 16);
    buffer[1] = static_cast<std::uint8_t>(r3b >> 8);
    buffer[2] = static_cast<std::uint8_t>(r3b);
    buffer[3] = static_cast<std::uint8_t>(round);
    std::copy(s.user_appl.begin(), s.user_appl.end(), buffer.begin() + 4);
    auto h = crypto::hmac_sha512(s.key, buffer);
    if (!h)
        return h.error();
    return (std::uint32_t{(*h)[0]} << 16) | (std::uint32_t{(*h)[1]} << 8) | (*h)[2];
}

// UPPER, odd rounds: the left 7 bits of the round output are zeroed.
constexpr std::uint32_t enhanced_mask(bool upper, int round) {
    return (upper && round % 2 == 1) ? 0x01FFFFu : 0xFFFFFFu;
}

std::uint64_t enhanced_h48(EnhancedState const& s) {
    std::uint64_t v = 0;
    for (auto b : s.h)
        v = (v << 8) | b;
    return v;
}

Result<std::uint64_t> enhanced_time_coder(EnhancedState const& s, std::uint64_t p) {
    auto l3b = static_cast<std::uint32_t>(p >> 24) & 0xFFFFFFu;
    auto r3b = static_cast<std::uint32_t>(p) & 0xFFFFFFu;
    for (int round = 1; round <= 6; ++round) {
        auto f = enhanced_round_f(s, r3b, round);
        if (!f)
            return f.error();
        std::uint32_t const x = (*f ^ l3b) & enhanced_mask(s.upper, round);
        l3b = r3b;
        r3b = x;
    }
    return (std::uint64_t{l3b} << 24) | r3b;
}

// Inverse of enhanced_time_coder. In UPPER mode the bits masked away in round r were the
// left 7 bits of L3B: zero for rounds 3 and 5 (L3B is the masked output of round r-2); for
// round 1 they are those of (time XOR H)[0], taken from H, i.e. assuming the time is below
// 2^41 s. The caller re-generates to confirm.
Result<std::uint64_t> enhanced_time_decoder(EnhancedState const& s, std::uint64_t p) {
    auto l3b = static_cast<std::uint32_t>(p >> 24) & 0xFFFFFFu;
    auto r3b = static_cast<std::uint32_t>(p) & 0xFFFFFFu;
    for (int round = 6; round >= 1; --round) {
        std::uint32_t const prev_r = l3b;
        auto f = enhanced_round_f(s, prev_r, round);
        if (!f)
            return f.error();
        std::uint32_t prev_l = (*f ^ r3b) & 0xFFFFFFu;
        std::uint32_t const mask = enhanced_mask(s.upper, round);
        if (mask != 0xFFFFFFu) {
            std::uint32_t const lost =
                round == 1 ? (static_cast<std::uint32_t>(s.h[0]) << 16) & ~mask & 0xFFFFFFu : 0;
            prev_l = (prev_l & mask) | lost;
        }
        l3b = prev_l;
        r3b = prev_r;
    }
    return (std::uint64_t{l3b} << 24) | r3b;
}

constexpr std::string_view enhanced_alphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

std::string enhanced_translate(std::uint64_t p, bool upper) {
    std::uint64_t const n = upper ? 36 : 64;
    std::string out(8, '0');
    for (int i = 7; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = enhanced_alphabet[static_cast<std::size_t>(p % n)];
        p /= n;
    }
    return out;
}

std::optional<std::uint64_t> enhanced_untranslate(std::string_view ticket, bool upper) {
    if (ticket.size() != 8)
        return std::nullopt;
    std::uint64_t const n = upper ? 36 : 64;
    std::uint64_t v = 0;
    for (char c : ticket) {
        auto const pos = enhanced_alphabet.find(c);
        if (pos == std::string_view::npos || pos >= n)
            return std::nullopt;
        v = v * n + pos;
    }
    // UPPER tickets carry 17 + 24 bits (rounds 5 and 6); 36^8 > 2^41, so larger values are
    // not PassTickets.
    if (upper && v >= (std::uint64_t{1} << 41))
        return std::nullopt;
    return v;
}

// ---------------------------------------------------------------------------------------

Result<std::string> generate_checked(RacfName const& user, RacfName const& appl, ByteView key,
                                     PassTicketType type, std::int64_t t) {
    if (type == PassTicketType::legacy) {
        auto s = legacy_state(user, appl, key);
        if (!s)
            return s.error();
        std::uint32_t const r4 = s->r3 ^ static_cast<std::uint32_t>(t);
        return legacy_translate(legacy_time_coder(*s, r4));
    }
    bool const upper = type == PassTicketType::enhanced_upper;
    auto s = enhanced_state(user, appl, key, upper);
    if (!s)
        return s.error();
    std::uint64_t const p = static_cast<std::uint64_t>(t) ^ enhanced_h48(*s);
    auto coded = enhanced_time_coder(*s, p);
    if (!coded)
        return coded.error();
    return enhanced_translate(*coded, upper);
}

// Generation times for which `key` produces `ticket` (verified by re-generation).
Result<std::vector<std::int64_t>> recover_times(RacfName const& user, RacfName const& appl,
                                                PtktdataKey const& cand, std::string_view ticket) {
    std::vector<std::int64_t> times;
    if (cand.type == PassTicketType::legacy) {
        auto r5s = legacy_untranslate(ticket);
        if (r5s.empty())
            return times;
        auto s = legacy_state(user, appl, cand.key);
        if (!s)
            return s.error();
        for (std::uint32_t r5 : r5s) {
            std::uint32_t const t = legacy_time_decoder(*s, r5) ^ s->r3;
            // Re-encode: a cheap check that the inversion is exact.
            std::uint32_t const r4 = s->r3 ^ t;
            if (legacy_translate(legacy_time_coder(*s, r4)) == ticket)
                times.push_back(t);
        }
    } else {
        bool const upper = cand.type == PassTicketType::enhanced_upper;
        auto p = enhanced_untranslate(ticket, upper);
        if (!p)
            return times;
        auto s = enhanced_state(user, appl, cand.key, upper);
        if (!s)
            return s.error();
        auto decoded = enhanced_time_decoder(*s, *p);
        if (!decoded)
            return decoded.error();
        std::uint64_t const t = (*decoded ^ enhanced_h48(*s)) & 0xFFFFFFFFFFFFull;
        auto again = enhanced_time_coder(*s, t ^ enhanced_h48(*s));
        if (!again)
            return again.error();
        if (enhanced_translate(*again, upper) == ticket)
            times.push_back(static_cast<std::int64_t>(t));
    }
    std::sort(times.begin(), times.end());
    return times;
}

std::string iso_time(std::int64_t unix_s) {
    auto text = format_iso8601(time_from_unix_seconds(unix_s));
    // "....T..:..:...000000000Z" -> "....T..:..:..Z": PassTicket times are whole seconds.
    auto const dot = text.find('.');
    if (dot != std::string::npos && text.back() == 'Z')
        text = text.substr(0, dot) + "Z";
    return text;
}

std::int64_t distance(std::int64_t a, std::int64_t b) {
    return a > b ? a - b : b - a;
}

}  // namespace

namespace passticket_steps {

Result<std::array<std::uint8_t, 8>> ebcdic_name(std::string_view name) {
    auto n = racf_name("name", name);
    if (!n)
        return n.error();
    return n->padded;
}

Result<std::array<std::uint8_t, 12>> legacy_time_coder_pad(std::string_view user) {
    auto u = racf_name("user ID", user);
    if (!u)
        return u.error();
    std::array<std::uint8_t, 12> pad{};
    pad.fill(0x55);
    for (std::size_t i = 0; i < u->text.size(); ++i)
        pad[i] = u->padded[i];
    return pad;
}

std::uint16_t legacy_permute(std::uint16_t value, int round) {
    NSSLAB_ASSERT(round >= 1 && round <= 6, "time-coder round must be 1..6");
    return permute(value, round);
}

std::uint16_t legacy_unpermute(std::uint16_t value, int round) {
    NSSLAB_ASSERT(round >= 1 && round <= 6, "time-coder round must be 1..6");
    return unpermute(value, round);
}

std::string legacy_translate(std::uint32_t result5) {
    return zos::legacy_translate(result5);
}
std::vector<std::uint32_t> legacy_untranslate(std::string_view ticket) {
    return zos::legacy_untranslate(ticket);
}

namespace {
Result<LegacyState> legacy_state_for(ByteView key, std::string_view user) {
    auto u = racf_name("user ID", user);
    if (!u)
        return u.error();
    auto a = racf_name("application name", "A");
    if (!a)
        return a.error();
    if (auto k = check_key(PassTicketType::legacy, key.size()); !k)
        return k.error();
    return legacy_state(*u, *a, key);
}
Result<EnhancedState> enhanced_state_for(ByteView key, std::string_view user, std::string_view appl,
                                         bool upper) {
    auto u = racf_name("user ID", user);
    if (!u)
        return u.error();
    auto a = racf_name("application name", appl);
    if (!a)
        return a.error();
    if (auto k = check_key(PassTicketType::enhanced_upper, key.size()); !k)
        return k.error();
    return enhanced_state(*u, *a, key, upper);
}
}  // namespace

Result<std::uint32_t> legacy_time_coder(ByteView key, std::string_view user,
                                        std::uint32_t result4) {
    auto s = legacy_state_for(key, user);
    if (!s)
        return s.error();
    return zos::legacy_time_coder(*s, result4);
}

Result<std::uint32_t> legacy_time_decoder(ByteView key, std::string_view user,
                                          std::uint32_t result5) {
    auto s = legacy_state_for(key, user);
    if (!s)
        return s.error();
    return zos::legacy_time_decoder(*s, result5);
}

std::string enhanced_translate(std::uint64_t value, bool upper) {
    return zos::enhanced_translate(value, upper);
}
std::optional<std::uint64_t> enhanced_untranslate(std::string_view ticket, bool upper) {
    return zos::enhanced_untranslate(ticket, upper);
}

Result<std::uint64_t> enhanced_time_coder(ByteView key, std::string_view user,
                                          std::string_view appl, bool upper, std::uint64_t value) {
    auto s = enhanced_state_for(key, user, appl, upper);
    if (!s)
        return s.error();
    return zos::enhanced_time_coder(*s, value & 0xFFFFFFFFFFFFull);
}

Result<std::uint64_t> enhanced_time_decoder(ByteView key, std::string_view user,
                                            std::string_view appl, bool upper,
                                            std::uint64_t value) {
    auto s = enhanced_state_for(key, user, appl, upper);
    if (!s)
        return s.error();
    return zos::enhanced_time_decoder(*s, value & 0xFFFFFFFFFFFFull);
}

}  // namespace passticket_steps

std::string_view to_string(PassTicketType type) {
    switch (type) {
        case PassTicketType::legacy:
            return "legacy";
        case PassTicketType::enhanced_upper:
            return "enhanced_upper";
        case PassTicketType::enhanced_mixed:
            return "enhanced_mixed";
    }
    return "unknown";
}

Result<std::string> generate_passticket(std::string_view user, std::string_view appl, ByteView key,
                                        PassTicketType type, std::int64_t unix_seconds) {
    auto u = racf_name("user ID", user);
    if (!u)
        return fail(Errc::invalid_argument, "generate PassTicket: " + u.error().message);
    auto a = racf_name("application name", appl);
    if (!a)
        return fail(Errc::invalid_argument, "generate PassTicket: " + a.error().message);
    if (auto k = check_key(type, key.size()); !k)
        return fail(Errc::invalid_argument, "generate PassTicket: " + k.error().message);
    std::int64_t const t_max = type == PassTicketType::legacy ? legacy_time_max : enhanced_time_max;
    if (unix_seconds < 0 || unix_seconds > t_max)
        return fail(Errc::invalid_argument,
                    "generate PassTicket: time " + std::to_string(unix_seconds) +
                        " is outside the " + std::string(to_string(type)) + " range 0.." +
                        std::to_string(t_max) + " (seconds since 1970, GMT)");
    return generate_checked(*u, *a, key, type, unix_seconds);
}

PassTicketValidator::PassTicketValidator(std::int64_t window_seconds,
                                         std::size_t replay_entries_max)
    : window_seconds_(window_seconds), replay_entries_max_(replay_entries_max) {
    NSSLAB_ASSERT(window_seconds >= 0 && window_seconds <= evaluation_time_limit,
                  "PassTicket window must be between 0 and 2^60 seconds");
}

void PassTicketValidator::expire(std::int64_t now_unix) {
    // An entry older than the window can never be accepted again (the time check rejects it
    // first), so it no longer needs remembering.
    std::int64_t const oldest_kept = now_unix - window_seconds_;
    while (!used_.empty() && std::get<0>(*used_.begin()) < oldest_kept)
        used_.erase(used_.begin());
}

Result<PassTicketMatch> PassTicketValidator::validate(std::string_view user, std::string_view appl,
                                                      std::string_view ticket,
                                                      std::span<const PtktdataKey> candidates,
                                                      std::int64_t now_unix) {
    auto u = racf_name("user ID", user);
    if (!u)
        return fail(Errc::invalid_argument, "evaluate PassTicket: " + u.error().message);
    auto a = racf_name("application name", appl);
    if (!a)
        return fail(Errc::invalid_argument, "evaluate PassTicket: " + a.error().message);
    if (now_unix < -evaluation_time_limit || now_unix > evaluation_time_limit)
        return fail(Errc::invalid_argument, "evaluate PassTicket: evaluation time " +
                                                std::to_string(now_unix) + " is out of range");
    std::string const who = "user " + u->text + ", application " + a->text;
    if (candidates.empty())
        return fail(Errc::not_found,
                    "no PTKTDATA profile for " + who + ": PassTickets cannot be evaluated");
    for (auto const& cand : candidates) {
        if (auto k = check_key(cand.type, cand.key.size()); !k)
            return fail(Errc::invalid_argument,
                        "PTKTDATA profile " + cand.profile + ": " + k.error().message);
    }
    if (ticket.size() != 8)
        return fail(Errc::auth_failed, "not a valid PassTicket for " + who + ": it has " +
                                           std::to_string(ticket.size()) +
                                           " characters, a PassTicket has 8");
    expire(now_unix);

    struct Outside {
        std::string profile;
        std::int64_t generated;
    };
    std::optional<Outside> nearest_outside;
    std::string profiles;
    for (auto const& cand : candidates) {
        profiles += (profiles.empty() ? "" : ", ") + cand.profile + " (" +
                    std::string(to_string(cand.type)) + ")";
        auto times = recover_times(*u, *a, cand, ticket);
        if (!times)
            return times.error();
        std::vector<std::int64_t> inside;
        for (std::int64_t t : *times) {
            std::int64_t const d = distance(t, now_unix);
            if (d <= window_seconds_) {
                inside.push_back(t);
            } else if (d <= passticket_skew_report_horizon_seconds &&
                       (!nearest_outside || d < distance(nearest_outside->generated, now_unix))) {
                nearest_outside = Outside{cand.profile, t};
            }
        }
        if (inside.empty())
            continue;
        // Nearest to the evaluation time, earlier on a tie (inside is sorted).
        std::int64_t chosen = inside.front();
        for (std::int64_t t : inside)
            if (distance(t, now_unix) < distance(chosen, now_unix))
                chosen = t;
        if (cand.replay_protection) {
            // A ticket that several generation times produce (legacy collisions) was used if
            // any of them was.
            for (std::int64_t t : inside) {
                if (used_.contains({t, u->text, a->text}))
                    return fail(Errc::already_exists, "PassTicket replayed: already used for " +
                                                          who + " and generation time " +
                                                          iso_time(t) + " (PTKTDATA profile " +
                                                          cand.profile + " has replay protection)");
            }
            if (used_.size() >= replay_entries_max_)
                return fail(Errc::limit_exceeded, "PassTicket refused: replay table full (" +
                                                      std::to_string(used_.size()) +
                                                      " unexpired entries, the maximum); " + who);
            used_.insert({chosen, u->text, a->text});
        }
        return PassTicketMatch{cand.profile, chosen};
    }
    if (nearest_outside) {
        std::int64_t const delta = nearest_outside->generated - now_unix;
        std::int64_t const beyond =
            distance(nearest_outside->generated, now_unix) - window_seconds_;
        return fail(Errc::timed_out, "PassTicket outside the time window: generated at " +
                                         iso_time(nearest_outside->generated) + ", " +
                                         std::to_string(delta < 0 ? -delta : delta) + " s " +
                                         (delta < 0 ? "before" : "after") +
                                         " the evaluation time, " + std::to_string(beyond) +
                                         " s beyond the window of +/-" +
                                         std::to_string(window_seconds_) + " s (PTKTDATA profile " +
                                         nearest_outside->profile + ")");
    }
    return fail(Errc::auth_failed, "not a valid PassTicket for " + who +
                                       " under the key of any candidate PTKTDATA profile [" +
                                       profiles + "]: wrong key, or not a PassTicket");
}

}  // namespace nsslab::zos
