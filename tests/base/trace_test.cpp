#include "nsslab/base/trace.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace nsslab {
namespace {

TEST(Trace, JsonLineShape) {
    TimePoint origin = time_from_unix_seconds(1767225600);
    TraceRecord r{
        origin + std::chrono::milliseconds(1500), "SYSTEMA",
        Event("nss.connect").with("server", "9.1.1.1:4159").with("attempt", 2).with("tls", true)};
    EXPECT_EQ(
        JsonlTraceWriter::format(r, origin),
        "{\"t\":\"1.500000000\",\"t_ns\":1500000000,\"node\":\"SYSTEMA\",\"event\":\"nss.connect\","
        "\"details\":{\"server\":\"9.1.1.1:4159\",\"attempt\":2,\"tls\":true}}\n");
}

TEST(Trace, EscapesControlCharacters) {
    std::string out;
    append_json_string(out, "a\"b\\c\n\x01");
    EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST(Trace, WriterHashDependsOnContent) {
    std::ostringstream s1, s2;
    JsonlTraceWriter w1(&s1, TimePoint{}), w2(&s2, TimePoint{}), w3(nullptr, TimePoint{});
    TraceRecord r{TimePoint{std::chrono::seconds(1)}, "N", Event("x").with("k", 1)};
    w1.record(r);
    w2.record(r);
    w3.record(TraceRecord{r.time, "N", Event("x").with("k", 2)});
    EXPECT_EQ(w1.hash(), w2.hash());
    EXPECT_NE(w1.hash(), w3.hash());
    EXPECT_EQ(s1.str(), s2.str());
    EXPECT_EQ(w1.lines(), 1u);
}

TEST(Trace, MemoryTraceIsBounded) {
    MemoryTrace t(2);
    for (int i = 0; i < 3; ++i)
        t.record(TraceRecord{TimePoint{}, "N", Event("e")});
    EXPECT_EQ(t.records().size(), 2u);
    EXPECT_TRUE(t.overflowed());
    EXPECT_EQ(t.count("e"), 2u);
}

TEST(Trace, EventText) {
    Event e = Event("x").with("s", "v").with("n", std::uint64_t{5}).with("b", false);
    EXPECT_EQ(e.text("s"), "v");
    EXPECT_EQ(e.text("n"), "5");
    EXPECT_EQ(e.text("b"), "false");
    EXPECT_EQ(e.text("missing"), "");
}

}  // namespace
}  // namespace nsslab
