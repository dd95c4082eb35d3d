// Recovery: a DurableExchange stopped and restarted at random points of a
// seeded command stream ends in exactly the state of one uninterrupted
// in-memory run over the same commands; the ledger then verifies.
//
// ERX_SEED=<n> picks the stream; the seed is printed when a check fails.

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "ledger/verify.hpp"
#include "tests/ledger/ledger_test_helpers.hpp"
#include "tests/support/temp_dir.hpp"

using namespace erx;
using namespace erx::test;

TEST_CASE("ledger recovery: restarts at random points give the uninterrupted run's state", "[ledger][recovery]") {
  const std::uint64_t seed = seed_from_env(20261122);
  INFO("seed " << seed << " (rerun with ERX_SEED=" << seed << ")");
  constexpr std::size_t kCommands = 12'000;
  const RecordedStream s = record_stream(seed, kCommands);

  std::mt19937_64 rng(seed);
  std::vector<std::size_t> stops;
  for (int i = 0; i < 7; ++i) stops.push_back(1 + rng() % (kCommands - 1));
  stops.push_back(kCommands);
  std::sort(stops.begin(), stops.end());
  stops.erase(std::unique(stops.begin(), stops.end()), stops.end());

  TempDir dir("erx-recovery");
  std::size_t done = 0;
  int grows = 0;
  for (std::size_t stop : stops) {
    ReplayClock clock(s, done);
    ledger::DurableExchange dx(clock);
    std::string error;
    // A different batch size each time: results must not depend on batching.
    REQUIRE(dx.open(durable_options(dir.path(), 1 + rng() % 700), &error));
    INFO("restart at " << done << ", running to " << stop);
    REQUIRE(dx.recovery().ok);
    REQUIRE(dx.recovery().last_seq == done);
    REQUIRE(dx.exchange().state_hash() == hash_after_prefix(s, done));
    dx.start();
    run_stretch(dx, s, done, stop);
    dx.stop();
    dx.exchange().check_invariants();
    CHECK(dx.exchange().state_hash() == hash_after_prefix(s, stop));
    grows += dx.ledger().map_grows();
    done = stop;
  }
  CHECK(grows > 0);  // started at 1 MiB: the map had to grow, and nothing was lost

  const ledger::VerifyReport v = ledger::verify_ledger(dir.path());
  INFO(v.summary());
  REQUIRE(v.ok);
  CHECK(v.verified_seq == kCommands);
  CHECK(v.state_hash == hash_after_prefix(s, kCommands));
  CHECK(v.checkpoints >= kCommands / 997);
  CHECK(v.rows > kCommands);
}

TEST_CASE("ledger recovery: an empty ledger opens at seq 0 and the first command is seq 1", "[ledger][recovery]") {
  const RecordedStream s = record_stream(7, 50);
  TempDir dir("erx-empty");
  ReplayClock clock(s);
  ledger::DurableExchange dx(clock);
  std::string error;
  REQUIRE(dx.open(durable_options(dir.path()), &error));
  CHECK(dx.recovery().last_seq == 0);
  CHECK(dx.recovery().records == 0);
  dx.start();
  run_stretch(dx, s, 0, 1);
  dx.stop();
  CHECK(dx.exchange().last_seq() == 1);
}

TEST_CASE("ledger backup: a compacting copy taken while writing verifies and reopens", "[ledger][backup]") {
  const RecordedStream s = record_stream(11, 6'000);
  TempDir dir("erx-backup");
  ReplayClock clock(s);
  ledger::DurableExchange dx(clock);
  std::string error;
  REQUIRE(dx.open(durable_options(dir.path(), 64), &error));
  dx.start();
  run_stretch(dx, s, 0, 3'000);
  // Copy while the sequencer keeps committing the rest.
  CountingCompletion c;
  for (std::size_t i = 3'000; i < 6'000; ++i) REQUIRE(dx.submit(s.commands[i].body, &c));
  REQUIRE(dx.ledger().backup(dir.sub("copy"), &error) == 0);
  c.wait_for(3'000);
  dx.stop();

  const ledger::VerifyReport copy = ledger::verify_ledger(dir.sub("copy"));
  INFO(copy.summary());
  REQUIRE(copy.ok);
  CHECK(copy.verified_seq >= 3'000);  // whatever was committed when the copy's read began
  CHECK(copy.state_hash == hash_after_prefix(s, copy.verified_seq));
  const ledger::VerifyReport live = ledger::verify_ledger(dir.path());
  CHECK(live.ok);
  CHECK(live.verified_seq == 6'000);
  // The copy is a working ledger: it recovers and continues the stream.
  ReplayClock clock2(s, copy.verified_seq);
  ledger::DurableExchange again(clock2);
  REQUIRE(again.open(durable_options(dir.sub("copy")), &error));
  again.start();
  run_stretch(again, s, copy.verified_seq, 6'000);
  again.stop();
  CHECK(again.exchange().state_hash() == hash_after_prefix(s, 6'000));
}

// A backup on the writer's own environment (Ledger::backup from another
// thread) holds a read transaction while the sequencer's writer may have to
// grow the map: LMDB then replaces the map under the copy, which crashed
// (SIGSEGV / SIGBUS inside mdb_env_copy2, about once a second here) until a
// growth waited for the backup. In a forked child, for a fixed time: the test
// sees a signal as a failure instead of dying of it.
TEST_CASE("ledger backup: copies taken over and over while the map grows never crash", "[ledger][backup]") {
  const RecordedStream s = record_stream(11, 1'500);
  TempDir tmp("erx-backup-grow");
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const auto start = std::chrono::steady_clock::now();
    int cycles = 0;
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(3) || cycles < 2) {
      const std::string dir = tmp.sub("ledger-" + std::to_string(cycles)), copy = dir + "-copy";
      ReplayClock clock(s);
      ledger::DurableExchange dx(clock);
      ledger::DurableOptions o = durable_options(dir, 8);
      o.ledger.initial_map_size = 32 << 10;  // grows eight times or so
      o.ledger.env_flags = MDB_NOSYNC;       // many commits fast; durability is not the point here
      std::string error;
      if (!dx.open(o, &error)) ::_exit(2);
      dx.start();
      CountingCompletion c;
      std::thread producer([&] {
        for (const exchange::Command& cmd : s.commands) dx.submit(cmd.body, &c);
      });
      while (c.committed() + c.failed() < s.commands.size()) {
        std::filesystem::remove_all(copy);
        if (dx.ledger().backup(copy, &error) != 0) {
          std::fprintf(stderr, "backup failed: %s\n", error.c_str());
          ::_exit(3);
        }
      }
      producer.join();
      dx.stop();
      if (c.failed() != 0 || dx.ledger().map_grows() == 0) ::_exit(4);
      ++cycles;
      std::filesystem::remove_all(dir);
      std::filesystem::remove_all(copy);
    }
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  INFO((WIFSIGNALED(status) ? std::string("died of ") + strsignal(WTERMSIG(status))
                            : "exit " + std::to_string(WEXITSTATUS(status))));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
