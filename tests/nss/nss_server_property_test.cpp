// Property tests of the NSS server core (issue 4 §8), over random RACF set-ups drawn from
// nsslab::Rng:
//   1. no SignReply with result ok is ever sent to a client whose user lacks READ to the
//      EZB.NSS.sys.client.IPSEC.CERT profile or to the EZB.NSSCERT.sys.mappedlabel.HOST profile
//      of the label (judged with RacfDatabase::check at the moment of the request);
//   2. no private-key material of the key ring (the secret integers of each key, and the PEM
//      body) appears in any plaintext the server transmitted, any event or any log line.
#include <gtest/gtest.h>

#include "nss_server_test_support.hpp"
#include "nsslab/base/rng.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/nss/nss_server.hpp"

namespace nsslab::nss {
namespace {

using namespace test;
using RC = wn::ResultCode;

// ---- a minimal DER walker to find the secret integers inside PKCS#8 ----

struct Tlv {
    std::uint8_t tag{0};
    ByteView value;
};

std::vector<Tlv> der_children(ByteView in) {
    std::vector<Tlv> out;
    std::size_t i = 0;
    while (i + 2 <= in.size()) {
        std::uint8_t tag = in[i++];
        std::size_t len = in[i++];
        if (len & 0x80) {
            std::size_t n = len & 0x7f;
            len = 0;
            for (std::size_t k = 0; k < n && i < in.size(); ++k)
                len = (len << 8) | in[i++];
        }
        if (i + len > in.size())
            break;
        out.push_back({tag, in.subspan(i, len)});
        i += len;
    }
    return out;
}

std::string pem_body(std::string const& pem) {
    std::string body;
    std::size_t start = pem.find('\n');
    std::size_t end = pem.find("-----END");
    for (std::size_t i = start + 1; i < end; ++i)
        if (pem[i] != '\n' && pem[i] != '\r')
            body.push_back(pem[i]);
    return body;
}

Bytes base64_decode(std::string const& text) {
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z')
            return c - 'A';
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 26;
        if (c >= '0' && c <= '9')
            return c - '0' + 52;
        if (c == '+')
            return 62;
        if (c == '/')
            return 63;
        return -1;
    };
    Bytes out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int v = val(c);
        if (v < 0)
            continue;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
        }
    }
    return out;
}

struct KeySecrets {
    std::vector<Bytes> snippets;    // 16-octet prefixes of each secret integer / octet string
    std::vector<std::string> text;  // 64-character pieces of the PEM body
};

// PKCS#8 PrivateKeyInfo ::= SEQUENCE { version, algorithm, privateKey OCTET STRING }.
KeySecrets secrets_of(crypto::PrivateKey const& key) {
    KeySecrets s;
    std::string pem = take(key.export_private_pem_unsafe(), "export");
    std::string body = pem_body(pem);
    for (std::size_t i = 0; i + 64 <= body.size(); i += 64)
        s.text.push_back(body.substr(i, 64));
    Bytes der = base64_decode(body);
    auto root = der_children(der);
    EXPECT_EQ(root.size(), 1u);
    auto pki = der_children(root.at(0).value);
    EXPECT_GE(pki.size(), 3u);
    ByteView inner = pki.at(2).value;
    std::vector<ByteView> secrets;
    auto add = [&](ByteView v) {
        while (!v.empty() && v[0] == 0)
            v = v.subspan(1);
        if (v.size() >= 16)
            s.snippets.emplace_back(v.begin(), v.begin() + 16);
    };
    switch (key.algorithm()) {
        case crypto::KeyAlgorithm::rsa: {
            // RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dP, dQ, qInv }
            auto rsa = der_children(der_children(inner).at(0).value);
            EXPECT_EQ(rsa.size(), 9u);
            for (std::size_t i = 3; i < rsa.size(); ++i)
                add(rsa[i].value);
            break;
        }
        case crypto::KeyAlgorithm::ec: {
            // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, ... }
            auto ec = der_children(der_children(inner).at(0).value);
            add(ec.at(1).value);
            break;
        }
        case crypto::KeyAlgorithm::ed25519:
            add(der_children(inner).at(0).value);
            break;
        default:
            ADD_FAILURE() << "unexpected key algorithm";
    }
    EXPECT_FALSE(s.snippets.empty());
    // Self-check: the snippets are found in the DER they came from (the search can fail).
    for (auto const& sn : s.snippets)
        EXPECT_NE(std::search(der.begin(), der.end(), sn.begin(), sn.end()), der.end());
    return s;
}

bool holds(ByteView haystack, Bytes const& needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
           haystack.end();
}

// ---- random RACF set-ups ----

std::string const cert_profile = "EZB.NSS.SYSTEMB.SYSTEMA_STACK1.IPSEC.CERT";
std::vector<std::string> const labels = {"a1s1 cert",  "RSA cert", "ED cert",
                                         "NOKEY cert", "CA",       "unknown"};

// One of several ways a profile can grant or deny A1S1 READ.
void random_profile(zos::RacfDatabase& racf, Rng& rng, std::string const& name) {
    if (racf.profile("SERVAUTH", name) != nullptr)
        ok(racf.delete_profile("SERVAUTH", name), "del");
    zos::RacfProfileChange ch;
    switch (rng.below(7)) {
        case 0:
            return;  // no profile: not protected, fail closed
        case 1:
            ok(racf.define_profile("SERVAUTH", name, ch), "def");
            ok(racf.permit("SERVAUTH", name, {"A1S1"}, zos::RacfAccess::read), "permit");
            return;
        case 2:
            ok(racf.define_profile("SERVAUTH", name, ch), "def");
            return;  // UACC NONE
        case 3:
            ch.uacc = zos::RacfAccess::read;
            ok(racf.define_profile("SERVAUTH", name, ch), "def");
            return;
        case 4:  // access list NONE beats UACC READ
            ch.uacc = zos::RacfAccess::read;
            ok(racf.define_profile("SERVAUTH", name, ch), "def");
            ok(racf.permit("SERVAUTH", name, {"A1S1"}, zos::RacfAccess::none), "permit");
            return;
        case 5:  // WARNING mode
            ch.warning = true;
            ok(racf.define_profile("SERVAUTH", name, ch), "def");
            return;
        default:
            ok(racf.define_profile("SERVAUTH", name, ch), "def");
            ok(racf.permit("SERVAUTH", name, {"OPER1"}, zos::RacfAccess::update), "permit");
            return;
    }
}

void random_generic(zos::RacfDatabase& racf, Rng& rng, std::string const& name) {
    if (racf.profile("SERVAUTH", name) != nullptr)
        ok(racf.delete_profile("SERVAUTH", name), "del");
    if (!rng.chance(0.4))
        return;
    zos::RacfProfileChange ch;
    ch.uacc = rng.chance(0.5) ? zos::RacfAccess::read : zos::RacfAccess::none;
    ok(racf.define_profile("SERVAUTH", name, ch), "def generic");
    if (rng.chance(0.5))
        ok(racf.permit("SERVAUTH", name, {"A1S1"},
                       rng.chance(0.5) ? zos::RacfAccess::read : zos::RacfAccess::none),
           "permit generic");
}

void randomize(zos::RacfDatabase& racf, Rng& rng, NssServerOptions const& o) {
    random_profile(racf, rng, cert_profile);
    for (auto const& l : labels)
        random_profile(racf, rng, "EZB.NSSCERT.SYSTEMB." + o.label_mapper(l) + ".HOST");
    random_generic(racf, rng, "EZB.NSS.SYSTEMB.*.IPSEC.CERT");
    random_generic(racf, rng, "EZB.NSSCERT.SYSTEMB.*.HOST");
    random_generic(racf, rng, "EZB.NSSCERT.**");
}

bool allowed(zos::RacfDatabase const& racf, std::string const& resource) {
    return racf.check("A1S1", "SERVAUTH", resource, zos::RacfAccess::read).allowed;
}

wn::SignatureScheme random_scheme(Rng& rng) {
    return static_cast<wn::SignatureScheme>(1 + rng.below(10));
}

TEST(NssServerProperty, NoSignatureWithoutCertAndHostAndNoKeyMaterialLeaks) {
    constexpr int iterations = 300;
    auto const& pki = Pki::get();
    std::vector<KeySecrets> secrets;
    for (auto const* k : {&pki.server_key, &pki.ec_key, &pki.rsa_key, &pki.ed_key})
        secrets.push_back(secrets_of(*k));

    Rng seed_rng(20261127);
    std::size_t signed_ok = 0, refused = 0, registered_with_cert = 0;
    for (int it = 0; it < iterations; ++it) {
        Rng rng = seed_rng.derive("iteration-" + std::to_string(it));
        auto o = default_options();
        o.config.nss.syslog_level = 0xff;
        Pair p(o, /*grant_all=*/false);
        if (rng.chance(0.1))
            ok(p.system.racf.set_class_active("SERVAUTH", false), "inactive");
        randomize(p.system.racf, rng, p.server->options());
        ConnId id = p.connect();
        auto req = p.register_request();
        req.services.cert = rng.chance(0.9);
        req.services.remote_mgmt = rng.chance(0.5);
        auto rid = p.send(id, req);
        auto reg = p.clients.at(id).reply<wn::RegisterReply>(rid);
        ASSERT_TRUE(reg.has_value());
        if (reg->granted.cert) {
            ++registered_with_cert;
            EXPECT_TRUE(allowed(p.system.racf, cert_profile)) << "iteration " << it;
        }
        for (int k = 0; k < 6; ++k) {
            if (rng.chance(0.3))
                randomize(p.system.racf, rng, p.server->options());
            std::string const& label = labels[rng.below(labels.size())];
            auto scheme = random_scheme(rng);
            Bytes data(1 + rng.below(64));
            rng.fill(data);
            bool cert_ok = allowed(p.system.racf, cert_profile);
            bool host_ok =
                allowed(p.system.racf,
                        "EZB.NSSCERT.SYSTEMB." + p.server->options().label_mapper(label) + ".HOST");
            if (p.clients.at(id).closed)
                break;
            auto srid = p.send(id, wn::SignRequest{label, scheme, data});
            auto reply = p.clients.at(id).reply<wn::SignReply>(srid);
            if (!reply) {
                // Not registered (every requested service denied): out of state, fatal.
                EXPECT_NE(reg->result, RC::ok) << "iteration " << it;
                auto err = p.clients.at(id).last<wn::ErrorReply>();
                ASSERT_TRUE(err.has_value()) << "iteration " << it;
                EXPECT_EQ(err->result, RC::not_registered);
                EXPECT_TRUE(p.clients.at(id).closed);
                ++refused;
                break;
            }
            if (reply->result == RC::ok) {
                ++signed_ok;
                EXPECT_TRUE(cert_ok && host_ok)
                    << "iteration " << it << ": signed with " << label << " without READ";
                EXPECT_TRUE(reg->granted.cert);
                EXPECT_FALSE(reply->signature.empty());
            } else {
                ++refused;
                EXPECT_TRUE(reply->signature.empty());
            }
        }
        // Also exercise the other paths that touch the ring.
        if (!p.clients.at(id).closed)
            p.send(id,
                   wn::CertificateRequest{labels[rng.below(labels.size())], true, std::nullopt});

        // No key material anywhere the server produced.
        auto const& c = p.clients.at(id);
        std::string events_text;
        for (auto const& e : p.events)
            for (auto const& f : e.fields)
                events_text += e.text(f.key) + "\n";
        for (auto const& ks : secrets) {
            for (auto const& sn : ks.snippets) {
                EXPECT_FALSE(holds(c.plaintext_received, sn)) << "iteration " << it;
                EXPECT_FALSE(holds(as_bytes(events_text), sn)) << "iteration " << it;
            }
            for (auto const& t : ks.text) {
                EXPECT_EQ(events_text.find(t), std::string::npos) << "iteration " << it;
                EXPECT_EQ(
                    std::string(c.plaintext_received.begin(), c.plaintext_received.end()).find(t),
                    std::string::npos);
            }
        }
        for (auto const& line : p.log_lines)
            EXPECT_EQ(line.find("PRIVATE KEY"), std::string::npos);
        if (::testing::Test::HasFailure())
            break;
    }
    // The random set-ups exercise both outcomes.
    EXPECT_GT(signed_ok, 20u);
    EXPECT_GT(refused, 200u);
    EXPECT_GT(registered_with_cert, 50u);
}

}  // namespace
}  // namespace nsslab::nss
