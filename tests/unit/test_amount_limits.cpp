// Limits on amounts (engine/exchange/amount_limits.hpp, docs/EXCHANGE.md
// "Limits on amounts"): the arithmetic that could overflow for the largest
// amounts the limits let in, and the rejects where an overflow is still
// possible in principle. The golden scenario amount-limits.erx covers the
// command-level limits (deposits, issues, fees, holding limits).

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <random>

#include "engine/exchange/amount_limits.hpp"
#include "engine/exchange/fees.hpp"
#include "tests/unit/exchange_test_helpers.hpp"

namespace erx::exchange {

// Puts an Exchange where no test can take it by commands in reasonable time:
// billions of trades in a day, an order refilled by modifies for months.
struct ExchangeTestAccess {
  static void set_day_trades(Exchange& ex, InstrumentId id, std::uint32_t trades) {
    ex.instruments_[id - 1].day.trades = trades;
  }
  // As if the order had executed `cum_qty` over its life (its cash and fees unchanged).
  static void set_executed(Exchange& ex, OrderId id, Qty cum_qty) {
    Exchange::OrderState* o = ex.order(id);
    REQUIRE(o != nullptr);
    o->cum_qty = cum_qty;
    o->qty = cum_qty + o->leaves;
  }
};

}  // namespace erx::exchange

using namespace erx;
using namespace erx::exchange;
using namespace erx::exchange::test;

namespace {

const Money kMoneyMax = std::numeric_limits<Money>::max();

InstrumentSpec cea() {
  InstrumentSpec s;
  s.symbol = Symbol::of("CEA25");
  s.right_class = RightClass::CarbonAllowance;
  s.unit = Label::of("tCO2e");
  s.vintage = 2025;
  s.price_scale = 2;
  s.qty_scale = 0;
  s.tick = dec(1, 2);
  s.lot = dec(1);
  s.continuous = ModeRules{dec(1), dec(1'000'000), 1'000};
  s.reference_price = dec(8'500, 2);
  return s;
}

NewOrder order(AccountId acc, const char* clord, Side side, std::int64_t price_fen, std::int64_t qty) {
  NewOrder o;
  o.account = acc;
  o.clord_id = ClOrdId::of(clord);
  o.symbol = Symbol::of("CEA25");
  o.side = side;
  o.tif = TimeInForce::Gtc;
  o.price = dec(price_fen, 2);
  o.qty = dec(qty);
  return o;
}

ModifyOrder modify(AccountId acc, const char* clord, std::int64_t price_fen, std::int64_t leaves) {
  ModifyOrder m;
  m.account = acc;
  m.orig_clord_id = ClOrdId::of(clord);
  m.price = dec(price_fen, 2);
  m.qty = dec(leaves);
  return m;
}

// A buyer (account 11) and a seller (21) of CEA25 in continuous trading.
void setup(Driver& d) {
  for (const CommandBody& b : std::initializer_list<CommandBody>{
           CreateMember{1, Label::of("Buyer"), {}, {}, MemberCategory::Investor, false, StpMode::CancelTaker},
           CreateMember{2, Label::of("Seller"), {}, {}, MemberCategory::Investor, false, StpMode::CancelTaker},
           CreateAccount{11, 1, false}, CreateAccount{21, 2, false}, CreateInstrument{cea()},
           Deposit{11, dec(1'000'000'00, 2)}, IssueRights{21, Symbol::of("CEA25"), dec(10'000)},
           MoveRights{21, Symbol::of("CEA25"), dec(10'000), true}, OpenDay{20260105},
           SetSession{{}, SessionState::Continuous}})
    REQUIRE(Driver::rejected(d.apply(b)) == RejectReason::None);
}

}  // namespace

TEST_CASE("amount limits: the largest amounts the limits let in keep every product inside its type",
          "[exchange][limits]") {
  // The largest price and twice it (a band edge before it is cut); it plus
  // half the largest ladder at the largest tick (a band edge cut to the ladder).
  CHECK(kMaxPriceUnits <= kInt64Max / 2);
  CHECK(std::int64_t{kMaxLadderLevels / 2} * kMaxTickUnits <= kInt64Max - kMaxPriceUnits);
  // price x quantity x years x 100 (to fen), plus two fees at most as large.
  const Money notional = Money(kMaxPriceUnits) * kMaxOrderQtyUnits * kMaxTermYears * 100;
  CHECK(notional * 3 < kMoneyMax);
}

TEST_CASE("amount limits: a fee never forms cash x rate, so the largest notional does not overflow",
          "[exchange][limits][fees]") {
  // Regression: fee_target() multiplied the cash by the rate before dividing
  // by 10^6; for the cash of an order at the largest price and quantity
  // (~10^34 fen) that passed 2^128 and Boost threw out of apply().
  for (const std::uint32_t rate : {0u, 1u, 999'999u, 1'000'000u}) {
    const FeeLineUnits line{rate, Money(0)};
    for (const Money& cash : {Money(notional(std::int64_t{1} << 62, std::int64_t{1} << 62)), kMoneyMax / 2, kMoneyMax}) {
      INFO("rate " << rate << " cash " << cash.str());
      Money fee;
      REQUIRE_NOTHROW(fee = fee_target(line, cash));
      CHECK(fee <= cash);
      if (rate == 1'000'000) CHECK(fee == cash);
      if (rate == 0) CHECK(fee == 0);
    }
  }
  // Where cash x rate fits, the result is exactly floor(cash x rate / 10^6).
  std::mt19937_64 rng(20260105);
  for (int i = 0; i < 20'000; ++i) {
    // Below 2^104, so that cash x rate (rate < 2^20) fits Money for the reference.
    const Money cash = Money(rng() >> (rng() % 64)) * Money(rng() >> (24 + rng() % 40)) + 1;
    const auto rate = static_cast<std::uint32_t>(rng() % 1'000'001);
    const Money minimum = Money(static_cast<std::int64_t>(rng() % 1'000));
    const Money exact = cash * rate / 1'000'000;
    INFO("cash " << cash.str() << " rate " << rate);
    REQUIRE(fee_target(FeeLineUnits{rate, minimum}, cash) == (exact > minimum ? exact : minimum));
  }
}

TEST_CASE("amount limits: ExchangeLimits whose books could overflow are refused", "[exchange][limits]") {
  CHECK(limits_problem(ExchangeLimits{}).empty());
  ExchangeLimits l;
  l.max_ladder_levels = kMaxLadderLevels;
  CHECK(limits_problem(l).empty());
  l.max_ladder_levels = kMaxLadderLevels + 1;  // the book allows 2^24; a band that wide costs 400 MB a book
  CHECK_FALSE(limits_problem(l).empty());
  l = ExchangeLimits{};
  l.max_open_orders_per_book = kMaxOpenOrdersPerBook;
  CHECK(limits_problem(l).empty());
  l.max_open_orders_per_book = kMaxOpenOrdersPerBook + 1;
  CHECK_FALSE(limits_problem(l).empty());
  l = ExchangeLimits{};
  l.max_members = UINT32_MAX;  // a book's owner limit is max_members + 1
  CHECK_FALSE(limits_problem(l).empty());
  l = ExchangeLimits{};
  l.max_ladder_levels = 0;
  CHECK_FALSE(limits_problem(l).empty());
}

TEST_CASE("amount limits: a modify cannot take an order's executed plus open quantity past the lifetime limit",
          "[exchange][limits][modify]") {
  // Each modify may reopen up to max_qty, so a long-lived GTC order refilled
  // day after day could in principle execute more than int64 holds (cum_qty,
  // qty = cum_qty + leaves). The lifetime limit is checked before anything
  // changes.
  Driver d;
  setup(d);
  REQUIRE(Driver::rejected(d.apply(order(11, "B1", Side::Buy, 8'500, 100))) == RejectReason::None);
  ExchangeTestAccess::set_executed(d.ex, 1, kMaxOrderLifetimeQtyUnits - 100);
  d.ex.check_invariants();
  // Growing the leaves by one is above-max-size; the order is unchanged.
  const std::vector<Event> ev = d.apply(modify(11, "B1", 8'600, 101));
  CHECK(Driver::rejected(ev) == RejectReason::AboveMaxSize);
  CHECK(ev.size() == 1);
  CHECK(d.ex.list_open_orders().at(0).leaves == 100);
  CHECK(d.ex.list_open_orders().at(0).order.price == 8'500);
  CHECK(d.ex.list_open_orders().at(0).order.qty == kMaxOrderLifetimeQtyUnits);
  // At the limit exactly it is accepted, and so is a smaller one.
  CHECK(Driver::rejected(d.apply(modify(11, "B1", 8'400, 100))) == RejectReason::None);
  CHECK(Driver::rejected(d.apply(modify(11, "B1", 8'400, 50))) == RejectReason::None);
  CHECK(d.ex.list_open_orders().at(0).order.qty == kMaxOrderLifetimeQtyUnits - 50);
}

TEST_CASE("amount limits: orders and modifies stop before the day's trade count can pass 2^32 - 1",
          "[exchange][limits]") {
  // DailyStatistics::trades is a uint32 and one command trades at most once
  // with each resting order: with fewer than max_open_orders_per_book + 1
  // trades left, an order or modify of the instrument is trade-limit-reached
  // until the next day open. Cancels still work.
  Driver d;
  setup(d);
  REQUIRE(Driver::rejected(d.apply(order(11, "B1", Side::Buy, 8'500, 10))) == RejectReason::None);
  const std::uint32_t edge = kMaxTradesPerDay - ExchangeLimits{}.max_open_orders_per_book;
  ExchangeTestAccess::set_day_trades(d.ex, 1, edge);
  // At the edge a sell still trades (the count becomes edge + 1).
  CHECK(Driver::rejected(d.apply(order(21, "S1", Side::Sell, 8'500, 1))) == RejectReason::None);
  CHECK(d.ex.today_stats(1).trades == edge + 1);
  CHECK(Driver::rejected(d.apply(order(21, "S2", Side::Sell, 8'500, 1))) == RejectReason::TradeLimitReached);
  CHECK(Driver::rejected(d.apply(modify(11, "B1", 8'600, 9))) == RejectReason::TradeLimitReached);
  CHECK(Driver::rejected(d.apply(CancelOrder{11, ClOrdId::of("B1")})) == RejectReason::None);
  CHECK(d.ex.open_orders() == 0);
  // The next day starts from zero.
  REQUIRE(Driver::rejected(d.apply(CloseDay{})) == RejectReason::None);
  REQUIRE(Driver::rejected(d.apply(OpenDay{20260106})) == RejectReason::None);
  REQUIRE(Driver::rejected(d.apply(SetSession{{}, SessionState::Continuous})) == RejectReason::None);
  CHECK(Driver::rejected(d.apply(order(21, "S3", Side::Sell, 8'500, 1))) == RejectReason::None);
}
