// Reads the sectioned test-vector files under third_party/ ("[name]" opens a section,
// "key = value" fills it, lines starting with '#' are comments). Tests read only these copies,
// never the project's shared reference folder.
#pragma once

#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/bytes.hpp"

namespace nsslab::test {

struct VectorSection {
    std::string name;
    std::map<std::string, std::string> values;

    std::string const& text(std::string const& key) const {
        auto it = values.find(key);
        NSSLAB_ASSERT(it != values.end(), "key missing in test vector section");
        return it->second;
    }
    Bytes hex(std::string const& key) const {
        auto bytes = from_hex(text(key));
        NSSLAB_ASSERT(bytes.has_value(), "test vector value is not hex");
        return *bytes;
    }
    bool has(std::string const& key) const { return values.count(key) != 0; }
};

inline std::string trim_spaces(std::string s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.erase(s.begin());
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.pop_back();
    return s;
}

// All sections of `relative_path` (from the source root), in file order.
inline std::vector<VectorSection> read_vector_sections(std::string const& relative_path) {
    std::ifstream in(std::string(NSSLAB_SOURCE_DIR) + "/" + relative_path);
    NSSLAB_ASSERT(in.good(), "test vector file missing");
    std::vector<VectorSection> out;
    std::string line;
    while (std::getline(in, line)) {
        line = trim_spaces(line);
        if (line.empty() || line[0] == '#')
            continue;
        if (line[0] == '[') {
            auto const close = line.find(']');
            NSSLAB_ASSERT(close != std::string::npos, "unterminated section header");
            out.push_back(VectorSection{line.substr(1, close - 1), {}});
            continue;
        }
        auto const eq = line.find('=');
        if (eq == std::string::npos || out.empty())
            continue;
        out.back().values[trim_spaces(line.substr(0, eq))] = trim_spaces(line.substr(eq + 1));
    }
    return out;
}

// The section whose name starts with `prefix`.
inline VectorSection find_section(std::vector<VectorSection> const& sections,
                                  std::string_view prefix) {
    for (auto const& s : sections)
        if (std::string_view(s.name).substr(0, prefix.size()) == prefix)
            return s;
    NSSLAB_ASSERT(false, "test vector section missing");
    return {};
}

}  // namespace nsslab::test
