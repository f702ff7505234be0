#include "nsslab/base/trace.hpp"

#include <cmath>
#include <cstdio>

#include "nsslab/base/rng.hpp"

namespace nsslab {

Event& Event::with(std::string key, std::string value) {
    fields.push_back({std::move(key), std::move(value)});
    return *this;
}
Event& Event::with(std::string key, bool value) {
    fields.push_back({std::move(key), value});
    return *this;
}
Event& Event::with(std::string key, double value) {
    fields.push_back({std::move(key), value});
    return *this;
}

FieldValue const* Event::find(std::string_view key) const {
    for (auto const& f : fields)
        if (f.key == key)
            return &f.value;
    return nullptr;
}

std::string Event::text(std::string_view key) const {
    FieldValue const* v = find(key);
    if (v == nullptr)
        return {};
    if (auto const* s = std::get_if<std::string>(v))
        return *s;
    std::string out;
    append_json_value(out, *v);
    return out;
}

void append_json_string(std::string& out, std::string_view text) {
    out.push_back('"');
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (u < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", u);
                    out += buf;
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
}

void append_json_value(std::string& out, FieldValue const& value) {
    std::visit(
        [&out](auto const& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>) {
                out += v ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::int64_t> ||
                                 std::is_same_v<T, std::uint64_t>) {
                out += std::to_string(v);
            } else if constexpr (std::is_same_v<T, double>) {
                if (!std::isfinite(v)) {
                    out += "null";
                } else {
                    char buf[32];
                    std::snprintf(buf, sizeof buf, "%.17g", v);
                    out += buf;
                }
            } else {
                append_json_string(out, v);
            }
        },
        value);
}

std::string JsonlTraceWriter::format(TraceRecord const& record, TimePoint origin) {
    std::string line;
    line.reserve(128);
    Duration since = record.time - origin;
    line += "{\"t\":\"";
    line += format_seconds(since);
    line += "\",\"t_ns\":";
    line += std::to_string(since.count());
    line += ",\"node\":";
    append_json_string(line, record.node);
    line += ",\"event\":";
    append_json_string(line, record.event.name);
    line += ",\"details\":{";
    bool first = true;
    for (auto const& f : record.event.fields) {
        if (!first)
            line.push_back(',');
        first = false;
        append_json_string(line, f.key);
        line.push_back(':');
        append_json_value(line, f.value);
    }
    line += "}}\n";
    return line;
}

void JsonlTraceWriter::record(TraceRecord const& record) {
    std::string line = format(record, origin_);
    hash_ = fnv1a64(line, hash_);
    ++lines_;
    if (out_ != nullptr)
        out_->write(line.data(), static_cast<std::streamsize>(line.size()));
}

void MemoryTrace::record(TraceRecord const& record) {
    if (records_.size() >= max_) {
        overflowed_ = true;
        return;
    }
    records_.push_back(record);
}

std::size_t MemoryTrace::count(std::string_view event_name) const {
    std::size_t n = 0;
    for (auto const& r : records_)
        if (r.event.name == event_name)
            ++n;
    return n;
}

}  // namespace nsslab
