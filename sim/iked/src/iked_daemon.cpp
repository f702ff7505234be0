// The IKE daemon composed from its parts (nsslab/iked/iked_daemon.hpp).
#include "nsslab/iked/iked_daemon.hpp"

#include <sstream>

#include "nsslab/base/text.hpp"
#include "nsslab/nss/client_display.hpp"

namespace nsslab::iked {
namespace {

std::vector<std::string> split_lines(std::string const& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        lines.push_back(l);
    return lines;
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

nss::NssClientOptions IkedDaemon::client_options(zos::NssStackConfig const& stack,
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
    return opts;
}

StackManagement* IkedDaemon::model_for(std::string const& stack_name, TimePoint now) {
    if (auto it = attached_.find(stack_name); it != attached_.end())
        return it->second;
    return options_.models ? options_.models->model(stack_name, rt_.files(), now) : nullptr;
}

Result<void> IkedDaemon::apply_config(zos::IkedConfig config, TimePoint now) {
    // Removed stacks: close their connections.
    for (auto it = stacks_.begin(); it != stacks_.end();) {
        if (config.nss_stacks.count(it->first) == 0) {
            rt_.emit(Event("iked.nss_stack_removed").with("stack", it->first));
            it->second->stop(now);
            it = stacks_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto const& [name, stack_config] : config.nss_stacks) {
        auto it = stacks_.find(name);
        if (it == stacks_.end()) {
            std::uint64_t const index = next_index_++;
            auto stack = IkedStack::create(rt_, drivers_, name, config.ike, stack_config,
                                           options_.system_name, options_.tls, lib_,
                                           client_options(stack_config, index));
            if (!stack) {
                rt_.emit(Event("iked.nss_stack_error")
                             .with("stack", name)
                             .with("error", stack.error().what()));
                continue;
            }
            (*stack)->set_model(model_for(name, now));
            rt_.emit(Event("iked.nss_stack_added")
                         .with("stack", name)
                         .with("client", stack_config.client_name));
            IkedStack& added = *stacks_.emplace(name, std::move(*stack)).first->second;
            added.start(now);
        } else {
            auto changed = it->second->refresh(config.ike, stack_config, now);
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
    start_ike(now);
    drain(now);
}

void IkedDaemon::start_ike(TimePoint now) {
    zos::FilterPolicy const* filters = nullptr;
    if (options_.models && options_.models->ipsec_policy())
        filters = &*options_.models->ipsec_policy();
    for (auto const& [name, policy] : options_.ike_policies) {
        (void)model_for(name, now);  // the stack's SA tables exist from the start
        IkeStackOptions o;
        o.stack_name = name;
        o.port = options_.ike_port;
        if (config_) {
            o.ike.init_wait = config_->ike.ike_init_wait;
            o.ike.retries = config_->ike.ike_retries;
        }
        auto stack = std::make_unique<IkeStack>(
            rt_, drivers_, std::move(o), policy, filters, lib_,
            [this, name = name] { return this->stack(name); },
            [this, name = name] { return model_for(name, rt_.now()); });
        IkeStack& started = *ike_stacks_.emplace(name, std::move(stack)).first->second;
        started.start(now);
    }
}

IkeStack* IkedDaemon::ike_stack(std::string_view stack_name) {
    auto it = ike_stacks_.find(ascii_upper(stack_name));
    return it == ike_stacks_.end() ? nullptr : it->second.get();
}

void IkedDaemon::on_stop(TimePoint now) {
    for (auto& [name, stack] : ike_stacks_)
        stack->stop(now);
    for (auto& [name, stack] : stacks_)
        stack->stop(now);
    drain(now);
    rt_.emit(Event("iked.stopped"));
}

IkedStack* IkedDaemon::stack(std::string_view stack_name) {
    auto it = stacks_.find(ascii_upper(stack_name));
    return it == stacks_.end() ? nullptr : it->second.get();
}

nss::NssClient const* IkedDaemon::client(std::string_view stack_name) const {
    auto it = stacks_.find(ascii_upper(stack_name));
    return it == stacks_.end() ? nullptr : &it->second->client();
}

std::vector<std::string> IkedDaemon::stack_names() const {
    std::vector<std::string> out;
    for (auto const& [name, stack] : stacks_)
        out.push_back(name);
    return out;
}

void IkedDaemon::set_managed_stack(std::string_view stack_name, StackManagement* model) {
    std::string const name = ascii_upper(stack_name);
    if (model != nullptr)
        attached_[name] = model;
    else
        attached_.erase(name);
    if (IkedStack* s = stack(name))
        s->set_model(model);
}

zos::TcpipStack* IkedDaemon::local_model(std::string const& stack_name) const {
    if (auto it = attached_.find(stack_name); it != attached_.end())
        return &it->second->stack();
    return options_.models ? options_.models->find(stack_name) : nullptr;
}

std::vector<std::string> IkedDaemon::local_model_names() const {
    std::vector<std::string> names;
    for (auto const& [name, model] : attached_)
        names.push_back(name);
    if (options_.models)
        for (auto const& name : options_.models->names())
            if (attached_.count(name) == 0)
                names.push_back(name);
    return names;
}

std::optional<nss::RequestHandle> IkedDaemon::sign(std::string_view stack_name, std::string label,
                                                   wire_nss::SignatureScheme scheme, Bytes data,
                                                   TimePoint now, IkedStack::Requester requester) {
    IkedStack* s = stack(stack_name);
    if (s == nullptr)
        return std::nullopt;
    auto handle =
        s->request_sign(std::move(label), scheme, std::move(data), now, std::move(requester));
    drivers_.arm();
    return handle;
}

void IkedDaemon::drain(TimePoint now) {
    for (auto& [name, stack] : stacks_)
        stack->drain(now);
    for (auto& [name, stack] : ike_stacks_)
        stack->drain(now);
    drivers_.arm();
}

OperatorReply IkedDaemon::operator_command(std::string_view requester, std::string_view command,
                                           TimePoint now) {
    auto parsed = parse_console_command(command);
    OperatorReply reply;
    if (!parsed) {
        reply.lines = {parsed.error().message};
    } else if (auto const* refresh_cmd = std::get_if<RefreshCommand>(&*parsed)) {
        reply = refresh(*refresh_cmd, now);
    } else if (std::holds_alternative<NssDisplayCommand>(*parsed)) {
        reply = nss_display(requester, now);
    } else if (auto* sign_cmd = std::get_if<NssSignCommand>(&*parsed)) {
        reply = nss_sign(command, std::move(*sign_cmd), now);
    } else if (auto const* local = std::get_if<LocalIpsecCommand>(&*parsed)) {
        reply = local_ipsec(requester, *local, now);
    } else if (auto const* add = std::get_if<SaAddCommand>(&*parsed)) {
        reply = add_sa(add->words, now);
    }
    drain(now);
    return reply;
}

OperatorReply IkedDaemon::refresh(RefreshCommand const& command, TimePoint now) {
    if (command.file) {
        // FILE=name: another configuration from /etc/security replaces iked.conf.
        auto content = rt_.files().read("/etc/security/" + *command.file);
        if (!content)
            return {false, {content.error().message}, false};
        if (auto written = rt_.files().write(options_.config_path, *content); !written)
            return {false, {written.error().message}, false};
    }
    auto config = load_config();
    if (!config)
        return {false, {config.error().message}, false};
    (void)apply_config(std::move(*config), now);
    return {true, {"NSL0002I IKED refresh complete"}, false};
}

OperatorReply IkedDaemon::nss_display(std::string_view requester, TimePoint now) {
    std::string profile =
        "EZB.NETMGMT." + options_.system_name + "." + options_.system_name + ".IKED.DISPLAY";
    if (options_.racf == nullptr)
        return {false, {"no local RACF: " + profile + " cannot be checked"}, false};
    auto decision = options_.racf->check(requester, "SERVAUTH", profile, zos::RacfAccess::read);
    if (!decision.allowed)
        return {
            false,
            {"NSL0001I Not authorized: " + std::string(requester) + " lacks READ to " + profile},
            false};
    std::vector<nss::StackDisplay> displays;
    for (auto const& [name, s] : stacks_)
        displays.push_back(s->client().snapshot());
    nss::IpsecWHeader header;
    header.system_name = options_.system_name;
    header.now = now;
    return {true, split_lines(nss::format_ipsec_w(header, displays)), false};
}

OperatorReply IkedDaemon::nss_sign(std::string_view command_text, NssSignCommand command,
                                   TimePoint now) {
    // The answer goes back to the operator's console (the shape of NSSD's ipsec -z output).
    auto answer = [this, text = std::string(command_text)](nss::Completion const& done, TimePoint) {
        bool const ok = done.result == wire_nss::ResultCode::ok;
        std::string line = "request " + std::to_string(done.handle) + " ";
        if (ok) {
            auto const* reply = std::get_if<wire_nss::SignReply>(&done.payload);
            line += "ok: signature of " +
                    std::to_string(reply != nullptr ? reply->signature.size() : 0) + " bytes";
        } else {
            line += std::string(wire_nss::to_string(done.result)) + ": " + done.reason;
        }
        rt_.emit(
            Event("operator.output").with("command", text).with("index", 0).with("line", line));
        rt_.emit(Event("operator.result").with("command", text).with("ok", ok).with("lines", 1));
    };
    auto handle = sign(command.stack, std::move(command.label), command.scheme,
                       std::move(command.data), now, std::move(answer));
    if (!handle)
        return {false, {"stack " + command.stack + " is not an NSS client"}, false};
    return {true, {"request " + std::to_string(*handle) + " submitted"}, true};
}

}  // namespace nsslab::iked
