#pragma once
// The sequencer: the one thread that orders commands, applies them to the
// Exchange and makes them durable with group commit.
//
//   producers ──submit()──► bounded queue ──► apply thread:
//       take up to max_batch commands (waiting up to max_wait for more),
//       stamp seq and time, journal record + apply + derived rows
//   ──► writer thread: one write transaction, durable commit,
//       only then: each command's Completion with its events.
//
// The two threads form a pipeline of two batches: while one batch is written
// and synced, the next is applied — and it keeps taking commands for as long
// as the writer is busy (up to max_batch), then goes to the writer the moment
// it is free. So under light load a command waits for at most the commit in
// flight and its own, and commands that arrive during a commit share the next
// one. Batches are committed strictly in order.
//
// A full queue blocks producers (it never drops). Any write or commit error
// stops the sequencer for good (fail-stop): the batch's commands and every
// queued one complete as Failed, nothing of that batch is released as done,
// and no later seq is ever issued — a restart recovers from the disk, which
// holds exactly the committed prefix.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <array>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "engine/exchange/exchange.hpp"
#include "ledger/checkpoint.hpp"
#include "ledger/ledger.hpp"
#include "ledger/rows.hpp"

namespace erx::ledger {

// Where the sequencer's time comes from (the engine never reads a clock).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual exchange::Timestamp now() = 0;
};

class SystemClock final : public Clock {
 public:
  exchange::Timestamp now() override;
};

struct Outcome {
  enum class Status : std::uint8_t { Committed, Failed };
  Status status = Status::Failed;
  exchange::Seq seq = 0;                       // 0 when it never got one
  std::span<const exchange::Event> events;     // valid only during done()
  exchange::Timestamp time = 0;                // the time the sequencer gave it (0 when none)
};

// Called on the sequencer's writer thread, after the commit, in seq order;
// keep it short (it delays the next commit's acknowledgements).
class Completion {
 public:
  virtual ~Completion() = default;
  virtual void done(const Outcome& outcome) = 0;
};

// Told on the writer thread after the last done() of every batch, committed
// or failed: where a consumer does once per batch what would otherwise cost
// a syscall per command (the gateway wakes each connection once per commit).
class BatchListener {
 public:
  virtual ~BatchListener() = default;
  virtual void batch_done() = 0;
};

struct SequencerOptions {
  std::size_t queue_capacity = 65'536;  // commands waiting; full = producers block
  std::size_t max_batch = 8'192;        // commands per write transaction
  std::chrono::microseconds max_wait{0};  // extra wait to fill a batch once one command is there
  std::uint64_t checkpoint_every = 100'000;  // also at every close-day and every accepted open-day
  // A snapshot of the whole Exchange every N commands, and at every accepted
  // open-day (0 = never), written with a checkpoint at the same seq in the
  // same transaction, so recovery replays at most N commands (docs/LEDGER.md
  // "Snapshots").
  std::uint64_t snapshot_every = 1'000'000;
  std::uint64_t epoch = 1;
  // Bytes free on the file system holding `dir` (the ledger's directory),
  // asked only when a write fails with EIO or ENOSPC, to say whether the disk
  // is full (commit_failure_text). Empty: statvfs. Tests inject it.
  std::function<std::optional<std::uint64_t>(const std::string& dir)> free_space;
};

// The fail-stop text of a failed write: "ledger commit failed after seq N:
// <LMDB's text>". When the error is EIO (LMDB reports a short write on a full
// disk as EIO) or ENOSPC, and the ledger's file system has less than 16 MiB or
// twice the failed batch free, it says so first: "... no space left on device
// (Input/output error (5); 0 bytes free on the ledger's file system)".
std::string commit_failure_text(int rc, exchange::Seq committed, std::optional<std::uint64_t> free_bytes,
                                std::uint64_t batch_bytes);

struct SequencerStats {
  std::uint64_t commands = 0;
  std::uint64_t batches = 0;
  std::uint64_t largest_batch = 0;
  std::uint64_t checkpoints = 0;
  std::uint64_t snapshots = 0;
  std::uint64_t snapshot_bytes = 0;  // of the last snapshot
  // Where the sequencer thread's time went (steady clock, read per batch).
  std::uint64_t apply_ns = 0;   // journal records + Exchange::apply + event rows
  std::uint64_t finish_ns = 0;  // current-value rows (balances, order state...)
  std::uint64_t write_ns = 0;   // puts into the write transaction
  std::uint64_t commit_ns = 0;  // mdb_txn_commit: page writes + fsync
  std::uint64_t done_ns = 0;    // the writer thread in Completion::done (before the next commit can start)
};

class Sequencer {
 public:
  // The Exchange's sink must be `rows` (whose downstream is this sequencer's
  // event collector — see DurableExchange); `ex` is at the ledger's tail.
  Sequencer(Ledger& ledger, exchange::Exchange& ex, RowBuilder& rows, Clock& clock, const JournalTail& tail,
            SequencerOptions options);
  ~Sequencer();
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  // Before start(); at most one.
  void set_batch_listener(BatchListener* listener);
  void start();
  // Blocks while the queue is full. False when the sequencer has stopped or
  // failed: the command was not taken and `done` will not be called.
  bool submit(const exchange::CommandBody& body, Completion* done);
  // Stops taking commands, commits everything already queued, joins.
  void stop();
  // Started and not yet stopped: its threads may still call the batch
  // listener and the completions. From the thread that starts and stops it.
  [[nodiscard]] bool running() const noexcept { return apply_thread_.joinable() || writer_thread_.joinable(); }

  [[nodiscard]] bool failed() const;
  [[nodiscard]] std::string failure() const;
  [[nodiscard]] SequencerStats stats() const;
  [[nodiscard]] exchange::Seq last_committed() const;
  // Commands waiting in the queue (not yet taken by the apply thread).
  [[nodiscard]] std::size_t queued() const;

  // The sequencer collects each command's events (RowBuilder forwards them)
  // into the batch being built.
  class Collector final : public exchange::ExchangeSink {
   public:
    void on_event(exchange::Seq seq, const exchange::Event& e) override;
    std::vector<exchange::Event>* into = nullptr;
  };
  Collector& collector() noexcept { return collector_; }

 private:
  struct Pending {
    exchange::CommandBody body;
    Completion* done = nullptr;
  };
  struct Applied {
    exchange::Seq seq;
    exchange::Timestamp time;
    std::size_t first_event, end_event;
    Completion* done;
  };
  // One group commit in flight: built by the apply thread, written by the
  // writer thread. Two of them let the next batch be applied while the
  // previous one is being written and synced.
  struct Stage {
    Batch batch;
    std::vector<exchange::Event> events;
    std::vector<Applied> applied;
    exchange::Seq last_seq = 0;
    std::uint64_t checkpoints = 0;
    std::uint64_t snapshots = 0, snapshot_bytes = 0;
    std::uint64_t apply_ns = 0, finish_ns = 0;
    bool busy = false;  // handed to the writer and not yet released (guarded by mu_)
  };

  void run_apply();
  void run_writer();
  enum class Took { Commands, WriterIdle, Stop };
  Took take(std::vector<Pending>& into, std::size_t limit, bool first);
  bool claim(Stage& stage);
  void begin_stage(Stage& stage);
  void apply_into(Stage& stage, std::vector<Pending>& work);
  void finish_stage(Stage& stage);
  void write(Stage& stage);
  void fail_stop(int rc, std::uint64_t batch_bytes);
  void tell_failed(const std::vector<Pending>& work);
  void tell_failed(const Stage& stage);
  void batch_done();
  void checkpoint(Stage& stage, CheckpointReason why);
  void snapshot(Stage& stage);

  Ledger& ledger_;
  exchange::Exchange& ex_;
  RowBuilder& rows_;
  Clock& clock_;
  SequencerOptions options_;
  Collector collector_;
  BatchListener* batch_listener_ = nullptr;

  // shared state, guarded by mu_
  mutable std::mutex mu_;
  std::condition_variable not_empty_, not_full_, stage_ready_, stage_free_;
  std::vector<Pending> queue_;
  std::vector<Stage*> to_write_;  // in seq order
  bool stopping_ = false;
  bool applying_done_ = false;    // the apply thread has handed over its last stage
  bool writing_ = false;          // the writer holds a stage (writing it or telling it failed)
  bool failed_ = false;
  std::string failure_;
  SequencerStats stats_;
  exchange::Seq committed_ = 0;

  // apply thread only
  exchange::Seq last_seq_;
  Hash last_hash_;
  exchange::Timestamp last_time_;
  std::string body_, record_, snapshot_;
  std::array<Stage, 2> stages_;
  std::thread apply_thread_, writer_thread_;
};

}  // namespace erx::ledger
