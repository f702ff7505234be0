// TCP/IP stack model: policy in force, marker file, SA table, commands (tcpip_stack.hpp).
#include "nsslab/zos/tcpip_stack.hpp"

#include <algorithm>
#include <utility>

#include "nsslab/zos/ipsec_display.hpp"

namespace nsslab::zos {

std::string default_marker_path(std::string_view stack_name) {
    return "/var/iked/" + std::string(stack_name) + ".defaultpolicy";
}

std::string_view to_string(SaKind kind) {
    switch (kind) {
        case SaKind::ike:
            return "IKE";
        case SaKind::ipsec:
            return "IPsec";
    }
    return "?";
}

std::string_view to_string(SaState state) {
    switch (state) {
        case SaState::active:
            return "Active";
        case SaState::inactive:
            return "Inactive";
        case SaState::expired:
            return "Expired";
    }
    return "?";
}

std::string_view to_string(ManagementCommand command) {
    switch (command) {
        case ManagementCommand::display_filters:
            return "display_filters";
        case ManagementCommand::display_ike_sas:
            return "display_ike_sas";
        case ManagementCommand::display_ipsec_sas:
            return "display_ipsec_sas";
        case ManagementCommand::activate_sa:
            return "activate_sa";
        case ManagementCommand::deactivate_sa:
            return "deactivate_sa";
        case ManagementCommand::refresh_sa:
            return "refresh_sa";
        case ManagementCommand::policy_default:
            return "policy_default";
        case ManagementCommand::policy_reload:
            return "policy_reload";
    }
    return "?";
}

namespace {

ManagementResult failed(Errc code, std::string reason) {
    ManagementResult r;
    r.ok = false;
    r.code = code;
    r.reason = std::move(reason);
    return r;
}

ManagementResult succeeded(std::vector<std::string> lines) {
    ManagementResult r;
    r.lines = std::move(lines);
    return r;
}

bool same_address(AddressMatch const& a, AddressMatch const& b) {
    return a.kind == b.kind && a.family == b.family && a.first == b.first && a.last == b.last &&
           a.prefix_length == b.prefix_length;
}

// Two filters are the same rule when everything that affects traffic or the display is equal;
// the source location is not compared (a refreshed file may move a rule without changing it).
bool same_filter(FilterRule const& a, FilterRule const& b) {
    return a.name == b.name && same_address(a.source, b.source) &&
           same_address(a.destination, b.destination) && a.protocol == b.protocol &&
           a.source_ports == b.source_ports && a.destination_ports == b.destination_ports &&
           a.direction == b.direction && a.routing == b.routing &&
           a.security_class == b.security_class && a.action == b.action &&
           a.action_name == b.action_name && a.log == b.log;
}

std::vector<FilterRule> filters_named(FilterPolicy const& policy, std::string_view name) {
    std::vector<FilterRule> out;
    for (auto const& r : policy.rules)
        if (r.name == name)
            out.push_back(r);
    return out;
}

std::string join_ids(std::vector<std::string> const& ids) {
    std::string out;
    for (auto const& id : ids) {
        if (!out.empty())
            out += ' ';
        out += id;
    }
    return out;
}

constexpr std::string_view default_in_effect =
    "the default IP filter policy is in effect (Source: Stack Profile); SAs cannot be used until "
    "ipsec -f reload";

}  // namespace

TcpipStack::TcpipStack(TcpipStackConfig config, FilterPolicy default_policy,
                       runtime::FileSystem& file_system)
    : config_(std::move(config)), default_policy_(std::move(default_policy)), fs_(&file_system) {
    if (config_.nss_client_name.empty())
        config_.nss_client_name = config_.system_name + "_" + config_.stack_name;
    if (config_.marker_path.empty())
        config_.marker_path = default_marker_path(config_.stack_name);
    default_policy_.source = FilterPolicySource::stack_profile;
    last_default_ = active_source() == FilterPolicySource::stack_profile;
}

// ---- policy in force -----------------------------------------------------------------------

bool TcpipStack::marker_present() const {
    return fs_->exists(config_.marker_path);
}

FilterPolicySource TcpipStack::active_source() const {
    if (!ipsec_policy_ || marker_present())
        return FilterPolicySource::stack_profile;
    return FilterPolicySource::stack_policy;
}

FilterPolicy const& TcpipStack::active_policy() const {
    return active_source() == FilterPolicySource::stack_policy ? *ipsec_policy_ : default_policy_;
}

void TcpipStack::set_ipsec_policy(FilterPolicy policy, TimePoint now) {
    policy.source = FilterPolicySource::stack_policy;
    ipsec_policy_ = std::move(policy);
    sync(now);
    if (active_source() == FilterPolicySource::stack_policy)
        (void)prune_changed_sas();
}

void TcpipStack::clear_ipsec_policy(TimePoint now) {
    ipsec_policy_.reset();
    sync(now);
}

std::vector<std::string> TcpipStack::sync(TimePoint now) {
    std::vector<std::string> pruned;
    bool const is_default = active_source() == FilterPolicySource::stack_profile;
    if (last_default_ && !is_default)
        pruned = prune_changed_sas();  // left the default policy: reload, or marker deleted
    last_default_ = is_default;
    for (auto& sa : sas_)
        if (sa.state == SaState::active && now >= sa.expires)
            sa.state = SaState::expired;
    return pruned;
}

bool TcpipStack::rule_unchanged(StackSa const& sa) const {
    if (sa.rule_name.empty())
        return true;
    if (!ipsec_policy_)
        return false;
    auto const now_filters = filters_named(*ipsec_policy_, sa.rule_name);
    return std::equal(now_filters.begin(), now_filters.end(), sa.rule_snapshot.begin(),
                      sa.rule_snapshot.end(), same_filter);
}

std::vector<std::string> TcpipStack::prune_changed_sas() {
    std::vector<std::string> gone;
    for (auto const& sa : sas_)
        if (!rule_unchanged(sa))
            gone.push_back(sa.id);
    // An IPsec SA whose IKE SA goes goes with it.
    for (auto const& sa : sas_)
        if (sa.kind == SaKind::ipsec && !sa.parent_id.empty() &&
            std::find(gone.begin(), gone.end(), sa.parent_id) != gone.end() &&
            std::find(gone.begin(), gone.end(), sa.id) == gone.end())
            gone.push_back(sa.id);
    std::erase_if(sas_, [&](StackSa const& sa) {
        return std::find(gone.begin(), gone.end(), sa.id) != gone.end();
    });
    std::vector<std::string> ordered;  // report in table order: IKE ids, then IPsec ids
    for (auto kind : {SaKind::ike, SaKind::ipsec})
        for (auto const& id : gone)
            if ((id.front() == 'K') == (kind == SaKind::ike))
                ordered.push_back(id);
    return ordered;
}

ManagementResult TcpipStack::switch_to_default(TimePoint now, Origin origin) {
    (void)sync(now);
    std::vector<std::string> lines;
    if (marker_present()) {
        lines.push_back("Default IP filter policy already in effect");
    } else {
        std::string content =
            "default IP filter policy in effect since " + format_iso8601(now) +
            (origin == Origin::local ? " (ipsec -f default)\n" : " (NSS remote management)\n");
        if (auto w = fs_->write(config_.marker_path, content); !w)
            return failed(Errc::io_error, "ipsec -f default: cannot create marker file " +
                                              config_.marker_path + ": " + w.error().message);
        lines.push_back("Default IP filter policy now in effect");
    }
    (void)sync(now);
    lines.push_back("Source: Stack Profile");
    std::size_t kept = sas_.size();
    if (kept > 0)
        lines.push_back(std::to_string(kept) + " SAs kept, not usable until ipsec -f reload");
    return succeeded(std::move(lines));
}

ManagementResult TcpipStack::switch_to_policy(TimePoint now) {
    (void)sync(now);
    if (!ipsec_policy_)
        return failed(Errc::state_error,
                      "ipsec -f reload: no IP security filter policy is loaded (Policy Agent); the "
                      "default IP filter policy stays in effect");
    std::vector<std::string> lines;
    if (marker_present()) {
        if (auto r = fs_->remove(config_.marker_path); !r && r.error().code != Errc::not_found)
            return failed(Errc::io_error, "ipsec -f reload: cannot delete marker file " +
                                              config_.marker_path + ": " + r.error().message);
        lines.push_back("IP security filter policy reloaded");
    } else {
        lines.push_back("IP security filter policy already in effect");
    }
    auto const pruned = sync(now);
    lines.push_back("Source: Stack Policy");
    if (!pruned.empty())
        lines.push_back("SAs deleted (filter rule removed or changed): " + join_ids(pruned));
    return succeeded(std::move(lines));
}

ManagementResult TcpipStack::policy_default(TimePoint now) {
    return switch_to_default(now, Origin::local);
}

ManagementResult TcpipStack::policy_reload(TimePoint now) {
    return switch_to_policy(now);
}

// ---- decisions -----------------------------------------------------------------------------

void TcpipStack::mark_usable(StackSa& sa) const {
    sa.usable = sa.state == SaState::active && active_source() == FilterPolicySource::stack_policy;
}

StackDecision TcpipStack::decide(PacketTuple const& packet, TimePoint now) {
    (void)sync(now);
    FilterPolicySource const source = active_source();
    FilterPolicy const& policy = active_policy();
    FilterDecision const d = policy.decide(packet);
    StackDecision out;
    out.action = d.action;
    out.rule_name = d.rule_name;
    out.action_name = d.action_name;
    out.log = d.log;
    out.implicit_deny = d.implicit_deny;
    out.source = source;
    if (d.action == FilterAction::ipsec) {
        for (auto& sa : sas_) {
            if (sa.kind != SaKind::ipsec || sa.rule_name != d.rule_name)
                continue;
            mark_usable(sa);
            if (sa.usable) {
                out.sa_usable = true;
                out.sa_id = sa.id;
                break;
            }
        }
    }
    return out;
}

// ---- SA table ------------------------------------------------------------------------------

StackSa* TcpipStack::lookup(std::string_view id) {
    for (auto& sa : sas_)
        if (sa.id == id)
            return &sa;
    return nullptr;
}

Result<std::string> TcpipStack::add_sa(SaKind kind, SaSpec const& spec, TimePoint now) {
    (void)sync(now);
    std::string const what = kind == SaKind::ike ? "add_ike_sa: " : "add_ipsec_sa: ";
    if (sas_.size() >= config_.max_sas)
        return fail(Errc::limit_exceeded,
                    what + "SA table full (" + std::to_string(config_.max_sas) + " SAs)");
    if (spec.lifetime <= Duration::zero())
        return fail(Errc::invalid_argument, what + "lifetime must be positive");
    StackSa sa;
    sa.kind = kind;
    sa.local = spec.local;
    sa.peer = spec.peer;
    sa.rule_name = spec.rule_name;
    sa.vpn_action = spec.vpn_action;
    sa.lifetime = spec.lifetime;
    sa.activated = now;
    sa.expires = now + spec.lifetime;
    if (kind == SaKind::ipsec) {
        if (active_source() == FilterPolicySource::stack_profile)
            return fail(Errc::state_error, what + std::string(default_in_effect));
        if (spec.rule_name.empty())
            return fail(Errc::invalid_argument,
                        what + "an IPsec SA needs the filter rule it serves");
    }
    if (!spec.rule_name.empty()) {
        if (!ipsec_policy_)
            return fail(Errc::not_found,
                        what + "no IP security filter policy has rule " + spec.rule_name);
        sa.rule_snapshot = filters_named(*ipsec_policy_, spec.rule_name);
        if (sa.rule_snapshot.empty())
            return fail(Errc::not_found, what + "no filter rule " + spec.rule_name);
        if (kind == SaKind::ipsec && sa.rule_snapshot.front().action != FilterAction::ipsec)
            return fail(Errc::invalid_argument,
                        what + "filter rule " + spec.rule_name + " is not an IPSec rule");
        if (kind == SaKind::ipsec && sa.vpn_action.empty())
            sa.vpn_action = sa.rule_snapshot.front().action_name;
    }
    if (!spec.parent_id.empty()) {
        if (kind == SaKind::ike)
            return fail(Errc::invalid_argument, what + "an IKE SA has no parent");
        StackSa const* parent = lookup(spec.parent_id);
        if (!parent || parent->kind != SaKind::ike)
            return fail(Errc::not_found, what + "no IKE SA " + spec.parent_id);
        sa.parent_id = spec.parent_id;
    }
    sa.id = kind == SaKind::ike ? "K" + std::to_string(next_ike_++)
                                : "Y" + std::to_string(next_ipsec_++);
    sas_.push_back(std::move(sa));
    return sas_.back().id;
}

Result<std::string> TcpipStack::add_ike_sa(SaSpec const& spec, TimePoint now) {
    return add_sa(SaKind::ike, spec, now);
}

Result<std::string> TcpipStack::add_ipsec_sa(SaSpec const& spec, TimePoint now) {
    return add_sa(SaKind::ipsec, spec, now);
}

Result<void> TcpipStack::remove_sa(std::string_view id, TimePoint now) {
    (void)sync(now);
    StackSa const* sa = lookup(id);
    if (!sa)
        return fail(Errc::not_found, "remove_sa: no SA " + std::string(id));
    bool const ike = sa->kind == SaKind::ike;
    std::string const key(id);
    std::erase_if(sas_,
                  [&](StackSa const& s) { return s.id == key || (ike && s.parent_id == key); });
    return {};
}

std::optional<StackSa> TcpipStack::find_sa(std::string_view id, TimePoint now) {
    (void)sync(now);
    StackSa* sa = lookup(id);
    if (!sa)
        return std::nullopt;
    mark_usable(*sa);
    return *sa;
}

std::vector<StackSa> TcpipStack::sas(SaKind kind, TimePoint now) {
    (void)sync(now);
    std::vector<StackSa> out;
    for (auto& sa : sas_) {
        if (sa.kind != kind)
            continue;
        mark_usable(sa);
        out.push_back(sa);
    }
    return out;
}

ManagementResult TcpipStack::activate_sa(std::string_view id, TimePoint now) {
    (void)sync(now);
    StackSa* sa = lookup(id);
    if (!sa)
        return failed(Errc::not_found, "activate: tunnel " + std::string(id) + " not found");
    if (sa->kind == SaKind::ike)
        return failed(Errc::unsupported,
                      "activate: " + sa->id + " is an IKE tunnel; ipsec -k has no activate");
    if (active_source() == FilterPolicySource::stack_profile)
        return failed(Errc::state_error, "activate: " + std::string(default_in_effect));
    if (sa->state == SaState::active)
        return failed(Errc::state_error, "activate: tunnel " + sa->id + " is already active");
    if (!sa->parent_id.empty()) {
        StackSa const* parent = lookup(sa->parent_id);
        if (parent && parent->state != SaState::active)
            return failed(Errc::state_error, "activate: IKE tunnel " + parent->id + " of tunnel " +
                                                 sa->id + " is not active");
    }
    sa->state = SaState::active;
    sa->activated = now;
    sa->expires = now + sa->lifetime;
    return succeeded({"Tunnel " + sa->id + " activated"});
}

ManagementResult TcpipStack::deactivate_sa(std::string_view id, TimePoint now) {
    (void)sync(now);
    StackSa* sa = lookup(id);
    if (!sa)
        return failed(Errc::not_found, "deactivate: tunnel " + std::string(id) + " not found");
    if (sa->state != SaState::active)
        return failed(Errc::state_error, "deactivate: tunnel " + sa->id + " is not active (" +
                                             std::string(to_string(sa->state)) + ")");
    sa->state = SaState::inactive;
    std::vector<std::string> lines{"Tunnel " + sa->id + " deactivated"};
    if (sa->kind == SaKind::ike) {
        std::string const parent = sa->id;
        for (auto& child : sas_) {
            if (child.kind == SaKind::ipsec && child.parent_id == parent &&
                child.state == SaState::active) {
                child.state = SaState::inactive;
                lines.push_back("Tunnel " + child.id + " deactivated");
            }
        }
    }
    return succeeded(std::move(lines));
}

ManagementResult TcpipStack::refresh_sa(std::string_view id, TimePoint now) {
    (void)sync(now);
    StackSa* sa = lookup(id);
    if (!sa)
        return failed(Errc::not_found, "refresh: tunnel " + std::string(id) + " not found");
    if (active_source() == FilterPolicySource::stack_profile)
        return failed(Errc::state_error, "refresh: " + std::string(default_in_effect));
    if (sa->state != SaState::active)
        return failed(Errc::state_error, "refresh: tunnel " + sa->id + " is not active (" +
                                             std::string(to_string(sa->state)) + ")");
    sa->activated = now;
    sa->expires = now + sa->lifetime;
    ++sa->refreshes;
    return succeeded({"Tunnel " + sa->id + " refreshed"});
}

// ---- displays and remote management ----------------------------------------------------------

std::vector<std::string> TcpipStack::display(ManagementCommand command, TimePoint now,
                                             Origin origin) {
    (void)sync(now);
    IpsecDisplayHeader header;
    header.release = config_.release;
    header.now = now;
    if (origin == Origin::remote) {
        header.name_label = "NSS Client Name";
        header.name = config_.nss_client_name;
    } else {
        header.name = config_.stack_name;
    }
    switch (command) {
        case ManagementCommand::display_filters:
            return format_filter_display(header, active_source(), active_policy());
        case ManagementCommand::display_ike_sas:
            return format_sa_display(header, SaKind::ike, sas(SaKind::ike, now));
        default:
            return format_sa_display(header, SaKind::ipsec, sas(SaKind::ipsec, now));
    }
}

std::vector<std::string> TcpipStack::display_filters(TimePoint now) {
    return display(ManagementCommand::display_filters, now, Origin::local);
}

std::vector<std::string> TcpipStack::display_ike_sas(TimePoint now) {
    return display(ManagementCommand::display_ike_sas, now, Origin::local);
}

std::vector<std::string> TcpipStack::display_ipsec_sas(TimePoint now) {
    return display(ManagementCommand::display_ipsec_sas, now, Origin::local);
}

ManagementResult TcpipStack::execute(ManagementCommand command, std::string_view target,
                                     TimePoint now) {
    auto const needs_target = [&]() -> std::optional<ManagementResult> {
        if (target.empty())
            return failed(Errc::invalid_argument,
                          std::string(to_string(command)) + ": a tunnel id is required");
        return std::nullopt;
    };
    auto const no_target = [&]() -> std::optional<ManagementResult> {
        if (!target.empty())
            return failed(Errc::invalid_argument, std::string(to_string(command)) +
                                                      ": takes no target (got '" +
                                                      std::string(target) + "')");
        return std::nullopt;
    };
    switch (command) {
        case ManagementCommand::display_filters:
        case ManagementCommand::display_ike_sas:
        case ManagementCommand::display_ipsec_sas:
            if (auto e = no_target())
                return *e;
            return succeeded(display(command, now, Origin::remote));
        case ManagementCommand::activate_sa:
            if (auto e = needs_target())
                return *e;
            return activate_sa(target, now);
        case ManagementCommand::deactivate_sa:
            if (auto e = needs_target())
                return *e;
            return deactivate_sa(target, now);
        case ManagementCommand::refresh_sa:
            if (auto e = needs_target())
                return *e;
            return refresh_sa(target, now);
        case ManagementCommand::policy_default:
            if (auto e = no_target())
                return *e;
            return switch_to_default(now, Origin::remote);
        case ManagementCommand::policy_reload:
            if (auto e = no_target())
                return *e;
            return switch_to_policy(now);
    }
    return failed(Errc::invalid_argument,
                  "unknown management command " + std::to_string(static_cast<unsigned>(command)));
}

}  // namespace nsslab::zos
