#include "engine/exchange/fees.hpp"

#include <limits>

#include "engine/core/assert.hpp"
#include "engine/exchange/amount_limits.hpp"
#include "engine/exchange/units.hpp"

namespace erx::exchange {

namespace {

// price × qty × years in notional units (10^-(price_scale + qty_scale) CNY).
Money exact_notional(const CashRule& rule, Price price, Qty qty) {
  std::int64_t small;
  if (!__builtin_mul_overflow(price, qty, &small) && !__builtin_mul_overflow(small, std::int64_t{rule.years}, &small))
    return Money(small);
  return notional(price, qty) * rule.years;
}

// How many decimal places of CNY the notional has beyond the fen (negative:
// fewer, the notional is a whole number of fen times 10^-drop).
int sub_fen_digits(const CashRule& rule) { return rule.price_scale + rule.qty_scale - kCashScale; }

}  // namespace

std::int64_t sub_fen_per_fen(const CashRule& rule) {
  const int drop = sub_fen_digits(rule);
  ERX_ASSERT(drop <= 18);  // scales are at most kMaxInstrumentScale each
  return drop <= 0 ? 1 : kPow10[drop];
}

BuyFillCash buy_fill_cash(const CashRule& rule, std::int64_t prepaid, Price price, Qty qty) {
  ERX_ASSERT(price >= 0 && qty >= 0 && rule.years >= 1);
  const int drop = sub_fen_digits(rule);
  if (drop <= 0) {  // whole fen: exact, nothing prepaid
    ERX_ASSERT(prepaid == 0);
    const Money raw = exact_notional(rule, price, qty);
    return BuyFillCash{drop == 0 ? raw : raw * kPow10[-drop], 0};
  }
  const std::int64_t per_fen = kPow10[drop];
  ERX_ASSERT(prepaid >= 0 && prepaid < per_fen);
  // Fast path, exact: the notional fits int64.
  std::int64_t x;
  if (!__builtin_mul_overflow(price, qty, &x) && !__builtin_mul_overflow(x, std::int64_t{rule.years}, &x)) {
    if (x <= prepaid) return BuyFillCash{0, prepaid - x};
    const std::int64_t owed = x - prepaid;  // sub-fen units not yet paid for
    const std::int64_t short_of_fen = owed % per_fen;
    // Never fen * per_fen: rounded up, it can pass INT64_MAX when owed is near it.
    return BuyFillCash{Money(owed / per_fen + (short_of_fen != 0 ? 1 : 0)),
                       short_of_fen != 0 ? per_fen - short_of_fen : 0};
  }
  const Money owed = notional(price, qty) * rule.years - prepaid;
  const Money fen = divide_rounded(owed, Money(per_fen), Rounding::Up);
  return BuyFillCash{fen, static_cast<std::int64_t>(fen * per_fen - owed)};
}

Money notional_floor_cash(const CashRule& rule, Price price, Qty qty) {
  ERX_ASSERT(price >= 0 && qty >= 0 && rule.years >= 1);
  const int drop = sub_fen_digits(rule);
  const Money raw = exact_notional(rule, price, qty);
  if (drop <= 0) return drop == 0 ? raw : raw * kPow10[-drop];
  return raw / kPow10[drop];  // non-negative: division rounds down
}

Money fee_target(const FeeLineUnits& line, const Money& cum_cash) {
  if (cum_cash <= 0) return 0;
  ERX_ASSERT(line.rate_ppm <= kMaxFeeRatePpm);  // set-fees refuses more; both paths rely on it
  // Fast path, exact: cum_cash × rate fits int64 (cum_cash below ~9 × 10^12 fen).
  constexpr std::int64_t kFastLimit = std::numeric_limits<std::int64_t>::max() / 1'000'000;
  if (cum_cash <= kFastLimit) {
    const Money proportional = Money(static_cast<std::int64_t>(cum_cash) * line.rate_ppm / 1'000'000);
    return proportional > line.minimum ? proportional : line.minimum;
  }
  // floor(cum_cash × rate / 10^6) without forming cum_cash × rate, which can
  // pass Money's 2^128 for the notional of an order that names the largest
  // price and quantity (docs/EXCHANGE.md "Limits on amounts"): with
  // cum_cash = q × 10^6 + r, it is q × rate + floor(r × rate / 10^6), and
  // q × rate <= cum_cash because rate <= 10^6.
  const Money q = cum_cash / 1'000'000;
  const Money r = cum_cash % 1'000'000;
  const Money proportional = q * line.rate_ppm + r * line.rate_ppm / 1'000'000;
  return proportional > line.minimum ? proportional : line.minimum;
}

}  // namespace erx::exchange
