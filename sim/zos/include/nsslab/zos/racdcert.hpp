// RACDCERT: the RACF command that manages digital certificates and key rings (z/OS Security
// Server RACF Command Language Reference, "RACDCERT"), applied to a KeyRingStore. Runs inside
// RACF command scripts (racf_script.hpp) through add_racdcert_command.
//
// Accepted functions (docs/keyrings.md gives the full grammar and every emulation choice):
//   GENCERT  ID(u)|CERTAUTH|SITE SUBJECTSDN(CN('..') T('..') OU('..') O('..') L('..') SP('..')
//            C('..')) ALTNAME(IP(..) DOMAIN('..') EMAIL('..')) SIZE(n)
//            RSA|NISTECC|ED25519 (ED25519: emulation keyword) KEYUSAGE(HANDSHAKE DATAENCRYPT
//            DOCSIGN CERTSIGN) SIGNWITH(CERTAUTH|SITE|ID(u) LABEL('..'))
//            NOTBEFORE(DATE(yyyy-mm-dd) TIME(hh:mm:ss)) NOTAFTER(...) WITHLABEL('..')
//   ADD('path') ID(u)|CERTAUTH|SITE WITHLABEL('..') TRUST|NOTRUST|HIGHTRUST  (PEM file)
//   ADDRING(ring) ID(u)            DELRING(ring) ID(u)
//   CONNECT(ID(u)|CERTAUTH|SITE LABEL('..') RING(r) USAGE(PERSONAL|CERTAUTH|SITE) DEFAULT) ID(u)
//   REMOVE(ID(u)|CERTAUTH|SITE LABEL('..') RING(r)) ID(u)
//   LIST(LABEL('..')) ID(u)|CERTAUTH|SITE     LIST ID(u)|CERTAUTH|SITE
//   LISTRING(ring|*) ID(u)
//   DELETE(LABEL('..')) ID(u)|CERTAUTH|SITE
//   ALTER(LABEL('..')) ID(u)|CERTAUTH|SITE TRUST|NOTRUST|HIGHTRUST
//
// GENCERT needs the current time (NOTBEFORE defaults to it) and randomness (key generation,
// signatures): both come from RacdcertEnvironment. Nothing here prints key material.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/zos/keyring.hpp"
#include "nsslab/zos/racf_script.hpp"

namespace nsslab::crypto {
class LibContext;
}

namespace nsslab::zos {

class RacfDatabase;

struct RacdcertEnvironment {
    TimePoint now{};                   // the system's clock when the command runs (GMT)
    crypto::LibContext* lib{nullptr};  // the system's library context (nullptr = default)
    // User ID running the command: owner when ID(..) is omitted (RACF's rule).
    std::string issuer{"IBMUSER"};
    // RACF rejects ID(u) for a user it does not know; set false to allow any user ID.
    bool require_defined_users{true};
    // Reads the data set / file of ADD('path'). When empty, ADD fails with Errc::unsupported.
    std::function<Result<std::string>(std::string_view path)> read_file;
};

// Applies one RACDCERT command. All-or-nothing: on error nothing in `store` changed.
// LIST/LISTRING append their display lines to `messages`.
Result<void> apply_racdcert(RacfCommand const& command, RacfDatabase const& racf,
                            KeyRingStore& store, RacdcertEnvironment const& env,
                            std::vector<std::string>& messages);

// Registers RACDCERT in `table`. The handler keeps references to `store` and `env`: both must
// outlive the table; update env.now before applying a script.
void add_racdcert_command(RacfCommandTable& table, KeyRingStore& store, RacdcertEnvironment& env);

}  // namespace nsslab::zos
