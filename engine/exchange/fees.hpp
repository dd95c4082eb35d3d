#pragma once
// Cash amounts of fills and fees, exactly, with the rounding rules of
// docs/EXCHANGE.md ("Money and rounding"):
//  - a buy order pays, over all its fills, its exact notional (Σ price × qty
//    × term years) rounded UP to the fen: each fill costs what takes the
//    order's payments to that ceiling. What the order has paid beyond its exact
//    notional (less than one fen) is its "prepaid" sub-fen, the only state this
//    needs. The seller receives what the buyer pays for the fill. So no right
//    moves unpaid, and how the fills (or anyone's orders) are split never
//    lowers what a buyer pays; see the docs for the argument.
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

// The sub-fen unit of an instrument's notional: 10^-(price_scale + qty_scale)
// CNY. One fen is sub_fen_per_fen() of them (1 when the notional is always a
// whole number of fen, and then nothing is ever prepaid).
[[nodiscard]] std::int64_t sub_fen_per_fen(const CashRule& rule);

// One more fill of a buy order: the cash it pays (fen) and what it has then
// prepaid (sub-fen units, always in [0, sub_fen_per_fen)).
struct BuyFillCash {
  Money cash = 0;
  std::int64_t prepaid_after = 0;
};
[[nodiscard]] BuyFillCash buy_fill_cash(const CashRule& rule, std::int64_t prepaid, Price price, Qty qty);

// floor(price × qty × years) in fen: a lower bound of a sale's exact notional.
[[nodiscard]] Money notional_floor_cash(const CashRule& rule, Price price, Qty qty);

// What one fee line of an order costs in total once its fills add up to cum_cash.
[[nodiscard]] Money fee_target(const FeeLineUnits& line, const Money& cum_cash);

}  // namespace erx::exchange
