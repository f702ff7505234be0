// Requests and time (RFC 7296 §2.1, §2.4): the retransmission of the outstanding request with
// the same bytes, the give-up, the auth wait and half-open bounds, and the next deadline.
#include "sa.hpp"

namespace nsslab::ike {

void IkeEndpoint::Impl::send_request(Sa& sa, w::ExchangeType exchange, Bytes message,
                                     TimePoint now) {
    std::uint32_t id = sa.next_request_id++;
    Bytes datagram = datagram_of(sa.local, sa.remote, std::move(message));
    sa.outstanding = Outstanding{true, id, exchange, datagram, 0, now + options.init_wait};
    push(transmits, Transmit{sa.local, sa.remote, std::move(datagram)}, transmit_queue_max);
}

void IkeEndpoint::handle_timeout(TimePoint now) {
    Impl& m = *impl_;
    std::vector<SaId> ids;
    ids.reserve(m.sas.size());
    for (auto const& [id, sa] : m.sas)
        ids.push_back(id);
    for (SaId id : ids) {
        Sa* sa = m.find(id);
        if (sa == nullptr)
            continue;
        if (sa->request != 0 && sa->request_deadline <= now) {
            m.fail(*sa, "ike.auth_wait_timeout",
                   "no answer to request " + std::to_string(sa->request) + " within " +
                       format_seconds(m.auth_wait_limit()) + " s");
            continue;
        }
        if (sa->state == SaState::init_responded && sa->half_open_deadline <= now) {
            m.fail(*sa, "ike.half_open_timeout", "no IKE_AUTH request");
            continue;
        }
        Outstanding& o = sa->outstanding;
        if (!o.active || o.deadline > now)
            continue;
        if (o.retransmits >= m.options.retries) {
            Event e = m.sa_event("ike.retransmit_timeout", *sa);
            e.with("exchange", w::to_string(o.exchange))
                .with("message_id", o.message_id)
                .with("local", sa->local.to_string())
                .with("remote", sa->remote.to_string())
                .with("retransmits", o.retransmits);
            m.emit(std::move(e));
            if (sa->state == SaState::established || sa->state == SaState::deleting ||
                sa->state == SaState::rekeyed) {
                // The peer stopped answering an IKE SA that was up (RFC 7296 §2.4).
                Event dead = m.sa_event("ike.dead_peer", *sa);
                dead.with("exchange", w::to_string(o.exchange))
                    .with("children", sa->children.size());
                m.emit(std::move(dead));
            }
            m.remove(*sa);
            continue;
        }
        ++o.retransmits;
        o.deadline = now + m.options.init_wait * (std::int64_t{1} << o.retransmits);
        Event e = m.sa_event("ike.retransmit", *sa);
        e.with("exchange", w::to_string(o.exchange))
            .with("message_id", o.message_id)
            .with("attempt", o.retransmits);
        m.emit(std::move(e));
        m.push(m.transmits, Transmit{sa->local, sa->remote, o.datagram}, transmit_queue_max);
    }
}

std::optional<TimePoint> IkeEndpoint::next_timeout() const {
    std::optional<TimePoint> next;
    auto consider = [&](TimePoint t) {
        if (!next || t < *next)
            next = t;
    };
    for (auto const& [id, sa] : impl_->sas) {
        if (sa->outstanding.active)
            consider(sa->outstanding.deadline);
        if (sa->request != 0)
            consider(sa->request_deadline);
        if (sa->state == SaState::init_responded)
            consider(sa->half_open_deadline);
    }
    return next;
}

}  // namespace nsslab::ike
