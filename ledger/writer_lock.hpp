#pragma once
// One writer at a time: an exclusive flock(2) on a lock file, never waited
// for, held until release() or the process ends (the kernel drops it with the
// last descriptor, so a killed holder never leaves it taken). The holder
// writes its pid into the file, so a refused writer can name it. Used for the
// ledger (Ledger::open) and for erxd's FIX stores (gateway/fix_store.hpp).

#include <string>

namespace erx::ledger {

class WriterLock {
 public:
  WriterLock() = default;
  ~WriterLock() { release(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  // 0 when taken; EBUSY when another process holds it (*holder: "pid N", or
  // "pid unknown" when the file holds no plain pid — the instant before the
  // holder wrote it, a damaged file); else an errno,
  // with *error saying what failed.
  int take(const std::string& path, std::string* holder, std::string* error);
  void release();
  [[nodiscard]] bool held() const noexcept { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace erx::ledger
