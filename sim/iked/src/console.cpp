// Parsing IKED's console commands (nsslab/iked/console.hpp).
#include "nsslab/iked/console.hpp"

#include "nsslab/base/text.hpp"
#include "nsslab/zos/operator_text.hpp"

namespace nsslab::iked {

std::optional<wire_nss::SignatureScheme> signature_scheme_from(std::string_view name) {
    for (int i = 1; i <= 10; ++i) {
        auto s = static_cast<wire_nss::SignatureScheme>(i);
        if (wire_nss::to_string(s) == name)
            return s;
    }
    return std::nullopt;
}

namespace {

Error usage(std::string line) {
    return fail(Errc::invalid_argument, std::move(line));
}

// "MODIFY IKED,REFRESH" / "F IKED,REFRESH", optionally ",FILE=name": the parameters after the
// procedure name, or nullopt when `text` is not a MODIFY of IKED's REFRESH.
std::optional<Result<ConsoleCommand>> parse_modify(std::string_view text) {
    std::string const upper = ascii_upper(text);
    std::string_view rest;
    for (std::string_view prefix : {"MODIFY IKED,REFRESH", "F IKED,REFRESH"})
        if (std::string_view(upper).substr(0, prefix.size()) == prefix)
            rest = text.substr(prefix.size());
    if (rest.data() == nullptr)
        return std::nullopt;
    RefreshCommand refresh;
    if (rest.empty())
        return ConsoleCommand{refresh};
    std::string const options = ascii_upper(rest);
    if (options.rfind(",FILE=", 0) != 0)
        return Result<ConsoleCommand>(usage("MODIFY IKED,REFRESH: unknown parameter " +
                                            std::string(rest) +
                                            " (usage: MODIFY IKED,REFRESH[,FILE=name])"));
    std::string file(rest.substr(6));
    if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..")
        return Result<ConsoleCommand>(usage(
            "MODIFY IKED,REFRESH: FILE= needs a file name in /etc/security, not '" + file + "'"));
    refresh.file = std::move(file);
    return ConsoleCommand{refresh};
}

}  // namespace

Result<ConsoleCommand> parse_console_command(std::string_view text) {
    if (auto modify = parse_modify(text))
        return *modify;
    std::vector<std::string> w = zos::split_words(text);
    if (w.size() >= 3 && w[0] == "ipsec" && w[1] == "-w" && w[2] == "display")
        return ConsoleCommand{NssDisplayCommand{}};
    if (w.size() >= 2 && w[0] == "nss" && w[1] == "sign") {
        auto scheme = w.size() == 6 ? signature_scheme_from(w[4]) : std::nullopt;
        auto data = w.size() == 6 ? from_hex(w[5]) : Result<Bytes>(Bytes{});
        if (w.size() != 6 || !scheme || !data)
            return usage("usage: nss sign <stack> <label> <scheme> <hex>");
        return ConsoleCommand{NssSignCommand{ascii_upper(w[2]), w[3], *scheme, std::move(*data)}};
    }
    if (w.size() >= 2 && w[0] == "ipsec") {
        LocalIpsecCommand local;
        // -p <stack> may appear anywhere after "ipsec".
        for (std::size_t i = 1; i + 1 < w.size(); ++i) {
            if (w[i] == "-p") {
                local.stack = ascii_upper(w[i + 1]);
                w.erase(w.begin() + static_cast<std::ptrdiff_t>(i),
                        w.begin() + static_cast<std::ptrdiff_t>(i) + 2);
                break;
            }
        }
        local.words = std::move(w);
        return ConsoleCommand{std::move(local)};
    }
    if (w.size() >= 2 && w[0] == "sa" && w[1] == "add")
        return ConsoleCommand{SaAddCommand{std::move(w)}};
    return usage("unknown or unsupported command: " + std::string(text));
}

}  // namespace nsslab::iked
