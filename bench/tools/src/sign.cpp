// `nsslab bench sign` (a) and (b), the SYSTEMB set-up and the printed table; (c) is in
// bench_sign_full.cpp. See nsslab/bench/sign.hpp and docs/benchmarks.md.
#include "nsslab/bench/sign.hpp"

#include <array>
#include <cstdio>
#include <ostream>
#include <sstream>

#include "bench_clock.hpp"
#include "nsslab/core/pair.hpp"
#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/sign_baseline.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/nss/raw_client.hpp"
#include "nsslab/tls/channel.hpp"
#include "nsslab/wire_nss/codec.hpp"
#include "nsslab/zos/nssd_conf.hpp"

namespace nsslab::bench {

namespace {

struct AlgorithmInfo {
    SignAlgorithm algorithm;
    std::string_view name;
    crypto::KeyType key_type;
    wire_nss::SignatureScheme wire;
    crypto::SignatureScheme scheme;
    char const* label;
};

constexpr std::array<AlgorithmInfo, 4> algorithms{{
    {SignAlgorithm::rsa2048, "rsa2048", crypto::KeyType::rsa_2048,
     wire_nss::SignatureScheme::rsa_pkcs1_sha256, crypto::SignatureScheme::rsa_pkcs1_sha256,
     "BENCH RSA2048"},
    {SignAlgorithm::rsa3072, "rsa3072", crypto::KeyType::rsa_3072,
     wire_nss::SignatureScheme::rsa_pkcs1_sha256, crypto::SignatureScheme::rsa_pkcs1_sha256,
     "BENCH RSA3072"},
    {SignAlgorithm::p256, "p256", crypto::KeyType::ec_p256, wire_nss::SignatureScheme::ecdsa_sha256,
     crypto::SignatureScheme::ecdsa_sha256, "BENCH P256"},
    {SignAlgorithm::ed25519, "ed25519", crypto::KeyType::ed25519,
     wire_nss::SignatureScheme::ed25519, crypto::SignatureScheme::ed25519, "BENCH ED25519"},
}};

AlgorithmInfo const& info(SignAlgorithm a) {
    return algorithms[static_cast<std::size_t>(a)];
}

template <class T>
Result<T> with_context(Result<T> r, std::string const& where) {
    if (!r)
        return fail(r.error().code, where + ": " + r.error().what());
    return r;
}

Result<void> check(Result<void> r, std::string const& where) {
    if (!r)
        return fail(r.error().code, where + ": " + r.error().what());
    return {};
}

}  // namespace

std::string_view to_string(SignAlgorithm algorithm) {
    return info(algorithm).name;
}

std::optional<SignAlgorithm> sign_algorithm_from_string(std::string_view name) {
    for (auto const& a : algorithms)
        if (a.name == name)
            return a.algorithm;
    return std::nullopt;
}

std::vector<SignAlgorithm> all_sign_algorithms() {
    return {SignAlgorithm::rsa2048, SignAlgorithm::rsa3072, SignAlgorithm::p256,
            SignAlgorithm::ed25519};
}

wire_nss::SignatureScheme wire_scheme(SignAlgorithm algorithm) {
    return info(algorithm).wire;
}

crypto::SignatureScheme crypto_scheme(SignAlgorithm algorithm) {
    return info(algorithm).scheme;
}

TimePoint bench_wall_now() {
    return TimePoint{
        std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch())};
}

Bytes bench_sign_octets(std::size_t size) {
    Bytes octets(size);
    for (std::size_t i = 0; i < size; ++i)
        octets[i] = static_cast<std::uint8_t>((i * 131 + 17) & 0xff);
    return octets;
}

std::optional<double> full_path_target(SignAlgorithm algorithm) {
    switch (algorithm) {
        case SignAlgorithm::rsa2048:
        case SignAlgorithm::rsa3072:
            return 0.95;
        case SignAlgorithm::p256:
        case SignAlgorithm::ed25519:
            return 0.85;
    }
    return std::nullopt;
}

double BenchSignResult::core_ratio() const {
    return raw.per_second() > 0 ? core.per_second() / raw.per_second() : 0;
}

double BenchSignResult::core_cpu_ratio() const {
    return raw.per_cpu_second() > 0 ? core.per_cpu_second() / raw.per_cpu_second() : 0;
}

double BenchSignResult::full_cpu_ratio() const {
    return raw.per_cpu_second() > 0 ? full.per_cpu_second() / raw.per_cpu_second() : 0;
}

double BenchSignResult::full_ratio() const {
    return raw.per_second() > 0 ? full.per_second() / raw.per_second() : 0;
}

// ---- SignBenchWorld ----

std::string SignBenchWorld::client_name(std::size_t index) {
    std::array<char, 16> buf{};
    std::snprintf(buf.data(), buf.size(), "BENCH%04zu", index + 1);
    return buf.data();
}

std::string const& SignBenchWorld::label(SignAlgorithm algorithm) const {
    return labels_[static_cast<std::size_t>(algorithm)];
}

crypto::PrivateKey const& SignBenchWorld::key(SignAlgorithm algorithm) const {
    return keys_[static_cast<std::size_t>(algorithm)];
}

Result<std::unique_ptr<SignBenchWorld>> SignBenchWorld::create(std::size_t clients, TimePoint now) {
    std::unique_ptr<SignBenchWorld> w(new SignBenchWorld());
    w->clients_ = clients;
    auto ctx = crypto::LibContext::system();
    if (!ctx)
        return ctx.error();
    w->keys_ctx_ = std::move(*ctx);
    crypto::LibContext* const c = w->keys_ctx_.get();

    auto spec_for = [&](std::string const& cn,
                        std::uint64_t serial) -> Result<crypto::CertificateSpec> {
        crypto::CertificateSpec spec;
        auto dn = crypto::DistinguishedName::parse("CN=" + cn + ",O=nsslab bench");
        if (!dn)
            return dn.error();
        spec.subject = *dn;
        spec.serial = serial;
        spec.not_before = now - std::chrono::hours(24);
        spec.not_after = now + std::chrono::hours(24 * 3650);
        return spec;
    };

    // CA and the AT-TLS server certificate (SAN iPAddress 127.0.0.1: the client's default
    // identity rule, DESIGN.md §6).
    auto ca_key = with_context(crypto::PrivateKey::generate(c, crypto::KeyType::ec_p256), "CA key");
    if (!ca_key)
        return ca_key.error();
    auto ca_spec = spec_for("NSS Bench CA", 1);
    if (!ca_spec)
        return ca_spec.error();
    ca_spec->is_ca = true;
    auto ca = with_context(crypto::Certificate::create_self_signed(*ca_spec, *ca_key), "CA");
    if (!ca)
        return ca.error();
    w->ca_pem_ = ca->to_pem();
    w->ca_ = *ca;
    w->ca_key_ = *ca_key;
    auto server_key =
        with_context(crypto::PrivateKey::generate(c, crypto::KeyType::ec_p256), "server key");
    if (!server_key)
        return server_key.error();
    auto server_spec = spec_for("nssd.bench", 2);
    if (!server_spec)
        return server_spec.error();
    server_spec->subject_alt_names.ip_addresses.push_back(IpAddress::v4(0x7f000001));
    auto server = with_context(
        crypto::Certificate::create_signed(*server_spec, server_key->public_key(), *ca, *ca_key),
        "server certificate");
    if (!server)
        return server.error();

    auto& racf = w->racf_;
    auto& rings = w->rings_;
    zos::RingId const ring{"NSSD", "NSSRING"};
    auto const nssd = zos::CertOwner::user("NSSD");
    if (auto r = check(
            rings.add_certificate(zos::CertOwner::certauth(), "NSS Bench CA", *ca, std::nullopt),
            "ring CA");
        !r)
        return r.error();
    if (auto r =
            check(rings.add_certificate(nssd, "NSSD Server", *server, *server_key), "ring server");
        !r)
        return r.error();
    if (auto r = check(rings.add_ring(ring), "add ring"); !r)
        return r.error();
    if (auto r = check(rings.connect(ring, nssd, "NSSD Server", std::nullopt, true), "connect"); !r)
        return r.error();
    if (auto r = check(rings.connect(ring, zos::CertOwner::certauth(), "NSS Bench CA",
                                     zos::CertUsage::certauth, false),
                       "connect CA");
        !r)
        return r.error();

    zos::RacfUserChange user;
    user.password = std::optional<std::string>{std::string(password)};
    for (auto r : {check(racf.add_user("NSSD", {}), "ADDUSER NSSD"),
                   check(racf.add_user(user_id, user), "ADDUSER BENCH"),
                   check(racf.set_class_active("SERVAUTH", true), "SETROPTS CLASSACT")})
        if (!r)
            return r.error();
    auto permit = [&](std::string const& profile) -> Result<void> {
        if (auto r = check(racf.define_profile("SERVAUTH", profile, {}), "RDEFINE " + profile); !r)
            return r;
        return check(racf.permit("SERVAUTH", profile, {user_id}, zos::RacfAccess::read),
                     "PERMIT " + profile);
    };

    std::uint64_t serial = 10;
    for (auto const& a : algorithms) {
        auto key =
            with_context(crypto::PrivateKey::generate(c, a.key_type), std::string(a.name) + " key");
        if (!key)
            return key.error();
        auto spec = spec_for(std::string("BENCH ") + std::string(a.name), serial++);
        if (!spec)
            return spec.error();
        auto cert =
            with_context(crypto::Certificate::create_signed(*spec, key->public_key(), *ca, *ca_key),
                         std::string(a.name) + " certificate");
        if (!cert)
            return cert.error();
        if (auto r = check(rings.add_certificate(nssd, a.label, *cert, *key), a.label); !r)
            return r.error();
        if (auto r = check(rings.connect(ring, nssd, a.label, std::nullopt, false), a.label); !r)
            return r.error();
        if (auto r = permit(std::string("EZB.NSSCERT.") + system_name + "." +
                            nss::default_mapped_label(a.label) + ".HOST");
            !r)
            return r.error();
        w->labels_.emplace_back(a.label);
        w->keys_.push_back(std::move(*key));
    }
    // Verify requests: the bench clients may use the CA as a trust anchor.
    if (auto r = permit(std::string("EZB.NSSCERT.") + system_name + "." +
                        nss::default_mapped_label("NSS Bench CA") + ".CERTAUTH");
        !r)
        return r.error();
    for (std::size_t i = 0; i < clients; ++i)
        if (auto r = permit(std::string("EZB.NSS.") + system_name + "." + client_name(i) +
                            ".IPSEC.CERT");
            !r)
            return r.error();
    return w;
}

Result<crypto::Certificate> SignBenchWorld::add_certificate(std::string const& label,
                                                            std::string const& cn,
                                                            crypto::PrivateKey const& key,
                                                            TimePoint now) {
    crypto::CertificateSpec spec;
    auto dn = crypto::DistinguishedName::parse("CN=" + cn + ",O=nsslab bench");
    if (!dn)
        return dn.error();
    spec.subject = *dn;
    spec.subject_alt_names.dns_names = {cn};  // confirms an FQDN ID (docs/ike-core.md §3)
    spec.serial = next_serial_++;
    spec.not_before = now - std::chrono::hours(24);
    spec.not_after = now + std::chrono::hours(24 * 3650);
    auto cert =
        with_context(crypto::Certificate::create_signed(spec, key.public_key(), ca_, ca_key_),
                     label + " certificate");
    if (!cert)
        return cert.error();
    auto const nssd = zos::CertOwner::user("NSSD");
    if (auto r = check(rings_.add_certificate(nssd, label, *cert, key), label); !r)
        return r.error();
    if (auto r =
            check(rings_.connect(zos::RingId{"NSSD", "NSSRING"}, nssd, label, std::nullopt, false),
                  label);
        !r)
        return r.error();
    std::string const profile = std::string("EZB.NSSCERT.") + system_name + "." +
                                nss::default_mapped_label(label) + ".HOST";
    if (auto r = check(racf_.define_profile("SERVAUTH", profile, {}), "RDEFINE " + profile); !r)
        return r.error();
    if (auto r = check(racf_.permit("SERVAUTH", profile, {user_id}, zos::RacfAccess::read),
                       "PERMIT " + profile);
        !r)
        return r.error();
    return cert;
}

nss::NssServerOptions SignBenchWorld::server_options(std::uint16_t port) const {
    nss::NssServerOptions options;
    options.system_name = system_name;
    options.config.nss.port = port;
    options.config.nss.syslog_level = 0;
    options.config.nss.key_ring = zos::KeyRingName{"NSSD", "NSSRING"};
    options.config.nss.coded = true;
    return options;
}

// ---- (b) CoreSignPair ----

// The server core and one scripted client (nss::RawClient) joined by the in-memory pair driver;
// transcripts and events are not kept (only the replies are read).
struct CoreSignPair::Impl {
    using Link = core::StreamPair<nss::RawClient, nss::NssServer>;

    Impl(nss::NssServerOptions options, SignBenchWorld& w, crypto::LibContext& server_ctx,
         crypto::LibContext& client_ctx)
        : world(w),
          server(std::move(options), w.racf(), w.key_rings(), server_ctx),
          client(client_ctx, nss::RawClientOptions{1u << 16, 0, false}),
          link(client, server,
               Link::Options{Endpoint{IpAddress::v4(0x7f000001), 4159}, IpAddress::v4(0x7f000001),
                             40000, false}) {}

    SignBenchWorld& world;
    nss::NssServer server;
    nss::RawClient client;
    Link link;
    core::ConnId conn{0};

    nss::RawClient::Connection& connection() { return *client.connection(conn); }
    std::string state() {
        auto& c = connection();
        std::string s;
        if (c.tls && c.tls->state() == tls::Channel::State::failed)
            s += " TLS: " + c.tls->failure_reason();
        if (c.closed)
            s += " (connection closed)";
        for (auto const& e : c.decode_errors)
            s += " decode: " + e;
        return s;
    }
};

CoreSignPair::CoreSignPair(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CoreSignPair::~CoreSignPair() = default;

nss::NssServer& CoreSignPair::server() {
    return impl_->server;
}

Result<std::unique_ptr<CoreSignPair>> CoreSignPair::create(SignBenchWorld& world,
                                                           crypto::LibContext& server_ctx,
                                                           crypto::LibContext& client_ctx,
                                                           TimePoint now) {
    tls::ClientConfig tls;
    tls.trust_anchors_pem = world.ca_pem();
    tls.verification_time = now;
    tls.server_address = IpAddress::v4(0x7f000001);
    auto impl = std::make_unique<Impl>(world.server_options(4159), world, server_ctx, client_ctx);
    auto conn = impl->client.connect(Endpoint{IpAddress::v4(0x7f000001), 4159}, tls, now);
    if (!conn)
        return fail(conn.error().code, "bench client TLS: " + conn.error().what());
    impl->conn = *conn;
    impl->link.pump(now);
    if (!impl->connection().established())
        return fail(Errc::state_error,
                    "bench (b): TLS handshake did not complete:" + impl->state());
    wire_nss::RegisterRequest reg;
    reg.client_name = SignBenchWorld::client_name(0);
    reg.system_name = "SYSTEMA";
    reg.stack_name = "STACK1";
    reg.user_id = SignBenchWorld::user_id;
    reg.auth_method = wire_nss::AuthMethod::password;
    reg.credential = SignBenchWorld::password;
    reg.services.cert = true;
    if (auto sent = impl->client.send(impl->conn, reg, std::nullopt, now); !sent)
        return sent.error();
    impl->link.pump(now);
    auto& received = impl->connection().received;
    if (received.size() != 1 ||
        !std::holds_alternative<wire_nss::RegisterReply>(received[0].body) ||
        std::get<wire_nss::RegisterReply>(received[0].body).result != wire_nss::ResultCode::ok ||
        !std::get<wire_nss::RegisterReply>(received[0].body).granted.cert)
        return fail(Errc::state_error, "bench (b): registration failed" + impl->state());
    received.clear();
    return std::unique_ptr<CoreSignPair>(new CoreSignPair(std::move(impl)));
}

Result<std::size_t> CoreSignPair::sign_batch(SignAlgorithm algorithm, ByteView octets,
                                             std::size_t count, TimePoint now) {
    auto& m = *impl_;
    frames_.clear();
    wire_nss::SignRequest req;
    req.label = m.world.label(algorithm);
    req.scheme = wire_scheme(algorithm);
    req.data.assign(octets.begin(), octets.end());
    auto& conn = m.connection();
    for (std::size_t i = 0; i < count; ++i) {
        Bytes frame = wire_nss::encode(wire_nss::Message{conn.next_id++, req});
        frames_.insert(frames_.end(), frame.begin(), frame.end());
    }
    if (auto sent = m.client.send_raw(m.conn, frames_, now); !sent)
        return sent.error();
    m.link.pump(now);
    std::size_t ok = 0;
    for (auto& reply : conn.received) {
        auto* sr = std::get_if<wire_nss::SignReply>(&reply.body);
        if (sr == nullptr || sr->result != wire_nss::ResultCode::ok)
            return fail(
                Errc::state_error,
                "bench (b): unexpected reply " + std::string(wire_nss::message_name(reply.body)) +
                    (sr ? " " + std::string(wire_nss::to_string(sr->result)) + " " + sr->reason
                        : std::string()));
        ++ok;
        last_signature_ = std::move(sr->signature);
    }
    conn.received.clear();
    if (ok != count)
        return fail(Errc::state_error, "bench (b): " + std::to_string(ok) + " replies for " +
                                           std::to_string(count) + " requests" + m.state());
    return ok;
}

// ---- measurements ----

Result<SignRate> measure_raw(crypto::PrivateKey const& key, SignAlgorithm algorithm,
                             ByteView octets, std::chrono::milliseconds duration) {
    SignRate rate;
    double const cpu0 = thread_cpu_now();
    auto const start = SteadyClock::now();
    auto const end = start + duration;
    std::size_t batch = 1;
    do {
        auto sig = crypto::sign_repeatedly(key, crypto_scheme(algorithm), octets, batch);
        if (!sig)
            return sig.error();
        rate.signatures += batch;
        // Batches of about 10 ms keep the clock out of the figure.
        double const elapsed = seconds_since(start);
        if (elapsed > 0 &&
            elapsed < 0.01 * static_cast<double>(rate.signatures) / static_cast<double>(batch))
            batch = std::min<std::size_t>(batch * 2, 4096);
    } while (SteadyClock::now() < end);
    rate.seconds = seconds_since(start);
    rate.cpu_seconds = thread_cpu_now() - cpu0;
    return rate;
}

Result<SignRate> measure_core(SignBenchWorld& world, SignAlgorithm algorithm, ByteView octets,
                              BenchSignOptions const& options) {
    auto server_ctx = crypto::LibContext::system();
    auto client_ctx = crypto::LibContext::system();
    if (!server_ctx)
        return server_ctx.error();
    if (!client_ctx)
        return client_ctx.error();
    auto pair = CoreSignPair::create(world, **server_ctx, **client_ctx, bench_wall_now());
    if (!pair)
        return pair.error();
    std::size_t const batch = std::clamp<std::size_t>(options.batch, 1, 64);
    auto run = [&](std::chrono::milliseconds d) -> Result<SignRate> {
        SignRate rate;
        double const cpu0 = thread_cpu_now();
        auto const start = SteadyClock::now();
        auto const end = start + d;
        do {
            auto n = (*pair)->sign_batch(algorithm, octets, batch, bench_wall_now());
            if (!n)
                return n.error();
            rate.signatures += *n;
        } while (SteadyClock::now() < end);
        rate.seconds = seconds_since(start);
        rate.cpu_seconds = thread_cpu_now() - cpu0;
        return rate;
    };
    if (auto warm = run(options.warmup); !warm)
        return warm.error();
    return run(options.duration);
}

Result<std::vector<BenchSignResult>> run_bench_sign(BenchSignOptions const& options,
                                                    std::ostream* progress) {
    auto world =
        SignBenchWorld::create(std::max<std::size_t>(options.connections, 1), bench_wall_now());
    if (!world)
        return world.error();
    Bytes const octets = bench_sign_octets(options.octets_size);
    std::vector<BenchSignResult> results;
    for (auto algorithm : options.algorithms) {
        BenchSignResult r;
        r.algorithm = algorithm;
        auto say = [&](char const* what, SignRate const& rate) {
            if (progress != nullptr) {
                *progress << "  " << to_string(algorithm) << " " << what << ": " << rate.signatures
                          << " signatures in " << rate.seconds << " s";
                if (rate.server_cpu_seconds > 0)
                    *progress << " (CPU: server " << rate.server_cpu_seconds
                              << " s, of which signing workers " << rate.server_worker_cpu_seconds
                              << " s; client thread " << rate.client_cpu_seconds
                              << " s; waited for a CPU: server " << rate.server_runqueue_seconds
                              << " s, client " << rate.client_runqueue_seconds << " s)";
                *progress << "\n" << std::flush;
            }
        };
        if (auto w = measure_raw((*world)->key(algorithm), algorithm, octets, options.warmup); !w)
            return w.error();
        auto raw = measure_raw((*world)->key(algorithm), algorithm, octets, options.duration);
        if (!raw)
            return fail(raw.error().code, "(a) raw: " + raw.error().what());
        r.raw = *raw;
        say("(a) raw", r.raw);
        auto core = measure_core(**world, algorithm, octets, options);
        if (!core)
            return fail(core.error().code, "(b) core: " + core.error().what());
        r.core = *core;
        say("(b) core", r.core);
        auto full = measure_full(**world, algorithm, octets, options);
        if (!full)
            return fail(full.error().code, "(c) full: " + full.error().what());
        r.full = *full;
        say("(c) full", r.full);
        results.push_back(r);
    }
    return results;
}

std::string format_bench_sign(std::vector<BenchSignResult> const& results,
                              BenchSignOptions const& options) {
    std::ostringstream out;
    std::array<char, 320> line{};
    std::snprintf(line.data(), line.size(),
                  "bench sign: %zu-octet messages, (b) batches of %zu, (c) %zu connections x "
                  "window %zu, %.1f s per measurement\n",
                  options.octets_size, options.batch, options.connections, options.window,
                  static_cast<double>(options.duration.count()) / 1000.0);
    out << line.data();
    for (auto const& r : results) {
        std::snprintf(line.data(), line.size(),
                      "%-8s signatures/s  (a) raw %10.0f  (b) core %10.0f  (c) full %10.0f\n",
                      std::string(to_string(r.algorithm)).c_str(), r.raw.per_second(),
                      r.core.per_second(), r.full.per_second());
        out << line.data();
        std::string verdict = "no target";
        if (auto t = full_path_target(r.algorithm)) {
            std::array<char, 64> v{};
            std::snprintf(v.data(), v.size(), "target %.2f %s", *t,
                          r.full_cpu_ratio() >= *t ? "met" : "MISSED");
            verdict = v.data();
        }
        std::snprintf(line.data(), line.size(), "%-8s ratio  (b)/(a) %.2f  (c)/(a) %.2f\n",
                      std::string(to_string(r.algorithm)).c_str(), r.core_ratio(), r.full_ratio());
        out << line.data();
        std::snprintf(line.data(), line.size(),
                      "%-8s per CPU-second of the signing thread  (a) %.0f  (b) %.0f  (c) %.0f  "
                      "(b)/(a) %.2f  (c)/(a) %.2f  %s\n",
                      std::string(to_string(r.algorithm)).c_str(), r.raw.per_cpu_second(),
                      r.core.per_cpu_second(), r.full.per_cpu_second(), r.core_cpu_ratio(),
                      r.full_cpu_ratio(), verdict.c_str());
        out << line.data();
        if (r.full.server_worker_cpu_seconds > 0) {
            double const a = r.raw.per_cpu_second();
            std::snprintf(line.data(), line.size(),
                          "%-8s per CPU-second of the whole server (network thread + signing "
                          "workers)  (c) %.0f  (c)/(a) %.2f\n",
                          std::string(to_string(r.algorithm)).c_str(),
                          r.full.per_server_cpu_second(),
                          a > 0 ? r.full.per_server_cpu_second() / a : 0);
            out << line.data();
        }
    }
    return out.str();
}

}  // namespace nsslab::bench
