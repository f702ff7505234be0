// INFORMATIONAL (RFC 7296 §1.4, §1.4.1): the delete of the IKE SA, the delete of Child SAs
// (ESP), and liveness (an empty request); any other request gets an empty answer.
//
//   HDR, SK {D(IKE)}                    -->
//                                       <--    HDR, SK {}
//   HDR, SK {D(ESP, SPIs)}              -->
//                                       <--    HDR, SK {[D(ESP, paired SPIs)]}
//   HDR, SK {}                          -->
//                                       <--    HDR, SK {}
#include <algorithm>

#include "nsslab/wire_ike/codec.hpp"
#include "proposals.hpp"
#include "sa.hpp"

namespace nsslab::ike {

void IkeEndpoint::Impl::remove_child(Sa& sa, ChildId id, std::string const& reason) {
    auto it = std::find_if(sa.children.begin(), sa.children.end(),
                           [&](ChildSa const& c) { return c.id == id; });
    if (it == sa.children.end())
        return;
    Event e = sa_event("ike.child_deleted", sa);
    e.with("child", id)
        .with("spi_in", it->spi_in)
        .with("spi_out", it->spi_out)
        .with("reason", reason);
    emit(std::move(e));
    sa.children.erase(it);
}

void IkeEndpoint::Impl::on_informational_request(Sa& sa, std::uint32_t id,
                                                 std::vector<w::Payload> const& inner) {
    bool delete_ike = false;
    // D(ESP): the paired SPIs go back in the response (§1.4.1), except those of Child SAs we
    // are deleting ourselves (the requests crossed).
    w::Delete paired;
    paired.protocol = w::ProtocolId::esp;
    paired.spi_size = 4;
    std::vector<ChildId> deleted;
    for (auto const& p : inner) {
        auto const* d = std::get_if<w::Delete>(&p);
        if (d == nullptr)
            continue;
        if (d->protocol == w::ProtocolId::ike)
            delete_ike = true;
        if (d->protocol != w::ProtocolId::esp)
            continue;
        for (auto const& spi : d->spis) {
            ChildSa* child = spi.size() == 4 ? sa.child_by_spi_out(esp_spi(spi)) : nullptr;
            if (child == nullptr ||
                std::find(deleted.begin(), deleted.end(), child->id) != deleted.end())
                continue;
            if (child->state != ChildState::deleting)
                paired.spis.push_back(spi_octets(child->spi_in));
            deleted.push_back(child->id);
        }
    }
    std::vector<w::Payload> answer;
    if (!paired.spis.empty())
        answer.push_back(std::move(paired));
    auto message = seal(sa, header(sa, w::ExchangeType::informational, true, id), answer);
    if (message)
        send_response(sa, id, std::move(*message));
    for (ChildId child : deleted)
        remove_child(sa, child, "peer");
    if (delete_ike) {
        Event e = sa_event("ike.sa_deleted", sa);
        e.with("reason", "peer");
        emit(std::move(e));
        remove(sa);
    }
}

void IkeEndpoint::Impl::start_delete_ike(Sa& sa, std::string reason, TimePoint now) {
    w::Delete d;
    d.protocol = w::ProtocolId::ike;
    auto message =
        seal(sa, header(sa, w::ExchangeType::informational, false, sa.next_request_id), {d});
    if (!message)
        return fail(sa, "ike.sa_deleted", reason + ", not sent: " + message.error().message);
    sa.state = SaState::deleting;
    sa.delete_reason = std::move(reason);
    send_request(sa, w::ExchangeType::informational, std::move(*message), now);
}

void IkeEndpoint::Impl::start_delete_child(Sa& sa, Task const& task, TimePoint now) {
    ChildSa* child = sa.child_by_id(task.child);
    if (child == nullptr || child->state == ChildState::deleting)
        return;  // the peer deleted it meanwhile, or a delete is out
    w::Delete d;
    d.protocol = w::ProtocolId::esp;
    d.spi_size = 4;
    d.spis.push_back(spi_octets(child->spi_in));
    auto message =
        seal(sa, header(sa, w::ExchangeType::informational, false, sa.next_request_id), {d});
    if (!message)
        return remove_child(sa, task.child, task.reason + ", not sent: " + message.error().message);
    child->state = ChildState::deleting;
    sa.exchange.emplace();
    sa.exchange->task = task;
    send_request(sa, w::ExchangeType::informational, std::move(*message), now);
}

void IkeEndpoint::Impl::start_liveness(Sa& sa, TimePoint now) {
    auto message =
        seal(sa, header(sa, w::ExchangeType::informational, false, sa.next_request_id), {});
    if (!message)
        return;
    sa.exchange.emplace();
    sa.exchange->task = Task{TaskKind::liveness, 0, {}};
    send_request(sa, w::ExchangeType::informational, std::move(*message), now);
}

void IkeEndpoint::Impl::on_informational_response(Sa& sa, std::vector<w::Payload> const&) {
    Exchange ex = std::move(*sa.exchange);
    sa.exchange.reset();
    if (ex.task.kind == TaskKind::delete_child)
        return remove_child(sa, ex.task.child, ex.task.reason);
    if (ex.task.kind == TaskKind::liveness)
        emit(sa_event("ike.liveness_ok", sa));
}

Result<void> IkeEndpoint::delete_sa(SaId id, TimePoint now) {
    Impl& m = *impl_;
    Sa* sa = m.find(id);
    if (sa == nullptr)
        return fail(Errc::not_found, "ike: no SA " + std::to_string(id));
    if (!sa->can_request()) {
        Event e = m.sa_event("ike.sa_deleted", *sa);
        e.with("reason", "local, not established");
        m.emit(std::move(e));
        m.remove(*sa);
        return {};
    }
    bool queued = std::any_of(sa->tasks.begin(), sa->tasks.end(),
                              [](Task const& t) { return t.kind == TaskKind::delete_ike; });
    if (!queued)
        m.queue(*sa, Task{TaskKind::delete_ike, 0, "local"}, now, true);
    return {};
}

}  // namespace nsslab::ike
