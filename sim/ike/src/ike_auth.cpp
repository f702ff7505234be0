// IKE_AUTH (RFC 7296 §1.2, §2.15) for both roles, with the first Child SA. AUTH methods 2 (PSK),
// 14 (RFC 7427) and 9/10/11 (RFC 4754: ECDSA with raw r|s, converted from and to the DER the
// signer and verifier use); method 1 is refused (no SHA-1 scheme at the NSS server).
//
//   initiator                                   responder
//   (keys; sign request for a signature method: auth_sign_pending)
//   HDR, SK {IDi, [CERT+], [CERTREQ], AUTH, SAi2, TSi, TSr} -->
//                                              (verify request: auth_verify_pending,
//                                               sign request: auth_sign_pending)
//                                       <--    HDR, SK {IDr, [CERT+], AUTH, SAr2, TSi, TSr}
//   (verify request: auth_verify_pending)
#include <algorithm>

#include "nsslab/crypto/ecdsa_sig.hpp"
#include "nsslab/crypto/prf.hpp"
#include "nsslab/crypto/sig_alg_id.hpp"
#include "proposals.hpp"
#include "sa.hpp"

namespace nsslab::ike {

namespace {

// IDx' of RFC 7296 §2.15: ID Type | RESERVED (3) | Identification Data.
Bytes id_prime(w::IdType type, ByteView data) {
    Bytes out{static_cast<std::uint8_t>(type), 0, 0, 0};
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

// RealMessage | Nonce(peer) | prf(SK_p, IDx') (RFC 7296 §2.15).
Result<Bytes> signed_octets(crypto::PrfAlgorithm prf, ByteView real_message, ByteView nonce,
                            ByteView sk_p, Bytes const& idx) {
    auto mac = crypto::prf(prf, sk_p, idx);
    if (!mac)
        return mac.error();
    Bytes out(real_message.begin(), real_message.end());
    out.insert(out.end(), nonce.begin(), nonce.end());
    out.insert(out.end(), mac->begin(), mac->end());
    return out;
}

// AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), octets) (RFC 7296 §2.15).
Result<Bytes> psk_auth(crypto::PrfAlgorithm prf, ByteView psk, ByteView octets) {
    auto pad = crypto::prf(prf, psk, as_bytes("Key Pad for IKEv2"));
    if (!pad)
        return pad.error();
    return crypto::prf(prf, *pad, octets);
}

bool equal_constant_time(ByteView a, ByteView b) {
    if (a.size() != b.size())
        return false;
    std::uint8_t diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff = static_cast<std::uint8_t>(diff | (a[i] ^ b[i]));
    return diff == 0;
}

w::AuthMethod wire_method(AuthMethod m) {
    switch (m) {
        case AuthMethod::pre_shared_key:
            return w::AuthMethod::shared_key_mic;
        case AuthMethod::digital_signature:
            return w::AuthMethod::digital_signature;
        case AuthMethod::ecdsa_256:
            return w::AuthMethod::ecdsa_sha256_p256;
        case AuthMethod::ecdsa_384:
            return w::AuthMethod::ecdsa_sha384_p384;
        case AuthMethod::ecdsa_521:
            return w::AuthMethod::ecdsa_sha512_p521;
        case AuthMethod::rsa_signature:
            break;
    }
    return w::AuthMethod::rsa_digital_signature;
}

constexpr char const* method_1_refused =
    "AUTH method 1 (RSA with SHA-1) is not supported: the NSS certificate service has no SHA-1 "
    "signature scheme";

// RFC 4754: the curve and hash of methods 9, 10, 11.
struct EcdsaMethod {
    crypto::EcdsaCurve curve;
    crypto::SignatureScheme scheme;
    crypto::KeyType key;
};
std::optional<EcdsaMethod> ecdsa_method(AuthMethod m) {
    switch (m) {
        case AuthMethod::ecdsa_256:
            return EcdsaMethod{crypto::EcdsaCurve::p256, crypto::SignatureScheme::ecdsa_sha256,
                               crypto::KeyType::ec_p256};
        case AuthMethod::ecdsa_384:
            return EcdsaMethod{crypto::EcdsaCurve::p384, crypto::SignatureScheme::ecdsa_sha384,
                               crypto::KeyType::ec_p384};
        case AuthMethod::ecdsa_521:
            return EcdsaMethod{crypto::EcdsaCurve::p521, crypto::SignatureScheme::ecdsa_sha512,
                               crypto::KeyType::ec_p521};
        default:
            return std::nullopt;
    }
}

// The scheme our sign request names.
crypto::SignatureScheme local_scheme(LocalAuth const& auth) {
    if (auto e = ecdsa_method(auth.method))
        return e->scheme;
    return auth.scheme;
}

}  // namespace

void IkeEndpoint::Impl::start_auth(Sa& sa, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    bool init = sa.role == Role::initiator;
    auto octets =
        signed_octets(sa.suite.prf, init ? sa.init_request : sa.init_response, init ? sa.nr : sa.ni,
                      init ? sa.keys.sk_pi : sa.keys.sk_pr, own_idx(sa));
    if (!octets)
        return fail(sa, "ike.negotiation_failed", octets.error().message);
    if (conn.local_auth.method == AuthMethod::pre_shared_key) {
        auto auth = psk_auth(sa.suite.prf, conn.local_auth.psk, *octets);
        if (!auth)
            return fail(sa, "ike.negotiation_failed", auth.error().message);
        return init ? send_auth_request(sa, *auth, now) : send_auth_response(sa, *auth);
    }
    if (conn.local_auth.method == AuthMethod::rsa_signature)
        return auth_failed(sa, "local", method_1_refused);
    if (conn.local_auth.method == AuthMethod::digital_signature) {
        auto hash = crypto::signature_hash_of(conn.local_auth.scheme);
        if (std::find(sa.peer_hashes.begin(), sa.peer_hashes.end(), hash) == sa.peer_hashes.end())
            return auth_failed(sa, "local",
                               "the peer's SIGNATURE_HASH_ALGORITHMS lack " +
                                   std::string(crypto::to_string(hash)));
    }
    sa.state = SaState::auth_sign_pending;
    ask(sa,
        SignRequest{conn.local_auth.key_label, local_scheme(conn.local_auth), std::move(*octets)},
        now);
}

void IkeEndpoint::Impl::send_auth_request(Sa& sa, ByteView auth_data, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    auto spi = fresh_child_spi();
    if (!spi)
        return fail(sa, "ike.negotiation_failed", spi.error().message);
    sa.child_spi_local = *spi;
    std::vector<w::Payload> inner;
    inner.push_back(w::IdI{conn.local_id.type, conn.local_id.data});
    add_certificates(sa, inner);
    add_certreq(sa, inner);
    inner.push_back(w::Authentication{wire_method(conn.local_auth.method),
                                      Bytes(auth_data.begin(), auth_data.end())});
    w::SecurityAssociation child;
    Bytes spi_bytes;
    ByteWriter(spi_bytes).u32(sa.child_spi_local);
    std::uint8_t number = 1;
    for (auto const& q : conn.child_proposals)
        child.proposals.push_back(
            w::Proposal{number++, w::ProtocolId::esp, spi_bytes, esp_transforms(q)});
    inner.push_back(std::move(child));
    inner.push_back(w::TsI{{single_address(conn.local.address)}});
    inner.push_back(w::TsR{{single_address(conn.remote.address)}});
    auto message =
        seal(sa, header(sa, w::ExchangeType::ike_auth, false, sa.next_request_id), inner);
    if (!message)
        return fail(sa, "ike.negotiation_failed", message.error().message);
    sa.state = SaState::auth_sent;
    send_request(sa, w::ExchangeType::ike_auth, std::move(*message), now);
}

void IkeEndpoint::Impl::on_auth_request(Sa& sa, Endpoint const& from,
                                        std::vector<w::Payload> const& inner, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    auto const* idi = w::find_payload<w::IdI>(inner);
    auto const* auth = w::find_payload<w::Authentication>(inner);
    auto const* child = w::find_payload<w::SecurityAssociation>(inner);
    auto const* tsi = w::find_payload<w::TsI>(inner);
    auto const* tsr = w::find_payload<w::TsR>(inner);
    if (idi == nullptr || auth == nullptr)
        return drop(DropReason::invalid_payloads, from, "IKE_AUTH request without IDi or AUTH");
    sa.processing_id = 1;
    take_certificates(sa, inner);
    take_certreqs(sa, inner);
    // The first Child SA: the first of the peer's proposals we accept.
    if (child == nullptr || tsi == nullptr || tsr == nullptr) {
        sa.child_error = w::NotifyType::invalid_syntax;
    } else if (!covers(*tsi, conn.remote.address) || !covers(*tsr, conn.local.address)) {
        sa.child_error = w::NotifyType::ts_unacceptable;
    } else {
        for (auto const& p : child->proposals) {
            for (auto const& q : conn.child_proposals) {
                if (offers(p, q)) {
                    sa.child = q;
                    sa.child_number = p.number;
                    sa.child_spi_peer = esp_spi(p.spi);
                    break;
                }
            }
            if (sa.child)
                break;
        }
        if (!sa.child)
            sa.child_error = w::NotifyType::no_proposal_chosen;
    }
    if (idi->id_type != conn.remote_id.type || idi->data != conn.remote_id.data)
        return auth_failed(sa, "peer",
                           "IDi " + Identity{idi->id_type, idi->data}.to_string() + " is not " +
                               conn.remote_id.to_string());
    check_peer_auth(sa, *auth, Identity{idi->id_type, idi->data}, now);
}

void IkeEndpoint::Impl::on_auth_response(Sa& sa, Endpoint const& from,
                                         std::vector<w::Payload> const& inner, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    if (w::find_notify(inner, w::NotifyType::authentication_failed) != nullptr)
        return auth_failed(sa, "local", "the peer sent AUTHENTICATION_FAILED");
    auto const* idr = w::find_payload<w::IdR>(inner);
    auto const* auth = w::find_payload<w::Authentication>(inner);
    if (idr == nullptr || auth == nullptr) {
        sa.outstanding.active = true;  // still waiting for a proper answer
        return drop(DropReason::invalid_payloads, from, "IKE_AUTH response without IDr or AUTH");
    }
    sa.next_request_id = 2;
    take_certificates(sa, inner);
    if (auto const* child = w::find_payload<w::SecurityAssociation>(inner)) {
        sa.child = answered(*child, conn.child_proposals);
        if (sa.child) {
            auto const& spi = child->proposals.front().spi;
            if (spi.size() == 4)
                sa.child_spi_peer = esp_spi(spi);
            else
                sa.child.reset();
        }
    }
    if (!sa.child) {
        for (auto const& p : inner)
            if (auto const* n = std::get_if<w::Notify>(&p);
                n != nullptr && static_cast<std::uint16_t>(n->type) < 16384)
                sa.child_error = n->type;
        if (!sa.child_error)
            sa.child_error = w::NotifyType::no_proposal_chosen;
    }
    if (idr->id_type != conn.remote_id.type || idr->data != conn.remote_id.data)
        return auth_failed(sa, "peer",
                           "IDr " + Identity{idr->id_type, idr->data}.to_string() + " is not " +
                               conn.remote_id.to_string());
    check_peer_auth(sa, *auth, Identity{idr->id_type, idr->data}, now);
}

void IkeEndpoint::Impl::check_peer_auth(Sa& sa, w::Authentication const& auth,
                                        Identity const& peer_id, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    bool init = sa.role == Role::initiator;
    // The peer signed its own RealMessage, our nonce and its ID under its SK_p.
    auto octets =
        signed_octets(sa.suite.prf, init ? sa.init_response : sa.init_request, init ? sa.ni : sa.nr,
                      init ? sa.keys.sk_pr : sa.keys.sk_pi, id_prime(peer_id.type, peer_id.data));
    if (!octets)
        return fail(sa, "ike.negotiation_failed", octets.error().message);
    if (auth.method == w::AuthMethod::rsa_digital_signature ||
        conn.peer_auth.method == AuthMethod::rsa_signature)
        return auth_failed(sa, "peer", method_1_refused);
    if (auth.method != wire_method(conn.peer_auth.method))
        return auth_failed(sa, "peer",
                           "AUTH method " + std::string(w::to_string(auth.method)) + ", expected " +
                               std::string(w::to_string(wire_method(conn.peer_auth.method))));
    if (conn.peer_auth.method == AuthMethod::pre_shared_key) {
        auto expected = psk_auth(sa.suite.prf, conn.peer_auth.psk, *octets);
        if (!expected)
            return fail(sa, "ike.negotiation_failed", expected.error().message);
        if (!equal_constant_time(*expected, auth.data))
            return auth_failed(sa, "peer", "pre-shared key AUTH does not match");
        return peer_authenticated(sa, now);
    }
    // The chain: the peer's CERT payloads, else the configured one.
    std::vector<Bytes> chain =
        sa.peer_certificates.empty() ? conn.peer_auth.certificate_chain : sa.peer_certificates;
    if (chain.empty())
        return auth_failed(sa, "peer",
                           "no certificate for " + peer_id.to_string() +
                               ": the peer sent no CERT payload and the connection configures no "
                               "certificate_chain");
    if (auto why = identity_not_in_certificate(peer_id, chain.front()); !why.empty())
        return auth_failed(sa, "peer", why);
    crypto::SignatureScheme scheme{};
    Bytes signature;
    if (auto ecdsa = ecdsa_method(conn.peer_auth.method)) {
        // RFC 4754 §3: the method fixes the curve; the key must be on it.
        auto key = crypto::Certificate::load_der(nullptr, chain.front())->public_key();
        if (key.key_type() != ecdsa->key)
            return auth_failed(sa, "peer",
                               "AUTH method " + std::string(w::to_string(auth.method)) +
                                   " needs a " + std::string(crypto::to_string(ecdsa->key)) +
                                   " key, the certificate holds " + key.description());
        auto der = crypto::ecdsa_raw_to_der(auth.data, ecdsa->curve);
        if (!der)
            return auth_failed(sa, "peer", "AUTH data: " + der.error().message);
        scheme = ecdsa->scheme;
        signature = std::move(*der);
    } else {
        auto parsed = crypto::parse_signature_auth_data(auth.data);
        if (!parsed)
            return auth_failed(sa, "peer", "AUTH data: " + parsed.error().message);
        auto hash = crypto::signature_hash_of(parsed->scheme);
        if (std::find(announced_hashes.begin(), announced_hashes.end(), hash) ==
            announced_hashes.end())
            return auth_failed(
                sa, "peer",
                "signature hash " + std::string(crypto::to_string(hash)) + " was not announced");
        scheme = parsed->scheme;
        signature.assign(parsed->signature.begin(), parsed->signature.end());
    }
    sa.state = SaState::auth_verify_pending;
    ask(sa, VerifyRequest{scheme, std::move(*octets), std::move(signature), std::move(chain)}, now);
}

void IkeEndpoint::Impl::peer_authenticated(Sa& sa, TimePoint now) {
    if (sa.role == Role::initiator)
        return established(sa);
    start_auth(sa, now);  // the responder's own AUTH
}

void IkeEndpoint::Impl::send_auth_response(Sa& sa, ByteView auth_data) {
    Connection const& conn = config.connections[sa.connection];
    std::vector<w::Payload> inner;
    inner.push_back(w::IdR{conn.local_id.type, conn.local_id.data});
    add_certificates(sa, inner);
    inner.push_back(w::Authentication{wire_method(conn.local_auth.method),
                                      Bytes(auth_data.begin(), auth_data.end())});
    if (sa.child) {
        auto spi = fresh_child_spi();
        if (!spi)
            return fail(sa, "ike.negotiation_failed", spi.error().message);
        sa.child_spi_local = *spi;
        Bytes spi_bytes;
        ByteWriter(spi_bytes).u32(sa.child_spi_local);
        // The accepted proposal keeps the peer's number (RFC 7296 §3.3.1).
        inner.push_back(w::SecurityAssociation{{w::Proposal{
            sa.child_number, w::ProtocolId::esp, spi_bytes, esp_transforms(*sa.child)}}});
        inner.push_back(w::TsI{{single_address(conn.remote.address)}});
        inner.push_back(w::TsR{{single_address(conn.local.address)}});
    } else {
        inner.push_back(error_notify(sa.child_error.value_or(w::NotifyType::no_proposal_chosen)));
    }
    auto message = seal(sa, header(sa, w::ExchangeType::ike_auth, true, 1), inner);
    if (!message)
        return fail(sa, "ike.negotiation_failed", message.error().message);
    send_response(sa, 1, std::move(*message));
    established(sa);
}

void IkeEndpoint::Impl::auth_failed(Sa& sa, std::string side, std::string reason) {
    // The responder answers IKE_AUTH with AUTHENTICATION_FAILED (RFC 7296 §2.21.2).
    if (sa.role == Role::responder && sa.processing_id == 1 && sa.out) {
        auto message = seal(sa, header(sa, w::ExchangeType::ike_auth, true, 1),
                            {error_notify(w::NotifyType::authentication_failed)});
        if (message)
            send_response(sa, 1, std::move(*message));
    }
    Event e = sa_event("ike.auth_failed", sa);
    e.with("side", std::move(side)).with("state", to_string(sa.state)).with("reason", reason);
    emit(std::move(e));
    remove(sa);
}

void IkeEndpoint::Impl::established(Sa& sa) {
    Connection const& conn = config.connections[sa.connection];
    if (sa.half_open())
        --half_open;
    sa.state = SaState::established;
    sa.request = 0;
    Event e = sa_event("ike.sa_established", sa);
    e.with("spi_i", spi_hex(sa.spi_i))
        .with("spi_r", spi_hex(sa.spi_r))
        .with("proposal", to_string(sa.suite))
        .with("local_auth", to_string(conn.local_auth.method))
        .with("peer_auth", to_string(conn.peer_auth.method))
        .with("local", sa.local.to_string())
        .with("remote", sa.remote.to_string());
    if (!sa.peer_certreq.empty()) {
        std::string cas;
        for (auto const& h : sa.peer_certreq)
            cas += (cas.empty() ? "" : ",") + to_hex(h);
        e.with("peer_certreq", cas);
    }
    if (sa.child) {
        bool init = sa.role == Role::initiator;
        e.with("child", to_string(*sa.child))
            .with("child_spi_i", init ? sa.child_spi_local : sa.child_spi_peer)
            .with("child_spi_r", init ? sa.child_spi_peer : sa.child_spi_local);
    } else {
        e.with("child", "none")
            .with("child_error",
                  w::to_string(sa.child_error.value_or(w::NotifyType::no_proposal_chosen)));
    }
    emit(std::move(e));
    install_first_child(sa);
}

void IkeEndpoint::Impl::on_completion(Sa& sa, ServiceResult result, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    sa.request = 0;
    if (sa.state == SaState::auth_sign_pending) {
        if (!result)
            return auth_failed(sa, "local", "signing failed: " + result.error().message);
        Bytes data;
        if (auto ecdsa = ecdsa_method(conn.local_auth.method)) {
            auto raw = crypto::ecdsa_der_to_raw(*result, ecdsa->curve);
            if (!raw)
                return auth_failed(
                    sa, "local",
                    "the signature is no ECDSA " +
                        std::string(w::to_string(wire_method(conn.local_auth.method))) +
                        " signature: " + raw.error().message);
            data = std::move(*raw);
        } else {
            data = crypto::signature_auth_data(conn.local_auth.scheme, *result);
        }
        if (sa.role == Role::initiator)
            return send_auth_request(sa, data, now);
        return send_auth_response(sa, data);
    }
    if (sa.state == SaState::auth_verify_pending) {
        if (!result)
            return auth_failed(sa, "peer",
                               "signature verification failed: " + result.error().message);
        return peer_authenticated(sa, now);
    }
    NSSLAB_ASSERT(false, "a request completed in a state that has none");
}

Bytes IkeEndpoint::Impl::own_idx(Sa const& sa) const {
    auto const& id = config.connections[sa.connection].local_id;
    return id_prime(id.type, id.data);
}

}  // namespace nsslab::ike
