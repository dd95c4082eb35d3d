#include "gateway/views.hpp"

#include <algorithm>

#include "engine/core/assert.hpp"

namespace erx::gateway {

OrderInfo order_info(const exchange::OrderAccepted& a) {
  OrderInfo o;
  o.id = a.order;
  o.member = a.member;
  o.account = a.account;
  o.instrument = a.instrument;
  o.clord_id = a.clord_id;
  o.side = a.side;
  o.type = a.type;
  o.tif = a.tif;
  o.price = a.price;
  o.order_qty = a.qty;
  o.leaves = a.qty;
  o.expire_at = a.expire_at;
  o.stp = a.stp;
  return o;
}

// ------------------------------------------------------------ instruments

void InstrumentView::upsert(InstrumentId id, const exchange::InstrumentSpec& spec) {
  InstrumentInfo& i = by_id_[id];
  i.id = id;
  i.spec = spec;
  by_symbol_[std::string(spec.symbol.view())] = id;
}

InstrumentInfo* InstrumentView::find(InstrumentId id) {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

const InstrumentInfo* InstrumentView::find(InstrumentId id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

const InstrumentInfo* InstrumentView::find(std::string_view symbol) const {
  const auto it = by_symbol_.find(symbol);
  return it == by_symbol_.end() ? nullptr : find(it->second);
}

// ------------------------------------------------------------ orders

OrderInfo& OrderView::add(const OrderInfo& o) {
  OrderInfo& stored = orders_.insert_or_assign(o.id, o).first->second;
  by_clord_.insert_or_assign(ClOrdKey{o.member, o.clord_id}, o.id);
  if (!stored.live()) finished(stored);
  return stored;
}

OrderInfo* OrderView::find(OrderId id) {
  const auto it = orders_.find(id);
  return it == orders_.end() ? nullptr : &it->second;
}

const OrderInfo* OrderView::find(exchange::MemberId member, std::string_view clord_id) const {
  if (clord_id.size() > exchange::ClOrdId::kCapacity) return nullptr;  // no order has such a ClOrdID
  const auto it = by_clord_.find(ClOrdKey{member, exchange::ClOrdId::of(clord_id)});
  if (it == by_clord_.end()) return nullptr;
  const auto o = orders_.find(it->second);
  return o == orders_.end() ? nullptr : &o->second;
}

void OrderView::rekey(OrderInfo& o, const exchange::ClOrdId& new_clord) {
  // Only the current ClOrdID names the order (as in the engine, docs/FIX.md
  // "OrigClOrdID"); the old key goes, so replaces do not pile keys up.
  const auto old = by_clord_.find(ClOrdKey{o.member, o.clord_id});
  if (old != by_clord_.end() && old->second == o.id) by_clord_.erase(old);
  by_clord_.insert_or_assign(ClOrdKey{o.member, new_clord}, o.id);
  o.clord_id = new_clord;
}

void OrderView::finished(OrderInfo& o) {
  finished_order_.push_back(o.id);
  // Forget the oldest finished orders past the bound (their ClOrdIDs with them,
  // unless a newer order reuses the ClOrdID).
  while (finished_order_.size() - finished_head_ > keep_finished_) {
    const OrderId old = finished_order_[finished_head_++];
    const auto it = orders_.find(old);
    if (it == orders_.end() || it->second.live()) continue;
    const auto c = by_clord_.find(ClOrdKey{it->second.member, it->second.clord_id});
    if (c != by_clord_.end() && c->second == old) by_clord_.erase(c);
    orders_.erase(it);
  }
  if (finished_head_ > 4096 && finished_head_ * 2 > finished_order_.size()) {
    finished_order_.erase(finished_order_.begin(), finished_order_.begin() + static_cast<std::ptrdiff_t>(finished_head_));
    finished_head_ = 0;
  }
}

std::vector<const OrderInfo*> OrderView::live_of(exchange::MemberId member) const {
  std::vector<const OrderInfo*> out;
  for (const auto& [id, o] : orders_)
    if (o.member == member && o.live()) out.push_back(&o);
  std::sort(out.begin(), out.end(), [](const OrderInfo* a, const OrderInfo* b) { return a->id < b->id; });
  return out;
}

// ------------------------------------------------------------ market

void MarketView::add_resting(InstrumentId ins, exchange::Side side, Price price, Qty delta, int orders_delta) {
  Book& b = books_[ins];
  auto apply = [&](auto& levels) {
    Totals& t = levels[price];
    t.qty += delta;
    t.orders += orders_delta;
    ERX_ASSERT(t.qty >= 0 && t.orders >= 0);
    // Every resting order has an open quantity: a level is empty exactly when
    // its last order has left.
    ERX_ASSERT((t.qty == 0) == (t.orders == 0));
    if (t.qty == 0) levels.erase(price);
  };
  if (side == exchange::Side::Buy) apply(b.bids);
  else apply(b.asks);
}

void MarketView::trade(InstrumentId ins, Price price, Qty qty, erx::Money cash, exchange::Timestamp time) {
  DayStats& d = books_[ins].day;
  if (d.trades == 0) d.open = d.high = d.low = price;
  d.high = std::max(d.high, price);
  d.low = std::min(d.low, price);
  d.last = price;
  d.last_qty = qty;
  d.last_time = time;
  d.volume += qty;
  d.turnover += cash;
  d.price_x_qty += erx::Money(price) * erx::Money(qty);
  ++d.trades;
}

void MarketView::new_day(InstrumentId ins) { books_[ins].day = DayStats{}; }

void MarketView::restore_day(InstrumentId ins, const exchange::Exchange::DayStats& d) {
  DayStats& day = books_[ins].day;
  day = DayStats{};
  static_cast<exchange::Exchange::DayStats&>(day) = d;
}

void MarketView::close_day(InstrumentId ins, Price close) { books_[ins].day.close = close; }

TopLevels MarketView::top(InstrumentId ins, exchange::Side side) const {
  TopLevels out;
  const auto it = books_.find(ins);
  if (it == books_.end()) return out;
  auto take = [&](const auto& levels) {
    for (const auto& [price, t] : levels) {
      if (out.size() == kDepthLevels) break;
      out.push_back(Level{price, t.qty, static_cast<std::uint32_t>(t.orders)});
    }
  };
  if (side == exchange::Side::Buy) take(it->second.bids);
  else take(it->second.asks);
  return out;
}

DayStats MarketView::stats(InstrumentId ins) const {
  const auto it = books_.find(ins);
  return it == books_.end() ? DayStats{} : it->second.day;
}

}  // namespace erx::gateway
