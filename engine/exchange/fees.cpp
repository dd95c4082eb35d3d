#include "engine/exchange/fees.hpp"

#include <limits>

#include "engine/core/assert.hpp"

namespace erx::exchange {

namespace {

constexpr std::int64_t kPow10[] = {1, 10, 100, 1'000, 10'000, 100'000, 1'000'000, 10'000'000, 100'000'000,
                                   1'000'000'000, 10'000'000'000, 100'000'000'000, 1'000'000'000'000,
                                   10'000'000'000'000, 100'000'000'000'000, 1'000'000'000'000'000,
                                   10'000'000'000'000'000, 100'000'000'000'000'000,
                                   1'000'000'000'000'000'000};

}  // namespace

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
  // Fast path, exact: cum_cash × rate fits int64 (cum_cash below ~9 × 10^12 fen).
  constexpr std::int64_t kFastLimit = std::numeric_limits<std::int64_t>::max() / 1'000'000;
  if (cum_cash <= kFastLimit) {
    const Money proportional = Money(static_cast<std::int64_t>(cum_cash) * line.rate_ppm / 1'000'000);
    return proportional > line.minimum ? proportional : line.minimum;
  }
  const Money proportional = divide_rounded(cum_cash * line.rate_ppm, Money(1'000'000), Rounding::Down);
  return proportional > line.minimum ? proportional : line.minimum;
}

}  // namespace erx::exchange
