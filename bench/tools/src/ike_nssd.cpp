// `nsslab bench ike --nssd`: the two endpoints' sign and verify requests delegated to an NSSD over
// real loopback TCP and AT-TLS, as IKED does (docs/benchmarks.md "bench ike", delegated mode).
//
// NSSD (NssdBenchServer) runs on its own loop and thread, signing on its worker threads; the
// calling thread runs one asio_rt::Loop with one Application (IkeNssdApp) holding the initiator
// and the responder IkeEndpoint (datagrams handed over in memory, as in process) and N NssClient
// cores per side (each a stack registered with NSSD as BENCH<n>). Each endpoint's requests go
// round robin to its side's clients: a SignRequest as a SignRequest with the endpoint's key label
// (a certificate on NSSD's key ring), a VerifyRequest as a VerifyRequest with the peer's
// certificate (PeerAuth::certificate_chain), which NSSD verifies and checks against the ring's
// CA. `sas_in_flight` SAs are kept going at once: each SA the initiator establishes is counted,
// deleted (INFORMATIONAL, in memory) and replaced by a new one.
#include <pthread.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <ostream>
#include <unordered_map>
#include <variant>

#include "ike_rate.hpp"
#include "nssd_bench.hpp"
#include "nsslab/bench/ike.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/ike/endpoint.hpp"
#include "nsslab/runtime/driver.hpp"

namespace nsslab::bench {

namespace {

class IkeNssdApp;

// The endpoints' timer (retransmissions, auth wait, half-open limit) among the Application's
// drivers, so that the one deadline of the Application covers it.
class EndpointTimer final : public runtime::Driver {
  public:
    EndpointTimer(runtime::Runtime& rt, runtime::DriverSet& set, IkeNssdApp& app)
        : Driver(rt, &set), app_(app) {}
    void on_deadline(TimePoint now) override;
    std::optional<TimePoint> next_timeout() const override;

  private:
    IkeNssdApp& app_;
};

class IkeNssdApp final : public runtime::DrivenApplication {
  public:
    struct Client {
        std::unique_ptr<nss::NssClient> core;
        std::unique_ptr<runtime::StreamDriver<nss::NssClient>> driver;
        std::unordered_map<nss::RequestHandle, std::uint64_t> requests;  // -> endpoint request
        bool dirty{false};  // given requests since its driver last drained
    };
    struct Side {
        std::unique_ptr<crypto::LibContext> lib;
        std::unique_ptr<ike::IkeEndpoint> endpoint;
        std::vector<std::unique_ptr<Client>> clients;
        std::size_t next_client{0};
        std::uint64_t established{0};
        std::string failure;
    };

    IkeNssdApp(runtime::Runtime& rt, IkeBenchKeys const& keys, wire_nss::SignatureScheme scheme,
               std::vector<std::unique_ptr<nss::NssClient>> initiator_clients,
               std::vector<std::unique_ptr<nss::NssClient>> responder_clients,
               std::size_t sas_in_flight)
        : DrivenApplication(rt),
          keys_(keys),
          scheme_(scheme),
          sas_in_flight_(sas_in_flight),
          timer_(rt, drivers_, *this) {
        for (bool initiator : {true, false}) {
            auto& side = initiator ? initiator_ : responder_;
            auto lib = crypto::LibContext::system();
            NSSLAB_ASSERT(lib.has_value(), "bench ike --nssd: a library context");
            side.lib = std::move(*lib);
            ike::IkeConfig config;
            config.connections.push_back(ike_bench_connection(keys, false, initiator));
            side.endpoint = std::make_unique<ike::IkeEndpoint>(std::move(config), *side.lib);
            for (auto& core : initiator ? initiator_clients : responder_clients) {
                auto c = std::make_unique<Client>();
                c->core = std::move(core);
                c->driver = std::make_unique<runtime::StreamDriver<nss::NssClient>>(
                    rt, *c->core, &drivers_, runtime::StreamDriverOptions{"bench", {}, {}});
                Client* const client = c.get();
                Side* const s = &side;
                c->driver->on_completion([this, client, s](nss::Completion done, TimePoint now) {
                    completed(*s, *client, std::move(done), now);
                });
                side.clients.push_back(std::move(c));
            }
        }
    }

    void on_start(TimePoint now) override {
        for (auto* side : {&initiator_, &responder_})
            for (auto& c : side->clients) {
                c->core->start(now);
                c->driver->drain(now);
            }
        drivers_.arm();
    }
    void on_stop(TimePoint now) override {
        initiating_ = false;
        for (auto* side : {&initiator_, &responder_})
            for (auto& c : side->clients) {
                c->core->stop(now);
                c->driver->drain(now);
            }
        drivers_.arm();
    }
    void on_received(runtime::SocketId stream, ByteView data, TimePoint now) override {
        drivers_.on_received(stream, data, now);
        after_input(now);
    }
    void on_connected(runtime::SocketId stream, TimePoint now) override {
        DrivenApplication::on_connected(stream, now);
        after_input(now);
    }
    void on_deadline(TimePoint now) override {
        drivers_.on_deadline(now);
        after_input(now);
    }

    // The endpoints' timers (EndpointTimer).
    void endpoint_deadline(TimePoint now) {
        for (auto* side : {&initiator_, &responder_})
            if (auto t = side->endpoint->next_timeout(); t && *t <= now)
                side->endpoint->handle_timeout(now);
        pump(now);
    }
    std::optional<TimePoint> endpoint_timeout() const {
        auto a = initiator_.endpoint->next_timeout();
        auto b = responder_.endpoint->next_timeout();
        if (!a)
            return b;
        if (!b)
            return a;
        return std::min(*a, *b);
    }

    bool all_registered() const {
        for (auto const* side : {&initiator_, &responder_})
            for (auto const& c : side->clients)
                if (c->core->phase() != nss::Phase::registered)
                    return false;
        return true;
    }
    std::uint64_t sas() const { return sas_; }
    std::uint64_t in_flight() const { return in_flight_; }
    std::uint64_t retransmissions() const { return retransmissions_; }
    std::string failure() const {
        if (!initiator_.failure.empty())
            return "initiator: " + initiator_.failure;
        if (!responder_.failure.empty())
            return "responder: " + responder_.failure;
        return {};
    }
    void stop_initiating() { initiating_ = false; }

  private:
    // After every input from the loop: start the SAs once every client is registered, then let
    // the clients given requests encrypt and send them together.
    void after_input(TimePoint now) {
        if (!started_ && all_registered()) {
            started_ = true;
            pump(now);
        }
        for (auto* side : {&initiator_, &responder_})
            for (auto& c : side->clients)
                if (c->dirty) {
                    c->dirty = false;
                    c->driver->drain(now);
                }
        drivers_.arm();
    }

    void completed(Side& side, Client& client, nss::Completion done, TimePoint now) {
        auto it = client.requests.find(done.handle);
        NSSLAB_ASSERT(it != client.requests.end(), "bench ike --nssd: a completion we asked for");
        std::uint64_t const id = it->second;
        client.requests.erase(it);
        ike::IkeEndpoint::ServiceResult result = Bytes{};
        if (done.result != wire_nss::ResultCode::ok) {
            result =
                fail(Errc::permission_denied,
                     "NSS " + std::string(wire_nss::to_string(done.result)) + ": " + done.reason);
        } else if (auto* sign = std::get_if<wire_nss::SignReply>(&done.payload)) {
            result = std::move(sign->signature);
        }
        side.endpoint->complete_request(id, std::move(result), now);
        pump(now);
    }

    void serve(Side& side, ike::IkeEndpoint::ServiceRequest r, TimePoint now) {
        auto& client = *side.clients[side.next_client++ % side.clients.size()];
        nss::RequestHandle handle = 0;
        if (auto* sign = std::get_if<ike::IkeEndpoint::SignRequest>(&r.operation)) {
            handle =
                client.core->request_sign(sign->key_label, scheme_, std::move(sign->octets), now);
        } else {
            auto& verify = std::get<ike::IkeEndpoint::VerifyRequest>(r.operation);
            handle = client.core->request_verify(scheme_, std::move(verify.octets),
                                                 std::move(verify.signature),
                                                 std::move(verify.certificate_chain), now);
        }
        client.requests.emplace(handle, r.id);
        client.dirty = true;
    }

    // Moves `from`'s outputs: datagrams to `to`, requests to its NSS clients. True when
    // anything moved.
    bool drain(Side& from, Side& to, TimePoint now) {
        bool moved = false;
        while (auto t = from.endpoint->poll_transmit()) {
            moved = true;
            to.endpoint->handle_datagram(t->remote, t->local, t->bytes, now);
        }
        while (auto e = from.endpoint->poll_event()) {
            if (e->name == "ike.sa_established") {
                ++from.established;
                if (&from == &initiator_)
                    if (auto const* v = e->find("sa"))
                        if (auto const* sa = std::get_if<std::uint64_t>(v))
                            established_.push_back(*sa);
            } else if (e->name == "ike.datagram_dropped" &&
                       e->text("reason") == "request_in_progress") {
                // A retransmission (IkeInitWait, 2 s) of a request whose answer waits for NSSD:
                // absorbed as RFC 7296 §2.1 prescribes; only a loaded machine gets here.
                ++retransmissions_;
            } else if (from.failure.empty() &&
                       (e->name == "ike.auth_failed" || e->name == "ike.datagram_dropped" ||
                        e->name == "ike.negotiation_failed")) {
                from.failure = e->name + " " + e->text("reason") + e->text("notify");
            }
        }
        while (from.endpoint->poll_secret()) {
        }
        while (auto r = from.endpoint->poll_request()) {
            moved = true;
            serve(from, std::move(*r), now);
        }
        return moved;
    }

    // Moves datagrams between the endpoints until neither has output; every SA the initiator
    // established is counted, deleted and replaced while initiating.
    void pump(TimePoint now) {
        if (pumping_)
            return;  // a completion inside a drain: the outer pump picks its output up
        pumping_ = true;
        for (bool moved = true; moved;) {
            moved = drain(initiator_, responder_, now);
            moved |= drain(responder_, initiator_, now);
            while (!established_.empty()) {
                moved = true;
                ike::SaId const sa = established_.front();
                established_.pop_front();
                ++sas_;
                --in_flight_;
                if (auto d = initiator_.endpoint->delete_sa(sa, now);
                    !d && initiator_.failure.empty())
                    initiator_.failure = "delete_sa: " + d.error().what();
            }
            while (started_ && initiating_ && in_flight_ < sas_in_flight_ && failure().empty()) {
                moved = true;
                auto sa = initiator_.endpoint->initiate("to-responder", now);
                if (!sa) {
                    initiator_.failure = "initiate: " + sa.error().what();
                    break;
                }
                ++in_flight_;
            }
        }
        pumping_ = false;
    }

    IkeBenchKeys const& keys_;
    wire_nss::SignatureScheme scheme_;
    std::size_t sas_in_flight_;
    Side initiator_, responder_;
    EndpointTimer timer_;
    std::deque<ike::SaId> established_;
    std::uint64_t sas_{0};
    std::uint64_t retransmissions_{0};
    std::size_t in_flight_{0};
    bool started_{false};
    bool initiating_{true};
    bool pumping_{false};
};

void EndpointTimer::on_deadline(TimePoint now) {
    app_.endpoint_deadline(now);
}

std::optional<TimePoint> EndpointTimer::next_timeout() const {
    return app_.endpoint_timeout();
}

}  // namespace

Result<IkeRate> measure_ike_nssd(IkeBenchKeys const& keys, SignBenchWorld& world,
                                 IkeNssdOptions const& options, std::chrono::milliseconds warmup,
                                 std::chrono::milliseconds duration) {
    std::size_t const per_side = std::max<std::size_t>(options.connections, 1);
    std::size_t const in_flight = std::clamp<std::size_t>(options.sas_in_flight, 1, 1024);
    // Each SA has at most one request outstanding per side, spread evenly over the side's
    // connections; NSSD queues a bounded number per connection and answers the rest busy.
    std::size_t const queue_max = nss::NssServerLimits{}.outstanding_per_connection_max;
    if (in_flight > queue_max * per_side)
        return fail(Errc::invalid_argument,
                    std::to_string(in_flight) + " SAs in flight need at least " +
                        std::to_string((in_flight + queue_max - 1) / queue_max) +
                        " NSS connections per side (NSSD queues " + std::to_string(queue_max) +
                        " requests per connection)");
    auto client_ctx = crypto::LibContext::system();
    if (!client_ctx)
        return client_ctx.error();
    auto server = NssdBenchServer::start(world, options.workers, "ike");
    if (!server)
        return server.error();
    // Every SA in flight has at most one request outstanding per side.
    std::size_t const pending_max = in_flight + 16;
    auto initiator_clients =
        make_bench_clients(world, 0, per_side, (*server)->port(), **client_ctx, pending_max);
    if (!initiator_clients)
        return initiator_clients.error();
    auto responder_clients =
        make_bench_clients(world, per_side, per_side, (*server)->port(), **client_ctx, pending_max);
    if (!responder_clients)
        return responder_clients.error();

    asio_rt::Loop loop;
    loop.add(
        "SYSTEMA",
        [&](runtime::Runtime& rt) {
            return std::make_unique<IkeNssdApp>(rt, keys, ike_wire_scheme(keys.suite),
                                                std::move(*initiator_clients),
                                                std::move(*responder_clients), in_flight);
        },
        (*server)->root() / "iked", nullptr);
    auto& app = static_cast<IkeNssdApp&>(*loop.application("SYSTEMA"));
    auto finish = [&](Result<IkeRate> r) -> Result<IkeRate> {
        app.stop_initiating();
        loop.stop(std::chrono::milliseconds{1000});
        server->reset();
        return r;
    };
    auto run_for = [&](std::chrono::milliseconds d) {
        auto const end = SteadyClock::now() + d;
        loop.run_until([&] { return SteadyClock::now() >= end || !app.failure().empty(); },
                       d + std::chrono::milliseconds{100});
    };

    if (!loop.run_until([&] { return app.sas() > 0 || !app.failure().empty(); },
                        std::chrono::milliseconds{10000}))
        return finish(fail(Errc::timed_out,
                           "no IKE SA established within 10 s (the NSS clients "
                           "did not register, or no request was answered)"));
    run_for(warmup);
    std::uint64_t const before = app.sas();
    std::uint64_t const retransmissions_before = app.retransmissions();
    auto const server0 = (*server)->clocks();
    double const client_cpu0 = thread_cpu_now();
    double const process_cpu0 = process_cpu_seconds();
    double const client_wait0 = runqueue_seconds(this_tid());
    auto const start = SteadyClock::now();
    run_for(duration);
    IkeRate rate;
    rate.sas = app.sas() - before;
    rate.seconds = seconds_since(start);
    rate.cpu_seconds = process_cpu_seconds() - process_cpu0;
    auto const server1 = (*server)->clocks();
    rate.server_network_cpu_seconds = server1.network_cpu - server0.network_cpu;
    rate.server_worker_cpu_seconds = server1.worker_cpu - server0.worker_cpu;
    rate.client_cpu_seconds = thread_cpu_now() - client_cpu0;
    rate.retransmissions = app.retransmissions() - retransmissions_before;
    rate.runqueue_seconds = server1.network_runqueue - server0.network_runqueue +
                            runqueue_seconds(this_tid()) - client_wait0;
    if (auto f = app.failure(); !f.empty())
        return finish(fail(Errc::state_error, f));
    if (rate.sas == 0)
        return finish(fail(Errc::timed_out, "no IKE SA established during the measurement"));
    return finish(rate);
}

}  // namespace nsslab::bench
