// Fuzzes the RACF command script tokenizer and the command handlers: any input must either parse
// and apply (possibly stopping at an error) or fail with a message, never crash or leak; after
// applying, authorization checks and logons on what was defined must not crash either.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "nsslab/zos/racf.hpp"
#include "nsslab/zos/racf_script.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view text(reinterpret_cast<char const*>(data), size);
    auto script = nsslab::zos::parse_racf_script(text, "fuzz.racf");
    if (!script) {
        NSSLAB_ASSERT(!script.error().message.empty(), "parse error without a message");
        return 0;
    }
    nsslab::zos::RacfDatabase db;
    std::vector<std::string> messages;
    auto applied = nsslab::zos::apply_racf_script(
        *script, db, nsslab::zos::RacfCommandTable::standard(), messages);
    (void)applied;
    // Exercise checks against every defined profile name and user.
    for (auto const* profile : db.profiles()) {
        for (auto const* user : db.users()) {
            auto d = db.check(user->name, profile->class_name, profile->name,
                              nsslab::zos::RacfAccess::read);
            NSSLAB_ASSERT(d.allowed == (d.saf_rc == 0), "allowed must match SAF rc 0");
            (void)nsslab::zos::format_servauth_check_log(d);
            (void)db.authenticate(user->name, "NSSD", "ABCDEFGH", 1767225600);
        }
        (void)nsslab::zos::racf_generic_match(profile->name, "EZB.NSS.SYS1.CLIENT1.IPSEC.CERT");
    }
    return 0;
}
