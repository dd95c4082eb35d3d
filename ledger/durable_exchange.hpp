#pragma once
// DurableExchange: the Exchange, its ledger and its sequencer wired together.
//
// open() opens (or creates) the ledger, rebuilds the Exchange — from the
// newest snapshot that loads and matches its checkpoint, then the journal
// after it; or by replaying the whole journal — checking the hash chain and
// every checkpoint on the way, and leaves the sequencer ready at the
// journal's tail. This is what erxd and the
// crash tests run; tools that only read a ledger use replay_journal().

#include <memory>
#include <span>
#include <string>

#include "engine/exchange/exchange.hpp"
#include "ledger/ledger.hpp"
#include "ledger/replay.hpp"
#include "ledger/rows.hpp"
#include "ledger/sequencer.hpp"

namespace erx::ledger {

// Sees what recovery rebuilds: the state it starts from and every command
// replayed after it, with its events — erxd's gateway rebuilds from them its
// views and the reports of the business day that were never sent
// (docs/FIX.md section 2, "Sequence numbers and recovery").
class RecoveryObserver {
 public:
  virtual ~RecoveryObserver() = default;
  // The state recovery starts from: a snapshot's, or the empty exchange.
  virtual void on_recovery_start(const exchange::Exchange& state) = 0;
  // Each command replayed after it, with its events (valid during the call).
  virtual void on_replayed(const exchange::Command& cmd, std::span<const exchange::Event> events) = 0;
};

struct DurableOptions {
  LedgerOptions ledger;  // its limits apply only when the ledger is created
  SequencerOptions sequencer;
  std::uint32_t reserved_orders = 0;  // Exchange::reserve_orders() after recovery (0: none)
  // With an observer, recovery starts no later than the current business
  // day's open (its snapshot; else an older one, or seq 1), so the observer
  // sees every command of the day.
  RecoveryObserver* observer = nullptr;
};

class DurableExchange {
 public:
  explicit DurableExchange(Clock& clock) : clock_(clock) {}
  ~DurableExchange();
  DurableExchange(const DurableExchange&) = delete;
  DurableExchange& operator=(const DurableExchange&) = delete;

  // Opens and recovers. False (with *error) when the ledger cannot be opened
  // or does not verify; nothing is started then, and damaged() says whether
  // the ledger is damaged (its files, or a record or checkpoint that does not
  // verify) rather than unreadable or held by another writer.
  bool open(const DurableOptions& options, std::string* error);
  [[nodiscard]] bool damaged() const noexcept { return damaged_; }
  // What recovery found (the snapshot used, records replayed, checkpoints
  // matched, the tail).
  [[nodiscard]] const ReplayResult& recovery() const noexcept { return recovery_; }

  void start() { sequencer_->start(); }
  bool submit(const exchange::CommandBody& body, Completion* done) { return sequencer_->submit(body, done); }
  void stop();
  // Started and not yet stopped (false before open() succeeded).
  [[nodiscard]] bool running() const noexcept { return sequencer_ && sequencer_->running(); }

  [[nodiscard]] Sequencer& sequencer() { return *sequencer_; }
  [[nodiscard]] Ledger& ledger() { return ledger_; }
  // Only while the sequencer is stopped (it owns the Exchange while running).
  [[nodiscard]] const exchange::Exchange& exchange() const { return *exchange_; }

 private:
  ReplayResult recover(RecoveryObserver* observer);
  bool load_snapshot_at(exchange::Seq seq, Hash& chain, std::string* why);
  bool check_table_ends(std::string* why);
  void fresh_exchange();

  Clock& clock_;
  Ledger ledger_;
  std::unique_ptr<RowBuilder> rows_;
  std::unique_ptr<exchange::Exchange> exchange_;
  std::unique_ptr<Sequencer> sequencer_;
  ReplayResult recovery_;
  bool damaged_ = false;
};

}  // namespace erx::ledger
