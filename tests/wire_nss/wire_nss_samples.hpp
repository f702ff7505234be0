// Sample NSS protocol messages with non-trivial field values, one or more per message type:
// shared by the codec tests and the fuzz seed-corpus check (fuzz/nss_frame/corpus).
#pragma once

#include <string>
#include <vector>

#include "nsslab/wire_nss/messages.hpp"

namespace nsslab::wire_nss::test {

inline RegisterRequest sample_register_request() {
    return RegisterRequest{api_version, "SYSTEMA_STACK1",       "SYSTEMA",  "STACK1",
                           "IKEDUSR",   AuthMethod::passticket, "K3WV9ZQ2", Services{true, true}};
}

inline Bytes sample_der(std::uint8_t seed, std::size_t size) {
    Bytes der{0x30, 0x82, static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size)};
    for (std::size_t i = 0; i < size; ++i)
        der.push_back(static_cast<std::uint8_t>(seed + i * 7));
    return der;
}

// Each entry: a file stem for the seed corpus and the message.
struct NamedSample {
    char const* name;
    Message message;
};

inline std::vector<NamedSample> named_samples() {
    return {
        {"register_request", {1, sample_register_request()}},
        {"register_reply",
         {1, RegisterReply{ResultCode::ok, "", api_version, "NSSSYS", Services{true, false}, "",
                           "EZB.NSS.NSSSYS.SYSTEMA_STACK1.IPSEC.NETMGMT: not authorized",
                           0x0000000100000068ull}}},
        {"register_reply_denied",
         {2, RegisterReply{ResultCode::version_mismatch, "EZD1904E client API 3, server API 4", 4,
                           "NSSSYS", Services{}, "", "", 0}}},
        {"sign_request",
         {0x10, SignRequest{"IKED-SYSTEMA", SignatureScheme::rsa_pss_sha256,
                            Bytes{0x49, 0x4b, 0x45, 0x00, 0xff, 0x10, 0x20}}}},
        {"sign_reply", {0x10, SignReply{ResultCode::ok, "", sample_der(3, 64)}}},
        {"sign_reply_unknown_label",
         {0x11, SignReply{ResultCode::unknown_label, "no certificate 'NOPE' on ring NSSRING", {}}}},
        {"verify_request",
         {0x12, VerifyRequest{SignatureScheme::ecdsa_sha384,
                              Bytes(48, 0x5a),
                              sample_der(9, 70),
                              {sample_der(1, 300), sample_der(2, 280)}}}},
        {"verify_reply",
         {0x12, VerifyReply{ResultCode::ok, "", "CN=SYSTEMB,OU=IKE,O=Example,C=US"}}},
        {"cert_request", {0x14, CertificateRequest{"IKED-SYSTEMA", true, std::nullopt}}},
        {"cert_request_identity",
         {0x16, CertificateRequest{"", true,
                                   CertificateIdentity{IdentityType::x500dn,
                                                       "CN=SYSTEMA_STACK1,O=IBM,C=US"}}}},
        {"cert_reply",
         {0x14, CertificateReply{ResultCode::ok,
                                 "",
                                 {CertificateEntry{"IKED-SYSTEMA", false, sample_der(4, 200)},
                                  CertificateEntry{"Example CA", true, sample_der(5, 180)}}}}},
        {"mgmt_request", {0x80000001, MgmtRequest{MgmtCommand::deactivate_sa, "Y12", "NSSADMIN"}}},
        {"mgmt_reply",
         {0x80000001,
          MgmtReply{ResultCode::ok,
                    "",
                    {"CS V2R4 ipsec Stack Name: STACK1 Thu Nov 26 23:00:00 2026",
                     "Primary:  Dynamic tunnel  Function: Display         Format:  Detail", "",
                     "TunnelID:                Y12"}}}},
        {"mgmt_reply_denied",
         {0x80000002,
          MgmtReply{ResultCode::client_not_connected, "client SYSTEMC_STACK1 not connected", {}}}},
        {"keepalive", {0, Keepalive{}}},
        {"keepalive_ack", {0, KeepaliveAck{}}},
        {"close", {0, Close{"MODIFY NSSD,REFRESH removed the client"}}},
        {"error",
         {0x33,
          ErrorReply{ResultCode::not_registered, "sign_request before register_request", false}}},
    };
}

inline std::vector<Message> sample_messages() {
    std::vector<Message> out;
    for (auto& s : named_samples())
        out.push_back(std::move(s.message));
    return out;
}

}  // namespace nsslab::wire_nss::test
