// CREATE_CHILD_SA for Child SAs (RFC 7296 §1.3.1, §1.3.3, §2.17), both roles, and the Child SA
// keys of the first one (IKE_AUTH).
//
//   initiator                                        responder
//   HDR, SK {[N(REKEY_SA)], SA, Ni, [KEi], TSi, TSr} -->
//                                                    <-- HDR, SK {SA, Nr, [KEr], TSi, TSr}
//   (rekey: INFORMATIONAL D(ESP, old SPI) follows)
//
// KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), split initiator-to-responder first (§2.17), where
// the initiator is the exchange's. A simultaneous rekey of one Child SA (§2.8.1, §2.25.1): both
// sides answer the other's request; once both exchanges are done, the side whose exchange holds
// the lowest of the four nonces deletes the Child SA its exchange made, and the other side
// deletes the old one. Refusals (§2.21.2, §2.25): NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD,
// TS_UNACCEPTABLE, NO_ADDITIONAL_SAS (children_max), CHILD_SA_NOT_FOUND (rekey of an unknown
// Child SA), TEMPORARY_FAILURE (the Child SA is being deleted, the IKE SA is being rekeyed).
#include <algorithm>

#include "nsslab/crypto/openssl_context.hpp"
#include "proposals.hpp"
#include "sa.hpp"

namespace nsslab::ike {

std::string_view to_string(ChildState state) {
    switch (state) {
        case ChildState::installed:
            return "installed";
        case ChildState::rekeying:
            return "rekeying";
        case ChildState::rekeyed:
            return "rekeyed";
        case ChildState::deleting:
            return "deleting";
    }
    return "unknown";
}

namespace {

std::string ts_text(w::TrafficSelector const& ts) {
    if (ts.start_address == ts.end_address)
        return ts.start_address.to_string();
    return ts.start_address.to_string() + "-" + ts.end_address.to_string();
}

// The first error notify (types below 16384, RFC 7296 §3.10.1) of a response.
w::Notify const* error_in(std::vector<w::Payload> const& inner) {
    for (auto const& p : inner)
        if (auto const* n = std::get_if<w::Notify>(&p);
            n != nullptr && static_cast<std::uint16_t>(n->type) < 16384)
            return n;
    return nullptr;
}

}  // namespace

Bytes lowest_nonce(ByteView a, ByteView b) {
    ByteView low = std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end()) ? a : b;
    return Bytes(low.begin(), low.end());
}

bool nonce_lower(ByteView a, ByteView b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

Result<ChildSaKeys> IkeEndpoint::Impl::derive_child_keys(Sa const& sa, ChildProposal const& suite,
                                                         ByteView g_ir, ByteView ni, ByteView nr,
                                                         bool we_initiated) {
    auto k = crypto::derive_child_sa_keys(sa.suite.prf, sa.keys.sk_d, g_ir, ni, nr,
                                          suite.encryption, suite.integrity);
    if (!k)
        return k.error();
    ChildSaKeys keys;
    if (we_initiated) {
        keys.encryption_out = std::move(k->encryption_i);
        keys.integrity_out = std::move(k->integrity_i);
        keys.encryption_in = std::move(k->encryption_r);
        keys.integrity_in = std::move(k->integrity_r);
    } else {
        keys.encryption_in = std::move(k->encryption_i);
        keys.integrity_in = std::move(k->integrity_i);
        keys.encryption_out = std::move(k->encryption_r);
        keys.integrity_out = std::move(k->integrity_r);
    }
    return keys;
}

ChildSa& IkeEndpoint::Impl::add_child(Sa& sa, ChildId id, ChildProposal const& suite,
                                      std::uint32_t spi_in, std::uint32_t spi_out, ChildSaKeys keys,
                                      bool we_initiated, ChildId rekey_of) {
    Connection const& conn = config.connections[sa.connection];
    ChildSa c;
    c.id = id;
    c.suite = suite;
    c.spi_in = spi_in;
    c.spi_out = spi_out;
    c.ts_local = single_address(conn.local.address);
    c.ts_remote = single_address(conn.remote.address);
    c.keys = std::move(keys);
    Event e = sa_event("ike.child_established", sa);
    e.with("child", id)
        .with("exchange_role", we_initiated ? "initiator" : "responder")
        .with("suite", to_string(suite))
        .with("spi_in", spi_in)
        .with("spi_out", spi_out)
        .with("ts_local", ts_text(c.ts_local))
        .with("ts_remote", ts_text(c.ts_remote));
    if (rekey_of != 0)
        e.with("rekey_of", rekey_of);
    emit(std::move(e));
    sa.children.push_back(std::move(c));
    return sa.children.back();
}

void IkeEndpoint::Impl::install_first_child(Sa& sa) {
    if (!sa.child)
        return;
    bool init = sa.role == Role::initiator;
    auto keys = derive_child_keys(sa, *sa.child, {}, sa.ni, sa.nr, init);
    if (!keys) {
        Event e = sa_event("ike.child_failed", sa);
        e.with("reason", keys.error().message);
        emit(std::move(e));
        return;
    }
    add_child(sa, next_child++, *sa.child, sa.child_spi_local, sa.child_spi_peer, std::move(*keys),
              init, 0);
}

void IkeEndpoint::Impl::child_rekeyed(Sa& sa, ChildSa& old, ChildId new_child) {
    old.state = ChildState::rekeyed;
    Event e = sa_event("ike.child_rekeyed", sa);
    e.with("child", old.id)
        .with("new_child", new_child)
        .with("spi_in", old.spi_in)
        .with("spi_out", old.spi_out);
    emit(std::move(e));
}

void IkeEndpoint::Impl::child_failed(Sa& sa, Exchange const& ex, std::string reason) {
    Event e = sa_event("ike.child_failed", sa);
    e.with("child", ex.new_child != 0 ? ex.new_child : ex.task.child)
        .with("task", to_string(ex.task.kind));
    if (ex.task.kind == TaskKind::rekey_child)
        e.with("rekey_of", ex.task.child);
    e.with("reason", std::move(reason));
    emit(std::move(e));
}

void IkeEndpoint::Impl::refuse_request(Sa& sa, std::uint32_t id, w::NotifyType type,
                                       std::string reason, Bytes data, w::ProtocolId protocol,
                                       Bytes spi) {
    w::Notify n = error_notify(type, std::move(data));
    n.protocol = protocol;
    n.spi = std::move(spi);
    auto message = seal(sa, header(sa, w::ExchangeType::create_child_sa, true, id), {n});
    if (message)
        send_response(sa, id, std::move(*message));
    Event e = sa_event("ike.request_refused", sa);
    e.with("exchange", "CREATE_CHILD_SA")
        .with("notify", w::to_string(type))
        .with("reason", std::move(reason));
    emit(std::move(e));
}

// ---- initiator ----------------------------------------------------------------------------------

void IkeEndpoint::Impl::start_create_child(Sa& sa, Task const& task, TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    Exchange ex;
    ex.task = task;
    ex.new_child = task.kind == TaskKind::create_child ? task.child : 0;
    ChildSa* old = nullptr;
    if (task.kind == TaskKind::rekey_child) {
        old = sa.child_by_id(task.child);
        if (old == nullptr || old->state != ChildState::installed)
            return child_failed(sa, ex, "the Child SA is gone or no longer installed");
        ex.new_child = next_child++;
    }
    auto spi = fresh_child_spi();
    auto ni = random_bytes(options.nonce_size);
    if (!spi || !ni)
        return child_failed(sa, ex, "local randomness failed");
    ex.spi_in = *spi;
    ex.nonce = std::move(*ni);
    auto const& first = conn.child_proposals.front();
    if (first.dh) {
        auto dh = crypto::DhKey::generate(lib, *first.dh);
        if (!dh)
            return child_failed(sa, ex, dh.error().message);
        ex.dh.emplace(std::move(*dh));
    }
    std::vector<w::Payload> inner;
    if (old != nullptr) {
        w::Notify rekey;
        rekey.protocol = w::ProtocolId::esp;
        rekey.spi = spi_octets(old->spi_in);
        rekey.type = w::NotifyType::rekey_sa;
        inner.push_back(std::move(rekey));
    }
    w::SecurityAssociation offer;
    std::uint8_t number = 1;
    for (auto const& q : conn.child_proposals)
        offer.proposals.push_back(w::Proposal{number++, w::ProtocolId::esp, spi_octets(ex.spi_in),
                                              esp_transforms(q, true)});
    inner.push_back(std::move(offer));
    inner.push_back(w::Nonce{ex.nonce});
    if (ex.dh)
        inner.push_back(
            w::KeyExchange{static_cast<w::DhGroup>(ex.dh->group()),
                           Bytes(ex.dh->public_value().begin(), ex.dh->public_value().end())});
    inner.push_back(w::TsI{{single_address(conn.local.address)}});
    inner.push_back(w::TsR{{single_address(conn.remote.address)}});
    auto message =
        seal(sa, header(sa, w::ExchangeType::create_child_sa, false, sa.next_request_id), inner);
    if (!message)
        return child_failed(sa, ex, message.error().message);
    if (old != nullptr)
        old->state = ChildState::rekeying;
    sa.exchange = std::move(ex);
    send_request(sa, w::ExchangeType::create_child_sa, std::move(*message), now);
}

void IkeEndpoint::Impl::on_create_child_response(Sa& sa, std::vector<w::Payload> const& inner,
                                                 TimePoint now) {
    Connection const& conn = config.connections[sa.connection];
    Exchange ex = std::move(*sa.exchange);
    sa.exchange.reset();
    ChildId old_id = ex.task.kind == TaskKind::rekey_child ? ex.task.child : 0;

    // Without a new Child SA, a rekeyed one stays (or is replaced by the peer's own rekey).
    auto give_up = [&](std::string reason) {
        if (ChildSa* old = sa.child_by_id(old_id)) {
            if (old->peer_rekey != 0)
                child_rekeyed(sa, *old, old->peer_rekey);
            else if (old->state == ChildState::rekeying)
                old->state = ChildState::installed;
        }
        child_failed(sa, ex, std::move(reason));
    };
    if (auto const* n = error_in(inner)) {
        give_up("peer sent " + std::string(w::to_string(n->type)));
        // §2.25: the peer does not know the Child SA; drop it silently.
        if (n->type == w::NotifyType::child_sa_not_found && sa.child_by_id(old_id) != nullptr)
            remove_child(sa, old_id, "peer: CHILD_SA_NOT_FOUND");
        return;
    }
    auto const* sa_payload = w::find_payload<w::SecurityAssociation>(inner);
    auto const* nonce = w::find_payload<w::Nonce>(inner);
    auto const* ke = w::find_payload<w::KeyExchange>(inner);
    if (sa_payload == nullptr || nonce == nullptr || w::find_payload<w::TsI>(inner) == nullptr ||
        w::find_payload<w::TsR>(inner) == nullptr)
        return give_up("CREATE_CHILD_SA response without SA, Nonce, TSi or TSr");
    auto chosen = answered(*sa_payload, conn.child_proposals, true);
    if (!chosen || sa_payload->proposals.front().spi.size() != 4)
        return give_up("the chosen proposal was not offered");
    Bytes g_ir;
    if (chosen->dh) {
        if (!ex.dh || ex.dh->group() != *chosen->dh || ke == nullptr ||
            static_cast<std::uint16_t>(ke->group) != static_cast<std::uint16_t>(*chosen->dh))
            return give_up("the KE payload does not fit the chosen group");
        auto shared = ex.dh->shared_secret(ke->data);
        if (!shared)
            return give_up(shared.error().message);
        g_ir = std::move(*shared);
    }
    auto keys = derive_child_keys(sa, *chosen, g_ir, ex.nonce, nonce->data, true);
    if (!keys)
        return give_up(keys.error().message);
    add_child(sa, ex.new_child, *chosen, ex.spi_in, esp_spi(sa_payload->proposals.front().spi),
              std::move(*keys), true, old_id);
    ChildSa* old = sa.child_by_id(old_id);
    if (old == nullptr)
        return;  // not a rekey, or the peer deleted the old one meanwhile
    if (old->peer_rekey == 0) {
        child_rekeyed(sa, *old, ex.new_child);
        return queue(sa, Task{TaskKind::delete_child, old_id, "rekeyed"}, now, true);
    }
    // Both sides rekeyed the Child SA (§2.8.1): the exchange with the lowest nonce made the
    // redundant one, and its initiator deletes it.
    bool lost = nonce_lower(lowest_nonce(ex.nonce, nonce->data), old->peer_rekey_nonce);
    Event e = sa_event("ike.rekey_collision", sa);
    e.with("kind", "child")
        .with("child", old_id)
        .with("own_new_child", ex.new_child)
        .with("peer_new_child", old->peer_rekey)
        .with("outcome", lost ? "lost" : "won");
    emit(std::move(e));
    if (lost) {
        child_rekeyed(sa, *old, old->peer_rekey);
        return queue(sa, Task{TaskKind::delete_child, ex.new_child, "redundant"}, now, true);
    }
    child_rekeyed(sa, *old, ex.new_child);
    queue(sa, Task{TaskKind::delete_child, old_id, "rekeyed"}, now, true);
}

// ---- responder ----------------------------------------------------------------------------------

void IkeEndpoint::Impl::on_create_child_request(Sa& sa, std::uint32_t id,
                                                std::vector<w::Payload> const& inner,
                                                TimePoint now) {
    auto const* sa_payload = w::find_payload<w::SecurityAssociation>(inner);
    auto const* nonce = w::find_payload<w::Nonce>(inner);
    if (sa_payload == nullptr || nonce == nullptr)
        return refuse_request(sa, id, w::NotifyType::invalid_syntax,
                              "CREATE_CHILD_SA without SA or Nonce");
    if (std::any_of(sa_payload->proposals.begin(), sa_payload->proposals.end(),
                    [](w::Proposal const& p) { return p.protocol == w::ProtocolId::ike; }))
        return on_ike_rekey_request(sa, id, inner, now);
    if (sa.state != SaState::established)
        return refuse_request(sa, id, w::NotifyType::temporary_failure,
                              "the IKE SA is " + std::string(to_string(sa.state)));
    if (sa.exchange && sa.exchange->task.kind == TaskKind::rekey_ike)
        return refuse_request(sa, id, w::NotifyType::temporary_failure,
                              "the IKE SA is being rekeyed");
    Connection const& conn = config.connections[sa.connection];
    auto const* tsi = w::find_payload<w::TsI>(inner);
    auto const* tsr = w::find_payload<w::TsR>(inner);
    if (tsi == nullptr || tsr == nullptr)
        return refuse_request(sa, id, w::NotifyType::invalid_syntax,
                              "CREATE_CHILD_SA without TSi or TSr");

    ChildId old_id = 0;
    if (auto const* rekey = w::find_notify(inner, w::NotifyType::rekey_sa)) {
        if (rekey->protocol != w::ProtocolId::esp || rekey->spi.size() != 4)
            return refuse_request(sa, id, w::NotifyType::invalid_syntax,
                                  "REKEY_SA without a 4-octet ESP SPI");
        ChildSa* old = sa.child_by_spi_out(esp_spi(rekey->spi));
        if (old == nullptr)
            return refuse_request(sa, id, w::NotifyType::child_sa_not_found,
                                  "no Child SA with SPI " + to_hex(rekey->spi), {},
                                  w::ProtocolId::esp, rekey->spi);
        if (old->state == ChildState::deleting || old->state == ChildState::rekeyed)
            return refuse_request(sa, id, w::NotifyType::temporary_failure,
                                  "the Child SA is " + std::string(to_string(old->state)));
        if (sa.children.size() >= 2 * options.children_max) {
            ++refused_children;
            return refuse_request(sa, id, w::NotifyType::no_additional_sas,
                                  "2 * children_max Child SAs exist");
        }
        old_id = old->id;
    } else if (sa.live_children() >= options.children_max) {
        ++refused_children;
        return refuse_request(sa, id, w::NotifyType::no_additional_sas,
                              "children_max Child SAs exist");
    }
    if (!covers(*tsi, conn.remote.address) || !covers(*tsr, conn.local.address))
        return refuse_request(sa, id, w::NotifyType::ts_unacceptable,
                              "the selectors do not cover the connection's addresses");
    auto choice =
        choose(*sa_payload, conn.child_proposals,
               [](w::Proposal const& p, ChildProposal const& q) { return offers(p, q, true); });
    if (!choice)
        return refuse_request(sa, id, w::NotifyType::no_proposal_chosen,
                              "no acceptable Child SA proposal");
    auto [offer, chosen_proposal] = *choice;
    std::optional<ChildProposal> chosen = chosen_proposal;
    auto const* ke = w::find_payload<w::KeyExchange>(inner);
    std::optional<crypto::DhKey> dh;
    Bytes g_ir;
    if (chosen->dh) {
        if (ke == nullptr ||
            static_cast<std::uint16_t>(ke->group) != static_cast<std::uint16_t>(*chosen->dh)) {
            Bytes group;
            ByteWriter(group).u16(static_cast<std::uint16_t>(*chosen->dh));
            return refuse_request(
                sa, id, w::NotifyType::invalid_ke_payload,
                "PFS needs a KE of " + std::string(crypto::to_string(*chosen->dh)),
                std::move(group));
        }
        auto key = crypto::DhKey::generate(lib, *chosen->dh);
        if (!key)
            return refuse_request(sa, id, w::NotifyType::no_proposal_chosen, key.error().message);
        auto shared = key->shared_secret(ke->data);
        if (!shared)
            return refuse_request(sa, id, w::NotifyType::invalid_syntax,
                                  "KE: " + shared.error().message);
        g_ir = std::move(*shared);
        dh.emplace(std::move(*key));
    }
    auto spi = fresh_child_spi();
    auto nr = random_bytes(options.nonce_size);
    if (!spi || !nr)
        return refuse_request(sa, id, w::NotifyType::temporary_failure, "local randomness failed");
    auto keys = derive_child_keys(sa, *chosen, g_ir, nonce->data, *nr, false);
    if (!keys)
        return refuse_request(sa, id, w::NotifyType::no_proposal_chosen, keys.error().message);

    std::vector<w::Payload> answer;
    // The accepted proposal keeps the peer's number (RFC 7296 §3.3.1).
    answer.push_back(w::SecurityAssociation{{w::Proposal{
        offer->number, w::ProtocolId::esp, spi_octets(*spi), esp_transforms(*chosen, true)}}});
    answer.push_back(w::Nonce{*nr});
    if (dh)
        answer.push_back(
            w::KeyExchange{static_cast<w::DhGroup>(dh->group()),
                           Bytes(dh->public_value().begin(), dh->public_value().end())});
    answer.push_back(w::TsI{{single_address(conn.remote.address)}});
    answer.push_back(w::TsR{{single_address(conn.local.address)}});
    auto message = seal(sa, header(sa, w::ExchangeType::create_child_sa, true, id), answer);
    if (!message)
        return refuse_request(sa, id, w::NotifyType::temporary_failure, message.error().message);
    send_response(sa, id, std::move(*message));

    ChildId new_id = next_child++;
    add_child(sa, new_id, *chosen, *spi, esp_spi(offer->spi), std::move(*keys), false, old_id);
    ChildSa* old = sa.child_by_id(old_id);
    if (old == nullptr)
        return;
    if (old->state == ChildState::rekeying) {
        // Our own rekey of it is outstanding: decided when its response arrives (§2.8.1).
        old->peer_rekey = new_id;
        old->peer_rekey_nonce = lowest_nonce(nonce->data, *nr);
        return;
    }
    child_rekeyed(sa, *old, new_id);
}

}  // namespace nsslab::ike
