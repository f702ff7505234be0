// Worker threads of one asio_rt node (NodeOptions::worker_threads): Runtime::offload() runs
// jobs here, off the loop's thread. The queue is bounded; jobs run in submission order, one per
// free thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace nsslab::asio_rt {

class WorkerPool {
  public:
    WorkerPool(std::size_t threads, std::size_t queue_max);
    ~WorkerPool();  // stop()
    WorkerPool(WorkerPool const&) = delete;
    WorkerPool& operator=(WorkerPool const&) = delete;

    // Queues `job`; false (nothing queued) when queue_max jobs wait or the pool has stopped.
    bool submit(std::function<void()> job);
    // Drops the jobs not yet started, waits for the running ones and joins the threads.
    void stop();
    std::size_t threads() const { return threads_.size(); }
    // Jobs queued and not yet started.
    std::size_t waiting();
    // CPU time the worker threads have used so far, in seconds (all of them together).
    double cpu_seconds() const;

  private:
    void run();

    std::size_t queue_max_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_{false};
    std::vector<std::thread> threads_;
};

}  // namespace nsslab::asio_rt
