#pragma once
// Vocabulary of the order-book core: requests in, events out.
// docs/ORDER_BOOK.md states the matching rules these types carry.

#include <cstdint>
#include <string_view>

#include "engine/fixed/decimal.hpp"

namespace erx::book {

using OrderId = std::uint64_t;  // caller-supplied, unique among live orders, never 0
using OwnerId = std::uint32_t;  // who owns the order (member / account), for STP and mass cancel
using Timestamp = std::int64_t; // caller's clock (e.g. ns since epoch); the book never reads a clock

enum class Side : std::uint8_t { Buy = 0, Sell = 1 };

enum class OrderType : std::uint8_t {
  Limit = 0,
  Market = 1,  // trades at any price up to its protection limit, never rests
};

enum class TimeInForce : std::uint8_t {
  Day = 0,  // rests until cancel_day_orders() (the session close)
  Gtc = 1,  // good till cancelled
  Gtd = 2,  // good till the caller's time passes `expire_at`
  Ioc = 3,  // immediate or cancel: trade what is possible now, cancel the rest
  Fok = 4,  // fill or kill: trade all of it now, or reject without trading
};

// Self-trade prevention: what happens when an incoming order would trade with a
// resting order of the same owner. The incoming (taker) order's mode decides.
enum class StpMode : std::uint8_t {
  OwnerDefault = 0,  // use the owner's mode set by set_owner_stp() (None if never set)
  None = 1,          // self trades allowed
  CancelTaker = 2,   // cancel the incoming order's remaining quantity
  CancelMaker = 3,   // cancel the resting order, keep matching
  CancelBoth = 4,    // cancel both
  Decrement = 5,     // reduce both by the smaller quantity, no trade
};

// Why a request was rejected or an order was cancelled. Stable numeric codes:
// they reach FIX clients and journals, so never renumber, only append.
enum class Reason : std::uint16_t {
  None = 0,
  // --- rejects ---
  InvalidOrderId = 1,       // order id 0
  DuplicateOrderId = 2,     // a live order already has this id
  UnknownOrderId = 3,       // cancel / modify of an id that is not live
  InvalidSide = 4,
  InvalidOrderType = 5,
  InvalidTimeInForce = 6,   // unknown value, or a market order that is not IOC / FOK
  InvalidStpMode = 7,
  InvalidQuantity = 8,      // zero or negative
  QuantityTooLarge = 9,     // above BookLimits::max_order_qty
  OffLotQuantity = 10,      // not a multiple of the lot (quantity step)
  InvalidPrice = 11,        // zero or negative limit price
  OffTickPrice = 12,        // not a multiple of the tick
  PriceOutsideBand = 13,    // limit / protection price outside the book's price band
  ExpiredOnEntry = 14,      // GTD whose expiry is not after the book's current time
  BookFull = 15,            // max_resting_orders reached (orders that could rest)
  TooManyOwners = 16,       // max_owners reached
  FokNotFillable = 17,      // not enough tradable quantity now for a FOK
  InvalidBand = 18,         // set_price_band outside the ladder or lo > hi
  TimeWentBackwards = 19,   // advance_time earlier than the current time
  // --- cancel reasons ---
  UserCancel = 100,
  IocRemainder = 101,       // unfilled part of an IOC limit order
  MarketRemainder = 102,    // unfilled part of a market order
  StpCancelTaker = 103,
  StpCancelMaker = 104,
  StpCancelBoth = 105,
  StpDecrement = 106,
  MassCancel = 107,
  Expired = 108,            // GTD expiry reached
  EndOfDay = 109,           // DAY order cancelled at the close ("system cancel")
  OutsideNewBand = 110,     // resting order outside a new price band
};

[[nodiscard]] std::string_view to_string(Reason r) noexcept;
[[nodiscard]] std::string_view to_string(Side s) noexcept;
[[nodiscard]] std::string_view to_string(OrderType t) noexcept;
[[nodiscard]] std::string_view to_string(TimeInForce t) noexcept;
[[nodiscard]] std::string_view to_string(StpMode m) noexcept;

struct NewOrder {
  OrderId id = 0;
  OwnerId owner = 0;
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  TimeInForce tif = TimeInForce::Gtc;
  StpMode stp = StpMode::OwnerDefault;
  Price price = 0;        // limit price; for a market order the protection limit, 0 = the band edge
  Qty qty = 0;
  Timestamp expire_at = 0;  // GTD only
};

// Which request an event answers (useful for rejects).
enum class Request : std::uint8_t { Add = 0, Cancel = 1, Modify = 2, MassCancel = 3, SetBand = 4, AdvanceTime = 5, CancelDay = 6 };

enum class EventKind : std::uint8_t {
  Accepted = 0,   // an add passed validation
  Trade = 1,      // a fill between the taker (order_id) and a resting maker
  Cancelled = 2,  // quantity removed without trading; leaves > 0 means a partial cancel (STP decrement)
  Modified = 3,   // a modify was applied
  Rejected = 4,   // a request was refused; nothing changed
};

// One event. `request` is always the request being processed when the event
// was emitted (an Add's trades say Add; an expiry's cancels say AdvanceTime).
// `type` and `tif` are set on Accepted only (elsewhere: Limit / Gtc). Unused
// numeric fields are 0. Field use per kind:
//   Accepted : order_id, owner, side, type, tif, price (as given), qty, leaves = qty
//   Trade    : order_id = taker, owner = taker owner, side = taker side,
//              maker_id, maker_owner, price = the maker's price, qty = traded,
//              leaves = taker leaves after, maker_leaves = maker leaves after
//   Cancelled: order_id, owner, side, price, qty = cancelled, leaves = left after, reason.
//              price is the resting order's price, or for an incoming order the
//              price it was given (a market order's protection price, maybe 0)
//   Modified : order_id, owner, side, price = new price, qty = old leaves,
//              leaves = new leaves, priority_kept
//   Rejected : reason, and what was asked: Add -> order_id, side, price, qty as
//              given; Modify -> order_id, new price, new qty, side of the live
//              order (Buy if unknown); Cancel -> order_id; other requests -> nothing
struct Event {
  EventKind kind = EventKind::Accepted;
  Request request = Request::Add;
  Side side = Side::Buy;
  OrderType type = OrderType::Limit;
  TimeInForce tif = TimeInForce::Gtc;
  bool priority_kept = false;
  Reason reason = Reason::None;
  OwnerId owner = 0;
  OwnerId maker_owner = 0;
  OrderId order_id = 0;
  OrderId maker_id = 0;
  Price price = 0;
  Qty qty = 0;
  Qty leaves = 0;
  Qty maker_leaves = 0;

  friend bool operator==(const Event&, const Event&) = default;
};

// Receives every event the book emits, in order, synchronously.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const Event& e) = 0;
};

// Folds an event into a running 64-bit hash (field by field, independent of
// struct padding), so two event streams can be compared by one number.
[[nodiscard]] std::uint64_t hash_event(std::uint64_t h, const Event& e) noexcept;

// One line of text per event, stable, for logs and failure messages.
[[nodiscard]] std::string describe(const Event& e);

}  // namespace erx::book
