#pragma once
// A thin RAII layer over the LMDB C API: an environment, transactions,
// named databases and cursors. Errors come back as LMDB return codes
// (0 = MDB_SUCCESS), never as exceptions: the ledger decides what each one
// means (MDB_MAP_FULL: grow and retry; anything else on commit: fail-stop).
//
// Facts this relies on: docs/LEDGER.md, "LMDB 0.9.24: what the ledger relies on":
// default durable sync only; no DUPSORT; MDB_APPEND for increasing keys.

#include <lmdb.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace erx::ledger::lmdb {

inline MDB_val val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
inline std::string_view view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }
[[nodiscard]] std::string error_text(int rc);
// LMDB codes that say a file's content is wrong (damage), as opposed to the
// environment failing (errno values, full reader table, ...).
[[nodiscard]] bool is_damage(int rc) noexcept;

class Env {
 public:
  struct Options {
    std::size_t map_size = std::size_t{64} << 20;  // grows on MDB_MAP_FULL
    unsigned max_dbs = 16;
    unsigned max_readers = 126;
    unsigned flags = 0;  // MDB_NOSYNC etc. exist only for negative-control tests
  };
  Env() = default;
  ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  // Opens (creating the directory's files if needed). Returns an LMDB code.
  int open(const std::string& dir, const Options& options);
  void close();
  [[nodiscard]] MDB_env* get() const noexcept { return env_; }
  [[nodiscard]] std::size_t map_size() const;
  // Only with no transaction active in this process.
  int set_map_size(std::size_t bytes);
  // Clears reader slots left by dead processes; returns how many.
  int clear_stale_readers();

 private:
  MDB_env* env_ = nullptr;
};

class Txn {
 public:
  Txn() = default;
  ~Txn() { abort(); }
  Txn(Txn&& o) noexcept : txn_(o.txn_) { o.txn_ = nullptr; }
  Txn& operator=(Txn&& o) noexcept;
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  int begin(Env& env, bool read_only);
  // LMDB's transaction id (the state a read transaction sees).
  [[nodiscard]] std::uint64_t id() const noexcept;
  // After commit (whatever it returned) the transaction is gone.
  int commit();
  void abort() noexcept;
  [[nodiscard]] MDB_txn* get() const noexcept { return txn_; }
  [[nodiscard]] bool active() const noexcept { return txn_ != nullptr; }

 private:
  MDB_txn* txn_ = nullptr;
};

// A named database handle; valid for the environment's lifetime once the
// transaction that opened it committed.
struct Dbi {
  MDB_dbi dbi = 0;
  int open(Txn& txn, const char* name, bool create);
  int put(Txn& txn, std::string_view key, std::string_view value, unsigned flags = 0) const;
  // MDB_NOTFOUND when absent; `out` points into the map (valid until the txn ends).
  int get(Txn& txn, std::string_view key, std::string_view& out) const;
  int del(Txn& txn, std::string_view key) const;
  [[nodiscard]] std::size_t entries(Txn& txn) const;
};

class Cursor {
 public:
  Cursor() = default;
  ~Cursor();
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  int open(Txn& txn, const Dbi& dbi);
  // Positions: MDB_FIRST, MDB_LAST, MDB_NEXT, MDB_PREV; or MDB_SET_RANGE with a key.
  int move(MDB_cursor_op op, std::string_view& key, std::string_view& value);
  int seek(std::string_view at_least, std::string_view& key, std::string_view& value);

 private:
  MDB_cursor* cur_ = nullptr;
};

}  // namespace erx::ledger::lmdb
