// state_hash(): one 64-bit value over a canonical walk of the whole state, so
// two replays of the same commands can be compared. Everything is visited in
// a fixed order (ids, slots, price-time priority), never in hash-table order.
//
// check_invariants(): the whole-state checks the randomized tests run after
// every command.

#include <algorithm>
#include <map>

#include "engine/core/assert.hpp"
#include "engine/exchange/amount_limits.hpp"
#include "engine/exchange/exchange.hpp"

namespace erx::exchange {

namespace {

class Hasher {
 public:
  void u64(std::uint64_t v) {
    h_ ^= v + 0x9E3779B97F4A7C15ull + (h_ << 6) + (h_ >> 2);
    h_ ^= h_ >> 31;
    h_ *= 0xBF58476D1CE4E5B9ull;
    h_ ^= h_ >> 29;
  }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void money(const Money& m) {
    const Money mag = m < 0 ? Money(-m) : m;
    const Money low_mask = Money(~std::uint64_t{0});
    u64(m < 0 ? 1 : 0);
    u64(static_cast<std::uint64_t>(mag & low_mask));
    u64(static_cast<std::uint64_t>(mag >> 64));
  }
  void text(std::string_view s) {
    u64(s.size());
    std::uint64_t word = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      word = word << 8 | static_cast<unsigned char>(s[i]);
      if (i % 8 == 7) {
        u64(word);
        word = 0;
      }
    }
    u64(word);
  }
  template <class E>
  void e(E v) {
    u64(static_cast<std::uint64_t>(v));
  }
  void dec(const Decimal& d) {
    i64(d.units);
    i64(d.scale);
  }
  [[nodiscard]] std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0x45525853'54415445ull;  // "ERXSTATE"
};

void hash_spec(Hasher& h, const InstrumentSpec& s) {
  h.text(s.symbol.view());
  h.e(s.right_class);
  h.text(s.unit.view());
  h.i64(s.vintage);
  h.text(s.project_id.view());
  h.text(s.pollutant.view());
  h.text(s.region.view());
  h.text(s.basin.view());
  h.i64(s.term_years);
  h.i64(s.compliance_year);
  h.i64(s.last_trading_date);
  h.e(s.water_type);
  h.i64(s.price_scale);
  h.i64(s.qty_scale);
  h.dec(s.tick);
  h.dec(s.lot);
  h.e(s.price_unit);
  h.dec(s.continuous.min_qty);
  h.dec(s.continuous.max_qty);
  h.u64(s.continuous.band_bps);
  h.dec(s.reference_price);
  h.e(s.eligibility);
  h.dec(s.holding_limit);
}

}  // namespace

std::uint64_t Exchange::state_hash() const {
  Hasher h;
  h.u64(last_seq_);
  h.i64(now_);
  h.i64(date_);
  h.u64(day_open_);
  h.u64(next_order_id_);
  h.u64(next_trade_id_);
  h.u64(next_transfer_id_);

  for (const auto& [id, m] : members_) {
    h.u64(id);
    h.text(m.spec.name.view());
    h.text(m.spec.region.view());
    h.text(m.spec.basin.view());
    h.e(m.spec.category);
    h.u64(m.spec.restricted);
    h.e(m.spec.stp);
    h.u64(m.accounts.size());
    for (AccountId a : m.accounts) h.u64(a);
  }
  for (const auto& [id, o] : operators_) {
    h.u64(id);
    h.u64(o.spec.member);
    h.text(o.spec.name.view());
    h.e(o.spec.role);
    h.u64(o.active);
  }
  for (const AccountState& a : accounts_) {
    h.u64(a.id);
    h.u64(a.member);
    h.u64(a.restricted);
  }
  for (const FeeSchedule& f : fee_schedules_)
    for (const FeeLineUnits& l : f.lines) {
      h.u64(l.rate_ppm);
      h.money(l.minimum);
    }
  for (std::uint32_t f : current_fees_) h.u64(f);
  for (const InstrumentState& ins : instruments_) {
    h.u64(ins.id);
    hash_spec(h, ins.spec);
    h.u64(ins.pending.has_value());
    if (ins.pending) hash_spec(h, *ins.pending);
    h.i64(ins.reference);
    h.i64(ins.band_lo);
    h.i64(ins.band_hi);
    h.e(ins.state);
    const DayStats& d = ins.day;
    for (std::int64_t v : {d.open, d.high, d.low, d.last, d.volume}) h.i64(v);
    h.money(d.turnover);
    h.money(d.price_x_qty);
    h.u64(d.trades);
    h.i64(ins.book->now());
    for (book::Side side : {book::Side::Buy, book::Side::Sell})
      ins.book->visit(side, [&h](const book::OrderView& v) {  // price-time priority order
        h.u64(v.id);
        h.u64(v.owner);
        h.i64(v.price);
        h.i64(v.leaves);
        h.e(v.tif);
        h.e(v.stp);
        h.i64(v.expire_at);
      });
  }
  for (std::uint32_t slot = 0; slot < balances_.slots(); ++slot)
    for (AssetId asset = 0; asset < balances_.assets(); ++asset)
      for (int b = 0; b < kBuckets; ++b) h.money(balances_.get(slot, asset, static_cast<Bucket>(b)));

  std::vector<const OrderState*> live;
  for (const OrderState& o : orders_)
    if (o.id != 0) live.push_back(&o);
  std::sort(live.begin(), live.end(), [](const OrderState* a, const OrderState* b) { return a->id < b->id; });
  for (const OrderState* o : live) {
    h.u64(o->id);
    h.u64(o->account);
    h.u64(o->instrument);
    h.text(o->clord_id.view());
    h.u64(o->entered_by);
    h.e(o->side);
    h.e(o->type);
    h.e(o->tif);
    h.e(o->stp);
    h.u64(o->fee_schedule);
    for (std::int64_t v : {o->price, o->qty, o->leaves, o->cum_qty, o->reserved_qty, o->expire_at}) h.i64(v);
    h.money(o->cum_cash);
    h.i64(o->prepaid);
    h.money(o->fees_charged[0]);
    h.money(o->fees_charged[1]);
    h.money(o->reserved_cash);
  }
  for (const ClOrdIndex::Entry& e : clord_ids_.entries()) {  // insertion order: deterministic
    h.u64(e.member);
    h.text(e.clord_id.view());
    h.u64(e.order);
  }
  return h.value();
}

void Exchange::check_invariants() const {
  // Conservation: per asset, every balance sums to zero (External mirrors the rest),
  // and what the exchange holds of each asset is within its limit (amount_limits.hpp).
  for (AssetId asset = 0; asset < balances_.assets(); ++asset) {
    ERX_ASSERT(balances_.sum(asset) == 0);
    const Money total = outstanding(asset);
    ERX_ASSERT(total >= 0 && total <= (asset == kCash ? kMaxCashFen : kMaxRightsUnits));
  }

  // No member balance is negative; the exchange holds only its External mirror and fees.
  for (std::uint32_t slot = 0; slot < balances_.slots(); ++slot)
    for (AssetId asset = 0; asset < balances_.assets(); ++asset)
      for (int b = 0; b < kBuckets; ++b) {
        const auto bucket = static_cast<Bucket>(b);
        const Money& v = balances_.get(slot, asset, bucket);
        if (slot == 0 && bucket == Bucket::External) continue;
        ERX_ASSERT(v >= 0);
        if (slot == 0) ERX_ASSERT(v == 0 || (bucket == Bucket::Fees && asset == kCash));
        if (slot != 0) ERX_ASSERT(v == 0 || (bucket != Bucket::External && bucket != Bucket::Fees));
        if (asset == kCash) ERX_ASSERT(v == 0 || (bucket != Bucket::Locked && bucket != Bucket::Registry));
      }

  // Reservations equal what the open orders need, order by order and in total.
  std::map<std::pair<std::uint32_t, AssetId>, Money> reserved;
  std::map<std::pair<MemberId, InstrumentId>, Qty> open_buys;
  std::vector<std::uint32_t> per_book(instruments_.size(), 0);
  std::size_t live = 0;
  for (const OrderState& o : orders_) {
    if (o.id == 0) continue;
    ++live;
    ERX_ASSERT(order_index_.find(o.id) == static_cast<std::uint32_t>(&o - orders_.data()));
    const Need need = need_of(o);
    ERX_ASSERT(o.reserved_cash == need.cash && o.reserved_qty == need.qty);
    ERX_ASSERT(o.leaves > 0 && o.cum_qty + o.leaves <= o.qty);
    ERX_ASSERT(o.qty <= kMaxOrderLifetimeQtyUnits);
    // A buy has paid for everything it received, less than one fen beyond it.
    ERX_ASSERT(o.prepaid >= 0 && o.prepaid < sub_fen_per_fen(instruments_[o.instrument - 1].cash_rule));
    ERX_ASSERT(o.side == Side::Buy || o.prepaid == 0);
    ERX_ASSERT(o.fees_from_proceeds == (o.side == Side::Sell && proceeds_cover_fees(o)));
    // Only a party that may trade has a live order (restrictions and
    // eligibility changes cancel the others).
    ERX_ASSERT(check_account_may_trade(accounts_[o.account_slot]) == RejectReason::None);
    ERX_ASSERT(check_eligible(*member(o.member), instruments_[o.instrument - 1]) == RejectReason::None);
    reserved[{o.account_slot, kCash}] += o.reserved_cash;
    reserved[{o.account_slot, o.instrument}] += o.reserved_qty;
    if (o.side == Side::Buy) open_buys[{o.member, o.instrument}] += o.leaves;
    ERX_ASSERT(clord_ids_.find(o.member, o.clord_id) == o.id);
    // The book holds the same order, same side, same leaves.
    const std::optional<book::OrderView> v = instruments_[o.instrument - 1].book->find(o.id);
    ERX_ASSERT(v.has_value() && v->leaves == o.leaves && v->owner == o.member);
    ERX_ASSERT((v->side == book::Side::Buy) == (o.side == Side::Buy));
    ++per_book[o.instrument - 1];
  }
  ERX_ASSERT(live == order_index_.size());
  for (std::uint32_t slot = 0; slot < balances_.slots(); ++slot)
    for (AssetId asset = 0; asset < balances_.assets(); ++asset) {
      auto it = reserved.find({slot, asset});
      const Money expect = it == reserved.end() ? Money(0) : it->second;
      ERX_ASSERT(balances_.get(slot, asset, Bucket::Reserved) == expect);
    }
  for (const auto& [id, m] : members_)
    for (std::size_t i = 0; i < m.open_buy_qty.size(); ++i) {
      auto it = open_buys.find({id, static_cast<InstrumentId>(i + 1)});
      ERX_ASSERT(m.open_buy_qty[i] == (it == open_buys.end() ? 0 : it->second));
    }

  // Every book is internally consistent, not crossed, and holds exactly the open orders.
  for (const InstrumentState& ins : instruments_) {
    ins.book->check_invariants();
    ERX_ASSERT(ins.book->open_orders() == per_book[ins.id - 1]);
    const auto [lo, hi] = ins.book->price_band();
    ERX_ASSERT(lo == ins.band_lo && hi == ins.band_hi);
    // A right past its term has nothing resting and stays closed.
    if (term_ended(ins)) ERX_ASSERT(per_book[ins.id - 1] == 0 && ins.state == SessionState::Closed);
    // A listed instrument trades under a resolved rule, never "default".
    ERX_ASSERT(ins.spec.eligibility != Eligibility::Default);
    ERX_ASSERT(!ins.pending || ins.pending->eligibility != Eligibility::Default);
    // The ladder is the band (set_band() re-bases it), around the reference
    // (a close is inside the day's band), never above the largest price.
    ERX_ASSERT(ins.book->config().ladder_min == lo && ins.book->config().ladder_max == hi);
    ERX_ASSERT(lo <= ins.reference && ins.reference <= hi && hi <= kMaxPriceUnits);
  }
}

}  // namespace erx::exchange
