#include "worker_pool.hpp"

#include <pthread.h>
#include <time.h>

namespace nsslab::asio_rt {

WorkerPool::WorkerPool(std::size_t threads, std::size_t queue_max) : queue_max_(queue_max) {
    threads_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i)
        threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
    stop();
}

bool WorkerPool::submit(std::function<void()> job) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || threads_.empty() || jobs_.size() >= queue_max_)
            return false;
        jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
}

void WorkerPool::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_)
            return;
        stopping_ = true;
        jobs_.clear();
    }
    wake_.notify_all();
    for (auto& t : threads_)
        t.join();
}

std::size_t WorkerPool::waiting() {
    std::lock_guard lock(mutex_);
    return jobs_.size();
}

double WorkerPool::cpu_seconds() const {
    double total = 0;
    for (auto const& t : threads_) {
        clockid_t id{};
        timespec ts{};
        // const_cast: native_handle() is not const, reading the clock changes nothing.
        if (pthread_getcpuclockid(const_cast<std::thread&>(t).native_handle(), &id) == 0 &&
            clock_gettime(id, &ts) == 0)
            total += static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
    }
    return total;
}

void WorkerPool::run() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (stopping_)
                return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        job();
    }
}

}  // namespace nsslab::asio_rt
