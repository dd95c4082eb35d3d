#pragma once
// Limits on amounts: the one place that says how large every amount entering
// the exchange may be, and why no sum the engine forms can then overflow.
// docs/EXCHANGE.md "Limits on amounts" has the same table with the reasoning;
// keep the two in step.
//
// Units: cash in fen (CNY 0.01, kCashScale); rights in the instrument's
// quantity units (10^-qty_scale of its unit); prices in its price units
// (10^-price_scale CNY). Qty and Price are int64; balances, notional, fees and
// day turnover are Money (checked signed 128-bit, |x| < 2^128 ≈ 3.4 × 10^38).
//
// The argument, in short:
//  - Cash and rights enter only by deposit and issue, and each asset's total
//    in the exchange (the negated External mirror) is capped. Every balance,
//    every position and every sum of balances is a part of that total, so each
//    is at most the cap, far inside int64.
//  - A price is at most kMaxPriceUnits (a reference above it is refused, a
//    band never reaches past it), so a price, twice a price (a band edge
//    before it is cut) and a price plus half the largest ladder fit int64.
//  - An order's quantity is at most kMaxOrderQtyUnits and a book holds at most
//    max_open_orders_per_book orders, whose product fits int64: level totals,
//    a member's open buys and FOK sums cannot overflow.
//  - price × quantity × term years × 100 (to fen) is below 10^35, inside Money;
//    a fee is computed as q × rate + (r × rate) / 10^6 with q, r the quotient
//    and remainder of the cash by 10^6, so it never exceeds its cash amount.
//  - Units bought are locked until the next day open, so a unit trades at most
//    once a day: an instrument's day volume is at most its outstanding total;
//    its turnover is at most (trades ≤ volume) × (cash of one trade ≤ the cash
//    total) < 10^35.
//  - What is still possible in principle (an order's executed quantity growing
//    through modifies day after day; four billion trades of one instrument in
//    one day) is checked before any state changes and rejected.

#include <cstdint>
#include <limits>

namespace erx::exchange {

inline constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// ---------------------------------------------------------------- cash (fen)

// Cash in the exchange, all accounts together (deposits less withdrawals):
// CNY 10^15 = 10^17 fen, more than China's whole money supply (M2 was about
// CNY 3 × 10^14 in 2024). A deposit that would take the total above it is
// amount-too-large. So is any single cash amount above it (deposit, withdraw,
// hold / release of cash): no balance can be larger.
inline constexpr std::int64_t kMaxCashFen = 100'000'000'000'000'000;  // 10^17 fen

// A fee line's minimum (set-fees), per order: at most the cash total, a fee
// no member could ever pay otherwise. Above it: invalid-fee.
inline constexpr std::int64_t kMaxFeeMinimumFen = kMaxCashFen;
// A fee line's rate: at most 100 % of the fill's cash. Above it: invalid-fee.
inline constexpr std::uint32_t kMaxFeeRatePpm = 1'000'000;

// ---------------------------------------------------------------- rights (quantity units)

// Rights of one instrument in the exchange, all accounts and buckets together
// (everything issued; rights are never withdrawn): 10^17 units, e.g. 10^14 t
// at kg scale, thousands of times the national carbon market's allocation.
// An issue that would take the total above it (or a holding limit above it)
// is amount-too-large.
inline constexpr std::int64_t kMaxRightsUnits = 100'000'000'000'000'000;  // 10^17 units

// ---------------------------------------------------------------- instrument specs

// Scales of an instrument's prices and quantities (create-instrument): 0..9.
inline constexpr int kMaxInstrumentScale = 9;
// Tick, in price units: at most 10^12 (invalid-tick above).
inline constexpr std::int64_t kMaxTickUnits = 1'000'000'000'000;
// Lot, min_qty and max_qty, in quantity units: at most 10^12 (invalid-lot /
// invalid-size-limits above). Also the largest order and modify quantity.
inline constexpr std::int64_t kMaxOrderQtyUnits = 1'000'000'000'000;
// Term of a per-unit-year right: at most 100 years (invalid-attribute above).
inline constexpr std::int32_t kMaxTermYears = 100;
// Every price, in price units: at most 4 × 10^18. A listing reference price
// above it is invalid-reference-price, and a band's upper edge is never above
// it (the largest price on the tick below it): so no order, trade, close or
// later reference passes it. Twice it (a band edge ref × (1 + band) before it
// is cut, band < 100 %) fits int64, and so does it plus half the largest
// ladder of the largest tick (a band edge cut to the ladder).
inline constexpr std::int64_t kMaxPriceUnits = 4'000'000'000'000'000'000;
// ExchangeLimits::max_ladder_levels may be at most this. A book's ladder is
// its band (docs/EXCHANGE.md "Price ladder"), so the limit bounds a band's
// width in ticks, not a price: each band edge is at most
// (max_ladder_levels - 1) / 2 ticks from the reference. It also bounds a
// book's memory (about 24 bytes a level: 100 MB at 2^22) and stays inside
// what the book's bitmaps index (2^24).
inline constexpr std::uint32_t kMaxLadderLevels = 1u << 22;
// ExchangeLimits::max_open_orders_per_book may be at most this: every order
// of a book at its largest quantity still sums inside int64 (level totals,
// a member's open buys of one instrument).
inline constexpr std::uint32_t kMaxOpenOrdersPerBook =
    static_cast<std::uint32_t>(kInt64Max / kMaxOrderQtyUnits);  // 9,223,372

// ---------------------------------------------------------------- orders

// An order's quantity over its life, what has executed plus what is open:
// at most kMaxRightsUnits. A modify that would take it above is
// above-max-size (each modify may reopen up to max_qty, so without this the
// executed quantity of a long-lived order could in principle grow without end).
inline constexpr std::int64_t kMaxOrderLifetimeQtyUnits = kMaxRightsUnits;

// Trades of one instrument in one business day (DailyStatistics::trades is a
// uint32). One order or modify trades at most once with each resting order,
// so when fewer than max_open_orders_per_book + 1 trades are left below the
// count's maximum, new orders and modifies of that instrument are refused
// (trade-limit-reached) until the next day open.
inline constexpr std::uint32_t kMaxTradesPerDay = std::numeric_limits<std::uint32_t>::max();

// ---------------------------------------------------------------- the arithmetic behind them

static_assert(kMaxCashFen <= kInt64Max / 92, "every cash balance, and sums of up to 92 of them, fit int64");
static_assert(kMaxRightsUnits <= kInt64Max / 92, "every rights balance and position fits int64");
static_assert(kMaxFeeMinimumFen <= kMaxCashFen);
// The largest price, twice it, and it plus half the largest ladder at the largest tick, fit int64.
static_assert(kMaxPriceUnits <= kInt64Max / 2);
static_assert(static_cast<std::int64_t>(kMaxLadderLevels / 2) <= (kInt64Max - kMaxPriceUnits) / kMaxTickUnits);
static_assert(kMaxLadderLevels <= (1u << 24), "the book's level bitmaps index at most 2^24 levels");
static_assert(kMaxOrderQtyUnits * static_cast<std::int64_t>(kMaxOpenOrdersPerBook) <= kInt64Max);
static_assert(kMaxOrderLifetimeQtyUnits <= kInt64Max - kMaxOrderQtyUnits,
              "executed + open quantity of an order fits int64");
// Largest notional in fen: price (≤ kMaxPriceUnits = 4 × 10^18)
// × quantity (10^12) × years (100) × 100 (price and quantity scale 0 -> fen)
// = 4 × 10^34, and adding two fees at most as large: well below 2^127.

}  // namespace erx::exchange
