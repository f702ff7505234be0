// The `tcp-probe` process type (docs/scenarios.md, "Self-test process types"): a plain TCP
// client that connects to a server, sends given bytes (no TLS, no protocol), records what comes
// back and how the connection ends. Scenarios use it to play a client without TLS against the
// NSS server's AT-TLS port (DESIGN.md §7: "client without TLS rejected"; the server logs
// DBG0104I, zos-nss-facts.md §7). It models no z/OS component.
#include <algorithm>

#include "nsslab/base/bytes.hpp"
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

inline constexpr std::size_t received_hex_bytes_max = 64;

struct ProbeOptions {
    Endpoint server;
    Bytes payload;          // sent once connected (may be empty: connect only)
    Duration delay{0s};     // from process start to the connect
    Duration timeout{30s};  // the probe closes the connection if the peer has not by then
};

class TcpProbe final : public Application, public Operable {
  public:
    TcpProbe(Runtime& rt, ProbeOptions options) : rt_(rt), o_(std::move(options)) {}

    void on_start(TimePoint now) override {
        if (o_.delay > Duration::zero()) {
            state_ = State::waiting;
            rt_.set_deadline(now + o_.delay);
        } else {
            connect(now);
        }
    }
    void on_connected(SocketId, TimePoint now) override {
        state_ = State::connected;
        connected_at_ = now;
        auto info = rt_.stream_info(stream_);
        rt_.emit(Event("probe.connected")
                     .with("server", o_.server.to_string())
                     .with("local", info ? info->local.to_string() : std::string("?"))
                     .with("attempt", attempts_));
        if (!o_.payload.empty()) {
            if (auto sent = rt_.send(stream_, o_.payload); !sent) {
                finish("send failed: " + sent.error().what(), true, now);
                return;
            }
            sent_ += o_.payload.size();
            rt_.emit(Event("probe.sent").with("bytes", o_.payload.size()));
        }
    }
    void on_received(SocketId, ByteView data, TimePoint) override {
        received_ += data.size();
        ByteView shown = data.first(std::min(data.size(), received_hex_bytes_max));
        rt_.emit(Event("probe.received").with("bytes", data.size()).with("hex", to_hex(shown)));
    }
    void on_stream_closed(SocketId, StreamEnd why, TimePoint now) override {
        finish(std::string(nsslab::to_string(why)), false, now);
    }
    void on_deadline(TimePoint now) override {
        if (state_ == State::waiting)
            connect(now);
        else if (state_ != State::idle && now >= deadline_)
            finish("timeout", true, now);
    }
    OperatorResult operator_command(std::string_view command, TimePoint now) override {
        if (command == "DISPLAY") {
            static constexpr char const* names[] = {"IDLE", "WAITING", "CONNECTING", "CONNECTED"};
            return {true,
                    {"TCP PROBE " + o_.server.to_string() + " " + names[static_cast<int>(state_)],
                     "CONNECTS " + std::to_string(attempts_) + " SENT " + std::to_string(sent_) +
                         " RECEIVED " + std::to_string(received_) + " LAST END " +
                         (last_end_.empty() ? std::string("NONE") : last_end_)}};
        }
        if (command == "CONNECT") {
            if (state_ != State::idle)
                return {false, {"PROBE BUSY"}};
            connect(now);
            return {true, {"CONNECTING TO " + o_.server.to_string()}};
        }
        return {false, {"UNKNOWN COMMAND: " + std::string(command)}};
    }

  private:
    enum class State : std::uint8_t { idle, waiting, connecting, connected };

    void connect(TimePoint now) {
        ++attempts_;
        received_ = 0;
        rt_.emit(Event("probe.connecting").with("server", o_.server.to_string()));
        auto stream = rt_.connect(o_.server);
        if (!stream) {
            state_ = State::connecting;  // so finish() reports it
            finish("connect failed: " + stream.error().what(), false, now);
            return;
        }
        stream_ = *stream;
        state_ = State::connecting;
        connected_at_ = now;
        deadline_ = now + o_.timeout;
        rt_.set_deadline(deadline_);
    }
    // The connection ended: by the peer or the network (`ours` false), or by the probe.
    void finish(std::string why, bool ours, TimePoint now) {
        if (state_ == State::idle)
            return;
        if (stream_ != 0)
            rt_.close(stream_);
        stream_ = 0;
        last_end_ = why;
        rt_.emit(Event("probe.disconnected")
                     .with("server", o_.server.to_string())
                     .with("why", why)
                     .with("by", ours ? "probe" : "peer")
                     .with("received", received_)
                     .with("after", format_seconds(now - connected_at_)));
        state_ = State::idle;
        rt_.set_deadline(std::nullopt);
    }

    Runtime& rt_;
    ProbeOptions o_;
    State state_{State::idle};
    SocketId stream_{0};
    TimePoint connected_at_;
    TimePoint deadline_;
    std::uint64_t attempts_{0};
    std::uint64_t sent_{0};
    std::uint64_t received_{0};
    std::string last_end_;
};

Result<engine::AppFactory> make_probe(ProcessContext const& ctx) {
    std::vector<std::string> const allowed = {"server", "send", "send_hex", "delay", "timeout"};
    std::string const who = ctx.type + " on " + ctx.system_name;
    for (auto const& [key, value] : ctx.args) {
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end())
            continue;
        std::string msg = who + ": unknown argument '" + key + "'";
        if (auto hint = closest(key, allowed); !hint.empty())
            msg += "; did you mean '" + hint + "'?";
        return fail(Errc::invalid_argument,
                    msg + " (arguments: server, send, send_hex, delay, timeout)");
    }
    ProbeOptions o;
    auto server = ctx.args.find("server");
    if (server == ctx.args.end())
        return fail(
            Errc::invalid_argument,
            who + ": needs args.server, the address and port to connect to (\"9.1.1.1:4159\")");
    auto ep = Endpoint::parse(server->second);
    if (!ep || ep->port == 0)
        return fail(Errc::invalid_argument, who + ": bad server '" + server->second + "'");
    o.server = *ep;
    auto text = ctx.args.find("send");
    auto hex = ctx.args.find("send_hex");
    if (text != ctx.args.end() && hex != ctx.args.end())
        return fail(Errc::invalid_argument, who + ": give args.send or args.send_hex, not both");
    if (text != ctx.args.end()) {
        auto bytes = as_bytes(text->second);
        o.payload.assign(bytes.begin(), bytes.end());
    } else if (hex != ctx.args.end()) {
        auto bytes = from_hex(hex->second);
        if (!bytes)
            return fail(Errc::invalid_argument,
                        who + ": bad send_hex '" + hex->second + "': " + bytes.error().message);
        o.payload = std::move(*bytes);
    }
    for (auto [key, field] : {std::pair{"delay", &o.delay}, std::pair{"timeout", &o.timeout}}) {
        if (auto a = ctx.args.find(key); a != ctx.args.end()) {
            auto d = parse_duration(a->second);
            if (!d || *d < Duration{0} || (*d == Duration{0} && field == &o.timeout))
                return fail(Errc::invalid_argument, who + ": bad " + key + " '" + a->second + "'");
            *field = *d;
        }
    }
    return engine::AppFactory([o](Runtime& rt) { return std::make_unique<TcpProbe>(rt, o); });
}

}  // namespace

void register_probe_process_types(ProcessRegistry& registry) {
    (void)registry.add("tcp-probe",
                       "plain TCP client: connects, sends given bytes, traces what comes back and "
                       "how the connection ends (args: server, send | send_hex, delay, timeout)",
                       make_probe);
}

}  // namespace nsslab::harness
