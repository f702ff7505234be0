// Contract: one deadline per application; it fires once, at or after its time; replacing it
// moves it; std::nullopt cancels it.
#include "contract.hpp"

namespace nsslab::test {
namespace {

TEST_P(RuntimeContract, DeadlineFiresOnceAtOrAfterItsTime) {
    Probe a;
    auto& rt = attach(0, "A", a);
    TimePoint when = rt.now() + std::chrono::milliseconds{20};
    a.call([&](auto& r) { r.set_deadline(when); });
    ASSERT_TRUE(run_until([&] { return !a.deadline_times.empty(); }));
    driver().advance(100ms);
    ASSERT_EQ(a.deadline_times.size(), 1u);
    EXPECT_GE(a.deadline_times[0], when);
}

TEST_P(RuntimeContract, ReplacingTheDeadlineMovesItLater) {
    Probe a;
    auto& rt = attach(0, "A", a);
    TimePoint first = rt.now() + std::chrono::milliseconds{10};
    TimePoint second = rt.now() + std::chrono::milliseconds{150};
    a.call([&](auto& r) { r.set_deadline(first); });
    a.call([&](auto& r) { r.set_deadline(second); });
    ASSERT_TRUE(run_until([&] { return !a.deadline_times.empty(); }));
    driver().advance(50ms);
    ASSERT_EQ(a.deadline_times.size(), 1u);
    EXPECT_GE(a.deadline_times[0], second);
}

TEST_P(RuntimeContract, ReplacingTheDeadlineMovesItEarlier) {
    Probe a;
    auto& rt = attach(0, "A", a);
    TimePoint later = rt.now() + std::chrono::hours{1};
    TimePoint soon = rt.now() + std::chrono::milliseconds{20};
    a.call([&](auto& r) { r.set_deadline(later); });
    a.call([&](auto& r) { r.set_deadline(soon); });
    ASSERT_TRUE(run_until([&] { return !a.deadline_times.empty(); }, std::chrono::seconds{10}));
    EXPECT_GE(a.deadline_times[0], soon);
    EXPECT_LT(a.deadline_times[0], later);
}

TEST_P(RuntimeContract, NulloptCancelsTheDeadline) {
    Probe a;
    auto& rt = attach(0, "A", a);
    a.call([&](auto& r) { r.set_deadline(rt.now() + std::chrono::milliseconds{10}); });
    a.call([&](auto& r) { r.set_deadline(std::nullopt); });
    driver().advance(150ms);
    EXPECT_TRUE(a.deadline_times.empty());
}

TEST_P(RuntimeContract, DeadlineSetFromItsCallbackFiresAgain) {
    Probe a;
    auto& rt = attach(0, "A", a);
    a.on_deadline_hook = [&](TimePoint now) {
        if (a.deadline_times.size() < 3)
            a.call([&](auto& r) { r.set_deadline(now + std::chrono::milliseconds{5}); });
    };
    a.call([&](auto& r) { r.set_deadline(rt.now()); });
    ASSERT_TRUE(run_until([&] { return a.deadline_times.size() == 3; }));
    driver().advance(50ms);
    EXPECT_EQ(a.deadline_times.size(), 3u);
    EXPECT_LE(a.deadline_times[0], a.deadline_times[1]);
    EXPECT_LE(a.deadline_times[1], a.deadline_times[2]);
    EXPECT_EQ(a.reentered, 0);
}

}  // namespace
}  // namespace nsslab::test
