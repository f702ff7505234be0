// Name tables of the IANA numbers (iana.hpp): the numbers are IANA's and the names print as
// strongSwan and Wireshark print them.
#include "nsslab/wire_ike/iana.hpp"

#include <gtest/gtest.h>

namespace nsslab::wire_ike {
namespace {

TEST(IkeIana, NumbersAreIanas) {
    EXPECT_EQ(static_cast<int>(ExchangeType::ike_sa_init), 34);
    EXPECT_EQ(static_cast<int>(PayloadType::skf), 53);
    EXPECT_EQ(static_cast<int>(EncrId::aes_gcm_16), 20);
    EXPECT_EQ(static_cast<int>(PrfId::hmac_sha2_512), 7);
    EXPECT_EQ(static_cast<int>(IntegId::hmac_sha2_384_192), 13);
    EXPECT_EQ(static_cast<int>(DhGroup::curve25519), 31);
    EXPECT_EQ(static_cast<int>(AuthMethod::ecdsa_sha512_p521), 11);
    EXPECT_EQ(static_cast<int>(IdType::key_id), 11);
    EXPECT_EQ(static_cast<int>(NotifyType::signature_hash_algorithms), 16431);
    EXPECT_EQ(static_cast<int>(NotifyType::child_sa_not_found), 44);
    EXPECT_EQ(static_cast<int>(TsType::ipv6_addr_range), 8);
}

TEST(IkeIana, Names) {
    EXPECT_EQ(to_string(ExchangeType::create_child_sa), "CREATE_CHILD_SA");
    EXPECT_EQ(to_string(PayloadType::idi), "IDi");
    EXPECT_EQ(to_string(PayloadType::nonce), "Nonce");
    EXPECT_EQ(to_string(PayloadType::none), "none");
    EXPECT_EQ(to_string(ProtocolId::esp), "ESP");
    EXPECT_EQ(to_string(TransformType::dh), "D-H");
    EXPECT_EQ(to_string(EncrId::aes_cbc), "ENCR_AES_CBC");
    EXPECT_EQ(to_string(PrfId::hmac_sha2_256), "PRF_HMAC_SHA2_256");
    EXPECT_EQ(to_string(IntegId::hmac_sha2_512_256), "AUTH_HMAC_SHA2_512_256");
    EXPECT_EQ(to_string(DhGroup::modp_2048), "MODP_2048");
    EXPECT_EQ(to_string(EsnId::no_esn), "NO_ESN");
    EXPECT_EQ(to_string(TransformAttributeType::key_length), "KEY_LENGTH");
    EXPECT_EQ(to_string(IdType::der_asn1_dn), "ID_DER_ASN1_DN");
    EXPECT_EQ(to_string(CertEncoding::x509_signature), "X509_SIGNATURE");
    EXPECT_EQ(to_string(AuthMethod::digital_signature), "DIGITAL_SIGNATURE");
    EXPECT_EQ(to_string(HashAlgorithm::sha2_384), "SHA2_384");
    EXPECT_EQ(to_string(NotifyType::invalid_ke_payload), "INVALID_KE_PAYLOAD");
    EXPECT_EQ(to_string(NotifyType::ikev2_fragmentation_supported),
              "IKEV2_FRAGMENTATION_SUPPORTED");
    EXPECT_EQ(to_string(TsType::ipv4_addr_range), "TS_IPV4_ADDR_RANGE");
    EXPECT_EQ(to_string(CfgType::cfg_reply), "CFG_REPLY");
    EXPECT_EQ(to_string(CfgAttributeType::internal_ip6_subnet), "INTERNAL_IP6_SUBNET");
}

TEST(IkeIana, UnknownValuesPrintAsUnknown) {
    EXPECT_EQ(to_string(static_cast<NotifyType>(12345)), "unknown");
    EXPECT_EQ(to_string(static_cast<PayloadType>(200)), "unknown");
    EXPECT_EQ(to_string(static_cast<DhGroup>(99)), "unknown");
}

TEST(IkeIana, TransformIdNameFollowsTheType) {
    EXPECT_EQ(transform_id_name(TransformType::encr, 12), "ENCR_AES_CBC");
    EXPECT_EQ(transform_id_name(TransformType::prf, 5), "PRF_HMAC_SHA2_256");
    EXPECT_EQ(transform_id_name(TransformType::integ, 12), "AUTH_HMAC_SHA2_256_128");
    EXPECT_EQ(transform_id_name(TransformType::dh, 19), "ECP_256");
    EXPECT_EQ(transform_id_name(TransformType::esn, 1), "ESN");
    EXPECT_EQ(transform_id_name(static_cast<TransformType>(9), 1), "unknown");
}

TEST(IkeIana, ErrorAndStatusNotifies) {
    EXPECT_TRUE(is_error(NotifyType::authentication_failed));
    EXPECT_TRUE(is_error(NotifyType::temporary_failure));
    EXPECT_FALSE(is_error(NotifyType::cookie));
    EXPECT_FALSE(is_error(NotifyType::nat_detection_source_ip));
}

}  // namespace
}  // namespace nsslab::wire_ike
