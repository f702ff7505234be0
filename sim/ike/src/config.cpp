// Identity constructors and the name tables of config.hpp.
#include "nsslab/ike/config.hpp"

#include <array>
#include <string>

#include "nsslab/crypto/certificate.hpp"

namespace nsslab::ike {

Identity Identity::fqdn(std::string_view name) {
    return Identity{wire_ike::IdType::fqdn, to_bytes(name)};
}

Identity Identity::rfc822(std::string_view address) {
    return Identity{wire_ike::IdType::rfc822_addr, to_bytes(address)};
}

Identity Identity::ip(IpAddress const& address) {
    auto const& raw = address.raw();
    Bytes data(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(address.size()));
    return Identity{address.is_v4() ? wire_ike::IdType::ipv4_addr : wire_ike::IdType::ipv6_addr,
                    std::move(data)};
}

Identity Identity::der_dn(Bytes der) {
    return Identity{wire_ike::IdType::der_asn1_dn, std::move(der)};
}

Result<Identity> Identity::dn(std::string_view rfc4514) {
    auto dn = crypto::DistinguishedName::parse(rfc4514);
    if (!dn)
        return dn.error();
    auto der = dn->to_der();
    if (!der)
        return der.error();
    return der_dn(std::move(*der));
}

std::string Identity::to_string() const {
    switch (type) {
        case wire_ike::IdType::fqdn:
            return "fqdn:" + std::string(as_chars(data));
        case wire_ike::IdType::rfc822_addr:
            return "rfc822:" + std::string(as_chars(data));
        case wire_ike::IdType::ipv4_addr:
            if (data.size() == 4)
                return "ipv4:" + IpAddress::v4((std::uint32_t{data[0]} << 24) |
                                               (std::uint32_t{data[1]} << 16) |
                                               (std::uint32_t{data[2]} << 8) | data[3])
                                     .to_string();
            break;
        case wire_ike::IdType::ipv6_addr:
            if (data.size() == 16) {
                std::array<std::uint8_t, 16> raw{};
                std::copy(data.begin(), data.end(), raw.begin());
                return "ipv6:" + IpAddress::v6(raw).to_string();
            }
            break;
        case wire_ike::IdType::der_asn1_dn:
            if (auto dn = crypto::DistinguishedName::from_der(data))
                return "dn:" + dn->to_string();
            break;
        default:
            break;
    }
    return std::string(wire_ike::to_string(type)) + ":" + to_hex(data);
}

std::string_view to_string(AuthMethod method) {
    switch (method) {
        case AuthMethod::pre_shared_key:
            return "pre_shared_key";
        case AuthMethod::digital_signature:
            return "digital_signature";
        case AuthMethod::ecdsa_256:
            return "ecdsa_256";
        case AuthMethod::ecdsa_384:
            return "ecdsa_384";
        case AuthMethod::ecdsa_521:
            return "ecdsa_521";
        case AuthMethod::rsa_signature:
            return "rsa_signature";
    }
    return "unknown";
}

bool is_signature(AuthMethod method) {
    return method != AuthMethod::pre_shared_key;
}

std::string to_string(IkeProposal const& proposal) {
    std::string out(crypto::to_string(proposal.encryption));
    if (proposal.integrity != crypto::IntegrityAlgorithm::none)
        out += "/" + std::string(crypto::to_string(proposal.integrity));
    out += "/" + std::string(crypto::to_string(proposal.prf));
    out += "/" + std::string(crypto::to_string(proposal.dh));
    return out;
}

std::string to_string(ChildProposal const& proposal) {
    std::string out(crypto::to_string(proposal.encryption));
    if (proposal.integrity != crypto::IntegrityAlgorithm::none)
        out += "/" + std::string(crypto::to_string(proposal.integrity));
    if (proposal.dh)
        out += "/" + std::string(crypto::to_string(*proposal.dh));
    return out;
}

}  // namespace nsslab::ike
