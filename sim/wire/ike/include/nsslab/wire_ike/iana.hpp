// IANA numbers of IKEv2 (https://www.iana.org/assignments/ikev2-parameters), as typed enums with
// name tables for traces. Only the values nsslab uses or is likely to meet are named; every enum
// keeps its wire width, so any other value received stays representable (static_cast) and
// prints as "unknown".
//
// Sources: RFC 7296 §3 (exchange, payload, transform, ID, certificate, notify, TS and
// configuration numbers), RFC 7383 (SKF, IKEV2_FRAGMENTATION_SUPPORTED), RFC 7427 (AUTH method
// 14, SIGNATURE_HASH_ALGORITHMS and the hash algorithm registry), RFC 4754 (AUTH methods 9-11),
// RFC 5282 (AES-GCM), RFC 4868 (HMAC-SHA2), RFC 5903 and RFC 8031 (ECP and Curve25519 groups).
#pragma once

#include <cstdint>
#include <string_view>

namespace nsslab::wire_ike {

// RFC 7296 §3.1, "Exchange Type".
enum class ExchangeType : std::uint8_t {
    ike_sa_init = 34,
    ike_auth = 35,
    create_child_sa = 36,
    informational = 37,
    ike_session_resume = 38,  // RFC 5723
    ike_intermediate = 43,    // RFC 9242
};
std::string_view to_string(ExchangeType type);  // "IKE_SA_INIT", ...

// RFC 7296 §3.2, "Next Payload" (IKEv2 payload types 33-53). `none` ends a chain.
enum class PayloadType : std::uint8_t {
    none = 0,
    sa = 33,              // Security Association
    ke = 34,              // Key Exchange
    idi = 35,             // Identification - Initiator
    idr = 36,             // Identification - Responder
    cert = 37,            // Certificate
    certreq = 38,         // Certificate Request
    auth = 39,            // Authentication
    nonce = 40,           // Nonce (Ni, Nr)
    notify = 41,          // Notify (N)
    delete_payload = 42,  // Delete (D); `delete` is a keyword
    vendor_id = 43,       // Vendor ID (V)
    tsi = 44,             // Traffic Selector - Initiator
    tsr = 45,             // Traffic Selector - Responder
    sk = 46,              // Encrypted and Authenticated
    cp = 47,              // Configuration
    eap = 48,             // Extensible Authentication
    skf = 53,             // Encrypted and Authenticated Fragment (RFC 7383)
};
// RFC 7296 §3.2 notation: "SA", "KE", "IDi", "IDr", "CERT", "CERTREQ", "AUTH", "Nonce", "N",
// "D", "V", "TSi", "TSr", "SK", "CP", "EAP", "SKF"; "none" for 0.
std::string_view to_string(PayloadType type);

// RFC 7296 §3.3.1, "Protocol ID" of proposals, notifications and deletes.
enum class ProtocolId : std::uint8_t {
    none = 0,  // notifications about no particular SA
    ike = 1,
    ah = 2,
    esp = 3,
    fc_esp_header = 4,         // RFC 4595
    fc_ct_authentication = 5,  // RFC 4595
};
std::string_view to_string(ProtocolId id);  // "IKE", "AH", "ESP", ...

// RFC 7296 §3.3.2, "Transform Type".
enum class TransformType : std::uint8_t {
    encr = 1,   // Encryption Algorithm
    prf = 2,    // Pseudorandom Function
    integ = 3,  // Integrity Algorithm
    dh = 4,     // Diffie-Hellman Group (Key Exchange Method)
    esn = 5,    // Extended Sequence Numbers
};
std::string_view to_string(TransformType type);  // "ENCR", "PRF", "INTEG", "D-H", "ESN"

// Transform IDs, one enum per transform type (RFC 7296 §3.3.2 and the registries it points to).
enum class EncrId : std::uint16_t {
    des_iv64 = 1,
    des = 2,
    triple_des = 3,  // ENCR_3DES
    null = 11,
    aes_cbc = 12,
    aes_ctr = 13,
    aes_ccm_8 = 14,
    aes_ccm_12 = 15,
    aes_ccm_16 = 16,
    aes_gcm_8 = 18,
    aes_gcm_12 = 19,
    aes_gcm_16 = 20,
    null_auth_aes_gmac = 21,
    chacha20_poly1305 = 28,  // RFC 7634
};
std::string_view to_string(EncrId id);  // "ENCR_AES_CBC", "ENCR_AES_GCM_16", ...

enum class PrfId : std::uint16_t {
    hmac_md5 = 1,
    hmac_sha1 = 2,
    aes128_xcbc = 4,
    hmac_sha2_256 = 5,
    hmac_sha2_384 = 6,
    hmac_sha2_512 = 7,
    aes128_cmac = 8,
};
std::string_view to_string(PrfId id);  // "PRF_HMAC_SHA2_256", ...

enum class IntegId : std::uint16_t {
    none = 0,
    hmac_md5_96 = 1,
    hmac_sha1_96 = 2,
    aes_xcbc_96 = 5,
    hmac_sha2_256_128 = 12,
    hmac_sha2_384_192 = 13,
    hmac_sha2_512_256 = 14,
};
std::string_view to_string(IntegId id);  // "AUTH_HMAC_SHA2_256_128", ...

// Diffie-Hellman groups (Transform Type 4 IDs; also the KE payload's group number).
enum class DhGroup : std::uint16_t {
    none = 0,
    modp_768 = 1,
    modp_1024 = 2,
    modp_1536 = 5,
    modp_2048 = 14,
    modp_3072 = 15,
    modp_4096 = 16,
    modp_6144 = 17,
    modp_8192 = 18,
    ecp_256 = 19,
    ecp_384 = 20,
    ecp_521 = 21,
    curve25519 = 31,
    curve448 = 32,
};
std::string_view to_string(DhGroup group);  // "MODP_2048", "ECP_256", "CURVE25519", ...

enum class EsnId : std::uint16_t {
    no_esn = 0,
    esn = 1,
};
std::string_view to_string(EsnId id);  // "NO_ESN", "ESN"

// The name of a transform ID of the given transform type ("ENCR_AES_CBC", "MODP_2048", ...).
std::string_view transform_id_name(TransformType type, std::uint16_t id);

// RFC 7296 §3.3.5, "Attribute Type" (without the AF bit). Key Length is the only one defined.
enum class TransformAttributeType : std::uint16_t {
    key_length = 14,
};
std::string_view to_string(TransformAttributeType type);  // "KEY_LENGTH"

// RFC 7296 §3.5, "ID Type".
enum class IdType : std::uint8_t {
    ipv4_addr = 1,
    fqdn = 2,
    rfc822_addr = 3,
    ipv6_addr = 5,
    der_asn1_dn = 9,
    der_asn1_gn = 10,
    key_id = 11,
    fc_name = 12,  // RFC 4595
    null_id = 13,  // RFC 7619 ID_NULL
};
std::string_view to_string(IdType type);  // "ID_IPV4_ADDR", "ID_FQDN", ...

// RFC 7296 §3.6, "Certificate Encoding" (CERT and CERTREQ).
enum class CertEncoding : std::uint8_t {
    pkcs7_wrapped_x509 = 1,
    pgp = 2,
    dns_signed_key = 3,
    x509_signature = 4,
    kerberos_token = 6,
    crl = 7,
    arl = 8,
    spki = 9,
    x509_attribute = 10,
    raw_rsa_key = 11,
    hash_and_url_x509 = 12,
    hash_and_url_bundle = 13,
    ocsp_content = 14,    // RFC 4806
    raw_public_key = 15,  // RFC 7670
};
std::string_view to_string(CertEncoding encoding);  // "X509_SIGNATURE", ...

// RFC 7296 §3.8, "Auth Method"; RFC 4754 (9-11), RFC 7427 (14).
enum class AuthMethod : std::uint8_t {
    rsa_digital_signature = 1,  // RSASSA-PKCS1-v1_5 with SHA-1
    shared_key_mic = 2,         // pre-shared key
    dss_digital_signature = 3,
    ecdsa_sha256_p256 = 9,
    ecdsa_sha384_p384 = 10,
    ecdsa_sha512_p521 = 11,
    generic_secure_password = 12,  // RFC 6467
    null_auth = 13,                // RFC 7619
    digital_signature = 14,        // RFC 7427
};
std::string_view to_string(AuthMethod method);  // "RSA_DIGITAL_SIGNATURE", ...

// RFC 7427 §4 / IANA "IKEv2 Hash Algorithms" (data of N(SIGNATURE_HASH_ALGORITHMS)).
enum class HashAlgorithm : std::uint16_t {
    sha1 = 1,
    sha2_256 = 2,
    sha2_384 = 3,
    sha2_512 = 4,
    identity = 5,  // RFC 8420
};
std::string_view to_string(HashAlgorithm algorithm);  // "SHA1", "SHA2_256", ...

// RFC 7296 §3.10.1, "Notify Message Type". Values below 16384 are errors, the rest status.
enum class NotifyType : std::uint16_t {
    // errors
    unsupported_critical_payload = 1,
    invalid_ike_spi = 4,
    invalid_major_version = 5,
    invalid_syntax = 7,
    invalid_message_id = 9,
    invalid_spi = 11,
    no_proposal_chosen = 14,
    invalid_ke_payload = 17,
    authentication_failed = 24,
    single_pair_required = 34,
    no_additional_sas = 35,
    internal_address_failure = 36,
    failed_cp_required = 37,
    ts_unacceptable = 38,
    invalid_selectors = 39,
    unacceptable_addresses = 40,   // RFC 4555
    unexpected_nat_detected = 41,  // RFC 4555
    temporary_failure = 43,
    child_sa_not_found = 44,
    // status
    initial_contact = 16384,
    set_window_size = 16385,
    additional_ts_possible = 16386,
    ipcomp_supported = 16387,
    nat_detection_source_ip = 16388,
    nat_detection_destination_ip = 16389,
    cookie = 16390,
    use_transport_mode = 16391,
    http_cert_lookup_supported = 16392,
    rekey_sa = 16393,
    esp_tfc_padding_not_supported = 16394,
    non_first_fragments_also = 16395,
    mobike_supported = 16396,  // RFC 4555
    additional_ip4_address = 16397,
    additional_ip6_address = 16398,
    no_additional_addresses = 16399,
    update_sa_addresses = 16400,
    cookie2 = 16401,
    no_nats_allowed = 16402,
    auth_lifetime = 16403,            // RFC 4478
    multiple_auth_supported = 16404,  // RFC 4739
    another_auth_follows = 16405,
    redirect_supported = 16406,  // RFC 5685
    redirect = 16407,
    redirected_from = 16408,
    eap_only_authentication = 16417,          // RFC 5998
    childless_ikev2_supported = 16418,        // RFC 6023
    ikev2_message_id_sync_supported = 16420,  // RFC 6311
    ikev2_message_id_sync = 16422,
    ikev2_fragmentation_supported = 16430,  // RFC 7383
    signature_hash_algorithms = 16431,      // RFC 7427
};
std::string_view to_string(NotifyType type);  // "COOKIE", "INVALID_KE_PAYLOAD", ...
inline constexpr std::uint16_t first_status_notify = 16384;
inline bool is_error(NotifyType type) {
    return static_cast<std::uint16_t>(type) < first_status_notify;
}

// RFC 7296 §3.13.1, "TS Type".
enum class TsType : std::uint8_t {
    ipv4_addr_range = 7,
    ipv6_addr_range = 8,
};
std::string_view to_string(TsType type);  // "TS_IPV4_ADDR_RANGE", "TS_IPV6_ADDR_RANGE"

// RFC 7296 §3.15, "CFG Type".
enum class CfgType : std::uint8_t {
    cfg_request = 1,
    cfg_reply = 2,
    cfg_set = 3,
    cfg_ack = 4,
};
std::string_view to_string(CfgType type);  // "CFG_REQUEST", ...

// RFC 7296 §3.15.1, "Attribute Type" of the CP payload (15 bits).
enum class CfgAttributeType : std::uint16_t {
    internal_ip4_address = 1,
    internal_ip4_netmask = 2,
    internal_ip4_dns = 3,
    internal_ip4_nbns = 4,
    internal_ip4_dhcp = 6,
    application_version = 7,
    internal_ip6_address = 8,
    internal_ip6_dns = 10,
    internal_ip6_dhcp = 12,
    internal_ip4_subnet = 13,
    supported_attributes = 14,
    internal_ip6_subnet = 15,
};
std::string_view to_string(CfgAttributeType type);  // "INTERNAL_IP4_ADDRESS", ...

}  // namespace nsslab::wire_ike
