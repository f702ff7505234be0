// libFuzzer target: Policy Agent IP filter policy and PROFILE.TCPIP IPSEC block parsers
// (sim/zos filter_policy.hpp). The first input byte picks the parser; a parsed policy is asked
// for decisions on a few packets, which must come from one of its rules or the implicit deny.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nsslab/zos/filter_policy.hpp"

using namespace nsslab;
using namespace nsslab::zos;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0)
        return 0;
    bool profile = (data[0] & 1) != 0;
    std::string_view text(reinterpret_cast<char const*>(data + 1), size - 1);
    FilterPolicyParseOptions options;
    options.limits.max_file_bytes = 64 * 1024;
    std::vector<Diagnostic> diagnostics;
    auto result = profile ? parse_default_filter_policy(text, options, &diagnostics)
                          : parse_filter_policy(text, options, &diagnostics);
    NSSLAB_ASSERT(result.has_value() == diagnostics.empty(), "result and diagnostics disagree");
    if (!result)
        return 0;
    PacketTuple packets[] = {
        {IpAddress::parse("9.1.1.1").value(), IpAddress::parse("9.2.2.2").value(), 6, 4159, 40000,
         PacketDirection::outbound, false},
        {IpAddress::parse("9.2.2.2").value(), IpAddress::parse("9.1.1.1").value(), 17, 500, 500,
         PacketDirection::inbound, false},
        {IpAddress::parse("fd00::1").value(), IpAddress::parse("fd00::2").value(), 58, 0, 0,
         PacketDirection::outbound, true},
    };
    for (auto const& p : packets) {
        auto d = result->decide(p);
        if (d.implicit_deny) {
            NSSLAB_ASSERT(d.rule_name == result->implicit_deny_rule_name, "implicit deny name");
            continue;
        }
        bool found = false;
        for (auto const& r : result->rules)
            if (r.name == d.rule_name && FilterPolicy::rule_matches(r, p))
                found = true;
        NSSLAB_ASSERT(found, "decision names no matching rule");
    }
    return 0;
}
