#include "ledger/replay.hpp"

#include "engine/exchange/command_codec.hpp"
#include "ledger/bytes.hpp"
#include "ledger/checkpoint.hpp"
#include "ledger/journal_record.hpp"
#include "ledger/rows.hpp"

namespace erx::ledger {

using exchange::Seq;

namespace {

// Walks the checkpoint rows alongside the journal.
class CheckpointWalk {
 public:
  int open(lmdb::Txn& txn, const lmdb::Dbi& dbi, Seq after) {
    int rc = cur_.open(txn, dbi);
    if (rc != 0) return rc;
    std::string_view k, v;
    rc = cur_.seek(key_u64(after + 1), k, v);
    return load(rc, k, v);
  }
  [[nodiscard]] Seq next_seq() const { return next_; }  // 0: none left
  [[nodiscard]] const Checkpoint& next() const { return cp_; }
  [[nodiscard]] bool bad() const { return bad_; }
  int advance() {
    std::string_view k, v;
    return load(cur_.move(MDB_NEXT, k, v), k, v);
  }

 private:
  int load(int rc, std::string_view k, std::string_view v) {
    next_ = 0;
    if (rc == MDB_NOTFOUND) return 0;
    if (rc != 0) return rc;
    if (k.size() != 8 || !decode_checkpoint(v, cp_)) {
      bad_ = true;
      next_ = k.size() == 8 ? get_be(k, 0, 8) : 0;
      return 0;
    }
    next_ = get_be(k, 0, 8);
    return 0;
  }
  lmdb::Cursor cur_;
  Seq next_ = 0;
  Checkpoint cp_;
  bool bad_ = false;
};

}  // namespace

ReplayResult replay_journal(Ledger& ledger, exchange::Exchange& ex, const ReplayOptions& options, Seq start_seq,
                            const Hash& start_hash) {
  ReplayResult res;
  res.last_seq = start_seq;
  res.last_hash = start_hash;
  res.last_time = ex.now();
  auto fail = [&res](Seq seq, std::string what, int read_error = 0) {
    res.ok = false;
    res.bad_seq = seq;
    res.problem = std::move(what);
    res.read_error = read_error;
    return res;
  };

  lmdb::Txn own;
  lmdb::Txn* use = options.txn ? options.txn : ledger.snapshot();
  int rc = use ? 0 : own.begin(ledger.env(), true);
  if (rc != 0) return fail(start_seq + 1, "cannot read the ledger: " + lmdb::error_text(rc), rc);
  lmdb::Txn& txn = use ? *use : own;
  lmdb::Cursor journal;
  CheckpointWalk checkpoints;
  if ((rc = journal.open(txn, ledger.table(Table::Journal))) != 0 ||
      (rc = checkpoints.open(txn, ledger.table(Table::Checkpoints), start_seq)) != 0)
    return fail(start_seq + 1, "cannot read the ledger: " + lmdb::error_text(rc), rc);

  exchange::Command cmd;
  std::string_view key, value;
  rc = journal.seek(key_u64(start_seq + 1), key, value);
  for (; rc == 0; rc = journal.move(MDB_NEXT, key, value)) {
    const Seq expect = res.last_seq + 1;
    if (options.until != 0 && expect > options.until) break;
    if (key.size() != 8) return fail(expect, "journal key is not 8 bytes");
    const Seq key_seq = get_be(key, 0, 8);
    if (key_seq != expect) return fail(expect, "journal record " + std::to_string(expect) + " is missing");
    RecordView rec;
    const RecordDefect d = read_record(value, rec);
    if (d != RecordDefect::None) return fail(expect, to_string(d));
    if (rec.header.seq != expect) return fail(expect, "record seq differs from its key");
    if (rec.prev != res.last_hash) return fail(expect, "chain link broken: previous hash differs");
    if (rec.header.time < res.last_time) return fail(expect, "time goes backwards");
    // The engine that wrote a record defines what its body means; this build
    // replays only its own (docs/LEDGER.md "Journal record").
    if (rec.header.engine_version != kEngineVersion)
      return fail(expect, "written by engine version " + std::to_string(rec.header.engine_version) +
                              ", this build replays version " + std::to_string(kEngineVersion));
    std::string error;
    if (!exchange::decode_body(rec.body, cmd.body, &error)) return fail(expect, "command body: " + error);
    cmd.seq = expect;
    cmd.time = rec.header.time;
    ex.apply(cmd);
    if (ex.last_seq() != expect) return fail(expect, "the engine refused the record's seq or time");
    if (options.after_apply) options.after_apply(cmd);
    res.last_seq = expect;
    res.last_hash = rec.hash;
    res.last_time = rec.header.time;
    ++res.records;
    if (options.after_command) options.after_command(expect);

    if (checkpoints.bad()) return fail(checkpoints.next_seq(), "checkpoint row unreadable");
    if (checkpoints.next_seq() != 0 && checkpoints.next_seq() < expect)
      return fail(checkpoints.next_seq(), "checkpoint for a seq the journal skipped");
    if (checkpoints.next_seq() == expect) {
      if (checkpoints.next().chain != res.last_hash) return fail(expect, "checkpoint chain hash differs");
      if (checkpoints.next().state_hash != ex.state_hash())
        return fail(expect, "state hash after replay differs from the checkpoint");
      ++res.checkpoints;
      if ((rc = checkpoints.advance()) != 0) return fail(expect, "cannot read checkpoints: " + lmdb::error_text(rc), rc);
    }
  }
  if (rc != 0 && rc != MDB_NOTFOUND)
    return fail(res.last_seq + 1, "cannot read the journal: " + lmdb::error_text(rc), rc);
  // A checkpoint beyond the journal's end means records were removed.
  if (options.until == 0 && checkpoints.next_seq() != 0)
    return fail(res.last_seq + 1, "checkpoint at seq " + std::to_string(checkpoints.next_seq()) +
                                      " is beyond the end of the journal");
  return res;
}

}  // namespace erx::ledger
