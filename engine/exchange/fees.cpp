#include "engine/exchange/fees.hpp"

#include <limits>

#include "engine/core/assert.hpp"
#include "engine/exchange/amount_limits.hpp"
#include "engine/exchange/units.hpp"

namespace erx::exchange {

Money fill_cash(const CashRule& rule, Price price, Qty qty) {
  ERX_ASSERT(price >= 0 && qty >= 0 && rule.years >= 1);
  // Fast path, exact: the notional fits int64 and the fen are a whole division
  // of it (values are non-negative, so division rounds down as required).
  const int drop = rule.price_scale + rule.qty_scale - kCashScale;
  std::int64_t small;
  if (drop >= 0 && drop <= 18 && !__builtin_mul_overflow(price, qty, &small) &&
      !__builtin_mul_overflow(small, std::int64_t{rule.years}, &small))
    return Money(small / kPow10[drop]);
  const Money raw = notional(price, qty) * rule.years;  // at scale price_scale + qty_scale
  const RescaledMoney fen = rescale(raw, rule.price_scale + rule.qty_scale, kCashScale, Rounding::Down);
  ERX_ASSERT(fen.ok());  // going coarser never overflows; finer cannot overflow for validated instruments
  return fen.value;
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
