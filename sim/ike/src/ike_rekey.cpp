// CREATE_CHILD_SA rekeying the IKE SA (RFC 7296 §1.3.2, §2.18, §2.8.2), both roles.
//
//   initiator                                   responder
//   HDR, SK {SA(IKE, SPIi'), Ni, KEi}   -->
//                                       <--    HDR, SK {SA(IKE, SPIr'), Nr, KEr}
//   (the new IKE SA takes the Child SAs; the old one is deleted by the initiator:)
//   HDR, SK {D(IKE)}                    -->    (on the old IKE SA)
//
// SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the old SA's PRF; SK_* follow from it
// with the new SA's suite, nonces and SPIs; the rekey's initiator is the new SA's original
// initiator, and its message IDs start at 0. A simultaneous rekey (§2.8.2, §2.25.2): both sides
// answer; the side whose exchange holds the lowest nonce deletes the IKE SA its exchange made,
// and the Child SAs go to the other one, whose initiator deletes the old IKE SA.
// TEMPORARY_FAILURE while a Child SA exchange of ours is outstanding or the SA is closing.
#include <algorithm>

#include "nsslab/crypto/openssl_context.hpp"
#include "proposals.hpp"
#include "sa.hpp"

namespace nsslab::ike {

namespace {

std::uint64_t ike_spi(Bytes const& b) {
    std::uint64_t v = 0;
    for (auto x : b)
        v = (v << 8) | x;
    return v;
}

}  // namespace

IkeEndpoint::Sa* IkeEndpoint::Impl::make_rekeyed_sa(Sa& old, Role role, std::uint64_t spi_i,
                                                    std::uint64_t spi_r, IkeProposal const& suite,
                                                    ByteView g_ir, Bytes ni, Bytes nr) {
    auto fail_with = [&](std::string reason) -> Sa* {
        Event e = sa_event("ike.ike_rekey_failed", old);
        e.with("reason", std::move(reason));
        emit(std::move(e));
        return nullptr;
    };
    auto seed = crypto::derive_rekey_skeyseed(old.suite.prf, old.keys.sk_d, g_ir, ni, nr);
    if (!seed)
        return fail_with(seed.error().message);
    auto sa_ptr = std::make_unique<Sa>();
    Sa& sa = *sa_ptr;
    sa.id = next_sa++;
    sa.role = role;
    sa.state = SaState::established;
    sa.connection = old.connection;
    sa.local = old.local;
    sa.remote = old.remote;
    sa.spi_i = spi_i;
    sa.spi_r = spi_r;
    sa.suite = suite;
    sa.ni = std::move(ni);
    sa.nr = std::move(nr);
    sa.peer_hashes = old.peer_hashes;
    if (by_spi.contains(local_spi(sa)))
        return fail_with("the new SPI is in use");
    if (auto r = install_keys(sa, *seed); !r)
        return fail_with(r.error().message);
    by_spi[local_spi(sa)] = sa.id;
    SaId id = sa.id;
    sas.emplace(id, std::move(sa_ptr));
    return find(id);
}

void IkeEndpoint::Impl::ike_rekeyed(Sa& old, Sa& to, TimePoint now) {
    for (auto& c : old.children)
        to.children.push_back(std::move(c));
    old.children.clear();
    for (auto& t : old.tasks)
        if (t.kind != TaskKind::delete_ike)
            to.tasks.push_back(std::move(t));
    old.tasks.clear();
    old.state = SaState::rekeyed;
    Event e = sa_event("ike.ike_rekeyed", old);
    e.with("new_sa", to.id)
        .with("new_role", to_string(to.role))
        .with("spi_i", spi_hex(to.spi_i))
        .with("spi_r", spi_hex(to.spi_r))
        .with("proposal", to_string(to.suite))
        .with("children", to.children.size());
    emit(std::move(e));
    run_tasks(to.id, now);
}

void IkeEndpoint::Impl::start_rekey_ike(Sa& sa, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    auto failed = [&](std::string reason) {
        Event e = sa_event("ike.ike_rekey_failed", sa);
        e.with("reason", std::move(reason));
        emit(std::move(e));
    };
    if (sas.size() >= options.sas_max)
        return failed("sas_max SAs exist");
    Exchange ex;
    ex.task = Task{TaskKind::rekey_ike, 0, {}};
    auto spi = fresh_spi();
    auto ni = random_bytes(options.nonce_size);
    if (!spi || !ni)
        return failed("local randomness failed");
    auto dh = crypto::DhKey::generate(lib, conn.ike_proposals.front().dh);
    if (!dh)
        return failed(dh.error().message);
    ex.ike_spi = *spi;
    ex.nonce = std::move(*ni);
    ex.dh.emplace(std::move(*dh));
    w::SecurityAssociation offer;
    std::uint8_t number = 1;
    for (auto const& q : conn.ike_proposals)
        offer.proposals.push_back(
            w::Proposal{number++, w::ProtocolId::ike, spi_octets(ex.ike_spi), ike_transforms(q)});
    std::vector<w::Payload> inner;
    inner.push_back(std::move(offer));
    inner.push_back(w::Nonce{ex.nonce});
    inner.push_back(
        w::KeyExchange{static_cast<w::DhGroup>(ex.dh->group()),
                       Bytes(ex.dh->public_value().begin(), ex.dh->public_value().end())});
    auto message =
        seal(sa, header(sa, w::ExchangeType::create_child_sa, false, sa.next_request_id), inner);
    if (!message)
        return failed(message.error().message);
    sa.exchange = std::move(ex);
    send_request(sa, w::ExchangeType::create_child_sa, std::move(*message), now);
}

void IkeEndpoint::Impl::on_ike_rekey_request(Sa& sa, std::uint32_t id,
                                             std::vector<w::Payload> const& inner, TimePoint now) {
    if (sa.state != SaState::established)
        return refuse_request(sa, id, w::NotifyType::temporary_failure,
                              "the IKE SA is " + std::string(to_string(sa.state)));
    if (sa.exchange && sa.exchange->task.kind != TaskKind::rekey_ike &&
        sa.exchange->task.kind != TaskKind::liveness)
        return refuse_request(sa, id, w::NotifyType::temporary_failure,
                              "a Child SA exchange is under way");
    if (sas.size() >= options.sas_max)
        return refuse_request(sa, id, w::NotifyType::no_additional_sas, "sas_max SAs exist");
    Connection const& conn = config.connections[sa.connection];
    auto const* sa_payload = w::find_payload<w::SecurityAssociation>(inner);
    auto const* nonce = w::find_payload<w::Nonce>(inner);
    auto const* ke = w::find_payload<w::KeyExchange>(inner);
    auto choice =
        choose(*sa_payload, conn.ike_proposals,
               [](w::Proposal const& p, IkeProposal const& q) { return offers(p, q, 8); });
    if (!choice)
        return refuse_request(sa, id, w::NotifyType::no_proposal_chosen,
                              "no acceptable IKE proposal");
    auto [offer, chosen_proposal] = *choice;
    std::optional<IkeProposal> chosen = chosen_proposal;
    if (ke == nullptr ||
        static_cast<std::uint16_t>(ke->group) != static_cast<std::uint16_t>(chosen->dh)) {
        Bytes group;
        ByteWriter(group).u16(static_cast<std::uint16_t>(chosen->dh));
        return refuse_request(
            sa, id, w::NotifyType::invalid_ke_payload,
            "the IKE rekey needs a KE of " + std::string(crypto::to_string(chosen->dh)),
            std::move(group));
    }
    auto spi = fresh_spi();
    auto nr = random_bytes(options.nonce_size);
    auto dh = crypto::DhKey::generate(lib, chosen->dh);
    if (!spi || !nr || !dh)
        return refuse_request(sa, id, w::NotifyType::temporary_failure, "local randomness failed");
    auto g_ir = dh->shared_secret(ke->data);
    if (!g_ir)
        return refuse_request(sa, id, w::NotifyType::invalid_syntax, "KE: " + g_ir.error().message);
    Sa* fresh = make_rekeyed_sa(sa, Role::responder, ike_spi(offer->spi), *spi, *chosen, *g_ir,
                                nonce->data, *nr);
    if (fresh == nullptr)
        return refuse_request(sa, id, w::NotifyType::temporary_failure,
                              "the new IKE SA's keys could not be made");
    std::vector<w::Payload> answer;
    answer.push_back(w::SecurityAssociation{{w::Proposal{
        offer->number, w::ProtocolId::ike, spi_octets(*spi), ike_transforms(*chosen)}}});
    answer.push_back(w::Nonce{*nr});
    answer.push_back(
        w::KeyExchange{ke->group, Bytes(dh->public_value().begin(), dh->public_value().end())});
    auto message = seal(sa, header(sa, w::ExchangeType::create_child_sa, true, id), answer);
    if (!message) {
        remove(*fresh);
        return refuse_request(sa, id, w::NotifyType::temporary_failure, message.error().message);
    }
    send_response(sa, id, std::move(*message));
    if (sa.exchange && sa.exchange->task.kind == TaskKind::rekey_ike) {
        // Our own rekey is outstanding: decided when its response arrives (§2.8.2).
        sa.peer_rekey = fresh->id;
        sa.peer_rekey_nonce = lowest_nonce(nonce->data, *nr);
        return;
    }
    ike_rekeyed(sa, *fresh, now);
}

void IkeEndpoint::Impl::on_ike_rekey_response(Sa& sa, std::vector<w::Payload> const& inner,
                                              TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    Exchange ex = std::move(*sa.exchange);
    sa.exchange.reset();
    // Without a new IKE SA of ours, the peer's own rekey (if any) stands.
    auto give_up = [&](std::string reason) {
        Event e = sa_event("ike.ike_rekey_failed", sa);
        e.with("reason", std::move(reason));
        emit(std::move(e));
        if (Sa* other = find(sa.peer_rekey))
            ike_rekeyed(sa, *other, now);
    };
    for (auto const& p : inner)
        if (auto const* n = std::get_if<w::Notify>(&p);
            n != nullptr && static_cast<std::uint16_t>(n->type) < 16384)
            return give_up("peer sent " + std::string(w::to_string(n->type)));
    auto const* sa_payload = w::find_payload<w::SecurityAssociation>(inner);
    auto const* nonce = w::find_payload<w::Nonce>(inner);
    auto const* ke = w::find_payload<w::KeyExchange>(inner);
    if (sa_payload == nullptr || nonce == nullptr || ke == nullptr)
        return give_up("IKE rekey response without SA, Nonce or KE");
    auto chosen = answered(*sa_payload, conn.ike_proposals);
    if (!chosen || sa_payload->proposals.front().spi.size() != 8 ||
        ike_spi(sa_payload->proposals.front().spi) == 0 || chosen->dh != ex.dh->group() ||
        static_cast<std::uint16_t>(ke->group) != static_cast<std::uint16_t>(chosen->dh))
        return give_up("the chosen proposal was not offered");
    auto g_ir = ex.dh->shared_secret(ke->data);
    if (!g_ir)
        return give_up("KE: " + g_ir.error().message);
    Sa* fresh =
        make_rekeyed_sa(sa, Role::initiator, ex.ike_spi, ike_spi(sa_payload->proposals.front().spi),
                        *chosen, *g_ir, ex.nonce, nonce->data);
    if (fresh == nullptr)
        return give_up("the new IKE SA's keys could not be made");
    Sa* other = find(sa.peer_rekey);
    if (other == nullptr) {
        ike_rekeyed(sa, *fresh, now);
        return queue(sa, Task{TaskKind::delete_ike, 0, "rekeyed"}, now, true);
    }
    // Both sides rekeyed the IKE SA (§2.8.2): the exchange with the lowest nonce made the
    // redundant one, and its initiator deletes it.
    bool lost = nonce_lower(lowest_nonce(ex.nonce, nonce->data), sa.peer_rekey_nonce);
    Event e = sa_event("ike.rekey_collision", sa);
    e.with("kind", "ike")
        .with("own_new_sa", fresh->id)
        .with("peer_new_sa", other->id)
        .with("outcome", lost ? "lost" : "won");
    emit(std::move(e));
    if (lost) {
        ike_rekeyed(sa, *other, now);  // the old one waits for the peer's delete
        return queue(*fresh, Task{TaskKind::delete_ike, 0, "redundant"}, now, true);
    }
    ike_rekeyed(sa, *fresh, now);
    queue(sa, Task{TaskKind::delete_ike, 0, "rekeyed"}, now, true);
}

}  // namespace nsslab::ike
