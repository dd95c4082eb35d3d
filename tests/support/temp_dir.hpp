#pragma once
// A fresh directory under the system temp directory ($TMPDIR or /tmp),
// removed with everything in it when the object goes away — also when the
// test fails. ERX_KEEP_TMP=1 keeps it, to look at what a failing test left.

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace erx::test {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "erx") {
    std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!std::getenv("ERX_KEEP_TMP")) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] std::string sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace erx::test
