#include "nsslab/engine/event_queue.hpp"

#include <algorithm>

#include "nsslab/base/result.hpp"

namespace nsslab::engine {

void EventQueue::push(TimePoint at, Task task) {
    std::uint32_t slot;
    if (free_.empty()) {
        slot = static_cast<std::uint32_t>(slots_.size());
        slots_.push_back(std::move(task));
    } else {
        slot = free_.back();
        free_.pop_back();
        slots_[slot] = std::move(task);
    }
    heap_.push_back(Entry{nanos(at), seq_++, slot});
    std::push_heap(heap_.begin(), heap_.end(), later);
}

TimePoint EventQueue::next_time() const {
    NSSLAB_ASSERT(!heap_.empty(), "next_time on an empty queue");
    return TimePoint{Duration{heap_.front().time}};
}

Task EventQueue::pop(TimePoint& at) {
    NSSLAB_ASSERT(!heap_.empty(), "pop on an empty queue");
    std::pop_heap(heap_.begin(), heap_.end(), later);
    Entry e = heap_.back();
    heap_.pop_back();
    at = TimePoint{Duration{e.time}};
    Task task = std::move(slots_[e.slot]);
    slots_[e.slot] = nullptr;
    free_.push_back(e.slot);
    return task;
}

}  // namespace nsslab::engine
