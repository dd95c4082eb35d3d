#include "ledger/durable_exchange.hpp"

#include <spdlog/spdlog.h>

#include <limits>
#include <vector>

#include "ledger/bytes.hpp"
#include "ledger/checkpoint.hpp"
#include "ledger/journal_record.hpp"

namespace erx::ledger {

using exchange::Seq;

DurableExchange::~DurableExchange() { stop(); }

bool DurableExchange::open(const DurableOptions& options, std::string* error) {
  damaged_ = false;
  if (ledger_.open(options.ledger, error) != 0) {
    damaged_ = ledger_.damaged();
    return false;
  }
  // Replay with rows off (no batch attached); the Collector downstream is the
  // sequencer's, created after recovery — during replay events go nowhere.
  rows_ = std::make_unique<RowBuilder>(nullptr);
  recovery_ = recover(options.observer);
  if (!recovery_.ok) {
    damaged_ = recovery_.read_error == 0 || lmdb::is_damage(recovery_.read_error);
    if (error)
      *error = "ledger " + options.ledger.dir + " does not verify at seq " + std::to_string(recovery_.bad_seq) + ": " +
               recovery_.problem;
    return false;
  }
  if (std::string why; !check_table_ends(&why)) {
    damaged_ = true;
    if (error) *error = "ledger " + options.ledger.dir + " is damaged: " + why;
    return false;
  }
  exchange_->reserve_orders(options.reserved_orders);
  JournalTail tail{recovery_.last_seq, recovery_.last_hash, recovery_.last_time};
  sequencer_ = std::make_unique<Sequencer>(ledger_, *exchange_, *rows_, clock_, tail, options.sequencer);
  rows_->set_downstream(&sequencer_->collector());
  spdlog::info("ledger {}: recovered from {} + {} records, {} checkpoints verified, tail seq {}", options.ledger.dir,
               recovery_.snapshot_seq == 0 ? std::string("seq 0")
                                           : "the snapshot at seq " + std::to_string(recovery_.snapshot_seq),
               recovery_.records, recovery_.checkpoints, recovery_.last_seq);
  return true;
}

void DurableExchange::fresh_exchange() { exchange_ = std::make_unique<exchange::Exchange>(*rows_, ledger_.limits()); }

namespace {

// The seqs of the snapshot rows, newest first.
std::vector<Seq> snapshot_seqs(Ledger& ledger, std::string* why) {
  std::vector<Seq> seqs;
  lmdb::Txn txn;
  lmdb::Cursor cur;
  int rc = txn.begin(ledger.env(), true);
  if (rc == 0) rc = cur.open(txn, ledger.table(Table::Snapshots));
  std::string_view k, v;
  if (rc == 0) rc = cur.move(MDB_LAST, k, v);
  for (; rc == 0; rc = cur.move(MDB_PREV, k, v))
    if (k.size() == 8) seqs.push_back(get_be(k, 0, 8));
  if (rc != MDB_NOTFOUND) *why = lmdb::error_text(rc);
  return seqs;
}

// The seq of the newest snapshot written at a day's open: the newest start
// from which a replay still sees the whole business day (0: none, or the
// checkpoints cannot be read: replay from seq 1).
Seq day_open_snapshot(Ledger& ledger) {
  Seq seq = 0;
  if (const int rc = ledger.newest_day_open_snapshot(seq); rc != 0) {
    spdlog::warn("ledger {}: cannot find the day's open snapshot ({}): the replay starts at seq 1", ledger.dir(),
                 lmdb::error_text(rc));
    return 0;
  }
  return seq;
}

// Collects one command's events for the recovery observer.
class EventsOfCommand final : public exchange::ExchangeSink {
 public:
  void on_event(Seq, const exchange::Event& e) override { events.push_back(e); }
  std::vector<exchange::Event> events;
};

}  // namespace

// The newest snapshot that loads and equals its checkpoint, then the journal
// after it; a snapshot refused (logged) gives way to an older one, and a
// replay that fails after a snapshot to a full replay, which then decides.
// With an observer, no snapshot after the business day's open is used, and
// the observer is told where the replay starts (again, if it falls back).
ReplayResult DurableExchange::recover(RecoveryObserver* observer) {
  std::string why;
  const std::vector<Seq> seqs = snapshot_seqs(ledger_, &why);
  if (!why.empty()) spdlog::warn("ledger {}: cannot list snapshots ({}): full replay", ledger_.dir(), why);
  const Seq latest_start = observer != nullptr ? day_open_snapshot(ledger_) : std::numeric_limits<Seq>::max();
  EventsOfCommand collected;
  ReplayOptions options;
  if (observer != nullptr) {
    rows_->set_downstream(&collected);
    options.after_apply = [&](const exchange::Command& cmd) {
      observer->on_replayed(cmd, collected.events);
      collected.events.clear();
    };
  }
  const auto start = [&] {
    collected.events.clear();
    if (observer != nullptr) observer->on_recovery_start(*exchange_);
  };
  std::uint32_t refused = 0;
  ReplayResult r;
  bool done = false;
  for (Seq seq : seqs) {
    if (seq > latest_start) continue;
    Hash chain{};
    why.clear();
    fresh_exchange();
    if (load_snapshot_at(seq, chain, &why)) {
      start();
      r = replay_journal(ledger_, *exchange_, options, seq, chain);
      if (r.ok) {
        r.snapshot_seq = seq;
        done = true;
        break;
      }
      spdlog::warn("ledger {}: replay after the snapshot at seq {} failed at seq {} ({}): full replay",
                   ledger_.dir(), seq, r.bad_seq, r.problem);
      ++refused;
      break;
    }
    spdlog::warn("ledger {}: snapshot at seq {} not used: {}", ledger_.dir(), seq, why);
    ++refused;
  }
  if (!done) {
    fresh_exchange();
    start();
    r = replay_journal(ledger_, *exchange_, options);
  }
  rows_->set_downstream(nullptr);
  r.snapshots_refused = refused;
  return r;
}

// Loads the snapshot at `seq` into the (fresh) Exchange if it is whole, its
// seq's journal record is intact and has the checkpoint's chain hash, and the
// loaded state has the checkpoint's state hash. `chain` is then where the
// replay of the tail continues the chain.
bool DurableExchange::load_snapshot_at(Seq seq, Hash& chain, std::string* why) {
  auto no = [why](const char* what) {
    *why = what;
    return false;
  };
  lmdb::Txn txn;
  int rc = txn.begin(ledger_.env(), true);
  std::string_view snap, cp_bytes, record;
  if (rc == 0) rc = ledger_.table(Table::Snapshots).get(txn, key_u64(seq), snap);
  if (rc == 0) rc = ledger_.table(Table::Checkpoints).get(txn, key_u64(seq), cp_bytes);
  if (rc == 0) rc = ledger_.table(Table::Journal).get(txn, key_u64(seq), record);
  if (rc != 0) {
    *why = "its checkpoint or journal record cannot be read: " + lmdb::error_text(rc);
    return false;
  }
  Checkpoint cp;
  RecordView rec;
  if (!decode_checkpoint(cp_bytes, cp)) return no("its checkpoint is unreadable");
  if (read_record(record, rec) != RecordDefect::None || rec.header.seq != seq || rec.hash != cp.chain)
    return no("its journal record does not match the checkpoint's chain hash");
  if (!exchange_->load_snapshot(snap, why)) return false;
  if (exchange_->last_seq() != seq) return no("it holds the state of another seq");
  if (exchange_->state_hash() != cp.state_hash) return no("its state hash differs from the checkpoint's");
  chain = cp.chain;
  return true;
}

// The append-only tables the sequencer extends with MDB_APPEND must end where
// the recovered state says: trades, transfers and orders at the ids before
// the next ones, snapshots not beyond the journal. A damaged last key would
// otherwise pass recovery (which reads the journal, checkpoints and
// snapshots, not the derived rows) and fail the first commit that appends
// there (MDB_KEYEXIST). Checkpoints beyond the journal are refused by the
// replay already.
bool DurableExchange::check_table_ends(std::string* why) {
  lmdb::Txn txn;
  int rc = txn.begin(ledger_.env(), true);
  if (rc != 0) {
    *why = "cannot read it: " + lmdb::error_text(rc);
    return false;
  }
  const exchange::Exchange& ex = *exchange_;
  const std::pair<Table, std::uint64_t> ends[] = {{Table::Trades, ex.next_trade_id() - 1},
                                                  {Table::Transfers, ex.next_transfer_id() - 1},
                                                  {Table::Orders, ex.next_order_id() - 1},
                                                  {Table::Snapshots, recovery_.last_seq}};
  for (const auto& [table, end] : ends) {
    lmdb::Cursor cur;
    std::string_view k, v;
    rc = cur.open(txn, ledger_.table(table));
    if (rc == 0) rc = cur.move(MDB_LAST, k, v);
    if (rc == MDB_NOTFOUND && (table == Table::Snapshots || end == 0)) continue;
    const std::uint64_t last = rc == 0 && k.size() == 8 ? get_be(k, 0, 8) : 0;
    const bool good = table == Table::Snapshots ? last != 0 && last <= end : last == end;
    if (rc != 0 && rc != MDB_NOTFOUND) {
      *why = std::string("cannot read table ") + table_name(table) + ": " + lmdb::error_text(rc);
      return false;
    }
    if (!good) {
      *why = std::string("table '") + table_name(table) + "' ends at key " +
             (rc == 0 ? to_hex(k) : std::string("(none)")) + (table == Table::Snapshots
                 ? ", beyond the journal's end at seq " + std::to_string(end)
                 : ", but the journal's replay has produced up to id " + std::to_string(end));
      return false;
    }
  }
  return true;
}

void DurableExchange::stop() {
  if (sequencer_) sequencer_->stop();
}

}  // namespace erx::ledger
