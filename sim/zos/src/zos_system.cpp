#include "nsslab/zos/zos_system.hpp"

namespace nsslab::zos {

ZosSystem::ZosSystem(std::string name, std::unique_ptr<crypto::LibContext> lib)
    : name_(std::move(name)),
      owned_lib_(std::move(lib)),
      lib_(owned_lib_.get()),
      commands_(RacfCommandTable::standard()) {
    NSSLAB_ASSERT(lib_ != nullptr, "a z/OS system needs a library context");
    racdcert_env_.lib = lib_;
    add_racdcert_command(commands_, key_rings_, racdcert_env_);
}

ZosSystem::ZosSystem(std::string name, crypto::LibContext& lib)
    : name_(std::move(name)), lib_(&lib), commands_(RacfCommandTable::standard()) {
    racdcert_env_.lib = lib_;
    add_racdcert_command(commands_, key_rings_, racdcert_env_);
}

Result<void> ZosSystem::run_script(std::string_view text, std::string_view file_name, TimePoint now,
                                   std::vector<std::string>* messages) {
    racdcert_env_.now = now;
    std::vector<std::string> local;
    return run_racf_script(text, file_name, racf_, commands_,
                           messages != nullptr ? *messages : local);
}

}  // namespace nsslab::zos
