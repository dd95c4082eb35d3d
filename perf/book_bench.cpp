// erx-book-bench: the order-book workloads of perf/README.md.
//
// For each workload: generate the seeded op stream (untimed), then
//   1. throughput pass: ops in chunks of 65,536, one steady_clock read per
//      chunk; events go to a preallocated buffer and are hashed between chunks
//      (outside the timed region), so the hash proves what was computed;
//   2. latency pass on a fresh book: every 16th op is timed alone with the
//      TSC (rdtsc, calibrated against steady_clock), the rest run untimed;
//   3. repeat both passes `--runs` times and report the median.
// Separately, memory: RSS growth for 1,000,000 resting orders.
//
// usage: erx-book-bench [--ops N] [--runs R] [--seed S] [--only hot|deep|wide|mem]

#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "engine/book/order_book.hpp"
#include "perf/bench_common.hpp"
#include "perf/workload.hpp"

namespace {

using namespace erx;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kChunk = 65'536;
constexpr std::size_t kSampleEvery = 16;

// Stores events; the bench hashes them outside the timed region.
class BufferSink final : public book::EventSink {
 public:
  BufferSink() { events_.reserve(kChunk * 8); }
  void on_event(const book::Event& e) override { events_.push_back(e); }
  std::uint64_t drain(std::uint64_t h) {
    for (const auto& e : events_) {
      h = book::hash_event(h, e);
      trades_ += e.kind == book::EventKind::Trade;
    }
    count_ += events_.size();
    events_.clear();
    return h;
  }
  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] std::uint64_t trades() const { return trades_; }

 private:
  std::vector<book::Event> events_;
  std::uint64_t count_ = 0;
  std::uint64_t trades_ = 0;
};

double tsc_ns_per_tick() {
  const auto t0 = Clock::now();
  const std::uint64_t c0 = __rdtsc();
  while (Clock::now() - t0 < std::chrono::milliseconds(200)) {
  }
  const std::uint64_t c1 = __rdtsc();
  const double ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
  return ns / static_cast<double>(c1 - c0);
}

struct RunResult {
  double mops = 0;  // million ops per second
  double p50 = 0, p99 = 0, p999 = 0, max = 0;  // ns
  std::uint64_t hash = 0;
  std::uint64_t events = 0;
  std::uint64_t trades = 0;
  std::uint32_t resting_at_end = 0;
  std::size_t levels_at_end = 0;
};

RunResult run_once(const perf::Workload& w, double ns_per_tick) {
  RunResult r;
  {
    BufferSink sink;
    book::OrderBook b(w.config, sink);
    std::uint64_t h = 0xE4C0FFEE;
    Clock::duration busy{};
    for (std::size_t at = 0; at < w.ops.size(); at += kChunk) {
      const std::size_t end = std::min(at + kChunk, w.ops.size());
      const auto t0 = Clock::now();
      for (std::size_t i = at; i < end; ++i) perf::apply(b, w.ops[i]);
      busy += Clock::now() - t0;
      h = sink.drain(h);
    }
    const double secs = std::chrono::duration<double>(busy).count();
    r.mops = static_cast<double>(w.ops.size()) / secs / 1e6;
    r.hash = h;
    r.events = sink.count();
    r.trades = sink.trades();
    r.resting_at_end = b.open_orders();
    std::vector<book::LevelView> levels(1u << 17);
    r.levels_at_end = b.depth(book::Side::Buy, levels) + b.depth(book::Side::Sell, levels);
  }
  {
    BufferSink sink;
    book::OrderBook b(w.config, sink);
    std::vector<std::uint64_t> ticks;
    ticks.reserve(w.ops.size() / kSampleEvery + 1);
    for (std::size_t i = 0; i < w.ops.size(); ++i) {
      if (i % kSampleEvery == 0) {
        _mm_lfence();
        const std::uint64_t c0 = __rdtsc();
        _mm_lfence();
        perf::apply(b, w.ops[i]);
        _mm_lfence();
        const std::uint64_t c1 = __rdtsc();
        ticks.push_back(c1 - c0);
      } else {
        perf::apply(b, w.ops[i]);
      }
      if (i % kChunk == kChunk - 1) sink.drain(0);
    }
    std::sort(ticks.begin(), ticks.end());
    auto pct = [&](double q) {
      const auto idx = static_cast<std::size_t>(q * static_cast<double>(ticks.size() - 1));
      return static_cast<double>(ticks[idx]) * ns_per_tick;
    };
    r.p50 = pct(0.50);
    r.p99 = pct(0.99);
    r.p999 = pct(0.999);
    r.max = static_cast<double>(ticks.back()) * ns_per_tick;
  }
  return r;
}

double timer_overhead_ns(double ns_per_tick) {
  std::vector<std::uint64_t> t(100'000);
  for (auto& x : t) {
    _mm_lfence();
    const std::uint64_t c0 = __rdtsc();
    _mm_lfence();
    _mm_lfence();
    x = __rdtsc() - c0;
  }
  std::sort(t.begin(), t.end());
  return static_cast<double>(t[t.size() / 2]) * ns_per_tick;
}

long rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

void memory_report() {
  class Null final : public book::EventSink {
   public:
    void on_event(const book::Event&) override {}
  } sink;
  const long before = rss_kib();
  book::BookConfig cfg;
  cfg.ladder_min = 1;
  cfg.ladder_max = 20'000;
  cfg.initial_order_capacity = 1024;  // let it grow as a real book would
  const std::uint32_t n = 1'000'000;
  {
    book::OrderBook b(cfg, sink);
    for (std::uint32_t i = 0; i < n; ++i) {
      // Bids on [1, 10000], asks on [10001, 20000]: 100 orders per level.
      const bool buy = i % 2 == 0;
      const Price px = buy ? 1 + (i / 2) % 10'000 : 10'001 + (i / 2) % 10'000;
      b.add(book::NewOrder{i + 1ull, i % 1000, buy ? book::Side::Buy : book::Side::Sell, book::OrderType::Limit,
                           book::TimeInForce::Gtc, book::StpMode::None, px, 10, 0});
    }
    const long after = rss_kib();
    std::printf("memory: %u resting orders, RSS +%ld KiB = %.1f bytes per resting order (ladder of 20,000 levels included)\n",
                b.open_orders(), after - before,
                static_cast<double>(after - before) * 1024.0 / static_cast<double>(b.open_orders()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  perf::BenchArgs args{5'000'000, 5, 42, {}};
  if (!perf::parse_bench_args(argc, argv, args,
                              "erx-book-bench [--ops N] [--runs R] [--seed S] [--only hot|deep|wide|mem]"))
    return 2;
  const std::size_t ops = args.ops;
  const int runs = args.runs;
  const std::uint64_t seed = args.seed;
  const std::string& only = args.only;
  const double ns_per_tick = tsc_ns_per_tick();
  std::printf("erx-book-bench: ops=%zu runs=%d seed=%llu; latency: every %zuth op timed alone with rdtsc (%.2f ns/tick, timer overhead %.1f ns, not subtracted)\n",
              ops, runs, static_cast<unsigned long long>(seed), kSampleEvery, ns_per_tick,
              timer_overhead_ns(ns_per_tick));
  std::printf("%-5s %10s %8s %8s %8s %9s %10s  %-18s\n", "load", "M ops/s", "p50 ns", "p99 ns", "p99.9 ns", "max ns",
              "events", "event hash");

  using Maker = perf::Workload (*)(std::uint64_t, std::size_t);
  const std::pair<const char*, Maker> loads[] = {
      {"hot", perf::make_hot}, {"deep", perf::make_deep}, {"wide", perf::make_wide}};
  for (const auto& [name, make] : loads) {
    if (!only.empty() && only != name) continue;
    const perf::Workload w = make(seed, ops);
    std::vector<RunResult> rs;
    for (int k = 0; k < runs; ++k) rs.push_back(run_once(w, ns_per_tick));
    for (const auto& r : rs)
      if (r.hash != rs.front().hash) {
        std::fprintf(stderr, "%s: event hash differs between runs: nondeterminism\n", name);
        return 1;
      }
    auto median = [&](auto field) { return perf::median_of(rs, field); };
    std::printf("%-5s %10.2f %8.0f %8.0f %8.0f %9.0f %10llu  %016llx\n", name, median(&RunResult::mops),
                median(&RunResult::p50), median(&RunResult::p99), median(&RunResult::p999), median(&RunResult::max),
                static_cast<unsigned long long>(rs.front().events), static_cast<unsigned long long>(rs.front().hash));
    std::printf("      shape: %zu ops, %llu trades, %u resting orders on %zu levels at the end\n", w.ops.size(),
                static_cast<unsigned long long>(rs.front().trades), rs.front().resting_at_end, rs.front().levels_at_end);
    std::fflush(stdout);
  }
  if (only.empty() || only == "mem") memory_report();
  return 0;
}
