// NAT detection (RFC 7296 §2.23; strongSwan's ike_natd task): both IKE_SA_INIT messages carry
//   N(NAT_DETECTION_SOURCE_IP)      = SHA-1(SPIi | SPIr | source IP | source port)
//   N(NAT_DETECTION_DESTINATION_IP) = SHA-1(SPIi | SPIr | destination IP | destination port)
// with the SPIs of the message's header (SPIr zero in the request). The receiver compares them
// with the addresses the datagram really had: a source that matches none of the peer's
// SOURCE_IP hashes puts the peer behind a NAT, a destination that differs from the
// DESTINATION_IP hash puts us behind one. The result is reported (ike.nat_detection); nothing
// floats to port 4500 yet.
#include "nsslab/crypto/digest.hpp"
#include "sa.hpp"

namespace nsslab::ike {

namespace {

Result<Bytes> nat_hash(std::uint64_t spi_i, std::uint64_t spi_r, Endpoint const& e) {
    Bytes in;
    ByteWriter out(in);
    out.u64(spi_i);
    out.u64(spi_r);
    auto const& ip = e.address.raw();
    in.insert(in.end(), ip.begin(), ip.begin() + static_cast<std::ptrdiff_t>(e.address.size()));
    ByteWriter(in).u16(e.port);
    return crypto::sha1(in);
}

}  // namespace

Result<void> IkeEndpoint::Impl::add_nat_detection(std::uint64_t spi_i, std::uint64_t spi_r,
                                                  Endpoint const& source,
                                                  Endpoint const& destination,
                                                  std::vector<w::Payload>& out) const {
    if (!options.nat_detection)
        return {};
    auto s = nat_hash(spi_i, spi_r, source);
    if (!s)
        return s.error();
    auto d = nat_hash(spi_i, spi_r, destination);
    if (!d)
        return d.error();
    out.push_back(error_notify(w::NotifyType::nat_detection_source_ip, std::move(*s)));
    out.push_back(error_notify(w::NotifyType::nat_detection_destination_ip, std::move(*d)));
    return {};
}

bool has_nat_detection(std::span<w::Payload const> payloads) {
    return w::find_notify(payloads, w::NotifyType::nat_detection_source_ip) != nullptr &&
           w::find_notify(payloads, w::NotifyType::nat_detection_destination_ip) != nullptr;
}

void IkeEndpoint::Impl::detect_nat(Sa& sa, std::span<w::Payload const> payloads,
                                   std::uint64_t spi_r, Endpoint const& local,
                                   Endpoint const& from) {
    if (!options.nat_detection || !has_nat_detection(payloads))
        return;
    auto source = nat_hash(sa.spi_i, spi_r, from);
    auto destination = nat_hash(sa.spi_i, spi_r, local);
    if (!source || !destination)
        return;
    bool peer_matched = false;
    bool local_matched = false;
    for (auto const& p : payloads) {
        auto const* n = std::get_if<w::Notify>(&p);
        if (n == nullptr)
            continue;
        if (n->type == w::NotifyType::nat_detection_source_ip && n->data == *source)
            peer_matched = true;
        if (n->type == w::NotifyType::nat_detection_destination_ip && n->data == *destination)
            local_matched = true;
    }
    sa.peer_behind_nat = !peer_matched;
    sa.local_behind_nat = !local_matched;
    Event e = sa_event("ike.nat_detection", sa);
    e.with("nat", sa.peer_behind_nat || sa.local_behind_nat)
        .with("local_behind_nat", sa.local_behind_nat)
        .with("peer_behind_nat", sa.peer_behind_nat)
        .with("local", local.to_string())
        .with("from", from.to_string());
    emit(std::move(e));
}

}  // namespace nsslab::ike
