// The simulator's event queue: tasks ordered by (virtual time, sequence number), so events
// at the same instant run in the order they were scheduled (DESIGN.md §4). Tasks are stored
// in a slab and the heap holds only (time, sequence, slot) triples, which keeps sifting cheap.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "nsslab/base/time.hpp"

namespace nsslab::engine {

using Task = std::function<void()>;

class EventQueue {
  public:
    void push(TimePoint at, Task task);
    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    // Time of the earliest event; the queue must not be empty.
    TimePoint next_time() const;
    // Removes the earliest event and returns its task; `at` receives its time.
    Task pop(TimePoint& at);

  private:
    struct Entry {
        std::int64_t time;
        std::uint64_t seq;
        std::uint32_t slot;
    };
    static bool later(Entry const& a, Entry const& b) {
        return a.time != b.time ? a.time > b.time : a.seq > b.seq;
    }
    std::vector<Entry> heap_;
    std::vector<Task> slots_;
    std::vector<std::uint32_t> free_;
    std::uint64_t seq_{0};
};

}  // namespace nsslab::engine
