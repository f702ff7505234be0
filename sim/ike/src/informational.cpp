// INFORMATIONAL (RFC 7296 §1.4): the delete of the IKE SA, and an empty answer to any other
// request on an established SA.
//
//   HDR, SK {D(IKE)}                    -->
//                                       <--    HDR, SK {}
#include "nsslab/wire_ike/codec.hpp"
#include "sa.hpp"

namespace nsslab::ike {

void IkeEndpoint::Impl::on_informational_request(Sa& sa, std::uint32_t id,
                                                 std::vector<w::Payload> const& inner) {
    bool delete_ike = false;
    for (auto const& p : inner)
        if (auto const* d = std::get_if<w::Delete>(&p);
            d != nullptr && d->protocol == w::ProtocolId::ike)
            delete_ike = true;
    auto message = seal(sa, header(sa, w::ExchangeType::informational, true, id), {});
    if (message)
        send_response(sa, id, std::move(*message));
    if (delete_ike) {
        Event e = sa_event("ike.sa_deleted", sa);
        e.with("reason", "peer");
        emit(std::move(e));
        remove(sa);
    }
}

Result<void> IkeEndpoint::delete_sa(SaId id, TimePoint now) {
    Impl& m = *impl_;
    Sa* sa = m.find(id);
    if (sa == nullptr)
        return fail(Errc::not_found, "ike: no SA " + std::to_string(id));
    if (sa->state != SaState::established || sa->outstanding.active) {
        Event e = m.sa_event("ike.sa_deleted", *sa);
        e.with("reason", "local, not established");
        m.emit(std::move(e));
        m.remove(*sa);
        return {};
    }
    w::Delete d;
    d.protocol = w::ProtocolId::ike;
    auto message =
        m.seal(*sa, m.header(*sa, w::ExchangeType::informational, false, sa->next_request_id), {d});
    if (!message)
        return message.error();
    sa->state = SaState::deleting;
    m.send_request(*sa, w::ExchangeType::informational, std::move(*message), now);
    return {};
}

}  // namespace nsslab::ike
