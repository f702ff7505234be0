#include "nsslab/demo/demo.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/trace.hpp"
#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/key.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/engine/host.hpp"
#include "nsslab/engine/network.hpp"
#include "nsslab/engine/simulation.hpp"
#include "nsslab/reports/key_log.hpp"
#include "nsslab/reports/pcapng.hpp"
#include "nsslab/tls/channel.hpp"

namespace nsslab::demo {
namespace {

using namespace std::chrono_literals;
using runtime::Application;
using runtime::Runtime;
using runtime::SocketId;
using runtime::StreamEnd;

constexpr std::uint16_t nss_port = 4159;
constexpr std::uint16_t echo_port = 7;

// Moves a channel's pending output to the stream and its secrets to the key log.
void flush(Runtime& rt, SocketId stream, tls::Channel& channel) {
    while (auto secret = channel.poll_secret())
        rt.log_secret(*secret);
    while (auto out = channel.poll_transmit())
        (void)rt.send(stream, *out);
    while (channel.poll_event()) {  // the demo traces its own demo.tls_* events
    }
}

// SYSTEMB: a TLS server that signs "SIGN <hex>" lines with its ECDSA P-256 key, and a UDP echo.
class SigningServer final : public Application {
  public:
    SigningServer(Runtime& rt, crypto::LibContext& ctx, tls::ServerConfig config,
                  crypto::PrivateKey key)
        : rt_(rt), ctx_(ctx), config_(std::move(config)), key_(std::move(key)) {}

    void on_start(TimePoint) override {
        (void)rt_.listen(Endpoint{IpAddress{}, nss_port});
        (void)rt_.open_datagram(Endpoint{IpAddress{}, echo_port});
    }
    void on_accepted(SocketId, SocketId stream, TimePoint) override {
        auto channel = tls::Channel::server(ctx_, config_);
        if (!channel) {
            rt_.emit(Event("demo.tls_setup_failed").with("error", channel.error().what()));
            rt_.abort(stream);
            return;
        }
        sessions_.emplace(stream, Session{std::move(*channel), {}});
    }
    void on_received(SocketId stream, ByteView data, TimePoint now) override {
        auto it = sessions_.find(stream);
        if (it == sessions_.end())
            return;
        Session& s = it->second;
        s.channel.handle_received(data, now);
        Bytes plain = s.channel.poll_received().value_or(Bytes{});
        s.pending.append(as_chars(plain));
        for (auto nl = s.pending.find('\n'); nl != std::string::npos; nl = s.pending.find('\n')) {
            std::string line = s.pending.substr(0, nl);
            s.pending.erase(0, nl + 1);
            handle_line(s, line);
        }
        finish(stream, s);
    }
    void on_stream_closed(SocketId stream, StreamEnd, TimePoint) override {
        auto it = sessions_.find(stream);
        if (it == sessions_.end())
            return;
        it->second.channel.handle_closed(TimePoint{});
        rt_.close(stream);
        sessions_.erase(it);
    }
    void on_datagram(SocketId socket, Endpoint const& /*local*/, Endpoint const& from,
                     ByteView payload, TimePoint) override {
        (void)rt_.send_datagram(socket, from, payload);
    }

  private:
    struct Session {
        tls::Channel channel;
        std::string pending;
    };
    void handle_line(Session& s, std::string const& line) {
        if (!line.starts_with("SIGN "))
            return;
        auto message = from_hex(line.substr(5));
        if (!message)
            return;
        auto signature = crypto::sign(key_, crypto::SignatureScheme::ecdsa_sha256, *message);
        if (!signature) {
            rt_.emit(Event("demo.sign_failed").with("error", signature.error().what()));
            return;
        }
        rt_.emit(Event("demo.signed")
                     .with("message_bytes", message->size())
                     .with("signature", to_hex(*signature)));
        std::string reply = "SIG " + to_hex(*signature) + "\n";
        (void)s.channel.send(as_bytes(reply));
    }
    void finish(SocketId stream, Session& s) {
        flush(rt_, stream, s.channel);
        if (s.channel.state() == tls::Channel::State::failed) {
            rt_.emit(Event("demo.tls_failed").with("reason", s.channel.failure_reason()));
            rt_.close(stream);
            sessions_.erase(stream);
        } else if (s.channel.state() == tls::Channel::State::closed &&
                   s.channel.close_notify_received()) {
            s.channel.close();
            flush(rt_, stream, s.channel);
            rt_.close(stream);
            sessions_.erase(stream);
        }
    }

    Runtime& rt_;
    crypto::LibContext& ctx_;
    tls::ServerConfig config_;
    crypto::PrivateKey key_;
    std::map<SocketId, Session> sessions_;
};

// SYSTEMA: asks for signatures over TLS, verifies them, and pings SYSTEMB's echo port.
class SigningClient final : public Application {
  public:
    SigningClient(Runtime& rt, crypto::LibContext& ctx, tls::ClientConfig config, Endpoint server,
                  DemoOptions const& options, DemoResult& result)
        : rt_(rt),
          ctx_(ctx),
          config_(std::move(config)),
          server_(server),
          options_(options),
          result_(result) {}

    void on_start(TimePoint now) override {
        auto stream = rt_.connect(server_);
        if (!stream) {
            result_.failure = stream.error().what();
            return;
        }
        stream_ = *stream;
        udp_ = *rt_.open_datagram(Endpoint{IpAddress{}, 0});
        rt_.set_deadline(now + 20ms);
    }
    void on_connected(SocketId, TimePoint now) override {
        config_.verification_time = now;
        auto channel = tls::Channel::client(ctx_, config_);
        if (!channel) {
            result_.failure = channel.error().what();
            rt_.abort(stream_);
            return;
        }
        channel_.emplace(std::move(*channel));
        flush(rt_, stream_, *channel_);
    }
    void on_received(SocketId, ByteView data, TimePoint now) override {
        if (!channel_)
            return;
        bool was_established = channel_->state() == tls::Channel::State::established;
        channel_->handle_received(data, now);
        if (!was_established && channel_->state() == tls::Channel::State::established) {
            result_.tls_version = channel_->version_name();
            result_.tls_cipher = channel_->cipher_name();
            rt_.emit(Event("demo.tls_established")
                         .with("version", result_.tls_version)
                         .with("cipher", result_.tls_cipher));
            if (auto peer = channel_->peer_certificate())
                server_cert_ = *crypto::Certificate::load_der(nullptr, peer->der);
            send_next_request();
        }
        Bytes plain = channel_->poll_received().value_or(Bytes{});
        pending_.append(as_chars(plain));
        for (auto nl = pending_.find('\n'); nl != std::string::npos; nl = pending_.find('\n')) {
            std::string line = pending_.substr(0, nl);
            pending_.erase(0, nl + 1);
            handle_reply(line);
        }
        if (channel_->state() == tls::Channel::State::failed) {
            result_.failure = "TLS failed: " + channel_->failure_reason();
            rt_.emit(Event("demo.tls_failed").with("reason", channel_->failure_reason()));
        }
        flush(rt_, stream_, *channel_);
        if (channel_->state() == tls::Channel::State::closed && channel_->close_notify_received()) {
            tls_closed_ = true;
            rt_.emit(Event("demo.tls_closed"));
        }
    }
    void on_stream_closed(SocketId, StreamEnd why, TimePoint) override {
        rt_.emit(Event("demo.stream_closed").with("why", nsslab::to_string(why)));
        if (why == StreamEnd::eof)
            rt_.close(stream_);
        stream_closed_ = true;
    }
    void on_datagram(SocketId, Endpoint const&, Endpoint const&, ByteView payload,
                     TimePoint) override {
        ++result_.datagrams_echoed;
        rt_.emit(Event("demo.echo").with("payload", std::string(as_chars(payload))));
    }
    void on_deadline(TimePoint now) override {
        if (sent_datagrams_ < options_.datagrams) {
            std::string payload = "ping " + std::to_string(sent_datagrams_++);
            (void)rt_.send_datagram(udp_, Endpoint{server_.address, echo_port}, as_bytes(payload));
            rt_.set_deadline(now + 20ms);
        }
    }
    bool done() const {
        return (tls_closed_ || stream_closed_ || !result_.failure.empty()) &&
               sent_datagrams_ >= options_.datagrams;
    }

  private:
    void send_next_request() {
        if (requests_sent_ >= options_.sign_requests) {
            channel_->close();
            flush(rt_, stream_, *channel_);
            return;
        }
        std::string message = "IKE_AUTH octets #" + std::to_string(requests_sent_) + " from " +
                              std::string(rt_.node_name());
        last_message_ = to_bytes(message);
        ++requests_sent_;
        std::string line = "SIGN " + to_hex(last_message_) + "\n";
        (void)channel_->send(as_bytes(line));
    }
    void handle_reply(std::string const& line) {
        if (!line.starts_with("SIG "))
            return;
        auto signature = from_hex(line.substr(4));
        bool ok = signature && server_cert_.valid() &&
                  crypto::verify(server_cert_, crypto::SignatureScheme::ecdsa_sha256, last_message_,
                                 *signature);
        rt_.emit(Event("demo.signature").with("verified", ok).with("request", requests_sent_));
        if (ok)
            ++result_.signatures_verified;
        send_next_request();
    }

    Runtime& rt_;
    crypto::LibContext& ctx_;
    tls::ClientConfig config_;
    Endpoint server_;
    DemoOptions const& options_;
    DemoResult& result_;
    SocketId stream_{0};
    SocketId udp_{0};
    std::optional<tls::Channel> channel_;
    crypto::Certificate server_cert_;
    std::string pending_;
    Bytes last_message_;
    int requests_sent_{0};
    int sent_datagrams_{0};
    bool tls_closed_{false};
    bool stream_closed_{false};
};

struct Pki {
    std::string ca_pem;
    std::string server_chain_pem;
    std::string server_key_pem;
    crypto::PrivateKey server_key;
};

Result<Pki> make_pki(crypto::LibContext& ca_ctx, crypto::LibContext& server_ctx, TimePoint start,
                     IpAddress server_ip) {
    auto ca_key = crypto::PrivateKey::generate(&ca_ctx, crypto::KeyType::ec_p256);
    if (!ca_key)
        return ca_key.error();
    crypto::CertificateSpec ca_spec;
    ca_spec.subject = *crypto::DistinguishedName::parse("CN=nsslab demo CA,O=nsslab,C=US");
    ca_spec.serial = 1;
    ca_spec.not_before = start - std::chrono::hours(24);
    ca_spec.not_after = start + std::chrono::hours(24 * 365);
    ca_spec.is_ca = true;
    auto ca = crypto::Certificate::create_self_signed(ca_spec, *ca_key);
    if (!ca)
        return ca.error();
    auto key = crypto::PrivateKey::generate(&server_ctx, crypto::KeyType::ec_p256);
    if (!key)
        return key.error();
    crypto::CertificateSpec spec;
    spec.subject = *crypto::DistinguishedName::parse("CN=SYSTEMB NSSD,O=nsslab,C=US");
    spec.serial = 2;
    spec.not_before = ca_spec.not_before;
    spec.not_after = ca_spec.not_after;
    spec.subject_alt_names.ip_addresses.push_back(server_ip);
    auto cert = crypto::Certificate::create_signed(spec, key->public_key(), *ca, *ca_key);
    if (!cert)
        return cert.error();
    auto key_pem = key->export_private_pem_unsafe();
    if (!key_pem)
        return key_pem.error();
    return Pki{ca->to_pem(), cert->to_pem(), std::move(*key_pem), *key};
}

}  // namespace

Result<DemoResult> run_demo(DemoOptions const& options) {
    std::error_code ec;
    std::filesystem::create_directories(options.out_dir, ec);
    if (ec)
        return fail(Errc::io_error,
                    "cannot create " + options.out_dir.string() + ": " + ec.message());

    DemoResult result;
    result.trace_path = options.out_dir / "trace.jsonl";
    result.capture_path = options.out_dir / "capture.pcapng";
    result.keylog_path = options.out_dir / "tls-keys.log";

    engine::Simulation sim(options.seed);
    std::ofstream trace_file(result.trace_path, std::ios::binary | std::ios::trunc);
    if (!trace_file)
        return fail(Errc::io_error, "cannot write " + result.trace_path.string());
    JsonlTraceWriter trace(&trace_file, sim.start_time());
    sim.set_trace(&trace);

    auto capture = reports::PcapngWriter::open_file(result.capture_path);
    if (!capture)
        return capture.error();
    auto keylog = reports::KeyLogWriter::open(result.keylog_path, true);
    if (!keylog)
        return keylog.error();
    std::vector<std::string> pending_secrets;
    sim.set_secret_sink([&](core::Secret const& secret) {
        if (secret.kind != core::Secret::Kind::tls_key_log)
            return;
        (void)keylog->append(secret.line);
        pending_secrets.emplace_back(secret.line);
    });
    Error capture_error{};
    bool capture_failed = false;
    sim.network().set_capture([&](PacketRecord const& packet) {
        // Secrets go into the capture before the records they protect (Decryption Secrets Block).
        if (!pending_secrets.empty()) {
            (void)(*capture)->add_tls_key_log(pending_secrets);
            pending_secrets.clear();
        }
        if (auto ok = (*capture)->write(packet); !ok && !capture_failed) {
            capture_failed = true;
            capture_error = ok.error();
        }
    });

    IpAddress a_ip = *IpAddress::parse("10.81.4.4");
    IpAddress b_ip = *IpAddress::parse("10.81.5.5");
    engine::Host& a = sim.network().add_host("SYSTEMA", {a_ip});
    engine::Host& b = sim.network().add_host("SYSTEMB", {b_ip});
    engine::LinkParams lossy;
    lossy.delay = engine::DelayDistribution::normal(5ms, 1ms);
    lossy.loss = options.loss;
    sim.network().set_link(a, b, lossy);
    sim.network().set_link(b, a, lossy);

    auto ca_ctx = crypto::LibContext::deterministic(options.seed, "CA");
    auto a_ctx = crypto::LibContext::deterministic(options.seed, "SYSTEMA");
    auto b_ctx = crypto::LibContext::deterministic(options.seed, "SYSTEMB");
    if (!ca_ctx)
        return ca_ctx.error();
    if (!a_ctx)
        return a_ctx.error();
    if (!b_ctx)
        return b_ctx.error();
    auto pki = make_pki(**ca_ctx, **b_ctx, sim.start_time(), b_ip);
    if (!pki)
        return pki.error();

    tls::ServerConfig server_config;
    server_config.certificate_chain_pem = pki->server_chain_pem;
    server_config.private_key_pem = pki->server_key_pem;
    tls::ClientConfig client_config;
    client_config.trust_anchors_pem = pki->ca_pem;
    client_config.server_address = b_ip;
    client_config.min_version = tls::Version::tls1_3;

    crypto::LibContext& bctx = **b_ctx;
    crypto::LibContext& actx = **a_ctx;
    crypto::PrivateKey server_key = pki->server_key;
    b.spawn("NSSD", [&](Runtime& rt) {
        return std::make_unique<SigningServer>(rt, bctx, server_config, server_key);
    });
    SigningClient* client = nullptr;
    a.spawn("IKED", [&](Runtime& rt) {
        auto app = std::make_unique<SigningClient>(rt, actx, client_config,
                                                   Endpoint{b_ip, nss_port}, options, result);
        client = app.get();
        return app;
    });

    engine::RunResult run =
        sim.run_until([&] { return client->done(); }, sim.now() + std::chrono::minutes(10));
    sim.run_for(1s);  // let the closing handshakes and last echoes finish
    sim.set_trace(nullptr);
    if (!pending_secrets.empty())
        (void)(*capture)->add_tls_key_log(pending_secrets);
    (void)(*capture)->flush();
    trace_file.flush();

    result.events = sim.events_executed();
    result.trace_lines = trace.lines();
    result.trace_hash = trace.hash();
    result.packets = sim.network().packets_sent();
    result.packets_dropped = sim.network().packets_dropped();
    result.virtual_seconds = std::chrono::duration<double>(sim.elapsed()).count();
    if (capture_failed)
        return Error{capture_error.code, "capture: " + capture_error.message};
    if (run.bound_hit() || run.end == engine::RunEnd::deadline) {
        result.failure = "the demo did not finish: " + run.describe(sim.start_time());
    } else if (result.failure.empty() && result.signatures_verified != options.sign_requests) {
        result.failure = std::to_string(result.signatures_verified) + " of " +
                         std::to_string(options.sign_requests) + " signatures verified";
    }
    result.ok = result.failure.empty();
    return result;
}

std::string describe(DemoResult const& r) {
    std::ostringstream out;
    out << "nsslab demo: " << (r.ok ? "ok" : "FAILED: " + r.failure) << "\n"
        << "  TLS "
        << (r.tls_version.empty() ? "not established" : r.tls_version + " " + r.tls_cipher) << ", "
        << r.signatures_verified << " ECDSA P-256 signatures verified, " << r.datagrams_echoed
        << " UDP echoes\n"
        << "  " << r.events << " events, " << r.packets << " packets (" << r.packets_dropped
        << " lost), " << r.virtual_seconds << " s of virtual time\n";
    char hash[32];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(r.trace_hash));
    out << "  trace:   " << r.trace_path.string() << " (" << r.trace_lines << " events, hash "
        << hash << ")\n"
        << "  capture: " << r.capture_path.string() << "\n"
        << "  key log: " << r.keylog_path.string() << "\n"
        << "  decode:  tshark -r " << r.capture_path.string()
        << " -o tls.keylog_file:" << r.keylog_path.string() << " -d tcp.port==4159,tls\n";
    return out.str();
}

}  // namespace nsslab::demo
