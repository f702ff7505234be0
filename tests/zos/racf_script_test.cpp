// RACF command scripts: tokenizer (TSO syntax), operand helpers and dispatch.
#include "nsslab/zos/racf_script.hpp"

#include <gtest/gtest.h>

#include "nsslab/zos/racf.hpp"

namespace nsslab::zos {
namespace {

using Kind = RacfOperand::Kind;

RacfScript parse_ok(std::string_view text) {
    auto script = parse_racf_script(text, "t.racf");
    EXPECT_TRUE(script.has_value()) << (script ? "" : script.error().message);
    return script ? *script : RacfScript{};
}

std::string parse_error(std::string_view text) {
    auto script = parse_racf_script(text, "t.racf");
    EXPECT_FALSE(script.has_value());
    if (script)
        return {};
    EXPECT_EQ(script.error().code, Errc::parse_error);
    return script.error().message;
}

TEST(RacfScriptParse, SeedExampleTokens) {
    auto s = parse_ok("RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E001193519561977)) UACC(NONE)\n");
    ASSERT_EQ(s.commands.size(), 1u);
    auto const& c = s.commands[0];
    EXPECT_EQ(c.name, "RDEFINE");
    EXPECT_EQ(c.file, "t.racf");
    EXPECT_EQ(c.pos.line, 1u);
    EXPECT_EQ(c.pos.column, 1u);
    ASSERT_EQ(c.operands.size(), 4u);
    EXPECT_EQ(c.operands[0].kind, Kind::word);
    EXPECT_EQ(c.operands[0].text, "PTKTDATA");
    EXPECT_EQ(c.operands[1].text, "NSSD");
    EXPECT_EQ(c.operands[2].kind, Kind::keyword);
    EXPECT_EQ(c.operands[2].text, "SSIGNON");
    EXPECT_EQ(c.operands[2].pos.column, 23u);
    ASSERT_EQ(c.operands[2].args.size(), 1u);
    EXPECT_EQ(c.operands[2].args[0].kind, Kind::keyword);
    EXPECT_EQ(c.operands[2].args[0].text, "KEYMASKED");
    ASSERT_EQ(c.operands[2].args[0].args.size(), 1u);
    EXPECT_EQ(c.operands[2].args[0].args[0].text, "E001193519561977");
    EXPECT_EQ(c.operands[3].text, "UACC");
    EXPECT_EQ(c.operands[3].args[0].text, "NONE");
}

TEST(RacfScriptParse, KeywordsUpperCasedValuesKept) {
    auto s = parse_ok("permit ezb.nss.** class(servauth) id(user1,grp1) access(read)");
    ASSERT_EQ(s.commands.size(), 1u);
    auto const& c = s.commands[0];
    EXPECT_EQ(c.name, "PERMIT");
    EXPECT_EQ(c.operands[0].text, "ezb.nss.**");
    EXPECT_EQ(c.operands[1].text, "CLASS");
    EXPECT_EQ(c.operands[1].args[0].text, "servauth");
    ASSERT_EQ(c.operands[2].args.size(), 2u);
    EXPECT_EQ(c.operands[2].args[1].text, "grp1");
}

TEST(RacfScriptParse, QuotedStringsWithDoubledQuotes) {
    auto s = parse_ok("RALTER PTKTDATA NSSD APPLDATA('NO REPLAY PROTECTION') DATA('it''s')");
    auto const& c = s.commands[0];
    EXPECT_EQ(c.operands[2].args[0].kind, Kind::quoted);
    EXPECT_EQ(c.operands[2].args[0].text, "NO REPLAY PROTECTION");
    EXPECT_EQ(c.operands[3].args[0].text, "it's");
}

TEST(RacfScriptParse, PositionalList) {
    auto s = parse_ok("ADDUSER (U1 U2,U3) DFLTGRP(SYS1)");
    auto const& c = s.commands[0];
    EXPECT_EQ(c.operands[0].kind, Kind::list);
    ASSERT_EQ(c.operands[0].args.size(), 3u);
    EXPECT_EQ(c.operands[0].args[2].text, "U3");
}

TEST(RacfScriptParse, ContinuationDashAndPlus) {
    auto s = parse_ok(
        "RDEFINE SERVAUTH -\n"
        "   EZB.NSS.SYS.C1.IPSEC.CERT -\n"
        "   UACC(NONE)\n"
        "ADDUSER U1 +\n"
        "     PASSWORD(X)\n");
    ASSERT_EQ(s.commands.size(), 2u);
    EXPECT_EQ(s.commands[0].operands.size(), 3u);
    EXPECT_EQ(s.commands[0].operands[1].text, "EZB.NSS.SYS.C1.IPSEC.CERT");
    EXPECT_EQ(s.commands[0].operands[1].pos.line, 2u);
    EXPECT_EQ(s.commands[0].operands[2].pos.line, 3u);
    EXPECT_EQ(s.commands[1].pos.line, 4u);
    EXPECT_EQ(s.commands[1].operands[1].args[0].text, "X");
}

TEST(RacfScriptParse, ContinuationInsideQuotedString) {
    // '-' keeps the next line's leading blanks, '+' drops them (TSO).
    auto s = parse_ok(
        "RALTER C P APPLDATA('NO REPLAY-\n"
        " PROTECTION')\n"
        "RALTER C P APPLDATA('NO REPLAY +\n"
        "      PROTECTION')\n");
    ASSERT_EQ(s.commands.size(), 2u);
    EXPECT_EQ(s.commands[0].operands[2].args[0].text, "NO REPLAY PROTECTION");
    EXPECT_EQ(s.commands[1].operands[2].args[0].text, "NO REPLAY PROTECTION");
}

TEST(RacfScriptParse, Comments) {
    auto s = parse_ok(
        "# hash comment\n"
        "* star comment\n"
        "   /* block comment\n"
        "      over two lines */\n"
        "ADDGROUP G1 /* trailing */ OWNER(SYS1)\n"
        "\n"
        "ADDUSER /* in the middle */ U1\n");
    ASSERT_EQ(s.commands.size(), 2u);
    EXPECT_EQ(s.commands[0].name, "ADDGROUP");
    EXPECT_EQ(s.commands[0].operands.size(), 2u);
    EXPECT_EQ(s.commands[1].operands.size(), 1u);
    EXPECT_EQ(s.commands[1].pos.line, 7u);
}

TEST(RacfScriptParse, CrLfLineEnds) {
    auto s = parse_ok("ADDGROUP G1\r\nADDUSER U1 -\r\n DFLTGRP(G1)\r\n");
    ASSERT_EQ(s.commands.size(), 2u);
    EXPECT_EQ(s.commands[1].operands.size(), 2u);
}

TEST(RacfScriptParse, ErrorsCarryFileLineColumn) {
    EXPECT_EQ(parse_error("ADDUSER U1\nRALTER C P APPLDATA('open\n"),
              "t.racf:2:21: unterminated quoted string (a string continues on the next line "
              "only after '-' or '+')");
    EXPECT_EQ(parse_error("PERMIT X CLASS(SERVAUTH ID(A)\n"),
              "t.racf:1:15: expected ')' to close this '('");
    EXPECT_EQ(parse_error("PERMIT X) CLASS(C)"), "t.racf:1:9: unbalanced ')'");
    EXPECT_EQ(parse_error("ADDUSER U1 /* never closed\n"),
              "t.racf:1:12: unterminated comment: expected '*/'");
    EXPECT_EQ(parse_error("ADDUSER U1 -\n"),
              "t.racf:1:12: expected a continuation line after '-' or '+' at end of file");
    EXPECT_EQ(parse_error("ADDUSER U1 +"),
              "t.racf:1:12: expected a continuation line after '-' or '+' at end of file");
    EXPECT_EQ(parse_error("(ADDUSER) U1"), "t.racf:1:1: expected a command name, found '('");
}

TEST(RacfScriptParse, NestingIsBounded) {
    std::string deep = "X " + std::string(40, '(') + std::string(40, ')');
    auto message = parse_error(deep);
    EXPECT_NE(message.find("nested deeper than 16"), std::string::npos) << message;
}

TEST(RacfScriptOperands, KeywordAbbreviations) {
    static constexpr RacfKeywordSpec specs[] = {{"PASSWORD", RacfArgs::required},
                                                {"PHRASE", RacfArgs::required},
                                                {"REVOKE", RacfArgs::none},
                                                {"RESUME", RacfArgs::none},
                                                {"ACCESS", RacfArgs::required, "AC"}};
    EXPECT_EQ(find_racf_keyword("pass", specs)->name, "PASSWORD");
    EXPECT_EQ(find_racf_keyword("PASSWORD", specs)->name, "PASSWORD");
    EXPECT_EQ(find_racf_keyword("REV", specs)->name, "REVOKE");
    EXPECT_EQ(find_racf_keyword("RE", specs), nullptr);  // ambiguous
    EXPECT_EQ(find_racf_keyword("P", specs), nullptr);   // ambiguous
    EXPECT_EQ(find_racf_keyword("XYZ", specs), nullptr);
    EXPECT_EQ(find_racf_keyword("ac", specs)->name, "ACCESS");
}

TEST(RacfScriptOperands, SplitReportsUnknownAmbiguousAndForm) {
    static constexpr RacfKeywordSpec specs[] = {
        {"REVOKE", RacfArgs::none}, {"RESUME", RacfArgs::none}, {"DFLTGRP", RacfArgs::required}};
    auto s = parse_ok(
        "ALU U1 RE\nALU U1 BOGUS\nALU U1 REVOKE(1)\nALU U1 DFLTGRP\nALU\nALU U1 DF(G) rev");
    auto split = [&](std::size_t i) {
        auto const& c = s.commands[i];
        return split_racf_operands(c, c.operands, 1, 1, specs);
    };
    EXPECT_EQ(split(0).error().message,
              "t.racf:1:8: ALU: ambiguous keyword abbreviation 'RE' (could be REVOKE, RESUME)");
    EXPECT_EQ(split(1).error().message,
              "t.racf:2:8: ALU: unknown keyword 'BOGUS'; expected one of: REVOKE RESUME DFLTGRP");
    EXPECT_EQ(split(2).error().message, "t.racf:3:8: ALU: REVOKE takes no value in parentheses");
    EXPECT_EQ(split(3).error().message,
              "t.racf:4:8: ALU: DFLTGRP needs a value in parentheses, e.g. DFLTGRP(...)");
    EXPECT_EQ(split(4).error().message,
              "t.racf:5:1: ALU: expected 1 positional operand(s) before the keywords, found 0");
    auto ok = split(5);
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->positional.size(), 1u);
    EXPECT_TRUE(ok->has("DFLTGRP"));
    EXPECT_TRUE(ok->has("REVOKE"));
}

TEST(RacfScriptDispatch, UnknownCommandIsNamed) {
    RacfDatabase db;
    std::vector<std::string> messages;
    auto s = parse_ok("ADDGROUP G1\n  LISTUSER U1\nADDGROUP G2\n");
    auto r = apply_racf_script(s, db, RacfCommandTable::standard(), messages);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message, "t.racf:2:3: unknown RACF command 'LISTUSER'");
    EXPECT_NE(db.group("G1"), nullptr);
    EXPECT_EQ(db.group("G2"), nullptr);  // the script stops at the failing command
}

TEST(RacfScriptDispatch, ExtraHandlerFromAnotherUnit) {
    // How the RACDCERT handler plugs in: its own lambda, capturing its own state.
    auto table = RacfCommandTable::standard();
    int seen = 0;
    table.add("RACDCERT", {}, [&seen](RacfCommand const& c, RacfCommandContext&) -> Result<void> {
        ++seen;
        EXPECT_EQ(c.operands[0].text, "ID");
        return {};
    });
    RacfDatabase db;
    std::vector<std::string> messages;
    auto s = parse_ok("racdcert ID(NSSD) ADDRING(NSSRING)\n");
    ASSERT_TRUE(apply_racf_script(s, db, table, messages).has_value());
    EXPECT_EQ(seen, 1);
    EXPECT_NE(table.find("rdef"), nullptr);
    EXPECT_NE(table.find("SETR"), nullptr);
    EXPECT_EQ(table.find("NOPE"), nullptr);
}

TEST(RacfScriptDispatch, RunScriptParsesAndApplies) {
    RacfDatabase db;
    std::vector<std::string> messages;
    auto table = RacfCommandTable::standard();
    ASSERT_TRUE(run_racf_script("AG G1\nAU U1 DFLTGRP(G1)\n", "r.racf", db, table, messages));
    EXPECT_NE(db.user("U1"), nullptr);
    auto bad = run_racf_script("AU U2\nAU U3 'x\n", "r.racf", db, table, messages);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().message,
              "r.racf:2:7: unterminated quoted string (a string continues on "
              "the next line only after '-' or '+')");
    EXPECT_EQ(db.user("U2"), nullptr);  // a syntax error anywhere applies nothing
}

}  // namespace
}  // namespace nsslab::zos
