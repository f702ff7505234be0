#include "nsslab/runtime/file_system.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace nsslab::runtime {

Result<void> check_path(std::string_view path) {
    if (path.empty() || path.front() != '/')
        return fail(Errc::invalid_argument, "path '" + std::string(path) + "' is not absolute");
    std::size_t start = 1;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos)
            end = path.size();
        std::string_view part = path.substr(start, end - start);
        if (part == "." || part == "..")
            return fail(Errc::invalid_argument, "path '" + std::string(path) + "' has a '" +
                                                    std::string(part) + "' component");
        start = end + 1;
    }
    return {};
}

Result<std::string> MemoryFileSystem::read(std::string_view path) const {
    auto it = files_.find(path);
    if (it == files_.end())
        return fail(Errc::not_found, "no file '" + std::string(path) + "'");
    return it->second;
}

Result<void> MemoryFileSystem::write(std::string_view path, std::string_view content) {
    if (auto ok = check_path(path); !ok)
        return ok.error();
    auto it = files_.find(path);
    std::size_t old = it == files_.end() ? 0 : it->second.size();
    if (total_ - old + content.size() > max_)
        return fail(Errc::limit_exceeded, "file system full writing '" + std::string(path) + "'");
    total_ = total_ - old + content.size();
    if (it == files_.end())
        files_.emplace(std::string(path), std::string(content));
    else
        it->second.assign(content);
    return {};
}

Result<void> MemoryFileSystem::remove(std::string_view path) {
    auto it = files_.find(path);
    if (it == files_.end())
        return fail(Errc::not_found, "no file '" + std::string(path) + "'");
    total_ -= it->second.size();
    files_.erase(it);
    return {};
}

bool MemoryFileSystem::exists(std::string_view path) const {
    return files_.find(path) != files_.end();
}

std::vector<std::string> MemoryFileSystem::list(std::string_view prefix) const {
    std::vector<std::string> out;
    for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.starts_with(prefix);
         ++it)
        out.push_back(it->first);
    return out;
}

Result<std::filesystem::path> DirectoryFileSystem::map(std::string_view path) const {
    if (auto ok = check_path(path); !ok)
        return ok.error();
    return root_ / std::filesystem::path(std::string(path.substr(1)));
}

Result<std::string> DirectoryFileSystem::read(std::string_view path) const {
    auto real = map(path);
    if (!real)
        return real.error();
    std::ifstream in(*real, std::ios::binary);
    if (!in)
        return fail(Errc::not_found, "no file '" + std::string(path) + "'");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Result<void> DirectoryFileSystem::write(std::string_view path, std::string_view content) {
    auto real = map(path);
    if (!real)
        return real.error();
    std::error_code ec;
    std::filesystem::create_directories(real->parent_path(), ec);
    if (ec)
        return fail(Errc::io_error, real->parent_path().string() + ": " + ec.message());
    std::ofstream out(*real, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out)
        return fail(Errc::io_error, "cannot write " + real->string());
    return {};
}

Result<void> DirectoryFileSystem::remove(std::string_view path) {
    auto real = map(path);
    if (!real)
        return real.error();
    std::error_code ec;
    if (!std::filesystem::remove(*real, ec)) {
        if (ec)
            return fail(Errc::io_error, real->string() + ": " + ec.message());
        return fail(Errc::not_found, "no file '" + std::string(path) + "'");
    }
    return {};
}

bool DirectoryFileSystem::exists(std::string_view path) const {
    auto real = map(path);
    return real && std::filesystem::is_regular_file(*real);
}

std::vector<std::string> DirectoryFileSystem::list(std::string_view prefix) const {
    std::vector<std::string> out;
    std::error_code ec;
    if (!std::filesystem::exists(root_, ec))
        return out;
    for (auto const& entry : std::filesystem::recursive_directory_iterator(root_, ec)) {
        if (!entry.is_regular_file())
            continue;
        std::string p = "/" + std::filesystem::relative(entry.path(), root_).generic_string();
        if (p.starts_with(prefix))
            out.push_back(p);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace nsslab::runtime
