// erx-ledger-bench: the "durable" workload of perf/README.md and the
// recovery figures of issue 4.
//
//   durable   the full-exchange flow (hot / deep / wide) submitted by one
//             producer thread through the sequencer: journal + derived rows,
//             group commit, LMDB default (durable) sync. Commands/s from the
//             first submit to the last acknowledgement. Without --rate the
//             producer submits as fast as the bounded queue lets it
//             (saturation: the ack latency is then mostly time in the full
//             queue); with --rate R it offers R commands/s (paced every 64
//             commands) and the ack latency (submit -> Completion, every 64th
//             command) is that of a loaded but not saturated exchange. The
//             fsync latency of the same disk is measured in the same run.
//   bytes     ledger file size per command (and after a compacting copy).
//   replay    the whole journal replayed into a fresh Exchange (hash chain,
//             checkpoints, engine), read-only: records/s.
//   restart   DurableExchange::open: the newest snapshot, then the journal
//             tail (chain, checkpoints) — seconds, and from which snapshot.
//   check     the file check every open runs first (ledger/file_check.hpp):
//             alone and as part of the restart, with the file's pages in the
//             page cache and with them dropped (posix_fadvise DONTNEED on
//             data.mdb only); "without the check" = restart - check.
//
// Every run prints the state hash after the replay and after the restart;
// both must equal the live state hash (a fast but wrong run is visible).
//
// usage: erx-ledger-bench [--ops N] [--only hot|deep|wide] [--dir D] [--batch B]
//                         [--rate R] [--snapshot-every S] [--keep]

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "ledger/durable_exchange.hpp"
#include "ledger/file_check.hpp"
#include "ledger/replay.hpp"
#include "perf/exchange_workload.hpp"

namespace {

using namespace erx;
using SteadyClock = std::chrono::steady_clock;

// Commands carry their own times (all equal here); the sequencer needs a clock.
class FixedClock final : public ledger::Clock {
 public:
  exchange::Timestamp now() override { return 1'767'571'200'000'000'000; }  // 2026-01-05T00:00:00Z
};

constexpr std::size_t kSampleEvery = 64;

// Records the acknowledgement time of sampled commands (seq -> index).
class AckRecorder final : public ledger::Completion {
 public:
  AckRecorder(std::size_t n, exchange::Seq first_seq) : submitted_(n / kSampleEvery + 1), acked_(n / kSampleEvery + 1), first_(first_seq) {}
  void submitted(std::size_t i) {
    if (i % kSampleEvery == 0) submitted_[i / kSampleEvery] = SteadyClock::now();
  }
  void done(const ledger::Outcome& o) override {
    if (o.status != ledger::Outcome::Status::Committed) {
      failed_.fetch_add(1);
    } else {
      const std::size_t i = o.seq - first_;
      if (i % kSampleEvery == 0) acked_[i / kSampleEvery] = SteadyClock::now();
    }
    count_.fetch_add(1, std::memory_order_release);
  }
  std::uint64_t count() const { return count_.load(std::memory_order_acquire); }
  std::uint64_t failed() const { return failed_.load(); }
  std::vector<double> latencies_us() const {
    std::vector<double> v;
    for (std::size_t k = 0; k < submitted_.size(); ++k)
      if (acked_[k] != SteadyClock::time_point{})
        v.push_back(std::chrono::duration<double, std::micro>(acked_[k] - submitted_[k]).count());
    std::sort(v.begin(), v.end());
    return v;
  }

 private:
  std::vector<SteadyClock::time_point> submitted_, acked_;
  exchange::Seq first_;
  std::atomic<std::uint64_t> count_{0}, failed_{0};
};

double pct(const std::vector<double>& v, double q) {
  return v.empty() ? 0 : v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

// fsync latency of this disk: 4 KiB appended and fdatasync'ed, 200 times.
std::vector<double> fsync_latencies_us(const std::string& dir) {
  const std::string path = dir + "/fsync-probe";
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0640);
  std::vector<double> v;
  if (fd < 0) return v;
  const std::string block(4096, 'x');
  for (int i = 0; i < 200; ++i) {
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) break;
    const auto t0 = SteadyClock::now();
    if (::fdatasync(fd) != 0) break;
    v.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count());
  }
  ::close(fd);
  ::unlink(path.c_str());
  std::sort(v.begin(), v.end());
  return v;
}

std::uintmax_t file_size(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

struct BenchOptions {
  std::size_t batch = 8'192;
  double rate = 0;  // commands/s offered; 0 = as fast as possible
  std::uint64_t snapshot_every = ledger::SequencerOptions{}.snapshot_every;
  bool keep = false;
};

// Drops one file's pages from the page cache (they are clean: every commit
// was synced), so the next read comes from the disk. Only this file: the
// machine is shared.
void drop_page_cache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fdatasync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

// The whole journal into a fresh Exchange, read-only: seconds and the state hash.
std::pair<double, std::uint64_t> full_replay(const std::string& dir, std::uint64_t& records) {
  ledger::Ledger lg;
  ledger::LedgerOptions lo;
  lo.dir = dir;
  lo.read_only = true;
  std::string error;
  if (lg.open(lo, &error) != 0) {
    std::fprintf(stderr, "replay: %s\n", error.c_str());
    return {0, 0};
  }
  erx::exchange::DiscardEvents sink;
  exchange::Exchange ex(sink, lg.limits());
  const auto t0 = SteadyClock::now();
  const ledger::ReplayResult r = ledger::replay_journal(lg, ex);
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  if (!r.ok) std::fprintf(stderr, "replay failed at seq %llu: %s\n", static_cast<unsigned long long>(r.bad_seq), r.problem.c_str());
  records = r.records;
  return {seconds, ex.state_hash()};
}

// Holds the producer back to `rate` commands/s (checked every 64 commands).
void pace(std::size_t i, double rate, SteadyClock::time_point t0) {
  if (rate <= 0 || i % kSampleEvery != 0) return;
  const auto due = t0 + std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(i) * 1e9 / rate));
  // Sleep, not spin: a spinning producer would take one of the two cores the
  // sequencer's threads need.
  std::this_thread::sleep_until(due);
}

void run(const char* name, const perf::Workload& w, const std::string& base, const BenchOptions& bo) {
  const std::string dir = base + "/" + name;
  std::filesystem::remove_all(dir);
  std::vector<exchange::Command> cmds = perf::setup_commands(w);
  const std::size_t setup = cmds.size();
  for (exchange::Command& c : perf::flow_commands(w, setup + 1)) cmds.push_back(std::move(c));

  FixedClock clock;
  ledger::DurableOptions o;
  o.ledger.dir = dir;
  o.ledger.initial_map_size = std::size_t{1} << 30;
  o.sequencer.max_batch = bo.batch;
  o.sequencer.snapshot_every = bo.snapshot_every;
  std::uint64_t live_hash = 0;
  double seconds = 0;
  std::vector<double> lat;
  ledger::SequencerStats stats;
  {
    ledger::DurableExchange dx(clock);
    std::string error;
    if (!dx.open(o, &error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      std::exit(1);
    }
    dx.start();
    AckRecorder acks(cmds.size(), 1);
    const auto t0 = SteadyClock::now();
    for (std::size_t i = 0; i < cmds.size(); ++i) {
      pace(i, bo.rate, t0);
      acks.submitted(i);
      if (!dx.submit(cmds[i].body, &acks)) break;
    }
    while (acks.count() < cmds.size()) std::this_thread::sleep_for(std::chrono::microseconds(50));
    seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    dx.stop();
    stats = dx.sequencer().stats();
    live_hash = dx.exchange().state_hash();
    lat = acks.latencies_us();
    if (acks.failed() != 0) std::fprintf(stderr, "%llu commands failed\n", static_cast<unsigned long long>(acks.failed()));
  }
  const std::vector<double> fs = fsync_latencies_us(dir);
  const std::uintmax_t bytes = file_size(dir + "/data.mdb");

  std::uint64_t records = 0;
  const auto [replay_s, replayed_hash] = full_replay(dir, records);
  // The file check alone, warm then cold (this file's pages dropped).
  const std::string data = dir + "/data.mdb";
  ledger::FileCheck check;
  auto timed_check = [&] {
    const auto t0 = SteadyClock::now();
    check = ledger::check_data_file(data);
    if (!check.ok()) std::fprintf(stderr, "file check: %s\n", check.problem.c_str());
    return std::chrono::duration<double>(SteadyClock::now() - t0).count();
  };
  const double check_warm = timed_check();
  drop_page_cache(data);
  const double check_cold = timed_check();
  // Restart: open = recovery (newest snapshot, then the journal tail).
  double restart = 0, restart_cold = 0;
  std::uint64_t restarted_hash = 0, tail_records = 0;
  exchange::Seq snapshot_seq = 0;
  for (bool cold : {true, false}) {  // the cold one first: the warm one then finds every page cached
    if (cold) drop_page_cache(data);
    ledger::DurableExchange dx(clock);
    std::string error;
    const auto t0 = SteadyClock::now();
    if (!dx.open(o, &error)) std::fprintf(stderr, "reopen: %s\n", error.c_str());
    (cold ? restart_cold : restart) = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    restarted_hash = dx.exchange().state_hash();
    tail_records = dx.recovery().records;
    snapshot_seq = dx.recovery().snapshot_seq;
  }
  std::uintmax_t compact = 0;
  {
    ledger::Ledger l;
    std::string error;
    ledger::LedgerOptions lo;
    lo.dir = dir;
    if (l.open(lo, &error) == 0 && l.backup(dir + "-copy", &error) == 0) compact = file_size(dir + "-copy/data.mdb");
    std::filesystem::remove_all(dir + "-copy");
  }
  const double n = static_cast<double>(cmds.size());
  const bool same = replayed_hash == live_hash && restarted_hash == live_hash;
  std::printf("%-5s %9.0f %7llu %6.0f | %8.0f %8.0f %8.0f | %7.0f %7.0f | %6.0f %6.0f | %9.0f %7.2f  %016llx %s\n",
              name, n / seconds, static_cast<unsigned long long>(stats.batches),
              n / static_cast<double>(stats.batches), pct(lat, 0.5), pct(lat, 0.99), pct(lat, 0.999), pct(fs, 0.5),
              pct(fs, 0.99), static_cast<double>(bytes) / n, static_cast<double>(compact) / n,
              static_cast<double>(records) / replay_s, restart, static_cast<unsigned long long>(live_hash),
              same ? "ok" : "MISMATCH");
  auto per_cmd = [n](std::uint64_t total_ns) { return static_cast<double>(total_ns) / n; };
  std::printf("      ns/cmd: apply thread: apply %.0f, finish rows %.0f; writer thread: puts %.0f, commit %.0f; wall %.0f\n",
              per_cmd(stats.apply_ns), per_cmd(stats.finish_ns), per_cmd(stats.write_ns), per_cmd(stats.commit_ns),
              seconds * 1e9 / n);
  std::printf("      restart: snapshot at seq %llu (%llu snapshots written, last %.1f MB) + %llu journal records; "
              "full replay %llu records in %.2f s\n",
              static_cast<unsigned long long>(snapshot_seq), static_cast<unsigned long long>(stats.snapshots),
              static_cast<double>(stats.snapshot_bytes) / 1e6, static_cast<unsigned long long>(tail_records),
              static_cast<unsigned long long>(records), replay_s);
  std::printf("      open: file check of %.0f MB (%llu tree + %llu overflow pages, %llu entries, %u tables) "
              "%.3f s warm / %.3f s cold; restart %.3f s warm (%.3f s without the check) / %.3f s cold\n",
              static_cast<double>(check.file_bytes) / 1e6, static_cast<unsigned long long>(check.tree_pages),
              static_cast<unsigned long long>(check.overflow_pages), static_cast<unsigned long long>(check.entries),
              check.tables, check_warm, check_cold, restart, restart - check_warm, restart_cold);
  if (!bo.keep) std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t ops = 1'000'000;
  BenchOptions bo;
  std::string only;
  std::string dir = "build/ledger-bench";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--keep") bo.keep = true;
    else if (i + 1 < argc && a == "--ops") ops = std::strtoull(argv[++i], nullptr, 10);
    else if (i + 1 < argc && a == "--batch") bo.batch = std::strtoull(argv[++i], nullptr, 10);
    else if (i + 1 < argc && a == "--rate") bo.rate = std::strtod(argv[++i], nullptr);
    else if (i + 1 < argc && a == "--snapshot-every") bo.snapshot_every = std::strtoull(argv[++i], nullptr, 10);
    else if (i + 1 < argc && a == "--only") only = argv[++i];
    else if (i + 1 < argc && a == "--dir") dir = argv[++i];
    else {
      std::fprintf(stderr, "usage: erx-ledger-bench [--ops N] [--only hot|deep|wide] [--dir D] [--batch B] [--rate R] "
                           "[--snapshot-every S] [--keep]\n");
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  std::filesystem::create_directories(dir);
  std::printf("erx-ledger-bench: ops=%zu max_batch=%zu offered=%s snapshot_every=%llu dir=%s; ack latency = submit -> "
              "Completion, every %zuth command\n",
              ops, bo.batch, bo.rate > 0 ? (std::to_string(static_cast<long long>(bo.rate)) + "/s").c_str() : "max",
              static_cast<unsigned long long>(bo.snapshot_every), dir.c_str(), kSampleEvery);
  std::printf("%-5s %9s %7s %6s | %8s %8s %8s | %7s %7s | %6s %6s | %9s %7s  %-16s\n", "load", "cmds/s",
              "batches", "per_b", "ack_p50", "ack_p99", "ack_p999", "fsync50", "fsync99", "B/cmd", "B/c_cp",
              "replay/s", "restart", "state hash");
  std::printf("%-5s %9s %7s %6s | %8s %8s %8s | %7s %7s | %6s %6s | %9s %7s\n", "", "", "", "", "us", "us", "us",
              "us", "us", "", "", "records", "s");
  using Maker = perf::Workload (*)(std::uint64_t, std::size_t);
  const std::pair<const char*, Maker> loads[] = {{"hot", perf::make_hot}, {"deep", perf::make_deep}, {"wide", perf::make_wide}};
  for (const auto& [name, make] : loads)
    if (only.empty() || only == name) run(name, make(42, ops), dir, bo);
  return 0;
}
