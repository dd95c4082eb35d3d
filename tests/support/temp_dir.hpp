#pragma once
// A fresh directory under $TMPDIR (or /tmp), removed with everything in it
// when the object goes away — also when the test fails.

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace erx::test {

class TempDir {
 public:
  explicit TempDir(const std::string& tag = "erx") {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/" + tag + "-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!std::getenv("ERX_KEEP_TMP")) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace erx::test
