// Reservations and settlement.
//
// An open order holds, in its account's Reserved buckets, exactly what it may
// still need (need_of): a buy its cash at the limit price plus its fees at
// most; a sell its quantity, plus its minimum fees unless its proceeds at the
// limit price cover its fees (proceeds_cover_fees). A fill settles delivery
// versus payment as one group of transfers checked before any is posted; then
// the order's reservation is trued up to its new need (a buy filled below its
// limit gets the difference back at once). An order that ends releases what is
// left. docs/EXCHANGE.md "Money" states the rounding rules.

#include <algorithm>

#include "engine/core/assert.hpp"
#include "engine/exchange/exchange.hpp"

namespace erx::exchange {

namespace {

CancelReason to_cancel_reason(book::Reason r) {
  switch (r) {
    case book::Reason::UserCancel: return CancelReason::UserCancel;
    case book::Reason::IocRemainder: return CancelReason::IocRemainder;
    case book::Reason::MarketRemainder: return CancelReason::MarketRemainder;
    case book::Reason::StpCancelTaker: return CancelReason::StpCancelTaker;
    case book::Reason::StpCancelMaker: return CancelReason::StpCancelMaker;
    case book::Reason::StpCancelBoth: return CancelReason::StpCancelBoth;
    case book::Reason::StpDecrement: return CancelReason::StpDecrement;
    case book::Reason::MassCancel: return CancelReason::MassCancel;
    case book::Reason::Expired: return CancelReason::Expired;
    case book::Reason::EndOfDay: return CancelReason::SystemCancel;
    case book::Reason::OutsideNewBand: return CancelReason::OutsideNewBand;
    default: break;
  }
  ERX_ASSERT_MSG(false, "book cancel reason without an exchange counterpart");
  return CancelReason::UserCancel;
}

// Book rejects the exchange's own checks do not already rule out.
RejectReason to_reject_reason(book::Reason r) {
  switch (r) {
    case book::Reason::FokNotFillable: return RejectReason::FokNotFillable;
    case book::Reason::BookFull: return RejectReason::BookFull;
    case book::Reason::TooManyOwners: return RejectReason::TooManyOwners;
    case book::Reason::ExpiredOnEntry: return RejectReason::ExpiredOnEntry;
    case book::Reason::PriceOutsideBand: return RejectReason::PriceOutsideBand;
    case book::Reason::OffTickPrice: return RejectReason::OffTick;
    case book::Reason::OffLotQuantity: return RejectReason::OffLot;
    case book::Reason::QuantityTooLarge: return RejectReason::AboveMaxSize;
    default: break;
  }
  ERX_ASSERT_MSG(false, "book rejected what the exchange's checks should have refused");
  return RejectReason::None;
}

}  // namespace

// ---------------------------------------------------------------- reservations

Exchange::Need Exchange::need_of(const OrderState& o) const {
  if (o.leaves == 0) return Need{};  // a finished order needs nothing
  const InstrumentState& ins = instruments_[o.instrument - 1];
  const FeeSchedule& fees = fee_schedules_[o.fee_schedule];
  Need n;
  if (o.side == Side::Buy) {
    const Money max_cash = buy_fill_cash(ins.cash_rule, o.prepaid, o.price, o.leaves).cash;
    n.cash = max_cash;
    for (int i = 0; i < 2; ++i) n.cash += fee_target(fees.lines[i], o.cum_cash + max_cash) - o.fees_charged[i];
  } else {
    n.qty = o.leaves;
    if (o.fees_from_proceeds) return n;
    for (int i = 0; i < 2; ++i)
      if (fees.lines[i].minimum > o.fees_charged[i]) n.cash += fees.lines[i].minimum - o.fees_charged[i];
  }
  return n;
}

// Does a sell order pay its fees out of its proceeds, reserving no cash? Yes
// when the whole order (executed and open) sold at its limit price would bring
// in at least the fees it would then owe. Decided on the order's size and
// limit only, which change by a modify alone, so the answer - and with it the
// need - never grows on a fill; the order keeps the answer in
// OrderState::fees_from_proceeds. Fees are still never taken beyond what the
// order has received (settle_fill); a partly filled order that ends owing
// more is forgiven the rest (docs/EXCHANGE.md "Money and rounding").
bool Exchange::proceeds_cover_fees(const OrderState& o) const {
  ERX_ASSERT(o.side == Side::Sell);
  const FeeSchedule& fees = fee_schedules_[o.fee_schedule];
  if (fees.lines[0].minimum == 0 && fees.lines[1].minimum == 0) return true;  // nothing to reserve anyway
  const Money proceeds = notional_floor_cash(instruments_[o.instrument - 1].cash_rule, o.price, o.qty);
  // Once it trades, an order owes at least the minimums, even on proceeds of 0.
  Money owed = 0;
  for (const FeeLineUnits& line : fees.lines) owed += std::max(line.minimum, fee_target(line, proceeds));
  return proceeds >= owed;
}

// Brings the order's reservation down to exactly what it still needs.
void Exchange::true_up_reservation(OrderState& o) {
  const Need need = need_of(o);
  ERX_ASSERT_MSG(o.reserved_cash >= need.cash && o.reserved_qty >= need.qty, "reservation below need");
  const AccountState& acc = accounts_[o.account_slot];
  if (o.reserved_cash > need.cash) {
    transfer(spec(kCash, acc, Bucket::Reserved, acc, Bucket::Tradable, o.reserved_cash - need.cash,
                  TransferKind::Unreserve, o.id));
    o.reserved_cash = need.cash;
  }
  if (o.reserved_qty > need.qty) {
    transfer(spec(o.instrument, acc, Bucket::Reserved, acc, Bucket::Tradable, o.reserved_qty - need.qty,
                  TransferKind::Unreserve, o.id));
    o.reserved_qty = need.qty;
  }
}

void Exchange::set_leaves(OrderState& o, Qty leaves) {
  if (o.side == Side::Buy) {
    std::vector<Qty>& open = o.member_state->open_buy_qty;
    if (open.size() < o.instrument) open.resize(o.instrument, 0);
    open[o.instrument - 1] += leaves - o.leaves;
    ERX_ASSERT(open[o.instrument - 1] >= 0);
  }
  o.leaves = leaves;
}

// The order is done (filled, cancelled, expired): release what it holds and
// forget it. Its ClOrdID stays used until the next day open.
void Exchange::finish_order(OrderState& o) {
  set_leaves(o, 0);
  true_up_reservation(o);  // need is zero now: releases everything
  const std::uint32_t slot = order_index_.find(o.id);
  order_index_.erase(o.id);
  o = OrderState{};
  free_orders_.push_back(slot);
}

// ---------------------------------------------------------------- book events

void Exchange::on_book_event(const book::Event& e) {
  switch (e.kind) {
    case book::EventKind::Accepted: {
      ERX_ASSERT(adding_slot_ != kNoSlot && orders_[adding_slot_].id == e.order_id);
      OrderState& o = orders_[adding_slot_];
      emit(OrderAccepted{o.id, o.account, o.member, o.instrument, o.clord_id, o.side, o.type, o.tif, o.stp, o.price,
                         o.qty, o.expire_at, o.entered_by});
      const Need need = need_of(o);
      const AccountState& acc = accounts_[o.account_slot];
      if (need.cash > 0)
        transfer(spec(kCash, acc, Bucket::Tradable, acc, Bucket::Reserved, need.cash, TransferKind::Reserve, o.id));
      if (need.qty > 0)
        transfer(spec(o.instrument, acc, Bucket::Tradable, acc, Bucket::Reserved, need.qty, TransferKind::Reserve,
                      o.id));
      o.reserved_cash = need.cash;
      o.reserved_qty = need.qty;
      clord_ids_.insert(o.member, o.clord_id, o.id);
      return;
    }
    case book::EventKind::Rejected: {
      ERX_ASSERT(e.request == book::Request::Add && adding_slot_ != kNoSlot);
      // Undo the provisional registration: the command changes nothing.
      OrderState& o = orders_[adding_slot_];
      const AccountId account_id = o.account;
      const ClOrdId clord = o.clord_id;
      finish_order(o);
      --next_order_id_;
      return reject(to_reject_reason(e.reason), account_id, clord);
    }
    case book::EventKind::Trade: return settle_fill(e);
    case book::EventKind::Cancelled: return on_order_cancelled(e);
    case book::EventKind::Modified: return on_order_modified(e);
  }
}

void Exchange::on_order_cancelled(const book::Event& e) {
  OrderState& o = *order(e.order_id);
  set_leaves(o, e.leaves);
  const CancelReason why = e.reason != book::Reason::UserCancel ? to_cancel_reason(e.reason)
                           : system_cancel_                      ? *system_cancel_
                           : mass_cancel_                        ? CancelReason::MassCancel
                                                                 : CancelReason::UserCancel;
  if (mass_cancel_) ++mass_cancelled_;
  emit(OrderCancelled{o.id, o.account, o.member, o.instrument, o.clord_id, o.side, o.price, e.qty, o.leaves,
                      o.cum_qty, o.cum_cash, why, command_op_});
  if (o.leaves == 0)
    finish_order(o);
  else
    true_up_reservation(o);  // an STP decrement: the order rests, smaller
}

void Exchange::on_order_modified(const book::Event& e) {
  OrderState& o = *order(e.order_id);
  o.price = e.price;
  set_leaves(o, e.leaves);
  o.qty = o.cum_qty + o.leaves;  // the order's size after the replace (FIX OrderQty)
  if (o.side == Side::Sell) o.fees_from_proceeds = proceeds_cover_fees(o);  // as on(ModifyOrder) reserved for
  emit(OrderModified{o.id, o.account, o.member, o.instrument, o.clord_id, modify_orig_clord_, o.side, o.price,
                     o.leaves, o.cum_qty, o.cum_cash, e.priority_kept, command_op_});
}

// One fill: delivery versus payment, fees for both sides, as one group.
void Exchange::settle_fill(const book::Event& e) {
  OrderState& taker = *order(e.order_id);
  OrderState& maker = *order(e.maker_id);
  OrderState& buy = taker.side == Side::Buy ? taker : maker;
  OrderState& sell = taker.side == Side::Buy ? maker : taker;
  InstrumentState& ins = instruments_[taker.instrument - 1];
  const FeeSchedule& buy_fees = fee_schedules_[buy.fee_schedule];
  const FeeSchedule& sell_fees = fee_schedules_[sell.fee_schedule];
  const AccountState& buyer = accounts_[buy.account_slot];
  const AccountState& seller = accounts_[sell.account_slot];
  const AccountState& house = exchange_account();
  const BuyFillCash paid = buy_fill_cash(ins.cash_rule, buy.prepaid, e.price, e.qty);
  const Money& cash = paid.cash;  // what the buyer pays, all of it to the seller
  const TradeId trade_id = next_trade_id_++;

  std::array<TransferSpec, 8> group;
  std::size_t n = 0;
  group[n++] = spec(ins.id, seller, Bucket::Reserved, buyer, Bucket::Locked, e.qty, TransferKind::Delivery, trade_id);
  if (cash > 0)
    group[n++] = spec(kCash, buyer, Bucket::Reserved, seller, Bucket::Tradable, cash, TransferKind::Payment, trade_id);

  const TransferKind fee_kind[2] = {TransferKind::TradingFee, TransferKind::SettlementFee};
  Money buy_fee = 0, sell_fee = 0, from_buy_reserved = 0, from_sell_reserved = 0;
  // Buyer: every fee comes out of its reservation (need_of covered the worst case).
  for (int i = 0; i < 2; ++i) {
    const Money inc = fee_target(buy_fees.lines[i], buy.cum_cash + cash) - buy.fees_charged[i];
    if (inc <= 0) continue;
    group[n++] = spec(kCash, buyer, Bucket::Reserved, house, Bucket::Fees, inc, fee_kind[i], trade_id);
    buy.fees_charged[i] += inc;
    buy_fee += inc;
  }
  // Seller: first its reserved minimum, then the proceeds of this fill, never
  // more than the two (a rounding excess is charged on a later fill, or waived).
  Money reserved_left = sell.reserved_cash;
  Money available = reserved_left + cash;
  for (int i = 0; i < 2; ++i) {
    Money inc = fee_target(sell_fees.lines[i], sell.cum_cash + cash) - sell.fees_charged[i];
    inc = std::min(inc, available);
    if (inc <= 0) continue;
    available -= inc;
    const Money from_reserved = std::min(inc, reserved_left);
    reserved_left -= from_reserved;
    if (from_reserved > 0)
      group[n++] = spec(kCash, seller, Bucket::Reserved, house, Bucket::Fees, from_reserved, fee_kind[i], trade_id);
    if (inc > from_reserved)
      group[n++] = spec(kCash, seller, Bucket::Tradable, house, Bucket::Fees, inc - from_reserved, fee_kind[i],
                        trade_id);
    sell.fees_charged[i] += inc;
    sell_fee += inc;
    from_sell_reserved += from_reserved;
  }
  from_buy_reserved = cash + buy_fee;

  // All or nothing: the reservations make this hold; a failure is a bug.
  ERX_ASSERT_MSG(balances_.can_post_all({group.data(), n}), "fill settlement group cannot apply");

  buy.cum_qty += e.qty;
  buy.cum_cash += cash;
  buy.prepaid = paid.prepaid_after;
  sell.cum_qty += e.qty;
  sell.cum_cash += cash;
  set_leaves(taker, e.leaves);
  set_leaves(maker, e.maker_leaves);
  buy.reserved_cash -= from_buy_reserved;
  sell.reserved_cash -= from_sell_reserved;
  sell.reserved_qty -= e.qty;

  const Side aggressor = taker.side;
  emit(Trade{trade_id, ins.id, e.price, e.qty, cash, aggressor,
             FillSide{buy.id, buy.account, buy.member, buy.clord_id, buy.price, buy.leaves, buy.cum_qty, buy.cum_cash,
                      buy_fee},
             FillSide{sell.id, sell.account, sell.member, sell.clord_id, sell.price, sell.leaves, sell.cum_qty,
                      sell.cum_cash, sell_fee}});
  for (std::size_t i = 0; i < n; ++i) transfer(group[i]);

  add_trade(ins.day, e.price, e.qty, cash);

  // Finish the maker first (it left the book), then the taker.
  for (OrderState* o : {&maker, &taker}) {
    if (o->leaves == 0)
      finish_order(*o);
    else
      true_up_reservation(*o);
  }
}

}  // namespace erx::exchange
