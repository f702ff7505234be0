// The real runtime (DESIGN.md §2, "one core, two drivers"): a Loop owns one Boost.Asio
// io_context, runs single-threaded, and gives every Application added to it a Runtime backed by
// real UDP and TCP sockets, a steady timer for its single deadline, the system clock, the OS
// random source and a DirectoryFileSystem rooted at a folder of its own.
//
// The runtime contract (sim/runtime/include/nsslab/runtime/runtime.hpp) holds as follows:
// - Callbacks run only from Loop::run_until / run_until_signal / stop, one at a time; a Runtime
//   call never invokes one (on_start too is posted by add()).
// - now() is the system clock (ns since the Unix epoch). A deadline is converted to a steady
//   timer; when it expires before the system clock reaches it (clock stepped back) it is
//   re-armed, so on_deadline(now) always sees now >= the deadline.
// - Streams: peer FIN → on_stream_closed(eof) (the stream stays writable until close());
//   ECONNRESET/EPIPE → reset; ECONNREFUSED → refused; ETIMEDOUT → timed_out;
//   EHOSTUNREACH/ENETUNREACH → unreachable. Exactly one report per id unless the application
//   closed or aborted it first. close() sends FIN after the queued bytes and then drains (and
//   discards) what the peer still sends until its FIN or NodeOptions::close_linger, so unread
//   data never turns a graceful close into a RST. abort() sets SO_LINGER 0: the peer sees RST.
// - send() only queues; writing starts from the loop. Queued bytes (user space plus the
//   kernel's unsent/unacknowledged bytes, SIOCOUTQ) never exceed send_buffer_limit(). After a
//   refused send(), on_send_space() comes once they have fallen to half the limit: checked
//   after each write and, while only the kernel holds them (acknowledgements raise no event),
//   every NodeOptions::send_space_poll.
// - Datagrams: a socket bound to a wildcard address asks for each datagram's destination
//   (IP_PKTINFO / IPV6_RECVPKTINFO, read with recvmsg), which on_datagram() gets as `local`; a
//   socket bound to one address reports its bound endpoint. connect(remote, local_address)
//   binds the address (port left to connect(), IP_BIND_ADDRESS_NO_PORT) before connecting.
//   Any 127.0.0.0/8 address is local on Linux, so one machine offers many loopback addresses.
// - Errors of bind/listen/connect/send_datagram name the operation, the endpoint and the OS
//   error text, e.g. "listen 127.0.0.1:4159: Address already in use".
// Boost.Asio stays in sim/asio/src: this header only needs the runtime interface.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "nsslab/base/trace.hpp"
#include "nsslab/runtime/runtime.hpp"

namespace nsslab::asio_rt {

// Per-node knobs.
struct NodeOptions {
    // send() fails with Errc::limit_exceeded when queued bytes would exceed this.
    std::size_t send_buffer_limit{8u << 20};
    // Bytes read per on_received() at most.
    std::size_t read_chunk{64u << 10};
    // After close(): how long a stream may take to flush and see the peer's FIN before its
    // socket is closed anyway.
    std::chrono::milliseconds close_linger{5000};
    // A connect() not established within this ends with on_stream_closed(timed_out);
    // zero leaves it to the OS (about two minutes of SYN retries on Linux).
    std::chrono::milliseconds connect_timeout{0};
    // While a refused sender waits for on_send_space() and only the kernel holds its bytes,
    // send_queued() is polled this often.
    std::chrono::milliseconds send_space_poll{1};
    // Where the node's secrets go (Runtime::log_secret: TLS key log lines, IKE SA keys), e.g.
    // a key log file; empty: dropped. Called from the loop's thread.
    std::function<void(core::Secret const&)> secrets;
    // Threads for Runtime::offload() (e.g. NSSD's signatures); 0: offload() is refused and the
    // application does its work on the loop's thread.
    std::size_t worker_threads{0};
    // offload() jobs waiting for a worker at most; beyond it offload() is refused.
    std::size_t worker_queue_max{4096};
};

// Console knobs (Loop::add_console).
struct ConsoleOptions {
    std::size_t max_line{4096};  // longer lines are discarded
};

class Loop {
  public:
    Loop();
    ~Loop();  // closes every socket; no callbacks run
    Loop(Loop const&) = delete;
    Loop& operator=(Loop const&) = delete;

    // Adds a node: `factory` builds its application on the node's Runtime (both owned by the
    // Loop, destroyed with it, the application first); on_start(now) is posted and runs from
    // the loop. `node_name` must be unique on this Loop (asserted). `root_dir` is created if
    // missing and backs files(). `trace` may be null (emit() then records nothing) and must
    // outlive the Loop.
    runtime::Runtime& add(std::string node_name, runtime::AppFactory factory,
                          std::filesystem::path root_dir, TraceSink* trace,
                          NodeOptions options = {});
    // The application of node `node_name`, or null when there is none.
    runtime::Application* application(std::string_view node_name);
    // Whether the on_start of node `node_name` has run (false for an unknown name): a driver
    // that checks how its application started runs the loop until this holds.
    bool started(std::string_view node_name) const;

    // Runs handlers until done() is true (checked before and after each handler) or
    // `max_wall` of wall time has passed. Returns done(). Waits (idle) for the whole
    // max_wall when there is nothing to do and done() stays false.
    bool run_until(std::function<bool()> const& done, std::chrono::milliseconds max_wall);

    // Runs until SIGTERM or SIGINT arrives, then stop(grace). Returns the signal number.
    int run_until_signal(std::chrono::milliseconds grace = std::chrono::seconds{5});

    // Orderly stop: calls on_stop(now) on every application, then runs the loop until no node
    // has a stream open or closing, or `grace` has passed. Returns true when all streams ended.
    bool stop(std::chrono::milliseconds grace = std::chrono::seconds{5});

    std::size_t node_count() const;
    // CPU seconds used so far by the worker threads of node `node_name` (0 without any).
    double worker_cpu_seconds(std::string_view node_name) const;

    // A console: reads lines from `fd` (stdin of a daemon: a terminal, pipe, socket, regular file
    // or /dev/null) and calls on_line(line, now) for each, from the loop like any callback. The
    // descriptor is duplicated (closing the console leaves `fd` open) and its file status flags
    // are restored when the console closes. A line ends at '\n' (a trailing '\r' is dropped);
    // a line longer than `max_line` bytes is discarded whole (up to its '\n') and counted in
    // console_lines_discarded(). At end of file a
    // final unterminated line is delivered, then on_eof(now) (may be empty) is called once.
    // A read error other than EOF ends the console as EOF does. stop() and the destructor close
    // every console; no callback runs after that. Returns false (and adds nothing) when `fd`
    // cannot be duplicated.
    bool add_console(int fd, std::function<void(std::string line, TimePoint now)> on_line,
                     std::function<void(TimePoint now)> on_eof = {}, ConsoleOptions options = {});
    // Lines discarded by every console for exceeding max_line.
    std::size_t console_lines_discarded() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace nsslab::asio_rt
