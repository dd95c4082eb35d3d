// Order entry, cancel, modify and mass cancel: the pre-trade rules, each with
// its own reject reason, then the book. What the book does (accept, trade,
// cancel) comes back through on_book_event() in settlement.cpp.

#include <algorithm>
#include <utility>
#include <vector>

#include "engine/core/assert.hpp"
#include "engine/exchange/amount_limits.hpp"
#include "engine/exchange/exchange.hpp"
#include "engine/exchange/units.hpp"

namespace erx::exchange {

namespace {

bool valid(Side v) { return v == Side::Buy || v == Side::Sell; }
bool valid(OrderType v) { return v == OrderType::Limit || v == OrderType::Market; }
bool valid(TimeInForce v) { return static_cast<int>(v) <= static_cast<int>(TimeInForce::Fok); }
bool valid(StpMode v) { return static_cast<int>(v) <= static_cast<int>(StpMode::Decrement); }

book::Side to_book(Side s) { return s == Side::Buy ? book::Side::Buy : book::Side::Sell; }
book::TimeInForce to_book(TimeInForce t) { return static_cast<book::TimeInForce>(static_cast<std::uint8_t>(t)); }
book::StpMode to_book(StpMode m) { return static_cast<book::StpMode>(static_cast<std::uint8_t>(m)); }
// The two casts above rely on the exchange's and the book's enumerations
// numbering alike (MemberDefault is the book's OwnerDefault).
static_assert(static_cast<int>(TimeInForce::Day) == static_cast<int>(book::TimeInForce::Day) &&
              static_cast<int>(TimeInForce::Gtc) == static_cast<int>(book::TimeInForce::Gtc) &&
              static_cast<int>(TimeInForce::Gtd) == static_cast<int>(book::TimeInForce::Gtd) &&
              static_cast<int>(TimeInForce::Ioc) == static_cast<int>(book::TimeInForce::Ioc) &&
              static_cast<int>(TimeInForce::Fok) == static_cast<int>(book::TimeInForce::Fok));
static_assert(static_cast<int>(StpMode::MemberDefault) == static_cast<int>(book::StpMode::OwnerDefault) &&
              static_cast<int>(StpMode::None) == static_cast<int>(book::StpMode::None) &&
              static_cast<int>(StpMode::CancelTaker) == static_cast<int>(book::StpMode::CancelTaker) &&
              static_cast<int>(StpMode::CancelMaker) == static_cast<int>(book::StpMode::CancelMaker) &&
              static_cast<int>(StpMode::CancelBoth) == static_cast<int>(book::StpMode::CancelBoth) &&
              static_cast<int>(StpMode::Decrement) == static_cast<int>(book::StpMode::Decrement));

// A limit (or protection) price of an instrument, or why it is unusable.
Units checked_price(const Decimal& d, int scale, Price tick, Price lo, Price hi) {
  Units p = to_units(d, scale);
  if (!p.ok()) return {0, RejectReason::OffTick};
  if (p.value <= 0) return {0, RejectReason::InvalidPrice};
  if (p.value % tick != 0) return {0, RejectReason::OffTick};
  if (p.value < lo || p.value > hi) return {0, RejectReason::PriceOutsideBand};
  return p;
}

// An order quantity of an instrument, or why it is unusable (size limits apart).
Units checked_qty(const Decimal& d, int scale, Qty lot) {
  Units q = to_units(d, scale);
  if (q.error == RejectReason::PrecisionLoss) return {0, RejectReason::OffLot};
  if (q.error == RejectReason::AmountTooLarge) return {0, RejectReason::AboveMaxSize};
  if (q.value <= 0) return {0, RejectReason::InvalidAmount};
  if (q.value % lot != 0) return {0, RejectReason::OffLot};
  return q;
}

}  // namespace

RejectReason Exchange::check_account_may_trade(const AccountState& a) const {
  if (a.member_state->spec.restricted) return RejectReason::MemberRestricted;
  if (a.restricted) return RejectReason::AccountRestricted;
  return RejectReason::None;
}

template <class Pred>
void Exchange::cancel_orders_where(CancelReason why, Pred&& no_longer_may_trade) {
  std::vector<std::pair<OrderId, InstrumentId>> doomed;
  for (const OrderState& o : orders_)
    if (o.id != 0 && no_longer_may_trade(o)) doomed.emplace_back(o.id, o.instrument);
  std::sort(doomed.begin(), doomed.end());  // oldest first: the order pool's slots are reused
  system_cancel_ = why;
  for (const auto& [id, instrument] : doomed) instruments_[instrument - 1].book->cancel(id);
  system_cancel_.reset();
}

void Exchange::cancel_orders_of_member(MemberId member) {
  cancel_orders_where(CancelReason::MemberRestricted, [&](const OrderState& o) { return o.member == member; });
}
void Exchange::cancel_orders_of_account(AccountId account) {
  cancel_orders_where(CancelReason::AccountRestricted, [&](const OrderState& o) { return o.account == account; });
}
void Exchange::cancel_ineligible_orders(const InstrumentState& ins) {
  cancel_orders_where(CancelReason::NotEligible, [&](const OrderState& o) {
    return o.instrument == ins.id && check_eligible(*member(o.member), ins) != RejectReason::None;
  });
}

void Exchange::cancel_orders_of_ended_right(const InstrumentState& ins) {
  // Runs at every open for every ended right: nothing rests after the first
  // (asserted), so skip the scan of all live orders then.
  if (ins.book->open_orders() == 0) return;
  cancel_orders_where(CancelReason::TermEnded, [&](const OrderState& o) { return o.instrument == ins.id; });
}

RejectReason Exchange::check_eligible(const MemberState& m, const InstrumentState& ins) const {
  switch (ins.spec.eligibility) {
    case Eligibility::Anyone: return RejectReason::None;
    case Eligibility::SameRegion: return m.spec.region == ins.spec.region ? RejectReason::None : RejectReason::NotEligible;
    case Eligibility::SameBasin: return m.spec.basin == ins.spec.basin ? RejectReason::None : RejectReason::NotEligible;
    case Eligibility::Default: break;  // resolved at listing: never the rule of an instrument
  }
  ERX_ASSERT_MSG(false, "an instrument trades under an unresolved eligibility");
  return RejectReason::NotEligible;
}

// Everything the member holds of the instrument, in every bucket of every
// account. Kept as Money, never narrowed: it is a part of the instrument's
// outstanding total (at most kMaxRightsUnits), but nothing here relies on that.
Money Exchange::position_of(const MemberState& m, InstrumentId id) const {
  Money total = 0;
  for (AccountId acc : m.accounts) {
    const AccountState& a = *account(acc);
    for (Bucket b : {Bucket::Tradable, Bucket::Reserved, Bucket::Locked, Bucket::Pledged, Bucket::Frozen,
                     Bucket::Registry})
      total += balances_.get(a.slot, id, b);
  }
  return total;
}

// Would buying `more` take the member above the instrument's holding limit,
// counting what it holds and what its open buy orders may still bring?
RejectReason Exchange::check_holding_limit(const MemberState& m, const InstrumentState& ins, Qty more) const {
  if (ins.holding_limit == 0) return RejectReason::None;
  const Qty open_buys = ins.id <= m.open_buy_qty.size() ? m.open_buy_qty[ins.id - 1] : 0;
  const Money after = position_of(m, ins.id) + open_buys + more;
  return after > ins.holding_limit ? RejectReason::HoldingLimitExceeded : RejectReason::None;
}

// Can an order or modify of this instrument trade now without the day's trade
// count (a uint32 in DailyStatistics) passing its maximum? One command trades
// at most once with each resting order of the book.
RejectReason Exchange::check_trade_count(const InstrumentState& ins) const {
  return ins.day.trades > kMaxTradesPerDay - limits_.max_open_orders_per_book ? RejectReason::TradeLimitReached
                                                                              : RejectReason::None;
}

// The member's live order that currently carries this ClOrdID, or null.
Exchange::OrderState* Exchange::live_order(MemberId member, const ClOrdId& clord) {
  auto live_under_key = [&](OrderId id) {
    const OrderState* o = order(id);
    return o && o->member == member && o->clord_id == clord;
  };
  OrderState* o = order(clord_ids_.find(member, clord, live_under_key));
  return o && o->member == member && o->clord_id == clord ? o : nullptr;
}

std::uint32_t Exchange::new_order_slot() {
  if (!free_orders_.empty()) {
    const std::uint32_t slot = free_orders_.back();
    free_orders_.pop_back();
    return slot;
  }
  orders_.emplace_back();
  return static_cast<std::uint32_t>(orders_.size() - 1);
}

void Exchange::on(const NewOrder& c) {
  auto no = [&](RejectReason r) { reject(r, c.account, c.clord_id); };
  const AccountState* a = account(c.account);
  if (!a || c.account == kExchangeAccount) return no(RejectReason::UnknownAccount);
  if (const RejectReason r = check_operator(c.op, a->member, OperatorAction::Enter); r != RejectReason::None)
    return no(r);
  command_op_ = c.op;
  InstrumentState* ins = instrument(c.symbol);
  if (!ins) return no(RejectReason::UnknownInstrument);
  if (term_ended(*ins)) return no(RejectReason::TermEnded);
  const MemberState& m = *a->member_state;
  if (const RejectReason r = check_account_may_trade(*a); r != RejectReason::None) return no(r);
  if (ins->state == SessionState::Halted) return no(RejectReason::InstrumentHalted);
  if (ins->state != SessionState::Continuous) return no(RejectReason::SessionNotOpen);
  if (const RejectReason r = check_trade_count(*ins); r != RejectReason::None) return no(r);
  if (!valid(c.side) || !valid(c.type) || !valid(c.tif) || !valid(c.stp)) return no(RejectReason::InvalidEnum);
  if (c.clord_id.empty()) return no(RejectReason::InvalidName);
  if (clord_ids_.find(a->member, c.clord_id) != 0) return no(RejectReason::DuplicateClOrdId);

  const Units qty = checked_qty(c.qty, ins->spec.qty_scale, ins->lot);
  if (!qty.ok()) return no(qty.error);
  if (qty.value < ins->min_qty) return no(RejectReason::BelowMinSize);
  if (qty.value > ins->max_qty) return no(RejectReason::AboveMaxSize);

  Price limit;  // the price the reservation is computed at
  const bool market = c.type == OrderType::Market;
  if (market && c.tif != TimeInForce::Ioc && c.tif != TimeInForce::Fok)
    return no(RejectReason::MarketOrderNotImmediate);
  const bool band_edge = market && c.price.units == 0;  // "0", "0.00": protection at the band edge
  if (band_edge) {
    limit = c.side == Side::Buy ? ins->band_hi : ins->band_lo;
  } else {
    const Units p = checked_price(c.price, ins->spec.price_scale, ins->tick, ins->band_lo, ins->band_hi);
    if (!p.ok()) return no(p.error);
    limit = p.value;
  }
  if (c.tif == TimeInForce::Gtd && c.expire_at <= now_) return no(RejectReason::ExpiredOnEntry);
  if (const RejectReason r = check_eligible(m, *ins); r != RejectReason::None) return no(r);

  OrderState o;
  o.id = next_order_id_;
  o.account = a->id;
  o.account_slot = a->slot;
  o.member = a->member;
  o.member_state = a->member_state;
  o.instrument = ins->id;
  o.clord_id = c.clord_id;
  o.entered_by = c.op;
  o.side = c.side;
  o.type = c.type;
  o.tif = c.tif;
  o.stp = c.stp == StpMode::MemberDefault ? m.spec.stp : c.stp;
  o.fee_schedule = current_fees_[static_cast<int>(ins->spec.right_class)];
  o.price = limit;
  o.qty = qty.value;
  o.leaves = qty.value;
  o.expire_at = c.tif == TimeInForce::Gtd ? c.expire_at : 0;
  o.fees_from_proceeds = o.side == Side::Sell && proceeds_cover_fees(o);

  const Need need = need_of(o);
  if (balances_.get(a->slot, kCash, Bucket::Tradable) < need.cash) return no(RejectReason::InsufficientFunds);
  if (balances_.get(a->slot, ins->id, Bucket::Tradable) < need.qty) return no(RejectReason::InsufficientHoldings);
  if (c.side == Side::Buy) {
    if (const RejectReason r = check_holding_limit(m, *ins, qty.value); r != RejectReason::None) return no(r);
  }

  // Provisionally registered so the book's events can find it; the ClOrdID
  // and the reservation are taken when the book accepts (a FOK it refuses
  // takes nothing).
  ++next_order_id_;
  const std::uint32_t slot = new_order_slot();
  o.leaves = 0;  // set_leaves() below keeps the open-buy total in step
  orders_[slot] = o;
  order_index_.insert(o.id, slot);
  set_leaves(orders_[slot], qty.value);

  adding_slot_ = slot;
  const Price book_price = band_edge ? 0 : limit;
  ins->book->add(book::NewOrder{o.id, o.member, to_book(c.side),
                                market ? book::OrderType::Market : book::OrderType::Limit, to_book(c.tif),
                                to_book(o.stp), book_price, qty.value, o.expire_at});
  adding_slot_ = kNoSlot;
}

void Exchange::on(const CancelOrder& c) {
  auto no = [&](RejectReason r) { reject(r, c.account, c.orig_clord_id); };
  const AccountState* a = account(c.account);
  if (!a || c.account == kExchangeAccount) return no(RejectReason::UnknownAccount);
  if (const RejectReason r = check_operator(c.op, a->member, OperatorAction::Cancel); r != RejectReason::None)
    return no(r);
  command_op_ = c.op;
  OrderState* o = live_order(a->member, c.orig_clord_id);
  if (!o) return no(RejectReason::UnknownOrder);
  instruments_[o->instrument - 1].book->cancel(o->id);  // cancels are allowed in every session state
}

void Exchange::on(const ModifyOrder& c) {
  auto no = [&](RejectReason r) { reject(r, c.account, c.clord_id.empty() ? c.orig_clord_id : c.clord_id); };
  const AccountState* a = account(c.account);
  if (!a || c.account == kExchangeAccount) return no(RejectReason::UnknownAccount);
  if (const RejectReason r = check_operator(c.op, a->member, OperatorAction::Enter); r != RejectReason::None)
    return no(r);
  command_op_ = c.op;
  OrderState* o = live_order(a->member, c.orig_clord_id);
  if (!o) return no(RejectReason::UnknownOrder);
  InstrumentState& ins = instruments_[o->instrument - 1];
  // The sender (any account of the order's member) and the order's own
  // account, which pays, must both be allowed to trade.
  const AccountState& acc = accounts_[o->account_slot];
  if (const RejectReason r = check_account_may_trade(*a); r != RejectReason::None) return no(r);
  if (const RejectReason r = check_account_may_trade(acc); r != RejectReason::None) return no(r);
  if (ins.state == SessionState::Halted) return no(RejectReason::InstrumentHalted);
  if (ins.state != SessionState::Continuous) return no(RejectReason::SessionNotOpen);
  if (const RejectReason r = check_trade_count(ins); r != RejectReason::None) return no(r);
  const bool new_clord = !c.clord_id.empty() && c.clord_id != o->clord_id;
  if (new_clord && clord_ids_.find(a->member, c.clord_id) != 0) return no(RejectReason::DuplicateClOrdId);

  // The new leaves: as given, or the new total less what the order has
  // executed by now (this command's place in the sequence, so no fill can
  // come in between). From here on both forms are the same leaves modify.
  Units qty = checked_qty(c.qty, ins.spec.qty_scale, ins.lot);
  if (!qty.ok()) return no(qty.error);
  if (c.qty_is_total) {
    if (qty.value <= o->cum_qty) return no(RejectReason::QtyNotAboveExecuted);
    qty.value -= o->cum_qty;  // a multiple of the lot: every fill is
  }
  if (qty.value > ins.max_qty) return no(RejectReason::AboveMaxSize);
  // Each modify may reopen up to max_qty: the order's executed quantity plus
  // its new leaves is capped over its life (amount_limits.hpp), so it can
  // never overflow however many times it is refilled.
  if (o->cum_qty > kMaxOrderLifetimeQtyUnits - qty.value) return no(RejectReason::AboveMaxSize);
  if (qty.value > o->leaves && qty.value < ins.min_qty) return no(RejectReason::BelowMinSize);
  const Units price = checked_price(c.price, ins.spec.price_scale, ins.tick, ins.band_lo, ins.band_hi);
  if (!price.ok()) return no(price.error);

  // What the order will need at its new price and size, against what it holds.
  OrderState after = *o;
  after.price = price.value;
  after.leaves = qty.value;
  after.qty = after.cum_qty + qty.value;  // as on_order_modified() will set it
  after.fees_from_proceeds = after.side == Side::Sell && proceeds_cover_fees(after);
  const Need need = need_of(after);
  const Money more_cash = need.cash > o->reserved_cash ? need.cash - o->reserved_cash : Money(0);
  const Qty more_qty = std::max<Qty>(need.qty - o->reserved_qty, 0);
  if (balances_.get(acc.slot, kCash, Bucket::Tradable) < more_cash) return no(RejectReason::InsufficientFunds);
  if (balances_.get(acc.slot, ins.id, Bucket::Tradable) < more_qty) return no(RejectReason::InsufficientHoldings);
  if (o->side == Side::Buy && qty.value > o->leaves) {
    const RejectReason r = check_holding_limit(*o->member_state, ins, qty.value - o->leaves);
    if (r != RejectReason::None) return no(r);
  }

  // Reserve the increase first: a modify that loses priority may trade at once.
  if (more_cash > 0) {
    transfer(spec(kCash, acc, Bucket::Tradable, acc, Bucket::Reserved, more_cash, TransferKind::Reserve, o->id));
    o->reserved_cash += more_cash;
  }
  if (more_qty > 0) {
    transfer(spec(ins.id, acc, Bucket::Tradable, acc, Bucket::Reserved, more_qty, TransferKind::Reserve, o->id));
    o->reserved_qty += more_qty;
  }
  modify_orig_clord_ = o->clord_id;
  if (new_clord) {
    o->clord_id = c.clord_id;
    clord_ids_.insert(o->member, c.clord_id, o->id);  // the old one stays used for the day
  }
  const OrderId id = o->id;
  ins.book->modify(id, price.value, qty.value);
  if (OrderState* still = order(id)) true_up_reservation(*still);
}

void Exchange::on(const MassCancel& c) {
  if (!member(c.member) || c.member == kExchangeMember) return reject(RejectReason::UnknownMember);
  if (const RejectReason r = check_operator(c.op, c.member, OperatorAction::Cancel); r != RejectReason::None)
    return reject(r, c.account);
  command_op_ = c.op;
  if (c.side && !valid(*c.side)) return reject(RejectReason::InvalidEnum);
  if (c.account != 0) {
    const AccountState* a = account(c.account);
    if (!a) return reject(RejectReason::UnknownAccount, c.account);
    if (a->member != c.member) return reject(RejectReason::NotOrderOwner, c.account);
  }
  const InstrumentState* only = nullptr;
  if (!c.symbol.empty()) {
    only = instrument(c.symbol);
    if (!only) return reject(RejectReason::UnknownInstrument, c.account);
  }
  mass_cancel_ = true;
  mass_cancelled_ = 0;
  for (InstrumentState& ins : instruments_) {
    if (only && only->id != ins.id) continue;
    if (c.account == 0 && !c.day_only) {
      book::MassCancelFilter f;
      f.owner = c.member;
      if (c.side) f.side = to_book(*c.side);
      ins.book->mass_cancel(f);
      continue;
    }
    // One account, or DAY orders only: the matching live orders in this
    // book, oldest first, cancelled one by one within this one command.
    std::vector<OrderId> ids;
    for (const OrderState& o : orders_)
      if (o.id != 0 && o.member == c.member && (c.account == 0 || o.account == c.account) &&
          o.instrument == ins.id && (!c.side || o.side == *c.side) && (!c.day_only || o.tif == TimeInForce::Day) &&
          order_index_.find(o.id) != book::IdIndex::kMissing)
        ids.push_back(o.id);
    std::sort(ids.begin(), ids.end());
    for (OrderId id : ids) ins.book->cancel(id);
  }
  mass_cancel_ = false;
  emit(MassCancelled{c.member, c.account, c.symbol, c.side, mass_cancelled_, c.op});
}

std::vector<Exchange::OpenOrder> Exchange::list_open_orders() const {
  std::vector<OpenOrder> out;
  for (std::uint32_t slot = 0; slot < orders_.size(); ++slot) {
    const OrderState& o = orders_[slot];
    if (o.id == 0 || order_index_.find(o.id) != slot) continue;  // a free slot
    const OrderAccepted as_now{.order = o.id,
                               .account = o.account,
                               .member = o.member,
                               .instrument = o.instrument,
                               .clord_id = o.clord_id,
                               .side = o.side,
                               .type = o.type,
                               .tif = o.tif,
                               .stp = o.stp,
                               .price = o.price,
                               .qty = o.cum_qty + o.leaves,
                               .expire_at = o.expire_at,
                               .op = o.entered_by};
    out.push_back(OpenOrder{as_now, o.leaves, o.cum_qty, o.cum_cash});
  }
  std::sort(out.begin(), out.end(), [](const OpenOrder& a, const OpenOrder& b) { return a.order.order < b.order.order; });
  return out;
}

}  // namespace erx::exchange
