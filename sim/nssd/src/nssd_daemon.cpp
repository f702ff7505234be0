#include "nsslab/nssd/nssd_daemon.hpp"

#include <memory>
#include <optional>
#include <vector>

#include "nsslab/zos/operator_text.hpp"

namespace nsslab::nssd {
namespace {

// With worker threads (Runtime::offload), the server hands its signatures out as SignJobs, up
// to sign_jobs_per_worker per thread in flight, unless the options set their own bound.
constexpr std::size_t sign_jobs_per_worker = 48;

nss::NssServerOptions with_sign_jobs(nss::NssServerOptions options, runtime::Runtime& rt) {
    if (options.limits.sign_jobs_max == 0)
        options.limits.sign_jobs_max = rt.worker_threads() * sign_jobs_per_worker;
    return options;
}

using zos::split_words;

std::optional<wire_nss::MgmtCommand> remote_command(std::vector<std::string> const& w,
                                                    std::size_t at, std::string& target) {
    // w[at] is the option (-f/-y/-k), w[at+1] the function, w[at+2] an optional target.
    if (at + 1 >= w.size())
        return std::nullopt;
    std::string const& opt = w[at];
    std::string const& fn = w[at + 1];
    if (at + 2 < w.size())
        target = w[at + 2];
    if (opt == "-f" && fn == "display")
        return wire_nss::MgmtCommand::display_filters;
    if (opt == "-f" && fn == "default")
        return wire_nss::MgmtCommand::policy_default;
    if (opt == "-f" && fn == "reload")
        return wire_nss::MgmtCommand::policy_reload;
    if (opt == "-k" && fn == "display")
        return wire_nss::MgmtCommand::display_ike_sas;
    if (opt == "-y" && fn == "display")
        return wire_nss::MgmtCommand::display_ipsec_sas;
    if ((opt == "-y" || opt == "-k") && fn == "activate")
        return wire_nss::MgmtCommand::activate_sa;
    if ((opt == "-y" || opt == "-k") && fn == "deactivate")
        return wire_nss::MgmtCommand::deactivate_sa;
    if ((opt == "-y" || opt == "-k") && fn == "refresh")
        return wire_nss::MgmtCommand::refresh_sa;
    return std::nullopt;
}

// Output of a remote (ipsec -z) command arrives after the command returned: one
// "operator.output" event per line, then "operator.result" (the shape docs/scenarios.md gives).
void emit_output(runtime::Runtime& rt, std::string_view command, bool ok,
                 std::vector<std::string> const& lines) {
    std::uint64_t index = 0;
    for (auto const& line : lines)
        rt.emit(Event("operator.output")
                    .with("command", command)
                    .with("index", index++)
                    .with("line", line));
    rt.emit(Event("operator.result")
                .with("command", command)
                .with("ok", ok)
                .with("lines", lines.size()));
}

}  // namespace

NssdDaemon::NssdDaemon(runtime::Runtime& rt, nss::NssServerOptions options, zos::RacfDatabase& racf,
                       zos::KeyRingStore& key_rings, crypto::LibContext& lib)
    : DrivenApplication(rt),
      rt_(rt),
      server_(with_sign_jobs(std::move(options), rt), racf, key_rings, lib),
      driver_(rt, server_, &drivers_, runtime::StreamDriverOptions{"nssd", {}, {}}) {
    driver_.on_completion(
        [this](nss::MgmtResult r, TimePoint) { management_result(std::move(r)); });
    driver_.on_request([this](nss::SignJob job, TimePoint now) { sign(std::move(job), now); });
}

void NssdDaemon::sign(nss::SignJob job, TimePoint now) {
    auto shared = std::make_shared<nss::SignJob const>(std::move(job));
    auto result = std::make_shared<std::optional<Result<Bytes>>>();
    bool const offloaded =
        rt_.offload([shared, result] { result->emplace(shared->run()); },
                    [this, id = shared->id, result](TimePoint done_at) {
                        // on_work_done drains, once for the batch
                        server_.complete_request(id, std::move(**result), done_at);
                    });
    if (!offloaded)  // no worker (or its queue is full): here, now; the drain under way sends it
        server_.complete_request(shared->id, shared->run(), now);
}

void NssdDaemon::on_start(TimePoint now) {
    auto port = static_cast<std::uint16_t>(server_.options().config.nss.port);
    for (IpAddress any : {IpAddress{}, IpAddress::v6({})}) {
        auto listener = rt_.listen(Endpoint{any, port});
        if (listener) {
            listeners_.push_back(*listener);
            driver_.accept_from(*listener);
        } else {
            rt_.emit(Event("nssd.listen_failed")
                         .with("address", Endpoint{any, port}.to_string())
                         .with("error", listener.error().what()));
        }
    }
    rt_.emit(Event("nssd.started").with("port", port).with("listening", !listeners_.empty()));
    drain(now);
}

void NssdDaemon::on_stop(TimePoint) {
    // New clients are refused; the driver closes the remaining connections after on_stop.
    for (auto id : listeners_) {
        driver_.stop_accepting(id);
        rt_.close(id);
    }
    listeners_.clear();
    rt_.emit(Event("nssd.stopped").with("clients", server_.connection_count()));
}

void NssdDaemon::drain(TimePoint now) {
    driver_.drain(now);
    drivers_.arm();
}

void NssdDaemon::management_result(nss::MgmtResult r) {
    auto it = pending_commands_.find(r.ticket);
    std::string command = it != pending_commands_.end() ? it->second : "ipsec -z";
    if (it != pending_commands_.end())
        pending_commands_.erase(it);
    std::vector<std::string> lines = r.lines;
    bool ok = r.result == wire_nss::ResultCode::ok;
    if (!ok)
        lines.push_back(std::string(wire_nss::to_string(r.result)) + ": " + r.reason);
    emit_output(rt_, command, ok, lines);
}

OperatorReply NssdDaemon::operator_command(std::string_view requester, std::string_view command,
                                           TimePoint now) {
    OperatorReply reply;
    std::vector<std::string> w = split_words(command);
    auto finish = [&](bool ok, std::vector<std::string> lines) {
        reply.ok = ok;
        reply.lines = std::move(lines);
        drain(now);
        return reply;
    };
    if (w.size() >= 2 && w[0] == "nssctl" && w[1] == "-d") {
        std::string client = w.size() >= 4 && w[2] == "-c" ? w[3] : "";
        auto lines = server_.nssctl_display(requester, client, now);
        if (!lines)
            return finish(false, {lines.error().message});
        return finish(true, *lines);
    }
    if (w.size() >= 3 && w[0] == "ipsec" && w[1] == "-x" && w[2] == "display") {
        auto lines = server_.ipsec_client_display(requester, now);
        if (!lines)
            return finish(false, {lines.error().message});
        return finish(true, *lines);
    }
    if (w.size() >= 5 && w[0] == "ipsec" && w[1] == "-z") {
        std::string target;
        auto cmd = remote_command(w, 3, target);
        if (cmd) {
            nss::MgmtTicket ticket = server_.request_management(requester, w[2], *cmd, target, now);
            pending_commands_[ticket] = std::string(command);
            reply.ok = true;
            reply.pending = true;
            drain(now);
            return reply;
        }
    }
    return finish(false, {"unknown or unsupported command: " + std::string(command)});
}

}  // namespace nsslab::nssd
