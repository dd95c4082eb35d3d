#include "ledger/sequencer.hpp"

#include <pthread.h>
#include <sys/statvfs.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

#include "engine/core/assert.hpp"
#include "engine/exchange/command_codec.hpp"
#include "ledger/journal_record.hpp"

namespace erx::ledger {

using exchange::Seq;
using SteadyClock = std::chrono::steady_clock;

namespace {
std::uint64_t ns(SteadyClock::duration d) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}
}  // namespace

std::string commit_failure_text(int rc, Seq committed, std::optional<std::uint64_t> free_bytes,
                                std::uint64_t batch_bytes) {
  std::string text = "ledger commit failed after seq " + std::to_string(committed) + ": ";
  const std::uint64_t low = std::max<std::uint64_t>(std::uint64_t{16} << 20, 2 * batch_bytes);
  if ((rc == EIO || rc == ENOSPC) && free_bytes && *free_bytes < low)
    return text + "no space left on device (" + lmdb::error_text(rc) + "; " + std::to_string(*free_bytes) +
           " bytes free on the ledger's file system)";
  return text + lmdb::error_text(rc);
}

namespace {
std::optional<std::uint64_t> statvfs_free(const std::string& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;  // what an unprivileged writer may still use
}
}  // namespace

exchange::Timestamp SystemClock::now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Sequencer::Collector::on_event(Seq, const exchange::Event& e) {
  if (into) into->push_back(e);
}

Sequencer::Sequencer(Ledger& ledger, exchange::Exchange& ex, RowBuilder& rows, Clock& clock, const JournalTail& tail,
                     SequencerOptions options)
    : ledger_(ledger),
      ex_(ex),
      rows_(rows),
      clock_(clock),
      options_(options),
      committed_(tail.seq),
      last_seq_(tail.seq),
      last_hash_(tail.hash),
      last_time_(std::max(tail.time, ex.now())) {
  ERX_ASSERT(ex.last_seq() == tail.seq);
  ERX_ASSERT(options_.queue_capacity > 0 && options_.max_batch > 0);
  queue_.reserve(options_.queue_capacity);
}

Sequencer::~Sequencer() { stop(); }

void Sequencer::set_batch_listener(BatchListener* listener) {
  ERX_ASSERT(!apply_thread_.joinable() && batch_listener_ == nullptr);
  batch_listener_ = listener;
}

void Sequencer::batch_done() {
  if (batch_listener_) batch_listener_->batch_done();
}

void Sequencer::start() {
  ERX_ASSERT(!apply_thread_.joinable());
  // Named, so top / perf / gdb show which stage is busy.
  writer_thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "erx-ledger-wr");
    run_writer();
  });
  apply_thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "erx-apply");
    run_apply();
  });
}

bool Sequencer::submit(const exchange::CommandBody& body, Completion* done) {
  std::unique_lock lock(mu_);
  not_full_.wait(lock, [&] { return queue_.size() < options_.queue_capacity || stopping_ || failed_; });
  if (stopping_ || failed_) return false;
  queue_.push_back(Pending{body, done});
  if (queue_.size() == 1) not_empty_.notify_one();
  return true;
}

void Sequencer::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
  if (apply_thread_.joinable()) apply_thread_.join();
  if (writer_thread_.joinable()) writer_thread_.join();
}

bool Sequencer::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

std::string Sequencer::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

SequencerStats Sequencer::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::size_t Sequencer::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

Seq Sequencer::last_committed() const {
  std::lock_guard lock(mu_);
  return committed_;
}

// ---------------------------------------------------------------- apply thread

// Takes up to `limit` queued commands. The first take of a batch waits for a
// command; later ones wait for a command or for the writer to become idle —
// the batch grows for exactly as long as the writer is busy with the one
// before, so commands that arrive during a commit share the next one (no
// convoy of one-command commits when a few sessions each wait for their ack).
Sequencer::Took Sequencer::take(std::vector<Pending>& into, std::size_t limit, bool first) {
  std::unique_lock lock(mu_);
  const auto writer_idle = [&] { return to_write_.empty() && !writing_; };
  not_empty_.wait(lock, [&] { return !queue_.empty() || stopping_ || failed_ || (!first && writer_idle()); });
  if (failed_) return Took::Stop;
  if (queue_.empty()) return stopping_ ? Took::Stop : Took::WriterIdle;
  if (first && options_.max_wait.count() > 0 && queue_.size() < limit && !stopping_)
    not_empty_.wait_for(lock, options_.max_wait, [&] { return queue_.size() >= limit || stopping_; });
  into.clear();
  if (queue_.size() <= limit) {
    into.swap(queue_);
    queue_.reserve(options_.queue_capacity);
  } else {
    const auto end = queue_.begin() + static_cast<std::ptrdiff_t>(limit);
    std::move(queue_.begin(), end, std::back_inserter(into));
    queue_.erase(queue_.begin(), end);
  }
  lock.unlock();
  not_full_.notify_all();
  return Took::Commands;
}

// Waits until the writer has released `stage`. False when the ledger failed.
bool Sequencer::claim(Stage& stage) {
  std::unique_lock lock(mu_);
  stage_free_.wait(lock, [&] { return !stage.busy || failed_; });
  if (failed_) return false;
  stage.busy = true;
  return true;
}

void Sequencer::run_apply() {
  std::vector<Pending> work;
  work.reserve(options_.queue_capacity);
  std::size_t next_stage = 0;
  for (bool more = true; more;) {
    Stage& stage = stages_[next_stage];
    if (!claim(stage)) break;  // the ledger failed: fail_stop told everything queued
    begin_stage(stage);
    std::size_t n = 0;
    while (n < options_.max_batch) {
      const Took took = take(work, options_.max_batch - n, n == 0);
      if (took == Took::Stop) {
        more = false;
        break;
      }
      if (took == Took::WriterIdle) break;  // the writer can take this batch now
      apply_into(stage, work);
      n += work.size();
    }
    finish_stage(stage);
    {
      std::lock_guard lock(mu_);
      if (n == 0) stage.busy = false;  // stopping, nothing taken
      else to_write_.push_back(&stage);
    }
    if (n == 0) continue;
    stage_ready_.notify_one();
    next_stage ^= 1;
  }
  {
    std::lock_guard lock(mu_);
    applying_done_ = true;
  }
  stage_ready_.notify_one();
}

void Sequencer::checkpoint(Stage& stage, CheckpointReason why) {
  const Checkpoint cp{ex_.state_hash(), last_hash_, why};
  record_.clear();
  encode_checkpoint(cp, record_);
  stage.batch.add(Table::Checkpoints, key_u64(last_seq_), record_);
  ++stage.checkpoints;
}

// The whole Exchange after last_seq_, in the batch that also holds that
// seq's record and checkpoint: both or neither reach the disk.
void Sequencer::snapshot(Stage& stage) {
  ex_.save_snapshot(snapshot_);
  ERX_ASSERT(stage.batch.bytes() + snapshot_.size() < UINT32_MAX);  // Batch rows use 32-bit offsets
  stage.batch.add(Table::Snapshots, key_u64(last_seq_), snapshot_);
  ++stage.snapshots;
  stage.snapshot_bytes = snapshot_.size();
}

// Sequences work[from, to): journal records, the Exchange, derived rows.
void Sequencer::begin_stage(Stage& stage) {
  stage.batch.clear();
  stage.events.clear();
  stage.applied.clear();
  stage.checkpoints = 0;
  stage.snapshots = 0;
  stage.apply_ns = 0;
  rows_.attach(stage.batch);
  collector_.into = &stage.events;
}

void Sequencer::apply_into(Stage& stage, std::vector<Pending>& work) {
  const auto t0 = SteadyClock::now();
  for (Pending& p : work) {
    const Seq seq = last_seq_ + 1;
    const exchange::Timestamp time = std::max(clock_.now(), last_time_);
    ERX_ASSERT(time >= last_time_);  // journal times never go back (the engine would refuse the command)
    body_.clear();
    exchange::encode_body(p.body, body_);
    record_.clear();
    const Hash hash = append_record(last_hash_, RecordHeader{kEngineVersion, seq, options_.epoch, time}, body_, record_);
    stage.batch.add(Table::Journal, key_u64(seq), record_);

    const bool day_close = std::holds_alternative<exchange::CloseDay>(p.body);
    const bool open_day = std::holds_alternative<exchange::OpenDay>(p.body);
    const std::size_t first = stage.events.size();
    ex_.apply(exchange::Command{seq, time, std::move(p.body)});
    ERX_ASSERT(ex_.last_seq() == seq);  // the sequencer never sends a gap or a step back in time
    last_seq_ = seq;
    last_hash_ = hash;
    last_time_ = time;
    stage.applied.push_back(Applied{seq, time, first, stage.events.size(), p.done});
    // The day actually opened (a refused open-day changes nothing): a
    // checkpoint and a snapshot at its seq, whatever snapshot_every says, so
    // a restart can start a day's replay (the gateway's) at its open.
    const bool day_opened =
        open_day && std::any_of(stage.events.begin() + static_cast<std::ptrdiff_t>(first), stage.events.end(),
                                [](const exchange::Event& e) { return std::holds_alternative<exchange::DayOpened>(e); });
    // A snapshot always has a checkpoint at its seq: recovery checks the
    // loaded state against that checkpoint's state hash.
    const bool snap =
        options_.snapshot_every != 0 && (seq % options_.snapshot_every == 0 || day_opened);
    if (day_close || day_opened || snap || (options_.checkpoint_every != 0 && seq % options_.checkpoint_every == 0))
      checkpoint(stage, day_close    ? CheckpointReason::DayClose
                        : day_opened ? CheckpointReason::DayOpen
                                     : CheckpointReason::Interval);
    if (snap) snapshot(stage);
  }
  stage.apply_ns += ns(SteadyClock::now() - t0);
}

// The batch's current-value rows, once, after all its commands.
void Sequencer::finish_stage(Stage& stage) {
  const auto t1 = SteadyClock::now();
  rows_.finish(ex_);
  rows_.detach();
  collector_.into = nullptr;
  stage.last_seq = last_seq_;
  ERX_ASSERT(stage.applied.empty() || stage.applied.back().seq == last_seq_);
  stage.finish_ns = ns(SteadyClock::now() - t1);
}

// ---------------------------------------------------------------- writer thread

void Sequencer::run_writer() {
  for (;;) {
    Stage* stage = nullptr;
    {
      std::unique_lock lock(mu_);
      stage_ready_.wait(lock, [&] { return !to_write_.empty() || applying_done_; });
      if (to_write_.empty()) return;  // the apply thread is done and everything is written
      stage = to_write_.front();
      to_write_.erase(to_write_.begin());
      writing_ = true;
    }
    if (failed()) {
      tell_failed(*stage);  // applied after a failed commit: never acknowledged
    } else {
      write(*stage);
    }
    {
      std::lock_guard lock(mu_);
      stage->busy = false;
      writing_ = false;
    }
    stage_free_.notify_all();
    not_empty_.notify_all();  // the batch being gathered can come now
  }
}

void Sequencer::write(Stage& stage) {
  const int rc = ledger_.write(stage.batch);
  if (rc != 0) {
    tell_failed(stage);
    fail_stop(rc, stage.batch.bytes());
    return;
  }
  {
    std::lock_guard lock(mu_);
    // The committed seq only grows, by exactly the commands of the batch:
    // stages are written in the order they were applied.
    ERX_ASSERT(stage.last_seq == committed_ + stage.applied.size());
    ERX_ASSERT(stage.applied.empty() || stage.applied.front().seq == committed_ + 1);
    committed_ = stage.last_seq;
    stats_.commands += stage.applied.size();
    ++stats_.batches;
    stats_.largest_batch = std::max<std::uint64_t>(stats_.largest_batch, stage.applied.size());
    stats_.checkpoints += stage.checkpoints;
    stats_.snapshots += stage.snapshots;
    if (stage.snapshots != 0) stats_.snapshot_bytes = stage.snapshot_bytes;
    stats_.apply_ns += stage.apply_ns;
    stats_.finish_ns += stage.finish_ns;
    stats_.write_ns += ledger_.last_put_ns();
    stats_.commit_ns += ledger_.last_commit_ns();
  }
  const auto t0 = SteadyClock::now();
  const std::span<const exchange::Event> all(stage.events);
  for (const Applied& a : stage.applied)
    if (a.done)
      a.done->done(
          Outcome{Outcome::Status::Committed, a.seq, all.subspan(a.first_event, a.end_event - a.first_event), a.time});
  batch_done();
  const std::uint64_t done_ns = ns(SteadyClock::now() - t0);
  std::lock_guard lock(mu_);
  stats_.done_ns += done_ns;
}

// ---------------------------------------------------------------- failure

// A commit failed: from now on nothing is taken, nothing more is written, and
// every command not yet acknowledged is told Failed. The disk holds exactly
// seq 1..committed_; a restart recovers that.
void Sequencer::fail_stop(int rc, std::uint64_t batch_bytes) {
  std::optional<std::uint64_t> free_bytes;
  if (rc == EIO || rc == ENOSPC)
    free_bytes = options_.free_space ? options_.free_space(ledger_.dir()) : statvfs_free(ledger_.dir());
  std::vector<Pending> queued;
  {
    std::lock_guard lock(mu_);
    failed_ = true;
    failure_ = commit_failure_text(rc, committed_, free_bytes, batch_bytes);
    spdlog::critical("sequencer stopped: {} — nothing after seq {} was acknowledged; restart to recover", failure_,
                     committed_);
    queued.swap(queue_);
  }
  not_full_.notify_all();
  not_empty_.notify_all();
  stage_free_.notify_all();
  tell_failed(queued);
}

void Sequencer::tell_failed(const std::vector<Pending>& work) {
  for (std::size_t i = 0; i < work.size(); ++i)
    if (work[i].done) work[i].done->done(Outcome{Outcome::Status::Failed, 0, {}});
  batch_done();
}

void Sequencer::tell_failed(const Stage& stage) {
  for (const Applied& a : stage.applied)
    if (a.done) a.done->done(Outcome{Outcome::Status::Failed, 0, {}});
  batch_done();
}

}  // namespace erx::ledger
