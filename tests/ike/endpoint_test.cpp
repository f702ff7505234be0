// IkeEndpoint: IKE_SA_INIT, IKE_AUTH, INFORMATIONAL delete, retransmission and hostile input,
// driven by the pair driver of pair.hpp.
#include "nsslab/ike/endpoint.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/key.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/crypto/sk_cipher.hpp"
#include "nsslab/wire_ike/codec.hpp"
#include "pair.hpp"

namespace nsslab::ike {
namespace {

using namespace test;

void expect_established(Pair& p, SaId sa, std::string const& proposal) {
    EXPECT_EQ(p.a.endpoint->state(sa), SaState::established);
    ASSERT_EQ(p.a.count("ike.sa_established"), 1u);
    ASSERT_EQ(p.b.count("ike.sa_established"), 1u);
    auto const* ea = p.a.last("ike.sa_established");
    auto const* eb = p.b.last("ike.sa_established");
    EXPECT_EQ(ea->text("proposal"), proposal);
    EXPECT_EQ(eb->text("proposal"), proposal);
    EXPECT_EQ(ea->text("spi_i"), eb->text("spi_i"));
    EXPECT_EQ(ea->text("spi_r"), eb->text("spi_r"));
    EXPECT_EQ(ea->text("child_spi_i"), eb->text("child_spi_i"));
    EXPECT_EQ(ea->text("child_spi_r"), eb->text("child_spi_r"));
    EXPECT_NE(ea->text("child"), "none");
    // Both sides log the same keys.
    ASSERT_EQ(p.a.secrets.size(), 1u);
    ASSERT_EQ(p.b.secrets.size(), 1u);
    EXPECT_EQ(p.a.secrets[0], p.b.secrets[0]);
    EXPECT_EQ(p.a.endpoint->dropped_total(), 0u);
    EXPECT_EQ(p.b.endpoint->dropped_total(), 0u);
    EXPECT_EQ(p.a.endpoint->next_timeout(), std::nullopt);
    EXPECT_EQ(p.b.endpoint->next_timeout(), std::nullopt);
}

struct SuiteCase {
    IkeProposal proposal;
    char const* name;
};

class PskSuites : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(PskSuites, Establish) {
    Pair p = psk_pair(GetParam().proposal);
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa) << sa.error().what();
    p.pump();
    expect_established(p, *sa, GetParam().name);
    EXPECT_EQ(p.wire.size(), 4u);  // IKE_SA_INIT and IKE_AUTH, request and response
}

INSTANTIATE_TEST_SUITE_P(
    Ike, PskSuites,
    ::testing::Values(
        SuiteCase{gcm256_19, "AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256"},
        SuiteCase{cbc256_sha256_19, "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256"},
        SuiteCase{{EncryptionAlgorithm::aes_cbc_128, IntegrityAlgorithm::hmac_sha2_512_256,
                   PrfAlgorithm::hmac_sha2_512, DhGroup::modp_2048},
                  "AES_CBC_128/HMAC_SHA2_512_256/PRF_HMAC_SHA2_512/MODP_2048"},
        SuiteCase{{EncryptionAlgorithm::aes_gcm_16_128, IntegrityAlgorithm::none,
                   PrfAlgorithm::hmac_sha2_384, DhGroup::curve_25519},
                  "AES_GCM_16_128/PRF_HMAC_SHA2_384/CURVE_25519"},
        SuiteCase{{EncryptionAlgorithm::aes_cbc_256, IntegrityAlgorithm::hmac_sha2_384_192,
                   PrfAlgorithm::hmac_sha2_384, DhGroup::ecp_384},
                  "AES_CBC_256/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/ECP_384"}));

TEST(IkeEndpoint, SecretIsAWiresharkDecryptionTableLineThatDecryptsTheAuthRequest) {
    Pair p = psk_pair(cbc256_sha256_19);
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    ASSERT_EQ(p.a.secrets.size(), 1u);
    // SPIi,SPIr,SK_ei,SK_er,"AES-CBC-256 [RFC3602]",SK_ai,SK_ar,"HMAC_SHA2_256_128 [RFC4868]"
    std::vector<std::string> f = split(p.a.secrets[0]);
    ASSERT_EQ(f.size(), 8u);
    EXPECT_EQ(f[0], p.a.last("ike.sa_established")->text("spi_i"));
    EXPECT_EQ(f[4], "\"AES-CBC-256 [RFC3602]\"");
    EXPECT_EQ(f[7], "\"HMAC_SHA2_256_128 [RFC4868]\"");
    EXPECT_EQ(f[2].size(), 64u);
    EXPECT_EQ(f[5].size(), 64u);
    // Decrypt the IKE_AUTH request (the third datagram) with SK_ei/SK_ai as a third party.
    auto cipher = crypto::SkCipher::create(EncryptionAlgorithm::aes_cbc_256,
                                           IntegrityAlgorithm::hmac_sha2_256_128,
                                           from_hex(f[2]).value(), from_hex(f[5]).value())
                      .value();
    ASSERT_GE(p.wire.size(), 3u);
    auto m = wire_ike::decode(p.wire[2]).value();
    EXPECT_EQ(m.header.exchange_type, wire_ike::ExchangeType::ike_auth);
    auto parts = wire_ike::protected_parts(p.wire[2], m).value();
    auto plain = cipher.unprotect(parts.prefix, parts.body);
    ASSERT_TRUE(plain) << plain.error().what();
    auto sk = std::get<wire_ike::Encrypted>(m.payloads.back());
    auto inner = wire_ike::decode_payload_chain(sk.first_inner, *plain).value();
    auto const* idi = wire_ike::find_payload<wire_ike::IdI>(inner);
    ASSERT_NE(idi, nullptr);
    EXPECT_EQ(as_chars(idi->data), "a.example");
    auto const* auth = wire_ike::find_payload<wire_ike::Authentication>(inner);
    ASSERT_NE(auth, nullptr);
    EXPECT_EQ(auth->method, wire_ike::AuthMethod::shared_key_mic);
    EXPECT_NE(wire_ike::find_payload<wire_ike::TsI>(inner), nullptr);
}

TEST(IkeEndpoint, WrongPskFailsOnTheResponderWhichAnswersAuthenticationFailed) {
    Pair p = psk_pair(gcm256_19, "secret", "other");
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    ASSERT_EQ(p.b.count("ike.auth_failed"), 1u);
    EXPECT_EQ(p.b.last("ike.auth_failed")->text("side"), "peer");
    EXPECT_EQ(p.b.last("ike.auth_failed")->text("reason"), "pre-shared key AUTH does not match");
    ASSERT_EQ(p.a.count("ike.auth_failed"), 1u);
    EXPECT_EQ(p.a.last("ike.auth_failed")->text("reason"), "the peer sent AUTHENTICATION_FAILED");
    EXPECT_EQ(p.a.count("ike.sa_established"), 0u);
    EXPECT_EQ(p.b.count("ike.sa_established"), 0u);
    EXPECT_EQ(p.a.endpoint->sa_count(), 0u);
    EXPECT_EQ(p.b.endpoint->sa_count(), 0u);
}

TEST(IkeEndpoint, WrongIdentityFailsAuth) {
    auto a =
        psk_connection("to-b", ep("10.0.0.1:500"), ep("10.0.0.2:500"),
                       Identity::fqdn("mallory.example"), Identity::fqdn("b.example"), gcm256_19);
    auto b = psk_connection("to-a", ep("10.0.0.2:500"), ep("10.0.0.1:500"),
                            Identity::fqdn("b.example"), Identity::fqdn("a.example"), gcm256_19);
    Pair p(one(a), one(b));
    ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
    p.pump();
    ASSERT_EQ(p.b.count("ike.auth_failed"), 1u);
    EXPECT_EQ(p.b.last("ike.auth_failed")->text("reason"),
              "IDi fqdn:mallory.example is not fqdn:a.example");
}

TEST(IkeEndpoint, NoCommonProposalIsRefusedWithoutState) {
    auto a = psk_connection("to-b", ep("10.0.0.1:500"), ep("10.0.0.2:500"),
                            Identity::fqdn("a.example"), Identity::fqdn("b.example"), gcm256_19);
    auto b =
        psk_connection("to-a", ep("10.0.0.2:500"), ep("10.0.0.1:500"), Identity::fqdn("b.example"),
                       Identity::fqdn("a.example"), cbc256_sha256_19);
    Pair p(one(a), one(b));
    ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
    p.pump();
    EXPECT_EQ(p.b.endpoint->sa_count(), 0u);
    EXPECT_EQ(p.b.last("ike.negotiation_failed")->text("notify"), "NO_PROPOSAL_CHOSEN");
    EXPECT_EQ(p.a.last("ike.negotiation_failed")->text("reason"), "peer sent NO_PROPOSAL_CHOSEN");
    EXPECT_EQ(p.a.endpoint->sa_count(), 0u);
}

// ---- signatures ------------------------------------------------------------------------------

TEST(IkeEndpoint, EcdsaSignaturesThroughDelayedRequests) {
    Pki pki = make_pki(crypto::KeyType::ec_p256);
    Pair p = signature_pair(pki, crypto::SignatureScheme::ecdsa_sha256);
    p.answer_at_once = false;
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    // IKE_SA_INIT done; a waits for its signature and sends nothing meanwhile.
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::auth_sign_pending);
    EXPECT_EQ(p.wire.size(), 2u);
    ASSERT_EQ(p.a.held.size(), 1u);
    auto const& sign = std::get<IkeEndpoint::SignRequest>(p.a.held.front().operation);
    EXPECT_EQ(sign.key_label, "KEY_A");
    EXPECT_EQ(sign.scheme, crypto::SignatureScheme::ecdsa_sha256);
    p.advance(1s);
    EXPECT_EQ(p.wire.size(), 2u);
    p.answer_held(p.a);
    EXPECT_EQ(p.wire.size(), 3u);
    // b verifies a's AUTH, then signs its own.
    ASSERT_EQ(p.b.held.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<IkeEndpoint::VerifyRequest>(p.b.held.front().operation));
    p.answer_held(p.b);
    ASSERT_EQ(p.b.held.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<IkeEndpoint::SignRequest>(p.b.held.front().operation));
    p.advance(2s);  // a retransmits IKE_AUTH (2 s): b absorbs it, no response exists yet
    EXPECT_EQ(p.a.count("ike.retransmit"), 1u);
    EXPECT_EQ(p.b.endpoint->dropped(DropReason::request_in_progress), 1u);
    p.answer_held(p.b);
    // a verifies b's AUTH.
    ASSERT_EQ(p.a.held.size(), 1u);
    p.answer_held(p.a);
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::established);
    EXPECT_EQ(p.a.count("ike.sa_established"), 1u);
    EXPECT_EQ(p.b.count("ike.sa_established"), 1u);
    EXPECT_EQ(p.a.last("ike.sa_established")->text("local_auth"), "digital_signature");
    EXPECT_EQ(p.a.endpoint->next_timeout(), std::nullopt);
}

struct SchemeCase {
    crypto::KeyType key;
    crypto::SignatureScheme scheme;
};

class SignatureSchemes : public ::testing::TestWithParam<SchemeCase> {};

// Method 14 with RSA-PSS, ECDSA on P-384, and Ed25519 (RFC 8420: the identity hash).
TEST_P(SignatureSchemes, Establish) {
    Pki pki = make_pki(GetParam().key);
    Pair p = signature_pair(pki, GetParam().scheme);
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::established);
    EXPECT_EQ(p.b.count("ike.sa_established"), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Ike, SignatureSchemes,
    ::testing::Values(SchemeCase{crypto::KeyType::rsa_2048,
                                 crypto::SignatureScheme::rsa_pss_sha256},
                      SchemeCase{crypto::KeyType::ec_p384, crypto::SignatureScheme::ecdsa_sha384},
                      SchemeCase{crypto::KeyType::ed25519, crypto::SignatureScheme::ed25519}));

TEST(IkeEndpoint, BadSignatureFailsOnTheVerifyingSide) {
    Pki pki = make_pki(crypto::KeyType::ec_p256);
    Pki other = make_pki(crypto::KeyType::ec_p256);
    Pair p = signature_pair(pki, crypto::SignatureScheme::ecdsa_sha256);
    p.keys["KEY_A"] = &other.key_a;  // a signs with a key its certificate does not certify
    ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
    p.pump();
    ASSERT_EQ(p.b.count("ike.auth_failed"), 1u);
    EXPECT_EQ(p.b.last("ike.auth_failed")->text("side"), "peer");
    EXPECT_EQ(p.b.last("ike.auth_failed")->text("state"), "auth_verify_pending");
    EXPECT_EQ(p.a.count("ike.auth_failed"), 1u);
    EXPECT_EQ(p.a.count("ike.sa_established"), 0u);
}

TEST(IkeEndpoint, LateCompletionIsStaleAndAuthWaitIsBounded) {
    Pki pki = make_pki(crypto::KeyType::ec_p256);
    Pair p = signature_pair(pki, crypto::SignatureScheme::ecdsa_sha256);
    p.answer_at_once = false;
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    ASSERT_EQ(p.a.held.size(), 1u);
    // The default bound is the retransmission budget: 2 * (2^7 - 1) = 254 s.
    ASSERT_EQ(p.a.endpoint->next_timeout(), p.now + 254s);
    p.advance(254s);
    EXPECT_EQ(p.a.count("ike.auth_wait_timeout"), 1u);
    EXPECT_EQ(p.a.endpoint->state(*sa), std::nullopt);
    p.answer_held(p.a);  // too late
    EXPECT_EQ(p.a.count("ike.request_stale"), 1u);
    EXPECT_EQ(p.wire.size(), 2u);
    // b's half-open SA went after 30 s.
    EXPECT_EQ(p.b.count("ike.half_open_timeout"), 1u);
    EXPECT_EQ(p.b.endpoint->sa_count(), 0u);
}

// ---- loss, retransmission, hostile input ------------------------------------------------------

TEST(IkeEndpoint, LostResponseIsRetransmittedAndAnsweredFromTheCache) {
    Pair p = psk_pair(gcm256_19);
    int b_sent = 0;
    p.lose = [&](bool from_a, Bytes const&) {
        return !from_a && ++b_sent == 2;  // b's IKE_AUTH response is lost once
    };
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::auth_sent);
    EXPECT_EQ(p.b.count("ike.sa_established"), 1u);
    EXPECT_EQ(p.a.endpoint->next_timeout(), p.now + 2s);
    p.advance(2s);
    EXPECT_EQ(p.a.count("ike.retransmit"), 1u);
    EXPECT_EQ(p.b.count("ike.retransmit_answered"), 1u);
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::established);
    // The cached response is the same datagram.
    ASSERT_EQ(p.wire.size(), 6u);
    EXPECT_EQ(p.wire[3], p.wire[5]);
    EXPECT_EQ(p.wire[2], p.wire[4]);
}

TEST(IkeEndpoint, RetransmissionsDoubleAndGiveUpAfterIkeRetries) {
    Pair p = psk_pair(gcm256_19);
    p.lose = [](bool from_a, Bytes const&) { return from_a; };  // b never hears a
    auto start = p.now;
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    std::vector<Duration> expected{2s, 6s, 14s, 30s, 62s, 126s, 254s};
    EXPECT_EQ(p.run_timers(p.a, start), expected);
    EXPECT_EQ(p.a.count("ike.retransmit"), 6u);
    ASSERT_EQ(p.a.count("ike.retransmit_timeout"), 1u);
    auto const* e = p.a.last("ike.retransmit_timeout");
    EXPECT_EQ(e->text("exchange"), "IKE_SA_INIT");
    EXPECT_EQ(e->text("remote"), "10.0.0.2:500");
    EXPECT_EQ(p.a.endpoint->state(*sa), std::nullopt);
    EXPECT_EQ(p.wire.size(), 7u);
    for (auto const& d : p.wire)
        EXPECT_EQ(d, p.wire[0]);  // the same bytes every time
}

TEST(IkeEndpoint, FlippedBitIsDroppedByIcvAndCounted) {
    Pair p = psk_pair(cbc256_sha256_19);
    int a_sent = 0;
    p.lose = [&](bool from_a, Bytes const& d) {
        if (from_a && ++a_sent == 2) {
            Bytes bad = d;
            bad[bad.size() - 20] ^= 0x01;
            p.b.endpoint->handle_datagram(ep("10.0.0.2:500"), ep("10.0.0.1:500"), bad, p.now);
            return true;
        }
        return false;
    };
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    EXPECT_EQ(p.b.endpoint->dropped(DropReason::icv_failed), 1u);
    while (auto e = p.b.endpoint->poll_event())
        p.b.events.push_back(*e);
    EXPECT_EQ(p.b.last("ike.datagram_dropped")->text("reason"), "icv_failed");
    EXPECT_EQ(p.b.count("ike.sa_established"), 0u);
    EXPECT_EQ(p.b.endpoint->half_open_count(), 1u);
    p.advance(2s);  // the genuine retransmission gets through
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::established);
}

TEST(IkeEndpoint, GarbageAndUnknownSpisAreDroppedWithoutTouchingSas) {
    Pair p = psk_pair(gcm256_19);
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    auto& b = *p.b.endpoint;
    auto local = ep("10.0.0.2:500");
    auto from = ep("10.0.0.9:500");
    b.handle_datagram(local, from, Bytes{0xff}, p.now);
    b.handle_datagram(local, from, Bytes(10, 1), p.now);
    // An IKE_AUTH datagram whose SPIs no SA has.
    Bytes forged = p.wire[2];
    forged[9] ^= 0x55;
    b.handle_datagram(local, from, forged, p.now);
    // Truncations of the real IKE_AUTH request.
    for (std::size_t n = 0; n < p.wire[2].size(); n += 7)
        b.handle_datagram(local, from, ByteView(p.wire[2]).first(n), p.now);
    // The real one replayed: answered from the cache, nothing else.
    b.handle_datagram(local, from, p.wire[2], p.now);
    EXPECT_EQ(b.dropped(DropReason::not_ike), 1u);
    EXPECT_EQ(b.dropped(DropReason::unknown_spi), 1u);
    EXPECT_GT(b.dropped(DropReason::malformed), 10u);
    EXPECT_EQ(b.sa_count(), 1u);
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::established);
    // a's IKE_SA_INIT replayed after establishment: no second SA.
    b.handle_datagram(local, ep("10.0.0.1:500"), p.wire[0], p.now);
    EXPECT_EQ(b.dropped(DropReason::unexpected_message_id), 1u);
    EXPECT_EQ(b.sa_count(), 1u);
    EXPECT_EQ(b.half_open_count(), 0u);
    // A new IKE_SA_INIT (another SPIi) from an address no connection names.
    Bytes init = p.wire[0];
    init[0] ^= 0x01;
    b.handle_datagram(local, from, init, p.now);
    EXPECT_EQ(b.dropped(DropReason::no_connection), 1u);
}

TEST(IkeEndpoint, HalfOpenSasAreBounded) {
    IkeOptions options;
    options.half_open_max = 3;
    auto a = psk_connection("to-b", ep("10.0.0.1:500"), ep("10.0.0.2:500"),
                            Identity::fqdn("a.example"), Identity::fqdn("b.example"), gcm256_19);
    auto b = psk_connection("to-a", ep("10.0.0.2:500"), ep("10.0.0.1:500"),
                            Identity::fqdn("b.example"), Identity::fqdn("a.example"), gcm256_19);
    Pair p(one(a), one(b), 7, options);
    p.lose = [](bool from_a, Bytes const&) { return !from_a; };  // a never hears b
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
    p.pump();
    EXPECT_EQ(p.b.endpoint->half_open_count(), 3u);
    EXPECT_EQ(p.b.endpoint->dropped(DropReason::half_open_limit), 2u);
}

TEST(IkeEndpoint, DeleteRemovesBothSides) {
    Pair p = psk_pair(gcm256_19);
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    ASSERT_EQ(p.b.endpoint->sa_count(), 1u);
    ASSERT_TRUE(p.a.endpoint->delete_sa(*sa, p.now));
    p.pump();
    EXPECT_EQ(p.a.endpoint->sa_count(), 0u);
    EXPECT_EQ(p.b.endpoint->sa_count(), 0u);
    EXPECT_EQ(p.a.last("ike.sa_deleted")->text("reason"), "local");
    EXPECT_EQ(p.b.last("ike.sa_deleted")->text("reason"), "peer");
    auto m = wire_ike::decode(p.wire[4]).value();
    EXPECT_EQ(m.header.exchange_type, wire_ike::ExchangeType::informational);
    EXPECT_EQ(m.header.message_id, 2u);
    EXPECT_FALSE(p.a.endpoint->delete_sa(*sa, p.now));
}

TEST(IkeEndpoint, SameSeedsGiveTheSameBytes) {
    auto run = [](std::uint64_t seed) {
        Pair p = psk_pair(cbc256_sha256_19, "secret", "secret", seed);
        EXPECT_TRUE(p.a.endpoint->initiate("to-b", p.now));
        p.pump();
        return p.wire;
    };
    auto first = run(11);
    EXPECT_EQ(first.size(), 4u);
    EXPECT_EQ(first, run(11));
    EXPECT_NE(first, run(12));
}

struct CharonCase {
    char const* file;
    IkeProposal chosen;
    std::uint8_t number;  // charon's proposal number we accept
};

class CharonInit : public ::testing::TestWithParam<CharonCase> {};

// A real charon IKE_SA_INIT request (third_party/ike-samples) reaches a responder endpoint,
// which answers with a well-formed IKE_SA_INIT response choosing one of charon's proposals.
TEST_P(CharonInit, ResponderChoosesAProposal) {
    std::ifstream in(std::string(NSSLAB_SOURCE_DIR) + "/third_party/ike-samples/" + GetParam().file,
                     std::ios::binary);
    ASSERT_TRUE(in);
    Bytes datagram((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto stripped = wire_ike::strip_non_esp_marker(datagram);
    Bytes message = stripped ? Bytes(stripped->begin(), stripped->end()) : datagram;
    auto request = wire_ike::decode(message).value();
    auto lib = crypto::LibContext::deterministic(1, "Z").value();
    auto c = psk_connection("charon", ep("127.0.0.1:500"), ep("127.0.0.2:500"),
                            Identity::fqdn("z.example"), Identity::fqdn("charon.example"),
                            cbc256_sha256_19);
    IkeProposal gcm128_19{EncryptionAlgorithm::aes_gcm_16_128, IntegrityAlgorithm::none,
                          PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256};
    c.ike_proposals = {gcm256_19, gcm128_19, cbc256_sha256_19};
    IkeEndpoint z(one(c), *lib);
    z.handle_datagram(ep("127.0.0.1:500"), ep("127.0.0.2:500"), datagram, TimePoint{});
    auto t = z.poll_transmit();
    ASSERT_TRUE(t.has_value()) << z.dropped_total();
    auto answer = wire_ike::decode(t->bytes).value();
    EXPECT_TRUE(answer.header.response);
    EXPECT_FALSE(answer.header.initiator);
    EXPECT_EQ(answer.header.spi_i, request.header.spi_i);
    EXPECT_NE(answer.header.spi_r, 0u);
    auto const* sa = wire_ike::find_payload<wire_ike::SecurityAssociation>(answer.payloads);
    ASSERT_NE(sa, nullptr);
    ASSERT_EQ(sa->proposals.size(), 1u);
    EXPECT_EQ(sa->proposals[0].number, GetParam().number);
    auto const* ke = wire_ike::find_payload<wire_ike::KeyExchange>(answer.payloads);
    ASSERT_NE(ke, nullptr);
    EXPECT_EQ(ke->group, wire_ike::DhGroup::ecp_256);
    EXPECT_EQ(ke->data.size(), 64u);
    EXPECT_NE(wire_ike::find_payload<wire_ike::Nonce>(answer.payloads), nullptr);
    EXPECT_EQ(z.half_open_count(), 1u);
    EXPECT_TRUE(z.poll_secret().has_value());
    Event e;
    while (auto x = z.poll_event())
        if (x->name == "ike.sa_init_answered")
            e = *x;
    EXPECT_EQ(e.text("proposal"), to_string(GetParam().chosen));
}

INSTANTIATE_TEST_SUITE_P(
    Ike, CharonInit,
    ::testing::Values(CharonCase{"classic-f11-ike_sa_init_request.bin",
                                 {EncryptionAlgorithm::aes_gcm_16_128, IntegrityAlgorithm::none,
                                  PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256},
                                 1},
                      CharonCase{"rfc7427-f01-ike_sa_init_request.bin", cbc256_sha256_19, 1}));

}  // namespace
}  // namespace nsslab::ike
