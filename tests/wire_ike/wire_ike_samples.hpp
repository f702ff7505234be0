// Test data of the IKEv2 codec tests: the captured datagrams in third_party/ike-samples and one
// hand-built payload of every kind.
#pragma once

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/wire_ike/codec.hpp"

namespace nsslab::wire_ike::test {

// A file of third_party/ike-samples (a UDP payload with its non-ESP marker), as captured.
inline Bytes read_sample(std::string_view name) {
    std::string const path =
        std::string(NSSLAB_SOURCE_DIR) + "/third_party/ike-samples/" + std::string(name);
    std::ifstream in(path, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The IKE message inside a sample (the UDP payload without its non-ESP marker).
inline Bytes sample_message(std::string_view name) {
    Bytes const datagram = read_sample(name);
    auto message = strip_non_esp_marker(datagram);
    return message ? Bytes(message->begin(), message->end()) : Bytes{};
}

inline constexpr std::string_view sample_names[] = {
    "rfc7427-f01-ike_sa_init_request.bin",        "rfc7427-f02-ike_sa_init_response.bin",
    "rfc7427-f03-ike_auth_request.bin",           "rfc7427-f07-ike_auth_request_fragment1.bin",
    "rfc7427-f08-ike_auth_request_fragment2.bin", "rfc7427-f24-create_child_sa_request.bin",
    "rfc7427-f26-informational_request.bin",      "rfc7427-f31-informational_response_empty.bin",
    "classic-f11-ike_sa_init_request.bin",        "classic-f12-ike_sa_init_response.bin",
};

inline Bytes filled(std::size_t n, std::uint8_t first) {
    Bytes out(n);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<std::uint8_t>(first + i);
    return out;
}

// One payload of every kind the codec models (SK and SKF excluded: they end a message), with
// non-default values in every field.
inline std::vector<Payload> every_plain_payload() {
    Proposal ike{
        1,
        ProtocolId::ike,
        {},
        {Transform::encr(EncrId::aes_cbc, 256), Transform::integ(IntegId::hmac_sha2_256_128),
         Transform::prf(PrfId::hmac_sha2_256), Transform::dh(DhGroup::ecp_256)}};
    Proposal esp{2,
                 ProtocolId::esp,
                 {0xc2, 0xc9, 0x18, 0xb4},
                 {Transform::encr(EncrId::aes_gcm_16, 128), Transform::esn(EsnId::no_esn)}};
    esp.transforms[0].attributes.push_back({0x1234, false, 0, {9, 8, 7}});  // a TLV attribute
    TrafficSelector v4{TsType::ipv4_addr_range,  6, 500, 4500, IpAddress::v4(0x7f000001),
                       IpAddress::v4(0x7f0000ff)};
    TrafficSelector v6{TsType::ipv6_addr_range,        0, 0, 65535, *IpAddress::parse("fd00::1"),
                       *IpAddress::parse("fd00::ffff")};
    return {
        SecurityAssociation{{ike, esp}},
        KeyExchange{DhGroup::ecp_256, filled(64, 0x10)},
        IdI{IdType::fqdn, to_bytes("a-ecdsa.ike.test")},
        IdR{IdType::der_asn1_dn, filled(20, 0x30)},
        Certificate{CertEncoding::x509_signature, filled(300, 0x30)},
        CertificateRequest{CertEncoding::x509_signature, filled(40, 0x5b)},
        Authentication{AuthMethod::digital_signature, filled(80, 0x0c)},
        Nonce{filled(32, 0xb2)},
        Notify{ProtocolId::esp, {1, 2, 3, 4}, NotifyType::rekey_sa, {}},
        Notify{
            ProtocolId::none, {}, NotifyType::signature_hash_algorithms, {0, 2, 0, 3, 0, 4, 0, 5}},
        Delete{ProtocolId::esp, 4, {{1, 2, 3, 4}, {5, 6, 7, 8}}},
        Delete{ProtocolId::ike, 0, {}},
        VendorId{to_bytes("nsslab")},
        TsI{{v4, v6}},
        TsR{{v4}},
        Configuration{
            CfgType::cfg_reply,
            {{static_cast<std::uint16_t>(CfgAttributeType::internal_ip4_address), {10, 0, 0, 1}},
             {static_cast<std::uint16_t>(CfgAttributeType::internal_ip6_dns), {}}}},
        Eap{{1, 7, 0, 5, 1}},
        UnknownPayload{static_cast<PayloadType>(200), {0xde, 0xad}},
    };
}

}  // namespace nsslab::wire_ike::test
