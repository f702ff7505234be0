// Tests of the IKEv2 codec (codec.hpp): round trips of every payload, known-answer header bytes,
// truncation at every length, malformed chains and substructures, every documented bound, the
// unknown-payload rules, the SK/SKF framing helpers and the UDP encapsulation helpers.
#include "nsslab/wire_ike/codec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wire_ike_samples.hpp"

namespace nsslab::wire_ike {
namespace {

using ::testing::HasSubstr;

// --- hand-built bytes --------------------------------------------------------------------------

void put_u16(Bytes& out, std::size_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

// One payload: generic header (Next Payload, flags octet, length) and body.
Bytes raw_payload(PayloadType next, Bytes const& body, std::uint8_t flags = 0) {
    Bytes out{static_cast<std::uint8_t>(next), flags};
    put_u16(out, 4 + body.size());
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

Bytes cat(std::vector<Bytes> const& parts) {
    Bytes out;
    for (auto const& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

// A message with header fields of IKE_SA_INIT request, first payload `first` and the chain bytes.
Bytes raw_message(PayloadType first, Bytes const& chain) {
    Header const h{0x0102030405060708, 0, 0, ExchangeType::ike_sa_init, true, false, false, 0};
    Bytes out = encode(Message{h, {}});
    out[16] = static_cast<std::uint8_t>(first);
    out.insert(out.end(), chain.begin(), chain.end());
    out[24] = static_cast<std::uint8_t>(out.size() >> 24);
    out[25] = static_cast<std::uint8_t>(out.size() >> 16);
    out[26] = static_cast<std::uint8_t>(out.size() >> 8);
    out[27] = static_cast<std::uint8_t>(out.size());
    return out;
}

Bytes nonce_body(std::size_t n = 32) {
    return test::filled(n, 0x40);
}

Error decode_error_of(ByteView bytes) {
    auto r = decode(bytes);
    EXPECT_FALSE(r) << "decoded unexpectedly";
    return r ? Error{} : r.error();
}

void expect_round_trip(Message const& m) {
    Bytes const bytes = encode(m);
    auto r = decode(bytes);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(*r, m);
    EXPECT_EQ(encode(*r), bytes);  // canonical
}

Header sample_header() {
    return {
        0x56326dc8dd235ba1, 0x9250622b9107a2e1, 0, ExchangeType::ike_auth, true, false, false, 1};
}

// --- round trips -------------------------------------------------------------------------------

TEST(IkeCodecRoundTrip, EveryPayloadKindInOneMessage) {
    Message m{sample_header(), test::every_plain_payload()};
    m.payloads.push_back(Encrypted{PayloadType::idi, test::filled(48, 1)});
    std::vector<bool> seen(std::variant_size_v<Payload>, false);
    for (auto const& p : m.payloads)
        seen[p.index()] = true;
    seen[Payload(EncryptedFragment{}).index()] = true;  // covered by SkfMessage
    for (std::size_t i = 0; i < seen.size(); ++i)
        EXPECT_TRUE(seen[i]) << "no sample of payload alternative " << i;
    expect_round_trip(m);
}

TEST(IkeCodecRoundTrip, EachPayloadAlone) {
    for (auto const& p : test::every_plain_payload()) {
        SCOPED_TRACE(std::string(to_string(payload_type(p))));
        expect_round_trip(Message{sample_header(), {p}});
    }
}

TEST(IkeCodecRoundTrip, SkfMessage) {
    expect_round_trip(Message{sample_header(),
                              {EncryptedFragment{PayloadType::idi, 1, 3, test::filled(100, 7)}}});
    expect_round_trip(Message{sample_header(),
                              {EncryptedFragment{PayloadType::none, 3, 3, test::filled(20, 7)}}});
}

TEST(IkeCodecRoundTrip, EmptyMessageAndEmptySk) {
    expect_round_trip(Message{sample_header(), {}});
    expect_round_trip(Message{sample_header(), {Encrypted{PayloadType::none, {}}}});
}

TEST(IkeCodecRoundTrip, HeaderFieldsAndFlags) {
    for (int bits = 0; bits < 8; ++bits) {
        Header h{~0ull,
                 1,
                 7,
                 ExchangeType::informational,
                 (bits & 1) != 0,
                 (bits & 2) != 0,
                 (bits & 4) != 0,
                 0xfffffffe};
        expect_round_trip(Message{h, {Nonce{nonce_body()}}});
    }
    Header unknown_exchange = sample_header();
    unknown_exchange.exchange_type = static_cast<ExchangeType>(99);
    expect_round_trip(Message{unknown_exchange, {}});
}

TEST(IkeCodecRoundTrip, KnownAnswerHeaderAndNonce) {
    Header const h{
        0x0102030405060708, 0x1112131415161718, 0, ExchangeType::ike_auth, true, false, true,
        0x0a0b0c0d};
    Bytes const bytes = encode(Message{h, {Nonce{test::filled(16, 0xa0)}}});
    EXPECT_EQ(to_hex(bytes),
              "0102030405060708"  // SPIi
              "1112131415161718"  // SPIr
              "28202328"          // Next Payload Nonce, version 2.0, IKE_AUTH, flags I|R
              "0a0b0c0d"          // Message ID
              "00000030"          // Length 48
              "00000014"          // Nonce generic header, length 20
              "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
}

TEST(IkeCodecRoundTrip, KnownAnswerSaProposal) {
    SecurityAssociation sa{
        {Proposal{1,
                  ProtocolId::ike,
                  {},
                  {Transform::encr(EncrId::aes_gcm_16, 128), Transform::prf(PrfId::hmac_sha2_256),
                   Transform::dh(DhGroup::ecp_256)}}}};
    // The SA payload of classic-f11-ike_sa_init_request.bin as charon sent it, but for Next
    // Payload (there KE, 0x22; here the chain ends).
    EXPECT_EQ(to_hex(encode_payload_chain(std::vector<Payload>{sa})),
              "00000028"                  // SA generic header, length 40
              "0000002401010003"          // last proposal, length 36, #1, IKE, SPI size 0, 3
              "0300000c01000014800e0080"  // ENCR_AES_GCM_16, KEY_LENGTH 128
              "0300000802000005"          // PRF_HMAC_SHA2_256
              "0000000804000013");        // last transform: ECP_256
}

TEST(IkeCodecRoundTrip, InnerChain) {
    auto const payloads = test::every_plain_payload();
    Bytes const plaintext = encode_payload_chain(payloads);
    auto r = decode_payload_chain(payload_type(payloads.front()), plaintext, 48);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(*r, payloads);
    EXPECT_EQ(encode_payload_chain(*r), plaintext);

    EXPECT_TRUE(encode_payload_chain({}).empty());
    auto empty = decode_payload_chain(PayloadType::none, {}, 48);
    ASSERT_TRUE(empty) << empty.error().what();
    EXPECT_TRUE(empty->empty());
}

TEST(IkeCodecRoundTrip, KnownPayloadWithCriticalBitIsAcceptedAndSentWithout) {
    Bytes const bytes =
        raw_message(PayloadType::nonce, raw_payload(PayloadType::none, nonce_body(), 0x80));
    auto r = decode(bytes);
    ASSERT_TRUE(r) << r.error().what();
    ASSERT_EQ(r->payloads.size(), 1u);
    EXPECT_EQ(std::get<Nonce>(r->payloads[0]).data, nonce_body());
    Bytes again = encode(*r);
    EXPECT_EQ(again[header_size + 1], 0);  // the critical bit is not echoed
}

TEST(IkeCodecRoundTrip, ReservedFieldsIgnored) {
    Bytes body{0, 19, 0xff, 0xff};  // KE group 19, RESERVED not zero
    Bytes const data = test::filled(64, 1);
    body.insert(body.end(), data.begin(), data.end());
    auto r = decode(raw_message(PayloadType::ke, raw_payload(PayloadType::none, body, 0x7f)));
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(std::get<KeyExchange>(r->payloads[0]), (KeyExchange{DhGroup::ecp_256, data}));
}

// --- unknown payloads ---------------------------------------------------------------------------

TEST(IkeCodecUnknown, NonCriticalIsKeptWithItsType) {
    Bytes const bytes = raw_message(static_cast<PayloadType>(200),
                                    cat({raw_payload(PayloadType::nonce, {1, 2, 3}),
                                         raw_payload(PayloadType::none, nonce_body())}));
    auto r = decode(bytes);
    ASSERT_TRUE(r) << r.error().what();
    ASSERT_EQ(r->payloads.size(), 2u);
    EXPECT_EQ(std::get<UnknownPayload>(r->payloads[0]),
              (UnknownPayload{static_cast<PayloadType>(200), {1, 2, 3}}));
    EXPECT_EQ(payload_type(r->payloads[0]), static_cast<PayloadType>(200));
    EXPECT_EQ(encode(*r), bytes);
}

TEST(IkeCodecUnknown, CriticalIsRejectedNamingTheType) {
    Bytes const bytes = raw_message(PayloadType::nonce,
                                    cat({raw_payload(static_cast<PayloadType>(200), nonce_body()),
                                         raw_payload(PayloadType::none, {1, 2, 3}, 0x80)}));
    Error const e = decode_error_of(bytes);
    EXPECT_EQ(e.code, Errc::unsupported);
    EXPECT_THAT(e.message, HasSubstr("offset 64: payload type 200"));
    EXPECT_THAT(e.message, HasSubstr("UNSUPPORTED_CRITICAL_PAYLOAD"));
    EXPECT_EQ(unsupported_critical_payload(bytes), std::optional<std::uint8_t>(200));
    EXPECT_FALSE(invalid_major_version(bytes));
}

TEST(IkeCodecUnknown, CriticalInsideAnEncryptedChain) {
    Bytes const chain = raw_payload(PayloadType::none, {}, 0x80);
    auto r = decode_payload_chain(static_cast<PayloadType>(54), chain, 48);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("offset 48"));
    EXPECT_EQ(unsupported_critical_payload(static_cast<PayloadType>(54), chain),
              std::optional<std::uint8_t>(54));
}

TEST(IkeCodecUnknown, OtherErrorsNameNoCriticalPayload) {
    EXPECT_EQ(unsupported_critical_payload(Bytes(10, 0)), std::nullopt);
    // A non-critical unknown payload, and a malformed header, name none.
    Bytes const chain = raw_payload(static_cast<PayloadType>(200), {1, 2, 3});
    EXPECT_EQ(unsupported_critical_payload(static_cast<PayloadType>(200), chain), std::nullopt);
    EXPECT_EQ(unsupported_critical_payload(PayloadType::nonce, Bytes{0, 0, 0, 2}), std::nullopt);
}

// --- header and chain errors --------------------------------------------------------------------

TEST(IkeCodecErrors, TruncatedAtEveryLength) {
    Bytes const full = test::sample_message("rfc7427-f01-ike_sa_init_request.bin");
    ASSERT_EQ(full.size(), 388u);
    for (std::size_t n = 0; n < full.size(); ++n) {
        SCOPED_TRACE(n);
        Error const e = decode_error_of(ByteView(full).first(n));
        EXPECT_EQ(e.code, Errc::truncated) << e.message;
        EXPECT_THAT(e.message, HasSubstr("ike: offset ")) << e.message;
    }
}

TEST(IkeCodecErrors, TruncatedAtEveryLengthWithMatchingHeaderLength) {
    // The header's Length agrees with the cut, so the payload chain itself is cut short: every
    // cut must fail inside the chain, naming an offset within the message.
    Bytes const full = test::sample_message("rfc7427-f01-ike_sa_init_request.bin");
    for (std::size_t n = header_size; n < full.size(); ++n) {
        SCOPED_TRACE(n);
        Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
        cut[24] = static_cast<std::uint8_t>(n >> 24);
        cut[25] = static_cast<std::uint8_t>(n >> 16);
        cut[26] = static_cast<std::uint8_t>(n >> 8);
        cut[27] = static_cast<std::uint8_t>(n);
        Error const e = decode_error_of(cut);
        EXPECT_THAT(e.message, HasSubstr("ike: offset ")) << e.message;
        EXPECT_NE(e.message.find("payload"), std::string::npos) << e.message;
        std::size_t const offset = std::stoul(e.message.substr(e.message.find("offset ") + 7));
        EXPECT_GE(offset, header_size);
        EXPECT_LE(offset, n) << e.message;
    }
}

TEST(IkeCodecErrors, HeaderChecks) {
    Bytes good = raw_message(PayloadType::nonce, raw_payload(PayloadType::none, nonce_body()));
    ASSERT_TRUE(decode(good));

    Error e = decode_error_of(ByteView(good).first(27));
    EXPECT_EQ(e.message, "ike: offset 0: header: needs 28 octets, have 27");

    for (std::uint8_t version : {0x10, 0x30, 0x00}) {
        Bytes v = good;
        v[17] = version;
        e = decode_error_of(v);
        EXPECT_EQ(e.code, Errc::unsupported);
        EXPECT_THAT(e.message, HasSubstr("offset 17: header: major version"));
        EXPECT_TRUE(invalid_major_version(v));
    }
    EXPECT_FALSE(invalid_major_version(good));
    Bytes minor = good;
    minor[17] = 0x2f;  // minor versions are accepted and kept
    auto r = decode(minor);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header.minor_version, 15);

    Bytes longer = good;
    longer[27] = static_cast<std::uint8_t>(longer[27] + 1);
    e = decode_error_of(longer);
    EXPECT_EQ(e.code, Errc::truncated);
    EXPECT_EQ(e.message, "ike: offset 24: header: Length 65 but the message has 64 octets");

    Bytes shorter = good;
    shorter[27] = static_cast<std::uint8_t>(shorter[27] - 1);
    e = decode_error_of(shorter);
    EXPECT_EQ(e.code, Errc::decode_error);
    EXPECT_THAT(e.message, HasSubstr("offset 24: header: Length 63"));
}

TEST(IkeCodecErrors, MessageSizeBound) {
    // A chain of Vendor IDs filling exactly max_message_size decodes; one octet more does not.
    auto build = [](std::size_t total) {
        std::size_t const chain = total - header_size;
        std::size_t const vendor_body = 65000;
        Bytes bytes = cat({raw_payload(PayloadType::vendor_id, Bytes(vendor_body, 1)),
                           raw_payload(PayloadType::none, Bytes(chain - 8 - vendor_body, 2))});
        return raw_message(PayloadType::vendor_id, bytes);
    };
    auto ok = decode(build(max_message_size));
    ASSERT_TRUE(ok) << ok.error().what();
    Error const e = decode_error_of(build(max_message_size + 1));
    EXPECT_EQ(e.code, Errc::oversized);
    EXPECT_EQ(e.message, "ike: offset 0: header: message of 65536 octets above maximum 65535");
}

TEST(IkeCodecErrors, PayloadLengthBelowFourOrOverrunning) {
    Bytes bytes = raw_message(PayloadType::nonce, raw_payload(PayloadType::none, nonce_body()));
    bytes[header_size + 3] = 3;
    bytes[header_size + 2] = 0;
    Error e = decode_error_of(bytes);
    EXPECT_EQ(e.code, Errc::decode_error);
    EXPECT_EQ(e.message, "ike: offset 28: Nonce payload: length 3 below minimum 4");

    bytes[header_size + 3] = 37;  // 36 octets are left
    e = decode_error_of(bytes);
    EXPECT_EQ(e.code, Errc::truncated);
    EXPECT_EQ(e.message,
              "ike: offset 28: Nonce payload: length 37 overruns the message: 36 octets left");
}

TEST(IkeCodecErrors, TrailingOctetsAfterTheLastPayload) {
    Bytes const chain = cat({raw_payload(PayloadType::none, nonce_body()), Bytes{0, 0, 0}});
    Error const e = decode_error_of(raw_message(PayloadType::nonce, chain));
    EXPECT_EQ(e.code, Errc::decode_error);
    EXPECT_EQ(e.message, "ike: offset 64: end of chain: 3 octets after the last payload");

    auto inner = decode_payload_chain(PayloadType::none, Bytes{1}, 48);
    ASSERT_FALSE(inner);
    EXPECT_EQ(inner.error().message,
              "ike: offset 48: end of chain: 1 octets after the last payload");
}

TEST(IkeCodecErrors, ChainThatDoesNotTerminate) {
    Bytes const chain = raw_payload(PayloadType::notify, nonce_body());  // announces a Notify
    Error const e = decode_error_of(raw_message(PayloadType::nonce, chain));
    EXPECT_EQ(e.code, Errc::truncated);
    EXPECT_EQ(e.message, "ike: offset 64: N payload: generic header needs 4 octets, 0 left");
}

TEST(IkeCodecErrors, TooManyPayloads) {
    auto chain_of = [](std::size_t n) {
        Bytes chain;
        for (std::size_t i = 0; i < n; ++i) {
            Bytes const p =
                raw_payload(i + 1 == n ? PayloadType::none : PayloadType::vendor_id, {});
            chain.insert(chain.end(), p.begin(), p.end());
        }
        return raw_message(PayloadType::vendor_id, chain);
    };
    auto ok = decode(chain_of(max_payloads));
    ASSERT_TRUE(ok) << ok.error().what();
    EXPECT_EQ(ok->payloads.size(), max_payloads);
    Error const e = decode_error_of(chain_of(max_payloads + 1));
    EXPECT_EQ(e.code, Errc::oversized);
    EXPECT_EQ(e.message, "ike: offset 284: V payload: more than 64 payloads in one chain");
}

TEST(IkeCodecErrors, EncryptedPayloadMustBeLast) {
    Bytes const chain = cat(
        {raw_payload(PayloadType::nonce, {1, 2, 3}), raw_payload(PayloadType::none, nonce_body())});
    Error e = decode_error_of(raw_message(PayloadType::sk, chain));
    EXPECT_EQ(e.code, Errc::decode_error);
    EXPECT_EQ(e.message, "ike: offset 28: SK payload: must be the last payload, 36 octets follow");

    e = decode_error_of(
        raw_message(PayloadType::skf, cat({raw_payload(PayloadType::nonce, {0, 1, 0, 1}),
                                           raw_payload(PayloadType::none, nonce_body())})));
    EXPECT_THAT(e.message, HasSubstr("SKF payload: must be the last payload"));
}

TEST(IkeCodecErrors, EncryptedPayloadInsideAnEncryptedChain) {
    for (PayloadType t : {PayloadType::sk, PayloadType::skf}) {
        auto r = decode_payload_chain(t, raw_payload(PayloadType::none, {0, 1, 0, 1}), 48);
        ASSERT_FALSE(r);
        EXPECT_THAT(r.error().message, HasSubstr("offset 48"));
        EXPECT_THAT(r.error().message, HasSubstr("not allowed inside an encrypted payload chain"));
    }
}

// --- payload bodies -----------------------------------------------------------------------------

Error payload_error(PayloadType type, Bytes const& body) {
    return decode_error_of(raw_message(type, raw_payload(PayloadType::none, body)));
}

TEST(IkeCodecPayloads, MinimumLengths) {
    struct Case {
        PayloadType type;
        std::size_t min_length;
    };
    Case const cases[] = {
        {PayloadType::ke, 8},     {PayloadType::idi, 8},     {PayloadType::idr, 8},
        {PayloadType::cert, 5},   {PayloadType::certreq, 5}, {PayloadType::auth, 8},
        {PayloadType::nonce, 20}, {PayloadType::notify, 8},  {PayloadType::delete_payload, 8},
        {PayloadType::tsi, 8},    {PayloadType::tsr, 8},     {PayloadType::cp, 8},
        {PayloadType::skf, 8},
    };
    for (auto const& c : cases) {
        SCOPED_TRACE(std::string(to_string(c.type)));
        Error const e = payload_error(c.type, Bytes(c.min_length - 5, 0));
        EXPECT_EQ(e.code, Errc::decode_error);
        EXPECT_EQ(e.message, "ike: offset 28: " + std::string(to_string(c.type)) +
                                 " payload: length " + std::to_string(c.min_length - 1) +
                                 " below minimum " + std::to_string(c.min_length));
    }
    // Opaque payloads may be empty.
    for (PayloadType t : {PayloadType::vendor_id, PayloadType::eap, PayloadType::sk}) {
        auto r = decode(raw_message(t, raw_payload(PayloadType::none, {})));
        EXPECT_TRUE(r) << to_string(t);
    }
}

TEST(IkeCodecPayloads, NonceBounds) {
    for (std::size_t n : {min_nonce_size, max_nonce_size}) {
        auto r =
            decode(raw_message(PayloadType::nonce, raw_payload(PayloadType::none, nonce_body(n))));
        EXPECT_TRUE(r) << n;
    }
    Error e = payload_error(PayloadType::nonce, nonce_body(min_nonce_size - 1));
    EXPECT_EQ(e.message, "ike: offset 28: Nonce payload: length 19 below minimum 20");
    e = payload_error(PayloadType::nonce, nonce_body(max_nonce_size + 1));
    EXPECT_EQ(e.code, Errc::oversized);
    EXPECT_EQ(e.message, "ike: offset 28: Nonce payload: length 261 above maximum 260");
}

TEST(IkeCodecPayloads, KeyExchangeBound) {
    Bytes body{0, 14, 0, 0};
    body.resize(4 + max_ke_data_size, 1);
    EXPECT_TRUE(decode(raw_message(PayloadType::ke, raw_payload(PayloadType::none, body))));
    body.push_back(1);
    EXPECT_EQ(payload_error(PayloadType::ke, body).code, Errc::oversized);
}

// An SA payload body with one IKE proposal of `transforms` (raw transform substructures).
Bytes proposal(std::uint8_t last, std::uint8_t count, Bytes const& transforms,
               Bytes const& spi = {}) {
    Bytes p{last, 0};
    put_u16(p, 8 + spi.size() + transforms.size());
    p.insert(p.end(), {1, 1, static_cast<std::uint8_t>(spi.size()), count});
    p.insert(p.end(), spi.begin(), spi.end());
    p.insert(p.end(), transforms.begin(), transforms.end());
    return p;
}
Bytes transform(std::uint8_t last, Bytes const& attributes = {}) {
    Bytes t{last, 0};
    put_u16(t, 8 + attributes.size());
    t.insert(t.end(), {4, 0, 0, 19});
    t.insert(t.end(), attributes.begin(), attributes.end());
    return t;
}

TEST(IkeCodecPayloads, SaSubstructureErrors) {
    struct Case {
        char const* name;
        Bytes body;
        std::string message;
    };
    Case const cases[] = {
        {"empty SA", {}, "ike: offset 32: SA payload: proposal 1: needs 4 octets, 0 left"},
        {"bad Last Substruc", proposal(1, 1, transform(0)),
         "ike: offset 32: SA payload: proposal 1: Last Substruc 1 is neither 0 nor 2"},
        {"more announced, none follows", proposal(2, 1, transform(0)),
         "ike: offset 32: SA payload: proposal 1: Last Substruc 2 announces another, but none "
         "follows"},
        {"last, but more follows",
         cat({proposal(0, 1, transform(0)), proposal(0, 1, transform(0))}),
         "ike: offset 32: SA payload: proposal 1: Last Substruc 0 but 16 octets follow"},
        {"proposal below 8", Bytes{0, 0, 0, 7, 1, 1, 0, 1},
         "ike: offset 32: SA payload: proposal 1: length 7 below minimum 8"},
        {"proposal overruns", Bytes{0, 0, 0, 9, 1, 1, 0, 1},
         "ike: offset 32: SA payload: proposal 1: length 9 overruns its container: 8 octets left"},
        {"no transform", proposal(0, 0, {}),
         "ike: offset 39: SA payload: proposal 1: no transform"},
        {"Num Transforms too small", proposal(0, 1, cat({transform(3), transform(0)})),
         "ike: offset 39: SA payload: proposal 1: Num Transforms 1 but more follow"},
        {"Num Transforms too large", proposal(0, 2, transform(0)),
         "ike: offset 39: SA payload: proposal 1: Num Transforms 2 but 1 present"},
        {"transform Last Substruc", proposal(0, 1, transform(2)),
         "ike: offset 40: SA payload: proposal 1: transform 1: Last Substruc 2 is neither 0 nor 3"},
        {"SPI too long", proposal(0, 1, transform(0), Bytes(9, 1)),
         "ike: offset 38: SA payload: proposal 1: SPI Size 9 above maximum 8"},
        {"attribute cut", proposal(0, 1, transform(0, {0x80, 0x0e, 0})),
         "ike: offset 48: SA payload: proposal 1: transform 1: attribute 1: needs 4 octets, 3 "
         "left"},
        {"TLV attribute overruns", proposal(0, 1, transform(0, {0x00, 0x05, 0, 1})),
         "ike: offset 48: SA payload: proposal 1: transform 1: attribute 1: value length 1 "
         "overruns the transform: 0 octets left"},
    };
    for (auto const& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(payload_error(PayloadType::sa, c.body).message, c.message);
    }
}

TEST(IkeCodecPayloads, SaBounds) {
    auto proposals = [](std::size_t n) {
        Bytes body;
        for (std::size_t i = 0; i < n; ++i) {
            Bytes const p = proposal(i + 1 == n ? 0 : 2, 1, transform(0));
            body.insert(body.end(), p.begin(), p.end());
        }
        return body;
    };
    EXPECT_TRUE(decode(
        raw_message(PayloadType::sa, raw_payload(PayloadType::none, proposals(max_proposals)))));
    Error e = payload_error(PayloadType::sa, proposals(max_proposals + 1));
    EXPECT_EQ(e.code, Errc::oversized);
    EXPECT_THAT(e.message, HasSubstr("SA payload: more than 64 proposals"));

    auto transforms = [](std::size_t n) {
        Bytes out;
        for (std::size_t i = 0; i < n; ++i) {
            Bytes const t = transform(i + 1 == n ? 0 : 3);
            out.insert(out.end(), t.begin(), t.end());
        }
        return out;
    };
    EXPECT_TRUE(decode(raw_message(
        PayloadType::sa,
        raw_payload(PayloadType::none, proposal(0, max_transforms, transforms(max_transforms))))));
    e = payload_error(PayloadType::sa,
                      proposal(0, max_transforms + 1, transforms(max_transforms + 1)));
    EXPECT_EQ(e.code, Errc::oversized);
    EXPECT_EQ(e.message, "ike: offset 39: SA payload: proposal 1: 129 transforms, at most 128");

    Bytes attributes;
    for (std::size_t i = 0; i <= max_transform_attributes; ++i)
        attributes.insert(attributes.end(), {0x80, 0x0e, 0x01, 0x00});
    e = payload_error(PayloadType::sa, proposal(0, 1, transform(0, attributes)));
    EXPECT_EQ(e.code, Errc::oversized);
    EXPECT_THAT(e.message, HasSubstr("transform 1: more than 8 attributes"));
}

TEST(IkeCodecPayloads, NotifyAndDeleteSpis) {
    Error e = payload_error(PayloadType::notify, {3, 9, 0x40, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    EXPECT_EQ(e.code, Errc::oversized);
    EXPECT_EQ(e.message, "ike: offset 33: N payload: SPI Size 9 above maximum 8");
    e = payload_error(PayloadType::notify, {3, 4, 0x40, 0x09, 1, 2, 3});
    EXPECT_EQ(e.code, Errc::truncated);
    EXPECT_EQ(e.message,
              "ike: offset 33: N payload: SPI Size 4 overruns the payload: 3 octets left");

    e = payload_error(PayloadType::delete_payload, {3, 4, 0, 2, 1, 2, 3, 4, 5, 6, 7});
    EXPECT_EQ(e.message,
              "ike: offset 34: D payload: 2 SPIs of 4 octets need 8 octets, the payload has 7");
    e = payload_error(PayloadType::delete_payload, {3, 9, 0, 0});
    EXPECT_EQ(e.code, Errc::oversized);

    Bytes many{3, 4};
    put_u16(many, max_delete_spis + 1);
    many.resize(4 + 4 * (max_delete_spis + 1), 1);
    e = payload_error(PayloadType::delete_payload, many);
    EXPECT_EQ(e.code, Errc::oversized);
    EXPECT_EQ(e.message, "ike: offset 34: D payload: 1025 SPIs, at most 1024");
    many[3] = static_cast<std::uint8_t>(max_delete_spis);
    many[2] = static_cast<std::uint8_t>(max_delete_spis >> 8);
    many.resize(4 + 4 * max_delete_spis);
    EXPECT_TRUE(
        decode(raw_message(PayloadType::delete_payload, raw_payload(PayloadType::none, many))));
}

Bytes ts_v4(std::uint8_t type = 7, std::size_t length = 16) {
    Bytes s{type, 0};
    put_u16(s, length);
    s.insert(s.end(), {0, 0, 0xff, 0xff, 127, 0, 0, 1, 127, 0, 0, 1});
    return s;
}

TEST(IkeCodecPayloads, TrafficSelectorErrors) {
    auto body = [](std::uint8_t count, Bytes const& selectors) {
        Bytes b{count, 0, 0, 0};
        b.insert(b.end(), selectors.begin(), selectors.end());
        return b;
    };
    EXPECT_EQ(payload_error(PayloadType::tsi, body(0, {})).message,
              "ike: offset 32: TSi payload: no traffic selector");
    EXPECT_EQ(payload_error(PayloadType::tsi, body(2, ts_v4())).message,
              "ike: offset 52: TSi payload: traffic selector 2: needs 4 octets, 0 left");
    EXPECT_EQ(payload_error(PayloadType::tsr, body(1, cat({ts_v4(), Bytes{0}}))).message,
              "ike: offset 52: TSr payload: 1 octets after 1 traffic selectors");
    EXPECT_EQ(payload_error(PayloadType::tsi, body(1, ts_v4(7, 40))).message,
              "ike: offset 38: TSi payload: traffic selector 1: Selector Length 40, "
              "TS_IPV4_ADDR_RANGE has 16");
    Error e = payload_error(PayloadType::tsi, body(1, ts_v4(9)));
    EXPECT_EQ(e.code, Errc::unknown_type);
    EXPECT_EQ(
        e.message,
        "ike: offset 36: TSi payload: traffic selector 1: TS Type 9 is not 7 (IPv4) or 8 (IPv6)");
    Bytes v6 = ts_v4(8, 40);
    e = payload_error(PayloadType::tsi, body(1, v6));
    EXPECT_EQ(e.code, Errc::truncated);
    EXPECT_EQ(e.message,
              "ike: offset 36: TSi payload: traffic selector 1: needs 40 octets, 16 left");

    Bytes many;
    for (std::size_t i = 0; i <= max_traffic_selectors; ++i) {
        Bytes const s = ts_v4();
        many.insert(many.end(), s.begin(), s.end());
    }
    e = payload_error(PayloadType::tsi,
                      body(static_cast<std::uint8_t>(max_traffic_selectors + 1), many));
    EXPECT_EQ(e.code, Errc::oversized);
    EXPECT_EQ(e.message, "ike: offset 32: TSi payload: 33 traffic selectors, at most 32");
}

TEST(IkeCodecPayloads, ConfigurationAttributes) {
    Bytes body{1, 0, 0, 0};
    for (std::size_t i = 0; i <= max_cfg_attributes; ++i)
        body.insert(body.end(), {0, 1, 0, 0});
    Error e = payload_error(PayloadType::cp, body);
    EXPECT_EQ(e.code, Errc::oversized);
    EXPECT_EQ(e.message, "ike: offset 292: CP payload: more than 64 attributes");
    e = payload_error(PayloadType::cp, {1, 0, 0, 0, 0, 1, 0, 5, 1});
    EXPECT_EQ(
        e.message,
        "ike: offset 36: CP payload: attribute 1: length 5 overruns the payload: 1 octets left");
    // The R bit is reserved: ignored on receipt.
    auto r = decode(
        raw_message(PayloadType::cp, raw_payload(PayloadType::none, {2, 0, 0, 0, 0x80, 1, 0, 0})));
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(std::get<Configuration>(r->payloads[0]).attributes.at(0).type, 1);
}

TEST(IkeCodecPayloads, FragmentNumbers) {
    struct Case {
        std::uint16_t number, total;
        Errc code;
        char const* message;
    };
    Case const cases[] = {
        {0, 2, Errc::decode_error, "ike: offset 32: SKF payload: Fragment Number 0 not in 1..2"},
        {3, 2, Errc::decode_error, "ike: offset 32: SKF payload: Fragment Number 3 not in 1..2"},
        {1, 0, Errc::decode_error, "ike: offset 34: SKF payload: Total Fragments 0 not in 1..128"},
        {1, 129, Errc::oversized, "ike: offset 34: SKF payload: Total Fragments 129 not in 1..128"},
    };
    for (auto const& c : cases) {
        Bytes body;
        put_u16(body, c.number);
        put_u16(body, c.total);
        Error const e = payload_error(PayloadType::skf, body);
        EXPECT_EQ(e.code, c.code);
        EXPECT_EQ(e.message, c.message);
    }
}

// --- SK / SKF framing
// -----------------------------------------------------------------------------

TEST(IkeCodecFraming, SkPrefixIsTheEncodedMessageWithoutItsBody) {
    Bytes const body = test::filled(80, 3);
    Bytes const whole = encode(Message{sample_header(), {Encrypted{PayloadType::idi, body}}});
    Bytes prefix = encode_sk_prefix(sample_header(), PayloadType::idi, body.size());
    EXPECT_EQ(prefix.size(), header_size + 4);
    prefix.insert(prefix.end(), body.begin(), body.end());
    EXPECT_EQ(prefix, whole);

    auto decoded = decode(whole);
    ASSERT_TRUE(decoded);
    auto parts = protected_parts(whole, *decoded);
    ASSERT_TRUE(parts);
    EXPECT_EQ(parts->prefix.size(), header_size + 4);
    EXPECT_EQ(parts->prefix.data(), whole.data());
    EXPECT_EQ(Bytes(parts->body.begin(), parts->body.end()), body);
}

TEST(IkeCodecFraming, SkfPrefixIncludesTheFragmentFields) {
    Bytes const body = test::filled(50, 9);
    Bytes const whole =
        encode(Message{sample_header(), {EncryptedFragment{PayloadType::none, 2, 5, body}}});
    Bytes prefix = encode_skf_prefix(sample_header(), PayloadType::none, 2, 5, body.size());
    EXPECT_EQ(prefix.size(), header_size + 8);
    prefix.insert(prefix.end(), body.begin(), body.end());
    EXPECT_EQ(prefix, whole);
    auto decoded = decode(whole);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(protected_parts(whole, *decoded)->prefix.size(), header_size + 8);
}

TEST(IkeCodecFraming, UnencryptedMessageHasNoProtectedParts) {
    Message const m{sample_header(), {Nonce{nonce_body()}}};
    EXPECT_FALSE(protected_parts(encode(m), m));
    Message const empty{sample_header(), {}};
    EXPECT_FALSE(protected_parts(encode(empty), empty));
}

// --- lookups -------------------------------------------------------------------------------------

TEST(IkeCodecLookup, FindPayloadAndNotify) {
    auto const payloads = test::every_plain_payload();
    ASSERT_NE(find_payload<Nonce>(payloads), nullptr);
    EXPECT_EQ(find_payload<Nonce>(payloads)->data.size(), 32u);
    EXPECT_EQ(find_payload<EncryptedFragment>(payloads), nullptr);
    Notify const* n = find_notify(payloads, NotifyType::signature_hash_algorithms);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->data.size(), 8u);
    EXPECT_EQ(find_notify(payloads, NotifyType::cookie), nullptr);
}

TEST(IkeCodecLookup, TransformHelpers) {
    EXPECT_EQ(Transform::encr(EncrId::aes_cbc, 256).key_length(),
              std::optional<std::uint16_t>(256));
    EXPECT_EQ(Transform::encr(EncrId::aes_cbc).key_length(), std::nullopt);
    EXPECT_EQ(Transform::dh(DhGroup::curve25519).id, 31);
    EXPECT_EQ(Transform::integ(IntegId::hmac_sha2_512_256).type, TransformType::integ);
}

// --- UDP encapsulation ---------------------------------------------------------------------------

TEST(IkeUdpEncap, NonEspMarker) {
    Bytes const message{1, 2, 3};
    Bytes const datagram = add_non_esp_marker(message);
    EXPECT_EQ(to_hex(datagram), "00000000010203");
    auto stripped = strip_non_esp_marker(datagram);
    ASSERT_TRUE(stripped);
    EXPECT_EQ(Bytes(stripped->begin(), stripped->end()), message);

    EXPECT_FALSE(strip_non_esp_marker(Bytes{0, 0, 0, 1, 2}));  // ESP: a non-zero SPI
    EXPECT_FALSE(strip_non_esp_marker(Bytes{0, 0, 0}));
    EXPECT_FALSE(strip_non_esp_marker(Bytes{0xff}));
    auto only_marker = strip_non_esp_marker(Bytes{0, 0, 0, 0});
    ASSERT_TRUE(only_marker);
    EXPECT_TRUE(only_marker->empty());
}

TEST(IkeUdpEncap, NatKeepalive) {
    EXPECT_TRUE(is_nat_keepalive(Bytes{0xff}));
    EXPECT_FALSE(is_nat_keepalive(Bytes{0xfe}));
    EXPECT_FALSE(is_nat_keepalive(Bytes{0xff, 0xff}));
    EXPECT_FALSE(is_nat_keepalive(Bytes{}));
}

}  // namespace
}  // namespace nsslab::wire_ike
