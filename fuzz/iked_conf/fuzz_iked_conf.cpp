// libFuzzer target: iked.conf parser (sim/zos iked_conf.hpp). Any input must give a config or
// diagnostics with in-range locations, never a crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nsslab/zos/iked_conf.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view text(reinterpret_cast<char const*>(data), size);
    nsslab::zos::IkedConfParseOptions options;
    options.system_name = "SYSTEMA";
    options.limits.max_file_bytes = 64 * 1024;
    std::vector<nsslab::zos::Diagnostic> diagnostics;
    auto result = nsslab::zos::parse_iked_conf(text, options, &diagnostics);
    NSSLAB_ASSERT(result.has_value() == diagnostics.empty(), "result and diagnostics disagree");
    for (auto const& d : diagnostics)
        NSSLAB_ASSERT(d.where.line >= 1 && d.where.column >= 1, "diagnostic location out of range");
    if (result) {
        for (auto const& [key, stack] : result->nss_stacks) {
            NSSLAB_ASSERT(!stack.client_name.empty(), "stack without a client name");
            NSSLAB_ASSERT(!stack.user_id.empty(), "stack without a user ID");
            NSSLAB_ASSERT(result->ike.has_nss_server(), "NssStackConfig accepted without a server");
        }
    }
    return 0;
}
