// SA and TS payload helpers (proposals.hpp).
#include "proposals.hpp"

#include "nsslab/crypto/ike_transforms.hpp"

namespace nsslab::ike {

w::Transform encr_transform(crypto::EncryptionAlgorithm encryption) {
    return w::Transform::encr(static_cast<w::EncrId>(crypto::transform_number(encryption)),
                              crypto::key_length_bits(encryption));
}

bool has_transform(w::Proposal const& p, w::TransformType type, std::uint16_t id,
                   std::optional<std::uint16_t> key_bits) {
    return std::any_of(p.transforms.begin(), p.transforms.end(), [&](w::Transform const& t) {
        return t.type == type && t.id == id && (!key_bits || t.key_length() == key_bits);
    });
}

bool has_type(w::Proposal const& p, w::TransformType type) {
    return std::any_of(p.transforms.begin(), p.transforms.end(),
                       [&](w::Transform const& t) { return t.type == type; });
}

std::vector<w::Transform> ike_transforms(IkeProposal const& q) {
    std::vector<w::Transform> t{encr_transform(q.encryption),
                                w::Transform::prf(static_cast<w::PrfId>(q.prf))};
    if (q.integrity != crypto::IntegrityAlgorithm::none)
        t.push_back(w::Transform::integ(static_cast<w::IntegId>(q.integrity)));
    t.push_back(w::Transform::dh(static_cast<w::DhGroup>(q.dh)));
    return t;
}

std::vector<w::Transform> esp_transforms(ChildProposal const& q, bool pfs) {
    std::vector<w::Transform> t{encr_transform(q.encryption)};
    if (q.integrity != crypto::IntegrityAlgorithm::none)
        t.push_back(w::Transform::integ(static_cast<w::IntegId>(q.integrity)));
    if (pfs && q.dh)
        t.push_back(w::Transform::dh(static_cast<w::DhGroup>(*q.dh)));
    t.push_back(w::Transform::esn(w::EsnId::no_esn));
    return t;
}

bool offers(w::Proposal const& p, IkeProposal const& q, std::size_t spi_size) {
    return p.protocol == w::ProtocolId::ike && p.spi.size() == spi_size &&
           has_transform(p, w::TransformType::encr, crypto::transform_number(q.encryption),
                         crypto::key_length_bits(q.encryption)) &&
           has_transform(p, w::TransformType::prf, static_cast<std::uint16_t>(q.prf)) &&
           (q.integrity == crypto::IntegrityAlgorithm::none ||
            has_transform(p, w::TransformType::integ, static_cast<std::uint16_t>(q.integrity))) &&
           has_transform(p, w::TransformType::dh, static_cast<std::uint16_t>(q.dh));
}

bool offers(w::Proposal const& p, ChildProposal const& q, bool pfs) {
    bool dh_fits = true;
    if (pfs && q.dh)
        dh_fits = has_transform(p, w::TransformType::dh, static_cast<std::uint16_t>(*q.dh));
    else if (pfs)
        dh_fits = std::all_of(p.transforms.begin(), p.transforms.end(), [](w::Transform const& t) {
            return t.type != w::TransformType::dh || t.id == 0;
        });
    return dh_fits && p.protocol == w::ProtocolId::esp && p.spi.size() == 4 &&
           has_transform(p, w::TransformType::encr, crypto::transform_number(q.encryption),
                         crypto::key_length_bits(q.encryption)) &&
           (q.integrity == crypto::IntegrityAlgorithm::none ||
            has_transform(p, w::TransformType::integ, static_cast<std::uint16_t>(q.integrity))) &&
           (!has_type(p, w::TransformType::esn) ||
            has_transform(p, w::TransformType::esn, static_cast<std::uint16_t>(w::EsnId::no_esn)));
}

w::TrafficSelector single_address(IpAddress const& a) {
    w::TrafficSelector ts;
    ts.type = a.is_v4() ? w::TsType::ipv4_addr_range : w::TsType::ipv6_addr_range;
    ts.start_address = a;
    ts.end_address = a;
    return ts;
}

std::uint32_t esp_spi(Bytes const& spi) {
    return (std::uint32_t{spi[0]} << 24) | (std::uint32_t{spi[1]} << 16) |
           (std::uint32_t{spi[2]} << 8) | spi[3];
}

Bytes spi_octets(std::uint32_t spi) {
    Bytes b;
    ByteWriter(b).u32(spi);
    return b;
}

Bytes spi_octets(std::uint64_t spi) {
    Bytes b;
    ByteWriter(b).u64(spi);
    return b;
}

}  // namespace nsslab::ike
