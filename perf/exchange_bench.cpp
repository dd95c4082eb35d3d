// erx-exchange-bench: the "full exchange" workload of perf/README.md.
//
// The order flows of erx-book-bench (hot, deep, wide) go through the whole
// Exchange state machine instead of a bare book: 64 members with one account
// each, fully prefunded (cash and rights), fees on every fill, reservations at
// entry, delivery versus payment on every trade, T+1 locks. Each book op
// becomes a command (order / cancel by ClOrdID / modify).
//
// Throughput: commands in chunks of 65,536, one steady_clock read per chunk,
// the sink only counts events (what a consumer does with them is the ledger's
// cost, measured there). Latency: every 16th command timed alone with rdtsc.
// Determinism: the final state hash is printed and must match across runs.
//
// usage: erx-exchange-bench [--ops N] [--runs R] [--seed S] [--only hot|deep|wide]

#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/exchange/exchange.hpp"
#include "perf/bench_common.hpp"
#include "perf/exchange_workload.hpp"

namespace {

using namespace erx;
using namespace erx::exchange;
using perf::flow_commands;
using perf::setup_commands;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kChunk = 65'536;
constexpr std::size_t kSampleEvery = 16;

class CountingSink final : public ExchangeSink {
 public:
  void on_event(Seq, const Event&) override { ++events; }
  std::uint64_t events = 0;
};

double tsc_ns_per_tick() {
  const auto t0 = Clock::now();
  const std::uint64_t c0 = __rdtsc();
  while (Clock::now() - t0 < std::chrono::milliseconds(200)) {
  }
  const std::uint64_t c1 = __rdtsc();
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
  return static_cast<double>(ns) / static_cast<double>(c1 - c0);
}

struct RunResult {
  double mcps = 0;  // million commands per second
  double p50 = 0, p99 = 0, p999 = 0;
  std::uint64_t events = 0;
  std::uint64_t state_hash = 0;
};

RunResult run_once(const std::vector<Command>& setup, const std::vector<Command>& flow, double ns_per_tick) {
  RunResult r;
  {
    CountingSink sink;
    Exchange ex(sink);
    for (const Command& c : setup) ex.apply(c);
    Clock::duration busy{};
    for (std::size_t at = 0; at < flow.size(); at += kChunk) {
      const std::size_t end = std::min(at + kChunk, flow.size());
      const auto t0 = Clock::now();
      for (std::size_t i = at; i < end; ++i) ex.apply(flow[i]);
      busy += Clock::now() - t0;
    }
    r.mcps = static_cast<double>(flow.size()) / std::chrono::duration<double>(busy).count() / 1e6;
    r.events = sink.events;
    r.state_hash = ex.state_hash();
    ex.check_invariants();  // after the timed region: the run was not only fast but right
  }
  {
    CountingSink sink;
    Exchange ex(sink);
    for (const Command& c : setup) ex.apply(c);
    std::vector<std::uint64_t> ticks;
    ticks.reserve(flow.size() / kSampleEvery + 1);
    for (std::size_t i = 0; i < flow.size(); ++i) {
      if (i % kSampleEvery != 0) {
        ex.apply(flow[i]);
        continue;
      }
      _mm_lfence();
      const std::uint64_t c0 = __rdtsc();
      _mm_lfence();
      ex.apply(flow[i]);
      _mm_lfence();
      ticks.push_back(__rdtsc() - c0);
    }
    std::sort(ticks.begin(), ticks.end());
    auto pct = [&](double q) {
      return static_cast<double>(ticks[static_cast<std::size_t>(q * static_cast<double>(ticks.size() - 1))]) *
             ns_per_tick;
    };
    r.p50 = pct(0.5);
    r.p99 = pct(0.99);
    r.p999 = pct(0.999);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  perf::BenchArgs args{2'000'000, 3, 42, {}};
  if (!perf::parse_bench_args(argc, argv, args,
                              "erx-exchange-bench [--ops N] [--runs R] [--seed S] [--only hot|deep|wide]"))
    return 2;
  const std::size_t ops = args.ops;
  const int runs = args.runs;
  const std::uint64_t seed = args.seed;
  const std::string& only = args.only;
  const double ns_per_tick = tsc_ns_per_tick();
  std::printf("erx-exchange-bench: ops=%zu runs=%d seed=%llu; latency: every %zuth command timed alone (rdtsc, ~20 ns timer cost included)\n",
              ops, runs, static_cast<unsigned long long>(seed), kSampleEvery);
  std::printf("%-5s %12s %8s %8s %9s %10s  %-18s\n", "load", "M cmds/s", "p50 ns", "p99 ns", "p99.9 ns", "events",
              "state hash");
  using Maker = perf::Workload (*)(std::uint64_t, std::size_t);
  const std::pair<const char*, Maker> loads[] = {
      {"hot", perf::make_hot}, {"deep", perf::make_deep}, {"wide", perf::make_wide}};
  for (const auto& [name, make] : loads) {
    if (!only.empty() && only != name) continue;
    const perf::Workload w = make(seed, ops);
    const std::vector<Command> setup = setup_commands(w);
    const std::vector<Command> flow = flow_commands(w, setup.size() + 1);
    std::vector<RunResult> rs;
    for (int k = 0; k < runs; ++k) rs.push_back(run_once(setup, flow, ns_per_tick));
    for (const RunResult& r : rs)
      if (r.state_hash != rs.front().state_hash || r.events != rs.front().events) {
        std::fprintf(stderr, "%s: runs differ: nondeterminism\n", name);
        return 1;
      }
    auto median = [&](auto field) { return perf::median_of(rs, field); };
    std::printf("%-5s %12.2f %8.0f %8.0f %9.0f %10llu  %016llx\n", name, median(&RunResult::mcps),
                median(&RunResult::p50), median(&RunResult::p99), median(&RunResult::p999),
                static_cast<unsigned long long>(rs.front().events),
                static_cast<unsigned long long>(rs.front().state_hash));
    std::fflush(stdout);
  }
  return 0;
}
