// RACF logon with PassTickets: PTKTDATA profile selection, key syntax, replay, window, revoke.
#include <gtest/gtest.h>

#include "nsslab/zos/passticket.hpp"
#include "nsslab/zos/racf.hpp"
#include "nsslab/zos/racf_script.hpp"

namespace nsslab::zos {
namespace {

constexpr std::int64_t t0 = 1'767'225'600;  // 2026-01-01T00:00:00Z

Bytes key_of(std::string_view hex) {
    return *from_hex(hex);
}

const Bytes seed_key = key_of("E001193519561977");
const Bytes other_key = key_of("0123456789ABCDEF");

class RacfPassTicket : public ::testing::Test {
  protected:
    void SetUp() override {
        run("SETROPTS CLASSACT(PTKTDATA)\n"
            "ADDGROUP NSSGRP\n"
            "ADDUSER USER1 DFLTGRP(NSSGRP) PASSWORD(PW1)\n");
    }
    void run(std::string_view text) {
        auto script = parse_racf_script(text, "p.racf");
        ASSERT_TRUE(script.has_value()) << script.error().message;
        auto r = apply_racf_script(*script, db, table, messages);
        ASSERT_TRUE(r.has_value()) << r.error().message;
    }
    std::string run_error(std::string_view text) {
        auto script = parse_racf_script(text, "p.racf");
        if (!script)
            return script.error().message;
        auto r = apply_racf_script(*script, db, table, messages);
        EXPECT_FALSE(r.has_value());
        return r ? std::string() : r.error().message;
    }
    static std::string ticket(Bytes const& key, std::int64_t at, std::string_view user = "USER1",
                              PassTicketType type = PassTicketType::legacy) {
        auto t = generate_passticket(user, "NSSD", key, type, at);
        EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().message);
        return t ? *t : std::string();
    }

    RacfDatabase db;
    RacfCommandTable table = RacfCommandTable::standard();
    std::vector<std::string> messages;
};

TEST_F(RacfPassTicket, SeedProfileAcceptsValidTicket) {
    run("RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E001193519561977)) UACC(NONE)\n");
    auto const* p = db.profile("PTKTDATA", "NSSD");
    ASSERT_NE(p, nullptr);
    ASSERT_TRUE(p->ssignon.has_value());
    EXPECT_EQ(p->ssignon->key, seed_key);
    EXPECT_EQ(p->ssignon->type, PassTicketType::legacy);

    auto r = db.authenticate("USER1", "NSSD", ticket(seed_key, t0 - 30), t0);
    EXPECT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(r.method, RacfLogonMethod::passticket);
    EXPECT_EQ(r.profile, "NSSD");
    EXPECT_EQ(r.saf_rc, 0);
    EXPECT_EQ(r.racf_rc, 0);
}

TEST_F(RacfPassTicket, PasswordIsTriedFirst) {
    run("RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E001193519561977))\n");
    auto r = db.authenticate("USER1", "NSSD", "PW1", t0);
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.method, RacfLogonMethod::password);
}

TEST_F(RacfPassTicket, ReplayIsRejectedUnlessNoReplayProtection) {
    run("RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E001193519561977))\n");
    auto t = ticket(seed_key, t0);
    EXPECT_TRUE(db.authenticate("USER1", "NSSD", t, t0).ok);
    auto replay = db.authenticate("USER1", "NSSD", t, t0 + 1);
    EXPECT_FALSE(replay.ok);
    EXPECT_EQ(replay.racf_rc, 8);
    EXPECT_EQ(replay.passticket_error, Errc::already_exists);
    EXPECT_EQ(replay.profile, "NSSD");

    run("RALTER PTKTDATA NSSD APPLDATA('NO REPLAY PROTECTION')\n");
    auto t2 = ticket(seed_key, t0 + 5);
    EXPECT_TRUE(db.authenticate("USER1", "NSSD", t2, t0 + 5).ok);
    EXPECT_TRUE(db.authenticate("USER1", "NSSD", t2, t0 + 6).ok);
}

TEST_F(RacfPassTicket, OutsideTheTenMinuteWindow) {
    run("RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E001193519561977))\n");
    auto r = db.authenticate("USER1", "NSSD", ticket(seed_key, t0), t0 + 601);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.passticket_error, Errc::timed_out);
    EXPECT_TRUE(db.authenticate("USER1", "NSSD", ticket(seed_key, t0 + 100), t0 + 699).ok);
}

TEST_F(RacfPassTicket, WrongKeyIsRejected) {
    run("RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E001193519561977))\n");
    auto r = db.authenticate("USER1", "NSSD", ticket(other_key, t0), t0);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.racf_rc, 8);
    EXPECT_EQ(r.saf_rc, 8);
    EXPECT_EQ(r.passticket_error, Errc::auth_failed);
    EXPECT_NE(r.reason.find("PassTicket rejected by PTKTDATA profile NSSD"), std::string::npos)
        << r.reason;
}

TEST_F(RacfPassTicket, NoProfileOrInactiveClassRejects) {
    auto none = db.authenticate("USER1", "NSSD", ticket(seed_key, t0), t0);
    EXPECT_FALSE(none.ok);
    EXPECT_EQ(none.reason,
              "password not valid and no PTKTDATA profile with a key for application NSSD");
    run("RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E001193519561977))\n"
        "SETROPTS NOCLASSACT(PTKTDATA)\n");
    auto inactive = db.authenticate("USER1", "NSSD", ticket(seed_key, t0), t0);
    EXPECT_FALSE(inactive.ok);
    EXPECT_NE(inactive.reason.find("PTKTDATA is not active"), std::string::npos);
}

TEST_F(RacfPassTicket, QualifiedProfilesAreMoreSpecific) {
    run("RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E001193519561977))\n"
        "RDEFINE PTKTDATA NSSD.NSSGRP SSIGNON(KEYMASKED(1111111111111111))\n");
    // APPL.GROUP (default group) beats APPL.
    EXPECT_FALSE(db.authenticate("USER1", "NSSD", ticket(seed_key, t0), t0).ok);
    auto g = db.authenticate("USER1", "NSSD", ticket(key_of("1111111111111111"), t0 + 1), t0 + 1);
    EXPECT_TRUE(g.ok);
    EXPECT_EQ(g.profile, "NSSD.NSSGRP");
    // APPL.USERID beats APPL.GROUP.
    run("RDEFINE PTKTDATA NSSD.USER1 SSIGNON(KEYMASKED(2222222222222222))\n");
    EXPECT_EQ(db.authenticate("USER1", "NSSD", ticket(key_of("2222222222222222"), t0 + 2), t0 + 2)
                  .profile,
              "NSSD.USER1");
    // APPL.GROUP.USERID beats everything.
    run("RDEFINE PTKTDATA NSSD.NSSGRP.USER1 SSIGNON(KEYMASKED(3333333333333333))\n");
    auto gu = db.authenticate("USER1", "NSSD", ticket(key_of("3333333333333333"), t0 + 3), t0 + 3);
    EXPECT_TRUE(gu.ok);
    EXPECT_EQ(gu.profile, "NSSD.NSSGRP.USER1");
    // A profile without a key is skipped.
    run("RALTER PTKTDATA NSSD.NSSGRP.USER1 NOSSIGNON\n");
    EXPECT_EQ(db.authenticate("USER1", "NSSD", ticket(key_of("2222222222222222"), t0 + 4), t0 + 4)
                  .profile,
              "NSSD.USER1");
}

TEST_F(RacfPassTicket, GenericPtktdataProfilesAreIgnored) {
    run("SETROPTS GENERIC(PTKTDATA)\n"
        "RDEFINE PTKTDATA NSS* SSIGNON(KEYMASKED(E001193519561977))\n");
    auto r = db.authenticate("USER1", "NSSD", ticket(seed_key, t0), t0);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.profile, "");
}

TEST_F(RacfPassTicket, RaclistedPtktdataNeedsRefresh) {
    run("SETROPTS RACLIST(PTKTDATA)\n"
        "RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E001193519561977))\n");
    EXPECT_FALSE(db.authenticate("USER1", "NSSD", ticket(seed_key, t0), t0).ok);
    run("SETROPTS RACLIST(PTKTDATA) REFRESH\n");
    EXPECT_TRUE(db.authenticate("USER1", "NSSD", ticket(seed_key, t0 + 1), t0 + 1).ok);
}

TEST_F(RacfPassTicket, FailedTicketsCountTowardRevoke) {
    run("SETROPTS PASSWORD(REVOKE(2))\n"
        "RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E001193519561977))\n");
    EXPECT_FALSE(db.authenticate("USER1", "NSSD", ticket(other_key, t0), t0).revoked_now);
    auto second = db.authenticate("USER1", "NSSD", ticket(other_key, t0 + 1), t0 + 1);
    EXPECT_TRUE(second.revoked_now);
    auto after = db.authenticate("USER1", "NSSD", ticket(seed_key, t0 + 2), t0 + 2);
    EXPECT_FALSE(after.ok);
    EXPECT_EQ(after.racf_rc, 28);
}

TEST_F(RacfPassTicket, EnhancedKeysEmulationSyntax) {
    std::string hex(64, 'A');
    run("RDEFINE PTKTDATA NSSD EPTKTDATA(PASSTICKETTYPE(MIXED) KEYHEX(" + hex + "))\n");
    auto const* p = db.profile("PTKTDATA", "NSSD");
    ASSERT_TRUE(p->eptktdata.has_value());
    EXPECT_EQ(p->eptktdata->type, PassTicketType::enhanced_mixed);
    EXPECT_EQ(p->eptktdata->key.size(), 32u);
    auto t = ticket(p->eptktdata->key, t0, "USER1", PassTicketType::enhanced_mixed);
    auto r = db.authenticate("USER1", "NSSD", t, t0);
    EXPECT_TRUE(r.ok) << r.reason;
    // Default type UPPER; both keys on one profile.
    run("RALTER PTKTDATA NSSD EPTKTDATA(KEYHEX(" + hex +
        ")) SSIGNON(KEYMASKED(E001193519561977))\n");
    EXPECT_EQ(db.profile("PTKTDATA", "NSSD")->eptktdata->type, PassTicketType::enhanced_upper);
    EXPECT_TRUE(db.authenticate("USER1", "NSSD", ticket(seed_key, t0 + 1), t0 + 1).ok);
    auto up = ticket(p->eptktdata->key, t0 + 2, "USER1", PassTicketType::enhanced_upper);
    EXPECT_TRUE(db.authenticate("USER1", "NSSD", up, t0 + 2).ok);
    run("RALTER PTKTDATA NSSD NOEPTKTDATA\n");
    EXPECT_FALSE(db.profile("PTKTDATA", "NSSD")->eptktdata.has_value());
}

TEST_F(RacfPassTicket, KeySyntaxErrors) {
    EXPECT_EQ(run_error("RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E0011935195619))"),
              "p.racf:1:41: RDEFINE: KEYMASKED needs exactly 16 hexadecimal digits (a DES key)");
    EXPECT_EQ(run_error("RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(XYZ))"),
              "p.racf:1:41: RDEFINE: KEYMASKED needs hexadecimal digits, e.g. E001193519561977");
    EXPECT_EQ(run_error("RDEFINE PTKTDATA NSSD SSIGNON(KEYLABEL(MY.KEY))"),
              "p.racf:1:31: RDEFINE: keys in ICSF (KEYENCRYPTED, KEYLABEL) are not modelled; use "
              "SSIGNON(KEYMASKED(16 hex digits))");
    EXPECT_EQ(run_error("RDEFINE PTKTDATA NSSD SSIGNON(BOGUS(1))"),
              "p.racf:1:31: RDEFINE: unknown keyword 'BOGUS'; expected one of: KEYMASKED "
              "KEYENCRYPTED KEYLABEL");
    EXPECT_EQ(run_error("RDEFINE PTKTDATA NSSD EPTKTDATA(PASSTICKETTYPE(LOWER) KEYHEX(00))"),
              "p.racf:1:48: RDEFINE: PASSTICKETTYPE is UPPER or MIXED");
    EXPECT_EQ(run_error("RDEFINE PTKTDATA NSSD EPTKTDATA(KEYHEX(00))"),
              "p.racf:1:40: RDEFINE: KEYHEX needs 64 to 512 hexadecimal digits (a 32 to 256 byte "
              "key)");
    EXPECT_EQ(run_error("RDEFINE PTKTDATA NSSD NOSSIGNON"),
              "p.racf:1:23: RDEFINE: NOSSIGNON is a RALTER keyword");
    EXPECT_EQ(db.profile("PTKTDATA", "NSSD"), nullptr);
}

}  // namespace
}  // namespace nsslab::zos
