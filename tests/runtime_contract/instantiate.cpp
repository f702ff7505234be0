// Instantiates the runtime contract suite once per registered driver
// (tests/support/runtime_driver.hpp): test names read RuntimeContract.<Test>/<driver>.
#include "contract.hpp"

namespace nsslab::test {

INSTANTIATE_TEST_SUITE_P(Driver, RuntimeContract, ::testing::ValuesIn(runtime_drivers()),
                         [](::testing::TestParamInfo<RuntimeDriverEntry> const& entry) {
                             return entry.param.name;
                         });

}  // namespace nsslab::test
