// IP filter policy: packet decisions and the Policy Agent / PROFILE.TCPIP parsers; see
// filter_policy.hpp and docs/config-files.md "IP filter policy".
#include "nsslab/zos/filter_policy.hpp"

#include <map>
#include <set>

#include "config_lexer_detail.hpp"
#include "nsslab/zos/ike_policy.hpp"

namespace nsslab::zos {

using detail::check_values;
using detail::parse_decimal;
using detail::read_choice;
using detail::read_uint;
using detail::read_yes_no;

std::string_view to_string(FilterAction action) {
    switch (action) {
        case FilterAction::permit:
            return "Permit";
        case FilterAction::deny:
            return "Deny";
        case FilterAction::ipsec:
            return "IPSec";
    }
    return "?";
}

std::string_view to_string(FilterDirection direction) {
    switch (direction) {
        case FilterDirection::inbound:
            return "Inbound";
        case FilterDirection::outbound:
            return "Outbound";
        case FilterDirection::bidirectional:
            return "Bidirectional";
    }
    return "?";
}

std::string_view to_string(FilterPolicySource source) {
    return source == FilterPolicySource::stack_profile ? "Stack Profile" : "Stack Policy";
}

// ---- AddressMatch ----------------------------------------------------------------------------

AddressMatch AddressMatch::all(std::optional<IpAddress::Family> family) {
    AddressMatch m;
    m.kind = Kind::all;
    m.family = family;
    m.text = "All";
    return m;
}

Result<AddressMatch> AddressMatch::parse(std::string_view text) {
    if (iequals(text, "All"))
        return all();
    AddressMatch m;
    m.text = std::string(text);
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        auto a = IpAddress::parse(text.substr(0, slash));
        if (!a)
            return a.error();
        auto len = parse_decimal(text.substr(slash + 1));
        unsigned max = a->is_v4() ? 32 : 128;
        if (!len || *len > max)
            return fail(Errc::parse_error, "prefix length '" + std::string(text.substr(slash + 1)) +
                                               "' is not 0-" + std::to_string(max));
        m.kind = Kind::prefix;
        m.prefix_length = static_cast<unsigned>(*len);
        auto lo = a->raw();
        auto hi = a->raw();
        for (std::size_t i = 0; i < a->size(); ++i) {
            unsigned bit0 = static_cast<unsigned>(i) * 8;
            std::uint8_t mask = 0;
            if (m.prefix_length >= bit0 + 8)
                mask = 0xff;
            else if (m.prefix_length > bit0)
                mask = static_cast<std::uint8_t>(0xff00u >> (m.prefix_length - bit0));
            lo[i] = static_cast<std::uint8_t>(lo[i] & mask);
            hi[i] = static_cast<std::uint8_t>(hi[i] | static_cast<std::uint8_t>(~mask));
        }
        if (a->is_v4()) {
            m.first = IpAddress::v4(static_cast<std::uint32_t>(lo[0]) << 24 |
                                    static_cast<std::uint32_t>(lo[1]) << 16 |
                                    static_cast<std::uint32_t>(lo[2]) << 8 | lo[3]);
            m.last = IpAddress::v4(static_cast<std::uint32_t>(hi[0]) << 24 |
                                   static_cast<std::uint32_t>(hi[1]) << 16 |
                                   static_cast<std::uint32_t>(hi[2]) << 8 | hi[3]);
        } else {
            m.first = IpAddress::v6(lo);
            m.last = IpAddress::v6(hi);
        }
        return m;
    }
    if (auto dash = text.find('-'); dash != std::string_view::npos) {
        auto a = IpAddress::parse(text.substr(0, dash));
        if (!a)
            return a.error();
        auto b = IpAddress::parse(text.substr(dash + 1));
        if (!b)
            return b.error();
        if (a->family() != b->family())
            return fail(Errc::parse_error, "range '" + std::string(text) + "' mixes IPv4 and IPv6");
        if (b->raw() < a->raw())
            return fail(Errc::parse_error,
                        "range '" + std::string(text) + "' ends before it begins");
        m.kind = Kind::range;
        m.first = *a;
        m.last = *b;
        return m;
    }
    auto a = IpAddress::parse(text);
    if (!a)
        return a.error();
    m.kind = Kind::single;
    m.first = *a;
    m.last = *a;
    return m;
}

std::optional<IpAddress::Family> AddressMatch::address_family() const {
    if (kind == Kind::all)
        return family;
    return first.family();
}

bool AddressMatch::matches(IpAddress const& address) const {
    if (kind == Kind::all)
        return !family || *family == address.family();
    if (address.family() != first.family())
        return false;
    return first.raw() <= address.raw() && address.raw() <= last.raw();
}

// ---- decisions ---------------------------------------------------------------------------------

namespace {

bool has_ports(std::optional<std::uint8_t> protocol) {
    return protocol && (*protocol == ip_protocol_tcp || *protocol == ip_protocol_udp);
}

bool matches_as_written(FilterRule const& r, IpAddress const& src, IpAddress const& dst,
                        std::uint8_t protocol, std::uint16_t sport, std::uint16_t dport) {
    if (!r.source.matches(src) || !r.destination.matches(dst))
        return false;
    if (r.protocol && *r.protocol != protocol)
        return false;
    if (has_ports(r.protocol) &&
        (!r.source_ports.contains(sport) || !r.destination_ports.contains(dport)))
        return false;
    return true;
}

}  // namespace

bool FilterPolicy::rule_matches(FilterRule const& r, PacketTuple const& p) {
    if (r.routing == FilterRouting::local && p.routed)
        return false;
    if (r.routing == FilterRouting::routed && !p.routed)
        return false;
    if (p.direction == PacketDirection::outbound) {
        if (r.direction == FilterDirection::inbound)
            return false;
        return matches_as_written(r, p.source, p.destination, p.protocol, p.source_port,
                                  p.destination_port);
    }
    switch (r.direction) {
        case FilterDirection::outbound:
            return false;
        case FilterDirection::inbound:
            return matches_as_written(r, p.source, p.destination, p.protocol, p.source_port,
                                      p.destination_port);
        case FilterDirection::bidirectional:
            // Written from the outbound point of view: the rule's source is the local side.
            return matches_as_written(r, p.destination, p.source, p.protocol, p.destination_port,
                                      p.source_port);
    }
    return false;
}

FilterDecision FilterPolicy::decide(PacketTuple const& packet) const {
    for (auto const& r : rules) {
        if (rule_matches(r, packet))
            return FilterDecision{r.action, r.name, r.action_name, r.log, false};
    }
    return FilterDecision{FilterAction::deny, implicit_deny_rule_name, {}, log_implicit_deny, true};
}

// ---- Policy Agent file -------------------------------------------------------------------------

namespace {

std::optional<std::uint8_t> protocol_number(std::string_view text, bool& all, bool& ok) {
    all = false;
    ok = true;
    if (iequals(text, "All") || text == "*") {
        all = true;
        return std::nullopt;
    }
    static constexpr std::pair<std::string_view, std::uint8_t> names[] = {
        {"TCP", ip_protocol_tcp},       {"UDP", ip_protocol_udp},   {"ICMP", ip_protocol_icmp},
        {"ICMPv6", ip_protocol_icmpv6}, {"IGMP", ip_protocol_igmp}, {"OSPF", ip_protocol_ospf}};
    for (auto const& [n, v] : names)
        if (iequals(text, n))
            return v;
    if (auto v = parse_decimal(text); v && *v <= 255)
        return static_cast<std::uint8_t>(*v);
    ok = false;
    return std::nullopt;
}

std::string const protocol_expected = "All, TCP, UDP, ICMP, ICMPv6, IGMP, OSPF or a number 0-255";

struct GenericAction {
    FilterAction action{FilterAction::deny};
    bool log{true};
};

class PolicyParser {
  public:
    explicit PolicyParser(DiagnosticSink& sink) : sink_(sink) {}

    std::optional<FilterPolicy> run(std::vector<ConfigStatement> const& statements) {
        ConfigStatement const* policy = nullptr;
        for (auto const& st : statements) {
            auto const& k = st.keyword.text;
            if (iequals(k, "IpFilterPolicy")) {
                if (!st.args.empty())
                    sink_.error(st.args[0].where, "IpFilterPolicy takes no name", "'{'");
                if (policy)
                    sink_.error(st.keyword.where, "IpFilterPolicy coded more than once",
                                "one IpFilterPolicy statement");
                policy = &st;
            } else if (iequals(k, "IpGenericFilterAction")) {
                if (auto name = statement_name(st))
                    generic_action(*name, st);
            } else if (iequals(k, "IpDynVpnAction")) {
                // Parameters belong to the IKE negotiation and are not checked by this subset.
                if (auto name = statement_name(st))
                    if (!dyn_vpn_actions_.insert(*name).second)
                        sink_.error(st.args[0].where, "IpDynVpnAction " + *name + " defined twice",
                                    "a unique name");
            } else if (iequals(k, "IpFilterRule")) {
                if (auto name = statement_name(st)) {
                    if (global_rules_.count(*name))
                        sink_.error(st.args[0].where, "IpFilterRule " + *name + " defined twice",
                                    "a unique name");
                    else
                        global_rules_.emplace(*name, &st);
                }
            } else if (is_ike_policy_statement(k)) {
                // KeyExchangePolicy, KeyExchangeRule, ...: checked by parse_ike_policy.
            } else {
                sink_.error(
                    st.keyword.where, "unknown statement '" + k + "'",
                    "IpFilterPolicy, IpFilterRule, IpGenericFilterAction or IpDynVpnAction");
            }
        }
        if (!policy) {
            sink_.error(statements.empty() ? SourceLocation{} : statements.front().keyword.where,
                        "no IpFilterPolicy statement",
                        "an IpFilterPolicy { IpFilterRuleRef ... } block");
            return std::nullopt;
        }
        FilterPolicy out;
        out.source = FilterPolicySource::stack_policy;
        out.implicit_deny_rule_name = std::string(policy_implicit_deny_rule_name);
        out.log_implicit_deny = true;
        for (auto const& p : policy->params) {
            auto const& k = p.keyword.text;
            if (iequals(k, "IpFilterRuleRef")) {
                if (!check_values(p, 1, 1, "IpFilterRuleRef name", sink_))
                    continue;
                auto it = global_rules_.find(p.values[0].text);
                if (it == global_rules_.end()) {
                    sink_.error(p.values[0].where,
                                "IpFilterRuleRef names an undefined IpFilterRule '" +
                                    p.values[0].text + "'",
                                "the name of an IpFilterRule statement");
                    continue;
                }
                expand(p.values[0].text, it->second->params, it->second->keyword.where, out.rules);
            } else if (iequals(k, "IpFilterRule")) {
                if (!p.has_block || p.values.size() != 1) {
                    sink_.error(p.keyword.where, "inline IpFilterRule needs a name and a block",
                                "IpFilterRule name { ... }");
                    continue;
                }
                if (auto name = read_rule_name(p.values[0])) {
                    if (global_rules_.count(*name) || !inline_rules_.insert(*name).second) {
                        sink_.error(p.values[0].where, "IpFilterRule " + *name + " defined twice",
                                    "a unique name");
                        continue;
                    }
                    expand(*name, p.block, p.keyword.where, out.rules);
                }
            } else if (iequals(k, "IpFilterLogging")) {
                if (check_values(p, 1, 1, "IpFilterLogging Yes|No", sink_))
                    if (auto v = read_yes_no(p.values[0], "IpFilterLogging", sink_))
                        out.log_implicit_deny = *v;
            } else {
                sink_.error(p.keyword.where, "unknown IpFilterPolicy parameter '" + k + "'",
                            "IpFilterRuleRef, IpFilterRule or IpFilterLogging");
            }
        }
        if (out.rules.empty() && sink_.empty())
            sink_.error(policy->keyword.where, "IpFilterPolicy has no rules",
                        "at least one IpFilterRuleRef or IpFilterRule");
        return out;
    }

  private:
    std::optional<std::string> read_rule_name(Token const& t) {
        return detail::read_policy_name(t, "rule name", sink_);
    }
    std::optional<std::string> statement_name(ConfigStatement const& st) {
        return detail::policy_statement_name(st, "rule name", sink_);
    }

    void generic_action(std::string const& name, ConfigStatement const& st) {
        GenericAction a;
        bool have_action = false;
        for (auto const& p : st.params) {
            if (iequals(p.keyword.text, "IpFilterAction")) {
                if (check_values(p, 1, 1, "IpFilterAction Permit|Deny|IPSec", sink_))
                    if (auto v = read_choice(p.values[0], "IpFilterAction",
                                             {"Permit", "Deny", "IPSec"}, sink_)) {
                        a.action = static_cast<FilterAction>(*v);
                        have_action = true;
                    }
            } else if (iequals(p.keyword.text, "IpFilterLogging")) {
                if (check_values(p, 1, 1, "IpFilterLogging Yes|No", sink_))
                    if (auto v = read_yes_no(p.values[0], "IpFilterLogging", sink_))
                        a.log = *v;
            } else {
                sink_.error(p.keyword.where,
                            "unknown IpGenericFilterAction parameter '" + p.keyword.text + "'",
                            "IpFilterAction or IpFilterLogging");
            }
        }
        if (!have_action)
            sink_.error(st.keyword.where,
                        "IpGenericFilterAction " + name + " has no IpFilterAction",
                        "IpFilterAction Permit|Deny|IPSec");
        if (!generic_actions_.emplace(name, a).second)
            sink_.error(st.args[0].where, "IpGenericFilterAction " + name + " defined twice",
                        "a unique name");
    }

    bool address(ConfigParam const& p, AddressMatch& out) {
        if (!check_values(p, 1, 1, p.keyword.text + " All|address|address/prefix|address-address",
                          sink_))
            return false;
        auto m = AddressMatch::parse(p.values[0].text);
        if (!m) {
            sink_.error(p.values[0].where, p.keyword.text + ": " + m.error().message,
                        "All, an address, address/prefix or address-address");
            return false;
        }
        out = std::move(*m);
        return true;
    }

    bool port_range(ConfigParam const& p, PortRange& out) {
        if (!check_values(p, 1, 2, p.keyword.text + " port [endport]", sink_))
            return false;
        auto lo = read_uint(p.values[0], p.keyword.text, 0, 65535, sink_);
        if (!lo)
            return false;
        std::uint32_t hi = *lo;
        if (p.values.size() == 2) {
            auto h = read_uint(p.values[1], p.keyword.text, 0, 65535, sink_);
            if (!h)
                return false;
            if (*h < *lo) {
                sink_.error(p.values[1].where, p.keyword.text + " ends before it begins",
                            "endport >= port");
                return false;
            }
            hi = *h;
        } else if (*lo == 0) {
            hi = 65535;  // a lone 0 means all ports
        }
        out = PortRange{static_cast<std::uint16_t>(*lo), static_cast<std::uint16_t>(hi)};
        return true;
    }

    // One IpService block applied to `rule`.
    void service(ConfigParam const& svc, FilterRule& rule) {
        SourceLocation port_where{};
        bool ports_coded = false;
        for (auto const& p : svc.block) {
            auto const& k = p.keyword.text;
            if (iequals(k, "SourcePortRange")) {
                if (port_range(p, rule.source_ports) && !rule.source_ports.any() && !ports_coded)
                    port_where = p.keyword.where, ports_coded = true;
            } else if (iequals(k, "DestinationPortRange")) {
                if (port_range(p, rule.destination_ports) && !rule.destination_ports.any() &&
                    !ports_coded)
                    port_where = p.keyword.where, ports_coded = true;
            } else if (iequals(k, "Protocol")) {
                if (!check_values(p, 1, 1, "Protocol " + protocol_expected, sink_))
                    continue;
                bool all = false, ok = false;
                auto n = protocol_number(p.values[0].text, all, ok);
                if (!ok)
                    sink_.error(p.values[0].where, "'" + p.values[0].text + "' is not a protocol",
                                protocol_expected);
                else
                    rule.protocol = n;
            } else if (iequals(k, "Direction")) {
                if (!check_values(
                        p, 1, 2,
                        "Direction Inbound|Outbound|Bidirectional [InboundConnect|OutboundConnect]",
                        sink_))
                    continue;
                if (auto v = read_choice(p.values[0], "Direction",
                                         {"Inbound", "Outbound", "Bidirectional"}, sink_))
                    rule.direction = static_cast<FilterDirection>(*v);
                if (p.values.size() == 2)
                    read_choice(p.values[1], "Direction", {"InboundConnect", "OutboundConnect"},
                                sink_);
            } else if (iequals(k, "Routing")) {
                if (check_values(p, 1, 1, "Routing Local|Routed|Either", sink_))
                    if (auto v = read_choice(p.values[0], "Routing", {"Local", "Routed", "Either"},
                                             sink_))
                        rule.routing = static_cast<FilterRouting>(*v);
            } else if (iequals(k, "SecurityClass")) {
                if (check_values(p, 1, 1, "SecurityClass n", sink_))
                    if (auto v = read_uint(p.values[0], "SecurityClass", 0, 255, sink_))
                        rule.security_class = static_cast<std::uint8_t>(*v);
            } else {
                sink_.error(p.keyword.where, "unknown IpService parameter '" + k + "'",
                            "SourcePortRange, DestinationPortRange, Protocol, Direction, Routing "
                            "or SecurityClass");
            }
        }
        if (ports_coded && !has_ports(rule.protocol))
            sink_.error(port_where, "port ranges need Protocol TCP or UDP",
                        "Protocol TCP or Protocol UDP in the same IpService");
    }

    void expand(std::string const& name, std::vector<ConfigParam> const& params,
                SourceLocation where, std::vector<FilterRule>& out) {
        FilterRule base;
        base.name = name;
        base.where = where;
        base.source = AddressMatch::all();
        base.destination = AddressMatch::all();
        std::vector<ConfigParam const*> services;
        Token const* generic_ref = nullptr;
        Token const* vpn_ref = nullptr;
        for (auto const& p : params) {
            auto const& k = p.keyword.text;
            if (iequals(k, "IpSourceAddr")) {
                address(p, base.source);
            } else if (iequals(k, "IpDestAddr")) {
                address(p, base.destination);
            } else if (iequals(k, "IpService")) {
                if (!p.has_block || !p.values.empty())
                    sink_.error(p.keyword.where, "IpService needs a '{' block",
                                "IpService { ... }");
                else
                    services.push_back(&p);
            } else if (iequals(k, "IpGenericFilterActionRef")) {
                if (check_values(p, 1, 1, "IpGenericFilterActionRef name", sink_))
                    generic_ref = &p.values[0];
            } else if (iequals(k, "IpDynVpnActionRef")) {
                if (check_values(p, 1, 1, "IpDynVpnActionRef name", sink_))
                    vpn_ref = &p.values[0];
            } else {
                sink_.error(p.keyword.where, "unknown IpFilterRule parameter '" + k + "'",
                            "IpSourceAddr, IpDestAddr, IpService, IpGenericFilterActionRef or "
                            "IpDynVpnActionRef");
            }
        }
        auto sf = base.source.address_family();
        auto df = base.destination.address_family();
        if (sf && df && *sf != *df)
            sink_.error(where, "IpFilterRule " + name + " mixes IPv4 and IPv6 addresses",
                        "source and destination of the same family");
        // The action.
        if (generic_ref) {
            auto it = generic_actions_.find(generic_ref->text);
            if (it == generic_actions_.end()) {
                sink_.error(generic_ref->where,
                            "IpGenericFilterActionRef names an undefined IpGenericFilterAction '" +
                                generic_ref->text + "'",
                            "the name of an IpGenericFilterAction statement");
                return;
            }
            base.action = it->second.action;
            base.log = it->second.log;
            base.action_name = generic_ref->text;
        } else if (vpn_ref) {
            base.action = FilterAction::ipsec;
            base.log = true;
        } else {
            sink_.error(where, "IpFilterRule " + name + " has no action",
                        "IpGenericFilterActionRef name or IpDynVpnActionRef name");
            return;
        }
        if (vpn_ref) {
            if (!dyn_vpn_actions_.count(vpn_ref->text)) {
                sink_.error(
                    vpn_ref->where,
                    "IpDynVpnActionRef names an undefined IpDynVpnAction '" + vpn_ref->text + "'",
                    "the name of an IpDynVpnAction statement");
                return;
            }
            if (base.action != FilterAction::ipsec) {
                sink_.error(vpn_ref->where,
                            "IpDynVpnActionRef with an IpGenericFilterAction that is not IPSec",
                            "IpFilterAction IPSec in " + base.action_name);
                return;
            }
            base.action_name = vpn_ref->text;
        } else if (base.action == FilterAction::ipsec) {
            sink_.error(generic_ref->where, "IPSec action without IpDynVpnActionRef",
                        "IpDynVpnActionRef name");
            return;
        }
        if (services.empty()) {
            out.push_back(std::move(base));
            return;
        }
        for (auto const* s : services) {
            FilterRule r = base;
            service(*s, r);
            out.push_back(std::move(r));
        }
    }

    DiagnosticSink& sink_;
    std::map<std::string, GenericAction> generic_actions_;
    std::set<std::string> dyn_vpn_actions_;
    std::map<std::string, ConfigStatement const*> global_rules_;
    std::set<std::string> inline_rules_;
};

}  // namespace

Result<FilterPolicy> parse_filter_policy(std::string_view text,
                                         FilterPolicyParseOptions const& options,
                                         std::vector<Diagnostic>* diagnostics) {
    DiagnosticSink sink(options.limits.max_diagnostics);
    auto finish = [&](Result<FilterPolicy> r) {
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
    auto policy = PolicyParser(sink).run(statements);
    if (!sink.empty() || !policy)
        return finish(sink.to_error(options.file_name));
    return finish(std::move(*policy));
}

// ---- PROFILE.TCPIP IPSEC block -----------------------------------------------------------------

namespace {

// IBM's minimum abbreviations: "PROTOcol" accepts PROTO..PROTOCOL.
bool abbrev(std::string_view token, std::string_view keyword, std::size_t min_len) {
    return token.size() >= min_len && token.size() <= keyword.size() &&
           iequals(token, keyword.substr(0, token.size()));
}

bool is_rule_keyword(Token const& t) {
    return iequals(t.text, "IPSECRULE") || iequals(t.text, "IPSEC6RULE") ||
           iequals(t.text, "ENDIPSEC");
}

class ProfileParser {
  public:
    ProfileParser(std::vector<Token> const& tokens, DiagnosticSink& sink)
        : t_(tokens), sink_(sink) {}

    FilterPolicy run() {
        FilterPolicy policy;
        policy.source = FilterPolicySource::stack_profile;
        policy.implicit_deny_rule_name = std::string(default_policy_deny_rule_name);
        policy.log_implicit_deny = false;
        std::size_t i = 0;
        while (i < t_.size()) {
            // The IPSEC statement begins a line; elsewhere the word belongs to another statement.
            if (!t_[i].first_on_line || !iequals(t_[i].text, "IPSEC")) {
                ++i;
                continue;
            }
            // The last IPSEC block replaces earlier ones.
            policy.rules.clear();
            i = block(i, policy);
        }
        return policy;
    }

  private:
    std::size_t block(std::size_t start, FilterPolicy& policy) {
        Token const& ipsec = t_[start];
        std::size_t end = start + 1;
        while (end < t_.size() && !iequals(t_[end].text, "ENDIPSEC"))
            ++end;
        if (end >= t_.size()) {
            sink_.error(ipsec.where, "IPSEC block is never ended", "ENDIPSEC");
            return t_.size();
        }
        bool log_enable = false;
        std::size_t i = start + 1;
        for (; i < end && !is_rule_keyword(t_[i]); ++i) {
            auto const& o = t_[i].text;
            if (iequals(o, "LOGENABLE"))
                log_enable = true;
            else if (iequals(o, "LOGDISABLE"))
                log_enable = false;
            else if (!iequals(o, "DVIPSEC") && !iequals(o, "NODVIPSEC"))
                sink_.error(t_[i].where, "unknown IPSEC option '" + o + "'",
                            "LOGENABLE, LOGDISABLE, DVIPSEC, IPSECRULE or IPSEC6RULE");
        }
        policy.log_implicit_deny = log_enable;
        while (i < end) {
            std::size_t next = i + 1;
            while (next < end && !is_rule_keyword(t_[next]))
                ++next;
            rule(i, next, log_enable, policy);
            i = next;
        }
        return end + 1;
    }

    bool address(Token const& t, IpAddress::Family family, AddressMatch& out) {
        std::string const expected = family == IpAddress::Family::v4
                                         ? "*, an IPv4 address or address/prefix"
                                         : "*, an IPv6 address or address/prefix";
        if (t.text == "*") {
            out = AddressMatch::all(family);
            return true;
        }
        auto m = AddressMatch::parse(t.text);
        if (!m || m->kind == AddressMatch::Kind::all || m->kind == AddressMatch::Kind::range ||
            m->first.family() != family) {
            sink_.error(t.where, "'" + t.text + "' is not a valid address here", expected);
            return false;
        }
        out = std::move(*m);
        return true;
    }

    bool port(Token const& t, PortRange& out) {
        if (t.text == "*") {
            out = PortRange{};
            return true;
        }
        auto v = read_uint(t, "port", 1, 65535, sink_);
        if (!v)
            return false;
        out = PortRange{static_cast<std::uint16_t>(*v), static_cast<std::uint16_t>(*v)};
        return true;
    }

    void rule(std::size_t begin, std::size_t end, bool log_enable, FilterPolicy& policy) {
        Token const& kw = t_[begin];
        bool v6 = iequals(kw.text, "IPSEC6RULE");
        auto family = v6 ? IpAddress::Family::v6 : IpAddress::Family::v4;
        FilterRule r;
        r.name = "SYSDEFAULTRULE." + std::to_string(policy.rules.size() + 1);
        r.where = kw.where;
        r.action = FilterAction::permit;
        r.direction = FilterDirection::bidirectional;
        r.routing = FilterRouting::local;
        bool log = true;
        if (end - begin < 3) {
            sink_.error(kw.where, kw.text + " needs a source and a destination address",
                        kw.text + " srcaddr destaddr [LOG|NOLOG] [PROTOcol ...]");
            return;
        }
        if (!address(t_[begin + 1], family, r.source) ||
            !address(t_[begin + 2], family, r.destination))
            return;
        std::optional<SourceLocation> ports_at;
        bool protocol_seen = false;
        for (std::size_t i = begin + 3; i < end; ++i) {
            Token const& t = t_[i];
            auto need = [&](std::string_view what) -> Token const* {
                if (i + 1 >= end) {
                    sink_.error(t.where, t.text + " is missing its value", std::string(what));
                    return nullptr;
                }
                return &t_[++i];
            };
            bool all = false, ok = false;
            if (iequals(t.text, "LOG")) {
                log = true;
            } else if (iequals(t.text, "NOLOG")) {
                log = false;
            } else if (abbrev(t.text, "PROTOCOL", 5)) {
                auto v = need(protocol_expected);
                if (!v)
                    return;
                auto n = protocol_number(v->text, all, ok);
                if (!ok || iequals(v->text, "All")) {
                    sink_.error(v->where, "'" + v->text + "' is not a protocol",
                                "*, TCP, UDP, ICMP, ICMPv6, IGMP, OSPF or a number 0-255");
                    return;
                }
                r.protocol = n;
                protocol_seen = true;
            } else if (!protocol_seen && (protocol_number(t.text, all, ok), ok) && !all &&
                       !parse_decimal(t.text)) {
                r.protocol = protocol_number(t.text, all, ok);  // bare TCP / UDP / ...
                protocol_seen = true;
            } else if (abbrev(t.text, "SRCPORT", 4)) {
                auto v = need("a port or *");
                if (!v || !port(*v, r.source_ports))
                    return;
                if (!ports_at)
                    ports_at = t.where;
            } else if (abbrev(t.text, "DESTPORT", 4)) {
                auto v = need("a port or *");
                if (!v || !port(*v, r.destination_ports))
                    return;
                if (!ports_at)
                    ports_at = t.where;
            } else if (abbrev(t.text, "TYPE", 3) || abbrev(t.text, "CODE", 3)) {
                auto v = need("*");
                if (!v)
                    return;
                if (v->text != "*") {
                    sink_.error(v->where, "ICMP type and code filtering is not supported", "*");
                    return;
                }
            } else if (iequals(t.text, "ROUTING")) {
                auto v = need("LOCAL, ROUTED or EITHER");
                if (!v)
                    return;
                auto c = read_choice(*v, "ROUTING", {"LOCAL", "ROUTED", "EITHER"}, sink_);
                if (!c)
                    return;
                r.routing = static_cast<FilterRouting>(*c);
            } else if (iequals(t.text, "SECCLASS")) {
                auto v = need("an integer 0-255");
                if (!v)
                    return;
                auto c = read_uint(*v, "SECCLASS", 0, 255, sink_);
                if (!c)
                    return;
                r.security_class = static_cast<std::uint8_t>(*c);
            } else {
                sink_.error(t.where, "unexpected '" + t.text + "' in " + kw.text,
                            "LOG, NOLOG, PROTOcol, SRCPort, DESTport, ROUTING or SECCLASS");
                return;
            }
        }
        if (ports_at && !has_ports(r.protocol)) {
            sink_.error(*ports_at, "SRCPort and DESTport need protocol TCP or UDP",
                        "PROTOcol TCP or PROTOcol UDP before the ports");
            return;
        }
        r.log = log && log_enable;
        policy.rules.push_back(std::move(r));
    }

    std::vector<Token> const& t_;
    DiagnosticSink& sink_;
};

}  // namespace

Result<FilterPolicy> parse_default_filter_policy(std::string_view text,
                                                 FilterPolicyParseOptions const& options,
                                                 std::vector<Diagnostic>* diagnostics) {
    DiagnosticSink sink(options.limits.max_diagnostics);
    auto finish = [&](Result<FilterPolicy> r) {
        if (diagnostics)
            *diagnostics = sink.list();
        return r;
    };
    LexerOptions lex;
    lex.comment_char = ';';
    lex.braces = false;
    lex.quotes = false;
    auto tokens = tokenize(text, lex, options.limits, sink);
    if (!sink.empty())
        return finish(sink.to_error(options.file_name));
    auto policy = ProfileParser(tokens, sink).run();
    if (!sink.empty())
        return finish(sink.to_error(options.file_name));
    if (policy.rules.size() > options.limits.max_statements) {
        sink.set_code(Errc::oversized);
        sink.error(policy.rules.back().where, "too many IPSECRULE statements", "fewer rules");
        return finish(sink.to_error(options.file_name));
    }
    return finish(std::move(policy));
}

}  // namespace nsslab::zos
