// RACF PassTickets: component vectors, end-to-end vectors computed by independent
// implementations (third_party/passticket-vectors), time-coder inversion properties, and the
// evaluation rules (window, replay, candidate order, errors).
#include "nsslab/zos/passticket.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "nsslab/base/rng.hpp"
#include "nsslab/zos/passticket_steps.hpp"

namespace nsslab::zos {
namespace {

namespace steps = passticket_steps;

Bytes hex(std::string_view h) {
    return from_hex(h).value();
}

Bytes const legacy_key = hex("E001193519561977");  // RACF's RDEFINE PTKTDATA TSOR001 example key
Bytes const enhanced_key =
    hex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
        "202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F");
constexpr std::int64_t t0 = 1764115200;  // 2025-11-26T00:00:00Z

std::string gen(std::string_view user, std::string_view appl, Bytes const& key, PassTicketType type,
                std::int64_t t) {
    auto r = generate_passticket(user, appl, key, type, t);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().what());
    return r ? *r : "";
}

PtktdataKey profile(std::string name, Bytes key, PassTicketType type = PassTicketType::legacy,
                    bool replay = true) {
    return PtktdataKey{std::move(name), std::move(key), type, replay};
}

// --- component vectors ----------------------------------------------------------------

// IBM's translation example (RACF Macros and Interfaces, "The PassTicket generation
// algorithm"; chrrel/racf-passticket-generator PassTicketGeneratorTest).
TEST(PassTicketSteps, LegacyTranslationIbmExample) {
    EXPECT_EQ(steps::legacy_translate(0x07247F79u), "QHOAH1TV");
    auto back = steps::legacy_untranslate("QHOAH1TV");
    EXPECT_NE(std::find(back.begin(), back.end(), 0x07247F79u), back.end());
    for (auto r5 : back)
        EXPECT_EQ(steps::legacy_translate(r5), "QHOAH1TV");
}

// Time-coder padding (IBM's TOM example; IBMUSER as in chrrel TimeCoderTest, where IBM's
// page has a D2 typo for E2).
TEST(PassTicketSteps, LegacyTimeCoderPadding) {
    EXPECT_EQ(to_hex(steps::legacy_time_coder_pad("TOM").value(), true),
              "E3D6D4555555555555555555");
    EXPECT_EQ(to_hex(steps::legacy_time_coder_pad("IBMUSER").value(), true),
              "C9C2D4E4E2C5D95555555555");
    EXPECT_EQ(to_hex(steps::legacy_time_coder_pad("ibmuser").value(), true),
              "C9C2D4E4E2C5D95555555555");
}

// chrrel TimeCoderTest.permuteShouldReturnValidResult: {1, 123} round 1 -> 10100011 00101010.
TEST(PassTicketSteps, LegacyPermutationVector) {
    EXPECT_EQ(steps::legacy_permute(0x017B, 1), 0xA32A);
}

TEST(PassTicketSteps, LegacyPermutationsInvert) {
    Rng rng(1);
    for (int round = 1; round <= 6; ++round) {
        for (int i = 0; i < 200; ++i) {
            auto v = static_cast<std::uint16_t>(rng.below(65536));
            EXPECT_EQ(steps::legacy_unpermute(steps::legacy_permute(v, round), round), v);
        }
    }
}

// IBM-1047 for every character RACF allows in a user ID: A-I C1-C9, J-R D1-D9, S-Z E2-E9,
// 0-9 F0-F9, @ 7C, # 7B, $ 5B, blank 40.
TEST(PassTicketSteps, EbcdicCp1047) {
    EXPECT_EQ(to_hex(steps::ebcdic_name("ABCDEFGH").value(), true), "C1C2C3C4C5C6C7C8");
    EXPECT_EQ(to_hex(steps::ebcdic_name("IJKLMNOP").value(), true), "C9D1D2D3D4D5D6D7");
    EXPECT_EQ(to_hex(steps::ebcdic_name("QRSTUVWX").value(), true), "D8D9E2E3E4E5E6E7");
    EXPECT_EQ(to_hex(steps::ebcdic_name("YZ012345").value(), true), "E8E9F0F1F2F3F4F5");
    EXPECT_EQ(to_hex(steps::ebcdic_name("6789@#$").value(), true), "F6F7F8F97C7B5B40");
    EXPECT_EQ(to_hex(steps::ebcdic_name("nssd").value(), true), "D5E2E2C440404040");
    EXPECT_FALSE(steps::ebcdic_name("A B").has_value());
    EXPECT_FALSE(steps::ebcdic_name("A.B").has_value());
    EXPECT_FALSE(steps::ebcdic_name("").has_value());
    EXPECT_FALSE(steps::ebcdic_name("ABCDEFGHI").has_value());
}

// --- end-to-end vectors from independent implementations --------------------------------

struct Vector {
    PassTicketType type;
    std::string user, appl, key_hex;
    std::int64_t time;
    std::string ticket;
};

std::vector<Vector> load_vectors() {
    std::ifstream in(std::string(NSSLAB_SOURCE_DIR) +
                     "/third_party/passticket-vectors/vectors.tsv");
    EXPECT_TRUE(in.good());
    std::vector<Vector> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream fields(line);
        std::string type;
        Vector v;
        fields >> type >> v.user >> v.appl >> v.key_hex >> v.time >> v.ticket;
        EXPECT_FALSE(fields.fail()) << line;
        v.type = type == "legacy"           ? PassTicketType::legacy
                 : type == "enhanced_upper" ? PassTicketType::enhanced_upper
                                            : PassTicketType::enhanced_mixed;
        out.push_back(v);
    }
    return out;
}

TEST(PassTicketVectors, GenerateMatchesIndependentImplementations) {
    auto vectors = load_vectors();
    ASSERT_GE(vectors.size(), 24u);
    for (auto const& v : vectors) {
        EXPECT_EQ(gen(v.user, v.appl, hex(v.key_hex), v.type, v.time), v.ticket)
            << to_string(v.type) << " " << v.user << "/" << v.appl << " at " << v.time;
    }
}

TEST(PassTicketVectors, ValidateRecoversGenerationTime) {
    for (auto const& v : load_vectors()) {
        PassTicketValidator validator;
        std::array<PtktdataKey, 1> cands{profile(v.appl, hex(v.key_hex), v.type)};
        auto m = validator.validate(v.user, v.appl, v.ticket, cands, v.time + 17);
        ASSERT_TRUE(m.has_value())
            << v.user << "/" << v.appl << " " << v.ticket << ": " << m.error().what();
        EXPECT_EQ(m->generated_unix, v.time);
        EXPECT_EQ(m->profile, v.appl);
    }
}

// --- properties --------------------------------------------------------------------------

std::string random_name(Rng& rng) {
    static constexpr std::string_view charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@#$";
    std::string s(1 + rng.below(8), 'A');
    for (auto& c : s)
        c = charset[rng.below(charset.size())];
    return s;
}

Bytes random_key(Rng& rng, std::size_t n) {
    Bytes k(n);
    rng.fill(k);
    return k;
}

TEST(PassTicketProperties, LegacyTimeCoderInverts) {
    Rng rng = Rng::stream(7, "legacy-time-coder");
    for (int i = 0; i < 300; ++i) {
        auto key = random_key(rng, 8);
        auto user = random_name(rng);
        auto r4 = static_cast<std::uint32_t>(rng.next_u64());
        auto r5 = steps::legacy_time_coder(key, user, r4).value();
        EXPECT_EQ(steps::legacy_time_decoder(key, user, r5).value(), r4);
        auto back = steps::legacy_untranslate(steps::legacy_translate(r5));
        EXPECT_NE(std::find(back.begin(), back.end(), r5), back.end());
    }
}

TEST(PassTicketProperties, EnhancedMixedTimeCoderInverts) {
    Rng rng = Rng::stream(7, "enhanced-time-coder");
    for (int i = 0; i < 100; ++i) {
        auto key = random_key(rng, 32 + rng.below(225));
        auto user = random_name(rng);
        auto appl = random_name(rng);
        std::uint64_t const p = rng.next_u64() & 0xFFFFFFFFFFFFull;
        auto coded = steps::enhanced_time_coder(key, user, appl, false, p).value();
        EXPECT_EQ(steps::enhanced_time_decoder(key, user, appl, false, coded).value(), p);
        EXPECT_EQ(steps::enhanced_untranslate(steps::enhanced_translate(coded, false), false),
                  coded);
    }
}

TEST(PassTicketProperties, EnhancedTranslationInverts) {
    Rng rng(3);
    for (int i = 0; i < 1000; ++i) {
        std::uint64_t const v48 = rng.next_u64() & 0xFFFFFFFFFFFFull;
        EXPECT_EQ(steps::enhanced_untranslate(steps::enhanced_translate(v48, false), false), v48);
        std::uint64_t const v41 = v48 & ((std::uint64_t{1} << 41) - 1);
        EXPECT_EQ(steps::enhanced_untranslate(steps::enhanced_translate(v41, true), true), v41);
    }
    // 36^8 - 1 = "ZZZZZZZZ" is above 2^41, so no UPPER time coder output produces it.
    EXPECT_FALSE(steps::enhanced_untranslate("ZZZZZZZZ", true).has_value());
    EXPECT_FALSE(steps::enhanced_untranslate("abcdefgh", true).has_value());
    EXPECT_FALSE(steps::enhanced_untranslate("ABC", false).has_value());
}

TEST(PassTicketProperties, GenerateValidateRoundTripAllTypes) {
    Rng rng = Rng::stream(11, "round-trip");
    for (auto type :
         {PassTicketType::legacy, PassTicketType::enhanced_upper, PassTicketType::enhanced_mixed}) {
        for (int i = 0; i < 60; ++i) {
            auto key = random_key(rng, type == PassTicketType::legacy ? 8 : 32 + rng.below(225));
            auto user = random_name(rng);
            auto appl = random_name(rng);
            auto const t = static_cast<std::int64_t>(rng.below(std::uint64_t{1} << 32));
            auto const skew = static_cast<std::int64_t>(rng.below(1201)) - 600;
            auto ticket = gen(user, appl, key, type, t);
            PassTicketValidator validator;
            std::array<PtktdataKey, 1> cands{profile("P", key, type)};
            auto m = validator.validate(user, appl, ticket, cands, t + skew);
            ASSERT_TRUE(m.has_value())
                << to_string(type) << " " << user << "/" << appl << " t=" << t << " skew=" << skew
                << ": " << m.error().what();
            // Legacy tickets may collide with another generation time in the window; the
            // validator then reports the one nearest to the evaluation time.
            if (m->generated_unix != t) {
                EXPECT_EQ(type, PassTicketType::legacy);
                EXPECT_EQ(gen(user, appl, key, type, m->generated_unix), ticket);
            }
        }
    }
}

TEST(PassTicketProperties, Alphabets) {
    bool mixed_has_lower = false;
    for (int i = 0; i < 200; ++i) {
        auto const t = t0 + i;
        auto legacy = gen("IKED", "NSSD", legacy_key, PassTicketType::legacy, t);
        auto upper = gen("IKED", "NSSD", enhanced_key, PassTicketType::enhanced_upper, t);
        auto mixed = gen("IKED", "NSSD", enhanced_key, PassTicketType::enhanced_mixed, t);
        ASSERT_EQ(legacy.size(), 8u);
        ASSERT_EQ(upper.size(), 8u);
        ASSERT_EQ(mixed.size(), 8u);
        for (char c : legacy)
            EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) << legacy;
        for (char c : upper)
            EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) << upper;
        for (char c : mixed) {
            EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')
                << mixed;
            if (c >= 'a' && c <= 'z')
                mixed_has_lower = true;
        }
    }
    EXPECT_TRUE(mixed_has_lower);
}

// --- evaluation rules --------------------------------------------------------------------

class Evaluation : public ::testing::Test {
  protected:
    std::string ticket_at(std::int64_t t, PassTicketType type = PassTicketType::legacy) {
        return gen("NSSUSR1", "NSSD", type == PassTicketType::legacy ? legacy_key : enhanced_key,
                   type, t);
    }
    Result<PassTicketMatch> check(std::string const& ticket, std::int64_t now, bool replay = true,
                                  PassTicketType type = PassTicketType::legacy) {
        std::array<PtktdataKey, 1> cands{profile(
            "NSSD", type == PassTicketType::legacy ? legacy_key : enhanced_key, type, replay)};
        return validator.validate("NSSUSR1", "NSSD", ticket, cands, now);
    }
    PassTicketValidator validator;
};

TEST_F(Evaluation, WindowBoundaries) {
    for (auto type :
         {PassTicketType::legacy, PassTicketType::enhanced_upper, PassTicketType::enhanced_mixed}) {
        for (std::int64_t d : {-600, -599, 0, 599, 600}) {
            auto m = check(ticket_at(t0 + d, type), t0, false, type);
            ASSERT_TRUE(m.has_value()) << to_string(type) << " d=" << d << ": " << m.error().what();
            EXPECT_EQ(m->generated_unix, t0 + d);
        }
        for (std::int64_t d : {-601, 601}) {
            auto m = check(ticket_at(t0 + d, type), t0, false, type);
            ASSERT_FALSE(m.has_value()) << to_string(type) << " d=" << d;
            EXPECT_EQ(m.error().code, Errc::timed_out);
            EXPECT_NE(m.error().message.find("601 s " + std::string(d < 0 ? "before" : "after")),
                      std::string::npos)
                << m.error().message;
            EXPECT_NE(m.error().message.find("1 s beyond the window of +/-600 s"),
                      std::string::npos)
                << m.error().message;
        }
    }
}

TEST_F(Evaluation, SkewOfHoursReportedAsOutsideWindow) {
    auto m = check(ticket_at(t0 - 3 * 3600), t0);
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error().code, Errc::timed_out);
    EXPECT_NE(m.error().message.find("generated at 2025-11-25T21:00:00Z, 10800 s before"),
              std::string::npos)
        << m.error().message;
}

TEST_F(Evaluation, ConfigurableWindow) {
    PassTicketValidator narrow(60);
    std::array<PtktdataKey, 1> cands{profile("NSSD", legacy_key)};
    EXPECT_TRUE(narrow.validate("NSSUSR1", "NSSD", ticket_at(t0 - 60), cands, t0).has_value());
    auto m = narrow.validate("NSSUSR1", "NSSD", ticket_at(t0 - 61), cands, t0);
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error().code, Errc::timed_out);
}

TEST_F(Evaluation, ReplayRejectedWithProtection) {
    auto ticket = ticket_at(t0);
    ASSERT_TRUE(check(ticket, t0 + 1).has_value());
    auto again = check(ticket, t0 + 2);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, Errc::already_exists);
    EXPECT_NE(again.error().message.find("replayed"), std::string::npos);
    EXPECT_EQ(validator.replay_entries(), 1u);
    // The next second's ticket is a different one and is accepted.
    EXPECT_TRUE(check(ticket_at(t0 + 1), t0 + 2).has_value());
}

TEST_F(Evaluation, ReplayAcceptedWithoutProtection) {
    auto ticket = ticket_at(t0, PassTicketType::enhanced_mixed);
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(check(ticket, t0 + i, false, PassTicketType::enhanced_mixed).has_value());
    EXPECT_EQ(validator.replay_entries(), 0u);
}

TEST_F(Evaluation, ReplayEntriesExpireWithTheWindow) {
    ASSERT_TRUE(check(ticket_at(t0), t0).has_value());
    EXPECT_EQ(validator.replay_entries(), 1u);
    // Still inside the window: remembered.
    ASSERT_TRUE(check(ticket_at(t0 + 600), t0 + 600).has_value());
    EXPECT_EQ(validator.replay_entries(), 2u);
    // t0 is now older than the window: expired, and the old ticket fails on time, not replay.
    auto old = check(ticket_at(t0), t0 + 601);
    ASSERT_FALSE(old.has_value());
    EXPECT_EQ(old.error().code, Errc::timed_out);
    EXPECT_EQ(validator.replay_entries(), 1u);
}

TEST(EvaluationBounds, FullReplayTableRefusesDeterministically) {
    PassTicketValidator validator(600, 2);
    std::array<PtktdataKey, 1> cands{profile("NSSD", legacy_key)};
    auto at = [&](std::int64_t t) {
        return gen("NSSUSR1", "NSSD", legacy_key, PassTicketType::legacy, t);
    };
    ASSERT_TRUE(validator.validate("NSSUSR1", "NSSD", at(t0), cands, t0).has_value());
    ASSERT_TRUE(validator.validate("NSSUSR1", "NSSD", at(t0 + 1), cands, t0 + 1).has_value());
    auto full = validator.validate("NSSUSR1", "NSSD", at(t0 + 2), cands, t0 + 2);
    ASSERT_FALSE(full.has_value());
    EXPECT_EQ(full.error().code, Errc::limit_exceeded);
    EXPECT_EQ(validator.replay_entries(), 2u);
    // Nothing was evicted: the first ticket is still a replay.
    EXPECT_EQ(validator.validate("NSSUSR1", "NSSD", at(t0), cands, t0 + 2).error().code,
              Errc::already_exists);
    // A profile without replay protection needs no entry.
    std::array<PtktdataKey, 1> no_replay{
        profile("NSSD", legacy_key, PassTicketType::legacy, false)};
    EXPECT_TRUE(validator.validate("NSSUSR1", "NSSD", at(t0 + 2), no_replay, t0 + 2).has_value());
    // Once the first entry expires there is room again.
    EXPECT_TRUE(validator.validate("NSSUSR1", "NSSD", at(t0 + 601), cands, t0 + 601).has_value());
}

TEST(EvaluationBounds, ReplayTableStaysBounded) {
    PassTicketValidator validator(600, 1000);
    std::array<PtktdataKey, 1> cands{profile("NSSD", legacy_key)};
    for (std::int64_t t = t0; t < t0 + 3000; t += 1) {
        auto ticket = gen("NSSUSR1", "NSSD", legacy_key, PassTicketType::legacy, t);
        ASSERT_TRUE(validator.validate("NSSUSR1", "NSSD", ticket, cands, t).has_value()) << t;
        EXPECT_LE(validator.replay_entries(), 601u);
    }
}

TEST(EvaluationCandidates, OrderAndWrongKeys) {
    Bytes const other = hex("0123456789ABCDEF");
    auto ticket = gen("NSSUSR1", "NSSD", legacy_key, PassTicketType::legacy, t0);
    PassTicketValidator validator;
    // The qualified profile (first) has another key; the application profile matches.
    std::array<PtktdataKey, 2> cands{profile("NSSD.NSSUSR1", other), profile("NSSD", legacy_key)};
    auto m = validator.validate("NSSUSR1", "NSSD", ticket, cands, t0);
    ASSERT_TRUE(m.has_value()) << m.error().what();
    EXPECT_EQ(m->profile, "NSSD");
    // Both keys match: the first candidate decides.
    std::array<PtktdataKey, 2> both{
        profile("NSSD.SYS1.NSSUSR1", legacy_key, PassTicketType::legacy, false),
        profile("NSSD", legacy_key)};
    auto first = validator.validate(
        "NSSUSR1", "NSSD", gen("NSSUSR1", "NSSD", legacy_key, PassTicketType::legacy, t0 + 5), both,
        t0 + 5);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->profile, "NSSD.SYS1.NSSUSR1");
    // Mixed types: an enhanced candidate first, the legacy one second.
    std::array<PtktdataKey, 2> mixed{
        profile("NSSD.X", enhanced_key, PassTicketType::enhanced_upper),
        profile("NSSD", legacy_key, PassTicketType::legacy, false)};
    EXPECT_EQ(validator.validate("NSSUSR1", "NSSD", ticket, mixed, t0).value().profile, "NSSD");
    // No candidate key fits.
    std::array<PtktdataKey, 1> wrong{profile("NSSD", other)};
    auto bad = validator.validate("NSSUSR1", "NSSD", ticket, wrong, t0);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, Errc::auth_failed);
    EXPECT_NE(bad.error().message.find("wrong key"), std::string::npos) << bad.error().message;
    EXPECT_EQ(bad.error().message.find("0123456789"), std::string::npos);
    EXPECT_EQ(bad.error().message.find("E0011935"), std::string::npos);
}

TEST(EvaluationCandidates, WrongUserOrApplicationRejected) {
    auto ticket = gen("NSSUSR1", "NSSD", legacy_key, PassTicketType::legacy, t0);
    PassTicketValidator validator;
    std::array<PtktdataKey, 1> cands{profile("NSSD", legacy_key)};
    EXPECT_FALSE(validator.validate("NSSUSR2", "NSSD", ticket, cands, t0).has_value());
    EXPECT_FALSE(validator.validate("NSSUSR1", "NSSE", ticket, cands, t0).has_value());
    EXPECT_TRUE(validator.validate("nssusr1", "nssd", ticket, cands, t0).has_value());
}

TEST(EvaluationCandidates, NoCandidateProfile) {
    PassTicketValidator validator;
    auto m = validator.validate("NSSUSR1", "NSSD", "ABCDEFGH", {}, t0);
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error().code, Errc::not_found);
    EXPECT_NE(m.error().message.find("no PTKTDATA profile"), std::string::npos);
}

TEST(EvaluationCandidates, MalformedTickets) {
    PassTicketValidator validator;
    std::array<PtktdataKey, 2> cands{profile("A", legacy_key),
                                     profile("B", enhanced_key, PassTicketType::enhanced_mixed)};
    std::array<std::string_view, 6> const tickets{
        "", "ABCDEFG", "ABCDEFGHI", "ABCD.FGH", "abcd!fgh", std::string_view("ABC\0EFGH", 8)};
    for (std::string_view t : tickets) {
        auto m = validator.validate("NSSUSR1", "NSSD", t, cands, t0);
        ASSERT_FALSE(m.has_value());
        EXPECT_EQ(m.error().code, Errc::auth_failed);
    }
}

TEST(EvaluationCandidates, BadCandidateKeyIsAConfigurationError) {
    PassTicketValidator validator;
    std::array<PtktdataKey, 1> cands{profile("NSSD", hex("0011223344"))};
    auto m = validator.validate("NSSUSR1", "NSSD", "ABCDEFGH", cands, t0);
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error().code, Errc::invalid_argument);
    EXPECT_NE(m.error().message.find("NSSD"), std::string::npos);
    EXPECT_EQ(m.error().message.find("0011223344"), std::string::npos);
}

// --- generation errors -------------------------------------------------------------------

TEST(GenerateErrors, InputsOutsideTheDomain) {
    auto err = [](std::string_view user, std::string_view appl, Bytes const& key,
                  PassTicketType type, std::int64_t t) {
        auto r = generate_passticket(user, appl, key, type, t);
        EXPECT_FALSE(r.has_value()) << user << "/" << appl;
        return r ? Errc::state_error : r.error().code;
    };
    auto const L = PassTicketType::legacy;
    auto const U = PassTicketType::enhanced_upper;
    EXPECT_EQ(err("", "NSSD", legacy_key, L, t0), Errc::invalid_argument);
    EXPECT_EQ(err("NINECHARS", "NSSD", legacy_key, L, t0), Errc::invalid_argument);
    EXPECT_EQ(err("A B", "NSSD", legacy_key, L, t0), Errc::invalid_argument);
    EXPECT_EQ(err("USER", "NS.SD", legacy_key, L, t0), Errc::invalid_argument);
    EXPECT_EQ(err("USER", "", legacy_key, L, t0), Errc::invalid_argument);
    EXPECT_EQ(err("USER", "NSSD", hex("00112233445566"), L, t0), Errc::invalid_argument);
    EXPECT_EQ(err("USER", "NSSD", hex("001122334455667788"), L, t0), Errc::invalid_argument);
    EXPECT_EQ(err("USER", "NSSD", Bytes(31, 1), U, t0), Errc::invalid_argument);
    EXPECT_EQ(err("USER", "NSSD", Bytes(257, 1), U, t0), Errc::invalid_argument);
    EXPECT_EQ(err("USER", "NSSD", legacy_key, L, -1), Errc::invalid_argument);
    EXPECT_EQ(err("USER", "NSSD", legacy_key, L, std::int64_t{1} << 32), Errc::invalid_argument);
    EXPECT_EQ(err("USER", "NSSD", enhanced_key, U, std::int64_t{1} << 48), Errc::invalid_argument);
    EXPECT_TRUE(generate_passticket("USER", "NSSD", legacy_key, L, (std::int64_t{1} << 32) - 1)
                    .has_value());
    EXPECT_TRUE(
        generate_passticket("USER", "NSSD", enhanced_key, U, std::int64_t{1} << 40).has_value());
    auto r = generate_passticket("USER", "NSSD", hex("00112233445566"), L, t0);
    EXPECT_EQ(r.error().message.find("00112233"), std::string::npos);
}

TEST(GenerateErrors, CaseFoldingAndOneSecondGranularity) {
    EXPECT_EQ(gen("ibmuser", "tsor001", legacy_key, PassTicketType::legacy, t0),
              gen("IBMUSER", "TSOR001", legacy_key, PassTicketType::legacy, t0));
    EXPECT_NE(gen("IBMUSER", "TSOR001", legacy_key, PassTicketType::legacy, t0),
              gen("IBMUSER", "TSOR001", legacy_key, PassTicketType::legacy, t0 + 1));
}

// --- the nsslab CLI (skipped when the tool is not built in this tree) -----------------------

std::string nsslab_binary() {
    return std::string(NSSLAB_BINARY_DIR) + "/harness/nsslab";
}

int run(std::string const& args) {
    std::string const cmd = nsslab_binary() + " " + args + " >/dev/null 2>&1";
    int const status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string run_output(std::string const& args) {
    std::string const out = std::string(NSSLAB_BINARY_DIR) + "/passticket_cli_output.txt";
    std::string const cmd = nsslab_binary() + " " + args + " >" + out + " 2>&1";
    (void)std::system(cmd.c_str());
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(PassTicketCli, OutputAndNoKeyMaterial) {
    if (!std::ifstream(nsslab_binary()).good())
        GTEST_SKIP() << "nsslab tool not built";
    if (run("passticket --help") != 0)
        GTEST_SKIP() << "nsslab tool built without the passticket command";
    EXPECT_EQ(run_output("passticket generate --user IBMUSER --appl TSOR001 --key E001193519561977 "
                         "--time 1700000000"),
              "ZVQLMCAN\n");
    EXPECT_EQ(run_output("passticket evaluate --user IBMUSER --appl TSOR001 --key E001193519561977 "
                         "--ticket ZVQLMCAN "
                         "--time 1700000017"),
              "valid (generated at 2023-11-14T22:13:20Z, -17 s from evaluation time)\n");
    auto skewed = run_output(
        "passticket evaluate --user IBMUSER --appl TSOR001 --key E001193519561977 --ticket "
        "ZVQLMCAN --time 1700000700");
    EXPECT_EQ(skewed.rfind("invalid: ", 0), 0u) << skewed;
    EXPECT_NE(skewed.find("700 s before"), std::string::npos) << skewed;
    for (std::string const args :
         {"passticket generate --user IBMUSER --appl TSOR001 --key 00112233445566 --time 1",
          "passticket evaluate --user IBMUSER --appl TSOR001 --key 0011223344556677 --ticket "
          "ZVQLMCAN --time 1700000000",
          "passticket evaluate --user IBMUSER --appl TSOR001 --key 0011223344556677 --ticket "
          "ZVQLMCAN",
          "passticket generate --user IBMUSER --appl TSOR001 --key 00112233445566ZZ --time 1"}) {
        auto text = run_output(args);
        EXPECT_FALSE(text.empty()) << args;
        EXPECT_EQ(text.find("00112233"), std::string::npos) << text;
    }
}

TEST(PassTicketCli, ExitCodes) {
    if (!std::ifstream(nsslab_binary()).good())
        GTEST_SKIP() << "nsslab tool not built";
    if (run("passticket --help") != 0)
        GTEST_SKIP() << "nsslab tool built without the passticket command";
    std::string const base =
        "passticket evaluate --user IBMUSER --appl TSOR001 --key E001193519561977 ";
    EXPECT_EQ(run(base + "--ticket ZVQLMCAN --time 1700000000"), 0);
    EXPECT_EQ(run(base + "--ticket ZVQLMCAN --time 1700000599"), 0);
    EXPECT_EQ(run(base + "--ticket ZVQLMCAN --time 1700000601"), 1);
    EXPECT_EQ(run(base + "--ticket ZVQLMCAN --time 1700000060 --window 59"), 1);
    EXPECT_EQ(run(base + "--ticket ZVQLMCAX --time 1700000000"), 1);
    EXPECT_EQ(run(base + "--time 1700000000"), 2);  // no --ticket
    EXPECT_EQ(run(base + "--ticket ZVQLMCAN --time 1700000000 --mixed"),
              2);  // --mixed needs --enhanced
    EXPECT_EQ(run("passticket generate --user IBMUSER --appl TSOR001 --key XYZ --time 1"), 2);
    EXPECT_EQ(run("passticket generate --user IBMUSER --appl TSOR001 --key E001193519561977 --time "
                  "1700000000"),
              0);
    EXPECT_EQ(run("passticket generate --user IBMUSER --appl TSOR001 --key E001193519561977"), 0);
}

}  // namespace
}  // namespace nsslab::zos
