// Tamper evidence: any single changed byte of a journal record, any changed,
// missing or extra derived row, and missing records are found by
// verify_ledger(), which names the first bad seq.

#include <catch2/catch.hpp>

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

constexpr std::size_t kCommands = 3'000;

// A ledger written by the real sequencer from a recorded stream.
void build_ledger(const std::string& dir, const RecordedStream& s) {
  ReplayClock clock(s);
  ledger::DurableExchange dx(clock);
  std::string error;
  REQUIRE(dx.open(durable_options(dir), &error));
  dx.start();
  run_stretch(dx, s, 0, s.commands.size());
  dx.stop();
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
  std::string get(Table t, const std::string& key) {
    ledger::lmdb::Txn txn;
    REQUIRE(txn.begin(l_.env(), true) == 0);
    std::string_view v;
    REQUIRE(l_.table(t).get(txn, key, v) == 0);
    return std::string(v);
  }
  void put(Table t, const std::string& key, const std::string& value) {
    ledger::lmdb::Txn txn;
    REQUIRE(txn.begin(l_.env(), false) == 0);
    REQUIRE(l_.table(t).put(txn, key, value) == 0);
    REQUIRE(txn.commit() == 0);
  }
  void del(Table t, const std::string& key) {
    ledger::lmdb::Txn txn;
    REQUIRE(txn.begin(l_.env(), false) == 0);
    REQUIRE(l_.table(t).del(txn, key) == 0);
    REQUIRE(txn.commit() == 0);
  }
  // The keys of a table, in order.
  std::vector<std::string> keys(Table t) {
    ledger::lmdb::Txn txn;
    REQUIRE(txn.begin(l_.env(), true) == 0);
    ledger::lmdb::Cursor c;
    REQUIRE(c.open(txn, l_.table(t)) == 0);
    std::vector<std::string> out;
    std::string_view k, v;
    for (int rc = c.move(MDB_FIRST, k, v); rc == 0; rc = c.move(MDB_NEXT, k, v)) out.emplace_back(k);
    return out;
  }

 private:
  ledger::Ledger l_;
};

exchange::Seq row_seq(const std::string& value) { return ledger::Reader(value).u64(); }

}  // namespace

TEST_CASE("ledger tamper: every flipped journal byte names its record", "[ledger][tamper]") {
  const std::uint64_t seed = seed_from_env(4242);
  INFO("seed " << seed);
  const RecordedStream s = record_stream(seed, kCommands);
  TempDir dir("erx-tamper");
  build_ledger(dir.path(), s);
  {
    const ledger::VerifyReport clean = ledger::verify_ledger(dir.path());
    INFO(clean.summary());
    REQUIRE(clean.ok);
    REQUIRE(clean.verified_seq == kCommands);
  }
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 120; ++trial) {
    const exchange::Seq seq = 1 + rng() % kCommands;
    const std::string key = ledger::key_u64(seq);
    std::string original;
    {
      RawLedger raw(dir.path());
      original = raw.get(Table::Journal, key);
      std::string bad = original;
      const std::size_t at = rng() % bad.size();
      bad[at] = static_cast<char>(static_cast<unsigned char>(bad[at]) ^ (1u << (rng() % 8)));
      raw.put(Table::Journal, key, bad);
    }
    const ledger::VerifyReport v = ledger::verify_ledger(dir.path());
    INFO("trial " << trial << ": flipped a byte of seq " << seq << " -> " << v.summary());
    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == seq);
    CHECK(v.verified_seq == seq - 1);
    RawLedger(dir.path()).put(Table::Journal, key, original);
  }
  CHECK(ledger::verify_ledger(dir.path()).ok);  // restored
}

TEST_CASE("ledger tamper: changed, missing and extra rows are found with their seq", "[ledger][tamper]") {
  const RecordedStream s = record_stream(seed_from_env(99), kCommands);
  TempDir dir("erx-tamper-rows");
  build_ledger(dir.path(), s);
  REQUIRE(ledger::verify_ledger(dir.path()).ok);
  std::mt19937_64 rng(5);

  SECTION("a balance amount changed") {
    RawLedger raw(dir.path());
    const std::vector<std::string> keys = raw.keys(Table::Balances);
    REQUIRE(keys.size() > 10);
    const std::string key = keys[rng() % keys.size()];
    std::string v = raw.get(Table::Balances, key);
    v[8] = static_cast<char>(v[8] + 1);  // the amount's lowest byte
    raw.put(Table::Balances, key, v);
    const ledger::VerifyReport r = ledger::verify_ledger(dir.path());
    INFO(r.summary());
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == row_seq(v));
    CHECK(r.problem.find("balances") != std::string::npos);
  }
  SECTION("a trade removed") {
    RawLedger raw(dir.path());
    const std::vector<std::string> keys = raw.keys(Table::Trades);
    REQUIRE(keys.size() > 10);
    const std::string key = keys[rng() % keys.size()];
    const exchange::Seq seq = row_seq(raw.get(Table::Trades, key));
    raw.del(Table::Trades, key);
    const ledger::VerifyReport r = ledger::verify_ledger(dir.path());
    INFO(r.summary());
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == seq);
  }
  SECTION("an extra transfer") {
    RawLedger raw(dir.path());
    const std::vector<std::string> keys = raw.keys(Table::Transfers);
    std::string fake = raw.get(Table::Transfers, keys.back());
    raw.put(Table::Transfers, ledger::key_u64(ledger::get_be(keys.back(), 0, 8) + 1), fake);
    const ledger::VerifyReport r = ledger::verify_ledger(dir.path());
    INFO(r.summary());
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == row_seq(fake));
    CHECK(r.problem.find("transfers") != std::string::npos);
  }
  SECTION("an order's state rewritten") {
    RawLedger raw(dir.path());
    const std::vector<std::string> keys = raw.keys(Table::OrderState);
    const std::string key = keys[rng() % keys.size()];
    std::string v = raw.get(Table::OrderState, key);
    v.back() = static_cast<char>(v.back() ^ 0x40);
    raw.put(Table::OrderState, key, v);
    const ledger::VerifyReport r = ledger::verify_ledger(dir.path());
    INFO(r.summary());
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == row_seq(v));
  }
  SECTION("a record removed from the middle") {
    RawLedger(dir.path()).del(Table::Journal, ledger::key_u64(1234));
    const ledger::VerifyReport r = ledger::verify_ledger(dir.path());
    INFO(r.summary());
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == 1234);
  }
  SECTION("the last records removed (a checkpoint follows them)") {
    RawLedger raw(dir.path());
    // checkpoint_every is 997 in these tests: 2991 has one.
    for (exchange::Seq q = 2990; q <= kCommands; ++q) raw.del(Table::Journal, ledger::key_u64(q));
    const ledger::VerifyReport r = ledger::verify_ledger(dir.path());
    INFO(r.summary());
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_seq == 2990);
  }
}
