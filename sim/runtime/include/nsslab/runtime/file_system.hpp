// A node's file system as daemons see it: z/OS UNIX paths such as
// /var/iked/STACK1.defaultpolicy (the stack's marker file, DESIGN.md §6).
// MemoryFileSystem backs simulated nodes (state lost on crash unless the driver keeps it);
// DirectoryFileSystem maps the absolute paths below a real directory for the real daemons.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "nsslab/base/result.hpp"

namespace nsslab::runtime {

class FileSystem {
  public:
    virtual ~FileSystem() = default;
    virtual Result<std::string> read(std::string_view path) const = 0;
    virtual Result<void> write(std::string_view path, std::string_view content) = 0;
    // Errc::not_found when absent.
    virtual Result<void> remove(std::string_view path) = 0;
    virtual bool exists(std::string_view path) const = 0;
    // Paths that start with `prefix`, sorted.
    virtual std::vector<std::string> list(std::string_view prefix) const = 0;
};

// Paths must be absolute ("/..."); total content is bounded (Errc::limit_exceeded).
class MemoryFileSystem final : public FileSystem {
  public:
    explicit MemoryFileSystem(std::size_t max_total_bytes = 64u << 20) : max_(max_total_bytes) {}
    Result<std::string> read(std::string_view path) const override;
    Result<void> write(std::string_view path, std::string_view content) override;
    Result<void> remove(std::string_view path) override;
    bool exists(std::string_view path) const override;
    std::vector<std::string> list(std::string_view prefix) const override;

  private:
    std::map<std::string, std::string, std::less<>> files_;
    std::size_t max_;
    std::size_t total_{0};
};

// Maps "/etc/x" to "<root>/etc/x"; ".." components are refused.
class DirectoryFileSystem final : public FileSystem {
  public:
    explicit DirectoryFileSystem(std::filesystem::path root) : root_(std::move(root)) {}
    Result<std::string> read(std::string_view path) const override;
    Result<void> write(std::string_view path, std::string_view content) override;
    Result<void> remove(std::string_view path) override;
    bool exists(std::string_view path) const override;
    std::vector<std::string> list(std::string_view prefix) const override;

  private:
    Result<std::filesystem::path> map(std::string_view path) const;
    std::filesystem::path root_;
};

// Checks that `path` is absolute and has no "." or ".." components.
Result<void> check_path(std::string_view path);

}  // namespace nsslab::runtime
