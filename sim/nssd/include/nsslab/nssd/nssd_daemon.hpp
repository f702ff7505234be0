// The NSS server daemon (NSSD) as an Application: the sans-I/O NssServer core pumped into a
// runtime (sim/engine in the simulator, sim/asio for the real `nssd`) by the driver adapter
// (runtime::StreamDriver). It listens on the nssd.conf Port (IPv4 and IPv6 wildcard), and runs
// operator commands issued on the server's system:
//   nssctl -d [-c client]                 connected clients (EZB.NETMGMT.sys.sys.NSS.DISPLAY)
//   ipsec -x display                      NSS clients available for ipsec -z
//   ipsec -z <client> -f display|default|reload
//   ipsec -z <client> -y display | -k display
//   ipsec -z <client> -y activate|deactivate|refresh <said>
// Local commands return their output; a remote (ipsec -z) command returns `pending` and its
// output goes to the trace when the client's reply arrives: one "operator.output" event per
// line ({command, index, line}) and then "operator.result" ({command, ok, lines}).
//
// With worker threads (the real runtime's NodeOptions::worker_threads, `nsslab nssd
// --sign-threads`) the signatures are made on them while the loop's thread goes on with TLS and
// the protocol; the simulator has none and signs inline.
//
// The RACF database, key rings and OpenSSL context belong to the z/OS system, not the process:
// they survive an NSSD restart and are passed by reference.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "nsslab/nss/nss_server.hpp"
#include "nsslab/runtime/driver.hpp"
#include "nsslab/runtime/runtime.hpp"

namespace nsslab::nssd {

struct OperatorReply {
    bool ok{false};
    std::vector<std::string> lines;  // immediate output; remote commands answer later
    bool pending{false};             // an ipsec -z command now waits for the client's reply
};

class NssdDaemon final : public runtime::DrivenApplication {
  public:
    NssdDaemon(runtime::Runtime& rt, nss::NssServerOptions options, zos::RacfDatabase& racf,
               zos::KeyRingStore& key_rings, crypto::LibContext& lib);

    void on_start(TimePoint now) override;
    void on_stop(TimePoint now) override;

    // An operator command typed on the server's system by SAF user `requester`.
    OperatorReply operator_command(std::string_view requester, std::string_view command,
                                   TimePoint now);

    nss::NssServer& server() { return server_; }
    bool listening() const { return !listeners_.empty(); }

  private:
    void drain(TimePoint now);
    void management_result(nss::MgmtResult result);
    // A signature the server handed out: made on a worker thread (Runtime::offload) or, without
    // one, here and now.
    void sign(nss::SignJob job, TimePoint now);

    runtime::Runtime& rt_;
    nss::NssServer server_;
    runtime::StreamDriver<nss::NssServer> driver_;
    std::vector<runtime::SocketId> listeners_;
    std::map<nss::MgmtTicket, std::string> pending_commands_;  // ticket -> command text
};

}  // namespace nsslab::nssd
