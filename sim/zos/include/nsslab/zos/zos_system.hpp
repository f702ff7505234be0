// One z/OS system image as the daemons see it: its name, its RACF database, its key rings and
// its OpenSSL library context (seeded per system in the simulator). These outlive any daemon
// process: NSSD and IKED restart, the RACF database and the key rings stay (they live on DASD).
// RACF command scripts (ADDUSER, RDEFINE, PERMIT, SETROPTS, RACDCERT, ...) are applied with
// run_script(), at a given time (RACDCERT GENCERT validity, PassTicket state).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/zos/keyring.hpp"
#include "nsslab/zos/racdcert.hpp"
#include "nsslab/zos/racf.hpp"
#include "nsslab/zos/racf_script.hpp"

namespace nsslab::zos {

class ZosSystem {
  public:
    // `lib` is the system's OpenSSL context (LibContext::deterministic(seed, name) in the
    // simulator, LibContext::system() for real daemons).
    ZosSystem(std::string name, std::unique_ptr<crypto::LibContext> lib);
    // Same, with a context owned by someone else (it must outlive the system).
    ZosSystem(std::string name, crypto::LibContext& lib);
    ZosSystem(ZosSystem const&) = delete;
    ZosSystem& operator=(ZosSystem const&) = delete;

    std::string const& name() const { return name_; }
    RacfDatabase& racf() { return racf_; }
    KeyRingStore& key_rings() { return key_rings_; }
    crypto::LibContext& lib() { return *lib_; }
    // How RACDCERT ADD('path') reads its data set: paths resolved by the caller (e.g. relative
    // to a scenario folder). Without a reader, ADD fails with Errc::unsupported.
    void set_file_reader(std::function<Result<std::string>(std::string_view path)> reader) {
        racdcert_env_.read_file = std::move(reader);
    }

    // Applies a RACF command script (stops at the first failing command, which changes
    // nothing; docs/racf.md). Messages (LIST output, warnings) are appended to `messages`.
    Result<void> run_script(std::string_view text, std::string_view file_name, TimePoint now,
                            std::vector<std::string>* messages = nullptr);

  private:
    std::string name_;
    std::unique_ptr<crypto::LibContext> owned_lib_;
    crypto::LibContext* lib_;
    RacfDatabase racf_;
    KeyRingStore key_rings_;
    RacdcertEnvironment racdcert_env_;
    RacfCommandTable commands_;
};

}  // namespace nsslab::zos
