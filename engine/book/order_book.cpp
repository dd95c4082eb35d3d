// Requests, validation and resting-order bookkeeping of the order book.
// Matching lives in matching.cpp; whole-book checks and queries in invariants.cpp.

#include "engine/book/order_book.hpp"

#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/assert.hpp"

namespace erx::book {

namespace {

bool valid_side(Side s) { return s == Side::Buy || s == Side::Sell; }
bool valid_type(OrderType t) { return t == OrderType::Limit || t == OrderType::Market; }
bool valid_tif(TimeInForce t) { return static_cast<std::uint8_t>(t) <= static_cast<std::uint8_t>(TimeInForce::Fok); }
bool valid_stp(StpMode m) { return static_cast<std::uint8_t>(m) <= static_cast<std::uint8_t>(StpMode::Decrement); }
bool can_rest(OrderType type, TimeInForce tif) {
  return type == OrderType::Limit && (tif == TimeInForce::Day || tif == TimeInForce::Gtc || tif == TimeInForce::Gtd);
}

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("OrderBook config: ") + what);
}

}  // namespace

OrderBook::OrderBook(const BookConfig& config, EventSink& sink)
    : config_(config),
      sink_(sink),
      order_index_(config.initial_order_capacity),
      bid_levels_(1),
      ask_levels_(1),
      owner_index_(64) {
  const BookLimits& lim = config.limits;
  require(config.tick > 0, "tick must be > 0");
  require(config.lot > 0, "lot must be > 0");
  require(config.ladder_min > 0, "ladder_min must be > 0");
  require(config.ladder_max >= config.ladder_min, "ladder_max must be >= ladder_min");
  require(config.ladder_min % config.tick == 0 && config.ladder_max % config.tick == 0,
          "ladder bounds must be on tick");
  require(lim.max_order_qty > 0, "max_order_qty must be > 0");
  require(lim.max_resting_orders > 0 && lim.max_resting_orders < kNil, "max_resting_orders out of range");
  require(lim.max_owners > 0 && lim.max_owners < kNil, "max_owners out of range");
  require(lim.max_ladder_levels > 0 && lim.max_ladder_levels <= LevelBitmap::kMaxLevels,
          "max_ladder_levels out of range");
  // A level's total quantity must never overflow: every resting order at one price.
  require(lim.max_order_qty <= std::numeric_limits<Qty>::max() / lim.max_resting_orders,
          "max_order_qty x max_resting_orders must fit in int64");
  const Price span = (config.ladder_max - config.ladder_min) / config.tick;
  require(span < static_cast<Price>(lim.max_ladder_levels), "ladder wider than max_ladder_levels");

  const auto levels = static_cast<std::uint32_t>(span + 1);
  levels_.assign(levels, Level{});
  bid_levels_ = LevelBitmap(levels);
  ask_levels_ = LevelBitmap(levels);
  band_lo_ = 0;
  band_hi_ = levels - 1;
  nodes_.reserve(config.initial_order_capacity);
}

// ---------------------------------------------------------------- prices

std::uint32_t OrderBook::level_of(Price price) const noexcept {
  const Price offset = price - config_.ladder_min;
  return static_cast<std::uint32_t>(config_.tick == 1 ? offset : offset / config_.tick);
}

Price OrderBook::price_of(std::uint32_t level) const noexcept {
  return config_.ladder_min + static_cast<Price>(level) * config_.tick;
}

std::pair<Price, Price> OrderBook::price_band() const noexcept {
  return {price_of(band_lo_), price_of(band_hi_)};
}

// ---------------------------------------------------------------- validation

Reason OrderBook::validate_qty(Qty qty) const {
  if (qty <= 0) return Reason::InvalidQuantity;
  if (qty > config_.limits.max_order_qty) return Reason::QuantityTooLarge;
  if (config_.lot != 1 && qty % config_.lot != 0) return Reason::OffLotQuantity;
  return Reason::None;
}

Reason OrderBook::validate_price(Price price) const {
  if (price <= 0) return Reason::InvalidPrice;
  if (config_.tick != 1 && price % config_.tick != 0) return Reason::OffTickPrice;
  const auto [lo, hi] = price_band();
  if (price < lo || price > hi) return Reason::PriceOutsideBand;
  return Reason::None;
}

Reason OrderBook::validate_new(const NewOrder& o, std::uint32_t known_owner) const {
  if (o.id == 0) return Reason::InvalidOrderId;
  if (order_index_.find(o.id) != IdIndex::kMissing) return Reason::DuplicateOrderId;
  if (!valid_side(o.side)) return Reason::InvalidSide;
  if (!valid_type(o.type)) return Reason::InvalidOrderType;
  if (!valid_tif(o.tif)) return Reason::InvalidTimeInForce;
  if (o.type == OrderType::Market && o.tif != TimeInForce::Ioc && o.tif != TimeInForce::Fok)
    return Reason::InvalidTimeInForce;
  if (!valid_stp(o.stp)) return Reason::InvalidStpMode;
  if (const Reason r = validate_qty(o.qty); r != Reason::None) return r;
  const bool protection_at_band_edge = o.type == OrderType::Market && o.price == 0;
  if (!protection_at_band_edge) {
    if (const Reason r = validate_price(o.price); r != Reason::None) return r;
  }
  if (o.tif == TimeInForce::Gtd && o.expire_at <= now_) return Reason::ExpiredOnEntry;
  if (can_rest(o.type, o.tif) && open_orders_ >= config_.limits.max_resting_orders) return Reason::BookFull;
  if (known_owner == IdIndex::kMissing && owners_.size() >= config_.limits.max_owners)
    return Reason::TooManyOwners;
  return Reason::None;
}

std::uint32_t OrderBook::limit_level_for(const NewOrder& o) const noexcept {
  if (o.type == OrderType::Market && o.price == 0) return o.side == Side::Buy ? band_hi_ : band_lo_;
  return level_of(o.price);
}

// ---------------------------------------------------------------- requests

void OrderBook::add(const NewOrder& o) {
  request_ = Request::Add;
  const std::uint32_t known = owner_index_.find(std::uint64_t{o.owner} + 1);
  if (const Reason r = validate_new(o, known); r != Reason::None) {
    emit_reject(Request::Add, o.id, o.side, o.price, o.qty, r);
    return;
  }
  // The owner is registered only once the order is accepted: a rejected
  // request (a FOK that cannot fill) must leave the book exactly as it was.
  const StpMode owner_default = known == IdIndex::kMissing ? StpMode::None : owners_[known].default_stp;
  const StpMode stp = o.stp == StpMode::OwnerDefault ? owner_default : o.stp;
  Taker taker{o.id, o.owner, known, o.side, stp, o.qty, o.price, limit_level_for(o)};

  if (o.tif == TimeInForce::Fok && !fok_fillable(taker)) {
    emit_reject(Request::Add, o.id, o.side, o.price, o.qty, Reason::FokNotFillable);
    return;
  }
  if (known == IdIndex::kMissing) {
    const std::optional<std::uint32_t> slot = owner_slot_for(o.owner);
    ERX_ASSERT(slot.has_value());  // validate_new checked the owner limit
    taker.owner_slot = *slot;
  }

  Event e;
  e.kind = EventKind::Accepted;
  e.request = Request::Add;
  e.side = o.side;
  e.type = o.type;
  e.tif = o.tif;
  e.owner = o.owner;
  e.order_id = o.id;
  e.price = o.price;
  e.qty = o.qty;
  e.leaves = o.qty;
  sink_.on_event(e);

  if (match(taker) == MatchEnd::TakerCancelled || taker.leaves == 0) return;

  if (can_rest(o.type, o.tif)) {
    rest(taker, o.tif, o.expire_at, allocate_node());
    return;
  }
  ERX_ASSERT(o.tif != TimeInForce::Fok);  // fok_fillable promised a full fill
  const Reason why = o.type == OrderType::Market ? Reason::MarketRemainder : Reason::IocRemainder;
  emit_cancelled_taker(taker, taker.leaves, why);
}

void OrderBook::cancel(OrderId id) {
  request_ = Request::Cancel;
  const std::uint32_t node = id == 0 ? IdIndex::kMissing : order_index_.find(id);
  if (node == IdIndex::kMissing) {
    emit_reject(Request::Cancel, id, Side::Buy, 0, 0, Reason::UnknownOrderId);
    return;
  }
  cancel_node(node, Reason::UserCancel, nodes_[node].leaves);
}

void OrderBook::modify(OrderId id, Price new_price, Qty new_qty) {
  request_ = Request::Modify;
  const std::uint32_t node = id == 0 ? IdIndex::kMissing : order_index_.find(id);
  Reason r = node == IdIndex::kMissing ? Reason::UnknownOrderId : validate_qty(new_qty);
  if (r == Reason::None) r = validate_price(new_price);
  if (r != Reason::None) {
    const Side side = node == IdIndex::kMissing ? Side::Buy : nodes_[node].side;
    emit_reject(Request::Modify, id, side, new_price, new_qty, r);
    return;
  }

  OrderNode& n = nodes_[node];
  const std::uint32_t new_level = level_of(new_price);
  Event e;
  e.kind = EventKind::Modified;
  e.request = Request::Modify;
  e.side = n.side;
  e.owner = owners_[n.owner_slot].id;
  e.order_id = n.id;
  e.price = new_price;
  e.qty = n.leaves;
  e.leaves = new_qty;

  if (new_level == n.level && new_qty <= n.leaves) {
    // A pure decrease keeps time priority: adjust in place.
    levels_[n.level].total -= n.leaves - new_qty;
    n.leaves = new_qty;
    e.priority_kept = true;
    sink_.on_event(e);
    return;
  }

  // Loses priority: leave the level, then enter again as a taker.
  unlink_level(node);
  sink_.on_event(e);
  Taker taker{n.id, e.owner, n.owner_slot, n.side, n.stp, new_qty, new_price, new_level};
  const MatchEnd end = match(taker);
  OrderNode& after = nodes_[node];  // match() never reallocates nodes_, but be explicit
  if (end == MatchEnd::TakerCancelled || taker.leaves == 0) {
    after.leaves = 0;
    remove_order(node);
    return;
  }
  after.leaves = taker.leaves;
  after.level = new_level;
  link_level(node);
}

std::uint32_t OrderBook::mass_cancel(const MassCancelFilter& filter) {
  request_ = Request::MassCancel;
  if (filter.side && !valid_side(*filter.side)) {
    emit_reject(Request::MassCancel, 0, Side::Buy, 0, 0, Reason::InvalidSide);
    return 0;
  }
  if (!filter.owner) {
    std::uint32_t n = 0;
    for (Side s : {Side::Buy, Side::Sell})
      if (!filter.side || *filter.side == s)
        n += cancel_side_where(s, Reason::MassCancel, [](const OrderNode&) { return true; });
    return n;
  }
  const std::uint32_t slot = owner_index_.find(std::uint64_t{*filter.owner} + 1);
  if (slot == IdIndex::kMissing) return 0;
  std::uint32_t n = 0;
  for (std::uint32_t i = owners_[slot].head; i != kNil;) {
    const std::uint32_t next = nodes_[i].owner_next;
    if (!filter.side || nodes_[i].side == *filter.side) {
      cancel_node(i, Reason::MassCancel, nodes_[i].leaves);
      ++n;
    }
    i = next;
  }
  return n;
}

std::uint32_t OrderBook::cancel_day_orders() {
  request_ = Request::CancelDay;
  std::uint32_t n = 0;
  for (Side s : {Side::Buy, Side::Sell})
    n += cancel_side_where(s, Reason::EndOfDay, [](const OrderNode& o) { return o.tif == TimeInForce::Day; });
  return n;
}

void OrderBook::advance_time(Timestamp now) {
  request_ = Request::AdvanceTime;
  if (now < now_) {
    emit_reject(Request::AdvanceTime, 0, Side::Buy, 0, 0, Reason::TimeWentBackwards);
    return;
  }
  now_ = now;
  while (!expiries_.empty() && expiries_.begin()->first <= now) {
    const std::uint32_t node = order_index_.find(expiries_.begin()->second);
    ERX_ASSERT(node != IdIndex::kMissing);
    cancel_node(node, Reason::Expired, nodes_[node].leaves);  // also erases the expiry entry
  }
}

void OrderBook::set_price_band(Price lo, Price hi) {
  request_ = Request::SetBand;
  const bool on_tick = lo % config_.tick == 0 && hi % config_.tick == 0;
  if (lo > hi || !on_tick || lo < config_.ladder_min || hi > config_.ladder_max) {
    emit_reject(Request::SetBand, 0, Side::Buy, 0, 0, Reason::InvalidBand);
    return;
  }
  band_lo_ = level_of(lo);
  band_hi_ = level_of(hi);
  for (Side s : {Side::Buy, Side::Sell})
    cancel_side_where(s, Reason::OutsideNewBand,
                      [this](const OrderNode& o) { return o.level < band_lo_ || o.level > band_hi_; });
}

void OrderBook::rebase_ladder(Price lo, Price hi) {
  request_ = Request::SetBand;
  const Price tick = config_.tick;
  const bool on_tick = lo % tick == 0 && hi % tick == 0;
  if (lo <= 0 || lo > hi || !on_tick || (hi - lo) / tick >= static_cast<Price>(config_.limits.max_ladder_levels)) {
    emit_reject(Request::SetBand, 0, Side::Buy, 0, 0, Reason::InvalidBand);
    return;
  }
  // Cancel first, by price (lo and hi may be off the current ladder), in the
  // order set_price_band() cancels: then every order left has a place on the
  // new ladder, and a band that moves inside the ladder gives the same events
  // either way.
  for (Side s : {Side::Buy, Side::Sell})
    cancel_side_where(s, Reason::OutsideNewBand, [this, lo, hi](const OrderNode& o) {
      const Price p = price_of(o.level);
      return p < lo || p > hi;
    });
  if (lo != config_.ladder_min || hi != config_.ladder_max) move_ladder(lo, hi);
  band_lo_ = 0;
  band_hi_ = static_cast<std::uint32_t>(levels_.size() - 1);
}

// Re-indexes the book onto the ladder [lo, hi]: a fresh level array and
// bitmaps of the new size, into which each non-empty level (found through
// the old bitmaps, never by a ladder scan) is copied whole, its FIFO queue
// untouched, and each of its orders told its new index. Node numbers, owner
// lists, the id index and the expiry set do not depend on the ladder and stay
// as they are. O(new levels + non-empty levels + resting orders).
void OrderBook::move_ladder(Price lo, Price hi) {
  const Price tick = config_.tick;
  const auto count = static_cast<std::uint32_t>((hi - lo) / tick + 1);
  // New index = old index - shift; shift is negative when the ladder moves down.
  const Price shift = (lo - config_.ladder_min) / tick;
  auto moved = [shift, count](std::uint32_t level) {
    const Price to = static_cast<Price>(level) - shift;
    ERX_ASSERT(to >= 0 && to < static_cast<Price>(count));  // rebase_ladder() cancelled every order outside
    return static_cast<std::uint32_t>(to);
  };
  std::vector<Level> levels(count);
  LevelBitmap bids(count);
  LevelBitmap asks(count);
  for (Side side : {Side::Buy, Side::Sell}) {
    LevelBitmap& bits = side == Side::Buy ? bids : asks;
    for (std::uint32_t level = best_level(side); level != kNil; level = next_worse_level(side, level)) {
      const std::uint32_t to = moved(level);
      levels[to] = levels_[level];
      bits.set(to);
      for (std::uint32_t i = levels_[level].head; i != kNil; i = nodes_[i].next) nodes_[i].level = to;
    }
  }
  best_bid_ = best_bid_ == kNil ? kNil : moved(best_bid_);
  best_ask_ = best_ask_ == kNil ? kNil : moved(best_ask_);
  levels_.swap(levels);
  bid_levels_ = std::move(bids);
  ask_levels_ = std::move(asks);
  config_.ladder_min = lo;
  config_.ladder_max = hi;
}

Reason OrderBook::set_owner_stp(OwnerId owner, StpMode mode) {
  if (!valid_stp(mode) || mode == StpMode::OwnerDefault) return Reason::InvalidStpMode;
  const std::optional<std::uint32_t> slot = owner_slot_for(owner);
  if (!slot) return Reason::TooManyOwners;
  owners_[*slot].default_stp = mode;
  return Reason::None;
}

// Cancels, on one side from the best price outward and FIFO within a level,
// every order for which pred() holds. The next order is read before the
// current one is removed, and the next level is found from the current index.
template <class Pred>
std::uint32_t OrderBook::cancel_side_where(Side side, Reason reason, Pred pred) {
  std::uint32_t n = 0;
  for (std::uint32_t level = best_level(side); level != kNil; level = next_worse_level(side, level)) {
    for (std::uint32_t i = levels_[level].head; i != kNil;) {
      const std::uint32_t next = nodes_[i].next;
      if (pred(nodes_[i])) {
        cancel_node(i, reason, nodes_[i].leaves);
        ++n;
      }
      i = next;
    }
  }
  return n;
}

// ---------------------------------------------------------------- resting orders

std::optional<std::uint32_t> OrderBook::owner_slot_for(OwnerId owner) {
  const std::uint64_t key = std::uint64_t{owner} + 1;
  const std::uint32_t found = owner_index_.find(key);
  if (found != IdIndex::kMissing) return found;
  if (owners_.size() >= config_.limits.max_owners) return std::nullopt;
  const auto slot = static_cast<std::uint32_t>(owners_.size());
  owners_.push_back(Owner{});
  owners_.back().id = owner;
  owner_index_.insert(key, slot);
  return slot;
}

std::uint32_t OrderBook::allocate_node() {
  if (free_head_ != kNil) {
    const std::uint32_t node = free_head_;
    free_head_ = nodes_[node].next;
    return node;
  }
  ERX_ASSERT(nodes_.size() < kNil);
  nodes_.emplace_back();
  return static_cast<std::uint32_t>(nodes_.size() - 1);
}

void OrderBook::rest(const Taker& t, TimeInForce tif, Timestamp expire_at, std::uint32_t node) {
  OrderNode& n = nodes_[node];
  n.id = t.id;
  n.leaves = t.leaves;
  n.expire_at = tif == TimeInForce::Gtd ? expire_at : 0;
  n.owner_slot = t.owner_slot;
  n.level = t.limit_level;
  n.side = t.side;
  n.tif = tif;
  n.stp = t.stp;
  order_index_.insert(t.id, node);
  link_level(node);
  link_owner(node);
  if (tif == TimeInForce::Gtd) expiries_.emplace(expire_at, t.id);
  ++open_orders_;
}

void OrderBook::link_level(std::uint32_t node) {
  OrderNode& n = nodes_[node];
  Level& lv = levels_[n.level];
  n.prev = lv.tail;
  n.next = kNil;
  if (lv.tail == kNil)
    lv.head = node;
  else
    nodes_[lv.tail].next = node;
  lv.tail = node;
  ++lv.count;
  lv.total += n.leaves;
  if (lv.count == 1) {
    if (n.side == Side::Buy) {
      bid_levels_.set(n.level);
      if (best_bid_ == kNil || n.level > best_bid_) best_bid_ = n.level;
    } else {
      ask_levels_.set(n.level);
      if (best_ask_ == kNil || n.level < best_ask_) best_ask_ = n.level;
    }
  }
  ERX_ASSERT(best_bid_ == kNil || best_ask_ == kNil || best_bid_ < best_ask_);
}

void OrderBook::unlink_level(std::uint32_t node) {
  OrderNode& n = nodes_[node];
  Level& lv = levels_[n.level];
  if (n.prev == kNil)
    lv.head = n.next;
  else
    nodes_[n.prev].next = n.next;
  if (n.next == kNil)
    lv.tail = n.prev;
  else
    nodes_[n.next].prev = n.prev;
  --lv.count;
  lv.total -= n.leaves;
  if (lv.count > 0) return;
  ERX_ASSERT(lv.total == 0);
  // The level emptied: drop its bit and, if it was the best, find the next best.
  if (n.side == Side::Buy) {
    bid_levels_.clear(n.level);
    if (best_bid_ == n.level) {
      const std::uint32_t next = n.level == 0 ? LevelBitmap::kNone : bid_levels_.prev_at_or_before(n.level - 1);
      best_bid_ = next == LevelBitmap::kNone ? kNil : next;
    }
  } else {
    ask_levels_.clear(n.level);
    if (best_ask_ == n.level) {
      const std::uint32_t next = ask_levels_.next_at_or_after(n.level + 1);
      best_ask_ = next == LevelBitmap::kNone ? kNil : next;
    }
  }
}

void OrderBook::link_owner(std::uint32_t node) {
  OrderNode& n = nodes_[node];
  Owner& ow = owners_[n.owner_slot];
  n.owner_prev = ow.tail;
  n.owner_next = kNil;
  if (ow.tail == kNil)
    ow.head = node;
  else
    nodes_[ow.tail].owner_next = node;
  ow.tail = node;
  ++ow.count[static_cast<int>(n.side)];
}

void OrderBook::unlink_owner(std::uint32_t node) {
  OrderNode& n = nodes_[node];
  Owner& ow = owners_[n.owner_slot];
  if (n.owner_prev == kNil)
    ow.head = n.owner_next;
  else
    nodes_[n.owner_prev].owner_next = n.owner_next;
  if (n.owner_next == kNil)
    ow.tail = n.owner_prev;
  else
    nodes_[n.owner_next].owner_prev = n.owner_prev;
  --ow.count[static_cast<int>(n.side)];
}

// Removes a node that is no longer in its level queue or is about to leave it.
// Callers that already unlinked the level (modify) set leaves to 0 first and
// pass through here with the node detached; others detach it here.
void OrderBook::remove_order(std::uint32_t node) {
  OrderNode& n = nodes_[node];
  unlink_owner(node);
  order_index_.erase(n.id);
  if (n.tif == TimeInForce::Gtd) expiries_.erase({n.expire_at, n.id});
  n.id = 0;
  n.next = free_head_;
  free_head_ = node;
  --open_orders_;
}

void OrderBook::cancel_node(std::uint32_t node, Reason reason, Qty qty) {
  OrderNode& n = nodes_[node];
  ERX_ASSERT(qty > 0 && qty <= n.leaves);
  emit_cancelled(n, qty, reason);
  if (qty < n.leaves) {
    n.leaves -= qty;
    levels_[n.level].total -= qty;
    return;
  }
  unlink_level(node);
  remove_order(node);
}

// ---------------------------------------------------------------- events

void OrderBook::emit_reject(Request req, OrderId id, Side side, Price price, Qty qty, Reason reason) {
  Event e;
  e.kind = EventKind::Rejected;
  e.request = req;
  e.side = side;
  e.order_id = id;
  e.price = price;
  e.qty = qty;
  e.reason = reason;
  sink_.on_event(e);
}

void OrderBook::emit_cancelled(const OrderNode& n, Qty qty, Reason reason) {
  Event e;
  e.kind = EventKind::Cancelled;
  e.request = request_;
  e.side = n.side;
  e.owner = owners_[n.owner_slot].id;
  e.order_id = n.id;
  e.price = price_of(n.level);
  e.qty = qty;
  e.leaves = n.leaves - qty;
  e.reason = reason;
  sink_.on_event(e);
}

void OrderBook::emit_cancelled_taker(const Taker& t, Qty qty, Reason reason) {
  Event e;
  e.kind = EventKind::Cancelled;
  e.request = request_;
  e.side = t.side;
  e.owner = t.owner;
  e.order_id = t.id;
  e.price = t.price;
  e.qty = qty;
  e.leaves = t.leaves - qty;
  e.reason = reason;
  sink_.on_event(e);
}

}  // namespace erx::book
