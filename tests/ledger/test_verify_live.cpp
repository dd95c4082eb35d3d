// Verification of a live ledger: verify_ledger() reads one consistent state
// (one read transaction for the replay, the row comparison, the snapshot
// checks and the final table scans), so a sequencer committing meanwhile
// never makes it report damage that is not there.
//
// `erx verify` runs as its own process, as a regulator runs it next to erxd:
// LMDB forbids opening one environment twice in one process (closing the
// second one drops the first one's file locks), so an in-process verifier
// would test LMDB's misuse, not the ledger.

#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "ledger/verify.hpp"
#include "tests/ledger/ledger_test_helpers.hpp"
#include "tests/ledger/tool_run.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx;
using namespace erx::test;

TEST_CASE("verify: a ledger verified while the sequencer commits gives no false alarm", "[ledger][verify]") {
  const std::uint64_t seed = seed_from_env(77);
  INFO("seed " << seed);
  constexpr std::size_t kHistory = 1'500, kTotal = 14'000;
  const RecordedStream s = record_stream(seed, kTotal);
  TempDir dir("erx-verify-live");
  ReplayClock clock(s);
  ledger::DurableExchange dx(clock);
  ledger::DurableOptions o = durable_options(dir.path(), 4);  // small batches: a commit every few commands
  o.sequencer.snapshot_every = 700;                            // snapshot rows written while verifying too
  o.sequencer.checkpoint_every = 350;
  std::string error;
  REQUIRE(dx.open(o, &error));
  dx.start();
  run_stretch(dx, s, 0, kHistory);

  CountingCompletion c;
  std::atomic<bool> submitted{false};
  std::thread producer([&] {
    for (std::size_t i = kHistory; i < kTotal; ++i)
      if (!dx.submit(s.commands[i].body, &c)) break;
    submitted = true;
  });
  constexpr int kRuns = 16;
  std::set<exchange::Seq> seen;
  int runs = 0, while_writing = 0;
  for (; runs < kRuns; ++runs) {
    const bool writing = c.committed() < kTotal - kHistory;
    const ToolRun v = run_tool({ERX_TOOL, "verify", dir.path().string()}, dir.path() / "verify.out");
    INFO("run " << runs << ": " << v.describe());
    CHECK(v.exit_code == 0);
    const std::size_t at = v.output.find("verified up to seq ");
    REQUIRE(at != std::string::npos);
    const exchange::Seq verified = std::stoull(v.output.substr(at + 19));
    CHECK(verified >= kHistory);
    seen.insert(verified);
    if (writing && c.committed() < kTotal - kHistory) ++while_writing;
  }
  producer.join();
  c.wait_for(kTotal - kHistory);
  dx.stop();
  REQUIRE(c.failed() == 0);
  INFO(while_writing << " of " << runs << " runs overlapped commits; " << seen.size() << " distinct seqs verified");
  // The test is only worth something if the writer committed during the runs.
  CHECK(while_writing >= kRuns / 2);
  CHECK(seen.size() >= 3);
  const ledger::VerifyReport last = ledger::verify_ledger(dir.path());
  INFO(last.summary());
  CHECK(last.ok);
  CHECK(last.verified_seq == kTotal);
}
