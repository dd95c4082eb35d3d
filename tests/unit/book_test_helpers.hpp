#pragma once
// Shared helpers for the order-book unit tests (test_order_book):
//  - Recorder: an EventSink that keeps every event;
//  - BookFixture: a book plus recorder whose request wrappers return exactly the
//    events of that request and run check_invariants() (and a "never crossed"
//    check) after every request;
//  - order builders (buy / sell / market) and expected-event builders following
//    the field table in engine/book/book_types.hpp.
// Tests state expectations from docs/ORDER_BOOK.md, never from the implementation.

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "engine/book/book_types.hpp"
#include "engine/book/order_book.hpp"

// Readable failure messages.
namespace Catch {
template <>
struct StringMaker<erx::book::Event> {
  static std::string convert(const erx::book::Event& e) { return erx::book::describe(e); }
};
template <>
struct StringMaker<erx::book::LevelView> {
  static std::string convert(const erx::book::LevelView& v) {
    std::ostringstream os;
    os << "{price " << v.price << ", qty " << v.qty << ", orders " << v.orders << "}";
    return os.str();
  }
};
template <>
struct StringMaker<erx::book::Reason> {
  static std::string convert(erx::book::Reason r) {
    return std::string(erx::book::to_string(r)) + "(" + std::to_string(static_cast<unsigned>(r)) + ")";
  }
};
template <>
struct StringMaker<erx::book::StpMode> {
  static std::string convert(erx::book::StpMode m) { return std::string(erx::book::to_string(m)); }
};
}  // namespace Catch

namespace erx::book::test {

using erx::Price;
using erx::Qty;
using Events = std::vector<Event>;
using Levels = std::vector<LevelView>;

// ---------------------------------------------------------------- recording sink

class Recorder final : public EventSink {
 public:
  void on_event(const Event& e) override {
    events_.push_back(e);
    all_.push_back(e);
  }
  // The events since the last take(), and forget them.
  Events take() {
    Events out;
    out.swap(events_);
    return out;
  }
  [[nodiscard]] const Events& all() const noexcept { return all_; }

 private:
  Events events_;
  Events all_;
};

// ---------------------------------------------------------------- configurations

// The default book: ladder [100, 10000], tick 5, lot 1, whole ladder as band.
// A small initial capacity so the node pool has to grow in some tests.
// A ladder of 2^18 one-tick levels from price 1 (price = level + 1): wide
// enough for every layer of the level bitmaps to cross word boundaries.
inline BookConfig wide_unit_ladder_config() {
  BookConfig c;
  c.tick = 1;
  c.lot = 1;
  c.ladder_min = 1;
  c.ladder_max = 1 << 18;
  c.initial_order_capacity = 8;
  return c;
}

inline BookConfig default_config() {
  BookConfig c;
  c.ladder_min = 100;
  c.ladder_max = 10'000;
  c.tick = 5;
  c.lot = 1;
  c.initial_order_capacity = 4;
  c.limits.max_resting_orders = 100'000;
  return c;
}

// ---------------------------------------------------------------- order builders

// Value-semantics builder: each setter returns a modified copy.
struct OrderBuilder {
  NewOrder o{};

  [[nodiscard]] OrderBuilder owner(OwnerId v) const { auto c = *this; c.o.owner = v; return c; }
  [[nodiscard]] OrderBuilder tif(TimeInForce v) const { auto c = *this; c.o.tif = v; return c; }
  [[nodiscard]] OrderBuilder stp(StpMode v) const { auto c = *this; c.o.stp = v; return c; }
  [[nodiscard]] OrderBuilder type(OrderType v) const { auto c = *this; c.o.type = v; return c; }
  [[nodiscard]] OrderBuilder side(Side v) const { auto c = *this; c.o.side = v; return c; }
  [[nodiscard]] OrderBuilder price(Price v) const { auto c = *this; c.o.price = v; return c; }
  [[nodiscard]] OrderBuilder qty(Qty v) const { auto c = *this; c.o.qty = v; return c; }
  [[nodiscard]] OrderBuilder id(OrderId v) const { auto c = *this; c.o.id = v; return c; }
  [[nodiscard]] OrderBuilder ioc() const { return tif(TimeInForce::Ioc); }
  [[nodiscard]] OrderBuilder fok() const { return tif(TimeInForce::Fok); }
  [[nodiscard]] OrderBuilder day() const { return tif(TimeInForce::Day); }
  [[nodiscard]] OrderBuilder gtd(Timestamp expire_at) const {
    auto c = *this;
    c.o.tif = TimeInForce::Gtd;
    c.o.expire_at = expire_at;
    return c;
  }
  [[nodiscard]] OrderBuilder expire_at(Timestamp v) const { auto c = *this; c.o.expire_at = v; return c; }

  operator NewOrder() const { return o; }  // NOLINT(google-explicit-constructor)
};

// A Gtc limit order of owner 1 with the OwnerDefault STP mode.
inline OrderBuilder limit(OrderId id, Side side, Price price, Qty qty, OwnerId owner = 1) {
  OrderBuilder b;
  b.o.id = id;
  b.o.owner = owner;
  b.o.side = side;
  b.o.type = OrderType::Limit;
  b.o.tif = TimeInForce::Gtc;
  b.o.stp = StpMode::OwnerDefault;
  b.o.price = price;
  b.o.qty = qty;
  return b;
}
inline OrderBuilder buy(OrderId id, Price price, Qty qty, OwnerId owner = 1) {
  return limit(id, Side::Buy, price, qty, owner);
}
inline OrderBuilder sell(OrderId id, Price price, Qty qty, OwnerId owner = 1) {
  return limit(id, Side::Sell, price, qty, owner);
}
// A market IOC order; protection 0 = the band edge.
inline OrderBuilder market(OrderId id, Side side, Qty qty, Price protection = 0, OwnerId owner = 1) {
  return limit(id, side, protection, qty, owner).type(OrderType::Market).tif(TimeInForce::Ioc);
}

// ---------------------------------------------------------------- expected events

inline Event ev_accepted(const NewOrder& o) {
  Event e;
  e.kind = EventKind::Accepted;
  e.request = Request::Add;
  e.order_id = o.id;
  e.owner = o.owner;
  e.side = o.side;
  e.type = o.type;
  e.tif = o.tif;
  e.price = o.price;
  e.qty = o.qty;
  e.leaves = o.qty;
  return e;
}

struct TradeSpec {
  OrderId taker = 0;
  OwnerId taker_owner = 0;
  Side taker_side = Side::Buy;
  OrderId maker = 0;
  OwnerId maker_owner = 0;
  Price price = 0;
  Qty qty = 0;
  Qty leaves = 0;
  Qty maker_leaves = 0;
  Request request = Request::Add;
};

inline Event ev_trade(const TradeSpec& t) {
  Event e;
  e.kind = EventKind::Trade;
  e.request = t.request;
  e.order_id = t.taker;
  e.owner = t.taker_owner;
  e.side = t.taker_side;
  e.maker_id = t.maker;
  e.maker_owner = t.maker_owner;
  e.price = t.price;
  e.qty = t.qty;
  e.leaves = t.leaves;
  e.maker_leaves = t.maker_leaves;
  return e;
}

// Trade of taker `o` (the incoming order) against a maker.
inline Event ev_trade(const NewOrder& taker, OrderId maker, OwnerId maker_owner, Price price, Qty qty,
                      Qty taker_leaves, Qty maker_leaves, Request request = Request::Add) {
  return ev_trade(TradeSpec{taker.id, taker.owner, taker.side, maker, maker_owner, price, qty, taker_leaves,
                            maker_leaves, request});
}

inline Event ev_cancelled(OrderId id, OwnerId owner, Side side, Price price, Qty qty, Qty leaves, Reason reason,
                          Request request) {
  Event e;
  e.kind = EventKind::Cancelled;
  e.request = request;
  e.order_id = id;
  e.owner = owner;
  e.side = side;
  e.price = price;
  e.qty = qty;
  e.leaves = leaves;
  e.reason = reason;
  return e;
}

// Full cancel (leaves after = 0) of the order described by `o` with `qty` leaves.
inline Event ev_cancelled(const NewOrder& o, Qty qty, Reason reason, Request request = Request::Add) {
  return ev_cancelled(o.id, o.owner, o.side, o.price, qty, 0, reason, request);
}

inline Event ev_modified(OrderId id, OwnerId owner, Side side, Price new_price, Qty old_leaves, Qty new_leaves,
                         bool priority_kept) {
  Event e;
  e.kind = EventKind::Modified;
  e.request = Request::Modify;
  e.order_id = id;
  e.owner = owner;
  e.side = side;
  e.price = new_price;
  e.qty = old_leaves;
  e.leaves = new_leaves;
  e.priority_kept = priority_kept;
  return e;
}

inline Event ev_rejected_add(const NewOrder& o, Reason reason) {
  Event e;
  e.kind = EventKind::Rejected;
  e.request = Request::Add;
  e.reason = reason;
  e.order_id = o.id;
  e.side = o.side;
  e.price = o.price;
  e.qty = o.qty;
  return e;
}

inline Event ev_rejected_cancel(OrderId id, Reason reason = Reason::UnknownOrderId) {
  Event e;
  e.kind = EventKind::Rejected;
  e.request = Request::Cancel;
  e.reason = reason;
  e.order_id = id;
  return e;
}

inline Event ev_rejected_modify(OrderId id, Price new_price, Qty new_qty, Side live_side, Reason reason) {
  Event e;
  e.kind = EventKind::Rejected;
  e.request = Request::Modify;
  e.reason = reason;
  e.order_id = id;
  e.price = new_price;
  e.qty = new_qty;
  e.side = live_side;
  return e;
}

// Rejected event of a request that reports nothing but its reason (SetBand,
// AdvanceTime, MassCancel).
inline Event ev_rejected_bare(Request request, Reason reason) {
  Event e;
  e.kind = EventKind::Rejected;
  e.request = request;
  e.reason = reason;
  return e;
}

// ---------------------------------------------------------------- fixture

struct BookSnapshot {
  Levels bids;
  Levels asks;
  std::uint32_t open_orders = 0;
  friend bool operator==(const BookSnapshot&, const BookSnapshot&) = default;
};

}  // namespace erx::book::test

namespace Catch {
template <>
struct StringMaker<erx::book::test::BookSnapshot> {
  static std::string convert(const erx::book::test::BookSnapshot& s) {
    std::ostringstream os;
    os << "bids:";
    for (const auto& l : s.bids) os << " " << l.price << "x" << l.qty << "/" << l.orders;
    os << " asks:";
    for (const auto& l : s.asks) os << " " << l.price << "x" << l.qty << "/" << l.orders;
    os << " open " << s.open_orders;
    return os.str();
  }
};
}  // namespace Catch

namespace erx::book::test {

class BookFixture {
 public:
  explicit BookFixture(const BookConfig& cfg = default_config()) : book(cfg, rec) { check(); }

  Recorder rec;
  OrderBook book;

  // Each wrapper runs one request, checks the book, and returns the request's events.
  Events add(const NewOrder& o) {
    rec.take();
    book.add(o);
    check();
    return rec.take();
  }
  Events cancel(OrderId id) {
    rec.take();
    book.cancel(id);
    check();
    return rec.take();
  }
  Events modify(OrderId id, Price price, Qty qty) {
    rec.take();
    book.modify(id, price, qty);
    check();
    return rec.take();
  }
  Events mass_cancel(const MassCancelFilter& f, std::uint32_t* count = nullptr) {
    rec.take();
    const std::uint32_t n = book.mass_cancel(f);
    check();
    if (count != nullptr) *count = n;
    return rec.take();
  }
  Events cancel_day(std::uint32_t* count = nullptr) {
    rec.take();
    const std::uint32_t n = book.cancel_day_orders();
    check();
    if (count != nullptr) *count = n;
    return rec.take();
  }
  Events advance(Timestamp now) {
    rec.take();
    book.advance_time(now);
    check();
    return rec.take();
  }
  Events band(Price lo, Price hi) {
    rec.take();
    book.set_price_band(lo, hi);
    check();
    return rec.take();
  }
  Reason owner_stp(OwnerId owner, StpMode mode) {
    rec.take();
    const Reason r = book.set_owner_stp(owner, mode);
    check();
    CHECK(rec.take().empty());  // set_owner_stp reports by return value only
    return r;
  }

  // Adds an order that must rest untouched (Accepted only).
  void rest(const NewOrder& o) {
    const Events got = add(o);
    INFO("resting order " << o.id);
    REQUIRE(got == Events{ev_accepted(o)});
  }

  // Adds an order that must be rejected with `reason`: exactly one Rejected event
  // and no change to the book (depth of both sides, open orders, the live order
  // with the same id if any).
  void add_rejected(const NewOrder& o, Reason reason) {
    const BookSnapshot before = snapshot();
    const auto live_before = book.find(o.id);
    const Events got = add(o);
    INFO("order " << o.id << " expected reject " << static_cast<unsigned>(reason));
    CHECK(got == Events{ev_rejected_add(o, reason)});
    CHECK(snapshot() == before);
    const auto live_after = book.find(o.id);
    CHECK(live_before.has_value() == live_after.has_value());
    if (live_before && live_after) {
      CHECK(live_before->side == live_after->side);
      CHECK(live_before->price == live_after->price);
      CHECK(live_before->leaves == live_after->leaves);
      CHECK(live_before->owner == live_after->owner);
    }
  }

  [[nodiscard]] Levels depth(Side side, std::size_t n = 64) const {
    Levels out(n);
    const std::size_t written = book.depth(side, out);
    REQUIRE(written <= n);
    out.resize(written);
    return out;
  }
  [[nodiscard]] BookSnapshot snapshot() const {
    return BookSnapshot{depth(Side::Buy, 4096), depth(Side::Sell, 4096), book.open_orders()};
  }
  [[nodiscard]] bool live(OrderId id) const { return book.find(id).has_value(); }
  [[nodiscard]] Qty leaves(OrderId id) const {
    const auto v = book.find(id);
    REQUIRE(v.has_value());
    return v->leaves;
  }

  // Invariants after every request: the book's own deep check, plus "never crossed"
  // and consistency of best() with depth().
  void check() const {
    book.check_invariants();
    const auto bb = book.best(Side::Buy);
    const auto ba = book.best(Side::Sell);
    if (bb && ba) {
      INFO("best bid " << bb->price << " best ask " << ba->price);
      REQUIRE(bb->price < ba->price);
    }
    for (const Side s : {Side::Buy, Side::Sell}) {
      LevelView top[1];
      const std::size_t n = book.depth(s, top);
      const auto b = book.best(s);
      REQUIRE(n == (b ? 1u : 0u));
      if (b) REQUIRE(top[0] == *b);
    }
  }
};

inline LevelView lv(Price price, Qty qty, std::uint32_t orders) { return LevelView{price, qty, orders}; }

}  // namespace erx::book::test

