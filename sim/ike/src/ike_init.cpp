// IKE_SA_INIT (RFC 7296 §1.2, §2.6-§2.14) for both roles, and the key schedule of §2.13/§2.14.
//
//   initiator                                   responder
//   HDR, SAi1, KEi, Ni, N(NATD_S), N(NATD_D), [N(SHA)]  -->
//                                       <--    HDR, N(COOKIE)           (half_open >= threshold)
//   HDR, N(COOKIE), SAi1, KEi, Ni, [N(SHA)]  -->
//                                       <--    HDR, N(INVALID_KE_PAYLOAD, group)
//   HDR, N(COOKIE), SAi1, KEi', Ni, [N(SHA)] -->                  (same SPIi and Ni, MID 0)
//                                       <--    HDR, SAr1, KEr, Nr, [CERTREQ], [N(NATD_S),
//                                                    N(NATD_D)], [N(SHA)]
//
// The responder keeps no state for an error or cookie answer (NO_PROPOSAL_CHOSEN,
// INVALID_KE_PAYLOAD, COOKIE). The cookie is t | SHA-256(Ni | IPi | SPIi | secret_t), t the
// number of the secret's period (IkeOptions::cookie_secret_lifetime); the secrets are random
// from the LibContext, the current and the previous one accepted.
#include <algorithm>

#include "nsslab/crypto/digest.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/wire_ike/codec.hpp"
#include "proposals.hpp"
#include "sa.hpp"

namespace nsslab::ike {

void IkeEndpoint::Impl::on_init_request(Endpoint const& local, Endpoint const& from, ByteView bytes,
                                        w::Message const& m, TimePoint now) {
    w::Header const& h = m.header;
    if (auto it = responder_by_spi_i.find(h.spi_i); it != responder_by_spi_i.end()) {
        Sa& sa = *sas.at(it->second);
        if (!std::equal(bytes.begin(), bytes.end(), sa.init_request.begin(), sa.init_request.end()))
            return drop(DropReason::spi_collision, from);
        if (!sa.cached_id || *sa.cached_id != 0)  // the SA is past IKE_SA_INIT
            return drop(DropReason::unexpected_message_id, from, "IKE_SA_INIT of an SA past it");
        Event e = sa_event("ike.retransmit_answered", sa);
        e.with("exchange", "IKE_SA_INIT").with("message_id", 0);
        emit(std::move(e));
        push(transmits, Transmit{sa.local, sa.remote, sa.cached_response}, transmit_queue_max);
        return;
    }
    if (h.message_id != 0)
        return drop(DropReason::unexpected_message_id, from);
    auto conn_it = std::find_if(
        config.connections.begin(), config.connections.end(), [&](Connection const& c) {
            return c.local.address == local.address && c.remote.address == from.address;
        });
    if (conn_it == config.connections.end())
        return drop(DropReason::no_connection, from);
    if (half_open >= options.cookie_threshold) {
        auto const* ni = w::find_payload<w::Nonce>(m.payloads);
        if (ni == nullptr)
            return drop(DropReason::invalid_payloads, from, "IKE_SA_INIT without Nonce");
        // RFC 7296 §2.6: N(COOKIE) comes first.
        auto const* first = m.payloads.empty() ? nullptr : std::get_if<w::Notify>(&m.payloads[0]);
        bool has = first != nullptr && first->type == w::NotifyType::cookie;
        if (!has || !cookie_valid(first->data, ni->data, from, h.spi_i, now)) {
            auto cookie = make_cookie(ni->data, from, h.spi_i, now);
            if (!cookie)
                return drop(DropReason::invalid_payloads, from, cookie.error().message);
            w::Message answer;
            answer.header = h;
            answer.header.spi_r = 0;
            answer.header.initiator = false;
            answer.header.response = true;
            w::Notify n = error_notify(w::NotifyType::cookie, std::move(*cookie));
            answer.payloads.push_back(std::move(n));
            send_datagram(local, from, w::encode(answer));
            ++sent_cookies;
            Event e("ike.cookie_sent");
            e.with("connection", conn_it->name)
                .with("from", from.to_string())
                .with("half_open", half_open)
                .with("reason", has ? "invalid cookie" : "no cookie");
            emit(std::move(e));
            return;
        }
    }
    if (half_open >= options.half_open_max)
        return drop(DropReason::half_open_limit, from);
    if (sas.size() >= options.sas_max)
        return drop(DropReason::sa_limit, from);
    auto const* sa_payload = w::find_payload<w::SecurityAssociation>(m.payloads);
    auto const* ke = w::find_payload<w::KeyExchange>(m.payloads);
    auto const* nonce = w::find_payload<w::Nonce>(m.payloads);
    if (sa_payload == nullptr || ke == nullptr || nonce == nullptr)
        return drop(DropReason::invalid_payloads, from, "IKE_SA_INIT without SA, KE or Nonce");
    Connection const& conn = *conn_it;

    // An unauthenticated error answer keeps no state.
    auto refuse = [&](w::NotifyType type, Bytes data, std::string reason) {
        w::Message answer;
        answer.header = h;
        answer.header.spi_r = 0;
        answer.header.initiator = false;
        answer.header.response = true;
        answer.payloads.push_back(error_notify(type, std::move(data)));
        send_datagram(local, from, w::encode(answer));
        Event e("ike.negotiation_failed");
        e.with("connection", conn.name)
            .with("role", "responder")
            .with("notify", w::to_string(type))
            .with("reason", std::move(reason));
        emit(std::move(e));
    };

    std::optional<IkeProposal> chosen;
    std::uint8_t number = 0;
    for (auto const& p : sa_payload->proposals) {
        for (auto const& q : conn.ike_proposals) {
            if (offers(p, q)) {
                chosen = q;
                number = p.number;
                break;
            }
        }
        if (chosen)
            break;
    }
    if (!chosen)
        return refuse(w::NotifyType::no_proposal_chosen, {}, "no acceptable IKE proposal");
    if (static_cast<std::uint16_t>(ke->group) != static_cast<std::uint16_t>(chosen->dh)) {
        Bytes group;
        ByteWriter(group).u16(static_cast<std::uint16_t>(chosen->dh));
        return refuse(w::NotifyType::invalid_ke_payload, std::move(group),
                      "KE group " + std::string(w::to_string(ke->group)) + ", chosen " +
                          std::string(crypto::to_string(chosen->dh)));
    }

    auto sa_ptr = std::make_unique<Sa>();
    Sa& sa = *sa_ptr;
    sa.id = next_sa++;
    sa.role = Role::responder;
    sa.state = SaState::init_responded;
    sa.connection = static_cast<std::size_t>(conn_it - config.connections.begin());
    sa.local = local;
    sa.remote = from;
    sa.spi_i = h.spi_i;
    sa.suite = *chosen;
    sa.ni = nonce->data;
    sa.init_request.assign(bytes.begin(), bytes.end());
    sa.peer_hashes = peer_signature_hashes(m.payloads);
    take_certreqs(sa, m.payloads);
    auto spi = fresh_spi();
    auto nr = random_bytes(options.nonce_size);
    auto dh = crypto::DhKey::generate(lib, chosen->dh);
    if (!spi || !nr || !dh)
        return drop(DropReason::invalid_payloads, from, "local randomness or DH failed");
    sa.spi_r = *spi;
    sa.nr = std::move(*nr);
    sa.dh.emplace(std::move(*dh));
    Bytes ker(sa.dh->public_value().begin(), sa.dh->public_value().end());
    if (auto r = derive_keys(sa, ke->data); !r)
        return drop(DropReason::invalid_payloads, from, r.error().message);

    w::Message answer;
    answer.header = header(sa, w::ExchangeType::ike_sa_init, true, 0);
    w::Proposal p{number, w::ProtocolId::ike, {}, ike_transforms(*chosen)};
    answer.payloads.push_back(w::SecurityAssociation{{p}});
    answer.payloads.push_back(w::KeyExchange{ke->group, std::move(ker)});
    answer.payloads.push_back(w::Nonce{sa.nr});
    add_certreq(sa, answer.payloads);
    if (has_nat_detection(m.payloads))
        if (auto r = add_nat_detection(sa.spi_i, sa.spi_r, local, from, answer.payloads); !r)
            return drop(DropReason::invalid_payloads, from, r.error().message);
    if (uses_signatures(conn) && !sa.peer_hashes.empty())
        answer.payloads.push_back(signature_hash_notify());
    sa.init_response = w::encode(answer);
    sa.peer_next_id = 0;
    sa.half_open_deadline = now + options.half_open_timeout;
    by_spi[sa.spi_r] = sa.id;
    responder_by_spi_i[sa.spi_i] = sa.id;
    ++half_open;
    send_response(sa, 0, sa.init_response);
    Event e = sa_event("ike.sa_init_answered", sa);
    e.with("proposal", to_string(*chosen)).with("from", from.to_string());
    emit(std::move(e));
    detect_nat(sa, m.payloads, 0, local, from);
    sas.emplace(sa.id, std::move(sa_ptr));
}

void IkeEndpoint::Impl::on_init_response(Sa& sa, Endpoint const& from, ByteView bytes,
                                         w::Message const& m, TimePoint now) {
    if (sa.state != SaState::init_sent)
        return drop(DropReason::unexpected_exchange, from);
    if (retry_init(sa, m, now))
        return;
    for (auto const& p : m.payloads) {
        auto const* n = std::get_if<w::Notify>(&p);
        if (n != nullptr && static_cast<std::uint16_t>(n->type) < 16384)
            return fail(sa, "ike.negotiation_failed",
                        "peer sent " + std::string(w::to_string(n->type)));
    }
    Connection const& conn = config.connections[sa.connection];
    auto const* sa_payload = w::find_payload<w::SecurityAssociation>(m.payloads);
    auto const* ke = w::find_payload<w::KeyExchange>(m.payloads);
    auto const* nonce = w::find_payload<w::Nonce>(m.payloads);
    if (sa_payload == nullptr || ke == nullptr || nonce == nullptr || m.header.spi_r == 0)
        return drop(DropReason::invalid_payloads, from, "IKE_SA_INIT response incomplete");
    auto chosen = answered(*sa_payload, conn.ike_proposals);
    if (!chosen || chosen->dh != sa.dh->group() ||
        static_cast<std::uint16_t>(ke->group) != static_cast<std::uint16_t>(chosen->dh))
        return drop(DropReason::invalid_payloads, from, "the chosen proposal was not offered");
    sa.suite = *chosen;
    sa.spi_r = m.header.spi_r;
    sa.nr = nonce->data;
    sa.init_response.assign(bytes.begin(), bytes.end());
    sa.peer_hashes = peer_signature_hashes(m.payloads);
    take_certreqs(sa, m.payloads);
    detect_nat(sa, m.payloads, sa.spi_r, sa.local, from);
    if (auto r = derive_keys(sa, ke->data); !r)
        return fail(sa, "ike.negotiation_failed", r.error().message);
    sa.outstanding.active = false;
    start_auth(sa, now);
}

bool IkeEndpoint::Impl::retry_init(Sa& sa, w::Message const& m, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    auto resend = [&](std::string event, std::string field, std::string value, unsigned attempt) {
        sa.next_request_id = 0;  // the retried request restarts with MID 0 (RFC 7296 §2.6)
        auto request = init_request(sa);
        if (!request)
            return fail(sa, "ike.negotiation_failed", request.error().message);
        sa.init_request = std::move(*request);
        send_request(sa, w::ExchangeType::ike_sa_init, sa.init_request, now);
        Event e = sa_event(std::move(event), sa);
        e.with(std::move(field), std::move(value)).with("attempt", attempt);
        emit(std::move(e));
    };
    if (auto const* n = w::find_notify(m.payloads, w::NotifyType::cookie)) {
        if (n->data.empty() || n->data.size() > 64) {
            fail(sa, "ike.negotiation_failed",
                 "N(COOKIE) of " + std::to_string(n->data.size()) +
                     " octets (RFC 7296 §2.6: 1 to 64)");
            return true;
        }
        if (sa.cookie_retries >= cookie_retries_max) {
            fail(sa, "ike.negotiation_failed",
                 "peer sent COOKIE after " + std::to_string(sa.cookie_retries) + " retries");
            return true;
        }
        sa.cookie = n->data;
        resend("ike.cookie_retry", "cookie_octets", std::to_string(sa.cookie.size()),
               ++sa.cookie_retries);
        return true;
    }
    auto const* n = w::find_notify(m.payloads, w::NotifyType::invalid_ke_payload);
    if (n == nullptr)
        return false;
    std::optional<std::uint16_t> group;
    if (n->data.size() == 2)
        group = *ByteReader(n->data).u16();
    auto it = std::find_if(
        conn.ike_proposals.begin(), conn.ike_proposals.end(),
        [&](IkeProposal const& q) { return group && static_cast<std::uint16_t>(q.dh) == *group; });
    std::string name = group ? std::string(w::to_string(static_cast<w::DhGroup>(*group))) : "none";
    if (it == conn.ike_proposals.end() || it->dh == sa.dh->group()) {
        fail(sa, "ike.negotiation_failed",
             "peer sent INVALID_KE_PAYLOAD for group " + name +
                 (it == conn.ike_proposals.end() ? ", which no proposal offers"
                                                 : ", the group of our KE"));
        return true;
    }
    if (sa.invalid_ke_retries >= invalid_ke_retries_max) {
        fail(sa, "ike.negotiation_failed",
             "peer sent INVALID_KE_PAYLOAD after " + std::to_string(sa.invalid_ke_retries) +
                 " retries");
        return true;
    }
    auto dh = crypto::DhKey::generate(lib, it->dh);
    if (!dh) {
        fail(sa, "ike.negotiation_failed", dh.error().message);
        return true;
    }
    sa.dh.emplace(std::move(*dh));
    sa.suite = *it;
    resend("ike.invalid_ke_retry", "group", std::string(crypto::to_string(it->dh)),
           ++sa.invalid_ke_retries);
    return true;
}

Result<void> IkeEndpoint::Impl::rotate_cookie_secret(TimePoint now) {
    auto period =
        static_cast<std::uint32_t>(now.time_since_epoch() / options.cookie_secret_lifetime);
    if (cookie_secret_since && period == cookie_version)
        return {};
    auto fresh = random_bytes(32);
    if (!fresh)
        return fresh.error();
    // The previous secret stays only when it belongs to the period just before.
    bool next = cookie_secret_since && period == cookie_version + 1;
    previous_cookie_secret = next ? std::move(cookie_secret) : Bytes{};
    cookie_secret = std::move(*fresh);
    cookie_version = period;
    cookie_secret_since = now;
    return {};
}

namespace {

Result<Bytes> cookie_hash(ByteView ni, Endpoint const& from, std::uint64_t spi_i, ByteView secret) {
    Bytes in(ni.begin(), ni.end());
    auto const& ip = from.address.raw();
    in.insert(in.end(), ip.begin(), ip.begin() + static_cast<std::ptrdiff_t>(from.address.size()));
    ByteWriter(in).u64(spi_i);
    in.insert(in.end(), secret.begin(), secret.end());
    return crypto::sha256(in);
}

}  // namespace

Result<Bytes> IkeEndpoint::Impl::make_cookie(ByteView ni, Endpoint const& from, std::uint64_t spi_i,
                                             TimePoint now) {
    if (auto r = rotate_cookie_secret(now); !r)
        return r.error();
    auto hash = cookie_hash(ni, from, spi_i, cookie_secret);
    if (!hash)
        return hash.error();
    Bytes cookie;
    ByteWriter(cookie).u32(cookie_version);
    cookie.insert(cookie.end(), hash->begin(), hash->end());
    return cookie;
}

bool IkeEndpoint::Impl::cookie_valid(ByteView cookie, ByteView ni, Endpoint const& from,
                                     std::uint64_t spi_i, TimePoint now) {
    if (cookie.size() != 4 + crypto::sha256_size || !rotate_cookie_secret(now))
        return false;
    ByteReader r(cookie);
    std::uint32_t t = *r.u32();
    Bytes const* secret = nullptr;
    if (t == cookie_version)
        secret = &cookie_secret;
    else if (t + 1 == cookie_version && !previous_cookie_secret.empty())
        secret = &previous_cookie_secret;
    if (secret == nullptr)
        return false;
    auto hash = cookie_hash(ni, from, spi_i, *secret);
    return hash && std::equal(hash->begin(), hash->end(), cookie.begin() + 4, cookie.end());
}

Result<Bytes> IkeEndpoint::Impl::init_request(Sa const& sa) const {
    Connection const& conn = config.connections[sa.connection];
    w::Message request;
    request.header = header(sa, w::ExchangeType::ike_sa_init, false, 0);
    if (!sa.cookie.empty())
        request.payloads.push_back(error_notify(w::NotifyType::cookie, sa.cookie));
    w::SecurityAssociation offer;
    std::uint8_t number = 1;
    for (auto const& q : conn.ike_proposals)
        offer.proposals.push_back(w::Proposal{number++, w::ProtocolId::ike, {}, ike_transforms(q)});
    request.payloads.push_back(std::move(offer));
    request.payloads.push_back(
        w::KeyExchange{static_cast<w::DhGroup>(sa.dh->group()),
                       Bytes(sa.dh->public_value().begin(), sa.dh->public_value().end())});
    request.payloads.push_back(w::Nonce{sa.ni});
    if (auto r = add_nat_detection(sa.spi_i, 0, sa.local, sa.remote, request.payloads); !r)
        return r.error();
    if (uses_signatures(conn))
        request.payloads.push_back(signature_hash_notify());
    return w::encode(request);
}

Result<void> IkeEndpoint::Impl::derive_keys(Sa& sa, ByteView peer_ke) {
    auto g_ir = sa.dh->shared_secret(peer_ke);
    if (!g_ir)
        return g_ir.error();
    sa.dh.reset();  // the private value is not needed any more
    auto seed = crypto::derive_skeyseed(sa.suite.prf, sa.ni, sa.nr, *g_ir);
    if (!seed)
        return seed.error();
    return install_keys(sa, *seed);
}

Result<void> IkeEndpoint::Impl::install_keys(Sa& sa, ByteView skeyseed) {
    crypto::IkeSaSuite suite{sa.suite.encryption, sa.suite.integrity, sa.suite.prf};
    auto keys = crypto::derive_ike_sa_keys(suite, skeyseed, sa.ni, sa.nr, sa.spi_i, sa.spi_r);
    if (!keys)
        return keys.error();
    sa.keys = std::move(*keys);
    bool init = sa.role == Role::initiator;
    auto out = crypto::SkCipher::create(sa.suite.encryption, sa.suite.integrity,
                                        init ? sa.keys.sk_ei : sa.keys.sk_er,
                                        init ? sa.keys.sk_ai : sa.keys.sk_ar);
    if (!out)
        return out.error();
    auto in = crypto::SkCipher::create(sa.suite.encryption, sa.suite.integrity,
                                       init ? sa.keys.sk_er : sa.keys.sk_ei,
                                       init ? sa.keys.sk_ar : sa.keys.sk_ai);
    if (!in)
        return in.error();
    sa.out = std::move(*out);
    sa.in = std::move(*in);
    push(secrets,
         core::Secret{
             core::Secret::Kind::ike_sa,
             decryption_table_line(sa.spi_i, sa.spi_r, sa.suite.encryption, sa.suite.integrity,
                                   sa.keys.sk_ei, sa.keys.sk_er, sa.keys.sk_ai, sa.keys.sk_ar)},
         secret_queue_max);
    return {};
}

Result<SaId> IkeEndpoint::initiate(std::string_view connection, TimePoint now) {
    Impl& m = *impl_;
    auto it = std::find_if(m.config.connections.begin(), m.config.connections.end(),
                           [&](Connection const& c) { return c.name == connection; });
    if (it == m.config.connections.end())
        return fail(Errc::not_found, "ike: no connection named " + std::string(connection));
    if (m.sas.size() >= m.options.sas_max)
        return fail(Errc::limit_exceeded, "ike: sas_max SAs exist");
    auto sa_ptr = std::make_unique<Sa>();
    Sa& sa = *sa_ptr;
    sa.id = m.next_sa++;
    sa.role = Role::initiator;
    sa.state = SaState::init_sent;
    sa.connection = static_cast<std::size_t>(it - m.config.connections.begin());
    sa.local = it->local;
    sa.remote = it->remote;
    sa.suite = it->ike_proposals.front();
    auto spi = m.fresh_spi();
    if (!spi)
        return spi.error();
    auto ni = m.random_bytes(m.options.nonce_size);
    if (!ni)
        return ni.error();
    auto dh = crypto::DhKey::generate(m.lib, sa.suite.dh);
    if (!dh)
        return dh.error();
    sa.spi_i = *spi;
    sa.ni = std::move(*ni);
    sa.dh.emplace(std::move(*dh));

    auto request = m.init_request(sa);
    if (!request)
        return request.error();
    sa.init_request = std::move(*request);
    m.by_spi[sa.spi_i] = sa.id;
    SaId id = sa.id;
    m.send_request(sa, w::ExchangeType::ike_sa_init, sa.init_request, now);
    Event e = m.sa_event("ike.sa_init_sent", sa);
    e.with("spi_i", spi_hex(sa.spi_i)).with("remote", sa.remote.to_string());
    m.emit(std::move(e));
    m.sas.emplace(id, std::move(sa_ptr));
    return id;
}

}  // namespace nsslab::ike
