#include "gateway/router.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <variant>

#include "engine/core/assert.hpp"
#include "engine/fixed/decimal.hpp"
#include "gateway/fix_mapping.hpp"
#include "gateway/fix_time.hpp"
#include "gateway/query_answers.hpp"
#include "gateway/reject_map.hpp"
#include "gateway/reports.hpp"

namespace erx::gateway {

using exchange::Event;
using erx::Money;

namespace {

OrderStatus fill_status(Qty leaves) { return leaves == 0 ? OrderStatus::Filled : OrderStatus::PartiallyFilled; }

std::string exec_id(exchange::Seq seq, std::size_t index) { return std::to_string(seq) + "." + std::to_string(index); }

}  // namespace

// ------------------------------------------------------------ requests

namespace {

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
          r.side = kSide.code_char(c.side);
          r.order_qty = decimal_text(c.qty);
          r.price = c.type == exchange::OrderType::Limit ? decimal_text(c.price) : std::string();
          r.ord_type = kOrdType.code_char(c.type);
          r.tif = kTimeInForce.code_char(c.tif);
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
          r.side = c.side ? kSide.code_char(*c.side) : 0;
          r.account = c.account != 0 ? std::to_string(c.account) : std::string();
          r.mass_cancel_type =
              c.symbol.empty() ? mass_cancel_request_type::AllOrders : mass_cancel_request_type::BySymbol;
        }
      },
      body);
  return r;
}

// ------------------------------------------------------------ reports

void Router::send_report(exchange::MemberId member, OutMsg msg, std::vector<Delivery>& out, SlotId slot) {
  if (!transact_time_.empty()) msg.set(tag::TransactTime, transact_time_);
  auto copy_to = [&](SlotId copy_slot) {
    if (copy_slot == kNoSlot) return;
    OutMsg copy = msg;
    copy.set(tag::CopyMsgIndicator, yes_no::Yes);
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
  pending_entries_[e.instrument].push_back({{tag::MDUpdateAction, kMdUpdateAction.text(MdUpdateAction::New)},
                                            {tag::MDEntryType, kMdEntryType.text(MdEntryType::Close)},
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
  send_report(e.member, order_report(instruments_, stored, id, ExecType::New), out);
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
    OutMsg m = order_report(instruments_, *o,
                            std::to_string(seq) + ".T" + std::to_string(e.trade) + (f == &e.buy ? "B" : "S"),
                            ExecType::Trade);
    m.set(tag::LastPx, format_price(*ins, e.price)).set(tag::LastQty, format_qty(*ins, e.qty));
    m.set(tag::TrdMatchID, std::to_string(e.trade));
    // The incoming order (the aggressor's side) took liquidity; the resting one added it.
    const exchange::Side side = f == &e.buy ? exchange::Side::Buy : exchange::Side::Sell;
    m.set(tag::LastLiquidityInd, side == e.aggressor ? last_liquidity_ind::Removed : last_liquidity_ind::Added);
    m.set(tag::GrossTradeAmt, format_cash(e.cash));
    m.set(tag::Commission, format_cash(f->fee)).set(tag::CommType, comm_type::Absolute);
    if (!o->live()) orders_.finished(*o);
    send_report(o->member, std::move(m), out);
  }
  // The trade's date and time: when the exchange sequenced it (TransactTime).
  pending_entries_[e.instrument].push_back(
      {{tag::MDUpdateAction, kMdUpdateAction.text(MdUpdateAction::New)},
       {tag::MDEntryType, kMdEntryType.text(MdEntryType::Trade)}, {tag::Symbol, ins ? std::string(ins->spec.symbol.view()) : ""},
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
  OutMsg m = order_report(instruments_, *o, id,
                          restated ? ExecType::Restated : (expired ? ExecType::Expired : ExecType::Cancelled));
  // A member's own cancel answers its cancel request: ClOrdID is the request's.
  if (r.kind == RequestInfo::Kind::Cancel && e.reason == exchange::CancelReason::UserCancel) {
    m.fields[1].value = r.clord_id;
    m.set(tag::OrigClOrdID, std::string(o->clord_id.view()));
  }
  if (restated) m.set(tag::ExecRestatementReason, exec_restatement_reason::MarketOption);
  m.set(tag::CancelReason, kCancelReason.code(e.reason));
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
  OutMsg m = order_report(instruments_, *o, id, ExecType::Replaced);
  m.set(tag::OrigClOrdID, std::string(e.orig_clord_id.view()));
  m.set(tag::PriorityKept, e.priority_kept ? yes_no::Yes : yes_no::No);
  send_report(e.member, std::move(m), out);
}

void Router::on_rejected(const exchange::CommandRejected& e, const RequestInfo& r, std::string_view id,
                         std::vector<Delivery>& out) {
  if (r.slot == kNoSlot) return;  // an internal command (timer, cancel-on-disconnect): logged by the gateway
  const FixReject fr = fix_reject(e.reason);
  // A reason with no code for this kind of request (-1) says "other" (99).
  const auto code = [](int c) { return c < 0 ? 99 : c; };
  switch (r.kind) {
    case RequestInfo::Kind::NewOrder:
      // An ExecutionReport of the member's order: copied to its drop copy and
      // the regulator like every other (docs/FIX.md section 3).
      send_report(r.member, rejected_order_report(r, std::string(id), code(fr.ord_rej_reason), fr.text), out, r.slot);
      return;
    case RequestInfo::Kind::Cancel:
    case RequestInfo::Kind::Replace:
      // The order's id and current status when it is the member's own order
      // the gateway knows (a late cancel of a filled order says 39=2).
      out.push_back(Delivery{r.slot, cancel_reject_report(r, orders_.find(r.member, r.orig_clord_id),
                                                          code(fr.cxl_rej_reason), fr.text)});
      return;
    case RequestInfo::Kind::MassCancel:
      out.push_back(Delivery{r.slot, mass_cancel_reject_report(r, std::to_string(r.mass_cancel_type),
                                                               std::to_string(code(fr.mass_cancel_reject_reason)),
                                                               fr.text)});
      return;
    case RequestInfo::Kind::Internal:
      return;
  }
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
    OutMsg m = session_status(*ins);
    m.set(tag::UnsolicitedIndicator, yes_no::Yes);  // a change, not an answer
    out.push_back(Delivery{slot, std::move(m)});
  }
}

void Router::failed(const RequestInfo& r, std::vector<Delivery>& out) {
  if (r.slot == kNoSlot) return;
  OutMsg m{"j", {}, {}};
  m.set(tag::RefMsgType, request_msg_type(r.kind))
      .set(tag::BusinessRejectRefID, r.clord_id)
      .set(tag::BusinessRejectReason, std::to_string(business_reject_reason::ApplicationNotAvailable))
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

// One incremental entry of a price level.
void level_entry(std::vector<std::vector<OutField>>& entries, const InstrumentInfo& ins, MdUpdateAction action,
                 MdEntryType type, const Level& l) {
  std::vector<OutField> e{{tag::MDUpdateAction, kMdUpdateAction.text(action)}, {tag::MDEntryType, kMdEntryType.text(type)},
                          {tag::Symbol, std::string(ins.spec.symbol.view())}, {tag::MDEntryPx, format_price(ins, l.price)}};
  if (action != MdUpdateAction::Delete) {
    e.push_back({tag::MDEntrySize, format_qty(ins, l.qty)});
    e.push_back({tag::NumberOfOrders, std::to_string(l.orders)});
  }
  entries.push_back(std::move(e));
}

// The day's statistics after a trade: open, high, low, VWAP, volume.
void stats_entries(std::vector<std::vector<OutField>>& entries, const InstrumentInfo& ins, const DayStats& d) {
  if (d.trades == 0) return;
  const std::string sym(ins.spec.symbol.view());
  const std::string added = kMdUpdateAction.text(MdUpdateAction::New);
  for (const auto& [type, px] : {std::pair{MdEntryType::Open, d.open}, std::pair{MdEntryType::High, d.high},
                                 std::pair{MdEntryType::Low, d.low}, std::pair{MdEntryType::Vwap, exchange::vwap(d, 1)}})
    entries.push_back({{tag::MDUpdateAction, added}, {tag::MDEntryType, kMdEntryType.text(type)}, {tag::Symbol, sym},
                       {tag::MDEntryPx, format_price(ins, px)}});
  std::vector<OutField> vol{{tag::MDUpdateAction, added}, {tag::MDEntryType, kMdEntryType.text(MdEntryType::Volume)},
                            {tag::Symbol, sym}};
  for (OutField& f : day_volume_fields(ins, d)) vol.push_back(std::move(f));
  entries.push_back(std::move(vol));
}

// New / changed / deleted levels between two top-N lists of one side.
void diff_levels(std::vector<std::vector<OutField>>& entries, const InstrumentInfo& ins, MdEntryType type,
                 const TopLevels& before, const TopLevels& after) {
  for (const Level& old : before) {
    const bool kept = std::any_of(after.begin(), after.end(), [&](const Level& l) { return l.price == old.price; });
    if (!kept) level_entry(entries, ins, MdUpdateAction::Delete, type, old);
  }
  for (const Level& now : after) {
    const auto old = std::find_if(before.begin(), before.end(), [&](const Level& l) { return l.price == now.price; });
    if (old == before.end()) level_entry(entries, ins, MdUpdateAction::New, type, now);
    else if (old->qty != now.qty || old->orders != now.orders) level_entry(entries, ins, MdUpdateAction::Change, type, now);
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
    diff_levels(g.entries, *ins, MdEntryType::Bid, bids, new_bids);
    diff_levels(g.entries, *ins, MdEntryType::Offer, asks, new_asks);
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
  const auto seq = rpt_seq_.find(ins.id);
  return market_data_snapshot(ins, market_, md_req_id, seq == rpt_seq_.end() ? 0 : seq->second);
}

}  // namespace erx::gateway
