// libFuzzer target: nssd.conf parser (sim/zos nssd_conf.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nsslab/zos/nssd_conf.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view text(reinterpret_cast<char const*>(data), size);
    nsslab::zos::NssdConfParseOptions options;
    options.limits.max_file_bytes = 64 * 1024;
    std::vector<nsslab::zos::Diagnostic> diagnostics;
    auto result = nsslab::zos::parse_nssd_conf(text, options, &diagnostics);
    NSSLAB_ASSERT(result.has_value() == diagnostics.empty(), "result and diagnostics disagree");
    if (result)
        NSSLAB_ASSERT(result->nss.port >= 1, "port 0 accepted");
    return 0;
}
