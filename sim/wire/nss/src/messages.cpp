#include "nsslab/wire_nss/messages.hpp"

namespace nsslab::wire_nss {

std::string_view to_string(ResultCode code) {
    switch (code) {
        case ResultCode::ok:
            return "ok";
        case ResultCode::auth_failed:
            return "auth_failed";
        case ResultCode::not_authorized:
            return "not_authorized";
        case ResultCode::not_registered:
            return "not_registered";
        case ResultCode::service_not_granted:
            return "service_not_granted";
        case ResultCode::unknown_label:
            return "unknown_label";
        case ResultCode::bad_request:
            return "bad_request";
        case ResultCode::version_mismatch:
            return "version_mismatch";
        case ResultCode::crypto_error:
            return "crypto_error";
        case ResultCode::verify_failed:
            return "verify_failed";
        case ResultCode::client_not_connected:
            return "client_not_connected";
        case ResultCode::busy:
            return "busy";
        case ResultCode::internal_error:
            return "internal_error";
    }
    return "unknown";
}

std::string_view to_string(AuthMethod method) {
    switch (method) {
        case AuthMethod::password:
            return "Password";
        case AuthMethod::passticket:
            return "PassTicket";
    }
    return "unknown";
}

std::string_view to_string(SignatureScheme scheme) {
    switch (scheme) {
        case SignatureScheme::rsa_pkcs1_sha256:
            return "rsa_pkcs1_sha256";
        case SignatureScheme::rsa_pkcs1_sha384:
            return "rsa_pkcs1_sha384";
        case SignatureScheme::rsa_pkcs1_sha512:
            return "rsa_pkcs1_sha512";
        case SignatureScheme::rsa_pss_sha256:
            return "rsa_pss_sha256";
        case SignatureScheme::rsa_pss_sha384:
            return "rsa_pss_sha384";
        case SignatureScheme::rsa_pss_sha512:
            return "rsa_pss_sha512";
        case SignatureScheme::ecdsa_sha256:
            return "ecdsa_sha256";
        case SignatureScheme::ecdsa_sha384:
            return "ecdsa_sha384";
        case SignatureScheme::ecdsa_sha512:
            return "ecdsa_sha512";
        case SignatureScheme::ed25519:
            return "ed25519";
    }
    return "unknown";
}

std::string_view to_string(IdentityType type) {
    switch (type) {
        case IdentityType::ipv4_addr:
            return "ipv4_addr";
        case IdentityType::fqdn:
            return "fqdn";
        case IdentityType::user_fqdn:
            return "user_fqdn";
        case IdentityType::ipv6_addr:
            return "ipv6_addr";
        case IdentityType::x500dn:
            return "x500dn";
    }
    return "unknown";
}

std::string_view to_string(MgmtCommand command) {
    switch (command) {
        case MgmtCommand::display_filters:
            return "display_filters";
        case MgmtCommand::display_ike_sas:
            return "display_ike_sas";
        case MgmtCommand::display_ipsec_sas:
            return "display_ipsec_sas";
        case MgmtCommand::activate_sa:
            return "activate_sa";
        case MgmtCommand::deactivate_sa:
            return "deactivate_sa";
        case MgmtCommand::refresh_sa:
            return "refresh_sa";
        case MgmtCommand::policy_default:
            return "policy_default";
        case MgmtCommand::policy_reload:
            return "policy_reload";
    }
    return "unknown";
}

std::string_view message_name(Body const& body) {
    static constexpr std::string_view names[] = {
        "register_request", "register_reply", "sign_request", "sign_reply",   "verify_request",
        "verify_reply",     "cert_request",   "cert_reply",   "mgmt_request", "mgmt_reply",
        "keepalive",        "keepalive_ack",  "close",        "error",
    };
    static_assert(std::size(names) == std::variant_size_v<Body>);
    return names[body.index()];
}

}  // namespace nsslab::wire_nss
