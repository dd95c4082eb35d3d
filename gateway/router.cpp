#include "gateway/router.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <variant>

#include "engine/core/assert.hpp"
#include "engine/fixed/decimal.hpp"
#include "gateway/inbound.hpp"
#include "gateway/reject_map.hpp"

namespace erx::gateway {

using exchange::Event;
using erx::Money;

// ------------------------------------------------------------ FIX values

char fix_side(exchange::Side s) { return s == exchange::Side::Buy ? '1' : '2'; }
char fix_ord_type(exchange::OrderType t) { return t == exchange::OrderType::Market ? '1' : '2'; }
char fix_tif(exchange::TimeInForce t) {
  switch (t) {
    case exchange::TimeInForce::Day: return '0';
    case exchange::TimeInForce::Gtc: return '1';
    case exchange::TimeInForce::Ioc: return '3';
    case exchange::TimeInForce::Fok: return '4';
    case exchange::TimeInForce::Gtd: return '6';
  }
  return '0';
}

std::string format_price(const InstrumentInfo& ins, Price p) { return format_fixed(p, ins.price_scale()); }
std::string format_qty(const InstrumentInfo& ins, Qty q) { return format_fixed(q, ins.qty_scale()); }
std::string format_cash(const Money& fen) { return format_money(fen, exchange::kCashScale); }

std::string average_price(const InstrumentInfo& ins, const Money& cum_cash, Qty cum_qty) {
  if (cum_qty <= 0) return "0";
  // cash (fen) = price × qty × years / 10^(ps + qs - 2), so
  // price units at scale ps+4 = cash × 10^(ps + qs + 2) / (years × qty).
  const int ps = ins.price_scale(), qs = ins.qty_scale();
  const int years = ins.spec.price_unit == exchange::PriceUnit::PerUnitYear ? std::max(1, ins.spec.term_years) : 1;
  const Money num = cum_cash * pow10_money(ps + qs + 2);
  const Money den = Money(years) * Money(cum_qty);
  return format_money(divide_rounded(num, den, Rounding::HalfUp), ps + 4);
}

namespace {

char ord_status(OrderStatus s) {
  switch (s) {
    case OrderStatus::New: return '0';
    case OrderStatus::PartiallyFilled: return '1';
    case OrderStatus::Filled: return '2';
    case OrderStatus::Cancelled: return '4';
    case OrderStatus::Expired: return 'C';
    case OrderStatus::Rejected: return '8';
  }
  return '0';
}

OrderStatus fill_status(Qty leaves) { return leaves == 0 ? OrderStatus::Filled : OrderStatus::PartiallyFilled; }

std::string exec_id(exchange::Seq seq, std::size_t index) { return std::to_string(seq) + "." + std::to_string(index); }

}  // namespace

// ------------------------------------------------------------ requests

namespace {

std::string decimal_text(const exchange::Decimal& d) { return format_fixed(d.units, d.scale); }

// The member session an operator trades for, if any.
bool from_session(exchange::OperatorId op, const Directory& dir, RequestInfo& r) {
  const auto m = dir.member_of_operator.find(op);
  if (op == 0 || m == dir.member_of_operator.end()) return false;
  const auto slot = dir.member_slot.find(m->second);
  if (slot == dir.member_slot.end()) return false;
  r.member = m->second;
  r.slot = slot->second;
  return true;
}

}  // namespace

RequestInfo request_info(const exchange::CommandBody& body, const Directory& dir) {
  RequestInfo r;
  std::visit(
      [&](const auto& c) {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, exchange::NewOrder>) {
          if (!from_session(c.op, dir, r)) return;
          r.kind = RequestInfo::Kind::NewOrder;
          r.clord_id = c.clord_id.view();
          r.symbol = c.symbol.view();
          r.side = fix_side(c.side);
          r.order_qty = decimal_text(c.qty);
          r.price = c.type == exchange::OrderType::Limit ? decimal_text(c.price) : std::string();
          r.ord_type = fix_ord_type(c.type);
          r.tif = fix_tif(c.tif);
          r.account = std::to_string(c.account);
        } else if constexpr (std::is_same_v<C, exchange::CancelOrder>) {
          if (!from_session(c.op, dir, r)) return;
          r.kind = RequestInfo::Kind::Cancel;
          r.clord_id = c.clord_id.view();
          r.orig_clord_id = c.orig_clord_id.view();
          r.account = std::to_string(c.account);
        } else if constexpr (std::is_same_v<C, exchange::ModifyOrder>) {
          if (!from_session(c.op, dir, r)) return;
          r.kind = RequestInfo::Kind::Replace;
          r.clord_id = c.clord_id.view();
          r.orig_clord_id = c.orig_clord_id.view();
          r.order_qty = decimal_text(c.qty);
          r.price = decimal_text(c.price);
          r.account = std::to_string(c.account);
        } else if constexpr (std::is_same_v<C, exchange::MassCancel>) {
          if (!from_session(c.op, dir, r)) return;
          r.kind = RequestInfo::Kind::MassCancel;
          r.clord_id = c.clord_id.view();
          r.symbol = c.symbol.view();
          r.side = c.side ? fix_side(*c.side) : 0;
          r.account = c.account != 0 ? std::to_string(c.account) : std::string();
          r.mass_cancel_type = c.symbol.empty() ? 7 : 1;  // 530=1 by Symbol, 7 all orders
        }
      },
      body);
  return r;
}

// ------------------------------------------------------------ reports

OutMsg rejected_order_report(const RequestInfo& r, std::string exec_id, int ord_rej_reason, std::string_view text) {
  OutMsg m{"8", {}, {}};
  m.set(tag::OrderID, "NONE").set(tag::ClOrdID, r.clord_id).set(tag::ExecID, std::move(exec_id))
      .set(tag::ExecType, "8").set(tag::OrdStatus, "8").set(tag::Symbol, r.symbol)
      .set(tag::Side, std::string(1, r.side == '2' ? '2' : '1')).set(tag::OrderQty, r.order_qty.empty() ? "0" : r.order_qty)
      .set(tag::LeavesQty, "0").set(tag::CumQty, "0").set(tag::AvgPx, "0")
      .set(tag::OrdRejReason, std::to_string(ord_rej_reason));
  if (!r.account.empty()) m.set(tag::Account, r.account);
  m.set(tag::Text, std::string(text));
  return m;
}

OutMsg cancel_reject_report(const RequestInfo& r, const OrderInfo* order, int cxl_rej_reason, std::string_view text) {
  OutMsg m{"9", {}, {}};
  m.set(tag::OrderID, order ? std::to_string(order->id) : "NONE").set(tag::ClOrdID, r.clord_id)
      .set(tag::OrigClOrdID, r.orig_clord_id).set(tag::OrdStatus, order ? std::string(1, ord_status(order->status)) : "8")
      .set(tag::CxlRejResponseTo, r.kind == RequestInfo::Kind::Cancel ? "1" : "2")
      .set(tag::CxlRejReason, std::to_string(cxl_rej_reason)).set(tag::Text, std::string(text));
  return m;
}

// Fields of a full ExecutionReport of a known order (base, fill and optional
// fields), so its field vector is allocated once.
constexpr std::size_t kReportFields = 32;

OutMsg Router::report_base(const OrderInfo& o, std::string_view id, char exec_type) const {
  const InstrumentInfo* ins = instruments_.find(o.instrument);
  OutMsg m{"8", {}, {}};
  m.fields.reserve(kReportFields);  // one allocation, not one per doubling
  m.set(tag::OrderID, std::to_string(o.id))
      .set(tag::ClOrdID, std::string(o.clord_id.view()))
      .set(tag::ExecID, std::string(id))
      .set(tag::ExecType, std::string(1, exec_type))
      .set(tag::OrdStatus, std::string(1, ord_status(o.status)))
      .set(tag::Account, std::to_string(o.account))
      .set(tag::Symbol, ins ? std::string(ins->spec.symbol.view()) : "")
      .set(tag::Side, std::string(1, fix_side(o.side)))
      .set(tag::OrdType, std::string(1, fix_ord_type(o.type)))
      .set(tag::TimeInForce, std::string(1, fix_tif(o.tif)));
  // ExpireTime only for a GTD order (the others have none).
  if (o.tif == exchange::TimeInForce::Gtd && o.expire_at > 0) m.set(tag::ExpireTime, format_fix_timestamp(o.expire_at));
  // The STP mode the order trades with: the engine's resolved mode, whose codes
  // are the FIX values (docs/FIX.md section 10; never 0 once resolved).
  m.set(tag::SelfTradePreventionMode, std::to_string(static_cast<int>(o.stp)));
  if (ins) {
    if (o.type == exchange::OrderType::Limit) m.set(tag::Price, format_price(*ins, o.price));
    m.set(tag::OrderQty, format_qty(*ins, o.order_qty))
        .set(tag::LeavesQty, format_qty(*ins, o.live() ? o.leaves : 0))
        .set(tag::CumQty, format_qty(*ins, o.cum_qty))
        .set(tag::AvgPx, average_price(*ins, o.cum_cash, o.cum_qty));
  }
  // Cash of all fills so far (exact, CNY), on every report of a known order.
  m.set(tag::CumCashAmt, format_cash(o.cum_cash));
  return m;
}

std::string next_gateway_exec_serial() {
  static std::atomic<std::uint64_t> next{static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count())};
  return std::to_string(next.fetch_add(1, std::memory_order_relaxed));
}

OutMsg Router::status_report(const OrderInfo& o, char exec_type) const {
  return report_base(o, "status." + std::to_string(o.id) + "." + next_gateway_exec_serial(), exec_type);
}

void Router::send_report(exchange::MemberId member, OutMsg msg, std::vector<Delivery>& out, SlotId slot) {
  if (!transact_time_.empty()) msg.set(tag::TransactTime, transact_time_);
  auto copy_to = [&](SlotId copy_slot) {
    if (copy_slot == kNoSlot) return;
    OutMsg copy = msg;
    copy.set(tag::CopyMsgIndicator, "Y");
    out.push_back(Delivery{copy_slot, std::move(copy)});
  };
  if (const auto dc = dir_.drop_copy_slot.find(member); dc != dir_.drop_copy_slot.end()) copy_to(dc->second);
  copy_to(dir_.regulator_slot);
  if (slot != kNoSlot) out.push_back(Delivery{slot, std::move(msg)});
  else if (const auto s = dir_.member_slot.find(member); s != dir_.member_slot.end())
    out.push_back(Delivery{s->second, std::move(msg)});
}

// ------------------------------------------------------------ events

void Router::committed(const RequestInfo& r, exchange::Seq seq, exchange::Timestamp time, std::span<const Event> events,
                       std::vector<Delivery>& out) {
  touched_.clear();
  time_ = time;
  transact_time_ = format_fix_timestamp(time);
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::string id = exec_id(seq, i);
    std::visit(
        [&](const auto& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, exchange::OrderAccepted>) on_accepted(e, id, out);
          else if constexpr (std::is_same_v<E, exchange::Trade>) on_trade(e, seq, out);
          else if constexpr (std::is_same_v<E, exchange::OrderCancelled>) on_cancelled(e, r, id, out);
          else if constexpr (std::is_same_v<E, exchange::OrderModified>) on_modified(e, id, out);
          else if constexpr (std::is_same_v<E, exchange::CommandRejected>) on_rejected(e, r, id, out);
          else if constexpr (std::is_same_v<E, exchange::MassCancelled>) on_mass_cancelled(e, r, out);
          else if constexpr (std::is_same_v<E, exchange::SessionChanged>) on_session(e, out);
          else if constexpr (std::is_same_v<E, exchange::InstrumentCreated> ||
                             std::is_same_v<E, exchange::InstrumentChanged>) instruments_.upsert(e.instrument, e.spec);
          else if constexpr (std::is_same_v<E, exchange::DailyStatistics>) on_close(e);
          else if constexpr (std::is_same_v<E, exchange::DayOpened>) orders_.new_day();
          else if constexpr (std::is_same_v<E, exchange::ReferencePriceSet>) {
            if (InstrumentInfo* ins = instruments_.find(e.instrument)) {
              ins->reference = e.reference;
              ins->band_lo = e.band_lo;
              ins->band_hi = e.band_hi;
            }
            market_.new_day(e.instrument);
            touched_.push_back(e.instrument);
          }
        },
        events[i]);
  }
  publish_market_data(out);
}

// The day's close: the closing price (the next day's reference) goes to the
// subscribers and into the snapshots until the next day opens.
void Router::on_close(const exchange::DailyStatistics& e) {
  const InstrumentInfo* ins = instruments_.find(e.instrument);
  if (ins == nullptr || e.close == 0) return;
  market_.close_day(e.instrument, e.close);
  pending_entries_[e.instrument].push_back({{tag::MDUpdateAction, "0"}, {tag::MDEntryType, "5"},
                                            {tag::Symbol, std::string(ins->spec.symbol.view())},
                                            {tag::MDEntryPx, format_price(*ins, e.close)}});
  touched_.push_back(e.instrument);
}

void Router::on_accepted(const exchange::OrderAccepted& e, std::string_view id, std::vector<Delivery>& out) {
  OrderInfo& stored = orders_.add(order_info(e));
  if (stored.resting()) {
    market_.add_resting(e.instrument, e.side, e.price, e.qty, 1);
    touched_.push_back(e.instrument);
  }
  send_report(e.member, report_base(stored, id, '0'), out);
}

void Router::on_trade(const exchange::Trade& e, exchange::Seq seq, std::vector<Delivery>& out) {
  market_.trade(e.instrument, e.price, e.qty, e.cash, time_);
  touched_.push_back(e.instrument);
  traded_.push_back(e.instrument);
  const InstrumentInfo* ins = instruments_.find(e.instrument);
  for (const exchange::FillSide* f : {&e.buy, &e.sell}) {
    OrderInfo* o = orders_.find(f->order);
    if (o == nullptr || ins == nullptr) continue;  // an order from before the views (cannot happen after load)
    // A fill that leaves nothing takes the order off its level.
    if (o->resting()) market_.add_resting(e.instrument, o->side, o->price, -e.qty, f->leaves == 0 ? -1 : 0);
    o->leaves = f->leaves;
    o->cum_qty = f->cum_qty;
    o->cum_cash = f->cum_cash;
    o->status = fill_status(f->leaves);
    // ExecID unique per side: the trade id and the side.
    OutMsg m = report_base(*o, std::to_string(seq) + ".T" + std::to_string(e.trade) + (f == &e.buy ? "B" : "S"), 'F');
    m.set(tag::LastPx, format_price(*ins, e.price)).set(tag::LastQty, format_qty(*ins, e.qty));
    m.set(tag::TrdMatchID, std::to_string(e.trade));
    // The incoming order (the aggressor's side) took liquidity; the resting one added it.
    const exchange::Side side = f == &e.buy ? exchange::Side::Buy : exchange::Side::Sell;
    m.set(tag::LastLiquidityInd, side == e.aggressor ? "2" : "1");
    m.set(tag::GrossTradeAmt, format_cash(e.cash));
    m.set(tag::Commission, format_cash(f->fee)).set(tag::CommType, "3");  // 3 = absolute
    if (!o->live()) orders_.finished(*o);
    send_report(o->member, std::move(m), out);
  }
  // The trade's date and time: when the exchange sequenced it (TransactTime).
  pending_entries_[e.instrument].push_back(
      {{tag::MDUpdateAction, "0"}, {tag::MDEntryType, "2"}, {tag::Symbol, ins ? std::string(ins->spec.symbol.view()) : ""},
       {tag::MDEntryPx, ins ? format_price(*ins, e.price) : ""}, {tag::MDEntrySize, ins ? format_qty(*ins, e.qty) : ""},
       {tag::MDEntryDate, format_fix_date(time_)}, {tag::MDEntryTime, format_fix_time_only(time_)}});
}

void Router::on_cancelled(const exchange::OrderCancelled& e, const RequestInfo& r, std::string_view id,
                          std::vector<Delivery>& out) {
  OrderInfo* o = orders_.find(e.order);
  if (o == nullptr) return;
  if (o->resting()) {
    // Off its level unless an STP decrement leaves it resting, smaller.
    market_.add_resting(e.instrument, o->side, o->price, -e.cancelled, e.leaves == 0 ? -1 : 0);
    touched_.push_back(e.instrument);
  }
  o->leaves = e.leaves;
  o->cum_qty = e.cum_qty;
  o->cum_cash = e.cum_cash;
  const bool expired = e.reason == exchange::CancelReason::Expired;
  if (e.leaves == 0) o->status = expired ? OrderStatus::Expired : OrderStatus::Cancelled;
  const bool restated = e.leaves > 0;  // an STP decrement: the order stays open, smaller
  OutMsg m = report_base(*o, id, restated ? 'D' : (expired ? 'C' : '4'));
  // A member's own cancel answers its cancel request: ClOrdID is the request's.
  if (r.kind == RequestInfo::Kind::Cancel && e.reason == exchange::CancelReason::UserCancel) {
    m.fields[1].value = r.clord_id;
    m.set(tag::OrigClOrdID, std::string(o->clord_id.view()));
  }
  if (restated) m.set(tag::ExecRestatementReason, "8");  // market (exchange) option
  // CancelReason's FIX values are the engine's codes (docs/FIX.md section 10).
  m.set(tag::CancelReason, std::to_string(static_cast<int>(e.reason)));
  m.set(tag::Text, std::string(exchange::to_string(e.reason)));
  if (!o->live()) orders_.finished(*o);
  send_report(e.member, std::move(m), out);
}

void Router::on_modified(const exchange::OrderModified& e, std::string_view id, std::vector<Delivery>& out) {
  OrderInfo* o = orders_.find(e.order);
  if (o == nullptr) return;
  if (o->resting()) {
    // The order leaves its old level and joins the new one (the same price or not).
    market_.add_resting(e.instrument, o->side, o->price, -o->leaves, -1);
    market_.add_resting(e.instrument, o->side, e.price, e.leaves, e.leaves > 0 ? 1 : 0);
    touched_.push_back(e.instrument);
  }
  o->price = e.price;
  o->leaves = e.leaves;
  o->cum_qty = e.cum_qty;
  o->cum_cash = e.cum_cash;
  o->order_qty = e.cum_qty + e.leaves;
  orders_.rekey(*o, e.clord_id);
  OutMsg m = report_base(*o, id, '5');
  m.set(tag::OrigClOrdID, std::string(e.orig_clord_id.view()));
  m.set(tag::PriorityKept, e.priority_kept ? "Y" : "N");
  send_report(e.member, std::move(m), out);
}

void Router::on_rejected(const exchange::CommandRejected& e, const RequestInfo& r, std::string_view id,
                         std::vector<Delivery>& out) {
  if (r.slot == kNoSlot) return;  // an internal command (timer, cancel-on-disconnect): logged by the gateway
  const FixReject fr = fix_reject(e.reason);
  OutMsg m;
  switch (r.kind) {
    case RequestInfo::Kind::NewOrder:
      // An ExecutionReport of the member's order: copied to its drop copy and
      // the regulator like every other (docs/FIX.md section 3).
      send_report(r.member,
                  rejected_order_report(r, std::string(id), fr.ord_rej_reason < 0 ? 99 : fr.ord_rej_reason, fr.text),
                  out, r.slot);
      return;
    case RequestInfo::Kind::Cancel:
    case RequestInfo::Kind::Replace:
      // The order's id and current status when it is the member's own order
      // the gateway knows (a late cancel of a filled order says 39=2).
      out.push_back(Delivery{r.slot, cancel_reject_report(r, orders_.find(r.member, r.orig_clord_id),
                                                          fr.cxl_rej_reason < 0 ? 99 : fr.cxl_rej_reason, fr.text)});
      return;
    case RequestInfo::Kind::MassCancel:
      m = OutMsg{"r", {}, {}};
      m.set(tag::ClOrdID, r.clord_id).set(tag::OrderID, "NONE")
          .set(tag::MassCancelRequestType, std::to_string(r.mass_cancel_type)).set(tag::MassCancelResponse, "0")
          .set(tag::MassCancelRejectReason, std::to_string(fr.mass_cancel_reject_reason < 0 ? 99 : fr.mass_cancel_reject_reason));
      break;
    case RequestInfo::Kind::Internal:
      return;
  }
  m.set(tag::Text, std::string(fr.text));
  out.push_back(Delivery{r.slot, std::move(m)});
}

void Router::on_mass_cancelled(const exchange::MassCancelled& e, const RequestInfo& r, std::vector<Delivery>& out) {
  if (r.kind != RequestInfo::Kind::MassCancel || r.slot == kNoSlot) return;
  OutMsg m{"r", {}, {}};
  m.set(tag::ClOrdID, r.clord_id).set(tag::OrderID, "NONE")
      .set(tag::MassCancelRequestType, std::to_string(r.mass_cancel_type))
      .set(tag::MassCancelResponse, std::to_string(r.mass_cancel_type))
      .set(tag::TotalAffectedOrders, std::to_string(e.cancelled));
  if (!r.symbol.empty()) m.set(tag::Symbol, r.symbol);
  out.push_back(Delivery{r.slot, std::move(m)});
}

void Router::on_session(const exchange::SessionChanged& e, std::vector<Delivery>& out) {
  InstrumentInfo* ins = instruments_.find(e.instrument);
  if (ins == nullptr) return;
  ins->session = e.state;
  for (SlotId slot : dir_.all_member_slots) {
    OutMsg m{"h", {}, {}};
    m.set(tag::TradingSessionID, std::string(ins->spec.symbol.view()))
        .set(tag::TradSesStatus, trad_ses_status(e.state))
        .set(325, "Y")  // UnsolicitedIndicator: a change, not an answer
        .set(tag::Symbol, std::string(ins->spec.symbol.view()));
    out.push_back(Delivery{slot, std::move(m)});
  }
}

void Router::failed(const RequestInfo& r, std::vector<Delivery>& out) {
  if (r.slot == kNoSlot) return;
  OutMsg m{"j", {}, {}};
  m.set(tag::RefMsgType, r.kind == RequestInfo::Kind::NewOrder  ? "D"
                         : r.kind == RequestInfo::Kind::Cancel  ? "F"
                         : r.kind == RequestInfo::Kind::Replace ? "G"
                                                                : "q")
      .set(tag::BusinessRejectRefID, r.clord_id)
      .set(tag::BusinessRejectReason, "4")
      .set(tag::Text, "exchange stopped before this request was committed: it did not happen");
  out.push_back(Delivery{r.slot, std::move(m)});
}

// ------------------------------------------------------------ market data

void Router::subscribe(InstrumentId ins, SlotId slot, const std::string& md_req_id) {
  auto& subs = subscribers_[ins];
  subs.emplace_back(slot, md_req_id);
  if (!published_.count(ins)) published_[ins] = {market_.top(ins, exchange::Side::Buy), market_.top(ins, exchange::Side::Sell)};
}

bool Router::subscribed(SlotId slot, const std::string& md_req_id) const {
  for (const auto& [ins, subs] : subscribers_)
    for (const auto& [s, id] : subs)
      if (s == slot && id == md_req_id) return true;
  return false;
}

void Router::unsubscribe(SlotId slot, const std::string& md_req_id) {
  for (auto& [ins, subs] : subscribers_)
    std::erase_if(subs, [&](const auto& s) { return s.first == slot && s.second == md_req_id; });
}

void Router::unsubscribe_all(SlotId slot) {
  for (auto& [ins, subs] : subscribers_) std::erase_if(subs, [&](const auto& s) { return s.first == slot; });
}

namespace {

void level_entry(std::vector<std::vector<OutField>>& entries, const InstrumentInfo& ins, char action, char type,
                 const Level& l) {
  std::vector<OutField> e{{tag::MDUpdateAction, std::string(1, action)}, {tag::MDEntryType, std::string(1, type)},
                          {tag::Symbol, std::string(ins.spec.symbol.view())}, {tag::MDEntryPx, format_price(ins, l.price)}};
  if (action != '2') {
    e.push_back({tag::MDEntrySize, format_qty(ins, l.qty)});
    e.push_back({tag::NumberOfOrders, std::to_string(l.orders)});
  }
  entries.push_back(std::move(e));
}

// The day's volume entry (269=B) with its turnover (CNY) and number of trades.
std::vector<OutField> volume_fields(const InstrumentInfo& ins, const DayStats& d) {
  return {{tag::MDEntrySize, format_qty(ins, d.volume)}, {tag::Turnover, format_cash(d.turnover)},
          {tag::NumberOfTrades, std::to_string(d.trades)}};
}

// The day's statistics after a trade: open, high, low, VWAP, volume.
void stats_entries(std::vector<std::vector<OutField>>& entries, const InstrumentInfo& ins, const DayStats& d) {
  if (d.trades == 0) return;
  const std::string sym(ins.spec.symbol.view());
  const Price vwap = static_cast<Price>(divide_rounded(d.price_x_qty, Money(d.volume), Rounding::HalfUp));
  for (const auto& [type, px] : {std::pair{'4', d.open}, std::pair{'7', d.high}, std::pair{'8', d.low}, std::pair{'9', vwap}})
    entries.push_back({{tag::MDUpdateAction, "0"}, {tag::MDEntryType, std::string(1, type)}, {tag::Symbol, sym},
                       {tag::MDEntryPx, format_price(ins, px)}});
  std::vector<OutField> vol{{tag::MDUpdateAction, "0"}, {tag::MDEntryType, "B"}, {tag::Symbol, sym}};
  for (OutField& f : volume_fields(ins, d)) vol.push_back(std::move(f));
  entries.push_back(std::move(vol));
}

// New / changed / deleted levels between two top-N lists of one side.
void diff_levels(std::vector<std::vector<OutField>>& entries, const InstrumentInfo& ins, char type,
                 const TopLevels& before, const TopLevels& after) {
  for (const Level& old : before) {
    const bool kept = std::any_of(after.begin(), after.end(), [&](const Level& l) { return l.price == old.price; });
    if (!kept) level_entry(entries, ins, '2', type, old);
  }
  for (const Level& now : after) {
    const auto old = std::find_if(before.begin(), before.end(), [&](const Level& l) { return l.price == now.price; });
    if (old == before.end()) level_entry(entries, ins, '0', type, now);
    else if (old->qty != now.qty || old->orders != now.orders) level_entry(entries, ins, '1', type, now);
  }
}

}  // namespace

void Router::publish_market_data(std::vector<Delivery>& out) {
  std::sort(touched_.begin(), touched_.end());
  touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
  for (InstrumentId id : touched_) {
    const auto subs = subscribers_.find(id);
    std::vector<std::vector<OutField>> entries = std::move(pending_entries_[id]);
    pending_entries_.erase(id);
    const bool traded = std::find(traded_.begin(), traded_.end(), id) != traded_.end();
    if (subs == subscribers_.end() || subs->second.empty()) {
      published_.erase(id);  // re-read at the next subscription
      continue;
    }
    const InstrumentInfo* ins = instruments_.find(id);
    if (ins == nullptr) continue;
    auto& [bids, asks] = published_[id];
    const TopLevels new_bids = market_.top(id, exchange::Side::Buy), new_asks = market_.top(id, exchange::Side::Sell);
    OutGroup g{tag::NoMDEntries, tag::MDUpdateAction, {}};
    diff_levels(g.entries, *ins, '0', bids, new_bids);
    diff_levels(g.entries, *ins, '1', asks, new_asks);
    for (auto& e : entries) g.entries.push_back(std::move(e));
    if (traded) stats_entries(g.entries, *ins, market_.stats(id));
    bids = new_bids;
    asks = new_asks;
    if (g.entries.empty()) continue;
    // RptSeq: the instrument's entries numbered 1, 2, 3, ... in the order sent.
    std::uint64_t& rpt_seq = rpt_seq_[id];
    for (auto& e : g.entries) e.push_back({tag::RptSeq, std::to_string(++rpt_seq)});
    for (const auto& [slot, req_id] : subs->second) {
      OutMsg m{"X", {}, {}};
      m.set(tag::MDReqID, req_id);
      m.groups.push_back(g);
      out.push_back(Delivery{slot, std::move(m)});
    }
  }
  touched_.clear();
  traded_.clear();
}

OutMsg Router::snapshot(const InstrumentInfo& ins, const std::string& md_req_id) const {
  OutMsg m{"W", {}, {}};
  m.set(tag::MDReqID, md_req_id).set(tag::Symbol, std::string(ins.spec.symbol.view()));
  // The RptSeq of the instrument's last incremental entry so far (0: none):
  // the increments that follow this snapshot are numbered from it + 1.
  const auto seq = rpt_seq_.find(ins.id);
  m.set(tag::RptSeq, std::to_string(seq == rpt_seq_.end() ? 0 : seq->second));
  OutGroup g{tag::NoMDEntries, tag::MDEntryType, {}};
  auto entry = [&](char type, Price px, std::optional<Qty> qty) -> std::vector<OutField>& {
    std::vector<OutField> e{{tag::MDEntryType, std::string(1, type)}, {tag::MDEntryPx, format_price(ins, px)}};
    if (qty) e.push_back({tag::MDEntrySize, format_qty(ins, *qty)});
    g.entries.push_back(std::move(e));
    return g.entries.back();
  };
  // Levels best first: MDEntryPositionNo 1..5 per side, and the orders resting there.
  for (const exchange::Side side : {exchange::Side::Buy, exchange::Side::Sell}) {
    int position = 0;
    for (const Level& l : market_.top(ins.id, side)) {
      std::vector<OutField>& e = entry(side == exchange::Side::Buy ? '0' : '1', l.price, l.qty);
      e.push_back({tag::MDEntryPositionNo, std::to_string(++position)});
      e.push_back({tag::NumberOfOrders, std::to_string(l.orders)});
    }
  }
  const DayStats d = market_.stats(ins.id);
  if (d.trades > 0) {
    entry('4', d.open, std::nullopt);
    entry('7', d.high, std::nullopt);
    entry('8', d.low, std::nullopt);
    // The last trade's quantity and time when this process saw it (not after a restart).
    std::vector<OutField>& last = entry('2', d.last, d.last_time > 0 ? std::optional<Qty>(d.last_qty) : std::nullopt);
    if (d.last_time > 0) {
      last.push_back({tag::MDEntryDate, format_fix_date(d.last_time)});
      last.push_back({tag::MDEntryTime, format_fix_time_only(d.last_time)});
    }
    const Money vwap = divide_rounded(d.price_x_qty, Money(d.volume), Rounding::HalfUp);
    entry('9', static_cast<Price>(vwap), std::nullopt);
    std::vector<OutField> vol{{tag::MDEntryType, "B"}};
    for (OutField& f : volume_fields(ins, d)) vol.push_back(std::move(f));
    g.entries.push_back(std::move(vol));
  }
  if (d.close != 0) entry('5', d.close, std::nullopt);
  m.groups.push_back(std::move(g));
  return m;
}

}  // namespace erx::gateway
