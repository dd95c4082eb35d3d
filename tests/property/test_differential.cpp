// Differential test: the real order book (engine/book) against the simple
// ReferenceBook (tests/support), driven by the same seeded random order flow.
// Both must emit identical event streams and answer queries identically.
//
// Environment:
//   ERX_DIFF_OPS     total operations over all profiles and seeds (default
//                    3,000,000 in optimised builds, 1,240,000 under sanitizers or
//                    without optimisation; split in fixed proportions, at least
//                    1,000 per seed)
//   ERX_SEED         seed(s) to use instead of the fixed CI seeds: "42" or "1,2,3"
//   ERX_DIFF_SHRINK  "1": on a failure, also search for a short op sequence that
//                    still shows a difference and print it (up to ~4 minutes)
//   ERX_DIFF_TRACE   "1": print every op to stderr before running it
// A failure prints the profile, the seed, the op index, the last ops and both
// event windows; replay it with ERX_SEED=<seed> and the test case's name. If the
// real book stops on an ERX_ASSERT, Catch still prints the profile and seed;
// ERX_DIFF_TRACE=1 then shows the op that triggered it.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/book/order_book.hpp"
#include "tests/support/event_recorder.hpp"
#include "tests/support/random_flow.hpp"
#include "tests/support/reference_book.hpp"

using erx::book::OrderBook;
using erx::test::EventRecorder;
using erx::test::LockstepOptions;
using erx::test::LockstepResult;
using erx::test::Op;
using erx::test::Profile;
using erx::test::RandomFlow;
using erx::test::ReferenceBook;

namespace {

// Optimised builds compare 3.0 M ops (about 20 s); sanitizer or unoptimised
// builds 1.24 M (about 70 s under ASan + UBSan on a shared 2-core machine).
#if defined(__SANITIZE_ADDRESS__) || !defined(__OPTIMIZE__)
constexpr std::uint64_t kDefaultTotalOps = 1'240'000;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr std::uint64_t kDefaultTotalOps = 1'240'000;
#else
constexpr std::uint64_t kDefaultTotalOps = 3'000'000;
#endif
#else
constexpr std::uint64_t kDefaultTotalOps = 3'000'000;
#endif

// Share of the total per profile (in 1/100) and the fixed CI seeds.
// check_invariants() after every op for the first `checked_ops` ops of a seed,
// then after every 1,000th (a full check walks the whole ladder: 200,000 levels
// for the wide profile).
struct Plan {
  Profile profile;
  std::uint64_t share_percent;
  std::vector<std::uint64_t> seeds;
  std::uint64_t checked_ops;
};

const Plan kPlans[] = {
    {Profile::Deep, 36, {0x5eed0001, 20240611, 0xdeadbeefcafe}, 1'000},
    {Profile::Wide, 32, {0x5eed0002, 77, 0x0123456789abcdef}, 250},
    {Profile::Hot, 32, {0x5eed0003, 4242, 0xfeedface, 9001}, 2'000},
};

std::uint64_t env_u64(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 0);
}

std::vector<std::uint64_t> seeds_for(const Plan& plan) {
  const char* v = std::getenv("ERX_SEED");
  if (v == nullptr || *v == '\0') return plan.seeds;
  std::vector<std::uint64_t> out;
  const std::string s(v);
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t end = s.find(',', pos);
    if (end == std::string::npos) end = s.size();
    out.push_back(std::strtoull(s.substr(pos, end - pos).c_str(), nullptr, 0));
    pos = end + 1;
  }
  return out;
}

std::uint64_t ops_per_seed(const Plan& plan) {
  const std::uint64_t total = env_u64("ERX_DIFF_OPS", kDefaultTotalOps);
  const std::uint64_t per = total * plan.share_percent / 100 / plan.seeds.size();
  return per < 1'000 ? 1'000 : per;
}

std::string label_of(Profile p, std::uint64_t seed) {
  return "profile=" + std::string(erx::test::to_string(p)) + " seed=" + std::to_string(seed);
}

// Replays a fixed op list on fresh books; true if the books differ anywhere.
bool differs(Profile p, const std::vector<Op>& ops, LockstepResult* out = nullptr) {
  const erx::book::BookConfig cfg = erx::test::book_config_for(p);
  EventRecorder expected_events;
  EventRecorder actual_events;
  ReferenceBook ref(cfg, expected_events);
  OrderBook real(cfg, actual_events);
  std::size_t k = 0;
  LockstepOptions opt;
  opt.check_every_op_until = 0;
  opt.compare_books_every = 1;
  opt.history = 400;
  LockstepResult r = erx::test::run_lockstep(
      [&]() -> std::optional<Op> {
        if (k == ops.size()) return std::nullopt;
        return ops[k++];
      },
      ops.size(), ref, expected_events, real, actual_events, opt, "shrunk replay");
  if (out != nullptr) *out = r;
  return !r.equal;
}

// Delta debugging, greedy: drop chunks of ops while a difference remains.
std::string shrink(Profile p, std::uint64_t seed, std::uint64_t failed_op) {
  std::vector<Op> ops = RandomFlow::generate(p, seed, static_cast<std::size_t>(failed_op + 1));
  const auto start = std::chrono::steady_clock::now();
  auto out_of_time = [&] { return std::chrono::steady_clock::now() - start > std::chrono::seconds(240); };
  std::size_t chunk = ops.size() / 2;
  while (chunk >= 1 && !out_of_time()) {
    bool removed = false;
    for (std::size_t at = 0; at < ops.size() && !out_of_time();) {
      std::vector<Op> trial;
      trial.reserve(ops.size());
      for (std::size_t i = 0; i < ops.size(); ++i)
        if (i < at || i >= at + chunk) trial.push_back(ops[i]);
      if (!trial.empty() && differs(p, trial)) {
        ops.swap(trial);
        removed = true;
      } else {
        at += chunk;
      }
    }
    if (!removed) chunk /= 2;
  }
  LockstepResult r;
  differs(p, ops, &r);
  std::string s = "shrunk to " + std::to_string(ops.size()) + " ops:\n";
  for (std::size_t i = 0; i < ops.size(); ++i) s += "  #" + std::to_string(i) + " " + erx::test::describe(ops[i]) + "\n";
  return s + r.report;
}

void run_plan(const Plan& plan) {
  const std::uint64_t per_seed = ops_per_seed(plan);
  std::uint64_t total_ops = 0;
  std::uint64_t total_events = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t seed : seeds_for(plan)) {
    const std::string label = label_of(plan.profile, seed);
    INFO(label << " ops=" << per_seed << "  (replay: ERX_SEED=" << seed << ")");
    RandomFlow flow(plan.profile, seed);
    EventRecorder expected_events;
    EventRecorder actual_events;
    ReferenceBook ref(flow.config(), expected_events);
    OrderBook real(flow.config(), actual_events);
    flow.set_oracle([&ref](erx::book::OrderId id) { return ref.find(id); });
    LockstepOptions opt;
    opt.check_every_op_until = plan.checked_ops;
    opt.check_every = 1'000;
    opt.trace = env_u64("ERX_DIFF_TRACE", 0) != 0;
    const LockstepResult r = erx::test::run_lockstep(
        [&]() -> std::optional<Op> { return flow.next(); }, per_seed, ref, expected_events, real,
        actual_events, opt, label);
    if (!r.equal) {
      std::string msg = r.report;
      if (env_u64("ERX_DIFF_SHRINK", 0) != 0) msg += "\n" + shrink(plan.profile, seed, r.failed_op);
      FAIL(msg);
    }
    CHECK(r.ops_run == per_seed);
    total_ops += r.ops_run;
    total_events += r.events;
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::printf("differential %s: %llu ops, %llu events compared, %lld ms\n",
              std::string(erx::test::to_string(plan.profile)).c_str(),
              static_cast<unsigned long long>(total_ops), static_cast<unsigned long long>(total_events),
              static_cast<long long>(ms));
}

}  // namespace

TEST_CASE("differential: deep book (<= 100 levels, hundreds of orders per level)", "[differential][deep]") {
  run_plan(kPlans[0]);
}

TEST_CASE("differential: wide book (mid walks over 160,000 ticks)", "[differential][wide]") {
  run_plan(kPlans[1]);
}

TEST_CASE("differential: hot book (aggression, STP, small limits)", "[differential][hot]") {
  run_plan(kPlans[2]);
}

// The flow is only useful if it reaches every rule: run the reference alone on
// each profile and require every event kind, every reject and cancel reason,
// and both outcomes of a modify to show up.
TEST_CASE("differential: the random flow reaches every rule", "[differential][coverage]") {
  using erx::book::Event;
  using erx::book::EventKind;
  using erx::book::Reason;
  struct Counter final : erx::book::EventSink {
    std::map<std::pair<int, int>, std::uint64_t> seen;  // (kind, reason) -> count
    std::uint64_t kept = 0, requeued = 0, multi_level_sweeps = 0;
    erx::book::OrderId last_taker = 0;
    erx::Price last_price = 0;
    bool sweeping = false;
    erx::Price lo_accepted = INT64_MAX, hi_accepted = 0;  // accepted limit prices
    void on_event(const Event& e) override {
      ++seen[{static_cast<int>(e.kind), static_cast<int>(e.reason)}];
      if (e.kind == EventKind::Accepted && e.type == erx::book::OrderType::Limit) {
        lo_accepted = std::min(lo_accepted, e.price);
        hi_accepted = std::max(hi_accepted, e.price);
      }
      if (e.kind == EventKind::Modified) ++(e.priority_kept ? kept : requeued);
      if (e.kind == EventKind::Trade) {
        if (e.order_id == last_taker && e.price != last_price && !sweeping) {
          ++multi_level_sweeps;
          sweeping = true;
        }
        if (e.order_id != last_taker) sweeping = false;
        last_taker = e.order_id;
        last_price = e.price;
      }
    }
  };
  for (Profile p : {Profile::Deep, Profile::Wide, Profile::Hot}) {
    INFO("profile " << erx::test::to_string(p));
    Counter c;
    RandomFlow flow(p, 1);
    ReferenceBook ref(flow.config(), c);
    flow.set_oracle([&ref](erx::book::OrderId id) { return ref.find(id); });
    std::size_t max_live = 0;
    std::uint64_t ladder_moves = 0;  // re-bases that moved the ladder with orders resting
    for (int i = 0; i < 250'000; ++i) {
      const Op op = flow.next();
      const auto before = std::pair{ref.config().ladder_min, ref.config().ladder_max};
      const bool resting = ref.open_orders() > 0;
      erx::test::apply(ref, op);
      max_live = std::max<std::size_t>(max_live, ref.open_orders());
      if (op.kind == erx::test::OpKind::RebaseLadder && resting && ref.open_orders() > 0 &&
          before != std::pair{ref.config().ladder_min, ref.config().ladder_max})
        ++ladder_moves;
    }
    CHECK(ladder_moves > 0);
    auto count = [&](EventKind k, Reason r) { return c.seen[{static_cast<int>(k), static_cast<int>(r)}]; };
    CHECK(count(EventKind::Accepted, Reason::None) > 0);
    CHECK(count(EventKind::Trade, Reason::None) > 0);
    CHECK(c.kept > 0);
    CHECK(c.requeued > 0);
    CHECK(c.multi_level_sweeps > 0);
    for (int r = 1; r <= 19; ++r) {
      const auto reason = static_cast<Reason>(r);
      if (p != Profile::Hot && (reason == Reason::BookFull || reason == Reason::TooManyOwners)) continue;
      if (reason == Reason::OffLotQuantity && flow.config().lot == 1) continue;
      INFO("reject reason " << erx::book::to_string(reason));
      CHECK(count(EventKind::Rejected, reason) > 0);
    }
    for (int r = 100; r <= 110; ++r) {
      const auto reason = static_cast<Reason>(r);
      INFO("cancel reason " << erx::book::to_string(reason));
      CHECK(count(EventKind::Cancelled, reason) > 0);
    }
    const erx::Price tick = flow.config().tick;
    if (p == Profile::Deep) {
      CHECK((c.hi_accepted - c.lo_accepted) / tick < 100);  // <= 100 price levels
      CHECK(max_live > 10'000);                             // hundreds of orders per level
    }
    if (p == Profile::Wide) CHECK((c.hi_accepted - c.lo_accepted) / tick >= 30'000);
  }
}
