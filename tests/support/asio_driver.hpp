// The runtime contract driver over the real runtime (nsslab::asio_rt::Loop): every host has
// the addresses 127.0.0.1 and 127.0.0.2, time is wall time, node file systems live in a fresh
// temporary directory that is removed with the driver. Registered as "asio" by asio_driver.cpp.
#pragma once

#include <memory>

#include "support/runtime_driver.hpp"

namespace nsslab::test {

std::unique_ptr<RuntimeDriver> make_asio_driver();

}  // namespace nsslab::test
