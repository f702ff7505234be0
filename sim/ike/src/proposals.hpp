// SA and TS payloads of the IKE core: the transforms a configured proposal is sent as, whether
// a peer's proposal offers one of ours (RFC 7296 §2.7, §3.3), and the single-address traffic
// selectors (§2.9, §3.13).
#pragma once

#include <algorithm>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "nsslab/ike/config.hpp"
#include "nsslab/wire_ike/message.hpp"

namespace nsslab::ike {

namespace w = wire_ike;

w::Transform encr_transform(crypto::EncryptionAlgorithm encryption);
bool has_transform(w::Proposal const& p, w::TransformType type, std::uint16_t id,
                   std::optional<std::uint16_t> key_bits = {});
bool has_type(w::Proposal const& p, w::TransformType type);

std::vector<w::Transform> ike_transforms(IkeProposal const& q);
// In IKE_AUTH (`pfs` false) the DH transform is omitted (RFC 7296 §1.2); in CREATE_CHILD_SA it
// is sent when the proposal names a group.
std::vector<w::Transform> esp_transforms(ChildProposal const& q, bool pfs = false);

// Does the peer's proposal offer everything of ours? An IKE proposal has no SPI in IKE_SA_INIT
// and an 8-octet one in a rekey (`spi_size`). In IKE_AUTH (`pfs` false) a Child SA proposal's
// DH transforms are not looked at; in CREATE_CHILD_SA the group must be ours, or absent (or
// NONE) when ours names none.
bool offers(w::Proposal const& p, IkeProposal const& q, std::size_t spi_size = 0);
bool offers(w::Proposal const& p, ChildProposal const& q, bool pfs = false);

// A responder's answer: exactly our transforms, so it must equal one configured proposal.
template <class Q>
std::optional<Q> answered(w::SecurityAssociation const& sa, std::vector<Q> const& ours,
                          bool pfs = false) {
    if (sa.proposals.size() != 1)
        return std::nullopt;
    auto const& p = sa.proposals.front();
    for (auto const& q : ours) {
        std::vector<w::Transform> expected;
        if constexpr (std::is_same_v<Q, IkeProposal>)
            expected = ike_transforms(q);
        else
            expected = esp_transforms(q, pfs);
        if (p.transforms.size() == expected.size() &&
            std::all_of(expected.begin(), expected.end(), [&](w::Transform const& t) {
                return has_transform(p, t.type, t.id, t.key_length());
            }))
            return q;
    }
    return std::nullopt;
}

// The first of the peer's proposals (in its order) that `fits` one of ours (in our order): that
// proposal and ours, or nullopt.
template <class Q, class Fits>
std::optional<std::pair<w::Proposal const*, Q>> choose(w::SecurityAssociation const& sa,
                                                       std::vector<Q> const& ours, Fits fits) {
    for (auto const& p : sa.proposals)
        for (auto const& q : ours)
            if (fits(p, q))
                return std::pair<w::Proposal const*, Q>{&p, q};
    return std::nullopt;
}

w::TrafficSelector single_address(IpAddress const& a);

template <class Ts>
bool covers(Ts const& ts, IpAddress const& a) {
    return std::any_of(ts.selectors.begin(), ts.selectors.end(), [&](w::TrafficSelector const& s) {
        return s.start_address.family() == a.family() && s.start_address <= a && a <= s.end_address;
    });
}

// A 4-octet ESP SPI (checked by the caller).
std::uint32_t esp_spi(Bytes const& spi);
// An SPI as the octets of a Proposal, Notify or Delete: 4 for ESP, 8 for IKE (big-endian).
Bytes spi_octets(std::uint32_t spi);
Bytes spi_octets(std::uint64_t spi);

}  // namespace nsslab::ike
