// One stack's IKEv2 endpoint inside IKED (nsslab/iked/ike_stack.hpp).
#include "nsslab/iked/ike_stack.hpp"

#include <set>

#include "nsslab/base/text.hpp"
#include "nsslab/crypto/certificate.hpp"
#include "nsslab/nss/certificate_identity.hpp"

namespace nsslab::iked {
namespace {

wire_nss::SignatureScheme to_wire(crypto::SignatureScheme scheme) {
    using C = crypto::SignatureScheme;
    using W = wire_nss::SignatureScheme;
    switch (scheme) {
        case C::rsa_pkcs1_sha256:
            return W::rsa_pkcs1_sha256;
        case C::rsa_pkcs1_sha384:
            return W::rsa_pkcs1_sha384;
        case C::rsa_pkcs1_sha512:
            return W::rsa_pkcs1_sha512;
        case C::rsa_pss_sha256:
            return W::rsa_pss_sha256;
        case C::rsa_pss_sha384:
            return W::rsa_pss_sha384;
        case C::rsa_pss_sha512:
            return W::rsa_pss_sha512;
        case C::ecdsa_sha256:
            return W::ecdsa_sha256;
        case C::ecdsa_sha384:
            return W::ecdsa_sha384;
        case C::ecdsa_sha512:
            return W::ecdsa_sha512;
        case C::ed25519:
            return W::ed25519;
    }
    return W::ecdsa_sha256;
}

// "10.1.1.1:500" / "[2001:db8::1]:500" as IBM's messages print it: "10.1.1.1 port 500".
std::string ip_port(std::string const& endpoint) {
    auto parsed = Endpoint::parse(endpoint);
    if (!parsed)
        return endpoint;
    return parsed->address.to_string() + " port " + std::to_string(parsed->port);
}

std::optional<ike::SaId> sa_of(Event const& event) {
    if (auto const* v = event.find("sa"))
        if (auto const* id = std::get_if<std::uint64_t>(v))
            return *id;
    return std::nullopt;
}

// The error an NSS completion that is not ok gives the SA.
Error nss_error(nss::Completion const& done) {
    return Error{Errc::permission_denied, "NSS " + std::string(wire_nss::to_string(done.result)) +
                                              (done.reason.empty() ? "" : ": " + done.reason)};
}

// Why the personal certificate (the first of the chain) cannot make a `scheme` signature, if it
// cannot.
std::optional<std::string> key_mismatch(IkeStack::LocalCertificate const& local,
                                        crypto::SignatureScheme scheme) {
    if (local.chain.empty())
        return "the NSS server returned no certificate";
    auto cert = crypto::Certificate::load_der(nullptr, local.chain.front());
    if (!cert)
        return "the certificate " + local.label + " does not parse: " + cert.error().message;
    auto const have = cert->public_key_algorithm();
    auto const need = crypto::key_algorithm_for(scheme);
    if (have == need)
        return std::nullopt;
    return "the certificate " + local.label + " has an " + std::string(crypto::to_string(have)) +
           " key; the policy's method signs " + std::string(crypto::to_string(scheme)) +
           ", which needs an " + std::string(crypto::to_string(need)) + " key";
}

}  // namespace

IkeStack::IkeStack(runtime::Runtime& rt, runtime::DriverSet& drivers, IkeStackOptions options,
                   zos::IkePolicy const& policy, zos::FilterPolicy const* filter_policy,
                   crypto::LibContext& lib, NssLookup nss, ModelLookup model)
    : rt_(rt),
      options_(std::move(options)),
      connections_(connections_from_policy(policy, IkeMapping{options_.port, filter_policy})),
      nss_(std::move(nss)),
      model_(std::move(model)),
      endpoint_(std::make_unique<ike::IkeEndpoint>(connections_.config, lib, options_.ike)),
      driver_(rt, *endpoint_, &drivers,
              runtime::DatagramDriverOptions{"iked.ike", "stack", options_.stack_name}) {
    driver_.on_request(
        [this](ike::IkeEndpoint::ServiceRequest r, TimePoint now) { request(std::move(r), now); });
    driver_.on_event([this](Event const& e, TimePoint now) { observe(e, now); });
}

IkeStack::~IkeStack() = default;

void IkeStack::start(TimePoint now) {
    for (auto const& skipped : connections_.skipped)
        rt_.emit(Event("iked.ike_rule_skipped")
                     .with("stack", options_.stack_name)
                     .with("rule", skipped.rule)
                     .with("line", skipped.where.line)
                     .with("reason", skipped.reason));
    std::set<Endpoint, bool (*)(Endpoint const&, Endpoint const&)> locals(
        [](Endpoint const& a, Endpoint const& b) { return a.to_string() < b.to_string(); });
    for (auto const& c : connections_.config.connections)
        locals.insert(c.local);
    for (auto const& local : locals) {
        auto bound = driver_.bind(local);
        Event e(bound ? "iked.ike_listening" : "iked.ike_bind_failed");
        e.with("stack", options_.stack_name).with("local", local.to_string());
        if (!bound)
            e.with("error", bound.error().what());
        rt_.emit(std::move(e));
    }
    rt_.emit(Event("iked.ike_started")
                 .with("stack", options_.stack_name)
                 .with("connections", connections_.config.connections.size())
                 .with("skipped", connections_.skipped.size()));
    drain(now);
}

void IkeStack::stop(TimePoint now) {
    for (auto it = tunnels_.begin(); it != tunnels_.end();)
        forget((it++)->first, now);
    driver_.close_all();
}

std::optional<std::size_t> IkeStack::connection_index(std::string_view name) const {
    auto const& conns = connections_.config.connections;
    for (std::size_t i = 0; i < conns.size(); ++i)
        if (ascii_upper(conns[i].name) == ascii_upper(name))
            return i;
    return std::nullopt;
}

Result<ike::SaId> IkeStack::activate(std::string_view name, TimePoint now) {
    auto index = connection_index(name);
    if (!index) {
        // An IPSec filter rule: the KeyExchangeRule between its source and destination.
        auto const& conns = connections_.config.connections;
        for (std::size_t i = 0; i < conns.size() && !index; ++i)
            if (ascii_upper(connections_.filter_rules[i]) == ascii_upper(name))
                index = i;
    }
    if (!index)
        return fail(Errc::not_found, "activate: " + std::string(name) +
                                         " names no KeyExchangeRule or dynamic VPN filter rule "
                                         "of stack " +
                                         options_.stack_name);
    auto sa = endpoint_->initiate(connections_.config.connections[*index].name, now);
    drain(now);
    return sa;
}

std::optional<std::pair<ike::SaId, ike::ChildId>> IkeStack::find_tunnel(
    std::string_view tunnel_id) const {
    std::string const wanted = ascii_upper(tunnel_id);
    for (auto const& [sa, tunnels] : tunnels_) {
        if (ascii_upper(tunnels.ike) == wanted)
            return std::pair{sa, ike::ChildId{0}};
        for (auto const& [child, id] : tunnels.children)
            if (ascii_upper(id) == wanted)
                return std::pair{sa, child};
    }
    return std::nullopt;
}

std::optional<std::uint32_t> IkeStack::spi_in(ike::SaId sa, ike::ChildId child) const {
    for (auto const& info : endpoint_->children(sa))
        if (info.id == child)
            return info.spi_in;
    return std::nullopt;
}

Result<bool> IkeStack::tunnel_command(TunnelCommand command, std::string_view tunnel_id,
                                      TimePoint now) {
    auto found = find_tunnel(tunnel_id);
    if (!found)
        return false;  // not a negotiated tunnel: the stack model's command applies
    auto [sa, child] = *found;
    Result<void> started;
    if (child == 0) {
        started = command == TunnelCommand::deactivate ? endpoint_->delete_sa(sa, now)
                                                       : endpoint_->rekey_ike(sa, now);
    } else {
        auto spi = spi_in(sa, child);
        if (!spi)
            return fail(Errc::state_error,
                        "tunnel " + std::string(tunnel_id) + " has no installed Child SA");
        started = command == TunnelCommand::deactivate ? endpoint_->delete_child(sa, *spi, now)
                                                       : endpoint_->rekey_child(sa, *spi, now);
    }
    drain(now);
    if (!started)
        return started.error();
    return true;
}

std::pair<std::string, std::string> IkeStack::tunnel_ids(ike::SaId sa) const {
    auto it = tunnels_.find(sa);
    if (it == tunnels_.end())
        return {};
    return {it->second.ike, it->second.children.empty() ? "" : it->second.children.begin()->second};
}

void IkeStack::console(std::string msgid, std::string text) {
    rt_.emit(Event("iked.console")
                 .with("stack", options_.stack_name)
                 .with("msgid", std::move(msgid))
                 .with("text", std::move(text)));
}

void IkeStack::request(ike::IkeEndpoint::ServiceRequest r, TimePoint now) {
    std::uint64_t const id = r.id;
    IkedStack* nss = nss_ ? nss_() : nullptr;
    if (nss == nullptr || !nss->cert_service()) {
        // IBM's restriction (IP Configuration Guide, "IKE daemon and NSS"): digital signature
        // authentication for an IKEv2 SA needs the stack to use the NSS certificate service.
        endpoint_->complete_request(
            id,
            fail(Errc::unsupported,
                 "stack " + options_.stack_name +
                     " is not configured to use the NSS certificate service (NssStackConfig "
                     "ServiceType Cert): IKEv2 digital signature authentication is not possible"),
            now);
        return;
    }
    if (auto* verify = std::get_if<ike::IkeEndpoint::VerifyRequest>(&r.operation)) {
        auto answer = [this, id](nss::Completion const& done, TimePoint at) {
            if (done.result != wire_nss::ResultCode::ok)
                endpoint_->complete_request(id, nss_error(done), at);
            else
                endpoint_->complete_request(id, Bytes{}, at);
            drain(at);
        };
        nss->request_verify(to_wire(verify->scheme), std::move(verify->octets),
                            std::move(verify->signature), std::move(verify->certificate_chain), now,
                            std::move(answer));
        return;
    }
    auto& sign = std::get<ike::IkeEndpoint::SignRequest>(r.operation);
    if (auto it = labels_.find(sign.key_label); it != labels_.end()) {
        this->sign(id, *nss, it->second, sign, now);
        return;
    }
    // The certificate of the local identity on the NSS server's key ring: its label signs.
    auto identity = identity_for(sign.key_label);
    if (!identity) {
        endpoint_->complete_request(id, identity.error(), now);
        return;
    }
    nss->request_certificates_for(
        std::move(*identity), now,
        [this, id, sign = std::move(sign)](nss::Completion const& done, TimePoint at) {
            IkedStack* nss_now = nss_ ? nss_() : nullptr;
            auto const* reply = std::get_if<wire_nss::CertificateReply>(&done.payload);
            if (done.result != wire_nss::ResultCode::ok || reply == nullptr) {
                endpoint_->complete_request(id, nss_error(done), at);
                drain(at);
                return;
            }
            if (nss_now == nullptr || !nss_now->cert_service()) {  // a REFRESH took it away
                endpoint_->complete_request(
                    id,
                    fail(Errc::state_error, "stack " + options_.stack_name +
                                                " stopped using the NSS certificate service "
                                                "while its certificate was looked up"),
                    at);
                drain(at);
                return;
            }
            LocalCertificate local;
            for (auto const& entry : reply->certificates)
                if (!entry.is_ca && local.label.empty())
                    local.label = entry.label;
            for (auto const& entry : reply->certificates)
                local.chain.push_back(entry.der);
            // The policy's method names the signature (DigitalSignature: ECDSA with SHA-256,
            // docs/iked-ike.md §2); a certificate with another kind of key cannot make it.
            if (auto why = key_mismatch(local, sign.scheme)) {
                endpoint_->complete_request(id, fail(Errc::unsupported, *why), at);
                drain(at);
                return;
            }
            rt_.emit(Event("iked.ike_certificate")
                         .with("stack", options_.stack_name)
                         .with("identity", sign.key_label)
                         .with("label", local.label)
                         .with("certificates", local.chain.size()));
            auto const& stored = labels_[sign.key_label] = std::move(local);
            // Our CERT payloads: the connections signing as this identity send the chain.
            for (auto const& c : connections_.config.connections)
                if (c.local_auth.key_label == sign.key_label)
                    (void)endpoint_->set_local_certificates(c.name, stored.chain);
            this->sign(id, *nss_now, stored, sign, at);
            drain(at);
        });
}

void IkeStack::sign(std::uint64_t id, IkedStack& nss, LocalCertificate const& local,
                    ike::IkeEndpoint::SignRequest const& sign, TimePoint now) {
    std::string const key = sign.key_label;
    nss.request_sign(local.label, to_wire(sign.scheme), sign.octets, now,
                     [this, id, key](nss::Completion const& done, TimePoint at) {
                         auto const* reply = std::get_if<wire_nss::SignReply>(&done.payload);
                         if (done.result != wire_nss::ResultCode::ok || reply == nullptr) {
                             if (done.result == wire_nss::ResultCode::unknown_label)
                                 labels_.erase(key);  // the ring changed: look it up again
                             endpoint_->complete_request(id, nss_error(done), at);
                         } else {
                             endpoint_->complete_request(id, reply->signature, at);
                         }
                         drain(at);
                     });
}

Result<wire_nss::CertificateIdentity> IkeStack::identity_for(std::string const& key_label) const {
    auto const& conns = connections_.config.connections;
    for (std::size_t i = 0; i < conns.size(); ++i)
        if (conns[i].local_auth.key_label == key_label)
            return nss::certificate_identity(connections_.local_identities[i]);
    return fail(Errc::not_found,
                "no connection of stack " + options_.stack_name + " signs as " + key_label);
}

void IkeStack::observe(Event const& event, TimePoint now) {
    auto sa = sa_of(event);
    if (!sa)
        return;
    auto number = [&](char const* key) -> std::uint64_t {
        if (auto const* v = event.find(key))
            if (auto const* n = std::get_if<std::uint64_t>(v))
                return *n;
        return 0;
    };
    if (event.name == "ike.sa_established") {
        established(event, *sa, now);
    } else if (event.name == "ike.child_established") {
        if (!move_child(*sa, number("rekey_of"), number("child")))
            add_child(*sa, number("child"), now);
    } else if (event.name == "ike.child_rekeyed") {
        move_child(*sa, number("child"), number("new_child"));
    } else if (event.name == "ike.child_deleted") {
        remove_child(*sa, number("child"), now);
    } else if (event.name == "ike.ike_rekeyed") {
        if (auto it = tunnels_.find(*sa); it != tunnels_.end()) {
            Tunnels moved = std::move(it->second);
            tunnels_.erase(it);
            tunnels_[number("new_sa")] = std::move(moved);
        }
    } else if (event.name == "ike.retransmit_timeout") {
        // EZD1751I exchange_type exchange retransmit timed out from src_ip port src_port to
        // dest_ip port dest_port (IBM, IP Messages Volume 2, halw001/ezd1751i.htm).
        console("EZD1751I",
                "EZD1751I " + event.text("exchange") + " exchange retransmit timed out from " +
                    ip_port(event.text("local")) + " to " + ip_port(event.text("remote")));
    }
    if (tunnels_.count(*sa) != 0 && !endpoint_->state(*sa))
        forget(*sa, now);
}

StackManagement* IkeStack::model() const {
    return model_ ? model_() : nullptr;
}

void IkeStack::table_error(ike::SaId sa, Error const& error) {
    rt_.emit(Event("iked.sa_table_error")
                 .with("stack", options_.stack_name)
                 .with("sa", sa)
                 .with("error", error.what()));
}

void IkeStack::established(Event const& event, ike::SaId sa, TimePoint now) {
    auto index = connection_index(event.text("connection"));
    StackManagement* m = model();
    if (!index || m == nullptr)
        return;
    auto const& conn = connections_.config.connections[*index];
    zos::SaSpec spec;
    spec.local = conn.local.address;
    spec.peer = conn.remote.address;
    auto ike_id = m->stack().add_ike_sa(spec, now);
    if (!ike_id) {
        table_error(sa, ike_id.error());
        return;
    }
    Tunnels& tunnels = tunnels_[sa];
    tunnels.ike = *ike_id;
    tunnels.connection = *index;
    // The first Child SA was installed with the IKE SA (its event came first).
    for (auto const& child : endpoint_->children(sa))
        add_child(sa, child.id, now);
    rt_.emit(Event("iked.ike_sa_added")
                 .with("stack", options_.stack_name)
                 .with("sa", sa)
                 .with("id", tunnels.ike)
                 .with("child", tunnels_ids_text(tunnels))
                 .with("rule", conn.name));
}

std::string IkeStack::tunnels_ids_text(Tunnels const& tunnels) {
    std::string out;
    for (auto const& [child, id] : tunnels.children)
        out += (out.empty() ? "" : " ") + id;
    return out;
}

void IkeStack::add_child(ike::SaId sa, ike::ChildId child, TimePoint now) {
    auto it = tunnels_.find(sa);
    StackManagement* m = model();
    if (it == tunnels_.end() || m == nullptr || it->second.children.count(child) != 0)
        return;  // before the IKE SA is in the table: established() adds it
    Tunnels& tunnels = it->second;
    auto const& conn = connections_.config.connections[tunnels.connection];
    zos::SaSpec spec;
    spec.local = conn.local.address;
    spec.peer = conn.remote.address;
    spec.rule_name = connections_.filter_rules[tunnels.connection];
    spec.vpn_action = connections_.vpn_actions[tunnels.connection];
    spec.parent_id = tunnels.ike;
    auto id = m->stack().add_ipsec_sa(spec, now);
    if (!id) {
        table_error(sa, id.error());
        return;
    }
    tunnels.children[child] = *id;
}

bool IkeStack::move_child(ike::SaId sa, ike::ChildId from, ike::ChildId to) {
    // The tunnel ID stays with the traffic through a rekey: it moves to the new Child SA.
    auto it = tunnels_.find(sa);
    if (from == 0 || it == tunnels_.end())
        return false;
    auto& children = it->second.children;
    auto c = children.find(from);
    if (c == children.end())
        return false;
    std::string id = std::move(c->second);
    children.erase(c);
    children[to] = std::move(id);
    return true;
}

void IkeStack::remove_child(ike::SaId sa, ike::ChildId child, TimePoint now) {
    auto it = tunnels_.find(sa);
    if (it == tunnels_.end())
        return;
    auto c = it->second.children.find(child);
    if (c == it->second.children.end())
        return;  // a rekeyed Child SA: its tunnel ID moved on
    std::string const id = c->second;
    it->second.children.erase(c);
    StackManagement* m = model();
    if (m != nullptr && m->stack().find_sa(id, now))
        (void)m->stack().remove_sa(id, now);
}

void IkeStack::forget(ike::SaId sa, TimePoint now) {
    auto it = tunnels_.find(sa);
    if (it == tunnels_.end())
        return;
    Tunnels const tunnels = std::move(it->second);
    tunnels_.erase(it);
    if (StackManagement* m = model()) {
        for (auto const& [child, id] : tunnels.children)
            if (m->stack().find_sa(id, now))
                (void)m->stack().remove_sa(id, now);
        if (m->stack().find_sa(tunnels.ike, now))
            (void)m->stack().remove_sa(tunnels.ike, now);
    }
    rt_.emit(Event("iked.ike_sa_removed")
                 .with("stack", options_.stack_name)
                 .with("sa", sa)
                 .with("id", tunnels.ike)
                 .with("child", tunnels_ids_text(tunnels)));
}

}  // namespace nsslab::iked
