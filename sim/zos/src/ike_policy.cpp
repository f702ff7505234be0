// IKE policy statements of a Policy Agent IP security policy file; see ike_policy.hpp and
// docs/config-files.md "IKE policy".
#include "nsslab/zos/ike_policy.hpp"

#include <array>
#include <map>
#include <span>

#include "config_lexer_detail.hpp"

namespace nsslab::zos {

using detail::check_values;
using detail::read_choice;
using detail::read_label;
using detail::read_name;
using detail::read_uint;
using detail::read_yes_no;

std::string_view to_string(IkeIdentityType type) {
    switch (type) {
        case IkeIdentityType::ip_addr:
            return "IpAddr";
        case IkeIdentityType::fqdn:
            return "Fqdn";
        case IkeIdentityType::user_fqdn:
            return "UserFqdn";
        case IkeIdentityType::x500dn:
            return "X500dn";
        case IkeIdentityType::key_id:
            return "KeyId";
    }
    return "?";
}

std::string_view to_string(IkeDhGroup group) {
    switch (group) {
        case IkeDhGroup::none:
            return "None";
        case IkeDhGroup::group14:
            return "Group14";
        case IkeDhGroup::group19:
            return "Group19";
        case IkeDhGroup::group20:
            return "Group20";
        case IkeDhGroup::group21:
            return "Group21";
        case IkeDhGroup::group31:
            return "Group31";
    }
    return "?";
}

std::string_view to_string(IkeAuthMethod method) {
    switch (method) {
        case IkeAuthMethod::digital_signature:
            return "DigitalSignature";
        case IkeAuthMethod::rsa_signature:
            return "RsaSignature";
        case IkeAuthMethod::ecdsa_256:
            return "ECDSA-256";
        case IkeAuthMethod::ecdsa_384:
            return "ECDSA-384";
        case IkeAuthMethod::ecdsa_521:
            return "ECDSA-521";
        case IkeAuthMethod::preshared_key:
            return "PresharedKey";
    }
    return "?";
}

KeyExchangeAction const* IkePolicy::find_action(std::string_view name) const {
    for (auto const& a : actions)
        if (a.name == name)
            return &a;
    return nullptr;
}

IpDynVpnAction const* IkePolicy::find_vpn_action(std::string_view name) const {
    for (auto const& a : vpn_actions)
        if (a.name == name)
            return &a;
    return nullptr;
}

namespace {

constexpr std::array<std::string_view, 8> ike_statements = {
    "KeyExchangePolicy",     "KeyExchangeRule",        "KeyExchangeAction", "KeyExchangeOffer",
    "LocalSecurityEndpoint", "RemoteSecurityEndpoint", "IpDynVpnAction",    "IpDataOffer"};
// Statements of the same file that parse_filter_policy reads.
constexpr std::array<std::string_view, 3> filter_statements = {"IpFilterPolicy", "IpFilterRule",
                                                               "IpGenericFilterAction"};

}  // namespace

bool is_ike_policy_statement(std::string_view keyword) {
    for (auto s : ike_statements)
        if (iequals(keyword, s))
            return true;
    return false;
}

namespace {

std::string join(std::span<std::string_view const> items) {
    std::string out;
    for (auto i : items) {
        if (!out.empty())
            out += ", ";
        out += i;
    }
    return out;
}

// A keyword value: IBM keywords nsslab implements (`supported`, index returned) and IBM keywords
// it refuses (`refused`): a refused keyword is "not supported by nsslab", anything else invalid.
struct Keywords {
    std::initializer_list<std::string_view> supported;
    std::initializer_list<std::string_view> refused{};
};

std::uint32_t constexpr max_decimal = 4294967295u;  // IBM: the maximum decimal value

class IkeParser {
  public:
    explicit IkeParser(DiagnosticSink& sink) : sink_(sink) {}

    std::optional<IkePolicy> run(std::vector<ConfigStatement> const& statements) {
        ConfigStatement const* policy_statement = nullptr;
        for (auto const& st : statements) {
            auto const& k = st.keyword.text;
            if (iequals(k, "KeyExchangePolicy")) {
                if (!st.args.empty())
                    sink_.error(st.args[0].where, "KeyExchangePolicy takes no name", "'{'");
                if (policy_statement)
                    sink_.error(st.keyword.where, "KeyExchangePolicy coded more than once",
                                "one KeyExchangePolicy statement");
                policy_statement = &st;
                continue;
            }
            bool filter = false;
            for (auto f : filter_statements)
                filter = filter || iequals(k, f);
            if (filter)
                continue;  // parse_filter_policy reads these
            auto* table = global_table(k);
            if (!table) {
                std::vector<std::string_view> all(ike_statements.begin(), ike_statements.end());
                all.insert(all.end(), filter_statements.begin(), filter_statements.end());
                unknown(st.keyword, "unknown statement '" + k + "'", all);
                continue;
            }
            auto name = statement_name(st);
            if (!name)
                continue;
            if (!table->emplace(*name, &st).second)
                sink_.error(st.args[0].where, st.keyword.text + " " + *name + " defined twice",
                            "a unique name");
        }
        if (!policy_statement) {
            sink_.error(statements.empty() ? SourceLocation{} : statements.front().keyword.where,
                        "no KeyExchangePolicy statement",
                        "a KeyExchangePolicy { KeyExchangeRuleRef ... } block");
            return std::nullopt;
        }
        IkePolicy out;
        // Every global statement is checked once, in file order, whether referenced or not;
        // references then copy the parsed model. Offers and endpoints before the actions and
        // rules that refer to them; actions before rules, which check their method.
        for (auto const& st : statements) {
            auto const& k = st.keyword.text;
            if (registered(global_offers_, st))
                offers_.emplace(st.args[0].text,
                                key_exchange_offer(st.args[0].text, st.params, st.keyword.where));
            else if (registered(global_data_offers_, st))
                data_offers_.emplace(st.args[0].text,
                                     data_offer(st.args[0].text, st.params, st.keyword.where));
            else if (registered(global_local_, st) || registered(global_remote_, st)) {
                bool const remote = iequals(k, "RemoteSecurityEndpoint");
                endpoints_.emplace(endpoint_key(remote, st.args[0].text),
                                   endpoint(st.args[0].text, st.params, st.keyword.where, remote));
            }
        }
        for (auto const& st : statements) {
            if (registered(global_actions_, st))
                out.actions.push_back(key_exchange_action(st));
            else if (registered(global_vpn_actions_, st))
                out.vpn_actions.push_back(dyn_vpn_action(st));
        }
        policy(*policy_statement, out);
        // Global rules that KeyExchangePolicy does not reference are inactive, but checked.
        IkePolicy unused;
        unused.actions = out.actions;
        for (auto const& st : statements)
            if (registered(global_rules_, st) && !referenced_rules_.count(st.args[0].text))
                rule(st.args[0].text, st.params, st.keyword.where, unused);
        return out;
    }

  private:
    using Table = std::map<std::string, ConfigStatement const*>;

    // Whether `st` is the global statement its table holds under its name (not a duplicate, not
    // a statement whose name was refused).
    bool registered(Table const& table, ConfigStatement const& st) const {
        if (st.args.size() != 1)
            return false;
        auto it = table.find(st.args[0].text);
        return it != table.end() && it->second == &st;
    }

    Table* global_table(std::string const& keyword) {
        if (iequals(keyword, "KeyExchangeRule"))
            return &global_rules_;
        if (iequals(keyword, "KeyExchangeAction"))
            return &global_actions_;
        if (iequals(keyword, "KeyExchangeOffer"))
            return &global_offers_;
        if (iequals(keyword, "LocalSecurityEndpoint"))
            return &global_local_;
        if (iequals(keyword, "RemoteSecurityEndpoint"))
            return &global_remote_;
        if (iequals(keyword, "IpDynVpnAction"))
            return &global_vpn_actions_;
        if (iequals(keyword, "IpDataOffer"))
            return &global_data_offers_;
        return nullptr;
    }

    // ---- diagnostics helpers ----

    void unknown(Token const& t, std::string message, std::span<std::string_view const> known,
                 std::string expected = {}) {
        auto hint = detail::closest_match(t.text, known);
        if (!hint.empty())
            message += "; did you mean '" + std::string(hint) + "'?";
        sink_.error(t.where, std::move(message), expected.empty() ? join(known) : expected);
    }

    void unknown_param(ConfigParam const& p, std::string_view statement,
                       std::initializer_list<std::string_view> known) {
        unknown(p.keyword,
                "unknown " + std::string(statement) + " parameter '" + p.keyword.text + "'",
                std::span<std::string_view const>(known.begin(), known.size()));
    }

    std::optional<std::size_t> keyword(Token const& t, std::string_view param, Keywords k) {
        std::size_t i = 0;
        for (auto s : k.supported) {
            if (iequals(t.text, s))
                return i;
            ++i;
        }
        std::string supported = detail::join_choices(k.supported);
        for (auto r : k.refused) {
            if (iequals(t.text, r)) {
                sink_.error(t.where,
                            std::string(param) + " " + t.text + " is not supported by nsslab",
                            supported);
                return std::nullopt;
            }
        }
        std::string message = "'" + t.text + "' is not a valid " + std::string(param) + " value";
        std::vector<std::string_view> all(k.supported);
        all.insert(all.end(), k.refused.begin(), k.refused.end());
        auto hint =
            detail::parse_decimal(t.text) ? std::string_view() : detail::closest_match(t.text, all);
        if (!hint.empty())
            message += "; did you mean '" + std::string(hint) + "'?";
        sink_.error(t.where, std::move(message), supported);
        return std::nullopt;
    }

    std::optional<std::string> read_statement_name(Token const& t) {
        return detail::read_policy_name(t, "name", sink_);
    }
    std::optional<std::string> statement_name(ConfigStatement const& st) {
        return detail::policy_statement_name(st, "name", sink_);
    }

    // The values of `p` from index `first` as one string, with the blanks between them as coded
    // (an X500dn or an Ascii shared key may contain blanks).
    static std::string joined(ConfigParam const& p, std::size_t first) {
        std::string out;
        for (std::size_t i = first; i < p.values.size(); ++i) {
            auto const& t = p.values[i];
            if (i > first) {
                auto const& prev = p.values[i - 1];
                std::size_t prev_len = prev.text.size() + (prev.kind == TokenKind::quoted ? 2 : 0);
                std::size_t end = prev.where.column + prev_len;
                out.append(t.where.column > end ? t.where.column - end : 1, ' ');
            }
            out += t.text;
        }
        return out;
    }

    // A parameter given a reference name: the global statement it names, or a diagnostic.
    ConfigStatement const* resolve(ConfigParam const& p, Table const& table,
                                   std::string_view statement) {
        if (!check_values(p, 1, 1, p.keyword.text + " name", sink_))
            return nullptr;
        auto it = table.find(p.values[0].text);
        if (it == table.end()) {
            std::vector<std::string_view> names;
            for (auto const& [n, st] : table)
                names.push_back(n);
            unknown(p.values[0],
                    p.keyword.text + " names an undefined " + std::string(statement) + " '" +
                        p.values[0].text + "'",
                    names, "the name of a " + std::string(statement) + " statement");
            return nullptr;
        }
        return it->second;
    }

    // ---- values shared by several statements ----

    // HowToEncrypt for KeyExchangeOffer and IpDataOffer (data_offer: DoNot is an IBM value).
    void how_to_encrypt(ConfigParam const& p, IkeEncryption& out, bool data_offer) {
        std::string const usage = "HowToEncrypt AES_CBC|AES_GCM_16 [KeyLength 128|256]";
        if (!check_values(p, 1, 3, usage, sink_))
            return;
        auto c = data_offer ? keyword(p.values[0], "HowToEncrypt",
                                      {{"AES_CBC", "AES_GCM_16", "AES"}, {"DES", "3DES", "DoNot"}})
                            : keyword(p.values[0], "HowToEncrypt",
                                      {{"AES_CBC", "AES_GCM_16", "AES"}, {"DES", "3DES"}});
        if (!c)
            return;
        IkeEncryption e;
        e.cipher = *c == 1 ? IkeCipher::aes_gcm_16 : IkeCipher::aes_cbc;
        e.key_length_bits = 128;
        if (*c == 2) {  // AES: IBM's deprecated synonym for AES_CBC KeyLength 128
            if (p.values.size() > 1)
                sink_.error(p.values[1].where, "AES takes no KeyLength",
                            "AES_CBC KeyLength 128|256");
            else
                out = e;
            return;
        }
        if (p.values.size() == 2 ||
            (p.values.size() == 3 && !iequals(p.values[1].text, "KeyLength"))) {
            sink_.error(p.values[1].where, "expected KeyLength after " + p.values[0].text, usage);
            return;
        }
        if (p.values.size() == 3) {
            auto len = keyword(p.values[2], "KeyLength", {{"128", "256"}});
            if (!len)
                return;
            e.key_length_bits = *len == 0 ? 128 : 256;
        }
        out = e;
    }

    std::optional<IkeDhGroup> dh_group(Token const& t, std::string_view param, bool allow_none) {
        auto g = allow_none
                     ? keyword(t, param,
                               {{"Group14", "Group19", "Group20", "Group21", "Group31", "None"},
                                {"Group1", "Group2", "Group5", "Group24"}})
                     : keyword(t, param,
                               {{"Group14", "Group19", "Group20", "Group21", "Group31"},
                                {"Group1", "Group2", "Group5", "Group24"}});
        if (!g)
            return std::nullopt;
        static constexpr IkeDhGroup groups[] = {IkeDhGroup::group14, IkeDhGroup::group19,
                                                IkeDhGroup::group20, IkeDhGroup::group21,
                                                IkeDhGroup::group31, IkeDhGroup::none};
        return groups[*g];
    }

    std::optional<IkeAuthMethod> auth_method(Token const& t, std::string_view param) {
        auto m = keyword(t, param,
                         {{"DigitalSignature", "RsaSignature", "ECDSA-256", "ECDSA-384",
                           "ECDSA-521", "PresharedKey"}});
        if (!m)
            return std::nullopt;
        return static_cast<IkeAuthMethod>(*m);
    }

    // RefreshLifetimeProposed / Accepted, RefreshLifesizeProposed / Accepted; false when `p` is
    // none of them.
    bool refresh(ConfigParam const& p, RefreshLimits& r) {
        auto const& k = p.keyword.text;
        auto num = [&](Token const& t) { return read_uint(t, k, 1, max_decimal, sink_); };
        auto pair = [&](std::optional<std::uint32_t>& lo, std::optional<std::uint32_t>& hi) {
            auto a = num(p.values[0]);
            auto b = a ? num(p.values[1]) : std::nullopt;
            if (!a || !b)
                return;
            if (*a > *b) {
                sink_.error(p.values[0].where, k + " minimum is larger than its maximum",
                            "min <= max");
                return;
            }
            lo = a;
            hi = b;
        };
        if (iequals(k, "RefreshLifetimeProposed")) {
            if (check_values(p, 1, 1, k + " minutes", sink_))
                if (auto v = num(p.values[0]))
                    r.lifetime_proposed = v;
        } else if (iequals(k, "RefreshLifetimeAccepted")) {
            if (check_values(p, 2, 2, k + " min max", sink_))
                pair(r.lifetime_accepted_min, r.lifetime_accepted_max);
        } else if (iequals(k, "RefreshLifesizeProposed")) {
            if (!check_values(p, 1, 1, k + " kilobytes|None", sink_))
                return true;
            if (iequals(p.values[0].text, "None")) {
                r.lifesize_proposed_coded = true;
                r.lifesize_proposed.reset();
            } else if (auto v = num(p.values[0])) {
                r.lifesize_proposed_coded = true;
                r.lifesize_proposed = v;
            }
        } else if (iequals(k, "RefreshLifesizeAccepted")) {
            if (!check_values(p, 1, 2, k + " min max|None", sink_))
                return true;
            if (p.values.size() == 1) {
                if (iequals(p.values[0].text, "None")) {
                    r.lifesize_accepted_coded = true;
                    r.lifesize_accepted_min.reset();
                    r.lifesize_accepted_max.reset();
                } else {
                    sink_.error(p.values[0].where, k + " needs a minimum and a maximum",
                                k + " min max|None");
                }
            } else {
                r.lifesize_accepted_coded = true;
                pair(r.lifesize_accepted_min, r.lifesize_accepted_max);
            }
        } else {
            return false;
        }
        if (r.lifetime_proposed && r.lifetime_accepted_min &&
            (*r.lifetime_proposed < *r.lifetime_accepted_min ||
             *r.lifetime_proposed > *r.lifetime_accepted_max))
            sink_.error(p.keyword.where,
                        "RefreshLifetimeProposed is outside RefreshLifetimeAccepted",
                        "a proposed lifetime between the accepted minimum and maximum");
        return true;
    }

    // ---- statements ----

    KeyExchangeOffer key_exchange_offer(std::string name, std::vector<ConfigParam> const& params,
                                        SourceLocation where) {
        KeyExchangeOffer o;
        o.name = std::move(name);
        o.where = where;
        bool auth_msgs = false;
        bool group = false;
        for (auto const& p : params) {
            auto const& k = p.keyword.text;
            if (iequals(k, "HowToEncrypt")) {
                how_to_encrypt(p, o.how_to_encrypt, false);
            } else if (iequals(k, "HowToAuthMsgs")) {
                auth_msgs = true;  // coded: a bad value has its own diagnostic
                if (check_values(p, 1, 1, "HowToAuthMsgs SHA2_256|SHA2_384|SHA2_512", sink_))
                    if (auto v = keyword(p.values[0], "HowToAuthMsgs",
                                         {{"SHA2_256", "SHA2_384", "SHA2_512"},
                                          {"MD5", "SHA1", "AES128_XCBC_96"}}))
                        o.how_to_auth_msgs = static_cast<IkeHash>(*v);
            } else if (iequals(k, "HowToAuthPeers")) {
                if (check_values(p, 1, 1, "HowToAuthPeers method", sink_))
                    if (auto m = auth_method(p.values[0], "HowToAuthPeers"))
                        o.how_to_auth_peers = m;
            } else if (iequals(k, "PseudoRandomFunction")) {
                if (check_values(p, 1, 1, "PseudoRandomFunction HMAC_SHA2_256|384|512", sink_))
                    if (auto v = keyword(p.values[0], "PseudoRandomFunction",
                                         {{"HMAC_SHA2_256", "HMAC_SHA2_384", "HMAC_SHA2_512"},
                                          {"HMAC_MD5", "HMAC_SHA1", "AES128_XCBC"}})) {
                        o.pseudo_random_function = static_cast<IkePrf>(*v);
                        o.pseudo_random_function_coded = true;
                    }
            } else if (iequals(k, "DHGroup")) {
                group = true;
                if (check_values(p, 1, 1, "DHGroup Group14|Group19|Group20|Group21", sink_))
                    if (auto g = dh_group(p.values[0], "DHGroup", false))
                        o.dh_group = *g;
            } else if (!refresh(p, o.refresh)) {
                unknown_param(
                    p, "KeyExchangeOffer",
                    {"HowToEncrypt", "HowToAuthMsgs", "HowToAuthPeers", "PseudoRandomFunction",
                     "DHGroup", "RefreshLifetimeProposed", "RefreshLifetimeAccepted",
                     "RefreshLifesizeProposed", "RefreshLifesizeAccepted"});
            }
        }
        if (!auth_msgs)
            sink_.error(where, "KeyExchangeOffer without HowToAuthMsgs",
                        "HowToAuthMsgs SHA2_256|SHA2_384|SHA2_512 (nsslab requires it)");
        if (!group)
            sink_.error(where, "KeyExchangeOffer without DHGroup",
                        "DHGroup Group14|Group19|Group20|Group21 (nsslab requires it)");
        if (!o.pseudo_random_function_coded)
            o.pseudo_random_function = static_cast<IkePrf>(o.how_to_auth_msgs);
        return o;
    }

    IpDataOffer data_offer(std::string name, std::vector<ConfigParam> const& params,
                           SourceLocation where) {
        IpDataOffer o;
        o.name = std::move(name);
        o.where = where;
        bool auth = false;
        Token const* auth_at = nullptr;
        for (auto const& p : params) {
            auto const& k = p.keyword.text;
            if (iequals(k, "HowToEncap")) {
                if (check_values(p, 1, 1, "HowToEncap Tunnel|Transport", sink_))
                    if (auto v = keyword(p.values[0], "HowToEncap", {{"Tunnel", "Transport"}}))
                        o.how_to_encap = static_cast<HowToEncap>(*v);
            } else if (iequals(k, "HowToEncrypt")) {
                how_to_encrypt(p, o.how_to_encrypt, true);
            } else if (iequals(k, "HowToAuth")) {
                auth = true;
                if (!check_values(p, 2, 2, "HowToAuth ESP algorithm", sink_))
                    continue;
                if (!keyword(p.values[0], "HowToAuth protocol", {{"ESP"}, {"AH"}}))
                    continue;
                if (auto v = keyword(
                        p.values[1], "HowToAuth ESP",
                        {{"Null", "HMAC_SHA2_256_128", "HMAC_SHA2_384_192", "HMAC_SHA2_512_256"},
                         {"AES_GMAC_128", "AES_GMAC_256", "AES128_XCBC_96", "HMAC_MD5", "HMAC_SHA",
                          "HMAC_SHA1"}})) {
                    o.how_to_auth = static_cast<EspIntegrity>(*v);
                    auth_at = &p.values[1];
                }
            } else if (!refresh(p, o.refresh)) {
                unknown_param(p, "IpDataOffer",
                              {"HowToEncap", "HowToEncrypt", "HowToAuth", "RefreshLifetimeProposed",
                               "RefreshLifetimeAccepted", "RefreshLifesizeProposed",
                               "RefreshLifesizeAccepted"});
            }
        }
        bool gcm = o.how_to_encrypt.cipher == IkeCipher::aes_gcm_16;
        if (!auth) {
            if (gcm)
                o.how_to_auth = EspIntegrity::null;
            else
                sink_.error(where, "IpDataOffer without HowToAuth",
                            "HowToAuth ESP HMAC_SHA2_256_128|HMAC_SHA2_384_192|"
                            "HMAC_SHA2_512_256 (IBM's default ESP HMAC_SHA1 is not supported by "
                            "nsslab)");
        } else if (auth_at && gcm != (o.how_to_auth == EspIntegrity::null)) {
            sink_.error(auth_at->where,
                        gcm ? "AES_GCM_16 carries its own integrity check"
                            : "HowToAuth ESP Null without AES_GCM_16 is not supported by nsslab",
                        gcm ? "HowToAuth ESP Null" : "an HMAC_SHA2 algorithm");
        }
        return o;
    }

    SecurityEndpoint endpoint(std::string name, std::vector<ConfigParam> const& params,
                              SourceLocation where, bool remote) {
        SecurityEndpoint e;
        e.name = std::move(name);
        e.where = where;
        std::string_view const statement =
            remote ? "RemoteSecurityEndpoint" : "LocalSecurityEndpoint";
        bool coded = false;  // Identity or Location coded (a bad value has its own diagnostic)
        for (auto const& p : params) {
            auto const& k = p.keyword.text;
            if (iequals(k, "Identity")) {
                coded = true;
                if (!check_values(p, 2, 64, "Identity IpAddr|Fqdn|UserFqdn|X500dn|KeyId value",
                                  sink_))
                    continue;
                auto type = keyword(p.values[0], "Identity type",
                                    {{"IpAddr", "Fqdn", "UserFqdn", "X500dn", "KeyId"}});
                if (!type)
                    continue;
                IkeIdentity id{static_cast<IkeIdentityType>(*type), joined(p, 1)};
                if (id.type != IkeIdentityType::x500dn && p.values.size() > 2) {
                    sink_.error(p.values[2].where,
                                "unexpected extra value '" + p.values[2].text + "' for Identity",
                                "one value (only X500dn may contain blanks)");
                    continue;
                }
                if (id.type == IkeIdentityType::ip_addr && !AddressMatch::parse(id.value)) {
                    sink_.error(p.values[1].where,
                                "Identity IpAddr '" + id.value + "' is not an IP address",
                                "an IPv4 or IPv6 address, address/prefix or range");
                    continue;
                }
                if (id.type == IkeIdentityType::key_id &&
                    (id.value.size() % 2 != 0 ||
                     id.value.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)) {
                    sink_.error(p.values[1].where,
                                "Identity KeyId '" + id.value + "' is not hexadecimal",
                                "an even number of hexadecimal digits");
                    continue;
                }
                e.identity = std::move(id);
            } else if (iequals(k, "Location")) {
                coded = true;
                if (!check_values(p, 1, 1, "Location address|address/prefix|range|All", sink_))
                    continue;
                auto m = AddressMatch::parse(p.values[0].text);
                if (!m) {
                    sink_.error(p.values[0].where,
                                "Location '" + p.values[0].text + "': " + m.error().message,
                                "All, an address, address/prefix or first-last");
                    continue;
                }
                e.location = std::move(*m);
            } else if (remote && iequals(k, "CaLabel")) {
                if (check_values(p, 1, 1, "CaLabel label", sink_))
                    if (auto l = read_label(p.values[0], "CaLabel", sink_))
                        e.ca_labels.push_back(*l);
            } else {
                if (remote)
                    unknown_param(p, statement, {"Identity", "Location", "CaLabel"});
                else
                    unknown_param(p, statement, {"Identity", "Location"});
            }
        }
        if (!coded)
            sink_.error(where, std::string(statement) + " has neither Identity nor Location",
                        "Identity type value or Location address");
        return e;
    }

    KeyExchangeAction key_exchange_action(ConfigStatement const& st) {
        KeyExchangeAction a;
        a.name = st.args[0].text;
        a.where = st.keyword.where;
        bool initiate = false;
        bool offer_coded = false;
        for (auto const& p : st.params) {
            auto const& k = p.keyword.text;
            if (iequals(k, "HowToInitiate")) {
                initiate = true;
                if (check_values(p, 1, 1, "HowToInitiate IKEv2|DoNot", sink_))
                    if (auto v = keyword(p.values[0], "HowToInitiate",
                                         {{"IKEv2", "DoNot"}, {"Main", "Aggressive"}}))
                        a.how_to_initiate = static_cast<HowToInitiate>(*v);
            } else if (iequals(k, "HowToRespondIKEv1") || iequals(k, "HowToRespond")) {
                if (check_values(p, 1, 1, k + " Main|Aggressive|Either", sink_))
                    if (auto v = keyword(p.values[0], k, {{"Main", "Aggressive", "Either"}}))
                        a.how_to_respond_ikev1 = static_cast<HowToRespondIKEv1>(*v);
            } else if (iequals(k, "AllowNat")) {
                if (check_values(p, 1, 1, "AllowNat Yes|No", sink_))
                    if (auto v = read_yes_no(p.values[0], "AllowNat", sink_))
                        a.allow_nat = *v;
            } else if (iequals(k, "HowToAuthMe")) {
                if (check_values(p, 1, 1, "HowToAuthMe method", sink_))
                    if (auto m = auth_method(p.values[0], "HowToAuthMe"))
                        a.how_to_auth_me = *m;
            } else if (iequals(k, "ReauthInterval")) {
                if (check_values(p, 1, 1, "ReauthInterval minutes", sink_))
                    if (auto v = read_uint(p.values[0], "ReauthInterval", 0, max_decimal, sink_))
                        a.reauth_interval = *v;
            } else if (iequals(k, "KeyExchangeOfferRef")) {
                offer_coded = true;
                if (auto* o = resolve(p, global_offers_, "KeyExchangeOffer"))
                    a.offers.push_back(offers_.at(o->args[0].text));
            } else if (iequals(k, "KeyExchangeOffer")) {
                offer_coded = true;
                if (auto name = inline_name(p))
                    a.offers.push_back(key_exchange_offer(*name, p.block, p.keyword.where));
            } else {
                unknown_param(
                    p, "KeyExchangeAction",
                    {"HowToInitiate", "HowToRespondIKEv1", "HowToRespond", "AllowNat",
                     "HowToAuthMe", "ReauthInterval", "KeyExchangeOffer", "KeyExchangeOfferRef"});
            }
        }
        if (!initiate)
            sink_.error(st.keyword.where, "KeyExchangeAction " + a.name + " has no HowToInitiate",
                        "HowToInitiate IKEv2|DoNot (nsslab requires it)");
        if (!offer_coded)
            sink_.error(st.keyword.where, "KeyExchangeAction " + a.name + " has no offer",
                        "KeyExchangeOffer { ... } or KeyExchangeOfferRef name");
        return a;
    }

    // The optional name of an inline KeyExchangeOffer / IpDataOffer; nullopt on error.
    std::optional<std::string> inline_name(ConfigParam const& p) {
        if (!p.has_block) {
            sink_.error(p.keyword.where, "inline " + p.keyword.text + " needs a '{' block",
                        p.keyword.text + " [name] { ... }");
            return std::nullopt;
        }
        if (p.values.size() > 1) {
            sink_.error(p.values[1].where, "inline " + p.keyword.text + " takes one name",
                        p.keyword.text + " [name] { ... }");
            return std::nullopt;
        }
        if (p.values.empty())
            return std::string();
        return read_statement_name(p.values[0]);
    }

    IpDynVpnAction dyn_vpn_action(ConfigStatement const& st) {
        IpDynVpnAction a;
        a.name = st.args[0].text;
        a.where = st.keyword.where;
        bool offer_coded = false;
        for (auto const& p : st.params) {
            auto const& k = p.keyword.text;
            if (iequals(k, "Initiation")) {
                if (check_values(p, 1, 1, "Initiation LocalOnly|RemoteOnly|Either", sink_))
                    if (auto v = keyword(p.values[0], "Initiation",
                                         {{"LocalOnly", "RemoteOnly", "Either"}}))
                        a.initiation = static_cast<VpnInitiation>(*v);
            } else if (iequals(k, "VpnLife")) {
                if (check_values(p, 1, 1, "VpnLife minutes", sink_))
                    if (auto v = read_uint(p.values[0], "VpnLife", 1, max_decimal, sink_))
                        a.vpn_life = *v;
            } else if (iequals(k, "Pfs")) {  // deprecated: both initiate and accept the group
                if (check_values(p, 1, 1, "Pfs group", sink_))
                    if (auto g = dh_group(p.values[0], "Pfs", true)) {
                        a.initiate_with_pfs = *g;
                        if (*g != IkeDhGroup::none)
                            a.acceptable_pfs.push_back(*g);
                    }
            } else if (iequals(k, "InitiateWithPfs")) {
                if (check_values(p, 1, 1, "InitiateWithPfs group", sink_))
                    if (auto g = dh_group(p.values[0], "InitiateWithPfs", true))
                        a.initiate_with_pfs = *g;
            } else if (iequals(k, "AcceptablePfs")) {
                if (check_values(p, 1, 1, "AcceptablePfs group", sink_))
                    if (auto g = dh_group(p.values[0], "AcceptablePfs", true))
                        if (*g != IkeDhGroup::none)
                            a.acceptable_pfs.push_back(*g);
            } else if (iequals(k, "HowToEncapIKEv2")) {
                if (check_values(p, 1, 1, "HowToEncapIKEv2 Tunnel|Transport|Either", sink_))
                    if (auto v = keyword(p.values[0], "HowToEncapIKEv2",
                                         {{"Tunnel", "Transport", "Either"}}))
                        a.how_to_encap_ikev2 = static_cast<HowToEncapIKEv2>(*v);
            } else if (iequals(k, "PassthroughDF")) {
                if (!check_values(p, 1, 2, "PassthroughDF Yes|No [Clear|Set]", sink_))
                    continue;
                auto v = read_yes_no(p.values[0], "PassthroughDF", sink_);
                if (!v)
                    continue;
                if (p.values.size() == 2 &&
                    (*v || !keyword(p.values[1], "PassthroughDF No", {{"Clear", "Set"}}))) {
                    if (*v)
                        sink_.error(p.values[1].where, "PassthroughDF Yes takes no value",
                                    "PassthroughDF Yes|No [Clear|Set]");
                    continue;
                }
                a.passthrough_df = *v;
                a.passthrough_df_set = p.values.size() == 2 && iequals(p.values[1].text, "Set");
            } else if (iequals(k, "PassthroughDSCP")) {
                if (check_values(p, 1, 1, "PassthroughDSCP Yes|No", sink_))
                    if (auto v = read_yes_no(p.values[0], "PassthroughDSCP", sink_))
                        a.passthrough_dscp = *v;
            } else if (iequals(k, "IpDataOfferRef")) {
                offer_coded = true;
                if (auto* o = resolve(p, global_data_offers_, "IpDataOffer"))
                    a.offers.push_back(data_offers_.at(o->args[0].text));
            } else if (iequals(k, "IpDataOffer")) {
                offer_coded = true;
                if (auto name = inline_name(p))
                    a.offers.push_back(data_offer(*name, p.block, p.keyword.where));
            } else {
                unknown_param(p, "IpDynVpnAction",
                              {"Initiation", "VpnLife", "Pfs", "InitiateWithPfs", "AcceptablePfs",
                               "HowToEncapIKEv2", "PassthroughDF", "PassthroughDSCP", "IpDataOffer",
                               "IpDataOfferRef"});
            }
        }
        if (!offer_coded)
            sink_.error(st.keyword.where, "IpDynVpnAction " + a.name + " has no offer",
                        "IpDataOffer { ... } or IpDataOfferRef name");
        return a;
    }

    void rule(std::string name, std::vector<ConfigParam> const& params, SourceLocation where,
              IkePolicy& out) {
        KeyExchangeRule r;
        r.name = std::move(name);
        r.where = where;
        bool local = false;
        bool remote = false;
        Token const* action = nullptr;
        for (auto const& p : params) {
            auto const& k = p.keyword.text;
            auto once = [&](bool& seen) {
                if (seen)
                    sink_.error(p.keyword.where, k + " coded twice in KeyExchangeRule " + r.name,
                                "one local and one remote security endpoint");
                seen = true;
            };
            if (iequals(k, "LocalSecurityEndpoint") || iequals(k, "RemoteSecurityEndpoint")) {
                bool is_remote = iequals(k, "RemoteSecurityEndpoint");
                once(is_remote ? remote : local);
                if (!p.has_block || !p.values.empty()) {
                    sink_.error(p.keyword.where, "inline " + k + " needs a '{' block and no name",
                                k + " { ... } or " + k + "Ref name");
                    continue;
                }
                (is_remote ? r.remote : r.local) =
                    endpoint({}, p.block, p.keyword.where, is_remote);
            } else if (iequals(k, "LocalSecurityEndpointRef") ||
                       iequals(k, "RemoteSecurityEndpointRef")) {
                bool is_remote = iequals(k, "RemoteSecurityEndpointRef");
                once(is_remote ? remote : local);
                std::string_view statement =
                    is_remote ? "RemoteSecurityEndpoint" : "LocalSecurityEndpoint";
                if (auto* st = resolve(p, is_remote ? global_remote_ : global_local_, statement)) {
                    auto it = endpoints_.find(endpoint_key(is_remote, st->args[0].text));
                    NSSLAB_ASSERT(it != endpoints_.end(), "every registered endpoint is parsed");
                    (is_remote ? r.remote : r.local) = it->second;
                }
            } else if (iequals(k, "KeyExchangeActionRef")) {
                if (check_values(p, 1, 1, "KeyExchangeActionRef name", sink_))
                    action = &p.values[0];
            } else if (iequals(k, "SharedKey")) {
                if (!check_values(p, 2, 64, "SharedKey Ascii|Ebcdic|Hex key", sink_))
                    continue;
                auto enc = keyword(p.values[0], "SharedKey encoding", {{"Ascii", "Ebcdic", "Hex"}});
                if (!enc)
                    continue;
                std::string key = joined(p, 1);
                if (*enc == 2) {
                    if (p.values.size() > 2 || key.size() % 2 != 0 ||
                        key.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
                        sink_.error(p.values[1].where, "SharedKey Hex value is not hexadecimal",
                                    "an even number of hexadecimal digits");
                        continue;
                    }
                }
                r.shared_key_encoding = static_cast<SharedKeyEncoding>(*enc);
                r.shared_key = std::move(key);
            } else {
                unknown_param(
                    p, "KeyExchangeRule",
                    {"LocalSecurityEndpoint", "LocalSecurityEndpointRef", "RemoteSecurityEndpoint",
                     "RemoteSecurityEndpointRef", "KeyExchangeActionRef", "SharedKey"});
            }
        }
        if (!local || !remote)
            sink_.error(where,
                        "KeyExchangeRule " + r.name + " has no " +
                            (local ? "RemoteSecurityEndpoint" : "LocalSecurityEndpoint"),
                        "LocalSecurityEndpoint[Ref] and RemoteSecurityEndpoint[Ref]");
        if (!action) {
            sink_.error(where, "KeyExchangeRule " + r.name + " has no KeyExchangeActionRef",
                        "KeyExchangeActionRef name");
        } else if (auto const* a = out.find_action(action->text)) {
            r.action_name = a->name;
            if (a->how_to_auth_me == IkeAuthMethod::preshared_key && !r.shared_key_encoding)
                sink_.error(where,
                            "KeyExchangeRule " + r.name + " uses HowToAuthMe PresharedKey (" +
                                a->name + ") but has no SharedKey",
                            "SharedKey Ascii|Ebcdic|Hex key");
        } else {
            std::vector<std::string_view> names;
            for (auto const& [n, st] : global_actions_)
                names.push_back(n);
            unknown(
                *action,
                "KeyExchangeActionRef names an undefined KeyExchangeAction '" + action->text + "'",
                names, "the name of a KeyExchangeAction statement");
        }
        out.rules.push_back(std::move(r));
    }

    void policy(ConfigStatement const& st, IkePolicy& out) {
        std::map<std::string, bool> inline_names;
        for (auto const& p : st.params) {
            auto const& k = p.keyword.text;
            if (iequals(k, "AllowOnDemand")) {
                if (check_values(p, 1, 1, "AllowOnDemand Yes|No", sink_))
                    if (auto v = read_yes_no(p.values[0], "AllowOnDemand", sink_))
                        out.allow_on_demand = *v;
            } else if (iequals(k, "KeyExchangeRuleRef")) {
                if (auto* r = resolve(p, global_rules_, "KeyExchangeRule")) {
                    referenced_rules_.emplace(r->args[0].text, true);
                    rule(r->args[0].text, r->params, r->keyword.where, out);
                }
            } else if (iequals(k, "KeyExchangeRule")) {
                if (!p.has_block || p.values.size() != 1) {
                    sink_.error(p.keyword.where, "inline KeyExchangeRule needs a name and a block",
                                "KeyExchangeRule name { ... }");
                    continue;
                }
                auto name = read_statement_name(p.values[0]);
                if (!name)
                    continue;
                if (global_rules_.count(*name) || !inline_names.emplace(*name, true).second) {
                    sink_.error(p.values[0].where, "KeyExchangeRule " + *name + " defined twice",
                                "a unique name");
                    continue;
                }
                rule(*name, p.block, p.keyword.where, out);
            } else {
                unknown_param(p, "KeyExchangePolicy",
                              {"AllowOnDemand", "KeyExchangeRuleRef", "KeyExchangeRule"});
            }
        }
        if (out.rules.empty() && sink_.empty())
            sink_.error(st.keyword.where, "KeyExchangePolicy has no rules",
                        "at least one KeyExchangeRuleRef or KeyExchangeRule");
    }

    DiagnosticSink& sink_;
    Table global_rules_;
    Table global_actions_;
    Table global_offers_;
    Table global_local_;
    Table global_remote_;
    Table global_vpn_actions_;
    Table global_data_offers_;
    std::map<std::string, KeyExchangeOffer> offers_;
    std::map<std::string, IpDataOffer> data_offers_;
    // endpoint_key(remote, name) -> model. The key spells the statement IBM's way, whatever the
    // case the file wrote its keyword in (keywords are case-insensitive, names are not).
    std::map<std::string, SecurityEndpoint> endpoints_;
    static std::string endpoint_key(bool remote, std::string const& name) {
        return std::string(remote ? "RemoteSecurityEndpoint " : "LocalSecurityEndpoint ") + name;
    }
    std::map<std::string, bool> referenced_rules_;
};

}  // namespace

Result<IkePolicy> parse_ike_policy(std::string_view text, IkePolicyParseOptions const& options,
                                   std::vector<Diagnostic>* diagnostics) {
    DiagnosticSink sink(options.limits.max_diagnostics);
    auto finish = [&](Result<IkePolicy> r) {
        if (diagnostics)
            *diagnostics = sink.list();
        return r;
    };
    auto tokens = tokenize(text, LexerOptions{}, options.limits, sink);
    if (!sink.empty())
        return finish(sink.to_error(options.file_name));
    auto statements = parse_statements(tokens, options.limits, sink);
    if (!sink.empty())
        return finish(sink.to_error(options.file_name));
    auto policy = IkeParser(sink).run(statements);
    if (!sink.empty() || !policy)
        return finish(sink.to_error(options.file_name));
    return finish(std::move(*policy));
}

bool has_key_exchange_policy(std::string_view text, ConfigLimits const& limits) {
    DiagnosticSink sink(limits.max_diagnostics);
    auto tokens = tokenize(text, LexerOptions{}, limits, sink);
    if (!sink.empty())
        return false;
    auto statements = parse_statements(tokens, limits, sink);
    for (auto const& st : statements)
        if (iequals(st.keyword.text, "KeyExchangePolicy"))
            return true;
    return false;
}

}  // namespace nsslab::zos
