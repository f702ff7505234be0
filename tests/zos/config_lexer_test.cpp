// Shared lexer and statement-tree parser (sim/zos/include/nsslab/zos/config_lexer.hpp).
#include "nsslab/zos/config_lexer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace nsslab::zos {
namespace {

struct Lexed {
    std::vector<Token> tokens;
    std::vector<Diagnostic> diagnostics;
};

Lexed lex(std::string_view text, LexerOptions options = {}, ConfigLimits limits = {}) {
    DiagnosticSink sink;
    Lexed out;
    out.tokens = tokenize(text, options, limits, sink);
    out.diagnostics = sink.list();
    return out;
}

TEST(ConfigLexer, TokensCarryLineColumnAndFirstOnLine) {
    auto r = lex("IkeConfig\n{\n   NetworkSecurityServer 9.1.1.1 # primary\n}\n");
    ASSERT_TRUE(r.diagnostics.empty());
    ASSERT_EQ(r.tokens.size(), 5u);
    EXPECT_EQ(r.tokens[0].text, "IkeConfig");
    EXPECT_EQ(r.tokens[0].where, (SourceLocation{1, 1}));
    EXPECT_EQ(r.tokens[1].kind, TokenKind::open_brace);
    EXPECT_EQ(r.tokens[1].where, (SourceLocation{2, 1}));
    EXPECT_EQ(r.tokens[2].text, "NetworkSecurityServer");
    EXPECT_EQ(r.tokens[2].where, (SourceLocation{3, 4}));
    EXPECT_TRUE(r.tokens[2].first_on_line);
    EXPECT_EQ(r.tokens[3].text, "9.1.1.1");
    EXPECT_EQ(r.tokens[3].where, (SourceLocation{3, 26}));
    EXPECT_FALSE(r.tokens[3].first_on_line);
    EXPECT_EQ(r.tokens[4].kind, TokenKind::close_brace);
    EXPECT_EQ(r.tokens[4].where, (SourceLocation{4, 1}));
}

TEST(ConfigLexer, HashStartsCommentOnlyAtTokenStart) {
    auto r = lex("Password abc#1 #comment } {\nX");
    ASSERT_TRUE(r.diagnostics.empty());
    ASSERT_EQ(r.tokens.size(), 3u);
    EXPECT_EQ(r.tokens[1].text, "abc#1");
    EXPECT_EQ(r.tokens[2].text, "X");
    EXPECT_EQ(r.tokens[2].where.line, 2u);
}

TEST(ConfigLexer, BracesSplitWords) {
    auto r = lex("A{B}C");
    ASSERT_EQ(r.tokens.size(), 5u);
    EXPECT_EQ(r.tokens[1].kind, TokenKind::open_brace);
    EXPECT_EQ(r.tokens[3].kind, TokenKind::close_brace);
    EXPECT_EQ(r.tokens[4].where, (SourceLocation{1, 5}));
}

TEST(ConfigLexer, QuotedValuesKeepBlanksAndCase) {
    auto r = lex("SupportedCertAuth \"My Root CA\" x");
    ASSERT_TRUE(r.diagnostics.empty());
    ASSERT_EQ(r.tokens.size(), 3u);
    EXPECT_EQ(r.tokens[1].kind, TokenKind::quoted);
    EXPECT_EQ(r.tokens[1].text, "My Root CA");
    EXPECT_EQ(r.tokens[1].where, (SourceLocation{1, 19}));
    EXPECT_EQ(r.tokens[2].where, (SourceLocation{1, 32}));
}

TEST(ConfigLexer, UnterminatedQuoteIsAnError) {
    auto r = lex("A\n  B \"abc\nC\"");
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_EQ(r.diagnostics[0].where, (SourceLocation{2, 5}));
    EXPECT_EQ(
        r.diagnostics[0].format("f.conf"),
        "f.conf:2:5: error: unterminated quoted string (expected a closing '\"' on the same line)");
}

TEST(ConfigLexer, ControlCharacterIsAnError) {
    auto r = lex(std::string("A\nBB\x01", 5));
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_EQ(r.diagnostics[0].where, (SourceLocation{2, 3}));
    EXPECT_EQ(r.diagnostics[0].message, "unexpected control character 0x01");
}

TEST(ConfigLexer, ProfileModeUsesSemicolonAndNoBraces) {
    LexerOptions o;
    o.comment_char = ';';
    o.braces = false;
    o.quotes = false;
    auto r = lex("IPSECRULE * * ; comment # not\nA{B} #x", o);
    ASSERT_TRUE(r.diagnostics.empty());
    ASSERT_EQ(r.tokens.size(), 5u);
    EXPECT_EQ(r.tokens[3].text, "A{B}");
    EXPECT_EQ(r.tokens[4].text, "#x");
}

TEST(ConfigLexer, FileSizeBound) {
    ConfigLimits limits;
    limits.max_file_bytes = 10;
    DiagnosticSink sink;
    tokenize("0123456789A", {}, limits, sink);
    ASSERT_EQ(sink.size(), 1u);
    EXPECT_EQ(sink.list()[0].where, (SourceLocation{1, 1}));
    auto e = sink.to_error("big.conf");
    EXPECT_EQ(e.code, Errc::oversized);
    EXPECT_EQ(
        e.message,
        "big.conf:1:1: input is 11 bytes, more than the limit of 10 (expected at most 10 bytes)");
    // Exactly at the bound is fine.
    DiagnosticSink ok;
    tokenize("0123456789", {}, limits, ok);
    EXPECT_TRUE(ok.empty());
}

TEST(ConfigLexer, TokenLengthBound) {
    ConfigLimits limits;
    limits.max_token_bytes = 4;
    auto r = lex("abcd\n x abcde", {}, limits);
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_EQ(r.diagnostics[0].where, (SourceLocation{2, 4}));
    auto q = lex("\"abcde\"", {}, limits);
    ASSERT_EQ(q.diagnostics.size(), 1u);
}

TEST(ConfigLexer, TokenCountBound) {
    ConfigLimits limits;
    limits.max_tokens = 3;
    auto r = lex("a b c d", {}, limits);
    ASSERT_EQ(r.diagnostics.size(), 1u);
    EXPECT_EQ(r.diagnostics[0].where, (SourceLocation{1, 7}));
}

std::vector<ConfigStatement> tree(std::string_view text, std::vector<Diagnostic>& diags,
                                  ConfigLimits limits = {}) {
    DiagnosticSink sink;
    auto tokens = tokenize(text, {}, limits, sink);
    auto out = parse_statements(tokens, limits, sink);
    diags = sink.list();
    return out;
}

TEST(ConfigTree, StatementsParamsAndNestedBlocks) {
    std::vector<Diagnostic> d;
    auto st = tree(
        "IpFilterRule r1\n{\n IpSourceAddr All\n IpService\n {\n  Protocol TCP\n }\n}\n"
        "NssStackConfig S { UserId U }\n",
        d);
    ASSERT_TRUE(d.empty()) << d[0].message;
    ASSERT_EQ(st.size(), 2u);
    EXPECT_EQ(st[0].keyword.text, "IpFilterRule");
    ASSERT_EQ(st[0].args.size(), 1u);
    EXPECT_EQ(st[0].args[0].text, "r1");
    ASSERT_EQ(st[0].params.size(), 2u);
    EXPECT_EQ(st[0].params[0].values.size(), 1u);
    EXPECT_TRUE(st[0].params[1].has_block);
    ASSERT_EQ(st[0].params[1].block.size(), 1u);
    EXPECT_EQ(st[0].params[1].block[0].keyword.text, "Protocol");
    EXPECT_EQ(st[0].block_end, (SourceLocation{8, 1}));
    ASSERT_EQ(st[1].params.size(), 1u);
    EXPECT_EQ(st[1].params[0].values[0].text, "U");
}

TEST(ConfigTree, ParameterEndsAtEndOfLine) {
    std::vector<Diagnostic> d;
    auto st = tree("S {\n A 1 2\n B\n C 3 }", d);
    ASSERT_TRUE(d.empty());
    ASSERT_EQ(st[0].params.size(), 3u);
    EXPECT_EQ(st[0].params[0].values.size(), 2u);
    EXPECT_EQ(st[0].params[1].values.size(), 0u);
    EXPECT_EQ(st[0].params[2].values.size(), 1u);
}

struct TreeError {
    char const* text;
    SourceLocation where;
    char const* message;
};

class ConfigTreeErrors : public ::testing::TestWithParam<TreeError> {};

TEST_P(ConfigTreeErrors, ReportsLocation) {
    std::vector<Diagnostic> d;
    tree(GetParam().text, d);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].where, GetParam().where);
    EXPECT_EQ(d[0].format("x"), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    All, ConfigTreeErrors,
    ::testing::Values(
        TreeError{
            "IkeConfig\n",
            {1, 1},
            "x:1:1: error: statement 'IkeConfig' has no block (expected '{' after 'IkeConfig')"},
        TreeError{"IkeConfig\nFoo {}",
                  {2, 1},
                  "x:2:1: error: 'Foo' where the block of 'IkeConfig' should begin (expected '{' "
                  "after 'IkeConfig')"},
        TreeError{"IkeConfig {\n  A 1\n",
                  {1, 11},
                  "x:1:11: error: '{' of 'IkeConfig' is never closed (expected '}' before the end "
                  "of the input)"},
        TreeError{"}",
                  {1, 1},
                  "x:1:1: error: unexpected '}' outside any block (expected a statement name)"},
        TreeError{"{", {1, 1}, "x:1:1: error: unexpected '{' (expected a statement name)"},
        TreeError{"\"Ike\" {}",
                  {1, 1},
                  "x:1:1: error: a statement name may not be quoted (expected a statement name)"},
        TreeError{"S {\n \"A\" 1 }",
                  {2, 2},
                  "x:2:2: error: a parameter name may not be quoted (expected a parameter name)"},
        TreeError{
            "S {\n {", {2, 2}, "x:2:2: error: unexpected '{' (expected a parameter name or '}')"}));

TEST(ConfigTree, NestingBound) {
    ConfigLimits limits;
    limits.max_nesting = 2;
    std::vector<Diagnostic> d;
    tree("S { A { B { C 1 } } }", d, limits);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].where, (SourceLocation{1, 11}));
    d.clear();
    tree("S { A { B 1 } }", d, limits);
    EXPECT_TRUE(d.empty());
}

TEST(ConfigTree, StatementParamAndValueBounds) {
    ConfigLimits limits;
    limits.max_statements = 2;
    limits.max_params_per_block = 2;
    limits.max_values_per_param = 2;
    std::vector<Diagnostic> d;
    tree("A {}\nB {}\nC {}", d, limits);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].where, (SourceLocation{3, 1}));
    d.clear();
    tree("A {\n x\n y\n z\n}", d, limits);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].where, (SourceLocation{4, 2}));
    d.clear();
    tree("A {\n x 1 2 3\n}", d, limits);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].where, (SourceLocation{2, 8}));
}

TEST(ConfigTree, DeepNestingOfBracesDoesNotCrash) {
    std::string text = "S ";
    for (int i = 0; i < 100000; ++i)
        text += "A {";
    std::vector<Diagnostic> d;
    tree(text, d);
    ASSERT_EQ(d.size(), 1u);
}

TEST(ConfigKeywords, CaseInsensitive) {
    EXPECT_TRUE(iequals("NssStackConfig", "NSSSTACKCONFIG"));
    EXPECT_TRUE(iequals("passticket", "PassTicket"));
    EXPECT_FALSE(iequals("Cert", "Certs"));
    EXPECT_FALSE(iequals("a", "b"));
}

TEST(ConfigDiagnostics, ErrorMessageCountsTheRest) {
    DiagnosticSink sink;
    sink.error({3, 4}, "first", "x");
    sink.error({5, 6}, "second");
    sink.error({7, 8}, "third");
    auto e = sink.to_error("f");
    EXPECT_EQ(e.code, Errc::parse_error);
    EXPECT_EQ(e.message, "f:3:4: first (expected x) [and 2 more errors]");
}

TEST(ConfigDiagnostics, LimitKeepsCountingErrors) {
    DiagnosticSink sink(1);
    sink.error({1, 1}, "a");
    sink.error({2, 1}, "b");
    EXPECT_EQ(sink.size(), 2u);
    EXPECT_EQ(sink.list().size(), 1u);
    EXPECT_EQ(sink.to_error("f").message, "f:1:1: a [and 1 more error]");
    DiagnosticSink none(0);
    none.error({1, 1}, "a");
    EXPECT_FALSE(none.empty());
    EXPECT_EQ(none.to_error("f").message, "f: 1 errors (none kept: diagnostics limit is 0)");
}

}  // namespace
}  // namespace nsslab::zos
