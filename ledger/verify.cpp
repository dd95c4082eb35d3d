#include "ledger/verify.hpp"

#include <array>
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include "engine/exchange/exchange.hpp"
#include "ledger/bytes.hpp"
#include "ledger/ledger.hpp"
#include "ledger/replay.hpp"
#include "ledger/rows.hpp"

namespace erx::ledger {

using exchange::Seq;

std::string VerifyReport::summary() const {
  if (ok)
    return "verified up to seq " + std::to_string(verified_seq) + ", state hash " + [this] {
      char buf[17];
      std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(state_hash));
      return std::string(buf);
    }() + ", chain " + to_hex(chain) + " (" + std::to_string(records) + " records, " + std::to_string(checkpoints) +
           " checkpoints, " + std::to_string(snapshots) + " snapshots, " + std::to_string(rows) + " rows)";
  if (environment) return "cannot verify: " + problem;
  return "FAILED at seq " + std::to_string(first_bad_seq) + ": " + problem;
}

namespace {

Seq seq_of_row(std::string_view value) {
  Reader r(value);
  const Seq s = r.u64();
  return r.bad() ? 0 : s;
}

bool is_current_value(Table t) {
  return t == Table::Balances || t == Table::OrderState || t == Table::Instruments || t == Table::Members ||
         t == Table::Accounts || t == Table::Operators || t == Table::Fees;
}

// Compares rebuilt rows with the tables, remembering the earliest problem.
// Reads through the verification's one read transaction.
class RowChecker {
 public:
  RowChecker(Ledger& ledger, lmdb::Txn& txn) : ledger_(ledger), txn_(txn) {}

  // Rows of one replay batch.
  void check(const Batch& batch) {
    lmdb::Txn& txn = txn_;
    for (const Batch::Row& row : batch.rows()) {
      const std::string_view key = batch.key(row);
      const std::string_view value = batch.value(row);
      ++rows_;
      if (row.table == Table::OrderState && OrderStatus(static_cast<std::uint8_t>(value[8])) == OrderStatus::Open) {
        open_orders_[std::string(key)] = std::string(value);  // may change later: checked at the end
        continue;
      }
      if (row.table == Table::OrderState) open_orders_.erase(std::string(key));
      if (is_current_value(row.table) && row.table != Table::OrderState) {
        current_[static_cast<std::size_t>(row.table)][std::string(key)] = std::string(value);
        continue;
      }
      ++expected_entries_[static_cast<std::size_t>(row.table)];
      note_key(row.table, key);
      compare(txn, row.table, key, value);  // final: filled or cancelled orders, and append-only facts
    }
  }

  // After the replay: what is still current, and no extra rows anywhere.
  void finish() {
    lmdb::Txn& txn = txn_;
    for (const auto& [key, value] : open_orders_) {
      ++expected_entries_[static_cast<std::size_t>(Table::OrderState)];
      compare(txn, Table::OrderState, key, value);
    }
    for (std::size_t t = 0; t < kTables; ++t)
      for (const auto& [key, value] : current_[t]) {
        ++expected_entries_[t];
        compare(txn, static_cast<Table>(t), key, value);
      }
    for (Table t : {Table::Trades, Table::Transfers, Table::Balances, Table::Orders, Table::OrderState,
                    Table::Instruments, Table::Members, Table::Accounts, Table::Operators, Table::Fees,
                    Table::DailyStats})
      if (ledger_.table(t).entries(txn) != expected_entries_[static_cast<std::size_t>(t)])
        find_extra_row(txn, t);
  }

  [[nodiscard]] bool ok() const { return problem_.empty(); }
  [[nodiscard]] Seq bad_seq() const { return bad_seq_; }
  [[nodiscard]] const std::string& what() const { return problem_; }
  [[nodiscard]] std::uint64_t rows() const { return rows_; }

 private:
  void compare(lmdb::Txn& txn, Table t, std::string_view key, std::string_view expect) {
    std::string_view stored;
    const int rc = ledger_.table(t).get(txn, key, stored);
    if (rc == MDB_NOTFOUND) return problem(seq_of_row(expect), std::string(table_name(t)) + " row missing");
    if (rc != 0) return problem(seq_of_row(expect), std::string("cannot read ") + table_name(t));
    if (stored != expect) {
      const Seq a = seq_of_row(expect);
      const Seq b = seq_of_row(stored);
      problem(b != 0 && b < a ? b : a, std::string(table_name(t)) + " row differs from the replay");
    }
  }

  // Some row of `t` has no expectation: find the first one and name its seq.
  void find_extra_row(lmdb::Txn& txn, Table t) {
    lmdb::Cursor cur;
    if (cur.open(txn, ledger_.table(t)) != 0) return problem(0, "cannot read the ledger");
    std::string_view k, v;
    Seq earliest = 0;
    std::string which;
    for (int rc = cur.move(MDB_FIRST, k, v); rc == 0; rc = cur.move(MDB_NEXT, k, v)) {
      if (expected(t, k)) continue;
      const Seq s = std::max<Seq>(seq_of_row(v), 1);
      if (earliest == 0 || s < earliest) {
        earliest = s;
        which = to_hex(k);
      }
    }
    // None extra: the count differs because rows are missing, reported already.
    if (earliest != 0)
      problem(earliest, std::string(table_name(t)) + " has a row the journal does not produce (key " + which + ")");
  }

  // Trades, transfers and orders have ids 1, 2, 3... in the order they
  // happen (an order id is used up only when the book accepts the order), so
  // "every expected row present and the count right" is kept cheap: remember
  // the highest id. Daily statistics are few: remember their keys.
  void note_key(Table t, std::string_view key) {
    if (t == Table::DailyStats) {
      daily_keys_.emplace(key);
      return;
    }
    if (key.size() != 8) return;
    const std::size_t i = static_cast<std::size_t>(t == Table::OrderState ? Table::Orders : t);
    max_id_[i] = std::max<std::uint64_t>(max_id_[i], get_be(key, 0, 8));
  }

  // Whether replay produced this key; only asked when a table holds more rows
  // than replay produced, to name an extra one.
  bool expected(Table t, std::string_view k) {
    const std::size_t i = static_cast<std::size_t>(t);
    if (t == Table::OrderState && open_orders_.count(std::string(k))) return true;
    if (current_[i].count(std::string(k))) return true;
    if (t == Table::DailyStats) return daily_keys_.count(std::string(k)) != 0;
    const std::size_t ids = static_cast<std::size_t>(t == Table::OrderState ? Table::Orders : t);
    if (k.size() != 8) return false;
    const std::uint64_t id = get_be(k, 0, 8);
    return id >= 1 && id <= max_id_[ids];
  }

  // Keeps the earliest problem; seq 0 (the ledger could not be read) beats all.
  void problem(Seq seq, std::string what) {
    if (problem_.empty() || seq < bad_seq_) {
      bad_seq_ = seq;
      problem_ = std::move(what);
    }
  }

  Ledger& ledger_;
  lmdb::Txn& txn_;
  std::map<std::string, std::string> open_orders_;
  std::array<std::map<std::string, std::string>, kTables> current_;
  std::array<std::uint64_t, kTables> max_id_{};
  std::set<std::string> daily_keys_;
  std::array<std::uint64_t, kTables> expected_entries_{};
  std::uint64_t rows_ = 0;
  Seq bad_seq_ = 0;
  std::string problem_;
};

// Each snapshot row must be exactly what the replayed Exchange saves at its
// seq (the layout is canonical), with a checkpoint at the same seq; a row
// beyond the journal's end is an extra row.
class SnapshotChecker {
 public:
  SnapshotChecker(Ledger& ledger, lmdb::Txn& txn) : ledger_(ledger), txn_(txn) { list_seqs(); }

  // After the command `seq` was replayed into `ex`.
  void after(Seq seq, const exchange::Exchange& ex) {
    if (next_ >= seqs_.size() || seqs_[next_] != seq) return;
    ++next_;
    lmdb::Txn& txn = txn_;
    std::string_view stored, cp;
    if (ledger_.table(Table::Snapshots).get(txn, key_u64(seq), stored) != 0)
      return problem(seq, "cannot read the snapshot row");
    if (ledger_.table(Table::Checkpoints).get(txn, key_u64(seq), cp) != 0)
      return problem(seq, "snapshot without a checkpoint at its seq");
    ex.save_snapshot(bytes_);
    if (stored != bytes_) return problem(seq, "snapshot row differs from the replayed state");
    ++checked_;
  }

  // After the replay, which reached `last`.
  void finish(Seq last) {
    if (next_ < seqs_.size() && seqs_[next_] > last)
      problem(seqs_[next_], "snapshot at seq " + std::to_string(seqs_[next_]) + " is beyond the end of the journal");
  }

  [[nodiscard]] bool ok() const { return problem_.empty(); }
  [[nodiscard]] Seq bad_seq() const { return bad_seq_; }
  [[nodiscard]] const std::string& what() const { return problem_; }
  [[nodiscard]] std::uint64_t checked() const { return checked_; }

 private:
  void list_seqs() {
    lmdb::Cursor cur;
    std::string_view k, v;
    int rc = cur.open(txn_, ledger_.table(Table::Snapshots));
    if (rc == 0) rc = cur.move(MDB_FIRST, k, v);
    for (; rc == 0; rc = cur.move(MDB_NEXT, k, v)) {
      if (k.size() != 8 || get_be(k, 0, 8) == 0) return problem(0, "snapshots key is not a seq");
      seqs_.push_back(get_be(k, 0, 8));
    }
    if (rc != MDB_NOTFOUND) problem(0, "cannot read snapshots: " + lmdb::error_text(rc));
  }

  void problem(Seq seq, std::string what) {
    if (problem_.empty() || seq < bad_seq_) {
      bad_seq_ = seq;
      problem_ = std::move(what);
    }
  }

  Ledger& ledger_;
  lmdb::Txn& txn_;
  std::vector<Seq> seqs_;  // in key order
  std::size_t next_ = 0;
  std::string bytes_;
  std::uint64_t checked_ = 0;
  Seq bad_seq_ = 0;
  std::string problem_;
};

}  // namespace

VerifyReport verify_ledger(const std::string& dir) {
  VerifyReport report;
  Ledger ledger;
  LedgerOptions options;
  options.dir = dir;
  options.read_only = true;
  std::string error;
  if (ledger.open(options, &error) != 0) {
    report.first_bad_seq = 0;
    report.problem = error;
    report.environment = !ledger.damaged();
    return report;
  }
  // One read transaction for everything verification reads: the replay, the
  // rows, the snapshots and the final scans all see one state, however the
  // sequencer commits meanwhile; the journal's end in it is what is verified.
  // It is the read-only ledger's snapshot: the state whose pages the file
  // check walked at open.
  lmdb::Txn& txn = *ledger.snapshot();
  RowBuilder rows;
  Batch batch;
  rows.attach(batch);
  exchange::Exchange ex(rows, ledger.limits());
  RowChecker checker(ledger, txn);
  SnapshotChecker snapshots(ledger, txn);
  constexpr Seq kRowsEvery = 4096;
  ReplayOptions ro;
  ro.txn = &txn;
  ro.after_command = [&](Seq seq) {
    snapshots.after(seq, ex);
    if (seq % kRowsEvery != 0) return;
    rows.finish(ex);
    checker.check(batch);
    batch.clear();
  };
  const ReplayResult r = replay_journal(ledger, ex, ro);
  rows.finish(ex);
  checker.check(batch);
  // Current values (balances, open orders, reference data) can only be judged
  // against the state at the journal's end; when the journal itself is broken
  // the facts checked so far are all that can be said.
  if (r.ok) checker.finish();
  if (r.ok) snapshots.finish(r.last_seq);

  report.records = r.records;
  report.checkpoints = r.checkpoints;
  report.rows = checker.rows();
  report.snapshots = snapshots.checked();
  report.verified_seq = r.ok ? r.last_seq : r.bad_seq - 1;  // refined below if a row is wrong earlier
  report.chain = r.last_hash;
  report.state_hash = ex.state_hash();
  report.ok = r.ok && checker.ok();
  if (!r.ok) {
    report.first_bad_seq = r.bad_seq;
    report.problem = r.problem;
    report.environment = r.read_error != 0 && !lmdb::is_damage(r.read_error);
  }
  if (!checker.ok() && (r.ok || checker.bad_seq() < report.first_bad_seq)) {
    report.first_bad_seq = checker.bad_seq();
    report.problem = checker.what();
    report.environment = false;
  }
  if (!snapshots.ok() && (report.ok || snapshots.bad_seq() < report.first_bad_seq)) {
    report.first_bad_seq = snapshots.bad_seq();
    report.problem = snapshots.what();
    report.environment = false;
  }
  report.ok = report.ok && snapshots.ok();
  if (!report.ok && report.first_bad_seq > 0) report.verified_seq = std::min(report.verified_seq, report.first_bad_seq - 1);
  return report;
}

}  // namespace erx::ledger
