// The pair driver of the ike tests: two endpoints, a (10.0.0.1) and b (10.0.0.2), joined in
// memory on one virtual clock. It moves datagrams (optionally losing some), answers sign/verify
// requests with crypto::sign / crypto::verify (now or later), and keeps every event, secret and
// datagram for the assertions.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/key.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/crypto/sk_cipher.hpp"
#include "nsslab/ike/endpoint.hpp"
#include "nsslab/wire_ike/codec.hpp"

namespace nsslab::ike::test {

using namespace std::chrono_literals;
using crypto::DhGroup;
using crypto::EncryptionAlgorithm;
using crypto::IntegrityAlgorithm;
using crypto::PrfAlgorithm;

inline Endpoint ep(char const* text) {
    return Endpoint::parse(text).value();
}

inline IkeProposal const gcm256_19{EncryptionAlgorithm::aes_gcm_16_256, IntegrityAlgorithm::none,
                                   PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256};
inline IkeProposal const cbc256_sha256_19{EncryptionAlgorithm::aes_cbc_256,
                                          IntegrityAlgorithm::hmac_sha2_256_128,
                                          PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256};

inline Connection psk_connection(std::string name, Endpoint local, Endpoint remote,
                                 Identity local_id, Identity remote_id, IkeProposal proposal,
                                 std::string psk = "secret") {
    Connection c;
    c.name = std::move(name);
    c.local = local;
    c.remote = remote;
    c.local_id = std::move(local_id);
    c.remote_id = std::move(remote_id);
    c.local_auth.psk = to_bytes(psk);
    c.peer_auth.psk = to_bytes(psk);
    c.ike_proposals = {proposal};
    c.child_proposals = {ChildProposal{proposal.encryption, proposal.integrity, std::nullopt}};
    return c;
}

struct Node {
    std::unique_ptr<crypto::LibContext> lib;
    std::unique_ptr<IkeEndpoint> endpoint;
    std::vector<Event> events;
    std::vector<std::string> secrets;
    std::deque<IkeEndpoint::ServiceRequest> held;  // requests not answered yet

    std::size_t count(std::string_view name) const {
        std::size_t n = 0;
        for (auto const& e : events)
            n += e.name == name ? 1 : 0;
        return n;
    }
    Event const* last(std::string_view name) const {
        for (auto it = events.rbegin(); it != events.rend(); ++it)
            if (it->name == name)
                return &*it;
        return nullptr;
    }
};

// Two endpoints, a (10.0.0.1) and b (10.0.0.2), on one virtual clock.
class Pair {
  public:
    Pair(IkeConfig a_config, IkeConfig b_config, std::uint64_t seed = 7, IkeOptions options = {}) {
        a.lib = crypto::LibContext::deterministic(seed, "A").value();
        b.lib = crypto::LibContext::deterministic(seed, "B").value();
        a.endpoint = std::make_unique<IkeEndpoint>(std::move(a_config), *a.lib, options);
        b.endpoint = std::make_unique<IkeEndpoint>(std::move(b_config), *b.lib, options);
    }

    Node a, b;
    TimePoint now{time_from_unix_seconds(1'800'000'000)};
    std::map<std::string, crypto::PrivateKey const*> keys;  // label -> signing key
    bool answer_at_once{true};
    // Return true to lose a datagram (from_a: sent by a).
    std::function<bool(bool from_a, Bytes const&)> lose;
    std::vector<Bytes> wire;  // every datagram sent, in order

    void pump() {
        for (bool moved = true; moved;) {
            moved = false;
            moved |= drain(a, b, true);
            moved |= drain(b, a, false);
        }
    }

    void advance(Duration d) {
        now += d;
        a.endpoint->handle_timeout(now);
        b.endpoint->handle_timeout(now);
        pump();
    }

    // Advances to each of `n`'s deadlines until it has none; returns them, relative to `start`.
    std::vector<Duration> run_timers(Node& n, TimePoint start) {
        std::vector<Duration> at;
        while (auto t = n.endpoint->next_timeout()) {
            at.push_back(*t - start);
            advance(*t - now);
        }
        return at;
    }

    IkeEndpoint::ServiceResult serve(IkeEndpoint::ServiceRequest const& r) {
        if (auto const* sign = std::get_if<IkeEndpoint::SignRequest>(&r.operation)) {
            auto it = keys.find(sign->key_label);
            if (it == keys.end())
                return fail(Errc::not_found, "no key " + sign->key_label);
            return crypto::sign(*it->second, sign->scheme, sign->octets);
        }
        auto const& verify = std::get<IkeEndpoint::VerifyRequest>(r.operation);
        if (verify.certificate_chain.empty())
            return fail(Errc::invalid_argument, "no chain");
        auto cert = crypto::Certificate::load_der(nullptr, verify.certificate_chain.front());
        if (!cert)
            return cert.error();
        if (auto ok = crypto::verify(*cert, verify.scheme, verify.octets, verify.signature); !ok)
            return ok.error();
        return Bytes{};
    }

    // Answers one held request of `n` (the oldest, or the newest).
    void answer_held(Node& n, bool newest = false) {
        ASSERT_FALSE(n.held.empty());
        auto r = newest ? n.held.back() : n.held.front();
        if (newest)
            n.held.pop_back();
        else
            n.held.pop_front();
        n.endpoint->complete_request(r.id, serve(r), now);
        pump();
    }

  private:
    bool drain(Node& from, Node& to, bool from_a) {
        bool moved = false;
        while (auto t = from.endpoint->poll_transmit()) {
            moved = true;
            wire.push_back(t->bytes);
            if (lose && lose(from_a, t->bytes))
                continue;
            to.endpoint->handle_datagram(t->remote, t->local, t->bytes, now);
        }
        while (auto e = from.endpoint->poll_event())
            from.events.push_back(std::move(*e));
        while (auto s = from.endpoint->poll_secret()) {
            EXPECT_EQ(s->kind, core::Secret::Kind::ike_sa);
            from.secrets.push_back(s->line);
        }
        while (auto r = from.endpoint->poll_request()) {
            moved = true;
            if (answer_at_once)
                from.endpoint->complete_request(r->id, serve(*r), now);
            else
                from.held.push_back(std::move(*r));
        }
        return moved;
    }
};

// The comma-separated fields of a decryption table line.
inline std::vector<std::string> split(std::string const& line) {
    std::vector<std::string> f;
    for (std::size_t start = 0;;) {
        auto comma = line.find(',', start);
        f.push_back(line.substr(start, comma - start));
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return f;
}

inline IkeConfig one(Connection c) {
    IkeConfig config;
    config.connections.push_back(std::move(c));
    return config;
}

// The two connections of a PSK pair: a's "to-b" and b's "to-a", to adjust before Pair(...).
inline std::pair<Connection, Connection> psk_connections(IkeProposal proposal) {
    return {psk_connection("to-b", ep("10.0.0.1:500"), ep("10.0.0.2:500"),
                           Identity::fqdn("a.example"), Identity::fqdn("b.example"), proposal),
            psk_connection("to-a", ep("10.0.0.2:500"), ep("10.0.0.1:500"),
                           Identity::fqdn("b.example"), Identity::fqdn("a.example"), proposal)};
}

// A PSK pair: a initiates "to-b"; b answers as "to-a".
inline Pair psk_pair(IkeProposal proposal, std::string psk_a = "secret",
                     std::string psk_b = "secret", std::uint64_t seed = 7) {
    return Pair(one(psk_connection("to-b", ep("10.0.0.1:500"), ep("10.0.0.2:500"),
                                   Identity::fqdn("a.example"), Identity::fqdn("b.example"),
                                   proposal, psk_a)),
                one(psk_connection("to-a", ep("10.0.0.2:500"), ep("10.0.0.1:500"),
                                   Identity::fqdn("b.example"), Identity::fqdn("a.example"),
                                   proposal, psk_b)),
                seed);
}

// ---- certificates and signatures ---------------------------------------------------------------

// A certificate for `key`, self-signed unless an issuer is given.
inline crypto::Certificate certificate(crypto::PrivateKey const& key, std::string const& subject,
                                       crypto::SubjectAltNames san = {},
                                       crypto::Certificate const* issuer = nullptr,
                                       crypto::PrivateKey const* issuer_key = nullptr,
                                       bool is_ca = false) {
    crypto::CertificateSpec spec;
    spec.subject = crypto::DistinguishedName::parse(subject).value();
    spec.not_before = time_from_unix_seconds(1'700'000'000);
    spec.not_after = time_from_unix_seconds(1'900'000'000);
    spec.subject_alt_names = std::move(san);
    spec.is_ca = is_ca;
    if (issuer == nullptr)
        return crypto::Certificate::create_self_signed(spec, key).value();
    return crypto::Certificate::create_signed(spec, key.public_key(), *issuer, *issuer_key).value();
}

inline crypto::SubjectAltNames dns_san(std::string name) {
    crypto::SubjectAltNames san;
    san.dns_names.push_back(std::move(name));
    return san;
}

// The keys and self-signed certificates of a and b; each certificate names its side's FQDN in
// a dNSName (the ID check of IKE_AUTH).
struct Pki {
    crypto::PrivateKey key_a;
    crypto::PrivateKey key_b;
    crypto::Certificate cert_a;
    crypto::Certificate cert_b;
};

inline Pki make_pki(crypto::KeyType type) {
    auto a = crypto::PrivateKey::generate(nullptr, type).value();
    auto b = crypto::PrivateKey::generate(nullptr, type).value();
    auto ca = certificate(a, "CN=a.example", dns_san("a.example"));
    auto cb = certificate(b, "CN=b.example", dns_san("b.example"));
    return Pki{std::move(a), std::move(b), std::move(ca), std::move(cb)};
}

// a and b authenticate with `method` (the scheme for digital_signature), each configured with
// the other's certificate.
inline std::pair<Connection, Connection> signature_connections(
    Pki const& pki, crypto::SignatureScheme scheme,
    AuthMethod method = AuthMethod::digital_signature) {
    auto [a, b] = psk_connections(gcm256_19);
    a.local_auth = LocalAuth{method, {}, "KEY_A", scheme};
    a.peer_auth = PeerAuth{method, {}, {pki.cert_b.to_der()}, {}};
    b.local_auth = LocalAuth{method, {}, "KEY_B", scheme};
    b.peer_auth = PeerAuth{method, {}, {pki.cert_a.to_der()}, {}};
    return {a, b};
}

// A pair of the given connections whose signer holds a's and b's keys as KEY_A and KEY_B.
inline Pair pki_pair(Pki const& pki, Connection const& a, Connection const& b,
                     IkeOptions options = {}) {
    Pair p(one(a), one(b), 7, options);
    p.keys["KEY_A"] = &pki.key_a;
    p.keys["KEY_B"] = &pki.key_b;
    return p;
}

inline Pair signature_pair(Pki const& pki, crypto::SignatureScheme scheme,
                           AuthMethod method = AuthMethod::digital_signature) {
    auto [a, b] = signature_connections(pki, scheme, method);
    return pki_pair(pki, a, b);
}

// The inner payloads of an SK datagram of the pair's first IKE SA, decrypted as a third party
// with the keys of a's secret line (the direction from the header's I flag).
inline std::vector<wire_ike::Payload> decrypt(Pair const& p, Bytes const& datagram,
                                              IkeProposal const& suite = gcm256_19) {
    auto f = split(p.a.secrets.at(0));
    auto m = wire_ike::decode(datagram).value();
    bool from_i = m.header.initiator;
    auto key = [&](std::size_t i) { return from_hex(f.at(i)).value(); };
    auto cipher = crypto::SkCipher::create(suite.encryption, suite.integrity, key(from_i ? 2 : 3),
                                           key(from_i ? 5 : 6))
                      .value();
    auto parts = wire_ike::protected_parts(datagram, m).value();
    auto plain = cipher.unprotect(parts.prefix, parts.body).value();
    auto sk = std::get<wire_ike::Encrypted>(m.payloads.back());
    return wire_ike::decode_payload_chain(sk.first_inner, plain).value();
}

}  // namespace nsslab::ike::test
