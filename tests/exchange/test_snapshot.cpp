// Exchange snapshots (engine/exchange/snapshot.*): a snapshot taken at any
// point of a seeded command stream loads into a fresh Exchange that then
// behaves exactly like the original — the same events and the same state
// hash after every later command — and saves back to the same bytes.
// Truncated or corrupted bytes are refused with an error, never a crash.
//
// ERX_SEED=<n> runs that seed alone (the seed is printed on failure);
// ERX_SNAPSHOT_OPS=<n> sets the commands per seed.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "engine/exchange/command_text.hpp"
#include "engine/exchange/event_text.hpp"
#include "engine/exchange/exchange.hpp"
#include "engine/exchange/snapshot.hpp"
#include "tests/support/exchange_flow.hpp"

using namespace erx;
using namespace erx::exchange;
using namespace erx::exchange::test;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t kDefaultOps = 2'500;
constexpr int kResealedFlips = 300;  // each loads a whole state: slow under AddressSanitizer
#else
constexpr std::size_t kDefaultOps = 8'000;
constexpr int kResealedFlips = 1'500;
#endif

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

std::vector<std::uint64_t> seeds() {
  if (std::getenv("ERX_SEED")) return {env_number("ERX_SEED", 0)};
  return {1, 20260105, 0x5EED5EED, 424242};
}

// Every event of a command as text, through one printer shared by both
// exchanges (it learns instrument scales from the stream it prints).
class TextSink final : public ExchangeSink {
 public:
  TextSink(EventPrinter& printer, ExchangeFlow* flow) : printer_(printer), flow_(flow) {}
  void on_event(Seq seq, const Event& e) override {
    if (flow_) flow_->observe(e);
    lines.push_back(printer_.print(seq, e));
  }
  std::vector<std::string> lines;

 private:
  EventPrinter& printer_;
  ExchangeFlow* flow_;
};

// A restored exchange with its own sink.
struct Restored {
  explicit Restored(EventPrinter& printer, const ExchangeLimits& limits = flow_limits())
      : sink(printer, nullptr), ex(sink, limits) {}
  TextSink sink;
  Exchange ex;
};

std::unique_ptr<Restored> restore(EventPrinter& printer, const std::string& bytes,
                                  const ExchangeLimits& limits = flow_limits()) {
  auto r = std::make_unique<Restored>(printer, limits);
  std::string error;
  INFO("load error: " << error);
  REQUIRE(r->ex.load_snapshot(bytes, &error));
  return r;
}

// Runs one seed: the original takes every command; at random points it is
// saved and a fresh Exchange loaded from the bytes follows it in lockstep.
void run_seed(std::uint64_t seed, std::size_t ops) {
  INFO("seed " << seed << " (rerun with ERX_SEED=" << seed << " ERX_SNAPSHOT_OPS=" << ops << ")");
  EventPrinter printer;
  ExchangeFlow flow(seed);
  TextSink sink(printer, &flow);
  Exchange original(sink, flow_limits());
  std::mt19937_64 rng(seed);
  std::set<std::size_t> save_at{0, flow.setup_commands(), ops - 1};
  for (int i = 0; i < 10; ++i) save_at.insert(static_cast<std::size_t>(rng() % ops));

  std::unique_ptr<Restored> copy;
  std::string bytes, again;
  std::size_t snapshots = 0, compared = 0;
  for (std::size_t i = 0; i < ops; ++i) {
    if (save_at.count(i)) {
      original.save_snapshot(bytes);
      // A restored exchange that has followed since an earlier snapshot saves
      // to the very same bytes: the layout depends on the state alone.
      if (copy) {
        copy->ex.save_snapshot(again);
        INFO("before command index " << i);
        REQUIRE(again == bytes);
      }
      copy = restore(printer, bytes);
      REQUIRE(copy->ex.state_hash() == original.state_hash());
      copy->ex.check_invariants();
      copy->ex.save_snapshot(again);
      REQUIRE(again == bytes);
      ++snapshots;
    }
    const Command c = flow.next();
    sink.lines.clear();
    original.apply(c);
    if (!copy) continue;
    copy->sink.lines.clear();
    copy->ex.apply(c);
    INFO("command index " << i << ": " << describe(c));
    REQUIRE(copy->sink.lines == sink.lines);
    REQUIRE(copy->ex.state_hash() == original.state_hash());
    ++compared;
  }
  copy->ex.check_invariants();
  CHECK(snapshots >= 3);
  CHECK(compared + flow.setup_commands() >= ops);
  CHECK(original.open_orders() > 0);
}

// A state with trades, open orders, pending changes: the flow after `ops` commands.
std::string sample_snapshot(std::uint64_t seed, std::size_t ops) {
  EventPrinter printer;
  ExchangeFlow flow(seed);
  TextSink sink(printer, &flow);
  Exchange ex(sink, flow_limits());
  for (std::size_t i = 0; i < ops; ++i) ex.apply(flow.next());
  REQUIRE(ex.open_orders() > 0);
  std::string bytes;
  ex.save_snapshot(bytes);
  return bytes;
}

bool loads(const std::string& bytes, std::string& error) {
  class Null final : public ExchangeSink {
    void on_event(Seq, const Event&) override {}
  } none;
  Exchange ex(none, flow_limits());
  error.clear();
  const bool ok = ex.load_snapshot(bytes, &error);
  if (ok) ex.check_invariants();  // whatever loads must be a consistent state
  return ok;
}

// Rewrites the trailing checksum, so a change reaches the body's own checks.
void reseal(std::string& bytes) {
  const std::uint64_t sum = snapshot_checksum(std::string_view(bytes).substr(0, bytes.size() - 8));
  for (int i = 0; i < 8; ++i) bytes[bytes.size() - 8 + static_cast<std::size_t>(i)] = static_cast<char>(sum >> (8 * i));
}

}  // namespace

TEST_CASE("snapshot: a restored exchange follows the original event for event", "[snapshot]") {
  const std::size_t ops = env_number("ERX_SNAPSHOT_OPS", kDefaultOps);
  for (std::uint64_t seed : seeds()) run_seed(seed, ops);
}

TEST_CASE("snapshot: a fresh exchange round-trips", "[snapshot]") {
  std::string bytes, error;
  class Null final : public ExchangeSink {
    void on_event(Seq, const Event&) override {}
  } none;
  Exchange ex(none, flow_limits());
  ex.save_snapshot(bytes);
  Exchange back(none, flow_limits());
  REQUIRE(back.load_snapshot(bytes, &error));
  CHECK(back.state_hash() == ex.state_hash());
  SnapshotHeader h;
  REQUIRE(read_snapshot_header(bytes, h, &error));
  CHECK(h.seq == 0);
  CHECK(h.format == kSnapshotFormat);
}

TEST_CASE("snapshot: other engine limits are refused", "[snapshot]") {
  const std::string bytes = sample_snapshot(3, 400);
  class Null final : public ExchangeSink {
    void on_event(Seq, const Event&) override {}
  } none;
  ExchangeLimits other = flow_limits();
  other.max_open_orders_per_book -= 1;
  Exchange ex(none, other);
  std::string error;
  CHECK_FALSE(ex.load_snapshot(bytes, &error));
  CHECK(error.find("limits") != std::string::npos);
}

TEST_CASE("snapshot: truncated and corrupted bytes are refused", "[snapshot]") {
  const std::uint64_t seed = env_number("ERX_SEED", 77);
  INFO("seed " << seed << " (rerun with ERX_SEED=" << seed << ")");
  const std::string good = sample_snapshot(seed, 3'000);
  std::string error;
  REQUIRE(loads(good, error));

  SECTION("every truncation") {
    const std::size_t step = std::max<std::size_t>(1, good.size() / 2'000);
    for (std::size_t n = 0; n < good.size(); n += step) {
      INFO("first " << n << " of " << good.size() << " bytes");
      CHECK_FALSE(loads(good.substr(0, n), error));
      CHECK_FALSE(error.empty());
    }
  }
  SECTION("single flipped bytes: the checksum") {
    std::mt19937_64 rng(seed);
    for (int i = 0; i < 300; ++i) {
      std::string bad = good;
      const std::size_t at = rng() % bad.size();
      bad[at] = static_cast<char>(bad[at] ^ static_cast<char>(1 + rng() % 255));
      INFO("byte " << at);
      CHECK_FALSE(loads(bad, error));
    }
  }
  SECTION("flipped bytes behind a valid checksum: the body's own checks") {
    // Whatever the change, loading either refuses it or gives a state that
    // passes check_invariants() (loads() calls it) — never a crash. Nearly
    // every change is refused: by a check of its own or by the state hash.
    std::mt19937_64 rng(seed + 1);
    int refused = 0;
    constexpr int kTries = kResealedFlips;
    for (int i = 0; i < kTries; ++i) {
      std::string bad = good;
      const std::size_t at = 36 + rng() % (bad.size() - 44);  // inside the body
      bad[at] = static_cast<char>(bad[at] ^ static_cast<char>(1 + rng() % 255));
      reseal(bad);
      INFO("byte " << at);
      if (!loads(bad, error)) ++refused;
    }
    CHECK(refused > kTries * 99 / 100);
  }
  SECTION("frame") {
    std::string bad = good;
    bad[0] = 'X';
    CHECK_FALSE(loads(bad, error));
    CHECK(error.find("magic") != std::string::npos);
    bad = good;
    bad[8] = static_cast<char>(kSnapshotFormat + 1);  // a format this build does not know
    reseal(bad);
    CHECK_FALSE(loads(bad, error));
    CHECK(error.find("format") != std::string::npos);
    CHECK_FALSE(loads(good + "x", error));
    CHECK_FALSE(loads(std::string(), error));
  }
}

// The ladder follows the band (docs/EXCHANGE.md "Price ladder"): a snapshot
// keeps the band, and a loaded book is built on it. Saved before an open that
// re-bases the ladder and after it, each copy must then follow the original
// event for event: the GTC orders above where the ladder used to end (with
// 8,192 levels: 81.92, so the band [32.58, 97.72] was cut there) keep their
// prices and priority across the re-base and across the load.
TEST_CASE("snapshot: a re-based ladder round-trips", "[snapshot][ladder]") {
  ExchangeLimits limits = flow_limits();
  limits.max_ladder_levels = 8'192;  // band edges at most 4,095 ticks from the reference
  constexpr std::string_view kSpec =
      "symbol=CEA-D right_class=carbon-allowance unit=tCO2e vintage=2025 price_scale=2 qty_scale=0 tick=0.01 lot=1 "
      "min_qty=1 max_qty=99999 reference_price=65.15";
  const std::string text = std::string("at 2026-03-02T00:00:00Z\n") +
                           "create-member member=1 name=Buyer\n"
                           "create-member member=2 name=Seller\n"
                           "create-account account=11 member=1\n"
                           "create-account account=21 member=2\n"
                           "deposit account=11 amount=100000.00\n"
                           "create-instrument band_bps=5000 " + std::string(kSpec) + "\n"
                           "issue account=21 symbol=CEA-D qty=100\n"
                           "move-rights account=21 symbol=CEA-D qty=100\n"
                           "at 2026-03-02T01:30:00Z\n"
                           "open-day date=2026-03-02\n"
                           "set-session state=continuous\n"
                           "change-instrument band_bps=1000 " + std::string(kSpec) + "\n"
                           "order account=21 clord_id=S1 symbol=CEA-D side=sell price=78.81 qty=1\n"
                           "order account=11 clord_id=B1 symbol=CEA-D side=buy price=78.81 qty=1\n"
                           "order account=21 clord_id=G1 symbol=CEA-D side=sell price=86.00 qty=1 tif=gtc\n"
                           "order account=21 clord_id=G2 symbol=CEA-D side=sell price=86.69 qty=1 tif=gtc\n"
                           "order account=21 clord_id=G3 symbol=CEA-D side=sell price=86.70 qty=1 tif=gtc\n"
                           "order account=21 clord_id=G4 symbol=CEA-D side=sell price=86.00 qty=2 tif=gtc\n"
                           "order account=11 clord_id=G5 symbol=CEA-D side=buy price=70.00 qty=1 tif=gtc\n"
                           "order account=11 clord_id=G6 symbol=CEA-D side=buy price=71.00 qty=1 tif=gtc\n"
                           "close-day\n"
                           "at 2026-03-03T01:30:00Z\n"
                           "open-day date=2026-03-03\n"
                           "set-session state=continuous\n"
                           "order account=11 clord_id=B2 symbol=CEA-D side=buy price=86.69 qty=4\n"
                           "order account=21 clord_id=S2 symbol=CEA-D side=sell price=71.00 qty=1\n"
                           "close-day\n"
                           "at 2026-03-04T01:30:00Z\n"
                           "open-day date=2026-03-04\n";
  const ParsedScript script = parse_script(text);
  REQUIRE(script.ok());
  std::size_t second_open = 0;  // the open that moves the ladder from [32.58, 97.72] to [70.93, 86.69]
  for (std::size_t i = 0; i < script.commands.size(); ++i)
    if (std::holds_alternative<OpenDay>(script.commands[i].body)) second_open = i;
  REQUIRE(second_open > 0);
  for (std::size_t i = second_open; i-- > 0;)
    if (std::holds_alternative<OpenDay>(script.commands[i].body)) {
      second_open = i;
      break;
    }
  // Save before the re-basing open and right after it.
  for (const std::size_t save_at : {second_open, second_open + 1}) {
    INFO("saved before command " << save_at);
    EventPrinter printer;
    TextSink sink(printer, nullptr);
    Exchange original(sink, limits);
    for (std::size_t i = 0; i < save_at; ++i) original.apply(script.commands[i]);
    std::string bytes, again;
    original.save_snapshot(bytes);
    std::unique_ptr<Restored> copy = restore(printer, bytes, limits);
    REQUIRE(copy->ex.state_hash() == original.state_hash());
    copy->ex.check_invariants();
    REQUIRE(copy->ex.price_band(1) == original.price_band(1));
    copy->ex.save_snapshot(again);
    REQUIRE(again == bytes);
    std::vector<std::string> trades;
    for (std::size_t i = save_at; i < script.commands.size(); ++i) {
      sink.lines.clear();
      copy->sink.lines.clear();
      original.apply(script.commands[i]);
      copy->ex.apply(script.commands[i]);
      INFO("command " << i << ": " << describe(script.commands[i]));
      REQUIRE(copy->sink.lines == sink.lines);
      REQUIRE(copy->ex.state_hash() == original.state_hash());
      copy->ex.check_invariants();
      for (const std::string& line : copy->sink.lines)
        if (line.find(" trade ") != std::string::npos) trades.push_back(line);
      if (i == second_open) CHECK(copy->ex.price_band(1) == std::pair<Price, Price>{7'093, 8'669});
    }
    // The orders kept across the re-base traded at their own prices: G1 and G4
    // at 86.00 in time order, G2 at the band's top, G6 at 71.00.
    REQUIRE(trades.size() == 4);
    CHECK(trades[0].find("price=86.00 qty=1 ") != std::string::npos);
    CHECK(trades[0].find("sell_clord_id=G1 ") != std::string::npos);
    CHECK(trades[1].find("price=86.00 qty=2 ") != std::string::npos);
    CHECK(trades[1].find("sell_clord_id=G4 ") != std::string::npos);
    CHECK(trades[2].find("price=86.69 qty=1 ") != std::string::npos);
    CHECK(trades[3].find("price=71.00 qty=1 ") != std::string::npos);
    CHECK(trades[3].find("buy_clord_id=G6 ") != std::string::npos);
  }
}

// Size and speed with ~100k resting orders (Release build; not run by CTest):
//   build/release/tests/test_snapshot "[.perf]"
TEST_CASE("snapshot: size and time with 100k open orders", "[.perf]") {
  class Null final : public ExchangeSink {
    void on_event(Seq, const Event&) override {}
  } none;
  ExchangeLimits limits = flow_limits();
  Exchange ex(none, limits);
  Seq seq = 0;
  Timestamp t = 1'767'576'600'000'000'000;
  auto apply = [&](CommandBody b) { ex.apply(Command{++seq, ++t, std::move(b)}); };
  constexpr int kMembers = 100;
  for (MemberId m = 1; m <= kMembers; ++m) {
    apply(CreateMember{m, Label::of("M" + std::to_string(m)), {}, {}, MemberCategory::Investor, false, StpMode::None});
    apply(CreateAccount{m, m, false});
    apply(Deposit{m, Decimal{1'000'000'000'00, 2}});
  }
  InstrumentSpec s;
  s.symbol = Symbol::of("CEA25");
  s.right_class = RightClass::CarbonAllowance;
  s.unit = Label::of("t");
  s.vintage = 2025;
  s.price_scale = 2;
  s.tick = Decimal{1, 2};
  s.lot = Decimal{1, 0};
  s.continuous.min_qty = Decimal{1, 0};
  s.continuous.max_qty = Decimal{1'000'000, 0};
  s.continuous.band_bps = 1'000;
  s.reference_price = Decimal{10000, 2};
  apply(CreateInstrument{s});
  for (MemberId m = 1; m <= kMembers; ++m) {
    apply(IssueRights{m, s.symbol, Decimal{10'000'000, 0}});
    apply(MoveRights{m, s.symbol, Decimal{10'000'000, 0}, true});
  }
  apply(OpenDay{20260105});
  apply(SetSession{s.symbol, SessionState::Continuous});
  constexpr int kOrders = 100'000;
  for (int i = 0; i < kOrders; ++i) {
    const bool buy = i % 2 == 0;
    const std::int64_t ticks = 1 + (i / 2) % 900;  // bids 90.00-99.99, asks 100.01-109.00
    NewOrder o;
    o.account = static_cast<AccountId>(1 + i % kMembers);
    o.clord_id = ClOrdId::of("c" + std::to_string(i));
    o.symbol = s.symbol;
    o.side = buy ? Side::Buy : Side::Sell;
    o.tif = TimeInForce::Gtc;
    o.price = Decimal{buy ? 10000 - ticks : 10000 + ticks, 2};
    o.qty = Decimal{1 + i % 50, 0};
    apply(o);
  }
  REQUIRE(ex.open_orders() == kOrders);

  using Clock = std::chrono::steady_clock;
  std::string bytes;
  const auto t0 = Clock::now();
  ex.save_snapshot(bytes);
  const auto t1 = Clock::now();
  Exchange back(none, limits);
  std::string error;
  REQUIRE(back.load_snapshot(bytes, &error));
  const auto t2 = Clock::now();
  REQUIRE(back.state_hash() == ex.state_hash());
  const auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::printf("snapshot of %zu open orders: %zu bytes (%.1f per order), save %.1f ms, load %.1f ms\n",
              ex.open_orders(), bytes.size(), static_cast<double>(bytes.size()) / kOrders, ms(t1 - t0), ms(t2 - t1));
}
