// Config folders for e2e runs where IKED's stacks are NSS clients of one real `nsslab nssd` on
// loopback: NSSD's folder (its key ring holds the server certificate and one certificate per
// client stack, all from the failover-to-backup scenario's CA) and the NSS part of an IKED
// folder (iked.conf with NetworkSecurityServer and the stacks' NssStackConfig, the PassTicket
// key, the CA certificate). Built after what daemons_failover_test.cpp does with the scenario's
// files, with names and addresses as parameters.
//
// Meant for the NSS-signed AUTH run over loopback (two stacks whose KeyExchangeRules say
// HowToAuthMe ECDSA-256, each AUTH signed by NSSD with the stack's certificate): see the note in
// iked_loopback_test.cpp. Today iked_loopback_test.cpp uses them to check that two IKEDs
// connect to one NSSD and sign with their own certificates.
#pragma once

#include <string>
#include <vector>

#include "daemons.hpp"

namespace nsslab::e2e {

// One NSS client stack and its certificate on NSSD's key ring.
struct NssClientCert {
    std::string stack;    // the TCP/IP stack (NssStackConfig name), e.g. STACK1
    std::string client;   // ClientName, e.g. SYSTEMA_STACK1
    std::string user;     // its SAF user (NssStackConfig UserId), e.g. A1S1
    std::string label;    // the certificate's label on NSSD's key ring, e.g. A1S1_CERT
    std::string address;  // the certificate's ALTNAME(IP(...)): the stack's IKE address
};

inline fs::path nss_templates() {
    return fs::path(NSSLAB_SOURCE_DIR) / "scenarios/nss/failover-to-backup";
}

// NSSD's folder: nssd.conf listening on `port`, nss-ca.pem (the CA with its key) and a RACF
// script: the users, each client's EZB.NSS.<system>.<client>.IPSEC.CERT and
// EZB.NSSCERT.<system>.<label>.HOST, READ to EZB.NSSCERT.<system>.NSS_CA.CERTAUTH (the server
// checks the IKE peers' certificates against that CA for them), the PassTicket key of
// application NSSD, the key ring
// NSSD/NSSRING with the CA, the server certificate for `server_address` (IKED checks the
// server's identity against the address it connected to) and one ECDSA P-256 certificate per
// client, subject CN=<client>, ALTNAME(IP(<address>)).
inline void write_nssd_folder(fs::path const& folder, std::string const& system, std::uint16_t port,
                              std::string const& server_address,
                              std::vector<NssClientCert> const& clients) {
    fs::create_directories(folder);
    write_file(folder / "nssd.conf",
               replace_all(read_file(nss_templates() / "nssd.conf"), "Port        4159",
                           "Port        " + std::to_string(port)));
    fs::copy_file(nss_templates() / "nss-ca.pem", folder / "nss-ca.pem",
                  fs::copy_options::overwrite_existing);
    std::string r = "/* RACF of NSS server " + system + " (tests/e2e/nss_folders.hpp). */\n";
    r += "ADDUSER NSSD\nADDUSER OPER1\nSETROPTS CLASSACT(SERVAUTH PTKTDATA)\n";
    for (auto const& c : clients) {
        std::string const cert = "EZB.NSS." + system + "." + c.client + ".IPSEC.CERT";
        std::string const host = "EZB.NSSCERT." + system + "." + c.label + ".HOST";
        r += "ADDUSER " + c.user + "\n";
        r += "RDEFINE SERVAUTH " + cert + " UACC(NONE)\n";
        r += "PERMIT " + cert + " CLASS(SERVAUTH) ID(" + c.user + ") ACCESS(READ)\n";
        r += "RDEFINE SERVAUTH " + host + " UACC(NONE)\n";
        r += "PERMIT " + host + " CLASS(SERVAUTH) ID(" + c.user + ") ACCESS(READ)\n";
    }
    std::string const ca = "EZB.NSSCERT." + system + ".NSS_CA.CERTAUTH";
    r += "RDEFINE SERVAUTH " + ca + " UACC(NONE)\n";
    for (auto const& c : clients)
        r += "PERMIT " + ca + " CLASS(SERVAUTH) ID(" + c.user + ") ACCESS(READ)\n";
    r += "RDEFINE SERVAUTH EZB.NETMGMT." + system + "." + system + ".NSS.DISPLAY UACC(NONE)\n";
    r += "PERMIT EZB.NETMGMT." + system + "." + system +
         ".NSS.DISPLAY CLASS(SERVAUTH) ID(OPER1) ACCESS(READ)\n";
    r += "RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E001193519561977)) UACC(NONE)\n";
    r += "RACDCERT CERTAUTH ADD('nss-ca.pem') WITHLABEL('NSS CA') TRUST\n";
    r += "RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('NSSD " + system +
         "') O('IBM') C('US')) -\n  ALTNAME(IP(" + server_address +
         ")) NISTECC SIZE(256) SIGNWITH(CERTAUTH LABEL('NSS CA')) -\n"
         "  WITHLABEL('NSSD Server')\n";
    for (auto const& c : clients)
        r += "RACDCERT ID(NSSD) GENCERT SUBJECTSDN(CN('" + c.client +
             "') O('IBM') C('US')) -\n  ALTNAME(IP(" + c.address +
             ")) NISTECC SIZE(256) SIGNWITH(CERTAUTH LABEL('NSS CA')) -\n  WITHLABEL('" + c.label +
             "')\n";
    r += "RACDCERT ADDRING(NSSRING) ID(NSSD)\n";
    r += "RACDCERT CONNECT(ID(NSSD) LABEL('NSSD Server') RING(NSSRING) USAGE(PERSONAL) DEFAULT) "
         "ID(NSSD)\n";
    for (auto const& c : clients)
        r += "RACDCERT CONNECT(ID(NSSD) LABEL('" + c.label +
             "') RING(NSSRING) USAGE(PERSONAL)) ID(NSSD)\n";
    r += "RACDCERT CONNECT(CERTAUTH LABEL('NSS CA') RING(NSSRING) USAGE(CERTAUTH)) ID(NSSD)\n";
    write_file(folder / ("nssd-" + system + ".racf"), r);
}

// Makes an IKED folder's stack an NSS client of the NSSD at `server`:`port`: iked.conf (the
// IkeConfig of `ike_config_lines` plus NetworkSecurityServer, and the stack's NssStackConfig
// with AuthBy PassTicket, ServiceType Cert and RemoteMgmt), the PassTicket key of application
// NSSD (iked-nss.racf, beside the folder's other RACF scripts) and the CA certificate.
inline void add_nss_client(fs::path const& folder, NssClientCert const& c,
                           std::string const& server, std::uint16_t port,
                           std::string const& ike_config_lines =
                               "  IkeInitWait 2\n"
                               "  IkeRetries  6\n") {
    fs::create_directories(folder);
    write_file(folder / "iked.conf",
               "# IKED: stack " + c.stack +
                   " is an NSS client (tests/e2e/nss_folders.hpp).\n"
                   "IkeConfig\n{\n" +
                   ike_config_lines + "  NetworkSecurityServer " + server + " Port " +
                   std::to_string(port) +
                   "\n  NssWaitLimit 10\n  NssWaitRetries 3\n}\n"
                   "NssStackConfig " +
                   c.stack + "\n{\n  ClientName  " + c.client + "\n  UserId      " + c.user +
                   "\n  AuthBy      PassTicket\n  ServiceType Cert\n  ServiceType RemoteMgmt\n}\n");
    write_file(folder / "iked-nss.racf",
               "/* IKED's PassTicket key for application NSSD (tests/e2e/nss_folders.hpp). */\n"
               "SETROPTS CLASSACT(PTKTDATA)\n"
               "RDEFINE PTKTDATA NSSD SSIGNON(KEYMASKED(E001193519561977)) UACC(NONE)\n");
    fs::copy_file(nss_templates() / "nss-ca-cert.pem", folder / "nss-ca-cert.pem",
                  fs::copy_options::overwrite_existing);
}

}  // namespace nsslab::e2e
