// The TCP/IP stack models of one z/OS system (zos::TcpipStack: the IP filter policy in force,
// the marker file, the SA table; docs/tcpip-stack.md), built from the system's default policy
// (PROFILE.TCPIP IPSEC block) and IPsec filter policy (Policy Agent), one per stack IKED serves
// as an NSS client. They belong to the system, not to the IKED process: they survive an IKED
// restart and a crash, as a stack's policy does, so IKED is given them (IkedOptions::models).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/time.hpp"
#include "nsslab/iked/stack_management.hpp"
#include "nsslab/runtime/file_system.hpp"
#include "nsslab/zos/filter_policy.hpp"
#include "nsslab/zos/tcpip_stack.hpp"

namespace nsslab::iked {

class StackModels {
  public:
    // Without both policies no model is built (stacks then have no filter model: remote
    // management is answered internal_error and local ipsec commands name the missing model).
    StackModels(std::string system_name, std::optional<zos::FilterPolicy> default_policy,
                std::optional<zos::FilterPolicy> ipsec_policy);

    // The model of `stack_name` (upper case), built on first use with its marker file in
    // `files` and the IPsec policy loaded at `now`; null without both policies.
    StackManagement* model(std::string const& stack_name, runtime::FileSystem& files,
                           TimePoint now);
    // The model if it was built, else null.
    zos::TcpipStack* find(std::string const& stack_name) const;
    std::vector<std::string> names() const;  // of the models built, in order
    std::size_t size() const { return stacks_.size(); }
    std::optional<zos::FilterPolicy> const& ipsec_policy() const { return ipsec_policy_; }

  private:
    std::string system_name_;
    std::optional<zos::FilterPolicy> default_policy_;
    std::optional<zos::FilterPolicy> ipsec_policy_;
    std::map<std::string, std::unique_ptr<zos::TcpipStack>> stacks_;
    std::map<std::string, std::unique_ptr<StackManagement>> management_;
};

}  // namespace nsslab::iked
