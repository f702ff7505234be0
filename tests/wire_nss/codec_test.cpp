// Tests of the NSS protocol codec (docs/nss-protocol.md): round trips of every message type,
// known-answer bytes, truncation at every length, bounds, malformed attributes, FrameReader.
#include "nsslab/wire_nss/codec.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wire_nss_samples.hpp"

namespace nsslab::wire_nss {
namespace {

// --- hand-built frames -----------------------------------------------------------------------

void put_u16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}
void put_u32(Bytes& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> shift));
}
Bytes attr(std::uint16_t tag, Bytes const& value) {
    Bytes out;
    put_u16(out, tag);
    put_u32(out, static_cast<std::uint32_t>(value.size()));
    out.insert(out.end(), value.begin(), value.end());
    return out;
}
Bytes attr(std::uint16_t tag, std::string_view value) {
    return attr(tag, to_bytes(value));
}
Bytes cat(std::vector<Bytes> const& parts) {
    Bytes out;
    for (auto const& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}
Bytes frame(std::uint8_t type, std::uint32_t id, Bytes const& body) {
    Bytes out;
    put_u16(out, 0x4E53);
    out.push_back(1);
    out.push_back(type);
    put_u32(out, id);
    put_u32(out, static_cast<std::uint32_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

// A valid sign_request body with one attribute replaced or added.
Bytes sign_body(Bytes label_attr = attr(0x0030, "IKEDCERT"),
                Bytes scheme_attr = attr(0x0031, Bytes{7}),
                Bytes data_attr = attr(0x0032, Bytes{1, 2, 3})) {
    return cat({label_attr, scheme_attr, data_attr});
}

Error decode_error_of(Bytes const& f) {
    auto r = decode(f);
    EXPECT_FALSE(r) << "decoded unexpectedly";
    return r ? Error{} : r.error();
}

// --- round trips -----------------------------------------------------------------------------

TEST(NssCodecRoundTrip, EverySampleMessage) {
    auto const samples = test::sample_messages();
    std::vector<bool> seen(std::variant_size_v<Body>, false);
    for (auto const& m : samples) {
        SCOPED_TRACE(std::string(message_name(m.body)));
        seen[m.body.index()] = true;
        Bytes const f = encode(m);
        auto r = decode(f);
        ASSERT_TRUE(r) << r.error().what();
        EXPECT_EQ(*r, m);
        EXPECT_EQ(encode(*r), f);  // canonical: re-encoding gives the same bytes
    }
    for (std::size_t i = 0; i < seen.size(); ++i)
        EXPECT_TRUE(seen[i]) << "no sample of type " << i;
}

TEST(NssCodecRoundTrip, EmptyValuesTakeDefaults) {
    std::vector<Message> const empties = {
        {1, RegisterRequest{}},
        {2, RegisterReply{}},
        {3, SignRequest{}},
        {4, SignReply{}},
        {5, VerifyRequest{}},
        {6, VerifyReply{}},
        {7, CertificateRequest{}},
        {8, CertificateReply{}},
        {9, MgmtRequest{}},
        {10, MgmtReply{}},
        {0, Close{}},
        {11, ErrorReply{}},
        {12, CertificateReply{ResultCode::ok, "", {CertificateEntry{}}}},
        {13, MgmtReply{ResultCode::ok, "", {"", ""}}},
        {14, VerifyRequest{SignatureScheme::ed25519, {}, {}, {Bytes{}, Bytes{}}}},
        {15, CertificateRequest{"", false, CertificateIdentity{}}},
    };
    for (auto const& m : empties) {
        SCOPED_TRACE(std::string(message_name(m.body)));
        auto r = decode(encode(m));
        ASSERT_TRUE(r) << r.error().what();
        EXPECT_EQ(*r, m);
    }
}

TEST(NssCodecRoundTrip, MaximalSizes) {
    std::string const name(max_name_size, 'N');
    std::string const text(max_text_size, 't');
    RegisterRequest reg{7, name, name, name, name, AuthMethod::passticket, name, {true, true}};
    MgmtReply lines{ResultCode::ok, text,
                    std::vector<std::string>(max_display_lines, std::string(80, 'x'))};
    VerifyRequest chain{SignatureScheme::rsa_pss_sha512, Bytes(4096, 1), Bytes(512, 2),
                        std::vector<Bytes>(max_chain_certificates, Bytes(2000, 3))};
    CertificateReply certs{ResultCode::ok, text, {}};
    CertificateRequest by_identity{name, true, CertificateIdentity{IdentityType::x500dn, text}};
    for (std::size_t i = 0; i < max_certificate_entries; ++i) {
        certs.certificates.push_back({name, i % 2 == 0, Bytes(2000, static_cast<std::uint8_t>(i))});
    }
    // A sign request whose body is exactly default_max_body octets.
    SignRequest big{"L", SignatureScheme::ecdsa_sha384, {}};
    std::size_t const overhead = (6 + 1) + (6 + 1) + 6;
    big.data.assign(default_max_body - overhead, 0xAB);
    for (Message const& m :
         {Message{1, reg}, Message{2, lines}, Message{3, chain}, Message{4, certs},
          Message{5, by_identity}, Message{0xFFFFFFFF, big}}) {
        SCOPED_TRACE(std::string(message_name(m.body)));
        Bytes const f = encode(m);
        ASSERT_LE(f.size(), header_size + default_max_body);
        auto r = decode(f);
        ASSERT_TRUE(r) << r.error().what();
        EXPECT_EQ(*r, m);
    }
    EXPECT_EQ(encode(Message{0, big}).size(), header_size + default_max_body);
}

TEST(NssCodecRoundTrip, MessageNamesAndEnumNames) {
    EXPECT_EQ(message_name(Body{SignRequest{}}), "sign_request");
    EXPECT_EQ(message_name(Body{ErrorReply{}}), "error");
    EXPECT_EQ(to_string(ResultCode::version_mismatch), "version_mismatch");
    EXPECT_EQ(to_string(MgmtCommand::policy_default), "policy_default");
    EXPECT_EQ(to_string(IdentityType::user_fqdn), "user_fqdn");
    EXPECT_EQ(to_string(IdentityType::x500dn), "x500dn");
}

// --- known-answer bytes (docs/nss-protocol.md, "Example") -----------------------------------

TEST(NssCodecKnownAnswer, SignRequestFrame) {
    Message const m{0x0102, SignRequest{"IKEDCERT", SignatureScheme::ecdsa_sha256, {1, 2, 3}}};
    auto const expected = from_hex(
        "4E53 01 10 00000102 0000001E"    // magic, version 1, sign_request, id 0x102, body 30
        "0030 00000008 494B454443455254"  // label "IKEDCERT"
        "0031 00000001 07"                // scheme ecdsa_sha256
        "0032 00000003 010203");          // data
    ASSERT_TRUE(expected);
    EXPECT_EQ(to_hex(encode(m)), to_hex(*expected));
    auto r = decode(*expected);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, m);
}

// The identity attribute is critical (0x8038) and nested: type (IKEv2 ID type) and value.
TEST(NssCodecKnownAnswer, CertRequestByIdentityFrame) {
    Message const m{
        7, CertificateRequest{"", false, CertificateIdentity{IdentityType::ipv4_addr, "10.1.1.1"}}};
    auto const expected = from_hex(
        "4E53 01 14 00000007 00000028"      // cert_request, id 7, body 40
        "0030 00000000"                     // label ""
        "0036 00000001 00"                  // include_ca false
        "8038 00000015"                     // identity (critical), 21 octets:
        "0001 00000001 01"                  //   type ipv4_addr (ID_IPV4_ADDR)
        "0002 00000008 31302E312E312E31");  //   value "10.1.1.1"
    ASSERT_TRUE(expected);
    EXPECT_EQ(to_hex(encode(m)), to_hex(*expected));
    auto r = decode(*expected);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(*r, m);
}

TEST(NssCodecKnownAnswer, KeepaliveAndErrorFrames) {
    EXPECT_EQ(to_hex(encode(Message{0, Keepalive{}})), "4e5301300000000000000000");
    EXPECT_EQ(to_hex(encode(Message{9, ErrorReply{ResultCode::bad_request, "", true}})),
              "4e53013f000000090000000f"
              "0001000000020006"
              "00500000000101");
    EXPECT_EQ(
        to_hex(encode(Message{
            5,
            RegisterRequest{4, "C", "S", "T", "U", AuthMethod::passticket, "P", {true, false}}})),
        "4e530101000000050000003e"
        "001000000004"
        "00000004"
        "001100000001"
        "43"
        "001200000001"
        "53"
        "001300000001"
        "54"
        "001400000001"
        "55"
        "001500000001"
        "02"
        "001600000001"
        "50"
        "001700000004"
        "00000001");
}

// --- header errors ---------------------------------------------------------------------------

TEST(NssCodecHeader, TruncatedAtEveryLength) {
    for (auto const& m : test::sample_messages()) {
        Bytes const f = encode(m);
        for (std::size_t n = 0; n < f.size(); ++n) {
            auto r = decode(ByteView(f).first(n));
            ASSERT_FALSE(r) << message_name(m.body) << " prefix " << n;
            EXPECT_EQ(r.error().code, Errc::truncated)
                << message_name(m.body) << " prefix " << n << ": " << r.error().what();
        }
    }
}

TEST(NssCodecHeader, OversizedBody) {
    Bytes f = frame(0x30, 0, {});
    f[8] = 0x00;
    f[9] = 0x10;
    f[10] = 0x00;
    f[11] = 0x01;  // 1 MiB + 1, no body present: rejected before waiting for it
    auto r = decode(f);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::oversized);
    EXPECT_NE(r.error().message.find("offset 8"), std::string::npos) << r.error().message;

    Bytes const sign =
        encode(Message{1, SignRequest{"L", SignatureScheme::ed25519, Bytes(100, 0)}});
    auto small = decode(sign, 50);
    ASSERT_FALSE(small);
    EXPECT_EQ(small.error().code, Errc::oversized);
    EXPECT_TRUE(decode(sign, sign.size() - header_size));
}

TEST(NssCodecHeader, BadMagicAndVersion) {
    Bytes f = frame(0x30, 0, {});
    f[0] = 0x4F;
    auto e = decode_error_of(f);
    EXPECT_EQ(e.code, Errc::decode_error);
    EXPECT_NE(e.message.find("magic"), std::string::npos);

    f = frame(0x30, 0, {});
    f[2] = 2;
    e = decode_error_of(f);
    EXPECT_EQ(e.code, Errc::decode_error);
    EXPECT_NE(e.message.find("version 2"), std::string::npos) << e.message;
}

TEST(NssCodecHeader, UnknownMessageType) {
    for (std::uint8_t type : {0x00, 0x03, 0x16, 0x77, 0xFF}) {
        auto e = decode_error_of(frame(type, 1, {}));
        EXPECT_EQ(e.code, Errc::unknown_type) << int{type};
    }
}

TEST(NssCodecHeader, TrailingOctetsAfterBody) {
    Bytes f = encode(Message{0, Keepalive{}});
    f.push_back(0);
    EXPECT_EQ(decode_error_of(f).code, Errc::decode_error);
}

// --- attribute errors ------------------------------------------------------------------------

TEST(NssCodecAttributes, BadEnumNamesAttributeAndOffset) {
    auto e = decode_error_of(
        frame(0x10, 1, sign_body(attr(0x0030, "IKEDCERT"), attr(0x0031, Bytes{99}))));
    EXPECT_EQ(e.code, Errc::decode_error);
    EXPECT_NE(e.message.find("0x0031 (scheme) at offset 26"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("SignatureScheme value 99"), std::string::npos) << e.message;

    EXPECT_EQ(
        decode_error_of(frame(0x10, 1, sign_body(attr(0x0030, "X"), attr(0x0031, Bytes{0})))).code,
        Errc::decode_error);
    // ResultCode out of range in a reply; AuthMethod; MgmtCommand.
    EXPECT_EQ(decode_error_of(frame(0x11, 1, attr(0x0001, Bytes{0, 13}))).code, Errc::decode_error);
    Bytes mgmt = frame(0x20, 1, cat({attr(0x0040, Bytes{9}), attr(0x0042, "OPER")}));
    auto me = decode_error_of(mgmt);
    EXPECT_NE(me.message.find("MgmtCommand value 9"), std::string::npos) << me.message;
    EXPECT_TRUE(decode(frame(0x20, 1, cat({attr(0x0040, Bytes{8}), attr(0x0042, "OPER")}))));
}

TEST(NssCodecAttributes, WrongFixedWidth) {
    auto e =
        decode_error_of(frame(0x10, 1, sign_body(attr(0x0030, "L"), attr(0x0031, Bytes{0, 7}))));
    EXPECT_NE(e.message.find("length 2, expected 1"), std::string::npos) << e.message;
    EXPECT_EQ(
        decode_error_of(frame(0x3f, 1, cat({attr(0x0001, Bytes{0}), attr(0x0050, Bytes{0})}))).code,
        Errc::decode_error);
}

TEST(NssCodecAttributes, BadBoolean) {
    auto e = decode_error_of(frame(0x14, 1, cat({attr(0x0030, ""), attr(0x0036, Bytes{2})})));
    EXPECT_NE(e.message.find("include_ca"), std::string::npos) << e.message;
}

TEST(NssCodecAttributes, DuplicateAttribute) {
    auto e = decode_error_of(frame(0x10, 1, cat({sign_body(), attr(0x0030, "AGAIN")})));
    EXPECT_EQ(e.code, Errc::decode_error);
    EXPECT_NE(e.message.find("duplicate"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("(label)"), std::string::npos) << e.message;
}

TEST(NssCodecAttributes, MissingMandatoryAttribute) {
    auto e = decode_error_of(frame(0x10, 1, cat({attr(0x0030, "L"), attr(0x0032, Bytes{1})})));
    EXPECT_EQ(e.code, Errc::decode_error);
    EXPECT_NE(e.message.find("0x0031 (scheme) missing"), std::string::npos) << e.message;
    // Every mandatory attribute of register_request, removed one at a time.
    Bytes const full = encode(Message{1, test::sample_register_request()});
    ByteView body = ByteView(full).subspan(header_size);
    std::size_t pos = 0;
    int removed = 0;
    while (pos < body.size()) {
        std::size_t const len =
            6 + ((std::size_t{body[pos + 2]} << 24) | (std::size_t{body[pos + 3]} << 16) |
                 (std::size_t{body[pos + 4]} << 8) | body[pos + 5]);
        Bytes without(body.begin(), body.begin() + pos);
        without.insert(without.end(), body.begin() + pos + len, body.end());
        auto r = decode(frame(0x01, 1, without));
        EXPECT_FALSE(r) << "attribute at body offset " << pos;
        if (!r) {
            EXPECT_NE(r.error().message.find("missing"), std::string::npos);
        }
        pos += len;
        ++removed;
    }
    EXPECT_EQ(removed, 8);
}

TEST(NssCodecAttributes, UnknownNonCriticalIgnoredCriticalRejected) {
    auto ok =
        decode(frame(0x10, 1, cat({attr(0x0777, "future"), sign_body(), attr(0x7FFF, Bytes{})})));
    ASSERT_TRUE(ok) << ok.error().what();
    EXPECT_EQ(std::get<SignRequest>(ok->body).label, "IKEDCERT");
    // A tag known in another message type is unknown here.
    EXPECT_TRUE(decode(frame(0x10, 1, cat({sign_body(), attr(0x0011, "client")}))));

    auto e = decode_error_of(frame(0x10, 1, cat({sign_body(), attr(0x8777, "must understand")})));
    EXPECT_EQ(e.code, Errc::decode_error);
    EXPECT_NE(e.message.find("critical attribute 0x8777 at offset 42"), std::string::npos)
        << e.message;
    EXPECT_EQ(decode_error_of(frame(0x30, 0, attr(0x8000, Bytes{}))).code, Errc::decode_error);
    EXPECT_TRUE(decode(frame(0x30, 0, attr(0x0001, Bytes{}))));
}

TEST(NssCodecAttributes, AttributeLayoutErrors) {
    // Attribute header cut short inside the body.
    EXPECT_EQ(decode_error_of(frame(0x30, 0, Bytes{0, 1, 0})).code, Errc::decode_error);
    // Attribute length past the end of the body.
    Bytes over = attr(0x0030, "IKEDCERT");
    over[5] = 9;
    auto e = decode_error_of(frame(0x14, 0, over));
    EXPECT_NE(e.message.find("announces 9 octets, 8 left"), std::string::npos) << e.message;
}

TEST(NssCodecAttributes, StringBoundsAndEncoding) {
    std::string const too_long(max_name_size + 1, 'A');
    auto e = decode_error_of(frame(0x10, 1, sign_body(attr(0x0030, too_long))));
    EXPECT_EQ(e.code, Errc::oversized);
    EXPECT_NE(e.message.find("(label)"), std::string::npos);
    EXPECT_EQ(decode_error_of(frame(0x10, 1, sign_body(attr(0x0030, Bytes{'A', 0xC3})))).code,
              Errc::decode_error);  // cut multi-octet sequence
    EXPECT_EQ(decode_error_of(frame(0x10, 1, sign_body(attr(0x0030, Bytes{0xC0, 0xAF})))).code,
              Errc::decode_error);  // overlong
    EXPECT_EQ(decode_error_of(frame(0x10, 1, sign_body(attr(0x0030, Bytes{'A', 0, 'B'})))).code,
              Errc::decode_error);  // NUL
    EXPECT_EQ(
        decode_error_of(frame(0x10, 1, sign_body(attr(0x0030, Bytes{0xED, 0xA0, 0x80})))).code,
        Errc::decode_error);  // surrogate
    auto ok = decode(frame(0x10, 1, sign_body(attr(0x0030, "Zürich-€-𝄞"))));
    ASSERT_TRUE(ok);
    EXPECT_EQ(std::get<SignRequest>(ok->body).label, "Zürich-€-𝄞");
    // reasons may be longer than names
    EXPECT_TRUE(decode(frame(0x3e, 0, attr(0x0002, std::string(max_text_size, 'r')))));
    EXPECT_EQ(
        decode_error_of(frame(0x3e, 0, attr(0x0002, std::string(max_text_size + 1, 'r')))).code,
        Errc::oversized);
}

TEST(NssCodecAttributes, ListCountBounds) {
    auto lines = [](std::size_t n) {
        std::vector<Bytes> parts{attr(0x0001, Bytes{0, 0})};
        for (std::size_t i = 0; i < n; ++i)
            parts.push_back(attr(0x0043, ""));
        return frame(0x21, 1, cat(parts));
    };
    auto ok = decode(lines(max_display_lines));
    ASSERT_TRUE(ok);
    EXPECT_EQ(std::get<MgmtReply>(ok->body).lines.size(), max_display_lines);
    EXPECT_EQ(decode_error_of(lines(max_display_lines + 1)).code, Errc::oversized);

    std::vector<Bytes> chain{attr(0x0031, Bytes{1}), attr(0x0032, Bytes{}), attr(0x0033, Bytes{})};
    for (std::size_t i = 0; i <= max_chain_certificates; ++i)
        chain.push_back(attr(0x0034, Bytes{0x30}));
    EXPECT_EQ(decode_error_of(frame(0x12, 1, cat(chain))).code, Errc::oversized);
    chain.pop_back();
    EXPECT_TRUE(decode(frame(0x12, 1, cat(chain))));
}

TEST(NssCodecAttributes, NestedCertificateEntry) {
    Bytes const entry =
        cat({attr(0x0001, "ca"), attr(0x0002, Bytes{1}), attr(0x0003, Bytes{0x30, 0})});
    auto ok = decode(frame(0x15, 1, cat({attr(0x0001, Bytes{0, 0}), attr(0x0037, entry)})));
    ASSERT_TRUE(ok) << ok.error().what();
    auto const& reply = std::get<CertificateReply>(ok->body);
    ASSERT_EQ(reply.certificates.size(), 1u);
    EXPECT_EQ(reply.certificates[0], (CertificateEntry{"ca", true, {0x30, 0}}));

    Bytes const no_der = cat({attr(0x0001, "ca"), attr(0x0002, Bytes{1})});
    auto e =
        decode_error_of(frame(0x15, 1, cat({attr(0x0001, Bytes{0, 0}), attr(0x0037, no_der)})));
    EXPECT_NE(e.message.find("certificate.der"), std::string::npos) << e.message;
    Bytes const bad_bool = cat({attr(0x0001, "ca"), attr(0x0002, Bytes{7}), attr(0x0003, Bytes{})});
    auto b =
        decode_error_of(frame(0x15, 1, cat({attr(0x0001, Bytes{0, 0}), attr(0x0037, bad_bool)})));
    // the nested attribute's offset is from the start of the frame: 12 + 8 + 6 + 8
    EXPECT_NE(b.message.find("at offset 34"), std::string::npos) << b.message;
}

// cert_request's identity (0x8038): every malformed nested value is a decode error naming
// "cert_request.identity", the attribute and its offset from the start of the frame.
TEST(NssCodecAttributes, CertRequestIdentity) {
    auto request = [](Bytes const& identity_value) {
        return frame(0x14, 1,
                     cat({attr(0x0030, ""), attr(0x0036, Bytes{1}), attr(0x8038, identity_value)}));
    };
    auto identity = [](Bytes type, Bytes const& value) {
        return cat({attr(0x0001, std::move(type)), attr(0x0002, value)});
    };
    for (std::uint8_t t : {1, 2, 3, 5, 9}) {
        auto ok = decode(request(identity(Bytes{t}, to_bytes("v"))));
        ASSERT_TRUE(ok) << int{t} << ": " << ok.error().what();
        auto const& req = std::get<CertificateRequest>(ok->body);
        ASSERT_TRUE(req.identity.has_value());
        EXPECT_EQ(static_cast<int>(req.identity->type), int{t});
        EXPECT_EQ(req.identity->value, "v");
        EXPECT_TRUE(req.label.empty());
        EXPECT_TRUE(req.include_ca);
    }
    // Absent: no identity (the request names a label, as before).
    auto plain = decode(frame(0x14, 1, cat({attr(0x0030, "L"), attr(0x0036, Bytes{0})})));
    ASSERT_TRUE(plain);
    EXPECT_FALSE(std::get<CertificateRequest>(plain->body).identity.has_value());

    // Unknown IdentityType values (inside the range and outside it).
    for (std::uint8_t t : {0, 4, 6, 8, 10, 11, 255}) {
        auto e = decode_error_of(request(identity(Bytes{t}, to_bytes("v"))));
        EXPECT_EQ(e.code, Errc::decode_error) << int{t};
        EXPECT_NE(e.message.find("cert_request.identity: attribute 0x0001 (identity.type) at "
                                 "offset 31: unknown IdentityType value " +
                                 std::to_string(t)),
                  std::string::npos)
            << e.message;
    }
    auto wide = decode_error_of(request(identity(Bytes{0, 9}, to_bytes("v"))));
    EXPECT_NE(wide.message.find("length 2, expected 1"), std::string::npos) << wide.message;
    auto no_value = decode_error_of(request(attr(0x0001, Bytes{9})));
    EXPECT_NE(no_value.message.find("0x0002 (identity.value) missing"), std::string::npos)
        << no_value.message;
    auto no_type = decode_error_of(request(attr(0x0002, "CN=X")));
    EXPECT_NE(no_type.message.find("0x0001 (identity.type) missing"), std::string::npos)
        << no_type.message;
    auto twice =
        decode_error_of(request(cat({identity(Bytes{2}, to_bytes("a")), attr(0x0002, "b")})));
    EXPECT_NE(twice.message.find("duplicate"), std::string::npos) << twice.message;
    auto two_identities = decode_error_of(
        frame(0x14, 1,
              cat({attr(0x0030, ""), attr(0x0036, Bytes{0}), attr(0x8038, identity(Bytes{2}, {})),
                   attr(0x8038, identity(Bytes{2}, {}))})));
    EXPECT_NE(two_identities.message.find("0x8038 (identity) at offset 44: duplicate"),
              std::string::npos)
        << two_identities.message;
    // The value is text: at most max_text_size octets of UTF-8 without NUL.
    EXPECT_TRUE(decode(request(identity(Bytes{9}, to_bytes(std::string(max_text_size, 'x'))))));
    auto big =
        decode_error_of(request(identity(Bytes{9}, to_bytes(std::string(max_text_size + 1, 'x')))));
    EXPECT_EQ(big.code, Errc::oversized);
    EXPECT_NE(big.message.find("(identity.value)"), std::string::npos) << big.message;
    EXPECT_EQ(decode_error_of(request(identity(Bytes{2}, Bytes{'a', 0, 'b'}))).code,
              Errc::decode_error);
    EXPECT_EQ(decode_error_of(request(identity(Bytes{2}, Bytes{0xC3}))).code, Errc::decode_error);
    // A nested attribute layout error; an unknown critical tag inside the identity.
    EXPECT_EQ(decode_error_of(request(Bytes{0, 1, 0})).code, Errc::decode_error);
    auto crit =
        decode_error_of(request(cat({identity(Bytes{2}, to_bytes("a")), attr(0x8001, Bytes{})})));
    EXPECT_NE(crit.message.find("unknown critical attribute 0x8001"), std::string::npos)
        << crit.message;
    EXPECT_TRUE(decode(request(cat({identity(Bytes{2}, to_bytes("a")), attr(0x0003, Bytes{})}))));
    // The tag is matched with its critical bit: 0x0038 is an unknown, ignored attribute.
    auto plain_bit = decode(frame(0x14, 1,
                                  cat({attr(0x0030, "L"), attr(0x0036, Bytes{0}),
                                       attr(0x0038, identity(Bytes{2}, to_bytes("a")))})));
    ASSERT_TRUE(plain_bit) << plain_bit.error().what();
    EXPECT_FALSE(std::get<CertificateRequest>(plain_bit->body).identity.has_value());
    // What a server that predates the attribute does: the critical tag is unknown there, as it
    // is in every other message type of this version.
    auto old = decode_error_of(frame(0x10, 1, cat({sign_body(), attr(0x8038, Bytes{})})));
    EXPECT_NE(old.message.find("unknown critical attribute 0x8038 at offset 42"), std::string::npos)
        << old.message;
}

TEST(NssCodecAttributes, UnknownServiceBitsIgnored) {
    RegisterRequest req = test::sample_register_request();
    Bytes f = encode(Message{1, req});
    // services is the last attribute: value in the last 4 octets.
    f[f.size() - 4] = 0xFF;
    f[f.size() - 1] = 0xFE;  // remote_mgmt only, plus unknown bits
    auto r = decode(f);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(std::get<RegisterRequest>(r->body).services, (Services{false, true}));
}

TEST(NssCodecAttributes, EveryErrorNamesAnOffset) {
    Bytes bad_magic = encode(Message{0, Keepalive{}});
    bad_magic[1] = 0;
    Bytes trailing = encode(Message{0, Keepalive{}});
    trailing.push_back(1);
    std::vector<Bytes> const frames = {
        Bytes{0x4E},
        bad_magic,
        frame(0x30, 0, Bytes{0, 1}),
        frame(0x77, 0, {}),
        trailing,
        frame(0x10, 1, cat({attr(0x0030, "L"), attr(0x0032, Bytes{})})),
        frame(0x10, 1, cat({sign_body(), sign_body()})),
        frame(0x10, 1, sign_body(attr(0x0030, std::string(300, 'x')))),
        frame(0x21, 1, cat({attr(0x0001, Bytes{0, 0}), attr(0x0043, Bytes{0xFF})})),
    };
    for (auto const& f : frames) {
        auto r = decode(f);
        ASSERT_FALSE(r) << to_hex(f);
        EXPECT_NE(r.error().message.find("offset"), std::string::npos) << r.error().message;
    }
}

// --- FrameReader -----------------------------------------------------------------------------

Bytes stream_of(std::vector<Message> const& messages) {
    Bytes out;
    for (auto const& m : messages) {
        Bytes f = encode(m);
        out.insert(out.end(), f.begin(), f.end());
    }
    return out;
}

std::vector<Message> drain(FrameReader& reader) {
    std::vector<Message> out;
    while (auto next = reader.next()) {
        EXPECT_TRUE(*next) << next->error().what();
        if (*next)
            out.push_back(**next);
    }
    return out;
}

TEST(NssFrameReader, ByteByByte) {
    auto const messages = test::sample_messages();
    Bytes const stream = stream_of(messages);
    FrameReader reader;
    std::vector<Message> got;
    for (std::uint8_t b : stream) {
        ASSERT_TRUE(reader.feed(ByteView(&b, 1)));
        for (auto& m : drain(reader))
            got.push_back(std::move(m));
    }
    EXPECT_EQ(got, messages);
    EXPECT_EQ(reader.buffered(), 0u);
}

TEST(NssFrameReader, SeveralFramesInOneFeedAndSplitAnywhere) {
    auto const messages = test::sample_messages();
    Bytes const stream = stream_of(messages);
    {
        FrameReader reader;
        ASSERT_TRUE(reader.feed(stream));
        EXPECT_EQ(drain(reader), messages);
    }
    for (std::size_t cut : {std::size_t{1}, std::size_t{11}, std::size_t{12}, std::size_t{13},
                            stream.size() / 2, stream.size() - 1}) {
        FrameReader reader;
        ASSERT_TRUE(reader.feed(ByteView(stream).first(cut)));
        auto got = drain(reader);
        ASSERT_TRUE(reader.feed(ByteView(stream).subspan(cut)));
        for (auto& m : drain(reader))
            got.push_back(std::move(m));
        EXPECT_EQ(got, messages) << "cut at " << cut;
    }
}

TEST(NssFrameReader, BadFrameFollowedByGoodOne) {
    Bytes stream =
        frame(0x10, 1, sign_body(attr(0x0030, "L"), attr(0x0031, Bytes{99})));  // bad enum
    Bytes const unknown = frame(0x77, 2, Bytes{1, 2, 3});                       // bad type
    Bytes version = encode(Message{3, Keepalive{}});                            // NOLINT
    version[2] = 9;                                                             // bad version
    Bytes const good = encode(Message{4, KeepaliveAck{}});
    for (Bytes const* part : std::initializer_list<Bytes const*>{&unknown, &version, &good})
        stream.insert(stream.end(), part->begin(), part->end());

    FrameReader reader;
    ASSERT_TRUE(reader.feed(stream));
    auto first = reader.next();
    ASSERT_TRUE(first && !*first);
    EXPECT_EQ(first->error().code, Errc::decode_error);
    auto second = reader.next();
    ASSERT_TRUE(second && !*second);
    EXPECT_EQ(second->error().code, Errc::unknown_type);
    auto third = reader.next();
    ASSERT_TRUE(third && !*third);
    EXPECT_EQ(third->error().code, Errc::decode_error);
    auto fourth = reader.next();
    ASSERT_TRUE(fourth && *fourth);
    EXPECT_EQ(**fourth, (Message{4, KeepaliveAck{}}));
    EXPECT_FALSE(reader.next());
    EXPECT_FALSE(reader.poisoned());
}

TEST(NssFrameReader, OversizedHeaderPoisonsAtOnce) {
    FrameReader reader(100);
    Bytes const ok = encode(Message{1, Keepalive{}});
    Bytes big = frame(0x32, 2, {});
    big[11] = 101;  // only the 12-octet header: the body never needs to arrive
    ASSERT_TRUE(reader.feed(ok));
    auto r = reader.feed(ByteView(big).first(11));
    ASSERT_TRUE(r);
    r = reader.feed(ByteView(big).subspan(11));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::oversized);
    EXPECT_TRUE(reader.poisoned());
    EXPECT_FALSE(reader.next());  // nothing more is delivered
    auto again = reader.feed(ok);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, Errc::state_error);

    FrameReader exact(100);
    Bytes fits = frame(0x3e, 0, attr(0x0002, std::string(94, 'r')));
    ASSERT_EQ(fits.size(), header_size + 100);
    ASSERT_TRUE(exact.feed(fits));
    EXPECT_EQ(drain(exact).size(), 1u);
}

TEST(NssFrameReader, BadMagicPoisonsAfterTwoOctets) {
    FrameReader reader;
    ASSERT_TRUE(reader.feed(Bytes{0x4E}));
    auto r = reader.feed(Bytes{0x54});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::decode_error);
    EXPECT_TRUE(reader.poisoned());

    FrameReader after_good;
    Bytes stream = encode(Message{1, Keepalive{}});
    stream.push_back(0x16);  // a TLS record where a frame should start
    stream.push_back(0x03);
    r = after_good.feed(stream);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::decode_error);
    EXPECT_NE(r.error().message.find("stream offset 12"), std::string::npos) << r.error().message;
}

TEST(NssFrameReader, BoundedBuffering) {
    std::size_t const max_body = 1000;
    FrameReader reader(max_body);
    std::size_t const limit = reader.buffer_limit();
    EXPECT_EQ(limit, 2 * (header_size + max_body) + 65536);
    // A frame of the largest body, fed in pieces: the buffer never holds more than one frame.
    Bytes const big = frame(0x3e, 0, attr(0x0002, std::string(max_body - 6, 'r')));
    ASSERT_EQ(big.size(), header_size + max_body);
    for (int round = 0; round < 3; ++round) {
        for (std::size_t i = 0; i < big.size(); i += 100) {
            ASSERT_TRUE(
                reader.feed(ByteView(big).subspan(i, std::min<std::size_t>(100, big.size() - i))));
            EXPECT_LE(reader.buffered(), header_size + max_body);
        }
        EXPECT_EQ(drain(reader).size(), 1u);
        EXPECT_EQ(reader.buffered(), 0u);
    }
    // A caller that does not drain hits the limit; the reader is not poisoned and the bytes
    // are not taken, so after draining the same feed succeeds.
    Bytes const ka = encode(Message{0, Keepalive{}});
    Bytes many;
    while (many.size() + ka.size() <= limit)
        many.insert(many.end(), ka.begin(), ka.end());
    ASSERT_TRUE(reader.feed(many));
    std::size_t const before = reader.buffered();
    auto r = reader.feed(ka);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::limit_exceeded);
    EXPECT_FALSE(reader.poisoned());
    EXPECT_EQ(reader.buffered(), before);
    EXPECT_EQ(drain(reader).size(), many.size() / ka.size());
    EXPECT_TRUE(reader.feed(ka));
    EXPECT_EQ(drain(reader).size(), 1u);
}

}  // namespace
}  // namespace nsslab::wire_nss
