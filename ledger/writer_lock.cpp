#include "ledger/writer_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace erx::ledger {

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
    std::string pid(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    if (holder) *holder = "pid " + (pid.empty() ? std::string("unknown") : pid);
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
