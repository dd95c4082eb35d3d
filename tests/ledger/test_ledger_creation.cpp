// Creation of a ledger, and what open() does with a directory a crash or an
// operator left behind (Ledger::prepare_creation, docs/LEDGER.md "Creation").

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "ledger/bytes.hpp"
#include "ledger/journal_record.hpp"
#include "ledger/rows.hpp"
#include "ledger/ledger.hpp"
#include "ledger/verify.hpp"
#include "tests/ledger/ledger_test_helpers.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx;
using namespace erx::test;
namespace fs = std::filesystem;

namespace {

ledger::LedgerOptions options(const fs::path& dir) {
  ledger::LedgerOptions o;
  o.dir = dir.string();
  o.initial_map_size = std::size_t{1} << 20;
  o.limits = exchange::test::flow_limits();
  return o;
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// A ledger with `n` commands of a recorded stream, closed again.
void make_ledger(const fs::path& dir, const RecordedStream& s, std::size_t n) {
  ReplayClock clock(s);
  ledger::DurableExchange dx(clock);
  std::string error;
  REQUIRE(dx.open(durable_options(dir.string()), &error));
  dx.start();
  run_stretch(dx, s, 0, n);
  dx.stop();
}

}  // namespace

TEST_CASE("ledger creation: a new ledger gets its marker only once it is complete", "[ledger][creation]") {
  TempDir tmp("erx-creation");
  const fs::path dir = tmp.sub("ledger");
  ledger::Ledger lg;
  std::string error;
  REQUIRE(lg.open(options(dir), &error) == 0);
  lg.close();
  CHECK(fs::exists(dir / ledger::kCreationMarker));
  CHECK(fs::exists(dir / "data.mdb"));
  // It reopens, and a read-only open (a regulator's copy) works too.
  REQUIRE(lg.open(options(dir), &error) == 0);
  lg.close();
  ledger::LedgerOptions ro = options(dir);
  ro.read_only = true;
  REQUIRE(lg.open(ro, &error) == 0);
  lg.close();
}

TEST_CASE("ledger creation: an unfinished creation (no marker, unreadable file) starts afresh", "[ledger][creation]") {
  TempDir tmp("erx-creation");
  const fs::path dir = tmp.sub("ledger");
  fs::create_directories(dir);
  SECTION("a data file shorter than its meta pages") { write_file(dir / "data.mdb", std::string(100, '\0')); }
  SECTION("meta pages lost (zeros)") { write_file(dir / "data.mdb", std::string(3 * 4096, '\0')); }
  SECTION("torn meta pages (garbage)") { write_file(dir / "data.mdb", std::string(2 * 4096, '\x5a')); }
  ledger::Ledger lg;
  std::string error;
  REQUIRE(lg.open(options(dir), &error) == 0);
  ledger::JournalTail tail;
  REQUIRE(lg.tail(tail) == 0);
  CHECK(tail.seq == 0);
  lg.close();
  CHECK(fs::exists(dir / ledger::kCreationMarker));
}

TEST_CASE("ledger creation: with its marker, a damaged or missing data file is an error, never replaced",
          "[ledger][creation]") {
  TempDir tmp("erx-creation");
  const fs::path dir = tmp.sub("ledger");
  const RecordedStream s = record_stream(5, 300);
  make_ledger(dir, s, 300);
  std::string error;
  ledger::Ledger lg;
  SECTION("data file missing") {
    fs::remove(dir / "data.mdb");
    CHECK(lg.open(options(dir), &error) == ENOENT);
    CHECK(error.find("data.mdb missing") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "data.mdb"));  // not silently recreated
  }
  SECTION("meta pages destroyed") {
    const auto size = fs::file_size(dir / "data.mdb");
    {
      std::fstream f(dir / "data.mdb", std::ios::binary | std::ios::in | std::ios::out);
      const std::string zeros(2 * 4096, '\0');
      f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    }
    CHECK(lg.open(options(dir), &error) == MDB_INVALID);
    CHECK(fs::file_size(dir / "data.mdb") == size);  // left for the operator to examine
  }
}

// Issue 12, item 12: a zero-length data.mdb next to the marker made open()
// start a brand-new ledger (and erxd load the demo into it) with one info line.
TEST_CASE("ledger creation: with its marker, an emptied or short data file is damage, never replaced",
          "[ledger][creation]") {
  TempDir tmp("erx-creation");
  const fs::path dir = tmp.sub("ledger");
  const RecordedStream s = record_stream(5, 50);
  make_ledger(dir, s, 50);
  const std::size_t size = GENERATE(std::size_t{0}, std::size_t{100}, std::size_t{4095}, std::size_t{4096},
                                    std::size_t{8191});
  std::filesystem::resize_file(dir / "data.mdb", size);
  std::string error;
  {
    ledger::Ledger lg;
    CHECK(lg.open(options(dir), &error) != 0);
    INFO(error);
    CHECK(lg.damaged());
    CHECK(error.find("truncated") != std::string::npos);
  }
  {
    ReplayClock clock(s);
    ledger::DurableExchange dx(clock);
    error.clear();
    CHECK_FALSE(dx.open(durable_options(dir.string()), &error));
    INFO(error);
    CHECK(dx.damaged());
  }
  CHECK(fs::file_size(dir / "data.mdb") == size);  // left for the operator to examine, never recreated
  CHECK(fs::exists(dir / ledger::kCreationMarker));
}

TEST_CASE("ledger creation: a complete ledger without the marker (a plain mdb_copy) is kept", "[ledger][creation]") {
  TempDir tmp("erx-creation");
  const fs::path dir = tmp.sub("ledger");
  const RecordedStream s = record_stream(6, 400);
  make_ledger(dir, s, 400);
  fs::remove(dir / ledger::kCreationMarker);
  ledger::Ledger lg;
  std::string error;
  REQUIRE(lg.open(options(dir), &error) == 0);
  ledger::JournalTail tail;
  REQUIRE(lg.tail(tail) == 0);
  CHECK(tail.seq == 400);
  lg.close();
  CHECK(fs::exists(dir / ledger::kCreationMarker));
  const ledger::VerifyReport report = ledger::verify_ledger(dir.string());
  INFO(report.summary());
  CHECK(report.ok);
  CHECK(report.verified_seq == 400);
}

TEST_CASE("journal: a record written by another engine version is refused by replay, with its seq",
          "[ledger][creation]") {
  // The version this build replaced, the first one, and a newer engine's
  // (docs/LEDGER.md lists what each version changed).
  const int current = ledger::kEngineVersion;
  REQUIRE(current >= 2);
  const int other = GENERATE_COPY(current - 1, 1, current + 1);
  const auto other_version = static_cast<std::uint16_t>(other);
  TempDir tmp("erx-engine-version");
  const fs::path dir = tmp.sub("ledger");
  const RecordedStream s = record_stream(8, 1);
  make_ledger(dir, s, 1);
  {
    // Rewrite record 1 as if an engine of that version had written it (hash
    // and all: a correct record, only from another engine).
    ledger::Ledger lg;
    std::string error;
    REQUIRE(lg.open(options(dir), &error) == 0);
    ledger::lmdb::Txn txn;
    REQUIRE(txn.begin(lg.env(), false) == 0);
    const std::string key = ledger::key_u64(1);
    std::string_view value;
    REQUIRE(lg.table(ledger::Table::Journal).get(txn, key, value) == 0);
    ledger::RecordView rec;
    REQUIRE(ledger::read_record(value, rec) == ledger::RecordDefect::None);
    ledger::RecordHeader old = rec.header;
    old.engine_version = other_version;
    std::string rewritten;
    ledger::append_record(rec.prev, old, std::string(rec.body), rewritten);
    REQUIRE(lg.table(ledger::Table::Journal).put(txn, key, rewritten) == 0);
    REQUIRE(txn.commit() == 0);
  }
  const ledger::VerifyReport report = ledger::verify_ledger(dir.string());
  INFO(report.summary());
  CHECK_FALSE(report.ok);
  CHECK(report.first_bad_seq == 1);
  CHECK(report.problem.find("engine version " + std::to_string(other)) != std::string::npos);
  CHECK(report.problem.find("this build replays version " + std::to_string(current)) != std::string::npos);
}
