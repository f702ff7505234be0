// IKE_SA_INIT (RFC 7296 §1.2, §2.6-§2.14) for both roles, and the key schedule of §2.13/§2.14.
//
//   initiator                                   responder
//   HDR, SAi1, KEi, Ni, [N(SHA)]        -->
//                                       <--    HDR, SAr1, KEr, Nr, [CERTREQ], [N(SHA)]
//
// The responder keeps no state for an error answer (NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD).
#include <algorithm>

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
    sas.emplace(sa.id, std::move(sa_ptr));
}

void IkeEndpoint::Impl::on_init_response(Sa& sa, Endpoint const& from, ByteView bytes,
                                         w::Message const& m, TimePoint now) {
    if (sa.state != SaState::init_sent)
        return drop(DropReason::unexpected_exchange, from);
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
    if (auto r = derive_keys(sa, ke->data); !r)
        return fail(sa, "ike.negotiation_failed", r.error().message);
    sa.outstanding.active = false;
    start_auth(sa, now);
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

    w::Message request;
    request.header = m.header(sa, w::ExchangeType::ike_sa_init, false, 0);
    w::SecurityAssociation offer;
    std::uint8_t number = 1;
    for (auto const& q : it->ike_proposals)
        offer.proposals.push_back(w::Proposal{number++, w::ProtocolId::ike, {}, ike_transforms(q)});
    request.payloads.push_back(std::move(offer));
    request.payloads.push_back(
        w::KeyExchange{static_cast<w::DhGroup>(sa.suite.dh),
                       Bytes(sa.dh->public_value().begin(), sa.dh->public_value().end())});
    request.payloads.push_back(w::Nonce{sa.ni});
    if (uses_signatures(*it))
        request.payloads.push_back(signature_hash_notify());
    sa.init_request = w::encode(request);
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
