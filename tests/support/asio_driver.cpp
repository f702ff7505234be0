#include "support/asio_driver.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "nsslab/asio/loop.hpp"

namespace nsslab::test {
namespace {

std::filesystem::path fresh_directory() {
    static std::atomic<int> counter{0};
    auto dir =
        std::filesystem::temp_directory_path() /
        ("nsslab-asio-driver-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

std::chrono::milliseconds wall(Duration d) {
    return std::chrono::ceil<std::chrono::milliseconds>(d);
}

class AsioDriver final : public RuntimeDriver {
  public:
    AsioDriver() : root_(fresh_directory()), loop_(std::make_unique<asio_rt::Loop>()) {}
    ~AsioDriver() override {
        loop_.reset();  // sockets closed before the directory goes
        std::error_code ignored;
        std::filesystem::remove_all(root_, ignored);
    }

    std::vector<IpAddress> host_addresses(int /*host_index*/) override {
        return {IpAddress::v4(0x7f000001), IpAddress::v4(0x7f000002)};
    }

    // 192.0.2.1 (TEST-NET-1, RFC 5737) is never a local address.
    IpAddress foreign_address() override { return IpAddress::v4(0xc0000201u); }

    runtime::Runtime& attach(int host_index, std::string node_name,
                             runtime::AppFactory factory) override {
        auto dir = root_ / (std::to_string(host_index) + "-" + node_name);
        return loop_->add(std::move(node_name), std::move(factory), dir, &trace_);
    }

    bool run_until(std::function<bool()> done, Duration limit) override {
        return loop_->run_until(done, wall(limit));
    }

    void advance(Duration d) override {
        loop_->run_until([] { return false; }, wall(d));
    }

    MemoryTrace const& trace() const override { return trace_; }

  private:
    std::filesystem::path root_;
    MemoryTrace trace_;
    std::unique_ptr<asio_rt::Loop> loop_;
};

}  // namespace

std::unique_ptr<RuntimeDriver> make_asio_driver() {
    return std::make_unique<AsioDriver>();
}

// Runs during static initialisation; an exception there would end the test program, which is
// the right outcome for a broken registration.
NSSLAB_REGISTER_RUNTIME_DRIVER(asio, [] { return make_asio_driver(); });  // NOLINT(cert-err58-cpp)

}  // namespace nsslab::test
