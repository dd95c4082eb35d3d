// Snapshots in the ledger: a DurableExchange writing a snapshot every few
// hundred commands (and at every accepted open-day) and restarted at random
// points recovers from the newest snapshot plus the journal after it, into
// exactly the state of one uninterrupted in-memory run; a snapshot row that is
// damaged or of the wrong state is refused (recovery falls back to an older
// one, or to a full replay); verify_ledger() names a tampered snapshot row's
// seq; the day opens are listed (Ledger::day_open_seqs) and recovery can start
// from the newest one's snapshot.
//
// ERX_SEED=<n> picks the stream; the seed is printed when a check fails.

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "ledger/bytes.hpp"
#include "ledger/checkpoint.hpp"
#include "ledger/rows.hpp"
#include "ledger/verify.hpp"
#include "tests/ledger/ledger_test_helpers.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx;
using namespace erx::test;
using ledger::Table;

namespace {

constexpr std::uint64_t kSnapshotEvery = 500;

// Where the sequencer writes snapshots among the first n commands: every
// kSnapshotEvery, and at every accepted open-day.
std::vector<exchange::Seq> snapshot_seqs(const RecordedStream& s, std::size_t n) {
  std::vector<exchange::Seq> seqs = day_opens(s, n);
  for (exchange::Seq q = kSnapshotEvery; q <= n; q += kSnapshotEvery) seqs.push_back(q);
  std::sort(seqs.begin(), seqs.end());
  seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  return seqs;
}

// The newest of `seqs` at or before `seq` (0: none).
exchange::Seq newest_until(const std::vector<exchange::Seq>& seqs, exchange::Seq seq) {
  exchange::Seq newest = 0;
  for (exchange::Seq q : seqs)
    if (q <= seq) newest = q;
  return newest;
}

ledger::DurableOptions snapshot_options(const std::string& dir, std::size_t max_batch = 512) {
  ledger::DurableOptions o = durable_options(dir, max_batch);
  o.sequencer.snapshot_every = kSnapshotEvery;
  return o;
}

// Runs commands [from, to) of the stream on the ledger in `dir`, from a restart.
void run_on(const std::string& dir, const RecordedStream& s, std::size_t from, std::size_t to) {
  ReplayClock clock(s, from);
  ledger::DurableExchange dx(clock);
  std::string error;
  REQUIRE(dx.open(snapshot_options(dir), &error));
  REQUIRE(dx.recovery().last_seq == from);
  dx.start();
  run_stretch(dx, s, from, to);
  dx.stop();
  const std::vector<exchange::Seq> seqs = snapshot_seqs(s, to);
  CHECK(dx.sequencer().stats().snapshots ==
        static_cast<std::uint64_t>(std::count_if(seqs.begin(), seqs.end(), [&](exchange::Seq q) { return q > from; })));
}

// What a restart finds: the recovery result and the state hash.
struct Reopened {
  ledger::ReplayResult recovery;
  std::uint64_t hash = 0;
};

Reopened reopen(const std::string& dir, const RecordedStream& s) {
  ReplayClock clock(s);
  ledger::DurableExchange dx(clock);
  std::string error;
  INFO(error);
  REQUIRE(dx.open(snapshot_options(dir), &error));
  dx.exchange().check_invariants();
  return Reopened{dx.recovery(), dx.exchange().state_hash()};
}

// Direct access to the tables, as someone editing the file would have. It
// opens the ledger for each read or write only: a ledger has one writer, and
// the tests reopen it in between.
class RawLedger {
 public:
  explicit RawLedger(std::string dir) : dir_(std::move(dir)) {}
  std::string get(Table t, exchange::Seq seq) {
    ledger::Ledger l;
    open(l);
    ledger::lmdb::Txn txn;
    REQUIRE(txn.begin(l.env(), true) == 0);
    std::string_view v;
    REQUIRE(l.table(t).get(txn, ledger::key_u64(seq), v) == 0);
    return std::string(v);
  }
  void put(Table t, exchange::Seq seq, const std::string& value) {
    ledger::Ledger l;
    open(l);
    ledger::lmdb::Txn txn;
    REQUIRE(txn.begin(l.env(), false) == 0);
    REQUIRE(l.table(t).put(txn, ledger::key_u64(seq), value) == 0);
    REQUIRE(txn.commit() == 0);
  }

 private:
  void open(ledger::Ledger& l) {
    ledger::LedgerOptions o;
    o.dir = dir_;
    std::string error;
    INFO(error);
    REQUIRE(l.open(o, &error) == 0);
  }
  std::string dir_;
};

void flip_byte(RawLedger& raw, exchange::Seq seq, std::size_t at) {
  std::string v = raw.get(Table::Snapshots, seq);
  REQUIRE(at < v.size());
  v[at] = static_cast<char>(v[at] ^ 0x20);
  raw.put(Table::Snapshots, seq, v);
}

}  // namespace

TEST_CASE("snapshot recovery: restarts at random points load the newest snapshot and replay only the tail",
          "[ledger][snapshot]") {
  const std::uint64_t seed = seed_from_env(20261123);
  INFO("seed " << seed << " (rerun with ERX_SEED=" << seed << ")");
  constexpr std::size_t kCommands = 8'000;
  const RecordedStream s = record_stream(seed, kCommands);

  std::mt19937_64 rng(seed);
  std::vector<std::size_t> stops;
  for (int i = 0; i < 6; ++i) stops.push_back(1 + rng() % (kCommands - 1));
  stops.push_back(3 * kSnapshotEvery);  // a restart exactly at a snapshot: nothing to replay
  stops.push_back(kCommands);
  std::sort(stops.begin(), stops.end());
  stops.erase(std::unique(stops.begin(), stops.end()), stops.end());

  const std::vector<exchange::Seq> snaps = snapshot_seqs(s, kCommands);
  TempDir dir("erx-snap-recovery");
  std::size_t done = 0;
  int from_snapshot = 0;
  for (std::size_t stop : stops) {
    ReplayClock clock(s, done);
    ledger::DurableExchange dx(clock);
    std::string error;
    REQUIRE(dx.open(snapshot_options(dir.path(), 1 + rng() % 700), &error));
    INFO("restart at " << done << ", running to " << stop);
    const ledger::ReplayResult& rec = dx.recovery();
    REQUIRE(rec.ok);
    REQUIRE(rec.last_seq == done);
    REQUIRE(dx.exchange().state_hash() == hash_after_prefix(s, done));
    dx.exchange().check_invariants();
    // The newest snapshot at or before the tail, and only the records after it.
    CHECK(rec.snapshot_seq == newest_until(snaps, done));
    CHECK(rec.records == done - rec.snapshot_seq);
    CHECK(rec.snapshots_refused == 0);
    if (rec.snapshot_seq != 0) ++from_snapshot;
    dx.start();
    run_stretch(dx, s, done, stop);
    dx.stop();
    CHECK(dx.exchange().state_hash() == hash_after_prefix(s, stop));
    done = stop;
  }
  CHECK(from_snapshot >= 4);

  const ledger::VerifyReport v = ledger::verify_ledger(dir.path());
  INFO(v.summary());
  REQUIRE(v.ok);
  CHECK(v.verified_seq == kCommands);
  CHECK(v.snapshots == snaps.size());
  CHECK(v.state_hash == hash_after_prefix(s, kCommands));
}

TEST_CASE("snapshot recovery: a damaged or wrong snapshot is refused and recovery falls back",
          "[ledger][snapshot]") {
  const std::uint64_t seed = seed_from_env(31);
  INFO("seed " << seed << " (rerun with ERX_SEED=" << seed << ")");
  constexpr std::size_t kCommands = 2'700;  // snapshots at 500 ... 2500 and the day opens
  const RecordedStream s = record_stream(seed, kCommands);
  const std::vector<exchange::Seq> snaps = snapshot_seqs(s, kCommands);
  REQUIRE(snaps.size() >= 5);
  const exchange::Seq newest_seq = snaps.back(), older_seq = snaps[snaps.size() - 2];
  TempDir dir("erx-snap-fallback");
  run_on(dir.path(), s, 0, kCommands);
  const std::uint64_t want = hash_after_prefix(s, kCommands);
  {
    const Reopened r = reopen(dir.path(), s);
    CHECK(r.recovery.snapshot_seq == newest_seq);
    CHECK(r.recovery.records == kCommands - newest_seq);
    CHECK(r.hash == want);
  }
  RawLedger raw(dir.path());
  const std::string newest = raw.get(Table::Snapshots, newest_seq);

  SECTION("one flipped byte: the next older snapshot") {
    flip_byte(raw, newest_seq, newest.size() / 2);
    const Reopened r = reopen(dir.path(), s);
    CHECK(r.recovery.snapshot_seq == older_seq);
    CHECK(r.recovery.snapshots_refused == 1);
    CHECK(r.recovery.records == kCommands - older_seq);
    CHECK(r.hash == want);
  }
  SECTION("a whole snapshot of another seq: refused, though its bytes are sound") {
    raw.put(Table::Snapshots, newest_seq, raw.get(Table::Snapshots, older_seq));
    const Reopened r = reopen(dir.path(), s);
    CHECK(r.recovery.snapshot_seq == older_seq);
    CHECK(r.recovery.snapshots_refused == 1);
    CHECK(r.hash == want);
  }
  SECTION("a checkpoint whose state hash differs: its snapshot is refused") {
    std::string cp = raw.get(Table::Checkpoints, newest_seq);
    cp[0] = static_cast<char>(cp[0] ^ 1);  // the state hash's low byte
    raw.put(Table::Checkpoints, newest_seq, cp);
    ReplayClock clock(s);
    ledger::DurableExchange dx(clock);
    std::string error;
    // The newest snapshot no longer matches; the older one loads, but its
    // replay meets the bad checkpoint, and so does the full replay it falls
    // back to: the ledger does not verify, and open() names the seq.
    CHECK_FALSE(dx.open(snapshot_options(dir.path()), &error));
    CHECK(error.find(std::to_string(newest_seq)) != std::string::npos);
  }
  SECTION("every snapshot damaged: a full replay") {
    for (exchange::Seq seq : snaps) flip_byte(raw, seq, 40);
    const Reopened r = reopen(dir.path(), s);
    CHECK(r.recovery.snapshot_seq == 0);
    CHECK(r.recovery.snapshots_refused == snaps.size());
    CHECK(r.recovery.records == kCommands);
    CHECK(r.hash == want);
  }
}

TEST_CASE("snapshot verification: a tampered snapshot row is named by its seq", "[ledger][snapshot]") {
  const RecordedStream s = record_stream(seed_from_env(47), 1'800);  // snapshots at 500, 1000, 1500, the day opens
  TempDir dir("erx-snap-verify");
  run_on(dir.path(), s, 0, 1'800);
  {
    const ledger::VerifyReport v = ledger::verify_ledger(dir.path());
    INFO(v.summary());
    REQUIRE(v.ok);
    CHECK(v.snapshots == snapshot_seqs(s, 1'800).size());
  }
  RawLedger raw(dir.path());
  auto failed_at = [&dir](exchange::Seq seq) {
    const ledger::VerifyReport v = ledger::verify_ledger(dir.path());
    INFO(v.summary());
    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == seq);
    CHECK(v.problem.find("snapshot") != std::string::npos);
  };
  SECTION("a flipped byte") {
    flip_byte(raw, 1'000, 100);
    failed_at(1'000);
  }
  SECTION("a sound snapshot of another seq") {
    raw.put(Table::Snapshots, 1'500, raw.get(Table::Snapshots, 500));
    failed_at(1'500);
  }
  SECTION("an extra row beyond the journal's end") {
    raw.put(Table::Snapshots, 5'000, raw.get(Table::Snapshots, 1'500));
    failed_at(5'000);
  }
}

// The gateway will restart its replay at the current day's open: every
// open-day the exchange accepted has a DayOpen checkpoint and a snapshot at
// its seq, whatever snapshot_every says (0: no snapshots, the checkpoints
// still list the day opens); refused open-days have neither.
TEST_CASE("snapshots: every accepted open-day has a DayOpen checkpoint and a snapshot that verify and recovery use",
          "[ledger][snapshot]") {
  const std::uint64_t seed = seed_from_env(53);
  INFO("seed " << seed << " (rerun with ERX_SEED=" << seed << ")");
  constexpr std::size_t kCommands = 3'000;
  const RecordedStream s = record_stream(seed, kCommands);
  const std::vector<exchange::Seq> opens = day_opens(s, kCommands);
  REQUIRE(opens.size() >= 2);
  const auto open_day_commands = std::count_if(s.commands.begin(), s.commands.end(), [](const exchange::Command& c) {
    return std::holds_alternative<exchange::OpenDay>(c.body);
  });
  CHECK(static_cast<std::size_t>(open_day_commands) > opens.size());  // refused ones too: they get nothing

  const bool snapshots_on = GENERATE(true, false);
  INFO("snapshot_every " << (snapshots_on ? "1,000,000" : "0 (never)"));
  TempDir dir("erx-day-open");
  {
    ReplayClock clock(s);
    ledger::DurableExchange dx(clock);
    ledger::DurableOptions o = durable_options(dir.path(), 64);
    o.sequencer.snapshot_every = snapshots_on ? 1'000'000 : 0;  // no interval snapshot in 3,000 commands
    std::string error;
    REQUIRE(dx.open(o, &error));
    dx.start();
    run_stretch(dx, s, 0, kCommands);
    dx.stop();
    CHECK(dx.sequencer().stats().snapshots == (snapshots_on ? opens.size() : 0));

    std::vector<exchange::Seq> listed;
    REQUIRE(dx.ledger().day_open_seqs(listed) == 0);
    CHECK(listed == opens);
    exchange::Seq newest = 0;
    REQUIRE(dx.ledger().newest_day_open_snapshot(newest) == 0);
    CHECK(newest == (snapshots_on ? opens.back() : 0));
  }
  RawLedger raw(dir.path());
  for (exchange::Seq seq : opens) {
    ledger::Checkpoint cp;
    REQUIRE(ledger::decode_checkpoint(raw.get(Table::Checkpoints, seq), cp));
    CHECK(cp.reason == ledger::CheckpointReason::DayOpen);
    CHECK(cp.state_hash == hash_after_prefix(s, seq));
  }
  const ledger::VerifyReport v = ledger::verify_ledger(dir.path());
  INFO(v.summary());
  REQUIRE(v.ok);
  CHECK(v.snapshots == (snapshots_on ? opens.size() : 0));  // each equal, byte for byte, to the replay's
  ReplayClock clock(s);
  ledger::DurableExchange dx(clock);
  std::string error;
  REQUIRE(dx.open(durable_options(dir.path()), &error));
  CHECK(dx.recovery().snapshot_seq == (snapshots_on ? opens.back() : 0));
  CHECK(dx.recovery().records == kCommands - dx.recovery().snapshot_seq);
  CHECK(dx.exchange().state_hash() == hash_after_prefix(s, kCommands));
}
