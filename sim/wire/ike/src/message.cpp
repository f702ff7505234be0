// Helpers of the IKEv2 message model (message.hpp).
#include "nsslab/wire_ike/message.hpp"

#include <type_traits>

namespace nsslab::wire_ike {

std::optional<std::uint16_t> Transform::key_length() const {
    for (auto const& a : attributes) {
        if (a.tv && a.type == static_cast<std::uint16_t>(TransformAttributeType::key_length))
            return a.tv_value;
    }
    return std::nullopt;
}

Transform Transform::encr(EncrId id, std::optional<std::uint16_t> key_length_bits) {
    Transform t{TransformType::encr, static_cast<std::uint16_t>(id), {}};
    if (key_length_bits) {
        t.attributes.push_back({static_cast<std::uint16_t>(TransformAttributeType::key_length),
                                true,
                                *key_length_bits,
                                {}});
    }
    return t;
}
Transform Transform::prf(PrfId id) {
    return {TransformType::prf, static_cast<std::uint16_t>(id), {}};
}
Transform Transform::integ(IntegId id) {
    return {TransformType::integ, static_cast<std::uint16_t>(id), {}};
}
Transform Transform::dh(DhGroup group) {
    return {TransformType::dh, static_cast<std::uint16_t>(group), {}};
}
Transform Transform::esn(EsnId id) {
    return {TransformType::esn, static_cast<std::uint16_t>(id), {}};
}

PayloadType payload_type(Payload const& payload) {
    return std::visit(
        [](auto const& p) -> PayloadType {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, UnknownPayload>) {
                return p.type;
            } else {
                return T::payload_type;
            }
        },
        payload);
}

Notify const* find_notify(std::span<Payload const> payloads, NotifyType type) {
    for (auto const& p : payloads) {
        if (auto const* n = std::get_if<Notify>(&p); n != nullptr && n->type == type)
            return n;
    }
    return nullptr;
}

}  // namespace nsslab::wire_ike
