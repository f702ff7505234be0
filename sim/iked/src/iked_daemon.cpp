#include "nsslab/iked/iked_daemon.hpp"

#include <sstream>

#include "nsslab/base/text.hpp"
#include "nsslab/nss/client_display.hpp"
#include "nsslab/zos/operator_text.hpp"

namespace nsslab::iked {
namespace {

using zos::split_words;

std::vector<std::string> split_lines(std::string const& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        lines.push_back(l);
    return lines;
}

std::optional<wire_nss::SignatureScheme> scheme_from(std::string_view name) {
    for (int i = 1; i <= 10; ++i) {
        auto s = static_cast<wire_nss::SignatureScheme>(i);
        if (wire_nss::to_string(s) == name)
            return s;
    }
    return std::nullopt;
}

}  // namespace

IkedDaemon::IkedDaemon(runtime::Runtime& rt, IkedOptions options, crypto::LibContext& lib)
    : DrivenApplication(rt), rt_(rt), options_(std::move(options)), lib_(lib) {}

IkedDaemon::~IkedDaemon() = default;

Result<zos::IkedConfig> IkedDaemon::load_config() {
    auto text = rt_.files().read(options_.config_path);
    if (!text)
        return Error{text.error().code,
                     "IKED_FILE " + options_.config_path + ": " + text.error().message};
    zos::IkedConfParseOptions parse;
    parse.file_name = options_.config_path;
    parse.system_name = options_.system_name;
    return zos::parse_iked_conf(*text, parse);
}

Result<std::unique_ptr<nss::NssClient>> IkedDaemon::make_client(zos::IkeConfig const& ike,
                                                                zos::NssStackConfig const& stack,
                                                                std::uint64_t index) {
    nss::NssClientOptions opts = options_.client;
    opts.first_conn_id = index << 32;
    opts.tls_contexts = &tls_contexts_;
    if (stack.auth_by == zos::NssAuthBy::passticket && options_.racf != nullptr) {
        // The PassTicket key for application NSSD lives in IKED's local RACF (seed document).
        if (auto const* profile = options_.racf->profile("PTKTDATA", "NSSD")) {
            if (profile->ssignon)
                opts.passticket =
                    nss::PassTicketSource{profile->ssignon->key, profile->ssignon->type, "NSSD"};
            else if (profile->eptktdata)
                opts.passticket = nss::PassTicketSource{profile->eptktdata->key,
                                                        profile->eptktdata->type, "NSSD"};
        }
    }
    return nss::NssClient::create(ike, stack, options_.system_name, options_.tls, lib_,
                                  std::move(opts));
}

Result<void> IkedDaemon::apply_config(zos::IkedConfig config, TimePoint now) {
    // Removed stacks: close their connections.
    for (auto it = stacks_.begin(); it != stacks_.end();) {
        if (config.nss_stacks.count(it->first) == 0) {
            rt_.emit(Event("iked.nss_stack_removed").with("stack", it->first));
            it->second.client->stop(now);
            it->second.driver->drain(now);  // its Close and close transmits
            it->second.driver->close_all();
            it = stacks_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto const& [name, stack_config] : config.nss_stacks) {
        auto it = stacks_.find(name);
        if (it == stacks_.end()) {
            std::uint64_t index = next_index_++;
            auto client = make_client(config.ike, stack_config, index);
            if (!client) {
                rt_.emit(Event("iked.nss_stack_error")
                             .with("stack", name)
                             .with("error", client.error().what()));
                continue;
            }
            if (auto m = managed_.find(name); m != managed_.end())
                (*client)->set_managed_stack(m->second);
            rt_.emit(Event("iked.nss_stack_added")
                         .with("stack", name)
                         .with("client", stack_config.client_name));
            Stack& s = stacks_[name];
            s.client = std::move(*client);
            s.index = index;
            attach_driver(name, s);
            s.client->start(now);
        } else {
            auto changed = it->second.client->refresh(config.ike, stack_config, now);
            if (!changed)
                rt_.emit(Event("iked.nss_stack_error")
                             .with("stack", name)
                             .with("error", changed.error().what()));
            else if (*changed)
                rt_.emit(Event("iked.nss_stack_changed").with("stack", name));
        }
    }
    config_ = std::move(config);
    return {};
}

void IkedDaemon::on_start(TimePoint now) {
    auto config = load_config();
    if (!config) {
        rt_.emit(Event("iked.config_error").with("error", config.error().what()));
        return;
    }
    rt_.emit(Event("iked.started").with("stacks", config->nss_stacks.size()));
    (void)apply_config(std::move(*config), now);
    drain(now);
}

void IkedDaemon::on_stop(TimePoint now) {
    for (auto& [name, stack] : stacks_)
        stack.client->stop(now);
    drain(now);
    rt_.emit(Event("iked.stopped"));
}

void IkedDaemon::attach_driver(std::string const& name, Stack& stack) {
    runtime::StreamDriverOptions opts{"iked", "stack", name};
    stack.driver = std::make_unique<runtime::StreamDriver<nss::NssClient>>(rt_, *stack.client,
                                                                           &drivers_, opts);
    stack.driver->on_completion([this, name](nss::Completion done, TimePoint) {
        rt_.emit(Event("iked.nss_completion")
                     .with("stack", name)
                     .with("handle", done.handle)
                     .with("result", wire_nss::to_string(done.result))
                     .with("reason", done.reason)
                     .with("attempts", done.attempts));
    });
}

nss::NssClient* IkedDaemon::client(std::string_view stack_name) {
    auto it = stacks_.find(ascii_upper(stack_name));
    return it == stacks_.end() ? nullptr : it->second.client.get();
}

std::vector<std::string> IkedDaemon::stack_names() const {
    std::vector<std::string> out;
    for (auto const& [name, stack] : stacks_)
        out.push_back(name);
    return out;
}

void IkedDaemon::set_managed_stack(std::string_view stack_name, nss::ManagedStack* stack) {
    managed_[ascii_upper(stack_name)] = stack;
    if (nss::NssClient* c = client(stack_name))
        c->set_managed_stack(stack);
}

void IkedDaemon::set_managed_stack(std::string_view stack_name, StackManagement* stack) {
    set_managed_stack(stack_name, static_cast<nss::ManagedStack*>(stack));
    if (stack != nullptr)
        local_stacks_[ascii_upper(stack_name)] = &stack->stack();
    else
        local_stacks_.erase(ascii_upper(stack_name));
}

std::optional<nss::RequestHandle> IkedDaemon::sign(std::string_view stack_name, std::string label,
                                                   wire_nss::SignatureScheme scheme, Bytes data,
                                                   TimePoint now) {
    nss::NssClient* c = client(stack_name);
    if (c == nullptr)
        return std::nullopt;
    auto handle = c->request_sign(std::move(label), scheme, std::move(data), now);
    rt_.emit(Event("iked.nss_request")
                 .with("stack", ascii_upper(stack_name))
                 .with("handle", handle)
                 .with("kind", "sign"));
    drain(now);
    return handle;
}

void IkedDaemon::drain(TimePoint now) {
    for (auto& [name, stack] : stacks_)
        stack.driver->drain(now);
    drivers_.arm();
}

OperatorReply IkedDaemon::operator_command(std::string_view requester, std::string_view command,
                                           TimePoint now) {
    OperatorReply reply;
    auto w = split_words(command);
    auto finish = [&](bool ok, std::vector<std::string> lines) {
        reply.ok = ok;
        reply.lines = std::move(lines);
        drain(now);
        return reply;
    };
    std::string joined = ascii_upper(command);
    if (joined.rfind("MODIFY IKED,REFRESH", 0) == 0 || joined.rfind("F IKED,REFRESH", 0) == 0) {
        auto config = load_config();
        if (!config)
            return finish(false, {config.error().message});
        (void)apply_config(std::move(*config), now);
        return finish(true, {"EZD1047I IKE DAEMON REFRESH COMPLETE (emulation)"});
    }
    if (w.size() >= 3 && w[0] == "ipsec" && w[1] == "-w" && w[2] == "display") {
        std::string profile =
            "EZB.NETMGMT." + options_.system_name + "." + options_.system_name + ".IKED.DISPLAY";
        if (options_.racf == nullptr)
            return finish(false, {"no local RACF: " + profile + " cannot be checked"});
        auto decision = options_.racf->check(requester, "SERVAUTH", profile, zos::RacfAccess::read);
        if (!decision.allowed)
            return finish(false, {"EZD0906I Not authorized: " + std::string(requester) +
                                  " lacks READ to " + profile});
        std::vector<nss::StackDisplay> displays;
        for (auto const& [name, stack] : stacks_)
            displays.push_back(stack.client->snapshot());
        nss::IpsecWHeader header;
        header.system_name = options_.system_name;
        header.now = now;
        return finish(true, split_lines(nss::format_ipsec_w(header, displays)));
    }
    if (w.size() == 6 && w[0] == "nss" && w[1] == "sign") {
        auto scheme = scheme_from(w[4]);
        auto data = from_hex(w[5]);
        if (!scheme || !data)
            return finish(false, {"usage: nss sign <stack> <label> <scheme> <hex>"});
        auto handle = sign(w[2], w[3], *scheme, std::move(*data), now);
        if (!handle)
            return finish(false, {"stack " + w[2] + " is not an NSS client"});
        return finish(true, {"request " + std::to_string(*handle) + " submitted"});
    }
    if (w.size() >= 2 && w[0] == "ipsec")
        return local_ipsec(requester, std::move(w), now);
    if (w.size() >= 2 && w[0] == "sa" && w[1] == "add")
        return add_sa(w, now);
    return finish(false, {"unknown or unsupported command: " + std::string(command)});
}

}  // namespace nsslab::iked
