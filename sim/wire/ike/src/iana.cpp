// Name tables of the IANA IKEv2 numbers (iana.hpp). Names follow the IANA registries' spelling,
// upper case with underscores, as strongSwan and Wireshark print them.
#include "nsslab/wire_ike/iana.hpp"

#include <span>

namespace nsslab::wire_ike {
namespace {

struct Name {
    std::uint16_t value;
    std::string_view name;
};

std::string_view lookup(std::span<Name const> table, std::uint16_t value) {
    for (auto const& entry : table) {
        if (entry.value == value)
            return entry.name;
    }
    return "unknown";
}

template <class E>
std::string_view lookup(std::span<Name const> table, E value) {
    return lookup(table, static_cast<std::uint16_t>(value));
}

constexpr Name exchange_types[] = {
    {34, "IKE_SA_INIT"},   {35, "IKE_AUTH"},           {36, "CREATE_CHILD_SA"},
    {37, "INFORMATIONAL"}, {38, "IKE_SESSION_RESUME"}, {43, "IKE_INTERMEDIATE"},
};

constexpr Name payload_types[] = {
    {0, "none"},     {33, "SA"},   {34, "KE"},    {35, "IDi"}, {36, "IDr"}, {37, "CERT"},
    {38, "CERTREQ"}, {39, "AUTH"}, {40, "Nonce"}, {41, "N"},   {42, "D"},   {43, "V"},
    {44, "TSi"},     {45, "TSr"},  {46, "SK"},    {47, "CP"},  {48, "EAP"}, {53, "SKF"},
};

constexpr Name protocol_ids[] = {
    {0, "NONE"}, {1, "IKE"},           {2, "AH"},
    {3, "ESP"},  {4, "FC_ESP_HEADER"}, {5, "FC_CT_AUTHENTICATION"},
};

constexpr Name transform_types[] = {
    {1, "ENCR"}, {2, "PRF"}, {3, "INTEG"}, {4, "D-H"}, {5, "ESN"},
};

constexpr Name encr_ids[] = {
    {1, "ENCR_DES_IV64"},
    {2, "ENCR_DES"},
    {3, "ENCR_3DES"},
    {11, "ENCR_NULL"},
    {12, "ENCR_AES_CBC"},
    {13, "ENCR_AES_CTR"},
    {14, "ENCR_AES_CCM_8"},
    {15, "ENCR_AES_CCM_12"},
    {16, "ENCR_AES_CCM_16"},
    {18, "ENCR_AES_GCM_8"},
    {19, "ENCR_AES_GCM_12"},
    {20, "ENCR_AES_GCM_16"},
    {21, "ENCR_NULL_AUTH_AES_GMAC"},
    {28, "ENCR_CHACHA20_POLY1305"},
};

constexpr Name prf_ids[] = {
    {1, "PRF_HMAC_MD5"},      {2, "PRF_HMAC_SHA1"},     {4, "PRF_AES128_XCBC"},
    {5, "PRF_HMAC_SHA2_256"}, {6, "PRF_HMAC_SHA2_384"}, {7, "PRF_HMAC_SHA2_512"},
    {8, "PRF_AES128_CMAC"},
};

constexpr Name integ_ids[] = {
    {0, "NONE"},
    {1, "AUTH_HMAC_MD5_96"},
    {2, "AUTH_HMAC_SHA1_96"},
    {5, "AUTH_AES_XCBC_96"},
    {12, "AUTH_HMAC_SHA2_256_128"},
    {13, "AUTH_HMAC_SHA2_384_192"},
    {14, "AUTH_HMAC_SHA2_512_256"},
};

constexpr Name dh_groups[] = {
    {0, "NONE"},       {1, "MODP_768"},   {2, "MODP_1024"},   {5, "MODP_1536"},  {14, "MODP_2048"},
    {15, "MODP_3072"}, {16, "MODP_4096"}, {17, "MODP_6144"},  {18, "MODP_8192"}, {19, "ECP_256"},
    {20, "ECP_384"},   {21, "ECP_521"},   {31, "CURVE25519"}, {32, "CURVE448"},
};

constexpr Name esn_ids[] = {{0, "NO_ESN"}, {1, "ESN"}};

constexpr Name transform_attribute_types[] = {{14, "KEY_LENGTH"}};

constexpr Name id_types[] = {
    {1, "ID_IPV4_ADDR"}, {2, "ID_FQDN"},        {3, "ID_RFC822_ADDR"},
    {5, "ID_IPV6_ADDR"}, {9, "ID_DER_ASN1_DN"}, {10, "ID_DER_ASN1_GN"},
    {11, "ID_KEY_ID"},   {12, "ID_FC_NAME"},    {13, "ID_NULL"},
};

constexpr Name cert_encodings[] = {
    {1, "PKCS7_WRAPPED_X509"},
    {2, "PGP"},
    {3, "DNS_SIGNED_KEY"},
    {4, "X509_SIGNATURE"},
    {6, "KERBEROS_TOKEN"},
    {7, "CRL"},
    {8, "ARL"},
    {9, "SPKI"},
    {10, "X509_ATTRIBUTE"},
    {11, "RAW_RSA_KEY"},
    {12, "HASH_AND_URL_X509"},
    {13, "HASH_AND_URL_BUNDLE"},
    {14, "OCSP_CONTENT"},
    {15, "RAW_PUBLIC_KEY"},
};

constexpr Name auth_methods[] = {
    {1, "RSA_DIGITAL_SIGNATURE"},    {2, "SHARED_KEY_MIC"},     {3, "DSS_DIGITAL_SIGNATURE"},
    {9, "ECDSA_SHA256_P256"},        {10, "ECDSA_SHA384_P384"}, {11, "ECDSA_SHA512_P521"},
    {12, "GENERIC_SECURE_PASSWORD"}, {13, "NULL_AUTH"},         {14, "DIGITAL_SIGNATURE"},
};

constexpr Name hash_algorithms[] = {
    {1, "SHA1"}, {2, "SHA2_256"}, {3, "SHA2_384"}, {4, "SHA2_512"}, {5, "IDENTITY"},
};

constexpr Name notify_types[] = {
    {1, "UNSUPPORTED_CRITICAL_PAYLOAD"},
    {4, "INVALID_IKE_SPI"},
    {5, "INVALID_MAJOR_VERSION"},
    {7, "INVALID_SYNTAX"},
    {9, "INVALID_MESSAGE_ID"},
    {11, "INVALID_SPI"},
    {14, "NO_PROPOSAL_CHOSEN"},
    {17, "INVALID_KE_PAYLOAD"},
    {24, "AUTHENTICATION_FAILED"},
    {34, "SINGLE_PAIR_REQUIRED"},
    {35, "NO_ADDITIONAL_SAS"},
    {36, "INTERNAL_ADDRESS_FAILURE"},
    {37, "FAILED_CP_REQUIRED"},
    {38, "TS_UNACCEPTABLE"},
    {39, "INVALID_SELECTORS"},
    {40, "UNACCEPTABLE_ADDRESSES"},
    {41, "UNEXPECTED_NAT_DETECTED"},
    {43, "TEMPORARY_FAILURE"},
    {44, "CHILD_SA_NOT_FOUND"},
    {16384, "INITIAL_CONTACT"},
    {16385, "SET_WINDOW_SIZE"},
    {16386, "ADDITIONAL_TS_POSSIBLE"},
    {16387, "IPCOMP_SUPPORTED"},
    {16388, "NAT_DETECTION_SOURCE_IP"},
    {16389, "NAT_DETECTION_DESTINATION_IP"},
    {16390, "COOKIE"},
    {16391, "USE_TRANSPORT_MODE"},
    {16392, "HTTP_CERT_LOOKUP_SUPPORTED"},
    {16393, "REKEY_SA"},
    {16394, "ESP_TFC_PADDING_NOT_SUPPORTED"},
    {16395, "NON_FIRST_FRAGMENTS_ALSO"},
    {16396, "MOBIKE_SUPPORTED"},
    {16397, "ADDITIONAL_IP4_ADDRESS"},
    {16398, "ADDITIONAL_IP6_ADDRESS"},
    {16399, "NO_ADDITIONAL_ADDRESSES"},
    {16400, "UPDATE_SA_ADDRESSES"},
    {16401, "COOKIE2"},
    {16402, "NO_NATS_ALLOWED"},
    {16403, "AUTH_LIFETIME"},
    {16404, "MULTIPLE_AUTH_SUPPORTED"},
    {16405, "ANOTHER_AUTH_FOLLOWS"},
    {16406, "REDIRECT_SUPPORTED"},
    {16407, "REDIRECT"},
    {16408, "REDIRECTED_FROM"},
    {16417, "EAP_ONLY_AUTHENTICATION"},
    {16418, "CHILDLESS_IKEV2_SUPPORTED"},
    {16420, "IKEV2_MESSAGE_ID_SYNC_SUPPORTED"},
    {16422, "IKEV2_MESSAGE_ID_SYNC"},
    {16430, "IKEV2_FRAGMENTATION_SUPPORTED"},
    {16431, "SIGNATURE_HASH_ALGORITHMS"},
};

constexpr Name ts_types[] = {{7, "TS_IPV4_ADDR_RANGE"}, {8, "TS_IPV6_ADDR_RANGE"}};

constexpr Name cfg_types[] = {
    {1, "CFG_REQUEST"},
    {2, "CFG_REPLY"},
    {3, "CFG_SET"},
    {4, "CFG_ACK"},
};

constexpr Name cfg_attribute_types[] = {
    {1, "INTERNAL_IP4_ADDRESS"}, {2, "INTERNAL_IP4_NETMASK"},  {3, "INTERNAL_IP4_DNS"},
    {4, "INTERNAL_IP4_NBNS"},    {6, "INTERNAL_IP4_DHCP"},     {7, "APPLICATION_VERSION"},
    {8, "INTERNAL_IP6_ADDRESS"}, {10, "INTERNAL_IP6_DNS"},     {12, "INTERNAL_IP6_DHCP"},
    {13, "INTERNAL_IP4_SUBNET"}, {14, "SUPPORTED_ATTRIBUTES"}, {15, "INTERNAL_IP6_SUBNET"},
};

}  // namespace

std::string_view to_string(ExchangeType type) {
    return lookup(exchange_types, type);
}
std::string_view to_string(PayloadType type) {
    return lookup(payload_types, type);
}
std::string_view to_string(ProtocolId id) {
    return lookup(protocol_ids, id);
}
std::string_view to_string(TransformType type) {
    return lookup(transform_types, type);
}
std::string_view to_string(EncrId id) {
    return lookup(encr_ids, id);
}
std::string_view to_string(PrfId id) {
    return lookup(prf_ids, id);
}
std::string_view to_string(IntegId id) {
    return lookup(integ_ids, id);
}
std::string_view to_string(DhGroup group) {
    return lookup(dh_groups, group);
}
std::string_view to_string(EsnId id) {
    return lookup(esn_ids, id);
}
std::string_view to_string(TransformAttributeType type) {
    return lookup(transform_attribute_types, type);
}
std::string_view to_string(IdType type) {
    return lookup(id_types, type);
}
std::string_view to_string(CertEncoding encoding) {
    return lookup(cert_encodings, encoding);
}
std::string_view to_string(AuthMethod method) {
    return lookup(auth_methods, method);
}
std::string_view to_string(HashAlgorithm algorithm) {
    return lookup(hash_algorithms, algorithm);
}
std::string_view to_string(NotifyType type) {
    return lookup(notify_types, type);
}
std::string_view to_string(TsType type) {
    return lookup(ts_types, type);
}
std::string_view to_string(CfgType type) {
    return lookup(cfg_types, type);
}
std::string_view to_string(CfgAttributeType type) {
    return lookup(cfg_attribute_types, type);
}

std::string_view transform_id_name(TransformType type, std::uint16_t id) {
    switch (type) {
        case TransformType::encr:
            return lookup(encr_ids, id);
        case TransformType::prf:
            return lookup(prf_ids, id);
        case TransformType::integ:
            return lookup(integ_ids, id);
        case TransformType::dh:
            return lookup(dh_groups, id);
        case TransformType::esn:
            return lookup(esn_ids, id);
    }
    return "unknown";
}

}  // namespace nsslab::wire_ike
