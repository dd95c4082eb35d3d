#pragma once
// One instrument's trading in the business day so far, and the arithmetic on
// it: the exchange keeps it per instrument (its DailyStatistics at the close,
// its snapshots and state hash), and the gateway's market data view applies
// the same to the committed trades it routes. One definition, so the two
// cannot disagree.

#include <algorithm>
#include <cstdint>

#include "engine/core/assert.hpp"
#include "engine/fixed/decimal.hpp"

namespace erx::exchange {

// Zeros when nothing traded.
struct DayStats {
  Price open = 0, high = 0, low = 0, last = 0;
  Qty volume = 0;
  Money turnover = 0;      // fen
  Money price_x_qty = 0;   // Σ price × qty in instrument units, for the VWAP
  std::uint32_t trades = 0;
};

// One trade of `qty` at `price` for `cash` (fen) into the day's figures.
inline void add_trade(DayStats& d, Price price, Qty qty, const Money& cash) {
  ERX_ASSERT(price > 0 && qty > 0);
  if (d.trades == 0) d.open = d.high = d.low = price;
  d.high = std::max(d.high, price);
  d.low = std::min(d.low, price);
  d.last = price;
  d.volume += qty;
  d.turnover += cash;
  d.price_x_qty += Money(price) * Money(qty);  // notional(): exact, cannot overflow
  ++d.trades;
}

// The day's volume-weighted average price, rounded half up to a whole
// multiple of `step` price units: the tick for the close (DailyStatistics),
// 1 for market data's running VWAP. 0 when nothing traded.
[[nodiscard]] inline Price vwap(const DayStats& d, Price step) {
  ERX_ASSERT(step > 0);
  if (d.volume <= 0) return 0;
  const Money steps = divide_rounded(d.price_x_qty, Money(d.volume) * step, Rounding::HalfUp);
  return static_cast<Price>(steps) * step;
}

}  // namespace erx::exchange
