// RACF database: commands applied from scripts, generic matching, access decisions, RACLIST,
// logon with passwords, revocation.
#include <gtest/gtest.h>

#include "nsslab/zos/racf.hpp"
#include "nsslab/zos/racf_script.hpp"

namespace nsslab::zos {
namespace {

class Racf : public ::testing::Test {
  protected:
    // Applies a script; the test fails when it does not apply.
    void run(std::string_view text) {
        auto script = parse_racf_script(text, "t.racf");
        ASSERT_TRUE(script.has_value()) << script.error().message;
        auto r = apply_racf_script(*script, db, table, messages);
        ASSERT_TRUE(r.has_value()) << r.error().message;
    }
    // Applies a script that must fail; returns the message.
    std::string run_error(std::string_view text) {
        auto script = parse_racf_script(text, "t.racf");
        if (!script)
            return script.error().message;
        auto r = apply_racf_script(*script, db, table, messages);
        EXPECT_FALSE(r.has_value());
        return r ? std::string() : r.error().message;
    }
    RacfAccessDecision check(std::string_view user, std::string_view resource,
                             RacfAccess access = RacfAccess::read) {
        return db.check(user, "SERVAUTH", resource, access);
    }

    RacfDatabase db;
    RacfCommandTable table = RacfCommandTable::standard();
    std::vector<std::string> messages;
};

// ---- users and groups ----

TEST_F(Racf, AddUserWithGroupAndPassword) {
    run("ADDGROUP NSSGRP\n"
        "ADDUSER user1 DFLTGRP(nssgrp) PASSWORD(secret1) NAME('IKED stack 1') OWNER(SYS1)\n");
    auto const* u = db.user("USER1");
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(u->name, "USER1");
    EXPECT_EQ(u->default_group, "NSSGRP");
    EXPECT_EQ(u->groups, (std::set<std::string>{"NSSGRP"}));
    EXPECT_EQ(u->password, "SECRET1");  // folded: SETROPTS PASSWORD(NOMIXEDCASE) is the default
    EXPECT_FALSE(u->revoked);
}

TEST_F(Racf, AbbreviatedCommandsAndKeywords) {
    run("AG G1\n"
        "AU U1 DFLTG(G1) PASSW(PW1)\n"
        "ALU U1 REV\n");
    EXPECT_TRUE(db.user("U1")->revoked);
    run("ALU U1 RESU\n");
    EXPECT_FALSE(db.user("U1")->revoked);
    run("DU U1\nDG G1\n");
    EXPECT_EQ(db.user("U1"), nullptr);
    EXPECT_EQ(db.group("G1"), nullptr);
}

TEST_F(Racf, AddUserDefaultsToSys1WithoutPassword) {
    run("ADDUSER U1\n");
    EXPECT_EQ(db.user("U1")->default_group, "SYS1");
    EXPECT_FALSE(db.user("U1")->password.has_value());
    EXPECT_FALSE(db.authenticate("U1", "NSSD", "", 0).ok);
}

TEST_F(Racf, UserCommandErrors) {
    EXPECT_EQ(run_error("ADDUSER U1 DFLTGRP(NOPE)"),
              "t.racf:1:9: ADDUSER: default group NOPE is not defined");
    EXPECT_EQ(run_error("ADDUSER 1ABC"),
              "t.racf:1:9: ADDUSER: '1ABC' is not a valid user ID (1-8 of A-Z 0-9 @ # $, not "
              "starting with a digit)");
    EXPECT_EQ(run_error("ADDUSER U1 PASSWORD(TOOLONGPW)"),
              "t.racf:1:9: ADDUSER: a password is 1 to 8 characters without blanks");
    EXPECT_EQ(run_error("ADDUSER U1 PASSWORD(A) NOPASSWORD"),
              "t.racf:1:24: ADDUSER: PASSWORD and NOPASSWORD exclude each other");
    EXPECT_EQ(run_error("ALTUSER NOBODY REVOKE"),
              "t.racf:1:9: ALTUSER: user NOBODY is not defined");
    EXPECT_EQ(run_error("ALTUSER U1 REVOKE RESUME"),
              "t.racf:1:19: ALTUSER: REVOKE and RESUME exclude each other");
    EXPECT_EQ(run_error("DELUSER NOBODY"), "t.racf:1:9: DELUSER: user NOBODY is not defined");
    run("ADDUSER U1\n");
    EXPECT_EQ(run_error("ADDUSER U1"), "t.racf:1:9: ADDUSER: user U1 already exists");
    EXPECT_EQ(run_error("ADDGROUP U1"), "t.racf:1:10: ADDGROUP: U1 is already defined as a user");
    EXPECT_EQ(run_error("ADDGROUP G1 SUPGROUP(NOPE)"),
              "t.racf:1:13: ADDGROUP: superior group NOPE is not defined");
}

TEST_F(Racf, ListOfUsersIsAllOrNothing) {
    run("ADDUSER U2\n");
    EXPECT_EQ(run_error("ADDUSER (U1 U2 U3)"), "t.racf:1:9: ADDUSER: user U2 already exists");
    EXPECT_EQ(db.user("U1"), nullptr);
    EXPECT_EQ(db.user("U3"), nullptr);
    run("ADDUSER (U1 U3)\n");
    EXPECT_NE(db.user("U3"), nullptr);
}

TEST_F(Racf, ConnectRemoveAndDefaultGroup) {
    run("ADDGROUP (G1 G2)\nADDUSER U1 DFLTGRP(G1)\nCONNECT U1 GROUP(G2)\n");
    EXPECT_EQ(db.user("U1")->groups, (std::set<std::string>{"G1", "G2"}));
    EXPECT_EQ(run_error("REMOVE U1 GROUP(G1)"),
              "t.racf:1:8: REMOVE: group G1 is the default group of U1 (change DFLTGRP first)");
    EXPECT_EQ(run_error("DELGROUP G2"),
              "t.racf:1:10: DELGROUP: group G2 still has user U1 connected (REMOVE first)");
    EXPECT_EQ(run_error("ALTUSER U1 DFLTGRP(SYS1)"),
              "t.racf:1:9: ALTUSER: user U1 is not connected to group SYS1 (CONNECT it first)");
    run("ALTUSER U1 DFLTGRP(G2)\nRE U1 GROUP(G1)\nDG G1\n");
    EXPECT_EQ(db.user("U1")->groups, (std::set<std::string>{"G2"}));
    EXPECT_EQ(db.group("G1"), nullptr);
    EXPECT_EQ(run_error("CONNECT U1"),
              "t.racf:1:1: CONNECT: GROUP(name) is required (the issuer's current group is not "
              "modelled)");
    EXPECT_EQ(run_error("CO U1 GROUP(NOPE)"), "t.racf:1:4: CO: group NOPE is not defined");
}

// ---- profiles and access decisions ----

constexpr std::string_view servauth_setup =
    "SETROPTS CLASSACT(SERVAUTH) GENERIC(SERVAUTH)\n"
    "ADDGROUP NSSGRP\n"
    "ADDUSER USER1 DFLTGRP(NSSGRP) PASSWORD(PW1)\n"
    "ADDUSER USER2 DFLTGRP(NSSGRP) PASSWORD(PW2)\n"
    "ADDUSER USER3 PASSWORD(PW3)\n";

TEST_F(Racf, DiscreteProfileAccessList) {
    run(servauth_setup);
    run("RDEFINE SERVAUTH EZB.NSS.MVS093.CLIENT1.IPSEC.CERT UACC(NONE)\n"
        "PERMIT EZB.NSS.MVS093.CLIENT1.IPSEC.CERT CLASS(SERVAUTH) ID(USER1) ACCESS(READ)\n");
    auto ok = check("USER1", "EZB.NSS.MVS093.CLIENT1.IPSEC.CERT");
    EXPECT_TRUE(ok.allowed);
    EXPECT_EQ(ok.saf_rc, 0);
    EXPECT_EQ(ok.racf_rc, 0);
    EXPECT_EQ(ok.profile, "EZB.NSS.MVS093.CLIENT1.IPSEC.CERT");
    EXPECT_EQ(ok.granted, RacfAccess::read);
    EXPECT_EQ(format_servauth_check_log(ok),
              "DBG0032I NSS_VERBOSE ServauthCheck(USER1 ,EZB.NSS.MVS093.CLIENT1.IPSEC.CERT) rc 0 "
              "(ALLOW) racfRC 0 racfRsn 0");

    auto denied = check("USER2", "EZB.NSS.MVS093.CLIENT1.IPSEC.CERT");
    EXPECT_FALSE(denied.allowed);
    EXPECT_EQ(denied.saf_rc, 8);
    EXPECT_EQ(denied.racf_rc, 8);
    EXPECT_EQ(denied.reason,
              "USER2 has NONE to EZB.NSS.MVS093.CLIENT1.IPSEC.CERT (UACC), READ requested");
    EXPECT_EQ(format_servauth_check_log(denied),
              "DBG0032I NSS_VERBOSE ServauthCheck(USER2 ,EZB.NSS.MVS093.CLIENT1.IPSEC.CERT) rc 8 "
              "(DENY) racfRC 8 racfRsn 0");

    auto update = check("USER1", "EZB.NSS.MVS093.CLIENT1.IPSEC.CERT", RacfAccess::update);
    EXPECT_FALSE(update.allowed);
}

TEST_F(Racf, NoProfileFailsClosedWithRc4) {
    run(servauth_setup);
    auto d = check("USER2", "EZB.NSS.MVS093.CLIENT2.IPSEC.CERT");
    EXPECT_FALSE(d.allowed);
    EXPECT_FALSE(d.protected_resource);
    EXPECT_EQ(d.saf_rc, 4);
    EXPECT_EQ(d.racf_rc, 4);
    EXPECT_EQ(d.profile, "");
    // The IBM example line (facts §3).
    EXPECT_EQ(format_servauth_check_log(d),
              "DBG0032I NSS_VERBOSE ServauthCheck(USER2 ,EZB.NSS.MVS093.CLIENT2.IPSEC.CERT) rc 4 "
              "(DENY) racfRC 4 racfRsn 0");
}

TEST_F(Racf, InactiveClassFailsClosed) {
    run("ADDUSER USER1\nRDEFINE SERVAUTH EZB.X UACC(READ)\n");
    auto d = check("USER1", "EZB.X");
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.saf_rc, 4);
    EXPECT_EQ(d.racf_rc, 4);
    EXPECT_NE(d.reason.find("not active"), std::string::npos);
    run("SETROPTS CLASSACT(SERVAUTH)\n");
    EXPECT_TRUE(check("USER1", "EZB.X").allowed);
    run("SETR NOCLASSACT(SERVAUTH)\n");
    EXPECT_EQ(check("USER1", "EZB.X").saf_rc, 4);
}

TEST_F(Racf, UaccAndIdStar) {
    run(servauth_setup);
    run("RDEFINE SERVAUTH EZB.A UACC(READ)\n"
        "RDEFINE SERVAUTH EZB.B UACC(NONE)\n"
        "PERMIT EZB.B CLASS(SERVAUTH) ID(*) ACCESS(UPDATE)\n");
    EXPECT_TRUE(check("USER3", "EZB.A").allowed);
    EXPECT_EQ(check("USER3", "EZB.A").reason, "USER3 has READ to EZB.A (UACC), READ requested");
    EXPECT_TRUE(check("USER3", "EZB.B", RacfAccess::update).allowed);
    EXPECT_EQ(check("USER3", "EZB.B").reason,
              "USER3 has UPDATE to EZB.B (access list entry ID(*)), READ requested");
    auto unknown = check("GHOST", "EZB.A");
    EXPECT_FALSE(unknown.allowed);
    EXPECT_EQ(unknown.saf_rc, 8);
}

TEST_F(Racf, UserEntryWinsOverGroupsAndHighestGroupWins) {
    run(servauth_setup);
    run("ADDGROUP (GA GB)\n"
        "CONNECT (USER1 USER2) GROUP(GA)\n"
        "CONNECT USER2 GROUP(GB)\n"
        "RDEFINE SERVAUTH EZB.R UACC(READ)\n"
        "PERMIT EZB.R CLASS(SERVAUTH) ID(GA) ACCESS(UPDATE)\n"
        "PERMIT EZB.R CLASS(SERVAUTH) ID(GB) ACCESS(ALTER)\n"
        "PERMIT EZB.R CLASS(SERVAUTH) ID(USER1) ACCESS(NONE)\n");
    auto u1 = check("USER1", "EZB.R");
    EXPECT_FALSE(u1.allowed);  // NONE on the user's own entry beats the group and UACC
    EXPECT_EQ(u1.granted, RacfAccess::none);
    auto u2 = check("USER2", "EZB.R", RacfAccess::alter);
    EXPECT_TRUE(u2.allowed);
    EXPECT_EQ(u2.reason,
              "USER2 has ALTER to EZB.R (access list entry for group GB), ALTER requested");
    // Access levels are ordered NONE < READ < UPDATE < CONTROL < ALTER.
    run("PERMIT EZB.R CLASS(SERVAUTH) ID(USER1) ACCESS(CONTROL)\n");
    EXPECT_TRUE(check("USER1", "EZB.R", RacfAccess::control).allowed);
    EXPECT_FALSE(check("USER1", "EZB.R", RacfAccess::alter).allowed);
    EXPECT_TRUE(check("USER1", "EZB.R", RacfAccess::update).allowed);
    // PERMIT ... DELETE removes the entry: back to the group's UPDATE.
    run("PE EZB.R CL(SERVAUTH) ID(USER1) DEL\n");
    EXPECT_EQ(check("USER1", "EZB.R").granted, RacfAccess::update);
    // PERMIT without ACCESS gives READ.
    run("PERMIT EZB.R CLASS(SERVAUTH) ID(USER3)\n");
    EXPECT_EQ(db.profile("SERVAUTH", "EZB.R")->access_list.size(), 3u);
}

TEST_F(Racf, WarningModeGrantsAndFlags) {
    run(servauth_setup);
    run("RDEFINE SERVAUTH EZB.W UACC(NONE) WARNING\n");
    auto d = check("USER1", "EZB.W");
    EXPECT_TRUE(d.allowed);
    EXPECT_TRUE(d.warning);
    EXPECT_EQ(d.saf_rc, 0);
    EXPECT_EQ(d.racf_rc, 0);
    EXPECT_EQ(d.reason,
              "WARNING mode: USER1 has NONE to EZB.W (UACC), READ requested; access allowed");
    EXPECT_EQ(format_servauth_check_log(d),
              "DBG0032I NSS_VERBOSE ServauthCheck(USER1 ,EZB.W) rc 0 (ALLOW) racfRC 0 racfRsn 0");
    run("RALTER SERVAUTH EZB.W NOWARNING\n");
    EXPECT_FALSE(check("USER1", "EZB.W").allowed);
    EXPECT_FALSE(check("USER1", "EZB.W").warning);
}

TEST_F(Racf, GenericProfilesMostSpecificWins) {
    run(servauth_setup);
    run("RDEFINE SERVAUTH EZB.NSS.** UACC(NONE)\n"
        "RDEFINE SERVAUTH EZB.NSS.*.*.IPSEC.CERT UACC(NONE)\n"
        "RDEFINE SERVAUTH EZB.NSS.MVS093.CLIENT%.IPSEC.CERT UACC(NONE)\n"
        "RDEFINE SERVAUTH EZB.NSS.MVS093.CLIENT1.IPSEC.CERT UACC(NONE)\n"
        "PERMIT EZB.NSS.*.*.IPSEC.CERT CLASS(SERVAUTH) ID(USER1 USER2) ACCESS(READ)\n");
    // Discrete first.
    EXPECT_EQ(check("USER1", "EZB.NSS.MVS093.CLIENT1.IPSEC.CERT").profile,
              "EZB.NSS.MVS093.CLIENT1.IPSEC.CERT");
    EXPECT_FALSE(check("USER1", "EZB.NSS.MVS093.CLIENT1.IPSEC.CERT").allowed);
    // % beats * at the first difference.
    EXPECT_EQ(check("USER2", "EZB.NSS.MVS093.CLIENT2.IPSEC.CERT").profile,
              "EZB.NSS.MVS093.CLIENT%.IPSEC.CERT");
    // * beats **.
    auto d = check("USER2", "EZB.NSS.SYSB.OTHER.IPSEC.CERT");
    EXPECT_EQ(d.profile, "EZB.NSS.*.*.IPSEC.CERT");
    EXPECT_TRUE(d.allowed);
    // Only ** covers NETMGMT.
    EXPECT_EQ(check("USER2", "EZB.NSS.SYSB.OTHER.IPSEC.NETMGMT").profile, "EZB.NSS.**");
    // GENERIC off: generic profiles are not used.
    run("SETROPTS NOGENERIC(SERVAUTH)\n");
    EXPECT_EQ(check("USER2", "EZB.NSS.SYSB.OTHER.IPSEC.CERT").saf_rc, 4);
}

TEST_F(Racf, GenericNeedsSetroptsGeneric) {
    run("SETROPTS CLASSACT(SERVAUTH)\n");
    EXPECT_EQ(run_error("RDEFINE SERVAUTH EZB.** UACC(READ)"),
              "t.racf:1:18: RDEFINE: generic profile EZB.** needs SETROPTS GENERIC(SERVAUTH) or "
              "GENCMD(SERVAUTH) first");
    // GENCMD: generic profiles can be defined but are not used in checks (RACF).
    run("ADDUSER U1\nSETROPTS GENCMD(SERVAUTH)\nRDEFINE SERVAUTH EZB.** UACC(READ)\n");
    EXPECT_TRUE(db.profile("SERVAUTH", "EZB.**")->generic);
    EXPECT_EQ(check("U1", "EZB.X").saf_rc, 4);
    run("SETROPTS GENERIC(SERVAUTH)\n");
    EXPECT_TRUE(check("U1", "EZB.X").allowed);
    EXPECT_EQ(run_error("RDEFINE SERVAUTH A.**.B.** UACC(READ)"),
              "t.racf:1:18: RDEFINE: 'A.**.B.**': ** may appear only once in a profile name");
}

TEST(RacfGeneric, MatchingRules) {
    // % exactly one character within a qualifier.
    EXPECT_TRUE(racf_generic_match("A.B%", "A.BC"));
    EXPECT_FALSE(racf_generic_match("A.B%", "A.B"));
    EXPECT_FALSE(racf_generic_match("A.B%", "A.BCD"));
    EXPECT_FALSE(racf_generic_match("A%B", "A.B"));
    // * within a qualifier.
    EXPECT_TRUE(racf_generic_match("A.*.C", "A.B.C"));
    EXPECT_FALSE(racf_generic_match("A.*.C", "A.B.X.C"));
    EXPECT_FALSE(racf_generic_match("A.*.C", "A.C"));
    EXPECT_TRUE(racf_generic_match("A.B*D.E", "A.BD.E"));
    EXPECT_TRUE(racf_generic_match("A.B*D.E", "A.BXYD.E"));
    EXPECT_FALSE(racf_generic_match("A.B*D.E", "A.BX.D.E"));
    // * ending the last qualifier: the rest of the name, qualifiers included.
    EXPECT_TRUE(racf_generic_match("A.BC*", "A.BC"));
    EXPECT_TRUE(racf_generic_match("A.BC*", "A.BCD"));
    EXPECT_TRUE(racf_generic_match("A.BC*", "A.BCD.E.F"));
    EXPECT_FALSE(racf_generic_match("A.BC*", "A.B"));
    // .* as the last qualifier: one or more qualifiers.
    EXPECT_TRUE(racf_generic_match("A.B.*", "A.B.C"));
    EXPECT_TRUE(racf_generic_match("A.B.*", "A.B.C.D"));
    EXPECT_FALSE(racf_generic_match("A.B.*", "A.B"));
    // ** zero or more qualifiers anywhere.
    EXPECT_TRUE(racf_generic_match("A.**", "A"));
    EXPECT_TRUE(racf_generic_match("A.**", "A.B.C"));
    EXPECT_TRUE(racf_generic_match("A.**.C", "A.C"));
    EXPECT_TRUE(racf_generic_match("A.**.C", "A.X.Y.C"));
    EXPECT_FALSE(racf_generic_match("A.**.C", "A.X.Y.D"));
    EXPECT_TRUE(racf_generic_match("**.C", "C"));
    EXPECT_TRUE(racf_generic_match("**", "ANY.THING"));
    EXPECT_TRUE(racf_generic_match("EZB.NSS.*.*.IPSEC.CERT", "EZB.NSS.MVS093.CLIENT2.IPSEC.CERT"));
    EXPECT_FALSE(racf_generic_match("EZB.NSS.*.*.IPSEC.CERT", "EZB.NSS.MVS093.IPSEC.CERT"));
    EXPECT_FALSE(racf_generic_match("A.B", "A.C"));
}

TEST(RacfGeneric, SpecificityOrder) {
    auto more = [](std::string_view a, std::string_view b) {
        return compare_racf_generic_specificity(a, b) < 0 &&
               compare_racf_generic_specificity(b, a) > 0;
    };
    EXPECT_TRUE(more("EZB.NSS.*.*.IPSEC.CERT", "EZB.NSS.**"));
    EXPECT_TRUE(more("EZB.NSS.SYS%.*", "EZB.NSS.SYS*.*"));
    EXPECT_TRUE(more("A.B.*", "A.B*"));  // '.' (literal) beats '*'
    EXPECT_TRUE(more("A.BC*", "A.B*"));  // literal beats '*'
    EXPECT_TRUE(more("A.*", "A.**"));    // '*' beats '**'
    EXPECT_TRUE(more("A.*.C", "A.*"));   // more characters beat the end of the name
    EXPECT_EQ(compare_racf_generic_specificity("A.*", "A.*"), 0);
}

TEST_F(Racf, RaclistedChangesNeedRefresh) {
    run(servauth_setup);
    run("RDEFINE SERVAUTH EZB.X UACC(NONE)\n"
        "SETROPTS RACLIST(SERVAUTH)\n");
    EXPECT_FALSE(check("USER1", "EZB.X").allowed);
    messages.clear();
    run("PERMIT EZB.X CLASS(SERVAUTH) ID(USER1) ACCESS(READ)\n"
        "RDEFINE SERVAUTH EZB.Y UACC(READ)\n");
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0],
              "ICH10006I RACLISTED PROFILES FOR SERVAUTH WILL NOT REFLECT THE UPDATE(S) UNTIL A "
              "SETROPTS REFRESH IS ISSUED.");
    EXPECT_TRUE(db.raclist_refresh_pending("SERVAUTH"));
    EXPECT_FALSE(check("USER1", "EZB.X").allowed);  // in-storage copy is unchanged
    EXPECT_EQ(check("USER1", "EZB.Y").saf_rc, 4);
    run("SETROPTS RACLIST(SERVAUTH) REFRESH\n");
    EXPECT_FALSE(db.raclist_refresh_pending("SERVAUTH"));
    EXPECT_TRUE(check("USER1", "EZB.X").allowed);
    EXPECT_TRUE(check("USER1", "EZB.Y").allowed);
    // Deletion too.
    run("RDELETE SERVAUTH EZB.Y\n");
    EXPECT_TRUE(check("USER1", "EZB.Y").allowed);
    run("SETR RACLIST(SERVAUTH) REFRESH\n");
    EXPECT_EQ(check("USER1", "EZB.Y").saf_rc, 4);
    // NORACLIST: the stored profiles apply directly.
    run("SETROPTS NORACLIST(SERVAUTH)\nRDEFINE SERVAUTH EZB.Z UACC(READ)\n");
    EXPECT_TRUE(check("USER1", "EZB.Z").allowed);
}

// Every mutator changes generation(), so decisions kept on it are never stale; a logon does
// not (check() reads no logon state).
TEST_F(Racf, GenerationChangesWithEveryMutator) {
    std::uint64_t last = db.generation();
    auto changed = [&](char const* what) {
        EXPECT_NE(db.generation(), last) << what;
        last = db.generation();
    };
    ASSERT_TRUE(db.add_group("G1"));
    changed("add_group");
    ASSERT_TRUE(db.add_user("U1", {}));
    changed("add_user");
    RacfUserChange pw;
    pw.password = std::string("SECRET1");
    ASSERT_TRUE(db.alter_user("U1", pw));
    changed("alter_user");
    ASSERT_TRUE(db.connect("U1", "G1"));
    changed("connect");
    ASSERT_TRUE(db.remove("U1", "G1"));
    changed("remove");
    ASSERT_TRUE(db.set_class_active("SERVAUTH", true));
    changed("set_class_active");
    ASSERT_TRUE(db.set_class_generic("SERVAUTH", true));
    changed("set_class_generic");
    ASSERT_TRUE(db.set_class_gencmd("SERVAUTH", true));
    changed("set_class_gencmd");
    ASSERT_TRUE(db.define_profile("SERVAUTH", "EZB.A", {}));
    changed("define_profile");
    RacfProfileChange uacc;
    uacc.uacc = RacfAccess::read;
    ASSERT_TRUE(db.alter_profile("SERVAUTH", "EZB.A", uacc));
    changed("alter_profile");
    ASSERT_TRUE(db.permit("SERVAUTH", "EZB.A", {"U1"}, RacfAccess::none));
    changed("permit");
    ASSERT_TRUE(db.set_class_raclisted("SERVAUTH", true));
    changed("set_class_raclisted");
    ASSERT_TRUE(db.refresh_raclist("SERVAUTH"));
    changed("refresh_raclist");
    ASSERT_TRUE(db.delete_profile("SERVAUTH", "EZB.A"));
    changed("delete_profile");
    ASSERT_TRUE(db.set_password_revoke(3));
    changed("set_password_revoke");
    EXPECT_FALSE(db.add_user("U1", {}));  // fails: already defined; a change is still counted
    changed("failed add_user");
    (void)db.authenticate("U1", "NSSD", "SECRET1", 0);
    EXPECT_EQ(db.generation(), last) << "authenticate";
    ASSERT_TRUE(db.delete_user("U1"));
    changed("delete_user");
    ASSERT_TRUE(db.delete_group("G1"));
    changed("delete_group");
    // Another database never shares a generation with this one; a copy does, until it changes.
    RacfDatabase other;
    EXPECT_NE(other.generation(), db.generation());
    RacfDatabase copy = db;
    EXPECT_EQ(copy.generation(), db.generation());
    ASSERT_TRUE(copy.add_group("G2"));
    EXPECT_NE(copy.generation(), db.generation());
}

TEST_F(Racf, SetroptsErrors) {
    EXPECT_EQ(run_error("SETROPTS REFRESH"),
              "t.racf:1:10: SETROPTS: REFRESH needs RACLIST(class ...) or GENERIC(class ...)");
    EXPECT_EQ(run_error("SETROPTS RACLIST(SERVAUTH) REFRESH"),
              "t.racf:1:10: SETROPTS: class SERVAUTH is not RACLISTed; issue SETROPTS "
              "RACLIST(SERVAUTH) first");
    EXPECT_EQ(run_error("SETROPTS CLASSACT(SERVAUTH) NOCLASSACT(SERVAUTH)"),
              "t.racf:1:29: SETROPTS: CLASSACT and NOCLASSACT both name SERVAUTH");
    EXPECT_EQ(run_error("SETROPTS CLASSACT(*)"),
              "t.racf:1:19: SETROPTS: '*' is not a valid class name (CLASSACT(*) and other "
              "all-class forms are not modelled)");
    EXPECT_EQ(run_error("SETROPTS PASSWORD(REVOKE(0))"),
              "t.racf:1:26: SETROPTS: REVOKE(n) needs n from 1 to 255");
    EXPECT_EQ(run_error("SETROPTS"), "t.racf:1:1: SETROPTS: expected at least one keyword");
    EXPECT_EQ(run_error("SETROPTS CLASSACT(SERVAUTH) REFRESH GENERIC(SERVAUTH)"),
              "t.racf:1:10: SETROPTS: REFRESH goes with RACLIST(...) or GENERIC(...) only, not "
              "CLASSACT");
    // Nothing of a failing SETROPTS applied.
    EXPECT_FALSE(db.class_options("SERVAUTH").active);
    run("SETROPTS GENERIC(SERVAUTH) REFRESH\n");
}

TEST_F(Racf, ProfileCommandErrorsApplyNothing) {
    run(servauth_setup);
    run("RDEFINE SERVAUTH EZB.A UACC(NONE)\n");
    EXPECT_EQ(run_error("RDEFINE SERVAUTH (EZB.B EZB.A) UACC(READ)"),
              "t.racf:1:18: RDEFINE: profile EZB.A in class SERVAUTH already exists");
    EXPECT_EQ(db.profile("SERVAUTH", "EZB.B"), nullptr);
    EXPECT_EQ(run_error("RDEFINE SERVAUTH EZB.C UACC(SOME)"),
              "t.racf:1:29: RDEFINE: UACC is one of NONE, READ, UPDATE, CONTROL, ALTER");
    EXPECT_EQ(run_error("PERMIT EZB.A CLASS(SERVAUTH) ID(USER1 NOBODY) ACCESS(READ)"),
              "t.racf:1:8: PERMIT: ID NOBODY is neither a user nor a group");
    EXPECT_TRUE(db.profile("SERVAUTH", "EZB.A")->access_list.empty());
    EXPECT_EQ(run_error("PERMIT EZB.A ID(USER1)"),
              "t.racf:1:1: PERMIT: CLASS(name) is required (DATASET profiles are not modelled)");
    EXPECT_EQ(run_error("PERMIT EZB.A CLASS(SERVAUTH) ID(USER1) ACCESS(READ) DELETE"),
              "t.racf:1:53: PERMIT: ACCESS and DELETE exclude each other");
    EXPECT_EQ(run_error("PERMIT EZB.NONE CLASS(SERVAUTH) ID(USER1)"),
              "t.racf:1:8: PERMIT: profile EZB.NONE in class SERVAUTH is not defined");
    EXPECT_EQ(run_error("RALTER SERVAUTH EZB.NONE UACC(READ)"),
              "t.racf:1:17: RALTER: profile EZB.NONE in class SERVAUTH is not defined");
    EXPECT_EQ(run_error("RDELETE SERVAUTH EZB.NONE"),
              "t.racf:1:18: RDELETE: profile EZB.NONE in class SERVAUTH is not defined");
    EXPECT_EQ(run_error("RDEFINE 'SERVAUTH' X"),
              "t.racf:1:9: RDEFINE: expected a class name, e.g. SERVAUTH");
    EXPECT_EQ(run_error("RDEFINE SERVAUTH"),
              "t.racf:1:1: RDEFINE: expected 2 positional operand(s) before the keywords, found 1");
    EXPECT_EQ(run_error("RALTER SERVAUTH EZB.A WARNING NOWARNING"),
              "t.racf:1:31: RALTER: WARNING and NOWARNING exclude each other");
}

TEST_F(Racf, SetroptsListAndOptions) {
    run("SETROPTS PASSWORD(REVOKE(5) MIXEDCASE) CLASSACT(SERVAUTH PTKTDATA) RACLIST(PTKTDATA) "
        "LIST\n");
    ASSERT_FALSE(messages.empty());
    EXPECT_EQ(messages.back(), "PASSWORD REVOKE: 5, MIXEDCASE: YES");
    EXPECT_TRUE(db.class_options("PTKTDATA").active);
    EXPECT_TRUE(db.class_options("PTKTDATA").raclisted);
    EXPECT_TRUE(db.class_options("SERVAUTH").active);
    EXPECT_FALSE(db.class_options("SERVAUTH").raclisted);
    EXPECT_EQ(db.classes().size(), 2u);
    run("SETR PASSWORD(NOMIXEDCASE NOREVOKE)\n");
    EXPECT_FALSE(db.password_mixed_case());
    EXPECT_FALSE(db.password_revoke().has_value());
}

TEST_F(Racf, AnyClassNameIsAccepted) {
    run("ADDUSER U1\nSETROPTS CLASSACT(FACILITY)\nRDEFINE FACILITY BPX.DAEMON UACC(READ)\n");
    EXPECT_TRUE(db.check("U1", "facility", "bpx.daemon", RacfAccess::read).allowed);
}

// ---- logon: passwords and revocation ----

TEST_F(Racf, PasswordLogon) {
    run(servauth_setup);
    auto ok = db.authenticate("user1", "NSSD", "pw1", 1000);
    EXPECT_TRUE(ok.ok);
    EXPECT_EQ(ok.method, RacfLogonMethod::password);
    EXPECT_EQ(ok.saf_rc, 0);
    EXPECT_EQ(ok.racf_rc, 0);
    auto bad = db.authenticate("USER1", "NSSD", "WRONG", 1000);
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.saf_rc, 8);
    EXPECT_EQ(bad.racf_rc, 8);
    auto ghost = db.authenticate("GHOST", "NSSD", "X", 1000);
    EXPECT_EQ(ghost.racf_rc, 4);
    EXPECT_EQ(ghost.reason, "user GHOST is not defined to RACF");
}

TEST_F(Racf, MixedCasePasswords) {
    run("SETROPTS PASSWORD(MIXEDCASE)\nADDUSER U1 PASSWORD(Secret1)\n");
    EXPECT_TRUE(db.authenticate("U1", "NSSD", "Secret1", 0).ok);
    EXPECT_FALSE(db.authenticate("U1", "NSSD", "SECRET1", 0).ok);
}

TEST_F(Racf, PasswordPhrase) {
    run("ADDUSER U1 PHRASE('correct horse battery')\n");
    auto r = db.authenticate("U1", "NSSD", "correct horse battery", 0);
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.method, RacfLogonMethod::phrase);
    EXPECT_EQ(run_error("ALTUSER U1 PHRASE('short')"),
              "t.racf:1:9: ALTUSER: a password phrase is 9 to 100 characters");
}

TEST_F(Racf, RevokeAfterConsecutiveFailuresAndResume) {
    run(servauth_setup);
    run("SETROPTS PASSWORD(REVOKE(3))\n");
    EXPECT_EQ(db.password_revoke(), 3u);
    EXPECT_FALSE(db.authenticate("USER1", "NSSD", "BAD", 0).ok);
    EXPECT_TRUE(db.authenticate("USER1", "NSSD", "PW1", 0).ok);  // success resets the count
    EXPECT_EQ(db.user("USER1")->failed_attempts, 0u);
    EXPECT_FALSE(db.authenticate("USER1", "NSSD", "BAD", 0).ok);
    EXPECT_FALSE(db.authenticate("USER1", "NSSD", "BAD", 0).ok);
    auto third = db.authenticate("USER1", "NSSD", "BAD", 0);
    EXPECT_FALSE(third.ok);
    EXPECT_TRUE(third.revoked_now);
    EXPECT_EQ(third.racf_rc, 8);
    EXPECT_TRUE(db.user("USER1")->revoked);
    auto revoked = db.authenticate("USER1", "NSSD", "PW1", 0);
    EXPECT_FALSE(revoked.ok);
    EXPECT_EQ(revoked.racf_rc, 28);
    EXPECT_EQ(revoked.reason, "user USER1 is revoked");
    run("ALTUSER USER1 RESUME\n");
    EXPECT_TRUE(db.authenticate("USER1", "NSSD", "PW1", 0).ok);
    // NOREVOKE: failures no longer revoke.
    run("SETROPTS PASSWORD(NOREVOKE)\n");
    for (int i = 0; i < 5; ++i)
        EXPECT_FALSE(db.authenticate("USER1", "NSSD", "BAD", 0).revoked_now);
    EXPECT_FALSE(db.user("USER1")->revoked);
}

TEST_F(Racf, RevokedByCommand) {
    run("ADDUSER U1 PASSWORD(P) REVOKE\n");
    EXPECT_EQ(db.authenticate("U1", "NSSD", "P", 0).racf_rc, 28);
}

}  // namespace
}  // namespace nsslab::zos
