// `nsslab bench ike`: the suites, the keys, the two endpoints in memory (IkeBenchPair), the
// measurement loops and the printed lines; the raw OpenSSL floor is in ike_floor.cpp. See
// nsslab/bench/ike.hpp and docs/benchmarks.md "bench ike".
#include "nsslab/bench/ike.hpp"

#include <array>
#include <cstdio>
#include <ostream>
#include <sstream>
#include <variant>

#include "ike_rate.hpp"
#include "nsslab/bench/sign.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/ike/endpoint.hpp"

namespace nsslab::bench {

namespace {

using crypto::DhGroup;
using crypto::EncryptionAlgorithm;
using crypto::IntegrityAlgorithm;
using crypto::PrfAlgorithm;

struct SuiteInfo {
    IkeSuite suite;
    std::string_view name;
    ike::IkeProposal proposal;
    crypto::KeyType key_type;
    crypto::SignatureScheme scheme;
    wire_nss::SignatureScheme wire;
};

constexpr std::array<SuiteInfo, 2> suites{{
    {IkeSuite::p256, "p256",
     ike::IkeProposal{EncryptionAlgorithm::aes_gcm_16_256, IntegrityAlgorithm::none,
                      PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256},
     crypto::KeyType::ec_p256, crypto::SignatureScheme::ecdsa_sha256,
     wire_nss::SignatureScheme::ecdsa_sha256},
    {IkeSuite::rsa2048, "rsa2048",
     ike::IkeProposal{EncryptionAlgorithm::aes_cbc_256, IntegrityAlgorithm::hmac_sha2_256_128,
                      PrfAlgorithm::hmac_sha2_256, DhGroup::modp_2048},
     crypto::KeyType::rsa_2048, crypto::SignatureScheme::rsa_pkcs1_sha256,
     wire_nss::SignatureScheme::rsa_pkcs1_sha256},
}};

SuiteInfo const& info(IkeSuite suite) {
    return suites[static_cast<std::size_t>(suite)];
}

Result<crypto::Certificate> self_signed(crypto::PrivateKey const& key, std::string const& cn,
                                        TimePoint now) {
    auto dn = crypto::DistinguishedName::parse("CN=" + cn);
    if (!dn)
        return dn.error();
    crypto::CertificateSpec spec;
    spec.subject = *dn;
    spec.not_before = now - std::chrono::hours{24};
    spec.not_after = now + std::chrono::hours{24 * 365 * 10};
    spec.subject_alt_names.dns_names = {cn};  // confirms the FQDN ID (docs/ike-core.md §3)
    return crypto::Certificate::create_self_signed(spec, key);
}

constexpr char const* initiator_address = "10.0.0.1:500";
constexpr char const* responder_address = "10.0.0.2:500";

}  // namespace

std::string_view to_string(IkeSuite suite) {
    return info(suite).name;
}

std::optional<IkeSuite> ike_suite_from_string(std::string_view name) {
    for (auto const& s : suites)
        if (s.name == name)
            return s.suite;
    return std::nullopt;
}

std::vector<IkeSuite> all_ike_suites() {
    return {IkeSuite::p256, IkeSuite::rsa2048};
}

ike::IkeProposal ike_proposal(IkeSuite suite) {
    return info(suite).proposal;
}

crypto::KeyType ike_key_type(IkeSuite suite) {
    return info(suite).key_type;
}

crypto::SignatureScheme ike_signature_scheme(IkeSuite suite) {
    return info(suite).scheme;
}

ike::Connection ike_bench_connection(IkeBenchKeys const& keys, bool psk, bool initiator) {
    ike::Connection c;
    c.name = initiator ? "to-responder" : "to-initiator";
    c.local = Endpoint::parse(initiator ? initiator_address : responder_address).value();
    c.remote = Endpoint::parse(initiator ? responder_address : initiator_address).value();
    c.local_id = ike::Identity::fqdn(initiator ? "initiator.bench" : "responder.bench");
    c.remote_id = ike::Identity::fqdn(initiator ? "responder.bench" : "initiator.bench");
    if (psk) {
        c.local_auth.psk = to_bytes("bench pre-shared key");
        c.peer_auth.psk = c.local_auth.psk;
    } else {
        c.local_auth = ike::LocalAuth{ike::AuthMethod::digital_signature,
                                      {},
                                      initiator ? keys.initiator_label : keys.responder_label,
                                      info(keys.suite).scheme};
        auto const& peer = initiator ? keys.responder_certificate : keys.initiator_certificate;
        c.peer_auth = ike::PeerAuth{ike::AuthMethod::digital_signature, {}, {peer.to_der()}, {}};
    }
    auto const proposal = info(keys.suite).proposal;
    c.ike_proposals = {proposal};
    c.child_proposals = {ike::ChildProposal{proposal.encryption, proposal.integrity, std::nullopt}};
    return c;
}

wire_nss::SignatureScheme ike_wire_scheme(IkeSuite suite) {
    return info(suite).wire;
}

Result<IkeBenchKeys> IkeBenchKeys::create(IkeSuite suite) {
    IkeBenchKeys keys;
    keys.suite = suite;
    auto const now = bench_wall_now();
    for (bool initiator : {true, false}) {
        auto key = crypto::PrivateKey::generate(nullptr, info(suite).key_type);
        if (!key)
            return key.error();
        auto cert = self_signed(*key, initiator ? "initiator.bench" : "responder.bench", now);
        if (!cert)
            return cert.error();
        (initiator ? keys.initiator_key : keys.responder_key) = std::move(*key);
        (initiator ? keys.initiator_certificate : keys.responder_certificate) = std::move(*cert);
    }
    return keys;
}

// ---- the pair ----

struct IkeBenchPair::Impl {
    struct Side {
        std::unique_ptr<crypto::LibContext> lib;
        std::unique_ptr<ike::IkeEndpoint> endpoint;
        crypto::PrivateKey const* key{nullptr};
        // The peer's certificate, parsed once: a verifier keeps the certificates it knows, and
        // parsing X.509 per request would be the driver's cost, not the engine's.
        Bytes peer_der;
        crypto::Certificate const* peer_certificate{nullptr};
        std::uint64_t established{0};
        std::string failure;  // the first auth_failed / drop / unexpected event
    };

    IkeBenchKeys const* keys{nullptr};
    Side initiator, responder;
    std::uint64_t established{0};
    std::uint64_t datagrams{0};
    std::uint64_t signs{0};
    std::uint64_t verifies{0};

    ike::IkeEndpoint::ServiceResult serve(Side const& side,
                                          ike::IkeEndpoint::ServiceRequest const& r) {
        if (auto const* sign = std::get_if<ike::IkeEndpoint::SignRequest>(&r.operation)) {
            ++signs;
            return crypto::sign(*side.key, sign->scheme, sign->octets);
        }
        ++verifies;
        auto const& verify = std::get<ike::IkeEndpoint::VerifyRequest>(r.operation);
        if (verify.certificate_chain.empty() || verify.certificate_chain.front() != side.peer_der)
            return fail(Errc::invalid_argument, "not the peer's certificate");
        if (auto ok = crypto::verify(*side.peer_certificate, verify.scheme, verify.octets,
                                     verify.signature);
            !ok)
            return ok.error();
        return Bytes{};
    }

    // Moves `from`'s outputs to `to`; true when anything moved.
    bool drain(Side& from, Side& to, TimePoint now) {
        bool moved = false;
        while (auto t = from.endpoint->poll_transmit()) {
            moved = true;
            ++datagrams;
            to.endpoint->handle_datagram(t->remote, t->local, t->bytes, now);
        }
        while (auto e = from.endpoint->poll_event()) {
            if (e->name == "ike.sa_established")
                ++from.established;
            else if (from.failure.empty() &&
                     (e->name == "ike.auth_failed" || e->name == "ike.datagram_dropped" ||
                      e->name == "ike.negotiation_failed"))
                from.failure = e->name + " " + e->text("reason") + e->text("notify");
        }
        while (from.endpoint->poll_secret()) {
        }
        while (auto r = from.endpoint->poll_request()) {
            moved = true;
            from.endpoint->complete_request(r->id, serve(from, *r), now);
        }
        return moved;
    }

    void pump(TimePoint now) {
        for (bool moved = true; moved;) {
            moved = drain(initiator, responder, now);
            moved |= drain(responder, initiator, now);
        }
    }

    Result<void> check_failures() const {
        for (auto const* side : {&initiator, &responder})
            if (!side->failure.empty())
                return fail(Errc::state_error,
                            (side == &initiator ? "initiator: " : "responder: ") + side->failure);
        return {};
    }
};

IkeBenchPair::IkeBenchPair(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IkeBenchPair::~IkeBenchPair() = default;

Result<std::unique_ptr<IkeBenchPair>> IkeBenchPair::create(IkeBenchKeys const& keys, bool psk) {
    auto impl = std::make_unique<Impl>();
    impl->keys = &keys;
    for (bool initiator : {true, false}) {
        auto& side = initiator ? impl->initiator : impl->responder;
        auto lib = crypto::LibContext::system();
        if (!lib)
            return lib.error();
        side.lib = std::move(*lib);
        ike::IkeConfig config;
        config.connections.push_back(ike_bench_connection(keys, psk, initiator));
        side.endpoint = std::make_unique<ike::IkeEndpoint>(std::move(config), *side.lib);
        side.key = initiator ? &keys.initiator_key : &keys.responder_key;
        side.peer_certificate =
            initiator ? &keys.responder_certificate : &keys.initiator_certificate;
        side.peer_der = side.peer_certificate->to_der();
    }
    return std::unique_ptr<IkeBenchPair>(new IkeBenchPair(std::move(impl)));
}

Result<void> IkeBenchPair::establish_and_delete(TimePoint now) {
    auto& m = *impl_;
    auto const before_i = m.initiator.established;
    auto const before_r = m.responder.established;
    auto sa = m.initiator.endpoint->initiate("to-responder", now);
    if (!sa)
        return sa.error();
    m.pump(now);
    if (auto f = m.check_failures(); !f)
        return f;
    if (m.initiator.established != before_i + 1 || m.responder.established != before_r + 1 ||
        m.initiator.endpoint->state(*sa) != ike::SaState::established)
        return fail(Errc::state_error, "the IKE SA was not established on both sides");
    ++m.established;
    if (auto d = m.initiator.endpoint->delete_sa(*sa, now); !d)
        return d.error();
    m.pump(now);
    if (auto f = m.check_failures(); !f)
        return f;
    if (m.initiator.endpoint->sa_count() != 0 || m.responder.endpoint->sa_count() != 0)
        return fail(Errc::state_error, "an SA is left after the delete exchange");
    return {};
}

std::uint64_t IkeBenchPair::established() const {
    return impl_->established;
}
std::uint64_t IkeBenchPair::datagrams() const {
    return impl_->datagrams;
}
std::uint64_t IkeBenchPair::sign_requests() const {
    return impl_->signs;
}
std::uint64_t IkeBenchPair::verify_requests() const {
    return impl_->verifies;
}

// ---- measurements ----

Result<IkeRate> measure_ike_endpoints(IkeBenchKeys const& keys, bool psk,
                                      std::chrono::milliseconds warmup,
                                      std::chrono::milliseconds duration) {
    auto pair = IkeBenchPair::create(keys, psk);
    if (!pair)
        return pair.error();
    auto run = [&](std::chrono::milliseconds d) {
        return measure_sas(d, [&] { return (*pair)->establish_and_delete(bench_wall_now()); });
    };
    if (auto warm = run(warmup); !warm)
        return warm.error();
    return run(duration);
}

double BenchIkeResult::ratio() const {
    return floor.per_second() > 0 ? endpoints.per_second() / floor.per_second() : 0;
}

double BenchIkeResult::cpu_ratio() const {
    return floor.per_cpu_second() > 0 ? endpoints.per_cpu_second() / floor.per_cpu_second() : 0;
}

double BenchIkeResult::nssd_ratio() const {
    return nssd && floor.per_second() > 0 ? nssd->per_second() / floor.per_second() : 0;
}

double BenchIkeResult::nssd_cpu_ratio() const {
    return nssd && floor.per_cpu_second() > 0 ? nssd->per_cpu_second() / floor.per_cpu_second() : 0;
}

Result<std::vector<BenchIkeResult>> run_bench_ike(BenchIkeOptions const& options,
                                                  std::ostream* progress) {
    std::vector<BenchIkeResult> results;
    std::unique_ptr<SignBenchWorld> world;
    if (options.nssd) {
        auto w = SignBenchWorld::create(2 * std::max<std::size_t>(options.nssd->connections, 1),
                                        bench_wall_now());
        if (!w)
            return fail(w.error().code, "nssd: the server's world: " + w.error().what());
        world = std::move(*w);
    }
    for (auto suite : options.suites) {
        auto keys = IkeBenchKeys::create(suite);
        if (!keys)
            return fail(keys.error().code,
                        std::string(to_string(suite)) + ": keys: " + keys.error().what());
        if (world) {
            // The endpoints' certificates on NSSD's key ring, issued by its CA, under the labels
            // the endpoints sign by.
            std::string const upper = suite == IkeSuite::p256 ? "P256" : "RSA2048";
            for (bool initiator : {true, false}) {
                auto& label = initiator ? keys->initiator_label : keys->responder_label;
                label = "BENCH IKE " + upper + (initiator ? " INITIATOR" : " RESPONDER");
                auto cert = world->add_certificate(
                    label, initiator ? "initiator.bench" : "responder.bench",
                    initiator ? keys->initiator_key : keys->responder_key, bench_wall_now());
                if (!cert)
                    return fail(cert.error().code,
                                std::string(to_string(suite)) + ": " + cert.error().what());
                (initiator ? keys->initiator_certificate : keys->responder_certificate) =
                    std::move(*cert);
            }
        }
        std::vector<bool> modes{false};
        if (options.psk)
            modes.push_back(true);
        for (bool psk : modes) {
            BenchIkeResult r;
            r.suite = suite;
            r.psk = psk;
            std::string const name = std::string(to_string(suite)) + (psk ? "-psk" : "");
            auto say = [&](char const* what, IkeRate const& rate) {
                if (progress != nullptr)
                    *progress << "  " << name << " " << what << ": " << rate.sas << " SAs in "
                              << rate.seconds << " s (thread CPU " << rate.cpu_seconds << " s)\n"
                              << std::flush;
            };
            auto endpoints = measure_ike_endpoints(*keys, psk, options.warmup, options.duration);
            if (!endpoints)
                return fail(endpoints.error().code,
                            name + " endpoints: " + endpoints.error().what());
            r.endpoints = *endpoints;
            say("endpoints", r.endpoints);
            if (world && !psk) {
                auto nssd = measure_ike_nssd(*keys, *world, *options.nssd, options.warmup,
                                             options.duration);
                if (!nssd)
                    return fail(nssd.error().code, name + " nssd: " + nssd.error().what());
                r.nssd = *nssd;
                if (progress != nullptr)
                    *progress << "  " << name << " nssd: " << nssd->sas << " SAs in "
                              << nssd->seconds << " s (process CPU " << nssd->cpu_seconds
                              << " s: client thread " << nssd->client_cpu_seconds
                              << ", NSSD network thread " << nssd->server_network_cpu_seconds
                              << ", NSSD workers " << nssd->server_worker_cpu_seconds
                              << "; waited for a CPU " << nssd->runqueue_seconds
                              << " s; retransmissions " << nssd->retransmissions << ")\n"
                              << std::flush;
            }
            if (auto w = measure_ike_floor(*keys, psk, options.warmup); !w)
                return fail(w.error().code, name + " floor: " + w.error().what());
            auto floor = measure_ike_floor(*keys, psk, options.duration);
            if (!floor)
                return fail(floor.error().code, name + " floor: " + floor.error().what());
            r.floor = *floor;
            say("floor", r.floor);
            results.push_back(r);
        }
    }
    return results;
}

std::string format_bench_ike(std::vector<BenchIkeResult> const& results,
                             BenchIkeOptions const& options) {
    std::ostringstream out;
    std::array<char, 320> line{};
    std::snprintf(line.data(), line.size(),
                  "bench ike: one IKE SA at a time (IKE_SA_INIT, IKE_AUTH, INFORMATIONAL delete), "
                  "%.1f s per measurement\n",
                  static_cast<double>(options.duration.count()) / 1000.0);
    out << line.data();
    if (options.nssd) {
        std::snprintf(line.data(), line.size(),
                      "bench ike --nssd: signatures by an NSSD over loopback TLS, %zu SAs in "
                      "flight, %zu NSS connections per side, %zu NSSD workers\n",
                      options.nssd->sas_in_flight, options.nssd->connections,
                      options.nssd->workers);
        out << line.data();
    }
    for (auto suite : options.suites) {
        std::snprintf(line.data(), line.size(), "%-11s %s, %s %s both sides\n",
                      std::string(to_string(suite)).c_str(),
                      ike::to_string(info(suite).proposal).c_str(),
                      std::string(crypto::to_string(info(suite).key_type)).c_str(),
                      std::string(crypto::to_string(info(suite).scheme)).c_str());
        out << line.data();
    }
    for (auto const& r : results) {
        std::string const name = std::string(to_string(r.suite)) + (r.psk ? "-psk" : "");
        std::snprintf(line.data(), line.size(),
                      "%-11s IKE_SA/s  endpoints %8.0f  floor %8.0f  ratio %.2f\n", name.c_str(),
                      r.endpoints.per_second(), r.floor.per_second(), r.ratio());
        out << line.data();
        std::snprintf(line.data(), line.size(),
                      "%-11s per CPU-second  endpoints %8.0f  floor %8.0f  ratio %.2f  target "
                      "%.2f %s\n",
                      name.c_str(), r.endpoints.per_cpu_second(), r.floor.per_cpu_second(),
                      r.cpu_ratio(), ike_floor_target,
                      r.cpu_ratio() >= ike_floor_target ? "met" : "MISSED");
        out << line.data();
        if (!r.nssd)
            continue;
        std::snprintf(line.data(), line.size(),
                      "%-11s IKE_SA/s  nssd      %8.0f  floor %8.0f  ratio %.2f\n", name.c_str(),
                      r.nssd->per_second(), r.floor.per_second(), r.nssd_ratio());
        out << line.data();
        std::snprintf(line.data(), line.size(),
                      "%-11s per CPU-second of the process  nssd %8.0f  floor %8.0f  ratio %.2f  "
                      "target %.2f %s\n",
                      name.c_str(), r.nssd->per_cpu_second(), r.floor.per_cpu_second(),
                      r.nssd_cpu_ratio(), ike_nssd_floor_target,
                      r.nssd_cpu_ratio() >= ike_nssd_floor_target ? "met" : "MISSED");
        out << line.data();
    }
    return out.str();
}

}  // namespace nsslab::bench
