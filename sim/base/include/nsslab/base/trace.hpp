// The trace-event vocabulary (DESIGN.md §4, "Trace").
//
// Cores emit Events (a name and typed details). A driver stamps each one with the virtual
// time and the node it came from and hands the TraceRecord to a TraceSink. The JSON Lines
// writer prints one record per line: virtual time, node, event name, details. Wall-clock
// time never appears in a trace.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "nsslab/base/time.hpp"

namespace nsslab {

using FieldValue = std::variant<bool, std::int64_t, std::uint64_t, double, std::string>;

struct Field {
    std::string key;
    FieldValue value;
};

struct Event {
    std::string name;  // dotted, lower case: "tcp.connect", "nss.failover", "racf.check"
    std::vector<Field> fields;

    Event() = default;
    explicit Event(std::string event_name) : name(std::move(event_name)) {}

    Event& with(std::string key, std::string value);
    Event& with(std::string key, char const* value) {
        return with(std::move(key), std::string(value));
    }
    Event& with(std::string key, std::string_view value) {
        return with(std::move(key), std::string(value));
    }
    Event& with(std::string key, bool value);
    Event& with(std::string key, double value);
    template <class Int>
    requires std::is_integral_v<Int> Event& with(std::string key, Int value) {
        if constexpr (std::is_signed_v<Int>)
            fields.push_back({std::move(key), static_cast<std::int64_t>(value)});
        else
            fields.push_back({std::move(key), static_cast<std::uint64_t>(value)});
        return *this;
    }

    // The value of a field, or nullptr.
    FieldValue const* find(std::string_view key) const;
    // A field printed as text ("" if absent): strings as is, numbers in decimal.
    std::string text(std::string_view key) const;
};

struct TraceRecord {
    TimePoint time;  // true virtual time (not skewed by a node's clock offset)
    std::string node;
    Event event;
};

class TraceSink {
  public:
    virtual ~TraceSink() = default;
    virtual void record(TraceRecord const& record) = 0;
};

// Appends `text` to `out` as a JSON string literal (quotes included).
void append_json_string(std::string& out, std::string_view text);
void append_json_value(std::string& out, FieldValue const& value);

// One JSON object per line:
// {"t":"1.000250000","t_ns":1000250000,"node":"SYSTEMA","event":"tcp.connect","details":{...}}
// where t is the time since `origin`. Also keeps a running FNV-1a hash of everything written,
// so a run's trace can be compared with another's without keeping it.
class JsonlTraceWriter final : public TraceSink {
  public:
    JsonlTraceWriter(std::ostream* out, TimePoint origin) : out_(out), origin_(origin) {}
    void record(TraceRecord const& record) override;
    std::uint64_t hash() const { return hash_; }
    std::uint64_t lines() const { return lines_; }
    static std::string format(TraceRecord const& record, TimePoint origin);

  private:
    std::ostream* out_;  // may be null: hash only
    TimePoint origin_;
    std::uint64_t hash_{0xcbf29ce484222325ULL};
    std::uint64_t lines_{0};
};

// Keeps records in memory for checks. Bounded: records past max_records are not kept and
// overflowed() turns true, so a checker can refuse to judge an incomplete trace.
class MemoryTrace final : public TraceSink {
  public:
    explicit MemoryTrace(std::size_t max_records = 1'000'000) : max_(max_records) {}
    void record(TraceRecord const& record) override;
    std::vector<TraceRecord> const& records() const { return records_; }
    bool overflowed() const { return overflowed_; }
    std::size_t count(std::string_view event_name) const;

  private:
    std::size_t max_;
    std::vector<TraceRecord> records_;
    bool overflowed_{false};
};

// Sends each record to several sinks.
class TeeTrace final : public TraceSink {
  public:
    void add(TraceSink* sink) { sinks_.push_back(sink); }
    void record(TraceRecord const& record) override {
        for (auto* s : sinks_)
            s->record(record);
    }

  private:
    std::vector<TraceSink*> sinks_;
};

}  // namespace nsslab
