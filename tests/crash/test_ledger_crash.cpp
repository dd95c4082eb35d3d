// Crash tests of the real ledger: DurableExchange (ledger + sequencer + Exchange)
// in a child process, erx-crash-ledger (ledger_writer.cpp), under load.
//
//  - process crash: SIGKILL at random moments, restart, again and again on one
//    ledger; every restart must recover every acknowledged command, verify the
//    chain and checkpoints and hold the invariants and the uninterrupted run's
//    state (the writer checks its recovered state; the full regulator check
//    runs every few kills and at the end);
//  - power loss: the harness of docs/CRASH_TESTING.md (shim + images), with the
//    negative control under MDB_NOSYNC;
//  - fsync EIO: the sequencer fail-stops without a gap and a restart recovers.
//
// Environment: ERX_CRASH_SEED (the seed of the kill times and images; printed),
// ERX_CRASH_KILLS (SIGKILLs, default 200), ERX_CRASH_LEDGER_CUTS (power cuts,
// default 300), ERX_CRASH_NOSYNC_CUTS (negative control, default 60),
// ERX_CRASH_KEEP (keep failing cuts there).
#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/crash/harness.hpp"
#include "tests/crash/image_builder.hpp"

namespace fs = std::filesystem;
using namespace erx::crash;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kShim = ERX_CRASH_SHIM;
const std::string kLedger = ERX_CRASH_LEDGER;
// The command stream every writer and checker of these tests agrees on.
const std::string kStreamSeed = "7";
const std::string kCommands = "60000";

int env_int(const char* name, int fallback) {
  const char* s = std::getenv(name);
  return s != nullptr && *s != '\0' ? std::atoi(s) : fallback;
}

std::vector<std::string> writer_argv(const std::string& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {kLedger, "write", dir, "--seed", kStreamSeed, "--commands", kCommands,
                                   "--max-batch", "64"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

std::vector<std::string> checker_argv(bool exact = false) {
  std::vector<std::string> argv = {kLedger, "check", "{dir}", "{acks}", "--seed", kStreamSeed, "--commands", kCommands};
  if (exact) argv.push_back("--exact");
  return argv;
}

CampaignConfig ledger_campaign(int cuts) {
  CampaignConfig config;
  config.shim = kShim;
  config.cuts = cuts;
  config.seed = seed_from_environment();
  if (const char* keep = std::getenv("ERX_CRASH_KEEP"); keep != nullptr && *keep != '\0') config.keep_failures = keep;
  // The writer records its stream and recovers before its first write (some
  // tens of ms, more under the shim): timed kills are spread over that and the
  // writing; call kills land on the I/O itself.
  config.min_kill = std::chrono::microseconds(5'000);
  config.max_kill = std::chrono::microseconds(250'000);
  return config;
}

bool contiguous_from_one(const std::vector<std::uint64_t>& ids) {
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (ids[i] != i + 1) return false;
  return true;
}

// The seq of the writer's "recovered <seq> <hash>" line, once it is there.
std::optional<std::uint64_t> recovered_seq(const std::string& output) {
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("recovered ", 0) != 0) continue;
    return std::strtoull(line.c_str() + 10, nullptr, 10);
  }
  return std::nullopt;
}

// One writer run without the shim, killed at `kill_at` after the writer said it
// recovered (or after its start, when `during_startup`).
struct KilledRun {
  bool recovered = false;
  std::uint64_t recovered_seq = 0;
  std::vector<std::uint64_t> acked;
  bool finished = false;  // exited by itself before the kill
  int status = 0;
  std::string output;
};

KilledRun run_and_kill(const fs::path& dir, const fs::path& log, std::chrono::microseconds kill_at,
                       bool during_startup, const std::vector<std::string>& extra) {
  Child child = Child::spawn({writer_argv(dir.string(), extra), {}, true, log});
  AckParser parser;
  KilledRun run;
  auto deadline = Clock::now() + (during_startup ? kill_at : std::chrono::microseconds(30'000'000));
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    pollfd p{child.stdout_fd(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long long>(left, 5))) < 0) break;
    if ((p.revents & (POLLIN | POLLHUP)) == 0) continue;
    const ssize_t n = ::read(child.stdout_fd(), buf, sizeof buf);
    if (n <= 0) {  // the writer closed its output: it finished (or died)
      run.finished = true;
      break;
    }
    parser.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    if (const auto seq = recovered_seq(parser.other()); !run.recovered && seq) {
      run.recovered = true;
      run.recovered_seq = *seq;
      if (!during_startup) deadline = Clock::now() + kill_at;
    }
  }
  if (!run.finished) child.kill();
  run.status = child.wait();
  // Acks already in the pipe were printed before the kill: they count.
  for (ssize_t n; (n = ::read(child.stdout_fd(), buf, sizeof buf)) > 0;)
    parser.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  run.acked = parser.acked();
  run.output = slurp(log);
  return run;
}


}  // namespace

namespace {

struct KillReport {
  int kills = 0;
  int after_ack = 0;   // kills that fell after the run had acknowledged something
  int in_startup = 0;  // kills before the writer had recovered
  int lost = 0;        // restarts (or full checks) missing an acknowledged command
  int full_checks = 0;
  int ledgers = 1;
  std::uint64_t acked = 0;
  std::vector<std::string> failures;  // everything else that went wrong, described
  std::string summary() const {
    std::ostringstream out;
    out << kills << " kills (" << after_ack << " after acknowledgements, " << in_startup << " during startup), "
        << acked << " commands acknowledged, " << lost << " lost, " << failures.size() << " other failures, "
        << full_checks << " full verifications, " << ledgers << " ledgers";
    for (const std::string& f : failures) out << "\n  " << f;
    return out.str();
  }
};

// Kills writers on one ledger (a new one when the stream is done) and checks
// each restart: it recovers at least every acknowledged command, in order;
// the writer itself checks its recovered state (invariants, the uninterrupted
// run's hash) and exits non-zero otherwise; every 25 kills, and at the end,
// the regulator's full verification runs.
KillReport sigkill_campaign(int kills, std::uint64_t seed, const std::vector<std::string>& extra) {
  std::mt19937_64 rng(seed);
  TempDir tmp("erx-sigkill");
  KillReport report;
  int ledger_no = 0;
  fs::path dir = tmp.path() / "ledger-0";
  std::uint64_t max_acked = 0;
  auto fail = [&](int k, const std::string& what, const std::string& output) {
    if (report.failures.size() < 5) report.failures.push_back("kill " + std::to_string(k) + ": " + what + "\n" + output);
  };
  for (int k = 0; k < kills; ++k) {
    const bool during_startup = rng() % 5 == 0;
    const auto kill_at = std::chrono::microseconds(during_startup ? rng() % 60'000 : rng() % 120'000);
    const KilledRun run = run_and_kill(dir, tmp.path() / "writer.log", kill_at, during_startup, extra);
    ++report.kills;
    if (run.recovered && run.recovered_seq < max_acked) {
      ++report.lost;
      max_acked = run.recovered_seq;  // count each loss once
    }
    if (run.finished && !(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0))
      fail(k, "the writer failed (status " + std::to_string(run.status) + ")", run.output);
    for (std::size_t i = 0; i < run.acked.size(); ++i)
      if (run.acked[i] != run.recovered_seq + i + 1) {
        fail(k, "acknowledgements out of order", "");
        break;
      }
    if (!run.acked.empty()) {
      max_acked = run.acked.back();
      report.acked += run.acked.size();
      ++report.after_ack;
    }
    if (!run.recovered) ++report.in_startup;
    if (k % 25 == 24 || run.finished || k + 1 == kills) {
      std::vector<std::uint64_t> all(max_acked);
      for (std::uint64_t i = 0; i < max_acked; ++i) all[i] = i + 1;
      const CheckResult r = command_checker(checker_argv())(dir, all);
      ++report.full_checks;
      if (r.verdict == CheckResult::Verdict::Lost) ++report.lost;
      if (r.verdict == CheckResult::Verdict::Corrupt) fail(k, "full verification: corrupt", r.detail);
    }
    if (run.finished) {  // the stream is done: carry on with a new ledger
      dir = tmp.path() / ("ledger-" + std::to_string(++ledger_no));
      max_acked = 0;
      ++report.ledgers;
    }
  }
  return report;
}

}  // namespace

TEST_CASE("process crash: SIGKILL under load, restart - every acknowledged command is recovered",
          "[crash][sigkill]") {
  const int kills = env_int("ERX_CRASH_KILLS", 200);
  const std::uint64_t seed = seed_from_environment();
  std::cout << "SIGKILL: seed " << seed << " (ERX_CRASH_SEED to repeat)" << std::endl;
  const KillReport report = sigkill_campaign(kills, seed, {});
  std::cout << "SIGKILL: " << report.summary() << std::endl;
  INFO("seed " << seed << ": " << report.summary());
  CHECK(report.kills == kills);
  CHECK(report.lost == 0);
  CHECK(report.failures.empty());
  // Not vacuous: most kills fell under load, after acknowledgements.
  CHECK(report.after_ack * 2 >= kills);
}

TEST_CASE("process crash: negative control, acknowledging before the commit is caught", "[crash][sigkill]") {
  const std::uint64_t seed = seed_from_environment();
  const KillReport report = sigkill_campaign(env_int("ERX_CRASH_EARLY_KILLS", 30), seed, {"--ack-on-submit"});
  std::cout << "SIGKILL, acks on submit: " << report.summary() << std::endl;
  INFO("seed " << seed << ": " << report.summary());
  CHECK(report.lost > 0);
}

TEST_CASE("power loss: the ledger loses no acknowledged command and is never corrupt", "[crash][power]") {
  CampaignConfig config = ledger_campaign(env_int("ERX_CRASH_LEDGER_CUTS", 300));
  // No setup: every chain starts from an empty directory, so cuts also fall
  // while the ledger is being created.
  const WriterCommand writer{writer_argv("{dir}"), {}};
  std::cout << "ledger, default sync: seed " << config.seed << " (ERX_CRASH_SEED to repeat the images)" << std::endl;
  const CampaignReport report = run_campaign(config, writer, command_checker(checker_argv()));
  std::cout << report.summary() << std::endl;
  INFO(report.summary());
  CHECK(report.cuts == config.cuts);
  CHECK(report.log_mismatches == 0);
  CHECK(report.writer_failures == 0);
  CHECK(report.lost == 0);
  CHECK(report.corrupt == 0);
  CHECK(report.cuts_after_ack * 3 >= report.cuts);
  CHECK(report.cuts_with_unsynced * 4 >= report.cuts);
}

TEST_CASE("power loss: negative control, the same harness catches the ledger under MDB_NOSYNC", "[crash][power]") {
  CampaignConfig config = ledger_campaign(env_int("ERX_CRASH_NOSYNC_CUTS", 60));
  const WriterCommand writer{writer_argv("{dir}", {"--nosync"}), {}};
  std::cout << "ledger, MDB_NOSYNC: seed " << config.seed << std::endl;
  const CampaignReport report = run_campaign(config, writer, command_checker(checker_argv()));
  std::cout << report.summary() << std::endl;
  INFO(report.summary());
  CHECK(report.log_mismatches == 0);
  CHECK(report.failed() > 0);
  CHECK(report.lost > 0);
}

TEST_CASE("EIO: a failed fsync stops the sequencer without a gap - a restart recovers every acknowledged command",
          "[crash][eio]") {
  for (int eio_at : {1, 2, 7, 20}) {
    DYNAMIC_SECTION("EIO at sync call " << eio_at) {
      TempDir tmp("erx-ledger-eio");
      const fs::path dir = tmp.path() / "ledger";
      fs::create_directories(dir);
      RunOptions run;
      run.shim = kShim;
      run.dir = dir;
      run.log = tmp.path() / "io.log";
      run.output = tmp.path() / "stderr";
      run.shim_env = {"ERX_SHIM_EIO_AT=" + std::to_string(eio_at)};
      run.timeout = std::chrono::milliseconds(60000);
      // Half the runs as on a full disk (LMDB reports a short write there as
      // EIO): the free-space probe says 0 bytes, and the failure says so.
      const bool full_disk = eio_at == 2 || eio_at == 20;
      const RunResult r =
          run_writer({writer_argv("{dir}", full_disk ? std::vector<std::string>{"--free-space", "0"}
                                                     : std::vector<std::string>{}),
                      {}},
                     run);
      const std::string err = slurp(run.output);
      INFO(err);
      REQUIRE_FALSE(r.killed);
      REQUIRE(r.exited);
      const IoLog log = IoLog::read(run.log);
      CHECK(log.count(iolog::RecordType::EioInjected) == 1);
      // A failed sync at creation fails the open (exit 4); later ones fail a
      // commit and stop the sequencer (exit 3). Either way nothing unsynced
      // was acknowledged and the acks are 1..n without a gap.
      if (r.acked.empty()) {
        CHECK((r.exit_code == 3 || r.exit_code == 4));
      } else {
        CHECK(r.exit_code == 3);
        CHECK(err.find("FAIL-STOP") != std::string::npos);
        const std::string failed = "FAIL-STOP: ledger commit failed after seq " + std::to_string(r.acked.size()) + ": ";
        CHECK(err.find(failed + (full_disk ? "no space left on device (Input/output error (5); 0 bytes free on the "
                                             "ledger's file system)"
                                           : "Input/output error (5)")) != std::string::npos);
      }
      CHECK(contiguous_from_one(r.acked));
      if (r.exit_code == 4) continue;  // nothing was created: nothing to recover
      // The machine did not lose power: the ledger holds exactly what was acknowledged ...
      const CheckResult exact = command_checker(checker_argv(/*exact=*/true))(dir, r.acked);
      INFO(exact.detail);
      CHECK(exact.verdict == CheckResult::Verdict::Ok);
      // ... and a restart recovers it and carries on from there.
      Child again = Child::spawn({writer_argv(dir.string()), {}, true, tmp.path() / "restart.log"});
      AckParser parser;
      char buf[4096];
      for (ssize_t n; (n = ::read(again.stdout_fd(), buf, sizeof buf)) > 0;)
        parser.feed(std::string_view(buf, static_cast<std::size_t>(n)));
      const int status = again.wait();
      INFO(slurp(tmp.path() / "restart.log"));
      REQUIRE(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) == 0);
      CHECK(recovered_seq(parser.other()) == std::optional<std::uint64_t>(r.acked.size()));
      REQUIRE_FALSE(parser.acked().empty());
      CHECK(parser.acked().front() == r.acked.size() + 1);
    }
  }
}
