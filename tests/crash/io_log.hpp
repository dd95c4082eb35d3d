// The binary I/O log written by the LD_PRELOAD shim (tests/crash/shim/io_shim.cpp)
// and read by the image builder (tests/crash/image_builder.*).
//
// The file starts with the 8-byte magic, then records, each a 32-byte header
// (native byte order, x86-64 little-endian) followed by `length` payload bytes
// for File and Write records (none for the others). The shim writes a record
// with plain write() calls BEFORE it forwards the call it describes, so after a
// SIGKILL the log holds every write that reached the kernel; the last record may
// be cut short by the kill, and the reader drops such a tail.
//
// Deliberately header-only and free of the C++ library: the shim includes it.
#pragma once

#include <cstdint>

namespace erx::crash::iolog {

inline constexpr char kMagic[8] = {'E', 'R', 'X', 'I', 'O', 'L', 'G', '1'};

enum class RecordType : std::uint32_t {
  // First sight of a watched file: `file` is its id (per inode), the payload is
  // its path relative to the watched directory.
  File = 1,
  // A write about to be forwarded: `seq` is its operation id, `offset` its file
  // offset, payload the bytes. pwrite/pwrite64/pwritev use their offset;
  // write/writev the fd's position (lseek), or the file size under O_APPEND.
  // An msync(MS_SYNC) of a shared writable mapping is logged as a Write of the
  // mapped bytes (a snapshot) followed by a Durable.
  Write = 2,
  // Operation `seq` (a Write on an O_DSYNC/O_SYNC descriptor, or an msync
  // snapshot) returned successfully: it is durable on its own.
  Durable = 3,
  // fsync/fdatasync of `file` returned 0: every earlier Write and Truncate of
  // that file in the log is durable.
  Sync = 4,
  // ftruncate about to be forwarded: `seq` op id, `offset` the new size.
  Truncate = 5,
  // Operation `seq` did not do all it was asked: `length` is the number of bytes
  // the real write wrote (0 if it failed); a failed ftruncate also gets length 0.
  Result = 6,
  // A real fsync/fdatasync of `file` failed; `offset` holds errno. Nothing is
  // made durable by it.
  SyncFailed = 7,
  // The shim failed this fsync/fdatasync with EIO without calling it (the Nth
  // sync call, ERX_SHIM_EIO_AT=N); `seq` is N.
  EioInjected = 8,
};

struct RecordHeader {
  std::uint32_t type;
  std::uint32_t file;
  std::uint64_t seq;
  std::uint64_t offset;
  std::uint64_t length;
};
static_assert(sizeof(RecordHeader) == 32);

// Environment variables read by the shim.
inline constexpr const char* kEnvDir = "ERX_SHIM_DIR";      // watched directory
inline constexpr const char* kEnvLog = "ERX_SHIM_LOG";      // log file (outside the directory)
inline constexpr const char* kEnvEioAt = "ERX_SHIM_EIO_AT";  // fail the Nth fsync/fdatasync with EIO
inline constexpr const char* kEnvKillAt = "ERX_SHIM_KILL_AT";  // SIGKILL itself at the Nth watched call

}  // namespace erx::crash::iolog
