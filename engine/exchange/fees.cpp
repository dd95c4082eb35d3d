#include "engine/exchange/fees.hpp"

#include "engine/core/assert.hpp"

namespace erx::exchange {

Money fill_cash(const CashRule& rule, Price price, Qty qty) {
  ERX_ASSERT(price >= 0 && qty >= 0 && rule.years >= 1);
  const Money raw = notional(price, qty) * rule.years;  // at scale price_scale + qty_scale
  const RescaledMoney fen = rescale(raw, rule.price_scale + rule.qty_scale, kCashScale, Rounding::Down);
  ERX_ASSERT(fen.ok());  // going coarser never overflows; finer cannot overflow for validated instruments
  return fen.value;
}

Money fee_target(const FeeLineUnits& line, const Money& cum_cash) {
  if (cum_cash <= 0) return 0;
  const Money proportional = divide_rounded(cum_cash * line.rate_ppm, Money(1'000'000), Rounding::Down);
  return proportional > line.minimum ? proportional : line.minimum;
}

}  // namespace erx::exchange
