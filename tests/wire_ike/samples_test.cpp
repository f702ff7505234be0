// The codec against real strongSwan 5.9.8 traffic (third_party/ike-samples/PROVENANCE.md): every
// captured message decodes with the fields tshark shows, re-encodes byte for byte, and the
// decrypted inner chain of an IKE_AUTH request decodes and re-encodes too.
#include <gtest/gtest.h>

#include <string>

#include "nsslab/wire_ike/codec.hpp"
#include "wire_ike_samples.hpp"

namespace nsslab::wire_ike {
namespace {

Message decoded(std::string_view name) {
    Bytes const bytes = test::sample_message(name);
    EXPECT_FALSE(bytes.empty()) << "missing or unmarked sample " << name;
    auto r = decode(bytes);
    EXPECT_TRUE(r) << name << ": " << r.error().what();
    return r ? *r : Message{};
}

std::vector<NotifyType> notify_types(std::span<Payload const> payloads) {
    std::vector<NotifyType> out;
    for (auto const& p : payloads) {
        if (auto const* n = std::get_if<Notify>(&p))
            out.push_back(n->type);
    }
    return out;
}

TEST(IkeSamples, EveryCaptureRoundTripsByteForByte) {
    for (auto name : test::sample_names) {
        SCOPED_TRACE(std::string(name));
        Bytes const datagram = test::read_sample(name);
        ASSERT_GT(datagram.size(), non_esp_marker_size);
        auto message = strip_non_esp_marker(datagram);
        ASSERT_TRUE(message) << "charon marks every IKE packet on a non-500 port";
        auto m = decode(*message);
        ASSERT_TRUE(m) << m.error().what();
        Bytes const again = encode(*m);
        EXPECT_EQ(to_hex(again), to_hex(*message));
        EXPECT_EQ(add_non_esp_marker(again), datagram);
    }
}

TEST(IkeSamples, SaInitRequest) {
    Message const m = decoded("rfc7427-f01-ike_sa_init_request.bin");
    EXPECT_EQ(m.header,
              (Header{0x56326dc8dd235ba1, 0, 0, ExchangeType::ike_sa_init, true, false, false, 0}));
    ASSERT_EQ(m.payloads.size(), 8u);
    auto const& sa = std::get<SecurityAssociation>(m.payloads[0]);
    ASSERT_EQ(sa.proposals.size(), 4u);
    EXPECT_EQ(sa.proposals[0],
              (Proposal{1,
                        ProtocolId::ike,
                        {},
                        {Transform::encr(EncrId::aes_cbc, 256),
                         Transform::integ(IntegId::hmac_sha2_256_128),
                         Transform::prf(PrfId::hmac_sha2_256), Transform::dh(DhGroup::ecp_256)}}));
    EXPECT_EQ(sa.proposals[1],
              (Proposal{2,
                        ProtocolId::ike,
                        {},
                        {Transform::encr(EncrId::aes_gcm_16, 128),
                         Transform::prf(PrfId::hmac_sha2_256), Transform::dh(DhGroup::ecp_256)}}));
    EXPECT_EQ(sa.proposals[2].transforms.back(), Transform::dh(DhGroup::modp_2048));
    EXPECT_EQ(sa.proposals[3].transforms[0].key_length(), std::optional<std::uint16_t>(256));
    EXPECT_EQ(sa.proposals[3].transforms[1], Transform::prf(PrfId::hmac_sha2_384));
    EXPECT_EQ(sa.proposals[3].transforms[2], Transform::dh(DhGroup::ecp_384));

    auto const& ke = std::get<KeyExchange>(m.payloads[1]);
    EXPECT_EQ(ke.group, DhGroup::ecp_256);
    EXPECT_EQ(ke.data.size(), 64u);  // x | y, no 0x04 (RFC 5903 §7)
    EXPECT_EQ(to_hex(ByteView(ke.data).first(8)), "a3a97dcbcb918b64");
    EXPECT_EQ(to_hex(std::get<Nonce>(m.payloads[2]).data),
              "b2cc5bf61d5801a3762ad24d4d3d9394079bfa3e723981aef687a0f57aa5fe5a");
    EXPECT_EQ(notify_types(m.payloads),
              (std::vector<NotifyType>{
                  NotifyType::nat_detection_source_ip, NotifyType::nat_detection_destination_ip,
                  NotifyType::ikev2_fragmentation_supported, NotifyType::signature_hash_algorithms,
                  NotifyType::redirect_supported}));
    Notify const* nat_s = find_notify(m.payloads, NotifyType::nat_detection_source_ip);
    ASSERT_NE(nat_s, nullptr);
    EXPECT_EQ(nat_s->protocol, ProtocolId::none);
    EXPECT_TRUE(nat_s->spi.empty());
    EXPECT_EQ(to_hex(nat_s->data), "b70e579156e303be56b1d351585281e234b90c88");  // SHA-1
    EXPECT_EQ(to_hex(find_notify(m.payloads, NotifyType::signature_hash_algorithms)->data),
              "0002000300040005");  // SHA2-256, SHA2-384, SHA2-512, Identity
}

TEST(IkeSamples, SaInitResponse) {
    Message const m = decoded("rfc7427-f02-ike_sa_init_response.bin");
    EXPECT_EQ(m.header, (Header{0x56326dc8dd235ba1, 0x9250622b9107a2e1, 0,
                                ExchangeType::ike_sa_init, false, false, true, 0}));
    auto const* sa = find_payload<SecurityAssociation>(m.payloads);
    ASSERT_NE(sa, nullptr);
    ASSERT_EQ(sa->proposals.size(), 1u);
    EXPECT_EQ(sa->proposals[0].number, 1);
    EXPECT_EQ(sa->proposals[0].transforms.size(), 4u);
    EXPECT_EQ(find_payload<KeyExchange>(m.payloads)->group, DhGroup::ecp_256);
    auto const* certreq = find_payload<CertificateRequest>(m.payloads);
    ASSERT_NE(certreq, nullptr);
    EXPECT_EQ(certreq->encoding, CertEncoding::x509_signature);
    EXPECT_EQ(to_hex(certreq->authorities),
              "5b8f8e1dfe4e75cca0bd51271fc830e721fefd15e82ee5b84f84de4e49ea2799e325dd47787b1ddf");
    EXPECT_EQ(notify_types(m.payloads),
              (std::vector<NotifyType>{
                  NotifyType::nat_detection_source_ip, NotifyType::nat_detection_destination_ip,
                  NotifyType::ikev2_fragmentation_supported, NotifyType::signature_hash_algorithms,
                  NotifyType::childless_ikev2_supported, NotifyType::multiple_auth_supported}));
}

TEST(IkeSamples, ClassicSaInitHasOneGcmProposal) {
    Message const request = decoded("classic-f11-ike_sa_init_request.bin");
    EXPECT_EQ(request.header.spi_i, 0xb8002fe8b37f7425u);
    auto const& sa = std::get<SecurityAssociation>(request.payloads.at(0));
    ASSERT_EQ(sa.proposals.size(), 1u);
    EXPECT_EQ(sa.proposals[0].transforms[0], Transform::encr(EncrId::aes_gcm_16, 128));
    Message const response = decoded("classic-f12-ike_sa_init_response.bin");
    EXPECT_EQ(response.header.spi_r, 0xd00d8d57c67520a8u);
    EXPECT_TRUE(response.header.response);
}

TEST(IkeSamples, IkeAuthIsAnOpaqueSkPayload) {
    Bytes const bytes = test::sample_message("rfc7427-f03-ike_auth_request.bin");
    Message const m = decoded("rfc7427-f03-ike_auth_request.bin");
    EXPECT_EQ(m.header, (Header{0x56326dc8dd235ba1, 0x9250622b9107a2e1, 0, ExchangeType::ike_auth,
                                true, false, false, 1}));
    ASSERT_EQ(m.payloads.size(), 1u);
    auto const& sk = std::get<Encrypted>(m.payloads[0]);
    EXPECT_EQ(sk.first_inner, PayloadType::idi);
    EXPECT_EQ(sk.body.size(), 16u + 768u + 16u);  // IV, AES-CBC ciphertext, HMAC-SHA2-256-128
    auto parts = protected_parts(bytes, m);
    ASSERT_TRUE(parts);
    EXPECT_EQ(Bytes(parts->prefix.begin(), parts->prefix.end()),
              encode_sk_prefix(m.header, PayloadType::idi, sk.body.size()));
    EXPECT_EQ(parts->prefix.size() + parts->body.size(), bytes.size());
}

TEST(IkeSamples, IkeAuthFragments) {
    Message const first = decoded("rfc7427-f07-ike_auth_request_fragment1.bin");
    Message const second = decoded("rfc7427-f08-ike_auth_request_fragment2.bin");
    EXPECT_EQ(first.header.message_id, 1u);
    EXPECT_EQ(second.header, first.header);  // fragments share the header, MID included
    auto const& f1 = std::get<EncryptedFragment>(first.payloads.at(0));
    auto const& f2 = std::get<EncryptedFragment>(second.payloads.at(0));
    EXPECT_EQ(f1.first_inner, PayloadType::idi);
    EXPECT_EQ(f2.first_inner, PayloadType::none);  // RFC 7383 §2.5: 0 after the first
    EXPECT_EQ(std::pair(f1.number, f1.total), std::pair(std::uint16_t{1}, std::uint16_t{2}));
    EXPECT_EQ(std::pair(f2.number, f2.total), std::pair(std::uint16_t{2}, std::uint16_t{2}));
    Bytes const bytes = test::sample_message("rfc7427-f08-ike_auth_request_fragment2.bin");
    auto parts = protected_parts(bytes, second);
    ASSERT_TRUE(parts);
    EXPECT_EQ(Bytes(parts->prefix.begin(), parts->prefix.end()),
              encode_skf_prefix(second.header, PayloadType::none, 2, 2, f2.body.size()));
}

TEST(IkeSamples, EncryptedExchanges) {
    Message const child = decoded("rfc7427-f24-create_child_sa_request.bin");
    EXPECT_EQ(child.header.exchange_type, ExchangeType::create_child_sa);
    EXPECT_EQ(child.header.message_id, 2u);
    EXPECT_EQ(std::get<Encrypted>(child.payloads.at(0)).first_inner, PayloadType::notify);

    Message const info = decoded("rfc7427-f26-informational_request.bin");
    EXPECT_EQ(info.header.exchange_type, ExchangeType::informational);
    EXPECT_EQ(std::get<Encrypted>(info.payloads.at(0)).first_inner, PayloadType::delete_payload);

    Message const empty = decoded("rfc7427-f31-informational_response_empty.bin");
    EXPECT_TRUE(empty.header.response);
    EXPECT_EQ(std::get<Encrypted>(empty.payloads.at(0)).first_inner, PayloadType::none);
}

TEST(IkeSamples, DecryptedIkeAuthInnerChain) {
    Bytes const plaintext = test::read_sample("rfc7427-f03-ike_auth_request.plaintext.bin");
    ASSERT_EQ(plaintext.size(), 767u);
    auto r = decode_payload_chain(PayloadType::idi, plaintext, 48);
    ASSERT_TRUE(r) << r.error().what();
    std::vector<PayloadType> types;
    for (auto const& p : *r)
        types.push_back(payload_type(p));
    EXPECT_EQ(types, (std::vector<PayloadType>{
                         PayloadType::idi, PayloadType::cert, PayloadType::certreq,
                         PayloadType::auth, PayloadType::sa, PayloadType::tsi, PayloadType::tsr,
                         PayloadType::notify, PayloadType::notify, PayloadType::notify}));
    auto const& idi = std::get<IdI>((*r)[0]);
    EXPECT_EQ(idi.id_type, IdType::fqdn);
    EXPECT_EQ(as_chars(idi.data), "a-ecdsa.ike.test");
    auto const& cert = std::get<Certificate>((*r)[1]);
    EXPECT_EQ(cert.encoding, CertEncoding::x509_signature);
    EXPECT_EQ(cert.data.at(0), 0x30);  // DER SEQUENCE
    auto const& auth = std::get<Authentication>((*r)[3]);
    EXPECT_EQ(auth.method, AuthMethod::digital_signature);
    // RFC 7427: length 12, then the AlgorithmIdentifier of ecdsa-with-SHA256.
    EXPECT_EQ(to_hex(ByteView(auth.data).first(13)), "0c300a06082a8648ce3d040302");
    auto const& sa = std::get<SecurityAssociation>((*r)[4]);
    ASSERT_EQ(sa.proposals.size(), 2u);
    EXPECT_EQ(sa.proposals[0].protocol, ProtocolId::esp);
    EXPECT_EQ(to_hex(sa.proposals[0].spi), "c2c918b4");
    EXPECT_EQ(sa.proposals[0].transforms,
              (std::vector<Transform>{Transform::encr(EncrId::aes_gcm_16, 128),
                                      Transform::esn(EsnId::no_esn)}));
    TrafficSelector const loopback{TsType::ipv4_addr_range,  0, 0, 65535, IpAddress::v4(0x7f000001),
                                   IpAddress::v4(0x7f000001)};
    EXPECT_EQ(std::get<TsI>((*r)[5]).selectors, std::vector<TrafficSelector>{loopback});
    EXPECT_EQ(std::get<TsR>((*r)[6]).selectors, std::vector<TrafficSelector>{loopback});
    EXPECT_EQ(std::get<Notify>((*r)[9]).type, NotifyType::ikev2_message_id_sync_supported);
    EXPECT_EQ(encode_payload_chain(*r), plaintext);
}

}  // namespace
}  // namespace nsslab::wire_ike
