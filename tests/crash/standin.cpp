// erx-crash-standin: the stand-in writer and checker the power-loss harness is
// proven on, until the ERX ledger writer takes its place (docs/CRASH_TESTING.md).
//
//   erx-crash-standin init DIR
//       create an empty LMDB environment in DIR (used as the harness's setup)
//   erx-crash-standin write DIR [--nosync] [--max-batch N] [--records N] [--seed S] [--keep-going]
//       append records 1, 2, 3, ... after the last one in DIR, in transactions of
//       1..N records (default 64, now and then 4N), and print "ack <id>" for each
//       record only after mdb_txn_commit returned 0. A failed commit is fatal
//       (fail-stop: message on stderr, exit 3, nothing more acknowledged) unless
//       --keep-going, which carries on with the next ids: the hole that leaves is
//       what the EIO test's negative control must catch.
//       --nosync opens the environment MDB_NOSYNC (the harness's negative control).
//   erx-crash-standin check DIR ACKS [--exact]
//       open DIR read-only; exit 0 if it is intact and holds every id listed in
//       ACKS, 1 if an acknowledged id is missing, 2 if it does not open or is
//       damaged (bad record, gap in the ids, partial transaction, bad free list,
//       any LMDB error). --exact: also corrupt if it holds ids beyond the last
//       acknowledged one.
//   erx-crash-standin rawio DIR OUTSIDE_FILE
//       call each function the shim intercepts once, in a known order (the shim's
//       own test reads the log back).
//
// A record: key = id as 8 big-endian bytes (MDB_APPEND); value = 128 bytes:
// id (8, little-endian), last id of its transaction (8), 104 bytes derived from
// the id, and an FNV-1a 64 checksum of the first 120 bytes.
//
// Built without sanitizers: it runs under the LD_PRELOAD shim.
#include <fcntl.h>
#include <lmdb.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t kValueSize = 128;
constexpr std::size_t kMapSize = std::size_t{1} << 30;

// Exit codes.
constexpr int kOk = 0;
constexpr int kLost = 1;
constexpr int kCorrupt = 2;
constexpr int kFailStop = 3;
constexpr int kLmdbError = 4;
constexpr int kUsage = 64;

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t fnv1a(const unsigned char* p, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

void put_le(unsigned char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
std::uint64_t get_le(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
void put_be(unsigned char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (56 - 8 * i));
}
std::uint64_t get_be(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

void make_value(unsigned char* v, std::uint64_t id, std::uint64_t txn_last) {
  put_le(v, id);
  put_le(v + 8, txn_last);
  std::uint64_t x = id;
  for (std::size_t i = 16; i < 120; i += 8) {
    x = splitmix(x);
    put_le(v + i, x);
  }
  put_le(v + 120, fnv1a(v, 120));
}

struct Env {
  MDB_env* env = nullptr;
  ~Env() {
    if (env != nullptr) mdb_env_close(env);
  }
};

int lmdb_fail(const char* what, int rc, int code) {
  std::fprintf(stderr, "erx-crash-standin: %s: %s\n", what, mdb_strerror(rc));
  return code;
}

int open_env(Env& e, const char* dir, unsigned flags) {
  int rc = mdb_env_create(&e.env);
  if (rc == 0) rc = mdb_env_set_mapsize(e.env, kMapSize);
  if (rc == 0) rc = mdb_env_open(e.env, dir, flags, 0644);
  return rc;
}

void write_all(int fd, const std::string& text) {
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) std::exit(kFailStop);  // the harness is gone
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

int cmd_init(const char* dir) {
  Env e;
  if (int rc = open_env(e, dir, 0); rc != 0) return lmdb_fail("mdb_env_open", rc, kLmdbError);
  if (int rc = mdb_env_sync(e.env, 1); rc != 0) return lmdb_fail("mdb_env_sync", rc, kLmdbError);
  return kOk;
}

int cmd_write(const char* dir, int argc, char** argv) {
  bool nosync = false, keep_going = false;
  std::uint64_t max_batch = 64, records = 0, seed = 1;
  for (int i = 0; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::uint64_t {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "erx-crash-standin: %s needs a value\n", argv[i]);
        std::exit(kUsage);
      }
      return std::strtoull(argv[++i], nullptr, 10);
    };
    if (a == "--nosync") nosync = true;
    else if (a == "--keep-going") keep_going = true;
    else if (a == "--max-batch") max_batch = value();
    else if (a == "--records") records = value();
    else if (a == "--seed") seed = value();
    else {
      std::fprintf(stderr, "erx-crash-standin: unknown option %s\n", argv[i]);
      return kUsage;
    }
  }
  if (max_batch == 0) max_batch = 1;

  Env e;
  if (int rc = open_env(e, dir, nosync ? MDB_NOSYNC : 0); rc != 0) return lmdb_fail("mdb_env_open", rc, kLmdbError);
  int dead = 0;
  if (int rc = mdb_reader_check(e.env, &dead); rc != 0) return lmdb_fail("mdb_reader_check", rc, kLmdbError);

  MDB_dbi dbi = 0;
  std::uint64_t next = 1;
  {
    MDB_txn* txn = nullptr;
    if (int rc = mdb_txn_begin(e.env, nullptr, 0, &txn); rc != 0) return lmdb_fail("mdb_txn_begin", rc, kLmdbError);
    MDB_cursor* cur = nullptr;
    int rc = mdb_dbi_open(txn, nullptr, 0, &dbi);
    if (rc == 0) rc = mdb_cursor_open(txn, dbi, &cur);
    MDB_val k{}, v{};
    if (rc == 0) rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    if (rc == 0 && k.mv_size == 8) next = get_be(static_cast<const unsigned char*>(k.mv_data)) + 1;
    if (cur != nullptr) mdb_cursor_close(cur);
    if (rc != 0 && rc != MDB_NOTFOUND) {
      mdb_txn_abort(txn);
      return lmdb_fail("reading the last record", rc, kLmdbError);
    }
    if ((rc = mdb_txn_commit(txn)) != 0) return lmdb_fail("mdb_txn_commit (open)", rc, kFailStop);
  }

  std::uint64_t state = seed ^ (next * 0x2545f4914f6cdd1dULL);
  const std::uint64_t stop = records == 0 ? UINT64_MAX : next + records;
  unsigned char key[8];
  unsigned char value[kValueSize];
  std::string acks;
  while (next < stop) {
    state = splitmix(state);
    std::uint64_t batch = 1 + state % max_batch;
    if ((state >> 40) % 16 == 0) batch = 4 * max_batch;  // now and then a big one: page splits
    if (batch > stop - next) batch = stop - next;
    const std::uint64_t last = next + batch - 1;

    MDB_txn* txn = nullptr;
    if (int rc = mdb_txn_begin(e.env, nullptr, 0, &txn); rc != 0) return lmdb_fail("mdb_txn_begin", rc, kFailStop);
    int rc = 0;
    for (std::uint64_t id = next; id <= last && rc == 0; ++id) {
      put_be(key, id);
      make_value(value, id, last);
      MDB_val k{sizeof key, key}, v{sizeof value, value};
      rc = mdb_put(txn, dbi, &k, &v, MDB_APPEND);
    }
    if (rc != 0) {
      mdb_txn_abort(txn);
      return lmdb_fail("mdb_put", rc, kFailStop);
    }
    rc = mdb_txn_commit(txn);
    if (rc != 0) {
      std::fprintf(stderr,
                   "erx-crash-standin: FAIL-STOP: mdb_txn_commit: %s (records %llu..%llu not acknowledged)\n",
                   mdb_strerror(rc), static_cast<unsigned long long>(next), static_cast<unsigned long long>(last));
      if (!keep_going) return kFailStop;
      next = last + 1;  // the wrong thing to do: a hole in the sequence
      continue;
    }
    acks.clear();
    for (std::uint64_t id = next; id <= last; ++id) {
      acks += "ack ";
      acks += std::to_string(id);
      acks += '\n';
    }
    write_all(1, acks);
    next = last + 1;
  }
  return kOk;
}

std::vector<std::uint64_t> read_acks(const char* path, bool& ok) {
  std::vector<std::uint64_t> ids;
  std::ifstream in(path);
  ok = static_cast<bool>(in);
  for (std::uint64_t id = 0; in >> id;) ids.push_back(id);
  return ids;
}

int cmd_check(const char* dir, const char* acks_path, bool exact) {
  bool ok = false;
  const std::vector<std::uint64_t> acked = read_acks(acks_path, ok);
  if (!ok) {
    std::fprintf(stderr, "erx-crash-standin: cannot read %s\n", acks_path);
    return kUsage;
  }
  std::uint64_t max_acked = 0;
  for (std::uint64_t id : acked) max_acked = id > max_acked ? id : max_acked;

  struct stat st{};
  const std::string data = std::string(dir) + "/data.mdb";
  if (stat(data.c_str(), &st) != 0 || st.st_size == 0) {
    // Nothing was ever made durable (a writer opening it would start afresh).
    std::printf("no data.mdb, or an empty one\n");
    return acked.empty() ? kOk : kLost;
  }
  Env e;
  if (int rc = open_env(e, dir, MDB_RDONLY); rc != 0) return lmdb_fail("cannot open the environment", rc, kCorrupt);
  MDB_envinfo info{};
  mdb_env_info(e.env, &info);
  MDB_txn* txn = nullptr;
  if (int rc = mdb_txn_begin(e.env, nullptr, MDB_RDONLY, &txn); rc != 0) return lmdb_fail("mdb_txn_begin", rc, kCorrupt);
  struct TxnGuard {
    MDB_txn* t;
    ~TxnGuard() { mdb_txn_abort(t); }
  } guard{txn};

  MDB_dbi dbi = 0;
  if (int rc = mdb_dbi_open(txn, nullptr, 0, &dbi); rc != 0) return lmdb_fail("mdb_dbi_open", rc, kCorrupt);
  MDB_stat stat{};
  if (int rc = mdb_stat(txn, dbi, &stat); rc != 0) return lmdb_fail("mdb_stat", rc, kCorrupt);

  MDB_cursor* cur = nullptr;
  if (int rc = mdb_cursor_open(txn, dbi, &cur); rc != 0) return lmdb_fail("mdb_cursor_open", rc, kCorrupt);
  std::uint64_t count = 0, prev = 0, last_txn_end = 0;
  unsigned char expect[kValueSize];
  MDB_val k{}, v{};
  int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
  for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    if (k.mv_size != 8 || v.mv_size != kValueSize) {
      std::printf("record %llu: key/value sizes %zu/%zu\n", static_cast<unsigned long long>(prev + 1), k.mv_size,
                  v.mv_size);
      return kCorrupt;
    }
    const std::uint64_t id = get_be(static_cast<const unsigned char*>(k.mv_data));
    const auto* val = static_cast<const unsigned char*>(v.mv_data);
    if (id != prev + 1) {
      std::printf("gap: record %llu follows %llu\n", static_cast<unsigned long long>(id),
                  static_cast<unsigned long long>(prev));
      return kCorrupt;
    }
    make_value(expect, id, get_le(val + 8));
    if (std::memcmp(expect, val, kValueSize) != 0 || get_le(val + 8) < id) {
      std::printf("record %llu: damaged value\n", static_cast<unsigned long long>(id));
      return kCorrupt;
    }
    prev = id;
    last_txn_end = get_le(val + 8);
    ++count;
  }
  mdb_cursor_close(cur);
  if (rc != MDB_NOTFOUND) return lmdb_fail("reading records", rc, kCorrupt);
  if (count != stat.ms_entries) {
    std::printf("%llu records read, the tree says %zu\n", static_cast<unsigned long long>(count), stat.ms_entries);
    return kCorrupt;
  }
  if (count > 0 && last_txn_end != prev) {
    std::printf("partial transaction: last record %llu, its transaction ended at %llu\n",
                static_cast<unsigned long long>(prev), static_cast<unsigned long long>(last_txn_end));
    return kCorrupt;
  }

  // The free list (LMDB's database 0): each entry is a count and that many page numbers.
  if ((rc = mdb_cursor_open(txn, 0, &cur)) != 0) return lmdb_fail("opening the free list", rc, kCorrupt);
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    bool bad = k.mv_size != sizeof(std::size_t) || v.mv_size % sizeof(std::size_t) != 0 || v.mv_size == 0;
    const auto* bytes = static_cast<const unsigned char*>(v.mv_data);
    auto word = [&](std::size_t i) {
      std::size_t w = 0;
      std::memcpy(&w, bytes + i * sizeof w, sizeof w);
      return w;
    };
    const std::size_t words = v.mv_size / sizeof(std::size_t);
    if (!bad) bad = word(0) + 1 != words;
    for (std::size_t i = 1; i < words && !bad; ++i) bad = word(i) < 2 || word(i) > info.me_last_pgno;
    if (bad) {
      std::printf("free list entry damaged\n");
      mdb_cursor_close(cur);
      return kCorrupt;
    }
  }
  mdb_cursor_close(cur);
  if (rc != MDB_NOTFOUND) return lmdb_fail("reading the free list", rc, kCorrupt);

  std::uint64_t lost = 0;
  for (std::uint64_t id : acked) lost += (id == 0 || id > prev) ? 1 : 0;
  std::printf("records=%llu last=%llu acked=%zu lost=%llu\n", static_cast<unsigned long long>(count),
              static_cast<unsigned long long>(prev), acked.size(), static_cast<unsigned long long>(lost));
  if (lost > 0) return kLost;
  if (exact && prev != max_acked) {
    std::printf("holds records beyond the last acknowledged one (%llu)\n", static_cast<unsigned long long>(max_acked));
    return kCorrupt;
  }
  return kOk;
}

// Each intercepted call once, in the order test_crash.cpp expects.
int cmd_rawio(const char* dir, const char* outside) {
  const std::string path = std::string(dir) + "/raw.bin";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return kUsage;
  std::vector<char> a(1000, 'A'), b(100, 'B'), c(50, 'C'), d(10, 'D'), e(20, 'E'), f(30, 'F'), g(5, 'G');
  bool ok = pwrite(fd, a.data(), a.size(), 0) == 1000;           // write 1: offset 0, 1000
  ok = ok && lseek(fd, 1000, SEEK_SET) == 1000;
  iovec bc[2] = {{b.data(), b.size()}, {c.data(), c.size()}};
  ok = ok && writev(fd, bc, 2) == 150;                             // write 2: offset 1000, 150
  if (fdatasync(fd) != 0) std::printf("fdatasync: %s\n", std::strerror(errno));  // sync (or the injected EIO)
  ok = ok && write(fd, d.data(), d.size()) == 10;                  // write 3: offset 1150, 10
  ok = ok && pwrite64(fd, e.data(), e.size(), 4096) == 20;         // write 4: offset 4096, 20
  iovec fv[1] = {{f.data(), f.size()}};
  ok = ok && pwritev(fd, fv, 1, 8192) == 30;                       // write 5: offset 8192, 30
  if (fsync(fd) != 0) std::printf("fsync: %s\n", std::strerror(errno));  // sync
  int dfd = open(path.c_str(), O_WRONLY | O_DSYNC);
  ok = ok && dfd >= 0 && pwrite(dfd, g.data(), g.size(), 100) == 5;  // write 6 + durable
  if (dfd >= 0) close(dfd);
  ok = ok && ftruncate(fd, 6000) == 0;                             // truncate to 6000
  void* map = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ok = ok && map != MAP_FAILED;
  if (map != MAP_FAILED) {
    std::memset(map, 'H', 10);
    ok = ok && msync(map, 4096, MS_SYNC) == 0;                     // write 7 (4096-byte snapshot) + durable
    munmap(map, 4096);
  }
  int ofd = open(outside, O_WRONLY | O_CREAT | O_TRUNC, 0644);     // not watched: not logged
  ok = ok && ofd >= 0 && write(ofd, "x", 1) == 1 && fsync(ofd) == 0;
  if (ofd >= 0) close(ofd);
  close(fd);
  std::printf("%s\n", ok ? "rawio done" : "rawio FAILED");
  return ok ? kOk : kUsage;
}

int usage() {
  std::fprintf(stderr,
               "usage: erx-crash-standin init DIR\n"
               "       erx-crash-standin write DIR [--nosync] [--max-batch N] [--records N] [--seed S] "
               "[--keep-going]\n"
               "       erx-crash-standin check DIR ACKS [--exact]\n"
               "       erx-crash-standin rawio DIR OUTSIDE_FILE\n");
  return kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string_view cmd = argv[1];
  if (cmd == "init" && argc == 3) return cmd_init(argv[2]);
  if (cmd == "write") return cmd_write(argv[2], argc - 3, argv + 3);
  if (cmd == "check" && (argc == 4 || (argc == 5 && std::string_view(argv[4]) == "--exact"))) {
    return cmd_check(argv[2], argv[3], argc == 5);
  }
  if (cmd == "rawio" && argc == 4) return cmd_rawio(argv[2], argv[3]);
  return usage();
}
