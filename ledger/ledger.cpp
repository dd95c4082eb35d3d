#include "ledger/ledger.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <spdlog/spdlog.h>

#include "ledger/bytes.hpp"
#include "ledger/checkpoint.hpp"
#include "ledger/journal_record.hpp"
#include "ledger/rows.hpp"

namespace erx::ledger {

namespace {

// fsync of a file or a directory by path.
int sync_path(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) return errno;
  const int rc = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return rc;
}

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// The creation marker (docs/LEDGER.md "Creation"): its exact content, written
// and synced only after the ledger's first commit.
constexpr std::string_view kMarkerText = "ERX ledger: complete\n";

bool marker_present(const std::string& dir) {
  const int fd = ::open((dir + "/" + kCreationMarker).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[64];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  return n >= 0 && std::string_view(buf, static_cast<std::size_t>(n)) == kMarkerText;
}

int write_marker(const std::string& dir) {
  const std::string path = dir + "/" + kCreationMarker;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return errno;
  int rc = ::write(fd, kMarkerText.data(), kMarkerText.size()) == static_cast<ssize_t>(kMarkerText.size()) ? 0 : EIO;
  if (rc == 0 && ::fsync(fd) != 0) rc = errno;
  ::close(fd);
  return rc != 0 ? rc : sync_path(dir, true);
}

}  // namespace

// A new LMDB file is not crash-safe until its first commit is synced: the two
// meta pages mdb_env_open writes are not synced, and a power cut then leaves a
// file LMDB refuses (MDB_INVALID). Nothing can have been acknowledged from
// such a file — the marker is written before open() returns, so before any
// command is sequenced — and it is replaced by a fresh one. With the marker
// present, a short, unreadable, damaged or missing data file is damage: it is
// reported and left as it is, never replaced.
//
// The data file is checked here (the writer's path), before LMDB opens it.
int Ledger::prepare_creation(const LedgerOptions& options, std::string* error) {
  const std::string file = options.dir + "/data.mdb";
  created_ = !marker_present(options.dir);
  const bool exists = file_exists(file);
  if (!created_) {
    if (!exists) {
      damaged_ = true;
      if (error) *error = "ledger " + options.dir + " lost its data file (data.mdb missing, creation marker present)";
      return ENOENT;
    }
    check_ = check_data_file(file);
    return check_.ok() ? 0 : refuse(check_, error);
  }
  if (!exists) return 0;
  check_ = check_data_file(file);
  if (check_.ok()) return 0;  // complete (e.g. a copy made with mdb_copy): kept, and the marker written
  // Shorter than its two meta pages, or meta pages that are not LMDB's: the
  // creation's writes did not all land.
  if (check_.status != FileCheck::Status::Damaged || !check_.no_header) return refuse(check_, error);
  spdlog::warn("ledger {}: an unfinished creation (no marker, {}) is started afresh", options.dir, check_.problem);
  check_ = FileCheck{};
  for (const char* name : {"/data.mdb", "/lock.mdb"})
    if (::unlink((options.dir + name).c_str()) != 0 && errno != ENOENT) {
      const int e = errno;
      if (error) *error = "cannot remove the unfinished " + options.dir + name + ": " + std::strerror(e);
      return e;
    }
  return 0;
}

// One writer: an exclusive flock on kWriterLock, never waited for. The
// refused writer learns the holder's pid from the file (written by the holder
// right after it took the lock; "unknown" in that instant).
int Ledger::lock_writer(std::string* error) {
  const std::string path = options_.dir + "/" + kWriterLock;
  std::string holder;
  const int rc = writer_lock_.take(path, &holder, error);
  if (rc == EBUSY && error)
    *error = "ledger " + options_.dir + " is already open for writing by " + holder + " (lock file " + path +
             "); a ledger has one writer at a time";
  return rc;
}

// A failed file check: damage (MDB_INVALID for meta pages LMDB would not
// take, MDB_CORRUPTED for the rest) or an error reading the file.
int Ledger::refuse(const FileCheck& check, std::string* error) {
  if (check.status == FileCheck::Status::Damaged) {
    damaged_ = true;
    if (error) *error = "ledger " + options_.dir + " is damaged: " + check.problem;
    return check.no_header ? MDB_INVALID : MDB_CORRUPTED;
  }
  if (error) *error = "cannot read ledger " + options_.dir + ": " + check.problem;
  return check.error != 0 ? check.error : EIO;
}

// Read-only opens: a read transaction pins a state (a writer cannot reuse its
// pages while it lives), then that state's pages are checked; the transaction
// is kept as snapshot(). A writer that commits twice between the pin and the
// check's reading of the meta pages makes the state unfindable: pin again.
int Ledger::pin_checked_state(std::string* error) {
  const std::string file = options_.dir + "/data.mdb";
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (const int rc = snapshot_.begin(env_, true); rc != 0) {
      damaged_ = lmdb::is_damage(rc);
      if (error) *error = "cannot begin a read transaction on " + options_.dir + ": " + lmdb::error_text(rc);
      return rc;
    }
    FileCheckOptions fo;
    fo.txnid = snapshot_.id();
    check_ = check_data_file(file, fo);
    if (check_.ok()) return 0;
    snapshot_.abort();
    if (check_.status != FileCheck::Status::Moved) return refuse(check_, error);
  }
  if (error) *error = "ledger " + options_.dir + " changes faster than a state of it can be pinned and checked";
  return EAGAIN;
}

int Ledger::open(const LedgerOptions& options, std::string* error) {
  close();
  options_ = options;
  damaged_ = false;
  check_ = FileCheck{};
  lmdb::Txn own;  // the writer's opening transaction
  // Every transaction ends before the environment closes; the writer lock goes last.
  const auto fail = [&](int rc) {
    own.abort();
    close();
    return rc;
  };
  if (!options.read_only) {
    if (::mkdir(options.dir.c_str(), 0750) != 0 && errno != EEXIST) {
      const int e = errno;
      if (error) *error = "cannot create " + options.dir + ": " + std::strerror(e);
      return e;
    }
    // Before anything is created, deleted or written (prepare_creation may
    // remove an unfinished creation's files).
    if (const int rc = lock_writer(error); rc != 0) return rc;
    if (const int rc = prepare_creation(options, error); rc != 0) return fail(rc);
  } else {
    // Before LMDB maps the file: its meta pages and its size (what mdb_env_open relies on).
    FileCheckOptions fo;
    fo.trees = false;
    check_ = check_data_file(options.dir + "/data.mdb", fo);
    if (!check_.ok()) return refuse(check_, error);
  }
  lmdb::Env::Options eo;
  eo.map_size = options.initial_map_size;
  eo.max_dbs = kTables + 2;
  // Read-only users (verification) read the journal and the tables in two
  // transactions at once on one thread: MDB_NOTLS allows that.
  eo.flags = options.env_flags | (options.read_only ? MDB_RDONLY | MDB_NOTLS : 0u);
  int rc = env_.open(options.dir, eo);
  if (rc != 0) {
    damaged_ = lmdb::is_damage(rc);
    if (error) *error = "cannot open ledger " + options.dir + ": " + lmdb::error_text(rc);
    return fail(rc);
  }
  stale_readers_ = env_.clear_stale_readers();
  if (options.read_only && (rc = pin_checked_state(error)) != 0) return fail(rc);
  // A map larger than we asked for (the file grew in an earlier run) is kept.
  lmdb::Txn& txn = options.read_only ? snapshot_ : own;
  if (!options.read_only && (rc = txn.begin(env_, false)) != 0) {
    damaged_ = lmdb::is_damage(rc);
    if (error) *error = "cannot begin the opening transaction: " + lmdb::error_text(rc);
    return fail(rc);
  }
  for (std::size_t i = 0; i < kTables; ++i) {
    if ((rc = dbis_[i].open(txn, table_name(static_cast<Table>(i)), !options.read_only)) != 0) {
      damaged_ = lmdb::is_damage(rc) || rc == MDB_NOTFOUND;  // read-only: a table of the ledger is missing
      if (error) *error = std::string("cannot open table ") + table_name(static_cast<Table>(i)) + " of " + options.dir +
                          ": " + lmdb::error_text(rc);
      return fail(rc);
    }
  }
  const lmdb::Dbi& meta = table(Table::Meta);
  std::string_view stored;
  rc = meta.get(txn, "format", stored);
  if (rc == MDB_NOTFOUND && !options.read_only && created_) {
    std::string v;
    put_u32(v, kLedgerFormat);
    rc = meta.put(txn, "format", v);
  } else if (rc == MDB_NOTFOUND) {
    // A complete ledger (creation marker present, or a read-only open) always has it.
    damaged_ = true;
    if (error) *error = "ledger " + options.dir + " is damaged: it has no format row (an empty or foreign data file)";
    return fail(MDB_CORRUPTED);
  } else if (rc == 0) {
    Reader r(stored);
    const std::uint32_t format = r.u32();
    if (r.bad() || !r.at_end() || format != kLedgerFormat) {
      damaged_ = true;
      if (error) *error = "ledger " + options.dir + " has format " + std::to_string(format) + ", this build reads " +
                          std::to_string(kLedgerFormat);
      return fail(EINVAL);
    }
  }
  if (rc == 0) rc = load_limits(txn, options.limits, options.read_only, error);
  if (rc == 0 && !options.read_only) rc = txn.commit();
  if (rc != 0) {
    if (error && error->empty()) *error = "cannot initialise ledger " + options.dir + ": " + lmdb::error_text(rc);
    damaged_ = damaged_ || lmdb::is_damage(rc);
    return fail(rc);
  }
  if (created_ && !options.read_only && (rc = write_marker(options.dir)) != 0) {
    if (error) *error = "cannot write the creation marker of " + options.dir + ": " + std::strerror(rc);
    return fail(rc);
  }
  return 0;
}

void Ledger::close() {
  snapshot_.abort();
  env_.close();
  writer_lock_.release();
}

namespace {

void encode_limits(const exchange::ExchangeLimits& l, std::string& out) {
  for (std::uint32_t v : {l.max_members, l.max_accounts, l.max_instruments, l.max_operators,
                          l.max_open_orders_per_book, l.max_ladder_levels})
    put_u32(out, v);
}

bool decode_limits(std::string_view bytes, exchange::ExchangeLimits& l) {
  Reader r(bytes);
  for (std::uint32_t* v : {&l.max_members, &l.max_accounts, &l.max_instruments, &l.max_operators,
                           &l.max_open_orders_per_book, &l.max_ladder_levels})
    *v = r.u32();
  return !r.bad() && r.at_end();
}

}  // namespace

int Ledger::load_limits(lmdb::Txn& txn, const exchange::ExchangeLimits& wanted, bool read_only, std::string* error) {
  const lmdb::Dbi& meta = table(Table::Meta);
  std::string_view stored;
  int rc = meta.get(txn, "limits", stored);
  if (rc == MDB_NOTFOUND && !read_only && created_) {
    limits_ = wanted;
    std::string v;
    encode_limits(wanted, v);
    return meta.put(txn, "limits", v);
  }
  if (rc != 0) {
    damaged_ = rc == MDB_NOTFOUND || lmdb::is_damage(rc);
    if (error) *error = "ledger " + options_.dir + " has no engine limits: " + lmdb::error_text(rc);
    return rc;
  }
  if (!decode_limits(stored, limits_)) {
    damaged_ = true;
    if (error) *error = "ledger " + options_.dir + ": unreadable engine limits";
    return EINVAL;
  }
  if (const std::string_view why = exchange::limits_problem(limits_); !why.empty()) {
    if (error) *error = "ledger " + options_.dir + ": engine limits out of range: " + std::string(why);
    return EINVAL;
  }
  return 0;
}

int Ledger::write_once(const Batch& batch) {
  const auto t0 = std::chrono::steady_clock::now();
  lmdb::Txn txn;
  int rc = txn.begin(env_, false);
  if (rc != 0) return rc;
  for (const Batch::Row& row : batch.rows()) {
    const unsigned flags = table_is_append_only(row.table) ? MDB_APPEND : 0u;
    rc = table(row.table).put(txn, batch.key(row), batch.value(row), flags);
    if (rc != 0) return rc;  // the Txn destructor aborts
  }
  const auto t1 = std::chrono::steady_clock::now();
  rc = txn.commit();
  last_commit_ns_ = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t1).count());
  last_put_ns_ = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
  return rc;
}

int Ledger::write(const Batch& batch) {
  for (;;) {
    const int rc = write_once(batch);
    if (rc != MDB_MAP_FULL) return rc;
    const std::size_t now = env_.map_size();
    if (now >= options_.max_map_size) return rc;
    std::unique_lock no_reader(remap_mu_);  // waits for a backup's read transaction to end
    const int grow = env_.set_map_size(std::min(now * 2, options_.max_map_size));
    if (grow != 0) return grow;
    ++map_grows_;
  }
}

int Ledger::backup(const std::string& to_dir, std::string* error) {
  if (::mkdir(to_dir.c_str(), 0750) != 0 && errno != EEXIST) {
    const int rc = errno;
    if (error) *error = "cannot create " + to_dir + ": " + std::strerror(rc);
    return rc;
  }
  int rc = 0;
  {
    std::shared_lock no_remap(remap_mu_);  // the sequencer's writer may not grow the map under the copy
    rc = mdb_env_copy2(env_.get(), to_dir.c_str(), MDB_CP_COMPACT);
  }
  if (rc != 0) {
    if (error) *error = "copy of " + options_.dir + " to " + to_dir + " failed: " + lmdb::error_text(rc);
    return rc;
  }
  // The copy is a complete ledger: it gets the creation marker too.
  if ((rc = write_marker(to_dir)) != 0) {
    if (error) *error = "cannot write the creation marker of " + to_dir + ": " + std::strerror(rc);
    return rc;
  }
  for (const auto& [path, is_dir] : {std::pair{to_dir + "/data.mdb", false}, std::pair{to_dir, true},
                                     std::pair{parent_of(to_dir), true}})
    if ((rc = sync_path(path, is_dir)) != 0) {
      if (error) *error = "fsync of " + path + " failed: " + std::strerror(rc);
      return rc;
    }
  // The copy is what a restore would open: check it as an open would.
  const FileCheck copy = check_data_file(to_dir + "/data.mdb");
  if (!copy.ok()) {
    if (error) *error = "the copy in " + to_dir + " does not pass the file check: " + copy.problem;
    return copy.status == FileCheck::Status::Damaged ? MDB_CORRUPTED : (copy.error != 0 ? copy.error : EIO);
  }
  return 0;
}

int Ledger::tail(JournalTail& out) {
  out = JournalTail{};
  lmdb::Txn own;
  int rc = snapshot_.active() ? 0 : own.begin(env_, true);
  if (rc != 0) return rc;
  lmdb::Txn& txn = snapshot_.active() ? snapshot_ : own;
  lmdb::Cursor cur;
  if ((rc = cur.open(txn, table(Table::Journal))) != 0) return rc;
  std::string_view key, value;
  rc = cur.move(MDB_LAST, key, value);
  if (rc == MDB_NOTFOUND) return 0;
  if (rc != 0) return rc;
  RecordView rec;
  if (read_record(value, rec) != RecordDefect::None) return EINVAL;
  out.seq = rec.header.seq;
  out.hash = rec.hash;
  out.time = rec.header.time;
  return 0;
}

namespace {

// Walks the checkpoint rows (newest first when `backwards`), calling
// `each(seq, checkpoint)` until it returns false.
template <class F>
int walk_checkpoints(Ledger& ledger, lmdb::Txn* snapshot, bool backwards, F&& each) {
  lmdb::Txn own;
  int rc = snapshot ? 0 : own.begin(ledger.env(), true);
  if (rc != 0) return rc;
  lmdb::Txn& txn = snapshot ? *snapshot : own;
  lmdb::Cursor cur;
  if ((rc = cur.open(txn, ledger.table(Table::Checkpoints))) != 0) return rc;
  std::string_view k, v;
  for (rc = cur.move(backwards ? MDB_LAST : MDB_FIRST, k, v); rc == 0;
       rc = cur.move(backwards ? MDB_PREV : MDB_NEXT, k, v)) {
    Checkpoint cp;
    if (k.size() != 8 || !decode_checkpoint(v, cp)) return MDB_CORRUPTED;
    if (!each(get_be(k, 0, 8), cp, txn)) return 0;
  }
  return rc == MDB_NOTFOUND ? 0 : rc;
}

}  // namespace

int Ledger::day_open_seqs(std::vector<exchange::Seq>& out) {
  out.clear();
  return walk_checkpoints(*this, snapshot(), false, [&](exchange::Seq seq, const Checkpoint& cp, lmdb::Txn&) {
    if (cp.reason == CheckpointReason::DayOpen) out.push_back(seq);
    return true;
  });
}

int Ledger::newest_day_open_snapshot(exchange::Seq& out) {
  out = 0;
  int found = 0;
  const int rc = walk_checkpoints(*this, snapshot(), true, [&](exchange::Seq seq, const Checkpoint& cp, lmdb::Txn& txn) {
    if (cp.reason != CheckpointReason::DayOpen) return true;
    std::string_view row;
    found = table(Table::Snapshots).get(txn, key_u64(seq), row);
    if (found == MDB_NOTFOUND) return true;  // snapshots were off then: an older day's may have one
    if (found == 0) out = seq;
    return false;
  });
  return rc != 0 ? rc : (found == MDB_NOTFOUND ? 0 : found);
}

}  // namespace erx::ledger
