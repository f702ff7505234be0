// Building the NSSD and IKED daemons from a folder of IBM-syntax files (docs/daemons.md,
// docs/scenarios.md "Process types"; DESIGN.md §2 "one core, two drivers"). The scenario
// process types "nssd" and "iked" (harness/src/daemon_process_types.cpp) and the real daemons
// `nsslab nssd` / `nsslab iked` (harness/cli/nssd_command.cpp, iked_command.cpp) both call
// this unit, so a configuration folder means the same thing in the simulator and on loopback.
//
//   nssd  nssd.conf (any *.conf), RACF command scripts (*.racf, applied in order;
//         RACDCERT ADD('x') reads x from the folder)
//   iked  iked.conf (the first *.conf is IKED_FILE, installed as /etc/security/iked.conf; every
//         *.conf is also installed under its own name for MODIFY IKED,REFRESH,FILE=name),
//         RACF scripts (*.racf: PTKTDATA NSSD key, EZB.NETMGMT...IKED.DISPLAY), trust anchors
//         (*.pem: the CA certificates of IKED's key ring), a stack's default policy (*.tcpip)
//         and IPsec filter policy (*.policy): when both are given every NSS stack gets a
//         TCP/IP stack model (iked::StackModels) that remote management (ipsec -z) and the local
//         ipsec commands act on.
// Everything a daemon does with these is in sim/iked and sim/nssd; this unit only reads files.
// Operator commands given to the applications may start with "as USER " to run as another
// SAF user.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/harness/process_registry.hpp"
#include "nsslab/iked/iked_daemon.hpp"
#include "nsslab/iked/stack_management.hpp"
#include "nsslab/nss/nss_server.hpp"
#include "nsslab/nssd/nssd_daemon.hpp"
#include "nsslab/runtime/file_system.hpp"
#include "nsslab/runtime/runtime.hpp"
#include "nsslab/zos/filter_policy.hpp"
#include "nsslab/zos/tcpip_stack.hpp"
#include "nsslab/zos/zos_system.hpp"

namespace nsslab::harness {

// The inputs of one daemon.
struct DaemonInputs {
    std::filesystem::path folder;              // RACDCERT ADD('x') reads folder / x
    std::string system_name;                   // "SYSTEMA"
    std::string what;                          // names the daemon in errors: "nssd process NSSD"
    std::vector<std::filesystem::path> files;  // in order
    // The system's OpenSSL context (borrowed; must outlive the system). Null: the ZosSystem
    // owns a crypto::LibContext::system() context (the real daemons).
    crypto::LibContext* lib{nullptr};
    TimePoint now{};  // when the RACF scripts run (GENCERT validity starts here)
};

// The files of a configuration folder, in the order the daemon reads them: the regular files
// whose extension the daemon knows (nssd: .conf .racf; iked: .conf .racf .pem .tcpip .policy),
// sorted by name, except that `primary_conf` ("nssd.conf", "iked.conf") comes first.
// Errc::not_found when the folder or `primary_conf` is missing.
Result<std::vector<std::filesystem::path>> daemon_folder_files(
    std::filesystem::path const& folder, std::string_view primary_conf,
    std::vector<std::string> const& extensions);

// ---- NSSD ----------------------------------------------------------------------------------

struct NssdSetup {
    std::shared_ptr<zos::ZosSystem> system;  // RACF, key rings, OpenSSL context
    nss::NssServerOptions options;           // system_name and config set; tls label is not
};
Result<NssdSetup> load_nssd_setup(DaemonInputs const& in);

// NSSD plus its z/OS system, taking console commands from `user` (default SAF user).
class NssdApplication final : public runtime::ForwardingApplication, public Operable {
  public:
    NssdApplication(runtime::Runtime& rt, nss::NssServerOptions options,
                    std::shared_ptr<zos::ZosSystem> system, std::string user);
    OperatorResult operator_command(std::string_view command, TimePoint now) override;

    nssd::NssdDaemon& daemon() { return daemon_; }
    zos::ZosSystem& system() { return *system_; }

  private:
    std::shared_ptr<zos::ZosSystem> system_;
    nssd::NssdDaemon daemon_;
    std::string user_;
};

// ---- IKED ----------------------------------------------------------------------------------

// What of an IKED system outlives IKED restarts: the z/OS system (RACF, OpenSSL context) and
// its TCP/IP stack models (in options.models).
struct IkedWorld {
    std::shared_ptr<zos::ZosSystem> system;
};

struct IkedSetup {
    std::shared_ptr<IkedWorld> world;
    iked::IkedOptions options;  // system_name, trust anchors, racf, stack models set
};
// Parses the files and installs the .conf files in `files` (the node's file system) under
// /etc/security/.
Result<IkedSetup> load_iked_setup(DaemonInputs const& in, runtime::FileSystem& files);

// IKED plus its world (console commands as `user`; "racf ..." runs on the system's RACF).
class IkedApplication final : public runtime::ForwardingApplication, public Operable {
  public:
    IkedApplication(runtime::Runtime& rt, iked::IkedOptions options,
                    std::shared_ptr<IkedWorld> world, std::string user);
    OperatorResult operator_command(std::string_view command, TimePoint now) override;

    iked::IkedDaemon& daemon() { return daemon_; }

  private:
    std::shared_ptr<IkedWorld> world_;
    iked::IkedDaemon daemon_;
    std::string user_;
};

}  // namespace nsslab::harness
