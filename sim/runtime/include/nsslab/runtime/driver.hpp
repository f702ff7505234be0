// The driver adapter of the runtime interface (docs/architecture.md "The core contract"): it
// pumps any core that satisfies the contract (nsslab/core/contract.hpp) into a Runtime, so a
// daemon is its cores plus one adapter each, on either driver (the simulation engine or the
// Boost.Asio runtime: both implement runtime::Runtime).
//
//   Driver          one core's side of an Application: the sockets it owns, its deadline
//   DriverSet       routes an Application's socket callbacks to the driver owning the socket and
//                   keeps the Application's single deadline at the earliest of its drivers'
//   CoreDriver<C>   what every driver of a core does: events into Runtime::emit, secrets into
//                   Runtime::log_secret, completions (service cores) and requests (service
//                   users) to the owner's handlers, transmits to the derived driver
//   StreamDriver<C> a stream core (core::StreamCore): connect / data / close / abort transmits
//                   onto runtime streams, runtime stream callbacks into handle_*
//   DatagramDriver<C> a datagram core (core::DatagramCore): datagram sockets bound on the local
//                   endpoints the owner names, transmits sent from the socket of their local
//                   endpoint, received datagrams into handle_datagram
//
// A driver is used single-threaded from its Application's callbacks. It never calls the
// Application back; the completion handler runs while the driver drains (the handler may give
// the core new requests: the drain goes on until the core has no output left).
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nsslab/base/bytes.hpp"
#include "nsslab/base/result.hpp"
#include "nsslab/base/time.hpp"
#include "nsslab/base/trace.hpp"
#include "nsslab/core/contract.hpp"
#include "nsslab/runtime/runtime.hpp"

namespace nsslab::runtime {

class DriverSet;

// One core's side of an Application. The callbacks are those of runtime::Application for the
// sockets the driver owns.
class Driver {
  public:
    // With a set, the driver adds itself to it (and removes itself when destroyed).
    Driver(Runtime& rt, DriverSet* set);
    virtual ~Driver();
    Driver(Driver const&) = delete;
    Driver& operator=(Driver const&) = delete;

    virtual void on_accepted(SocketId /*listener*/, SocketId /*stream*/, TimePoint /*now*/) {}
    virtual void on_connected(SocketId /*stream*/, TimePoint /*now*/) {}
    virtual void on_received(SocketId /*stream*/, ByteView /*data*/, TimePoint /*now*/) {}
    virtual void on_stream_closed(SocketId /*stream*/, StreamEnd /*why*/, TimePoint /*now*/) {}
    virtual void on_send_space(SocketId /*stream*/, TimePoint /*now*/) {}
    virtual void on_datagram(SocketId /*socket*/, Endpoint const& /*local*/,
                             Endpoint const& /*from*/, ByteView /*payload*/, TimePoint /*now*/) {}
    // The core's timer: handle_timeout when due, then drain.
    virtual void on_deadline(TimePoint now) = 0;
    // Moves the core's output to the runtime (after input that did not come through the
    // driver, such as Runtime::offload completions).
    virtual void drain(TimePoint /*now*/) {}
    virtual std::optional<TimePoint> next_timeout() const = 0;

    Runtime& runtime() { return rt_; }

  protected:
    // Routes the socket's callbacks (or, for a listener, its accepted streams) to this driver.
    void own(SocketId socket);
    void disown(SocketId socket);

    Runtime& rt_;

  private:
    DriverSet* set_;
};

// The drivers of one Application.
class DriverSet {
  public:
    explicit DriverSet(Runtime& rt) : rt_(rt) {}
    DriverSet(DriverSet const&) = delete;
    DriverSet& operator=(DriverSet const&) = delete;

    // Application callbacks, routed to the driver that owns the socket (for on_accepted: the
    // listener). Each returns false, doing nothing, when no driver owns it.
    bool on_accepted(SocketId listener, SocketId stream, TimePoint now);
    bool on_connected(SocketId stream, TimePoint now);
    bool on_received(SocketId stream, ByteView data, TimePoint now);
    bool on_stream_closed(SocketId stream, StreamEnd why, TimePoint now);
    bool on_send_space(SocketId stream, TimePoint now);
    bool on_datagram(SocketId socket, Endpoint const& local, Endpoint const& from, ByteView payload,
                     TimePoint now);
    // Every driver whose deadline has come, in the order they were added.
    void on_deadline(TimePoint now);
    // Every driver's drain(), in the order they were added.
    void drain(TimePoint now);
    // Sets the Application's one deadline to the earliest of its drivers' (or none). Call after
    // every callback and command that gave a core input.
    void arm();
    std::optional<TimePoint> next_timeout() const;

    std::size_t size() const { return drivers_.size(); }
    std::size_t sockets() const { return routes_.size(); }

  private:
    friend class Driver;
    void add(Driver& driver);
    void remove(Driver& driver);
    Driver* owner(SocketId socket) const;

    Runtime& rt_;
    std::vector<Driver*> drivers_;
    std::unordered_map<SocketId, Driver*> routes_;
};

// An Application whose sockets and deadline belong to the drivers of its DriverSet: every
// socket callback goes to the driver owning the socket (a stream nobody owns is closed), the
// timer to the drivers whose deadline has come, and the Application's one deadline is set again
// after each. A daemon derives from it and adds its drivers to drivers_.
class DrivenApplication : public Application {
  public:
    explicit DrivenApplication(Runtime& rt) : drivers_(rt), rt_(rt) {}

    void on_deadline(TimePoint now) override;
    void on_accepted(SocketId listener, SocketId stream, TimePoint now) override;
    void on_connected(SocketId stream, TimePoint now) override;
    void on_received(SocketId stream, ByteView data, TimePoint now) override;
    void on_stream_closed(SocketId stream, StreamEnd why, TimePoint now) override;
    void on_send_space(SocketId stream, TimePoint now) override;
    void on_datagram(SocketId socket, Endpoint const& local, Endpoint const& from, ByteView payload,
                     TimePoint now) override;
    void on_work_done(TimePoint now) override;

  protected:
    DriverSet drivers_;

  private:
    Runtime& rt_;
};

// What every driver of a core does (StreamDriver, DatagramDriver derive from it): drain() moves
// the core's events, secrets, completions and requests to the runtime and the owner's handlers,
// and its transmits to execute().
template <core::Core Core>
class CoreDriver : public Driver {
  public:
    CoreDriver(Runtime& rt, Core& core, DriverSet* set) : Driver(rt, set), core_(core) {}

    // Service cores: where each Completion goes (called while draining, in order).
    template <class Handler>
    requires core::ServiceCore<Core>
    void on_completion(Handler handler) { completion_ = std::move(handler); }
    // Service users (core::ServiceUser): who answers each request, with
    // core.complete_request(request.id, result, now) then or later (called while draining, in
    // order; completing at once is fine: the drain in progress picks the output up).
    template <class Handler>
    requires core::ServiceUser<Core>
    void on_request(Handler handler) { request_ = std::move(handler); }
    // Sees each event of the core just before it goes to Runtime::emit (an owner that keeps
    // tables from the core's events).
    void on_event(std::function<void(Event const&, TimePoint)> observer) {
        observer_ = std::move(observer);
    }

    // Moves every output of the core to the runtime (transmits, events, secrets) and to the
    // handlers, until the core has none. Re-entrant calls (from a handler) return at once: the
    // outer drain picks their output up.
    void drain(TimePoint now) override {
        if (draining_)
            return;
        draining_ = true;
        for (bool moved = true; moved;) {
            moved = false;
            // Secrets first: the capture needs the keys before the records they protect.
            while (auto s = core_.poll_secret()) {
                moved = true;
                rt_.log_secret(*s);
            }
            while (auto t = core_.poll_transmit()) {
                moved = true;
                execute(std::move(*t), now);
            }
            while (auto e = core_.poll_event()) {
                moved = true;
                if (!observer_) {
                    rt_.emit(std::move(*e));
                    continue;
                }
                Event const seen = *e;  // the trace shows the event before what it causes
                rt_.emit(std::move(*e));
                observer_(seen, now);
            }
            if constexpr (core::ServiceCore<Core>) {
                while (auto c = core_.poll_completion()) {
                    moved = true;
                    if (completion_)
                        completion_(std::move(*c), now);
                }
            }
            if constexpr (core::ServiceUser<Core>) {
                while (auto r = core_.poll_request()) {
                    moved = true;
                    NSSLAB_ASSERT(request_ != nullptr, "a driver: a request nobody answers");
                    request_(std::move(*r), now);
                }
            }
        }
        draining_ = false;
    }
    void on_deadline(TimePoint now) override {
        if (auto t = core_.next_timeout(); t && *t <= now)
            core_.handle_timeout(now);
        drain(now);
    }
    std::optional<TimePoint> next_timeout() const override { return core_.next_timeout(); }
    Core& core() { return core_; }

  protected:
    virtual void execute(typename Core::Transmit t, TimePoint now) = 0;

    Core& core_;

  private:
    std::function<void(typename core::CompletionOf<Core>::type, TimePoint)> completion_;
    std::function<void(typename core::RequestOf<Core>::type, TimePoint)> request_;
    std::function<void(Event const&, TimePoint)> observer_;
    bool draining_{false};
};

struct StreamDriverOptions {
    // The driver's own trace events: "<prefix>.connect_failed" {server, error} when the runtime
    // refuses a connect, "<prefix>.send_failed" {conn, error} when a stream is given up because
    // its peer does not read (see held_max) or the runtime refuses bytes for another reason.
    std::string trace_prefix{"stream"};
    // Added to the driver's own events when not empty ("stack" = "TCPIP").
    std::string label_key;
    std::string label_value;
    // Back-pressure: bytes the runtime refused (its send buffer is full) wait here, per stream,
    // until on_send_space; beyond this many the peer is taken not to read and the stream is
    // aborted (the core sees reset). Bounds a stream at send_buffer_limit() + held_max.
    std::size_t held_max{std::size_t{4} << 20};
};

// Pumps a stream core. Client cores (core::StreamClientCore) name their connections and ask
// for connects; server cores (core::StreamServerCore) get the streams accepted on the
// listeners given to accept_from(), with the stream's SocketId as their ConnId.
template <core::StreamCore Core>
class StreamDriver final : public CoreDriver<Core> {
    using CoreDriver<Core>::rt_;
    using CoreDriver<Core>::core_;
    using Driver::disown;
    using Driver::own;

  public:
    using CoreDriver<Core>::drain;

    StreamDriver(Runtime& rt, Core& core, DriverSet* set, StreamDriverOptions options = {})
        : CoreDriver<Core>(rt, core, set), options_(std::move(options)) {}
    ~StreamDriver() override {
        for (auto const& [socket, conn] : conns_)
            disown(socket);
        for (auto const& [socket, h] : held_)
            disown(socket);
        for (SocketId listener : listeners_)
            disown(listener);
    }

    // Server cores: streams accepted on `listener` are the core's connections.
    void accept_from(SocketId listener) requires core::StreamServerCore<Core> {
        listeners_.push_back(listener);
        own(listener);
    }
    // Forgets a listener (the caller closes it).
    void stop_accepting(SocketId listener) {
        std::erase(listeners_, listener);
        disown(listener);
    }

    void on_accepted(SocketId listener, SocketId stream, TimePoint now) override {
        if constexpr (core::StreamServerCore<Core>) {
            if (std::find(listeners_.begin(), listeners_.end(), listener) == listeners_.end())
                return;
            auto info = rt_.stream_info(stream);
            if (!info) {
                rt_.abort(stream);
                return;
            }
            link(stream, stream);
            core_.handle_accepted(stream, info->remote, info->local, now);
            drain(now);
        }
    }
    void on_connected(SocketId stream, TimePoint now) override {
        if constexpr (core::StreamClientCore<Core>) {
            auto it = conns_.find(stream);
            if (it == conns_.end())
                return;
            auto info = rt_.stream_info(stream);
            core_.handle_connected(it->second, info ? info->local : Endpoint{}, now);
            drain(now);
        }
    }
    void on_received(SocketId stream, ByteView data, TimePoint now) override {
        auto it = conns_.find(stream);
        if (it == conns_.end())
            return;
        core_.handle_received(it->second, data, now);
        drain(now);
    }
    void on_send_space(SocketId stream, TimePoint now) override {
        if (held_.count(stream) == 0)
            return;
        flush_held(stream, now);
        drain(now);
    }
    void on_stream_closed(SocketId stream, StreamEnd why, TimePoint now) override {
        held_.erase(stream);
        rt_.close(stream);  // the id is free again
        auto it = conns_.find(stream);
        if (it == conns_.end()) {
            disown(stream);  // a stream the core closed whose last bytes were held
            return;
        }
        core::ConnId const conn = it->second;
        unlink(stream);
        core_.handle_closed(conn, why, now);
        drain(now);
    }
    // Closes (gracefully) every stream still linked to the core, without telling the core: for
    // an owner that is about to destroy the core.
    void close_all() {
        while (!conns_.empty()) {
            SocketId const socket = conns_.begin()->first;
            rt_.close(socket);
            unlink(socket);
        }
        for (auto const& [socket, h] : held_) {  // closed by the core, bytes still held
            rt_.close(socket);
            disown(socket);
        }
        held_.clear();
    }

    std::size_t connections() const { return conns_.size(); }
    // Bytes waiting for send space, all streams.
    std::size_t held_bytes() const {
        std::size_t n = 0;
        for (auto const& [socket, h] : held_)
            n += h.bytes.size();
        return n;
    }

  private:
    using Kind = core::StreamTransmit::Kind;

    void link(SocketId socket, core::ConnId conn) {
        conns_[socket] = conn;
        sockets_[conn] = socket;
        own(socket);
    }
    void unlink(SocketId socket) {
        auto it = conns_.find(socket);
        if (it == conns_.end())
            return;
        sockets_.erase(it->second);
        conns_.erase(it);
        disown(socket);
    }
    Event own_event(std::string name) const {
        Event e(options_.trace_prefix + "." + std::move(name));
        if (!options_.label_key.empty())
            e.with(options_.label_key, options_.label_value);
        return e;
    }

    void execute(core::StreamTransmit t, TimePoint now) override {
        if (t.kind == Kind::connect) {
            if constexpr (core::StreamClientCore<Core>) {
                NSSLAB_ASSERT(sockets_.count(t.conn) == 0, "a core connects a conn id once");
                auto socket = rt_.connect(t.remote);
                if (!socket) {
                    rt_.emit(own_event("connect_failed")
                                 .with("server", t.remote.to_string())
                                 .with("error", socket.error().what()));
                    core_.handle_closed(t.conn, StreamEnd::unreachable, now);
                    return;
                }
                link(*socket, t.conn);
            } else {
                NSSLAB_ASSERT(false, "a server core asked for a connect");
            }
            return;
        }
        auto it = sockets_.find(t.conn);
        if (it == sockets_.end())
            return;  // the connection already ended; the core learnt it from handle_closed
        SocketId const socket = it->second;
        switch (t.kind) {
            case Kind::data:
                send(socket, std::move(t.bytes), now);
                return;
            case Kind::close:
                unlink(socket);
                if (auto h = held_.find(socket); h != held_.end()) {
                    h->second.close_after = true;  // after the held bytes (on_send_space)
                    own(socket);
                    return;
                }
                rt_.close(socket);
                return;
            case Kind::abort:
                held_.erase(socket);
                rt_.abort(socket);
                unlink(socket);
                return;
            case Kind::connect:
                return;
        }
    }

    // Bytes go out in order: behind held ones, or to the runtime; a full send buffer holds them.
    void send(SocketId socket, Bytes bytes, TimePoint now) {
        if (auto h = held_.find(socket); h != held_.end()) {
            hold(socket, bytes, now);
            return;
        }
        auto sent = rt_.send(socket, bytes);
        if (sent)
            return;
        if (sent.error().code != Errc::limit_exceeded) {
            give_up(socket, sent.error().what(), now);
            return;
        }
        hold(socket, bytes, now);
        flush_held(socket, now);  // what fits now goes now
    }
    // Sends as much of the held bytes as the send buffer takes. While bytes remain, a send of
    // the rest is refused, which arms on_send_space (runtime.hpp); once none remain, a close the
    // core asked for meanwhile is done.
    void flush_held(SocketId socket, TimePoint now) {
        auto it = held_.find(socket);
        if (it == held_.end())
            return;
        Held& h = it->second;
        std::size_t const limit = rt_.send_buffer_limit();
        std::size_t const queued = rt_.send_queued(socket);
        std::size_t const room = queued < limit ? limit - queued : 0;
        std::size_t const n = std::min(room, h.bytes.size());
        if (n > 0) {
            if (auto sent = rt_.send(socket, ByteView(h.bytes).first(n)); !sent) {
                if (sent.error().code != Errc::limit_exceeded) {
                    give_up(socket, sent.error().what(), now);
                    return;
                }
            } else {
                h.bytes.erase(h.bytes.begin(), h.bytes.begin() + static_cast<std::ptrdiff_t>(n));
            }
        }
        if (!h.bytes.empty()) {
            auto rest = rt_.send(socket, h.bytes);  // refused: on_send_space will come
            if (rest) {
                h.bytes.clear();
            } else if (rest.error().code != Errc::limit_exceeded) {
                give_up(socket, rest.error().what(), now);
                return;
            }
        }
        if (!h.bytes.empty())
            return;
        bool const close_after = h.close_after;
        held_.erase(it);
        if (close_after) {
            rt_.close(socket);
            disown(socket);
        }
    }
    void hold(SocketId socket, ByteView bytes, TimePoint now) {
        Held& h = held_[socket];
        if (h.bytes.size() + bytes.size() > options_.held_max) {
            give_up(socket,
                    "the peer does not read: more than " + std::to_string(options_.held_max) +
                        " bytes wait beyond the send buffer",
                    now);
            return;
        }
        h.bytes.insert(h.bytes.end(), bytes.begin(), bytes.end());
    }
    // Only this connection is lost: abort, and the core sees reset.
    void give_up(SocketId socket, std::string const& why, TimePoint now) {
        auto it = conns_.find(socket);
        held_.erase(socket);
        rt_.abort(socket);
        if (it == conns_.end()) {  // closed by the core, its last bytes still held
            disown(socket);
            return;
        }
        core::ConnId const conn = it->second;
        rt_.emit(own_event("send_failed").with("conn", conn).with("error", why));
        unlink(socket);
        core_.handle_closed(conn, StreamEnd::reset, now);
    }

    struct Held {
        Bytes bytes;
        bool close_after{false};  // the core closed the stream: close once the bytes are out
    };

    StreamDriverOptions options_;
    std::unordered_map<SocketId, Held> held_;
    std::unordered_map<SocketId, core::ConnId> conns_;
    std::unordered_map<core::ConnId, SocketId> sockets_;
    std::vector<SocketId> listeners_;
};

struct DatagramDriverOptions {
    // The driver's own trace events: "<prefix>.send_failed" {local, remote, error} when no
    // socket is bound on a transmit's local endpoint or the runtime refuses the datagram (the
    // datagram is lost, as UDP may lose it; the core's retransmission covers it).
    std::string trace_prefix{"datagram"};
    std::string label_key;  // added to the driver's own events when not empty
    std::string label_value;
};

// Pumps a datagram core: the owner binds the local endpoints the core speaks from (bind()),
// datagrams received on them go to handle_datagram with the endpoint they arrived on, and each
// transmit leaves from the socket bound on its local endpoint (or on the wildcard address of
// its family with the same port).
template <core::DatagramCore Core>
class DatagramDriver final : public CoreDriver<Core> {
    using CoreDriver<Core>::rt_;
    using CoreDriver<Core>::core_;

  public:
    using CoreDriver<Core>::drain;

    DatagramDriver(Runtime& rt, Core& core, DriverSet* set, DatagramDriverOptions options = {})
        : CoreDriver<Core>(rt, core, set), options_(std::move(options)) {}
    // The sockets belong to the runtime, which closes them when the application goes (as for
    // StreamDriver): the driver only stops routing them.
    ~DatagramDriver() override {
        for (auto const& [endpoint, socket] : sockets_)
            this->disown(socket);
    }

    // Opens a datagram socket on `local` (Runtime::open_datagram: its errors) and gives what
    // arrives on it to the core. Returns the bound endpoint (the port picked for port 0).
    Result<Endpoint> bind(Endpoint const& local) {
        auto socket = rt_.open_datagram(local);
        if (!socket)
            return socket.error();
        auto bound = rt_.local_endpoint(*socket);
        if (!bound) {
            rt_.close(*socket);
            return bound.error();
        }
        sockets_.emplace_back(*bound, *socket);
        this->own(*socket);
        return *bound;
    }
    // Closes every socket.
    void close_all() {
        for (auto const& [endpoint, socket] : sockets_) {
            this->disown(socket);
            rt_.close(socket);
        }
        sockets_.clear();
    }
    std::vector<Endpoint> bound() const {
        std::vector<Endpoint> out;
        for (auto const& [endpoint, socket] : sockets_)
            out.push_back(endpoint);
        return out;
    }

    void on_datagram(SocketId /*socket*/, Endpoint const& local, Endpoint const& from,
                     ByteView payload, TimePoint now) override {
        core_.handle_datagram(local, from, payload, now);
        drain(now);
    }

  private:
    void execute(typename Core::Transmit t, TimePoint /*now*/) override {
        std::optional<SocketId> socket;
        for (auto const& [endpoint, id] : sockets_) {
            if (endpoint == t.local) {
                socket = id;
                break;
            }
            if (!socket && endpoint.port == t.local.port && endpoint.address.is_unspecified() &&
                endpoint.address.is_v4() == t.local.address.is_v4())
                socket = id;
        }
        if (!socket) {
            failed(t, "no socket is bound on " + t.local.to_string());
            return;
        }
        if (auto sent = rt_.send_datagram(*socket, t.remote, t.bytes); !sent)
            failed(t, sent.error().what());
    }
    void failed(typename Core::Transmit const& t, std::string const& why) {
        Event e(options_.trace_prefix + ".send_failed");
        if (!options_.label_key.empty())
            e.with(options_.label_key, options_.label_value);
        e.with("local", t.local.to_string())
            .with("remote", t.remote.to_string())
            .with("error", why);
        rt_.emit(std::move(e));
    }

    DatagramDriverOptions options_;
    std::vector<std::pair<Endpoint, SocketId>> sockets_;
};

}  // namespace nsslab::runtime
