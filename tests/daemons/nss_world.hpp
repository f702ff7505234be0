// A small simulated NSS world for daemon tests: SYSTEMA runs IKED with stack STACK1 defined as an
// NSS client; SYSTEMB (9.1.1.1) and SYSTEMC (9.1.1.2) each run an NSSD, primary and backup,
// with the same RACF set-up and a key ring whose certificates a shared CA signed.
#pragma once

#include <memory>
#include <string>

#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/key.hpp"
#include "nsslab/engine/host.hpp"
#include "nsslab/engine/network.hpp"
#include "nsslab/engine/simulation.hpp"
#include "nsslab/iked/iked_daemon.hpp"
#include "nsslab/nssd/nssd_daemon.hpp"
#include "nsslab/zos/nssd_conf.hpp"
#include "nsslab/zos/zos_system.hpp"

namespace nsslab::daemons_test {

inline std::string server_racf(std::string const& sys, std::string const& ip) {
    return "ADDUSER NSSD\n"
           "ADDUSER A1S1 PASSWORD(SECRET1)\n"
           "ADDUSER OPER1 PASSWORD(OPERPW)\n"
           "SETROPTS CLASSACT(SERVAUTH PTKTDATA)\n"
           "RDEFINE SERVAUTH EZB.NSS." +
           sys +
           ".SYSTEMA_STACK1.IPSEC.CERT UACC(NONE)\n"
           "PERMIT EZB.NSS." +
           sys +
           ".SYSTEMA_STACK1.IPSEC.CERT CLASS(SERVAUTH) ID(A1S1) ACCESS(READ)\n"
           "RDEFINE SERVAUTH EZB.NSS." +
           sys +
           ".SYSTEMA_STACK1.IPSEC.NETMGMT UACC(NONE)\n"
           "PERMIT EZB.NSS." +
           sys +
           ".SYSTEMA_STACK1.IPSEC.NETMGMT CLASS(SERVAUTH) ID(A1S1) ACCESS(READ)\n"
           "RDEFINE SERVAUTH EZB.NSSCERT." +
           sys +
           ".A1S1_CERT.HOST UACC(NONE)\n"
           "PERMIT EZB.NSSCERT." +
           sys +
           ".A1S1_CERT.HOST CLASS(SERVAUTH) ID(A1S1) ACCESS(READ)\n"
           "RDEFINE SERVAUTH EZB.NETMGMT." +
           sys + "." + sys +
           ".NSS.DISPLAY UACC(NONE)\n"
           "PERMIT EZB.NETMGMT." +
           sys + "." + sys +
           ".NSS.DISPLAY CLASS(SERVAUTH) ID(OPER1) ACCESS(READ)\n"
           "RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E001193519561977)) UACC(NONE)\n"
           "RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('NSSD " +
           sys +
           "') O('IBM') C('US')) -\n"
           "  ALTNAME(IP(" +
           ip +
           ")) NISTECC SIZE(256) SIGNWITH(CERTAUTH LABEL('NSS CA')) -\n"
           "  WITHLABEL('NSSD Server')\n"
           "RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('SYSTEMA_STACK1')) NISTECC SIZE(256) -\n"
           "  SIGNWITH(CERTAUTH LABEL('NSS CA')) WITHLABEL('A1S1_CERT')\n"
           "RACDCERT ADDRING(NSSRING) ID(NSSD)\n"
           "RACDCERT CONNECT(ID(NSSD) LABEL('NSSD Server') RING(NSSRING) USAGE(PERSONAL) DEFAULT) "
           "ID(NSSD)\n"
           "RACDCERT CONNECT(ID(NSSD) LABEL('A1S1_CERT') RING(NSSRING) USAGE(PERSONAL)) ID(NSSD)\n"
           "RACDCERT CONNECT(CERTAUTH LABEL('NSS CA') RING(NSSRING) USAGE(CERTAUTH)) ID(NSSD)\n";
}

inline constexpr char const* iked_conf =
    "IkeConfig {\n"
    "  NetworkSecurityServer 9.1.1.1 Port 4159\n"
    "  NetworkSecurityServerBackup 9.1.1.2 Port 4159\n"
    "  NssWaitLimit 10\n"
    "  NssWaitRetries 3\n"
    "}\n"
    "NssStackConfig STACK1 {\n"
    "  ClientName SYSTEMA_STACK1\n"
    "  UserId A1S1\n"
    "  AuthBy PassTicket\n"
    "  ServiceType Cert\n"
    "  ServiceType RemoteMgmt\n"
    "}\n";

struct NssWorld {
    engine::Simulation sim;
    MemoryTrace trace;
    engine::Host* a{nullptr};
    engine::Host* b{nullptr};
    engine::Host* c{nullptr};
    std::unique_ptr<zos::ZosSystem> sys_a, sys_b, sys_c;
    std::string ca_pem;

    explicit NssWorld(std::uint64_t seed) : sim(seed) {
        sim.set_trace(&trace);
        a = &sim.network().add_host("SYSTEMA", {*IpAddress::parse("10.1.1.1")});
        b = &sim.network().add_host("SYSTEMB", {*IpAddress::parse("9.1.1.1")});
        c = &sim.network().add_host("SYSTEMC", {*IpAddress::parse("9.1.1.2")});
        sys_a = std::make_unique<zos::ZosSystem>(
            "SYSTEMA", std::move(*crypto::LibContext::deterministic(seed, "SYSTEMA")));
        sys_b = std::make_unique<zos::ZosSystem>(
            "SYSTEMB", std::move(*crypto::LibContext::deterministic(seed, "SYSTEMB")));
        sys_c = std::make_unique<zos::ZosSystem>(
            "SYSTEMC", std::move(*crypto::LibContext::deterministic(seed, "SYSTEMC")));
        // The CA that signed both servers' certificates, on both servers' RACF as CERTAUTH.
        auto ca_key = *crypto::PrivateKey::generate(&sys_b->lib(), crypto::KeyType::ec_p256);
        crypto::CertificateSpec spec;
        spec.subject = *crypto::DistinguishedName::parse("CN=NSS CA,O=IBM,C=US");
        spec.not_before = sim.start_time() - std::chrono::hours(24);
        spec.not_after = sim.start_time() + std::chrono::hours(24 * 3650);
        spec.is_ca = true;
        auto ca = *crypto::Certificate::create_self_signed(spec, ca_key);
        ca_pem = ca.to_pem();
        for (auto* sys : {sys_b.get(), sys_c.get()}) {
            auto ok =
                sys->key_rings().add_certificate(zos::CertOwner::certauth(), "NSS CA", ca, ca_key);
            NSSLAB_ASSERT(ok.has_value(), "CA import");
        }
        apply(*sys_b, server_racf("SYSTEMB", "9.1.1.1"));
        apply(*sys_c, server_racf("SYSTEMC", "9.1.1.2"));
        apply(*sys_a,
              "SETROPTS CLASSACT(PTKTDATA SERVAUTH)\n"
              "RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E001193519561977)) UACC(NONE)\n"
              "ADDUSER OPER1\n"
              "RDEFINE SERVAUTH EZB.NETMGMT.SYSTEMA.SYSTEMA.IKED.DISPLAY UACC(NONE)\n"
              "PERMIT EZB.NETMGMT.SYSTEMA.SYSTEMA.IKED.DISPLAY CLASS(SERVAUTH) ID(OPER1) "
              "ACCESS(READ)\n");
        NSSLAB_ASSERT(a->files().write("/etc/security/iked.conf", iked_conf).has_value(),
                      "iked.conf");
    }

    void apply(zos::ZosSystem& sys, std::string const& script) {
        std::vector<std::string> messages;
        auto ok = sys.run_script(script, sys.name() + ".racf", sim.now(), &messages);
        if (!ok) {
            std::string what = ok.error().what();
            NSSLAB_ASSERT(false, what.c_str());
        }
    }

    nssd::NssdDaemon& start_nssd(engine::Host& host, zos::ZosSystem& sys) {
        nss::NssServerOptions options;
        options.system_name = sys.name();
        auto conf = zos::parse_nssd_conf(
            "NssConfig\n{\n  Port 4159\n  KeyRing NSSD/NSSRING\n  SyslogLevel 10\n}\n");
        if (!conf) {
            std::string what = conf.error().what();
            NSSLAB_ASSERT(false, what.c_str());
        }
        options.config = *conf;
        host.spawn("NSSD", [&sys, options](runtime::Runtime& rt) {
            return std::make_unique<nssd::NssdDaemon>(rt, options, sys.racf(), sys.key_rings(),
                                                      sys.lib());
        });
        return *static_cast<nssd::NssdDaemon*>(host.application("NSSD"));
    }

    iked::IkedDaemon& start_iked() {
        iked::IkedOptions options;
        options.system_name = "SYSTEMA";
        options.tls.trust_anchors_pem = ca_pem;
        options.racf = &sys_a->racf();
        zos::ZosSystem* sys = sys_a.get();
        a->spawn("IKED", [sys, options](runtime::Runtime& rt) {
            return std::make_unique<iked::IkedDaemon>(rt, options, sys->lib());
        });
        return *static_cast<iked::IkedDaemon*>(a->application("IKED"));
    }

    std::vector<TraceRecord const*> events(std::string_view name) const {
        std::vector<TraceRecord const*> out;
        for (auto const& r : trace.records())
            if (r.event.name == name)
                out.push_back(&r);
        return out;
    }
};

}  // namespace nsslab::daemons_test
