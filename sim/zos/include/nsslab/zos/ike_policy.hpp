// IKE policy of a z/OS TCP/IP stack as the Policy Agent writes it: the key exchange policy that
// IKED uses to choose a KeyExchangeRule, the IKE SA proposals and authentication method, and the
// IpDynVpnAction / IpDataOffer statements that govern Child SAs.
//
// IBM: z/OS Communications Server IP Configuration Reference, "Policy Agent and policy
// applications" (KeyExchangeAction, KeyExchangeOffer, IpDynVpnAction, IpDataOffer statements) and
// IP Configuration Guide "Key exchange policy" (the KeyExchangeRule sample). Pages, supported
// subset, defaults and refusals: docs/config-files.md "IKE policy".
//
// The statements live in the same IP security policy file as the IP filter policy; the shared
// lexer (config_lexer.hpp) reads it. parse_ike_policy reads the IKE statements and IpDynVpnAction
// / IpDataOffer, and leaves IpFilterPolicy, IpFilterRule and IpGenericFilterAction to
// parse_filter_policy (filter_policy.hpp), which in turn leaves the IKE statements to this parser.
// Every other statement or parameter is an error naming file:line:column; a parameter IBM
// documents but nsslab does not implement is refused with "not supported by nsslab".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"
#include "nsslab/zos/config_lexer.hpp"
#include "nsslab/zos/filter_policy.hpp"

namespace nsslab::zos {

// Identity <type> <value> of a security endpoint. The value is kept as coded (an X500dn may
// contain blanks; wildcards such as `*` or `*.ibm.com` are not interpreted here).
enum class IkeIdentityType : std::uint8_t { ip_addr, fqdn, user_fqdn, x500dn, key_id };
std::string_view to_string(IkeIdentityType type);  // "IpAddr", "Fqdn", "UserFqdn", ...

struct IkeIdentity {
    IkeIdentityType type{IkeIdentityType::ip_addr};
    std::string value;
};

// LocalSecurityEndpoint / RemoteSecurityEndpoint, global (named) or inline in a KeyExchangeRule.
struct SecurityEndpoint {
    std::string name;  // empty when inline
    std::optional<IkeIdentity> identity;
    std::optional<AddressMatch> location;  // Location: address, address/prefix, range or All
    std::vector<std::string> ca_labels;    // CaLabel (RemoteSecurityEndpoint only)
    SourceLocation where;
};

// Encryption for IKE SAs (KeyExchangeOffer HowToEncrypt) and Child SAs (IpDataOffer HowToEncrypt).
enum class IkeCipher : std::uint8_t { aes_cbc, aes_gcm_16 };
struct IkeEncryption {
    IkeCipher cipher{IkeCipher::aes_cbc};
    std::uint16_t key_length_bits{128};  // 128 or 256

    bool operator==(IkeEncryption const&) const = default;
};

enum class IkeHash : std::uint8_t { sha2_256, sha2_384, sha2_512 };  // HowToAuthMsgs
enum class IkePrf : std::uint8_t { hmac_sha2_256, hmac_sha2_384, hmac_sha2_512 };
// IKE DH groups (IANA numbers). group31 (Curve25519) is an nsslab extension: IBM has no keyword.
enum class IkeDhGroup : std::uint8_t {
    none = 0,
    group14 = 14,
    group19 = 19,
    group20 = 20,
    group21 = 21,
    group31 = 31
};
std::string_view to_string(IkeDhGroup group);  // "None", "Group14", ...

// HowToAuthMe / HowToAuthPeers values (DESIGN.md: KeyExchangeAction HowToAuthMe).
enum class IkeAuthMethod : std::uint8_t {
    digital_signature,
    rsa_signature,
    ecdsa_256,
    ecdsa_384,
    ecdsa_521,
    preshared_key
};
std::string_view to_string(IkeAuthMethod method);  // IBM's keyword, e.g. "ECDSA-256"

// Refresh values as coded: minutes and kilobytes. std::nullopt: not coded (IKED's default).
struct RefreshLimits {
    std::optional<std::uint32_t> lifetime_proposed;  // minutes
    std::optional<std::uint32_t> lifetime_accepted_min;
    std::optional<std::uint32_t> lifetime_accepted_max;
    bool lifesize_proposed_coded{false};
    std::optional<std::uint32_t> lifesize_proposed;  // KB; nullopt when coded as None
    bool lifesize_accepted_coded{false};
    std::optional<std::uint32_t> lifesize_accepted_min;  // KB; nullopt when coded as None
    std::optional<std::uint32_t> lifesize_accepted_max;
};

struct KeyExchangeOffer {
    std::string name;                                      // empty when inline without a name
    IkeEncryption how_to_encrypt;                          // IBM default AES_CBC KeyLength 128
    IkeHash how_to_auth_msgs{IkeHash::sha2_256};           // required by nsslab (see docs)
    std::optional<IkeAuthMethod> how_to_auth_peers;        // IKEv1 only; kept
    IkePrf pseudo_random_function{IkePrf::hmac_sha2_256};  // default: from HowToAuthMsgs
    bool pseudo_random_function_coded{false};
    IkeDhGroup dh_group{IkeDhGroup::group14};  // required by nsslab (see docs)
    RefreshLimits refresh;
    SourceLocation where;
};

enum class HowToInitiate : std::uint8_t { ikev2, do_not };
enum class HowToRespondIKEv1 : std::uint8_t { main, aggressive, either };

struct KeyExchangeAction {
    std::string name;
    HowToInitiate how_to_initiate{HowToInitiate::ikev2};
    HowToRespondIKEv1 how_to_respond_ikev1{HowToRespondIKEv1::either};  // IBM default Either
    IkeAuthMethod how_to_auth_me{IkeAuthMethod::digital_signature};     // IBM default
    std::optional<bool> allow_nat;                                      // AllowNat, as coded
    std::uint32_t reauth_interval{0};      // ReauthInterval (minutes), IBM default 0
    std::vector<KeyExchangeOffer> offers;  // in preference order, references resolved
    SourceLocation where;
};

enum class SharedKeyEncoding : std::uint8_t { ascii, ebcdic, hex };

struct KeyExchangeRule {
    std::string name;
    SecurityEndpoint local;
    SecurityEndpoint remote;
    std::string action_name;  // index into IkePolicy::actions through find_action
    std::optional<SharedKeyEncoding> shared_key_encoding;
    std::string shared_key;  // as coded (hex digits for Hex)
    SourceLocation where;
};

enum class HowToEncap : std::uint8_t { tunnel, transport };
enum class HowToEncapIKEv2 : std::uint8_t { tunnel, transport, either };
enum class VpnInitiation : std::uint8_t { local_only, remote_only, either };
// ESP integrity of a Child SA (IpDataOffer HowToAuth ESP ...); null only with AES_GCM_16.
enum class EspIntegrity : std::uint8_t {
    null,
    hmac_sha2_256_128,
    hmac_sha2_384_192,
    hmac_sha2_512_256
};

struct IpDataOffer {
    std::string name;                                           // empty when inline without a name
    HowToEncap how_to_encap{HowToEncap::tunnel};                // IBM default Tunnel
    IkeEncryption how_to_encrypt;                               // IBM default AES_CBC KeyLength 128
    EspIntegrity how_to_auth{EspIntegrity::hmac_sha2_256_128};  // required by nsslab
    RefreshLimits refresh;
    SourceLocation where;
};

struct IpDynVpnAction {
    std::string name;
    VpnInitiation initiation{VpnInitiation::either};              // IBM default Either
    std::uint32_t vpn_life{1440};                                 // minutes, IBM default 1440
    IkeDhGroup initiate_with_pfs{IkeDhGroup::none};               // IBM default None
    std::vector<IkeDhGroup> acceptable_pfs;                       // IBM default None (empty)
    HowToEncapIKEv2 how_to_encap_ikev2{HowToEncapIKEv2::either};  // IBM default Either
    bool passthrough_df{true};                                    // IBM default Yes
    bool passthrough_df_set{false};                               // PassthroughDF No Set
    bool passthrough_dscp{true};                                  // IBM default Yes
    std::vector<IpDataOffer> offers;                              // in preference order
    SourceLocation where;
};

struct IkePolicy {
    bool allow_on_demand{true};          // KeyExchangePolicy AllowOnDemand
    std::vector<KeyExchangeRule> rules;  // in KeyExchangePolicy order: the first match wins
    std::vector<KeyExchangeAction> actions;
    std::vector<IpDynVpnAction> vpn_actions;

    KeyExchangeAction const* find_action(std::string_view name) const;
    IpDynVpnAction const* find_vpn_action(std::string_view name) const;
};

struct IkePolicyParseOptions {
    std::string file_name{"policy.conf"};
    ConfigLimits limits;
};

// Whether `keyword` names a statement parse_ike_policy owns (KeyExchangePolicy, KeyExchangeRule,
// KeyExchangeAction, KeyExchangeOffer, LocalSecurityEndpoint, RemoteSecurityEndpoint,
// IpDynVpnAction, IpDataOffer).
bool is_ike_policy_statement(std::string_view keyword);

// The IKE statements of a Policy Agent IP security policy file. Errors: the first diagnostic as
// "file:line:column: message (expected ...)", Errc::parse_error (Errc::oversized for bounds);
// every diagnostic goes to `diagnostics` when given. A file without KeyExchangePolicy is an error.
Result<IkePolicy> parse_ike_policy(std::string_view text, IkePolicyParseOptions const& options = {},
                                   std::vector<Diagnostic>* diagnostics = nullptr);

// Whether the file has a top-level KeyExchangePolicy statement (an IP security policy file may
// hold the IP filter policy only). A file the lexer or statement grammar refuses has none here;
// its parser names the error.
bool has_key_exchange_policy(std::string_view text, ConfigLimits const& limits = {});

}  // namespace nsslab::zos
