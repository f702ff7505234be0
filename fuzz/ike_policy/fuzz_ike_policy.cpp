// libFuzzer target: Policy Agent IKE policy parser (sim/zos ike_policy.hpp). A parsed policy must
// be consistent: every rule names a defined KeyExchangeAction, every action and IpDynVpnAction
// has at least one offer, and the filter-policy parser accepts or refuses the same text without
// crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nsslab/zos/ike_policy.hpp"

using namespace nsslab;
using namespace nsslab::zos;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view text(reinterpret_cast<char const*>(data), size);
    IkePolicyParseOptions options;
    options.limits.max_file_bytes = 64 * 1024;
    std::vector<Diagnostic> diagnostics;
    auto result = parse_ike_policy(text, options, &diagnostics);
    NSSLAB_ASSERT(result.has_value() == diagnostics.empty(), "result and diagnostics disagree");
    FilterPolicyParseOptions filter_options;
    filter_options.limits.max_file_bytes = 64 * 1024;
    (void)parse_filter_policy(text, filter_options);
    if (!result)
        return 0;
    NSSLAB_ASSERT(!result->rules.empty(), "a policy without rules parsed");
    for (auto const& r : result->rules)
        NSSLAB_ASSERT(result->find_action(r.action_name) != nullptr, "rule names no action");
    for (auto const& a : result->actions)
        NSSLAB_ASSERT(!a.offers.empty(), "KeyExchangeAction without offers parsed");
    for (auto const& v : result->vpn_actions)
        NSSLAB_ASSERT(!v.offers.empty(), "IpDynVpnAction without offers parsed");
    return 0;
}
