// libFuzzer target for the IKEv2 core (sim/ike IkeEndpoint, docs/ike-core.md §5 "Hostile input
// and bounds"): an endpoint under test is fed an input-derived sequence of datagrams, timer
// advances, request answers and deletes; invariants are checked after every step.
//
// Three endpoints, each with its own deterministic LibContext made per input (so a saved input
// replays the same bytes):
//   target    10.0.0.2, the endpoint under test, responder and initiator: connection "psk" with
//             10.0.0.1 (pre-shared key) and "sig" with 10.0.0.3 (AUTH method 14, ECDSA P-256,
//             the peer's certificate from its configuration); small bounds (half_open_max 3,
//             sas_max 6) so the fuzzer reaches them;
//   honest    10.0.0.1 and 10.0.0.3: knows the PSK and the key the target's configuration
//             certifies; it initiates, or answers the target, only when the input says so;
//   impostor  the same addresses and identities, a guessed PSK and a key nobody certified.
// Their datagrams go into one in-flight list; the input delivers them as they are, with a flipped
// bit, truncated, duplicated, from another address, or drops them, in any order; it also sends
// raw bytes of its own to the target and replays what the target received earlier. Sign requests
// are answered with crypto::sign by the node's own key, verify requests with crypto::verify
// against the first certificate of the chain (both real), at once or when the input says, and
// completions for requests already answered are sent again with a fake success.
//
// Invariants (a violation prints what and traps):
//   - authentication: the target emits ike.sa_established for an SA only if the honest node sent
//     an IKE_AUTH message with that SA's SPIs (the only party that knows the PSK and a certified
//     key; raw input bytes, replays and mutations cannot make one), and, for a peer that
//     authenticates with a signature, only after a verify request of that SA was answered with a
//     successful crypto::verify; never twice for one SA;
//   - bounds: sa_count() <= sas_max, half_open_count() <= half_open_max and <= sa_count(), no
//     output discarded (the harness drains after every input);
//   - timers: after handle_timeout(now), next_timeout() is later than now;
//   - bounded state: at the end the network goes silent and virtual time runs on for hours; then
//     no SA is half open, every SA the target still holds is established, and sa_count() is the
//     number of those (no SA the target forgot to report).
//
// Input: byte 0 = options (bit 0: requests answered at once; bit 1: retries 1; bit 2:
// auth_wait_limit 5 s; bit 3: half_open_timeout 5 s), then operations (Run::step, at most
// 64); reading past the end yields zeros. Seeds: fuzz/ike_endpoint/make_corpus.py.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "nsslab/crypto/certificate.hpp"
#include "nsslab/crypto/key.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/crypto/signature.hpp"
#include "nsslab/ike/endpoint.hpp"

namespace {

using namespace nsslab;
using namespace std::chrono_literals;
using ike::IkeEndpoint;

[[noreturn]] void violated(char const* what, std::string const& detail = {}) {
    std::fprintf(stderr, "fuzz_ike_endpoint: invariant violated: %s %s\n", what, detail.c_str());
    std::fflush(stderr);
    __builtin_trap();
}

template <class T>
T must(Result<T> r, char const* what) {
    if (!r)
        violated(what, r.error().what());
    return std::move(*r);
}

TimePoint start_time() {
    return time_from_unix_seconds(1'800'000'000);
}

Endpoint ep(char const* text) {
    return must(Endpoint::parse(text), "endpoint");
}

// NSSLAB_FUZZ_VERBOSE=1: print every event of the three nodes (reproducing a finding).
bool verbose() {
    static bool const on = std::getenv("NSSLAB_FUZZ_VERBOSE") != nullptr;
    return on;
}

constexpr std::array<char const*, 3> node_names{"TARGET", "HONEST", "IMPOSTOR"};

// ---- the fixed PKI, built once ----

struct World {
    std::string target_pem, honest_pem, mallory_pem;  // private keys, reloaded per input
    Bytes target_cert, honest_cert;                   // DER

    static World const& get() {
        static World const world = make();
        return world;
    }

    static World make() {
        World w;
        auto ctx = must(crypto::LibContext::deterministic(7, "FUZZPKI"), "ctx");
        auto cert = [&](crypto::PrivateKey const& key, char const* cn) {
            crypto::CertificateSpec spec;
            spec.subject = must(crypto::DistinguishedName::parse(std::string("CN=") + cn), "dn");
            spec.not_before = time_from_unix_seconds(1'735'689'600);
            spec.not_after = time_from_unix_seconds(2'051'222'400);
            spec.subject_alt_names.dns_names = {cn};  // confirms the FQDN ID (docs/ike-core.md §3)
            return must(crypto::Certificate::create_self_signed(spec, key), "cert").to_der();
        };
        auto target = must(crypto::PrivateKey::generate(ctx.get(), crypto::KeyType::ec_p256), "k");
        auto honest = must(crypto::PrivateKey::generate(ctx.get(), crypto::KeyType::ec_p256), "k");
        auto mallory = must(crypto::PrivateKey::generate(ctx.get(), crypto::KeyType::ec_p256), "k");
        w.target_pem = must(target.export_private_pem_unsafe(), "pem");
        w.honest_pem = must(honest.export_private_pem_unsafe(), "pem");
        w.mallory_pem = must(mallory.export_private_pem_unsafe(), "pem");
        w.target_cert = cert(target, "target.example");
        w.honest_cert = cert(honest, "honest.example");
        return w;
    }
};

// ---- configurations ----

using crypto::DhGroup;
using crypto::EncryptionAlgorithm;
using crypto::IntegrityAlgorithm;
using crypto::PrfAlgorithm;

ike::IkeProposal const gcm256_19{EncryptionAlgorithm::aes_gcm_16_256, IntegrityAlgorithm::none,
                                 PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256};
ike::IkeProposal const gcm128_19{EncryptionAlgorithm::aes_gcm_16_128, IntegrityAlgorithm::none,
                                 PrfAlgorithm::hmac_sha2_256, DhGroup::ecp_256};
ike::IkeProposal const cbc256_19{EncryptionAlgorithm::aes_cbc_256,
                                 IntegrityAlgorithm::hmac_sha2_256_128, PrfAlgorithm::hmac_sha2_256,
                                 DhGroup::ecp_256};
ike::IkeProposal const cbc128_25519{EncryptionAlgorithm::aes_cbc_128,
                                    IntegrityAlgorithm::hmac_sha2_512_256,
                                    PrfAlgorithm::hmac_sha2_384, DhGroup::curve_25519};

constexpr char const* target_psk = "fuzz pre-shared key nobody guesses";

ike::Connection connection(char const* name, char const* local, char const* remote,
                           char const* local_id, char const* remote_id,
                           std::vector<ike::IkeProposal> proposals) {
    ike::Connection c;
    c.name = name;
    c.local = ep(local);
    c.remote = ep(remote);
    c.local_id = ike::Identity::fqdn(local_id);
    c.remote_id = ike::Identity::fqdn(remote_id);
    for (auto const& p : proposals)
        c.child_proposals.push_back(ike::ChildProposal{p.encryption, p.integrity});
    c.ike_proposals = std::move(proposals);
    return c;
}

void use_psk(ike::Connection& c, char const* psk) {
    c.local_auth.psk = to_bytes(psk);
    c.peer_auth.psk = to_bytes(psk);
}

void use_signature(ike::Connection& c, char const* label, Bytes const& peer_cert) {
    c.local_auth = ike::LocalAuth{
        ike::AuthMethod::digital_signature, {}, label, crypto::SignatureScheme::ecdsa_sha256};
    c.peer_auth = ike::PeerAuth{ike::AuthMethod::digital_signature, {}, {peer_cert}, {}};
}

ike::IkeConfig target_config() {
    World const& w = World::get();
    std::vector<ike::IkeProposal> all{gcm256_19, gcm128_19, cbc256_19, cbc128_25519};
    auto psk =
        connection("psk", "10.0.0.2:500", "10.0.0.1:500", "target.example", "honest.example", all);
    use_psk(psk, target_psk);
    auto sig =
        connection("sig", "10.0.0.2:500", "10.0.0.3:500", "target.example", "honest.example", all);
    use_signature(sig, "TARGET", w.honest_cert);
    return ike::IkeConfig{{psk, sig}};
}

// The honest node (impostor false) or the impostor: the same addresses and identities.
ike::IkeConfig peer_config(bool impostor) {
    World const& w = World::get();
    auto psk = connection("psk", "10.0.0.1:500", "10.0.0.2:500", "honest.example", "target.example",
                          {gcm256_19});
    use_psk(psk, impostor ? "fuzz pre-shared key" : target_psk);
    auto sig = connection("sig", "10.0.0.3:500", "10.0.0.2:500", "honest.example", "target.example",
                          {cbc256_19});
    use_signature(sig, impostor ? "MALLORY" : "HONEST", w.target_cert);
    return ike::IkeConfig{{psk, sig}};
}

// ---- input reader ----

class Input {
  public:
    Input(std::uint8_t const* data, std::size_t size) : data_(data), size_(size) {}
    bool empty() const { return pos_ >= size_; }
    std::uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
    std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
    Bytes bytes(std::size_t n) {
        n = std::min(n, size_ - std::min(pos_, size_));
        Bytes out(data_ + pos_, data_ + pos_ + n);
        pos_ += n;
        return out;
    }

  private:
    std::uint8_t const* data_;
    std::size_t size_;
    std::size_t pos_{0};
};

constexpr std::array<char const*, 6> raw_sources{"10.0.0.1:500", "10.0.0.3:500",  "10.0.0.1:4500",
                                                 "10.0.0.9:500", "10.0.0.3:4500", "10.0.0.2:500"};
constexpr std::array<char const*, 2> target_locals{"10.0.0.2:500", "10.0.0.2:4500"};
constexpr std::array<std::int64_t, 10> advance_ms{1,      500,    2'000,  4'100,   5'100,
                                                  14'000, 30'100, 62'000, 255'000, 3'600'000};

constexpr std::size_t in_flight_max = 64;
constexpr std::size_t history_max = 32;
constexpr std::size_t steps_max = 64;

enum Node : std::size_t { target = 0, honest = 1, impostor = 2 };

struct Packet {
    Node from;
    Endpoint source;
    Endpoint destination;
    Bytes bytes;
};

struct Held {
    Node node;
    IkeEndpoint::ServiceRequest request;
};

std::string spi_hex(std::uint64_t spi) {
    std::array<char, 20> text{};
    std::snprintf(text.data(), text.size(), "%016llx", static_cast<unsigned long long>(spi));
    return text.data();
}

std::uint64_t read_u64(Bytes const& b, std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i)
        v = (v << 8) | b[at + i];
    return v;
}

class Run {
  public:
    explicit Run(std::uint8_t flags) : answer_at_once_((flags & 1) != 0) {
        World const& w = World::get();
        options_.half_open_max = 3;
        options_.sas_max = 6;
        if ((flags & 2) != 0)
            options_.retries = 1;
        if ((flags & 4) != 0)
            options_.auth_wait_limit = 5s;
        if ((flags & 8) != 0)
            options_.half_open_timeout = 5s;
        for (std::size_t n = 0; n < 3; ++n) {
            libs_[n] = must(crypto::LibContext::deterministic(1, node_names[n]), "lib");
            auto config = n == target ? target_config() : peer_config(n == impostor);
            endpoints_[n] = std::make_unique<IkeEndpoint>(std::move(config), *libs_[n], options_);
        }
        keys_["TARGET"] =
            must(crypto::PrivateKey::load_pem(libs_[target].get(), w.target_pem), "k");
        keys_["HONEST"] =
            must(crypto::PrivateKey::load_pem(libs_[honest].get(), w.honest_pem), "k");
        keys_["MALLORY"] =
            must(crypto::PrivateKey::load_pem(libs_[impostor].get(), w.mallory_pem), "k");
    }

    void step(Input& in) {
        std::uint8_t const op = in.u8();
        switch (op & 0x0f) {
            case 0: {  // a peer initiates: bit 4 impostor, bit 5 the "sig" connection
                Node const n = (op & 0x10) != 0 ? impostor : honest;
                (void)endpoints_[n]->initiate((op & 0x20) != 0 ? "sig" : "psk", now_);
                break;
            }
            case 1:  // the target initiates: bit 4 the "sig" connection
                (void)endpoints_[target]->initiate((op & 0x10) != 0 ? "sig" : "psk", now_);
                break;
            case 2:
                deliver_one(in);
                break;
            case 3:  // everything in flight, in order (what arrives meanwhile too, bounded)
                for (std::size_t i = 0; i < 32 && !in_flight_.empty(); ++i) {
                    Packet p = std::move(in_flight_.front());
                    in_flight_.erase(in_flight_.begin());
                    deliver(p);
                }
                break;
            case 4: {  // raw bytes to the target
                Endpoint const from = ep(raw_sources[in.u8() % raw_sources.size()]);
                Endpoint const local = ep(target_locals[(op >> 4) & 1]);
                Bytes bytes = in.bytes(in.u16() % 1500);
                deliver(Packet{Node::impostor, from, local, std::move(bytes)});
                break;
            }
            case 5: {  // replay something the target received, optionally with a flipped bit
                if (history_.empty())
                    break;
                Packet p = history_[in.u8() % history_.size()];
                if ((op & 0x10) != 0 && !p.bytes.empty()) {
                    std::size_t const at = in.u16() % p.bytes.size();
                    p.bytes[at] ^= static_cast<std::uint8_t>(1u << (in.u8() % 8));
                }
                deliver(p);
                break;
            }
            case 6:
                advance(
                    Duration{std::chrono::milliseconds{advance_ms[in.u8() % advance_ms.size()]}});
                break;
            case 7:
                answer(in, op);
                break;
            case 8: {  // delete an SA the target or the honest node reported
                Node const n = (op & 0x10) != 0 ? honest : target;
                auto const& ids = known_[n];
                if (ids.empty())
                    break;
                auto it = ids.begin();
                std::advance(it, static_cast<std::ptrdiff_t>(in.u8() % ids.size()));
                (void)endpoints_[n]->delete_sa(*it, now_);
                break;
            }
            case 9: {  // a completion for a request the target already had answered
                if (answered_.empty())
                    break;
                std::uint64_t const id = answered_[in.u8() % answered_.size()];
                IkeEndpoint::ServiceResult fake =
                    (op & 0x10) != 0 ? IkeEndpoint::ServiceResult{Bytes{}}
                                     : IkeEndpoint::ServiceResult{in.bytes(in.u8() % 80)};
                endpoints_[target]->complete_request(id, std::move(fake), now_);
                break;
            }
            case 10:
                in_flight_.clear();
                break;
            default:
                break;
        }
        drain_all();
        check_bounds();
    }

    // The network goes silent, held requests stay unanswered, time runs on for hours.
    void finish() {
        in_flight_.clear();
        TimePoint const end = now_ + std::chrono::hours{3};
        for (int i = 0; i < 10'000; ++i) {
            std::optional<TimePoint> next;
            for (auto const& e : endpoints_)
                if (auto t = e->next_timeout(); t && (!next || *t < *next))
                    next = t;
            if (!next || *next > end)
                break;
            now_ = std::max(now_, *next);
            for (auto& e : endpoints_)
                e->handle_timeout(now_);
            check_timers();
            in_flight_.clear();
            drain_all();
            in_flight_.clear();
            check_bounds();
        }
        auto& t = *endpoints_[target];
        if (t.half_open_count() != 0)
            violated("a half-open SA outlived every timer", std::to_string(t.half_open_count()));
        std::size_t established = 0;
        for (auto sa : known_[target]) {
            auto state = t.state(sa);
            if (state && *state != ike::SaState::established)
                violated("an SA outlived every timer in state", std::string(to_string(*state)));
            established += state ? 1 : 0;
        }
        if (t.sa_count() != established)
            violated("the target holds SAs it never reported",
                     std::to_string(t.sa_count()) + " vs " + std::to_string(established));
        // Late completions of everything still held: stale, nothing may change.
        for (auto& h : held_)
            endpoints_[h.node]->complete_request(h.request.id, serve(h.node, h.request), now_);
        held_.clear();
        drain_all();
        check_bounds();
    }

  private:
    void deliver_one(Input& in) {
        if (in_flight_.empty())
            return;
        std::size_t const index = in.u8() % in_flight_.size();
        Packet p = in_flight_[index];
        std::uint8_t const mode = in.u8() % 8;
        if (mode != 3)  // 3: duplicate (deliver and keep)
            in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(index));
        switch (mode) {
            case 1:  // a flipped bit
                if (!p.bytes.empty()) {
                    std::size_t const at = in.u16() % p.bytes.size();
                    p.bytes[at] ^= static_cast<std::uint8_t>(1u << (in.u8() % 8));
                }
                break;
            case 2:  // truncated
                p.bytes.resize(p.bytes.empty() ? 0 : in.u16() % p.bytes.size());
                break;
            case 4:  // lost
                return;
            case 5:  // from another address (a NAT rebinding, or an attacker's copy)
                p.source = ep(raw_sources[in.u8() % raw_sources.size()]);
                break;
            case 6:  // trailing garbage
                p.bytes.push_back(in.u8());
                break;
            default:
                break;
        }
        deliver(p);
    }

    void deliver(Packet const& p) {
        if (p.from == target) {
            // To whichever peer has the destination address: both the honest node and the
            // impostor do; the one without the SA drops it.
            endpoints_[honest]->handle_datagram(p.destination, p.source, p.bytes, now_);
            endpoints_[impostor]->handle_datagram(p.destination, p.source, p.bytes, now_);
            return;
        }
        endpoints_[target]->handle_datagram(p.destination, p.source, p.bytes, now_);
        if (history_.size() >= history_max)
            history_.erase(history_.begin());
        history_.push_back(p);
    }

    void advance(Duration d) {
        now_ += d;
        for (auto& e : endpoints_) {
            if (auto t = e->next_timeout(); t && *t <= now_)
                e->handle_timeout(now_);
        }
        check_timers();
    }

    void check_timers() const {
        for (std::size_t n = 0; n < 3; ++n)
            if (auto t = endpoints_[n]->next_timeout(); t && *t <= now_)
                violated("next_timeout() is not after the time just handled",
                         "node " + std::to_string(n));
    }

    IkeEndpoint::ServiceResult serve(Node n, IkeEndpoint::ServiceRequest const& r) {
        if (auto const* sign = std::get_if<IkeEndpoint::SignRequest>(&r.operation)) {
            auto it = keys_.find(sign->key_label);
            if (it == keys_.end())
                return fail(Errc::not_found, "no key " + sign->key_label);
            return crypto::sign(it->second, sign->scheme, sign->octets);
        }
        auto const& verify = std::get<IkeEndpoint::VerifyRequest>(r.operation);
        if (verify.certificate_chain.empty())
            return fail(Errc::invalid_argument, "no chain");
        auto cert = crypto::Certificate::load_der(libs_[n].get(), verify.certificate_chain.front());
        if (!cert)
            return cert.error();
        if (auto ok = crypto::verify(*cert, verify.scheme, verify.octets, verify.signature); !ok)
            return ok.error();
        if (n == target)
            verified_.insert(r.sa);
        return Bytes{};
    }

    void complete(Node n, IkeEndpoint::ServiceRequest const& r, bool genuine) {
        auto result = genuine ? serve(n, r)
                              : IkeEndpoint::ServiceResult{fail(Errc::timed_out, "fuzz: refused")};
        if (n == target && answered_.size() < 64)
            answered_.push_back(r.id);
        endpoints_[n]->complete_request(r.id, std::move(result), now_);
    }

    void answer(Input& in, std::uint8_t op) {
        if (held_.empty())
            return;
        if ((op & 0x20) != 0) {  // all, genuinely, in order
            auto all = std::move(held_);
            held_.clear();
            for (auto const& h : all)
                complete(h.node, h.request, true);
            return;
        }
        std::size_t const index = in.u8() % held_.size();
        Held h = held_[index];
        held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(index));
        complete(h.node, h.request, (op & 0x10) == 0);
    }

    void drain_all() {
        for (bool moved = true; moved;) {
            moved = false;
            for (std::size_t n = 0; n < 3; ++n)
                moved |= drain(static_cast<Node>(n));
        }
    }

    bool drain(Node n) {
        bool moved = false;
        auto& e = *endpoints_[n];
        while (auto t = e.poll_transmit()) {
            if (n == honest)
                note_honest_auth(t->bytes);
            if (in_flight_.size() >= in_flight_max)
                in_flight_.erase(in_flight_.begin());
            in_flight_.push_back(Packet{n, t->local, t->remote, std::move(t->bytes)});
        }
        while (auto ev = e.poll_event())
            on_event(n, *ev);
        while (e.poll_secret()) {
        }
        while (auto r = e.poll_request()) {
            if (answer_at_once_) {
                complete(n, *r, true);
                moved = true;
            } else {
                held_.push_back(Held{n, std::move(*r)});
            }
        }
        return moved;
    }

    // An IKE_AUTH (exchange type 35) sent by the honest node: its SPI pair may be established.
    void note_honest_auth(Bytes const& bytes) {
        std::size_t const at =
            bytes.size() >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0 && bytes[3] == 0
                ? 4
                : 0;
        if (bytes.size() < at + 28 || bytes[at + 18] != 35)
            return;
        honest_auth_.insert(spi_hex(read_u64(bytes, at)) + "/" + spi_hex(read_u64(bytes, at + 8)));
    }

    void on_event(Node n, Event const& e) {
        if (verbose()) {
            std::fprintf(stderr, "%s %s", node_names[n], e.name.c_str());
            for (auto const& f : e.fields)
                std::fprintf(stderr, " %s=%s", f.key.c_str(), e.text(f.key).c_str());
            std::fprintf(stderr, "\n");
        }
        if (auto const* f = e.find("sa"); f != nullptr) {
            if (auto const* id = std::get_if<std::uint64_t>(f))
                known_[n].insert(*id);
        }
        if (n != target || e.name != "ike.sa_established")
            return;
        std::uint64_t const sa = std::stoull(e.text("sa"));
        if (!established_.insert(sa).second)
            violated("ike.sa_established twice for SA", e.text("sa"));
        std::string const spis = e.text("spi_i") + "/" + e.text("spi_r");
        if (honest_auth_.count(spis) == 0)
            violated("an SA established without an IKE_AUTH from the honest peer", spis);
        if (e.text("peer_auth") == "digital_signature" && verified_.count(sa) == 0)
            violated("a signature SA established without a successful verify", spis);
    }

    void check_bounds() const {
        for (std::size_t n = 0; n < 3; ++n) {
            auto const& e = *endpoints_[n];
            if (e.sa_count() > options_.sas_max)
                violated("sa_count above sas_max", std::to_string(e.sa_count()));
            if (e.half_open_count() > options_.half_open_max || e.half_open_count() > e.sa_count())
                violated("half_open_count out of bounds", std::to_string(e.half_open_count()));
            if (e.outputs_discarded() != 0)
                violated("an output was discarded", std::to_string(e.outputs_discarded()));
        }
    }

    bool answer_at_once_;
    ike::IkeOptions options_;
    TimePoint now_{start_time()};
    std::array<std::unique_ptr<crypto::LibContext>, 3> libs_;
    std::array<std::unique_ptr<IkeEndpoint>, 3> endpoints_;
    std::map<std::string, crypto::PrivateKey> keys_;
    std::vector<Packet> in_flight_;
    std::vector<Packet> history_;
    std::vector<Held> held_;
    std::vector<std::uint64_t> answered_;       // the target's request ids already completed
    std::array<std::set<ike::SaId>, 3> known_;  // SAs named in each node's events
    std::set<ike::SaId> verified_;              // the target's SAs with a successful verify
    std::set<ike::SaId> established_;           // the target's SAs reported established
    std::set<std::string> honest_auth_;  // "spi_i/spi_r" of the honest node's IKE_AUTH messages
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    Input in(data, size);
    Run run(in.u8());
    for (std::size_t i = 0; i < steps_max && !in.empty(); ++i)
        run.step(in);
    run.finish();
    return 0;
}
