#include "gateway/views.hpp"

#include <algorithm>
#include <tuple>

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

OrderView::OrderView(std::size_t keep_finished)
    : keep_finished_(keep_finished),
      by_id_(static_cast<std::uint32_t>(std::min<std::size_t>(keep_finished, 1u << 20))),
      by_clord_(static_cast<std::uint32_t>(std::min<std::size_t>(keep_finished, 1u << 20))) {}

static_assert(book::IdIndex::kMissing == UINT32_MAX);  // a missing index entry ends a chain

std::uint64_t OrderView::clord_key(exchange::MemberId member, const exchange::ClOrdId& clord) {
  const std::uint64_t k = clord.hash() ^ (std::uint64_t{member} * 0x9E3779B97F4A7C15ull);
  return k == 0 ? 1 : k;  // 0 marks an empty cell in IdIndex
}

std::uint32_t OrderView::new_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t s = free_slots_.back();
    free_slots_.pop_back();
    return s;
  }
  ERX_ASSERT(used_slots_ < kNone - kChunk);
  if (used_slots_ % kChunk == 0) chunks_.push_back(std::make_unique<std::array<Slot, kChunk>>());
  return used_slots_++;
}

// Puts slot s at the head of its ClOrdID key's chain.
void OrderView::link_clord(std::uint32_t s) {
  Slot& sl = slot(s);
  const std::uint64_t k = clord_key(sl.order.member, sl.order.clord_id);
  const std::uint32_t head = by_clord_.find(k);
  sl.next_same_key = head;  // kMissing == kNone: the end of the chain
  if (head != book::IdIndex::kMissing) by_clord_.erase(k);
  by_clord_.insert(k, s);
}

// Takes slot s out of its ClOrdID key's chain.
void OrderView::unlink_clord(std::uint32_t s) {
  Slot& sl = slot(s);
  const std::uint64_t k = clord_key(sl.order.member, sl.order.clord_id);
  const std::uint32_t head = by_clord_.find(k);
  ERX_ASSERT(head != book::IdIndex::kMissing);
  if (head == s) {
    by_clord_.erase(k);
    if (sl.next_same_key != kNone) by_clord_.insert(k, sl.next_same_key);
  } else {
    std::uint32_t i = head;
    while (slot(i).next_same_key != s) {
      i = slot(i).next_same_key;
      ERX_ASSERT(i != kNone);  // s is in its key's chain
    }
    slot(i).next_same_key = sl.next_same_key;
  }
  sl.next_same_key = kNone;
}

void OrderView::forget(std::uint32_t s) {
  Slot& sl = slot(s);
  unlink_clord(s);
  by_id_.erase(sl.order.id);
  sl.order = OrderInfo{};
  free_slots_.push_back(s);
}

OrderInfo& OrderView::add(const OrderInfo& o) {
  ERX_ASSERT(o.id != 0);
  std::uint32_t s = by_id_.find(o.id);
  if (s != book::IdIndex::kMissing) {
    unlink_clord(s);  // the same order again (its ClOrdID may differ)
  } else {
    s = new_slot();
    by_id_.insert(o.id, s);
  }
  slot(s).order = o;
  link_clord(s);
  OrderInfo& stored = slot(s).order;
  if (!stored.live()) finished(stored);
  return stored;
}

OrderInfo* OrderView::find(OrderId id) {
  if (id == 0) return nullptr;
  const std::uint32_t s = by_id_.find(id);
  return s == book::IdIndex::kMissing ? nullptr : &slot(s).order;
}

const OrderInfo* OrderView::find(exchange::MemberId member, std::string_view clord_id) const {
  if (clord_id.size() > exchange::ClOrdId::kCapacity) return nullptr;  // no order has such a ClOrdID
  const exchange::ClOrdId clord = exchange::ClOrdId::of(clord_id);
  for (std::uint32_t s = by_clord_.find(clord_key(member, clord)); s != kNone; s = slot(s).next_same_key) {
    const OrderInfo& o = slot(s).order;
    if (o.member == member && o.clord_id == clord) return &o;
  }
  return nullptr;
}

void OrderView::rekey(OrderInfo& o, const exchange::ClOrdId& new_clord) {
  // Only the current ClOrdID names the order (as in the engine, docs/FIX.md
  // "OrigClOrdID"): the order moves to the new key's chain.
  const std::uint32_t s = by_id_.find(o.id);
  ERX_ASSERT(s != book::IdIndex::kMissing && &slot(s).order == &o);
  unlink_clord(s);
  o.clord_id = new_clord;
  link_clord(s);
}

void OrderView::finished(OrderInfo& o) {
  finished_order_.push_back(o.id);
  // Forget the oldest finished orders past the bound.
  while (finished_order_.size() - finished_head_ > keep_finished_) {
    const OrderId old = finished_order_[finished_head_++];
    const std::uint32_t s = by_id_.find(old);
    if (s == book::IdIndex::kMissing || slot(s).order.live()) continue;
    forget(s);
  }
  if (finished_head_ > 4096 && finished_head_ * 2 > finished_order_.size()) {
    finished_order_.erase(finished_order_.begin(), finished_order_.begin() + static_cast<std::ptrdiff_t>(finished_head_));
    finished_head_ = 0;
  }
}

void OrderView::new_day() {
  for (std::size_t i = finished_head_; i < finished_order_.size(); ++i) {
    const std::uint32_t s = by_id_.find(finished_order_[i]);
    if (s != book::IdIndex::kMissing && !slot(s).order.live()) forget(s);
  }
  finished_order_.clear();
  finished_head_ = 0;
}

std::vector<const OrderInfo*> OrderView::of(exchange::MemberId member, bool finished_too) const {
  std::vector<const OrderInfo*> out;
  for (std::uint32_t s = 0; s < used_slots_; ++s) {
    const OrderInfo& o = slot(s).order;
    if (o.id != 0 && o.member == member && (finished_too || o.live())) out.push_back(&o);
  }
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
  exchange::add_trade(d, price, qty, cash);
  d.last_qty = qty;
  d.last_time = time;
}

void MarketView::new_day(InstrumentId ins) { books_[ins].day = DayStats{}; }

void MarketView::restore_day(InstrumentId ins, const exchange::DayStats& d) {
  DayStats& day = books_[ins].day;
  day = DayStats{};
  static_cast<exchange::DayStats&>(day) = d;
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

// ------------------------------------------------------------ recovery

void load_views(const exchange::Exchange& ex, InstrumentView& instruments, OrderView& orders, MarketView& market) {
  for (InstrumentId id = 1;; ++id) {
    const exchange::InstrumentSpec* spec = ex.instrument_spec(id);
    if (spec == nullptr) break;
    instruments.upsert(id, *spec);
    InstrumentInfo* info = instruments.find(id);
    info->session = ex.session(id).value_or(exchange::SessionState::Closed);
    info->reference = ex.reference_price(id);
    std::tie(info->band_lo, info->band_hi) = ex.price_band(id);
    // The last trade's quantity and time are not kept by the engine: unknown
    // until the next trade (the snapshot omits them).
    market.restore_day(id, ex.today_stats(id));
  }
  for (const exchange::Exchange::OpenOrder& o : ex.list_open_orders()) {
    OrderInfo info = order_info(o.order);
    info.leaves = o.leaves;
    info.cum_qty = o.cum_qty;
    info.cum_cash = o.cum_cash;
    info.status = o.cum_qty > 0 ? OrderStatus::PartiallyFilled : OrderStatus::New;
    const OrderInfo& stored = orders.add(info);
    if (stored.resting()) market.add_resting(info.instrument, info.side, info.price, info.leaves, 1);
  }
}

}  // namespace erx::gateway
