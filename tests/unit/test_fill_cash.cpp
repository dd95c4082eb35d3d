// A buy order's fill cash (engine/exchange/fees.hpp, docs/EXCHANGE.md "Money
// and rounding"): over any sequence of fills the order pays its exact
// notional rounded up to the fen, and never holds a fen or more prepaid. The
// reference below works in Money only, with no fast path.

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <random>

#include "engine/exchange/amount_limits.hpp"
#include "engine/exchange/fees.hpp"

namespace erx::exchange {
namespace {

Money pow10(int n) {
  Money m = 1;
  for (int i = 0; i < n; ++i) m *= 10;
  return m;
}

// ceil(notional / one fen) in fen, from the notional in 10^-(ps + qs) CNY.
Money ceil_fen(const CashRule& r, const Money& notional) {
  const int drop = r.price_scale + r.qty_scale - kCashScale;
  if (drop <= 0) return notional * pow10(-drop);
  const Money per_fen = pow10(drop);
  return (notional + per_fen - 1) / per_fen;
}

}  // namespace

TEST_CASE("fill cash: a buy order pays ceil(exact notional), however its fills fall", "[exchange][fees]") {
  const std::uint64_t seed = 20261207;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  const CashRule rules[] = {
      {2, 3, 1},   // forestry sink in kg: 1,000 sub-fen units a fen
      {4, 0, 25},  // water, CNY 0.0001 per (m3 x yr), 25 years
      {2, 0, 5},   // SO2, whole fen always
      {0, 0, 1},   // whole yuan prices: the notional is 100 fen a unit
      {9, 9, 1},   // the finest scales: 10^16 sub-fen units a fen
  };
  for (const CashRule& rule : rules) {
    const std::int64_t per_fen = sub_fen_per_fen(rule);
    for (int order = 0; order < 2'000; ++order) {
      std::int64_t prepaid = 0;
      Money paid = 0, exact = 0;
      const int fills = 1 + static_cast<int>(rng() % 12);
      for (int f = 0; f < fills; ++f) {
        const Price price = 1 + static_cast<Price>(rng() % 100'000);
        const Qty qty = 1 + static_cast<Qty>(rng() % 10'000);
        const BuyFillCash c = buy_fill_cash(rule, prepaid, price, qty);
        REQUIRE(c.cash >= 0);
        paid += c.cash;
        exact += Money(price) * qty * rule.years;
        prepaid = c.prepaid_after;
        REQUIRE(paid == ceil_fen(rule, exact));  // no delivery unpaid, never a fen too much
        REQUIRE(prepaid >= 0);
        REQUIRE(prepaid < per_fen);
      }
    }
  }
}

TEST_CASE("fill cash: the largest notional takes the exact slow path", "[exchange][fees]") {
  const CashRule rule{9, 9, kMaxTermYears};
  const Price price = std::int64_t{4} * 1'000'000'000'000'000'000 / 2;  // beyond int64 once multiplied
  const Qty qty = 1'000'000'000'000;
  const std::int64_t per_fen = sub_fen_per_fen(rule);
  const std::int64_t prepaid = per_fen - 1;
  const BuyFillCash c = buy_fill_cash(rule, prepaid, price, qty);
  const Money owed = Money(price) * qty * rule.years - prepaid;
  CHECK(c.cash == (owed + per_fen - 1) / per_fen);
  CHECK(Money(c.prepaid_after) == c.cash * per_fen - owed);
  // Regression: an int64 notional within a fen of INT64_MAX took the fast
  // path and rounded up with fen x per_fen, which passed INT64_MAX (review,
  // issue 13). 9.221 x 10^18 sub-fen units at scales 9 + 9 (10^16 a fen).
  {
    const CashRule fine{9, 9, 1};
    const Price near_max = 9'221'000'000;  // CNY 9.221 at price scale 9
    const Qty one = 1'000'000'000;         // 1 unit at quantity scale 9
    for (std::int64_t pre : {std::int64_t{0}, std::int64_t{1}, sub_fen_per_fen(fine) - 1}) {
      const BuyFillCash edge = buy_fill_cash(fine, pre, near_max, one);
      const Money owed_edge = Money(near_max) * one - pre;
      CHECK(edge.cash == (owed_edge + sub_fen_per_fen(fine) - 1) / sub_fen_per_fen(fine));
      CHECK(Money(edge.prepaid_after) == edge.cash * sub_fen_per_fen(fine) - owed_edge);
    }
  }
  // What a fill the order had already paid for costs: nothing.
  const BuyFillCash covered = buy_fill_cash(CashRule{2, 3, 1}, 999, 999, 1);  // 0.00999 CNY, 0.00999 prepaid
  CHECK(covered.cash == 0);
  CHECK(covered.prepaid_after == 0);
}

TEST_CASE("fill cash: a sale's floor notional", "[exchange][fees]") {
  CHECK(notional_floor_cash(CashRule{2, 3, 1}, 999, 1) == 0);        // 1 kg at 9.99 per t
  CHECK(notional_floor_cash(CashRule{2, 3, 1}, 5'499, 7) == 38);     // 7 kg at 54.99: 0.38493
  CHECK(notional_floor_cash(CashRule{2, 0, 5}, 38'900, 10) == 1'945'000);
  CHECK(notional_floor_cash(CashRule{0, 0, 1}, 85, 2) == 17'000);
}

}  // namespace erx::exchange
