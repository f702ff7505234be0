#include "nsslab/harness/runner.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "nsslab/base/trace.hpp"
#include "nsslab/crypto/openssl_context.hpp"
#include "nsslab/engine/host.hpp"
#include "nsslab/engine/network.hpp"
#include "nsslab/engine/simulation.hpp"
#include "nsslab/harness/process_registry.hpp"
#include "nsslab/reports/html_report.hpp"
#include "nsslab/reports/json_summary.hpp"
#include "nsslab/reports/junit.hpp"
#include "nsslab/reports/key_log.hpp"
#include "nsslab/reports/pcapng.hpp"

namespace nsslab::harness {
namespace {

using namespace std::chrono_literals;

std::string hex16(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

bool is_fault(Action a) {
    switch (a) {
        case Action::start:
        case Action::stop:
        case Action::operator_command:
            return false;
        default:
            return true;
    }
}

// Key trace events drawn on the report's sequence diagram (on the node's lifeline): state
// changes of hosts, processes and connections, and anything named *.connected,
// *.disconnected, *.failover, *.failback, *.denied, *.rejected or *.error.
bool key_event(std::string_view name) {
    static constexpr std::string_view exact[] = {
        "host.crash",    "host.restart", "host.pause",      "host.resume", "host.clock",
        "process.start", "process.stop", "tcp.established", "tcp.timeout", "operator.command"};
    static constexpr std::string_view suffixes[] = {
        ".connected", ".disconnected", ".failover", ".failback", ".denied", ".rejected", ".error"};
    for (auto e : exact)
        if (name == e)
            return true;
    for (auto suffix : suffixes)
        if (name.ends_with(suffix))
            return true;
    return false;
}

// Collects the key events for the report (bounded).
class KeyEventSink final : public TraceSink {
  public:
    KeyEventSink(reports::ScenarioReport& report, TimePoint origin, std::size_t limit)
        : report_(report), origin_(origin), limit_(limit) {}
    void record(TraceRecord const& r) override {
        if (!key_event(r.event.name) || kept_ >= limit_)
            return;
        ++kept_;
        std::string label = r.event.name;
        for (auto const& f : r.event.fields) {
            if (label.size() > 48)
                break;
            label += " " + f.key + "=" + r.event.text(f.key);
        }
        report_.marks.push_back({nanos(r.time - origin_), r.node, label.substr(0, 60), "event"});
    }

  private:
    reports::ScenarioReport& report_;
    TimePoint origin_;
    std::size_t limit_;
    std::size_t kept_{0};
};

// Everything one run owns; lives on the stack of run_scenario.
class Run {
  public:
    Run(Scenario const& sc, RunOptions const& opt, ProcessRegistry const& registry,
        std::uint64_t seed)
        : sc_(sc),
          opt_(opt),
          registry_(registry),
          seed_(seed),
          sim_(seed, sc.start_time.value_or(engine::default_start_time),
               engine::RunLimits{sc.max_events, sc.duration + 1s}),
          writer_(opt.out_dir.empty() ? nullptr : &trace_file_, sim_.start_time()),
          memory_(opt.max_trace_records),
          key_events_(result_.report, sim_.start_time(), opt.max_arrows) {}

    Result<ScenarioResult> execute();

  private:
    engine::Host& host(std::string const& name) {
        auto* h = sim_.network().find_host(name);
        NSSLAB_ASSERT(h != nullptr, "scenario names a system the loader accepted");
        return *h;
    }
    Duration now() const { return sim_.now() - sim_.start_time(); }
    void mark(std::string system, std::string label, std::string kind) {
        result_.report.marks.push_back(
            {nanos(now()), std::move(system), std::move(label), std::move(kind)});
    }
    // The steps of execute(), in order.
    Result<void> open_outputs(std::unique_ptr<reports::PcapngWriter>& capture,
                              std::optional<reports::KeyLogWriter>& keylog,
                              std::optional<reports::KeyLogWriter>& ike_keys);
    void connect_trace();
    std::string build_topology();
    std::string run_timeline();
    void close_outputs(reports::PcapngWriter* capture,
                       std::vector<std::string> const& pending_secrets);
    std::string final_failure(std::string failure, std::string const& capture_error) const;
    void record_figures(std::string const& failure);
    void check_expectations(std::string const& failure);
    void fill_report(std::chrono::steady_clock::time_point wall_start);

    void start_process(engine::Host& h, std::string const& system, std::string const& process);
    void execute_step(Step const& step);
    void operator_command(Step const& step);
    void on_packet(PacketRecord const& packet);

    Scenario const& sc_;
    RunOptions const& opt_;
    ProcessRegistry const& registry_;
    std::uint64_t seed_;
    // Declared before the simulation: processes may hold their host's context until the end.
    std::map<std::string, std::unique_ptr<crypto::LibContext>> libs_;
    engine::Simulation sim_;
    ScenarioResult result_;
    std::map<std::pair<std::string, std::string>, engine::AppFactory> factories_;
    // The trace sinks (connect_trace): trace.jsonl and the trace hash, the records the
    // expectations read, the report's key events.
    std::ofstream trace_file_;
    JsonlTraceWriter writer_;
    MemoryTrace memory_;
    KeyEventSink key_events_;
    TeeTrace tee_;
};

// Hosts, links and every process factory of the scenario, then starts the processes marked
// `start`. Returns the failure, or "" when the topology is built.
std::string Run::build_topology() {
    auto& net = sim_.network();
    for (auto const& sys : sc_.systems) {
        engine::Host& h = net.add_host(sys.name, sys.addresses);
        if (sys.clock_offset != Duration{0} || sys.drift_ppm != 0)
            h.set_clock(sys.clock_offset, sys.drift_ppm);
        auto lib = crypto::LibContext::deterministic(seed_, sys.name);
        if (!lib)
            return sys.name + ": " + lib.error().what();
        libs_[sys.name] = std::move(*lib);
    }
    for (auto const& link : sc_.links) {
        net.set_link(host(link.from), host(link.to), link.params);
        if (link.both_ways)
            net.set_link(host(link.to), host(link.from), link.params);
    }
    // Every factory is built before anything starts, so a bad config fails the run at once.
    for (auto const& sys : sc_.systems) {
        for (auto const& p : sys.processes) {
            std::string who = p.where.to_string() + ": " + sys.name + "/" + p.name;
            auto const* factory = registry_.find(p.type);
            if (!factory)
                return who + ": " + registry_.unknown_type_message(p.type);
            ProcessContext ctx{sc_.folder,      sys.name,       p.name,
                               p.type,          p.config_files, p.args,
                               &host(sys.name), seed_,          libs_[sys.name].get()};
            auto app = (*factory)(ctx);
            if (!app)
                return who + " (" + p.type + "): " + app.error().message;
            factories_[{sys.name, p.name}] = std::move(*app);
        }
    }
    for (auto const& sys : sc_.systems)
        for (auto const& p : sys.processes)
            if (p.start)
                start_process(host(sys.name), sys.name, p.name);
    return {};
}

void Run::start_process(engine::Host& h, std::string const& system, std::string const& process) {
    if (h.process_runtime(process) != nullptr)
        return;
    h.spawn(process, factories_.at({system, process}));
}

void Run::execute_step(Step const& step) {
    auto& net = sim_.network();
    mark(step.system.empty() ? step.from : step.system, step.describe(),
         is_fault(step.action) ? "fault" : "step");
    sim_.trace("scenario", Event("scenario.step")
                               .with("action", std::string(to_string(step.action)))
                               .with("what", step.describe()));
    switch (step.action) {
        case Action::start:
        case Action::stop: {
            engine::Host& h = host(step.system);
            auto const* sys = sc_.find_system(step.system);
            for (auto const& p : sys->processes) {
                if (!step.process.empty() && p.name != step.process)
                    continue;
                if (step.action == Action::start)
                    start_process(h, sys->name, p.name);
                else if (h.process_runtime(p.name) != nullptr)
                    h.stop_process(p.name);
            }
            break;
        }
        case Action::crash:
            host(step.system).crash(!step.silent);
            break;
        case Action::restart:
            host(step.system).restart();
            break;
        case Action::pause:
            host(step.system).pause();
            break;
        case Action::resume:
            host(step.system).resume();
            break;
        case Action::partition:
            net.partition(host(step.from), host(step.to), step.one_way);
            break;
        case Action::heal:
            net.heal(host(step.from), host(step.to));
            break;
        case Action::heal_all:
            net.heal_all();
            break;
        case Action::clog:
            net.clog(host(step.from), host(step.to), step.duration);
            break;
        case Action::link: {
            engine::LinkParams p = net.link(host(step.from), host(step.to));
            apply_link_properties(step, p);
            net.set_link(host(step.from), host(step.to), p);
            if (step.both_ways) {
                engine::LinkParams q = net.link(host(step.to), host(step.from));
                apply_link_properties(step, q);
                net.set_link(host(step.to), host(step.from), q);
            }
            break;
        }
        case Action::clock_jump:
            host(step.system).jump_clock(step.by);
            break;
        case Action::clock:
            host(step.system).set_clock(step.offset, step.drift_ppm);
            break;
        case Action::operator_command:
            operator_command(step);
            break;
    }
}

void Run::operator_command(Step const& step) {
    engine::Host& h = host(step.system);
    sim_.trace(
        step.system,
        Event("operator.command").with("process", step.process).with("command", step.command));
    auto reject = [this, step](std::string const& why) {
        sim_.trace(step.system, Event("operator.result")
                                    .with("process", step.process)
                                    .with("command", step.command)
                                    .with("ok", false)
                                    .with("reason", why));
    };
    if (!h.is_up() && h.state() != engine::Host::State::paused) {
        reject("system down");
        return;
    }
    // Runs as work of the host: held while it is paused, dropped if it crashes first.
    h.schedule_guarded(Duration{0}, [this, step, &h, reject] {
        auto* app = h.application(step.process);
        if (app == nullptr) {
            reject("process not running");
            return;
        }
        auto* operable = dynamic_cast<Operable*>(app);
        if (operable == nullptr) {
            reject("process does not accept operator commands");
            return;
        }
        OperatorResult out = operable->operator_command(step.command, h.local_now());
        std::uint64_t index = 0;
        for (auto const& line : out.lines)
            sim_.trace(step.system, Event("operator.output")
                                        .with("process", step.process)
                                        .with("command", step.command)
                                        .with("index", index++)
                                        .with("line", line));
        sim_.trace(step.system, Event("operator.result")
                                    .with("process", step.process)
                                    .with("command", step.command)
                                    .with("ok", out.ok)
                                    .with("lines", out.lines.size()));
    });
}

void Run::on_packet(PacketRecord const& packet) {
    if (packet.payload.empty())
        return;
    auto& report = result_.report;
    ++report.arrows_total;
    if (report.arrows.size() >= opt_.max_arrows)
        return;
    auto* from = sim_.network().host_by_address(packet.src.address);
    auto* to = sim_.network().host_by_address(packet.dst.address);
    reports::MessageArrow a;
    a.time_ns = nanos(packet.time - sim_.start_time());
    a.from = from ? from->name() : packet.src.address.to_string();
    a.to = to ? to->name() : packet.dst.address.to_string();
    a.label = std::string(packet.transport == Transport::tcp ? "TCP" : "UDP") + " :" +
              std::to_string(packet.src.port) + "→:" + std::to_string(packet.dst.port) + " " +
              std::to_string(packet.payload.size()) + "B";
    a.dropped = packet.comment.starts_with("dropped");
    report.arrows.push_back(std::move(a));
}

// The steps in order. The TLS key log and capture sinks stay here: they share the secrets not
// yet written into the capture.
Result<ScenarioResult> Run::execute() {
    auto wall_start = std::chrono::steady_clock::now();
    result_.name = sc_.name;
    result_.seed = seed_;

    std::unique_ptr<reports::PcapngWriter> capture;
    std::optional<reports::KeyLogWriter> keylog;
    std::optional<reports::KeyLogWriter> ike_keys;
    if (auto ok = open_outputs(capture, keylog, ike_keys); !ok)
        return ok.error();
    connect_trace();

    std::vector<std::string> pending_secrets;
    std::set<std::string> ike_lines;  // both ends of an IKE SA log the same line
    sim_.set_secret_sink([&](core::Secret const& secret) {
        if (secret.kind == core::Secret::Kind::ike_sa) {
            if (ike_keys && ike_lines.insert(secret.line).second)
                (void)ike_keys->append(secret.line);
            return;
        }
        if (secret.kind != core::Secret::Kind::tls_key_log)
            return;
        if (keylog)
            (void)keylog->append(secret.line);
        pending_secrets.emplace_back(secret.line);
    });
    std::string capture_error;
    sim_.network().set_capture([&](PacketRecord const& packet) {
        on_packet(packet);
        if (!capture)
            return;
        // Secrets go into the capture before the records they protect.
        if (!pending_secrets.empty()) {
            (void)capture->add_tls_key_log(pending_secrets);
            pending_secrets.clear();
        }
        if (auto ok = capture->write(packet); !ok && capture_error.empty())
            capture_error = "capture: " + ok.error().what();
    });

    sim_.trace("scenario", Event("scenario.start").with("name", sc_.name).with("seed", seed_));
    std::string failure = build_topology();
    if (failure.empty())
        failure = run_timeline();
    sim_.trace("scenario", Event("scenario.end").with("failure", failure));
    sim_.set_trace(nullptr);

    close_outputs(capture.get(), pending_secrets);
    failure = final_failure(std::move(failure), capture_error);
    record_figures(failure);
    check_expectations(failure);
    fill_report(wall_start);
    return std::move(result_);
}

// Creates the output folder and opens trace.jsonl, capture.pcapng and tls-keys.log in it
// (nothing without an output folder).
Result<void> Run::open_outputs(std::unique_ptr<reports::PcapngWriter>& capture,
                               std::optional<reports::KeyLogWriter>& keylog,
                               std::optional<reports::KeyLogWriter>& ike_keys) {
    if (opt_.out_dir.empty())
        return {};
    std::error_code ec;
    std::filesystem::create_directories(opt_.out_dir, ec);
    if (ec)
        return fail(Errc::io_error, "cannot create " + opt_.out_dir.string() + ": " + ec.message());
    result_.trace_path = opt_.out_dir / "trace.jsonl";
    result_.capture_path = opt_.out_dir / "capture.pcapng";
    result_.keylog_path = opt_.out_dir / "tls-keys.log";
    trace_file_.open(result_.trace_path, std::ios::binary | std::ios::trunc);
    if (!trace_file_)
        return fail(Errc::io_error, "cannot write " + result_.trace_path.string());
    auto c = reports::PcapngWriter::open_file(result_.capture_path);
    if (!c)
        return c.error();
    capture = std::move(*c);
    auto k = reports::KeyLogWriter::open(result_.keylog_path, true);
    if (!k)
        return k.error();
    keylog.emplace(std::move(*k));
    // Wireshark cannot carry IKEv2 keys in the pcapng (no DSB type): they go in its UAT file.
    result_.ike_keys_path = opt_.out_dir / "ikev2_decryption_table";
    auto ike = reports::KeyLogWriter::open(result_.ike_keys_path, true);
    if (!ike)
        return ike.error();
    ike_keys.emplace(std::move(*ike));
    return {};
}

// Sends the simulation's trace to the trace file (and hash), the memory the expectations read
// and the report's key events.
void Run::connect_trace() {
    tee_.add(&writer_);
    tee_.add(&memory_);
    tee_.add(&key_events_);
    sim_.set_trace(&tee_);
}

// Schedules the scenario's steps and runs the simulation to the scenario's duration. Returns
// the failure, or "" when the run reached its end within its bounds.
std::string Run::run_timeline() {
    TimePoint const start = sim_.start_time();
    for (auto const& step : sc_.steps)
        sim_.schedule_at(start + step.at, [this, &step] { execute_step(step); });
    engine::RunResult run = sim_.run_until(start + sc_.duration);
    if (run.bound_hit())
        return "run stopped: " + run.describe(start);
    return {};
}

// Writes the TLS secrets not yet followed by a packet into the capture and flushes the files.
void Run::close_outputs(reports::PcapngWriter* capture,
                        std::vector<std::string> const& pending_secrets) {
    if (capture) {
        if (!pending_secrets.empty())
            (void)capture->add_tls_key_log(pending_secrets);
        (void)capture->flush();
    }
    trace_file_.flush();
}

// The run's failure: the simulation's, else the capture's, else a trace too long to judge.
std::string Run::final_failure(std::string failure, std::string const& capture_error) const {
    if (failure.empty() && !capture_error.empty())
        failure = capture_error;
    if (failure.empty() && memory_.overflowed())
        failure = "the trace exceeded " + std::to_string(opt_.max_trace_records) +
                  " records; expectations not judged";
    return failure;
}

// The run's figures: failure, trace hash and lines, events, packets, virtual time.
void Run::record_figures(std::string const& failure) {
    result_.failure = failure;
    result_.trace_hash = writer_.hash();
    result_.trace_lines = writer_.lines();
    result_.events = sim_.events_executed();
    result_.packets = sim_.network().packets_sent();
    result_.packets_dropped = sim_.network().packets_dropped();
    result_.elapsed = sim_.elapsed();
}

// Judges the selected expectations over the trace (none when the run failed: "not judged").
void Run::check_expectations(std::string const& failure) {
    EvaluationWindow window{sim_.start_time(), opt_.liveness_start, result_.elapsed};
    bool all = true;
    for (auto const& spec : sc_.expectations) {
        if (!opt_.only_expectations.empty() &&
            std::find(opt_.only_expectations.begin(), opt_.only_expectations.end(), spec.name) ==
                opt_.only_expectations.end())
            continue;
        ExpectationResult r =
            failure.empty()
                ? evaluate(spec, memory_.records(), window)
                : ExpectationResult{spec.name,       spec.where, false, "not judged: " + failure,
                                    result_.elapsed, 0};
        all = all && r.passed;
        result_.expectations.push_back(std::move(r));
    }
    result_.passed = failure.empty() && all;
}

// The scenario's part of the HTML, JUnit and JSON reports (written by write_reports).
void Run::fill_report(std::chrono::steady_clock::time_point wall_start) {
    auto& rep = result_.report;
    rep.name = sc_.name;
    rep.description = sc_.description;
    rep.path = sc_.folder.string();
    rep.seed = seed_;
    rep.passed = result_.passed;
    rep.failure = result_.failure;
    rep.duration_ns = nanos(result_.elapsed);
    rep.events = result_.events;
    rep.trace_lines = result_.trace_lines;
    rep.trace_hash = hex16(result_.trace_hash);
    rep.packets = result_.packets;
    rep.packets_dropped = result_.packets_dropped;
    for (auto const& sys : sc_.systems)
        rep.systems.push_back(sys.name);
    for (auto const& e : result_.expectations)
        rep.expectations.push_back(
            {e.name, e.where.to_string(), e.passed, e.reason, nanos(e.time)});
    if (!opt_.out_dir.empty()) {
        rep.files.emplace_back("trace", result_.trace_path.string());
        rep.files.emplace_back("capture", result_.capture_path.string());
        rep.files.emplace_back("TLS key log", result_.keylog_path.string());
        rep.files.emplace_back("IKEv2 decryption table", result_.ike_keys_path.string());
    }
    rep.reproduce = opt_.reproduce.empty() ? "nsslab replay " + sc_.folder.string() + " --seed " +
                                                 std::to_string(seed_)
                                           : opt_.reproduce;
    rep.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
}

}  // namespace

std::string ScenarioResult::trace_hash_hex() const {
    return hex16(trace_hash);
}

std::string ScenarioResult::describe() const {
    std::ostringstream o;
    o << (passed ? "PASS " : "FAIL ") << name << " (seed " << seed << ", "
      << format_duration(elapsed) << " virtual, " << events << " events, trace hash "
      << trace_hash_hex() << ")\n";
    if (!failure.empty())
        o << "  " << failure << "\n";
    for (auto const& e : expectations)
        if (!e.passed)
            o << "  expectation '" << e.name << "' failed at t=" << format_duration(e.time) << ": "
              << e.reason << " (" << e.where.to_string() << ")\n";
    return o.str();
}

Result<ScenarioResult> run_scenario(Scenario const& scenario, RunOptions const& options) {
    ProcessRegistry const& registry =
        options.registry ? *options.registry : ProcessRegistry::builtin();
    std::uint64_t seed = options.seed.value_or(scenario.seed);
    Run run(scenario, options, registry, seed);
    return run.execute();
}

std::string safe_file_name(std::string_view name) {
    std::string out;
    for (char c : name) {
        bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        out += keep ? c : '_';
    }
    if (out.empty() || out == "." || out == "..")
        out = "scenario";
    return out;
}

Result<void> write_reports(reports::RunReport const& report, std::filesystem::path const& out_dir,
                           std::size_t max_arrows) {
    if (auto ok = reports::write_html_report(report, out_dir / "report.html",
                                             reports::HtmlOptions{max_arrows});
        !ok)
        return ok.error();
    if (auto ok = reports::write_junit(report, out_dir / "junit.xml"); !ok)
        return ok.error();
    if (auto ok = reports::write_json_summary(report, out_dir / "summary.json"); !ok)
        return ok.error();
    return {};
}

Result<SuiteResult> run_suite(SuiteOptions const& options) {
    SuiteResult suite;
    suite.report.title = options.title;
    std::vector<std::filesystem::path> found;
    for (auto const& p : options.paths) {
        if (!std::filesystem::exists(p)) {
            suite.load_errors.push_back(p.string() + ": no such file or folder");
            reports::ScenarioReport r;
            r.name = p.string();
            r.path = p.string();
            r.failure = "no such file or folder";
            suite.report.scenarios.push_back(std::move(r));
            continue;
        }
        for (auto const& f : find_scenarios(p))
            found.push_back(f);
    }
    ProcessRegistry const& registry =
        options.registry ? *options.registry : ProcessRegistry::builtin();
    std::map<std::string, int> used_names;
    for (std::size_t i = 0; i < found.size(); ++i) {
        auto scenario = load_scenario(found[i], &registry);
        if (!scenario) {
            suite.load_errors.push_back(scenario.error().message);
            reports::ScenarioReport r;
            r.name = found[i].string();
            r.path = found[i].string();
            r.failure = scenario.error().message;
            suite.report.scenarios.push_back(std::move(r));
            if (options.on_done) {
                ScenarioResult failed;
                failed.name = found[i].string();
                failed.failure = scenario.error().message;
                options.on_done(i, found.size(), failed);
            }
            continue;
        }
        if (options.on_start)
            options.on_start(i, found.size(), scenario->name);
        std::string dir = safe_file_name(scenario->name);
        if (int n = used_names[dir]++; n > 0)
            dir += "-" + std::to_string(n + 1);
        RunOptions ro;
        ro.out_dir = options.out_dir / dir;
        ro.seed = options.seed;
        ro.registry = &registry;
        auto result = run_scenario(*scenario, ro);
        if (!result)
            return result.error();
        if (options.on_done)
            options.on_done(i, found.size(), *result);
        suite.report.scenarios.push_back(result->report);
    }
    suite.html_path = options.out_dir / "report.html";
    suite.junit_path = options.out_dir / "junit.xml";
    suite.json_path = options.out_dir / "summary.json";
    if (auto ok = write_reports(suite.report, options.out_dir); !ok)
        return ok.error();
    return suite;
}

void ProgressLine::update(std::size_t done, std::size_t total, std::string const& label, bool ok) {
    failed_ += ok ? 0 : 1;
    if (!terminal_) {
        out_ << "[" << done << "/" << total << "] " << (ok ? "PASS " : "FAIL ") << label << "\n";
        out_.flush();
        return;
    }
    constexpr std::size_t bar = 24;
    std::size_t filled = total ? bar * done / total : bar;
    std::string line = "\r[" + std::string(filled, '#') + std::string(bar - filled, '.') + "] " +
                       std::to_string(done) + "/" + std::to_string(total) + " " +
                       std::to_string(failed_) + " failed  " + label.substr(0, 40);
    out_ << line << "\x1b[K";
    out_.flush();
    drawn_ = true;
}

void ProgressLine::finish() {
    if (terminal_ && drawn_)
        out_ << "\n";
    drawn_ = false;
}

}  // namespace nsslab::harness
