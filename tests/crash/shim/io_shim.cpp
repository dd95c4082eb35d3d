// LD_PRELOAD shim for the power-loss tests (docs/CRASH_TESTING.md).
//
// With ERX_SHIM_DIR=<dir> and ERX_SHIM_LOG=<file> in the environment it logs,
// for regular files under <dir>, every write (write, pwrite, pwrite64, writev,
// pwritev, pwritev64, ftruncate, msync snapshots) BEFORE forwarding it, and every
// point where data became durable (fsync / fdatasync returned 0, a write on an
// O_DSYNC / O_SYNC descriptor returned) AFTER it happened. The record format is
// tests/crash/io_log.hpp. With ERX_SHIM_EIO_AT=N the Nth fsync/fdatasync of a
// watched file returns -1 / EIO without syncing anything; with ERX_SHIM_KILL_AT=N
// the process SIGKILLs itself at the Nth call on a watched file.
//
// Without ERX_SHIM_DIR every call is forwarded untouched.
//
// Rules this file keeps: no C++ library (only libc, so it loads anywhere), no
// static constructors (state is plain data, set up once under pthread_once), and
// one mutex held from the log record to the end of the real call on a watched
// file (calls on other descriptors are forwarded without it), so the log order
// is the order the kernel saw (and a Sync is logged only once every write logged
// before it had completed).
//
// Limits: calls glibc makes internally (stdio's fwrite, fflush) do not go through
// these symbols and are not seen; pwritev2, sync_file_range, O_DIRECT, and
// directory operations (create, rename, unlink) are not modelled. LMDB 0.9.24
// uses pwrite, writev (after lseek), write, fdatasync / fsync, msync (only with
// MDB_WRITEMAP) and ftruncate (lock file, MDB_WRITEMAP): all covered.
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tests/crash/io_log.hpp"

static_assert(sizeof(off_t) == 8, "the shim assumes a 64-bit off_t");

namespace {

namespace iolog = erx::crash::iolog;

using WriteFn = ssize_t (*)(int, const void*, size_t);
using PwriteFn = ssize_t (*)(int, const void*, size_t, off_t);
using WritevFn = ssize_t (*)(int, const struct iovec*, int);
using PwritevFn = ssize_t (*)(int, const struct iovec*, int, off_t);
using SyncFn = int (*)(int);
using MsyncFn = int (*)(void*, size_t, int);
using TruncateFn = int (*)(int, off_t);

struct RealCalls {
  WriteFn write;
  PwriteFn pwrite;
  PwriteFn pwrite64;
  WritevFn writev;
  PwritevFn pwritev;
  PwritevFn pwritev64;
  SyncFn fsync;
  SyncFn fdatasync;
  MsyncFn msync;
  TruncateFn ftruncate;
  TruncateFn ftruncate64;
};

struct FdSlot {
  bool valid;
  dev_t dev;
  ino_t ino;
  int file;  // watched file id, or -1
};

struct FileSlot {
  dev_t dev;
  ino_t ino;
};

constexpr int kMaxFds = 4096;
constexpr int kMaxFiles = 256;

RealCalls real;
pthread_once_t once = PTHREAD_ONCE_INIT;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
bool active = false;
int log_fd = -1;
char watched_dir[PATH_MAX];
size_t watched_len = 0;
uint64_t next_op = 1;
long eio_at = 0;
long sync_calls = 0;
long kill_at = 0;
long watched_calls = 0;
FdSlot fds[kMaxFds];
FileSlot files[kMaxFiles];
int file_count = 0;

template <typename Fn>
Fn resolve(const char* name) {
  void* sym = dlsym(RTLD_NEXT, name);
  Fn fn = nullptr;
  static_assert(sizeof(fn) == sizeof(sym));
  std::memcpy(&fn, &sym, sizeof(fn));
  return fn;
}

[[noreturn]] void die(const char* what) {
  // stdio writes through glibc's internal write, not through this shim.
  std::fprintf(stderr, "erx io shim: %s (%s)\n", what, std::strerror(errno));
  std::abort();
}

void raw_write_all(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = real.write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die("cannot write the I/O log");
    p += n;
    size -= static_cast<size_t>(n);
  }
}

void init() {
  real.write = resolve<WriteFn>("write");
  real.pwrite = resolve<PwriteFn>("pwrite");
  real.pwrite64 = resolve<PwriteFn>("pwrite64");
  real.writev = resolve<WritevFn>("writev");
  real.pwritev = resolve<PwritevFn>("pwritev");
  real.pwritev64 = resolve<PwritevFn>("pwritev64");
  real.fsync = resolve<SyncFn>("fsync");
  real.fdatasync = resolve<SyncFn>("fdatasync");
  real.msync = resolve<MsyncFn>("msync");
  real.ftruncate = resolve<TruncateFn>("ftruncate");
  real.ftruncate64 = resolve<TruncateFn>("ftruncate64");
  if (real.write == nullptr || real.pwrite == nullptr || real.writev == nullptr || real.fsync == nullptr ||
      real.fdatasync == nullptr || real.msync == nullptr || real.ftruncate == nullptr) {
    die("dlsym(RTLD_NEXT) failed");
  }

  const char* dir = std::getenv(iolog::kEnvDir);
  const char* log = std::getenv(iolog::kEnvLog);
  if (dir == nullptr || *dir == '\0') return;
  if (log == nullptr || *log == '\0') die("ERX_SHIM_DIR is set but ERX_SHIM_LOG is not");
  if (realpath(dir, watched_dir) == nullptr) die("cannot resolve ERX_SHIM_DIR");
  watched_len = std::strlen(watched_dir);
  if (const char* eio = std::getenv(iolog::kEnvEioAt); eio != nullptr && *eio != '\0') {
    eio_at = std::strtol(eio, nullptr, 10);
  }
  if (const char* k = std::getenv(iolog::kEnvKillAt); k != nullptr && *k != '\0') {
    kill_at = std::strtol(k, nullptr, 10);
  }

  log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) die("cannot open ERX_SHIM_LOG");
  char log_path[PATH_MAX];
  if (realpath(log, log_path) != nullptr && std::strncmp(log_path, watched_dir, watched_len) == 0 &&
      log_path[watched_len] == '/') {
    die("ERX_SHIM_LOG must not be inside ERX_SHIM_DIR");
  }
  struct stat st{};
  if (fstat(log_fd, &st) != 0) die("cannot stat the I/O log");
  if (st.st_size == 0) raw_write_all(log_fd, iolog::kMagic, sizeof iolog::kMagic);
  active = true;
}

bool ensure_init() {
  pthread_once(&once, init);
  return active;
}

void log_record(iolog::RecordType type, uint32_t file, uint64_t seq, uint64_t offset, uint64_t length,
                const struct iovec* payload = nullptr, int payload_count = 0) {
  iolog::RecordHeader h{static_cast<uint32_t>(type), file, seq, offset, length};
  raw_write_all(log_fd, &h, sizeof h);
  uint64_t left = length;
  for (int i = 0; i < payload_count && left > 0; ++i) {
    size_t n = payload[i].iov_len < left ? payload[i].iov_len : static_cast<size_t>(left);
    raw_write_all(log_fd, payload[i].iov_base, n);
    left -= n;
  }
}

// The watched-file id of `fd`, or -1 (not a regular file under the directory).
// Caller holds `lock`. `st` receives the fd's stat.
int file_of(int fd, struct stat& st) {
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  if (fd >= 0 && fd < kMaxFds && fds[fd].valid && fds[fd].dev == st.st_dev && fds[fd].ino == st.st_ino) {
    return fds[fd].file;
  }
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char path[PATH_MAX];
  ssize_t n = readlink(link, path, sizeof path - 1);
  int file = -1;
  if (n > 0) {
    path[n] = '\0';
    const size_t len = static_cast<size_t>(n);
    if (len > watched_len + 1 && std::strncmp(path, watched_dir, watched_len) == 0 && path[watched_len] == '/') {
      for (int i = 0; i < file_count; ++i) {
        if (files[i].dev == st.st_dev && files[i].ino == st.st_ino) file = i;
      }
      if (file < 0) {
        if (file_count == kMaxFiles) die("too many watched files");
        file = file_count++;
        files[file] = FileSlot{st.st_dev, st.st_ino};
        const char* rel = path + watched_len + 1;
        struct iovec v{const_cast<char*>(rel), std::strlen(rel)};
        log_record(iolog::RecordType::File, static_cast<uint32_t>(file), 0, 0, v.iov_len, &v, 1);
      }
    }
  }
  if (fd >= 0 && fd < kMaxFds) fds[fd] = FdSlot{true, st.st_dev, st.st_ino, file};
  return file;
}

// Holds `lock`; release() lets an unwatched call go ahead unlocked (a write to
// a socket or pipe may block for long, and must not hold up the other threads).
class Guard {
 public:
  Guard() { pthread_mutex_lock(&lock); }
  ~Guard() { release(); }
  void release() {
    if (held_) pthread_mutex_unlock(&lock);
    held_ = false;
  }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

 private:
  bool held_ = true;
};

uint64_t iov_total(const struct iovec* iov, int count) {
  uint64_t total = 0;
  for (int i = 0; i < count; ++i) total += iov[i].iov_len;
  return total;
}

// Where a write without an explicit offset lands.
uint64_t implicit_offset(int fd, const struct stat& st) {
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0 && (flags & O_APPEND) != 0) return static_cast<uint64_t>(st.st_size);
  off_t pos = lseek(fd, 0, SEEK_CUR);
  return pos < 0 ? 0 : static_cast<uint64_t>(pos);
}

bool durable_on_return(int fd) {
  int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_DSYNC) != 0;  // O_SYNC includes the O_DSYNC bit
}

// ERX_SHIM_KILL_AT=N: the process kills itself (SIGKILL) at the Nth call on a
// watched file, before logging or forwarding it: a cut exactly between two
// operations, wherever they are, rather than wherever the time went.
void count_call() {
  if (++watched_calls == kill_at) kill(getpid(), SIGKILL);
}

// Logs a write of `iov` at `offset` to `file`, runs `call`, logs its outcome.
template <typename Call>
ssize_t logged_write(int fd, int file, uint64_t offset, const struct iovec* iov, int count, Call call) {
  count_call();
  const uint64_t op = next_op++;
  const uint64_t total = iov_total(iov, count);
  const bool dsync = durable_on_return(fd);
  log_record(iolog::RecordType::Write, static_cast<uint32_t>(file), op, offset, total, iov, count);
  ssize_t rc = call();
  int saved = errno;
  uint64_t done = rc < 0 ? 0 : static_cast<uint64_t>(rc);
  if (done != total) log_record(iolog::RecordType::Result, static_cast<uint32_t>(file), op, 0, done);
  if (dsync && done > 0) log_record(iolog::RecordType::Durable, static_cast<uint32_t>(file), op, 0, 0);
  errno = saved;
  return rc;
}

int logged_sync(int fd, SyncFn fn) {
  if (!ensure_init()) return fn(fd);
  Guard g;
  struct stat st{};
  int file = file_of(fd, st);
  if (file < 0) {
    g.release();
    return fn(fd);
  }
  count_call();
  ++sync_calls;
  if (eio_at > 0 && sync_calls == eio_at) {
    log_record(iolog::RecordType::EioInjected, static_cast<uint32_t>(file), static_cast<uint64_t>(sync_calls), 0, 0);
    errno = EIO;
    return -1;
  }
  int rc = fn(fd);
  int saved = errno;
  if (rc == 0) {
    log_record(iolog::RecordType::Sync, static_cast<uint32_t>(file), 0, 0, 0);
  } else {
    log_record(iolog::RecordType::SyncFailed, static_cast<uint32_t>(file), 0, static_cast<uint64_t>(saved), 0);
  }
  errno = saved;
  return rc;
}

int logged_truncate(int fd, off_t length, TruncateFn fn) {
  if (!ensure_init()) return fn(fd, length);
  Guard g;
  struct stat st{};
  int file = file_of(fd, st);
  if (file < 0 || length < 0) {
    g.release();
    return fn(fd, length);
  }
  count_call();
  const uint64_t op = next_op++;
  log_record(iolog::RecordType::Truncate, static_cast<uint32_t>(file), op, static_cast<uint64_t>(length), 0);
  int rc = fn(fd, length);
  int saved = errno;
  if (rc != 0) log_record(iolog::RecordType::Result, static_cast<uint32_t>(file), op, 0, 0);
  errno = saved;
  return rc;
}

// Finds the shared mapping holding `addr` in /proc/self/maps. On success fills
// the mapping's start, end, file offset and path.
bool find_mapping(uintptr_t addr, uintptr_t& start, uintptr_t& end, uint64_t& offset, char* path, size_t path_size) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  static char buf[1 << 16];
  char line[PATH_MAX + 256];
  size_t line_len = 0;
  bool found = false;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n && !found; ++i) {
      char c = buf[i];
      if (c != '\n') {
        if (line_len + 1 < sizeof line) line[line_len++] = c;
        continue;
      }
      line[line_len] = '\0';
      line_len = 0;
      unsigned long s = 0, e = 0, off = 0, inode = 0;
      char perms[8] = {};
      char dev[32] = {};
      int consumed = 0;
      if (std::sscanf(line, "%lx-%lx %7s %lx %31s %lu %n", &s, &e, perms, &off, dev, &inode, &consumed) < 6) continue;
      if (addr < s || addr >= e || perms[3] != 's') continue;
      start = s;
      end = e;
      offset = off;
      std::snprintf(path, path_size, "%s", line + consumed);
      found = true;
    }
    if (found) break;
  }
  close(fd);
  return found;
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t n) {
  if (!ensure_init()) return real.write(fd, buf, n);
  Guard g;
  struct stat st{};
  int file = file_of(fd, st);
  if (file < 0) {
    g.release();
    return real.write(fd, buf, n);
  }
  struct iovec v{const_cast<void*>(buf), n};
  return logged_write(fd, file, implicit_offset(fd, st), &v, 1, [&] { return real.write(fd, buf, n); });
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  if (!ensure_init()) return real.pwrite(fd, buf, n, off);
  Guard g;
  struct stat st{};
  int file = file_of(fd, st);
  if (file < 0 || off < 0) {
    g.release();
    return real.pwrite(fd, buf, n, off);
  }
  struct iovec v{const_cast<void*>(buf), n};
  return logged_write(fd, file, static_cast<uint64_t>(off), &v, 1, [&] { return real.pwrite(fd, buf, n, off); });
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off_t off) {
  if (!ensure_init()) return real.pwrite64(fd, buf, n, off);
  Guard g;
  struct stat st{};
  int file = file_of(fd, st);
  if (file < 0 || off < 0) {
    g.release();
    return real.pwrite64(fd, buf, n, off);
  }
  struct iovec v{const_cast<void*>(buf), n};
  return logged_write(fd, file, static_cast<uint64_t>(off), &v, 1, [&] { return real.pwrite64(fd, buf, n, off); });
}

ssize_t writev(int fd, const struct iovec* iov, int count) {
  if (!ensure_init()) return real.writev(fd, iov, count);
  Guard g;
  struct stat st{};
  int file = file_of(fd, st);
  if (file < 0 || count < 0) {
    g.release();
    return real.writev(fd, iov, count);
  }
  return logged_write(fd, file, implicit_offset(fd, st), iov, count, [&] { return real.writev(fd, iov, count); });
}

ssize_t pwritev(int fd, const struct iovec* iov, int count, off_t off) {
  if (!ensure_init()) return real.pwritev(fd, iov, count, off);
  Guard g;
  struct stat st{};
  int file = file_of(fd, st);
  if (file < 0 || count < 0 || off < 0) {
    g.release();
    return real.pwritev(fd, iov, count, off);
  }
  return logged_write(fd, file, static_cast<uint64_t>(off), iov, count,
                      [&] { return real.pwritev(fd, iov, count, off); });
}

ssize_t pwritev64(int fd, const struct iovec* iov, int count, off_t off) {
  if (!ensure_init()) return real.pwritev64(fd, iov, count, off);
  Guard g;
  struct stat st{};
  int file = file_of(fd, st);
  if (file < 0 || count < 0 || off < 0) {
    g.release();
    return real.pwritev64(fd, iov, count, off);
  }
  return logged_write(fd, file, static_cast<uint64_t>(off), iov, count,
                      [&] { return real.pwritev64(fd, iov, count, off); });
}

int fsync(int fd) {
  ensure_init();
  return logged_sync(fd, real.fsync);
}

int fdatasync(int fd) {
  ensure_init();
  return logged_sync(fd, real.fdatasync);
}

int ftruncate(int fd, off_t length) noexcept {
  ensure_init();
  return logged_truncate(fd, length, real.ftruncate);
}

int ftruncate64(int fd, off_t length) noexcept {
  ensure_init();
  return logged_truncate(fd, length, real.ftruncate64 != nullptr ? real.ftruncate64 : real.ftruncate);
}

// msync(MS_SYNC) of a shared mapping of a watched file: the mapped bytes are
// logged as a Write (a snapshot taken now), then Durable once msync returned 0.
// Stores through a mapping that are never msync'ed are invisible to the shim.
int msync(void* addr, size_t len, int flags) {
  if (!ensure_init()) return real.msync(addr, len, flags);
  Guard g;
  uintptr_t start = 0, end = 0;
  uint64_t map_offset = 0;
  char path[PATH_MAX];
  const uintptr_t a = reinterpret_cast<uintptr_t>(addr);
  if (len == 0 || !find_mapping(a, start, end, map_offset, path, sizeof path)) {
    g.release();
    return real.msync(addr, len, flags);
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    g.release();
    return real.msync(addr, len, flags);
  }
  struct stat st{};
  int file = file_of(fd, st);
  close(fd);
  if (fd >= 0 && fd < kMaxFds) fds[fd].valid = false;
  if (file < 0) {
    g.release();
    return real.msync(addr, len, flags);
  }
  const uintptr_t stop = a + len < end ? a + len : end;
  count_call();
  const uint64_t op = next_op++;
  struct iovec v{addr, stop - a};
  log_record(iolog::RecordType::Write, static_cast<uint32_t>(file), op, map_offset + (a - start), v.iov_len, &v, 1);
  int rc = real.msync(addr, len, flags);
  int saved = errno;
  // A failed msync leaves the snapshot an ordinary unsynced write: the dirty
  // pages may still reach the disk later.
  if (rc == 0 && (flags & MS_SYNC) != 0) {
    log_record(iolog::RecordType::Durable, static_cast<uint32_t>(file), op, 0, 0);
  }
  errno = saved;
  return rc;
}

}  // extern "C"
