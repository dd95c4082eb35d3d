// ReferenceBook: see reference_book.hpp. Written from docs/ORDER_BOOK.md and the
// field list in engine/book/book_types.hpp only.
//
// Readings of the doc where it left room when this was written (each is also
// marked "Reading:" below). R2, R6 and R7 have since been confirmed by the doc
// ("set_owner_stp", "The book's clock starts at 0", the Decrement paragraph):
//   R1 An owner counts as "seen" once one of its orders is accepted (an add that
//      passes validation, including IOC / market / FOK orders that never rest) or
//      once set_owner_stp succeeds for it. A rejected request registers nobody.
//   R2 set_owner_stp emits no event. OwnerDefault is not a valid owner default
//      (InvalidStpMode); the mode is checked before the owner limit.
//   R3 OrderView::expire_at is the given expiry for Gtd orders and 0 otherwise
//      ("expire_at is ignored for other tifs").
//   R4 A modify that loses priority takes a new place in time (back of its new
//      level) but keeps its place in the owner's acceptance order.
//   R5 mass_cancel with both an owner and a side filter cancels the owner's
//      orders on that side, in the order they were first accepted.
//   R6 advance_time(now == current time) is accepted (only `now < current` is
//      rejected) and expires nothing new.
//   R7 A Decrement that leaves the taker with leaves > 0 does not "cancel" it:
//      matching goes on and the normal end applies (rest / IOC / market remainder).

#include "tests/support/reference_book.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace erx::test {

using book::Event;
using book::EventKind;
using book::NewOrder;
using book::OrderId;
using book::OrderType;
using book::OwnerId;
using book::Reason;
using book::Request;
using book::Side;
using book::StpMode;
using book::TimeInForce;

namespace {

bool valid_side(Side s) { return s == Side::Buy || s == Side::Sell; }

bool valid_type(OrderType t) { return t == OrderType::Limit || t == OrderType::Market; }

bool valid_tif(TimeInForce t) {
  return t == TimeInForce::Day || t == TimeInForce::Gtc || t == TimeInForce::Gtd ||
         t == TimeInForce::Ioc || t == TimeInForce::Fok;
}

bool valid_stp(StpMode m) {
  return m == StpMode::OwnerDefault || m == StpMode::None || m == StpMode::CancelTaker ||
         m == StpMode::CancelMaker || m == StpMode::CancelBoth || m == StpMode::Decrement;
}

bool can_rest(const NewOrder& o) {
  return o.type == OrderType::Limit &&
         (o.tif == TimeInForce::Day || o.tif == TimeInForce::Gtc || o.tif == TimeInForce::Gtd);
}

Side opposite(Side s) { return s == Side::Buy ? Side::Sell : Side::Buy; }

void fail(const std::string& what) { throw std::logic_error("ReferenceBook invariant: " + what); }

}  // namespace

ReferenceBook::ReferenceBook(const book::BookConfig& config, book::EventSink& sink, Fault fault)
    : config_(config), sink_(sink), fault_(fault) {
  if (config.tick <= 0) throw std::invalid_argument("tick must be > 0");
  if (config.lot <= 0) throw std::invalid_argument("lot must be > 0");
  if (config.ladder_min <= 0) throw std::invalid_argument("ladder_min must be > 0");
  if (config.ladder_max < config.ladder_min) throw std::invalid_argument("ladder_max < ladder_min");
  if (config.ladder_min % config.tick != 0 || config.ladder_max % config.tick != 0)
    throw std::invalid_argument("ladder bounds off tick");
  if ((config.ladder_max - config.ladder_min) / config.tick + 1 >
      static_cast<Price>(config.limits.max_ladder_levels))
    throw std::invalid_argument("ladder too large");
  if (config.limits.max_order_qty <= 0) throw std::invalid_argument("max_order_qty must be > 0");
  band_lo_ = config.ladder_min;
  band_hi_ = config.ladder_max;
}

// ---------------------------------------------------------------- helpers

ReferenceBook::PriorityKey ReferenceBook::key_of(const Order& o) const {
  // Buy: highest price first; Sell: lowest first. Then oldest first.
  const Price p = o.side == Side::Buy ? -o.price : o.price;
  const auto s = static_cast<std::int64_t>(o.seq);
  return {p, fault_ == Fault::LifoWithinLevel ? -s : s, o.id};
}

void ReferenceBook::emit(const Event& e) {
  Event stamped = e;
  stamped.request = request_;
  sink_.on_event(stamped);
}

void ReferenceBook::emit_reject(OrderId id, Side side, Price price, Qty qty, Reason reason) {
  Event e;
  e.kind = EventKind::Rejected;
  e.order_id = id;
  e.side = side;
  e.price = price;
  e.qty = qty;
  e.reason = reason;
  emit(e);
}

void ReferenceBook::emit_cancelled(OrderId id, OwnerId owner, Side side, Price price, Qty qty,
                                   Qty leaves, Reason reason) {
  Event e;
  e.kind = EventKind::Cancelled;
  e.order_id = id;
  e.owner = owner;
  e.side = side;
  e.price = price;
  e.qty = qty;
  e.leaves = leaves;
  e.reason = reason;
  emit(e);
}

Reason ReferenceBook::check_qty(Qty qty) const {
  if (qty <= 0) return Reason::InvalidQuantity;
  if (qty > config_.limits.max_order_qty) return Reason::QuantityTooLarge;
  if (qty % config_.lot != 0) return Reason::OffLotQuantity;
  return Reason::None;
}

Reason ReferenceBook::check_limit_price(Price price) const {
  if (price <= 0) return Reason::InvalidPrice;
  if (price % config_.tick != 0) return Reason::OffTickPrice;
  if (price < band_lo_ || price > band_hi_) return Reason::PriceOutsideBand;
  return Reason::None;
}

Reason ReferenceBook::validate_new(const NewOrder& o) const {
  if (o.id == 0) return Reason::InvalidOrderId;
  if (orders_.count(o.id) != 0) return Reason::DuplicateOrderId;
  if (!valid_side(o.side)) return Reason::InvalidSide;
  if (!valid_type(o.type)) return Reason::InvalidOrderType;
  if (!valid_tif(o.tif)) return Reason::InvalidTimeInForce;
  if (o.type == OrderType::Market && o.tif != TimeInForce::Ioc && o.tif != TimeInForce::Fok)
    return Reason::InvalidTimeInForce;
  if (!valid_stp(o.stp)) return Reason::InvalidStpMode;
  if (const Reason r = check_qty(o.qty); r != Reason::None) return r;
  if (o.type == OrderType::Limit) {
    if (const Reason r = check_limit_price(o.price); r != Reason::None) return r;
  } else if (o.price != 0) {  // market: 0 = protection at the band edge
    if (o.price < 0) return Reason::InvalidPrice;
    if (const Reason r = check_limit_price(o.price); r != Reason::None) return r;
  }
  if (o.tif == TimeInForce::Gtd && o.expire_at <= now_) return Reason::ExpiredOnEntry;
  if (can_rest(o) && orders_.size() >= config_.limits.max_resting_orders) return Reason::BookFull;
  if (owner_stp_.count(o.owner) == 0 && owner_stp_.size() >= config_.limits.max_owners)
    return Reason::TooManyOwners;
  return Reason::None;  // the FOK check needs the taker; done by add()
}

bool ReferenceBook::within_limit(const Taker& t, Price maker_price) const {
  return t.side == Side::Buy ? maker_price <= t.limit : maker_price >= t.limit;
}

bool ReferenceBook::fok_fillable(const Taker& t, Qty qty) const {
  Qty sum = 0;
  for (const PriorityKey& k : side_set(opposite(t.side))) {
    const Order& m = orders_.at(std::get<2>(k));
    if (!within_limit(t, m.price)) break;
    if (m.owner == t.owner && t.stp != StpMode::None) {
      if (t.stp == StpMode::CancelMaker) continue;  // would be cancelled: counts 0
      break;                                        // CancelTaker / CancelBoth / Decrement
    }
    sum += m.leaves;
    if (sum >= qty) return true;
  }
  return sum >= qty;
}

void ReferenceBook::note_owner(OwnerId owner) {
  owner_stp_.try_emplace(owner, StpMode::None);  // Reading R1
}

void ReferenceBook::rest(Order o) {
  o.seq = next_seq_++;
  const PriorityKey k = key_of(o);
  side_set(o.side).insert(k);
  orders_.emplace(o.id, o);
}

void ReferenceBook::remove(OrderId id) {
  auto it = orders_.find(id);
  if (it == orders_.end()) fail("remove of an unknown id");
  side_set(it->second.side).erase(key_of(it->second));
  orders_.erase(it);
}

void ReferenceBook::cancel_resting(OrderId id, Reason reason) {
  const Order o = orders_.at(id);
  emit_cancelled(o.id, o.owner, o.side, o.price, o.leaves, 0, reason);
  remove(id);
}

std::vector<OrderId> ReferenceBook::side_in_priority(Side s) const {
  std::vector<OrderId> ids;
  for (const PriorityKey& k : side_set(s)) ids.push_back(std::get<2>(k));
  return ids;
}

// ---------------------------------------------------------------- matching

bool ReferenceBook::match(Taker& t) {
  std::set<PriorityKey>& makers = side_set(opposite(t.side));
  while (t.leaves > 0 && !makers.empty()) {
    const OrderId maker_id = std::get<2>(*makers.begin());
    Order& m = orders_.at(maker_id);
    if (!within_limit(t, m.price)) break;

    if (m.owner == t.owner && t.stp != StpMode::None) {
      switch (t.stp) {
        case StpMode::CancelTaker:
          emit_cancelled(t.id, t.owner, t.side, t.price, t.leaves, 0, Reason::StpCancelTaker);
          t.leaves = 0;
          return true;
        case StpMode::CancelMaker:
          cancel_resting(maker_id, Reason::StpCancelMaker);
          continue;
        case StpMode::CancelBoth:
          cancel_resting(maker_id, Reason::StpCancelBoth);
          emit_cancelled(t.id, t.owner, t.side, t.price, t.leaves, 0, Reason::StpCancelBoth);
          t.leaves = 0;
          return true;
        case StpMode::Decrement: {
          const Qty overlap = std::min(t.leaves, m.leaves);
          m.leaves -= overlap;  // a maker left with leaves keeps its place (key unchanged)
          emit_cancelled(m.id, m.owner, m.side, m.price, overlap, m.leaves, Reason::StpDecrement);
          if (m.leaves == 0) remove(maker_id);
          t.leaves -= overlap;
          emit_cancelled(t.id, t.owner, t.side, t.price, overlap, t.leaves, Reason::StpDecrement);
          continue;  // Reading R7
        }
        case StpMode::OwnerDefault:
        case StpMode::None:
          break;
      }
      fail("taker with an unresolved STP mode");
    }

    const Qty q = std::min(t.leaves, m.leaves);
    t.leaves -= q;
    m.leaves -= q;
    Event e;
    e.kind = EventKind::Trade;
    e.order_id = t.id;
    e.owner = t.owner;
    e.side = t.side;
    e.maker_id = m.id;
    e.maker_owner = m.owner;
    e.price = m.price;
    e.qty = q;
    e.leaves = t.leaves;
    e.maker_leaves = m.leaves;
    emit(e);
    if (m.leaves == 0) remove(maker_id);
  }
  return false;
}

// ---------------------------------------------------------------- requests

void ReferenceBook::add(const NewOrder& o) {
  request_ = Request::Add;
  Reason r = validate_new(o);

  StpMode resolved = o.stp;
  if (r == Reason::None && resolved == StpMode::OwnerDefault) {
    auto it = owner_stp_.find(o.owner);
    resolved = it == owner_stp_.end() ? StpMode::None : it->second;
  }

  Taker t;
  t.id = o.id;
  t.owner = o.owner;
  t.side = o.side;
  t.stp = resolved;
  t.price = o.price;
  t.leaves = o.qty;
  if (o.type == OrderType::Limit || o.price != 0) {
    t.limit = o.price;
  } else {
    t.limit = o.side == Side::Buy ? band_hi_ : band_lo_;  // market protection at the band edge
  }

  if (r == Reason::None && o.tif == TimeInForce::Fok && !fok_fillable(t, o.qty))
    r = Reason::FokNotFillable;
  if (r != Reason::None) {
    emit_reject(o.id, o.side, o.price, o.qty, r);
    return;
  }

  note_owner(o.owner);
  Event acc;
  acc.kind = EventKind::Accepted;
  acc.order_id = o.id;
  acc.owner = o.owner;
  acc.side = o.side;
  acc.type = o.type;
  acc.tif = o.tif;
  acc.price = o.price;
  acc.qty = o.qty;
  acc.leaves = o.qty;
  emit(acc);
  const std::uint64_t accepted = next_accepted_++;

  if (match(t)) return;  // cancelled by STP: no rest, no remainder
  if (t.leaves == 0) return;

  if (o.type == OrderType::Market) {
    emit_cancelled(t.id, t.owner, t.side, t.price, t.leaves, 0, Reason::MarketRemainder);
  } else if (o.tif == TimeInForce::Ioc) {
    emit_cancelled(t.id, t.owner, t.side, t.price, t.leaves, 0, Reason::IocRemainder);
  } else if (o.tif == TimeInForce::Fok) {
    fail("FOK left with leaves after a fillable check");
  } else {
    Order rest_o;
    rest_o.id = o.id;
    rest_o.owner = o.owner;
    rest_o.side = o.side;
    rest_o.tif = o.tif;
    rest_o.stp = resolved;
    rest_o.price = o.price;
    rest_o.leaves = t.leaves;
    rest_o.expire_at = o.tif == TimeInForce::Gtd ? o.expire_at : 0;  // Reading R3
    rest_o.accepted = accepted;
    rest(rest_o);
  }
}

void ReferenceBook::cancel(OrderId id) {
  request_ = Request::Cancel;
  if (orders_.count(id) == 0) {
    emit_reject(id, Side::Buy, 0, 0, Reason::UnknownOrderId);
    return;
  }
  cancel_resting(id, Reason::UserCancel);
}

void ReferenceBook::modify(OrderId id, Price new_price, Qty new_qty) {
  request_ = Request::Modify;
  auto it = orders_.find(id);
  if (it == orders_.end()) {
    emit_reject(id, Side::Buy, new_price, new_qty, Reason::UnknownOrderId);
    return;
  }
  Reason r = check_qty(new_qty);
  if (r == Reason::None) r = check_limit_price(new_price);
  if (r != Reason::None) {
    emit_reject(id, it->second.side, new_price, new_qty, r);
    return;
  }

  Order o = it->second;
  Event e;
  e.kind = EventKind::Modified;
  e.order_id = o.id;
  e.owner = o.owner;
  e.side = o.side;
  e.price = new_price;
  e.qty = o.leaves;
  e.leaves = new_qty;

  if (new_price == o.price && new_qty <= o.leaves) {
    it->second.leaves = new_qty;  // same key: keeps its place
    e.priority_kept = true;
    emit(e);
    return;
  }

  remove(id);  // leaves its level
  e.priority_kept = false;
  emit(e);

  Taker t;
  t.id = o.id;
  t.owner = o.owner;
  t.side = o.side;
  t.stp = o.stp;
  t.price = new_price;
  t.limit = new_price;
  t.leaves = new_qty;
  if (match(t)) return;
  if (t.leaves == 0) return;
  // Resting orders are Day / Gtc / Gtd, so leaves rest (Reading R4: `accepted` kept).
  o.price = new_price;
  o.leaves = t.leaves;
  rest(o);
}

std::uint32_t ReferenceBook::mass_cancel(const book::MassCancelFilter& filter) {
  request_ = Request::MassCancel;
  if (filter.side && !valid_side(*filter.side)) {
    emit_reject(0, Side::Buy, 0, 0, Reason::InvalidSide);
    return 0;
  }
  std::vector<OrderId> victims;
  if (filter.owner) {
    std::vector<std::pair<std::uint64_t, OrderId>> mine;  // (first acceptance, id)
    for (const auto& [id, o] : orders_)
      if (o.owner == *filter.owner && (!filter.side || o.side == *filter.side))  // Reading R5
        mine.emplace_back(o.accepted, id);
    std::sort(mine.begin(), mine.end());
    for (const auto& m : mine) victims.push_back(m.second);
  } else {
    for (Side s : {Side::Buy, Side::Sell}) {
      if (filter.side && *filter.side != s) continue;
      for (OrderId id : side_in_priority(s)) victims.push_back(id);
    }
  }
  for (OrderId id : victims) cancel_resting(id, Reason::MassCancel);
  return static_cast<std::uint32_t>(victims.size());
}

std::uint32_t ReferenceBook::cancel_day_orders() {
  request_ = Request::CancelDay;
  std::uint32_t n = 0;
  for (Side s : {Side::Buy, Side::Sell}) {
    for (OrderId id : side_in_priority(s)) {
      if (orders_.at(id).tif != TimeInForce::Day) continue;
      cancel_resting(id, Reason::EndOfDay);
      ++n;
    }
  }
  return n;
}

void ReferenceBook::advance_time(book::Timestamp now) {
  request_ = Request::AdvanceTime;
  if (now < now_) {
    emit_reject(0, Side::Buy, 0, 0, Reason::TimeWentBackwards);
    return;
  }
  now_ = now;  // Reading R6
  std::vector<std::pair<book::Timestamp, OrderId>> due;
  for (const auto& [id, o] : orders_)
    if (o.tif == TimeInForce::Gtd && o.expire_at <= now) due.emplace_back(o.expire_at, id);
  std::sort(due.begin(), due.end());
  for (const auto& d : due) cancel_resting(d.second, Reason::Expired);
}

void ReferenceBook::set_price_band(Price lo, Price hi) {
  request_ = Request::SetBand;
  const Price tick = config_.tick;
  if (lo > hi || lo % tick != 0 || hi % tick != 0 || lo < config_.ladder_min ||
      hi > config_.ladder_max) {
    emit_reject(0, Side::Buy, 0, 0, Reason::InvalidBand);
    return;
  }
  band_lo_ = lo;
  band_hi_ = hi;
  for (Side s : {Side::Buy, Side::Sell}) {
    for (OrderId id : side_in_priority(s)) {
      const Price p = orders_.at(id).price;
      if (p < lo || p > hi) cancel_resting(id, Reason::OutsideNewBand);
    }
  }
}

// The ladder is only a range of valid prices here: moving it is the band
// rule of set_price_band() with the new ladder as the band.
void ReferenceBook::rebase_ladder(Price lo, Price hi) {
  request_ = Request::SetBand;
  const Price tick = config_.tick;
  if (lo <= 0 || lo > hi || lo % tick != 0 || hi % tick != 0 ||
      (hi - lo) / tick + 1 > static_cast<Price>(config_.limits.max_ladder_levels)) {
    emit_reject(0, Side::Buy, 0, 0, Reason::InvalidBand);
    return;
  }
  config_.ladder_min = lo;
  config_.ladder_max = hi;
  band_lo_ = lo;
  band_hi_ = hi;
  for (Side s : {Side::Buy, Side::Sell}) {
    for (OrderId id : side_in_priority(s)) {
      const Price p = orders_.at(id).price;
      if (p < lo || p > hi) cancel_resting(id, Reason::OutsideNewBand);
    }
  }
}

Reason ReferenceBook::set_owner_stp(OwnerId owner, StpMode mode) {
  // Reading R2: no event; OwnerDefault cannot be a default.
  if (!valid_stp(mode) || mode == StpMode::OwnerDefault) return Reason::InvalidStpMode;
  auto it = owner_stp_.find(owner);
  if (it == owner_stp_.end()) {
    if (owner_stp_.size() >= config_.limits.max_owners) return Reason::TooManyOwners;
    owner_stp_.emplace(owner, mode);
  } else {
    it->second = mode;
  }
  return Reason::None;
}

// ---------------------------------------------------------------- queries

std::optional<book::LevelView> ReferenceBook::best(Side side) const {
  book::LevelView v;
  if (depth(side, std::span<book::LevelView>(&v, 1)) == 0) return std::nullopt;
  return v;
}

std::size_t ReferenceBook::depth(Side side, std::span<book::LevelView> out) const {
  std::size_t n = 0;
  if (!valid_side(side)) return 0;
  for (const PriorityKey& k : side_set(side)) {
    const Order& o = orders_.at(std::get<2>(k));
    if (n > 0 && out[n - 1].price == o.price) {
      out[n - 1].qty += o.leaves;
      ++out[n - 1].orders;
      continue;
    }
    if (n == out.size()) break;
    out[n] = book::LevelView{o.price, o.leaves, 1};
    ++n;
  }
  return n;
}

std::optional<book::OrderView> ReferenceBook::find(OrderId id) const {
  auto it = orders_.find(id);
  if (it == orders_.end()) return std::nullopt;
  const Order& o = it->second;
  book::OrderView v;
  v.id = o.id;
  v.owner = o.owner;
  v.side = o.side;
  v.tif = o.tif;
  v.stp = o.stp;
  v.price = o.price;
  v.leaves = o.leaves;
  v.expire_at = o.expire_at;
  return v;
}

void ReferenceBook::check_invariants() const {
  if (bids_.size() + asks_.size() != orders_.size()) fail("priority sets and order map differ in size");
  for (Side s : {Side::Buy, Side::Sell}) {
    for (const PriorityKey& k : side_set(s)) {
      auto it = orders_.find(std::get<2>(k));
      if (it == orders_.end()) fail("priority set holds a dead id");
      const Order& o = it->second;
      if (o.side != s || key_of(o) != k) fail("priority key out of date for order " + std::to_string(o.id));
      if (o.leaves <= 0 || o.leaves % config_.lot != 0) fail("bad leaves");
      if (o.price < band_lo_ || o.price > band_hi_ || o.price % config_.tick != 0) fail("bad price");
      if (o.tif != TimeInForce::Day && o.tif != TimeInForce::Gtc && o.tif != TimeInForce::Gtd)
        fail("resting order with a non-resting tif");
      if (o.tif == TimeInForce::Gtd && o.expire_at <= now_) fail("expired Gtd still resting");
      if (o.stp == StpMode::OwnerDefault) fail("unresolved STP mode");
      if (owner_stp_.count(o.owner) == 0) fail("order of an unknown owner");
    }
  }
  const auto bb = best(Side::Buy);
  const auto ba = best(Side::Sell);
  if (bb && ba && bb->price >= ba->price) fail("crossed book");
  if (owner_stp_.size() > config_.limits.max_owners) fail("too many owners");
}

}  // namespace erx::test
