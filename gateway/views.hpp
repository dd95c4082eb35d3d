#pragma once
// What the gateway knows of the exchange, kept from committed events only (the
// Router applies each command's events after its commit), so a member is never
// shown anything the ledger does not hold. At start the views are filled from
// the recovered state (Gateway::load_views).
//
// Not thread-safe by themselves: the Gateway guards all three with one mutex
// (the router's writes per command, the sessions' reads per request).

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/exchange/commands.hpp"
#include "engine/exchange/events.hpp"
#include "engine/exchange/exchange.hpp"

namespace erx::gateway {

using exchange::InstrumentId;
using exchange::OrderId;
using erx::Price;
using erx::Qty;

struct InstrumentInfo {
  InstrumentId id = 0;
  exchange::InstrumentSpec spec;
  exchange::SessionState session = exchange::SessionState::Closed;
  Price reference = 0, band_lo = 0, band_hi = 0;
  [[nodiscard]] int price_scale() const { return spec.price_scale; }
  [[nodiscard]] int qty_scale() const { return spec.qty_scale; }
};

class InstrumentView {
 public:
  void upsert(InstrumentId id, const exchange::InstrumentSpec& spec);
  [[nodiscard]] InstrumentInfo* find(InstrumentId id);
  [[nodiscard]] const InstrumentInfo* find(InstrumentId id) const;
  [[nodiscard]] const InstrumentInfo* find(std::string_view symbol) const;
  [[nodiscard]] const std::map<InstrumentId, InstrumentInfo>& all() const { return by_id_; }

 private:
  std::map<InstrumentId, InstrumentInfo> by_id_;
  std::map<std::string, InstrumentId, std::less<>> by_symbol_;
};

enum class OrderStatus : std::uint8_t { New, PartiallyFilled, Filled, Cancelled, Expired, Rejected };

struct OrderInfo {
  OrderId id = 0;
  exchange::MemberId member = 0;
  exchange::AccountId account = 0;
  InstrumentId instrument = 0;
  exchange::ClOrdId clord_id;
  exchange::Side side = exchange::Side::Buy;
  exchange::OrderType type = exchange::OrderType::Limit;
  exchange::TimeInForce tif = exchange::TimeInForce::Day;
  Price price = 0;
  Qty order_qty = 0;  // cum + leaves (a modify changes it)
  Qty leaves = 0;
  Qty cum_qty = 0;
  erx::Money cum_cash = 0;  // fen
  exchange::Timestamp expire_at = 0;  // GTD only, else 0
  exchange::StpMode stp = exchange::StpMode::MemberDefault;  // as resolved by the engine at entry
  OrderStatus status = OrderStatus::New;
  [[nodiscard]] bool live() const { return status == OrderStatus::New || status == OrderStatus::PartiallyFilled; }
  // Rests in the book (counts in the depth).
  [[nodiscard]] bool resting() const {
    return live() && type == exchange::OrderType::Limit && tif != exchange::TimeInForce::Ioc &&
           tif != exchange::TimeInForce::Fok;
  }
};

// A just-accepted order as the view keeps it: all of it open, nothing executed.
[[nodiscard]] OrderInfo order_info(const exchange::OrderAccepted& a);

// Live orders, plus finished ones of this run (so a status request or a late
// cancel of a just-filled order can be answered by ClOrdID). Bounded: the
// finished orders beyond `keep_finished` are forgotten oldest first.
class OrderView {
 public:
  explicit OrderView(std::size_t keep_finished = 100'000) : keep_finished_(keep_finished) {
    orders_.reserve(keep_finished_);
    by_clord_.reserve(keep_finished_);
  }
  OrderInfo& add(const OrderInfo& o);
  [[nodiscard]] OrderInfo* find(OrderId id);
  [[nodiscard]] const OrderInfo* find(exchange::MemberId member, std::string_view clord_id) const;
  // The order's ClOrdID changed (a replace): the new one finds it, the old one no longer.
  void rekey(OrderInfo& o, const exchange::ClOrdId& new_clord);
  // Call when an order stops being live.
  void finished(OrderInfo& o);
  // The member's live orders, by order id.
  [[nodiscard]] std::vector<const OrderInfo*> live_of(exchange::MemberId member) const;

 private:
  // Hash tables: every routed report looks an order up here, and nothing
  // reaches a member in their iteration order (live_of() sorts).
  struct ClOrdKey {
    exchange::MemberId member = 0;
    exchange::ClOrdId clord_id;
    friend bool operator==(const ClOrdKey&, const ClOrdKey&) = default;
  };
  struct ClOrdKeyHash {
    std::size_t operator()(const ClOrdKey& k) const noexcept {
      return k.clord_id.hash() ^ (std::uint64_t{k.member} * 0x9E3779B97F4A7C15ull);
    }
  };
  std::size_t keep_finished_;
  std::unordered_map<OrderId, OrderInfo> orders_;
  std::unordered_map<ClOrdKey, OrderId, ClOrdKeyHash> by_clord_;
  std::vector<OrderId> finished_order_;  // FIFO of finished ids
  std::size_t finished_head_ = 0;
};

// Depth (aggregated resting quantity per price), trades and the day's
// statistics of each instrument, for market data.
// The engine's day statistics (open, high, low, last, volume, turnover,
// Σ price × qty, trades), plus what only market data needs.
struct DayStats : exchange::Exchange::DayStats {
  Price close = 0;  // set at the day's close (the next reference price)
  // The last trade's quantity and sequenced time: known only for a trade this
  // process saw (0 after a restart, until the next trade).
  Qty last_qty = 0;
  exchange::Timestamp last_time = 0;
};

struct Level {
  Price price = 0;
  Qty qty = 0;
  std::uint32_t orders = 0;  // resting orders at that price
  friend bool operator==(const Level&, const Level&) = default;
};

inline constexpr std::size_t kDepthLevels = 5;
using TopLevels = std::vector<Level>;  // best first, at most kDepthLevels

class MarketView {
 public:
  // A change of the resting quantity at a price (delta may be negative) and of
  // the number of orders resting there: +1 when an order starts resting, -1
  // when it stops (filled, cancelled, moved away by a modify), else 0.
  void add_resting(InstrumentId ins, exchange::Side side, Price price, Qty delta, int orders_delta);
  // A trade: its price, quantity, cash (fen) and sequenced time.
  void trade(InstrumentId ins, Price price, Qty qty, erx::Money cash, exchange::Timestamp time);
  void new_day(InstrumentId ins);
  void restore_day(InstrumentId ins, const exchange::Exchange::DayStats& d);  // after a restart
  void close_day(InstrumentId ins, Price close);
  [[nodiscard]] TopLevels top(InstrumentId ins, exchange::Side side) const;
  [[nodiscard]] DayStats stats(InstrumentId ins) const;

 private:
  struct Totals {
    Qty qty = 0;
    std::int64_t orders = 0;
  };
  struct Book {
    std::map<Price, Totals, std::greater<>> bids;
    std::map<Price, Totals> asks;
    DayStats day;
  };
  std::map<InstrumentId, Book> books_;
};

}  // namespace erx::gateway
