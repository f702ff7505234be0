#include "nsslab/reports/key_log.hpp"

namespace nsslab::reports {

std::string format_key_log_line(std::string_view label, ByteView client_random, ByteView secret) {
    std::string line(label);
    line += ' ';
    line += to_hex(client_random);
    line += ' ';
    line += to_hex(secret);
    return line;
}

Result<KeyLogWriter> KeyLogWriter::open(std::filesystem::path const& path, bool truncate) {
    auto mode = std::ios::out | (truncate ? std::ios::trunc : std::ios::app);
    auto out = std::make_unique<std::ofstream>(path, mode);
    if (!*out)
        return fail(Errc::io_error, "key log: cannot open '" + path.string() + "'");
    return KeyLogWriter(path, std::move(out));
}

Result<void> KeyLogWriter::append(std::string_view line) {
    if (line.empty())
        return fail(Errc::invalid_argument, "key log: empty line");
    if (line.find_first_of("\r\n") != std::string_view::npos)
        return fail(Errc::invalid_argument, "key log: line contains a line break");
    *out_ << line << '\n';
    out_->flush();
    if (!*out_)
        return fail(Errc::io_error, "key log: writing '" + path_.string() + "' failed");
    ++lines_;
    return {};
}

Result<void> KeyLogWriter::append(std::vector<std::string> const& lines) {
    for (auto const& line : lines)
        if (auto ok = append(line); !ok)
            return ok;
    return {};
}

}  // namespace nsslab::reports
