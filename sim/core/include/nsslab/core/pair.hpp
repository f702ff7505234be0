// The in-memory driver of the core contract (DESIGN.md §2 "the unit-test pair"): two cores
// joined by hand, with no runtime, on the caller's clock. Tests, fuzzers and the in-process
// benchmark use it; the daemons use runtime::StreamDriver.
//
//   pump_bytes(a, b, now)   two ByteCores (TLS channels) face to face
//   StreamPair<C, S>        a StreamClientCore and the StreamServerCore(s) it reaches: every
//                           connect the client asks for reaches its server at once (or is
//                           refused), bytes arrive in order, a close is the peer's eof, an abort
//                           its reset
//
// For tests and fuzzers of a server core, a StreamPair also lets its owner choose the server's
// ConnId of the next connection (next_server_conn, to reuse one), write bytes into a connection
// that its client never sent (inject), drop one connection (break_connection), observe every
// server transmit before it is delivered — including those it drops because their connection
// is not open, which a correct core never emits (on_server_transmit) — and read the largest
// burst of events a core left undrained (Outputs::events_burst_max).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "nsslab/base/address.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/base/trace.hpp"
#include "nsslab/core/contract.hpp"

namespace nsslab::core {

// Delivers each core's transmits to the other until neither has any. Returns the bytes moved.
// Events and secrets are left for the caller to poll.
template <ByteCore A, ByteCore B>
std::size_t pump_bytes(A& a, B& b, TimePoint now) {
    std::size_t moved = 0;
    for (bool progress = true; progress;) {
        progress = false;
        while (auto out = a.poll_transmit()) {
            progress = true;
            moved += out->size();
            b.handle_received(*out, now);
        }
        while (auto out = b.poll_transmit()) {
            progress = true;
            moved += out->size();
            a.handle_received(*out, now);
        }
    }
    return moved;
}

// What a core gave besides its transmits, kept for the caller (tests assert on it), unless the
// pair was told to drop it (fuzzers and benchmarks that only need the cores to progress).
template <Core C>
struct Outputs {
    std::vector<Event> events;
    std::vector<Secret> secrets;
    std::vector<typename CompletionOf<C>::type> completions;  // service cores
    // Service users: the requests the core made, kept whatever keep_outputs says (each must be
    // answered with complete_request(), by whoever plays the other service).
    std::vector<typename RequestOf<C>::type> requests;
    // The most events one drain took from the core, kept or not: the core's undrained event
    // queue never held more (fuzzers check it against the core's own bound).
    std::size_t events_burst_max{0};
};

// A client core and the server cores it reaches (usually one: a pair; a client with a primary
// and a backup server has two).
template <StreamClientCore Client, StreamServerCore Server>
class StreamPair {
  public:
    struct Options {
        Endpoint server;                  // where connects reach the first server
        IpAddress client_address;         // the client's side of every connection ...
        std::uint16_t first_port{50000};  // ... with ports first_port, first_port + 1, ...
        bool keep_outputs{true};          // false: events, secrets, completions are dropped
    };
    struct Seen {  // a client transmit, as kept when keep_outputs
        StreamTransmit::Kind kind;
        ConnId conn;
    };

    StreamPair(Client& client, Server& server, Options options)
        : client_(client), options_(options) {
        add_server(options.server, server);
    }

    // Another server, reached at `at` (its outputs are not collected: poll them).
    void add_server(Endpoint at, Server& server) { servers_.push_back(Peer{at, &server, false}); }
    // A server that is down refuses connects (the host answers RST to SYN).
    void set_down(Endpoint at, bool down) {
        if (Peer* p = peer_at(at))
            p->down = down;
    }

    // Moves every output of the cores at `now` until none has any: connects are accepted
    // (or refused: no server there, down, refuse_connects), data is delivered, close and abort
    // end the connection on the other side. Returns true when anything moved.
    bool pump(TimePoint now) {
        bool any = false;
        for (bool progress = true; progress;) {
            progress = false;
            while (auto t = client_.poll_transmit()) {
                progress = true;
                if (options_.keep_outputs)
                    client_transmits.push_back(Seen{t->kind, t->conn});
                from_client(std::move(*t), now);
            }
            for (std::size_t i = 0; i < servers_.size(); ++i) {
                while (auto t = servers_[i].core->poll_transmit()) {
                    progress = true;
                    from_server(i, std::move(*t), now);
                }
            }
            progress = collect(client_, client_outputs) || progress;
            progress = collect(*servers_[0].core, server_outputs) || progress;
            any = any || progress;
        }
        return any;
    }

    // The earliest deadline of the cores, nullopt when none has one. A caller that runs the
    // clock as a driver does calls advance_to() with it, one deadline at a time.
    std::optional<TimePoint> next_timeout() const {
        std::optional<TimePoint> best = client_.next_timeout();
        for (auto const& p : servers_)
            if (auto t = p.core->next_timeout(); t && (!best || *t < *best))
                best = t;
        return best;
    }

    // The cores' timers at `now` (each only when due), then pump.
    void advance_to(TimePoint now) {
        if (auto t = client_.next_timeout(); t && *t <= now)
            client_.handle_timeout(now);
        for (auto& p : servers_)
            if (auto t = p.core->next_timeout(); t && *t <= now)
                p.core->handle_timeout(now);
        pump(now);
    }

    // The network drops every open connection (of the server at `at`, or all): both sides see
    // `why` (a crash, a cut cable), with nothing more delivered.
    void break_connections(StreamEnd why, TimePoint now, std::optional<Endpoint> at = {}) {
        for (auto it = open_.begin(); it != open_.end();) {
            if (at && servers_[it->second.server].at != *at) {
                ++it;
                continue;
            }
            auto const [client_conn, link] = *it;
            it = open_.erase(it);
            client_.handle_closed(client_conn, why, now);
            servers_[link.server].core->handle_closed(link.conn, why, now);
        }
        pump(now);
    }

    // The network drops one open connection: both sides see `why`, nothing more is delivered.
    // False when `client_conn` is not open.
    bool break_connection(ConnId client_conn, StreamEnd why, TimePoint now) {
        auto it = open_.find(client_conn);
        if (it == open_.end())
            return false;
        Link const link = it->second;
        open_.erase(it);
        client_.handle_closed(client_conn, why, now);
        servers_[link.server].core->handle_closed(link.conn, why, now);
        pump(now);
        return true;
    }

    // Bytes the server reads on the open connection `client_conn` that its client never sent
    // (a middlebox or an attacker writing into the stream), then pump. False (nothing
    // delivered) when the connection is not open.
    bool inject(ConnId client_conn, ByteView bytes, TimePoint now) {
        auto it = open_.find(client_conn);
        if (it == open_.end())
            return false;
        servers_[it->second.server].core->handle_received(it->second.conn, bytes, now);
        pump(now);
        return true;
    }

    std::size_t open_connections() const { return open_.size(); }
    // The first open client connection to the server at `at`, if any.
    std::optional<ConnId> connection_to(Endpoint const& at) const {
        for (auto const& [client_conn, link] : open_)
            if (servers_[link.server].at == at)
                return client_conn;
        return std::nullopt;
    }
    // The server a client connection reached, if open.
    std::optional<Endpoint> server_of(ConnId client_conn) const {
        auto it = open_.find(client_conn);
        return it == open_.end() ? std::nullopt
                                 : std::optional<Endpoint>(servers_[it->second.server].at);
    }

    // The server's ConnId of an open client connection, if open.
    std::optional<ConnId> server_conn_of(ConnId client_conn) const {
        auto it = open_.find(client_conn);
        return it == open_.end() ? std::nullopt : std::optional<ConnId>(it->second.conn);
    }

    bool refuse_connects{false};
    std::optional<std::uint16_t> next_port;  // the client port of the next connection, once
    // The server's ConnId of the next connection, once (a driver may reuse a ConnId once the
    // core has forgotten it); it must not be open on that server. Otherwise 1, 2, 3, ...
    std::optional<ConnId> next_server_conn;
    // Sees every transmit of every server (`server`: 0 for the first, then in add_server()
    // order) before the pair acts on it; `open` is false when the pair has no open connection
    // of that server with t.conn, and then drops the transmit. Empty: nothing observed.
    std::function<void(std::size_t server, StreamTransmit const& t, bool open)> on_server_transmit;
    Outputs<Client> client_outputs;
    Outputs<Server> server_outputs;  // of the first server
    std::vector<Seen> client_transmits;

  private:
    using Kind = StreamTransmit::Kind;
    struct Peer {
        Endpoint at;
        Server* core{nullptr};
        bool down{false};
    };
    struct Link {
        std::size_t server{0};
        ConnId conn{0};
    };

    Peer* peer_at(Endpoint const& at) {
        for (auto& p : servers_)
            if (p.at == at)
                return &p;
        return nullptr;
    }

    template <Core C>
    bool collect(C& core, Outputs<C>& out) {
        bool moved = false;
        std::size_t burst = 0;
        while (auto e = core.poll_event()) {
            moved = true;
            ++burst;
            if (options_.keep_outputs)
                out.events.push_back(std::move(*e));
        }
        out.events_burst_max = std::max(out.events_burst_max, burst);
        while (auto s = core.poll_secret()) {
            moved = true;
            if (options_.keep_outputs)
                out.secrets.push_back(std::move(*s));
        }
        if constexpr (ServiceCore<C>) {
            while (auto c = core.poll_completion()) {
                moved = true;
                if (options_.keep_outputs)
                    out.completions.push_back(std::move(*c));
            }
        }
        if constexpr (ServiceUser<C>) {
            while (auto r = core.poll_request()) {
                moved = true;
                out.requests.push_back(std::move(*r));
            }
        }
        return moved;
    }

    void from_client(StreamTransmit t, TimePoint now) {
        if (t.kind == Kind::connect) {
            Peer* p = peer_at(t.remote);
            if (refuse_connects || p == nullptr || p->down) {
                client_.handle_closed(t.conn, StreamEnd::refused, now);
                return;
            }
            ConnId const server_conn = next_server_conn ? *next_server_conn : next_server_conn_++;
            next_server_conn.reset();
            NSSLAB_ASSERT(
                !server_conn_open(static_cast<std::size_t>(p - servers_.data()), server_conn),
                "StreamPair: next_server_conn is open on that server");
            std::uint16_t const port =
                next_port ? *next_port : static_cast<std::uint16_t>(options_.first_port + ports_++);
            next_port.reset();
            Endpoint const local{options_.client_address, port};
            open_[t.conn] = Link{static_cast<std::size_t>(p - servers_.data()), server_conn};
            p->core->handle_accepted(server_conn, local, p->at, now);
            client_.handle_connected(t.conn, local, now);
            return;
        }
        auto it = open_.find(t.conn);
        if (it == open_.end())
            return;  // ended already
        Link const link = it->second;
        Server& server = *servers_[link.server].core;
        if (t.kind == Kind::data) {
            server.handle_received(link.conn, t.bytes, now);
            return;
        }
        open_.erase(it);
        server.handle_closed(link.conn, t.kind == Kind::close ? StreamEnd::eof : StreamEnd::reset,
                             now);
    }

    auto find_server_conn(std::size_t server, ConnId conn) {
        return std::find_if(open_.begin(), open_.end(), [&](auto const& entry) {
            return entry.second.server == server && entry.second.conn == conn;
        });
    }
    bool server_conn_open(std::size_t server, ConnId conn) {
        return find_server_conn(server, conn) != open_.end();
    }

    void from_server(std::size_t server, StreamTransmit t, TimePoint now) {
        NSSLAB_ASSERT(t.kind != Kind::connect, "a server core asked for a connect");
        auto it = find_server_conn(server, t.conn);
        if (on_server_transmit)
            on_server_transmit(server, t, it != open_.end());
        if (it == open_.end())
            return;
        ConnId const client_conn = it->first;
        if (t.kind == Kind::data) {
            client_.handle_received(client_conn, t.bytes, now);
            return;
        }
        open_.erase(it);
        client_.handle_closed(client_conn,
                              t.kind == Kind::close ? StreamEnd::eof : StreamEnd::reset, now);
    }

    Client& client_;
    Options options_;
    std::vector<Peer> servers_;
    std::map<ConnId, Link> open_;  // client conn -> server and its conn
    ConnId next_server_conn_{1};
    std::uint16_t ports_{0};
};

}  // namespace nsslab::core
