// The structural check of LMDB's data file (ledger/file_check.hpp): a file
// written by the sequencer passes; truncation at every page boundary (one page
// short included), a leaf page's flags, and meta pages whose transaction ids
// would make LMDB fall back silently are found, named, and refused by every
// open, before LMDB maps the file. The corpus of every kind of damage is
// tests/ledger/test_damaged_corpus.cpp.

#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "ledger/file_check.hpp"
#include "ledger/verify.hpp"
#include "tests/ledger/file_bytes.hpp"
#include "tests/ledger/ledger_test_helpers.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx;
using namespace erx::test;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPage = 4096;

void make_ledger(const fs::path& dir, const RecordedStream& s, std::size_t max_batch = 64) {
  ReplayClock clock(s);
  ledger::DurableExchange dx(clock);
  std::string error;
  REQUIRE(dx.open(durable_options(dir.string(), max_batch), &error));
  dx.start();
  run_stretch(dx, s, 0, s.commands.size());
  dx.stop();
}

// The first leaf page holding journal records: a node with an 8-byte key
// (big-endian seq) whose record has format 1 and that seq in its header.
std::size_t journal_leaf(const std::string& file) {
  for (std::size_t pg = 2; pg * kPage < file.size(); ++pg) {
    const std::size_t base = pg * kPage;
    if (get<std::uint16_t>(file, base + 10) != 0x02 || get<std::uint16_t>(file, base + 12) < 18) continue;
    const std::size_t node = base + get<std::uint16_t>(file, base + 16);
    if (node + 8 + 8 + 44 > base + kPage || get<std::uint16_t>(file, node + 6) != 8) continue;
    const std::size_t key = node + 8, rec = key + 8;
    std::uint64_t seq = 0;
    for (int i = 0; i < 8; ++i) seq = seq << 8 | static_cast<unsigned char>(file[key + static_cast<std::size_t>(i)]);
    if (file[rec + 32] == 1 && file[rec + 33] == 0 && get<std::uint64_t>(file, rec + 36) == seq) return pg;
  }
  return 0;
}

ledger::LedgerOptions writer_options(const fs::path& dir) {
  ledger::LedgerOptions o;
  o.dir = dir.string();
  o.limits = exchange::test::flow_limits();
  return o;
}

// Every open refuses it as damage, names `what`, and leaves the file as it was.
void refused_everywhere(const fs::path& dir, const std::string& what) {
  const std::string before = read_all(dir / "data.mdb");
  std::string error;
  {
    ledger::Ledger lg;
    CHECK(lg.open(writer_options(dir), &error) != 0);
    CHECK(lg.damaged());
    INFO(error);
    CHECK(error.find(what) != std::string::npos);
  }
  {
    ledger::LedgerOptions ro = writer_options(dir);
    ro.read_only = true;
    ledger::Ledger lg;
    error.clear();
    CHECK(lg.open(ro, &error) != 0);
    CHECK(lg.damaged());
  }
  {
    ledger::SystemClock clock;
    ledger::DurableExchange dx(clock);
    error.clear();
    CHECK_FALSE(dx.open(durable_options(dir.string()), &error));
    CHECK(dx.damaged());
  }
  const ledger::VerifyReport v = ledger::verify_ledger(dir.string());
  INFO(v.summary());
  CHECK_FALSE(v.ok);
  CHECK_FALSE(v.environment);
  CHECK(v.first_bad_seq == 0);
  CHECK(v.problem.find(what) != std::string::npos);
  CHECK(read_all(dir / "data.mdb") == before);  // left for the operator to examine
}

}  // namespace

TEST_CASE("file check: a ledger written by the sequencer passes, figures and all", "[ledger][file-check]") {
  TempDir tmp("erx-file-check");
  const fs::path dir = tmp.sub("ledger");
  make_ledger(dir, record_stream(11, 2'000));
  const ledger::FileCheck c = ledger::check_data_file((dir / "data.mdb").string());
  INFO(c.problem);
  REQUIRE(c.ok());
  CHECK(c.page_size == kPage);
  CHECK(c.tables == ledger::kTables);
  CHECK(c.txnid > 2);
  CHECK(c.file_bytes >= (c.last_page + 1) * kPage);
  CHECK(c.tree_pages > 20);
  CHECK(c.entries > 2'000);  // the journal alone has 2,000
  // Every page below the last one is in a tree, an overflow run or on the free list.
  CHECK(c.tree_pages + c.overflow_pages + c.free_pages == c.last_page + 1 - 2);
}

TEST_CASE("file check: a file truncated at any page boundary below its last page is damage", "[ledger][file-check]") {
  TempDir tmp("erx-file-check");
  const fs::path dir = tmp.sub("ledger");
  make_ledger(dir, record_stream(12, 600));
  const std::string whole = read_all(dir / "data.mdb");
  const ledger::FileCheck clean = ledger::check_data_file((dir / "data.mdb").string());
  REQUIRE(clean.ok());
  const std::size_t need = (clean.last_page + 1) * kPage;
  REQUIRE(whole.size() >= need);
  for (std::size_t size = 0; size < need; size += kPage) {
    write_all(dir / "data.mdb", whole.substr(0, size));
    const ledger::FileCheck c = ledger::check_data_file((dir / "data.mdb").string());
    INFO("truncated to " << size << ": " << c.problem);
    CHECK(c.status == ledger::FileCheck::Status::Damaged);
    CHECK(c.problem.find("truncated") != std::string::npos);
  }
  SECTION("one page short, refused by every open") {
    write_all(dir / "data.mdb", whole.substr(0, need - kPage));
    refused_everywhere(dir, "1 of its pages missing");
  }
  SECTION("half") {
    write_all(dir / "data.mdb", whole.substr(0, need / 2 / kPage * kPage));
    refused_everywhere(dir, "truncated");
  }
  SECTION("8 KiB: the meta pages only") {
    write_all(dir / "data.mdb", whole.substr(0, 2 * kPage));
    refused_everywhere(dir, "truncated");
  }
}

TEST_CASE("file check: a flipped flag of a journal leaf page is named, not crashed on", "[ledger][file-check]") {
  TempDir tmp("erx-file-check");
  const fs::path dir = tmp.sub("ledger");
  make_ledger(dir, record_stream(13, 600));
  std::string file = read_all(dir / "data.mdb");
  const std::size_t pg = journal_leaf(file);
  REQUIRE(pg != 0);
  const int flip = GENERATE(0x01, 0x04, 0x08, 0x10, 0x20, 0x40);  // branch, overflow, meta, dirty, leaf2, subpage
  set<std::uint16_t>(file, pg * kPage + 10, static_cast<std::uint16_t>(0x02 ^ flip));
  write_all(dir / "data.mdb", file);
  refused_everywhere(dir, "page " + std::to_string(pg) + " (table 'journal'");
}

TEST_CASE("file check: meta pages whose transaction ids would make LMDB take the older state are refused",
          "[ledger][file-check]") {
  TempDir tmp("erx-file-check");
  const fs::path dir = tmp.sub("ledger");
  make_ledger(dir, record_stream(14, 600), 16);
  std::string file = read_all(dir / "data.mdb");
  const auto txn0 = get<std::uint64_t>(file, 144), txn1 = get<std::uint64_t>(file, kPage + 144);
  REQUIRE((txn0 > txn1 ? txn0 - txn1 : txn1 - txn0) == 1);
  const std::size_t cur = txn0 > txn1 ? 0 : kPage, old = txn0 > txn1 ? kPage : 0;
  const std::uint64_t t = std::max(txn0, txn1);
  SECTION("the older one's id raised past the newer one (LMDB would use it)") {
    set<std::uint64_t>(file, old + 144, t + 1);
    set<std::uint64_t>(file, old + 136, get<std::uint64_t>(file, cur + 136));  // same last page: only the id tells
    write_all(dir / "data.mdb", file);
    refused_everywhere(dir, "transaction id is damaged");
  }
  SECTION("ids that are not two consecutive ones") {
    set<std::uint64_t>(file, cur + 144, t + 2);
    write_all(dir / "data.mdb", file);
    refused_everywhere(dir, "LMDB keeps two consecutive ones");
  }
  SECTION("an id of the wrong parity for its page") {
    set<std::uint64_t>(file, cur + 144, t + 1);
    write_all(dir / "data.mdb", file);
    refused_everywhere(dir, "LMDB writes only");
  }
}
