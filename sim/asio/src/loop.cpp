// Loop and the per-node Runtime over Boost.Asio (see nsslab/asio/loop.hpp for the contract).
//
// Lifetime rule: every asynchronous operation's handler captures the Node (owned by the Loop)
// and a shared_ptr to the socket state it works on. The Loop's destructor shuts every node
// down (closing sockets, cancelling timers) and drains the resulting aborted handlers before
// any Node is destroyed, so no handler ever sees a dangling Node.
#include "nsslab/asio/loop.hpp"

#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <vector>

#include "worker_pool.hpp"

namespace nsslab::asio_rt {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using udp = net::ip::udp;
using boost::system::error_code;
using runtime::Application;
using runtime::SocketId;
using runtime::StreamEnd;
using runtime::StreamInfo;

namespace {

TimePoint system_now() {
    return TimePoint{
        std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch())};
}

net::ip::address to_asio(IpAddress const& a) {
    if (a.is_v4())
        return net::ip::address_v4(a.v4_host_order());
    net::ip::address_v6::bytes_type b{};
    std::copy_n(a.raw().begin(), 16, b.begin());
    return net::ip::address_v6(b);
}

IpAddress from_asio(net::ip::address const& a) {
    if (a.is_v4())
        return IpAddress::v4(a.to_v4().to_uint());
    auto v6 = a.to_v6();
    if (v6.is_v4_mapped())
        return IpAddress::v4(net::ip::make_address_v4(net::ip::v4_mapped, v6).to_uint());
    std::array<std::uint8_t, 16> b{};
    auto raw = v6.to_bytes();
    std::copy(raw.begin(), raw.end(), b.begin());
    return IpAddress::v6(b);
}

template <class Ep>
Endpoint from_asio(Ep const& e) {
    return Endpoint{from_asio(e.address()), e.port()};
}

StreamEnd end_from(error_code ec) {
    if (ec == net::error::eof)
        return StreamEnd::eof;
    if (ec == net::error::connection_refused)
        return StreamEnd::refused;
    if (ec == net::error::timed_out)
        return StreamEnd::timed_out;
    if (ec == net::error::host_unreachable || ec == net::error::network_unreachable)
        return StreamEnd::unreachable;
    return StreamEnd::reset;  // connection_reset, broken_pipe, connection_aborted, ...
}

Errc errc_from(error_code ec) {
    if (ec == net::error::address_in_use)
        return Errc::already_exists;
    if (ec == net::error::access_denied)
        return Errc::permission_denied;
    if (ec == net::error::connection_refused)
        return Errc::connection_refused;
    if (ec == net::error::connection_reset || ec == net::error::broken_pipe)
        return Errc::connection_reset;
    if (ec == net::error::host_unreachable || ec == net::error::network_unreachable)
        return Errc::unreachable;
    if (ec == net::error::message_size)
        return Errc::oversized;
    if (ec == net::error::would_block || ec == net::error::no_buffer_space)
        return Errc::limit_exceeded;
    // EADDRNOTAVAIL: the address is not one of this machine's, as in the simulator.
    if (ec == net::error::invalid_argument || ec == net::error::address_family_not_supported ||
        ec == boost::system::errc::address_not_available)
        return Errc::invalid_argument;
    return Errc::io_error;
}

Error os_error(std::string_view what, Endpoint const& ep, error_code ec) {
    return fail(errc_from(ec), std::string(what) + " " + ep.to_string() + ": " + ec.message());
}

// A wildcard datagram socket asks the kernel for each datagram's destination address
// (IP_PKTINFO / IPV6_RECVPKTINFO), which destination_address() then reads.
error_code ask_destination_address(udp::socket& socket, bool v4) {
    int on = 1;
    int rc =
        v4 ? ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_PKTINFO, &on, sizeof on)
           : ::setsockopt(socket.native_handle(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
    return rc == 0 ? error_code{} : error_code(errno, boost::system::system_category());
}

std::optional<IpAddress> destination_address(msghdr& msg) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo info{};
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            return IpAddress::v4(ntohl(info.ipi_addr.s_addr));
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            in6_pktinfo info{};
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            std::array<std::uint8_t, 16> bytes{};
            std::memcpy(bytes.data(), &info.ipi6_addr, bytes.size());
            return IpAddress::v6(bytes);
        }
    }
    return std::nullopt;
}

}  // namespace

// One application and its sockets.
class Node final : public runtime::Runtime {
  public:
    Node(net::io_context& io, std::string name, std::filesystem::path root, TraceSink* sink,
         NodeOptions options)
        : io_(io),
          name_(std::move(name)),
          files_(std::move(root)),
          sink_(sink),
          options_(options),
          deadline_timer_(io) {
        if (options_.worker_threads > 0)
            workers_ =
                std::make_unique<WorkerPool>(options_.worker_threads, options_.worker_queue_max);
    }
    // The workers stop first (a job may use what the application holds), then the application
    // goes, while everything its destructor might call still exists.
    ~Node() override {
        if (workers_)
            workers_->stop();
        app_.reset();
    }
    Node(Node const&) = delete;
    Node& operator=(Node const&) = delete;

    // --- driven by the Loop ---
    // Builds the application on this Runtime and posts its on_start.
    void start(runtime::AppFactory const& factory) {
        app_ = factory(*this);
        NSSLAB_ASSERT(app_ != nullptr, "application factory returned null");
        net::post(io_, [this] {
            if (down_)
                return;
            app_->on_start(now());
            started_ = true;
        });
    }
    void stop() {
        if (!down_)
            app_->on_stop(now());
    }
    Application* application() const { return app_.get(); }
    bool started() const { return started_; }
    bool streams_quiet() const { return streams_.empty() && closing_.empty(); }
    void shutdown();

    // --- runtime::Runtime ---
    TimePoint now() const override { return system_now(); }
    void set_deadline(std::optional<TimePoint> when) override;
    void fill_random(std::span<std::uint8_t> out) override;
    std::string_view node_name() const override { return name_; }
    void emit(Event event) override {
        if (sink_ != nullptr)
            sink_->record(TraceRecord{now(), name_, std::move(event)});
    }
    runtime::FileSystem& files() override { return files_; }
    bool offload(std::function<void()> work, std::function<void(TimePoint)> done) override {
        if (!workers_ || down_)
            return false;
        return workers_->submit([this, work = std::move(work), done = std::move(done)]() mutable {
            work();
            work_completed(std::move(done));
        });
    }
    // On a worker thread: queues `done` for the loop's thread, and posts the handler that runs
    // the queued ones once completion_batch are queued or no job waits for a worker (one wake-up
    // of the loop, one write of the replies, for many jobs; never a completion left waiting). The
    // io_context outlives every node and drops a handler it has not run.
    static constexpr std::size_t completion_batch = 24;
    void work_completed(std::function<void(TimePoint)> done) {
        bool post = false;
        {
            std::lock_guard lock(completed_mutex_);
            completed_.push_back(std::move(done));
            if (!completion_posted_ &&
                (completed_.size() >= completion_batch || workers_->waiting() == 0)) {
                completion_posted_ = true;
                post = true;
            }
        }
        if (post)
            net::post(io_, [this] { run_completions(); });
    }
    void run_completions() {
        std::vector<std::function<void(TimePoint)>> batch;
        {
            std::lock_guard lock(completed_mutex_);
            batch.swap(completed_);
            completion_posted_ = false;
        }
        if (down_ || batch.empty())
            return;
        TimePoint const t = now();
        for (auto& done : batch)
            done(t);
        app_->on_work_done(t);
    }
    std::size_t worker_threads() const override { return workers_ ? workers_->threads() : 0; }
    double worker_cpu_seconds() const { return workers_ ? workers_->cpu_seconds() : 0; }
    void log_secret(core::Secret const& secret) override {
        if (options_.secrets)
            options_.secrets(secret);
    }

    Result<SocketId> open_datagram(Endpoint const& local) override;
    Result<Endpoint> local_endpoint(SocketId socket) const override;
    Result<void> send_datagram(SocketId socket, Endpoint const& to, ByteView payload) override;

    Result<SocketId> listen(Endpoint const& local) override;
    Result<SocketId> connect(Endpoint const& remote,
                             std::optional<IpAddress> local_address) override;
    Result<void> send(SocketId stream, ByteView data) override;
    std::optional<StreamInfo> stream_info(SocketId stream) const override;
    std::size_t send_buffer_limit() const override { return options_.send_buffer_limit; }
    std::size_t send_queued(SocketId stream) const override;
    void shutdown_send(SocketId stream) override;
    void close(SocketId socket) override;
    void abort(SocketId stream) override;

  private:
    struct Datagram {
        explicit Datagram(net::io_context& io) : socket(io) {}
        udp::socket socket;
        SocketId id{0};
        Endpoint local;        // as bound (the port chosen when it was 0)
        bool wildcard{false};  // bound to 0.0.0.0 or ::, so each datagram names its address
        std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(65536);
    };
    struct Listener {
        explicit Listener(net::io_context& io) : acceptor(io), retry(io) {}
        tcp::acceptor acceptor;
        net::steady_timer retry;  // backoff after an accept error (EMFILE, ...)
        SocketId id{0};
        bool closed{false};
    };
    struct Stream {
        Stream(net::io_context& io, tcp::socket s)
            : socket(std::move(s)), linger(io), space_poll(io) {}
        tcp::socket socket;
        net::steady_timer linger;
        net::steady_timer space_poll;  // while send_space_wanted and the kernel holds the bytes
        SocketId id{0};
        bool connecting{false};
        bool app_closed{false};  // close()/abort() called: no more callbacks
        bool reported{false};    // on_stream_closed delivered
        bool read_eof{false};
        bool dead{false};  // the socket failed; nothing more can be sent
        bool fin_requested{false};
        bool fin_sent{false};
        bool writing{false};
        bool flush_posted{false};
        bool send_space_wanted{false};  // a send() was refused; on_send_space() not yet called
        bool space_polling{false};
        std::deque<Bytes> out;
        std::size_t out_offset{0};  // bytes of out.front() already written
        std::size_t out_bytes{0};   // unwritten bytes in `out`
        std::vector<std::uint8_t> in;
        std::optional<StreamInfo> info;
    };
    using StreamPtr = std::shared_ptr<Stream>;

    void arm_deadline();
    void receive(std::shared_ptr<Datagram> d);
    void read_datagram(Datagram& d);
    void accept(std::shared_ptr<Listener> l);
    void adopt(StreamPtr s);  // connected: start reading and flushing
    void on_connect(StreamPtr const& s, error_code ec);
    void read(StreamPtr s);
    void on_read(StreamPtr const& s, error_code ec, std::size_t n);
    void schedule_flush(StreamPtr const& s);
    void write(StreamPtr const& s);
    void on_written(StreamPtr const& s, error_code ec, std::size_t n);
    void want_send_space(StreamPtr const& s);
    void offer_send_space(StreamPtr const& s);
    void fail_stream(StreamPtr const& s, StreamEnd why);
    void report(StreamPtr const& s, StreamEnd why);
    void maybe_finish_close(StreamPtr const& s);
    void finish_close(StreamPtr const& s);
    std::size_t kernel_queued(Stream const& s) const;
    std::size_t queued(Stream const& s) const { return s.out_bytes + kernel_queued(s); }
    StreamPtr find_stream(SocketId id) const {
        auto it = streams_.find(id);
        return it == streams_.end() ? nullptr : it->second;
    }

    net::io_context& io_;
    std::string name_;
    std::unique_ptr<Application> app_;
    runtime::DirectoryFileSystem files_;
    TraceSink* sink_;
    NodeOptions options_;
    bool down_{false};
    bool started_{false};  // on_start has run

    net::steady_timer deadline_timer_;
    std::optional<TimePoint> deadline_;
    std::uint64_t deadline_generation_{0};

    SocketId next_id_{1};
    std::map<SocketId, std::shared_ptr<Datagram>> datagrams_;
    std::map<SocketId, std::shared_ptr<Listener>> listeners_;
    std::map<SocketId, StreamPtr> streams_;
    std::set<StreamPtr> closing_;  // closed by the application, still flushing or lingering
    std::mutex completed_mutex_;   // guards completed_ (worker threads)
    std::vector<std::function<void(TimePoint)>> completed_;  // offload() done, not yet run
    bool completion_posted_{false};        // run_completions() is posted and has not run yet
    std::unique_ptr<WorkerPool> workers_;  // NodeOptions::worker_threads; null: none
};

// ---------------------------------------------------------------------------------------------
// Deadline, randomness

void Node::set_deadline(std::optional<TimePoint> when) {
    if (when == deadline_)
        return;  // unchanged: the timer armed for it still waits (applications re-arm often)
    ++deadline_generation_;
    deadline_timer_.cancel();
    deadline_ = when;
    if (deadline_ && !down_)
        arm_deadline();
}

void Node::arm_deadline() {
    Duration delay = *deadline_ - now();
    if (delay < Duration::zero())
        delay = Duration::zero();
    deadline_timer_.expires_after(std::chrono::ceil<std::chrono::steady_clock::duration>(delay));
    std::uint64_t generation = deadline_generation_;
    deadline_timer_.async_wait([this, generation](error_code ec) {
        if (down_ || ec || generation != deadline_generation_ || !deadline_)
            return;
        TimePoint t = now();
        if (t < *deadline_) {  // the system clock lags the steady clock: wait for it
            arm_deadline();
            return;
        }
        deadline_.reset();
        ++deadline_generation_;
        app_->on_deadline(t);
    });
}

void Node::fill_random(std::span<std::uint8_t> out) {
    std::size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    if (done < out.size()) {  // getrandom unavailable: fall back to the library's device
        std::random_device device;
        for (; done < out.size(); ++done)
            out[done] = static_cast<std::uint8_t>(device());
    }
}

// ---------------------------------------------------------------------------------------------
// Datagrams

Result<SocketId> Node::open_datagram(Endpoint const& local) {
    auto d = std::make_shared<Datagram>(io_);
    error_code ec;
    udp::endpoint ep(to_asio(local.address), local.port);
    d->socket.open(ep.protocol(), ec);
    if (!ec && ep.protocol() == udp::v6())
        d->socket.set_option(net::ip::v6_only(true), ec);  // one family per socket (see listen)
    d->wildcard = local.address.is_unspecified();
    if (!ec && d->wildcard)
        ec = ask_destination_address(d->socket, ep.protocol() == udp::v4());
    if (!ec)
        d->socket.bind(ep, ec);
    if (!ec)
        d->socket.non_blocking(true, ec);
    if (!ec)
        d->local = from_asio(d->socket.local_endpoint(ec));
    if (ec)
        return os_error("open_datagram", local, ec);
    d->id = next_id_++;
    datagrams_.emplace(d->id, d);
    receive(d);
    return d->id;
}

void Node::receive(std::shared_ptr<Datagram> d) {
    auto* raw = d.get();
    raw->socket.async_wait(udp::socket::wait_read, [this, d = std::move(d)](error_code ec) {
        if (down_ || ec == net::error::operation_aborted || !d->socket.is_open())
            return;
        if (!ec)
            read_datagram(*d);
        if (d->socket.is_open() && !down_)
            receive(d);
    });
}

// One datagram with recvmsg() (Boost.Asio has no way to ask for the control messages that
// carry the destination address of a datagram to a wildcard socket).
void Node::read_datagram(Datagram& d) {
    udp::endpoint from;
    iovec iov{d.buffer.data(), d.buffer.size()};
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
    msghdr msg{};
    msg.msg_name = from.data();
    msg.msg_namelen = static_cast<socklen_t>(from.capacity());
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    ssize_t n = ::recvmsg(d.socket.native_handle(), &msg, MSG_DONTWAIT);
    // EAGAIN (woken for nothing) or an error such as ECONNREFUSED from an ICMP port
    // unreachable: not fatal for UDP; the caller waits for the next datagram.
    if (n < 0)
        return;
    from.resize(msg.msg_namelen);
    Endpoint local = d.local;
    if (d.wildcard)
        if (auto address = destination_address(msg))
            local.address = *address;
    app_->on_datagram(d.id, local, from_asio(from),
                      ByteView(d.buffer.data(), static_cast<std::size_t>(n)), now());
}

Result<void> Node::send_datagram(SocketId socket, Endpoint const& to, ByteView payload) {
    auto it = datagrams_.find(socket);
    if (it == datagrams_.end())
        return fail(Errc::closed,
                    "send_datagram: no open datagram socket " + std::to_string(socket));
    auto& d = *it->second;
    if (payload.size() > 65507)
        return fail(Errc::oversized, "send_datagram " + to.to_string() + ": " +
                                         std::to_string(payload.size()) + " bytes exceed 65507");
    udp::endpoint ep(to_asio(to.address), to.port);
    error_code ec;
    if (ep.protocol() != d.socket.local_endpoint(ec).protocol())
        return fail(Errc::invalid_argument, "send_datagram " + to.to_string() +
                                                ": address family differs from the socket's");
    d.socket.send_to(net::buffer(payload.data(), payload.size()), ep, 0, ec);
    if (ec)
        return os_error("send_datagram", to, ec);
    return {};
}

Result<Endpoint> Node::local_endpoint(SocketId socket) const {
    error_code ec;
    if (auto d = datagrams_.find(socket); d != datagrams_.end()) {
        auto ep = d->second->socket.local_endpoint(ec);
        if (!ec)
            return from_asio(ep);
    } else if (auto l = listeners_.find(socket); l != listeners_.end()) {
        auto ep = l->second->acceptor.local_endpoint(ec);
        if (!ec)
            return from_asio(ep);
    } else if (auto s = streams_.find(socket); s != streams_.end()) {
        if (s->second->info)
            return s->second->info->local;
        auto ep = s->second->socket.local_endpoint(ec);
        if (!ec)
            return from_asio(ep);
    } else {
        return fail(Errc::not_found, "local_endpoint: no open socket " + std::to_string(socket));
    }
    return fail(Errc::io_error,
                "local_endpoint of socket " + std::to_string(socket) + ": " + ec.message());
}

// ---------------------------------------------------------------------------------------------
// Listeners and connects

Result<SocketId> Node::listen(Endpoint const& local) {
    auto l = std::make_shared<Listener>(io_);
    tcp::endpoint ep(to_asio(local.address), local.port);
    error_code ec;
    l->acceptor.open(ep.protocol(), ec);
    if (!ec)
        l->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    // One socket per address family, as in the simulator: an IPv6 wildcard listener must not
    // also take the IPv4 port (Linux's default), or "listen 0.0.0.0:P" and "[::]:P" collide.
    if (!ec && ep.protocol() == tcp::v6())
        l->acceptor.set_option(net::ip::v6_only(true), ec);
    if (!ec)
        l->acceptor.bind(ep, ec);
    if (!ec)
        l->acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        return os_error("listen", local, ec);
    l->id = next_id_++;
    listeners_.emplace(l->id, l);
    accept(l);
    return l->id;
}

void Node::accept(std::shared_ptr<Listener> l) {
    auto* raw = l.get();
    raw->acceptor.async_accept([this, l = std::move(l)](error_code ec, tcp::socket socket) {
        if (down_ || l->closed || ec == net::error::operation_aborted)
            return;
        if (ec) {  // e.g. EMFILE: back off instead of spinning
            l->retry.expires_after(std::chrono::milliseconds{50});
            l->retry.async_wait([this, l](error_code wait_ec) {
                if (!wait_ec && !down_ && !l->closed)
                    accept(l);
            });
            return;
        }
        auto s = std::make_shared<Stream>(io_, std::move(socket));
        s->id = next_id_++;
        error_code ignored;
        s->socket.set_option(tcp::no_delay(true), ignored);
        auto local = s->socket.local_endpoint(ignored);
        auto remote = s->socket.remote_endpoint(ignored);
        s->info = StreamInfo{from_asio(local), from_asio(remote)};
        streams_.emplace(s->id, s);
        adopt(s);
        app_->on_accepted(l->id, s->id, now());
        if (!l->closed && !down_)
            accept(l);
    });
}

Result<SocketId> Node::connect(Endpoint const& remote, std::optional<IpAddress> local_address) {
    if (remote.port == 0 || remote.address.is_unspecified())
        return fail(Errc::invalid_argument,
                    "connect " + remote.to_string() + ": no address or port");
    if (local_address && local_address->is_unspecified())
        local_address.reset();  // the wildcard: the kernel picks, as without one
    if (local_address && local_address->family() != remote.address.family())
        return fail(Errc::invalid_argument, "connect " + remote.to_string() + " from " +
                                                local_address->to_string() +
                                                ": not of the remote's address family");
    tcp::endpoint ep(to_asio(remote.address), remote.port);
    auto s = std::make_shared<Stream>(io_, tcp::socket(io_));
    error_code ec;
    s->socket.open(ep.protocol(), ec);
    if (ec)
        return os_error("connect", remote, ec);
    if (local_address) {
        // Bind the address before connecting; the port is still chosen by connect()
        // (IP_BIND_ADDRESS_NO_PORT), so a bound address does not reserve a port per socket.
        int on = 1;
        (void)::setsockopt(s->socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on,
                           sizeof on);
        Endpoint from{*local_address, 0};
        s->socket.bind(tcp::endpoint(to_asio(from.address), 0), ec);
        if (ec)
            return os_error("connect " + remote.to_string() + " from", from, ec);
    }
    s->id = next_id_++;
    s->connecting = true;
    streams_.emplace(s->id, s);
    s->socket.async_connect(ep, [this, s](error_code connect_ec) { on_connect(s, connect_ec); });
    if (options_.connect_timeout.count() > 0) {
        s->linger.expires_after(options_.connect_timeout);
        s->linger.async_wait([this, s](error_code wait_ec) {
            if (wait_ec || down_ || s->app_closed || !s->connecting)
                return;
            s->connecting = false;
            fail_stream(s, StreamEnd::timed_out);  // closing the socket aborts the connect
        });
    }
    return s->id;
}

void Node::on_connect(StreamPtr const& s, error_code ec) {
    if (down_ || s->app_closed || ec == net::error::operation_aborted)
        return;
    if (!s->connecting)
        return;  // the connect timeout already reported it
    s->connecting = false;
    s->linger.cancel();
    if (ec) {
        fail_stream(s, end_from(ec));
        return;
    }
    error_code ignored;
    s->socket.set_option(tcp::no_delay(true), ignored);
    auto local = s->socket.local_endpoint(ignored);
    auto remote = s->socket.remote_endpoint(ignored);
    s->info = StreamInfo{from_asio(local), from_asio(remote)};
    adopt(s);
    app_->on_connected(s->id, now());
}

void Node::adopt(StreamPtr s) {
    s->in.resize(options_.read_chunk);
    schedule_flush(s);
    read(std::move(s));
}

// ---------------------------------------------------------------------------------------------
// Stream reading

void Node::read(StreamPtr s) {
    auto* raw = s.get();
    raw->socket.async_read_some(
        net::buffer(raw->in),
        [this, s = std::move(s)](error_code ec, std::size_t n) { on_read(s, ec, n); });
}

void Node::on_read(StreamPtr const& s, error_code ec, std::size_t n) {
    if (down_ || ec == net::error::operation_aborted || !s->socket.is_open())
        return;
    if (!ec) {
        // After close() the bytes are drained and discarded until the peer's FIN.
        if (!s->app_closed && !s->dead)
            app_->on_received(s->id, ByteView(s->in.data(), n), now());
        if (s->socket.is_open() && !down_)
            read(s);
        return;
    }
    if (ec == net::error::eof) {
        s->read_eof = true;
        if (s->app_closed)
            maybe_finish_close(s);
        else
            report(s, StreamEnd::eof);
        return;
    }
    fail_stream(s, end_from(ec));
}

// ---------------------------------------------------------------------------------------------
// Stream writing

Result<void> Node::send(SocketId stream, ByteView data) {
    auto s = find_stream(stream);
    if (!s)
        return fail(Errc::closed, "send: no open stream " + std::to_string(stream));
    if (s->dead)
        return fail(Errc::closed, "send: stream " + std::to_string(stream) + " has failed");
    if (s->fin_requested)
        return fail(Errc::state_error, "send: stream " + std::to_string(stream) + " was shut down");
    if (data.empty())
        return {};
    std::size_t queued = this->queued(*s);
    if (queued + data.size() > options_.send_buffer_limit) {
        want_send_space(s);
        return fail(Errc::limit_exceeded,
                    "send: stream " + std::to_string(stream) + " has " + std::to_string(queued) +
                        " bytes queued; " + std::to_string(data.size()) +
                        " more exceed the limit " + std::to_string(options_.send_buffer_limit));
    }
    s->out.emplace_back(data.begin(), data.end());
    s->out_bytes += data.size();
    schedule_flush(s);
    return {};
}

std::size_t Node::kernel_queued(Stream const& s) const {
    if (s.connecting || !s.socket.is_open())
        return 0;
    int pending = 0;
    // SIOCOUTQ: bytes in the socket send queue not yet acknowledged by the peer.
    if (::ioctl(const_cast<tcp::socket&>(s.socket).native_handle(), SIOCOUTQ, &pending) != 0)
        return 0;
    return pending > 0 ? static_cast<std::size_t>(pending) : 0;
}

std::size_t Node::send_queued(SocketId stream) const {
    auto s = find_stream(stream);
    return s ? queued(*s) : 0;
}

void Node::want_send_space(StreamPtr const& s) {
    if (s->send_space_wanted || s->reported)
        return;  // already armed, or on_stream_closed (eof) reported: no call after it
    s->send_space_wanted = true;
    // The room may be there already: check from the loop, never from inside send().
    net::post(io_, [this, s] {
        if (!down_)
            offer_send_space(s);
    });
}

// Called after every write and, while only the kernel holds the bytes (its acknowledgements
// raise no event), every NodeOptions::send_space_poll.
void Node::offer_send_space(StreamPtr const& s) {
    if (!s->send_space_wanted || s->app_closed || s->reported || s->dead)
        return;
    if (queued(*s) > options_.send_buffer_limit / 2) {
        if (s->out_bytes == 0 && !s->space_polling) {
            s->space_polling = true;
            s->space_poll.expires_after(options_.send_space_poll);
            s->space_poll.async_wait([this, s](error_code ec) {
                s->space_polling = false;
                if (!ec && !down_)
                    offer_send_space(s);
            });
        }
        return;
    }
    s->send_space_wanted = false;
    app_->on_send_space(s->id, now());
}

void Node::schedule_flush(StreamPtr const& s) {
    if (s->connecting || s->writing || s->flush_posted || s->dead)
        return;
    s->flush_posted = true;
    net::post(io_, [this, s] {
        s->flush_posted = false;
        if (!down_)
            write(s);
    });
}

void Node::write(StreamPtr const& s) {
    if (s->writing || s->dead || s->connecting || !s->socket.is_open())
        return;
    if (s->out.empty()) {
        if (s->fin_requested && !s->fin_sent) {
            error_code ignored;
            s->socket.shutdown(tcp::socket::shutdown_send, ignored);
            s->fin_sent = true;
        }
        if (s->app_closed)
            maybe_finish_close(s);
        return;
    }
    std::vector<net::const_buffer> buffers;
    std::size_t offset = s->out_offset;
    for (auto const& chunk : s->out) {
        buffers.emplace_back(chunk.data() + offset, chunk.size() - offset);
        offset = 0;
        if (buffers.size() == 16)
            break;
    }
    s->writing = true;
    s->socket.async_write_some(buffers,
                               [this, s](error_code ec, std::size_t n) { on_written(s, ec, n); });
}

void Node::on_written(StreamPtr const& s, error_code ec, std::size_t n) {
    s->writing = false;
    if (down_ || ec == net::error::operation_aborted || !s->socket.is_open())
        return;
    if (ec) {
        fail_stream(s, end_from(ec));
        return;
    }
    s->out_bytes -= n;
    while (n > 0) {
        std::size_t left = s->out.front().size() - s->out_offset;
        if (n < left) {
            s->out_offset += n;
            break;
        }
        n -= left;
        s->out.pop_front();
        s->out_offset = 0;
    }
    write(s);
    offer_send_space(s);
}

// ---------------------------------------------------------------------------------------------
// Stream ends

void Node::fail_stream(StreamPtr const& s, StreamEnd why) {
    s->dead = true;
    s->out.clear();
    s->out_bytes = 0;
    s->out_offset = 0;
    if (s->app_closed) {
        finish_close(s);
        return;
    }
    error_code ignored;
    s->socket.close(ignored);
    if (!s->reported)
        report(s, why);
}

void Node::report(StreamPtr const& s, StreamEnd why) {
    if (s->reported || s->app_closed)
        return;
    s->reported = true;
    s->space_poll.cancel();  // no on_send_space after on_stream_closed
    if (why != StreamEnd::eof) {
        error_code ignored;
        s->socket.close(ignored);
        streams_.erase(s->id);
    }
    app_->on_stream_closed(s->id, why, now());
}

void Node::shutdown_send(SocketId stream) {
    auto s = find_stream(stream);
    if (!s || s->fin_requested)
        return;
    s->fin_requested = true;
    schedule_flush(s);
}

void Node::close(SocketId socket) {
    if (auto d = datagrams_.find(socket); d != datagrams_.end()) {
        error_code ignored;
        d->second->socket.close(ignored);
        datagrams_.erase(d);
        return;
    }
    if (auto l = listeners_.find(socket); l != listeners_.end()) {
        error_code ignored;
        l->second->closed = true;
        l->second->acceptor.close(ignored);
        l->second->retry.cancel();
        listeners_.erase(l);
        return;
    }
    auto s = find_stream(socket);
    if (!s)
        return;
    streams_.erase(socket);
    s->app_closed = true;
    s->space_poll.cancel();
    if (s->dead || s->connecting || !s->socket.is_open()) {
        error_code ignored;
        s->linger.cancel();
        s->socket.close(ignored);
        return;
    }
    // Graceful: FIN after the queued bytes, then drain until the peer's FIN or the linger bound.
    closing_.insert(s);
    s->fin_requested = true;
    s->linger.expires_after(options_.close_linger);
    s->linger.async_wait([this, s](error_code ec) {
        if (!ec && !down_)
            finish_close(s);
    });
    schedule_flush(s);
}

void Node::maybe_finish_close(StreamPtr const& s) {
    if (s->dead || (s->read_eof && s->fin_sent && s->out.empty() && !s->writing))
        finish_close(s);
}

void Node::finish_close(StreamPtr const& s) {
    error_code ignored;
    s->linger.cancel();
    s->socket.close(ignored);
    closing_.erase(s);
}

void Node::abort(SocketId stream) {
    auto s = find_stream(stream);
    if (!s)
        return;
    streams_.erase(stream);
    s->app_closed = true;
    s->space_poll.cancel();
    s->out.clear();
    s->out_bytes = 0;
    error_code ignored;
    if (!s->connecting)
        s->socket.set_option(net::socket_base::linger(true, 0), ignored);
    s->socket.close(ignored);
}

std::optional<StreamInfo> Node::stream_info(SocketId stream) const {
    auto s = find_stream(stream);
    if (!s)
        return std::nullopt;
    return s->info;
}

void Node::shutdown() {
    down_ = true;
    if (workers_)
        workers_->stop();
    error_code ignored;
    deadline_timer_.cancel();
    for (auto& [id, d] : datagrams_)
        d->socket.close(ignored);
    for (auto& [id, l] : listeners_) {
        l->closed = true;
        l->acceptor.close(ignored);
        l->retry.cancel();
    }
    for (auto& [id, s] : streams_) {
        s->linger.cancel();
        s->space_poll.cancel();
        s->socket.close(ignored);
    }
    for (auto const& s : closing_) {
        s->linger.cancel();
        s->socket.close(ignored);
    }
    datagrams_.clear();
    listeners_.clear();
    streams_.clear();
    closing_.clear();
}

// ---------------------------------------------------------------------------------------------
// Console: lines from a descriptor (Loop::add_console).

namespace {

class Console final : public std::enable_shared_from_this<Console> {
  public:
    Console(net::io_context& io, int fd, int saved_flags,
            std::function<void(std::string, TimePoint)> on_line,
            std::function<void(TimePoint)> on_eof, std::size_t max_line, std::size_t& discarded)
        : io_(io),
          fd_(fd),
          saved_flags_(saved_flags),
          descriptor_(io),
          on_line_(std::move(on_line)),
          on_eof_(std::move(on_eof)),
          max_line_(max_line),
          discarded_(discarded) {}
    ~Console() { close(); }
    Console(Console const&) = delete;
    Console& operator=(Console const&) = delete;

    void start() {
        error_code ec;
        descriptor_.assign(fd_, ec);
        if (!ec) {
            read_async();
            return;
        }
        // epoll refuses regular files and /dev/null (EPERM): they never block, so read them
        // with plain read() a chunk per handler.
        net::post(io_, [self = shared_from_this()] { self->read_plain(); });
    }

    // No callback runs after this.
    void close() {
        if (down_)
            return;
        down_ = true;
        error_code ignored;
        if (descriptor_.is_open()) {
            descriptor_.cancel(ignored);
            int fd = descriptor_.release();
            (void)::fcntl(fd, F_SETFL, saved_flags_);
            (void)::close(fd);
        } else {
            (void)::fcntl(fd_, F_SETFL, saved_flags_);
            (void)::close(fd_);
        }
    }

  private:
    void read_async() {
        descriptor_.async_read_some(net::buffer(chunk_),
                                    [self = shared_from_this()](error_code ec, std::size_t n) {
                                        if (self->down_)
                                            return;
                                        if (n > 0)
                                            self->consume(n);
                                        if (self->down_)
                                            return;
                                        if (ec) {
                                            self->end();
                                            return;
                                        }
                                        self->read_async();
                                    });
    }

    void read_plain() {
        if (down_)
            return;
        ssize_t n = ::read(fd_, chunk_.data(), chunk_.size());
        if (n > 0) {
            consume(static_cast<std::size_t>(n));
            if (!down_)
                net::post(io_, [self = shared_from_this()] { self->read_plain(); });
            return;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            net::post(io_, [self = shared_from_this()] { self->read_plain(); });
            return;
        }
        end();
    }

    void consume(std::size_t n) {
        for (std::size_t i = 0; i < n && !down_; ++i) {
            char c = chunk_[i];
            if (c == '\n') {
                deliver();
                continue;
            }
            if (skipping_)
                continue;
            if (line_.size() >= max_line_) {
                ++discarded_;
                skipping_ = true;
                line_.clear();
                continue;
            }
            line_.push_back(c);
        }
    }

    void deliver() {
        bool skipped = skipping_;
        skipping_ = false;
        std::string line = std::move(line_);
        line_.clear();
        if (skipped)
            return;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        on_line_(std::move(line), system_now());
    }

    void end() {
        if (!line_.empty() || skipping_)
            deliver();
        if (down_)
            return;
        auto on_eof = std::move(on_eof_);
        close();
        if (on_eof)
            on_eof(system_now());
    }

    net::io_context& io_;
    int fd_;
    int saved_flags_;
    net::posix::stream_descriptor descriptor_;
    std::function<void(std::string, TimePoint)> on_line_;
    std::function<void(TimePoint)> on_eof_;
    std::size_t max_line_;
    std::size_t& discarded_;
    std::array<char, 4096> chunk_{};
    std::string line_;
    bool skipping_{false};
    bool down_{false};
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Loop

struct Loop::Impl {
    net::io_context io{1};
    std::vector<std::unique_ptr<Node>> nodes;  // destroyed before io
    std::vector<std::shared_ptr<Console>> consoles;
    std::size_t console_discarded{0};

    void close_consoles() {
        for (auto& c : consoles)
            c->close();
        consoles.clear();
    }

    ~Impl() {
        close_consoles();
        for (auto& n : nodes)
            n->shutdown();
        io.restart();
        io.poll();  // aborted handlers see down_ and return
        nodes.clear();
    }

    bool running{false};  // inside run_until or run_until_signal

    // Marks the loop running; running it again from one of its callbacks would break the
    // no-re-entrancy rule, so it is an invariant violation.
    struct Running {
        explicit Running(bool& flag) : flag_(flag) {
            NSSLAB_ASSERT(!flag_, "Loop run from inside one of its own callbacks");
            flag_ = true;
        }
        ~Running() { flag_ = false; }
        Running(Running const&) = delete;
        Running& operator=(Running const&) = delete;
        bool& flag_;
    };

    bool run_until(std::function<bool()> const& done, std::chrono::milliseconds max_wall) {
        if (done())
            return true;
        Running guard(running);
        io.restart();
        auto expired = std::make_shared<bool>(false);
        net::steady_timer limit(io, max_wall);
        limit.async_wait([expired](error_code ec) {
            if (!ec)
                *expired = true;
        });
        while (!done()) {
            if (*expired)
                return false;
            io.run_one();
        }
        limit.cancel();
        return true;
    }

    bool quiet() const {
        return std::all_of(nodes.begin(), nodes.end(),
                           [](auto const& n) { return n->streams_quiet(); });
    }

    Node* find(std::string_view node_name) const {
        for (auto const& n : nodes)
            if (n->node_name() == node_name)
                return n.get();
        return nullptr;
    }
};

Loop::Loop() : impl_(std::make_unique<Impl>()) {}
Loop::~Loop() = default;

runtime::Runtime& Loop::add(std::string node_name, runtime::AppFactory factory,
                            std::filesystem::path root_dir, TraceSink* trace, NodeOptions options) {
    NSSLAB_ASSERT(impl_->find(node_name) == nullptr, "duplicate node name on a Loop");
    std::error_code ignored;
    std::filesystem::create_directories(root_dir, ignored);
    impl_->nodes.push_back(std::make_unique<Node>(impl_->io, std::move(node_name),
                                                  std::move(root_dir), trace, options));
    impl_->nodes.back()->start(factory);
    return *impl_->nodes.back();
}

runtime::Application* Loop::application(std::string_view node_name) {
    Node* node = impl_->find(node_name);
    return node != nullptr ? node->application() : nullptr;
}

bool Loop::started(std::string_view node_name) const {
    Node* node = impl_->find(node_name);
    return node != nullptr && node->started();
}

bool Loop::run_until(std::function<bool()> const& done, std::chrono::milliseconds max_wall) {
    return impl_->run_until(done, max_wall);
}

bool Loop::stop(std::chrono::milliseconds grace) {
    impl_->close_consoles();
    for (auto& n : impl_->nodes)
        n->stop();
    return impl_->run_until([this] { return impl_->quiet(); }, grace);
}

int Loop::run_until_signal(std::chrono::milliseconds grace) {
    auto& io = impl_->io;
    io.restart();
    auto received = std::make_shared<int>(0);
    {
        net::signal_set signals(io, SIGINT, SIGTERM);
        Impl::Running guard(impl_->running);
        signals.async_wait([received](error_code ec, int number) {
            if (!ec)
                *received = number;
        });
        while (*received == 0)
            io.run_one();
    }
    stop(grace);
    return *received;
}

std::size_t Loop::node_count() const {
    return impl_->nodes.size();
}

double Loop::worker_cpu_seconds(std::string_view node_name) const {
    Node const* node = impl_->find(node_name);
    return node != nullptr ? node->worker_cpu_seconds() : 0;
}

bool Loop::add_console(int fd, std::function<void(std::string line, TimePoint now)> on_line,
                       std::function<void(TimePoint now)> on_eof, ConsoleOptions options) {
    NSSLAB_ASSERT(on_line, "add_console needs a line callback");
    int saved_flags = ::fcntl(fd, F_GETFL);
    int copy = saved_flags < 0 ? -1 : ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (copy < 0)
        return false;
    auto console = std::make_shared<Console>(
        impl_->io, copy, saved_flags, std::move(on_line), std::move(on_eof),
        std::max<std::size_t>(1, options.max_line), impl_->console_discarded);
    impl_->consoles.push_back(console);
    console->start();
    return true;
}

std::size_t Loop::console_lines_discarded() const {
    return impl_->console_discarded;
}

}  // namespace nsslab::asio_rt
