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

nss::CloseReason close_reason(runtime::StreamEnd why) {
    switch (why) {
        case runtime::StreamEnd::eof:
            return nss::CloseReason::eof;
        case runtime::StreamEnd::reset:
            return nss::CloseReason::reset;
        case runtime::StreamEnd::refused:
            return nss::CloseReason::refused;
        case runtime::StreamEnd::timed_out:
            return nss::CloseReason::timed_out;
        case runtime::StreamEnd::unreachable:
            return nss::CloseReason::unreachable;
    }
    return nss::CloseReason::reset;
}

IkedDaemon::IkedDaemon(runtime::Runtime& rt, IkedOptions options, crypto::LibContext& lib)
    : rt_(rt), options_(std::move(options)), lib_(lib) {}

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
            drain_stack(it->first, it->second, now);
            forget_stack_links(it->first);
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

void IkedDaemon::on_deadline(TimePoint now) {
    for (auto& [name, stack] : stacks_)
        if (auto t = stack.client->next_timeout(); t && *t <= now)
            stack.client->handle_timeout(now);
    drain(now);
}

void IkedDaemon::on_connected(runtime::SocketId stream, TimePoint now) {
    auto it = links_.find(stream);
    if (it == links_.end())
        return;
    auto info = rt_.stream_info(stream);
    if (nss::NssClient* c = client(it->second.stack))
        c->handle_connected(it->second.conn, now, info ? info->local : Endpoint{});
    drain(now);
}

void IkedDaemon::on_received(runtime::SocketId stream, ByteView data, TimePoint now) {
    auto it = links_.find(stream);
    if (it == links_.end())
        return;
    if (nss::NssClient* c = client(it->second.stack))
        c->handle_received(it->second.conn, data, now);
    drain(now);
}

void IkedDaemon::on_stream_closed(runtime::SocketId stream, runtime::StreamEnd why, TimePoint now) {
    auto it = links_.find(stream);
    rt_.close(stream);
    if (it == links_.end())
        return;
    Link link = it->second;
    links_.erase(it);
    sockets_.erase({link.stack, link.conn});
    if (nss::NssClient* c = client(link.stack))
        c->handle_closed(link.conn, close_reason(why), now);
    drain(now);
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

void IkedDaemon::forget_stack_links(std::string const& name) {
    for (auto it = links_.begin(); it != links_.end();) {
        if (it->second.stack == name) {
            sockets_.erase({name, it->second.conn});
            rt_.close(it->first);
            it = links_.erase(it);
        } else {
            ++it;
        }
    }
}

void IkedDaemon::drain_stack(std::string const& name, Stack& stack, TimePoint now) {
    nss::NssClient& c = *stack.client;
    while (c.has_output()) {
        while (auto a = c.poll_action()) {
            auto key = std::make_pair(name, a->conn);
            switch (a->kind) {
                case nss::ClientAction::Kind::connect: {
                    auto sock = rt_.connect(a->server);
                    if (!sock) {
                        rt_.emit(Event("iked.connect_failed")
                                     .with("stack", name)
                                     .with("server", a->server.to_string())
                                     .with("error", sock.error().what()));
                        c.handle_closed(a->conn, nss::CloseReason::unreachable, now);
                        break;
                    }
                    links_[*sock] = Link{name, a->conn};
                    sockets_[key] = *sock;
                    break;
                }
                case nss::ClientAction::Kind::transmit: {
                    auto it = sockets_.find(key);
                    if (it == sockets_.end())
                        break;
                    if (auto sent = rt_.send(it->second, a->bytes); !sent) {
                        runtime::SocketId sock = it->second;
                        rt_.abort(sock);
                        links_.erase(sock);
                        sockets_.erase(it);
                        c.handle_closed(a->conn, nss::CloseReason::reset, now);
                    }
                    break;
                }
                case nss::ClientAction::Kind::close:
                case nss::ClientAction::Kind::abort: {
                    auto it = sockets_.find(key);
                    if (it == sockets_.end())
                        break;
                    if (a->kind == nss::ClientAction::Kind::close)
                        rt_.close(it->second);
                    else
                        rt_.abort(it->second);
                    links_.erase(it->second);
                    sockets_.erase(it);
                    break;
                }
            }
        }
        while (auto e = c.poll_event())
            rt_.emit(std::move(*e));
        while (auto done = c.poll_completion()) {
            rt_.emit(Event("iked.nss_completion")
                         .with("stack", name)
                         .with("handle", done->handle)
                         .with("result", wire_nss::to_string(done->result))
                         .with("reason", done->reason)
                         .with("attempts", done->attempts));
        }
    }
}

void IkedDaemon::drain(TimePoint now) {
    if (draining_)
        return;  // a core input made while draining is drained by the outer loop
    draining_ = true;
    for (auto& [name, stack] : stacks_)
        drain_stack(name, stack, now);
    draining_ = false;
    std::optional<TimePoint> next;
    for (auto const& [name, stack] : stacks_) {
        auto t = stack.client->next_timeout();
        if (t && (!next || *t < *next))
            next = t;
    }
    rt_.set_deadline(next);
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
