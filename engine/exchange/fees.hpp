#pragma once
// Cash amounts of fills and fees, exactly, with the rounding rules of
// docs/COMMANDS.md ("Money and rounding"):
//  - a fill's cash is price × qty (× term years for per-unit-year prices),
//    rounded DOWN to the fen. Both sides see the same amount; the sub-fen
//    remainder is never charged. Because Σ floor(x) <= floor(Σ x), an order's
//    fills never cost more than its reservation at the limit price.
//  - each fee line of an order costs max(minimum, floor(rate_ppm × Σ cash / 10^6))
//    once the order has traded at all, charged incrementally on each fill (so
//    the minimum applies per order, not per fill). An order that never trades
//    pays nothing.

#include <cstdint>

#include "engine/exchange/basic_types.hpp"

namespace erx::exchange {

struct FeeLineUnits {
  std::uint32_t rate_ppm = 0;
  Money minimum = 0;  // fen
};

struct FeeSchedule {
  FeeLineUnits lines[2];  // [0] trading fee, [1] settlement fee
};

// How a price × quantity of one instrument becomes fen.
struct CashRule {
  int price_scale = 2;
  int qty_scale = 0;
  std::int32_t years = 1;  // term years for per-unit-year prices, else 1
};

// floor(price × qty × years) in fen.
[[nodiscard]] Money fill_cash(const CashRule& rule, Price price, Qty qty);

// What one fee line of an order costs in total once its fills add up to cum_cash.
[[nodiscard]] Money fee_target(const FeeLineUnits& line, const Money& cum_cash);

}  // namespace erx::exchange
