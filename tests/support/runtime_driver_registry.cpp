#include <algorithm>

#include "support/runtime_driver.hpp"

namespace nsslab::test {

RuntimeDriver::~RuntimeDriver() = default;

namespace {
std::vector<RuntimeDriverEntry>& registry() {
    static std::vector<RuntimeDriverEntry> drivers;  // built during static initialisation
    return drivers;
}
}  // namespace

bool register_runtime_driver(std::string name, RuntimeDriverFactory make) {
    registry().push_back({std::move(name), std::move(make)});
    return true;
}

std::vector<RuntimeDriverEntry> runtime_drivers() {
    auto out = registry();
    std::sort(out.begin(), out.end(), [](auto const& a, auto const& b) { return a.name < b.name; });
    return out;
}

}  // namespace nsslab::test
