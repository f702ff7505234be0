// The route of service answers (sim/iked service_route.hpp): each completion reaches the one
// requester that asked, once, and the route forgets it.
#include "nsslab/iked/service_route.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nsslab::iked {
namespace {

struct Done {
    std::uint64_t handle{0};
    std::string result;
};

TEST(ServiceRoute, EachCompletionGoesToItsRequesterOnce) {
    ServiceRoute<Done> route;
    std::vector<std::string> seen;
    route.add(1, [&](Done const& d, TimePoint) { seen.push_back("operator:" + d.result); });
    route.add(2, [&](Done const& d, TimePoint) { seen.push_back("ike sa:" + d.result); });
    EXPECT_EQ(route.pending(), 2u);
    route.complete(Done{2, "ok"}, TimePoint{});
    route.complete(Done{1, "not_authorized"}, TimePoint{});
    EXPECT_EQ(seen, (std::vector<std::string>{"ike sa:ok", "operator:not_authorized"}));
    EXPECT_EQ(route.pending(), 0u);
}

TEST(ServiceRouteDeathTest, ACompletionNobodyAskedForIsABrokenInvariant) {
    ServiceRoute<Done> route;
    route.add(1, nullptr);
    route.complete(Done{1, "ok"}, TimePoint{});  // a requester that wants no answer
    EXPECT_DEATH(route.complete(Done{1, "ok"}, TimePoint{}), "every completion answers");
}

}  // namespace
}  // namespace nsslab::iked
