// The TCP/IP stack models of a system (nsslab/iked/stack_models.hpp).
#include "nsslab/iked/stack_models.hpp"

namespace nsslab::iked {

StackModels::StackModels(std::string system_name, std::optional<zos::FilterPolicy> default_policy,
                         std::optional<zos::FilterPolicy> ipsec_policy)
    : system_name_(std::move(system_name)),
      default_policy_(std::move(default_policy)),
      ipsec_policy_(std::move(ipsec_policy)) {}

StackManagement* StackModels::model(std::string const& stack_name, runtime::FileSystem& files,
                                    TimePoint now) {
    if (!default_policy_ || !ipsec_policy_)
        return nullptr;
    auto& stack = stacks_[stack_name];
    if (!stack) {
        zos::TcpipStackConfig config;
        config.system_name = system_name_;
        config.stack_name = stack_name;
        stack = std::make_unique<zos::TcpipStack>(config, *default_policy_, files);
        stack->set_ipsec_policy(*ipsec_policy_, now);
        management_[stack_name] = std::make_unique<StackManagement>(*stack);
    }
    return management_[stack_name].get();
}

std::vector<std::string> StackModels::names() const {
    std::vector<std::string> out;
    for (auto const& [name, stack] : stacks_)
        out.push_back(name);
    return out;
}

zos::TcpipStack* StackModels::find(std::string const& stack_name) const {
    auto it = stacks_.find(stack_name);
    return it == stacks_.end() ? nullptr : it->second.get();
}

}  // namespace nsslab::iked
