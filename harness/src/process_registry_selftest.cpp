// Harness self-test process types (docs/scenarios.md, "Self-test process types"): a TCP/UDP
// echo server and a client that pings it, times out and reconnects. They exist to test the
// harness itself (faults, steps, operator commands, expectations, reports) while the NSS
// daemons are being written; they model no z/OS component.
#include <algorithm>
#include <charconv>
#include <map>

#include "nsslab/base/trace.hpp"
#include "nsslab/harness/process_registry.hpp"
#include "nsslab/harness/scenario.hpp"

namespace nsslab::harness {
namespace {

using runtime::Application;
using runtime::Runtime;
using runtime::SocketId;
using runtime::StreamEnd;
using namespace std::chrono_literals;

std::optional<std::uint16_t> parse_port(std::string const& text) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size() || v == 0 || v > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(v);
}

Result<void> check_args(ProcessContext const& ctx, std::vector<std::string> const& allowed) {
    for (auto const& [k, v] : ctx.args)
        if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
            std::string msg =
                ctx.type + " on " + ctx.system_name + ": unknown argument '" + k + "'";
            if (auto hint = closest(k, allowed); !hint.empty())
                msg += "; did you mean '" + hint + "'?";
            return fail(Errc::invalid_argument, msg);
        }
    return {};
}

class EchoServer final : public Application, public Operable {
  public:
    EchoServer(Runtime& rt, std::uint16_t port) : rt_(rt), port_(port) {}

    void on_start(TimePoint) override {
        (void)rt_.listen(Endpoint{IpAddress{}, port_});
        (void)rt_.open_datagram(Endpoint{IpAddress{}, port_});
    }
    void on_accepted(SocketId, SocketId stream, TimePoint) override {
        ++accepted_;
        auto info = rt_.stream_info(stream);
        rt_.emit(Event("selftest.accepted")
                     .with("peer", info ? info->remote.to_string() : std::string("?")));
    }
    void on_received(SocketId stream, ByteView data, TimePoint) override {
        bytes_ += data.size();
        (void)rt_.send(stream, data);
    }
    void on_stream_closed(SocketId stream, StreamEnd why, TimePoint) override {
        rt_.emit(Event("selftest.closed").with("why", nsslab::to_string(why)));
        rt_.close(stream);
    }
    void on_datagram(SocketId socket, Endpoint const& /*local*/, Endpoint const& from,
                     ByteView payload, TimePoint) override {
        bytes_ += payload.size();
        (void)rt_.send_datagram(socket, from, payload);
    }
    OperatorResult operator_command(std::string_view command, TimePoint) override {
        if (command == "DISPLAY")
            return {true,
                    {"ECHO SERVER PORT " + std::to_string(port_),
                     "ACCEPTED " + std::to_string(accepted_) + " BYTES " + std::to_string(bytes_)}};
        return {false, {"UNKNOWN COMMAND: " + std::string(command)}};
    }

  private:
    Runtime& rt_;
    std::uint16_t port_;
    std::uint64_t accepted_{0};
    std::uint64_t bytes_{0};
};

struct ClientOptions {
    Endpoint server;
    Duration interval{1s};
    Duration timeout{3s};
    Duration retry{2s};
};

class EchoClient final : public Application, public Operable {
  public:
    EchoClient(Runtime& rt, ClientOptions options) : rt_(rt), o_(options) {}

    void on_start(TimePoint) override { connect(); }
    void on_connected(SocketId, TimePoint now) override {
        state_ = State::connected;
        rt_.emit(Event("selftest.connected")
                     .with("server", o_.server.to_string())
                     .with("attempt", attempts_));
        send_ping(now);
    }
    void on_received(SocketId, ByteView data, TimePoint now) override {
        pending_.append(as_chars(data));
        for (auto nl = pending_.find('\n'); nl != std::string::npos; nl = pending_.find('\n')) {
            std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            ++echoed_;
            rt_.emit(Event("selftest.echo").with("line", line));
            awaiting_ = false;
        }
        if (!awaiting_)
            rt_.set_deadline(last_sent_ + o_.interval > now ? last_sent_ + o_.interval : now);
    }
    void on_stream_closed(SocketId, StreamEnd why, TimePoint now) override {
        disconnected(std::string(nsslab::to_string(why)), now);
    }
    void on_deadline(TimePoint now) override {
        if (state_ == State::waiting) {
            connect();
        } else if (state_ == State::connected) {
            if (awaiting_ && now - last_sent_ >= o_.timeout) {
                rt_.abort(stream_);
                disconnected("echo timeout", now);
            } else if (!awaiting_) {
                send_ping(now);
            }
        }
    }
    OperatorResult operator_command(std::string_view command, TimePoint now) override {
        if (command == "DISPLAY") {
            static constexpr char const* names[] = {"WAITING", "CONNECTING", "CONNECTED"};
            return {true,
                    {"ECHO CLIENT " + std::string(names[static_cast<int>(state_)]) + " SERVER " +
                         o_.server.to_string(),
                     "SENT " + std::to_string(sent_) + " ECHOED " + std::to_string(echoed_) +
                         " CONNECTS " + std::to_string(attempts_)}};
        }
        if (command == "RESET") {
            if (state_ == State::waiting)
                return {false, {"NOT CONNECTED"}};
            rt_.abort(stream_);
            disconnected("operator reset", now);
            return {true, {"CONNECTION RESET"}};
        }
        return {false, {"UNKNOWN COMMAND: " + std::string(command)}};
    }

  private:
    enum class State : std::uint8_t { waiting, connecting, connected };

    void connect() {
        ++attempts_;
        auto stream = rt_.connect(o_.server);
        if (!stream) {
            disconnected(stream.error().what(), rt_.now());
            return;
        }
        stream_ = *stream;
        state_ = State::connecting;
        pending_.clear();
        awaiting_ = false;
        rt_.set_deadline(std::nullopt);
    }
    void disconnected(std::string why, TimePoint now) {
        rt_.emit(Event("selftest.disconnected").with("why", why));
        state_ = State::waiting;
        rt_.set_deadline(now + o_.retry);
    }
    void send_ping(TimePoint now) {
        std::string line = "ping " + std::to_string(sent_++) + "\n";
        (void)rt_.send(stream_, as_bytes(line));
        last_sent_ = now;
        awaiting_ = true;
        rt_.set_deadline(now + o_.timeout);
    }

    Runtime& rt_;
    ClientOptions o_;
    State state_{State::waiting};
    SocketId stream_{0};
    std::string pending_;
    bool awaiting_{false};
    TimePoint last_sent_;
    std::uint64_t sent_{0};
    std::uint64_t echoed_{0};
    std::uint64_t attempts_{0};
};

Result<engine::AppFactory> make_server(ProcessContext const& ctx) {
    if (auto ok = check_args(ctx, {"port"}); !ok)
        return ok.error();
    std::uint16_t port = 7;
    if (auto it = ctx.args.find("port"); it != ctx.args.end()) {
        auto p = parse_port(it->second);
        if (!p)
            return fail(Errc::invalid_argument, ctx.type + ": bad port '" + it->second + "'");
        port = *p;
    }
    return engine::AppFactory(
        [port](Runtime& rt) { return std::make_unique<EchoServer>(rt, port); });
}

Result<engine::AppFactory> make_client(ProcessContext const& ctx) {
    if (auto ok = check_args(ctx, {"server", "interval", "timeout", "retry"}); !ok)
        return ok.error();
    ClientOptions o;
    auto it = ctx.args.find("server");
    if (it == ctx.args.end())
        return fail(Errc::invalid_argument,
                    ctx.type + " on " + ctx.system_name +
                        ": needs args.server, the echo server's address and port (\"10.1.1.2:7\")");
    auto server = Endpoint::parse(it->second);
    if (!server)
        return fail(Errc::invalid_argument, ctx.type + ": bad server '" + it->second + "'");
    o.server = *server;
    for (auto [key, field] : {std::pair{"interval", &o.interval}, std::pair{"timeout", &o.timeout},
                              std::pair{"retry", &o.retry}}) {
        if (auto a = ctx.args.find(key); a != ctx.args.end()) {
            auto d = parse_duration(a->second);
            if (!d || *d <= Duration{0})
                return fail(Errc::invalid_argument,
                            ctx.type + ": bad " + key + " '" + a->second + "'");
            *field = *d;
        }
    }
    return engine::AppFactory([o](Runtime& rt) { return std::make_unique<EchoClient>(rt, o); });
}

}  // namespace

void register_selftest_process_types(ProcessRegistry& registry) {
    (void)registry.add("selftest-echo-server",
                       "harness self-test: TCP and UDP echo (args: port, default 7)", make_server);
    (void)registry.add("selftest-echo-client",
                       "harness self-test: pings an echo server over TCP, reconnects after a "
                       "timeout (args: server, interval, timeout, retry)",
                       make_client);
}

}  // namespace nsslab::harness
