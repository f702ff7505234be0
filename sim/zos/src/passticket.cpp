// RACF PassTicket generation and evaluation (see passticket.hpp).
#include "nsslab/zos/passticket.hpp"

namespace nsslab::zos {

std::string_view to_string(PassTicketType type) {
    switch (type) {
        case PassTicketType::legacy:
            return "legacy";
        case PassTicketType::enhanced_upper:
            return "enhanced_upper";
        case PassTicketType::enhanced_mixed:
            return "enhanced_mixed";
    }
    return "unknown";
}

Result<std::string> generate_passticket(std::string_view, std::string_view, ByteView,
                                        PassTicketType, std::int64_t) {
    return fail(Errc::unsupported, "generate_passticket: not implemented yet");
}

PassTicketValidator::PassTicketValidator(std::int64_t window_seconds,
                                         std::size_t replay_entries_max)
    : window_seconds_(window_seconds), replay_entries_max_(replay_entries_max) {}

void PassTicketValidator::expire(std::int64_t) {}

Result<PassTicketMatch> PassTicketValidator::validate(std::string_view, std::string_view,
                                                      std::string_view,
                                                      std::span<const PtktdataKey>, std::int64_t) {
    return fail(Errc::unsupported, "PassTicketValidator::validate: not implemented yet");
}

}  // namespace nsslab::zos
