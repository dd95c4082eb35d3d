// The sequencer's edges: fail-stop on a commit error with no sequence gap,
// the failure text of a full disk, back-pressure at exactly the queue's
// capacity, and stale reader slots.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "ledger/verify.hpp"
#include "tests/ledger/ledger_test_helpers.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx;
using namespace erx::test;
using namespace std::chrono_literals;

TEST_CASE("sequencer: a commit error stops it with no gap - restart recovers exactly the committed prefix",
          "[ledger][sequencer]") {
  const RecordedStream s = record_stream(31, 20'000);
  TempDir dir("erx-failstop");
  std::uint64_t committed = 0;
  {
    ReplayClock clock(s);
    ledger::DurableExchange dx(clock);
    ledger::DurableOptions o = durable_options(dir.path(), 256);
    o.ledger.initial_map_size = std::size_t{1} << 20;
    o.ledger.max_map_size = std::size_t{1} << 20;  // MDB_MAP_FULL cannot be grown away: the commit fails
    std::string error;
    REQUIRE(dx.open(o, &error));
    dx.start();
    CountingCompletion c;
    std::size_t taken = 0;
    for (; taken < s.commands.size(); ++taken)
      if (!dx.submit(s.commands[taken].body, &c)) break;
    c.wait_for(taken);
    REQUIRE(dx.sequencer().failed());
    INFO(dx.sequencer().failure());
    CHECK(dx.sequencer().failure().find("MDB_MAP_FULL") != std::string::npos);
    committed = c.committed();
    CHECK(committed > 0);
    CHECK(c.failed() > 0);
    CHECK(c.committed() + c.failed() == taken);
    CHECK(c.max_seq() == committed);  // the committed ones are exactly seq 1..committed
    CHECK(dx.sequencer().last_committed() == committed);
    CHECK_FALSE(dx.submit(s.commands[0].body, &c));  // nothing more is taken
    dx.stop();
  }
  // Restart with room: exactly the acknowledged prefix is there, nothing else.
  ReplayClock clock(s, committed);
  ledger::DurableExchange dx(clock);
  std::string error;
  ledger::DurableOptions o = durable_options(dir.path());
  o.ledger.max_map_size = std::size_t{1} << 30;
  REQUIRE(dx.open(o, &error));
  CHECK(dx.recovery().last_seq == committed);
  CHECK(dx.exchange().state_hash() == hash_after_prefix(s, committed));
  dx.start();
  run_stretch(dx, s, committed, committed + 100);  // and it carries on from there
  dx.stop();
  const ledger::VerifyReport v = ledger::verify_ledger(dir.path());
  INFO(v.summary());
  CHECK(v.ok);
  CHECK(v.verified_seq == committed + 100);
}

TEST_CASE("sequencer: the failure text of a full disk says so, with the original error and the bytes free",
          "[ledger][sequencer]") {
  using ledger::commit_failure_text;
  CHECK(commit_failure_text(EIO, 7, 0, 4096) ==
        "ledger commit failed after seq 7: no space left on device (Input/output error (5); 0 bytes free on the "
        "ledger's file system)");
  CHECK(commit_failure_text(ENOSPC, 7, 12'288, 4096) ==
        "ledger commit failed after seq 7: no space left on device (No space left on device (28); 12288 bytes free "
        "on the ledger's file system)");
  // Less than twice a large failed batch is "almost no" space too.
  CHECK(commit_failure_text(EIO, 7, 40u << 20, 30u << 20).find("no space left on device") != std::string::npos);
  // A disk with room: the error as it is.
  CHECK(commit_failure_text(EIO, 7, std::uint64_t{1} << 40, 4096) ==
        "ledger commit failed after seq 7: Input/output error (5)");
  CHECK(commit_failure_text(EIO, 7, std::nullopt, 4096) == "ledger commit failed after seq 7: Input/output error (5)");
  CHECK(commit_failure_text(MDB_MAP_FULL, 7, 0, 4096).find("no space left") == std::string::npos);
}

// A full disk, injected: LMDB's data-file descriptor is pointed at /dev/full,
// so the commit's page writes fail with ENOSPC inside LMDB, and the free-space
// probe says the file system is full.
TEST_CASE("sequencer: a commit that fails on a full disk stops it with 'no space left on device'",
          "[ledger][sequencer]") {
  const RecordedStream s = record_stream(41, 400);
  TempDir dir("erx-full-disk");
  std::uint64_t committed = 0;
  {
    ReplayClock clock(s);
    ledger::DurableExchange dx(clock);
    ledger::DurableOptions o = durable_options(dir.path(), 64);
    std::string probed;
    o.sequencer.free_space = [&probed](const std::string& d) -> std::optional<std::uint64_t> {
      probed = d;
      return 0;
    };
    std::string error;
    REQUIRE(dx.open(o, &error));
    dx.start();
    run_stretch(dx, s, 0, 100);
    committed = dx.sequencer().last_committed();
    REQUIRE(committed == 100);
    int fd = -1;
    REQUIRE(mdb_env_get_fd(dx.ledger().env().get(), &fd) == 0);
    const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    REQUIRE(full >= 0);
    REQUIRE(::dup2(full, fd) == fd);
    ::close(full);
    CountingCompletion c;
    for (std::size_t i = 100; i < 200; ++i)
      if (!dx.submit(s.commands[i].body, &c)) break;
    dx.stop();
    REQUIRE(dx.sequencer().failed());
    CHECK(c.committed() == 0);
    CHECK(dx.sequencer().failure() ==
          "ledger commit failed after seq 100: no space left on device (No space left on device (28); 0 bytes free "
          "on the ledger's file system)");
    CHECK(probed == dir.path().string());
  }
  // Nothing after seq 100 reached the file: a restart recovers exactly that.
  ReplayClock clock(s, committed);
  ledger::DurableExchange dx(clock);
  std::string error;
  REQUIRE(dx.open(durable_options(dir.path()), &error));
  CHECK(dx.recovery().last_seq == committed);
}

namespace {

// Records, at each batch_done(), how many completions had been told by then.
class RecordingListener final : public ledger::BatchListener {
 public:
  explicit RecordingListener(const CountingCompletion& c) : c_(c) {}
  void batch_done() override { told_at_.push_back(c_.committed() + c_.failed()); }
  std::vector<std::uint64_t> told_at_;  // writer thread only until stop()

 private:
  const CountingCompletion& c_;
};

}  // namespace

// The gateway wakes each session once per commit from batch_done(): it must
// come after every completion of its batch, once per batch, and also for
// batches that failed (or their reports would never be handed over).
TEST_CASE("sequencer: the batch listener is told once per batch, after its completions, failed batches too",
          "[ledger][sequencer]") {
  const RecordedStream s = record_stream(31, 20'000);
  TempDir dir("erx-batch-listener");
  ReplayClock clock(s);
  ledger::DurableExchange dx(clock);
  ledger::DurableOptions o = durable_options(dir.path(), 256);
  o.ledger.initial_map_size = std::size_t{1} << 20;
  o.ledger.max_map_size = std::size_t{1} << 20;  // the ledger fills up part-way: later batches fail
  std::string error;
  REQUIRE(dx.open(o, &error));
  CountingCompletion c;
  RecordingListener listener(c);
  dx.sequencer().set_batch_listener(&listener);
  dx.start();
  std::size_t taken = 0;
  for (; taken < s.commands.size(); ++taken)
    if (!dx.submit(s.commands[taken].body, &c)) break;
  c.wait_for(taken);
  dx.stop();
  REQUIRE(dx.sequencer().failed());
  REQUIRE(c.failed() > 0);
  const ledger::SequencerStats st = dx.sequencer().stats();
  REQUIRE(st.batches > 0);
  // One call per committed batch, plus at least one for the failed ones.
  CHECK(listener.told_at_.size() > st.batches);
  REQUIRE_FALSE(listener.told_at_.empty());
  CHECK(std::is_sorted(listener.told_at_.begin(), listener.told_at_.end()));
  CHECK(listener.told_at_.back() == taken);  // the last call came after the last completion
  // Each committed batch's call came after all of its completions: the first
  // st.batches calls see the committed count grow to exactly `committed`.
  CHECK(listener.told_at_[st.batches - 1] == c.committed());
}

namespace {

// Blocks the sequencer thread inside the first completion until released.
class GateCompletion final : public ledger::Completion {
 public:
  void done(const ledger::Outcome&) override {
    if (calls_.fetch_add(1) == 0) gate_.get_future().wait();
  }
  void release() { gate_.set_value(); }
  std::atomic<int> calls_{0};

 private:
  std::promise<void> gate_;
};

}  // namespace

// The queue holds queue_capacity commands; beyond them the pipeline holds at
// most one batch being written and one applied. With the writer stuck (in a
// slow completion), a producer must end up blocked with the queue exactly
// full, and must go on once the writer moves.
TEST_CASE("sequencer: a full queue blocks the producer at exactly its capacity", "[ledger][sequencer]") {
  constexpr std::size_t kTotal = 300;
  const RecordedStream s = record_stream(3, kTotal);
  TempDir dir("erx-backpressure");
  ReplayClock clock(s);
  ledger::DurableExchange dx(clock);
  ledger::DurableOptions o = durable_options(dir.path(), 16);
  o.sequencer.queue_capacity = 8;
  std::string error;
  REQUIRE(dx.open(o, &error));
  dx.start();
  GateCompletion gate;
  std::atomic<std::size_t> accepted{0};
  std::thread producer([&] {
    for (std::size_t i = 0; i < kTotal; ++i) {
      if (!dx.submit(s.commands[i].body, &gate)) return;
      accepted.fetch_add(1);
    }
  });
  // Wait until the producer is stuck: the queue full and no progress.
  std::size_t before = 0;
  for (int i = 0; i < 200; ++i) {
    before = accepted.load();
    std::this_thread::sleep_for(20ms);
    if (dx.sequencer().queued() == 8 && accepted.load() == before) break;
  }
  std::this_thread::sleep_for(200ms);
  CHECK(dx.sequencer().queued() == 8);
  CHECK(accepted.load() == before);  // blocked, not dropping and not failing
  CHECK(before < kTotal);
  CHECK(before <= 16 + 16 + 8 + 8);  // being written, applied, taken, queued
  gate.release();
  producer.join();
  CHECK(accepted.load() == kTotal);
  dx.stop();
  CHECK(gate.calls_.load() == static_cast<int>(kTotal));
  CHECK(dx.exchange().last_seq() == kTotal);
}

namespace {

// Runs `body` in a child process; returns its exit code (or -signal).
template <class F>
int in_child(F body) {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(body());
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child) return -1000;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

ledger::LedgerOptions options_for(const std::string& dir, bool read_only = false) {
  ledger::LedgerOptions o;
  o.dir = dir;
  o.read_only = read_only;
  return o;
}

}  // namespace

// LMDB resets its reader table when the first process opens the environment,
// so a stale slot matters (and can be seen) only while another process keeps
// it open: this test keeps it open, a child dies holding a read transaction,
// and a third process opening the ledger clears the dead child's slot. The
// children are readers: the keeper is the ledger's one writer.
TEST_CASE("ledger: reader slots of a killed process are cleared at open", "[ledger][sequencer]") {
  TempDir dir("erx-readers");
  ledger::Ledger keeper;
  std::string error;
  REQUIRE(keeper.open(options_for(dir.path()), &error) == 0);

  const int killed = in_child([&] {
    ledger::Ledger l;
    std::string e;
    if (l.open(options_for(dir.path(), true), &e) != 0) return 2;
    if (l.snapshot() == nullptr) return 3;
    ::raise(SIGKILL);  // dies holding a reader slot: the read-only open's read transaction
    return 4;
  });
  REQUIRE(killed == -SIGKILL);

  const int cleared = in_child([&] {
    ledger::Ledger l;
    std::string e;
    if (l.open(options_for(dir.path(), true), &e) != 0) return 100;
    return l.stale_readers_cleared();
  });
  CHECK(cleared == 1);
  CHECK(keeper.env().clear_stale_readers() == 0);  // nothing left to clear
}
