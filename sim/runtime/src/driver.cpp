// Driver and DriverSet (nsslab/runtime/driver.hpp).
#include "nsslab/runtime/driver.hpp"

#include <algorithm>

namespace nsslab::runtime {

Driver::Driver(Runtime& rt, DriverSet* set) : rt_(rt), set_(set) {
    if (set_ != nullptr)
        set_->add(*this);
}

Driver::~Driver() {
    if (set_ != nullptr)
        set_->remove(*this);
}

void Driver::own(SocketId socket) {
    if (set_ != nullptr)
        set_->routes_[socket] = this;
}

void Driver::disown(SocketId socket) {
    if (set_ == nullptr)
        return;
    auto it = set_->routes_.find(socket);
    if (it != set_->routes_.end() && it->second == this)
        set_->routes_.erase(it);
}

void DriverSet::add(Driver& driver) {
    NSSLAB_ASSERT(std::find(drivers_.begin(), drivers_.end(), &driver) == drivers_.end(),
                  "a driver joins a set once");
    drivers_.push_back(&driver);
}

void DriverSet::remove(Driver& driver) {
    std::erase(drivers_, &driver);
    std::erase_if(routes_, [&](auto const& route) { return route.second == &driver; });
}

Driver* DriverSet::owner(SocketId socket) const {
    auto it = routes_.find(socket);
    return it == routes_.end() ? nullptr : it->second;
}

bool DriverSet::on_accepted(SocketId listener, SocketId stream, TimePoint now) {
    Driver* d = owner(listener);
    if (d == nullptr)
        return false;
    d->on_accepted(listener, stream, now);
    return true;
}

bool DriverSet::on_connected(SocketId stream, TimePoint now) {
    Driver* d = owner(stream);
    if (d == nullptr)
        return false;
    d->on_connected(stream, now);
    return true;
}

bool DriverSet::on_received(SocketId stream, ByteView data, TimePoint now) {
    Driver* d = owner(stream);
    if (d == nullptr)
        return false;
    d->on_received(stream, data, now);
    return true;
}

bool DriverSet::on_stream_closed(SocketId stream, StreamEnd why, TimePoint now) {
    Driver* d = owner(stream);
    if (d == nullptr)
        return false;
    d->on_stream_closed(stream, why, now);
    return true;
}

bool DriverSet::on_send_space(SocketId stream, TimePoint now) {
    Driver* d = owner(stream);
    if (d == nullptr)
        return false;
    d->on_send_space(stream, now);
    return true;
}

bool DriverSet::on_datagram(SocketId socket, Endpoint const& local, Endpoint const& from,
                            ByteView payload, TimePoint now) {
    Driver* d = owner(socket);
    if (d == nullptr)
        return false;
    d->on_datagram(socket, local, from, payload, now);
    return true;
}

void DriverSet::on_deadline(TimePoint now) {
    // A driver's input may add or remove drivers (a REFRESH): visit a snapshot, skipping the
    // drivers that left meanwhile.
    std::vector<Driver*> const snapshot = drivers_;
    for (Driver* d : snapshot) {
        if (std::find(drivers_.begin(), drivers_.end(), d) == drivers_.end())
            continue;
        if (auto t = d->next_timeout(); t && *t <= now)
            d->on_deadline(now);
    }
}

std::optional<TimePoint> DriverSet::next_timeout() const {
    std::optional<TimePoint> next;
    for (Driver const* d : drivers_)
        if (auto t = d->next_timeout(); t && (!next || *t < *next))
            next = t;
    return next;
}

void DriverSet::drain(TimePoint now) {
    std::vector<Driver*> const snapshot = drivers_;  // as on_deadline
    for (Driver* d : snapshot)
        if (std::find(drivers_.begin(), drivers_.end(), d) != drivers_.end())
            d->drain(now);
}

void DriverSet::arm() {
    rt_.set_deadline(next_timeout());
}

void DrivenApplication::on_deadline(TimePoint now) {
    drivers_.on_deadline(now);
    drivers_.arm();
}

void DrivenApplication::on_work_done(TimePoint now) {
    drivers_.drain(now);
    drivers_.arm();
}

void DrivenApplication::on_accepted(SocketId listener, SocketId stream, TimePoint now) {
    if (!drivers_.on_accepted(listener, stream, now))
        rt_.abort(stream);
    drivers_.arm();
}

void DrivenApplication::on_connected(SocketId stream, TimePoint now) {
    drivers_.on_connected(stream, now);
    drivers_.arm();
}

void DrivenApplication::on_received(SocketId stream, ByteView data, TimePoint now) {
    drivers_.on_received(stream, data, now);
    drivers_.arm();
}

void DrivenApplication::on_send_space(SocketId stream, TimePoint now) {
    drivers_.on_send_space(stream, now);
    drivers_.arm();
}

void DrivenApplication::on_datagram(SocketId socket, Endpoint const& local, Endpoint const& from,
                                    ByteView payload, TimePoint now) {
    drivers_.on_datagram(socket, local, from, payload, now);
    drivers_.arm();
}

void DrivenApplication::on_stream_closed(SocketId stream, StreamEnd why, TimePoint now) {
    if (!drivers_.on_stream_closed(stream, why, now))
        rt_.close(stream);
    drivers_.arm();
}

}  // namespace nsslab::runtime
