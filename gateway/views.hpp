#pragma once
// What the gateway knows of the exchange, kept from committed events only (the
// Router applies each command's events after its commit), so a member is never
// shown anything the ledger does not hold. At start the views are filled from
// the recovered state (load_views, below).
//
// Not thread-safe by themselves: the Gateway guards all three with one mutex
// (the router's writes per command, the sessions' reads per request).

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/book/id_index.hpp"
#include "engine/exchange/commands.hpp"
#include "engine/exchange/day_statistics.hpp"
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

// Where an order stands (its OrdStatus codes: fix_mapping.hpp).
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

// Live orders, plus the business day's finished ones (so a status request or
// a late cancel of a filled order is answered by ClOrdID, and a member can
// tell filled from cancelled after a restart: docs/FIX.md section 4).
// Bounded: the finished orders beyond `keep_finished` are forgotten oldest
// first; new_day() forgets them all.
//
// Every routed report looks an order up here, so the view is flat: orders in
// fixed chunks (stable addresses, nothing copied as it grows, freed slots
// reused) and two open-addressing indexes (engine/book/id_index.hpp), by
// order id and by a 64-bit hash of (member, ClOrdID). Orders whose keys share
// a hash are chained, so a collision costs a comparison, never a wrong
// answer. Nothing reaches a member in slot order (of() sorts).
class OrderView {
 public:
  explicit OrderView(std::size_t keep_finished = 100'000);
  OrderInfo& add(const OrderInfo& o);
  [[nodiscard]] OrderInfo* find(OrderId id);
  [[nodiscard]] const OrderInfo* find(exchange::MemberId member, std::string_view clord_id) const;
  // The order's ClOrdID changed (a replace): the new one finds it, the old one no longer.
  void rekey(OrderInfo& o, const exchange::ClOrdId& new_clord);
  // Call when an order stops being live.
  void finished(OrderInfo& o);
  // The member's orders by order id: the live ones, and with `finished_too`
  // the finished ones still remembered.
  [[nodiscard]] std::vector<const OrderInfo*> of(exchange::MemberId member, bool finished_too) const;
  // A new business day opened: the finished orders of the last one are forgotten.
  void new_day();

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  static constexpr std::uint32_t kChunk = 4096;  // orders per chunk
  struct Slot {
    OrderInfo order;  // order.id == 0: a free slot
    std::uint32_t next_same_key = kNone;  // the next (older) order under the same ClOrdID hash
  };
  [[nodiscard]] static std::uint64_t clord_key(exchange::MemberId member, const exchange::ClOrdId& clord);
  [[nodiscard]] Slot& slot(std::uint32_t i) { return (*chunks_[i / kChunk])[i % kChunk]; }
  [[nodiscard]] const Slot& slot(std::uint32_t i) const { return (*chunks_[i / kChunk])[i % kChunk]; }
  [[nodiscard]] std::uint32_t new_slot();
  void link_clord(std::uint32_t s);
  void unlink_clord(std::uint32_t s);
  void forget(std::uint32_t s);

  std::size_t keep_finished_;
  std::vector<std::unique_ptr<std::array<Slot, kChunk>>> chunks_;
  std::uint32_t used_slots_ = 0;  // slots handed out so far (free ones included)
  std::vector<std::uint32_t> free_slots_;
  book::IdIndex by_id_;     // order id -> slot
  book::IdIndex by_clord_;  // clord_key -> newest slot with that key (chained through next_same_key)
  std::vector<OrderId> finished_order_;  // FIFO of finished ids
  std::size_t finished_head_ = 0;
};

// The engine's day statistics (open, high, low, last, volume, turnover,
// Σ price × qty, trades: engine/exchange/day_statistics.hpp, the same
// arithmetic), plus what only market data needs.
struct DayStats : exchange::DayStats {
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

// Depth (aggregated resting quantity per price), trades and the day's
// statistics of each instrument, for market data.
class MarketView {
 public:
  // A change of the resting quantity at a price (delta may be negative) and of
  // the number of orders resting there: +1 when an order starts resting, -1
  // when it stops (filled, cancelled, moved away by a modify), else 0.
  void add_resting(InstrumentId ins, exchange::Side side, Price price, Qty delta, int orders_delta);
  // A trade: its price, quantity, cash (fen) and sequenced time.
  void trade(InstrumentId ins, Price price, Qty qty, erx::Money cash, exchange::Timestamp time);
  void new_day(InstrumentId ins);
  void restore_day(InstrumentId ins, const exchange::DayStats& d);  // after a restart
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

// The views of a recovered exchange (they start empty): instruments, the
// day's statistics, open orders and the depth they make.
void load_views(const exchange::Exchange& ex, InstrumentView& instruments, OrderView& orders, MarketView& market);

}  // namespace erx::gateway
