#include "support/tshark.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <sstream>

extern char** environ;

namespace nsslab::test {
namespace {

std::string tshark_binary() {
    char const* env = std::getenv("NSSLAB_TSHARK");
    return env != nullptr && *env != '\0' ? std::string(env) : std::string("tshark");
}

std::string join_args(std::vector<std::string> const& args) {
    std::string s = "tshark";
    for (auto const& a : args)
        s += " '" + a + "'";
    return s;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

}  // namespace

TsharkResult run_tshark(std::vector<std::string> const& args, std::chrono::seconds timeout) {
    TsharkResult result;
    std::string const binary = tshark_binary();
    std::vector<std::string> argv_storage;
    argv_storage.push_back(binary);
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    argv.reserve(argv_storage.size() + 1);
    for (auto& a : argv_storage)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    int out_pipe[2];
    int err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) {
        result.exit_code = 127;
        result.err = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        result.exit_code = 127;
        result.err = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    pid_t pid = 0;
    int const rc = posix_spawnp(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        result.exit_code = 127;
        result.err = "cannot start '" + binary + "': " + std::strerror(rc) +
                     " (install Wireshark's tshark, e.g. apt-get install tshark, or set "
                     "NSSLAB_TSHARK)";
        return result;
    }

    // Drain both pipes together so neither fills up and blocks tshark.
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_fds = 2;
    char buffer[65536];
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    bool timed_out = false;
    while (open_fds > 0) {
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            kill(pid, SIGKILL);  // the child we spawned, by its pid
            break;
        }
        int const ready = poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0)
                continue;
            ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n > 0) {
                sinks[i]->append(buffer, static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            }
        }
    }
    for (auto& fd : fds)
        if (fd.fd >= 0)
            close(fd.fd);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status))
        result.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        result.exit_code = 128 + WTERMSIG(status);
    if (timed_out)
        result.err += "\n[nsslab] tshark killed after " + std::to_string(timeout.count()) + " s";
    return result;
}

::testing::AssertionResult tshark_available() {
    TsharkResult r = run_tshark({"-v"});
    if (r.exit_code == 0 && r.out.find("TShark") != std::string::npos)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "tshark is required for the capture tests but '" << tshark_binary()
           << " -v' failed (exit " << r.exit_code << "): " << r.err
           << "\nThe project set-up installs it (Debian package 'tshark').";
}

std::vector<std::string> checksum_options() {
    return {"-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
            "-o", "udp.check_checksum:TRUE"};
}

std::size_t count_matching(std::filesystem::path const& capture, std::string const& display_filter,
                           std::vector<std::string> const& extra_opts) {
    std::vector<std::string> args = extra_opts;
    args.insert(args.end(), {"-r", capture.string(), "-T", "fields", "-e", "frame.number"});
    if (!display_filter.empty())
        args.insert(args.end(), {"-Y", display_filter});
    TsharkResult r = run_tshark(args);
    if (r.exit_code != 0) {
        ADD_FAILURE() << join_args(args) << " exited with " << r.exit_code << ": " << r.err;
        return std::numeric_limits<std::size_t>::max();
    }
    std::size_t count = 0;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
        if (!line.empty())
            ++count;
    return count;
}

std::vector<std::vector<std::string>> field_rows(std::filesystem::path const& capture,
                                                 std::vector<std::string> const& fields,
                                                 std::string const& display_filter,
                                                 std::vector<std::string> const& extra_opts) {
    std::vector<std::string> args = extra_opts;
    args.insert(args.end(), {"-r", capture.string(), "-T", "fields", "-E", "separator=/t", "-E",
                             "occurrence=a", "-E", "aggregator=,"});
    for (auto const& f : fields)
        args.insert(args.end(), {"-e", f});
    if (!display_filter.empty())
        args.insert(args.end(), {"-Y", display_filter});
    TsharkResult r = run_tshark(args);
    std::vector<std::vector<std::string>> rows;
    if (r.exit_code != 0) {
        ADD_FAILURE() << join_args(args) << " exited with " << r.exit_code << ": " << r.err;
        return rows;
    }
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        std::vector<std::string> row;
        std::size_t start = 0;
        while (true) {
            std::size_t tab = line.find('\t', start);
            row.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
            if (tab == std::string::npos)
                break;
            start = tab + 1;
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string FollowStream::client_data() const {
    std::string s;
    for (auto const& c : chunks)
        if (c.node1 == server_is_node0)
            s += c.data;
    return s;
}

std::string FollowStream::server_data() const {
    std::string s;
    for (auto const& c : chunks)
        if (c.node1 != server_is_node0)
            s += c.data;
    return s;
}

bool parse_follow_raw(std::string const& text, FollowStream& out, std::string& error) {
    // ===================================================================
    // Follow: tls,raw
    // Filter: tcp.stream eq 0
    // Node 0: 10.0.0.1:40000
    // Node 1: 10.0.0.2:4159
    // 48656c6c6f            <- node 0 -> node 1
    // \t776f726c64          <- node 1 -> node 0
    // ===================================================================
    out = FollowStream{};
    std::istringstream lines(text);
    std::string const rule(67, '=');
    int rules = 0;
    bool saw_follow = false;
    std::size_t line_no = 0;
    for (std::string line; std::getline(lines, line);) {
        ++line_no;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.rfind("=====", 0) == 0) {
            ++rules;
            continue;
        }
        if (rules != 1)
            continue;  // text outside the follow section (e.g. other -z output)
        if (line.rfind("Follow: ", 0) == 0) {
            if (line.find(",raw") == std::string::npos) {
                error = "follow output is not in raw mode: '" + line + "'";
                return false;
            }
            saw_follow = true;
            continue;
        }
        if (line.rfind("Filter: ", 0) == 0)
            continue;
        if (line.rfind("Node 0: ", 0) == 0) {
            out.node0 = line.substr(8);
            continue;
        }
        if (line.rfind("Node 1: ", 0) == 0) {
            out.node1 = line.substr(8);
            continue;
        }
        if (line.empty())
            continue;
        FollowChunk chunk;
        std::size_t pos = 0;
        if (line[0] == '\t') {
            chunk.node1 = true;
            pos = 1;
        }
        if ((line.size() - pos) % 2 != 0) {
            error = "follow output line " + std::to_string(line_no) + " has an odd hex length";
            return false;
        }
        for (; pos < line.size(); pos += 2) {
            int hi = hex_value(line[pos]);
            int lo = hex_value(line[pos + 1]);
            if (hi < 0 || lo < 0) {
                error =
                    "follow output line " + std::to_string(line_no) + " is not hex: '" + line + "'";
                return false;
            }
            chunk.data.push_back(static_cast<char>(hi << 4 | lo));
        }
        if (!out.chunks.empty() && out.chunks.back().node1 == chunk.node1)
            out.chunks.back().data += chunk.data;
        else
            out.chunks.push_back(std::move(chunk));
    }
    if (!saw_follow || rules < 2) {
        error = "no complete 'Follow: ...,raw' section in the output";
        return false;
    }
    return true;
}

std::vector<std::string> tls_decode_options(TlsDecodeOptions const& options) {
    std::vector<std::string> args;
    if (!options.keylog_file.empty())
        args.insert(args.end(), {"-o", "tls.keylog_file:" + options.keylog_file.string()});
    for (auto port : options.tls_ports)
        args.insert(args.end(), {"-d", "tcp.port==" + std::to_string(port) + ",tls"});
    return args;
}

bool follow_tls(std::filesystem::path const& capture, TlsDecodeOptions const& options,
                FollowStream& out, std::string& error) {
    std::vector<std::string> args = tls_decode_options(options);
    args.insert(args.end(), {"-r", capture.string(), "-q", "-z",
                             "follow,tls,raw," + std::to_string(options.tcp_stream)});
    TsharkResult r = run_tshark(args);
    if (r.exit_code != 0) {
        error = join_args(args) + " exited with " + std::to_string(r.exit_code) + ": " + r.err;
        return false;
    }
    if (!parse_follow_raw(r.out, out, error)) {
        error += " (tshark stdout: " + r.out + ")";
        return false;
    }
    for (auto port : options.tls_ports) {
        std::string const suffix = ":" + std::to_string(port);
        if (out.node0.size() > suffix.size() &&
            out.node0.compare(out.node0.size() - suffix.size(), suffix.size(), suffix) == 0)
            out.server_is_node0 = true;
    }
    return true;
}

bool decrypted_tls_records(std::filesystem::path const& capture, TlsDecodeOptions const& options,
                           std::vector<TlsRecord>& out, std::string& error) {
    out.clear();
    std::vector<std::string> args = tls_decode_options(options);
    args.insert(args.end(), {"-r", capture.string(), "-T", "fields",       "-E", "separator=/t",
                             "-E", "occurrence=a",   "-E", "aggregator=,", "-e", "frame.number",
                             "-e", "ip.src",         "-e", "ipv6.src",     "-e", "tcp.srcport",
                             "-e", "tcp.stream",     "-e", "data.data",    "-Y", "tls && data"});
    TsharkResult r = run_tshark(args);
    if (r.exit_code != 0) {
        error = join_args(args) + " exited with " + std::to_string(r.exit_code) + ": " + r.err;
        return false;
    }
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty())
            continue;
        std::vector<std::string> cols;
        std::size_t start = 0;
        while (true) {
            std::size_t tab = line.find('\t', start);
            cols.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
            if (tab == std::string::npos)
                break;
            start = tab + 1;
        }
        if (cols.size() != 6) {
            error = "unexpected tshark fields line: '" + line + "'";
            return false;
        }
        TlsRecord base;
        try {
            base.frame = std::stoul(cols[0]);
            base.source_port = static_cast<std::uint16_t>(std::stoul(cols[3]));
            base.tcp_stream = std::stoul(cols[4]);
        } catch (std::exception const&) {
            error = "unexpected tshark fields line: '" + line + "'";
            return false;
        }
        base.source = cols[1].empty() ? "[" + cols[2] + "]:" + cols[3] : cols[1] + ":" + cols[3];
        // Several records in one frame are joined by ','.
        std::size_t pos = 0;
        while (pos <= cols[5].size()) {
            std::size_t comma = cols[5].find(',', pos);
            std::string hex = cols[5].substr(pos, comma == std::string::npos ? comma : comma - pos);
            TlsRecord rec = base;
            if (hex.size() % 2 != 0) {
                error = "odd-length hex in tshark output: '" + line + "'";
                return false;
            }
            for (std::size_t i = 0; i < hex.size(); i += 2) {
                int hi = hex_value(hex[i]);
                int lo = hex_value(hex[i + 1]);
                if (hi < 0 || lo < 0) {
                    error = "bad hex in tshark output: '" + line + "'";
                    return false;
                }
                rec.data.push_back(static_cast<char>(hi << 4 | lo));
            }
            out.push_back(std::move(rec));
            if (comma == std::string::npos)
                break;
            pos = comma + 1;
        }
    }
    return true;
}

}  // namespace nsslab::test
