// IBM's IKE policy (zos::IkePolicy, parsed from the Policy Agent's IP security policy file)
// turned into the IKE endpoint's connections (ike::IkeConfig): one ike::Connection per
// KeyExchangeRule that names one local and one remote address. docs/iked-ike.md "From the
// policy to the endpoint" lists the mapping and the choices where IBM is silent.
//
//   KeyExchangeRule           Connection (its name); rules keep policy order
//   Local/RemoteSecurityEndpoint Location   local / remote address, with IkeMapping::port
//   ... Identity              IDi/IDr: IpAddr, Fqdn, UserFqdn (X500dn, KeyId: refused for now)
//                             (no Identity: IpAddr of the Location)
//   KeyExchangeAction HowToAuthMe  PresharedKey: AUTH method 2 with the rule's SharedKey;
//                             DigitalSignature, RsaSignature, ECDSA-256/384/521: method 14,
//                             signed by the stack's NSS certificate service (key label: the
//                             local identity, resolved by IKED); the peer must use the same
//   KeyExchangeOffer          IKE proposals in order (HowToEncrypt, HowToAuthMsgs,
//                             PseudoRandomFunction, DHGroup)
//   IpDynVpnAction IpDataOffer  the Child SA proposals: the action of the stack's IPSec filter
//                             rule that covers local -> remote, or the policy's only action
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/ike/config.hpp"
#include "nsslab/zos/filter_policy.hpp"
#include "nsslab/zos/ike_policy.hpp"

namespace nsslab::iked {

struct IkeMapping {
    std::uint16_t port{500};  // the IKE port of both sides (nsslab: another for loopback runs)
    // The stack's IP filter policy (its IPSec rules name the IpDynVpnAction); may be null.
    zos::FilterPolicy const* filter_policy{nullptr};
};

// A rule that could not become a connection, and why.
struct SkippedRule {
    std::string rule;
    std::string reason;
    zos::SourceLocation where;
};

struct IkeConnections {
    ike::IkeConfig config;
    std::vector<SkippedRule> skipped;
    // For each connection (same index): the IpDynVpnAction of its Child SAs and the IPSec
    // filter rule that names it ("" when the action is the policy's only one and no rule
    // names it).
    std::vector<std::string> vpn_actions;
    std::vector<std::string> filter_rules;
    // The local identity as the policy states it (IpAddr of the Location when not coded): what
    // IKED asks the NSS server for when it signs.
    std::vector<zos::IkeIdentity> local_identities;
};

IkeConnections connections_from_policy(zos::IkePolicy const& policy, IkeMapping const& mapping);

// The AUTH method and signature scheme of a HowToAuthMe value.
ike::AuthMethod auth_method_for(zos::IkeAuthMethod method);
crypto::SignatureScheme signature_scheme_for(zos::IkeAuthMethod method);

// The key of a SharedKey as the AUTH computation uses it. Errors: bad hex digits.
Result<Bytes> shared_key_bytes(zos::SharedKeyEncoding encoding, std::string const& key);

}  // namespace nsslab::iked
