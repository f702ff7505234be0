// IKE_SA_INIT retries and cookies (RFC 7296 §1.2, §2.6): the initiator resends after
// N(INVALID_KE_PAYLOAD) with a KE of the responder's group and after N(COOKIE) with the cookie
// first, bounded; the responder answers N(COOKIE) without keeping state once cookie_threshold
// SAs are half open, and checks the cookie statelessly. NAT detection (§2.23).
#include <gtest/gtest.h>

#include "nsslab/crypto/digest.hpp"
#include "nsslab/ike/endpoint.hpp"
#include "pair.hpp"

namespace nsslab::ike {
namespace {

using namespace test;
namespace w = wire_ike;

IkeProposal const gcm256_modp2048{EncryptionAlgorithm::aes_gcm_16_256, IntegrityAlgorithm::none,
                                  PrfAlgorithm::hmac_sha2_256, DhGroup::modp_2048};

w::Message decoded(Bytes const& datagram) {
    return w::decode(datagram).value();
}

// A responder's answer to `request` carrying only the notify `type` with `data`.
Bytes notify_answer(w::Message const& request, w::NotifyType type, Bytes data) {
    w::Message answer;
    answer.header = request.header;
    answer.header.initiator = false;
    answer.header.response = true;
    answer.payloads.push_back(w::Notify{w::ProtocolId::none, {}, type, std::move(data)});
    return w::encode(answer);
}

// a offers ECP-256 first and MODP-2048 second; b accepts only MODP-2048.
Pair invalid_ke_pair(IkeOptions b_options = {}) {
    auto [a, b] = psk_connections(gcm256_19);
    a.ike_proposals = {gcm256_19, gcm256_modp2048};
    b.ike_proposals = {gcm256_modp2048};
    Pair p(one(a), one(b));
    p.b.endpoint = std::make_unique<IkeEndpoint>(one(b), *p.b.lib, b_options);
    return p;
}

TEST(IkeInit, InvalidKeIsRetriedWithTheResponderGroup) {
    Pair p = invalid_ke_pair();
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    // HDR, SAi1, KEi(ECP_256), Ni -->  <-- N(INVALID_KE_PAYLOAD, MODP_2048)
    // HDR, SAi1, KEi(MODP_2048), Ni -->  <-- HDR, SAr1, KEr, Nr;  then IKE_AUTH
    ASSERT_EQ(p.wire.size(), 6u);
    auto first = decoded(p.wire[0]);
    auto refusal = decoded(p.wire[1]);
    auto retry = decoded(p.wire[2]);
    auto const* n = w::find_notify(refusal.payloads, w::NotifyType::invalid_ke_payload);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->data, (Bytes{0, 14}));
    EXPECT_EQ(retry.header.spi_i, first.header.spi_i);
    EXPECT_EQ(retry.header.message_id, 0u);
    EXPECT_EQ(w::find_payload<w::KeyExchange>(retry.payloads)->group, w::DhGroup::modp_2048);
    EXPECT_EQ(w::find_payload<w::Nonce>(retry.payloads)->data,
              w::find_payload<w::Nonce>(first.payloads)->data);
    EXPECT_EQ(w::find_payload<w::SecurityAssociation>(retry.payloads)->proposals.size(), 2u);
    ASSERT_EQ(p.a.count("ike.invalid_ke_retry"), 1u);
    EXPECT_EQ(p.a.last("ike.invalid_ke_retry")->text("group"), "MODP_2048");
    EXPECT_EQ(p.a.last("ike.invalid_ke_retry")->text("attempt"), "1");
    // AUTH signed the retried request (RealMessage1): both sides established.
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::established);
    ASSERT_EQ(p.b.count("ike.sa_established"), 1u);
    EXPECT_EQ(p.a.last("ike.sa_established")->text("proposal"),
              "AES_GCM_16_256/PRF_HMAC_SHA2_256/MODP_2048");
    EXPECT_EQ(p.b.endpoint->sa_count(), 1u);
    EXPECT_EQ(p.a.endpoint->dropped_total(), 0u);
}

TEST(IkeInit, InvalidKeForAGroupNotOfferedFails) {
    auto [a, b] = psk_connections(gcm256_19);
    auto lib = crypto::LibContext::deterministic(1, "A").value();
    for (std::uint16_t group : {std::uint16_t{14}, std::uint16_t{19}}) {
        IkeEndpoint f(one(a), *lib);
        ASSERT_TRUE(f.initiate("to-b", TimePoint{}));
        auto req = decoded(f.poll_transmit()->bytes);
        Bytes data;
        ByteWriter(data).u16(group);
        f.handle_datagram(a.local, a.remote,
                          notify_answer(req, w::NotifyType::invalid_ke_payload, data), TimePoint{});
        EXPECT_EQ(f.sa_count(), 0u);
        std::string reason;
        while (auto ev = f.poll_event())
            if (ev->name == "ike.negotiation_failed")
                reason = ev->text("reason");
        EXPECT_EQ(reason, group == 14 ? "peer sent INVALID_KE_PAYLOAD for group MODP_2048, which "
                                        "no proposal offers"
                                      : "peer sent INVALID_KE_PAYLOAD for group ECP_256, the "
                                        "group of our KE");
    }
}

TEST(IkeInit, CookieIsReturnedFirstAndTheSaEstablishes) {
    auto [a, b] = psk_connections(gcm256_19);
    IkeOptions options;
    options.cookie_threshold = 0;  // every IKE_SA_INIT needs a cookie
    Pair p(one(a), one(b), 7, options);
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    ASSERT_EQ(p.wire.size(), 6u);
    auto challenge = decoded(p.wire[1]);
    ASSERT_EQ(challenge.payloads.size(), 1u);
    auto const& cookie = std::get<w::Notify>(challenge.payloads[0]);
    EXPECT_EQ(cookie.type, w::NotifyType::cookie);
    EXPECT_EQ(cookie.data.size(), 36u);  // t (4) | SHA-256 (32)
    EXPECT_EQ(challenge.header.spi_r, 0u);
    auto retry = decoded(p.wire[2]);
    EXPECT_EQ(std::get<w::Notify>(retry.payloads.at(0)), cookie);
    EXPECT_EQ(retry.header.message_id, 0u);
    EXPECT_EQ(p.b.endpoint->cookies_sent(), 1u);
    EXPECT_EQ(p.b.count("ike.cookie_sent"), 1u);
    EXPECT_EQ(p.b.last("ike.cookie_sent")->text("reason"), "no cookie");
    EXPECT_EQ(p.a.count("ike.cookie_retry"), 1u);
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::established);
    EXPECT_EQ(p.b.count("ike.sa_established"), 1u);
}

TEST(IkeInit, CookieIsKeptAcrossInvalidKe) {
    IkeOptions options;
    options.cookie_threshold = 0;
    Pair p = invalid_ke_pair(options);
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    // request, N(COOKIE), request + cookie, N(INVALID_KE), request + cookie + KE', response,
    // IKE_AUTH request and response.
    ASSERT_EQ(p.wire.size(), 8u);
    auto cookie = std::get<w::Notify>(decoded(p.wire[1]).payloads.at(0));
    auto last_try = decoded(p.wire[4]);
    EXPECT_EQ(std::get<w::Notify>(last_try.payloads.at(0)), cookie);
    EXPECT_EQ(w::find_payload<w::KeyExchange>(last_try.payloads)->group, w::DhGroup::modp_2048);
    EXPECT_EQ(p.b.endpoint->cookies_sent(), 1u);
    EXPECT_EQ(p.a.count("ike.cookie_retry"), 1u);
    EXPECT_EQ(p.a.count("ike.invalid_ke_retry"), 1u);
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::established);
}

TEST(IkeInit, InitRetriesAreBounded) {
    auto [a, b] = psk_connections(gcm256_19);
    auto lib = crypto::LibContext::deterministic(1, "A").value();
    IkeEndpoint e(one(a), *lib);
    ASSERT_TRUE(e.initiate("to-b", TimePoint{}));
    std::size_t sent = 0;
    while (auto t = e.poll_transmit()) {
        ++sent;
        e.handle_datagram(a.local, a.remote,
                          notify_answer(decoded(t->bytes), w::NotifyType::cookie, Bytes(8, 0x55)),
                          TimePoint{});
    }
    EXPECT_EQ(sent, 1u + cookie_retries_max);
    EXPECT_EQ(e.sa_count(), 0u);
    std::string reason;
    std::size_t retries = 0;
    while (auto ev = e.poll_event()) {
        retries += ev->name == "ike.cookie_retry" ? 1 : 0;
        if (ev->name == "ike.negotiation_failed")
            reason = ev->text("reason");
    }
    EXPECT_EQ(retries, cookie_retries_max);
    EXPECT_EQ(reason, "peer sent COOKIE after 3 retries");
}

// A flood of IKE_SA_INIT requests (other SPIi, the connection's address) past cookie_threshold
// keeps no state; a real initiator still gets through with the cookie.
TEST(IkeInit, FloodPastTheThresholdKeepsNoStateAndARealInitiatorGetsThrough) {
    auto [a, b] = psk_connections(gcm256_19);
    IkeOptions options;
    options.cookie_threshold = 2;
    Pair p(one(a), one(b), 7, options);
    p.lose = [](bool from_a, Bytes const&) { return from_a; };
    ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
    p.pump();
    Bytes template_request = p.wire.at(0);
    p.lose = nullptr;
    ASSERT_TRUE(p.a.endpoint->delete_sa(1, p.now));  // the template's SA goes
    auto& responder = *p.b.endpoint;
    for (std::uint8_t i = 0; i < 100; ++i) {
        Bytes forged = template_request;
        forged[0] = i;
        forged[1] = 0xf1;
        responder.handle_datagram(a.remote, a.local, forged, p.now);
    }
    EXPECT_EQ(responder.sa_count(), 2u);  // the first two, below the threshold
    EXPECT_EQ(responder.half_open_count(), 2u);
    EXPECT_EQ(responder.cookies_sent(), 98u);
    while (auto t = responder.poll_transmit())
        ;  // the answers go nowhere
    while (auto ev = responder.poll_event())
        ;
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::established);
    EXPECT_EQ(p.a.count("ike.cookie_retry"), 1u);
    EXPECT_EQ(responder.cookies_sent(), 99u);
    EXPECT_EQ(responder.sa_count(), 3u);
}

// The cookie is checked statelessly: accepted under the current and the previous secret,
// refused (a new one sent) two periods later, for another SPIi and from another address.
TEST(IkeInit, CookieValidityIsBounded) {
    auto [a, b] = psk_connections(gcm256_19);
    IkeOptions options;
    options.cookie_threshold = 0;
    auto lib_a = crypto::LibContext::deterministic(1, "A").value();
    auto lib_b = crypto::LibContext::deterministic(1, "B").value();
    IkeEndpoint initiator(one(a), *lib_a);
    ASSERT_TRUE(initiator.initiate("to-b", TimePoint{}));
    auto request = decoded(initiator.poll_transmit()->bytes);
    TimePoint start = time_from_unix_seconds(1'800'000'000);
    auto with_cookie = [&](Bytes cookie, std::uint8_t spi_byte) {
        w::Message m = request;
        m.header.spi_i = (m.header.spi_i & ~std::uint64_t{0xff}) | spi_byte;
        m.payloads.insert(m.payloads.begin(),
                          w::Notify{w::ProtocolId::none, {}, w::NotifyType::cookie, cookie});
        return w::encode(m);
    };
    auto answer_to = [&](IkeEndpoint& r, Bytes const& datagram, TimePoint now,
                         Endpoint from) -> w::Message {
        r.handle_datagram(a.remote, from, datagram, now);
        auto t = r.poll_transmit();
        EXPECT_TRUE(t);
        return t ? decoded(t->bytes) : w::Message{};
    };
    auto is_cookie = [](w::Message const& m) {
        return w::find_notify(m.payloads, w::NotifyType::cookie) != nullptr;
    };
    for (int step = 0; step < 4; ++step) {
        // b also knows 10.0.0.9, so a cookie made for 10.0.0.1 can be tried from there.
        IkeConfig config = one(b);
        config.connections.push_back(b);
        config.connections.back().name = "to-c";
        config.connections.back().remote = ep("10.0.0.9:500");
        IkeEndpoint responder(std::move(config), *lib_b, options);
        Bytes plain = w::encode(request);
        auto first = answer_to(responder, plain, start, a.local);
        ASSERT_TRUE(is_cookie(first));
        Bytes cookie = w::find_notify(first.payloads, w::NotifyType::cookie)->data;
        Bytes spi_bytes = with_cookie(cookie, static_cast<std::uint8_t>(request.header.spi_i));
        switch (step) {
            case 0:  // 90 s later: the previous secret still holds
                EXPECT_FALSE(is_cookie(answer_to(responder, spi_bytes, start + 90s, a.local)));
                EXPECT_EQ(responder.sa_count(), 1u);
                break;
            case 1:  // two periods later: a new cookie
                EXPECT_TRUE(is_cookie(answer_to(responder, spi_bytes, start + 120s, a.local)));
                EXPECT_EQ(responder.sa_count(), 0u);
                break;
            case 2:  // another SPIi
                EXPECT_TRUE(is_cookie(answer_to(
                    responder,
                    with_cookie(cookie, static_cast<std::uint8_t>(request.header.spi_i + 1)), start,
                    a.local)));
                break;
            case 3:  // another address
                EXPECT_TRUE(is_cookie(answer_to(responder, spi_bytes, start, ep("10.0.0.9:500"))));
                EXPECT_EQ(responder.sa_count(), 0u);
                break;
        }
    }
}

// ---- NAT detection ----------------------------------------------------------------------------

Bytes nat_hash(std::uint64_t spi_i, std::uint64_t spi_r, char const* endpoint) {
    Endpoint e = ep(endpoint);
    Bytes in;
    ByteWriter(in).u64(spi_i);
    ByteWriter(in).u64(spi_r);
    in.insert(in.end(), e.address.raw().begin(), e.address.raw().begin() + 4);
    ByteWriter(in).u16(e.port);
    return crypto::sha1(in).value();
}

TEST(IkeInit, NatDetectionWithoutNat) {
    Pair p = psk_pair(gcm256_19);
    ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
    p.pump();
    // HDR, SAi1, KEi, Ni, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP) -->
    auto request = decoded(p.wire.at(0));
    std::uint64_t spi_i = request.header.spi_i;
    EXPECT_EQ(w::find_notify(request.payloads, w::NotifyType::nat_detection_source_ip)->data,
              nat_hash(spi_i, 0, "10.0.0.1:500"));
    EXPECT_EQ(w::find_notify(request.payloads, w::NotifyType::nat_detection_destination_ip)->data,
              nat_hash(spi_i, 0, "10.0.0.2:500"));
    auto response = decoded(p.wire.at(1));
    std::uint64_t spi_r = response.header.spi_r;
    EXPECT_EQ(w::find_notify(response.payloads, w::NotifyType::nat_detection_source_ip)->data,
              nat_hash(spi_i, spi_r, "10.0.0.2:500"));
    EXPECT_EQ(w::find_notify(response.payloads, w::NotifyType::nat_detection_destination_ip)->data,
              nat_hash(spi_i, spi_r, "10.0.0.1:500"));
    for (Node const* n : {&p.a, &p.b}) {
        ASSERT_EQ(n->count("ike.nat_detection"), 1u);
        EXPECT_EQ(n->last("ike.nat_detection")->text("nat"), "false");
    }
    EXPECT_EQ(p.b.count("ike.sa_established"), 1u);
}

// a (10.0.0.1:500) sits behind a NAT that b sees as 192.0.2.7:4500.
TEST(IkeInit, NatDetectionBehindANat) {
    auto [a, b] = psk_connections(gcm256_19);
    b.remote = ep("192.0.2.7:4500");
    Pair p(one(a), one(b));
    p.lose = [&](bool from_a, Bytes const& d) {
        if (from_a)
            p.b.endpoint->handle_datagram(ep("10.0.0.2:500"), ep("192.0.2.7:4500"), d, p.now);
        else
            p.a.endpoint->handle_datagram(ep("10.0.0.1:500"), ep("10.0.0.2:500"), d, p.now);
        return true;
    };
    auto sa = p.a.endpoint->initiate("to-b", p.now);
    ASSERT_TRUE(sa);
    p.pump();
    auto const* ea = p.a.last("ike.nat_detection");
    ASSERT_NE(ea, nullptr);
    EXPECT_EQ(ea->text("nat"), "true");
    EXPECT_EQ(ea->text("local_behind_nat"), "true");
    EXPECT_EQ(ea->text("peer_behind_nat"), "false");
    auto const* eb = p.b.last("ike.nat_detection");
    ASSERT_NE(eb, nullptr);
    EXPECT_EQ(eb->text("local_behind_nat"), "false");
    EXPECT_EQ(eb->text("peer_behind_nat"), "true");
    EXPECT_EQ(eb->text("from"), "192.0.2.7:4500");
    EXPECT_EQ(p.a.endpoint->state(*sa), SaState::established);
    EXPECT_EQ(p.b.count("ike.sa_established"), 1u);
}

TEST(IkeInit, NatDetectionCanBeOff) {
    auto [a, b] = psk_connections(gcm256_19);
    IkeOptions options;
    options.nat_detection = false;
    Pair p(one(a), one(b), 7, options);
    ASSERT_TRUE(p.a.endpoint->initiate("to-b", p.now));
    p.pump();
    for (std::size_t i : {0u, 1u})
        EXPECT_EQ(
            w::find_notify(decoded(p.wire.at(i)).payloads, w::NotifyType::nat_detection_source_ip),
            nullptr);
    EXPECT_EQ(p.a.count("ike.nat_detection") + p.b.count("ike.nat_detection"), 0u);
    EXPECT_EQ(p.b.count("ike.sa_established"), 1u);
}

}  // namespace
}  // namespace nsslab::ike
