// The IKEv2 message model (RFC 7296 §3, RFC 7383 §2.5): the IKE header and one struct per payload,
// with the payload's layout after its generic payload header. The byte codec is in codec.hpp.
//
// The model keeps every field a peer chooses and drops what the RFC says a receiver ignores:
// RESERVED fields and bits, and the critical bit of payload types this codec knows (RFC 7296
// §3.2: "MUST be ignored if the recipient understands the payload type"). Length and count
// fields and the Next Payload chain are computed by the encoder, so they are not in the model.
// Consequently decode(encode(m)) == m for every m that decode() produced, and re-encoding a
// received message reproduces its bytes exactly when its RESERVED fields and the critical bits of
// known payloads were zero.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/bytes.hpp"
#include "nsslab/wire_ike/iana.hpp"

namespace nsslab::wire_ike {

// RFC 7296 §3.1. The Next Payload and Length fields are derived from the payloads.
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                       IKE SA Initiator's SPI                  |
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                       IKE SA Responder's SPI                  |
//   |                                                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                          Message ID                           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                            Length                             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Flags: bit 3 (0x08) I(nitiator), bit 4 (0x10) V(ersion), bit 5 (0x20) R(esponse).
struct Header {
    std::uint64_t spi_i{0};
    std::uint64_t spi_r{0};
    std::uint8_t minor_version{0};  // the major version is always 2
    ExchangeType exchange_type{ExchangeType::ike_sa_init};
    bool initiator{false};       // I: sent by the original initiator of the IKE SA
    bool higher_version{false};  // V: the sender can speak a higher major version
    bool response{false};        // R
    std::uint32_t message_id{0};
    bool operator==(Header const&) const = default;
};

// --- SA (RFC 7296 §3.3) ------------------------------------------------------------------------

// RFC 7296 §3.3.5. AF = 1: Type/Value (16-bit value); AF = 0: Type/Length/Value.
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |A|       Attribute Type        |    AF=0  Attribute Length     |
//   |F|                             |    AF=1  Attribute Value      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                   AF=0  Attribute Value                       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
struct TransformAttribute {
    std::uint16_t type{static_cast<std::uint16_t>(TransformAttributeType::key_length)};  // 15 bits
    bool tv{true};                                                                       // AF bit
    std::uint16_t tv_value{0};                                                           // when tv
    Bytes tlv_value;                                                                     // when !tv
    bool operator==(TransformAttribute const&) const = default;
};

// RFC 7296 §3.3.2.
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Last Substruc |   RESERVED    |        Transform Length       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |Transform Type |   RESERVED    |          Transform ID         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   ~                      Transform Attributes                     ~
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Last Substruc is 0 for the last transform of a proposal, 3 otherwise.
struct Transform {
    TransformType type{TransformType::encr};
    std::uint16_t id{0};  // EncrId, PrfId, IntegId, DhGroup or EsnId by `type`
    std::vector<TransformAttribute> attributes;

    // The Key Length attribute (TV, bits), if present.
    std::optional<std::uint16_t> key_length() const;

    static Transform encr(EncrId id, std::optional<std::uint16_t> key_length_bits = {});
    static Transform prf(PrfId id);
    static Transform integ(IntegId id);
    static Transform dh(DhGroup group);
    static Transform esn(EsnId id);
    bool operator==(Transform const&) const = default;
};

// RFC 7296 §3.3.1.
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Last Substruc |   RESERVED    |         Proposal Length       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   ~                        SPI (variable)                         ~
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   ~                        <Transforms>                           ~
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Last Substruc is 0 for the last proposal of an SA, 2 otherwise.
struct Proposal {
    std::uint8_t number{1};
    ProtocolId protocol{ProtocolId::ike};
    Bytes spi;  // empty in IKE_SA_INIT; 8 octets for an IKE rekey; 4 for AH/ESP
    std::vector<Transform> transforms;
    bool operator==(Proposal const&) const = default;
};

struct SecurityAssociation {
    static constexpr PayloadType payload_type = PayloadType::sa;
    std::vector<Proposal> proposals;
    bool operator==(SecurityAssociation const&) const = default;
};

// --- the simple payloads ------------------------------------------------------------------------

// RFC 7296 §3.4: Diffie-Hellman Group Num (16) | RESERVED (16) | Key Exchange Data.
struct KeyExchange {
    static constexpr PayloadType payload_type = PayloadType::ke;
    DhGroup group{DhGroup::none};
    Bytes data;
    bool operator==(KeyExchange const&) const = default;
};

// RFC 7296 §3.5: ID Type (8) | RESERVED (24) | Identification Data. IDi and IDr share the layout.
template <PayloadType Kind>
struct Identification {
    static constexpr PayloadType payload_type = Kind;
    IdType id_type{IdType::fqdn};
    Bytes data;
    bool operator==(Identification const&) const = default;
};
using IdI = Identification<PayloadType::idi>;
using IdR = Identification<PayloadType::idr>;

// RFC 7296 §3.6: Cert Encoding (8) | Certificate Data.
struct Certificate {
    static constexpr PayloadType payload_type = PayloadType::cert;
    CertEncoding encoding{CertEncoding::x509_signature};
    Bytes data;  // for X509_SIGNATURE: one DER certificate
    bool operator==(Certificate const&) const = default;
};

// RFC 7296 §3.7: Cert Encoding (8) | Certification Authority.
struct CertificateRequest {
    static constexpr PayloadType payload_type = PayloadType::certreq;
    CertEncoding encoding{CertEncoding::x509_signature};
    Bytes
        authorities;  // for X509_SIGNATURE: SHA-1 hashes of CA SubjectPublicKeyInfos, concatenated
    bool operator==(CertificateRequest const&) const = default;
};

// RFC 7296 §3.8: Auth Method (8) | RESERVED (24) | Authentication Data.
struct Authentication {
    static constexpr PayloadType payload_type = PayloadType::auth;
    AuthMethod method{AuthMethod::digital_signature};
    Bytes data;
    bool operator==(Authentication const&) const = default;
};

// RFC 7296 §3.9: Nonce Data, 16 to 256 octets (§2.10). Ni and Nr share the payload type.
struct Nonce {
    static constexpr PayloadType payload_type = PayloadType::nonce;
    Bytes data;
    bool operator==(Nonce const&) const = default;
};

// RFC 7296 §3.10:
//   | Protocol ID   |   SPI Size    |      Notify Message Type      |
//   ~                Security Parameter Index (SPI)                 ~
//   ~                       Notification Data                       ~
struct Notify {
    static constexpr PayloadType payload_type = PayloadType::notify;
    ProtocolId protocol{ProtocolId::none};
    Bytes spi;
    NotifyType type{NotifyType::invalid_syntax};
    Bytes data;
    bool operator==(Notify const&) const = default;
};

// RFC 7296 §3.11:
//   | Protocol ID   |   SPI Size    |          Num of SPIs          |
//   ~               Security Parameter Index(es) (SPI)              ~
// An IKE SA delete has protocol IKE, SPI size 0 and no SPIs; every SPI is spi_size octets.
struct Delete {
    static constexpr PayloadType payload_type = PayloadType::delete_payload;
    ProtocolId protocol{ProtocolId::ike};
    std::uint8_t spi_size{0};
    std::vector<Bytes> spis;
    bool operator==(Delete const&) const = default;
};

// RFC 7296 §3.12: Vendor ID, opaque.
struct VendorId {
    static constexpr PayloadType payload_type = PayloadType::vendor_id;
    Bytes data;
    bool operator==(VendorId const&) const = default;
};

// --- traffic selectors (RFC 7296 §3.13) --------------------------------------------------------

// RFC 7296 §3.13.1:
//   |   TS Type     |IP Protocol ID*|       Selector Length         |
//   |           Start Port*         |           End Port*           |
//   ~                         Starting Address*                     ~
//   ~                         Ending Address*                       ~
// TS_IPV4_ADDR_RANGE (selector length 16) or TS_IPV6_ADDR_RANGE (40); the addresses' family
// matches the type.
struct TrafficSelector {
    TsType type{TsType::ipv4_addr_range};
    std::uint8_t ip_protocol{0};  // 0: any
    std::uint16_t start_port{0};
    std::uint16_t end_port{65535};
    IpAddress start_address;
    IpAddress end_address;
    bool operator==(TrafficSelector const&) const = default;
};

// RFC 7296 §3.13: Number of TSs (8) | RESERVED (24) | <Traffic Selectors>.
template <PayloadType Kind>
struct TrafficSelectors {
    static constexpr PayloadType payload_type = Kind;
    std::vector<TrafficSelector> selectors;
    bool operator==(TrafficSelectors const&) const = default;
};
using TsI = TrafficSelectors<PayloadType::tsi>;
using TsR = TrafficSelectors<PayloadType::tsr>;

// --- encrypted payloads ------------------------------------------------------------------------

// RFC 7296 §3.14. The generic header's Next Payload names the first inner payload; the body is
// Initialization Vector | Encrypted IKE Payloads + Padding + Pad Length | Integrity Checksum Data,
// opaque here: its split depends on the negotiated transforms (sim/crypto). It is always the
// last payload of a message. After decryption, decode_payload_chain(first_inner, plaintext)
// decodes the inner payloads.
struct Encrypted {
    static constexpr PayloadType payload_type = PayloadType::sk;
    PayloadType first_inner{PayloadType::none};
    Bytes body;
    bool operator==(Encrypted const&) const = default;
};

// RFC 7383 §2.5: Fragment Number (16) | Total Fragments (16) | IV | encrypted | ICV.
// first_inner is the first inner payload type in fragment 1 and none in the others.
struct EncryptedFragment {
    static constexpr PayloadType payload_type = PayloadType::skf;
    PayloadType first_inner{PayloadType::none};
    std::uint16_t number{1};  // 1..total
    std::uint16_t total{1};
    Bytes body;
    bool operator==(EncryptedFragment const&) const = default;
};

// --- configuration (RFC 7296 §3.15) ------------------------------------------------------------

// RFC 7296 §3.15.1: R (1) | Attribute Type (15) | Length (16) | Value.
struct CfgAttribute {
    std::uint16_t type{0};  // CfgAttributeType or another 15-bit value
    Bytes value;
    bool operator==(CfgAttribute const&) const = default;
};

// RFC 7296 §3.15: CFG Type (8) | RESERVED (24) | Configuration Attributes.
struct Configuration {
    static constexpr PayloadType payload_type = PayloadType::cp;
    CfgType type{CfgType::cfg_request};
    std::vector<CfgAttribute> attributes;
    bool operator==(Configuration const&) const = default;
};

// RFC 7296 §3.16: an EAP message, opaque (nsslab does not speak EAP).
struct Eap {
    static constexpr PayloadType payload_type = PayloadType::eap;
    Bytes data;
    bool operator==(Eap const&) const = default;
};

// A payload type this codec does not know, received without the critical bit: kept with its body
// so the core may ignore it (RFC 7296 §2.5). An unknown payload with the critical bit set is a
// decode error instead (codec.hpp; unsupported_critical_payload() names the type).
struct UnknownPayload {
    PayloadType type{PayloadType::none};
    Bytes data;
    bool operator==(UnknownPayload const&) const = default;
};

using Payload =
    std::variant<SecurityAssociation, KeyExchange, IdI, IdR, Certificate, CertificateRequest,
                 Authentication, Nonce, Notify, Delete, VendorId, TsI, TsR, Encrypted,
                 EncryptedFragment, Configuration, Eap, UnknownPayload>;

// The payload type a payload is sent as.
PayloadType payload_type(Payload const& payload);

struct Message {
    Header header;
    std::vector<Payload> payloads;  // in wire order; an SK or SKF payload is last
    bool operator==(Message const&) const = default;
};

// The first payload of type T in a chain, or nullptr.
template <class T>
T const* find_payload(std::span<Payload const> payloads) {
    for (auto const& p : payloads) {
        if (auto const* hit = std::get_if<T>(&p))
            return hit;
    }
    return nullptr;
}

// The first Notify of the given type in a chain, or nullptr.
Notify const* find_notify(std::span<Payload const> payloads, NotifyType type);

}  // namespace nsslab::wire_ike
