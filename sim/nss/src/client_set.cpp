// NssClientSet: IKED's NSS clients, one per NssStackConfig (docs/nss-client.md "Refresh").
#include "nsslab/nss/client_set.hpp"

#include <algorithm>
#include <cctype>

#include "nsslab/base/text.hpp"

namespace nsslab::nss {

NssClientSet::NssClientSet(std::string system_name, ClientTlsPolicy tls, crypto::LibContext& ctx,
                           NssClientOptions options)
    : system_name_(std::move(system_name)),
      tls_(std::move(tls)),
      ctx_(&ctx),
      options_(std::move(options)) {}

Result<std::vector<std::string>> NssClientSet::apply(zos::IkedConfig const& config, TimePoint now) {
    if (!config.nss_stacks.empty() && !config.ike.has_nss_server())
        return fail(Errc::invalid_argument,
                    "nss client set: NssStackConfig without NetworkSecurityServer[Backup]");
    std::vector<std::string> touched;
    // Removed stacks.
    for (auto it = clients_.begin(); it != clients_.end();) {
        if (config.nss_stacks.count(it->first) == 0) {
            touched.push_back(it->second.client->stack_name());
            it->second.client->stop(now);
            retired_.push_back(std::move(it->second.client));
            it = clients_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto const& [key, stack] : config.nss_stacks) {
        std::string const k = ascii_upper(key);
        auto it = clients_.find(k);
        if (it == clients_.end()) {
            NssClientOptions o = options_;
            o.first_conn_id = next_range_ * conn_range;
            ++next_range_;
            auto c = NssClient::create(config.ike, stack, system_name_, tls_, *ctx_, o);
            if (!c)
                return c.error();
            Entry e{std::move(c.value()), o.first_conn_id};
            if (started_)
                e.client->start(now);
            clients_.emplace(k, std::move(e));
            touched.push_back(stack.stack_name);
        } else {
            auto r = it->second.client->refresh(config.ike, stack, now);
            if (!r)
                return r.error();
            if (r.value())
                touched.push_back(stack.stack_name);
        }
    }
    return touched;
}

void NssClientSet::start(TimePoint now) {
    started_ = true;
    for (auto& [k, e] : clients_)
        e.client->start(now);
}

void NssClientSet::stop(TimePoint now) {
    started_ = false;
    for (auto& [k, e] : clients_)
        e.client->stop(now);
}

NssClient* NssClientSet::client(std::string_view stack_name) {
    auto it = clients_.find(ascii_upper(stack_name));
    return it == clients_.end() ? nullptr : it->second.client.get();
}

NssClient* NssClientSet::route(ConnId conn) {
    for (auto& [k, e] : clients_)
        if (conn >= e.first_conn && conn < e.first_conn + conn_range)
            return e.client.get();
    return nullptr;
}

std::optional<ClientAction> NssClientSet::poll_action() {
    for (auto& c : retired_)
        if (auto a = c->poll_action())
            return a;
    for (auto& [k, e] : clients_)
        if (auto a = e.client->poll_action())
            return a;
    return std::nullopt;
}

std::optional<Event> NssClientSet::poll_event() {
    for (auto& c : retired_)
        if (auto ev = c->poll_event())
            return ev;
    for (auto& [k, e] : clients_)
        if (auto ev = e.client->poll_event())
            return ev;
    return std::nullopt;
}

std::optional<std::pair<std::string, Completion>> NssClientSet::poll_completion() {
    for (auto& c : retired_)
        if (auto done = c->poll_completion())
            return std::make_pair(c->stack_name(), std::move(*done));
    // A removed stack's client is dropped once everything it produced has been drained.
    std::erase_if(retired_, [](std::unique_ptr<NssClient> const& c) { return !c->has_output(); });
    for (auto& [k, e] : clients_)
        if (auto c = e.client->poll_completion())
            return std::make_pair(e.client->stack_name(), std::move(*c));
    return std::nullopt;
}

std::optional<TimePoint> NssClientSet::next_timeout() const {
    std::optional<TimePoint> t;
    for (auto const& [k, e] : clients_)
        if (auto x = e.client->next_timeout(); x && (!t || *x < *t))
            t = x;
    return t;
}

void NssClientSet::handle_timeout(TimePoint now) {
    for (auto& [k, e] : clients_)
        if (auto x = e.client->next_timeout(); x && *x <= now)
            e.client->handle_timeout(now);
}

std::vector<StackDisplay> NssClientSet::snapshots() const {
    std::vector<StackDisplay> out;
    for (auto const& [k, e] : clients_)
        out.push_back(e.client->snapshot());
    return out;
}

}  // namespace nsslab::nss
