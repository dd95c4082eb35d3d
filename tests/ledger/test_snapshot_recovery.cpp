// Snapshots in the ledger: a DurableExchange writing a snapshot every few
// hundred commands and restarted at random points recovers from the newest
// snapshot plus the journal after it, into exactly the state of one
// uninterrupted in-memory run; a snapshot row that is damaged or of the wrong
// state is refused (recovery falls back to an older one, or to a full
// replay); verify_ledger() names a tampered snapshot row's seq.
//
// ERX_SEED=<n> picks the stream; the seed is printed when a check fails.

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "ledger/bytes.hpp"
#include "ledger/rows.hpp"
#include "ledger/verify.hpp"
#include "tests/ledger/ledger_test_helpers.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx;
using namespace erx::test;
using ledger::Table;

namespace {

constexpr std::uint64_t kSnapshotEvery = 500;

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
  CHECK(dx.sequencer().stats().snapshots == to / kSnapshotEvery - from / kSnapshotEvery);
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

// Direct access to the tables, as someone editing the file would have.
class RawLedger {
 public:
  explicit RawLedger(const std::string& dir) {
    ledger::LedgerOptions o;
    o.dir = dir;
    std::string error;
    REQUIRE(l_.open(o, &error) == 0);
  }
  std::string get(Table t, exchange::Seq seq) {
    ledger::lmdb::Txn txn;
    REQUIRE(txn.begin(l_.env(), true) == 0);
    std::string_view v;
    REQUIRE(l_.table(t).get(txn, ledger::key_u64(seq), v) == 0);
    return std::string(v);
  }
  void put(Table t, exchange::Seq seq, const std::string& value) {
    ledger::lmdb::Txn txn;
    REQUIRE(txn.begin(l_.env(), false) == 0);
    REQUIRE(l_.table(t).put(txn, ledger::key_u64(seq), value) == 0);
    REQUIRE(txn.commit() == 0);
  }

 private:
  ledger::Ledger l_;
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
    CHECK(rec.snapshot_seq == done / kSnapshotEvery * kSnapshotEvery);
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
  CHECK(v.snapshots == kCommands / kSnapshotEvery);
  CHECK(v.state_hash == hash_after_prefix(s, kCommands));
}

TEST_CASE("snapshot recovery: a damaged or wrong snapshot is refused and recovery falls back",
          "[ledger][snapshot]") {
  const std::uint64_t seed = seed_from_env(31);
  INFO("seed " << seed << " (rerun with ERX_SEED=" << seed << ")");
  constexpr std::size_t kCommands = 2'700;  // snapshots at 500 ... 2500
  const RecordedStream s = record_stream(seed, kCommands);
  TempDir dir("erx-snap-fallback");
  run_on(dir.path(), s, 0, kCommands);
  const std::uint64_t want = hash_after_prefix(s, kCommands);
  {
    const Reopened r = reopen(dir.path(), s);
    CHECK(r.recovery.snapshot_seq == 2'500);
    CHECK(r.recovery.records == 200);
    CHECK(r.hash == want);
  }
  RawLedger raw(dir.path());
  const std::string newest = raw.get(Table::Snapshots, 2'500);

  SECTION("one flipped byte: the next older snapshot") {
    flip_byte(raw, 2'500, newest.size() / 2);
    const Reopened r = reopen(dir.path(), s);
    CHECK(r.recovery.snapshot_seq == 2'000);
    CHECK(r.recovery.snapshots_refused == 1);
    CHECK(r.recovery.records == 700);
    CHECK(r.hash == want);
  }
  SECTION("a whole snapshot of another seq: refused, though its bytes are sound") {
    raw.put(Table::Snapshots, 2'500, raw.get(Table::Snapshots, 2'000));
    const Reopened r = reopen(dir.path(), s);
    CHECK(r.recovery.snapshot_seq == 2'000);
    CHECK(r.recovery.snapshots_refused == 1);
    CHECK(r.hash == want);
  }
  SECTION("a checkpoint whose state hash differs: its snapshot is refused") {
    std::string cp = raw.get(Table::Checkpoints, 2'500);
    cp[0] = static_cast<char>(cp[0] ^ 1);  // the state hash's low byte
    raw.put(Table::Checkpoints, 2'500, cp);
    ReplayClock clock(s);
    ledger::DurableExchange dx(clock);
    std::string error;
    // The snapshot at 2500 no longer matches; the one at 2000 loads, but its
    // replay meets the bad checkpoint, and so does the full replay it falls
    // back to: the ledger does not verify, and open() names the seq.
    CHECK_FALSE(dx.open(snapshot_options(dir.path()), &error));
    CHECK(error.find("2500") != std::string::npos);
  }
  SECTION("every snapshot damaged: a full replay") {
    for (exchange::Seq seq = kSnapshotEvery; seq <= 2'500; seq += kSnapshotEvery) flip_byte(raw, seq, 40);
    const Reopened r = reopen(dir.path(), s);
    CHECK(r.recovery.snapshot_seq == 0);
    CHECK(r.recovery.snapshots_refused == 5);
    CHECK(r.recovery.records == kCommands);
    CHECK(r.hash == want);
  }
}

TEST_CASE("snapshot verification: a tampered snapshot row is named by its seq", "[ledger][snapshot]") {
  const RecordedStream s = record_stream(seed_from_env(47), 1'800);  // snapshots at 500, 1000, 1500
  TempDir dir("erx-snap-verify");
  run_on(dir.path(), s, 0, 1'800);
  {
    const ledger::VerifyReport v = ledger::verify_ledger(dir.path());
    INFO(v.summary());
    REQUIRE(v.ok);
    CHECK(v.snapshots == 3);
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
