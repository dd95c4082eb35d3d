// erx-crash-ledger: the real ERX ledger (DurableExchange: ledger + two-stage
// sequencer + Exchange) as the writer and checker of the crash tests
// (docs/CRASH_TESTING.md). The commands are a seeded ExchangeFlow stream
// (tests/support/recorded_stream.hpp), so every run, and the checker, knows
// what command belongs at every seq and what the state must be after it.
//
//   erx-crash-ledger write DIR [--seed S] [--commands N] [--max-batch B]
//                              [--checkpoint-every C] [--snapshot-every S]
//                              [--nosync] [--ack-on-submit] [--free-space B]
//       Opens DIR (recovering whatever is there: from its newest snapshot, by
//       default one every 4985 commands, and the journal tail), checks the recovered state
//       (invariants, and its hash equal to the uninterrupted run's over the same
//       prefix), prints "recovered <seq> <state hash>", then sequences the
//       stream's commands seq+1 .. N from this thread and prints "ack <seq>"
//       for each one, from the sequencer's completion, i.e. after its commit.
//       Exit 0 when the stream is done; 3 after a fail-stop (the failure on
//       stderr: nothing after it was acknowledged); 4 if the ledger does not
//       open or recover; 5 if the recovered state is wrong.
//       --nosync opens LMDB with MDB_NOSYNC, --ack-on-submit acknowledges a
//       command when it is queued instead of when it is committed: the
//       negative controls of the power-loss and the SIGKILL tests, only.
//       --free-space B: the sequencer's free-space probe says B bytes are
//       free (the failure text of a full disk, with an injected EIO).
//   erx-crash-ledger check DIR ACKS [--seed S] [--commands N] [--exact]
//       Verifies DIR read-only as a regulator would (verify_ledger: every
//       record's hash and chain link, every checkpoint, every derived row),
//       replays it once more to check the invariants and that the state equals
//       the uninterrupted run's at the journal's tail. Exit 0 if all holds and
//       every seq listed in ACKS is in the journal; 1 if an acknowledged seq is
//       missing; 2 if the ledger does not open or anything does not verify
//       (--exact: also if it holds seqs past the last acknowledged one).
//
// Built without sanitizers: the writer runs under the LD_PRELOAD I/O shim.
#include <lmdb.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/durable_exchange.hpp"
#include "ledger/replay.hpp"
#include "ledger/verify.hpp"
#include "tests/support/exchange_flow.hpp"
#include "tests/support/recorded_stream.hpp"

namespace {

using erx::exchange::Seq;
namespace ledger = erx::ledger;

constexpr int kOk = 0;
constexpr int kLost = 1;
constexpr int kCorrupt = 2;
constexpr int kFailStop = 3;
constexpr int kOpenFailed = 4;
constexpr int kWrongState = 5;
constexpr int kUsage = 64;

struct Args {
  std::string dir;
  std::string acks;
  std::uint64_t seed = 1;
  std::size_t commands = 20'000;
  std::size_t max_batch = 64;
  std::uint64_t checkpoint_every = 997;
  std::uint64_t snapshot_every = 4'985;  // a multiple of checkpoint_every: snapshots go with checkpoints
  bool nosync = false;
  bool ack_on_submit = false;
  bool exact = false;
  std::optional<std::uint64_t> free_space;
};

bool parse_options(int argc, char** argv, int first, Args& a) {
  for (int i = first; i < argc; ++i) {
    const std::string_view opt = argv[i];
    const bool has_value = i + 1 < argc;
    if (opt == "--nosync") {
      a.nosync = true;
    } else if (opt == "--ack-on-submit") {
      a.ack_on_submit = true;
    } else if (opt == "--exact") {
      a.exact = true;
    } else if (has_value && opt == "--seed") {
      a.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (has_value && opt == "--commands") {
      a.commands = std::strtoull(argv[++i], nullptr, 10);
    } else if (has_value && opt == "--max-batch") {
      a.max_batch = std::strtoull(argv[++i], nullptr, 10);
    } else if (has_value && opt == "--checkpoint-every") {
      a.checkpoint_every = std::strtoull(argv[++i], nullptr, 10);
    } else if (has_value && opt == "--snapshot-every") {
      a.snapshot_every = std::strtoull(argv[++i], nullptr, 10);
    } else if (has_value && opt == "--free-space") {
      a.free_space = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "erx-crash-ledger: bad option %s\n", argv[i]);
      return false;
    }
  }
  return a.commands > 0 && a.max_batch > 0;
}

// One write(2) per line: the harness must never see half an ack as a whole one.
void write_line(const std::string& line) {
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, line.data() + done, line.size() - done);
    if (n <= 0) std::_Exit(kFailStop);  // the harness went away
    done += static_cast<std::size_t>(n);
  }
}

class AckPrinter final : public ledger::Completion {
 public:
  explicit AckPrinter(bool silent) : silent_(silent) {}
  void done(const ledger::Outcome& o) override {
    if (o.status == ledger::Outcome::Status::Committed) {
      if (silent_) return;
      write_line("ack " + std::to_string(o.seq) + "\n");
    } else {
      failed_.store(true);
    }
  }
  bool failed() const { return failed_.load(); }

 private:
  bool silent_;
  std::atomic<bool> failed_{false};
};

ledger::DurableOptions options_for(const Args& a) {
  ledger::DurableOptions o;
  o.ledger.dir = a.dir;
  o.ledger.initial_map_size = std::size_t{4} << 20;  // small: MDB_MAP_FULL growth happens under the cuts too
  o.ledger.limits = erx::exchange::test::flow_limits();
  if (a.nosync) o.ledger.env_flags = MDB_NOSYNC;
  o.sequencer.max_batch = a.max_batch;
  o.sequencer.queue_capacity = 1024;
  o.sequencer.checkpoint_every = a.checkpoint_every;
  o.sequencer.snapshot_every = a.snapshot_every;
  if (a.free_space) o.sequencer.free_space = [bytes = *a.free_space](const std::string&) { return bytes; };
  return o;
}

int cmd_write(const Args& a) {
  const erx::test::RecordedStream stream = erx::test::record_stream(a.seed, a.commands);
  // The clock hands out the stream's own times, so the ledger's state can be
  // compared with the uninterrupted run; it starts where the journal ends.
  erx::test::ReplayClock clock(stream);
  ledger::DurableExchange dx(clock);
  std::string error;
  if (!dx.open(options_for(a), &error)) {
    std::fprintf(stderr, "erx-crash-ledger: %s\n", error.c_str());
    return kOpenFailed;
  }
  const Seq tail = dx.recovery().last_seq;
  if (tail > stream.commands.size()) {
    std::fprintf(stderr, "erx-crash-ledger: the journal (seq %llu) is longer than the stream\n",
                 static_cast<unsigned long long>(tail));
    return kWrongState;
  }
  dx.exchange().check_invariants();  // aborts on a violation
  const std::uint64_t hash = dx.exchange().state_hash();
  if (hash != erx::test::hash_after_prefix(stream, tail)) {
    std::fprintf(stderr, "erx-crash-ledger: recovered state at seq %llu differs from the uninterrupted run\n",
                 static_cast<unsigned long long>(tail));
    return kWrongState;
  }
  write_line("recovered " + std::to_string(tail) + " " + std::to_string(hash) + "\n");

  clock.rewind_to(tail);
  AckPrinter acks(a.ack_on_submit);
  dx.start();
  for (std::size_t i = tail; i < stream.commands.size(); ++i) {
    if (!dx.submit(stream.commands[i].body, &acks)) break;
    if (a.ack_on_submit) write_line("ack " + std::to_string(i + 1) + "\n");  // the defect, on purpose
  }
  dx.stop();
  if (dx.sequencer().failed() || acks.failed()) {
    std::fprintf(stderr, "FAIL-STOP: %s\n", dx.sequencer().failure().c_str());
    return kFailStop;
  }
  return kOk;
}

int cmd_check(const Args& a) {
  std::vector<std::uint64_t> acked;
  {
    std::ifstream in(a.acks);
    for (std::uint64_t id; in >> id;) acked.push_back(id);
  }
  Seq last_acked = 0;
  for (std::uint64_t id : acked) last_acked = std::max<Seq>(last_acked, id);

  // Without its creation marker the ledger was never finished: it holds
  // nothing, and no command can have been acknowledged from it (the writer's
  // next start creates it afresh; see Ledger::prepare_creation).
  if (!std::filesystem::exists(std::filesystem::path(a.dir) / ledger::kCreationMarker)) {
    std::printf("unfinished creation (no marker)%s\n", last_acked > 0 ? ", yet commands were acknowledged" : "");
    return last_acked > 0 ? kLost : kOk;
  }
  const ledger::VerifyReport report = ledger::verify_ledger(a.dir);
  if (!report.ok) {
    std::printf("%s\n", report.summary().c_str());
    return kCorrupt;
  }
  // Invariants and the state of the uninterrupted run, at the tail.
  ledger::Ledger lg;
  ledger::LedgerOptions lo;
  lo.dir = a.dir;
  lo.read_only = true;
  std::string error;
  if (lg.open(lo, &error) != 0) {
    std::printf("%s\n", error.c_str());
    return kCorrupt;
  }
  erx::exchange::DiscardEvents sink;
  erx::exchange::Exchange ex(sink, lg.limits());
  const ledger::ReplayResult replay = ledger::replay_journal(lg, ex);
  if (!replay.ok) {
    std::printf("replay: %s\n", replay.problem.c_str());
    return kCorrupt;
  }
  ex.check_invariants();  // aborts: the harness counts a crashed checker as corrupt
  const erx::test::RecordedStream stream = erx::test::record_stream(a.seed, a.commands);
  if (replay.last_seq > stream.commands.size() ||
      ex.state_hash() != erx::test::hash_after_prefix(stream, replay.last_seq)) {
    std::printf("the state at seq %llu is not the uninterrupted run's\n",
                static_cast<unsigned long long>(replay.last_seq));
    return kCorrupt;
  }
  if (last_acked > replay.last_seq) {
    std::printf("acknowledged seq %llu lost: the journal ends at %llu\n", static_cast<unsigned long long>(last_acked),
                static_cast<unsigned long long>(replay.last_seq));
    return kLost;
  }
  if (a.exact && replay.last_seq > last_acked) {
    std::printf("the journal holds seq %llu past the last acknowledged %llu\n",
                static_cast<unsigned long long>(replay.last_seq), static_cast<unsigned long long>(last_acked));
    return kCorrupt;
  }
  std::printf("%s\n", report.summary().c_str());
  return kOk;
}

int usage() {
  std::fprintf(stderr,
               "usage: erx-crash-ledger write DIR [--seed S] [--commands N] [--max-batch B] [--checkpoint-every C] "
               "[--nosync]\n"
               "       erx-crash-ledger check DIR ACKS [--seed S] [--commands N] [--exact]\n");
  return kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string_view cmd = argv[1];
  Args a;
  a.dir = argv[2];
  if (cmd == "write") return parse_options(argc, argv, 3, a) ? cmd_write(a) : usage();
  if (cmd == "check" && argc >= 4) {
    a.acks = argv[3];
    return parse_options(argc, argv, 4, a) ? cmd_check(a) : usage();
  }
  return usage();
}
