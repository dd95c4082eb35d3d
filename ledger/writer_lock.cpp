#include "ledger/writer_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace erx::ledger {

namespace {

// The holder's pid as its file says it ("N\n"); anything else — the instant
// before the holder wrote it, a damaged or planted file — is "unknown": the
// file's bytes never reach a message or a log.
std::string pid_in(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  const bool digits = !text.empty() && text.size() <= 10 &&
                      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  return digits ? std::string(text) : std::string("unknown");
}

}  // namespace

int WriterLock::take(const std::string& path, std::string* holder, std::string* error) {
  release();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    const int e = errno;
    if (error) *error = "cannot open the writer lock " + path + ": " + std::strerror(e);
    return e;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    char buf[32];
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    if (e != EWOULDBLOCK) {
      if (error) *error = "cannot lock " + path + ": " + std::strerror(e);
      return e;
    }
    if (holder) *holder = "pid " + pid_in(std::string_view(buf, n > 0 ? static_cast<std::size_t>(n) : 0));
    return EBUSY;
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int e = errno != 0 ? errno : EIO;
    ::close(fd);
    if (error) *error = "cannot write the writer lock " + path + ": " + std::strerror(e);
    return e;
  }
  fd_ = fd;
  return 0;
}

void WriterLock::release() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
  fd_ = -1;
}

}  // namespace erx::ledger
