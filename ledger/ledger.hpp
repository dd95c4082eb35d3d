#pragma once
// The ledger: one LMDB environment holding the journal and the derived tables
// (batch.hpp). write() puts a whole batch in one write transaction and
// commits with LMDB's default durable sync: when it returns 0 the batch is on
// disk, and only then may anyone be told about it.

#include <array>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "engine/exchange/exchange.hpp"
#include "ledger/batch.hpp"
#include "ledger/file_check.hpp"
#include "ledger/lmdb.hpp"
#include "ledger/sha256.hpp"
#include "ledger/writer_lock.hpp"

namespace erx::ledger {

inline constexpr std::uint32_t kLedgerFormat = 1;
// A file in the ledger directory, written (and synced) once the new ledger's
// first commit is durable; see Ledger::prepare_creation.
inline constexpr const char* kCreationMarker = "ERX-LEDGER";
// The writer lock: a file in the ledger directory that the one writer holds an
// exclusive flock on, from before it creates, deletes or writes anything until
// close() (the kernel releases it when the process dies); it holds the
// holder's pid as text. Readers take no lock.
inline constexpr const char* kWriterLock = "ERX-WRITER.lock";

struct LedgerOptions {
  std::string dir;                                     // the environment's directory (created if missing)
  std::size_t initial_map_size = std::size_t{64} << 20;
  std::size_t max_map_size = std::size_t{1} << 40;     // growth stops here: MDB_MAP_FULL is then an error
  unsigned env_flags = 0;  // only negative-control tests pass MDB_NOSYNC; never in production
  // Readers (verification, backup): nothing is created or written, and every
  // read sees the one state the file check walked (snapshot()).
  bool read_only = false;
  // The engine's limits change what it accepts, so they belong to the ledger:
  // written at creation, and from then on the stored ones are used.
  exchange::ExchangeLimits limits;
};

// The end of the journal: where the next record continues the chain.
struct JournalTail {
  exchange::Seq seq = 0;  // 0: empty journal
  Hash hash{};            // zeros when empty
  exchange::Timestamp time = 0;
};

class Ledger {
 public:
  Ledger() = default;
  ~Ledger() { close(); }
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Opens or creates the ledger. A writer first takes the writer lock
  // (kWriterLock): a second writer — another erxd, `erx journal` — gets EBUSY
  // and an error naming the holder's pid and the lock file. Then it checks
  // the data file's structure before
  // LMDB touches it (file_check.hpp), clears stale reader slots, creates
  // missing tables, checks (or writes) the format. Returns 0 or an LMDB /
  // errno code with *error describing it; damaged() then says whether the
  // files are damaged (MDB_INVALID, MDB_CORRUPTED, ENOENT for a data file
  // lost under the creation marker...) rather than unreadable (EIO, EACCES...).
  //
  // A read-only open checks the meta pages, opens LMDB, pins a state with a
  // read transaction (its pages cannot be reused while it lives, so a live
  // writer may go on), checks that state's every page, and keeps the
  // transaction: snapshot().
  int open(const LedgerOptions& options, std::string* error);
  void close();
  // The last open() failed because the ledger's files are damaged (not I/O).
  [[nodiscard]] bool damaged() const noexcept { return damaged_; }
  // What the file check at open found (the state it walked).
  [[nodiscard]] const FileCheck& file_check() const noexcept { return check_; }
  // Read-only opens: the read transaction of the state checked at open, held
  // until close(); replay_journal() and tail() read through it. nullptr for
  // a writer.
  [[nodiscard]] lmdb::Txn* snapshot() noexcept { return snapshot_.active() ? &snapshot_ : nullptr; }

  // One write transaction for the whole batch, then a durable commit.
  // MDB_MAP_FULL aborts, grows the map (doubling) and retries — after any
  // backup() running on another thread has finished: LMDB replaces the map,
  // so no transaction of this process may be open then. Any other failure
  // returns its code: the caller must stop (fail-stop), because the
  // in-memory state is now ahead of the disk.
  int write(const Batch& batch);
  // Time spent in the last write(): puts, and the commit (page writes + sync).
  [[nodiscard]] std::uint64_t last_put_ns() const noexcept { return last_put_ns_; }
  [[nodiscard]] std::uint64_t last_commit_ns() const noexcept { return last_commit_ns_; }

  // A consistent, compacted copy of the ledger as of one read transaction
  // (safe while the sequencer writes; a read-only open is enough, so it works
  // while erxd holds the ledger), made durable: the copy's file and its
  // directory are fsynced (LMDB does not), then the copy's file is checked
  // (check_data_file). `to_dir` must not exist yet or be empty. The copy is a
  // complete ledger: verify_ledger() and the erx tools read it.
  int backup(const std::string& to_dir, std::string* error);

  // The last journal record (reads the disk).
  int tail(JournalTail& out);

  // The business days' opens: the seqs of the checkpoints written right after
  // an accepted open-day (CheckpointReason::DayOpen), in order; and the newest
  // of them that has its snapshot row (0: none) — where a replay of the
  // current day (the gateway's, after a restart) can start. An unreadable
  // checkpoint row is MDB_CORRUPTED.
  int day_open_seqs(std::vector<exchange::Seq>& out);
  int newest_day_open_snapshot(exchange::Seq& out);

  [[nodiscard]] lmdb::Env& env() noexcept { return env_; }
  [[nodiscard]] const lmdb::Dbi& table(Table t) const noexcept { return dbis_[static_cast<std::size_t>(t)]; }
  [[nodiscard]] const std::string& dir() const noexcept { return options_.dir; }
  [[nodiscard]] int map_grows() const noexcept { return map_grows_; }
  // Reader slots of dead processes cleared when the ledger was opened.
  [[nodiscard]] int stale_readers_cleared() const noexcept { return stale_readers_; }
  // The limits the ledger was created with (every replay must use them).
  [[nodiscard]] const exchange::ExchangeLimits& limits() const noexcept { return limits_; }

 private:
  int write_once(const Batch& batch);
  int prepare_creation(const LedgerOptions& options, std::string* error);
  int refuse(const FileCheck& check, std::string* error);
  int lock_writer(std::string* error);
  int pin_checked_state(std::string* error);
  int load_limits(lmdb::Txn& txn, const exchange::ExchangeLimits& wanted, bool read_only, std::string* error);

  LedgerOptions options_;
  lmdb::Env env_;
  std::array<lmdb::Dbi, kTables> dbis_{};
  int map_grows_ = 0;
  std::uint64_t last_put_ns_ = 0, last_commit_ns_ = 0;
  int stale_readers_ = 0;
  bool created_ = false;  // no creation marker at open: written after the first commit
  bool damaged_ = false;
  FileCheck check_;
  lmdb::Txn snapshot_;
  WriterLock writer_lock_;  // held while open for writing
  // backup() holds it shared for its read transaction, a map growth
  // exclusively: mdb_env_set_mapsize under a live read transaction of this
  // process unmaps the pages that transaction is reading (SIGSEGV / SIGBUS).
  std::shared_mutex remap_mu_;
  exchange::ExchangeLimits limits_;
};

}  // namespace erx::ledger
