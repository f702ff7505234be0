// IBM's IKE policy as the IKE endpoint's connections (nsslab/iked/ike_connections.hpp).
#include "nsslab/iked/ike_connections.hpp"

#include <optional>

#include "nsslab/zos/ebcdic.hpp"

namespace nsslab::iked {
namespace {

using zos::AddressMatch;

// The one address a Location names, or why it names none.
Result<IpAddress> single_address(std::optional<AddressMatch> const& location, char const* side) {
    if (!location)
        return fail(Errc::invalid_argument,
                    std::string(side) + " security endpoint has no Location");
    if (location->kind != AddressMatch::Kind::single)
        return fail(Errc::invalid_argument,
                    std::string(side) + " Location " + location->text +
                        " is not a single address (nsslab initiates and matches connections "
                        "by address)");
    return location->first;
}

Result<ike::Identity> identity_of(zos::SecurityEndpoint const& endpoint, IpAddress const& address,
                                  char const* side) {
    if (!endpoint.identity)
        return ike::Identity::ip(address);
    auto const& id = *endpoint.identity;
    switch (id.type) {
        case zos::IkeIdentityType::ip_addr: {
            auto parsed = IpAddress::parse(id.value);
            if (!parsed)
                return fail(Errc::invalid_argument, std::string(side) + " Identity IpAddr " +
                                                        id.value + " is not one address");
            return ike::Identity::ip(*parsed);
        }
        case zos::IkeIdentityType::fqdn:
            return ike::Identity::fqdn(id.value);
        case zos::IkeIdentityType::user_fqdn:
            return ike::Identity::rfc822(id.value);
        case zos::IkeIdentityType::x500dn:
        case zos::IkeIdentityType::key_id:
            break;
    }
    return fail(Errc::unsupported, std::string(side) + " Identity " +
                                       std::string(zos::to_string(id.type)) +
                                       " is not supported by nsslab's IKE engine yet");
}

crypto::EncryptionAlgorithm encryption_of(zos::IkeEncryption const& e) {
    bool const wide = e.key_length_bits == 256;
    if (e.cipher == zos::IkeCipher::aes_gcm_16)
        return wide ? crypto::EncryptionAlgorithm::aes_gcm_16_256
                    : crypto::EncryptionAlgorithm::aes_gcm_16_128;
    return wide ? crypto::EncryptionAlgorithm::aes_cbc_256
                : crypto::EncryptionAlgorithm::aes_cbc_128;
}

crypto::IntegrityAlgorithm integrity_of(zos::IkeHash hash) {
    switch (hash) {
        case zos::IkeHash::sha2_256:
            return crypto::IntegrityAlgorithm::hmac_sha2_256_128;
        case zos::IkeHash::sha2_384:
            return crypto::IntegrityAlgorithm::hmac_sha2_384_192;
        case zos::IkeHash::sha2_512:
            return crypto::IntegrityAlgorithm::hmac_sha2_512_256;
    }
    return crypto::IntegrityAlgorithm::hmac_sha2_256_128;
}

crypto::PrfAlgorithm prf_of(zos::IkePrf prf) {
    switch (prf) {
        case zos::IkePrf::hmac_sha2_256:
            return crypto::PrfAlgorithm::hmac_sha2_256;
        case zos::IkePrf::hmac_sha2_384:
            return crypto::PrfAlgorithm::hmac_sha2_384;
        case zos::IkePrf::hmac_sha2_512:
            return crypto::PrfAlgorithm::hmac_sha2_512;
    }
    return crypto::PrfAlgorithm::hmac_sha2_256;
}

std::optional<crypto::DhGroup> group_of(zos::IkeDhGroup group) {
    switch (group) {
        case zos::IkeDhGroup::group14:
            return crypto::DhGroup::modp_2048;
        case zos::IkeDhGroup::group19:
            return crypto::DhGroup::ecp_256;
        case zos::IkeDhGroup::group20:
            return crypto::DhGroup::ecp_384;
        case zos::IkeDhGroup::group21:
            return crypto::DhGroup::ecp_521;
        case zos::IkeDhGroup::group31:
            return crypto::DhGroup::curve_25519;
        case zos::IkeDhGroup::none:
            break;
    }
    return std::nullopt;
}

std::vector<ike::IkeProposal> ike_proposals(zos::KeyExchangeAction const& action) {
    std::vector<ike::IkeProposal> out;
    for (auto const& offer : action.offers) {
        ike::IkeProposal p;
        p.encryption = encryption_of(offer.how_to_encrypt);
        p.integrity = offer.how_to_encrypt.cipher == zos::IkeCipher::aes_gcm_16
                          ? crypto::IntegrityAlgorithm::none
                          : integrity_of(offer.how_to_auth_msgs);
        p.prf = prf_of(offer.pseudo_random_function);
        if (auto g = group_of(offer.dh_group))
            p.dh = *g;
        out.push_back(p);
    }
    return out;
}

crypto::IntegrityAlgorithm esp_integrity_of(zos::EspIntegrity integrity) {
    switch (integrity) {
        case zos::EspIntegrity::null:
            return crypto::IntegrityAlgorithm::none;
        case zos::EspIntegrity::hmac_sha2_256_128:
            return crypto::IntegrityAlgorithm::hmac_sha2_256_128;
        case zos::EspIntegrity::hmac_sha2_384_192:
            return crypto::IntegrityAlgorithm::hmac_sha2_384_192;
        case zos::EspIntegrity::hmac_sha2_512_256:
            return crypto::IntegrityAlgorithm::hmac_sha2_512_256;
    }
    return crypto::IntegrityAlgorithm::none;
}

// The IpDynVpnAction of the Child SAs between `local` and `remote`: the action of the first
// IPSec filter rule covering that traffic, else the policy's only IpDynVpnAction.
struct VpnChoice {
    zos::IpDynVpnAction const* action{nullptr};
    std::string filter_rule;
};
VpnChoice vpn_action_for(zos::IkePolicy const& policy, IkeMapping const& mapping,
                         IpAddress const& local, IpAddress const& remote) {
    if (mapping.filter_policy != nullptr) {
        for (auto const& rule : mapping.filter_policy->rules) {
            if (rule.action != zos::FilterAction::ipsec || rule.action_name.empty())
                continue;
            if (rule.source.matches(local) && rule.destination.matches(remote))
                if (auto const* action = policy.find_vpn_action(rule.action_name))
                    return {action, rule.name};
        }
    }
    if (policy.vpn_actions.size() == 1)
        return {&policy.vpn_actions.front(), ""};
    return {};
}

}  // namespace

ike::AuthMethod auth_method_for(zos::IkeAuthMethod method) {
    switch (method) {
        case zos::IkeAuthMethod::preshared_key:
            return ike::AuthMethod::pre_shared_key;
        case zos::IkeAuthMethod::digital_signature:
            return ike::AuthMethod::digital_signature;
        case zos::IkeAuthMethod::rsa_signature:
            return ike::AuthMethod::rsa_signature;
        case zos::IkeAuthMethod::ecdsa_256:
            return ike::AuthMethod::ecdsa_256;
        case zos::IkeAuthMethod::ecdsa_384:
            return ike::AuthMethod::ecdsa_384;
        case zos::IkeAuthMethod::ecdsa_521:
            return ike::AuthMethod::ecdsa_521;
    }
    return ike::AuthMethod::digital_signature;
}

crypto::SignatureScheme signature_scheme_for(zos::IkeAuthMethod method) {
    switch (method) {
        case zos::IkeAuthMethod::ecdsa_384:
            return crypto::SignatureScheme::ecdsa_sha384;
        case zos::IkeAuthMethod::ecdsa_521:
            return crypto::SignatureScheme::ecdsa_sha512;
        case zos::IkeAuthMethod::rsa_signature:
            return crypto::SignatureScheme::rsa_pkcs1_sha256;  // not used: method 1 is refused
        case zos::IkeAuthMethod::digital_signature:
        case zos::IkeAuthMethod::ecdsa_256:
        case zos::IkeAuthMethod::preshared_key:
            break;
    }
    return crypto::SignatureScheme::ecdsa_sha256;
}

Result<Bytes> shared_key_bytes(zos::SharedKeyEncoding encoding, std::string const& key) {
    switch (encoding) {
        case zos::SharedKeyEncoding::ascii:
            return Bytes(key.begin(), key.end());
        case zos::SharedKeyEncoding::hex:
            return from_hex(key);
        case zos::SharedKeyEncoding::ebcdic: {
            Bytes out;
            for (char c : key) {
                auto e = zos::to_cp1047(c);
                if (!e)
                    return fail(Errc::unsupported,
                                std::string("SharedKey Ebcdic: nsslab translates letters, digits, "
                                            "blanks and $ # @ only, not '") +
                                    c + "'");
                out.push_back(*e);
            }
            return out;
        }
    }
    return fail(Errc::invalid_argument, "SharedKey: unknown encoding");
}

IkeConnections connections_from_policy(zos::IkePolicy const& policy, IkeMapping const& mapping) {
    IkeConnections out;
    auto skip = [&](zos::KeyExchangeRule const& rule, std::string reason) {
        out.skipped.push_back(SkippedRule{rule.name, std::move(reason), rule.where});
    };
    for (auto const& rule : policy.rules) {
        auto local = single_address(rule.local.location, "LocalSecurityEndpoint");
        if (!local) {
            skip(rule, local.error().message);
            continue;
        }
        auto remote = single_address(rule.remote.location, "RemoteSecurityEndpoint");
        if (!remote) {
            skip(rule, remote.error().message);
            continue;
        }
        auto local_id = identity_of(rule.local, *local, "LocalSecurityEndpoint");
        auto remote_id = identity_of(rule.remote, *remote, "RemoteSecurityEndpoint");
        if (!local_id || !remote_id) {
            skip(rule, (local_id ? remote_id.error() : local_id.error()).message);
            continue;
        }
        auto const* action = policy.find_action(rule.action_name);
        if (action == nullptr) {  // the parser resolves references; kept for safety
            skip(rule, "KeyExchangeAction " + rule.action_name + " not found");
            continue;
        }
        if (action->how_to_initiate != zos::HowToInitiate::ikev2) {
            skip(rule, "KeyExchangeAction " + action->name + " does not negotiate IKEv2");
            continue;
        }
        ike::Connection c;
        c.name = rule.name;
        c.local = Endpoint{*local, mapping.port};
        c.remote = Endpoint{*remote, mapping.port};
        c.local_id = std::move(*local_id);
        c.remote_id = std::move(*remote_id);
        c.local_auth.method = auth_method_for(action->how_to_auth_me);
        c.peer_auth.method = c.local_auth.method;
        if (c.local_auth.method == ike::AuthMethod::pre_shared_key) {
            if (!rule.shared_key_encoding) {
                skip(rule, "HowToAuthMe PresharedKey and the rule has no SharedKey");
                continue;
            }
            auto key = shared_key_bytes(*rule.shared_key_encoding, rule.shared_key);
            if (!key) {
                skip(rule, key.error().message);
                continue;
            }
            c.local_auth.psk = *key;
            c.peer_auth.psk = std::move(*key);
        } else {
            // The key label is the local identity: IKED resolves it with the NSS server.
            c.local_auth.key_label = c.local_id.to_string();
            c.local_auth.scheme = signature_scheme_for(action->how_to_auth_me);
        }
        c.ike_proposals = ike_proposals(*action);
        if (c.ike_proposals.empty()) {
            skip(rule, "KeyExchangeAction " + action->name + " has no KeyExchangeOffer");
            continue;
        }
        auto const choice = vpn_action_for(policy, mapping, *local, *remote);
        auto const* vpn = choice.action;
        if (vpn == nullptr) {
            skip(rule, "no IpDynVpnAction for traffic " + local->to_string() + " -> " +
                           remote->to_string() +
                           " (no IPSec filter rule names one and the policy has not exactly one)");
            continue;
        }
        for (auto const& offer : vpn->offers)
            c.child_proposals.push_back(ike::ChildProposal{encryption_of(offer.how_to_encrypt),
                                                           esp_integrity_of(offer.how_to_auth),
                                                           std::nullopt});
        if (c.child_proposals.empty()) {
            skip(rule, "IpDynVpnAction " + vpn->name + " has no IpDataOffer");
            continue;
        }
        out.config.connections.push_back(std::move(c));
        out.vpn_actions.push_back(vpn->name);
        out.filter_rules.push_back(choice.filter_rule);
        out.local_identities.push_back(rule.local.identity.value_or(
            zos::IkeIdentity{zos::IkeIdentityType::ip_addr, local->to_string()}));
    }
    return out;
}

}  // namespace nsslab::iked
