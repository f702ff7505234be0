#include "nsslab/iked/stack_management.hpp"

namespace nsslab::iked {

zos::ManagementCommand to_stack_command(wire_nss::MgmtCommand command) {
    switch (command) {
        case wire_nss::MgmtCommand::display_filters:
            return zos::ManagementCommand::display_filters;
        case wire_nss::MgmtCommand::display_ike_sas:
            return zos::ManagementCommand::display_ike_sas;
        case wire_nss::MgmtCommand::display_ipsec_sas:
            return zos::ManagementCommand::display_ipsec_sas;
        case wire_nss::MgmtCommand::activate_sa:
            return zos::ManagementCommand::activate_sa;
        case wire_nss::MgmtCommand::deactivate_sa:
            return zos::ManagementCommand::deactivate_sa;
        case wire_nss::MgmtCommand::refresh_sa:
            return zos::ManagementCommand::refresh_sa;
        case wire_nss::MgmtCommand::policy_default:
            return zos::ManagementCommand::policy_default;
        case wire_nss::MgmtCommand::policy_reload:
            return zos::ManagementCommand::policy_reload;
    }
    return zos::ManagementCommand::display_filters;
}

wire_nss::MgmtReply StackManagement::execute(wire_nss::MgmtRequest const& request, TimePoint now) {
    zos::ManagementResult result =
        stack_.execute(to_stack_command(request.command), request.target, now);
    wire_nss::MgmtReply reply;
    reply.lines = std::move(result.lines);
    reply.reason = std::move(result.reason);
    if (result.ok) {
        reply.result = wire_nss::ResultCode::ok;
    } else {
        switch (result.code) {
            case Errc::not_found:
            case Errc::invalid_argument:
            case Errc::unsupported:
            case Errc::state_error:
                reply.result = wire_nss::ResultCode::bad_request;
                break;
            default:
                reply.result = wire_nss::ResultCode::internal_error;
                break;
        }
    }
    return reply;
}

}  // namespace nsslab::iked
