// Remote management of a TCP/IP stack through NSS (facts §5): the adapter between the NSS
// client core's ManagedStack interface (wire_nss MgmtRequest / MgmtReply) and the z/OS stack
// model (zos::TcpipStack). IKED performs no SERVAUTH check here: NSSD checked
// EZB.NETMGMT.sys.client.IPSEC.DISPLAY|CONTROL before routing the request (seed document).
#pragma once

#include "nsslab/nss/nss_client.hpp"
#include "nsslab/zos/tcpip_stack.hpp"

namespace nsslab::iked {

class StackManagement final : public nss::ManagedStack {
  public:
    explicit StackManagement(zos::TcpipStack& stack) : stack_(stack) {}
    wire_nss::MgmtReply execute(wire_nss::MgmtRequest const& request, TimePoint now) override;
    // The stack model itself, for IKED's local ipsec commands (iked_daemon.hpp).
    zos::TcpipStack& stack() const { return stack_; }

  private:
    zos::TcpipStack& stack_;
};

// wire_nss and zos name the same eight operations; this maps one onto the other.
zos::ManagementCommand to_stack_command(wire_nss::MgmtCommand command);

}  // namespace nsslab::iked
